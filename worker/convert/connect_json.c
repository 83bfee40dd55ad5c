/*
 * connect_json.c - Connect schemas and values as Kafka's JsonConverter writes them
 * (connect_json.h).
 *
 * Both writers run for every record a source task sends with schemas, so neither allocates nor
 * hashes where it can help it: each schema node is read in one pass over its members (sorting
 * them into Kafka's order on the way), the schema of an array's items or a map's keys and values
 * once for all its elements, and a struct's members are taken in the payload's own order while
 * it matches the schema's, looked up by name only where it does not.
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

/* A schema node read in one pass over its members: each writer looks at every node of every
 * record, and one walk with a switch on the key's length costs less than a hash lookup per
 * member it needs. */
typedef struct connect_schema {
    const json_t *members[CONNECT_MEMBER_COUNT];
    connect_type type;
} connect_schema;

/* key (len bytes) is the literal. */
#define CONNECT_IS(key, len, literal)                                                              \
    ((len) == sizeof(literal) - 1 && memcmp((key), (literal), sizeof(literal) - 1) == 0)

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

static connect_type connect_type_parse(const char *name, size_t len)
{
    if (!name)
        return CONNECT_TYPE_UNKNOWN;
    switch (len) {
    case 3:
        return CONNECT_IS(name, len, "map") ? CONNECT_TYPE_MAP : CONNECT_TYPE_UNKNOWN;
    case 4:
        return CONNECT_IS(name, len, "int8") ? CONNECT_TYPE_INT8 : CONNECT_TYPE_UNKNOWN;
    case 5:
        if (CONNECT_IS(name, len, "int16"))
            return CONNECT_TYPE_INT16;
        if (CONNECT_IS(name, len, "int32"))
            return CONNECT_TYPE_INT32;
        if (CONNECT_IS(name, len, "int64"))
            return CONNECT_TYPE_INT64;
        if (CONNECT_IS(name, len, "float"))
            return CONNECT_TYPE_FLOAT32;
        if (CONNECT_IS(name, len, "bytes"))
            return CONNECT_TYPE_BYTES;
        if (CONNECT_IS(name, len, "array"))
            return CONNECT_TYPE_ARRAY;
        return CONNECT_TYPE_UNKNOWN;
    case 6:
        if (CONNECT_IS(name, len, "string"))
            return CONNECT_TYPE_STRING;
        if (CONNECT_IS(name, len, "struct"))
            return CONNECT_TYPE_STRUCT;
        if (CONNECT_IS(name, len, "double"))
            return CONNECT_TYPE_FLOAT64;
        return CONNECT_TYPE_UNKNOWN;
    case 7:
        if (CONNECT_IS(name, len, "boolean"))
            return CONNECT_TYPE_BOOLEAN;
        /* What ferry wrote before it wrote Kafka's names: topics still hold them. */
        if (CONNECT_IS(name, len, "float32"))
            return CONNECT_TYPE_FLOAT32;
        if (CONNECT_IS(name, len, "float64"))
            return CONNECT_TYPE_FLOAT64;
        return CONNECT_TYPE_UNKNOWN;
    default:
        return CONNECT_TYPE_UNKNOWN;
    }
}

static connect_type connect_type_of(const json_t *type)
{
    return connect_type_parse(json_string_value(type), json_string_length(type));
}

connect_type connect_json_type(const json_t *schema)
{
    return connect_type_of(json_object_get(schema, "type"));
}

const char *connect_json_type_name(connect_type type)
{
    if (type <= CONNECT_TYPE_UNKNOWN || (size_t)type >= CONNECT_TYPE_COUNT)
        return NULL;
    return connect_type_names[type];
}

/* The slot of a schema member's key, or CONNECT_MEMBER_COUNT for a key Kafka does not read. */
static connect_member connect_member_of(const char *key, size_t len)
{
    switch (len) {
    case 3:
        return CONNECT_IS(key, len, "doc") ? CONNECT_MEMBER_DOC : CONNECT_MEMBER_COUNT;
    case 4:
        if (CONNECT_IS(key, len, "type"))
            return CONNECT_MEMBER_TYPE;
        if (CONNECT_IS(key, len, "keys"))
            return CONNECT_MEMBER_KEYS;
        if (CONNECT_IS(key, len, "name"))
            return CONNECT_MEMBER_NAME;
        return CONNECT_MEMBER_COUNT;
    case 5:
        if (CONNECT_IS(key, len, "field"))
            return CONNECT_MEMBER_FIELD;
        if (CONNECT_IS(key, len, "items"))
            return CONNECT_MEMBER_ITEMS;
        return CONNECT_MEMBER_COUNT;
    case 6:
        if (CONNECT_IS(key, len, "fields"))
            return CONNECT_MEMBER_FIELDS;
        if (CONNECT_IS(key, len, "values"))
            return CONNECT_MEMBER_VALUES;
        return CONNECT_MEMBER_COUNT;
    case 7:
        if (CONNECT_IS(key, len, "version"))
            return CONNECT_MEMBER_VERSION;
        if (CONNECT_IS(key, len, "default"))
            return CONNECT_MEMBER_DEFAULT;
        return CONNECT_MEMBER_COUNT;
    case 8:
        return CONNECT_IS(key, len, "optional") ? CONNECT_MEMBER_OPTIONAL : CONNECT_MEMBER_COUNT;
    case 10:
        return CONNECT_IS(key, len, "parameters") ? CONNECT_MEMBER_PARAMETERS
                                                  : CONNECT_MEMBER_COUNT;
    default:
        return CONNECT_MEMBER_COUNT;
    }
}

static size_t connect_iter_key_len(void *iter)
{
#if JANSSON_VERSION_HEX >= 0x020e00
    return json_object_iter_key_len(iter);
#else
    return strlen(json_object_iter_key(iter));
#endif
}

/* Reads schema (an object) into view. */
static void connect_schema_read(const json_t *schema, connect_schema *view)
{
    memset(view->members, 0, sizeof(view->members));
    void *iter = json_object_iter((json_t *)schema);
    for (; iter; iter = json_object_iter_next((json_t *)schema, iter)) {
        connect_member slot = connect_member_of(json_object_iter_key(iter),
                                                connect_iter_key_len(iter));
        if (slot != CONNECT_MEMBER_COUNT)
            view->members[slot] = json_object_iter_value(iter);
    }
    view->type = connect_type_of(view->members[CONNECT_MEMBER_TYPE]);
}

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                     */

static int connect_write_value(strbuf *buffer, const json_t *schema,
                               const json_t *value, bool replace, int depth);
static int connect_write_value_as(strbuf *buffer, const connect_schema *view,
                                  const json_t *value, bool replace, int depth);

/* Whether one of the first count fields is named key. */
static bool connect_field_seen(const json_t *fields, size_t count, const char *key,
                               size_t key_len)
{
    for (size_t i = 0; i < count; i++) {
        const json_t *name = json_object_get(json_array_get(fields, i), "field");
        /* A field without a name is no field named "" (and memcmp may not be given NULL). */
        if (json_is_string(name) && json_string_length(name) == key_len &&
            memcmp(json_string_value(name), key, key_len) == 0)
            return true;
    }
    return false;
}

/* A struct: the schema's fields, in its order. */
static int connect_write_struct(strbuf *buffer, const connect_schema *view,
                                const json_t *value, bool replace, int depth)
{
    const json_t *fields = view->members[CONNECT_MEMBER_FIELDS];
    void *iter = json_object_iter((json_t *)value);
    bool first = true;
    bool off_order = false;

    if (json_writer_append_literal(buffer, "{") != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(fields); i++) {
        const json_t *field = json_array_get(fields, i);
        if (!json_is_object(field))
            continue; /* Kafka refuses such a schema; there is no name to write */
        connect_schema field_view;
        connect_schema_read(field, &field_view);
        const json_t *name = field_view.members[CONNECT_MEMBER_FIELD];
        if (!json_is_string(name))
            continue;
        const char *key = json_string_value(name);
        size_t key_len = json_string_length(name);
        /* A name used twice (Kafka refuses such a schema) would write an object with a key
         * twice, which does not read back as the value. While every field came in the
         * payload's order, each took a member of its own: a name can come twice only after
         * one did not (the usual record never pays the check). */
        bool in_order = iter && connect_iter_key_len(iter) == key_len &&
                        memcmp(json_object_iter_key(iter), key, key_len) == 0;
        if (!in_order)
            off_order = true;
        if (off_order && connect_field_seen(fields, i, key, key_len))
            return CONNECT_JSON_BAD_FIELD;
        const json_t *member;
        if (in_order) {
            member = json_object_iter_value(iter);
            iter = json_object_iter_next((json_t *)value, iter);
        } else {
            member = json_object_get(value, key);
        }
        if (!first && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        first = false;
        if (json_writer_string(buffer, key, key_len) != 0 ||
            json_writer_append_literal(buffer, ":") != 0)
            return -1;
        int rc = connect_write_value_as(buffer, &field_view, member, replace, depth + 1);
        if (rc != 0)
            return rc;
    }
    return json_writer_append_literal(buffer, "}");
}

/* The view of a child schema (items, keys, values), read once for all the elements under it;
 * NULL when there is none (the elements are then written without a schema). */
static const connect_schema *connect_child_view(const json_t *child, connect_schema *view)
{
    if (!json_is_object(child))
        return NULL;
    connect_schema_read(child, view);
    return view;
}

/* A value under an optional view: with none, as it is. */
static int connect_write_under(strbuf *buffer, const connect_schema *view,
                               const json_t *value, bool replace, int depth)
{
    if (view)
        return connect_write_value_as(buffer, view, value, replace, depth);
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;
    return value ? json_writer_value(buffer, value, depth)
                 : json_writer_append_literal(buffer, "null");
}

static int connect_write_array(strbuf *buffer, const connect_schema *view,
                               const json_t *value, bool replace, int depth)
{
    connect_schema items_view;
    const connect_schema *items =
        connect_child_view(view->members[CONNECT_MEMBER_ITEMS], &items_view);
    if (json_writer_append_literal(buffer, "[") != 0)
        return -1;
    for (size_t i = 0; i < json_array_size(value); i++) {
        if (i > 0 && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        int rc = connect_write_under(buffer, items, json_array_get(value, i), replace, depth + 1);
        if (rc != 0)
            return rc;
    }
    return json_writer_append_literal(buffer, "]");
}

/* A map with string keys: an object. */
static int connect_write_map_object(strbuf *buffer, const connect_schema *view,
                                    const json_t *value, bool replace, int depth)
{
    connect_schema values_view;
    const connect_schema *values =
        connect_child_view(view->members[CONNECT_MEMBER_VALUES], &values_view);
    bool first = true;
    if (json_writer_append_literal(buffer, "{") != 0)
        return -1;
    void *iter = json_object_iter((json_t *)value);
    for (; iter; iter = json_object_iter_next((json_t *)value, iter)) {
        if (!first && json_writer_append_literal(buffer, ",") != 0)
            return -1;
        first = false;
        if (json_writer_string(buffer, json_object_iter_key(iter), connect_iter_key_len(iter)) !=
                0 ||
            json_writer_append_literal(buffer, ":") != 0)
            return -1;
        int rc = connect_write_under(buffer, values, json_object_iter_value(iter), replace,
                                     depth + 1);
        if (rc != 0)
            return rc;
    }
    return json_writer_append_literal(buffer, "}");
}

/* A map with keys of another type: an array of [key, value] pairs. */
static int connect_write_map_pairs(strbuf *buffer, const connect_schema *view,
                                   const json_t *value, bool replace, int depth)
{
    connect_schema keys_view;
    connect_schema values_view;
    const connect_schema *keys = connect_child_view(view->members[CONNECT_MEMBER_KEYS], &keys_view);
    const connect_schema *values =
        connect_child_view(view->members[CONNECT_MEMBER_VALUES], &values_view);
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
            connect_write_under(buffer, keys, json_array_get(pair, 0), replace, depth + 2) != 0 ||
            json_writer_append_literal(buffer, ",") != 0 ||
            connect_write_under(buffer, values, json_array_get(pair, 1), replace, depth + 2) != 0 ||
            json_writer_append_literal(buffer, "]") != 0)
            return -1;
    }
    return json_writer_append_literal(buffer, "]");
}

/* A number in an integer type: Kafka reads a real there as its integer part. */
static int connect_write_integer(strbuf *buffer, const json_t *value, int depth)
{
    if (json_is_real(value)) {
        double real = json_real_value(value);
        if (real >= -9223372036854775808.0 && real < 9223372036854775808.0)
            return json_writer_integer(buffer, (json_int_t)real);
    }
    return json_writer_value(buffer, value, depth);
}

/* Kafka's JsonConverter writes a value whose schema names a logical type through that type's
 * converter, which takes only the Java class of the type's base (a Decimal's BigDecimal from
 * bytes, a Date's java.util.Date from int32 or int64): a schema named so over another type (a
 * whole-value Cast keeps the name) cannot be written. */
static bool connect_logical_type_fits(const connect_schema *view)
{
    const json_t *name = view->members[CONNECT_MEMBER_NAME];
    static const char prefix[] = "org.apache.kafka.connect.data.";
    const char *text = json_string_value(name);
    if (!text || strncmp(text, prefix, sizeof(prefix) - 1) != 0)
        return true;
    text += sizeof(prefix) - 1;
    if (strcmp(text, "Decimal") == 0)
        return view->type == CONNECT_TYPE_BYTES;
    if (strcmp(text, "Date") == 0 || strcmp(text, "Time") == 0)
        return view->type == CONNECT_TYPE_INT32;
    if (strcmp(text, "Timestamp") == 0)
        return view->type == CONNECT_TYPE_INT64;
    return true;
}

static int connect_write_value_as(strbuf *buffer, const connect_schema *view,
                                  const json_t *value, bool replace, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;
    if (!value || json_is_null(value)) {
        /* Kafka's JsonConverter: the default when it replaces nulls and there is one, else null
         * when the schema is optional, else a DataException. */
        const json_t *fallback = view->members[CONNECT_MEMBER_DEFAULT];
        if (replace && fallback && !json_is_null(fallback))
            value = fallback;
        else if (view->type != CONNECT_TYPE_UNKNOWN &&
                 !json_is_true(view->members[CONNECT_MEMBER_OPTIONAL]))
            return CONNECT_JSON_REQUIRED_NULL;
        else
            return json_writer_append_literal(buffer, "null");
    }
    if (!connect_logical_type_fits(view))
        return CONNECT_JSON_LOGICAL_MISMATCH;

    switch (view->type) {
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
            return connect_write_array(buffer, view, value, replace, depth);
        break;
    case CONNECT_TYPE_MAP:
        if (connect_json_type(view->members[CONNECT_MEMBER_KEYS]) == CONNECT_TYPE_STRING) {
            if (json_is_object(value))
                return connect_write_map_object(buffer, view, value, replace, depth);
        } else if (json_is_array(value)) {
            return connect_write_map_pairs(buffer, view, value, replace, depth);
        }
        break;
    case CONNECT_TYPE_STRUCT:
        if (json_is_object(value))
            return connect_write_struct(buffer, view, value, replace, depth);
        break;
    case CONNECT_TYPE_BOOLEAN:
    case CONNECT_TYPE_BYTES: /* base64 already, Decimal included */
    case CONNECT_TYPE_STRING:
    case CONNECT_TYPE_UNKNOWN:
        break;
    }
    return json_writer_value(buffer, value, depth);
}

static int connect_write_value(strbuf *buffer, const json_t *schema,
                               const json_t *value, bool replace, int depth)
{
    connect_schema view;
    return connect_write_under(buffer, connect_child_view(schema, &view), value, replace, depth);
}

int connect_json_write_value(strbuf *buffer, const json_t *schema, const json_t *value,
                             bool replace_null_with_default)
{
    return connect_write_value(buffer, schema, value, replace_null_with_default, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Schemas                                                                                    */

static int connect_write_schema(strbuf *buffer, const json_t *schema, bool as_field,
                                bool replace, int depth);

/* ,"key": and the schema under it, when there is one. */
static int connect_write_child(strbuf *buffer, const char *key, size_t key_len,
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

static int connect_write_fields(strbuf *buffer, const json_t *fields, bool replace,
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
static int connect_write_parameters(strbuf *buffer, const json_t *parameters, int depth)
{
    if (!json_is_object(parameters) || json_object_size(parameters) == 0)
        return 0;
    if (json_writer_append_literal(buffer, ",\"parameters\":") != 0)
        return -1;
    return json_writer_value(buffer, parameters, depth + 1);
}

/* ,"key":"text" when the member is a string; Kafka ignores one that is not. */
static int connect_write_text(strbuf *buffer, const char *key, size_t key_len,
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
static int connect_write_schema_tail(strbuf *buffer, const connect_schema *view,
                                     bool as_field, bool replace, int depth)
{
    const json_t *const *members = view->members;
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
         connect_write_value_as(buffer, view, fallback, replace, depth + 1) != 0))
        return -1;
    if (as_field &&
        connect_write_text_literal(buffer, ",\"field\":", members[CONNECT_MEMBER_FIELD]) != 0)
        return -1;
    return json_writer_append_literal(buffer, "}");
}

static int connect_write_schema(strbuf *buffer, const json_t *schema, bool as_field,
                                bool replace, int depth)
{
    if (depth > JSON_WRITER_MAX_DEPTH)
        return -1;
    if (!json_is_object(schema))
        return schema ? json_writer_value(buffer, schema, depth)
                      : json_writer_append_literal(buffer, "null");

    connect_schema view;
    connect_schema_read(schema, &view);
    if (view.type == CONNECT_TYPE_UNKNOWN)
        return json_writer_value(buffer, schema, depth);

    /* Type names need no escaping. */
    const char *name = connect_type_names[view.type];
    if (json_writer_append_literal(buffer, "{\"type\":\"") != 0 ||
        json_writer_append(buffer, name, strlen(name)) != 0 ||
        json_writer_append_literal(buffer, "\"") != 0)
        return -1;
    const json_t *const *members = view.members;
    int rc = 0;
    switch (view.type) {
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
    return connect_write_schema_tail(buffer, &view, as_field, replace, depth);
}

int connect_json_write_schema(strbuf *buffer, const json_t *schema,
                              bool replace_null_with_default)
{
    return connect_write_schema(buffer, schema, false, replace_null_with_default, 0);
}
