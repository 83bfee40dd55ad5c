/*
 * cdc_events.c - pgoutput changes and snapshot rows as Debezium records (see cdc_events.h).
 */
#include "cdc_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"
#include "support/strbuf.h"

/* ------------------------------------------------------------------------------------------ */
/* The batch                                                                                  */

cdc_events_record *cdc_events_batch_add(cdc_events_batch *batch, const char *topic, json_t *key,
                                        json_t *key_schema, json_t *value, json_t *value_schema)
{
    if (batch->count >= CDC_EVENTS_BATCH_MAX) {
        json_decref(key);
        json_decref(key_schema);
        json_decref(value);
        json_decref(value_schema);
        return NULL;
    }
    cdc_events_record *record = &batch->records[batch->count++];
    *record = (cdc_events_record){.topic = topic, .key = key, .key_schema = key_schema,
                                  .value = value, .value_schema = value_schema};
    return record;
}

void cdc_events_record_release(cdc_events_record *record)
{
    json_decref(record->key);
    json_decref(record->key_schema);
    json_decref(record->value);
    json_decref(record->value_schema);
    json_decref(record->offset);
    free(record->owned_topic);
    free(record->key_header_value);
    memset(record, 0, sizeof(*record));
}

void cdc_events_batch_clear(cdc_events_batch *batch)
{
    for (size_t i = 0; i < batch->count; i++)
        cdc_events_record_release(&batch->records[i]);
    batch->count = 0;
    batch->dropped = 0;
}

/* "<first><delimiter><second>" (malloc'd), the name of the heartbeat and transaction topics. */
static char *cdc_events_topic(const char *first, const char *delimiter, const char *second)
{
    strbuf topic = {0};
    strbuf_append_printf(&topic, "%s%s%s", first, delimiter, second);
    return strbuf_take(&topic, NULL);
}

/* Queues a record of the transaction metadata topic; takes ownership of the values. */
static cdc_events_record *cdc_events_add_transaction(cdc_events *events, cdc_events_batch *batch,
                                                     json_t *key, json_t *key_schema,
                                                     json_t *value, json_t *value_schema)
{
    char *topic = cdc_events_topic(events->config->topic_prefix, events->config->topic_delimiter,
                                   events->config->topic_transaction);
    cdc_events_record *record =
        topic ? cdc_events_batch_add(batch, NULL, key, key_schema, value, value_schema) : NULL;
    if (!record) {
        if (!topic) {
            json_decref(key);
            json_decref(key_schema);
            json_decref(value);
            json_decref(value_schema);
        }
        free(topic);
        return NULL;
    }
    record->owned_topic = topic;
    return record;
}

/* ------------------------------------------------------------------------------------------ */
/* The translator                                                                             */

void cdc_events_init(cdc_events *events, const cdc_config *config, const dbz_context *dbz)
{
    memset(events, 0, sizeof(*events));
    events->config = config;
    events->dbz = dbz;
}

static void cdc_events_collections_clear(cdc_events *events)
{
    for (size_t i = 0; i < events->collection_count; i++)
        free(events->collections[i].id);
    events->collection_count = 0;
    events->event_count = 0;
}

void cdc_events_release(cdc_events *events)
{
    cdc_events_collections_clear(events);
    free(events->collections);
    events->collections = NULL;
    events->collection_capacity = 0;
}

void cdc_events_begin(cdc_events *events, uint32_t xid, int64_t commit_us)
{
    events->xid = xid;
    events->commit_us = commit_us;
    cdc_events_collections_clear(events);
}

/* The collection of a table in this transaction, added when new; NULL when out of memory. */
static cdc_events_collection *cdc_events_collection_of(cdc_events *events, const char *id)
{
    for (size_t i = 0; i < events->collection_count; i++)
        if (strcmp(events->collections[i].id, id) == 0)
            return &events->collections[i];
    if (array_reserve(&events->collections, &events->collection_capacity,
                      events->collection_count + 1, sizeof(*events->collections)) != 0)
        return NULL;
    cdc_events_collection *collection = &events->collections[events->collection_count];
    collection->id = strdup(id);
    if (!collection->id)
        return NULL;
    collection->count = 0;
    events->collection_count++;
    return collection;
}

/* The transaction metadata of the next event: BEGIN before the transaction's first event, and
 * the event's transaction block (NULL without metadata). */
static json_t *cdc_events_transaction_block(cdc_events *events, const dbz_table *table,
                                            uint64_t lsn, cdc_events_batch *batch)
{
    if (!events->config->provide_transaction_metadata)
        return NULL;
    if (events->event_count == 0) {
        json_t *key, *key_schema, *value, *value_schema;
        if (dbz_transaction_event(events->xid, lsn, false, -1, NULL, events->commit_us / 1000,
                                  &key, &key_schema, &value, &value_schema) == 0)
            cdc_events_add_transaction(events, batch, key, key_schema, value, value_schema);
    }
    events->event_count++;
    cdc_events_collection *collection = cdc_events_collection_of(events, table->id);
    if (!collection)
        return NULL;
    collection->count++;
    return dbz_transaction_payload(events->xid, lsn, events->event_count, collection->count);
}

/* Queues one change event. Takes ownership of key, before, after. */
static cdc_events_result cdc_events_queue(cdc_events *events, const dbz_table *table, char op,
                                          json_t *key, json_t *before, json_t *after,
                                          uint64_t lsn, int64_t now_us, cdc_events_batch *batch)
{
    dbz_source_info info = {
        .ts_us = events->commit_us,
        .last_commit_lsn = events->last_commit_lsn,
        .lsn = lsn,
        .tx_id = events->xid,
    };
    json_t *block = cdc_events_transaction_block(events, table, lsn, batch);
    json_t *value = dbz_envelope_payload(events->dbz, op, before, after,
                                         dbz_source_payload(events->dbz, table, &info), block,
                                         now_us);
    if (!value) {
        json_decref(key);
        return CDC_EVENTS_NO_MEMORY;
    }
    cdc_events_record *record = cdc_events_batch_add(batch, table->topic, key,
                                                     json_incref(table->key_schema), value,
                                                     json_incref(table->envelope_schema));
    if (!record)
        return CDC_EVENTS_NO_MEMORY;
    record->change = true;
    return CDC_EVENTS_OK;
}

/* The tombstone after a delete (tombstones.on.delete). Takes ownership of key. */
static cdc_events_result cdc_events_queue_tombstone(cdc_events *events, const dbz_table *table,
                                                    json_t *key, cdc_events_batch *batch)
{
    if (!events->config->tombstones_on_delete) {
        json_decref(key);
        return CDC_EVENTS_OK;
    }
    cdc_events_record *record =
        cdc_events_batch_add(batch, table->topic, key, json_incref(table->key_schema), NULL, NULL);
    if (!record)
        return CDC_EVENTS_NO_MEMORY;
    record->change = true;
    return CDC_EVENTS_OK;
}

/* Puts the other key of a primary-key change on the change records queued from index first
 * on, as Debezium does: the new key on the delete and its tombstone, the old key on the create. */
static cdc_events_result cdc_events_key_header(cdc_events_batch *batch, size_t first,
                                               const char *name, const json_t *key)
{
    for (size_t i = first; i < batch->count; i++) {
        cdc_events_record *record = &batch->records[i];
        if (!record->change)
            continue;
        record->key_header_value = json_dumps(key, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!record->key_header_value)
            return CDC_EVENTS_NO_MEMORY;
        record->key_header = name;
    }
    return CDC_EVENTS_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Change messages                                                                            */

/* The key and the row struct of a tuple (old_values: REPLICA IDENTITY FULL's old row, for
 * unchanged TOAST values). BAD_VALUE, with neither returned, when a value cannot be converted. */
static cdc_events_result cdc_events_payloads(const dbz_table *table, const pgo_value *values,
                                             size_t count, const pgo_value *old_values,
                                             size_t old_count, dbz_row_mode mode, json_t **key,
                                             json_t **row, char *err, size_t errlen)
{
    if (dbz_key_payload(table, values, count, key, err, errlen) != 0)
        return CDC_EVENTS_BAD_VALUE;
    if (dbz_row_payload(table, values, count, old_values, old_count, mode, row, err, errlen) !=
        0) {
        json_decref(*key);
        *key = NULL;
        return CDC_EVENTS_BAD_VALUE;
    }
    return CDC_EVENTS_OK;
}

static cdc_events_result cdc_events_insert(cdc_events *events, const dbz_table *table,
                                           const pgo_message *message, uint64_t lsn,
                                           int64_t now_us, cdc_events_batch *batch, char *err,
                                           size_t errlen)
{
    const pgo_tuple *row = &message->insert.new_tuple;
    json_t *key, *after;
    if (cdc_events_payloads(table, row->values, row->count, NULL, 0, DBZ_ROW_FULL, &key, &after,
                            err, errlen) != CDC_EVENTS_OK)
        return CDC_EVENTS_BAD_VALUE;
    return cdc_events_queue(events, table, 'c', key, NULL, after, lsn, now_us, batch);
}

static cdc_events_result cdc_events_update(cdc_events *events, const dbz_table *table,
                                           const pgo_message *message, uint64_t lsn,
                                           int64_t now_us, cdc_events_batch *batch, char *err,
                                           size_t errlen)
{
    const pgo_tuple *new_row = &message->update.new_tuple;
    const pgo_tuple *old_row = message->update.old_kind ? &message->update.old_tuple : NULL;
    bool old_full = message->update.old_kind == 'O';
    json_t *key, *after, *old_key = NULL, *before = NULL;
    if (old_row && cdc_events_payloads(table, old_row->values, old_row->count, NULL, 0,
                                       old_full ? DBZ_ROW_FULL : DBZ_ROW_KEY_ONLY, &old_key,
                                       &before, err, errlen) != CDC_EVENTS_OK)
        return CDC_EVENTS_BAD_VALUE;
    if (cdc_events_payloads(table, new_row->values, new_row->count,
                            old_full ? old_row->values : NULL, old_full ? old_row->count : 0,
                            DBZ_ROW_FULL, &key, &after, err, errlen) != CDC_EVENTS_OK) {
        json_decref(old_key);
        json_decref(before);
        return CDC_EVENTS_BAD_VALUE;
    }
    if (key && old_key && !json_equal(key, old_key)) {
        /* A primary-key change: delete the old key, tombstone it, create the new one; each
         * names the other key in a header. */
        json_t *tombstone_key = json_incref(old_key);
        json_t *old_key_copy = json_incref(old_key);
        size_t first = batch->count;
        cdc_events_result result =
            cdc_events_queue(events, table, 'd', old_key, before, NULL, lsn, now_us, batch);
        if (result == CDC_EVENTS_OK)
            result = cdc_events_queue_tombstone(events, table, tombstone_key, batch);
        else
            json_decref(tombstone_key);
        if (result == CDC_EVENTS_OK)
            result = cdc_events_key_header(batch, first, DBZ_HEADER_NEWKEY, key);
        if (result != CDC_EVENTS_OK) {
            json_decref(old_key_copy);
            json_decref(key);
            json_decref(after);
            return result;
        }
        first = batch->count;
        result = cdc_events_queue(events, table, 'c', key, NULL, after, lsn, now_us, batch);
        if (result == CDC_EVENTS_OK)
            result = cdc_events_key_header(batch, first, DBZ_HEADER_OLDKEY, old_key_copy);
        json_decref(old_key_copy);
        return result;
    }
    json_decref(old_key);
    return cdc_events_queue(events, table, 'u', key, before, after, lsn, now_us, batch);
}

static cdc_events_result cdc_events_delete(cdc_events *events, const dbz_table *table,
                                           const pgo_message *message, uint64_t lsn,
                                           int64_t now_us, cdc_events_batch *batch, char *err,
                                           size_t errlen)
{
    const pgo_tuple *old_row = &message->delete_.old_tuple;
    dbz_row_mode mode = message->delete_.old_kind == 'O' ? DBZ_ROW_FULL : DBZ_ROW_KEY_ONLY;
    json_t *key, *before;
    if (cdc_events_payloads(table, old_row->values, old_row->count, NULL, 0, mode, &key, &before,
                            err, errlen) != CDC_EVENTS_OK)
        return CDC_EVENTS_BAD_VALUE;
    json_t *tombstone_key = json_incref(key);
    if (cdc_events_queue(events, table, 'd', key, before, NULL, lsn, now_us, batch) !=
        CDC_EVENTS_OK) {
        json_decref(tombstone_key);
        return CDC_EVENTS_NO_MEMORY;
    }
    return cdc_events_queue_tombstone(events, table, tombstone_key, batch);
}

static cdc_events_result cdc_events_truncate(cdc_events *events, const pgo_message *message,
                                             uint64_t lsn, int64_t now_us,
                                             cdc_events_lookup lookup, void *lookup_ctx,
                                             cdc_events_batch *batch)
{
    for (uint32_t i = 0; i < message->truncate.relation_count; i++) {
        const dbz_table *table = NULL;
        if (!lookup(lookup_ctx, message->truncate.relation_oids[i], &table) || !table)
            continue;
        /* room for the event and the BEGIN record it may bring */
        if (batch->count >= CDC_EVENTS_BATCH_MAX - 1) {
            batch->dropped++;
            continue;
        }
        if (cdc_events_queue(events, table, 't', NULL, NULL, NULL, lsn, now_us, batch) !=
            CDC_EVENTS_OK)
            return CDC_EVENTS_NO_MEMORY;
    }
    return CDC_EVENTS_OK;
}

cdc_events_result cdc_events_change(cdc_events *events, const pgo_message *message, uint64_t lsn,
                                    int64_t now_us, cdc_events_lookup lookup, void *lookup_ctx,
                                    cdc_events_batch *batch, char *err, size_t errlen)
{
    const cdc_config *config = events->config;
    if (message->kind == PGO_TRUNCATE)
        return config->skip_truncate
                   ? CDC_EVENTS_OK
                   : cdc_events_truncate(events, message, lsn, now_us, lookup, lookup_ctx,
                                         batch);
    uint32_t oid = message->kind == PGO_INSERT   ? message->insert.relation_oid
                   : message->kind == PGO_UPDATE ? message->update.relation_oid
                   : message->kind == PGO_DELETE ? message->delete_.relation_oid
                                                 : 0;
    if (!oid)
        return CDC_EVENTS_OK; /* not a change message */
    const dbz_table *table = NULL;
    if (!lookup(lookup_ctx, oid, &table)) {
        ferry_error_set(err, errlen, "a %s message for relation %u came before its Relation "
                                     "message",
                        pgo_kind_name(message->kind), oid);
        return CDC_EVENTS_BAD_VALUE;
    }
    if (!table)
        return CDC_EVENTS_OK; /* not captured */
    switch (message->kind) {
    case PGO_INSERT:
        return config->skip_create
                   ? CDC_EVENTS_OK
                   : cdc_events_insert(events, table, message, lsn, now_us, batch, err,
                                       errlen);
    case PGO_UPDATE:
        return config->skip_update
                   ? CDC_EVENTS_OK
                   : cdc_events_update(events, table, message, lsn, now_us, batch, err,
                                       errlen);
    case PGO_DELETE:
        return config->skip_delete
                   ? CDC_EVENTS_OK
                   : cdc_events_delete(events, table, message, lsn, now_us, batch, err,
                                       errlen);
    default:
        return CDC_EVENTS_OK;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Transactions, snapshot rows, heartbeats                                                    */

cdc_events_record *cdc_events_commit(cdc_events *events, uint64_t end_lsn, bool with_end,
                                     cdc_events_batch *batch)
{
    events->last_commit_lsn = end_lsn;
    cdc_events_record *record = NULL;
    if (events->config->provide_transaction_metadata && events->event_count > 0 && with_end) {
        json_t *collections = json_array();
        for (size_t i = 0; collections && i < events->collection_count; i++)
            json_array_append_new(collections,
                                  json_pack("{s:s, s:I}", "data_collection",
                                            events->collections[i].id, "event_count",
                                            (json_int_t)events->collections[i].count));
        json_t *key, *key_schema, *value, *value_schema;
        if (dbz_transaction_event(events->xid, end_lsn, true, events->event_count, collections,
                                  events->commit_us / 1000, &key, &key_schema, &value,
                                  &value_schema) == 0)
            record = cdc_events_add_transaction(events, batch, key, key_schema, value,
                                                value_schema);
        json_decref(collections);
    }
    cdc_events_collections_clear(events);
    return record;
}

cdc_events_result cdc_events_snapshot_row(cdc_events *events, const dbz_table *table,
                                          const pgo_value *values, size_t count,
                                          const dbz_source_info *info, int64_t now_us,
                                          cdc_events_batch *batch, cdc_events_record **record,
                                          char *err, size_t errlen)
{
    *record = NULL;
    json_t *key, *after;
    if (cdc_events_payloads(table, values, count, NULL, 0, DBZ_ROW_FULL, &key, &after, err,
                            errlen) != CDC_EVENTS_OK)
        return CDC_EVENTS_BAD_VALUE;
    json_t *value = dbz_envelope_payload(events->dbz, 'r', NULL, after,
                                         dbz_source_payload(events->dbz, table, info), NULL,
                                         now_us);
    if (!value) {
        json_decref(key);
        return CDC_EVENTS_NO_MEMORY;
    }
    *record = cdc_events_batch_add(batch, table->topic, key, json_incref(table->key_schema),
                                   value, json_incref(table->envelope_schema));
    if (!*record)
        return CDC_EVENTS_NO_MEMORY;
    (*record)->change = true;
    return CDC_EVENTS_OK;
}

cdc_events_record *cdc_events_heartbeat(cdc_events *events, int64_t now_ms,
                                        cdc_events_batch *batch)
{
    json_t *key, *key_schema, *value, *value_schema;
    if (dbz_heartbeat(events->dbz, now_ms, &key, &key_schema, &value, &value_schema) != 0)
        return NULL;
    cdc_events_record *record =
        cdc_events_batch_add(batch, NULL, key, key_schema, value, value_schema);
    if (!record)
        return NULL;
    const cdc_config *config = events->config;
    record->owned_topic = cdc_events_topic(config->topic_heartbeat_prefix,
                                           config->topic_delimiter, config->topic_prefix);
    if (!record->owned_topic)
        record->topic = "__debezium-heartbeat";
    return record;
}
