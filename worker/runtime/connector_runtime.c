/*
 * connector_runtime.c - a connector's lifecycle on the control thread: validate, start the
 * plugin's connector, turn task configs into task threads, publish states, restart failed tasks
 * with exponential back-off. A connector of a cluster (connector_runtime_new_part) runs only the
 * part its worker is assigned: its tasks run the task configs committed in the config topic, and
 * its instance's task configs are handed to the herder (the section "a part of a connector").
 */
#include "runtime/connector_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/array.h"
#include "support/clock.h"
#include "base/log.h"
#include "base/thread_role.h"
#include "plugin/plugin_context.h"
#include "config/client_override_policy.h"
#include "config/config_cipher.h"
#include "config/config_redact.h"
#include "config/connector_config.h"
#include "convert/converter.h"
#include "transforms/transform_chain.h"
#include "tasks/topic_creation.h"
#include "runtime/restart_backoff.h"
#include "tasks/source_transaction.h"

/* A task restarted automatically after a failure shows RUNNING once it has run this long; until
 * then its status keeps the failure and its trace, which a cause that persists (a password, an
 * ACL) repeats within a second or two. */
#define TASK_RESTART_CONFIRM_MS 3000

typedef struct task_slot {
    connector_task *task;                 /* NULL while waiting for a restart */
    runtime_state published;    /* last state written to the status topic */
    char *published_trace;
    int64_t started_at_ms;
    int64_t restart_at_ms;      /* 0 = none scheduled */
    restart_backoff backoff;    /* when it is restarted after a failure */
    bool confirming;            /* restarted after a failure: RUNNING waits a while */
    bool held;                  /* a part: the task is this worker's (assigned, started here) */
    bool marked;                /* a part: chosen for part_tasks_stop */
    /* A part's task restarting on this worker: asked to stop, joined and started again by a
     * later tick once its thread has exited, so that the control loop does not wait for it (a
     * sink's consumer leaving its group, a source's last commit) and no second instance of
     * the task runs beside it. */
    connector_task *stopping;
} task_slot;

struct connector_runtime {
    const connector_environment *environment;
    char *name;
    char scope[160];
    config_map *config;   /* as stored: ${..} unresolved */
    /* A part's new config, read from the config topic and applied at the next tick: the caller
     * (a change on the leader, answered with it) does not wait for the parts here to restart. */
    config_map *pending_config;
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
    size_t slot_capacity;
    bool reconfiguration_requested;
    int generation;

    /* A part of a connector (distributed mode): the slots are the committed task configs. */
    bool partial;
    bool instance_assigned;
    uint32_t *assigned;    /* the task numbers assigned here */
    size_t assigned_count;
    json_t *committed;     /* the committed task configs, which the tasks run */
    int64_t epoch;         /* the assignment's, the generation of the status records */
    bool fencing;          /* connector_runtime_fence at work: no status written */
    bool deleted;          /* deleted from the config topic: no status written */
};

/* A part of a connector: what the shared code hands over to its section at the end. */
static void part_run(connector_runtime *connector);
static void part_halt(connector_runtime *connector);
static void part_set_target(connector_runtime *connector, runtime_state target);
static void part_restart(connector_runtime *connector, bool include_tasks, bool only_failed);
static void part_task_start(connector_runtime *connector, size_t index);
static void part_instance_restart(connector_runtime *connector);
static json_t *part_status(connector_runtime *connector);

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
    if (type && environment->tasks.worker) {
        client_override_policy_check(environment->tasks.worker->override_policy, resolved,
                                     type->type->kind, errors);
        source_transaction_validate(environment->tasks.worker, !environment->tasks.fenced,
                                    type->type, resolved, errors);
    }
    transform_chain_validate(resolved, errors);
    if (!type || type->type->kind == FERRY_CONNECTOR_SOURCE)
        topic_creation_validate(resolved, errors);
    converter_config_validate(resolved, errors);
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
#define ANY (ANY_BUT_UNASSIGNED | ONE(UNASSIGNED))

/*
 * A connector's states (from -> allowed to). It is created UNASSIGNED and returns there only
 * when its instance leaves the worker (a part of a connector, in distributed mode). Starting it ends RUNNING, PAUSED (its target), STOPPED (target STOPPED) or FAILED; the target
 * moves it between RUNNING, PAUSED and STOPPED; a restart passes through RESTARTING to where a
 * start ends; a reconfiguration starts it again from RUNNING or PAUSED, and may fail. A state
 * followed by itself is a new trace (a problem the plugin sets or clears, a repeated failure,
 * a target set again).
 *
 *   UNASSIGNED -> RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED    (the first start)
 *   RUNNING    -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, UNASSIGNED (a part: moved)
 *   PAUSED     -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, UNASSIGNED (a part: moved)
 *   STOPPED    -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, UNASSIGNED (a part: moved)
 *   FAILED     -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, UNASSIGNED (a part: moved)
 *   RESTARTING -> RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, UNASSIGNED (a part: moved)
 */
static const runtime_state_transitions connector_transitions = {
    [STATE_UNASSIGNED] = ONE(UNASSIGNED) | ONE(RUNNING) | ONE(PAUSED) | ONE(STOPPED) |
                         ONE(FAILED),
    [STATE_RUNNING] = ANY,
    [STATE_PAUSED] = ANY,
    [STATE_STOPPED] = ANY,
    [STATE_FAILED] = ANY,
    [STATE_RESTARTING] = ANY,
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
#undef ANY
#undef ANY_BUT_UNASSIGNED
#undef ONE

/* Whether status records may be written now: never while the worker is fenced (another worker
 * may run the work by now), nor for a connector the config topic deleted (its leader tombstones
 * the status). Always on a standalone worker. */
static bool connector_status_writable(const connector_runtime *connector)
{
    const task_environment *tasks = &connector->environment->tasks;
    return !connector->fencing && !connector->deleted &&
           !(tasks->fenced && tasks->fenced(tasks->fence_opaque));
}

/* The generation of the status records: a part writes its assignment's epoch. */
static int connector_status_generation(const connector_runtime *connector)
{
    return connector->partial ? (int)connector->epoch : connector->generation;
}

/* Kafka Connect's putSafe, for a part that stops here: UNASSIGNED goes over the latest record
 * the status store holds (latest, may be NULL) only when that record is this worker's, of an
 * older generation, or missing (this worker's own not read back yet); never over a newer record
 * of the worker the part moved to. */
static bool status_unassigned_safe(const connector_runtime *connector, json_t *latest)
{
    if (!latest)
        return true;
    const char *writer = json_string_value(json_object_get(latest, "worker_id"));
    if (writer && strcmp(writer, connector->environment->tasks.worker->worker_id) == 0)
        return true;
    return json_integer_value(json_object_get(latest, "generation")) < connector->epoch;
}

/* The record of task index in status_store_tasks_get's array (borrowed), or NULL. */
static json_t *status_task_find(json_t *tasks, size_t index)
{
    size_t i;
    json_t *entry;
    json_array_foreach(tasks, i, entry)
        if (json_integer_value(json_object_get(entry, "id")) == (json_int_t)index)
            return entry;
    return NULL;
}

static void connector_state_set(connector_runtime *connector, runtime_state state,
                                const char *trace)
{
    ASSERT_STATE_TRANSITION(connector_transitions, connector->scope, connector->state, state);
    connector->state = state;
    free(connector->trace);
    char *hidden = trace ? log_redact(connector->scope, trace) : NULL;
    connector->trace = hidden;
    trace = hidden;
    if (!connector_status_writable(connector))
        return;
    status_store *status = connector->environment->status;
    if (connector->partial && state == STATE_UNASSIGNED) {
        json_t *latest = status_store_connector_get(status, connector->name);
        bool safe = status_unassigned_safe(connector, latest);
        json_decref(latest);
        if (!safe)
            return;
    }
    status_store_connector(status, connector->name, runtime_state_name(state), trace,
                           connector_status_generation(connector));
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
    if (!connector_status_writable(connector))
        return;
    status_store *status = connector->environment->status;
    if (connector->partial && state == STATE_UNASSIGNED) {
        json_t *tasks = status_store_tasks_get(status, connector->name);
        bool safe = status_unassigned_safe(connector, status_task_find(tasks, index));
        json_decref(tasks);
        if (!safe)
            return;
    }
    status_store_task(status, connector->name, (int)index, runtime_state_name(state), trace,
                      connector_status_generation(connector));
}

/* Tombstones the status of task index: as Kafka Connect does for the tasks of a STOPPED
 * connector, which has none. */
static void slot_status_delete(connector_runtime *connector, size_t index)
{
    if (connector_status_writable(connector))
        status_store_task_delete(connector->environment->status, connector->name, (int)index);
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
static config_map *task_config_build(connector_runtime *connector, size_t index, char *why,
                                     size_t whylen)
{
    config_map *merged = config_map_copy(connector->resolved);
    if (!merged)
        ferry_error_set(why, whylen, "out of memory");
    json_t *task_configs = connector->partial ? connector->committed : connector->task_configs;
    if (merged && (config_map_set_from_json(merged, json_array_get(task_configs, index), why,
                                            whylen) != 0 ||
                   config_cipher_unreadable(merged, why, whylen) != 0)) {
        log_error(connector->scope, "task config %zu: %s", index, why);
        config_map_destroy(merged);
        return NULL;
    }
    return merged;
}

static void slot_start(connector_runtime *connector, size_t index)
{
    task_slot *slot = &connector->slots[index];
    char why[1024];
    config_map *config = task_config_build(connector, index, why, sizeof(why));
    if (!config) {
        char trace[1100];
        snprintf(trace, sizeof(trace), "cannot build the task's config: %s", why);
        slot_publish(connector, index, STATE_FAILED, trace);
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
    int timeout_ms = connector->environment->tasks.worker->task_shutdown_graceful_timeout_ms;
    if (slot->stopping) {
        task_stop_and_destroy(slot->stopping, timeout_ms);
        slot->stopping = NULL;
    }
    if (!slot->task)
        return;
    task_stop_and_destroy(slot->task, timeout_ms);
    slot->task = NULL;
}

/* Forgets a slot's failures: a restart asked for, or a new config. */
static void slot_failures_forget(task_slot *slot)
{
    restart_backoff_reset(&slot->backoff);
    slot->confirming = false;
}

static bool task_has_exited(connector_task *task)
{
    pthread_mutex_lock(&task->mutex);
    bool exited = task->exited;
    pthread_mutex_unlock(&task->mutex);
    return exited;
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
        restart_backoff_reset(&connector->slots[i].backoff);
    }
    free(connector->slots);
    connector->slots = NULL;
    connector->slot_count = 0;
    connector->slot_capacity = 0;
}

/* ---- secrets ---------------------------------------------------------------------------- */

/* Tells the logger which literal secrets the connector's and its tasks' lines must not show:
 * those of its stored config, of a config waiting to be applied, and of the resolved config
 * (where ${..} references have become values). Called whenever one of them changes. */
static void connector_secrets_publish(connector_runtime *connector)
{
    const registered_connector *type = connector->type;
    if (!type) {
        const char *class_name = config_map_get(connector->config, "connector.class");
        type = class_name ? plugin_registry_find(connector->environment->plugins, class_name)
                          : NULL;
    }
    const ferry_config_key *defs[3] = {connector_config_common_keys};
    size_t ndefs = type ? connector_config_definitions(type->type, defs) : 1;
    strlist secrets = {0};
    if (config_redact_secrets(connector->config, defs, ndefs, &secrets) != 0 ||
        config_redact_secrets(connector->pending_config, defs, ndefs, &secrets) != 0 ||
        config_redact_secrets(connector->resolved, defs, ndefs, &secrets) != 0 ||
        log_secrets_set(connector, connector->name, (const char *const *)secrets.items,
                        secrets.count) != 0)
        log_error(connector->scope, "out of memory listing the secrets its log lines must hide");
    strlist_free(&secrets);
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
    connector_secrets_publish(connector);
    /* Generations go on from the highest on the status topic (another worker's, Kafka
     * Connect's), or this worker's records would rank below them. */
    connector->generation = status_store_generation_highest(environment->status);
    return connector;
}

/* Stops the plugin's connector instance and forgets the task configs it made. */
static void connector_instance_halt(connector_runtime *connector)
{
    if (connector->plugin_started)
        connector->type->type->connector->stop(connector->plugin_state);
    connector->plugin_started = false;
    connector->plugin_state = NULL;
    ferry_config_destroy(connector->plugin_config);
    connector->plugin_config = NULL;
    json_decref(connector->task_configs);
    connector->task_configs = NULL;
}

/* Stops tasks and the plugin's connector instance; the runtime object stays. */
static void connector_runtime_halt(connector_runtime *connector)
{
    connector_slots_free(connector);
    connector_instance_halt(connector);
    config_map_destroy(connector->resolved);
    connector->resolved = NULL;
}

void connector_runtime_destroy(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    if (!connector)
        return;
    if (connector->partial) {
        part_halt(connector);
    } else {
        connector_runtime_halt(connector);
        /* As Kafka Connect's onShutdown: the connector leaves this worker (a shutdown, a new
         * config, a deletion, whose tombstones follow). */
        if (connector->state != STATE_UNASSIGNED)
            connector_state_set(connector, STATE_UNASSIGNED, NULL);
    }
    log_secrets_forget(connector);
    free(connector->trace);
    free(connector->name);
    config_map_destroy(connector->config);
    config_map_destroy(connector->pending_config);
    free(connector);
}

/* The instance failed. A part's tasks run the committed task configs and go on without it. */
static void connector_fail(connector_runtime *connector, const char *trace)
{
    log_error(connector->scope, "failed: %s", trace);
    if (connector->partial)
        connector_instance_halt(connector);
    else
        connector_runtime_halt(connector);
    connector_state_set(connector, STATE_FAILED, trace);
}

/* Kafka Connect's task configs carry the task class (TaskConfig's task.class), which a Kafka
 * Connect worker needs to start the task: written into each config that has none. 0, or -1 when
 * out of memory. */
static int task_configs_class_add(const ferry_connector_type *type, json_t *task_configs)
{
    char *task_class = connector_type_task_class(type);
    if (!task_class)
        return -1;
    int rc = 0;
    size_t index;
    json_t *task_config;
    json_array_foreach(task_configs, index, task_config) {
        if (json_is_object(task_config) && !json_object_get(task_config, "task.class") &&
            json_object_set_new(task_config, "task.class", json_string(task_class)) != 0)
            rc = -1;
    }
    free(task_class);
    return rc;
}

/* Validates the config, starts the plugin's connector instance and takes the task configs it
 * makes (connector->task_configs). 0; 1 when its target is STOPPED (shown, nothing started);
 * -1 when it failed: the connector is FAILED. */
static int connector_instance_start(connector_runtime *connector)
{
    const connector_environment *environment = connector->environment;
    char why[1024] = "";
    connector->reconfiguration_requested = false;
    if (connector->target == STATE_STOPPED) {
        connector_state_set(connector, STATE_STOPPED, NULL);
        return 1;
    }
    config_errors *errors = config_errors_new();
    if (!errors || connector_validate(environment, connector->config, errors, NULL,
                                      &connector->type) > 0) {
        char *listed = errors ? config_errors_to_string(errors) : NULL;
        snprintf(why, sizeof(why), "invalid config: %s", listed ? listed : "out of memory");
        free(listed);
        config_errors_destroy(errors);
        connector_fail(connector, why);
        return -1;
    }
    config_errors_destroy(errors);
    /* A part may hold the resolved config already, for its tasks. */
    if (!connector->resolved)
        connector->resolved = config_providers_resolve(environment->providers, connector->config,
                                                       why, sizeof(why));
    if (!connector->resolved) {
        connector_fail(connector, why);
        return -1;
    }
    connector_secrets_publish(connector);
    const ferry_connector_type *type = connector->type->type;
    const ferry_config_key *defs[3];
    size_t ndefs = connector_config_definitions(type, defs);
    connector->plugin_config = ferry_config_new(connector->resolved, defs, ndefs);
    if (!connector->plugin_config) {
        connector_fail(connector, "out of memory");
        return -1;
    }
    plugin_context_init(&connector->context, connector->scope, &connector_context_ops, connector);
    char plugin_err[1024] = "";
    if (type->connector->start(&connector->context, connector->plugin_config,
                               &connector->plugin_state, plugin_err,
                               sizeof(plugin_err)) != FERRY_OK) {
        snprintf(why, sizeof(why), "start failed: %s",
                 plugin_err[0] ? plugin_err : "(no message)");
        connector_fail(connector, why);
        return -1;
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
        return -1;
    }
    if (task_configs_class_add(type, task_configs) != 0) {
        json_decref(task_configs);
        connector_fail(connector, "task_configs failed: out of memory");
        return -1;
    }
    connector->task_configs = task_configs;
    return 0;
}

void connector_runtime_start(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    if (connector->partial) {
        part_run(connector);
        return;
    }
    const connector_environment *environment = connector->environment;
    char why[1024] = "";
    connector->generation++;
    if (connector_instance_start(connector) != 0)
        return;
    json_t *task_configs = connector->task_configs;
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
    log_info(connector->scope, "started (%s) with %zu tasks", connector->type->type->name,
             count);
    for (size_t i = 0; i < count; i++)
        slot_start(connector, i);
}

void connector_runtime_set_target(connector_runtime *connector, runtime_state target)
{
    ASSERT_CONTROL_THREAD();
    if (connector->partial) {
        part_set_target(connector, target);
        return;
    }
    runtime_state before = connector->target;
    connector->target = target;
    if (target == before && connector->state != STATE_STOPPED)
        return;
    if (target == STATE_STOPPED) {
        size_t task_count = connector->slot_count;
        connector_runtime_halt(connector);
        connector_state_set(connector, STATE_STOPPED, NULL);
        for (size_t i = 0; i < task_count; i++)
            slot_status_delete(connector, i);
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
    if (connector->partial && !connector->slots[task_id].held)
        return 0; /* runs elsewhere: its worker restarts it */
    slot_publish(connector, (size_t)task_id, STATE_RESTARTING, NULL);
    slot_stop(connector, (size_t)task_id);
    slot_failures_forget(&connector->slots[task_id]);
    if (connector->partial)
        part_task_start(connector, (size_t)task_id);
    else
        slot_start(connector, (size_t)task_id);
    return 0;
}

void connector_runtime_restart(connector_runtime *connector, bool include_tasks,
                               bool only_failed)
{
    ASSERT_CONTROL_THREAD();
    if (connector->partial) {
        part_restart(connector, include_tasks, only_failed);
        return;
    }
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
    if (!connector_status_writable(connector))
        return; /* noted again, as changed, once the task runs unfenced */
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

static void part_reconfigure_now(connector_runtime *connector);
static bool part_tasks_reap(connector_runtime *connector);

/* Schedules the automatic restart of a failed task (restart_backoff.h). */
static void slot_restart_schedule(connector_runtime *connector, size_t index, const char *trace,
                                  int64_t now_ms)
{
    task_slot *slot = &connector->slots[index];
    const worker_config *worker = connector->environment->tasks.worker;
    bool repeated = false;
    int64_t delay = restart_backoff_next(&slot->backoff, trace, now_ms - slot->started_at_ms,
                                         worker->task_restart_backoff_initial_ms,
                                         worker->task_restart_backoff_max_ms, &repeated);
    slot->restart_at_ms = now_ms + delay;
    slot->confirming = true;
    log_info(connector->scope, "task %zu failed%s; restarting it in %lld ms", index,
             repeated ? " again for the same cause" : "", (long long)delay);
}

int64_t connector_runtime_tick(connector_runtime *connector, int64_t now_ms)
{
    ASSERT_CONTROL_THREAD();
    int64_t wake_in = 1000;
    if (connector->pending_config) {
        part_reconfigure_now(connector);
        return 20;
    }
    if (connector->partial && part_tasks_reap(connector))
        wake_in = 20;
    if (connector->reconfiguration_requested && connector->plugin_started) {
        log_info(connector->scope, "reconfiguring on the connector's request");
        if (connector->partial) {
            part_instance_restart(connector); /* its tasks follow what gets committed */
            return 100;
        }
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
            if (state == STATE_UNASSIGNED && !task_has_exited(slot->task)) {
                free(trace);
                continue; /* starting */
            }
            if (slot->confirming && state == STATE_RUNNING) {
                int64_t left = slot->started_at_ms + TASK_RESTART_CONFIRM_MS - now_ms;
                if (left > 0) {
                    free(trace); /* the failure stays published meanwhile */
                    wake_in = left < wake_in ? left : wake_in;
                    continue;
                }
            }
            if (state != STATE_FAILED)
                slot->confirming = false;
            slot_publish(connector, i, state, trace);
            bool failed = state == STATE_FAILED && task_has_exited(slot->task);
            if (failed) {
                slot_stop(connector, i);
                if (worker->task_restart_auto)
                    slot_restart_schedule(connector, i, trace, now_ms);
            }
            free(trace);
        }
        if (!slot->task && slot->restart_at_ms) {
            if (now_ms >= slot->restart_at_ms) {
                log_info(connector->scope, "restarting task %zu automatically", i);
                if (connector->partial)
                    part_task_start(connector, i);
                else
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
    return connector->pending_config ? connector->pending_config : connector->config;
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

/* The status of the instance as this worker runs it: {state, worker_id, trace?}. New. */
static json_t *connector_status_instance(const connector_runtime *connector)
{
    json_t *state = json_pack("{s:s, s:s}", "state", runtime_state_name(connector->state),
                              "worker_id", connector->environment->tasks.worker->worker_id);
    if (connector->trace)
        json_object_set_new(state, "trace", json_string(connector->trace));
    return state;
}

/* The status of task index as this worker runs it: {id, state, worker_id, trace?}. New. */
/* The values a running task's plugin publishes (host->metric_set: an incremental snapshot's
 * rows and chunks, a sink's acknowledged documents, ...), the long work it reports
 * (host->progress_report: "work") and a sink's lag per partition with its trend ("lag"), as the
 * "progress" object of its status entry: ferry's addition, which Kafka Connect's clients ignore
 * (docs/rest-api.md). */
static void slot_status_progress(json_t *entry, connector_task *task)
{
    task_gauge gauges[TASK_METRICS_MAX_GAUGES];
    int count = task_metrics_gauges_copy(&task->metrics, gauges, TASK_METRICS_MAX_GAUGES);
    json_t *progress = json_object();
    for (int i = 0; progress && i < count; i++) {
        double value = gauges[i].value;
        /* the range first: a cast of NaN or of a value past int64 is undefined */
        bool whole = value > -9e15 && value < 9e15 && value == (double)(json_int_t)value;
        json_object_set_new(progress, gauges[i].name,
                            whole ? json_integer((json_int_t)value) : json_real(value));
    }
    if (progress)
        task_metrics_progress_json(&task->metrics, clock_monotonic_us(), progress);
    if (progress && json_object_size(progress) > 0)
        json_object_set_new(entry, "progress", progress);
    else
        json_decref(progress);
}

static json_t *slot_status(connector_runtime *connector, size_t index)
{
    task_slot *slot = &connector->slots[index];
    char *trace = NULL;
    runtime_state task = slot->task ? task_state(slot->task, &trace) : slot->published;
    /* A task restarted after a failure shows it until it has proved itself (the tick's
     * TASK_RESTART_CONFIRM_MS), as the status topic does. */
    bool published = !slot->task;
    if (slot->task && slot->confirming && slot->published == STATE_FAILED &&
        (task == STATE_RUNNING || task == STATE_UNASSIGNED)) {
        free(trace);
        trace = NULL;
        task = STATE_FAILED;
        published = true;
    }
    if (published && slot->published_trace)
        trace = strdup(slot->published_trace);
    json_t *entry = json_pack("{s:i, s:s, s:s}", "id", (int)index, "state",
                              runtime_state_name(task), "worker_id",
                              connector->environment->tasks.worker->worker_id);
    if (trace)
        json_object_set_new(entry, "trace", json_string(trace));
    free(trace);
    if (entry && slot->task && task == STATE_RUNNING)
        slot_status_progress(entry, slot->task);
    return entry;
}

/* Kafka Connect's status answer from its parts (the references taken). */
static json_t *connector_status_build(const connector_runtime *connector,
                                      const registered_connector *type, json_t *instance,
                                      json_t *tasks)
{
    const char *kind = type && type->type->kind == FERRY_CONNECTOR_SINK ? "sink" : "source";
    return json_pack("{s:s, s:o, s:o, s:s}", "name", connector->name, "connector", instance,
                     "tasks", tasks, "type", kind);
}

json_t *connector_runtime_status(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    if (connector->partial)
        return part_status(connector);
    json_t *tasks = json_array();
    for (size_t i = 0; i < connector->slot_count; i++)
        json_array_append_new(tasks, slot_status(connector, i));
    return connector_status_build(connector, connector->type,
                                  connector_status_instance(connector), tasks);
}

/* ---- a part of a connector (distributed mode) --------------------------------------------
 * A worker of a cluster keeps a runtime for every connector of the config topic and runs the
 * part its assignment names. Its slots are the committed task configs (connector->committed);
 * a slot is held while its task is this worker's: assigned, with a committed config, and the
 * target not STOPPED. Tasks that stay held keep running through every change that does not
 * concern them, and nothing is written for them. */

connector_runtime *connector_runtime_new_part(const connector_environment *environment,
                                              const char *name, const config_map *config,
                                              runtime_state target)
{
    ASSERT_CONTROL_THREAD();
    connector_runtime *connector = connector_runtime_new(environment, name, config, target);
    if (!connector)
        return NULL;
    connector->partial = true;
    connector->committed = json_array();
    if (!connector->committed) {
        connector_runtime_destroy(connector);
        return NULL;
    }
    return connector;
}

static bool part_task_assigned(const connector_runtime *connector, size_t index)
{
    for (size_t i = 0; i < connector->assigned_count; i++)
        if (connector->assigned[i] == index)
            return true;
    return false;
}

/* The resolved config and the connector type its tasks need, also where the instance does not
 * run (and so never validated the config here). 0, or -1 with why. */
static int part_resolve(connector_runtime *connector, char *why, size_t whylen)
{
    const connector_environment *environment = connector->environment;
    if (!connector->resolved)
        connector->resolved = config_providers_resolve(environment->providers, connector->config,
                                                       why, whylen);
    if (!connector->resolved)
        return -1;
    connector_secrets_publish(connector);
    if (!connector->type) {
        const char *class_name = config_map_get(connector->resolved, "connector.class");
        connector->type = class_name ? plugin_registry_find(environment->plugins, class_name)
                                     : NULL;
        if (!connector->type)
            return ferry_error_set(why, whylen, "no connector type '%s' on this worker",
                                   class_name ? class_name : ""), -1;
    }
    return 0;
}

/* Takes slot index as this worker's and starts its task (FAILED when it cannot). */
static void part_task_start(connector_runtime *connector, size_t index)
{
    connector->slots[index].held = true;
    char why[512];
    if (part_resolve(connector, why, sizeof(why)) != 0) {
        log_error(connector->scope, "task %zu cannot start: %s", index, why);
        slot_publish(connector, index, STATE_FAILED, why);
        return;
    }
    slot_start(connector, index);
}

/* Starts the tasks that are this worker's and do not run yet. */
static void part_tasks_start(connector_runtime *connector)
{
    if (connector->target == STATE_STOPPED)
        return;
    for (size_t i = 0; i < connector->slot_count; i++)
        if (!connector->slots[i].held && part_task_assigned(connector, i))
            part_task_start(connector, i);
}

/* Stops the held tasks of the marked slots (marks cleared): all are asked at once so that they
 * drain in parallel, then each is joined. A restart (restarting) shows RESTARTING and starts
 * the task again; otherwise the slot shows UNASSIGNED (putSafe) and, with again, starts anew. */
static void part_tasks_stop(connector_runtime *connector, bool again, bool restarting)
{
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        if (!slot->marked || !slot->held)
            continue;
        if (restarting)
            slot_publish(connector, i, STATE_RESTARTING, NULL);
        if (slot->task)
            atomic_store(&slot->task->stop_requested, true);
    }
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        bool marked = slot->marked;
        slot->marked = false;
        if (!marked || !slot->held)
            continue;
        slot->restart_at_ms = 0;
        if (restarting)
            slot_failures_forget(slot);
        if ((again || restarting) && !(slot->task && slot->stopping) &&
            (slot->task || slot->stopping)) {
            /* Restarted here: the slot stays this worker's, and a later tick starts the task
             * again once this instance has exited (part_tasks_reap), with the config committed
             * then. A slot whose task is already stopping (a new connector config, then its
             * task configs) has nothing more to stop: joining it here would hold the control
             * loop for the task's whole drain. */
            if (slot->task) {
                slot->stopping = slot->task;
                slot->task = NULL;
            }
            if (!restarting)
                slot_publish(connector, i, STATE_UNASSIGNED, NULL);
            continue;
        }
        slot_stop(connector, i);
        slot->held = false;
        if (!restarting)
            slot_publish(connector, i, STATE_UNASSIGNED, NULL);
        if (again || restarting)
            part_task_start(connector, i);
    }
}

/* Joins the restarting tasks whose threads have exited and starts them again. Returns whether
 * some are still stopping. */
static bool part_tasks_reap(connector_runtime *connector)
{
    bool waiting = false;
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        if (!slot->stopping)
            continue;
        if (!task_has_exited(slot->stopping)) {
            waiting = true;
            continue;
        }
        slot_stop(connector, i);
        if (slot->held && connector->target != STATE_STOPPED)
            part_task_start(connector, i);
    }
    return waiting;
}

static void part_tasks_mark_held(connector_runtime *connector)
{
    for (size_t i = 0; i < connector->slot_count; i++)
        connector->slots[i].marked = connector->slots[i].held;
}

/* The instance's task configs, when they differ from the committed ones, go to the herder,
 * which has the leader commit them; the tasks change once they are read back committed. */
static void part_tasks_publish(connector_runtime *connector)
{
    if (!connector->task_configs || json_equal(connector->task_configs, connector->committed))
        return;
    const connector_environment *environment = connector->environment;
    if (!environment->publish_tasks) {
        log_warn(connector->scope, "its task configs changed, and nobody takes them to the "
                 "config topic (no cluster hooks)");
        return;
    }
    log_info(connector->scope, "its %zu task configs differ from the %zu committed: handed over "
             "to be committed", json_array_size(connector->task_configs),
             json_array_size(connector->committed));
    environment->publish_tasks(environment->publish_opaque, connector->name,
                               connector->task_configs);
}

/* Starts the instance assigned here (or shows STOPPED, its target). */
static void part_instance_start(connector_runtime *connector)
{
    if (connector_instance_start(connector) != 0)
        return;
    connector_state_set(connector,
                        connector->target == STATE_PAUSED ? STATE_PAUSED : STATE_RUNNING, NULL);
    log_info(connector->scope, "instance started (%s), making %zu task configs",
             connector->type->type->name, json_array_size(connector->task_configs));
    part_tasks_publish(connector);
}

static void part_instance_restart(connector_runtime *connector)
{
    connector_instance_halt(connector);
    part_instance_start(connector);
}

/* The instance leaves the worker: stopped, shown UNASSIGNED (putSafe). */
static void part_instance_stop(connector_runtime *connector)
{
    connector_instance_halt(connector);
    connector->reconfiguration_requested = false;
    if (connector->state != STATE_UNASSIGNED)
        connector_state_set(connector, STATE_UNASSIGNED, NULL);
}

static void part_run(connector_runtime *connector)
{
    if (connector->instance_assigned && !connector->plugin_started)
        part_instance_start(connector);
    part_tasks_start(connector);
}

/* Everything stops (the connector is destroyed). */
static void part_halt(connector_runtime *connector)
{
    part_tasks_mark_held(connector);
    part_tasks_stop(connector, false, false);
    if (connector->instance_assigned)
        part_instance_stop(connector);
    connector_instance_halt(connector);
    connector_slots_free(connector);
    config_map_destroy(connector->resolved);
    connector->resolved = NULL;
    json_decref(connector->committed);
    connector->committed = NULL;
    free(connector->assigned);
    connector->assigned = NULL;
    connector->assigned_count = 0;
}

void connector_runtime_assign(connector_runtime *connector, const connector_part *part,
                              int64_t epoch)
{
    ASSERT_CONTROL_THREAD();
    if (!connector->partial) {
        log_error(connector->scope, "an assignment for a connector that runs whole; ignored");
        return;
    }
    uint32_t *tasks = NULL;
    if (part->task_count > 0) {
        tasks = malloc(part->task_count * sizeof(*tasks));
        if (!tasks) {
            log_error(connector->scope, "out of memory applying assignment %lld",
                      (long long)epoch);
            return;
        }
        memcpy(tasks, part->tasks, part->task_count * sizeof(*tasks));
    }
    connector->epoch = epoch;
    free(connector->assigned);
    connector->assigned = tasks;
    connector->assigned_count = part->task_count;
    bool had_instance = connector->instance_assigned;
    connector->instance_assigned = part->instance;

    for (size_t i = 0; i < connector->slot_count; i++)
        connector->slots[i].marked = connector->slots[i].held && !part_task_assigned(connector, i);
    part_tasks_stop(connector, false, false);
    /* A task that stopped on its own at the fence, which the worker did not get to stop, runs
     * again under the new assignment. */
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        slot->marked = slot->held && slot->task && task_has_exited(slot->task) &&
                       task_state(slot->task, NULL) == STATE_UNASSIGNED;
    }
    part_tasks_stop(connector, true, false);
    if (had_instance && !part->instance)
        part_instance_stop(connector);
    else if (!had_instance && part->instance)
        part_instance_start(connector);
    part_tasks_start(connector);
}

/* Gives the slots the committed task count; slots beyond it must hold no task. */
static int part_slots_resize(connector_runtime *connector, size_t count)
{
    for (size_t i = count; i < connector->slot_count; i++) {
        free(connector->slots[i].published_trace);
        restart_backoff_reset(&connector->slots[i].backoff);
        memset(&connector->slots[i], 0, sizeof(connector->slots[i]));
    }
    if (count > connector->slot_count &&
        array_reserve(&connector->slots, &connector->slot_capacity, count,
                      sizeof(*connector->slots)) != 0)
        return -1;
    for (size_t i = connector->slot_count; i < count; i++)
        connector->slots[i].published = STATE_UNASSIGNED;
    connector->slot_count = count;
    return 0;
}

void connector_runtime_tasks_committed(connector_runtime *connector, json_t *task_configs)
{
    ASSERT_CONTROL_THREAD();
    if (!connector->partial)
        return;
    /* Kept, not copied: the config store's objects are never changed (config_store.h). */
    json_t *committed = json_is_array(task_configs) ? json_incref(task_configs) : json_array();
    if (!committed) {
        log_error(connector->scope, "out of memory taking the committed task configs");
        return;
    }
    size_t count = json_array_size(committed);
    /* Tasks beyond the new count stop; the others restart only when their config changed. */
    for (size_t i = count; i < connector->slot_count; i++)
        connector->slots[i].marked = connector->slots[i].held;
    part_tasks_stop(connector, false, false);
    if (part_slots_resize(connector, count) != 0) {
        log_error(connector->scope, "out of memory taking the committed task configs");
        json_decref(committed);
        return;
    }
    size_t before = json_array_size(connector->committed);
    for (size_t i = 0; i < count && i < before; i++)
        connector->slots[i].marked =
            connector->slots[i].held && !json_equal(json_array_get(connector->committed, i),
                                                    json_array_get(committed, i));
    bool changed = !json_equal(connector->committed, committed);
    json_decref(connector->committed);
    connector->committed = committed;
    part_tasks_stop(connector, true, false);
    part_tasks_start(connector);
    /* Newly committed configs that are not the instance's (a topic found inconsistent, an older
     * instance's late write): the instance's go to the leader again. */
    if (changed && connector->plugin_started)
        part_tasks_publish(connector);
}

void connector_runtime_reconfigure(connector_runtime *connector, const config_map *config)
{
    ASSERT_CONTROL_THREAD();
    config_map *copy = config_map_copy(config);
    if (!copy) {
        log_error(connector->scope, "out of memory taking its new config");
        return;
    }
    if (!connector->partial) {
        connector_runtime_halt(connector);
        config_map_destroy(connector->config);
        connector->config = copy;
        connector_secrets_publish(connector);
        connector_runtime_start(connector);
        return;
    }
    /* The restart waits for the next tick, which the loop runs once the current command (the
     * change that brought the config) has answered. */
    config_map_destroy(connector->pending_config);
    connector->pending_config = copy;
    connector_secrets_publish(connector);
    const task_environment *tasks = &connector->environment->tasks;
    if (tasks->notify)
        tasks->notify(tasks->notify_opaque);
}

/* Restarts the parts here with the config connector_runtime_reconfigure took. */
static void part_reconfigure_now(connector_runtime *connector)
{
    config_map *copy = connector->pending_config;
    connector->pending_config = NULL;
    /* Its tasks restart (once each has stopped) with the new config. */
    part_tasks_mark_held(connector);
    part_tasks_stop(connector, true, false);
    bool instance_runs = connector->instance_assigned && connector->target != STATE_STOPPED;
    if (instance_runs)
        connector_instance_halt(connector);
    config_map_destroy(connector->config);
    connector->config = copy;
    config_map_destroy(connector->resolved);
    connector->resolved = NULL;
    connector->type = NULL;
    connector_secrets_publish(connector);
    log_info(connector->scope, "reconfigured: the parts here restart");
    if (instance_runs)
        part_instance_start(connector);
    part_tasks_start(connector);
}

static void part_set_target(connector_runtime *connector, runtime_state target)
{
    runtime_state before = connector->target;
    connector->target = target;
    if (target == before)
        return;
    if (target == STATE_STOPPED) {
        part_tasks_mark_held(connector);
        /* Each worker tombstones the statuses of the tasks it ran, once they stopped. */
        bool *held = calloc(connector->slot_count + 1, sizeof(*held));
        for (size_t i = 0; held && i < connector->slot_count; i++)
            held[i] = connector->slots[i].held;
        part_tasks_stop(connector, false, false);
        for (size_t i = 0; held && i < connector->slot_count; i++)
            if (held[i])
                slot_status_delete(connector, i);
        free(held);
        if (connector->instance_assigned) {
            connector_instance_halt(connector);
            connector_state_set(connector, STATE_STOPPED, NULL);
        }
        return;
    }
    if (before == STATE_STOPPED) {
        part_run(connector);
        return;
    }
    for (size_t i = 0; i < connector->slot_count; i++)
        if (connector->slots[i].task)
            task_pause(connector->slots[i].task, target == STATE_PAUSED);
    if (connector->instance_assigned && connector->plugin_started &&
        connector->state != STATE_FAILED)
        connector_state_set(connector, target == STATE_PAUSED ? STATE_PAUSED : STATE_RUNNING,
                            NULL);
}

/* Whether the connector instance failed, here or on the worker that runs it. */
static bool part_instance_failed(connector_runtime *connector)
{
    if (connector->instance_assigned)
        return connector->state == STATE_FAILED ||
               (!connector->plugin_started && connector->target != STATE_STOPPED);
    json_t *latest = status_store_connector_get(connector->environment->status, connector->name);
    const char *state = json_string_value(json_object_get(latest, "state"));
    bool failed = state && strcmp(state, "FAILED") == 0;
    json_decref(latest);
    return failed;
}

/* The restart plan of connector_view_restart_plan, applied to the parts that run here. */
static void part_restart(connector_runtime *connector, bool include_tasks, bool only_failed)
{
    bool instance_restarts = !only_failed || part_instance_failed(connector);
    if (instance_restarts && connector->instance_assigned &&
        connector->target != STATE_STOPPED) {
        connector_state_set(connector, STATE_RESTARTING, NULL);
        part_instance_restart(connector);
    }
    for (size_t i = 0; i < connector->slot_count; i++) {
        task_slot *slot = &connector->slots[i];
        runtime_state state = slot->task ? task_state(slot->task, NULL) : slot->published;
        slot->marked = slot->held && (instance_restarts ||
                                      (include_tasks && (!only_failed || state == STATE_FAILED)));
    }
    part_tasks_stop(connector, true, true);
}

void connector_runtime_fence(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    if (!connector->partial)
        return;
    connector->fencing = true;
    for (size_t i = 0; i < connector->slot_count; i++) {
        connector_task *task = connector->slots[i].task;
        if (task) {
            atomic_store(&task->fence_requested, true);
            atomic_store(&task->stop_requested, true);
        }
    }
    part_tasks_mark_held(connector);
    part_tasks_stop(connector, false, false);
    connector->instance_assigned = false;
    part_instance_stop(connector);
    free(connector->assigned);
    connector->assigned = NULL;
    connector->assigned_count = 0;
    connector->fencing = false;
}

void connector_runtime_deleted(connector_runtime *connector)
{
    ASSERT_CONTROL_THREAD();
    connector->deleted = true;
}

/* A status record of the status store as the REST API shows it: {state, trace?, worker_id}
 * (id first for a task). New. */
static json_t *part_status_stored(json_t *record, int id)
{
    json_t *shown = id >= 0 ? json_pack("{s:i}", "id", id) : json_object();
    json_object_set(shown, "state", json_object_get(record, "state"));
    json_object_set(shown, "worker_id", json_object_get(record, "worker_id"));
    json_t *trace = json_object_get(record, "trace");
    if (json_is_string(trace))
        json_object_set(shown, "trace", trace);
    return shown;
}

/* What the runtime knows of the parts here, the status topic of the others (Kafka Connect shows
 * the status store's records, and no task without one). */
static json_t *part_status(connector_runtime *connector)
{
    status_store *status = connector->environment->status;
    json_t *instance;
    if (connector->instance_assigned) {
        instance = connector_status_instance(connector);
    } else {
        json_t *latest = status_store_connector_get(status, connector->name);
        instance = latest ? part_status_stored(latest, -1)
                          : json_pack("{s:s, s:n}", "state", "UNASSIGNED", "worker_id");
        json_decref(latest);
    }
    json_t *stored = status_store_tasks_get(status, connector->name);
    json_t *tasks = json_array();
    for (size_t i = 0; i < connector->slot_count; i++) {
        json_t *record = connector->slots[i].held ? NULL : status_task_find(stored, i);
        if (connector->slots[i].held)
            json_array_append_new(tasks, slot_status(connector, i));
        else if (record)
            json_array_append_new(tasks, part_status_stored(record, (int)i));
    }
    json_decref(stored);
    const registered_connector *type = connector->type;
    const char *class_name = config_map_get(connector->config, "connector.class");
    if (!type && class_name)
        type = plugin_registry_find(connector->environment->plugins, class_name);
    return connector_status_build(connector, type, instance, tasks);
}
