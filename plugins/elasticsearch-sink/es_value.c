/*
 * es_value.c - values to document bytes (es_value.h).
 */
#include "es_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_plugin.h"
#include "support/base64.h"

#define ES_DECIMAL "org.apache.kafka.connect.data.Decimal"
#define ES_TIMESTAMP_FIELD "@timestamp"

/* ---- schema-driven rewriting -------------------------------------------------------------- */

static const char *es_schema_type(const json_t *schema)
{
    const char *type = json_string_value(json_object_get(schema, "type"));
    return type ? type : "";
}

static bool es_schema_is_decimal(const json_t *schema)
{
    const char *name = json_string_value(json_object_get(schema, "name"));
    return name && strcmp(name, ES_DECIMAL) == 0;
}

bool es_schema_needs_rewrite(const json_t *schema, bool compact_map_entries)
{
    if (!json_is_object(schema))
        return false;
    if (es_schema_is_decimal(schema))
        return true;
    const char *type = es_schema_type(schema);
    if (strcmp(type, "map") == 0) {
        const json_t *keys = json_object_get(schema, "keys");
        return !compact_map_entries || strcmp(es_schema_type(keys), "string") != 0 ||
               es_schema_needs_rewrite(json_object_get(schema, "values"), compact_map_entries);
    }
    if (strcmp(type, "array") == 0)
        return es_schema_needs_rewrite(json_object_get(schema, "items"), compact_map_entries);
    if (strcmp(type, "struct") == 0) {
        size_t i;
        json_t *field;
        json_array_foreach(json_object_get(schema, "fields"), i, field) {
            if (es_schema_needs_rewrite(field, compact_map_entries))
                return true;
        }
    }
    return false;
}

/* A Connect Decimal (base64 of the big-endian two's complement unscaled value) as a double.
 * false when the text is not base64, or too long for the buffer (256 bytes are far beyond what a
 * double holds). */
static bool es_decimal_value(const char *text, int scale, double *out)
{
    unsigned char bytes[256];
    size_t len = strlen(text);
    if (base64_decoded_max(len) > sizeof(bytes))
        return false;
    long decoded = base64_decode(text, len, bytes);
    if (decoded < 0)
        return false;
    size_t count = (size_t)decoded;
    if (count == 0) {
        *out = 0;
        return true;
    }
    bool negative = bytes[0] & 0x80;
    double value = 0;
    for (size_t i = 0; i < count; i++)
        value = value * 256.0 + (negative ? (unsigned char)~bytes[i] : bytes[i]);
    if (negative)
        value = -(value + 1.0);
    *out = value / pow(10.0, scale);
    return true;
}

static int es_decimal_scale(const json_t *schema)
{
    const json_t *scale = json_object_get(json_object_get(schema, "parameters"), "scale");
    if (json_is_integer(scale))
        return (int)json_integer_value(scale);
    if (json_is_string(scale))
        return atoi(json_string_value(scale));
    return 0;
}

/* A {"key": k, "value": v} entry, taking the references. */
static json_t *es_map_entry(json_t *key, json_t *value)
{
    json_t *entry = json_object();
    if (!entry || !key || !value || json_object_set_new(entry, "key", key) != 0) {
        json_decref(entry);
        json_decref(key);
        json_decref(value);
        return NULL;
    }
    if (json_object_set_new(entry, "value", value) != 0) {
        json_decref(entry);
        return NULL;
    }
    return entry;
}

static json_t *es_rewrite_map(const json_t *schema, json_t *value, bool compact)
{
    const json_t *keys = json_object_get(schema, "keys");
    const json_t *values = json_object_get(schema, "values");
    bool string_keys = strcmp(es_schema_type(keys), "string") == 0;
    if (json_is_object(value)) {
        const char *key;
        json_t *item;
        json_t *out = string_keys && compact ? json_object() : json_array();
        if (!out)
            return NULL;
        json_object_foreach(value, key, item) {
            json_t *rewritten = es_value_rewrite(values, item, compact);
            int rc;
            if (json_is_object(out))
                rc = rewritten ? json_object_set_new(out, key, rewritten) : -1;
            else
                rc = json_array_append_new(out, es_map_entry(json_string(key), rewritten));
            if (rc != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (json_is_array(value)) {
        /* JsonConverter writes maps with non-string keys as [[key, value], ...]. */
        json_t *out = json_array();
        size_t i;
        json_t *pair;
        if (!out)
            return NULL;
        json_array_foreach(value, i, pair) {
            if (!json_is_array(pair) || json_array_size(pair) != 2) {
                if (json_array_append(out, pair) != 0)
                    goto fail;
                continue;
            }
            json_t *entry = es_map_entry(es_value_rewrite(keys, json_array_get(pair, 0), compact),
                                         es_value_rewrite(values, json_array_get(pair, 1),
                                                          compact));
            if (json_array_append_new(out, entry) != 0)
                goto fail;
        }
        return out;
    fail:
        json_decref(out);
        return NULL;
    }
    return json_incref(value);
}

json_t *es_value_rewrite(const json_t *schema, json_t *value, bool compact)
{
    if (!json_is_object(schema) || !value || json_is_null(value))
        return json_incref(value);
    if (es_schema_is_decimal(schema)) {
        double number;
        if (json_is_string(value) &&
            es_decimal_value(json_string_value(value), es_decimal_scale(schema), &number))
            return json_real(number);
        return json_incref(value);
    }
    const char *type = es_schema_type(schema);
    if (strcmp(type, "struct") == 0 && json_is_object(value)) {
        if (!es_schema_needs_rewrite(schema, compact))
            return json_incref(value);
        json_t *out = json_copy(value);
        size_t i;
        json_t *field;
        if (!out)
            return NULL;
        json_array_foreach(json_object_get(schema, "fields"), i, field) {
            const char *name = json_string_value(json_object_get(field, "field"));
            json_t *item = name ? json_object_get(value, name) : NULL;
            if (!item || !es_schema_needs_rewrite(field, compact))
                continue;
            json_t *rewritten = es_value_rewrite(field, item, compact);
            if (!rewritten || json_object_set_new(out, name, rewritten) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (strcmp(type, "array") == 0 && json_is_array(value)) {
        const json_t *items = json_object_get(schema, "items");
        if (!es_schema_needs_rewrite(items, compact))
            return json_incref(value);
        json_t *out = json_array();
        size_t i;
        json_t *item;
        if (!out)
            return NULL;
        json_array_foreach(value, i, item) {
            if (json_array_append_new(out, es_value_rewrite(items, item, compact)) != 0) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    if (strcmp(type, "map") == 0)
        return es_rewrite_map(schema, value, compact);
    return json_incref(value);
}

/* ---- @timestamp --------------------------------------------------------------------------- */

/* The @timestamp a data stream document gets: a new JSON value, or NULL when none applies (no
 * configured field present) or the value already holds it unchanged. */
static json_t *es_timestamp_value(const es_value_options *options, const ferry_record *record,
                                  json_t *object, bool *replace)
{
    *replace = json_object_get(object, ES_TIMESTAMP_FIELD) != NULL;
    if (!options->timestamp_fields || !options->timestamp_fields[0])
        return json_integer(record->timestamp_ms);
    for (size_t i = 0; options->timestamp_fields[i]; i++) {
        const char *name = options->timestamp_fields[i];
        json_t *field = json_object_get(object, name);
        if (!field)
            continue;
        if (strcmp(name, ES_TIMESTAMP_FIELD) == 0)
            return NULL; /* already there */
        if (json_is_string(field))
            return json_incref(field);
        /* Confluent takes the field as text. */
        char *text = json_dumps(field, JSON_COMPACT | JSON_ENCODE_ANY);
        json_t *value = text ? json_string(text) : NULL;
        free(text);
        return value;
    }
    return NULL;
}

/* Inserts "@timestamp":<value> as the first member of the object in bytes. */
static void es_append_with_timestamp(strbuf *out, const char *bytes, size_t len,
                                     json_t *timestamp)
{
    const char *brace = memchr(bytes, '{', len);
    size_t head = brace ? (size_t)(brace - bytes) + 1 : 0;
    strbuf_append(out, bytes, head);
    strbuf_append_literal(out, "\"" ES_TIMESTAMP_FIELD "\":");
    char *text = json_dumps(timestamp, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) {
        out->failed = true;
        return;
    }
    strbuf_append_str(out, text);
    free(text);
    size_t rest = head;
    while (rest < len && strchr(" \t\r\n", bytes[rest]))
        rest++;
    if (rest < len && bytes[rest] != '}')
        strbuf_append_char(out, ',');
    strbuf_append(out, bytes + head, len - head);
}

/* ---- documents ---------------------------------------------------------------------------- */

/* Appends JSON text, line breaks between tokens turned into spaces (only whitespace can hold
 * them in valid JSON). */
static void es_append_one_line(strbuf *out, const char *bytes, size_t len, bool newlines)
{
    size_t start = out->len;
    strbuf_append(out, bytes, len);
    if (!newlines || out->failed)
        return;
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] == '\n' || out->data[i] == '\r')
            out->data[i] = ' ';
}

static int es_append_json(strbuf *out, json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT);
    if (!text) {
        out->failed = true;
        return -1;
    }
    strbuf_append_str(out, text);
    free(text);
    return 0;
}

/* Whether text the host checked is an object, and on more than one line: its first byte and a
 * look for line breaks (only whitespace can hold them in valid JSON), not a second check. */
static bool es_checked_text_is_object(const char *bytes, size_t len, bool *newlines)
{
    size_t at = 0;
    while (at < len && (bytes[at] == ' ' || bytes[at] == '\t' || bytes[at] == '\r' ||
                        bytes[at] == '\n'))
        at++;
    *newlines = memchr(bytes, '\n', len) || memchr(bytes, '\r', len);
    return at < len && bytes[at] == '{';
}

static int es_not_an_object(const char *what, char *why, size_t whylen)
{
    ferry_error_set(why, whylen, "value is not a JSON object%s%s; Elasticsearch documents are "
                    "objects", what ? " " : "", what ? what : "");
    return -1;
}

int es_value_append(const es_value_options *options, const ferry_record *record, strbuf *out,
                    char *why, size_t whylen)
{
    const ferry_data *value = &record->value;
    const char *bytes = value->data;
    size_t len = bytes ? value->len : 0;
    json_t *parsed = NULL; /* our own reference, when we had to parse */
    json_t *json = NULL;   /* the value as JSON, when known */
    bool newlines = false;
    int rc = -1;

    if (value->kind == FERRY_DATA_JSON && !value->json && bytes) {
        /* Text the host checked (FERRY_SINK_JSON_TEXT): no tree, no schema. */
        if (!es_checked_text_is_object(bytes, len, &newlines)) {
            es_not_an_object("(a JSON array or scalar)", why, whylen);
            goto done;
        }
    } else if (value->kind == FERRY_DATA_JSON) {
        json = value->json;
        bool rewrite = options->use_schema && value->schema &&
                       es_schema_needs_rewrite(value->schema, options->compact_map_entries);
        if (rewrite) {
            parsed = es_value_rewrite(value->schema, json, options->compact_map_entries);
            if (!parsed) {
                out->failed = true;
                return -1;
            }
            json = parsed;
            bytes = NULL;
        }
        if (!json_is_object(json)) {
            es_not_an_object(json_is_array(json) ? "(a JSON array)" : json_is_string(json)
                             ? "(a JSON string)" : "(a JSON scalar)", why, whylen);
            goto done;
        }
        if (bytes)
            newlines = memchr(bytes, '\n', len) || memchr(bytes, '\r', len);
    } else if (value->kind == FERRY_DATA_STRING || value->kind == FERRY_DATA_BYTES) {
        uint32_t shape = 0;
        char problem[128];
        if (es_host->json_check(bytes, len, &shape, problem, sizeof(problem)) != FERRY_OK) {
            ferry_error_set(why, whylen, "value is not a JSON object: %s", problem);
            goto done;
        }
        if (!(shape & FERRY_JSON_OBJECT)) {
            es_not_an_object(NULL, why, whylen);
            goto done;
        }
        newlines = shape & FERRY_JSON_NEWLINES;
    } else {
        ferry_error_set(why, whylen, "value is null");
        goto done;
    }
    /* A data stream document may need its @timestamp from a field: a tree of the text. Valid
     * JSON jansson cannot hold (an integer beyond 64 bits) is the record's problem. */
    if (options->data_stream && !json) {
        json_error_t error;
        json = parsed = json_loadb(bytes, len, JSON_DECODE_ANY, &error);
        if (!parsed && json_error_code(&error) == json_error_out_of_memory) {
            out->failed = true;
            return -1;
        }
        if (!parsed) {
            ferry_error_set(why, whylen, "value cannot be read for its @timestamp: %s",
                            error.text);
            goto done;
        }
    }

    if (options->data_stream) {
        bool replace = false;
        json_t *timestamp = es_timestamp_value(options, record, json, &replace);
        if (timestamp && (replace || !bytes)) {
            json_t *copy = json_copy(json);
            if (!copy || json_object_set_new(copy, ES_TIMESTAMP_FIELD, timestamp) != 0) {
                json_decref(copy);
                out->failed = true;
                goto done;
            }
            rc = es_append_json(out, copy);
            json_decref(copy);
            goto done;
        }
        if (timestamp) {
            size_t start = out->len;
            es_append_with_timestamp(out, bytes, len, timestamp);
            json_decref(timestamp);
            if (newlines && !out->failed)
                for (size_t i = start; i < out->len; i++)
                    if (out->data[i] == '\n' || out->data[i] == '\r')
                        out->data[i] = ' ';
            rc = out->failed ? -1 : 0;
            goto done;
        }
    }
    if (bytes)
        es_append_one_line(out, bytes, len, newlines);
    else
        es_append_json(out, json);
    rc = out->failed ? -1 : 0;
done:
    json_decref(parsed);
    return rc;
}
