/*
 * pg_slot_takeover.c - the marker of a task's walsender and the termination of a stale one (see
 * pg_slot_takeover.h).
 */
#include "pg_slot_takeover.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pg_connection.h"

#define MARKER_PREFIX "ferry-cdc-stream"

/* FNV-1a, 64 bits: stable across builds and machines, which the marker must be (the task that
 * looks for it may run on another worker than the one that set it). */
static uint64_t marker_hash(const char *text)
{
    uint64_t hash = 0xcbf29ce484222325u;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        hash ^= *c;
        hash *= 0x100000001b3u;
    }
    return hash;
}

/* What the server keeps of an application_name unchanged: printable ASCII. */
static bool marker_printable(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            return false;
    return true;
}

bool pg_slot_takeover_marker(const char *connector, int task, char *out, size_t size)
{
    if (!connector || !*connector) {
        snprintf(out, size, "%s", MARKER_PREFIX);
        return false;
    }
    char suffix[16];
    snprintf(suffix, sizeof suffix, "-%d", task);
    size_t fixed = strlen(MARKER_PREFIX ":") + strlen(suffix);
    if (marker_printable(connector) && fixed + strlen(connector) <= PG_APPLICATION_NAME_MAX) {
        snprintf(out, size, "%s:%s%s", MARKER_PREFIX, connector, suffix);
        return true;
    }
    char hash[24];
    snprintf(hash, sizeof hash, "~%016" PRIx64, marker_hash(connector));
    size_t room = PG_APPLICATION_NAME_MAX - fixed - strlen(hash);
    char start[PG_APPLICATION_NAME_MAX + 1];
    size_t used = 0;
    for (const unsigned char *c = (const unsigned char *)connector; *c && used < room; c++)
        if (*c >= 0x20 && *c <= 0x7e)
            start[used++] = (char)*c;
    start[used] = '\0';
    snprintf(out, size, "%s:%s%s%s", MARKER_PREFIX, start, hash, suffix);
    return true;
}

pg_terminate_result pg_slot_takeover_terminate(PGconn *conn, int pid, const char *user, char *why,
                                               size_t whylen)
{
    char pid_text[16];
    snprintf(pid_text, sizeof pid_text, "%d", pid);
    const char *params[] = {pid_text};
    PGresult *result = PQexecParams(conn, "SELECT pg_terminate_backend($1::int)", 1, NULL,
                                    params, NULL, NULL, 0);
    pg_terminate_result outcome;
    if (result && PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
        /* false: the server warned that pid is not one of its processes (it exited) */
        outcome = PQgetvalue(result, 0, 0)[0] == 't' ? PG_TERMINATE_DONE : PG_TERMINATE_GONE;
    } else {
        const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
        char line[400];
        snprintf(line, sizeof line, "%s", pg_result_message(result, conn));
        char *newline = strchr(line, '\n');
        if (newline)
            *newline = '\0';
        if (state && strcmp(state, "42501") == 0) { /* insufficient_privilege */
            ferry_error_set(why, whylen,
                            "role '%s' may not terminate PID %d (%s): grant it the right with "
                            "GRANT pg_signal_backend TO \"%s\" (a superuser's process needs a "
                            "superuser), or run the connector as the role of that walsender",
                            user, pid, line, user);
            outcome = PG_TERMINATE_REFUSED;
        } else {
            ferry_error_set(why, whylen, "terminating PID %d: %s", pid, line);
            outcome = PG_TERMINATE_FAILED;
        }
    }
    PQclear(result);
    return outcome;
}
