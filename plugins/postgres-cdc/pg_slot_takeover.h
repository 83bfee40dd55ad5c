/*
 * pg_slot_takeover.h - taking a replication slot over from a stale walsender of this very task
 * (docs/connectors/postgres-cdc.md, "Slot take-over"). The replication connection of a task
 * carries a marker in its application_name that names the connector and the task; a slot held
 * by a walsender with the same marker was left by an earlier run of the task (a worker killed
 * -9, paused, or cut off from the server) and may be terminated. Anything else holding the slot
 * is never touched.
 */
#ifndef PGCDC_PG_SLOT_TAKEOVER_H
#define PGCDC_PG_SLOT_TAKEOVER_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/* PostgreSQL keeps NAMEDATALEN - 1 bytes of an application_name. */
#define PG_APPLICATION_NAME_MAX 63

/* The application_name of the replication connection of task `task` of connector `connector`:
 * "ferry-cdc-stream:<connector>-<task>" when that is printable ASCII of at most 63 bytes (what
 * the server stores unchanged); otherwise the name's printable ASCII characters cut to fit, '~'
 * and a hash of the whole name ("ferry-cdc-stream:<start of name>~<16 hex digits>-<task>"), so
 * that names differing only after the cut, or only in characters the server would replace, get
 * different markers. size must be more than PG_APPLICATION_NAME_MAX. Returns false (and writes
 * "ferry-cdc-stream") when connector is NULL or empty: such a task cannot be told apart and never
 * takes a slot over. */
bool pg_slot_takeover_marker(const char *connector, int task, char *out, size_t size);

typedef enum pg_terminate_result {
    PG_TERMINATE_DONE,    /* signalled: the process is exiting */
    PG_TERMINATE_GONE,    /* no such process any more */
    PG_TERMINATE_REFUSED, /* the role lacks the right: why names it */
    PG_TERMINATE_FAILED,  /* any other error: why */
} pg_terminate_result;

/* pg_terminate_backend(pid) on the regular connection. user is the connector's role, for the
 * GRANT a refusal asks for. */
pg_terminate_result pg_slot_takeover_terminate(PGconn *conn, int pid, const char *user, char *why,
                                               size_t whylen);

#endif
