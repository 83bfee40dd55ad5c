/*
 * assignment.h - the ferry-assignment record of the config topic (docs/distributed.md): which
 * worker runs which connectors and tasks in an epoch, the work revoked for a move and not yet
 * reassigned, and when departed workers left. The leader writes it (assignor.h computes it);
 * every worker reads it. A task is named "<connector>-<n>", as in the config topic's keys.
 *
 * An assignment is a plain value: start from `assignment a = {0};` (the empty assignment of
 * epoch 0, what a cluster has before its first record), fill it with the add functions or
 * assignment_from_json, and release it with assignment_free. Nothing here is thread-safe; an
 * assignment belongs to one thread at a time.
 */
#ifndef FERRY_CLUSTER_ASSIGNMENT_H
#define FERRY_CLUSTER_ASSIGNMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "support/strlist.h"

/* Connectors and tasks, each list of owned strings. */
typedef struct assignment_work {
    strlist connectors;
    strlist tasks;
} assignment_work;

/* What one worker runs (for a worker that departed: what is held for it). */
typedef struct assignment_worker {
    char *worker; /* owned: the worker id */
    assignment_work work;
} assignment_worker;

/* Work revoked from a worker for a move: its old owner must stop it, and nobody runs it until
 * the old owner has acknowledged epoch (or worker.sync.timeout.ms after at_ms). */
typedef struct assignment_revocation {
    char *worker; /* owned: the old owner */
    int64_t epoch; /* the epoch that revoked it */
    int64_t at_ms; /* when that epoch was computed (wall clock, ms) */
    assignment_work work;
} assignment_revocation;

typedef struct assignment_departure {
    char *worker; /* owned */
    int64_t departed_ms; /* when the leader first found it missing (wall clock, ms) */
} assignment_departure;

typedef struct assignment {
    int64_t epoch; /* 0 before the first record, then one more with every record */
    char *leader; /* owned; NULL in the empty assignment */
    char *leader_url; /* owned; NULL in the empty assignment */
    assignment_worker *workers;
    size_t worker_count;
    size_t worker_capacity;
    assignment_revocation *revoked;
    size_t revoked_count;
    size_t revoked_capacity;
    assignment_departure *departed;
    size_t departed_count;
    size_t departed_capacity;
} assignment;

/* Frees everything the assignment owns and leaves it empty ({0}); accepts NULL and a half-built
 * assignment. */
void assignment_free(assignment *record);

/* Sets leader and leader_url to copies of the arguments (either may be NULL). 0, or -1 when out
 * of memory (then both are unchanged). */
int assignment_set_leader(assignment *record, const char *leader, const char *leader_url);

/* Appends an entry for worker (copied) with empty lists and returns it, owned by the
 * assignment and valid until the next add of the same kind; NULL when out of memory. Entries
 * are not checked here (assignment_check does). */
assignment_worker *assignment_add_worker(assignment *record, const char *worker);
assignment_revocation *assignment_add_revocation(assignment *record, const char *worker,
                                                 int64_t epoch, int64_t at_ms);
/* 0, or -1 when out of memory. */
int assignment_add_departure(assignment *record, const char *worker, int64_t departed_ms);

/* The entry of worker, borrowed from the assignment, or NULL. Linear in the entries. */
const assignment_worker *assignment_find_worker(const assignment *record,
                                                const char *worker);
const assignment_revocation *assignment_find_revocation(const assignment *record,
                                                        const char *worker);
const assignment_departure *assignment_find_departure(const assignment *record,
                                                      const char *worker);

/* Whether task is a task name, "<connector>-<n>" (a non-empty connector name, n a number
 * without leading zeros below 2^31); if so and the pointers are not NULL, the length of the
 * connector name and n. */
bool assignment_task_parse(const char *task, size_t *connector_len, uint32_t *index);
/* The order tasks are listed in: by connector name (bytes), then by number ("c-2" before
 * "c-10"); names that are not task names after those that are, by bytes. strcmp's contract. */
int assignment_task_compare(const char *a, const char *b);

/* Checks what the record's readers rely on: non-empty, unique worker ids in each section,
 * connector names not empty, task names well formed (assignment_task_parse), no connector or
 * task listed twice (in one list, for two workers, or assigned and revoked), revocation epochs
 * between 1 and the assignment's epoch, times not negative. 0, or -1 with a message naming the
 * first problem (out of memory is one). */
int assignment_check(const assignment *record, char *err, size_t errlen);

/* The record's value:
 *   {"epoch": N, "leader": "..", "leader_url": "..",
 *    "assignment": {"<worker>": {"connectors": [..], "tasks": [..]}},
 *    "revoked": {"<worker>": {"epoch": N, "at": ms, "connectors": [..], "tasks": [..]}},
 *    "departed": {"<worker>": ms}}
 * with entries and lists in the assignment's order. A new reference, or NULL when out of
 * memory or when a name is not valid UTF-8 (which JSON cannot carry). */
json_t *assignment_to_json(const assignment *record);

/* Reads a record's value (borrowed) into *out, which must be empty ({0}) and is left empty on
 * failure. Every key above is required ("revoked" and "departed" may be empty objects); other
 * keys are ignored, so that a newer writer may add some. The epoch must be at least 1, the
 * leader not empty, and the result must pass assignment_check. 0, or -1 with a message naming
 * what is wrong, by its place in the record (`assignment["w1"].tasks[2]: ...`). */
int assignment_from_json(json_t *value, assignment *out, char *err, size_t errlen);

#endif
