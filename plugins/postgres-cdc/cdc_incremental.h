/*
 * cdc_incremental.h - Debezium's incremental snapshot, without I/O: the context (the tables
 * still to read, the position in the first of them, its largest key) that every offset carries
 * in Debezium's incremental_snapshot_* fields; the chunk buffer held between the chunk's open
 * and close watermarks, from which a streamed change of the same key removes the row (the
 * stream's event is newer); the signals (execute-snapshot, stop-snapshot, pause-snapshot,
 * resume-snapshot, the watermarks); the notification records. cdc_source drives it, pg_incremental
 * runs its queries. docs/connectors/postgres-cdc.md, "Incremental snapshots", tells the whole.
 */
#ifndef PGCDC_CDC_INCREMENTAL_H
#define PGCDC_CDC_INCREMENTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "cdc_events.h"
#include "debezium_envelope.h"
#include "pg_snapshot.h"
#include "pgoutput_decoder.h"

/* The offset fields (Debezium's names). */
#define CDC_INCR_COLLECTIONS "incremental_snapshot_collections"
#define CDC_INCR_PRIMARY_KEY "incremental_snapshot_primary_key"
#define CDC_INCR_MAXIMUM_KEY "incremental_snapshot_maximum_key"
#define CDC_INCR_CORRELATION_ID "incremental_snapshot_correlation_id"

/* Key columns matched against the buffer: a longer key matches on its first ones. */
#define CDC_KEY_MAX 32

typedef struct cdc_incr_collection {
    char *id;        /* "schema.table" */
    char *condition; /* additional-conditions filter, NULL: none */
} cdc_incr_collection;

/* Where the current chunk is. */
typedef enum cdc_incr_window {
    CDC_INCR_NO_CHUNK,  /* none buffered: the next one is read when the task gets to it */
    CDC_INCR_WAIT_OPEN, /* buffered; its open watermark is not streamed yet */
    CDC_INCR_OPEN,      /* between the watermarks: streamed keys leave the buffer */
    CDC_INCR_EMIT,      /* the close watermark is streamed: the rows left go out */
} cdc_incr_window;

typedef struct cdc_incremental {
    cdc_incr_collection *collections; /* the first is being read */
    size_t count, capacity;
    json_t *position;    /* key (text values) of the last row read of collections[0]; NULL:
                            from its start */
    json_t *maximum;     /* its largest key when its reading began; NULL: not looked up yet */
    /* the Java class each key value has in Debezium's offset fields (java_serial.h): 'I'
       Integer, 'J' Long, 'S' String, 'U' UUID; from the table's key types, or from the offset */
    char key_types[CDC_KEY_MAX + 1];
    char *correlation_id; /* the execute-snapshot signal's id (notifications carry it) */
    bool paused;
    cdc_incr_window window;
    char chunk_id[40];
    /* the chunk buffer */
    PGresult *chunk;
    uint32_t chunk_oid;  /* its table */
    size_t key_columns[CDC_KEY_MAX]; /* the key's columns in the chunk's (and the stream's) rows */
    size_t key_count;
    int rows;
    int next_row;        /* CDC_INCR_EMIT: the next row to look at */
    int remaining;       /* rows not removed and not emitted */
    bool last_chunk;     /* fewer rows than asked for: the table is done after it */
    unsigned char *removed;
    int *slots;          /* hash of the rows' keys: row + 1, 0 free */
    size_t slot_count;
    json_t *chunk_start; /* the position before the chunk: what offsets say until it is out */
    /* progress */
    int64_t chunks;      /* chunks read since the snapshot started (this run) */
    int64_t rows_emitted;
    int64_t table_rows;  /* read events of collections[0] */
    /* read.only=true: the chunk's watermarks, pg_current_snapshot() before (low) and after
       (high) its SELECT, instead of rows written into the signal table */
    bool read_only;
    pg_txid_snapshot low, high;
} cdc_incremental;

void cdc_incremental_init(cdc_incremental *inc);
void cdc_incremental_release(cdc_incremental *inc);
/* Whether a snapshot is in progress (tables left). */
bool cdc_incremental_active(const cdc_incremental *inc);

/* Restores the context from a committed offset's incremental_snapshot_* fields (none: nothing
 * in progress). 0, or -1 with a message naming the field. */
int cdc_incremental_restore(cdc_incremental *inc, const json_t *offset, char *err,
                            size_t errlen);
/* Adds the context's fields to an offset (nothing when no snapshot is in progress). While a
 * chunk is held, the position is the one before it: a restart reads that chunk again. -1 when
 * out of memory. */
int cdc_incremental_offset_add(const cdc_incremental *inc, json_t *offset);

/* The key of the position as Debezium's offset field holds it: the hex digits of the Java
 * serialization of an Object[] of the key values (java_serial.h), each of the class types[k]
 * names (see key_types). key: an array of the values' text. malloc'd; NULL when a value does
 * not fit its class or out of memory. */
char *cdc_incremental_key_encode(const json_t *key, const char *types);
/* The reverse: an array of the values' text (new reference), their classes into types (room
 * for CDC_KEY_MAX + 1). NULL with a message naming what is wrong. */
json_t *cdc_incremental_key_decode(const char *hex, char *types, char *err, size_t errlen);
/* Sets key_types from the table's key column types as Debezium's PostgreSQL connector reads
 * them over JDBC: int2 and int4 Integer, int8 and oid Long, uuid UUID, text types String; any
 * other type is written as a String of its text (docs: only ferry reads that back). */
void cdc_incremental_key_types(cdc_incremental *inc, const dbz_table *table);

/* Queues a table (a table already queued is left where it is). -1 when out of memory. */
int cdc_incremental_add(cdc_incremental *inc, const char *id, const char *condition);
/* Removes tables (NULL ids: all). Returns how many were removed; *current_removed says
 * whether the table being read was among them (its chunk is dropped). */
size_t cdc_incremental_remove(cdc_incremental *inc, const char *const *ids, size_t id_count,
                              bool *current_removed);
/* The table being read is done: it leaves the queue and the next starts from its beginning. */
void cdc_incremental_table_done(cdc_incremental *inc);

/* Takes a chunk's result (owned from now on) of table (key_columns: indices into its columns).
 * asked: the row limit of the query (a table ends with an empty chunk, as Debezium's). The
 * state becomes WAIT_OPEN with chunk_id. -1 when out of memory (the result is freed). */
int cdc_incremental_buffer(cdc_incremental *inc, PGresult *chunk, const dbz_table *table,
                           int asked, const char *chunk_id);
/* Drops the buffered chunk (state NO_CHUNK). */
void cdc_incremental_buffer_drop(cdc_incremental *inc);
/* A streamed change of relation_oid with this tuple (new, or old key): its key leaves the
 * buffer when the window is open. */
void cdc_incremental_stream_key(cdc_incremental *inc, uint32_t relation_oid,
                                const pgo_tuple *tuple);
/* CDC_INCR_EMIT: the next row left into values (aligned with the table's columns, valid until
 * the buffer changes; array reused). false when none is left (or out of memory: remaining is
 * then not 0). */
bool cdc_incremental_next_row(cdc_incremental *inc, pgo_value **values, size_t *capacity,
                              size_t *count);

/* read.only=true (Debezium's PostgresReadOnlyIncrementalSnapshotChangeEventSource): takes the
 * chunk's watermarks (owned from now on; call after cdc_incremental_buffer). */
void cdc_incremental_watermarks(cdc_incremental *inc, pg_txid_snapshot *low,
                                pg_txid_snapshot *high);
/* read.only: a streamed change of transaction xid, before its key is matched: a transaction not
 * older than the low watermark's xmin may be newer than the chunk, so the window opens. */
void cdc_incremental_change_before(cdc_incremental *inc, uint32_t xid);
/* read.only: after the change's key is matched: a transaction past both watermarks' xmax began
 * after the chunk, the window closes (EMIT). true when it closed. */
bool cdc_incremental_change_after(cdc_incremental *inc, uint32_t xid);
/* read.only: transaction xid committed: the window closes when it was the high watermark's xmax
 * or is not newer than its xmin (Debezium's readUntilNewTransactionChange), or when idle (the
 * stream has nothing more now: a change still to come follows the chunk's rows). true when it
 * closed. */
bool cdc_incremental_commit(cdc_incremental *inc, uint32_t xid, bool idle);

/* The key (text values) of the buffered chunk's last row, a new reference; NULL when no chunk
 * or an empty one (or out of memory). */
json_t *cdc_incremental_chunk_last_key(const cdc_incremental *inc);
/* The chunk is out: its last key becomes the position, the buffer is dropped. true when it was
 * the table's last chunk (the caller ends the table: cdc_incremental_table_done). */
bool cdc_incremental_chunk_done(cdc_incremental *inc);

/* A signal (a signal-table row or a Kafka record's value). */
typedef enum cdc_signal_kind {
    CDC_SIGNAL_EXECUTE,
    CDC_SIGNAL_STOP,
    CDC_SIGNAL_PAUSE,
    CDC_SIGNAL_RESUME,
    CDC_SIGNAL_WINDOW_OPEN,
    CDC_SIGNAL_WINDOW_CLOSE,
    CDC_SIGNAL_LOG,
    CDC_SIGNAL_OTHER,     /* a type ferry does not act on */
} cdc_signal_kind;

typedef struct cdc_signal {
    cdc_signal_kind kind;
    char *id;
    char *type;
    json_t *data;          /* parsed data, NULL when empty */
    char **collections;    /* data-collections (NULL-terminated), NULL when not given */
    char **conditions;     /* aligned with collections: its additional condition or NULL */
    size_t collection_count;
    bool blocking;         /* data.type = blocking (not supported) */
} cdc_signal;

/* Parses a signal from its id, type and data text. 0, or -1 with a message naming what is
 * wrong (the signal is then ignored with that message). */
int cdc_signal_parse(const char *id, const char *type, const char *data, cdc_signal *signal,
                     char *err, size_t errlen);
void cdc_signal_release(cdc_signal *signal);
/* A record of the kafka signal channel: its key must be the connector's topic.prefix (else 1,
 * with err saying whose it is: not for this connector); its value Debezium's
 * {"id": ..., "type": ..., "data": {...}}, id taken from generated_id when the value has none.
 * 0 parsed, -1 with a message naming what is wrong. */
int cdc_signal_parse_kafka(const char *key, const char *value, const char *topic_prefix,
                           const char *generated_id, cdc_signal *signal, char *err,
                           size_t errlen);

/* Debezium's notification types. */
typedef enum cdc_notification_type {
    CDC_NOTIFY_STARTED,
    CDC_NOTIFY_IN_PROGRESS,
    CDC_NOTIFY_TABLE_SCAN_COMPLETED,
    CDC_NOTIFY_COMPLETED,
    CDC_NOTIFY_ABORTED,
    CDC_NOTIFY_PAUSED,
    CDC_NOTIFY_RESUMED,
    CDC_NOTIFY_SKIPPED, /* aggregate_type "Initial Snapshot": the task streams without one */
} cdc_notification_type;

const char *cdc_notification_type_name(cdc_notification_type type);

/* The additional_data of a notification of type for the context (connector_name, and the
 * fields Debezium gives that type); extra (borrowed, may be NULL) is merged in. New reference,
 * NULL when out of memory. */
json_t *cdc_incremental_notification_data(const cdc_incremental *inc, cdc_notification_type type,
                                          const char *connector_name, const json_t *extra);
/* Queues an io.debezium.connector.common.Notification record (key {id}) to topic; id: the
 * correlation id or a new UUID given by the caller. Takes additional_data. NULL when out of
 * memory or the batch is full. */
cdc_events_record *cdc_incremental_notification(const char *topic, const char *id,
                                                cdc_notification_type type,
                                                json_t *additional_data, int64_t now_ms,
                                                cdc_events_batch *batch);

#endif
