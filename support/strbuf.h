/*
 * strbuf.h - a growable string buffer. Allocation failures are sticky: once an append fails,
 * the buffer says so (strbuf_failed) and further appends do nothing, so that a caller building
 * a long text checks once at the end. The data is always NUL-terminated once anything has been
 * appended. A zeroed strbuf is an empty one: `strbuf b = {0};`.
 *
 * The appends of bytes, strings and characters are inline: when the buffer has room they are a
 * copy and a store, so that a writer on a hot path (a converter, a bulk encoder) pays no call.
 * The buffer never shrinks: one reused for every record stops allocating once it has grown.
 */
#ifndef FERRY_SUPPORT_STRBUF_H
#define FERRY_SUPPORT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct strbuf {
    char *data; /* NUL-terminated when not NULL */
    size_t len;
    size_t capacity; /* bytes allocated at data, the NUL's included */
    bool failed;
} strbuf;

/* Makes room for extra more bytes (and the NUL). false (and failed set) when out of memory. */
bool strbuf_reserve(strbuf *buffer, size_t extra);

/* The slow paths of the inline appends below (growing, or a failed buffer); call those. */
void strbuf_append_grow(strbuf *buffer, const void *bytes, size_t len);
void strbuf_append_char_grow(strbuf *buffer, char c);

/* bytes may be NULL when len is 0. */
static inline void strbuf_append(strbuf *buffer, const void *bytes, size_t len)
{
    /* The NUL needs one byte more than len: strictly less than the room left. */
    if (!buffer->failed && len < buffer->capacity - buffer->len) {
        if (len)
            memcpy(buffer->data + buffer->len, bytes, len);
        buffer->len += len;
        buffer->data[buffer->len] = '\0';
        return;
    }
    strbuf_append_grow(buffer, bytes, len);
}

static inline void strbuf_append_str(strbuf *buffer, const char *text)
{
    strbuf_append(buffer, text, strlen(text));
}

/* A string literal, its length known at compile time. */
#define strbuf_append_literal(buffer, literal) strbuf_append((buffer), "" literal, sizeof(literal) - 1)

static inline void strbuf_append_char(strbuf *buffer, char c)
{
    if (!buffer->failed && buffer->capacity - buffer->len >= 2) {
        buffer->data[buffer->len++] = c;
        buffer->data[buffer->len] = '\0';
        return;
    }
    strbuf_append_char_grow(buffer, c);
}

void strbuf_append_int(strbuf *buffer, int64_t value);
void strbuf_append_printf(strbuf *buffer, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends bytes as a JSON string, quotes included, as Kafka's JsonConverter (Jackson) writes
 * one: '"' and '\\' escaped, \b \t \n \f \r, other control characters as \u00XX (upper-case
 * hex), everything else (DEL, '/', U+2028) as it is. Invalid UTF-8 becomes U+FFFD, one for each
 * maximal subpart (utf8_invalid_length), as Java decodes it. */
void strbuf_append_json_string(strbuf *buffer, const void *bytes, size_t len);
/* Appends the base64 (standard alphabet, padded) of bytes. */
void strbuf_append_base64(strbuf *buffer, const void *bytes, size_t len);
static inline bool strbuf_failed(const strbuf *buffer) { return buffer->failed; }
/* Empties the buffer, keeping its memory (and clearing failed). */
void strbuf_reset(strbuf *buffer);
/* Hands the text to the caller (malloc'd, NUL-terminated; an empty string when nothing was
 * appended; NULL when failed) and leaves the buffer empty. len may be NULL. */
char *strbuf_take(strbuf *buffer, size_t *len);
void strbuf_free(strbuf *buffer);

#endif
