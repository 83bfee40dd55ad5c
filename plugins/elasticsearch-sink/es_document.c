/*
 * es_document.c - records to bulk items (es_document.h).
 */
#include "es_document.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_value.h"
#include "support/utf8.h"

void es_document_builder_init(es_document_builder *builder, const es_settings *settings)
{
    *builder = (es_document_builder){.settings = settings};
}

void es_document_builder_free(es_document_builder *builder)
{
    strbuf_free(&builder->buffer);
    strbuf_free(&builder->id);
    free(builder->cached_topic);
    builder->cached_topic = NULL;
}

const char *es_document_index(es_document_builder *builder, const char *topic)
{
    if (builder->cached_topic && strcmp(builder->cached_topic, topic) == 0)
        return builder->index;
    const es_settings *settings = builder->settings;
    const char *resource = es_settings_resource(settings, topic);
    if (resource)
        snprintf(builder->index, sizeof(builder->index), "%s", resource);
    else if (settings->data_stream)
        es_data_stream_name(settings->data_stream_prefix, settings->data_stream_namespace, topic,
                            builder->index, sizeof(builder->index));
    else
        es_index_name(topic, builder->index, sizeof(builder->index));
    free(builder->cached_topic);
    builder->cached_topic = strdup(topic); /* NULL only costs the cache */
    return builder->index;
}

/* ---- ids ---------------------------------------------------------------------------------- */

/* A primitive JSON value as id text; false for null, objects and arrays. */
static bool es_id_primitive(const json_t *value, strbuf *out)
{
    if (json_is_string(value)) {
        strbuf_append(out, json_string_value(value), json_string_length(value));
        return true;
    }
    if (json_is_integer(value)) {
        strbuf_append_int(out, json_integer_value(value));
        return true;
    }
    if (json_is_real(value) || json_is_boolean(value)) {
        char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text) {
            out->failed = true;
            return true;
        }
        strbuf_append_str(out, text);
        free(text);
        return true;
    }
    return false;
}

/* Whether a key or value is null. */
static bool es_data_is_null(const ferry_data *key)
{
    switch (key->kind) {
    case FERRY_DATA_STRING:
    case FERRY_DATA_BYTES:
        return !key->data;
    case FERRY_DATA_JSON:
        /* Checked JSON text (json == NULL) is never the literal null: the host made that a
         * null value. */
        return key->json ? json_is_null(key->json) : !key->data;
    case FERRY_DATA_NULL:
        break;
    }
    return true;
}

int es_document_id_from_key(const ferry_data *key, strbuf *out, char *why, size_t whylen)
{
    if (es_data_is_null(key))
        return ferry_error_set(why, whylen, "Key is used as document id and can not be null "
                               "(set key.ignore=true to use topic+partition+offset)"), -1;
    size_t start = out->len;
    if (key->kind == FERRY_DATA_STRING) {
        strbuf_append(out, key->data, key->len);
    } else if (key->kind == FERRY_DATA_BYTES) {
        if (utf8_valid(key->data, key->len))
            strbuf_append(out, key->data, key->len);
        else
            strbuf_append_base64(out, key->data, key->len);
    } else if (!es_id_primitive(key->json, out)) {
        bool done = false;
        /* A one-field struct (a one-column primary key): the field's value. */
        if (json_is_object(key->json) && json_object_size(key->json) == 1) {
            const char *name;
            json_t *field;
            json_object_foreach(key->json, name, field) {
                done = es_id_primitive(field, out);
            }
        }
        char *text = done ? NULL : json_dumps(key->json, JSON_COMPACT | JSON_SORT_KEYS);
        if (!done && !text)
            out->failed = true;
        else if (text)
            strbuf_append_str(out, text);
        free(text);
    }
    if (out->failed)
        return ferry_error_set(why, whylen, "out of memory"), -1;
    size_t len = out->len - start;
    if (len == 0)
        return ferry_error_set(why, whylen, "Key is used as document id and can not be empty"),
               -1;
    if (len > ES_MAX_ID_BYTES)
        return ferry_error_set(why, whylen, "the key makes a document id of %zu bytes; "
                               "Elasticsearch allows at most %d", len, ES_MAX_ID_BYTES), -1;
    return 0;
}

/* ---- versions ----------------------------------------------------------------------------- */

static int es_document_version(const es_settings *settings, const ferry_record *record,
                               int64_t *version, char *why, size_t whylen)
{
    if (!settings->version_header) {
        *version = record->kafka_offset;
        return 0;
    }
    const ferry_header *found = NULL;
    for (size_t i = 0; i < record->header_count; i++)
        if (strcmp(record->headers[i].key, settings->version_header) == 0)
            found = &record->headers[i]; /* the last one, as Confluent */
    if (!found || !found->value)
        return ferry_error_set(why, whylen, "external.version.header: the record has no header "
                               "'%s'", settings->version_header), -1;
    char text[32];
    if (found->value_len == 0 || found->value_len >= sizeof(text))
        goto not_a_number;
    memcpy(text, found->value, found->value_len);
    text[found->value_len] = '\0';
    char *end;
    errno = 0;
    long long parsed = strtoll(text, &end, 10);
    if (errno || *end || end == text || parsed < 0)
        goto not_a_number;
    *version = parsed;
    return 0;
not_a_number:
    return ferry_error_set(why, whylen, "external.version.header: header '%s' is not a "
                           "non-negative decimal number", settings->version_header), -1;
}

/* ---- items -------------------------------------------------------------------------------- */

static uint64_t es_order_key(const char *index, const char *id, size_t id_len)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    for (const char *c = index; *c; c++)
        hash = (hash ^ (unsigned char)*c) * 0x100000001b3ull;
    hash = (hash ^ 0xff) * 0x100000001b3ull;
    for (size_t i = 0; i < id_len; i++)
        hash = (hash ^ (unsigned char)id[i]) * 0x100000001b3ull;
    return hash ? hash : 1;
}

/* The key's bytes for error reports (what the dead-letter queue gets): into the item with its
 * lines. */
static es_item *es_item_of(const strbuf *lines, const ferry_data *key)
{
    const void *bytes = NULL;
    size_t len = 0;
    char *dumped = NULL;
    if (key->kind == FERRY_DATA_STRING || key->kind == FERRY_DATA_BYTES ||
        (key->kind == FERRY_DATA_JSON && key->data)) {
        bytes = key->data; /* NULL: a null key */
        len = key->data ? key->len : 0;
    } else if (key->kind == FERRY_DATA_JSON && key->json) {
        dumped = json_dumps(key->json, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!dumped)
            return NULL;
        bytes = dumped;
        len = strlen(dumped);
    }
    es_item *item = es_item_new(lines->data, lines->len, bytes, len);
    free(dumped);
    return item;
}

es_document_result es_document_build(es_document_builder *builder, const ferry_record *record,
                                     es_item **out, char *why, size_t whylen)
{
    const es_settings *settings = builder->settings;
    bool null_value = es_data_is_null(&record->value);
    bool key_ignored = es_settings_key_ignored(settings, record->topic);
    bool stream = es_settings_is_data_stream(settings);
    *out = NULL;

    if (null_value) {
        if (settings->null_behavior == ES_NULL_IGNORE)
            return ES_DOCUMENT_SKIP;
        if (settings->null_behavior == ES_NULL_FAIL) {
            ferry_error_set(why, whylen, "the record has a null value (to ignore records like "
                            "this set behavior.on.null.values to 'ignore', to delete their "
                            "document to 'delete')");
            return ES_DOCUMENT_INVALID;
        }
        /* Delete: without a key there is nothing to delete. */
        if (es_data_is_null(&record->key))
            return ES_DOCUMENT_SKIP;
    }

    const char *index = es_document_index(builder, record->topic);
    strbuf *id = &builder->id;
    strbuf_reset(id);
    bool with_id = true;
    if (!null_value && settings->autogenerated_ids) {
        with_id = false;
    } else if (key_ignored) {
        strbuf_append(id, record->topic, strlen(record->topic));
        strbuf_append_char(id, '+');
        strbuf_append_int(id, record->partition);
        strbuf_append_char(id, '+');
        strbuf_append_int(id, record->kafka_offset);
    } else if (es_document_id_from_key(&record->key, id, why, whylen) != 0) {
        return id->failed ? ES_DOCUMENT_NOMEM : ES_DOCUMENT_INVALID;
    }

    es_action_spec spec = {.index = index, .id = with_id ? id->data : NULL,
                           .id_len = with_id ? id->len : 0};
    if (null_value)
        spec.action = ES_ACTION_DELETE;
    else if (stream)
        spec.action = ES_ACTION_CREATE;
    else if (settings->write_method == ES_WRITE_UPSERT)
        spec.action = ES_ACTION_UPDATE;
    else
        spec.action = ES_ACTION_INDEX;
    /* External versions for key ids in insert mode (Confluent: not for key.ignore, not for
     * data streams); updates cannot carry one, and deletes in upsert mode do not either. */
    spec.versioned = with_id && !key_ignored && !stream &&
                     settings->write_method == ES_WRITE_INSERT;
    if (spec.versioned && es_document_version(settings, record, &spec.version, why, whylen))
        return ES_DOCUMENT_INVALID;
    if (spec.action == ES_ACTION_UPDATE)
        spec.retry_on_conflict = settings->max_in_flight < 5 ? settings->max_in_flight : 5;

    strbuf *lines = &builder->buffer;
    strbuf_reset(lines);
    es_bulk_action_line(lines, &spec);
    size_t value_at = lines->len;
    if (!null_value) {
        if (spec.action == ES_ACTION_UPDATE) {
            strbuf_append_literal(lines, "{\"doc\":");
            value_at = lines->len;
        }
        es_value_options options = {
            .use_schema = !es_settings_schema_ignored(settings, record->topic),
            .compact_map_entries = settings->compact_map_entries,
            .data_stream = stream,
            .timestamp_fields = settings->timestamp_fields,
        };
        if (es_value_append(&options, record, lines, why, whylen) != 0)
            return lines->failed ? ES_DOCUMENT_NOMEM : ES_DOCUMENT_INVALID;
    }
    size_t value_len = lines->len - value_at;
    if (spec.action == ES_ACTION_UPDATE)
        strbuf_append_literal(lines, ",\"doc_as_upsert\":true}");
    if (!null_value)
        strbuf_append_char(lines, '\n');
    if (lines->failed)
        return ES_DOCUMENT_NOMEM;

    es_item *item = es_item_of(lines, &record->key);
    if (!item)
        return ES_DOCUMENT_NOMEM;
    item->value_at = (uint32_t)value_at;
    item->value_len = (uint32_t)value_len;
    item->offset = record->kafka_offset;
    item->action = (uint8_t)spec.action;
    item->versioned = spec.versioned;
    /* Unversioned writes to ids from keys (upserts, their deletes) must keep their order. */
    if (with_id && !spec.versioned && !key_ignored && !stream)
        item->order_key = es_order_key(index, id->data, id->len);
    *out = item;
    return ES_DOCUMENT_OK;
}
