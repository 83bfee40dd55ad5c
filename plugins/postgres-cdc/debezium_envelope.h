/*
 * debezium_envelope.h - Debezium's change events for one captured table: the key, value and
 * envelope schemas (built once per table, as the JsonConverter writes them), and the payloads of
 * each event: before/after rows, the source block, the transaction block, the envelope; plus the
 * heartbeat and transaction-metadata records. Pure: values come as text (pgoutput's tuple values,
 * or a query's cells) and go through pg_types.
 */
#ifndef PGCDC_DEBEZIUM_ENVELOPE_H
#define PGCDC_DEBEZIUM_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pg_types.h"
#include "pgoutput_decoder.h"

/* What every table's events share. Strings are borrowed for the context's life. */
typedef struct dbz_context {
    const char *topic_prefix;     /* topic.prefix: the source's "name" and the topics' prefix */
    const char *topic_delimiter;  /* topic.delimiter */
    const char *database;         /* database.dbname */
    const char *version;          /* the source's "version" */
    bool avro_names;              /* schema.name.adjustment.mode=avro */
    json_t *source_schema;        /* built by dbz_context_init */
    json_t *transaction_schema;
    /* Values every event repeats, shared by reference instead of allocated per event. */
    json_t *version_value, *connector_value, *name_value, *db_value, *false_value;
    json_t *op_values[5];         /* r c u d t */
} dbz_context;

int dbz_context_init(dbz_context *context);
void dbz_context_release(dbz_context *context);

typedef struct dbz_column {
    char *name;
    pg_value_type type;
    bool optional;     /* nullable */
    bool in_value;     /* kept by column.include.list / column.exclude.list */
    bool in_key;
    json_t *default_value; /* the constant default, the schema's "default"; NULL for none */
} dbz_column;

typedef struct dbz_table {
    uint32_t oid;
    char *schema_name;
    char *table_name;
    char *id;          /* "schema.table" */
    char *topic;
    char replica_identity; /* d, n, f, i */
    dbz_column *columns;
    size_t column_count;
    size_t *key_columns;   /* indices into columns, in key order */
    size_t key_count;
    json_t *key_schema;    /* NULL: the table has no key, its records have a null key */
    json_t *row_schema;    /* <topic>.Value */
    json_t *envelope_schema;
    json_t *schema_value;  /* the source block's "schema" and "table", shared by every event */
    json_t *table_value;
} dbz_table;

/* One column as the catalog or a Relation message describes it. */
typedef struct dbz_column_spec {
    const char *name;
    uint32_t type_oid;
    int32_t type_modifier;
    bool optional;
    bool in_value;
    int key_position; /* 0-based position in the key, -1 when not a key column */
    const char *default_expression; /* pg_get_expr of the default (pg_default.h); NULL: none */
} dbz_column_spec;

/* Builds a table and its schemas. Returns NULL with a message on failure. */
dbz_table *dbz_table_new(const dbz_context *context, const pg_type_registry *registry,
                         const pg_type_options *options, uint32_t oid, const char *schema_name,
                         const char *table_name, char replica_identity,
                         const dbz_column_spec *columns, size_t column_count, char *err,
                         size_t errlen);
void dbz_table_destroy(dbz_table *table);
/* The index of a column by name, or -1. */
int dbz_table_column(const dbz_table *table, const char *name);

/* ---- payloads ------------------------------------------------------------------------------- */

typedef enum dbz_row_mode {
    DBZ_ROW_FULL,     /* a new row, or an old row of REPLICA IDENTITY FULL */
    DBZ_ROW_KEY_ONLY, /* an old key tuple: missing columns get Debezium's fallback values */
} dbz_row_mode;

/* The row struct of a tuple (values aligned with table->columns). Unchanged TOAST values take
 * old's value when old has one (REPLICA IDENTITY FULL), else the placeholder. Returns 0 with a
 * new reference, or -1 with a message naming the column. */
int dbz_row_payload(const dbz_table *table, const pgo_value *values, size_t count,
                    const pgo_value *old_values, size_t old_count, dbz_row_mode mode,
                    json_t **out, char *err, size_t errlen);
/* The key struct, NULL when the table has no key (*out NULL, returns 0). */
int dbz_key_payload(const dbz_table *table, const pgo_value *values, size_t count, json_t **out,
                    char *err, size_t errlen);

typedef struct dbz_source_info {
    int64_t ts_us;            /* commit time (stream) or read time (snapshot), µs since 1970 */
    const char *snapshot;     /* "first", "true", "last", ...; NULL = false (streaming) */
    uint64_t last_commit_lsn; /* the sequence's first element; 0 = null */
    uint64_t lsn;             /* 0 = null */
    int64_t tx_id;            /* -1 = null */
    bool lsn_null;            /* lsn only in the sequence, the lsn field null (Debezium's
                                 incremental read events) */
} dbz_source_info;

json_t *dbz_source_payload(const dbz_context *context, const dbz_table *table,
                           const dbz_source_info *info);
/* The transaction block {id, total_order, data_collection_order}; the id is Debezium's
 * "<txId>:<LSN>" with the event's LSN. */
json_t *dbz_transaction_payload(int64_t tx_id, uint64_t lsn, int64_t total_order,
                                int64_t collection_order);
/* The envelope; takes ownership of before, after, source and transaction (each may be NULL, a
 * JSON null is written). op: 'r', 'c', 'u', 'd', 't'. context may be NULL (no shared values). */
json_t *dbz_envelope_payload(const dbz_context *context, char op, json_t *before, json_t *after,
                             json_t *source, json_t *transaction, int64_t now_us);

/* ---- other records ------------------------------------------------------------------------- */

/* Heartbeat key {serverName} and value {ts_ms} with their schemas (new references). */
int dbz_heartbeat(const dbz_context *context, int64_t now_ms, json_t **key, json_t **key_schema,
                  json_t **value, json_t **value_schema);

/* Transaction metadata: BEGIN (event_count < 0, collections NULL) or END. collections: a JSON
 * array of {"data_collection","event_count"} (borrowed). The id is "<txId>:<LSN>", as Debezium
 * writes it: the LSN of the transaction's first event for BEGIN, of its commit for END. */
int dbz_transaction_event(int64_t tx_id, uint64_t lsn, bool end, int64_t event_count,
                          json_t *collections, int64_t ts_ms, json_t **key, json_t **key_schema,
                          json_t **value, json_t **value_schema);

/* ---- headers ------------------------------------------------------------------------------ */

/* Debezium's headers: every change event and tombstone carries the context headers (its
 * connector's topic.prefix, task, kind and run); a primary-key change's delete and tombstone
 * carry the new key, its create the old key. */
#define DBZ_HEADER_LOGICAL_NAME "__debezium.context.connectorLogicalName"
#define DBZ_HEADER_TASK_ID "__debezium.context.taskId"
#define DBZ_HEADER_CONNECTOR_NAME "__debezium.context.connectorName"
#define DBZ_HEADER_RUN_ID "__debezium.context.runId"
#define DBZ_HEADER_OLDKEY "__debezium.oldkey"
#define DBZ_HEADER_NEWKEY "__debezium.newkey"

/* A run id as Debezium makes one for each start of a task: a version 7 UUID (the time in ms,
 * then random bits) in its 36-character text form. random: 10 random bytes. */
void dbz_run_id(int64_t now_ms, const uint8_t random[10], char out[37]);

/* "<prefix><delimiter><schema><delimiter><table>" (malloc'd). */
char *dbz_topic_name(const dbz_context *context, const char *schema_name,
                     const char *table_name);

#endif
