/*
 * rest_connectors.c - /connectors: list (with expand), create, info, config (GET, PUT, PATCH),
 * status, restart, pause, resume, stop, tasks, task status and restart, delete, active topics;
 * and the internal request between workers that hands the leader a connector's task configs.
 *
 * Reads run one function on the control thread and serialise the answer on the event thread;
 * the views they answer with are connector_view's. A change parses the request (body, path,
 * query), calls the herder and maps its result to HTTP: the herder owns every rule of a change.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_resources.h"
#include "runtime/connector_view.h"

/* ---- shared pieces (control thread) ----------------------------------------------------- */

/* One connector looked up by name: the answer to build, or not found. */
typedef struct rest_lookup {
    const char *name;
    json_t *answer;
    bool found;
    int task; /* for task routes */
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
    static const runtime_state states[] = {STATE_RUNNING, STATE_PAUSED, STATE_STOPPED};
    *state = STATE_RUNNING;
    if (!value || json_is_null(value))
        return 0;
    const char *text = json_string_value(value);
    for (size_t i = 0; text && i < sizeof(states) / sizeof(states[0]); i++) {
        if (strcmp(text, runtime_state_name(states[i])) == 0) {
            *state = states[i];
            return 0;
        }
    }
    rest_reply_error(response, 400, "Invalid initial_state %s%s%s: expected RUNNING, PAUSED or "
                     "STOPPED", text ? "'" : "", text ? text : "(not a string)", text ? "'" : "");
    return -1;
}

/* Puts config through the herder and answers 201 with a Location, or 200, or the error. */
static void rest_connector_put(rest_request *request, rest_response *response,
                               const config_map *config, runtime_state initial,
                               bool allow_replace)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_put(request->herder, config, initial, allow_replace, herder_waiter_done,
                         waiter);
    if (rest_reply_herder(response, waiter, 200) == HERDER_CREATED &&
        asprintf(&response->location, "/connectors/%s", config_map_get(config, "name")) < 0)
        response->location = NULL;
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
    if (rest_config_name_put(config, start, response) == 0)
        rest_connector_put(request, response, config, initial, false);
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
    if (config && rest_config_name_put(config, request->params[0], response) == 0)
        rest_connector_put(request, response, config, STATE_RUNNING, true);
    config_map_destroy(config);
    json_decref(body);
}

void rest_connector_config_patch(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    herder_waiter *waiter = body ? rest_waiter(response) : NULL;
    if (waiter) {
        herder_connector_patch(request->herder, request->params[0], body, herder_waiter_done,
                               waiter);
        rest_reply_herder(response, waiter, 200);
    }
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

/* ---- task configs sent to the leader (internal) ------------------------------------------ */

/* Kafka Connect's body of the request: a JSON array of objects whose values are strings. 0, or
 * -1 after a 400 naming what is wrong. */
static int rest_task_configs_check(json_t *configs, rest_response *response)
{
    size_t index;
    json_t *config;
    json_array_foreach(configs, index, config) {
        if (!json_is_object(config)) {
            rest_reply_error(response, 400, "Task configuration %zu must be a JSON object of "
                             "strings", index);
            return -1;
        }
        const char *key;
        json_t *value;
        json_object_foreach(config, key, value) {
            if (!json_is_string(value)) {
                rest_reply_error(response, 400, "Task configuration %zu: the value of '%s' "
                                 "must be a string", index, key);
                return -1;
            }
        }
    }
    return 0;
}

void rest_connector_tasks_put(rest_request *request, rest_response *response)
{
    json_t *configs = rest_body_json(request, response, JSON_ARRAY);
    if (!configs)
        return;
    herder_waiter *waiter = rest_task_configs_check(configs, response) == 0
                                ? rest_waiter(response)
                                : NULL;
    if (waiter) {
        /* The signature covers the bytes received, not a re-encoding of what they parse to. */
        herder_signed signature = {
            .algorithm = request->signature_algorithm, .signature = request->signature,
            .body = request->body, .body_len = request->body_len,
        };
        herder_tasks_put(request->herder, request->params[0], configs, &signature,
                         herder_waiter_done, waiter);
        rest_reply_herder(response, waiter, 204);
    }
    json_decref(configs);
}

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

void rest_connector_restart(rest_request *request, rest_response *response)
{
    bool include_tasks = rest_query_bool(request, "includeTasks", false);
    bool only_failed = rest_query_bool(request, "onlyFailed", false);
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_restart(request->herder, request->params[0], -1, include_tasks,
                             only_failed, herder_waiter_done, waiter);
    /* With either flag, the answer is the restart plan: 202 and the plan; without, 204. */
    rest_reply_herder(response, waiter, include_tasks || only_failed ? 202 : 204);
}

void rest_task_restart(rest_request *request, rest_response *response)
{
    int task = rest_task_id(request->params[1]);
    if (task < 0) {
        rest_reply_error(response, 404, "HTTP 404 Not Found");
        return;
    }
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_restart(request->herder, request->params[0], task, false, false,
                             herder_waiter_done, waiter);
    rest_reply_herder(response, waiter, 204);
}

/* Pause, resume, stop. */
static void rest_connector_target(rest_request *request, rest_response *response,
                                  runtime_state target, unsigned success)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_target(request->herder, request->params[0], target, herder_waiter_done,
                            waiter);
    rest_reply_herder(response, waiter, success);
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

void rest_connector_delete(rest_request *request, rest_response *response)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_delete(request->herder, request->params[0], herder_waiter_done, waiter);
    rest_reply_herder(response, waiter, 204);
}

/* ---- active topics ---------------------------------------------------------------------- */

static void rest_topics_run(worker *running, void *argument)
{
    rest_lookup *lookup = argument;
    if ((lookup->found = worker_connector_find(running, lookup->name) != NULL))
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

/* KIP-618's fencing round on request (herder_connector_fence): 204 when done. */
void rest_connector_fence(rest_request *request, rest_response *response)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_fence(request->herder, request->params[0], herder_waiter_done, waiter);
    rest_reply_herder(response, waiter, 204);
}

void rest_connector_topics_reset(rest_request *request, rest_response *response)
{
    herder_waiter *waiter = rest_waiter(response);
    if (!waiter)
        return;
    herder_connector_topics_reset(request->herder, request->params[0], herder_waiter_done,
                                  waiter);
    rest_reply_herder(response, waiter, 202);
}
