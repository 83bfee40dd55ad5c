/*
 * sink_task.c - the thread of one sink task: consume in group connect-<name>, convert, put in
 * batches, flush, and commit only what flush says is durable; flush and commit before giving
 * partitions up (docs/runtime.md, "Sink path and its guarantee").
 */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "config/config_validate.h"
#include "support/clock.h"
#include "base/log.h"
#include "base/thread_role.h"
#include "plugin/plugin_context.h"
#include "config/connector_config.h"
#include "convert/converter.h"
#include "tasks/error_handler.h"
#include "kafka/kafka_client.h"
#include "kafka/kafka_config.h"
#include "tasks/retry_budget.h"
#include "tasks/sink_prefetch.h"
#include "tasks/task.h"
#include "tasks/task_setup.h"
#include "transforms/transform_chain.h"
#include "support/array.h"

#define SINK_BATCH_MAX 500
#define SINK_POLL_TIMEOUT_MS 100
#define SINK_LAG_REFRESH_MS 1000 /* how often the lag table (and its trend) is refreshed */
/* sink_fetcher_wake: how long to wait for the ListOffsets answer at most. The request wakes the
 * fetcher when it is sent; the answer tells nothing, and waiting a remote broker's round trip
 * would stall the task. */
#define SINK_WAKE_WAIT_MS 1

/* Where one assigned partition stands. */
typedef struct sink_position {
    char *topic;
    int32_t partition;
    int64_t next;      /* next offset to read: everything before it was put (or skipped) */
    int64_t committed; /* last committed next offset; -1 = none */
} sink_position;

typedef struct sink_batch {
    rd_kafka_message_t *messages[SINK_BATCH_MAX];
    size_t message_count;
    ferry_record records[SINK_BATCH_MAX];
    size_t record_message[SINK_BATCH_MAX]; /* index in messages of each record */
    size_t record_count;
    ferry_header *headers; /* for all records of the batch */
    size_t header_capacity;
    bool headers_collected; /* sink_batch_headers ran for this batch */
} sink_batch;

typedef struct sink_task {
    connector_task *task;
    const ferry_sink_task_callbacks *callbacks;
    void *plugin_state;
    bool plugin_started;
    ferry_context context;
    ferry_config *plugin_config;
    converter *key_converter;
    converter *value_converter;
    transform_chain *transforms; /* NULL without transforms */
    rd_kafka_t *consumer;
    rd_kafka_queue_t *queue; /* the consumer's queue, for batch reads */
    error_handler *errors;
    sink_position *positions;
    size_t position_count;
    size_t position_capacity;
    sink_batch batch;
    bool batch_pending; /* put asked for a retry; the batch waits */
    int64_t retry_at;   /* when the pending batch is put again */
    retry_budget put_retries;
    retry_budget flush_retries;
    const rd_kafka_topic_t *noted_topic; /* topic tracking: the topic last noted */
    unsigned noted_epoch;
    bool partitions_paused;
    sink_prefetch prefetch; /* when to wake librdkafka's fetcher */
    bool headers_on_demand; /* FERRY_SINK_HEADERS_ON_DEMAND and no transforms */
    char failure[1400];
    bool fenced; /* the worker was fenced: flush and commit nothing more, stop */
    uint64_t records_put;
} sink_task;

/* Whether the worker was fenced: from then on the partitions may be another worker's, whose
 * consumer reads them from the last committed offsets; this task flushes and commits nothing. */
static bool sink_fenced(sink_task *sink)
{
    if (!sink->fenced && task_fenced(sink->task))
        sink->fenced = true;
    return sink->fenced;
}

static void sink_task_fail(sink_task *sink, const char *message)
{
    if (!sink->failure[0])
        snprintf(sink->failure, sizeof(sink->failure), "%s", message);
}

/* ---- positions -------------------------------------------------------------------------- */

static sink_position *sink_position_find(sink_task *sink, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < sink->position_count; i++)
        if (sink->positions[i].partition == partition &&
            strcmp(sink->positions[i].topic, topic) == 0)
            return &sink->positions[i];
    return NULL;
}

static void sink_positions_add(sink_task *sink, const rd_kafka_topic_partition_list_t *list)
{
    for (int i = 0; i < list->cnt; i++) {
        if (sink_position_find(sink, list->elems[i].topic, list->elems[i].partition))
            continue;
        char *topic = strdup(list->elems[i].topic);
        if (!topic || array_reserve(&sink->positions, &sink->position_capacity,
                                    sink->position_count + 1, sizeof(*sink->positions)) != 0) {
            free(topic);
            sink_task_fail(sink, "out of memory tracking partitions");
            return;
        }
        sink->positions[sink->position_count++] = (sink_position){
            .topic = topic, .partition = list->elems[i].partition, .next = -1, .committed = -1};
    }
}

static void sink_positions_remove(sink_task *sink, const rd_kafka_topic_partition_list_t *list)
{
    for (int i = 0; i < list->cnt; i++) {
        sink_position *position = sink_position_find(sink, list->elems[i].topic,
                                                     list->elems[i].partition);
        if (!position)
            continue;
        free(position->topic);
        *position = sink->positions[--sink->position_count];
    }
}

/* The partitions as the plugin sees them (borrowed topic names). NULL list = all assigned. */
static ferry_topic_partition *sink_partitions(sink_task *sink,
                                              const rd_kafka_topic_partition_list_t *list,
                                              size_t *count)
{
    size_t n = list ? (size_t)list->cnt : sink->position_count;
    ferry_topic_partition *partitions = calloc(n ? n : 1, sizeof(*partitions));
    if (!partitions)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (list)
            partitions[i] = (ferry_topic_partition){list->elems[i].topic,
                                                    list->elems[i].partition, -1};
        else
            partitions[i] = (ferry_topic_partition){sink->positions[i].topic,
                                                    sink->positions[i].partition,
                                                    sink->positions[i].next};
    }
    *count = n;
    return partitions;
}

/* ---- metrics ---------------------------------------------------------------------------- */

/* The error handler's counts, for metrics. */
static void sink_metrics_errors(sink_task *sink)
{
    task_metrics *metrics = &sink->task->metrics;
    uint64_t failures = error_handler_failures(sink->errors);
    metric_store(&metrics->record_errors, failures);
    metric_store(&metrics->records_skipped,
                 error_handler_tolerates_all(sink->errors) ? failures : 0);
    metric_store(&metrics->dlq_records, error_handler_dlq_records(sink->errors));
}

/* Lag of each assigned partition from the consumer's cached high watermarks (no request). */
static void sink_metrics_lag(sink_task *sink)
{
    task_partition_lag lags[TASK_METRICS_MAX_LAG_PARTITIONS];
    int count = 0;
    for (size_t i = 0; i < sink->position_count && count < TASK_METRICS_MAX_LAG_PARTITIONS; i++) {
        const sink_position *position = &sink->positions[i];
        int64_t low = -1, high = -1;
        if (rd_kafka_get_watermark_offsets(sink->consumer, position->topic, position->partition,
                                           &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0)
            continue;
        task_partition_lag *lag = &lags[count++];
        snprintf(lag->topic, sizeof(lag->topic), "%s", position->topic);
        lag->partition = position->partition;
        int64_t next = position->next >= 0 ? position->next : position->committed;
        lag->lag = next >= 0 && high > next ? high - next : next >= 0 ? 0 : high - low;
    }
    task_metrics_lag_set(&sink->task->metrics, lags, count, clock_monotonic_us());
}

/* ---- flush and commit -------------------------------------------------------------------
 * Every offset.flush.interval.ms, before partitions are revoked and when the task stops, in two
 * halves. Collect: the partitions that moved since their last commit, and the plugin's flush of
 * them, which hands back what is durable (the dead-letter queue flushed too). Commit: what of
 * that may go to the consumer group, committed synchronously, and noted. */

/* Whether list names the position's partition. */
static bool sink_partition_listed(const rd_kafka_topic_partition_list_t *list,
                                  const sink_position *position)
{
    for (int i = 0; i < list->cnt; i++)
        if (list->elems[i].partition == position->partition &&
            strcmp(list->elems[i].topic, position->topic) == 0)
            return true;
    return false;
}

/* Collect, 1: the next offsets of the partitions that moved since their last commit, among only
 * (NULL = every assigned partition), in *offsets (NULL when none moved; the caller frees) and
 * *count. -1 when memory runs out. */
static int sink_collect_moved(sink_task *sink, const rd_kafka_topic_partition_list_t *only,
                              ferry_topic_partition **offsets, size_t *count)
{
    *offsets = NULL;
    *count = 0;
    for (size_t i = 0; i < sink->position_count; i++) {
        const sink_position *position = &sink->positions[i];
        if (position->next < 0 || position->next == position->committed ||
            (only && !sink_partition_listed(only, position)))
            continue;
        /* One allocation per flush, and none when nothing moved (an idle sink). */
        if (!*offsets && !(*offsets = malloc(sink->position_count * sizeof(**offsets))))
            return -1;
        (*offsets)[(*count)++] = (ferry_topic_partition){position->topic, position->partition,
                                                         position->next};
    }
    return 0;
}

/* flush asked for a retry: the offsets wait for the next flush, unless the run of retries
 * outlasted errors.retry.timeout, which fails the task. */
static void sink_collect_retry(sink_task *sink, const char *why)
{
    int64_t now = clock_monotonic_ms(), delay_ms;
    metric_add(&sink->task->metrics.retries, 1);
    if (!retry_budget_retry(&sink->flush_retries, now, &delay_ms)) {
        char trace[1300];
        sink_task_fail(sink, retry_budget_spent_trace(&sink->flush_retries, now, "flush", why,
                                                      trace, sizeof(trace)));
        return;
    }
    log_info(sink->task->scope, "flush asked to be retried: %s; offsets not committed yet",
             why[0] ? why : "(no message)");
}

/* Collect, 2: the plugin's flush of the offsets, which it may lower to what is durable, then
 * the dead-letter queue's. 0 when the offsets may be committed; -1 when not this time (flush
 * failed, which fails the task, or asked for a retry; the DLQ did not flush). */
static int sink_collect_flush(sink_task *sink, ferry_topic_partition *offsets, size_t count)
{
    char why[1024] = "";
    ASSERT_TASK_THREAD(sink->task);
    ferry_status status = sink->callbacks->flush(sink->plugin_state, offsets, count, why,
                                                 sizeof(why));
    if (status == FERRY_ERROR) {
        char trace[1200];
        snprintf(trace, sizeof(trace), "flush failed: %s", why[0] ? why : "(no message)");
        sink_task_fail(sink, trace);
        return -1;
    }
    if (status == FERRY_RETRY) {
        sink_collect_retry(sink, why);
        return -1;
    }
    retry_budget_reset(&sink->flush_retries);
    if (error_handler_flush(sink->errors,
                            (int)sink->task->environment->worker->offset_flush_timeout_ms, why,
                            sizeof(why)) != 0) {
        log_warn(sink->task->scope, "offsets not committed: dead-letter queue: %s", why);
        return -1;
    }
    return 0;
}

/* Commit, 1: what of the flushed offsets may be committed: a partition still assigned, an offset
 * flush kept or lowered (never raised above what was read), beyond the last commit. A new list. */
static rd_kafka_topic_partition_list_t *sink_commit_list(sink_task *sink,
                                                         const ferry_topic_partition *offsets,
                                                         size_t count)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)count);
    for (size_t i = 0; i < count; i++) {
        const sink_position *position = sink_position_find(sink, offsets[i].topic,
                                                           offsets[i].partition);
        if (!position || offsets[i].offset < 0 || offsets[i].offset > position->next ||
            offsets[i].offset <= position->committed)
            continue;
        rd_kafka_topic_partition_list_add(list, offsets[i].topic, offsets[i].partition)->offset =
            offsets[i].offset;
    }
    return list;
}

/* Commit, 2: commits the list to the consumer group, synchronously, then notes it: the
 * positions' committed offsets and the commit metrics. 0, or -1 (logged; the next flush tries
 * again). */
static int sink_commit_offsets(sink_task *sink, const rd_kafka_topic_partition_list_t *list,
                               uint64_t started_us)
{
    rd_kafka_resp_err_t code = list->cnt ? rd_kafka_commit(sink->consumer, list, 0)
                                         : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (code) {
        log_warn(sink->task->scope, "committing offsets failed, will retry: %s",
                 rd_kafka_err2str(code));
        return -1;
    }
    metric_add(&sink->task->metrics.offset_commit_success, 1);
    metric_summary_add(&sink->task->metrics.offset_commit_latency_us,
                       clock_monotonic_us() - started_us);
    for (int i = 0; i < list->cnt; i++) {
        sink_position *position = sink_position_find(sink, list->elems[i].topic,
                                                     list->elems[i].partition);
        if (position)
            position->committed = list->elems[i].offset;
    }
    return 0;
}

/* Flushes the plugin for the given partitions (NULL = all assigned) and commits, synchronously,
 * the offsets flush hands back: collect, then commit. Returns 0, or -1 when nothing could be
 * committed this time. */
static int sink_flush_and_commit(sink_task *sink, const rd_kafka_topic_partition_list_t *only)
{
    uint64_t started_us = clock_monotonic_us();
    ferry_topic_partition *offsets;
    size_t count;
    if (sink_fenced(sink))
        return -1;
    if (sink_collect_moved(sink, only, &offsets, &count) != 0)
        return -1;
    sink_metrics_lag(sink);
    if (count == 0)
        return 0;
    int rc = sink_collect_flush(sink, offsets, count);
    if (rc == 0 && sink_fenced(sink)) /* fenced during the flush */
        rc = -1;
    if (rc == 0) {
        rd_kafka_topic_partition_list_t *list = sink_commit_list(sink, offsets, count);
        rc = sink_commit_offsets(sink, list, started_us);
        rd_kafka_topic_partition_list_destroy(list);
    }
    if (rc != 0)
        metric_add(&sink->task->metrics.offset_commit_failure, 1);
    free(offsets);
    return rc;
}

/* ---- the batch -------------------------------------------------------------------------- */

static int sink_batch_headers(sink_task *sink);

static void sink_batch_release(sink_task *sink)
{
    sink_batch *batch = &sink->batch;
    for (size_t i = 0; i < batch->record_count; i++) {
        converter_data_release(&batch->records[i].key);
        converter_data_release(&batch->records[i].value);
    }
    for (size_t i = 0; i < batch->message_count; i++)
        rd_kafka_message_destroy(batch->messages[i]);
    transform_chain_release(sink->transforms);
    batch->record_count = 0;
    batch->message_count = 0;
    batch->headers_collected = false;
    sink->batch_pending = false;
}

/* Every message of the batch was handled (put or skipped): advance positions. */
static void sink_batch_advance(sink_task *sink)
{
    /* A batch holds runs of one partition: look a position up only when the partition changes. */
    const rd_kafka_topic_t *run_topic = NULL;
    int32_t run_partition = -1;
    sink_position *position = NULL;
    for (size_t i = 0; i < sink->batch.message_count; i++) {
        const rd_kafka_message_t *message = sink->batch.messages[i];
        if (message->rkt != run_topic || message->partition != run_partition) {
            run_topic = message->rkt;
            run_partition = message->partition;
            position = sink_position_find(sink, rd_kafka_topic_name(message->rkt),
                                          message->partition);
        }
        if (position && message->offset + 1 > position->next)
            position->next = message->offset + 1;
    }
}

static bool sink_record_failed(sink_task *sink, error_stage stage, const char *class_name,
                               const rd_kafka_message_t *message, const char *why)
{
    char trace[1024];
    rd_kafka_headers_t *headers = NULL;
    rd_kafka_message_headers(message, &headers);
    error_context context = {
        .stage = stage, .class_name = class_name, .message = why,
        .topic = rd_kafka_topic_name(message->rkt), .partition = message->partition,
        .offset = message->offset, .key = message->key, .key_len = message->key_len,
        .value = message->payload, .value_len = message->len, .headers = headers,
    };
    if (error_handler_report(sink->errors, &context, trace, sizeof(trace)))
        return true;
    sink_task_fail(sink, trace);
    return false;
}

/* The message of the current batch a plugin's record came from: the record itself when it points
 * into the batch, else the batch message with the same topic, partition and offset. */
static const rd_kafka_message_t *sink_batch_message_of(const sink_task *sink,
                                                       const ferry_record *record)
{
    const sink_batch *batch = &sink->batch;
    if (record >= batch->records && record < batch->records + batch->record_count)
        return batch->messages[batch->record_message[record - batch->records]];
    for (size_t i = 0; i < batch->message_count; i++) {
        const rd_kafka_message_t *message = batch->messages[i];
        if (message->offset == record->kafka_offset && message->partition == record->partition &&
            record->topic && strcmp(rd_kafka_topic_name(message->rkt), record->topic) == 0)
            return message;
    }
    return NULL;
}

/* host->record_error_report from a sink plugin (during put, or later for a record it kept): the
 * Kafka message as consumed when it is still in the batch, else what the plugin handed back. */
static ferry_status sink_record_error_report(void *owner, const ferry_record *record,
                                             const char *message)
{
    sink_task *sink = owner;
    const char *class_name = sink->task->type->type->name;
    if (!record) {
        char trace[1024];
        snprintf(trace, sizeof(trace), "%s reported a bad record without the record: %s",
                 class_name, message);
        sink_task_fail(sink, trace);
        return FERRY_ERROR;
    }
    const rd_kafka_message_t *consumed = sink_batch_message_of(sink, record);
    if (consumed)
        return sink_record_failed(sink, ERROR_STAGE_TASK_PUT, class_name, consumed, message)
                   ? FERRY_OK : FERRY_ERROR;
    char trace[1024];
    error_context context = {
        .stage = ERROR_STAGE_TASK_PUT, .class_name = class_name, .message = message,
        .topic = record->topic ? record->topic : "", .partition = record->partition,
        .offset = record->kafka_offset,
    };
    converter_data_raw(&record->key, &context.key, &context.key_len);
    converter_data_raw(&record->value, &context.value, &context.value_len);
    if (error_handler_report(sink->errors, &context, trace, sizeof(trace)))
        return FERRY_OK;
    sink_task_fail(sink, trace);
    return FERRY_ERROR;
}

/* host->record_headers: a record of the batch being put, with headers on demand, gets the
 * batch's headers collected first. */
static const ferry_header *sink_record_headers(void *owner, const ferry_record *record,
                                               size_t *count)
{
    sink_task *sink = owner;
    sink_batch *batch = &sink->batch;
    if (sink->headers_on_demand && !batch->headers_collected &&
        record >= batch->records && record < batch->records + batch->record_count &&
        sink_batch_headers(sink) != 0)
        sink_task_fail(sink, "out of memory collecting record headers");
    *count = record->header_count;
    return record->header_count ? record->headers : NULL;
}

static void sink_status_problem(void *owner, const char *message)
{
    sink_task *sink = owner;
    task_problem_set(sink->task, message);
}

static void sink_metric_set(void *owner, const char *name, double value)
{
    sink_task *sink = owner;
    task_metrics_gauge_set(&sink->task->metrics, name, value);
}

static const plugin_context_ops sink_context_ops = {
    .record_error_report = sink_record_error_report,
    .metric_set = sink_metric_set,
    .status_problem = sink_status_problem,
    .record_headers = sink_record_headers,
};

/* Converts one message into the next record of the batch; a record the converters reject goes
 * to the error handler. */
static void sink_batch_convert(sink_task *sink, rd_kafka_message_t *message)
{
    sink_batch *batch = &sink->batch;
    const char *topic = rd_kafka_topic_name(message->rkt);
    ferry_record *record = &batch->records[batch->record_count];
    char why[512];
    *record = (ferry_record){.topic = topic, .partition = message->partition,
                             .kafka_offset = message->offset};
    rd_kafka_timestamp_type_t timestamp_type;
    record->timestamp_ms = rd_kafka_message_timestamp(message, &timestamp_type);
    if (converter_deserialize(sink->key_converter, topic, message->key, message->key_len,
                              &record->key, why, sizeof(why)) != 0) {
        sink_record_failed(sink, ERROR_STAGE_KEY_CONVERTER,
                           converter_class_name(sink->key_converter), message, why);
        return;
    }
    if (converter_deserialize(sink->value_converter, topic, message->payload, message->len,
                              &record->value, why, sizeof(why)) != 0) {
        converter_data_release(&record->key);
        sink_record_failed(sink, ERROR_STAGE_VALUE_CONVERTER,
                           converter_class_name(sink->value_converter), message, why);
        return;
    }
    batch->record_message[batch->record_count++] = batch->message_count - 1;
}

/* A transform may leave a null that keeps its schema (Debezium's tombstone mode): a sink gets
 * it as the null it is, as Kafka Connect hands a sink a record whose value() is null. */
static void sink_data_null_normalize(ferry_data *data)
{
    if (data->kind == FERRY_DATA_JSON && data->json && json_is_null(data->json)) {
        converter_data_release(data);
        data->kind = FERRY_DATA_NULL;
    }
}

/* Applies the transforms to the converted records: a dropped record leaves the batch (its
 * message stays, so the offset moves past it), a failing one goes to the error handler. */
static void sink_batch_transform(sink_task *sink)
{
    sink_batch *batch = &sink->batch;
    size_t kept = 0;
    for (size_t i = 0; i < batch->record_count; i++) {
        ferry_record *record = &batch->records[i];
        const char *failed_type = "transform";
        char why[768];
        transform_result result = sink->failure[0]
                                      ? TRANSFORM_DROP
                                      : transform_chain_apply(sink->transforms, record,
                                                              &failed_type, why, sizeof(why));
        if (result == TRANSFORM_FAIL)
            sink_record_failed(sink, ERROR_STAGE_TRANSFORMATION, failed_type,
                               batch->messages[batch->record_message[i]], why);
        if (result != TRANSFORM_KEEP) {
            converter_data_release(&record->key);
            converter_data_release(&record->value);
            continue;
        }
        sink_data_null_normalize(&record->key);
        sink_data_null_normalize(&record->value);
        if (kept != i) {
            batch->records[kept] = *record;
            batch->record_message[kept] = batch->record_message[i];
        }
        kept++;
    }
    batch->record_count = kept;
}

/* Collects the headers of the batch's records from their messages: the arrays point into one
 * buffer per batch, filled once every record is counted because the buffer may move while it
 * grows. Runs for every batch before the transforms, except for a sink with headers on demand:
 * then on its first host->record_headers call (librdkafka allocates for every message asked for
 * its headers), after a chain that only appends headers; a record's own headers come first, then
 * those the chain appended, as Kafka Connect's Headers.add leaves them. */
static int sink_batch_headers(sink_task *sink)
{
    sink_batch *batch = &sink->batch;
    batch->headers_collected = true;
    size_t total = 0;
    for (size_t i = 0; i < batch->record_count; i++) {
        rd_kafka_headers_t *own = NULL;
        if (rd_kafka_message_headers(batch->messages[batch->record_message[i]], &own) ==
                RD_KAFKA_RESP_ERR_NO_ERROR && own)
            total += rd_kafka_header_cnt(own);
        total += batch->records[i].header_count;
    }
    if (total == 0)
        return 0;
    if (array_reserve(&batch->headers, &batch->header_capacity, total,
                      sizeof(*batch->headers)) != 0)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < batch->record_count; i++) {
        ferry_record *record = &batch->records[i];
        rd_kafka_headers_t *own = NULL;
        size_t own_count =
            rd_kafka_message_headers(batch->messages[batch->record_message[i]], &own) ==
                        RD_KAFKA_RESP_ERR_NO_ERROR && own
                ? rd_kafka_header_cnt(own)
                : 0;
        if (own_count + record->header_count == 0)
            continue;
        ferry_header *merged = &batch->headers[used];
        for (size_t h = 0; h < own_count; h++) {
            const char *name;
            const void *value;
            size_t size;
            rd_kafka_header_get_all(own, h, &name, &value, &size);
            merged[h] = (ferry_header){name, value, size};
        }
        if (record->header_count)
            memcpy(&merged[own_count], record->headers,
                   record->header_count * sizeof(*merged));
        record->headers = merged;
        record->header_count += own_count;
        used += record->header_count;
    }
    return 0;
}

/* Wakes the broker threads of the assigned partitions' leaders when sink_prefetch says the fetcher
 * sleeps with room in the prefetch queue (sink_prefetch.h): a ListOffsets request for them is an
 * op on those threads, which then decide to fetch at once. */
static void sink_fetcher_wake(sink_task *sink)
{
    if (sink->position_count == 0 ||
        !sink_prefetch_wake(&sink->prefetch, rd_kafka_queue_length(sink->queue),
                            clock_monotonic_ms()))
        return;
    rd_kafka_topic_partition_list_t *list =
        rd_kafka_topic_partition_list_new((int)sink->position_count);
    for (size_t i = 0; i < sink->position_count; i++)
        rd_kafka_topic_partition_list_add(list, sink->positions[i].topic,
                                          sink->positions[i].partition)->offset =
            RD_KAFKA_OFFSET_END; /* "the latest offset": nothing is read or changed */
    rd_kafka_offsets_for_times(sink->consumer, list, SINK_WAKE_WAIT_MS);
    rd_kafka_topic_partition_list_destroy(list);
}

/* Reads up to a batch of messages: waits for the first, takes what is already there after. */
static void sink_batch_fill(sink_task *sink)
{
    sink_batch *batch = &sink->batch;
    /* The first message waits (and serves rebalances); the rest of the batch is taken in one
     * call from what librdkafka has already fetched, without a lock round per message. */
    sink_fetcher_wake(sink); /* before waiting: what is fetched may be all but read */
    rd_kafka_message_t *first = rd_kafka_consumer_poll(sink->consumer, SINK_POLL_TIMEOUT_MS);
    if (!first)
        return;
    rd_kafka_message_t *fetched[SINK_BATCH_MAX];
    fetched[0] = first;
    ssize_t more = rd_kafka_consume_batch_queue(sink->queue, 0, fetched + 1,
                                                SINK_BATCH_MAX - 1);
    size_t count = 1 + (more > 0 ? (size_t)more : 0);
    size_t value_bytes = 0;
    for (size_t i = 0; i < count; i++)
        value_bytes += fetched[i]->err ? 0 : fetched[i]->len;
    sink_prefetch_read(&sink->prefetch, count, value_bytes, clock_monotonic_ms());
    sink_fetcher_wake(sink);
    for (size_t i = 0; i < count; i++) {
        rd_kafka_message_t *message = fetched[i];
        if (message->err) {
            char cause[1024];
            /* Authorization (topic or group), TLS, authentication: the task fails; other
             * errors are librdkafka's to retry. */
            if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF &&
                kafka_client_report(sink->consumer, message->err,
                                    rd_kafka_message_errstr(message),
                                    message->rkt ? rd_kafka_topic_name(message->rkt) : NULL,
                                    cause, sizeof(cause)))
                sink_task_fail(sink, cause);
            rd_kafka_message_destroy(message);
            continue;
        }
        batch->messages[batch->message_count++] = message;
        if (message->rkt != sink->noted_topic ||
            sink->noted_epoch != atomic_load_explicit(&sink->task->topics_epoch,
                                                      memory_order_relaxed)) {
            sink->noted_topic = message->rkt;
            sink->noted_epoch = atomic_load(&sink->task->topics_epoch);
            task_topic_note(sink->task, rd_kafka_topic_name(message->rkt));
        }
        if (!sink->failure[0])
            sink_batch_convert(sink, message);
    }
    metric_add(&sink->task->metrics.records_read, batch->message_count);
    if (!sink->headers_on_demand && sink_batch_headers(sink) != 0)
        sink_task_fail(sink, "out of memory collecting record headers");
    else if (sink->transforms)
        sink_batch_transform(sink);
}

/* A message fetched before its partition paused must not be lost: put the partition's position
 * back to it so that it is read again after the pause. */
static void sink_message_rewind(sink_task *sink, rd_kafka_message_t *message)
{
    if (!message->err) {
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, rd_kafka_topic_name(message->rkt),
                                          message->partition)->offset = message->offset;
        rd_kafka_error_t *error = rd_kafka_seek_partitions(sink->consumer, list, 5000);
        if (error) {
            char trace[512];
            snprintf(trace, sizeof(trace), "cannot rewind %s [%d] to offset %lld: %s",
                     rd_kafka_topic_name(message->rkt), (int)message->partition,
                     (long long)message->offset, rd_kafka_error_string(error));
            sink_task_fail(sink, trace);
            rd_kafka_error_destroy(error);
        }
        rd_kafka_topic_partition_list_destroy(list);
    }
    rd_kafka_message_destroy(message);
}

static void sink_partitions_pause(sink_task *sink, bool paused)
{
    if (sink->partitions_paused == paused)
        return;
    rd_kafka_topic_partition_list_t *assignment = NULL;
    if (rd_kafka_assignment(sink->consumer, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (paused)
            rd_kafka_pause_partitions(sink->consumer, assignment);
        else
            rd_kafka_resume_partitions(sink->consumer, assignment);
        rd_kafka_topic_partition_list_destroy(assignment);
    }
    sink->partitions_paused = paused;
}

/* ---- rebalances ------------------------------------------------------------------------- */

static void sink_rebalance(rd_kafka_t *consumer, rd_kafka_resp_err_t code,
                           rd_kafka_topic_partition_list_t *partitions, void *opaque)
{
    sink_task *sink = opaque;
    ASSERT_TASK_THREAD(sink->task); /* served by rd_kafka_consumer_poll on the task's thread */
    char why[512] = "";
    size_t count = 0;
    ferry_topic_partition *list = sink_partitions(sink, partitions, &count);
    if (code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(consumer, partitions);
        sink_positions_add(sink, partitions);
        /* New partitions arrive resumed; keep them paused if the task is. */
        if (sink->partitions_paused) {
            sink->partitions_paused = false;
            sink_partitions_pause(sink, true);
        }
        log_info(sink->task->scope, "assigned %d partitions", partitions->cnt);
        if (sink->callbacks->open && list &&
            sink->callbacks->open(sink->plugin_state, list, count, why, sizeof(why)) ==
                FERRY_ERROR) {
            char trace[700];
            snprintf(trace, sizeof(trace), "open failed: %s", why);
            sink_task_fail(sink, trace);
        }
    } else {
        /* Put what is durable behind the offsets before another task takes the partitions. */
        if (!sink->failure[0])
            sink_flush_and_commit(sink, partitions);
        if (sink->callbacks->close && list)
            sink->callbacks->close(sink->plugin_state, list, count, why, sizeof(why));
        if (sink->batch_pending) /* its new owner reads it again from the committed offset */
            sink_batch_release(sink);
        sink_positions_remove(sink, partitions);
        rd_kafka_assign(consumer, NULL);
        log_info(sink->task->scope, "revoked %d partitions", partitions->cnt);
    }
    free(list);
}

/* ---- set-up and tear-down --------------------------------------------------------------- */

static int sink_subscribe(sink_task *sink, char *err, size_t errlen)
{
    const char *regex = config_map_get(sink->task->config, "topics.regex");
    const char *topics = config_map_get(sink->task->config, "topics");
    rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(4);
    if (regex && *regex) {
        /* librdkafka subscribes by pattern when the name starts with ^. */
        char *pattern = NULL;
        if (asprintf(&pattern, "%s%s", regex[0] == '^' ? "" : "^", regex) < 0) {
            rd_kafka_topic_partition_list_destroy(subscription);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
        rd_kafka_topic_partition_list_add(subscription, pattern, RD_KAFKA_PARTITION_UA);
        free(pattern);
    } else {
        char **names = config_value_split_list(topics ? topics : "");
        for (size_t i = 0; names && names[i]; i++)
            rd_kafka_topic_partition_list_add(subscription, names[i], RD_KAFKA_PARTITION_UA);
        config_list_free(names);
    }
    rd_kafka_resp_err_t code = subscription->cnt
                                   ? rd_kafka_subscribe(sink->consumer, subscription)
                                   : RD_KAFKA_RESP_ERR__INVALID_ARG;
    rd_kafka_topic_partition_list_destroy(subscription);
    if (code)
        return ferry_error_set(err, errlen, "cannot subscribe to topics='%s' topics.regex='%s': "
                               "%s", topics ? topics : "", regex ? regex : "",
                               rd_kafka_err2str(code)), -1;
    return 0;
}

/* An integer setting of the consumer as librdkafka holds it; -1 when it cannot be read. */
static int64_t sink_consumer_setting(rd_kafka_t *consumer, const char *name)
{
    char value[64];
    size_t size = sizeof(value);
    if (rd_kafka_conf_get(rd_kafka_conf(consumer), name, value, &size) != RD_KAFKA_CONF_OK)
        return -1;
    char *end;
    long long number = strtoll(value, &end, 10);
    return end != value && *end == '\0' ? (int64_t)number : -1;
}

static int sink_task_setup(sink_task *sink, char *err, size_t errlen)
{
    connector_task *task = sink->task;
    const worker_config *worker = task->environment->worker;
    if (task_converters_create(task, &sink->key_converter, &sink->value_converter, err,
                               errlen) != 0 ||
        transform_chain_create(task->config, task->scope, TRANSFORM_SIDE_SINK, &sink->transforms,
                               err, errlen) != 0)
        return -1;
    /* A chain that reads, removes or changes headers needs them before it runs; otherwise (no
     * header work, or only appending) a sink that asks for headers on demand still gets them
     * so. */
    sink->headers_on_demand =
        (connector_type_flags(task->type->type) & FERRY_SINK_HEADERS_ON_DEMAND) &&
        !(transform_chain_needs(sink->transforms) & TRANSFORM_NEEDS_HEADERS);
    /* A sink that forwards JSON text needs no tree: a transform that reads the value parses it
     * (once for the whole chain), the others leave the text as it came. */
    if ((connector_type_flags(task->type->type) & FERRY_SINK_JSON_TEXT) &&
        converter_json_text_enable(sink->value_converter))
        log_info(task->scope, "JsonConverter values are checked and handed to the sink as "
                  "text (no transforms, schemas.enable=false)");

    sink->errors = task_error_handler_create(task, err, errlen);
    if (!sink->errors)
        return -1;

    char group[512];
    connector_sink_group(task->config, task->connector, group, sizeof(group));
    char name[200];
    snprintf(name, sizeof(name), "%s consumer", task->scope + 5);
    kafka_client_spec spec = {.scope = task->scope, .name = name, .role = KAFKA_CLIENT_CONSUMER,
                              .worker = worker, .task_client = true};
    rd_kafka_conf_t *conf = kafka_client_config(worker, KAFKA_CLIENT_CONSUMER, task->config,
                                                task->scope + 5, &spec, err, errlen);
    if (!conf)
        return -1;
    /* Kafka Connect's sink consumer settings: its group and manual commits, which the user's
     * consumer.* cannot change (kafka_config_build gave it the other defaults of sinks). */
    if (kafka_config_set(conf, "group.id", group, err, errlen) ||
        kafka_config_set(conf, "enable.auto.commit", "false", err, errlen) ||
        kafka_config_set(conf, "enable.auto.offset.store", "false", err, errlen))
        goto conf_error;
    rd_kafka_conf_set_rebalance_cb(conf, sink_rebalance);
    rd_kafka_conf_set_opaque(conf, sink);

    const ferry_config_key *defs[3];
    size_t ndefs = connector_config_definitions(task->type->type, defs);
    sink->plugin_config = ferry_config_new(task->config, defs, ndefs);
    if (!sink->plugin_config) {
        ferry_error_set(err, errlen, "out of memory");
        goto conf_error;
    }
    int64_t retry_timeout = ferry_config_int(sink->plugin_config, "errors.retry.timeout");
    int64_t retry_delay_max = ferry_config_int(sink->plugin_config, "errors.retry.delay.max.ms");
    retry_budget_init(&sink->put_retries, retry_timeout, retry_delay_max);
    retry_budget_init(&sink->flush_retries, retry_timeout, retry_delay_max);
    plugin_context_init(&sink->context, task->scope, &sink_context_ops, sink);
    char plugin_err[512] = "";
    ASSERT_TASK_THREAD(task);
    if (sink->callbacks->start(&sink->context, sink->plugin_config, &sink->plugin_state,
                               plugin_err, sizeof(plugin_err)) != FERRY_OK) {
        ferry_error_set(err, errlen, "the task's start failed: %s",
                        plugin_err[0] ? plugin_err : "(no message)");
        goto conf_error;
    }
    sink->plugin_started = true;

    char why[512];
    sink->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (!sink->consumer) {
        ferry_error_set(err, errlen, "cannot create the consumer: %s", why);
        goto conf_error;
    }
    rd_kafka_poll_set_consumer(sink->consumer);
    sink->queue = rd_kafka_queue_get_consumer(sink->consumer);
    sink_prefetch_init(&sink->prefetch, rd_kafka_version() < KAFKA_LIBRDKAFKA_QUEUE_BACKOFF,
                       sink_consumer_setting(sink->consumer, "queued.max.messages.kbytes"),
                       sink_consumer_setting(sink->consumer, "queued.min.messages"));
    return sink_subscribe(sink, err, errlen);
conf_error:
    rd_kafka_conf_destroy(conf);
    return -1;
}

static void sink_task_teardown(sink_task *sink)
{
    if (sink->consumer) {
        if (!sink->failure[0])
            sink_flush_and_commit(sink, NULL);
        /* Release the batch whether pending or not: a task that failed mid-batch still holds
         * its messages, and rd_kafka_destroy() waits for every message of its consumer. */
        sink_batch_release(sink);
        /* close() revokes the assignment: the rebalance callback commits again (nothing left)
         * and calls the plugin's close. */
        rd_kafka_consumer_close(sink->consumer);
        if (sink->queue)
            rd_kafka_queue_destroy(sink->queue);
        rd_kafka_destroy(sink->consumer);
    }
    sink_batch_release(sink);
    ASSERT_TASK_THREAD(sink->task);
    if (sink->plugin_started)
        sink->callbacks->stop(sink->plugin_state);
    error_handler_destroy(sink->errors);
    converter_destroy(sink->key_converter);
    converter_destroy(sink->value_converter);
    transform_chain_destroy(sink->transforms);
    ferry_config_destroy(sink->plugin_config);
    for (size_t i = 0; i < sink->position_count; i++)
        free(sink->positions[i].topic);
    free(sink->positions);
    free(sink->batch.headers);
}

/* Puts the batch; on RETRY it stays pending and the partitions pause until the next try. */
static void sink_batch_put(sink_task *sink)
{
    char why[1024] = "";
    ferry_status status = FERRY_OK;
    task_metrics *metrics = &sink->task->metrics;
    /* The process may have been stopped in the consumer's poll and woken fenced: the partitions
     * are another worker's now, which reads this batch again from the committed offsets. */
    if (sink_fenced(sink))
        return;
    if (sink->batch.record_count > 0) {
        uint64_t started_us = clock_monotonic_us();
        ASSERT_TASK_THREAD(sink->task);
        status = sink->callbacks->put(sink->plugin_state, sink->batch.records,
                                      sink->batch.record_count, why, sizeof(why));
        metric_summary_add(&metrics->put_latency_us, clock_monotonic_us() - started_us);
    }
    sink_metrics_errors(sink);
    if (status == FERRY_OK) {
        metric_add(&metrics->records_put, sink->batch.record_count);
        metric_summary_add(&metrics->put_batch_records, sink->batch.record_count);
        sink->records_put += sink->batch.record_count;
        sink_batch_advance(sink);
        sink_batch_release(sink);
        retry_budget_reset(&sink->put_retries);
        return;
    }
    char trace[1300];
    if (status == FERRY_ERROR) {
        snprintf(trace, sizeof(trace), "put failed: %s", why[0] ? why : "(no message)");
        sink_task_fail(sink, trace);
        return;
    }
    int64_t now = clock_monotonic_ms(), delay_ms;
    metric_add(&metrics->retries, 1);
    if (!retry_budget_retry(&sink->put_retries, now, &delay_ms)) {
        sink_task_fail(sink, retry_budget_spent_trace(&sink->put_retries, now, "put", why, trace,
                                                      sizeof(trace)));
        return;
    }
    sink->retry_at = now + delay_ms;
    sink->batch_pending = true;
    log_info(sink->task->scope, "put asked for a retry (%s); the same %zu records again in "
             "%lld ms", why[0] ? why : "no message", sink->batch.record_count,
             (long long)delay_ms);
}

/* Whether the consumer or the dead-letter queue's producer met a fatal error (failed
 * authentication, TLS, authorization): the task fails with it. */
static bool sink_clients_failed(sink_task *sink)
{
    char cause[1100];
    if (!kafka_client_failed(sink->consumer, cause, sizeof(cause)) &&
        !error_handler_failed(sink->errors, cause, sizeof(cause)))
        return false;
    sink_task_fail(sink, cause);
    return true;
}

void *sink_task_main(void *argument)
{
    connector_task *task = argument;
    sink_task *sink = calloc(1, sizeof(*sink)); /* the batch is large: not on the stack */
    const worker_config *worker = task->environment->worker;
    char err[1024] = "";
    thread_role_set(THREAD_ROLE_TASK, task, task->scope);
    if (!sink) {
        task_report(task, STATE_FAILED, "out of memory");
        goto exited;
    }
    sink->task = task;
    sink->callbacks = task->type->type->sink_task;
    if (sink_task_setup(sink, err, sizeof(err)) != 0) {
        log_error(task->scope, "failed to start: %s", err);
        sink_task_fail(sink, err);
        goto done;
    }
    log_info(task->scope, "running");
    task_report(task, STATE_RUNNING, NULL);
    bool paused = false;
    int64_t next_flush = clock_monotonic_ms() + worker->offset_flush_interval_ms;
    int64_t next_lag = clock_monotonic_ms() + SINK_LAG_REFRESH_MS;
    while (!sink->failure[0]) {
        /* The fence is read after the stop request: a worker fences before it stops its tasks,
         * so a task stopped for a fence always knows it (and says so). */
        bool stopping = atomic_load(&task->stop_requested);
        if (sink_fenced(sink)) {
            log_warn(task->scope, "the worker was fenced: stopping without committing offsets");
            break;
        }
        if (stopping)
            break;
        error_handler_poll(sink->errors);
        if (sink_clients_failed(sink))
            break;
        if (atomic_load(&task->pause_requested) != paused) {
            paused = !paused;
            task_report(task, paused ? STATE_PAUSED : STATE_RUNNING, NULL);
        }
        bool waiting = sink->batch_pending && clock_monotonic_ms() < sink->retry_at;
        sink_partitions_pause(sink, paused || sink->batch_pending);
        if (paused || waiting) {
            /* Stay in the group: polling a paused consumer serves rebalances, reads nothing. */
            rd_kafka_message_t *message = rd_kafka_consumer_poll(sink->consumer,
                                                                 SINK_POLL_TIMEOUT_MS);
            if (message)
                sink_message_rewind(sink, message);
        } else if (sink->batch_pending) {
            sink_batch_put(sink);
        } else {
            sink_batch_fill(sink);
            if (!sink->failure[0] && sink->batch.message_count > 0)
                sink_batch_put(sink);
        }
        if (clock_monotonic_ms() >= next_flush && !sink->failure[0]) {
            sink_flush_and_commit(sink, NULL);
            next_flush = clock_monotonic_ms() + worker->offset_flush_interval_ms;
        }
        /* Lag between flushes too, so its trend has samples: cached watermarks, no request. */
        if (clock_monotonic_ms() >= next_lag) {
            sink_metrics_lag(sink);
            next_lag = clock_monotonic_ms() + SINK_LAG_REFRESH_MS;
        }
    }
done:
    sink_task_teardown(sink);
    if (sink->failure[0] && !sink->fenced) {
        log_error(task->scope, "failed: %s", sink->failure);
        task_report(task, STATE_FAILED, sink->failure);
    } else {
        log_info(task->scope, "stopped after %llu records",
                 (unsigned long long)sink->records_put);
        task_report(task, STATE_UNASSIGNED, NULL);
    }
    free(sink);
exited:
    pthread_mutex_lock(&task->mutex);
    task->exited = true;
    pthread_mutex_unlock(&task->mutex);
    return NULL;
}
