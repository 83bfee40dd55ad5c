/*
 * hoist_field.c - Kafka Connect's HoistField$Key and HoistField$Value: the key or value is
 * wrapped into a struct of one field (with a schema: a nameless required struct whose one field
 * has the original schema) or a map of one entry (schemaless). A null is wrapped too.
 * docs/transforms.md lists every key.
 */
#include <stdlib.h>

#include "config/config_validate.h"
#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

static const ferry_config_key hoist_field_config[] = {
    {.name = "field", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Field name for the single field that will be created in the resulting "
                      "Struct or Map."},
    {.name = NULL},
};

typedef struct hoist_field {
    bool key; /* HoistField$Key */
    char *field;
    connect_schema_cache *cache;
} hoist_field;

static void hoist_field_destroy(void *state)
{
    hoist_field *self = state;
    if (!self)
        return;
    free(self->field);
    connect_schema_cache_destroy(self->cache);
    free(self);
}

static int hoist_field_create(const ferry_config *config, const char *scope, bool key,
                              void **state, char *err, size_t errlen)
{
    (void)scope;
    hoist_field *self = calloc(1, sizeof(*self));
    if (!self || !(self->cache = connect_schema_cache_new()) ||
        java_config_string(config, "field", &self->field) != 0) {
        hoist_field_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    if (!self->field) {
        hoist_field_destroy(self);
        return ferry_error_set(err, errlen, "Missing required configuration \"field\" which has "
                               "no default value."), -1;
    }
    self->key = key;
    *state = self;
    return 0;
}

FIELD_TRANSFORM_CREATE_SIDES(hoist_field)

/* SchemaBuilder.struct().field(field, schema). A new reference, or NULL with SchemaBuilder's
 * text. */
static json_t *hoist_schema_build(const void *state, const json_t *schema, char *err,
                                  size_t errlen)
{
    const hoist_field *self = state;
    json_t *updated = connect_schema_struct_new();
    if (!updated)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    if (connect_schema_field_append(updated, self->field, schema, err, errlen) != 0) {
        json_decref(updated);
        return NULL;
    }
    return updated;
}

static transform_result hoist_field_apply(void *state, ferry_record *record,
                                          transform_output *output, char *err, size_t errlen)
{
    hoist_field *self = state;
    ferry_data *data = field_transform_data(record, self->key);
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *value = data->kind == FERRY_DATA_NULL || json_is_null(data->json) ? NULL : data->json;
    json_t *schema = data->schema, *updated_schema = NULL;
    if (schema) {
        if (!(updated_schema = field_transform_schema(self->cache, schema, hoist_schema_build,
                                                      self, err, errlen)))
            return TRANSFORM_FAIL;
        /* Struct.put checks the value against the field, which has the original schema */
        if (field_transform_put_check(schema, self->field, value, err, errlen) != 0) {
            json_decref(updated_schema);
            return TRANSFORM_FAIL;
        }
    }
    /* schemaless: a HashMap of one entry, its value possibly null */
    json_t *updated = json_object(); /* NULL when out of memory: member_set then says so */
    if (field_transform_member_set(updated, self->field, json_incref(value), err, errlen) != 0) {
        json_decref(updated);
        json_decref(updated_schema);
        return TRANSFORM_FAIL;
    }
    transform_data_take_json(data, updated, updated_schema);
    return TRANSFORM_KEEP;
}

#define HOIST_FIELD_DOC                                                                          \
    "Wrap data using the specified field name in a Struct when schema present, or a Map in the " \
    "case of schemaless data.<p/>Use the concrete transformation type designed for the record "  \
    "key (<code>org.apache.kafka.connect.transforms.HoistField$Key</code>) or value (<code>"    \
    "org.apache.kafka.connect.transforms.HoistField$Value</code>)."

const transform_type hoist_field_key_type = {
    .name = "HoistField$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.HoistField$Key", NULL},
    .description = HOIST_FIELD_DOC,
    .config = hoist_field_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = hoist_field_key_create,
    .apply = hoist_field_apply,
    .destroy = hoist_field_destroy,
};

const transform_type hoist_field_value_type = {
    .name = "HoistField$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.HoistField$Value",
                                     NULL},
    .description = HOIST_FIELD_DOC,
    .config = hoist_field_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = hoist_field_value_create,
    .apply = hoist_field_apply,
    .destroy = hoist_field_destroy,
};
