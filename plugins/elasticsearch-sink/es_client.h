/*
 * es_client.h - the HTTP side: libcurl easy handles set up once per connection settings
 * (timeouts, keep-alive, TLS with verification, basic auth or an API key, proxy, gzip), the
 * connection URLs with failover, and blocking requests for index set-up. The bulk requests
 * themselves run on the writer's multi handle (es_writer.c) with handles made here.
 *
 * URL health is shared between the task thread (blocking requests) and the writer's thread:
 * its functions lock.
 */
#ifndef FERRY_ES_CLIENT_H
#define FERRY_ES_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "support/strbuf.h"
#include "es_config.h"

#define ES_RESPONSE_MAX_BYTES ((size_t)64 << 20)

typedef struct es_client es_client;

/* What a failed exchange means for the documents in it. */
typedef enum es_failure {
    ES_FAILURE_NONE,      /* an answer came */
    ES_FAILURE_RETRY,     /* unavailable: connection, timeout, 429, 5xx, garbage */
    ES_FAILURE_FATAL,     /* retrying cannot help: credentials, TLS verification, bad request */
} es_failure;

es_client *es_client_new(const es_settings *settings, char *err, size_t errlen);
void es_client_destroy(es_client *client);

/* The URL for the next request: the next healthy one in turn, or, when none is, the one whose
 * pause ends first. *ready_at_ms is when that URL may be used (<= now when it may be now). */
size_t es_client_pick(es_client *client, int64_t now_ms, int64_t *ready_at_ms);
const char *es_client_url(const es_client *client, size_t url);
size_t es_client_url_count(const es_client *client);
/* The URL failed at the connection level (or answered 502/503/504): pause it (0.5 s doubling up
 * to 5 s). Returns true when it was healthy before (a failover). */
bool es_client_url_failed(es_client *client, size_t url, int64_t now_ms);
void es_client_url_ok(es_client *client, size_t url);

/* A new easy handle with every connection setting applied; NULL when out of memory. The
 * request-specific options (URL, method, body, write function) are left to the caller. */
CURL *es_client_easy_new(es_client *client, char *err, size_t errlen);
/* Headers for bulk bodies (ndjson, gzip when enabled, the API key), owned by the client. */
struct curl_slist *es_client_bulk_headers(es_client *client);
bool es_client_compression(const es_client *client);

/* The libcurl write callback collecting an answer into a strbuf (at most
 * ES_RESPONSE_MAX_BYTES). */
size_t es_client_collect(char *data, size_t size, size_t count, void *buffer);

/* The failure class of a libcurl result (CURLE_OK: ES_FAILURE_NONE). */
es_failure es_client_curl_failure(CURLcode code);
/* The failure class of an HTTP status of a whole answer. */
es_failure es_client_status_failure(long status);
/* Whether a libcurl result or status says the node itself is away (pause the URL). */
bool es_client_node_down(CURLcode code, long status);

/* A blocking request (task thread) to each URL in turn until one answers: method "GET", "PUT",
 * "HEAD"; body JSON or NULL. 0 with *status and the answer; -1 with the failure class and a
 * message when no URL answered. */
int es_client_request(es_client *client, const char *method, const char *path, const char *body,
                      long *status, strbuf *answer, es_failure *failure, char *err,
                      size_t errlen);

/* A header of the last answer to es_client_request (the first of that name), copied into out;
 * false when it had none. */
bool es_client_header(es_client *client, const char *name, char *out, size_t outlen);

/* Path segment escaping (index names). Returns a new string or NULL. */
char *es_client_escape(es_client *client, const char *segment);


#endif
