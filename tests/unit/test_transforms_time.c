/* RegexRouter, TimestampRouter and TimestampConverter$Key/$Value: every key, with and without
 * schemas, nulls and tombstones, Kafka's error texts, and the configs refused at validation.
 * The expected values are what Kafka 3.9's classes give for the same records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transforms/transform_chain.h"
#include "transform_fixture.h"

#define REGEX_ROUTER "transforms=r\ntransforms.r.type=org.apache.kafka.connect.transforms.RegexRouter\n"
#define TIMESTAMP_ROUTER "transforms=r\ntransforms.r.type=org.apache.kafka.connect.transforms.TimestampRouter\n"
#define CONVERT_VALUE "transforms=t\ntransforms.t.type=org.apache.kafka.connect.transforms.TimestampConverter$Value\n"
#define CONVERT_KEY "transforms=t\ntransforms.t.type=org.apache.kafka.connect.transforms.TimestampConverter$Key\n"

#define DATE_SCHEMA "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1}"
#define TIME_SCHEMA "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Time\",\"version\":1}"
#define TIMESTAMP_SCHEMA "{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1}"
#define OPTIONAL_TIMESTAMP_SCHEMA "{\"type\":\"int64\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1}"
#define INT64_SCHEMA "{\"type\":\"int64\",\"optional\":false}"
#define STRING_SCHEMA "{\"type\":\"string\",\"optional\":false}"

/* 2023-11-14T22:13:20Z, the fixture's timestamp too. */
#define INSTANT "1700000000000"

/* What one apply left: the result, the error, and the record's topic (copied before the chain
 * that owns it goes). */
typedef struct outcome {
    transform_result result;
    char err[512];
    const char *failed_type;
    char *topic;
} outcome;

static outcome apply_on(transform_side side, const char *lines, ferry_record *record)
{
    transform_chain *chain = fixture_chain_on(side, lines);
    outcome out = {0};
    out.result = transform_chain_apply(chain, record, &out.failed_type, out.err, sizeof out.err);
    out.topic = strdup(record->topic ? record->topic : "(null)");
    transform_chain_destroy(chain);
    return out;
}

static outcome apply(const char *lines, ferry_record *record)
{
    return apply_on(TRANSFORM_SIDE_SOURCE, lines, record);
}

/* Fails unless json equals the JSON text expected (member order aside). */
static void assert_json(const json_t *json, const char *expected)
{
    json_t *want = json_loads(expected, JSON_DECODE_ANY, NULL);
    assert_non_null(want);
    if (!json_equal((json_t *)json, want)) {
        char *got = json ? json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("NULL");
        fail_msg("got %s, expected %s", got, expected);
    }
    json_decref(want);
}

/* A value conversion: the record's value (JSON text) under schema (NULL: schemaless) through
 * the lines; expects the value and schema (NULL: schemaless) given. */
static void expect_converted(const char *lines, const char *value, const char *schema,
                         const char *expected, const char *expected_schema)
{
    ferry_record record = fixture_record("null", NULL, value, schema);
    outcome out = apply(lines, &record);
    if (out.result != TRANSFORM_KEEP)
        fail_msg("%s failed: %s", value, out.err);
    char *text = fixture_value_text(&record.value);
    json_t *got = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_json(got, expected);
    json_decref(got);
    free(text);
    if (expected_schema)
        assert_json(record.value.schema, expected_schema);
    else
        assert_null(record.value.schema);
    free(out.topic);
    fixture_record_release(&record);
}

/* Expects the value to fail with exactly Kafka's message (after the chain's prefix). */
static void expect_failed(const char *lines, const char *value, const char *schema,
                           const char *message)
{
    ferry_record record = fixture_record("null", NULL, value, schema);
    outcome out = apply(lines, &record);
    assert_int_equal(out.result, TRANSFORM_FAIL);
    const char *why = strstr(out.err, "): ");
    if (!why || strcmp(why + 3, message) != 0)
        fail_msg("%s: got \"%s\", expected \"%s\"", value, out.err, message);
    free(out.topic);
    fixture_record_release(&record);
}

/* A record whose value is checked JSON text that no one parsed yet. */
static ferry_record unparsed_record(const char *topic)
{
    static const char text[] = "{\"a\":1}";
    return (ferry_record){.topic = topic, .timestamp_ms = 1700000000000,
                          .value = {.kind = FERRY_DATA_JSON, .data = text,
                                    .len = sizeof text - 1}};
}

/* ---- the registry ------------------------------------------------------------------------ */

static void test_types_are_listed_in_class_order(void **state)
{
    (void)state;
    const char *previous = "";
    size_t found = 0;
    for (const transform_type *const *type = transform_types(); *type; type++) {
        const char *class_name = transform_type_class(*type);
        if (strcmp(previous, class_name) >= 0)
            fail_msg("%s listed after %s", class_name, previous);
        previous = class_name;
        found += strstr(class_name, "Timestamp") || strstr(class_name, "RegexRouter");
    }
    assert_int_equal(found, 4);
    static const char *const names[][2] = {
        {"RegexRouter", "org.apache.kafka.connect.transforms.RegexRouter"},
        {"TimestampRouter", "org.apache.kafka.connect.transforms.TimestampRouter"},
        {"TimestampConverter$Key", "org.apache.kafka.connect.transforms.TimestampConverter$Key"},
        {"TimestampConverter$Value",
         "org.apache.kafka.connect.transforms.TimestampConverter$Value"},
    };
    for (size_t i = 0; i < 4; i++) {
        const transform_type *type = transform_type_find(names[i][1]);
        assert_non_null(type);
        assert_ptr_equal(transform_type_find(names[i][0]), type);
        assert_string_equal(transform_type_class(type), names[i][1]);
    }
}

static void test_needs(void **state)
{
    (void)state;
    static const struct {
        const char *lines;
        unsigned needs;
    } cases[] = {
        {REGEX_ROUTER "transforms.r.regex=a\ntransforms.r.replacement=b\n", 0},
        {TIMESTAMP_ROUTER, TRANSFORM_NEEDS_TIMESTAMP},
        {CONVERT_KEY "transforms.t.target.type=unix\n", TRANSFORM_NEEDS_KEY},
        {CONVERT_VALUE "transforms.t.target.type=unix\n", TRANSFORM_NEEDS_VALUE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        transform_chain *chain = fixture_chain_of(cases[i].lines);
        assert_int_equal(transform_chain_needs(chain), cases[i].needs);
        transform_chain_destroy(chain);
    }
}

/* ---- RegexRouter ------------------------------------------------------------------------- */

static void expect_route(const char *regex, const char *replacement, const char *topic,
                         const char *expected)
{
    char lines[512];
    snprintf(lines, sizeof lines, REGEX_ROUTER "transforms.r.regex=%s\ntransforms.r.replacement=%s\n",
             regex, replacement);
    ferry_record record = unparsed_record(topic);
    outcome out = apply(lines, &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    if (strcmp(out.topic, expected) != 0)
        fail_msg("%s -> %s on %s: got %s, expected %s", regex, replacement, topic, out.topic,
                 expected);
    assert_null(record.value.json); /* routing never parses */
    free(out.topic);
}

static void test_regex_router_routes(void **state)
{
    (void)state;
    expect_route("([^.]+)\\.([^.]+)\\.([^.]+)", "$3", "srv.public.orders", "orders");
    expect_route("(?<server>[^.]+)\\..*", "${server}-all", "srv.public.orders", "srv-all");
    expect_route("srv\\.(.*)", "cdc.$1", "srv.public.orders", "cdc.public.orders");
    /* matches() is the whole topic: a partial match leaves it. */
    expect_route("orders", "x", "orders-2023", "orders-2023");
    expect_route("srv", "x", "srv.public.orders", "srv.public.orders");
    /* replaceFirst searches anew: the lazy group now matches the empty start. */
    expect_route("(.*?)", "X", "abc", "Xabc");
    /* Values are trimmed; a quoted dollar and a backslash stay literal. */
    expect_route("  (.*)  ", " \\$$1\\\\ ", "t", "$t\\");
    expect_route("(a)(b)?", "[$2]", "a", "[]");
}

static void test_regex_router_refuses_bad_configs(void **state)
{
    (void)state;
    fixture_expect_invalid(REGEX_ROUTER "transforms.r.regex=a{\ntransforms.r.replacement=x\n",
                           "transforms.r.regex",
                           "Invalid value a{ for configuration regex: Invalid regex: ");
    fixture_expect_invalid(REGEX_ROUTER "transforms.r.regex=(a)\ntransforms.r.replacement=$2\n",
                           "transforms.r.replacement",
                           "Invalid value $2 for configuration replacement: No group 2");
    fixture_expect_invalid(REGEX_ROUTER "transforms.r.regex=(a)\ntransforms.r.replacement=x\\\n",
                           "transforms.r.replacement", "character to be escaped is missing");
    fixture_expect_invalid(REGEX_ROUTER "transforms.r.regex=a\ntransforms.r.replacement=${b}\n",
                           "transforms.r.replacement", "No group with name {b}");
    fixture_expect_invalid(REGEX_ROUTER "transforms.r.replacement=x\n", "transforms.r.regex",
                           "Missing required configuration");
    fixture_expect_invalid(REGEX_ROUTER "transforms.r.regex=a\n", "transforms.r.replacement",
                           "Missing required configuration");
}

/* A topic that is not valid UTF-8 never matches; a missing topic passes. */
static void test_regex_router_odd_topics(void **state)
{
    (void)state;
    expect_route(".*", "x", "bad\xff", "bad\xff");
    ferry_record record = unparsed_record(NULL);
    outcome out = apply(REGEX_ROUTER "transforms.r.regex=.*\ntransforms.r.replacement=x\n",
                        &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_string_equal(out.topic, "(null)");
    free(out.topic);
}

/* Answers are kept per topic: one instance routing more topics than it keeps, each many times
 * and interleaved, routes every record as a fresh instance would. */
static void test_regex_router_many_topics(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(REGEX_ROUTER "transforms.r.regex=t(\\d+)\n"
                                              "transforms.r.replacement=routed-$1\n");
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 150; i++) {
            char topic[32], expected[32];
            snprintf(topic, sizeof topic, i % 10 == 9 ? "other%d" : "t%d", i);
            snprintf(expected, sizeof expected, i % 10 == 9 ? "other%d" : "routed-%d", i);
            ferry_record record = {.topic = topic};
            assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0),
                             TRANSFORM_KEEP);
            assert_string_equal(record.topic, expected);
        }
        transform_chain_release(chain);
    }
    transform_chain_destroy(chain);
}

/* ---- TimestampRouter --------------------------------------------------------------------- */

static void expect_timestamp_route(const char *keys, const char *topic, int64_t timestamp,
                                   const char *expected)
{
    char lines[512];
    snprintf(lines, sizeof lines, TIMESTAMP_ROUTER "%s", keys);
    ferry_record record = unparsed_record(topic);
    record.timestamp_ms = timestamp;
    outcome out = apply(lines, &record);
    if (out.result != TRANSFORM_KEEP)
        fail_msg("%s failed: %s", topic, out.err);
    if (strcmp(out.topic, expected) != 0)
        fail_msg("%s at %lld: got %s, expected %s", topic, (long long)timestamp, out.topic,
                 expected);
    assert_null(record.value.json);
    free(out.topic);
}

static void test_timestamp_router_routes(void **state)
{
    (void)state;
    expect_timestamp_route("", "logs", 1700000000000, "logs-20231114");
    expect_timestamp_route("", "logs", 0, "logs-19700101");
    expect_timestamp_route("", "logs", -1000, "logs-19691231");
    expect_timestamp_route("transforms.r.topic.format= ${topic}_${timestamp}_${topic} \n"
                           "transforms.r.timestamp.format=yyyy-MM-dd'T'HH:mm\n",
                           "a", 1700000000000, "a_2023-11-14T22:13_a");
    /* Java replaces ${topic} first: a topic holding the other placeholder gets it too. */
    expect_timestamp_route("transforms.r.topic.format=${topic}\n", "x${timestamp}", 0,
                           "x19700101");
    expect_timestamp_route("transforms.r.topic.format=fixed\n", "a", 0, "fixed");
    expect_timestamp_route("transforms.r.topic.format=\n", "a", 0, "");
    expect_timestamp_route("transforms.r.topic.format=${topic}${topic}$${timestamp\n", "a", 0,
                           "aa$${timestamp");
}

static void test_timestamp_router_needs_a_timestamp(void **state)
{
    (void)state;
    ferry_record record = unparsed_record("logs");
    record.timestamp_ms = FERRY_TIMESTAMP_NONE;
    record.partition = 3;
    outcome out = apply(TIMESTAMP_ROUTER, &record);
    assert_int_equal(out.result, TRANSFORM_FAIL);
    assert_string_equal(out.failed_type, "org.apache.kafka.connect.transforms.TimestampRouter");
    assert_string_equal(out.err, "transform r (TimestampRouter): Timestamp missing on record: "
                                 "ConnectRecord{topic='logs', kafkaPartition=3, timestamp=null}");
    assert_string_equal(out.topic, "logs");
    free(out.topic);
    record.partition = FERRY_PARTITION_ANY;
    out = apply(TIMESTAMP_ROUTER, &record);
    assert_non_null(strstr(out.err, "kafkaPartition=null"));
    free(out.topic);
}

static void test_timestamp_router_refuses_bad_formats(void **state)
{
    (void)state;
    fixture_expect_invalid(TIMESTAMP_ROUTER "transforms.r.timestamp.format=yyyyT\n",
                           "transforms.r.timestamp.format",
                           "Invalid value yyyyT for configuration timestamp.format: Illegal "
                           "pattern character 'T'");
    fixture_expect_invalid(TIMESTAMP_ROUTER "transforms.r.timestamp.format='open\n",
                           "transforms.r.timestamp.format", "Unterminated quote");
    fixture_expect_invalid(TIMESTAMP_ROUTER "transforms.r.timestamp.format=YYYY-ww\n",
                           "transforms.r.timestamp.format", "pattern letter 'Y' (week year)");
}

/* ---- TimestampConverter: schemaless ------------------------------------------------------ */

static void test_converter_schemaless_whole_value(void **state)
{
    (void)state;
    const char *to_string = CONVERT_VALUE "transforms.t.target.type=string\n"
                                          "transforms.t.format=yyyy-MM-dd HH:mm:ss.SSS\n";
    expect_converted(to_string, INSTANT, NULL, "\"2023-11-14 22:13:20.000\"", NULL);
    expect_converted(to_string, "-1", NULL, "\"1969-12-31 23:59:59.999\"", NULL);
    expect_converted(to_string, "\"2023-11-14 22:13:20.000\"", NULL,
                 "\"2023-11-14 22:13:20.000\"", NULL);
    expect_converted(to_string, "null", NULL, "null", NULL);

    const char *to_unix = CONVERT_VALUE "transforms.t.target.type=unix\n"
                                        "transforms.t.format= yyyy-MM-dd \n";
    expect_converted(to_unix, "\"2023-11-14\"", NULL, "1699920000000", NULL);
    expect_converted(to_unix, "\"2023-11-14 and more\"", NULL, "1699920000000", NULL);
    expect_converted(to_unix, "\"2023-13-01\"", NULL, "1704067200000", NULL); /* lenient */
    expect_converted(to_unix, INSTANT, NULL, INSTANT, NULL);
}

static void test_converter_unix_precision(void **state)
{
    (void)state;
    /* Parsing a Long and writing one both use the precision, truncating toward zero. */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\n"
                               "transforms.t.unix.precision=microseconds\n",
                 "1700000000123456", NULL, "1700000000123000", NULL);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\n"
                               "transforms.t.unix.precision=nanoseconds\n",
                 "-1500000", NULL, "-1000000", NULL);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\n"
                               "transforms.t.unix.precision=seconds\n",
                 "1700000000", NULL, "1700000000", NULL);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=string\ntransforms.t.format=yyyy-MM-dd\n"
                               "transforms.t.unix.precision=seconds\n",
                 "1700000000", NULL, "\"2023-11-14\"", NULL);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\ntransforms.t.format=ss.SSS\n"
                               "transforms.t.unix.precision=seconds\n",
                 "\"01.999\"", NULL, "1", NULL);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\ntransforms.t.format=ss.SSS\n"
                               "transforms.t.unix.precision=seconds\n",
                 "\"-02.500\"", NULL, "-1", NULL);
    /* TimeUnit saturates at Long's ends. */
    const char *to_nanos = CONVERT_VALUE "transforms.t.target.type=unix\n"
                                         "transforms.t.unix.precision=nanoseconds\n";
    expect_converted(to_nanos, "9223372036855", TIMESTAMP_SCHEMA, "9223372036854775807",
                 INT64_SCHEMA);
    expect_converted(to_nanos, "9223372036854", TIMESTAMP_SCHEMA, "9223372036854000000",
                 INT64_SCHEMA);
    expect_converted(to_nanos, "-9223372036855", TIMESTAMP_SCHEMA, "-9223372036854775808",
                 INT64_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n"
                               "transforms.t.unix.precision=seconds\n",
                 "9223372036854776", INT64_SCHEMA, "9223372036854775807", TIMESTAMP_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n"
                               "transforms.t.unix.precision=seconds\n",
                 "-9223372036854776", INT64_SCHEMA, "-9223372036854775808", TIMESTAMP_SCHEMA);
}

static void test_converter_schemaless_errors(void **state)
{
    (void)state;
    const char *to_unix = CONVERT_VALUE "transforms.t.target.type=unix\n";
    expect_failed(to_unix, "1.5", NULL,
                   "TimestampConverter does not support class java.lang.Double objects as "
                   "timestamps");
    expect_failed(to_unix, "true", NULL,
                   "TimestampConverter does not support class java.lang.Boolean objects as "
                   "timestamps");
    expect_failed(to_unix, "{\"a\":1}", NULL,
                   "TimestampConverter does not support class java.util.HashMap objects as "
                   "timestamps");
    expect_failed(to_unix, "[1]", NULL,
                   "TimestampConverter does not support class java.util.ArrayList objects as "
                   "timestamps");
    /* A string with no format to read it (Java: a NullPointerException). */
    expect_failed(to_unix, "\"2023\"", NULL,
                   "TimestampConverter requires format option to be specified when using "
                   "string timestamps");
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\ntransforms.t.format=yyyy-MM-dd\n",
                   "\"Nov 14\"", NULL,
                   "Could not parse timestamp: value (Nov 14) does not match pattern "
                   "(yyyy-MM-dd)");
    /* A zone name Java would read and ferry cannot: the reason follows Kafka's text. */
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\ntransforms.t.format=yyyy Z\n",
                   "\"2023 CET\"", NULL,
                   "Could not parse timestamp: value (2023 CET) does not match pattern (yyyy "
                   "Z): Unparseable date: \"2023 CET\" (a time zone there must be an offset, "
                   "GMT or UTC: other zone names are not supported)");
    /* z formats, and only a string target formats: a string input then meets the refusal. */
    const char *zone = CONVERT_VALUE "transforms.t.target.type=string\ntransforms.t.format=yyyy z\n";
    expect_converted(zone, "0", NULL, "\"1970 UTC\"", NULL);
    ferry_record record = fixture_record("null", NULL, "\"1970 UTC\"", NULL);
    outcome out = apply(zone, &record);
    assert_int_equal(out.result, TRANSFORM_FAIL);
    assert_non_null(strstr(out.err, "does not match pattern (yyyy z): pattern letter 'z'"));
    free(out.topic);
    fixture_record_release(&record);
    /* JsonConverter cannot write a schemaless java.util.Date. */
    static const char *const logical[] = {"Date", "Time", "Timestamp"};
    for (size_t i = 0; i < 3; i++) {
        char lines[256];
        snprintf(lines, sizeof lines, CONVERT_VALUE "transforms.t.target.type=%s\n", logical[i]);
        expect_failed(lines, INSTANT, NULL,
                       "Java class class java.util.Date does not have corresponding schema "
                       "type.");
        expect_failed(lines, "{\"ts\":" INSTANT "}", NULL,
                       "TimestampConverter does not support class java.util.HashMap objects as "
                       "timestamps");
        expect_converted(lines, "null", NULL, "null", NULL);
    }
}

static void test_converter_schemaless_field(void **state)
{
    (void)state;
    const char *lines = CONVERT_VALUE "transforms.t.field= ts \ntransforms.t.target.type=string\n"
                                      "transforms.t.format=yyyy-MM-dd\n";
    expect_converted(lines, "{\"id\":1,\"ts\":" INSTANT ",\"z\":true}", NULL,
                 "{\"id\":1,\"ts\":\"2023-11-14\",\"z\":true}", NULL);
    /* An absent field is put in as null; a null stays null. */
    expect_converted(lines, "{\"id\":1}", NULL, "{\"id\":1,\"ts\":null}", NULL);
    expect_converted(lines, "{\"ts\":null}", NULL, "{\"ts\":null}", NULL);
    expect_converted(lines, "null", NULL, "null", NULL);
    expect_failed(lines, INSTANT, NULL,
                   "Only Map objects supported in absence of schema for [converting timestamp "
                   "formats], found: java.lang.Long");
    expect_failed(lines, "{\"ts\":2.5}", NULL,
                   "TimestampConverter does not support class java.lang.Double objects as "
                   "timestamps");
    expect_failed(CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=Date\n",
                   "{\"ts\":" INSTANT "}", NULL,
                   "Java class class java.util.Date does not have corresponding schema type.");
    expect_converted(CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=Date\n",
                 "{\"a\":1}", NULL, "{\"a\":1,\"ts\":null}", NULL);
}

/* ---- TimestampConverter: with a schema --------------------------------------------------- */

static void test_converter_whole_value_with_schema(void **state)
{
    (void)state;
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Date\n", INSTANT, INT64_SCHEMA,
                 "19675", DATE_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Time\n", INSTANT, INT64_SCHEMA,
                 "80000000", TIME_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", INSTANT, INT64_SCHEMA,
                 INSTANT, TIMESTAMP_SCHEMA);
    /* Calendar's floor before the epoch. */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Date\n", "-1", TIMESTAMP_SCHEMA, "-1",
                 DATE_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Time\n", "-1", TIMESTAMP_SCHEMA,
                 "86399999", TIME_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Time\n", "-9223372036854775808",
                     TIMESTAMP_SCHEMA, "60424192", TIME_SCHEMA);
    /* Date.fromLogical's (int) of the days, far out. */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Date\n", "9223372036854775807",
                 TIMESTAMP_SCHEMA, "-622191233", DATE_SCHEMA);
    /* Logical inputs are days and milliseconds of the day. */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", "19675", DATE_SCHEMA,
                 "1699920000000", TIMESTAMP_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=string\ntransforms.t.format=HH:mm:ss\n",
                 "80000000", TIME_SCHEMA, "\"22:13:20\"", STRING_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\n"
                               "transforms.t.unix.precision=seconds\n",
                 "-1", DATE_SCHEMA, "-86400", INT64_SCHEMA);
    /* Optional stays optional; name, doc and default go. */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\ntransforms.t.format=yyyy\n",
                 "\"2023\"",
                 "{\"type\":\"string\",\"optional\":true,\"name\":\"n\",\"doc\":\"d\","
                 "\"default\":\"1970\"}",
                 "1672531200000", OPTIONAL_TIMESTAMP_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\n", "5",
                 "{\"type\":\"int64\",\"optional\":true,\"name\":\"my.Millis\"}", "5",
                 "{\"type\":\"int64\",\"optional\":true}");
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\n", "5",
                   "{\"type\":\"int32\",\"optional\":false}",
                   "Schema Schema{INT32} does not correspond to a known timestamp type format");
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\n", "5",
                   "{\"type\":\"int32\",\"optional\":false,\"name\":\"my.Days\"}",
                   "Schema Schema{my.Days:INT32} does not correspond to a known timestamp type "
                   "format");
    /* The schema decides: a value of another shape is named as Java would hold it. */
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\n", "\"x\"", TIMESTAMP_SCHEMA,
                   "Expected Timestamp to be a java.util.Date, but found class java.lang.String");
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\n", "\"1\"", INT64_SCHEMA,
                   "Expected Unix timestamp to be a Long, but found class java.lang.String");
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\n", "{}", DATE_SCHEMA,
                   "Expected Date to be a java.util.Date, but found class java.util.HashMap");
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\n", "[]", TIME_SCHEMA,
                   "Expected Time to be a java.util.Date, but found class java.util.ArrayList");
    /* A real under an integer schema is its integer part, as JsonConverter reads it. */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=unix\n", "-1.5", INT64_SCHEMA, "-1",
                 INT64_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", "1.9", DATE_SCHEMA,
                 "86400000", TIMESTAMP_SCHEMA);
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", "1e300", TIME_SCHEMA,
                 "2147483647", TIMESTAMP_SCHEMA);
    /* An int32 beyond its range keeps its low 32 bits (Java's intValue()). */
    expect_converted(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", "4294967297",
                 DATE_SCHEMA, "86400000", TIMESTAMP_SCHEMA);
    expect_failed(CONVERT_VALUE "transforms.t.target.type=unix\ntransforms.t.format=yyyy\n",
                   "5", STRING_SCHEMA,
                   "Expected string timestamp to be a String, but found class java.lang.Long");
}

/* A null under a schema keeps the target's schema; a tombstone with no schema passes. */
static void test_converter_nulls_with_schema(void **state)
{
    (void)state;
    ferry_record record = fixture_record("null", NULL, "null", NULL);
    record.value.schema = json_loads("{\"type\":\"int64\",\"optional\":true}", 0, NULL);
    outcome out = apply(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_true(transform_data_is_null(&record.value));
    assert_json(record.value.schema, OPTIONAL_TIMESTAMP_SCHEMA);
    free(out.topic);
    fixture_record_release(&record);

    /* Java asks the schema first, so a null under the wrong one fails. */
    record = fixture_record("null", NULL, "null", NULL);
    record.value.schema = json_loads("{\"type\":\"boolean\",\"optional\":true}", 0, NULL);
    out = apply(CONVERT_VALUE "transforms.t.target.type=Timestamp\n", &record);
    assert_int_equal(out.result, TRANSFORM_FAIL);
    assert_non_null(strstr(out.err, "Schema Schema{BOOLEAN} does not correspond"));
    free(out.topic);
    fixture_record_release(&record);

    record = fixture_record("null", NULL, "null", NULL);
    out = apply_on(TRANSFORM_SIDE_SINK, CONVERT_VALUE "transforms.t.target.type=Timestamp\n",
                   &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_int_equal(record.value.kind, FERRY_DATA_NULL);
    assert_null(record.value.schema);
    free(out.topic);
    fixture_record_release(&record);
}

/* A plugin's text is a required STRING; a sink's StringConverter gives an optional one. */
static void test_converter_plugin_strings(void **state)
{
    (void)state;
    static const char text[] = "2023-11-14";
    const char *lines = CONVERT_VALUE "transforms.t.target.type=unix\n"
                                      "transforms.t.format=yyyy-MM-dd\n";
    for (int side = 0; side < 2; side++) {
        ferry_record record = {.topic = "t", .value = {.kind = FERRY_DATA_STRING, .data = text,
                                                       .len = sizeof text - 1}};
        outcome out = apply_on(side ? TRANSFORM_SIDE_SINK : TRANSFORM_SIDE_SOURCE, lines,
                               &record);
        assert_int_equal(out.result, TRANSFORM_KEEP);
        assert_json(record.value.json, "1699920000000");
        assert_json(record.value.schema, side ? "{\"type\":\"int64\",\"optional\":true}"
                                              : INT64_SCHEMA);
        assert_null(record.value.data);
        free(out.topic);
        fixture_record_release(&record);
    }
}

#define ROW_SCHEMA                                                                             \
    "{\"type\":\"struct\",\"name\":\"shop.Order\",\"version\":3,\"doc\":\"an order\","       \
    "\"parameters\":{\"p\":\"v\"},\"optional\":%s,\"fields\":["                               \
    "{\"field\":\"id\",\"type\":\"int32\",\"optional\":false},"                               \
    "{\"field\":\"ts\",\"type\":\"int64\",\"optional\":%s,\"doc\":\"when\"%s},"               \
    "{\"field\":\"note\",\"type\":\"string\",\"optional\":true,\"default\":\"none\"}]%s}"

static char *row_schema(const char *optional, const char *ts_optional, const char *ts_default,
                        const char *struct_default)
{
    char *text = malloc(1024);
    assert_non_null(text);
    snprintf(text, 1024, ROW_SCHEMA, optional, ts_optional, ts_default, struct_default);
    return text;
}

static void test_converter_field_with_schema(void **state)
{
    (void)state;
    const char *lines = CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=Timestamp\n";
    char *schema = row_schema("false", "false", "", "");
    const char *expected_schema =
        "{\"type\":\"struct\",\"name\":\"shop.Order\",\"version\":3,\"doc\":\"an order\","
        "\"parameters\":{\"p\":\"v\"},\"optional\":false,\"fields\":["
        "{\"field\":\"id\",\"type\":\"int32\",\"optional\":false},"
        "{\"field\":\"ts\",\"type\":\"int64\",\"optional\":false,"
        "\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1},"
        "{\"field\":\"note\",\"type\":\"string\",\"optional\":true,\"default\":\"none\"}]}";
    expect_converted(lines, "{\"id\":1,\"ts\":" INSTANT ",\"note\":\"n\"}", schema,
                 "{\"id\":1,\"ts\":" INSTANT ",\"note\":\"n\"}", expected_schema);
    /* Members come out in the schema's order; one the schema lacks is left out. */
    ferry_record record = fixture_record("null", NULL,
                                         "{\"note\":\"n\",\"extra\":0,\"ts\":5,\"id\":2}", schema);
    outcome out = apply(lines, &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    char *text = fixture_value_text(&record.value);
    assert_string_equal(text, "{\"id\":2,\"ts\":5,\"note\":\"n\"}");
    free(text);
    free(out.topic);
    fixture_record_release(&record);
    /* A required timestamp field cannot be null (Struct.put), a default notwithstanding. */
    expect_failed(lines, "{\"id\":1,\"ts\":null}", schema,
                   "Invalid value: null used for required field: \"ts\", schema type: INT64");
    expect_failed(CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=string\n"
                                 "transforms.t.format=yyyy\n",
                   "{\"id\":1}", schema,
                   "Invalid value: null used for required field: \"ts\", schema type: STRING");
    expect_failed(lines, "{\"ts\":1}", schema,
                   "Invalid value: null used for required field: \"id\", schema type: INT32");
    expect_failed(lines, INSTANT, schema,
                   "Only Struct objects supported for [converting timestamp formats], found: "
                   "java.lang.Long");
    free(schema);

    /* An optional struct and field stay optional; the field's doc goes. */
    schema = row_schema("true", "true", "", "");
    expect_converted(CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=string\n"
                               "transforms.t.format=yyyy-MM-dd\n",
                 "{\"id\":1,\"ts\":null}", schema,
                 "{\"id\":1,\"ts\":null,\"note\":\"none\"}",
                 "{\"type\":\"struct\",\"name\":\"shop.Order\",\"version\":3,\"doc\":\"an order\","
                 "\"parameters\":{\"p\":\"v\"},\"optional\":true,\"fields\":["
                 "{\"field\":\"id\",\"type\":\"int32\",\"optional\":false},"
                 "{\"field\":\"ts\",\"type\":\"string\",\"optional\":true},"
                 "{\"field\":\"note\",\"type\":\"string\",\"optional\":true,"
                 "\"default\":\"none\"}]}");
    free(schema);
}

static void test_converter_field_defaults(void **state)
{
    (void)state;
    char *schema = row_schema("false", "true", ",\"default\":86400000",
                              ",\"default\":{\"id\":0,\"ts\":0,\"note\":null}");
    const char *to_date = CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=Date\n";
    /* replace.null.with.default (true): a null takes its field's default, converted too. */
    ferry_record record = fixture_record("null", NULL, "{\"id\":1,\"ts\":null,\"note\":null}",
                                         schema);
    outcome out = apply(to_date, &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_json(record.value.json, "{\"id\":1,\"ts\":1,\"note\":\"none\"}");
    /* The struct's default is converted too, through the same defaults. */
    assert_json(json_object_get(record.value.schema, "default"),
                "{\"id\":0,\"ts\":0,\"note\":\"none\"}");
    assert_json(json_array_get(json_object_get(record.value.schema, "fields"), 1),
                "{\"field\":\"ts\",\"type\":\"int32\",\"optional\":true,"
                "\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1}");
    free(out.topic);
    fixture_record_release(&record);

    record = fixture_record("null", NULL, "{\"id\":1,\"ts\":null,\"note\":null}", schema);
    out = apply(CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=Date\n"
                              "transforms.t.replace.null.with.default=false\n",
                &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_json(record.value.json, "{\"id\":1,\"ts\":null,\"note\":null}");
    assert_json(json_object_get(record.value.schema, "default"),
                "{\"id\":0,\"ts\":0,\"note\":null}");
    free(out.topic);
    fixture_record_release(&record);

    /* A null struct keeps the rebuilt schema. */
    record = fixture_record("null", NULL, "null", NULL);
    record.value.schema = json_loads(schema, 0, NULL);
    out = apply(to_date, &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_true(transform_data_is_null(&record.value));
    assert_string_equal(json_string_value(json_object_get(record.value.schema, "name")),
                        "shop.Order");
    free(out.topic);
    fixture_record_release(&record);
    free(schema);
}

static void test_converter_field_odd_schemas(void **state)
{
    (void)state;
    /* A field the schema lacks: the struct is rebuilt and nothing converted. */
    char *schema = row_schema("false", "false", "", "");
    expect_converted(CONVERT_VALUE "transforms.t.field=missing\ntransforms.t.target.type=unix\n",
                 "{\"id\":1,\"ts\":2,\"note\":\"n\"}", schema,
                 "{\"id\":1,\"ts\":2,\"note\":\"n\"}", schema);
    /* The field's schema must be a timestamp's, even for a null. */
    expect_failed(CONVERT_VALUE "transforms.t.field=id\ntransforms.t.target.type=unix\n",
                   "{\"id\":null,\"ts\":2}", schema,
                   "Schema Schema{INT32} does not correspond to a known timestamp type format");
    free(schema);
    ferry_record record = fixture_record("null", NULL, "null", NULL);
    record.value.schema = json_loads(INT64_SCHEMA, 0, NULL);
    outcome out = apply(CONVERT_VALUE "transforms.t.field=ts\ntransforms.t.target.type=unix\n",
                        &record);
    assert_int_equal(out.result, TRANSFORM_FAIL);
    assert_non_null(strstr(out.err, "): Cannot list fields on non-struct type"));
    free(out.topic);
    fixture_record_release(&record);
}

/* Equal input schemas get the very same output schema, as Kafka's cache gives. */
static void test_converter_caches_schemas(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(CONVERT_VALUE "transforms.t.field=ts\n"
                                                            "transforms.t.target.type=Date\n");
    char *schema = row_schema("false", "false", "", "");
    json_t *outputs[3] = {0};
    for (size_t i = 0; i < 3; i++) {
        ferry_record record = fixture_record("null", NULL, "{\"id\":1,\"ts\":0}", schema);
        char err[512] = "";
        assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                         TRANSFORM_KEEP);
        outputs[i] = json_incref(record.value.schema);
        fixture_record_release(&record);
    }
    assert_ptr_equal(outputs[0], outputs[1]);
    assert_ptr_equal(outputs[1], outputs[2]);
    for (size_t i = 0; i < 3; i++)
        json_decref(outputs[i]);
    free(schema);
    transform_chain_destroy(chain);
}

static void test_converter_key(void **state)
{
    (void)state;
    ferry_record record = fixture_record("{\"ts\":" INSTANT "}", NULL, "{\"ts\":1}", NULL);
    outcome out = apply(CONVERT_KEY "transforms.t.field=ts\ntransforms.t.target.type=string\n"
                                    "transforms.t.format=yyyy\n",
                        &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_json(record.key.json, "{\"ts\":\"2023\"}");
    assert_json(record.value.json, "{\"ts\":1}");
    free(out.topic);
    fixture_record_release(&record);

    record = fixture_record(INSTANT, INT64_SCHEMA, "7", NULL);
    out = apply(CONVERT_KEY "transforms.t.target.type=Date\n", &record);
    assert_int_equal(out.result, TRANSFORM_KEEP);
    assert_json(record.key.json, "19675");
    assert_json(record.key.schema, DATE_SCHEMA);
    assert_json(record.value.json, "7");
    free(out.topic);
    fixture_record_release(&record);
}

static void test_converter_refuses_bad_configs(void **state)
{
    (void)state;
    fixture_expect_invalid(CONVERT_VALUE, "transforms.t.target.type",
                           "Missing required configuration");
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=date\n",
                           "transforms.t.target.type",
                           "Invalid value date for configuration target.type: String must be "
                           "one of: string, unix, Date, Time, Timestamp");
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=unix\n"
                                         "transforms.t.unix.precision=Seconds\n",
                           "transforms.t.unix.precision",
                           "Invalid value Seconds for configuration unix.precision: String must "
                           "be one of: nanoseconds, microseconds, milliseconds, seconds");
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=string\n",
                           "transforms.t.format",
                           "Invalid value  for configuration format: TimestampConverter "
                           "requires format option to be specified when using string "
                           "timestamps");
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=string\n"
                                         "transforms.t.format=   \n",
                           "transforms.t.format", "requires format option");
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=string\n"
                                         "transforms.t.format=yyyy-MM-ddTHH\n",
                           "transforms.t.format",
                           "Invalid value yyyy-MM-ddTHH for configuration format: "
                           "TimestampConverter requires a SimpleDateFormat-compatible pattern "
                           "for string timestamps: yyyy-MM-ddTHH (Illegal pattern character "
                           "'T')");
    /* A format only ever parsed must be one ferry can parse. */
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=unix\n"
                                         "transforms.t.format=yyyy z\n",
                           "transforms.t.format", "(pattern letter 'z' (time zone name) is not supported for parsing");
    fixture_expect_invalid(CONVERT_VALUE "transforms.t.target.type=unix\n"
                                         "transforms.t.replace.null.with.default=maybe\n",
                           "transforms.t.replace.null.with.default", "maybe");
    /* Trimmed as Kafka trims. */
    transform_chain *chain = fixture_chain_of(CONVERT_VALUE "transforms.t.target.type= Date \n"
                                                            "transforms.t.unix.precision= seconds\n");
    transform_chain_destroy(chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_are_listed_in_class_order),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_regex_router_routes),
        cmocka_unit_test(test_regex_router_refuses_bad_configs),
        cmocka_unit_test(test_regex_router_odd_topics),
        cmocka_unit_test(test_regex_router_many_topics),
        cmocka_unit_test(test_timestamp_router_routes),
        cmocka_unit_test(test_timestamp_router_needs_a_timestamp),
        cmocka_unit_test(test_timestamp_router_refuses_bad_formats),
        cmocka_unit_test(test_converter_schemaless_whole_value),
        cmocka_unit_test(test_converter_unix_precision),
        cmocka_unit_test(test_converter_schemaless_errors),
        cmocka_unit_test(test_converter_schemaless_field),
        cmocka_unit_test(test_converter_whole_value_with_schema),
        cmocka_unit_test(test_converter_nulls_with_schema),
        cmocka_unit_test(test_converter_plugin_strings),
        cmocka_unit_test(test_converter_field_with_schema),
        cmocka_unit_test(test_converter_field_defaults),
        cmocka_unit_test(test_converter_field_odd_schemas),
        cmocka_unit_test(test_converter_caches_schemas),
        cmocka_unit_test(test_converter_key),
        cmocka_unit_test(test_converter_refuses_bad_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
