/*
 * test_status_state.c - the status topic's records applied without Kafka, by Kafka Connect's
 * rule: a status replaces the one held when its generation is at least as high or it comes from
 * the same worker; tombstones delete (a connector's, its tasks' too); malformed values refused
 * with a message naming the key; the active topics of KIP-558 under Kafka Connect's key, this
 * worker's own writes applied at once and skipped when read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stores/status_state.h"

static int setup(void **state)
{
    *state = status_state_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    status_state_destroy(*state);
    return 0;
}

static void apply_ok(status_state *state, const char *key, const char *value)
{
    char err[256] = "";
    if (status_state_apply(state, key, value, value ? strlen(value) : 0, err, sizeof(err)) != 0)
        fail_msg("%s refused: %s", key, err);
}

/* A status record of worker at generation. */
static void apply_status(status_state *state, const char *key, const char *status,
                         const char *worker, int generation)
{
    char value[256];
    snprintf(value, sizeof(value),
             "{\"state\":\"%s\",\"trace\":null,\"worker_id\":\"%s\",\"generation\":%d}", status,
             worker, generation);
    apply_ok(state, key, value);
}

static void assert_json_text(json_t *value, const char *expected)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                       : NULL;
    if (!expected) {
        if (text)
            fail_msg("expected nothing, got %s", text);
        return;
    }
    if (!text)
        fail_msg("expected %s, got nothing", expected);
    assert_string_equal(text, expected);
    free(text);
    json_decref(value);
}

/* Task 0 of connector c is the only one held, with that status. */
static void assert_task_zero(status_state *state, int generation, const char *status,
                             const char *worker)
{
    char expected[256];
    snprintf(expected, sizeof(expected),
             "[{\"generation\":%d,\"id\":0,\"state\":\"%s\",\"worker_id\":\"%s\"}]",
             generation, status, worker);
    assert_json_text(status_state_tasks(state, "c"), expected);
}

static void test_generations(void **state)
{
    status_state *statuses = *state;
    apply_status(statuses, "status-task-c-0", "RUNNING", "w1", 5);
    /* A lower generation from another worker: a fenced worker's record, ignored. */
    apply_status(statuses, "status-task-c-0", "UNASSIGNED", "w2", 3);
    assert_task_zero(statuses, 5, "RUNNING", "w1");
    /* The same generation from another worker replaces it. */
    apply_status(statuses, "status-task-c-0", "RUNNING", "w2", 5);
    assert_task_zero(statuses, 5, "RUNNING", "w2");
    /* The same worker may always overwrite its own, even with a lower generation. */
    apply_status(statuses, "status-task-c-0", "FAILED", "w2", 1);
    assert_task_zero(statuses, 1, "FAILED", "w2");
    apply_status(statuses, "status-task-c-0", "RUNNING", "w1", 2);
    assert_task_zero(statuses, 2, "RUNNING", "w1");
    /* The connector's status follows the same rule. */
    apply_status(statuses, "status-connector-c", "RUNNING", "w1", 9);
    apply_status(statuses, "status-connector-c", "PAUSED", "w3", 8);
    assert_json_text(status_state_connector(statuses, "c"),
                     "{\"generation\":9,\"state\":\"RUNNING\",\"worker_id\":\"w1\"}");
    apply_status(statuses, "status-connector-c", "PAUSED", "w3", 10);
    assert_json_text(status_state_connector(statuses, "c"),
                     "{\"generation\":10,\"state\":\"PAUSED\",\"worker_id\":\"w3\"}");
}

static void test_tasks_and_traces(void **state)
{
    status_state *statuses = *state;
    apply_status(statuses, "status-task-my-conn-10", "RUNNING", "w1", 1);
    apply_status(statuses, "status-task-my-conn-2", "RUNNING", "w2", 1);
    apply_ok(statuses, "status-task-my-conn-0",
             "{\"state\":\"FAILED\",\"trace\":\"boom\\n\\tat x\",\"worker_id\":\"w1\","
             "\"generation\":1}");
    /* By task number, the trace kept when there is one; the name's dashes are the name's. */
    assert_json_text(status_state_tasks(statuses, "my-conn"),
                     "[{\"generation\":1,\"id\":0,\"state\":\"FAILED\","
                     "\"trace\":\"boom\\n\\tat x\","
                     "\"worker_id\":\"w1\"},"
                     "{\"generation\":1,\"id\":2,\"state\":\"RUNNING\",\"worker_id\":\"w2\"},"
                     "{\"generation\":1,\"id\":10,\"state\":\"RUNNING\",\"worker_id\":\"w1\"}]");
    assert_json_text(status_state_tasks(statuses, "my"), "[]");
    assert_json_text(status_state_connector(statuses, "my-conn"), NULL);
}

static void test_tombstones(void **state)
{
    status_state *statuses = *state;
    apply_status(statuses, "status-connector-c", "RUNNING", "w1", 1);
    apply_status(statuses, "status-task-c-0", "RUNNING", "w1", 1);
    apply_status(statuses, "status-task-c-1", "RUNNING", "w1", 1);
    apply_ok(statuses, "status-task-c-1", NULL);
    assert_task_zero(statuses, 1, "RUNNING", "w1");
    /* A connector's tombstone takes its tasks with it, as in Kafka Connect. */
    apply_ok(statuses, "status-connector-c", NULL);
    assert_json_text(status_state_connector(statuses, "c"), NULL);
    assert_json_text(status_state_tasks(statuses, "c"), "[]");
    /* After a tombstone any generation is accepted again; a JSON null is a tombstone too. */
    apply_status(statuses, "status-task-c-0", "RUNNING", "w2", 0);
    apply_ok(statuses, "status-task-c-0", "null");
    assert_json_text(status_state_tasks(statuses, "c"), "[]");
}

static void apply_refused(status_state *state, const char *key, const char *value,
                          const char *expected)
{
    char err[256] = "";
    assert_int_equal(
        status_state_apply(state, key, value, value ? strlen(value) : 0, err, sizeof(err)), -1);
    if (strncmp(err, key, strlen(key)) != 0 || !strstr(err, expected))
        fail_msg("%s: expected a message naming the key and saying \"%s\", got \"%s\"", key,
                 expected, err);
}

static void test_malformed_refused(void **state)
{
    status_state *statuses = *state;
    apply_status(statuses, "status-task-c-0", "RUNNING", "w1", 1);
    apply_refused(statuses, "status-task-c-0", "{\"state\":\"RUNNING\"", "the value is not JSON");
    apply_refused(statuses, "status-task-c-0", "[]", "the value should be a JSON object");
    apply_refused(statuses, "status-task-c-0",
                  "{\"state\":\"BUSY\",\"worker_id\":\"w\",\"generation\":1}",
                  "'state' should be one of");
    apply_refused(statuses, "status-task-c-0", "{\"worker_id\":\"w\",\"generation\":1}",
                  "'state' should be a string");
    apply_refused(statuses, "status-task-c-0", "{\"state\":\"RUNNING\",\"generation\":1}",
                  "'worker_id' should be a string");
    apply_refused(statuses, "status-task-c-0",
                  "{\"state\":\"RUNNING\",\"worker_id\":\"w\",\"generation\":\"2\"}",
                  "'generation' should be an integer");
    apply_refused(statuses, "status-task-c-0",
                  "{\"state\":\"RUNNING\",\"trace\":5,\"worker_id\":\"w\",\"generation\":2}",
                  "'trace' should be a string or null");
    apply_refused(statuses, "status-task-c", "{}", "not a task status key");
    apply_refused(statuses, "status-task-c-x", "{}", "not a task status key");
    apply_refused(statuses, "status-connector-", "{}", "no connector name");
    apply_refused(statuses, "status-topic-orders", "{}", "not a topic status key");
    apply_refused(statuses, "status-topic-orders:connector-c", "{\"topic\":{\"name\":\"orders\"}}",
                  "the value should be {\"topic\"");
    /* Nothing refused reached the state. */
    assert_task_zero(statuses, 1, "RUNNING", "w1");
    /* Unknown keys are ignored. */
    apply_ok(statuses, "offsets-orders-c", "{\"topic\":{}}");
    assert_json_text(status_state_topics(statuses, "c"), "[]");
}

static const char *const topic_value =
    "{\"topic\":{\"name\":\"orders\",\"connector\":\"c\",\"task\":0,"
    "\"discoverTimestamp\":1700000000000}}";

static void test_topics(void **state)
{
    status_state *statuses = *state;
    char *key = status_state_topic_key("c", "orders");
    assert_string_equal(key, "status-topic-orders:connector-c");
    /* Another worker's records: applied as read. */
    apply_ok(statuses, key, topic_value);
    assert_true(status_state_topic_active(statuses, "c", "orders"));
    assert_json_text(status_state_topics(statuses, "c"), "[\"orders\"]");
    apply_ok(statuses, key, NULL);
    assert_false(status_state_topic_active(statuses, "c", "orders"));
    assert_json_text(status_state_topics(statuses, "c"), "[]");
    free(key);
}

static void test_own_topic_writes(void **state)
{
    status_state *statuses = *state;
    char *key = status_state_topic_key("c", "orders");
    /* This worker notes the topic, resets it, and notes it again, before reading any back. */
    status_state_topic_written(statuses, "c", "orders", true);
    assert_true(status_state_topic_active(statuses, "c", "orders"));
    status_state_topic_written(statuses, "c", "orders", false);
    assert_false(status_state_topic_active(statuses, "c", "orders"));
    status_state_topic_written(statuses, "c", "orders", true);
    /* Reading them back does not take the set back through the older states. */
    apply_ok(statuses, key, topic_value);
    assert_true(status_state_topic_active(statuses, "c", "orders"));
    apply_ok(statuses, key, NULL);
    assert_true(status_state_topic_active(statuses, "c", "orders"));
    apply_ok(statuses, key, topic_value);
    assert_true(status_state_topic_active(statuses, "c", "orders"));
    /* Every write read back: another worker's reset applies. */
    apply_ok(statuses, key, NULL);
    assert_false(status_state_topic_active(statuses, "c", "orders"));
    /* A write that could not be queued is not waited for. */
    status_state_topic_written(statuses, "c", "orders", true);
    status_state_topic_unwritten(statuses, "c", "orders");
    apply_ok(statuses, key, NULL);
    assert_false(status_state_topic_active(statuses, "c", "orders"));
    free(key);
}

/* Records under ferry's former key topic-<topic>-<connector> (names with dashes on both sides)
 * are read like Kafka Connect's, and their tombstone resets them; a key that does not match the
 * names of its value is refused. */
static void test_legacy_topic_key(void **state)
{
    status_state *statuses = *state;
    const char *value = "{\"topic\":{\"name\":\"my-orders\",\"connector\":\"pg-c\","
                        "\"task\":0,\"discoverTimestamp\":1700000000000}}";
    apply_ok(statuses, "topic-my-orders-pg-c", value);
    assert_true(status_state_topic_active(statuses, "pg-c", "my-orders"));
    char *legacy = status_state_topic_legacy_key(statuses, "pg-c", "my-orders");
    assert_string_equal(legacy, "topic-my-orders-pg-c");
    free(legacy);
    assert_null(status_state_topic_legacy_key(statuses, "pg-c", "other"));
    apply_ok(statuses, "topic-my-orders-pg-c", NULL);
    assert_false(status_state_topic_active(statuses, "pg-c", "my-orders"));
    assert_null(status_state_topic_legacy_key(statuses, "pg-c", "my-orders"));
    char err[256];
    assert_int_equal(status_state_apply(statuses, "topic-my-pg-c", value, strlen(value), err,
                                        sizeof(err)), -1);
    assert_non_null(strstr(err, "topic-my-orders-pg-c"));
}

/* The highest generation read, applied or not, is what a worker goes on from. */
static void test_generation_highest(void **state)
{
    status_state *statuses = *state;
    assert_int_equal(status_state_generation_highest(statuses), 0);
    apply_ok(statuses, "status-connector-c",
             "{\"state\":\"RUNNING\",\"worker_id\":\"java:8083\",\"generation\":3}");
    apply_ok(statuses, "status-task-c-0",
             "{\"state\":\"RUNNING\",\"worker_id\":\"java:8083\",\"generation\":7}");
    apply_ok(statuses, "status-task-c-0",
             "{\"state\":\"RUNNING\",\"worker_id\":\"other:8083\",\"generation\":2}");
    assert_int_equal(status_state_generation_highest(statuses), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks_and_traces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tombstones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_topic_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_topic_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation_highest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
