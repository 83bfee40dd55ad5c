/*
 * extract_field.c - Kafka Connect's ExtractField$Key and ExtractField$Value: the key or value
 * becomes one of its fields, named by `field` under `field.syntax.version` (field_path.h: V1 a
 * top-level name, V2 a dotted path into nested structs or maps).
 *
 * With a schema the value must be a struct (or null) and the field must be in the schema, null
 * value or not ("Unknown field: <field>"); the new schema is the field's own, as declared. A
 * schemaless value must be a map (or null), and a missing field gives null. A null stays null.
 * docs/transforms.md describes the keys.
 */
#include <stdlib.h>
#include <string.h>

#include "transforms/connect_schema.h"
#include "transforms/field_path.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

#define EXTRACT_FIELD_PURPOSE "field extraction"

typedef struct extract_field {
    bool key; /* ExtractField$Key */
    field_path *path;
    bool replace_null_with_default;
    connect_schema_cache *schemas; /* input schema -> the field's schema on its own */
} extract_field;

static const ferry_config_key extract_field_config[] = {
    {.name = "field", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_MEDIUM, .documentation = "Field name to extract."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    FIELD_PATH_SYNTAX_CONFIG,
    {.name = NULL},
};

static void extract_field_destroy(void *state)
{
    extract_field *self = state;
    if (!self)
        return;
    field_path_destroy(self->path);
    connect_schema_cache_destroy(self->schemas);
    free(self);
}

static int extract_field_create(const ferry_config *config, const char *scope, bool key,
                                void **state, char *err, size_t errlen)
{
    (void)scope;
    field_path_syntax syntax;
    if (field_path_syntax_parse(ferry_config_string(config, FIELD_PATH_SYNTAX_KEY), &syntax, err,
                                errlen) != 0)
        return -1;
    char *field = java_config_text(config, "field");
    extract_field *self = calloc(1, sizeof(*self));
    if (!field || !self || !(self->schemas = connect_schema_cache_new())) {
        free(field);
        extract_field_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    self->key = key;
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    char why[400] = "";
    self->path = field_path_parse(field, syntax, why, sizeof(why));
    int rc = 0;
    /* Kafka finds both only when a record arrives (an empty V2 path has no field to take). */
    if (!self->path)
        rc = ferry_error_set(err, errlen, "Invalid value %s for configuration field: %s", field,
                             why);
    else if (field_path_step_count(self->path) == 0)
        rc = ferry_error_set(err, errlen, "Invalid value %s for configuration field: String must "
                             "be non-empty", field);
    free(field);
    if (rc != 0) {
        extract_field_destroy(self);
        return -1;
    }
    *state = self;
    return 0;
}

/* The schema of the field at the path of schema, on its own (a new reference), or NULL with
 * err. */
static json_t *extract_field_schema_build(const void *state, const json_t *schema, char *err,
                                          size_t errlen)
{
    const extract_field *self = state;
    json_t *field;
    if (field_path_schema_require(self->path, schema, &field, err, errlen) != 0)
        return NULL;
    json_t *field_schema = connect_schema_field_schema(field);
    if (!field_schema)
        ferry_error_set(err, errlen, "out of memory");
    return field_schema;
}

static transform_result extract_field_apply(void *state, ferry_record *record,
                                             transform_output *output, char *err, size_t errlen)
{
    extract_field *self = state;
    ferry_data *data = field_transform_data(record, self->key);
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *value = data->kind == FERRY_DATA_JSON && !json_is_null(data->json) ? data->json
                                                                               : NULL;
    json_t *schema = data->schema, *extracted = NULL;
    if (!schema) {
        if (connect_schema_require_map_or_null(value, EXTRACT_FIELD_PURPOSE, err, errlen) != 0 ||
            (value && field_path_get(self->path, value, &extracted, err, errlen) != 0))
            return TRANSFORM_FAIL;
        transform_data_set_json(data, extracted, NULL);
        return TRANSFORM_KEEP;
    }
    if (connect_schema_require_struct_or_null(schema, value, EXTRACT_FIELD_PURPOSE, err,
                                              errlen) != 0)
        return TRANSFORM_FAIL;
    /* Kafka looks the field up in the schema even for a null value. */
    json_t *field_schema = field_transform_schema(self->schemas, schema,
                                                  extract_field_schema_build, self, err, errlen);
    if (!field_schema)
        return TRANSFORM_FAIL;
    if (value && field_path_struct_get(self->path, schema, value,
                                       self->replace_null_with_default, &extracted, err,
                                       errlen) != 0) {
        json_decref(field_schema);
        return TRANSFORM_FAIL;
    }
    transform_data_take_json(data, json_incref(extracted), field_schema);
    return TRANSFORM_KEEP;
}

#define EXTRACT_FIELD_DESCRIPTION                                                                \
    "Extract the specified field from a Struct when schema present, or a Map in the case of "   \
    "schemaless data. Any null values are passed through unmodified."

FIELD_TRANSFORM_CREATE_SIDES(extract_field)

const transform_type extract_field_key_type = {
    .name = "ExtractField$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.ExtractField$Key", NULL},
    .description = EXTRACT_FIELD_DESCRIPTION,
    .config = extract_field_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = extract_field_key_create,
    .apply = extract_field_apply,
    .destroy = extract_field_destroy,
};

const transform_type extract_field_value_type = {
    .name = "ExtractField$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.ExtractField$Value",
                                     NULL},
    .description = EXTRACT_FIELD_DESCRIPTION,
    .config = extract_field_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = extract_field_value_create,
    .apply = extract_field_apply,
    .destroy = extract_field_destroy,
};
