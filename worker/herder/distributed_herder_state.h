/*
 * distributed_herder_state.h - what the distributed herder's files share (not for other
 * modules): its state, and the functions one file calls in another. distributed_herder.c has the
 * herder's thread and what it runs on every worker; distributed_leader.c what only the leader
 * does; distributed_changes.c the connector changes of herder.h; distributed_publisher.c the
 * thread that hands task configs to the leader.
 */
#ifndef FERRY_DISTRIBUTED_HERDER_STATE_H
#define FERRY_DISTRIBUTED_HERDER_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cluster/request_signature.h"
#include "herder/distributed_herder.h"
#include "stores/config_store.h"

#define HERDER_SCOPE "cluster"

/* How soon a step that failed (a follower handing task configs to the leader, the leader
 * listing the members or writing the assignment) is tried again. */
#define DISTRIBUTED_RETRY_MS 1000

/* Kafka Connect's answer while a change cannot be made (no leader known, or fenced). */
#define DISTRIBUTED_REBALANCING_MESSAGE                                                        \
    "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"

typedef struct distributed_job {
    enum { JOB_PUBLISH, JOB_RESTART } kind;
    char *connector;
    json_t *task_configs; /* JOB_PUBLISH */
    bool include_tasks;   /* JOB_RESTART */
    bool only_failed;
    struct distributed_job *next;
} distributed_job;

typedef struct distributed_herder {
    herder base; /* first: a herder * is a distributed_herder * */
    worker *running;
    const worker_config *config;
    config_store *configs;
    herder *changes; /* the leader's changes: the standalone herder's, mirrored by the apply */
    struct group_member *member;
    request_signature_settings signing;

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    /* Under mutex: what woke the thread. */
    bool stopping;
    bool member_events;
    json_t *dirty_connectors; /* names read changed in the config topic (a set) */
    bool configs_dirty;       /* every connector: the first read after joining */
    bool assignment_dirty;
    bool acks_dirty;
    bool key_dirty;
    distributed_job *jobs; /* FIFO */
    distributed_job *jobs_tail;
    /* Under mutex: what other threads read. */
    char leader_id[256];
    char leader_url[512];
    json_t *owners; /* task or connector name -> worker id, from the latest assignment read */
    json_t *urls;   /* worker id -> URL, from the ferry-worker-<id> records */
    int64_t applied_epoch;
    uint64_t rebalances;
    int64_t rebalancing_ms_total;
    size_t member_count;
    size_t connectors_here;
    size_t tasks_here;

    /* The herder's thread only. */
    bool leader;
    struct group_member_list *members; /* the leader's last DescribeConsumerGroups, NULL: stale */
    bool joined;          /* in the group since the last loss */
    bool reapply;         /* apply the latest assignment even if its epoch was applied */
    int64_t assign_at_ms; /* monotonic: when the leader computes next; INT64_MAX: not due */
    int64_t assignor_call_ms; /* wall: when the assignor asked to be called again */
    int64_t key_expiry_ms;    /* wall: when the current session key runs out */
    int64_t rebalance_started_ms;
    int64_t busy_at_ms;       /* monotonic: when the thread last had work */
    bool trim_due;            /* work since the last malloc_trim */

    /* The publisher's thread (distributed_publisher.c); the fields under mutex. */
    pthread_t publisher;
    bool publisher_started;
    pthread_cond_t publish_wake;
    bool publisher_stopping;
    distributed_job *pending;  /* task configs to hand over, oldest first */
    int64_t pending_retry_ms;  /* monotonic: when to try again after a failure */

    atomic_bool ready;
    atomic_bool stop_requested; /* set first when the herder stops: requests give up */
    atomic_bool leader_now;     /* the group's word, for the change functions */
    atomic_bool terminated;     /* membership lost for good: the worker stopped */
} distributed_herder;

static inline distributed_herder *distributed_self(herder *base)
{
    return (distributed_herder *)base;
}

/* Frees a list of jobs. */
void distributed_jobs_free(distributed_job *job);

/* ---- distributed_publisher.c: task configs to the leader, on a thread of their own -------- */

/* Starts the thread. 0, or -1. */
int distributed_publisher_start(distributed_herder *self);
/* Queues a JOB_PUBLISH (taken): handed over as soon as possible, again every
 * DISTRIBUTED_RETRY_MS while it fails; a later job of the same connector replaces it. */
void distributed_publisher_push(distributed_herder *self, distributed_job *job);
/* Stops and joins the thread (after stop_requested is set, so that a request under way gives
 * up); what was not handed over is dropped, as the worker leaves the group. */
void distributed_publisher_stop(distributed_herder *self);


/* ---- distributed_leader.c: the leader's work, on the herder's thread ---------------------- */

/* Computes the next assignment and writes it when it changed. */
void distributed_assign(distributed_herder *self);

/* Stops the worker for good (distributed_herder_terminated turns true, the process exits
 * non-zero): what failed and why, logged once. Control of the herder's thread. */
void distributed_stop_fatal(distributed_herder *self, const char *what, const char *why);
/* Writes a new session key when the cluster has none or the current one is due. */
void distributed_session_key_check(distributed_herder *self);
/* The inter.worker.* keys as request_signature takes them, into self->signing. */
int distributed_signing_init(distributed_herder *self, char *err, size_t errlen);
/* herder_tasks_put: the task configs a connector's owner hands the leader. */
void distributed_tasks_put(herder *base, const char *name, json_t *configs,
                           const herder_signed *signature, herder_callback done, void *opaque);

/* ---- distributed_fencing.c: exactly-once sources' fencing round (KIP-618) ----------------- */

/* On the leader, before it writes new task configs (new_count of them; -1: on request, the
 * count in the config topic): fences the previous generation's transactional.ids of name and
 * writes its task-count record; nothing for a connector that is not an exactly-once source.
 * 0, or -1 with a message. Blocks while the producers initialise. */
int distributed_fencing_round(distributed_herder *self, const char *name, int new_count,
                              char *err, size_t errlen);
/* herder_connector_fence: PUT /connectors/{c}/fence. */
void distributed_connector_fence(herder *base, const char *name, herder_callback done,
                                 void *opaque);

/* ---- distributed_changes.c: the changes of herder.h --------------------------------------- */

/* 0 when this worker is the leader and may make a change; otherwise -1 with result NOT_LEADER
 * (and the leader's URL, "" while none is known) or REBALANCING. */
int distributed_leader_check(distributed_herder *self, herder_result *result);

void distributed_connector_put(herder *base, const config_map *config, runtime_state initial,
                               bool allow_replace, herder_callback done, void *opaque);
void distributed_connector_patch(herder *base, const char *name, json_t *patch,
                                 herder_callback done, void *opaque);
void distributed_connector_delete(herder *base, const char *name, herder_callback done,
                                  void *opaque);
void distributed_connector_target(herder *base, const char *name, runtime_state target,
                                  herder_callback done, void *opaque);
void distributed_connector_restart(herder *base, const char *name, int task,
                                   bool include_tasks, bool only_failed, herder_callback done,
                                   void *opaque);
void distributed_connector_topics_reset(herder *base, const char *name, herder_callback done,
                                        void *opaque);
void distributed_offsets_get(herder *base, const char *name, herder_callback done,
                             void *opaque);
void distributed_offsets_alter(herder *base, const char *name, json_t *body,
                               herder_callback done, void *opaque);
void distributed_offsets_reset(herder *base, const char *name, herder_callback done,
                               void *opaque);

#endif
