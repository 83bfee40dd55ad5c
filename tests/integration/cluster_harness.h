/* cluster_harness.h - N `ferry distributed` workers of one cluster on the real broker, for the
 * distributed-mode tests: one group.id and three internal topics (the env's), a REST port and a
 * worker file each, started, killed, paused and restarted one by one, and the questions a test
 * asks of the cluster through any worker's REST API (which worker runs which task, whether every
 * task of a connector runs, who leads), of its status topic (the records each task got) and of
 * the topics its sequence sources write (what is missing, which task instance polled what).
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
/* ch_stop, then ch_start and ch_wait_healthy. */
void ch_restart(ch_cluster *cluster, size_t i, int timeout_ms);
/* Stops every running worker gracefully (SIGTERM to all at once, then each exit). */
void ch_stop_all(ch_cluster *cluster);

/* The index of a worker that runs (not paused), other than avoid (SIZE_MAX: any). */
size_t ch_any(const ch_cluster *cluster, size_t avoid);
/* The index of the worker with this id, or SIZE_MAX. */
size_t ch_index_of(const ch_cluster *cluster, const char *worker_id);

/* A gauge of worker i's GET /metrics ("ferry_cluster_leader", ...): false when the worker does
 * not answer or has no such line. */
bool ch_metric(ch_cluster *cluster, size_t i, const char *name, double *value);
/* Waits until exactly one running worker says it leads (ferry_cluster_leader 1) and every
 * running worker names it as the leader (ferry_cluster_leader_info); returns its index. Fails
 * the test on timeout. */
size_t ch_wait_leader(ch_cluster *cluster, int timeout_ms);

/* ---- connectors ---------------------------------------------------------------------------- */

/* Creates through worker i a SequenceSource of `tasks` tasks and 2 x tasks source partitions
 * (20 records every 50 ms per task, origin.header "origin": see ch_sequence_read) writing to
 * topic. */
void ch_source_create(ch_cluster *cluster, size_t i, const char *name, const char *topic,
                      int tasks);
/* A topic of one partition named fp_name(prefix) (a source's records stay in order there) and,
 * through worker i, a SequenceSource of `tasks` tasks of the same name writing to it
 * (ch_source_create). Returns the name (owned by the env). */
const char *ch_source_new(ch_cluster *cluster, size_t i, const char *prefix, int tasks);
/* ch_init of three workers (extra: their keys), ch_start_all, then three sources of two tasks,
 * "<prefix>0" to "<prefix>2" each created through the worker of its number (ch_source_new),
 * until every task of them RUNNING. names: the three connector (and topic) names. */
void ch_start_with_sources(ch_cluster *cluster, fp_env *env, const char *extra,
                           const char *prefix, const char **names);
/* A change through worker i that answers `expected`, tried again while it answers 409 (the
 * cluster rebalances) up to timeout_ms. Returns the answer's body (a new reference, may be
 * NULL); *conflicts (may be NULL) counts the 409s. */
json_t *ch_change(ch_cluster *cluster, size_t i, const char *method, const char *path,
                  const char *body, long expected, int timeout_ms, int *conflicts);
/* A connector's status as worker i answers it (a new reference), or NULL when it answers 404. */
json_t *ch_status(ch_cluster *cluster, size_t i, const char *connector);
/* Waits until the connector and exactly `tasks` tasks are in state, each on a running worker,
 * as worker `asked` (SIZE_MAX: any running worker) answers. Fails the test on timeout, printing
 * the last status. Returns the time waited in ms. */
int64_t ch_wait_state(ch_cluster *cluster, size_t asked, const char *connector, const char *state,
                      int tasks, int timeout_ms);
/* ch_wait_state for RUNNING. */
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
/* Fails unless the running workers run `total` tasks of these connectors in all, no worker two
 * more than another. */
void ch_expect_balanced(ch_cluster *cluster, const char *const *connectors,
                        size_t connector_count, int total);
/* Waits until the tasks are spread as ch_expect_balanced expects (an incremental rebalance moves
 * them in steps: a worker may hold none for a moment, then get its share), at most timeout_ms,
 * then expects it. */
void ch_wait_balanced(ch_cluster *cluster, const char *const *connectors,
                      size_t connector_count, int total, int64_t timeout_ms);

/* ---- the status topic ---------------------------------------------------------------------- */

/* One record of status-task-<connector>-<task>. */
typedef struct ch_status_record {
    char worker_id[64];
    char state[32];
    int64_t generation;
} ch_status_record;

/* Every record of the status topic so far for status-task-<connector>-<task>, in the order
 * written: how many, and the last one. items (malloc'd, records entries) only when the read
 * asked for them. */
typedef struct ch_task_history {
    size_t records;
    char worker_id[64];
    char state[32];
    ch_status_record *items;
} ch_task_history;
void ch_task_history_read(ch_cluster *cluster, const char *connector, int task,
                          ch_task_history *history);
/* The same with every record in history->items; ch_task_history_clear frees them. */
void ch_task_history_read_all(ch_cluster *cluster, const char *connector, int task,
                              ch_task_history *history);
void ch_task_history_clear(ch_task_history *history);

/* ---- what sequence sources wrote ------------------------------------------------------------- */

/* One record of a SequenceSource: "<source partition>:<number>", polled by the task instance
 * named by its origin header ("<pid>-<n>", "" without one) at timestamp_ms (the poll's wall-clock
 * time with an origin header). offset: its offset in its Kafka partition. */
typedef struct ch_sequence_record {
    int source_partition;
    int64_t number;
    int64_t timestamp_ms;
    int32_t partition;
    int64_t offset;
    char origin[48];
} ch_sequence_record;

typedef struct ch_sequence {
    ch_sequence_record *items;
    size_t count;
} ch_sequence;

/* The whole topic in the order read (per Kafka partition: by offset). */
ch_sequence *ch_sequence_read(const char *topic);
void ch_sequence_free(ch_sequence *sequence);
/* Fails naming the first number missing of a source partition (every number from 0 to the
 * highest seen must be there); prints and returns the count of distinct numbers. */
int64_t ch_sequence_expect_no_gaps(const ch_sequence *sequence, const char *topic,
                                   size_t partitions);
/* Reads the topic and checks it so. */
void ch_expect_no_gaps(const char *topic, size_t partitions);
/* Wall-clock time in ms, the clock of the origin timestamps. */
int64_t ch_wall_ms(void);
/* Whether a record's origin names a task instance of the process pid ("<pid>-<n>"). */
bool ch_origin_of_pid(const char *origin, long pid);
/* The records of a process paused (SIGSTOP) at paused_at and woken at woke_at (wall clock), by
 * the task instances that polled before the pause: the ones a fence must stop. Records of
 * instances the process started after it rejoined count apart. */
typedef struct ch_zombie_records {
    size_t instances;                     /* task instances of the process before the pause */
    int64_t before;                       /* their records polled before the pause */
    int64_t pausing;                      /* polled while SIGSTOP was being delivered */
    int64_t after_wake;                   /* polled at or after woke_at */
    const ch_sequence_record *first_woke; /* the first of those, or NULL */
    int64_t later_instances;              /* records of instances started after rejoining */
} ch_zombie_records;
void ch_zombie_records_count(const ch_sequence *sequence, long pid, int64_t paused_at,
                             int64_t woke_at, ch_zombie_records *out);
/* Waits until the topic's end offsets sum to `more` beyond `from` (the sources produce); fails
 * the test after timeout_ms. */
void ch_wait_topic_growth(const char *topic, int64_t from, int64_t more, int timeout_ms);

#endif
