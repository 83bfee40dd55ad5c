/*
 * strbuf.h - a growable string buffer. Allocation failures are sticky: once an append fails,
 * the buffer says so (strbuf_failed) and further appends do nothing, so that a caller building
 * a long text checks once at the end. The data is always NUL-terminated once anything has been
 * appended. A zeroed strbuf is an empty one: `strbuf b = {0};`.
 */
#ifndef FERRY_SUPPORT_STRBUF_H
#define FERRY_SUPPORT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct strbuf {
    char *data; /* NUL-terminated when not NULL */
    size_t len;
    size_t capacity;
    bool failed;
} strbuf;

/* Makes room for extra more bytes (and the NUL). false (and failed set) when out of memory. */
bool strbuf_reserve(strbuf *buffer, size_t extra);
void strbuf_append(strbuf *buffer, const void *bytes, size_t len);
void strbuf_append_str(strbuf *buffer, const char *text);
void strbuf_append_char(strbuf *buffer, char c);
void strbuf_append_int(strbuf *buffer, int64_t value);
void strbuf_append_printf(strbuf *buffer, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends bytes as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD. */
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
