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
    char *line; /* the current logical line, escapes still in */
    size_t line_len;
    size_t line_cap;
    properties_segment *segments;
    size_t segment_count;
    size_t segment_cap;
    char *out; /* scratch for unescaping */
    size_t out_cap;
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

static int properties_grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t cap_new = *cap ? *cap : 128;
    while (cap_new < need)
        cap_new *= 2;
    char *grown = realloc(*buf, cap_new);
    if (!grown)
        return -1;
    *buf = grown;
    *cap = cap_new;
    return 0;
}

static int properties_segment_push(properties_reader *reader, size_t input)
{
    if (reader->segment_count == reader->segment_cap) {
        size_t cap = reader->segment_cap ? reader->segment_cap * 2 : 8;
        properties_segment *grown = realloc(reader->segments, cap * sizeof(*grown));
        if (!grown)
            return -1;
        reader->segments = grown;
        reader->segment_cap = cap;
    }
    reader->segments[reader->segment_count].logical = reader->line_len;
    reader->segments[reader->segment_count].input = input;
    reader->segment_count++;
    return 0;
}

/* Length of the well-formed UTF-8 sequence at p (at most avail bytes), or 0 when it is not one:
 * overlong forms, surrogates and code points above U+10FFFF are refused. */
static size_t properties_utf8_length(const unsigned char *p, size_t avail)
{
    if (p[0] < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* The next logical line into reader->line: 1, 0 at the end of the text, -1 on error. */
static int properties_read_line(properties_reader *reader, char *err, size_t errlen)
{
    bool skip_white_space = true;
    bool appended_line_begin = false;
    bool preceding_backslash = false;

    reader->line_len = 0;
    reader->segment_count = 0;

    for (;;) {
        if (reader->off >= reader->len) {
            if (reader->line_len == 0)
                return 0;
            if (preceding_backslash)
                reader->line_len--;
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
        if (reader->line_len == 0 && (c == '#' || c == '!')) {
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
                n = properties_utf8_length(reader->in + at, reader->len - at);
                if (n == 0) {
                    ferry_error_set(err, errlen, "line %zu: invalid UTF-8",
                                    properties_line_of(reader, at));
                    return -1;
                }
            }
            if (properties_grow(&reader->line, &reader->line_cap, reader->line_len + n + 1) != 0)
                goto out_of_memory;
            memcpy(reader->line + reader->line_len, reader->in + at, n);
            reader->line_len += n;
            reader->off = at + n;
            preceding_backslash = c == '\\' ? !preceding_backslash : false;
            continue;
        }

        /* A line end. */
        if (reader->line_len == 0) {
            skip_white_space = true;
            continue;
        }
        if (reader->off >= reader->len) {
            if (preceding_backslash)
                reader->line_len--;
            return 1;
        }
        if (!preceding_backslash)
            return 1;
        /* A continuation: the backslash goes, the next line's leading blanks go, and "\r\n"
         * counts as one line end. */
        reader->line_len--;
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

static int properties_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits of a \u escape whose 'u' is at in[pos]; -1 when malformed. */
static int32_t properties_unicode_unit(const char *in, size_t pos, size_t end)
{
    if (pos + 5 > end)
        return -1;
    int32_t value = 0;
    for (size_t i = pos + 1; i < pos + 5; i++) {
        int digit = properties_hex_value(in[i]);
        if (digit < 0)
            return -1;
        value = (value << 4) | digit;
    }
    return value;
}

static size_t properties_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Java's loadConvert: line[start, end) unescaped into reader->out as a C string. */
static int properties_unescape(properties_reader *reader, size_t start, size_t end, char *err,
                               size_t errlen)
{
    const char *in = reader->line;
    /* Unescaping never lengthens: \uXXXX (6 bytes) gives at most 3, a pair (12) gives 4. */
    if (properties_grow(&reader->out, &reader->out_cap, end - start + 1) != 0) {
        ferry_error_set(err, errlen, "out of memory");
        return -1;
    }
    char *out = reader->out;
    size_t len = 0;
    size_t pos = start;
    while (pos < end) {
        char c = in[pos];
        if (c != '\\') {
            out[len++] = c;
            pos++;
            continue;
        }
        size_t escape_at = pos;
        /* The line reader drops an unescaped backslash at a line's end, so one always follows. */
        c = pos + 1 < end ? in[pos + 1] : '\\';
        pos += 2;
        switch (c) {
        case 't': out[len++] = '\t'; continue;
        case 'n': out[len++] = '\n'; continue;
        case 'r': out[len++] = '\r'; continue;
        case 'f': out[len++] = '\f'; continue;
        case 'u': break;
        default: out[len++] = c; continue;
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
        len += properties_utf8_encode(cp, out + len);
    }
    out[len] = '\0';
    return 0;
}

static void properties_reader_free(properties_reader *reader)
{
    free(reader->line);
    free(reader->segments);
    free(reader->out);
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
        const char *line = reader.line;
        size_t limit = reader.line_len;
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
        key = strdup(reader.out);
        if (!key)
            goto out_of_memory;
        if (properties_unescape(&reader, value_start, limit, err, errlen) != 0)
            goto cleanup;
        if (config_map_set(out, key, reader.out) != 0)
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
    char *text = NULL;
    size_t len = 0, cap = 0;
    int result = -1;
    char inner[512];

    file = fopen(path, "rb");
    if (!file) {
        ferry_error_set(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    for (;;) {
        if (properties_grow(&text, &cap, len + 4096) != 0) {
            ferry_error_set(err, errlen, "%s: out of memory", path);
            goto cleanup;
        }
        size_t got = fread(text + len, 1, cap - len, file);
        len += got;
        if (got == 0) {
            if (ferror(file)) {
                ferry_error_set(err, errlen, "%s: %s", path, strerror(errno));
                goto cleanup;
            }
            break;
        }
    }
    if (properties_parse(text, len, out, inner, sizeof(inner)) != 0) {
        ferry_error_set(err, errlen, "%s: %s", path, inner);
        goto cleanup;
    }
    result = 0;

cleanup:
    if (file)
        fclose(file);
    free(text);
    return result;
}
