/* cluster_harness.c - workers of one cluster as processes, and what the tests ask of them. */
#include "cluster_harness.h"

#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void ch_restart(ch_cluster *cluster, size_t i, int timeout_ms)
{
    ch_stop(cluster, i);
    ch_start(cluster, i);
    ch_wait_healthy(cluster, i, timeout_ms);
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

/* Whether status shows the connector and exactly tasks tasks in state on running workers. */
static bool ch_all_in_state(const ch_cluster *cluster, json_t *status, const char *wanted,
                            int tasks)
{
    if (!status)
        return false;
    json_t *connector = json_object_get(status, "connector");
    const char *state = json_string_value(json_object_get(connector, "state"));
    if (!state || strcmp(state, wanted) != 0)
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
        if (!task_state || strcmp(task_state, wanted) != 0 || runner == SIZE_MAX ||
            !cluster->workers[runner].running || cluster->workers[runner].paused)
            return false;
    }
    return true;
}

int64_t ch_wait_state(ch_cluster *cluster, size_t asked, const char *connector, const char *state,
                      int tasks, int timeout_ms)
{
    int64_t started = fp_now_ms();
    json_t *last = NULL;
    for (;;) {
        size_t i = asked == SIZE_MAX ? ch_any(cluster, SIZE_MAX) : asked;
        json_decref(last);
        last = ch_status(cluster, i, connector);
        if (ch_all_in_state(cluster, last, state, tasks)) {
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
            fail_msg("%s: not %s with %d %s tasks within %d ms", connector, state, tasks, state,
                     timeout_ms);
        }
        fp_sleep_ms(100);
    }
}

int64_t ch_wait_running(ch_cluster *cluster, size_t asked, const char *connector, int tasks,
                        int timeout_ms)
{
    return ch_wait_state(cluster, asked, connector, "RUNNING", tasks, timeout_ms);
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
    bool all;
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
    ch_task_history *history = scan->history;
    snprintf(history->worker_id, sizeof(history->worker_id), "%s", worker_id ? worker_id : "");
    snprintf(history->state, sizeof(history->state), "%s", state ? state : "");
    if (scan->all) {
        ch_status_record *items = realloc(history->items,
                                          (history->records + 1) * sizeof(*items));
        assert_non_null(items);
        history->items = items;
        ch_status_record *item = &items[history->records];
        memcpy(item->worker_id, history->worker_id, sizeof(item->worker_id));
        memcpy(item->state, history->state, sizeof(item->state));
        item->generation = json_integer_value(json_object_get(value, "generation"));
    }
    history->records++;
    json_decref(value);
}

static void ch_history_read(ch_cluster *cluster, const char *connector, int task, bool all,
                            ch_task_history *history)
{
    memset(history, 0, sizeof(*history));
    ch_history_scan scan = {.history = history, .all = all};
    snprintf(scan.key, sizeof(scan.key), "status-task-%s-%d", connector, task);
    kt_consume(fp_status_topic(cluster->env), 10000, ch_history_record, &scan);
}

void ch_task_history_read(ch_cluster *cluster, const char *connector, int task,
                          ch_task_history *history)
{
    ch_history_read(cluster, connector, task, false, history);
}

void ch_task_history_read_all(ch_cluster *cluster, const char *connector, int task,
                              ch_task_history *history)
{
    ch_history_read(cluster, connector, task, true, history);
}

void ch_task_history_clear(ch_task_history *history)
{
    free(history->items);
    memset(history, 0, sizeof(*history));
}

/* ---- the leader ---------------------------------------------------------------------------- */

/* Worker i's GET /metrics (malloc'd), NULL when it does not answer 200. */
static char *ch_metrics_text(ch_cluster *cluster, size_t i)
{
    rc_response response = {0};
    long status = rc_call(cluster->workers[i].rest, "GET", "/metrics", NULL, &response);
    char *text = status == 200 ? strdup(response.body) : NULL;
    rc_response_clear(&response);
    return text;
}

/* The value of the line "<name> <value>" of a metrics text. */
static bool ch_metrics_value(const char *text, const char *name, double *value)
{
    size_t len = strlen(name);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1
                                                                            : NULL) {
        if (strncmp(line, name, len) == 0 && line[len] == ' ')
            return sscanf(line + len + 1, "%lf", value) == 1;
    }
    return false;
}

bool ch_metric(ch_cluster *cluster, size_t i, const char *name, double *value)
{
    char *text = ch_metrics_text(cluster, i);
    bool found = text && ch_metrics_value(text, name, value);
    free(text);
    return found;
}

size_t ch_wait_leader(ch_cluster *cluster, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        size_t leader = SIZE_MAX, leaders = 0, agreeing = 0, running = 0;
        char named[CH_MAX_WORKERS][80];
        for (size_t i = 0; i < cluster->count; i++) {
            named[i][0] = '\0';
            if (!cluster->workers[i].running || cluster->workers[i].paused)
                continue;
            running++;
            char *text = ch_metrics_text(cluster, i);
            double value = 0;
            if (text && ch_metrics_value(text, "ferry_cluster_leader", &value) && value == 1) {
                leader = i;
                leaders++;
            }
            const char *info = text ? strstr(text, "leader_id=\"") : NULL;
            if (info)
                sscanf(info, "leader_id=\"%79[^\"]", named[i]);
            free(text);
        }
        for (size_t i = 0; leaders == 1 && i < cluster->count; i++)
            agreeing += strcmp(named[i], cluster->workers[leader].id) == 0;
        if (leaders == 1 && agreeing == running)
            return leader;
        if (fp_now_ms() > deadline)
            fail_msg("no single leader known to every running worker within %d ms (%zu workers "
                     "say they lead, %zu of %zu name %s)", timeout_ms, leaders, agreeing, running,
                     leader == SIZE_MAX ? "none" : cluster->workers[leader].id);
        fp_sleep_ms(100);
    }
}

/* ---- connectors ---------------------------------------------------------------------------- */

void ch_source_create(ch_cluster *cluster, size_t i, const char *name, const char *topic,
                      int tasks)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"config\":{\"connector.class\":\"SequenceSource\","
             "\"tasks.max\":\"%d\",\"topic\":\"%s\",\"partitions\":\"%d\","
             "\"batch.size\":\"20\",\"interval.ms\":\"50\",\"origin.header\":\"origin\"}}",
             name, tasks, topic, tasks * 2);
    json_t *answer = rc_expect(cluster->workers[i].rest, "POST", "/connectors", body, 201);
    json_decref(answer);
}

const char *ch_source_new(ch_cluster *cluster, size_t i, const char *prefix, int tasks)
{
    const char *name = fp_name(cluster->env, prefix);
    kt_create_topic(name, 1, NULL);
    ch_source_create(cluster, i, name, name, tasks);
    return name;
}

void ch_start_with_sources(ch_cluster *cluster, fp_env *env, const char *extra,
                           const char *prefix, const char **names)
{
    ch_init(cluster, env, 3, extra);
    ch_start_all(cluster, 60000);
    for (size_t i = 0; i < 3; i++) {
        char numbered[64];
        snprintf(numbered, sizeof(numbered), "%s%zu", prefix, i);
        names[i] = ch_source_new(cluster, i, numbered, 2);
    }
    for (size_t i = 0; i < 3; i++)
        ch_wait_running(cluster, SIZE_MAX, names[i], 2, 60000);
}

json_t *ch_change(ch_cluster *cluster, size_t i, const char *method, const char *path,
                  const char *body, long expected, int timeout_ms, int *conflicts)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        rc_response response = {0};
        long status = rc_call(cluster->workers[i].rest, method, path, body, &response);
        if (status == expected) {
            json_t *answer = json_incref(response.json);
            rc_response_clear(&response);
            return answer;
        }
        if (status != 409 || fp_now_ms() > deadline) {
            char text[512];
            snprintf(text, sizeof(text), "%s", response.body ? response.body : response.error);
            rc_response_clear(&response);
            fail_msg("%s %s on worker %zu answered %ld, expected %ld: %s", method, path, i,
                     status, expected, text);
        }
        rc_response_clear(&response);
        if (conflicts)
            (*conflicts)++;
        fp_sleep_ms(100);
    }
}

void ch_wait_balanced(ch_cluster *cluster, const char *const *connectors,
                      size_t connector_count, int total, int64_t timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    for (;;) {
        int counts[CH_MAX_WORKERS];
        ch_task_counts(cluster, connectors, connector_count, counts);
        int min = total, max = 0, sum = 0;
        for (size_t w = 0; w < cluster->count; w++) {
            if (!cluster->workers[w].running)
                continue;
            min = counts[w] < min ? counts[w] : min;
            max = counts[w] > max ? counts[w] : max;
            sum += counts[w];
        }
        if ((sum == total && max - min <= 1) || fp_now_ms() > deadline)
            break;
        fp_sleep_ms(100);
    }
    ch_expect_balanced(cluster, connectors, connector_count, total);
}

void ch_expect_balanced(ch_cluster *cluster, const char *const *connectors,
                        size_t connector_count, int total)
{
    int counts[CH_MAX_WORKERS];
    ch_task_counts(cluster, connectors, connector_count, counts);
    int min = total, max = 0, sum = 0;
    for (size_t w = 0; w < cluster->count; w++) {
        if (!cluster->workers[w].running)
            continue;
        printf("# worker %zu (%s) runs %d tasks\n", w, cluster->workers[w].id, counts[w]);
        min = counts[w] < min ? counts[w] : min;
        max = counts[w] > max ? counts[w] : max;
        sum += counts[w];
    }
    assert_int_equal(sum, total);
    if (max - min > 1)
        fail_msg("unbalanced: %d to %d tasks per worker", min, max);
}

/* ---- what sequence sources wrote ------------------------------------------------------------- */

int64_t ch_wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

bool ch_origin_of_pid(const char *origin, long pid)
{
    char prefix[32];
    int len = snprintf(prefix, sizeof(prefix), "%ld-", pid);
    return strncmp(origin, prefix, (size_t)len) == 0;
}

void ch_zombie_records_count(const ch_sequence *sequence, long pid, int64_t paused_at,
                             int64_t woke_at, ch_zombie_records *out)
{
    char instances[16][48];
    *out = (ch_zombie_records){0};
    for (size_t i = 0; i < sequence->count; i++) {
        const ch_sequence_record *record = &sequence->items[i];
        if (!ch_origin_of_pid(record->origin, pid) || record->timestamp_ms >= paused_at)
            continue;
        bool known = false;
        for (size_t k = 0; k < out->instances && !known; k++)
            known = strcmp(instances[k], record->origin) == 0;
        if (!known && out->instances < 16)
            snprintf(instances[out->instances++], sizeof(instances[0]), "%s", record->origin);
    }
    for (size_t i = 0; i < sequence->count; i++) {
        const ch_sequence_record *record = &sequence->items[i];
        if (!ch_origin_of_pid(record->origin, pid))
            continue;
        bool paused_instance = false;
        for (size_t k = 0; k < out->instances && !paused_instance; k++)
            paused_instance = strcmp(instances[k], record->origin) == 0;
        if (!paused_instance) {
            out->later_instances++;
        } else if (record->timestamp_ms < paused_at) {
            out->before++;
        } else if (record->timestamp_ms < woke_at) {
            out->pausing++;
        } else {
            if (!out->first_woke)
                out->first_woke = record;
            out->after_wake++;
        }
    }
}

void ch_wait_topic_growth(const char *topic, int64_t from, int64_t more, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (kt_end_offsets_sum(topic) < from + more) {
        if (fp_now_ms() > deadline)
            fail_msg("%s: fewer than %" PRId64 " new records within %d ms", topic, more,
                     timeout_ms);
        fp_sleep_ms(100);
    }
}

static void ch_sequence_record_read(const rd_kafka_message_t *message, void *opaque)
{
    ch_sequence *sequence = opaque;
    char text[64];
    size_t len = message->len < sizeof(text) - 1 ? message->len : sizeof(text) - 1;
    memcpy(text, message->payload, len);
    text[len] = '\0';
    ch_sequence_record record = {.partition = message->partition, .offset = message->offset};
    if (sscanf(text, "%d:%" SCNd64, &record.source_partition, &record.number) != 2 ||
        record.source_partition < 0 || record.number < 0)
        fail_msg("not a sequence record: %s", text);
    rd_kafka_timestamp_type_t type;
    record.timestamp_ms = rd_kafka_message_timestamp(message, &type);
    rd_kafka_headers_t *headers = NULL;
    const void *origin = NULL;
    size_t origin_len = 0;
    if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(headers, "origin", &origin, &origin_len) ==
            RD_KAFKA_RESP_ERR_NO_ERROR && origin)
        snprintf(record.origin, sizeof(record.origin), "%.*s", (int)origin_len,
                 (const char *)origin);
    if (sequence->count % 4096 == 0) {
        ch_sequence_record *items = realloc(sequence->items,
                                            (sequence->count + 4096) * sizeof(*items));
        assert_non_null(items);
        sequence->items = items;
    }
    sequence->items[sequence->count++] = record;
}

ch_sequence *ch_sequence_read(const char *topic)
{
    ch_sequence *sequence = calloc(1, sizeof(*sequence));
    assert_non_null(sequence);
    kt_consume(topic, 30000, ch_sequence_record_read, sequence);
    return sequence;
}

void ch_sequence_free(ch_sequence *sequence)
{
    if (!sequence)
        return;
    free(sequence->items);
    free(sequence);
}

int64_t ch_sequence_expect_no_gaps(const ch_sequence *sequence, const char *topic,
                                   size_t partitions)
{
    int64_t distinct = 0;
    for (size_t p = 0; p < partitions; p++) {
        int64_t highest = -1;
        for (size_t i = 0; i < sequence->count; i++)
            if (sequence->items[i].source_partition == (int)p &&
                sequence->items[i].number > highest)
                highest = sequence->items[i].number;
        uint8_t *seen = calloc((size_t)highest + 2, 1);
        assert_non_null(seen);
        for (size_t i = 0; i < sequence->count; i++)
            if (sequence->items[i].source_partition == (int)p)
                seen[sequence->items[i].number] = 1;
        for (int64_t n = 0; n <= highest; n++) {
            if (!seen[n]) {
                free(seen);
                fail_msg("%s: source partition %zu lacks sequence number %" PRId64
                         " (highest %" PRId64 ")", topic, p, n, highest);
            }
            distinct++;
        }
        free(seen);
    }
    for (size_t i = 0; i < sequence->count; i++)
        if (sequence->items[i].source_partition >= (int)partitions)
            fail_msg("%s: a record of source partition %d, beyond the %zu expected", topic,
                     sequence->items[i].source_partition, partitions);
    printf("# %s: %zu records, %" PRId64 " distinct, no gaps\n", topic, sequence->count,
           distinct);
    assert_true(distinct > 0);
    return distinct;
}

void ch_expect_no_gaps(const char *topic, size_t partitions)
{
    ch_sequence *sequence = ch_sequence_read(topic);
    ch_sequence_expect_no_gaps(sequence, topic, partitions);
    ch_sequence_free(sequence);
}
