/*
 * pg_slot_publication.c - publication and slot management (see pg_slot_publication.h).
 */
#include "pg_slot_publication.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdc_offset.h"
#include "pg_connection.h"
#include "support/strbuf.h"

/* "<verb> PUBLICATION <name>[ <clause>][ <table>, ...]": CREATE ... FOR ALL TABLES, CREATE ...
 * FOR TABLE a, b, ALTER ... SET TABLE a, b, or a bare CREATE. malloc'd; NULL when out of
 * memory. */
static char *pg_publication_sql(const char *verb, const char *quoted_name, const char *clause,
                                const pg_table_ref *tables, size_t count)
{
    strbuf sql = {0};
    strbuf_append_printf(&sql, "%s PUBLICATION %s%s%s", verb, quoted_name, *clause ? " " : "",
                         clause);
    for (size_t i = 0; i < count; i++) {
        strbuf_append_str(&sql, i ? ", " : " ");
        pg_quote_append_qualified(&sql, tables[i].schema_name, tables[i].table_name);
    }
    return strbuf_take(&sql, NULL);
}

/* true when the publication's tables are exactly the captured ones. */
static int pg_publication_matches(PGconn *conn, const cdc_config *config,
                                  const pg_table_ref *tables, size_t count, bool *matches,
                                  char *err, size_t errlen)
{
    const char *params[] = {config->publication_name};
    PGresult *result = pg_exec(conn, "reading the publication's tables",
                               "SELECT schemaname, tablename FROM pg_publication_tables "
                               "WHERE pubname = $1",
                               1, params, err, errlen);
    if (!result)
        return -1;
    *matches = (size_t)PQntuples(result) == count;
    for (size_t i = 0; *matches && i < count; i++) {
        bool found = false;
        for (int r = 0; r < PQntuples(result) && !found; r++)
            found = strcmp(PQgetvalue(result, r, 0), tables[i].schema_name) == 0 &&
                    strcmp(PQgetvalue(result, r, 1), tables[i].table_name) == 0;
        *matches = found;
    }
    PQclear(result);
    return 0;
}

int pg_publication_ensure(PGconn *conn, const cdc_config *config, const pg_table_ref *tables,
                          size_t table_count, char *err, size_t errlen)
{
    const char *name = config->publication_name;
    const char *params[] = {name};
    PGresult *result = pg_exec(conn, "looking up the publication",
                               "SELECT puballtables FROM pg_publication WHERE pubname = $1", 1,
                               params, err, errlen);
    if (!result)
        return -1;
    bool exists = PQntuples(result) == 1;
    bool all_tables = exists && PQgetvalue(result, 0, 0)[0] == 't';
    PQclear(result);

    char *quoted = pg_quote_ident(name);
    if (!quoted)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    int rc = 0;
    char why[600];
    char *sql = NULL;
    switch (config->publication_mode) {
    case CDC_PUBLICATION_DISABLED:
        if (!exists)
            rc = (ferry_error_set(err, errlen,
                                 "publication \"%s\" does not exist and "
                                 "publication.autocreate.mode=disabled: create it (CREATE "
                                 "PUBLICATION %s FOR TABLE ...) or set "
                                 "publication.autocreate.mode=all_tables or filtered",
                                 name, quoted), -1);
        break;
    case CDC_PUBLICATION_ALL_TABLES:
        if (!exists) {
            sql = pg_publication_sql("CREATE", quoted, "FOR ALL TABLES", NULL, 0);
            if (!sql)
                rc = (ferry_error_set(err, errlen, "out of memory"), -1);
            else if (pg_exec_command(conn, "creating the publication", sql, why, sizeof why) !=
                     0)
                rc = (ferry_error_set(err, errlen,
                                     "%s: FOR ALL TABLES needs a superuser; create the "
                                     "publication yourself or set "
                                     "publication.autocreate.mode=filtered",
                                     why), -1);
        }
        break;
    case CDC_PUBLICATION_NO_TABLES:
        if (!exists) {
            sql = pg_publication_sql("CREATE", quoted, "", NULL, 0);
            rc = sql ? pg_exec_command(conn, "creating the publication", sql, err, errlen)
                     : (ferry_error_set(err, errlen, "out of memory"), -1);
        }
        break;
    case CDC_PUBLICATION_FILTERED: {
        if (table_count == 0) {
            rc = (ferry_error_set(err, errlen,
                                 "publication.autocreate.mode=filtered, but no table matches "
                                 "table.include.list / schema.include.list: check the "
                                 "filters"), -1);
            break;
        }
        bool matches = false;
        if (exists && !all_tables &&
            pg_publication_matches(conn, config, tables, table_count, &matches, err, errlen) != 0) {
            rc = -1;
            break;
        }
        if (exists && (matches || all_tables))
            break;
        sql = pg_publication_sql(exists ? "ALTER" : "CREATE", quoted,
                                 exists ? "SET TABLE" : "FOR TABLE", tables, table_count);
        if (!sql)
            rc = (ferry_error_set(err, errlen, "out of memory"), -1);
        else if (pg_exec_command(conn, exists ? "changing the publication's tables"
                                              : "creating the publication",
                                 sql, why, sizeof why) != 0)
            rc = (ferry_error_set(err, errlen,
                                 "%s: the role needs to own the tables (or be a superuser); "
                                 "or create the publication yourself and set "
                                 "publication.autocreate.mode=disabled",
                                 why), -1);
        break;
    }
    }
    free(sql);
    free(quoted);
    return rc;
}

int pg_slot_lookup(PGconn *conn, const char *slot_name, pg_slot_info *info, char *err,
                   size_t errlen)
{
    memset(info, 0, sizeof(*info));
    const char *params[] = {slot_name};
    PGresult *result = pg_exec(conn, "looking up the replication slot",
                               "SELECT s.active, s.active_pid, s.plugin, s.database, "
                               "s.confirmed_flush_lsn, s.restart_lsn, s.slot_type, "
                               "r.application_name, r.pid IS NOT NULL "
                               "FROM pg_replication_slots s LEFT JOIN pg_stat_replication r "
                               "ON s.active AND r.pid = s.active_pid WHERE s.slot_name = $1",
                               1, params, err, errlen);
    if (!result)
        return -1;
    if (PQntuples(result) == 1) {
        info->exists = true;
        info->active = PQgetvalue(result, 0, 0)[0] == 't';
        info->active_pid = PQgetisnull(result, 0, 1) ? 0 : atoi(PQgetvalue(result, 0, 1));
        snprintf(info->plugin, sizeof info->plugin, "%s",
                 PQgetisnull(result, 0, 6) || strcmp(PQgetvalue(result, 0, 6), "logical") != 0
                     ? "(physical)"
                     : PQgetvalue(result, 0, 2));
        snprintf(info->database, sizeof info->database, "%s", PQgetvalue(result, 0, 3));
        if (!PQgetisnull(result, 0, 4))
            pg_lsn_parse(PQgetvalue(result, 0, 4), &info->confirmed_flush);
        if (!PQgetisnull(result, 0, 5))
            pg_lsn_parse(PQgetvalue(result, 0, 5), &info->restart_lsn);
        snprintf(info->holder_application, sizeof info->holder_application, "%s",
                 PQgetvalue(result, 0, 7));
        info->holder_walsender = PQgetvalue(result, 0, 8)[0] == 't';
    }
    PQclear(result);
    return 0;
}

int pg_slot_check(const pg_slot_info *info, const cdc_config *config, char *err, size_t errlen)
{
    if (strcmp(info->plugin, "pgoutput") != 0)
        return ferry_error_set(err, errlen,
                               "replication slot \"%s\" uses the plugin '%s', not pgoutput: "
                               "drop it (SELECT pg_drop_replication_slot('%s')) or set "
                               "slot.name to another slot",
                               config->slot_name, info->plugin, config->slot_name), -1;
    if (strcmp(info->database, config->dbname) != 0)
        return ferry_error_set(err, errlen,
                               "replication slot \"%s\" belongs to database '%s', not '%s': set "
                               "slot.name to another slot",
                               config->slot_name, info->database, config->dbname), -1;
    return 0;
}

char *pg_slot_create_command(const char *slot_name, bool export_snapshot)
{
    char *quoted = pg_quote_ident(slot_name);
    if (!quoted)
        return NULL;
    strbuf sql = {0};
    strbuf_append_printf(&sql, "CREATE_REPLICATION_SLOT %s LOGICAL pgoutput %s", quoted,
                         export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
    free(quoted);
    return strbuf_take(&sql, NULL);
}

int pg_slot_created(PGresult *result, uint64_t *consistent_point, char *snapshot_name,
                    size_t snapshot_size, char *err, size_t errlen)
{
    snapshot_name[0] = '\0';
    if (!result || PQntuples(result) != 1 || PQnfields(result) < 3)
        return ferry_error_set(err, errlen, "CREATE_REPLICATION_SLOT returned no slot"), -1;
    if (pg_lsn_parse(PQgetvalue(result, 0, 1), consistent_point) != 0)
        return ferry_error_set(err, errlen,
                               "CREATE_REPLICATION_SLOT returned consistent point '%s', not an "
                               "LSN",
                               PQgetvalue(result, 0, 1)), -1;
    if (!PQgetisnull(result, 0, 2))
        snprintf(snapshot_name, snapshot_size, "%s", PQgetvalue(result, 0, 2));
    return 0;
}

int pg_slot_drop(PGconn *conn, const char *slot_name, char *err, size_t errlen)
{
    const char *params[] = {slot_name};
    for (int attempt = 0; attempt < 100; attempt++) {
        char why[600];
        PGresult *result = pg_exec(conn, "dropping the replication slot",
                                   "SELECT pg_drop_replication_slot(slot_name) FROM "
                                   "pg_replication_slots WHERE slot_name = $1",
                                   1, params, why, sizeof why);
        if (result) {
            PQclear(result);
            return 0;
        }
        if (!strstr(why, "is active")) {
            ferry_error_set(err, errlen, "%s", why);
            return -1;
        }
        usleep(100000); /* our walsender is still exiting */
    }
    return ferry_error_set(err, errlen, "replication slot \"%s\" stayed active; not dropped",
                           slot_name), -1;
}
