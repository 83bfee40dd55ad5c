/*
 * config_state.h - what the configs topic says, and how each of its records changes that, by the
 * rules of Kafka Connect's KafkaConfigBackingStore:
 *   connector-<name>        a config applies at once; a tombstone deletes the connector, its task
 *                           configs and those still waiting for a commit;
 *   task-<name>-<n>         waits, unapplied, for its connector's commit;
 *   commit-<name>           applies the waiting task configs when it finds one for every task it
 *                           counts (0..tasks-1); otherwise (compaction ate some) the connector is
 *                           inconsistent, with no tasks, until a complete commit; a commit for a
 *                           connector whose config is gone clears what is left of it;
 *   target-state-<name>     "state.v2" when it is a string, else "state"; a tombstone forgets it
 *                           (a connector with a config is then STARTED);
 *   restart-connector-<n>   a restart request: nothing stored, a change for the listener;
 *   session-key             the cluster's key for signing forwarded requests;
 * and ferry's distributed mode (docs/distributed.md): ferry-assignment (the latest record, held
 * as it was read) and ferry-worker-<id> (the latest per worker; a tombstone forgets it). Keys
 * nobody knows are logged once each (debug) and ignored.
 * No Kafka and no lock here: the config store feeds it the records it reads, under its lock;
 * tests feed it records directly.
 */
#ifndef FERRY_CONFIG_STATE_H
#define FERRY_CONFIG_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "stores/config_records.h"

typedef struct config_state config_state;

/* What a record changed, as Kafka Connect's ConfigBackingStore.UpdateListener hears it. */
typedef enum config_change_kind {
    CONFIG_CHANGE_NONE = 0,          /* nothing a listener needs to hear */
    CONFIG_CHANGE_CONNECTOR,         /* a connector's config was written */
    CONFIG_CHANGE_CONNECTOR_REMOVED, /* a connector's config was deleted */
    CONFIG_CHANGE_TARGET_STATE,      /* a connector's target state was written */
    CONFIG_CHANGE_TASKS,             /* a commit was read: task configs applied, or found
                                      * incomplete (the snapshot says inconsistent) */
    CONFIG_CHANGE_RESTART,           /* a restart of a connector was requested */
    CONFIG_CHANGE_SESSION_KEY,       /* a new session key */
    CONFIG_CHANGE_ASSIGNMENT,        /* a new ferry-assignment (or its tombstone) */
    CONFIG_CHANGE_WORKER,            /* a worker's acknowledgement (or its tombstone) */
} config_change_kind;

typedef struct config_change {
    config_change_kind kind;
    const char *connector; /* the connector changes and RESTART; else NULL */
    const char *worker_id; /* WORKER; else NULL */
    bool include_tasks;    /* RESTART: the request's flags */
    bool only_failed;
} config_change;

/* The name of a change kind, for logs and tests ("connector", "tasks", ...). */
const char *config_change_kind_name(config_change_kind kind);

config_state *config_state_new(void);
void config_state_destroy(config_state *state); /* accepts NULL */

/* Applies one record: key (NUL-terminated) and value (value_len bytes of JSON; NULL for a
 * tombstone). 0 when the record was applied, or ignored as Kafka Connect ignores it; change
 * then says what changed (its strings point into key). -1 when the value is malformed: err
 * names the key and what is wrong, and the state is as it was. */
int config_state_apply(config_state *state, const char *key, const void *value,
                       size_t value_len, config_change *change, char *err, size_t errlen);

/* The connectors: a new object name -> {"config": {..}, "target_state":
 * "STARTED"|"PAUSED"|"STOPPED", "tasks": [{..}, ..], "inconsistent": bool}; tasks are the last
 * committed task configs (none while inconsistent). NULL when out of memory. The configs in it
 * are the state's own objects, shared (jansson counts references atomically) rather than copied,
 * so that every worker of a cluster holds each config once: read them, never change them. */
json_t *config_state_snapshot(const config_state *state);

/* One connector's entry of the snapshot (a new object, sharing the configs as the snapshot
 * does), or NULL: *found says whether the topic knows the connector (NULL with *found true: out
 * of memory). */
json_t *config_state_connector_entry(const config_state *state, const char *name,
                                     bool *found);
/* The connectors and their committed task counts (0 while inconsistent): a new object name ->
 * integer, or NULL when out of memory. */
json_t *config_state_task_counts(const config_state *state);
/* The task count of the connector's last fencing round (its tasks-fencing- record), -1 when
 * none was written. */
int config_state_fencing_count_of(const config_state *state, const char *name);
size_t config_state_connector_count(const config_state *state);

/* The latest ferry-assignment value: a copy of its own for the caller, who may be on another
 * thread than the store's reader (no JSON value is shared between threads: jansson's reference
 * counts do not order what one thread reads before another frees), or NULL when there is none
 * (or out of memory). */
json_t *config_state_assignment(const config_state *state);

/* The workers' acknowledgements: a new object worker id -> {"url": "..", "epoch": N}. */
json_t *config_state_workers(const config_state *state);

/* A copy of the latest session key into out (clear it after): 0, or -1 when there is none (or
 * out of memory). */
int config_state_session_key(const config_state *state, config_session_key *out);

#endif
