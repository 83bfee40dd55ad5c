/*
 * file_sink.c - FileSink: one value per line appended to a file, as FileStreamSink, but prompt and
 * durable: put writes each batch out before it returns (one write(2) per batch, so a line shows in
 * the file as soon as the worker hands it over, not at the next offset flush), and flush fsyncs
 * before the worker commits the consumer offsets, so a record whose offset is committed is on
 * disk. Optional rolling by size.
 *
 * A value is written as it is for strings and bytes (a JSON string too), as its JSON text (one
 * line) for other structured values, and as "null" for a null value (FileStreamSink prints null
 * too).
 *
 * Rolling (roll.size.bytes > 0): before a line would take the file past the limit, the file is
 * fsynced and renamed to "<file>.<n>", n = 1, 2, 3, ... (the next number after the highest one
 * found at start), and a new <file> is started. The active file always has the configured name,
 * and a higher number is a newer file. A single line longer than the limit gets a file of its
 * own. Rolled files are never deleted.
 *
 * The sink runs one task whatever tasks.max says: one file, one writer, lines in the order of
 * each Kafka partition.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_connector.h"
#include "file_plugin.h"
#include "support/config_bind.h"
#include "support/strbuf.h"

/* Within one put, lines are written out (without fsync) once this much is buffered: bounded
 * memory for a large batch. The rest of the batch is written when put returns. */
#define SINK_WRITE_THRESHOLD ((size_t)1 << 20)

typedef struct sink_task {
    ferry_context *ctx;
    char *path;          /* file; NULL when unset or blank */
    int64_t roll_bytes;  /* roll.size.bytes; 0 = never roll */
    int fd;
    int64_t size;        /* bytes of the active file, written and buffered */
    uint64_t next_roll;  /* the number of the next rolled file */
    strbuf pending;      /* lines of the running put, not yet written */
} sink_task;

/* The keys, read into the task in one call. */
static const config_binding sink_bindings[] = {
    CONFIG_BIND_STRING("file", sink_task, path),
    CONFIG_BIND_LONG("roll.size.bytes", sink_task, roll_bytes),
    {0},
};

/* ---- the file ---------------------------------------------------------------------------- */

static int sink_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static ferry_status sink_pending_write(sink_task *task, char *err, size_t errlen)
{
    if (task->pending.len == 0)
        return FERRY_OK;
    if (sink_write_all(task->fd, task->pending.data, task->pending.len) != 0)
        return ferry_error_set(err, errlen, "cannot write %s: %s", task->path, strerror(errno));
    strbuf_reset(&task->pending);
    return FERRY_OK;
}

/* fsync of the directory holding path, so that a new or renamed name is durable too. */
static int sink_dir_sync(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static ferry_status sink_open(sink_task *task, char *err, size_t errlen)
{
    struct stat st;
    bool created = stat(task->path, &st) != 0 && errno == ENOENT;
    task->fd = open(task->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (task->fd < 0)
        return ferry_error_set(err, errlen, "cannot open %s for appending: %s", task->path,
                               strerror(errno));
    if (fstat(task->fd, &st) != 0)
        return ferry_error_set(err, errlen, "cannot stat %s: %s", task->path, strerror(errno));
    task->size = st.st_size;
    if (created && sink_dir_sync(task->path) != 0)
        return ferry_error_set(err, errlen, "cannot sync the directory of %s: %s", task->path,
                               strerror(errno));
    return FERRY_OK;
}

/* A file that does not end with a newline (a machine crash in mid-write, or someone else's
 * text): end it, so that the next line starts on a line of its own. */
static ferry_status sink_terminate_last_line(sink_task *task, char *err, size_t errlen)
{
    char last;
    int rd = task->size > 0 ? open(task->path, O_RDONLY | O_CLOEXEC) : -1;
    bool unterminated = rd >= 0 && pread(rd, &last, 1, (off_t)(task->size - 1)) == 1 &&
                        last != '\n';
    if (rd >= 0)
        close(rd);
    if (!unterminated)
        return FERRY_OK;
    file_host->log(task->ctx, FERRY_LOG_WARN, "%s does not end with a newline: adding one so "
                   "that new lines start on a line of their own", task->path);
    if (sink_write_all(task->fd, "\n", 1) != 0)
        return ferry_error_set(err, errlen, "cannot write %s: %s", task->path, strerror(errno));
    task->size++;
    return FERRY_OK;
}

/* The number after the highest "<name>.<n>" next to the file. */
static uint64_t sink_next_roll(const char *path)
{
    char *copy_dir = strdup(path), *copy_base = strdup(path);
    uint64_t highest = 0;
    DIR *dir = copy_dir ? opendir(dirname(copy_dir)) : NULL;
    const char *base = copy_base ? basename(copy_base) : NULL;
    size_t base_len = base ? strlen(base) : 0;
    struct dirent *entry;
    while (dir && base && (entry = readdir(dir))) {
        const char *name = entry->d_name;
        if (strncmp(name, base, base_len) != 0 || name[base_len] != '.')
            continue;
        const char *digits = name + base_len + 1;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(digits, &end, 10);
        if (*digits >= '0' && *digits <= '9' && !*end && !errno && n > highest)
            highest = n;
    }
    if (dir)
        closedir(dir);
    free(copy_dir);
    free(copy_base);
    return highest + 1;
}

/* Closes the active file under its rolled name and starts a new one. */
static ferry_status sink_roll(sink_task *task, char *err, size_t errlen)
{
    ferry_status status = sink_pending_write(task, err, errlen);
    if (status != FERRY_OK)
        return status;
    if (fsync(task->fd) != 0)
        return ferry_error_set(err, errlen, "cannot fsync %s: %s", task->path, strerror(errno));
    char *rolled = NULL;
    if (asprintf(&rolled, "%s.%" PRIu64, task->path, task->next_roll) < 0)
        return ferry_error_set(err, errlen, "out of memory");
    if (rename(task->path, rolled) != 0) {
        ferry_error_set(err, errlen, "cannot roll %s to %s: %s", task->path, rolled,
                        strerror(errno));
        free(rolled);
        return FERRY_ERROR;
    }
    file_host->log(task->ctx, FERRY_LOG_INFO, "rolled %s to %s (%" PRId64 " bytes)", task->path,
                   rolled, task->size);
    free(rolled);
    task->next_roll++;
    close(task->fd);
    task->fd = -1;
    return sink_open(task, err, errlen); /* syncs the directory: both names are durable */
}

/* ---- values ------------------------------------------------------------------------------ */

/* The bytes of a value's line: *owned is set (and must be freed) when they had to be made. */
static int sink_value_text(const ferry_data *value, const char **text, size_t *len, char **owned)
{
    *owned = NULL;
    switch (value->kind) {
    case FERRY_DATA_BYTES:
    case FERRY_DATA_STRING:
        *text = value->data ? value->data : "";
        *len = value->data ? value->len : 0;
        return 0;
    case FERRY_DATA_JSON:
        /* A string is a string (a JsonConverter's "payload":"text" is written text, as
         * FileStreamSink prints a String); anything else is JSON as it came, unless it spans
         * lines (pretty-printed): then compact. */
        if (json_is_string(value->json)) {
            *text = json_string_value(value->json);
            *len = json_string_length(value->json);
            return 0;
        }
        if (value->data && !memchr(value->data, '\n', value->len)) {
            *text = value->data;
            *len = value->len;
            return 0;
        }
        if (value->json) {
            *owned = json_dumps(value->json, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!*owned)
                return -1;
            *text = *owned;
            *len = strlen(*owned);
            return 0;
        }
        break;
    case FERRY_DATA_NULL:
    default:
        break;
    }
    *text = "null";
    *len = 4;
    return 0;
}

static int sink_pending_append(sink_task *task, const char *text, size_t len)
{
    strbuf_append(&task->pending, text, len);
    strbuf_append_char(&task->pending, '\n');
    return strbuf_failed(&task->pending) ? -1 : 0;
}

/* ---- the task ---------------------------------------------------------------------------- */

static void sink_task_stop(void *state)
{
    sink_task *task = state;
    if (!task)
        return;
    if (task->pending.len > 0)
        file_host->log(task->ctx, FERRY_LOG_INFO, "stopping with %zu bytes not flushed: their "
                       "records are delivered again", task->pending.len);
    if (task->fd >= 0)
        close(task->fd);
    strbuf_free(&task->pending);
    config_bind_release(sink_bindings, task);
    free(task);
}

static ferry_status sink_task_start(ferry_context *ctx, const ferry_config *config, void **state,
                                    char *err, size_t errlen)
{
    sink_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    task->ctx = ctx;
    task->fd = -1;
    if (config_bind(file_host, config, sink_bindings, task) != 0) {
        sink_task_stop(task);
        return ferry_error_set(err, errlen, "out of memory");
    }
    if (!task->path) {
        sink_task_stop(task);
        return ferry_error_set(err, errlen, "file is not set: FileSink writes to a file (writing "
                               "to standard output, what FileStreamSink does without file, is "
                               "not supported)");
    }
    ferry_status status = sink_open(task, err, errlen);
    if (status == FERRY_OK)
        status = sink_terminate_last_line(task, err, errlen);
    if (status != FERRY_OK) {
        sink_task_stop(task);
        return status;
    }
    if (task->roll_bytes > 0)
        task->next_roll = sink_next_roll(task->path);
    file_host->log(ctx, FERRY_LOG_INFO, "appending to %s (%" PRId64 " bytes)%s", task->path,
                   task->size, task->roll_bytes > 0 ? ", rolling by size" : "");
    *state = task;
    return FERRY_OK;
}

/* Someone rotated the file away (logrotate on the output): what was written there stays there,
 * durable; new lines go to a new file at the configured name. */
static ferry_status sink_reopen_if_moved(sink_task *task, char *err, size_t errlen)
{
    struct stat at_path, open_file;
    if (fstat(task->fd, &open_file) != 0)
        return FERRY_OK;
    if (stat(task->path, &at_path) == 0 && at_path.st_dev == open_file.st_dev &&
        at_path.st_ino == open_file.st_ino)
        return FERRY_OK;
    if (fsync(task->fd) != 0)
        return ferry_error_set(err, errlen, "cannot fsync %s: %s", task->path, strerror(errno));
    file_host->log(task->ctx, FERRY_LOG_INFO, "%s was moved or deleted by someone else: starting "
                   "a new file there", task->path);
    close(task->fd);
    task->fd = -1;
    return sink_open(task, err, errlen);
}

static ferry_status sink_task_put(void *state, const ferry_record *records, size_t count,
                                  char *err, size_t errlen)
{
    sink_task *task = state;
    /* Lines are written as they come: a file moved away since the last batch gets no more. */
    ferry_status moved = count > 0 ? sink_reopen_if_moved(task, err, errlen) : FERRY_OK;
    if (moved != FERRY_OK)
        return moved;
    for (size_t i = 0; i < count; i++) {
        const char *text;
        size_t len;
        char *owned;
        if (sink_value_text(&records[i].value, &text, &len, &owned) != 0)
            return ferry_error_set(err, errlen, "out of memory writing the value of %s [%d] at "
                                   "offset %" PRId64 " as JSON", records[i].topic,
                                   (int)records[i].partition, records[i].kafka_offset);
        ferry_status status = FERRY_OK;
        if (task->roll_bytes > 0 && task->size > 0 &&
            task->size + (int64_t)len + 1 > task->roll_bytes)
            status = sink_roll(task, err, errlen);
        if (status == FERRY_OK && sink_pending_append(task, text, len) != 0)
            status = ferry_error_set(err, errlen, "out of memory buffering %zu bytes", len);
        free(owned);
        if (status != FERRY_OK)
            return status;
        task->size += (int64_t)len + 1;
        if (task->pending.len >= SINK_WRITE_THRESHOLD) {
            status = sink_pending_write(task, err, errlen);
            if (status != FERRY_OK)
                return status;
        }
    }
    /* The batch goes out now: a line is readable in the file as soon as its record arrived,
     * whatever offset.flush.interval.ms is. Only the fsync waits for flush. */
    return sink_pending_write(task, err, errlen);
}

static ferry_status sink_task_flush(void *state, ferry_topic_partition *offsets, size_t count,
                                    char *err, size_t errlen)
{
    (void)offsets;
    (void)count;
    sink_task *task = state;
    ferry_status status = sink_reopen_if_moved(task, err, errlen);
    if (status == FERRY_OK)
        status = sink_pending_write(task, err, errlen);
    if (status != FERRY_OK)
        return status;
    if (fsync(task->fd) != 0)
        return ferry_error_set(err, errlen, "cannot fsync %s: %s", task->path, strerror(errno));
    return FERRY_OK; /* everything put is durable: the offsets stand */
}

/* ---- the connector ----------------------------------------------------------------------- */

static ferry_status sink_connector_task_configs(void *state, int max_tasks, json_t **task_configs,
                                                char *err, size_t errlen)
{
    (void)max_tasks; /* one file, one writer */
    json_t *configs = json_array();
    if (!configs || json_array_append_new(configs, json_deep_copy(state)) != 0) {
        json_decref(configs);
        return ferry_error_set(err, errlen, "out of memory building task configs");
    }
    *task_configs = configs;
    return FERRY_OK;
}

static const ferry_config_key sink_config[] = {
    {.name = "file", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "The file to append to, one value per line (created when missing)."},
    {.name = "roll.size.bytes", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "Roll the file before it would grow past this many bytes: it is renamed "
                      "to <file>.<n> (n = 1, 2, ...; higher is newer) and a new <file> is "
                      "started. 0 never rolls."},
    {.name = NULL},
};

/* Kafka Connect's FileStreamSinkConnector.alterOffsets: the offsets are Kafka's own (the
 * consumer group's), whose shape the host has checked; the sink keeps no position elsewhere that
 * would have to follow them, so every offset is accepted. */
static ferry_status sink_connector_alter_offsets(const ferry_config *config,
                                                 const ferry_source_offset *offsets,
                                                 size_t count, char *err, size_t errlen)
{
    return FERRY_OK;
}

static const ferry_connector_callbacks sink_connector = {
    .start = file_connector_start,
    .task_configs = sink_connector_task_configs,
    .stop = file_connector_stop,
};

static const ferry_sink_task_callbacks sink_task_callbacks = {
    .start = sink_task_start,
    .put = sink_task_put,
    .flush = sink_task_flush,
    .stop = sink_task_stop,
};

const ferry_connector_type file_sink_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SINK,
    .name = "FileSink",
    .aliases = (const char *const[]){"FileStreamSink", "FileStreamSinkConnector",
                                     "org.apache.kafka.connect.file.FileStreamSinkConnector",
                                     NULL},
    .description = "Appends one value per line to a file, fsynced before offsets are committed, "
                   "optionally rolled by size; FileStreamSink's configs work unchanged.",
    .config = sink_config,
    .connector = &sink_connector,
    .sink_task = &sink_task_callbacks,
    .flags = FERRY_SINK_HEADERS_ON_DEMAND, /* it never reads them */
    .alter_offsets = sink_connector_alter_offsets,
    .task_class = "org.apache.kafka.connect.file.FileStreamSinkTask",
};
