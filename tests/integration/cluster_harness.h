/* cluster_harness.h - N `ferry distributed` workers of one cluster on the real broker, for the
 * distributed-mode tests: one group.id and three internal topics (the env's), a REST port and a
 * worker file each, started, killed, paused and restarted one by one, and the questions a test
 * asks of the cluster through any worker's REST API (which worker runs which task, whether every
 * task of a connector runs) and of its status topic (the records each task got).
 *
 * Worker i's id is "127.0.0.1:<port>", its URL "http://127.0.0.1:<port>/". Every check waits on
 * the event it needs (polling the REST API every 100 ms) up to a timeout, never a fixed sleep. */
#ifndef FERRY_TESTS_CLUSTER_HARNESS_H
#define FERRY_TESTS_CLUSTER_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferry_process.h"
#include "test_rest_client.h"

#define CH_MAX_WORKERS 8

typedef struct ch_worker {
    int port;
    char id[64];   /* "127.0.0.1:<port>": the worker_id in statuses */
    char base[64]; /* "http://127.0.0.1:<port>", for the REST client */
    const char *file;
    fp_proc *proc; /* the last process started for this worker, NULL before */
    bool running;  /* started and neither killed nor stopped since */
    bool paused;   /* SIGSTOP'ed */
    rc_client *rest;
} ch_worker;

typedef struct ch_cluster {
    fp_env *env;
    size_t count;
    ch_worker workers[CH_MAX_WORKERS];
} ch_cluster;

/* Writes count worker files on env's topics and group (extra: more worker keys, one per line,
 * appended to each). Starts nothing. */
void ch_init(ch_cluster *cluster, fp_env *env, size_t count, const char *extra);
/* Adds one more worker (its file), returning its index. */
size_t ch_add(ch_cluster *cluster, const char *extra);
/* Kills what still runs and frees the REST clients. */
void ch_finish(ch_cluster *cluster);

/* Starts worker i (again), without waiting. */
void ch_start(ch_cluster *cluster, size_t i);
/* Starts every worker, then waits until each answers GET / and says it is healthy. */
void ch_start_all(ch_cluster *cluster, int timeout_ms);
/* Waits until worker i's /health answers 200. */
void ch_wait_healthy(ch_cluster *cluster, size_t i, int timeout_ms);
/* kill -9, SIGSTOP, SIGCONT, SIGTERM + a graceful exit. */
void ch_kill9(ch_cluster *cluster, size_t i);
void ch_pause(ch_cluster *cluster, size_t i);
void ch_resume(ch_cluster *cluster, size_t i);
void ch_stop(ch_cluster *cluster, size_t i);
/* Stops every running worker gracefully (SIGTERM to all at once, then each exit). */
void ch_stop_all(ch_cluster *cluster);

/* The index of a worker that runs (not paused), other than avoid (SIZE_MAX: any). */
size_t ch_any(const ch_cluster *cluster, size_t avoid);
/* The index of the worker with this id, or SIZE_MAX. */
size_t ch_index_of(const ch_cluster *cluster, const char *worker_id);

/* A connector's status as worker i answers it (a new reference), or NULL when it answers 404. */
json_t *ch_status(ch_cluster *cluster, size_t i, const char *connector);
/* Waits until the connector and exactly `tasks` tasks are RUNNING, each on a running worker,
 * as worker `asked` (SIZE_MAX: any running worker) answers. Fails the test on timeout, printing
 * the last status. Returns the time waited in ms. */
int64_t ch_wait_running(ch_cluster *cluster, size_t asked, const char *connector, int tasks,
                        int timeout_ms);
/* The worker id running task n of the connector (as its status says), copied into id. false
 * when the status names none. */
bool ch_task_worker(ch_cluster *cluster, size_t asked, const char *connector, int task, char *id,
                    size_t id_size);
/* The number of tasks each worker runs over the given connectors, by worker index (counts:
 * cluster->count entries). */
void ch_task_counts(ch_cluster *cluster, const char *const *connectors, size_t connector_count,
                    int *counts);

/* ---- the status topic ---------------------------------------------------------------------- */

/* Every record of the status topic so far for status-task-<connector>-<task>: how many, and
 * the last one's worker_id and state (copied). */
typedef struct ch_task_history {
    size_t records;
    char worker_id[64];
    char state[32];
} ch_task_history;
void ch_task_history_read(ch_cluster *cluster, const char *connector, int task,
                          ch_task_history *history);

#endif
