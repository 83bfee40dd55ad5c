/*
 * es_bulk_body.c - action lines and index names (es_bulk_body.h).
 */
#include "es_bulk_body.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

es_item *es_item_new(const char *lines, size_t len, const void *key, size_t key_len)
{
    if (len >= UINT32_MAX || key_len >= UINT32_MAX - len)
        return NULL;
    es_item *item = malloc(sizeof(*item) + len + key_len);
    if (!item)
        return NULL;
    *item = (es_item){.lines = item->bytes, .len = (uint32_t)len};
    memcpy(item->bytes, lines, len);
    if (key) {
        item->key = item->bytes + len;
        item->key_len = (uint32_t)key_len;
        memcpy(item->key, key, key_len);
    }
    return item;
}

void es_item_free(es_item *item)
{
    free(item);
}

static const char *es_action_name(es_action action)
{
    switch (action) {
    case ES_ACTION_CREATE: return "create";
    case ES_ACTION_UPDATE: return "update";
    case ES_ACTION_DELETE: return "delete";
    case ES_ACTION_INDEX: break;
    }
    return "index";
}

void es_bulk_action_line(strbuf *out, const es_action_spec *spec)
{
    strbuf_append_literal(out, "{\"");
    strbuf_append_str(out, es_action_name(spec->action));
    strbuf_append_literal(out, "\":{\"_index\":");
    strbuf_append_json_string(out, spec->index, strlen(spec->index));
    if (spec->id) {
        strbuf_append_literal(out, ",\"_id\":");
        strbuf_append_json_string(out, spec->id, spec->id_len);
    }
    if (spec->versioned) {
        strbuf_append_literal(out, ",\"version\":");
        strbuf_append_int(out, spec->version);
        strbuf_append_literal(out, ",\"version_type\":\"external\"");
    }
    if (spec->action == ES_ACTION_UPDATE && spec->retry_on_conflict > 0) {
        strbuf_append_literal(out, ",\"retry_on_conflict\":");
        strbuf_append_int(out, spec->retry_on_conflict);
    }
    strbuf_append_literal(out, "}}\n");
}

void es_index_name(const char *topic, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    const char *from = topic;
    size_t len = strlen(topic);
    if (len > 255)
        len = 255;
    /* Confluent cuts to 255 first, then drops one leading '-' or '_'. */
    if (len > 0 && (from[0] == '-' || from[0] == '_')) {
        from++;
        len--;
    }
    if (len >= outlen)
        len = outlen - 1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)from[i]);
    out[len] = '\0';
    if (strcmp(out, ".") == 0)
        snprintf(out, outlen, "dot");
    else if (strcmp(out, "..") == 0)
        snprintf(out, outlen, "dotdot");
}

void es_data_stream_name(const char *prefix, const char *namespace_pattern, const char *topic,
                         char *out, size_t outlen)
{
    char namespace_text[512] = "";
    size_t used = 0;
    for (const char *p = namespace_pattern; *p && used + 1 < sizeof(namespace_text);) {
        if (strncmp(p, "${topic}", 8) == 0) {
            for (const char *t = topic; *t && used + 1 < sizeof(namespace_text); t++)
                namespace_text[used++] = (char)tolower((unsigned char)*t);
            p += 8;
        } else {
            namespace_text[used++] = *p++;
        }
    }
    namespace_text[used < 100 ? used : 100] = '\0';
    snprintf(out, outlen, "%s%s", prefix, namespace_text);
}
