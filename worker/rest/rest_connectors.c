/*
 * rest_connectors.c - /connectors: list (with expand), create, info, config (GET, PUT, PATCH),
 * status, restart, pause, resume, stop, tasks, task status and restart, delete, active topics.
 *
 * Reads run one function on the control thread and serialise the answer on the connection's
 * thread. A change holds the server's change lock and runs in three steps: check on the control
 * thread, write the config topic on this thread (the control loop never waits for Kafka on a
 * request's behalf), apply on the control thread.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "base/log.h"
#include "rest/rest_resources.h"
#include "runtime/connector_view.h"

#define REST_SCOPE "rest"

/* ---- shared pieces (control thread) ----------------------------------------------------- */

/* One connector looked up by name: the answer to build, or not found. */
typedef struct rest_lookup {
    const char *name;
    json_t *answer;
    bool found;
    int task;           /* for task routes */
    bool include_tasks; /* restart */
    bool only_failed;
    int rc;
    char err[512];
} rest_lookup;

/* What a lookup answers with: a JSON view of a connector, built on the control thread. */
typedef json_t *(*rest_view)(worker *running, connector_runtime *connector);

/* Runs a lookup on the control thread: finds the connector and builds the view. */
static void rest_lookup_run(worker *running, rest_lookup *lookup, rest_view view)
{
    connector_runtime *connector = worker_connector_find(running, lookup->name);
    if ((lookup->found = connector != NULL))
        lookup->answer = view(running, connector);
}

static void rest_not_found(rest_response *response, const char *name)
{
    rest_reply_error(response, 404, "Connector %s not found", name);
}

/* ---- list ------------------------------------------------------------------------------- */

typedef struct rest_list {
    bool status;
    bool info;
    json_t *answer;
} rest_list;

static void rest_connectors_list_run(worker *running, void *argument)
{
    rest_list *list = argument;
    if (!list->status && !list->info) {
        list->answer = worker_connector_names(running);
        return;
    }
    list->answer = json_object();
    for (size_t i = 0; i < worker_connector_count(running); i++) {
        connector_runtime *connector = worker_connector_at(running, i);
        json_t *expanded = json_object();
        if (list->status)
            json_object_set_new(expanded, "status", connector_view_status(running, connector));
        if (list->info)
            json_object_set_new(expanded, "info", connector_view_info(running, connector));
        json_object_set_new(list->answer, connector_runtime_name(connector), expanded);
    }
}

static void rest_connectors_list_start(rest_request *request, rest_response *response,
                                       void *state)
{
    rest_list *list = state;
    (void)response;
    for (size_t i = 0; i < request->arg_count; i++) {
        if (strcmp(request->args[i].key, "expand") != 0)
            continue;
        if (strcmp(request->args[i].value, "status") == 0)
            list->status = true;
        else if (strcmp(request->args[i].value, "info") == 0)
            list->info = true;
        /* Kafka Connect ignores other expansions. */
    }
}

static void rest_connectors_list_finish(rest_request *request, rest_response *response,
                                        void *state)
{
    (void)request;
    rest_reply_json(response, 200, ((rest_list *)state)->answer);
}

const rest_async_handler rest_connectors_list = {
    sizeof(rest_list), rest_connectors_list_start, rest_connectors_list_run,
    rest_connectors_list_finish,
};

/* ---- create and update ------------------------------------------------------------------ */

typedef struct rest_write {
    config_map *config;
    runtime_state initial;
    config_errors *errors;
    bool exists;
    bool created;
    int rc;
    char err[1024];
    char *invalid; /* the 400 message, redacted */
    json_t *answer;
} rest_write;

static void rest_write_check_run(worker *running, void *argument)
{
    rest_write *write = argument;
    write->rc = worker_connector_check(running, write->config, &write->exists, write->errors,
                                       write->err, sizeof(write->err));
    if (write->rc == 0 && config_errors_count(write->errors) == 0)
        return;
    write->rc = -1;
    /* Kafka Connect's message, with every problem; any literal secret a plugin quoted is
     * hidden. */
    size_t count = config_errors_count(write->errors);
    size_t size = 256;
    for (size_t i = 0; i < count; i++)
        size += strlen(config_errors_message_at(write->errors, i)) + 1;
    char *message = malloc(size);
    if (!message)
        return;
    int used = snprintf(message, size, "Connector configuration is invalid and contains the "
                        "following %zu error(s):\n", count);
    for (size_t i = 0; i < count && used > 0 && (size_t)used < size; i++)
        used += snprintf(message + used, size - (size_t)used, "%s\n",
                         config_errors_message_at(write->errors, i));
    if (used > 0 && (size_t)used < size)
        snprintf(message + used, size - (size_t)used, "You can also find the above list of "
                 "errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
    write->invalid = connector_view_redact_text(running, write->config, message);
    free(message);
}

static void rest_write_apply_run(worker *running, void *argument)
{
    rest_write *write = argument;
    write->rc = worker_connector_apply(running, write->config, write->initial, &write->created,
                                       write->err, sizeof(write->err));
    connector_runtime *connector =
        worker_connector_find(running, config_map_get(write->config, "name"));
    if (write->rc == 0 && connector)
        write->answer = connector_view_info(running, connector);
}

/* Names Kafka Connect refuses: empty, or with control characters. */
static void rest_name_check(const char *name, config_errors *errors)
{
    if (name[0] == '\0') {
        config_errors_add(errors, "name", "Missing required configuration \"name\" which has "
                          "no default value.");
        return;
    }
    for (const char *c = name; *c; c++) {
        if (iscntrl((unsigned char)*c)) {
            config_errors_add(errors, "name", "Invalid value for configuration name: String "
                              "may not contain control sequences");
            return;
        }
    }
}

/* Validates, stores and applies config (which has its name). Call with the change lock held.
 * allow_replace false: an existing connector is a 409. */
static void rest_connector_write(rest_request *request, rest_response *response,
                                 config_map *config, runtime_state initial, bool allow_replace)
{
    rest_write write = {.config = config, .initial = initial, .errors = config_errors_new()};
    if (!write.errors) {
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    const char *name = config_map_get(config, "name");
    rest_name_check(name, write.errors);
    if (rest_call(request, response, rest_write_check_run, &write) != 0)
        goto done;
    if (write.rc != 0) {
        log_info(REST_SCOPE, "connector %s refused: %zu configuration errors", name,
                 config_errors_count(write.errors));
        if (write.invalid)
            rest_reply_error(response, 400, "%s", write.invalid);
        else
            rest_reply_error(response, 400, "%s", write.err);
        goto done;
    }
    if (write.exists && !allow_replace) {
        rest_reply_error(response, 409, "Connector %s already exists", name);
        goto done;
    }
    if (worker_connector_store(request->worker, config, !write.exists, initial, write.err,
                               sizeof(write.err)) != 0) {
        rest_reply_error(response, 500, "Failed to store the configuration of connector %s: %s",
                         name, write.err);
        goto done;
    }
    if (rest_call(request, response, rest_write_apply_run, &write) != 0)
        goto done;
    if (write.rc != 0 || !write.answer) {
        json_decref(write.answer);
        rest_reply_error(response, 500, "%s", write.err[0] ? write.err : "connector not started");
        goto done;
    }
    rest_reply_json(response, write.created ? 201 : 200, write.answer);
    if (write.created && asprintf(&response->location, "/connectors/%s", name) < 0)
        response->location = NULL;
done:
    free(write.invalid);
    config_errors_destroy(write.errors);
}

/* A config map from a JSON object of the body; NULL after a 400. */
static config_map *rest_config_from_json(json_t *object, rest_response *response)
{
    char why[512];
    config_map *config = config_map_new();
    if (!config) {
        rest_reply_error(response, 500, "out of memory");
        return NULL;
    }
    if (config_map_set_from_json(config, object, why, sizeof(why)) != 0) {
        config_map_destroy(config);
        rest_reply_error(response, 400, "Invalid connector configuration: %s", why);
        return NULL;
    }
    return config;
}

/* Kafka Connect's check: a name in the config must be the one of the URL (or the request). */
static int rest_config_name_put(config_map *config, const char *name, rest_response *response)
{
    const char *included = config_map_get(config, "name");
    if (included && strcmp(included, name) != 0) {
        rest_reply_error(response, 400, "Connector name configuration (%s) doesn't match "
                         "connector name in the URL (%s)", included, name);
        return -1;
    }
    if (config_map_set(config, "name", name) != 0) {
        rest_reply_error(response, 500, "out of memory");
        return -1;
    }
    return 0;
}

static int rest_initial_state(json_t *value, runtime_state *state, rest_response *response)
{
    *state = STATE_RUNNING;
    if (!value || json_is_null(value))
        return 0;
    const char *text = json_string_value(value);
    if (text && strcmp(text, "RUNNING") == 0)
        return 0;
    if (text && strcmp(text, "PAUSED") == 0) {
        *state = STATE_PAUSED;
        return 0;
    }
    if (text && strcmp(text, "STOPPED") == 0) {
        *state = STATE_STOPPED;
        return 0;
    }
    rest_reply_error(response, 400, "Invalid initial_state %s%s%s: expected RUNNING, PAUSED or "
                     "STOPPED", text ? "'" : "", text ? text : "(not a string)", text ? "'" : "");
    return -1;
}

void rest_connectors_create(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    if (!body)
        return;
    config_map *config = NULL;
    json_t *config_json = json_object_get(body, "config");
    json_t *name_json = json_object_get(body, "name");
    runtime_state initial;
    if (!json_is_object(config_json)) {
        rest_reply_error(response, 400, "The request body needs \"config\", a JSON object of "
                         "the connector's configuration");
        goto done;
    }
    if (name_json && !json_is_null(name_json) && !json_is_string(name_json)) {
        rest_reply_error(response, 400, "\"name\" must be a string");
        goto done;
    }
    if (rest_initial_state(json_object_get(body, "initial_state"), &initial, response) != 0)
        goto done;
    if (!(config = rest_config_from_json(config_json, response)))
        goto done;
    /* Kafka Connect trims the name; a config that names itself stands in for a missing one. */
    const char *given = json_string_value(name_json);
    if (!given)
        given = config_map_get(config, "name");
    char *name = given ? strdup(given) : strdup("");
    if (!name) {
        rest_reply_error(response, 500, "out of memory");
        goto done;
    }
    char *start = name;
    while (isspace((unsigned char)*start))
        start++;
    size_t len = strlen(start);
    while (len > 0 && isspace((unsigned char)start[len - 1]))
        start[--len] = '\0';
    if (rest_config_name_put(config, start, response) == 0) {
        pthread_mutex_lock(request->changes);
        rest_connector_write(request, response, config, initial, false);
        pthread_mutex_unlock(request->changes);
    }
    free(name);
done:
    config_map_destroy(config);
    json_decref(body);
}

void rest_connector_config_put(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    if (!body)
        return;
    config_map *config = rest_config_from_json(body, response);
    if (config && rest_config_name_put(config, request->params[0], response) == 0) {
        pthread_mutex_lock(request->changes);
        rest_connector_write(request, response, config, STATE_RUNNING, true);
        pthread_mutex_unlock(request->changes);
    }
    config_map_destroy(config);
    json_decref(body);
}

typedef struct rest_patch {
    const char *name;
    config_map *config; /* a copy of the stored one */
} rest_patch;

static void rest_patch_read_run(worker *running, void *argument)
{
    rest_patch *patch = argument;
    connector_runtime *connector = worker_connector_find(running, patch->name);
    if (connector)
        patch->config = config_map_copy(connector_runtime_config(connector));
}

void rest_connector_config_patch(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    if (!body)
        return;
    rest_patch patch = {.name = request->params[0]};
    pthread_mutex_lock(request->changes);
    if (rest_call(request, response, rest_patch_read_run, &patch) != 0)
        goto done;
    if (!patch.config) {
        rest_not_found(response, patch.name);
        goto done;
    }
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        if (json_is_null(value)) {
            config_map_remove(patch.config, key);
            continue;
        }
        char text[64];
        const char *set = json_string_value(value);
        if (json_is_integer(value)) {
            snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
            set = text;
        } else if (json_is_real(value)) {
            snprintf(text, sizeof(text), "%.17g", json_real_value(value));
            set = text;
        } else if (json_is_boolean(value)) {
            set = json_is_true(value) ? "true" : "false";
        }
        if (!set) {
            rest_reply_error(response, 400, "Invalid value for configuration %s: expected a "
                             "string, a number, a boolean or null", key);
            goto done;
        }
        if (config_map_set(patch.config, key, set) != 0) {
            rest_reply_error(response, 500, "out of memory");
            goto done;
        }
    }
    if (rest_config_name_put(patch.config, patch.name, response) != 0)
        goto done;
    rest_connector_write(request, response, patch.config, STATE_RUNNING, true);
done:
    pthread_mutex_unlock(request->changes);
    config_map_destroy(patch.config);
    json_decref(body);
}

/* ---- reads ------------------------------------------------------------------------------ */

static void rest_info_run(worker *running, void *argument)
{
    rest_lookup_run(running, argument, connector_view_info);
}

/* The start of the lookups by connector name. */
static void rest_lookup_start(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    (void)response;
    lookup->name = request->params[0];
    lookup->task = -1;
}

/* The finish of the lookups: 404 (Kafka Connect's message) or the answer. */
static void rest_lookup_finish(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    (void)request;
    if (!lookup->found)
        rest_not_found(response, lookup->name);
    else
        rest_reply_json(response, 200, lookup->answer);
}

const rest_async_handler rest_connector_info = {
    sizeof(rest_lookup), rest_lookup_start, rest_info_run, rest_lookup_finish,
};

static void rest_config_run(worker *running, void *argument)
{
    rest_lookup_run(running, argument, connector_view_config);
}

const rest_async_handler rest_connector_config_get = {
    sizeof(rest_lookup), rest_lookup_start, rest_config_run, rest_lookup_finish,
};

static void rest_status_run(worker *running, void *argument)
{
    rest_lookup_run(running, argument, connector_view_status);
}

static void rest_status_finish(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    if (!lookup->found)
        rest_reply_error(response, 404, "No status found for connector %s", lookup->name);
    else
        rest_lookup_finish(request, response, state);
}

const rest_async_handler rest_connector_status = {
    sizeof(rest_lookup), rest_lookup_start, rest_status_run, rest_status_finish,
};

static void rest_tasks_run(worker *running, void *argument)
{
    rest_lookup_run(running, argument, connector_view_task_configs);
}

static void rest_tasks_finish(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    (void)request;
    if (!lookup->found) {
        rest_not_found(response, lookup->name);
        return;
    }
    json_t *answer = json_array();
    size_t index;
    json_t *config;
    json_array_foreach(lookup->answer, index, config)
        json_array_append_new(answer, json_pack("{s:{s:s, s:i}, s:O}", "id", "connector",
                                                lookup->name, "task", (int)index, "config",
                                                config));
    json_decref(lookup->answer);
    rest_reply_json(response, 200, answer);
}

const rest_async_handler rest_connector_tasks = {
    sizeof(rest_lookup), rest_lookup_start, rest_tasks_run, rest_tasks_finish,
};

static void rest_tasks_config_finish(rest_request *request, rest_response *response,
                                     void *state)
{
    rest_lookup *lookup = state;
    (void)request;
    if (!lookup->found) {
        rest_not_found(response, lookup->name);
        return;
    }
    json_t *answer = json_object();
    size_t index;
    json_t *config;
    json_array_foreach(lookup->answer, index, config) {
        char id[512];
        snprintf(id, sizeof(id), "%s-%zu", lookup->name, index);
        json_object_set(answer, id, config);
    }
    json_decref(lookup->answer);
    rest_reply_json(response, 200, answer);
}

const rest_async_handler rest_connector_tasks_config = {
    sizeof(rest_lookup), rest_lookup_start, rest_tasks_run, rest_tasks_config_finish,
};

/* A task number of the path: digits only, as Kafka Connect's integer parameter. */
static int rest_task_id(const char *text)
{
    if (!text[0] || strlen(text) > 9 || strspn(text, "0123456789") != strlen(text))
        return -1;
    return atoi(text);
}

static void rest_task_status_run(worker *running, void *argument)
{
    rest_lookup *lookup = argument;
    connector_runtime *connector = worker_connector_find(running, lookup->name);
    if (!(lookup->found = connector != NULL))
        return;
    json_t *status = connector_view_status(running, connector);
    json_t *task = json_array_get(json_object_get(status, "tasks"), (size_t)lookup->task);
    lookup->answer = json_incref(task);
    json_decref(status);
}

static void rest_task_status_start(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    lookup->name = request->params[0];
    lookup->task = rest_task_id(request->params[1]);
    if (lookup->task < 0)
        rest_reply_error(response, 404, "HTTP 404 Not Found");
}

static void rest_task_status_finish(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    (void)request;
    if (!lookup->answer)
        rest_reply_error(response, 404, "No status found for task %s-%d", lookup->name,
                         lookup->task);
    else
        rest_reply_json(response, 200, lookup->answer);
}

const rest_async_handler rest_task_status = {
    sizeof(rest_lookup), rest_task_status_start, rest_task_status_run, rest_task_status_finish,
};

/* ---- lifecycle -------------------------------------------------------------------------- */

static void rest_restart_run(worker *running, void *argument)
{
    rest_lookup *lookup = argument;
    connector_runtime *connector = worker_connector_find(running, lookup->name);
    if (!(lookup->found = connector != NULL))
        return;
    bool plain = !lookup->include_tasks && !lookup->only_failed;
    if (!plain && lookup->task < 0)
        lookup->answer = connector_view_restart_plan(running, connector, lookup->include_tasks,
                                                     lookup->only_failed);
    lookup->rc = worker_connector_restart(running, lookup->name, lookup->include_tasks,
                                          lookup->only_failed, lookup->task, lookup->err,
                                          sizeof(lookup->err));
}

void rest_connector_restart(rest_request *request, rest_response *response)
{
    rest_lookup lookup = {.name = request->params[0], .task = -1};
    if (rest_query_bool(request, response, "includeTasks", false, &lookup.include_tasks) != 0 ||
        rest_query_bool(request, response, "onlyFailed", false, &lookup.only_failed) != 0)
        return;
    pthread_mutex_lock(request->changes);
    int rc = rest_call(request, response, rest_restart_run, &lookup);
    pthread_mutex_unlock(request->changes);
    if (rc != 0)
        return;
    if (!lookup.found)
        rest_not_found(response, lookup.name);
    else if (lookup.answer)
        rest_reply_json(response, 202, lookup.answer);
    else
        rest_reply_empty(response, 204);
}

void rest_task_restart(rest_request *request, rest_response *response)
{
    rest_lookup lookup = {.name = request->params[0], .task = rest_task_id(request->params[1])};
    if (lookup.task < 0) {
        rest_reply_error(response, 404, "HTTP 404 Not Found");
        return;
    }
    pthread_mutex_lock(request->changes);
    int rc = rest_call(request, response, rest_restart_run, &lookup);
    pthread_mutex_unlock(request->changes);
    if (rc != 0)
        return;
    if (!lookup.found)
        rest_not_found(response, lookup.name);
    else if (lookup.rc != 0)
        rest_reply_error(response, 404, "Task %s-%d not found", lookup.name, lookup.task);
    else
        rest_reply_empty(response, 204);
}

typedef struct rest_target {
    const char *name;
    runtime_state target;
    bool found;
    int rc;
    char err[512];
} rest_target;

static void rest_exists_run(worker *running, void *argument)
{
    rest_target *target = argument;
    target->found = worker_connector_find(running, target->name) != NULL;
}

static void rest_target_apply_run(worker *running, void *argument)
{
    rest_target *target = argument;
    target->rc = worker_connector_target_apply(running, target->name, target->target,
                                               target->err, sizeof(target->err));
}

/* Pause, resume, stop: stored, then applied. */
static void rest_connector_target(rest_request *request, rest_response *response,
                                  runtime_state state, unsigned success)
{
    rest_target target = {.name = request->params[0], .target = state};
    pthread_mutex_lock(request->changes);
    if (rest_call(request, response, rest_exists_run, &target) != 0)
        goto done;
    if (!target.found) {
        rest_not_found(response, target.name);
        goto done;
    }
    if (worker_connector_target_store(request->worker, target.name, state, target.err,
                                      sizeof(target.err)) != 0) {
        rest_reply_error(response, 500, "Failed to store the target state of connector %s: %s",
                         target.name, target.err);
        goto done;
    }
    if (rest_call(request, response, rest_target_apply_run, &target) != 0)
        goto done;
    if (target.rc != 0)
        rest_not_found(response, target.name);
    else
        rest_reply_empty(response, success);
done:
    pthread_mutex_unlock(request->changes);
}

void rest_connector_pause(rest_request *request, rest_response *response)
{
    rest_connector_target(request, response, STATE_PAUSED, 202);
}

void rest_connector_resume(rest_request *request, rest_response *response)
{
    rest_connector_target(request, response, STATE_RUNNING, 202);
}

void rest_connector_stop(rest_request *request, rest_response *response)
{
    rest_connector_target(request, response, STATE_STOPPED, 204);
}

static void rest_remove_run(worker *running, void *argument)
{
    rest_target *target = argument;
    target->rc = worker_connector_remove(running, target->name, target->err,
                                         sizeof(target->err));
}

void rest_connector_delete(rest_request *request, rest_response *response)
{
    rest_target target = {.name = request->params[0]};
    pthread_mutex_lock(request->changes);
    if (rest_call(request, response, rest_exists_run, &target) != 0)
        goto done;
    if (!target.found) {
        rest_not_found(response, target.name);
        goto done;
    }
    if (worker_connector_delete_store(request->worker, target.name, target.err,
                                      sizeof(target.err)) != 0) {
        rest_reply_error(response, 500, "Failed to delete connector %s: %s", target.name,
                         target.err);
        goto done;
    }
    if (rest_call(request, response, rest_remove_run, &target) != 0)
        goto done;
    if (target.rc != 0)
        rest_not_found(response, target.name);
    else
        rest_reply_empty(response, 204);
done:
    pthread_mutex_unlock(request->changes);
}

/* ---- active topics ---------------------------------------------------------------------- */

static void rest_topics_run(worker *running, void *argument)
{
    rest_lookup *lookup = argument;
    if (!(lookup->found = worker_connector_find(running, lookup->name) != NULL))
        return;
    if (lookup->include_tasks) /* reset */
        worker_connector_active_topics_reset(running, lookup->name);
    else
        lookup->answer = worker_connector_active_topics(running, lookup->name);
}

static void rest_topics_finish(rest_request *request, rest_response *response, void *state)
{
    rest_lookup *lookup = state;
    (void)request;
    if (!lookup->found) {
        rest_not_found(response, lookup->name);
        return;
    }
    rest_reply_json(response, 200, json_pack("{s:{s:o}}", lookup->name, "topics",
                                             lookup->answer ? lookup->answer : json_array()));
}

const rest_async_handler rest_connector_topics = {
    sizeof(rest_lookup), rest_lookup_start, rest_topics_run, rest_topics_finish,
};

void rest_connector_topics_reset(rest_request *request, rest_response *response)
{
    rest_lookup lookup = {.name = request->params[0], .include_tasks = true};
    if (rest_call(request, response, rest_topics_run, &lookup) != 0)
        return;
    if (!lookup.found)
        rest_not_found(response, lookup.name);
    else
        rest_reply_empty(response, 202);
}
