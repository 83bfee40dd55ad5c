/*
 * pg_snapshot.c - the chunked, resumable snapshot (see pg_snapshot.h).
 */
#include "pg_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_connection.h"
#include "support/array.h"
#include "support/strbuf.h"

#define PG_SNAPSHOT_CURSOR "ferry_cdc_snapshot"

typedef enum chunk_state {
    CHUNK_NONE = 0,  /* no query sent */
    CHUNK_SENT,      /* waiting for its result */
    CHUNK_READY,     /* result held */
} chunk_state;

typedef struct snapshot_chunk {
    chunk_state state;
    PGresult *result;
} snapshot_chunk;

struct pg_snapshot {
    PGconn *conn;
    pg_snapshot_table *tables;
    size_t table_count;
    int fetch_size;
    bool in_transaction;
    int64_t tx_id;
    pg_txid_snapshot view;
    /* progress */
    size_t table_index;       /* the table being read */
    bool table_started;
    bool table_uses_cursor;
    bool cursor_open;
    int64_t rows_in_table;    /* rows returned from the current table */
    json_t *after_key;        /* keyset position of the next query (text values) */
    snapshot_chunk current;
    int current_row;
    snapshot_chunk ahead;     /* the next chunk, read ahead */
    bool table_exhausted;     /* no chunk after current */
    pgo_value *values;
    size_t value_capacity;
    json_t *row_key;
    bool done;
    /* per table, aligned with tables: rows read by this snapshot and pg_class's estimate */
    int64_t *rows_scanned;
    int64_t *estimates;
};

pg_snapshot *pg_snapshot_new(PGconn *conn, const pg_snapshot_table *tables, size_t count,
                             int fetch_size)
{
    pg_snapshot *snapshot = calloc(1, sizeof(*snapshot));
    if (!snapshot)
        return NULL;
    snapshot->tables = calloc(count ? count : 1, sizeof(pg_snapshot_table));
    snapshot->rows_scanned = calloc(count ? count : 1, sizeof(int64_t));
    snapshot->estimates = calloc(count ? count : 1, sizeof(int64_t));
    if (!snapshot->tables || !snapshot->rows_scanned || !snapshot->estimates) {
        pg_snapshot_destroy(snapshot);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        snapshot->estimates[i] = -1;
    if (count)
        memcpy(snapshot->tables, tables, count * sizeof(pg_snapshot_table));
    snapshot->table_count = count;
    snapshot->conn = conn;
    snapshot->fetch_size = fetch_size > 0 ? fetch_size : 10240;
    snapshot->tx_id = -1;
    return snapshot;
}

static void snapshot_chunk_clear(snapshot_chunk *chunk)
{
    PQclear(chunk->result);
    chunk->result = NULL;
    chunk->state = CHUNK_NONE;
}

/* Drops whatever is in flight so that the connection can take new commands. */
static void pg_snapshot_drain(pg_snapshot *snapshot)
{
    if (snapshot->current.state == CHUNK_SENT || snapshot->ahead.state == CHUNK_SENT) {
        PGresult *result;
        while ((result = PQgetResult(snapshot->conn)))
            PQclear(result);
    }
    snapshot_chunk_clear(&snapshot->current);
    snapshot_chunk_clear(&snapshot->ahead);
}

void pg_snapshot_destroy(pg_snapshot *snapshot)
{
    if (!snapshot)
        return;
    pg_snapshot_drain(snapshot);
    if (snapshot->in_transaction && PQstatus(snapshot->conn) == CONNECTION_OK) {
        PGresult *result = PQexec(snapshot->conn, "ROLLBACK");
        PQclear(result);
    }
    json_decref(snapshot->after_key);
    json_decref(snapshot->row_key);
    pg_txid_snapshot_release(&snapshot->view);
    free(snapshot->values);
    free(snapshot->tables);
    free(snapshot->rows_scanned);
    free(snapshot->estimates);
    free(snapshot);
}

int64_t pg_snapshot_tx_id(const pg_snapshot *snapshot)
{
    return snapshot->tx_id;
}

const pg_txid_snapshot *pg_snapshot_view(const pg_snapshot *snapshot)
{
    return &snapshot->view;
}

void pg_txid_snapshot_release(pg_txid_snapshot *snapshot)
{
    free(snapshot->xip);
    memset(snapshot, 0, sizeof(*snapshot));
}

/* One unsigned decimal number at *p, moving past it; false when there is none. */
static bool pg_txid_number(const char **p, uint64_t *out)
{
    char *end;
    if (**p < '0' || **p > '9')
        return false;
    *out = strtoull(*p, &end, 10);
    *p = end;
    return true;
}

int pg_txid_snapshot_parse(const char *text, pg_txid_snapshot *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = text;
    size_t capacity = 0;
    if (!pg_txid_number(&p, &out->xmin) || *p++ != ':' || !pg_txid_number(&p, &out->xmax) ||
        *p++ != ':' || out->xmax < out->xmin)
        goto bad;
    while (*p) {
        uint64_t xid;
        if (!pg_txid_number(&p, &xid) ||
            array_reserve(&out->xip, &capacity, out->xip_count + 1, sizeof(*out->xip)) != 0)
            goto bad;
        out->xip[out->xip_count++] = xid;
        if (*p == ',')
            p++;
        else if (*p)
            goto bad;
    }
    return 0;
bad:
    pg_txid_snapshot_release(out);
    return -1;
}

bool pg_txid_snapshot_sees(const pg_txid_snapshot *snapshot, uint32_t xid)
{
    /* the 64-bit id nearest to xmax with these low 32 bits: ids in use span less than 2^31 */
    int64_t full = (int64_t)snapshot->xmax + (int32_t)(xid - (uint32_t)snapshot->xmax);
    if (full >= (int64_t)snapshot->xmax)
        return false;
    if (full < (int64_t)snapshot->xmin)
        return true;
    for (size_t i = 0; i < snapshot->xip_count; i++)
        if (snapshot->xip[i] == (uint64_t)full)
            return false;
    return true;
}

static size_t pg_meta_key_count(const pg_table_meta *meta)
{
    size_t count = 0;
    for (size_t i = 0; i < meta->column_count; i++)
        if (meta->columns[i].key_position >= 0)
            count++;
    return count;
}

/* The column index of key position k. */
static size_t pg_meta_key_column(const pg_table_meta *meta, size_t k)
{
    for (size_t i = 0; i < meta->column_count; i++)
        if (meta->columns[i].key_position == (int)k)
            return i;
    return 0;
}

void pg_snapshot_select_append(strbuf *sql, const pg_table_meta *meta)
{
    strbuf_append_literal(sql, "SELECT ");
    for (size_t i = 0; i < meta->column_count; i++) {
        if (i)
            strbuf_append_literal(sql, ", ");
        pg_quote_append_ident(sql, meta->columns[i].name);
    }
    strbuf_append_literal(sql, " FROM ");
    pg_quote_append_qualified(sql, meta->schema_name, meta->table_name);
}

char *pg_snapshot_chunk_sql(const pg_table_meta *meta, int fetch_size, bool after_key)
{
    strbuf sql = {0};
    pg_snapshot_select_append(&sql, meta);
    size_t keys = pg_meta_key_count(meta);
    if (keys == 0)
        return strbuf_take(&sql, NULL);
    strbuf key_list = {0};
    strbuf_append_char(&key_list, '(');
    for (size_t k = 0; k < keys; k++) {
        if (k)
            strbuf_append_literal(&key_list, ", ");
        pg_quote_append_ident(&key_list, meta->columns[pg_meta_key_column(meta, k)].name);
    }
    strbuf_append_char(&key_list, ')');
    if (strbuf_failed(&key_list)) {
        strbuf_free(&key_list);
        strbuf_free(&sql);
        return NULL;
    }
    if (after_key) {
        strbuf_append_printf(&sql, " WHERE %s > (", key_list.data);
        for (size_t k = 0; k < keys; k++)
            strbuf_append_printf(&sql, "%s$%zu::%s", k ? ", " : "", k + 1,
                                 meta->columns[pg_meta_key_column(meta, k)].type_sql);
        strbuf_append_char(&sql, ')');
    }
    strbuf_append_printf(&sql, " ORDER BY %s LIMIT %d", key_list.data, fetch_size);
    strbuf_free(&key_list);
    return strbuf_take(&sql, NULL);
}

static int pg_snapshot_estimate(pg_snapshot *snapshot, char *err, size_t errlen);

int pg_snapshot_begin(pg_snapshot *snapshot, const char *snapshot_name,
                      const char *resume_table, size_t resume_rank, json_t *resume_key,
                      char *err, size_t errlen)
{
    if (pg_exec_command(snapshot->conn, "starting the snapshot transaction",
                        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen) != 0)
        return -1;
    snapshot->in_transaction = true;
    if (snapshot_name && *snapshot_name) {
        char *literal = pg_quote_literal(snapshot_name);
        char sql[256];
        snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT %s", literal ? literal : "''");
        free(literal);
        if (pg_exec_command(snapshot->conn, "importing the slot's exported snapshot", sql, err,
                            errlen) != 0)
            return -1;
    }
    PGresult *result = pg_exec(snapshot->conn, "reading the snapshot's transaction ids",
                               "SELECT txid_current_snapshot()::text", 0, NULL, err, errlen);
    if (!result)
        return -1;
    pg_txid_snapshot_release(&snapshot->view);
    if (pg_txid_snapshot_parse(PQgetvalue(result, 0, 0), &snapshot->view) != 0) {
        ferry_error_set(err, errlen, "the server's txid_current_snapshot() '%s' cannot be read",
                        PQgetvalue(result, 0, 0));
        PQclear(result);
        return -1;
    }
    PQclear(result);
    snapshot->tx_id = (int64_t)snapshot->view.xmin;
    if (pg_snapshot_estimate(snapshot, err, errlen) != 0)
        return -1;

    if (resume_table) {
        size_t found = snapshot->table_count;
        for (size_t i = 0; i < snapshot->table_count; i++) {
            if (strcmp(snapshot->tables[i].table->id, resume_table) == 0) {
                found = i;
                break;
            }
        }
        if (found == snapshot->table_count) {
            /* The table is gone or no longer captured: go on with the tables after it. */
            found = 0;
            while (found < snapshot->table_count &&
                   (snapshot->tables[found].rank < resume_rank ||
                    (snapshot->tables[found].rank == resume_rank &&
                     strcmp(snapshot->tables[found].table->id, resume_table) < 0)))
                found++;
            resume_key = NULL;
        }
        snapshot->table_index = found;
        if (resume_key && json_array_size(resume_key) ==
                              pg_meta_key_count(snapshot->tables[found].meta))
            snapshot->after_key = json_incref(resume_key);
    }
    return 0;
}

/* Each table's row estimate from pg_class (what the last ANALYZE or VACUUM counted), for the
 * progress: one catalog read, never a count(*) of a large table. reltuples is -1 (since
 * PostgreSQL 14) or 0 with no page counted for a table never analysed: unknown, not empty. */
static int pg_snapshot_estimate(pg_snapshot *snapshot, char *err, size_t errlen)
{
    if (snapshot->table_count == 0)
        return 0;
    strbuf oids = {0};
    strbuf_append_char_grow(&oids, '{');
    for (size_t i = 0; i < snapshot->table_count; i++)
        strbuf_append_printf(&oids, "%s%u", i ? "," : "", snapshot->tables[i].meta->oid);
    strbuf_append_char_grow(&oids, '}');
    char *list = strbuf_take(&oids, NULL);
    if (!list)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const char *params[] = {list};
    PGresult *result = pg_exec(snapshot->conn, "reading the tables' row estimates",
                               "SELECT oid, CASE WHEN reltuples < 0 OR (reltuples = 0 AND "
                               "relpages = 0) THEN -1 ELSE reltuples::bigint END "
                               "FROM pg_catalog.pg_class WHERE oid = ANY($1::oid[])",
                               1, params, err, errlen);
    free(list);
    if (!result)
        return -1;
    for (int r = 0; r < PQntuples(result); r++) {
        uint32_t oid = (uint32_t)strtoul(PQgetvalue(result, r, 0), NULL, 10);
        for (size_t i = 0; i < snapshot->table_count; i++)
            if (snapshot->tables[i].meta->oid == oid)
                snapshot->estimates[i] = strtoll(PQgetvalue(result, r, 1), NULL, 10);
    }
    PQclear(result);
    return 0;
}

size_t pg_snapshot_table_count(const pg_snapshot *snapshot)
{
    return snapshot->table_count;
}

void pg_snapshot_table_progress(const pg_snapshot *snapshot, size_t index,
                                pg_snapshot_progress *out)
{
    out->table = snapshot->tables[index].table->id;
    out->rows_scanned = snapshot->rows_scanned[index];
    out->estimate = snapshot->estimates[index];
    if (snapshot->done || index < snapshot->table_index)
        out->state = FERRY_PROGRESS_DONE;
    else if (index == snapshot->table_index && snapshot->table_started)
        out->state = FERRY_PROGRESS_RUNNING;
    else
        out->state = FERRY_PROGRESS_PENDING;
}

size_t pg_snapshot_table_index(const pg_snapshot *snapshot)
{
    return snapshot->table_index;
}

/* Sends the next chunk query of the current table into chunk. */
static int pg_snapshot_send(pg_snapshot *snapshot, snapshot_chunk *chunk, char *err,
                            size_t errlen)
{
    const pg_snapshot_table *table = &snapshot->tables[snapshot->table_index];
    const pg_table_meta *meta = table->meta;
    char *sql = NULL;
    int rc;
    if (snapshot->table_uses_cursor) {
        char fetch[96];
        snprintf(fetch, sizeof fetch, "FETCH %d FROM " PG_SNAPSHOT_CURSOR, snapshot->fetch_size);
        rc = pg_query_send(snapshot->conn, "reading a snapshot chunk", fetch, 0, NULL, err,
                           errlen);
    } else {
        size_t keys = json_array_size(snapshot->after_key);
        sql = pg_snapshot_chunk_sql(meta, snapshot->fetch_size, keys > 0);
        if (!sql)
            return ferry_error_set(err, errlen, "out of memory"), -1;
        const char *params[64];
        for (size_t k = 0; k < keys && k < 64; k++)
            params[k] = json_string_value(json_array_get(snapshot->after_key, k));
        rc = keys > 0 ? pg_query_send(snapshot->conn, "reading a snapshot chunk", sql, (int)keys,
                                      params, err, errlen)
                      : pg_query_send(snapshot->conn, "reading a snapshot chunk", sql, 0, NULL,
                                      err, errlen);
    }
    free(sql);
    if (rc == 0)
        chunk->state = CHUNK_SENT;
    return rc;
}

/* The key (text values) of a row of a chunk. */
static json_t *pg_snapshot_key_of(const pg_table_meta *meta, PGresult *result, int row)
{
    size_t keys = pg_meta_key_count(meta);
    if (keys == 0)
        return NULL;
    json_t *key = json_array();
    for (size_t k = 0; key && k < keys; k++) {
        int column = (int)pg_meta_key_column(meta, k);
        if (json_array_append_new(key, json_string(PQgetvalue(result, row, column))) != 0) {
            json_decref(key);
            return NULL;
        }
    }
    return key;
}

/* Moves the keyset position past the last row of a chunk. */
static void pg_snapshot_advance_key(pg_snapshot *snapshot, PGresult *result)
{
    int rows = PQntuples(result);
    if (rows == 0 || snapshot->table_uses_cursor)
        return;
    json_t *key = pg_snapshot_key_of(snapshot->tables[snapshot->table_index].meta, result,
                                     rows - 1);
    json_decref(snapshot->after_key);
    snapshot->after_key = key;
}

static int pg_snapshot_table_start(pg_snapshot *snapshot, char *err, size_t errlen)
{
    const pg_table_meta *meta = snapshot->tables[snapshot->table_index].meta;
    snapshot->table_started = true;
    snapshot->table_exhausted = false;
    snapshot->rows_in_table = 0;
    snapshot->current_row = 0;
    snapshot->table_uses_cursor = pg_meta_key_count(meta) == 0;
    if (snapshot->table_uses_cursor) {
        char *select = pg_snapshot_chunk_sql(meta, snapshot->fetch_size, false);
        if (!select)
            return ferry_error_set(err, errlen, "out of memory"), -1;
        strbuf declare = {0};
        strbuf_append_printf(&declare, "DECLARE %s NO SCROLL CURSOR FOR %s", PG_SNAPSHOT_CURSOR,
                             select);
        free(select);
        char *sql = strbuf_take(&declare, NULL);
        if (!sql)
            return ferry_error_set(err, errlen, "out of memory"), -1;
        int rc = pg_exec_command(snapshot->conn, "opening the snapshot cursor", sql, err, errlen);
        free(sql);
        if (rc != 0)
            return -1;
        snapshot->cursor_open = true;
    }
    return pg_snapshot_send(snapshot, &snapshot->current, err, errlen);
}

static int pg_snapshot_table_end(pg_snapshot *snapshot, char *err, size_t errlen)
{
    pg_snapshot_drain(snapshot);
    if (snapshot->cursor_open) {
        snapshot->cursor_open = false;
        if (pg_exec_command(snapshot->conn, "closing the snapshot cursor",
                            "CLOSE " PG_SNAPSHOT_CURSOR, err, errlen) != 0)
            return -1;
    }
    json_decref(snapshot->after_key);
    snapshot->after_key = NULL;
    snapshot->table_started = false;
    snapshot->table_index++;
    return 0;
}

/* Waits for a sent chunk. 1 ready, 0 pending, -1 error. */
static int pg_snapshot_collect(pg_snapshot *snapshot, snapshot_chunk *chunk, int64_t deadline_ms,
                               char *err, size_t errlen)
{
    if (chunk->state == CHUNK_READY)
        return 1;
    PGresult *result = NULL;
    pg_wait wait = pg_query_wait(snapshot->conn, "reading a snapshot chunk", deadline_ms,
                                 &result, err, errlen);
    if (wait == PG_WAIT_PENDING)
        return 0;
    if (wait == PG_WAIT_FAILED) {
        chunk->state = CHUNK_NONE;
        return -1;
    }
    if (!result || PQresultStatus(result) != PGRES_TUPLES_OK) {
        PQclear(result);
        chunk->state = CHUNK_NONE;
        return ferry_error_set(err, errlen, "a snapshot chunk query returned no rows result"),
               -1;
    }
    chunk->result = result;
    chunk->state = CHUNK_READY;
    pg_snapshot_advance_key(snapshot, result);
    return 1;
}

/* The chunk after the current one: sent when not yet, then collected. 1 ready, 0 pending,
 * -1 error. */
static int pg_snapshot_read_ahead(pg_snapshot *snapshot, int64_t deadline_ms, char *err,
                                  size_t errlen)
{
    if (snapshot->ahead.state == CHUNK_NONE &&
        pg_snapshot_send(snapshot, &snapshot->ahead, err, errlen) != 0)
        return -1;
    return pg_snapshot_collect(snapshot, &snapshot->ahead, deadline_ms, err, errlen);
}

static const char *pg_snapshot_marker(const pg_snapshot *snapshot, bool first_in_table,
                                      bool last_in_table)
{
    bool first_table = snapshot->table_index == 0;
    bool last_table = snapshot->table_index + 1 == snapshot->table_count;
    if (last_in_table && last_table)
        return "last";
    if (first_in_table && first_table)
        return "first";
    if (last_in_table)
        return "last_in_data_collection";
    if (first_in_table)
        return "first_in_data_collection";
    return "true";
}

pg_snapshot_status pg_snapshot_next(pg_snapshot *snapshot, int64_t deadline_ms,
                                    pg_snapshot_row *row, char *err, size_t errlen)
{
    memset(row, 0, sizeof(*row));
    for (;;) {
        if (snapshot->done)
            return PG_SNAPSHOT_DONE;
        if (snapshot->table_index >= snapshot->table_count) {
            if (snapshot->in_transaction) {
                snapshot->in_transaction = false;
                if (pg_exec_command(snapshot->conn, "ending the snapshot transaction", "COMMIT",
                                    err, errlen) != 0)
                    return PG_SNAPSHOT_ERROR;
            }
            snapshot->done = true;
            return PG_SNAPSHOT_DONE;
        }
        if (!snapshot->table_started &&
            pg_snapshot_table_start(snapshot, err, errlen) != 0)
            return PG_SNAPSHOT_ERROR;

        int ready = pg_snapshot_collect(snapshot, &snapshot->current, deadline_ms, err, errlen);
        if (ready < 0)
            return PG_SNAPSHOT_ERROR;
        if (ready == 0)
            return PG_SNAPSHOT_PENDING;
        PGresult *current = snapshot->current.result;
        int rows = PQntuples(current);
        if (snapshot->current_row >= rows) {
            /* This chunk is used up: the one read ahead becomes current, or the table ends. */
            if (rows < snapshot->fetch_size || snapshot->table_exhausted) {
                if (pg_snapshot_table_end(snapshot, err, errlen) != 0)
                    return PG_SNAPSHOT_ERROR;
                continue;
            }
            int ahead = pg_snapshot_read_ahead(snapshot, deadline_ms, err, errlen);
            if (ahead <= 0)
                return ahead < 0 ? PG_SNAPSHOT_ERROR : PG_SNAPSHOT_PENDING;
            snapshot_chunk_clear(&snapshot->current);
            snapshot->current = snapshot->ahead;
            snapshot->ahead = (snapshot_chunk){0};
            snapshot->current_row = 0;
            if (PQntuples(snapshot->current.result) == 0) {
                if (pg_snapshot_table_end(snapshot, err, errlen) != 0)
                    return PG_SNAPSHOT_ERROR;
            }
            continue;
        }
        /* Is this the table's last row? For the last row of a full chunk, read ahead. */
        bool last_in_table = false;
        if (snapshot->current_row == rows - 1) {
            if (rows < snapshot->fetch_size) {
                last_in_table = true;
            } else {
                int ahead = pg_snapshot_read_ahead(snapshot, deadline_ms, err, errlen);
                if (ahead <= 0)
                    return ahead < 0 ? PG_SNAPSHOT_ERROR : PG_SNAPSHOT_PENDING;
                last_in_table = PQntuples(snapshot->ahead.result) == 0;
                if (last_in_table)
                    snapshot->table_exhausted = true;
            }
        }

        const pg_snapshot_table *table = &snapshot->tables[snapshot->table_index];
        int columns = PQnfields(current);
        if ((size_t)columns != table->table->column_count)
            return ferry_error_set(err, errlen,
                                   "snapshot of %s returned %d columns, the table has %zu",
                                   table->table->id, columns, table->table->column_count),
                   PG_SNAPSHOT_ERROR;
        if (array_reserve(&snapshot->values, &snapshot->value_capacity, (size_t)columns,
                          sizeof(*snapshot->values)) != 0)
            return ferry_error_set(err, errlen, "out of memory"), PG_SNAPSHOT_ERROR;
        int r = snapshot->current_row;
        for (int c = 0; c < columns; c++) {
            if (PQgetisnull(current, r, c))
                snapshot->values[c] = (pgo_value){.kind = PGO_VALUE_NULL};
            else
                snapshot->values[c] = (pgo_value){.kind = PGO_VALUE_TEXT,
                                                  .data = PQgetvalue(current, r, c),
                                                  .len = (uint32_t)PQgetlength(current, r, c)};
        }
        json_decref(snapshot->row_key);
        snapshot->row_key = pg_snapshot_key_of(table->meta, current, r);
        row->table = table->table;
        row->values = snapshot->values;
        row->count = (size_t)columns;
        row->marker = pg_snapshot_marker(snapshot, snapshot->rows_in_table == 0, last_in_table);
        row->last_of_snapshot =
            last_in_table && snapshot->table_index + 1 == snapshot->table_count;
        row->key = snapshot->row_key;
        snapshot->current_row++;
        snapshot->rows_in_table++;
        snapshot->rows_scanned[snapshot->table_index]++;
        return PG_SNAPSHOT_ROW;
    }
}
