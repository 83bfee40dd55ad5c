/* pg_types: the Connect schema and the value of the types pg_types.c maps itself (booleans,
 * strings, bytes, uuid, json, enums, domains, bits, unknown types), the registry of user types,
 * and the fallbacks and placeholders of every kind of type. Numbers, dates and times and arrays
 * have their own tests (test_pg_numeric.c, test_pg_datetime.c, test_pg_array.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_types.h"
#include "type_check.h"

static void test_booleans(void **state)
{
    (void)state;
    CHECK_VALUE("true", PG_OID_BOOL, -1, "t");
    CHECK_VALUE("false", PG_OID_BOOL, -1, "f");
    CHECK_SCHEMA("{\"type\":\"boolean\",\"optional\":true}", PG_OID_BOOL, -1, true);
    char *bad = type_check_convert(NULL, PG_OID_BOOL, -1, "yes");
    assert_string_equal(bad, "ERROR: cannot read 'yes' as a boolean (t or f)");
    free(bad);
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
    type_check_options.binary = PG_BINARY_HEX;
    CHECK_VALUE("\"0102ff\"", PG_OID_BYTEA, -1, "\\x0102ff");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true}", PG_OID_BYTEA, -1, true);
    type_check_options.binary = PG_BINARY_BASE64_URL_SAFE;
    CHECK_VALUE("\"-_8=\"", PG_OID_BYTEA, -1, "\\xfbff");
    type_check_options.binary = PG_BINARY_BYTES;
    CHECK_VALUE("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"", PG_OID_UUID, -1,
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.data.Uuid\","
                 "\"version\":1}",
                 PG_OID_UUID, -1, false);
    CHECK_VALUE("\"{\\\"a\\\": [1, 2]}\"", PG_OID_JSONB, -1, "{\"a\": [1, 2]}");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\","
                 "\"version\":1}",
                 PG_OID_JSON, -1, true);
    char *bad = type_check_convert(NULL, PG_OID_BYTEA, -1, "\\x0");
    assert_string_equal(bad, "ERROR: cannot read '\\x0' as bytea (hex or escape format)");
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

    char *out = type_check_convert(registry, 16400, -1, "sad");
    assert_string_equal(out, "\"sad\"");
    free(out);
    out = type_check_schema(registry, 16400, -1, true);
    assert_string_equal(out, "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data."
                             "Enum\",\"version\":1,\"parameters\":{\"allowed\":\"happy,sad\"}}");
    free(out);
    out = type_check_schema(registry, 16401, -1, true);
    assert_string_equal(out, "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":"
                             "false,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                             "\"parameters\":{\"allowed\":\"happy,sad\"}},\"optional\":true}");
    free(out);
    out = type_check_convert(registry, 16401, -1, "{happy,sad}");
    assert_string_equal(out, "[\"happy\",\"sad\"]");
    free(out);
    out = type_check_convert(registry, 16402, -1, "7");
    assert_string_equal(out, "7");
    free(out);
    out = type_check_convert(registry, 16403, -1, "\"a\"=>\"b\"");
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
        assert_int_equal(pg_value_type_init(&type, NULL, cases[i].oid, cases[i].typmod,
                                            &type_check_options),
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_booleans, type_check_reset),
        cmocka_unit_test_setup(test_strings_bytes_uuid_json, type_check_reset),
        cmocka_unit_test_setup(test_enums_domains_bits_unknown, type_check_reset),
        cmocka_unit_test_setup(test_fallbacks_and_placeholders, type_check_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
