/*
 * test_connector_config.c - the keys every connector has: Kafka's FileStreamSource and
 * FileStreamSink example configs, required keys and bounds, the sink rules with Kafka Connect's
 * messages (topics / topics.regex, the DLQ topic), the name's rules (one error each, at most
 * CONNECTOR_NAME_MAX bytes), transforms aliases, unknown keys and known prefixes, and how a
 * connector's converters are chosen between its config and the worker's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/properties.h"
#include "config/connector_config.h"

/* What the file connectors declare, enough to validate Kafka's example configs. */
static const ferry_config_key file_source_keys[] = {
    {.name = "file", .type = FERRY_CONFIG_STRING},
    {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "2000", .has_min = true,
     .min = 1},
    {.name = NULL},
};

static const ferry_config_key file_sink_keys[] = {
    {.name = "file", .type = FERRY_CONFIG_STRING},
    {.name = NULL},
};

static config_map *map_from(const char *text)
{
    char err[256];
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(properties_parse(text, strlen(text), map, err, sizeof(err)), 0);
    return map;
}

static void assert_error(const config_errors *errors, size_t index, const char *key,
                         const char *message)
{
    assert_true(index < config_errors_count(errors));
    assert_string_equal(config_errors_key_at(errors, index), key);
    assert_string_equal(config_errors_message_at(errors, index), message);
}

/* Validates text as a connector of kind; returns the problem count, errors and unknown filled. */
static size_t check(const char *text, ferry_connector_kind kind, const ferry_config_key *plugin,
                    config_errors *errors, config_map *unknown)
{
    config_map *values = map_from(text);
    size_t problems = connector_config_validate(values, kind, plugin, errors, unknown);
    assert_int_equal(problems, config_errors_count(errors));
    config_map_destroy(values);
    return problems;
}

#define SINK_BASE "name=sink\nconnector.class=FileStreamSink\nfile=/tmp/out.txt\n"

static void test_file_source_from_kafka_docs(void **state)
{
    (void)state;
    char err[256];
    char *path = NULL;
    assert_true(asprintf(&path, "%s/connect-file-source.properties",
                         getenv("FERRY_TEST_DATA")) > 0);
    config_map *values = config_map_new();
    assert_int_equal(properties_parse_file(path, values, err, sizeof(err)), 0);
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    assert_int_equal(connector_config_validate(values, FERRY_CONNECTOR_SOURCE, file_source_keys,
                                               errors, unknown),
                     0);
    assert_int_equal(config_errors_count(errors), 0);
    assert_int_equal(config_map_count(unknown), 0);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
    config_map_destroy(values);
    free(path);
}

static void test_file_sink_from_kafka_docs(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    assert_int_equal(check("name=local-file-sink\n"
                           "connector.class=FileStreamSink\n"
                           "tasks.max=1\n"
                           "file=test.sink.txt\n"
                           "topics=connect-test\n",
                           FERRY_CONNECTOR_SINK, file_sink_keys, errors, unknown),
                     0);
    assert_int_equal(config_map_count(unknown), 0);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
}

static void test_definitions(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    size_t count = 0;
    for (const ferry_config_key *def = connector_config_common_keys; def->name; def++, count++) {
        assert_non_null(def->documentation);
        if (def->default_value)
            assert_int_equal(config_value_check(def, def->default_value, errors), 0);
    }
    assert_int_equal(count, 15);
    count = 0;
    for (const ferry_config_key *def = connector_config_sink_keys; def->name; def++, count++) {
        assert_non_null(def->documentation);
        if (def->default_value)
            assert_int_equal(config_value_check(def, def->default_value, errors), 0);
    }
    assert_int_equal(count, 5);
    count = 0;
    for (const ferry_config_key *def = connector_config_source_keys; def->name; def++, count++) {
        assert_non_null(def->documentation);
        if (def->default_value)
            assert_int_equal(config_value_check(def, def->default_value, errors), 0);
    }
    assert_int_equal(count, 8);
    assert_int_equal(config_errors_count(errors), 0);
    /* Kafka Connect 3.9's keys and order: ConnectorConfig (15), then SourceConnectorConfig's
     * (5) or SinkConnectorConfig's (5). With FileStreamSource's three, 23 keys. */
    static const char *const common[] = {
        "name", "connector.class", "tasks.max", "tasks.max.enforce", "key.converter",
        "value.converter", "header.converter", "transforms", "predicates",
        "config.action.reload", "errors.retry.timeout", "errors.retry.delay.max.ms",
        "errors.tolerance", "errors.log.enable", "errors.log.include.messages"};
    static const char *const source[] = {"topic.creation.groups", "exactly.once.support",
                                         "transaction.boundary",
                                         "transaction.boundary.interval.ms",
                                         "offsets.storage.topic"};
    static const char *const sink[] = {"topics", "topics.regex",
                                       "errors.deadletterqueue.topic.name",
                                       "errors.deadletterqueue.topic.replication.factor",
                                       "errors.deadletterqueue.context.headers.enable"};
    for (size_t i = 0; i < 15; i++)
        assert_string_equal(connector_config_common_keys[i].name, common[i]);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(connector_config_source_keys[i].name, source[i]);
        assert_string_equal(connector_config_sink_keys[i].name, sink[i]);
    }
    /* Kafka Connect's order and width of its keys; a plugin's key has none. */
    int order = 0;
    const char *width = NULL;
    assert_true(connector_config_key_layout(&connector_config_common_keys[7], &order, &width));
    assert_int_equal(order, 8); /* transforms: the Common group's count goes on */
    assert_string_equal(width, "LONG");
    assert_true(connector_config_key_layout(&connector_config_common_keys[12], &order, &width));
    assert_int_equal(order, 3); /* errors.tolerance */
    assert_string_equal(width, "SHORT");
    assert_true(connector_config_key_layout(&connector_config_source_keys[4], &order, &width));
    assert_int_equal(order, 1); /* offsets.storage.topic */
    const ferry_config_key own = {.name = "tasks.max", .type = FERRY_CONFIG_INT};
    assert_false(connector_config_key_layout(&own, &order, &width));
    config_errors_destroy(errors);
}

/* A config and exactly the problems its validation reports, in order. */
typedef struct validation_case {
    const char *what;
    const char *text;
    ferry_connector_kind kind;
    size_t count;
    struct {
        const char *key;
        const char *message;
    } errors[6];
} validation_case;

#define SOURCE_BASE "name=s\nconnector.class=FileStreamSource\ntopic=t\n"
#define MISSING(key) "Missing required configuration \"" key "\" which has no default value."
#define BOTH_TOPICS "topics and topics.regex are mutually exclusive options, but both are set."
#define NO_TOPICS "Must configure one of topics or topics.regex"

static const validation_case validation_cases[] = {
    {"required keys missing", "topic=t\n", FERRY_CONNECTOR_SOURCE, 2,
     {{"name", MISSING("name")}, {"connector.class", MISSING("connector.class")}}},
    {"a blank name", "name=\nconnector.class=FileStreamSource\ntopic=t\n",
     FERRY_CONNECTOR_SOURCE, 1,
     {{"name", "Invalid value '' for configuration name: a non-blank value is required"}}},
    {"a control character in the name",
     "name=a\\u0007b\nconnector.class=FileStreamSource\ntopic=t\n", FERRY_CONNECTOR_SOURCE, 1,
     {{"name", "Invalid value for configuration name: String may not contain control "
               "sequences"}}},
    {"bounds and values of the common keys",
     SOURCE_BASE "tasks.max=0\nerrors.tolerance=some\nerrors.retry.timeout=-2\n"
                 "errors.retry.delay.max.ms=0\nerrors.log.enable=yes\n"
                 "errors.deadletterqueue.topic.replication.factor=0\n",
     FERRY_CONNECTOR_SOURCE, 6,
     {{"tasks.max", "Invalid value '0' for configuration tasks.max: expected an integer "
                    "between 1 and 2147483647"},
      {"errors.retry.timeout", "Invalid value '-2' for configuration errors.retry.timeout: "
                               "expected an integer between -1 and 9223372036854775807"},
      {"errors.retry.delay.max.ms", "Invalid value '0' for configuration "
                                    "errors.retry.delay.max.ms: expected an integer between 1 "
                                    "and 9223372036854775807"},
      {"errors.tolerance", "Invalid value 'some' for configuration errors.tolerance: expected "
                           "one of: none, all"},
      {"errors.log.enable", "Invalid value 'yes' for configuration errors.log.enable: expected "
                            "true or false"},
      {"errors.deadletterqueue.topic.replication.factor",
       "Invalid value '0' for configuration errors.deadletterqueue.topic.replication.factor: "
       "expected -1 (the broker's default) or an integer between 1 and 32767"}}},
    {"a sink without topics", SINK_BASE, FERRY_CONNECTOR_SINK, 2,
     {{"topics", NO_TOPICS}, {"topics.regex", NO_TOPICS}}},
    /* Blank values count as unset, as Kafka's Utils.isBlank. */
    {"a sink with blank topics", SINK_BASE "topics= \ntopics.regex=\n", FERRY_CONNECTOR_SINK, 2,
     {{"topics", NO_TOPICS}, {"topics.regex", NO_TOPICS}}},
    {"a sink with topics and topics.regex", SINK_BASE "topics=a\ntopics.regex=a.*\n",
     FERRY_CONNECTOR_SINK, 2, {{"topics", BOTH_TOPICS}, {"topics.regex", BOTH_TOPICS}}},
    {"a sink with topics.regex", SINK_BASE "topics.regex=orders-.*\n", FERRY_CONNECTOR_SINK, 0,
     {{0}}},
    {"a source has no topics rule", SOURCE_BASE, FERRY_CONNECTOR_SOURCE, 0, {{0}}},
    {"the DLQ topic among the topics",
     SINK_BASE "topics=orders, orders-dlq\nerrors.deadletterqueue.topic.name= orders-dlq \n",
     FERRY_CONNECTOR_SINK, 1,
     {{"topics", "The DLQ topic 'orders-dlq' may not be included in the list of topics "
                 "('topics=[orders, orders-dlq]') consumed by the connector"}}},
    {"the DLQ topic matched by topics.regex",
     SINK_BASE "topics.regex=orders.*\nerrors.deadletterqueue.topic.name=orders-dlq\n",
     FERRY_CONNECTOR_SINK, 1,
     {{"topics.regex", "The DLQ topic 'orders-dlq' may not be included in the regex matching "
                       "the topics ('topics.regex=orders.*') consumed by the connector"}}},
    /* The regex must match the whole name, as Java's Matcher.matches(). */
    {"the DLQ topic matched by a part of topics.regex only",
     SINK_BASE "topics.regex=orders|payments\nerrors.deadletterqueue.topic.name=orders-dlq\n"
               "errors.tolerance=all\n",
     FERRY_CONNECTOR_SINK, 0, {{0}}},
    {"every DLQ key", SINK_BASE "topics=orders\nerrors.deadletterqueue.topic.name=orders-dlq\n"
                                "errors.deadletterqueue.topic.replication.factor=-1\n"
                                "errors.deadletterqueue.context.headers.enable=true\n",
     FERRY_CONNECTOR_SINK, 0, {{0}}},
    {"transform and predicate aliases",
     SOURCE_BASE "transforms=a, b, a\n"
                 "transforms.a.type=io.debezium.transforms.ExtractNewRecordState\n"
                 "predicates=isFoo\n",
     FERRY_CONNECTOR_SOURCE, 3,
     {{"transforms", "Invalid value 'a, b, a' for configuration transforms: Duplicate alias "
                     "provided."},
      {"transforms.b.type", MISSING("transforms.b.type")},
      {"predicates.isFoo.type", MISSING("predicates.isFoo.type")}}},
};

static void test_validation_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(validation_cases) / sizeof(validation_cases[0]); i++) {
        const validation_case *c = &validation_cases[i];
        config_errors *errors = config_errors_new();
        const ferry_config_key *plugin =
            c->kind == FERRY_CONNECTOR_SINK ? file_sink_keys : file_source_keys;
        size_t problems = check(c->text, c->kind, plugin, errors, NULL);
        if (problems != c->count)
            fail_msg("%s: %zu problems, expected %zu (first: %s)", c->what, problems, c->count,
                     problems ? config_errors_message_at(errors, 0) : "none");
        for (size_t e = 0; e < c->count; e++) {
            if (strcmp(config_errors_key_at(errors, e), c->errors[e].key) != 0 ||
                strcmp(config_errors_message_at(errors, e), c->errors[e].message) != 0)
                fail_msg("%s: problem %zu is '%s: %s', expected '%s: %s'", c->what, e,
                         config_errors_key_at(errors, e), config_errors_message_at(errors, e),
                         c->errors[e].key, c->errors[e].message);
        }
        config_errors_destroy(errors);
    }
}

/* Validates a source config with the given name: no problem when message is NULL, else
 * exactly one, on name, with that message. */
static void expect_name(const char *name, const char *message)
{
    config_map *values = map_from("connector.class=FileStreamSource\ntopic=t\n");
    assert_int_equal(config_map_set(values, "name", name), 0);
    config_errors *errors = config_errors_new();
    size_t problems = connector_config_validate(values, FERRY_CONNECTOR_SOURCE, file_source_keys,
                                                errors, NULL);
    assert_int_equal(problems, config_errors_count(errors));
    assert_int_equal(problems, message ? 1 : 0);
    if (message)
        assert_error(errors, 0, "name", message);
    config_errors_destroy(errors);
    config_map_destroy(values);
}

/* A name is refused once, whatever is wrong with it; the longest a REST path can carry. */
static void test_name_rules(void **state)
{
    (void)state;
    char name[8001];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    name[CONNECTOR_NAME_MAX] = '\0';
    expect_name(name, NULL);
    name[CONNECTOR_NAME_MAX] = 'n';
    name[CONNECTOR_NAME_MAX + 1] = '\0';
    expect_name(name, "Invalid value for configuration name: the name is 1001 bytes long; the "
                      "limit is 1000 bytes (UTF-8)");
    name[CONNECTOR_NAME_MAX + 1] = 'n';
    /* With a control character too: one error, the length's. */
    name[4000] = '\a';
    expect_name(name, "Invalid value for configuration name: the name is 8000 bytes long; the "
                      "limit is 1000 bytes (UTF-8)");
    /* Blank and a control character at once: the blank name's one error. */
    expect_name("\t", "Invalid value '\t' for configuration name: a non-blank value is "
                      "required");
    expect_name("a\ab", "Invalid value for configuration name: String may not contain control "
                        "sequences");
}

static void test_sink_bad_regex(void **state)
{
    (void)state;
    char expected[512];
    char why[256];
    regex_t regex;
    int rc = regcomp(&regex, "orders-(", REG_EXTENDED | REG_NOSUB);
    assert_int_not_equal(rc, 0);
    regerror(rc, &regex, why, sizeof(why));
    snprintf(expected, sizeof(expected),
             "Invalid value 'orders-(' for configuration topics.regex: not a valid regular "
             "expression: %s",
             why);

    config_errors *errors = config_errors_new();
    assert_int_equal(check(SINK_BASE "topics.regex=orders-(\n"
                                     "errors.deadletterqueue.topic.name=orders-dlq\n",
                           FERRY_CONNECTOR_SINK, file_sink_keys, errors, NULL),
                     1);
    assert_error(errors, 0, "topics.regex", expected);
    config_errors_destroy(errors);
}

static void test_unknown_and_known_prefixes(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    assert_int_equal(check(SINK_BASE "topics=t\n"
                                     "producer.override.acks=1\n"
                                     "consumer.override.max.poll.records=10\n"
                                     "admin.override.request.timeout.ms=100\n"
                                     "transforms=unwrap\n"
                                     "transforms.unwrap.type=io.debezium.transforms."
                                     "ExtractNewRecordState\n"
                                     "transforms.unwrap.drop.tombstones=false\n"
                                     "predicates=\n"
                                     "key.converter=org.apache.kafka.connect.json.JsonConverter\n"
                                     "key.converter.schemas.enable=false\n"
                                     "value.converter.schemas.enable=false\n"
                                     "header.converter.x=y\n"
                                     "topic.creation.default.partitions=3\n"
                                     "flie=/tmp/typo.txt\n"
                                     "exactly.once.support=required\n",
                           FERRY_CONNECTOR_SINK, file_sink_keys, errors, unknown),
                     0);
    assert_int_equal(config_map_count(unknown), 2);
    assert_string_equal(config_map_key_at(unknown, 0), "flie");
    assert_string_equal(config_map_value_at(unknown, 0), "/tmp/typo.txt");
    assert_string_equal(config_map_key_at(unknown, 1), "exactly.once.support");
    config_errors_destroy(errors);
    config_map_destroy(unknown);

    /* ferry sends failed source records to a DLQ too: its keys are known for sources. */
    errors = config_errors_new();
    unknown = config_map_new();
    assert_int_equal(check("name=s\nconnector.class=FileStreamSource\ntopic=t\n"
                           "errors.tolerance=all\n"
                           "errors.deadletterqueue.topic.name=dlq\n"
                           "errors.deadletterqueue.context.headers.enable=true\n",
                           FERRY_CONNECTOR_SOURCE, file_source_keys, errors, unknown),
                     0);
    assert_int_equal(config_map_count(unknown), 0);
    /* Without a plugin definition, the plugin's keys are unknown. */
    assert_int_equal(check("name=s\nconnector.class=FileStreamSource\ntopic=t\n",
                           FERRY_CONNECTOR_SOURCE, NULL, errors, unknown),
                     0);
    assert_int_equal(config_map_count(unknown), 1);
    assert_string_equal(config_map_key_at(unknown, 0), "topic");
    config_errors_destroy(errors);
    config_map_destroy(unknown);
}

static void test_converter_selection(void **state)
{
    (void)state;
    const char *json = "org.apache.kafka.connect.json.JsonConverter";
    const char *class_name = NULL;
    config_map *worker = map_from("value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                                  "value.converter.schemas.enable=false\n"
                                  "value.converter.decimal.format=NUMERIC\n"
                                  "value.converterx=not-a-setting\n"
                                  "key.converter.schemas.enable=false\n");

    /* The connector chooses: its own settings only, none of the worker's. */
    config_map *connector =
        map_from("value.converter=org.apache.kafka.connect.storage.StringConverter\n"
                 "value.converter.encoding=UTF-8\n");
    config_map *settings =
        connector_config_converter(connector, worker, "value.converter", json, &class_name);
    assert_non_null(settings);
    assert_string_equal(class_name, "org.apache.kafka.connect.storage.StringConverter");
    assert_ptr_equal(class_name, config_map_get(connector, "value.converter"));
    assert_int_equal(config_map_count(settings), 1);
    assert_string_equal(config_map_get(settings, "encoding"), "UTF-8");
    config_map_destroy(settings);
    config_map_destroy(connector);

    /* The worker chooses: the worker's settings, even when the connector sets some of its own
     * (Kafka Connect ignores them too). */
    connector = map_from("value.converter.schemas.enable=true\n");
    settings = connector_config_converter(connector, worker, "value.converter", json, &class_name);
    assert_non_null(settings);
    assert_ptr_equal(class_name, config_map_get(worker, "value.converter"));
    assert_int_equal(config_map_count(settings), 2);
    assert_string_equal(config_map_key_at(settings, 0), "schemas.enable");
    assert_string_equal(config_map_value_at(settings, 0), "false");
    assert_string_equal(config_map_get(settings, "decimal.format"), "NUMERIC");
    config_map_destroy(settings);

    /* Neither sets a class: the worker's default, with the worker's settings. */
    settings = connector_config_converter(connector, worker, "key.converter", json, &class_name);
    assert_non_null(settings);
    assert_ptr_equal(class_name, json);
    assert_int_equal(config_map_count(settings), 1);
    assert_string_equal(config_map_get(settings, "schemas.enable"), "false");
    config_map_destroy(settings);
    config_map_destroy(connector);

    /* A blank class in the connector does not choose. */
    connector = map_from("key.converter= \nkey.converter.schemas.enable=true\n");
    settings = connector_config_converter(connector, worker, "key.converter", json, &class_name);
    assert_non_null(settings);
    assert_ptr_equal(class_name, json);
    assert_string_equal(config_map_get(settings, "schemas.enable"), "false");
    config_map_destroy(settings);
    config_map_destroy(connector);

    config_map_destroy(worker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_source_from_kafka_docs),
        cmocka_unit_test(test_file_sink_from_kafka_docs),
        cmocka_unit_test(test_definitions),
        cmocka_unit_test(test_validation_table),
        cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_sink_bad_regex),
        cmocka_unit_test(test_unknown_and_known_prefixes),
        cmocka_unit_test(test_converter_selection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
