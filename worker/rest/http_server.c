/*
 * http_server.c - the HTTP/1.1 server of the REST API (http_server.h, docs/rest-http.md).
 *
 * Each event thread owns an epoll set with every listening socket (EPOLLEXCLUSIVE), the
 * connections it accepted and an eventfd through which other threads hand over answers. A
 * connection is a state machine: TLS handshake, reading (head, then body), with the handler,
 * writing, lingering (its side shut, the client's leftovers read and dropped before the close,
 * so that the client reads the answer rather than a reset). Every state but "with the handler"
 * has a deadline, checked every HTTP_TICK_MS. Sockets and TLS sessions are non-blocking:
 * nothing here waits but epoll_wait.
 */
#include "rest/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "support/clock.h"
#include "support/strbuf.h"

#define HTTP_SCOPE "rest"
#define HTTP_READ_BUFFER 8192
#define HTTP_TICK_MS 250
#define HTTP_LINGER_MS 2000
#define HTTP_ACCEPT_BACKOFF_MS 500
#define HTTP_ACCEPT_BATCH 64
#define HTTP_EVENTS_BATCH 64
/* Rounds of work for one connection before the others get their turn. */
#define HTTP_ROUNDS 32
/* Connections beyond max_connections for addresses holding at most HTTP_RESERVE_HELD, so that
 * a flood from many addresses does not lock out a client that holds (almost) none. */
#define HTTP_RESERVE 64
#define HTTP_RESERVE_HELD 2
/* Repeated warnings (refused connections, accept failures): one line per interval. */
#define HTTP_LOG_INTERVAL_MS 10000
#define HTTP_MAX_THREADS 16
/* Descriptors the rest of the process may need besides the connections (Kafka clients, files,
 * plugins' sockets). */
#define HTTP_DESCRIPTORS_SPARE 256

typedef enum http_tag {
    HTTP_TAG_LISTENER,
    HTTP_TAG_CONNECTION,
    HTTP_TAG_WAKE,
} http_tag;

typedef struct http_listener {
    http_tag tag; /* first: what epoll hands back */
    int fd;
    bool https;
    int port;
    char name[128];
} http_listener;

typedef struct http_address_slot {
    struct sockaddr_storage address; /* the port zeroed */
    unsigned count;                  /* 0: free */
} http_address_slot;

typedef struct http_thread http_thread;
typedef struct http_connection http_connection;

/* An answer: status, header lines ("Name: value\r\n"), body. */
typedef struct http_answer {
    unsigned status;
    strbuf headers;
    char *body;
    size_t body_len;
} http_answer;

struct http_exchange {
    http_thread *thread;
    http_connection *connection; /* NULL once the connection is gone */
    http_parser *parser;         /* the head's bytes; owned once the connection is gone */
    bool owns_parser;
    char *path;
    strbuf body;
    bool has_body;
    bool head_request;
    bool keep_alive;
    bool in_handler; /* the request callback ran, no answer yet */
    bool answered;
    bool answered_here; /* during a callback, on the event thread */
    bool resume;        /* queued for the resumed callback, not answered */
    http_answer answer;
    http_exchange *next_answered;
    char peer[INET6_ADDRSTRLEN];
    size_t listener;
    void *user;
};

typedef enum http_connection_state {
    HTTP_CONNECTION_HANDSHAKE,
    HTTP_CONNECTION_READING,
    HTTP_CONNECTION_HANDLER,
    HTTP_CONNECTION_WRITING,
    HTTP_CONNECTION_LINGERING,
} http_connection_state;

struct http_connection {
    http_tag tag; /* first */
    http_thread *thread;
    http_connection *prev, *next; /* the thread's connections */
    http_connection *ready_next;  /* the thread's connections with work left */
    bool ready;
    bool dead;       /* closed; freed at the end of the thread's round */
    bool registered; /* in the epoll set */
    uint32_t events;
    int fd;
    gnutls_session_t tls;
    http_connection_state state;
    http_parser *parser;
    char *in;
    size_t in_start, in_end;
    strbuf out;
    size_t out_sent;
    http_exchange *exchange;
    http_answer own_answer; /* an error given before any exchange */
    bool close_after;
    bool idle; /* between requests: the idle timeout applies until a byte arrives */
    int64_t deadline_ms;
    size_t slot;
    size_t listener;
    char peer[INET6_ADDRSTRLEN];
};

struct http_thread {
    http_server *server;
    pthread_t thread;
    bool started;
    int epoll_fd;
    int wake_fd;
    http_tag wake_tag;
    pthread_mutex_t mutex;          /* answered */
    http_exchange *answered;        /* answers given on other threads */
    http_exchange *callback;        /* the exchange whose callback runs on this thread */
    http_connection *connections;
    http_connection *ready;
    http_connection *graveyard;     /* closed in this round */
    bool listening;
    atomic_bool quiesce_done;
    int64_t backoff_until_ms;
};

struct http_server {
    http_server_config config;
    http_handler handler;
    http_listener *listeners;
    size_t listener_count;
    http_thread *threads;
    unsigned thread_count;
    gnutls_certificate_credentials_t credentials;
    gnutls_priority_t priorities;
    bool tls_ready;
    atomic_bool stopping;
    atomic_bool quiesced;
    atomic_bool draining; /* every answer closes its connection */
    pthread_mutex_t mutex; /* slots, counts, and the rate limits of warnings */
    http_address_slot *slots;
    size_t slot_count;
    unsigned connections;
    uint64_t refused, accept_failures;
    int64_t refused_logged_ms, accept_logged_ms;
};

static _Thread_local http_thread *http_current_thread;

const char *http_status_reason(unsigned status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Error"
                                                                                 : "Server Error";
    }
}

/* ---- answers ---------------------------------------------------------------------------- */

static void http_answer_clear(http_answer *answer)
{
    strbuf_free(&answer->headers);
    free(answer->body);
    memset(answer, 0, sizeof(*answer));
}

static bool http_header_safe(const char *text)
{
    return !strpbrk(text, "\r\n");
}

/* Kafka Connect's error body, into answer (which must be clear). */
static void http_answer_error(http_answer *answer, unsigned status, const char *message)
{
    strbuf body = {0};
    strbuf_append_printf(&body, "{\"error_code\":%u,\"message\":", status);
    strbuf_append_json_string(&body, message, strlen(message));
    strbuf_append_char(&body, '}');
    answer->status = status;
    strbuf_append_str(&answer->headers, "Content-Type: application/json\r\n");
    if (strbuf_failed(&body)) {
        strbuf_free(&body);
        return;
    }
    answer->body = strbuf_take(&body, &answer->body_len);
}

static void http_answer_fill(http_answer *answer, unsigned status, const char *content_type,
                             const http_header *headers, size_t header_count, const char *body,
                             size_t body_len)
{
    bool safe = !content_type || http_header_safe(content_type);
    for (size_t i = 0; safe && i < header_count; i++)
        safe = http_header_safe(headers[i].name) && http_header_safe(headers[i].value);
    if (!safe) {
        http_answer_error(answer, 500, "The answer held a header with a line break");
        return;
    }
    answer->status = status;
    if (content_type)
        strbuf_append_printf(&answer->headers, "Content-Type: %s\r\n", content_type);
    for (size_t i = 0; i < header_count; i++)
        strbuf_append_printf(&answer->headers, "%s: %s\r\n", headers[i].name, headers[i].value);
    if (body_len > 0) {
        answer->body = malloc(body_len);
        if (answer->body) {
            memcpy(answer->body, body, body_len);
            answer->body_len = body_len;
        }
    }
    if (strbuf_failed(&answer->headers) || (body_len > 0 && !answer->body)) {
        http_answer_clear(answer);
        http_answer_error(answer, 500, "out of memory");
    }
}

/* ---- exchanges -------------------------------------------------------------------------- */

static void http_exchange_free(http_exchange *exchange)
{
    if (!exchange)
        return;
    if (exchange->owns_parser)
        http_parser_destroy(exchange->parser);
    free(exchange->path);
    strbuf_free(&exchange->body);
    http_answer_clear(&exchange->answer);
    free(exchange);
}

static void http_exchange_complete(http_server *server, http_exchange *exchange, bool written)
{
    if (server->handler.complete)
        server->handler.complete(server->handler.context, exchange,
                                 exchange->answered ? exchange->answer.status : 0, written);
    http_exchange_free(exchange);
}

const char *http_exchange_method(const http_exchange *exchange)
{
    return http_parser_method(exchange->parser);
}

const char *http_exchange_path(const http_exchange *exchange)
{
    return exchange->path;
}

const char *http_exchange_query(const http_exchange *exchange)
{
    return http_parser_query(exchange->parser);
}

const char *http_exchange_header(const http_exchange *exchange, const char *name)
{
    return http_parser_header(exchange->parser, name);
}

const char *http_exchange_body(const http_exchange *exchange, size_t *len)
{
    if (len)
        *len = exchange->body.len;
    return exchange->has_body && exchange->body.data ? exchange->body.data : NULL;
}

const char *http_exchange_peer(const http_exchange *exchange)
{
    return exchange->peer;
}

size_t http_exchange_listener(const http_exchange *exchange)
{
    return exchange->listener;
}

void http_exchange_set_user(http_exchange *exchange, void *user)
{
    exchange->user = user;
}

void *http_exchange_user(const http_exchange *exchange)
{
    return exchange->user;
}

static void http_thread_wake(http_thread *thread)
{
    uint64_t one = 1;
    ssize_t rc;
    do
        rc = write(thread->wake_fd, &one, sizeof(one));
    while (rc < 0 && errno == EINTR);
}

void http_exchange_respond(http_exchange *exchange, unsigned status, const char *content_type,
                           const http_header *headers, size_t header_count, const char *body,
                           size_t body_len)
{
    http_answer answer = {0};
    http_answer_fill(&answer, status, content_type, headers, header_count, body, body_len);
    http_thread *thread = exchange->thread;
    if (http_current_thread == thread && thread->callback == exchange) {
        /* From the callback itself: the event thread goes on with it when the callback
         * returns. */
        exchange->answer = answer;
        exchange->answered = true;
        exchange->answered_here = true;
        return;
    }
    pthread_mutex_lock(&thread->mutex);
    exchange->answer = answer;
    exchange->answered = true;
    exchange->next_answered = thread->answered;
    thread->answered = exchange;
    pthread_mutex_unlock(&thread->mutex);
    http_thread_wake(thread);
}

void http_exchange_resume(http_exchange *exchange)
{
    http_thread *thread = exchange->thread;
    pthread_mutex_lock(&thread->mutex);
    exchange->resume = true;
    exchange->next_answered = thread->answered;
    thread->answered = exchange;
    pthread_mutex_unlock(&thread->mutex);
    http_thread_wake(thread);
}

/* ---- connections: I/O ------------------------------------------------------------------- */

/* Bytes read (> 0), 0 at the end of the stream, -1 when it would block, -2 on an error. */
static ssize_t http_connection_recv(http_connection *connection, char *buffer, size_t len)
{
    if (connection->tls) {
        ssize_t n = gnutls_record_recv(connection->tls, buffer, len);
        if (n >= 0)
            return n;
        if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
            return -1;
        return n == GNUTLS_E_PREMATURE_TERMINATION ? 0 : -2;
    }
    for (;;) {
        ssize_t n = recv(connection->fd, buffer, len, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
    }
}

/* Bytes written (> 0), -1 when it would block, -2 on an error. */
static ssize_t http_connection_send(http_connection *connection, const char *data, size_t len)
{
    if (connection->tls) {
        ssize_t n = gnutls_record_send(connection->tls, data, len);
        if (n > 0)
            return n;
        return n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED ? -1 : -2;
    }
    for (;;) {
        ssize_t n = send(connection->fd, data, len, MSG_NOSIGNAL);
        if (n > 0)
            return n;
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
    }
}

/* 1 when everything queued went out, 0 when some waits for the socket, -1 on an error. */
static int http_connection_flush(http_connection *connection)
{
    while (connection->out_sent < connection->out.len) {
        ssize_t n = http_connection_send(connection, connection->out.data + connection->out_sent,
                                         connection->out.len - connection->out_sent);
        if (n == -1)
            return 0;
        if (n < 0)
            return -1;
        connection->out_sent += (size_t)n;
    }
    strbuf_reset(&connection->out);
    connection->out_sent = 0;
    return 1;
}

static void http_connection_update_events(http_connection *connection)
{
    uint32_t events = 0;
    switch (connection->state) {
    case HTTP_CONNECTION_HANDSHAKE:
        events = gnutls_record_get_direction(connection->tls) ? EPOLLOUT : EPOLLIN;
        break;
    case HTTP_CONNECTION_READING:
        events = EPOLLIN | (connection->out_sent < connection->out.len ? EPOLLOUT : 0);
        break;
    case HTTP_CONNECTION_HANDLER:
        events = 0; /* not even hang-ups: they would be reported over and over */
        break;
    case HTTP_CONNECTION_WRITING:
        events = EPOLLOUT;
        break;
    case HTTP_CONNECTION_LINGERING:
        events = EPOLLIN;
        break;
    }
    int epoll_fd = connection->thread->epoll_fd;
    if (events == 0) {
        if (connection->registered)
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, connection->fd, NULL);
        connection->registered = false;
        connection->events = 0;
        return;
    }
    if (connection->registered && connection->events == events)
        return;
    struct epoll_event event = {.events = events, .data.ptr = &connection->tag};
    if (epoll_ctl(epoll_fd, connection->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                  connection->fd, &event) != 0) {
        connection->dead = true;
        return;
    }
    connection->registered = true;
    connection->events = events;
}

static void http_connection_close(http_connection *connection)
{
    http_thread *thread = connection->thread;
    http_server *server = thread->server;
    if (connection->registered)
        epoll_ctl(thread->epoll_fd, EPOLL_CTL_DEL, connection->fd, NULL);
    connection->registered = false;
    http_exchange *exchange = connection->exchange;
    connection->exchange = NULL;
    if (exchange) {
        if (exchange->in_handler) {
            /* The handler still works on it: the exchange outlives the connection and keeps
             * the head's bytes the handler reads; its answer then only frees it. */
            exchange->connection = NULL;
            exchange->owns_parser = true;
            connection->parser = NULL;
        } else {
            http_exchange_complete(server, exchange, false);
        }
    }
    if (connection->tls)
        gnutls_deinit(connection->tls);
    connection->tls = NULL;
    close(connection->fd);
    connection->fd = -1;
    pthread_mutex_lock(&server->mutex);
    server->connections--;
    if (--server->slots[connection->slot].count == 0)
        memset(&server->slots[connection->slot].address, 0, sizeof(struct sockaddr_storage));
    pthread_mutex_unlock(&server->mutex);
    if (connection->prev)
        connection->prev->next = connection->next;
    else
        thread->connections = connection->next;
    if (connection->next)
        connection->next->prev = connection->prev;
    connection->prev = connection->next = NULL;
    connection->dead = true;
    connection->ready_next = thread->graveyard;
    thread->graveyard = connection;
}

static void http_connection_free(http_connection *connection)
{
    http_parser_destroy(connection->parser);
    free(connection->in);
    strbuf_free(&connection->out);
    http_answer_clear(&connection->own_answer);
    free(connection);
}

/* ---- connections: answers --------------------------------------------------------------- */

/* Queues the answer of the current exchange (or the connection's own) for writing. */
static void http_connection_answer(http_connection *connection)
{
    http_server *server = connection->thread->server;
    http_exchange *exchange = connection->exchange;
    http_answer *answer = exchange ? &exchange->answer : &connection->own_answer;
    bool head_request = exchange && exchange->head_request;
    bool keep_alive = exchange && exchange->keep_alive && !connection->close_after &&
                      !atomic_load(&server->stopping) && !atomic_load(&server->draining) &&
                      http_parser_head_done(connection->parser) &&
                      http_parser_done(connection->parser);
    connection->close_after = !keep_alive;
    unsigned status = answer->status;
    bool no_body = status == 204 || status == 304 || status < 200;
    strbuf *out = &connection->out;
    strbuf_append_printf(out, "HTTP/1.1 %u %s\r\n", status, http_status_reason(status));
    if (!no_body)
        strbuf_append_printf(out, "Content-Length: %zu\r\n", answer->body_len);
    if (!keep_alive)
        strbuf_append_str(out, "Connection: close\r\n");
    else if (http_parser_minor_version(connection->parser) == 0)
        strbuf_append_str(out, "Connection: keep-alive\r\n");
    if (answer->headers.len)
        strbuf_append(out, answer->headers.data, answer->headers.len);
    strbuf_append_str(out, "\r\n");
    if (!no_body && !head_request && answer->body_len)
        strbuf_append(out, answer->body, answer->body_len);
    if (strbuf_failed(out)) {
        connection->dead = true;
        return;
    }
    connection->state = HTTP_CONNECTION_WRITING;
    connection->deadline_ms = clock_monotonic_ms() + server->config.write_timeout_ms;
}

/* An answer of the HTTP layer itself; the connection closes after it. */
static void http_connection_refuse(http_connection *connection, unsigned status,
                                   const char *message)
{
    http_exchange *exchange = connection->exchange;
    http_answer *answer = exchange ? &exchange->answer : &connection->own_answer;
    http_answer_clear(answer);
    http_answer_error(answer, status, message);
    if (exchange)
        exchange->answered = true;
    connection->close_after = true;
    http_connection_answer(connection);
}

static void http_connection_refuse_body(http_connection *connection)
{
    http_server *server = connection->thread->server;
    char message[128];
    snprintf(message, sizeof(message), "The request body is larger than "
             "rest.request.max.bytes (%zu bytes)", server->config.max_body);
    http_exchange *exchange = connection->exchange;
    http_answer_clear(&exchange->answer);
    http_answer_error(&exchange->answer, 413, message);
    exchange->answered = true;
    strbuf_free(&exchange->body);
}

/* The answer went out. */
static void http_connection_written(http_connection *connection)
{
    http_server *server = connection->thread->server;
    http_exchange *exchange = connection->exchange;
    connection->exchange = NULL;
    if (exchange)
        http_exchange_complete(server, exchange, true);
    http_answer_clear(&connection->own_answer);
    if (connection->close_after) {
        /* Lingering: the client may still be sending what it had to say; a close with unread
         * bytes would be a reset that destroys the answer on its way. */
        if (connection->tls)
            gnutls_bye(connection->tls, GNUTLS_SHUT_WR);
        shutdown(connection->fd, SHUT_WR);
        connection->state = HTTP_CONNECTION_LINGERING;
        connection->deadline_ms = clock_monotonic_ms() + HTTP_LINGER_MS;
        return;
    }
    http_parser_reset(connection->parser);
    connection->state = HTTP_CONNECTION_READING;
    connection->idle = true;
    connection->deadline_ms = clock_monotonic_ms() + server->config.idle_timeout_ms;
}

/* ---- connections: requests -------------------------------------------------------------- */

static void http_connection_head(http_connection *connection)
{
    http_thread *thread = connection->thread;
    http_server *server = thread->server;
    http_parser *parser = connection->parser;
    http_exchange *exchange = calloc(1, sizeof(*exchange));
    size_t path_len = 0;
    const char *path = http_parser_path(parser, &path_len);
    if (exchange)
        exchange->path = strndup(path, path_len);
    if (!exchange || !exchange->path) {
        http_exchange_free(exchange);
        http_connection_refuse(connection, 503, "out of memory");
        return;
    }
    exchange->thread = thread;
    exchange->connection = connection;
    exchange->parser = parser;
    exchange->has_body = http_parser_has_body(parser);
    exchange->head_request = strcmp(http_parser_method(parser), "HEAD") == 0;
    exchange->keep_alive = http_parser_keep_alive(parser);
    exchange->listener = connection->listener;
    memcpy(exchange->peer, connection->peer, sizeof(exchange->peer));
    connection->exchange = exchange;
    if (server->handler.head) {
        thread->callback = exchange;
        server->handler.head(server->handler.context, exchange);
        thread->callback = NULL;
    }
    /* Only an answer from the callback itself counts here: the request is not the
     * handler's yet. */
    if (!exchange->answered_here && http_parser_refusal(parser))
        http_connection_refuse_body(connection);
    if (!exchange->has_body)
        return;
    if (exchange->answered && http_parser_expects_continue(parser)) {
        /* The client waits before sending its body: answer now and close. */
        connection->close_after = true;
        http_connection_answer(connection);
        return;
    }
    connection->deadline_ms = clock_monotonic_ms() + server->config.body_timeout_ms;
    if (!exchange->answered && http_parser_expects_continue(parser))
        strbuf_append_str(&connection->out, "HTTP/1.1 100 Continue\r\n\r\n");
}

static void http_connection_body(http_connection *connection, const char *body, size_t len)
{
    http_exchange *exchange = connection->exchange;
    if (exchange->answered)
        return; /* refused: read and dropped */
    if (http_parser_refusal(connection->parser)) {
        http_connection_refuse_body(connection);
        return;
    }
    strbuf_append(&exchange->body, body, len);
    if (strbuf_failed(&exchange->body)) {
        strbuf_free(&exchange->body);
        http_answer_error(&exchange->answer, 503, "out of memory");
        exchange->answered = true;
    }
}

static void http_connection_request(http_connection *connection)
{
    http_thread *thread = connection->thread;
    http_server *server = thread->server;
    http_exchange *exchange = connection->exchange;
    if (exchange->answered) {
        http_connection_answer(connection);
        return;
    }
    if (exchange->has_body && !exchange->body.data)
        strbuf_append(&exchange->body, "", 0); /* an empty chunked body is still a body */
    connection->state = HTTP_CONNECTION_HANDLER;
    connection->deadline_ms = INT64_MAX;
    exchange->in_handler = true;
    thread->callback = exchange;
    server->handler.request(server->handler.context, exchange);
    thread->callback = NULL;
    /* An answer from another thread may already be on its way through the queue. */
    if (exchange->answered_here) {
        exchange->in_handler = false;
        http_connection_answer(connection);
    }
}

/* One step of the parser over what was read. false when it needs more bytes. */
static bool http_connection_parse(http_connection *connection)
{
    http_parser *parser = connection->parser;
    size_t consumed = 0, body_len = 0;
    const char *body = NULL;
    http_parse_event event =
        http_parser_feed(parser, connection->in + connection->in_start,
                         connection->in_end - connection->in_start, &consumed, &body, &body_len);
    connection->in_start += consumed;
    if (connection->idle && http_parser_started(parser)) {
        connection->idle = false;
        connection->deadline_ms =
            clock_monotonic_ms() + connection->thread->server->config.head_timeout_ms;
    }
    switch (event) {
    case HTTP_PARSE_MORE:
        return false;
    case HTTP_PARSE_HEAD:
        http_connection_head(connection);
        return true;
    case HTTP_PARSE_BODY:
        http_connection_body(connection, body, body_len);
        return true;
    case HTTP_PARSE_DONE:
        http_connection_request(connection);
        return true;
    case HTTP_PARSE_ERROR: {
        const char *message = NULL;
        unsigned status = http_parser_error(parser, &message);
        http_connection_refuse(connection, status, message);
        return true;
    }
    }
    return true;
}

/* Reads what the socket has. true when bytes came (or the end was handled). */
static bool http_connection_read(http_connection *connection)
{
    if (connection->in_start == connection->in_end)
        connection->in_start = connection->in_end = 0;
    if (connection->in_end == HTTP_READ_BUFFER && connection->in_start == 0)
        return false; /* not reached: the parser takes everything before a read */
    if (connection->in_end == HTTP_READ_BUFFER) {
        memmove(connection->in, connection->in + connection->in_start,
                connection->in_end - connection->in_start);
        connection->in_end -= connection->in_start;
        connection->in_start = 0;
    }
    ssize_t n = http_connection_recv(connection, connection->in + connection->in_end,
                                     HTTP_READ_BUFFER - connection->in_end);
    if (n == -1)
        return false;
    if (n > 0) {
        connection->in_end += (size_t)n;
        return true;
    }
    /* The end of the stream, or an error. A request cut short gets an answer, which a
     * half-closed client can still read; anything else just closes. */
    if (n == 0 && http_parser_started(connection->parser)) {
        http_connection_refuse(connection, 400, http_parser_head_done(connection->parser)
                                                    ? "The request ended before its body did"
                                                    : "The request ended before its head did");
        return true;
    }
    http_connection_close(connection);
    return false;
}

/* Reads and drops what the client still sends after the answer; closes at its end. */
static void http_connection_linger(http_connection *connection)
{
    char sink[4096];
    for (int i = 0; i < 16; i++) {
        ssize_t n = connection->tls ? recv(connection->fd, sink, sizeof(sink), 0)
                                    : http_connection_recv(connection, sink, sizeof(sink));
        if (n < 0 && connection->tls && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n == -1 && !connection->tls)
            return;
        if (n <= 0) {
            http_connection_close(connection);
            return;
        }
    }
}

static bool http_connection_handshake(http_connection *connection)
{
    int rc = gnutls_handshake(connection->tls);
    if (rc == GNUTLS_E_SUCCESS) {
        connection->state = HTTP_CONNECTION_READING;
        return true;
    }
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(rc))
        return false;
    http_connection_close(connection);
    return false;
}

static void http_thread_ready(http_thread *thread, http_connection *connection)
{
    if (connection->ready || connection->dead)
        return;
    connection->ready = true;
    connection->ready_next = thread->ready;
    thread->ready = connection;
}

/* Drives the connection as far as it goes without waiting. */
static void http_connection_run(http_connection *connection)
{
    int round = 0;
    for (; round < HTTP_ROUNDS && !connection->dead; round++) {
        bool progress = false;
        switch (connection->state) {
        case HTTP_CONNECTION_HANDSHAKE:
            progress = http_connection_handshake(connection);
            break;
        case HTTP_CONNECTION_READING:
            if (connection->out_sent < connection->out.len &&
                http_connection_flush(connection) < 0) {
                http_connection_close(connection);
                break;
            }
            progress = http_connection_parse(connection) ||
                       (connection->state == HTTP_CONNECTION_READING &&
                        http_connection_read(connection));
            break;
        case HTTP_CONNECTION_WRITING: {
            int rc = http_connection_flush(connection);
            if (rc < 0)
                http_connection_close(connection);
            else if (rc > 0)
                http_connection_written(connection);
            progress = rc > 0;
            break;
        }
        case HTTP_CONNECTION_LINGERING:
            http_connection_linger(connection);
            break;
        case HTTP_CONNECTION_HANDLER:
            break;
        }
        if (!progress)
            break;
    }
    if (connection->dead)
        return;
    if (round == HTTP_ROUNDS)
        http_thread_ready(connection->thread, connection);
    /* TLS may hold decrypted bytes the socket no longer signals. */
    if (connection->tls && connection->state == HTTP_CONNECTION_READING &&
        gnutls_record_check_pending(connection->tls) > 0)
        http_thread_ready(connection->thread, connection);
    http_connection_update_events(connection);
    if (connection->dead)
        http_connection_close(connection);
}

/* A deadline passed. */
static void http_connection_expire(http_connection *connection)
{
    if (connection->state == HTTP_CONNECTION_READING &&
        http_parser_started(connection->parser)) {
        http_connection_refuse(connection, 408, http_parser_head_done(connection->parser)
                                                    ? "The request body did not arrive in time"
                                                    : "The request headers did not arrive in "
                                                      "time");
        http_connection_run(connection);
        return;
    }
    http_connection_close(connection);
}

/* ---- accepting -------------------------------------------------------------------------- */

static void http_listeners_poll(http_thread *thread, bool on)
{
    http_server *server = thread->server;
    if (thread->listening == on)
        return;
    for (size_t i = 0; i < server->listener_count; i++) {
        if (on) {
            struct epoll_event event = {.events = EPOLLIN | EPOLLEXCLUSIVE,
                                        .data.ptr = &server->listeners[i].tag};
            epoll_ctl(thread->epoll_fd, EPOLL_CTL_ADD, server->listeners[i].fd, &event);
        } else {
            epoll_ctl(thread->epoll_fd, EPOLL_CTL_DEL, server->listeners[i].fd, NULL);
        }
    }
    thread->listening = on;
}

static void http_address_key(const struct sockaddr_storage *from, struct sockaddr_storage *key)
{
    memset(key, 0, sizeof(*key));
    key->ss_family = from->ss_family;
    if (from->ss_family == AF_INET)
        ((struct sockaddr_in *)key)->sin_addr = ((const struct sockaddr_in *)from)->sin_addr;
    else if (from->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)key)->sin6_addr = ((const struct sockaddr_in6 *)from)->sin6_addr;
}

/* Takes a place for a connection from address: the slot's index, or -1 when a limit is hit. */
static long http_admit(http_server *server, const struct sockaddr_storage *address,
                       unsigned *held)
{
    struct sockaddr_storage key;
    http_address_key(address, &key);
    long found = -1, free_slot = -1;
    for (size_t i = 0; i < server->slot_count && found < 0; i++) {
        if (server->slots[i].count == 0) {
            if (free_slot < 0)
                free_slot = (long)i;
        } else if (memcmp(&server->slots[i].address, &key, sizeof(key)) == 0) {
            found = (long)i;
        }
    }
    *held = found >= 0 ? server->slots[found].count : 0;
    unsigned limit = server->config.max_connections;
    if (*held <= HTTP_RESERVE_HELD)
        limit += HTTP_RESERVE;
    if (*held >= server->config.max_per_address || server->connections >= limit)
        return -1;
    if (found < 0) {
        if (free_slot < 0)
            return -1;
        found = free_slot;
        server->slots[found].address = key;
    }
    server->slots[found].count++;
    server->connections++;
    return found;
}

static void http_refused_log(http_server *server, const char *peer, unsigned held)
{
    int64_t now = clock_monotonic_ms();
    server->refused++;
    if (server->refused_logged_ms && now - server->refused_logged_ms < HTTP_LOG_INTERVAL_MS)
        return;
    log_warn(HTTP_SCOPE, "refused %" PRIu64 " connection(s) since the last such line: too many "
             "connections (%u open, at most %u in total and %u per client address; %s holds "
             "%u)", server->refused, server->connections, server->config.max_connections,
             server->config.max_per_address, peer, held);
    server->refused = 0;
    server->refused_logged_ms = now;
}

static void http_accept_failed(http_thread *thread, http_listener *listener, int error)
{
    http_server *server = thread->server;
    int64_t now = clock_monotonic_ms();
    bool pause = error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
    if (pause) {
        http_listeners_poll(thread, false);
        thread->backoff_until_ms = now + HTTP_ACCEPT_BACKOFF_MS;
    }
    pthread_mutex_lock(&server->mutex);
    server->accept_failures++;
    if (!server->accept_logged_ms || now - server->accept_logged_ms >= HTTP_LOG_INTERVAL_MS) {
        log_warn(HTTP_SCOPE, "cannot accept connections on %s: %s (%" PRIu64 " failure(s) "
                 "since the last such line)%s", listener->name, strerror(error),
                 server->accept_failures,
                 pause ? "; new connections wait while the process is short of resources" : "");
        server->accept_failures = 0;
        server->accept_logged_ms = now;
    }
    pthread_mutex_unlock(&server->mutex);
}

#define HTTP_BUSY_BODY \
    "{\"error_code\":503,\"message\":\"Too many connections; try again in a moment\"}"

static void http_connection_new(http_thread *thread, http_listener *listener, int fd,
                                const struct sockaddr_storage *address)
{
    http_server *server = thread->server;
    char peer[INET6_ADDRSTRLEN] = "?";
    if (address->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, peer, sizeof(peer));
    else if (address->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, peer,
                  sizeof(peer));
    unsigned held = 0;
    pthread_mutex_lock(&server->mutex);
    long slot = http_admit(server, address, &held);
    if (slot < 0)
        http_refused_log(server, peer, held);
    pthread_mutex_unlock(&server->mutex);
    if (slot < 0) {
        /* Said in plain HTTP only: a TLS client would read noise. */
        if (!listener->https) {
            char busy[256];
            int len = snprintf(busy, sizeof(busy), "HTTP/1.1 503 Service Unavailable\r\n"
                               "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                               "Connection: close\r\n\r\n%s", strlen(HTTP_BUSY_BODY),
                               HTTP_BUSY_BODY);
            (void)!send(fd, busy, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        shutdown(fd, SHUT_RDWR);
        close(fd);
        return;
    }
    http_connection *connection = calloc(1, sizeof(*connection));
    if (connection) {
        connection->tag = HTTP_TAG_CONNECTION;
        connection->thread = thread;
        connection->fd = fd;
        connection->slot = (size_t)slot;
        connection->listener = (size_t)(listener - server->listeners);
        memcpy(connection->peer, peer, sizeof(peer));
        connection->parser = http_parser_new(server->config.max_body, server->config.drain_max);
        connection->in = malloc(HTTP_READ_BUFFER);
    }
    bool tls_failed = false;
    if (connection && connection->parser && connection->in && listener->https) {
        tls_failed =
            gnutls_init(&connection->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) !=
                GNUTLS_E_SUCCESS ||
            gnutls_priority_set(connection->tls, server->priorities) != GNUTLS_E_SUCCESS ||
            gnutls_credentials_set(connection->tls, GNUTLS_CRD_CERTIFICATE,
                                   server->credentials) != GNUTLS_E_SUCCESS;
        if (!tls_failed) {
            gnutls_certificate_server_set_request(connection->tls, GNUTLS_CERT_IGNORE);
            gnutls_transport_set_int(connection->tls, fd);
        }
    }
    if (!connection || !connection->parser || !connection->in || tls_failed) {
        if (connection && connection->tls)
            gnutls_deinit(connection->tls);
        if (connection)
            http_connection_free(connection);
        pthread_mutex_lock(&server->mutex);
        server->connections--;
        server->slots[slot].count--;
        pthread_mutex_unlock(&server->mutex);
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    connection->state = listener->https ? HTTP_CONNECTION_HANDSHAKE : HTTP_CONNECTION_READING;
    connection->deadline_ms = clock_monotonic_ms() + server->config.head_timeout_ms;
    connection->next = thread->connections;
    if (thread->connections)
        thread->connections->prev = connection;
    thread->connections = connection;
    http_connection_update_events(connection);
    if (connection->dead)
        http_connection_close(connection);
}

static void http_accept(http_thread *thread, http_listener *listener)
{
    for (int i = 0; i < HTTP_ACCEPT_BATCH && thread->listening; i++) {
        struct sockaddr_storage address;
        socklen_t address_len = sizeof(address);
        int fd = accept4(listener->fd, (struct sockaddr *)&address, &address_len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            http_accept_failed(thread, listener, errno);
            return;
        }
        http_connection_new(thread, listener, fd, &address);
    }
}

/* ---- event threads ---------------------------------------------------------------------- */

/* Answers handed over by other threads. */
static void http_thread_answers(http_thread *thread)
{
    pthread_mutex_lock(&thread->mutex);
    http_exchange *answered = thread->answered;
    thread->answered = NULL;
    pthread_mutex_unlock(&thread->mutex);
    while (answered) {
        http_exchange *exchange = answered;
        answered = exchange->next_answered;
        if (exchange->resume) {
            exchange->resume = false;
            thread->callback = exchange;
            thread->server->handler.resumed(thread->server->handler.context, exchange);
            thread->callback = NULL;
            if (!exchange->answered_here)
                continue; /* still the handler's */
        }
        exchange->in_handler = false;
        http_connection *connection = exchange->connection;
        if (!connection) {
            http_exchange_complete(thread->server, exchange, false);
            continue;
        }
        http_connection_answer(connection);
        http_connection_run(connection);
    }
}

static void http_thread_tick(http_thread *thread, int64_t now)
{
    http_server *server = thread->server;
    if (!thread->listening && !atomic_load(&server->quiesced) && now >= thread->backoff_until_ms)
        http_listeners_poll(thread, true);
    http_connection *connection = thread->connections;
    while (connection) {
        http_connection *next = connection->next;
        if (now >= connection->deadline_ms)
            http_connection_expire(connection);
        connection = next;
    }
}

/* Closes the connections with no request in progress (as Jetty's graceful stop closes idle
 * ones): their clients' next request goes elsewhere. */
static void http_thread_drain(http_thread *thread)
{
    http_connection *connection = thread->connections;
    while (connection) {
        http_connection *next = connection->next;
        if (connection->state == HTTP_CONNECTION_HANDSHAKE ||
            (connection->state == HTTP_CONNECTION_READING &&
             !http_parser_started(connection->parser)))
            http_connection_close(connection);
        connection = next;
    }
}

static void http_thread_bury(http_thread *thread)
{
    while (thread->graveyard) {
        http_connection *connection = thread->graveyard;
        thread->graveyard = connection->ready_next;
        http_connection_free(connection);
    }
}

static void *http_thread_main(void *argument)
{
    http_thread *thread = argument;
    http_server *server = thread->server;
    http_current_thread = thread;
    struct epoll_event events[HTTP_EVENTS_BATCH];
    int64_t next_tick = clock_monotonic_ms() + HTTP_TICK_MS;
    while (!atomic_load(&server->stopping)) {
        int timeout = thread->ready ? 0 : HTTP_TICK_MS;
        int n = epoll_wait(thread->epoll_fd, events, HTTP_EVENTS_BATCH, timeout);
        for (int i = 0; i < n; i++) {
            http_tag *tag = events[i].data.ptr;
            if (*tag == HTTP_TAG_LISTENER) {
                http_accept(thread, (http_listener *)tag);
            } else if (*tag == HTTP_TAG_WAKE) {
                uint64_t count;
                (void)!read(thread->wake_fd, &count, sizeof(count));
                if (atomic_load(&server->quiesced) && !atomic_load(&thread->quiesce_done)) {
                    http_listeners_poll(thread, false);
                    if (atomic_load(&server->draining))
                        http_thread_drain(thread);
                    atomic_store(&thread->quiesce_done, true);
                }
                http_thread_answers(thread);
            } else {
                http_connection *connection = (http_connection *)tag;
                if (!connection->dead)
                    http_connection_run(connection);
            }
        }
        http_connection *ready = thread->ready;
        thread->ready = NULL;
        while (ready) {
            http_connection *connection = ready;
            ready = connection->ready_next;
            connection->ready = false;
            if (!connection->dead)
                http_connection_run(connection);
        }
        int64_t now = clock_monotonic_ms();
        if (now >= next_tick) {
            http_thread_tick(thread, now);
            next_tick = now + HTTP_TICK_MS;
        }
        http_thread_bury(thread);
    }
    return NULL;
}

/* ---- start and stop --------------------------------------------------------------------- */

static int http_listener_bind(http_listener *listener, const http_listen *listen_at, char *err,
                              size_t errlen)
{
    snprintf(listener->name, sizeof(listener->name), "%s",
             listen_at->name ? listen_at->name : "a listener");
    listener->tag = HTTP_TAG_LISTENER;
    listener->https = listen_at->https;
    listener->fd = socket(listen_at->address->sa_family,
                          SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener->fd < 0)
        return ferry_error_set(err, errlen, "cannot listen on %s: %s", listener->name,
                               strerror(errno)), -1;
    int one = 1;
    setsockopt(listener->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(listener->fd, listen_at->address, listen_at->address_len) != 0 ||
        listen(listener->fd, 511) != 0)
        return ferry_error_set(err, errlen, "cannot listen on %s: %s", listener->name,
                               strerror(errno)), -1;
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof(bound);
    if (getsockname(listener->fd, (struct sockaddr *)&bound, &bound_len) == 0)
        listener->port = ntohs(bound.ss_family == AF_INET6
                                   ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                   : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

static int http_tls_start(http_server *server, const http_tls_material *tls, char *err,
                          size_t errlen)
{
    if (!tls || !tls->certificate || !tls->key)
        return ferry_error_set(err, errlen, "an https listener needs a certificate and a key"),
               -1;
    int rc = gnutls_certificate_allocate_credentials(&server->credentials);
    if (rc != GNUTLS_E_SUCCESS)
        return ferry_error_set(err, errlen, "TLS: %s", gnutls_strerror(rc)), -1;
    server->tls_ready = true;
    gnutls_datum_t certificate = {(unsigned char *)tls->certificate,
                                  (unsigned)strlen(tls->certificate)};
    gnutls_datum_t key = {(unsigned char *)tls->key, (unsigned)strlen(tls->key)};
    rc = gnutls_certificate_set_x509_key_mem2(server->credentials, &certificate, &key,
                                              GNUTLS_X509_FMT_PEM, tls->key_password, 0);
    if (rc < 0)
        return ferry_error_set(err, errlen, "TLS certificate or key refused (wrong key "
                               "password, or a key that does not match the certificate?): %s",
                               gnutls_strerror(rc)), -1;
    const char *where = NULL;
    rc = gnutls_priority_init(&server->priorities, tls->priorities ? tls->priorities : "NORMAL",
                              &where);
    if (rc != GNUTLS_E_SUCCESS) {
        server->priorities = NULL;
        return ferry_error_set(err, errlen, "TLS priorities refused at '%s': %s",
                               where ? where : "", gnutls_strerror(rc)), -1;
    }
    return 0;
}

static int http_thread_start(http_server *server, http_thread *thread, char *err, size_t errlen)
{
    thread->server = server;
    thread->wake_tag = HTTP_TAG_WAKE;
    thread->wake_fd = -1;
    pthread_mutex_init(&thread->mutex, NULL);
    thread->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (thread->epoll_fd >= 0)
        thread->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (thread->epoll_fd < 0 || thread->wake_fd < 0)
        return ferry_error_set(err, errlen, "REST server: %s", strerror(errno)), -1;
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = &thread->wake_tag};
    if (epoll_ctl(thread->epoll_fd, EPOLL_CTL_ADD, thread->wake_fd, &event) != 0)
        return ferry_error_set(err, errlen, "REST server: %s", strerror(errno)), -1;
    http_listeners_poll(thread, true);
    int rc = pthread_create(&thread->thread, NULL, http_thread_main, thread);
    if (rc != 0)
        return ferry_error_set(err, errlen, "REST server: cannot start a thread: %s",
                               strerror(rc)), -1;
    thread->started = true;
    return 0;
}

/* The connection limit must fit in the process's descriptors, or running out of them (which
 * pauses accepting for everyone) would come before the limit (which refuses only the excess):
 * the soft limit is raised as far as the hard one allows, else the connection limit lowered. */
static void http_descriptors_reserve(http_server_config *config)
{
    struct rlimit limit;
    rlim_t needed = (rlim_t)config->max_connections + HTTP_RESERVE + HTTP_DESCRIPTORS_SPARE;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
        return;
    rlim_t wanted = limit.rlim_max == RLIM_INFINITY || limit.rlim_max > needed ? needed
                                                                                : limit.rlim_max;
    if (wanted > limit.rlim_cur) {
        struct rlimit raised = {wanted, limit.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit.rlim_cur = wanted;
    }
    if (limit.rlim_cur >= needed)
        return;
    unsigned fits = limit.rlim_cur > HTTP_RESERVE + HTTP_DESCRIPTORS_SPARE + 16
                        ? (unsigned)(limit.rlim_cur - HTTP_RESERVE - HTTP_DESCRIPTORS_SPARE)
                        : 16;
    log_warn(HTTP_SCOPE, "the process may open only %llu files (ulimit -n): at most %u REST "
             "connections instead of %u", (unsigned long long)limit.rlim_cur, fits,
             config->max_connections);
    config->max_connections = fits;
    if (config->max_per_address > fits)
        config->max_per_address = fits;
}

http_server *http_server_start(const http_server_config *config, const http_handler *handler,
                               char *err, size_t errlen)
{
    http_server *server = calloc(1, sizeof(*server));
    if (!server)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    pthread_mutex_init(&server->mutex, NULL);
    server->config = *config;
    server->config.listeners = NULL;
    server->config.tls = NULL;
    server->handler = *handler;
    http_descriptors_reserve(&server->config);
    unsigned threads = config->threads < 1 ? 1 : config->threads;
    if (threads > HTTP_MAX_THREADS)
        threads = HTTP_MAX_THREADS;
    server->slot_count = server->config.max_connections + HTTP_RESERVE;
    server->slots = calloc(server->slot_count, sizeof(*server->slots));
    server->listeners = calloc(config->listener_count ? config->listener_count : 1,
                               sizeof(*server->listeners));
    server->threads = calloc(threads, sizeof(*server->threads));
    if (!server->slots || !server->listeners || !server->threads) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    bool https = false;
    for (size_t i = 0; i < config->listener_count; i++) {
        server->listeners[i].fd = -1;
        https |= config->listeners[i].https;
    }
    if (https && http_tls_start(server, config->tls, err, errlen) != 0)
        goto fail;
    for (size_t i = 0; i < config->listener_count; i++) {
        server->listener_count++;
        if (http_listener_bind(&server->listeners[i], &config->listeners[i], err, errlen) != 0)
            goto fail;
    }
    for (unsigned i = 0; i < threads; i++) {
        server->thread_count++;
        if (http_thread_start(server, &server->threads[i], err, errlen) != 0)
            goto fail;
    }
    return server;
fail:
    http_server_stop(server);
    return NULL;
}

int http_server_port(const http_server *server, size_t index)
{
    return index < server->listener_count ? server->listeners[index].port : -1;
}

void http_server_quiesce(http_server *server)
{
    if (!server || atomic_exchange(&server->quiesced, true))
        return;
    for (unsigned i = 0; i < server->thread_count; i++) {
        http_thread *thread = &server->threads[i];
        if (!thread->started)
            continue;
        http_thread_wake(thread);
        while (!atomic_load(&thread->quiesce_done)) {
            struct timespec pause = {0, 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    for (size_t i = 0; i < server->listener_count; i++) {
        if (server->listeners[i].fd >= 0)
            close(server->listeners[i].fd);
        server->listeners[i].fd = -1;
    }
}

void http_server_drain(http_server *server)
{
    if (!server)
        return;
    atomic_store(&server->draining, true);
    http_server_quiesce(server);
}

unsigned http_server_connections(http_server *server)
{
    pthread_mutex_lock(&server->mutex);
    unsigned count = server->connections;
    pthread_mutex_unlock(&server->mutex);
    return count;
}

void http_server_stop(http_server *server)
{
    if (!server)
        return;
    atomic_store(&server->stopping, true);
    for (unsigned i = 0; server->threads && i < server->thread_count; i++) {
        http_thread *thread = &server->threads[i];
        if (!thread->started)
            continue;
        http_thread_wake(thread);
        pthread_join(thread->thread, NULL);
    }
    for (unsigned i = 0; server->threads && i < server->thread_count; i++) {
        http_thread *thread = &server->threads[i];
        if (thread->epoll_fd > 0) {
            /* What was handed over after the thread's last round, answered as it would have */
            http_current_thread = thread;
            http_thread_answers(thread);
            http_current_thread = NULL;
            while (thread->connections)
                http_connection_close(thread->connections);
            http_thread_bury(thread);
            close(thread->epoll_fd);
        }
        if (thread->wake_fd >= 0)
            close(thread->wake_fd);
        pthread_mutex_destroy(&thread->mutex);
    }
    for (size_t i = 0; server->listeners && i < server->listener_count; i++)
        if (server->listeners[i].fd >= 0)
            close(server->listeners[i].fd);
    if (server->priorities)
        gnutls_priority_deinit(server->priorities);
    if (server->tls_ready)
        gnutls_certificate_free_credentials(server->credentials);
    pthread_mutex_destroy(&server->mutex);
    free(server->threads);
    free(server->listeners);
    free(server->slots);
    free(server);
}
