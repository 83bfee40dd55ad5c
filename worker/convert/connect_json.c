/*
 * connect_json.c - Connect schemas and values as Kafka's JsonConverter writes them
 * (connect_json.h).
 *
 * Both writers run for every record a source task sends with schemas, so neither allocates nor
 * hashes where it can help it: a schema's members are sorted into Kafka's order in one pass over
 * them, and a struct's members are taken in the payload's own order while it matches the
 * schema's, looked up by name only where it does not.
 */
#include "convert/connect_json.h"

#include <stdint.h>
#include <string.h>

#include "convert/json_writer.h"

static const char *const connect_type_names[] = {
    [CONNECT_TYPE_BOOLEAN] = "boolean", [CONNECT_TYPE_INT8] = "int8",
    [CONNECT_TYPE_INT16] = "int16",     [CONNECT_TYPE_INT32] = "int32",
    [CONNECT_TYPE_INT64] = "int64",     [CONNECT_TYPE_FLOAT32] = "float",
    [CONNECT_TYPE_FLOAT64] = "double",  [CONNECT_TYPE_BYTES] = "bytes",
    [CONNECT_TYPE_STRING] = "string",   [CONNECT_TYPE_ARRAY] = "array",
    [CONNECT_TYPE_MAP] = "map",         [CONNECT_TYPE_STRUCT] = "struct",
};

#define CONNECT_TYPE_COUNT (sizeof(connect_type_names) / sizeof(connect_type_names[0]))

/* A schema's members in the order Kafka writes them. */
typedef enum connect_member {
    CONNECT_MEMBER_TYPE,
    CONNECT_MEMBER_ITEMS,
    CONNECT_MEMBER_KEYS,
    CONNECT_MEMBER_VALUES,
    CONNECT_MEMBER_FIELDS,
    CONNECT_MEMBER_OPTIONAL,
    CONNECT_MEMBER_NAME,
    CONNECT_MEMBER_VERSION,
    CONNECT_MEMBER_DOC,
    CONNECT_MEMBER_PARAMETERS,
    CONNECT_MEMBER_DEFAULT,
    CONNECT_MEMBER_FIELD,
    CONNECT_MEMBER_COUNT,
} connect_member;

static const char *const connect_member_keys[CONNECT_MEMBER_COUNT] = {
    "type", "items", "keys", "values", "fields", "optional",
    "name", "version", "doc", "parameters", "default", "field",
};

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

static connect_type connect_type_parse(const char *name)
{
    if (!name)
        return CONNECT_TYPE_UNKNOWN;
    for (size_t type = 1; type < CONNECT_TYPE_COUNT; type++) {
        if (strcmp(name, connect_type_names[type]) == 0)
            return (connect_type)type;
    }
    /* What ferry wrote before it wrote Kafka's names: topics still hold them. */
    if (strcmp(name, "float32") == 0)
        return CONNECT_TYPE_FLOAT32;
    if (strcmp(name, "float64") == 0)
        return CONNECT_TYPE_FLOAT64;
    return CONNECT_TYPE_UNKNOWN;
}

connect_type connect_json_type(const json_t *schema)
{
    return connect_type_parse(json_string_value(json_object_get(schema, "type")));
}

const char *connect_json_type_name(connect_type type)
{
    if (type <= CONNECT_TYPE_UNKNOWN || (size_t)type >= CONNECT_TYPE_COUNT)
        return NULL;
    return connect_type_names[type];
}

/* The slot of a schema member's key, or CONNECT_MEMBER_COUNT for a key Kafka does not read. */
static connect_member connect_member_of(const char *key)
{
    connect_member first;
    connect_member second = CONNECT_MEMBER_COUNT;
    switch (key[0]) {
    case 't': first = CONNECT_MEMBER_TYPE; break;
    case 'i': first = CONNECT_MEMBER_ITEMS; break;
    case 'k': first = CONNECT_MEMBER_KEYS; break;
    case 'v': first = CONNECT_MEMBER_VALUES; second = CONNECT_MEMBER_VERSION; break;
    case 'f': first = CONNECT_MEMBER_FIELDS; second = CONNECT_MEMBER_FIELD; break;
    case 'o': first = CONNECT_MEMBER_OPTIONAL; break;
    case 'n': first = CONNECT_MEMBER_NAME; break;
    case 'd': first = CONNECT_MEMBER_DOC; second = CONNECT_MEMBER_DEFAULT; break;
    case 'p': first = CONNECT_MEMBER_PARAMETERS; break;
    default: return CONNECT_MEMBER_COUNT;
    }
    if (strcmp(key, connect_member_keys[first]) == 0)
        return first;
    if (second != CONNECT_MEMBER_COUNT && strcmp(key, connect_member_keys[second]) == 0)
        return second;
    return CONNECT_MEMBER_COUNT;
}

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                     */

static int connect_write_value(converter_buffer *buffer, const json_t *schema,
                               const json_t *value, bool replace, int depth);

/* A struct: the schema's fields, in its order. */
static int connect_write_struct(converter_buffer *buffer, const json_t *schema,
                                const json_t *value, bool replace, int depth)
{
    const json_t *fields = json_object_get(schema, "fields");
    void *iter = json_object_iter((json_t *)value);
    bool first = true;

    if (json_writer_append_literal(buffer, "{") != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        const json_t *name = json_object_get(field, "field");
        if (!json_is_string(name))
            continue; /* Kafka refuses such a schema; there is no name to write */
        const char *key = json_string_value(name);
        const json_t *member;
        if (iter && strcmp(json_object_iter_key(iter), key) == 0) {
            member = json_object_iter_value(iter);
            iter = json_object_iter_next((json_t *)value, iter);
        } else {
            member = json_object_get(value, key);
        }
        if (!first && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        first = false;
        if (json_writer_string(buffer, key, json_string_length(name)) != 0 ||
            json_writer_append_literal(buffer, ":") != 0 ||
            connect_write_value(buffer, field, member, replace, depth + 1) != 0)
            return -1;
    }
    return json_writer_append_literal(buffer, "}");
}

static int connect_write_array(converter_buffer *buffer, const json_t *schema,
                               const json_t *value, bool replace, int depth)
{
    const json_t *items = json_object_get(schema, "items");
    if (json_writer_append_literal(buffer, "[") != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(value); i++) {
        if (i > 0 && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        if (connect_write_value(buffer, items, json_array_get(value, i), replace, depth + 1) != 0)
            return -1;
    }
    return json_writer_append_literal(buffer, "]");
}

/* A map with string keys: an object. */
static int connect_write_map_object(converter_buffer *buffer, const json_t *schema,
                                    const json_t *value, bool replace, int depth)
{
    const json_t *values = json_object_get(schema, "values");
    bool first = true;
    if (json_writer_append_literal(buffer, "{") != 0)
        return -1;
    void *iter = json_object_iter((json_t *)value);
    for (; iter; iter = json_object_iter_next((json_t *)value, iter)) {
        const char *key = json_object_iter_key(iter);
#if JANSSON_VERSION_HEX >= 0x020e00
        size_t key_len = json_object_iter_key_len(iter);
#else
        size_t key_len = strlen(key);
#endif
        if (!first && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        first = false;
        if (json_writer_string(buffer, key, key_len) != 0 ||
            json_writer_append_literal(buffer, ":") != 0 ||
            connect_write_value(buffer, values, json_object_iter_value(iter), replace,
                                depth + 1) != 0)
            return -1;
    }
    return json_writer_append_literal(buffer, "}");
}

/* A map with keys of another type: an array of [key, value] pairs. */
static int connect_write_map_pairs(converter_buffer *buffer, const json_t *schema,
                                   const json_t *value, bool replace, int depth)
{
    const json_t *keys = json_object_get(schema, "keys");
    const json_t *values = json_object_get(schema, "values");
    if (json_writer_append_literal(buffer, "[") != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(value); i++) {
        const json_t *pair = json_array_get(value, i);
        if (i > 0 && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        if (!json_is_array(pair) || json_array_size(pair) != 2) {
            if (json_writer_value(buffer, pair, depth + 1) != 0)
                return -1;
            continue;
        }
        if (json_writer_append_literal(buffer, "[") != 0 ||
            connect_write_value(buffer, keys, json_array_get(pair, 0), replace, depth + 2) != 0 ||
            json_writer_append_literal(buffer, ",") != 0 ||
            connect_write_value(buffer, values, json_array_get(pair, 1), replace, depth + 2) != 0 ||
            json_writer_append_literal(buffer, "]") != 0)
            return -1;
    }
    return json_writer_append_literal(buffer, "]");
}

/* A number in an integer type: Kafka reads a real there as its integer part. */
static int connect_write_integer(converter_buffer *buffer, const json_t *value, int depth)
{
    if (json_is_real(value)) {
        double real = json_real_value(value);
        if (real >= -9223372036854775808.0 && real < 9223372036854775808.0)
            return json_writer_integer(buffer, (json_int_t)real);
    }
    return json_writer_value(buffer, value, depth);
}

static int connect_write_value(converter_buffer *buffer, const json_t *schema,
                               const json_t *value, bool replace, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;
    if (!json_is_object(schema))
        return value ? json_writer_value(buffer, value, depth)
                     : json_writer_append_literal(buffer, "null");
    if (!value || json_is_null(value)) {
        const json_t *fallback = json_object_get(schema, "default");
        if (!replace || !fallback || json_is_null(fallback))
            return json_writer_append_literal(buffer, "null");
        value = fallback;
    }

    switch (connect_json_type(schema)) {
    case CONNECT_TYPE_INT8:
    case CONNECT_TYPE_INT16:
    case CONNECT_TYPE_INT32:
    case CONNECT_TYPE_INT64:
        return connect_write_integer(buffer, value, depth);
    case CONNECT_TYPE_FLOAT32:
        if (json_is_number(value))
            return json_writer_float(buffer, (float)json_number_value(value));
        break;
    case CONNECT_TYPE_FLOAT64:
        if (json_is_number(value))
            return json_writer_double(buffer, json_number_value(value));
        break;
    case CONNECT_TYPE_ARRAY:
        if (json_is_array(value))
            return connect_write_array(buffer, schema, value, replace, depth);
        break;
    case CONNECT_TYPE_MAP:
        if (connect_json_type(json_object_get(schema, "keys")) == CONNECT_TYPE_STRING) {
            if (json_is_object(value))
                return connect_write_map_object(buffer, schema, value, replace, depth);
        } else if (json_is_array(value)) {
            return connect_write_map_pairs(buffer, schema, value, replace, depth);
        }
        break;
    case CONNECT_TYPE_STRUCT:
        if (json_is_object(value))
            return connect_write_struct(buffer, schema, value, replace, depth);
        break;
    case CONNECT_TYPE_BOOLEAN:
    case CONNECT_TYPE_BYTES: /* base64 already, Decimal included */
    case CONNECT_TYPE_STRING:
    case CONNECT_TYPE_UNKNOWN:
        break;
    }
    return json_writer_value(buffer, value, depth);
}

int connect_json_write_value(converter_buffer *buffer, const json_t *schema, const json_t *value,
                             bool replace_null_with_default)
{
    return connect_write_value(buffer, schema, value, replace_null_with_default, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Schemas                                                                                    */

static int connect_write_schema(converter_buffer *buffer, const json_t *schema, bool as_field,
                                bool replace, int depth);

/* ,"key": and the schema under it, when there is one. */
static int connect_write_child(converter_buffer *buffer, const char *key, size_t key_len,
                               const json_t *child, bool replace, int depth)
{
    if (!child)
        return 0;
    if (json_writer_append(buffer, key, key_len) != 0)
        return -1;
    return connect_write_schema(buffer, child, false, replace, depth + 1);
}

#define connect_write_child_literal(buffer, key, child, replace, depth)                           \
    connect_write_child((buffer), (key), sizeof(key) - 1, (child), (replace), (depth))

static int connect_write_fields(converter_buffer *buffer, const json_t *fields, bool replace,
                                int depth)
{
    if (json_writer_append_literal(buffer, ",\"fields\":[") != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        if (i > 0 && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        if (connect_write_schema(buffer, json_array_get(fields, i), true, replace, depth + 2) != 0)
            return -1;
    }
    return json_writer_append_literal(buffer, "]");
}

/* Parameters are strings to Kafka; an empty object is no parameters at all. */
static int connect_write_parameters(converter_buffer *buffer, const json_t *parameters, int depth)
{
    if (!json_is_object(parameters) || json_object_size(parameters) == 0)
        return 0;
    if (json_writer_append_literal(buffer, ",\"parameters\":") != 0)
        return -1;
    return json_writer_value(buffer, parameters, depth + 1);
}

/* ,"key":"text" when the member is a string; Kafka ignores one that is not. */
static int connect_write_text(converter_buffer *buffer, const char *key, size_t key_len,
                              const json_t *member)
{
    if (!json_is_string(member))
        return 0;
    if (json_writer_append(buffer, key, key_len) != 0)
        return -1;
    return json_writer_string(buffer, json_string_value(member), json_string_length(member));
}

#define connect_write_text_literal(buffer, key, member)                                            \
    connect_write_text((buffer), (key), sizeof(key) - 1, (member))

/* The members after the type's own: optional, name, version, doc, parameters, default, field. */
static int connect_write_schema_tail(converter_buffer *buffer, const json_t *schema,
                                     const json_t *const members[CONNECT_MEMBER_COUNT],
                                     bool as_field, bool replace, int depth)
{
    bool optional = json_is_true(members[CONNECT_MEMBER_OPTIONAL]);
    if ((optional ? json_writer_append_literal(buffer, ",\"optional\":true")
                  : json_writer_append_literal(buffer, ",\"optional\":false")) != 0 ||
        connect_write_text_literal(buffer, ",\"name\":", members[CONNECT_MEMBER_NAME]) != 0)
        return -1;
    /* Kafka reads the version as a Java int. */
    const json_t *version = members[CONNECT_MEMBER_VERSION];
    if (json_is_integer(version) &&
        (json_writer_append_literal(buffer, ",\"version\":") != 0 ||
         json_writer_integer(buffer, (int32_t)(uint32_t)json_integer_value(version)) != 0))
        return -1;
    if (connect_write_text_literal(buffer, ",\"doc\":", members[CONNECT_MEMBER_DOC]) != 0 ||
        connect_write_parameters(buffer, members[CONNECT_MEMBER_PARAMETERS], depth) != 0)
        return -1;
    const json_t *fallback = members[CONNECT_MEMBER_DEFAULT];
    if (fallback && !json_is_null(fallback) &&
        (json_writer_append_literal(buffer, ",\"default\":") != 0 ||
         connect_write_value(buffer, schema, fallback, replace, depth + 1) != 0))
        return -1;
    if (as_field &&
        connect_write_text_literal(buffer, ",\"field\":", members[CONNECT_MEMBER_FIELD]) != 0)
        return -1;
    return json_writer_append_literal(buffer, "}");
}

static int connect_write_schema(converter_buffer *buffer, const json_t *schema, bool as_field,
                                bool replace, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;
    if (!json_is_object(schema))
        return schema ? json_writer_value(buffer, schema, depth)
                      : json_writer_append_literal(buffer, "null");

    const json_t *members[CONNECT_MEMBER_COUNT] = {0};
    void *iter = json_object_iter((json_t *)schema);
    for (; iter; iter = json_object_iter_next((json_t *)schema, iter)) {
        connect_member slot = connect_member_of(json_object_iter_key(iter));
        if (slot != CONNECT_MEMBER_COUNT)
            members[slot] = json_object_iter_value(iter);
    }
    connect_type type = connect_type_parse(json_string_value(members[CONNECT_MEMBER_TYPE]));
    if (type == CONNECT_TYPE_UNKNOWN)
        return json_writer_value(buffer, schema, depth);

    const char *name = connect_type_names[type];
    if (json_writer_append_literal(buffer, "{\"type\":") != 0 ||
        json_writer_string(buffer, name, strlen(name)) != 0)
        return -1;
    int rc = 0;
    switch (type) {
    case CONNECT_TYPE_ARRAY:
        rc = connect_write_child_literal(buffer, ",\"items\":", members[CONNECT_MEMBER_ITEMS],
                                         replace, depth);
        break;
    case CONNECT_TYPE_MAP:
        rc = connect_write_child_literal(buffer, ",\"keys\":", members[CONNECT_MEMBER_KEYS],
                                         replace, depth);
        if (rc == 0)
            rc = connect_write_child_literal(buffer, ",\"values\":",
                                             members[CONNECT_MEMBER_VALUES], replace, depth);
        break;
    case CONNECT_TYPE_STRUCT:
        if (json_is_array(members[CONNECT_MEMBER_FIELDS]))
            rc = connect_write_fields(buffer, members[CONNECT_MEMBER_FIELDS], replace, depth);
        break;
    default:
        break;
    }
    if (rc != 0)
        return -1;
    return connect_write_schema_tail(buffer, schema, members, as_field, replace, depth);
}

int connect_json_write_schema(converter_buffer *buffer, const json_t *schema,
                              bool replace_null_with_default)
{
    return connect_write_schema(buffer, schema, false, replace_null_with_default, 0);
}
