/*
 * test_java_number.c - java_number_double and java_number_float against what Java's
 * Double.toString and Float.toString print (JDK 19 and later) for the same bits: the layout
 * (plain between 10^-3 and 10^7, E notation outside), the shortest digits, the closest of them,
 * two digits where one would read back but two are closer, subnormals, zeros and the specials;
 * number texts read as Long.parseLong and Double.parseDouble read them; BigDecimal's values
 * from Connect's Decimal bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "convert/java_number.h"

static void test_doubles(void **state)
{
    (void)state;
    static const struct {
        uint64_t bits;
        const char *java;
    } cases[] = {
        {0x0, "0.0"},
        {0x8000000000000000, "-0.0"},
        {0x3ff0000000000000, "1.0"},
        {0xbff8000000000000, "-1.5"},
        {0x3fb999999999999a, "0.1"},
        {0x3fd3333333333333, "0.3"},
        {0x3fd3333333333334, "0.30000000000000004"},
        {0x4059000000000000, "100.0"},
        {0x416312d000000000, "1.0E7"},
        {0x416312cfe0000000, "9999999.0"},
        {0x416312cffff7ced9, "9999999.999"},
        {0x3f50624dd2f1a9fc, "0.001"},
        {0x3f505e1c15097c81, "9.99E-4"},
        {0x3f1a36e2eb1c432d, "1.0E-4"},
        {0x4415af1d78b58c40, "1.0E20"},
        {0x4480f0cf064dd592, "1.0E22"},
        /* JDK 17 prints these three longer (9.999999999999999E22, 1.9999999999999998E23,
         * 8.409999999999999E21). */
        {0x44b52d02c7e14af6, "1.0E23"},
        {0x44c52d02c7e14af6, "2.0E23"},
        {0x447c7e83209e90b2, "8.41E21"},
        {0x419d6f3454000000, "1.23456789E8"},
        {0x41678c29dccccccd, "1.23456789E7"},
        {0xbe80c6f7a0b5ed8d, "-1.25E-7"},
        {0x7fefffffffffffff, "1.7976931348623157E308"},
        {0x0010000000000000, "2.2250738585072014E-308"},
        {0x0010000000000001, "2.225073858507202E-308"},
        {0x1, "4.9E-324"},
        {0x2, "9.9E-324"},
        {0x3, "1.5E-323"},
        {0x4340000000000000, "9.007199254740992E15"},
        {0x400921fb54442d18, "3.141592653589793"},
        {0x4630000000000000, "1.2676506002282294E30"},
        {0x39b0000000000000, "7.888609052210118E-31"},
        {0x3fe0000000000000, "0.5"},
        {0x40934a456d5cfaad, "1234.5678"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double value;
        memcpy(&value, &cases[i].bits, sizeof(value));
        char text[JAVA_NUMBER_MAX];
        size_t len = java_number_double(value, text);
        assert_string_equal(text, cases[i].java);
        assert_int_equal(len, strlen(cases[i].java));
    }
}

static void test_floats(void **state)
{
    (void)state;
    static const struct {
        uint32_t bits;
        const char *java;
    } cases[] = {
        {0x0, "0.0"},
        {0x80000000, "-0.0"},
        {0x3f800000, "1.0"},
        {0x3dcccccd, "0.1"},
        {0x3f8ccccd, "1.1"},
        {0x3e99999a, "0.3"},
        {0x7f7fffff, "3.4028235E38"},
        {0x1, "1.4E-45"},
        {0x6, "8.4E-45"},
        {0x80000, "7.34684E-40"},
        {0x800000, "1.1754944E-38"},
        {0x4b189680, "1.0E7"},
        {0x4b18967f, "9999999.0"},
        {0x3a83126f, "0.001"},
        {0x3b03126f, "0.002"},
        {0x4b800000, "1.6777216E7"},
        {0x3eaaaaab, "0.33333334"},
        {0xc2f6e979, "-123.456"},
        {0x501502f9, "1.0E10"},
        {0x42c80000, "100.0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        float value;
        memcpy(&value, &cases[i].bits, sizeof(value));
        char text[JAVA_NUMBER_MAX];
        size_t len = java_number_float(value, text);
        assert_string_equal(text, cases[i].java);
        assert_int_equal(len, strlen(cases[i].java));
    }
    /* A double's float is the float Java would hold: 0.1 as a float is 0.1, not the double's
     * digits. */
    char text[JAVA_NUMBER_MAX];
    java_number_float((float)0.1, text);
    assert_string_equal(text, "0.1");
}

static void test_specials(void **state)
{
    (void)state;
    char text[JAVA_NUMBER_MAX];
    assert_int_equal(java_number_double(NAN, text), 3);
    assert_string_equal(text, "NaN");
    assert_true(java_number_is_special(text));
    java_number_double(INFINITY, text);
    assert_string_equal(text, "Infinity");
    assert_true(java_number_is_special(text));
    java_number_double(-INFINITY, text);
    assert_string_equal(text, "-Infinity");
    assert_true(java_number_is_special(text));
    java_number_float((float)1e300, text); /* too big for a float */
    assert_string_equal(text, "Infinity");
    java_number_double(1.5, text);
    assert_false(java_number_is_special(text));
}

/* Long.parseLong and its kin: signs, bounds, Unicode digits, and what Java refuses. */
static void test_parse_integer(void **state)
{
    (void)state;
    int64_t value = 0;
    assert_int_equal(java_number_parse_integer("123", 3, INT32_MIN, INT32_MAX, &value), 0);
    assert_int_equal(value, 123);
    assert_int_equal(java_number_parse_integer("+7", 2, -128, 127, &value), 0);
    assert_int_equal(value, 7);
    assert_int_equal(java_number_parse_integer("-128", 4, -128, 127, &value), 0);
    assert_int_equal(value, -128);
    assert_int_equal(java_number_parse_integer("128", 3, -128, 127, &value), -1);
    assert_int_equal(java_number_parse_integer("-129", 4, -128, 127, &value), -1);
    assert_int_equal(java_number_parse_integer("-9223372036854775808", 20, INT64_MIN, INT64_MAX,
                                               &value), 0);
    assert_true(value == INT64_MIN);
    assert_int_equal(java_number_parse_integer("9223372036854775807", 19, INT64_MIN, INT64_MAX,
                                               &value), 0);
    assert_true(value == INT64_MAX);
    assert_int_equal(java_number_parse_integer("9223372036854775808", 19, INT64_MIN, INT64_MAX,
                                               &value), -1);
    assert_int_equal(java_number_parse_integer("99999999999999999999999", 23, INT64_MIN,
                                               INT64_MAX, &value), -1);
    /* Arabic-Indic 4 and 2, fullwidth 7: Character.digit reads them. */
    assert_int_equal(java_number_parse_integer("\xd9\xa4\xd9\xa2", 4, INT32_MIN, INT32_MAX,
                                               &value), 0);
    assert_int_equal(value, 42);
    assert_int_equal(java_number_parse_integer("\xef\xbc\x97", 3, INT32_MIN, INT32_MAX, &value), 0);
    assert_int_equal(value, 7);
    static const char *const refused[] = {"", "+", "-", " 1", "1 ", "1.0", "0x10", "1e3", "abc",
                                          "--1", "1_000"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (java_number_parse_integer(refused[i], strlen(refused[i]), INT64_MIN, INT64_MAX,
                                      &value) == 0)
            fail_msg("'%s' was read", refused[i]);
}

/* Java's (int) and (long) of a double. */
static void test_double_to_integer(void **state)
{
    (void)state;
    assert_int_equal(java_number_double_to_int(1.9), 1);
    assert_int_equal(java_number_double_to_int(-1.9), -1);
    assert_int_equal(java_number_double_to_int(NAN), 0);
    assert_int_equal(java_number_double_to_int(3e9), INT32_MAX);
    assert_int_equal(java_number_double_to_int(-INFINITY), INT32_MIN);
    assert_true(java_number_double_to_long(1e19) == INT64_MAX);
    assert_true(java_number_double_to_long(-1e19) == INT64_MIN);
    assert_true(java_number_double_to_long(-2.5) == -2);
    assert_true(java_number_double_to_long(NAN) == 0);
}

/* Double.parseDouble and Float.parseFloat: Java's grammar, its trimming and suffixes. */
static void test_parse_floating(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value;
    } cases[] = {
        {"1.5", 1.5},       {" 2.5\n", 2.5},    {"-3", -3},        {"+.5", 0.5},
        {"5.", 5},          {"1e3", 1000},      {"1E-2", 0.01},    {"2.5f", 2.5},
        {"7D", 7},          {"0x1p3", 8},       {"0X1.8P1", 3},    {"-0x.8p0d", -0.5},
        {"1e999", INFINITY}, {"-Infinity", -INFINITY}, {"+Infinity", INFINITY},
        {"1e-999", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double value = 0;
        if (java_number_parse_double(cases[i].text, strlen(cases[i].text), &value) != 0)
            fail_msg("'%s' was refused", cases[i].text);
        assert_true(value == cases[i].value);
    }
    double value = 0;
    assert_int_equal(java_number_parse_double("NaN", 3, &value), 0);
    assert_true(isnan(value));
    assert_int_equal(java_number_parse_double("-NaN", 4, &value), 0);
    assert_true(isnan(value));
    static const char *const refused[] = {"", " ", ".", "e5", "1e", "1e+", "1.2.3", "nan",
                                          "infinity", "Infinityf", "NaNd", "0x1", "0x.p1",
                                          "1ff", "1 2", "\xd9\xa1", "1,5", "--1"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (java_number_parse_double(refused[i], strlen(refused[i]), &value) == 0)
            fail_msg("'%s' was read", refused[i]);
    /* A float is rounded once from the text, not through a double. */
    float single = 0;
    assert_int_equal(java_number_parse_float("1.1", 3, &single), 0);
    assert_true(single == 1.1f);
    assert_int_equal(java_number_parse_float("1e39", 4, &single), 0);
    assert_true(isinf(single));
    assert_int_equal(java_number_parse_float("0x1.000001p0", 12, &single), 0);
    assert_true(single == 1.0f);
}

/* BigDecimal's long, double and float values from Connect's Decimal bytes. */
static void test_big_decimal(void **state)
{
    (void)state;
    static const struct {
        unsigned char bytes[12];
        size_t len;
        int32_t scale;
        const char *java; /* BigDecimal.toString, for the reader */
        int64_t long_value;
        double double_value;
    } cases[] = {
        {{0x30, 0x39}, 2, 2, "123.45", 123, 123.45},
        {{0xCF, 0xC7}, 2, 2, "-123.45", -123, -123.45},
        {{0x00}, 1, 0, "0", 0, 0},
        {{0x00}, 1, 3, "0.000", 0, 0},
        {{0x00}, 1, 10, "0E-10", 0, 0},
        {{0x00}, 1, -2, "0E+2", 0, 0},
        {{0x01}, 1, 6, "0.000001", 0, 1e-6},
        {{0x01}, 1, 7, "1E-7", 0, 1e-7},
        {{0x0C}, 1, -3, "1.2E+4", 12000, 12000},
        {{0x7B}, 1, 5, "0.00123", 0, 0.00123},
        {{0xFF}, 1, 0, "-1", -1, -1},
        {{0x80}, 1, 0, "-128", -128, -128},
        {{0x00, 0x80}, 2, 0, "128", 128, 128},
        {{0x00, 0x80, 0x00, 0x00, 0x00}, 5, 0, "2147483648", 2147483648, 2147483648.0},
        /* 2^64: its low 64 bits are zero. */
        {{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, 9, 0, "18446744073709551616", 0, 18446744073709551616.0},
        /* -2^64 - 1 at scale 1 */
        {{0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 9, 1, "-1844674407370955161.7",
         -1844674407370955161, -1844674407370955161.7},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        java_big_decimal decimal = {cases[i].bytes, cases[i].len, cases[i].scale};
        int64_t long_value = 1;
        double double_value = 1;
        float float_value = 1;
        assert_int_equal(java_big_decimal_long(&decimal, &long_value), 0);
        assert_true(long_value == cases[i].long_value);
        assert_int_equal(java_big_decimal_double(&decimal, &double_value), 0);
        assert_true(double_value == cases[i].double_value);
        assert_int_equal(java_big_decimal_float(&decimal, &float_value), 0);
        assert_true(float_value == (float)cases[i].double_value);
    }
    /* A large negative scale: 10^64 and more have no low 64 bits. */
    unsigned char one = 1;
    java_big_decimal huge = {&one, 1, -70};
    int64_t long_value = 1;
    assert_int_equal(java_big_decimal_long(&huge, &long_value), 0);
    assert_int_equal(long_value, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_specials),
        cmocka_unit_test(test_parse_integer),
        cmocka_unit_test(test_double_to_integer),
        cmocka_unit_test(test_parse_floating),
        cmocka_unit_test(test_big_decimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
