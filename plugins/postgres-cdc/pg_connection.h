/*
 * pg_connection.h - libpq connections to the server: the regular one (catalog, snapshot,
 * publication, heartbeat action query) and the replication one (replication=database). Both set
 * the session formats pg_types.c parses (DateStyle ISO, IntervalStyle iso_8601, TimeZone UTC,
 * bytea_output hex). Failures become messages that say what to change (the key to fix, the
 * server setting, the GRANT). Queries can run asynchronously, bounded by a deadline, so that a
 * poll never blocks longer than its timeout.
 */
#ifndef PGCDC_PG_CONNECTION_H
#define PGCDC_PG_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "cdc_config.h"
#include "support/strbuf.h"

/* Opens a connection and waits for it (connect_timeout 10 s). NULL with an explained message. */
PGconn *pg_connection_open(const cdc_config *config, bool replication, char *err, size_t errlen);

/* Starts opening a connection without waiting; pg_connection_poll drives it. NULL with a
 * message when it cannot even start. */
PGconn *pg_connection_start(const cdc_config *config, bool replication, char *err,
                            size_t errlen);

typedef enum pg_wait {
    PG_WAIT_PENDING = 0, /* not yet: call again */
    PG_WAIT_DONE,
    PG_WAIT_FAILED,      /* err says why */
} pg_wait;

/* Drives a connection started by pg_connection_start until it is up, it failed, or the
 * deadline (monotonic ms) passes. */
pg_wait pg_connection_poll(PGconn *conn, const cdc_config *config, bool replication,
                           int64_t deadline_ms, char *err, size_t errlen);

/* Explains a libpq message: what failed and which key or server setting to change. */
void pg_connection_explain(const cdc_config *config, bool replication, const char *message,
                           char *err, size_t errlen);

/* On the regular connection: wal_level must be logical and the role must have REPLICATION (or
 * be superuser). Also runs database.initial.statements and sets statement_timeout. */
int pg_connection_prepare(PGconn *conn, const cdc_config *config, int *server_version,
                          char *err, size_t errlen);

/* Runs a query and waits for it. Returns its result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) or NULL
 * with "<what>: <server message>" in err. */
PGresult *pg_exec(PGconn *conn, const char *what, const char *sql, int nparams,
                  const char *const *params, char *err, size_t errlen);
int pg_exec_command(PGconn *conn, const char *what, const char *sql, char *err, size_t errlen);

/* Sends a query without waiting (PQsendQueryParams; nparams 0 uses the simple protocol, which
 * replication commands need). */
int pg_query_send(PGconn *conn, const char *what, const char *sql, int nparams,
                  const char *const *params, char *err, size_t errlen);
/* Collects the result of a sent query, at most until deadline_ms. DONE with *result (owned by the
 * caller; NULL for a query that returned none) once the connection is idle again or in COPY BOTH
 * mode; FAILED with the server's message. */
pg_wait pg_query_wait(PGconn *conn, const char *what, int64_t deadline_ms, PGresult **result,
                      char *err, size_t errlen);

/* Waits until the socket is readable or the deadline; false on timeout. */
bool pg_socket_wait(PGconn *conn, bool for_write, int64_t deadline_ms);

/* Quoted identifiers ("name", "schema"."table") and literals ('text'), a quote inside doubled:
 * appended to a statement being built, or as a string (malloc'd; NULL when out of memory). */
void pg_quote_append_ident(strbuf *sql, const char *name);
void pg_quote_append_qualified(strbuf *sql, const char *schema_name, const char *table_name);
void pg_quote_append_literal(strbuf *sql, const char *text);
char *pg_quote_ident(const char *name);
char *pg_quote_qualified(const char *schema_name, const char *table_name);
char *pg_quote_literal(const char *text);

/* The server's message of a failed result, one line. */
const char *pg_result_message(const PGresult *result, PGconn *conn);

#endif
