/*
 * pg_incremental.c - the incremental snapshot's statements (see pg_incremental.h).
 */
#include "pg_incremental.h"

#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "pg_connection.h"
#include "support/strbuf.h"

int pg_incremental_split_id(const char *id, char **schema_name, char **table_name)
{
    const char *dot = strchr(id, '.');
    *schema_name = dot ? strndup(id, (size_t)(dot - id)) : strdup("public");
    *table_name = strdup(dot ? dot + 1 : id);
    if (!*schema_name || !*table_name) {
        free(*schema_name);
        free(*table_name);
        *schema_name = *table_name = NULL;
        return -1;
    }
    return 0;
}

int pg_incremental_table_oid(PGconn *conn, const char *id, uint32_t *oid, char *err,
                             size_t errlen)
{
    char *schema_name, *table_name;
    if (pg_incremental_split_id(id, &schema_name, &table_name) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const char *params[] = {schema_name, table_name};
    PGresult *result = pg_exec(conn, "looking up a table to snapshot",
                               "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = "
                               "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND "
                               "c.relkind IN ('r', 'p')",
                               2, params, err, errlen);
    free(schema_name);
    free(table_name);
    if (!result)
        return -1;
    int rc = PQntuples(result) == 1 ? 0 : 1;
    if (rc == 0)
        *oid = (uint32_t)strtoul(PQgetvalue(result, 0, 0), NULL, 10);
    PQclear(result);
    return rc;
}

/* "(k1, k2)" of the table's key columns. */
static void pg_incremental_key_list(strbuf *sql, const dbz_table *table)
{
    strbuf_append_char(sql, '(');
    for (size_t k = 0; k < table->key_count; k++) {
        if (k)
            strbuf_append_literal(sql, ", ");
        pg_quote_append_ident(sql, table->columns[table->key_columns[k]].name);
    }
    strbuf_append_char(sql, ')');
}

/* "($first::type, ...)": the key values as parameters. */
static void pg_incremental_key_params(strbuf *sql, const pg_table_meta *meta,
                                      const dbz_table *table, size_t first)
{
    strbuf_append_char(sql, '(');
    for (size_t k = 0; k < table->key_count; k++) {
        size_t column = table->key_columns[k];
        const char *type = column < meta->column_count ? meta->columns[column].type_sql : "text";
        strbuf_append_printf(sql, "%s$%zu::%s", k ? ", " : "", first + k, type);
    }
    strbuf_append_char(sql, ')');
}

static void pg_incremental_order(strbuf *sql, const dbz_table *table, bool descending)
{
    strbuf_append_literal(sql, " ORDER BY ");
    for (size_t k = 0; k < table->key_count; k++) {
        if (k)
            strbuf_append_literal(sql, ", ");
        pg_quote_append_ident(sql, table->columns[table->key_columns[k]].name);
        if (descending)
            strbuf_append_literal(sql, " DESC");
    }
}

char *pg_incremental_maximum_sql(const pg_table_meta *meta, const dbz_table *table,
                                 const char *condition)
{
    strbuf sql = {0};
    strbuf_append_literal(&sql, "SELECT ");
    for (size_t k = 0; k < table->key_count; k++) {
        if (k)
            strbuf_append_literal(&sql, ", ");
        pg_quote_append_ident(&sql, table->columns[table->key_columns[k]].name);
    }
    strbuf_append_literal(&sql, " FROM ");
    pg_quote_append_qualified(&sql, meta->schema_name, meta->table_name);
    if (condition)
        strbuf_append_printf(&sql, " WHERE (%s)", condition);
    pg_incremental_order(&sql, table, true);
    strbuf_append_literal(&sql, " LIMIT 1");
    return strbuf_take(&sql, NULL);
}

char *pg_incremental_chunk_sql(const pg_table_meta *meta, const dbz_table *table,
                               const char *condition, bool after, int limit)
{
    strbuf sql = {0};
    pg_snapshot_select_append(&sql, meta);
    strbuf_append_literal(&sql, " WHERE ");
    if (after) {
        pg_incremental_key_list(&sql, table);
        strbuf_append_literal(&sql, " > ");
        pg_incremental_key_params(&sql, meta, table, 1);
        strbuf_append_literal(&sql, " AND ");
    }
    pg_incremental_key_list(&sql, table);
    strbuf_append_literal(&sql, " <= ");
    pg_incremental_key_params(&sql, meta, table, after ? table->key_count + 1 : 1);
    if (condition)
        strbuf_append_printf(&sql, " AND (%s)", condition);
    pg_incremental_order(&sql, table, false);
    strbuf_append_printf(&sql, " LIMIT %d", limit);
    return strbuf_take(&sql, NULL);
}

json_t *pg_incremental_maximum(PGconn *conn, const pg_table_meta *meta, const dbz_table *table,
                               const char *condition, bool *empty, char *err, size_t errlen)
{
    *empty = false;
    char *sql = pg_incremental_maximum_sql(meta, table, condition);
    if (!sql)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    PGresult *result = pg_exec(conn, "reading the table's largest key", sql, 0, NULL, err, errlen);
    free(sql);
    if (!result)
        return NULL;
    if (PQntuples(result) == 0) {
        PQclear(result);
        *empty = true;
        return NULL;
    }
    json_t *key = json_array();
    for (int k = 0; key && k < PQnfields(result); k++)
        if (json_array_append_new(key, json_string(PQgetvalue(result, 0, k))) != 0) {
            json_decref(key);
            key = NULL;
        }
    PQclear(result);
    if (!key)
        ferry_error_set(err, errlen, "out of memory");
    return key;
}

PGresult *pg_incremental_chunk(PGconn *conn, const pg_table_meta *meta, const dbz_table *table,
                               const char *condition, const json_t *position,
                               const json_t *maximum, int limit, char *err, size_t errlen)
{
    size_t keys = table->key_count;
    bool after = position && json_array_size(position) == keys;
    if (json_array_size(maximum) != keys || keys > 32)
        return ferry_error_set(err, errlen, "the largest key of %s has %zu values, the key %zu",
                               table->id, json_array_size(maximum), keys), NULL;
    char *sql = pg_incremental_chunk_sql(meta, table, condition, after, limit);
    if (!sql)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    const char *params[64];
    size_t count = 0;
    for (size_t k = 0; after && k < keys; k++)
        params[count++] = json_string_value(json_array_get(position, k));
    for (size_t k = 0; k < keys; k++)
        params[count++] = json_string_value(json_array_get(maximum, k));
    PGresult *result = pg_exec(conn, "reading an incremental snapshot chunk", sql, (int)count,
                               params, err, errlen);
    free(sql);
    return result;
}

int pg_incremental_watermark(PGconn *conn, const char *signal_table, const char *id,
                             const char *type, const char *data, char *err, size_t errlen)
{
    char *schema_name, *table_name;
    if (pg_incremental_split_id(signal_table, &schema_name, &table_name) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    strbuf sql = {0};
    strbuf_append_literal(&sql, "INSERT INTO ");
    pg_quote_append_qualified(&sql, schema_name, table_name);
    strbuf_append_literal(&sql, " VALUES ($1, $2, $3)");
    free(schema_name);
    free(table_name);
    char *text = strbuf_take(&sql, NULL);
    if (!text)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const char *params[] = {id, type, data};
    PGresult *result = pg_exec(conn, "writing a watermark into signal.data.collection", text, 3,
                               params, err, errlen);
    free(text);
    PQclear(result);
    return result ? 0 : -1;
}

int pg_incremental_current_snapshot(PGconn *conn, int server_version, pg_txid_snapshot *out,
                                    char *err, size_t errlen)
{
    const char *sql = server_version >= 130000 ? "SELECT pg_current_snapshot()::text"
                                               : "SELECT txid_current_snapshot()::text";
    PGresult *result = pg_exec(conn, "reading pg_current_snapshot()", sql, 0, NULL, err, errlen);
    if (!result)
        return -1;
    int rc = pg_txid_snapshot_parse(PQgetvalue(result, 0, 0), out);
    if (rc != 0)
        ferry_error_set(err, errlen, "pg_current_snapshot() '%s' cannot be read",
                        PQgetvalue(result, 0, 0));
    PQclear(result);
    return rc;
}
