/*
 * set_schema_metadata.c - Kafka Connect's SetSchemaMetadata$Key and SetSchemaMetadata$Value:
 * the key's or value's schema gets the name `schema.name` and/or the version `schema.version`;
 * everything else of the schema stays (optional, default, doc, parameters, fields).
 *
 * As in Kafka 3.9, the schema must be a struct's: Kafka builds the new schema with the old one's
 * fields(), which fails for any other type ("Cannot list fields on non-struct type"). A struct
 * value is rebuilt under the new schema as Kafka rebuilds it, each field read with its default
 * for a null unless replace.null.with.default is false. A record without a schema fails
 * ("Schema required for [updating schema metadata]") unless its key or value is null too.
 * docs/transforms.md describes the keys.
 */
#include <stdlib.h>
#include <string.h>

#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

#define SET_SCHEMA_METADATA_PURPOSE "updating schema metadata"

typedef struct set_schema_metadata {
    bool key;    /* SetSchemaMetadata$Key */
    char *name;  /* NULL: the schema keeps its name */
    bool has_version;
    int64_t version;
    bool replace_null_with_default;
    connect_schema_cache *schemas; /* input schema -> renamed schema */
} set_schema_metadata;

static const ferry_config_key set_schema_metadata_config[] = {
    {.name = "schema.name", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Schema name to set."},
    {.name = "schema.version", .type = FERRY_CONFIG_INT, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Schema version to set."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

static void set_schema_metadata_destroy(void *state)
{
    set_schema_metadata *self = state;
    if (!self)
        return;
    free(self->name);
    connect_schema_cache_destroy(self->schemas);
    free(self);
}

static int set_schema_metadata_create(const ferry_config *config, const char *scope, bool key,
                                      void **state, char *err, size_t errlen)
{
    (void)scope;
    set_schema_metadata *self = calloc(1, sizeof(*self));
    if (!self || java_config_string(config, "schema.name", &self->name) != 0 ||
        !(self->schemas = connect_schema_cache_new())) {
        set_schema_metadata_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    self->key = key;
    self->has_version = ferry_config_string(config, "schema.version") != NULL;
    if (self->has_version)
        self->version = ferry_config_int(config, "schema.version");
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    if (!self->name && !self->has_version) {
        set_schema_metadata_destroy(self);
        return ferry_error_set(err, errlen, "Neither schema name nor version configured"), -1;
    }
    *state = self;
    return 0;
}

/* The schema with the new name and version, the fields, default and the rest shared: a new
 * reference, or NULL with err. */
static json_t *set_schema_metadata_schema_build(const void *state, const json_t *schema,
                                                char *err, size_t errlen)
{
    const set_schema_metadata *self = state;
    json_t *updated = json_copy((json_t *)schema);
    if (!updated || (self->name && json_object_set_new(updated, "name",
                                                       json_string(self->name)) != 0) ||
        (self->has_version && json_object_set_new(updated, "version",
                                                  json_integer(self->version)) != 0)) {
        json_decref(updated);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    return updated;
}

/* Kafka's updateSchemaIn: a new struct under the new schema, each field put as read. */
static json_t *set_schema_metadata_struct(const set_schema_metadata *self, const json_t *schema,
                                          const json_t *value, char *err, size_t errlen)
{
    json_t *rebuilt = json_object();
    if (!rebuilt)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (field_transform_struct_copy(rebuilt, schema, value, name, field, name,
                                        self->replace_null_with_default, err, errlen) != 0) {
            json_decref(rebuilt);
            return NULL;
        }
    }
    return rebuilt;
}

static transform_result set_schema_metadata_apply(void *state, ferry_record *record,
                                                  transform_output *output, char *err,
                                                  size_t errlen)
{
    set_schema_metadata *self = state;
    ferry_data *data = field_transform_data(record, self->key);
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *value = data->kind == FERRY_DATA_JSON && !json_is_null(data->json) ? data->json
                                                                               : NULL;
    json_t *schema = data->schema;
    if (!value && !schema)
        return TRANSFORM_KEEP;
    if (connect_schema_require_schema(schema, SET_SCHEMA_METADATA_PURPOSE, err, errlen) != 0)
        return TRANSFORM_FAIL;
    if (connect_json_type(schema) != CONNECT_TYPE_STRUCT) {
        ferry_error_set(err, errlen, "Cannot list fields on non-struct type");
        return TRANSFORM_FAIL;
    }
    json_t *updated = field_transform_schema(self->schemas, schema,
                                             set_schema_metadata_schema_build, self, err, errlen);
    if (!updated)
        return TRANSFORM_FAIL;
    /* Only a Struct refers to its schema: any other value stays as it is. */
    json_t *rebuilt = json_is_object(value)
                          ? set_schema_metadata_struct(self, schema, value, err, errlen)
                          : json_incref(value);
    if (value && !rebuilt) {
        json_decref(updated);
        return TRANSFORM_FAIL;
    }
    transform_data_take_json(data, rebuilt, updated);
    return TRANSFORM_KEEP;
}

#define SET_SCHEMA_METADATA_DESCRIPTION                                                          \
    "Set the schema name, version or both on the record's key or value schema."

FIELD_TRANSFORM_CREATE_SIDES(set_schema_metadata)

const transform_type set_schema_metadata_key_type = {
    .name = "SetSchemaMetadata$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
                                     NULL},
    .description = SET_SCHEMA_METADATA_DESCRIPTION,
    .config = set_schema_metadata_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = set_schema_metadata_key_create,
    .apply = set_schema_metadata_apply,
    .destroy = set_schema_metadata_destroy,
};

const transform_type set_schema_metadata_value_type = {
    .name = "SetSchemaMetadata$Value",
    .aliases =
        (const char *const[]){"org.apache.kafka.connect.transforms.SetSchemaMetadata$Value", NULL},
    .description = SET_SCHEMA_METADATA_DESCRIPTION,
    .config = set_schema_metadata_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = set_schema_metadata_value_create,
    .apply = set_schema_metadata_apply,
    .destroy = set_schema_metadata_destroy,
};
