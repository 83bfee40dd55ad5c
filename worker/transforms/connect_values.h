/*
 * connect_values.h - Kafka Connect's Values class where header values become text: what
 * Values.parseString makes of InsertHeader's value.literal, and Values.convertToString, with
 * which SimpleHeaderConverter (the worker's default header.converter) writes every header value
 * to Kafka. ferry's headers are bytes, so a transform that adds a header writes the bytes a Kafka
 * Connect worker would have produced for the same value.
 *
 * convertToString writes a value by its Java class, as Values.append does:
 *   - a string as it is; inside a list, map or struct quoted, with '\' and '"' escaped by '\'
 *     and nothing else (no JSON escapes: a newline stays a newline);
 *   - Byte, Short, Integer, Long in decimal; Float and Double as Float.toString and
 *     Double.toString (java_number.h: "1.5", "1.0E30", "-0.0"); a Decimal as
 *     BigDecimal.toString ("123.45", "1E+3", "1E-10"); true and false;
 *   - bytes as base64 (quoted inside a container, never escaped);
 *   - Date, Time and Timestamp values as java.util.Date, formatted by Values.dateFormatFor:
 *     "HH:mm:ss.SSS'Z'" below one day after the epoch (so also every instant before 1970, and
 *     the Date 1970-01-01, as "00:00:00.000Z"), "yyyy-MM-dd" on a whole day, else
 *     "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"; never quoted. Java formats in the JVM's default time zone;
 *     this is what a worker running in UTC writes;
 *   - a list as [a,b], a map as {k:v,k2:v2}, a struct as {"field":value,...} in its schema's
 *     field order with a null field's default in its place (Struct.get); no spaces anywhere;
 *   - null as "null" inside a container; a null value itself has no text (a null header).
 * A value without a schema is what the JsonConverter reads without one: an integer a Long, a
 * real a Double, an object a HashMap. Java iterates a HashMap in the order of its keys' hashes;
 * ferry writes an object's members in their order, which is Java's for a map of one entry but
 * not in general.
 *
 * parseString reads a literal (Values.ValueParser, ported token by token so that its corner
 * cases come out as Java's): null; true and false; a number as the smallest of INT8, INT16,
 * INT32 and INT64 that holds it when it is a whole number ("1.0" and "1e3" are whole), else a
 * FLOAT32, a FLOAT64 or a Decimal; "yyyy-MM-dd", "HH:mm:ss.SSS'Z'" and
 * "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" as Date, Time and Timestamp (parsed leniently in UTC, so
 * 2024-13-45 is 2025-02-14); [..] and {..} as a list and a map whose elements are parsed the same
 * way, strings quoted, and converted to one common type where Java finds one; anything else,
 * and every list or map Java gives up on, as the whole literal, a string. A top-level number,
 * temporal, list or map ends where it ends: "12,5" is the INT8 12, "[1]x" the list [1].
 * Digits are ASCII here; Java's BigDecimal also takes other Unicode decimal digits ("١٢" is 12),
 * which ferry reads as text.
 */
#ifndef FERRY_CONNECT_VALUES_H
#define FERRY_CONNECT_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "convert/json_writer.h"
#include "support/strbuf.h"

/* Containers nested deeper than this (in a literal or a value) are refused, as the converters
 * refuse them. */
#define CONNECT_VALUES_MAX_DEPTH JSON_WRITER_MAX_DEPTH

/* The compiled date formats of Values: one per transform instance, only read once built, so
 * that threads may share it. */
typedef struct connect_values connect_values;

connect_values *connect_values_new(char *err, size_t errlen); /* NULL with err */
void connect_values_free(connect_values *values);             /* accepts NULL */

/* The header bytes of Values.parseString(literal): appended to out, or *is_null set when the
 * literal is null (the header has a null value). 0, or -1 with err when out of memory or nested
 * deeper than CONNECT_VALUES_MAX_DEPTH. */
int connect_values_literal_text(const connect_values *values, const char *literal, strbuf *out,
                                bool *is_null, char *err, size_t errlen);

/* Appends Values.convertToString(schema, value) for a value in ferry's JSON form under its
 * schema (NULL: schemaless). A value that does not have the shape its schema asks for is written
 * by its JSON kind. value must not be null (a null has no text). 0, or -1 with err when out of
 * memory, nested deeper than CONNECT_VALUES_MAX_DEPTH, or a Decimal of more than 8 KiB (whose
 * digits would take quadratic time). */
int connect_values_append(const connect_values *values, strbuf *out, const json_t *schema,
                          const json_t *value, char *err, size_t errlen);

#endif
