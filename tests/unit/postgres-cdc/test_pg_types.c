/* pg_types: the Connect schema and the value of every type of the mapping table, in each mode,
 * and bad text with a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_types.h"

static pg_type_options options;

static int reset(void **state)
{
    (void)state;
    options = (pg_type_options){.decimal = PG_DECIMAL_PRECISE, .time = PG_TIME_ADAPTIVE,
                                .interval = PG_INTERVAL_NUMERIC, .binary = PG_BINARY_BYTES,
                                .money_fraction_digits = 2,
                                .toast_placeholder = "__debezium_unavailable_value"};
    return 0;
}

/* The value of text as compact JSON (malloc'd), or "ERROR: <message>". */
static char *convert_with(const pg_type_registry *registry, uint32_t oid, int32_t typmod,
                          const char *text)
{
    pg_value_type type;
    assert_int_equal(pg_value_type_init(&type, registry, oid, typmod, &options), 0);
    json_t *value = NULL;
    char err[300];
    char *out;
    if (pg_value_convert(&type, text, strlen(text), &value, err, sizeof err) != 0) {
        out = malloc(strlen(err) + 8);
        sprintf(out, "ERROR: %s", err);
    } else {
        out = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(value);
    }
    pg_value_type_release(&type);
    return out;
}

static char *convert(uint32_t oid, int32_t typmod, const char *text)
{
    return convert_with(NULL, oid, typmod, text);
}

static char *schema_with(const pg_type_registry *registry, uint32_t oid, int32_t typmod,
                         bool optional)
{
    pg_value_type type;
    assert_int_equal(pg_value_type_init(&type, registry, oid, typmod, &options), 0);
    json_t *schema = pg_value_type_schema(&type, optional);
    assert_non_null(schema);
    char *out = json_dumps(schema, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(schema);
    pg_value_type_release(&type);
    return out;
}

static char *schema(uint32_t oid, int32_t typmod, bool optional)
{
    return schema_with(NULL, oid, typmod, optional);
}

#define CHECK_VALUE(expected, oid, typmod, text)                                               \
    do {                                                                                       \
        char *got_ = convert((oid), (typmod), (text));                                         \
        if (strcmp(got_, (expected)) != 0)                                                      \
            fail_msg("%s (oid %u) of '%s': got %s, expected %s", #oid, (unsigned)(oid), (text), \
                     got_, (expected));                                                         \
        free(got_);                                                                            \
    } while (0)

#define CHECK_SCHEMA(expected, oid, typmod, optional)                                          \
    do {                                                                                       \
        char *got_ = schema((oid), (typmod), (optional));                                      \
        if (strcmp(got_, (expected)) != 0)                                                      \
            fail_msg("schema of %s: got %s, expected %s", #oid, got_, (expected));             \
        free(got_);                                                                            \
    } while (0)

#define NUMERIC_TYPMOD(p, s) ((((p) << 16) | (s)) + 4)

static void test_integers_and_booleans(void **state)
{
    (void)state;
    CHECK_VALUE("true", PG_OID_BOOL, -1, "t");
    CHECK_VALUE("false", PG_OID_BOOL, -1, "f");
    CHECK_VALUE("-32768", PG_OID_INT2, -1, "-32768");
    CHECK_VALUE("2147483647", PG_OID_INT4, -1, "2147483647");
    CHECK_VALUE("-9223372036854775808", PG_OID_INT8, -1, "-9223372036854775808");
    CHECK_VALUE("4294967295", PG_OID_OID, -1, "4294967295");
    CHECK_SCHEMA("{\"type\":\"boolean\",\"optional\":true}", PG_OID_BOOL, -1, true);
    CHECK_SCHEMA("{\"type\":\"int16\",\"optional\":false}", PG_OID_INT2, -1, false);
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":false}", PG_OID_INT8, -1, false);
    char *bad = convert(PG_OID_INT2, -1, "40000");
    assert_string_equal(bad, "ERROR: cannot read '40000' as an integer");
    free(bad);
    bad = convert(PG_OID_BOOL, -1, "yes");
    assert_string_equal(bad, "ERROR: cannot read 'yes' as a boolean (t or f)");
    free(bad);
}

static void test_floats(void **state)
{
    (void)state;
    CHECK_VALUE("1.1000000000000001", PG_OID_FLOAT8, -1, "1.1000000000000001");
    CHECK_VALUE("1.5", PG_OID_FLOAT4, -1, "1.5");
    CHECK_VALUE("\"NaN\"", PG_OID_FLOAT8, -1, "NaN");
    CHECK_VALUE("\"-Infinity\"", PG_OID_FLOAT4, -1, "-Infinity");
    CHECK_SCHEMA("{\"type\":\"float32\",\"optional\":true}", PG_OID_FLOAT4, -1, true);
    CHECK_SCHEMA("{\"type\":\"float64\",\"optional\":true}", PG_OID_FLOAT8, -1, true);
}

static void test_numeric_precise(void **state)
{
    (void)state;
    /* 1.50 with scale 2: unscaled 150 = 0x0096 (a sign byte, since 0x96 has the top bit set) */
    CHECK_VALUE("\"AJY=\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.50");
    /* -1.50: unscaled -150 = 0xFF6A */
    CHECK_VALUE("\"/2o=\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "-1.50");
    CHECK_VALUE("\"AA==\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "0.00");
    /* 127 and -128 fit one byte; 128 needs two. */
    CHECK_VALUE("\"fw==\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(5, 0), "127");
    CHECK_VALUE("\"gA==\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(5, 0), "-128");
    CHECK_VALUE("\"AIA=\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(5, 0), "128");
    /* a value beyond 64 bits: 2^64 = 0x010000000000000000 */
    CHECK_VALUE("\"AQAAAAAAAAAA\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(30, 0),
                "18446744073709551616");
    CHECK_VALUE("null", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "NaN");
    /* no precision: VariableScaleDecimal with the text's own scale */
    CHECK_VALUE("{\"scale\":3,\"value\":\"MDk=\"}", PG_OID_NUMERIC, -1, "12.345");
    CHECK_SCHEMA("{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data"
                 ".Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\",\"connect.decimal."
                 "precision\":\"10\"}}",
                 PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), true);
    CHECK_SCHEMA("{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,"
                 "\"field\":\"scale\"},{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}"
                 "],\"optional\":true,\"name\":\"io.debezium.data.VariableScaleDecimal\","
                 "\"version\":1,\"doc\":\"Variable scaled decimal\"}",
                 PG_OID_NUMERIC, -1, true);
    char *bad = convert(PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.2.3");
    assert_string_equal(bad, "ERROR: cannot read '1.2.3' as a decimal number");
    free(bad);
}

static void test_numeric_modes_and_money(void **state)
{
    (void)state;
    options.decimal = PG_DECIMAL_DOUBLE;
    CHECK_VALUE("1.5", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.50");
    CHECK_VALUE("\"NaN\"", PG_OID_NUMERIC, -1, "NaN");
    CHECK_SCHEMA("{\"type\":\"float64\",\"optional\":true}", PG_OID_NUMERIC, -1, true);
    CHECK_VALUE("-1234.5", PG_OID_MONEY, -1, "-$1,234.50");
    options.decimal = PG_DECIMAL_STRING;
    CHECK_VALUE("\"1.50\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.50");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":false}", PG_OID_NUMERIC, -1, false);
    options.decimal = PG_DECIMAL_PRECISE;
    /* $1,234.56 = 123456 = 0x01E240 */
    CHECK_VALUE("\"AeJA\"", PG_OID_MONEY, -1, "$1,234.56");
    CHECK_SCHEMA("{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data"
                 ".Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\"}}",
                 PG_OID_MONEY, -1, true);
}

static void test_strings_bytes_uuid_json(void **state)
{
    (void)state;
    CHECK_VALUE("\"h\xc3\xa9llo \\\"x\\\"\"", PG_OID_TEXT, -1, "h\xc3\xa9llo \"x\"");
    CHECK_VALUE("\"ab  \"", PG_OID_BPCHAR, 8, "ab  ");
    CHECK_VALUE("\"192.168.0.1/32\"", PG_OID_INET, -1, "192.168.0.1/32");
    CHECK_VALUE("\"08:00:2b:01:02:03\"", PG_OID_MACADDR, -1, "08:00:2b:01:02:03");
    CHECK_VALUE("\"AQL/\"", PG_OID_BYTEA, -1, "\\x0102ff");
    CHECK_VALUE("\"\"", PG_OID_BYTEA, -1, "\\x");
    CHECK_VALUE("\"YVxi\"", PG_OID_BYTEA, -1, "a\\\\b"); /* escape format */
    CHECK_SCHEMA("{\"type\":\"bytes\",\"optional\":true}", PG_OID_BYTEA, -1, true);
    options.binary = PG_BINARY_HEX;
    CHECK_VALUE("\"0102ff\"", PG_OID_BYTEA, -1, "\\x0102ff");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true}", PG_OID_BYTEA, -1, true);
    options.binary = PG_BINARY_BASE64_URL_SAFE;
    CHECK_VALUE("\"-_8=\"", PG_OID_BYTEA, -1, "\\xfbff");
    options.binary = PG_BINARY_BYTES;
    CHECK_VALUE("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", PG_OID_UUID, -1,
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.data.Uuid\","
                 "\"version\":1}",
                 PG_OID_UUID, -1, false);
    CHECK_VALUE("\"{\\\"a\\\": [1, 2]}\"", PG_OID_JSONB, -1, "{\"a\": [1, 2]}");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\","
                 "\"version\":1}",
                 PG_OID_JSON, -1, true);
    char *bad = convert(PG_OID_BYTEA, -1, "\\x0");
    assert_string_equal(bad, "ERROR: cannot read '\\x0' as bytea (hex or escape format)");
    free(bad);
}

static void test_dates_and_times(void **state)
{
    (void)state;
    CHECK_VALUE("0", PG_OID_DATE, -1, "1970-01-01");
    CHECK_VALUE("19737", PG_OID_DATE, -1, "2024-01-15");
    CHECK_VALUE("-719528", PG_OID_DATE, -1, "0001-01-01 BC");
    CHECK_VALUE("2147483647", PG_OID_DATE, -1, "infinity");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\","
                 "\"version\":1}",
                 PG_OID_DATE, -1, true);
    /* time: default precision is microseconds */
    CHECK_VALUE("37230500000", PG_OID_TIME, -1, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\","
                 "\"version\":1}",
                 PG_OID_TIME, -1, true);
    CHECK_VALUE("37230500", PG_OID_TIME, 3, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Time\","
                 "\"version\":1}",
                 PG_OID_TIME, 3, true);
    CHECK_VALUE("86400000000", PG_OID_TIME, -1, "24:00:00");
    /* timetz: normalised to UTC */
    CHECK_VALUE("\"08:15:30.25Z\"", PG_OID_TIMETZ, -1, "10:15:30.25+02");
    CHECK_VALUE("\"23:30:00Z\"", PG_OID_TIMETZ, -1, "01:00:00+01:30");
    /* timestamp */
    CHECK_VALUE("1705314645123456", PG_OID_TIMESTAMP, -1, "2024-01-15 10:30:45.123456");
    CHECK_VALUE("1705314645123", PG_OID_TIMESTAMP, 3, "2024-01-15 10:30:45.123");
    CHECK_VALUE("-62135596800000000", PG_OID_TIMESTAMP, -1, "0001-01-01 00:00:00");
    CHECK_VALUE("9223372036854775807", PG_OID_TIMESTAMP, -1, "infinity");
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":false,\"name\":\"io.debezium.time."
                 "MicroTimestamp\",\"version\":1}",
                 PG_OID_TIMESTAMP, -1, false);
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":false,\"name\":\"io.debezium.time.Timestamp\","
                 "\"version\":1}",
                 PG_OID_TIMESTAMP, 0, false);
    /* timestamptz: UTC, the column's fractional digits */
    CHECK_VALUE("\"2024-01-15T10:30:45.123000Z\"", PG_OID_TIMESTAMPTZ, -1,
                "2024-01-15 10:30:45.123+00");
    CHECK_VALUE("\"2024-01-15T08:30:45.100Z\"", PG_OID_TIMESTAMPTZ, 3,
                "2024-01-15 10:30:45.1+02");
    CHECK_VALUE("\"2024-01-15T10:30:45Z\"", PG_OID_TIMESTAMPTZ, 0, "2024-01-15 10:30:45+00");
    CHECK_VALUE("\"-0043-03-15T12:00:00.000000Z\"", PG_OID_TIMESTAMPTZ, -1,
                "0044-03-15 12:00:00+00 BC");
    CHECK_VALUE("\"+10000-01-01T00:00:00.000000Z\"", PG_OID_TIMESTAMPTZ, -1,
                "10000-01-01 00:00:00+00");
    CHECK_VALUE("\"infinity\"", PG_OID_TIMESTAMPTZ, -1, "infinity");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time."
                 "ZonedTimestamp\",\"version\":1}",
                 PG_OID_TIMESTAMPTZ, -1, true);
    char *bad = convert(PG_OID_TIMESTAMP, -1, "2024-13-01 00:00:00");
    assert_string_equal(bad,
                        "ERROR: cannot read '2024-13-01 00:00:00' as a timestamp (YYYY-MM-DD "
                        "HH:MM:SS[.ffffff])");
    free(bad);
}

static void test_time_modes(void **state)
{
    (void)state;
    options.time = PG_TIME_CONNECT;
    CHECK_VALUE("37230500", PG_OID_TIME, -1, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data."
                 "Time\",\"version\":1}",
                 PG_OID_TIME, -1, true);
    CHECK_VALUE("1705314645123", PG_OID_TIMESTAMP, -1, "2024-01-15 10:30:45.123456");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data."
                 "Date\",\"version\":1}",
                 PG_OID_DATE, -1, true);
    options.time = PG_TIME_ADAPTIVE_MICROSECONDS;
    CHECK_VALUE("37230500000", PG_OID_TIME, 2, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\","
                 "\"version\":1}",
                 PG_OID_TIME, 2, true);
}

static void test_intervals(void **state)
{
    (void)state;
    /* 1 day 2 h = 93600 s */
    CHECK_VALUE("93600000000", PG_OID_INTERVAL, -1, "P1DT2H");
    /* a month is 30.4375 days */
    CHECK_VALUE("2629800000000", PG_OID_INTERVAL, -1, "P1M");
    CHECK_VALUE("-1500000", PG_OID_INTERVAL, -1, "PT-1.5S");
    CHECK_VALUE("0", PG_OID_INTERVAL, -1, "PT0S");
    options.interval = PG_INTERVAL_STRING;
    CHECK_VALUE("\"P1Y2M3DT4H5M6.78S\"", PG_OID_INTERVAL, -1, "P1Y2M3DT4H5M6.78S");
    CHECK_VALUE("\"P0Y0M0DT0H0M0S\"", PG_OID_INTERVAL, -1, "PT0S");
    CHECK_VALUE("\"P0Y0M0DT0H0M10S\"", PG_OID_INTERVAL, -1, "PT10.000S");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.Interval\","
                 "\"version\":1}",
                 PG_OID_INTERVAL, -1, true);
    char *bad = convert(PG_OID_INTERVAL, -1, "1 day");
    assert_string_equal(bad, "ERROR: cannot read '1 day' as an ISO 8601 interval");
    free(bad);
}

static void test_arrays(void **state)
{
    (void)state;
    CHECK_VALUE("[1,null,3]", 1007, -1, "{1,NULL,3}");
    CHECK_VALUE("[\"a b\",\"c\\\"d\",\"NULL\",null,\"\"]", 1009, -1,
                "{\"a b\",\"c\\\"d\",\"NULL\",NULL,\"\"}");
    CHECK_VALUE("[]", 1009, -1, "{}");
    CHECK_VALUE("[[1,2],[3,4]]", 1007, -1, "{{1,2},{3,4}}");
    CHECK_VALUE("[5,6]", 1007, -1, "[0:1]={5,6}");
    CHECK_VALUE("[\"AJY=\"]", 1231, NUMERIC_TYPMOD(10, 2), "{1.50}");
    CHECK_VALUE("[19737]", 1182, -1, "{2024-01-15}");
    CHECK_VALUE("[\"2024-01-15T10:30:45.000000Z\"]", 1185, -1,
                "{\"2024-01-15 10:30:45+00\"}");
    CHECK_SCHEMA("{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":true},"
                 "\"optional\":true}",
                 1007, -1, true);
    CHECK_SCHEMA("{\"type\":\"array\",\"items\":{\"type\":\"int64\",\"optional\":true,\"name\":"
                 "\"io.debezium.time.MicroTime\",\"version\":1},\"optional\":true}",
                 1183, 3, true);
    char *bad = convert(1007, -1, "{1,2");
    assert_non_null(strstr(bad, "cannot read array '{1,2'"));
    free(bad);
    bad = convert(1007, -1, "{1,x}");
    assert_string_equal(bad, "ERROR: cannot read 'x' as an integer");
    free(bad);
}

static void test_enums_domains_bits_unknown(void **state)
{
    (void)state;
    pg_type_registry *registry = pg_type_registry_new();
    const char *labels[] = {"happy", "sad"};
    assert_int_equal(pg_type_registry_add(registry, 16400, "mood", 'e', 0, 0, -1, labels, 2), 0);
    assert_int_equal(pg_type_registry_add(registry, 16401, "_mood", 'b', 16400, 0, -1, NULL, 0),
                     0);
    assert_int_equal(pg_type_registry_add(registry, 16402, "posint", 'd', 0, PG_OID_INT4, -1,
                                          NULL, 0), 0);
    assert_int_equal(pg_type_registry_add(registry, 16403, "hstore", 'b', 0, 0, -1, NULL, 0), 0);
    for (uint32_t oid = 20000; oid < 20100; oid++) /* grow the table */
        assert_int_equal(pg_type_registry_add(registry, oid, "t", 'b', 0, 0, -1, NULL, 0), 0);
    assert_int_equal(pg_type_registry_count(registry), 104);
    assert_string_equal(pg_type_registry_get(registry, 16400)->allowed, "happy,sad");

    char *out = convert_with(registry, 16400, -1, "sad");
    assert_string_equal(out, "\"sad\"");
    free(out);
    out = schema_with(registry, 16400, -1, true);
    assert_string_equal(out, "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data."
                             "Enum\",\"version\":1,\"parameters\":{\"allowed\":\"happy,sad\"}}");
    free(out);
    out = schema_with(registry, 16401, -1, true);
    assert_string_equal(out, "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":"
                             "false,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                             "\"parameters\":{\"allowed\":\"happy,sad\"}},\"optional\":true}");
    free(out);
    out = convert_with(registry, 16401, -1, "{happy,sad}");
    assert_string_equal(out, "[\"happy\",\"sad\"]");
    free(out);
    out = convert_with(registry, 16402, -1, "7");
    assert_string_equal(out, "7");
    free(out);
    out = convert_with(registry, 16403, -1, "\"a\"=>\"b\"");
    assert_string_equal(out, "\"\\\"a\\\"=>\\\"b\\\"\"");
    free(out);
    pg_type_registry_destroy(registry);

    CHECK_VALUE("true", PG_OID_BIT, 1, "1");
    CHECK_SCHEMA("{\"type\":\"boolean\",\"optional\":true}", PG_OID_BIT, 1, true);
    /* b'101' is bits 0 and 2: one little-endian byte 0x05 */
    CHECK_VALUE("\"BQ==\"", PG_OID_VARBIT, 8, "101");
    /* bit 9 set: 0x00 0x02 */
    CHECK_VALUE("\"AAI=\"", PG_OID_BIT, 10, "1000000000");
    CHECK_SCHEMA("{\"type\":\"bytes\",\"optional\":true,\"name\":\"io.debezium.data.Bits\","
                 "\"version\":1,\"parameters\":{\"length\":\"10\"}}",
                 PG_OID_BIT, 10, true);
    /* point is not mapped: its text */
    CHECK_VALUE("\"(1,2)\"", 600, -1, "(1,2)");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true}", 600, -1, true);
}

static void test_fallbacks_and_placeholders(void **state)
{
    (void)state;
    static const struct {
        uint32_t oid;
        int32_t typmod;
        const char *fallback;
        const char *placeholder; /* NULL: none */
    } cases[] = {
        {PG_OID_INT4, -1, "0", NULL},
        {PG_OID_BOOL, -1, "false", NULL},
        {PG_OID_TEXT, -1, "\"\"", "\"__debezium_unavailable_value\""},
        {PG_OID_JSONB, -1, "\"\"", "\"__debezium_unavailable_value\""},
        {PG_OID_BYTEA, -1, "\"\"", "\"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==\""},
        {PG_OID_NUMERIC, NUMERIC_TYPMOD(5, 1), "\"AA==\"", NULL},
        {PG_OID_TIMESTAMPTZ, -1, "\"1970-01-01T00:00:00Z\"", NULL},
        {1009, -1, "[]", "[\"__debezium_unavailable_value\"]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pg_value_type type;
        assert_int_equal(pg_value_type_init(&type, NULL, cases[i].oid, cases[i].typmod, &options),
                         0);
        json_t *fallback = pg_value_fallback(&type);
        char *text = json_dumps(fallback, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_string_equal(text, cases[i].fallback);
        free(text);
        json_decref(fallback);
        json_t *placeholder = pg_value_placeholder(&type);
        if (!cases[i].placeholder) {
            assert_null(placeholder);
        } else {
            text = json_dumps(placeholder, JSON_COMPACT | JSON_ENCODE_ANY);
            assert_string_equal(text, cases[i].placeholder);
            free(text);
        }
        json_decref(placeholder);
        pg_value_type_release(&type);
    }
}

static void test_calendar(void **state)
{
    (void)state;
    assert_int_equal(pg_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(pg_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(pg_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(pg_days_from_civil(0, 1, 1), -719528);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_integers_and_booleans, reset),
        cmocka_unit_test_setup(test_floats, reset),
        cmocka_unit_test_setup(test_numeric_precise, reset),
        cmocka_unit_test_setup(test_numeric_modes_and_money, reset),
        cmocka_unit_test_setup(test_strings_bytes_uuid_json, reset),
        cmocka_unit_test_setup(test_dates_and_times, reset),
        cmocka_unit_test_setup(test_time_modes, reset),
        cmocka_unit_test_setup(test_intervals, reset),
        cmocka_unit_test_setup(test_arrays, reset),
        cmocka_unit_test_setup(test_enums_domains_bits_unknown, reset),
        cmocka_unit_test_setup(test_fallbacks_and_placeholders, reset),
        cmocka_unit_test_setup(test_calendar, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
