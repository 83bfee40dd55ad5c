/* RegexRouter and TimestampRouter: every key, Kafka's error texts, and the configs refused at
 * validation. The expected values are what Kafka 3.9's classes give for the same records. */
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
        found += strstr(class_name, "Router") != NULL;
    }
    assert_int_equal(found, 2);
    static const char *const names[][2] = {
        {"RegexRouter", "org.apache.kafka.connect.transforms.RegexRouter"},
        {"TimestampRouter", "org.apache.kafka.connect.transforms.TimestampRouter"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_are_listed_in_class_order),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_regex_router_routes),
        cmocka_unit_test(test_regex_router_refuses_bad_configs),
        cmocka_unit_test(test_regex_router_odd_topics),
        cmocka_unit_test(test_timestamp_router_routes),
        cmocka_unit_test(test_timestamp_router_needs_a_timestamp),
        cmocka_unit_test(test_timestamp_router_refuses_bad_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
