/*
 * test_worker_lifecycle.c - the lifecycle mechanism the REST API will expose, driven in process
 * through worker_call against the real broker: pause stops a source's records and resume brings
 * them back, stop shuts the tasks down and a new start resumes, restart and delete, with the
 * states Kafka Connect reports at each step.
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
#include "config/config_provider.h"
#include "config/properties.h"
#include "ferry_process.h"
#include "kafka_tool.h"
#include "runtime/worker.h"

/* One command for the control thread, and its answer. */
typedef struct lifecycle_command {
    enum { PUT, TARGET, RESTART, DELETE, STATUS } op;
    const char *name;
    const config_map *config;
    runtime_state target;
    int rc;
    json_t *status;
    char err[512];
} lifecycle_command;

static void lifecycle_run(worker *self, void *argument)
{
    lifecycle_command *command = argument;
    config_errors *errors = NULL;
    switch (command->op) {
    case PUT:
        errors = config_errors_new();
        command->rc = worker_connector_put(self, command->config, STATE_RUNNING, NULL, errors,
                                           command->err, sizeof command->err);
        config_errors_destroy(errors);
        break;
    case TARGET:
        command->rc = worker_connector_set_target(self, command->name, command->target,
                                                  command->err, sizeof command->err);
        break;
    case RESTART:
        command->rc = worker_connector_restart(self, command->name, true, false, -1,
                                               command->err, sizeof command->err);
        break;
    case DELETE:
        command->rc = worker_connector_delete(self, command->name, command->err,
                                              sizeof command->err);
        break;
    case STATUS:
        command->status = worker_connector_status(self, command->name);
        command->rc = command->status ? 0 : -1;
        break;
    }
}

static int lifecycle_call(worker *self, lifecycle_command *command)
{
    assert_int_equal(worker_call(self, lifecycle_run, command), 0);
    if (command->op != STATUS && command->rc != 0)
        fail_msg("command %d on %s failed: %s", command->op, command->name, command->err);
    return command->rc;
}

/* Waits until the connector and its task report the expected states. */
static void states_wait(worker *self, const char *name, const char *connector_state,
                        const char *task_state)
{
    int64_t deadline = fp_now_ms() + 20000;
    char seen[256] = "";
    while (fp_now_ms() < deadline) {
        lifecycle_command command = {.op = STATUS, .name = name};
        lifecycle_call(self, &command);
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
    config_map *raw = config_map_new();
    assert_int_equal(properties_parse_file(worker_file, raw, why, sizeof why), 0);
    config_errors *errors = config_errors_new();
    config_providers *providers = config_providers_new(raw, why, sizeof why);
    assert_non_null(providers);
    worker_config *config = worker_config_load(raw, providers, errors, NULL);
    assert_non_null(config);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker *self = worker_new(config, why, sizeof why);
    if (!self)
        fail_msg("worker_new: %s", why);
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
    lifecycle_command put = {.op = PUT, .name = name, .config = connector};
    lifecycle_call(self, &put);
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    lifecycle_command pause = {.op = TARGET, .name = name, .target = STATE_PAUSED};
    lifecycle_call(self, &pause);
    states_wait(self, name, "PAUSED", "PAUSED");
    fp_sleep_ms(500); /* what was in flight lands */
    if (topic_grows(topic, 1500))
        fail_msg("a PAUSED source still produces");

    lifecycle_command resume = {.op = TARGET, .name = name, .target = STATE_RUNNING};
    lifecycle_call(self, &resume);
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    lifecycle_command stop = {.op = TARGET, .name = name, .target = STATE_STOPPED};
    lifecycle_call(self, &stop);
    states_wait(self, name, "STOPPED", NULL);
    fp_sleep_ms(500);
    if (topic_grows(topic, 1500))
        fail_msg("a STOPPED source still produces");

    lifecycle_command start = {.op = TARGET, .name = name, .target = STATE_RUNNING};
    lifecycle_call(self, &start);
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    lifecycle_command restart = {.op = RESTART, .name = name};
    lifecycle_call(self, &restart);
    states_wait(self, name, "RUNNING", "RUNNING");
    assert_true(topic_grows(topic, 10000));

    /* The sequence resumes from its committed offsets across stop and restart: no gap. */
    lifecycle_command remove = {.op = DELETE, .name = name};
    lifecycle_call(self, &remove);
    lifecycle_command gone = {.op = STATUS, .name = name};
    worker_call(self, lifecycle_run, &gone);
    assert_null(gone.status);

    worker_shutdown(self);
    pthread_join(control, NULL);
    lifecycle_command late = {.op = STATUS, .name = name};
    assert_int_equal(worker_call(self, lifecycle_run, &late), -1);
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
    config_providers_destroy(providers);
    config_errors_destroy(errors);
    config_map_destroy(raw);
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
