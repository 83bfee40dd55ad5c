/*
 * es_buffer.h - a growing byte buffer and the text helpers the bulk encoder needs: JSON string
 * escaping, base64, UTF-8 validation. Allocation failures are sticky: once an append fails the
 * buffer reports it (es_buffer_failed) and further appends do nothing, so a caller checks once.
 */
#ifndef FERRY_ES_BUFFER_H
#define FERRY_ES_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_buffer {
    char *data; /* NUL-terminated when not NULL */
    size_t len;
    size_t capacity;
    bool failed;
} es_buffer;

bool es_buffer_reserve(es_buffer *buffer, size_t extra);
void es_buffer_append(es_buffer *buffer, const void *bytes, size_t len);
void es_buffer_append_text(es_buffer *buffer, const char *text);
void es_buffer_append_char(es_buffer *buffer, char c);
void es_buffer_append_int(es_buffer *buffer, int64_t value);
/* Appends bytes as a JSON string, quotes included. Invalid UTF-8 becomes U+FFFD. */
void es_buffer_append_json_string(es_buffer *buffer, const void *bytes, size_t len);
void es_buffer_append_base64(es_buffer *buffer, const void *bytes, size_t len);
static inline bool es_buffer_failed(const es_buffer *buffer) { return buffer->failed; }
/* Empties the buffer, keeping its memory. */
void es_buffer_reset(es_buffer *buffer);
/* Hands the bytes to the caller (malloc'd, NUL-terminated; NULL when empty or failed) and
 * empties the buffer. */
char *es_buffer_take(es_buffer *buffer, size_t *len);
void es_buffer_free(es_buffer *buffer);

/* Whether the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool es_utf8_valid(const void *bytes, size_t len);

#endif
