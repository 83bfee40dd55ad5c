/*
 * connector_runtime.h - one connector as the control thread runs it: its stored config, the
 * plugin's connector instance, the task configs it produced, its tasks and their restarts, and
 * the states written to the status topic. Every function runs on the control thread, which debug
 * builds assert (base/thread_role.h); the legal state transitions are tabled in the .c file.
 */
#ifndef FERRY_CONNECTOR_RUNTIME_H
#define FERRY_CONNECTOR_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_map.h"
#include "config/config_provider.h"
#include "config/config_validate.h"
#include "plugin/plugin_registry.h"
#include "stores/config_store.h"
#include "stores/status_store.h"
#include "tasks/task.h"

/* What connectors reach; owned by the worker. */
typedef struct connector_environment {
    task_environment tasks;
    plugin_registry *plugins;
    config_providers *providers;
    config_store *configs;
    status_store *status;
    /* Distributed mode (NULL on a standalone worker, whose connector instance writes its task
     * configs to the config topic and runs them at once): the connector instance's task configs,
     * when they differ from the committed ones, are handed here (borrowed for the call; control
     * thread; must not block), and tasks run only what the config topic has committed. */
    void (*publish_tasks)(void *opaque, const char *connector, json_t *task_configs);
    void *publish_opaque;
} connector_environment;

/* Which part of a connector runs on this worker. connector_runtime_new runs all of it (a
 * standalone worker); a worker of a cluster runs what its assignment names. */
typedef struct connector_part {
    bool instance;         /* the plugin's connector instance, which makes the task configs */
    const uint32_t *tasks; /* task numbers, any order, each once */
    size_t task_count;
} connector_part;

typedef struct connector_runtime connector_runtime;

/* Checks a connector config as given (providers resolved into a copy): the connector type
 * exists, the common keys, the plugin's definition and its validate callback. Problems go to
 * errors; unknown keys to unknown (may be NULL). *type is set when the type was found. */
size_t connector_validate(const connector_environment *environment, const config_map *config,
                          config_errors *errors, config_map *unknown,
                          const registered_connector **type);

/* A connector that is not running yet; copies config (as stored: variables unresolved).
 * target: STATE_RUNNING, STATE_PAUSED or STATE_STOPPED. */
connector_runtime *connector_runtime_new(const connector_environment *environment,
                                         const char *name, const config_map *config,
                                         runtime_state target);
/* Stops everything (tasks within the graceful timeout) and frees; accepts NULL. */
void connector_runtime_destroy(connector_runtime *connector);

/* Asks every task to stop without waiting, so that a worker shutting down drains all tasks in
 * parallel before destroying connectors one by one. */
void connector_runtime_stop_request(connector_runtime *connector);

/* Starts the connector and, unless its target is STOPPED, its tasks. A failure leaves the
 * connector FAILED with a trace; the worker goes on. */
void connector_runtime_start(connector_runtime *connector);
/* RUNNING (resume), PAUSED or STOPPED. */
void connector_runtime_set_target(connector_runtime *connector, runtime_state target);
/* Restarts the connector (and its tasks: all, or only FAILED ones). */
void connector_runtime_restart(connector_runtime *connector, bool include_tasks,
                               bool only_failed);
/* Restarts one task; -1 if there is no such task. */
int connector_runtime_restart_task(connector_runtime *connector, int task_id);

/* Publishes state changes of tasks, schedules and performs automatic restarts, applies a
 * reconfiguration request. Returns the ms until it wants to be called again (<= 1000). */
int64_t connector_runtime_tick(connector_runtime *connector, int64_t now_ms);

/* ---- distributed mode (control thread) ----------------------------------------------------
 * A connector created with connector_runtime_new_part runs nothing until it is assigned a part. */

/* A connector of a cluster: nothing of it runs until connector_runtime_assign. */
connector_runtime *connector_runtime_new_part(const connector_environment *environment,
                                              const char *name, const config_map *config,
                                              runtime_state target);
/* Runs exactly part under assignment epoch (the generation of its status records from now
 * on; part and its array borrowed): what stays keeps running untouched and writes no status,
 * what is no longer assigned stops (its status becomes UNASSIGNED unless the status store holds
 * a record of another worker with a newer generation: Kafka Connect's putSafe), what is new
 * starts. A task whose number has no committed task config yet starts once one is committed.
 * The instance, when it starts, hands its task configs to publish_tasks when they differ from
 * the committed ones. */
void connector_runtime_assign(connector_runtime *connector, const connector_part *part,
                              int64_t epoch);
/* The task configs committed in the config topic (an array of objects of strings that nobody
 * changes afterwards: kept by reference; NULL or empty: none yet): assigned tasks run them, and
 * one whose config changed restarts (asked to stop now, started again by a later tick once it
 * has stopped, so that the control loop never waits for it; one already stopping starts once,
 * with the configs committed then); tasks beyond a smaller count stop. When they changed to
 * others than the instance here made, the instance's go to publish_tasks again (the topic's were
 * an older instance's, or inconsistent). */
void connector_runtime_tasks_committed(connector_runtime *connector, json_t *task_configs);
/* A new config read from the config topic (copied): the parts that run here restart with it
 * (the instance, when here, makes new task configs) from the next tick on, its tasks once each
 * has stopped, so that the change that brought it is answered without waiting for tasks to
 * stop; connector_runtime_config shows it at once. A connector that runs whole restarts whole,
 * at once. */
void connector_runtime_reconfigure(connector_runtime *connector, const config_map *config);
/* The worker lost its membership: every task and the instance stop at once, nothing is
 * committed and no status is written; the part is cleared (connector_runtime_assign again
 * after rejoining). Tasks stop without committing also when the fence hook does not say so
 * (yet). Nothing for a connector that runs whole. */
void connector_runtime_fence(connector_runtime *connector);
/* The config topic deleted the connector: what stops from now on (connector_runtime_destroy
 * follows) writes no status, since the leader tombstones it and a late UNASSIGNED would bring
 * it back. */
void connector_runtime_deleted(connector_runtime *connector);

const char *connector_runtime_name(const connector_runtime *connector);
const config_map *connector_runtime_config(const connector_runtime *connector);
runtime_state connector_runtime_target(const connector_runtime *connector);
/* Kafka Connect's status answer: {name, connector:{state, worker_id, trace?}, tasks:[..],
 * type}. New reference. */
json_t *connector_runtime_status(connector_runtime *connector);
int connector_runtime_task_count(const connector_runtime *connector);
/* The metrics of task index, NULL while it has no running instance (waiting for a restart).
 * Control thread only; valid until the control thread next changes the connector. */
task_metrics *connector_runtime_task_metrics(connector_runtime *connector, int index);
/* Kafka Connect's active topics (KIP-558): the topics the connector's tasks used since it was
 * created or last reset, as a new JSON array of names; and the reset. */
json_t *connector_runtime_active_topics(connector_runtime *connector);
void connector_runtime_topics_reset(connector_runtime *connector);

#endif
