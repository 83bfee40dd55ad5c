/* Lines that are not nice, through the real worker and broker: a 10 MB line without a newline,
 * NUL bytes, invalid UTF-8 and CRLF, under each long.lines setting.
 *
 * Three FileSource connectors read copies of one file into three topics, with max.line.bytes
 * 500000: truncate (the record holds the first 500000 bytes, with the file.path and file.offset
 * headers), skip (no record, a warning), fail (the task fails naming the file and the offset).
 * NUL bytes and invalid UTF-8 reach Kafka as the very bytes of the file (String converter); CRLF
 * loses its CR. Once the long line ends, the lines after it flow again. */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "file_test_util.h"
#include "kafka_tool.h"

#define MAX_LINE 500000
#define LONG_LINE ((size_t)10 << 20)

static const char head[] = "first line\r\nnul\0inside\0line\nbad \xff\xfe utf8 \xc3\x28\ncaf\xc3\xa9\n";
static const struct {
    const char *bytes;
    size_t len;
} expected[] = {
    {"first line", 10},
    {"nul\0inside\0line", 15},
    {"bad \xff\xfe utf8 \xc3\x28", 14},
    {"caf\xc3\xa9", 5},
};
#define HEAD_LINES 4

static void write_input(const char *path)
{
    file_test_append(path, head, sizeof(head) - 1);
    char *chunk = malloc(1 << 20);
    assert_non_null(chunk);
    memset(chunk, 'A', 1 << 20);
    for (size_t written = 0; written < LONG_LINE; written += 1 << 20)
        file_test_append(path, chunk, 1 << 20);
    free(chunk);
}

static void check_head_records(const kt_records *records, const char *topic)
{
    for (int i = 0; i < HEAD_LINES; i++) {
        const kt_record *r = &records->items[i];
        if (r->value_len != expected[i].len || memcmp(r->value, expected[i].bytes, r->value_len))
            fail_msg("%s record %d: %zu bytes, expected %zu", topic, i, r->value_len,
                     expected[i].len);
    }
}

/* The latest status value of a key, waiting until it mentions needle. */
static json_t *wait_status(fp_env *env, const char *key, const char *needle)
{
    int64_t deadline = fp_now_ms() + 60000;
    for (;;) {
        json_t *latest = kt_latest_by_key(fp_status_topic(env));
        json_t *value = json_incref(json_object_get(latest, key));
        json_decref(latest);
        char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
        bool found = text && strstr(text, needle);
        free(text);
        if (found)
            return value;
        json_decref(value);
        if (fp_now_ms() > deadline)
            fail_msg("status %s never mentioned '%s'", key, needle);
        fp_sleep_ms(500);
    }
}

static void test_long_lines_nul_and_invalid_utf8(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_lines");
    const char *modes[3] = {"truncate", "skip", "fail"};
    const char *topics[3], *names[3], *inputs[3], *connectors[3];
    for (int m = 0; m < 3; m++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "lines_%s", modes[m]);
        topics[m] = fp_name(env, prefix);
        snprintf(prefix, sizeof prefix, "src_%s", modes[m]);
        names[m] = fp_name(env, prefix);
        snprintf(prefix, sizeof prefix, "%s.log", modes[m]);
        inputs[m] = fp_path(env, prefix);
        kt_create_topic(topics[m], 1, NULL);
        write_input(inputs[m]);
        snprintf(prefix, sizeof prefix, "%s.properties", modes[m]);
        connectors[m] = fp_write(env, prefix,
                                 "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n"
                                 "max.line.bytes=%d\nlong.lines=%s\nheaders.enable=%s\n",
                                 names[m], inputs[m], topics[m], MAX_LINE, modes[m],
                                 m == 0 ? "true" : "false");
    }
    /* A failed task stays FAILED: no automatic restart to muddle the records. */
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "task.restart.auto=false\n");
    fp_proc *proc = fp_start(env, worker, connectors[0], connectors[1], connectors[2], NULL);

    /* truncate: the four lines, then the first MAX_LINE bytes of the long one. */
    file_test_wait_records(proc, topics[0], HEAD_LINES + 1, 90000);
    /* fail: the four lines, then FAILED naming the file and the offset of the long line. */
    file_test_wait_records(proc, topics[2], HEAD_LINES, 90000);
    char key[300];
    snprintf(key, sizeof key, "status-task-%s-0", names[2]);
    json_t *status = wait_status(env, key, "FAILED");
    const char *trace = json_string_value(json_object_get(status, "trace"));
    char where[600];
    snprintf(where, sizeof where, "%s: the line at byte %zu is longer than max.line.bytes (%d)",
             inputs[2], sizeof(head) - 1, MAX_LINE);
    if (!trace || !strstr(trace, where))
        fail_msg("the failed task's trace is '%s', expected it to say '%s'", trace ? trace : "",
                 where);
    json_decref(status);
    /* skip: the four lines, and a warning. */
    file_test_wait_records(proc, topics[1], HEAD_LINES, 90000);
    if (!fp_wait_log(proc, "skipped (long.lines=skip)", 60000))
        fail_msg("no warning about the skipped line");

    /* The long line ends; what follows flows again. */
    file_test_append(inputs[0], "\nafter\n", 7);
    file_test_append(inputs[1], "\nafter\n", 7);
    file_test_wait_records(proc, topics[0], HEAD_LINES + 2, 90000);
    file_test_wait_records(proc, topics[1], HEAD_LINES + 1, 90000);
    fp_sleep_ms(2000);
    fp_stop(proc, 30000);

    kt_records *records = kt_consume_all(topics[0], 60000);
    assert_int_equal(records->count, HEAD_LINES + 2);
    check_head_records(records, topics[0]);
    const kt_record *truncated = &records->items[HEAD_LINES];
    assert_int_equal(truncated->value_len, MAX_LINE);
    for (size_t i = 0; i < MAX_LINE; i++)
        if (truncated->value[i] != 'A')
            fail_msg("byte %zu of the truncated line is %d", i, truncated->value[i]);
    const kt_header *path = kt_record_header(truncated, "file.path");
    const kt_header *offset = kt_record_header(truncated, "file.offset");
    assert_non_null(path);
    assert_non_null(offset);
    assert_string_equal(path->value, inputs[0]);
    char offset_text[32];
    snprintf(offset_text, sizeof offset_text, "%zu", sizeof(head) - 1);
    assert_string_equal(offset->value, offset_text);
    assert_int_equal(records->items[HEAD_LINES + 1].value_len, 5);
    assert_memory_equal(records->items[HEAD_LINES + 1].value, "after", 5);
    kt_records_free(records);

    records = kt_consume_all(topics[1], 60000);
    assert_int_equal(records->count, HEAD_LINES + 1);
    check_head_records(records, topics[1]);
    assert_memory_equal(records->items[HEAD_LINES].value, "after", 5);
    kt_records_free(records);

    records = kt_consume_all(topics[2], 60000);
    assert_int_equal(records->count, HEAD_LINES);
    check_head_records(records, topics[2]);
    kt_records_free(records);
    printf("# truncate: %d lines and %d bytes of the 10 MB line; skip: %d lines; fail: FAILED "
           "after %d lines\n", HEAD_LINES + 1, MAX_LINE, HEAD_LINES, HEAD_LINES);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_long_lines_nul_and_invalid_utf8, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("file_lines", tests, NULL, NULL);
}
