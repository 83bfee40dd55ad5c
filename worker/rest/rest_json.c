/*
 * rest_json.c - JSON answers and Kafka Connect's errors, request bodies and query arguments, and
 * the bridge to the worker's control thread.
 */
#include "rest/rest_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REST_JSON_TYPE "application/json"

void rest_response_clear(rest_response *response)
{
    free(response->body);
    free(response->location);
    free(response->relayed_type);
    free(response->forward_to);
    response->body = NULL;
    response->body_len = 0;
    response->location = NULL;
    response->relayed_type = NULL;
    response->forward_to = NULL;
    response->allow[0] = '\0';
    response->content_type = NULL;
}

const char *rest_query_get(const rest_request *request, const char *key)
{
    for (size_t i = 0; i < request->arg_count; i++)
        if (strcmp(request->args[i].key, key) == 0)
            return request->args[i].value;
    return NULL;
}

bool rest_query_bool(const rest_request *request, const char *key, bool fallback)
{
    const char *value = rest_query_get(request, key);
    /* Jersey trims as String.trim does (every character up to the space) before it decides
     * that a value is blank, but parses the untrimmed value. */
    bool blank = true;
    for (const char *c = value; c && *c && blank; c++)
        blank = (unsigned char)*c <= ' ';
    if (blank)
        return fallback;
    return strcasecmp(value, "true") == 0;
}

void rest_reply_json(rest_response *response, unsigned status, json_t *body)
{
    rest_response_clear(response);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(body);
    if (!text) {
        static const char failure[] = "{\"error_code\":500,\"message\":\"out of memory\"}";
        response->status = 500;
        response->body = strdup(failure);
        response->body_len = response->body ? strlen(failure) : 0;
        response->content_type = REST_JSON_TYPE;
        return;
    }
    response->status = status;
    response->body = text;
    response->body_len = strlen(text);
    response->content_type = REST_JSON_TYPE;
}

void rest_reply_empty(rest_response *response, unsigned status)
{
    rest_response_clear(response);
    response->status = status;
}

void rest_reply_error(rest_response *response, unsigned status, const char *fmt, ...)
{
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    rest_reply_json(response, status,
                    json_pack("{s:i, s:s}", "error_code", (int)status, "message", message));
}

void rest_reply_text(rest_response *response, unsigned status, char *text, size_t len,
                     const char *content_type)
{
    rest_response_clear(response);
    if (!text) {
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    response->status = status;
    response->body = text;
    response->body_len = len;
    response->content_type = content_type;
}

json_t *rest_body_json(const rest_request *request, rest_response *response, int expected_type)
{
    if (!request->body || request->body_len == 0) {
        rest_reply_error(response, 400, "The request body is empty; expected a JSON %s",
                         expected_type == JSON_ARRAY ? "array" : "object");
        return NULL;
    }
    json_error_t error;
    json_t *body = json_loadb(request->body, request->body_len, JSON_DECODE_ANY, &error);
    if (!body) {
        rest_reply_error(response, 400, "Malformed JSON in the request body at line %d, column "
                         "%d: %s", error.line, error.column, error.text);
        return NULL;
    }
    if (expected_type >= 0 && json_typeof(body) != (json_type)expected_type) {
        json_decref(body);
        rest_reply_error(response, 400, "The request body must be a JSON %s",
                         expected_type == JSON_ARRAY ? "array" : "object");
        return NULL;
    }
    return body;
}

int rest_call(const rest_request *request, rest_response *response, worker_command_fn fn,
              void *argument)
{
    int rc = worker_call_timeout(request->worker, fn, argument, REST_CALL_TIMEOUT_MS);
    if (rc == 0)
        return 0;
    if (rc == WORKER_CALL_TIMED_OUT)
        rest_reply_error(response, 500, "Request timed out");
    else
        rest_reply_error(response, 503, "The worker is shutting down");
    return -1;
}

herder_waiter *rest_waiter(rest_response *response)
{
    herder_waiter *waiter = herder_waiter_new();
    if (!waiter)
        rest_reply_error(response, 500, "out of memory");
    return waiter;
}

static unsigned rest_herder_http_status(herder_status status, unsigned success)
{
    switch (status) {
    case HERDER_OK:
        return success;
    case HERDER_CREATED:
        return 201;
    case HERDER_NOT_FOUND:
        return 404;
    case HERDER_EXISTS:
    case HERDER_REBALANCING:
    case HERDER_NOT_LEADER: /* forwarded (rest_forward), or 409 when it may not be */
        return 409;
    case HERDER_FORBIDDEN:
        return 403;
    case HERDER_INVALID:
        return 400;
    case HERDER_UNAVAILABLE:
        return 503;
    case HERDER_TIMED_OUT:
    case HERDER_FAILED:
        break;
    }
    return 500;
}

herder_status rest_reply_herder(rest_response *response, herder_waiter *waiter,
                                unsigned success)
{
    herder_result result;
    herder_wait(waiter, &result);
    herder_waiter_destroy(waiter);
    unsigned status = rest_herder_http_status(result.status, success);
    if (result.status != HERDER_OK && result.status != HERDER_CREATED)
        rest_reply_error(response, status, "%s", result.message);
    else if (result.answer)
        rest_reply_json(response, status, json_incref(result.answer));
    else if (result.message[0])
        rest_reply_json(response, status, json_pack("{s:s}", "message", result.message));
    else
        rest_reply_empty(response, status);
    if (result.status == HERDER_NOT_LEADER) {
        response->forward_to = strdup(result.leader_url);
        if (!response->forward_to)
            rest_reply_error(response, 500, "out of memory");
    }
    herder_status outcome = result.status;
    herder_result_clear(&result);
    return outcome;
}

void rest_async_run_blocking(const rest_async_handler *handler, rest_request *request,
                             rest_response *response)
{
    void *state = calloc(1, handler->state_size);
    if (!state) {
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    handler->start(request, response, state);
    if (response->status == 0 && rest_call(request, response, handler->run, state) == 0)
        handler->finish(request, response, state);
    free(state);
}
