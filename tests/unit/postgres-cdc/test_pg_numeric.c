/* pg_numeric: integers, floats, numeric in every decimal.handling.mode (Connect Decimal bytes,
 * VariableScaleDecimal, double, string) and money, with their schemas, and bad text with a
 * clear message. */
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

static void test_integers(void **state)
{
    (void)state;
    CHECK_VALUE("-32768", PG_OID_INT2, -1, "-32768");
    CHECK_VALUE("2147483647", PG_OID_INT4, -1, "2147483647");
    CHECK_VALUE("-9223372036854775808", PG_OID_INT8, -1, "-9223372036854775808");
    CHECK_VALUE("4294967295", PG_OID_OID, -1, "4294967295");
    CHECK_SCHEMA("{\"type\":\"int16\",\"optional\":false}", PG_OID_INT2, -1, false);
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":false}", PG_OID_INT8, -1, false);
    char *bad = type_check_convert(NULL, PG_OID_INT2, -1, "40000");
    assert_string_equal(bad, "ERROR: cannot read '40000' as an integer");
    free(bad);
}

static void test_floats(void **state)
{
    (void)state;
    CHECK_VALUE("1.1000000000000001", PG_OID_FLOAT8, -1, "1.1000000000000001");
    CHECK_VALUE("1.5", PG_OID_FLOAT4, -1, "1.5");
    CHECK_VALUE("\"NaN\"", PG_OID_FLOAT8, -1, "NaN");
    CHECK_VALUE("\"-Infinity\"", PG_OID_FLOAT4, -1, "-Infinity");
    /* The JsonConverter's names of FLOAT32 and FLOAT64 ("float32" is an unknown schema type). */
    CHECK_SCHEMA("{\"type\":\"float\",\"optional\":true}", PG_OID_FLOAT4, -1, true);
    CHECK_SCHEMA("{\"type\":\"double\",\"optional\":false}", PG_OID_FLOAT8, -1, false);
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
    /* the column's scale: 1.5 in numeric(10,4) is 15000 = 0x3A98 */
    CHECK_VALUE("\"Opg=\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 4), "1.5");
    /* a negative scale (PostgreSQL 15): 12300 in numeric(5,-2) is 123 * 10^2 */
    CHECK_VALUE("\"ew==\"", PG_OID_NUMERIC, ((5 << 16) | 0xFFFE) + 4, "12300");
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
    /* many digits, through the nine-digit chunks of the conversion (BigInteger's bytes) */
    CHECK_VALUE("\"0yiQH3lGwx0Il1/03WAAAAFWZw==\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(50, 5),
                "-9999999999999999999999999999999999999999.12345");
    CHECK_VALUE("\"BjkXh3zsBVayEmnWlb3L96h6oAAAAAAAAAU=\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(70, 1),
                "1000000000000000000000000000000000000000000000000000000000000.5");
    CHECK_VALUE("\"/rZK9BAfmRT0FYjoTwNt6/dUawnFHHHHHHHHHHHI\"", PG_OID_NUMERIC,
                NUMERIC_TYPMOD(80, 0),
                "-8888888888888888888888888888888888888888888888888888888888888888888888");
    /* a typmod PostgreSQL cannot send (scale 30,000) is read as none: the text's own scale,
     * not 30,000 zeros appended */
    CHECK_VALUE("{\"scale\":1,\"value\":\"Dw==\"}", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 30000),
                "1.5");
    char *bad = type_check_convert(NULL, PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.2.3");
    assert_string_equal(bad, "ERROR: cannot read '1.2.3' as a decimal number");
    free(bad);
}

static void test_numeric_modes_and_money(void **state)
{
    (void)state;
    type_check_options.decimal = PG_DECIMAL_DOUBLE;
    CHECK_VALUE("1.5", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.50");
    CHECK_VALUE("\"NaN\"", PG_OID_NUMERIC, -1, "NaN");
    CHECK_SCHEMA("{\"type\":\"double\",\"optional\":true}", PG_OID_NUMERIC, -1, true);
    CHECK_VALUE("-1234.5", PG_OID_MONEY, -1, "-$1,234.50");
    type_check_options.decimal = PG_DECIMAL_STRING;
    CHECK_VALUE("\"1.50\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.50");
    /* Debezium writes the name of its special value, NAN */
    CHECK_VALUE("\"NAN\"", PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "NaN");
    CHECK_VALUE("\"NAN\"", PG_OID_NUMERIC, -1, "NaN");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":false}", PG_OID_NUMERIC, -1, false);
    type_check_options.decimal = PG_DECIMAL_PRECISE;
    /* $1,234.56 = 123456 = 0x01E240 */
    CHECK_VALUE("\"AeJA\"", PG_OID_MONEY, -1, "$1,234.56");
    CHECK_SCHEMA("{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data"
                 ".Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\"}}",
                 PG_OID_MONEY, -1, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_integers, type_check_reset),
        cmocka_unit_test_setup(test_floats, type_check_reset),
        cmocka_unit_test_setup(test_numeric_precise, type_check_reset),
        cmocka_unit_test_setup(test_numeric_modes_and_money, type_check_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
