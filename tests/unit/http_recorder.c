/*
 * http_recorder.c - the recording HTTP server of tests (http_recorder.h), on ferry's own HTTP
 * server.
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
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rest/http_server.h"

#define RECORDER_MAX 64

struct http_recorder {
    http_server *server;
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
    atomic_int delayed; /* answers waiting on a thread of their own */
};

/* An answer decided when the request came, given later when the test asked for a delay. */
typedef struct recorder_answer {
    http_recorder *recorder;
    http_exchange *exchange;
    unsigned status;
    char content_type[128];
    char location[256];
    char *body;
    int delay_ms;
} recorder_answer;

static void recorder_header(const http_exchange *exchange, const char *name, char *out,
                            size_t outlen)
{
    const char *value = http_exchange_header(exchange, name);
    snprintf(out, outlen, "%s", value ? value : "");
}

static void recorder_answer_give(recorder_answer *answer)
{
    http_header location = {"Location", answer->location};
    http_exchange_respond(answer->exchange, answer->status,
                          answer->content_type[0] ? answer->content_type : NULL, &location,
                          answer->location[0] ? 1 : 0, answer->body, strlen(answer->body));
    free(answer->body);
    free(answer);
}

static void *recorder_answer_later(void *argument)
{
    recorder_answer *answer = argument;
    http_recorder *recorder = answer->recorder;
    struct timespec pause = {answer->delay_ms / 1000, (long)(answer->delay_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    recorder_answer_give(answer);
    atomic_fetch_sub(&recorder->delayed, 1);
    return NULL;
}

static void recorder_request(void *context, http_exchange *exchange)
{
    http_recorder *recorder = context;
    http_recorded request = {0};
    snprintf(request.method, sizeof(request.method), "%s", http_exchange_method(exchange));
    const char *query = http_exchange_query(exchange);
    snprintf(request.target, sizeof(request.target), "%s%s%s", http_exchange_path(exchange),
             query[0] ? "?" : "", query);
    size_t body_len = 0;
    const char *body = http_exchange_body(exchange, &body_len);
    if (body && body_len > 0) {
        request.body = malloc(body_len + 1);
        assert_non_null(request.body);
        memcpy(request.body, body, body_len + 1);
        request.body_len = body_len;
    }
    recorder_header(exchange, "Content-Type", request.content_type,
                    sizeof(request.content_type));
    recorder_header(exchange, "Authorization", request.authorization,
                    sizeof(request.authorization));
    recorder_header(exchange, "X-Connect-Authorization", request.signature,
                    sizeof(request.signature));
    recorder_header(exchange, "X-Connect-Request-Signature-Algorithm", request.algorithm,
                    sizeof(request.algorithm));
    recorder_answer *answer = calloc(1, sizeof(*answer));
    assert_non_null(answer);
    answer->recorder = recorder;
    answer->exchange = exchange;
    pthread_mutex_lock(&recorder->mutex);
    if (recorder->count < RECORDER_MAX)
        recorder->requests[recorder->count++] = request;
    else
        http_recorded_clear(&request);
    bool forbidden = recorder->forbid > 0;
    if (forbidden)
        recorder->forbid--;
    answer->status = forbidden ? 403 : recorder->status;
    answer->body = strdup(forbidden ? "{\"error_code\":403,\"message\":\"Internal request "
                                      "contained invalid signature.\"}"
                                    : recorder->body ? recorder->body : "");
    snprintf(answer->content_type, sizeof(answer->content_type), "%s",
             forbidden ? "application/json" : recorder->content_type);
    snprintf(answer->location, sizeof(answer->location), "%s",
             forbidden ? "" : recorder->location);
    answer->delay_ms = recorder->delay_ms;
    pthread_mutex_unlock(&recorder->mutex);
    assert_non_null(answer->body);
    if (answer->delay_ms <= 0) {
        recorder_answer_give(answer);
        return;
    }
    atomic_fetch_add(&recorder->delayed, 1);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, recorder_answer_later, answer), 0);
    pthread_detach(thread);
}

http_recorder *http_recorder_start(void)
{
    http_recorder *recorder = calloc(1, sizeof(*recorder));
    assert_non_null(recorder);
    pthread_mutex_init(&recorder->mutex, NULL);
    http_recorder_answer(recorder, 200, "application/json", "{}", NULL);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    http_listen listen_at = {"the recorder", (struct sockaddr *)&address, sizeof(address),
                             false};
    http_server_config config = {
        .listeners = &listen_at, .listener_count = 1, .max_body = 16 * 1024 * 1024,
        .drain_max = 16 * 1024 * 1024, .threads = 1, .max_connections = 256,
        .max_per_address = 256, .head_timeout_ms = 10000, .body_timeout_ms = 30000,
        .idle_timeout_ms = 60000, .write_timeout_ms = 30000,
    };
    http_handler handler = {.context = recorder, .request = recorder_request};
    char err[256];
    recorder->server = http_server_start(&config, &handler, err, sizeof(err));
    if (!recorder->server)
        fail_msg("the recorder cannot listen: %s", err);
    snprintf(recorder->url, sizeof(recorder->url), "http://127.0.0.1:%d/",
             http_server_port(recorder->server, 0));
    return recorder;
}

void http_recorder_stop(http_recorder *recorder)
{
    if (!recorder)
        return;
    http_server_quiesce(recorder->server);
    while (atomic_load(&recorder->delayed) > 0) {
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
    http_server_stop(recorder->server);
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
