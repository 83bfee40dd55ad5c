/* FileSource under rotation patterns that once lost or duplicated lines, through the real worker
 * and broker:
 *   - files written and renamed to a name the patterns do not match 10 ms later (before any
 *     rescan): every line arrives, once;
 *   - copytruncate with tasks.max=2: the copy is a new inode that lands on either task; it must
 *     not be read from byte 0 by the other task. The writer pauses during each rotation (the
 *     window in which a line can be read from both the original and its copy is then empty), so
 *     no line may arrive twice;
 *   - a line longer than the producer's message.max.bytes (but under max.line.bytes) is
 *     truncated to what a record holds, and the lines after it arrive: the task never fails. */
#include <errno.h>
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
#include "file_test_util.h"
#include "kafka_tool.h"

#define RENAMED_FILES 100
#define GENERATIONS 10
#define GENERATION_LINES 1000

static void append_lines(const char *path, const char *prefix, int from, int to)
{
    size_t capacity = (size_t)(to - from) * 64 + 1, len = 0;
    char *text = malloc(capacity);
    assert_non_null(text);
    for (int i = from; i < to; i++)
        len += (size_t)snprintf(text + len, capacity - len, "%s-%06d\n", prefix, i);
    file_test_append(path, text, len);
    free(text);
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *text = fp_read_file(from, &len);
    assert_non_null(text);
    int fd = open(to, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    free(text);
}

/* Every value "<prefix>-<i>" for i in [0, count) exactly once among the records. */
static void expect_once(const kt_records *records, const char *prefix, int count)
{
    int *seen = calloc((size_t)count, sizeof(*seen));
    assert_non_null(seen);
    size_t prefix_len = strlen(prefix);
    for (size_t r = 0; r < records->count; r++) {
        const kt_record *record = &records->items[r];
        if (record->value_len <= prefix_len + 1 || memcmp(record->value, prefix, prefix_len) ||
            record->value[prefix_len] != '-')
            continue;
        int i = atoi(record->value + prefix_len + 1);
        if (i >= 0 && i < count)
            seen[i]++;
    }
    for (int i = 0; i < count; i++)
        if (seen[i] != 1)
            fail_msg("%s-%06d arrived %d times", prefix, i, seen[i]);
    free(seen);
}

static const char *make_dir(fp_env *env, const char *name)
{
    const char *dir = fp_path(env, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    return dir;
}

static void test_renamed_away_at_once(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_rotation_renamed");
    const char *dir = make_dir(env, "logs");
    const char *topic = fp_name(env, "renamed");
    kt_create_topic(topic, 1, NULL);
    char path[600], away[600];
    snprintf(path, sizeof path, "%s/main.log", dir);
    append_lines(path, "main", 0, 100); /* a followed file with a full fingerprint */
    const char *connector = fp_write(env, "source.properties",
                                     "name=%s\nconnector.class=FileSource\nfiles=%s/*.log\n"
                                     "topic=%s\n", fp_name(env, "src"), dir, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    file_test_wait_records(proc, topic, 100, 60000);
    for (int i = 0; i < RENAMED_FILES; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "f%03d", i);
        snprintf(path, sizeof path, "%s/%s.log", dir, prefix);
        snprintf(away, sizeof away, "%s/%s.done", dir, prefix);
        append_lines(path, prefix, 0, 3);
        fp_sleep_ms(10);
        assert_int_equal(rename(path, away), 0);
    }
    file_test_wait_records(proc, topic, 100 + 3 * RENAMED_FILES, 30000);
    fp_sleep_ms(2000); /* nothing more may come */
    fp_stop(proc, 30000);
    kt_records *records = kt_consume_all(topic, 60000);
    assert_int_equal(records->count, 100 + 3 * RENAMED_FILES);
    for (int i = 0; i < RENAMED_FILES; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "f%03d", i);
        expect_once(records, prefix, 3);
    }
    kt_records_free(records);
    printf("# %d files renamed away 10 ms after they were written: all %d lines, once\n",
           RENAMED_FILES, 3 * RENAMED_FILES);
    fp_pass(env);
}

static void test_copytruncate_two_tasks(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_rotation_copytruncate");
    const char *dir = make_dir(env, "logs");
    const char *topic = fp_name(env, "copies");
    kt_create_topic(topic, 1, NULL);
    char log[600], rotated[600];
    snprintf(log, sizeof log, "%s/app.log", dir);
    file_test_append(log, "", 0);
    const char *connector = fp_write(env, "source.properties",
                                     "name=%s\nconnector.class=FileSource\nfiles=%s/app.log*\n"
                                     "topic=%s\ntasks.max=2\n", fp_name(env, "src"), dir, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000, NULL);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "task 2 of 2", 60000))
        fail_msg("the second task did not start");
    for (int g = 0; g < GENERATIONS; g++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "g%02d", g);
        append_lines(log, prefix, 0, GENERATION_LINES);
        file_test_wait_records(proc, topic, (int64_t)(g + 1) * GENERATION_LINES, 60000);
        snprintf(rotated, sizeof rotated, "%s/app.log.%d", dir, g + 1);
        copy_file(log, rotated);
        assert_int_equal(truncate(log, 0), 0);
    }
    fp_sleep_ms(3000); /* copies read from byte 0 would show up by now */
    fp_stop(proc, 30000);
    kt_records *records = kt_consume_all(topic, 60000);
    size_t count = records->count;
    for (int g = 0; g < GENERATIONS; g++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "g%02d", g);
        expect_once(records, prefix, GENERATION_LINES);
    }
    kt_records_free(records);
    assert_int_equal(count, GENERATIONS * GENERATION_LINES);
    printf("# %d copytruncate rotations with tasks.max=2: %d lines, none twice\n", GENERATIONS,
           GENERATIONS * GENERATION_LINES);
    fp_pass(env);
}

static void test_line_longer_than_a_record(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_rotation_long");
    const char *topic = fp_name(env, "long");
    kt_create_topic(topic, 1, NULL);
    const char *input = fp_path(env, "long.log");
    /* Under max.line.bytes (1 MiB), over librdkafka's message.max.bytes (1,000,000). */
    size_t long_len = 1040000;
    char *line = malloc(long_len + 1);
    assert_non_null(line);
    memset(line, 'L', long_len);
    line[long_len] = '\n';
    file_test_append(input, "before\n", 7);
    file_test_append(input, line, long_len + 1);
    file_test_append(input, "after\n", 6);
    free(line);
    const char *connector = fp_write(env, "source.properties",
                                     "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n",
                                     fp_name(env, "src"), input, topic);
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "task.restart.auto=false\n");
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    file_test_wait_records(proc, topic, 3, 60000);
    fp_sleep_ms(1000);
    if (fp_log_contains(proc, "FAILED") || fp_log_contains(proc, "too large"))
        fail_msg("the task failed on the long line");
    fp_stop(proc, 30000);
    kt_records *records = kt_consume_all(topic, 60000);
    assert_int_equal(records->count, 3);
    assert_int_equal(records->items[0].value_len, 6);
    assert_true(records->items[1].value_len < 1000000);
    assert_true(records->items[1].value_len > 990000);
    assert_int_equal(records->items[2].value_len, 5);
    assert_memory_equal(records->items[2].value, "after", 5);
    printf("# a %zu-byte line became a %zu-byte record; the line after it arrived\n", long_len,
           records->items[1].value_len);
    kt_records_free(records);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_renamed_away_at_once, fp_env_teardown),
        cmocka_unit_test_teardown(test_copytruncate_two_tasks, fp_env_teardown),
        cmocka_unit_test_teardown(test_line_longer_than_a_record, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("file_rotation", tests, NULL, NULL);
}
