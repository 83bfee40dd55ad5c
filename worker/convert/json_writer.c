/*
 * json_writer.c - compact JSON into a converter_buffer (json_writer.h).
 *
 * Written for the serialise side, the hot path of every source task: no json_t is built, nothing
 * is allocated once the task's buffer has grown (jansson's json_dump_callback allocates a
 * loop-detection table on every call), strings are escaped straight into the buffer.
 */
#include "convert/json_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/java_number.h"
#include "convert/json_syntax.h"

static const char json_writer_hex[] = "0123456789ABCDEF";

static const char json_writer_base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ------------------------------------------------------------------------------------------ */
/* The output buffer                                                                          */

void converter_buffer_free(converter_buffer *buffer)
{
    if (!buffer)
        return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->len = 0;
    buffer->capacity = 0;
}

/* Makes room for extra more bytes after buffer->len. Doubling keeps the number of reallocations
 * logarithmic in the largest record; the buffer never shrinks, so a task in steady state does not
 * allocate at all. */
int json_writer_reserve(converter_buffer *buffer, size_t extra)
{
    if (extra > SIZE_MAX - buffer->len)
        return -1;
    size_t needed = buffer->len + extra;
    if (needed <= buffer->capacity)
        return 0;
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity < needed) {
        if (capacity > SIZE_MAX / 2) {
            capacity = needed;
            break;
        }
        capacity *= 2;
    }
    char *data = realloc(buffer->data, capacity);
    if (!data)
        return -1;
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

int json_writer_append(converter_buffer *buffer, const void *bytes, size_t len)
{
    if (len == 0)
        return 0;
    if (json_writer_reserve(buffer, len) != 0)
        return -1;
    memcpy(buffer->data + buffer->len, bytes, len);
    buffer->len += len;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON strings                                                                               */

/* 1 for the bytes a JSON string carries as they are: printable ASCII but the quote and the
 * backslash. Bytes from 0x80 go through the UTF-8 check. */
static const unsigned char json_writer_plain[256] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7F] = 1,
};

/* Writes \uXXXX with upper-case hex digits. */
static void json_writer_unicode_escape(unsigned int unit, char *out)
{
    out[0] = '\\';
    out[1] = 'u';
    for (int digit = 0; digit < 4; digit++)
        out[2 + digit] = json_writer_hex[(unit >> (12 - 4 * digit)) & 0xF];
}

/* The 12 characters \uD8xx\uDCxx of the four-byte (valid) UTF-8 sequence at text. */
static void json_writer_surrogates(const unsigned char *text, char *out)
{
    unsigned int code = ((text[0] & 0x07u) << 18) | ((text[1] & 0x3Fu) << 12) |
                        ((text[2] & 0x3Fu) << 6) | (text[3] & 0x3Fu);
    code -= 0x10000;
    json_writer_unicode_escape(0xD800 + (code >> 10), out);
    json_writer_unicode_escape(0xDC00 + (code & 0x3FF), out + 6);
}

/* Writes text as the inside of a JSON string (no quotes) to out, or only measures it when out is
 * NULL: one function for both so that the measured length is the written length. */
static size_t json_writer_escape(const unsigned char *text, size_t len, char *out)
{
    size_t o = 0;
    size_t i = 0;

    while (i < len) {
        size_t start = i;
        while (i < len && json_writer_plain[text[i]])
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
            bool valid;
            size_t n = json_utf8_sequence(text + i, len - i, &valid);
            if (valid && n == 4) {
                /* Jackson (before 2.18, and after it by default) writes a character beyond
                 * U+FFFF as the escapes of its UTF-16 surrogate pair. */
                if (out)
                    json_writer_surrogates(text + i, out + o);
                o += 12;
            } else if (valid) {
                if (out)
                    memcpy(out + o, text + i, n);
                o += n;
            } else {
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
            if (out)
                json_writer_unicode_escape(c, out + o);
            o += 6;
        }
        i++;
    }
    return o;
}

/* Appends text as a quoted JSON string. */
int json_writer_string(converter_buffer *buffer, const void *text, size_t len)
{
    size_t escaped = json_writer_escape(text, len, NULL);
    if (escaped > SIZE_MAX - 2 || json_writer_reserve(buffer, escaped + 2) != 0)
        return -1;
    char *out = buffer->data + buffer->len;
    out[0] = '"';
    json_writer_escape(text, len, out + 1);
    out[escaped + 1] = '"';
    buffer->len += escaped + 2;
    return 0;
}

/* Appends bytes as a quoted JSON string of their base64 (standard alphabet, padded), as Kafka's
 * JsonConverter writes a bytes value. */
int json_writer_base64(converter_buffer *buffer, const void *bytes, size_t len)
{
    const unsigned char *in = bytes;
    if (len / 3 >= (SIZE_MAX - 8) / 4)
        return -1;
    size_t encoded = (len + 2) / 3 * 4;
    if (json_writer_reserve(buffer, encoded + 2) != 0)
        return -1;
    char *out = buffer->data + buffer->len;
    size_t o = 0;
    out[o++] = '"';
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t triple = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = json_writer_base64_alphabet[triple >> 18];
        out[o++] = json_writer_base64_alphabet[(triple >> 12) & 0x3F];
        out[o++] = json_writer_base64_alphabet[(triple >> 6) & 0x3F];
        out[o++] = json_writer_base64_alphabet[triple & 0x3F];
    }
    if (len - i == 1) {
        uint32_t triple = (uint32_t)in[i] << 16;
        out[o++] = json_writer_base64_alphabet[triple >> 18];
        out[o++] = json_writer_base64_alphabet[(triple >> 12) & 0x3F];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t triple = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = json_writer_base64_alphabet[triple >> 18];
        out[o++] = json_writer_base64_alphabet[(triple >> 12) & 0x3F];
        out[o++] = json_writer_base64_alphabet[(triple >> 6) & 0x3F];
        out[o++] = '=';
    }
    out[o++] = '"';
    buffer->len += o;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Numbers and values                                                                         */

int json_writer_integer(converter_buffer *buffer, json_int_t value)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, value);
    if (n < 0 || (size_t)n >= sizeof(text))
        return -1;
    return json_writer_append(buffer, text, (size_t)n);
}

/* Jackson writes what Java's toString gives, and the values JSON has no number for as strings
 * (its default WRITE_NAN_AS_STRINGS). */
static int json_writer_java_number(converter_buffer *buffer, const char *text, size_t len)
{
    if (java_number_is_special(text))
        return json_writer_string(buffer, text, len);
    return json_writer_append(buffer, text, len);
}

int json_writer_double(converter_buffer *buffer, double value)
{
    char text[JAVA_NUMBER_MAX];
    size_t len = java_number_double(value, text);
    return json_writer_java_number(buffer, text, len);
}

int json_writer_float(converter_buffer *buffer, float value)
{
    char text[JAVA_NUMBER_MAX];
    size_t len = java_number_float(value, text);
    return json_writer_java_number(buffer, text, len);
}

int json_writer_value(converter_buffer *buffer, const json_t *value, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;

    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        if (json_writer_append_literal(buffer, "{") != 0)
            return -1;
        /* jansson keeps insertion order: a map is written in the order it was built. */
        void *iter = json_object_iter((json_t *)value);
        for (; iter; iter = json_object_iter_next((json_t *)value, iter)) {
            key = json_object_iter_key(iter);
            member = json_object_iter_value(iter);
#if JANSSON_VERSION_HEX >= 0x020e00
            size_t key_len = json_object_iter_key_len(iter);
#else
            size_t key_len = strlen(key);
#endif
            if (!first && json_writer_append_literal(buffer, ",") != 0)
                return -1;
            first = false;
            if (json_writer_string(buffer, key, key_len) != 0 ||
                json_writer_append_literal(buffer, ":") != 0 ||
                json_writer_value(buffer, member, depth + 1) != 0)
                return -1;
        }
        return json_writer_append_literal(buffer, "}");
    }
    case JSON_ARRAY: {
        if (json_writer_append_literal(buffer, "[") != 0)
            return -1;
        for (size_t i = 0; i < json_array_size(value); i++) {
            if (i > 0 && json_writer_append_literal(buffer, ",") != 0)
                return -1;
            if (json_writer_value(buffer, json_array_get(value, i), depth + 1) != 0)
                return -1;
        }
        return json_writer_append_literal(buffer, "]");
    }
    case JSON_STRING:
        return json_writer_string(buffer, json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        return json_writer_integer(buffer, json_integer_value(value));
    case JSON_REAL:
        /* Kafka's JsonConverter reads a real without a schema as a FLOAT64. */
        return json_writer_double(buffer, json_real_value(value));
    case JSON_TRUE:
        return json_writer_append_literal(buffer, "true");
    case JSON_FALSE:
        return json_writer_append_literal(buffer, "false");
    case JSON_NULL:
        return json_writer_append_literal(buffer, "null");
    }
    return -1;
}

