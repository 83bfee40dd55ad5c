/*
 * task.c - a task's life as the control thread sees it: create, start the thread, pause, stop,
 * read its reported state.
 */
#include "tasks/task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static atomic_size_t abandoned_tasks;

size_t task_abandoned_count(void)
{
    return atomic_load(&abandoned_tasks);
}

connector_task *task_new(const char *connector, int id, const registered_connector *type,
               const config_map *config, const task_environment *environment)
{
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

void task_report(connector_task *task, runtime_state state, const char *trace)
{
    pthread_mutex_lock(&task->mutex);
    task->state = state;
    free(task->trace);
    task->trace = trace ? strdup(trace) : NULL;
    pthread_mutex_unlock(&task->mutex);
    if (task->environment->notify)
        task->environment->notify(task->environment->notify_opaque);
}

runtime_state task_state(connector_task *task, char **trace)
{
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
    pthread_mutex_lock(&task->mutex);
    bool same = (!message && !task->problem) ||
                (message && task->problem && strcmp(message, task->problem) == 0);
    if (!same) {
        free(task->problem);
        task->problem = message ? strdup(message) : NULL;
    }
    pthread_mutex_unlock(&task->mutex);
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
    pthread_mutex_lock(&task->mutex);
    strlist_free(&task->topics);
    pthread_mutex_unlock(&task->mutex);
    atomic_fetch_add(&task->topics_epoch, 1);
}

int task_start(connector_task *task)
{
    void *(*body)(void *) = task->type->type->kind == FERRY_CONNECTOR_SOURCE ? source_task_main
                                                                              : sink_task_main;
    int rc = pthread_create(&task->thread, NULL, body, task);
    if (rc != 0) {
        char trace[128];
        snprintf(trace, sizeof(trace), "cannot start the task thread: %s", strerror(rc));
        task_report(task, STATE_FAILED, trace);
        return -1;
    }
    task->thread_started = true;
    return 0;
}

void task_pause(connector_task *task, bool paused)
{
    atomic_store(&task->pause_requested, paused);
}

void task_stop_and_destroy(connector_task *task, int64_t timeout_ms)
{
    if (!task)
        return;
    atomic_store(&task->stop_requested, true);
    if (task->thread_started) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
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
