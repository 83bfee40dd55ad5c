/*
 * es_client.c - libcurl set-up, URL failover and blocking requests (es_client.h).
 */
#include "es_client.h"
#include "support/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ES_URL_PAUSE_FIRST_MS 500
#define ES_URL_PAUSE_MAX_MS 5000
#define ES_SYNC_TIMEOUT_MS 30000

typedef struct es_url_state {
    char *url;
    int64_t paused_until_ms;
    int64_t pause_ms; /* the last pause; 0 = healthy */
} es_url_state;

struct es_client {
    const es_settings *settings; /* borrowed; outlives the client */
    es_url_state *urls;
    size_t url_count;
    size_t next; /* round-robin position */
    pthread_mutex_t mutex;
    struct curl_slist *bulk_headers;
    struct curl_slist *json_headers;
    char *proxy;
    CURL *sync_easy; /* the task thread's handle for blocking requests */
};

static pthread_once_t es_curl_once = PTHREAD_ONCE_INIT;
static CURLcode es_curl_init_code;

static void es_curl_init(void)
{
    /* Process-wide and never undone: the module is never unloaded. */
    es_curl_init_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* A trust store must be PEM: say what to do with a Java keystore. */
static int es_client_check_pem(const char *path, const char *key, char *err, size_t errlen)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return ferry_error_set(err, errlen, "%s: cannot read '%s'", key, path), -1;
    unsigned char head[4096];
    size_t n = fread(head, 1, sizeof(head) - 1, file);
    fclose(file);
    head[n] = '\0';
    if (n >= 4 && head[0] == 0xfe && head[1] == 0xed && head[2] == 0xfe && head[3] == 0xed)
        return ferry_error_set(err, errlen, "%s: '%s' is a Java keystore (JKS); ferry reads PEM "
                               "certificates: export them with keytool -exportcert -rfc",
                               key, path), -1;
    if (!strstr((const char *)head, "-----BEGIN"))
        return ferry_error_set(err, errlen, "%s: '%s' holds no PEM certificate (PKCS12 and JKS "
                               "stores must be converted to PEM, e.g. with openssl pkcs12)",
                               key, path), -1;
    return 0;
}

es_client *es_client_new(const es_settings *settings, char *err, size_t errlen)
{
    pthread_once(&es_curl_once, es_curl_init);
    if (es_curl_init_code != CURLE_OK) {
        ferry_error_set(err, errlen, "libcurl initialisation failed: %s",
                        curl_easy_strerror(es_curl_init_code));
        return NULL;
    }
    if (settings->ca_file &&
        es_client_check_pem(settings->ca_file, "elastic.https.ssl.truststore.location", err,
                            errlen) != 0)
        return NULL;
    if (settings->client_cert_file &&
        es_client_check_pem(settings->client_cert_file, "elastic.https.ssl.keystore.location",
                            err, errlen) != 0)
        return NULL;
    es_client *client = calloc(1, sizeof(*client));
    if (!client || pthread_mutex_init(&client->mutex, NULL) != 0) {
        free(client);
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    client->settings = settings;
    client->urls = calloc(settings->url_count, sizeof(*client->urls));
    if (!client->urls)
        goto oom;
    for (size_t i = 0; i < settings->url_count; i++)
        client->urls[i].url = settings->urls[i];
    client->url_count = settings->url_count;

    struct curl_slist *bulk = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
    if (bulk)
        bulk = curl_slist_append(bulk, "Expect:"); /* no 100-continue round trip */
    if (bulk && settings->compression)
        bulk = curl_slist_append(bulk, "Content-Encoding: gzip");
    if (bulk && settings->api_key_header)
        bulk = curl_slist_append(bulk, settings->api_key_header);
    client->bulk_headers = bulk;
    struct curl_slist *json = curl_slist_append(NULL, "Content-Type: application/json");
    if (json)
        json = curl_slist_append(json, "Expect:");
    if (json && settings->api_key_header)
        json = curl_slist_append(json, settings->api_key_header);
    client->json_headers = json;
    if (!client->bulk_headers || !client->json_headers)
        goto oom;
    if (settings->proxy_host &&
        asprintf(&client->proxy, "%s:%d", settings->proxy_host, settings->proxy_port) < 0) {
        client->proxy = NULL;
        goto oom;
    }
    return client;
oom:
    es_client_destroy(client);
    ferry_error_set(err, errlen, "out of memory");
    return NULL;
}

void es_client_destroy(es_client *client)
{
    if (!client)
        return;
    if (client->sync_easy)
        curl_easy_cleanup(client->sync_easy);
    curl_slist_free_all(client->bulk_headers);
    curl_slist_free_all(client->json_headers);
    free(client->proxy);
    free(client->urls);
    pthread_mutex_destroy(&client->mutex);
    free(client);
}

/* ---- URLs --------------------------------------------------------------------------------- */

size_t es_client_pick(es_client *client, int64_t now_ms, int64_t *ready_at_ms)
{
    pthread_mutex_lock(&client->mutex);
    size_t chosen = 0;
    int64_t earliest = INT64_MAX;
    bool found = false;
    for (size_t i = 0; i < client->url_count; i++) {
        size_t at = (client->next + i) % client->url_count;
        if (client->urls[at].paused_until_ms <= now_ms) {
            chosen = at;
            found = true;
            break;
        }
        if (client->urls[at].paused_until_ms < earliest) {
            earliest = client->urls[at].paused_until_ms;
            chosen = at;
        }
    }
    client->next = (chosen + 1) % client->url_count;
    *ready_at_ms = found ? now_ms : earliest;
    pthread_mutex_unlock(&client->mutex);
    return chosen;
}

const char *es_client_url(const es_client *client, size_t url)
{
    return url < client->url_count ? client->urls[url].url : "";
}

size_t es_client_url_count(const es_client *client)
{
    return client->url_count;
}

bool es_client_url_failed(es_client *client, size_t url, int64_t now_ms)
{
    if (url >= client->url_count)
        return false;
    pthread_mutex_lock(&client->mutex);
    es_url_state *state = &client->urls[url];
    bool was_healthy = state->pause_ms == 0;
    state->pause_ms = was_healthy ? ES_URL_PAUSE_FIRST_MS
                                  : (state->pause_ms * 2 > ES_URL_PAUSE_MAX_MS
                                         ? ES_URL_PAUSE_MAX_MS : state->pause_ms * 2);
    state->paused_until_ms = now_ms + state->pause_ms;
    pthread_mutex_unlock(&client->mutex);
    return was_healthy;
}

void es_client_url_ok(es_client *client, size_t url)
{
    if (url >= client->url_count)
        return;
    pthread_mutex_lock(&client->mutex);
    client->urls[url].pause_ms = 0;
    client->urls[url].paused_until_ms = 0;
    pthread_mutex_unlock(&client->mutex);
}

/* ---- handles ------------------------------------------------------------------------------ */

#define ES_SETOPT(easy, option, value)                                                       \
    do {                                                                                     \
        CURLcode es_code_ = curl_easy_setopt(easy, option, value);                           \
        if (es_code_ != CURLE_OK) {                                                          \
            ferry_error_set(err, errlen, "libcurl refused %s: %s", #option,                  \
                            curl_easy_strerror(es_code_));                                   \
            curl_easy_cleanup(easy);                                                         \
            return NULL;                                                                     \
        }                                                                                    \
    } while (0)

CURL *es_client_easy_new(es_client *client, char *err, size_t errlen)
{
    const es_settings *s = client->settings;
    CURL *easy = curl_easy_init();
    if (!easy) {
        ferry_error_set(err, errlen, "out of memory (curl_easy_init)");
        return NULL;
    }
    ES_SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
    ES_SETOPT(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    ES_SETOPT(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    ES_SETOPT(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    ES_SETOPT(easy, CURLOPT_TCP_NODELAY, 1L);
    if (s->connection_timeout_ms > 0)
        ES_SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)s->connection_timeout_ms);
    if (s->read_timeout_ms > 0) {
        /* No byte for read.timeout.ms (whole seconds): the request timed out. */
        ES_SETOPT(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        ES_SETOPT(easy, CURLOPT_LOW_SPEED_TIME, (long)((s->read_timeout_ms + 999) / 1000));
    }
    long max_age = s->max_idle_ms < 0 ? 86400L : (long)((s->max_idle_ms + 999) / 1000);
    ES_SETOPT(easy, CURLOPT_MAXAGE_CONN, max_age > 0 ? max_age : 1L);
    if (s->compression)
        ES_SETOPT(easy, CURLOPT_ACCEPT_ENCODING, "");
    if (s->username) {
        ES_SETOPT(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        ES_SETOPT(easy, CURLOPT_USERNAME, s->username);
        ES_SETOPT(easy, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    ES_SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    ES_SETOPT(easy, CURLOPT_SSL_VERIFYHOST, s->verify_host ? 2L : 0L);
    if (s->ca_file)
        ES_SETOPT(easy, CURLOPT_CAINFO, s->ca_file);
    if (s->ca_pem) {
        struct curl_blob blob = {.data = s->ca_pem, .len = strlen(s->ca_pem),
                                 .flags = CURL_BLOB_COPY};
        ES_SETOPT(easy, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (s->client_cert_file) {
        ES_SETOPT(easy, CURLOPT_SSLCERT, s->client_cert_file);
        ES_SETOPT(easy, CURLOPT_SSLKEY, s->client_cert_file);
        if (s->client_key_password)
            ES_SETOPT(easy, CURLOPT_KEYPASSWD, s->client_key_password);
    }
    if (client->proxy) {
        ES_SETOPT(easy, CURLOPT_PROXY, client->proxy);
        if (s->proxy_username) {
            ES_SETOPT(easy, CURLOPT_PROXYUSERNAME, s->proxy_username);
            ES_SETOPT(easy, CURLOPT_PROXYPASSWORD, s->proxy_password ? s->proxy_password : "");
        }
    }
    return easy;
}

struct curl_slist *es_client_bulk_headers(es_client *client)
{
    return client->bulk_headers;
}

bool es_client_compression(const es_client *client)
{
    return client->settings->compression;
}

size_t es_client_collect(char *data, size_t size, size_t count, void *buffer)
{
    strbuf *answer = buffer;
    size_t len = size * count;
    if (answer->len + len > ES_RESPONSE_MAX_BYTES)
        return 0; /* CURLE_WRITE_ERROR: an answer this large is not Elasticsearch's */
    strbuf_append(answer, data, len);
    return answer->failed ? 0 : len;
}

/* ---- failure classes ---------------------------------------------------------------------- */

es_failure es_client_curl_failure(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return ES_FAILURE_NONE;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_LOGIN_DENIED:
        return ES_FAILURE_FATAL;
    default:
        return ES_FAILURE_RETRY;
    }
}

es_failure es_client_status_failure(long status)
{
    if (status >= 200 && status < 300)
        return ES_FAILURE_NONE;
    if (status == 400 || status == 401 || status == 403 || status == 404 || status == 405 ||
        status == 413)
        return ES_FAILURE_FATAL;
    return ES_FAILURE_RETRY;
}

bool es_client_node_down(CURLcode code, long status)
{
    if (code != CURLE_OK)
        return true;
    return status == 502 || status == 503 || status == 504;
}

/* ---- blocking requests -------------------------------------------------------------------- */

char *es_client_escape(es_client *client, const char *segment)
{
    (void)client;
    char *escaped = curl_easy_escape(NULL, segment, 0);
    char *copy = escaped ? strdup(escaped) : NULL;
    curl_free(escaped);
    return copy;
}

int es_client_request(es_client *client, const char *method, const char *path, const char *body,
                      long *status, strbuf *answer, es_failure *failure, char *err,
                      size_t errlen)
{
    *failure = ES_FAILURE_RETRY;
    if (!client->sync_easy) {
        client->sync_easy = es_client_easy_new(client, err, errlen);
        if (!client->sync_easy)
            return -1;
    }
    CURL *easy = client->sync_easy;
    char curl_error[CURL_ERROR_SIZE];
    for (size_t attempt = 0; attempt < client->url_count; attempt++) {
        int64_t ready_at;
        size_t url = es_client_pick(client, clock_monotonic_ms(), &ready_at);
        char *full = NULL;
        if (asprintf(&full, "%s%s", es_client_url(client, url), path) < 0)
            return ferry_error_set(err, errlen, "out of memory"), -1;
        strbuf_reset(answer);
        curl_error[0] = '\0';
        curl_easy_setopt(easy, CURLOPT_URL, full);
        if (body) {
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        } else {
            curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        }
        curl_easy_setopt(easy, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, client->json_headers);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, es_client_collect);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, answer);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, curl_error);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)ES_SYNC_TIMEOUT_MS);
        CURLcode code = curl_easy_perform(easy);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
        long http_status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http_status);
        if (es_client_node_down(code, http_status))
            es_client_url_failed(client, url, clock_monotonic_ms());
        if (code == CURLE_OK) {
            if (!es_client_node_down(code, http_status))
                es_client_url_ok(client, url);
            free(full);
            *status = http_status;
            *failure = ES_FAILURE_NONE;
            return 0;
        }
        *failure = es_client_curl_failure(code);
        ferry_error_set(err, errlen, "%s %s: %s", method, full,
                        curl_error[0] ? curl_error : curl_easy_strerror(code));
        free(full);
        if (*failure == ES_FAILURE_FATAL)
            return -1;
    }
    return -1;
}

bool es_client_header(es_client *client, const char *name, char *out, size_t outlen)
{
    struct curl_header *header = NULL;
    if (!client->sync_easy || outlen == 0 ||
        curl_easy_header(client->sync_easy, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK ||
        !header || !header->value)
        return false;
    snprintf(out, outlen, "%s", header->value);
    return true;
}
