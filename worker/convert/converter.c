/*
 * converter.c - Kafka Connect's JsonConverter, StringConverter and ByteArrayConverter.
 *
 * The serialise side is the hot path of every source task, so it never builds a json_t and never
 * allocates once the task's buffer has grown: strings are escaped straight into the buffer, bytes
 * are base64-encoded into it, and structured values are written by a small dumper of our own
 * (jansson's json_dump_callback allocates a loop-detection table on every call). The output
 * follows what Kafka's JsonConverter (Jackson) writes: compact, object fields in insertion order,
 * "schema" before "payload", control characters as \b \t \n \f \r or \u00XX with upper-case hex,
 * everything else (U+2028 included) passed through as UTF-8.
 */
#include "convert/converter.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_validate.h"
#include "convert/json_syntax.h"

#define CONVERTER_JSON_CLASS "org.apache.kafka.connect.json.JsonConverter"
#define CONVERTER_STRING_CLASS "org.apache.kafka.connect.storage.StringConverter"
#define CONVERTER_BYTE_ARRAY_CLASS "org.apache.kafka.connect.converters.ByteArrayConverter"

/* jansson's parser stops at this depth too; a value built by a plugin may be deeper, or even
 * contain itself, and the dumper must not recurse without end. */
#define CONVERTER_MAX_DEPTH 2048

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
    bool json_text;      /* JSON without schemas: values checked and handed as text, no tree */
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
};

/* Handed out for an empty string or byte array whose data pointer is NULL: a NULL result would
 * turn an empty value into a Kafka null (a tombstone). */
static const char converter_empty[1] = "";

/* ------------------------------------------------------------------------------------------ */
/* Kinds and construction                                                                     */

int converter_kind_parse(const char *name, converter_kind *kind)
{
    if (!name)
        return -1;
    /* Properties files and REST bodies can leave blanks around a class name. */
    while (isspace((unsigned char)*name))
        name++;
    size_t len = strlen(name);
    while (len > 0 && isspace((unsigned char)name[len - 1]))
        len--;
    for (size_t i = 0; i < sizeof(converter_aliases) / sizeof(converter_aliases[0]); i++) {
        if (strlen(converter_aliases[i].name) == len &&
            strncasecmp(converter_aliases[i].name, name, len) == 0) {
            *kind = converter_aliases[i].kind;
            return 0;
        }
    }
    return -1;
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
    while (isspace((unsigned char)*value))
        value++;
    size_t len = strlen(value);
    while (len > 0 && isspace((unsigned char)value[len - 1]))
        len--;
    /* Java's names for the charset: the canonical "UTF-8" and its alias "UTF8". */
    if ((len == 5 && strncasecmp(value, "UTF-8", 5) == 0) ||
        (len == 4 && strncasecmp(value, "UTF8", 4) == 0))
        return 0;
    ferry_error_set(err, errlen, "%s.%s: unsupported encoding '%s' (only UTF-8 is supported)",
                    converter_prefix(is_key), key, config_map_get(settings, key));
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
    conv->schemas_enable = true; /* Kafka's JsonConverter default */

    if (!settings)
        return conv;

    if (kind == CONVERTER_JSON) {
        const char *value = config_map_get(settings, "schemas.enable");
        char why[128];
        if (value && config_value_parse_bool(value, &conv->schemas_enable, why, sizeof(why)) != 0) {
            ferry_error_set(err, errlen, "%s.schemas.enable: invalid value '%s' (%s)",
                            converter_prefix(is_key), value, why);
            goto fail;
        }
    } else if (kind == CONVERTER_STRING) {
        if (converter_check_encoding(settings, "converter.encoding", is_key, err, errlen) != 0 ||
            converter_check_encoding(settings, "encoding", is_key, err, errlen) != 0)
            goto fail;
    }
    return conv;

fail:
    converter_destroy(conv);
    return NULL;
}

void converter_destroy(converter *conv)
{
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

/* ------------------------------------------------------------------------------------------ */
/* Structured values                                                                          */

/* The shortest of %.15g, %.16g and %.17g that reads back as the same double (what Jackson and
 * most JSON writers print), with ".0" added to an integral value so that it stays a real. */
static int converter_write_real(strbuf *buffer, double value)
{
    char text[40];
    int n = 0;
    for (int precision = 15; precision <= 17; precision++) {
        n = snprintf(text, sizeof(text), "%.*g", precision, value);
        if (n < 0 || (size_t)n >= sizeof(text))
            return -1;
        if (strtod(text, NULL) == value)
            break;
    }
    if (!strpbrk(text, ".eEni")) { /* "ni": inf and nan, which jansson refuses to hold anyway */
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    strbuf_append(buffer, text, (size_t)n);
    return 0;
}

/* Appends value; -1 only when it is nested too deep. Running out of memory shows in the
 * buffer (strbuf_failed), checked once when the whole text is written. */
static int converter_write_json(strbuf *buffer, const json_t *value, int depth)
{
    if (depth > CONVERTER_MAX_DEPTH)
        return -1;

    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        strbuf_append_char(buffer, '{');
        /* jansson keeps insertion order, which is what a Connect struct's field order needs. */
        void *iter = json_object_iter((json_t *)value);
        for (; iter; iter = json_object_iter_next((json_t *)value, iter)) {
            key = json_object_iter_key(iter);
            member = json_object_iter_value(iter);
#if JANSSON_VERSION_HEX >= 0x020e00
            size_t key_len = json_object_iter_key_len(iter);
#else
            size_t key_len = strlen(key);
#endif
            if (!first)
                strbuf_append_char(buffer, ',');
            first = false;
            strbuf_append_json_string(buffer, key, key_len);
            strbuf_append_char(buffer, ':');
            if (converter_write_json(buffer, member, depth + 1) != 0)
                return -1;
        }
        strbuf_append_char(buffer, '}');
        return 0;
    }
    case JSON_ARRAY: {
        strbuf_append_char(buffer, '[');
        for (size_t i = 0; i < json_array_size(value); i++) {
            if (i > 0)
                strbuf_append_char(buffer, ',');
            if (converter_write_json(buffer, json_array_get(value, i), depth + 1) != 0)
                return -1;
        }
        strbuf_append_char(buffer, ']');
        return 0;
    }
    case JSON_STRING:
        strbuf_append_json_string(buffer, json_string_value(value), json_string_length(value));
        return 0;
    case JSON_INTEGER:
        strbuf_append_int(buffer, json_integer_value(value));
        return 0;
    case JSON_REAL:
        return converter_write_real(buffer, json_real_value(value));
    case JSON_TRUE:
        strbuf_append_literal(buffer, "true");
        return 0;
    case JSON_FALSE:
        strbuf_append_literal(buffer, "false");
        return 0;
    case JSON_NULL:
        strbuf_append_literal(buffer, "null");
        return 0;
    }
    return -1;
}

/* A structured value's JSON text: the bytes it was parsed from when it still has them (a sink
 * forwarding what it read, or a big number jansson could not hold exactly), else our dump. */
static int converter_write_structured(strbuf *buffer, const ferry_data *data)
{
    if (data->data) {
        strbuf_append(buffer, data->data, data->len);
        return 0;
    }
    if (!data->json)
        return -1;
    return converter_write_json(buffer, data->json, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Serialise                                                                                  */

static void converter_point_at(const ferry_data *data, const void **bytes, size_t *len)
{
    *bytes = data->data ? data->data : converter_empty;
    *len = data->data ? data->len : 0;
}

static int converter_serialize_json(const converter *conv, const char *topic,
                                    const ferry_data *data, strbuf *buffer, char *err,
                                    size_t errlen)
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
            strbuf_append_literal(buffer, "{\"schema\":" CONVERTER_STRING_SCHEMA ",\"payload\":");
            break;
        case FERRY_DATA_BYTES:
            strbuf_append_literal(buffer, "{\"schema\":" CONVERTER_BYTES_SCHEMA ",\"payload\":");
            break;
        default:
            strbuf_append_literal(buffer, "{\"schema\":");
            if (data->schema)
                rc = converter_write_json(buffer, data->schema, 0);
            else
                strbuf_append_literal(buffer, "null");
            strbuf_append_literal(buffer, ",\"payload\":");
            break;
        }
        if (rc != 0)
            goto fail;
    }

    switch (data->kind) {
    case FERRY_DATA_STRING:
        strbuf_append_json_string(buffer, data->data, data->data ? data->len : 0);
        break;
    case FERRY_DATA_BYTES:
        /* As Kafka's JsonConverter writes a bytes value: a string of its base64. */
        strbuf_append_char(buffer, '"');
        strbuf_append_base64(buffer, data->data, data->data ? data->len : 0);
        strbuf_append_char(buffer, '"');
        break;
    default:
        rc = converter_write_structured(buffer, data);
        break;
    }
    if (conv->schemas_enable)
        strbuf_append_char(buffer, '}');
    if (rc != 0 || strbuf_failed(buffer))
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

int converter_serialize(const converter *conv, const char *topic, const ferry_data *data,
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
        if (converter_write_structured(buffer, data) != 0 || strbuf_failed(buffer)) {
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
