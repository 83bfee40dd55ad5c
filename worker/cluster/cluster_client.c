/*
 * cluster_client.c - HTTP requests between the workers of a cluster (cluster_client.h): one
 * libcurl easy handle per request, and the signed internal request that carries a connector's
 * task configs to the leader.
 */
#include "cluster/cluster_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <ferry/plugin.h>
#include <jansson.h>

#include "cluster/request_signature.h"
#include "support/clock.h"

/* Pauses between attempts of a refused internal request, as Kafka Connect backs off before it
 * reconfigures a connector's tasks again. */
#define CLUSTER_RETRY_PAUSE_FIRST_MS 250
#define CLUSTER_RETRY_PAUSE_MAX_MS 4000

static pthread_once_t cluster_curl_once = PTHREAD_ONCE_INIT;
static CURLcode cluster_curl_init_code;

static void cluster_curl_init(void)
{
    /* Process-wide and never undone: libcurl counts its initialisations, so the Elasticsearch
     * plugin's own one does not conflict with this. */
    cluster_curl_init_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void cluster_client_response_clear(cluster_client_response *response)
{
    strbuf_free(&response->body);
    *response = (cluster_client_response){0};
}

static size_t cluster_body_write(char *data, size_t size, size_t count, void *opaque)
{
    strbuf *body = opaque;
    strbuf_append(body, data, size * count);
    return strbuf_failed(body) ? 0 : size * count;
}

/* Copies the value of header line (name: value\r\n) into out when its name is name. */
static void cluster_header_take(const char *line, size_t len, const char *name, char *out,
                                size_t outlen)
{
    size_t name_len = strlen(name);
    if (len <= name_len || line[name_len] != ':' || strncasecmp(line, name, name_len) != 0)
        return;
    const char *value = line + name_len + 1;
    const char *end = line + len;
    while (value < end && (*value == ' ' || *value == '\t'))
        value++;
    while (end > value && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t value_len = (size_t)(end - value);
    if (value_len >= outlen)
        value_len = outlen - 1;
    memcpy(out, value, value_len);
    out[value_len] = '\0';
}

static size_t cluster_header_write(char *data, size_t size, size_t count, void *opaque)
{
    cluster_client_response *response = opaque;
    size_t len = size * count;
    /* A status line starts each response libcurl reads (an interim 100 included): only the
     * headers of the last one count. */
    if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
        response->content_type[0] = '\0';
        response->location[0] = '\0';
    }
    cluster_header_take(data, len, "Content-Type", response->content_type,
                        sizeof(response->content_type));
    cluster_header_take(data, len, "Location", response->location, sizeof(response->location));
    return len;
}

static bool cluster_has_header(const char *const *headers, const char *name)
{
    size_t name_len = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (strncasecmp(headers[i], name, name_len) == 0 && headers[i][name_len] == ':')
            return true;
    return false;
}

/* The request's headers, with libcurl's own additions that must not go out taken off. */
static struct curl_slist *cluster_header_list(const cluster_client_request *request, bool *ok)
{
    struct curl_slist *list = NULL;
    *ok = true;
    for (size_t i = 0; request->headers && request->headers[i]; i++) {
        struct curl_slist *grown = curl_slist_append(list, request->headers[i]);
        if (!grown)
            goto fail;
        list = grown;
    }
    static const char *const removed[] = {"Expect:", "Content-Type:"};
    for (size_t i = 0; i < sizeof(removed) / sizeof(removed[0]); i++) {
        if (i == 1 && cluster_has_header(request->headers, "Content-Type"))
            continue;
        struct curl_slist *grown = curl_slist_append(list, removed[i]);
        if (!grown)
            goto fail;
        list = grown;
    }
    return list;
fail:
    curl_slist_free_all(list);
    *ok = false;
    return NULL;
}

static bool cluster_method_has_body(const char *method, size_t body_len)
{
    /* A write sends its body, an empty one included (Content-Length: 0), as clients do. */
    return body_len > 0 || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
                            strcmp(method, "DELETE") != 0);
}

/* libcurl's progress function, called at least once a second while an exchange waits: a
 * non-zero answer aborts it (a stopping worker does not wait out a leader that never answers). */
static int cluster_stop_check(void *opaque, curl_off_t download_total, curl_off_t downloaded,
                              curl_off_t upload_total, curl_off_t uploaded)
{
    (void)download_total;
    (void)downloaded;
    (void)upload_total;
    (void)uploaded;
    return atomic_load((const atomic_bool *)opaque) ? 1 : 0;
}

int cluster_client_send(const cluster_client_request *request,
                        cluster_client_response *response, char *err, size_t errlen)
{
    cluster_client_response_clear(response);
    pthread_once(&cluster_curl_once, cluster_curl_init);
    if (cluster_curl_init_code != CURLE_OK)
        return ferry_error_set(err, errlen, "%s %s: libcurl initialisation failed: %s",
                               request->method, request->url,
                               curl_easy_strerror(cluster_curl_init_code)), -1;
    CURL *easy = curl_easy_init();
    bool headers_ok;
    struct curl_slist *headers = cluster_header_list(request, &headers_ok);
    int rc = -1;
    if (!easy || !headers_ok) {
        ferry_error_set(err, errlen, "%s %s: out of memory", request->method, request->url);
        goto done;
    }
    char detail[CURL_ERROR_SIZE] = "";
    long connect_ms = request->connect_timeout_ms > 0 &&
                              request->connect_timeout_ms < request->timeout_ms
                          ? request->connect_timeout_ms
                          : request->timeout_ms;
    curl_easy_setopt(easy, CURLOPT_URL, request->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM: threads */
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)request->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "ferry");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, cluster_body_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response->body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, cluster_header_write);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, response);
    if (strcmp(request->method, "HEAD") == 0)
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    else if (cluster_method_has_body(request->method, request->body_len)) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_len);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body ? request->body : "");
    }
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request->method);
    if (request->stop) {
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, cluster_stop_check);
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, (void *)request->stop);
    }
    CURLcode code = curl_easy_perform(easy);
    if (code != CURLE_OK) {
        if (code == CURLE_ABORTED_BY_CALLBACK)
            ferry_error_set(err, errlen, "%s %s: given up, the worker is stopping",
                            request->method, request->url);
        else
            ferry_error_set(err, errlen, "%s %s: %s%s%s%s", request->method, request->url,
                            curl_easy_strerror(code), detail[0] ? " (" : "", detail,
                            detail[0] ? ")" : "");
        cluster_client_response_clear(response);
        goto done;
    }
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response->status);
    rc = 0;
done:
    curl_slist_free_all(headers);
    if (easy)
        curl_easy_cleanup(easy);
    return rc;
}

/* ---- the task configs sent to the leader ----------------------------------------------- */

int cluster_client_sign_fixed(void *opaque, const void *body, size_t body_len,
                              char *algorithm, char *signature, char *err, size_t errlen)
{
    const cluster_client_fixed_key *fixed = opaque;
    request_signature_key key = {.bytes = fixed->key, .len = fixed->key_len,
                                 .algorithm = fixed->algorithm};
    if (strlen(fixed->algorithm) >= CLUSTER_CLIENT_ALGORITHM_MAX)
        return ferry_error_set(err, errlen, "unknown signature algorithm '%s'",
                               fixed->algorithm), -1;
    if (request_signature_sign(fixed->algorithm, &key, body, body_len, signature, err,
                               errlen) != 0)
        return -1;
    snprintf(algorithm, CLUSTER_CLIENT_ALGORITHM_MAX, "%s", fixed->algorithm);
    return 0;
}

/* {leader}/connectors/{connector}/tasks, the name encoded; NULL when out of memory. */
static char *cluster_tasks_url(const char *leader_url, const char *connector)
{
    char *name = curl_easy_escape(NULL, connector, 0);
    if (!name)
        return NULL;
    size_t base_len = strlen(leader_url);
    while (base_len > 0 && leader_url[base_len - 1] == '/')
        base_len--;
    char *url = NULL;
    if (asprintf(&url, "%.*s/connectors/%s/tasks", (int)base_len, leader_url, name) < 0)
        url = NULL;
    curl_free(name);
    return url;
}

/* Kafka Connect's message of an error answer, or the start of the body. */
static void cluster_answer_message(const cluster_client_response *response, char *out,
                                   size_t outlen)
{
    json_t *body = response->body.data
                       ? json_loadb(response->body.data, response->body.len, 0, NULL)
                       : NULL;
    const char *message = json_string_value(json_object_get(body, "message"));
    if (message)
        snprintf(out, outlen, "%s", message);
    else
        snprintf(out, outlen, "%.200s", response->body.data ? response->body.data : "");
    json_decref(body);
}

static void cluster_pause(int64_t ms, const atomic_bool *stop)
{
    /* In slices, so that a stopping worker does not wait out a whole pause. */
    while (ms > 0 && !(stop && atomic_load(stop))) {
        int64_t slice = ms < 50 ? ms : 50;
        struct timespec pause = {0, (long)slice * 1000000L};
        nanosleep(&pause, NULL);
        ms -= slice;
    }
}

int cluster_client_tasks_put(const cluster_client_tasks *request, long *status, char *err,
                             size_t errlen)
{
    char *url = cluster_tasks_url(request->leader_url, request->connector);
    cluster_client_response response = {0};
    int rc = -1;
    if (status)
        *status = 0;
    if (!url) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    int64_t first_ms = clock_monotonic_ms();
    int64_t pause_ms = CLUSTER_RETRY_PAUSE_FIRST_MS;
    for (;;) {
        char algorithm[CLUSTER_CLIENT_ALGORITHM_MAX];
        char signature[REQUEST_SIGNATURE_TEXT_MAX];
        char why[512];
        if (request->sign(request->sign_opaque, request->configs, request->configs_len,
                          algorithm, signature, why, sizeof(why)) != 0) {
            ferry_error_set(err, errlen, "POST %s: cannot sign the request: %s", url, why);
            goto done;
        }
        char authorization[sizeof(REQUEST_SIGNATURE_HEADER) + REQUEST_SIGNATURE_TEXT_MAX + 2];
        char algorithm_header[sizeof(REQUEST_SIGNATURE_ALGORITHM_HEADER) +
                              CLUSTER_CLIENT_ALGORITHM_MAX + 2];
        snprintf(authorization, sizeof(authorization), "%s: %s", REQUEST_SIGNATURE_HEADER,
                 signature);
        snprintf(algorithm_header, sizeof(algorithm_header), "%s: %s",
                 REQUEST_SIGNATURE_ALGORITHM_HEADER, algorithm);
        const char *headers[] = {"Content-Type: application/json", "Accept: application/json",
                                 authorization, algorithm_header, NULL};
        cluster_client_request http = {
            .method = "POST", .url = url, .headers = headers, .body = request->configs,
            .body_len = request->configs_len, .timeout_ms = request->timeout_ms,
            .stop = request->stop,
        };
        if (cluster_client_send(&http, &response, err, errlen) != 0)
            goto done;
        if (status)
            *status = response.status;
        if (response.status >= 200 && response.status < 300) {
            rc = 0;
            goto done;
        }
        bool retry = response.status == 403 &&
                     request_signature_retry_forbidden(first_ms, clock_monotonic_ms() + pause_ms) &&
                     !(request->stop && atomic_load(request->stop));
        if (!retry) {
            char message[512];
            cluster_answer_message(&response, message, sizeof(message));
            ferry_error_set(err, errlen, "POST %s: the leader answered %ld: %s", url,
                            response.status, message);
            goto done;
        }
        cluster_pause(pause_ms, request->stop);
        pause_ms = pause_ms * 2 > CLUSTER_RETRY_PAUSE_MAX_MS ? CLUSTER_RETRY_PAUSE_MAX_MS
                                                             : pause_ms * 2;
    }
done:
    cluster_client_response_clear(&response);
    free(url);
    return rc;
}
