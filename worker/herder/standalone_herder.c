/*
 * standalone_herder.c - connector changes on a standalone worker: create, update, patch, delete,
 * target states, restarts, active-topics reset and offsets, each checked, stored and applied
 * under one change lock.
 */
#include "herder/standalone_herder.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "config/config_validate.h"
#include "herder/herder_offsets.h"
#include "runtime/connector_view.h"
#include "support/strbuf.h"

#define HERDER_SCOPE "herder"

typedef struct standalone_herder {
    herder base; /* first: a herder * is a standalone_herder * */
    worker *running;
    pthread_mutex_t changes;
    atomic_bool ready;
} standalone_herder;

static standalone_herder *standalone_self(herder *base)
{
    return (standalone_herder *)base;
}

/* Runs fn on the control thread. 0 when it ran; otherwise -1 with result UNAVAILABLE (the worker
 * is shutting down) or TIMED_OUT (the control thread did not take it in time). */
static int standalone_call(standalone_herder *self, worker_command_fn fn, void *argument,
                           herder_result *result)
{
    int rc = worker_call_timeout(self->running, fn, argument, STANDALONE_HERDER_CALL_TIMEOUT_MS);
    if (rc == 0)
        return 0;
    if (rc == WORKER_CALL_TIMED_OUT)
        herder_result_set(result, HERDER_TIMED_OUT, "Request timed out");
    else
        herder_result_set(result, HERDER_UNAVAILABLE, "The worker is shutting down");
    return -1;
}

static bool standalone_target_valid(runtime_state state)
{
    return state == STATE_RUNNING || state == STATE_PAUSED || state == STATE_STOPPED;
}

/* One change of one connector, as the control thread sees it. */
typedef struct standalone_change {
    const char *name;
    runtime_state target;
    bool found;
    int rc;
    char err[512];
} standalone_change;

static void standalone_exists_run(worker *running, void *argument)
{
    standalone_change *change = argument;
    change->found = worker_connector_find(running, change->name) != NULL;
}

/* 0 when the connector exists; otherwise -1 with result NOT_FOUND (or why it is not known). */
static int standalone_find(standalone_herder *self, standalone_change *change,
                           herder_result *result)
{
    if (standalone_call(self, standalone_exists_run, change, result) != 0)
        return -1;
    if (change->found)
        return 0;
    herder_result_set(result, HERDER_NOT_FOUND, "Connector %s not found", change->name);
    return -1;
}

/* ---- create and update ------------------------------------------------------------------ */

typedef struct standalone_write {
    const config_map *config;
    runtime_state initial;
    config_errors *errors;
    bool exists;
    bool created;
    int rc;
    char err[1024];
    char *invalid; /* the refusal with every problem, secrets hidden */
    json_t *answer;
} standalone_write;

/* Kafka Connect's refusal of an invalid config, every problem listed, any literal secret a plugin
 * quoted hidden. NULL when out of memory. Control thread. */
static char *standalone_invalid_message(worker *running, const config_map *config,
                                        const config_errors *errors)
{
    size_t count = config_errors_count(errors);
    strbuf message = {0};
    strbuf_append_printf(&message, "Connector configuration is invalid and contains the "
                         "following %zu error(s):\n", count);
    for (size_t i = 0; i < count; i++) {
        strbuf_append_str(&message, config_errors_message_at(errors, i));
        strbuf_append_char(&message, '\n');
    }
    strbuf_append_literal(&message, "You can also find the above list of errors at the endpoint "
                                    "`/connector-plugins/{connectorType}/config/validate`");
    char *text = strbuf_take(&message, NULL);
    char *redacted = text ? connector_view_redact_text(running, config, text) : NULL;
    free(text);
    return redacted;
}

static void standalone_check_run(worker *running, void *argument)
{
    standalone_write *write = argument;
    write->rc = worker_connector_check(running, write->config, &write->exists, write->errors,
                                       write->err, sizeof(write->err));
    if (write->rc == 0 && config_errors_count(write->errors) == 0)
        return;
    write->rc = -1;
    if (config_errors_count(write->errors) > 0)
        write->invalid = standalone_invalid_message(running, write->config, write->errors);
}

static void standalone_apply_run(worker *running, void *argument)
{
    standalone_write *write = argument;
    write->rc = worker_connector_apply(running, write->config, write->initial, &write->created,
                                       write->err, sizeof(write->err));
    connector_runtime *connector =
        worker_connector_find(running, config_map_get(write->config, "name"));
    if (write->rc == 0 && connector)
        write->answer = connector_view_info(running, connector);
}

/* Validates, stores and applies config; the answer is the connector's ConnectorInfo. Call with
 * the change lock held. */
static void standalone_write_locked(standalone_herder *self, const config_map *config,
                                    runtime_state initial, bool allow_replace,
                                    herder_result *result)
{
    standalone_write write = {.config = config, .initial = initial,
                              .errors = config_errors_new()};
    const char *name = config_map_get(config, "name");
    if (!name)
        name = "";
    if (!write.errors) {
        herder_result_set(result, HERDER_FAILED, "out of memory");
        return;
    }
    if (standalone_call(self, standalone_check_run, &write, result) != 0)
        goto done;
    if (write.rc != 0) {
        log_info(HERDER_SCOPE, "connector %s refused: %zu configuration errors", name,
                 config_errors_count(write.errors));
        herder_result_set(result, HERDER_INVALID, "%s", write.invalid ? write.invalid
                                                                      : write.err);
        goto done;
    }
    if (write.exists && !allow_replace) {
        herder_result_set(result, HERDER_EXISTS, "Connector %s already exists", name);
        goto done;
    }
    if (worker_connector_store(self->running, config, !write.exists, initial, write.err,
                               sizeof(write.err)) != 0) {
        herder_result_set(result, HERDER_FAILED, "Failed to store the configuration of "
                          "connector %s: %s", name, write.err);
        goto done;
    }
    if (standalone_call(self, standalone_apply_run, &write, result) != 0)
        goto done;
    if (write.rc != 0 || !write.answer) {
        json_decref(write.answer);
        herder_result_set(result, HERDER_FAILED, "%s", write.err[0] ? write.err
                                                                    : "connector not started");
        goto done;
    }
    /* Created: the check found no such connector. (On a cluster's worker the apply may find it
     * already, read back from the config topic by the herder's thread.) */
    result->status = write.exists ? HERDER_OK : HERDER_CREATED;
    result->answer = write.answer;
done:
    free(write.invalid);
    config_errors_destroy(write.errors);
}

static void standalone_connector_put(herder *base, const config_map *config,
                                     runtime_state initial, bool allow_replace,
                                     herder_callback done, void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    if (!standalone_target_valid(initial)) {
        herder_result_set(&result, HERDER_INVALID, "Invalid initial state %s: expected RUNNING, "
                          "PAUSED or STOPPED", runtime_state_name(initial));
    } else {
        pthread_mutex_lock(&self->changes);
        standalone_write_locked(self, config, initial, allow_replace, &result);
        pthread_mutex_unlock(&self->changes);
    }
    herder_complete(done, opaque, &result);
}

typedef struct standalone_patch {
    const char *name;
    config_map *config; /* a copy of the stored one */
    bool out_of_memory;
} standalone_patch;

static void standalone_patch_read_run(worker *running, void *argument)
{
    standalone_patch *patch = argument;
    connector_runtime *connector = worker_connector_find(running, patch->name);
    if (connector) {
        patch->config = config_map_copy(connector_runtime_config(connector));
        patch->out_of_memory = patch->config == NULL;
    }
}

static void standalone_connector_patch(herder *base, const char *name, json_t *patch,
                                       herder_callback done, void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    standalone_patch read = {.name = name};
    pthread_mutex_lock(&self->changes);
    if (standalone_call(self, standalone_patch_read_run, &read, &result) != 0)
        goto done;
    if (read.out_of_memory) {
        herder_result_set(&result, HERDER_FAILED, "out of memory");
        goto done;
    }
    if (!read.config) {
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
        goto done;
    }
    if (herder_config_merge(read.config, patch, name, &result) == 0)
        standalone_write_locked(self, read.config, STATE_RUNNING, true, &result);
done:
    pthread_mutex_unlock(&self->changes);
    config_map_destroy(read.config);
    herder_complete(done, opaque, &result);
}

/* ---- delete and target states ----------------------------------------------------------- */

static void standalone_remove_run(worker *running, void *argument)
{
    standalone_change *change = argument;
    change->rc = worker_connector_remove(running, change->name, change->err,
                                         sizeof(change->err));
}

static void standalone_connector_delete(herder *base, const char *name, herder_callback done,
                                        void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    standalone_change change = {.name = name};
    pthread_mutex_lock(&self->changes);
    if (standalone_find(self, &change, &result) != 0)
        goto done;
    if (worker_connector_delete_store(self->running, name, change.err, sizeof(change.err)) != 0) {
        herder_result_set(&result, HERDER_FAILED, "Failed to delete connector %s: %s", name,
                          change.err);
        goto done;
    }
    if (standalone_call(self, standalone_remove_run, &change, &result) == 0 && change.rc != 0)
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
done:
    pthread_mutex_unlock(&self->changes);
    herder_complete(done, opaque, &result);
}

static void standalone_target_apply_run(worker *running, void *argument)
{
    standalone_change *change = argument;
    change->rc = worker_connector_target_apply(running, change->name, change->target, change->err,
                                               sizeof(change->err));
}

/* Kafka Connect's words for a pause, resume or stop of an unknown connector (AbstractHerder,
 * DistributedHerder.stopConnector), which differ from those of the other changes. */
static void standalone_unknown_connector(herder_result *result, const char *name)
{
    herder_result_set(result, HERDER_NOT_FOUND, "Unknown connector %s", name);
}

static void standalone_connector_target(herder *base, const char *name, runtime_state target,
                                        herder_callback done, void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    standalone_change change = {.name = name, .target = target};
    if (!standalone_target_valid(target)) {
        herder_result_set(&result, HERDER_INVALID, "Invalid target state %s: expected RUNNING, "
                          "PAUSED or STOPPED", runtime_state_name(target));
        herder_complete(done, opaque, &result);
        return;
    }
    pthread_mutex_lock(&self->changes);
    if (standalone_find(self, &change, &result) != 0) {
        if (result.status == HERDER_NOT_FOUND)
            standalone_unknown_connector(&result, name);
        goto done;
    }
    if (worker_connector_target_store(self->running, name, target, change.err,
                                      sizeof(change.err)) != 0) {
        herder_result_set(&result, HERDER_FAILED, "Failed to store the target state of "
                          "connector %s: %s", name, change.err);
        goto done;
    }
    if (standalone_call(self, standalone_target_apply_run, &change, &result) == 0 &&
        change.rc != 0)
        standalone_unknown_connector(&result, name);
done:
    pthread_mutex_unlock(&self->changes);
    herder_complete(done, opaque, &result);
}

/* ---- restarts and active topics --------------------------------------------------------- */

typedef struct standalone_restart {
    const char *name;
    int task;
    bool include_tasks;
    bool only_failed;
    bool found;
    int rc;
    json_t *plan;
    char err[512];
} standalone_restart;

static void standalone_restart_run(worker *running, void *argument)
{
    standalone_restart *restart = argument;
    connector_runtime *connector = worker_connector_find(running, restart->name);
    if (!(restart->found = connector != NULL))
        return;
    if (restart->task < 0 && (restart->include_tasks || restart->only_failed))
        restart->plan = connector_view_restart_plan(running, connector, restart->include_tasks,
                                                    restart->only_failed);
    restart->rc = worker_connector_restart(running, restart->name, restart->include_tasks,
                                           restart->only_failed, restart->task, restart->err,
                                           sizeof(restart->err));
}

static void standalone_connector_restart(herder *base, const char *name, int task,
                                         bool include_tasks, bool only_failed,
                                         herder_callback done, void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    standalone_restart restart = {.name = name, .task = task, .include_tasks = include_tasks,
                                  .only_failed = only_failed};
    pthread_mutex_lock(&self->changes);
    int rc = standalone_call(self, standalone_restart_run, &restart, &result);
    pthread_mutex_unlock(&self->changes);
    if (rc != 0) {
        json_decref(restart.plan);
    } else if (!restart.found) {
        /* Kafka Connect's (DistributedHerder) words for restarts, which scripts match on. */
        herder_result_set(&result, HERDER_NOT_FOUND, "Unknown connector: %s", name);
    } else if (restart.rc != 0) {
        json_decref(restart.plan);
        herder_result_set(&result, HERDER_NOT_FOUND, "Unknown task: %s-%d", name, task);
    } else {
        result.answer = restart.plan;
    }
    herder_complete(done, opaque, &result);
}

static void standalone_topics_reset_run(worker *running, void *argument)
{
    standalone_change *change = argument;
    if ((change->found = worker_connector_find(running, change->name) != NULL))
        worker_connector_active_topics_reset(running, change->name);
}

/* Kafka Connect's standalone worker does not fence either: a standalone worker's tasks never
 * move, and each one's own initialisation fences its predecessor. */
static void standalone_connector_fence(herder *base, const char *name, herder_callback done,
                                       void *opaque)
{
    (void)base;
    herder_result result = {0};
    herder_result_set(&result, HERDER_INVALID, "Fencing zombie tasks of %s is only supported "
                      "in distributed mode", name);
    herder_complete(done, opaque, &result);
}

static void standalone_connector_topics_reset(herder *base, const char *name,
                                              herder_callback done, void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    standalone_change change = {.name = name};
    pthread_mutex_lock(&self->changes);
    int rc = standalone_call(self, standalone_topics_reset_run, &change, &result);
    pthread_mutex_unlock(&self->changes);
    if (rc == 0 && !change.found)
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
    herder_complete(done, opaque, &result);
}

/* ---- offsets ---------------------------------------------------------------------------- */

/* The facts of name's offsets, checked: 0 to go on, or -1 with result set. */
static int standalone_offsets_facts(standalone_herder *self, herder_offsets_facts *facts,
                                    bool need_stopped, herder_result *result)
{
    if (standalone_call(self, herder_offsets_facts_run, facts, result) != 0)
        return -1;
    return herder_offsets_facts_check(facts, need_stopped, result);
}

static void standalone_offsets_get(herder *base, const char *name, herder_callback done,
                                   void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    herder_offsets_facts facts = {.name = name};
    if (standalone_offsets_facts(self, &facts, false, &result) == 0)
        herder_offsets_fetch(self->running, &facts, &result);
    herder_offsets_facts_release(&facts);
    herder_complete(done, opaque, &result);
}

/* The change lock is held from the STOPPED check to the end of the write, so that no resume
 * slips in between. */
static void standalone_offsets_alter(herder *base, const char *name, json_t *body,
                                     herder_callback done, void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    herder_offsets_facts facts = {.name = name};
    if (herder_offsets_request_check(body, &result) == 0) {
        pthread_mutex_lock(&self->changes);
        if (standalone_offsets_facts(self, &facts, true, &result) == 0)
            herder_offsets_store(self->running, &facts, body, &result);
        pthread_mutex_unlock(&self->changes);
    }
    herder_offsets_facts_release(&facts);
    herder_complete(done, opaque, &result);
}

static void standalone_offsets_reset(herder *base, const char *name, herder_callback done,
                                     void *opaque)
{
    standalone_herder *self = standalone_self(base);
    herder_result result = {0};
    herder_offsets_facts facts = {.name = name};
    pthread_mutex_lock(&self->changes);
    if (standalone_offsets_facts(self, &facts, true, &result) == 0)
        herder_offsets_clear(self->running, &facts, &result);
    pthread_mutex_unlock(&self->changes);
    herder_offsets_facts_release(&facts);
    herder_complete(done, opaque, &result);
}

/* A standalone worker's connectors write their own task configs, as Kafka Connect's
 * StandaloneHerder does. */
static void standalone_tasks_put(herder *base, const char *name, json_t *configs,
                                 const herder_signed *signature, herder_callback done,
                                 void *opaque)
{
    (void)base;
    (void)name;
    (void)configs;
    (void)signature;
    herder_result result = {0};
    herder_result_set(&result, HERDER_INVALID, "Kafka Connect in standalone mode does not "
                      "support externally setting task configurations.");
    herder_complete(done, opaque, &result);
}

/* ---- the herder ------------------------------------------------------------------------- */

static bool standalone_is_ready(herder *base)
{
    return atomic_load(&standalone_self(base)->ready);
}

static void standalone_destroy(herder *base)
{
    standalone_herder *self = standalone_self(base);
    pthread_mutex_destroy(&self->changes);
    free(self);
}

static const herder_ops standalone_herder_ops = {
    .connector_put = standalone_connector_put,
    .connector_patch = standalone_connector_patch,
    .connector_delete = standalone_connector_delete,
    .connector_target = standalone_connector_target,
    .connector_restart = standalone_connector_restart,
    .connector_topics_reset = standalone_connector_topics_reset,
    .connector_fence = standalone_connector_fence,
    .offsets_get = standalone_offsets_get,
    .offsets_alter = standalone_offsets_alter,
    .offsets_reset = standalone_offsets_reset,
    .tasks_put = standalone_tasks_put,
    .is_ready = standalone_is_ready,
    .destroy = standalone_destroy,
};

herder *standalone_herder_new(worker *running)
{
    standalone_herder *self = calloc(1, sizeof(*self));
    if (!self)
        return NULL;
    self->base.ops = &standalone_herder_ops;
    self->running = running;
    pthread_mutex_init(&self->changes, NULL);
    atomic_init(&self->ready, false);
    return &self->base;
}

void standalone_herder_ready(herder *base)
{
    if (base->ops == &standalone_herder_ops)
        atomic_store(&standalone_self(base)->ready, true);
}
