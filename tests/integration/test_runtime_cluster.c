/*
 * test_runtime_cluster.c - the runtime of a worker of a cluster, driven in process as the
 * distributed herder drives it (worker_cluster_*, through worker_call) against the real broker,
 * with a test fence flag and a publish hook that records what the connector instance hands over
 * (the test then commits it as a leader would):
 *
 *   1. a part of a connector runs nothing before it is assigned; its instance alone hands its
 *      task configs over; once committed, tasks 0 and 1 assigned start exactly those;
 *   2. a task taken away stops alone: the other keeps its task object and writes no status
 *      record, the one taken away shows UNASSIGNED (putSafe) unless the worker it moved to
 *      wrote a newer record, which stays;
 *   3. a config change restarts the parts here; committed task configs that change restart only
 *      the tasks whose config changed, and a smaller count stops the tasks beyond it;
 *   4. the fence: every task stops at once, no source offset is committed after it although
 *      records were produced since the last commit, no status record is written while fenced;
 *   5. status merging: tasks running elsewhere show the worker id of their status records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <pthread.h>

#include "base/thread_role.h"
#include "ferry_process.h"
#include "kafka_tool.h"
#include "cli/worker_process.h"
#include "runtime/worker.h"
#include "stores/status_store.h"
#include "support/clock.h"

#define FLUSH_MS 500
#define WAIT_MS 20000
#define STORE_TIMEOUT_MS 30000

/* ---- the worker of a cluster, in process ------------------------------------------------ */

typedef struct cluster {
    fp_env *env;
    worker *self;
    pthread_t control;
    atomic_bool fenced;
    pthread_mutex_t mutex;
    json_t *published; /* connector -> the task configs its instance handed over last */
    int publish_calls;
} cluster;

static bool cluster_fenced(const void *opaque)
{
    const cluster *test = opaque;
    return atomic_load(&test->fenced);
}

/* The herder would send these to the leader; the test commits them itself when it wants to. */
static void cluster_publish(void *opaque, const char *connector, json_t *task_configs)
{
    cluster *test = opaque;
    pthread_mutex_lock(&test->mutex);
    json_object_set_new(test->published, connector, json_deep_copy(task_configs));
    test->publish_calls++;
    pthread_mutex_unlock(&test->mutex);
}

static int publish_calls(cluster *test)
{
    pthread_mutex_lock(&test->mutex);
    int calls = test->publish_calls;
    pthread_mutex_unlock(&test->mutex);
    return calls;
}

/* Waits until the publish hook was called `calls` times: a config change restarts the parts
 * here at the control loop's next tick, after the change that brought it. */
static void publish_wait(cluster *test, int calls)
{
    int64_t deadline = clock_monotonic_ms() + 10000;
    while (publish_calls(test) < calls) {
        if (clock_monotonic_ms() > deadline)
            fail_msg("the publish hook was called %d times within 10 s, expected %d",
                     publish_calls(test), calls);
        struct timespec pause = {.tv_nsec = 10000000L};
        nanosleep(&pause, NULL);
    }
    assert_int_equal(publish_calls(test), calls);
}

static json_t *published(cluster *test, const char *connector)
{
    pthread_mutex_lock(&test->mutex);
    json_t *configs = json_deep_copy(json_object_get(test->published, connector));
    pthread_mutex_unlock(&test->mutex);
    assert_non_null(configs);
    return configs;
}

static void *control_thread_main(void *argument)
{
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_run(argument);
    return NULL;
}

static void cluster_start(cluster *test, const char *test_name)
{
    test->env = fp_env_new(test_name);
    pthread_mutex_init(&test->mutex, NULL);
    test->published = json_object();
    const char *worker_file = fp_worker_file(test->env, "worker.properties", FLUSH_MS, NULL);
    char why[1024];
    worker_config *config = worker_process_config_read(worker_file);
    assert_non_null(config);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    test->self = worker_new(config, why, sizeof why);
    if (!test->self)
        fail_msg("worker_new: %s", why);
    worker_cluster_hooks hooks = {
        .fenced = cluster_fenced, .publish_tasks = cluster_publish, .opaque = test};
    worker_cluster_join(test->self, &hooks);
    thread_role_clear();
    assert_int_equal(pthread_create(&test->control, NULL, control_thread_main, test->self), 0);
}

static void cluster_stop(cluster *test)
{
    worker_shutdown(test->self);
    pthread_join(test->control, NULL);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_destroy(test->self);
    thread_role_clear();
    json_decref(test->published);
    pthread_mutex_destroy(&test->mutex);
    fp_pass(test->env);
    fp_env_finish(test->env);
}

static const char *worker_id(cluster *test)
{
    return worker_configuration(test->self)->worker_id;
}

/* ---- the herder's calls ----------------------------------------------------------------- */

static void configs_apply_run(worker *self, void *snapshot)
{
    worker_cluster_configs_apply(self, snapshot);
}

/* What the herder does when the config topic changed: the snapshot applied. */
static void configs_apply(cluster *test)
{
    json_t *snapshot = config_store_snapshot(worker_config_store(test->self));
    assert_non_null(snapshot);
    assert_int_equal(worker_call(test->self, configs_apply_run, snapshot), 0);
    json_decref(snapshot);
}

typedef struct assignment_command {
    strlist connectors;
    strlist tasks;
    int64_t epoch;
} assignment_command;

static void assignment_apply_run(worker *self, void *argument)
{
    assignment_command *command = argument;
    worker_cluster_assignment_apply(self, &command->connectors, &command->tasks,
                                    command->epoch);
}

/* Applies an assignment: connectors a comma-separated list of instances, tasks of task names. */
static void assign(cluster *test, int64_t epoch, const char *connectors, const char *tasks)
{
    assignment_command command = {.epoch = epoch};
    assert_int_equal(strlist_split(&command.connectors, connectors, ','), 0);
    assert_int_equal(strlist_split(&command.tasks, tasks, ','), 0);
    assert_int_equal(worker_call(test->self, assignment_apply_run, &command), 0);
    strlist_free(&command.connectors);
    strlist_free(&command.tasks);
}

static void fence_run(worker *self, void *argument)
{
    (void)argument;
    worker_cluster_fence(self);
}

static void connector_put(cluster *test, const char *name, const config_map *config)
{
    char why[512];
    if (config_store_put_connector(worker_config_store(test->self), name, config, why,
                                   sizeof why) != 0)
        fail_msg("put connector %s: %s", name, why);
}

static void tasks_put(cluster *test, const char *name, json_t *task_configs)
{
    char why[512];
    if (config_store_put_tasks(worker_config_store(test->self), name, task_configs, why,
                               sizeof why) != 0)
        fail_msg("put tasks of %s: %s", name, why);
}

/* ---- what the runtime shows -------------------------------------------------------------- */

typedef struct view_command {
    const char *name;
    int index;
    json_t *status;
    const void *task; /* the task object's metrics: the same while the same task runs */
    uint64_t polled;
    int task_count;
} view_command;

static void view_run(worker *self, void *argument)
{
    view_command *view = argument;
    view->status = worker_connector_status(self, view->name);
    connector_runtime *connector = worker_connector_find(self, view->name);
    view->task_count = connector ? connector_runtime_task_count(connector) : -1;
    task_metrics *metrics = connector ? connector_runtime_task_metrics(connector, view->index)
                                      : NULL;
    view->task = metrics;
    view->polled = metrics ? atomic_load(&metrics->records_polled) : 0;
}

static view_command view(cluster *test, const char *name, int index)
{
    view_command command = {.name = name, .index = index};
    assert_int_equal(worker_call(test->self, view_run, &command), 0);
    return command;
}

/* Whether no task object runs task index here (the status the view took is released). */
static bool view_no_task(cluster *test, const char *name, int index)
{
    view_command seen = view(test, name, index);
    json_decref(seen.status);
    return seen.task == NULL;
}

static json_t *status_task(json_t *status, int id)
{
    size_t i;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), i, task)
        if (json_integer_value(json_object_get(task, "id")) == id)
            return task;
    return NULL;
}

static bool string_is(json_t *value, const char *expected)
{
    const char *text = json_string_value(value);
    return text && expected && strcmp(text, expected) == 0;
}

/* Waits until task id shows state ("-": not listed) with worker_id (NULL: any). */
static void task_wait(cluster *test, const char *name, int id, const char *state,
                      const char *writer)
{
    int64_t deadline = fp_now_ms() + WAIT_MS;
    char *seen = NULL;
    while (fp_now_ms() < deadline) {
        view_command command = view(test, name, id);
        json_t *task = status_task(command.status, id);
        bool ok = strcmp(state, "-") == 0
                      ? !task
                      : task && string_is(json_object_get(task, "state"), state) &&
                            (!writer || string_is(json_object_get(task, "worker_id"), writer));
        free(seen);
        seen = json_dumps(command.status, JSON_COMPACT);
        json_decref(command.status);
        if (ok) {
            free(seen);
            return;
        }
        fp_sleep_ms(100);
    }
    fail_msg("%s task %d: expected %s, last seen %s", name, id, state, seen ? seen : "nothing");
}

/* ---- the status topic -------------------------------------------------------------------- */

static void status_sync(status_store *store)
{
    char err[512];
    if (status_store_sync(store, STORE_TIMEOUT_MS, err, sizeof err) != 0)
        fail_msg("status_store_sync: %s", err);
}

/* Every record of one key of the status topic, in order (null for tombstones). */
static json_t *status_history(cluster *test, const char *key)
{
    status_sync(worker_status_store(test->self));
    json_t *history = json_array();
    kt_records *records = kt_consume_all(fp_status_topic(test->env), 30000);
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *record = &records->items[i];
        if (!record->key || strcmp(record->key, key) != 0)
            continue;
        json_t *value = record->value ? json_loadb(record->value, record->value_len, 0, NULL)
                                      : NULL;
        json_array_append_new(history, value ? value : json_null());
    }
    kt_records_free(records);
    return history;
}

static size_t status_count(cluster *test, const char *connector, int task)
{
    char key[256];
    snprintf(key, sizeof key, "status-task-%s-%d", connector, task);
    json_t *history = status_history(test, key);
    size_t count = json_array_size(history);
    json_decref(history);
    return count;
}

/* The last record of a task's status, as JSON text with sorted keys (malloc'd). */
static char *status_last(cluster *test, const char *connector, int task)
{
    char key[256];
    snprintf(key, sizeof key, "status-task-%s-%d", connector, task);
    json_t *history = status_history(test, key);
    size_t count = json_array_size(history);
    char *text = count ? json_dumps(json_array_get(history, count - 1),
                                    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                       : strdup("none");
    json_decref(history);
    return text;
}

static char *status_text(const char *state, const char *writer, int generation)
{
    char *text = NULL;
    assert_true(asprintf(&text, "{\"generation\":%d,\"state\":\"%s\",\"trace\":null,"
                                "\"worker_id\":\"%s\"}", generation, state, writer) > 0);
    return text;
}

static void assert_status_last(cluster *test, const char *connector, int task,
                               const char *state, const char *writer, int generation)
{
    char *last = status_last(test, connector, task);
    char *expected = status_text(state, writer, generation);
    if (strcmp(last, expected) != 0)
        fail_msg("status of %s-%d: expected %s, the topic has %s", connector, task, expected,
                 last);
    free(last);
    free(expected);
}

/* A status store of another worker of the cluster. */
static status_store *other_worker_open(cluster *test, const char *id)
{
    char err[512];
    status_store *store = status_store_open(fp_status_topic(test->env), kt_conf_new(),
                                            kt_conf_new(), id, STORE_TIMEOUT_MS, err,
                                            sizeof err);
    if (!store)
        fail_msg("status_store_open: %s", err);
    return store;
}

/* Waits until this worker's status store holds task id's record from worker. */
static void status_store_wait(cluster *test, const char *connector, int id,
                              const char *writer)
{
    int64_t deadline = fp_now_ms() + WAIT_MS;
    while (fp_now_ms() < deadline) {
        json_t *tasks = status_store_tasks_get(worker_status_store(test->self), connector);
        json_t *task = NULL;
        size_t i;
        json_t *entry;
        json_array_foreach(tasks, i, entry)
            if (json_integer_value(json_object_get(entry, "id")) == id)
                task = entry;
        bool seen = task && string_is(json_object_get(task, "worker_id"), writer);
        json_decref(tasks);
        if (seen)
            return;
        fp_sleep_ms(50);
    }
    fail_msg("the status store never read %s-%d from %s", connector, id, writer);
}

/* Waits until the status store has read the connector's own status from writer: a record of
 * another partition than its tasks', so read in no order with theirs. */
static void status_connector_wait(cluster *test, const char *connector, const char *writer)
{
    int64_t deadline = fp_now_ms() + WAIT_MS;
    while (fp_now_ms() < deadline) {
        json_t *status = status_store_connector_get(worker_status_store(test->self), connector);
        bool seen = status && string_is(json_object_get(status, "worker_id"), writer);
        json_decref(status);
        if (seen)
            return;
        fp_sleep_ms(50);
    }
    fail_msg("the status store never read %s's status from %s", connector, writer);
}

static config_map *source_config(const char *name, const char *topic, const char *interval_ms)
{
    config_map *config = config_map_new();
    config_map_set(config, "name", name);
    config_map_set(config, "connector.class", "SequenceSource");
    config_map_set(config, "topic", topic);
    config_map_set(config, "partitions", "2");
    config_map_set(config, "tasks.max", "2");
    config_map_set(config, "batch.size", "10");
    config_map_set(config, "interval.ms", interval_ms);
    /* The broker creates no topic: the source does, with the broker's defaults. */
    config_map_set(config, "topic.creation.default.replication.factor", "-1");
    config_map_set(config, "topic.creation.default.partitions", "-1");
    return config;
}

/* ---- 1, 2, 3: parts, moves and configs --------------------------------------------------- */

static void test_parts_move_and_reconfigure(void **state)
{
    (void)state;
    cluster test = {0};
    cluster_start(&test, "runtime_cluster_parts");
    const char *name = fp_name(test.env, "seq");
    const char *topic = fp_name(test.env, "seq_topic");
    const char *me = worker_id(&test);

    /* 1. Known from the config topic, nothing assigned: nothing runs, nothing is written. */
    config_map *config = source_config(name, topic, "20");
    connector_put(&test, name, config);
    configs_apply(&test);
    view_command seen = view(&test, name, 0);
    assert_int_equal(seen.task_count, 0);
    assert_true(string_is(json_object_get(json_object_get(seen.status, "connector"), "state"),
                          "UNASSIGNED"));
    json_decref(seen.status);
    assert_int_equal(publish_calls(&test), 0);
    status_sync(worker_status_store(test.self));
    assert_null(status_store_connector_get(worker_status_store(test.self), name));

    /* The instance alone: its task configs are handed over, no task runs. */
    assign(&test, 1, name, "");
    assert_int_equal(publish_calls(&test), 1);
    json_t *made = published(&test, name);
    assert_int_equal(json_array_size(made), 2);
    seen = view(&test, name, 0);
    assert_true(string_is(json_object_get(json_object_get(seen.status, "connector"), "state"),
                          "RUNNING"));
    assert_true(string_is(json_object_get(json_object_get(seen.status, "connector"),
                                          "worker_id"), me));
    assert_int_equal(json_array_size(json_object_get(seen.status, "tasks")), 0);
    json_decref(seen.status);

    /* Committed as a leader would: two tasks, still none assigned; then exactly those two. */
    tasks_put(&test, name, made);
    configs_apply(&test);
    assert_int_equal(publish_calls(&test), 1); /* the committed configs are the instance's */
    seen = view(&test, name, 0);
    assert_int_equal(seen.task_count, 2);
    assert_null(seen.task);
    json_decref(seen.status);
    char task0[160], task1[160], both[330];
    snprintf(task0, sizeof task0, "%s-0", name);
    snprintf(task1, sizeof task1, "%s-1", name);
    snprintf(both, sizeof both, "%s,%s", task0, task1);
    assign(&test, 2, name, both);
    task_wait(&test, name, 0, "RUNNING", me);
    task_wait(&test, name, 1, "RUNNING", me);
    assert_status_last(&test, name, 0, "RUNNING", me, 2);
    assert_status_last(&test, name, 1, "RUNNING", me, 2);

    /* 2. Task 1 taken away: task 0 keeps its task object and writes nothing. */
    view_command before = view(&test, name, 0);
    json_decref(before.status);
    size_t task0_records = status_count(&test, name, 0);
    assign(&test, 3, name, task0);
    view_command after = view(&test, name, 0);
    json_decref(after.status);
    assert_ptr_equal(after.task, before.task);
    assert_true(after.polled >= before.polled);
    assert_true(view_no_task(&test, name, 1));
    assert_int_equal(status_count(&test, name, 0), task0_records);
    assert_status_last(&test, name, 1, "UNASSIGNED", me, 3);

    /* Back here, then moved to a worker that already wrote a newer record: that one stays. */
    assign(&test, 4, name, both);
    task_wait(&test, name, 1, "RUNNING", me);
    assert_status_last(&test, name, 1, "RUNNING", me, 4);
    status_store *other = other_worker_open(&test, "other-worker:8083");
    status_store_task(other, name, 1, "RUNNING", NULL, 6);
    status_sync(other);
    status_store_wait(&test, name, 1, "other-worker:8083");
    assign(&test, 5, name, task0);
    assert_true(view_no_task(&test, name, 1));
    assert_status_last(&test, name, 1, "RUNNING", "other-worker:8083", 6);
    task_wait(&test, name, 1, "RUNNING", "other-worker:8083"); /* merged from the topic */
    after = view(&test, name, 0);
    json_decref(after.status);
    assert_ptr_equal(after.task, before.task);
    assert_int_equal(status_count(&test, name, 0), task0_records);

    /* 3. A new config: the instance makes new task configs, task 0 (here) restarts; task 1
     * (elsewhere) gets no record from this worker. */
    int calls = publish_calls(&test);
    config_map_destroy(config);
    config = source_config(name, topic, "30");
    connector_put(&test, name, config);
    configs_apply(&test);
    publish_wait(&test, calls + 1);
    json_decref(made);
    made = published(&test, name);
    assert_string_equal(json_string_value(json_object_get(json_array_get(made, 0),
                                                          "interval.ms")), "30");
    task_wait(&test, name, 0, "RUNNING", me);
    assert_true(status_count(&test, name, 0) >= task0_records + 2); /* UNASSIGNED, RUNNING */
    assert_status_last(&test, name, 1, "RUNNING", "other-worker:8083", 6);

    /* Committed as handed over; both tasks here again. */
    tasks_put(&test, name, made);
    configs_apply(&test);
    assign(&test, 7, name, both);
    task_wait(&test, name, 0, "RUNNING", me);
    task_wait(&test, name, 1, "RUNNING", me);
    assert_status_last(&test, name, 1, "RUNNING", me, 7);

    /* Only task 1's committed config changes: task 1 restarts, task 0 is untouched. */
    before = view(&test, name, 0);
    json_decref(before.status);
    task0_records = status_count(&test, name, 0);
    size_t task1_records = status_count(&test, name, 1);
    json_t *changed = json_deep_copy(made);
    json_object_set_new(json_array_get(changed, 1), "batch.size", json_string("7"));
    tasks_put(&test, name, changed);
    configs_apply(&test);
    task_wait(&test, name, 1, "RUNNING", me);
    after = view(&test, name, 0);
    json_decref(after.status);
    assert_ptr_equal(after.task, before.task);
    assert_true(after.polled >= before.polled);
    assert_int_equal(status_count(&test, name, 0), task0_records);
    assert_true(status_count(&test, name, 1) >= task1_records + 2);

    /* One task committed: task 1 stops, task 0 still untouched. */
    json_array_remove(changed, 1);
    tasks_put(&test, name, changed);
    configs_apply(&test);
    seen = view(&test, name, 0);
    assert_int_equal(seen.task_count, 1);
    assert_ptr_equal(seen.task, before.task);
    json_decref(seen.status);
    assert_int_equal(status_count(&test, name, 0), task0_records);
    assert_status_last(&test, name, 1, "UNASSIGNED", me, 7);

    status_store_close(other);
    json_decref(changed);
    json_decref(made);
    config_map_destroy(config);
    cluster_stop(&test);
}

/* ---- 4: the fence ------------------------------------------------------------------------ */

/* The highest sequence number the topic holds per source partition (0 and 1). */
static void produced_highest(const char *topic, long highest[2])
{
    highest[0] = highest[1] = -1;
    kt_records *records = kt_consume_all(topic, 30000);
    for (size_t i = 0; i < records->count; i++) {
        const char *value = records->items[i].value;
        int partition;
        long sequence;
        if (value && sscanf(value, "%d:%ld", &partition, &sequence) == 2 && partition >= 0 &&
            partition < 2 && sequence > highest[partition])
            highest[partition] = sequence;
    }
    kt_records_free(records);
}

/* The committed offset of source partition n: the next sequence number, or -1. */
static long committed_next(cluster *test, const char *name, int partition)
{
    json_t *key = json_pack("{s:s, s:i}", "sequence", name, "partition", partition);
    json_t *offset = offset_store_get(worker_offsets(test->self), name, key);
    long next = offset ? (long)json_integer_value(json_object_get(offset, "seq")) : -1;
    json_decref(offset);
    json_decref(key);
    return next;
}

static void test_fence(void **state)
{
    (void)state;
    cluster test = {0};
    cluster_start(&test, "runtime_cluster_fence");
    const char *name = fp_name(test.env, "fenced");
    const char *topic = fp_name(test.env, "fenced_topic");
    const char *me = worker_id(&test);
    config_map *config = source_config(name, topic, "20");
    connector_put(&test, name, config);
    configs_apply(&test);
    assign(&test, 1, name, "");
    json_t *made = published(&test, name);
    tasks_put(&test, name, made);
    configs_apply(&test);
    char both[330];
    snprintf(both, sizeof both, "%s-0,%s-1", name, name);
    assign(&test, 2, name, both);
    task_wait(&test, name, 0, "RUNNING", me);
    task_wait(&test, name, 1, "RUNNING", me);
    int64_t deadline = fp_now_ms() + WAIT_MS;
    while ((committed_next(&test, name, 0) < 0 || committed_next(&test, name, 1) < 0) &&
           fp_now_ms() < deadline)
        fp_sleep_ms(100);
    assert_true(committed_next(&test, name, 0) >= 0 && committed_next(&test, name, 1) >= 0);

    /* Fenced: the tasks see it at their next poll; a commit already in flight may land (the
     * window docs/distributed.md names), so the topics are measured a moment later. */
    atomic_store(&test.fenced, true);
    fp_sleep_ms(300);
    status_sync(worker_status_store(test.self));
    int64_t offsets_end = kt_end_offsets_sum(fp_offsets_topic(test.env));
    int64_t status_end = kt_end_offsets_sum(fp_status_topic(test.env));
    long committed[2] = {committed_next(&test, name, 0), committed_next(&test, name, 1)};
    int64_t started = fp_now_ms();
    assert_int_equal(worker_call(test.self, fence_run, NULL), 0);
    int64_t took = fp_now_ms() - started;
    if (took > 3000)
        fail_msg("the fence took %lld ms to stop the tasks", (long long)took);
    view_command seen = view(&test, name, 0);
    assert_null(seen.task);
    json_decref(seen.status);
    assert_true(view_no_task(&test, name, 1));

    /* Four flush intervals later: no offsets and no status written, although records were
     * produced past the last commit (a standalone stop would have committed them). */
    fp_sleep_ms(4 * FLUSH_MS);
    assert_int_equal(kt_end_offsets_sum(fp_offsets_topic(test.env)), offsets_end);
    assert_int_equal(kt_end_offsets_sum(fp_status_topic(test.env)), status_end);
    assert_int_equal(committed_next(&test, name, 0), committed[0]);
    assert_int_equal(committed_next(&test, name, 1), committed[1]);
    long highest[2];
    produced_highest(topic, highest);
    if (highest[0] + 1 <= committed[0] && highest[1] + 1 <= committed[1])
        fail_msg("nothing was produced past the last commit (%ld/%ld, %ld/%ld): the test "
                 "proves nothing", highest[0], committed[0], highest[1], committed[1]);

    /* Rejoined: the next assignment runs the tasks again, from the committed offsets. */
    atomic_store(&test.fenced, false);
    assign(&test, 3, name, both);
    task_wait(&test, name, 0, "RUNNING", me);
    task_wait(&test, name, 1, "RUNNING", me);
    assert_status_last(&test, name, 0, "RUNNING", me, 3);

    json_decref(made);
    config_map_destroy(config);
    cluster_stop(&test);
}

/* ---- 5: status merged from the status topic ---------------------------------------------- */

static void test_status_elsewhere(void **state)
{
    (void)state;
    cluster test = {0};
    cluster_start(&test, "runtime_cluster_status");
    const char *name = fp_name(test.env, "remote");
    const char *topic = fp_name(test.env, "remote_topic");
    const char *elsewhere = "other-worker:8084";
    config_map *config = source_config(name, topic, "20");
    connector_put(&test, name, config);
    json_t *tasks = json_pack("[{s:s}, {s:s}, {s:s}]", "task.partitions", "0",
                              "task.partitions", "1", "task.partitions", "1");
    tasks_put(&test, name, tasks);
    configs_apply(&test);
    assign(&test, 5, "", "");

    status_store *other = other_worker_open(&test, elsewhere);
    status_store_connector(other, name, "RUNNING", NULL, 5);
    status_store_task(other, name, 0, "RUNNING", NULL, 5);
    status_store_task(other, name, 1, "FAILED", "boom", 5);
    status_sync(other);
    status_store_wait(&test, name, 0, elsewhere);
    status_store_wait(&test, name, 1, elsewhere);
    status_connector_wait(&test, name, elsewhere);
    view_command seen = view(&test, name, 0);
    json_t *status = seen.status;
    assert_int_equal(seen.task_count, 3);
    assert_null(seen.task);
    json_t *instance = json_object_get(status, "connector");
    assert_true(string_is(json_object_get(instance, "state"), "RUNNING"));
    assert_true(string_is(json_object_get(instance, "worker_id"), elsewhere));
    assert_true(string_is(json_object_get(status, "type"), "source"));
    /* Kafka Connect lists the tasks the status topic knows: task 2 has no record yet. */
    assert_int_equal(json_array_size(json_object_get(status, "tasks")), 2);
    assert_true(string_is(json_object_get(status_task(status, 0), "worker_id"), elsewhere));
    assert_true(string_is(json_object_get(status_task(status, 1), "state"), "FAILED"));
    assert_true(string_is(json_object_get(status_task(status, 1), "trace"), "boom"));
    assert_null(status_task(status, 2));
    json_decref(status);

    /* Task 2 assigned here: shown from the runtime with this worker's id, the others still
     * from the topic. */
    char task2[160];
    snprintf(task2, sizeof task2, "%s-2", name);
    assign(&test, 6, "", task2);
    task_wait(&test, name, 2, "RUNNING", worker_id(&test));
    seen = view(&test, name, 0);
    assert_true(string_is(json_object_get(status_task(seen.status, 0), "worker_id"), elsewhere));
    assert_true(string_is(json_object_get(json_object_get(seen.status, "connector"), "worker_id"),
                          elsewhere));
    json_decref(seen.status);

    status_store_close(other);
    json_decref(tasks);
    config_map_destroy(config);
    cluster_stop(&test);
}

/* ---- 6: a restart does not hold the control loop ------------------------------------------ */

/* A connector's new config restarts its task here, whose stop takes 2 s (RecordingSink's
 * stop.delay.ms): the control loop answers meanwhile, and the new instance of the task starts
 * only once the old one has stopped. New task configs committed while it still stops (what the
 * instance's new config makes, in a cluster) do not make the loop wait for it either, and the
 * task starts once, with them. */
static void test_restart_off_the_loop(void **state)
{
    (void)state;
    cluster test = {0};
    cluster_start(&test, "runtime_cluster_restart");
    const char *name = fp_name(test.env, "slow");
    const char *topic = fp_name(test.env, "slow_topic");
    kt_create_topic(topic, 1, NULL);
    const char *me = worker_id(&test);
    config_map *config = config_map_new();
    config_map_set(config, "name", name);
    config_map_set(config, "connector.class", "RecordingSink");
    config_map_set(config, "topics", topic);
    config_map_set(config, "file", fp_path(test.env, "slow.txt"));
    config_map_set(config, "stop.delay.ms", "2000");
    connector_put(&test, name, config);
    configs_apply(&test);
    char task0[160];
    snprintf(task0, sizeof task0, "%s-0", name);
    assign(&test, 1, name, task0);
    json_t *made = published(&test, name);
    tasks_put(&test, name, made);
    configs_apply(&test);
    task_wait(&test, name, 0, "RUNNING", me);
    view_command before = view(&test, name, 0);
    json_decref(before.status);
    assert_non_null(before.task);

    config_map_set(config, "batch.note", "changed");
    connector_put(&test, name, config);
    int64_t started = fp_now_ms();
    configs_apply(&test);
    /* The next tick asks the task to stop; the loop goes on answering while it takes 2 s. */
    fp_sleep_ms(200);
    view_command during = view(&test, name, 0);
    int64_t answered = fp_now_ms() - started;
    json_decref(during.status);
    printf("# the control loop answered %" PRId64 " ms after the change\n", answered);
    assert_true(answered < 1500);
    assert_null(during.task); /* the old instance is stopping, the new one waits for it */

    json_t *recommitted = json_deep_copy(made);
    json_object_set_new(json_array_get(recommitted, 0), "batch.note", json_string("committed"));
    tasks_put(&test, name, recommitted);
    int64_t committed = fp_now_ms();
    configs_apply(&test);
    view_command stopping = view(&test, name, 0);
    int64_t waited = fp_now_ms() - committed;
    json_decref(stopping.status);
    printf("# new task configs applied in %" PRId64 " ms while the old task stops\n", waited);
    assert_true(waited < 1000);
    assert_null(stopping.task);

    task_wait(&test, name, 0, "RUNNING", me);
    view_command after = view(&test, name, 0);
    json_decref(after.status);
    assert_non_null(after.task);
    int64_t restarted = fp_now_ms() - started;
    printf("# the task ran again %" PRId64 " ms after the change\n", restarted);
    assert_true(restarted >= 2000); /* not before the old instance had stopped */
    /* Started once, with the configs committed by then: no second restart follows. */
    fp_sleep_ms(500);
    view_command later = view(&test, name, 0);
    json_decref(later.status);
    assert_ptr_equal(later.task, after.task);
    json_decref(recommitted);
    json_decref(made);
    config_map_destroy(config);
    cluster_stop(&test);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_parts_move_and_reconfigure, fp_env_teardown),
        cmocka_unit_test_teardown(test_fence, fp_env_teardown),
        cmocka_unit_test_teardown(test_status_elsewhere, fp_env_teardown),
        cmocka_unit_test_teardown(test_restart_off_the_loop, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
