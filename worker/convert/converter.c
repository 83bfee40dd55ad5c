/*
 * converter.c - Kafka Connect's JsonConverter, StringConverter and ByteArrayConverter.
 *
 * The serialise side is the hot path of every source task, so it never builds a json_t and never
 * allocates once the task's buffer has grown: strings are escaped straight into the buffer, bytes
 * are base64-encoded into it, and structured values and their schemas are written by writers of
 * our own (json_writer.c, connect_json.c). The output is byte for byte what Kafka's JsonConverter
 * writes for the same data: "schema" before "payload", the schema in Kafka's names and key order,
 * the payload under its schema, Jackson's escaping and Java's numbers. */
#include "convert/converter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_validate.h"
#include "convert/connect_json.h"
#include "convert/json_syntax.h"
#include "convert/json_writer.h"
#include "convert/schema_text_cache.h"

#define CONVERTER_JSON_CLASS "org.apache.kafka.connect.json.JsonConverter"
#define CONVERTER_STRING_CLASS "org.apache.kafka.connect.storage.StringConverter"
#define CONVERTER_BYTE_ARRAY_CLASS "org.apache.kafka.connect.converters.ByteArrayConverter"

#define CONVERTER_MAX_DEPTH JSON_WRITER_MAX_DEPTH

#define CONVERTER_STRING_SCHEMA "{\"type\":\"string\",\"optional\":false}"
#define CONVERTER_BYTES_SCHEMA "{\"type\":\"bytes\",\"optional\":false}"

/* Kafka's own words, so that users who search for them find Kafka's documentation. */
#define CONVERTER_ENVELOPE_ERROR                                                                   \
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "    \
    "contain additional fields. If you are trying to deserialize plain JSON data, set "            \
    "schemas.enable=false in your converter configuration."

struct converter {
    converter_kind kind;
    bool is_key;
    bool schemas_enable; /* JSON only */
    bool replace_null_with_default; /* JSON: a null under a schema with a default is written as it */
    bool json_text;      /* JSON without schemas: values checked and handed as text, no tree */
    schema_text_cache *schema_texts; /* JSON with schemas: each schema's text, written once */
};

typedef struct converter_alias {
    const char *name;
    converter_kind kind;
} converter_alias;

static const converter_alias converter_aliases[] = {
    {"json", CONVERTER_JSON},
    {"string", CONVERTER_STRING},
    {"bytearray", CONVERTER_BYTE_ARRAY},
    {CONVERTER_JSON_CLASS, CONVERTER_JSON},
    {CONVERTER_STRING_CLASS, CONVERTER_STRING},
    {CONVERTER_BYTE_ARRAY_CLASS, CONVERTER_BYTE_ARRAY},
    {"JsonConverter", CONVERTER_JSON},
    {"StringConverter", CONVERTER_STRING},
    {"ByteArrayConverter", CONVERTER_BYTE_ARRAY},
};

/* Handed out for an empty string or byte array whose data pointer is NULL: a NULL result would
 * turn an empty value into a Kafka null (a tombstone). */
static const char converter_empty[1] = "";

/* ------------------------------------------------------------------------------------------ */
/* Kinds and construction                                                                     */

/* Whether a class name or a setting's value is word, without case and blanks around it
 * (properties files and REST bodies can leave blanks; Kafka's ConfigDef trims values and its
 * case-insensitive validators compare them so). */
static bool converter_setting_is(const char *value, const char *word)
{
    while (isspace((unsigned char)*value))
        value++;
    size_t len = strlen(value);
    while (len > 0 && isspace((unsigned char)value[len - 1]))
        len--;
    return len == strlen(word) && strncasecmp(value, word, len) == 0;
}

int converter_kind_parse(const char *name, converter_kind *kind)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < sizeof(converter_aliases) / sizeof(converter_aliases[0]); i++) {
        if (converter_setting_is(name, converter_aliases[i].name)) {
            *kind = converter_aliases[i].kind;
            return 0;
        }
    }
    return -1;
}

size_t converter_config_validate(const config_map *config, config_errors *errors)
{
    static const char *const keys[] = {"key.converter", "value.converter", "header.converter"};
    size_t problems = 0;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *value = config_map_get(config, keys[i]);
        converter_kind kind;
        if (!value || value[strspn(value, " \t\r\n\f\v")] == '\0' ||
            converter_kind_parse(value, &kind) == 0)
            continue;
        if (i == 2 && (converter_setting_is(value, CONVERTER_SIMPLE_HEADER_CLASS) ||
                       converter_setting_is(value, "SimpleHeaderConverter")))
            continue;
        config_errors_add(errors, keys[i],
                          "Invalid value %s for configuration %s: Class %s could not be found.",
                          value, keys[i], value);
        problems++;
    }
    return problems;
}

static const char *converter_prefix(bool is_key)
{
    return is_key ? "key.converter" : "value.converter";
}

/* Only UTF-8: ferry strings are UTF-8 throughout, and recoding would cost a copy per record. */
static int converter_check_encoding(const config_map *settings, const char *key, bool is_key,
                                    char *err, size_t errlen)
{
    const char *value = config_map_get(settings, key);
    if (!value)
        return 0;
    /* Java's names for the charset: the canonical "UTF-8" and its alias "UTF8". */
    if (converter_setting_is(value, "UTF-8") || converter_setting_is(value, "UTF8"))
        return 0;
    ferry_error_set(err, errlen, "%s.%s: unsupported encoding '%s' (only UTF-8 is supported)",
                    converter_prefix(is_key), key, config_map_get(settings, key));
    return -1;
}

/* A JsonConverter boolean: *value is left alone when the key is not set. */
static int converter_setting_bool(const config_map *settings, const char *key, bool is_key,
                                  bool *value, char *err, size_t errlen)
{
    const char *text = config_map_get(settings, key);
    char why[128];
    if (text && config_value_parse_bool(text, value, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "%s.%s: invalid value '%s' (%s)", converter_prefix(is_key),
                        key, text, why);
        return -1;
    }
    return 0;
}

/* schemas.cache.size, Kafka's bound on JsonConverter's schema caches (1000 by default): 0 turns
 * ferry's off, any other value gives the SCHEMA_TEXT_CACHE_MAX entries ferry keeps at most. */
static int converter_setting_cache_size(const config_map *settings, bool is_key, size_t *size,
                                        char *err, size_t errlen)
{
    const char *text = config_map_get(settings, "schemas.cache.size");
    int64_t value;
    char why[128];
    if (!text)
        return 0;
    if (config_value_parse_int(text, 0, INT32_MAX, &value, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "%s.schemas.cache.size: invalid value '%s' (%s)",
                        converter_prefix(is_key), text, why);
        return -1;
    }
    *size = (size_t)value;
    return 0;
}

/* Decimals are written as Kafka's default writes them, base64; NUMERIC would need them written
 * as JSON numbers, which this converter does not do, so it says so rather than ignore it. */
static int converter_check_decimal_format(const config_map *settings, bool is_key, char *err,
                                          size_t errlen)
{
    const char *value = config_map_get(settings, "decimal.format");
    if (!value || converter_setting_is(value, "BASE64"))
        return 0;
    if (converter_setting_is(value, "NUMERIC"))
        ferry_error_set(err, errlen,
                        "%s.decimal.format: NUMERIC is not supported (decimals are written as "
                        "BASE64)",
                        converter_prefix(is_key));
    else
        ferry_error_set(err, errlen,
                        "%s.decimal.format: invalid value '%s' (expected BASE64 or NUMERIC)",
                        converter_prefix(is_key), value);
    return -1;
}

converter *converter_new(const char *class_name, const config_map *settings, bool is_key,
                         char *err, size_t errlen)
{
    converter *conv = NULL;
    converter_kind kind;

    if (!class_name || converter_kind_parse(class_name, &kind) != 0) {
        ferry_error_set(err, errlen,
                        "%s: unknown converter class '%s' (expected " CONVERTER_JSON_CLASS
                        ", " CONVERTER_STRING_CLASS ", " CONVERTER_BYTE_ARRAY_CLASS
                        " or one of json, string, bytearray)",
                        converter_prefix(is_key), class_name ? class_name : "");
        goto fail;
    }

    conv = calloc(1, sizeof(*conv));
    if (!conv) {
        ferry_error_set(err, errlen, "%s: out of memory", converter_prefix(is_key));
        goto fail;
    }
    conv->kind = kind;
    conv->is_key = is_key;
    conv->schemas_enable = true; /* Kafka's JsonConverter defaults */
    conv->replace_null_with_default = true;
    size_t schema_cache_size = SCHEMA_TEXT_CACHE_MAX;

    if (kind == CONVERTER_JSON && settings) {
        if (converter_setting_bool(settings, "schemas.enable", is_key, &conv->schemas_enable, err,
                                   errlen) != 0 ||
            converter_setting_bool(settings, "replace.null.with.default", is_key,
                                   &conv->replace_null_with_default, err, errlen) != 0 ||
            converter_setting_cache_size(settings, is_key, &schema_cache_size, err, errlen) != 0 ||
            converter_check_decimal_format(settings, is_key, err, errlen) != 0)
            goto fail;
    } else if (kind == CONVERTER_STRING && settings) {
        if (converter_check_encoding(settings, "converter.encoding", is_key, err, errlen) != 0 ||
            converter_check_encoding(settings, "encoding", is_key, err, errlen) != 0)
            goto fail;
    }
    if (kind == CONVERTER_JSON && conv->schemas_enable) {
        conv->schema_texts = schema_text_cache_new(schema_cache_size);
        if (!conv->schema_texts) {
            ferry_error_set(err, errlen, "%s: out of memory", converter_prefix(is_key));
            goto fail;
        }
    }
    return conv;

fail:
    converter_destroy(conv);
    return NULL;
}

void converter_destroy(converter *conv)
{
    if (!conv)
        return;
    schema_text_cache_destroy(conv->schema_texts);
    free(conv);
}

bool converter_json_text_enable(converter *conv)
{
    if (conv->kind != CONVERTER_JSON || conv->schemas_enable)
        return false;
    conv->json_text = true;
    return true;
}

converter_kind converter_get_kind(const converter *conv)
{
    return conv->kind;
}

const char *converter_class_name(const converter *conv)
{
    switch (conv->kind) {
    case CONVERTER_JSON:
        return CONVERTER_JSON_CLASS;
    case CONVERTER_STRING:
        return CONVERTER_STRING_CLASS;
    case CONVERTER_BYTE_ARRAY:
        return CONVERTER_BYTE_ARRAY_CLASS;
    }
    return "unknown";
}

/* A structured value's JSON text: the bytes it was parsed from when it still has them (a sink
 * forwarding what it read, or a big number jansson could not hold exactly), else the value as
 * Kafka's JsonConverter writes it under its schema (schema NULL: without one). */
static int converter_write_structured(strbuf *buffer, const ferry_data *data,
                                      const json_t *schema, bool replace_null_with_default)
{
    if (data->data)
        return json_writer_append(buffer, data->data, data->len);
    if (!data->json)
        return -1;
    return connect_json_write_value(buffer, schema, data->json, replace_null_with_default);
}

/* ------------------------------------------------------------------------------------------ */
/* Serialise                                                                                  */

static void converter_point_at(const ferry_data *data, const void **bytes, size_t *len)
{
    *bytes = data->data ? data->data : converter_empty;
    *len = data->data ? data->len : 0;
}

/* The schema's text, from the cache when this converter wrote it before: PostgresCdcSource's
 * envelope schema of a few kilobytes comes with each of its table's events, and writing it is
 * most of the work of writing the event. A schema that failed to write (a default its type
 * refuses) is not cached, so each of its records fails alike. */
static int converter_write_schema(converter *conv, strbuf *buffer, json_t *schema)
{
    size_t len;
    const char *text = schema ? schema_text_cache_get(conv->schema_texts, schema, &len) : NULL;
    if (text)
        return json_writer_append(buffer, text, len);
    size_t start = buffer->len;
    int rc = connect_json_write_schema(buffer, schema, conv->replace_null_with_default);
    if (rc == 0 && schema &&
        schema_text_cache_put(conv->schema_texts, schema, buffer->data + start,
                              buffer->len - start) != 0)
        rc = -1;
    return rc;
}

static int converter_serialize_json(converter *conv, const char *topic,
                                    const ferry_data *data, strbuf *buffer,
                                    char *err, size_t errlen)
{
    int rc = 0;

    if (data->kind == FERRY_DATA_JSON && !data->data && !data->json) {
        ferry_error_set(err, errlen, "structured %s of topic %s has no JSON value",
                        conv->is_key ? "key" : "value", topic);
        return -1;
    }

    if (conv->schemas_enable) {
        switch (data->kind) {
        case FERRY_DATA_STRING:
            rc = json_writer_append_literal(buffer, "{\"schema\":" CONVERTER_STRING_SCHEMA
                                                    ",\"payload\":");
            break;
        case FERRY_DATA_BYTES:
            rc = json_writer_append_literal(buffer, "{\"schema\":" CONVERTER_BYTES_SCHEMA
                                                    ",\"payload\":");
            break;
        default:
            rc = json_writer_append_literal(buffer, "{\"schema\":");
            if (rc == 0)
                rc = converter_write_schema(conv, buffer, data->schema);
            if (rc == 0)
                rc = json_writer_append_literal(buffer, ",\"payload\":");
            break;
        }
        if (rc != 0)
            goto refused; /* the schema's default values are written under it too */
    }

    switch (data->kind) {
    case FERRY_DATA_STRING:
        rc = json_writer_string(buffer, data->data, data->data ? data->len : 0);
        break;
    case FERRY_DATA_BYTES:
        rc = json_writer_base64(buffer, data->data, data->data ? data->len : 0);
        break;
    default:
        /* Without the envelope too: Kafka writes the payload under its schema either way. */
        rc = converter_write_structured(buffer, data, data->schema,
                                        conv->replace_null_with_default);
        break;
    }
refused:
    if (rc == CONNECT_JSON_REQUIRED_NULL) {
        ferry_error_set(err, errlen, "Conversion error: null value for field that is required "
                        "and has no default value (the %s of topic %s)",
                        conv->is_key ? "key" : "value", topic);
        return -1;
    }
    if (rc == CONNECT_JSON_LOGICAL_MISMATCH) {
        ferry_error_set(err, errlen, "Invalid type for a logical type: the %s of topic %s has a "
                        "Decimal, Date, Time or Timestamp schema over another base type, which "
                        "Kafka's JsonConverter cannot write",
                        conv->is_key ? "key" : "value", topic);
        return -1;
    }
    if (rc == CONNECT_JSON_BAD_FIELD) {
        ferry_error_set(err, errlen, "Cannot create field because of field name duplication: "
                        "the %s of topic %s has a struct schema with a field name used twice",
                        conv->is_key ? "key" : "value", topic);
        return -1;
    }
    if (rc == 0 && conv->schemas_enable)
        rc = json_writer_append_literal(buffer, "}");
    if (rc != 0)
        goto fail;
    return 0;

fail:
    /* Out of memory, or a value nested too deep (or containing itself) to write. */
    ferry_error_set(err, errlen,
                    "JsonConverter could not serialise the %s of topic %s: out of memory or "
                    "nested deeper than %d levels",
                    conv->is_key ? "key" : "value", topic, CONVERTER_MAX_DEPTH);
    return -1;
}

int converter_serialize(converter *conv, const char *topic, const ferry_data *data,
                        strbuf *buffer, const void **bytes, size_t *len, char *err,
                        size_t errlen)
{
    if (!topic)
        topic = "(none)";
    *bytes = NULL;
    *len = 0;

    switch (data->kind) {
    case FERRY_DATA_NULL:
        return 0;
    case FERRY_DATA_BYTES:
    case FERRY_DATA_STRING:
    case FERRY_DATA_JSON:
        break;
    default:
        ferry_error_set(err, errlen, "%s of topic %s has an unknown data kind %d",
                        conv->is_key ? "key" : "value", topic, (int)data->kind);
        return -1;
    }

    /* Kafka's JsonConverter writes a null value without a schema as a Kafka null, whatever
     * schemas.enable says; the other converters do the same for any null. */
    if (data->kind == FERRY_DATA_JSON && !data->data && data->json && json_is_null(data->json) &&
        (!data->schema || conv->kind != CONVERTER_JSON))
        return 0;

    /* Kafka's StringConverter writes a String as its characters (value.toString()): a
     * transform that extracted a string field hands a JSON string. */
    if (conv->kind == CONVERTER_STRING && data->kind == FERRY_DATA_JSON &&
        json_is_string(data->json)) {
        *bytes = json_string_value(data->json);
        *len = json_string_length(data->json);
        return 0;
    }

    /* A structured value that still has its JSON text goes out as that text, without a copy,
     * wherever no envelope has to be written around it. */
    if (data->kind == FERRY_DATA_JSON && data->data &&
        (conv->kind == CONVERTER_STRING ||
         (conv->kind == CONVERTER_JSON && !conv->schemas_enable))) {
        converter_point_at(data, bytes, len);
        return 0;
    }

    switch (conv->kind) {
    case CONVERTER_STRING:
        if (data->kind != FERRY_DATA_JSON) {
            converter_point_at(data, bytes, len);
            return 0;
        }
        strbuf_reset(buffer);
        if (!data->data && !data->json) {
            ferry_error_set(err, errlen, "structured %s of topic %s has no JSON value",
                            conv->is_key ? "key" : "value", topic);
            return -1;
        }
        if (converter_write_structured(buffer, data, NULL, false) != 0) {
            ferry_error_set(err, errlen,
                            "StringConverter could not serialise the %s of topic %s: out of "
                            "memory or nested deeper than %d levels",
                            conv->is_key ? "key" : "value", topic, CONVERTER_MAX_DEPTH);
            return -1;
        }
        break;
    case CONVERTER_BYTE_ARRAY:
        if (data->kind == FERRY_DATA_JSON) {
            ferry_error_set(err, errlen,
                            "ByteArrayConverter can only serialise bytes, not structured data "
                            "(topic %s)",
                            topic);
            return -1;
        }
        converter_point_at(data, bytes, len);
        return 0;
    case CONVERTER_JSON:
        strbuf_reset(buffer);
        if (converter_serialize_json(conv, topic, data, buffer, err, errlen) != 0)
            return -1;
        break;
    default:
        ferry_error_set(err, errlen, "unknown converter kind %d", (int)conv->kind);
        return -1;
    }

    /* A zero-length text still needs a non-NULL pointer: NULL means a Kafka null. */
    *bytes = buffer->data ? buffer->data : converter_empty;
    *len = buffer->len;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Deserialise                                                                                */

#define CONVERTER_MALFORMED_PREFIX                                                                 \
    "Converting byte[] to Kafka Connect data failed due to serialization error of topic %s: "  \
    "malformed JSON"

/* Text mode: the syntax is checked, nothing is built; the sink reads data/len. */
static int converter_deserialize_json_text(const char *topic, const void *bytes, size_t len,
                                           ferry_data *data, char *err, size_t errlen)
{
    char why[160];
    if (json_syntax_check(bytes, len, NULL, why, sizeof(why)) != FERRY_OK) {
        ferry_error_set(err, errlen, CONVERTER_MALFORMED_PREFIX " (%s)", topic, why);
        return -1;
    }
    /* Kafka's JsonConverter turns the JSON null into a null value; valid JSON that starts with
     * 'n' is that literal. */
    const char *text = bytes;
    size_t at = 0;
    while (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')
        at++;
    if (text[at] == 'n')
        return 0;
    data->kind = FERRY_DATA_JSON;
    data->data = bytes;
    data->len = len;
    return 0;
}

static int converter_deserialize_json(const converter *conv, const char *topic, const void *bytes,
                                      size_t len, ferry_data *data, char *err, size_t errlen)
{
    if (conv->json_text)
        return converter_deserialize_json_text(topic, bytes, len, data, err, errlen);
    json_error_t error;
    json_t *value = json_loadb(bytes, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!value) {
        ferry_error_set(err, errlen, CONVERTER_MALFORMED_PREFIX " at line %d, column %d: %s",
                        topic, error.line, error.column, error.text);
        return -1;
    }

    if (!conv->schemas_enable) {
        /* Kafka's JsonConverter turns the JSON null into a null value. */
        if (json_is_null(value)) {
            json_decref(value);
            return 0;
        }
        data->kind = FERRY_DATA_JSON;
        data->json = value;
        data->data = bytes;
        data->len = len;
        return 0;
    }

    json_t *schema = json_object_get(value, "schema");
    json_t *payload = json_object_get(value, "payload");
    if (!json_is_object(value) || json_object_size(value) != 2 || !schema || !payload) {
        ferry_error_set(err, errlen, "%s", CONVERTER_ENVELOPE_ERROR);
        json_decref(value);
        return -1;
    }
    /* What Kafka's JsonConverter says when it cannot read the schema. The payload is not checked
     * against the schema: sinks read it as JSON, and the check would cost a walk per record. */
    if (!json_is_null(schema) && !json_is_string(json_object_get(schema, "type"))) {
        ferry_error_set(err, errlen,
                        "Schema must contain 'type' field (topic %s: the envelope's \"schema\" "
                        "is not a Connect schema)",
                        topic);
        json_decref(value);
        return -1;
    }
    if (!json_is_null(payload)) {
        data->kind = FERRY_DATA_JSON;
        data->json = json_incref(payload);
        data->schema = json_is_null(schema) ? NULL : json_incref(schema);
    }
    json_decref(value);
    return 0;
}

int converter_deserialize(const converter *conv, const char *topic, const void *bytes,
                          size_t len, ferry_data *data, char *err, size_t errlen)
{
    if (!topic)
        topic = "(none)";
    memset(data, 0, sizeof(*data));
    if (!bytes)
        return 0;

    switch (conv->kind) {
    case CONVERTER_STRING:
        /* Not checked for UTF-8: that would cost a pass over every record, and the sinks that
         * care (JSON writers) replace bad sequences when they escape. */
        data->kind = FERRY_DATA_STRING;
        data->data = bytes;
        data->len = len;
        return 0;
    case CONVERTER_BYTE_ARRAY:
        data->kind = FERRY_DATA_BYTES;
        data->data = bytes;
        data->len = len;
        return 0;
    case CONVERTER_JSON:
        /* Kafka's JsonDeserializer reads an empty payload as null. */
        if (len == 0)
            return 0;
        return converter_deserialize_json(conv, topic, bytes, len, data, err, errlen);
    }
    ferry_error_set(err, errlen, "unknown converter kind %d", (int)conv->kind);
    return -1;
}

void converter_data_release(ferry_data *data)
{
    if (!data)
        return;
    json_decref(data->json);
    json_decref(data->schema);
    memset(data, 0, sizeof(*data));
}

void converter_data_raw(const ferry_data *data, const void **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    if (data->kind == FERRY_DATA_BYTES || data->kind == FERRY_DATA_STRING ||
        (data->kind == FERRY_DATA_JSON && data->data)) {
        *bytes = data->data;
        *len = data->len;
    }
}
