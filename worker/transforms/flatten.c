/*
 * flatten.c - Kafka Connect's Flatten$Key and Flatten$Value: nested structs (with a schema) or
 * nested maps (without) become one level of fields named by their path, the names joined by
 * `delimiter`. Arrays, and everything inside them, are left as they are.
 *
 * With a schema (Kafka 3.9's rules): the new struct schema keeps the input's name, version, doc
 * and parameters and is required, with no default; each flattened field keeps its schema's
 * basics (type, logical name, an array's items) and is optional when it or any struct above it
 * is optional; its default is its own, or else the one the default of a struct above it gives.
 * A MAP field is refused, as in Kafka. A null nested struct (without a default) leaves its
 * fields null. Without a schema nested maps are flattened recursively, entries in the order
 * they come. A null key or value stays as it is. docs/transforms.md describes the keys.
 */
#include <stdlib.h>
#include <string.h>

#include "convert/json_writer.h"
#include "support/strbuf.h"
#include "transforms/connect_schema.h"
#include "transforms/field_transform.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

#define FLATTEN_PURPOSE "flattening"

typedef struct flatten {
    bool key; /* Flatten$Key */
    char *delimiter;
    connect_schema_cache *schemas; /* input schema -> flattened schema */
} flatten;

static const ferry_config_key flatten_config[] = {
    {.name = "delimiter", .type = FERRY_CONFIG_STRING, .default_value = ".",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "Delimiter to insert between field names from the input record when "
                      "generating field names for the output record"},
    {.name = NULL},
};

static void flatten_destroy(void *state)
{
    flatten *self = state;
    if (!self)
        return;
    free(self->delimiter);
    connect_schema_cache_destroy(self->schemas);
    free(self);
}

static int flatten_create(const ferry_config *config, const char *scope, bool key,
                          void **state, char *err, size_t errlen)
{
    (void)scope;
    flatten *self = calloc(1, sizeof(*self));
    if (!self || !(self->delimiter = java_config_text(config, "delimiter")) ||
        !(self->schemas = connect_schema_cache_new())) {
        flatten_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    self->key = key;
    *state = self;
    return 0;
}

/* The name of a field under prefix (Kafka's fieldName: the name alone at the top) in name,
 * which the caller cuts back to prefix_len afterwards. false when out of memory. */
static bool flatten_name(const flatten *self, strbuf *name, size_t prefix_len, const char *field)
{
    strbuf_truncate(name, prefix_len);
    if (prefix_len > 0)
        strbuf_append_str(name, self->delimiter);
    strbuf_append_str(name, field ? field : "");
    return !strbuf_failed(name) && name->data;
}

static int flatten_too_deep(char *err, size_t errlen)
{
    return ferry_error_set(err, errlen, "Flatten transformation was passed a value nested deeper "
                           "than %d levels", JSON_WRITER_MAX_DEPTH), -1;
}

/* ---- without a schema --------------------------------------------------------------------- */

/* Java's output is a LinkedHashMap in the input map's iteration order; a map Kafka's
 * JsonConverter read is a HashMap, whose order is its hash buckets'. ferry keeps the order the
 * entries came in. */
static int flatten_map(const flatten *self, const json_t *map, strbuf *name, int depth,
                       json_t *out, char *err, size_t errlen)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return flatten_too_deep(err, errlen);
    size_t prefix_len = name->len;
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)map, key, member) {
        if (!flatten_name(self, name, prefix_len, key))
            return ferry_error_set(err, errlen, "out of memory"), -1;
        if (json_is_object(member)) {
            if (flatten_map(self, member, name, depth + 1, out, err, errlen) != 0)
                return -1;
        } else if (json_object_set(out, name->data, member) != 0) {
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
    }
    strbuf_truncate(name, prefix_len);
    return 0;
}

/* ---- with a schema ------------------------------------------------------------------------ */

/* Kafka walks a struct schema twice, depth first and alike: to build the flattened schema
 * (buildUpdatedSchema) and to fill a flattened value (buildWithSchema). */
typedef struct flatten_walk {
    const flatten *self;
    bool schema_pass; /* building the schema, else filling a value */
    json_t *out;      /* the schema or the value being built */
    strbuf name;      /* the path of the field at hand */
    char *err;
    size_t errlen;
} flatten_walk;

static int flatten_unsupported(flatten_walk *walk, connect_type type)
{
    return ferry_error_set(walk->err, walk->errlen, "Flatten transformation does not support %s "
                           "for record with schemas (for field %s).",
                           connect_schema_type_java_name(type), walk->name.data), -1;
}

/* A flattened leaf's schema: copySchemaBasics of its own (type, logical name, an array's
 * items), optional and default as the walk found them. */
static int flatten_leaf_schema(flatten_walk *walk, const json_t *field, bool optional,
                               const json_t *default_value)
{
    json_t *leaf = connect_schema_copy_basics_new(field);
    int rc = -1;
    if (!leaf || connect_schema_optional_set(leaf, optional) != 0 ||
        (default_value && json_object_set(leaf, "default", (json_t *)default_value) != 0))
        ferry_error_set(walk->err, walk->errlen, "out of memory");
    else
        rc = connect_schema_field_append(walk->out, walk->name.data, leaf, walk->err,
                                         walk->errlen);
    json_decref(leaf);
    return rc;
}

/* A flattened leaf's value; Struct.put refuses a null in a field that came out required. */
static int flatten_leaf_value(flatten_walk *walk, connect_type type, bool optional,
                              const json_t *member)
{
    if (!member && !optional)
        return ferry_error_set(walk->err, walk->errlen, "Invalid value: null used for required "
                               "field: \"%s\", schema type: %s", walk->name.data,
                               connect_schema_type_java_name(type)), -1;
    if (json_object_set(walk->out, walk->name.data, member ? (json_t *)member : json_null()) != 0)
        return ferry_error_set(walk->err, walk->errlen, "out of memory"), -1;
    return 0;
}

/* What the walk carries into a field of schema. Building the schema: the field's default, or
 * else what the default of the struct above (inherited) holds for it. Filling a value: the
 * member of the struct value (inherited; NULL for a null struct, whose fields stay null), or
 * its default for a null (Struct.get and getStruct). */
static int flatten_carried(flatten_walk *walk, const json_t *schema, const json_t *field,
                           const char *field_name, const json_t *inherited, json_t **carried)
{
    *carried = NULL;
    if (walk->schema_pass) {
        json_t *own = json_object_get(field, "default");
        *carried = own && !json_is_null(own) ? own
                   : json_is_object(inherited)
                       ? json_object_get(inherited, field_name ? field_name : "")
                       : NULL;
        if (json_is_null(*carried))
            *carried = NULL;
        return 0;
    }
    if (!inherited)
        return 0;
    return connect_schema_struct_get(schema, inherited, field_name, true, carried, walk->err,
                                     walk->errlen);
}

/* The fields of schema under the path in walk->name; optional says whether a struct above is
 * optional, inherited is what flatten_carried reads from. */
static int flatten_walk_struct(flatten_walk *walk, const json_t *schema, const json_t *inherited,
                               bool optional, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return flatten_too_deep(walk->err, walk->errlen);
    size_t prefix_len = walk->name.len;
    const json_t *fields = json_object_get(schema, "fields");
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const char *field_name = connect_schema_field_name(field);
        json_t *carried;
        if (!flatten_name(walk->self, &walk->name, prefix_len, field_name))
            return ferry_error_set(walk->err, walk->errlen, "out of memory"), -1;
        if (flatten_carried(walk, schema, field, field_name, inherited, &carried) != 0)
            return -1;
        bool field_optional = optional || connect_schema_is_optional(field);
        connect_type type = connect_json_type(field);
        int rc;
        switch (type) {
        case CONNECT_TYPE_STRUCT:
            if (!walk->schema_pass && carried && !json_is_object(carried))
                return ferry_error_set(walk->err, walk->errlen, "Only Struct objects supported "
                                       "for [%s], found: %s", FLATTEN_PURPOSE,
                                       connect_schema_java_class(field, carried)), -1;
            rc = flatten_walk_struct(walk, field, carried, field_optional, depth + 1);
            break;
        case CONNECT_TYPE_MAP:
        case CONNECT_TYPE_UNKNOWN:
            rc = flatten_unsupported(walk, type);
            break;
        default:
            if (walk->schema_pass)
                rc = flatten_leaf_schema(walk, field, field_optional, carried);
            else if (inherited)
                rc = flatten_leaf_value(walk, type, field_optional, carried);
            else
                rc = flatten_leaf_value(walk, type, true, NULL); /* left unset by Kafka */
            break;
        }
        if (rc != 0)
            return -1;
    }
    strbuf_truncate(&walk->name, prefix_len);
    return 0;
}

/* Walks schema over inherited into out; 0, or -1 with err. */
static int flatten_walk_run(const flatten *self, bool schema_pass, const json_t *schema,
                            const json_t *inherited, json_t *out, char *err, size_t errlen)
{
    flatten_walk walk = {.self = self, .schema_pass = schema_pass, .out = out, .err = err,
                         .errlen = errlen};
    int rc = flatten_walk_struct(&walk, schema, inherited, connect_schema_is_optional(schema), 0);
    strbuf_free(&walk.name);
    return rc;
}

/* Kafka's flattened schema of a struct schema: a new reference, or NULL with err. */
static json_t *flatten_schema_build(const void *state, const json_t *schema, char *err,
                                    size_t errlen)
{
    json_t *out = connect_schema_struct_new();
    if (!out || connect_schema_copy_basics(schema, out) != 0) {
        json_decref(out);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    if (flatten_walk_run(state, true, schema, json_object_get(schema, "default"), out, err,
                         errlen) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The flattened struct of a struct value: a new object, or NULL with err. */
static json_t *flatten_struct_build(const void *state, const json_t *schema, const json_t *value,
                                    const json_t *output_schema, const ferry_record *record,
                                    transform_side side, char *err, size_t errlen)
{
    (void)output_schema, (void)record, (void)side;
    json_t *out = json_object();
    if (!out)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    if (flatten_walk_run(state, false, schema, value, out, err, errlen) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The flattened map of a schemaless map: a new object, or NULL with err. */
static json_t *flatten_schemaless(const void *state, const json_t *map,
                                  const ferry_record *record, transform_side side, char *err,
                                  size_t errlen)
{
    (void)record, (void)side;
    json_t *out = json_object();
    strbuf name = {0};
    if (!out)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    int rc = flatten_map(state, map, &name, 0, out, err, errlen);
    strbuf_free(&name);
    if (rc != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static const field_transform_ops flatten_ops = {
    .purpose = FLATTEN_PURPOSE,
    .schemaless = flatten_schemaless,
    .schema_build = flatten_schema_build,
    .struct_build = flatten_struct_build,
};

/* A null passes unchanged, as Kafka returns the record as it is. */
static transform_result flatten_apply(void *state, ferry_record *record,
                                      transform_output *output, char *err, size_t errlen)
{
    flatten *self = state;
    return field_transform_apply(&flatten_ops, self, self->schemas, self->key, record, output,
                                 err, errlen);
}

#define FLATTEN_DESCRIPTION                                                                      \
    "Flatten a nested data structure, generating names for each field by concatenating the "    \
    "field names at each level with a configurable delimiter character. Applies to Struct when " \
    "schema present, or a Map in the case of schemaless data. Array fields and their contents " \
    "are not modified. The default delimiter is '.'."

FIELD_TRANSFORM_CREATE_SIDES(flatten)

const transform_type flatten_key_type = {
    .name = "Flatten$Key",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.Flatten$Key", NULL},
    .description = FLATTEN_DESCRIPTION,
    .config = flatten_config,
    .needs = TRANSFORM_NEEDS_KEY,
    .create = flatten_key_create,
    .apply = flatten_apply,
    .destroy = flatten_destroy,
};

const transform_type flatten_value_type = {
    .name = "Flatten$Value",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.Flatten$Value", NULL},
    .description = FLATTEN_DESCRIPTION,
    .config = flatten_config,
    .needs = TRANSFORM_NEEDS_VALUE,
    .create = flatten_value_create,
    .apply = flatten_apply,
    .destroy = flatten_destroy,
};
