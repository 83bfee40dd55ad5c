/*
 * http_recorder.h - a tiny HTTP server for tests (ferry's own HTTP server on 127.0.0.1, a port
 * of its own): it records every request exactly as it arrived (method, request target with its
 * query, the headers a worker relays, the body bytes) and answers with what the test set up.
 */
#ifndef FERRY_TEST_HTTP_RECORDER_H
#define FERRY_TEST_HTTP_RECORDER_H

#include <stddef.h>

typedef struct http_recorded {
    char method[16];
    char target[1024];        /* path and query, as sent */
    char content_type[128];   /* "" when absent, likewise below */
    char authorization[256];
    char signature[128];      /* X-Connect-Authorization */
    char algorithm[64];       /* X-Connect-Request-Signature-Algorithm */
    char *body;               /* NUL-terminated copy, or NULL when none came */
    size_t body_len;
} http_recorded;

typedef struct http_recorder http_recorder;

/* Starts listening; fails the test when it cannot. */
http_recorder *http_recorder_start(void);
/* Stops (waits for the requests in progress) and frees; accepts NULL. */
void http_recorder_stop(http_recorder *recorder);
/* "http://127.0.0.1:PORT/" */
const char *http_recorder_url(const http_recorder *recorder);

/* What every request is answered with from now on (location NULL: none). Default: 200, JSON
 * "{}". */
void http_recorder_answer(http_recorder *recorder, unsigned status, const char *content_type,
                          const char *body, const char *location);
/* The next count requests are answered 403 (Kafka Connect's signature refusal) first. */
void http_recorder_forbid_next(http_recorder *recorder, int count);
/* Every answer waits ms first. */
void http_recorder_delay(http_recorder *recorder, int ms);

/* How many requests arrived, and a copy of the index-th (0 first); clear it with
 * http_recorded_clear. */
size_t http_recorder_count(http_recorder *recorder);
void http_recorder_get(http_recorder *recorder, size_t index, http_recorded *out);
void http_recorded_clear(http_recorded *recorded);

#endif
