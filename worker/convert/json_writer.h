/*
 * json_writer.h - compact JSON written into a strbuf, byte for byte as Jackson (and so
 * Kafka's JsonConverter) writes it: no spaces, control characters as \b \t \n \f \r or \u00XX
 * with upper-case hex, characters beyond U+FFFF as the \uXXXX escapes of their surrogate pair,
 * everything else (U+2028 included) as UTF-8, invalid UTF-8 as U+FFFD, reals as Java's
 * Double.toString and Float.toString (java_number.h), bytes as padded base64.
 *
 * The text goes into a strbuf (support/strbuf.h), whose JSON string and base64 writers are the
 * ones every JSON writer of ferry uses. Every function appends and returns 0, or -1 when memory
 * has run out (the strbuf's sticky failure) or, for json_writer_value, the value is nested deeper
 * than JSON_WRITER_MAX_DEPTH; the buffer then holds a partial text that the caller discards. The
 * return value lets the recursive writers stop at once.
 */
#ifndef FERRY_JSON_WRITER_H
#define FERRY_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "support/strbuf.h"

/* jansson's parser stops at this depth too; a value built by a plugin may be deeper, or even
 * contain itself, and a writer must not recurse without end. */
#define JSON_WRITER_MAX_DEPTH 2048

static inline int json_writer_status(const strbuf *buffer)
{
    return strbuf_failed(buffer) ? -1 : 0;
}

static inline int json_writer_append(strbuf *buffer, const void *bytes, size_t len)
{
    strbuf_append(buffer, bytes, len);
    return json_writer_status(buffer);
}
#define json_writer_append_literal(buffer, text)                                                   \
    json_writer_append((buffer), (text), sizeof(text) - 1)

/* text as a quoted JSON string. */
static inline int json_writer_string(strbuf *buffer, const void *text, size_t len)
{
    strbuf_append_json_string(buffer, text, len);
    return json_writer_status(buffer);
}

/* bytes as a quoted JSON string of their base64 (standard alphabet, padded). */
static inline int json_writer_base64(strbuf *buffer, const void *bytes, size_t len)
{
    strbuf_append_char(buffer, '"');
    strbuf_append_base64(buffer, bytes, len);
    strbuf_append_char(buffer, '"');
    return json_writer_status(buffer);
}

static inline int json_writer_integer(strbuf *buffer, json_int_t value)
{
    strbuf_append_int(buffer, (int64_t)value);
    return json_writer_status(buffer);
}

/* Java's Double.toString and Float.toString; NaN and the infinities as strings, as Jackson. */
int json_writer_double(strbuf *buffer, double value);
int json_writer_float(strbuf *buffer, float value);

/* Any value, without a schema: objects in insertion order, integers as they are, reals as
 * doubles (what Kafka's JsonConverter makes of schemaless JSON). depth is the value's own
 * (0 at the top). */
int json_writer_value(strbuf *buffer, const json_t *value, int depth);

#endif
