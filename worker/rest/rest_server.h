/*
 * rest_server.h - the REST API server: ferry's own HTTP server (docs/rest-http.md) with a few
 * event threads (docs/architecture.md says why), authentication, a request body limit, and
 * dispatch to the routes of rest_router.c. Handlers read the worker only through worker_call and
 * worker_post, and change connectors only through the herder.
 */
#ifndef FERRY_REST_SERVER_H
#define FERRY_REST_SERVER_H

#include <stddef.h>

#include "herder/herder.h"
#include "runtime/worker.h"

typedef struct rest_server rest_server;

/* Starts listening as the worker's config says (listeners, listeners.https.*, rest.*), with
 * changes as the herder of connector changes (running and changes are borrowed: they must
 * outlive the server). NULL with a message when a listener cannot be bound or the TLS or
 * authentication settings are wrong: the worker must not run without the API it was asked
 * for. */
rest_server *rest_server_start(worker *running, herder *changes, char *err, size_t errlen);
/* The worker is about to stop (before worker_shutdown): new connections are refused, every
 * answer from now on closes its connection, and the call waits until no connection is open or
 * grace_ms passed, while the control loop still answers. Accepts NULL. */
void rest_server_drain(rest_server *server, int grace_ms);
/* Stops accepting, waits for the requests in progress, frees; accepts NULL. Call before
 * herder_destroy and worker_destroy, once worker_run has returned (requests then get 503
 * quickly). */
void rest_server_stop(rest_server *server);

#endif
