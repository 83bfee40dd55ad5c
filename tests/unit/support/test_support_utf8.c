/*
 * test_support_utf8.c - support/utf8.c: well-formed sequences of every length and their code
 * points, the ill-formed ones (overlongs, surrogates, above U+10FFFF, bad continuation bytes,
 * truncated sequences) with their maximal subparts, where utf8_valid_prefix cuts, and the
 * encoder against the decoder over the whole code space.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/utf8.h"

typedef struct sequence_case {
    const char *bytes;
    size_t len;
    size_t sequence;      /* utf8_sequence: 0 for ill-formed */
    uint32_t codepoint;   /* when well-formed */
    size_t invalid;       /* utf8_invalid_length when ill-formed */
} sequence_case;

#define SEQ(text, sequence, codepoint, invalid) {text, sizeof(text) - 1, sequence, codepoint, invalid}

static const sequence_case sequence_cases[] = {
    SEQ("A", 1, 0x41, 0),
    SEQ("\x7f", 1, 0x7F, 0),
    SEQ("\xc2\x80", 2, 0x80, 0),
    SEQ("\xdf\xbf", 2, 0x7FF, 0),
    SEQ("\xe0\xa0\x80", 3, 0x800, 0),
    SEQ("\xed\x9f\xbf", 3, 0xD7FF, 0),
    SEQ("\xee\x80\x80", 3, 0xE000, 0),
    SEQ("\xef\xbf\xbf", 3, 0xFFFF, 0),
    SEQ("\xf0\x90\x80\x80", 4, 0x10000, 0),
    SEQ("\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 0),
    SEQ("\xe2\x82\xac" "rest", 3, 0x20AC, 0),
    /* Overlong forms. */
    SEQ("\xc0\xaf", 0, 0, 1),
    SEQ("\xc1\xbf", 0, 0, 1),
    SEQ("\xe0\x80\xaf", 0, 0, 1),
    SEQ("\xe0\x9f\xbf", 0, 0, 1),
    SEQ("\xf0\x80\x80\xaf", 0, 0, 1),
    SEQ("\xf0\x8f\xbf\xbf", 0, 0, 1),
    /* Surrogates. */
    SEQ("\xed\xa0\x80", 0, 0, 1),
    SEQ("\xed\xbf\xbf", 0, 0, 1),
    /* Above U+10FFFF, and bytes that never start a sequence. */
    SEQ("\xf4\x90\x80\x80", 0, 0, 1),
    SEQ("\xf5\x80\x80\x80", 0, 0, 1),
    SEQ("\xff", 0, 0, 1),
    SEQ("\x80", 0, 0, 1),
    SEQ("\xbf\x80", 0, 0, 1),
    /* Truncated: the maximal subpart is what was there. */
    SEQ("\xc3", 0, 0, 1),
    SEQ("\xe2\x82", 0, 0, 2),
    SEQ("\xf0\x9f\x98", 0, 0, 3),
    /* A bad continuation byte ends the subpart before it. */
    SEQ("\xe2\x82" "A", 0, 0, 2),
    SEQ("\xf0\x9f" "AB", 0, 0, 2),
    SEQ("\xc3\xc3\xa9", 0, 0, 1),
};

static void test_sequences(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(sequence_cases) / sizeof(sequence_cases[0]); i++) {
        const sequence_case *c = &sequence_cases[i];
        const unsigned char *s = (const unsigned char *)c->bytes;
        uint32_t codepoint = 0xFFFFFFFF;
        size_t n = utf8_sequence(s, c->len, &codepoint);
        if (n != c->sequence)
            fail_msg("case %zu: utf8_sequence %zu, expected %zu", i, n, c->sequence);
        if (n && codepoint != c->codepoint)
            fail_msg("case %zu: code point %x, expected %x", i, codepoint, c->codepoint);
        assert_int_equal(utf8_sequence(s, c->len, NULL), c->sequence);
        if (!n && utf8_invalid_length(s, c->len) != c->invalid)
            fail_msg("case %zu: maximal subpart %zu, expected %zu", i,
                     utf8_invalid_length(s, c->len), c->invalid);
    }
}

/* A well-formed sequence cut by avail is not well-formed. */
static void test_cut_by_avail(void **state)
{
    (void)state;
    const unsigned char four[] = {0xf0, 0x9f, 0x98, 0x80};
    for (size_t avail = 1; avail < 4; avail++) {
        assert_int_equal(utf8_sequence(four, avail, NULL), 0);
        assert_int_equal(utf8_invalid_length(four, avail), avail);
    }
    assert_int_equal(utf8_sequence(four, 4, NULL), 4);
}

typedef struct prefix_case {
    const char *bytes;
    size_t len;
    size_t prefix;
} prefix_case;

#define PREFIX(text, prefix) {text, sizeof(text) - 1, prefix}

static const prefix_case prefix_cases[] = {
    PREFIX("", 0),
    PREFIX("plain ascii", 11),
    PREFIX("exactly 8", 9),
    PREFIX("sixteen ascii ok", 16),
    PREFIX("caf\xc3\xa9", 5),
    PREFIX("caf\xc3", 3),
    PREFIX("12345678\xe2\x82", 8),
    PREFIX("1234567\xe2\x82\xac", 10),
    PREFIX("1234567\xe2\x82\xac" "12345678", 18),
    PREFIX("abc\xff" "def", 3),
    PREFIX("\xed\xa0\x80", 0),
    PREFIX("a\xf0\x9f\x98\x80" "b\xf0\x9f\x98", 6),
    PREFIX("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 8),
    PREFIX("abcdefghijklmnop\xc0\xaf", 16),
};

static void test_valid_prefix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
        const prefix_case *c = &prefix_cases[i];
        size_t prefix = utf8_valid_prefix(c->bytes, c->len);
        if (prefix != c->prefix)
            fail_msg("case %zu: prefix %zu, expected %zu", i, prefix, c->prefix);
        assert_int_equal(utf8_valid(c->bytes, c->len), c->prefix == c->len);
    }
    /* Every cut of a text of 1-4 byte characters ends on a boundary at or before it. */
    const char text[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
    const size_t boundaries[] = {0, 1, 3, 6, 10, 11};
    for (size_t len = 0; len <= sizeof(text) - 1; len++) {
        size_t expected = 0;
        for (size_t b = 0; b < sizeof(boundaries) / sizeof(boundaries[0]); b++)
            if (boundaries[b] <= len)
                expected = boundaries[b];
        assert_int_equal(utf8_valid_prefix(text, len), expected);
    }
}

static void test_encode(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(utf8_encode(0xD800, out), 0);
    assert_int_equal(utf8_encode(0xDFFF, out), 0);
    assert_int_equal(utf8_encode(0x110000, out), 0);
    assert_int_equal(utf8_encode(0xFFFFFFFF, out), 0);
    assert_int_equal(utf8_encode(0x20AC, out), 3);
    assert_memory_equal(out, "\xe2\x82\xac", 3);
    /* Every code point encodes to a sequence that decodes back to it, in the expected length. */
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        size_t n = utf8_encode(cp, out);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            assert_int_equal(n, 0);
            continue;
        }
        size_t expected = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t back;
        if (n != expected || utf8_sequence((unsigned char *)out, n, &back) != n || back != cp)
            fail_msg("U+%04X does not round-trip", cp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_cut_by_avail),
        cmocka_unit_test(test_valid_prefix),
        cmocka_unit_test(test_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
