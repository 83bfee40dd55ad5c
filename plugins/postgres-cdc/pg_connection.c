/*
 * pg_connection.c - libpq connections, server checks, explained failures and deadline-bounded
 * queries (see pg_connection.h).
 */
#include "pg_connection.h"
#include "support/clock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_SESSION_OPTIONS \
    "-c datestyle=ISO,MDY -c intervalstyle=iso_8601 -c timezone=UTC -c extra_float_digits=3 " \
    "-c bytea_output=hex"

/* The libpq keywords and values of a connection (values borrowed from the config). */
static void pg_connection_params(const cdc_config *config, bool replication,
                                 const char **keywords, const char **values, char *port,
                                 size_t port_size)
{
    size_t n = 0;
    snprintf(port, port_size, "%d", config->port);
#define PARAM(k, v)                                                                            \
    do {                                                                                       \
        if ((v) && *(v)) {                                                                     \
            keywords[n] = (k);                                                                 \
            values[n] = (v);                                                                   \
            n++;                                                                               \
        }                                                                                      \
    } while (0)
    PARAM("host", config->hostname);
    PARAM("port", port);
    PARAM("user", config->user);
    PARAM("password", config->password);
    PARAM("dbname", config->dbname);
    PARAM("sslmode", config->sslmode);
    PARAM("sslcert", config->sslcert);
    PARAM("sslkey", config->sslkey);
    PARAM("sslrootcert", config->sslrootcert);
    PARAM("sslpassword", config->sslpassword);
    PARAM("keepalives", config->tcp_keepalive ? "1" : "0");
    PARAM("connect_timeout", "10");
    PARAM("application_name", !replication                          ? "ferry-cdc"
                              : *config->stream_application_name ? config->stream_application_name
                                                                 : "ferry-cdc-stream");
    PARAM("options", PG_SESSION_OPTIONS);
    if (replication)
        PARAM("replication", "database");
#undef PARAM
    keywords[n] = NULL;
    values[n] = NULL;
}

static bool pg_contains(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle);
}

/* The first line of a libpq message, without "FATAL:  " noise. */
static void pg_first_line(const char *message, char *out, size_t size)
{
    if (!message)
        message = "(no message)";
    while (*message == ' ' || *message == '\n')
        message++;
    snprintf(out, size, "%s", message);
    /* libpq puts "connection to server ... failed: <reason>" on the first line; later lines
     * are details and hints. */
    char *newline = strchr(out, '\n');
    if (newline)
        *newline = '\0';
}

void pg_connection_explain(const cdc_config *config, bool replication, const char *message,
                           char *err, size_t errlen)
{
    char line[512];
    pg_first_line(message, line, sizeof line);
    const char *kind = replication ? "replication connection" : "connection";
    if (pg_contains(message, "password authentication failed") ||
        pg_contains(message, "no password supplied") ||
        pg_contains(message, "authentication failed") ||
        pg_contains(message, "password is required")) {
        ferry_error_set(err, errlen,
                        "PostgreSQL at %s:%d refused user '%s': %s: check database.user and "
                        "database.password",
                        config->hostname, config->port, config->user, line);
    } else if (pg_contains(message, "must be superuser or replication role") ||
               pg_contains(message, "permission denied to start WAL sender") ||
               pg_contains(message, "must have the REPLICATION attribute")) {
        ferry_error_set(err, errlen,
                        "role '%s' may not open a replication connection: %s: grant it with "
                        "ALTER ROLE \"%s\" WITH REPLICATION (or use a superuser)",
                        config->user, line, config->user);
    } else if (pg_contains(message, "pg_hba.conf")) {
        ferry_error_set(err, errlen,
                        "pg_hba.conf of %s:%d does not let user '%s' open a %s to database "
                        "'%s': %s: add a matching line (for the %s: \"host %s %s <client "
                        "address> <method>\") and reload PostgreSQL",
                        config->hostname, config->port, config->user, kind, config->dbname, line,
                        kind, replication ? "replication" : config->dbname, config->user);
    } else if (pg_contains(message, "role \"") && pg_contains(message, "does not exist")) {
        ferry_error_set(err, errlen, "%s: check database.user", line);
    } else if (pg_contains(message, "database \"") && pg_contains(message, "does not exist")) {
        ferry_error_set(err, errlen, "%s: check database.dbname", line);
    } else if (pg_contains(message, "max_wal_senders") ||
               pg_contains(message, "too many clients") ||
               pg_contains(message, "remaining connection slots")) {
        ferry_error_set(err, errlen,
                        "PostgreSQL at %s:%d has no free connection for the %s: %s: raise "
                        "max_wal_senders / max_connections or close other clients",
                        config->hostname, config->port, kind, line);
    } else {
        ferry_error_set(err, errlen,
                        "cannot open the %s to PostgreSQL at %s:%d (database '%s'): %s: check "
                        "database.hostname and database.port, and that the server is running",
                        kind, config->hostname, config->port, config->dbname, line);
    }
}

PGconn *pg_connection_open(const cdc_config *config, bool replication, char *err, size_t errlen)
{
    const char *keywords[20], *values[20];
    char port[16];
    pg_connection_params(config, replication, keywords, values, port, sizeof port);
    PGconn *conn = PQconnectdbParams(keywords, values, 0);
    if (!conn)
        return ferry_error_set(err, errlen, "out of memory opening a connection"), NULL;
    if (PQstatus(conn) != CONNECTION_OK) {
        pg_connection_explain(config, replication, PQerrorMessage(conn), err, errlen);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

PGconn *pg_connection_start(const cdc_config *config, bool replication, char *err,
                            size_t errlen)
{
    const char *keywords[20], *values[20];
    char port[16];
    pg_connection_params(config, replication, keywords, values, port, sizeof port);
    PGconn *conn = PQconnectStartParams(keywords, values, 0);
    if (!conn)
        return ferry_error_set(err, errlen, "out of memory opening a connection"), NULL;
    if (PQstatus(conn) == CONNECTION_BAD) {
        pg_connection_explain(config, replication, PQerrorMessage(conn), err, errlen);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

bool pg_socket_wait(PGconn *conn, bool for_write, int64_t deadline_ms)
{
    int64_t left = deadline_ms - clock_monotonic_ms();
    if (left < 0)
        left = 0;
    struct pollfd fd = {.fd = PQsocket(conn), .events = for_write ? POLLOUT : POLLIN};
    if (fd.fd < 0)
        return true; /* let libpq report the problem */
    int rc;
    do
        rc = poll(&fd, 1, (int)left);
    while (rc < 0 && errno == EINTR);
    return rc != 0;
}

pg_wait pg_connection_poll(PGconn *conn, const cdc_config *config, bool replication,
                           int64_t deadline_ms, char *err, size_t errlen)
{
    for (;;) {
        PostgresPollingStatusType status = PQconnectPoll(conn);
        switch (status) {
        case PGRES_POLLING_OK:
            return PG_WAIT_DONE;
        case PGRES_POLLING_FAILED:
            pg_connection_explain(config, replication, PQerrorMessage(conn), err, errlen);
            return PG_WAIT_FAILED;
        case PGRES_POLLING_READING:
        case PGRES_POLLING_WRITING:
            if (!pg_socket_wait(conn, status == PGRES_POLLING_WRITING, deadline_ms))
                return PG_WAIT_PENDING;
            break;
        default:
            break;
        }
    }
}

const char *pg_result_message(const PGresult *result, PGconn *conn)
{
    const char *message = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!message || !*message)
        message = result ? PQresultErrorMessage(result) : NULL;
    if ((!message || !*message) && conn)
        message = PQerrorMessage(conn);
    return message && *message ? message : "(no message)";
}

static void pg_error_result(char *err, size_t errlen, const char *what, PGresult *result,
                            PGconn *conn)
{
    char line[512];
    pg_first_line(pg_result_message(result, conn), line, sizeof line);
    ferry_error_set(err, errlen, "%s: %s", what, line);
}

PGresult *pg_exec(PGconn *conn, const char *what, const char *sql, int nparams,
                  const char *const *params, char *err, size_t errlen)
{
    PGresult *result = nparams > 0 ? PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)
                                   : PQexec(conn, sql);
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        pg_error_result(err, errlen, what, result, conn);
        PQclear(result);
        return NULL;
    }
    return result;
}

int pg_exec_command(PGconn *conn, const char *what, const char *sql, char *err, size_t errlen)
{
    PGresult *result = pg_exec(conn, what, sql, 0, NULL, err, errlen);
    if (!result)
        return -1;
    PQclear(result);
    return 0;
}

int pg_query_send(PGconn *conn, const char *what, const char *sql, int nparams,
                  const char *const *params, char *err, size_t errlen)
{
    int ok = nparams > 0 ? PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)
                         : PQsendQuery(conn, sql);
    if (!ok) {
        pg_error_result(err, errlen, what, NULL, conn);
        return -1;
    }
    return 0;
}

pg_wait pg_query_wait(PGconn *conn, const char *what, int64_t deadline_ms, PGresult **result,
                      char *err, size_t errlen)
{
    for (;;) {
        if (!PQconsumeInput(conn)) {
            pg_error_result(err, errlen, what, NULL, conn);
            return PG_WAIT_FAILED;
        }
        while (!PQisBusy(conn)) {
            PGresult *next = PQgetResult(conn);
            if (!next)
                return PG_WAIT_DONE;
            ExecStatusType status = PQresultStatus(next);
            if (status == PGRES_COPY_BOTH) {
                PQclear(*result);
                *result = next;
                return PG_WAIT_DONE;
            }
            if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK &&
                status != PGRES_EMPTY_QUERY) {
                pg_error_result(err, errlen, what, next, conn);
                PQclear(next);
                /* drain what remains so that the connection is usable again */
                PGresult *rest;
                while ((rest = PQgetResult(conn)))
                    PQclear(rest);
                PQclear(*result);
                *result = NULL;
                return PG_WAIT_FAILED;
            }
            PQclear(*result);
            *result = next;
        }
        if (!pg_socket_wait(conn, false, deadline_ms))
            return PG_WAIT_PENDING;
    }
}

int pg_connection_prepare(PGconn *conn, const cdc_config *config, int *server_version,
                          char *err, size_t errlen)
{
    char why[600];
    *server_version = PQserverVersion(conn);
    if (*server_version < 100000)
        return ferry_error_set(err, errlen,
                               "PostgreSQL %d.%d is too old: logical replication with pgoutput "
                               "needs PostgreSQL 10 or newer",
                               *server_version / 10000, *server_version / 100 % 100), -1;
    PGresult *result = pg_exec(conn, "checking the server's settings",
                               "SELECT current_setting('wal_level'), r.rolreplication, "
                               "r.rolsuper FROM pg_roles r WHERE r.rolname = current_user",
                               0, NULL, why, sizeof why);
    if (!result)
        return ferry_error_set(err, errlen, "%s", why), -1;
    int rc = 0;
    if (PQntuples(result) != 1) {
        rc = (ferry_error_set(err, errlen, "checking the server's settings: role '%s' not found",
                             config->user), -1);
    } else if (strcmp(PQgetvalue(result, 0, 0), "logical") != 0) {
        rc = (ferry_error_set(err, errlen,
                             "wal_level is '%s' on PostgreSQL at %s:%d: set wal_level=logical "
                             "in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and "
                             "restart PostgreSQL",
                             PQgetvalue(result, 0, 0), config->hostname, config->port), -1);
    } else if (strcmp(PQgetvalue(result, 0, 1), "t") != 0 &&
               strcmp(PQgetvalue(result, 0, 2), "t") != 0) {
        rc = (ferry_error_set(err, errlen,
                             "role '%s' has neither REPLICATION nor SUPERUSER: grant it with "
                             "ALTER ROLE \"%s\" WITH REPLICATION",
                             config->user, config->user), -1);
    }
    PQclear(result);
    if (rc)
        return rc;
    if (config->query_timeout_ms > 0) {
        char sql[96];
        snprintf(sql, sizeof sql, "SET statement_timeout = %lld",
                 (long long)config->query_timeout_ms);
        if (pg_exec_command(conn, "setting statement_timeout", sql, err, errlen) != 0)
            return -1;
    }
    if (config->initial_statements && *config->initial_statements) {
        /* ';' separates statements, ';;' is a literal ';'. */
        const char *text = config->initial_statements;
        size_t len = strlen(text);
        strbuf statement = {0};
        for (size_t i = 0; i <= len && rc == 0; i++) {
            if (i < len && text[i] == ';' && i + 1 < len && text[i + 1] == ';') {
                strbuf_append_char(&statement, ';');
                i++;
                continue;
            }
            if (i < len && text[i] != ';') {
                strbuf_append_char(&statement, text[i]);
                continue;
            }
            if (strbuf_failed(&statement)) {
                rc = (ferry_error_set(err, errlen, "out of memory"), -1);
                break;
            }
            const char *s = statement.data ? statement.data : "";
            while (*s == ' ' || *s == '\t' || *s == '\n')
                s++;
            if (*s && pg_exec_command(conn, "running database.initial.statements", s, err,
                                      errlen) != 0)
                rc = -1;
            strbuf_reset(&statement);
        }
        strbuf_free(&statement);
    }
    return rc;
}

/* text between quote characters, a quote inside doubled (SQL's identifiers and literals). */
static void pg_quote_append(strbuf *sql, const char *text, char quote)
{
    strbuf_append_char(sql, quote);
    for (const char *c = text; *c; c++) {
        if (*c == quote)
            strbuf_append_char(sql, quote);
        strbuf_append_char(sql, *c);
    }
    strbuf_append_char(sql, quote);
}

void pg_quote_append_ident(strbuf *sql, const char *name)
{
    pg_quote_append(sql, name, '"');
}

void pg_quote_append_qualified(strbuf *sql, const char *schema_name, const char *table_name)
{
    pg_quote_append(sql, schema_name, '"');
    strbuf_append_char(sql, '.');
    pg_quote_append(sql, table_name, '"');
}

void pg_quote_append_literal(strbuf *sql, const char *text)
{
    pg_quote_append(sql, text, '\'');
}

char *pg_quote_ident(const char *name)
{
    strbuf quoted = {0};
    pg_quote_append_ident(&quoted, name);
    return strbuf_take(&quoted, NULL);
}

char *pg_quote_qualified(const char *schema_name, const char *table_name)
{
    strbuf quoted = {0};
    pg_quote_append_qualified(&quoted, schema_name, table_name);
    return strbuf_take(&quoted, NULL);
}

char *pg_quote_literal(const char *text)
{
    strbuf quoted = {0};
    pg_quote_append_literal(&quoted, text);
    return strbuf_take(&quoted, NULL);
}
