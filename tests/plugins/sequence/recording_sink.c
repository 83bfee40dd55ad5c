/*
 * recording_sink.c - RecordingSink, a sink that appends every record it is given to a file, but
 * only at flush: a record is in the file once the runtime has flushed it, and what was put but
 * not flushed is lost when the task stops or the process dies, as with a real external system.
 * The runtime's tests read the file to check what reached the sink, how often, and in what order.
 *
 * One line per record, fields separated by tabs:
 *
 *     topic \t partition \t kafka_offset \t key \t value \n
 *
 * With headers.record=true a sixth field lists the record's headers before the newline, in order,
 * separated by `,`: `name=value`, or `name` alone for a null value (both escaped as below).
 * RecordingSink declares FERRY_SINK_HEADERS_ON_DEMAND and asks the host for them
 * (ferry_host.record_headers); RecordingTextSink reads the record's own headers array.
 *
 * A key or value renders as: null -> `null`; bytes and strings -> their bytes; JSON -> the exact
 * text it was parsed from when the host has it, else its compact dump. With json.form=true a JSON
 * value starts with `tree:` when it came with a parsed value, `text:` when the host handed only
 * checked text (RecordingTextSink declares FERRY_SINK_JSON_TEXT; RecordingSink does not). In every field (the topic
 * too) a backslash, tab, newline and carriage return become `\\`, `\t`, `\n`, `\r`, and any
 * other byte below 0x20 becomes `\xHH` (two lowercase hex digits); other bytes are unchanged.
 *
 * Several tasks may append to one file: it is opened with O_APPEND and each flush is one write()
 * of whole lines, followed by fsync().
 */
#include "sequence_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/hex.h"
#include "support/strbuf.h"

/* ---- the lines ----------------------------------------------------------------------------- */

/* Appends bytes with the escapes described at the top of the file. */
static void recording_append_escaped(strbuf *buffer, const void *bytes, size_t length)
{
    const unsigned char *in = bytes;
    size_t plain = 0; /* the start of the run of bytes that need no escape */
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = in[i];
        if (byte >= 0x20 && byte != '\\')
            continue;
        strbuf_append(buffer, in + plain, i - plain);
        plain = i + 1;
        switch (byte) {
        case '\\': strbuf_append_literal(buffer, "\\\\"); break;
        case '\t': strbuf_append_literal(buffer, "\\t"); break;
        case '\n': strbuf_append_literal(buffer, "\\n"); break;
        case '\r': strbuf_append_literal(buffer, "\\r"); break;
        default: {
            char escape[5] = "\\x";
            hex_encode(&byte, 1, escape + 2);
            strbuf_append(buffer, escape, 4);
        }
        }
    }
    strbuf_append(buffer, in + plain, length - plain);
}

/* Appends a key or value as described at the top of the file; false when a JSON value could not
 * be dumped (out of memory). */
static bool recording_append_data(strbuf *buffer, const ferry_data *data, bool json_form)
{
    switch (data->kind) {
    case FERRY_DATA_BYTES:
    case FERRY_DATA_STRING:
        recording_append_escaped(buffer, data->data, data->data ? data->len : 0);
        return true;
    case FERRY_DATA_JSON: {
        if (json_form)
            strbuf_append_str(buffer, data->json ? "tree:" : "text:");
        if (data->data) {
            recording_append_escaped(buffer, data->data, data->len);
            return true;
        }
        if (!data->json) {
            strbuf_append_literal(buffer, "null");
            return true;
        }
        char *text = json_dumps(data->json, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            return false;
        recording_append_escaped(buffer, text, strlen(text));
        free(text);
        return true;
    }
    case FERRY_DATA_NULL:
    default:
        strbuf_append_literal(buffer, "null");
        return true;
    }
}

/* Appends "\t" and the headers as described at the top of the file. */
static void recording_append_headers(strbuf *buffer, const ferry_header *headers, size_t count)
{
    strbuf_append_char(buffer, '\t');
    for (size_t i = 0; i < count; i++) {
        const char *key = headers[i].key ? headers[i].key : "";
        if (i > 0)
            strbuf_append_char(buffer, ',');
        recording_append_escaped(buffer, key, strlen(key));
        if (headers[i].value) {
            strbuf_append_char(buffer, '=');
            recording_append_escaped(buffer, headers[i].value, headers[i].value_len);
        }
    }
}

/* Appends one line. headers: NULL = no headers field. false when out of memory. */
static bool recording_append_record(strbuf *buffer, const ferry_record *record, bool json_form,
                                    const ferry_header *const *headers, size_t header_count)
{
    const char *topic = record->topic ? record->topic : "";
    recording_append_escaped(buffer, topic, strlen(topic));
    strbuf_append_printf(buffer, "\t%" PRId32 "\t%" PRId64 "\t", record->partition,
                         record->kafka_offset);
    bool dumped = recording_append_data(buffer, &record->key, json_form);
    strbuf_append_char(buffer, '\t');
    dumped = recording_append_data(buffer, &record->value, json_form) && dumped;
    if (headers)
        recording_append_headers(buffer, *headers, header_count);
    strbuf_append_char(buffer, '\n');
    return dumped && !strbuf_failed(buffer);
}

/* ---- the task ---------------------------------------------------------------------------- */

typedef struct recording_task {
    ferry_context *ctx;
    char *path;
    int fd;
    char *fail_file;        /* put fails while it exists; NULL = never */
    char *retry_file;       /* put answers FERRY_RETRY while it exists; NULL = never */
    char *flush_fail_file;  /* flush answers FERRY_RETRY while it exists; NULL = never */
    strbuf pending;         /* lines put but not yet flushed */
    size_t pending_records;
    int64_t stop_delay_ms;  /* stop sleeps this long first: a plugin slow to stop */
    int64_t put_delay_ms;   /* each put sleeps this long: a sink slower than its topic */
    bool json_form;         /* mark JSON values tree: or text: */
    bool headers_record;    /* a sixth field with the headers */
} recording_task;

static void recording_task_stop(void *state)
{
    recording_task *task = state;
    if (!task)
        return;
    if (task->stop_delay_ms > 0) {
        sequence_host->log(task->ctx, FERRY_LOG_INFO, "stop delayed by %" PRId64 " ms",
                           task->stop_delay_ms);
        struct timespec delay = {.tv_sec = task->stop_delay_ms / 1000,
                                 .tv_nsec = (task->stop_delay_ms % 1000) * 1000000L};
        while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
            ;
    }
    if (task->pending_records)
        sequence_host->log(task->ctx, FERRY_LOG_INFO, "stopping: %zu unflushed records "
                           "discarded", task->pending_records);
    if (task->fd >= 0)
        close(task->fd);
    strbuf_free(&task->pending);
    free(task->path);
    free(task->fail_file);
    free(task->retry_file);
    free(task->flush_fail_file);
    free(task);
}

/* Test hook: the value of "password" as the task received it, in <file>.password, so that a test
 * sees that a task gets the plaintext of a value stored encrypted. 0, or -1 with err. */
static int recording_password_write(const char *path, const char *password, char *err,
                                    size_t errlen)
{
    if (!password || !*password)
        return 0;
    char *password_path = NULL;
    if (asprintf(&password_path, "%s.password", path) < 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    FILE *file = fopen(password_path, "w");
    int rc = file && fputs(password, file) >= 0 ? 0 : -1;
    if (file && fclose(file) != 0)
        rc = -1;
    if (rc != 0)
        ferry_error_set(err, errlen, "cannot write %s", password_path);
    free(password_path);
    return rc;
}

static ferry_status recording_task_start(ferry_context *ctx, const ferry_config *config,
                                         void **state, char *err, size_t errlen)
{
    recording_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    task->ctx = ctx;
    task->fd = -1;
    bool failed = false;
    task->path = sequence_config_string_copy(config, "file", &failed);
    task->fail_file = sequence_config_string_copy(config, "fail.when.file.exists", &failed);
    task->retry_file = sequence_config_string_copy(config, "retry.when.file.exists", &failed);
    task->flush_fail_file =
        sequence_config_string_copy(config, "flush.fail.when.file.exists", &failed);
    task->stop_delay_ms = sequence_host->config_int(config, "stop.delay.ms");
    task->put_delay_ms = sequence_host->config_int(config, "put.delay.ms");
    task->json_form = sequence_host->config_bool(config, "json.form");
    task->headers_record = sequence_host->config_bool(config, "headers.record");
    if (failed) {
        recording_task_stop(task);
        return ferry_error_set(err, errlen, "out of memory");
    }
    if (!task->path) {
        recording_task_stop(task);
        return ferry_error_set(err, errlen, "config key 'file' is not set");
    }
    /* Opened now so that a bad path fails the task at start, not at its first flush. */
    task->fd = open(task->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (task->fd < 0) {
        ferry_error_set(err, errlen, "cannot open %s: %s", task->path, strerror(errno));
        recording_task_stop(task);
        return FERRY_ERROR;
    }
    if (recording_password_write(task->path, sequence_host->config_string(config, "password"),
                                 err, errlen) != 0) {
        recording_task_stop(task);
        return FERRY_ERROR;
    }
    sequence_host->log(ctx, FERRY_LOG_INFO, "recording records to %s", task->path);
    *state = task;
    return FERRY_OK;
}

/* Logs "<what>: topic-0, topic-1" at info level. */
static void recording_partitions_log(recording_task *task, const char *what,
                                     const ferry_topic_partition *partitions, size_t count)
{
    strbuf text = {0};
    for (size_t i = 0; i < count; i++)
        strbuf_append_printf(&text, "%s%s-%" PRId32, i == 0 ? "" : ", ",
                             partitions[i].topic ? partitions[i].topic : "",
                             partitions[i].partition);
    sequence_host->log(task->ctx, FERRY_LOG_INFO, "partitions %s: %s", what,
                       strbuf_failed(&text) ? "(out of memory listing them)"
                       : count              ? text.data
                                            : "(none)");
    strbuf_free(&text);
}

static ferry_status recording_task_open(void *state, const ferry_topic_partition *partitions,
                                        size_t count, char *err, size_t errlen)
{
    recording_partitions_log(state, "opened", partitions, count);
    return FERRY_OK;
}

static ferry_status recording_task_close(void *state, const ferry_topic_partition *partitions,
                                         size_t count, char *err, size_t errlen)
{
    recording_partitions_log(state, "closed", partitions, count);
    return FERRY_OK;
}

/* headers_on_demand: read headers with host->record_headers (RecordingSink), else from the
 * record (RecordingTextSink). */
static ferry_status recording_put(void *state, const ferry_record *records, size_t count,
                                  bool headers_on_demand, char *err, size_t errlen)
{
    recording_task *task = state;
    if (sequence_trigger_file_exists(task->fail_file))
        return ferry_error_set(err, errlen, "failure requested: %s exists", task->fail_file);
    if (sequence_trigger_file_exists(task->retry_file)) {
        ferry_error_set(err, errlen, "retry requested: %s exists", task->retry_file);
        return FERRY_RETRY;
    }
    if (task->put_delay_ms > 0) {
        struct timespec delay = {.tv_sec = task->put_delay_ms / 1000,
                                 .tv_nsec = (task->put_delay_ms % 1000) * 1000000L};
        nanosleep(&delay, NULL);
    }
    size_t length_before = task->pending.len;
    for (size_t i = 0; i < count; i++) {
        const ferry_header *headers = records[i].headers;
        size_t header_count = records[i].header_count;
        if (task->headers_record && headers_on_demand)
            headers = sequence_host->record_headers(task->ctx, &records[i], &header_count);
        if (!recording_append_record(&task->pending, &records[i], task->json_form,
                                     task->headers_record ? &headers : NULL, header_count)) {
            /* All or nothing: no half batch and no half line. */
            strbuf_truncate(&task->pending, length_before);
            return ferry_error_set(err, errlen, "out of memory buffering %zu records", count);
        }
    }
    task->pending_records += count;
    return FERRY_OK;
}

static ferry_status recording_task_put(void *state, const ferry_record *records, size_t count,
                                       char *err, size_t errlen)
{
    return recording_put(state, records, count, true, err, errlen);
}

static ferry_status recording_text_task_put(void *state, const ferry_record *records,
                                            size_t count, char *err, size_t errlen)
{
    return recording_put(state, records, count, false, err, errlen);
}

static ferry_status recording_task_flush(void *state, ferry_topic_partition *offsets, size_t count,
                                         char *err, size_t errlen)
{
    recording_task *task = state;
    if (sequence_trigger_file_exists(task->flush_fail_file)) {
        ferry_error_set(err, errlen, "flush failure requested: %s exists",
                        task->flush_fail_file);
        return FERRY_RETRY;
    }
    if (task->pending.len == 0)
        return FERRY_OK;
    /* One write() of whole lines, so that concurrent tasks never interleave inside a line; the
     * loop only matters if the kernel writes less, which it does not for a regular file. */
    size_t written = 0;
    while (written < task->pending.len) {
        ssize_t n = write(task->fd, task->pending.data + written, task->pending.len - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ferry_error_set(err, errlen, "cannot write %s: %s", task->path,
                                   strerror(errno));
        written += (size_t)n;
    }
    if (fsync(task->fd) != 0)
        return ferry_error_set(err, errlen, "cannot fsync %s: %s", task->path, strerror(errno));
    sequence_host->log(task->ctx, FERRY_LOG_DEBUG, "flushed %zu records (%zu bytes) to %s",
                       task->pending_records, task->pending.len, task->path);
    strbuf_reset(&task->pending);
    task->pending_records = 0;
    return FERRY_OK; /* the offsets stay as they are: everything put is now durable */
}

/* ---- the connector type ------------------------------------------------------------------ */

static const ferry_config_key recording_sink_config[] = {
    {.name = "file", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The file flushed records are appended to, one tab-separated line each: "
                      "topic, partition, Kafka offset, key, value."},
    {.name = "fail.when.file.exists", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: while this file exists, put fails with \"failure requested: "
                      "<path> exists\". Empty = never."},
    {.name = "retry.when.file.exists", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: while this file exists, put answers retry (\"retry requested: "
                      "<path> exists\") and keeps nothing. Empty = never."},
    {.name = "flush.fail.when.file.exists", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: while this file exists, flush answers retry and writes "
                      "nothing. Empty = never."},
    {.name = "stop.delay.ms", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "Test hook: stop sleeps this long before it frees the task (a plugin slow "
                      "to stop). 0 = no delay."},
    {.name = "put.delay.ms", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "Test hook: each put sleeps this long first (a sink slower than its "
                      "topic). 0 = no delay."},
    {.name = "json.form", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: each JSON value in the file starts with tree: when it came "
                      "with a parsed value, text: when the host handed only checked text."},
    {.name = "headers.record", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: a sixth field lists each record's headers (name=value, "
                      "comma-separated)."},
    {.name = "password", .type = FERRY_CONFIG_PASSWORD, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: when set, each task writes the value it received to "
                      "<file>.password at start."},
    {.name = NULL},
};

static const ferry_sink_task_callbacks recording_sink_task = {
    .start = recording_task_start,
    .open = recording_task_open,
    .close = recording_task_close,
    .put = recording_task_put,
    .flush = recording_task_flush,
    .stop = recording_task_stop,
};

static const ferry_sink_task_callbacks recording_text_sink_task = {
    .start = recording_task_start,
    .open = recording_task_open,
    .close = recording_task_close,
    .put = recording_text_task_put,
    .flush = recording_task_flush,
    .stop = recording_task_stop,
};

const ferry_connector_type recording_sink_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SINK,
    .name = "RecordingSink",
    .aliases = (const char *const[]){"io.ferry.test.RecordingSinkConnector", NULL},
    .description = "Test sink: appends records to a file at flush only, with failure and retry "
                   "hooks; reads headers on demand.",
    .config = recording_sink_config,
    .connector = &sequence_sink_connector,
    .sink_task = &recording_sink_task,
    .flags = FERRY_SINK_HEADERS_ON_DEMAND,
};

/* RecordingSink that takes JSON values as checked text. */
const ferry_connector_type recording_text_sink_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SINK,
    .name = "RecordingTextSink",
    .description = "Test sink: RecordingSink that declares FERRY_SINK_JSON_TEXT (JSON values "
                   "as checked text, no tree) and reads the records' own headers.",
    .config = recording_sink_config,
    .connector = &sequence_sink_connector,
    .sink_task = &recording_text_sink_task,
    .flags = FERRY_SINK_JSON_TEXT,
};
