/*
 * test_transforms_struct.c - Kafka Connect's ExtractField, Flatten, Cast and SetSchemaMetadata
 * ($Key and $Value): every key, with and without schemas, null values, Kafka's error texts and
 * the configs refused when validated. Outputs are written as Kafka's JsonConverter writes them
 * (connect_json.h), the expectations being what Kafka 3.9's classes produce.
 *
 * JSON in this file is written with single quotes for readability: they become double quotes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convert/connect_json.h"
#include "support/strbuf.h"
#include "transforms/transform_chain.h"
#include "transform_fixture.h"

/* ---- helpers ------------------------------------------------------------------------------- */

/* text with every ' turned into ", in a buffer of the caller's (NULL stays NULL). */
static char *quoted(const char *text)
{
    if (!text)
        return NULL;
    char *copy = strdup(text);
    assert_non_null(copy);
    for (char *c = copy; *c; c++)
        if (*c == '\'')
            *c = '"';
    return copy;
}

/* A one-transform chain config: alias t of type, its keys given as "key=value" lines. */
static char *chain_lines(const char *type, const char *keys)
{
    strbuf lines = {0};
    strbuf_append_printf(&lines, "transforms=t\ntransforms.t.type=%s\n", type);
    char *copy = strdup(keys ? keys : "");
    char *next = NULL;
    for (char *line = strtok_r(copy, "\n", &next); line; line = strtok_r(NULL, "\n", &next))
        strbuf_append_printf(&lines, "transforms.t.%s\n", line);
    free(copy);
    assert_false(strbuf_failed(&lines));
    return strbuf_take(&lines, NULL);
}

typedef struct outcome {
    transform_result result;
    char *value;  /* as the JsonConverter writes it under its schema; "null" */
    char *schema; /* the schema as the JsonConverter writes it; "null" */
    char error[512];
} outcome;

static char *written_value(const ferry_data *data)
{
    if (transform_data_is_null(data))
        return strdup("null"); /* a null, with its schema kept or not (written_schema) */
    strbuf text = {0};
    int rc = connect_json_write_value(&text, data->schema, data->json, false);
    if (rc == CONNECT_JSON_LOGICAL_MISMATCH) {
        /* a whole-value Cast of a logical type: the value as the transform made it, which Kafka's
         * JsonConverter would then refuse to write (test_converter.c) */
        strbuf_reset(&text);
        rc = connect_json_write_value(&text, NULL, data->json, false);
    }
    if (rc == CONNECT_JSON_REQUIRED_NULL) {
        /* what Kafka's JsonConverter refuses: a failed record's input, or a wrong output */
        strbuf_free(&text);
        return strdup("(a null where the schema requires a value)");
    }
    assert_int_equal(rc, 0);
    return strbuf_take(&text, NULL);
}

static char *written_schema(const ferry_data *data)
{
    if (!data->schema)
        return strdup("null");
    strbuf text = {0};
    assert_int_equal(connect_json_write_schema(&text, data->schema, false), 0);
    return strbuf_take(&text, NULL);
}

/* Applies type (keys as lines) to a record whose key (on_key) or value is json under schema. */
static outcome apply_on(const char *type, const char *keys, bool on_key, const char *json,
                        const char *schema)
{
    char *lines = chain_lines(type, keys);
    transform_chain *chain = fixture_chain_of(lines);
    char *json_text = quoted(json), *schema_text = quoted(schema);
    ferry_record record = on_key ? fixture_record(json_text, schema_text, "{\"x\":1}", NULL)
                                 : fixture_record("\"k\"", NULL, json_text, schema_text);
    ferry_record untouched = on_key ? fixture_record("null", NULL, "{\"x\":1}", NULL)
                                    : fixture_record("\"k\"", NULL, "null", NULL);
    ferry_data *operated = on_key ? &record.key : &record.value;
    if (operated->kind == FERRY_DATA_NULL && schema_text) {
        /* A null with a schema (the fixture reads "null" as a bare null). */
        operated->schema = json_loads(schema_text, 0, NULL);
        assert_non_null(operated->schema);
    }
    outcome out = {0};
    out.result = transform_chain_apply(chain, &record, NULL, out.error, sizeof out.error);
    ferry_data *data = on_key ? &record.key : &record.value;
    out.value = written_value(data);
    out.schema = written_schema(data);
    /* The other side is never touched. */
    ferry_data *other = on_key ? &record.value : &record.key;
    ferry_data *other_before = on_key ? &untouched.value : &untouched.key;
    char *other_text = written_value(other), *other_before_text = written_value(other_before);
    assert_string_equal(other_text, other_before_text);
    free(other_text);
    free(other_before_text);
    fixture_record_release(&record);
    fixture_record_release(&untouched);
    transform_chain_destroy(chain);
    free(lines);
    free(json_text);
    free(schema_text);
    return out;
}

static void outcome_free(outcome *out)
{
    free(out->value);
    free(out->schema);
}

/* Expects type to turn json (under schema) into want (under want_schema, NULL: schemaless). */
static void expect_on(const char *type, const char *keys, bool on_key, const char *json,
                      const char *schema, const char *want, const char *want_schema)
{
    outcome out = apply_on(type, keys, on_key, json, schema);
    if (out.result != TRANSFORM_KEEP)
        fail_msg("%s on %s failed: %s", type, json, out.error);
    char *want_text = quoted(want), *want_schema_text = quoted(want_schema ? want_schema : "null");
    if (strcmp(out.value, want_text) != 0)
        fail_msg("%s on %s gave %s, not %s", type, json, out.value, want_text);
    if (strcmp(out.schema, want_schema_text) != 0)
        fail_msg("%s on %s gave the schema %s, not %s", type, json, out.schema, want_schema_text);
    free(want_text);
    free(want_schema_text);
    outcome_free(&out);
}

static void expect(const char *type, const char *keys, const char *json, const char *schema,
                   const char *want, const char *want_schema)
{
    expect_on(type, keys, false, json, schema, want, want_schema);
}

/* Expects the record to fail with an error containing message. */
static void expect_failure(const char *type, const char *keys, const char *json,
                           const char *schema, const char *message)
{
    outcome out = apply_on(type, keys, false, json, schema);
    if (out.result != TRANSFORM_FAIL)
        fail_msg("%s on %s did not fail but gave %s", type, json, out.value);
    if (!strstr(out.error, message))
        fail_msg("%s on %s failed with \"%s\", not \"%s\"", type, json, out.error, message);
    outcome_free(&out);
}

static void expect_invalid(const char *type, const char *keys, const char *key,
                           const char *message)
{
    char *lines = chain_lines(type, keys);
    char full_key[128];
    snprintf(full_key, sizeof full_key, "transforms.t.%s", key);
    fixture_expect_invalid(lines, full_key, message);
    free(lines);
}

static unsigned needs_of(const char *type, const char *keys)
{
    char *lines = chain_lines(type, keys);
    transform_chain *chain = fixture_chain_of(lines);
    unsigned needs = transform_chain_needs(chain);
    transform_chain_destroy(chain);
    free(lines);
    return needs;
}

/* ---- the registry --------------------------------------------------------------------------- */

/* Registered under Kafka's class names and ferry's short ones (tests/unit/test_transforms.c
 * checks the listing order). */
static void test_types_are_registered(void **state)
{
    (void)state;
    static const char *const names[] = {"Cast$Key", "Cast$Value", "ExtractField$Key",
                                        "ExtractField$Value", "Flatten$Key", "Flatten$Value",
                                        "SetSchemaMetadata$Key", "SetSchemaMetadata$Value"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const transform_type *type = transform_type_find(names[i]);
        assert_non_null(type);
        char class_name[128];
        snprintf(class_name, sizeof class_name, "org.apache.kafka.connect.transforms.%s",
                 names[i]);
        assert_ptr_equal(transform_type_find(class_name), type);
        assert_string_equal(transform_type_class(type), class_name);
        assert_non_null(type->description);
    }
}

static void test_needs_are_the_side(void **state)
{
    (void)state;
    assert_int_equal(needs_of("ExtractField$Key", "field=a"), TRANSFORM_NEEDS_KEY);
    assert_int_equal(needs_of("ExtractField$Value", "field=a"), TRANSFORM_NEEDS_VALUE);
    assert_int_equal(needs_of("Flatten$Key", NULL), TRANSFORM_NEEDS_KEY);
    assert_int_equal(needs_of("Flatten$Value", NULL), TRANSFORM_NEEDS_VALUE);
    assert_int_equal(needs_of("Cast$Key", "spec=int8"), TRANSFORM_NEEDS_KEY);
    assert_int_equal(needs_of("Cast$Value", "spec=int8"), TRANSFORM_NEEDS_VALUE);
    assert_int_equal(needs_of("SetSchemaMetadata$Key", "schema.name=n"), TRANSFORM_NEEDS_KEY);
    assert_int_equal(needs_of("SetSchemaMetadata$Value", "schema.name=n"),
                     TRANSFORM_NEEDS_VALUE);
}

/* ---- ExtractField ------------------------------------------------------------------------- */

#define EXTRACT "ExtractField$Value"

static const char *const row_schema =
    "{'type':'struct','name':'row','fields':["
    "{'field':'id','type':'int32','optional':false},"
    "{'field':'name','type':'string','optional':true,'doc':'who'},"
    "{'field':'n','type':'int32','optional':true,'default':5},"
    "{'field':'inner','type':'struct','optional':true,'fields':["
    "{'field':'x','type':'int64','optional':false},"
    "{'field':'y','type':'int64','optional':true,'default':9}]},"
    "{'field':'a.b','type':'boolean','optional':false}]}";

static void test_extract_field_schemaless(void **state)
{
    (void)state;
    expect(EXTRACT, "field=c", "{'a':{'b':1},'c':2}", NULL, "2", NULL);
    expect(EXTRACT, "field=a", "{'a':{'b':1},'c':2}", NULL, "{'b':1}", NULL);
    expect(EXTRACT, "field= c ", "{'a':{'b':1},'c':2}", NULL, "2", NULL); /* trimmed */
    expect(EXTRACT, "field=nope", "{'a':1}", NULL, "null", NULL);
    expect(EXTRACT, "field=a.b", "{'a':{'b':1},'a.b':3}", NULL, "3", NULL); /* V1: one name */
    expect(EXTRACT, "field=a.b\nfield.syntax.version=v2", "{'a':{'b':1},'a.b':3}", NULL, "1",
           NULL);
    expect(EXTRACT, "field=`a.b`\nfield.syntax.version=V2", "{'a':{'b':1},'a.b':3}", NULL, "3",
           NULL);
    expect(EXTRACT, "field=x.b\nfield.syntax.version=V2", "{'a':{'b':1}}", NULL, "null", NULL);
    expect(EXTRACT, "field=a", "null", NULL, "null", NULL);
    expect_failure(EXTRACT, "field=a.b\nfield.syntax.version=V2", "{'a':7}", NULL,
                   "Only Map objects supported in absence of schema for [nested field access], "
                   "found: java.lang.Long");
    expect_failure(EXTRACT, "field=a", "'text'", NULL,
                   "Only Map objects supported in absence of schema for [field extraction], "
                   "found: java.lang.String");
    expect_failure(EXTRACT, "field=a", "[1]", NULL,
                   "transform t (ExtractField$Value): Only Map objects supported in absence of "
                   "schema for [field extraction], found: java.util.ArrayList");
}

static void test_extract_field_with_schema(void **state)
{
    (void)state;
    const char *row = "{'id':1,'name':'a','n':null,'inner':{'x':2,'y':null},'a.b':true}";
    expect(EXTRACT, "field=name", row, row_schema, "'a'",
           "{'type':'string','optional':true,'doc':'who'}");
    expect(EXTRACT, "field=id", row, row_schema, "1", "{'type':'int32','optional':false}");
    expect(EXTRACT, "field=a.b", row, row_schema, "true", "{'type':'boolean','optional':false}");
    expect(EXTRACT, "field=inner", row, row_schema, "{'x':2,'y':null}",
           "{'type':'struct','fields':[{'type':'int64','optional':false,'field':'x'},"
           "{'type':'int64','optional':true,'default':9,'field':'y'}],'optional':true}");
    /* replace.null.with.default: a null field with a default is the default, or stays null. */
    expect(EXTRACT, "field=n", row, row_schema, "5",
           "{'type':'int32','optional':true,'default':5}");
    expect(EXTRACT, "field=n\nreplace.null.with.default=false", row, row_schema, "null",
           "{'type':'int32','optional':true,'default':5}");
    /* V2 paths into nested structs; the leaf's schema as declared. */
    expect(EXTRACT, "field=inner.x\nfield.syntax.version=V2", row, row_schema, "2",
           "{'type':'int64','optional':false}");
    expect(EXTRACT, "field=inner.y\nfield.syntax.version=V2", row, row_schema, "9",
           "{'type':'int64','optional':true,'default':9}");
    expect(EXTRACT, "field=inner.y\nfield.syntax.version=V2\nreplace.null.with.default=false",
           row, row_schema, "null", "{'type':'int64','optional':true,'default':9}");
    expect(EXTRACT, "field=inner.x\nfield.syntax.version=V2",
           "{'id':1,'inner':null,'a.b':true}", row_schema, "null",
           "{'type':'int64','optional':false}");
    /* A null value keeps null, with the field's schema. */
    expect(EXTRACT, "field=id", "null", row_schema, "null", "{'type':'int32','optional':false}");
    /* Unknown fields fail with a schema, null value or not. */
    expect_failure(EXTRACT, "field=nope", row, row_schema, "Unknown field: nope");
    expect_failure(EXTRACT, "field=nope", "null", row_schema, "Unknown field: nope");
    expect_failure(EXTRACT, "field=inner.z\nfield.syntax.version=V2", row, row_schema,
                   "Unknown field: inner.z");
    expect_failure(EXTRACT, "field=id.z\nfield.syntax.version=V2", row, row_schema,
                   "Cannot look up fields on non-struct type");
    expect_failure(EXTRACT, "field=a", "'text'", "{'type':'string','optional':false}",
                   "Only Struct objects supported for [field extraction], found: "
                   "java.lang.String");
    expect_failure(EXTRACT, "field=a", "null", "{'type':'string','optional':true}",
                   "Cannot look up fields on non-struct type");
}

static void test_extract_field_key(void **state)
{
    (void)state;
    expect_on("ExtractField$Key", "field=id", true, "{'id':7,'v':1}", NULL, "7", NULL);
    expect_on("org.apache.kafka.connect.transforms.ExtractField$Key", "field=id", true,
              "{'id':7}", "{'type':'struct','fields':[{'field':'id','type':'int64'}]}", "7",
              "{'type':'int64','optional':false}");
    /* A string key from a plugin has a string schema: not a struct. */
    char *lines = chain_lines("ExtractField$Key", "field=id");
    transform_chain *chain = fixture_chain_of(lines);
    ferry_record record = {.topic = "t", .key = {.kind = FERRY_DATA_STRING, .data = "abc",
                                                 .len = 3}};
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "Only Struct objects supported for [field extraction], found: "
                                "java.lang.String"));
    fixture_record_release(&record);
    transform_chain_destroy(chain);
    free(lines);
}

static void test_extract_field_schema_is_cached(void **state)
{
    (void)state;
    char *lines = chain_lines(EXTRACT, "field=id");
    transform_chain *chain = fixture_chain_of(lines);
    char *schema = quoted(row_schema);
    const json_t *first = NULL;
    for (int i = 0; i < 2; i++) {
        ferry_record record = fixture_record("null", NULL, "{\"id\":1,\"a.b\":true}", schema);
        assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
        if (i == 0)
            first = record.value.schema;
        else
            assert_ptr_equal(record.value.schema, first); /* an equal input, the same output */
        fixture_record_release(&record);
    }
    free(schema);
    transform_chain_destroy(chain);
    free(lines);
}

static void test_extract_field_config(void **state)
{
    (void)state;
    expect_invalid(EXTRACT, NULL, "field", "Missing required configuration \"field\"");
    expect_invalid(EXTRACT, "field=a\nfield.syntax.version=v3", "field.syntax.version", "v3");
    expect_invalid(EXTRACT, "field=a\nreplace.null.with.default=maybe",
                   "replace.null.with.default", "maybe");
    expect_invalid(EXTRACT, "field=foo.`bar.baz\nfield.syntax.version=V2", "field",
                   "Invalid value foo.`bar.baz for configuration field: Incomplete backtick pair "
                   "in path: [foo.`bar.baz], consider adding a backslash before backtick at "
                   "position 4 to escape it");
    /* The same backtick is no problem under V1. */
    expect(EXTRACT, "field=foo.`bar.baz", "{'foo.`bar.baz':1}", NULL, "1", NULL);
}

/* ---- Flatten ------------------------------------------------------------------------------ */

#define FLATTEN "Flatten$Value"

static void test_flatten_schemaless(void **state)
{
    (void)state;
    expect(FLATTEN, NULL, "{'a':{'b':1,'c':{'d':true}},'e':[{'f':1}],'g':null,'h':'x','i':1.5}",
           NULL, "{'a.b':1,'a.c.d':true,'e':[{'f':1}],'g':null,'h':'x','i':1.5}", NULL);
    expect(FLATTEN, "delimiter=_", "{'a':{'b':{'c':1}}}", NULL, "{'a_b_c':1}", NULL);
    expect(FLATTEN, "delimiter=->", "{'a':{'b':1}}", NULL, "{'a->b':1}", NULL);
    expect(FLATTEN, "delimiter= ", "{'a':{'b':1}}", NULL, "{'ab':1}", NULL); /* trimmed: "" */
    expect(FLATTEN, NULL, "{'a':{},'b':2}", NULL, "{'b':2}", NULL); /* an empty map: nothing */
    /* A later name overwrites an earlier one in its place. */
    expect(FLATTEN, NULL, "{'a.b':1,'a':{'b':2},'c':3}", NULL, "{'a.b':2,'c':3}", NULL);
    /* An empty name at the top is no prefix, as in Java. */
    expect(FLATTEN, NULL, "{'':{'a':1}}", NULL, "{'a':1}", NULL);
    expect(FLATTEN, NULL, "null", NULL, "null", NULL);
    expect_failure(FLATTEN, NULL, "[1,2]", NULL,
                   "Only Map objects supported in absence of schema for [flattening], found: "
                   "java.util.ArrayList");
    expect_on("Flatten$Key", NULL, true, "{'a':{'b':1}}", NULL, "{'a.b':1}", NULL);
}

static const char *const nested_schema =
    "{'type':'struct','name':'n','version':2,'doc':'d','optional':true,'parameters':{'p':'v'},"
    "'fields':["
    "{'field':'id','type':'int32','optional':false},"
    "{'field':'ts','type':'int64','name':'org.apache.kafka.connect.data.Timestamp',"
    "'version':1,'optional':false},"
    "{'field':'tags','type':'array','items':{'type':'string','optional':false},'optional':true},"
    "{'field':'in','type':'struct','optional':false,'fields':["
    "{'field':'a','type':'string','optional':false,'default':'da'},"
    "{'field':'deep','type':'struct','optional':true,'fields':["
    "{'field':'b','type':'boolean','optional':false}]}]}]}";

static void test_flatten_with_schema(void **state)
{
    (void)state;
    /* The output struct keeps the input's basics and is required; every field is optional
     * because the input struct was. */
    const char *flat_schema =
        "{'type':'struct','fields':["
        "{'type':'int32','optional':true,'field':'id'},"
        "{'type':'int64','optional':true,'name':'org.apache.kafka.connect.data.Timestamp',"
        "'version':1,'field':'ts'},"
        "{'type':'array','items':{'type':'string','optional':false},'optional':true,"
        "'field':'tags'},"
        "{'type':'string','optional':true,'default':'da','field':'in.a'},"
        "{'type':'boolean','optional':true,'field':'in.deep.b'}],"
        "'optional':false,'name':'n','version':2,'doc':'d','parameters':{'p':'v'}}";
    expect(FLATTEN, NULL, "{'id':1,'ts':5,'tags':['x'],'in':{'a':'q','deep':{'b':true}}}",
           nested_schema, "{'id':1,'ts':5,'tags':['x'],'in.a':'q','in.deep.b':true}",
           flat_schema);
    /* A null nested struct leaves its fields null; a null field takes its default. */
    expect(FLATTEN, NULL, "{'id':1,'ts':5,'tags':null,'in':{'a':null,'deep':null}}",
           nested_schema, "{'id':1,'ts':5,'tags':null,'in.a':'da','in.deep.b':null}",
           flat_schema);
    /* A null value passes unchanged, schema and all. */
    char *original = quoted(nested_schema);
    ferry_data original_data = {.kind = FERRY_DATA_NULL, .schema = json_loads(original, 0, NULL)};
    char *original_text = written_schema(&original_data);
    outcome out = apply_on(FLATTEN, NULL, false, "null", nested_schema);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_string_equal(out.value, "null");
    assert_string_equal(out.schema, original_text);
    outcome_free(&out);
    free(original_text);
    json_decref(original_data.schema);
    free(original);
}

static void test_flatten_optionality_and_defaults(void **state)
{
    (void)state;
    /* Required top level: a field is optional when it or a struct above it is. */
    const char *schema =
        "{'type':'struct','fields':["
        "{'field':'r','type':'struct','optional':false,'fields':["
        "{'field':'x','type':'int32','optional':false}]},"
        "{'field':'o','type':'struct','optional':true,'fields':["
        "{'field':'x','type':'int32','optional':false}]},"
        "{'field':'d','type':'struct','optional':false,'default':{'x':7,'y':null},'fields':["
        "{'field':'x','type':'int32','optional':false},"
        "{'field':'y','type':'int32','optional':true,'default':3}]}]}";
    expect(FLATTEN, "delimiter=_", "{'r':{'x':1},'o':null,'d':null}", schema,
           "{'r_x':1,'o_x':null,'d_x':7,'d_y':3}",
           "{'type':'struct','fields':["
           "{'type':'int32','optional':false,'field':'r_x'},"
           "{'type':'int32','optional':true,'field':'o_x'},"
           "{'type':'int32','optional':false,'default':7,'field':'d_x'},"
           "{'type':'int32','optional':true,'default':3,'field':'d_y'}],'optional':false}");
    /* Struct.put refuses a null in a field that came out required. */
    expect_failure(FLATTEN, NULL, "{'r':{'x':null},'o':null,'d':null}", schema,
                   "Invalid value: null used for required field: \"r.x\", schema type: INT32");
    expect_failure(FLATTEN, NULL, "{'r':'text','o':null,'d':null}", schema,
                   "Only Struct objects supported for [flattening], found: java.lang.String");
}

static void test_flatten_refusals(void **state)
{
    (void)state;
    expect_failure(FLATTEN, NULL, "{'m':{'k':1}}",
                   "{'type':'struct','fields':[{'field':'s','type':'struct','fields':["
                   "{'field':'m','type':'map','keys':{'type':'string'},"
                   "'values':{'type':'int32'}}]}]}",
                   "Flatten transformation does not support MAP for record with schemas (for "
                   "field s.m).");
    expect_failure(FLATTEN, NULL, "{'a.b':1,'a':{'b':2}}",
                   "{'type':'struct','fields':[{'field':'a.b','type':'int32'},"
                   "{'field':'a','type':'struct','fields':[{'field':'b','type':'int32'}]}]}",
                   "Cannot create field because of field name duplication a.b");
    expect_failure(FLATTEN, NULL, "'x'", "{'type':'string','optional':false}",
                   "Only Struct objects supported for [flattening], found: java.lang.String");
    /* A schemaless value nested deeper than any writer takes is refused, not followed. */
    json_t *value = json_integer(1);
    for (int i = 0; i < 2100; i++) {
        json_t *outer = json_object();
        assert_int_equal(json_object_set_new(outer, "a", value), 0);
        value = outer;
    }
    char *lines = chain_lines(FLATTEN, NULL);
    transform_chain *chain = fixture_chain_of(lines);
    ferry_record record = {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .json = value}};
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "nested deeper"));
    fixture_record_release(&record);
    transform_chain_destroy(chain);
    free(lines);
}

/* ---- Cast --------------------------------------------------------------------------------- */

#define CAST "Cast$Value"

static void test_cast_spec_validation(void **state)
{
    (void)state;
    expect_invalid(CAST, NULL, "spec", "Missing required configuration \"spec\"");
    expect_invalid(CAST, "spec=foo", "spec",
                   "Invalid value [foo] for configuration spec: Invalid type found in casting "
                   "spec: foo");
    expect_invalid(CAST, "spec=a:int8,b:foo ", "spec",
                   "Invalid type found in casting spec: foo");
    expect_invalid(CAST, "spec=a:", "spec", "Invalid type found in casting spec: a");
    expect_invalid(CAST, "spec=a:int8, b:bytes", "spec",
                   "Invalid value [a:int8, b:bytes] for configuration spec: Cast transformation "
                   "does not support casting to BYTES; supported types are [INT8, INT16, INT32, "
                   "INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]");
    expect_invalid(CAST, "spec=struct", "spec", "does not support casting to STRUCT");
    expect_invalid(CAST, "spec=a:array", "spec", "does not support casting to ARRAY");
    expect_invalid(CAST, "spec=a:map", "spec", "does not support casting to MAP");
    expect_invalid(CAST, "spec=a:int8:x", "spec", "Invalid rename mapping: a:int8:x");
    expect_invalid(CAST, "spec=int8,a:int16", "spec",
                   "Cast transformations that specify a type to cast the entire value to may "
                   "only specify a single cast in their spec");
    expect_invalid(CAST, "spec=int8,int8", "spec", "may only specify a single cast");
    expect_invalid(CAST, "spec=a:int8,,b:int8", "spec", "Invalid type found in casting spec: ");
    expect_invalid(CAST, "spec=int8\nreplace.null.with.default=no", "replace.null.with.default",
                   "no");
}

static void test_cast_type_names(void **state)
{
    (void)state;
    expect(CAST, "spec=Int8", "5", NULL, "5", NULL);
    expect(CAST, "spec= STRING ", "5", NULL, "'5'", NULL);
    /* Java's upper case of the dotless i and the long s are I and S. */
    expect(CAST, "spec=\xc4\xb1nt8", "5", NULL, "5", NULL);
    expect(CAST, "spec=\xc5\xbftring", "5", NULL, "'5'", NULL);
    expect(CAST, "spec=a : int16 , b:string", "{'a':'3','b':4}", NULL, "{'a':3,'b':'4'}", NULL);
    /* A field named twice: the later type wins. */
    expect(CAST, "spec=a:int8,a:string", "{'a':1}", NULL, "{'a':'1'}", NULL);
    /* An empty field name is a name. */
    expect(CAST, "spec=:boolean", "{'':1}", NULL, "{'':true}", NULL);
}

static void test_cast_whole_value_schemaless(void **state)
{
    (void)state;
    /* Integers narrow by wrapping, reals saturate toward zero. */
    expect(CAST, "spec=int8", "300", NULL, "44", NULL);
    expect(CAST, "spec=int16", "70000", NULL, "4464", NULL);
    expect(CAST, "spec=int32", "4294967297", NULL, "1", NULL);
    expect(CAST, "spec=int64", "-5", NULL, "-5", NULL);
    expect(CAST, "spec=int32", "1.9", NULL, "1", NULL);
    expect(CAST, "spec=int32", "-1.9", NULL, "-1", NULL);
    expect(CAST, "spec=int32", "1e20", NULL, "2147483647", NULL);
    expect(CAST, "spec=int8", "1e20", NULL, "-1", NULL); /* (byte)Integer.MAX_VALUE */
    expect(CAST, "spec=int64", "-1e20", NULL, "-9223372036854775808", NULL);
    expect(CAST, "spec=int32", "true", NULL, "1", NULL);
    expect(CAST, "spec=int8", "false", NULL, "0", NULL);
    /* Text is read as Java reads it. */
    expect(CAST, "spec=int32", "'-42'", NULL, "-42", NULL);
    expect(CAST, "spec=int64", "'+9223372036854775807'", NULL, "9223372036854775807", NULL);
    expect(CAST, "spec=int8", "'127'", NULL, "127", NULL);
    expect_failure(CAST, "spec=int8", "'128'", NULL,
                   "Value (128) was out of range for requested data type");
    expect_failure(CAST, "spec=int32", "'abc'", NULL,
                   "Value (abc) was out of range for requested data type");
    expect_failure(CAST, "spec=int32", "' 1'", NULL, "Value ( 1) was out of range");
    expect_failure(CAST, "spec=int32", "'1.0'", NULL, "Value (1.0) was out of range");
    expect(CAST, "spec=float64", "' 2.5e3d '", NULL, "2500.0", NULL);
    expect(CAST, "spec=float64", "'0x1p3'", NULL, "8.0", NULL);
    expect(CAST, "spec=float64", "'NaN'", NULL, "'NaN'", NULL);
    expect(CAST, "spec=float64", "'-1e400'", NULL, "'-Infinity'", NULL);
    expect_failure(CAST, "spec=float64", "'1,5'", NULL, "Value (1,5) was out of range");
    expect(CAST, "spec=float32", "'1.1'", NULL, "1.1", NULL);
    expect(CAST, "spec=float32", "0.1", NULL, "0.1", NULL);
    expect(CAST, "spec=float32", "16777217", NULL, "1.6777216E7", NULL);
    expect(CAST, "spec=float64", "16777217", NULL, "1.6777217E7", NULL);
    expect(CAST, "spec=float64", "true", NULL, "1.0", NULL);
    /* A number is true when its longValue() is not 0. */
    expect(CAST, "spec=boolean", "0.5", NULL, "false", NULL);
    expect(CAST, "spec=boolean", "-1.5", NULL, "true", NULL);
    expect(CAST, "spec=boolean", "0", NULL, "false", NULL);
    expect(CAST, "spec=boolean", "'TrUe'", NULL, "true", NULL);
    expect(CAST, "spec=boolean", "'yes'", NULL, "false", NULL);
    /* toString of each. */
    expect(CAST, "spec=string", "100", NULL, "'100'", NULL);
    expect(CAST, "spec=string", "1.0", NULL, "'1.0'", NULL);
    expect(CAST, "spec=string", "1e7", NULL, "'1.0E7'", NULL);
    expect(CAST, "spec=string", "0.0001", NULL, "'1.0E-4'", NULL);
    expect(CAST, "spec=string", "false", NULL, "'false'", NULL);
    expect(CAST, "spec=string", "'same'", NULL, "'same'", NULL);
    /* Maps and lists are no input. */
    expect_failure(CAST, "spec=int8", "{'a':1}", NULL,
                   "Cast transformation does not support casting from MAP; supported types are "
                   "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]");
    expect_failure(CAST, "spec=string", "[1]", NULL,
                   "Cast transformation does not support casting from ARRAY");
    expect(CAST, "spec=int8", "null", NULL, "null", NULL);
}

static void test_cast_whole_value_with_schema(void **state)
{
    (void)state;
    /* The new type keeps the input's basics and optional; its default is cast too. */
    expect(CAST, "spec=int8", "300",
           "{'type':'int32','optional':true,'name':'n','version':3,'doc':'d',"
           "'parameters':{'p':'v'},'default':257}",
           "44",
           "{'type':'int8','optional':true,'name':'n','version':3,'doc':'d',"
           "'parameters':{'p':'v'},'default':1}");
    expect(CAST, "spec=string", "1.1", "{'type':'float','optional':false}", "'1.1'",
           "{'type':'string','optional':false}");
    expect(CAST, "spec=float64", "1.1", "{'type':'float','optional':false}",
           "1.100000023841858", "{'type':'double','optional':false}");
    expect(CAST, "spec=string", "'NaN'", "{'type':'double','optional':false}", "'NaN'",
           "{'type':'string','optional':false}");
    expect(CAST, "spec=int64", "'Infinity'", "{'type':'double','optional':false}",
           "9223372036854775807", "{'type':'int64','optional':false}");
    expect(CAST, "spec=string", "200", "{'type':'int8','optional':false}", "'-56'",
           "{'type':'string','optional':false}"); /* the converter's (byte) */
    /* Bytes become base64 text and nothing else. */
    expect(CAST, "spec=string", "'/ty6mHZUMhA='", "{'type':'bytes','optional':false}",
           "'/ty6mHZUMhA='", "{'type':'string','optional':false}");
    expect_failure(CAST, "spec=int32", "'AQ=='", "{'type':'bytes','optional':false}",
                   "Unexpected type in Cast transformation: class [B");
    expect_failure(CAST, "spec=boolean", "'AQ=='", "{'type':'bytes','optional':false}",
                   "Unexpected type in Cast transformation: class [B");
    expect_failure(CAST, "spec=int8", "{'a':1}",
                   "{'type':'struct','fields':[{'field':'a','type':'int32'}]}",
                   "Cast transformation does not support casting from STRUCT");
    expect_failure(CAST, "spec=int8", "'x'", "{'type':'int32','optional':false}",
                   "a value of type java.lang.String for a schema of type INT32");
    /* A null value passes unchanged. */
    expect(CAST, "spec=int8", "null", "{'type':'int32','optional':true}", "null",
           "{'type':'int32','optional':true}");
}

#define TIMESTAMP_SCHEMA                                                                         \
    "{'type':'int64','name':'org.apache.kafka.connect.data.Timestamp','version':1}"
#define DATE_SCHEMA "{'type':'int32','name':'org.apache.kafka.connect.data.Date','version':1}"
#define TIME_SCHEMA "{'type':'int32','name':'org.apache.kafka.connect.data.Time','version':1}"
#define DECIMAL_SCHEMA                                                                           \
    "{'type':'bytes','name':'org.apache.kafka.connect.data.Decimal','version':1,"                \
    "'parameters':{'scale':'2'}}"

static void test_cast_logical_types(void **state)
{
    (void)state;
    const char *timestamp_string =
        "{'type':'string','optional':false,'name':'org.apache.kafka.connect.data.Timestamp',"
        "'version':1}";
    /* To text as Values.dateFormatFor formats the value. */
    expect(CAST, "spec=string", "1700000000123", TIMESTAMP_SCHEMA,
           "'2023-11-14T22:13:20.123Z'", timestamp_string);
    expect(CAST, "spec=string", "1641600000000", TIMESTAMP_SCHEMA, "'2022-01-08'",
           timestamp_string);
    expect(CAST, "spec=string", "5000", TIMESTAMP_SCHEMA, "'00:00:05.000Z'", timestamp_string);
    expect(CAST, "spec=string", "-1", TIMESTAMP_SCHEMA, "'23:59:59.999Z'", timestamp_string);
    expect(CAST, "spec=string", "19000", DATE_SCHEMA, "'2022-01-08'",
           "{'type':'string','optional':false,'name':'org.apache.kafka.connect.data.Date',"
           "'version':1}");
    expect(CAST, "spec=string", "0", DATE_SCHEMA, "'00:00:00.000Z'",
           "{'type':'string','optional':false,'name':'org.apache.kafka.connect.data.Date',"
           "'version':1}");
    expect(CAST, "spec=string", "3723004", TIME_SCHEMA, "'01:02:03.004Z'",
           "{'type':'string','optional':false,'name':'org.apache.kafka.connect.data.Time',"
           "'version':1}");
    /* Otherwise the encoded integer. */
    expect(CAST, "spec=int64", "19000", DATE_SCHEMA, "19000",
           "{'type':'int64','optional':false,'name':'org.apache.kafka.connect.data.Date',"
           "'version':1}");
    expect(CAST, "spec=int32", "1700000000123", TIMESTAMP_SCHEMA, "-807049093",
           "{'type':'int32','optional':false,'name':'org.apache.kafka.connect.data.Timestamp',"
           "'version':1}");
    expect(CAST, "spec=a:int64", "{'a':3723004}",
           "{'type':'struct','fields':[{'field':'a','type':'int32',"
           "'name':'org.apache.kafka.connect.data.Time','version':1}]}",
           "{'a':3723004}",
           "{'type':'struct','fields':[{'type':'int64','optional':false,'field':'a'}],"
           "'optional':false}");
    expect_failure(CAST, "spec=int32", "90000000", TIME_SCHEMA,
                   "Kafka Connect Time type should not have any date fields set to non-zero "
                   "values.");
    /* Decimal is a BigDecimal: 12345 at scale 2. */
    expect(CAST, "spec=string", "'MDk='", DECIMAL_SCHEMA, "'123.45'",
           "{'type':'string','optional':false,'name':'org.apache.kafka.connect.data.Decimal',"
           "'version':1,'parameters':{'scale':'2'}}");
    expect(CAST, "spec=a:int32,b:float64,c:boolean,d:string",
           "{'a':'z8c=','b':'MDk=','c':'AA==','d':'AQ=='}",
           "{'type':'struct','fields':["
           "{'field':'a','type':'bytes','name':'org.apache.kafka.connect.data.Decimal',"
           "'parameters':{'scale':'2'}},"
           "{'field':'b','type':'bytes','name':'org.apache.kafka.connect.data.Decimal',"
           "'parameters':{'scale':'2'}},"
           "{'field':'c','type':'bytes','name':'org.apache.kafka.connect.data.Decimal',"
           "'parameters':{'scale':'2'}},"
           "{'field':'d','type':'bytes','name':'org.apache.kafka.connect.data.Decimal',"
           "'parameters':{'scale':'9'}}]}",
           "{'a':-123,'b':123.45,'c':false,'d':'1E-9'}",
           "{'type':'struct','fields':[{'type':'int32','optional':false,'field':'a'},"
           "{'type':'double','optional':false,'field':'b'},"
           "{'type':'boolean','optional':false,'field':'c'},"
           "{'type':'string','optional':false,'field':'d'}],'optional':false}");
    expect_failure(CAST, "spec=string", "'MDk='",
                   "{'type':'bytes','name':'org.apache.kafka.connect.data.Decimal'}",
                   "Invalid Decimal schema: scale parameter not found.");
    /* A whole-value cast keeps the logical name, so a default of the new type is invalid. */
    expect_failure(CAST, "spec=int64", "5",
                   "{'type':'int64','name':'org.apache.kafka.connect.data.Timestamp',"
                   "'version':1,'optional':true,'default':0}",
                   "Invalid default value");
}

static const char *const cast_row_schema =
    "{'type':'struct','name':'row','optional':true,'fields':["
    "{'field':'a','type':'int32','optional':false,'default':5,'doc':'gone'},"
    "{'field':'b','type':'string','optional':true},"
    "{'field':'c','type':'double','optional':true,'default':2.5},"
    "{'field':'d','type':'bytes','optional':false},"
    "{'field':'e','type':'array','items':{'type':'int32'},'optional':true}]}";

static void test_cast_fields_with_schema(void **state)
{
    (void)state;
    expect(CAST, "spec=a:string,c:int64,d:string,z:int8",
           "{'a':7,'b':'x','c':null,'d':'AQID','e':[1]}", cast_row_schema,
           "{'a':'7','b':'x','c':2,'d':'AQID','e':[1]}",
           "{'type':'struct','fields':["
           "{'type':'string','optional':false,'default':'5','field':'a'},"
           "{'type':'string','optional':true,'field':'b'},"
           "{'type':'int64','optional':true,'default':2,'field':'c'},"
           "{'type':'string','optional':false,'field':'d'},"
           "{'type':'array','items':{'type':'int32','optional':false},'optional':true,"
           "'field':'e'}],"
           "'optional':true,'name':'row'}");
    /* replace.null.with.default=false reads the null itself. */
    expect(CAST, "spec=c:string\nreplace.null.with.default=false",
           "{'a':7,'b':null,'c':null,'d':'AQID','e':null}", cast_row_schema,
           "{'a':7,'b':null,'c':null,'d':'AQID','e':null}",
           "{'type':'struct','fields':["
           "{'type':'int32','optional':false,'doc':'gone','default':5,'field':'a'},"
           "{'type':'string','optional':true,'field':'b'},"
           "{'type':'string','optional':true,'default':'2.5','field':'c'},"
           "{'type':'bytes','optional':false,'field':'d'},"
           "{'type':'array','items':{'type':'int32','optional':false},'optional':true,"
           "'field':'e'}],"
           "'optional':true,'name':'row'}");
    expect_failure(CAST, "spec=a:string\nreplace.null.with.default=false",
                   "{'a':null,'d':'AQID'}", cast_row_schema,
                   "Invalid value: null used for required field: \"a\", schema type: STRING");
    expect_failure(CAST, "spec=b:string", "{'a':1,'d':null}", cast_row_schema,
                   "Invalid value: null used for required field: \"d\", schema type: BYTES");
    expect_failure(CAST, "spec=e:string", "{'a':1,'d':'AQID','e':[1]}", cast_row_schema,
                   "Cast transformation does not support casting from ARRAY");
    expect_failure(CAST, "spec=a:int8", "{'a':1}",
                   "{'type':'struct','default':{'a':1},'fields':[{'field':'a','type':'int32'}]}",
                   "Cast transformation does not support casting from STRUCT; supported types "
                   "are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]");
    expect_failure(CAST, "spec=a:int8", "5", "{'type':'int32','optional':false}",
                   "Cannot list fields on non-struct type");
    expect_failure(CAST, "spec=a:int8", "[1]",
                   "{'type':'struct','fields':[{'field':'a','type':'int32'}]}",
                   "Only Struct objects supported for [cast types], found: java.util.ArrayList");
    expect_failure(CAST, "spec=a:int8", "{'a':'x'}",
                   "{'type':'struct','fields':[{'field':'a','type':'string','default':'y'}]}",
                   "Value (y) was out of range for requested data type");
}

static void test_cast_fields_schemaless(void **state)
{
    (void)state;
    /* Absent fields are inserted as null (Java's HashMap order is its buckets'; ferry keeps
     * the map's order and appends). */
    expect(CAST, "spec=a:int32,z:boolean,b:float32", "{'a':'7','b':1,'c':{'d':1}}", NULL,
           "{'a':7,'b':1.0,'c':{'d':1},'z':null}", NULL);
    expect_failure(CAST, "spec=c:int8", "{'c':{'d':1}}", NULL,
                   "Cast transformation does not support casting from MAP");
    expect_failure(CAST, "spec=a:int8", "5", NULL,
                   "Only Map objects supported in absence of schema for [cast types], found: "
                   "java.lang.Long");
    expect_on("Cast$Key", "spec=id:string", true, "{'id':5}", NULL, "{'id':'5'}", NULL);
    expect_on("Cast$Key", "spec=int16", true, "'12'", "{'type':'string','optional':false}", "12",
              "{'type':'int16','optional':false}");
}

/* ---- SetSchemaMetadata -------------------------------------------------------------------- */

#define SET_METADATA "SetSchemaMetadata$Value"

static const char *const metadata_schema =
    "{'type':'struct','name':'old','version':1,'doc':'d','optional':true,"
    "'fields':[{'field':'a','type':'int32','optional':true,'default':4},"
    "{'field':'b','type':'string','optional':false}]}";

static void test_set_schema_metadata(void **state)
{
    (void)state;
    expect(SET_METADATA, "schema.name= new.name \nschema.version=7", "{'a':1,'b':'x'}",
           metadata_schema, "{'a':1,'b':'x'}",
           "{'type':'struct','fields':[{'type':'int32','optional':true,'default':4,'field':'a'},"
           "{'type':'string','optional':false,'field':'b'}],'optional':true,'name':'new.name',"
           "'version':7,'doc':'d'}");
    expect(SET_METADATA, "schema.version=2", "{'b':'x','a':null}", metadata_schema,
           "{'a':4,'b':'x'}",
           "{'type':'struct','fields':[{'type':'int32','optional':true,'default':4,'field':'a'},"
           "{'type':'string','optional':false,'field':'b'}],'optional':true,'name':'old',"
           "'version':2,'doc':'d'}");
    expect(SET_METADATA, "schema.name=n\nreplace.null.with.default=false", "{'a':null,'b':'x'}",
           metadata_schema, "{'a':null,'b':'x'}",
           "{'type':'struct','fields':[{'type':'int32','optional':true,'default':4,'field':'a'},"
           "{'type':'string','optional':false,'field':'b'}],'optional':true,'name':'n',"
           "'version':1,'doc':'d'}");
    /* A null value with a schema: the schema changes, the value stays null. */
    expect(SET_METADATA, "schema.name=n", "null", "{'type':'struct','fields':[]}", "null",
           "{'type':'struct','fields':[],'optional':false,'name':'n'}");
    expect(SET_METADATA, "schema.name=n", "null", NULL, "null", NULL);
    expect_failure(SET_METADATA, "schema.name=n", "{'a':1}", NULL,
                   "Schema required for [updating schema metadata]");
    expect_failure(SET_METADATA, "schema.name=n", "'x'", "{'type':'string','optional':false}",
                   "Cannot list fields on non-struct type");
    expect_failure(SET_METADATA, "schema.name=n", "{'a':1}", metadata_schema,
                   "Invalid value: null used for required field: \"b\", schema type: STRING");
    expect_on("SetSchemaMetadata$Key", "schema.version=3", true, "{'b':'k'}",
              "{'type':'struct','fields':[{'field':'b','type':'string'}]}", "{'b':'k'}",
              "{'type':'struct','fields':[{'type':'string','optional':false,'field':'b'}],"
              "'optional':false,'version':3}");
}

static void test_set_schema_metadata_config(void **state)
{
    (void)state;
    expect_invalid(SET_METADATA, NULL, "type", "Neither schema name nor version configured");
    expect_invalid(SET_METADATA, "schema.version=x", "schema.version", "x");
    expect_invalid(SET_METADATA, "schema.name=n\nreplace.null.with.default=1",
                   "replace.null.with.default", "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_are_registered),
        cmocka_unit_test(test_needs_are_the_side),
        cmocka_unit_test(test_extract_field_schemaless),
        cmocka_unit_test(test_extract_field_with_schema),
        cmocka_unit_test(test_extract_field_key),
        cmocka_unit_test(test_extract_field_schema_is_cached),
        cmocka_unit_test(test_extract_field_config),
        cmocka_unit_test(test_flatten_schemaless),
        cmocka_unit_test(test_flatten_with_schema),
        cmocka_unit_test(test_flatten_optionality_and_defaults),
        cmocka_unit_test(test_flatten_refusals),
        cmocka_unit_test(test_cast_spec_validation),
        cmocka_unit_test(test_cast_type_names),
        cmocka_unit_test(test_cast_whole_value_schemaless),
        cmocka_unit_test(test_cast_whole_value_with_schema),
        cmocka_unit_test(test_cast_logical_types),
        cmocka_unit_test(test_cast_fields_with_schema),
        cmocka_unit_test(test_cast_fields_schemaless),
        cmocka_unit_test(test_set_schema_metadata),
        cmocka_unit_test(test_set_schema_metadata_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
