/*
 * pg_snapshot.h - the snapshot: one REPEATABLE READ transaction on the regular connection that
 * imports the slot's exported snapshot (or takes a fresh one when resuming), reads the captured
 * tables in a fixed order, each in chunks of snapshot.fetch.size rows ordered by primary key
 * (keyset pagination: WHERE (pk) > (last key)), or with a cursor for a table without one. At most
 * two chunks are in memory (the current one and the one read ahead to know a table's last row),
 * whatever the table size. Every query is asynchronous and waits at most until the caller's
 * deadline.
 */
#ifndef PGCDC_PG_SNAPSHOT_H
#define PGCDC_PG_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "debezium_envelope.h"
#include "pg_catalog.h"
#include "support/strbuf.h"

typedef struct pg_snapshot pg_snapshot;

/* One table to read: its description (for the key columns and their SQL types) and its schemas.
 * Both borrowed for the snapshot's life. */
typedef struct pg_snapshot_table {
    const pg_table_meta *meta;
    const dbz_table *table;
    size_t rank; /* tables come in (rank, id) order: pg_catalog_list_tables */
} pg_snapshot_table;

/* conn is borrowed; tables are copied (the pointers in them are borrowed). */
pg_snapshot *pg_snapshot_new(PGconn *conn, const pg_snapshot_table *tables, size_t count,
                             int fetch_size);
void pg_snapshot_destroy(pg_snapshot *snapshot); /* rolls back an open transaction */

/* Opens the transaction: imports snapshot_name when not NULL. Resumes after (table id, key) of a
 * committed offset when resume_table is not NULL: the tables before it are done, and its rows up
 * to the key (NULL key: none) too; resume_rank places a table no longer captured among the
 * others. Blocking (a few quick statements). */
int pg_snapshot_begin(pg_snapshot *snapshot, const char *snapshot_name,
                      const char *resume_table, size_t resume_rank, json_t *resume_key,
                      char *err, size_t errlen);

/* The snapshot transaction's xmin (source.txId of the read events). */
int64_t pg_snapshot_tx_id(const pg_snapshot *snapshot);

/* Which transactions a snapshot sees (txid_current_snapshot): every one before xmin and those
 * before xmax not in progress (xip), 64-bit transaction ids. */
typedef struct pg_txid_snapshot {
    uint64_t xmin, xmax;
    uint64_t *xip;
    size_t xip_count;
} pg_txid_snapshot;

/* Parses "xmin:xmax:xip,xip,...". 0, or -1 when the text is not one (out is then empty). */
int pg_txid_snapshot_parse(const char *text, pg_txid_snapshot *out);
void pg_txid_snapshot_release(pg_txid_snapshot *snapshot);
/* Whether the snapshot sees the changes of transaction xid, as pgoutput sends it (32 bits, taken
 * as the nearest 64-bit id to xmax). */
bool pg_txid_snapshot_sees(const pg_txid_snapshot *snapshot, uint32_t xid);
/* What the open snapshot transaction sees (borrowed, for the snapshot's life). */
const pg_txid_snapshot *pg_snapshot_view(const pg_snapshot *snapshot);

typedef struct pg_snapshot_row {
    const dbz_table *table;
    const pgo_value *values;   /* aligned with table->columns; valid until the next call */
    size_t count;
    const char *marker;        /* source.snapshot: first, first_in_data_collection, true,
                                  last_in_data_collection, last */
    bool last_of_snapshot;     /* the last row of the last table */
    json_t *key;               /* the row's primary key as text values (borrowed), NULL
                                  without a primary key */
} pg_snapshot_row;

typedef enum pg_snapshot_status {
    PG_SNAPSHOT_ROW,
    PG_SNAPSHOT_PENDING, /* waiting for the server; call again */
    PG_SNAPSHOT_DONE,    /* every table read; the transaction is committed */
    PG_SNAPSHOT_ERROR,
} pg_snapshot_status;

pg_snapshot_status pg_snapshot_next(pg_snapshot *snapshot, int64_t deadline_ms,
                                    pg_snapshot_row *row, char *err, size_t errlen);

/* Where the snapshot of one table stands, for its progress. */
typedef struct pg_snapshot_progress {
    const char *table;     /* its id, "public.orders" (borrowed) */
    int64_t rows_scanned;  /* rows this snapshot read (not those before a resume) */
    int64_t estimate;      /* pg_class.reltuples at the start, -1 when never analysed */
    ferry_progress_state state; /* PENDING, RUNNING or DONE */
} pg_snapshot_progress;

size_t pg_snapshot_table_count(const pg_snapshot *snapshot);
/* The table being read (table_count once done). */
size_t pg_snapshot_table_index(const pg_snapshot *snapshot);
void pg_snapshot_table_progress(const pg_snapshot *snapshot, size_t index,
                                pg_snapshot_progress *out);

/* Builds a chunk query of a table (exposed for tests): keyset with key_count parameters, or
 * the cursor's SELECT when the table has no primary key. */
char *pg_snapshot_chunk_sql(const pg_table_meta *meta, int fetch_size, bool after_key);
/* Appends "SELECT <every column> FROM <schema.table>", quoted: the start of the snapshot's and
 * the incremental snapshot's chunk queries. */
void pg_snapshot_select_append(strbuf *sql, const pg_table_meta *meta);

#endif
