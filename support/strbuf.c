/*
 * strbuf.c - the growable string buffer of strbuf.h: growth, the appends that format (integers,
 * printf, JSON strings, base64) and handing the text over.
 */
#include "support/strbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "support/base64.h"
#include "support/utf8.h"

/* The first allocation: room for a typical record or message without a regrowth. */
#define STRBUF_FIRST_CAPACITY 256

bool strbuf_reserve(strbuf *buffer, size_t extra)
{
    if (buffer->failed)
        return false;
    if (extra >= SIZE_MAX - buffer->len) {
        buffer->failed = true;
        return false;
    }
    size_t needed = buffer->len + extra + 1; /* the NUL */
    if (needed <= buffer->capacity)
        return true;
    /* Doubling keeps the number of reallocations logarithmic in the longest text. */
    size_t capacity = buffer->capacity ? buffer->capacity : STRBUF_FIRST_CAPACITY;
    while (capacity < needed)
        capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
    char *data = realloc(buffer->data, capacity);
    if (!data) {
        buffer->failed = true;
        return false;
    }
    if (!buffer->data)
        data[0] = '\0';
    buffer->data = data;
    buffer->capacity = capacity;
    return true;
}

void strbuf_append_grow(strbuf *buffer, const void *bytes, size_t len)
{
    if (!strbuf_reserve(buffer, len))
        return;
    if (len)
        memcpy(buffer->data + buffer->len, bytes, len);
    buffer->len += len;
    buffer->data[buffer->len] = '\0';
}

void strbuf_append_char_grow(strbuf *buffer, char c)
{
    strbuf_append_grow(buffer, &c, 1);
}

void strbuf_append_int(strbuf *buffer, int64_t value)
{
    char text[24];
    int len = snprintf(text, sizeof(text), "%" PRId64, value);
    strbuf_append(buffer, text, (size_t)len);
}

void strbuf_append_printf(strbuf *buffer, const char *fmt, ...)
{
    if (buffer->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    size_t room = buffer->capacity - buffer->len;
    int len = vsnprintf(room ? buffer->data + buffer->len : NULL, room, fmt, ap);
    va_end(ap);
    if (len < 0) {
        buffer->failed = true; /* a text longer than INT_MAX, or a bad format */
        return;
    }
    if ((size_t)len >= room) {
        if (!strbuf_reserve(buffer, (size_t)len))
            return;
        va_start(ap, fmt);
        vsnprintf(buffer->data + buffer->len, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    buffer->len += (size_t)len;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON strings                                                                               */

/* 1 for the bytes a JSON string carries as they are: printable ASCII but the quote and the
 * backslash, and DEL. Bytes from 0x80 go through the UTF-8 check. */
static const unsigned char strbuf_json_plain[256] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7F] = 1,
};

/* Writes text as the inside of a JSON string (no quotes) to out, or only measures it when out is
 * NULL: one function for both so that the measured length is the written length. */
static size_t strbuf_json_escape(const unsigned char *text, size_t len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    size_t i = 0;

    while (i < len) {
        size_t start = i;
        while (i < len && strbuf_json_plain[text[i]])
            i++;
        if (i > start) {
            if (out)
                memcpy(out + o, text + start, i - start);
            o += i - start;
            if (i == len)
                break;
        }

        unsigned char c = text[i];
        if (c >= 0x80) {
            size_t n = utf8_sequence(text + i, len - i, NULL);
            if (n) {
                if (out)
                    memcpy(out + o, text + i, n);
                o += n;
            } else {
                n = utf8_invalid_length(text + i, len - i);
                if (out)
                    memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
                o += 3;
            }
            i += n;
            continue;
        }

        char short_form = 0;
        switch (c) {
        case '"': short_form = '"'; break;
        case '\\': short_form = '\\'; break;
        case '\b': short_form = 'b'; break;
        case '\t': short_form = 't'; break;
        case '\n': short_form = 'n'; break;
        case '\f': short_form = 'f'; break;
        case '\r': short_form = 'r'; break;
        default: break;
        }
        if (short_form) {
            if (out) {
                out[o] = '\\';
                out[o + 1] = short_form;
            }
            o += 2;
        } else {
            if (out) {
                memcpy(out + o, "\\u00", 4);
                out[o + 4] = hex[c >> 4];
                out[o + 5] = hex[c & 0xF];
            }
            o += 6;
        }
        i++;
    }
    return o;
}

void strbuf_append_json_string(strbuf *buffer, const void *bytes, size_t len)
{
    if (buffer->failed)
        return;
    /* One pass when the worst case (every byte a \u00XX) already fits, as it does for most
     * values once a reused buffer has grown; otherwise measure first, so that one long value
     * does not leave the buffer six times its size. */
    size_t room = buffer->capacity - buffer->len;
    if (room < 3 || len > (room - 3) / 6) {
        size_t escaped = strbuf_json_escape(bytes, len, NULL);
        if (escaped > SIZE_MAX - 2 || !strbuf_reserve(buffer, escaped + 2)) {
            buffer->failed = true;
            return;
        }
    }
    char *out = buffer->data + buffer->len;
    out[0] = '"';
    size_t escaped = strbuf_json_escape(bytes, len, out + 1);
    out[escaped + 1] = '"';
    buffer->len += escaped + 2;
    buffer->data[buffer->len] = '\0';
}

void strbuf_append_base64(strbuf *buffer, const void *bytes, size_t len)
{
    if (len / 3 >= (SIZE_MAX - 8) / 4) {
        buffer->failed = true;
        return;
    }
    if (!strbuf_reserve(buffer, base64_encoded_length(len)))
        return;
    buffer->len += base64_encode(bytes, len, false, buffer->data + buffer->len);
}

/* ------------------------------------------------------------------------------------------ */
/* Handing over                                                                               */

void strbuf_reset(strbuf *buffer)
{
    buffer->len = 0;
    buffer->failed = false;
    if (buffer->data)
        buffer->data[0] = '\0';
}

char *strbuf_take(strbuf *buffer, size_t *len)
{
    char *data = buffer->data;
    size_t data_len = buffer->len;
    if (buffer->failed) {
        free(data);
        data = NULL;
        data_len = 0;
    } else if (!data) {
        data = calloc(1, 1);
    }
    if (len)
        *len = data_len;
    *buffer = (strbuf){0};
    return data;
}

void strbuf_free(strbuf *buffer)
{
    free(buffer->data);
    *buffer = (strbuf){0};
}
