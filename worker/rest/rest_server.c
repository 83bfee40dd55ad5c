/*
 * rest_server.c - libmicrohttpd daemons, one per listener, and the life of a request: checks
 * that need no body (origin, credentials, declared size), the body read up to
 * rest.request.max.bytes, routing, the handler, the answer, an access log line at debug level.
 * Request bodies and credentials are never logged.
 *
 * Threads (docs/architecture.md): each daemon has a small pool of event threads (epoll) that
 * read and write every connection and never block. A request is suspended while its work runs
 * elsewhere: an async handler's middle step on the control thread (worker_post), a blocking
 * handler on a thread of its own (one per request in progress, at most REST_MAX_BLOCKING); the
 * connection is resumed to answer.
 */
#include "rest/rest_server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cluster/request_signature.h"
#include "config/config_validate.h"
#include "base/log.h"
#include "rest/rest_auth.h"
#include "rest/rest_http.h"
#include "rest/rest_listener.h"
#include "rest/rest_router.h"
#include "support/clock.h"
#include "support/strbuf.h"

#define REST_SCOPE "rest"
#define REST_DEFAULT_MAX_BODY (1024 * 1024)
/* A body declared over the limit but at most this long is read and dropped before the 413 goes
 * out, so that the client reads the answer rather than a reset connection. */
#define REST_DRAIN_MAX_BYTES (16 * 1024 * 1024)
/* Connections are bounded; idle keep-alive connections are closed. */
#define REST_CONNECTION_LIMIT 1024
#define REST_CONNECTION_TIMEOUT_S 60
/* Blocking handlers (changes, offsets, health) in progress at once; more get 503. */
#define REST_MAX_BLOCKING 64
#define REST_EVENT_THREADS_MAX 4
/* libmicrohttpd's per-connection memory for the request line, headers and buffers (bodies are
 * kept apart): 8 KiB of headers, Jetty's default and so Kafka Connect's. libmicrohttpd zeroes
 * the pool between requests, so more would cost time on every request. */
#define REST_CONNECTION_MEMORY (8 * 1024)

/* An open connection, known from libmicrohttpd's notification until it closes: when the worker
 * stops, one with no request in progress is shut down at once (rest_server_drain). */
typedef struct rest_open_connection {
    struct rest_open_connection *prev, *next;
    int fd;
    bool busy; /* a request is in progress on it; guarded by the server's connections_mutex */
} rest_open_connection;

typedef struct rest_listener {
    struct rest_server *server;
    rest_endpoint *endpoint;
    struct MHD_Daemon *daemon;
    MHD_socket quiesced; /* the listening socket MHD_quiesce_daemon handed back */
    char url[300];
} rest_listener;

struct rest_server {
    worker *worker;
    herder *herder;
    rest_auth *auth;
    rest_tls tls;
    size_t max_body;
    rest_endpoint *endpoints;
    rest_listener *listeners;
    size_t count;
    atomic_int_fast64_t auth_log_at_ms; /* rate limit of the rejected-credentials warning */
    atomic_uint_fast64_t auth_rejected;
    atomic_int suspended; /* requests whose work runs elsewhere */
    atomic_int blocking;  /* blocking handlers in progress */
    atomic_bool draining; /* the worker stops: every answer closes its connection */
    pthread_mutex_t connections_mutex;
    rest_open_connection *connections; /* every open connection */
};

typedef enum rest_phase {
    REST_PHASE_READING,  /* headers and body */
    REST_PHASE_DRAINING, /* refused before its body: the body is read and dropped, then the
                          * refusal (in response) goes out */
    REST_PHASE_WORKING,  /* suspended while the work runs elsewhere */
    REST_PHASE_ANSWERED, /* a response is queued; what else arrives is discarded */
} rest_phase;

/* One request in progress; libmicrohttpd keeps it between calls of the access handler. */
typedef struct rest_exchange {
    rest_listener *listener;
    struct MHD_Connection *connection;
    int64_t started_us;
    char line[160]; /* "METHOD /path" for the access log */
    strbuf body;            /* the request's body, NUL-terminated once anything came */
    strbuf query;           /* the query as received, for forwarding */
    rest_phase phase;
    unsigned status;
    const rest_route *route;
    rest_request request;   /* kept while the work runs */
    rest_response response; /* filled by the work */
    void *state;            /* an async handler's */
} rest_exchange;

static void rest_peer(struct MHD_Connection *connection, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, outlen, "?");
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, out,
                  (socklen_t)outlen);
    else if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, out,
                  (socklen_t)outlen);
}

/* ---- answers ---------------------------------------------------------------------------- */

static enum MHD_Result rest_queue(struct MHD_Connection *connection, rest_listener *listener,
                                  rest_exchange *exchange, rest_response *response)
{
    struct MHD_Response *reply;
    if (response->body)
        reply = MHD_create_response_from_buffer(response->body_len, response->body,
                                                MHD_RESPMEM_MUST_FREE);
    else
        reply = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!reply) {
        rest_response_clear(response);
        return MHD_NO;
    }
    response->body = NULL; /* libmicrohttpd frees it */
    if (response->content_type)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, response->content_type);
    if (response->location)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_LOCATION, response->location);
    if (response->allow[0])
        MHD_add_response_header(reply, MHD_HTTP_HEADER_ALLOW, response->allow);
    if (response->status == 401)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                rest_auth_challenge(listener->server->auth));
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (atomic_load(&listener->server->draining))
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_add_response_header(reply, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response(connection, response->status, reply);
    MHD_destroy_response(reply);
    exchange->phase = REST_PHASE_ANSWERED;
    exchange->status = response->status;
    rest_response_clear(response);
    return rc;
}

static enum MHD_Result rest_queue_error(struct MHD_Connection *connection,
                                        rest_listener *listener, rest_exchange *exchange,
                                        unsigned status, const char *message)
{
    rest_response response = {0};
    rest_reply_error(&response, status, "%s", message);
    return rest_queue(connection, listener, exchange, &response);
}

/* ---- checks before the body ------------------------------------------------------------- */

/* A Host a DNS-rebinding page cannot produce: an IP literal, or localhost. */
static bool rest_host_is_local_name(const char *host)
{
    char name[256];
    size_t len = strlen(host);
    if (len == 0 || len >= sizeof(name))
        return false;
    memcpy(name, host, len + 1);
    if (name[0] == '[') { /* [v6]:port */
        char *end = strchr(name, ']');
        struct in6_addr v6;
        if (!end)
            return false;
        *end = '\0';
        return inet_pton(AF_INET6, name + 1, &v6) == 1;
    }
    char *colon = strrchr(name, ':');
    if (colon)
        *colon = '\0';
    struct in_addr v4;
    if (inet_pton(AF_INET, name, &v4) == 1)
        return true;
    size_t name_len = strlen(name);
    return strcasecmp(name, "localhost") == 0 ||
           (name_len > 10 && strcasecmp(name + name_len - 10, ".localhost") == 0);
}

/* Browsers add Origin to cross-site requests; ferry answers no CORS, so a request from another
 * origin may not act (a page must not create connectors through a user's browser). */
static bool rest_origin_allowed(const char *origin, const char *host)
{
    if (!origin)
        return true;
    const char *separator = strstr(origin, "://");
    return host && separator && strcasecmp(separator + 3, host) == 0;
}

static void rest_auth_rejected_log(rest_server *server, struct MHD_Connection *connection,
                                   const char *method, const char *url, bool missing)
{
    atomic_fetch_add(&server->auth_rejected, 1);
    int64_t now = clock_monotonic_us() / 1000;
    int64_t last = atomic_load(&server->auth_log_at_ms);
    /* At most one line a second, so that guessing passwords cannot flood the log. */
    if (now - last < 1000 || !atomic_compare_exchange_strong(&server->auth_log_at_ms, &last, now))
        return;
    char peer[64];
    rest_peer(connection, peer, sizeof(peer));
    log_warn(REST_SCOPE, "%s from %s for %s %s refused (%" PRIuFAST64 " refused so far)",
             missing ? "request without credentials" : "wrong credentials", peer, method, url,
             (uint_fast64_t)atomic_load(&server->auth_rejected));
}

/* Returns 0 to go on, or the HTTP status already queued. */
static unsigned rest_precheck(rest_listener *listener, struct MHD_Connection *connection,
                              rest_exchange *exchange, const char *method, const char *url,
                              enum MHD_Result *rc)
{
    rest_server *server = listener->server;
    const char *host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_HOST);
    if (listener->endpoint->loopback && host && !rest_host_is_local_name(host)) {
        *rc = rest_queue_error(connection, listener, exchange, 403,
                               "This listener serves only requests addressed to localhost or "
                               "an IP address (Host header)");
        return 403;
    }
    const char *origin = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin");
    if (!rest_origin_allowed(origin, host)) {
        *rc = rest_queue_error(connection, listener, exchange, 403,
                               "Cross-origin requests are not allowed");
        return 403;
    }
    if (rest_auth_enabled(server->auth) && !rest_auth_is_public(server->auth, method, url)) {
        const char *authorization = MHD_lookup_connection_value(
            connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        rest_auth_result result = rest_auth_check(server->auth, authorization);
        if (result != REST_AUTH_ACCEPTED) {
            rest_auth_rejected_log(server, connection, method, url,
                                   result == REST_AUTH_MISSING);
            /* One answer for every failure: it never tells which part was wrong. */
            *rc = rest_queue_error(connection, listener, exchange, 401,
                                   "Authentication required");
            return 401;
        }
    }
    const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length) {
        char *end = NULL;
        errno = 0;
        unsigned long long declared = strtoull(length, &end, 10);
        if (errno || end == length || declared > server->max_body) {
            char message[160];
            snprintf(message, sizeof(message), "The request body is larger than "
                     "rest.request.max.bytes (%zu bytes)", server->max_body);
            if (errno || end == length || declared > REST_DRAIN_MAX_BYTES) {
                *rc = rest_queue_error(connection, listener, exchange, 413, message);
                return 413;
            }
            /* Answered before the body, the client may still be sending it when the
             * connection closes, and then reads a reset instead of the 413: read a body of a
             * sensible size to its end first, and drop it. */
            rest_reply_error(&exchange->response, 413, "%s", message);
            exchange->phase = REST_PHASE_DRAINING;
            return 0;
        }
    }
    return 0;
}

/* ---- the request ------------------------------------------------------------------------ */

/* Appends a query argument as received to the query a forwarded request carries on. */
static void rest_query_append_raw(strbuf *query, const char *text)
{
    /* libmicrohttpd turned '+' into ' ' (no other decoding: rest_no_unescape); a space cannot
     * have come as such, so the '+' goes back. */
    for (; *text; text++)
        strbuf_append_char(query, *text == ' ' ? '+' : *text);
}

static enum MHD_Result rest_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    rest_exchange *exchange = cls;
    rest_request *request = &exchange->request;
    (void)kind;
    if (request->arg_count == REST_MAX_QUERY_ARGS)
        return MHD_NO;
    if (exchange->query.len > 0)
        strbuf_append_char(&exchange->query, '&');
    rest_query_append_raw(&exchange->query, key);
    if (value) {
        strbuf_append_char(&exchange->query, '=');
        rest_query_append_raw(&exchange->query, value);
    }
    rest_query_arg *arg = &request->args[request->arg_count];
    arg->key = rest_percent_decode(key, strlen(key), true);
    arg->value = rest_percent_decode(value ? value : "", value ? strlen(value) : 0, true);
    request->arg_count++;
    return MHD_YES;
}

static void rest_args_free(rest_request *request)
{
    for (size_t i = 0; i < request->arg_count; i++) {
        free(request->args[i].key);
        free(request->args[i].value);
    }
    request->arg_count = 0;
}

static bool rest_is_json(const char *content_type)
{
    if (!content_type)
        return false;
    while (*content_type == ' ')
        content_type++;
    size_t len = strcspn(content_type, "; ");
    return len == 16 && strncasecmp(content_type, "application/json", 16) == 0;
}

static void rest_request_release(rest_request *request)
{
    rest_params_free(request->params);
    rest_args_free(request);
}

/* Parses what the route needs and finds it; answers in response when the request ends here
 * (bad query, 404, 405, 415). */
static void rest_route_find(rest_exchange *exchange, const char *method, const char *url,
                            rest_response *response)
{
    rest_server *server = exchange->listener->server;
    struct MHD_Connection *connection = exchange->connection;
    rest_request *request = &exchange->request;
    *request = (rest_request){
        .method = method,
        .path = url,
        .worker = server->worker,
        .herder = server->herder,
        .body = exchange->body.data,
        .body_len = exchange->body.len,
        .content_type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE),
        .authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_AUTHORIZATION),
        .signature = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                 REQUEST_SIGNATURE_HEADER),
        .signature_algorithm = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                           REQUEST_SIGNATURE_ALGORITHM_HEADER),
    };
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, rest_collect_arg, exchange);
    request->query = exchange->query.data ? exchange->query.data : "";
    for (size_t i = 0; i < request->arg_count; i++) {
        if (!request->args[i].key || !request->args[i].value) {
            rest_reply_error(response, 400, "Malformed query string");
            return;
        }
    }
    if (strbuf_failed(&exchange->query)) {
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    /* HEAD is GET without the body, which libmicrohttpd leaves out. */
    const char *routed = strcmp(method, "HEAD") == 0 ? "GET" : method;
    switch (rest_route_match(routed, url, &exchange->route, request->params, response->allow,
                             sizeof(response->allow))) {
    case REST_MATCH_NO_PATH:
        rest_reply_error(response, 404, "HTTP 404 Not Found");
        return;
    case REST_MATCH_NO_METHOD: {
        char allow[sizeof(response->allow)];
        memcpy(allow, response->allow, sizeof(allow));
        rest_reply_error(response, 405, "HTTP 405 Method Not Allowed");
        memcpy(response->allow, allow, sizeof(allow));
        return;
    }
    case REST_MATCH_FOUND:
        break;
    }
    /* Like Kafka Connect, a body must be JSON; this also keeps browsers' simple cross-site
     * form posts out. */
    if (request->body_len > 0 && !rest_is_json(request->content_type))
        rest_reply_error(response, 415, "HTTP 415 Unsupported Media Type");
}

/* The end of work done elsewhere: the event thread takes the connection back. */
static void rest_work_done(rest_exchange *exchange)
{
    rest_server *server = exchange->listener->server;
    struct MHD_Connection *connection = exchange->connection;
    MHD_resume_connection(connection);
    atomic_fetch_sub(&server->suspended, 1);
}

/* On the control thread: an async handler's middle step. */
static void rest_async_run(worker *running, void *argument)
{
    rest_exchange *exchange = argument;
    exchange->route->async->run(running, exchange->state);
    rest_work_done(exchange);
}

/* On a thread of its own: a blocking handler. */
static void *rest_blocking_main(void *argument)
{
    rest_exchange *exchange = argument;
    rest_server *server = exchange->listener->server;
    exchange->route->handler(&exchange->request, &exchange->response);
    /* The one place where every change a follower cannot make goes to the leader. */
    if (exchange->response.forward_to)
        rest_forward(&exchange->request, &exchange->response);
    atomic_fetch_sub(&server->blocking, 1);
    rest_work_done(exchange);
    return NULL;
}

/* Starts the work of a routed request: suspends the connection first, so that the work may
 * resume it as soon as it is done. Returns false when it cannot (the response says why). */
static bool rest_work_start(rest_exchange *exchange)
{
    rest_server *server = exchange->listener->server;
    const rest_route *route = exchange->route;
    rest_response *response = &exchange->response;
    if (route->async) {
        exchange->state = calloc(1, route->async->state_size);
        if (!exchange->state) {
            rest_reply_error(response, 500, "out of memory");
            return false;
        }
        route->async->start(&exchange->request, response, exchange->state);
        if (response->status != 0)
            return false;
    } else if (atomic_fetch_add(&server->blocking, 1) >= REST_MAX_BLOCKING) {
        atomic_fetch_sub(&server->blocking, 1);
        rest_reply_error(response, 503, "Too many requests in progress; try again");
        return false;
    }
    exchange->phase = REST_PHASE_WORKING;
    atomic_fetch_add(&server->suspended, 1);
    MHD_suspend_connection(exchange->connection);
    bool started;
    if (route->async) {
        started = worker_post(server->worker, rest_async_run, exchange) == 0;
        if (!started)
            rest_reply_error(response, 503, "The worker is shutting down");
    } else {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&thread, &attributes, rest_blocking_main, exchange) == 0;
        pthread_attr_destroy(&attributes);
        if (!started) {
            atomic_fetch_sub(&server->blocking, 1);
            rest_reply_error(response, 503, "Cannot start a thread for the request");
        }
    }
    if (!started)
        rest_work_done(exchange); /* answered when the event thread takes it back */
    return true;
}

static enum MHD_Result rest_answer(rest_exchange *exchange)
{
    rest_response *response = &exchange->response;
    if (exchange->state) {
        if (response->status == 0)
            exchange->route->async->finish(&exchange->request, response, exchange->state);
        free(exchange->state);
        exchange->state = NULL;
    }
    if (response->status == 0)
        rest_reply_error(response, 500, "the handler gave no answer");
    return rest_queue(exchange->connection, exchange->listener, exchange, response);
}

/* Marks the connection's request in progress or done. */
static void rest_connection_busy(rest_server *server, struct MHD_Connection *connection,
                                 bool busy)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    rest_open_connection *open = info ? info->socket_context : NULL;
    if (!open)
        return;
    pthread_mutex_lock(&server->connections_mutex);
    open->busy = busy;
    pthread_mutex_unlock(&server->connections_mutex);
}

static void rest_connection_notify(void *cls, struct MHD_Connection *connection,
                                   void **socket_context, enum MHD_ConnectionNotificationCode code)
{
    rest_server *server = ((rest_listener *)cls)->server;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        rest_open_connection *open = calloc(1, sizeof(*open));
        if (!open || !info) {
            free(open);
            *socket_context = NULL;
            return;
        }
        open->fd = info->connect_fd;
        pthread_mutex_lock(&server->connections_mutex);
        open->next = server->connections;
        if (server->connections)
            server->connections->prev = open;
        server->connections = open;
        /* Accepted while draining: it gets no request in. */
        if (atomic_load(&server->draining))
            shutdown(open->fd, SHUT_RDWR);
        pthread_mutex_unlock(&server->connections_mutex);
        *socket_context = open;
        return;
    }
    rest_open_connection *open = *socket_context;
    if (!open)
        return;
    pthread_mutex_lock(&server->connections_mutex);
    if (open->prev)
        open->prev->next = open->next;
    else
        server->connections = open->next;
    if (open->next)
        open->next->prev = open->prev;
    pthread_mutex_unlock(&server->connections_mutex);
    free(open);
    *socket_context = NULL;
}

static enum MHD_Result rest_access(void *cls, struct MHD_Connection *connection,
                                   const char *url, const char *method, const char *version,
                                   const char *upload_data, size_t *upload_data_size,
                                   void **state)
{
    rest_listener *listener = cls;
    rest_server *server = listener->server;
    rest_exchange *exchange = *state;
    (void)version;
    if (!exchange) {
        exchange = calloc(1, sizeof(*exchange));
        if (!exchange)
            return MHD_NO;
        exchange->listener = listener;
        exchange->connection = connection;
        rest_connection_busy(server, connection, true);
        if (log_enabled(FERRY_LOG_DEBUG, REST_SCOPE)) {
            exchange->started_us = clock_monotonic_us();
            snprintf(exchange->line, sizeof(exchange->line), "%s %s", method, url);
        }
        *state = exchange;
        enum MHD_Result rc = MHD_YES;
        if (rest_precheck(listener, connection, exchange, method, url, &rc) != 0)
            return rc;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t chunk = *upload_data_size;
        *upload_data_size = 0;
        if (exchange->phase != REST_PHASE_READING)
            return MHD_YES; /* answered, or draining a refused body */
        if (exchange->body.len + chunk > server->max_body) {
            /* Said no Content-Length, or lied: answer now; libmicrohttpd closes the connection
             * when it cannot answer before the end of the upload. */
            char message[160];
            snprintf(message, sizeof(message), "The request body is larger than "
                     "rest.request.max.bytes (%zu bytes)", server->max_body);
            strbuf_free(&exchange->body);
            return rest_queue_error(connection, listener, exchange, 413, message);
        }
        strbuf_append(&exchange->body, upload_data, chunk);
        return strbuf_failed(&exchange->body) ? MHD_NO : MHD_YES;
    }
    switch (exchange->phase) {
    case REST_PHASE_ANSWERED:
        return MHD_YES;
    case REST_PHASE_DRAINING:
        return rest_queue(connection, listener, exchange, &exchange->response);
    case REST_PHASE_WORKING:
        return rest_answer(exchange); /* resumed */
    case REST_PHASE_READING:
        break;
    }
    rest_route_find(exchange, method, url, &exchange->response);
    if (exchange->response.status != 0)
        return rest_answer(exchange);
    if (exchange->route->immediate) {
        exchange->route->handler(&exchange->request, &exchange->response);
        return rest_answer(exchange);
    }
    if (!rest_work_start(exchange))
        return rest_answer(exchange);
    return MHD_YES;
}

static void rest_completed(void *cls, struct MHD_Connection *connection, void **state,
                           enum MHD_RequestTerminationCode code)
{
    rest_exchange *exchange = *state;
    (void)cls;
    if (!exchange)
        return;
    /* Only requests that began with the level on have their start recorded. */
    if (exchange->started_us && log_enabled(FERRY_LOG_DEBUG, REST_SCOPE)) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_HTTP_STATUS);
        log_debug(REST_SCOPE, "%s %u in %.3f ms%s", exchange->line,
                  info ? info->http_status : exchange->status,
                  (double)(clock_monotonic_us() - exchange->started_us) / 1000.0,
                  code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed)");
    }
    rest_connection_busy(exchange->listener->server, connection, false);
    rest_request_release(&exchange->request);
    rest_response_clear(&exchange->response);
    free(exchange->state);
    strbuf_free(&exchange->body);
    strbuf_free(&exchange->query);
    free(exchange);
    *state = NULL;
}

/* Paths are decoded segment by segment by the router (a %2F inside a connector name must not
 * split it), and query arguments by rest_collect_arg: libmicrohttpd must not decode either. */
static size_t rest_no_unescape(void *cls, struct MHD_Connection *connection, char *text)
{
    (void)cls;
    (void)connection;
    return strlen(text);
}

static void rest_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    log_writev(FERRY_LOG_WARN, REST_SCOPE, fmt, ap);
}

/* ---- start and stop --------------------------------------------------------------------- */

static int rest_max_body(const config_map *values, size_t *out, char *err, size_t errlen)
{
    const char *text = config_map_get(values, "rest.request.max.bytes");
    int64_t value = REST_DEFAULT_MAX_BODY;
    char why[128];
    if (text && config_value_parse_int(text, 1, INT32_MAX, &value, why, sizeof(why)) != 0)
        return ferry_error_set(err, errlen, "rest.request.max.bytes: %s", why), -1;
    *out = (size_t)value;
    return 0;
}

static int rest_listener_start(rest_server *server, rest_listener *listener, char *err,
                               size_t errlen)
{
    rest_endpoint *endpoint = listener->endpoint;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    /* One core is left to the control thread, which every request also visits: more event
     * threads than that only make them preempt each other (measured: bench/rest). */
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = processors <= 2 ? 1
                       : processors > REST_EVENT_THREADS_MAX + 1 ? REST_EVENT_THREADS_MAX
                                                                 : (unsigned)processors - 1;
    if (endpoint->address.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem options[6];
    size_t option_count = 0;
    if (endpoint->https) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
            return ferry_error_set(err, errlen, "listener %s: this libmicrohttpd has no TLS "
                                   "support", listener->url), -1;
        flags |= MHD_USE_TLS;
        options[option_count++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, server->tls.certificate};
        options[option_count++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, server->tls.key};
        options[option_count++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, server->tls.priorities};
        if (server->tls.key_password)
            options[option_count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_KEY_PASSWORD, 0,
                                                               server->tls.key_password};
    }
    /* A pool of one is no pool: libmicrohttpd warns about it, so say nothing then. */
    if (threads > 1)
        options[option_count++] =
            (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
    options[option_count] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    listener->daemon = MHD_start_daemon(
        flags, (uint16_t)endpoint->port, NULL, NULL, rest_access, listener,
        MHD_OPTION_EXTERNAL_LOGGER, rest_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&endpoint->address,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)REST_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)REST_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REST_CONNECTION_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, rest_completed, listener,
        MHD_OPTION_NOTIFY_CONNECTION, rest_connection_notify, listener,
        MHD_OPTION_UNESCAPE_CALLBACK, rest_no_unescape, NULL,
        MHD_OPTION_ARRAY, options,
        MHD_OPTION_END);
    if (!listener->daemon)
        return ferry_error_set(err, errlen, "cannot listen on %s (port in use, or a TLS "
                               "certificate or key libmicrohttpd refused; see the log above)",
                               listener->url), -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(listener->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    if (info && endpoint->port == 0)
        endpoint->port = info->port;
    return 0;
}

rest_server *rest_server_start(worker *running, herder *changes, char *err, size_t errlen)
{
    const worker_config *config = worker_configuration(running);
    rest_server *server = calloc(1, sizeof(*server));
    if (!server)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    pthread_mutex_init(&server->connections_mutex, NULL);
    server->worker = running;
    server->herder = changes;
    const char *extensions = config_map_get(config->values, "rest.extension.classes");
    if (extensions && extensions[strspn(extensions, " \t")] != '\0') {
        /* Kafka Connect's BasicAuthSecurityRestExtension and friends are Java: ignoring them
         * would leave an API its owner believes protected wide open. */
        ferry_error_set(err, errlen, "rest.extension.classes is not supported (Java REST "
                        "extensions); use rest.auth.basic.users or rest.auth.bearer.tokens");
        goto fail;
    }
    if (rest_max_body(config->values, &server->max_body, err, errlen) != 0)
        goto fail;
    server->auth = rest_auth_new(config->values, err, errlen);
    if (!server->auth)
        goto fail;
    if (rest_endpoints_parse(config->listeners, &server->endpoints, &server->count, err,
                             errlen) != 0)
        goto fail;
    server->listeners = calloc(server->count, sizeof(*server->listeners));
    if (!server->listeners) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    bool https = false;
    for (size_t i = 0; i < server->count; i++)
        https |= server->endpoints[i].https;
    if (https && rest_tls_load(config->values, &server->tls, err, errlen) != 0)
        goto fail;
    for (size_t i = 0; i < server->count; i++) {
        rest_listener *listener = &server->listeners[i];
        rest_endpoint *endpoint = &server->endpoints[i];
        listener->server = server;
        listener->endpoint = endpoint;
        listener->quiesced = MHD_INVALID_SOCKET;
        bool v6 = endpoint->address.ss_family == AF_INET6;
        snprintf(listener->url, sizeof(listener->url), "%s://%s%s%s:%d",
                 endpoint->https ? "https" : "http", v6 ? "[" : "",
                 endpoint->host[0] ? endpoint->host : "0.0.0.0", v6 ? "]" : "", endpoint->port);
        if (rest_listener_start(server, listener, err, errlen) != 0)
            goto fail;
        if (!endpoint->https && !endpoint->loopback && rest_auth_enabled(server->auth))
            log_warn(REST_SCOPE, "%s is plain HTTP on a non-loopback address: credentials "
                     "cross the network in clear text; use an https listener",
                     listener->url);
        if (!endpoint->loopback && !rest_auth_enabled(server->auth))
            log_warn(REST_SCOPE, "%s is reachable from other hosts and requires no "
                     "credentials: anyone who can reach it controls the connectors; set "
                     "rest.auth.basic.users or rest.auth.bearer.tokens", listener->url);
        log_info(REST_SCOPE, "REST API listening on %s://%s%s%s:%d (authentication: %s)",
                 endpoint->https ? "https" : "http", v6 ? "[" : "",
                 endpoint->host[0] ? endpoint->host : "0.0.0.0", v6 ? "]" : "", endpoint->port,
                 rest_auth_schemes(server->auth));
    }
    return server;
fail:
    rest_server_stop(server);
    return NULL;
}

void rest_server_drain(rest_server *server, int grace_ms)
{
    if (!server)
        return;
    /* As Kafka Connect stops its REST server before its herder: a client of a worker that stops
     * is refused and goes to another worker, instead of getting 503 while the connectors stop.
     * The listening sockets stay open until the daemons stop (libmicrohttpd's threads may still
     * hold them); shut down, they refuse new connections at once. */
    atomic_store(&server->draining, true);
    for (size_t i = 0; server->listeners && i < server->count; i++) {
        rest_listener *listener = &server->listeners[i];
        if (!listener->daemon || listener->quiesced != MHD_INVALID_SOCKET)
            continue;
        listener->quiesced = MHD_quiesce_daemon(listener->daemon);
        if (listener->quiesced != MHD_INVALID_SOCKET)
            shutdown(listener->quiesced, SHUT_RDWR);
    }
    /* A connection with no request in progress is shut down now (as Jetty's graceful stop
     * closes idle connections): its client's next request goes to another worker. The others
     * close after their answer. */
    pthread_mutex_lock(&server->connections_mutex);
    for (rest_open_connection *open = server->connections; open; open = open->next)
        if (!open->busy)
            shutdown(open->fd, SHUT_RDWR);
    pthread_mutex_unlock(&server->connections_mutex);
    int64_t deadline = clock_monotonic_ms() + grace_ms;
    for (;;) {
        unsigned open = 0;
        for (size_t i = 0; server->listeners && i < server->count; i++) {
            const union MHD_DaemonInfo *info =
                server->listeners[i].daemon
                    ? MHD_get_daemon_info(server->listeners[i].daemon,
                                          MHD_DAEMON_INFO_CURRENT_CONNECTIONS)
                    : NULL;
            open += info ? info->num_connections : 0;
        }
        if (open == 0 || clock_monotonic_ms() >= deadline)
            break;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

void rest_server_stop(rest_server *server)
{
    if (!server)
        return;
    /* Stop accepting, then let the work in progress finish (after worker_run returned, work on
     * the control thread has run or been refused, and blocking handlers end quickly), so that
     * no connection is still suspended when the daemons stop. */
    for (size_t i = 0; server->listeners && i < server->count; i++)
        if (server->listeners[i].daemon && server->listeners[i].quiesced == MHD_INVALID_SOCKET)
            server->listeners[i].quiesced = MHD_quiesce_daemon(server->listeners[i].daemon);
    while (atomic_load(&server->suspended) > 0) {
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    for (size_t i = 0; server->listeners && i < server->count; i++) {
        rest_listener *listener = &server->listeners[i];
        if (!listener->daemon)
            continue;
        MHD_stop_daemon(listener->daemon);
        /* The caller closes a quiesced socket, once the daemon has stopped. */
        if (listener->quiesced != MHD_INVALID_SOCKET)
            close(listener->quiesced);
    }
    free(server->listeners);
    rest_endpoints_free(server->endpoints, server->count);
    rest_tls_clear(&server->tls);
    rest_auth_destroy(server->auth);
    pthread_mutex_destroy(&server->connections_mutex);
    free(server);
}
