/*
 * distributed_changes.c - the connector changes of herder.h on a worker of a cluster: made on the
 * leader (by the standalone herder's checks and writes, whose apply reads the config topic
 * back), answered NOT_LEADER with the leader's URL on a follower; a task restarted where it runs;
 * a connector's restart written to the config topic for every worker running a part of it.
 */
#include "herder/distributed_herder_state.h"

#include <stdio.h>
#include <string.h>

#include "kafka/group_member.h"
#include "runtime/connector_view.h"

/* ---- changes ------------------------------------------------------------------------------- */

/* 0 when this worker is the leader and may make a change; otherwise -1 with result
 * NOT_LEADER (and the leader's URL, "" while none is known) or REBALANCING. */
int distributed_leader_check(distributed_herder *self, herder_result *result)
{
    if (!atomic_load(&self->ready) || group_member_fenced(self->member)) {
        herder_result_set(result, HERDER_REBALANCING, DISTRIBUTED_REBALANCING_MESSAGE);
        return -1;
    }
    if (atomic_load(&self->leader_now))
        return 0;
    /* The leader's URL from the latest assignment record; none while that record still names
     * this worker (its successor has not written one yet). */
    pthread_mutex_lock(&self->mutex);
    if (strcmp(self->leader_id, self->config->worker_id) != 0)
        snprintf(result->leader_url, sizeof(result->leader_url), "%s", self->leader_url);
    pthread_mutex_unlock(&self->mutex);
    herder_result_set(result, HERDER_NOT_LEADER, "Cannot complete request because this worker "
                      "is not the leader");
    return -1;
}

/* Completes done with NOT_LEADER / REBALANCING, or passes the change on: true when it did
 * complete. */
static bool distributed_refuse(distributed_herder *self, herder_callback done, void *opaque)
{
    herder_result result = {0};
    if (distributed_leader_check(self, &result) == 0)
        return false;
    herder_complete(done, opaque, &result);
    return true;
}

void distributed_connector_put(herder *base, const config_map *config,
                               runtime_state initial, bool allow_replace,
                               herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_put(self->changes, config, initial, allow_replace, done, opaque);
}

void distributed_connector_patch(herder *base, const char *name, json_t *patch,
                                 herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_patch(self->changes, name, patch, done, opaque);
}

void distributed_connector_delete(herder *base, const char *name, herder_callback done,
                                  void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_delete(self->changes, name, done, opaque);
}

void distributed_connector_target(herder *base, const char *name, runtime_state target,
                                  herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_target(self->changes, name, target, done, opaque);
}

void distributed_connector_topics_reset(herder *base, const char *name,
                                        herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_topics_reset(self->changes, name, done, opaque);
}

void distributed_offsets_get(herder *base, const char *name, herder_callback done,
                             void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_offsets_get(self->changes, name, done, opaque);
}

void distributed_offsets_alter(herder *base, const char *name, json_t *body,
                               herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_offsets_alter(self->changes, name, body, done, opaque);
}

void distributed_offsets_reset(herder *base, const char *name, herder_callback done,
                               void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_offsets_reset(self->changes, name, done, opaque);
}

/* ---- restarts ------------------------------------------------------------------------------ */

typedef struct distributed_restart_plan {
    const char *name;
    bool include_tasks;
    bool only_failed;
    bool found;
    json_t *plan;
} distributed_restart_plan;

static void distributed_restart_plan_run(worker *running, void *argument)
{
    distributed_restart_plan *restart = argument;
    connector_runtime *connector = worker_connector_find(running, restart->name);
    if (!(restart->found = connector != NULL))
        return;
    if (restart->include_tasks || restart->only_failed)
        restart->plan = connector_view_restart_plan(running, connector, restart->include_tasks,
                                                    restart->only_failed);
}

/* The worker that runs name (a connector or "<connector>-<n>"), into url; false when nobody
 * does (it is held or between the steps of a move). */
static bool distributed_owner_url(distributed_herder *self, const char *name, char *url,
                                  size_t url_size, bool *here)
{
    pthread_mutex_lock(&self->mutex);
    const char *owner = json_string_value(json_object_get(self->owners, name));
    const char *owner_url = owner ? json_string_value(json_object_get(self->urls, owner)) : NULL;
    *here = owner && strcmp(owner, self->config->worker_id) == 0;
    snprintf(url, url_size, "%s", owner_url ? owner_url : "");
    pthread_mutex_unlock(&self->mutex);
    return owner != NULL;
}

/* A task restarts where it runs (Kafka Connect forwards it to that worker); a connector's
 * restart is a request in the config topic, which every worker running a part of it reads. */
void distributed_connector_restart(herder *base, const char *name, int task,
                                   bool include_tasks, bool only_failed,
                                   herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    herder_result result = {0};
    if (task >= 0) {
        char task_name[1024];
        snprintf(task_name, sizeof(task_name), "%s-%d", name, task);
        char url[512];
        bool here = false;
        if (!atomic_load(&self->ready) || group_member_fenced(self->member)) {
            herder_result_set(&result, HERDER_REBALANCING, DISTRIBUTED_REBALANCING_MESSAGE);
        } else if (!distributed_owner_url(self, task_name, url, sizeof(url), &here)) {
            distributed_restart_plan lookup = {.name = name};
            if (worker_call(self->running, distributed_restart_plan_run, &lookup) != 0 ||
                lookup.found)
                herder_result_set(&result, HERDER_REBALANCING, "Cannot complete request "
                                  "because task %s is not assigned to any worker (e.g. worker "
                                  "rebalance)", task_name);
            else
                herder_result_set(&result, HERDER_NOT_FOUND, "Unknown connector: %s", name);
        } else if (here) {
            herder_connector_restart(self->changes, name, task, false, false, done, opaque);
            return;
        } else {
            snprintf(result.leader_url, sizeof(result.leader_url), "%s", url);
            herder_result_set(&result, HERDER_NOT_LEADER, "Task %s runs on another worker",
                              task_name);
        }
        herder_complete(done, opaque, &result);
        return;
    }
    if (distributed_leader_check(self, &result) != 0) {
        herder_complete(done, opaque, &result);
        return;
    }
    distributed_restart_plan plan = {.name = name, .include_tasks = include_tasks,
                                     .only_failed = only_failed};
    char why[512];
    if (worker_call(self->running, distributed_restart_plan_run, &plan) != 0) {
        herder_result_set(&result, HERDER_UNAVAILABLE, "The worker is shutting down");
    } else if (!plan.found) {
        herder_result_set(&result, HERDER_NOT_FOUND, "Unknown connector: %s", name);
    } else if (config_store_put_restart_request(self->configs, name, include_tasks, only_failed,
                                                why, sizeof(why)) != 0) {
        herder_result_set(&result, HERDER_FAILED, "Failed to restart connector %s: %s", name,
                          why);
    } else {
        result.answer = plan.plan;
        plan.plan = NULL;
    }
    json_decref(plan.plan);
    herder_complete(done, opaque, &result);
}

