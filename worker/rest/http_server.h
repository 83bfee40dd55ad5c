/*
 * http_server.h - a small HTTP/1.1 server (docs/rest-http.md): listeners on IPv4 or IPv6, plain
 * or TLS (GnuTLS), a few epoll event threads that never block, connections bounded in number
 * (in total and per client address) and in time (deadlines for the head and the body, an idle
 * timeout), Kafka Connect's JSON errors for everything the HTTP layer refuses itself, and a
 * thread-safe way to answer a request later from any thread.
 */
#ifndef FERRY_REST_HTTP_SERVER_H
#define FERRY_REST_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rest/http_parser.h"

typedef struct http_server http_server;
/* One request and its answer. Borrowed by the handler from the head callback until it calls
 * http_exchange_respond; valid again in the complete callback. */
typedef struct http_exchange http_exchange;

typedef struct http_listen {
    const char *name;               /* for messages: "http://127.0.0.1:8083" */
    const struct sockaddr *address; /* port 0: any free port (http_server_port) */
    socklen_t address_len;
    bool https;
} http_listen;

typedef struct http_tls_material {
    const char *certificate;  /* PEM chain */
    const char *key;          /* PEM private key */
    const char *key_password; /* NULL when the key is not encrypted */
    const char *priorities;   /* GnuTLS priority string; NULL: "NORMAL" */
} http_tls_material;

/* Callbacks, on an event thread; none may block. */
typedef struct http_handler {
    void *context;
    /* The head is in, the body not yet: checks that need no body. Answering here refuses the
     * request: its body is read and dropped (or the connection closes after the answer). */
    void (*head)(void *context, http_exchange *exchange);
    /* The whole request is in (not called when head answered or the body was refused). The
     * handler answers now or later, from any thread. */
    void (*request)(void *context, http_exchange *exchange);
    /* After http_exchange_resume, on the exchange's event thread: the handler goes on with it
     * there (typically answers); may be NULL when resume is never called. */
    void (*resumed)(void *context, http_exchange *exchange);
    /* Once per exchange, after its answer was written (written true) or could not be (the
     * connection is gone, or the server stops): the exchange is freed after it. */
    void (*complete)(void *context, http_exchange *exchange, unsigned status, bool written);
} http_handler;

typedef struct http_server_config {
    const http_listen *listeners;
    size_t listener_count;
    const http_tls_material *tls; /* for https listeners; may be NULL when there are none */
    size_t max_body;              /* larger: 413 */
    size_t drain_max;             /* a refused body up to this is read before the 413 */
    unsigned threads;             /* event threads, 1 to 16 */
    unsigned max_connections;     /* in total */
    unsigned max_per_address;     /* from one client address */
    int head_timeout_ms;          /* request line and headers (and TLS handshake) */
    int body_timeout_ms;          /* the body, from the end of the head */
    int idle_timeout_ms;          /* between requests on a kept-alive connection */
    int write_timeout_ms;         /* an answer being written */
} http_server_config;

/* Binds every listener and starts the event threads; handler is copied. NULL with a message
 * naming the listener when one cannot be bound or the TLS material is refused. */
http_server *http_server_start(const http_server_config *config, const http_handler *handler,
                               char *err, size_t errlen);
/* The port listener index is bound to (the one chosen for port 0). */
int http_server_port(const http_server *server, size_t index);
/* Closes the listening sockets: no new connection; those open go on. */
void http_server_quiesce(http_server *server);
/* Quiesces, closes the connections with no request in progress, and makes every answer from
 * now on close its connection (a stopping server sends its clients elsewhere). */
void http_server_drain(http_server *server);
/* The connections open now. */
unsigned http_server_connections(http_server *server);
/* Closes every connection, stops the threads, frees; accepts NULL. Every exchange must have
 * been answered (http_exchange_respond) before. */
void http_server_stop(http_server *server);

/* The request, valid until complete returns. */
const char *http_exchange_method(const http_exchange *exchange);
/* The path as received (percent-encoded, NUL-terminated, no query), and the query without its
 * '?' ("" when none). */
const char *http_exchange_path(const http_exchange *exchange);
const char *http_exchange_query(const http_exchange *exchange);
/* The first value of a header (case-insensitive name), or NULL. */
const char *http_exchange_header(const http_exchange *exchange, const char *name);
/* The body, NUL-terminated; NULL when there was none. */
const char *http_exchange_body(const http_exchange *exchange, size_t *len);
/* The client's address as text ("127.0.0.1", "::1"). */
const char *http_exchange_peer(const http_exchange *exchange);
/* The index of the listener the request came on. */
size_t http_exchange_listener(const http_exchange *exchange);
/* What the handler keeps with the exchange (freed by it in complete). */
void http_exchange_set_user(http_exchange *exchange, void *user);
void *http_exchange_user(const http_exchange *exchange);

/* Answers, once, from any thread: status, the headers (content_type and headers may be NULL;
 * values with a line break are refused as a 500), the body (copied; no body for HEAD, 204 and
 * 304). Content-Length and Connection are the server's. After it the handler must not touch
 * the exchange until complete. */
void http_exchange_respond(http_exchange *exchange, unsigned status, const char *content_type,
                           const http_header *headers, size_t header_count, const char *body,
                           size_t body_len);

/* Hands the exchange back to its event thread, from any thread: the resumed callback runs
 * there (even when the connection is gone, so that the handler can answer and release what it
 * holds). After it the handler must not touch the exchange until resumed. */
void http_exchange_resume(http_exchange *exchange);

/* The reason phrase of a status ("Not Found"). */
const char *http_status_reason(unsigned status);

#endif
