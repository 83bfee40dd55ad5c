/*
 * es_buffer.c - the growing buffer and text helpers of es_buffer.h.
 */
#include "es_buffer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool es_buffer_reserve(es_buffer *buffer, size_t extra)
{
    if (buffer->failed)
        return false;
    if (extra > SIZE_MAX / 2 - buffer->len) {
        buffer->failed = true;
        return false;
    }
    size_t needed = buffer->len + extra + 1; /* the NUL */
    if (needed <= buffer->capacity)
        return true;
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity < needed)
        capacity *= 2;
    char *data = realloc(buffer->data, capacity);
    if (!data) {
        buffer->failed = true;
        return false;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return true;
}

void es_buffer_append(es_buffer *buffer, const void *bytes, size_t len)
{
    if (!es_buffer_reserve(buffer, len))
        return;
    if (len)
        memcpy(buffer->data + buffer->len, bytes, len);
    buffer->len += len;
    buffer->data[buffer->len] = '\0';
}

void es_buffer_append_text(es_buffer *buffer, const char *text)
{
    es_buffer_append(buffer, text, strlen(text));
}

void es_buffer_append_char(es_buffer *buffer, char c)
{
    es_buffer_append(buffer, &c, 1);
}

void es_buffer_append_int(es_buffer *buffer, int64_t value)
{
    char text[32];
    int len = snprintf(text, sizeof(text), "%" PRId64, value);
    es_buffer_append(buffer, text, (size_t)len);
}

/* The length of the UTF-8 sequence starting at in (at most left bytes), 0 when it is invalid. */
static size_t es_utf8_sequence(const unsigned char *in, size_t left)
{
    unsigned char c = in[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t min, code;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, code = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, code = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, code = c & 0x07;
    } else {
        return 0;
    }
    if (left < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((in[i] & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (in[i] & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0;
    return len;
}

bool es_utf8_valid(const void *bytes, size_t len)
{
    const unsigned char *in = bytes;
    for (size_t i = 0; i < len;) {
        /* ASCII eight bytes at a time: documents are mostly ASCII. */
        while (i + 8 <= len) {
            uint64_t word;
            memcpy(&word, in + i, 8);
            if (word & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (in[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = es_utf8_sequence(in + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

void es_buffer_append_json_string(es_buffer *buffer, const void *bytes, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *in = bytes;
    /* Worst case: every byte becomes \u00XX (6) or U+FFFD (3 bytes). */
    if (len > SIZE_MAX / 8 || !es_buffer_reserve(buffer, len * 6 + 2)) {
        buffer->failed = true;
        return;
    }
    char *out = buffer->data + buffer->len;
    *out++ = '"';
    for (size_t i = 0; i < len;) {
        unsigned char c = in[i];
        if (c >= 0x80) {
            size_t n = es_utf8_sequence(in + i, len - i);
            if (n == 0) {
                memcpy(out, "\xef\xbf\xbd", 3);
                out += 3;
                i++;
            } else {
                memcpy(out, in + i, n);
                out += n;
                i += n;
            }
            continue;
        }
        i++;
        switch (c) {
        case '"': *out++ = '\\'; *out++ = '"'; break;
        case '\\': *out++ = '\\'; *out++ = '\\'; break;
        case '\n': *out++ = '\\'; *out++ = 'n'; break;
        case '\r': *out++ = '\\'; *out++ = 'r'; break;
        case '\t': *out++ = '\\'; *out++ = 't'; break;
        case '\b': *out++ = '\\'; *out++ = 'b'; break;
        case '\f': *out++ = '\\'; *out++ = 'f'; break;
        default:
            if (c < 0x20) {
                memcpy(out, "\\u00", 4);
                out += 4;
                *out++ = hex[c >> 4];
                *out++ = hex[c & 0xf];
            } else {
                *out++ = (char)c;
            }
        }
    }
    *out++ = '"';
    buffer->len = (size_t)(out - buffer->data);
    buffer->data[buffer->len] = '\0';
}

void es_buffer_append_base64(es_buffer *buffer, const void *bytes, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *in = bytes;
    if (len > SIZE_MAX / 2 || !es_buffer_reserve(buffer, (len + 2) / 3 * 4)) {
        buffer->failed = true;
        return;
    }
    char *out = buffer->data + buffer->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = alphabet[(v >> 6) & 63];
        *out++ = alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = alphabet[v >> 18];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
    buffer->len = (size_t)(out - buffer->data);
    buffer->data[buffer->len] = '\0';
}

void es_buffer_reset(es_buffer *buffer)
{
    buffer->len = 0;
    buffer->failed = false;
    if (buffer->data)
        buffer->data[0] = '\0';
}

char *es_buffer_take(es_buffer *buffer, size_t *len)
{
    char *data = buffer->failed || buffer->len == 0 ? NULL : buffer->data;
    if (len)
        *len = data ? buffer->len : 0;
    if (!data)
        free(buffer->data);
    *buffer = (es_buffer){0};
    return data;
}

void es_buffer_free(es_buffer *buffer)
{
    free(buffer->data);
    *buffer = (es_buffer){0};
}
