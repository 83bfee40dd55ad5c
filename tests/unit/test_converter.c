/*
 * test_converter.c - the JSON, String and ByteArray converters: class names and settings, the
 * exact bytes each writes for every kind of data (escaping, base64, the schema envelope, every
 * Connect type's schema and value as Kafka's JsonConverter writes them, defaults), what each
 * reads back, error messages, null handling, and the buffer's no-allocation reuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/converter.h"

/* Every jansson allocation goes through here, so a test can prove the serialise path makes
 * none. */
static size_t jansson_allocations;

static void *counting_malloc(size_t size)
{
    jansson_allocations++;
    return malloc(size);
}

static void counting_free(void *ptr)
{
    free(ptr);
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */

static converter *converter_of(const char *class_name, const char *schemas_enable)
{
    char err[512] = "";
    config_map *settings = NULL;
    if (schemas_enable) {
        settings = config_map_new();
        assert_non_null(settings);
        assert_int_equal(config_map_set(settings, "schemas.enable", schemas_enable), 0);
    }
    converter *conv = converter_new(class_name, settings, false, err, sizeof(err));
    if (!conv)
        fail_msg("converter_new(%s): %s", class_name, err);
    config_map_destroy(settings);
    return conv;
}

static ferry_data string_data(const char *text)
{
    return (ferry_data){.kind = FERRY_DATA_STRING, .data = text, .len = strlen(text)};
}

static ferry_data string_data_n(const char *text, size_t len)
{
    return (ferry_data){.kind = FERRY_DATA_STRING, .data = text, .len = len};
}

static ferry_data bytes_data(const void *bytes, size_t len)
{
    return (ferry_data){.kind = FERRY_DATA_BYTES, .data = bytes, .len = len};
}

/* A structured value parsed from text; the caller decrefs json and schema. */
static ferry_data json_data(const char *json_text, const char *schema_text)
{
    ferry_data data = {.kind = FERRY_DATA_JSON};
    json_error_t error;
    data.json = json_loads(json_text, JSON_DECODE_ANY, &error);
    if (!data.json)
        fail_msg("bad test JSON %s: %s", json_text, error.text);
    if (schema_text) {
        data.schema = json_loads(schema_text, 0, &error);
        if (!data.schema)
            fail_msg("bad test schema %s: %s", schema_text, error.text);
    }
    return data;
}

/* Compares bytes with expected exactly, printing both on a mismatch. */
static void assert_bytes_n(const void *bytes, size_t len, const char *expected, size_t expected_len)
{
    assert_non_null(bytes);
    if (len != expected_len || memcmp(bytes, expected, len) != 0) {
        fail_msg("got %zu bytes '%.*s', expected %zu bytes '%.*s'", len, (int)len,
                 (const char *)bytes, expected_len, (int)expected_len, expected);
    }
}

static void assert_bytes(const void *bytes, size_t len, const char *expected)
{
    assert_bytes_n(bytes, len, expected, strlen(expected));
}

/* Serialises data with conv and checks the exact output. */
static void expect_serialized_n(converter *conv, const ferry_data *data, const char *expected,
                                size_t expected_len)
{
    strbuf buffer = {0};
    const void *bytes = (const void *)1;
    size_t len = 99;
    char err[512] = "";
    if (converter_serialize(conv, "orders", data, &buffer, &bytes, &len, err, sizeof(err)) != 0)
        fail_msg("serialize failed: %s", err);
    assert_bytes_n(bytes, len, expected, expected_len);
    strbuf_free(&buffer);
}

static void expect_serialized(converter *conv, const ferry_data *data, const char *expected)
{
    expect_serialized_n(conv, data, expected, strlen(expected));
}

static void expect_serialized_null(converter *conv, const ferry_data *data)
{
    strbuf buffer = {0};
    const void *bytes = (const void *)1;
    size_t len = 99;
    char err[512] = "";
    assert_int_equal(
        converter_serialize(conv, "orders", data, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_null(bytes);
    assert_int_equal(len, 0);
    strbuf_free(&buffer);
}

static void expect_serialize_error(converter *conv, const ferry_data *data,
                                   const char *message)
{
    strbuf buffer = {0};
    const void *bytes = (const void *)1;
    size_t len = 99;
    char err[512] = "";
    assert_int_equal(
        converter_serialize(conv, "orders", data, &buffer, &bytes, &len, err, sizeof(err)), -1);
    assert_string_equal(err, message);
    assert_null(bytes);
    strbuf_free(&buffer);
}

static void expect_deserialize_error(converter *conv, const char *text, const char *message)
{
    ferry_data data = {.kind = FERRY_DATA_STRING, .data = "junk"};
    char err[512] = "";
    assert_int_equal(
        converter_deserialize(conv, "orders", text, strlen(text), &data, err, sizeof(err)), -1);
    assert_string_equal(err, message);
    /* A failed read leaves nothing to release. */
    assert_int_equal(data.kind, FERRY_DATA_NULL);
    assert_null(data.json);
    assert_null(data.schema);
    converter_data_release(&data);
}

/* A JSON string of text, with the JSON converter without schemas. */
static void expect_escaped_n(const char *text, size_t len, const char *expected)
{
    converter *conv = converter_of("json", "false");
    ferry_data data = string_data_n(text, len);
    expect_serialized(conv, &data, expected);
    converter_destroy(conv);
}

static void expect_escaped(const char *text, const char *expected)
{
    expect_escaped_n(text, strlen(text), expected);
}

/* ------------------------------------------------------------------------------------------ */
/* Kinds, class names and settings                                                            */

static void test_kind_parse(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        converter_kind kind;
    } cases[] = {
        {"json", CONVERTER_JSON},
        {"JSON", CONVERTER_JSON},
        {"string", CONVERTER_STRING},
        {"String", CONVERTER_STRING},
        {"bytearray", CONVERTER_BYTE_ARRAY},
        {"ByteArray", CONVERTER_BYTE_ARRAY},
        {"org.apache.kafka.connect.json.JsonConverter", CONVERTER_JSON},
        {"ORG.APACHE.KAFKA.CONNECT.JSON.JSONCONVERTER", CONVERTER_JSON},
        {"org.apache.kafka.connect.storage.StringConverter", CONVERTER_STRING},
        {"org.apache.kafka.connect.converters.ByteArrayConverter", CONVERTER_BYTE_ARRAY},
        {"  json\t", CONVERTER_JSON},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        converter_kind kind = 0;
        assert_int_equal(converter_kind_parse(cases[i].name, &kind), 0);
        assert_int_equal(kind, cases[i].kind);
    }

    static const char *const unknown[] = {
        "", "avro", "jsonx", "io.confluent.connect.avro.AvroConverter",
        "org.apache.kafka.connect.json.JsonConverte", "org.apache.kafka.connect.storage.Converter",
    };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        converter_kind kind = 0;
        assert_int_equal(converter_kind_parse(unknown[i], &kind), -1);
        assert_int_equal(kind, 0);
    }
    converter_kind kind = 0;
    assert_int_equal(converter_kind_parse(NULL, &kind), -1);
}

static void test_new_class_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        converter_kind kind;
        const char *class_name;
    } cases[] = {
        {"json", CONVERTER_JSON, "org.apache.kafka.connect.json.JsonConverter"},
        {"org.apache.kafka.connect.json.JsonConverter", CONVERTER_JSON,
         "org.apache.kafka.connect.json.JsonConverter"},
        {"STRING", CONVERTER_STRING, "org.apache.kafka.connect.storage.StringConverter"},
        {"org.apache.kafka.connect.storage.StringConverter", CONVERTER_STRING,
         "org.apache.kafka.connect.storage.StringConverter"},
        {"bytearray", CONVERTER_BYTE_ARRAY,
         "org.apache.kafka.connect.converters.ByteArrayConverter"},
        {"org.apache.kafka.connect.converters.ByteArrayConverter", CONVERTER_BYTE_ARRAY,
         "org.apache.kafka.connect.converters.ByteArrayConverter"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[512] = "";
        converter *conv = converter_new(cases[i].name, NULL, i % 2 == 0, err, sizeof(err));
        assert_non_null(conv);
        assert_int_equal(converter_get_kind(conv), cases[i].kind);
        assert_string_equal(converter_class_name(conv), cases[i].class_name);
        converter_destroy(conv);
    }
    converter_destroy(NULL);
}

static void test_new_unknown_class(void **state)
{
    (void)state;
    char err[512] = "";
    assert_null(converter_new("io.confluent.connect.avro.AvroConverter", NULL, false, err,
                              sizeof(err)));
    assert_string_equal(err,
                        "value.converter: unknown converter class "
                        "'io.confluent.connect.avro.AvroConverter' (expected "
                        "org.apache.kafka.connect.json.JsonConverter, "
                        "org.apache.kafka.connect.storage.StringConverter, "
                        "org.apache.kafka.connect.converters.ByteArrayConverter or one of json, "
                        "string, bytearray)");
    assert_null(converter_new(NULL, NULL, true, err, sizeof(err)));
    assert_string_equal(err,
                        "key.converter: unknown converter class '' (expected "
                        "org.apache.kafka.connect.json.JsonConverter, "
                        "org.apache.kafka.connect.storage.StringConverter, "
                        "org.apache.kafka.connect.converters.ByteArrayConverter or one of json, "
                        "string, bytearray)");
}

static void test_new_schemas_enable(void **state)
{
    (void)state;
    char err[512] = "";
    config_map *settings = config_map_new();
    assert_non_null(settings);

    /* Default: true, as Kafka's JsonConverter. */
    converter *conv = converter_new("json", settings, false, err, sizeof(err));
    assert_non_null(conv);
    ferry_data data = string_data("x");
    expect_serialized(conv, &data, "{\"schema\":{\"type\":\"string\",\"optional\":false},"
                                   "\"payload\":\"x\"}");
    converter_destroy(conv);

    assert_int_equal(config_map_set(settings, "schemas.enable", " FALSE "), 0);
    /* Keys a converter does not know are ignored, as Kafka Connect does. */
    assert_int_equal(config_map_set(settings, "schemas.cache.size", "1000"), 0);
    assert_int_equal(config_map_set(settings, "converter.type", "value"), 0);
    conv = converter_new("json", settings, false, err, sizeof(err));
    assert_non_null(conv);
    expect_serialized(conv, &data, "\"x\"");
    converter_destroy(conv);

    assert_int_equal(config_map_set(settings, "schemas.enable", "True"), 0);
    conv = converter_new("json", settings, false, err, sizeof(err));
    assert_non_null(conv);
    expect_serialized(conv, &data, "{\"schema\":{\"type\":\"string\",\"optional\":false},"
                                   "\"payload\":\"x\"}");
    converter_destroy(conv);

    assert_int_equal(config_map_set(settings, "schemas.enable", "yes"), 0);
    assert_null(converter_new("json", settings, false, err, sizeof(err)));
    assert_string_equal(err,
                        "value.converter.schemas.enable: invalid value 'yes' (expected true or "
                        "false)");
    assert_null(converter_new("org.apache.kafka.connect.json.JsonConverter", settings, true, err,
                              sizeof(err)));
    assert_string_equal(err,
                        "key.converter.schemas.enable: invalid value 'yes' (expected true or "
                        "false)");
    assert_int_equal(config_map_set(settings, "schemas.enable", ""), 0);
    assert_null(converter_new("json", settings, false, err, sizeof(err)));
    assert_string_equal(err,
                        "value.converter.schemas.enable: invalid value '' (expected true or "
                        "false)");

    /* schemas.enable belongs to the JSON converter: the others ignore it. */
    conv = converter_new("string", settings, false, err, sizeof(err));
    assert_non_null(conv);
    converter_destroy(conv);
    conv = converter_new("bytearray", settings, false, err, sizeof(err));
    assert_non_null(conv);
    converter_destroy(conv);

    config_map_destroy(settings);
}

static void test_new_json_settings(void **state)
{
    (void)state;
    char err[512] = "";
    config_map *settings = config_map_new();
    assert_non_null(settings);

    /* Kafka's other JsonConverter settings: replace.null.with.default is a boolean;
     * decimal.format BASE64 is what ferry writes, NUMERIC is refused rather than ignored. */
    static const char *const accepted[][2] = {
        {"replace.null.with.default", "false"},
        {"replace.null.with.default", " TRUE"},
        {"decimal.format", "BASE64"},
        {"decimal.format", " base64 "},
        {"schemas.cache.size", "10"},
    };
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        assert_int_equal(config_map_set(settings, accepted[i][0], accepted[i][1]), 0);
        converter *conv = converter_new("json", settings, false, err, sizeof(err));
        if (!conv)
            fail_msg("%s=%s: %s", accepted[i][0], accepted[i][1], err);
        converter_destroy(conv);
        assert_int_equal(config_map_remove(settings, accepted[i][0]), 1);
    }

    static const char *const refused[][3] = {
        {"replace.null.with.default", "maybe",
         "key.converter.replace.null.with.default: invalid value 'maybe' (expected true or "
         "false)"},
        {"decimal.format", "NUMERIC",
         "key.converter.decimal.format: NUMERIC is not supported (decimals are written as "
         "BASE64)"},
        {"decimal.format", "hex",
         "key.converter.decimal.format: invalid value 'hex' (expected BASE64 or NUMERIC)"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(config_map_set(settings, refused[i][0], refused[i][1]), 0);
        assert_null(converter_new("json", settings, true, err, sizeof(err)));
        assert_string_equal(err, refused[i][2]);
        /* They are the JSON converter's: the others ignore them. */
        converter *conv = converter_new("string", settings, true, err, sizeof(err));
        assert_non_null(conv);
        converter_destroy(conv);
        assert_int_equal(config_map_remove(settings, refused[i][0]), 1);
    }
    config_map_destroy(settings);
}

static void test_new_string_encoding(void **state)
{
    (void)state;
    static const char *const accepted[] = {"UTF-8", "utf-8", "UTF8", " utf8 "};
    char err[512] = "";
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        for (int key = 0; key < 2; key++) {
            config_map *settings = config_map_new();
            assert_non_null(settings);
            assert_int_equal(config_map_set(settings, key ? "encoding" : "converter.encoding",
                                            accepted[i]),
                             0);
            converter *conv = converter_new("string", settings, false, err, sizeof(err));
            assert_non_null(conv);
            converter_destroy(conv);
            config_map_destroy(settings);
        }
    }

    config_map *settings = config_map_new();
    assert_non_null(settings);
    assert_int_equal(config_map_set(settings, "converter.encoding", "ISO-8859-1"), 0);
    assert_null(converter_new("string", settings, false, err, sizeof(err)));
    assert_string_equal(err,
                        "value.converter.converter.encoding: unsupported encoding 'ISO-8859-1' "
                        "(only UTF-8 is supported)");
    assert_int_equal(config_map_remove(settings, "converter.encoding"), 1);
    assert_int_equal(config_map_set(settings, "encoding", "UTF-16"), 0);
    assert_null(converter_new("string", settings, true, err,
                              sizeof(err)));
    assert_string_equal(err,
                        "key.converter.encoding: unsupported encoding 'UTF-16' (only UTF-8 is "
                        "supported)");
    /* Encodings only concern the String converter. */
    converter *conv = converter_new("json", settings, false, err, sizeof(err));
    assert_non_null(conv);
    converter_destroy(conv);
    config_map_destroy(settings);
}

/* ------------------------------------------------------------------------------------------ */
/* Serialise: every converter against every kind of data                                      */

#define STRUCT_SCHEMA                                                                              \
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"   \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"},"                                 \
    "{\"type\":\"array\",\"items\":{\"type\":\"double\",\"optional\":false},\"optional\":true,"  \
    "\"field\":\"prices\"}],\"optional\":false,\"name\":\"orders.Value\"}"
#define STRUCT_PAYLOAD "{\"id\":42,\"name\":\"Ann \\\"A\\\" \\u00e9\",\"prices\":[1.5,0.1,100.0]}"
/* Our dump writes é as UTF-8, as Jackson does. */
#define STRUCT_PAYLOAD_OUT                                                                         \
    "{\"id\":42,\"name\":\"Ann \\\"A\\\" \xC3\xA9\",\"prices\":[1.5,0.1,100.0]}"

static void test_serialize_string_converter(void **state)
{
    (void)state;
    converter *conv = converter_of("string", NULL);
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char err[512] = "";

    /* Strings and bytes go out as they are, without a copy. */
    ferry_data text = string_data("caf\xC3\xA9 \"x\"");
    assert_int_equal(
        converter_serialize(conv, "orders", &text, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, text.data);
    assert_int_equal(len, text.len);
    static const unsigned char raw[] = {0x00, 0xFF, 0x10};
    ferry_data blob = bytes_data(raw, sizeof(raw));
    assert_int_equal(
        converter_serialize(conv, "orders", &blob, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, raw);
    assert_int_equal(len, 3);
    assert_null(buffer.data); /* nothing was written */

    /* An empty string is not a Kafka null. */
    ferry_data empty = {.kind = FERRY_DATA_STRING, .data = NULL, .len = 0};
    assert_int_equal(
        converter_serialize(conv, "orders", &empty, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_non_null(bytes);
    assert_int_equal(len, 0);

    /* Structured data becomes compact JSON text, fields in insertion order. */
    ferry_data structured = json_data("{\"b\": 1, \"a\": [true, null, 2.5, \"x\\ny\"]}", NULL);
    expect_serialized(conv, &structured, "{\"b\":1,\"a\":[true,null,2.5,\"x\\ny\"]}");
    json_decref(structured.json);
    /* The schema is not written. */
    structured = json_data(STRUCT_PAYLOAD, STRUCT_SCHEMA);
    expect_serialized(conv, &structured, STRUCT_PAYLOAD_OUT);
    json_decref(structured.json);
    json_decref(structured.schema);
    /* A string is written as its characters, as Kafka's StringConverter writes a String. */
    structured = json_data("\"plain\"", NULL);
    expect_serialized(conv, &structured, "plain");
    json_decref(structured.json);

    ferry_data null = {.kind = FERRY_DATA_NULL};
    expect_serialized_null(conv, &null);

    strbuf_free(&buffer);
    converter_destroy(conv);
}

static void test_serialize_byte_array_converter(void **state)
{
    (void)state;
    converter *conv = converter_of("org.apache.kafka.connect.converters.ByteArrayConverter", NULL);
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char err[512] = "";

    static const unsigned char raw[] = {0x00, 0x01, 0xFE, 0xFF};
    ferry_data blob = bytes_data(raw, sizeof(raw));
    assert_int_equal(
        converter_serialize(conv, "orders", &blob, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, raw);
    assert_int_equal(len, 4);
    ferry_data text = string_data("hello");
    assert_int_equal(
        converter_serialize(conv, "orders", &text, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, text.data);
    assert_int_equal(len, 5);
    ferry_data empty = {.kind = FERRY_DATA_BYTES, .data = NULL, .len = 0};
    assert_int_equal(
        converter_serialize(conv, "orders", &empty, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_non_null(bytes);
    assert_int_equal(len, 0);
    assert_null(buffer.data);

    ferry_data structured = json_data("{\"a\":1}", NULL);
    expect_serialize_error(conv, &structured,
                           "ByteArrayConverter can only serialise bytes, not structured data "
                           "(topic orders)");
    json_decref(structured.json);

    ferry_data null = {.kind = FERRY_DATA_NULL};
    expect_serialized_null(conv, &null);

    strbuf_free(&buffer);
    converter_destroy(conv);
}

static void test_serialize_json_without_schemas(void **state)
{
    (void)state;
    converter *conv = converter_of("json", "false");

    ferry_data text = string_data("hello \"world\"");
    expect_serialized(conv, &text, "\"hello \\\"world\\\"\"");
    ferry_data empty_text = {.kind = FERRY_DATA_STRING};
    expect_serialized(conv, &empty_text, "\"\"");
    ferry_data blob = bytes_data("hello", 5);
    expect_serialized(conv, &blob, "\"aGVsbG8=\"");
    ferry_data empty_blob = {.kind = FERRY_DATA_BYTES};
    expect_serialized(conv, &empty_blob, "\"\"");

    ferry_data structured = json_data("{\"z\":1,\"y\":{\"x\":[1,-2,3.25,false]},\"w\":null}", NULL);
    expect_serialized(conv, &structured, "{\"z\":1,\"y\":{\"x\":[1,-2,3.25,false]},\"w\":null}");
    json_decref(structured.json);
    /* Without schemas the schema is dropped, as Kafka's JsonConverter does. */
    structured = json_data(STRUCT_PAYLOAD, STRUCT_SCHEMA);
    expect_serialized(conv, &structured, STRUCT_PAYLOAD_OUT);
    json_decref(structured.json);
    json_decref(structured.schema);

    static const struct {
        const char *in;
        const char *out;
    } scalars[] = {
        {"42", "42"},
        {"-9223372036854775808", "-9223372036854775808"},
        {"true", "true"},
        {"\"\"", "\"\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {"0.1", "0.1"},
        {"100.0", "100.0"},
        {"-2.5", "-2.5"},
        {"1e20", "1.0E20"},
        {"1.7976931348623157e308", "1.7976931348623157E308"},
        {"5e-324", "4.9E-324"},
        {"0.001", "0.001"},
        {"0.000999", "9.99E-4"},
        {"9999999.5", "9999999.5"},
        {"10000000.0", "1.0E7"},
        {"-0.0", "-0.0"},
        {"{\"k\\\"ey\\n\":\"v\"}", "{\"k\\\"ey\\n\":\"v\"}"},
        {"\"\\u0001\\u2028\"", "\"\\u0001\xE2\x80\xA8\""},
    };
    for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
        ferry_data value = json_data(scalars[i].in, NULL);
        expect_serialized(conv, &value, scalars[i].out);
        json_decref(value.json);
    }

    /* A JSON null without a schema is a Kafka null, as with Kafka's JsonConverter. */
    ferry_data json_null_value = json_data("null", NULL);
    expect_serialized_null(conv, &json_null_value);
    json_decref(json_null_value.json);
    ferry_data null = {.kind = FERRY_DATA_NULL};
    expect_serialized_null(conv, &null);

    /* Structured data with neither JSON nor text is a caller's bug, reported, not a crash. */
    ferry_data nothing = {.kind = FERRY_DATA_JSON};
    expect_serialize_error(conv, &nothing, "structured value of topic orders has no JSON value");
    ferry_data bad_kind = {.kind = (ferry_data_kind)99};
    expect_serialize_error(conv, &bad_kind, "value of topic orders has an unknown data kind 99");

    converter_destroy(conv);
}

static void test_serialize_json_envelope(void **state)
{
    (void)state;
    converter *conv = converter_of("org.apache.kafka.connect.json.JsonConverter", "true");

    ferry_data text = string_data("hello \"world\"");
    expect_serialized(conv, &text,
                      "{\"schema\":{\"type\":\"string\",\"optional\":false},"
                      "\"payload\":\"hello \\\"world\\\"\"}");
    ferry_data empty_text = {.kind = FERRY_DATA_STRING};
    expect_serialized(conv, &empty_text,
                      "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"\"}");
    ferry_data blob = bytes_data("hello", 5);
    expect_serialized(conv, &blob,
                      "{\"schema\":{\"type\":\"bytes\",\"optional\":false},"
                      "\"payload\":\"aGVsbG8=\"}");

    ferry_data structured = json_data(STRUCT_PAYLOAD, STRUCT_SCHEMA);
    expect_serialized(conv, &structured,
                      "{\"schema\":" STRUCT_SCHEMA ",\"payload\":" STRUCT_PAYLOAD_OUT "}");
    json_decref(structured.json);
    json_decref(structured.schema);

    /* No schema: Kafka writes "schema":null. */
    structured = json_data("{\"a\":[1,2]}", NULL);
    expect_serialized(conv, &structured, "{\"schema\":null,\"payload\":{\"a\":[1,2]}}");
    json_decref(structured.json);

    /* A null with a schema stays an envelope; without one it is a Kafka null. */
    ferry_data null_with_schema = json_data("null", "{\"type\":\"string\",\"optional\":true}");
    expect_serialized(conv, &null_with_schema,
                      "{\"schema\":{\"type\":\"string\",\"optional\":true},\"payload\":null}");
    json_decref(null_with_schema.json);
    json_decref(null_with_schema.schema);
    ferry_data json_null_value = json_data("null", NULL);
    expect_serialized_null(conv, &json_null_value);
    json_decref(json_null_value.json);
    ferry_data null = {.kind = FERRY_DATA_NULL};
    expect_serialized_null(conv, &null);

    converter_destroy(conv);
}

/* ------------------------------------------------------------------------------------------ */
/* Kafka's schemas and the values under them                                                  */

typedef struct schema_case {
    const char *schema;      /* what a plugin handed over */
    const char *value;
    const char *schema_out;  /* what Kafka's JsonConverter writes for it */
    const char *payload_out;
} schema_case;

/* Serialises each case with conv (schemas on) and checks the envelope byte for byte. */
static void expect_schema_cases(converter *conv, const schema_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        ferry_data data = json_data(cases[i].value, cases[i].schema);
        char expected[2048];
        snprintf(expected, sizeof(expected), "{\"schema\":%s,\"payload\":%s}",
                 cases[i].schema_out, cases[i].payload_out);
        expect_serialized(conv, &data, expected);
        json_decref(data.json);
        json_decref(data.schema);
    }
}

/* The cases through a JsonConverter with its defaults (schemas on). */
static void expect_envelopes(const schema_case *cases, size_t count)
{
    converter *conv = converter_of("json", "true");
    expect_schema_cases(conv, cases, count);
    converter_destroy(conv);
}

#define DECIMAL "org.apache.kafka.connect.data.Decimal"
#define DATE "org.apache.kafka.connect.data.Date"
#define TIME "org.apache.kafka.connect.data.Time"
#define TIMESTAMP "org.apache.kafka.connect.data.Timestamp"

/* Every Connect type: Kafka's type name, "optional" always, the value as Kafka writes it for the
 * type (a FLOAT32 as Java prints the float, a FLOAT64 as Java prints the double, an integer type
 * as an integer). */
static void test_schema_every_type(void **state)
{
    (void)state;
    static const schema_case cases[] = {
        {"{\"type\":\"boolean\"}", "true", "{\"type\":\"boolean\",\"optional\":false}", "true"},
        {"{\"optional\":false,\"type\":\"int8\"}", "-128", "{\"type\":\"int8\",\"optional\":false}",
         "-128"},
        {"{\"type\":\"int16\",\"optional\":true}", "32767", "{\"type\":\"int16\",\"optional\":true}",
         "32767"},
        /* A real in an integer type is read by Kafka as its integer part. */
        {"{\"type\":\"int32\"}", "-7.9", "{\"type\":\"int32\",\"optional\":false}", "-7"},
        {"{\"type\":\"int64\"}", "9223372036854775807", "{\"type\":\"int64\",\"optional\":false}",
         "9223372036854775807"},
        /* ferry's older names are written as Kafka's. */
        {"{\"type\":\"float32\"}", "0.1", "{\"type\":\"float\",\"optional\":false}", "0.1"},
        {"{\"type\":\"float\"}", "3.4028234663852886e38", "{\"type\":\"float\",\"optional\":false}",
         "3.4028235E38"},
        {"{\"type\":\"float\"}", "16777217", "{\"type\":\"float\",\"optional\":false}",
         "1.6777216E7"},
        {"{\"type\":\"float64\"}", "1e10", "{\"type\":\"double\",\"optional\":false}", "1.0E10"},
        {"{\"type\":\"double\"}", "5", "{\"type\":\"double\",\"optional\":false}", "5.0"},
        {"{\"type\":\"double\"}", "0.30000000000000004", "{\"type\":\"double\",\"optional\":false}",
         "0.30000000000000004"},
        {"{\"type\":\"string\"}", "\"caf\\u00e9\\n\"", "{\"type\":\"string\",\"optional\":false}",
         "\"caf\xC3\xA9\\n\""},
        {"{\"type\":\"bytes\"}", "\"AAEC/w==\"", "{\"type\":\"bytes\",\"optional\":false}",
         "\"AAEC/w==\""},
        {"{\"optional\":true,\"items\":{\"type\":\"float32\",\"optional\":true},"
         "\"type\":\"array\"}", "[0.1,2,null]",
         "{\"type\":\"array\",\"items\":{\"type\":\"float\",\"optional\":true},\"optional\":true}",
         "[0.1,2.0,null]"},
        {"{\"values\":{\"type\":\"float64\"},\"keys\":{\"type\":\"string\"},\"type\":\"map\"}",
         "{\"b\":1,\"a\":2.5}",
         "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
         "\"values\":{\"type\":\"double\",\"optional\":false},\"optional\":false}",
         "{\"b\":1.0,\"a\":2.5}"},
        /* A map with keys that are not strings is an array of [key, value]. */
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":\"string\"}}",
         "[[1,\"one\"],[2.0,\"two\"]]",
         "{\"type\":\"map\",\"keys\":{\"type\":\"int32\",\"optional\":false},"
         "\"values\":{\"type\":\"string\",\"optional\":false},\"optional\":false}",
         "[[1,\"one\"],[2,\"two\"]]"},
        /* A struct's fields in the schema's order; members it does not name are left out,
         * missing ones are null. */
        {"{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"},"
         "{\"type\":\"struct\",\"field\":\"inner\",\"optional\":true,\"fields\":"
         "[{\"type\":\"float32\",\"field\":\"f\"}]},{\"type\":\"string\",\"optional\":true,"
         "\"field\":\"note\"}]}",
         "{\"inner\":{\"f\":1.5},\"extra\":true,\"id\":3}",
         "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
         "{\"type\":\"struct\",\"fields\":[{\"type\":\"float\",\"optional\":false,\"field\":\"f\"}],"
         "\"optional\":true,\"field\":\"inner\"},{\"type\":\"string\",\"optional\":true,"
         "\"field\":\"note\"}],\"optional\":false}",
         "{\"id\":3,\"inner\":{\"f\":1.5},\"note\":null}"},
        /* Logical types: Decimal is base64 bytes, Date, Time and Timestamp integers. */
        {"{\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"},\"version\":1,"
         "\"name\":\"" DECIMAL "\",\"type\":\"bytes\"}",
         "\"BNI=\"",
         "{\"type\":\"bytes\",\"optional\":false,\"name\":\"" DECIMAL "\",\"version\":1,"
         "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"}}",
         "\"BNI=\""},
        {"{\"type\":\"int32\",\"name\":\"" DATE "\",\"version\":1}", "19000",
         "{\"type\":\"int32\",\"optional\":false,\"name\":\"" DATE "\",\"version\":1}", "19000"},
        {"{\"type\":\"int32\",\"name\":\"" TIME "\",\"version\":1}", "3723000",
         "{\"type\":\"int32\",\"optional\":false,\"name\":\"" TIME "\",\"version\":1}", "3723000"},
        {"{\"type\":\"int64\",\"name\":\"" TIMESTAMP "\",\"version\":1}", "1700000000123",
         "{\"type\":\"int64\",\"optional\":false,\"name\":\"" TIMESTAMP "\",\"version\":1}",
         "1700000000123"},
    };
    expect_envelopes(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Kafka's key order, whatever order a plugin built the schema in; what Kafka would not read back
 * is left out. */
static void test_schema_members(void **state)
{
    (void)state;
    static const schema_case cases[] = {
        {"{\"doc\":\"An \\\"order\\\"\",\"parameters\":{\"b\":\"2\",\"a\":\"1\"},\"version\":3,"
         "\"name\":\"com.example.Order\",\"optional\":true,\"x-extra\":1,\"type\":\"string\"}",
         "\"x\"",
         "{\"type\":\"string\",\"optional\":true,\"name\":\"com.example.Order\",\"version\":3,"
         "\"doc\":\"An \\\"order\\\"\",\"parameters\":{\"b\":\"2\",\"a\":\"1\"}}",
         "\"x\""},
        /* A name or doc that is not a string, a version that is not an integer, empty parameters,
         * a null default, an "optional" that is not true, and a "field" outside a struct. */
        {"{\"type\":\"int32\",\"name\":7,\"doc\":null,\"version\":1.0,\"parameters\":{},"
         "\"default\":null,\"optional\":\"yes\",\"field\":\"stray\"}",
         "1", "{\"type\":\"int32\",\"optional\":false}", "1"},
        /* Kafka holds the version in a Java int. */
        {"{\"type\":\"int32\",\"version\":4294967297}", "1",
         "{\"type\":\"int32\",\"optional\":false,\"version\":1}", "1"},
        /* In a struct's field, "field" comes last, after the default. */
        {"{\"type\":\"struct\",\"name\":\"r\",\"fields\":[{\"field\":\"n\",\"default\":4,"
         "\"doc\":\"d\",\"type\":\"int8\"}]}",
         "{\"n\":1}",
         "{\"type\":\"struct\",\"fields\":[{\"type\":\"int8\",\"optional\":false,\"doc\":\"d\","
         "\"default\":4,\"field\":\"n\"}],\"optional\":false,\"name\":\"r\"}",
         "{\"n\":1}"},
    };
    expect_envelopes(cases, sizeof(cases) / sizeof(cases[0]));

    /* A schema Kafka cannot read (no type, an unknown type, not an object) is written as it is. */
    static const schema_case unknown[] = {
        {"{\"fields\":[],\"b\":1}", "{}", "{\"fields\":[],\"b\":1}", "{}"},
        {"{\"type\":\"uuid\",\"optional\":true}", "\"x\"", "{\"type\":\"uuid\",\"optional\":true}",
         "\"x\""},
        {"[\"int32\"]", "1", "[\"int32\"]", "1"},
        {"{\"type\":\"i\"}", "1", "{\"type\":\"i\"}", "1"},
        {"{\"type\":\"int\",\"optional\":true}", "1", "{\"type\":\"int\",\"optional\":true}",
         "1"},
    };
    expect_envelopes(unknown, sizeof(unknown) / sizeof(unknown[0]));
}

/* Defaults are written as values of their schema, and a null under a default is the default
 * (replace.null.with.default, true unless set to false). */
static void test_schema_defaults(void **state)
{
    (void)state;
    static const schema_case cases[] = {
        {"{\"type\":\"int8\",\"optional\":true,\"default\":5.0}", "null",
         "{\"type\":\"int8\",\"optional\":true,\"default\":5}", "5"},
        {"{\"type\":\"int64\",\"default\":-1}", "null",
         "{\"type\":\"int64\",\"optional\":false,\"default\":-1}", "-1"},
        {"{\"type\":\"float32\",\"default\":0.1}", "2",
         "{\"type\":\"float\",\"optional\":false,\"default\":0.1}", "2.0"},
        {"{\"type\":\"float64\",\"optional\":true,\"default\":10000000000}", "null",
         "{\"type\":\"double\",\"optional\":true,\"default\":1.0E10}", "1.0E10"},
        {"{\"type\":\"boolean\",\"default\":false}", "null",
         "{\"type\":\"boolean\",\"optional\":false,\"default\":false}", "false"},
        {"{\"type\":\"string\",\"optional\":true,\"default\":\"none\"}", "\"some\"",
         "{\"type\":\"string\",\"optional\":true,\"default\":\"none\"}", "\"some\""},
        {"{\"type\":\"bytes\",\"default\":\"AA==\"}", "null",
         "{\"type\":\"bytes\",\"optional\":false,\"default\":\"AA==\"}", "\"AA==\""},
        {"{\"type\":\"array\",\"items\":{\"type\":\"float64\"},\"default\":[1,2]}", "null",
         "{\"type\":\"array\",\"items\":{\"type\":\"double\",\"optional\":false},"
         "\"optional\":false,\"default\":[1.0,2.0]}",
         "[1.0,2.0]"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"float32\"},"
         "\"default\":{\"k\":1}}",
         "null",
         "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
         "\"values\":{\"type\":\"float\",\"optional\":false},\"optional\":false,"
         "\"default\":{\"k\":1.0}}",
         "{\"k\":1.0}"},
        {"{\"type\":\"bytes\",\"name\":\"" DECIMAL "\",\"version\":1,\"parameters\":{\"scale\":"
         "\"2\"},\"default\":\"AA==\"}",
         "null",
         "{\"type\":\"bytes\",\"optional\":false,\"name\":\"" DECIMAL "\",\"version\":1,"
         "\"parameters\":{\"scale\":\"2\"},\"default\":\"AA==\"}",
         "\"AA==\""},
        {"{\"type\":\"int32\",\"name\":\"" DATE "\",\"version\":1,\"default\":0}", "null",
         "{\"type\":\"int32\",\"optional\":false,\"name\":\"" DATE "\",\"version\":1,"
         "\"default\":0}",
         "0"},
        /* In a struct: a missing member and a null one both take the field's default. */
        {"{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":true,\"default\":42,"
         "\"field\":\"a\"},{\"type\":\"string\",\"default\":\"x\",\"field\":\"b\"},"
         "{\"type\":\"int32\",\"optional\":true,\"field\":\"c\"}]}",
         "{\"a\":null}",
         "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":true,\"default\":42,"
         "\"field\":\"a\"},{\"type\":\"string\",\"optional\":false,\"default\":\"x\","
         "\"field\":\"b\"},{\"type\":\"int32\",\"optional\":true,\"field\":\"c\"}],"
         "\"optional\":false}",
         "{\"a\":42,\"b\":\"x\",\"c\":null}"},
    };
    expect_envelopes(cases, sizeof(cases) / sizeof(cases[0]));

    /* replace.null.with.default=false: nulls stay null, the defaults stay in the schema. */
    static const schema_case kept[] = {
        {"{\"type\":\"int8\",\"optional\":true,\"default\":5}", "null",
         "{\"type\":\"int8\",\"optional\":true,\"default\":5}", "null"},
        {"{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":true,\"default\":42,"
         "\"field\":\"a\"}]}",
         "{}",
         "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":true,\"default\":42,"
         "\"field\":\"a\"}],\"optional\":false}",
         "{\"a\":null}"},
    };
    config_map *settings = config_map_new();
    assert_non_null(settings);
    assert_int_equal(config_map_set(settings, "replace.null.with.default", "false"), 0);
    char err[512] = "";
    converter *conv = converter_new("json", settings, false, err, sizeof(err));
    assert_non_null(conv);
    expect_schema_cases(conv, kept, sizeof(kept) / sizeof(kept[0]));
    converter_destroy(conv);
    config_map_destroy(settings);
}

/* Without the envelope Kafka still writes the payload under its schema; a key is written as a
 * value is. */
static void test_schema_guides_plain_payloads_and_keys(void **state)
{
    (void)state;
    static const char schema[] =
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"float64\",\"field\":\"d\"},"
        "{\"type\":\"float32\",\"field\":\"f\"},{\"type\":\"int32\",\"optional\":true,"
        "\"default\":9,\"field\":\"i\"}]}";
    ferry_data data = json_data("{\"f\":0.1,\"d\":100,\"i\":null}", schema);
    converter *plain = converter_of("json", "false");
    expect_serialized(plain, &data, "{\"d\":100.0,\"f\":0.1,\"i\":9}");
    converter_destroy(plain);

    char err[512] = "";
    converter *key = converter_new("json", NULL, true, err, sizeof(err));
    assert_non_null(key);
    expect_serialized(key, &data,
                      "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"double\","
                      "\"optional\":false,\"field\":\"d\"},{\"type\":\"float\",\"optional\":false,"
                      "\"field\":\"f\"},{\"type\":\"int32\",\"optional\":true,\"default\":9,"
                      "\"field\":\"i\"}],\"optional\":false},"
                      "\"payload\":{\"d\":100.0,\"f\":0.1,\"i\":9}}");
    converter_destroy(key);
    json_decref(data.json);
    json_decref(data.schema);

    /* A null value under a schema with a default is the default, envelope or not. */
    data = json_data("null", "{\"type\":\"float64\",\"optional\":true,\"default\":2.5}");
    plain = converter_of("json", "false");
    expect_serialized(plain, &data, "2.5");
    converter_destroy(plain);
    converter *envelope = converter_of("json", "true");
    expect_serialized(envelope, &data,
                      "{\"schema\":{\"type\":\"double\",\"optional\":true,\"default\":2.5},"
                      "\"payload\":2.5}");
    converter_destroy(envelope);
    json_decref(data.json);
    json_decref(data.schema);
}

/* A value that does not have the shape its schema asks for is written as it is. */
static void test_schema_mismatched_values(void **state)
{
    (void)state;
    static const schema_case cases[] = {
        {"{\"type\":\"int32\"}", "\"12\"", "{\"type\":\"int32\",\"optional\":false}", "\"12\""},
        {"{\"type\":\"float32\"}", "\"NaN\"", "{\"type\":\"float\",\"optional\":false}", "\"NaN\""},
        {"{\"type\":\"struct\",\"fields\":[]}", "[1]",
         "{\"type\":\"struct\",\"fields\":[],\"optional\":false}", "[1]"},
        {"{\"type\":\"array\",\"items\":{\"type\":\"int8\"}}", "{\"a\":1.5}",
         "{\"type\":\"array\",\"items\":{\"type\":\"int8\",\"optional\":false},"
         "\"optional\":false}",
         "{\"a\":1.5}"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int8\"},\"values\":{\"type\":\"int8\"}}",
         "[[1,2],[3],\"x\"]",
         "{\"type\":\"map\",\"keys\":{\"type\":\"int8\",\"optional\":false},"
         "\"values\":{\"type\":\"int8\",\"optional\":false},\"optional\":false}",
         "[[1,2],[3],\"x\"]"},
        /* Child schemas missing: the elements go as they are. */
        {"{\"type\":\"array\"}", "[1.5,2]", "{\"type\":\"array\",\"optional\":false}",
         "[1.5,2]"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int8\"}}", "[[1.0,2.5]]",
         "{\"type\":\"map\",\"keys\":{\"type\":\"int8\",\"optional\":false},"
         "\"optional\":false}",
         "[[1,2.5]]"},
        {"{\"type\":\"struct\",\"fields\":[7,{\"type\":\"int8\"},{\"type\":\"int8\","
         "\"field\":\"x\"}]}",
         "{\"x\":1}",
         "{\"type\":\"struct\",\"fields\":[7,{\"type\":\"int8\",\"optional\":false},"
         "{\"type\":\"int8\",\"optional\":false,\"field\":\"x\"}],\"optional\":false}",
         "{\"x\":1}"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int8\"}}",
         "[[\"a\",1]]",
         "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
         "\"values\":{\"type\":\"int8\",\"optional\":false},\"optional\":false}",
         "[[\"a\",1]]"},
    };
    expect_envelopes(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A structured value that still has its JSON text is written as that text, not re-serialised:
 * spacing, number spelling and big integers jansson cannot hold survive. */
static void test_serialize_raw_json_text(void **state)
{
    (void)state;
    static const char text[] = "{ \"id\" : 123456789012345678901234567890, \"x\": 1.10 }";
    ferry_data data = {.kind = FERRY_DATA_JSON, .data = text, .len = sizeof(text) - 1};
    data.json = json_pack("{s:i}", "other", 1); /* ignored in favour of the text */
    assert_non_null(data.json);
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char err[512] = "";

    converter *plain = converter_of("json", "false");
    assert_int_equal(
        converter_serialize(plain, "orders", &data, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, text); /* no copy */
    assert_int_equal(len, sizeof(text) - 1);
    converter_destroy(plain);

    converter *string = converter_of("string", NULL);
    assert_int_equal(
        converter_serialize(string, "orders", &data, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, text);
    converter_destroy(string);

    converter *envelope = converter_of("json", "true");
    data.schema = json_pack("{s:s,s:b}", "type", "struct", "optional", 0);
    assert_non_null(data.schema);
    expect_serialized(envelope, &data,
                      "{\"schema\":{\"type\":\"struct\",\"optional\":false},\"payload\":{ \"id\" : "
                      "123456789012345678901234567890, \"x\": 1.10 }}");
    converter_destroy(envelope);

    /* Text without a parsed value is enough. */
    json_decref(data.json);
    data.json = NULL;
    json_decref(data.schema);
    data.schema = NULL;
    plain = converter_of("json", "false");
    expect_serialized(plain, &data, text);
    converter_destroy(plain);

    strbuf_free(&buffer);
}

/* ------------------------------------------------------------------------------------------ */
/* Escaping and base64                                                                        */

static void test_escape_specials(void **state)
{
    (void)state;
    expect_escaped("", "\"\"");
    expect_escaped("plain ASCII 0-9 ~!@#$%^&*()", "\"plain ASCII 0-9 ~!@#$%^&*()\"");
    expect_escaped("say \"hi\"", "\"say \\\"hi\\\"\"");
    expect_escaped("C:\\dir\\", "\"C:\\\\dir\\\\\"");
    expect_escaped("/a/b/", "\"/a/b/\""); /* Jackson does not escape the slash */
    expect_escaped("\b\t\n\f\r", "\"\\b\\t\\n\\f\\r\"");
    expect_escaped("\x01\x02\x0b\x0e\x1b\x1f", "\"\\u0001\\u0002\\u000B\\u000E\\u001B\\u001F\"");
    expect_escaped_n("a\0b", 3, "\"a\\u0000b\"");
    expect_escaped("\x7f", "\"\x7f\""); /* DEL is not escaped */
    expect_escaped(" \"\\\n", "\" \\\"\\\\\\n\"");
}

static void test_escape_utf8_passes_through(void **state)
{
    (void)state;
    /* U+2028 and U+2029 are valid in JSON; Jackson writes them as they are. */
    expect_escaped("a\xE2\x80\xA8" "b\xE2\x80\xA9", "\"a\xE2\x80\xA8" "b\xE2\x80\xA9\"");
    /* Two- and three-byte sequences, the edges of the ranges included, go as they are; a
     * character beyond U+FFFF is written as Jackson writes it, the escapes of its surrogate
     * pair. */
    expect_escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                   "\"caf\xC3\xA9 \xE2\x82\xAC \\uD83D\\uDE00\"");
    expect_escaped("\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
                   "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF",
                   "\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
                   "\\uD800\\uDC00\\uDBFF\\uDFFF\"");
    /* U+FFFD itself is valid. */
    expect_escaped("\xEF\xBF\xBD", "\"\xEF\xBF\xBD\"");
}

#define FFFD "\xEF\xBF\xBD"

static void test_escape_invalid_utf8_replaced(void **state)
{
    (void)state;
    /* Each maximal ill-formed subpart becomes one U+FFFD, as Java's UTF-8 decoder does. */
    expect_escaped("\xFF", "\"" FFFD "\"");
    expect_escaped("a\x80" "b", "\"a" FFFD "b\"");                      /* lone continuation */
    expect_escaped("\x80\xBF", "\"" FFFD FFFD "\"");                    /* two of them */
    expect_escaped("ab\xC3", "\"ab" FFFD "\"");                         /* cut at the end */
    expect_escaped("\xE2\x82" "A", "\"" FFFD "A\"");                    /* cut before ASCII */
    expect_escaped("\xF0\x9F\x98", "\"" FFFD "\"");                     /* cut 4-byte sequence */
    expect_escaped("\xF0\x9F\x98\"", "\"" FFFD "\\\"\"");               /* cut before a quote */
    expect_escaped("\xC0\x80", "\"" FFFD FFFD "\"");                    /* overlong NUL */
    expect_escaped("\xC1\xBF", "\"" FFFD FFFD "\"");                    /* overlong */
    expect_escaped("\xE0\x80\x80", "\"" FFFD FFFD FFFD "\"");           /* overlong 3-byte */
    expect_escaped("\xF0\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");  /* overlong 4-byte */
    expect_escaped("\xED\xA0\x80", "\"" FFFD FFFD FFFD "\"");           /* a surrogate */
    expect_escaped("\xF4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");  /* above U+10FFFF */
    expect_escaped("\xF5\xF8\xFE", "\"" FFFD FFFD FFFD "\"");           /* never valid */
    expect_escaped("\xC3\xC3\xA9", "\"" FFFD "\xC3\xA9\"");             /* bad, then good */
    expect_escaped("ok\xE2\x82\xAC\xE2\x82" "\n", "\"ok\xE2\x82\xAC" FFFD "\\n\"");

    /* The envelope and the String converter's JSON dump use the same escaper. */
    converter *conv = converter_of("json", "true");
    ferry_data text = string_data("\xFF\n");
    expect_serialized(conv, &text,
                      "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"" FFFD
                      "\\n\"}");
    converter_destroy(conv);
}

static void test_base64(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } cases[] = {
        {"", 0, ""},
        {"f", 1, "Zg=="},
        {"fo", 2, "Zm8="},
        {"foo", 3, "Zm9v"},
        {"foob", 4, "Zm9vYg=="},
        {"fooba", 5, "Zm9vYmE="},
        {"foobar", 6, "Zm9vYmFy"},
        {"\xFB\xFF", 2, "+/8="},
        {"\x00\x00\x00", 3, "AAAA"},
        {"\xFF\xFF\xFF\xFF\xFF", 5, "//////8="},
    };
    converter *plain = converter_of("json", "false");
    converter *envelope = converter_of("json", "true");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char expected[128];
        ferry_data blob = bytes_data(cases[i].in, cases[i].len);
        snprintf(expected, sizeof(expected), "\"%s\"", cases[i].out);
        expect_serialized(plain, &blob, expected);
        snprintf(expected, sizeof(expected),
                 "{\"schema\":{\"type\":\"bytes\",\"optional\":false},\"payload\":\"%s\"}",
                 cases[i].out);
        expect_serialized(envelope, &blob, expected);
    }
    converter_destroy(plain);
    converter_destroy(envelope);
}

/* ------------------------------------------------------------------------------------------ */
/* Deserialise                                                                                */

static void test_deserialize_string_and_bytes(void **state)
{
    (void)state;
    converter *string = converter_of("string", NULL);
    converter *bytes = converter_of("bytearray", NULL);
    static const char payload[] = "h\xC3\xA9llo\0x";
    ferry_data data;
    char err[512] = "";

    assert_int_equal(
        converter_deserialize(string, "t", payload, sizeof(payload), &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_STRING);
    assert_ptr_equal(data.data, payload); /* no copy */
    assert_int_equal(data.len, sizeof(payload));
    assert_null(data.json);
    assert_null(data.schema);
    converter_data_release(&data);
    assert_int_equal(data.kind, FERRY_DATA_NULL);

    assert_int_equal(
        converter_deserialize(bytes, "t", payload, sizeof(payload), &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_BYTES);
    assert_ptr_equal(data.data, payload);
    assert_int_equal(data.len, sizeof(payload));
    converter_data_release(&data);

    /* Empty is a value, not a null. */
    assert_int_equal(converter_deserialize(string, "t", payload, 0, &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_STRING);
    assert_non_null(data.data);
    assert_int_equal(data.len, 0);
    assert_int_equal(converter_deserialize(bytes, "t", payload, 0, &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_BYTES);
    assert_non_null(data.data);
    assert_int_equal(data.len, 0);

    converter_destroy(string);
    converter_destroy(bytes);
}

static void test_deserialize_nulls(void **state)
{
    (void)state;
    const char *names[] = {"json", "string", "bytearray"};
    char err[512] = "";
    for (size_t i = 0; i < 3; i++) {
        for (int schemas = 0; schemas < 2; schemas++) {
            converter *conv = converter_of(names[i], schemas ? "true" : "false");
            ferry_data data = {.kind = FERRY_DATA_JSON, .data = "junk"};
            assert_int_equal(converter_deserialize(conv, "t", NULL, 0, &data, err, sizeof(err)),
                             0);
            assert_int_equal(data.kind, FERRY_DATA_NULL);
            assert_null(data.data);
            assert_null(data.json);
            assert_null(data.schema);
            converter_destroy(conv);
        }
    }

    /* The JSON converter reads an empty payload and the JSON null as null, as Kafka's does. */
    static const char *const null_texts[][2] = {
        {"false", ""},
        {"false", "null"},
        {"false", " null\n"},
        {"true", ""},
        {"true", "{\"schema\":null,\"payload\":null}"},
        {"true", "{\"payload\":null,\"schema\":{\"type\":\"string\",\"optional\":true}}"},
    };
    for (size_t i = 0; i < sizeof(null_texts) / sizeof(null_texts[0]); i++) {
        converter *conv = converter_of("json", null_texts[i][0]);
        ferry_data data;
        assert_int_equal(converter_deserialize(conv, "t", null_texts[i][1],
                                               strlen(null_texts[i][1]), &data, err, sizeof(err)),
                         0);
        assert_int_equal(data.kind, FERRY_DATA_NULL);
        assert_null(data.json);
        assert_null(data.schema);
        converter_data_release(&data);
        converter_destroy(conv);
    }
}

static void test_deserialize_json_without_schemas(void **state)
{
    (void)state;
    converter *conv = converter_of("json", "false");
    static const char text[] = "{\"id\": 7, \"tags\": [\"a\", \"b\\u0000c\"], \"ok\": true}";
    ferry_data data;
    char err[512] = "";

    assert_int_equal(
        converter_deserialize(conv, "t", text, sizeof(text) - 1, &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_JSON);
    assert_ptr_equal(data.data, text); /* the original bytes, for sinks that forward them */
    assert_int_equal(data.len, sizeof(text) - 1);
    assert_null(data.schema);
    assert_int_equal(json_integer_value(json_object_get(data.json, "id")), 7);
    /* NUL inside strings is allowed. */
    json_t *tag = json_array_get(json_object_get(data.json, "tags"), 1);
    assert_int_equal(json_string_length(tag), 3);
    assert_memory_equal(json_string_value(tag), "b\0c", 3);
    converter_data_release(&data);
    assert_int_equal(data.kind, FERRY_DATA_NULL);
    assert_null(data.json);
    assert_null(data.data);

    /* Any JSON value, not only objects; an envelope is just an object here. */
    static const char *const values[] = {"42", "\"text\"", "[1,2]", "false",
                                         "{\"schema\":null,\"payload\":1}"};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        assert_int_equal(converter_deserialize(conv, "t", values[i], strlen(values[i]), &data, err,
                                               sizeof(err)),
                         0);
        assert_int_equal(data.kind, FERRY_DATA_JSON);
        json_t *expected = json_loads(values[i], JSON_DECODE_ANY, NULL);
        assert_true(json_equal(data.json, expected));
        json_decref(expected);
        converter_data_release(&data);
    }
    converter_destroy(conv);
}

static void test_deserialize_json_envelope(void **state)
{
    (void)state;
    converter *conv = converter_of("json", NULL); /* schemas.enable defaults to true */
    static const char text[] = "{\"schema\":" STRUCT_SCHEMA ",\"payload\":" STRUCT_PAYLOAD "}";
    ferry_data data;
    char err[512] = "";

    assert_int_equal(
        converter_deserialize(conv, "t", text, sizeof(text) - 1, &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_JSON);
    assert_null(data.data); /* the payload's own text is not at hand */
    assert_int_equal(data.len, 0);
    json_t *schema = json_loads(STRUCT_SCHEMA, 0, NULL);
    json_t *payload = json_loads(STRUCT_PAYLOAD, 0, NULL);
    assert_true(json_equal(data.schema, schema));
    assert_true(json_equal(data.json, payload));
    json_decref(schema);
    json_decref(payload);
    /* The references are the caller's: they outlive the envelope they came from. */
    assert_int_equal(data.json->refcount, 1);
    assert_int_equal(data.schema->refcount, 1);
    converter_data_release(&data);

    /* Field order does not matter; a null schema is no schema. */
    static const char no_schema[] = "{\"payload\":[1,\"x\"],\"schema\":null}";
    assert_int_equal(converter_deserialize(conv, "t", no_schema, sizeof(no_schema) - 1, &data, err,
                                           sizeof(err)),
                     0);
    assert_int_equal(data.kind, FERRY_DATA_JSON);
    assert_null(data.schema);
    assert_int_equal(json_array_size(data.json), 2);
    converter_data_release(&data);

    /* A string with a string schema stays structured, schema and all. */
    static const char string_envelope[] =
        "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"hi\"}";
    assert_int_equal(converter_deserialize(conv, "t", string_envelope, sizeof(string_envelope) - 1,
                                           &data, err, sizeof(err)),
                     0);
    assert_int_equal(data.kind, FERRY_DATA_JSON);
    assert_string_equal(json_string_value(data.json), "hi");
    assert_string_equal(json_string_value(json_object_get(data.schema, "type")), "string");
    converter_data_release(&data);

    converter_destroy(conv);
}

static void test_deserialize_envelope_errors(void **state)
{
    (void)state;
    static const char kafka_error[] =
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "
        "contain additional fields. If you are trying to deserialize plain JSON data, set "
        "schemas.enable=false in your converter configuration.";
    converter *conv = converter_of("json", "true");
    expect_deserialize_error(conv, "{\"schema\":null}", kafka_error);
    expect_deserialize_error(conv, "{\"payload\":1}", kafka_error);
    expect_deserialize_error(conv, "{\"schema\":null,\"payload\":1,\"extra\":2}", kafka_error);
    expect_deserialize_error(conv, "{\"id\":1,\"name\":\"x\"}", kafka_error);
    expect_deserialize_error(conv, "{}", kafka_error);
    expect_deserialize_error(conv, "[{\"schema\":null},{\"payload\":1}]", kafka_error);
    expect_deserialize_error(conv, "\"schema\"", kafka_error);
    expect_deserialize_error(conv, "42", kafka_error);
    expect_deserialize_error(conv, "{\"schema\":{\"fields\":[]},\"payload\":{}}",
                             "Schema must contain 'type' field (topic orders: the envelope's "
                             "\"schema\" is not a Connect schema)");
    expect_deserialize_error(conv, "{\"schema\":\"string\",\"payload\":\"x\"}",
                             "Schema must contain 'type' field (topic orders: the envelope's "
                             "\"schema\" is not a Connect schema)");
    converter_destroy(conv);
}

static void test_deserialize_malformed_json(void **state)
{
    (void)state;
    for (int schemas = 0; schemas < 2; schemas++) {
        converter *conv = converter_of("json", schemas ? "true" : "false");
        expect_deserialize_error(conv, "{\"id\":,}",
                                 "Converting byte[] to Kafka Connect data failed due to "
                                 "serialization error of topic orders: malformed JSON at line 1, "
                                 "column 7: unexpected token near ','");
        expect_deserialize_error(conv, "{\"a\":1}\n{\"b\":",
                                 "Converting byte[] to Kafka Connect data failed due to "
                                 "serialization error of topic orders: malformed JSON at line 2, "
                                 "column 1: end of file expected near '{'");
        expect_deserialize_error(conv, "hello",
                                 "Converting byte[] to Kafka Connect data failed due to "
                                 "serialization error of topic orders: malformed JSON at line 1, "
                                 "column 5: invalid token near 'hello'");
        expect_deserialize_error(conv, "{\"a\":\"\xFF\"}",
                                 "Converting byte[] to Kafka Connect data failed due to "
                                 "serialization error of topic orders: malformed JSON at line 1, "
                                 "column 6: unable to decode byte 0xff near '\"'");
        converter_destroy(conv);
    }
}

/* Text mode (a sink that declared FERRY_SINK_JSON_TEXT, no transforms): the syntax is checked,
 * no tree is built, and the rest is as before: null literal, malformed text, empty payload. */
static void test_deserialize_json_text_mode(void **state)
{
    (void)state;
    converter *with_schemas = converter_of("json", "true");
    converter *string = converter_of("string", NULL);
    assert_false(converter_json_text_enable(with_schemas)); /* the envelope needs the tree */
    assert_false(converter_json_text_enable(string));
    converter_destroy(with_schemas);

    converter *conv = converter_of("json", "false");
    assert_true(converter_json_text_enable(conv));
    ferry_data data;
    char err[512] = "";
    static const char text[] = "{\"id\": 7, \"tags\": [\"a\", \"b\\u0000c\"], \"n\": 1e999}";
    size_t allocations_before = jansson_allocations;
    assert_int_equal(
        converter_deserialize(conv, "t", text, sizeof(text) - 1, &data, err, sizeof(err)), 0);
    assert_int_equal(jansson_allocations, allocations_before); /* no tree */
    assert_int_equal(data.kind, FERRY_DATA_JSON);
    assert_null(data.json);
    assert_null(data.schema);
    assert_ptr_equal(data.data, text);
    assert_int_equal(data.len, sizeof(text) - 1);
    /* It goes out as the same bytes, with or without an envelope around it. */
    expect_serialized(conv, &data, text);
    expect_serialized(string, &data, text);
    converter *envelope = converter_of("json", "true");
    char enveloped[256];
    snprintf(enveloped, sizeof(enveloped), "{\"schema\":null,\"payload\":%s}", text);
    expect_serialized(envelope, &data, enveloped);
    converter_destroy(envelope);
    const void *raw;
    size_t raw_len;
    converter_data_raw(&data, &raw, &raw_len);
    assert_ptr_equal(raw, text);
    converter_data_release(&data);

    /* Any value, whitespace around it kept in data/len. */
    static const char *const values[] = {" \n[1,2]\t", "\"text\"", "false", "-0.5", "{}"};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        assert_int_equal(converter_deserialize(conv, "t", values[i], strlen(values[i]), &data, err,
                                               sizeof(err)),
                         0);
        assert_int_equal(data.kind, FERRY_DATA_JSON);
        assert_null(data.json);
        assert_ptr_equal(data.data, values[i]);
        assert_int_equal(data.len, strlen(values[i]));
    }

    /* The JSON null, an empty payload and a Kafka null are null values. */
    static const char *const nulls[] = {"null", " \r\n\tnull \n", ""};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
        assert_int_equal(converter_deserialize(conv, "t", nulls[i], strlen(nulls[i]), &data, err,
                                               sizeof(err)),
                         0);
        assert_int_equal(data.kind, FERRY_DATA_NULL);
        assert_null(data.data);
    }
    assert_int_equal(converter_deserialize(conv, "t", NULL, 0, &data, err, sizeof(err)), 0);
    assert_int_equal(data.kind, FERRY_DATA_NULL);

    /* Malformed text is an error, with what and where. */
    expect_deserialize_error(conv, "{\"id\":,}",
                             "Converting byte[] to Kafka Connect data failed due to "
                             "serialization error of topic orders: malformed JSON (an unexpected "
                             "character at byte 6)");
    expect_deserialize_error(conv, "{\"a\":\"\xFF\"}",
                             "Converting byte[] to Kafka Connect data failed due to "
                             "serialization error of topic orders: malformed JSON (invalid UTF-8 "
                             "in a string at byte 6)");
    expect_deserialize_error(conv, "nul",
                             "Converting byte[] to Kafka Connect data failed due to "
                             "serialization error of topic orders: malformed JSON (an invalid "
                             "literal at byte 0)");
    expect_deserialize_error(conv, "null null",
                             "Converting byte[] to Kafka Connect data failed due to "
                             "serialization error of topic orders: malformed JSON (text after the "
                             "JSON value at byte 5)");
    expect_deserialize_error(conv, "  ",
                             "Converting byte[] to Kafka Connect data failed due to "
                             "serialization error of topic orders: malformed JSON (no JSON value "
                             "at byte 2)");
    converter_destroy(string);
    converter_destroy(conv);
}

static void test_data_release_any_kind(void **state)
{
    (void)state;
    ferry_data data = {0};
    converter_data_release(&data);
    converter_data_release(NULL);
    data = string_data("x");
    converter_data_release(&data);
    assert_int_equal(data.kind, FERRY_DATA_NULL);
    assert_null(data.data);
    assert_int_equal(data.len, 0);
    data = json_data("[1]", "{\"type\":\"array\"}");
    converter_data_release(&data);
    assert_null(data.json);
    assert_null(data.schema);
    converter_data_release(&data); /* twice is harmless */
}

/* ------------------------------------------------------------------------------------------ */
/* Round trips                                                                                */

static void round_trip(converter *conv, const ferry_data *in, ferry_data *out)
{
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char err[512] = "";
    if (converter_serialize(conv, "t", in, &buffer, &bytes, &len, err, sizeof(err)) != 0)
        fail_msg("serialize: %s", err);
    /* Deserialise from a copy so that nothing can point into the buffer we free. */
    char *copy = NULL;
    if (bytes) {
        copy = malloc(len + 1);
        assert_non_null(copy);
        memcpy(copy, bytes, len);
    }
    strbuf_free(&buffer);
    if (converter_deserialize(conv, "t", copy, len, out, err, sizeof(err)) != 0)
        fail_msg("deserialize: %s", err);
    if (out->kind == FERRY_DATA_JSON) {
        out->data = NULL; /* the copy goes away */
        out->len = 0;
        free(copy);
    } else if (out->kind != FERRY_DATA_NULL) {
        /* Keep the copy alive through the caller's checks: hand it over via data. */
        out->data = copy;
    } else {
        free(copy);
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    ferry_data out;

    /* String and ByteArray give back the very bytes. */
    converter *string = converter_of("string", NULL);
    ferry_data text = string_data("h\xC3\xA9llo \"w\"\n");
    round_trip(string, &text, &out);
    assert_int_equal(out.kind, FERRY_DATA_STRING);
    assert_bytes_n(out.data, out.len, text.data, text.len);
    free((void *)out.data);
    converter_destroy(string);

    converter *bytes = converter_of("bytearray", NULL);
    ferry_data blob = bytes_data("\0\1\2\xFF", 4);
    round_trip(bytes, &blob, &out);
    assert_int_equal(out.kind, FERRY_DATA_BYTES);
    assert_bytes_n(out.data, out.len, "\0\1\2\xFF", 4);
    free((void *)out.data);
    converter_destroy(bytes);

    for (int schemas = 0; schemas < 2; schemas++) {
        converter *conv = converter_of("json", schemas ? "true" : "false");

        /* A string comes back as a JSON string equal to it. */
        ferry_data escaped = string_data("tab\there \"q\" \\ \x01 \xE2\x80\xA8 \xF0\x9F\x98\x80");
        round_trip(conv, &escaped, &out);
        assert_int_equal(out.kind, FERRY_DATA_JSON);
        assert_string_equal(json_string_value(out.json), escaped.data);
        if (schemas)
            assert_string_equal(json_string_value(json_object_get(out.schema, "type")), "string");
        else
            assert_null(out.schema);
        converter_data_release(&out);

        /* Bytes come back as their base64, which is what a Kafka Connect sink sees too. */
        round_trip(conv, &blob, &out);
        assert_int_equal(out.kind, FERRY_DATA_JSON);
        assert_string_equal(json_string_value(out.json), "AAEC/w==");
        converter_data_release(&out);

        /* Structured values come back equal, schema included when it is written. */
        ferry_data structured = json_data(STRUCT_PAYLOAD, STRUCT_SCHEMA);
        round_trip(conv, &structured, &out);
        assert_int_equal(out.kind, FERRY_DATA_JSON);
        assert_true(json_equal(out.json, structured.json));
        if (schemas)
            assert_true(json_equal(out.schema, structured.schema));
        else
            assert_null(out.schema);
        converter_data_release(&out);
        json_decref(structured.json);
        json_decref(structured.schema);

        ferry_data null = {.kind = FERRY_DATA_NULL};
        round_trip(conv, &null, &out);
        assert_int_equal(out.kind, FERRY_DATA_NULL);

        converter_destroy(conv);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The schema cache                                                                           */

/* A struct schema of one int32 field named name, and what JsonConverter writes of it. */
static json_t *one_field_schema(const char *name)
{
    json_t *schema = json_pack("{s:s, s:[{s:s, s:b, s:s}], s:b}", "type", "struct", "fields",
                               "type", "int32", "optional", 0, "field", name, "optional", 0);
    assert_non_null(schema);
    return schema;
}

static void expect_one_field_event(converter *conv, json_t *schema, const char *name, int value)
{
    ferry_data data = {.kind = FERRY_DATA_JSON, .json = json_pack("{s:i}", name, value),
                       .schema = schema};
    char expected[256];
    snprintf(expected, sizeof(expected),
             "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":"
             "false,\"field\":\"%s\"}],\"optional\":false},\"payload\":{\"%s\":%d}}",
             name, name, value);
    expect_serialized(conv, &data, expected);
    json_decref(data.json);
}

/* A schema object handed again is written from the converter's cache: the same bytes, whatever
 * the payload, across more schemas than the cache holds, and with the cache off. */
static void test_schema_text_cached_per_schema_object(void **state)
{
    (void)state;
    char err[512] = "";
    config_map *off = config_map_new();
    assert_non_null(off);
    assert_int_equal(config_map_set(off, "schemas.cache.size", "0"), 0);
    converter *converters[] = {converter_of("json", "true"),
                               converter_new("json", off, false, err, sizeof(err))};
    assert_non_null(converters[1]);
    config_map_destroy(off);

    for (size_t c = 0; c < 2; c++) {
        converter *conv = converters[c];
        json_t *orders = one_field_schema("id");
        expect_one_field_event(conv, orders, "id", 1);
        expect_one_field_event(conv, orders, "id", 2);
        /* Forty schemas in turn, more than the cache keeps: each written as it is. */
        json_t *schemas[40];
        char name[16];
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 40; i++) {
                snprintf(name, sizeof(name), "f%d", i);
                if (round == 0)
                    schemas[i] = one_field_schema(name);
                expect_one_field_event(conv, schemas[i], name, round * 100 + i);
                expect_one_field_event(conv, orders, "id", i);
            }
        }
        for (int i = 0; i < 40; i++)
            json_decref(schemas[i]);
        /* The caller lets go of a schema it handed over; another one, perhaps at the same
         * address, is written as itself. */
        json_decref(orders);
        for (int i = 0; i < 20; i++) {
            snprintf(name, sizeof(name), "n%d", i);
            json_t *fresh = one_field_schema(name);
            expect_one_field_event(conv, fresh, name, i);
            json_decref(fresh);
        }
        converter_destroy(conv);
    }
}

/* A schema that cannot be written is refused every time, not cached half-written. */
static void test_schema_text_refused_not_cached(void **state)
{
    (void)state;
    converter *conv = converter_of("json", "true");
    ferry_data data = json_data("{\"d\":\"x\"}",
                                "{\"type\":\"struct\",\"fields\":[{\"field\":\"d\",\"type\":"
                                "\"string\"},{\"field\":\"d\",\"type\":\"string\"}]}");
    for (int i = 0; i < 2; i++) {
        strbuf buffer = {0};
        const void *bytes;
        size_t len;
        char err[512] = "";
        assert_int_equal(
            converter_serialize(conv, "orders", &data, &buffer, &bytes, &len, err, sizeof(err)),
            -1);
        assert_non_null(strstr(err, "field name duplication"));
        strbuf_free(&buffer);
    }
    json_decref(data.json);
    json_decref(data.schema);
    converter_destroy(conv);
}

static void test_schemas_cache_size_setting(void **state)
{
    (void)state;
    static const char *const refused[] = {"-1", "many", "1.5", "99999999999"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char err[512] = "";
        config_map *settings = config_map_new();
        assert_non_null(settings);
        assert_int_equal(config_map_set(settings, "schemas.cache.size", refused[i]), 0);
        assert_null(converter_new("json", settings, true, err, sizeof(err)));
        char prefix[128];
        snprintf(prefix, sizeof(prefix), "key.converter.schemas.cache.size: invalid value '%s' (",
                 refused[i]);
        if (strncmp(err, prefix, strlen(prefix)) != 0)
            fail_msg("%s: %s", refused[i], err);
        config_map_destroy(settings);
    }
    char err[512] = "";
    config_map *settings = config_map_new();
    assert_non_null(settings);
    assert_int_equal(config_map_set(settings, "schemas.cache.size", " 1000 "), 0);
    converter *conv = converter_new("json", settings, false, err, sizeof(err));
    if (!conv)
        fail_msg("%s", err);
    converter_destroy(conv);
    config_map_destroy(settings);
}

/* ------------------------------------------------------------------------------------------ */
/* The buffer                                                                                 */

static void test_buffer_reuse(void **state)
{
    (void)state;
    converter *conv = converter_of("json", "true");
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char err[512] = "";

    /* Grow the buffer once with a big value. */
    char *big = malloc(10000);
    assert_non_null(big);
    memset(big, 'x', 10000);
    ferry_data big_text = string_data_n(big, 10000);
    assert_int_equal(
        converter_serialize(conv, "t", &big_text, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_ptr_equal(bytes, buffer.data);
    assert_int_equal(len, buffer.len);
    assert_int_equal(len, 10000 + strlen("{\"schema\":{\"type\":\"string\",\"optional\":false},"
                                         "\"payload\":\"\"}"));
    char *grown = buffer.data;
    size_t capacity = buffer.capacity;
    assert_true(capacity >= len);

    /* Then every smaller record, of every kind, reuses it: no reallocation, no jansson
     * allocation, the previous output overwritten in place. */
    ferry_data structured = json_data(STRUCT_PAYLOAD, STRUCT_SCHEMA);
    ferry_data small_text = string_data("small \"one\"");
    ferry_data blob = bytes_data("abc", 3);
    size_t allocations_before = jansson_allocations;
    for (int i = 0; i < 999; i++) {
        const ferry_data *data = i % 3 == 0 ? &structured : i % 3 == 1 ? &small_text : &blob;
        assert_int_equal(
            converter_serialize(conv, "t", data, &buffer, &bytes, &len, err, sizeof(err)), 0);
        assert_ptr_equal(bytes, grown);
        assert_ptr_equal(buffer.data, grown);
        assert_int_equal(buffer.capacity, capacity);
    }
    assert_int_equal(jansson_allocations, allocations_before);
    assert_bytes(bytes, len,
                 "{\"schema\":{\"type\":\"bytes\",\"optional\":false},\"payload\":\"YWJj\"}");

    /* Growing doubles; the buffer never shrinks afterwards. */
    char *bigger = malloc(capacity * 3);
    assert_non_null(bigger);
    memset(bigger, 'y', capacity * 3);
    ferry_data bigger_text = string_data_n(bigger, capacity * 3);
    assert_int_equal(
        converter_serialize(conv, "t", &bigger_text, &buffer, &bytes, &len, err, sizeof(err)),
        0);
    assert_true(buffer.capacity >= len);
    assert_true(buffer.capacity <= 2 * len);
    size_t grown_capacity = buffer.capacity;
    assert_int_equal(
        converter_serialize(conv, "t", &small_text, &buffer, &bytes, &len, err, sizeof(err)), 0);
    assert_int_equal(buffer.capacity, grown_capacity);
    assert_bytes(bytes, len,
                 "{\"schema\":{\"type\":\"string\",\"optional\":false},"
                 "\"payload\":\"small \\\"one\\\"\"}");

    /* A converter that points into the data leaves the buffer's last output alone. */
    converter *string = converter_of("string", NULL);
    const void *string_bytes;
    size_t string_len;
    assert_int_equal(converter_serialize(string, "t", &small_text, &buffer, &string_bytes,
                                         &string_len, err, sizeof(err)),
                     0);
    assert_ptr_equal(string_bytes, small_text.data);
    assert_bytes(buffer.data, buffer.len,
                 "{\"schema\":{\"type\":\"string\",\"optional\":false},"
                 "\"payload\":\"small \\\"one\\\"\"}");
    converter_destroy(string);

    strbuf_free(&buffer);
    assert_null(buffer.data);
    assert_int_equal(buffer.capacity, 0);
    strbuf_free(&buffer); /* twice is harmless */
    strbuf_free(NULL);
    json_decref(structured.json);
    json_decref(structured.schema);
    free(big);
    free(bigger);
    converter_destroy(conv);
}

static void test_large_value(void **state)
{
    (void)state;
    enum { CHUNKS = 104858 }; /* 10 bytes each: just over 1 MiB */
    static const char chunk[] = "abcdefghi\"";
    static const char chunk_escaped[] = "abcdefghi\\\"";
    size_t text_len = CHUNKS * 10;
    char *text = malloc(text_len + 1);
    size_t expected_len = 2 + CHUNKS * 11;
    char *expected = malloc(expected_len + 1);
    assert_non_null(text);
    assert_non_null(expected);
    expected[0] = '"';
    for (size_t i = 0; i < CHUNKS; i++) {
        memcpy(text + i * 10, chunk, 10);
        memcpy(expected + 1 + i * 11, chunk_escaped, 11);
    }
    text[text_len] = '\0';
    expected[expected_len - 1] = '"';
    expected[expected_len] = '\0';

    converter *conv = converter_of("json", "false");
    ferry_data data = string_data_n(text, text_len);
    expect_serialized_n(conv, &data, expected, expected_len);

    ferry_data out;
    round_trip(conv, &data, &out);
    assert_int_equal(out.kind, FERRY_DATA_JSON);
    assert_int_equal(json_string_length(out.json), text_len);
    assert_memory_equal(json_string_value(out.json), text, text_len);
    converter_data_release(&out);
    converter_destroy(conv);

    /* The same value in an envelope, and as base64 bytes. */
    conv = converter_of("json", "true");
    strbuf buffer = {0};
    const void *bytes;
    size_t len;
    char err[512] = "";
    assert_int_equal(
        converter_serialize(conv, "t", &data, &buffer, &bytes, &len, err, sizeof(err)), 0);
    static const char prefix[] =
        "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":";
    assert_int_equal(len, sizeof(prefix) - 1 + expected_len + 1);
    assert_memory_equal(bytes, prefix, sizeof(prefix) - 1);
    assert_memory_equal((const char *)bytes + sizeof(prefix) - 1, expected, expected_len);
    assert_int_equal(((const char *)bytes)[len - 1], '}');

    ferry_data blob = bytes_data(text, text_len);
    assert_int_equal(
        converter_serialize(conv, "t", &blob, &buffer, &bytes, &len, err, sizeof(err)), 0);
    static const char bytes_prefix[] =
        "{\"schema\":{\"type\":\"bytes\",\"optional\":false},\"payload\":\"";
    assert_int_equal(len, sizeof(bytes_prefix) - 1 + (text_len + 2) / 3 * 4 + 2);
    assert_memory_equal(bytes, bytes_prefix, sizeof(bytes_prefix) - 1);
    /* "abcdefghi\"" repeats every 10 bytes, so its base64 repeats every 40 characters (30 bytes),
     * until the last group of one byte and its padding. */
    const char *base64 = (const char *)bytes + sizeof(bytes_prefix) - 1;
    size_t base64_len = (text_len + 2) / 3 * 4;
    for (size_t at = 0; at + 40 <= base64_len - 4; at += 40)
        assert_memory_equal(base64 + at, "YWJjZGVmZ2hpImFiY2RlZmdoaSJhYmNkZWZnaGki", 40);
    assert_memory_equal(base64 + base64_len - 12, "Y2RlZmdoaSI=", 12);
    assert_memory_equal(base64 + base64_len, "\"}", 2);
    strbuf_free(&buffer);
    converter_destroy(conv);

    free(text);
    free(expected);
}

static void test_too_deep_value(void **state)
{
    (void)state;
    json_t *root = json_array();
    json_t *inner = root;
    assert_non_null(root);
    for (int i = 0; i < 3000; i++) {
        json_t *next = json_array();
        assert_non_null(next);
        assert_int_equal(json_array_append_new(inner, next), 0);
        inner = next;
    }
    ferry_data data = {.kind = FERRY_DATA_JSON, .json = root};
    converter *conv = converter_of("json", "false");
    expect_serialize_error(conv, &data,
                           "JsonConverter could not serialise the value of topic orders: out of "
                           "memory or nested deeper than 2048 levels");
    converter_destroy(conv);
    conv = converter_of("string", NULL);
    expect_serialize_error(conv, &data,
                           "StringConverter could not serialise the value of topic orders: out of "
                           "memory or nested deeper than 2048 levels");
    converter_destroy(conv);
    json_decref(root);
}

/* Kafka's JsonConverter refuses a null where the schema requires a value and has no default
 * (DataException "Conversion error: null value for field that is required and has no default
 * value"), in a struct field, an array item, a map value or the whole value; a default, when
 * nulls are replaced by defaults, or an optional schema write it. */
static void test_required_null_refused(void **state)
{
    (void)state;
    converter *conv = converter_of("json", "true");
    static const char *const refused[][2] = {
        {"{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"}]}",
         "{\"a\":null}"},
        {"{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"}]}", "{}"},
        {"{\"type\":\"array\",\"items\":{\"type\":\"string\"}}", "[\"x\",null]"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int64\"}}",
         "{\"k\":null}"},
        {"{\"type\":\"string\",\"optional\":false}", "null"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        ferry_data data = json_data(refused[i][1], refused[i][0]);
        expect_serialize_error(conv, &data, "Conversion error: null value for field that is "
                                            "required and has no default value (the value of "
                                            "topic orders)");
        json_decref(data.json);
        json_decref(data.schema);
    }
    /* A logical type's name over another base type (a whole-value Cast keeps the name). */
    static const char *const mismatched[][2] = {
        {"{\"type\":\"string\",\"name\":\"org.apache.kafka.connect.data.Decimal\"}", "\"1.5\""},
        {"{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Date\"}", "19000"},
        {"{\"type\":\"struct\",\"fields\":[{\"field\":\"t\",\"type\":\"string\",\"name\":"
         "\"org.apache.kafka.connect.data.Timestamp\"}]}", "{\"t\":\"x\"}"},
    };
    for (size_t i = 0; i < sizeof mismatched / sizeof mismatched[0]; i++) {
        ferry_data data = json_data(mismatched[i][1], mismatched[i][0]);
        expect_serialize_error(conv, &data,
                               "Invalid type for a logical type: the value of topic orders has a "
                               "Decimal, Date, Time or Timestamp schema over another base type, "
                               "which Kafka's JsonConverter cannot write");
        json_decref(data.json);
        json_decref(data.schema);
    }
    /* A struct field name used twice: Kafka refuses the schema, and the object written would
     * hold a key twice (in the payload's order or not). */
    static const char *const duplicated[][2] = {
        {"{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"},"
         "{\"field\":\"b\",\"type\":\"int32\"},{\"field\":\"a\",\"type\":\"string\","
         "\"optional\":true}]}", "{\"a\":1,\"b\":2}"},
        {"{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"},"
         "{\"field\":\"b\",\"type\":\"int32\"},{\"field\":\"a\",\"type\":\"int32\"}]}",
         "{\"b\":2,\"a\":1}"},
    };
    for (size_t i = 0; i < sizeof duplicated / sizeof duplicated[0]; i++) {
        ferry_data data = json_data(duplicated[i][1], duplicated[i][0]);
        expect_serialize_error(conv, &data,
                               "Cannot create field because of field name duplication: the "
                               "value of topic orders has a struct schema with a field name "
                               "used twice");
        json_decref(data.json);
        json_decref(data.schema);
    }
    /* A field without a name is no field named "": the struct is written, the nameless field
     * left out as above (its missing name was once handed to memcmp). */
    ferry_data nameless = json_data("{\"\":1}",
                                    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
                                    "\"optional\":true},{\"field\":\"\",\"type\":\"int32\"}]}");
    expect_serialized(conv, &nameless,
                      "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
                      "\"optional\":true},{\"type\":\"int32\",\"optional\":false,"
                      "\"field\":\"\"}],\"optional\":false},\"payload\":{\"\":1}}");
    json_decref(nameless.json);
    json_decref(nameless.schema);
    ferry_data defaulted = json_data("{\"a\":null}",
                                     "{\"type\":\"struct\",\"fields\":[{\"field\":\"a\","
                                     "\"type\":\"int32\",\"default\":7}]}");
    expect_serialized(conv, &defaulted,
                      "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
                      "\"optional\":false,\"default\":7,\"field\":\"a\"}],\"optional\":false},"
                      "\"payload\":{\"a\":7}}");
    json_decref(defaulted.json);
    json_decref(defaulted.schema);
    converter_destroy(conv);
}

/* Kafka's StringConverter writes a String as its characters: a JSON string (what a transform
 * extracting a string field leaves) goes out without quotes or escapes, whatever text came with
 * it; other structured values as JSON text. */
static void test_string_converter_writes_strings_as_characters(void **state)
{
    (void)state;
    converter *conv = converter_of("string", NULL);
    json_t *text = json_string("caf\u00e9 \"quoted\"");
    ferry_data data = {.kind = FERRY_DATA_JSON, .json = text};
    expect_serialized(conv, &data, "caf\u00e9 \"quoted\"");
    data.data = "\"caf\\u00e9 \\\"quoted\\\"\"";
    data.len = strlen(data.data);
    expect_serialized(conv, &data, "caf\u00e9 \"quoted\"");
    json_t *empty = json_string("");
    ferry_data empty_data = {.kind = FERRY_DATA_JSON, .json = empty};
    expect_serialized(conv, &empty_data, "");
    json_t *number = json_integer(42);
    ferry_data number_data = {.kind = FERRY_DATA_JSON, .json = number};
    expect_serialized(conv, &number_data, "42");
    json_decref(text);
    json_decref(empty);
    json_decref(number);
    converter_destroy(conv);
}

/* A converter key naming no converter ferry has is an error on that key, in Kafka Connect's words
 * for a CLASS it cannot load; names ferry has (class, simple name, alias, any case, blanks
 * around) pass, and header.converter also takes SimpleHeaderConverter. */
static void test_config_validate_names(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    config_errors *errors = config_errors_new();
    assert_int_equal(config_map_set(config, "key.converter", " JsonConverter "), 0);
    assert_int_equal(config_map_set(config, "value.converter",
                                    "org.apache.kafka.connect.storage.StringConverter"), 0);
    assert_int_equal(config_map_set(config, "header.converter",
                                    "org.apache.kafka.connect.storage.SimpleHeaderConverter"),
                     0);
    assert_int_equal(converter_config_validate(config, errors), 0);
    assert_int_equal(config_map_set(config, "header.converter", "bytearray"), 0);
    assert_int_equal(converter_config_validate(config, errors), 0);
    assert_int_equal(config_map_set(config, "key.converter", "com.example.NoSuchConverter"), 0);
    assert_int_equal(config_map_set(config, "value.converter", "SimpleHeaderConverter"), 0);
    assert_int_equal(config_map_set(config, "header.converter", "avro"), 0);
    assert_int_equal(converter_config_validate(config, errors), 3);
    assert_int_equal(config_errors_count(errors), 3);
    assert_string_equal(config_errors_key_at(errors, 0), "key.converter");
    json_t *messages = config_errors_for_key(errors, "key.converter");
    assert_string_equal(json_string_value(json_array_get(messages, 0)),
                        "Invalid value com.example.NoSuchConverter for configuration "
                        "key.converter: Class com.example.NoSuchConverter could not be found.");
    json_decref(messages);
    assert_string_equal(config_errors_key_at(errors, 1), "value.converter");
    assert_string_equal(config_errors_key_at(errors, 2), "header.converter");
    config_errors_destroy(errors);
    config_map_destroy(config);
}

int main(void)
{
    json_set_alloc_funcs(counting_malloc, counting_free);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_parse),
        cmocka_unit_test(test_config_validate_names),
        cmocka_unit_test(test_new_class_names),
        cmocka_unit_test(test_new_unknown_class),
        cmocka_unit_test(test_new_schemas_enable),
        cmocka_unit_test(test_new_json_settings),
        cmocka_unit_test(test_new_string_encoding),
        cmocka_unit_test(test_serialize_string_converter),
        cmocka_unit_test(test_serialize_byte_array_converter),
        cmocka_unit_test(test_serialize_json_without_schemas),
        cmocka_unit_test(test_serialize_json_envelope),
        cmocka_unit_test(test_schema_every_type),
        cmocka_unit_test(test_schema_members),
        cmocka_unit_test(test_schema_defaults),
        cmocka_unit_test(test_schema_guides_plain_payloads_and_keys),
        cmocka_unit_test(test_schema_mismatched_values),
        cmocka_unit_test(test_serialize_raw_json_text),
        cmocka_unit_test(test_escape_specials),
        cmocka_unit_test(test_escape_utf8_passes_through),
        cmocka_unit_test(test_escape_invalid_utf8_replaced),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_deserialize_string_and_bytes),
        cmocka_unit_test(test_deserialize_nulls),
        cmocka_unit_test(test_deserialize_json_without_schemas),
        cmocka_unit_test(test_deserialize_json_envelope),
        cmocka_unit_test(test_deserialize_envelope_errors),
        cmocka_unit_test(test_deserialize_malformed_json),
        cmocka_unit_test(test_deserialize_json_text_mode),
        cmocka_unit_test(test_data_release_any_kind),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_schema_text_cached_per_schema_object),
        cmocka_unit_test(test_schema_text_refused_not_cached),
        cmocka_unit_test(test_schemas_cache_size_setting),
        cmocka_unit_test(test_buffer_reuse),
        cmocka_unit_test(test_large_value),
        cmocka_unit_test(test_too_deep_value),
        cmocka_unit_test(test_string_converter_writes_strings_as_characters),
        cmocka_unit_test(test_required_null_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
