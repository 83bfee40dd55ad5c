/*
 * rest_http.h - what a REST handler sees: the request (method, decoded path parameters and query
 * arguments, the body) and the response it fills (status, JSON or text body, a few headers);
 * the JSON helpers every resource answers with, Kafka Connect's {"error_code","message"} errors
 * included; rest_call, the one way a handler reads the worker (on its control thread); and
 * rest_reply_herder, which maps a herder's result to HTTP: connector changes go through the
 * herder only. Handlers run on the REST server's threads.
 */
#ifndef FERRY_REST_HTTP_H
#define FERRY_REST_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "herder/herder.h"
#include "runtime/worker.h"

#define REST_MAX_PARAMS 2
#define REST_MAX_QUERY_ARGS 32

/* How long a read waits for the control thread to take it before answering 500 "Request timed
 * out", as Kafka Connect does after its request timeout (90 s there; shorter here because a
 * standalone worker has no rebalance to wait for). */
#define REST_CALL_TIMEOUT_MS 30000

typedef struct rest_query_arg {
    char *key;   /* percent-decoded */
    char *value; /* percent-decoded; "" for a key without '=' */
} rest_query_arg;

typedef struct rest_request {
    const char *method;
    const char *path;                  /* as received (still %-encoded), without the query */
    const char *query;                 /* as received, without the '?'; "" when none */
    char *params[REST_MAX_PARAMS];     /* decoded {placeholders} of the matched route */
    rest_query_arg args[REST_MAX_QUERY_ARGS];
    size_t arg_count;
    const char *content_type;          /* NULL when absent, likewise the headers below */
    const char *authorization;         /* relayed when the request is forwarded */
    const char *signature;             /* X-Connect-Authorization (internal requests) */
    const char *signature_algorithm;   /* X-Connect-Request-Signature-Algorithm */
    const char *body;                  /* NUL-terminated; NULL when there was none */
    size_t body_len;
    worker *worker;
    herder *herder; /* the owner of every connector change */
} rest_request;

typedef struct rest_response {
    unsigned status;
    char *body;               /* malloc'd, or NULL for none */
    size_t body_len;
    const char *content_type; /* static, or relayed_type */
    char *relayed_type;       /* malloc'd Content-Type of a forwarded request's answer */
    char *location;           /* malloc'd Location header, or NULL */
    char allow[96];           /* Allow header of a 405 answer; "" for none */
    /* Set (malloc'd) by rest_reply_herder when the change completed with HERDER_NOT_LEADER:
     * the leader's URL ("" when none is known). The server then calls rest_forward. */
    char *forward_to;
    /* Set by the console (rest_console.c), kept by the rest_reply_* calls: */
    const char *etag;          /* static ETag header, or NULL */
    const char *cache_control; /* static Cache-Control; NULL: no-store */
    bool page;                 /* a console answer: gets the browser security headers */
} rest_response;

void rest_response_clear(rest_response *response);

/* The first value of a query argument, or NULL. */
const char *rest_query_get(const rest_request *request, const char *key);
/* A boolean query argument as Kafka Connect (Jersey) reads one: absent or blank gives fallback (the
 * parameter's default), otherwise Java's Boolean.parseBoolean: "true" in any case is true,
 * anything else ("yes", "1", "TRUE ") is false. Never an error. */
bool rest_query_bool(const rest_request *request, const char *key, bool fallback);

/* Answers status with body as compact JSON; takes the reference (NULL answers 500). */
void rest_reply_json(rest_response *response, unsigned status, json_t *body);
/* Answers status without a body (204, 202). */
void rest_reply_empty(rest_response *response, unsigned status);
/* Answers {"error_code": status, "message": ...}. */
void rest_reply_error(rest_response *response, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers text/plain (the Prometheus format); takes ownership of text. */
void rest_reply_text(rest_response *response, unsigned status, char *text, size_t len,
                     const char *content_type);

/* The body as JSON. NULL after answering 400 with what is wrong (no body, malformed JSON with
 * line and column, or not of the expected type: JSON_OBJECT or JSON_ARRAY, -1 for any). */
json_t *rest_body_json(const rest_request *request, rest_response *response, int expected_type);

/* Runs fn(worker, argument) on the control thread. 0 when it ran; otherwise -1 after answering
 * 503 (the worker is shutting down) or 500 (the control thread did not take it in time). */
int rest_call(const rest_request *request, rest_response *response, worker_command_fn fn,
              void *argument);

/* A waiter for one herder change (herder_waiter_done is its callback); NULL after answering
 * 500 (out of memory). */
herder_waiter *rest_waiter(rest_response *response);
/* Waits for the change of waiter, destroys the waiter and answers from the result: HERDER_OK
 * with success (its answer as the body, else {"message"} when it has one, else no body),
 * HERDER_CREATED with 201, an error with Kafka Connect's error body: NOT_FOUND 404, EXISTS and
 * REBALANCING 409, INVALID 400, FORBIDDEN 403, UNAVAILABLE 503, TIMED_OUT and FAILED 500.
 * NOT_LEADER sets response->forward_to: the server forwards the request (rest_forward).
 * Returns the status. */
herder_status rest_reply_herder(rest_response *response, herder_waiter *waiter,
                                unsigned success);

/* For the server, after a blocking handler left response->forward_to set: forwards the request
 * as it came to the leader and answers with the leader's answer (Kafka Connect's
 * HerderRequestHandler), or 409 when it may not be forwarded (it already was: forward=false) or
 * no leader is known, or 500 when the leader cannot be reached in time (rest_forward.c). */
void rest_forward(const rest_request *request, rest_response *response);

/* A handler; the router fills request->params. It may block (on the control thread, on
 * Kafka): the server runs it on a thread of its own. */
typedef void (*rest_handler)(rest_request *request, rest_response *response);

/* A handler in three steps, for the reads the API serves most, which never block a thread:
 * start checks the request and fills state (answering ends the request there), run fills state
 * on the control thread, finish answers from state and releases what state holds. start and
 * finish run on the server's event threads. */
typedef struct rest_async_handler {
    size_t state_size;
    void (*start)(rest_request *request, rest_response *response, void *state);
    worker_command_fn run;
    void (*finish)(rest_request *request, rest_response *response, void *state);
} rest_async_handler;

/* Runs an async handler's three steps on the calling thread (rest_call for the middle one). */
void rest_async_run_blocking(const rest_async_handler *handler, rest_request *request,
                             rest_response *response);

#endif
