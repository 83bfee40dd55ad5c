/* Drop-in compatibility with Kafka Connect's FileStream connectors, and the task status, on the
 * real worker and broker:
 *
 *   1. the connector configs of Kafka's config/connect-file-source.properties and
 *      connect-file-sink.properties (class names short and long, .properties and JSON) work as
 *      they are, and an offset written in Kafka Connect's format before ferry ever ran
 *      (["<name>",{"filename":"<file>"}] -> {"position":<n>}) is where the source resumes; the
 *      offsets ferry writes are that format, byte for byte;
 *   2. a directory that vanishes under a running FileSource shows in the task's status (RUNNING,
 *      the problem as its trace) and clears once the directory is back, while the files that
 *      are still readable go on. */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"

#define LINE_BYTES 9 /* "line-000\n" */

static void append_lines(const char *path, int from, int to)
{
    FILE *file = fopen(path, "a");
    assert_non_null(file);
    for (int i = from; i < to; i++)
        fprintf(file, "line-%03d\n", i);
    assert_int_equal(fclose(file), 0);
}

static void wait_until(fp_proc *proc, const char *what, int64_t (*progress)(const void *),
                       const void *opaque, int64_t target)
{
    int64_t deadline = fp_now_ms() + 90000;
    int64_t value;
    while ((value = progress(opaque)) < target) {
        if (!fp_alive(proc))
            fail_msg("ferry exited waiting for %s (%" PRId64 " of %" PRId64 ")", what, value,
                     target);
        if (fp_now_ms() > deadline)
            fail_msg("timed out waiting for %s: %" PRId64 " of %" PRId64, what, value, target);
        fp_sleep_ms(100);
    }
}

static int64_t topic_count(const void *topic)
{
    return kt_end_offsets_sum(topic);
}

static int64_t file_lines(const void *path)
{
    return (int64_t)fp_count_lines(path);
}

static void expect_lines(const char *what, const char *const *values, size_t count, int from,
                         int to)
{
    if (count != (size_t)(to - from))
        fail_msg("%s holds %zu lines, expected %d (line-%03d .. line-%03d)", what, count,
                 to - from, from, to - 1);
    for (int i = from; i < to; i++) {
        char expected[16];
        snprintf(expected, sizeof expected, "line-%03d", i);
        if (strcmp(values[i - from], expected) != 0)
            fail_msg("%s line %d is '%s', expected '%s'", what, i - from, values[i - from],
                     expected);
    }
}

static void test_kafka_connect_configs_and_offsets(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_compat");
    const char *topic = fp_name(env, "connect-test");
    const char *source_name = fp_name(env, "local-file-source");
    const char *sink_name = fp_name(env, "local-file-sink");
    const char *input = fp_path(env, "test.txt");
    const char *output = fp_path(env, "test.sink.txt");
    kt_create_topic(topic, 1, NULL);
    append_lines(input, 0, 100);

    /* Kafka Connect ran first and stopped after 50 lines: its offset, as its worker writes it
     * (JsonConverter without schemas, murmur2 over the key). */
    static const char *const compacted[] = {"cleanup.policy", "compact", NULL};
    kt_create_topic(fp_offsets_topic(env), 5, compacted);
    char key[600], value[64];
    int key_len = snprintf(key, sizeof key, "[\"%s\",{\"filename\":\"%s\"}]", source_name, input);
    int value_len = snprintf(value, sizeof value, "{\"position\":%d}", 50 * LINE_BYTES);
    rd_kafka_t *producer = kt_producer_new(NULL);
    kt_produce(producer, fp_offsets_topic(env), kt_java_partition(key, (size_t)key_len, 5), key,
               (size_t)key_len, value, (size_t)value_len, NULL, NULL);
    kt_producer_close(producer);

    /* Kafka's example connector configs, with this test's names and paths. */
    const char *source = fp_write(env, "connect-file-source.properties",
                                  "name=%s\nconnector.class=FileStreamSource\ntasks.max=1\n"
                                  "file=%s\ntopic=%s\n", source_name, input, topic);
    const char *sink = fp_write(env, "connect-file-sink.json",
                                "{\"name\": \"%s\", \"config\": {\"connector.class\": "
                                "\"org.apache.kafka.connect.file.FileStreamSinkConnector\", "
                                "\"tasks.max\": \"1\", \"file\": \"%s\", \"topics\": \"%s\"}}",
                                sink_name, output, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, source, sink, NULL);
    wait_until(proc, "the lines after the offset in the topic", topic_count, topic, 50);
    wait_until(proc, "the lines in the sink file", file_lines, output, 50);
    append_lines(input, 100, 110);
    wait_until(proc, "the appended lines in the topic", topic_count, topic, 60);
    wait_until(proc, "the appended lines in the sink file", file_lines, output, 60);
    fp_sleep_ms(1500); /* a flush interval: the offsets of the last lines are committed */
    fp_stop(proc, 30000);

    kt_records *records = kt_consume_all(topic, 60000);
    const char *values[200];
    for (size_t i = 0; i < records->count && i < 200; i++)
        values[i] = records->items[i].value ? records->items[i].value : "(null)";
    expect_lines("the topic", values, records->count, 50, 110);
    char *text = fp_read_file(output, NULL);
    assert_non_null(text);
    size_t count = 0;
    for (char *line = strtok(text, "\n"); line && count < 200; line = strtok(NULL, "\n"))
        values[count++] = line;
    expect_lines("the sink file", values, count, 50, 110);
    free(text);
    kt_records_free(records);

    /* What ferry committed: Kafka Connect's key and value, byte for byte. */
    kt_records *offsets = kt_consume_all(fp_offsets_topic(env), 60000);
    const kt_record *last = kt_records_last(offsets, key);
    if (!last)
        fail_msg("no offset under the key %s", key);
    snprintf(value, sizeof value, "{\"position\":%d}", 110 * LINE_BYTES);
    assert_string_equal(last->value, value);
    assert_int_equal(last->partition, kt_java_partition(key, (size_t)key_len, 5));
    printf("# resumed at the Kafka Connect offset (line 50); committed %s under %s\n",
           last->value, key);
    kt_records_free(offsets);
    fp_pass(env);
}

/* The latest status value of a task, once check says it is the one awaited. */
static json_t *wait_task_status(fp_env *env, const char *key, bool (*check)(json_t *),
                                const char *what)
{
    int64_t deadline = fp_now_ms() + 60000;
    for (;;) {
        json_t *latest = kt_latest_by_key(fp_status_topic(env));
        json_t *value = json_incref(json_object_get(latest, key));
        json_decref(latest);
        if (value && check(value))
            return value;
        if (fp_now_ms() > deadline) {
            char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
            fail_msg("status %s never showed %s (last: %s)", key, what, text ? text : "none");
        }
        json_decref(value);
        fp_sleep_ms(300);
    }
}

static bool running_with_missing_directory(json_t *status)
{
    const char *state = json_string_value(json_object_get(status, "state"));
    const char *trace = json_string_value(json_object_get(status, "trace"));
    return state && strcmp(state, "RUNNING") == 0 && trace && strstr(trace, "does not exist");
}

static bool running_without_problem(json_t *status)
{
    const char *state = json_string_value(json_object_get(status, "state"));
    json_t *trace = json_object_get(status, "trace");
    return state && strcmp(state, "RUNNING") == 0 && (!trace || json_is_null(trace));
}

static void test_vanished_directory_in_status(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_status");
    const char *topic = fp_name(env, "status-lines");
    const char *name = fp_name(env, "watched");
    kt_create_topic(topic, 1, NULL);
    char logs[600], other[600];
    snprintf(logs, sizeof logs, "%s/logs", fp_dir(env));
    snprintf(other, sizeof other, "%s/other", fp_dir(env));
    assert_int_equal(mkdir(logs, 0755), 0);
    assert_int_equal(mkdir(other, 0755), 0);
    char a_log[700], b_log[700], c_log[700];
    snprintf(a_log, sizeof a_log, "%s/a.log", logs);
    snprintf(b_log, sizeof b_log, "%s/b.log", logs);
    snprintf(c_log, sizeof c_log, "%s/c.log", other);
    append_lines(a_log, 0, 5);
    append_lines(c_log, 0, 5);
    const char *connector = fp_write(env, "watched.properties",
                                     "name=%s\nconnector.class=FileSource\nfiles=%s/*.log,%s/*.log\n"
                                     "topic=%s\nrotate.wait.ms=500\n", name, logs, other, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    wait_until(proc, "the first lines", topic_count, topic, 10);

    char command[700];
    snprintf(command, sizeof command, "rm -rf '%s'", logs);
    assert_int_equal(system(command), 0);
    char key[300];
    snprintf(key, sizeof key, "status-task-%s-0", name);
    json_t *status = wait_task_status(env, key, running_with_missing_directory,
                                      "RUNNING with the missing directory as its trace");
    printf("# with the directory gone: %s\n",
           json_string_value(json_object_get(status, "trace")));
    json_decref(status);
    /* The other directory's file goes on. */
    append_lines(c_log, 5, 8);
    wait_until(proc, "lines of the other directory", topic_count, topic, 13);

    assert_int_equal(mkdir(logs, 0755), 0);
    append_lines(b_log, 0, 4);
    wait_until(proc, "the lines of the new file", topic_count, topic, 17);
    status = wait_task_status(env, key, running_without_problem, "RUNNING without a trace");
    json_decref(status);
    fp_stop(proc, 30000);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_kafka_connect_configs_and_offsets, fp_env_teardown),
        cmocka_unit_test_teardown(test_vanished_directory_in_status, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("file_compat", tests, NULL, NULL);
}
