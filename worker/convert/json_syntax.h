/*
 * json_syntax.h - a JSON syntax check that builds and allocates nothing: the JsonConverter's
 * text mode (a sink that forwards the bytes never pays for a tree) and, through the services
 * table (ferry_host.json_check), plugins that take JSON as strings or bytes.
 *
 * Strict RFC 8259, and as strict as jansson where jansson is stricter than the RFC, so that text
 * the check passes is text the tree parser would have read: no comments, no trailing commas,
 * valid UTF-8 in strings (no overlongs, no encoded surrogates), \u escapes of surrogates only in
 * high-low pairs, no \u0000 in an object key (jansson's keys are C strings), at most
 * JSON_SYNTAX_MAX_DEPTH levels of nesting (jansson's own bound). Numbers of any size pass (a
 * tree would hold them in 64 bits or a double).
 */
#ifndef FERRY_JSON_SYNTAX_H
#define FERRY_JSON_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

#define JSON_SYNTAX_MAX_DEPTH 2048

/* FERRY_OK when the bytes are exactly one JSON value (whitespace around it allowed), with its
 * FERRY_JSON_* flags in *shape when shape is not NULL; FERRY_ERROR otherwise, with what is wrong
 * and its byte offset in why (which may be NULL). */
ferry_status json_syntax_check(const void *text, size_t len, uint32_t *shape, char *why,
                               size_t whylen);

#endif
