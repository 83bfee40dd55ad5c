/*
 * test_connect_schema.c - the schema operations transforms share: the Java class names and the
 * Requirements texts of Kafka Connect, reading a struct's fields and values with defaults,
 * copySchemaBasics (what it copies and what it leaves out), building a struct field by field
 * with SchemaBuilder's texts and without touching the schemas it was built from, and the LRU
 * schema cache (hits by identity and by equality, misses, the bound of 16).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "convert/connect_json.h"
#include "support/strbuf.h"
#include "transforms/connect_schema.h"

static char err[512];

static json_t *json_of(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON: %s: %s", text, error.text);
    return value;
}

/* The JSON text of value, compact with sorted keys, for comparisons. */
static void assert_json(const json_t *value, const char *expected)
{
    json_t *want = json_of(expected);
    if (!json_equal((json_t *)value, want)) {
        char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("got %s, expected %s", text ? text : "(null)", expected);
    }
    json_decref(want);
}

/* A struct with a name, version, doc, parameters, optional and a default. */
static const char *const person_schema =
    "{\"type\":\"struct\",\"name\":\"com.example.Person\",\"version\":3,\"doc\":\"a person\","
    "\"parameters\":{\"p\":\"1\"},\"optional\":true,\"default\":{\"id\":0,\"name\":\"none\"},"
    "\"fields\":[{\"field\":\"id\",\"type\":\"int32\",\"optional\":false},"
    "{\"field\":\"name\",\"type\":\"string\",\"optional\":true,\"default\":\"anon\"},"
    "{\"field\":\"tags\",\"type\":\"array\",\"items\":{\"type\":\"string\"},\"optional\":true}]}";

/* ---- Java's view of a value ------------------------------------------------------------------ */

static void test_type_java_names(void **state)
{
    (void)state;
    static const char *const names[] = {"null",  "BOOLEAN", "INT8",    "INT16", "INT32",
                                        "INT64", "FLOAT32", "FLOAT64", "BYTES", "STRING",
                                        "ARRAY", "MAP",     "STRUCT"};
    for (int type = CONNECT_TYPE_UNKNOWN; type <= CONNECT_TYPE_STRUCT; type++)
        assert_string_equal(connect_schema_type_java_name((connect_type)type), names[type]);
    assert_string_equal(connect_schema_type_java_name((connect_type)99), "null");
}

static void test_java_class(void **state)
{
    (void)state;
    static const struct {
        const char *schema; /* NULL: schemaless */
        const char *value;  /* NULL: a C NULL */
        const char *class_name;
    } cases[] = {
        /* JsonConverter without schemas */
        {NULL, "{\"a\":1}", "java.util.HashMap"},
        {NULL, "[1]", "java.util.ArrayList"},
        {NULL, "\"s\"", "java.lang.String"},
        {NULL, "5", "java.lang.Long"},
        {NULL, "5.5", "java.lang.Double"},
        {NULL, "true", "java.lang.Boolean"},
        {NULL, "false", "java.lang.Boolean"},
        {NULL, "null", "null"},
        {NULL, NULL, "null"},
        /* under a schema */
        {"{\"type\":\"boolean\"}", "true", "java.lang.Boolean"},
        {"{\"type\":\"int8\"}", "1", "java.lang.Byte"},
        {"{\"type\":\"int16\"}", "1", "java.lang.Short"},
        {"{\"type\":\"int32\"}", "1", "java.lang.Integer"},
        {"{\"type\":\"int64\"}", "1", "java.lang.Long"},
        {"{\"type\":\"float\"}", "1.5", "java.lang.Float"},
        {"{\"type\":\"float32\"}", "1", "java.lang.Float"},
        {"{\"type\":\"double\"}", "1.5", "java.lang.Double"},
        {"{\"type\":\"bytes\"}", "\"AAE=\"", "[B"},
        {"{\"type\":\"string\"}", "\"s\"", "java.lang.String"},
        {"{\"type\":\"array\",\"items\":{\"type\":\"int32\"}}", "[1]", "java.util.ArrayList"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"string\"}}", "{}", "java.util.HashMap"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int32\"}}", "[[1,2]]", "java.util.HashMap"},
        {"{\"type\":\"struct\",\"fields\":[]}", "{}", "org.apache.kafka.connect.data.Struct"},
        {"{\"type\":\"struct\",\"fields\":[]}", "null", "null"},
        /* logical types */
        {"{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\"}", "\"AA==\"",
         "java.math.BigDecimal"},
        {"{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\"}", "1",
         "java.util.Date"},
        {"{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Time\"}", "1",
         "java.util.Date"},
        {"{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"}", "1",
         "java.util.Date"},
        {"{\"type\":\"int64\",\"name\":\"io.debezium.time.Timestamp\"}", "1", "java.lang.Long"},
        /* a value that does not fit its schema is named by its JSON kind */
        {"{\"type\":\"struct\",\"fields\":[]}", "\"s\"", "java.lang.String"},
        {"{\"type\":\"int32\"}", "{}", "java.util.HashMap"},
        {"{\"type\":\"nonsense\"}", "1", "java.lang.Long"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *schema = cases[i].schema ? json_of(cases[i].schema) : NULL;
        json_t *value = cases[i].value ? json_of(cases[i].value) : NULL;
        const char *class_name = connect_schema_java_class(schema, value);
        if (strcmp(class_name, cases[i].class_name) != 0)
            fail_msg("case %zu: %s, expected %s", i, class_name, cases[i].class_name);
        json_decref(schema);
        json_decref(value);
    }
}

/* ---- Requirements ---------------------------------------------------------------------------- */

static void test_require_schema(void **state)
{
    (void)state;
    json_t *schema = json_of("{\"type\":\"string\"}");
    assert_int_equal(connect_schema_require_schema(schema, "field insertion", err, sizeof err),
                     0);
    assert_int_equal(connect_schema_require_schema(NULL, "field insertion", err, sizeof err), -1);
    assert_string_equal(err, "Schema required for [field insertion]");
    json_decref(schema);
}

static void test_require_map(void **state)
{
    (void)state;
    json_t *map = json_of("{\"a\":1}");
    json_t *text = json_of("\"s\"");
    json_t *null = json_null();
    assert_int_equal(connect_schema_require_map(map, "field extraction", err, sizeof err), 0);
    assert_int_equal(connect_schema_require_map_or_null(map, "x", err, sizeof err), 0);
    assert_int_equal(connect_schema_require_map_or_null(NULL, "x", err, sizeof err), 0);
    assert_int_equal(connect_schema_require_map_or_null(null, "x", err, sizeof err), 0);
    assert_int_equal(connect_schema_require_map(text, "field extraction", err, sizeof err), -1);
    assert_string_equal(err, "Only Map objects supported in absence of schema for [field "
                             "extraction], found: java.lang.String");
    assert_int_equal(connect_schema_require_map_or_null(text, "masking", err, sizeof err), -1);
    assert_string_equal(err, "Only Map objects supported in absence of schema for [masking], "
                             "found: java.lang.String");
    assert_int_equal(connect_schema_require_map(NULL, "field extraction", err, sizeof err), -1);
    assert_string_equal(err, "Only Map objects supported in absence of schema for [field "
                             "extraction], found: null");
    assert_int_equal(connect_schema_require_map(null, "copy", err, sizeof err), -1);
    assert_string_equal(err, "Only Map objects supported in absence of schema for [copy], "
                             "found: null");
    json_decref(map);
    json_decref(text);
}

static void test_require_struct(void **state)
{
    (void)state;
    json_t *schema = json_of(person_schema);
    json_t *value = json_of("{\"id\":1}");
    json_t *string_schema = json_of("{\"type\":\"string\",\"optional\":true}");
    json_t *text = json_of("\"s\"");
    json_t *map_schema = json_of("{\"type\":\"map\",\"keys\":{\"type\":\"string\"},"
                                 "\"values\":{\"type\":\"int32\"}}");
    assert_int_equal(connect_schema_require_struct(schema, value, "p", err, sizeof err), 0);
    assert_int_equal(connect_schema_require_struct_or_null(schema, NULL, "p", err, sizeof err),
                     0);
    assert_int_equal(
        connect_schema_require_struct_or_null(schema, json_null(), "p", err, sizeof err), 0);
    /* StringConverter's value under its optional string schema */
    assert_int_equal(connect_schema_require_struct(string_schema, text, "field extraction", err,
                                                   sizeof err),
                     -1);
    assert_string_equal(err, "Only Struct objects supported for [field extraction], found: "
                             "java.lang.String");
    assert_int_equal(connect_schema_require_struct_or_null(string_schema, text, "field "
                                                           "extraction", err, sizeof err),
                     -1);
    assert_string_equal(err, "Only Struct objects supported for [field extraction], found: "
                             "java.lang.String");
    assert_int_equal(connect_schema_require_struct(map_schema, value, "field insertion", err,
                                                   sizeof err),
                     -1);
    assert_string_equal(err, "Only Struct objects supported for [field insertion], found: "
                             "java.util.HashMap");
    assert_int_equal(connect_schema_require_struct(schema, NULL, "field insertion", err,
                                                   sizeof err),
                     -1);
    assert_string_equal(err, "Only Struct objects supported for [field insertion], found: null");
    /* an object with no schema is a Map, not a Struct */
    assert_int_equal(connect_schema_require_struct(NULL, value, "x", err, sizeof err), -1);
    assert_string_equal(err, "Only Struct objects supported for [x], found: java.util.HashMap");
    json_decref(map_schema);
    json_decref(text);
    json_decref(string_schema);
    json_decref(value);
    json_decref(schema);
}

/* ---- Reading a struct ------------------------------------------------------------------------ */

static void test_field_lookup(void **state)
{
    (void)state;
    json_t *schema = json_of(person_schema);
    json_t *int_schema = json_of("{\"type\":\"int32\"}");
    json_t *field = connect_schema_field_find(schema, "name");
    assert_non_null(field);
    assert_string_equal(connect_schema_field_name(field), "name");
    assert_null(connect_schema_field_find(schema, "missing"));
    assert_null(connect_schema_field_find(schema, NULL));
    assert_null(connect_schema_field_find(int_schema, "name"));
    assert_null(connect_schema_field_find(NULL, "name"));
    assert_null(connect_schema_field_name(int_schema));

    assert_int_equal(connect_schema_field_get(schema, "id", &field, err, sizeof err), 0);
    assert_string_equal(connect_schema_field_name(field), "id");
    assert_int_equal(connect_schema_field_get(schema, "missing", &field, err, sizeof err), 0);
    assert_null(field);
    assert_int_equal(connect_schema_field_get(int_schema, "id", &field, err, sizeof err), -1);
    assert_null(field);
    assert_string_equal(err, "Cannot look up fields on non-struct type");

    /* Field.schema(): the field without its name, the input untouched */
    json_t *own = connect_schema_field_schema(connect_schema_field_find(schema, "name"));
    assert_json(own, "{\"type\":\"string\",\"optional\":true,\"default\":\"anon\"}");
    assert_string_equal(connect_schema_field_name(connect_schema_field_find(schema, "name")),
                        "name");
    assert_null(connect_schema_field_schema(NULL));
    json_decref(own);

    assert_true(connect_schema_is_optional(schema));
    assert_false(connect_schema_is_optional(connect_schema_field_find(schema, "id")));
    assert_false(connect_schema_is_optional(int_schema)); /* no "optional": required */
    json_decref(int_schema);
    json_decref(schema);
}

static void test_struct_get(void **state)
{
    (void)state;
    json_t *schema = json_of(person_schema);
    json_t *value = json_of("{\"id\":7,\"name\":null,\"extra\":1}");
    json_t *member = (json_t *)1;
    assert_int_equal(connect_schema_struct_get(schema, value, "id", true, &member, err,
                                               sizeof err),
                     0);
    assert_int_equal(json_integer_value(member), 7);
    /* null with a default: Struct.get takes it, getWithoutDefault does not */
    assert_int_equal(connect_schema_struct_get(schema, value, "name", true, &member, err,
                                               sizeof err),
                     0);
    assert_string_equal(json_string_value(member), "anon");
    assert_int_equal(connect_schema_struct_get(schema, value, "name", false, &member, err,
                                               sizeof err),
                     0);
    assert_null(member);
    /* missing with no default */
    assert_int_equal(connect_schema_struct_get(schema, value, "tags", true, &member, err,
                                               sizeof err),
                     0);
    assert_null(member);
    /* a member the schema does not name */
    assert_int_equal(connect_schema_struct_get(schema, value, "extra", true, &member, err,
                                               sizeof err),
                     -1);
    assert_null(member);
    assert_string_equal(err, "extra is not a valid field name");
    json_decref(value);
    json_decref(schema);
}

/* ---- Building a schema ----------------------------------------------------------------------- */

static void test_struct_new(void **state)
{
    (void)state;
    json_t *schema = connect_schema_struct_new();
    assert_json(schema, "{\"type\":\"struct\",\"fields\":[],\"optional\":false}");
    json_decref(schema);
}

/* copySchemaBasics copies name, version, doc and parameters, and nothing else. */
static void test_copy_basics_new(void **state)
{
    (void)state;
    json_t *person = json_of(person_schema);
    json_t *copy = connect_schema_copy_basics_new(person);
    assert_json(copy, "{\"type\":\"struct\",\"name\":\"com.example.Person\",\"version\":3,"
                      "\"doc\":\"a person\",\"parameters\":{\"p\":\"1\"},\"optional\":false}");
    json_decref(copy);

    json_t *array = json_of("{\"type\":\"array\",\"items\":{\"type\":\"int8\"},"
                            "\"optional\":true,\"default\":[1],\"name\":\"list\"}");
    copy = connect_schema_copy_basics_new(array);
    assert_json(copy, "{\"type\":\"array\",\"items\":{\"type\":\"int8\"},\"name\":\"list\","
                      "\"optional\":false}");
    json_decref(copy);

    /* a map loses its keys and values, as new SchemaBuilder(MAP) does */
    json_t *map = json_of("{\"type\":\"map\",\"keys\":{\"type\":\"string\"},"
                          "\"values\":{\"type\":\"int32\"},\"doc\":\"m\"}");
    copy = connect_schema_copy_basics_new(map);
    assert_json(copy, "{\"type\":\"map\",\"doc\":\"m\",\"optional\":false}");
    json_decref(copy);

    /* members of a kind Kafka does not read there are not basics */
    json_t *odd = json_of("{\"type\":\"int64\",\"name\":5,\"version\":\"2\",\"doc\":null,"
                          "\"parameters\":[1]}");
    copy = connect_schema_copy_basics_new(odd);
    assert_json(copy, "{\"type\":\"int64\",\"optional\":false}");
    json_decref(copy);
    assert_null(connect_schema_copy_basics_new(NULL));

    /* the sources are as they were */
    assert_true(connect_schema_is_optional(person));
    assert_non_null(json_object_get(person, "fields"));
    json_decref(odd);
    json_decref(map);
    json_decref(array);
    json_decref(person);
}

static void test_copy_basics_into(void **state)
{
    (void)state;
    json_t *person = json_of(person_schema);
    /* copySchemaBasics(schema, SchemaBuilder.struct()), what InsertField and ReplaceField do */
    json_t *target = connect_schema_struct_new();
    assert_int_equal(connect_schema_copy_basics(person, target), 0);
    assert_json(target, "{\"type\":\"struct\",\"fields\":[],\"optional\":false,"
                        "\"name\":\"com.example.Person\",\"version\":3,\"doc\":\"a person\","
                        "\"parameters\":{\"p\":\"1\"}}");
    /* a source without basics takes target's name, version and doc away; parameters add up */
    json_t *other = json_of("{\"type\":\"string\",\"parameters\":{\"q\":\"2\"}}");
    assert_int_equal(connect_schema_copy_basics(other, target), 0);
    assert_json(target, "{\"type\":\"struct\",\"fields\":[],\"optional\":false,"
                        "\"parameters\":{\"p\":\"1\",\"q\":\"2\"}}");
    /* the parameters target shared with person were not changed under person */
    assert_json(json_object_get(person, "parameters"), "{\"p\":\"1\"}");
    json_t *shared = connect_schema_copy(person);
    assert_int_equal(connect_schema_copy_basics(other, shared), 0);
    assert_json(json_object_get(person, "parameters"), "{\"p\":\"1\"}");
    assert_json(json_object_get(shared, "parameters"), "{\"p\":\"1\",\"q\":\"2\"}");
    json_decref(shared);
    json_decref(other);
    json_decref(target);
    json_decref(person);
}

/* connect_schema_copy keeps everything, with fields of its own to change. */
static void test_copy(void **state)
{
    (void)state;
    json_t *person = json_of(person_schema);
    json_t *before = json_deep_copy(person);
    json_t *copy = connect_schema_copy(person);
    assert_true(json_equal(copy, person));
    assert_ptr_not_equal(json_object_get(copy, "fields"), json_object_get(person, "fields"));
    json_t *boolean = json_of("{\"type\":\"boolean\"}");
    assert_int_equal(connect_schema_field_append(copy, "flag", boolean, err, sizeof err), 0);
    assert_int_equal(connect_schema_field_rename(copy, "id", "key", err, sizeof err), 0);
    assert_int_equal(connect_schema_field_optional_set(copy, "id", true, err, sizeof err), -1);
    assert_int_equal(connect_schema_field_optional_set(copy, "key", true, err, sizeof err), 0);
    assert_int_equal(connect_schema_field_retype(copy, "name", boolean, err, sizeof err), 0);
    assert_int_equal(connect_schema_field_remove(copy, "tags", err, sizeof err), 0);
    assert_int_equal(connect_schema_optional_set(copy, false), 0);
    assert_true(json_equal(person, before)); /* nothing of the input changed */
    assert_json(copy,
                "{\"type\":\"struct\",\"name\":\"com.example.Person\",\"version\":3,"
                "\"doc\":\"a person\",\"parameters\":{\"p\":\"1\"},\"optional\":false,"
                "\"default\":{\"id\":0,\"name\":\"none\"},\"fields\":["
                "{\"field\":\"key\",\"type\":\"int32\",\"optional\":true},"
                "{\"field\":\"name\",\"type\":\"boolean\"},"
                "{\"field\":\"flag\",\"type\":\"boolean\"}]}");
    json_decref(boolean);
    json_decref(copy);
    json_decref(before);
    json_decref(person);
    assert_null(connect_schema_copy(NULL));
}

static void test_optional_set(void **state)
{
    (void)state;
    json_t *schema = json_of("{\"type\":\"int32\",\"default\":5}");
    assert_int_equal(connect_schema_optional_set(schema, true), 0);
    assert_json(schema, "{\"type\":\"int32\",\"default\":5,\"optional\":true}");
    assert_int_equal(connect_schema_optional_set(schema, false), 0);
    assert_json(schema, "{\"type\":\"int32\",\"default\":5,\"optional\":false}");
    json_decref(schema);
}

/* A struct built field by field comes out in Kafka's JsonConverter form. */
static void test_field_append(void **state)
{
    (void)state;
    json_t *person = json_of(person_schema);
    json_t *schema = connect_schema_copy_basics_new(person);
    json_t *string_schema = json_of("{\"type\":\"string\",\"optional\":true}");
    json_t *id = connect_schema_field_find(person, "id");
    assert_int_equal(connect_schema_field_append(schema, "id", id, err, sizeof err), 0);
    assert_int_equal(connect_schema_field_append(schema, "topic", string_schema, err, sizeof err),
                     0);
    /* a field of another struct taken as the schema: its name is replaced, it stays as it was */
    assert_int_equal(connect_schema_field_append(schema, "label", id, err, sizeof err), 0);
    assert_string_equal(connect_schema_field_name(id), "id");
    assert_null(json_object_get(string_schema, "field"));

    strbuf text = {0};
    assert_int_equal(connect_json_write_schema(&text, schema, true), 0);
    assert_string_equal(text.data,
                        "{\"type\":\"struct\",\"fields\":["
                        "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
                        "{\"type\":\"string\",\"optional\":true,\"field\":\"topic\"},"
                        "{\"type\":\"int32\",\"optional\":false,\"field\":\"label\"}],"
                        "\"optional\":false,\"name\":\"com.example.Person\",\"version\":3,"
                        "\"doc\":\"a person\",\"parameters\":{\"p\":\"1\"}}");
    strbuf_free(&text);

    /* SchemaBuilder.field's refusals */
    assert_int_equal(connect_schema_field_append(schema, "id", string_schema, err, sizeof err),
                     -1);
    assert_string_equal(err, "Cannot create field because of field name duplication id");
    assert_int_equal(connect_schema_field_append(schema, "", string_schema, err, sizeof err), -1);
    assert_string_equal(err, "fieldName cannot be null.");
    assert_int_equal(connect_schema_field_append(schema, NULL, string_schema, err, sizeof err),
                     -1);
    assert_string_equal(err, "fieldName cannot be null.");
    assert_int_equal(connect_schema_field_append(schema, "x", NULL, err, sizeof err), -1);
    assert_string_equal(err, "fieldSchema for field x cannot be null.");
    assert_int_equal(connect_schema_field_append(string_schema, "x", id, err, sizeof err), -1);
    assert_string_equal(err, "Cannot create fields on type STRING");
    assert_int_equal(json_array_size(json_object_get(schema, "fields")), 3);

    /* a struct schema without a "fields" array gets one */
    json_t *bare = json_of("{\"type\":\"struct\"}");
    assert_int_equal(connect_schema_field_append(bare, "a", string_schema, err, sizeof err), 0);
    assert_json(bare, "{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"string\","
                      "\"optional\":true}]}");
    json_decref(bare);
    json_decref(string_schema);
    json_decref(schema);
    json_decref(person);
}

static void test_field_remove_rename_retype(void **state)
{
    (void)state;
    json_t *person = json_of(person_schema);
    json_t *schema = connect_schema_copy(person);
    json_t *int64 = json_of("{\"type\":\"int64\",\"optional\":true}");

    assert_int_equal(connect_schema_field_remove(schema, "missing", err, sizeof err), -1);
    assert_string_equal(err, "missing is not a valid field name");
    assert_int_equal(connect_schema_field_remove(schema, "name", err, sizeof err), 0);
    assert_null(connect_schema_field_find(schema, "name"));
    assert_non_null(connect_schema_field_find(person, "name"));

    assert_int_equal(connect_schema_field_rename(schema, "missing", "x", err, sizeof err), -1);
    assert_string_equal(err, "missing is not a valid field name");
    assert_int_equal(connect_schema_field_rename(schema, "id", "tags", err, sizeof err), -1);
    assert_string_equal(err, "Cannot create field because of field name duplication tags");
    assert_int_equal(connect_schema_field_rename(schema, "id", "", err, sizeof err), -1);
    assert_string_equal(err, "fieldName cannot be null.");
    assert_int_equal(connect_schema_field_rename(schema, "id", "id", err, sizeof err), 0);
    assert_int_equal(connect_schema_field_rename(schema, "tags", "labels", err, sizeof err), 0);
    assert_string_equal(connect_schema_field_name(json_array_get(json_object_get(schema, "fields"),
                                                                 1)),
                        "labels");

    assert_int_equal(connect_schema_field_retype(schema, "missing", int64, err, sizeof err), -1);
    assert_string_equal(err, "missing is not a valid field name");
    assert_int_equal(connect_schema_field_retype(schema, "id", NULL, err, sizeof err), -1);
    assert_string_equal(err, "fieldSchema for field id cannot be null.");
    assert_int_equal(connect_schema_field_retype(schema, "id", int64, err, sizeof err), 0);
    assert_int_equal(connect_schema_field_optional_set(schema, "labels", false, err, sizeof err),
                     0);
    assert_int_equal(connect_schema_field_optional_set(schema, "gone", false, err, sizeof err),
                     -1);
    assert_string_equal(err, "gone is not a valid field name");
    assert_json(json_object_get(schema, "fields"),
                "[{\"field\":\"id\",\"type\":\"int64\",\"optional\":true},"
                "{\"field\":\"labels\",\"type\":\"array\",\"items\":{\"type\":\"string\"},"
                "\"optional\":false}]");
    /* the input's fields are all still there, as they were */
    assert_json(json_object_get(person, "fields"),
                "[{\"field\":\"id\",\"type\":\"int32\",\"optional\":false},"
                "{\"field\":\"name\",\"type\":\"string\",\"optional\":true,\"default\":\"anon\"},"
                "{\"field\":\"tags\",\"type\":\"array\",\"items\":{\"type\":\"string\"},"
                "\"optional\":true}]");
    json_decref(int64);
    json_decref(schema);
    json_decref(person);
}

/* ---- The schema cache ------------------------------------------------------------------------ */

static json_t *schema_named(int n)
{
    char name[32];
    snprintf(name, sizeof name, "schema%d", n);
    return json_pack("{s:s, s:s, s:[]}", "type", "struct", "name", name, "fields");
}

static void test_cache_hit_and_miss(void **state)
{
    (void)state;
    connect_schema_cache *cache = connect_schema_cache_new();
    assert_non_null(cache);
    json_t *input = json_of(person_schema);
    json_t *output = connect_schema_copy_basics_new(input);
    assert_null(connect_schema_cache_get(cache, input)); /* miss on an empty cache */
    assert_int_equal(connect_schema_cache_put(cache, input, output), 0);
    assert_int_equal(connect_schema_cache_count(cache), 1);

    /* the same object, and an equal one parsed anew: the very same output */
    assert_ptr_equal(connect_schema_cache_get(cache, input), output);
    json_t *equal = json_of(person_schema);
    assert_ptr_equal(connect_schema_cache_get(cache, equal), output);
    /* a schema that differs in anything (here only optional) misses */
    json_t *different = json_of(person_schema);
    assert_int_equal(connect_schema_optional_set(different, false), 0);
    assert_null(connect_schema_cache_get(cache, different));
    assert_null(connect_schema_cache_get(cache, NULL));

    /* the cache holds its references: the caller's may go */
    json_decref(input);
    json_decref(output);
    assert_ptr_equal(connect_schema_cache_get(cache, equal), output);
    assert_string_equal(json_string_value(json_object_get(output, "name")),
                        "com.example.Person");

    /* an equal input's entry is replaced */
    json_t *replacement = connect_schema_struct_new();
    assert_int_equal(connect_schema_cache_put(cache, equal, replacement), 0);
    assert_int_equal(connect_schema_cache_count(cache), 1);
    assert_ptr_equal(connect_schema_cache_get(cache, equal), replacement);

    assert_int_equal(connect_schema_cache_put(cache, NULL, replacement), -1);
    assert_int_equal(connect_schema_cache_put(cache, equal, NULL), -1);
    assert_int_equal(connect_schema_cache_put(NULL, equal, replacement), -1);
    json_decref(replacement);
    json_decref(different);
    json_decref(equal);
    connect_schema_cache_destroy(cache);
    connect_schema_cache_destroy(NULL);
}

/* LRUCache(16): the 17th input pushes out the least recently used, a hit counting as a use. */
static void test_cache_bound(void **state)
{
    (void)state;
    connect_schema_cache *cache = connect_schema_cache_new();
    json_t *inputs[CONNECT_SCHEMA_CACHE_SIZE + 2];
    json_t *outputs[CONNECT_SCHEMA_CACHE_SIZE + 2];
    for (int i = 0; i < CONNECT_SCHEMA_CACHE_SIZE + 2; i++) {
        inputs[i] = schema_named(i);
        outputs[i] = connect_schema_struct_new();
    }
    for (int i = 0; i < CONNECT_SCHEMA_CACHE_SIZE; i++)
        assert_int_equal(connect_schema_cache_put(cache, inputs[i], outputs[i]), 0);
    assert_int_equal(connect_schema_cache_count(cache), CONNECT_SCHEMA_CACHE_SIZE);
    for (int i = 0; i < CONNECT_SCHEMA_CACHE_SIZE; i++)
        assert_ptr_equal(connect_schema_cache_get(cache, inputs[i]), outputs[i]);

    /* the gets made 0 the least recently used; touch it so that 1 is */
    assert_ptr_equal(connect_schema_cache_get(cache, inputs[0]), outputs[0]);
    assert_int_equal(connect_schema_cache_put(cache, inputs[16], outputs[16]), 0);
    assert_int_equal(connect_schema_cache_count(cache), CONNECT_SCHEMA_CACHE_SIZE);
    assert_null(connect_schema_cache_get(cache, inputs[1]));
    assert_ptr_equal(connect_schema_cache_get(cache, inputs[0]), outputs[0]);
    assert_ptr_equal(connect_schema_cache_get(cache, inputs[16]), outputs[16]);

    /* the next one pushes out 2, the least recently used now */
    assert_int_equal(connect_schema_cache_put(cache, inputs[17], outputs[17]), 0);
    assert_null(connect_schema_cache_get(cache, inputs[2]));
    for (int i = 3; i < CONNECT_SCHEMA_CACHE_SIZE + 2; i++)
        assert_ptr_equal(connect_schema_cache_get(cache, inputs[i]), outputs[i]);
    assert_int_equal(connect_schema_cache_count(cache), CONNECT_SCHEMA_CACHE_SIZE);

    for (int i = 0; i < CONNECT_SCHEMA_CACHE_SIZE + 2; i++) {
        json_decref(inputs[i]);
        json_decref(outputs[i]);
    }
    connect_schema_cache_destroy(cache); /* frees the entries it still holds */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_java_names),
        cmocka_unit_test(test_java_class),
        cmocka_unit_test(test_require_schema),
        cmocka_unit_test(test_require_map),
        cmocka_unit_test(test_require_struct),
        cmocka_unit_test(test_field_lookup),
        cmocka_unit_test(test_struct_get),
        cmocka_unit_test(test_struct_new),
        cmocka_unit_test(test_copy_basics_new),
        cmocka_unit_test(test_copy_basics_into),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_optional_set),
        cmocka_unit_test(test_field_append),
        cmocka_unit_test(test_field_remove_rename_retype),
        cmocka_unit_test(test_cache_hit_and_miss),
        cmocka_unit_test(test_cache_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
