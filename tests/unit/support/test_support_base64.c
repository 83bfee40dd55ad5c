/*
 * test_support_base64.c - support/base64.c: RFC 4648's vectors, round trips of every length
 * 0..64 in both alphabets, with and without padding, and the texts that are not base64.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/base64.h"

typedef struct vector {
    const char *bytes;
    const char *text;
} vector;

/* RFC 4648, section 10. */
static const vector rfc_vectors[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

static void test_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rfc_vectors) / sizeof(rfc_vectors[0]); i++) {
        const vector *v = &rfc_vectors[i];
        size_t len = strlen(v->bytes);
        char text[16];
        assert_int_equal(base64_encoded_length(len), strlen(v->text));
        assert_int_equal(base64_encode(v->bytes, len, false, text), strlen(v->text));
        assert_string_equal(text, v->text);
        unsigned char bytes[16];
        assert_int_equal(base64_decode(v->text, strlen(v->text), bytes), (long)len);
        assert_memory_equal(bytes, v->bytes, len);
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    unsigned char bytes[64];
    /* Bytes that reach the alphabets' last two characters: 0xfb 0xff 0xbf give "+/+/" or "-_-_". */
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i % 3 == 0 ? 0xfb : i % 3 == 1 ? 0xff : 0xbf) ^ (unsigned char)(i / 3);
    for (int url_safe = 0; url_safe <= 1; url_safe++) {
        for (size_t len = 0; len <= sizeof(bytes); len++) {
            char text[100];
            size_t n = base64_encode(bytes, len, url_safe, text);
            assert_int_equal(n, base64_encoded_length(len));
            assert_int_equal(strlen(text), n);
            assert_int_equal(n % 4, 0);
            assert_null(strchr(text, url_safe ? '+' : '-'));
            assert_null(strchr(text, url_safe ? '/' : '_'));
            assert_true(base64_decoded_max(n) >= len);

            unsigned char back[64];
            assert_int_equal(base64_decode(text, n, back), (long)len);
            assert_memory_equal(back, bytes, len);

            /* The same without its padding. */
            size_t unpadded = n;
            while (unpadded > 0 && text[unpadded - 1] == '=')
                unpadded--;
            assert_true(base64_decoded_max(unpadded) >= len);
            assert_int_equal(base64_decode(text, unpadded, back), (long)len);
            assert_memory_equal(back, bytes, len);
        }
    }
}

static const char *const not_base64[] = {
    "A",          /* one character holds no byte */
    "AAAAA",      /* nor does a fifth */
    "Zg=",        /* padded, but not to a multiple of four */
    "Zg===",      /* too much padding */
    "Z===",
    "====",
    "Zm8==",      /* "Zm8" needs one '=', not two */
    "Zm9v=",
    "Zg==Zg==",   /* padding inside */
    "Zm9v Zg==",  /* white space */
    "Zm9v\n",
    "Zm9v*A==",
    "Zm9\xc3\xa9",
    "Zm9v.A==",
};

static void test_not_base64(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(not_base64) / sizeof(not_base64[0]); i++) {
        unsigned char out[16];
        if (base64_decode(not_base64[i], strlen(not_base64[i]), out) != -1)
            fail_msg("'%s' should not decode", not_base64[i]);
    }
    /* A NUL inside the length is a character like any other, and not base64. */
    unsigned char out[8];
    assert_int_equal(base64_decode("Zm\0v", 4, out), -1);
    /* Only len characters are read. */
    assert_int_equal(base64_decode("Zm9vYmFy!!", 8, out), 6);
    assert_memory_equal(out, "foobar", 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_vectors),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_not_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
