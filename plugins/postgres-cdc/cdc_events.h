/*
 * cdc_events.h - pgoutput changes become Debezium records: a change message (insert, update,
 * delete, truncate) of a captured table gives its change events and tombstones, a snapshot row
 * gives a read event, and with provide.transaction.metadata a transaction gets its BEGIN and END
 * records and each event its transaction block; the heartbeat record too. The records of one
 * message collect in a batch that cdc_source hands to the runtime. Pure: no connection, no
 * host; positions and offsets stay with cdc_source, which sets a record's offset.
 */
#ifndef PGCDC_CDC_EVENTS_H
#define PGCDC_CDC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cdc_config.h"
#include "debezium_envelope.h"
#include "pgoutput_decoder.h"

/* The most records one message gives: a key change is BEGIN + delete + tombstone + create; a
 * TRUNCATE of many tables stops short of it (cdc_events_batch.dropped). */
#define CDC_EVENTS_BATCH_MAX 16

typedef struct cdc_events_record {
    const char *topic; /* borrowed from a table (tables change only between messages) */
    char *owned_topic; /* or owned */
    json_t *key, *key_schema, *value, *value_schema; /* NULL key / value: a null one */
    json_t *offset;    /* set by the caller; NULL: the record carries no offset */
    /* A change event or its tombstone: it carries Debezium's __debezium.context.* headers */
    bool change;
    /* A primary-key change's other key: DBZ_HEADER_NEWKEY on the delete and its tombstone,
     * DBZ_HEADER_OLDKEY on the create; the key's compact JSON (owned). NULL: none. */
    const char *key_header;
    char *key_header_value;
} cdc_events_record;

/* The records of one message, in emit order. A zeroed batch is an empty one. */
typedef struct cdc_events_batch {
    cdc_events_record records[CDC_EVENTS_BATCH_MAX];
    size_t count;
    size_t dropped; /* events of a TRUNCATE left out because the batch was full */
} cdc_events_batch;

/* Queues a record; takes ownership of the JSON values (also when it fails). NULL when the batch
 * is full. */
cdc_events_record *cdc_events_batch_add(cdc_events_batch *batch, const char *topic, json_t *key,
                                        json_t *key_schema, json_t *value, json_t *value_schema);
/* Releases one record (zeroed after, so releasing it again does nothing). */
void cdc_events_record_release(cdc_events_record *record);
/* Releases every record and empties the batch. */
void cdc_events_batch_clear(cdc_events_batch *batch);

/* A captured table's collection in the transaction metadata: its events so far. */
typedef struct cdc_events_collection {
    char *id; /* "schema.table" */
    int64_t count;
} cdc_events_collection;

/* The translator: what the events of the transaction being read share. config and dbz are
 * borrowed for its life. cdc_source reads xid and commit_us for its offsets. */
typedef struct cdc_events {
    const cdc_config *config;
    const dbz_context *dbz;
    uint32_t xid;             /* of the transaction being read */
    int64_t commit_us;        /* its commit time, µs since 1970 */
    uint64_t last_commit_lsn; /* end of the last commit seen: the source's "sequence" */
    int64_t event_count;      /* data events of the transaction (transaction metadata) */
    cdc_events_collection *collections;
    size_t collection_count, collection_capacity;
} cdc_events;

void cdc_events_init(cdc_events *events, const cdc_config *config, const dbz_context *dbz);
void cdc_events_release(cdc_events *events);

/* What a translation gives. BAD_VALUE: a value could not be converted (err names it, the
 * failure mode decides); NO_MEMORY is always fatal. On either, the batch may hold some of the
 * message's records: clear it. */
typedef enum cdc_events_result {
    CDC_EVENTS_OK,
    CDC_EVENTS_BAD_VALUE,
    CDC_EVENTS_NO_MEMORY,
} cdc_events_result;

/* A transaction begins (pgoutput's Begin). */
void cdc_events_begin(cdc_events *events, uint32_t xid, int64_t commit_us);

/* The table of a relation for change messages: false when no Relation message described it;
 * else *table is the captured table, or NULL when the table is not captured. */
typedef bool (*cdc_events_lookup)(void *lookup_ctx, uint32_t relation_oid,
                                  const dbz_table **table);

/* Adds the records of an Insert, Update, Delete or Truncate at lsn to the batch (none for a
 * skipped operation or a table that is not captured); now_us is the envelopes' ts. */
cdc_events_result cdc_events_change(cdc_events *events, const pgo_message *message, uint64_t lsn,
                                    int64_t now_us, cdc_events_lookup lookup, void *lookup_ctx,
                                    cdc_events_batch *batch, char *err, size_t errlen);

/* The transaction commits at end_lsn. With transaction metadata, when the transaction had events
 * and with_end, the END record is added and returned; else NULL. */
cdc_events_record *cdc_events_commit(cdc_events *events, uint64_t end_lsn, bool with_end,
                                     cdc_events_batch *batch);

/* A snapshot row (values aligned with table->columns) as a read event; info is its source
 * block. The record is returned in *record. */
cdc_events_result cdc_events_snapshot_row(cdc_events *events, const dbz_table *table,
                                          const pgo_value *values, size_t count,
                                          const dbz_source_info *info, int64_t now_us,
                                          cdc_events_batch *batch, cdc_events_record **record,
                                          char *err, size_t errlen);

/* The heartbeat record, to <topic.heartbeat.prefix><delimiter><topic.prefix>; NULL when out of
 * memory or the batch is full. */
cdc_events_record *cdc_events_heartbeat(cdc_events *events, int64_t now_ms,
                                        cdc_events_batch *batch);

#endif
