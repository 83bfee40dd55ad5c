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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
        cmocka_unit_test(test_hoist_schemaless),
        cmocka_unit_test(test_hoist_with_schema),
        cmocka_unit_test(test_hoist_plugin_text),
    };
    return cmocka_run_group_tests_name("transforms_fields", tests, NULL, NULL);
}
