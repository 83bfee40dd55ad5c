/*
 * test_java_number.c - java_number_double and java_number_float against what Java's
 * Double.toString and Float.toString print (JDK 19 and later) for the same bits: the layout
 * (plain between 10^-3 and 10^7, E notation outside), the shortest digits, the closest of them,
 * two digits where one would read back but two are closer, subnormals, zeros and the specials.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_specials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
