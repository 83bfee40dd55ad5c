/*
 * test_worker_lifecycle.c - the lifecycle the REST API exposes, driven in process through the
 * standalone herder against the real broker: pause stops a source's records and resume brings
 * them back, stop shuts the tasks down and a new start resumes, restart and delete, with the
 * states Kafka Connect reports at each step (read through worker_call).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "base/thread_role.h"
#include "ferry_process.h"
#include "herder/standalone_herder.h"
#include "kafka_tool.h"
#include "cli/worker_process.h"
#include "runtime/worker.h"

/* A status read on the control thread. */
typedef struct lifecycle_status {
    const char *name;
    json_t *status;
} lifecycle_status;

static void lifecycle_status_run(worker *self, void *argument)
{
    lifecycle_status *read = argument;
    read->status = worker_connector_status(self, read->name);
}

/* Waits for a change and fails the test unless it succeeded. */
static void change_expect_ok(herder_waiter *waiter, const char *what)
{
    herder_result result;
    herder_wait(waiter, &result);
    if (result.status != HERDER_OK && result.status != HERDER_CREATED)
        fail_msg("%s failed (%d): %s", what, (int)result.status, result.message);
    herder_result_clear(&result);
}

/* Waits until the connector and its task report the expected states. */
static void states_wait(worker *self, const char *name, const char *connector_state,
                        const char *task_state)
{
    int64_t deadline = fp_now_ms() + 20000;
    char seen[256] = "";
    while (fp_now_ms() < deadline) {
        lifecycle_status command = {.name = name};
        assert_int_equal(worker_call(self, lifecycle_status_run, &command), 0);
        const char *connector = json_string_value(
            json_object_get(json_object_get(command.status, "connector"), "state"));
        json_t *tasks = json_object_get(command.status, "tasks");
        const char *task = json_string_value(json_object_get(json_array_get(tasks, 0), "state"));
        snprintf(seen, sizeof seen, "%s/%s", connector ? connector : "-", task ? task : "-");
        bool connector_ok = connector && strcmp(connector, connector_state) == 0;
        bool task_ok = task_state ? task && strcmp(task, task_state) == 0
                                  : json_array_size(tasks) == 0 || !task ||
                                        strcmp(task, "UNASSIGNED") == 0;
        json_decref(command.status);
        if (connector_ok && task_ok)
            return;
        fp_sleep_ms(100);
    }
    fail_msg("%s: expected %s/%s, last seen %s", name, connector_state,
             task_state ? task_state : "(no running task)", seen);
}

/* True when the topic grows within timeout_ms. */
static bool topic_grows(const char *topic, int timeout_ms)
{
    int64_t before = kt_partition_count(topic) ? kt_end_offsets_sum(topic) : 0;
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (fp_now_ms() < deadline) {
        fp_sleep_ms(200);
        if (kt_partition_count(topic) && kt_end_offsets_sum(topic) > before)
            return true;
    }
    return false;
}

/* The control thread: this test's main thread hands the worker over to it while the loop runs,
 * and takes it back once the loop returned. */
static void *control_thread_main(void *argument)
{
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_run(argument);
    return NULL;
}

static void test_pause_resume_stop_restart_delete(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("worker_lifecycle");
    const char *topic = fp_name(env, "ticks");
    const char *name = fp_name(env, "ticker");
    const char *worker_file = fp_worker_file(env, "worker.properties", 500, NULL);

    char why[1024];
    worker_config *config = worker_process_config_read(worker_file);
    assert_non_null(config);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker *self = worker_new(config, why, sizeof why);
    if (!self)
        fail_msg("worker_new: %s", why);
    herder *changes = standalone_herder_new(self);
    assert_non_null(changes);
    herder_waiter *waiter = herder_waiter_new();
    assert_non_null(waiter);
    thread_role_clear(); /* from here on, worker_call reaches the control thread */
    pthread_t control;
    assert_int_equal(pthread_create(&control, NULL, control_thread_main, self), 0);

    config_map *connector = config_map_new();
    config_map_set(connector, "name", name);
    config_map_set(connector, "connector.class", "SequenceSource");
    config_map_set(connector, "topic", topic);
    config_map_set(connector, "partitions", "1");
    config_map_set(connector, "batch.size", "10");
    config_map_set(connector, "interval.ms", "20");
    /* The broker creates no topic by itself: the connector creates its own. */
    config_map_set(connector, "topic.creation.default.replication.factor", "1");
    config_map_set(connector, "topic.creation.default.partitions", "1");
    herder_connector_put(changes, connector, STATE_RUNNING, false, herder_waiter_done, waiter);
    change_expect_ok(waiter, "create");
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    herder_connector_target(changes, name, STATE_PAUSED, herder_waiter_done, waiter);
    change_expect_ok(waiter, "pause");
    states_wait(self, name, "PAUSED", "PAUSED");
    fp_sleep_ms(500); /* what was in flight lands */
    if (topic_grows(topic, 1500))
        fail_msg("a PAUSED source still produces");

    herder_connector_target(changes, name, STATE_RUNNING, herder_waiter_done, waiter);
    change_expect_ok(waiter, "resume");
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    herder_connector_target(changes, name, STATE_STOPPED, herder_waiter_done, waiter);
    change_expect_ok(waiter, "stop");
    states_wait(self, name, "STOPPED", NULL);
    fp_sleep_ms(500);
    if (topic_grows(topic, 1500))
        fail_msg("a STOPPED source still produces");

    herder_connector_target(changes, name, STATE_RUNNING, herder_waiter_done, waiter);
    change_expect_ok(waiter, "start");
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    herder_connector_restart(changes, name, -1, true, false, herder_waiter_done, waiter);
    change_expect_ok(waiter, "restart");
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    /* The sequence resumes from its committed offsets across stop and restart: no gap. */
    herder_connector_delete(changes, name, herder_waiter_done, waiter);
    change_expect_ok(waiter, "delete");
    lifecycle_status gone = {.name = name};
    assert_int_equal(worker_call(self, lifecycle_status_run, &gone), 0);
    assert_null(gone.status);
    herder_connector_delete(changes, name, herder_waiter_done, waiter);
    herder_result result;
    herder_wait(waiter, &result);
    assert_int_equal(result.status, HERDER_NOT_FOUND);
    herder_result_clear(&result);

    worker_shutdown(self);
    pthread_join(control, NULL);
    lifecycle_status late = {.name = name};
    assert_int_equal(worker_call(self, lifecycle_status_run, &late), -1);
    herder_connector_target(changes, name, STATE_PAUSED, herder_waiter_done, waiter);
    herder_wait(waiter, &result);
    assert_int_equal(result.status, HERDER_UNAVAILABLE);
    herder_result_clear(&result);
    herder_waiter_destroy(waiter);
    herder_destroy(changes);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_destroy(self);
    thread_role_clear();

    kt_records *records = kt_consume_all(topic, 30000);
    size_t count = records->count;
    bool *seen = calloc(count + 1, sizeof(*seen));
    size_t highest = 0;
    for (size_t i = 0; i < count; i++) {
        const char *value = records->items[i].value;
        const char *colon = value ? strchr(value, ':') : NULL;
        size_t n = colon ? strtoul(colon + 1, NULL, 10) : SIZE_MAX;
        if (n <= count)
            seen[n] = true;
        if (n != SIZE_MAX && n > highest)
            highest = n;
    }
    for (size_t n = 0; n <= highest && n <= count; n++)
        if (!seen[n])
            fail_msg("record 0:%zu is missing after pause, stop and restart", n);
    printf("# worker lifecycle: %zu records, sequence 0..%zu complete\n", count, highest);
    free(seen);
    kt_records_free(records);
    config_map_destroy(connector);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_resume_stop_restart_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
