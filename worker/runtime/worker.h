/*
 * worker.h - the worker: its Kafka (real or embedded), internal topics and stores, the plugin
 * registry, the connectors, and the control loop that runs them (docs/runtime.md). Every
 * function but worker_shutdown runs on the control thread.
 */
#ifndef FERRY_WORKER_H
#define FERRY_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "runtime/task.h"
#include "runtime/worker_config.h"

typedef struct worker worker;

/* Takes ownership of config. Starts the embedded Kafka if asked, creates the internal topics,
 * restores the stores, loads the plugins. NULL with a message on error. */
worker *worker_new(worker_config *config, char *err, size_t errlen);
/* Stops every connector (tasks drain in parallel within the graceful timeout) and frees. */
void worker_destroy(worker *worker);

/* Starts the connectors stored in the config topic, except those named in skip (NULL-terminated,
 * may be NULL): the command line's configs replace them. */
void worker_connectors_restore(worker *worker, const char *const *skip);

/* Creates or replaces a connector. A config that does not validate is refused: every problem in
 * errors, -1. initial is the target state of a new connector (RUNNING, PAUSED, STOPPED). */
int worker_connector_put(worker *worker, const config_map *config, runtime_state initial,
                         bool *created, config_errors *errors, char *err, size_t errlen);
int worker_connector_delete(worker *worker, const char *name, char *err, size_t errlen);
/* RUNNING (resume), PAUSED or STOPPED; stored in the config topic. */
int worker_connector_set_target(worker *worker, const char *name, runtime_state target,
                                char *err, size_t errlen);
/* A connector's status (Kafka Connect's shape), new reference, or NULL if unknown. */
json_t *worker_connector_status(worker *worker, const char *name);

/* Restarts a connector (and its tasks: all, or only FAILED ones), or one task (task_id >= 0). */
int worker_connector_restart(worker *worker, const char *name, bool include_tasks,
                             bool only_failed, int task_id, char *err, size_t errlen);

/* Runs fn(worker, argument) on the control thread and returns once it has run: how other
 * threads (the REST server, tests) reach the functions above. Returns 0, or -1 when the worker
 * is shutting down (fn did not run). Never call it from the control thread itself. */
typedef void (*worker_command_fn)(worker *worker, void *argument);
int worker_call(worker *worker, worker_command_fn fn, void *argument);

/* Runs the control loop until worker_shutdown. */
void worker_run(worker *worker);
/* Asks the control loop to return; safe from any thread (not from a signal handler). */
void worker_shutdown(worker *worker);

#endif
