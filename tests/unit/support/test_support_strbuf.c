/*
 * test_support_strbuf.c - support/strbuf.c: growth through the inline and the slow paths, the
 * NUL always there, sticky failure, take and reset, the formatting appends, and JSON string
 * escaping as Kafka's JsonConverter writes it (both the one-pass and the measuring path).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/strbuf.h"

static void test_growth(void **state)
{
    (void)state;
    strbuf b = {0};
    char expected[5000];
    for (size_t i = 0; i < sizeof(expected) - 1; i++) {
        expected[i] = (char)('a' + i % 26);
        if (i % 3 == 0)
            strbuf_append_char(&b, expected[i]);
        else
            strbuf_append(&b, &expected[i], 1);
        assert_int_equal(b.len, i + 1);
        assert_true(b.capacity > b.len);
        assert_int_equal(b.data[b.len], '\0');
    }
    expected[sizeof(expected) - 1] = '\0';
    assert_string_equal(b.data, expected);
    assert_false(strbuf_failed(&b));

    /* One append larger than the doubling. */
    size_t before = b.len;
    char *big = calloc(1, 100000);
    assert_non_null(big);
    memset(big, 'x', 99999);
    strbuf_append_str(&b, big);
    assert_int_equal(b.len, before + 99999);
    assert_int_equal(strlen(b.data), b.len);
    free(big);

    /* An empty append still makes the text exist. */
    strbuf empty = {0};
    strbuf_append(&empty, NULL, 0);
    assert_non_null(empty.data);
    assert_string_equal(empty.data, "");
    strbuf_free(&empty);
    strbuf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.capacity, 0);
}

static void test_reserve(void **state)
{
    (void)state;
    strbuf b = {0};
    assert_true(strbuf_reserve(&b, 1000));
    assert_true(b.capacity >= 1001);
    assert_string_equal(b.data, "");
    size_t capacity = b.capacity;
    for (int i = 0; i < 1000; i++)
        strbuf_append_char(&b, '.');
    assert_int_equal(b.capacity, capacity); /* no regrowth within what was reserved */
    strbuf_free(&b);
}

static void test_sticky_failure(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_append_literal(&b, "kept");
    assert_false(strbuf_reserve(&b, SIZE_MAX - 2));
    assert_true(strbuf_failed(&b));
    /* Nothing more is appended, by any path, although the buffer has room. */
    strbuf_append_literal(&b, "x");
    strbuf_append_char(&b, 'y');
    strbuf_append_int(&b, 42);
    strbuf_append_printf(&b, "%s", "z");
    strbuf_append_json_string(&b, "j", 1);
    strbuf_append_base64(&b, "b", 1);
    assert_true(strbuf_reserve(&b, 1) == false);
    assert_string_equal(b.data, "kept");
    assert_int_equal(b.len, 4);

    /* reset clears the failure and keeps the memory. */
    char *memory = b.data;
    strbuf_reset(&b);
    assert_false(strbuf_failed(&b));
    assert_ptr_equal(b.data, memory);
    assert_string_equal(b.data, "");
    strbuf_append_literal(&b, "again");
    assert_string_equal(b.data, "again");

    /* take of a failed buffer gives NULL and frees. */
    strbuf_reserve(&b, SIZE_MAX);
    size_t len = 99;
    assert_null(strbuf_take(&b, &len));
    assert_int_equal(len, 0);
    assert_null(b.data);
    assert_false(strbuf_failed(&b));
}

static void test_take(void **state)
{
    (void)state;
    strbuf b = {0};
    size_t len = 99;
    char *text = strbuf_take(&b, &len);
    assert_non_null(text);
    assert_string_equal(text, "");
    assert_int_equal(len, 0);
    free(text);

    strbuf_append_literal(&b, "hello");
    text = strbuf_take(&b, NULL);
    assert_string_equal(text, "hello");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.capacity, 0);
    free(text);

    /* The buffer works again after a take. */
    strbuf_append_literal(&b, "next");
    text = strbuf_take(&b, &len);
    assert_string_equal(text, "next");
    assert_int_equal(len, 4);
    free(text);
}

static void test_formatting(void **state)
{
    (void)state;
    strbuf b = {0};
    strbuf_append_int(&b, 0);
    strbuf_append_char(&b, ' ');
    strbuf_append_int(&b, INT64_MIN);
    strbuf_append_char(&b, ' ');
    strbuf_append_int(&b, INT64_MAX);
    assert_string_equal(b.data, "0 -9223372036854775808 9223372036854775807");
    strbuf_reset(&b);

    strbuf_append_printf(&b, "%s=%d", "a", 1);
    assert_string_equal(b.data, "a=1");
    /* A formatted text longer than the room left takes the second pass. */
    strbuf_append_printf(&b, ",%0500d", 7);
    assert_int_equal(b.len, 3 + 501);
    assert_int_equal(strlen(b.data), b.len);
    assert_int_equal(b.data[b.len - 1], '7');
    strbuf_free(&b);

    strbuf_append_printf(&b, "%s", "");
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    strbuf_free(&b);

    strbuf_append_base64(&b, "foobar", 6);
    strbuf_append_base64(&b, "f", 1);
    strbuf_append_base64(&b, NULL, 0);
    assert_string_equal(b.data, "Zm9vYmFyZg==");
    strbuf_free(&b);
}

typedef struct json_case {
    const char *in;
    size_t len;
    const char *out;
} json_case;

#define JSON(in, out) {in, sizeof(in) - 1, out}

static const json_case json_cases[] = {
    JSON("", "\"\""),
    JSON("plain text", "\"plain text\""),
    JSON("\"quoted\" \\ back", "\"\\\"quoted\\\" \\\\ back\""),
    JSON("\b\t\n\f\r", "\"\\b\\t\\n\\f\\r\""),
    JSON("\x01\x1f\x0b", "\"\\u0001\\u001F\\u000B\""),
    JSON("nul\0inside", "\"nul\\u0000inside\""),
    JSON("/ and \x7f", "\"/ and \x7f\""),
    JSON("caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80\""),
    /* Invalid UTF-8: one U+FFFD per maximal subpart. */
    JSON("a\xff" "b", "\"a\xef\xbf\xbd" "b\""),
    JSON("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""),
    JSON("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
    JSON("\xe2\x82" "A", "\"\xef\xbf\xbd" "A\""),
    JSON("end\xf0\x9f\x98", "\"end\xef\xbf\xbd\""),
    JSON("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
};

static void test_json_string(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
        const json_case *c = &json_cases[i];
        /* An empty buffer measures first; one with room writes in one pass. */
        strbuf measured = {0}, roomy = {0};
        strbuf_reserve(&roomy, 4096);
        strbuf_append_json_string(&measured, c->in, c->len);
        strbuf_append_json_string(&roomy, c->in, c->len);
        if (strcmp(measured.data, c->out) != 0 || strcmp(roomy.data, c->out) != 0)
            fail_msg("case %zu: '%s' / '%s', expected '%s'", i, measured.data, roomy.data, c->out);
        assert_int_equal(measured.len, strlen(c->out));
        assert_int_equal(roomy.len, strlen(c->out));
        strbuf_free(&measured);
        strbuf_free(&roomy);
    }
    strbuf b = {0};
    strbuf_append_json_string(&b, NULL, 0);
    assert_string_equal(b.data, "\"\"");
    strbuf_free(&b);
}

/* A long text of controls: the worst case of six bytes per byte, through both paths. */
static void test_json_string_worst_case(void **state)
{
    (void)state;
    char in[1000];
    memset(in, '\x01', sizeof(in));
    for (size_t room = 0; room <= 6100; room += 1525) {
        strbuf b = {0};
        strbuf_reserve(&b, room);
        strbuf_append_literal(&b, "[");
        strbuf_append_json_string(&b, in, sizeof(in));
        assert_false(strbuf_failed(&b));
        assert_int_equal(b.len, 1 + 2 + 6 * sizeof(in));
        assert_memory_equal(b.data, "[\"\\u0001\\u0001", 14);
        assert_string_equal(b.data + b.len - 7, "\\u0001\"");
        strbuf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_sticky_failure),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_formatting),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_json_string_worst_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
