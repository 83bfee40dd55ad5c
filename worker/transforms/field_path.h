/*
 * field_path.h - the field a transform's config names, as Kafka Connect's SingleFieldPath reads
 * it under `field.syntax.version` (KIP-821): V1 takes the whole text as one top-level field name;
 * V2 takes a dotted path to a nested field, a step that starts with a backtick running to the
 * next backtick followed by a dot (or ending the text), so that "`foo.bar`.baz" is the field baz
 * of the field "foo.bar", and a backslash before such a backtick keeping it in the name.
 *
 * A path is parsed once, when the transform is created, and then read on every record: from a
 * schemaless map, from a struct schema (the field's schema), or from a struct value under its
 * schema, each with Kafka's rules for a missing step (null) and Kafka's texts for a step that
 * cannot be followed.
 */
#ifndef FERRY_FIELD_PATH_H
#define FERRY_FIELD_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

typedef enum field_path_syntax {
    FIELD_PATH_SYNTAX_V1 = 1,
    FIELD_PATH_SYNTAX_V2,
} field_path_syntax;

#define FIELD_PATH_SYNTAX_KEY "field.syntax.version"

/* FieldSyntaxVersion.FIELD_SYNTAX_VERSION_DOC, word for word. */
#define FIELD_PATH_SYNTAX_DOC                                                                    \
    "Defines the version of the syntax to access fields. If set to `V1`, then the field paths " \
    "are limited to access the elements at the root level of the struct or map. If set to "     \
    "`V2`, the syntax will support accessing nested elements. To access nested elements, "      \
    "dotted notation is used. If dots are already included in the field name, then backtick "   \
    "pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` " \
    "from a field named \"foo.bar\" in a struct/map the following format can be used to "      \
    "access its elements: \"`foo.bar`.baz\"."

/* "V1", "V2", NULL: the allowed values of the key (the validator compares them without case). */
extern const char *const field_path_syntax_names[];

/* The key's definition, as FieldSyntaxVersion.appendConfigTo adds it to a transform's config
 * (a STRING, default V1, V1 or V2 without case, importance HIGH), for the transform's
 * ferry_config_key array: { ..., FIELD_PATH_SYNTAX_CONFIG, {.name = NULL} }. */
#define FIELD_PATH_SYNTAX_CONFIG                                                                 \
    {.name = FIELD_PATH_SYNTAX_KEY, .type = FERRY_CONFIG_STRING, .default_value = "V1",          \
     .importance = FERRY_IMPORTANCE_HIGH, .allowed_values = field_path_syntax_names,             \
     .documentation = FIELD_PATH_SYNTAX_DOC}

/* The syntax a value of the key names: trimmed as Java trims, without case; NULL is the default,
 * V1. 0, or -1 with Kafka's message ("Invalid value v3 for configuration field.syntax.version:
 * String must be one of (case insensitive): V1, V2"). */
int field_path_syntax_parse(const char *text, field_path_syntax *syntax, char *err,
                            size_t errlen);

typedef struct field_path field_path;

/* Parses text (a transform's field config, trimmed already) under syntax. NULL with a message
 * when a V2 backtick step is never closed ("Incomplete backtick pair in path: [..], consider
 * adding a backslash before backtick at position N to escape it", N counted in UTF-16 units as
 * Java counts) or when out of memory. An empty V2 text has no steps: Kafka fails each record
 * then, a transform should refuse it at create (field_path_step_count). */
field_path *field_path_parse(const char *text, field_path_syntax syntax, char *err,
                             size_t errlen);
void field_path_destroy(field_path *path); /* accepts NULL */

/* The text the path was parsed from, for messages. */
const char *field_path_text(const field_path *path);
size_t field_path_step_count(const field_path *path);
/* The step at index (< field_path_step_count). */
const char *field_path_step(const field_path *path, size_t index);

/* The readers return 0 with the result (borrowed from the input; NULL for Java's null, a JSON
 * null or a missing member alike), or -1 with Kafka's message; a path with no steps is an error
 * unless the input is null (Kafka returns null before it looks at the path). */

/* valueFrom(Map): the value at the path in a schemaless map (a JSON object; the caller has
 * checked it with connect_schema_require_map_or_null). A missing step gives NULL; a step on the
 * way that is not a map fails ("Only Map objects supported in absence of schema for [nested
 * field access], found: java.lang.String"). */
int field_path_get(const field_path *path, const json_t *map, json_t **value, char *err,
                   size_t errlen);

/* fieldFrom(Schema): the field at the path in a struct schema (its object in the schema's
 * "fields", which is also its schema: connect_schema_field_schema makes it one on its own), NULL
 * when a step is missing or schema is NULL; a schema on the way that is not a struct fails
 * ("Cannot look up fields on non-struct type"). */
int field_path_schema_get(const field_path *path, const json_t *schema, json_t **field,
                          char *err, size_t errlen);
/* The same, a missing field an error: ExtractField's "Unknown field: <path text>". */
int field_path_schema_require(const field_path *path, const json_t *schema, json_t **field,
                              char *err, size_t errlen);

/* valueFrom(Struct, withDefault): the value at the path in a struct value under its schema.
 * A step the schema does not have gives NULL; a null on the way gives NULL; the steps on the way
 * take their field's default for a null, the last one only with with_default
 * (replace.null.with.default); a value on the way that is not a struct fails ("Only Struct
 * objects supported for [nested field access], found: java.lang.Integer"). */
int field_path_struct_get(const field_path *path, const json_t *schema, const json_t *value,
                          bool with_default, json_t **result, char *err, size_t errlen);

#endif
