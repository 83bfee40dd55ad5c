/*
 * task.c - a task's life as the control thread sees it: create, start the thread, pause, stop,
 * read its reported state; and what the task's thread reports, checked against the legal
 * transitions. Each function asserts the thread task.h gives it.
 */
#include "tasks/task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/thread_role.h"
#include "support/clock.h"

static atomic_size_t abandoned_tasks;

#define ONE(state) RUNTIME_STATE_BIT(STATE_##state)
/*
 * The states a task may report after each one (from -> allowed to). A task is created
 * UNASSIGNED; its thread reports RUNNING once set up (FAILED if it cannot be), then RUNNING and
 * PAUSED as the control thread asks, and last UNASSIGNED (stopped) or FAILED before it exits.
 * A task never reports STOPPED or RESTARTING: those belong to connectors and task slots.
 *
 *   UNASSIGNED -> RUNNING, FAILED    (set up, or not; FAILED too when the thread cannot start)
 *   RUNNING    -> PAUSED, UNASSIGNED, FAILED
 *   PAUSED     -> RUNNING, UNASSIGNED, FAILED
 *   FAILED     -> (nothing: the thread has ended)
 */
static const runtime_state_transitions task_transitions = {
    [STATE_UNASSIGNED] = ONE(RUNNING) | ONE(FAILED),
    [STATE_RUNNING] = ONE(PAUSED) | ONE(UNASSIGNED) | ONE(FAILED),
    [STATE_PAUSED] = ONE(RUNNING) | ONE(UNASSIGNED) | ONE(FAILED),
};
#undef ONE

size_t task_abandoned_count(void)
{
    return atomic_load(&abandoned_tasks);
}

connector_task *task_new(const char *connector, int id, const registered_connector *type,
               const config_map *config, const task_environment *environment)
{
    ASSERT_CONTROL_THREAD();
    connector_task *created = calloc(1, sizeof(*created));
    if (!created)
        return NULL;
    created->connector = strdup(connector);
    created->config = config_map_copy(config);
    if (!created->connector || !created->config) {
        free(created->connector);
        config_map_destroy(created->config);
        free(created);
        return NULL;
    }
    created->id = id;
    created->type = type;
    created->environment = environment;
    snprintf(created->scope, sizeof(created->scope), "task:%s-%d", connector, id);
    pthread_mutex_init(&created->mutex, NULL);
    created->state = STATE_UNASSIGNED;
    return created;
}

/* Records a new state (checked against the table) and wakes the control thread. */
static void task_state_store(connector_task *task, runtime_state state, const char *trace)
{
    /* The trace goes to the status topic and the REST answers: the connector's secrets out. */
    char *hidden = trace ? log_redact(task->scope, trace) : NULL;
    pthread_mutex_lock(&task->mutex);
    ASSERT_STATE_TRANSITION(task_transitions, task->scope, task->state, state);
    task->state = state;
    free(task->trace);
    task->trace = hidden;
    pthread_mutex_unlock(&task->mutex);
    if (task->environment->notify)
        task->environment->notify(task->environment->notify_opaque);
}

void task_report(connector_task *task, runtime_state state, const char *trace)
{
    ASSERT_TASK_THREAD(task);
    task_state_store(task, state, trace);
}

runtime_state task_state(connector_task *task, char **trace)
{
    ASSERT_CONTROL_THREAD();
    pthread_mutex_lock(&task->mutex);
    runtime_state state = task->state;
    if (trace) {
        const char *shown = task->trace;
        if (!shown && state != STATE_FAILED)
            shown = task->problem;
        *trace = shown ? strdup(shown) : NULL;
    }
    pthread_mutex_unlock(&task->mutex);
    return state;
}

void task_problem_set(connector_task *task, const char *message)
{
    ASSERT_TASK_THREAD(task);
    /* Shown in the status as a trace: the connector's secrets out. */
    char *hidden = message ? log_redact(task->scope, message) : NULL;
    if (message && !hidden)
        return; /* out of memory: the problem goes unsaid rather than with a secret */
    pthread_mutex_lock(&task->mutex);
    bool same = (!hidden && !task->problem) ||
                (hidden && task->problem && strcmp(hidden, task->problem) == 0);
    if (!same) {
        free(task->problem);
        task->problem = hidden;
        hidden = NULL;
    }
    pthread_mutex_unlock(&task->mutex);
    free(hidden);
    if (same)
        return;
    if (message)
        log_warn(task->scope, "%s", message);
    else
        log_info(task->scope, "problem cleared");
    if (task->environment->notify)
        task->environment->notify(task->environment->notify_opaque);
}

bool task_topic_note(connector_task *task, const char *topic)
{
    ASSERT_TASK_THREAD(task);
    pthread_mutex_lock(&task->mutex);
    bool added = !strlist_contains(&task->topics, topic) &&
                 strlist_append(&task->topics, topic, (size_t)-1) == 0;
    pthread_mutex_unlock(&task->mutex);
    if (!added)
        return false;
    atomic_store(&task->topics_changed, true);
    if (task->environment->notify)
        task->environment->notify(task->environment->notify_opaque);
    return true;
}

json_t *task_topics_changed(connector_task *task)
{
    ASSERT_CONTROL_THREAD();
    if (!atomic_exchange(&task->topics_changed, false))
        return NULL;
    json_t *topics = json_array();
    pthread_mutex_lock(&task->mutex);
    for (size_t i = 0; topics && i < task->topics.count; i++)
        json_array_append_new(topics, json_string(task->topics.items[i]));
    pthread_mutex_unlock(&task->mutex);
    return topics;
}

void task_topics_clear(connector_task *task)
{
    ASSERT_CONTROL_THREAD();
    pthread_mutex_lock(&task->mutex);
    strlist_free(&task->topics);
    pthread_mutex_unlock(&task->mutex);
    atomic_fetch_add(&task->topics_epoch, 1);
}

int task_start(connector_task *task)
{
    ASSERT_CONTROL_THREAD();
    void *(*body)(void *) = task->type->type->kind == FERRY_CONNECTOR_SOURCE ? source_task_main
                                                                              : sink_task_main;
    int rc = pthread_create(&task->thread, NULL, body, task);
    if (rc != 0) {
        char trace[128];
        snprintf(trace, sizeof(trace), "cannot start the task thread: %s", strerror(rc));
        task_state_store(task, STATE_FAILED, trace); /* no thread to report it */
        return -1;
    }
    task->thread_started = true;
    return 0;
}

bool task_fenced(connector_task *task)
{
    if (atomic_load_explicit(&task->fence_requested, memory_order_relaxed))
        return true;
    const task_environment *environment = task->environment;
    return environment->fenced && environment->fenced(environment->fence_opaque);
}

void task_pause(connector_task *task, bool paused)
{
    ASSERT_CONTROL_THREAD();
    atomic_store(&task->pause_requested, paused);
}

void task_stop_and_destroy(connector_task *task, int64_t timeout_ms)
{
    ASSERT_CONTROL_THREAD();
    if (!task)
        return;
    atomic_store(&task->stop_requested, true);
    if (task->thread_started) {
        struct timespec deadline;
        clock_deadline(CLOCK_REALTIME, timeout_ms, &deadline);
        int rc = pthread_timedjoin_np(task->thread, NULL, &deadline);
        if (rc == ETIMEDOUT) {
            log_error(task->scope, "did not stop within %lld ms; abandoning its thread",
                      (long long)timeout_ms);
            pthread_detach(task->thread);
            atomic_fetch_add(&abandoned_tasks, 1);
            return; /* the thread still uses the task: leak it rather than free it under it */
        }
    }
    task_topics_clear(task);
    pthread_mutex_destroy(&task->mutex);
    free(task->trace);
    free(task->problem);
    free(task->connector);
    config_map_destroy(task->config);
    free(task);
}
