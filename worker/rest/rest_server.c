/*
 * rest_server.c - the REST API on the HTTP server (http_server.c), and the life of a request:
 * checks that need no body (origin, credentials), routing, the handler, the answer, an access
 * log line at debug level. Request bodies and credentials are never logged. The HTTP layer
 * refuses what is malformed or too large before any of this runs (docs/rest-http.md).
 *
 * Threads (docs/architecture.md): the HTTP server's event threads read and write every
 * connection and never block. A request whose work runs elsewhere stays with the handler: an
 * async handler's middle step on the control thread (worker_post), after which the exchange is
 * resumed on its event thread to finish; a blocking handler on a thread of its own (one per
 * request in progress, at most REST_MAX_BLOCKING), which answers from there.
 */
#include "rest/rest_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cluster/request_signature.h"
#include "config/config_validate.h"
#include "base/log.h"
#include "rest/http_server.h"
#include "rest/rest_auth.h"
#include "rest/rest_console.h"
#include "rest/rest_http.h"
#include "rest/rest_listener.h"
#include "rest/rest_router.h"
#include "support/clock.h"

#define REST_SCOPE "rest"
#define REST_DEFAULT_MAX_BODY (1024 * 1024)
/* A body declared over the limit but at most this long is read and dropped before the 413 goes
 * out, so that the client reads the answer rather than a reset connection. */
#define REST_DRAIN_MAX_BYTES (16 * 1024 * 1024)
/* Connections are bounded in number and in time (docs/rest-http.md). */
#define REST_CONNECTION_LIMIT 1024
#define REST_CONNECTIONS_PER_ADDRESS 128
#define REST_HEAD_TIMEOUT_MS 10000
#define REST_BODY_TIMEOUT_MS 30000
#define REST_IDLE_TIMEOUT_MS 60000
#define REST_WRITE_TIMEOUT_MS 30000
/* Blocking handlers (changes, offsets, health) in progress at once; more get 503. */
#define REST_MAX_BLOCKING 64
#define REST_EVENT_THREADS_MAX 4

struct rest_server {
    worker *worker;
    herder *herder;
    rest_auth *auth;
    rest_tls tls;
    size_t max_body;
    rest_endpoint *endpoints;
    size_t count;
    http_server *http;
    atomic_int_fast64_t auth_log_at_ms; /* rate limit of the rejected-credentials warning */
    atomic_uint_fast64_t auth_rejected;
    bool console;         /* ui.enable */
    atomic_int suspended; /* requests whose work runs elsewhere */
    atomic_int blocking;  /* blocking handlers in progress */
};

/* One request in progress, the HTTP exchange's user state. */
typedef struct rest_exchange {
    rest_server *server;
    http_exchange *http;
    rest_endpoint *endpoint;
    int64_t started_us;
    rest_role role; /* the client's, from its credentials */
    char line[160]; /* "METHOD /path" for the access log */
    const rest_route *route;
    rest_request request;   /* kept while the work runs */
    rest_response response; /* filled by the work */
    void *state;            /* an async handler's */
} rest_exchange;

/* ---- answers ---------------------------------------------------------------------------- */

/* Answers with response (and clears it); the exchange is the HTTP layer's after this. */
static void rest_respond(rest_exchange *exchange, rest_response *answer)
{
    /* The response may live in the exchange, which can be gone as soon as the answer is
     * handed over: it is moved out first. */
    rest_response moved = *answer;
    rest_response *response = &moved;
    memset(answer, 0, sizeof(*answer));
    http_header headers[10];
    size_t count = 0;
    if (response->location)
        headers[count++] = (http_header){"Location", response->location};
    if (response->allow[0])
        headers[count++] = (http_header){"Allow", response->allow};
    if (response->status == 401)
        headers[count++] =
            (http_header){"WWW-Authenticate", rest_auth_challenge(exchange->server->auth)};
    if (response->etag)
        headers[count++] = (http_header){"ETag", response->etag};
    headers[count++] = (http_header){"Cache-Control",
                                     response->cache_control ? response->cache_control
                                                             : "no-store"};
    headers[count++] = (http_header){"X-Content-Type-Options", "nosniff"};
    if (response->page) {
        headers[count++] = (http_header){"Content-Security-Policy", REST_CONSOLE_CSP};
        headers[count++] = (http_header){"X-Frame-Options", "DENY"};
        headers[count++] = (http_header){"Referrer-Policy", "no-referrer"};
    }
    http_exchange_respond(exchange->http, response->status, response->content_type, headers,
                          count, response->body, response->body ? response->body_len : 0);
    rest_response_clear(response);
}

static void rest_respond_error(rest_exchange *exchange, unsigned status, const char *message)
{
    rest_response response = {0};
    rest_reply_error(&response, status, "%s", message);
    rest_respond(exchange, &response);
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

static void rest_auth_rejected_log(rest_server *server, http_exchange *http, const char *method,
                                   const char *url, bool missing)
{
    atomic_fetch_add(&server->auth_rejected, 1);
    int64_t now = clock_monotonic_us() / 1000;
    int64_t last = atomic_load(&server->auth_log_at_ms);
    /* At most one line a second, so that guessing passwords cannot flood the log. */
    if (now - last < 1000 || !atomic_compare_exchange_strong(&server->auth_log_at_ms, &last, now))
        return;
    log_warn(REST_SCOPE, "%s from %s for %s %s refused (%" PRIuFAST64 " refused so far)",
             missing ? "request without credentials" : "wrong credentials",
             http_exchange_peer(http), method, url,
             (uint_fast64_t)atomic_load(&server->auth_rejected));
}

#define REST_CSRF_HEADER "X-Ferry-CSRF"

static bool rest_method_is_safe(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Browsers mark their requests (Sec-Fetch-*, Origin on anything but a plain GET) and send
 * cookies by themselves; API clients (curl, kcctl, ferry ctl, other workers) send none of
 * these, so they need no CSRF token, as Kafka Connect's clients never had one. */
static bool rest_is_from_browser(const http_exchange *http)
{
    return http_exchange_header(http, "Sec-Fetch-Site") ||
           http_exchange_header(http, "Sec-Fetch-Mode") ||
           http_exchange_header(http, "Origin") || http_exchange_header(http, "Cookie");
}

/* The head callback: answers when the request may not go on (the HTTP layer then reads and
 * drops its body); its size was checked by the HTTP layer. */
static void rest_precheck(rest_exchange *exchange)
{
    rest_server *server = exchange->server;
    http_exchange *http = exchange->http;
    const char *method = http_exchange_method(http);
    const char *url = http_exchange_path(http);
    const char *host = http_exchange_header(http, "Host");
    if (exchange->endpoint->loopback && host && !rest_host_is_local_name(host)) {
        rest_respond_error(exchange, 403, "This listener serves only requests addressed to "
                           "localhost or an IP address (Host header)");
        return;
    }
    const char *origin = http_exchange_header(http, "Origin");
    if (!rest_origin_allowed(origin, host)) {
        rest_respond_error(exchange, 403, "Cross-origin requests are not allowed");
        return;
    }
    if (rest_auth_enabled(server->auth) && !rest_auth_is_public(server->auth, method, url)) {
        const char *authorization = http_exchange_header(http, "Authorization");
        rest_auth_result result = rest_auth_identify(server->auth, authorization,
                                                     &exchange->role);
        if (result != REST_AUTH_ACCEPTED) {
            rest_auth_rejected_log(server, http, method, url, result == REST_AUTH_MISSING);
            /* One answer for every failure: it never tells which part was wrong. */
            rest_respond_error(exchange, 401, "Authentication required");
            return;
        }
    }
    if (rest_method_is_safe(method) || rest_auth_is_public(server->auth, method, url))
        return;
    if (exchange->role == REST_ROLE_READ_ONLY) {
        char message[200];
        snprintf(message, sizeof(message), "The role %s may only read (GET, HEAD); %s is "
                 "refused", rest_role_name(exchange->role), method);
        rest_respond_error(exchange, 403, message);
        return;
    }
    if (rest_is_from_browser(http) &&
        !rest_auth_csrf_check(server->auth, http_exchange_header(http, "Authorization"),
                              http_exchange_header(http, REST_CSRF_HEADER)))
        rest_respond_error(exchange, 403, "A change from a browser needs the console's CSRF "
                           "token in the " REST_CSRF_HEADER " header (GET /ui/api/session)");
}

static void rest_head(void *context, http_exchange *http)
{
    rest_server *server = context;
    rest_exchange *exchange = calloc(1, sizeof(*exchange));
    if (!exchange) {
        http_exchange_respond(http, 503, NULL, NULL, 0, NULL, 0);
        return;
    }
    exchange->server = server;
    exchange->http = http;
    exchange->endpoint = &server->endpoints[http_exchange_listener(http)];
    http_exchange_set_user(http, exchange);
    if (log_enabled(FERRY_LOG_DEBUG, REST_SCOPE)) {
        exchange->started_us = clock_monotonic_us();
        snprintf(exchange->line, sizeof(exchange->line), "%s %s", http_exchange_method(http),
                 http_exchange_path(http));
    }
    rest_precheck(exchange);
}

/* ---- the request ------------------------------------------------------------------------ */

/* The query's arguments, percent-decoded ('+' is a space). false when malformed or too many. */
static bool rest_args_parse(rest_request *request, const char *query)
{
    while (*query) {
        size_t len = strcspn(query, "&");
        if (len > 0) {
            if (request->arg_count == REST_MAX_QUERY_ARGS)
                return false;
            const char *equals = memchr(query, '=', len);
            size_t key_len = equals ? (size_t)(equals - query) : len;
            rest_query_arg *arg = &request->args[request->arg_count++];
            arg->key = rest_percent_decode(query, key_len, true);
            arg->value = equals ? rest_percent_decode(equals + 1, len - key_len - 1, true)
                                : rest_percent_decode("", 0, true);
            if (!arg->key || !arg->value)
                return false;
        }
        query += len;
        if (*query == '&')
            query++;
    }
    return true;
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
static void rest_route_find(rest_exchange *exchange, rest_response *response)
{
    rest_server *server = exchange->server;
    http_exchange *http = exchange->http;
    rest_request *request = &exchange->request;
    const char *method = http_exchange_method(http);
    const char *url = http_exchange_path(http);
    size_t body_len = 0;
    const char *body = http_exchange_body(http, &body_len);
    *request = (rest_request){
        .method = method,
        .path = url,
        .query = http_exchange_query(http),
        .worker = server->worker,
        .herder = server->herder,
        .body = body,
        .body_len = body_len,
        .content_type = http_exchange_header(http, "Content-Type"),
        .authorization = http_exchange_header(http, "Authorization"),
        .signature = http_exchange_header(http, REQUEST_SIGNATURE_HEADER),
        .signature_algorithm = http_exchange_header(http, REQUEST_SIGNATURE_ALGORITHM_HEADER),
    };
    if (!rest_args_parse(request, request->query)) {
        rest_reply_error(response, 400, "Malformed query string");
        return;
    }
    /* HEAD is GET without the body, which the HTTP layer leaves out. */
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

/* Answers from the exchange's response (an async handler finishes first). */
static void rest_answer(rest_exchange *exchange)
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
    rest_respond(exchange, response);
}

/* On the control thread: an async handler's middle step; its end on the event thread. */
static void rest_async_run(worker *running, void *argument)
{
    rest_exchange *exchange = argument;
    rest_server *server = exchange->server;
    exchange->route->async->run(running, exchange->state);
    http_exchange_resume(exchange->http);
    atomic_fetch_sub(&server->suspended, 1);
}

static void rest_resumed(void *context, http_exchange *http)
{
    (void)context;
    rest_answer(http_exchange_user(http));
}

/* On a thread of its own: a blocking handler, which answers from there. */
static void *rest_blocking_main(void *argument)
{
    rest_exchange *exchange = argument;
    rest_server *server = exchange->server;
    exchange->route->handler(&exchange->request, &exchange->response);
    /* The one place where every change a follower cannot make goes to the leader. */
    if (exchange->response.forward_to)
        rest_forward(&exchange->request, &exchange->response);
    atomic_fetch_sub(&server->blocking, 1);
    rest_answer(exchange); /* the exchange is the HTTP layer's from here */
    atomic_fetch_sub(&server->suspended, 1);
    return NULL;
}

/* Starts the work of a routed request elsewhere. Returns false when it cannot (the response
 * says why, or the async handler's start answered). */
static bool rest_work_start(rest_exchange *exchange)
{
    rest_server *server = exchange->server;
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
        /* Counted first: the control thread may be done before worker_post returns. */
        atomic_fetch_add(&server->suspended, 1);
        if (worker_post(server->worker, rest_async_run, exchange) == 0)
            return true;
        atomic_fetch_sub(&server->suspended, 1);
        rest_reply_error(response, 503, "The worker is shutting down");
        return false;
    }
    if (atomic_fetch_add(&server->blocking, 1) >= REST_MAX_BLOCKING) {
        atomic_fetch_sub(&server->blocking, 1);
        rest_reply_error(response, 503, "Too many requests in progress; try again");
        return false;
    }
    atomic_fetch_add(&server->suspended, 1);
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    bool started = pthread_create(&thread, &attributes, rest_blocking_main, exchange) == 0;
    pthread_attr_destroy(&attributes);
    if (started)
        return true;
    atomic_fetch_sub(&server->suspended, 1);
    atomic_fetch_sub(&server->blocking, 1);
    rest_reply_error(response, 503, "Cannot start a thread for the request");
    return false;
}

/* The request callback: the whole request is in. */
static void rest_request_arrived(void *context, http_exchange *http)
{
    (void)context;
    rest_exchange *exchange = http_exchange_user(http);
    rest_server *server = exchange->server;
    const char *url = http_exchange_path(http);
    if (server->console && rest_console_path(url)) {
        rest_console_request page = {
            .method = http_exchange_method(http),
            .path = url,
            .if_none_match = http_exchange_header(http, "If-None-Match"),
            .authorization = http_exchange_header(http, "Authorization"),
            .role = exchange->role,
            .auth = server->auth,
            .embedded_kafka = worker_configuration(server->worker)->embedded,
        };
        rest_console_answer(&page, &exchange->response);
        rest_answer(exchange);
        return;
    }
    rest_route_find(exchange, &exchange->response);
    if (exchange->response.status != 0) {
        rest_answer(exchange);
        return;
    }
    if (exchange->route->immediate) {
        exchange->route->handler(&exchange->request, &exchange->response);
        rest_answer(exchange);
        return;
    }
    if (!rest_work_start(exchange))
        rest_answer(exchange);
}

static void rest_completed(void *context, http_exchange *http, unsigned status, bool written)
{
    (void)context;
    rest_exchange *exchange = http_exchange_user(http);
    if (!exchange)
        return;
    /* Only requests that began with the level on have their start recorded. */
    if (exchange->started_us && log_enabled(FERRY_LOG_DEBUG, REST_SCOPE))
        log_debug(REST_SCOPE, "%s %u in %.3f ms%s", exchange->line, status,
                  (double)(clock_monotonic_us() - exchange->started_us) / 1000.0,
                  written ? "" : " (connection closed)");
    rest_request_release(&exchange->request);
    rest_response_clear(&exchange->response);
    free(exchange->state);
    free(exchange);
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

/* One core is left to the control thread, which every request also visits: more event
 * threads than that only make them preempt each other (measured: bench/rest). */
static unsigned rest_event_threads(void)
{
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
    return processors <= 2 ? 1
           : processors > REST_EVENT_THREADS_MAX + 1 ? REST_EVENT_THREADS_MAX
                                                     : (unsigned)processors - 1;
}

static int rest_http_start(rest_server *server, char *err, size_t errlen)
{
    http_listen *listeners = calloc(server->count, sizeof(*listeners));
    char (*names)[300] = calloc(server->count, sizeof(*names));
    int rc = -1;
    if (!listeners || !names) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < server->count; i++) {
        rest_endpoint *endpoint = &server->endpoints[i];
        bool v6 = endpoint->address.ss_family == AF_INET6;
        snprintf(names[i], sizeof(names[i]), "%s://%s%s%s:%d",
                 endpoint->https ? "https" : "http", v6 ? "[" : "",
                 endpoint->host[0] ? endpoint->host : "0.0.0.0", v6 ? "]" : "", endpoint->port);
        listeners[i] = (http_listen){names[i], (const struct sockaddr *)&endpoint->address,
                                     endpoint->address_len, endpoint->https};
    }
    http_tls_material tls = {server->tls.certificate, server->tls.key, server->tls.key_password,
                             server->tls.priorities};
    http_server_config config = {
        .listeners = listeners,
        .listener_count = server->count,
        .tls = &tls,
        .max_body = server->max_body,
        .drain_max = REST_DRAIN_MAX_BYTES,
        .threads = rest_event_threads(),
        .max_connections = REST_CONNECTION_LIMIT,
        .max_per_address = REST_CONNECTIONS_PER_ADDRESS,
        .head_timeout_ms = REST_HEAD_TIMEOUT_MS,
        .body_timeout_ms = REST_BODY_TIMEOUT_MS,
        .idle_timeout_ms = REST_IDLE_TIMEOUT_MS,
        .write_timeout_ms = REST_WRITE_TIMEOUT_MS,
    };
    http_handler handler = {
        .context = server,
        .head = rest_head,
        .request = rest_request_arrived,
        .resumed = rest_resumed,
        .complete = rest_completed,
    };
    server->http = http_server_start(&config, &handler, err, errlen);
    if (!server->http)
        goto done;
    for (size_t i = 0; i < server->count; i++)
        if (server->endpoints[i].port == 0)
            server->endpoints[i].port = http_server_port(server->http, i);
    rc = 0;
done:
    free(listeners);
    free(names);
    return rc;
}

rest_server *rest_server_start(worker *running, herder *changes, char *err, size_t errlen)
{
    const worker_config *config = worker_configuration(running);
    rest_server *server = calloc(1, sizeof(*server));
    if (!server)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
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
    const char *console = config_map_get(config->values, "ui.enable");
    server->console = true;
    char why[128];
    if (console && config_value_parse_bool(console, &server->console, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "ui.enable: %s", why);
        goto fail;
    }
    server->auth = rest_auth_new(config->values, err, errlen);
    if (!server->auth)
        goto fail;
    if (rest_endpoints_parse(config->listeners, &server->endpoints, &server->count, err,
                             errlen) != 0)
        goto fail;
    bool https = false;
    for (size_t i = 0; i < server->count; i++)
        https |= server->endpoints[i].https;
    if (https && rest_tls_load(config->values, &server->tls, err, errlen) != 0)
        goto fail;
    if (rest_http_start(server, err, errlen) != 0)
        goto fail;
    for (size_t i = 0; i < server->count; i++) {
        rest_endpoint *endpoint = &server->endpoints[i];
        bool v6 = endpoint->address.ss_family == AF_INET6;
        char url[300];
        snprintf(url, sizeof(url), "%s://%s%s%s:%d", endpoint->https ? "https" : "http",
                 v6 ? "[" : "", endpoint->host[0] ? endpoint->host : "0.0.0.0", v6 ? "]" : "",
                 endpoint->port);
        if (!endpoint->https && !endpoint->loopback && rest_auth_enabled(server->auth))
            log_warn(REST_SCOPE, "%s is plain HTTP on a non-loopback address: credentials "
                     "cross the network in clear text; use an https listener", url);
        if (!endpoint->loopback && !rest_auth_enabled(server->auth))
            log_warn(REST_SCOPE, "%s is reachable from other hosts and requires no "
                     "credentials: anyone who can reach it controls the connectors; set "
                     "rest.auth.basic.users or rest.auth.bearer.tokens", url);
        log_info(REST_SCOPE, "REST API listening on %s (authentication: %s)%s%s%s", url,
                 rest_auth_schemes(server->auth), server->console ? "; console at " : "",
                 server->console ? url : "", server->console ? "/ui/" : "");
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
     * The requests in progress get their answers (closing their connections) while the control
     * loop still runs. */
    http_server_drain(server->http);
    int64_t deadline = clock_monotonic_ms() + grace_ms;
    while (http_server_connections(server->http) > 0 && clock_monotonic_ms() < deadline) {
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
     * every request has been answered when the HTTP server stops. */
    http_server_quiesce(server->http);
    while (atomic_load(&server->suspended) > 0) {
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    http_server_stop(server->http);
    rest_endpoints_free(server->endpoints, server->count);
    rest_tls_clear(&server->tls);
    rest_auth_destroy(server->auth);
    free(server);
}
