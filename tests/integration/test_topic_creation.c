/*
 * test_topic_creation.c - source topic creation (topic.creation.*, Kafka Connect's KIP-158)
 * through the real binary on the real broker, which creates no topic by itself
 * (auto.create.topics.enable=false, as tests/services/kafka/server.properties.in sets it):
 * - groups with include and exclude regexes give each topic its group's partitions,
 *   replication factor and topic configs (cleanup.policy, retention.ms), read back through
 *   the metadata and DescribeConfigs; a topic no group includes takes the default group's;
 * - an existing topic is used as it is (its partitions unchanged);
 * - without creation settings the task fails with a message naming the topic and the keys to
 *   set, instead of waiting for the topic forever;
 * - the worker's topic.creation.enable=false ignores the keys with a warning per key;
 * - config/validate names the key of a bad group regex and of a missing default partitions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

/* The broker must be as production clusters run it, or the failure case proves nothing. */
static void require_no_auto_creation(void)
{
    if (kt_broker_auto_creates_topics())
        fail_msg("the test broker creates topics by itself (auto.create.topics.enable=true): "
                 "restart it with tests/services/kafka/server.properties.in's "
                 "auto.create.topics.enable=false (tests/services/services.sh stop kafka, "
                 "then start kafka)");
}

/* Waits until the topic holds at least count records. */
static void wait_records(const char *topic, int64_t count)
{
    int64_t deadline = fp_now_ms() + 60000;
    while (kt_partition_count(topic) == 0 || kt_end_offsets_sum(topic) < count) {
        if (fp_now_ms() > deadline)
            fail_msg("topic %s did not get %lld records", topic, (long long)count);
        fp_sleep_ms(100);
    }
}

static void assert_topic_config(const char *topic, const char *name, const char *expected)
{
    char *value = kt_topic_config(topic, name);
    if (!value || strcmp(value, expected) != 0)
        fail_msg("topic %s: %s=%s, expected %s", topic, name, value ? value : "(none)",
                 expected);
    free(value);
}

/* The same topic creation settings for every connector of the groups case. */
#define GROUP_SETTINGS                                                                        \
    "topic.creation.groups=compacted,wide\n"                                                  \
    "topic.creation.default.replication.factor=1\n"                                           \
    "topic.creation.default.partitions=2\n"                                                   \
    "topic.creation.default.retention.ms=7200000\n"                                           \
    "topic.creation.compacted.include=.*_logs_.*\n"                                           \
    "topic.creation.compacted.exclude=.*_logs_skip.*\n"                                       \
    "topic.creation.compacted.partitions=3\n"                                                 \
    "topic.creation.compacted.cleanup.policy=compact\n"                                       \
    "topic.creation.compacted.min.compaction.lag.ms=60000\n"                                  \
    "topic.creation.wide.include=.*_logs_skip.*, .*_wide_.*\n"                                \
    "topic.creation.wide.partitions=5\n"                                                      \
    "topic.creation.wide.retention.ms=3600000\n"

static const char *source_file(fp_env *env, const char *file, const char *name,
                               const char *topic, const char *extra)
{
    return fp_write(env, file,
                    "name=%s\nconnector.class=SequenceSource\ntopic=%s\npartitions=2\n"
                    "count=20\ntasks.max=1\n%s",
                    fp_name(env, name), topic, extra);
}

static void test_groups(void **state)
{
    (void)state;
    require_no_auto_creation();
    fp_env *env = fp_env_new("topic_creation_groups");
    const char *compacted = fp_name(env, "tc_logs_a");
    const char *excluded = fp_name(env, "tc_logs_skip");
    const char *wide = fp_name(env, "tc_wide_b");
    const char *plain = fp_name(env, "tc_plain");
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker,
                             source_file(env, "a.properties", "src_a", compacted, GROUP_SETTINGS),
                             source_file(env, "b.properties", "src_b", excluded, GROUP_SETTINGS),
                             source_file(env, "c.properties", "src_c", wide, GROUP_SETTINGS),
                             source_file(env, "d.properties", "src_d", plain, GROUP_SETTINGS),
                             NULL);
    wait_records(compacted, 20);
    wait_records(excluded, 20);
    wait_records(wide, 20);
    wait_records(plain, 20);

    /* compacted: included, not excluded. */
    assert_int_equal(kt_partition_count(compacted), 3);
    assert_int_equal(kt_replication_factor(compacted), 1);
    assert_topic_config(compacted, "cleanup.policy", "compact");
    assert_topic_config(compacted, "min.compaction.lag.ms", "60000");
    /* Excluded from compacted, so the next group that includes it: wide. */
    assert_int_equal(kt_partition_count(excluded), 5);
    assert_topic_config(excluded, "cleanup.policy", "delete");
    assert_topic_config(excluded, "retention.ms", "3600000");
    assert_int_equal(kt_partition_count(wide), 5);
    assert_int_equal(kt_replication_factor(wide), 1);
    assert_topic_config(wide, "retention.ms", "3600000");
    /* No group includes it: the default group. */
    assert_int_equal(kt_partition_count(plain), 2);
    assert_int_equal(kt_replication_factor(plain), 1);
    assert_topic_config(plain, "cleanup.policy", "delete");
    assert_topic_config(plain, "retention.ms", "7200000");
    assert_false(fp_log_contains(proc, "is ignored"));
    fp_stop(proc, 30000);
    const char *topics[] = {compacted, excluded, wide, plain};
    kt_delete_topics(topics, 4);
    fp_pass(env);
}

static void test_existing_topic_used_as_is(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("topic_creation_existing");
    const char *topic = fp_name(env, "tc_existing");
    kt_create_topic(topic, 2, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker,
                             source_file(env, "src.properties", "src", topic,
                                         "topic.creation.default.replication.factor=1\n"
                                         "topic.creation.default.partitions=6\n"
                                         "topic.creation.default.cleanup.policy=compact\n"),
                             NULL);
    wait_records(topic, 20);
    assert_int_equal(kt_partition_count(topic), 2);
    assert_topic_config(topic, "cleanup.policy", "delete");
    fp_stop(proc, 30000);
    kt_delete_topics(&topic, 1);
    fp_pass(env);
}

static void test_no_settings_fails_naming_the_keys(void **state)
{
    (void)state;
    require_no_auto_creation();
    fp_env *env = fp_env_new("topic_creation_missing");
    const char *topic = fp_name(env, "tc_missing");
    const char *connector = fp_name(env, "src");
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "task.restart.auto=false\n");
    fp_proc *proc = fp_start(env, worker, source_file(env, "src.properties", "src", topic, ""),
                             NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 30000);
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/status", connector);
    int64_t deadline = fp_now_ms() + 60000;
    const char *trace = NULL;
    json_t *status = NULL;
    for (;;) {
        json_decref(status);
        status = rc_expect(client, "GET", path, NULL, 200);
        json_t *task = json_array_get(json_object_get(status, "tasks"), 0);
        const char *state_name = json_string_value(json_object_get(task, "state"));
        if (state_name && strcmp(state_name, "FAILED") == 0) {
            trace = json_string_value(json_object_get(task, "trace"));
            break;
        }
        if (fp_now_ms() > deadline)
            fail_msg("the task did not fail within 60 s: %s",
                     state_name ? state_name : "(no task)");
        fp_sleep_ms(200);
    }
    assert_non_null(trace);
    if (!strstr(trace, topic) || !strstr(trace, "topic.creation.default.replication.factor") ||
        !strstr(trace, "topic.creation.default.partitions"))
        fail_msg("the trace does not name the topic and the keys: %s", trace);
    assert_int_equal(kt_partition_count(topic), 0);
    json_decref(status);
    rc_free(client);
    fp_stop(proc, 30000);
    fp_pass(env);
}

static void test_worker_disabled_warns_per_key(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("topic_creation_disabled");
    const char *topic = fp_name(env, "tc_disabled");
    kt_create_topic(topic, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "topic.creation.enable=false\n");
    fp_proc *proc = fp_start(env, worker,
                             source_file(env, "src.properties", "src", topic,
                                         "topic.creation.default.replication.factor=1\n"
                                         "topic.creation.default.partitions=4\n"),
                             NULL);
    wait_records(topic, 20);
    assert_true(fp_wait_log(proc, "topic.creation.default.replication.factor is ignored: the "
                                  "worker has topic.creation.enable=false", 10000));
    assert_true(fp_wait_log(proc, "topic.creation.default.partitions is ignored: the worker "
                                  "has topic.creation.enable=false", 10000));
    assert_int_equal(kt_partition_count(topic), 1);
    fp_stop(proc, 30000);
    kt_delete_topics(&topic, 1);
    fp_pass(env);
}

/* The validate answer's errors of key (a borrowed array), failing when the key is absent. */
static json_t *validate_errors(json_t *answer, const char *key)
{
    size_t index;
    json_t *entry;
    json_array_foreach(json_object_get(answer, "configs"), index, entry) {
        json_t *value = json_object_get(entry, "value");
        const char *name = json_string_value(json_object_get(value, "name"));
        if (name && strcmp(name, key) == 0)
            return json_object_get(value, "errors");
    }
    fail_msg("the validate answer has no entry for %s", key);
    return NULL;
}

static void assert_error_contains(json_t *errors, const char *needle)
{
    size_t index;
    json_t *message;
    json_array_foreach(errors, index, message)
        if (strstr(json_string_value(message), needle))
            return;
    char *text = json_dumps(errors, 0);
    fail_msg("no error contains \"%s\": %s", needle, text);
}

static void test_validation_names_the_keys(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("topic_creation_validate");
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 30000);
    json_t *answer = rc_expect(client, "PUT", "/connector-plugins/SequenceSource/config/validate",
                               "{\"connector.class\":\"SequenceSource\",\"name\":\"v\","
                               "\"topic\":\"t\",\"topic.creation.groups\":\"bad\","
                               "\"topic.creation.default.replication.factor\":\"1\","
                               "\"topic.creation.bad.include\":\"a(b\","
                               "\"topic.creation.bad.partitions\":\"0\"}",
                               200);
    assert_int_equal(json_integer_value(json_object_get(answer, "error_count")), 3);
    assert_error_contains(validate_errors(answer, "topic.creation.default.partitions"),
                          "Missing required configuration \"topic.creation.default.partitions\"");
    assert_error_contains(validate_errors(answer, "topic.creation.bad.include"),
                          "Syntax error in regular expression");
    assert_error_contains(validate_errors(answer, "topic.creation.bad.partitions"),
                          "Number of partitions must be positive, or -1");
    json_decref(answer);
    rc_free(client);
    fp_stop(proc, 30000);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_groups, fp_env_teardown),
        cmocka_unit_test_teardown(test_existing_topic_used_as_is, fp_env_teardown),
        cmocka_unit_test_teardown(test_no_settings_fails_naming_the_keys, fp_env_teardown),
        cmocka_unit_test_teardown(test_worker_disabled_warns_per_key, fp_env_teardown),
        cmocka_unit_test_teardown(test_validation_names_the_keys, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
