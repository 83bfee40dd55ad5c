/*
 * es_json_check.h - a JSON syntax check that allocates nothing: a string or bytes value that
 * holds a JSON object goes into the bulk body as it is, once this says it is one (RFC 8259,
 * strict: no comments, no trailing commas, valid UTF-8 in strings).
 */
#ifndef FERRY_ES_JSON_CHECK_H
#define FERRY_ES_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define ES_JSON_MAX_DEPTH 512

typedef struct es_json_shape {
    bool object;   /* the top-level value is an object */
    bool newlines; /* there is a '\n' or '\r' between tokens (pretty-printed) */
} es_json_shape;

/* 0 when the bytes are exactly one JSON value (surrounding whitespace allowed), with its shape;
 * -1 otherwise, with the byte offset of the problem and what it is in why. */
int es_json_check(const char *text, size_t len, es_json_shape *shape, char *why, size_t whylen);

#endif
