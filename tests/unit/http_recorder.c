/*
 * http_recorder.c - the recording HTTP server of tests (http_recorder.h).
 */
#include "http_recorder.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#define RECORDER_MAX 64

struct http_recorder {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t mutex;
    http_recorded requests[RECORDER_MAX];
    size_t count;
    unsigned status;
    char content_type[128];
    char *body;
    char location[256];
    int forbid;
    int delay_ms;
};

/* One request while it arrives. */
typedef struct recorder_exchange {
    http_recorded request;
    size_t capacity;
} recorder_exchange;

static void recorder_header(struct MHD_Connection *connection, const char *name, char *out,
                            size_t outlen)
{
    const char *value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    snprintf(out, outlen, "%s", value ? value : "");
}

static void *recorder_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)cls;
    (void)connection;
    recorder_exchange *exchange = calloc(1, sizeof(*exchange));
    if (exchange)
        snprintf(exchange->request.target, sizeof(exchange->request.target), "%s", uri);
    return exchange;
}

static enum MHD_Result recorder_access(void *cls, struct MHD_Connection *connection,
                                       const char *url, const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **state)
{
    http_recorder *recorder = cls;
    recorder_exchange *exchange = *state;
    (void)url;
    (void)version;
    if (!exchange)
        return MHD_NO;
    if (!exchange->request.method[0]) {
        snprintf(exchange->request.method, sizeof(exchange->request.method), "%s", method);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        http_recorded *request = &exchange->request;
        if (request->body_len + *upload_data_size + 1 > exchange->capacity) {
            exchange->capacity = (request->body_len + *upload_data_size + 1) * 2;
            request->body = realloc(request->body, exchange->capacity);
            if (!request->body)
                return MHD_NO;
        }
        memcpy(request->body + request->body_len, upload_data, *upload_data_size);
        request->body_len += *upload_data_size;
        request->body[request->body_len] = '\0';
        *upload_data_size = 0;
        return MHD_YES;
    }
    http_recorded *request = &exchange->request;
    recorder_header(connection, MHD_HTTP_HEADER_CONTENT_TYPE, request->content_type,
                    sizeof(request->content_type));
    recorder_header(connection, MHD_HTTP_HEADER_AUTHORIZATION, request->authorization,
                    sizeof(request->authorization));
    recorder_header(connection, "X-Connect-Authorization", request->signature,
                    sizeof(request->signature));
    recorder_header(connection, "X-Connect-Request-Signature-Algorithm", request->algorithm,
                    sizeof(request->algorithm));
    pthread_mutex_lock(&recorder->mutex);
    if (recorder->count < RECORDER_MAX) {
        recorder->requests[recorder->count++] = *request;
        request->body = NULL; /* the recorder keeps it */
    }
    bool forbidden = recorder->forbid > 0;
    if (forbidden)
        recorder->forbid--;
    unsigned status = forbidden ? 403 : recorder->status;
    const char *body = forbidden ? "{\"error_code\":403,\"message\":\"Internal request contained "
                                   "invalid signature.\"}"
                                 : recorder->body;
    char *copy = strdup(body ? body : "");
    char content_type[128], location[256];
    snprintf(content_type, sizeof(content_type), "%s",
             forbidden ? "application/json" : recorder->content_type);
    snprintf(location, sizeof(location), "%s", forbidden ? "" : recorder->location);
    int delay_ms = recorder->delay_ms;
    pthread_mutex_unlock(&recorder->mutex);
    if (delay_ms > 0) {
        struct timespec pause = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
    struct MHD_Response *reply =
        MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_FREE);
    if (content_type[0])
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (location[0])
        MHD_add_response_header(reply, MHD_HTTP_HEADER_LOCATION, location);
    enum MHD_Result rc = MHD_queue_response(connection, status, reply);
    MHD_destroy_response(reply);
    return rc;
}

static void recorder_completed(void *cls, struct MHD_Connection *connection, void **state,
                               enum MHD_RequestTerminationCode code)
{
    recorder_exchange *exchange = *state;
    (void)cls;
    (void)connection;
    (void)code;
    if (exchange)
        free(exchange->request.body);
    free(exchange);
    *state = NULL;
}

/* The request target as sent: libmicrohttpd must not decode it. */
static size_t recorder_no_unescape(void *cls, struct MHD_Connection *connection, char *text)
{
    (void)cls;
    (void)connection;
    return strlen(text);
}

http_recorder *http_recorder_start(void)
{
    http_recorder *recorder = calloc(1, sizeof(*recorder));
    assert_non_null(recorder);
    pthread_mutex_init(&recorder->mutex, NULL);
    http_recorder_answer(recorder, 200, "application/json", "{}", NULL);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    recorder->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        recorder_access, recorder, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_URI_LOG_CALLBACK, recorder_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, recorder_completed, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, recorder_no_unescape, NULL, MHD_OPTION_END);
    assert_non_null(recorder->daemon);
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(recorder->daemon, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    snprintf(recorder->url, sizeof(recorder->url), "http://127.0.0.1:%u/", info->port);
    return recorder;
}

void http_recorder_stop(http_recorder *recorder)
{
    if (!recorder)
        return;
    if (recorder->daemon)
        MHD_stop_daemon(recorder->daemon);
    for (size_t i = 0; i < recorder->count; i++)
        http_recorded_clear(&recorder->requests[i]);
    free(recorder->body);
    pthread_mutex_destroy(&recorder->mutex);
    free(recorder);
}

const char *http_recorder_url(const http_recorder *recorder)
{
    return recorder->url;
}

void http_recorder_answer(http_recorder *recorder, unsigned status, const char *content_type,
                          const char *body, const char *location)
{
    pthread_mutex_lock(&recorder->mutex);
    recorder->status = status;
    snprintf(recorder->content_type, sizeof(recorder->content_type), "%s",
             content_type ? content_type : "");
    free(recorder->body);
    recorder->body = strdup(body ? body : "");
    snprintf(recorder->location, sizeof(recorder->location), "%s", location ? location : "");
    pthread_mutex_unlock(&recorder->mutex);
}

void http_recorder_forbid_next(http_recorder *recorder, int count)
{
    pthread_mutex_lock(&recorder->mutex);
    recorder->forbid = count;
    pthread_mutex_unlock(&recorder->mutex);
}

void http_recorder_delay(http_recorder *recorder, int ms)
{
    pthread_mutex_lock(&recorder->mutex);
    recorder->delay_ms = ms;
    pthread_mutex_unlock(&recorder->mutex);
}

size_t http_recorder_count(http_recorder *recorder)
{
    pthread_mutex_lock(&recorder->mutex);
    size_t count = recorder->count;
    pthread_mutex_unlock(&recorder->mutex);
    return count;
}

void http_recorder_get(http_recorder *recorder, size_t index, http_recorded *out)
{
    pthread_mutex_lock(&recorder->mutex);
    assert_true(index < recorder->count);
    *out = recorder->requests[index];
    if (out->body) {
        out->body = malloc(out->body_len + 1);
        assert_non_null(out->body);
        memcpy(out->body, recorder->requests[index].body, out->body_len + 1);
    }
    pthread_mutex_unlock(&recorder->mutex);
}

void http_recorded_clear(http_recorded *recorded)
{
    free(recorded->body);
    recorded->body = NULL;
    recorded->body_len = 0;
}
