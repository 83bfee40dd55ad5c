/*
 * debezium_support.h - what Debezium's transforms (ExtractNewRecordState, ByLogicalTableRouter,
 * the outbox EventRouter) share: SmtManager's test for a change event, Kafka Connect's typed
 * Struct getters with their texts, a header value as Kafka's SimpleHeaderConverter writes it,
 * Java's text of a value for messages, Java's String.split and trim, and Debezium's
 * SchemaNameAdjuster (schema.name.adjustment.mode, field.name.adjustment.mode).
 */
#ifndef FERRY_DEBEZIUM_SUPPORT_H
#define FERRY_DEBEZIUM_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "convert/connect_json.h"
#include "support/strlist.h"
#include "transforms/transform.h"

/* ---- records ------------------------------------------------------------------------------ */

/* SmtManager.isValidEnvelope: the value has a Connect schema whose name ends with ".Envelope".
 * Reads only the schema, so it never parses a value. */
bool debezium_is_envelope(const ferry_data *data);

/* Struct.getString, getInt32, getInt64, getStruct (getCheckType): the raw member named name of
 * a struct value under its schema, defaults not applied. 0 with *member (borrowed; NULL for a
 * null), or -1 with Kafka's text: "<name> is not a valid field name", "Field '<name>' is not of
 * type STRING". */
int debezium_struct_get_typed(const json_t *schema, const json_t *value, const char *name,
                              connect_type type, json_t **member, char *err, size_t errlen);

/* ---- text of a value ---------------------------------------------------------------------- */

/* Appends a header whose value is value under schema (NULL: schemaless) as Kafka's
 * SimpleHeaderConverter writes a Connect header (Values.convertToString): a string as its
 * characters, bytes as base64 (the tree's text), numbers as Java prints them, a struct as
 * {"name":value,...} in field order with defaults for nulls, a map as {"key":value}, an array as
 * [a,b], strings inside quoted with only '"' and '\' escaped; a null value gives a null header.
 * 0, or -1 when out of memory. */
int debezium_header_add(transform_output *output, ferry_record *record, const char *key,
                        const json_t *schema, const json_t *value);

/* Object.toString() of a value under schema, for messages: "Struct{id=1,name=a}" (null fields
 * left out), a map "{k=v}", a list "[a, b]", "null". The caller frees it; NULL when out of
 * memory. */
char *debezium_java_text(const json_t *schema, const json_t *value);

/* ---- Java's strings ----------------------------------------------------------------------- */

/* String.trim(): the part of text without the characters up to U+0020 at both ends; *len gets
 * its length. */
const char *debezium_trim(const char *text, size_t *len);

/* Debezium's Strings.isNullOrBlank: NULL, or nothing but characters up to U+0020. */
bool debezium_is_blank(const char *text);

/* text.split(":") for a separator that is no regex metacharacter: the pieces between
 * separators, trailing empty pieces removed, a text without the separator as the one piece
 * (so "" gives [""] and ":" gives none), appended to pieces. 0, or -1 when out of memory. */
int debezium_split(const char *text, char separator, strlist *pieces);

/* ---- SchemaNameAdjuster ------------------------------------------------------------------- */

typedef enum debezium_names_mode {
    DEBEZIUM_NAMES_NONE,
    DEBEZIUM_NAMES_AVRO,
    DEBEZIUM_NAMES_AVRO_UNICODE,
} debezium_names_mode;

/* "none", "avro", "avro_unicode", NULL: the values of the adjustment modes. */
extern const char *const debezium_names_modes[];

/* The mode a value names (trimmed, without case, as Debezium's enum parse reads it). 0, or -1
 * when it names none. */
int debezium_names_mode_parse(const char *text, debezium_names_mode *mode);

/* One adjuster (SchemaNameAdjustmentMode.createAdjuster, or FieldNameAdjustmentMode's for field
 * names): avro replaces each UTF-16 unit outside [A-Za-z0-9_.] (field names: [A-Za-z0-9_]), and
 * a first one outside [A-Za-z_], by '_' (a leading digit is kept after it); avro_unicode by
 * "_u" and its hex digits (00-padded below 0x100) and allows no '_' (schema names no leading
 * digit either). Like Debezium's it remembers the names it replaced: a second name replaced by
 * the same text fails the first time it is seen, with Debezium's ConnectException text. The
 * memory is the adjuster's (Debezium's is the JVM's). */
typedef struct debezium_names debezium_names;

debezium_names *debezium_names_new(debezium_names_mode mode, bool field_names);
void debezium_names_destroy(debezium_names *names); /* accepts NULL */
/* The adjusted name (the caller frees it), or NULL with the conflict's text or "out of memory"
 * in err. */
char *debezium_names_adjust(debezium_names *names, const char *name, char *err, size_t errlen);

#endif
