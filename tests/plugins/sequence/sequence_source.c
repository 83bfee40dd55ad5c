/*
 * sequence_source.c - SequenceSource, a source that emits numbered records per source partition
 * and resumes exactly from its committed offsets: the runtime's tests use it to prove that no
 * record is lost (and how many are replayed) across kill -9, back-pressure and failures.
 *
 * Source partition p of connector NAME is {"sequence":"NAME","partition":p}. Its records are
 * numbered n = 0, 1, 2, ...: key "<p>", value "<p>:<n>" padded with 'x' to record.bytes. The
 * offset attached to record n is {"seq":n+1}: the number of the next record to emit, which is
 * where a restarted task resumes. A record carries its offset when (n + 1) is a multiple of
 * offset.every, and always when it is the last record of its partition in a poll's batch.
 *
 * Each poll plans a batch of up to batch.size records, taken round-robin over the task's
 * partitions from where the previous poll stopped, skipping partitions that reached count. When
 * record_emit answers FERRY_RETRY, the poll stops and the same record is emitted first by the
 * next poll, so the sequence has neither gaps nor duplicates.
 *
 * With origin.header set, every record also says who polled it and when: that header holds
 * "<pid>-<n>" (the process and the n-th task started in it) and the record's timestamp is the
 * wall-clock time of the poll, so that a test can tell a fenced worker's records from its
 * successor's when both write the same numbers.
 */
#include "sequence_plugin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The longest "<p>:<n>" a record can have: an int32, a colon, an int64, NUL. */
#define SEQUENCE_TEXT_MAX 40
/* An idle poll sleeps at most this long, so that the task stays responsive. */
#define SEQUENCE_IDLE_SLEEP_MS 100

/* ---- the connector: spreads source partitions over tasks --------------------------------- */

typedef struct sequence_connector {
    json_t *config; /* a copy of the connector's config */
    int64_t partitions;
} sequence_connector;

static void sequence_connector_stop(void *state)
{
    sequence_connector *connector = state;
    if (!connector)
        return;
    json_decref(connector->config);
    free(connector);
}

static ferry_status sequence_connector_start(ferry_context *ctx, const ferry_config *config,
                                             void **state, char *err, size_t errlen)
{
    sequence_connector *connector = calloc(1, sizeof(*connector));
    if (!connector)
        return ferry_error_set(err, errlen, "out of memory");
    connector->config = json_deep_copy(sequence_host->config_json(config));
    if (!connector->config) {
        sequence_connector_stop(connector);
        return ferry_error_set(err, errlen, "out of memory copying the connector config");
    }
    connector->partitions = sequence_host->config_int(config, "partitions");
    sequence_host->log(ctx, FERRY_LOG_INFO, "sequence source started: %" PRId64
                       " source partitions to topic %s", connector->partitions,
                       sequence_host->config_string(config, "topic"));
    *state = connector;
    return FERRY_OK;
}

/* "t,t+n,t+2n,...": the partitions that task t of n owns. A new string. */
static char *sequence_partition_list(int64_t task, int64_t task_count, int64_t partitions)
{
    /* Every number fits in 11 characters, plus its comma. */
    size_t capacity = (size_t)(partitions / task_count + 1) * 12 + 1;
    char *list = malloc(capacity);
    if (!list)
        return NULL;
    size_t length = 0;
    list[0] = '\0';
    for (int64_t partition = task; partition < partitions; partition += task_count)
        length += (size_t)snprintf(list + length, capacity - length, "%s%" PRId64,
                                   length ? "," : "", partition);
    return list;
}

static ferry_status sequence_connector_task_configs(void *state, int max_tasks,
                                                    json_t **task_configs, char *err,
                                                    size_t errlen)
{
    sequence_connector *connector = state;
    int64_t task_count = max_tasks < connector->partitions ? max_tasks : connector->partitions;
    json_t *configs = json_array();
    if (!configs)
        return ferry_error_set(err, errlen, "out of memory building task configs");
    for (int64_t task = 0; task < task_count; task++) {
        json_t *config = json_deep_copy(connector->config);
        char *list = sequence_partition_list(task, task_count, connector->partitions);
        /* json_object_set_new and json_array_append_new take their value even on failure. */
        bool failed = !config || !list
                      || json_object_set_new(config, "task.partitions", json_string(list)) != 0;
        free(list);
        if (failed)
            json_decref(config);
        if (failed || json_array_append_new(configs, config) != 0) {
            json_decref(configs);
            return ferry_error_set(err, errlen, "out of memory building task configs");
        }
    }
    *task_configs = configs; /* ownership passes to the host */
    return FERRY_OK;
}

/* ---- the task ---------------------------------------------------------------------------- */

typedef struct sequence_partition {
    int32_t number;
    int64_t next;             /* the sequence number of the next record to emit */
    int64_t planned;          /* records of this partition still to emit in the current batch */
    json_t *source_partition; /* {"sequence":NAME,"partition":number} */
} sequence_partition;

typedef struct sequence_task {
    ferry_context *ctx;
    char *topic;
    sequence_partition *partitions;
    size_t partition_count;
    size_t cursor; /* index of the partition whose record comes next */

    int64_t count;        /* records per partition, -1 = unbounded */
    int64_t batch_size;
    int64_t record_bytes;
    int64_t offset_every;
    int64_t structured_every; /* every n-th number's value is a JSON object; 0 = never */
    json_t *structured_payload; /* that value from structured.json, NULL: {"value": <text>} */
    json_t *structured_schema;  /* its Connect schema, NULL: none */
    int64_t interval_ms;
    char *fail_file;      /* NULL = never */
    int64_t fail_after;   /* -1 = never */
    char *origin_header;  /* NULL = no origin on the records */
    char origin[48];      /* "<pid>-<n>": this task instance */

    int64_t emitted;      /* records the host took since start */
    bool batch_emitted;   /* a batch was emitted: next_batch_at is meaningful */
    struct timespec next_batch_at; /* CLOCK_MONOTONIC; interval.ms after the last batch */

    char *value;          /* a record's value, record.bytes or SEQUENCE_TEXT_MAX long */
    size_t value_capacity;
} sequence_task;

static void sequence_task_stop(void *state)
{
    sequence_task *task = state;
    if (!task)
        return;
    for (size_t i = 0; i < task->partition_count; i++)
        json_decref(task->partitions[i].source_partition);
    free(task->partitions);
    free(task->topic);
    free(task->fail_file);
    free(task->origin_header);
    free(task->value);
    json_decref(task->structured_payload);
    json_decref(task->structured_schema);
    free(task);
}

/* structured.json: {"schema": <Connect schema or null>, "payload": <value>}, the form of
 * JsonConverter's envelope; empty leaves the default structured value. */
static ferry_status sequence_structured_parse(sequence_task *task, const ferry_config *config,
                                              char *err, size_t errlen)
{
    const char *text = sequence_host->config_string(config, "structured.json");
    if (!text || !text[0])
        return FERRY_OK;
    json_error_t error;
    json_t *envelope = json_loads(text, 0, &error);
    json_t *payload = json_object_get(envelope, "payload");
    json_t *schema = json_object_get(envelope, "schema");
    if (!payload || json_is_null(payload)) {
        json_decref(envelope);
        return ferry_error_set(err, errlen, "structured.json: expected {\"schema\": ..., "
                               "\"payload\": ...} with a payload that is not null (%s)",
                               envelope ? "no payload" : error.text);
    }
    task->structured_payload = json_incref(payload);
    task->structured_schema = json_is_null(schema) ? NULL : json_incref(schema);
    json_decref(envelope);
    return FERRY_OK;
}

/* Fills task->partitions from task.partitions, or with every partition when it is unset or
 * empty (a task started without the connector's task configs). */
static ferry_status sequence_task_partitions_parse(sequence_task *task, const ferry_config *config,
                                                   char *err, size_t errlen)
{
    int64_t partitions = sequence_host->config_int(config, "partitions");
    const char *const *items = sequence_host->config_list(config, "task.partitions");
    size_t item_count = 0;
    while (items[item_count])
        item_count++;
    if (partitions < 1)
        return ferry_error_set(err, errlen, "partitions is %" PRId64 ", expected at least 1",
                               partitions);
    size_t count = item_count ? item_count : (size_t)partitions;
    task->partitions = calloc(count ? count : 1, sizeof(*task->partitions));
    bool *listed = calloc((size_t)partitions, sizeof(*listed)); /* partitions >= 1 */
    if (!task->partitions || !listed) {
        free(listed);
        return ferry_error_set(err, errlen, "out of memory");
    }
    ferry_status status = FERRY_OK;
    for (size_t i = 0; i < count; i++) {
        int64_t number = (int64_t)i;
        if (item_count) {
            char *end;
            errno = 0;
            long long parsed = strtoll(items[i], &end, 10);
            if (errno || end == items[i] || *end || parsed < 0 || parsed >= partitions) {
                status = ferry_error_set(err, errlen, "task.partitions: '%s' is not a partition "
                                         "number between 0 and %" PRId64, items[i],
                                         partitions - 1);
                break;
            }
            number = parsed;
        }
        if (listed[number]) {
            status = ferry_error_set(err, errlen, "task.partitions: partition %" PRId64
                                     " is listed twice", number);
            break;
        }
        listed[number] = true;
        task->partitions[i].number = (int32_t)number;
        task->partition_count = i + 1; /* stop frees what is built so far */
    }
    free(listed);
    return status;
}

/* Looks up a partition's committed offset and resumes from it. */
static ferry_status sequence_task_resume(sequence_task *task, sequence_partition *partition,
                                         char *err, size_t errlen)
{
    json_t *offset = sequence_host->offset_read(task->ctx, partition->source_partition);
    if (!offset)
        return FERRY_OK;
    json_t *seq = json_object_get(offset, "seq");
    if (!json_is_integer(seq) || json_integer_value(seq) < 0) {
        char *text = json_dumps(offset, JSON_COMPACT | JSON_ENCODE_ANY);
        ferry_error_set(err, errlen, "committed offset %s of source partition %d is not "
                        "{\"seq\": <number of the next record>}", text ? text : "(?)",
                        (int)partition->number);
        free(text);
        json_decref(offset);
        return FERRY_ERROR;
    }
    partition->next = json_integer_value(seq);
    json_decref(offset);
    sequence_host->log(task->ctx, FERRY_LOG_INFO, "source partition %d resumes at record %" PRId64,
                       (int)partition->number, partition->next);
    return FERRY_OK;
}

static ferry_status sequence_task_start(ferry_context *ctx, const ferry_config *config,
                                        void **state, char *err, size_t errlen)
{
    const char *name = sequence_host->config_string(config, "name");
    if (!name || !name[0])
        return ferry_error_set(err, errlen, "the connector name (config key 'name') is not set");
    sequence_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    task->ctx = ctx;
    task->count = sequence_host->config_int(config, "count");
    task->batch_size = sequence_host->config_int(config, "batch.size");
    task->record_bytes = sequence_host->config_int(config, "record.bytes");
    task->offset_every = sequence_host->config_int(config, "offset.every");
    task->structured_every = sequence_host->config_int(config, "structured.every");
    task->interval_ms = sequence_host->config_int(config, "interval.ms");
    task->fail_after = sequence_host->config_int(config, "fail.after.records");
    if (task->offset_every < 1)
        task->offset_every = 1;

    bool failed = false;
    task->topic = sequence_config_string_copy(config, "topic", &failed);
    task->fail_file = sequence_config_string_copy(config, "fail.when.file.exists", &failed);
    task->origin_header = sequence_config_string_copy(config, "origin.header", &failed);
    static atomic_long instances;
    snprintf(task->origin, sizeof(task->origin), "%ld-%ld", (long)getpid(),
             atomic_fetch_add(&instances, 1) + 1);
    task->value_capacity = (size_t)(task->record_bytes > SEQUENCE_TEXT_MAX ? task->record_bytes
                                                                           : SEQUENCE_TEXT_MAX);
    task->value = malloc(task->value_capacity + 1);
    if (failed || !task->value) {
        sequence_task_stop(task);
        return ferry_error_set(err, errlen, "out of memory");
    }
    if (!task->topic) {
        sequence_task_stop(task);
        return ferry_error_set(err, errlen, "config key 'topic' is not set");
    }

    ferry_status status = sequence_structured_parse(task, config, err, errlen);
    if (status == FERRY_OK)
        status = sequence_task_partitions_parse(task, config, err, errlen);
    for (size_t i = 0; status == FERRY_OK && i < task->partition_count; i++) {
        sequence_partition *partition = &task->partitions[i];
        partition->source_partition = json_pack("{s:s,s:i}", "sequence", name, "partition",
                                                (int)partition->number);
        if (!partition->source_partition)
            status = ferry_error_set(err, errlen, "out of memory");
        else
            status = sequence_task_resume(task, partition, err, errlen);
    }
    if (status != FERRY_OK) {
        sequence_task_stop(task);
        return status;
    }
    sequence_host->log(ctx, FERRY_LOG_INFO, "sequence source task started with %zu source "
                       "partitions", task->partition_count);
    *state = task;
    return FERRY_OK;
}

/* The index of the first partition at or after from (cyclically) for which more() holds, or
 * partition_count when there is none. */
static size_t sequence_partition_find(const sequence_task *task, size_t from,
                                      bool (*more)(const sequence_task *, const sequence_partition *))
{
    for (size_t step = 0; step < task->partition_count; step++) {
        size_t index = (from + step) % task->partition_count;
        if (more(task, &task->partitions[index]))
            return index;
    }
    return task->partition_count;
}

static bool sequence_partition_can_plan(const sequence_task *task,
                                        const sequence_partition *partition)
{
    return task->count < 0 || partition->next + partition->planned < task->count;
}

static bool sequence_partition_is_planned(const sequence_task *task,
                                          const sequence_partition *partition)
{
    (void)task;
    return partition->planned > 0;
}

/* Plans this poll's batch: how many records each partition emits. Returns the total. Emitting
 * in the same round-robin order then visits partitions exactly as planned, which is how a
 * record knows it is its partition's last of the batch. */
static int64_t sequence_batch_plan(sequence_task *task)
{
    int64_t limit = task->batch_size;
    if (task->fail_after >= 0 && task->fail_after - task->emitted < limit)
        limit = task->fail_after - task->emitted;
    for (size_t i = 0; i < task->partition_count; i++)
        task->partitions[i].planned = 0;
    int64_t total = 0;
    size_t index = task->cursor;
    while (total < limit) {
        index = sequence_partition_find(task, index, sequence_partition_can_plan);
        if (index == task->partition_count)
            break;
        task->partitions[index].planned++;
        total++;
        index = (index + 1) % task->partition_count;
    }
    return total;
}

/* Milliseconds until the interval since the last batch has passed; 0 when it has. */
static int64_t sequence_interval_remaining_ms(const sequence_task *task)
{
    if (task->interval_ms <= 0 || !task->batch_emitted)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t remaining_ns = (int64_t)(task->next_batch_at.tv_sec - now.tv_sec) * 1000000000
                           + (task->next_batch_at.tv_nsec - now.tv_nsec);
    /* Rounded up, so that waiting the answer always reaches the end of the interval. */
    return remaining_ns > 0 ? (remaining_ns + 999999) / 1000000 : 0;
}

static void sequence_interval_restart(sequence_task *task)
{
    if (task->interval_ms <= 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &task->next_batch_at);
    task->next_batch_at.tv_sec += task->interval_ms / 1000;
    task->next_batch_at.tv_nsec += (long)(task->interval_ms % 1000) * 1000000L;
    if (task->next_batch_at.tv_nsec >= 1000000000L) {
        task->next_batch_at.tv_sec++;
        task->next_batch_at.tv_nsec -= 1000000000L;
    }
    task->batch_emitted = true;
}

/* Emits record partition->next; the host copies it before returning. On FERRY_ERROR the
 * message is in err. */
static ferry_status sequence_record_emit(sequence_task *task, sequence_partition *partition,
                                         char *err, size_t errlen)
{
    char key[16];
    int key_length = snprintf(key, sizeof(key), "%d", (int)partition->number);
    int text_length = snprintf(task->value, task->value_capacity + 1, "%d:%" PRId64,
                               (int)partition->number, partition->next);
    size_t value_length = (size_t)text_length;
    if ((int64_t)value_length < task->record_bytes) {
        memset(task->value + value_length, 'x', (size_t)task->record_bytes - value_length);
        value_length = (size_t)task->record_bytes;
    }

    bool last_of_batch = partition->planned == 1;
    bool with_offset = last_of_batch || (partition->next + 1) % task->offset_every == 0;
    json_t *offset = NULL;
    if (with_offset) {
        offset = json_pack("{s:I}", "seq", (json_int_t)(partition->next + 1));
        if (!offset)
            return ferry_error_set(err, errlen, "out of memory");
    }
    ferry_record record = {
        .topic = task->topic,
        .partition = FERRY_PARTITION_ANY,
        .key = {.kind = FERRY_DATA_STRING, .data = key, .len = (size_t)key_length},
        .value = {.kind = FERRY_DATA_STRING, .data = task->value, .len = value_length},
        .timestamp_ms = FERRY_TIMESTAMP_NONE,
        .source_partition = partition->source_partition,
        .source_offset = offset,
    };
    ferry_header origin = {.key = task->origin_header, .value = task->origin,
                           .value_len = strlen(task->origin)};
    if (task->origin_header) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        record.headers = &origin;
        record.header_count = 1;
        record.timestamp_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    }
    json_t *structured = NULL;
    if (task->structured_every > 0 && partition->next % task->structured_every == 0) {
        /* A copy per record, as a real source makes: a transform that changes one record's value
         * must not change the next one's. */
        structured = task->structured_payload
                         ? json_deep_copy(task->structured_payload)
                         : json_pack("{s:s%}", "value", task->value, value_length);
        if (!structured) {
            json_decref(offset);
            return ferry_error_set(err, errlen, "out of memory");
        }
        record.value = (ferry_data){.kind = FERRY_DATA_JSON, .json = structured,
                                    .schema = task->structured_schema};
    }
    ferry_status status = sequence_host->record_emit(task->ctx, &record);
    json_decref(structured);
    json_decref(offset);
    if (status != FERRY_OK && status != FERRY_RETRY)
        return ferry_error_set(err, errlen, "the worker refused record %d:%" PRId64,
                               (int)partition->number, partition->next);
    return status;
}

static ferry_status sequence_task_poll(void *state, int timeout_ms, char *err, size_t errlen)
{
    sequence_task *task = state;
    if (sequence_trigger_file_exists(task->fail_file))
        return ferry_error_set(err, errlen, "failure requested: %s exists", task->fail_file);
    if (task->fail_after >= 0 && task->emitted >= task->fail_after)
        return ferry_error_set(err, errlen, "failure requested after %" PRId64 " records",
                               task->fail_after);

    int64_t wait_ms = sequence_interval_remaining_ms(task);
    if (wait_ms > 0) {
        sequence_sleep_ms(wait_ms < timeout_ms ? wait_ms : timeout_ms);
        if (sequence_interval_remaining_ms(task) > 0)
            return FERRY_OK; /* not yet time for the next batch: idle */
    }

    int64_t planned = sequence_batch_plan(task);
    if (planned == 0) {
        /* Every partition reached count: idle without spinning. */
        sequence_sleep_ms(timeout_ms < SEQUENCE_IDLE_SLEEP_MS ? timeout_ms
                                                              : SEQUENCE_IDLE_SLEEP_MS);
        return FERRY_OK;
    }
    sequence_interval_restart(task);

    size_t index = task->cursor;
    while (planned > 0) {
        index = sequence_partition_find(task, index, sequence_partition_is_planned);
        sequence_partition *partition = &task->partitions[index];
        ferry_status status = sequence_record_emit(task, partition, err, errlen);
        if (status == FERRY_RETRY) {
            /* The host's buffer is full and the record was not taken: it goes first next poll. */
            task->cursor = index;
            return FERRY_OK;
        }
        if (status != FERRY_OK)
            return FERRY_ERROR;
        partition->next++;
        partition->planned--;
        task->emitted++;
        planned--;
        index = (index + 1) % task->partition_count;
    }
    task->cursor = index;
    return FERRY_OK;
}

static void sequence_task_commit(void *state, const ferry_source_offset *offsets, size_t count)
{
    sequence_task *task = state;
    for (size_t i = 0; i < count; i++) {
        char *partition = json_dumps(offsets[i].partition, JSON_COMPACT | JSON_ENCODE_ANY);
        char *offset = json_dumps(offsets[i].offset, JSON_COMPACT | JSON_ENCODE_ANY);
        sequence_host->log(task->ctx, FERRY_LOG_DEBUG, "offset committed: %s %s",
                           partition ? partition : "?", offset ? offset : "?");
        free(partition);
        free(offset);
    }
}

/* ---- the connector type ------------------------------------------------------------------ */

static const ferry_config_key sequence_source_config[] = {
    {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .documentation = "The topic to write records to."},
    {.name = "partitions", .type = FERRY_CONFIG_INT, .default_value = "4",
     .importance = FERRY_IMPORTANCE_HIGH, .has_min = true, .min = 1, .has_max = true,
     .max = 100000,
     .documentation = "The number of source partitions, each an independent numbered sequence; "
                      "they are spread round-robin over at most tasks.max tasks."},
    {.name = "count", .type = FERRY_CONFIG_LONG, .default_value = "-1",
     .importance = FERRY_IMPORTANCE_HIGH, .has_min = true, .min = -1,
     .documentation = "Records to emit per source partition before going idle; -1 = unbounded."},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "500",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 1, .has_max = true,
     .max = 1000000, .documentation = "The most records one poll emits."},
    {.name = "record.bytes", .type = FERRY_CONFIG_INT, .default_value = "0",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 0, .has_max = true,
     .max = 16777216,
     .documentation = "Pads each value \"<partition>:<number>\" with 'x' to at least this many "
                      "bytes."},
    {.name = "offset.every", .type = FERRY_CONFIG_INT, .default_value = "1",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
     .documentation = "Attaches the source offset to record n of a source partition when n + 1 "
                      "is a multiple of this, and always to a partition's last record of a "
                      "poll."},
    {.name = "interval.ms", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 3600000, .documentation = "Milliseconds between two batches; 0 = no pause."},
    {.name = "structured.every", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .documentation = "Test hook: the value of every number n with n % this == 0 is the JSON "
                      "object {\"value\": <text>} instead of a string (a ByteArrayConverter "
                      "rejects it). 0 = never."},
    {.name = "structured.json", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: the value of those records instead, as JsonConverter's "
                      "envelope {\"schema\": <Connect schema or null>, \"payload\": <value>} "
                      "(a change event a transform cannot handle, say). Empty = "
                      "{\"value\": <text>} without a schema."},
    {.name = "fail.when.file.exists", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: while this file exists, poll fails with \"failure requested: "
                      "<path> exists\". Empty = never."},
    {.name = "fail.after.records", .type = FERRY_CONFIG_LONG, .default_value = "-1",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = -1,
     .documentation = "Test hook: once the task has emitted this many records since it started, "
                      "poll fails. -1 = never."},
    {.name = "origin.header", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Test hook: the name of a header holding \"<pid>-<n>\" (the process and "
                      "the n-th task it started) on every record, whose timestamp is then the "
                      "wall-clock time of the poll. Empty = neither."},
    {.name = "task.partitions", .type = FERRY_CONFIG_LIST,
     .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Set by the connector in each task's config: the source partitions of the "
                      "task. Unset = all of them."},
    {.name = NULL},
};

static const ferry_connector_callbacks sequence_source_connector = {
    .start = sequence_connector_start,
    .task_configs = sequence_connector_task_configs,
    .stop = sequence_connector_stop,
};

static const ferry_source_task_callbacks sequence_source_task = {
    .start = sequence_task_start,
    .poll = sequence_task_poll,
    .commit = sequence_task_commit,
    .stop = sequence_task_stop,
};

const ferry_connector_type sequence_source_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SOURCE,
    .name = "SequenceSource",
    .aliases = (const char *const[]){"io.ferry.test.SequenceSourceConnector", NULL},
    .description = "Test source: numbered records per source partition, resumed exactly from "
                   "the committed offsets, with failure hooks.",
    .config = sequence_source_config,
    .connector = &sequence_source_connector,
    .source_task = &sequence_source_task,
    /* It resumes exactly from the offsets it reads back (transaction.boundary=poll). */
    .flags = FERRY_SOURCE_EXACTLY_ONCE,
};

/* The same source without the exactly-once declaration: what a plugin that cannot promise
 * exactly-once looks like to the worker's validation. */
const ferry_connector_type at_least_once_sequence_source_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SOURCE,
    .name = "AtLeastOnceSequenceSource",
    .description = "Test source: SequenceSource without the exactly-once declaration.",
    .config = sequence_source_config,
    .connector = &sequence_source_connector,
    .source_task = &sequence_source_task,
};
