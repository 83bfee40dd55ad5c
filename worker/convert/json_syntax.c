/*
 * json_syntax.c - the allocation-free JSON syntax check of json_syntax.h: one pass, a bit stack
 * of open containers, nothing built. Strings, most of a document's bytes, are scanned eight bytes
 * at a time.
 */
#include "convert/json_syntax.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "support/hex.h"
#include "support/utf8.h"

typedef struct json_scan {
    const unsigned char *p;
    const unsigned char *end;
    const unsigned char *start;
    bool newlines;
    const char *problem;
} json_scan;

/* One bit per open container: set for an object, clear for an array. */
typedef struct json_stack {
    uint64_t bits[(JSON_SYNTAX_MAX_DEPTH + 63) / 64];
    int depth;
} json_stack;

static void json_stack_push(json_stack *stack, bool object)
{
    uint64_t bit = 1ull << (stack->depth % 64);
    if (object)
        stack->bits[stack->depth / 64] |= bit;
    else
        stack->bits[stack->depth / 64] &= ~bit;
    stack->depth++;
}

static bool json_stack_top_is_object(const json_stack *stack)
{
    int top = stack->depth - 1;
    return (stack->bits[top / 64] >> (top % 64)) & 1;
}

static void json_scan_space(json_scan *s)
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

static bool json_scan_fail(json_scan *s, const char *problem)
{
    if (!s->problem)
        s->problem = problem;
    return false;
}

static bool json_scan_literal(json_scan *s, const char *word)
{
    size_t len = strlen(word);
    if ((size_t)(s->end - s->p) < len || memcmp(s->p, word, len) != 0)
        return json_scan_fail(s, "an invalid literal");
    s->p += len;
    return true;
}

/* The value of four hex digits at p, or -1. */
static int json_hex4(const unsigned char *p)
{
    int value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit_value((char)p[i]);
        if (digit < 0)
            return -1;
        value = value << 4 | digit;
    }
    return value;
}

/* Whether a word holds a byte that ends the plain part of a string: '"', '\\', a control
 * character or a non-ASCII byte (the classic SWAR zero-byte tests). */
static bool json_word_special(uint64_t word)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = word ^ (ones * '"');
    uint64_t backslash = word ^ (ones * '\\');
    uint64_t special = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                       (word - ones * 0x20) | word;
    return (special & highs) != 0;
}

/* A \u escape at s->p; a surrogate must come as a high-low pair (jansson refuses a lone one).
 * In an object key, \u0000 is refused as jansson refuses it: a key is a C string there, and the
 * tree mode would refuse the message that text mode let through. */
static bool json_scan_unicode_escape(json_scan *s, bool key)
{
    int value = s->end - s->p >= 6 ? json_hex4(s->p + 2) : -1;
    if (value < 0)
        return json_scan_fail(s, "an invalid \\u escape");
    if (value == 0 && key)
        return json_scan_fail(s, "a \\u0000 in an object key");
    s->p += 6;
    if (value >= 0xDC00 && value <= 0xDFFF)
        return json_scan_fail(s, "a lone low surrogate escape");
    if (value >= 0xD800 && value <= 0xDBFF) {
        int low = s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' ? json_hex4(s->p + 2)
                                                                           : -1;
        if (low < 0xDC00 || low > 0xDFFF)
            return json_scan_fail(s, "a high surrogate escape without its low surrogate");
        s->p += 6;
    }
    return true;
}

static bool json_scan_string(json_scan *s, bool key)
{
    s->p++; /* the opening quote */
    while (s->p < s->end) {
        while (s->end - s->p >= 8) {
            uint64_t word;
            memcpy(&word, s->p, 8);
            if (json_word_special(word))
                break;
            s->p += 8;
        }
        if (s->p >= s->end)
            break;
        unsigned char c = *s->p;
        if (c >= 0x80) {
            size_t n = utf8_sequence(s->p, (size_t)(s->end - s->p), NULL);
            if (n == 0)
                return json_scan_fail(s, "invalid UTF-8 in a string");
            s->p += n;
            continue;
        }
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20)
            return json_scan_fail(s, "a control character in a string");
        if (c == '\\') {
            if (s->end - s->p < 2)
                return json_scan_fail(s, "an unterminated string");
            unsigned char e = s->p[1];
            if (e == 'u') {
                if (!json_scan_unicode_escape(s, key))
                    return false;
            } else if (e && strchr("\"\\/bfnrt", e)) {
                s->p += 2;
            } else {
                return json_scan_fail(s, "an invalid escape");
            }
            continue;
        }
        s->p++;
    }
    return json_scan_fail(s, "an unterminated string");
}

static bool json_scan_digit(const json_scan *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static bool json_scan_number(json_scan *s)
{
    if (*s->p == '-')
        s->p++;
    if (!json_scan_digit(s))
        return json_scan_fail(s, "an invalid number");
    if (*s->p == '0')
        s->p++;
    else
        while (json_scan_digit(s))
            s->p++;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!json_scan_digit(s))
            return json_scan_fail(s, "an invalid number");
        while (json_scan_digit(s))
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!json_scan_digit(s))
            return json_scan_fail(s, "an invalid number");
        while (json_scan_digit(s))
            s->p++;
    }
    return true;
}

/* A scalar at s->p (string, number, literal). */
static bool json_scan_scalar(json_scan *s)
{
    switch (*s->p) {
    case '"': return json_scan_string(s, false);
    case 't': return json_scan_literal(s, "true");
    case 'f': return json_scan_literal(s, "false");
    case 'n': return json_scan_literal(s, "null");
    default:
        if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
            return json_scan_number(s);
        return json_scan_fail(s, "an unexpected character");
    }
}

ferry_status json_syntax_check(const void *text, size_t len, uint32_t *shape, char *why,
                               size_t whylen)
{
    const unsigned char *bytes = text ? text : (const unsigned char *)"";
    json_scan s = {bytes, bytes + (text ? len : 0), bytes, false, NULL};
    json_stack stack;
    stack.depth = 0;
    bool first_object = false;

    json_scan_space(&s);
    if (s.p >= s.end) {
        json_scan_fail(&s, "no JSON value");
        goto failed;
    }
    first_object = *s.p == '{';
    /* Each turn reads one value; containers push and the loop reads their members. */
    for (;;) {
        json_scan_space(&s);
        if (s.p >= s.end) {
            json_scan_fail(&s, "an unexpected end");
            goto failed;
        }
        /* jansson counts every value, scalars included, against its depth bound. */
        if (stack.depth == JSON_SYNTAX_MAX_DEPTH) {
            json_scan_fail(&s, "nesting deeper than 2048 levels");
            goto failed;
        }
        if (*s.p == '{' || *s.p == '[') {
            bool object = *s.p++ == '{';
            json_stack_push(&stack, object);
            json_scan_space(&s);
            if (s.p < s.end && *s.p == (object ? '}' : ']')) {
                s.p++;
                stack.depth--;
                goto value_done;
            }
            if (object)
                goto object_key;
            continue; /* the first element */
        }
        if (!json_scan_scalar(&s))
            goto failed;
    value_done:
        /* After a value: a separator, a close, or the end. */
        for (;;) {
            json_scan_space(&s);
            if (stack.depth == 0) {
                if (s.p != s.end) {
                    json_scan_fail(&s, "text after the JSON value");
                    goto failed;
                }
                if (shape)
                    *shape = (first_object ? FERRY_JSON_OBJECT : 0) |
                             (s.newlines ? FERRY_JSON_NEWLINES : 0);
                return FERRY_OK;
            }
            if (s.p >= s.end) {
                json_scan_fail(&s, "an unexpected end");
                goto failed;
            }
            bool object = json_stack_top_is_object(&stack);
            if (*s.p == (object ? '}' : ']')) {
                s.p++;
                stack.depth--;
                continue;
            }
            if (*s.p != ',') {
                json_scan_fail(&s, object ? "a missing ',' or '}'" : "a missing ',' or ']'");
                goto failed;
            }
            s.p++;
            if (!object)
                break; /* the next element */
            goto object_key;
        }
        continue;
    object_key:
        json_scan_space(&s);
        if (s.p >= s.end || *s.p != '"') {
            json_scan_fail(&s, "a missing object key");
            goto failed;
        }
        if (!json_scan_string(&s, true))
            goto failed;
        json_scan_space(&s);
        if (s.p >= s.end || *s.p != ':') {
            json_scan_fail(&s, "a missing ':'");
            goto failed;
        }
        s.p++;
    }
failed:
    return ferry_error_set(why, whylen, "%s at byte %zu", s.problem ? s.problem : "invalid JSON",
                           (size_t)(s.p - s.start));
}
