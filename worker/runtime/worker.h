/*
 * worker.h - the worker: its Kafka (real or embedded), internal topics and stores, the plugin
 * registry, the connectors, and the control loop that runs them (docs/runtime.md). Each function
 * says on which thread it runs: the control thread (the one in worker_run, or the one that will
 * run it before it does) or any thread. Connectors change only through the herder
 * (herder/herder.h), which uses the "changes" functions below and nothing else does.
 */
#ifndef FERRY_WORKER_H
#define FERRY_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "runtime/connector_runtime.h"
#include "tasks/task.h"
#include "config/worker_config.h"
#include "support/strlist.h"

typedef struct worker worker;

/* Takes ownership of config. Starts the embedded Kafka if asked, creates the internal topics,
 * restores the stores, loads the plugins. NULL with a message on error. */
worker *worker_new(worker_config *config, char *err, size_t errlen);
/* Stops every connector (tasks drain in parallel within the graceful timeout) and frees. */
void worker_destroy(worker *worker);

/* Control thread, before worker_run. Starts the connectors stored in the config topic, except
 * those named in skip (NULL-terminated, may be NULL): the command line's configs replace
 * them. */
void worker_connectors_restore(worker *worker, const char *const *skip);

/* Runs fn(worker, argument) on the control thread and returns once it has run: how other
 * threads (the REST server, the herder, tests) reach the control thread's functions below. Returns 0, or -1 when the worker
 * is shutting down (fn did not run). Never call it from the control thread itself. */
typedef void (*worker_command_fn)(worker *worker, void *argument);
int worker_call(worker *worker, worker_command_fn fn, void *argument);
/* worker_call that gives up when fn has not started within timeout_ms (< 0: no limit): -2, and
 * fn never runs. Once fn has started, the call waits for it to finish. */
#define WORKER_CALL_TIMED_OUT (-2)
int worker_call_timeout(worker *worker, worker_command_fn fn, void *argument, int timeout_ms);
/* Queues fn(worker, argument) for the control thread and returns at once: for callers that
 * must not block (the REST server's event threads), fn itself reports its result. 0, or -1 when
 * the worker is shutting down or memory runs out (fn will not run). A queued fn always runs,
 * also when the loop stops: worker_run drains the queue before it returns. */
int worker_post(worker *worker, worker_command_fn fn, void *argument);

/* ---- queries ---------------------------------------------------------------------------- */

/* Any thread. */
bool worker_is_running(worker *worker);              /* the control loop has started */
int64_t worker_uptime_ms(worker *worker);            /* since worker_new */
const char *worker_kafka_cluster_id(worker *worker); /* "" when Kafka did not tell */
const worker_config *worker_configuration(worker *worker); /* immutable once running */
offset_store *worker_offsets(worker *worker); /* thread-safe */
/* A new admin client (a librdkafka handle) on the worker's Kafka with its admin.* settings and,
 * for a connector's work (connector not NULL), the connector's admin.override.* on top; the
 * caller destroys it. NULL with a message. */
rd_kafka_t *worker_admin_client(worker *worker, const config_map *connector,
                                const char *client_id, char *err, size_t errlen);
/* The connector's last committed task configs from the config topic (an array of objects), a
 * new reference, or NULL when the topic knows no such connector. */
json_t *worker_connector_task_configs(worker *worker, const char *name);

/* Control thread. */
/* The connectors' names, sorted: a new array. */
json_t *worker_connector_names(worker *worker);
size_t worker_connector_count(worker *worker);
connector_runtime *worker_connector_at(worker *worker, size_t index);
connector_runtime *worker_connector_find(worker *worker, const char *name);
const plugin_registry *worker_plugins(worker *worker);
/* The connector type a config names in connector.class (providers resolved), or NULL. */
const registered_connector *worker_connector_type(worker *worker, const config_map *config);
/* The config a connector type's callbacks get for config (providers resolved): a new
 * ferry_config, or NULL with a message. */
ferry_config *worker_connector_plugin_config(worker *worker, const config_map *config,
                                             const registered_connector *type, char *err,
                                             size_t errlen);
/* Validates a connector config as a change would: every problem in errors, unknown keys in
 * unknown (may be NULL), *type when found (may be NULL). Returns the problem count. */
size_t worker_connector_validate(worker *worker, const config_map *config, config_errors *errors,
                                 config_map *unknown, const registered_connector **type);
/* A connector's status (Kafka Connect's shape), new reference, or NULL if unknown. */
json_t *worker_connector_status(worker *worker, const char *name);
/* The topics a connector's tasks used since it was created or last reset (Kafka Connect's
 * active topics, KIP-558): a new array of names. */
json_t *worker_connector_active_topics(worker *worker, const char *name);

/* ---- changes, for the herder only ---------------------------------------------------------
 * A change runs in steps so that the control loop never waits for Kafka on a caller's behalf:
 * checks on the control thread, the config topic written on the caller's thread (the _store
 * functions wait for Kafka's acknowledgement), then what was stored applied on the control
 * thread. The herder serialises changes so that stored and applied order agree. */

/* Control thread. Validates config and tells whether its connector exists. 0, or -1: invalid
 * (every problem in errors, unknown keys logged) or no name. */
int worker_connector_check(worker *worker, const config_map *config, bool *exists,
                           config_errors *errors, char *err, size_t errlen);
/* Any thread. Writes a connector's config, and for a new connector an initial target state
 * other than RUNNING first. */
int worker_connector_store(worker *worker, const config_map *config, bool created,
                           runtime_state initial, char *err, size_t errlen);
/* Control thread. Starts a connector with a stored config, or restarts an existing one with it
 * (keeping its target state). */
int worker_connector_apply(worker *worker, const config_map *config, runtime_state initial,
                           bool *created, char *err, size_t errlen);
/* Any thread. RUNNING (resume), PAUSED or STOPPED, written to the config topic. */
int worker_connector_target_store(worker *worker, const char *name, runtime_state target,
                                  char *err, size_t errlen);
/* Control thread. */
int worker_connector_target_apply(worker *worker, const char *name, runtime_state target,
                                  char *err, size_t errlen);
/* Any thread. Tombstones a connector's config. */
int worker_connector_delete_store(worker *worker, const char *name, char *err, size_t errlen);
/* Control thread. Stops and forgets a connector whose deletion is stored; tombstones its
 * status. */
int worker_connector_remove(worker *worker, const char *name, char *err, size_t errlen);
/* Control thread. Restarts a connector (and its tasks: all, or only FAILED ones), or one task
 * (task_id >= 0). */
int worker_connector_restart(worker *worker, const char *name, bool include_tasks,
                             bool only_failed, int task_id, char *err, size_t errlen);
/* Control thread. Forgets the connector's active topics. */
void worker_connector_active_topics_reset(worker *worker, const char *name);

/* ---- distributed mode, for the distributed herder only ------------------------------------
 * A worker of a cluster runs what the leader assigns it (docs/distributed.md, "Modules and
 * interfaces"). worker_connectors_restore is not called; the herder mirrors the config topic
 * and applies assignments with these functions instead. */

typedef struct worker_cluster_hooks {
    /* Lock-free, any thread: the worker lost its membership (task_environment.fenced). */
    bool (*fenced)(const void *opaque);
    /* Control thread, must not block: a connector instance made task configs that differ from
     * the committed ones (connector_environment.publish_tasks). */
    void (*publish_tasks)(void *opaque, const char *connector, json_t *task_configs);
    void *opaque;
} worker_cluster_hooks;

/* Before worker_run: makes this worker a member of a cluster (hooks copied; opaque borrowed for
 * the worker's life). */
void worker_cluster_join(worker *worker, const worker_cluster_hooks *hooks);
/* Control thread. Makes the connectors match the config topic (snapshot: config_store_snapshot's
 * object, borrowed): creates the connectors it gained (running nothing until assigned),
 * reconfigures those whose config changed, applies target states and committed task configs,
 * removes the deleted ones (their status is the leader's to tombstone). */
void worker_cluster_configs_apply(worker *worker, json_t *snapshot);
/* Control thread. worker_cluster_configs_apply of the config store's snapshot taken now: the
 * way a cluster's worker catches up with the config topic, whoever asks (so that two callers
 * never apply snapshots out of order). */
void worker_cluster_configs_refresh(worker *worker);
/* Control thread. The same for one connector (created, changed or deleted in the config topic):
 * what a worker does for each change it reads, at a cost that does not grow with the number of
 * connectors the cluster runs. */
void worker_cluster_connector_refresh(worker *worker, const char *name);
/* Control thread. Runs exactly this worker's part of an assignment under epoch: connectors
 * (instances) and tasks ("<connector>-<n>") named here run, others stop; what stays keeps
 * running untouched. Names of connectors the config topic does not know (yet) are kept and
 * start once worker_cluster_configs_apply brings them. */
void worker_cluster_assignment_apply(worker *worker, const strlist *connectors,
                                     const strlist *tasks, int64_t epoch);
/* Control thread. The worker lost its membership: every task and instance stops at once,
 * without committing; nothing runs until the next worker_cluster_assignment_apply. */
void worker_cluster_fence(worker *worker);
/* Any thread: the stores, thread-safe, owned by the worker. */
config_store *worker_config_store(worker *worker);
status_store *worker_status_store(worker *worker);

/* ---- the control loop ------------------------------------------------------------------- */

/* Runs the control loop until worker_shutdown. */
void worker_run(worker *worker);
/* Asks the control loop to return; safe from any thread (not from a signal handler). */
void worker_shutdown(worker *worker);

#endif
