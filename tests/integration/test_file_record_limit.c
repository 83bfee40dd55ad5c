/* Lines longer than Kafka takes, through the real worker and broker: the worker learns the limit
 * from the producer's settings and the topic's max.message.bytes (ferry_host.record_max_bytes), the
 * file source treats longer lines as long lines (long.lines), and the task goes on.
 *
 *   - topics with max.message.bytes=65536 and runs of short lines between 100 KB lines:
 *     truncate (the long lines arrive cut below the limit, every short line arrives), dlq (the
 *     long lines go to the dead-letter queue, the short ones to the topic), and dlq into a
 *     dead-letter queue topic that takes 16384 bytes (the copies are cut to fit, with the
 *     ferry.dlq.truncated header, and the offsets move past them). The runs of short lines are
 *     long enough that a batch of them outgrows the topic's limit: the producer's batches are
 *     held to it too. Every task stays RUNNING;
 *   - a worker's producer.message.max.bytes=200000 and a 300 KB line: the limit comes from the
 *     producer, the line arrives cut below it, the line after it arrives.
 *
 * With the old guess (a record holds about 1 MB whatever the topic and the worker say), Kafka
 * refuses the long lines (and the DLQ copies) and the tasks fail or stop committing. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "file_test_util.h"
#include "kafka_tool.h"

#define TOPIC_MAX 65536
#define DLQ_MAX 16384
#define RECORD_OVERHEAD 512 /* what the file source leaves for a record's framing */
#define LONG_LEN 100000
#define RUNS 3
#define SHORT_PER_RUN 1500
#define SHORT_LINES (RUNS * SHORT_PER_RUN + SHORT_PER_RUN)

/* Appends a line of len times fill. */
static void append_filled_line(const char *path, char fill, size_t len)
{
    char *line = malloc(len + 1);
    assert_non_null(line);
    memset(line, fill, len);
    line[len] = '\n';
    file_test_append(path, line, len + 1);
    free(line);
}

/* Runs of numbered short lines, each followed by a LONG_LEN line, then a last run. */
static void write_input(const char *path)
{
    char line[128];
    int number = 0;
    for (int run = 0; run <= RUNS; run++) {
        char *chunk = malloc((size_t)SHORT_PER_RUN * sizeof(line));
        assert_non_null(chunk);
        size_t used = 0;
        for (int i = 0; i < SHORT_PER_RUN; i++) {
            int len = snprintf(line, sizeof line, "short line %06d of a run between long lines\n",
                               number++);
            memcpy(chunk + used, line, (size_t)len);
            used += (size_t)len;
        }
        file_test_append(path, chunk, used);
        free(chunk);
        if (run < RUNS)
            append_filled_line(path, 'L', LONG_LEN);
    }
}

/* Asserts that the records are the short lines in order, each long line (cut to long_len) after
 * its run when long_len > 0. */
static void check_lines(const kt_records *records, const char *topic, size_t long_len)
{
    size_t expected = SHORT_LINES + (long_len ? RUNS : 0);
    if (records->count != expected)
        fail_msg("%s holds %zu records, expected %zu", topic, records->count, expected);
    size_t index = 0;
    int number = 0;
    for (int run = 0; run <= RUNS; run++) {
        for (int i = 0; i < SHORT_PER_RUN; i++, index++) {
            char line[128];
            int len = snprintf(line, sizeof line, "short line %06d of a run between long lines",
                               number++);
            const kt_record *r = &records->items[index];
            if (r->value_len != (size_t)len || memcmp(r->value, line, (size_t)len) != 0)
                fail_msg("%s record %zu is not '%s'", topic, index, line);
        }
        if (run < RUNS && long_len) {
            const kt_record *r = &records->items[index++];
            if (r->value_len != long_len)
                fail_msg("%s record %zu (a long line) holds %zu bytes, expected %zu", topic,
                         index - 1, r->value_len, long_len);
        }
    }
}

/* Fails unless every task named is RUNNING in the status topic. */
static void check_running(fp_env *env, const char *const *names, size_t count)
{
    json_t *latest = kt_latest_by_key(fp_status_topic(env));
    for (size_t i = 0; i < count; i++) {
        char key[300];
        snprintf(key, sizeof key, "status-task-%s-0", names[i]);
        const char *state = json_string_value(json_object_get(json_object_get(latest, key),
                                                               "state"));
        if (!state || strcmp(state, "RUNNING") != 0)
            fail_msg("task %s-0 is %s, expected RUNNING", names[i], state ? state : "unknown");
    }
    json_decref(latest);
}

/* Waits until the connector committed the position of the file's end: every line, the ones that
 * went to the dead-letter queue too, is behind the committed offset. */
static void wait_committed_to_end(fp_env *env, const char *name, const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    char key[600], value[64];
    snprintf(key, sizeof key, "[\"%s\",{\"filename\":\"%s\"}]", name, path);
    snprintf(value, sizeof value, "{\"position\":%lld}", (long long)st.st_size);
    int64_t deadline = fp_now_ms() + 60000;
    for (;;) {
        kt_records *offsets = kt_consume_all(fp_offsets_topic(env), 60000);
        const kt_record *last = kt_records_last(offsets, key);
        bool done = last && last->value && strcmp(last->value, value) == 0;
        char seen[64];
        snprintf(seen, sizeof seen, "%s", last && last->value ? last->value : "none");
        kt_records_free(offsets);
        if (done)
            return;
        if (fp_now_ms() > deadline)
            fail_msg("%s committed %s, never %s", name, seen, value);
        fp_sleep_ms(300);
    }
}

static void test_topic_limit(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_record_limit");
    char limit[16], dlq_limit[16];
    snprintf(limit, sizeof limit, "%d", TOPIC_MAX);
    snprintf(dlq_limit, sizeof dlq_limit, "%d", DLQ_MAX);
    const char *modes[3] = {"truncate", "dlq", "dlq_small"};
    const char *topics[3], *names[3], *inputs[3], *connectors[3], *dlqs[3] = {NULL};
    for (int m = 0; m < 3; m++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "limit_%s", modes[m]);
        topics[m] = fp_name(env, prefix);
        kt_create_topic(topics[m], 1, (const char *const[]){"max.message.bytes", limit, NULL});
        snprintf(prefix, sizeof prefix, "src_%s", modes[m]);
        names[m] = fp_name(env, prefix);
        snprintf(prefix, sizeof prefix, "%s.log", modes[m]);
        inputs[m] = fp_path(env, prefix);
        write_input(inputs[m]);
        char errors[600] = "";
        if (m > 0) {
            snprintf(prefix, sizeof prefix, "dlq_%s", modes[m]);
            dlqs[m] = fp_name(env, prefix);
            kt_create_topic(dlqs[m], 1,
                            m == 2 ? (const char *const[]){"max.message.bytes", dlq_limit, NULL}
                                   : NULL);
            snprintf(errors, sizeof errors,
                     "errors.tolerance=all\nerrors.deadletterqueue.topic.name=%s\n"
                     "errors.deadletterqueue.context.headers.enable=%s\n",
                     dlqs[m], m == 2 ? "true" : "false");
        }
        snprintf(prefix, sizeof prefix, "%s.properties", modes[m]);
        connectors[m] = fp_write(env, prefix,
                                 "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n"
                                 "long.lines=%s\n%s",
                                 names[m], inputs[m], topics[m], m == 0 ? "truncate" : "dlq",
                                 errors);
    }
    /* A failed task stays FAILED: no automatic restart to hide it. */
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "task.restart.auto=false\n");
    fp_proc *proc = fp_start(env, worker, connectors[0], connectors[1], connectors[2], NULL);

    file_test_wait_records(proc, topics[0], SHORT_LINES + RUNS, 90000);
    file_test_wait_records(proc, topics[1], SHORT_LINES, 90000);
    file_test_wait_records(proc, topics[2], SHORT_LINES, 90000);
    file_test_wait_records(proc, dlqs[1], RUNS, 90000);
    file_test_wait_records(proc, dlqs[2], RUNS, 90000);
    wait_committed_to_end(env, names[1], inputs[1]);
    wait_committed_to_end(env, names[2], inputs[2]);
    check_running(env, names, 3);
    if (!fp_log_contains(proc, "the producer's batches are held to 65536 bytes"))
        fail_msg("the producer's batches were not held to the topic's limit");
    fp_stop(proc, 30000);

    size_t cut = TOPIC_MAX - RECORD_OVERHEAD;
    kt_records *records = kt_consume_all(topics[0], 60000);
    check_lines(records, topics[0], cut);
    kt_records_free(records);
    for (int m = 1; m < 3; m++) {
        records = kt_consume_all(topics[m], 60000);
        check_lines(records, topics[m], 0);
        kt_records_free(records);
    }

    /* The dead-letter queue holds the long lines as the source cut them. */
    records = kt_consume_all(dlqs[1], 60000);
    assert_int_equal(records->count, RUNS);
    for (size_t i = 0; i < records->count; i++) {
        assert_int_equal(records->items[i].value_len, cut);
        assert_null(kt_record_header(&records->items[i], "ferry.dlq.truncated"));
    }
    kt_records_free(records);
    /* A dead-letter queue that takes less: the copies are cut again to fit, and say so. */
    records = kt_consume_all(dlqs[2], 60000);
    assert_int_equal(records->count, RUNS);
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *r = &records->items[i];
        const kt_header *marker = kt_record_header(r, "ferry.dlq.truncated");
        assert_non_null(marker);
        char before[24];
        snprintf(before, sizeof before, "%zu", cut);
        assert_string_equal(marker->value, before);
        assert_non_null(kt_record_header(r, "__connect.errors.exception.message"));
        assert_true(r->value_len > DLQ_MAX / 2);
        assert_true(r->value_len < DLQ_MAX);
    }
    printf("# %d-byte lines: %zu bytes in a topic that takes %d, DLQ copies of %zu bytes in one "
           "that takes %d; %d short lines each, every task RUNNING\n", LONG_LEN, cut, TOPIC_MAX,
           records->items[0].value_len, DLQ_MAX, SHORT_LINES);
    kt_records_free(records);
    fp_pass(env);
}

static void test_producer_limit(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_record_limit_producer");
    const char *topic = fp_name(env, "producer_limit");
    kt_create_topic(topic, 1, NULL);
    const char *input = fp_path(env, "long.log");
    size_t long_len = 300000;
    file_test_append(input, "before\n", 7);
    append_filled_line(input, 'P', long_len);
    file_test_append(input, "after\n", 6);
    const char *name = fp_name(env, "src");
    const char *connector = fp_write(env, "source.properties",
                                     "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n",
                                     name, input, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "task.restart.auto=false\n"
                                        "producer.message.max.bytes=200000\n");
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    file_test_wait_records(proc, topic, 3, 60000);
    wait_committed_to_end(env, name, input);
    check_running(env, &name, 1);
    fp_stop(proc, 30000);
    kt_records *records = kt_consume_all(topic, 60000);
    assert_int_equal(records->count, 3);
    assert_int_equal(records->items[0].value_len, 6);
    assert_int_equal(records->items[1].value_len, 200000 - RECORD_OVERHEAD);
    assert_int_equal(records->items[2].value_len, 5);
    assert_memory_equal(records->items[2].value, "after", 5);
    printf("# producer.message.max.bytes=200000: a %zu-byte line became a %zu-byte record; the "
           "line after it arrived\n", long_len, records->items[1].value_len);
    kt_records_free(records);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_topic_limit, fp_env_teardown),
        cmocka_unit_test_teardown(test_producer_limit, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("file_record_limit", tests, NULL, NULL);
}
