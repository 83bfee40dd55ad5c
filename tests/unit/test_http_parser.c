/*
 * test_http_parser.c - the HTTP request parser on a table of good and bad requests, each fed
 * whole, split in two at every byte and fed one byte at a time (the result must not depend on
 * how the bytes arrive), plus pipelined requests and the accessors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/http_parser.h"

#define MAX_BODY 64
#define DRAIN_MAX 256

typedef struct parse_case {
    const char *name;
    const char *input;
    size_t len;           /* 0: strlen(input) */
    unsigned status;      /* 0: parsed; else the error */
    unsigned refusal;     /* 413 when read to its end but refused */
    const char *method;
    const char *path;
    const char *query;
    const char *body;
    int keep_alive;       /* -1: not checked */
} parse_case;

#define OK(n, in, m, p, q, b, k) {n, in, 0, 0, 0, m, p, q, b, k}
#define BAD(n, in, s) {n, in, 0, s, 0, NULL, NULL, NULL, NULL, -1}
/* input holding a NUL byte: its length from the literal */
#define BAD_BYTES(n, in, s) {n, in, sizeof(in) - 1, s, 0, NULL, NULL, NULL, NULL, -1}

static const parse_case cases[] = {
    OK("get", "GET /connectors HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/connectors", "", "", 1),
    OK("query", "GET /connectors?expand=status&x HTTP/1.1\r\n\r\n", "GET", "/connectors",
       "expand=status&x", "", 1),
    OK("bare LF", "GET / HTTP/1.1\nHost: x\n\n", "GET", "/", "", "", 1),
    OK("leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET", "/", "", "", 1),
    OK("1.0 closes", "GET / HTTP/1.0\r\n\r\n", "GET", "/", "", "", 0),
    OK("1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", "", "",
       1),
    OK("1.1 close", "GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", "GET", "/", "", "", 0),
    OK("body", "POST /connectors HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}", "POST",
       "/connectors", "", "{\"a\":1}", 1),
    OK("same length twice", "PUT /a HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab",
       "PUT", "/a", "", "ab", 1),
    OK("length zero", "POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "POST", "/a", "", "", 1),
    OK("chunked", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-Trailer: y\r\n\r\n",
       "POST", "/a", "", "abc0123456789abcdef", 1),
    OK("absolute form", "GET http://localhost:8083/connectors/a?b=c HTTP/1.1\r\n\r\n", "GET",
       "/connectors/a", "b=c", "", 1),
    OK("absolute form root", "GET http://localhost:8083 HTTP/1.1\r\n\r\n", "GET", "/", "", "",
       1),
    OK("percent-encoding", "DELETE /connectors/a%2Fb%20c HTTP/1.1\r\n\r\n", "DELETE",
       "/connectors/a%2Fb%20c", "", "", 1),
    OK("header whitespace", "GET / HTTP/1.1\r\nX-A:   v  \t\r\n\r\n", "GET", "/", "", "", 1),
    OK("options star", "OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", "", "", 1),
    BAD_BYTES("raw NUL in path", "DELETE /connectors/victim\0garbage HTTP/1.1\r\n\r\n", 400),
    BAD_BYTES("raw NUL in query", "GET /a?x=\0 HTTP/1.1\r\n\r\n", 400),
    BAD_BYTES("raw NUL in a header", "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 400),
    BAD("encoded NUL", "DELETE /connectors/victim%00garbage HTTP/1.1\r\n\r\n", 400),
    BAD("short percent", "GET /connectors/a%4 HTTP/1.1\r\n\r\n", 400),
    BAD("bad percent", "GET /connectors/%zz HTTP/1.1\r\n\r\n", 400),
    BAD("bad percent in query", "GET /a?x=%g1 HTTP/1.1\r\n\r\n", 400),
    BAD("control in target", "GET /a\tb HTTP/1.1\r\n\r\n", 400),
    BAD("non-ASCII in target", "GET /\xc3\xa9 HTTP/1.1\r\n\r\n", 400),
    BAD("fragment", "GET /a#b HTTP/1.1\r\n\r\n", 400),
    BAD("relative target", "GET connectors HTTP/1.1\r\n\r\n", 400),
    BAD("no version", "GET /\r\n\r\n", 400),
    BAD("two spaces", "GET  / HTTP/1.1\r\n\r\n", 400),
    BAD("bad version", "GET / HTTX/1.1\r\n\r\n", 400),
    BAD("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505),
    BAD("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", 505),
    BAD("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505),
    BAD("bad method", "GE(T / HTTP/1.1\r\n\r\n", 400),
    BAD("bare CR", "GET / HTTP/1.1\rX\r\n\r\n", 400),
    BAD("obs-fold", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", 400),
    BAD("space before colon", "GET / HTTP/1.1\r\nX-A : a\r\n\r\n", 400),
    BAD("no colon", "GET / HTTP/1.1\r\nX-A\r\n\r\n", 400),
    BAD("empty name", "GET / HTTP/1.1\r\n: a\r\n\r\n", 400),
    BAD("control in value", "GET / HTTP/1.1\r\nX-A: a\x01" "b\r\n\r\n", 400),
    BAD("length -1", "POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    BAD("length +1", "POST /a HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400),
    BAD("length 2^64+1", "POST /a HTTP/1.1\r\nContent-Length: 18446744073709551617\r\n\r\n",
        400),
    BAD("length 2^63", "POST /a HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", 400),
    BAD("length empty", "POST /a HTTP/1.1\r\nContent-Length:\r\n\r\n", 400),
    BAD("length hex", "POST /a HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400),
    BAD("length list", "POST /a HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400),
    BAD("lengths differ", "POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        400),
    BAD("length and chunked",
        "POST /a HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    BAD("gzip", "POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    BAD("chunked on 1.0", "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    BAD("bad chunk size", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    BAD("chunk too long", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        400),
    BAD("chunk size overflow",
        "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 400),
    BAD("length over the drain bound", "POST /a HTTP/1.1\r\nContent-Length: 257\r\n\r\n", 413),
    BAD("chunks over the drain bound", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "101\r\n", 413),
    {"length over the limit", "POST /a HTTP/1.1\r\nContent-Length: 65\r\n\r\n"
     "01234567890123456789012345678901234567890123456789012345678901234", 0, 0, 413, "POST",
     "/a", "", "01234567890123456789012345678901234567890123456789012345678901234", 1},
    {"chunks over the limit", "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "20\r\n0123456789abcdef0123456789abcdef\r\n21\r\n0123456789abcdef0123456789abcdef!\r\n"
     "0\r\n\r\n", 0, 0, 413, "POST", "/a", "",
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!", 1},
};

typedef struct parse_result {
    unsigned status;
    unsigned refusal;
    bool head;
    bool done;
    char method[40];
    char path[64];
    char query[64];
    char body[512];
    size_t body_len;
    int keep_alive;
} parse_result;

/* Feeds one piece; false once the request ended (done or error). *rest is what was left. */
static bool feed(http_parser *parser, const char *data, size_t len, parse_result *result,
                 size_t *used)
{
    size_t offset = 0;
    for (;;) {
        size_t consumed = 0;
        const char *body = NULL;
        size_t body_len = 0;
        http_parse_event event =
            http_parser_feed(parser, data + offset, len - offset, &consumed, &body, &body_len);
        offset += consumed;
        *used = offset;
        switch (event) {
        case HTTP_PARSE_MORE:
            assert_int_equal(offset, len);
            return true;
        case HTTP_PARSE_HEAD: {
            size_t path_len = 0;
            const char *path = http_parser_path(parser, &path_len);
            snprintf(result->method, sizeof(result->method), "%s", http_parser_method(parser));
            snprintf(result->path, sizeof(result->path), "%.*s", (int)path_len, path);
            snprintf(result->query, sizeof(result->query), "%s", http_parser_query(parser));
            result->keep_alive = http_parser_keep_alive(parser);
            result->head = true;
            break;
        }
        case HTTP_PARSE_BODY:
            assert_true(result->body_len + body_len < sizeof(result->body));
            memcpy(result->body + result->body_len, body, body_len);
            result->body_len += body_len;
            break;
        case HTTP_PARSE_DONE:
            result->done = true;
            result->refusal = http_parser_refusal(parser);
            return false;
        case HTTP_PARSE_ERROR:
            result->status = http_parser_error(parser, NULL);
            return false;
        }
    }
}

static void check(const parse_case *c, const parse_result *result, const char *how)
{
    size_t len = c->len ? c->len : strlen(c->input);
    (void)len;
    if (result->status != c->status || (c->status == 0 && !result->done))
        fail_msg("%s (%s): status %u, expected %u", c->name, how, result->status, c->status);
    if (c->status != 0)
        return;
    assert_string_equal(result->method, c->method);
    assert_string_equal(result->path, c->path);
    assert_string_equal(result->query, c->query);
    assert_int_equal(result->body_len, strlen(c->body));
    assert_memory_equal(result->body, c->body, result->body_len);
    assert_int_equal(result->refusal, c->refusal);
    if (c->keep_alive >= 0)
        assert_int_equal(result->keep_alive, c->keep_alive);
}

static void test_table_whole_and_split(void **state)
{
    (void)state;
    http_parser *parser = http_parser_new(MAX_BODY, DRAIN_MAX);
    assert_non_null(parser);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const parse_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->input);
        /* split at k: [0, k) then [k, len) */
        for (size_t k = 0; k <= len; k++) {
            parse_result result = {0};
            size_t used = 0;
            http_parser_reset(parser);
            if (feed(parser, c->input, k, &result, &used))
                feed(parser, c->input + k, len - k, &result, &used);
            char how[32];
            snprintf(how, sizeof(how), "split at %zu", k);
            check(c, &result, how);
        }
        parse_result result = {0};
        size_t used = 0;
        http_parser_reset(parser);
        for (size_t k = 0; k < len && feed(parser, c->input + k, 1, &result, &used); k++)
            ;
        if (len == 0 || (!result.done && !result.status))
            feed(parser, "", 0, &result, &used);
        check(c, &result, "byte by byte");
    }
    http_parser_destroy(parser);
}

static void test_pipelined_requests(void **state)
{
    (void)state;
    const char *input = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                        "GET /b?x=1 HTTP/1.1\r\n\r\n"
                        "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n";
    http_parser *parser = http_parser_new(MAX_BODY, DRAIN_MAX);
    assert_non_null(parser);
    const char *expected[] = {"/a", "/b", "/c"};
    size_t offset = 0, len = strlen(input);
    for (size_t i = 0; i < 3; i++) {
        parse_result result = {0};
        size_t used = 0;
        http_parser_reset(parser);
        assert_false(feed(parser, input + offset, len - offset, &result, &used));
        assert_true(result.done);
        assert_string_equal(result.path, expected[i]);
        assert_int_equal(result.keep_alive, i < 2);
        offset += used;
    }
    assert_int_equal(offset, len);
    http_parser_destroy(parser);
}

static void test_limits(void **state)
{
    (void)state;
    http_parser *parser = http_parser_new(MAX_BODY, DRAIN_MAX);
    assert_non_null(parser);
    char *big = malloc(20000);
    assert_non_null(big);
    /* a target of 8192 bytes is accepted, 8193 is 414, even before the line ends */
    for (size_t target = 8192; target <= 8193; target++) {
        int n = snprintf(big, 20000, "GET /");
        memset(big + n, 'a', target - 1);
        n += (int)target - 1;
        n += snprintf(big + n, 20000 - (size_t)n, " HTTP/1.1\r\n\r\n");
        parse_result result = {0};
        size_t used = 0;
        http_parser_reset(parser);
        feed(parser, big, (size_t)n, &result, &used);
        assert_int_equal(result.status, target == 8192 ? 0 : 414);
    }
    {
        memset(big, 'a', 12000);
        memcpy(big, "GET /", 5);
        parse_result result = {0};
        size_t used = 0;
        http_parser_reset(parser);
        feed(parser, big, 12000, &result, &used);
        assert_int_equal(result.status, 414);
        assert_true(used < 8300);
    }
    /* headers: 8192 bytes with the blank line fit, one more is 431, even unfinished */
    for (size_t extra = 0; extra <= 1; extra++) {
        int n = snprintf(big, 20000, "GET / HTTP/1.1\r\nX-Big: ");
        size_t value = 8192 - 7 - 2 - 2 + extra; /* "X-Big: " + CRLF + final CRLF */
        memset(big + n, 'v', value);
        n += (int)value;
        n += snprintf(big + n, 20000 - (size_t)n, "\r\n\r\n");
        parse_result result = {0};
        size_t used = 0;
        http_parser_reset(parser);
        feed(parser, big, (size_t)n, &result, &used);
        assert_int_equal(result.status, extra ? 431 : 0);
    }
    {
        int n = snprintf(big, 20000, "GET / HTTP/1.1\r\n");
        for (int i = 0; i < 101; i++)
            n += snprintf(big + n, 20000 - (size_t)n, "X-%d: v\r\n", i);
        n += snprintf(big + n, 20000 - (size_t)n, "\r\n");
        parse_result result = {0};
        size_t used = 0;
        http_parser_reset(parser);
        feed(parser, big, (size_t)n, &result, &used);
        assert_int_equal(result.status, 431);
    }
    free(big);
    http_parser_destroy(parser);
}

static void test_accessors(void **state)
{
    (void)state;
    const char *input = "PUT /connectors/a%2Fb/config?x=%41 HTTP/1.1\r\nHost: h\r\n"
                        "Expect: 100-continue\r\ncontent-type: application/json\r\n"
                        "Content-Length: 2\r\n\r\n";
    http_parser *parser = http_parser_new(MAX_BODY, DRAIN_MAX);
    assert_non_null(parser);
    size_t consumed = 0, body_len = 0;
    const char *body = NULL;
    assert_int_equal(http_parser_feed(parser, input, strlen(input), &consumed, &body, &body_len),
                     HTTP_PARSE_HEAD);
    assert_int_equal(consumed, strlen(input));
    assert_true(http_parser_head_done(parser));
    assert_true(http_parser_expects_continue(parser));
    assert_true(http_parser_has_body(parser));
    assert_int_equal(http_parser_content_length(parser), 2);
    assert_int_equal(http_parser_minor_version(parser), 1);
    assert_string_equal(http_parser_header(parser, "Content-Type"), "application/json");
    assert_null(http_parser_header(parser, "Authorization"));
    size_t len = 0;
    assert_string_equal(http_parser_target(parser, &len), "/connectors/a%2Fb/config?x=%41");
    assert_int_equal(len, strlen("/connectors/a%2Fb/config?x=%41"));
    size_t count = 0;
    const http_header *headers = http_parser_headers(parser, &count);
    assert_int_equal(count, 4);
    assert_string_equal(headers[0].name, "Host");
    assert_int_equal(http_parser_feed(parser, "{}", 2, &consumed, &body, &body_len),
                     HTTP_PARSE_BODY);
    assert_int_equal(http_parser_feed(parser, "", 0, &consumed, &body, &body_len),
                     HTTP_PARSE_DONE);
    http_parser_destroy(parser);
    http_parser_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_whole_and_split),
        cmocka_unit_test(test_pipelined_requests),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
