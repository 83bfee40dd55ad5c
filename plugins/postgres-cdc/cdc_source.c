/*
 * cdc_source.c - the PostgresCdcSource task (see cdc_source.h).
 *
 * One thread, no locks: the runtime calls start, poll, commit and stop from the task's thread.
 * cdc_events turns a change message into up to three records (delete + tombstone + create for a
 * key change, plus a transaction BEGIN); they wait in `pending` until the runtime took all of
 * them, so a RETRY from record_emit loses nothing and the next message is read only once the
 * current one is out. The offset rides on the last record of each message.
 */
#include "cdc_source.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cdc_config.h"
#include "cdc_events.h"
#include "cdc_incremental.h"
#include "cdc_signal_kafka.h"
#include "cdc_offset.h"
#include "cdc_plugin.h"
#include "debezium_envelope.h"
#include "pg_catalog.h"
#include "pg_connection.h"
#include "pg_incremental.h"
#include "pg_slot_publication.h"
#include "pg_slot_takeover.h"
#include "pg_snapshot.h"
#include "pg_stream.h"
#include "pgoutput_decoder.h"
#include "support/array.h"
#include "support/clock.h"
#include "support/strbuf.h"

#define RECONNECT_FIRST_MS 1000
#define TAKEOVER_POLL_MS 100    /* looking again whether a terminated walsender let go */
#define TAKEOVER_WAIT_MS 10000  /* then it counts as holding the slot like any other */
#define METRICS_INTERVAL_MS 1000
#define CDC_ERR 1024

typedef enum source_phase {
    PHASE_WAIT_SLOT,     /* the slot is active in another process: retry later */
    PHASE_CREATE_SLOT,   /* CREATE_REPLICATION_SLOT in flight */
    PHASE_SNAPSHOT_WAIT, /* snapshot.delay.ms */
    PHASE_SNAPSHOT,
    PHASE_START_STREAM,  /* START_REPLICATION in flight */
    PHASE_STREAMING,
    PHASE_RECONNECT,     /* waiting before / while reconnecting */
    PHASE_IDLE,          /* initial_only: the snapshot is done, nothing more to do */
} source_phase;

typedef struct table_entry {
    uint32_t oid;
    pg_table_meta *meta;
    dbz_table *table; /* NULL: not captured */
} table_entry;

typedef struct cdc_source {
    ferry_context *ctx;
    cdc_config config;
    dbz_context dbz;
    cdc_events events;        /* the translation, and the transaction's xid and commit time */
    pg_type_registry *types;
    PGconn *conn; /* the regular connection */
    int server_version;
    pg_stream stream;
    bool replication_connecting;
    pgo_decoder *decoder;
    json_t *partition;
    source_phase phase;
    int64_t phase_until_ms;
    bool command_sent;
    int slot_attempts;
    int64_t reconnect_delay_ms;
    int stream_pid;              /* the walsender of this task's last stream; 0: none yet */
    int takeover_pid;            /* a stale walsender of this task, terminated, not gone yet */
    int64_t takeover_until_ms;   /* how long to wait for it */

    /* the plan made at start */
    cdc_offset offset;
    bool need_snapshot;
    bool announce_skipped;     /* the SKIPPED notification is still to be sent */
    bool stream_after_snapshot;
    bool need_slot;
    bool slot_exists;
    uint64_t start_lsn;
    uint64_t snapshot_lsn;
    char snapshot_name[128];

    /* tables by OID */
    table_entry *tables;
    size_t table_count, table_capacity;
    size_t last_table;
    pg_snapshot *snapshot;
    int64_t snapshot_rows;
    int64_t snapshot_progress_ms; /* when the snapshot's progress is next reported */
    size_t snapshot_progress_table; /* the table its last report was about */
    /* The snapshot's latest row, held back until the next one: the snapshot's last row is
     * marked "last" even when the tables after its own are empty, as Debezium does. */
    cdc_events_record held;
    int64_t held_ts_us;

    /* the stream */
    uint64_t lsn_proc;        /* every transaction committed before it is delivered */
    bool in_tx;
    uint64_t tx_final_lsn;
    int64_t tx_messages;      /* change messages of the transaction so far */
    int64_t tx_skip;          /* the first tx_skip were delivered before a restart */
    bool tx_skip_all;
    /* A whole snapshot read in a fresh transaction while the slot already existed (always,
     * when_needed, initial without an offset): the stream starts behind it, and skips the
     * transactions it already holds. */
    bool skip_seen;
    pg_txid_snapshot seen;
    uint64_t resume_commit;   /* of this transaction ... */
    int64_t resume_events;    /* ... that many change messages are delivered */
    uint64_t emitted_commit;  /* the last change message fully emitted: its transaction */
    int64_t emitted_events;   /* and its number */

    /* confirming */
    json_t *last_emitted_offset;
    bool all_committed;       /* every emitted offset is committed */
    uint64_t confirmed_lsn;
    bool reply_requested;

    /* records of the current message not yet taken by the runtime: pending.records from
     * pending_next on */
    cdc_events_batch pending;
    size_t pending_next;
    /* the __debezium.context.* headers of change events, the key header's slot first */
    char run_id[37];
    ferry_header headers[5];
    bool pending_is_change;
    uint64_t pending_commit;
    int64_t pending_events;

    /* transaction.boundary=connector: events emitted into the open Kafka transaction, and
     * whether a database transaction ended since */
    int64_t kafka_tx_events;
    bool kafka_tx_end_due;

    /* incremental snapshots (cdc_incremental.h): the signal table's name, the context, the
     * stream position of the message that closed the chunk's window */
    char *signal_schema, *signal_table;
    cdc_incremental incremental;
    cdc_signal_kafka *signal_kafka; /* the kafka signal channel, NULL when not enabled */
    bool signal_kafka_failing;      /* its last read failed: logged once until it reads again */
    uint64_t incremental_lsn;
    int watermark_session;    /* backend pid of the session set up for watermark writes */
    int64_t incremental_next_chunk_ms; /* incremental.snapshot.max.rows.per.second: not before */
    pgo_value *incremental_values;
    size_t incremental_value_capacity;

    int64_t next_heartbeat_ms;
    int64_t next_metrics_ms;
    bool problem_set;
    bool warned_unsupported;
} cdc_source;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */

static void source_log(cdc_source *source, ferry_log_level level, const char *fmt, ...)
    FERRY_PRINTF(3, 4);

static void source_log(cdc_source *source, ferry_log_level level, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cdc_host->log(source->ctx, level, "%s", line);
}

static void source_problem(cdc_source *source, const char *message)
{
    if (!FERRY_HOST_HAS(cdc_host, status_problem))
        return;
    if (!message && !source->problem_set)
        return;
    cdc_host->status_problem(source->ctx, message);
    source->problem_set = message != NULL;
}

static char *source_lsn(uint64_t lsn, char *buf)
{
    return pg_lsn_format(lsn, buf, 24);
}

static void pending_clear(cdc_source *source)
{
    cdc_events_batch_clear(&source->pending);
    source->pending_next = 0;
    source->pending_is_change = false;
}

/* Hands the queued records to the runtime. RETRY: the buffer is full, the rest waits. */
static ferry_status source_emit_pending(cdc_source *source, int *emitted, char *err,
                                        size_t errlen)
{
    while (source->pending_next < source->pending.count) {
        cdc_events_record *p = &source->pending.records[source->pending_next];
        const ferry_header *headers = NULL;
        size_t header_count = 0;
        if (p->change) {
            headers = source->headers + 1;
            header_count = 4;
            if (p->key_header) {
                source->headers[0] = (ferry_header){.key = p->key_header,
                                                    .value = p->key_header_value,
                                                    .value_len = strlen(p->key_header_value)};
                headers = source->headers;
                header_count = 5;
            }
        }
        if (p->offset && source->phase == PHASE_STREAMING &&
            cdc_incremental_offset_add(&source->incremental, p->offset) != 0)
            return ferry_error_set(err, errlen, "out of memory");
        ferry_record record = {
            .topic = p->owned_topic ? p->owned_topic : p->topic,
            .partition = FERRY_PARTITION_ANY,
            .key = p->key ? (ferry_data){.kind = FERRY_DATA_JSON, .json = p->key,
                                         .schema = p->key_schema}
                          : (ferry_data){.kind = FERRY_DATA_NULL},
            .value = p->value ? (ferry_data){.kind = FERRY_DATA_JSON, .json = p->value,
                                             .schema = p->value_schema}
                              : (ferry_data){.kind = FERRY_DATA_NULL},
            .headers = headers,
            .header_count = header_count,
            .timestamp_ms = FERRY_TIMESTAMP_NONE,
            .source_partition = source->partition,
            .source_offset = p->offset,
        };
        ferry_status status = cdc_host->record_emit(source->ctx, &record);
        if (status == FERRY_RETRY)
            return FERRY_RETRY;
        if (status != FERRY_OK)
            return ferry_error_set(err, errlen, "the worker refused a record for topic %s",
                                   record.topic);
        if (p->offset) {
            json_decref(source->last_emitted_offset);
            source->last_emitted_offset = json_incref(p->offset);
            source->all_committed = false;
        }
        cdc_events_record_release(p);
        source->pending_next++;
        source->kafka_tx_events++;
        (*emitted)++;
    }
    if (source->pending_is_change) {
        source->emitted_commit = source->pending_commit;
        source->emitted_events = source->pending_events;
    }
    pending_clear(source);
    return FERRY_OK;
}

/* transaction.boundary=connector (the host ignores the call otherwise), between messages: a
 * database transaction's COMMIT ends the Kafka transaction holding its events, a long one is
 * split every transaction.max.events, and at the end of a poll (idle) what was emitted outside
 * any database transaction (snapshot rows, heartbeats) is committed. */
static void source_transaction_bound(cdc_source *source, bool idle)
{
    if (source->pending.count > 0 || !FERRY_HOST_HAS(cdc_host, transaction_commit))
        return;
    bool due = source->kafka_tx_end_due || (idle && !source->in_tx) ||
               source->kafka_tx_events >= source->config.transaction_max_events;
    if (!due)
        return;
    if (source->kafka_tx_events > 0)
        cdc_host->transaction_commit(source->ctx);
    source->kafka_tx_events = 0;
    source->kafka_tx_end_due = false;
}

/* ------------------------------------------------------------------------------------------ */
/* Tables                                                                                     */

static void table_entry_release(table_entry *entry)
{
    pg_table_meta_free(entry->meta);
    dbz_table_destroy(entry->table);
    memset(entry, 0, sizeof(*entry));
}

static table_entry *source_table_find(cdc_source *source, uint32_t oid)
{
    if (source->last_table < source->table_count &&
        source->tables[source->last_table].oid == oid)
        return &source->tables[source->last_table];
    for (size_t i = 0; i < source->table_count; i++) {
        if (source->tables[i].oid == oid) {
            source->last_table = i;
            return &source->tables[i];
        }
    }
    return NULL;
}

/* cdc_events' view of the tables: known when a Relation message (or the snapshot) loaded it. */
static bool source_table_lookup(void *lookup_ctx, uint32_t relation_oid, const dbz_table **table)
{
    table_entry *entry = source_table_find(lookup_ctx, relation_oid);
    *table = entry ? entry->table : NULL;
    return entry != NULL;
}

/* Describes a table and builds its schemas; replaces an earlier entry. stream_columns: a
 * Relation message's (NULL for the catalog's). */
static table_entry *source_table_load(cdc_source *source, uint32_t oid,
                                      const pgo_column *stream_columns, size_t column_count,
                                      char *err, size_t errlen)
{
    pg_table_meta *meta = NULL;
    if (pg_catalog_describe(source->conn, source->server_version, oid, &meta, err, errlen) != 0)
        return NULL;
    table_entry *entry = source_table_find(source, oid);
    if (!entry) {
        if (array_reserve(&source->tables, &source->table_capacity, source->table_count + 1,
                          sizeof(*source->tables)) != 0) {
            pg_table_meta_free(meta);
            return ferry_error_set(err, errlen, "out of memory"), NULL;
        }
        entry = &source->tables[source->table_count++];
    } else {
        table_entry_release(entry);
    }
    entry->oid = oid;
    entry->meta = meta;
    if (meta && cdc_config_table_captured(&source->config, meta->schema_name, meta->table_name)) {
        entry->table = pg_catalog_build_table(meta, stream_columns, column_count, &source->config,
                                              &source->dbz, source->types, err, errlen);
        if (!entry->table)
            return NULL;
    }
    return entry;
}

/* ------------------------------------------------------------------------------------------ */
/* Offsets and confirmation                                                                   */

static json_t *source_stream_offset(cdc_source *source, uint64_t event_lsn)
{
    cdc_position position = {
        .lsn_proc = source->lsn_proc,
        .lsn_commit = source->in_tx ? source->tx_final_lsn : 0,
        .tx_event = source->in_tx ? source->tx_messages : -1,
        .lsn = event_lsn,
        .tx_id = source->in_tx ? (int64_t)source->events.xid : -1,
        .ts_usec = source->in_tx ? source->events.commit_us : 0,
    };
    return cdc_offset_streaming(&position);
}

/* Nothing emitted waits for a commit, no transaction is open, nothing is queued: a position
 * past everything delivered covers no record and may be confirmed. */
static bool source_quiescent(const cdc_source *source)
{
    return source->phase == PHASE_STREAMING && !source->in_tx && source->pending.count == 0 &&
           (source->all_committed || !source->last_emitted_offset);
}

static void source_send_status(cdc_source *source, bool reply)
{
    if (!source->stream.conn || !source->stream.streaming)
        return;
    char why[512];
    uint64_t flushed = source->config.flush_lsn_source ? source->confirmed_lsn : 0;
    if (pg_stream_send_status(&source->stream, flushed, reply, why, sizeof why) != 0)
        source_log(source, FERRY_LOG_WARN, "%s", why); /* the next read notices the break */
}

static void source_confirm(cdc_source *source, uint64_t lsn)
{
    if (lsn > source->confirmed_lsn)
        source->confirmed_lsn = lsn;
}

/* A row read by a snapshot (what: "snapshot", "incremental snapshot") as a read event into
 * pending; *record NULL when a bad value skipped it (event.processing.failure.handling.mode). */
static ferry_status source_read_event(cdc_source *source, const dbz_table *table,
                                      const pgo_value *values, size_t count,
                                      const dbz_source_info *info, int64_t now_us,
                                      const char *what, cdc_events_record **record, char *err,
                                      size_t errlen)
{
    char why[CDC_ERR];
    *record = NULL;
    switch (cdc_events_snapshot_row(&source->events, table, values, count, info, now_us,
                                    &source->pending, record, why, sizeof why)) {
    case CDC_EVENTS_OK:
        return FERRY_OK;
    case CDC_EVENTS_NO_MEMORY:
        pending_clear(source);
        return ferry_error_set(err, errlen, "out of memory");
    case CDC_EVENTS_BAD_VALUE:
        break;
    }
    pending_clear(source);
    *record = NULL;
    if (source->config.failure_mode == CDC_FAILURE_FAIL)
        return ferry_error_set(err, errlen, "%s of %s: %s", what, table->id, why);
    if (source->config.failure_mode == CDC_FAILURE_WARN)
        source_log(source, FERRY_LOG_WARN, "%s of %s: skipping a row: %s", what, table->id, why);
    return FERRY_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Incremental snapshots (cdc_incremental.h)                                                  */

static void source_reconnect_later(cdc_source *source, const char *why);

static bool source_is_signal_table(cdc_source *source, uint32_t oid)
{
    if (!source->signal_table)
        return false;
    table_entry *entry = source_table_find(source, oid);
    return entry && entry->meta && strcmp(entry->meta->schema_name, source->signal_schema) == 0 &&
           strcmp(entry->meta->table_name, source->signal_table) == 0;
}

/* Queues a notification of the incremental snapshot (sink channel) and logs it (log channel).
 * extra: more additional_data (borrowed, may be NULL). */
static ferry_status source_notify(cdc_source *source, cdc_notification_type type,
                                  const json_t *extra, char *err, size_t errlen)
{
    const cdc_config *config = &source->config;
    bool initial = type == CDC_NOTIFY_SKIPPED;
    if (initial && (config->notification_log || config->notification_sink))
        source_log(source, FERRY_LOG_INFO, "initial snapshot SKIPPED");
    else if (config->notification_log || !config->notification_sink)
        source_log(source, FERRY_LOG_INFO, "incremental snapshot %s%s%s",
                   cdc_notification_type_name(type),
                   source->incremental.count ? ", tables " : "",
                   source->incremental.count ? source->incremental.collections[0].id : "");
    if (!config->notification_sink)
        return FERRY_OK;
    json_t *data = cdc_incremental_notification_data(&source->incremental, type,
                                                     config->topic_prefix, extra);
    char id[37];
    if (source->incremental.correlation_id && !initial) {
        snprintf(id, sizeof id, "%s", source->incremental.correlation_id);
    } else {
        uint8_t random[10] = {0};
        if (getrandom(random, sizeof random, GRND_NONBLOCK) != (ssize_t)sizeof random)
            source_log(source, FERRY_LOG_DEBUG, "getrandom gave too few bytes for an id");
        dbz_run_id(clock_wall_us() / 1000, random, id);
    }
    if (!data || !cdc_incremental_notification(config->notification_topic, id, type, data,
                                               clock_wall_us() / 1000, &source->pending))
        return ferry_error_set(err, errlen, "out of memory building a notification");
    return FERRY_OK;
}

/* The table being read is done (status: Debezium's TableScanCompletionStatus). */
static ferry_status source_incremental_table_done(cdc_source *source, const char *status,
                                                  char *err, size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    char *id = inc->count ? strdup(inc->collections[0].id) : NULL;
    char rows[32];
    snprintf(rows, sizeof rows, "%lld", (long long)inc->table_rows);
    json_t *extra = json_pack("{s:s, s:s, s:s}", "scanned_collection", id ? id : "",
                              "total_rows_scanned", rows, "status", status);
    free(id);
    if (!extra)
        return ferry_error_set(err, errlen, "out of memory");
    ferry_status rc = source_notify(source, CDC_NOTIFY_TABLE_SCAN_COMPLETED, extra, err, errlen);
    json_decref(extra);
    cdc_incremental_table_done(inc);
    if (rc == FERRY_OK && !cdc_incremental_active(inc)) {
        source_log(source, FERRY_LOG_INFO, "incremental snapshot complete: %lld rows",
                   (long long)inc->rows_emitted);
        rc = source_notify(source, CDC_NOTIFY_COMPLETED, NULL, err, errlen);
    }
    return rc;
}

/* The table's entry with its schemas, loaded when no Relation message described it yet. */
static table_entry *source_incremental_table(cdc_source *source, uint32_t oid, char *why,
                                             size_t whylen)
{
    table_entry *entry = source_table_find(source, oid);
    if (entry && entry->meta)
        return entry;
    return source_table_load(source, oid, NULL, 0, why, whylen);
}

/* Checks a table named by execute-snapshot: it exists, is captured and has a key. NULL: it is
 * refused, with why. */
static table_entry *source_incremental_check(cdc_source *source, const char *id, char *why,
                                             size_t whylen)
{
    uint32_t oid = 0;
    int found = pg_incremental_table_oid(source->conn, id, &oid, why, whylen);
    if (found != 0) {
        if (found > 0)
            snprintf(why, whylen, "there is no table %s", id);
        return NULL;
    }
    table_entry *entry = source_incremental_table(source, oid, why, whylen);
    if (!entry)
        return NULL;
    if (!entry->table) {
        snprintf(why, whylen, "table %s is not captured (table.include.list and the other "
                              "filters): add it to them first", id);
        return NULL;
    }
    if (entry->table->key_count == 0) {
        snprintf(why, whylen,
                 "table %s has no primary key and message.key.columns names no key for it: an "
                 "incremental snapshot reads by key, so it is refused",
                 id);
        return NULL;
    }
    return entry;
}

static ferry_status source_signal_execute(cdc_source *source, const cdc_signal *signal,
                                          char *err, size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    if (signal->blocking) {
        source_log(source, FERRY_LOG_WARN,
                   "signal '%s': blocking snapshots are not supported; use type incremental",
                   signal->id);
        return FERRY_OK;
    }
    bool was_active = cdc_incremental_active(inc);
    size_t added = 0;
    for (size_t i = 0; i < signal->collection_count; i++) {
        char why[CDC_ERR];
        if (!source_incremental_check(source, signal->collections[i], why, sizeof why)) {
            source_log(source, FERRY_LOG_WARN, "signal '%s' (execute-snapshot): %s; skipped",
                       signal->id, why);
            continue;
        }
        if (cdc_incremental_add(inc, signal->collections[i], signal->conditions[i]) != 0)
            return ferry_error_set(err, errlen, "out of memory");
        added++;
    }
    if (!added || was_active)
        return FERRY_OK;
    free(inc->correlation_id);
    inc->correlation_id = strdup(signal->id);
    inc->paused = false;
    inc->chunks = inc->rows_emitted = 0;
    source_log(source, FERRY_LOG_INFO, "incremental snapshot of %zu tables started by signal '%s'",
               inc->count, signal->id);
    return source_notify(source, CDC_NOTIFY_STARTED, NULL, err, errlen);
}

static ferry_status source_signal_stop(cdc_source *source, const cdc_signal *signal, char *err,
                                       size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    if (!cdc_incremental_active(inc))
        return FERRY_OK;
    json_t *extra = NULL;
    if (signal->collections) {
        strbuf list = {0};
        strbuf_append_literal(&list, "");
        for (size_t i = 0; i < signal->collection_count; i++) {
            if (i)
                strbuf_append_char(&list, ',');
            strbuf_append_str(&list, signal->collections[i]);
        }
        char *text = strbuf_take(&list, NULL);
        extra = text ? json_pack("{s:s}", "data_collections", text) : NULL;
        free(text);
        if (!extra)
            return ferry_error_set(err, errlen, "out of memory");
    }
    ferry_status rc = source_notify(source, CDC_NOTIFY_ABORTED, extra, err, errlen);
    json_decref(extra);
    bool current = false;
    size_t removed = cdc_incremental_remove(inc, (const char *const *)signal->collections,
                                            signal->collection_count, &current);
    source_log(source, FERRY_LOG_INFO,
               "signal '%s' (stop-snapshot): %zu tables left the incremental snapshot%s", signal->id,
               removed, current ? ", the one being read among them" : "");
    return rc;
}

static ferry_status cdc_source_signal(cdc_source *source, const cdc_signal *signal, char *err,
                                      size_t errlen);

/* A row inserted into the signal table. */
static ferry_status source_signal_row(cdc_source *source, const pgo_tuple *tuple, char *err,
                                      size_t errlen)
{
    char *fields[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < 3 && i < tuple->count; i++) {
        if (tuple->values[i].kind != PGO_VALUE_TEXT)
            continue;
        fields[i] = strndup(tuple->values[i].data, tuple->values[i].len);
        if (!fields[i]) {
            free(fields[0]);
            free(fields[1]);
            return ferry_error_set(err, errlen, "out of memory");
        }
    }
    cdc_signal signal;
    char why[CDC_ERR];
    ferry_status rc = FERRY_OK;
    if (cdc_signal_parse(fields[0], fields[1], fields[2], &signal, why, sizeof why) != 0)
        source_log(source, FERRY_LOG_WARN, "ignoring a signal: %s", why);
    else
        rc = cdc_source_signal(source, &signal, err, errlen);
    cdc_signal_release(&signal);
    for (size_t i = 0; i < 3; i++)
        free(fields[i]);
    return rc;
}

static ferry_status cdc_source_signal(cdc_source *source, const cdc_signal *signal, char *err,
                                      size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    char expected[48];
    switch (signal->kind) {
    case CDC_SIGNAL_EXECUTE:
        return source_signal_execute(source, signal, err, errlen);
    case CDC_SIGNAL_STOP:
        return source_signal_stop(source, signal, err, errlen);
    case CDC_SIGNAL_PAUSE:
        if (!cdc_incremental_active(inc) || inc->paused)
            return FERRY_OK;
        inc->paused = true;
        return source_notify(source, CDC_NOTIFY_PAUSED, NULL, err, errlen);
    case CDC_SIGNAL_RESUME:
        if (!cdc_incremental_active(inc) || !inc->paused)
            return FERRY_OK;
        inc->paused = false;
        return source_notify(source, CDC_NOTIFY_RESUMED, NULL, err, errlen);
    case CDC_SIGNAL_WINDOW_OPEN:
        snprintf(expected, sizeof expected, "%s-open", inc->chunk_id);
        if (inc->window == CDC_INCR_WAIT_OPEN && strcmp(signal->id, expected) == 0)
            inc->window = CDC_INCR_OPEN;
        return FERRY_OK;
    case CDC_SIGNAL_WINDOW_CLOSE:
        snprintf(expected, sizeof expected, "%s-close", inc->chunk_id);
        if (inc->window == CDC_INCR_OPEN && strcmp(signal->id, expected) == 0) {
            inc->window = CDC_INCR_EMIT;
            source->incremental_lsn = source->lsn_proc;
        }
        return FERRY_OK;
    case CDC_SIGNAL_LOG:
        source_log(source, FERRY_LOG_INFO, "signal '%s' (log): %s", signal->id,
                   json_string_value(json_object_get(signal->data, "message"))
                       ? json_string_value(json_object_get(signal->data, "message"))
                       : "");
        return FERRY_OK;
    case CDC_SIGNAL_OTHER:
        source_log(source, FERRY_LOG_WARN, "signal '%s': type '%s' is not one ferry acts on",
                   signal->id, signal->type);
        return FERRY_OK;
    }
    return FERRY_OK;
}

static void source_incremental_match(cdc_incremental *inc, const pgo_message *message);

/* A streamed change: its keys leave the chunk buffer while the window is open (read.only: the
 * change's transaction id opens and closes the window). */
static void source_incremental_stream(cdc_source *source, const pgo_message *message)
{
    cdc_incremental *inc = &source->incremental;
    cdc_incremental_change_before(inc, source->events.xid);
    if (inc->window != CDC_INCR_OPEN)
        return;
    source_incremental_match(inc, message);
    if (cdc_incremental_change_after(inc, source->events.xid))
        source->incremental_lsn = source->lsn_proc;
}

/* The keys of a streamed change leave the chunk buffer. */
static void source_incremental_match(cdc_incremental *inc, const pgo_message *message)
{
    switch (message->kind) {
    case PGO_INSERT:
        cdc_incremental_stream_key(inc, message->insert.relation_oid, &message->insert.new_tuple);
        break;
    case PGO_UPDATE:
        if (message->update.old_kind)
            cdc_incremental_stream_key(inc, message->update.relation_oid,
                                       &message->update.old_tuple);
        cdc_incremental_stream_key(inc, message->update.relation_oid, &message->update.new_tuple);
        break;
    case PGO_DELETE:
        cdc_incremental_stream_key(inc, message->delete_.relation_oid,
                                   &message->delete_.old_tuple);
        break;
    default:
        break;
    }
}

/* A statement of the chunk failed: a broken connection is retried, a bad table (a condition
 * that does not parse, a table dropped) leaves the snapshot. */
static ferry_status source_incremental_failed(cdc_source *source, const char *why, char *err,
                                              size_t errlen)
{
    if (PQstatus(source->conn) != CONNECTION_OK)
        return ferry_error_set(err, errlen, "the regular connection broke: %s", why),
               FERRY_RETRY;
    source_log(source, FERRY_LOG_WARN, "incremental snapshot of %s: %s; the table is skipped",
               source->incremental.collections[0].id, why);
    return source_incremental_table_done(source, "SQL_EXCEPTION", err, errlen);
}

/* Reads the next chunk between its two watermarks (Debezium's readChunk). */
static ferry_status source_incremental_read_chunk(cdc_source *source, char *err, size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    const cdc_incr_collection *collection = &inc->collections[0];
    char why[CDC_ERR];
    table_entry *entry = source_incremental_check(source, collection->id, why, sizeof why);
    if (!entry) {
        if (PQstatus(source->conn) != CONNECTION_OK)
            return ferry_error_set(err, errlen, "the regular connection broke: %s", why),
                   FERRY_RETRY;
        source_log(source, FERRY_LOG_WARN, "incremental snapshot: %s; skipped", why);
        return source_incremental_table_done(source, "UNKNOWN_SCHEMA", err, errlen);
    }
    const dbz_table *table = entry->table;
    cdc_incremental_key_types(inc, table);
    if (!inc->maximum) {
        bool empty = false;
        inc->maximum = pg_incremental_maximum(source->conn, entry->meta, table,
                                              collection->condition, &empty, why, sizeof why);
        if (empty)
            return source_incremental_table_done(source, "EMPTY", err, errlen);
        if (!inc->maximum)
            return source_incremental_failed(source, why, err, errlen);
    }
    char chunk_id[37];
    uint8_t random[10] = {0};
    if (getrandom(random, sizeof random, GRND_NONBLOCK) != (ssize_t)sizeof random)
        source_log(source, FERRY_LOG_DEBUG, "getrandom gave too few bytes for a chunk id");
    dbz_run_id(clock_wall_us() / 1000, random, chunk_id);
    char watermark_id[48];
    char data[160];
    bool read_only = source->config.read_only;
    pg_txid_snapshot low = {0}, high = {0};
    snprintf(watermark_id, sizeof watermark_id, "%s-open", chunk_id);
    snprintf(data, sizeof data, "{\"openWindowTimestamp\": \"%lld\"}",
             (long long)(clock_wall_us() / 1000));
    /* A watermark's commit must reach the WAL sender at once: with synchronous_commit off (the
       session's or the server's) it waits for the WAL writer's cycle (wal_writer_delay, 200 ms
       by default), and every chunk with it. Once per session. */
    if (!read_only && source->watermark_session != PQbackendPID(source->conn)) {
        if (pg_exec_command(source->conn, "setting synchronous_commit for the watermarks",
                            "SET synchronous_commit TO on", why, sizeof why) != 0)
            return source_incremental_failed(source, why, err, errlen);
        source->watermark_session = PQbackendPID(source->conn);
    }
    if (read_only ? pg_incremental_current_snapshot(source->conn, source->server_version, &low,
                                                    why, sizeof why) != 0
                  : pg_incremental_watermark(source->conn, source->config.signal_data_collection,
                                             watermark_id, "snapshot-window-open", data, why,
                                             sizeof why) != 0)
        return source_incremental_failed(source, why, err, errlen);
    PGresult *chunk = pg_incremental_chunk(source->conn, entry->meta, table, collection->condition,
                                           inc->position, inc->maximum,
                                           source->config.incremental_chunk_size, why, sizeof why);
    if (chunk && read_only &&
        pg_incremental_current_snapshot(source->conn, source->server_version, &high, why,
                                        sizeof why) != 0) {
        PQclear(chunk);
        chunk = NULL;
    }
    if (!chunk) {
        pg_txid_snapshot_release(&low);
        return source_incremental_failed(source, why, err, errlen);
    }
    if (PQnfields(chunk) != (int)table->column_count) {
        pg_txid_snapshot_release(&low);
        pg_txid_snapshot_release(&high);
        PQclear(chunk);
        return ferry_error_set(err, errlen, "incremental snapshot of %s: %d columns read, the "
                                            "table has %zu",
                               table->id, PQnfields(chunk), table->column_count);
    }
    if (cdc_incremental_buffer(inc, chunk, table, source->config.incremental_chunk_size,
                               chunk_id) != 0) {
        pg_txid_snapshot_release(&low);
        pg_txid_snapshot_release(&high);
        return ferry_error_set(err, errlen, "out of memory");
    }
    inc->read_only = read_only;
    if (source->config.incremental_max_rate > 0)
        source->incremental_next_chunk_ms =
            clock_monotonic_ms() + (int64_t)inc->rows * 1000 / source->config.incremental_max_rate;
    if (read_only) {
        /* no rows written: the stream's transaction ids against the two snapshots open and
           close the window */
        cdc_incremental_watermarks(inc, &low, &high);
        return inc->rows > 0 ? source_notify(source, CDC_NOTIFY_IN_PROGRESS, NULL, err, errlen)
                             : FERRY_OK;
    }
    snprintf(watermark_id, sizeof watermark_id, "%s-close", chunk_id);
    snprintf(data, sizeof data, "{\"openWindowTimestamp\": \"%lld\", "
             "\"closeWindowTimestamp\": \"%lld\"}",
             (long long)(clock_wall_us() / 1000), (long long)(clock_wall_us() / 1000));
    if (pg_incremental_watermark(source->conn, source->config.signal_data_collection, watermark_id,
                                 "snapshot-window-close", data, why, sizeof why) != 0) {
        cdc_incremental_buffer_drop(inc);
        return source_incremental_failed(source, why, err, errlen);
    }
    /* as Debezium: one per chunk with rows, saying its last key */
    return inc->rows > 0 ? source_notify(source, CDC_NOTIFY_IN_PROGRESS, NULL, err, errlen)
                         : FERRY_OK;
}

/* The chunk is out: a last chunk ends its table. */
static ferry_status source_incremental_chunk_end(cdc_source *source, char *err, size_t errlen)
{
    if (cdc_incremental_chunk_done(&source->incremental))
        return source_incremental_table_done(source, "SUCCEEDED", err, errlen);
    return FERRY_OK;
}

/* EMIT: the next buffered row as a read event (op r, source.snapshot incremental); the chunk's
 * end after its last row. */
static ferry_status source_incremental_emit(cdc_source *source, char *err, size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    table_entry *entry = source_table_find(source, inc->chunk_oid);
    if (!entry || !entry->table) {
        /* dropped meanwhile: the next chunk finds out what became of it */
        cdc_incremental_buffer_drop(inc);
        return FERRY_OK;
    }
    size_t count = 0;
    if (!cdc_incremental_next_row(inc, &source->incremental_values,
                                  &source->incremental_value_capacity, &count)) {
        if (inc->remaining > 0)
            return ferry_error_set(err, errlen, "out of memory");
        return source_incremental_chunk_end(source, err, errlen);
    }
    int64_t now_us = clock_wall_us();
    /* as Debezium's incremental read events: no transaction, the closing LSN in the sequence
       only */
    dbz_source_info info = {.ts_us = now_us, .snapshot = "incremental",
                            .last_commit_lsn = source->events.last_commit_lsn,
                            .lsn = source->incremental_lsn, .tx_id = -1, .lsn_null = true};
    cdc_events_record *record = NULL;
    if (source_read_event(source, entry->table, source->incremental_values, count, &info, now_us,
                          "incremental snapshot", &record, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    if (!record)
        return inc->remaining == 0 ? source_incremental_chunk_end(source, err, errlen) : FERRY_OK;
    record->offset = source_stream_offset(source, source->incremental_lsn);
    if (!record->offset)
        return ferry_error_set(err, errlen, "out of memory");
    /* The chunk's last row: its offset (set when it is emitted) holds the position after it. */
    return inc->remaining == 0 ? source_incremental_chunk_end(source, err, errlen) : FERRY_OK;
}

/* STREAMING, before reading the stream: the incremental snapshot's work, if any. true when it
 * did some (the caller returns to the poll loop). */
static bool source_incremental_step(cdc_source *source, ferry_status *status, char *err,
                                    size_t errlen)
{
    cdc_incremental *inc = &source->incremental;
    if (!cdc_incremental_active(inc) || source->pending.count > 0)
        return false;
    if (inc->window == CDC_INCR_EMIT) {
        *status = source_incremental_emit(source, err, errlen);
        return true;
    }
    if (inc->window == CDC_INCR_NO_CHUNK && !inc->paused &&
        clock_monotonic_ms() >= source->incremental_next_chunk_ms) {
        *status = source_incremental_read_chunk(source, err, errlen);
        if (*status == FERRY_RETRY) {
            source_reconnect_later(source, err);
            *status = FERRY_OK;
        }
        return true;
    }
    return false;
}

/* Handles one pgoutput message. FERRY_ERROR with err when the task must fail. */
static ferry_status source_handle_message(cdc_source *source, const pgo_copy_data *copy,
                                          char *err, size_t errlen)
{
    pgo_message message;
    char why[CDC_ERR];
    char lsn_text[24];
    if (pgo_decode(source->decoder, copy->data, copy->len, &message, why, sizeof why) != 0)
        return ferry_error_set(err, errlen, "at LSN %s: %s",
                               source_lsn(copy->wal_start, lsn_text), why);
    switch (message.kind) {
    case PGO_BEGIN:
        source->in_tx = true;
        source->tx_final_lsn = message.begin.final_lsn;
        source->tx_messages = 0;
        source->tx_skip = 0;
        source->tx_skip_all =
            source->skip_seen && pg_txid_snapshot_sees(&source->seen, message.begin.xid);
        cdc_events_begin(&source->events, message.begin.xid,
                         message.begin.commit_time + PG_EPOCH_OFFSET_US);
        if (source->resume_commit) {
            if (message.begin.final_lsn < source->resume_commit) {
                source->tx_skip_all = true;
            } else if (message.begin.final_lsn == source->resume_commit) {
                source->tx_skip = source->resume_events;
            } else {
                source->resume_commit = 0;
            }
        }
        return FERRY_OK;
    case PGO_COMMIT: {
        source->in_tx = false;
        source->kafka_tx_end_due = true;
        if (message.commit.end_lsn > source->lsn_proc)
            source->lsn_proc = message.commit.end_lsn;
        if (source->resume_commit && source->tx_final_lsn >= source->resume_commit)
            source->resume_commit = 0;
        cdc_events_record *end = cdc_events_commit(&source->events, message.commit.end_lsn,
                                                   !source->tx_skip_all, &source->pending);
        if (end) {
            cdc_position position = {.lsn_proc = source->lsn_proc, .tx_event = -1,
                                     .lsn = message.commit.end_lsn,
                                     .tx_id = source->events.xid,
                                     .ts_usec = source->events.commit_us};
            end->offset = cdc_offset_streaming(&position);
        }
        if (cdc_incremental_commit(&source->incremental, source->events.xid, false))
            source->incremental_lsn = source->lsn_proc;
        if (source_quiescent(source))
            source_confirm(source, source->lsn_proc);
        return FERRY_OK;
    }
    case PGO_RELATION: {
        table_entry *entry = source_table_load(source, message.relation.oid,
                                               message.relation.columns,
                                               message.relation.column_count, why, sizeof why);
        if (!entry) {
            if (PQstatus(source->conn) != CONNECTION_OK)
                return ferry_error_set(err, errlen, "the regular connection broke: %s", why),
                       FERRY_RETRY;
            return ferry_error_set(err, errlen, "relation %s.%s: %s",
                                   message.relation.namespace_name, message.relation.name, why);
        }
        if (!entry->meta)
            source_log(source, FERRY_LOG_WARN,
                       "relation %s.%s (oid %u) is gone from the catalog; its changes are "
                       "skipped",
                       message.relation.namespace_name, message.relation.name,
                       message.relation.oid);
        return FERRY_OK;
    }
    case PGO_TYPE:
        if (!pg_type_registry_get(source->types, message.type.oid) &&
            pg_catalog_load_types(source->conn, source->types, why, sizeof why) != 0)
            source_log(source, FERRY_LOG_WARN, "reloading the types: %s", why);
        return FERRY_OK;
    case PGO_ORIGIN:
    case PGO_MESSAGE:
        return FERRY_OK;
    case PGO_INSERT:
    case PGO_UPDATE:
    case PGO_DELETE:
    case PGO_TRUNCATE: {
        source->tx_messages++;
        if (source->tx_skip_all || source->tx_messages <= source->tx_skip)
            return FERRY_OK; /* delivered before the restart */
        if (message.kind == PGO_INSERT &&
            source_is_signal_table(source, message.insert.relation_oid) &&
            source->config.signal_source) {
            ferry_status signalled = source_signal_row(source, &message.insert.new_tuple, err,
                                                       errlen);
            if (signalled != FERRY_OK)
                return signalled;
        }
        source_incremental_stream(source, &message);
        cdc_events_result result =
            cdc_events_change(&source->events, &message, copy->wal_start, clock_wall_us(),
                              source_table_lookup, source, &source->pending, why, sizeof why);
        if (result == CDC_EVENTS_NO_MEMORY) {
            pending_clear(source);
            return ferry_error_set(err, errlen, "out of memory building the events of the %s at "
                                                "LSN %s",
                                   pgo_kind_name(message.kind),
                                   source_lsn(copy->wal_start, lsn_text));
        }
        if (result == CDC_EVENTS_BAD_VALUE) {
            pending_clear(source);
            if (source->config.failure_mode == CDC_FAILURE_FAIL)
                return ferry_error_set(err, errlen,
                                       "cannot convert the %s at LSN %s (transaction %u): %s "
                                       "(event.processing.failure.handling.mode=fail)",
                                       pgo_kind_name(message.kind),
                                       source_lsn(copy->wal_start, lsn_text),
                                       source->events.xid, why);
            if (source->config.failure_mode == CDC_FAILURE_WARN)
                source_log(source, FERRY_LOG_WARN, "skipping the %s at LSN %s: %s",
                           pgo_kind_name(message.kind), source_lsn(copy->wal_start, lsn_text),
                           why);
            return FERRY_OK;
        }
        if (source->pending.dropped > 0)
            source_log(source, FERRY_LOG_WARN,
                       "a TRUNCATE of %u tables: events for the first ones only",
                       message.truncate.relation_count);
        if (source->pending.count > 0) {
            source->pending.records[source->pending.count - 1].offset =
                source_stream_offset(source, copy->wal_start);
            source->pending_is_change = true;
            source->pending_commit = source->tx_final_lsn;
            source->pending_events = source->tx_messages;
        }
        return FERRY_OK;
    }
    }
    return FERRY_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Phases                                                                                     */

static void source_metrics(cdc_source *source, bool force)
{
    int64_t now = clock_monotonic_ms();
    if (!force && now < source->next_metrics_ms)
        return;
    source->next_metrics_ms = now + METRICS_INTERVAL_MS;
    uint64_t end = source->stream.server_wal_end;
    double lag = end > source->confirmed_lsn ? (double)(end - source->confirmed_lsn) : 0;
    cdc_host->metric_set(source->ctx, "slot_lag_bytes", lag);
    cdc_host->metric_set(source->ctx, "confirmed_lsn", (double)source->confirmed_lsn);
    cdc_host->metric_set(source->ctx, "received_lsn", (double)source->stream.received_lsn);
    cdc_host->metric_set(source->ctx, "snapshot_rows", (double)source->snapshot_rows);
    const cdc_incremental *inc = &source->incremental;
    cdc_host->metric_set(source->ctx, "incremental_snapshot_running",
                         cdc_incremental_active(inc) ? (inc->paused ? 2 : 1) : 0);
    cdc_host->metric_set(source->ctx, "incremental_snapshot_tables_remaining", (double)inc->count);
    cdc_host->metric_set(source->ctx, "incremental_snapshot_chunks", (double)inc->chunks);
    cdc_host->metric_set(source->ctx, "incremental_snapshot_rows", (double)inc->rows_emitted);
    cdc_host->metric_set(source->ctx, "incremental_snapshot_table_rows", (double)inc->table_rows);
}

/* The stream broke: close, back off, and come back to where the records stand. */
static void source_reconnect_later(cdc_source *source, const char *why)
{
    char lsn_text[24];
    if (source->reconnect_delay_ms <= 0)
        source->reconnect_delay_ms = RECONNECT_FIRST_MS;
    char message[1300];
    snprintf(message, sizeof message, "replication connection lost (%s); reconnecting in %lld ms",
             why, (long long)source->reconnect_delay_ms);
    source_log(source, FERRY_LOG_WARN, "%s", message);
    source_problem(source, message);
    pg_stream_close(&source->stream);
    source->replication_connecting = false;
    pending_clear(source);
    /* What was emitted stays emitted: resume right after it. */
    source->in_tx = false;
    source->resume_commit = source->emitted_commit;
    source->resume_events = source->emitted_events;
    source->start_lsn = source->lsn_proc;
    source_log(source, FERRY_LOG_INFO,
               "will resume at %s, after %lld change messages of transaction %s",
               source_lsn(source->lsn_proc, lsn_text), (long long)source->resume_events,
               source->resume_commit ? "(the last one)" : "(none)");
    source->phase = PHASE_RECONNECT;
    source->phase_until_ms = clock_monotonic_ms() + source->reconnect_delay_ms;
    int64_t limit = source->config.slot_retry_delay_ms > 0 ? source->config.slot_retry_delay_ms
                                                           : 10000;
    source->reconnect_delay_ms *= 2;
    if (source->reconnect_delay_ms > limit)
        source->reconnect_delay_ms = limit;
}

/* RECONNECT: open the replication connection again (and the regular one if it broke). */
static ferry_status source_phase_reconnect(cdc_source *source, int64_t deadline, char *err,
                                           size_t errlen)
{
    char why[CDC_ERR];
    if (!source->replication_connecting) {
        if (clock_monotonic_ms() < source->phase_until_ms)
            return FERRY_OK;
        PGconn *conn = pg_connection_start(&source->config, true, why, sizeof why);
        if (!conn) {
            source_reconnect_later(source, why);
            return FERRY_OK;
        }
        pg_stream_attach(&source->stream, conn);
        source->replication_connecting = true;
    }
    pg_wait wait = pg_connection_poll(source->stream.conn, &source->config, true, deadline, why,
                                      sizeof why);
    if (wait == PG_WAIT_PENDING)
        return FERRY_OK;
    source->replication_connecting = false;
    if (wait == PG_WAIT_FAILED) {
        source_reconnect_later(source, why);
        return FERRY_OK;
    }
    /* The regular connection too: after a server restart it looks fine until it is used. */
    PQfinish(source->conn);
    source->conn = pg_connection_open(&source->config, false, why, sizeof why);
    if (!source->conn) {
        source_reconnect_later(source, why);
        return FERRY_OK;
    }
    if (pg_connection_prepare(source->conn, &source->config, &source->server_version, err,
                              errlen) != 0)
        return FERRY_ERROR;
    source_log(source, FERRY_LOG_INFO, "replication connection open again");
    source->phase = PHASE_START_STREAM;
    source->command_sent = false;
    return FERRY_OK;
}

/* Whether the process holding the slot is a stale walsender of this very task: a walsender
 * whose application_name is this task's marker and that is none of this task's connections.
 * Before this task streamed, it is what an earlier run of the task left (its worker died, was
 * paused or lost the network; a ferry cluster gives a task to a new owner only once the old one
 * left or let go, and fences a worker that wakes before it writes). After this task streamed,
 * only its own last walsender qualifies: another one with the marker belongs to a newer owner of
 * the task, and this one is the stale side, which waits. */
static bool source_holder_is_stale_self(const cdc_source *source, const pg_slot_info *info)
{
    if (!source->config.stream_marked || !info->holder_walsender || info->active_pid <= 0 ||
        strcmp(info->holder_application, source->config.stream_application_name) != 0)
        return false;
    if (info->active_pid == PQbackendPID(source->conn) ||
        (source->stream.conn && info->active_pid == PQbackendPID(source->stream.conn)))
        return false;
    return source->stream_pid == 0 || info->active_pid == source->stream_pid;
}

/* Terminates a stale walsender of this task. true: it is exiting (or gone), look again soon;
 * false: refused, with why. */
static bool source_slot_takeover(cdc_source *source, const pg_slot_info *info, char *why,
                                 size_t whylen)
{
    pg_terminate_result result = pg_slot_takeover_terminate(source->conn, info->active_pid,
                                                            source->config.user, why, whylen);
    if (result != PG_TERMINATE_DONE && result != PG_TERMINATE_GONE)
        return false;
    source_log(source, FERRY_LOG_WARN,
               "replication slot \"%s\" was held by PID %d, a walsender of this very task "
               "(application_name '%s') left by an earlier run of it: terminated it to take the "
               "slot over",
               source->config.slot_name, info->active_pid, info->holder_application);
    source->takeover_pid = info->active_pid;
    source->takeover_until_ms = clock_monotonic_ms() + TAKEOVER_WAIT_MS;
    source->phase_until_ms = clock_monotonic_ms() + TAKEOVER_POLL_MS;
    return true;
}

/* WAIT_SLOT: the slot is held by another process; take it over from a stale walsender of this
 * task, or look again every slot.retry.delay.ms. */
static ferry_status source_phase_wait_slot(cdc_source *source, char *err, size_t errlen)
{
    if (clock_monotonic_ms() < source->phase_until_ms)
        return FERRY_OK;
    pg_slot_info info;
    if (pg_slot_lookup(source->conn, source->config.slot_name, &info, err, errlen) != 0)
        return FERRY_ERROR;
    if (!info.exists && source->stream_pid)
        return ferry_error_set(err, errlen,
                               "replication slot \"%s\" was dropped while the task ran; restart "
                               "the task (snapshot.mode=when_needed takes a new snapshot)",
                               source->config.slot_name);
    if (!info.exists || !info.active) {
        if (source->takeover_pid)
            source_log(source, FERRY_LOG_INFO,
                       "took replication slot \"%s\" over from PID %d, a stale walsender of this "
                       "task",
                       source->config.slot_name, source->takeover_pid);
        source->takeover_pid = 0;
        source_problem(source, NULL);
        source->phase = info.exists ? (source->need_snapshot ? PHASE_SNAPSHOT_WAIT
                                                             : PHASE_START_STREAM)
                                    : PHASE_CREATE_SLOT;
        source->slot_exists = info.exists;
        source->command_sent = false;
        return FERRY_OK;
    }
    if (source->takeover_pid == info.active_pid &&
        clock_monotonic_ms() < source->takeover_until_ms) {
        source->phase_until_ms = clock_monotonic_ms() + TAKEOVER_POLL_MS; /* still exiting */
        return FERRY_OK;
    }
    char refused[600] = "";
    if (source->takeover_pid != info.active_pid && source_holder_is_stale_self(source, &info) &&
        source_slot_takeover(source, &info, refused, sizeof refused))
        return FERRY_OK;
    source->takeover_pid = 0;
    const char *application = info.holder_application[0] ? info.holder_application
                                                         : "(not visible to this role)";
    if (++source->slot_attempts > source->config.slot_max_retries)
        return ferry_error_set(err, errlen,
                               "replication slot \"%s\" is in use by PID %d (application_name "
                               "'%s'; still after %d attempts %lld ms apart)%s%s: stop the other "
                               "consumer of the slot or set slot.name to another slot",
                               source->config.slot_name, info.active_pid, application,
                               source->config.slot_max_retries,
                               (long long)source->config.slot_retry_delay_ms,
                               refused[0] ? "; " : "", refused);
    char message[1200];
    snprintf(message, sizeof message,
             "replication slot \"%s\" is in use by PID %d (application_name '%s')%s%s; attempt "
             "%d of %d in %lld ms",
             source->config.slot_name, info.active_pid, application, refused[0] ? "; " : "",
             refused, source->slot_attempts, source->config.slot_max_retries,
             (long long)source->config.slot_retry_delay_ms);
    source_log(source, FERRY_LOG_WARN, "%s", message);
    source_problem(source, message);
    source->phase_until_ms = clock_monotonic_ms() + source->config.slot_retry_delay_ms;
    return FERRY_OK;
}

/* Reports one table of the snapshot to the host (ferry_host.progress_report). */
static void source_snapshot_report_table(cdc_source *source, size_t index,
                                         ferry_progress_state state)
{
    pg_snapshot_progress table;
    pg_snapshot_table_progress(source->snapshot, index, &table);
    ferry_progress report = {
        .struct_size = sizeof(report), .item = table.table, .phase = "snapshot",
        .unit = "rows", .state = state ? state : table.state, .done = table.rows_scanned,
        .total = table.estimate, .records = -1,
        .items_total = (int64_t)pg_snapshot_table_count(source->snapshot)};
    cdc_host->progress_report(source->ctx, &report);
}

/* The snapshot's progress: every table with its estimate when it opens (all), then the table
 * being read about every 200 ms and each table as it ends; state overrides the tables' own
 * (FERRY_PROGRESS_ABORTED when the snapshot fails), 0 keeps them. */
static void source_snapshot_progress(cdc_source *source, bool all, ferry_progress_state state)
{
    if (!source->snapshot || !FERRY_HOST_HAS(cdc_host, progress_report))
        return;
    size_t count = pg_snapshot_table_count(source->snapshot);
    size_t current = pg_snapshot_table_index(source->snapshot);
    int64_t now = clock_monotonic_ms();
    if (!all && !state && current == source->snapshot_progress_table &&
        now < source->snapshot_progress_ms)
        return;
    size_t from = all ? 0 : source->snapshot_progress_table;
    size_t to = all ? count : current + 1;
    for (size_t i = from; i < to && i < count; i++)
        source_snapshot_report_table(source, i, i == current ? state : 0);
    source->snapshot_progress_table = current;
    source->snapshot_progress_ms = now + 200;
}

/* Describes every captured table for the snapshot and opens it. */
static ferry_status source_snapshot_open(cdc_source *source, char *err, size_t errlen)
{
    pg_table_ref *refs = NULL;
    size_t count = 0;
    char why[CDC_ERR];
    if (pg_catalog_list_tables(source->conn, &source->config, &refs, &count, why, sizeof why) !=
        0)
        return ferry_error_set(err, errlen, "snapshot: %s", why);
    pg_snapshot_table *tables = calloc(count + 1, sizeof(pg_snapshot_table));
    if (!tables) {
        pg_table_refs_free(refs, count);
        return ferry_error_set(err, errlen, "out of memory");
    }
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        table_entry *entry = source_table_load(source, refs[i].oid, NULL, 0, why, sizeof why);
        if (!entry) {
            free(tables);
            pg_table_refs_free(refs, count);
            return ferry_error_set(err, errlen, "snapshot of %s.%s: %s", refs[i].schema_name,
                                   refs[i].table_name, why);
        }
        if (entry->meta && entry->table)
            tables[used++] = (pg_snapshot_table){entry->meta, entry->table, refs[i].rank};
    }
    pg_table_refs_free(refs, count);
    source->snapshot = pg_snapshot_new(source->conn, tables, used,
                                       source->config.snapshot_fetch_size);
    free(tables);
    if (!source->snapshot)
        return ferry_error_set(err, errlen, "out of memory");
    const char *resume_table = source->offset.phase == CDC_OFFSET_SNAPSHOT && source->slot_exists
                                   ? source->offset.snapshot_table
                                   : NULL;
    size_t resume_rank = resume_table ? cdc_config_table_rank(&source->config, resume_table) : 0;
    if (pg_snapshot_begin(source->snapshot,
                          source->snapshot_name[0] ? source->snapshot_name : NULL, resume_table,
                          resume_rank, source->offset.snapshot_key, why, sizeof why) != 0)
        return ferry_error_set(err, errlen, "snapshot: %s", why);
    if (!source->snapshot_name[0] && !resume_table) {
        /* The stream starts at the slot's position, before this snapshot: a change made while
         * the task was stopped is in the snapshot and would come again from the stream. */
        const pg_txid_snapshot *view = pg_snapshot_view(source->snapshot);
        pg_txid_snapshot_release(&source->seen);
        source->seen = (pg_txid_snapshot){.xmin = view->xmin, .xmax = view->xmax};
        if (view->xip_count) {
            source->seen.xip = malloc(view->xip_count * sizeof(*view->xip));
            if (!source->seen.xip)
                return ferry_error_set(err, errlen, "out of memory");
            memcpy(source->seen.xip, view->xip, view->xip_count * sizeof(*view->xip));
            source->seen.xip_count = view->xip_count;
        }
        source->skip_seen = true;
    }
    source_log(source, FERRY_LOG_INFO,
               "snapshot of %zu tables %s%s%s (%s snapshot, stream from %s)", used,
               resume_table ? "resuming at " : "started", resume_table ? resume_table : "",
               resume_table && !source->offset.snapshot_key ? " (from its start)" : "",
               source->snapshot_name[0] ? "the slot's exported" : "a fresh",
               source->snapshot_lsn ? "the consistent point" : "the slot's position");
    source->snapshot_progress_table = 0;
    source_snapshot_progress(source, true, 0);
    return FERRY_OK;
}

/* The snapshot is done: its held row goes to pending as the snapshot's last, its offset the
 * completed snapshot's. -1 when out of memory. */
static int source_snapshot_release_last(cdc_source *source)
{
    cdc_events_record *held = &source->held;
    if (!held->value)
        return 0;
    json_t *block = json_object_get(held->value, "source");
    uint64_t lsn = source->snapshot_lsn ? source->snapshot_lsn : source->start_lsn;
    json_t *offset = cdc_offset_snapshot(lsn, pg_snapshot_tx_id(source->snapshot),
                                         source->held_ts_us, NULL, NULL, true);
    if (!offset || json_object_set_new(block, "snapshot", json_string("last")) != 0) {
        json_decref(offset);
        return -1;
    }
    json_decref(held->offset);
    held->offset = offset;
    source->pending.records[source->pending.count++] = *held;
    memset(held, 0, sizeof(*held));
    return 0;
}

/* SNAPSHOT: one row per call into pending (each held back by one, see held). */
static ferry_status source_phase_snapshot(cdc_source *source, int64_t deadline, char *err,
                                          size_t errlen)
{
    char why[CDC_ERR];
    if (!source->snapshot && source_snapshot_open(source, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    pg_snapshot_row row;
    pg_snapshot_status status = pg_snapshot_next(source->snapshot, deadline, &row, why,
                                                 sizeof why);
    switch (status) {
    case PG_SNAPSHOT_PENDING:
        return FERRY_OK;
    case PG_SNAPSHOT_ERROR:
        source_snapshot_progress(source, false, FERRY_PROGRESS_ABORTED);
        return ferry_error_set(err, errlen, "snapshot: %s", why);
    case PG_SNAPSHOT_DONE: {
        if (source_snapshot_release_last(source) != 0)
            return ferry_error_set(err, errlen, "out of memory");
        source_snapshot_progress(source, true, 0);
        pg_snapshot_destroy(source->snapshot);
        source->snapshot = NULL;
        source->need_snapshot = false; /* a slot taken over later leads to the stream */
        source_log(source, FERRY_LOG_INFO, "snapshot complete: %lld rows",
                   (long long)source->snapshot_rows);
        if (!source->stream_after_snapshot) {
            source_log(source, FERRY_LOG_INFO,
                       "snapshot.mode=initial_only: not streaming; the task stays idle");
            source->phase = PHASE_IDLE;
        } else {
            source->phase = PHASE_START_STREAM;
            source->command_sent = false;
        }
        return FERRY_OK;
    }
    case PG_SNAPSHOT_ROW:
        break;
    }
    source_snapshot_progress(source, false, 0);
    const dbz_table *table = row.table;
    int64_t now_us = clock_wall_us();
    uint64_t lsn = source->snapshot_lsn ? source->snapshot_lsn : source->start_lsn;
    dbz_source_info info = {.ts_us = now_us, .snapshot = row.marker, .lsn = lsn,
                            .tx_id = pg_snapshot_tx_id(source->snapshot)};
    cdc_events_record *record = NULL;
    if (source_read_event(source, table, row.values, row.count, &info, now_us, "snapshot",
                          &record, err, errlen) != FERRY_OK)
        return FERRY_ERROR;
    if (!record)
        return FERRY_OK;
    record->offset = cdc_offset_snapshot(lsn, info.tx_id, now_us, table->id, row.key,
                                         row.last_of_snapshot);
    source->snapshot_rows++;
    /* this row waits, with its own topic name (a table may be reloaded meanwhile); the one held
     * before goes */
    if (!record->owned_topic) {
        record->owned_topic = strdup(record->topic);
        if (!record->owned_topic) {
            pending_clear(source);
            return ferry_error_set(err, errlen, "out of memory");
        }
    }
    cdc_events_record fresh = *record;
    source->pending.count--;
    if (source->held.value)
        source->pending.records[source->pending.count++] = source->held;
    source->held = fresh;
    source->held_ts_us = now_us;
    return FERRY_OK;
}

/* CREATE_SLOT: create the slot (exporting a snapshot when one is needed). */
static ferry_status source_phase_create_slot(cdc_source *source, int64_t deadline, char *err,
                                             size_t errlen)
{
    char why[CDC_ERR];
    if (!source->command_sent) {
        bool export_snapshot = source->need_snapshot;
        char *sql = pg_slot_create_command(source->config.slot_name, export_snapshot);
        if (!sql)
            return ferry_error_set(err, errlen, "out of memory");
        int rc = pg_query_send(source->stream.conn, "creating the replication slot", sql, 0,
                               NULL, err, errlen);
        free(sql);
        if (rc != 0)
            return FERRY_ERROR;
        source->command_sent = true;
        source_log(source, FERRY_LOG_INFO, "creating replication slot \"%s\"%s",
                   source->config.slot_name,
                   export_snapshot ? " with an exported snapshot" : "");
    }
    PGresult *result = NULL;
    pg_wait wait = pg_query_wait(source->stream.conn, "creating the replication slot", deadline,
                                 &result, why, sizeof why);
    if (wait == PG_WAIT_PENDING)
        return FERRY_OK;
    source->command_sent = false;
    if (wait == PG_WAIT_FAILED) {
        PQclear(result);
        return ferry_error_set(err, errlen, "%s: check max_replication_slots and that no slot "
                                            "of that name was created meanwhile",
                               why);
    }
    uint64_t consistent_point = 0;
    int rc = pg_slot_created(result, &consistent_point, source->snapshot_name,
                             sizeof source->snapshot_name, err, errlen);
    PQclear(result);
    if (rc != 0)
        return FERRY_ERROR;
    char lsn_text[24];
    source_log(source, FERRY_LOG_INFO, "replication slot \"%s\" created at %s",
               source->config.slot_name, source_lsn(consistent_point, lsn_text));
    source->slot_exists = true;
    source->snapshot_lsn = consistent_point;
    source->start_lsn = consistent_point;
    source->lsn_proc = consistent_point;
    source->phase = source->need_snapshot ? PHASE_SNAPSHOT_WAIT : PHASE_START_STREAM;
    source->phase_until_ms = clock_monotonic_ms() + source->config.snapshot_delay_ms;
    return FERRY_OK;
}

/* START_STREAM: START_REPLICATION from where the records stand. */
static ferry_status source_phase_start_stream(cdc_source *source, int64_t deadline, char *err,
                                              size_t errlen)
{
    char why[CDC_ERR];
    char lsn_text[24];
    if (!source->stream.conn) {
        /* initial_only never opened one; nothing else gets here without it */
        return ferry_error_set(err, errlen, "no replication connection");
    }
    if (!source->command_sent) {
        if (pg_stream_start(&source->stream, source->config.slot_name,
                            source->config.publication_name, source->start_lsn, why,
                            sizeof why) != 0) {
            source_reconnect_later(source, why);
            return FERRY_OK;
        }
        source->command_sent = true;
    }
    pg_wait wait = pg_stream_start_wait(&source->stream, deadline, why, sizeof why);
    if (wait == PG_WAIT_PENDING)
        return FERRY_OK;
    source->command_sent = false;
    if (wait == PG_WAIT_FAILED) {
        if (strstr(why, "is active for PID")) {
            /* WAIT_SLOT finds out who holds it, takes it over or waits; the connection stays */
            source_log(source, FERRY_LOG_INFO, "%s", why);
            source->phase = PHASE_WAIT_SLOT;
            source->phase_until_ms = clock_monotonic_ms();
            return FERRY_OK;
        }
        if (strstr(why, "does not exist") && strstr(why, "publication"))
            return ferry_error_set(err, errlen, "%s: create the publication or set "
                                                "publication.autocreate.mode",
                                   why);
        if (strstr(why, "does not exist") && strstr(why, "replication slot"))
            return ferry_error_set(err, errlen,
                                   "%s: the slot was dropped while the task ran; restart the "
                                   "task (snapshot.mode=when_needed takes a new snapshot)",
                                   why);
        if (PQstatus(source->stream.conn) != CONNECTION_OK) {
            source_reconnect_later(source, why);
            return FERRY_OK;
        }
        return ferry_error_set(err, errlen, "%s", why);
    }
    source->slot_attempts = 0;
    source->reconnect_delay_ms = 0;
    source->stream_pid = PQbackendPID(source->stream.conn);
    source_problem(source, NULL);
    source_log(source, FERRY_LOG_INFO,
               "streaming from slot \"%s\" at %s (publication \"%s\")%s", source->config.slot_name,
               source_lsn(source->start_lsn, lsn_text), source->config.publication_name,
               source->resume_commit ? ", skipping what was already delivered" : "");
    source->phase = PHASE_STREAMING;
    if (source->config.heartbeat_interval_ms > 0)
        source->next_heartbeat_ms = clock_monotonic_ms() + source->config.heartbeat_interval_ms;
    if (source->announce_skipped) {
        source->announce_skipped = false;
        return source_notify(source, CDC_NOTIFY_SKIPPED, NULL, err, errlen);
    }
    return FERRY_OK;
}

static ferry_status source_heartbeat(cdc_source *source)
{
    int64_t now = clock_monotonic_ms();
    source->next_heartbeat_ms = now + source->config.heartbeat_interval_ms;
    if (source->config.heartbeat_action_query && *source->config.heartbeat_action_query) {
        char why[CDC_ERR];
        if (pg_exec_command(source->conn, "running heartbeat.action.query",
                            source->config.heartbeat_action_query, why, sizeof why) != 0)
            source_log(source, FERRY_LOG_WARN, "%s", why);
    }
    cdc_events_record *record =
        cdc_events_heartbeat(&source->events, clock_wall_us() / 1000, &source->pending);
    if (!record)
        return FERRY_OK;
    cdc_position position = {.lsn_proc = source->lsn_proc, .tx_event = -1,
                             .lsn = source->lsn_proc, .tx_id = -1};
    record->offset = cdc_offset_streaming(&position);
    return FERRY_OK;
}

/* The kafka signal channel: the records there now, a few per poll (Debezium reads it between
 * stream events too). A record for another connector is skipped, as Debezium does. */
static ferry_status source_signal_kafka_read(cdc_source *source, char *err, size_t errlen)
{
    for (int i = 0; i < 16; i++) {
        char *key, *value;
        char why[CDC_ERR];
        int got = cdc_signal_kafka_next(source->signal_kafka, &key, &value, why, sizeof why);
        if (got < 0 && !source->signal_kafka_failing)
            source_log(source, FERRY_LOG_WARN, "kafka signal channel: %s", why);
        source->signal_kafka_failing = got < 0;
        if (got <= 0)
            return FERRY_OK;
        char generated[37];
        uint8_t random[10] = {0};
        if (getrandom(random, sizeof random, GRND_NONBLOCK) != (ssize_t)sizeof random)
            random[0] ^= (uint8_t)i;
        dbz_run_id(clock_wall_us() / 1000, random, generated);
        cdc_signal signal;
        int rc = cdc_signal_parse_kafka(key, value, source->config.topic_prefix, generated,
                                        &signal, why, sizeof why);
        ferry_status status = FERRY_OK;
        if (rc > 0)
            source_log(source, FERRY_LOG_INFO, "kafka signal channel: %s; skipped", why);
        else if (rc < 0)
            source_log(source, FERRY_LOG_WARN, "ignoring a kafka signal: %s", why);
        else if (signal.kind == CDC_SIGNAL_WINDOW_OPEN || signal.kind == CDC_SIGNAL_WINDOW_CLOSE)
            source_log(source, FERRY_LOG_WARN, "kafka signal '%s': watermarks come from the "
                                               "signal table only; skipped", signal.id);
        else
            status = cdc_source_signal(source, &signal, err, errlen);
        cdc_signal_release(&signal);
        free(key);
        free(value);
        if (status != FERRY_OK)
            return status;
    }
    return FERRY_OK;
}

/* STREAMING: read messages until the deadline, one message's records at a time. */
static ferry_status source_phase_streaming(cdc_source *source, int64_t deadline, char *err,
                                           size_t errlen)
{
    char why[CDC_ERR];
    ferry_status incremental = FERRY_OK;
    if (source->signal_kafka && !source->in_tx) {
        incremental = source_signal_kafka_read(source, err, errlen);
        if (incremental != FERRY_OK)
            return incremental;
    }
    if (source_incremental_step(source, &incremental, err, errlen))
        return incremental;
    if (source->config.heartbeat_interval_ms > 0 && !source->in_tx &&
        clock_monotonic_ms() >= source->next_heartbeat_ms)
        return source_heartbeat(source);

    pgo_copy_data copy;
    pg_stream_status status = pg_stream_read(&source->stream, deadline, &copy, why, sizeof why);
    switch (status) {
    case PG_STREAM_IDLE:
        if (!source->in_tx && cdc_incremental_commit(&source->incremental, 0, true))
            source->incremental_lsn = source->lsn_proc;
        return FERRY_OK;
    case PG_STREAM_CLOSED:
        source_reconnect_later(source, why);
        return FERRY_OK;
    case PG_STREAM_ERROR:
        return ferry_error_set(err, errlen, "%s", why);
    case PG_STREAM_MESSAGE:
        break;
    }
    ferry_status result = FERRY_OK;
    if (copy.kind == PGO_COPY_KEEPALIVE) {
        if (!source->in_tx && copy.wal_end > source->lsn_proc)
            source->lsn_proc = copy.wal_end; /* every commit before it was sent */
        if (source_quiescent(source))
            source_confirm(source, source->lsn_proc);
        if (copy.reply_requested)
            source->reply_requested = true;
    } else {
        result = source_handle_message(source, &copy, err, errlen);
        if (result == FERRY_RETRY) {
            /* the regular connection broke (the server restarted): reconnect both */
            source_reconnect_later(source, err);
            result = FERRY_OK;
        }
    }
    pg_stream_release(&source->stream);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* Task callbacks                                                                             */

static void cdc_source_free(cdc_source *source)
{
    if (!source)
        return;
    pending_clear(source);
    cdc_events_record_release(&source->held);
    pg_snapshot_destroy(source->snapshot);
    pg_txid_snapshot_release(&source->seen);
    cdc_incremental_release(&source->incremental);
    cdc_signal_kafka_destroy(source->signal_kafka);
    free(source->incremental_values);
    free(source->signal_schema);
    free(source->signal_table);
    pg_stream_close(&source->stream);
    if (source->conn)
        PQfinish(source->conn);
    for (size_t i = 0; i < source->table_count; i++)
        table_entry_release(&source->tables[i]);
    free(source->tables);
    cdc_events_release(&source->events);
    pgo_decoder_destroy(source->decoder);
    pg_type_registry_destroy(source->types);
    json_decref(source->partition);
    json_decref(source->last_emitted_offset);
    cdc_offset_clear(&source->offset);
    dbz_context_release(&source->dbz);
    cdc_config_release(&source->config);
    free(source);
}

/* Warns about the Debezium keys ignored, and the values Debezium 3 removed that are read as
 * their replacements. */
static void source_warn_unsupported(cdc_source *source, const ferry_config *config)
{
    json_t *values = cdc_host->config_json(config);
    const char *key;
    json_t *value;
    json_object_foreach(values, key, value)
    {
        bool unsupported = false;
        for (size_t i = 0; cdc_config_unsupported_keys[i] && !unsupported; i++)
            unsupported = strcmp(key, cdc_config_unsupported_keys[i]) == 0;
        for (size_t i = 0; cdc_config_unsupported_prefixes[i] && !unsupported; i++)
            unsupported = strncmp(key, cdc_config_unsupported_prefixes[i],
                                  strlen(cdc_config_unsupported_prefixes[i])) == 0;
        if (unsupported)
            source_log(source, FERRY_LOG_WARN,
                       "config key %s is not supported yet and is ignored "
                       "(docs/connectors/postgres-cdc.md lists what is)",
                       key);
        const char *replacement = cdc_config_replaced_value(key, json_string_value(value));
        if (replacement)
            source_log(source, FERRY_LOG_WARN,
                       "%s=%s was removed in Debezium 3 and is read as its replacement, %s=%s: "
                       "set that instead",
                       key, json_string_value(value), key, replacement);
    }
}

/* Decides what to do from the committed offset, the slot and snapshot.mode. */
static void source_plan(cdc_source *source, const pg_slot_info *slot)
{
    const cdc_offset *offset = &source->offset;
    cdc_snapshot_mode mode = source->config.snapshot_mode;
    bool no_offset = offset->phase == CDC_OFFSET_NONE;
    bool snapshot_unfinished = offset->phase == CDC_OFFSET_SNAPSHOT;
    source->slot_exists = slot->exists;
    source->need_slot = mode != CDC_SNAPSHOT_INITIAL_ONLY;
    source->stream_after_snapshot = mode != CDC_SNAPSHOT_INITIAL_ONLY;
    switch (mode) {
    case CDC_SNAPSHOT_INITIAL:
    case CDC_SNAPSHOT_INITIAL_ONLY:
        source->need_snapshot = no_offset || snapshot_unfinished;
        break;
    case CDC_SNAPSHOT_NO_DATA:
        source->need_snapshot = false;
        break;
    case CDC_SNAPSHOT_ALWAYS:
        source->need_snapshot = true;
        break;
    case CDC_SNAPSHOT_WHEN_NEEDED:
        source->need_snapshot = no_offset || snapshot_unfinished || !slot->exists;
        break;
    }
    if (offset->phase == CDC_OFFSET_STREAMING && source->need_slot && !slot->exists &&
        mode != CDC_SNAPSHOT_WHEN_NEEDED && mode != CDC_SNAPSHOT_ALWAYS)
        source_log(source, FERRY_LOG_WARN,
                   "replication slot \"%s\" does not exist although there is an offset: it will "
                   "be created now and changes made since the last offset are lost "
                   "(snapshot.mode=when_needed would take a new snapshot)",
                   source->config.slot_name);
    /* A snapshot resumes only against the same slot: a new slot means a new stream point. */
    if (snapshot_unfinished && !slot->exists) {
        free(source->offset.snapshot_table);
        source->offset.snapshot_table = NULL;
        json_decref(source->offset.snapshot_key);
        source->offset.snapshot_key = NULL;
    }
    if (mode == CDC_SNAPSHOT_INITIAL_ONLY && offset->phase == CDC_OFFSET_STREAMING)
        source->need_snapshot = false;
    /* Debezium's Initial Snapshot SKIPPED notification when the task streams without one */
    source->announce_skipped = !source->need_snapshot;

    /* Where the stream starts and what it skips. */
    if (offset->phase == CDC_OFFSET_STREAMING && (slot->exists || !source->need_slot)) {
        source->start_lsn = offset->position.lsn_proc;
        source->lsn_proc = offset->position.lsn_proc;
        if (!offset->from_debezium && offset->position.lsn_commit) {
            source->resume_commit = offset->position.lsn_commit;
            source->resume_events = offset->position.tx_event;
            source->emitted_commit = source->resume_commit;
            source->emitted_events = source->resume_events;
        }
    } else if (slot->exists) {
        source->start_lsn = slot->confirmed_flush;
        source->lsn_proc = slot->confirmed_flush;
    }
    source->confirmed_lsn = slot->exists ? slot->confirmed_flush : 0;
}

/* A filtered publication holds the signal table too: its rows are the signals and the
 * watermarks. */
static int source_signal_table_publish(cdc_source *source, pg_table_ref **tables, size_t *count,
                                       char *err, size_t errlen)
{
    if (!source->signal_table || source->config.publication_mode != CDC_PUBLICATION_FILTERED)
        return 0;
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*tables)[i].schema_name, source->signal_schema) == 0 &&
            strcmp((*tables)[i].table_name, source->signal_table) == 0)
            return 0;
    uint32_t oid = 0;
    char why[CDC_ERR];
    int found = pg_incremental_table_oid(source->conn, source->config.signal_data_collection,
                                         &oid, why, sizeof why);
    if (found < 0)
        return ferry_error_set(err, errlen, "%s", why), -1;
    if (found > 0) {
        source_log(source, FERRY_LOG_WARN,
                   "signal.data.collection: there is no table %s; create it (id varchar(42) "
                   "PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048)) for signals",
                   source->config.signal_data_collection);
        return 0;
    }
    pg_table_ref *grown = realloc(*tables, (*count + 1) * sizeof(**tables));
    if (!grown)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    *tables = grown;
    pg_table_ref *ref = &grown[*count];
    *ref = (pg_table_ref){.oid = oid, .schema_name = strdup(source->signal_schema),
                          .table_name = strdup(source->signal_table)};
    (*count)++;
    if (!ref->schema_name || !ref->table_name)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* The context headers every change event carries: Debezium's, with a new run id per start. */
static void source_headers_init(cdc_source *source)
{
    uint8_t random[10] = {0};
    /* a run id only tells runs apart: a short read leaves some bits zero, no harm */
    if (getrandom(random, sizeof random, GRND_NONBLOCK) != (ssize_t)sizeof random)
        source_log(source, FERRY_LOG_DEBUG, "getrandom gave too few bytes for the run id");
    dbz_run_id(clock_wall_us() / 1000, random, source->run_id);
    static const char task_id[] = CDC_TASK_ID_TEXT;
    static const char connector_name[] = "postgresql";
    const char *prefix = source->config.topic_prefix;
    source->headers[1] = (ferry_header){DBZ_HEADER_LOGICAL_NAME, prefix, strlen(prefix)};
    source->headers[2] = (ferry_header){DBZ_HEADER_TASK_ID, task_id, sizeof task_id - 1};
    source->headers[3] = (ferry_header){DBZ_HEADER_CONNECTOR_NAME, connector_name,
                                        sizeof connector_name - 1};
    source->headers[4] = (ferry_header){DBZ_HEADER_RUN_ID, source->run_id, 36};
}

ferry_status cdc_source_start(ferry_context *ctx, const ferry_config *config, void **state,
                              char *err, size_t errlen)
{
    cdc_source *source = calloc(1, sizeof(*source));
    char why[CDC_ERR];
    char lsn_text[24];
    if (!source)
        return ferry_error_set(err, errlen, "out of memory");
    source->ctx = ctx;
    cdc_offset_clear(&source->offset);
    if (cdc_config_parse(&source->config, cdc_host, config, err, errlen) != 0)
        goto fail;
    source->config.stream_marked = pg_slot_takeover_marker(
        cdc_host->config_string(config, "name"), CDC_TASK_NUMBER,
        source->config.stream_application_name, sizeof source->config.stream_application_name);
    source_warn_unsupported(source, config);
    source->dbz = (dbz_context){.topic_prefix = source->config.topic_prefix,
                                .topic_delimiter = source->config.topic_delimiter,
                                .database = source->config.dbname,
                                .version = CDC_SOURCE_VERSION,
                                .avro_names = source->config.avro_names};
    cdc_events_init(&source->events, &source->config, &source->dbz);
    cdc_incremental_init(&source->incremental);
    source_headers_init(source);
    if (source->config.signal_data_collection && *source->config.signal_data_collection &&
        pg_incremental_split_id(source->config.signal_data_collection, &source->signal_schema,
                                &source->signal_table) != 0) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    source->types = pg_type_registry_new();
    source->decoder = pgo_decoder_new();
    source->partition = cdc_partition_new(source->config.topic_prefix);
    if (dbz_context_init(&source->dbz) != 0 || !source->types || !source->decoder ||
        !source->partition) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }

    source->conn = pg_connection_open(&source->config, false, err, errlen);
    if (!source->conn ||
        pg_connection_prepare(source->conn, &source->config, &source->server_version, err,
                              errlen) != 0 ||
        pg_catalog_load_types(source->conn, source->types, err, errlen) != 0)
        goto fail;

    json_t *committed = cdc_host->offset_read(ctx, source->partition);
    int rc = cdc_offset_decode(committed, &source->offset, why, sizeof why);
    if (rc == 0 && source->offset.phase == CDC_OFFSET_STREAMING)
        rc = cdc_incremental_restore(&source->incremental, committed, why, sizeof why);
    json_decref(committed);
    if (rc != 0) {
        ferry_error_set(err, errlen, "the committed offset of server %s cannot be used: %s",
                        source->config.topic_prefix, why);
        goto fail;
    }
    if (source->config.signal_kafka) {
        source->signal_kafka = cdc_signal_kafka_new(&source->config, cdc_host->config_json(config),
                                                    err, errlen);
        if (!source->signal_kafka)
            goto fail;
        source_log(source, FERRY_LOG_INFO, "reading signals from Kafka topic %s",
                   cdc_signal_kafka_topic(source->signal_kafka));
    }
    if (cdc_incremental_active(&source->incremental))
        source_log(source, FERRY_LOG_INFO,
                   "incremental snapshot in progress: %zu tables, %s from %s",
                   source->incremental.count, source->incremental.collections[0].id,
                   source->incremental.position ? "resuming after its last chunk" : "its start");

    pg_slot_info slot = {0};
    if (source->config.snapshot_mode != CDC_SNAPSHOT_INITIAL_ONLY) {
        /* The replication connection now, so that a missing privilege fails the start. */
        PGconn *replication = pg_connection_open(&source->config, true, err, errlen);
        if (!replication)
            goto fail;
        pg_stream_attach(&source->stream, replication);
        pg_table_ref *tables = NULL;
        size_t table_count = 0;
        if (pg_catalog_list_tables(source->conn, &source->config, &tables, &table_count, err,
                                   errlen) != 0 ||
            source_signal_table_publish(source, &tables, &table_count, err, errlen) != 0) {
            pg_table_refs_free(tables, table_count);
            goto fail;
        }
        rc = pg_publication_ensure(source->conn, &source->config, tables, table_count, err,
                                   errlen);
        pg_table_refs_free(tables, table_count);
        if (rc != 0)
            goto fail;
        if (pg_slot_lookup(source->conn, source->config.slot_name, &slot, err, errlen) != 0 ||
            (slot.exists && pg_slot_check(&slot, &source->config, err, errlen) != 0))
            goto fail;
    }
    source_plan(source, &slot);

    if (!source->need_slot)
        source->phase = source->need_snapshot ? PHASE_SNAPSHOT_WAIT : PHASE_IDLE;
    else if (slot.exists && slot.active)
        source->phase = PHASE_WAIT_SLOT;
    else if (!slot.exists)
        source->phase = PHASE_CREATE_SLOT;
    else
        source->phase = source->need_snapshot ? PHASE_SNAPSHOT_WAIT : PHASE_START_STREAM;
    source->phase_until_ms = clock_monotonic_ms() + source->config.snapshot_delay_ms;

    const char *offset_text = source->offset.phase == CDC_OFFSET_NONE        ? "none"
                              : source->offset.phase == CDC_OFFSET_SNAPSHOT ? "snapshot in "
                                                                              "progress"
                                                                            : "streaming";
    source_log(source, FERRY_LOG_INFO,
               "PostgreSQL %d at %s:%d, database %s, slot \"%s\" (%s), publication \"%s\"; "
               "offset: %s; %s; stream from %s",
               source->server_version, source->config.hostname, source->config.port,
               source->config.dbname, source->config.slot_name,
               slot.exists ? "exists" : "to be created", source->config.publication_name,
               offset_text, source->need_snapshot ? "snapshot first" : "no snapshot",
               source_lsn(source->start_lsn, lsn_text));
    *state = source;
    return FERRY_OK;
fail:
    cdc_source_free(source);
    return FERRY_ERROR;
}

ferry_status cdc_source_poll(void *state, int timeout_ms, char *err, size_t errlen)
{
    cdc_source *source = state;
    int64_t start = clock_monotonic_ms();
    int64_t wait_ms = timeout_ms;
    if (source->config.poll_interval_ms > 0 && source->config.poll_interval_ms < wait_ms)
        wait_ms = source->config.poll_interval_ms;
    int64_t deadline = start + (wait_ms > 0 ? wait_ms : 0);
    int emitted = 0;
    ferry_status status = FERRY_OK;

    while (status == FERRY_OK) {
        if (source->pending.count > 0) {
            status = source_emit_pending(source, &emitted, err, errlen);
            if (status == FERRY_RETRY) {
                status = FERRY_OK; /* the runtime's buffer is full: come back later */
                break;
            }
            if (status != FERRY_OK)
                break;
            source_transaction_bound(source, false);
        }
        if (emitted >= source->config.max_batch_size || clock_monotonic_ms() >= deadline)
            break;
        source_phase phase = source->phase;
        switch (phase) {
        case PHASE_WAIT_SLOT:
            status = source_phase_wait_slot(source, err, errlen);
            break;
        case PHASE_CREATE_SLOT:
            status = source_phase_create_slot(source, deadline, err, errlen);
            break;
        case PHASE_SNAPSHOT_WAIT:
            if (clock_monotonic_ms() >= source->phase_until_ms)
                source->phase = PHASE_SNAPSHOT;
            break;
        case PHASE_SNAPSHOT:
            status = source_phase_snapshot(source, deadline, err, errlen);
            break;
        case PHASE_START_STREAM:
            status = source_phase_start_stream(source, deadline, err, errlen);
            break;
        case PHASE_STREAMING:
            status = source_phase_streaming(source, deadline, err, errlen);
            break;
        case PHASE_RECONNECT:
            status = source_phase_reconnect(source, deadline, err, errlen);
            break;
        case PHASE_IDLE:
            break;
        }
        source_transaction_bound(source, false);
        /* Phases that wait for time rather than I/O sleep here, bounded by the deadline. */
        if (status == FERRY_OK && source->pending.count == 0 && source->phase == phase &&
            (phase == PHASE_IDLE || phase == PHASE_SNAPSHOT_WAIT || phase == PHASE_WAIT_SLOT ||
             (phase == PHASE_RECONNECT && !source->replication_connecting))) {
            int64_t now = clock_monotonic_ms();
            int64_t until = phase == PHASE_IDLE ? deadline : source->phase_until_ms;
            if (until > deadline)
                until = deadline;
            if (until > now) {
                struct timespec pause = {.tv_sec = (until - now) / 1000,
                                         .tv_nsec = (long)((until - now) % 1000) * 1000000L};
                nanosleep(&pause, NULL);
            }
            if (phase == PHASE_IDLE)
                break;
        }
    }

    if (status == FERRY_OK)
        source_transaction_bound(source, true);
    if (source->phase == PHASE_STREAMING && source->stream.streaming) {
        int64_t now = clock_monotonic_ms();
        bool due = now - source->stream.last_status_ms >= source->config.status_update_interval_ms;
        bool moved = source->config.flush_lsn_source &&
                     source->confirmed_lsn > source->stream.reported_flush;
        if (due || moved || source->reply_requested) {
            source_send_status(source, false);
            source->reply_requested = false;
        }
    }
    source_metrics(source, false);
    return status;
}

void cdc_source_commit(void *state, const ferry_source_offset *offsets, size_t count)
{
    cdc_source *source = state;
    for (size_t i = 0; i < count; i++) {
        if (offsets[i].partition != source->partition &&
            !json_equal(offsets[i].partition, source->partition))
            continue;
        cdc_offset committed;
        char why[256];
        if (cdc_offset_decode(offsets[i].offset, &committed, why, sizeof why) != 0) {
            cdc_offset_clear(&committed);
            continue;
        }
        if (committed.phase == CDC_OFFSET_STREAMING)
            source_confirm(source, committed.position.lsn_proc);
        cdc_offset_clear(&committed);
        if (source->last_emitted_offset &&
            (offsets[i].offset == source->last_emitted_offset ||
             json_equal(offsets[i].offset, source->last_emitted_offset)))
            source->all_committed = true;
    }
    if (source_quiescent(source))
        source_confirm(source, source->lsn_proc);
    if (source->config.flush_lsn_source && source->phase == PHASE_STREAMING &&
        source->confirmed_lsn > source->stream.reported_flush)
        source_send_status(source, false);
    source_metrics(source, true);
}

void cdc_source_stop(void *state)
{
    cdc_source *source = state;
    if (!source)
        return;
    if (source->phase == PHASE_STREAMING)
        source_send_status(source, false);
    pg_snapshot_destroy(source->snapshot);
    source->snapshot = NULL;
    pg_stream_close(&source->stream);
    if (source->config.slot_drop_on_stop && source->conn && source->need_slot) {
        char why[CDC_ERR];
        if (pg_slot_drop(source->conn, source->config.slot_name, why, sizeof why) != 0)
            source_log(source, FERRY_LOG_WARN, "slot.drop.on.stop: %s", why);
        else
            source_log(source, FERRY_LOG_INFO, "replication slot \"%s\" dropped",
                       source->config.slot_name);
    }
    cdc_source_free(source);
}
