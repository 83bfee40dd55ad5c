/*
 * test_file_tasks.c - FileSource and FileSink through their callbacks, with a fake host (no
 * worker, no Kafka): lines become string records (bytes when not UTF-8, CRLF dropped, NUL kept),
 * an offset only on a run's last record, FileStream's partition and offset with `file` and a
 * Kafka Connect offset honoured, identities with `files`, batch.size, a full host buffer (no
 * line lost or repeated), long lines as configured, headers, read.from=end, config errors naming
 * the keys, task configs, files spread over tasks, problems in the status; the sink's line format
 * (strings, bytes, JSON, null), flush, rolling names, and a file that did not end with a newline.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_identity.h"
#include "file_plugin.h"
#include "plugin_fake_host.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    file_host = plugin_fake_host_reset();
    snprintf(dir, sizeof(dir), "/tmp/ferry-tasks-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    plugin_fake_host_free();
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
    return 0;
}

static const char *path_of(const char *name)
{
    static char paths[8][256];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 256, "%s/%s", dir, name);
    return path;
}

static void write_bytes(const char *name, const char *data, size_t len, const char *mode)
{
    FILE *file = fopen(path_of(name), mode);
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, len, file), len);
    assert_int_equal(fclose(file), 0);
}

static void append_lines(const char *name, int from, int to)
{
    FILE *file = fopen(path_of(name), "a");
    assert_non_null(file);
    for (int i = from; i < to; i++)
        fprintf(file, "%s line %06d\n", name, i);
    assert_int_equal(fclose(file), 0);
}

/* ---- the source -------------------------------------------------------------------------- */

typedef struct source {
    ferry_config *config;
    void *state;
} source;

static ferry_status source_start(source *s, char *err, size_t errlen)
{
    s->state = NULL;
    return file_source_type.source_task->start(plugin_fake_context(), s->config, &s->state, err,
                                                errlen);
}

static ferry_status source_poll(source *s, char *err, size_t errlen)
{
    return file_source_type.source_task->poll(s->state, 20, err, errlen);
}

static void source_poll_until_idle(source *s)
{
    char err[512] = "";
    for (int i = 0; i < 200; i++) {
        size_t before = fake.count;
        assert_int_equal(source_poll(s, err, sizeof(err)), FERRY_OK);
        if (fake.count == before && i > 2)
            break;
    }
}

static void source_stop(source *s)
{
    file_source_type.source_task->stop(s->state);
    s->state = NULL;
}

static char *json_text(json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
}

static void assert_json_text(json_t *value, const char *expected)
{
    char *text = json_text(value);
    assert_string_equal(text, expected);
    free(text);
}

static void test_source_lines_to_records(void **state)
{
    (void)state;
    static const char content[] = "plain\r\ncaf\xc3\xa9\nbin\xff\xfe\nnul\0byte\n\nunterminated";
    write_bytes("in.log", content, sizeof(content) - 1, "w");
    source s = {.config = plugin_fake_config_new(file_source_type.config, "file", path_of("in.log"),
                                                 "topic", "lines", NULL)};
    char err[512];
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 5);
    assert_string_equal(fake.records[0].topic, "lines");
    assert_int_equal(fake.records[0].kind, FERRY_DATA_STRING);
    assert_int_equal(fake.records[0].len, 5);
    assert_string_equal(fake.records[0].value, "plain");
    assert_int_equal(fake.records[1].kind, FERRY_DATA_STRING);
    assert_string_equal(fake.records[1].value, "caf\xc3\xa9");
    assert_int_equal(fake.records[2].kind, FERRY_DATA_BYTES);
    assert_memory_equal(fake.records[2].value, "bin\xff\xfe", 5);
    assert_int_equal(fake.records[3].kind, FERRY_DATA_STRING);
    assert_int_equal(fake.records[3].len, 8);
    assert_memory_equal(fake.records[3].value, "nul\0byte", 8);
    assert_int_equal(fake.records[4].len, 0);
    char partition[512];
    snprintf(partition, sizeof(partition), "{\"filename\":\"%s\"}", path_of("in.log"));
    for (size_t i = 0; i < 5; i++)
        assert_json_text(fake.records[i].source_partition, partition);
    /* Only the last record of the run carries the offset: FileStream's, in bytes. */
    for (size_t i = 0; i < 4; i++)
        assert_null(fake.records[i].source_offset);
    assert_json_text(fake.records[4].source_offset, "{\"position\":29}");
    assert_null(plugin_fake_record_header(&fake.records[0], "file.path"));
    source_stop(&s);
    ferry_config_destroy(s.config);
}

static void test_source_resumes_kafka_connect_offset(void **state)
{
    (void)state;
    append_lines("app.log", 0, 100);
    char partition[512];
    snprintf(partition, sizeof(partition), "{\"filename\":\"%s\"}", path_of("app.log"));
    /* What Kafka Connect's FileStreamSourceTask committed after 40 lines of 20 bytes. */
    plugin_fake_commit(partition, "{\"position\":800}");
    source s = {.config = plugin_fake_config_new(file_source_type.config, "file",
                                                 path_of("app.log"), "topic", "t", "batch.size",
                                                 "7", NULL)};
    char err[512];
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 60);
    assert_string_equal(fake.records[0].value, "app.log line 000040");
    assert_string_equal(fake.records[59].value, "app.log line 000099");
    /* batch.size: a poll hands over at most 7 lines, the last of them with the offset. */
    assert_non_null(fake.records[6].source_offset);
    assert_null(fake.records[5].source_offset);
    assert_json_text(fake.records[59].source_offset, "{\"position\":2000}");
    source_stop(&s);
    ferry_config_destroy(s.config);
}

static void test_source_full_buffer_loses_nothing(void **state)
{
    (void)state;
    append_lines("big.log", 0, 20000);
    source s = {.config = plugin_fake_config_new(file_source_type.config, "files", path_of("*.log"),
                                                 "topic", "t", "batch.size", "1000", NULL)};
    char err[512];
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    fake.refuse_after = 333;
    for (int poll = 0; poll < 1000 && fake.count < 20000; poll++) {
        assert_int_equal(source_poll(&s, err, sizeof(err)), FERRY_OK);
        fake.refuse_after = (long)fake.count + 333 + poll % 500;
    }
    assert_int_equal(fake.count, 20000);
    int64_t last_position = 0;
    for (int i = 0; i < 20000; i++) {
        char expected[64];
        snprintf(expected, sizeof(expected), "big.log line %06d", i);
        assert_string_equal(fake.records[i].value, expected);
        if (fake.records[i].source_offset) {
            int64_t position = json_integer_value(json_object_get(fake.records[i].source_offset,
                                                                  "position"));
            assert_true(position > last_position);
            assert_int_equal(position, (int64_t)(i + 1) * 20);
            last_position = position;
        }
    }
    assert_int_equal(last_position, 20000 * 20);
    /* `files`: the content partition (the file holds a whole fingerprint from the first read)
     * and the offset with the head. */
    json_t *partition = fake.records[0].source_partition;
    assert_int_equal(json_integer_value(json_object_get(partition, "head.bytes")), 1024);
    json_t *offset = fake.records[19999].source_offset;
    assert_string_equal(json_string_value(json_object_get(partition, "head")),
                        json_string_value(json_object_get(offset, "head")));
    assert_int_equal(json_integer_value(json_object_get(offset, "head.bytes")), 1024);
    assert_int_equal(strlen(json_string_value(json_object_get(offset, "head"))), 16);
    assert_string_equal(json_string_value(json_object_get(offset, "path")), path_of("big.log"));
    source_stop(&s);

    /* A restart from what was committed emits nothing again; new lines only. */
    plugin_fake_commit_all();
    plugin_fake_records_clear();
    fake.refuse_after = -1;
    append_lines("big.log", 20000, 20010);
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 10);
    assert_string_equal(fake.records[0].value, "big.log line 020000");
    source_stop(&s);
    ferry_config_destroy(s.config);
}

static void run_long_lines(const char *mode, ferry_status expected_status, size_t records)
{
    plugin_fake_records_clear();
    char long_line[100];
    memset(long_line, 'L', sizeof(long_line));
    write_bytes("long.log", "short\n", 6, "w");
    write_bytes("long.log", long_line, sizeof(long_line), "a");
    write_bytes("long.log", "\nafter\n", 7, "a");
    source s = {.config = plugin_fake_config_new(file_source_type.config, "file",
                                                 path_of("long.log"), "topic", "t",
                                                 "max.line.bytes", "16", "long.lines", mode, NULL)};
    char err[512] = "";
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    ferry_status status = FERRY_OK;
    for (int i = 0; i < 10 && status == FERRY_OK; i++)
        status = source_poll(&s, err, sizeof(err));
    assert_int_equal(status, expected_status);
    assert_int_equal(fake.count, records);
    if (expected_status == FERRY_ERROR) {
        assert_non_null(strstr(err, path_of("long.log")));
        assert_non_null(strstr(err, "byte 6"));
        assert_non_null(strstr(err, "max.line.bytes (16)"));
        if (strcmp(mode, "dlq") == 0)
            assert_non_null(strstr(err, "errors.tolerance does not tolerate it"));
    }
    source_stop(&s);
    ferry_config_destroy(s.config);
}

static void test_source_long_lines(void **state)
{
    (void)state;
    run_long_lines("truncate", FERRY_OK, 3);
    assert_int_equal(fake.records[1].len, 16);
    assert_string_equal(fake.records[2].value, "after");
    assert_true(plugin_fake_log_contains("truncated (long.lines=truncate)"));
    run_long_lines("skip", FERRY_OK, 2);
    assert_string_equal(fake.records[1].value, "after");
    assert_true(plugin_fake_log_contains("skipped (long.lines=skip)"));
    run_long_lines("fail", FERRY_ERROR, 1);
    /* dlq: the first bytes go to the error handler (the dead-letter queue), the rest goes on. */
    fake.report_count = 0;
    run_long_lines("dlq", FERRY_OK, 2);
    assert_string_equal(fake.records[1].value, "after");
    assert_int_equal(fake.report_count, 1);
    assert_int_equal(fake.reports[0].len, 16);
    assert_non_null(strstr(fake.reports[0].message, "byte 6"));
    assert_non_null(strstr(fake.reports[0].message, "long.lines=dlq"));
    /* errors.tolerance=none: the report is refused, the task fails and says why. */
    fake.fail_reports = true;
    run_long_lines("dlq", FERRY_ERROR, 1);
    fake.fail_reports = false;
}

/* A line under max.line.bytes but over what Kafka takes: treated as a long line (here
 * truncated), so the producer never refuses it and the lines after it flow. */
static void run_record_limit(const char *producer_max, size_t line_len, size_t expected_len)
{
    plugin_fake_records_clear();
    char *line = malloc(line_len);
    assert_non_null(line);
    memset(line, 'K', line_len);
    write_bytes("kafka.log", line, line_len, "w");
    write_bytes("kafka.log", "\nafter\n", 7, "a");
    free(line);
    source s = {.config = producer_max
                              ? plugin_fake_config_new(file_source_type.config, "file",
                                                       path_of("kafka.log"), "topic", "t",
                                                       "producer.override.message.max.bytes",
                                                       producer_max, NULL)
                              : plugin_fake_config_new(file_source_type.config, "file",
                                                       path_of("kafka.log"), "topic", "t",
                                                       NULL)};
    char err[512] = "";
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 2);
    assert_int_equal(fake.records[0].len, expected_len);
    assert_string_equal(fake.records[1].value, "after");
    assert_true(plugin_fake_log_contains("longer than what a record can hold"));
    source_stop(&s);
    ferry_config_destroy(s.config);
}

static void test_source_line_longer_than_a_record(void **state)
{
    (void)state;
    /* Default max.line.bytes (1 MiB) and librdkafka's default message.max.bytes (1000000). */
    run_record_limit(NULL, 1000100, 1000000 - 512);
    /* producer.override.message.max.bytes lowers it. */
    run_record_limit("5000", 6000, 5000 - 512);
}

/* What the host says a record to the topic holds wins over the connector's own keys (the old
 * guess): here 65536 bytes, less the 512 of a record's framing, less 4160 with the headers. */
static void run_record_limit_from_host(bool headers, size_t expected_len)
{
    plugin_fake_records_clear();
    size_t line_len = 100000;
    char *line = malloc(line_len);
    assert_non_null(line);
    memset(line, 'H', line_len);
    write_bytes("host.log", "short\n", 6, "w");
    write_bytes("host.log", line, line_len, "a");
    write_bytes("host.log", "\nafter\n", 7, "a");
    free(line);
    fake.record_max_bytes = 65536;
    source s = {.config = plugin_fake_config_new(file_source_type.config, "file",
                                                 path_of("host.log"), "topic", "small",
                                                 "producer.override.message.max.bytes", "500000",
                                                 "topic.max.message.bytes", "2000000",
                                                 "headers.enable", headers ? "true" : "false",
                                                 NULL)};
    char err[512] = "";
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    assert_string_equal(fake.record_max_topics.data, "small");
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 3);
    assert_string_equal(fake.records[0].value, "short");
    assert_int_equal(fake.records[1].len, expected_len);
    assert_string_equal(fake.records[2].value, "after");
    assert_true(plugin_fake_log_contains("a record to topic small holds at most 65536 bytes (the "
                                         "lower of the producer's message.max.bytes and the "
                                         "topic's max.message.bytes)"));
    source_stop(&s);
    ferry_config_destroy(s.config);
    fake.record_max_bytes = 0;
}

static void test_source_line_limit_from_host(void **state)
{
    (void)state;
    run_record_limit_from_host(false, 65536 - 512);
    strbuf_free(&fake.record_max_topics);
    run_record_limit_from_host(true, 65536 - 512 - 4160);
}

/* topic.max.message.bytes is accepted but ignored once the host derives the limit: the
 * connector says so when it starts. */
static void test_source_topic_max_message_bytes_deprecated(void **state)
{
    (void)state;
    ferry_config *config = plugin_fake_config_new(file_source_type.config, "file",
                                                  path_of("any.log"), "topic", "t",
                                                  "topic.max.message.bytes", "65536", NULL);
    void *connector = NULL;
    char err[512] = "";
    assert_int_equal(file_source_type.connector->start(plugin_fake_context(), config, &connector,
                                                       err, sizeof(err)),
                     FERRY_OK);
    assert_true(plugin_fake_log_contains("topic.max.message.bytes is deprecated and ignored"));
    file_source_type.connector->stop(connector);
    ferry_config_destroy(config);
}

static void test_source_headers(void **state)
{
    (void)state;
    append_lines("h.log", 0, 3);
    source s = {.config = plugin_fake_config_new(file_source_type.config, "file", path_of("h.log"),
                                                 "topic", "t", "headers.enable", "true", NULL)};
    char err[512];
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 3);
    assert_string_equal(plugin_fake_record_header(&fake.records[2], "file.path"), path_of("h.log"));
    assert_string_equal(plugin_fake_record_header(&fake.records[2], "file.offset"), "36");
    source_stop(&s);
    ferry_config_destroy(s.config);
}

/* read.from=end with no committed offset: only what is written after the start. */
static void test_source_read_from_end(void **state)
{
    (void)state;
    append_lines("end.log", 0, 5);
    source s = {.config = plugin_fake_config_new(file_source_type.config, "files",
                                                 path_of("*.log"), "topic", "t", "read.from",
                                                 "END", "inotify.enable", "false", NULL)};
    char err[512];
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    source_poll_until_idle(&s);
    assert_int_equal(fake.count, 0);
    append_lines("end.log", 5, 7);
    for (int i = 0; i < 100 && fake.count < 2; i++) {
        assert_int_equal(source_poll(&s, err, sizeof(err)), FERRY_OK);
        usleep(20000);
    }
    assert_int_equal(fake.count, 2);
    assert_string_equal(fake.records[0].value, "end.log line 000005");
    source_stop(&s);
    ferry_config_destroy(s.config);
}

typedef struct reports {
    char text[8][512];
    size_t count;
} reports;

static void report_collect(void *opaque, const char *key, const char *message)
{
    reports *r = opaque;
    if (r->count < 8)
        snprintf(r->text[r->count], sizeof(r->text[0]), "%s: %s", key, message);
    r->count++;
}

static void test_source_config_errors(void **state)
{
    (void)state;
    char err[512];
    reports r = {0};
    ferry_config *both = plugin_fake_config_new(file_source_type.config, "file", "/x.log", "files",
                                         "/y/*.log", "topic", "t", NULL);
    assert_int_equal(file_source_type.connector->validate(both, report_collect, &r, err,
                                                          sizeof(err)), FERRY_OK);
    assert_int_equal(r.count, 1);
    assert_non_null(strstr(r.text[0], "files: file ('/x.log') and files cannot both be set"));
    void *task = NULL;
    assert_int_equal(file_source_type.source_task->start(plugin_fake_context(), both, &task, err,
                                                          sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "invalid files"));
    ferry_config_destroy(both);

    r.count = 0;
    ferry_config *neither = plugin_fake_config_new(file_source_type.config, "topic", "t", NULL);
    file_source_type.connector->validate(neither, report_collect, &r, err, sizeof(err));
    assert_int_equal(r.count, 1);
    assert_non_null(strstr(r.text[0], "file: set file"));
    void *connector = NULL;
    assert_int_equal(file_source_type.connector->start(plugin_fake_context(), neither, &connector,
                                                        err, sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "standard input"));
    ferry_config_destroy(neither);

    r.count = 0;
    ferry_config *exclude = plugin_fake_config_new(file_source_type.config, "file", "/x.log",
                                            "exclude", "*.gz", "topic", "t", NULL);
    file_source_type.connector->validate(exclude, report_collect, &r, err, sizeof(err));
    assert_int_equal(r.count, 1);
    assert_non_null(strstr(r.text[0], "exclude: exclude only applies to files"));
    ferry_config_destroy(exclude);
}

static void test_source_task_configs(void **state)
{
    (void)state;
    char err[512];
    ferry_config *one = plugin_fake_config_new(file_source_type.config, "file", "/x.log", "topic",
                                               "t", NULL);
    void *connector = NULL;
    assert_int_equal(file_source_type.connector->start(plugin_fake_context(), one, &connector, err,
                                                        sizeof(err)), FERRY_OK);
    json_t *configs = NULL;
    assert_int_equal(file_source_type.connector->task_configs(connector, 4, &configs, err,
                                                               sizeof(err)), FERRY_OK);
    assert_int_equal(json_array_size(configs), 1);
    json_decref(configs);
    file_source_type.connector->stop(connector);
    ferry_config_destroy(one);

    ferry_config *many = plugin_fake_config_new(file_source_type.config, "files", "/x/*.log",
                                                "topic", "t", NULL);
    assert_int_equal(file_source_type.connector->start(plugin_fake_context(), many, &connector, err,
                                                        sizeof(err)), FERRY_OK);
    assert_int_equal(file_source_type.connector->task_configs(connector, 3, &configs, err,
                                                               sizeof(err)), FERRY_OK);
    assert_int_equal(json_array_size(configs), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *config = json_array_get(configs, i);
        char index[4];
        snprintf(index, sizeof(index), "%zu", i);
        assert_string_equal(json_string_value(json_object_get(config, "task.index")), index);
        assert_string_equal(json_string_value(json_object_get(config, "task.count")), "3");
        assert_string_equal(json_string_value(json_object_get(config, "files")), "/x/*.log");
    }
    json_decref(configs);
    file_source_type.connector->stop(connector);
    ferry_config_destroy(many);
}

static void test_source_files_spread_over_tasks(void **state)
{
    (void)state;
    for (int f = 0; f < 12; f++) {
        char name[32];
        snprintf(name, sizeof(name), "f%02d.log", f);
        append_lines(name, 0, 50);
    }
    source tasks[3];
    char err[512];
    for (int t = 0; t < 3; t++) {
        char index[4];
        snprintf(index, sizeof(index), "%d", t);
        tasks[t].config = plugin_fake_config_new(file_source_type.config, "files", path_of("*.log"),
                                          "topic", "t", "task.index", index, "task.count", "3",
                                          NULL);
        assert_int_equal(source_start(&tasks[t], err, sizeof(err)), FERRY_OK);
    }
    size_t first_of_task[4] = {0};
    for (int t = 0; t < 3; t++) {
        first_of_task[t] = fake.count;
        source_poll_until_idle(&tasks[t]);
    }
    first_of_task[3] = fake.count;
    assert_int_equal(fake.count, 12 * 50);
    /* Each line was read by the task that owns its file (by device and inode). */
    for (int t = 0; t < 3; t++) {
        for (size_t i = first_of_task[t]; i < first_of_task[t + 1]; i++) {
            char name[16];
            memcpy(name, fake.records[i].value, 7);
            name[7] = '\0';
            struct stat st;
            assert_int_equal(stat(path_of(name), &st), 0);
            assert_int_equal(file_identity_owner((uint64_t)st.st_dev, (uint64_t)st.st_ino, 3),
                             t);
        }
    }
    /* Every line once. */
    for (size_t i = 0; i < fake.count; i++)
        for (size_t k = i + 1; k < fake.count; k++)
            assert_true(strcmp(fake.records[i].value, fake.records[k].value) != 0);
    for (int t = 0; t < 3; t++) {
        source_stop(&tasks[t]);
        ferry_config_destroy(tasks[t].config);
    }
}

static void test_source_problem_in_status(void **state)
{
    (void)state;
    char pattern[256];
    snprintf(pattern, sizeof(pattern), "%s/nowhere/*.log", dir);
    source s = {.config = plugin_fake_config_new(file_source_type.config, "files", pattern, "topic",
                                                 "t", NULL)};
    char err[512];
    assert_int_equal(source_start(&s, err, sizeof(err)), FERRY_OK);
    assert_int_equal(source_poll(&s, err, sizeof(err)), FERRY_OK);
    assert_non_null(fake.problem);
    assert_non_null(strstr(fake.problem, "nowhere does not exist"));
    source_stop(&s);
    ferry_config_destroy(s.config);
}

/* ---- the sink ---------------------------------------------------------------------------- */

static void *sink_start(ferry_config *config)
{
    void *state = NULL;
    char err[512] = "";
    if (file_sink_type.sink_task->start(plugin_fake_context(), config, &state, err, sizeof(err)) !=
        FERRY_OK)
        fail_msg("sink start: %s", err);
    return state;
}

static void sink_put(void *state, const ferry_record *records, size_t count)
{
    char err[512] = "";
    if (file_sink_type.sink_task->put(state, records, count, err, sizeof(err)) != FERRY_OK)
        fail_msg("put: %s", err);
}

static void sink_flush(void *state)
{
    char err[512] = "";
    ferry_topic_partition offsets[1] = {{"t", 0, 10}};
    if (file_sink_type.sink_task->flush(state, offsets, 1, err, sizeof(err)) != FERRY_OK)
        fail_msg("flush: %s", err);
    assert_int_equal(offsets[0].offset, 10);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    char *data = calloc(1, 1 << 20);
    *len = fread(data, 1, (1 << 20) - 1, file);
    fclose(file);
    return data;
}

static void test_sink_values(void **state)
{
    (void)state;
    json_t *object = json_pack("{s:i,s:[s,s]}", "a", 1, "b", "x", "y");
    json_t *pretty = json_pack("{s:s}", "k", "v");
    json_t *string = json_string("a JSON string");
    ferry_record records[7] = {
        {.topic = "t", .value = {.kind = FERRY_DATA_STRING, .data = "a string", .len = 8}},
        {.topic = "t", .value = {.kind = FERRY_DATA_BYTES, .data = "by\xfftes", .len = 6}},
        {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .json = object,
                                 .data = "{\"a\": 1, \"b\": [\"x\",\"y\"]}", .len = 24}},
        {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .json = pretty,
                                 .data = "{\n  \"k\": \"v\"\n}", .len = 14}},
        {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .json = object}},
        {.topic = "t", .value = {.kind = FERRY_DATA_NULL}},
        {.topic = "t", .value = {.kind = FERRY_DATA_JSON, .json = string,
                                 .data = "\"a JSON string\"", .len = 15}},
    };
    ferry_config *config = plugin_fake_config_new(file_sink_type.config, "file", path_of("out.txt"),
                                           "topics", "t", NULL);
    void *sink = sink_start(config);
    sink_put(sink, records, 7);
    /* In the file as soon as put returns, before any flush: lines do not wait for the offset
     * flush to be readable. */
    size_t len = 0;
    char *text = read_all(path_of("out.txt"), &len);
    const char expected[] = "a string\nby\xfftes\n{\"a\": 1, \"b\": [\"x\",\"y\"]}\n{\"k\":\"v\"}\n"
                            "{\"a\":1,\"b\":[\"x\",\"y\"]}\nnull\na JSON string\n";
    assert_int_equal(len, sizeof(expected) - 1);
    assert_memory_equal(text, expected, len);
    free(text);
    sink_flush(sink);
    file_sink_type.sink_task->stop(sink);
    ferry_config_destroy(config);
    json_decref(object);
    json_decref(pretty);
    json_decref(string);
}

static void test_sink_rolls_by_size(void **state)
{
    (void)state;
    write_bytes("out.txt.7", "older\n", 6, "w"); /* numbering goes on after the highest */
    write_bytes("out.txt", "abc", 3, "w");       /* unterminated: ended first */
    ferry_config *config = plugin_fake_config_new(file_sink_type.config, "file", path_of("out.txt"),
                                           "topics", "t", "roll.size.bytes", "20", NULL);
    void *sink = sink_start(config);
    ferry_record records[10];
    char values[10][8];
    for (int i = 0; i < 10; i++) {
        snprintf(values[i], sizeof(values[i]), "line-%d", i); /* 6 bytes + '\n' */
        records[i] = (ferry_record){.topic = "t",
                                    .value = {.kind = FERRY_DATA_STRING, .data = values[i],
                                              .len = 6}};
    }
    sink_put(sink, records, 10);
    sink_flush(sink);
    file_sink_type.sink_task->stop(sink);
    ferry_config_destroy(config);
    size_t len;
    char *text = read_all(path_of("out.txt.8"), &len);
    assert_string_equal(text, "abc\nline-0\nline-1\n");
    free(text);
    text = read_all(path_of("out.txt.9"), &len);
    assert_string_equal(text, "line-2\nline-3\n");
    free(text);
    text = read_all(path_of("out.txt.11"), &len);
    assert_string_equal(text, "line-6\nline-7\n");
    free(text);
    text = read_all(path_of("out.txt"), &len);
    assert_string_equal(text, "line-8\nline-9\n");
    free(text);
    assert_true(plugin_fake_log_contains("does not end with a newline"));
}

static void test_sink_file_moved_away(void **state)
{
    (void)state;
    ferry_config *config = plugin_fake_config_new(file_sink_type.config, "file", path_of("out.txt"),
                                           "topics", "t", NULL);
    void *sink = sink_start(config);
    ferry_record one = {.topic = "t", .value = {.kind = FERRY_DATA_STRING, .data = "one",
                                                .len = 3}};
    ferry_record two = {.topic = "t", .value = {.kind = FERRY_DATA_STRING, .data = "two",
                                                .len = 3}};
    sink_put(sink, &one, 1);
    sink_flush(sink);
    /* logrotate moves the output away; the next lines start a new file at the name. */
    assert_int_equal(rename(path_of("out.txt"), path_of("out.txt.rotated")), 0);
    sink_put(sink, &two, 1);
    sink_flush(sink);
    file_sink_type.sink_task->stop(sink);
    ferry_config_destroy(config);
    size_t len;
    char *text = read_all(path_of("out.txt.rotated"), &len);
    assert_string_equal(text, "one\n");
    free(text);
    text = read_all(path_of("out.txt"), &len);
    assert_string_equal(text, "two\n");
    free(text);
}

static void test_sink_one_task(void **state)
{
    (void)state;
    char err[512];
    ferry_config *config = plugin_fake_config_new(file_sink_type.config, "file", "/tmp/x", "topics",
                                           "t", NULL);
    void *connector = NULL;
    assert_int_equal(file_sink_type.connector->start(plugin_fake_context(), config, &connector, err,
                                                      sizeof(err)), FERRY_OK);
    json_t *configs = NULL;
    assert_int_equal(file_sink_type.connector->task_configs(connector, 4, &configs, err,
                                                             sizeof(err)), FERRY_OK);
    assert_int_equal(json_array_size(configs), 1);
    json_decref(configs);
    file_sink_type.connector->stop(connector);
    ferry_config_destroy(config);
    /* A sink that cannot open its file fails at start, naming it. */
    ferry_config *bad = plugin_fake_config_new(file_sink_type.config, "file",
                                               "/nonexistent/dir/out", "topics", "t", NULL);
    void *task = NULL;
    assert_int_equal(file_sink_type.sink_task->start(plugin_fake_context(), bad, &task, err,
                                                      sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "/nonexistent/dir/out"));
    ferry_config_destroy(bad);
}

/* alter_offsets, as Kafka Connect's FileStreamSourceConnector.alterOffsets: FileStream's
 * partition and a non-negative position with `file`; the content partitions with `files`; a
 * reset of anything; errors naming the partition and the field. */
static ferry_status alter_one(const ferry_config *config, const char *partition,
                              const char *offset, char *err, size_t errlen)
{
    json_t *parsed_partition = json_loads(partition, 0, NULL);
    json_t *parsed_offset = offset ? json_loads(offset, 0, NULL) : NULL;
    ferry_source_offset entry = {.partition = parsed_partition, .offset = parsed_offset};
    ferry_status status = file_source_type.alter_offsets(config, &entry, 1, err, errlen);
    json_decref(parsed_partition);
    json_decref(parsed_offset);
    return status;
}

static void test_source_alter_offsets(void **state)
{
    (void)state;
    char err[512] = "";
    ferry_config *one = plugin_fake_config_new(file_source_type.config, "file", "/x", "topic",
                                               "t", NULL);
    assert_int_equal(alter_one(one, "{\"filename\":\"/x\"}", "{\"position\":7}", err,
                               sizeof(err)), FERRY_OK);
    assert_int_equal(alter_one(one, "{\"junk\":1}", NULL, err, sizeof(err)), FERRY_OK);
    assert_int_equal(alter_one(one, "{\"filename\":\"/x\"}", "{\"position\":\"bad\"}", err,
                               sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "{\"filename\":\"/x\"}"));
    assert_non_null(strstr(err, "'position'"));
    assert_int_equal(alter_one(one, "{\"filename\":\"/x\"}", "{\"position\":-1}", err,
                               sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "non-negative"));
    assert_int_equal(alter_one(one, "{\"filename\":\"/x\"}", "{\"pos\":1}", err,
                               sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "'position'"));
    assert_int_equal(alter_one(one, "{\"file\":\"/x\"}", "{\"position\":1}", err,
                               sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "'filename'"));
    ferry_config *globs = plugin_fake_config_new(file_source_type.config, "files", "/x/*.log",
                                                 "topic", "t", NULL);
    assert_int_equal(alter_one(globs, "{\"device\":1,\"inode\":2}", "{\"position\":0}", err,
                               sizeof(err)), FERRY_OK);
    assert_int_equal(alter_one(globs, "{\"filename\":\"/x/a.log\"}", "{\"position\":0}", err,
                               sizeof(err)), FERRY_ERROR);
    assert_non_null(strstr(err, "'head'"));
    assert_string_equal(file_source_type.task_class,
                        "org.apache.kafka.connect.file.FileStreamSourceTask");
    assert_string_equal(file_sink_type.task_class,
                        "org.apache.kafka.connect.file.FileStreamSinkTask");
    ferry_config_destroy(one);
    ferry_config_destroy(globs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_source_lines_to_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_alter_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_resumes_kafka_connect_offset, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_source_full_buffer_loses_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_long_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_line_longer_than_a_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_line_limit_from_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_topic_max_message_bytes_deprecated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_source_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_read_from_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_config_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_task_configs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_files_spread_over_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_problem_in_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_rolls_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_file_moved_away, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_one_task, setup, teardown),
    };
    return cmocka_run_group_tests_name("file_tasks", tests, NULL, NULL);
}
