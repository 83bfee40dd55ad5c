/*
 * test_config_state.c - the configs topic's records applied without Kafka, by Kafka Connect's
 * rules: task configs wait for their commit, incomplete commits leave a connector inconsistent
 * until a complete one, a commit for a deleted connector is dropped with what it left, tombstones
 * delete, target states read state.v2 before state; the records of a cluster (session key,
 * restart requests, ferry-assignment, ferry-worker-<id>) and their codecs; malformed values
 * refused with a message that names the key, unknown keys ignored. Every check of a connector's
 * entry also checks the one-connector reads against the snapshot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "stores/config_state.h"

static int setup(void **state)
{
    *state = config_state_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    config_state_destroy(*state);
    return 0;
}

/* Applies key -> value (NULL: a tombstone), which must succeed; returns the change's kind and
 * checks the connector it names (NULL: none). */
static config_change_kind apply_ok(config_state *state, const char *key, const char *value,
                                   const char *connector)
{
    char err[256] = "";
    config_change change;
    int rc = config_state_apply(state, key, value, value ? strlen(value) : 0, &change, err,
                                sizeof(err));
    if (rc != 0)
        fail_msg("%s refused: %s", key, err);
    if (connector)
        assert_string_equal(change.connector, connector);
    else
        assert_null(change.connector);
    return change.kind;
}

/* Applies a record that must be refused with a message naming the key and holding expected. */
static void apply_refused(config_state *state, const char *key, const char *value,
                          const char *expected)
{
    char err[256] = "";
    config_change change;
    json_t *before = config_state_snapshot(state);
    assert_int_equal(config_state_apply(state, key, value, value ? strlen(value) : 0, &change,
                                        err, sizeof(err)),
                     -1);
    assert_int_equal(change.kind, CONFIG_CHANGE_NONE);
    if (strncmp(err, key, strlen(key)) != 0 || !strstr(err, expected))
        fail_msg("%s: expected a message naming the key and saying \"%s\", got \"%s\"", key,
                 expected, err);
    json_t *after = config_state_snapshot(state);
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);
}

/* The connector's entry in a fresh snapshot, as compact JSON text (malloc'd), or NULL. */
static char *entry_text(config_state *state, const char *name)
{
    json_t *snapshot = config_state_snapshot(state);
    json_t *entry = json_object_get(snapshot, name);
    char *text = entry ? json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(snapshot);
    return text;
}

/* The one-connector reads agree with the snapshot: config_state_connector_entry gives the same
 * entry, config_state_task_counts the same task count. */
static void assert_single_reads(config_state *state, const char *name, const char *text)
{
    bool found = false;
    json_t *entry = config_state_connector_entry(state, name, &found);
    assert_int_equal(found, text != NULL);
    json_t *counts = config_state_task_counts(state);
    assert_non_null(counts);
    if (text) {
        char *single = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(single, text);
        free(single);
        assert_int_equal(json_integer_value(json_object_get(counts, name)),
                         json_array_size(json_object_get(entry, "tasks")));
    } else {
        assert_null(entry);
        assert_null(json_object_get(counts, name));
    }
    json_decref(counts);
    json_decref(entry);
}

static void assert_entry(config_state *state, const char *name, const char *expected)
{
    char *text = entry_text(state, name);
    assert_single_reads(state, name, text);
    if (!expected) {
        if (text)
            fail_msg("%s should be absent, is %s", name, text);
        return;
    }
    if (!text)
        fail_msg("%s is absent", name);
    assert_string_equal(text, expected);
    free(text);
}

/* The connector's snapshot entry, given as its parts (config and tasks as compact JSON). */
static void assert_connector(config_state *state, const char *name, const char *config,
                             bool inconsistent, const char *target, const char *tasks)
{
    char expected[1024];
    snprintf(expected, sizeof(expected),
             "{\"config\":%s,\"inconsistent\":%s,\"target_state\":\"%s\",\"tasks\":%s}", config,
             inconsistent ? "true" : "false", target, tasks);
    assert_entry(state, name, expected);
}

static void test_connector_config_and_tombstone(void **state)
{
    config_state *configs = *state;
    assert_int_equal(apply_ok(configs, "connector-orders", "{\"properties\":{\"a\":\"1\"}}",
                              "orders"),
                     CONFIG_CHANGE_CONNECTOR);
    assert_connector(configs, "orders", "{\"a\":\"1\"}", false, "STARTED", "[]");
    assert_int_equal(config_state_connector_count(configs), 1);
    /* A name with dashes, and a null property as Kafka Connect's schema allows. */
    apply_ok(configs, "connector-my-orders-2", "{\"properties\":{\"b\":null}}", "my-orders-2");
    assert_connector(configs, "my-orders-2", "{\"b\":null}", false, "STARTED", "[]");
    assert_int_equal(apply_ok(configs, "connector-orders", NULL, "orders"),
                     CONFIG_CHANGE_CONNECTOR_REMOVED);
    assert_entry(configs, "orders", NULL);
    /* A JSON null is a tombstone too, as Kafka Connect's JsonConverter reads it. */
    assert_int_equal(apply_ok(configs, "connector-my-orders-2", "null", "my-orders-2"),
                     CONFIG_CHANGE_CONNECTOR_REMOVED);
    assert_int_equal(config_state_connector_count(configs), 0);
}

static void test_tasks_applied_only_on_commit(void **state)
{
    config_state *configs = *state;
    apply_ok(configs, "connector-c", "{\"properties\":{\"k\":\"v\"}}", "c");
    assert_int_equal(apply_ok(configs, "task-c-0", "{\"properties\":{\"t\":\"0\"}}", NULL),
                     CONFIG_CHANGE_NONE);
    apply_ok(configs, "task-c-1", "{\"properties\":{\"t\":\"1\"}}", NULL);
    assert_connector(configs, "c", "{\"k\":\"v\"}", false, "STARTED", "[]");
    assert_int_equal(apply_ok(configs, "commit-c", "{\"tasks\":2}", "c"), CONFIG_CHANGE_TASKS);
    assert_connector(configs, "c", "{\"k\":\"v\"}", false, "STARTED",
                     "[{\"t\":\"0\"},{\"t\":\"1\"}]");
    /* New task configs wait again: the committed ones stay until the next commit. */
    apply_ok(configs, "task-c-0", "{\"properties\":{\"t\":\"new\"}}", NULL);
    assert_connector(configs, "c", "{\"k\":\"v\"}", false, "STARTED",
                     "[{\"t\":\"0\"},{\"t\":\"1\"}]");
    /* Fewer tasks: a commit of 1 needs only task 0 (compaction may keep an older task 1). */
    apply_ok(configs, "commit-c", "{\"tasks\":1}", "c");
    assert_connector(configs, "c", "{\"k\":\"v\"}", false, "STARTED", "[{\"t\":\"new\"}]");
    /* Zero tasks (a stopped connector) is complete with nothing waiting. */
    apply_ok(configs, "commit-c", "{\"tasks\":0}", "c");
    assert_connector(configs, "c", "{\"k\":\"v\"}", false, "STARTED", "[]");
}

static void test_incomplete_commit_inconsistent(void **state)
{
    config_state *configs = *state;
    apply_ok(configs, "connector-c", "{\"properties\":{}}", "c");
    apply_ok(configs, "task-c-0", "{\"properties\":{\"t\":\"0\"}}", NULL);
    apply_ok(configs, "task-c-1", "{\"properties\":{\"t\":\"1\"}}", NULL);
    apply_ok(configs, "commit-c", "{\"tasks\":2}", "c");
    /* Compaction ate task-c-0 of the next round: the commit finds task 1 only. */
    apply_ok(configs, "task-c-1", "{\"properties\":{\"t\":\"1b\"}}", NULL);
    assert_int_equal(apply_ok(configs, "commit-c", "{\"tasks\":2}", "c"), CONFIG_CHANGE_TASKS);
    assert_connector(configs, "c", "{}", true, "STARTED", "[]");
    /* The waiting config of task 1 stays: task 0 and a commit complete the round. */
    apply_ok(configs, "task-c-0", "{\"properties\":{\"t\":\"0b\"}}", NULL);
    apply_ok(configs, "commit-c", "{\"tasks\":2}", "c");
    assert_connector(configs, "c", "{}", false, "STARTED", "[{\"t\":\"0b\"},{\"t\":\"1b\"}]");
    /* A commit before any task config: inconsistent as well. */
    apply_ok(configs, "connector-d", "{\"properties\":{}}", "d");
    apply_ok(configs, "commit-d", "{\"tasks\":1}", "d");
    assert_connector(configs, "d", "{}", true, "STARTED", "[]");
}

static void test_commit_for_deleted_connector(void **state)
{
    config_state *configs = *state;
    /* Compaction removed connector-gone's config; its task records and commit remain. */
    apply_ok(configs, "task-gone-0", "{\"properties\":{\"t\":\"0\"}}", NULL);
    assert_int_equal(apply_ok(configs, "commit-gone", "{\"tasks\":1}", NULL),
                     CONFIG_CHANGE_NONE);
    assert_entry(configs, "gone", NULL);
    /* Created again: the old task configs are gone with the dropped commit. */
    apply_ok(configs, "connector-gone", "{\"properties\":{}}", "gone");
    apply_ok(configs, "commit-gone", "{\"tasks\":1}", "gone");
    assert_connector(configs, "gone", "{}", true, "STARTED", "[]");
    /* A connector deleted after its tasks were written: the tombstone drops them all. */
    apply_ok(configs, "task-gone-0", "{\"properties\":{\"t\":\"x\"}}", NULL);
    apply_ok(configs, "connector-gone", NULL, "gone");
    apply_ok(configs, "connector-gone", "{\"properties\":{}}", "gone");
    apply_ok(configs, "commit-gone", "{\"tasks\":0}", "gone");
    assert_connector(configs, "gone", "{}", false, "STARTED", "[]");
}

static void test_target_states(void **state)
{
    config_state *configs = *state;
    /* Kafka Connect may write the target state before the config (initial state). */
    assert_int_equal(apply_ok(configs, "target-state-c",
                              "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}", "c"),
                     CONFIG_CHANGE_TARGET_STATE);
    apply_ok(configs, "connector-c", "{\"properties\":{}}", "c");
    assert_connector(configs, "c", "{}", false, "STOPPED", "[]");
    /* A worker older than STOPPED writes "state" alone. */
    apply_ok(configs, "target-state-c", "{\"state\":\"PAUSED\"}", "c");
    assert_connector(configs, "c", "{}", false, "PAUSED", "[]");
    /* A state.v2 that is not a string falls back on state. */
    apply_ok(configs, "target-state-c", "{\"state\":\"STARTED\",\"state.v2\":7}", "c");
    assert_connector(configs, "c", "{}", false, "STARTED", "[]");
    apply_ok(configs, "target-state-c", "{\"state\":\"PAUSED\",\"state.v2\":null}", "c");
    assert_connector(configs, "c", "{}", false, "PAUSED", "[]");
    /* A tombstone: back to STARTED while the config lives, and no change for a listener. */
    assert_int_equal(apply_ok(configs, "target-state-c", NULL, NULL), CONFIG_CHANGE_NONE);
    assert_connector(configs, "c", "{}", false, "STARTED", "[]");
    apply_refused(configs, "target-state-c", "{\"state\":\"RUNNING\"}",
                  "'RUNNING' is not a target state");
    apply_refused(configs, "target-state-c", "{\"state.v2\":\"BOGUS\",\"state\":\"PAUSED\"}",
                  "'BOGUS' is not a target state");
    apply_refused(configs, "target-state-c", "{\"state\":1}", "'state' should be a string");
    apply_refused(configs, "target-state-c", "\"PAUSED\"", "should be a JSON object");
}

static void test_malformed_values_refused(void **state)
{
    config_state *configs = *state;
    apply_ok(configs, "connector-c", "{\"properties\":{\"a\":\"1\"}}", "c");
    apply_refused(configs, "connector-c", "{\"properties\":", "the value is not JSON");
    apply_refused(configs, "connector-c", "[1]", "the value should be a JSON object");
    apply_refused(configs, "connector-c", "{\"config\":{}}",
                  "'properties' should be a JSON object");
    apply_refused(configs, "connector-c", "{\"properties\":{\"tasks.max\":2}}",
                  "property 'tasks.max' should be a string");
    apply_refused(configs, "task-c-0", "{\"properties\":[]}",
                  "'properties' should be a JSON object");
    apply_refused(configs, "task-c-0", NULL, "a tombstone where a task config belongs");
    apply_refused(configs, "task-c", "{\"properties\":{}}", "not a task key");
    apply_refused(configs, "task-c-x1", "{\"properties\":{}}", "not a task key");
    apply_refused(configs, "task--0", "{\"properties\":{}}", "not a task key");
    apply_refused(configs, "commit-c", "{\"tasks\":\"2\"}", "'tasks' should be a task count");
    apply_refused(configs, "commit-c", "{\"tasks\":-1}", "'tasks' should be a task count");
    apply_refused(configs, "commit-c", NULL, "the value should be a JSON object");
    apply_refused(configs, "session-key", "{\"key\":\"AAEC\",\"algorithm\":\"HmacSHA256\"}",
                  "'creation-timestamp' should be an integer");
    apply_refused(configs, "session-key", NULL, "a tombstone where a session key belongs");
    apply_refused(configs, "ferry-assignment", "{\"assignment\":{}}",
                  "'epoch' should be an integer");
    apply_refused(configs, "ferry-assignment", "[]", "the value should be a JSON object");
    apply_refused(configs, "ferry-worker-w1", "{\"url\":\"http://w1:8083\"}",
                  "'epoch' should be an integer");
    apply_refused(configs, "ferry-worker-", "{\"url\":\"u\",\"epoch\":1}", "no worker id");
    apply_refused(configs, "restart-connector-c", "true", "the value should be a JSON object");
    /* Nothing of the refused records reached the state. */
    assert_connector(configs, "c", "{\"a\":\"1\"}", false, "STARTED", "[]");
    assert_null(config_state_assignment(configs));
    config_session_key key;
    assert_int_equal(config_state_session_key(configs, &key), -1);
}

/* How many lines of the log text hold needle. */
static int log_count(FILE *log, const char *needle)
{
    fflush(log);
    rewind(log);
    char line[1024];
    int count = 0;
    while (fgets(line, sizeof(line), log))
        count += strstr(line, needle) != NULL;
    return count;
}

static void test_unknown_keys_ignored(void **state)
{
    config_state *configs = *state;
    FILE *log = tmpfile();
    assert_non_null(log);
    log_configure(log, FERRY_LOG_DEBUG);
    assert_int_equal(apply_ok(configs, "something-else", "{\"x\":1}", NULL), CONFIG_CHANGE_NONE);
    assert_int_equal(apply_ok(configs, "something-else", "{\"x\":2}", NULL), CONFIG_CHANGE_NONE);
    /* The task count of exactly-once fencing (KIP-618) is kept, not ignored. */
    assert_int_equal(config_state_fencing_count_of(configs, "c"), -1);
    assert_int_equal(apply_ok(configs, "tasks-fencing-c", "{\"task-count\":2}", NULL),
                     CONFIG_CHANGE_NONE);
    assert_int_equal(config_state_fencing_count_of(configs, "c"), 2);
    /* Logged once. */
    assert_int_equal(log_count(log, "ignoring record something-else"), 1);
    assert_int_equal(log_count(log, "ignoring record tasks-fencing-c"), 0);
    log_configure(stderr, FERRY_LOG_INFO);
    fclose(log);
    json_t *snapshot = config_state_snapshot(configs);
    assert_int_equal(json_object_size(snapshot), 0);
    json_decref(snapshot);
    /* A value that is not JSON is refused whatever its key, as Kafka Connect's converter
     * refuses it before looking at the key. */
    apply_refused(configs, "something-else", "not json", "the value is not JSON");
}

static const char *const java_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

static void test_session_key_codec(void **state)
{
    (void)state;
    unsigned char bytes[32];
    for (int i = 0; i < 32; i++)
        bytes[i] = (unsigned char)i;
    config_session_key key = {.key = bytes, .key_len = sizeof(bytes),
                              .algorithm = "HmacSHA256", .created_ms = 1700000000123};
    json_t *value = config_records_session_key_encode(&key);
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    char expected[256];
    snprintf(expected, sizeof(expected),
             "{\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1700000000123,\"key\":\"%s\"}",
             java_key);
    assert_string_equal(text, expected);
    free(text);

    config_session_key read;
    char err[256] = "";
    assert_int_equal(config_records_session_key_decode(value, &read, err, sizeof(err)), 0);
    assert_int_equal(read.key_len, 32);
    assert_memory_equal(read.key, bytes, 32);
    assert_string_equal(read.algorithm, "HmacSHA256");
    assert_int_equal(read.created_ms, 1700000000123);
    config_records_session_key_clear(&read);
    assert_null(read.key);
    json_decref(value);

    static const char *const bad[][2] = {
        {"{\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}", "'key' should be"},
        {"{\"key\":\"!!!\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}",
         "'key' should be the base64"},
        {"{\"key\":\"AAEC\",\"creation-timestamp\":1}", "'algorithm' should be"},
        {"{\"key\":\"AAEC\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1.5}",
         "'creation-timestamp' should be an integer"},
        {"{\"key\":\"AAEC\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":\"1\"}",
         "'creation-timestamp' should be an integer"},
        {"[]", "should be a JSON object"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *parsed = json_loads(bad[i][0], JSON_DECODE_ANY, NULL);
        assert_non_null(parsed);
        assert_int_equal(config_records_session_key_decode(parsed, &read, err, sizeof(err)), -1);
        if (!strstr(err, bad[i][1]))
            fail_msg("%s: expected \"%s\", got \"%s\"", bad[i][0], bad[i][1], err);
        assert_null(read.key);
        json_decref(parsed);
    }
}

static void test_session_key_record(void **state)
{
    config_state *configs = *state;
    char value[256];
    snprintf(value, sizeof(value),
             "{\"key\":\"%s\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":42}", java_key);
    assert_int_equal(apply_ok(configs, "session-key", value, NULL), CONFIG_CHANGE_SESSION_KEY);
    config_session_key key;
    assert_int_equal(config_state_session_key(configs, &key), 0);
    assert_int_equal(key.key_len, 32);
    assert_int_equal(key.key[31], 31);
    assert_int_equal(key.created_ms, 42);
    config_records_session_key_clear(&key);
    /* A newer key replaces it. */
    apply_ok(configs, "session-key",
             "{\"key\":\"AAEC\",\"algorithm\":\"HmacSHA512\",\"creation-timestamp\":43}", NULL);
    assert_int_equal(config_state_session_key(configs, &key), 0);
    assert_int_equal(key.key_len, 3);
    assert_string_equal(key.algorithm, "HmacSHA512");
    config_records_session_key_clear(&key);
}

static void test_restart_requests(void **state)
{
    config_state *configs = *state;
    char err[256];
    config_change change;
    const char *value = "{\"include-tasks\":true,\"only-failed\":false}";
    assert_int_equal(config_state_apply(configs, "restart-connector-c", value, strlen(value),
                                        &change, err, sizeof(err)),
                     0);
    assert_int_equal(change.kind, CONFIG_CHANGE_RESTART);
    assert_string_equal(change.connector, "c");
    assert_true(change.include_tasks);
    assert_false(change.only_failed);
    /* A flag that is not a boolean reads as false, as Kafka Connect reads it. */
    value = "{\"include-tasks\":\"yes\",\"only-failed\":true}";
    assert_int_equal(config_state_apply(configs, "restart-connector-c", value, strlen(value),
                                        &change, err, sizeof(err)),
                     0);
    assert_false(change.include_tasks);
    assert_true(change.only_failed);

    json_t *encoded = config_records_restart_encode(true, true);
    char *text = json_dumps(encoded, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"include-tasks\":true,\"only-failed\":true}");
    free(text);
    json_decref(encoded);
}

static void test_assignment_record(void **state)
{
    config_state *configs = *state;
    const char *value = "{\"epoch\":3,\"leader\":\"w1\",\"leader_url\":\"http://w1:8083\","
                        "\"assignment\":{\"w1\":{\"connectors\":[\"c\"],\"tasks\":[\"c-0\"]}},"
                        "\"departed\":{}}";
    assert_int_equal(apply_ok(configs, "ferry-assignment", value, NULL),
                     CONFIG_CHANGE_ASSIGNMENT);
    json_t *assignment = config_state_assignment(configs);
    json_t *expected = json_loads(value, 0, NULL);
    assert_true(json_equal(assignment, expected));
    json_decref(expected);
    /* The latest record wins; what was handed out stays as it was. */
    apply_ok(configs, "ferry-assignment", "{\"epoch\":4,\"assignment\":{}}", NULL);
    assert_int_equal(json_integer_value(json_object_get(assignment, "epoch")), 3);
    json_decref(assignment);
    assignment = config_state_assignment(configs);
    assert_int_equal(json_integer_value(json_object_get(assignment, "epoch")), 4);
    json_decref(assignment);
    assert_int_equal(apply_ok(configs, "ferry-assignment", NULL, NULL), CONFIG_CHANGE_ASSIGNMENT);
    assert_null(config_state_assignment(configs));
}

static void test_worker_record_codec(void **state)
{
    config_state *configs = *state;
    json_t *value = config_records_worker_encode("http://10.0.0.1:8083/", 7);
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"epoch\":7,\"url\":\"http://10.0.0.1:8083/\"}");
    config_worker_record read;
    char err[256];
    assert_int_equal(config_records_worker_decode(value, &read, err, sizeof(err)), 0);
    assert_string_equal(read.url, "http://10.0.0.1:8083/");
    assert_int_equal(read.epoch, 7);
    config_records_worker_clear(&read);
    json_decref(value);

    config_change change;
    assert_int_equal(config_state_apply(configs, "ferry-worker-10.0.0.1:8083", text,
                                        strlen(text), &change, err, sizeof(err)),
                     0);
    free(text);
    assert_int_equal(change.kind, CONFIG_CHANGE_WORKER);
    assert_string_equal(change.worker_id, "10.0.0.1:8083");
    apply_ok(configs, "ferry-worker-w2", "{\"url\":\"http://w2:8083\",\"epoch\":6}", NULL);
    json_t *workers = config_state_workers(configs);
    text = json_dumps(workers, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"10.0.0.1:8083\":{\"epoch\":7,\"url\":\"http://10.0.0.1:8083/\"},"
                              "\"w2\":{\"epoch\":6,\"url\":\"http://w2:8083\"}}");
    free(text);
    json_decref(workers);
    apply_ok(configs, "ferry-worker-w2", NULL, NULL);
    workers = config_state_workers(configs);
    assert_int_equal(json_object_size(workers), 1);
    json_decref(workers);

    static const char *const bad[][2] = {
        {"{\"epoch\":1}", "'url' should be a non-empty string but is missing"},
        {"{\"url\":\"\",\"epoch\":1}", "'url' should be a non-empty string but is empty"},
        {"{\"url\":\"u\",\"epoch\":-1}", "'epoch' should be an integer of at least 0"},
        {"{\"url\":\"u\",\"epoch\":\"1\"}", "'epoch' should be an integer"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *parsed = json_loads(bad[i][0], 0, NULL);
        assert_int_equal(config_records_worker_decode(parsed, &read, err, sizeof(err)), -1);
        if (!strstr(err, bad[i][1]))
            fail_msg("%s: expected \"%s\", got \"%s\"", bad[i][0], bad[i][1], err);
        assert_null(read.url);
        json_decref(parsed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connector_config_and_tombstone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks_applied_only_on_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incomplete_commit_inconsistent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_for_deleted_connector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_values_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_keys_ignored, setup, teardown),
        cmocka_unit_test(test_session_key_codec),
        cmocka_unit_test_setup_teardown(test_session_key_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assignment_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_record_codec, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
