/* cluster_harness.c - workers of one cluster as processes, and what the tests ask of them. */
#include "cluster_harness.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka_tool.h"

static void ch_worker_file(ch_cluster *cluster, size_t i, const char *extra)
{
    ch_worker *worker = &cluster->workers[i];
    worker->port = i == 0 ? fp_listener_port(cluster->env) : fp_new_port(cluster->env);
    snprintf(worker->id, sizeof(worker->id), "127.0.0.1:%d", worker->port);
    snprintf(worker->base, sizeof(worker->base), "http://127.0.0.1:%d", worker->port);
    char name[32];
    snprintf(name, sizeof(name), "worker-%zu.properties", i);
    char keys[4096];
    snprintf(keys, sizeof(keys), "listeners=http://127.0.0.1:%d\n%s", worker->port,
             extra ? extra : "");
    worker->file = fp_worker_file(cluster->env, name, 1000, keys);
    worker->rest = rc_new(worker->base);
    assert_non_null(worker->rest);
}

void ch_init(ch_cluster *cluster, fp_env *env, size_t count, const char *extra)
{
    assert_true(count > 0 && count <= CH_MAX_WORKERS);
    memset(cluster, 0, sizeof(*cluster));
    cluster->env = env;
    for (size_t i = 0; i < count; i++) {
        cluster->count = i + 1;
        ch_worker_file(cluster, i, extra);
    }
}

size_t ch_add(ch_cluster *cluster, const char *extra)
{
    assert_true(cluster->count < CH_MAX_WORKERS);
    size_t i = cluster->count++;
    ch_worker_file(cluster, i, extra);
    return i;
}

void ch_finish(ch_cluster *cluster)
{
    for (size_t i = 0; i < cluster->count; i++) {
        ch_worker *worker = &cluster->workers[i];
        if (worker->proc && worker->paused)
            fp_signal(worker->proc, SIGCONT);
        if (worker->proc && fp_alive(worker->proc))
            fp_signal(worker->proc, SIGKILL);
        rc_free(worker->rest);
        worker->rest = NULL;
    }
}

void ch_start(ch_cluster *cluster, size_t i)
{
    ch_worker *worker = &cluster->workers[i];
    assert_false(worker->running);
    worker->proc = fp_start_distributed(cluster->env, worker->file);
    worker->running = true;
    worker->paused = false;
}

void ch_wait_healthy(ch_cluster *cluster, size_t i, int timeout_ms)
{
    ch_worker *worker = &cluster->workers[i];
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        rc_response response = {0};
        long status = rc_call(worker->rest, "GET", "/health", NULL, &response);
        rc_response_clear(&response);
        if (status == 200)
            return;
        if (!fp_alive(worker->proc)) {
            fp_print_log_tail(worker->proc, 40);
            fail_msg("worker %zu (%s) exited before it was healthy", i, worker->id);
        }
        if (fp_now_ms() > deadline) {
            fp_print_log_tail(worker->proc, 40);
            fail_msg("worker %zu (%s) not healthy within %d ms (last status %ld)", i,
                     worker->id, timeout_ms, status);
        }
        fp_sleep_ms(100);
    }
}

void ch_start_all(ch_cluster *cluster, int timeout_ms)
{
    for (size_t i = 0; i < cluster->count; i++)
        ch_start(cluster, i);
    for (size_t i = 0; i < cluster->count; i++)
        ch_wait_healthy(cluster, i, timeout_ms);
}

void ch_kill9(ch_cluster *cluster, size_t i)
{
    ch_worker *worker = &cluster->workers[i];
    assert_true(worker->running);
    if (worker->paused)
        fp_signal(worker->proc, SIGCONT);
    fp_kill9(worker->proc);
    worker->running = worker->paused = false;
}

void ch_pause(ch_cluster *cluster, size_t i)
{
    ch_worker *worker = &cluster->workers[i];
    assert_true(worker->running && !worker->paused);
    fp_signal(worker->proc, SIGSTOP);
    worker->paused = true;
}

void ch_resume(ch_cluster *cluster, size_t i)
{
    ch_worker *worker = &cluster->workers[i];
    assert_true(worker->paused);
    fp_signal(worker->proc, SIGCONT);
    worker->paused = false;
}

void ch_stop(ch_cluster *cluster, size_t i)
{
    ch_worker *worker = &cluster->workers[i];
    assert_true(worker->running && !worker->paused);
    fp_stop(worker->proc, 60000);
    worker->running = false;
}

void ch_stop_all(ch_cluster *cluster)
{
    for (size_t i = 0; i < cluster->count; i++) {
        ch_worker *worker = &cluster->workers[i];
        if (worker->running && worker->paused)
            ch_resume(cluster, i);
        if (worker->running)
            fp_signal(worker->proc, SIGTERM);
    }
    for (size_t i = 0; i < cluster->count; i++) {
        ch_worker *worker = &cluster->workers[i];
        if (!worker->running)
            continue;
        int code = -1;
        if (!fp_wait_exit(worker->proc, 60000, &code)) {
            fp_print_log_tail(worker->proc, 40);
            fail_msg("worker %zu (%s) did not exit within 60 s of SIGTERM", i, worker->id);
        }
        if (code != 0) {
            fp_print_log_tail(worker->proc, 40);
            fail_msg("worker %zu (%s) exited with status %d after SIGTERM", i, worker->id, code);
        }
        worker->running = false;
    }
}

size_t ch_any(const ch_cluster *cluster, size_t avoid)
{
    for (size_t i = 0; i < cluster->count; i++)
        if (i != avoid && cluster->workers[i].running && !cluster->workers[i].paused)
            return i;
    fail_msg("no running worker");
    return SIZE_MAX;
}

size_t ch_index_of(const ch_cluster *cluster, const char *worker_id)
{
    for (size_t i = 0; worker_id && i < cluster->count; i++)
        if (strcmp(cluster->workers[i].id, worker_id) == 0)
            return i;
    return SIZE_MAX;
}

json_t *ch_status(ch_cluster *cluster, size_t i, const char *connector)
{
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/status", connector);
    rc_response response = {0};
    long status = rc_call(cluster->workers[i].rest, "GET", path, NULL, &response);
    json_t *answer = status == 200 ? json_incref(response.json) : NULL;
    rc_response_clear(&response);
    return answer;
}

/* Whether status shows the connector and exactly tasks tasks RUNNING on running workers. */
static bool ch_all_running(const ch_cluster *cluster, json_t *status, int tasks)
{
    if (!status)
        return false;
    json_t *connector = json_object_get(status, "connector");
    const char *state = json_string_value(json_object_get(connector, "state"));
    if (!state || strcmp(state, "RUNNING") != 0)
        return false;
    size_t owner = ch_index_of(cluster, json_string_value(json_object_get(connector,
                                                                          "worker_id")));
    if (owner == SIZE_MAX || !cluster->workers[owner].running || cluster->workers[owner].paused)
        return false;
    json_t *list = json_object_get(status, "tasks");
    if ((int)json_array_size(list) != tasks)
        return false;
    size_t index;
    json_t *task;
    json_array_foreach(list, index, task) {
        const char *task_state = json_string_value(json_object_get(task, "state"));
        size_t runner = ch_index_of(cluster, json_string_value(json_object_get(task,
                                                                               "worker_id")));
        if (!task_state || strcmp(task_state, "RUNNING") != 0 || runner == SIZE_MAX ||
            !cluster->workers[runner].running || cluster->workers[runner].paused)
            return false;
    }
    return true;
}

int64_t ch_wait_running(ch_cluster *cluster, size_t asked, const char *connector, int tasks,
                        int timeout_ms)
{
    int64_t started = fp_now_ms();
    json_t *last = NULL;
    for (;;) {
        size_t i = asked == SIZE_MAX ? ch_any(cluster, SIZE_MAX) : asked;
        json_decref(last);
        last = ch_status(cluster, i, connector);
        if (ch_all_running(cluster, last, tasks)) {
            json_decref(last);
            return fp_now_ms() - started;
        }
        if (fp_now_ms() - started > timeout_ms) {
            char *text = last ? json_dumps(last, JSON_INDENT(1)) : NULL;
            fprintf(stderr, "last status of %s from worker %zu: %s\n", connector, i,
                    text ? text : "(none: 404 or no answer)");
            free(text);
            json_decref(last);
            for (size_t w = 0; w < cluster->count; w++)
                if (cluster->workers[w].proc) {
                    fprintf(stderr, "---- worker %zu (%s) log tail ----\n", w,
                            cluster->workers[w].id);
                    fp_print_log_tail(cluster->workers[w].proc, 30);
                }
            fail_msg("%s: not RUNNING with %d RUNNING tasks within %d ms", connector, tasks,
                     timeout_ms);
        }
        fp_sleep_ms(100);
    }
}

bool ch_task_worker(ch_cluster *cluster, size_t asked, const char *connector, int task, char *id,
                    size_t id_size)
{
    json_t *status = ch_status(cluster, asked == SIZE_MAX ? ch_any(cluster, SIZE_MAX) : asked,
                               connector);
    size_t index;
    json_t *entry;
    bool found = false;
    json_array_foreach(json_object_get(status, "tasks"), index, entry) {
        if (json_integer_value(json_object_get(entry, "id")) != task)
            continue;
        const char *worker_id = json_string_value(json_object_get(entry, "worker_id"));
        if (worker_id) {
            snprintf(id, id_size, "%s", worker_id);
            found = true;
        }
    }
    json_decref(status);
    return found;
}

void ch_task_counts(ch_cluster *cluster, const char *const *connectors, size_t connector_count,
                    int *counts)
{
    memset(counts, 0, cluster->count * sizeof(*counts));
    size_t asked = ch_any(cluster, SIZE_MAX);
    for (size_t c = 0; c < connector_count; c++) {
        json_t *status = ch_status(cluster, asked, connectors[c]);
        size_t index;
        json_t *entry;
        json_array_foreach(json_object_get(status, "tasks"), index, entry) {
            size_t runner = ch_index_of(cluster, json_string_value(json_object_get(entry,
                                                                                   "worker_id")));
            if (runner != SIZE_MAX)
                counts[runner]++;
        }
        json_decref(status);
    }
}

typedef struct ch_history_scan {
    char key[512];
    ch_task_history *history;
} ch_history_scan;

static void ch_history_record(const rd_kafka_message_t *message, void *opaque)
{
    ch_history_scan *scan = opaque;
    if (!message->key || message->key_len != strlen(scan->key) ||
        memcmp(message->key, scan->key, message->key_len) != 0 || !message->payload)
        return;
    json_t *value = json_loadb(message->payload, message->len, 0, NULL);
    const char *worker_id = json_string_value(json_object_get(value, "worker_id"));
    const char *state = json_string_value(json_object_get(value, "state"));
    scan->history->records++;
    snprintf(scan->history->worker_id, sizeof(scan->history->worker_id), "%s",
             worker_id ? worker_id : "");
    snprintf(scan->history->state, sizeof(scan->history->state), "%s", state ? state : "");
    json_decref(value);
}

void ch_task_history_read(ch_cluster *cluster, const char *connector, int task,
                          ch_task_history *history)
{
    memset(history, 0, sizeof(*history));
    ch_history_scan scan = {.history = history};
    snprintf(scan.key, sizeof(scan.key), "status-task-%s-%d", connector, task);
    kt_consume(fp_status_topic(cluster->env), 10000, ch_history_record, &scan);
}
