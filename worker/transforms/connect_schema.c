/*
 * connect_schema.c - the Connect schema operations the transforms share (connect_schema.h), with
 * the texts of Kafka Connect's Requirements, SchemaBuilder, ConnectSchema and Struct.
 */
#include "transforms/connect_schema.h"

#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

/* ------------------------------------------------------------------------------------------ */
/* Java's view of a value                                                                     */

static const char *const connect_type_java_names[] = {
    [CONNECT_TYPE_BOOLEAN] = "BOOLEAN", [CONNECT_TYPE_INT8] = "INT8",
    [CONNECT_TYPE_INT16] = "INT16",     [CONNECT_TYPE_INT32] = "INT32",
    [CONNECT_TYPE_INT64] = "INT64",     [CONNECT_TYPE_FLOAT32] = "FLOAT32",
    [CONNECT_TYPE_FLOAT64] = "FLOAT64", [CONNECT_TYPE_BYTES] = "BYTES",
    [CONNECT_TYPE_STRING] = "STRING",   [CONNECT_TYPE_ARRAY] = "ARRAY",
    [CONNECT_TYPE_MAP] = "MAP",         [CONNECT_TYPE_STRUCT] = "STRUCT",
};

/* The classes ConnectSchema accepts for each type, the one Kafka's JsonConverter makes. */
static const char *const connect_type_java_classes[] = {
    [CONNECT_TYPE_BOOLEAN] = "java.lang.Boolean", [CONNECT_TYPE_INT8] = "java.lang.Byte",
    [CONNECT_TYPE_INT16] = "java.lang.Short",     [CONNECT_TYPE_INT32] = "java.lang.Integer",
    [CONNECT_TYPE_INT64] = "java.lang.Long",      [CONNECT_TYPE_FLOAT32] = "java.lang.Float",
    [CONNECT_TYPE_FLOAT64] = "java.lang.Double",  [CONNECT_TYPE_BYTES] = "[B",
    [CONNECT_TYPE_STRING] = "java.lang.String",   [CONNECT_TYPE_ARRAY] = "java.util.ArrayList",
    [CONNECT_TYPE_MAP] = "java.util.HashMap",
    [CONNECT_TYPE_STRUCT] = "org.apache.kafka.connect.data.Struct",
};

#define CONNECT_TYPE_JAVA_COUNT                                                                  \
    (sizeof(connect_type_java_names) / sizeof(connect_type_java_names[0]))

const char *connect_schema_type_java_name(connect_type type)
{
    if (type <= CONNECT_TYPE_UNKNOWN || (size_t)type >= CONNECT_TYPE_JAVA_COUNT)
        return "null";
    return connect_type_java_names[type];
}

/* What JsonConverter makes of a JSON value without a schema. */
static const char *connect_schema_schemaless_class(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "java.util.HashMap";
    case JSON_ARRAY:
        return "java.util.ArrayList";
    case JSON_STRING:
        return "java.lang.String";
    case JSON_INTEGER:
        return "java.lang.Long";
    case JSON_REAL:
        return "java.lang.Double";
    case JSON_TRUE:
    case JSON_FALSE:
        return "java.lang.Boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

/* Whether value has the JSON shape a value of type takes. */
static bool connect_schema_value_fits(connect_type type, const json_t *value)
{
    switch (type) {
    case CONNECT_TYPE_BOOLEAN:
        return json_is_boolean(value);
    case CONNECT_TYPE_INT8:
    case CONNECT_TYPE_INT16:
    case CONNECT_TYPE_INT32:
    case CONNECT_TYPE_INT64:
    case CONNECT_TYPE_FLOAT32:
    case CONNECT_TYPE_FLOAT64:
        return json_is_number(value);
    case CONNECT_TYPE_BYTES:
    case CONNECT_TYPE_STRING:
        return json_is_string(value);
    case CONNECT_TYPE_ARRAY:
        return json_is_array(value);
    case CONNECT_TYPE_MAP:
        return json_is_object(value) || json_is_array(value);
    case CONNECT_TYPE_STRUCT:
        return json_is_object(value);
    case CONNECT_TYPE_UNKNOWN:
        break;
    }
    return false;
}

/* The class of a logical type's values (Decimal, Date, Time, Timestamp), or NULL. */
static const char *connect_schema_logical_class(const json_t *schema)
{
    static const char prefix[] = "org.apache.kafka.connect.data.";
    const char *name = json_string_value(json_object_get(schema, "name"));
    if (!name || strncmp(name, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    name += sizeof(prefix) - 1;
    if (strcmp(name, "Decimal") == 0)
        return "java.math.BigDecimal";
    if (strcmp(name, "Date") == 0 || strcmp(name, "Time") == 0 || strcmp(name, "Timestamp") == 0)
        return "java.util.Date";
    return NULL;
}

const char *connect_schema_java_class(const json_t *schema, const json_t *value)
{
    if (!value || json_is_null(value))
        return "null";
    connect_type type = connect_json_type(schema);
    if (!connect_schema_value_fits(type, value))
        return connect_schema_schemaless_class(value);
    const char *logical = connect_schema_logical_class(schema);
    return logical ? logical : connect_type_java_classes[type];
}

/* ------------------------------------------------------------------------------------------ */
/* Requirements                                                                               */

static bool connect_schema_is_null(const json_t *value)
{
    return !value || json_is_null(value);
}

int connect_schema_require_schema(const json_t *schema, const char *purpose, char *err,
                                  size_t errlen)
{
    if (schema)
        return 0;
    return ferry_error_set(err, errlen, "Schema required for [%s]", purpose), -1;
}

int connect_schema_require_map(const json_t *value, const char *purpose, char *err,
                               size_t errlen)
{
    if (json_is_object(value))
        return 0;
    ferry_error_set(err, errlen,
                    "Only Map objects supported in absence of schema for [%s], found: %s",
                    purpose, connect_schema_java_class(NULL, value));
    return -1;
}

int connect_schema_require_map_or_null(const json_t *value, const char *purpose, char *err,
                                       size_t errlen)
{
    if (connect_schema_is_null(value))
        return 0;
    return connect_schema_require_map(value, purpose, err, errlen);
}

int connect_schema_require_struct(const json_t *schema, const json_t *value, const char *purpose,
                                  char *err, size_t errlen)
{
    if (json_is_object(value) && connect_json_type(schema) == CONNECT_TYPE_STRUCT)
        return 0;
    ferry_error_set(err, errlen, "Only Struct objects supported for [%s], found: %s", purpose,
                    connect_schema_java_class(schema, value));
    return -1;
}

int connect_schema_require_struct_or_null(const json_t *schema, const json_t *value,
                                          const char *purpose, char *err, size_t errlen)
{
    if (connect_schema_is_null(value))
        return 0;
    return connect_schema_require_struct(schema, value, purpose, err, errlen);
}

/* ------------------------------------------------------------------------------------------ */
/* Reading a struct                                                                           */

/* The position of the field named name in a struct schema's fields, or -1. */
static long connect_schema_field_index(const json_t *schema, const char *name)
{
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; name && i < json_array_size(fields); i++) {
        const char *field_name = connect_schema_field_name(json_array_get(fields, i));
        if (field_name && strcmp(field_name, name) == 0)
            return (long)i;
    }
    return -1;
}

json_t *connect_schema_field_find(const json_t *schema, const char *name)
{
    if (connect_json_type(schema) != CONNECT_TYPE_STRUCT)
        return NULL;
    long index = connect_schema_field_index(schema, name);
    return index < 0 ? NULL : json_array_get(json_object_get(schema, "fields"), (size_t)index);
}

int connect_schema_field_get(const json_t *schema, const char *name, json_t **field, char *err,
                             size_t errlen)
{
    *field = NULL;
    if (connect_json_type(schema) != CONNECT_TYPE_STRUCT)
        return ferry_error_set(err, errlen, "Cannot look up fields on non-struct type"), -1;
    *field = connect_schema_field_find(schema, name);
    return 0;
}

const char *connect_schema_field_name(const json_t *field)
{
    return json_string_value(json_object_get(field, "field"));
}

json_t *connect_schema_field_schema(const json_t *field)
{
    if (!json_is_object(field))
        return NULL;
    json_t *schema = json_copy((json_t *)field);
    if (schema)
        json_object_del(schema, "field");
    return schema;
}

int connect_schema_struct_get(const json_t *schema, const json_t *value, const char *name,
                              bool with_default, json_t **member, char *err, size_t errlen)
{
    *member = NULL;
    json_t *field = connect_schema_field_find(schema, name);
    if (!field)
        return ferry_error_set(err, errlen, "%s is not a valid field name", name ? name : "null"),
               -1;
    json_t *found = json_object_get(value, name);
    if (connect_schema_is_null(found) && with_default)
        found = json_object_get(field, "default");
    *member = connect_schema_is_null(found) ? NULL : found;
    return 0;
}

bool connect_schema_is_optional(const json_t *schema)
{
    return json_is_true(json_object_get(schema, "optional"));
}

/* ------------------------------------------------------------------------------------------ */
/* Building a schema                                                                          */

json_t *connect_schema_struct_new(void)
{
    return json_pack("{s:s, s:[], s:b}", "type", "struct", "fields", "optional", 0);
}

/* target's key becomes source's when it is of the kind Kafka reads there, or goes. */
static int connect_schema_member_copy(const json_t *source, json_t *target, const char *key,
                                      json_type kind)
{
    json_t *member = json_object_get(source, key);
    if (member && json_typeof(member) == kind)
        return json_object_set(target, key, member);
    json_object_del(target, key);
    return 0;
}

/* source's parameters added to a new copy of target's (which may be shared). */
static int connect_schema_parameters_add(const json_t *source, json_t *target)
{
    json_t *added = json_object_get(source, "parameters");
    if (!json_is_object(added))
        return 0;
    json_t *own = json_object_get(target, "parameters");
    json_t *parameters = json_is_object(own) ? json_copy(own) : json_object();
    if (!parameters || json_object_update(parameters, added) != 0) {
        json_decref(parameters);
        return -1;
    }
    return json_object_set_new(target, "parameters", parameters);
}

int connect_schema_copy_basics(const json_t *source, json_t *target)
{
    if (connect_schema_member_copy(source, target, "name", JSON_STRING) != 0 ||
        connect_schema_member_copy(source, target, "version", JSON_INTEGER) != 0 ||
        connect_schema_member_copy(source, target, "doc", JSON_STRING) != 0)
        return -1;
    return connect_schema_parameters_add(source, target);
}

json_t *connect_schema_copy_basics_new(const json_t *source)
{
    if (!json_is_object(source))
        return NULL;
    json_t *schema = json_pack("{s:b}", "optional", 0);
    json_t *type = json_object_get(source, "type");
    json_t *items = json_object_get(source, "items");
    if (!schema || (type && json_object_set(schema, "type", type) != 0))
        goto fail;
    if (connect_json_type(source) == CONNECT_TYPE_ARRAY && items &&
        json_object_set(schema, "items", items) != 0)
        goto fail;
    if (connect_schema_copy_basics(source, schema) != 0)
        goto fail;
    return schema;
fail:
    json_decref(schema);
    return NULL;
}

json_t *connect_schema_copy(const json_t *schema)
{
    json_t *copy = json_copy((json_t *)schema);
    json_t *fields = json_object_get(copy, "fields");
    if (copy && fields && json_object_set_new(copy, "fields", json_copy(fields)) != 0) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

int connect_schema_optional_set(json_t *schema, bool optional)
{
    return json_object_set_new(schema, "optional", json_boolean(optional));
}

/* A new field object: field_schema's members (subtrees shared) with the name name. */
static json_t *connect_schema_field_new(const json_t *field_schema, const char *name)
{
    json_t *field = json_copy((json_t *)field_schema);
    if (field && json_object_set_new(field, "field", json_string(name)) != 0) {
        json_decref(field);
        return NULL;
    }
    return field;
}

/* The index of the field named name, or -1 with Struct's message. */
static long connect_schema_field_require(const json_t *schema, const char *name, char *err,
                                         size_t errlen)
{
    long index = connect_schema_field_index(schema, name);
    if (index < 0)
        ferry_error_set(err, errlen, "%s is not a valid field name", name ? name : "null");
    return index;
}

/* SchemaBuilder.field's checks of a new field's name (other than the field at index keep, -1
 * for none) and schema. */
static int connect_schema_field_check(const json_t *schema, const char *name, long keep,
                                      const json_t *field_schema, char *err, size_t errlen)
{
    if (!name || !name[0])
        return ferry_error_set(err, errlen, "fieldName cannot be null."), -1;
    if (!json_is_object(field_schema))
        return ferry_error_set(err, errlen, "fieldSchema for field %s cannot be null.", name), -1;
    long index = connect_schema_field_index(schema, name);
    if (index >= 0 && index != keep) {
        ferry_error_set(err, errlen, "Cannot create field because of field name duplication %s",
                        name);
        return -1;
    }
    return 0;
}

/* Puts a new field object (name, field_schema) at index of schema's own fields. */
static int connect_schema_field_replace(json_t *schema, size_t index, const char *name,
                                        const json_t *field_schema, char *err, size_t errlen)
{
    json_t *field = connect_schema_field_new(field_schema, name);
    if (!field || json_array_set_new(json_object_get(schema, "fields"), index, field) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

int connect_schema_field_append(json_t *schema, const char *name, const json_t *field_schema,
                                char *err, size_t errlen)
{
    connect_type type = connect_json_type(schema);
    if (type != CONNECT_TYPE_STRUCT) {
        ferry_error_set(err, errlen, "Cannot create fields on type %s",
                        connect_schema_type_java_name(type));
        return -1;
    }
    if (connect_schema_field_check(schema, name, -1, field_schema, err, errlen) != 0)
        return -1;
    json_t *fields = json_object_get(schema, "fields");
    if (!json_is_array(fields)) {
        fields = json_array();
        if (json_object_set_new(schema, "fields", fields) != 0)
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    if (json_array_append_new(fields, connect_schema_field_new(field_schema, name)) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

int connect_schema_field_remove(json_t *schema, const char *name, char *err, size_t errlen)
{
    long index = connect_schema_field_require(schema, name, err, errlen);
    if (index < 0)
        return -1;
    return json_array_remove(json_object_get(schema, "fields"), (size_t)index);
}

int connect_schema_field_rename(json_t *schema, const char *from, const char *to, char *err,
                                size_t errlen)
{
    long index = connect_schema_field_require(schema, from, err, errlen);
    if (index < 0)
        return -1;
    json_t *field = json_array_get(json_object_get(schema, "fields"), (size_t)index);
    if (connect_schema_field_check(schema, to, index, field, err, errlen) != 0)
        return -1;
    return connect_schema_field_replace(schema, (size_t)index, to, field, err, errlen);
}

int connect_schema_field_retype(json_t *schema, const char *name, const json_t *field_schema,
                                char *err, size_t errlen)
{
    long index = connect_schema_field_require(schema, name, err, errlen);
    if (index < 0 ||
        connect_schema_field_check(schema, name, index, field_schema, err, errlen) != 0)
        return -1;
    return connect_schema_field_replace(schema, (size_t)index, name, field_schema, err, errlen);
}

int connect_schema_field_optional_set(json_t *schema, const char *name, bool optional, char *err,
                                      size_t errlen)
{
    long index = connect_schema_field_require(schema, name, err, errlen);
    if (index < 0)
        return -1;
    json_t *field = json_copy(json_array_get(json_object_get(schema, "fields"), (size_t)index));
    int rc = field ? connect_schema_optional_set(field, optional) : -1;
    if (rc == 0 && json_array_set(json_object_get(schema, "fields"), (size_t)index, field) != 0)
        rc = -1;
    json_decref(field);
    if (rc != 0)
        ferry_error_set(err, errlen, "out of memory");
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* The schema cache                                                                           */

typedef struct connect_schema_cache_entry {
    json_t *input;
    json_t *output;
} connect_schema_cache_entry;

struct connect_schema_cache {
    connect_schema_cache_entry entries[CONNECT_SCHEMA_CACHE_SIZE]; /* most recently used first */
    size_t count;
};

connect_schema_cache *connect_schema_cache_new(void)
{
    return calloc(1, sizeof(connect_schema_cache));
}

void connect_schema_cache_destroy(connect_schema_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->count; i++) {
        json_decref(cache->entries[i].input);
        json_decref(cache->entries[i].output);
    }
    free(cache);
}

/* The entry of input, or -1: the same object first (one comparison of pointers for an input
 * a source hands over again), then an equal tree (a sink's converter parses a new one for each
 * record). */
static long connect_schema_cache_find(const connect_schema_cache *cache, const json_t *input)
{
    for (size_t i = 0; i < cache->count; i++)
        if (cache->entries[i].input == input)
            return (long)i;
    for (size_t i = 0; i < cache->count; i++)
        if (json_equal(cache->entries[i].input, input))
            return (long)i;
    return -1;
}

/* Moves the entry at index to the front, the most recently used. */
static void connect_schema_cache_promote(connect_schema_cache *cache, size_t index)
{
    connect_schema_cache_entry entry = cache->entries[index];
    memmove(&cache->entries[1], &cache->entries[0], index * sizeof(entry));
    cache->entries[0] = entry;
}

json_t *connect_schema_cache_get(connect_schema_cache *cache, const json_t *input)
{
    long index = input ? connect_schema_cache_find(cache, input) : -1;
    if (index < 0)
        return NULL;
    connect_schema_cache_promote(cache, (size_t)index);
    return cache->entries[0].output;
}

int connect_schema_cache_put(connect_schema_cache *cache, json_t *input, json_t *output)
{
    if (!cache || !input || !output)
        return -1;
    long index = connect_schema_cache_find(cache, input);
    if (index < 0 && cache->count == CONNECT_SCHEMA_CACHE_SIZE)
        index = (long)cache->count - 1; /* LinkedHashMap's removeEldestEntry */
    if (index < 0) {
        index = (long)cache->count++;
    } else {
        json_decref(cache->entries[index].input);
        json_decref(cache->entries[index].output);
    }
    cache->entries[index] = (connect_schema_cache_entry){json_incref(input), json_incref(output)};
    connect_schema_cache_promote(cache, (size_t)index);
    return 0;
}

size_t connect_schema_cache_count(const connect_schema_cache *cache)
{
    return cache->count;
}
