/* The transform chain: validation by full key, the lazy parse, and predicates (TopicNameMatches,
 * HasHeaderKey, RecordIsTombstone) with and without negate, on Debezium's ExtractNewRecordState
 * (whose own behaviour test_transforms_debezium.c covers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "transforms/transform_chain.h"
#include "transform_fixture.h"

/* A Debezium change event for a table (id int4, name text) with its Connect schema. */
static const char *const row_schema_text =
    "{\"type\":\"struct\",\"optional\":true,\"name\":\"srv.public.t.Value\",\"fields\":["
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}]";

static json_t *envelope_schema(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"type\":\"struct\",\"name\":\"srv.public.t.Envelope\",\"optional\":false,"
             "\"fields\":[%s,\"field\":\"before\"},%s,\"field\":\"after\"},"
             "{\"type\":\"struct\",\"optional\":false,\"field\":\"source\",\"fields\":["
             "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"
             "{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"
             "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}]},"
             "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
             "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}]}",
             row_schema_text, row_schema_text);
    json_t *schema = json_loads(text, 0, NULL);
    assert_non_null(schema);
    return schema;
}

/* A record owning its references, as the sink's converter hands it over. */
static ferry_record event(const char *op, const char *before, const char *after, bool schema)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"before\":%s,\"after\":%s,\"source\":{\"table\":\"t\",\"lsn\":1234,"
             "\"ts_ms\":1700000000000},\"op\":\"%s\",\"ts_ms\":1700000000001}",
             before, after, op);
    json_t *value = json_loads(text, 0, NULL);
    assert_non_null(value);
    return (ferry_record){.topic = "srv.public.t",
                          .value = {.kind = FERRY_DATA_JSON, .json = value,
                                    .schema = schema ? envelope_schema() : NULL}};
}

static void record_release(ferry_record *record)
{
    json_decref(record->value.json);
    json_decref(record->value.schema);
    json_decref(record->key.json);
    json_decref(record->key.schema);
}

#define UNWRAP "transforms=unwrap\ntransforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"

static void test_validation_names_the_full_key(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    config_map_set(config, "transforms", "unwrap,other,filtered");
    config_map_set(config, "transforms.unwrap.type", "ExtractNewRecordState");
    config_map_set(config, "transforms.unwrap.delete.tombstone.handling.mode", "explode");
    config_map_set(config, "transforms.unwrap.drop.fields.from.key", "maybe");
    config_map_set(config, "transforms.other.type", "org.apache.kafka.connect.transforms.Nope");
    config_map_set(config, "transforms.filtered.type", "ExtractNewRecordState");
    config_map_set(config, "transforms.filtered.predicate", "isTombstone");
    config_errors *errors = config_errors_new();
    assert_int_equal(transform_chain_validate(config, errors), 4);
    const char *expected[] = {"transforms.unwrap.delete.tombstone.handling.mode",
                              "transforms.unwrap.drop.fields.from.key", "transforms.other.type",
                              "transforms.filtered.predicate"};
    for (size_t i = 0; i < 4; i++) {
        bool found = false;
        for (size_t e = 0; e < config_errors_count(errors); e++)
            found = found || strcmp(config_errors_key_at(errors, e), expected[i]) == 0;
        if (!found)
            fail_msg("no error for %s", expected[i]);
    }
    char *text = config_errors_to_string(errors);
    assert_non_null(strstr(text, "explode"));
    assert_non_null(strstr(text, "org.apache.kafka.connect.transforms.Nope"));
    free(text);
    config_errors_destroy(errors);
    config_map_destroy(config);
}

static void test_no_transforms_no_chain(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    transform_chain *chain = (transform_chain *)1;
    char err[128];
    assert_int_equal(transform_chain_create(config, "task:x-0", TRANSFORM_SIDE_SOURCE, &chain, err,
                                            sizeof err), 0);
    assert_null(chain);
    config_map_destroy(config);
}

/* A sink's JsonConverter in text mode hands checked text without a tree: the first transform
 * that reads it parses it (ByLogicalTableRouter reads the key), one that needs only a schema
 * (ExtractNewRecordState: no schema, no change event) never does, and the chain says before any
 * record what its transforms will read. */
static void test_checked_text_is_parsed_on_demand(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_on(TRANSFORM_SIDE_SINK, UNWRAP);
    assert_int_equal(transform_chain_needs(chain) & TRANSFORM_NEEDS_VALUE, TRANSFORM_NEEDS_VALUE);
    const char *text = "{\"before\":null,\"after\":{\"id\":7},\"op\":\"c\"}";
    ferry_record record = {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .data = text,
                                                   .len = strlen(text)}};
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_null(record.value.json);
    assert_ptr_equal(record.value.data, text);
    transform_chain_destroy(chain);

    chain = fixture_chain_on(TRANSFORM_SIDE_SINK,
                             "transforms=route\ntransforms.route.type=io.debezium.transforms."
                             "ByLogicalTableRouter\ntransforms.route.topic.regex=t\n"
                             "transforms.route.topic.replacement=all\n");
    assert_int_equal(transform_chain_needs(chain) & TRANSFORM_NEEDS_KEY, TRANSFORM_NEEDS_KEY);
    const char *key = "{\"id\":7}";
    record = (ferry_record){.topic = "t", .key = {.kind = FERRY_DATA_JSON, .data = key,
                                                  .len = strlen(key)}};
    char err[512] = "";
    const char *failed = NULL;
    /* Parsed, it is a map, which the router refuses: only a Struct key can be extended. */
    assert_int_equal(transform_chain_apply(chain, &record, &failed, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(record.key.json);
    assert_non_null(strstr(err, "found: java.util.HashMap"));
    record_release(&record);

    const char *broken = "{\"id\":99999999999999999999999}";
    record = (ferry_record){.topic = "t", .partition = 2, .kafka_offset = 40,
                            .key = {.kind = FERRY_DATA_JSON, .data = broken,
                                    .len = strlen(broken)}};
    assert_int_equal(transform_chain_apply(chain, &record, &failed, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_string_equal(failed, "io.debezium.transforms.ByLogicalTableRouter");
    assert_non_null(strstr(err, "transform route (ByLogicalTableRouter): the value's JSON"));
    record_release(&record);
    transform_chain_destroy(chain);

    transform_chain *headers = fixture_chain_of("transforms=unwrap\ntransforms.unwrap.type="
                                        "ExtractNewRecordState\ntransforms.unwrap.predicate=h\n"
                                        "predicates=h\npredicates.h.type=HasHeaderKey\n"
                                        "predicates.h.name=x\n");
    assert_int_equal(transform_chain_needs(headers) & TRANSFORM_NEEDS_HEADERS,
                     TRANSFORM_NEEDS_HEADERS);
    transform_chain_destroy(headers);
    assert_int_equal(transform_chain_needs(NULL), 0);
}

/* ---- predicates ---------------------------------------------------------------------------- */

/* The number of problems of a config given as "key=value" lines, and whether one is on key with
 * a message containing text. */
static size_t problems_of(const char *lines, const char *key, const char *text)
{
    config_map *config = fixture_config_of(lines);
    config_errors *errors = config_errors_new();
    size_t problems = transform_chain_validate(config, errors);
    if (key) {
        bool found = false;
        for (size_t e = 0; e < config_errors_count(errors); e++)
            found = found || (strcmp(config_errors_key_at(errors, e), key) == 0 &&
                              strstr(config_errors_message_at(errors, e), text) != NULL);
        if (!found) {
            char *all = config_errors_to_string(errors);
            fail_msg("no error on %s containing \"%s\"; errors: %s", key, text, all);
        }
    }
    config_errors_destroy(errors);
    config_map_destroy(config);
    return problems;
}

static void test_predicate_configs_refused_by_key(void **state)
{
    (void)state;
    /* A predicate that is not defined in `predicates`. */
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.predicate=tomb\n",
                                 "transforms.unwrap.predicate", "no predicate 'tomb'"), 1);
    /* negate without a predicate: Kafka Connect's message. */
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.negate=true\n",
                                 "transforms.unwrap.negate",
                                 "Config 'transforms.unwrap.negate' was provided but there is no "
                                 "config 'transforms.unwrap.predicate' defining a predicate to "
                                 "be negated."), 1);
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.predicate=tomb\n"
                                        "transforms.unwrap.negate=maybe\npredicates=tomb\n"
                                        "predicates.tomb.type=RecordIsTombstone\n",
                                 "transforms.unwrap.negate", "either true or false"), 1);
    /* An unknown predicate type, by its class name. */
    assert_int_equal(problems_of("predicates=p\npredicates.p.type=com.example.Nope\n",
                                 "predicates.p.type", "Class com.example.Nope could not be "
                                 "found"), 1);
    /* A predicate's own keys: HasHeaderKey needs a name, TopicNameMatches a regex that
     * compiles. */
    assert_int_equal(problems_of("predicates=h\npredicates.h.type=org.apache.kafka.connect."
                                 "transforms.predicates.HasHeaderKey\n",
                                 "predicates.h.name", ""), 1);
    assert_int_equal(problems_of("predicates=t\npredicates.t.type=TopicNameMatches\n"
                                 "predicates.t.pattern=orders(\n",
                                 "predicates.t.pattern", "Invalid regex"), 1);
    /* All well: no problem. */
    assert_int_equal(problems_of(UNWRAP "transforms.unwrap.predicate=t\n"
                                        "transforms.unwrap.negate=TRUE\npredicates=t,h\n"
                                        "predicates.t.type=TopicNameMatches\n"
                                        "predicates.t.pattern=srv\\.public\\..*\n"
                                        "predicates.h.type=HasHeaderKey\n"
                                        "predicates.h.name=trace\n",
                                 NULL, NULL), 0);
}

/* A transform with a predicate applies when negate XOR the predicate's answer. */
static bool unwrapped(transform_chain *chain, const char *topic, const ferry_header *headers,
                      size_t header_count)
{
    ferry_record record = event("c", "null", "{\"id\":1,\"name\":\"a\"}", true);
    record.topic = topic;
    record.headers = headers;
    record.header_count = header_count;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    bool row = json_object_get(record.value.json, "after") == NULL;
    transform_chain_release(chain);
    record_release(&record);
    return row;
}

static void test_predicates_decide_per_record(void **state)
{
    (void)state;
    /* TopicNameMatches matches the whole topic name, as Java's matches(). */
    transform_chain *chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=orders\n"
                                             "predicates=orders\n"
                                             "predicates.orders.type=TopicNameMatches\n"
                                             "predicates.orders.pattern=srv\\.public\\.orders\n");
    assert_true(unwrapped(chain, "srv.public.orders", NULL, 0));
    assert_false(unwrapped(chain, "srv.public.t", NULL, 0));
    assert_false(unwrapped(chain, "srv.public.orders2", NULL, 0));
    transform_chain_destroy(chain);

    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=orders\ntransforms.unwrap.negate=true\n"
                            "predicates=orders\npredicates.orders.type=TopicNameMatches\n"
                            "predicates.orders.pattern=srv\\.public\\.orders\n");
    assert_false(unwrapped(chain, "srv.public.orders", NULL, 0));
    assert_true(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);

    /* negate as Kafka Connect applies it: Boolean.parseBoolean of the text as written, so
     * " true" passes validation and means false. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=orders\n"
                            "transforms.unwrap.negate= true\n"
                            "predicates=orders\npredicates.orders.type=TopicNameMatches\n"
                            "predicates.orders.pattern=srv\\.public\\.orders\n");
    assert_true(unwrapped(chain, "srv.public.orders", NULL, 0));
    assert_false(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);

    /* HasHeaderKey: exact and case-sensitive; its name trimmed as ConfigDef trims a STRING. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=traced\npredicates=traced\n"
                            "predicates.traced.type=org.apache.kafka.connect.transforms.predicates."
                            "HasHeaderKey\npredicates.traced.name= trace\t\n");
    const ferry_header traced[] = {{.key = "other", .value = "x", .value_len = 1},
                                   {.key = "trace", .value = NULL}};
    const ferry_header upper[] = {{.key = "Trace", .value = "x", .value_len = 1}};
    assert_true(unwrapped(chain, "srv.public.t", traced, 2));
    assert_false(unwrapped(chain, "srv.public.t", upper, 1));
    assert_false(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);

    /* RecordIsTombstone, negated: a tombstone is left alone (unwrap alone drops it), a change
     * event is unwrapped. */
    chain = fixture_chain_of(UNWRAP "transforms.unwrap.predicate=tomb\ntransforms.unwrap.negate=true\n"
                            "predicates=tomb\npredicates.tomb.type=RecordIsTombstone\n");
    ferry_record tombstone = {.topic = "srv.public.t"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(tombstone.value.kind, FERRY_DATA_NULL);
    assert_true(unwrapped(chain, "srv.public.t", NULL, 0));
    transform_chain_destroy(chain);
}

/* The registry lists transforms as Kafka Connect's /connector-plugins does: by class name. */
static void test_types_in_class_order(void **state)
{
    (void)state;
    const transform_type *const *types = transform_types();
    assert_non_null(types[0]);
    for (size_t i = 1; types[i]; i++)
        if (strcmp(transform_type_class(types[i - 1]), transform_type_class(types[i])) >= 0)
            fail_msg("%s is listed before %s", transform_type_class(types[i - 1]),
                     transform_type_class(types[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_in_class_order),
        cmocka_unit_test(test_validation_names_the_full_key),
        cmocka_unit_test(test_no_transforms_no_chain),
        cmocka_unit_test(test_checked_text_is_parsed_on_demand),
        cmocka_unit_test(test_predicate_configs_refused_by_key),
        cmocka_unit_test(test_predicates_decide_per_record),
    };
    return cmocka_run_group_tests_name("transforms", tests, NULL, NULL);
}
