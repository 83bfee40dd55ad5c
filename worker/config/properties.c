/*
 * properties.c - java.util.Properties.load() for UTF-8 text. The line reader and the key/value
 * split are ports of Java's LineReader.readLine() and Properties.load0(), quirks included, so a
 * file means to ferry what it means to a Java worker:
 *
 *   - a comment ('#' or '!' as the first non-blank character of a logical line) runs to the end
 *     of its physical line and is never continued, whatever it ends with;
 *   - a line ending in an odd number of backslashes continues on the next line, whose leading
 *     blanks (' ', '\t', '\f') are dropped; a blank line after a continuation ends the entry;
 *     a continuation at the end of the text just ends the value;
 *   - the key ends at the first unescaped '=', ':' or blank; then blanks, at most one '=' or
 *     ':', and blanks again are skipped; the rest of the line is the value;
 *   - \t \n \r \f \uXXXX are escapes, any other escaped character stands for itself.
 *
 * Where Java and UTF-8 part ways: Java reads bytes as ISO-8859-1, we take UTF-8 and refuse what is
 * not (Kafka users write UTF-8). \uXXXX surrogate pairs are joined into one character; a lone
 * surrogate, \u0000 and a NUL byte cannot be represented and are errors. Comments are skipped
 * unread, as in Java, so a stray byte in a comment is no error. A UTF-8 byte order mark at the
 * very start is skipped rather than becoming part of the first key.
 */
#include "config/properties.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"
#include "support/hex.h"
#include "support/strbuf.h"
#include "support/utf8.h"

/* A piece of a logical line copied from one physical line: logical bytes from `logical` on are
 * the input bytes from `input` on. Lets an error inside a continued line name its real line. */
typedef struct properties_segment {
    size_t logical;
    size_t input;
} properties_segment;

typedef struct properties_reader {
    const unsigned char *in;
    size_t len;
    size_t off;
    strbuf line; /* the current logical line, escapes still in */
    properties_segment *segments;
    size_t segment_count;
    size_t segment_cap;
    strbuf out; /* scratch for unescaping */
} properties_reader;

/* 1-based line of an input offset; "\r\n", "\r" and "\n" each end one line. */
static size_t properties_line_of(const properties_reader *reader, size_t offset)
{
    size_t line = 1;
    for (size_t i = 0; i < offset && i < reader->len; i++) {
        if (reader->in[i] == '\n')
            line++;
        else if (reader->in[i] == '\r' && !(i + 1 < reader->len && reader->in[i + 1] == '\n'))
            line++;
    }
    return line;
}

static size_t properties_line_of_logical(const properties_reader *reader, size_t pos)
{
    for (size_t i = reader->segment_count; i > 0; i--) {
        const properties_segment *segment = &reader->segments[i - 1];
        if (segment->logical <= pos)
            return properties_line_of(reader, segment->input + (pos - segment->logical));
    }
    return properties_line_of(reader, reader->off);
}

static int properties_segment_push(properties_reader *reader, size_t input)
{
    if (array_reserve(&reader->segments, &reader->segment_cap, reader->segment_count + 1,
                      sizeof(*reader->segments)) != 0)
        return -1;
    reader->segments[reader->segment_count].logical = reader->line.len;
    reader->segments[reader->segment_count].input = input;
    reader->segment_count++;
    return 0;
}

/* The next logical line into reader->line: 1, 0 at the end of the text, -1 on error. */
static int properties_read_line(properties_reader *reader, char *err, size_t errlen)
{
    bool skip_white_space = true;
    bool appended_line_begin = false;
    bool preceding_backslash = false;

    strbuf_reset(&reader->line);
    reader->segment_count = 0;

    for (;;) {
        if (reader->off >= reader->len) {
            if (reader->line.len == 0)
                return 0;
            if (preceding_backslash)
                strbuf_truncate(&reader->line, reader->line.len - 1);
            return 1;
        }
        size_t at = reader->off;
        unsigned char c = reader->in[reader->off++];

        if (skip_white_space) {
            if (c == ' ' || c == '\t' || c == '\f')
                continue;
            if (!appended_line_begin && (c == '\r' || c == '\n'))
                continue;
            skip_white_space = false;
            appended_line_begin = false;
            if (properties_segment_push(reader, at) != 0)
                goto out_of_memory;
        }
        if (reader->line.len == 0 && (c == '#' || c == '!')) {
            /* As in Java, a comment is consumed up to its line end without looking at it. */
            while (reader->off < reader->len && reader->in[reader->off] != '\r' &&
                   reader->in[reader->off] != '\n')
                reader->off++;
            if (reader->off >= reader->len)
                return 0;
            reader->off++;
            skip_white_space = true;
            reader->segment_count = 0;
            continue;
        }

        if (c != '\n' && c != '\r') {
            size_t n = 1;
            if (c == '\0') {
                ferry_error_set(err, errlen, "line %zu: NUL byte", properties_line_of(reader, at));
                return -1;
            }
            if (c >= 0x80) {
                n = utf8_sequence(reader->in + at, reader->len - at, NULL);
                if (n == 0) {
                    ferry_error_set(err, errlen, "line %zu: invalid UTF-8",
                                    properties_line_of(reader, at));
                    return -1;
                }
            }
            strbuf_append(&reader->line, reader->in + at, n);
            if (strbuf_failed(&reader->line))
                goto out_of_memory;
            reader->off = at + n;
            preceding_backslash = c == '\\' ? !preceding_backslash : false;
            continue;
        }

        /* A line end. */
        if (reader->line.len == 0) {
            skip_white_space = true;
            continue;
        }
        if (reader->off >= reader->len) {
            if (preceding_backslash)
                strbuf_truncate(&reader->line, reader->line.len - 1);
            return 1;
        }
        if (!preceding_backslash)
            return 1;
        /* A continuation: the backslash goes, the next line's leading blanks go, and "\r\n"
         * counts as one line end. */
        strbuf_truncate(&reader->line, reader->line.len - 1);
        skip_white_space = true;
        appended_line_begin = true;
        preceding_backslash = false;
        if (c == '\r' && reader->in[reader->off] == '\n')
            reader->off++;
    }

out_of_memory:
    ferry_error_set(err, errlen, "out of memory");
    return -1;
}

/* The four hex digits of a \u escape whose 'u' is at in[pos]; -1 when malformed. */
static int32_t properties_unicode_unit(const char *in, size_t pos, size_t end)
{
    if (pos + 5 > end)
        return -1;
    int32_t value = 0;
    for (size_t i = pos + 1; i < pos + 5; i++) {
        int digit = hex_digit_value(in[i]);
        if (digit < 0)
            return -1;
        value = (value << 4) | digit;
    }
    return value;
}

/* Java's loadConvert: line[start, end) unescaped into reader->out as a C string. */
static int properties_unescape(properties_reader *reader, size_t start, size_t end, char *err,
                               size_t errlen)
{
    const char *in = reader->line.data;
    strbuf *out = &reader->out;
    /* Unescaping never lengthens: \uXXXX (6 bytes) gives at most 3, a pair (12) gives 4. */
    strbuf_reset(out);
    if (!strbuf_reserve(out, end - start)) {
        ferry_error_set(err, errlen, "out of memory");
        return -1;
    }
    size_t pos = start;
    while (pos < end) {
        char c = in[pos];
        if (c != '\\') {
            strbuf_append_char(out, c);
            pos++;
            continue;
        }
        size_t escape_at = pos;
        /* The line reader drops an unescaped backslash at a line's end, so one always follows. */
        c = pos + 1 < end ? in[pos + 1] : '\\';
        pos += 2;
        switch (c) {
        case 't': strbuf_append_char(out, '\t'); continue;
        case 'n': strbuf_append_char(out, '\n'); continue;
        case 'r': strbuf_append_char(out, '\r'); continue;
        case 'f': strbuf_append_char(out, '\f'); continue;
        case 'u': break;
        default: strbuf_append_char(out, c); continue;
        }

        int32_t unit = properties_unicode_unit(in, pos - 1, end);
        if (unit < 0) {
            ferry_error_set(err, errlen, "line %zu: malformed \\uxxxx escape: expected 4 hex digits",
                            properties_line_of_logical(reader, escape_at));
            return -1;
        }
        pos += 4;
        uint32_t cp = (uint32_t)unit;
        if (cp == 0) {
            ferry_error_set(err, errlen, "line %zu: \\u0000 (NUL) is not allowed",
                            properties_line_of_logical(reader, escape_at));
            return -1;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int32_t low = -1;
            if (pos + 1 < end && in[pos] == '\\' && in[pos + 1] == 'u')
                low = properties_unicode_unit(in, pos + 1, end);
            if (low < 0xDC00 || low > 0xDFFF) {
                ferry_error_set(err, errlen,
                                "line %zu: \\u%04X is a high surrogate not followed by a \\u escape "
                                "of a low surrogate",
                                properties_line_of_logical(reader, escape_at), (unsigned)cp);
                return -1;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
            pos += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            ferry_error_set(err, errlen,
                            "line %zu: \\u%04X is a low surrogate without a high surrogate before it",
                            properties_line_of_logical(reader, escape_at), (unsigned)cp);
            return -1;
        }
        char encoded[4];
        strbuf_append(out, encoded, utf8_encode(cp, encoded));
    }
    return 0;
}

static void properties_reader_free(properties_reader *reader)
{
    strbuf_free(&reader->line);
    free(reader->segments);
    strbuf_free(&reader->out);
}

int properties_parse(const char *text, size_t len, config_map *out, char *err, size_t errlen)
{
    properties_reader reader = {.in = (const unsigned char *)text, .len = len};
    char *key = NULL;
    int result = -1;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        reader.off = 3;

    for (;;) {
        int got = properties_read_line(&reader, err, errlen);
        if (got < 0)
            goto cleanup;
        if (got == 0)
            break;

        /* Java's load0: the key ends at the first unescaped separator or blank. */
        const char *line = reader.line.data;
        size_t limit = reader.line.len;
        size_t key_len = 0;
        size_t value_start = limit;
        bool has_separator = false;
        bool preceding_backslash = false;
        while (key_len < limit) {
            char c = line[key_len];
            if ((c == '=' || c == ':') && !preceding_backslash) {
                value_start = key_len + 1;
                has_separator = true;
                break;
            }
            if ((c == ' ' || c == '\t' || c == '\f') && !preceding_backslash) {
                value_start = key_len + 1;
                break;
            }
            preceding_backslash = c == '\\' ? !preceding_backslash : false;
            key_len++;
        }
        while (value_start < limit) {
            char c = line[value_start];
            if (c != ' ' && c != '\t' && c != '\f') {
                if (!has_separator && (c == '=' || c == ':'))
                    has_separator = true;
                else
                    break;
            }
            value_start++;
        }

        if (properties_unescape(&reader, 0, key_len, err, errlen) != 0)
            goto cleanup;
        key = strdup(reader.out.data);
        if (!key)
            goto out_of_memory;
        if (properties_unescape(&reader, value_start, limit, err, errlen) != 0)
            goto cleanup;
        if (config_map_set(out, key, reader.out.data) != 0)
            goto out_of_memory;
        free(key);
        key = NULL;
    }
    result = 0;
    goto cleanup;

out_of_memory:
    ferry_error_set(err, errlen, "out of memory");
cleanup:
    free(key);
    properties_reader_free(&reader);
    return result;
}

int properties_parse_file(const char *path, config_map *out, char *err, size_t errlen)
{
    FILE *file = NULL;
    strbuf text = {0};
    int result = -1;
    char inner[512];

    file = fopen(path, "rb");
    if (!file) {
        ferry_error_set(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (strbuf_append_file(&text, file) != 0) {
        ferry_error_set(err, errlen, "%s: %s", path,
                        strbuf_failed(&text) ? "out of memory" : strerror(errno));
        goto cleanup;
    }
    if (properties_parse(text.data, text.len, out, inner, sizeof(inner)) != 0) {
        ferry_error_set(err, errlen, "%s: %s", path, inner);
        goto cleanup;
    }
    result = 0;

cleanup:
    if (file)
        fclose(file);
    strbuf_free(&text);
    return result;
}
