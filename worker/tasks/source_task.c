/*
 * source_task.c - the thread of one source task: poll the plugin, convert, produce with an
 * idempotent producer, track acknowledgements, commit offsets only behind them (docs/runtime.md,
 * "Source path and its guarantee").
 */
#include <inttypes.h>
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
#include "tasks/retry_budget.h"
#include "kafka/kafka_client.h"
#include "kafka/kafka_config.h"
#include "tasks/record_limit.h"
#include "tasks/source_offset_tracker.h"
#include "tasks/source_staging.h"
#include "tasks/source_transaction.h"
#include "tasks/task.h"
#include "tasks/task_setup.h"
#include "tasks/topic_creation.h"
#include "transforms/transform_chain.h"
#include "support/array.h"
#include "support/strlist.h"

/* How long one plugin poll may take before the task checks for stop, pause and commits. */
#define SOURCE_POLL_TIMEOUT_MS 100
/* Exactly-once: how many transactions in a row Kafka may abort before the task fails (a record
 * the broker refuses every time would otherwise be emitted again forever). */
#define SOURCE_REWINDS_MAX 5
/* Exactly-once: the least a transaction's commit may wait for Kafka (it delivers the
 * transaction's records first); offset.flush.timeout.ms when longer. */
#define SOURCE_COMMIT_TIMEOUT_MIN_MS 30000
/* Exactly-once, poll and interval boundaries: the most bytes of records the task stages while a
 * closed transaction is being delivered; past it the task commits, waiting for Kafka. */
#define SOURCE_STAGING_MAX_BYTES (16 * 1024 * 1024)
/* Exactly-once: every how many records a poll looks whether the closed transaction's commit
 * ended. */
#define SOURCE_CLOSED_CHECK_RECORDS 256
/* Exactly-once: how long one plugin poll may take while a closed transaction commits (the task
 * takes the outcome as soon as the commit ended). */
#define SOURCE_CLOSING_POLL_TIMEOUT_MS 5
/* How long the creation of a new topic may take (Kafka Connect's admin default is a minute). */
#define SOURCE_TOPIC_CREATION_TIMEOUT_MS 30000
/* How long the task waits for the metadata of a topic it produces to for the first time: no
 * longer than librdkafka's own refresh of an unknown topic, which a silent broker leaves it to. */
#define SOURCE_TOPIC_WARM_TIMEOUT_MS 1000

typedef struct source_task {
    connector_task *task;
    const ferry_source_task_callbacks *callbacks;
    void *plugin_state;
    bool plugin_started;
    ferry_context context;
    ferry_config *plugin_config;
    converter *key_converter;
    converter *value_converter;
    transform_chain *transforms; /* NULL without transforms */
    strbuf key_buffer;
    strbuf value_buffer;
    rd_kafka_t *producer;
    record_limit_cache *limits; /* what each topic the plugin asked about takes */
    source_offset_tracker *tracker;
    error_handler *errors;
    topic_creation *topic_creation; /* NULL: the connector creates no topics */
    /* The latest offset per source partition emitted during the current poll (own references):
     * registered behind the poll's records when it returns, so the tracker handles one mark
     * per partition and poll instead of one per record. */
    ferry_source_offset *pending_offsets;
    size_t pending_count;
    size_t pending_capacity;
    char failure[1400];   /* set when the task must fail: the trace */
    bool queue_full;      /* the producer refused a record for room: serve reports, then poll */
    bool fenced;          /* the worker was fenced: commit nothing, write no offsets, stop */
    bool client_failed; /* its producer met a fatal error: no delivery report counts */
    retry_budget poll_retries;
    char *noted_topic;          /* the topic last noted for topic tracking */
    strlist topics_warmed;      /* topics whose metadata source_topic_warm fetched */
    unsigned noted_epoch;
    uint64_t records_emitted;
    /* Exactly-once (source_transaction.h): NULL when the worker runs at-least-once sources.
     * Then pending_offsets hold the open transaction's offsets until it commits. */
    source_transaction *transaction;
    bool rewind;          /* Kafka aborted a transaction: restart the plugin from the offsets */
    int rewinds;          /* transactions aborted by Kafka since the last commit */
    /* Boundaries poll and interval: a due transaction closes (no record joins it any more) and
     * commits in the background; meanwhile the task keeps polling and stages what it converts,
     * with those polls' offsets in pending_offsets, for the next transaction. */
    bool closing;
    uint64_t closed_records; /* records produced while closed, for source_transaction_closed_check */
    uint64_t commit_started_us; /* when the closed transaction's background commit started */
    ferry_source_offset *closing_offsets; /* the closed transaction's offsets (own references) */
    size_t closing_count;
    size_t closing_capacity;
    source_staging *staging;
} source_task;

static void source_task_fail(source_task *source, const char *message)
{
    if (!source->failure[0])
        snprintf(source->failure, sizeof(source->failure), "%s", message);
}

/* ---- services the plugin calls through its context ------------------------------------- */

static json_t *source_offset_read(void *owner, json_t *source_partition)
{
    source_task *source = owner;
    if (!json_is_object(source_partition))
        return NULL;
    if (source->transaction)
        return source_transaction_offset(source->transaction, source_partition);
    return offset_store_get(source->task->environment->offsets, source->task->connector,
                            source_partition);
}

/* A record the runtime could not deliver: the error handler decides; a tolerated record counts
 * as handled so that offsets move past it. */
static bool source_record_failed(source_task *source, error_stage stage, const char *class_name,
                                 const ferry_record *record, const void *key, size_t key_len,
                                 const void *value, size_t value_len, const char *message)
{
    char trace[1024];
    error_context context = {
        .stage = stage, .class_name = class_name, .message = message,
        .topic = record && record->topic ? record->topic : "", .partition = -1, .offset = -1,
        .key = key, .key_len = key_len, .value = value, .value_len = value_len,
    };
    if (error_handler_report(source->errors, &context, trace, sizeof(trace)))
        return true;
    source_task_fail(source, trace);
    return false;
}

/* Remembers a record's offset as its partition's latest of this poll. */
static int source_offset_pending_set(source_task *source, json_t *partition, json_t *offset)
{
    if (!offset)
        return 0;
    for (size_t i = 0; i < source->pending_count; i++) {
        ferry_source_offset *entry = &source->pending_offsets[i];
        /* Plugins usually reuse one partition object: compare pointers before values. */
        if (entry->partition == partition || json_equal(entry->partition, partition)) {
            json_decref(entry->offset);
            entry->offset = json_incref(offset);
            return 0;
        }
    }
    if (array_reserve(&source->pending_offsets, &source->pending_capacity,
                      source->pending_count + 1, sizeof(*source->pending_offsets)) != 0)
        return -1;
    source->pending_offsets[source->pending_count++] =
        (ferry_source_offset){json_incref(partition), json_incref(offset)};
    return 0;
}

/* After a poll: each partition's latest offset becomes a mark behind every record emitted so
 * far, acknowledged at once, so it is committable exactly when all those records are. */
static void source_offset_pending_register(source_task *source)
{
    for (size_t i = 0; i < source->pending_count; i++) {
        ferry_source_offset *entry = &source->pending_offsets[i];
        uint64_t sequence;
        if (source_offset_tracker_add(source->tracker, entry->partition, entry->offset,
                                      &sequence) == 0)
            source_offset_tracker_ack(source->tracker, sequence);
        else
            source_task_fail(source, "out of memory tracking offsets");
        json_decref(entry->partition);
        json_decref(entry->offset);
    }
    source->pending_count = 0;
}

/* A record dropped on purpose still moves its offset: it counts as acknowledged at once. */
static ferry_status source_record_skip(source_task *source, const ferry_record *record)
{
    if (source_offset_pending_set(source, record->source_partition, record->source_offset) !=
        0) {
        source_task_fail(source, "out of memory tracking a skipped record");
        return FERRY_ERROR;
    }
    return FERRY_OK;
}

/* What a record's key or value is, as bytes, for an error report: its own bytes, or the JSON text
 * of a structured value (returned, for the caller to free). */
static char *source_data_text(const ferry_data *data, const void **bytes, size_t *len)
{
    converter_data_raw(data, bytes, len);
    if (*bytes || data->kind != FERRY_DATA_JSON || !data->json)
        return NULL;
    char *text = json_dumps(data->json, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text) {
        *bytes = text;
        *len = strlen(text);
    }
    return text;
}

/* The metadata of a topic the task produces to for the first time, fetched at once, in both
 * modes: librdkafka 2.0.2 otherwise leaves a record for a topic it does not know yet to its
 * one-second refresh of unknown topics when another metadata request is in flight (the
 * producer's start, a transactional producer's coordinator query), which is most of a new
 * connector's first-record latency. Best effort: when this fails the record waits for that
 * refresh. */
static void source_topic_warm(source_task *source, const char *topic)
{
    if (!topic || strlist_contains(&source->topics_warmed, topic) ||
        strlist_append(&source->topics_warmed, topic, (size_t)-1) != 0)
        return;
    rd_kafka_topic_t *handle = rd_kafka_topic_new(source->producer, topic, NULL);
    const struct rd_kafka_metadata *metadata = NULL;
    if (handle && rd_kafka_metadata(source->producer, 0, handle, &metadata,
                                    SOURCE_TOPIC_WARM_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(metadata);
    if (handle)
        rd_kafka_topic_destroy(handle);
}

/* Topic tracking: notes a topic when it differs from the last one noted (or after a reset). */
static void source_topic_note(source_task *source, const char *topic)
{
    free(source->noted_topic);
    source->noted_topic = strdup(topic);
    source->noted_epoch = atomic_load(&source->task->topics_epoch);
    embedded_kafka *embedded = source->task->environment->embedded;
    char why[256];
    if (task_topic_note(source->task, topic) && embedded &&
        embedded_kafka_topic_create(embedded, topic, 1, why, sizeof(why)) != 0)
        log_warn(source->task->scope, "%s", why);
}

static ferry_status source_record_produce(source_task *source, const ferry_record *record);

/* Runs the transforms on a copy of the record that owns references to its key and value, then
 * produces what they keep. A dropped record counts as handled: its offset still moves on. */
static ferry_status source_record_transform(source_task *source, const ferry_record *record)
{
    ferry_record work = *record;
    json_incref(work.key.json);
    json_incref(work.key.schema);
    json_incref(work.value.json);
    json_incref(work.value.schema);
    const char *failed_type = "transform";
    char why[768];
    ferry_status status;
    switch (transform_chain_apply(source->transforms, &work, &failed_type, why, sizeof(why))) {
    case TRANSFORM_KEEP:
        status = source_record_produce(source, &work);
        break;
    case TRANSFORM_DROP:
        status = source_record_skip(source, record);
        break;
    default: {
        const void *raw;
        size_t raw_len;
        char *text = source_data_text(&record->value, &raw, &raw_len);
        bool tolerated = source_record_failed(source, ERROR_STAGE_TRANSFORMATION, failed_type,
                                              record, NULL, 0, raw, raw_len, why);
        free(text);
        status = tolerated ? source_record_skip(source, record) : FERRY_ERROR;
    }
    }
    converter_data_release(&work.key);
    converter_data_release(&work.value);
    transform_chain_release(source->transforms);
    return status;
}

static ferry_status source_record_emit(void *owner, const ferry_record *record)
{
    source_task *source = owner;
    if (source->failure[0])
        return FERRY_ERROR;
    /* The process may have been stopped inside the plugin's poll (SIGSTOP, a stall longer than
     * the session) and woken fenced: what the plugin polls now belongs to the task's new owner.
     * The record is refused as when the buffer is full, so the plugin keeps it and nothing is
     * produced; the task loop then stops for the fence. */
    if (source->fenced || task_fenced(source->task)) {
        source->fenced = true;
        return FERRY_RETRY;
    }
    if (source->rewind)
        return FERRY_RETRY; /* the plugin restarts from the committed offsets after this poll */
    if (!record->topic || !record->topic[0]) {
        source_task_fail(source, "the plugin emitted a record without a topic");
        return FERRY_ERROR;
    }
    if (record->source_offset && !json_is_object(record->source_partition)) {
        source_task_fail(source, "the plugin emitted a source offset without a source partition "
                                 "object");
        return FERRY_ERROR;
    }

    if (!source->noted_topic || strcmp(source->noted_topic, record->topic) != 0 ||
        source->noted_epoch != atomic_load_explicit(&source->task->topics_epoch,
                                                     memory_order_relaxed))
        source_topic_note(source, record->topic);
    return source->transforms ? source_record_transform(source, record)
                              : source_record_produce(source, record);
}

static void source_task_transaction_end(source_task *source, bool commit, int timeout_ms);
static int source_commit_timeout(const source_task *source);

/* Exactly-once, while a transaction is closed (its commit runs in the background): once the
 * commit ended, or at once with wait (waiting for Kafka), the transaction ends and what was
 * staged meanwhile goes into the next one. True when it ended the transaction. */
static bool source_task_commit_advance(source_task *source, bool wait)
{
    if (!wait && !source_transaction_commit_ended(source->transaction))
        return false;
    source_task_transaction_end(source, true, source_commit_timeout(source));
    return true;
}

/* Every SOURCE_CLOSED_CHECK_RECORDS records a poll emits while a transaction is closed, so that
 * a long poll does not leave Kafka idle until it returns. True when it ended the transaction. */
static bool source_transaction_closed_check(source_task *source)
{
    if (source->closed_records++ % SOURCE_CLOSED_CHECK_RECORDS != 0)
        return false;
    return source_task_commit_advance(source, false);
}

/* Converts and produces one record (after the transforms). */
static ferry_status source_record_produce(source_task *source, const ferry_record *record)
{
    char why[512];
    const void *key = NULL, *value = NULL;
    size_t key_len = 0, value_len = 0;
    if (converter_serialize(source->key_converter, record->topic, &record->key,
                            &source->key_buffer, &key, &key_len, why, sizeof(why)) != 0) {
        const void *raw;
        size_t raw_len;
        char *text = source_data_text(&record->key, &raw, &raw_len);
        bool tolerated = source_record_failed(source, ERROR_STAGE_KEY_CONVERTER,
                                              converter_class_name(source->key_converter),
                                              record, raw, raw_len, NULL, 0, why);
        free(text);
        return tolerated ? source_record_skip(source, record) : FERRY_ERROR;
    }
    if (converter_serialize(source->value_converter, record->topic, &record->value,
                            &source->value_buffer, &value, &value_len, why, sizeof(why)) != 0) {
        const void *raw;
        size_t raw_len;
        char *text = source_data_text(&record->value, &raw, &raw_len);
        bool tolerated = source_record_failed(source, ERROR_STAGE_VALUE_CONVERTER,
                                              converter_class_name(source->value_converter),
                                              record, key, key_len, raw, raw_len, why);
        free(text);
        return tolerated ? source_record_skip(source, record) : FERRY_ERROR;
    }

    rd_kafka_headers_t *headers = NULL;
    if (record->header_count > 0) {
        headers = rd_kafka_headers_new(record->header_count);
        for (size_t i = 0; i < record->header_count; i++) {
            const ferry_header *header = &record->headers[i];
            rd_kafka_header_add(headers, header->key, -1, header->value,
                                header->value ? (ssize_t)header->value_len : 0);
        }
    }

    char creation_err[1300];
    if (source->topic_creation &&
        topic_creation_ensure(source->topic_creation, source->producer, record->topic,
                              SOURCE_TOPIC_CREATION_TIMEOUT_MS, creation_err,
                              sizeof(creation_err)) != 0) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        source_task_fail(source, creation_err);
        return FERRY_ERROR;
    }
    source_topic_warm(source, record->topic);
    int32_t partition = record->partition == FERRY_PARTITION_ANY ? RD_KAFKA_PARTITION_UA
                                                                 : record->partition;
    int64_t timestamp_ms = record->timestamp_ms >= 0 ? record->timestamp_ms : 0;
    if (source->closing && source_transaction_closed_check(source)) {
        /* The closed transaction committed inside this poll; an outcome other than a commit
         * leaves this record to the plugin (a rewind re-emits it) or fails the task. */
        if (source->failure[0] || source->rewind) {
            if (headers)
                rd_kafka_headers_destroy(headers);
            return source->failure[0] ? FERRY_ERROR : FERRY_RETRY;
        }
    }
    if (source->closing) {
        if (source_staging_add(source->staging, record->topic, partition, key, key_len, value,
                               value_len, timestamp_ms, headers) != 0) {
            if (headers)
                rd_kafka_headers_destroy(headers);
            source_task_fail(source, "out of memory staging a record");
            return FERRY_ERROR;
        }
        source->records_emitted++;
        if (source_offset_pending_set(source, record->source_partition, record->source_offset)) {
            source_task_fail(source, "out of memory tracking an offset");
            return FERRY_ERROR;
        }
        return FERRY_OK;
    }
    if (source->transaction &&
        source_transaction_begin(source->transaction, why, sizeof(why)) != 0) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        source_task_fail(source, why);
        return FERRY_ERROR;
    }
    /* Exactly-once needs no tracking: a transaction's offsets commit with all of it. */
    uint64_t sequence = 0;
    if (!source->transaction &&
        source_offset_tracker_add(source->tracker, NULL, NULL, &sequence) != 0) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        source_task_fail(source, "out of memory tracking a record");
        return FERRY_ERROR;
    }
    rd_kafka_resp_err_t code = rd_kafka_producev(
        source->producer, RD_KAFKA_V_TOPIC(record->topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_TIMESTAMP(timestamp_ms),
        RD_KAFKA_V_OPAQUE((void *)(uintptr_t)sequence), RD_KAFKA_V_END);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
        source->records_emitted++;
        if (source->transaction)
            source_transaction_sent(source->transaction, key_len + value_len);
        /* headers now belong to the message */
        if (source_offset_pending_set(source, record->source_partition, record->source_offset)) {
            source_task_fail(source, "out of memory tracking an offset");
            return FERRY_ERROR;
        }
        return FERRY_OK;
    }
    if (!source->transaction)
        source_offset_tracker_remove_last(source->tracker);
    if (headers)
        rd_kafka_headers_destroy(headers);
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        source->queue_full = true;
        return FERRY_RETRY;
    }
    snprintf(why, sizeof(why), "producing to %s failed: %s", record->topic,
             rd_kafka_err2str(code));
    return source_record_failed(source, ERROR_STAGE_KAFKA_PRODUCE, "producer", record, key,
                                key_len, value, value_len, why)
               ? source_record_skip(source, record) : FERRY_ERROR;
}

static ferry_status source_record_error_report(void *owner, const ferry_record *record,
                                               const char *message)
{
    source_task *source = owner;
    const void *key = NULL, *value = NULL;
    size_t key_len = 0, value_len = 0;
    if (record) {
        converter_data_raw(&record->key, &key, &key_len);
        converter_data_raw(&record->value, &value, &value_len);
    }
    if (!source_record_failed(source, ERROR_STAGE_TASK_POLL, source->task->type->type->name,
                              record, key, key_len, value, value_len, message))
        return FERRY_ERROR;
    return record ? source_record_skip(source, record) : FERRY_OK;
}

static void source_reconfiguration_request(void *owner)
{
    source_task *source = owner;
    log_info(source->task->scope, "reconfiguration requested by a task; ignored (connectors "
                                  "reconfigure, tasks do not)");
}

static void source_metric_set(void *owner, const char *name, double value)
{
    source_task *source = owner;
    task_metrics_gauge_set(&source->task->metrics, name, value);
}

static void source_progress_report(void *owner, const ferry_progress *progress)
{
    source_task *source = owner;
    task_metrics_progress_report(&source->task->metrics, progress, clock_monotonic_us());
}

static void source_status_problem(void *owner, const char *message)
{
    source_task *source = owner;
    task_problem_set(source->task, message);
}

static rd_kafka_t *source_producer_new(source_task *source, int64_t batch_size, char *err,
                                       size_t errlen);

/* A topic that takes smaller batches than the producer makes refuses every batch of small
 * records that outgrows it, and librdkafka does not split a refused batch as Java's producer
 * does: the producer is made again with batch.size at the topic's limit, once what it holds is
 * delivered (at the plugin's start, when it asks, it holds nothing). */
static void source_producer_batch_fit(source_task *source, const char *topic, int64_t limit)
{
    if (limit >= record_limit_producer_batch(source->producer) || source->client_failed)
        return;
    connector_task *task = source->task;
    if (source->transaction) {
        /* A transactional producer made again would lose its open transaction. */
        log_warn(task->scope, "batches of records to topic %s may outgrow the %" PRId64 " bytes "
                 "it takes: an exactly-once task keeps its producer's batch.size; set "
                 "producer.override.batch.size to at most that", topic, limit);
        return;
    }
    int half = (int)(task->environment->worker->task_shutdown_graceful_timeout_ms / 2);
    char err[512];
    if (rd_kafka_flush(source->producer, half > 0 ? half : 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log_warn(task->scope, "batches of records to topic %s may outgrow the %" PRId64 " bytes "
                 "it takes: %d records were not acknowledged in time to make the producer "
                 "again with a smaller batch.size", topic, limit,
                 rd_kafka_outq_len(source->producer));
        return;
    }
    rd_kafka_t *smaller = source_producer_new(source, limit, err, sizeof(err));
    if (!smaller) {
        log_warn(task->scope, "batches of records to topic %s may outgrow the %" PRId64 " bytes "
                 "it takes: %s", topic, limit, err);
        return;
    }
    rd_kafka_destroy(source->producer);
    source->producer = smaller;
    log_info(task->scope, "the producer's batches are held to %" PRId64 " bytes (batch.size), "
             "what topic %s takes", limit, topic);
}

static int64_t source_record_max_bytes(void *owner, const char *topic)
{
    source_task *source = owner;
    ASSERT_TASK_THREAD(source->task);
    /* The embedded Kafka takes what the producer sends and does not answer DescribeConfigs. */
    if (source->task->environment->embedded)
        return record_limit_producer_max(source->producer);
    int64_t limit = record_limit_get(source->limits, source->producer, topic,
                                     source->task->scope);
    source_producer_batch_fit(source, topic, limit);
    return limit;
}

/* ---- exactly-once transactions ---------------------------------------------------------- */

static int source_commit_timeout(const source_task *source)
{
    int64_t timeout = source->task->environment->worker->offset_flush_timeout_ms;
    return timeout > SOURCE_COMMIT_TIMEOUT_MIN_MS ? (int)timeout : SOURCE_COMMIT_TIMEOUT_MIN_MS;
}

/* Drops the references of a list of offsets, keeping its memory. */
static void source_offsets_drop(ferry_source_offset *entries, size_t *count)
{
    for (size_t i = 0; i < *count; i++) {
        json_decref(entries[i].partition);
        json_decref(entries[i].offset);
    }
    *count = 0;
}

static void source_offset_pending_clear(source_task *source)
{
    source_offsets_drop(source->pending_offsets, &source->pending_count);
}

/* What was staged for the next transaction is dropped with its offsets: the transaction before
 * it did not commit, and the plugin emits it again from the committed offsets. */
static void source_staging_discard(source_task *source)
{
    if (source->staging)
        source_staging_clear(source->staging);
    source_offset_pending_clear(source);
}

static void source_task_staged_produce(source_task *source);

/* Commits (or aborts) the open transaction with its records' offsets and acts on what Kafka
 * said: a transaction Kafka aborted rewinds the task, a fenced or failed producer fails it. A
 * commit under way in the background cannot be called back: its outcome is the transaction's,
 * and only what was staged behind it follows commit (false: dropped, emitted again later). */
static void source_task_transaction_end(source_task *source, bool commit, int timeout_ms)
{
    char why[700];
    task_metrics *metrics = &source->task->metrics;
    uint64_t started_us = clock_monotonic_us();
    /* A closed transaction's offsets were set aside when it closed; pending_offsets are then
     * those of the records staged since. */
    bool closed = source->closing;
    bool keep_staged = commit;
    ferry_source_offset *entries = closed ? source->closing_offsets : source->pending_offsets;
    size_t *count = closed ? &source->closing_count : &source->pending_count;
    source_transaction_outcome outcome;
    if (source_transaction_committing(source->transaction)) {
        started_us = source->commit_started_us;
        commit = true;
        outcome = source_transaction_commit_finish(source->transaction, entries, *count,
                                                   timeout_ms, why, sizeof(why));
    } else {
        outcome = commit ? source_transaction_commit(source->transaction, entries, *count,
                                                     timeout_ms, why, sizeof(why))
                         : source_transaction_abort(source->transaction, timeout_ms, why,
                                                    sizeof(why));
    }
    source_offsets_drop(entries, count);
    source->closing = false;
    if (outcome != SOURCE_TRANSACTION_DONE || !keep_staged)
        source_staging_discard(source);
    char trace[1000];
    switch (outcome) {
    case SOURCE_TRANSACTION_DONE:
        if (commit) {
            source->rewinds = 0;
            metric_add(&metrics->offset_commit_success, 1);
            metric_summary_add(&metrics->offset_commit_latency_us,
                               clock_monotonic_us() - started_us);
            if (closed && keep_staged)
                source_task_staged_produce(source);
        }
        return;
    case SOURCE_TRANSACTION_REWIND:
        metric_add(&metrics->offset_commit_failure, 1);
        if (++source->rewinds > SOURCE_REWINDS_MAX) {
            snprintf(trace, sizeof(trace), "Kafka aborted %d transactions in a row, the last "
                     "one because: %s", source->rewinds, why);
            source_task_fail(source, trace);
            return;
        }
        log_warn(source->task->scope, "the transaction was aborted (%s); going back to the "
                 "last committed offsets", why);
        source->rewind = true;
        return;
    case SOURCE_TRANSACTION_FENCED:
        snprintf(trace, sizeof(trace), "the task was fenced: a newer instance of it (same "
                 "transactional.id) took over, so this one stops without committing: %s", why);
        source_task_fail(source, trace);
        return;
    default:
        snprintf(trace, sizeof(trace), "the task's transaction failed: %s", why);
        source_task_fail(source, trace);
    }
}

/* Closes the open transaction (its boundary is due): its offsets are set aside, its commit
 * starts in the background, and what the plugin emits from now on is staged for the next
 * transaction. */
static void source_task_transaction_close(source_task *source)
{
    ferry_source_offset *entries = source->closing_offsets;
    size_t capacity = source->closing_capacity;
    source->closing_offsets = source->pending_offsets;
    source->closing_count = source->pending_count;
    source->closing_capacity = source->pending_capacity;
    source->pending_offsets = entries;
    source->pending_count = 0;
    source->pending_capacity = capacity;
    source->closing = true;
    source->closed_records = 0;
    source->commit_started_us = clock_monotonic_us();
    source_transaction_commit_start(source->transaction, source->closing_offsets,
                                    source->closing_count, source_commit_timeout(source));
}

/* Produces one staged record into the open transaction, waiting for room in the producer's
 * queue (Kafka acknowledges the transaction's earlier records meanwhile). */
static rd_kafka_resp_err_t source_staged_send(source_task *source,
                                              const source_staged_record *record,
                                              int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        rd_kafka_resp_err_t code = rd_kafka_producev(
            source->producer, RD_KAFKA_V_TOPIC(record->topic),
            RD_KAFKA_V_PARTITION(record->partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(record->key, record->key_len),
            RD_KAFKA_V_VALUE((void *)record->value, record->value_len),
            RD_KAFKA_V_HEADERS(record->headers), RD_KAFKA_V_TIMESTAMP(record->timestamp_ms),
            RD_KAFKA_V_END);
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL || clock_monotonic_ms() >= deadline ||
            atomic_load(&source->task->stop_requested) || task_fenced(source->task))
            return code;
        rd_kafka_poll(source->producer, 10);
    }
}

/* After a commit: the staged records, whole poll batches in the order polled, go into the next
 * transaction (their offsets are already in pending_offsets). A record Kafka refuses goes to
 * the error handler as one produced at once would; a queue that stays full aborts the
 * transaction and rewinds, as nothing of it was committed. */
static void source_task_staged_produce(source_task *source)
{
    size_t count = source_staging_count(source->staging);
    int timeout_ms = source_commit_timeout(source);
    char why[700];
    for (size_t i = 0; i < count && !source->failure[0]; i++) {
        source_staged_record record;
        source_staging_get(source->staging, i, &record);
        if (source_transaction_begin(source->transaction, why, sizeof(why)) != 0) {
            source_task_fail(source, why);
            break;
        }
        rd_kafka_resp_err_t code = source_staged_send(source, &record, timeout_ms);
        if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
            source_staging_headers_take(source->staging, i); /* the message's now */
            source_transaction_sent(source->transaction, record.key_len + record.value_len);
            continue;
        }
        if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            log_warn(source->task->scope, "the producer's queue stayed full while producing "
                     "the records polled during a commit; aborting the transaction");
            source_task_transaction_end(source, false, timeout_ms);
            if (!source->failure[0])
                source->rewind = true;
            return; /* the staging was discarded */
        }
        snprintf(why, sizeof(why), "producing to %s failed: %s", record.topic,
                 rd_kafka_err2str(code));
        ferry_record failed = {.topic = record.topic};
        source_record_failed(source, ERROR_STAGE_KAFKA_PRODUCE, "producer", &failed, record.key,
                             record.key_len, record.value, record.value_len, why);
    }
    source_staging_clear(source->staging);
}

/* ferry_host.transaction_commit / _abort: act at once (the plugin calls them between records);
 * the plugin hears of the commit after its poll returns. */
static void source_task_commit_requested(void *owner)
{
    source_task *source = owner;
    if (source->transaction && !source->failure[0] && !source->rewind &&
        source_transaction_boundary_of(source->transaction) == SOURCE_BOUNDARY_CONNECTOR)
        source_task_transaction_end(source, true, source_commit_timeout(source));
}

static void source_task_abort_requested(void *owner)
{
    source_task *source = owner;
    if (source->transaction && !source->failure[0] && !source->rewind &&
        source_transaction_boundary_of(source->transaction) == SOURCE_BOUNDARY_CONNECTOR)
        source_task_transaction_end(source, false, source_commit_timeout(source));
}

/* Tells the plugin which offsets its committed transactions made durable. */
static void source_task_committed_deliver(source_task *source)
{
    ferry_source_offset *entries;
    size_t count = source_transaction_committed_take(source->transaction, &entries);
    if (count == 0)
        return;
    ASSERT_TASK_THREAD(source->task);
    if (source->callbacks->commit)
        source->callbacks->commit(source->plugin_state, entries, count);
    source_offset_entries_free(entries, count);
}

static const plugin_context_ops source_context_ops = {
    .offset_read = source_offset_read,
    .record_emit = source_record_emit,
    .record_error_report = source_record_error_report,
    .reconfiguration_request = source_reconfiguration_request,
    .transaction_commit = source_task_commit_requested,
    .transaction_abort = source_task_abort_requested,
    .metric_set = source_metric_set,
    .status_problem = source_status_problem,
    .record_max_bytes = source_record_max_bytes,
    .progress_report = source_progress_report,
};

/* After a poll: what it emitted and how long it took, and the error handler's counts. */
static void source_metrics_poll(source_task *source, uint64_t emitted, uint64_t started_us)
{
    task_metrics *metrics = &source->task->metrics;
    metric_summary_add(&metrics->poll_latency_us, clock_monotonic_us() - started_us);
    if (emitted > 0) {
        metric_add(&metrics->records_polled, emitted);
        metric_summary_add(&metrics->poll_batch_records, emitted);
    }
    uint64_t failures = error_handler_failures(source->errors);
    metric_store(&metrics->record_errors, failures);
    metric_store(&metrics->records_skipped,
                 error_handler_tolerates_all(source->errors) ? failures : 0);
    metric_store(&metrics->dlq_records, error_handler_dlq_records(source->errors));
}

/* poll answered RETRY: wait (serving delivery reports) and poll again, or fail once the run of
 * retries outlasted errors.retry.timeout. */
static void source_poll_retry(source_task *source, const char *why)
{
    metric_add(&source->task->metrics.retries, 1);
    int64_t now = clock_monotonic_ms(), delay_ms;
    if (!retry_budget_retry(&source->poll_retries, now, &delay_ms)) {
        char trace[1300];
        source_task_fail(source, retry_budget_spent_trace(&source->poll_retries, now, "poll", why,
                                                          trace, sizeof(trace)));
        return;
    }
    log_debug(source->task->scope, "poll asked for a retry (%s); again in %lld ms",
              why[0] ? why : "no message", (long long)delay_ms);
    int64_t until = now + delay_ms;
    while (!atomic_load(&source->task->stop_requested) && !task_fenced(source->task) &&
           clock_monotonic_ms() < until) {
        int64_t left = until - clock_monotonic_ms();
        rd_kafka_poll(source->producer, (int)(left < 100 ? left : 100));
    }
}

/* Whether the producer or the dead-letter queue's met a fatal error (failed authentication, TLS,
 * authorization): the task fails with it. */
static bool source_clients_failed(source_task *source)
{
    char cause[1100];
    if (!kafka_client_failed(source->producer, cause, sizeof(cause)) &&
        !error_handler_failed(source->errors, cause, sizeof(cause)))
        return false;
    source_task_fail(source, cause);
    source->client_failed = true;
    return true;
}

/* ---- delivery reports ------------------------------------------------------------------ */

/* Exactly-once: served by the task's thread or by its transaction's committer (the commit
 * flushes), so it touches only what any thread may: a record Kafka refused makes its
 * transaction abort at commit, which rewinds the task (or fails it, when no retry can get the
 * record through), and no offset needs tracking. */
static void source_delivered_in_transaction(rd_kafka_t *producer,
                                            const rd_kafka_message_t *message, void *opaque)
{
    source_task *source = opaque;
    source_transaction_delivered(source->transaction, message);
    if (!message->err) {
        if (!source_transaction_owns(source->transaction, message))
            metric_add(&source->task->metrics.records_written, 1);
        return;
    }
    /* Purged with the transaction's abort: a consequence of the refusal, not its cause. */
    if (message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
        message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        return;
    const char *topic = rd_kafka_topic_name(message->rkt);
    char cause[1024];
    bool fatal = kafka_client_report(producer, message->err, rd_kafka_err2str(message->err),
                                     topic, cause, sizeof(cause));
    if (!fatal)
        snprintf(cause, sizeof(cause), "delivery to %s [%d] failed: %s", topic,
                 (int)message->partition, rd_kafka_err2str(message->err));
    source_transaction_refused(source->transaction, fatal, cause);
}

static void source_delivered(rd_kafka_t *producer, const rd_kafka_message_t *message,
                             void *opaque)
{
    source_task *source = opaque;
    ASSERT_TASK_THREAD(source->task); /* served by rd_kafka_poll on the task's thread */
    if (source->fenced || source->client_failed)
        return; /* nothing is committed any more, and a failure now is not the task's */
    uint64_t sequence = (uint64_t)(uintptr_t)message->_private;
    if (message->err) {
        char why[1300];
        char cause[1024];
        if (kafka_client_report(producer, message->err, rd_kafka_err2str(message->err),
                                rd_kafka_topic_name(message->rkt), cause, sizeof(cause))) {
            /* Authorization, or a topic that will not exist: no record gets through. */
            source_task_fail(source, cause);
            return;
        }
        snprintf(why, sizeof(why), "delivery to %s [%d] failed: %s",
                 rd_kafka_topic_name(message->rkt), (int)message->partition,
                 rd_kafka_err2str(message->err));
        ferry_record record = {.topic = rd_kafka_topic_name(message->rkt)};
        /* Not acknowledged unless tolerated: the offset never passes a lost record. */
        if (!source_record_failed(source, ERROR_STAGE_KAFKA_PRODUCE, "producer", &record,
                                  message->key, message->key_len, message->payload,
                                  message->len, why))
            return;
    } else {
        metric_add(&source->task->metrics.records_written, 1);
    }
    source_offset_tracker_ack(source->tracker, sequence);
}

/* ---- offsets ---------------------------------------------------------------------------- */

/* Writes the committable offsets and, once they are acknowledged, tells the plugin. */
static void source_offsets_commit(source_task *source, int timeout_ms)
{
    char why[512];
    if (source->fenced || task_fenced(source->task)) {
        /* Another worker may own these source partitions by now: their offsets are its own. */
        source->fenced = true;
        return;
    }
    ferry_source_offset *entries = NULL;
    size_t count = source_offset_tracker_committable(source->tracker, &entries);
    if (count == 0)
        return;
    task_metrics *metrics = &source->task->metrics;
    uint64_t started_us = clock_monotonic_us();
    if (error_handler_flush(source->errors, timeout_ms, why, sizeof(why)) != 0) {
        metric_add(&metrics->offset_commit_failure, 1);
        log_warn(source->task->scope, "offsets not committed: dead-letter queue not flushed: %s",
                 why);
    } else if (offset_store_write(source->task->environment->offsets, source->task->connector,
                                  entries, count, timeout_ms, why, sizeof(why)) != 0) {
        metric_add(&metrics->offset_commit_failure, 1);
        log_warn(source->task->scope, "offsets not committed, will retry: %s", why);
    } else {
        metric_add(&metrics->offset_commit_success, 1);
        metric_summary_add(&metrics->offset_commit_latency_us, clock_monotonic_us() - started_us);
        source_offset_tracker_committed(source->tracker, entries, count);
        ASSERT_TASK_THREAD(source->task);
        if (source->callbacks->commit)
            source->callbacks->commit(source->plugin_state, entries, count);
        log_debug(source->task->scope, "committed offsets of %zu source partitions", count);
    }
    source_offset_entries_free(entries, count);
}

/* ---- set-up and tear-down --------------------------------------------------------------- */

static int source_plugin_start(source_task *source, char *err, size_t errlen);

/* The task's producer, idempotent with acks=all whatever the user configured (the guarantee
 * needs them), transactional when the worker runs exactly-once sources; batch_size > 0 sets a
 * smaller batch.size than configured. NULL with err set. */
static rd_kafka_t *source_producer_new(source_task *source, int64_t batch_size, char *err,
                                       size_t errlen)
{
    connector_task *task = source->task;
    const worker_config *worker = task->environment->worker;
    char name[200];
    snprintf(name, sizeof(name), "%s producer", task->scope + 5);
    kafka_client_spec spec = {.scope = task->scope, .name = name, .role = KAFKA_CLIENT_PRODUCER,
                              .worker = worker, .task_client = true,
                              .defaults = source_transaction_enabled(worker)
                                              ? source_transaction_producer_defaults
                                              : NULL};
    rd_kafka_conf_t *conf = kafka_client_config(worker, KAFKA_CLIENT_PRODUCER, task->config,
                                                task->scope + 5, &spec, err, errlen);
    if (!conf)
        return NULL;
    char batch[24];
    snprintf(batch, sizeof(batch), "%" PRId64, batch_size);
    char transactional_id[600];
    if (kafka_config_set(conf, "enable.idempotence", "true", err, errlen) ||
        kafka_config_set(conf, "acks", "all", err, errlen) ||
        (batch_size > 0 && kafka_config_set(conf, "batch.size", batch, err, errlen)) ||
        (source_transaction_enabled(worker) &&
         (source_transaction_id(worker, !task->environment->fenced, task->connector, task->id,
                                transactional_id, sizeof(transactional_id), err, errlen) ||
          source_transaction_configure(conf, transactional_id, err, errlen)))) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, source_transaction_enabled(worker)
                                          ? source_delivered_in_transaction
                                          : source_delivered);
    rd_kafka_conf_set_opaque(conf, source);
    char why[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!producer) {
        rd_kafka_conf_destroy(conf);
        ferry_error_set(err, errlen, "cannot create the producer: %s", why);
    }
    return producer;
}

static int source_task_setup(source_task *source, char *err, size_t errlen)
{
    connector_task *task = source->task;
    const worker_config *worker = task->environment->worker;
    if (task_converters_create(task, &source->key_converter, &source->value_converter, err,
                               errlen) != 0 ||
        transform_chain_create(task->config, task->scope, TRANSFORM_SIDE_SOURCE,
                               &source->transforms, err, errlen) != 0)
        return -1;

    source->producer = source_producer_new(source, 0, err, errlen);
    if (!source->producer)
        return -1;

    if (source_transaction_enabled(worker)) {
        source_transaction_spec opening = {.producer = source->producer, .worker = worker,
                                        .config = task->config, .connector = task->connector,
                                        .scope = task->scope,
                                        .worker_offsets = task->environment->offsets,
                                        .stop_requested = &task->stop_requested};
        source->transaction = source_transaction_open(&opening, err, errlen);
        source->staging = source_staging_new();
        if (!source->transaction)
            return -1;
        if (!source->staging)
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    source->errors = task_error_handler_create(task, err, errlen);
    if (!source->errors)
        return -1;
    source->tracker = source_offset_tracker_new();
    source->limits = record_limit_cache_new();
    if (!source->tracker || !source->limits)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    /* The embedded cluster creates a topic at its first use (source_topic_note). */
    if (!task->environment->embedded &&
        topic_creation_new(task->config, worker->topic_creation_enable, task->scope,
                           &source->topic_creation, err, errlen) != 0)
        return -1;

    const ferry_config_key *defs[3];
    size_t ndefs = connector_config_definitions(task->type->type, defs);
    source->plugin_config = ferry_config_new(task->config, defs, ndefs);
    if (!source->plugin_config)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    retry_budget_init(&source->poll_retries,
                      ferry_config_int(source->plugin_config, "errors.retry.timeout"),
                      ferry_config_int(source->plugin_config, "errors.retry.delay.max.ms"));
    plugin_context_init(&source->context, task->scope, &source_context_ops, source);
    return source_plugin_start(source, err, errlen);
}

/* Starts the plugin's task: it reads its committed offsets and resumes from them. */
static int source_plugin_start(source_task *source, char *err, size_t errlen)
{
    char plugin_err[512] = "";
    ASSERT_TASK_THREAD(source->task);
    ferry_status status = source->callbacks->start(&source->context, source->plugin_config,
                                                   &source->plugin_state, plugin_err,
                                                   sizeof(plugin_err));
    if (status != FERRY_OK) {
        ferry_error_set(err, errlen, "the task's start failed: %s",
                        plugin_err[0] ? plugin_err : "(no message)");
        return -1;
    }
    source->plugin_started = true;
    return 0;
}

/* Exactly-once, after Kafka aborted a transaction: the plugin starts again from the committed
 * offsets, so that what the aborted transaction held is emitted again. */
static void source_task_rewind(source_task *source)
{
    char err[1024];
    source->rewind = false;
    ASSERT_TASK_THREAD(source->task);
    source->callbacks->stop(source->plugin_state);
    source->plugin_state = NULL;
    source->plugin_started = false;
    if (source_plugin_start(source, err, sizeof(err)) != 0)
        source_task_fail(source, err);
}

/* Exactly-once, after each turn of the task's loop: commits when the boundary says so, tells
 * the plugin what became durable, rewinds after an aborted transaction. */
static void source_task_transaction_step(source_task *source, uint64_t polled)
{
    if (!source->failure[0] && !source->rewind) {
        if (!source->closing && source_transaction_due(source->transaction, clock_monotonic_ms()))
            source_task_transaction_close(source);
        /* A closed transaction commits once Kafka has all of it, in the background while the
         * task polls on; at once, waiting for Kafka, when there is nothing to overlap the wait
         * with: a poll that emitted nothing, or no room to stage more. */
        if (source->closing)
            source_task_commit_advance(
                source, polled == 0 ||
                            source_staging_bytes(source->staging) >= SOURCE_STAGING_MAX_BYTES);
    }
    source_task_committed_deliver(source);
    if (source->rewind && !source->failure[0])
        source_task_rewind(source);
}

/* Delivers what is in flight, commits the offsets it covers and stops the plugin. */
static void source_task_teardown(source_task *source)
{
    connector_task *task = source->task;
    const worker_config *worker = task->environment->worker;
    if (source->transaction) {
        /* What a connector bounds itself is only committed where it says; a stopped or failed
         * task leaves the rest to its next start, from the committed offsets. */
        bool commit = !source->failure[0] && !source->fenced && !task_fenced(task) &&
                      !kafka_client_failed(source->producer, NULL, 0) &&
                      source_transaction_boundary_of(source->transaction) !=
                          SOURCE_BOUNDARY_CONNECTOR;
        if (commit || source_transaction_active(source->transaction))
            source_task_transaction_end(source, commit, source_commit_timeout(source));
        /* A closed transaction that committed put what was staged into the next one. */
        if (commit && !source->failure[0] && source_transaction_active(source->transaction))
            source_task_transaction_end(source, true, source_commit_timeout(source));
        source_task_committed_deliver(source);
    } else if (source->producer && kafka_client_failed(source->producer, NULL, 0)) {
        /* Nothing in flight can be delivered: the records are produced again after a
         * restart, from the committed offsets. Their reports, served here, are ignored. */
        source->client_failed = true;
        rd_kafka_purge(source->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(source->producer, 0);
    } else if (source->producer && !source->fenced) {
        /* Both halves of the graceful timeout: deliver what is in flight, then commit, so the
         * task finishes before the worker stops waiting for it. */
        int half = (int)(worker->task_shutdown_graceful_timeout_ms / 2);
        rd_kafka_resp_err_t code = rd_kafka_flush(source->producer, half);
        if (code)
            log_warn(task->scope, "%d records still unacknowledged at stop; they will be "
                     "produced again after a restart", rd_kafka_outq_len(source->producer));
        if (source->tracker && source->errors)
            source_offsets_commit(source, half > 0 ? half : 1);
    } else if (source->producer) {
        /* Fenced: records still queued here would only be duplicates of what the new owner
         * produces again from the committed offsets, and waiting for them delays the stop. */
        rd_kafka_purge(source->producer, RD_KAFKA_PURGE_F_QUEUE);
    }
    ASSERT_TASK_THREAD(task);
    if (source->plugin_started)
        source->callbacks->stop(source->plugin_state);
    error_handler_destroy(source->errors);
    source_transaction_destroy(source->transaction);
    if (source->producer)
        rd_kafka_destroy(source->producer);
    source_offset_pending_clear(source);
    free(source->pending_offsets);
    source_offsets_drop(source->closing_offsets, &source->closing_count);
    free(source->closing_offsets);
    source_staging_destroy(source->staging);
    source_offset_tracker_destroy(source->tracker);
    record_limit_cache_destroy(source->limits);
    topic_creation_destroy(source->topic_creation);
    converter_destroy(source->key_converter);
    converter_destroy(source->value_converter);
    transform_chain_destroy(source->transforms);
    strbuf_free(&source->key_buffer);
    strbuf_free(&source->value_buffer);
    ferry_config_destroy(source->plugin_config);
    free(source->noted_topic);
    strlist_free(&source->topics_warmed);
}

void *source_task_main(void *argument)
{
    connector_task *task = argument;
    source_task source = {.task = task, .callbacks = task->type->type->source_task};
    const worker_config *worker = task->environment->worker;
    char err[1024] = "";
    thread_role_set(THREAD_ROLE_TASK, task, task->scope);

    if (source_task_setup(&source, err, sizeof(err)) != 0) {
        log_error(task->scope, "failed to start: %s", err);
        source_task_fail(&source, err);
        goto done;
    }
    log_info(task->scope, "running");
    task_report(task, STATE_RUNNING, NULL);
    bool paused = false;
    int64_t next_commit = clock_monotonic_ms() + worker->offset_flush_interval_ms;
    while (!source.failure[0]) {
        uint64_t polled = 0;
        /* The fence is read after the stop request: a worker fences before it stops its tasks,
         * so a task stopped for a fence always knows it (and says so). */
        bool stopping = atomic_load(&task->stop_requested);
        if (source.fenced || task_fenced(task)) {
            log_warn(task->scope, "the worker was fenced: stopping without committing offsets");
            source.fenced = true;
            break;
        }
        if (stopping)
            break;
        rd_kafka_poll(source.producer, 0);
        error_handler_poll(source.errors);
        if (source_clients_failed(&source))
            break;
        if (atomic_load(&task->pause_requested) != paused) {
            paused = !paused;
            task_report(task, paused ? STATE_PAUSED : STATE_RUNNING, NULL);
        }
        if (paused || source.queue_full) {
            /* Back-pressure and pause alike: serve delivery reports, do not poll the plugin. */
            source.queue_full = false;
            rd_kafka_poll(source.producer, paused ? 100 : 10);
        } else {
            char plugin_err[1024] = "";
            uint64_t emitted_before = source.records_emitted, started_us = clock_monotonic_us();
            ASSERT_TASK_THREAD(task);
            ferry_status status = source.callbacks->poll(
                source.plugin_state,
                source.closing ? SOURCE_CLOSING_POLL_TIMEOUT_MS : SOURCE_POLL_TIMEOUT_MS,
                plugin_err, sizeof(plugin_err));
            polled = source.records_emitted - emitted_before;
            source_metrics_poll(&source, polled, started_us);
            if (!source.transaction)
                source_offset_pending_register(&source);
            if (status == FERRY_ERROR && !source.failure[0]) {
                snprintf(err, sizeof(err), "poll failed: %s",
                         plugin_err[0] ? plugin_err : "(no message)");
                source_task_fail(&source, err);
            } else if (status == FERRY_RETRY) {
                source_poll_retry(&source, plugin_err);
            } else {
                retry_budget_reset(&source.poll_retries);
            }
        }
        if (source.transaction) {
            source_task_transaction_step(&source, polled);
        } else if (clock_monotonic_ms() >= next_commit) {
            source_offsets_commit(&source, (int)worker->offset_flush_timeout_ms);
            next_commit = clock_monotonic_ms() + worker->offset_flush_interval_ms;
        }
    }
done:
    source_task_teardown(&source);
    if (source.failure[0] && !source.fenced) {
        log_error(task->scope, "failed: %s", source.failure);
        task_report(task, STATE_FAILED, source.failure);
    } else {
        log_info(task->scope, "stopped after %llu records",
                 (unsigned long long)source.records_emitted);
        task_report(task, STATE_UNASSIGNED, NULL);
    }
    pthread_mutex_lock(&task->mutex);
    task->exited = true;
    pthread_mutex_unlock(&task->mutex);
    return NULL;
}
