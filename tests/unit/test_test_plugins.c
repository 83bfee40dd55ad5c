/*
 * test_test_plugins.c - the "sequence" test plugin (tests/plugins/sequence) behaves exactly as
 * the runtime's tests rely on: SequenceSource's task split, order, offsets, resume, back-pressure
 * and failure hooks; RecordingSink's file format, flush-only durability and hooks; NullSink's
 * count. The module is loaded through the worker's real loader and driven only through its
 * callbacks, with a fake runtime behind the host services.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "base/log.h"
#include "plugin/host_services.h"
#include "plugin/plugin_context.h"
#include "plugin/plugin_registry.h"

#define SEQUENCE_MODULE FERRY_TEST_PLUGIN_DIR "/sequence/sequence.so"
#define CONNECTOR_NAME "seq-test"

static plugin_registry *registry;
static char temp_dir[256];

/* ---- fixtures ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    log_configure(stderr, FERRY_LOG_WARN);
    registry = plugin_registry_new(host_services());
    if (!registry)
        return -1;
    char why[512] = "";
    if (plugin_registry_load_file(registry, SEQUENCE_MODULE, why, sizeof(why)) != 0) {
        fprintf(stderr, "cannot load %s: %s\n", SEQUENCE_MODULE, why);
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof(temp_dir), "%s/ferry-test-plugins-XXXXXX", tmp && tmp[0] ? tmp
                                                                                      : "/tmp");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    DIR *dir = opendir(temp_dir);
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir(dir))) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", temp_dir, entry->d_name);
            unlink(path);
        }
        closedir(dir);
        rmdir(temp_dir);
    }
    plugin_registry_destroy(registry);
    return 0;
}

/* A path in the group's temporary directory; removed first, so every test starts clean. */
static const char *temp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
    unlink(path);
    return path;
}

static void file_touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
}

/* The whole file as a string ("" when it does not exist). Caller frees. */
static char *file_read(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return strdup("");
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0)
        fwrite(chunk, 1, n, out);
    fclose(file);
    fclose(out);
    return text;
}

static FILE *log_capture;

static void log_capture_begin(ferry_log_level level)
{
    log_capture = tmpfile();
    assert_non_null(log_capture);
    log_configure(log_capture, level);
}

/* What was logged since log_capture_begin. Caller frees. */
static char *log_capture_end(void)
{
    log_configure(stderr, FERRY_LOG_WARN);
    long size = ftell(log_capture);
    assert_true(size >= 0);
    char *text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    rewind(log_capture);
    assert_int_equal(fread(text, 1, (size_t)size, log_capture), (size_t)size);
    fclose(log_capture);
    log_capture = NULL;
    return text;
}

static const registered_connector *connector_find(const char *name)
{
    const registered_connector *connector = plugin_registry_find(registry, name);
    assert_non_null(connector);
    return connector;
}

/* A validated config for a connector type from NULL-terminated key, value pairs. Validation
 * failing here means the plugin's definition rejects what the test meant as valid. */
static ferry_config *config_make(const ferry_connector_type *type, const char *const *pairs)
{
    config_map *values = config_map_new();
    assert_non_null(values);
    for (size_t i = 0; pairs && pairs[i]; i += 2)
        assert_int_equal(config_map_set(values, pairs[i], pairs[i + 1]), 0);
    const ferry_config_key *defs[] = {type->config};
    size_t ndefs = type->config ? 1 : 0;
    config_errors *errors = config_errors_new();
    if (config_validate(defs, ndefs, values, NULL, errors, NULL) != 0) {
        char *text = config_errors_to_string(errors);
        fail_msg("config rejected: %s", text);
    }
    config_errors_destroy(errors);
    ferry_config *config = ferry_config_new(values, defs, ndefs);
    assert_non_null(config);
    config_map_destroy(values);
    return config;
}

/* The number of problems validation finds in a config. */
static size_t config_problems(const ferry_connector_type *type, const char *const *pairs)
{
    config_map *values = config_map_new();
    for (size_t i = 0; pairs[i]; i += 2)
        assert_int_equal(config_map_set(values, pairs[i], pairs[i + 1]), 0);
    const ferry_config_key *defs[] = {type->config};
    config_errors *errors = config_errors_new();
    size_t problems = config_validate(defs, 1, values, NULL, errors, NULL);
    config_errors_destroy(errors);
    config_map_destroy(values);
    return problems;
}

/* ---- the fake runtime behind the context ------------------------------------------------- */

typedef struct emitted_record {
    char *line; /* "key|value|seq", seq "-" when the record carries no offset */
    char *topic;
    int32_t partition;
    ferry_data_kind key_kind;
    ferry_data_kind value_kind;
    int64_t timestamp_ms;
    char *source_partition; /* compact JSON */
    char *headers;          /* "name=value;..." */
} emitted_record;

typedef struct fake_runtime {
    ferry_context ctx;
    emitted_record records[256];
    size_t count;
    size_t accept_limit;   /* record_emit answers FERRY_RETRY once count reaches it */
    size_t retries;        /* FERRY_RETRY answers given */
    bool refuse;           /* record_emit answers FERRY_ERROR */
    json_t *offsets;       /* partition number as text -> committed offset */
    char *offset_queries;  /* compact source partitions offset_read was asked for, ';'-joined */
} fake_runtime;

static ferry_status fake_record_emit(void *owner, const ferry_record *record)
{
    fake_runtime *runtime = owner;
    if (runtime->refuse)
        return FERRY_ERROR;
    if (runtime->count >= runtime->accept_limit) {
        runtime->retries++;
        return FERRY_RETRY;
    }
    assert_true(runtime->count < sizeof(runtime->records) / sizeof(runtime->records[0]));
    emitted_record *copy = &runtime->records[runtime->count++];
    char seq[32] = "-";
    if (record->source_offset) {
        json_t *value = json_object_get(record->source_offset, "seq");
        assert_true(json_is_integer(value));
        assert_int_equal(json_object_size(record->source_offset), 1);
        snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(value));
    }
    assert_true(asprintf(&copy->line, "%.*s|%.*s|%s", (int)record->key.len,
                         (const char *)record->key.data, (int)record->value.len,
                         (const char *)record->value.data, seq) > 0);
    copy->topic = strdup(record->topic);
    copy->partition = record->partition;
    copy->key_kind = record->key.kind;
    copy->value_kind = record->value.kind;
    copy->timestamp_ms = record->timestamp_ms;
    copy->source_partition = json_dumps(record->source_partition, JSON_COMPACT | JSON_SORT_KEYS);
    copy->headers = strdup("");
    for (size_t i = 0; i < record->header_count; i++) {
        char *joined = NULL;
        assert_true(asprintf(&joined, "%s%s=%.*s;", copy->headers, record->headers[i].key,
                             (int)record->headers[i].value_len,
                             (const char *)record->headers[i].value) > 0);
        free(copy->headers);
        copy->headers = joined;
    }
    return FERRY_OK;
}

static json_t *fake_offset_read(void *owner, json_t *source_partition)
{
    fake_runtime *runtime = owner;
    char *text = json_dumps(source_partition, JSON_COMPACT | JSON_SORT_KEYS);
    char *joined = NULL;
    assert_true(asprintf(&joined, "%s%s%s", runtime->offset_queries ? runtime->offset_queries : "",
                         runtime->offset_queries ? ";" : "", text) > 0);
    free(runtime->offset_queries);
    runtime->offset_queries = joined;
    free(text);

    char number[16];
    snprintf(number, sizeof(number), "%lld",
             (long long)json_integer_value(json_object_get(source_partition, "partition")));
    json_t *offset = runtime->offsets ? json_object_get(runtime->offsets, number) : NULL;
    return offset ? json_incref(offset) : NULL;
}

static const plugin_context_ops fake_ops = {
    .offset_read = fake_offset_read,
    .record_emit = fake_record_emit,
};

static void fake_runtime_init(fake_runtime *runtime)
{
    memset(runtime, 0, sizeof(*runtime));
    runtime->accept_limit = SIZE_MAX;
    plugin_context_init(&runtime->ctx, "task:" CONNECTOR_NAME "-0", &fake_ops, runtime);
}

static void fake_runtime_clear(fake_runtime *runtime)
{
    for (size_t i = 0; i < runtime->count; i++) {
        free(runtime->records[i].line);
        free(runtime->records[i].topic);
        free(runtime->records[i].source_partition);
        free(runtime->records[i].headers);
    }
    runtime->count = 0;
}

static void fake_runtime_destroy(fake_runtime *runtime)
{
    fake_runtime_clear(runtime);
    json_decref(runtime->offsets);
    free(runtime->offset_queries);
}

/* Checks the emitted records' lines, then forgets them. */
static void assert_emitted(fake_runtime *runtime, const char *const *expected)
{
    size_t count = 0;
    while (expected[count])
        count++;
    for (size_t i = 0; i < count && i < runtime->count; i++)
        if (strcmp(runtime->records[i].line, expected[i]) != 0)
            fail_msg("record %zu: expected \"%s\", got \"%s\"", i, expected[i],
                     runtime->records[i].line);
    assert_int_equal(runtime->count, count);
    fake_runtime_clear(runtime);
}

/* ---- SequenceSource helpers -------------------------------------------------------------- */

static const ferry_connector_type *source_type(void)
{
    return connector_find("SequenceSource")->type;
}

typedef struct source_harness {
    fake_runtime runtime;
    ferry_config *config;
    void *task;
    char err[512];
} source_harness;

/* Starts a source task with "name" and "topic" set and the given extra pairs; returns start's
 * status (the harness holds a task only on FERRY_OK). */
static ferry_status source_start(source_harness *harness, json_t *offsets,
                                 const char *const *pairs)
{
    const char *all[64] = {"name", CONNECTOR_NAME, "topic", "numbers"};
    size_t n = 4;
    for (size_t i = 0; pairs && pairs[i]; i++)
        all[n++] = pairs[i];
    all[n] = NULL;
    fake_runtime_init(&harness->runtime);
    harness->runtime.offsets = offsets;
    harness->config = config_make(source_type(), all);
    harness->task = NULL;
    harness->err[0] = '\0';
    return source_type()->source_task->start(&harness->runtime.ctx, harness->config,
                                             &harness->task, harness->err, sizeof(harness->err));
}

static ferry_status source_poll(source_harness *harness, int timeout_ms)
{
    harness->err[0] = '\0';
    return source_type()->source_task->poll(harness->task, timeout_ms, harness->err,
                                            sizeof(harness->err));
}

static void source_stop(source_harness *harness)
{
    if (harness->task)
        source_type()->source_task->stop(harness->task);
    harness->task = NULL;
    ferry_config_destroy(harness->config);
    fake_runtime_destroy(&harness->runtime);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ---- the module -------------------------------------------------------------------------- */

static void test_module_declares_five_connector_types(void **state)
{
    assert_int_equal(plugin_registry_count(registry), 5);
    assert_string_equal(plugin_registry_at(registry, 0)->type->name, "AtLeastOnceSequenceSource");
    assert_string_equal(plugin_registry_at(registry, 1)->type->name, "NullSink");
    assert_string_equal(plugin_registry_at(registry, 2)->type->name, "RecordingSink");
    assert_string_equal(plugin_registry_at(registry, 3)->type->name, "RecordingTextSink");
    assert_string_equal(plugin_registry_at(registry, 4)->type->name, "SequenceSource");

    const registered_connector *source = connector_find("SequenceSource");
    assert_string_equal(source->plugin->name, "sequence");
    assert_int_equal(source->type->kind, FERRY_CONNECTOR_SOURCE);
    assert_ptr_equal(connector_find("io.ferry.test.SequenceSourceConnector"), source);
    assert_non_null(source->type->source_task->commit);
    assert_int_equal(connector_type_flags(source->type), FERRY_SOURCE_EXACTLY_ONCE);
    assert_int_equal(connector_type_flags(connector_find("AtLeastOnceSequenceSource")->type), 0);

    const registered_connector *recording = connector_find("RecordingSink");
    assert_int_equal(recording->type->kind, FERRY_CONNECTOR_SINK);
    assert_ptr_equal(connector_find("io.ferry.test.RecordingSinkConnector"), recording);
    assert_non_null(recording->type->sink_task->open);
    assert_non_null(recording->type->sink_task->close);
    assert_int_equal(connector_type_flags(recording->type), FERRY_SINK_HEADERS_ON_DEMAND);
    assert_int_equal(connector_type_flags(connector_find("RecordingTextSink")->type),
                     FERRY_SINK_JSON_TEXT);

    const registered_connector *null_sink = connector_find("NullSink");
    assert_int_equal(null_sink->type->kind, FERRY_CONNECTOR_SINK);
    assert_ptr_equal(connector_find("io.ferry.test.NullSinkConnector"), null_sink);
    assert_null(null_sink->type->config);
    assert_int_equal(connector_type_flags(null_sink->type), FERRY_SINK_HEADERS_ON_DEMAND);
}

/* ---- SequenceSource ---------------------------------------------------------------------- */

static void test_source_config_defaults_and_bounds(void **state)
{
    const ferry_host *host = host_services();
    ferry_config *config = config_make(source_type(), (const char *const[]){"topic", "t", NULL});
    assert_int_equal(host->config_int(config, "partitions"), 4);
    assert_int_equal(host->config_int(config, "count"), -1);
    assert_int_equal(host->config_int(config, "batch.size"), 500);
    assert_int_equal(host->config_int(config, "record.bytes"), 0);
    assert_int_equal(host->config_int(config, "offset.every"), 1);
    assert_int_equal(host->config_int(config, "interval.ms"), 0);
    assert_string_equal(host->config_string(config, "fail.when.file.exists"), "");
    assert_int_equal(host->config_int(config, "fail.after.records"), -1);
    ferry_config_destroy(config);

    assert_int_equal(config_problems(source_type(), (const char *const[]){"partitions", "2",
                                                                          NULL}), 1);
    static const char *const bad[][2] = {
        {"partitions", "0"}, {"count", "-2"}, {"batch.size", "0"}, {"record.bytes", "-1"},
        {"offset.every", "0"}, {"interval.ms", "-1"}, {"fail.after.records", "-5"},
        {"partitions", "many"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t problems = config_problems(source_type(), (const char *const[]){
            "topic", "t", bad[i][0], bad[i][1], NULL});
        if (problems != 1)
            fail_msg("%s=%s: %zu problems, expected 1", bad[i][0], bad[i][1], problems);
    }
}

/* Runs the connector's task_configs for a number of partitions and tasks.max. */
static json_t *source_task_configs(const char *partitions, int max_tasks)
{
    const ferry_connector_callbacks *connector = source_type()->connector;
    ferry_context ctx;
    plugin_context_init(&ctx, "connector:" CONNECTOR_NAME, NULL, NULL);
    ferry_config *config = config_make(source_type(), (const char *const[]){
        "name", CONNECTOR_NAME, "topic", "numbers", "partitions", partitions, "batch.size", "7",
        NULL});
    void *state = NULL;
    char err[256] = "";
    assert_int_equal(connector->start(&ctx, config, &state, err, sizeof(err)), FERRY_OK);
    json_t *configs = NULL;
    assert_int_equal(connector->task_configs(state, max_tasks, &configs, err, sizeof(err)),
                     FERRY_OK);
    connector->stop(state);
    ferry_config_destroy(config);
    assert_true(json_is_array(configs));
    return configs;
}

static void assert_task_partitions(json_t *configs, const char *const *expected)
{
    size_t count = 0;
    while (expected[count])
        count++;
    assert_int_equal(json_array_size(configs), count);
    for (size_t i = 0; i < count; i++) {
        json_t *config = json_array_get(configs, i);
        assert_string_equal(json_string_value(json_object_get(config, "task.partitions")),
                            expected[i]);
        /* The rest of the connector's config travels with every task. */
        assert_string_equal(json_string_value(json_object_get(config, "name")), CONNECTOR_NAME);
        assert_string_equal(json_string_value(json_object_get(config, "topic")), "numbers");
        assert_string_equal(json_string_value(json_object_get(config, "batch.size")), "7");
        assert_int_equal(json_object_size(config), 5);
    }
    json_decref(configs);
}

static void test_source_task_configs_spread_partitions(void **state)
{
    assert_task_partitions(source_task_configs("5", 2), (const char *const[]){"0,2,4", "1,3",
                                                                              NULL});
    assert_task_partitions(source_task_configs("5", 10),
                           (const char *const[]){"0", "1", "2", "3", "4", NULL});
    assert_task_partitions(source_task_configs("5", 1), (const char *const[]){"0,1,2,3,4", NULL});
    assert_task_partitions(source_task_configs("12", 5), (const char *const[]){
        "0,5,10", "1,6,11", "2,7", "3,8", "4,9", NULL});
    assert_task_partitions(source_task_configs("3", 0), (const char *const[]){NULL});
}

static void test_source_emits_round_robin_across_polls(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "3", "task.partitions", "0,2", "batch.size", "5", NULL}), FERRY_OK);
    /* offset_read was asked for each of the task's partitions, in its order. */
    assert_string_equal(harness.runtime.offset_queries,
                        "{\"partition\":0,\"sequence\":\"seq-test\"};"
                        "{\"partition\":2,\"sequence\":\"seq-test\"}");

    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    emitted_record *first = &harness.runtime.records[0];
    assert_string_equal(first->topic, "numbers");
    assert_int_equal(first->partition, FERRY_PARTITION_ANY);
    assert_int_equal(first->key_kind, FERRY_DATA_STRING);
    assert_int_equal(first->value_kind, FERRY_DATA_STRING);
    assert_int_equal(first->timestamp_ms, FERRY_TIMESTAMP_NONE);
    assert_string_equal(first->source_partition, "{\"partition\":0,\"sequence\":\"seq-test\"}");
    assert_string_equal(harness.runtime.records[1].source_partition,
                        "{\"partition\":2,\"sequence\":\"seq-test\"}");
    /* offset.every=1: every record carries {"seq": n+1}. */
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0|1", "2|2:0|1", "0|0:1|2", "2|2:1|2", "0|0:2|3", NULL});

    /* The next poll goes on with the partition after the last one served. */
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "2|2:2|3", "0|0:3|4", "2|2:3|4", "0|0:4|5", "2|2:4|5", NULL});
    source_stop(&harness);
}

static void test_source_without_task_partitions_takes_all(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "3", "batch.size", "4", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0|1", "1|1:0|1", "2|2:0|1", "0|0:1|2", NULL});
    source_stop(&harness);
}

static void test_source_rejects_bad_task_partitions(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "4", "task.partitions", "0,9", NULL}), FERRY_ERROR);
    assert_string_equal(harness.err,
                        "task.partitions: '9' is not a partition number between 0 and 3");
    source_stop(&harness);

    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "4", "task.partitions", "1, 2 ,1", NULL}), FERRY_ERROR);
    assert_string_equal(harness.err, "task.partitions: partition 1 is listed twice");
    source_stop(&harness);

    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "task.partitions", "x1", NULL}), FERRY_ERROR);
    assert_string_equal(harness.err,
                        "task.partitions: 'x1' is not a partition number between 0 and 3");
    source_stop(&harness);
}

static void test_source_resumes_from_committed_offsets(void **state)
{
    source_harness harness;
    json_t *offsets = json_pack("{s:{s:i}}", "1", "seq", 7);
    assert_int_equal(source_start(&harness, offsets, (const char *const[]){
        "partitions", "2", "batch.size", "4", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0|1", "1|1:7|8", "0|0:1|2", "1|1:8|9", NULL});
    source_stop(&harness);

    /* An offset this plugin never writes is an error naming it, not a silent restart at 0. */
    offsets = json_pack("{s:{s:s}}", "0", "seq", "seven");
    assert_int_equal(source_start(&harness, offsets, (const char *const[]){"partitions", "1",
                                                                           NULL}), FERRY_ERROR);
    assert_string_equal(harness.err, "committed offset {\"seq\":\"seven\"} of source partition 0 "
                                     "is not {\"seq\": <number of the next record>}");
    source_stop(&harness);
}

static void test_source_record_bytes_pads_values(void **state)
{
    source_harness harness;
    json_t *offsets = json_pack("{s:{s:I}}", "1", "seq", (json_int_t)1234567890);
    assert_int_equal(source_start(&harness, offsets, (const char *const[]){
        "partitions", "2", "batch.size", "2", "record.bytes", "10", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    /* Padded to 10 bytes; a longer value stays as it is. */
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0xxxxxxx|1", "1|1:1234567890|1234567891", NULL});
    source_stop(&harness);

    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "1", "batch.size", "1", "record.bytes", "1000", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_int_equal(harness.runtime.count, 1);
    const char *line = harness.runtime.records[0].line;
    assert_int_equal(strlen(line), strlen("0|") + 1000 + strlen("|1"));
    assert_memory_equal(line, "0|0:0xxx", 8);
    assert_int_equal(strspn(line + 5, "x"), 997);
    source_stop(&harness);
}

static void test_source_offset_every(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "1", "batch.size", "8", "offset.every", "3", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    /* Every third record (n + 1 a multiple of 3) and the batch's last. */
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0|-", "0|0:1|-", "0|0:2|3", "0|0:3|-", "0|0:4|-", "0|0:5|6", "0|0:6|-", "0|0:7|8",
        NULL});
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:8|9", "0|0:9|-", "0|0:10|-", "0|0:11|12", "0|0:12|-", "0|0:13|-", "0|0:14|15",
        "0|0:15|16", NULL});
    source_stop(&harness);

    /* With two partitions each partition's last record of the batch carries its offset. */
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "2", "batch.size", "7", "offset.every", "2", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0|-", "1|1:0|-", "0|0:1|2", "1|1:1|2", "0|0:2|-", "1|1:2|3", "0|0:3|4", NULL});
    source_stop(&harness);
}

static void test_source_count_reached_goes_idle(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "2", "batch.size", "5", "count", "3", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:0|1", "1|1:0|1", "0|0:1|2", "1|1:1|2", "0|0:2|3", NULL});
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"1|1:2|3", NULL});

    /* Idle: nothing emitted, and the poll sleeps min(timeout, 100 ms) instead of spinning. */
    int64_t started = monotonic_ms();
    assert_int_equal(source_poll(&harness, 30), FERRY_OK);
    assert_true(monotonic_ms() - started >= 30);
    assert_int_equal(harness.runtime.count, 0);
    source_stop(&harness);

    /* A restarted task whose offsets reached count stays idle. */
    json_t *offsets = json_pack("{s:{s:i},s:{s:i}}", "0", "seq", 3, "1", "seq", 2);
    assert_int_equal(source_start(&harness, offsets, (const char *const[]){
        "partitions", "2", "batch.size", "5", "count", "3", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"1|1:2|3", NULL});
    assert_int_equal(source_poll(&harness, 1), FERRY_OK);
    assert_int_equal(harness.runtime.count, 0);
    source_stop(&harness);

    assert_int_equal(source_start(&harness, NULL, (const char *const[]){"count", "0", NULL}),
                     FERRY_OK);
    assert_int_equal(source_poll(&harness, 1), FERRY_OK);
    assert_int_equal(harness.runtime.count, 0);
    source_stop(&harness);
}

static void test_source_retry_emits_the_same_record_next_poll(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "2", "batch.size", "5", "offset.every", "100", NULL}), FERRY_OK);
    harness.runtime.accept_limit = 3;
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_int_equal(harness.runtime.retries, 1); /* the poll stopped at the first refusal */
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:0|-", "1|1:0|-", "0|0:1|-",
                                                            NULL});

    /* The refused record 1:1 comes first; no gap, no duplicate, and each partition's last
     * record of the batch carries the offset that covers everything before it. */
    harness.runtime.accept_limit = 0;
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_int_equal(harness.runtime.retries, 2);
    assert_int_equal(harness.runtime.count, 0);
    harness.runtime.accept_limit = SIZE_MAX;
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "1|1:1|-", "0|0:2|-", "1|1:2|-", "0|0:3|4", "1|1:3|4", NULL});
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){
        "0|0:4|-", "1|1:4|-", "0|0:5|-", "1|1:5|6", "0|0:6|7", NULL});

    /* FERRY_ERROR from the host fails the poll, naming the record. */
    harness.runtime.refuse = true;
    assert_int_equal(source_poll(&harness, 1000), FERRY_ERROR);
    assert_string_equal(harness.err, "the worker refused record 1:6");
    source_stop(&harness);
}

static void test_source_fail_when_file_exists(void **state)
{
    char trigger[512];
    snprintf(trigger, sizeof(trigger), "%s", temp_path("source-fail"));
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "1", "batch.size", "1", "fail.when.file.exists", trigger, NULL}),
        FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:0|1", NULL});

    file_touch(trigger);
    assert_int_equal(source_poll(&harness, 1000), FERRY_ERROR);
    char expected[600];
    snprintf(expected, sizeof(expected), "failure requested: %s exists", trigger);
    assert_string_equal(harness.err, expected);
    assert_int_equal(harness.runtime.count, 0);

    unlink(trigger);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:1|2", NULL});
    source_stop(&harness);
}

static void test_source_fail_after_records(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "2", "batch.size", "3", "fail.after.records", "5", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:0|1", "1|1:0|1", "0|0:1|2",
                                                            NULL});
    /* Exactly five records, then the failure. */
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"1|1:1|2", "0|0:2|3", NULL});
    assert_int_equal(source_poll(&harness, 1000), FERRY_ERROR);
    assert_string_equal(harness.err, "failure requested after 5 records");
    assert_int_equal(harness.runtime.count, 0);
    source_stop(&harness);

    /* Records refused with FERRY_RETRY do not count. */
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "1", "batch.size", "10", "fail.after.records", "2", NULL}), FERRY_OK);
    harness.runtime.accept_limit = 1;
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:0|1", NULL});
    harness.runtime.accept_limit = SIZE_MAX;
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:1|2", NULL});
    assert_int_equal(source_poll(&harness, 1000), FERRY_ERROR);
    assert_string_equal(harness.err, "failure requested after 2 records");
    source_stop(&harness);

    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "fail.after.records", "0", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_ERROR);
    assert_string_equal(harness.err, "failure requested after 0 records");
    source_stop(&harness);
}

/* origin.header: every record names its task instance and carries its poll's wall-clock time;
 * without it, no header and no timestamp. */
static void test_source_origin_header(void **state)
{
    (void)state;
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "1", "batch.size", "2", NULL}), FERRY_OK);
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_int_equal(harness.runtime.count, 2);
    assert_string_equal(harness.runtime.records[0].headers, "");
    assert_int_equal(harness.runtime.records[0].timestamp_ms, FERRY_TIMESTAMP_NONE);
    fake_runtime_clear(&harness.runtime);
    source_stop(&harness);

    char first[64] = "";
    for (int instance = 0; instance < 2; instance++) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t before = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        assert_int_equal(source_start(&harness, NULL, (const char *const[]){
            "partitions", "1", "batch.size", "2", "origin.header", "origin", NULL}), FERRY_OK);
        assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
        assert_int_equal(harness.runtime.count, 2);
        const emitted_record *record = &harness.runtime.records[1];
        char pid[32];
        snprintf(pid, sizeof(pid), "origin=%ld-", (long)getpid());
        assert_true(strncmp(record->headers, pid, strlen(pid)) == 0);
        assert_string_equal(record->headers, harness.runtime.records[0].headers);
        assert_true(record->timestamp_ms >= before && record->timestamp_ms < before + 5000);
        /* Each task started names itself differently. */
        if (instance == 0)
            snprintf(first, sizeof(first), "%s", record->headers);
        else
            assert_string_not_equal(record->headers, first);
        fake_runtime_clear(&harness.runtime);
        source_stop(&harness);
    }
}

static void test_source_interval_between_batches(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){
        "partitions", "1", "batch.size", "2", "interval.ms", "300", NULL}), FERRY_OK);
    int64_t started = monotonic_ms();
    assert_int_equal(source_poll(&harness, 1000), FERRY_OK);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:0|1", "0|0:1|2", NULL});
    /* Within the interval a poll waits at most its timeout and emits nothing. */
    assert_int_equal(source_poll(&harness, 10), FERRY_OK);
    assert_int_equal(harness.runtime.count, 0);
    /* A longer timeout waits out the interval, then emits. */
    assert_int_equal(source_poll(&harness, 2000), FERRY_OK);
    assert_true(monotonic_ms() - started >= 300);
    assert_emitted(&harness.runtime, (const char *const[]){"0|0:2|3", "0|0:3|4", NULL});
    source_stop(&harness);
}

static void test_source_commit_logs_offsets(void **state)
{
    source_harness harness;
    assert_int_equal(source_start(&harness, NULL, (const char *const[]){"partitions", "1", NULL}),
                     FERRY_OK);
    json_t *partition = json_pack("{s:s,s:i}", "sequence", CONNECTOR_NAME, "partition", 0);
    json_t *offset = json_pack("{s:i}", "seq", 5);
    ferry_source_offset committed = {.partition = partition, .offset = offset};
    log_capture_begin(FERRY_LOG_DEBUG);
    source_type()->source_task->commit(harness.task, &committed, 1);
    char *logged = log_capture_end();
    assert_non_null(strstr(logged, "DEBUG [task:seq-test-0] offset committed: "
                                   "{\"sequence\":\"seq-test\",\"partition\":0} {\"seq\":5}"));
    free(logged);
    json_decref(partition);
    json_decref(offset);
    source_stop(&harness);
}

static void test_source_requires_connector_name(void **state)
{
    fake_runtime runtime;
    fake_runtime_init(&runtime);
    ferry_config *config = config_make(source_type(), (const char *const[]){"topic", "t", NULL});
    void *task = NULL;
    char err[256];
    assert_int_equal(source_type()->source_task->start(&runtime.ctx, config, &task, err,
                                                       sizeof(err)), FERRY_ERROR);
    assert_string_equal(err, "the connector name (config key 'name') is not set");
    assert_null(task);
    ferry_config_destroy(config);
    fake_runtime_destroy(&runtime);
}

/* ---- sinks ------------------------------------------------------------------------------- */

static void test_sink_task_configs_copy_the_connector_config(void **state)
{
    static const char *const names[] = {"RecordingSink", "NullSink"};
    for (size_t n = 0; n < 2; n++) {
        const ferry_connector_type *type = connector_find(names[n])->type;
        ferry_context ctx;
        plugin_context_init(&ctx, "connector:sink", NULL, NULL);
        ferry_config *config = config_make(type, (const char *const[]){
            "name", "sink", "topics", "a,b", "file", "/dev/null", NULL});
        void *connector = NULL;
        char err[256] = "";
        assert_int_equal(type->connector->start(&ctx, config, &connector, err, sizeof(err)),
                         FERRY_OK);
        json_t *configs = NULL;
        assert_int_equal(type->connector->task_configs(connector, 3, &configs, err, sizeof(err)),
                         FERRY_OK);
        assert_int_equal(json_array_size(configs), 3);
        json_t *expected = json_pack("{s:s,s:s,s:s}", "name", "sink", "topics", "a,b", "file",
                                     "/dev/null");
        for (size_t i = 0; i < 3; i++)
            assert_true(json_equal(json_array_get(configs, i), expected));
        json_decref(expected);
        json_decref(configs);
        type->connector->stop(connector);
        ferry_config_destroy(config);
    }
}

typedef struct sink_harness {
    const ferry_connector_type *type;
    ferry_context ctx;
    ferry_config *config;
    void *task;
    char err[512];
} sink_harness;

static ferry_status sink_start(sink_harness *harness, const char *type_name, int task_number,
                               const char *const *pairs)
{
    char scope[64];
    snprintf(scope, sizeof(scope), "task:sink-%d", task_number);
    harness->type = connector_find(type_name)->type;
    plugin_context_init(&harness->ctx, scope, NULL, NULL);
    harness->config = config_make(harness->type, pairs);
    harness->task = NULL;
    harness->err[0] = '\0';
    return harness->type->sink_task->start(&harness->ctx, harness->config, &harness->task,
                                           harness->err, sizeof(harness->err));
}

static ferry_status sink_put(sink_harness *harness, const ferry_record *records, size_t count)
{
    harness->err[0] = '\0';
    return harness->type->sink_task->put(harness->task, records, count, harness->err,
                                         sizeof(harness->err));
}

static ferry_status sink_flush(sink_harness *harness)
{
    ferry_topic_partition offsets[] = {{.topic = "orders", .partition = 0, .offset = 42},
                                       {.topic = "orders", .partition = 3, .offset = 7}};
    harness->err[0] = '\0';
    ferry_status status = harness->type->sink_task->flush(harness->task, offsets, 2, harness->err,
                                                          sizeof(harness->err));
    /* Every sink here leaves the offsets as they are. */
    assert_int_equal(offsets[0].offset, 42);
    assert_int_equal(offsets[1].offset, 7);
    return status;
}

static void sink_stop(sink_harness *harness)
{
    if (harness->task)
        harness->type->sink_task->stop(harness->task);
    harness->task = NULL;
    ferry_config_destroy(harness->config);
}

static ferry_record string_record(const char *topic, int32_t partition, int64_t offset,
                                  const char *key, const char *value)
{
    ferry_record record = {
        .topic = topic,
        .partition = partition,
        .kafka_offset = offset,
        .timestamp_ms = FERRY_TIMESTAMP_NONE,
    };
    if (key)
        record.key = (ferry_data){.kind = FERRY_DATA_STRING, .data = key, .len = strlen(key)};
    if (value)
        record.value = (ferry_data){.kind = FERRY_DATA_STRING, .data = value,
                                    .len = strlen(value)};
    return record;
}

static void test_recording_sink_writes_exact_lines_at_flush(void **state)
{
    char file[512];
    snprintf(file, sizeof(file), "%s", temp_path("recorded"));
    sink_harness harness;
    assert_int_equal(sink_start(&harness, "RecordingSink", 0, (const char *const[]){
        "file", file, NULL}), FERRY_OK);

    static const unsigned char binary[] = {0x00, 'a', 0x1f, 0x7f, 0xff, ' '};
    json_t *object = json_pack("{s:i,s:s}", "a", 1, "b", "x y\nz");
    json_t *text = json_string("tab\there");
    ferry_record records[6];
    records[0] = string_record("orders", 0, 10, "k1", "plain value");
    records[1] = string_record("orders", 0, 11, "a\tb", "line1\nline2\r\\end\x01");
    records[2] = string_record("orders", 3, 5, NULL, NULL); /* null key, null value (tombstone) */
    records[3] = string_record("orders", 3, 6, NULL, "");
    records[3].key = (ferry_data){.kind = FERRY_DATA_BYTES, .data = binary, .len = sizeof(binary)};
    records[4] = string_record("orders", 3, 7, "json", NULL);
    records[4].value = (ferry_data){.kind = FERRY_DATA_JSON, .json = object};
    records[5] = string_record("orders", 3, 8, NULL, NULL);
    records[5].key = (ferry_data){.kind = FERRY_DATA_JSON, .json = text};
    /* JSON with its source text: the text is written, not a new dump. */
    const char *raw = "{ \"a\" :\n 1 }";
    records[5].value = (ferry_data){.kind = FERRY_DATA_JSON, .json = object, .data = raw,
                                    .len = strlen(raw)};

    assert_int_equal(sink_put(&harness, records, 4), FERRY_OK);
    assert_int_equal(sink_put(&harness, records + 4, 2), FERRY_OK);
    json_decref(object);
    json_decref(text);

    /* Put is not durable: nothing in the file before flush. */
    char *content = file_read(file);
    assert_string_equal(content, "");
    free(content);

    assert_int_equal(sink_flush(&harness), FERRY_OK);
    const char *expected =
        "orders\t0\t10\tk1\tplain value\n"
        "orders\t0\t11\ta\\tb\tline1\\nline2\\r\\\\end\\x01\n"
        "orders\t3\t5\tnull\tnull\n"
        "orders\t3\t6\t\\x00a\\x1f\x7f\xff \t\n"
        "orders\t3\t7\tjson\t{\"a\":1,\"b\":\"x y\\\\nz\"}\n"
        "orders\t3\t8\t\"tab\\\\there\"\t{ \"a\" :\\n 1 }\n";
    content = file_read(file);
    assert_string_equal(content, expected);
    free(content);

    /* A flush with nothing new writes nothing; the next put and flush append. */
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    ferry_record more = string_record("payments", 1, 0, "k", "v");
    assert_int_equal(sink_put(&harness, &more, 1), FERRY_OK);
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    content = file_read(file);
    assert_int_equal(strlen(content), strlen(expected) + strlen("payments\t1\t0\tk\tv\n"));
    assert_string_equal(content + strlen(expected), "payments\t1\t0\tk\tv\n");
    free(content);
    sink_stop(&harness);
}

/* headers.record: the sixth field, read through host->record_headers (RecordingSink: outside a
 * running sink task the host answers with the record's own headers) or from the record
 * (RecordingTextSink); both write the same. */
static void test_recording_sink_headers_field(void **state)
{
    static const char *const types[] = {"RecordingSink", "RecordingTextSink"};
    for (size_t t = 0; t < 2; t++) {
        char file[512];
        snprintf(file, sizeof(file), "%s", temp_path(types[t]));
        sink_harness harness;
        assert_int_equal(sink_start(&harness, types[t], 0, (const char *const[]){
            "file", file, "headers.record", "true", NULL}), FERRY_OK);
        const ferry_header headers[] = {{"a", "1", 1}, {"n", NULL, 0}, {"t", "x\ty", 3}};
        ferry_record records[2];
        records[0] = string_record("orders", 0, 1, "k", "v");
        records[1] = string_record("orders", 0, 2, "k", "w");
        records[1].headers = headers;
        records[1].header_count = 3;
        assert_int_equal(sink_put(&harness, records, 2), FERRY_OK);
        assert_int_equal(sink_flush(&harness), FERRY_OK);
        char *content = file_read(file);
        assert_string_equal(content, "orders\t0\t1\tk\tv\t\n"
                                     "orders\t0\t2\tk\tw\ta=1,n,t=x\\ty\n");
        free(content);
        sink_stop(&harness);
    }
}

static void test_recording_sink_discards_unflushed_records_at_stop(void **state)
{
    char file[512];
    snprintf(file, sizeof(file), "%s", temp_path("unflushed"));
    sink_harness harness;
    assert_int_equal(sink_start(&harness, "RecordingSink", 0, (const char *const[]){
        "file", file, NULL}), FERRY_OK);
    ferry_record records[] = {string_record("t", 0, 0, "a", "1"),
                              string_record("t", 0, 1, "b", "2")};
    assert_int_equal(sink_put(&harness, records, 2), FERRY_OK);
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    assert_int_equal(sink_put(&harness, records, 2), FERRY_OK);

    log_capture_begin(FERRY_LOG_INFO);
    sink_stop(&harness);
    char *logged = log_capture_end();
    assert_non_null(strstr(logged, "[task:sink-0] stopping: 2 unflushed records discarded"));
    free(logged);

    char *content = file_read(file);
    assert_string_equal(content, "t\t0\t0\ta\t1\nt\t0\t1\tb\t2\n");
    free(content);
}

static void test_recording_sink_hooks(void **state)
{
    char file[512], fail[512], retry[512], flush_fail[512], expected[1024];
    snprintf(file, sizeof(file), "%s", temp_path("hooked"));
    snprintf(fail, sizeof(fail), "%s", temp_path("put-fail"));
    snprintf(retry, sizeof(retry), "%s", temp_path("put-retry"));
    snprintf(flush_fail, sizeof(flush_fail), "%s", temp_path("flush-fail"));
    sink_harness harness;
    assert_int_equal(sink_start(&harness, "RecordingSink", 0, (const char *const[]){
        "file", file, "fail.when.file.exists", fail, "retry.when.file.exists", retry,
        "flush.fail.when.file.exists", flush_fail, NULL}), FERRY_OK);
    ferry_record first = string_record("t", 0, 0, "a", "1");
    ferry_record second = string_record("t", 0, 1, "b", "2");

    /* Retry: nothing kept, so the same batch put again is written once. */
    file_touch(retry);
    assert_int_equal(sink_put(&harness, &first, 1), FERRY_RETRY);
    snprintf(expected, sizeof(expected), "retry requested: %s exists", retry);
    assert_string_equal(harness.err, expected);
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    char *content = file_read(file);
    assert_string_equal(content, "");
    free(content);
    unlink(retry);
    assert_int_equal(sink_put(&harness, &first, 1), FERRY_OK);

    /* Flush failure: retry later, nothing written, nothing lost. */
    file_touch(flush_fail);
    assert_int_equal(sink_flush(&harness), FERRY_RETRY);
    snprintf(expected, sizeof(expected), "flush failure requested: %s exists", flush_fail);
    assert_string_equal(harness.err, expected);
    content = file_read(file);
    assert_string_equal(content, "");
    free(content);
    unlink(flush_fail);
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    content = file_read(file);
    assert_string_equal(content, "t\t0\t0\ta\t1\n");
    free(content);

    /* Failure: fatal, and the batch is not kept. */
    file_touch(fail);
    assert_int_equal(sink_put(&harness, &second, 1), FERRY_ERROR);
    snprintf(expected, sizeof(expected), "failure requested: %s exists", fail);
    assert_string_equal(harness.err, expected);
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    content = file_read(file);
    assert_string_equal(content, "t\t0\t0\ta\t1\n");
    free(content);
    unlink(fail);
    sink_stop(&harness);
}

static void test_recording_sink_tasks_share_one_file(void **state)
{
    char file[512];
    snprintf(file, sizeof(file), "%s", temp_path("shared"));
    sink_harness one, two;
    assert_int_equal(sink_start(&one, "RecordingSink", 0, (const char *const[]){"file", file,
                                                                                NULL}), FERRY_OK);
    assert_int_equal(sink_start(&two, "RecordingSink", 1, (const char *const[]){"file", file,
                                                                                NULL}), FERRY_OK);
    ferry_record a[] = {string_record("t", 0, 0, "a", "0"), string_record("t", 0, 1, "a", "1")};
    ferry_record b[] = {string_record("t", 1, 0, "b", "0")};
    assert_int_equal(sink_put(&one, a, 2), FERRY_OK);
    assert_int_equal(sink_put(&two, b, 1), FERRY_OK);
    assert_int_equal(sink_flush(&two), FERRY_OK);
    assert_int_equal(sink_flush(&one), FERRY_OK);
    char *content = file_read(file);
    assert_string_equal(content, "t\t1\t0\tb\t0\nt\t0\t0\ta\t0\nt\t0\t1\ta\t1\n");
    free(content);
    sink_stop(&one);
    sink_stop(&two);
}

static void test_recording_sink_logs_partitions_and_refuses_bad_file(void **state)
{
    char file[512];
    snprintf(file, sizeof(file), "%s", temp_path("partitions"));
    sink_harness harness;
    assert_int_equal(sink_start(&harness, "RecordingSink", 2, (const char *const[]){"file", file,
                                                                                    NULL}),
                     FERRY_OK);
    ferry_topic_partition partitions[] = {{.topic = "orders", .partition = 0},
                                          {.topic = "orders", .partition = 3},
                                          {.topic = "payments", .partition = 1}};
    log_capture_begin(FERRY_LOG_INFO);
    assert_int_equal(harness.type->sink_task->open(harness.task, partitions, 3, harness.err,
                                                   sizeof(harness.err)), FERRY_OK);
    assert_int_equal(harness.type->sink_task->close(harness.task, partitions + 1, 1, harness.err,
                                                    sizeof(harness.err)), FERRY_OK);
    char *logged = log_capture_end();
    assert_non_null(strstr(logged, "INFO  [task:sink-2] partitions opened: orders-0, orders-3, "
                                   "payments-1\n"));
    assert_non_null(strstr(logged, "INFO  [task:sink-2] partitions closed: orders-3\n"));
    free(logged);
    sink_stop(&harness);

    char missing[600];
    snprintf(missing, sizeof(missing), "%s/no/such/dir/out", temp_dir);
    assert_int_equal(sink_start(&harness, "RecordingSink", 0, (const char *const[]){
        "file", missing, NULL}), FERRY_ERROR);
    char expected[700];
    snprintf(expected, sizeof(expected), "cannot open %s: No such file or directory", missing);
    assert_string_equal(harness.err, expected);
    assert_null(harness.task);
    sink_stop(&harness);

    /* The definition requires the file. */
    const ferry_connector_type *type = connector_find("RecordingSink")->type;
    assert_int_equal(config_problems(type, (const char *const[]){"topics", "t", NULL}), 1);
}

static void test_null_sink_counts_records(void **state)
{
    sink_harness harness;
    assert_int_equal(sink_start(&harness, "NullSink", 0, (const char *const[]){
        "topics", "t", NULL}), FERRY_OK);
    ferry_record records[] = {string_record("t", 0, 0, "a", "1"),
                              string_record("t", 0, 1, "b", "2"),
                              string_record("t", 0, 2, "c", "3")};
    assert_int_equal(sink_put(&harness, records, 3), FERRY_OK);
    assert_int_equal(sink_put(&harness, records, 2), FERRY_OK);
    assert_int_equal(sink_flush(&harness), FERRY_OK);
    assert_int_equal(sink_put(&harness, records, 0), FERRY_OK);
    log_capture_begin(FERRY_LOG_INFO);
    sink_stop(&harness);
    char *logged = log_capture_end();
    assert_non_null(strstr(logged, "[task:sink-0] received 5 records in 3 batches\n"));
    free(logged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_module_declares_five_connector_types),
        cmocka_unit_test(test_source_config_defaults_and_bounds),
        cmocka_unit_test(test_source_task_configs_spread_partitions),
        cmocka_unit_test(test_source_emits_round_robin_across_polls),
        cmocka_unit_test(test_source_without_task_partitions_takes_all),
        cmocka_unit_test(test_source_rejects_bad_task_partitions),
        cmocka_unit_test(test_source_resumes_from_committed_offsets),
        cmocka_unit_test(test_source_record_bytes_pads_values),
        cmocka_unit_test(test_source_offset_every),
        cmocka_unit_test(test_source_count_reached_goes_idle),
        cmocka_unit_test(test_source_retry_emits_the_same_record_next_poll),
        cmocka_unit_test(test_source_fail_when_file_exists),
        cmocka_unit_test(test_source_fail_after_records),
        cmocka_unit_test(test_source_origin_header),
        cmocka_unit_test(test_source_interval_between_batches),
        cmocka_unit_test(test_source_commit_logs_offsets),
        cmocka_unit_test(test_source_requires_connector_name),
        cmocka_unit_test(test_sink_task_configs_copy_the_connector_config),
        cmocka_unit_test(test_recording_sink_writes_exact_lines_at_flush),
        cmocka_unit_test(test_recording_sink_headers_field),
        cmocka_unit_test(test_recording_sink_discards_unflushed_records_at_stop),
        cmocka_unit_test(test_recording_sink_hooks),
        cmocka_unit_test(test_recording_sink_tasks_share_one_file),
        cmocka_unit_test(test_recording_sink_logs_partitions_and_refuses_bad_file),
        cmocka_unit_test(test_null_sink_counts_records),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
