/*
 * cluster_client.h - the HTTP client between the workers of a cluster (libcurl): a follower
 * forwarding a user's request to the leader, and a connector's owner handing the leader its task
 * configs (Kafka Connect's internal POST /connectors/{c}/tasks, signed as KIP-507 says).
 *
 * Every call is blocking and bounded by its timeout, and thread-safe: each uses a libcurl handle
 * of its own. What a call receives is borrowed for the call.
 */
#ifndef FERRY_CLUSTER_CLIENT_H
#define FERRY_CLUSTER_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "support/strbuf.h"

typedef struct cluster_client_request {
    const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" */
    const char *url;    /* base URL, path and query, already encoded */
    /* Headers to send, "Name: value" each, NULL-terminated; NULL for none. Without a
     * Content-Type here none is sent (libcurl would otherwise invent a form's). */
    const char *const *headers;
    const void *body; /* NULL with body_len 0: no body */
    size_t body_len;
    int timeout_ms;         /* the whole exchange; > 0 */
    int connect_timeout_ms; /* connecting only; 0: timeout_ms */
    const atomic_bool *stop; /* NULL, or once true the exchange gives up (within a second) */
} cluster_client_request;

typedef struct cluster_client_response {
    long status;         /* the HTTP status */
    strbuf body;         /* the body as received (NUL-terminated once anything came) */
    char content_type[128]; /* the Content-Type header, "" when absent */
    char location[1024];    /* the Location header, "" when absent */
} cluster_client_response;

/* Frees what a response holds and zeroes it; accepts a zeroed one. */
void cluster_client_response_clear(cluster_client_response *response);

/* Sends request and fills response (cleared first) with whatever status the server answered.
 * 0, or -1 with err naming the method, the URL and the cause (connection refused, timed out,
 * ...) when no answer came. */
int cluster_client_send(const cluster_client_request *request,
                        cluster_client_response *response, char *err, size_t errlen);

/* Signs body (the exact bytes sent) with the cluster's current session key: writes the
 * algorithm's Java name into algorithm (CLUSTER_CLIENT_ALGORITHM_MAX bytes) and the
 * X-Connect-Authorization value into signature (REQUEST_SIGNATURE_TEXT_MAX bytes). 0, or -1
 * with err (no key known, say). Called before every attempt, so that a retry signs with the
 * key read since the last one. */
#define CLUSTER_CLIENT_ALGORITHM_MAX 32
typedef int (*cluster_client_sign_fn)(void *opaque, const void *body, size_t body_len,
                                      char *algorithm, char *signature, char *err,
                                      size_t errlen);

/* A signer for a caller that holds one key: opaque is a cluster_client_fixed_key. */
typedef struct cluster_client_fixed_key {
    const char *algorithm; /* e.g. HmacSHA256 */
    const unsigned char *key;
    size_t key_len;
} cluster_client_fixed_key;
int cluster_client_sign_fixed(void *opaque, const void *body, size_t body_len,
                              char *algorithm, char *signature, char *err, size_t errlen);

typedef struct cluster_client_tasks {
    const char *leader_url; /* "http://host:port/" (a trailing '/' or not) */
    const char *connector;  /* encoded into the path by the client */
    const char *configs;    /* the JSON array of task configs (objects of strings), sent as is */
    size_t configs_len;
    cluster_client_sign_fn sign;
    void *sign_opaque;
    int timeout_ms;     /* each attempt */
    const atomic_bool *stop; /* NULL, or set to give up retrying (the worker stops) */
} cluster_client_tasks;

/* Kafka Connect's internal request POST {leader}/connectors/{connector}/tasks: the task configs
 * signed (X-Connect-Authorization, X-Connect-Request-Signature-Algorithm) over the exact body
 * bytes. A 403 is retried, signed anew, with a growing pause while
 * request_signature_retry_forbidden allows (the leader may have rotated the key this worker has
 * not read yet). 0 when the leader answered 2xx; otherwise -1 with err saying what the leader
 * answered (status and message) or why it could not be reached; *status (when not NULL) gets
 * the last HTTP status, 0 when none came. */
int cluster_client_tasks_put(const cluster_client_tasks *request, long *status, char *err,
                             size_t errlen);

#endif
