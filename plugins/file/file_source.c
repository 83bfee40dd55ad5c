/*
 * file_source.c - FileSource: the connector (its keys, validation, how files are spread over
 * tasks) and the task (poll: read the followed files' lines and emit them as records).
 *
 * The bytes path: a line goes from the read buffer to record_emit as a string (or as bytes when it
 * is not valid UTF-8) without a copy and without JSON. A source offset rides only on the last
 * record of each run of lines read from one file, so a poll builds a handful of small JSON
 * objects, not one per line.
 *
 * Files are spread over tasks by a hash of their device and inode (file_identity_owner), which a
 * rename does not change; with `file` there is one task, as with FileStreamSource.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "file_connector.h"
#include "file_offset.h"
#include "file_plugin.h"
#include "file_tail.h"
#include "support/clock.h"
#include "support/config_bind.h"
#include "support/utf8.h"

/* How many reads one file gets per turn before the next file's turn: fairness among busy files. */
#define SOURCE_READS_PER_TURN 4
/* A file more than this behind its end is a backfill: its progress is reported until it is
 * caught up (a file a few lines behind, as a followed log always is for a moment, is not). */
#define SOURCE_BACKFILL_MIN_BYTES (1024 * 1024)
#define SOURCE_PROGRESS_INTERVAL_MS 250
/* Long lines logged one by one before the source only logs every SOURCE_LONG_LOG_EVERY-th. */
#define SOURCE_LONG_LOG_FIRST 5
#define SOURCE_LONG_LOG_EVERY 1000
#define SOURCE_HEADER_PATH "file.path"
#define SOURCE_HEADER_OFFSET "file.offset"
/* librdkafka's default message.max.bytes: what an older host (without record_max_bytes) is
 * assumed to use unless the connector overrides it. */
#define SOURCE_PRODUCER_MAX_DEFAULT 1000000
/* What a record needs besides its value: the record batch's header (61 bytes), the record's own
 * (up to 36 bytes of varints), and slack for a converter's framing (a JsonConverter's quotes).
 * The headers of headers.enable come on top: their names and values are counted as they are. */
#define SOURCE_RECORD_OVERHEAD 512
#define SOURCE_HEADERS_OVERHEAD (4096 + 64)

/* Allowed values, in the order config_bind numbers them. */
static const char *const source_read_from_values[] = {"beginning", "end", NULL};
enum { SOURCE_READ_FROM_END = 1 };
/* line_reader_overflow's order, then dlq (the reader truncates, the source reports the line). */
static const char *const source_long_lines_values[] = {"truncate", "skip", "fail", "dlq", NULL};
enum { SOURCE_LONG_LINES_DLQ = 3 };

/* ---- settings ---------------------------------------------------------------------------- */

/* Every key of FileSource, read in one call (source_bindings). */
typedef struct source_settings {
    char *file;            /* NULL when unset or blank */
    char **files;
    char **excludes;
    char *topic;
    int batch_size;
    int read_from;         /* source_read_from_values */
    int max_line_bytes;
    int long_lines;        /* source_long_lines_values: line_reader_overflow's order */
    bool headers;
    int64_t poll_interval_ms;
    int64_t rotate_wait_ms;
    int fingerprint_bytes;
    bool inotify;
    int64_t topic_max_message_bytes;
    int task_index;
    int task_count;
} source_settings;

static const config_binding source_bindings[] = {
    CONFIG_BIND_STRING("file", source_settings, file),
    CONFIG_BIND_LIST("files", source_settings, files),
    CONFIG_BIND_LIST("exclude", source_settings, excludes),
    CONFIG_BIND_STRING("topic", source_settings, topic),
    CONFIG_BIND_INT("batch.size", source_settings, batch_size),
    CONFIG_BIND_CHOICE("read.from", source_settings, read_from, source_read_from_values),
    CONFIG_BIND_INT("max.line.bytes", source_settings, max_line_bytes),
    CONFIG_BIND_CHOICE("long.lines", source_settings, long_lines, source_long_lines_values),
    CONFIG_BIND_BOOL("headers.enable", source_settings, headers),
    CONFIG_BIND_LONG("poll.interval.ms", source_settings, poll_interval_ms),
    CONFIG_BIND_LONG("rotate.wait.ms", source_settings, rotate_wait_ms),
    CONFIG_BIND_INT("fingerprint.bytes", source_settings, fingerprint_bytes),
    CONFIG_BIND_BOOL("inotify.enable", source_settings, inotify),
    CONFIG_BIND_LONG("topic.max.message.bytes", source_settings, topic_max_message_bytes),
    CONFIG_BIND_INT("task.index", source_settings, task_index),
    CONFIG_BIND_INT("task.count", source_settings, task_count),
    {0},
};

typedef void (*source_report_fn)(void *opaque, const char *key, const char *message);

static size_t source_list_length(char *const *list)
{
    size_t count = 0;
    while (list && list[count])
        count++;
    return count;
}

/* The rules across keys; each problem goes to report. Returns the number of problems. */
static size_t source_config_check(const source_settings *settings, source_report_fn report,
                                  void *opaque)
{
    size_t problems = 0;
    char message[512];
    const char *file = settings->file;
    char *const *files = settings->files;
    size_t pattern_count = source_list_length(files);
    if (file && pattern_count > 0) {
        snprintf(message, sizeof(message), "file ('%s') and files cannot both be set: file "
                 "follows one path (as FileStreamSource), files follows glob patterns", file);
        report(opaque, "files", message);
        problems++;
    } else if (!file && pattern_count == 0) {
        report(opaque, "file", "set file (one path, as FileStreamSource) or files "
                               "(comma-separated glob patterns); reading standard input, what "
                               "FileStreamSource does without file, is not supported");
        problems++;
    }
    for (size_t i = 0; i < pattern_count; i++) {
        if (!files[i][0]) {
            snprintf(message, sizeof(message), "pattern %zu of files is empty", i + 1);
            report(opaque, "files", message);
            problems++;
        }
    }
    if (file && source_list_length(settings->excludes) > 0) {
        snprintf(message, sizeof(message), "exclude only applies to files (glob patterns), not "
                 "to file ('%s')", file);
        report(opaque, "exclude", message);
        problems++;
    }
    if (settings->task_index >= settings->task_count) {
        snprintf(message, sizeof(message), "task.index %d is not below task.count %d",
                 settings->task_index, settings->task_count);
        report(opaque, "task.index", message);
        problems++;
    }
    return problems;
}

typedef struct source_first_problem {
    char *err;
    size_t errlen;
    bool set;
} source_first_problem;

static void source_first_problem_keep(void *opaque, const char *key, const char *message)
{
    source_first_problem *first = opaque;
    if (!first->set) {
        ferry_error_set(first->err, first->errlen, "invalid %s: %s", key, message);
        first->set = true;
    }
}

static ferry_status source_settings_bind(const ferry_config *config, source_settings *settings,
                                         char *err, size_t errlen)
{
    *settings = (source_settings){0};
    if (config_bind(file_host, config, source_bindings, settings) == 0)
        return FERRY_OK;
    config_bind_release(source_bindings, settings);
    return ferry_error_set(err, errlen, "out of memory");
}

/* Reads the settings and checks them; FERRY_ERROR with the first problem. */
static ferry_status source_settings_load(const ferry_config *config, source_settings *settings,
                                         char *err, size_t errlen)
{
    if (source_settings_bind(config, settings, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    source_first_problem first = {err, errlen, false};
    if (source_config_check(settings, source_first_problem_keep, &first) > 0) {
        config_bind_release(source_bindings, settings);
        return FERRY_ERROR;
    }
    return FERRY_OK;
}

static ferry_status source_connector_validate(const ferry_config *config,
                                              void (*report)(void *, const char *, const char *),
                                              void *report_ctx, char *err, size_t errlen)
{
    source_settings settings;
    if (source_settings_bind(config, &settings, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    source_config_check(&settings, report, report_ctx);
    config_bind_release(source_bindings, &settings);
    return FERRY_OK;
}

/* ---- the connector ----------------------------------------------------------------------- */

static ferry_status source_connector_start(ferry_context *ctx, const ferry_config *config,
                                           void **state, char *err, size_t errlen)
{
    source_settings settings;
    if (source_settings_load(config, &settings, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    if (settings.file)
        file_host->log(ctx, FERRY_LOG_INFO, "following %s into topic %s", settings.file,
                       settings.topic);
    else
        file_host->log(ctx, FERRY_LOG_INFO, "following %zu file patterns into topic %s",
                       source_list_length(settings.files), settings.topic);
    config_bind_release(source_bindings, &settings);
    if (FERRY_HOST_HAS(file_host, record_max_bytes) &&
        json_object_get(file_host->config_json(config), "topic.max.message.bytes"))
        file_host->log(ctx, FERRY_LOG_WARN, "topic.max.message.bytes is deprecated and ignored: "
                       "the longest line a record holds now follows from the producer's "
                       "message.max.bytes and the topic's max.message.bytes as the broker "
                       "reports it");
    return file_connector_start(ctx, config, state, err, errlen);
}

static ferry_status source_connector_task_configs(void *state, int max_tasks,
                                                  json_t **task_configs, char *err,
                                                  size_t errlen)
{
    json_t *config = state;
    const char *file = json_string_value(json_object_get(config, "file"));
    /* One path is one stream, as with FileStreamSource; patterns are spread over tasks. */
    int count = (file && file[0]) || max_tasks < 1 ? 1 : max_tasks;
    json_t *configs = file_connector_task_configs(config, count);
    if (!configs)
        return ferry_error_set(err, errlen, "out of memory building task configs");
    *task_configs = configs;
    return FERRY_OK;
}

/* ---- the task ---------------------------------------------------------------------------- */

typedef struct source_task {
    ferry_context *ctx;
    file_tail *tail;
    source_settings settings;
    const char *single[2];      /* file, as a list of one */
    const char *const *patterns; /* what the tail follows: single or the settings' files */
    size_t batch_size;
    size_t line_limit;          /* max.line.bytes, or less when a record could not hold it */
    size_t cursor;              /* where the next poll's round of files starts */
    uint64_t long_lines_seen;
    uint64_t lines_emitted;
    int64_t progress_ms;        /* when the files' progress is next reported */
} source_task;

static void source_task_stop(void *state)
{
    source_task *task = state;
    if (!task)
        return;
    file_tail_destroy(task->tail);
    config_bind_release(source_bindings, &task->settings);
    free(task);
}

static json_t *source_tail_offset_read(void *opaque, json_t *partition)
{
    source_task *task = opaque;
    return file_host->offset_read(task->ctx, partition);
}

static void source_tail_log(void *opaque, ferry_log_level level, const char *message)
{
    source_task *task = opaque;
    file_host->log(task->ctx, level, "%s", message);
}

static void source_tail_problem(void *opaque, const char *message)
{
    source_task *task = opaque;
    if (FERRY_HOST_HAS(file_host, status_problem))
        file_host->status_problem(task->ctx, message);
    else if (message)
        file_host->log(task->ctx, FERRY_LOG_WARN, "%s", message);
}

/* An older host's guess (before ABI 1.5): the producer's message.max.bytes as the connector
 * overrides it, or librdkafka's default, and the topic's as topic.max.message.bytes says. */
static int64_t source_record_max_guess(const source_task *task, const ferry_config *config)
{
    const char *text = json_string_value(json_object_get(
        file_host->config_json(config), "producer.override.message.max.bytes"));
    char *end;
    long long value = text ? strtoll(text, &end, 10) : 0;
    int64_t producer_max = text && *text && !*end && value > 0 ? (int64_t)value
                                                               : SOURCE_PRODUCER_MAX_DEFAULT;
    int64_t topic_max = task->settings.topic_max_message_bytes;
    return producer_max < topic_max ? producer_max : topic_max;
}

/* The longest line a record can carry: a line Kafka refuses would fail the task again at every
 * restart, so a longer one is treated as longer than max.line.bytes (long.lines). The host says
 * what a record to the topic may hold (the producer's and the topic's real limits). */
static size_t source_line_limit(source_task *task, const ferry_config *config)
{
    const source_settings *settings = &task->settings;
    int64_t record_max = FERRY_HOST_HAS(file_host, record_max_bytes)
                             ? file_host->record_max_bytes(task->ctx, settings->topic)
                             : 0;
    bool derived = record_max > 0;
    if (!derived)
        record_max = source_record_max_guess(task, config);
    int64_t room = record_max - SOURCE_RECORD_OVERHEAD -
                   (settings->headers ? SOURCE_HEADERS_OVERHEAD : 0);
    if (room < 1)
        room = 1;
    if (room >= settings->max_line_bytes)
        return (size_t)settings->max_line_bytes;
    file_host->log(task->ctx, FERRY_LOG_INFO, "lines longer than %" PRId64 " bytes are treated "
                   "as longer than max.line.bytes (%d, long.lines=%s): a record to topic %s "
                   "holds at most %" PRId64 " bytes (%s)",
                   room, settings->max_line_bytes, source_long_lines_values[settings->long_lines],
                   settings->topic, record_max,
                   derived ? "the lower of the producer's message.max.bytes and the topic's "
                             "max.message.bytes"
                           : "the producer's message.max.bytes as "
                             "producer.override.message.max.bytes says, and the topic's "
                             "max.message.bytes as topic.max.message.bytes says");
    return (size_t)room;
}

static ferry_status source_task_start(ferry_context *ctx, const ferry_config *config,
                                      void **state, char *err, size_t errlen)
{
    source_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    if (source_settings_load(config, &task->settings, err, errlen) != FERRY_OK) {
        free(task);
        return FERRY_ERROR;
    }
    task->ctx = ctx;
    const source_settings *settings = &task->settings;
    bool single_file = settings->file != NULL;
    task->single[0] = settings->file;
    task->patterns = single_file ? task->single : (const char *const *)settings->files;
    task->batch_size = (size_t)settings->batch_size;
    if (task->batch_size < 1)
        task->batch_size = 1;
    task->line_limit = source_line_limit(task, config);
    file_tail_config tail_config = {
        .single_file = single_file,
        .patterns = task->patterns,
        .excludes = (const char *const *)settings->excludes,
        .task_index = (uint32_t)settings->task_index,
        .task_count = (uint32_t)settings->task_count,
        .max_line_bytes = task->line_limit,
        .long_lines = settings->long_lines == SOURCE_LONG_LINES_DLQ
                          ? LINE_READER_TRUNCATE
                          : (line_reader_overflow)settings->long_lines,
        .fingerprint_bytes = (size_t)settings->fingerprint_bytes,
        .read_from_end = settings->read_from == SOURCE_READ_FROM_END,
        .rotate_wait_ms = settings->rotate_wait_ms,
        .poll_interval_ms = settings->poll_interval_ms,
        .inotify = settings->inotify,
        /* The tasks of this connector in this process tell each other their files' heads. */
        .share_group = json_string_value(json_object_get(file_host->config_json(config),
                                                         "name")),
    };
    if (single_file)
        tail_config.task_index = 0, tail_config.task_count = 1;
    file_tail_host tail_host = {
        .opaque = task,
        .offset_read = source_tail_offset_read,
        .log = source_tail_log,
        .problem = source_tail_problem,
    };
    task->tail = file_tail_new(&tail_config, &tail_host, err, errlen);
    if (!task->tail) {
        source_task_stop(task);
        return FERRY_ERROR;
    }
    file_host->log(ctx, FERRY_LOG_INFO, "task %u of %u: %s %s%s into topic %s (%s)",
                   tail_config.task_index + 1, tail_config.task_count,
                   single_file ? "file" : "patterns", single_file ? settings->file
                                                                : task->patterns[0],
                   !single_file && task->patterns[1] ? ", ..." : "", settings->topic,
                   file_tail_uses_inotify(task->tail) ? "inotify and scans" : "scans only");
    *state = task;
    return FERRY_OK;
}

/* Emits one line, or with error reports it to the worker's error handler (errors.tolerance, the
 * dead-letter queue) instead; with_offset attaches the source offset of its resume position. */
static ferry_status source_line_emit(source_task *task, tail_file *f,
                                     const line_reader_line *line, bool with_offset,
                                     const char *error)
{
    ferry_record record = {
        .topic = task->settings.topic,
        .partition = FERRY_PARTITION_ANY,
        .value = {.kind = utf8_valid(line->data, line->len) ? FERRY_DATA_STRING
                                                                   : FERRY_DATA_BYTES,
                  .data = line->data, .len = line->len},
        .timestamp_ms = FERRY_TIMESTAMP_NONE,
        .source_partition = file_tail_partition(task->tail, f),
    };
    ferry_header headers[2];
    char offset_text[24];
    if (task->settings.headers) {
        int length = snprintf(offset_text, sizeof(offset_text), "%" PRId64, line->offset);
        headers[0] = (ferry_header){SOURCE_HEADER_PATH, f->path, strlen(f->path)};
        headers[1] = (ferry_header){SOURCE_HEADER_OFFSET, offset_text, (size_t)length};
        record.headers = headers;
        record.header_count = 2;
    }
    json_t *offset = NULL;
    if (with_offset) {
        offset = file_tail_offset(task->tail, f, line->next_position);
        if (!offset)
            return FERRY_RETRY; /* out of memory for the offset: try this line again later */
        record.source_offset = offset;
    }
    ferry_status status = error ? file_host->record_error_report(task->ctx, &record, error)
                                : file_host->record_emit(task->ctx, &record);
    json_decref(offset);
    return status;
}

/* What the line limit is, for messages. */
static const char *source_limit_name(const source_task *task)
{
    return task->line_limit < (size_t)task->settings.max_line_bytes
               ? "what a record can hold" : "max.line.bytes";
}

static void source_long_line_note(source_task *task, tail_file *f, int64_t offset,
                                  const char *what)
{
    uint64_t seen = ++task->long_lines_seen;
    if (seen <= SOURCE_LONG_LOG_FIRST || seen % SOURCE_LONG_LOG_EVERY == 0)
        file_host->log(task->ctx, FERRY_LOG_WARN, "%s: the line at byte %" PRId64 " is longer "
                       "than %s (%zu): %s (%" PRIu64 " long lines so far)", f->path, offset,
                       source_limit_name(task), task->line_limit, what, seen);
}

/* Emits the complete lines buffered for f, at most limit. *emitted counts them; *refused is set
 * when the host's buffer was full (the refused line is shown again next time). */
static ferry_status source_lines_emit(source_task *task, tail_file *f, size_t limit,
                                      size_t *emitted, bool *refused, char *err, size_t errlen)
{
    size_t count = 0;
    ferry_status status = FERRY_OK;
    while (count < limit) {
        uint64_t skipped_before = f->reader.lines_skipped;
        line_reader_line line;
        line_reader_result result = line_reader_next(&f->reader, &line);
        if (f->reader.lines_skipped != skipped_before)
            source_long_line_note(task, f, f->reader.skipped_offset,
                                  "skipped (long.lines=skip)");
        if (result == LINE_READER_NEED_DATA)
            break;
        if (result == LINE_READER_TOO_LONG) {
            status = ferry_error_set(err, errlen, "%s: the line at byte %" PRId64 " is longer "
                                     "than %s (%zu) and long.lines is fail", f->path,
                                     line.offset, source_limit_name(task), task->line_limit);
            break;
        }
        bool last = count + 1 == limit || !line_reader_more_after(&f->reader, &line);
        bool report = line.truncated && task->settings.long_lines == SOURCE_LONG_LINES_DLQ;
        char why[512] = "";
        if (report)
            snprintf(why, sizeof(why), "%s: the line at byte %" PRId64 " is longer than %s "
                     "(%zu); its first bytes are the record (long.lines=dlq)", f->path,
                     line.offset, source_limit_name(task), task->line_limit);
        status = source_line_emit(task, f, &line, last, report ? why : NULL);
        if (status == FERRY_RETRY) {
            *refused = true;
            status = FERRY_OK;
            break;
        }
        if (status != FERRY_OK && report) {
            ferry_error_set(err, errlen, "%s, and errors.tolerance does not tolerate it", why);
            break;
        }
        if (status != FERRY_OK) {
            ferry_error_set(err, errlen, "the worker refused a line of %s (byte %" PRId64 ")",
                            f->path, line.offset);
            break;
        }
        if (line.truncated)
            source_long_line_note(task, f, line.offset,
                                  report ? "reported to the error handler (long.lines=dlq)"
                                         : "truncated (long.lines=truncate)");
        line_reader_consume(&f->reader, &line);
        count++;
    }
    *emitted += count;
    task->lines_emitted += count;
    f->lines_read += count;
    return status;
}

/* One file's turn: its buffered lines, then a few reads. */
static ferry_status source_file_turn(source_task *task, tail_file *f, size_t limit,
                                     int64_t now_ms, size_t *emitted, bool *refused,
                                     bool *progressed, char *err, size_t errlen)
{
    size_t start = *emitted;
    for (int reads = 0;; reads++) {
        size_t before = *emitted;
        ferry_status status = source_lines_emit(task, f, limit - (*emitted - start), emitted,
                                                refused, err, errlen);
        if (*emitted != before)
            *progressed = true;
        if (status != FERRY_OK || *refused || *emitted - start >= limit)
            return status;
        if (!f->ready || reads == SOURCE_READS_PER_TURN)
            return FERRY_OK;
        if (file_tail_read(task->tail, f, now_ms) <= 0)
            return FERRY_OK;
        *progressed = true;
    }
}

/* Reports a backfill file's bytes read of its size (ferry_host.progress_report). */
static void source_file_progress(source_task *task, tail_file *f, ferry_progress_state state,
                                 int64_t position, int64_t size)
{
    ferry_progress report = {.struct_size = sizeof(report), .item = f->path,
                             .phase = "backfill", .unit = "bytes", .state = state,
                             .done = position, .total = size,
                             .records = (int64_t)f->lines_read};
    file_host->progress_report(task->ctx, &report);
}

/* Every SOURCE_PROGRESS_INTERVAL_MS: each file read from well behind its end, until it is
 * caught up (and again when it falls behind). One fstat per file. */
static void source_progress(source_task *task, int64_t now_ms)
{
    if (now_ms < task->progress_ms || !FERRY_HOST_HAS(file_host, progress_report))
        return;
    task->progress_ms = now_ms + SOURCE_PROGRESS_INTERVAL_MS;
    size_t count = file_tail_count(task->tail);
    for (size_t i = 0; i < count; i++) {
        tail_file *f = file_tail_at(task->tail, i);
        struct stat info;
        if (f->fd < 0 || f->compressed || fstat(f->fd, &info) != 0)
            continue;
        int64_t position = line_reader_read_position(&f->reader);
        int64_t size = (int64_t)info.st_size;
        if (!f->backfill && size - position > SOURCE_BACKFILL_MIN_BYTES)
            f->backfill = true;
        if (f->backfill)
            source_file_progress(task, f,
                                 position < size ? FERRY_PROGRESS_RUNNING
                                                 : FERRY_PROGRESS_CAUGHT_UP,
                                 position, size < position ? position : size);
    }
}

/* Files rotated away or deleted, and idle: their last lines, then they are closed. */
static ferry_status source_retire(source_task *task, int64_t now_ms, bool *refused, char *err,
                                  size_t errlen)
{
    tail_file *f;
    while ((f = file_tail_retirable(task->tail, now_ms))) {
        size_t emitted = 0;
        ferry_status status = source_lines_emit(task, f, SIZE_MAX, &emitted, refused, err,
                                                errlen);
        if (status != FERRY_OK || *refused)
            return status;
        line_reader_line line;
        if (line_reader_take_partial(&f->reader, &line)) {
            status = source_line_emit(task, f, &line, true, NULL);
            if (status == FERRY_RETRY) {
                *refused = true;
                return FERRY_OK;
            }
            if (status != FERRY_OK)
                return ferry_error_set(err, errlen, "the worker refused the last line of %s",
                                       f->path);
            line_reader_consume(&f->reader, &line);
            task->lines_emitted++;
        }
        if (f->backfill && FERRY_HOST_HAS(file_host, progress_report))
            source_file_progress(task, f, FERRY_PROGRESS_FORGET, 0, -1);
        file_tail_retire(task->tail, f);
    }
    return FERRY_OK;
}

static ferry_status source_task_poll(void *state, int timeout_ms, char *err, size_t errlen)
{
    source_task *task = state;
    int64_t started = clock_monotonic_ms();
    file_tail_update(task->tail, started);
    size_t emitted = 0;
    bool refused = false;
    ferry_status status = FERRY_OK;
    while (status == FERRY_OK && !refused && emitted < task->batch_size) {
        bool progressed = false;
        size_t count = file_tail_count(task->tail);
        for (size_t k = 0; k < count && status == FERRY_OK && !refused &&
                           emitted < task->batch_size;
             k++) {
            tail_file *f = file_tail_at(task->tail, (task->cursor + k) % count);
            status = source_file_turn(task, f, task->batch_size - emitted, started, &emitted,
                                      &refused, &progressed, err, errlen);
        }
        task->cursor++;
        if (!progressed || clock_monotonic_ms() - started >= timeout_ms)
            break;
    }
    if (status == FERRY_OK && !refused && emitted < task->batch_size)
        status = source_retire(task, clock_monotonic_ms(), &refused, err, errlen);
    source_progress(task, clock_monotonic_ms());
    if (status == FERRY_OK && !refused && emitted == 0)
        file_tail_wait(task->tail, clock_monotonic_ms(),
                       timeout_ms - (int)(clock_monotonic_ms() - started));
    return status;
}

/* ---- the connector type ------------------------------------------------------------------ */

static const ferry_config_key source_config[] = {
    {.name = "file", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_HIGH,
     .group = "Files",
     .documentation = "One file to follow, as FileStreamSource: its source partition is "
                      "{\"filename\": <file>} and its offset {\"position\": <byte offset>}, so "
                      "offsets migrated from Kafka Connect resume where it stopped. Set file or "
                      "files, not both."},
    {.name = "files", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Files",
     .documentation = "Comma-separated glob patterns (*, ?, [...], {a,b}) of the files to "
                      "follow, e.g. /var/log/app/*.log,/var/log/app/*.log.1. New files that "
                      "match are picked up while running; a file is identified by device, inode "
                      "and the fingerprint of its first bytes, so it is followed through renames "
                      "and a copy of it is recognised. Set file or files, not both."},
    {.name = "exclude", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Files",
     .documentation = "Comma-separated glob patterns of files not to follow, with files: a "
                      "pattern with a '/' is matched against the whole path, one without against "
                      "the file name (e.g. *.gz)."},
    {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The topic to write the lines to."},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "2000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1, .has_max = true,
     .max = 1000000,
     .documentation = "The most lines one poll hands to the worker."},
    {.name = "read.from", .type = FERRY_CONFIG_STRING, .default_value = "beginning",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = source_read_from_values,
     .group = "Files",
     .documentation = "Where to start in a file found at the connector's first start, when no "
                      "file has a committed offset yet: beginning, or end (only lines written "
                      "from now on). Files that appear later, and every file after a restart, "
                      "are read from where they were left, or from their beginning."},
    {.name = "max.line.bytes", .type = FERRY_CONFIG_INT, .default_value = "1048576",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 1, .has_max = true,
     .max = 1073741824, .group = "Lines",
     .documentation = "The longest line, in bytes without its delimiter. What happens to a "
                      "longer one is long.lines'; memory stays bounded by about this much per "
                      "file whatever the file holds."},
    {.name = "long.lines", .type = FERRY_CONFIG_STRING, .default_value = "truncate",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = source_long_lines_values,
     .group = "Lines",
     .documentation = "A line longer than max.line.bytes, or than a Kafka record can hold (the "
                      "lower of the producer's message.max.bytes and the topic's "
                      "max.message.bytes, less 512 bytes, less 4160 with headers.enable): "
                      "truncate (its first bytes become the record, "
                      "cut at a UTF-8 character boundary), skip (it is dropped, with a warning), "
                      "fail (the task fails, naming the file and the byte offset), or dlq (its "
                      "first bytes go to the worker's error handler instead of the topic: with "
                      "errors.tolerance=all to errors.deadletterqueue.topic.name, when set; "
                      "with errors.tolerance=none the task fails)."},
    {.name = "topic.max.message.bytes", .type = FERRY_CONFIG_LONG, .default_value = "1048588",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1024, .has_max = true,
     .max = 2147483647, .group = "Lines",
     .documentation = "Deprecated and ignored, with a warning: the worker reads the topic's "
                      "max.message.bytes from the broker, and the producer's message.max.bytes "
                      "as it is configured, to know which lines are too long for a record "
                      "(long.lines)."},
    {.name = "headers.enable", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Lines",
     .documentation = "Add two headers to every record: file.path (where the file was when the "
                      "line was read) and file.offset (the byte offset of the line's start, in "
                      "decimal)."},
    {.name = "poll.interval.ms", .type = FERRY_CONFIG_LONG, .default_value = "1000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 10, .has_max = true,
     .max = 3600000, .group = "Files",
     .documentation = "How often the patterns are matched again and every followed file is "
                      "checked for new bytes, truncation and rotation. With inotify this is a "
                      "safety net; without it (inotify.enable=false, NFS) it is the polling "
                      "interval."},
    {.name = "rotate.wait.ms", .type = FERRY_CONFIG_LONG, .default_value = "5000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 86400000, .group = "Files",
     .documentation = "How long a file that was rotated away or deleted is still read after "
                      "its last byte (a writer may not have reopened its log yet). Also how long "
                      "a new file that looks like the start of a copy being written waits."},
    {.name = "fingerprint.bytes", .type = FERRY_CONFIG_INT, .default_value = "1024",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 16, .has_max = true,
     .max = 65536, .group = "Files",
     .documentation = "How many first bytes of a file make its fingerprint. Two files with the "
                      "same first fingerprint.bytes bytes count as copies of each other, so make "
                      "it longer than any header your files share."},
    {.name = "inotify.enable", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Files",
     .documentation = "Use inotify to learn about new lines and files at once; false polls "
                      "every poll.interval.ms only."},
    {.name = "task.index", .type = FERRY_CONFIG_INT, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .group = "Internal",
     .documentation = "Set by the connector in each task's config: which share of the files "
                      "this task reads. Not for users."},
    {.name = "task.count", .type = FERRY_CONFIG_INT, .default_value = "1",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1, .group = "Internal",
     .documentation = "Set by the connector in each task's config: how many tasks share the "
                      "files. Not for users."},
    {.name = NULL},
};

/* Kafka Connect's FileStreamSourceConnector.alterOffsets: offsets that the source could not
 * read back at its next start are refused before they are written. */
static ferry_status source_connector_alter_offsets(const ferry_config *config,
                                                   const ferry_source_offset *offsets,
                                                   size_t count, char *err, size_t errlen)
{
    const char *file = file_host->config_string(config, "file");
    bool one_path = file && file[0];
    for (size_t i = 0; i < count; i++)
        if (file_offset_alter_check(offsets[i].partition, offsets[i].offset, one_path, err,
                                    errlen) != 0)
            return FERRY_ERROR;
    return FERRY_OK;
}

static const ferry_connector_callbacks source_connector = {
    .validate = source_connector_validate,
    .start = source_connector_start,
    .task_configs = source_connector_task_configs,
    .stop = file_connector_stop,
};

static const ferry_source_task_callbacks source_task_callbacks = {
    .start = source_task_start,
    .poll = source_task_poll,
    .stop = source_task_stop,
};

const ferry_connector_type file_source_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SOURCE,
    .name = "FileSource",
    .aliases = (const char *const[]){"FileStreamSource", "FileStreamSourceConnector",
                                     "org.apache.kafka.connect.file.FileStreamSourceConnector",
                                     NULL},
    .description = "Follows files like tail -F (globs, rotation by rename and copytruncate, "
                   "restarts without a lost line); FileStreamSource's configs and offsets work "
                   "unchanged.",
    .config = source_config,
    .connector = &source_connector,
    .source_task = &source_task_callbacks,
    /* It resumes exactly from the offsets it reads back (transaction.boundary=poll). */
    .flags = FERRY_SOURCE_EXACTLY_ONCE,
    .alter_offsets = source_connector_alter_offsets,
    .task_class = "org.apache.kafka.connect.file.FileStreamSourceTask",
};
