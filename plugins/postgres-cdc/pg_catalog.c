/*
 * pg_catalog.c - types, tables and columns from the system catalogs (see pg_catalog.h).
 */
#include "pg_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_connection.h"

int pg_catalog_load_types(PGconn *conn, pg_type_registry *registry, char *err, size_t errlen)
{
    PGresult *result = pg_exec(
        conn, "reading the user types from pg_type",
        "SELECT t.oid, t.typname, t.typtype, t.typelem, t.typbasetype, t.typtypmod, "
        "(SELECT array_to_json(array_agg(e.enumlabel ORDER BY e.enumsortorder))::text "
        " FROM pg_enum e WHERE e.enumtypid = t.oid) "
        "FROM pg_type t WHERE t.oid >= 16384 AND t.typtype <> 'c'",
        0, NULL, err, errlen);
    if (!result)
        return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(result) && rc == 0; i++) {
        const char *labels_json = PQgetisnull(result, i, 6) ? NULL : PQgetvalue(result, i, 6);
        json_t *labels = labels_json ? json_loads(labels_json, 0, NULL) : NULL;
        size_t count = json_array_size(labels);
        const char **items = calloc(count + 1, sizeof(char *));
        if (!items) {
            json_decref(labels);
            rc = -1;
            break;
        }
        for (size_t l = 0; l < count; l++)
            items[l] = json_string_value(json_array_get(labels, l));
        if (pg_type_registry_add(registry, (uint32_t)strtoul(PQgetvalue(result, i, 0), NULL, 10),
                                 PQgetvalue(result, i, 1), PQgetvalue(result, i, 2)[0],
                                 (uint32_t)strtoul(PQgetvalue(result, i, 3), NULL, 10),
                                 (uint32_t)strtoul(PQgetvalue(result, i, 4), NULL, 10),
                                 (int32_t)strtol(PQgetvalue(result, i, 5), NULL, 10), items,
                                 count) != 0)
            rc = -1;
        free(items);
        json_decref(labels);
    }
    PQclear(result);
    if (rc)
        ferry_error_set(err, errlen, "out of memory loading the user types");
    return rc;
}

void pg_table_refs_free(pg_table_ref *tables, size_t count)
{
    for (size_t i = 0; tables && i < count; i++) {
        free(tables[i].schema_name);
        free(tables[i].table_name);
    }
    free(tables);
}

int pg_catalog_list_tables(PGconn *conn, const cdc_config *config, pg_table_ref **tables,
                           size_t *count, char *err, size_t errlen)
{
    *tables = NULL;
    *count = 0;
    PGresult *result = pg_exec(
        conn, "listing the tables",
        "SELECT c.oid, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' "
        "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"",
        0, NULL, err, errlen);
    if (!result)
        return -1;
    int rows = PQntuples(result);
    pg_table_ref *list = calloc((size_t)rows + 1, sizeof(pg_table_ref));
    if (!list) {
        PQclear(result);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    size_t n = 0;
    for (int i = 0; i < rows; i++) {
        const char *schema_name = PQgetvalue(result, i, 1);
        const char *table_name = PQgetvalue(result, i, 2);
        if (!cdc_config_table_captured(config, schema_name, table_name))
            continue;
        list[n].oid = (uint32_t)strtoul(PQgetvalue(result, i, 0), NULL, 10);
        char id[512];
        snprintf(id, sizeof id, "%s.%s", schema_name, table_name);
        list[n].rank = cdc_config_table_rank(config, id);
        list[n].schema_name = strdup(schema_name);
        list[n].table_name = strdup(table_name);
        n++;
        if (!list[n - 1].schema_name || !list[n - 1].table_name) {
            pg_table_refs_free(list, n);
            PQclear(result);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
    }
    PQclear(result);
    /* A stable sort by rank keeps the name order within a rank (insertion: lists are short). */
    for (size_t i = 1; i < n; i++) {
        pg_table_ref moving = list[i];
        size_t j = i;
        for (; j > 0 && list[j - 1].rank > moving.rank; j--)
            list[j] = list[j - 1];
        list[j] = moving;
    }
    *tables = list;
    *count = n;
    return 0;
}

void pg_table_meta_free(pg_table_meta *meta)
{
    if (!meta)
        return;
    for (size_t i = 0; i < meta->column_count; i++) {
        free(meta->columns[i].name);
        free(meta->columns[i].type_sql);
        free(meta->columns[i].default_expression);
    }
    free(meta->columns);
    free(meta->schema_name);
    free(meta->table_name);
    free(meta);
}

int pg_catalog_describe(PGconn *conn, int server_version, uint32_t oid, pg_table_meta **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    char oid_text[16];
    snprintf(oid_text, sizeof oid_text, "%u", oid);
    const char *params[] = {oid_text};
    PGresult *table = pg_exec(conn, "describing a table",
                              "SELECT n.nspname, c.relname, c.relreplident FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1",
                              1, params, err, errlen);
    if (!table)
        return -1;
    if (PQntuples(table) != 1) {
        PQclear(table);
        return 0;
    }
    char sql[768];
    snprintf(sql, sizeof sql,
             "SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull, "
             "format_type(a.atttypid, a.atttypmod), "
             "(SELECT k.n - 1 FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY "
             " k(attnum, n) WHERE i.indrelid = a.attrelid AND i.indisprimary "
             " AND k.attnum = a.attnum), "
             "(SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
             " WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) "
             "FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 "
             "AND NOT a.attisdropped %s ORDER BY a.attnum",
             server_version >= 120000 ? "AND a.attgenerated = ''" : "");
    PGresult *columns = pg_exec(conn, "describing a table's columns", sql, 1, params, err,
                                errlen);
    if (!columns) {
        PQclear(table);
        return -1;
    }
    pg_table_meta *meta = calloc(1, sizeof(*meta));
    int rows = PQntuples(columns);
    if (meta)
        meta->columns = calloc((size_t)rows + 1, sizeof(pg_column_meta));
    if (!meta || !meta->columns)
        goto oom;
    meta->oid = oid;
    meta->schema_name = strdup(PQgetvalue(table, 0, 0));
    meta->table_name = strdup(PQgetvalue(table, 0, 1));
    meta->replica_identity = PQgetvalue(table, 0, 2)[0];
    if (!meta->schema_name || !meta->table_name)
        goto oom;
    for (int i = 0; i < rows; i++) {
        pg_column_meta *column = &meta->columns[i];
        column->name = strdup(PQgetvalue(columns, i, 0));
        column->type_sql = strdup(PQgetvalue(columns, i, 4));
        if (!PQgetisnull(columns, i, 6))
            column->default_expression = strdup(PQgetvalue(columns, i, 6));
        meta->column_count++;
        if (!column->name || !column->type_sql ||
            (!PQgetisnull(columns, i, 6) && !column->default_expression))
            goto oom;
        column->type_oid = (uint32_t)strtoul(PQgetvalue(columns, i, 1), NULL, 10);
        column->type_modifier = (int32_t)strtol(PQgetvalue(columns, i, 2), NULL, 10);
        column->not_null = PQgetvalue(columns, i, 3)[0] == 't';
        column->key_position =
            PQgetisnull(columns, i, 5) ? -1 : (int)strtol(PQgetvalue(columns, i, 5), NULL, 10);
    }
    PQclear(table);
    PQclear(columns);
    *out = meta;
    return 0;
oom:
    PQclear(table);
    PQclear(columns);
    pg_table_meta_free(meta);
    return ferry_error_set(err, errlen, "out of memory describing table %u", oid), -1;
}

dbz_table *pg_catalog_build_table(const pg_table_meta *meta, const pgo_column *stream_columns,
                                  size_t stream_column_count, const cdc_config *config,
                                  const dbz_context *context, const pg_type_registry *registry,
                                  char *err, size_t errlen)
{
    size_t count = stream_columns ? stream_column_count : meta->column_count;
    dbz_column_spec *specs = calloc(count + 1, sizeof(dbz_column_spec));
    if (!specs)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    const cdc_key_override *override = NULL;
    char id[512];
    snprintf(id, sizeof id, "%s.%s", meta->schema_name, meta->table_name);
    override = cdc_config_key_override(config, id);
    for (size_t i = 0; i < count; i++) {
        dbz_column_spec *spec = &specs[i];
        const pg_column_meta *column = NULL;
        if (stream_columns) {
            spec->name = stream_columns[i].name;
            spec->type_oid = stream_columns[i].type_oid;
            spec->type_modifier = stream_columns[i].type_modifier;
            for (size_t c = 0; c < meta->column_count; c++)
                if (strcmp(meta->columns[c].name, spec->name) == 0)
                    column = &meta->columns[c];
        } else {
            column = &meta->columns[i];
            spec->name = column->name;
            spec->type_oid = column->type_oid;
            spec->type_modifier = column->type_modifier;
        }
        spec->optional = !column || !column->not_null;
        spec->default_expression = column ? column->default_expression : NULL;
        spec->key_position = column ? column->key_position : -1;
        spec->in_value = cdc_config_column_included(config, meta->schema_name, meta->table_name,
                                                    spec->name);
        if (override) {
            spec->key_position = -1;
            for (size_t k = 0; k < override->column_count; k++)
                if (strcmp(override->columns[k], spec->name) == 0)
                    spec->key_position = (int)k;
        }
    }
    dbz_table *table = dbz_table_new(context, registry, &config->types, meta->oid,
                                     meta->schema_name, meta->table_name, meta->replica_identity,
                                     specs, count, err, errlen);
    free(specs);
    return table;
}
