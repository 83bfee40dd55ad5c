/*
 * rest_admin.c - GET / (server info), GET /health (KIP-1017) and /admin/loggers.
 *
 * GET / reports as "version" the Kafka Connect release whose REST API ferry implements, because
 * tools decide from it which endpoints exist; ferry's own version is in "commit" and
 * "ferry_version". ferry has one logger, "root": its level is the worker's log level.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "rest/rest_resources.h"

#ifndef FERRY_VERSION
#define FERRY_VERSION "unknown"
#endif

#define REST_CONNECT_API_VERSION "3.9.0"
/* Kafka Connect gives its health check 10 s to reach the herder. */
#define REST_HEALTH_TIMEOUT_MS 10000
#define REST_ROOT_LOGGER "root"

/* When the root level was last set through the API (ms since the epoch), 0 = never. */
static atomic_llong rest_logger_modified_ms;

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
    if (!worker_is_running(request->worker)) {
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

static json_t *rest_logger_json(void)
{
    long long modified = atomic_load(&rest_logger_modified_ms);
    return json_pack("{s:s, s:o}", "level", log_level_name(log_max_level()), "last_modified",
                     modified ? json_integer(modified) : json_null());
}

void rest_loggers_list(rest_request *request, rest_response *response)
{
    (void)request;
    rest_reply_json(response, 200, json_pack("{s:o}", REST_ROOT_LOGGER, rest_logger_json()));
}

void rest_logger_get(rest_request *request, rest_response *response)
{
    if (strcasecmp(request->params[0], REST_ROOT_LOGGER) != 0) {
        rest_reply_error(response, 404, "Logger %s not found.", request->params[0]);
        return;
    }
    rest_reply_json(response, 200, rest_logger_json());
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
    } else if (strcasecmp(request->params[0], REST_ROOT_LOGGER) != 0) {
        rest_reply_error(response, 404, "Logger %s not found: ferry has one logger, root, "
                         "whose level is the worker's", request->params[0]);
    } else {
        /* log.h has no setter for the level alone; the worker logs to stderr. */
        log_configure(stderr, level);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        atomic_store(&rest_logger_modified_ms,
                     (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
        log_info("rest", "log level set to %s through the REST API", log_level_name(level));
        /* In standalone mode this worker is the cluster: scope=cluster answers as Kafka
         * Connect does for it, 204. */
        if (scope && strcasecmp(scope, "cluster") == 0)
            rest_reply_empty(response, 204);
        else
            rest_reply_json(response, 200, json_pack("[s]", REST_ROOT_LOGGER));
    }
    json_decref(body);
}
