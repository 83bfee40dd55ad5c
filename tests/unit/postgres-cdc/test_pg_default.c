/* pg_default: which default expressions are constants (as pg_get_expr prints them), their
 * literal's text, and their value in the column's type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_default.h"
#include "pg_types.h"
#include "type_check.h"

#define NUMERIC_10_2 NUMERIC_TYPMOD(10, 2)

/* An expression of a column's type, and its default as compact JSON ("" for none). */
static const struct {
    uint32_t oid;
    int32_t typmod;
    const char *expression;
    const char *expected;
} cases[] = {
    {PG_OID_INT4, -1, "0", "0"},
    {PG_OID_INT4, -1, "'-1'::integer", "-1"},
    {PG_OID_INT8, -1, "'9000000000'::bigint", "9000000000"},
    {PG_OID_INT2, -1, "7", "7"},
    {PG_OID_FLOAT4, -1, "1.5", "1.5"},
    {PG_OID_FLOAT8, -1, "'-25000000000'::numeric", "-25000000000.0"},
    {PG_OID_FLOAT8, -1, "'NaN'::double precision", "\"NaN\""},
    {PG_OID_NUMERIC, NUMERIC_10_2, "1.5", "\"AJY=\""},
    {PG_OID_BOOL, -1, "true", "true"},
    {PG_OID_BOOL, -1, "false", "false"},
    {PG_OID_TEXT, -1, "'x'::text", "\"x\""},
    {PG_OID_TEXT, -1, "'it''s'::text", "\"it's\""},
    {PG_OID_TEXT, -1, "''::text", "\"\""},
    {PG_OID_VARCHAR, 9, "'v'::character varying", "\"v\""},
    {PG_OID_TEXT, -1, "'a\\b'::text", "\"a\\\\b\""},
    {PG_OID_DATE, -1, "'2020-01-02'::date", "18263"},
    {PG_OID_TIMESTAMPTZ, -1, "'2020-01-02 01:04:05+00'::timestamp with time zone",
     "\"2020-01-02T01:04:05.000000Z\""},
    {PG_OID_INTERVAL, -1, "'P1DT2H'::interval", "93600000000"},
    {PG_OID_BYTEA, -1, "'\\x0102'::bytea", "\"AQI=\""},
    {PG_OID_JSON, -1, "'{\"a\":1}'::json", "\"{\\\"a\\\":1}\""},
    {1007, -1, "'{1,2}'::integer[]", "[1,2]"},
    /* not constants: no default */
    {PG_OID_TIMESTAMPTZ, -1, "now()", ""},
    {PG_OID_TIMESTAMP, -1, "CURRENT_TIMESTAMP", ""},
    {PG_OID_INT4, -1, "nextval('t_id_seq'::regclass)", ""},
    {PG_OID_INT4, -1, "(1 + 2)", ""},
    {PG_OID_TEXT, -1, "('a'::text || 'b'::text)", ""},
    {PG_OID_TEXT, -1, "'a'::text || 'b'::text", ""},
    {PG_OID_INT4, -1, "'1'::integer + 1", ""},
    {PG_OID_UUID, -1, "gen_random_uuid()", ""},
    {PG_OID_TEXT, -1, "'unterminated", ""},
    {PG_OID_TEXT, -1, "NULL::text", ""},
    /* a constant that is not a value of the column's type */
    {PG_OID_INT4, -1, "'abc'::text", ""},
};

static void test_default_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pg_value_type type;
        assert_int_equal(pg_value_type_init(&type, NULL, cases[i].oid, cases[i].typmod,
                                            &type_check_options),
                         0);
        json_t *value = NULL;
        assert_int_equal(pg_default_value(&type, cases[i].expression, &value), 0);
        char *got = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
        if (strcmp(got, cases[i].expected) != 0)
            fail_msg("default %s: got '%s', expected '%s'", cases[i].expression, got,
                     cases[i].expected);
        free(got);
        json_decref(value);
        pg_value_type_release(&type);
    }
}

static void test_literals(void **state)
{
    (void)state;
    strbuf literal = {0};
    assert_true(pg_default_literal("'a''b'''::text COLLATE \"C\"", &literal));
    assert_string_equal(literal.data, "a'b'");
    strbuf_reset(&literal);
    assert_true(pg_default_literal("-2.5e10", &literal));
    assert_string_equal(literal.data, "-2.5e10");
    strbuf_reset(&literal);
    assert_false(pg_default_literal("1e", &literal));
    assert_false(pg_default_literal("-", &literal));
    assert_false(pg_default_literal("E'a\\\\b'", &literal));
    assert_int_equal(literal.len, 0);
    strbuf_free(&literal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_default_values, type_check_reset),
        cmocka_unit_test_setup(test_literals, type_check_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
