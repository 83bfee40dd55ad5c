/*
 * connector_runtime.c - a connector's lifecycle on the control thread: validate, start the
 * plugin's connector, turn task configs into task threads, publish states, restart failed tasks
 * with exponential back-off.
 */
#include "runtime/connector_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/clock.h"
#include "base/log.h"
#include "base/thread_role.h"
#include "plugin/plugin_context.h"
#include "config/connector_config.h"
#include "transforms/transform_chain.h"

/* A task that ran this long without failing earns its back-off a reset. */
#define TASK_HEALTHY_AFTER_MS 60000

typedef struct task_slot {
    connector_task *task;                 /* NULL while waiting for a restart */
    runtime_state published;    /* last state written to the status topic */
    char *published_trace;
    int64_t started_at_ms;
    int64_t restart_at_ms;      /* 0 = none scheduled */
    int64_t backoff_ms;
} task_slot;

struct connector_runtime {
    const connector_environment *environment;
    char *name;
    char scope[160];
    config_map *config;   /* as stored: ${..} unresolved */
    config_map *resolved; /* while running */
    const registered_connector *type;
    runtime_state target;
    runtime_state state;
    char *trace;
    void *plugin_state;
    bool plugin_started;
    ferry_context context;
    ferry_config *plugin_config;
    json_t *task_configs;
    task_slot *slots;
    size_t slot_count;
    bool reconfiguration_requested;
    int generation;
};

/* ---- validation ------------------------------------------------------------------------- */

static void connector_validate_report(void *opaque, const char *key, const char *message)
{
    config_errors_add(opaque, key ? key : "", "%s", message ? message : "invalid");
}

size_t connector_validate(const connector_environment *environment, const config_map *config,
                          config_errors *errors, config_map *unknown,
                          const registered_connector **type_out)
{
    ASSERT_CONTROL_THREAD();
    size_t before = config_errors_count(errors);
    char why[1024];
    config_map *resolved = config_providers_resolve(environment->providers, config, why,
                                                    sizeof(why));
    if (!resolved) {
        config_errors_add(errors, "", "%s", why);
        return config_errors_count(errors) - before;
    }
    const char *class_name = config_map_get(resolved, "connector.class");
    const registered_connector *type = class_name
                                           ? plugin_registry_find(environment->plugins,
                                                                  class_name)
                                           : NULL;
    if (type_out)
        *type_out = type;
    if (class_name && *class_name && !type) {
        char available[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < plugin_registry_count(environment->plugins) &&
                           used < sizeof(available);
             i++)
            used += (size_t)snprintf(available + used, sizeof(available) - used, "%s%s",
                                     i ? ", " : "",
                                     plugin_registry_at(environment->plugins, i)->type->name);
        config_errors_add(errors, "connector.class",
                          "Failed to find any class that implements Connector and which name "
                          "matches %s; available connector types: %s", class_name,
                          available[0] ? available : "none (check plugin.path)");
        connector_config_validate(resolved, FERRY_CONNECTOR_SOURCE, NULL, errors, unknown);
    } else {
        connector_config_validate(resolved, type ? type->type->kind : FERRY_CONNECTOR_SOURCE,
                                  type ? type->type->config : NULL, errors, unknown);
    }
    transform_chain_validate(resolved, errors);
    if (type && type->type->connector->validate &&
        config_errors_count(errors) == before) {
        const ferry_config_key *defs[3];
        size_t ndefs = connector_config_definitions(type->type, defs);
        ferry_config *plugin_config = ferry_config_new(resolved, defs, ndefs);
        if (plugin_config &&
            type->type->connector->validate(plugin_config, connector_validate_report, errors,
                                            why, sizeof(why)) == FERRY_ERROR)
            config_errors_add(errors, "", "validation failed: %s", why);
        ferry_config_destroy(plugin_config);
    }
    config_map_destroy(resolved);
    return config_errors_count(errors) - before;
}

/* ---- states ----------------------------------------------------------------------------- */

#define ONE(state) RUNTIME_STATE_BIT(STATE_##state)
#define ANY_BUT_UNASSIGNED (ONE(RUNNING) | ONE(PAUSED) | ONE(STOPPED) | ONE(FAILED) | \
                            ONE(RESTARTING))

/*
 * A connector's states (from -> allowed to). It is created UNASSIGNED and never returns there.
 * Starting it ends RUNNING, PAUSED (its target), STOPPED (target STOPPED) or FAILED; the target
 * moves it between RUNNING, PAUSED and STOPPED; a restart passes through RESTARTING to where a
 * start ends; a reconfiguration starts it again from RUNNING or PAUSED, and may fail. A state
 * followed by itself is a new trace (a problem the plugin sets or clears, a repeated failure,
 * a target set again).
 *
 *   UNASSIGNED -> RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED    (the first start)
 *   RUNNING    -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING
 *   PAUSED     -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING
 *   STOPPED    -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING
 *   FAILED     -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING
 *   RESTARTING -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING
 */
static const runtime_state_transitions connector_transitions = {
    [STATE_UNASSIGNED] = ONE(UNASSIGNED) | ONE(RUNNING) | ONE(PAUSED) | ONE(STOPPED) |
                         ONE(FAILED),
    [STATE_RUNNING] = ANY_BUT_UNASSIGNED,
    [STATE_PAUSED] = ANY_BUT_UNASSIGNED,
    [STATE_STOPPED] = ANY_BUT_UNASSIGNED,
    [STATE_FAILED] = ANY_BUT_UNASSIGNED,
    [STATE_RESTARTING] = ANY_BUT_UNASSIGNED,
};

/*
 * A task slot's published states, as the status topic shows them (from -> allowed to). A slot
 * starts UNASSIGNED and shows what its task reports (RUNNING, PAUSED, FAILED), RESTARTING when
 * restarted by request, and UNASSIGNED again when its task stops with the connector. A slot is
 * never STOPPED: a stopped connector has no tasks. A state followed by itself is a new trace.
 *
 *   UNASSIGNED -> RUNNING, PAUSED, FAILED, RESTARTING, UNASSIGNED
 *   RUNNING    -> RUNNING, PAUSED, FAILED, RESTARTING, UNASSIGNED
 *   PAUSED     -> RUNNING, PAUSED, FAILED, RESTARTING, UNASSIGNED
 *   FAILED     -> RUNNING, PAUSED, FAILED, RESTARTING, UNASSIGNED    (restarted automatically)
 *   RESTARTING -> RUNNING, PAUSED, FAILED, UNASSIGNED
 */
#define SLOT_SHOWN (ONE(UNASSIGNED) | ONE(RUNNING) | ONE(PAUSED) | ONE(FAILED))
static const runtime_state_transitions slot_transitions = {
    [STATE_UNASSIGNED] = SLOT_SHOWN | ONE(RESTARTING),
    [STATE_RUNNING] = SLOT_SHOWN | ONE(RESTARTING),
    [STATE_PAUSED] = SLOT_SHOWN | ONE(RESTARTING),
    [STATE_FAILED] = SLOT_SHOWN | ONE(RESTARTING),
    [STATE_RESTARTING] = SLOT_SHOWN,
};
#undef SLOT_SHOWN
#undef ANY_BUT_UNASSIGNED
#undef ONE

static void connector_state_set(connector_runtime *connector, runtime_state state,
                                const char *trace)
{
    ASSERT_STATE_TRANSITION(connector_transitions, connector->scope, connector->state, state);
    connector->state = state;
    free(connector->trace);
    connector->trace = trace ? strdup(trace) : NULL;
    status_store_connector(connector->environment->status, connector->name,
                           runtime_state_name(state), trace, connector->generation);
}

static void slot_publish(connector_runtime *connector, size_t index, runtime_state state,
                         const char *trace)
{
    task_slot *slot = &connector->slots[index];
    bool same_trace = (!trace && !slot->published_trace) ||
                      (trace && slot->published_trace &&
                       strcmp(trace, slot->published_trace) == 0);
    if (slot->published == state && same_trace)
        return;
    ASSERT_STATE_TRANSITION(slot_transitions, slot->task ? slot->task->scope : connector->scope,
                            slot->published, state);
    slot->published = state;
    free(slot->published_trace);
    slot->published_trace = trace ? strdup(trace) : NULL;
    status_store_task(connector->environment->status, connector->name, (int)index,
                      runtime_state_name(state), trace, connector->generation);
}

/* ---- plugin services for the connector instance ------------------------------------------ */

static void connector_reconfiguration_request(void *owner)
{
    connector_runtime *connector = owner;
    connector->reconfiguration_requested = true;
}

/* A problem that does not stop the connector: shown as the trace of its RUNNING (or PAUSED)
 * status until cleared; a FAILED connector keeps its failure's trace. */
static void connector_status_problem(void *owner, const char *message)
{
    connector_runtime *connector = owner;
    if (connector->state == STATE_FAILED)
        return;
    bool same = (!message && !connector->trace) ||
                (message && connector->trace && strcmp(message, connector->trace) == 0);
    if (same)
        return;
    if (message)
        log_warn(connector->scope, "%s", message);
    else
        log_info(connector->scope, "problem cleared");
    connector_state_set(connector, connector->state, message);
}

static const plugin_context_ops connector_context_ops = {
    .reconfiguration_request = connector_reconfiguration_request,
    .status_problem = connector_status_problem,
};

/* ---- tasks ------------------------------------------------------------------------------ */

/* The config a task runs with: its task config over the connector's resolved config. */
static config_map *task_config_build(connector_runtime *connector, size_t index)
{
    config_map *merged = config_map_copy(connector->resolved);
    char why[256];
    if (merged && config_map_set_from_json(merged, json_array_get(connector->task_configs, index),
                                           why, sizeof(why)) != 0) {
        log_error(connector->scope, "task config %zu: %s", index, why);
        config_map_destroy(merged);
        return NULL;
    }
    return merged;
}

static void slot_start(connector_runtime *connector, size_t index)
{
    task_slot *slot = &connector->slots[index];
    config_map *config = task_config_build(connector, index);
    if (!config) {
        slot_publish(connector, index, STATE_FAILED, "cannot build the task's config");
        return;
    }
    slot->task = task_new(connector->name, (int)index, connector->type, config,
                          &connector->environment->tasks);
    config_map_destroy(config);
    if (!slot->task) {
        slot_publish(connector, index, STATE_FAILED, "out of memory creating the task");
        return;
    }
    slot->started_at_ms = clock_monotonic_ms();
    slot->restart_at_ms = 0;
    if (connector->target == STATE_PAUSED)
        task_pause(slot->task, true);
    task_start(slot->task);
}

static void slot_stop(connector_runtime *connector, size_t index)
{
    task_slot *slot = &connector->slots[index];
    if (!slot->task)
        return;
    task_stop_and_destroy(slot->task,
                          connector->environment->tasks.worker->task_shutdown_graceful_timeout_ms);
    slot->task = NULL;
}

void connector_runtime_stop_request(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    for (size_t i = 0; i < connector->slot_count; i++)
        if (connector->slots[i].task)
            atomic_store(&connector->slots[i].task->stop_requested, true);
}

/* Stops every task: all are asked at once so they drain in parallel, then each is joined. */
static void connector_tasks_stop(connector_runtime *connector)
{
    connector_runtime_stop_request(connector);
    for (size_t i = 0; i < connector->slot_count; i++) {
        slot_stop(connector, i);
        slot_publish(connector, i, STATE_UNASSIGNED, NULL);
    }
}

static void connector_slots_free(connector_runtime *connector)
{
    connector_tasks_stop(connector);
    for (size_t i = 0; i < connector->slot_count; i++) {
        free(connector->slots[i].published_trace);
    }
    free(connector->slots);
    connector->slots = NULL;
    connector->slot_count = 0;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

connector_runtime *connector_runtime_new(const connector_environment *environment,
                                         const char *name, const config_map *config,
                                         runtime_state target)
{
    ASSERT_CONTROL_THREAD();
    connector_runtime *connector = calloc(1, sizeof(*connector));
    if (!connector)
        return NULL;
    connector->environment = environment;
    connector->name = strdup(name);
    connector->config = config_map_copy(config);
    if (!connector->name || !connector->config) {
        connector_runtime_destroy(connector);
        return NULL;
    }
    snprintf(connector->scope, sizeof(connector->scope), "connector:%s", name);
    connector->target = target;
    connector->state = STATE_UNASSIGNED;
    return connector;
}

/* Stops tasks and the plugin's connector instance; the runtime object stays. */
static void connector_runtime_halt(connector_runtime *connector)
{
    connector_slots_free(connector);
    if (connector->plugin_started)
        connector->type->type->connector->stop(connector->plugin_state);
    connector->plugin_started = false;
    connector->plugin_state = NULL;
    ferry_config_destroy(connector->plugin_config);
    connector->plugin_config = NULL;
    config_map_destroy(connector->resolved);
    connector->resolved = NULL;
    json_decref(connector->task_configs);
    connector->task_configs = NULL;
}

void connector_runtime_destroy(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    if (!connector)
        return;
    connector_runtime_halt(connector);
    free(connector->trace);
    free(connector->name);
    config_map_destroy(connector->config);
    free(connector);
}

static void connector_fail(connector_runtime *connector, const char *trace)
{
    log_error(connector->scope, "failed: %s", trace);
    connector_runtime_halt(connector);
    connector_state_set(connector, STATE_FAILED, trace);
}

void connector_runtime_start(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    const connector_environment *environment = connector->environment;
    char why[1024] = "";
    connector->generation++;
    connector->reconfiguration_requested = false;
    if (connector->target == STATE_STOPPED) {
        connector_state_set(connector, STATE_STOPPED, NULL);
        return;
    }
    config_errors *errors = config_errors_new();
    if (!errors || connector_validate(environment, connector->config, errors, NULL,
                                      &connector->type) > 0) {
        char *listed = errors ? config_errors_to_string(errors) : NULL;
        snprintf(why, sizeof(why), "invalid config: %s", listed ? listed : "out of memory");
        free(listed);
        config_errors_destroy(errors);
        connector_fail(connector, why);
        return;
    }
    config_errors_destroy(errors);
    connector->resolved = config_providers_resolve(environment->providers, connector->config, why,
                                                   sizeof(why));
    if (!connector->resolved) {
        connector_fail(connector, why);
        return;
    }
    const ferry_connector_type *type = connector->type->type;
    const ferry_config_key *defs[3];
    size_t ndefs = connector_config_definitions(type, defs);
    connector->plugin_config = ferry_config_new(connector->resolved, defs, ndefs);
    if (!connector->plugin_config) {
        connector_fail(connector, "out of memory");
        return;
    }
    plugin_context_init(&connector->context, connector->scope, &connector_context_ops, connector);
    char plugin_err[1024] = "";
    if (type->connector->start(&connector->context, connector->plugin_config,
                               &connector->plugin_state, plugin_err,
                               sizeof(plugin_err)) != FERRY_OK) {
        snprintf(why, sizeof(why), "start failed: %s",
                 plugin_err[0] ? plugin_err : "(no message)");
        connector_fail(connector, why);
        return;
    }
    connector->plugin_started = true;
    int max_tasks = (int)ferry_config_int(connector->plugin_config, "tasks.max");
    json_t *task_configs = NULL;
    plugin_err[0] = '\0';
    if (type->connector->task_configs(connector->plugin_state, max_tasks, &task_configs,
                                      plugin_err, sizeof(plugin_err)) != FERRY_OK ||
        !json_is_array(task_configs) || json_array_size(task_configs) > (size_t)max_tasks) {
        snprintf(why, sizeof(why), "task_configs failed: %s",
                 plugin_err[0] ? plugin_err
                 : !json_is_array(task_configs) ? "did not return a JSON array"
                                                : "returned more configs than tasks.max");
        json_decref(task_configs);
        connector_fail(connector, why);
        return;
    }
    connector->task_configs = task_configs;
    if (environment->configs &&
        config_store_put_tasks(environment->configs, connector->name, task_configs, why,
                               sizeof(why)) != 0)
        log_warn(connector->scope, "task configs not stored: %s", why);

    size_t count = json_array_size(task_configs);
    connector->slots = calloc(count ? count : 1, sizeof(*connector->slots));
    if (!connector->slots) {
        connector_fail(connector, "out of memory");
        return;
    }
    connector->slot_count = count;
    for (size_t i = 0; i < count; i++)
        connector->slots[i].published = STATE_UNASSIGNED;
    connector_state_set(connector,
                        connector->target == STATE_PAUSED ? STATE_PAUSED : STATE_RUNNING, NULL);
    log_info(connector->scope, "started (%s) with %zu tasks", type->name, count);
    for (size_t i = 0; i < count; i++)
        slot_start(connector, i);
}

void connector_runtime_set_target(connector_runtime *connector, runtime_state target)
{
    ASSERT_CONTROL_THREAD();
    runtime_state before = connector->target;
    connector->target = target;
    if (target == before && connector->state != STATE_STOPPED)
        return;
    if (target == STATE_STOPPED) {
        connector_runtime_halt(connector);
        connector_state_set(connector, STATE_STOPPED, NULL);
        return;
    }
    if (connector->state == STATE_STOPPED || connector->state == STATE_UNASSIGNED ||
        !connector->plugin_started) {
        connector_runtime_start(connector);
        return;
    }
    for (size_t i = 0; i < connector->slot_count; i++)
        if (connector->slots[i].task)
            task_pause(connector->slots[i].task, target == STATE_PAUSED);
    if (connector->state != STATE_FAILED)
        connector_state_set(connector, target == STATE_PAUSED ? STATE_PAUSED : STATE_RUNNING,
                            NULL);
}

int connector_runtime_restart_task(connector_runtime *connector, int task_id)
{
    ASSERT_CONTROL_THREAD();
    if (task_id < 0 || (size_t)task_id >= connector->slot_count)
        return -1;
    slot_publish(connector, (size_t)task_id, STATE_RESTARTING, NULL);
    slot_stop(connector, (size_t)task_id);
    connector->slots[task_id].backoff_ms = 0;
    slot_start(connector, (size_t)task_id);
    return 0;
}

void connector_runtime_restart(connector_runtime *connector, bool include_tasks,
                               bool only_failed)
{
    ASSERT_CONTROL_THREAD();
    /* The connector instance is restarted unless only failed parts are asked for and it has not
     * failed. Its tasks come from the instance, so restarting it restarts them too. */
    bool connector_failed = connector->state == STATE_FAILED || !connector->plugin_started;
    if (!only_failed || connector_failed) {
        connector_state_set(connector, STATE_RESTARTING, NULL);
        connector_runtime_halt(connector);
        connector_runtime_start(connector);
        return;
    }
    for (size_t i = 0; include_tasks && i < connector->slot_count; i++) {
        runtime_state state = connector->slots[i].task
                                  ? task_state(connector->slots[i].task, NULL)
                                  : connector->slots[i].published;
        if (state == STATE_FAILED)
            connector_runtime_restart_task(connector, (int)i);
    }
}

/* Topic tracking: a topic task index noted for the first time goes to the status topic. */
static void connector_topics_track(connector_runtime *connector, size_t index)
{
    json_t *topics = task_topics_changed(connector->slots[index].task);
    size_t i;
    json_t *topic;
    json_array_foreach(topics, i, topic)
        status_store_topic(connector->environment->status, connector->name,
                           json_string_value(topic), (int)index, clock_wall_ms());
    json_decref(topics);
}

json_t *connector_runtime_active_topics(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    return status_store_topics(connector->environment->status, connector->name);
}

void connector_runtime_topics_reset(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    json_t *topics = status_store_topics(connector->environment->status, connector->name);
    size_t i;
    json_t *topic;
    json_array_foreach(topics, i, topic)
        status_store_topic_reset(connector->environment->status, connector->name,
                                 json_string_value(topic));
    json_decref(topics);
    for (size_t s = 0; s < connector->slot_count; s++)
        if (connector->slots[s].task)
            task_topics_clear(connector->slots[s].task);
}

int64_t connector_runtime_tick(connector_runtime *connector, int64_t now_ms)
{
    ASSERT_CONTROL_THREAD();
    int64_t wake_in = 1000;
    if (connector->reconfiguration_requested && connector->plugin_started) {
        log_info(connector->scope, "reconfiguring on the connector's request");
        connector_runtime_halt(connector);
        connector_runtime_start(connector);
        return 100;
    }
    const worker_config *worker = connector->environment->tasks.worker;
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        if (slot->task) {
            connector_topics_track(connector, i);
            char *trace = NULL;
            runtime_state state = task_state(slot->task, &trace);
            if (state == STATE_UNASSIGNED && !slot->task->exited) {
                free(trace);
                continue; /* starting */
            }
            slot_publish(connector, i, state, trace);
            bool failed = state == STATE_FAILED && slot->task->exited;
            if (failed) {
                slot_stop(connector, i);
                if (worker->task_restart_auto) {
                    /* Exponential back-off, reset by a long healthy run. */
                    if (now_ms - slot->started_at_ms >= TASK_HEALTHY_AFTER_MS)
                        slot->backoff_ms = 0;
                    slot->backoff_ms = slot->backoff_ms
                                           ? slot->backoff_ms * 2
                                           : worker->task_restart_backoff_initial_ms;
                    if (slot->backoff_ms > worker->task_restart_backoff_max_ms)
                        slot->backoff_ms = worker->task_restart_backoff_max_ms;
                    slot->restart_at_ms = now_ms + slot->backoff_ms;
                    log_info(connector->scope, "task %zu failed; restarting it in %lld ms", i,
                             (long long)slot->backoff_ms);
                }
            }
            free(trace);
        }
        if (!slot->task && slot->restart_at_ms) {
            if (now_ms >= slot->restart_at_ms) {
                log_info(connector->scope, "restarting task %zu automatically", i);
                slot_start(connector, i);
            } else if (slot->restart_at_ms - now_ms < wake_in) {
                wake_in = slot->restart_at_ms - now_ms;
            }
        }
    }
    return wake_in;
}

const char *connector_runtime_name(const connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    return connector->name;
}

const config_map *connector_runtime_config(const connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    return connector->config;
}

runtime_state connector_runtime_target(const connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    return connector->target;
}

int connector_runtime_task_count(const connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    return (int)connector->slot_count;
}

task_metrics *connector_runtime_task_metrics(connector_runtime *connector, int index)
{
    ASSERT_CONTROL_THREAD();
    if (index < 0 || (size_t)index >= connector->slot_count || !connector->slots[index].task)
        return NULL;
    return &connector->slots[index].task->metrics;
}

json_t *connector_runtime_status(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    const char *worker_id = connector->environment->tasks.worker->worker_id;
    json_t *state = json_pack("{s:s, s:s}", "state", runtime_state_name(connector->state),
                              "worker_id", worker_id);
    if (connector->trace)
        json_object_set_new(state, "trace", json_string(connector->trace));
    json_t *tasks = json_array();
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        char *trace = NULL;
        runtime_state task = slot->task ? task_state(slot->task, &trace) : slot->published;
        if (!slot->task && slot->published_trace)
            trace = strdup(slot->published_trace);
        json_t *entry = json_pack("{s:i, s:s, s:s}", "id", (int)i, "state",
                                  runtime_state_name(task), "worker_id", worker_id);
        if (trace)
            json_object_set_new(entry, "trace", json_string(trace));
        free(trace);
        json_array_append_new(tasks, entry);
    }
    const char *kind = connector->type && connector->type->type->kind == FERRY_CONNECTOR_SINK
                           ? "sink" : "source";
    return json_pack("{s:s, s:o, s:o, s:s}", "name", connector->name, "connector", state,
                     "tasks", tasks, "type", kind);
}
