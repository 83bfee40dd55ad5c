/*
 * field_transform.h - what Kafka Connect's field transforms (InsertField, ReplaceField,
 * MaskField, ValueToKey, HoistField) share: the key or value a $Key or $Value class works on,
 * the replace.null.with.default key, an output schema built once per input schema (Kafka's
 * schemaUpdateCache), a struct's field copied as Struct.get and Struct.put copy it, and the
 * apply of a transform that lets a null pass and rebuilds a struct or a map.
 */
#ifndef FERRY_FIELD_TRANSFORM_H
#define FERRY_FIELD_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "transforms/connect_schema.h"
#include "transforms/transform.h"

/* KIP-1040's key, word for word, for a transform's ferry_config_key array. */
#define FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG                                         \
    {.name = "replace.null.with.default", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true", \
     .importance = FERRY_IMPORTANCE_MEDIUM,                                                      \
     .documentation = "Whether to replace fields that have a default value and that are null "  \
                      "to the default value. When set to true, the default value is used, "     \
                      "otherwise null is used."}

/* Defines the create callbacks of a $Key and a $Value type, prefix_key_create and
 * prefix_value_create, from
 *     static int prefix_create(const ferry_config *, const char *scope, bool key, void **state,
 *                              char *err, size_t errlen);                                       */
#define FIELD_TRANSFORM_CREATE_SIDES(prefix)                                                     \
    static int prefix##_key_create(const ferry_config *config, const char *scope, void **state, \
                                   char *err, size_t errlen)                                     \
    {                                                                                            \
        return prefix##_create(config, scope, true, state, err, errlen);                         \
    }                                                                                            \
    static int prefix##_value_create(const ferry_config *config, const char *scope,             \
                                     void **state, char *err, size_t errlen)                     \
    {                                                                                            \
        return prefix##_create(config, scope, false, state, err, errlen);                        \
    }

/* The record's key ($Key) or value ($Value). */
static inline ferry_data *field_transform_data(ferry_record *record, bool key)
{
    return key ? &record->key : &record->value;
}

/* Builds the output schema for a struct schema input (a new reference, or NULL with err). */
typedef json_t *(*field_transform_schema_build)(const void *self, const json_t *input,
                                                char *err, size_t errlen);

/* The output schema cached for input, or the one build makes, then cached. A new reference, or
 * NULL with err. */
json_t *field_transform_schema(connect_schema_cache *cache, json_t *input,
                               field_transform_schema_build build, const void *self, char *err,
                               size_t errlen);

/* Struct.put's first check of a value for a field (ConnectSchema.validateValue): a null (NULL or
 * JSON null) in a field that is not optional fails, whatever its default, with "Invalid value:
 * null used for required field: \"<name>\", schema type: <TYPE>". 0, or -1 with that text. */
int field_transform_put_check(const json_t *field, const char *name, const json_t *value,
                              char *err, size_t errlen);

/* Sets name = value in object, taking over the reference (value NULL: a null). 0, or -1 with
 * err. */
int field_transform_member_set(json_t *object, const char *name, json_t *value, char *err,
                               size_t errlen);

/* out.put(name, value.get(source)): the field source of a struct value under its schema (its
 * default for a null when with_default; "<source> is not a valid field name" when the schema
 * has none), checked against the output field (Struct.put: no null in a required field) and set
 * as name. 0, or -1 with err. */
int field_transform_struct_copy(json_t *out, const json_t *schema, const json_t *value,
                                const char *source, const json_t *field, const char *name,
                                bool with_default, char *err, size_t errlen);

/* What InsertField and ReplaceField do for their side of a record. */
typedef struct field_transform_ops {
    const char *purpose; /* Requirements' bracketed text: "field insertion" */
    /* Schemaless: the new map for a map (a new reference), or NULL with err. */
    json_t *(*schemaless)(const void *self, const json_t *map, const ferry_record *record,
                          transform_side side, char *err, size_t errlen);
    field_transform_schema_build schema_build;
    /* With a schema: the new struct under the output schema, or NULL with err. */
    json_t *(*struct_build)(const void *self, const json_t *schema, const json_t *value,
                            const json_t *output_schema, const ferry_record *record,
                            transform_side side, char *err, size_t errlen);
} field_transform_ops;

/* A null key or value passes; a schemaless one must be a map, one with a schema a struct, and
 * becomes what ops make of it. */
transform_result field_transform_apply(const field_transform_ops *ops, const void *self,
                                       connect_schema_cache *cache, bool key,
                                       ferry_record *record, transform_output *output,
                                       char *err, size_t errlen);

#endif
