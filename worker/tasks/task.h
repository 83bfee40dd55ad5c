/*
 * task.h - one connector task: what its thread and the control thread share. The control thread
 * creates the task, starts its thread, asks it to pause, resume or stop, and reads the state the
 * thread reports; everything else (plugin state, clients, converters) belongs to the thread.
 * Each function below says which of the two calls it; debug builds assert it at its entry
 * (base/thread_role.h), and check each reported state against the legal transitions (task.c).
 */
#ifndef FERRY_TASK_H
#define FERRY_TASK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ferry/plugin.h>

#include "config/config_map.h"
#include "plugin/plugin_registry.h"
#include "tasks/runtime_state.h"
#include "kafka/embedded_kafka.h"
#include "stores/offset_store.h"
#include "tasks/task_metrics.h"
#include "config/worker_config.h"
#include "support/strlist.h"

/* What every task of the worker reaches; owned by the worker, outlives every task. */
typedef struct task_environment {
    const worker_config *worker;
    offset_store *offsets;
    /* The in-process Kafka, or NULL: a topic a source writes to is created there with one
     * partition, as a broker with Kafka's default num.partitions=1 would auto-create it. */
    embedded_kafka *embedded;
    /* Called by a task thread after it changed its reported state, to wake the control loop. */
    void (*notify)(void *opaque);
    void *notify_opaque;
    /* Distributed mode: whether the worker has lost its membership of the cluster (NULL on a
     * standalone worker). A task checks it at the top of each poll and before each offset commit
     * or flush; once it is true the task commits nothing more, writes no offsets and stops.
     * Lock-free, any thread. */
    bool (*fenced)(const void *opaque);
    const void *fence_opaque;
} task_environment;

typedef struct connector_task {
    char *connector;
    int id;
    char scope[160];                  /* "task:<connector>-<id>" */
    const registered_connector *type;
    config_map *config;               /* task config over connector config, providers resolved */
    const task_environment *environment;

    pthread_t thread;
    bool thread_started;
    atomic_bool stop_requested;
    atomic_bool pause_requested;
    /* Set with stop_requested when the worker fences itself (connector_runtime_fence): the
     * thread stops as if environment->fenced said so, also when that hook has not seen it yet. */
    atomic_bool fence_requested;

    /* Reported by the thread, read by the control thread, under mutex. */
    pthread_mutex_t mutex;
    runtime_state state;
    char *trace;
    char *problem;                    /* status_problem: shown as the trace while not FAILED */
    bool exited;
    strlist topics;                   /* the topics the task used (produced to, was assigned) */
    atomic_bool topics_changed;       /* set by the thread, taken by the control thread */
    atomic_uint topics_epoch;         /* bumped by task_topics_clear: the thread notes again */

    task_metrics metrics;             /* updated by the thread, read by anyone */
} connector_task;

/* Control thread: a task that has not started; copies config. NULL on allocation failure. */
connector_task *task_new(const char *connector, int id, const registered_connector *type,
               const config_map *config, const task_environment *environment);
/* Control thread: starts the task's thread (source or sink by the connector type's kind). 0, or
 * -1 (then the task is FAILED with the reason). */
int task_start(connector_task *task);
/* Control thread: asks the task's thread to stop, waits for it up to timeout_ms, frees the
 * task. A thread that does not stop in time is abandoned (logged) and its task leaked, as Kafka
 * Connect abandons it. */
void task_stop_and_destroy(connector_task *task, int64_t timeout_ms);
/* How many task threads were abandoned: they may still use what the worker shares with them,
 * so a worker with abandoned tasks must not free its stores at exit. */
size_t task_abandoned_count(void);
void task_pause(connector_task *task, bool paused); /* control thread */

/* Any thread, lock-free: whether the task must stop without committing anything more (the
 * worker was fenced: task_environment.fenced, or fence_requested). */
bool task_fenced(connector_task *task);

/* Control thread: the state and trace (a copy, caller frees) as last reported. A task that is
 * not FAILED but has a problem set (task_problem_set) shows the problem as its trace. */
runtime_state task_state(connector_task *task, char **trace);

/* For the thread: sets or clears (NULL) the task's problem; logs a new one once as a warning
 * and wakes the control thread so that the status record follows. */
void task_problem_set(connector_task *task, const char *message);

/* For the thread: reports a state change and wakes the control thread. The change must be one
 * of the legal transitions (task.c). */
void task_report(connector_task *task, runtime_state state, const char *trace);

/* For the thread: notes that the task uses a topic (Kafka Connect's topic tracking); a topic
 * not seen before wakes the control thread, and true is returned. */
bool task_topic_note(connector_task *task, const char *topic);
/* For the control thread: when the task noted a new topic since the last call, a new JSON array
 * of every topic it used; else NULL. */
json_t *task_topics_changed(connector_task *task);
/* Control thread: forgets the topics (a reset of the connector's active topics): they are noted
 * again. */
void task_topics_clear(connector_task *task);

/* The thread bodies, in source_task.c and sink_task.c; each takes up the role of its task's
 * thread (thread_role_set) first. */
void *source_task_main(void *task);
void *sink_task_main(void *task);

#endif
