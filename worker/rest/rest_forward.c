/*
 * rest_forward.c - a change made on a follower goes to the leader, as Kafka Connect's
 * HerderRequestHandler sends it: the request as it came (method, path with its encoding, query,
 * body bytes, Content-Type, Authorization, and the signature headers of an internal request)
 * with Kafka Connect's `forward` query parameter, and the leader's answer relayed (status, body,
 * Content-Type, Location).
 *
 * `forward` bounds the hops: a request from a user (no `forward`) goes on with forward=true, so
 * that a worker that took itself for the leader's successor may pass it on once more; one that
 * came with forward=true goes on with forward=false; one that came with forward=false is not
 * forwarded again but answered 409, as is any while no leader is known (a rebalance is under
 * way). A leader that cannot be reached is answered 500 within REST_FORWARD_TIMEOUT_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "cluster/cluster_client.h"
#include "cluster/request_signature.h"
#include "rest/rest_http.h"
#include "rest/rest_router.h"
#include "support/strbuf.h"

#define REST_FORWARD_SCOPE "rest"
/* Longer than the leader's own wait for its change, so that its "Request timed out" answer
 * comes back rather than this worker's. */
#define REST_FORWARD_TIMEOUT_MS (REST_CALL_TIMEOUT_MS + 10000)
#define REST_FORWARD_CONNECT_TIMEOUT_MS 5000
#define REST_FORWARD_HEADERS_MAX 5

/* Kafka Connect's wording, which scripts match on. */
#define REST_NO_LEADER_MESSAGE "Cannot complete request momentarily due to no known leader " \
                               "URL, likely because a rebalance was underway."
#define REST_CONFLICT_MESSAGE "Cannot complete request because of a conflicting operation " \
                              "(e.g. worker rebalance)"
#define REST_FORWARD_FAILED_PREFIX "IO Error trying to forward REST request: "

/* Whether the query argument text (key[=value], as received) is `forward`. */
static bool rest_is_forward_arg(const char *text, size_t len)
{
    size_t key_len = 0;
    while (key_len < len && text[key_len] != '=')
        key_len++;
    char *key = rest_percent_decode(text, key_len, true);
    bool forward = key && strcmp(key, "forward") == 0;
    free(key);
    return forward;
}

/* leader + path + ?forward=<next> + the other arguments as received. */
static void rest_forward_url(strbuf *url, const char *leader, const rest_request *request,
                             bool next)
{
    size_t base_len = strlen(leader);
    while (base_len > 0 && leader[base_len - 1] == '/')
        base_len--;
    strbuf_append(url, leader, base_len);
    strbuf_append_str(url, request->path);
    strbuf_append_str(url, next ? "?forward=true" : "?forward=false");
    const char *query = request->query ? request->query : "";
    while (*query) {
        size_t len = strcspn(query, "&");
        if (len > 0 && !rest_is_forward_arg(query, len)) {
            strbuf_append_char(url, '&');
            strbuf_append(url, query, len);
        }
        query += len;
        if (*query == '&')
            query++;
    }
}

/* "Name: value" into the header list when value is present. */
static void rest_forward_header(char *line, size_t linelen, const char *name, const char *value,
                                const char **headers, size_t *count)
{
    if (!value)
        return;
    snprintf(line, linelen, "%s: %s", name, value);
    headers[(*count)++] = line;
}

/* The path of a Location the leader answered with: the answer refers to this worker, as Kafka
 * Connect's does (it builds the Location where it answers). */
static const char *rest_location_path(const char *location)
{
    const char *scheme = strstr(location, "://");
    if (!scheme || strcspn(location, "/") < (size_t)(scheme - location))
        return location;
    const char *path = strchr(scheme + 3, '/');
    return path ? path : "/";
}

static void rest_forward_send(const rest_request *request, rest_response *response,
                              const char *leader, bool next)
{
    strbuf url = {0};
    rest_forward_url(&url, leader, request, next);
    /* Header values are as the HTTP parser took them: no line breaks inside. */
    char content_type[512], authorization[4096], signature[256], algorithm[128];
    const char *headers[REST_FORWARD_HEADERS_MAX] = {NULL};
    size_t count = 0;
    rest_forward_header(content_type, sizeof(content_type), "Content-Type",
                        request->content_type, headers, &count);
    rest_forward_header(authorization, sizeof(authorization), "Authorization",
                        request->authorization, headers, &count);
    rest_forward_header(signature, sizeof(signature), REQUEST_SIGNATURE_HEADER,
                        request->signature, headers, &count);
    rest_forward_header(algorithm, sizeof(algorithm), REQUEST_SIGNATURE_ALGORITHM_HEADER,
                        request->signature_algorithm, headers, &count);
    cluster_client_request http = {
        .method = request->method, .url = url.data, .headers = headers,
        .body = request->body, .body_len = request->body ? request->body_len : 0,
        .timeout_ms = REST_FORWARD_TIMEOUT_MS,
        .connect_timeout_ms = REST_FORWARD_CONNECT_TIMEOUT_MS,
    };
    cluster_client_response answer = {0};
    char err[1024];
    if (strbuf_failed(&url)) {
        rest_reply_error(response, 500, "out of memory");
        goto done;
    }
    log_debug(REST_FORWARD_SCOPE, "forwarding %s %s to the leader: %s", request->method,
              request->path, url.data);
    if (cluster_client_send(&http, &answer, err, sizeof(err)) != 0) {
        log_error(REST_FORWARD_SCOPE, "cannot forward a request to the leader: %s", err);
        rest_reply_error(response, 500, REST_FORWARD_FAILED_PREFIX "%s", err);
        goto done;
    }
    rest_response_clear(response);
    response->status = (unsigned)answer.status;
    if (answer.body.len > 0) {
        response->body = strbuf_take(&answer.body, &response->body_len);
        if (!response->body) {
            rest_reply_error(response, 500, "out of memory");
            goto done;
        }
    }
    if (answer.content_type[0]) {
        response->relayed_type = strdup(answer.content_type);
        response->content_type = response->relayed_type;
    }
    if (answer.location[0])
        response->location = strdup(rest_location_path(answer.location));
done:
    cluster_client_response_clear(&answer);
    strbuf_free(&url);
}

void rest_forward(const rest_request *request, rest_response *response)
{
    char *leader = response->forward_to;
    response->forward_to = NULL;
    const char *forward = rest_query_get(request, "forward");
    /* Java's Boolean parameter: "true" in any case, anything else is false. */
    bool may_forward = !forward || strcasecmp(forward, "true") == 0;
    if (!may_forward) {
        log_error(REST_FORWARD_SCOPE, "request '%s %s' failed because it couldn't find the "
                  "leader within two hops (between workers)", request->method, request->path);
        rest_reply_error(response, 409, REST_CONFLICT_MESSAGE);
    } else if (!leader || !leader[0]) {
        rest_reply_error(response, 409, REST_NO_LEADER_MESSAGE);
    } else {
        rest_forward_send(request, response, leader, forward == NULL);
    }
    free(leader);
}
