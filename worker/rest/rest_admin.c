/*
 * rest_admin.c - GET / (server info), GET /health (KIP-1017) and /admin/loggers.
 *
 * GET / reports as "version" the Kafka Connect release whose REST API ferry implements, because
 * tools decide from it which endpoints exist; ferry's own version is in "commit" and
 * "ferry_version". Loggers are log.h's named loggers: root, ferry's log scopes and connector
 * names.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "rest/rest_resources.h"

#ifndef FERRY_VERSION
#define FERRY_VERSION "unknown"
#endif

#define REST_CONNECT_API_VERSION "3.9.0"
/* Kafka Connect gives its health check 10 s to reach the herder. */
#define REST_HEALTH_TIMEOUT_MS 10000

void rest_root(rest_request *request, rest_response *response)
{
    rest_reply_json(response, 200,
                    json_pack("{s:s, s:s, s:s, s:s}", "version", REST_CONNECT_API_VERSION,
                              "commit", "ferry-" FERRY_VERSION, "kafka_cluster_id",
                              worker_kafka_cluster_id(request->worker), "ferry_version",
                              FERRY_VERSION));
}

static void rest_health_run(worker *running, void *argument)
{
    (void)running;
    *(bool *)argument = true;
}

void rest_health(rest_request *request, rest_response *response)
{
    if (!worker_is_running(request->worker) || !herder_is_ready(request->herder)) {
        rest_reply_json(response, 503, json_pack("{s:s, s:s}", "status", "starting", "message",
                                                 "Worker is still starting up."));
        return;
    }
    /* A round trip through the control loop, as Kafka Connect's check goes through its
     * herder: a loop stuck on something answers unhealthy. */
    bool answered = false;
    int rc = worker_call_timeout(request->worker, rest_health_run, &answered,
                                 REST_HEALTH_TIMEOUT_MS);
    if (rc == 0 && answered) {
        rest_reply_json(response, 200,
                        json_pack("{s:s, s:s}", "status", "healthy", "message",
                                  "Worker has completed startup and is ready to handle "
                                  "requests."));
        return;
    }
    rest_reply_json(response, rc == -1 ? 503 : 500,
                    json_pack("{s:s, s:s}", "status", "unhealthy", "message",
                              rc == -1 ? "Worker is shutting down."
                                       : "Worker was unable to handle this request and may be "
                                         "unable to handle other requests."));
}

static json_t *rest_logger_json(const log_logger_info *logger)
{
    return json_pack("{s:s, s:o}", "level", log_level_name(logger->level), "last_modified",
                     logger->modified_ms ? json_integer(logger->modified_ms) : json_null());
}

void rest_loggers_list(rest_request *request, rest_response *response)
{
    (void)request;
    log_logger_info loggers[LOG_LISTED_MAX];
    size_t count = log_loggers(loggers, LOG_LISTED_MAX);
    json_t *answer = json_object();
    for (size_t i = 0; i < count; i++)
        json_object_set_new(answer, loggers[i].name, rest_logger_json(&loggers[i]));
    rest_reply_json(response, 200, answer);
}

void rest_logger_get(rest_request *request, rest_response *response)
{
    log_logger_info logger;
    if (!log_logger_get(request->params[0], &logger)) {
        rest_reply_error(response, 404, "Logger %s not found.", request->params[0]);
        return;
    }
    rest_reply_json(response, 200, rest_logger_json(&logger));
}

/* A log4j level name as one of ferry's: OFF and FATAL keep errors, ALL is trace. */
static int rest_level_parse(const char *text, ferry_log_level *level)
{
    if (strcasecmp(text, "OFF") == 0 || strcasecmp(text, "FATAL") == 0) {
        *level = FERRY_LOG_ERROR;
        return 0;
    }
    if (strcasecmp(text, "ALL") == 0) {
        *level = FERRY_LOG_TRACE;
        return 0;
    }
    return log_level_parse(text, level);
}

void rest_logger_put(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    if (!body)
        return;
    const char *scope = rest_query_get(request, "scope");
    const char *text = json_string_value(json_object_get(body, "level"));
    ferry_log_level level;
    if (!text) {
        rest_reply_error(response, 400, "Desired 'level' parameter was not specified in "
                         "request.");
    } else if (rest_level_parse(text, &level) != 0) {
        rest_reply_error(response, 404, "invalid log level '%s'.", text);
    } else if (log_logger_set(request->params[0], level) != 0) {
        rest_reply_error(response, 400, "Logger %s cannot be set: names are 1 to %d bytes and "
                         "at most %d loggers may be set", request->params[0],
                         LOG_LOGGER_NAME_MAX - 1, LOG_LOGGERS_MAX);
    } else {
        log_info("rest", "logger %s set to %s through the REST API", request->params[0],
                 log_level_name(level));
        /* In standalone mode this worker is the cluster: scope=cluster answers as Kafka
         * Connect does for it, 204. Otherwise the loggers that changed: this one and those
         * below it (every one for root). */
        if (scope && strcasecmp(scope, "cluster") == 0) {
            rest_reply_empty(response, 204);
        } else {
            const char *name = request->params[0];
            size_t len = strlen(name);
            bool root = strcmp(name, LOG_ROOT_LOGGER) == 0;
            log_logger_info loggers[LOG_LISTED_MAX];
            size_t count = log_loggers(loggers, LOG_LISTED_MAX);
            json_t *changed = json_array();
            for (size_t i = 0; i < count; i++)
                if (root || strcmp(loggers[i].name, name) == 0 ||
                    (strncmp(loggers[i].name, name, len) == 0 && loggers[i].name[len] == '.'))
                    json_array_append_new(changed, json_string(loggers[i].name));
            rest_reply_json(response, 200, changed);
        }
    }
    json_decref(body);
}
