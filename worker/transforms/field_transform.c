/*
 * field_transform.c - what the field transforms share (field_transform.h).
 */
#include "transforms/field_transform.h"

json_t *field_transform_schema(connect_schema_cache *cache, json_t *input,
                               field_transform_schema_build build, const void *self, char *err,
                               size_t errlen)
{
    json_t *output = json_incref(connect_schema_cache_get(cache, input));
    if (output)
        return output;
    if (!(output = build(self, input, err, errlen)))
        return NULL;
    if (connect_schema_cache_put(cache, input, output) != 0) {
        json_decref(output);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    return output;
}

int field_transform_put_check(const json_t *field, const char *name, const json_t *value,
                              char *err, size_t errlen)
{
    if ((value && !json_is_null(value)) || connect_schema_is_optional(field))
        return 0;
    ferry_error_set(err, errlen, "Invalid value: null used for required field: \"%s\", schema "
                    "type: %s", name ? name : "null",
                    connect_schema_type_java_name(connect_json_type(field)));
    return -1;
}

int field_transform_member_set(json_t *object, const char *name, json_t *value, char *err,
                               size_t errlen)
{
    if (json_object_set_new(object, name, value ? value : json_null()) != 0)
        return ferry_error_set(err, errlen, "cannot set field '%s' (not UTF-8, or out of memory)",
                               name), -1;
    return 0;
}

int field_transform_struct_copy(json_t *out, const json_t *schema, const json_t *value,
                                const char *source, const json_t *field, const char *name,
                                bool with_default, char *err, size_t errlen)
{
    json_t *member;
    if (connect_schema_struct_get(schema, value, source, with_default, &member, err, errlen) != 0)
        return -1;
    if (field_transform_put_check(field, name, member, err, errlen) != 0)
        return -1;
    return field_transform_member_set(out, name, json_incref(member), err, errlen);
}

/* The struct under its new schema, the data's value and schema replaced. 0, or -1 with err. */
static int field_transform_struct(const field_transform_ops *ops, const void *self,
                                  connect_schema_cache *cache, ferry_data *data,
                                  const ferry_record *record, transform_side side, char *err,
                                  size_t errlen)
{
    json_t *schema = data->schema;
    if (connect_schema_require_struct(schema, data->json, ops->purpose, err, errlen) != 0)
        return -1;
    json_t *output_schema = field_transform_schema(cache, schema, ops->schema_build, self, err,
                                                   errlen);
    if (!output_schema)
        return -1;
    json_t *output = ops->struct_build(self, schema, data->json, output_schema, record, side, err,
                                       errlen);
    if (!output) {
        json_decref(output_schema);
        return -1;
    }
    transform_data_take_json(data, output, output_schema);
    return 0;
}

transform_result field_transform_apply(const field_transform_ops *ops, const void *self,
                                       connect_schema_cache *cache, bool key,
                                       ferry_record *record, transform_output *output,
                                       char *err, size_t errlen)
{
    ferry_data *data = field_transform_data(record, key);
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    if (data->kind == FERRY_DATA_NULL || !data->json || json_is_null(data->json))
        return TRANSFORM_KEEP;
    if (data->schema)
        return field_transform_struct(ops, self, cache, data, record, output->side, err,
                                      errlen) == 0 ? TRANSFORM_KEEP : TRANSFORM_FAIL;
    if (connect_schema_require_map(data->json, ops->purpose, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *map = ops->schemaless(self, data->json, record, output->side, err, errlen);
    if (!map)
        return TRANSFORM_FAIL;
    transform_data_take_json(data, map, NULL);
    return TRANSFORM_KEEP;
}
