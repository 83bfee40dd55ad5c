/*
 * es_mapping.c - Connect schema to index mapping (es_mapping.h).
 */
#include "es_mapping.h"

#include <stdio.h>
#include <string.h>

#include <ferry/plugin.h>

#define ES_MAPPING_MAX_DEPTH 64

static const char *es_logical_type(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "org.apache.kafka.connect.data.Date") == 0 ||
        strcmp(name, "org.apache.kafka.connect.data.Time") == 0 ||
        strcmp(name, "org.apache.kafka.connect.data.Timestamp") == 0)
        return "date";
    if (strcmp(name, "org.apache.kafka.connect.data.Decimal") == 0)
        return "double";
    return NULL;
}

/* Kafka's type names ("float", "double"), and ferry's older "float32" and "float64", which
 * topics written before ferry wrote Kafka's names still hold. */
static const char *es_primitive_type(const char *type)
{
    static const char *const table[][2] = {
        {"boolean", "boolean"}, {"int8", "byte"},     {"int16", "short"},
        {"int32", "integer"},   {"int64", "long"},    {"float", "float"},
        {"double", "double"},   {"string", "text"},   {"bytes", "binary"},
        {"float32", "float"},   {"float64", "double"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(type, table[i][0]) == 0)
            return table[i][1];
    return NULL;
}

static json_t *es_mapping_node(const json_t *schema, bool compact, int depth, char *why,
                               size_t whylen);

static json_t *es_mapping_primitive(const char *es_type, const json_t *schema)
{
    json_t *node = json_pack("{s:s}", "type", es_type);
    if (!node)
        return NULL;
    if (strcmp(es_type, "text") == 0) {
        json_t *fields = json_pack("{s:{s:s,s:i}}", "keyword", "type", "keyword",
                                   "ignore_above", 256);
        if (!fields || json_object_set_new(node, "fields", fields) != 0) {
            json_decref(node);
            return NULL;
        }
        return node;
    }
    /* A default becomes null_value; not for binary (Elasticsearch refuses it) nor dates (the
     * envelope's default of a Date is in days, a date mapping would read milliseconds). */
    json_t *fallback = json_object_get(schema, "default");
    if (fallback && !json_is_null(fallback) && strcmp(es_type, "binary") != 0 &&
        strcmp(es_type, "date") != 0 &&
        (json_is_number(fallback) || json_is_boolean(fallback)))
        json_object_set(node, "null_value", fallback);
    return node;
}

static json_t *es_mapping_struct(const json_t *schema, bool compact, int depth, char *why,
                                 size_t whylen)
{
    json_t *properties = json_object();
    size_t i;
    json_t *field;
    if (!properties)
        return NULL;
    json_array_foreach(json_object_get(schema, "fields"), i, field) {
        const char *name = json_string_value(json_object_get(field, "field"));
        if (!name) {
            ferry_error_set(why, whylen, "a struct field without a name");
            json_decref(properties);
            return NULL;
        }
        json_t *child = es_mapping_node(field, compact, depth + 1, why, whylen);
        if (!child || json_object_set_new(properties, name, child) != 0) {
            json_decref(properties);
            return NULL;
        }
    }
    json_t *node = json_object();
    if (!node || json_object_set_new(node, "properties", properties) != 0) {
        json_decref(node);
        return NULL;
    }
    return node;
}

static json_t *es_mapping_map(const json_t *schema, bool compact, int depth, char *why,
                              size_t whylen)
{
    const json_t *keys = json_object_get(schema, "keys");
    const char *key_type = json_string_value(json_object_get(keys, "type"));
    if (compact && key_type && strcmp(key_type, "string") == 0)
        return json_pack("{s:s}", "type", "object"); /* arbitrary keys: dynamic */
    json_t *key = es_mapping_node(keys, compact, depth + 1, why, whylen);
    json_t *value = key ? es_mapping_node(json_object_get(schema, "values"), compact, depth + 1,
                                          why, whylen)
                        : NULL;
    if (!key || !value) {
        json_decref(key);
        json_decref(value);
        return NULL;
    }
    return json_pack("{s:{s:o,s:o}}", "properties", "key", key, "value", value);
}

static json_t *es_mapping_node(const json_t *schema, bool compact, int depth, char *why,
                               size_t whylen)
{
    if (!json_is_object(schema)) {
        ferry_error_set(why, whylen, "a schema that is not an object");
        return NULL;
    }
    if (depth > ES_MAPPING_MAX_DEPTH) {
        ferry_error_set(why, whylen, "a schema nested deeper than %d levels",
                        ES_MAPPING_MAX_DEPTH);
        return NULL;
    }
    const char *logical = es_logical_type(json_string_value(json_object_get(schema, "name")));
    if (logical)
        return es_mapping_primitive(logical, schema);
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (!type) {
        ferry_error_set(why, whylen, "a schema without a type");
        return NULL;
    }
    if (strcmp(type, "struct") == 0)
        return es_mapping_struct(schema, compact, depth, why, whylen);
    if (strcmp(type, "array") == 0)
        return es_mapping_node(json_object_get(schema, "items"), compact, depth + 1, why,
                               whylen);
    if (strcmp(type, "map") == 0)
        return es_mapping_map(schema, compact, depth, why, whylen);
    const char *es_type = es_primitive_type(type);
    if (!es_type) {
        ferry_error_set(why, whylen, "an unknown schema type '%s'", type);
        return NULL;
    }
    return es_mapping_primitive(es_type, schema);
}

json_t *es_mapping_from_schema(const json_t *schema, bool compact_map_entries, char *why,
                               size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    json_t *mapping = es_mapping_node(schema, compact_map_entries, 0, why, whylen);
    if (!mapping && why && whylen && !why[0])
        ferry_error_set(why, whylen, "out of memory");
    return mapping;
}
