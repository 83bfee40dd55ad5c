/*
 * value_to_key.c - Kafka Connect's ValueToKey: the record key becomes a new struct (with a
 * schema: a nameless required struct of the named value fields, in the listed order, each with
 * its schema in the value) or map (schemaless) of some of the value's fields. The value stays as
 * it is. A null value fails, as in Java. docs/transforms.md lists every key.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

static const ferry_config_key value_to_key_config[] = {
    {.name = "fields", .type = FERRY_CONFIG_LIST, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Field names on the record value to extract as the record key."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

#define VALUE_TO_KEY_PURPOSE "copying fields from value to key"

typedef struct value_to_key {
    char **fields; /* as listed, a name listed twice twice */
    bool replace_null_with_default;
    connect_schema_cache *cache; /* value schema -> key schema */
} value_to_key;

static void value_to_key_destroy(void *state)
{
    value_to_key *self = state;
    if (!self)
        return;
    java_config_list_free(self->fields);
    connect_schema_cache_destroy(self->cache);
    free(self);
}

static int value_to_key_create(const ferry_config *config, const char *scope, void **state,
                               char *err, size_t errlen)
{
    (void)scope;
    value_to_key *self = calloc(1, sizeof(*self));
    if (!self || !(self->cache = connect_schema_cache_new()))
        goto oom;
    if (java_config_list_non_empty(config, "fields", &self->fields, err, errlen) != 0)
        goto fail;
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    *state = self;
    return 0;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    value_to_key_destroy(self);
    return -1;
}

/* A map of the fields (a missing one as a null). Java's HashMap has an order of its own; this
 * one follows the list, a name listed twice where it was first. */
static json_t *key_schemaless(const value_to_key *self, const json_t *value, char *err,
                              size_t errlen)
{
    if (connect_schema_require_map(value, VALUE_TO_KEY_PURPOSE, err, errlen) != 0)
        return NULL;
    json_t *key = json_object();
    if (!key)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    for (size_t i = 0; self->fields[i]; i++) {
        json_t *member = json_incref(json_object_get(value, self->fields[i]));
        if (field_transform_member_set(key, self->fields[i], member, err, errlen) != 0) {
            json_decref(key);
            return NULL;
        }
    }
    return key;
}

/* SchemaBuilder.struct() with each listed field's schema in the value. A new reference, or NULL
 * with Java's text. */
static json_t *key_schema_build(const void *state, const json_t *value_schema, char *err,
                                size_t errlen)
{
    const value_to_key *self = state;
    json_t *key_schema = connect_schema_struct_new();
    if (!key_schema)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    for (size_t i = 0; self->fields[i]; i++) {
        const json_t *field = connect_schema_field_find(value_schema, self->fields[i]);
        if (!field) {
            ferry_error_set(err, errlen, "Field does not exist: %s", self->fields[i]);
            goto fail;
        }
        if (connect_schema_field_append(key_schema, self->fields[i], field, err, errlen) != 0)
            goto fail;
    }
    return key_schema;
fail:
    json_decref(key_schema);
    return NULL;
}

/* The key struct: each field's value (its default for a null when replace.null.with.default),
 * checked as Struct.put checks it. */
static json_t *key_struct(const value_to_key *self, const json_t *value_schema,
                          const json_t *value, const json_t *key_schema, char *err,
                          size_t errlen)
{
    json_t *key = json_object();
    if (!key)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    for (size_t i = 0; self->fields[i]; i++) {
        const char *name = self->fields[i];
        if (field_transform_struct_copy(key, value_schema, value, name,
                                        connect_schema_field_find(key_schema, name), name,
                                        self->replace_null_with_default, err, errlen) != 0) {
            json_decref(key);
            return NULL;
        }
    }
    return key;
}

static int key_with_schema(value_to_key *self, ferry_record *record, char *err, size_t errlen)
{
    json_t *value_schema = record->value.schema;
    const json_t *value = record->value.kind == FERRY_DATA_NULL ? NULL : record->value.json;
    if (connect_schema_require_struct(value_schema, value, VALUE_TO_KEY_PURPOSE, err,
                                      errlen) != 0)
        return -1;
    json_t *key_schema = field_transform_schema(self->cache, value_schema, key_schema_build, self,
                                                err, errlen);
    if (!key_schema)
        return -1;
    json_t *key = key_struct(self, value_schema, value, key_schema, err, errlen);
    if (!key) {
        json_decref(key_schema);
        return -1;
    }
    transform_data_take_json(&record->key, key, key_schema);
    return 0;
}

static transform_result value_to_key_apply(void *state, ferry_record *record,
                                           transform_output *output, char *err, size_t errlen)
{
    value_to_key *self = state;
    if (transform_data_tree(output, &record->value, err, errlen) != 0)
        return TRANSFORM_FAIL;
    if (record->value.schema)
        return key_with_schema(self, record, err, errlen) == 0 ? TRANSFORM_KEEP
                                                               : TRANSFORM_FAIL;
    const json_t *value = record->value.kind == FERRY_DATA_NULL ? NULL : record->value.json;
    json_t *key = key_schemaless(self, value, err, errlen);
    if (!key)
        return TRANSFORM_FAIL;
    transform_data_take_json(&record->key, key, NULL);
    return TRANSFORM_KEEP;
}

const transform_type value_to_key_type = {
    .name = "ValueToKey",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.ValueToKey", NULL},
    .description = "Replace the record key with a new key formed from a subset of fields in the "
                   "record value.",
    .config = value_to_key_config,
    .needs = TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_VALUE,
    .create = value_to_key_create,
    .apply = value_to_key_apply,
    .destroy = value_to_key_destroy,
};
