/*
 * test_json_syntax.c - the allocation-free JSON syntax check (runtime/json_syntax.c, the host's
 * json_check): valid and invalid texts, the shape flags, the eight-bytes-at-a-time string scan,
 * the nesting bound, and agreement with jansson (the tree parser it stands in for) on every case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/host_services.h"
#include "convert/json_syntax.h"

static const char *const valid_texts[] = {
    "{}", " {\"a\":[1,-2.5e+3,true,false,null,\"x\\n\\u00e9\"]} ", "[]", "\"s\"", "0",
    "{\"a\":{\"b\":{}}}", "{\n\"a\":1\n}", "\t\r\n null \n", "-0", "0.5e-7", "1E+2",
    "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80 \xc3\xa9 \xe2\x82\xac\"", "\"\\u0000\"",
    "{\"\":\"\"}", "[[],[{}],\"\\/\\b\\f\\r\\t\\\"\\\\\"]",
};

static const char *const invalid_texts[] = {
    "", "  ", "{", "}", "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":01}", "{\"a\":1} x", "{\"a\" 1}",
    "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", "{\"a\":tru}", "{\"a\":\"\\q\"}", "{1:2}",
    "{\"a\":-}", "[1 2]", "1.", ".5", "+1", "1e", "\"abc", "\"\\u12\"", "\"\\ud800\"",
    "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
    "\"\xe2\x82\"", "nul", "truex", "[true false]", "/* c */ {}", "{} {}", "\x01",
    "{\"a\\u0000b\":1}", /* jansson cannot hold a NUL in a key: the tree mode refuses it too */
};

static void test_valid_and_invalid(void **state)
{
    (void)state;
    char why[100];
    for (size_t i = 0; i < sizeof(valid_texts) / sizeof(valid_texts[0]); i++)
        if (json_syntax_check(valid_texts[i], strlen(valid_texts[i]), NULL, why,
                              sizeof(why)) != FERRY_OK)
            fail_msg("'%s' should be valid: %s", valid_texts[i], why);
    for (size_t i = 0; i < sizeof(invalid_texts) / sizeof(invalid_texts[0]); i++)
        if (json_syntax_check(invalid_texts[i], strlen(invalid_texts[i]), NULL, why,
                              sizeof(why)) == FERRY_OK)
            fail_msg("'%s' should be invalid", invalid_texts[i]);
    /* Not NUL-terminated, and NULL for no bytes. */
    assert_int_equal(json_syntax_check("{}}", 2, NULL, NULL, 0), FERRY_OK);
    assert_int_equal(json_syntax_check(NULL, 0, NULL, why, sizeof(why)), FERRY_ERROR);
    assert_string_equal(why, "no JSON value at byte 0");
}

/* Where it says the problem is. */
static void test_messages(void **state)
{
    (void)state;
    char why[100];
    assert_int_equal(json_syntax_check("{\"a\":1 \"b\":2}", 13, NULL, why, sizeof(why)),
                     FERRY_ERROR);
    assert_string_equal(why, "a missing ',' or '}' at byte 7");
    json_syntax_check("[1,]", 4, NULL, why, sizeof(why));
    assert_string_equal(why, "an unexpected character at byte 3");
    json_syntax_check("{\"a\":\"\xff\"}", 9, NULL, why, sizeof(why));
    assert_string_equal(why, "invalid UTF-8 in a string at byte 6");
}

static void test_shape(void **state)
{
    (void)state;
    uint32_t shape = 0xff;
    assert_int_equal(json_syntax_check("{\n\"a\":1\n}", 9, &shape, NULL, 0), FERRY_OK);
    assert_int_equal(shape, FERRY_JSON_OBJECT | FERRY_JSON_NEWLINES);
    assert_int_equal(json_syntax_check(" {\"a\":1}\r", 9, &shape, NULL, 0), FERRY_OK);
    assert_int_equal(shape, FERRY_JSON_OBJECT | FERRY_JSON_NEWLINES);
    assert_int_equal(json_syntax_check("{\"a\":\"b\"}", 9, &shape, NULL, 0), FERRY_OK);
    assert_int_equal(shape, FERRY_JSON_OBJECT);
    assert_int_equal(json_syntax_check("[]", 2, &shape, NULL, 0), FERRY_OK);
    assert_int_equal(shape, 0);
}

/* Long strings are scanned eight bytes at a time: a special byte anywhere is seen. */
static void test_string_scan_every_position(void **state)
{
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        char text[64];
        memset(text, 'a', sizeof(text));
        memcpy(text, "{\"k\":\"", 6);
        memcpy(text + 46, "\"}", 3);
        text[6 + at] = '\x01';
        assert_int_equal(json_syntax_check(text, strlen(text), NULL, NULL, 0), FERRY_ERROR);
        text[6 + at] = '\xff';
        assert_int_equal(json_syntax_check(text, strlen(text), NULL, NULL, 0), FERRY_ERROR);
        text[6 + at] = '"';
        assert_int_equal(json_syntax_check(text, strlen(text), NULL, NULL, 0), FERRY_ERROR);
        if (at < 39) {
            memcpy(text + 6 + at, "\xc3\xa9", 2); /* é: valid */
            assert_int_equal(json_syntax_check(text, strlen(text), NULL, NULL, 0), FERRY_OK);
            memcpy(text + 6 + at, "\\\"", 2); /* an escaped quote: valid */
            assert_int_equal(json_syntax_check(text, strlen(text), NULL, NULL, 0), FERRY_OK);
        }
    }
}

/* Whether jansson reads the text (the converter's flags). */
static bool jansson_reads(const char *text, size_t len)
{
    json_t *value = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    json_decref(value);
    return value != NULL;
}

/* The bound is jansson's, counted as jansson counts it (every value, scalars too). */
static void test_depth_as_jansson(void **state)
{
    (void)state;
    size_t max = JSON_SYNTAX_MAX_DEPTH;
    char *text = malloc(2 * max + 8);
    assert_non_null(text);
    for (size_t depth = max - 1; depth <= max + 1; depth++) {
        /* depth empty arrays, then depth - 1 arrays around a scalar */
        memset(text, '[', depth);
        memset(text + depth, ']', depth);
        assert_int_equal(json_syntax_check(text, 2 * depth, NULL, NULL, 0) == FERRY_OK,
                         jansson_reads(text, 2 * depth));
        memset(text, '[', depth - 1);
        text[depth - 1] = '1';
        memset(text + depth, ']', depth - 1);
        assert_int_equal(json_syntax_check(text, 2 * depth - 1, NULL, NULL, 0) == FERRY_OK,
                         jansson_reads(text, 2 * depth - 1));
    }
    memset(text, '[', max + 1);
    memset(text + max + 1, ']', max + 1);
    char why[100];
    assert_int_equal(json_syntax_check(text, 2 * max + 2, NULL, why, sizeof(why)), FERRY_ERROR);
    assert_non_null(strstr(why, "deeper than 2048"));
    free(text);
}

/* Text the check passes is text jansson reads, and the reverse. */
static void test_agrees_with_jansson(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(valid_texts) / sizeof(valid_texts[0]); i++)
        if (!jansson_reads(valid_texts[i], strlen(valid_texts[i])))
            fail_msg("jansson refuses '%s'", valid_texts[i]);
    for (size_t i = 0; i < sizeof(invalid_texts) / sizeof(invalid_texts[0]); i++)
        if (jansson_reads(invalid_texts[i], strlen(invalid_texts[i])))
            fail_msg("jansson reads '%s'", invalid_texts[i]);
}

/* The host hands the same check to plugins. */
static void test_host_service(void **state)
{
    (void)state;
    const ferry_host *host = host_services();
    assert_true(FERRY_HOST_HAS(host, json_check));
    uint32_t shape = 0;
    assert_int_equal(host->json_check("{}", 2, &shape, NULL, 0), FERRY_OK);
    assert_int_equal(shape, FERRY_JSON_OBJECT);
    assert_int_equal(host->json_check("{", 1, NULL, NULL, 0), FERRY_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_and_invalid),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_string_scan_every_position),
        cmocka_unit_test(test_depth_as_jansson),
        cmocka_unit_test(test_agrees_with_jansson),
        cmocka_unit_test(test_host_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
