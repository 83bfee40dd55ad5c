/*
 * json_writer.h - compact JSON written into a converter_buffer, byte for byte as Jackson (and so
 * Kafka's JsonConverter) writes it: no spaces, control characters as \b \t \n \f \r or \u00XX
 * with upper-case hex, characters beyond U+FFFF as the \uXXXX escapes of their surrogate pair,
 * everything else (U+2028 included) as UTF-8, invalid UTF-8 as U+FFFD, reals as Java's
 * Double.toString and Float.toString (java_number.h), bytes as padded base64.
 *
 * Every function appends to buffer->data at buffer->len and returns 0, or -1 when memory runs
 * out (or, for json_writer_value, the value is nested deeper than JSON_WRITER_MAX_DEPTH); the
 * buffer then holds a partial text that the caller discards.
 */
#ifndef FERRY_JSON_WRITER_H
#define FERRY_JSON_WRITER_H

#include <stddef.h>

#include <jansson.h>

#include "convert/converter.h"

/* jansson's parser stops at this depth too; a value built by a plugin may be deeper, or even
 * contain itself, and a writer must not recurse without end. */
#define JSON_WRITER_MAX_DEPTH 2048

/* Makes room for extra more bytes after buffer->len (the buffer doubles, and never shrinks). */
int json_writer_reserve(converter_buffer *buffer, size_t extra);
int json_writer_append(converter_buffer *buffer, const void *bytes, size_t len);
#define json_writer_append_literal(buffer, text)                                                   \
    json_writer_append((buffer), (text), sizeof(text) - 1)

/* text as a quoted JSON string. */
int json_writer_string(converter_buffer *buffer, const void *text, size_t len);
/* bytes as a quoted JSON string of their base64 (standard alphabet, padded). */
int json_writer_base64(converter_buffer *buffer, const void *bytes, size_t len);
int json_writer_integer(converter_buffer *buffer, json_int_t value);
/* Java's Double.toString and Float.toString; NaN and the infinities as strings, as Jackson. */
int json_writer_double(converter_buffer *buffer, double value);
int json_writer_float(converter_buffer *buffer, float value);

/* Any value, without a schema: objects in insertion order, integers as they are, reals as
 * doubles (what Kafka's JsonConverter makes of schemaless JSON). depth is the value's own
 * (0 at the top). */
int json_writer_value(converter_buffer *buffer, const json_t *value, int depth);

#endif
