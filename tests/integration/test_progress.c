/* Progress of long work in the REST status, /metrics and the terminal, on the real PostgreSQL
 * and Kafka through the real binary:
 *
 *   1. the initial snapshot of a 1,000,000-row table: GET /connectors/{c}/status sampled while
 *      it runs shows rows scanned strictly increasing and a finite ETA, and 100% / completed
 *      with the exact row count at the end; /metrics carries Debezium's snapshot names;
 *   2. a 200 MB file read from its start by the file source: bytes read increasing, a finite
 *      ETA, then 100% and caught up; `ferry standalone` on a pseudo-terminal draws the
 *      progress line, and never with stderr in a file;
 *   3. a file sink started behind a topic of records: lag per partition in its status,
 *      falling while it catches up, then 0. */
#include <fcntl.h>
#include <inttypes.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kafka_tool.h"
#include "test_pg_cdc_support.h"
#include "test_rest_client.h"

#define db pgt_conn
#define MILLION 1000000
#define SAMPLE_MS 400

/* tasks[0].progress of a connector's status (new reference), NULL when absent. */
static json_t *status_progress(rc_client *client, const char *connector)
{
    char path[512];
    snprintf(path, sizeof path, "/connectors/%s/status", connector);
    rc_response response = {0};
    json_t *progress = NULL;
    if (rc_call(client, "GET", path, NULL, &response) == 200 && response.json)
        progress = json_incref(json_object_get(
            json_array_get(json_object_get(response.json, "tasks"), 0), "progress"));
    rc_response_clear(&response);
    return progress;
}

static char *metrics_text(rc_client *client)
{
    rc_response response = {0};
    assert_int_equal(rc_call(client, "GET", "/metrics", NULL, &response), 200);
    char *text = strdup(response.body);
    rc_response_clear(&response);
    return text;
}

/* Samples "work" until its state leaves "running" (or timeout_ms): done strictly increases
 * between running samples (strict) or never decreases, and, once a rate is known, each has an
 * ETA. Returns the last work object (new reference). */
static json_t *work_follow(rc_client *client, const char *connector, int timeout_ms,
                           bool strict, int *running_samples)
{
    int64_t started = fp_now_ms(), last_done = -1;
    int with_rate = 0;
    json_t *work = NULL;
    *running_samples = 0;
    while (fp_now_ms() - started < timeout_ms) {
        json_t *progress = status_progress(client, connector);
        json_t *now = json_incref(json_object_get(progress, "work"));
        json_decref(progress);
        if (now) {
            json_decref(work);
            work = now;
            const char *state = json_string_value(json_object_get(work, "state"));
            if (strcmp(state, "running") != 0)
                break;
            int64_t done = json_integer_value(json_object_get(work, "done"));
            if (*running_samples > 0 && (strict ? done <= last_done : done < last_done))
                fail_msg("done did not increase between samples: %" PRId64 " then %" PRId64,
                         last_done, done);
            last_done = done;
            (*running_samples)++;
            if (json_object_get(work, "rate")) {
                with_rate++;
                json_t *eta = json_object_get(work, "eta_seconds");
                if (!json_is_integer(eta) || json_integer_value(eta) < 0)
                    fail_msg("a running sample with a rate has no finite ETA: %s",
                             json_dumps(work, JSON_COMPACT));
            }
            printf("#   %s %" PRId64 "/%lld %.1f%% rate %.0f ETA %lld\n",
                   json_string_value(json_object_get(work, "phase")), done,
                   (long long)json_integer_value(json_object_get(work, "total")),
                   json_number_value(json_object_get(work, "percent")),
                   json_number_value(json_object_get(work, "rate")),
                   (long long)json_integer_value(json_object_get(work, "eta_seconds")));
        }
        fp_sleep_ms(SAMPLE_MS);
    }
    if (with_rate < 2)
        fail_msg("fewer than two running samples with a rate (%d samples)", *running_samples);
    return work;
}

/* ---- 1. a million-row snapshot ------------------------------------------------------------- */

static void test_snapshot_million_rows(void **state)
{
    (void)state;
    pgt_case c;
    pgt_case_new(&c, "progress_snapshot", "big", "(id int PRIMARY KEY, v int NOT NULL, pad text)",
                 1000, "snapshot.fetch.size=10000\n");
    pgt_exec(db, "INSERT INTO %s SELECT g, 0, repeat('p', 40) FROM generate_series(1, %d) g",
             c.table, MILLION);
    pgt_exec(db, "VACUUM ANALYZE %s", c.table);
    fp_proc *proc = fp_start(c.env, c.worker, c.connector, NULL);
    rc_client *client = rc_new_local(fp_listener_port(c.env), 30000);

    int running = 0;
    json_t *work = work_follow(client, c.name, 300000, true, &running);
    printf("# %d running samples\n", running);
    assert_true(running >= 3);
    assert_string_equal(json_string_value(json_object_get(work, "state")), "completed");
    assert_string_equal(json_string_value(json_object_get(work, "phase")), "snapshot");
    assert_float_equal(json_number_value(json_object_get(work, "percent")), 100.0, 1e-9);
    assert_int_equal(json_integer_value(json_object_get(work, "done")), MILLION);
    assert_int_equal(json_integer_value(json_object_get(work, "total")), MILLION);
    assert_int_equal(json_integer_value(json_object_get(work, "items_remaining")), 0);
    json_t *item = json_array_get(json_object_get(work, "items"), 0);
    char table_id[300];
    snprintf(table_id, sizeof table_id, "public.%s", c.table);
    assert_string_equal(json_string_value(json_object_get(item, "name")), table_id);
    assert_string_equal(json_string_value(json_object_get(item, "state")), "done");
    json_decref(work);

    char *metrics = metrics_text(client);
    char line[600];
    snprintf(line, sizeof line,
             "debezium_metrics_SnapshotCompleted{plugin=\"postgres\",name=\"%s\","
             "context=\"snapshot\"} 1\n", c.prefix);
    if (!strstr(metrics, line))
        fail_msg("/metrics lacks %s", line);
    snprintf(line, sizeof line,
             "debezium_metrics_RowsScanned{plugin=\"postgres\",name=\"%s\",context=\"snapshot\","
             "table=\"%s\"} %d\n", c.prefix, table_id, MILLION);
    if (!strstr(metrics, line))
        fail_msg("/metrics lacks %s", line);
    const char *names[] = {"debezium_metrics_TotalTableCount", "debezium_metrics_RemainingTableCount",
                           "debezium_metrics_SnapshotRunning", "debezium_metrics_SnapshotAborted",
                           "debezium_metrics_SnapshotDurationInSeconds",
                           "ferry_task_progress_done{", "ferry_task_progress_ratio{"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strstr(metrics, names[i]))
            fail_msg("/metrics lacks %s", names[i]);
    free(metrics);
    rc_free(client);
    fp_stop(proc, 60000);
    pgt_exec(db, "DROP TABLE %s", c.table);
    fp_pass(c.env);
}

/* ---- 2. a 200 MB backfill, and the terminal line ------------------------------------------- */

#define BACKFILL_BYTES (200L * 1000 * 1000)

/* Lines of 100 bytes up to about size bytes. */
static int64_t big_file_write(const char *path, long size)
{
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    static char buffer[1 << 20];
    setvbuf(out, buffer, _IOFBF, sizeof buffer);
    int64_t written = 0;
    for (long n = 0; written < size; n++)
        written += fprintf(out, "%012ld %086d\n", n, 0);
    assert_int_equal(fclose(out), 0);
    return written;
}

static void test_file_backfill(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("progress_backfill");
    const char *input = fp_path(env, "big.log");
    const char *topic = fp_name(env, "big");
    const char *name = fp_name(env, "backfill");
    kt_create_topic(topic, 1, NULL);
    int64_t size = big_file_write(input, BACKFILL_BYTES);
    const char *connector = fp_write(env, "backfill.properties",
                                     "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n",
                                     name, input, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 30000);

    int running = 0;
    /* a file source may wait for the producer a moment: bytes read never go back */
    json_t *work = work_follow(client, name, 300000, false, &running);
    printf("# %d running samples\n", running);
    assert_true(running >= 3);
    assert_string_equal(json_string_value(json_object_get(work, "state")), "caught-up");
    assert_string_equal(json_string_value(json_object_get(work, "phase")), "backfill");
    assert_string_equal(json_string_value(json_object_get(work, "unit")), "bytes");
    assert_float_equal(json_number_value(json_object_get(work, "percent")), 100.0, 1e-9);
    assert_int_equal(json_integer_value(json_object_get(work, "done")), size);
    json_t *item = json_array_get(json_object_get(work, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "name")), input);
    assert_int_equal(json_integer_value(json_object_get(item, "records")), size / 100);
    json_decref(work);
    rc_free(client);
    fp_stop(proc, 60000);
    unlink(input);
    fp_pass(env);
    fp_env_finish(env);
}

/* Runs `ferry standalone [flag] worker connector` with stderr on a pseudo-terminal (tty) or a
 * file until the log says `until`, then stops it; returns what it wrote to stderr. */
static char *standalone_stderr(fp_env *env, bool tty, const char *worker, const char *connector,
                               const char *until)
{
    const char *log_path = fp_path(env, tty ? "tty.log" : "file.log");
    int master = -1;
    pid_t pid;
    if (tty) {
        struct winsize size = {.ws_row = 40, .ws_col = 300};
        pid = forkpty(&master, NULL, NULL, &size);
    } else {
        pid = fork();
    }
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!tty) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, STDERR_FILENO);
            dup2(fd, STDOUT_FILENO);
        }
        setenv("TERM", "xterm", 1);
        execl(FERRY_BINARY, FERRY_BINARY, "standalone", worker, connector, (char *)NULL);
        _exit(127);
    }
    FILE *out = tty ? fopen(log_path, "w") : NULL;
    int64_t started = fp_now_ms();
    char *text = NULL;
    while (fp_now_ms() - started < 120000) {
        if (tty) {
            char chunk[4096];
            fd_set set;
            FD_ZERO(&set);
            FD_SET(master, &set);
            struct timeval wait = {0, 200000};
            if (select(master + 1, &set, NULL, NULL, &wait) > 0) {
                ssize_t got = read(master, chunk, sizeof chunk);
                if (got <= 0)
                    break;
                fwrite(chunk, 1, (size_t)got, out);
                fflush(out);
            }
        } else {
            fp_sleep_ms(200);
        }
        free(text);
        text = fp_read_file(log_path, NULL);
        if (text && strstr(text, until))
            break;
    }
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    if (out)
        fclose(out);
    if (master >= 0)
        close(master);
    free(text);
    return fp_read_file(log_path, NULL);
}

static void test_terminal_line(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("progress_terminal");
    const char *input = fp_path(env, "big.log");
    big_file_write(input, 60L * 1000 * 1000);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    for (int tty = 1; tty >= 0; tty--) {
        const char *topic = fp_name(env, tty ? "tty" : "notty");
        kt_create_topic(topic, 1, NULL);
        const char *name = fp_name(env, tty ? "tty" : "notty");
        const char *connector = fp_write(env, tty ? "tty.properties" : "notty.properties",
                                         "name=%s\nconnector.class=FileSource\nfile=%s\n"
                                         "topic=%s\n", name, input, topic);
        char *text = standalone_stderr(env, tty, worker, connector, "ETA ");
        if (tty) {
            char expected[300];
            snprintf(expected, sizeof expected, "\r\033[K%s-0 backfill %s ", name, input);
            if (!strstr(text, expected) || !strstr(text, "lines/s") || !strstr(text, "ETA "))
                fail_msg("no progress line on the terminal:\n%s", text);
        } else if (strstr(text, "\033[K") || strstr(text, " ETA ")) {
            fail_msg("a progress line with stderr in a file:\n%s", text);
        }
        free(text);
    }
    unlink(input);
    fp_pass(env);
    fp_env_finish(env);
}

/* ---- 3. sink lag ---------------------------------------------------------------------------- */

#define SINK_RECORDS 300000

static void test_sink_lag_falls(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("progress_sink_lag");
    const char *topic = fp_name(env, "lagging");
    const char *name = fp_name(env, "lag-sink");
    kt_create_topic(topic, 2, NULL);
    rd_kafka_t *producer = kt_producer_new(NULL);
    char value[200];
    memset(value, 'v', sizeof value);
    for (int i = 0; i < SINK_RECORDS; i++)
        kt_produce(producer, topic, i % 2, NULL, 0, value, sizeof value, NULL, NULL);
    kt_producer_close(producer);
    /* A put of at most 500 records every 30 ms keeps the sink behind for a while, so that the
     * lag has a trend. */
    const char *connector = fp_write(env, "sink.properties",
                                     "name=%s\nconnector.class=RecordingSink\nfile=%s\n"
                                     "topics=%s\nput.delay.ms=30\n",
                                     name, fp_path(env, "out.txt"), topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 30000);
    int64_t started = fp_now_ms(), first_total = -1, last_total = -1;
    bool falling_seen = false, partitions_seen = false;
    while (fp_now_ms() - started < 180000) {
        json_t *progress = status_progress(client, name);
        json_t *lag = json_object_get(progress, "lag");
        if (lag) {
            json_t *partitions = json_object_get(lag, "partitions");
            if (json_array_size(partitions) == 2)
                partitions_seen = true;
            last_total = json_integer_value(json_object_get(lag, "total"));
            if (first_total < 0)
                first_total = last_total;
            for (size_t p = 0; p < json_array_size(partitions); p++) {
                const char *trend = json_string_value(
                    json_object_get(json_array_get(partitions, p), "trend"));
                if (trend && strcmp(trend, "falling") == 0)
                    falling_seen = true;
            }
            char *text = json_dumps(partitions, JSON_COMPACT);
            printf("#   lag %" PRId64 " %s\n", last_total, text ? text : "?");
            free(text);
        }
        json_decref(progress);
        if (last_total == 0 && first_total > 0)
            break;
        fp_sleep_ms(1000);
    }
    rc_free(client);
    fp_stop(proc, 60000);
    assert_true(partitions_seen);
    if (first_total <= 0)
        fail_msg("no lag seen while the sink caught up");
    assert_int_equal(last_total, 0);
    if (!falling_seen)
        fail_msg("the lag's trend was never 'falling' while it fell from %" PRId64, first_total);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    fp_init();
    pgt_dsn();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_million_rows, pgt_setup, pgt_teardown),
        cmocka_unit_test(test_file_backfill),
        cmocka_unit_test(test_terminal_line),
        cmocka_unit_test(test_sink_lag_falls),
    };
    if (getenv("FERRY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("FERRY_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
