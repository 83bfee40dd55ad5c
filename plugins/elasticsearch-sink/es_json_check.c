/*
 * es_json_check.c - the allocation-free JSON syntax check of es_json_check.h: one pass, an
 * explicit stack of open containers, nothing built.
 */
#include "es_json_check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "es_buffer.h"

typedef struct es_scan {
    const unsigned char *p;
    const unsigned char *end;
    const unsigned char *start;
    bool newlines;
    const char *problem;
} es_scan;

static void es_scan_space(es_scan *s)
{
    while (s->p < s->end) {
        unsigned char c = *s->p;
        if (c == '\n' || c == '\r')
            s->newlines = true;
        else if (c != ' ' && c != '\t')
            return;
        s->p++;
    }
}

static bool es_scan_fail(es_scan *s, const char *problem)
{
    if (!s->problem)
        s->problem = problem;
    return false;
}

static bool es_scan_literal(es_scan *s, const char *word)
{
    size_t len = strlen(word);
    if ((size_t)(s->end - s->p) < len || memcmp(s->p, word, len) != 0)
        return es_scan_fail(s, "an invalid literal");
    s->p += len;
    return true;
}

static bool es_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether a word holds a byte that ends the plain part of a string: '"', '\\', a control
 * character or a non-ASCII byte (the classic SWAR zero-byte tests). */
static bool es_word_special(uint64_t word)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = word ^ (ones * '"');
    uint64_t backslash = word ^ (ones * '\\');
    uint64_t special = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                       (word - ones * 0x20) | word;
    return (special & highs) != 0;
}

static bool es_scan_string(es_scan *s)
{
    s->p++; /* the opening quote */
    const unsigned char *run = s->p;
    bool high = false; /* the run has non-ASCII bytes: check its UTF-8 */
    while (s->p < s->end) {
        while (s->end - s->p >= 8) {
            uint64_t word;
            memcpy(&word, s->p, 8);
            if (es_word_special(word))
                break;
            s->p += 8;
        }
        if (s->p >= s->end)
            break;
        unsigned char c = *s->p;
        if (c >= 0x80) {
            high = true;
            s->p++;
            continue;
        }
        if (c == '"') {
            if (high && !es_utf8_valid(run, (size_t)(s->p - run)))
                return es_scan_fail(s, "invalid UTF-8 in a string");
            s->p++;
            return true;
        }
        if (c < 0x20)
            return es_scan_fail(s, "a control character in a string");
        if (c == '\\') {
            if (high && !es_utf8_valid(run, (size_t)(s->p - run)))
                return es_scan_fail(s, "invalid UTF-8 in a string");
            high = false;
            if (s->end - s->p < 2)
                return es_scan_fail(s, "an unterminated string");
            unsigned char e = s->p[1];
            if (e == 'u') {
                if (s->end - s->p < 6 || !es_hex(s->p[2]) || !es_hex(s->p[3]) ||
                    !es_hex(s->p[4]) || !es_hex(s->p[5]))
                    return es_scan_fail(s, "an invalid \\u escape");
                s->p += 6;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                s->p += 2;
            } else {
                return es_scan_fail(s, "an invalid escape");
            }
            run = s->p;
            continue;
        }
        s->p++;
    }
    return es_scan_fail(s, "an unterminated string");
}

static bool es_digit(const es_scan *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static bool es_scan_number(es_scan *s)
{
    if (*s->p == '-')
        s->p++;
    if (!es_digit(s))
        return es_scan_fail(s, "an invalid number");
    if (*s->p == '0')
        s->p++;
    else
        while (es_digit(s))
            s->p++;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!es_digit(s))
            return es_scan_fail(s, "an invalid number");
        while (es_digit(s))
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!es_digit(s))
            return es_scan_fail(s, "an invalid number");
        while (es_digit(s))
            s->p++;
    }
    return true;
}

/* A scalar at s->p (string, number, literal). */
static bool es_scan_scalar(es_scan *s)
{
    switch (*s->p) {
    case '"': return es_scan_string(s);
    case 't': return es_scan_literal(s, "true");
    case 'f': return es_scan_literal(s, "false");
    case 'n': return es_scan_literal(s, "null");
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
            return es_scan_number(s);
        return es_scan_fail(s, "an unexpected character");
    }
}

int es_json_check(const char *text, size_t len, es_json_shape *shape, char *why, size_t whylen)
{
    es_scan s = {(const unsigned char *)text, (const unsigned char *)text + len,
                 (const unsigned char *)text, false, NULL};
    char stack[ES_JSON_MAX_DEPTH]; /* '{' or '[' of each open container */
    int depth = 0;
    bool first_object = false;

    es_scan_space(&s);
    if (s.p >= s.end) {
        es_scan_fail(&s, "no JSON value");
        goto failed;
    }
    first_object = *s.p == '{';
    /* Each turn reads one value; containers push and the loop reads their members. */
    for (;;) {
        es_scan_space(&s);
        if (s.p >= s.end) {
            es_scan_fail(&s, "an unexpected end");
            goto failed;
        }
        if (*s.p == '{' || *s.p == '[') {
            if (depth == ES_JSON_MAX_DEPTH) {
                es_scan_fail(&s, "nesting deeper than 512 levels");
                goto failed;
            }
            char open = (char)*s.p++;
            stack[depth++] = open;
            es_scan_space(&s);
            if (s.p < s.end && *s.p == (open == '{' ? '}' : ']')) {
                s.p++;
                depth--;
                goto value_done;
            }
            if (open == '{')
                goto object_key;
            continue; /* the first element */
        }
        if (!es_scan_scalar(&s))
            goto failed;
    value_done:
        /* After a value: a separator, a close, or the end. */
        for (;;) {
            es_scan_space(&s);
            if (depth == 0) {
                if (s.p != s.end) {
                    es_scan_fail(&s, "text after the JSON value");
                    goto failed;
                }
                if (shape) {
                    shape->object = first_object;
                    shape->newlines = s.newlines;
                }
                return 0;
            }
            if (s.p >= s.end) {
                es_scan_fail(&s, "an unexpected end");
                goto failed;
            }
            char open = stack[depth - 1];
            if (*s.p == (open == '{' ? '}' : ']')) {
                s.p++;
                depth--;
                continue;
            }
            if (*s.p != ',') {
                es_scan_fail(&s, open == '{' ? "a missing ',' or '}'" : "a missing ',' or ']'");
                goto failed;
            }
            s.p++;
            if (open == '[')
                break; /* the next element */
            goto object_key;
        }
        continue;
    object_key:
        es_scan_space(&s);
        if (s.p >= s.end || *s.p != '"') {
            es_scan_fail(&s, "a missing object key");
            goto failed;
        }
        if (!es_scan_string(&s))
            goto failed;
        es_scan_space(&s);
        if (s.p >= s.end || *s.p != ':') {
            es_scan_fail(&s, "a missing ':'");
            goto failed;
        }
        s.p++;
    }
failed:
    if (why && whylen)
        snprintf(why, whylen, "%s at byte %zu", s.problem ? s.problem : "invalid JSON",
                 (size_t)(s.p - s.start));
    return -1;
}
