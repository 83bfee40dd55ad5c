/*
 * test_support_hex.c - support/hex.c: every digit's value, encoding, and decoding with its
 * refusals (odd length, a character that is not a digit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/hex.h"

static void test_digit_values(void **state)
{
    (void)state;
    for (int c = -128; c < 128; c++) {
        int expected = -1;
        if (c >= '0' && c <= '9')
            expected = c - '0';
        else if (c >= 'a' && c <= 'f')
            expected = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            expected = c - 'A' + 10;
        assert_int_equal(hex_digit_value((char)c), expected);
    }
}

static void test_encode_decode(void **state)
{
    (void)state;
    unsigned char bytes[256];
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)i;
    char text[2 * sizeof(bytes) + 1];
    hex_encode(bytes, sizeof(bytes), text);
    assert_int_equal(strlen(text), 2 * sizeof(bytes));
    assert_memory_equal(text, "000102", 6);
    assert_string_equal(text + 2 * 250, "fafbfcfdfeff");
    unsigned char back[sizeof(bytes)];
    assert_int_equal(hex_decode(text, strlen(text), back), (long)sizeof(bytes));
    assert_memory_equal(back, bytes, sizeof(bytes));

    hex_encode(bytes, 0, text);
    assert_string_equal(text, "");
    assert_int_equal(hex_decode("", 0, back), 0);
    assert_int_equal(hex_decode("DeadBEEF", 8, back), 4);
    assert_memory_equal(back, "\xde\xad\xbe\xef", 4);
}

static const char *const not_hex[] = {"0", "abc", "0g", "g0", " 0", "0x00", "12 4", "\xc3\xa9"};

static void test_not_hex(void **state)
{
    (void)state;
    unsigned char out[8];
    for (size_t i = 0; i < sizeof(not_hex) / sizeof(not_hex[0]); i++)
        if (hex_decode(not_hex[i], strlen(not_hex[i]), out) != -1)
            fail_msg("'%s' should not decode", not_hex[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digit_values),
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_not_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
