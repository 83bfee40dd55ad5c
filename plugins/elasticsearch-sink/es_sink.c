/*
 * es_sink.c - the ElasticsearchSink task: put turns records into bulk items for the writer
 * (es_writer.c) and pauses the consumer when max.buffered.records are held; flush waits for
 * acknowledgements and hands back only the contiguous acknowledged prefix of each partition;
 * rejected documents go to behavior.on.malformed.documents and the worker's error handling.
 * All of it on the task's thread, the only one that calls the host.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "es_client.h"
#include "es_config.h"
#include "es_document.h"
#include "es_mapping.h"
#include "es_plugin.h"
#include "es_server.h"
#include "es_writer.h"
#include "support/clock.h"
#include "support/strlist.h"

/* The longest one flush waits, under the worker's default offset.flush.timeout.ms (5 s). */
#define ES_FLUSH_WAIT_MAX_MS 4000
/* The longest put waits for room before it asks to be called again (consumer paused). */
#define ES_PUT_WAIT_MAX_MS 1000
#define ES_METRICS_EVERY_MS 1000
/* Long waits are cut in slices of this, to keep the status and metrics current meanwhile. */
#define ES_WAIT_SLICE_MS 500

typedef struct es_task {
    ferry_context *ctx;
    es_settings settings;
    bool settings_loaded;
    es_client *client;
    es_server server; /* what answers at the URLs, learnt at start */
    es_writer *writer;
    es_document_builder builder;
    /* the partition of the last record (put sees runs of one partition) */
    bool run_valid;
    char run_topic[256];
    int32_t run_partition;
    uint32_t run_slot;
    uint32_t run_generation;
    int64_t run_accepted_next;
    /* indices whose mapping was made (or found) */
    strlist mapped;
    /* acknowledgements counted at the last flush that timed out; -1 = none */
    int64_t stalled_acked;
    char problem[1024];
    bool problem_set;
    int64_t metrics_at;
    uint64_t invalid_dropped;
} es_task;

/* ---- status and metrics ------------------------------------------------------------------- */

static void es_task_publish(es_task *task, bool now)
{
    int64_t clock = clock_monotonic_ms();
    if (!now && clock < task->metrics_at)
        return;
    task->metrics_at = clock + ES_METRICS_EVERY_MS;
    es_writer_stats stats;
    es_writer_stats_get(task->writer, &stats);
    if (es_host->metric_set) {
        es_host->metric_set(task->ctx, "es_documents_acked", (double)stats.acked);
        es_host->metric_set(task->ctx, "es_documents_failed", (double)stats.failed);
        es_host->metric_set(task->ctx, "es_items_sent", (double)stats.sent);
        es_host->metric_set(task->ctx, "es_items_retried", (double)stats.retried);
        es_host->metric_set(task->ctx, "es_bulk_requests", (double)stats.requests);
        es_host->metric_set(task->ctx, "es_bulk_requests_failed", (double)stats.requests_failed);
        es_host->metric_set(task->ctx, "es_bulk_partial", (double)stats.partial);
        es_host->metric_set(task->ctx, "es_buffered_records", (double)stats.buffered);
        es_host->metric_set(task->ctx, "es_in_flight_requests", (double)stats.in_flight);
        es_host->metric_set(task->ctx, "es_url_failovers", (double)stats.failovers);
    }
    if (!FERRY_HOST_HAS(es_host, status_problem))
        return;
    char problem[sizeof(task->problem)];
    if (es_writer_problem(task->writer, problem, sizeof(problem))) {
        if (!task->problem_set || strcmp(problem, task->problem) != 0) {
            /* The counts in the text change constantly: say it again only when the cause does. */
            size_t cause = strcspn(problem, ";");
            if (!task->problem_set || strncmp(problem, task->problem, cause) != 0)
                es_host->status_problem(task->ctx, problem);
            snprintf(task->problem, sizeof(task->problem), "%s", problem);
            task->problem_set = true;
        }
    } else if (task->problem_set) {
        es_host->status_problem(task->ctx, NULL);
        es_host->log(task->ctx, FERRY_LOG_INFO, "Elasticsearch accepts documents again");
        task->problem_set = false;
    }
}

/* ---- rejected documents ------------------------------------------------------------------- */

/* A document Elasticsearch rejected for good, as the record the error handling gets. */
static ferry_record es_report_record(const es_report *report)
{
    const es_item *item = report->item;
    ferry_record record = {
        .topic = report->topic,
        .partition = report->partition,
        .kafka_offset = item->offset,
        .timestamp_ms = FERRY_TIMESTAMP_NONE,
    };
    if (item->key)
        record.key = (ferry_data){.kind = FERRY_DATA_BYTES, .data = item->key,
                                  .len = item->key_len};
    if (item->value_len > 0)
        record.value = (ferry_data){.kind = FERRY_DATA_BYTES, .data = item->lines +
                                    item->value_at, .len = item->value_len};
    return record;
}

/* Deals with the documents the writer handed back. FERRY_ERROR when the task must fail. */
static ferry_status es_task_reports(es_task *task, char *err, size_t errlen)
{
    es_report *reports;
    size_t count = es_writer_take_reports(task->writer, &reports);
    size_t handled = 0;
    ferry_status status = FERRY_OK;
    for (; handled < count; handled++) {
        const es_report *report = &reports[handled];
        ferry_record record = es_report_record(report);
        char message[1400];
        snprintf(message, sizeof(message), "Elasticsearch rejected the document of %s-%" PRId32
                 " offset %" PRId64 ": %s", record.topic, record.partition, record.kafka_offset,
                 report->error ? report->error : "(no reason)");
        bool malformed = report->outcome == ES_OUTCOME_MALFORMED;
        es_malformed_behavior behavior = task->settings.malformed_behavior;
        if (malformed && behavior != ES_MALFORMED_FAIL) {
            es_host->log(task->ctx, behavior == ES_MALFORMED_WARN ? FERRY_LOG_WARN
                                                                  : FERRY_LOG_DEBUG,
                         "%s (behavior.on.malformed.documents=%s: skipped)", message,
                         behavior == ES_MALFORMED_WARN ? "warn" : "ignore");
            /* Into the dead-letter queue when there is one, never a failure. */
            if (!(task->settings.tolerate_all && task->settings.has_dlq))
                continue;
        }
        if (es_host->record_error_report(task->ctx, &record, message) != FERRY_OK) {
            ferry_error_set(err, errlen, "%s", message);
            status = FERRY_ERROR;
            break;
        }
    }
    /* The ones handled are finished; on failure the failing one and the rest stay pending. */
    es_writer_reported(task->writer, reports, handled, true);
    es_writer_reported(task->writer, reports + handled, count - handled, false);
    free(reports);
    return status;
}

/* Reports, then the writer's own failure. */
static ferry_status es_task_check(es_task *task, char *err, size_t errlen)
{
    if (es_task_reports(task, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    if (es_writer_failed(task->writer, err, errlen))
        return FERRY_ERROR;
    return FERRY_OK;
}

/* ---- mappings ----------------------------------------------------------------------------- */

static void es_task_remember_mapped(es_task *task, const char *index)
{
    strlist_append(&task->mapped, index, (size_t)-1); /* failing only costs a second look */
}

/* Whether an index's mapping has no field yet. */
static bool es_mapping_is_empty(const strbuf *answer)
{
    json_t *root = answer->data ? json_loadb(answer->data, answer->len, 0, NULL) : NULL;
    const char *name;
    json_t *index;
    bool empty = true;
    json_object_foreach(root, name, index) {
        json_t *properties = json_object_get(json_object_get(index, "mappings"), "properties");
        if (json_object_size(properties) > 0)
            empty = false;
    }
    json_decref(root);
    return empty;
}

/* Sends a mapping request; FERRY_RETRY when Elasticsearch is unavailable. */
static ferry_status es_task_mapping_request(es_task *task, const char *method, const char *path,
                                            const char *body, long *status, strbuf *answer,
                                            char *err, size_t errlen)
{
    es_failure failure;
    char why[600];
    if (es_client_request(task->client, method, path, body, status, answer, &failure, why,
                          sizeof(why)) == 0)
        return FERRY_OK;
    ferry_error_set(err, errlen, "cannot create the index mapping: %s", why);
    return failure == ES_FAILURE_FATAL ? FERRY_ERROR : FERRY_RETRY;
}

/* With schema.ignore=false: the index of a record with a schema gets a mapping made from it
 * before its first document (Confluent's connector does the same at the first record). */
static ferry_status es_task_ensure_mapping(es_task *task, const char *index, const json_t *schema,
                                           char *err, size_t errlen)
{
    if (strlist_contains(&task->mapped, index))
        return FERRY_OK;
    char why[300];
    json_t *mapping = es_mapping_from_schema(schema, task->settings.compact_map_entries, why,
                                             sizeof(why));
    if (!mapping || !json_object_get(mapping, "properties")) {
        if (!mapping)
            es_host->log(task->ctx, FERRY_LOG_WARN, "index %s: no mapping made from the record "
                         "schema (%s); Elasticsearch maps the fields dynamically", index, why);
        json_decref(mapping);
        es_task_remember_mapped(task, index);
        return FERRY_OK;
    }
    char *escaped = es_client_escape(task->client, index);
    json_t *create = json_pack("{s:O}", "mappings", mapping);
    char *create_body = create ? json_dumps(create, JSON_COMPACT) : NULL;
    char *mapping_body = json_dumps(mapping, JSON_COMPACT);
    char *path = NULL, *mapping_path = NULL;
    ferry_status status = FERRY_ERROR;
    strbuf answer = {0};
    if (!escaped || !create_body || !mapping_body ||
        asprintf(&path, "/%s", escaped) < 0 ||
        asprintf(&mapping_path, "/%s/_mapping", escaped) < 0) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    long http = 0;
    status = es_task_mapping_request(task, "PUT", path, create_body, &http, &answer, err, errlen);
    if (status != FERRY_OK)
        goto done;
    if (http == 400 && answer.data && strstr(answer.data, "resource_already_exists_exception")) {
        status = es_task_mapping_request(task, "GET", mapping_path, NULL, &http, &answer, err,
                                         errlen);
        if (status != FERRY_OK)
            goto done;
        if (http == 200 && es_mapping_is_empty(&answer)) {
            status = es_task_mapping_request(task, "PUT", mapping_path, mapping_body, &http,
                                             &answer, err, errlen);
            if (status != FERRY_OK)
                goto done;
        } else if (http == 200) {
            es_host->log(task->ctx, FERRY_LOG_INFO, "index %s exists with a mapping: kept",
                         index);
            http = 200;
        }
    }
    if (http == 429 || http >= 500) {
        ferry_error_set(err, errlen, "cannot create the mapping of index %s: HTTP %ld", index,
                        http);
        status = FERRY_RETRY;
        goto done;
    }
    if (http >= 300) {
        char summary[400];
        es_error_summary(answer.data, answer.len, summary, sizeof(summary));
        es_host->log(task->ctx, FERRY_LOG_WARN, "index %s: the mapping from the record schema "
                     "was refused (HTTP %ld: %s); documents are written anyway", index, http,
                     summary);
    } else {
        es_host->log(task->ctx, FERRY_LOG_INFO, "index %s: mapping made from the record schema",
                     index);
    }
    es_task_remember_mapped(task, index);
    status = FERRY_OK;
done:
    strbuf_free(&answer);
    free(escaped);
    free(create_body);
    free(mapping_body);
    free(path);
    free(mapping_path);
    json_decref(create);
    json_decref(mapping);
    return status;
}

/* ---- waiting ------------------------------------------------------------------------------ */

/* What a task waits for: room in the buffer, or the acknowledgement of what it commits. */
typedef struct es_wait_for {
    const ferry_topic_partition *offsets; /* NULL: room */
    size_t count;
} es_wait_for;

/* Waits until deadline in slices (the status and metrics stay current), handing reports to the
 * error handling on the way. ES_WAIT_DONE or ES_WAIT_TIMEOUT; ES_WAIT_FAILED with err set. */
static es_wait es_task_wait(es_task *task, const es_wait_for *what, int64_t deadline, char *err,
                            size_t errlen)
{
    for (;;) {
        int64_t slice = clock_monotonic_ms() + ES_WAIT_SLICE_MS;
        int64_t until = slice < deadline ? slice : deadline;
        es_wait wait = what->offsets
                           ? es_writer_wait_flushed(task->writer, what->offsets, what->count,
                                                    until)
                           : es_writer_wait_room(task->writer, until);
        if (wait == ES_WAIT_TIMEOUT && clock_monotonic_ms() < deadline) {
            es_task_publish(task, what->offsets != NULL);
            continue;
        }
        if (wait == ES_WAIT_REPORTS) {
            if (es_task_reports(task, err, errlen) != FERRY_OK)
                return ES_WAIT_FAILED;
            continue;
        }
        if (wait == ES_WAIT_FAILED)
            es_writer_failed(task->writer, err, errlen);
        return wait;
    }
}

/* ---- put ---------------------------------------------------------------------------------- */

/* The partition run of a record; -1 when out of memory. */
static int es_task_run(es_task *task, const ferry_record *record)
{
    if (task->run_valid && record->partition == task->run_partition &&
        strcmp(record->topic, task->run_topic) == 0)
        return 0;
    if (es_writer_partition(task->writer, record->topic, record->partition, &task->run_slot,
                            &task->run_generation, &task->run_accepted_next) != 0)
        return -1;
    /* Kafka topic names are at most 249 characters; a longer one is just not cached. */
    task->run_valid = strlen(record->topic) < sizeof(task->run_topic);
    if (task->run_valid)
        memcpy(task->run_topic, record->topic, strlen(record->topic) + 1);
    task->run_partition = record->partition;
    return 0;
}

static void es_task_skip(es_task *task, const ferry_record *record)
{
    es_writer_skip(task->writer, task->run_slot, record->kafka_offset);
    task->run_accepted_next = record->kafka_offset + 1;
}

/* One record into the writer. FERRY_OK also when it was skipped or handed to the error
 * handling; FERRY_RETRY when its index mapping could not be made yet. */
static ferry_status es_task_take(es_task *task, const ferry_record *record, char *err,
                                 size_t errlen)
{
    const es_settings *settings = &task->settings;
    if (record->value.kind == FERRY_DATA_JSON && record->value.schema &&
        !es_settings_schema_ignored(settings, record->topic) &&
        !es_settings_is_data_stream(settings) && settings->resource_usage == ES_RESOURCE_DISABLED) {
        const char *index = es_document_index(&task->builder, record->topic);
        ferry_status status = es_task_ensure_mapping(task, index, record->value.schema, err,
                                                     errlen);
        if (status != FERRY_OK)
            return status;
    }
    /* Headers come on demand (FERRY_SINK_HEADERS_ON_DEMAND): only external.version.header
     * reads them. */
    ferry_record with_headers;
    const ferry_record *source = record;
    if (settings->version_header && FERRY_HOST_HAS(es_host, record_headers)) {
        with_headers = *record;
        with_headers.headers =
            es_host->record_headers(task->ctx, record, &with_headers.header_count);
        source = &with_headers;
    }
    es_item *item = NULL;
    char why[600];
    switch (es_document_build(&task->builder, source, &item, why, sizeof(why))) {
    case ES_DOCUMENT_OK:
        item->slot = task->run_slot;
        item->generation = task->run_generation;
        if (es_writer_submit(task->writer, item) != 0) {
            es_item_free(item);
            return ferry_error_set(err, errlen, "out of memory queueing a document");
        }
        task->run_accepted_next = record->kafka_offset + 1;
        return FERRY_OK;
    case ES_DOCUMENT_SKIP:
        es_task_skip(task, record);
        return FERRY_OK;
    case ES_DOCUMENT_INVALID:
        break;
    case ES_DOCUMENT_NOMEM:
        return ferry_error_set(err, errlen, "out of memory building a document");
    }
    if (settings->drop_invalid) {
        if (task->invalid_dropped++ < 5 || task->invalid_dropped % 1000 == 0)
            es_host->log(task->ctx, FERRY_LOG_WARN, "dropped %s-%" PRId32 " offset %" PRId64
                         " (drop.invalid.message=true, %" PRIu64 " so far): %s", record->topic,
                         record->partition, record->kafka_offset, task->invalid_dropped, why);
        es_task_skip(task, record);
        return FERRY_OK;
    }
    if (es_host->record_error_report(task->ctx, record, why) != FERRY_OK)
        return ferry_error_set(err, errlen, "%s-%" PRId32 " offset %" PRId64 ": %s",
                               record->topic, record->partition, record->kafka_offset, why);
    es_task_skip(task, record);
    return FERRY_OK;
}

static ferry_status es_task_put(void *state, const ferry_record *records, size_t count,
                                char *err, size_t errlen)
{
    es_task *task = state;
    if (es_task_check(task, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    int64_t deadline = clock_monotonic_ms() + ES_PUT_WAIT_MAX_MS;
    ferry_status status = FERRY_OK;
    size_t taken = 0;
    for (size_t i = 0; i < count && status == FERRY_OK; i++) {
        const ferry_record *record = &records[i];
        if (es_task_run(task, record) != 0) {
            status = ferry_error_set(err, errlen, "out of memory tracking partitions");
            break;
        }
        if (task->run_accepted_next >= 0 && record->kafka_offset < task->run_accepted_next)
            continue; /* taken by an earlier call with this batch */
        while (!es_writer_has_room(task->writer)) {
            es_writer_kick(task->writer);
            es_wait_for room = {NULL, 0};
            es_wait wait = es_task_wait(task, &room, deadline, err, errlen);
            if (wait == ES_WAIT_DONE)
                continue; /* the loop checks the room again */
            if (wait == ES_WAIT_FAILED)
                return FERRY_ERROR;
            es_writer_stats stats;
            es_writer_stats_get(task->writer, &stats);
            ferry_error_set(err, errlen, "%zu documents waiting for Elasticsearch "
                            "(max.buffered.records=%d): consumer paused; %zu of %zu records "
                            "taken", stats.buffered, task->settings.max_buffered, taken, count);
            status = FERRY_RETRY;
            break;
        }
        if (status != FERRY_OK)
            break;
        status = es_task_take(task, record, err, errlen);
        if (status == FERRY_OK)
            taken++;
    }
    es_writer_kick(task->writer);
    es_task_publish(task, status != FERRY_OK);
    return status;
}

/* ---- flush -------------------------------------------------------------------------------- */

static ferry_status es_task_flush(void *state, ferry_topic_partition *offsets, size_t count,
                                  char *err, size_t errlen)
{
    es_task *task = state;
    if (es_task_check(task, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    int64_t wait_ms = task->settings.flush_timeout_ms < ES_FLUSH_WAIT_MAX_MS
                          ? task->settings.flush_timeout_ms : ES_FLUSH_WAIT_MAX_MS;
    es_writer_stats stats;
    es_writer_stats_get(task->writer, &stats);
    /* Nothing acknowledged since a flush gave up waiting: Elasticsearch is away; do not hold
     * the task's thread, commit what is finished. */
    if (task->stalled_acked >= 0 && (uint64_t)task->stalled_acked == stats.acked)
        wait_ms = 0;
    int64_t deadline = clock_monotonic_ms() + wait_ms;
    es_wait_for acknowledged = {offsets, count};
    es_wait wait = es_task_wait(task, &acknowledged, deadline, err, errlen);
    if (wait == ES_WAIT_FAILED)
        return FERRY_ERROR;
    es_writer_stats_get(task->writer, &stats);
    task->stalled_acked = wait == ES_WAIT_DONE ? -1 : (int64_t)stats.acked;
    es_writer_committable(task->writer, offsets, count);
    es_task_publish(task, true);
    return FERRY_OK;
}

/* ---- partitions --------------------------------------------------------------------------- */

static ferry_status es_task_close(void *state, const ferry_topic_partition *partitions,
                                  size_t count, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    es_task *task = state;
    for (size_t i = 0; i < count; i++)
        es_writer_close_partition(task->writer, partitions[i].topic, partitions[i].partition);
    task->run_valid = false; /* slots' generations changed */
    return FERRY_OK;
}

/* ---- start and stop ----------------------------------------------------------------------- */

/* Learns which server answers (Elasticsearch 8 or 9, OpenSearch, ...) and refuses one the sink
 * cannot write to. A server that cannot tell (away, or the user may not ask) is written to
 * anyway: the bulk requests are the same for every supported server. */
static ferry_status es_task_learn_server(es_task *task, char *err, size_t errlen)
{
    char why[600], name[64];
    if (es_server_detect(task->client, &task->server, why, sizeof(why)) != 0) {
        es_host->log(task->ctx, FERRY_LOG_WARN, "cannot tell which server answers at %s (%s): "
                     "writing as to Elasticsearch 7 or later or OpenSearch",
                     task->settings.urls[0], why);
        return FERRY_OK;
    }
    es_server_describe(&task->server, name, sizeof(name));
    if (es_server_check(&task->server, es_settings_is_data_stream(&task->settings), why,
                        sizeof(why)) != 0)
        return ferry_error_set(err, errlen, "%s: %s", task->settings.urls[0], why);
    es_host->log(task->ctx, FERRY_LOG_INFO, "connected to %s at %s", name,
                 task->settings.urls[0]);
    return FERRY_OK;
}

static void es_task_stop(void *state)
{
    es_task *task = state;
    if (!task)
        return;
    if (task->writer) {
        es_writer_stats stats;
        es_writer_stats_get(task->writer, &stats);
        es_host->log(task->ctx, FERRY_LOG_INFO, "stopping: %" PRIu64 " documents acknowledged, "
                     "%" PRIu64 " rejected, %" PRIu64 " items sent in %" PRIu64 " bulk requests "
                     "(%" PRIu64 " failed as a whole, %" PRIu64 " partly), %" PRIu64 " items "
                     "retried, %zu documents not acknowledged", stats.acked, stats.failed,
                     stats.sent, stats.requests, stats.requests_failed, stats.partial,
                     stats.retried, stats.buffered);
        es_writer_destroy(task->writer);
    }
    es_client_destroy(task->client);
    es_document_builder_free(&task->builder);
    strlist_free(&task->mapped);
    if (task->settings_loaded)
        es_settings_free(&task->settings);
    free(task);
}

static ferry_status es_task_start(ferry_context *ctx, const ferry_config *config, void **state,
                                  char *err, size_t errlen)
{
    es_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    task->ctx = ctx;
    task->stalled_acked = -1;
    /* Always there on a host that loads this plugin (ABI 1.2); the test names what is wrong
     * should a host forget it. */
    if (!FERRY_HOST_HAS(es_host, json_check)) {
        free(task);
        return ferry_error_set(err, errlen, "the worker offers no JSON check (ABI 1.2 service "
                               "json_check)");
    }
    if (es_settings_load(es_host, config, &task->settings, err, errlen) != 0) {
        free(task);
        return FERRY_ERROR;
    }
    task->settings_loaded = true;
    es_document_builder_init(&task->builder, &task->settings);
    task->client = es_client_new(&task->settings, err, errlen);
    if (!task->client || es_task_learn_server(task, err, errlen) != FERRY_OK)
        goto fail;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t seed = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^ (uintptr_t)task;
    task->writer = es_writer_new(&task->settings, task->client, seed, err, errlen);
    if (!task->writer)
        goto fail;
    *state = task;
    return FERRY_OK;
fail:
    es_task_stop(task);
    return FERRY_ERROR;
}

const ferry_sink_task_callbacks es_sink_task = {
    .start = es_task_start,
    .close = es_task_close,
    .put = es_task_put,
    .flush = es_task_flush,
    .stop = es_task_stop,
};
