/* Kafka Connect's field transforms: InsertField, ReplaceField, MaskField, ValueToKey and
 * HoistField, each with and without a schema, on keys and values, with nulls and tombstones,
 * every key and the texts of Kafka's errors, against what the Java classes of Kafka 3.9 make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "transforms/transform_chain.h"
#include "transform_fixture.h"

/* ---- helpers -------------------------------------------------------------------------------- */

/* Applies the chain of lines on side to record; the reason of a failure (the text after the
 * chain's "transform <alias> (<type>): ") goes to why. */
static transform_result apply_on(transform_side side, const char *lines, ferry_record *record,
                                 char *why, size_t why_size)
{
    transform_chain *chain = fixture_chain_on(side, lines);
    char err[600] = "";
    transform_result result = transform_chain_apply(chain, record, NULL, err, sizeof err);
    const char *reason = strstr(err, "): ");
    snprintf(why, why_size, "%s", reason ? reason + 3 : err);
    transform_chain_release(chain);
    transform_chain_destroy(chain);
    return result;
}

static transform_result apply(const char *lines, ferry_record *record, char *why,
                              size_t why_size)
{
    return apply_on(TRANSFORM_SIDE_SOURCE, lines, record, why, why_size);
}

/* data's value as compact JSON in its members' order is value, and its schema is equal to
 * schema (NULL: none). */
static void expect_data(const ferry_data *data, const char *value, const char *schema)
{
    char *text = fixture_value_text(data);
    if (strcmp(text, value) != 0)
        fail_msg("value %s, expected %s", text, value);
    free(text);
    if (!schema) {
        if (data->schema) {
            char *got = fixture_schema_text(data);
            fail_msg("schema %s, expected none", got);
        }
        return;
    }
    json_t *expected = json_loads(schema, 0, NULL);
    assert_non_null(expected);
    if (!json_equal(expected, data->schema)) {
        char *got = fixture_schema_text(data);
        fail_msg("schema %s, expected %s", got, schema);
    }
    json_decref(expected);
}

/* A record of value under value_schema; a null value keeps its schema too, as a sink's
 * converter gives it. */
static ferry_record record_of(const char *value, const char *value_schema)
{
    ferry_record record = fixture_record("null", NULL, value, value_schema);
    if (record.value.kind == FERRY_DATA_NULL && value_schema)
        assert_non_null(record.value.schema = json_loads(value_schema, 0, NULL));
    return record;
}

/* The transform of lines fails on a source record of value (under value_schema) with why. */
static void expect_failure(const char *lines, const char *value, const char *value_schema,
                           const char *expected)
{
    ferry_record record = record_of(value, value_schema);
    char why[600];
    assert_int_equal(apply(lines, &record, why, sizeof why), TRANSFORM_FAIL);
    assert_string_equal(why, expected);
    fixture_record_release(&record);
}

/* The transform of lines makes value (under value_schema) into expected (under
 * expected_schema). */
static void expect_becomes(const char *lines, const char *value, const char *value_schema,
                           const char *expected, const char *expected_schema)
{
    ferry_record record = record_of(value, value_schema);
    char why[600];
    if (apply(lines, &record, why, sizeof why) != TRANSFORM_KEEP)
        fail_msg("failed: %s", why);
    expect_data(&record.value, expected, expected_schema);
    fixture_record_release(&record);
}

/* A struct schema of fields (the text inside "fields":[...]). */
#define STRUCT(fields) "{\"type\":\"struct\",\"optional\":false,\"fields\":[" fields "]}"
#define FIELD(name, type, optional)                                                              \
    "{\"type\":\"" type "\",\"optional\":" #optional ",\"field\":\"" name "\"}"

/* A struct of one required int32 field "a". */
#define A_INT32 STRUCT(FIELD("a", "int32", false))

/* ---- the registry ------------------------------------------------------------------------- */

static void test_types_listed_by_class_name(void **state)
{
    (void)state;
    const transform_type *const *types = transform_types();
    for (size_t i = 0; types[i] && types[i + 1]; i++)
        assert_true(strcmp(transform_type_class(types[i]), transform_type_class(types[i + 1])) <
                    0);
    const char *const classes[] = {
        "org.apache.kafka.connect.transforms.HoistField$Key",
        "org.apache.kafka.connect.transforms.HoistField$Value",
        "org.apache.kafka.connect.transforms.InsertField$Key",
        "org.apache.kafka.connect.transforms.InsertField$Value",
        "org.apache.kafka.connect.transforms.MaskField$Key",
        "org.apache.kafka.connect.transforms.MaskField$Value",
        "org.apache.kafka.connect.transforms.ReplaceField$Key",
        "org.apache.kafka.connect.transforms.ReplaceField$Value",
        "org.apache.kafka.connect.transforms.ValueToKey",
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        const transform_type *type = transform_type_find(classes[i]);
        assert_non_null(type);
        assert_string_equal(transform_type_class(type), classes[i]);
        assert_ptr_equal(transform_type_find(strrchr(classes[i], '.') + 1), type);
    }
}

static unsigned needs_of(const char *lines)
{
    transform_chain *chain = fixture_chain_of(lines);
    unsigned needs = transform_chain_needs(chain);
    transform_chain_destroy(chain);
    return needs;
}

static void test_needs_are_declared(void **state)
{
    (void)state;
    const struct {
        const char *type;
        const char *key;
        unsigned needs;
    } cases[] = {
        {"InsertField$Value", "topic.field", TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_TIMESTAMP},
        {"InsertField$Key", "topic.field", TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_TIMESTAMP},
        {"ReplaceField$Value", "exclude", TRANSFORM_NEEDS_VALUE},
        {"ReplaceField$Key", "exclude", TRANSFORM_NEEDS_KEY},
        {"MaskField$Value", "fields", TRANSFORM_NEEDS_VALUE},
        {"MaskField$Key", "fields", TRANSFORM_NEEDS_KEY},
        {"HoistField$Value", "field", TRANSFORM_NEEDS_VALUE},
        {"HoistField$Key", "field", TRANSFORM_NEEDS_KEY},
        {"ValueToKey", "fields", TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_VALUE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lines[256];
        snprintf(lines, sizeof lines, "transforms=t\ntransforms.t.type=%s\ntransforms.t.%s=a\n",
                 cases[i].type, cases[i].key);
        assert_int_equal(needs_of(lines), cases[i].needs);
    }
}

/* ---- InsertField -------------------------------------------------------------------------- */

#define INSERT                                                                                     \
    "transforms=ins\ntransforms.ins.type=org.apache.kafka.connect.transforms.InsertField$Value\n"

static void test_insert_schemaless(void **state)
{
    (void)state;
    /* Each field once, the static value trimmed as ConfigDef trims; a field of the map is
     * replaced in its place. */
    const char *lines = INSERT "transforms.ins.topic.field=topic\n"
                        "transforms.ins.partition.field=p\n"
                        "transforms.ins.timestamp.field=ts!\ntransforms.ins.static.field= s \n"
                        "transforms.ins.static.value=  fixed  \n";
    expect_becomes(lines, "{\"a\":1,\"p\":\"old\"}", NULL,
                   "{\"a\":1,\"p\":0,\"topic\":\"test\",\"ts\":1700000000000,\"s\":\"fixed\"}",
                   NULL);
    /* A partition left to the producer and a record without a timestamp are Java's nulls:
     * nothing is put. */
    ferry_record record = fixture_record("null", NULL, "{\"a\":1}", NULL);
    record.partition = FERRY_PARTITION_ANY;
    record.timestamp_ms = FERRY_TIMESTAMP_NONE;
    char why[600];
    assert_int_equal(apply(lines, &record, why, sizeof why), TRANSFORM_KEEP);
    expect_data(&record.value, "{\"a\":1,\"topic\":\"test\",\"s\":\"fixed\"}", NULL);
    fixture_record_release(&record);
    /* A map it must be. */
    expect_failure(lines, "[1]", NULL,
                   "Only Map objects supported in absence of schema for [field insertion], "
                   "found: java.util.ArrayList");
    expect_failure(lines, "\"text\"", NULL,
                   "Only Map objects supported in absence of schema for [field insertion], "
                   "found: java.lang.String");
}

static void test_insert_offset_only_on_sinks(void **state)
{
    (void)state;
    const char *lines = INSERT "transforms.ins.offset.field=offset\n";
    expect_failure(lines, "{\"a\":1}", NULL,
                   "Only SinkRecord supported for [field insertion], found: "
                   "org.apache.kafka.connect.source.SourceRecord");
    expect_failure(lines, "{\"a\":1}", STRUCT(FIELD("a", "int32", false)),
                   "Only SinkRecord supported for [field insertion], found: "
                   "org.apache.kafka.connect.source.SourceRecord");
    ferry_record record = fixture_record("null", NULL, "{\"a\":1}", A_INT32);
    record.kafka_offset = 42;
    char why[600];
    assert_int_equal(apply_on(TRANSFORM_SIDE_SINK, lines, &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.value, "{\"a\":1,\"offset\":42}",
                STRUCT(FIELD("a", "int32", false) "," FIELD("offset", "int64", true)));
    fixture_record_release(&record);
    record = fixture_record("null", NULL, "{}", NULL);
    record.kafka_offset = 7;
    assert_int_equal(apply_on(TRANSFORM_SIDE_SINK, lines, &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.value, "{\"offset\":7}", NULL);
    fixture_record_release(&record);
}

static void test_insert_with_schema(void **state)
{
    (void)state;
    /* The struct's name, version, doc and parameters stay; its optional and default do not
     * (copySchemaBasics). New fields follow in Java's order, optional unless `!`; `?` is cut;
     * only one suffix character is. */
    const char *schema = "{\"type\":\"struct\",\"optional\":true,\"name\":\"row\",\"version\":3,"
                         "\"doc\":\"a row\",\"parameters\":{\"k\":\"v\"},\"default\":{\"a\":5},"
                         "\"fields\":[" FIELD("a", "int32", false) "]}";
    const char *lines = INSERT "transforms.ins.static.field=s!\ntransforms.ins.static.value=v\n"
                        "transforms.ins.timestamp.field=ts\ntransforms.ins.offset.field=o!!\n"
                        "transforms.ins.partition.field=p?\ntransforms.ins.topic.field=t!\n";
    ferry_record record = fixture_record("null", NULL, "{\"a\":1,\"extra\":2}", schema);
    record.kafka_offset = 9;
    char why[600];
    assert_int_equal(apply_on(TRANSFORM_SIDE_SINK, lines, &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.value,
                "{\"a\":1,\"t\":\"test\",\"p\":0,\"o!\":9,\"ts\":1700000000000,\"s\":\"v\"}",
                "{\"type\":\"struct\",\"optional\":false,\"name\":\"row\",\"version\":3,"
                "\"doc\":\"a row\",\"parameters\":{\"k\":\"v\"},\"fields\":["
                FIELD("a", "int32", false) "," FIELD("t", "string", false) ","
                FIELD("p", "int32", true) "," FIELD("o!", "int64", false) ","
                "{\"type\":\"int64\",\"optional\":true,\"name\":"
                "\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,\"field\":\"ts\"},"
                FIELD("s", "string", false) "]}");
    fixture_record_release(&record);

    /* Without a partition or a timestamp the field is there, null, even when required. */
    const char *required = INSERT "transforms.ins.timestamp.field=ts!\n"
                           "transforms.ins.partition.field=p!\n";
    record = fixture_record("null", NULL, "{\"a\":1}", A_INT32);
    record.partition = FERRY_PARTITION_ANY;
    record.timestamp_ms = FERRY_TIMESTAMP_NONE;
    assert_int_equal(apply(required, &record, why, sizeof why), TRANSFORM_KEEP);
    expect_data(&record.value, "{\"a\":1,\"p\":null,\"ts\":null}",
                STRUCT(FIELD("a", "int32", false) "," FIELD("p", "int32", false) ","
                       "{\"type\":\"int64\",\"optional\":false,\"name\":"
                       "\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,"
                       "\"field\":\"ts\"}"));
    fixture_record_release(&record);

    /* A required topic field and no topic: Struct.put's text. */
    record = fixture_record("null", NULL, "{\"a\":1}", A_INT32);
    record.topic = NULL;
    assert_int_equal(apply(INSERT "transforms.ins.topic.field=t!\n", &record, why, sizeof why),
                     TRANSFORM_FAIL);
    assert_string_equal(why, "Invalid value: null used for required field: \"t\", schema "
                             "type: STRING");
    fixture_record_release(&record);
}

static void test_insert_schema_errors_and_cache(void **state)
{
    (void)state;
    expect_failure(INSERT "transforms.ins.topic.field=a\n", "{\"a\":1}",
                   STRUCT(FIELD("a", "int32", false)),
                   "Cannot create field because of field name duplication a");
    expect_failure(INSERT "transforms.ins.topic.field=!\n", "{\"a\":1}",
                   STRUCT(FIELD("a", "int32", false)), "fieldName cannot be null.");
    expect_failure(INSERT "transforms.ins.topic.field=t\n", "5",
                   "{\"type\":\"int32\",\"optional\":false}",
                   "Only Struct objects supported for [field insertion], found: "
                   "java.lang.Integer");
    /* Schemaless, an empty name is a key like another. */
    expect_becomes(INSERT "transforms.ins.topic.field=?\n", "{}", NULL, "{\"\":\"test\"}",
                   NULL);
    /* One output schema for equal input schemas. */
    transform_chain *chain = fixture_chain_of(INSERT "transforms.ins.topic.field=t\n");
    ferry_record first = fixture_record("null", NULL, "{\"a\":1}", A_INT32);
    ferry_record second = fixture_record("null", NULL, "{\"a\":2}", A_INT32);
    assert_int_equal(transform_chain_apply(chain, &first, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(transform_chain_apply(chain, &second, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_ptr_equal(first.value.schema, second.value.schema);
    fixture_record_release(&first);
    fixture_record_release(&second);
    transform_chain_destroy(chain);
}

static void test_insert_nulls_and_defaults(void **state)
{
    (void)state;
    const char *schema = STRUCT("{\"type\":\"int32\",\"optional\":true,\"default\":7,"
                                "\"field\":\"a\"}");
    const char *out_schema = STRUCT("{\"type\":\"int32\",\"optional\":true,\"default\":7,"
                                    "\"field\":\"a\"}," FIELD("t", "string", true));
    expect_becomes(INSERT "transforms.ins.topic.field=t\n", "{\"a\":null}", schema,
                   "{\"a\":7,\"t\":\"test\"}", out_schema);
    expect_becomes(INSERT "transforms.ins.topic.field=t\n"
                          "transforms.ins.replace.null.with.default=false\n",
                   "{\"a\":null}", schema, "{\"a\":null,\"t\":\"test\"}", out_schema);
    /* A null in a required field cannot be put. */
    expect_failure(INSERT "transforms.ins.topic.field=t\n", "{\"b\":1}",
                   STRUCT(FIELD("a", "string", false)),
                   "Invalid value: null used for required field: \"a\", schema type: "
                   "STRING");
    /* Tombstones and null keys pass unchanged, schema or not. */
    ferry_record tombstone = fixture_record("{\"k\":1}", NULL, "null", NULL);
    tombstone.value.schema = json_loads(STRUCT(FIELD("a", "int32", true)), 0, NULL);
    char why[600];
    assert_int_equal(apply(INSERT "transforms.ins.topic.field=t\n", &tombstone, why, sizeof why),
                     TRANSFORM_KEEP);
    assert_int_equal(tombstone.value.kind, FERRY_DATA_NULL);
    assert_int_equal(apply("transforms=ins\ntransforms.ins.type=InsertField$Key\n"
                           "transforms.ins.topic.field=t\n", &tombstone, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&tombstone.key, "{\"k\":1,\"t\":\"test\"}", NULL);
    fixture_record_release(&tombstone);
    ferry_record no_key = fixture_record("null", NULL, "{}", NULL);
    assert_int_equal(apply("transforms=ins\ntransforms.ins.type=InsertField$Key\n"
                           "transforms.ins.topic.field=t\n", &no_key, why, sizeof why),
                     TRANSFORM_KEEP);
    assert_int_equal(no_key.key.kind, FERRY_DATA_NULL);
    expect_data(&no_key.value, "{}", NULL);
    fixture_record_release(&no_key);
}

static void test_insert_config_refused(void **state)
{
    (void)state;
    fixture_expect_invalid(INSERT, "transforms.ins.type", "No field insertion configured");
    fixture_expect_invalid(INSERT "transforms.ins.static.field=s\n", "transforms.ins.static.value",
                           "Invalid value null for configuration static.value: No value "
                           "specified for static field: s");
    fixture_expect_invalid(INSERT "transforms.ins.topic.field=t\n"
                                  "transforms.ins.replace.null.with.default=maybe\n",
                           "transforms.ins.replace.null.with.default", "maybe");
    /* static.value without static.field is ignored, an empty name is a name. */
    transform_chain_destroy(fixture_chain_of(INSERT "transforms.ins.topic.field=\n"
                                                    "transforms.ins.static.value=x\n"));
}

/* A sink's checked JSON text is parsed when the transform asks for it. */
static void test_insert_parses_checked_text(void **state)
{
    (void)state;
    const char *text = "{\"a\":1}";
    ferry_record record = {.topic = "t", .partition = 3, .timestamp_ms = 5,
                           .value = {.kind = FERRY_DATA_JSON, .data = text, .len = strlen(text)}};
    char why[600];
    assert_int_equal(apply_on(TRANSFORM_SIDE_SINK, INSERT "transforms.ins.partition.field=p\n",
                              &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.value, "{\"a\":1,\"p\":3}", NULL);
    assert_null(record.value.data);
    fixture_record_release(&record);
}

/* ---- ReplaceField ------------------------------------------------------------------------- */

#define REPLACE                                                                                    \
    "transforms=rep\ntransforms.rep.type=org.apache.kafka.connect.transforms.ReplaceField$Value\n"

static void test_replace_schemaless(void **state)
{
    (void)state;
    const char *value = "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}";
    expect_becomes(REPLACE "transforms.rep.exclude=b, d\n", value, NULL,
                   "{\"a\":1,\"c\":3}", NULL);
    /* exclude wins over include. */
    expect_becomes(REPLACE "transforms.rep.include=a,b,c\ntransforms.rep.exclude=b\n",
                   value, NULL, "{\"a\":1,\"c\":3}", NULL);
    expect_becomes(REPLACE "transforms.rep.renames=a:x,c:y\ntransforms.rep.include=a,c\n",
                   value, NULL, "{\"x\":1,\"y\":3}", NULL);
    /* Empty items are names: ConfigDef keeps them. */
    expect_becomes(REPLACE "transforms.rep.exclude=a,,b\n", "{\"\":0,\"a\":1,\"c\":3}", NULL,
                   "{\"c\":3}", NULL);
    /* Two fields under one name: the one Java's HashMap iterates last wins ("a" before "b"). */
    expect_becomes(REPLACE "transforms.rep.renames=a:b\n", "{\"b\":1,\"a\":2}", NULL,
                   "{\"b\":1}", NULL);
    expect_becomes(REPLACE "transforms.rep.renames=b:a\n", "{\"b\":1,\"a\":2}", NULL,
                   "{\"a\":1}", NULL);
    expect_failure(REPLACE "transforms.rep.exclude=a\n", "[1]", NULL,
                   "Only Map objects supported in absence of schema for [field "
                   "replacement], found: java.util.ArrayList");
}

static void test_replace_with_schema(void **state)
{
    (void)state;
    const char *schema = "{\"type\":\"struct\",\"optional\":true,\"name\":\"n\",\"version\":2,"
                         "\"doc\":\"d\",\"fields\":[" FIELD("a", "int32", false) ","
                         "{\"type\":\"string\",\"optional\":true,\"default\":\"dflt\","
                         "\"field\":\"b\"}," FIELD("c", "int64", true) "]}";
    expect_becomes(REPLACE "transforms.rep.renames=b:bee,a:ay\ntransforms.rep.exclude=c\n",
                   "{\"a\":1,\"b\":null,\"c\":3}", schema, "{\"ay\":1,\"bee\":\"dflt\"}",
                   "{\"type\":\"struct\",\"optional\":false,\"name\":\"n\",\"version\":2,"
                   "\"doc\":\"d\",\"fields\":[" FIELD("ay", "int32", false) ","
                   "{\"type\":\"string\",\"optional\":true,\"default\":\"dflt\","
                   "\"field\":\"bee\"}]}");
    expect_becomes(REPLACE "transforms.rep.include=b\n"
                           "transforms.rep.replace.null.with.default=false\n",
                   "{\"a\":1,\"b\":null,\"c\":3}", schema, "{\"b\":null}",
                   "{\"type\":\"struct\",\"optional\":false,\"name\":\"n\",\"version\":2,"
                   "\"doc\":\"d\",\"fields\":[{\"type\":\"string\",\"optional\":true,"
                   "\"default\":\"dflt\",\"field\":\"b\"}]}");
    /* Two fields under one name. */
    expect_failure(REPLACE "transforms.rep.renames=a:c\n",
                   "{\"a\":1,\"b\":null,\"c\":3}", schema,
                   "Cannot create field because of field name duplication c");
    /* Java reads a field's value under the name reverseRenames gives: a rename to a field that
     * is there while its source is not fails. */
    expect_failure(REPLACE "transforms.rep.renames=y:c\n",
                   "{\"a\":1,\"b\":null,\"c\":3}", schema, "y is not a valid field name");
    /* Two renames to one name: the one iterated last in Java's HashMap of renames wins it ("a"
     * before "b", whatever the config's order). */
    const char *only_b = STRUCT(FIELD("b", "int32", false));
    expect_becomes(REPLACE "transforms.rep.renames=b:x,a:x\n", "{\"b\":5}", only_b,
                   "{\"x\":5}", STRUCT(FIELD("x", "int32", false)));
    expect_failure(REPLACE "transforms.rep.renames=b:x,a:x\n",
                   "{\"a\":5}", STRUCT(FIELD("a", "int32", false)),
                   "b is not a valid field name");
    expect_failure(REPLACE "transforms.rep.exclude=a\n", "{\"a\":1}",
                   "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
                   "\"values\":{\"type\":\"int32\",\"optional\":false},\"optional\":false}",
                   "Only Struct objects supported for [field replacement], found: "
                   "java.util.HashMap");
}

static void test_replace_deprecated_keys_and_nulls(void **state)
{
    (void)state;
    const char *value = "{\"a\":1,\"b\":2,\"c\":3}";
    expect_becomes(REPLACE "transforms.rep.whitelist=a,b\n", value, NULL,
                   "{\"a\":1,\"b\":2}", NULL);
    expect_becomes(REPLACE "transforms.rep.blacklist=a\n", value, NULL,
                   "{\"b\":2,\"c\":3}", NULL);
    /* The new key wins. */
    expect_becomes(REPLACE "transforms.rep.include=c\ntransforms.rep.whitelist=a,b\n"
                           "transforms.rep.blacklist=c\n", value, NULL, "{}", NULL);
    expect_becomes(REPLACE "transforms.rep.exclude=\ntransforms.rep.blacklist=a\n",
                   value, NULL, value, NULL);
    /* Null values and keys pass. */
    ferry_record record = fixture_record("null", NULL, "null", NULL);
    char why[600];
    assert_int_equal(apply(REPLACE "transforms.rep.exclude=a\n", &record, why, sizeof why),
                     TRANSFORM_KEEP);
    assert_int_equal(record.value.kind, FERRY_DATA_NULL);
    assert_int_equal(apply("transforms=rep\ntransforms.rep.type=ReplaceField$Key\n"
                           "transforms.rep.exclude=a\n", &record, why, sizeof why),
                     TRANSFORM_KEEP);
    assert_int_equal(record.key.kind, FERRY_DATA_NULL);
    fixture_record_release(&record);
    record = fixture_record("{\"a\":1,\"k\":2}", NULL, "{\"a\":1}", NULL);
    assert_int_equal(apply("transforms=rep\ntransforms.rep.type=ReplaceField$Key\n"
                           "transforms.rep.exclude=a\n", &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.key, "{\"k\":2}", NULL);
    expect_data(&record.value, "{\"a\":1}", NULL);
    fixture_record_release(&record);
}

static void test_replace_renames_parsed_as_java(void **state)
{
    (void)state;
    fixture_expect_invalid(REPLACE "transforms.rep.renames=a:b:c, x:y\n",
                           "transforms.rep.renames",
                           "Invalid value [a:b:c, x:y] for configuration renames: Invalid rename "
                           "mapping: a:b:c");
    fixture_expect_invalid(REPLACE "transforms.rep.renames=a\n", "transforms.rep.renames",
                           "Invalid value [a] for configuration renames: Invalid rename "
                           "mapping: a");
    fixture_expect_invalid(REPLACE "transforms.rep.renames=x:y,a::\n", "transforms.rep.renames",
                           "Invalid rename mapping: a::");
    fixture_expect_invalid(REPLACE "transforms.rep.renames=x:y,\n", "transforms.rep.renames",
                           "Invalid value [x:y, ] for configuration renames: Invalid rename "
                           "mapping: ");
    fixture_expect_invalid(REPLACE "transforms.rep.renames=a::b\n", "transforms.rep.renames",
                           "Invalid rename mapping: a::b");
    /* Trailing empty pieces are dropped; an empty source is a name; the last of one source
     * wins. */
    expect_becomes(REPLACE "transforms.rep.renames=a:x:,:e,a:z::\n",
                   "{\"a\":1,\"\":2}", NULL, "{\"z\":1,\"e\":2}", NULL);
}

/* ---- MaskField ---------------------------------------------------------------------------- */

#define MASK "transforms=m\ntransforms.m.type=org.apache.kafka.connect.transforms.MaskField$Value\n"

static void test_mask_schemaless(void **state)
{
    (void)state;
    /* Each JSON kind as JsonConverter reads it (Long, Double, Boolean, String, ArrayList,
     * HashMap); a field the map lacks is put as a null. */
    expect_becomes(MASK "transforms.m.fields=i,d,b,s,l,m,n,absent\n",
                   "{\"i\":5,\"d\":1.5,\"b\":true,\"s\":\"x\",\"l\":[1],\"m\":{\"a\":1},"
                   "\"n\":null,\"keep\":1}",
                   NULL,
                   "{\"i\":0,\"d\":0.0,\"b\":false,\"s\":\"\",\"l\":[],\"m\":{},\"n\":null,"
                   "\"keep\":1,\"absent\":null}",
                   NULL);
    expect_becomes(MASK "transforms.m.fields=i,d,s\ntransforms.m.replacement=12.5\n",
                   "{\"i\":5,\"d\":1.5,\"s\":\"x\"}", NULL,
                   "{\"i\":12,\"d\":12.5,\"s\":\"12.5\"}", NULL);
    /* No pass for nulls. */
    expect_failure(MASK "transforms.m.fields=a\n", "null", NULL,
                   "Only Map objects supported in absence of schema for [mask fields], "
                   "found: null");
    expect_failure(MASK "transforms.m.fields=a\n", "null",
                   STRUCT(FIELD("a", "int32", true)),
                   "Only Struct objects supported for [mask fields], found: null");
    expect_failure(MASK "transforms.m.fields=a\n", "7", NULL,
                   "Only Map objects supported in absence of schema for [mask fields], "
                   "found: java.lang.Long");
    /* The fields are a HashSet: with two that cannot be masked, "a" comes before "b". */
    expect_failure(MASK "transforms.m.fields=b,a,b\n"
                                               "transforms.m.replacement=abc\n",
                   "{\"a\":true,\"b\":[1]}", NULL,
                   "Cannot mask value of type class java.lang.Boolean with custom "
                   "replacement.");
    expect_failure(MASK "transforms.m.fields=b\n"
                                               "transforms.m.replacement=abc\n",
                   "{\"a\":true,\"b\":[1]}", NULL,
                   "Cannot mask value of type class java.util.ArrayList with custom "
                   "replacement.");
    expect_failure(MASK "transforms.m.fields=m\n"
                                               "transforms.m.replacement=1\n",
                   "{\"m\":{}}", NULL,
                   "Cannot mask value of type class java.util.HashMap with custom "
                   "replacement.");
    expect_failure(MASK "transforms.m.fields=i\n"
                                               "transforms.m.replacement=abc\n",
                   "{\"i\":1}", NULL,
                   "Unable to convert abc (class java.lang.String) to a number");
}

/* Every Connect type under a schema, masked with its type's null value. */
static void test_mask_types_with_schema(void **state)
{
    (void)state;
    const char *schema = STRUCT(
        FIELD("i8", "int8", false) "," FIELD("i16", "int16", false) ","
        FIELD("i32", "int32", false) "," FIELD("i64", "int64", false) ","
        FIELD("f32", "float", false) "," FIELD("f64", "double", false) ","
        FIELD("bool", "boolean", false) "," FIELD("str", "string", false) ","
        "{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":false},\"optional\":false,"
        "\"field\":\"arr\"},"
        "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},\"values\":"
        "{\"type\":\"int32\",\"optional\":false},\"optional\":false,\"field\":\"smap\"},"
        "{\"type\":\"map\",\"keys\":{\"type\":\"int32\",\"optional\":false},\"values\":"
        "{\"type\":\"int32\",\"optional\":false},\"optional\":false,\"field\":\"imap\"},"
        "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data."
        "Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\"},\"field\":\"dec\"},"
        "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Date\","
        "\"version\":1,\"field\":\"date\"},"
        "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Time\","
        "\"version\":1,\"field\":\"time\"},"
        "{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data."
        "Timestamp\",\"version\":1,\"field\":\"ts\"}," FIELD("opt", "string", true) ","
        FIELD("keep", "int32", false));
    ferry_record record = fixture_record(
        "null", NULL,
        "{\"i8\":1,\"i16\":2,\"i32\":3,\"i64\":4,\"f32\":1.5,\"f64\":2.5,\"bool\":true,"
        "\"str\":\"secret\",\"arr\":[1,2],\"smap\":{\"a\":1},\"imap\":[[1,2]],\"dec\":\"BNI=\","
        "\"date\":19000,\"time\":1000,\"ts\":1700000000000,\"opt\":null,\"keep\":9}",
        schema);
    json_t *input_schema = json_incref(record.value.schema);
    char why[600];
    assert_int_equal(apply(MASK "transforms.m.fields=i8,i16,i32,i64,f32,f64,bool,str,arr,smap,"
                                "imap,dec,date,time,ts,opt,nope\n",
                           &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.value,
                "{\"i8\":0,\"i16\":0,\"i32\":0,\"i64\":0,\"f32\":0.0,\"f64\":0.0,\"bool\":false,"
                "\"str\":\"\",\"arr\":[],\"smap\":{},\"imap\":[],\"dec\":\"AA==\",\"date\":0,"
                "\"time\":0,\"ts\":0,\"opt\":null,\"keep\":9}",
                schema);
    assert_ptr_equal(record.value.schema, input_schema); /* the schema is kept as it is */
    json_decref(input_schema);
    fixture_record_release(&record);

    expect_failure(MASK "transforms.m.fields=b\n", "{\"b\":\"AQI=\"}",
                   STRUCT(FIELD("b", "bytes", false)),
                   "Cannot mask value of type: class [B");
    expect_failure(MASK "transforms.m.fields=s\n", "{\"s\":{\"x\":1}}",
                   STRUCT("{\"type\":\"struct\",\"optional\":false,\"fields\":["
                          FIELD("x", "int32", false) "],\"field\":\"s\"}"),
                   "Cannot mask value of type: class org.apache.kafka.connect.data.Struct");
    /* A null that must not be, masked or not. */
    expect_failure(MASK "transforms.m.fields=a\n", "{\"a\":null}",
                   STRUCT(FIELD("a", "int32", false)),
                   "Invalid value: null used for required field: \"a\", schema type: "
                   "INT32");
}

static void test_mask_replacement_per_type(void **state)
{
    (void)state;
    const char *schema = STRUCT(
        FIELD("i8", "int8", false) "," FIELD("i16", "int16", false) ","
        FIELD("i32", "int32", false) "," FIELD("i64", "int64", false) ","
        FIELD("f64", "double", false) "," FIELD("str", "string", false));
    const char *value = "{\"i8\":1,\"i16\":2,\"i32\":3,\"i64\":4,\"f64\":2.5,\"str\":\"x\"}";
    /* longValue() of the decimal, then Java's narrowing casts. */
    expect_becomes(MASK "transforms.m.fields=i8,i16,i32,i64,f64,str\n"
                        "transforms.m.replacement=70000.5\n",
                   value, schema,
                   "{\"i8\":112,\"i16\":4464,\"i32\":70000,\"i64\":70000,\"f64\":70000.5,"
                   "\"str\":\"70000.5\"}",
                   schema);
    expect_becomes(MASK "transforms.m.fields=i8,i64\ntransforms.m.replacement=-1e2\n",
                   value, schema,
                   "{\"i8\":-100,\"i16\":2,\"i32\":3,\"i64\":-100,\"f64\":2.5,\"str\":\"x\"}",
                   schema);
    /* Beyond 64 bits: the low 64 bits. */
    expect_becomes(MASK "transforms.m.fields=i64\n"
                        "transforms.m.replacement=18446744073709551617\n",
                   "{\"i64\":4}", STRUCT(FIELD("i64", "int64", false)), "{\"i64\":1}",
                   STRUCT(FIELD("i64", "int64", false)));
    expect_becomes(MASK "transforms.m.fields=i64\n"
                        "transforms.m.replacement=-9223372036854775809\n",
                   "{\"i64\":4}", STRUCT(FIELD("i64", "int64", false)),
                   "{\"i64\":9223372036854775807}", STRUCT(FIELD("i64", "int64", false)));
    /* Float: the double rounded to a float. */
    ferry_record record = fixture_record("null", NULL, "{\"f\":1.0}",
                                         STRUCT(FIELD("f", "float", false)));
    char why[600];
    assert_int_equal(apply(MASK "transforms.m.fields=f\ntransforms.m.replacement=0.1\n", &record,
                           why, sizeof why),
                     TRANSFORM_KEEP);
    assert_true(json_real_value(json_object_get(record.value.json, "f")) == (double)0.1f);
    fixture_record_release(&record);
    const struct {
        const char *type, *value, *replacement, *why;
    } refused[] = {
        {"boolean", "true", "1", "Cannot mask value of type class java.lang.Boolean with custom "
                                 "replacement."},
        {"int32", "5", "1.2.3", "Unable to convert 1.2.3 (class java.lang.String) to a number"},
        {"double", "5.5", "NaN", "Unable to convert NaN (class java.lang.String) to a number"},
        {"int64", "5", "1e", "Unable to convert 1e (class java.lang.String) to a number"},
        {"int64", "5", "0x10", "Unable to convert 0x10 (class java.lang.String) to a number"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char lines[256], schema_text[256], value_text[64];
        snprintf(lines, sizeof lines, MASK "transforms.m.fields=a\ntransforms.m.replacement=%s\n",
                 refused[i].replacement);
        snprintf(schema_text, sizeof schema_text,
                 STRUCT("{\"type\":\"%s\",\"optional\":false,\"field\":\"a\"}"), refused[i].type);
        snprintf(value_text, sizeof value_text, "{\"a\":%s}", refused[i].value);
        expect_failure(lines, value_text, schema_text, refused[i].why);
    }
    expect_failure(MASK "transforms.m.fields=d\n"
                                               "transforms.m.replacement=1\n",
                   "{\"d\":19000}",
                   STRUCT("{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache."
                          "kafka.connect.data.Date\",\"version\":1,\"field\":\"d\"}"),
                   "Cannot mask value of type class java.util.Date with custom "
                   "replacement.");
}

static void test_mask_decimal_replacement(void **state)
{
    (void)state;
    const char *schema = STRUCT("{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache."
                                "kafka.connect.data.Decimal\",\"version\":1,\"parameters\":"
                                "{\"scale\":\"2\"},\"field\":\"d\"}");
    const struct {
        const char *replacement, *encoded;
    } cases[] = {
        {"12.34", "BNI="},   /* 1234 = 0x04D2 */
        {"-1", "nA=="},      /* -100 = 0x9C */
        {"1.5", "AJY="},     /* 150 = 0x0096: a sign byte */
        {"-1.28", "gA=="},   /* -128 = 0x80 */
        {"-1.29", "/38="},   /* -129 = 0xFF7F */
        {"1.200", "eA=="},   /* 120: zeros may go */
        {"0", "AA=="},
        {"3E-2", "Aw=="},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lines[256], expected[64];
        snprintf(lines, sizeof lines, MASK "transforms.m.fields=d\ntransforms.m.replacement=%s\n",
                 cases[i].replacement);
        snprintf(expected, sizeof expected, "{\"d\":\"%s\"}", cases[i].encoded);
        expect_becomes(lines, "{\"d\":\"BNI=\"}", schema, expected, schema);
    }
    expect_failure(MASK "transforms.m.fields=d\n"
                                               "transforms.m.replacement=1.234\n",
                   "{\"d\":\"BNI=\"}", schema,
                   "Decimal value has mismatching scale for given Decimal schema. Schema "
                   "has scale 2, value has scale 3.");
    expect_failure(MASK "transforms.m.fields=d\n"
                                               "transforms.m.replacement=x\n",
                   "{\"d\":\"BNI=\"}", schema,
                   "Unable to convert x (class java.lang.String) to number");
}

static void test_mask_defaults_and_config(void **state)
{
    (void)state;
    const char *schema = STRUCT("{\"type\":\"int32\",\"optional\":true,\"default\":5,"
                                "\"field\":\"a\"}," "{\"type\":\"int32\",\"optional\":true,"
                                "\"default\":6,\"field\":\"b\"}");
    expect_becomes(MASK "transforms.m.fields=a\n", "{\"a\":null,\"b\":null}", schema,
                   "{\"a\":0,\"b\":6}", schema);
    expect_becomes(MASK "transforms.m.fields=a\n"
                        "transforms.m.replace.null.with.default=false\n",
                   "{\"a\":null,\"b\":null}", schema, "{\"a\":null,\"b\":null}", schema);
    /* The key. */
    ferry_record record = fixture_record("{\"id\":3}", NULL, "{\"id\":3}", NULL);
    char why[600];
    assert_int_equal(apply("transforms=m\ntransforms.m.type=MaskField$Key\n"
                           "transforms.m.fields=id\n", &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.key, "{\"id\":0}", NULL);
    expect_data(&record.value, "{\"id\":3}", NULL);
    fixture_record_release(&record);

    fixture_expect_invalid(MASK, "transforms.m.fields",
                           "Missing required configuration \"fields\" which has no default "
                           "value.");
    fixture_expect_invalid(MASK "transforms.m.fields= \n", "transforms.m.fields", "");
    fixture_expect_invalid(MASK "transforms.m.fields=a\ntransforms.m.replacement=  \n",
                           "transforms.m.replacement",
                           "Invalid value  for configuration replacement: String must be "
                           "non-empty");
}

/* ---- ValueToKey --------------------------------------------------------------------------- */

#define VALUE_TO_KEY                                                                               \
    "transforms=v\ntransforms.v.type=org.apache.kafka.connect.transforms.ValueToKey\n"

static void test_value_to_key_schemaless(void **state)
{
    (void)state;
    ferry_record record = fixture_record("\"old\"", "{\"type\":\"string\",\"optional\":false}",
                                         "{\"id\":1,\"name\":\"x\",\"n\":null}", NULL);
    char why[600];
    assert_int_equal(apply(VALUE_TO_KEY "transforms.v.fields=name,id,missing,name\n", &record,
                           why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.key, "{\"name\":\"x\",\"id\":1,\"missing\":null}", NULL);
    expect_data(&record.value, "{\"id\":1,\"name\":\"x\",\"n\":null}", NULL);
    fixture_record_release(&record);
    expect_failure(VALUE_TO_KEY "transforms.v.fields=id\n", "null",
                   NULL,
                   "Only Map objects supported in absence of schema for [copying fields "
                   "from value to key], found: null");
    expect_failure(VALUE_TO_KEY "transforms.v.fields=id\n", "\"s\"",
                   NULL,
                   "Only Map objects supported in absence of schema for [copying fields "
                   "from value to key], found: java.lang.String");
}

static void test_value_to_key_with_schema(void **state)
{
    (void)state;
    const char *schema = "{\"type\":\"struct\",\"optional\":false,\"name\":\"v\",\"fields\":["
                         FIELD("id", "int64", false) ","
                         "{\"type\":\"string\",\"optional\":true,\"default\":\"anon\","
                         "\"doc\":\"who\",\"field\":\"name\"}," FIELD("other", "int32", true) "]}";
    const char *key_schema = STRUCT("{\"type\":\"string\",\"optional\":true,\"default\":\"anon\","
                                    "\"doc\":\"who\",\"field\":\"name\"},"
                                    FIELD("id", "int64", false));
    ferry_record record = fixture_record("null", NULL, "{\"id\":1,\"name\":null,\"other\":2}",
                                         schema);
    json_t *value_schema = json_incref(record.value.schema);
    char why[600];
    assert_int_equal(apply(VALUE_TO_KEY "transforms.v.fields=name,id\n", &record, why,
                           sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.key, "{\"name\":\"anon\",\"id\":1}", key_schema);
    assert_ptr_equal(record.value.schema, value_schema);
    json_decref(value_schema);
    fixture_record_release(&record);

    record = fixture_record("null", NULL, "{\"id\":1,\"name\":null,\"other\":2}", schema);
    assert_int_equal(apply(VALUE_TO_KEY "transforms.v.fields=name,id\n"
                                        "transforms.v.replace.null.with.default=false\n",
                           &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.key, "{\"name\":null,\"id\":1}", key_schema);
    fixture_record_release(&record);

    expect_failure(VALUE_TO_KEY "transforms.v.fields=id,nope\n",
                   "{\"id\":1}", schema, "Field does not exist: nope");
    expect_failure(VALUE_TO_KEY "transforms.v.fields=id,id\n",
                   "{\"id\":1}", schema,
                   "Cannot create field because of field name duplication id");
    expect_failure(VALUE_TO_KEY "transforms.v.fields=id\n", "null",
                   schema,
                   "Only Struct objects supported for [copying fields from value to key], "
                   "found: null");
    expect_failure(VALUE_TO_KEY "transforms.v.fields=id\n", "{}",
                   schema,
                   "Invalid value: null used for required field: \"id\", schema type: "
                   "INT64");
}

static void test_value_to_key_config(void **state)
{
    (void)state;
    fixture_expect_invalid(VALUE_TO_KEY, "transforms.v.fields",
                           "Missing required configuration \"fields\" which has no default "
                           "value.");
    fixture_expect_invalid(VALUE_TO_KEY "transforms.v.fields=\n", "transforms.v.fields", "");
    fixture_expect_invalid(VALUE_TO_KEY "transforms.v.fields=a\n"
                                        "transforms.v.replace.null.with.default=yes\n",
                           "transforms.v.replace.null.with.default", "yes");
}

/* ---- HoistField --------------------------------------------------------------------------- */

#define HOIST                                                                                      \
    "transforms=h\ntransforms.h.type=org.apache.kafka.connect.transforms.HoistField$Value\n"

static void test_hoist_schemaless(void **state)
{
    (void)state;
    expect_becomes(HOIST "transforms.h.field= line \n", "42", NULL, "{\"line\":42}", NULL);
    expect_becomes(HOIST "transforms.h.field=line\n", "{\"a\":[1]}", NULL,
                   "{\"line\":{\"a\":[1]}}", NULL);
    /* A null is wrapped too. */
    expect_becomes(HOIST "transforms.h.field=line\n", "null", NULL, "{\"line\":null}",
                   NULL);
    ferry_record record = fixture_record("7", NULL, "null", NULL);
    char why[600];
    assert_int_equal(apply("transforms=h\ntransforms.h.type=HoistField$Key\n"
                           "transforms.h.field=id\n", &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.key, "{\"id\":7}", NULL);
    assert_int_equal(record.value.kind, FERRY_DATA_NULL);
    fixture_record_release(&record);
}

static void test_hoist_with_schema(void **state)
{
    (void)state;
    const char *optional = "{\"type\":\"string\",\"optional\":true,\"name\":\"n\",\"doc\":\"d\"}";
    const char *wrapped = STRUCT("{\"type\":\"string\",\"optional\":true,\"name\":\"n\","
                                 "\"doc\":\"d\",\"field\":\"f\"}");
    expect_becomes(HOIST "transforms.h.field=f\n", "\"x\"", optional, "{\"f\":\"x\"}",
                   wrapped);
    ferry_record record = fixture_record("null", NULL, "null", NULL);
    record.value.schema = json_loads(optional, 0, NULL);
    char why[600];
    assert_int_equal(apply(HOIST "transforms.h.field=f\n", &record, why, sizeof why),
                     TRANSFORM_KEEP);
    expect_data(&record.value, "{\"f\":null}", wrapped);
    fixture_record_release(&record);
    record = fixture_record("null", NULL, "null", NULL);
    record.value.schema = json_loads("{\"type\":\"int32\",\"optional\":false,\"default\":1}", 0,
                                     NULL);
    assert_int_equal(apply(HOIST "transforms.h.field=f\n", &record, why, sizeof why),
                     TRANSFORM_FAIL);
    assert_string_equal(why, "Invalid value: null used for required field: \"f\", schema type: "
                             "INT32");
    fixture_record_release(&record);
    /* A struct inside a struct; one output schema for equal inputs. */
    transform_chain *chain = fixture_chain_of(HOIST "transforms.h.field=row\n");
    ferry_record first = fixture_record("null", NULL, "{\"a\":1}", A_INT32);
    ferry_record second = fixture_record("null", NULL, "{\"a\":2}", A_INT32);
    assert_int_equal(transform_chain_apply(chain, &first, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(transform_chain_apply(chain, &second, NULL, NULL, 0), TRANSFORM_KEEP);
    expect_data(&second.value, "{\"row\":{\"a\":2}}",
                STRUCT("{\"type\":\"struct\",\"optional\":false,\"fields\":["
                       FIELD("a", "int32", false) "],\"field\":\"row\"}"));
    assert_ptr_equal(first.value.schema, second.value.schema);
    fixture_record_release(&first);
    fixture_record_release(&second);
    transform_chain_destroy(chain);
}

/* A sink's string (StringConverter) becomes an optional string field; a source plugin's a
 * required one. */
static void test_hoist_plugin_text(void **state)
{
    (void)state;
    const transform_side sides[] = {TRANSFORM_SIDE_SINK, TRANSFORM_SIDE_SOURCE};
    const char *schemas[] = {STRUCT(FIELD("line", "string", true)),
                             STRUCT(FIELD("line", "string", false))};
    for (size_t i = 0; i < 2; i++) {
        ferry_record record = {.topic = "t",
                               .value = {.kind = FERRY_DATA_STRING, .data = "hello", .len = 5}};
        char why[600];
        assert_int_equal(apply_on(sides[i], HOIST "transforms.h.field=line\n", &record, why,
                                  sizeof why),
                         TRANSFORM_KEEP);
        expect_data(&record.value, "{\"line\":\"hello\"}", schemas[i]);
        fixture_record_release(&record);
    }
    fixture_expect_invalid(HOIST, "transforms.h.field",
                           "Missing required configuration \"field\" which has no default "
                           "value.");
}

/* Schemas and values no converter makes: each transform fails the record or passes it, never
 * worse. */
static void test_odd_input_is_an_error_not_a_crash(void **state)
{
    (void)state;
    const char *const configs[] = {
        INSERT "transforms.ins.topic.field=t\n",
        REPLACE "transforms.rep.renames=a:b\n",
        MASK "transforms.m.fields=a\n",
        VALUE_TO_KEY "transforms.v.fields=a\n",
        HOIST "transforms.h.field=a\n",
    };
    const char *const schemas[] = {
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\"}]}",
        "{\"type\":\"struct\",\"fields\":\"a\"}",
        "{\"type\":\"struct\"}",
        "{\"type\":\"struct\",\"fields\":[" FIELD("a", "int32", false) ","
        FIELD("a", "int32", false) "]}",
        "{\"type\":\"nope\"}",
        "{}",
    };
    const char *const values[] = {"{\"a\":1}", "{\"a\":[[[[{}]]]]}", "[]", "\"a\"", "null"};
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++)
        for (size_t k = 0; k < sizeof schemas / sizeof schemas[0]; k++)
            for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                ferry_record record = record_of(values[v], schemas[k]);
                char why[600];
                transform_result result = apply(configs[c], &record, why, sizeof why);
                assert_true(result == TRANSFORM_KEEP || result == TRANSFORM_FAIL);
                assert_true(result == TRANSFORM_KEEP || why[0]);
                fixture_record_release(&record);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_listed_by_class_name),
        cmocka_unit_test(test_needs_are_declared),
        cmocka_unit_test(test_insert_schemaless),
        cmocka_unit_test(test_insert_offset_only_on_sinks),
        cmocka_unit_test(test_insert_with_schema),
        cmocka_unit_test(test_insert_schema_errors_and_cache),
        cmocka_unit_test(test_insert_nulls_and_defaults),
        cmocka_unit_test(test_insert_config_refused),
        cmocka_unit_test(test_insert_parses_checked_text),
        cmocka_unit_test(test_replace_schemaless),
        cmocka_unit_test(test_replace_with_schema),
        cmocka_unit_test(test_replace_deprecated_keys_and_nulls),
        cmocka_unit_test(test_replace_renames_parsed_as_java),
        cmocka_unit_test(test_mask_schemaless),
        cmocka_unit_test(test_mask_types_with_schema),
        cmocka_unit_test(test_mask_replacement_per_type),
        cmocka_unit_test(test_mask_decimal_replacement),
        cmocka_unit_test(test_mask_defaults_and_config),
        cmocka_unit_test(test_value_to_key_schemaless),
        cmocka_unit_test(test_value_to_key_with_schema),
        cmocka_unit_test(test_value_to_key_config),
        cmocka_unit_test(test_hoist_schemaless),
        cmocka_unit_test(test_hoist_with_schema),
        cmocka_unit_test(test_hoist_plugin_text),
        cmocka_unit_test(test_odd_input_is_an_error_not_a_crash),
    };
    return cmocka_run_group_tests_name("transforms_fields", tests, NULL, NULL);
}
