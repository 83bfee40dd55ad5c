/*
 * pg_incremental.h - the incremental snapshot's statements on the regular connection: a table
 * looked up by its "schema.table" id, the table's largest key, one chunk (keyset pagination
 * between the position and that largest key, with the signal's additional condition), the
 * watermark rows inserted into the signal table, and the read-only variant's
 * pg_current_snapshot(). Blocking: each is one quick statement.
 */
#ifndef PGCDC_PG_INCREMENTAL_H
#define PGCDC_PG_INCREMENTAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "debezium_envelope.h"
#include "pg_catalog.h"
#include "pg_snapshot.h"

/* Splits "schema.table" (no dot: schema public) into malloc'd parts; -1 when out of memory. */
int pg_incremental_split_id(const char *id, char **schema_name, char **table_name);

/* The OID of a table by id: 0 with *oid, 1 when there is no such table, -1 with err. */
int pg_incremental_table_oid(PGconn *conn, const char *id, uint32_t *oid, char *err,
                             size_t errlen);

/* SELECT of the key columns of table (its key_columns, described by meta), largest first, one
 * row; condition (may be NULL) filters. Exposed for tests. */
char *pg_incremental_maximum_sql(const pg_table_meta *meta, const dbz_table *table,
                                 const char *condition);
/* SELECT of every column of the rows after the position (when after) up to the maximum, in
 * key order, at most limit. Parameters: the position's key values, then the maximum's. */
char *pg_incremental_chunk_sql(const pg_table_meta *meta, const dbz_table *table,
                               const char *condition, bool after, int limit);

/* The table's largest key (text values; a new reference), NULL with *empty when the table
 * (with the condition) has no rows; NULL with err on failure. */
json_t *pg_incremental_maximum(PGconn *conn, const pg_table_meta *meta, const dbz_table *table,
                               const char *condition, bool *empty, char *err, size_t errlen);
/* The next chunk. NULL with err on failure. */
PGresult *pg_incremental_chunk(PGconn *conn, const pg_table_meta *meta, const dbz_table *table,
                               const char *condition, const json_t *position,
                               const json_t *maximum, int limit, char *err, size_t errlen);

/* INSERT INTO <signal table> VALUES (id, type, data). */
int pg_incremental_watermark(PGconn *conn, const char *signal_table, const char *id,
                             const char *type, const char *data, char *err, size_t errlen);

/* pg_current_snapshot() (txid_current_snapshot() before PostgreSQL 13). */
int pg_incremental_current_snapshot(PGconn *conn, int server_version, pg_txid_snapshot *out,
                                    char *err, size_t errlen);

#endif
