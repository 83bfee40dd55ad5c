/*
 * transform.h - Kafka Connect's single message transforms: the interface of one transform type
 * and the chain a connector's `transforms` config builds (transform_chain.h).
 *
 * A transform works on a record whose key and value the caller owns: their json and schema are
 * references the record holds (the sink's converter made them; a source record's are taken with
 * json_incref before the chain runs). A transform that replaces a key or value releases the old
 * references and stores new ones, and clears data/len: bytes that came with a JSON value no
 * longer describe it. Headers a transform adds live in the chain's scratch space until its next
 * apply.
 */
#ifndef FERRY_TRANSFORM_H
#define FERRY_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"

typedef enum transform_result {
    TRANSFORM_KEEP, /* the record goes on (perhaps changed) */
    TRANSFORM_DROP, /* the record is filtered out: not an error, its offset still counts */
    TRANSFORM_FAIL, /* the record cannot be transformed: err says why (errors.tolerance applies) */
} transform_result;

/* What a transform may add to a record besides key and value. */
typedef struct transform_output {
    /* Adds a header (copied) to the record being transformed. 0, or -1 when out of memory. */
    int (*header_add)(struct transform_output *output, const char *key, const char *value);
} transform_output;

typedef struct transform_type {
    const char *name;                 /* "ExtractNewRecordState" */
    const char *const *aliases;       /* Kafka Connect class names, NULL-terminated */
    const char *description;
    const ferry_config_key *config;   /* ends with {.name = NULL} */
    /* config holds the transform's own keys (the "transforms.<alias>." prefix removed), already
     * validated against the definition; scope names it in log lines. */
    int (*create)(const ferry_config *config, const char *scope, void **state, char *err,
                  size_t errlen);
    transform_result (*apply)(void *state, ferry_record *record, transform_output *output,
                              char *err, size_t errlen);
    void (*destroy)(void *state);
} transform_type;

/* Every transform type ferry has, NULL-terminated. */
const transform_type *const *transform_types(void);
/* The type named by a `transforms.<alias>.type` value (name or alias), or NULL. */
const transform_type *transform_type_find(const char *name);

/* Helpers for transforms: replace a record's data with a new JSON value (references taken) and
 * its schema (may be NULL); and make it a null (tombstone) value. */
void transform_data_set_json(ferry_data *data, json_t *value, json_t *schema);
void transform_data_set_null(ferry_data *data);

#endif
