/*
 * es_value.h - a record's value as the bytes of an Elasticsearch document.
 *
 * A JSON value reaches the body as the bytes it came in whenever it can: checked (a JSON object,
 * no line break) but not serialised again. Strings and bytes are checked with the host's
 * json_check; JSON values the host already checked (FERRY_SINK_JSON_TEXT: json == NULL) are not
 * checked again. It is rewritten only when Confluent's connector would
 * write something else: a Connect schema with decimals or maps (schema.ignore=false), or a data
 * stream document that needs @timestamp replaced. Adding @timestamp is a byte insertion.
 */
#ifndef FERRY_ES_VALUE_H
#define FERRY_ES_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

#include "support/strbuf.h"

typedef struct es_value_options {
    bool use_schema;          /* rewrite by the value's Connect schema (schema.ignore=false) */
    bool compact_map_entries;
    bool data_stream;         /* set @timestamp */
    char *const *timestamp_fields; /* NULL-terminated; empty = the record's timestamp */
} es_value_options;

/* Appends the document for a non-null value. 0, or -1 with why (the value cannot be a
 * document: an error for the record) or with out's failure flag set (out of memory). */
int es_value_append(const es_value_options *options, const ferry_record *record, strbuf *out,
                    char *why, size_t whylen);

/* Whether rewriting by this schema changes anything (decimals, maps). */
bool es_schema_needs_rewrite(const json_t *schema, bool compact_map_entries);

/* The value rewritten by its schema as Confluent writes it: decimals (base64 bytes) become
 * numbers, maps become objects or [{"key","value"}] arrays. A new reference; NULL when out of
 * memory. */
json_t *es_value_rewrite(const json_t *schema, json_t *value, bool compact_map_entries);

#endif
