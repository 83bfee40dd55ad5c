/*
 * header_from.c - Kafka Connect's HeaderFrom$Key and HeaderFrom$Value: the top-level fields
 * named by `fields` of the key or value become headers named by `headers` (in that order,
 * appended after the record's own), copied, or moved out of the struct or map. A header's bytes
 * are the field's value as SimpleHeaderConverter writes it (Values.convertToString,
 * connect_values.h); a null field gives a null header, a field a schemaless map lacks too.
 *
 * With a schema the key or value must be a struct; move builds the struct's schema without the
 * moved fields (copySchemaBasics: name, version, doc and parameters, required, no default),
 * cached per input schema as Kafka does. Without one it must be a map; Java copies it into a
 * HashMap, whose member order the JsonConverter then writes, and ferry keeps the input's order
 * (connect_values.h says why that differs).
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "transforms/connect_schema.h"
#include "transforms/connect_values.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

typedef struct header_from {
    bool key_side;
    bool move;
    bool replace_null_with_default;
    const char *purpose; /* "header move" or "header copy", in Kafka's messages */
    char **fields;       /* NULL-terminated, as many as headers */
    char **headers;
    connect_values *values;
    connect_schema_cache *moved_schemas;
    strbuf text; /* one header's value at a time */
} header_from;

/* fields, headers and operation are required (no default): their presence and Kafka's
 * validators (non-empty lists, exactly "move" or "copy") are checked at create, with Kafka's
 * texts. */
static const ferry_config_key header_from_config[] = {
    {.name = "fields", .type = FERRY_CONFIG_LIST, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Field names in the record whose values are to be copied or moved to "
                      "headers."},
    {.name = "headers", .type = FERRY_CONFIG_LIST, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Header names, in the same order as the field names listed in the fields "
                      "configuration property."},
    {.name = "operation", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Either <code>move</code> if the fields are to be moved to the headers "
                      "(removed from the key/value), or <code>copy</code> if the fields are to be "
                      "copied to the headers (retained in the key/value)."},
    FIELD_TRANSFORM_REPLACE_NULL_WITH_DEFAULT_CONFIG,
    {.name = NULL},
};

static void header_from_destroy(void *state)
{
    header_from *self = state;
    if (!self)
        return;
    java_config_list_free(self->fields);
    java_config_list_free(self->headers);
    connect_values_free(self->values);
    connect_schema_cache_destroy(self->moved_schemas);
    strbuf_free(&self->text);
    free(self);
}

/* operation, trimmed as ConfigDef trims a STRING, must be exactly move or copy
 * (ValidString.in: case-sensitive). */
static int operation_read(const ferry_config *config, bool *move, char *err, size_t errlen)
{
    if (!ferry_config_string(config, "operation"))
        return ferry_error_set(err, errlen, "Missing required configuration \"operation\" which "
                               "has no default value."), -1;
    char *operation = java_config_text(config, "operation");
    if (!operation)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    if (strcmp(operation, "move") == 0 || strcmp(operation, "copy") == 0) {
        *move = operation[0] == 'm';
    } else {
        ferry_error_set(err, errlen, "Invalid value %s for configuration operation: String must "
                        "be one of: move, copy", operation);
        rc = -1;
    }
    free(operation);
    return rc;
}

static int header_from_create(const ferry_config *config, bool key_side, void **state,
                              char *err, size_t errlen)
{
    header_from *self = calloc(1, sizeof(*self));
    if (!self)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    self->key_side = key_side;
    self->replace_null_with_default = ferry_config_bool(config, "replace.null.with.default");
    int rc = java_config_list_non_empty(config, "fields", &self->fields, err, errlen);
    if (rc == 0)
        rc = java_config_list_non_empty(config, "headers", &self->headers, err, errlen);
    if (rc == 0 && java_config_list_count(self->fields) !=
                       java_config_list_count(self->headers)) {
        ferry_error_set(err, errlen, "'fields' config must have the same number of elements as "
                        "'headers' config.");
        rc = -1;
    }
    if (rc == 0)
        rc = operation_read(config, &self->move, err, errlen);
    if (rc == 0 && !(self->values = connect_values_new(err, errlen)))
        rc = -1;
    if (rc == 0 && !(self->moved_schemas = connect_schema_cache_new())) {
        ferry_error_set(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc != 0) {
        header_from_destroy(self);
        return -1;
    }
    self->purpose = self->move ? "header move" : "header copy";
    *state = self;
    return 0;
}

static int header_from_key_create(const ferry_config *config, const char *scope, void **state,
                                  char *err, size_t errlen)
{
    (void)scope;
    return header_from_create(config, true, state, err, errlen);
}

static int header_from_value_create(const ferry_config *config, const char *scope,
                                    void **state, char *err, size_t errlen)
{
    (void)scope;
    return header_from_create(config, false, state, err, errlen);
}

static bool header_from_listed(const header_from *self, const char *name)
{
    for (size_t i = 0; name && self->fields[i]; i++)
        if (strcmp(self->fields[i], name) == 0)
            return true;
    return false;
}

/* Appends header `index` with the text of value (NULL: a null header) under schema. */
static int header_from_add(header_from *self, transform_output *output, ferry_record *record,
                           size_t index, const json_t *schema, const json_t *value, char *err,
                           size_t errlen)
{
    strbuf_reset(&self->text);
    if (value && connect_values_append(self->values, &self->text, schema, value, err,
                                       errlen) != 0)
        return -1;
    const char *text = value ? (self->text.data ? self->text.data : "") : NULL;
    if (transform_header_add(output, record, self->headers[index], text, self->text.len) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

static transform_result header_from_schemaless(header_from *self, ferry_record *record,
                                               ferry_data *data, transform_output *output,
                                               char *err, size_t errlen)
{
    const json_t *map = data->kind == FERRY_DATA_JSON ? data->json : NULL;
    if (connect_schema_require_map(map, self->purpose, err, errlen) != 0)
        return TRANSFORM_FAIL;
    for (size_t i = 0; self->fields[i]; i++) {
        const json_t *member = json_object_get(map, self->fields[i]);
        if (header_from_add(self, output, record, i, NULL, json_is_null(member) ? NULL : member,
                            err, errlen) != 0)
            return TRANSFORM_FAIL;
    }
    if (!self->move)
        return TRANSFORM_KEEP;
    json_t *updated = json_copy((json_t *)map);
    for (size_t i = 0; updated && self->fields[i]; i++)
        json_object_del(updated, self->fields[i]);
    if (!updated) {
        ferry_error_set(err, errlen, "out of memory");
        return TRANSFORM_FAIL;
    }
    transform_data_take_json(data, updated, NULL);
    return TRANSFORM_KEEP;
}

/* The struct schema without the moved fields: copySchemaBasics plus every other field, in its
 * order; the same object for every equal input schema. A borrowed reference, NULL with err. */
static json_t *moved_schema(header_from *self, const json_t *schema, char *err, size_t errlen)
{
    json_t *cached = connect_schema_cache_get(self->moved_schemas, schema);
    if (cached)
        return cached;
    json_t *built = connect_schema_copy_basics_new(schema);
    if (built && json_object_set_new(built, "fields", json_array()) != 0) { /* even if none stay */
        json_decref(built);
        built = NULL;
    }
    if (!built) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        if (!header_from_listed(self, name) &&
            connect_schema_field_append(built, name, field, err, errlen) != 0) {
            json_decref(built);
            return NULL;
        }
    }
    int rc = connect_schema_cache_put(self->moved_schemas, (json_t *)schema, built);
    json_decref(built);
    if (rc != 0) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    return built;
}

/* Struct.put of every field of the moved schema: its value (read as replace.null.with.default
 * says), which may be null only in an optional field. A new object, NULL with err. */
static json_t *moved_struct(header_from *self, const json_t *schema, const json_t *value,
                            const json_t *moved, char *err, size_t errlen)
{
    json_t *updated = json_object();
    const json_t *fields = json_object_get(moved, "fields");
    for (size_t i = 0; updated && i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *name = connect_schema_field_name(field);
        json_t *member;
        if (connect_schema_struct_get(schema, value, name, self->replace_null_with_default,
                                      &member, err, errlen) != 0) {
            json_decref(updated);
            return NULL;
        }
        if (!member && !connect_schema_is_optional(field)) {
            ferry_error_set(err, errlen, "Invalid value: null used for required field: \"%s\", "
                            "schema type: %s", name,
                            connect_schema_type_java_name(connect_json_type(field)));
            json_decref(updated);
            return NULL;
        }
        if (json_object_set(updated, name, member ? member : json_null()) != 0) {
            json_decref(updated);
            updated = NULL;
        }
    }
    if (!updated)
        ferry_error_set(err, errlen, "out of memory");
    return updated;
}

static transform_result header_from_struct(header_from *self, ferry_record *record,
                                           ferry_data *data, transform_output *output, char *err,
                                           size_t errlen)
{
    const json_t *schema = data->schema;
    const json_t *value = data->kind == FERRY_DATA_JSON ? data->json : NULL;
    if (connect_schema_require_struct(schema, value, self->purpose, err, errlen) != 0)
        return TRANSFORM_FAIL;
    json_t *moved = NULL, *updated = NULL;
    if (self->move && (!(moved = moved_schema(self, schema, err, errlen)) ||
                       !(updated = moved_struct(self, schema, value, moved, err, errlen))))
        return TRANSFORM_FAIL;
    for (size_t i = 0; self->fields[i]; i++) {
        const json_t *field = connect_schema_field_find(schema, self->fields[i]);
        json_t *member = NULL;
        if (!field) { /* Java: operatingSchema.field(name).schema() on null */
            ferry_error_set(err, errlen, "Cannot invoke \"org.apache.kafka.connect.data.Field."
                            "schema()\" because the return value of \"org.apache.kafka.connect."
                            "data.Schema.field(String)\" is null (the schema has no field %s)",
                            self->fields[i]);
            goto fail;
        }
        connect_schema_struct_get(schema, value, self->fields[i],
                                  self->replace_null_with_default, &member, err, errlen);
        if (!member && !connect_schema_is_optional(field)) { /* ConnectHeaders' check */
            const char *name = json_string_value(json_object_get(field, "name"));
            ferry_error_set(err, errlen, "A null value requires an optional schema but was "
                            "Schema{%s%s%s}", name ? name : "", name ? ":" : "",
                            connect_schema_type_java_name(connect_json_type(field)));
            goto fail;
        }
        if (header_from_add(self, output, record, i, field, member, err, errlen) != 0)
            goto fail;
    }
    if (updated)
        transform_data_take_json(data, updated, json_incref(moved));
    return TRANSFORM_KEEP;
fail:
    json_decref(updated);
    return TRANSFORM_FAIL;
}

static transform_result header_from_apply(void *state, ferry_record *record,
                                          transform_output *output, char *err, size_t errlen)
{
    header_from *self = state;
    ferry_data *data = self->key_side ? &record->key : &record->value;
    if (transform_data_tree(output, data, err, errlen) != 0)
        return TRANSFORM_FAIL;
    if (data->schema)
        return header_from_struct(self, record, data, output, err, errlen);
    return header_from_schemaless(self, record, data, output, err, errlen);
}

static const char header_from_description[] =
    "Moves or copies fields in the key/value of a record into that record's headers. "
    "Corresponding elements of <code>fields</code> and <code>headers</code> together identify a "
    "field and the header it should be moved or copied to. Use the concrete transformation type "
    "designed for the record key (<code>org.apache.kafka.connect.transforms.HeaderFrom$Key"
    "</code>) or value (<code>org.apache.kafka.connect.transforms.HeaderFrom$Value</code>).";

const transform_type header_from_key_type = {
    .name = "HeaderFrom$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.HeaderFrom$Key", NULL},
    .description = header_from_description,
    .config = header_from_config,
    .needs = TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_HEADER_APPEND,
    .create = header_from_key_create,
    .apply = header_from_apply,
    .destroy = header_from_destroy,
};

const transform_type header_from_value_type = {
    .name = "HeaderFrom$Value",
    .aliases =
        (const char *const[]){"org.apache.kafka.connect.transforms.HeaderFrom$Value", NULL},
    .description = header_from_description,
    .config = header_from_config,
    .needs = TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_HEADER_APPEND,
    .create = header_from_value_create,
    .apply = header_from_apply,
    .destroy = header_from_destroy,
};
