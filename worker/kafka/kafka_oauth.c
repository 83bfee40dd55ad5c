/*
 * kafka_oauth.c - OAUTHBEARER tokens from an OAuth token endpoint (client-credentials grant),
 * for every librdkafka build: the request as Kafka's HttpAccessTokenRetriever makes it, sent
 * with libcurl from librdkafka's token refresh callback, and the answer read as Kafka's
 * OAuthBearerLoginCallbackHandler reads it (see kafka_oauth.h).
 */
#include "kafka/kafka_oauth.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "support/base64.h"
#include "support/clock.h"
#include "support/strbuf.h"

#define KAFKA_OAUTH_LOG_SCOPE "kafka"
#define KAFKA_OAUTH_INTERCEPTOR "ferry-oauth"
/* The first word of ferry's sasl.oauthbearer.config, telling it from librdkafka's own format. */
#define KAFKA_OAUTH_MARKER "ferry.oauth=1"
/* An endpoint's answer larger than this is not a token answer. */
#define KAFKA_OAUTH_BODY_MAX (1024 * 1024)
/* How much of an error answer that is not OAuth's JSON a message quotes. */
#define KAFKA_OAUTH_SNIPPET_MAX 200

/* ------------------------------------------------------------------------------------------ */
/* Encoding                                                                                   */

static void kafka_oauth_percent_encode(strbuf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            strbuf_append_char(out, (char)*p);
        } else {
            strbuf_append_char(out, '%');
            strbuf_append_char(out, hex[*p >> 4]);
            strbuf_append_char(out, hex[*p & 0x0f]);
        }
    }
}

static int kafka_oauth_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* len characters of text, percent-decoded: a new string, or NULL (malformed, *bad set; or out
 * of memory). */
static char *kafka_oauth_percent_decode(const char *text, size_t len, bool *bad)
{
    char *out = malloc(len + 1);
    size_t used = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '%') {
            out[used++] = text[i];
            continue;
        }
        int high = i + 2 < len ? kafka_oauth_hex_digit(text[i + 1]) : -1;
        int low = i + 2 < len ? kafka_oauth_hex_digit(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            *bad = true;
            OPENSSL_cleanse(out, used);
            free(out);
            return NULL;
        }
        out[used++] = (char)(high << 4 | low);
        i += 2;
    }
    out[used] = '\0';
    return out;
}

void kafka_oauth_text_free(char *text)
{
    if (!text)
        return;
    OPENSSL_cleanse(text, strlen(text));
    free(text);
}

static void kafka_oauth_field(strbuf *out, const char *name, const char *value)
{
    if (!value)
        return;
    strbuf_append_printf(out, " %s=", name);
    kafka_oauth_percent_encode(out, value);
}

char *kafka_oauth_params_encode(const kafka_oauth_params *params)
{
    strbuf out = {0};
    strbuf_append_str(&out, KAFKA_OAUTH_MARKER);
    kafka_oauth_field(&out, "url", params->endpoint_url);
    kafka_oauth_field(&out, "key", params->endpoint_key);
    kafka_oauth_field(&out, "id", params->client_id);
    kafka_oauth_field(&out, "secret", params->client_secret);
    kafka_oauth_field(&out, "scope", params->scope);
    kafka_oauth_field(&out, "sub", params->sub_claim);
    strbuf_append_printf(&out, " urlencode=%d connect=%ld read=%ld backoff=%ld backoff_max=%ld",
                         params->header_urlencode ? 1 : 0, params->connect_timeout_ms,
                         params->read_timeout_ms, params->retry_backoff_ms,
                         params->retry_backoff_max_ms);
    for (size_t i = 0; params->extensions && i < config_map_count(params->extensions); i++) {
        strbuf_append_str(&out, " ext.");
        kafka_oauth_percent_encode(&out, config_map_key_at(params->extensions, i));
        strbuf_append_char(&out, '=');
        kafka_oauth_percent_encode(&out, config_map_value_at(params->extensions, i));
    }
    if (strbuf_failed(&out)) {
        if (out.data)
            OPENSSL_cleanse(out.data, out.len);
        strbuf_free(&out);
        return NULL;
    }
    return strbuf_take(&out, NULL);
}

static int kafka_oauth_number(const char *name, const char *value, long *out, char *err,
                              size_t errlen)
{
    char *end = NULL;
    errno = 0;
    long number = strtol(value, &end, 10);
    if (errno || end == value || *end || number < 0)
        return ferry_error_set(err, errlen, "OAuth settings: %s is not a number", name), -1;
    *out = number;
    return 0;
}

/* Stores one decoded field; takes ownership of value. Returns 0, or -1 with err set. */
static int kafka_oauth_params_store(kafka_oauth_params *params, const char *name, char *value,
                                    char *err, size_t errlen)
{
    char **slot = strcmp(name, "url") == 0      ? &params->endpoint_url
                  : strcmp(name, "key") == 0    ? &params->endpoint_key
                  : strcmp(name, "id") == 0     ? &params->client_id
                  : strcmp(name, "secret") == 0 ? &params->client_secret
                  : strcmp(name, "scope") == 0  ? &params->scope
                  : strcmp(name, "sub") == 0    ? &params->sub_claim
                                                : NULL;
    int rc = 0;
    if (slot) {
        kafka_oauth_text_free(*slot);
        *slot = value;
        return 0;
    }
    if (strncmp(name, "ext.", 4) == 0 && name[4]) {
        if (config_map_set(params->extensions, name + 4, value) != 0) {
            ferry_error_set(err, errlen, "out of memory");
            rc = -1;
        }
    } else if (strcmp(name, "urlencode") == 0) {
        params->header_urlencode = strcmp(value, "1") == 0;
    } else if (strcmp(name, "connect") == 0) {
        rc = kafka_oauth_number(name, value, &params->connect_timeout_ms, err, errlen);
    } else if (strcmp(name, "read") == 0) {
        rc = kafka_oauth_number(name, value, &params->read_timeout_ms, err, errlen);
    } else if (strcmp(name, "backoff") == 0) {
        rc = kafka_oauth_number(name, value, &params->retry_backoff_ms, err, errlen);
    } else if (strcmp(name, "backoff_max") == 0) {
        rc = kafka_oauth_number(name, value, &params->retry_backoff_max_ms, err, errlen);
    } else {
        ferry_error_set(err, errlen, "OAuth settings: unknown field %s", name);
        rc = -1;
    }
    kafka_oauth_text_free(value);
    return rc;
}

int kafka_oauth_params_decode(const char *text, kafka_oauth_params *params, char *err,
                              size_t errlen)
{
    size_t marker_len = strlen(KAFKA_OAUTH_MARKER);
    params->connect_timeout_ms = KAFKA_OAUTH_CONNECT_TIMEOUT_MS;
    params->read_timeout_ms = KAFKA_OAUTH_READ_TIMEOUT_MS;
    params->retry_backoff_ms = KAFKA_OAUTH_RETRY_BACKOFF_MS;
    params->retry_backoff_max_ms = KAFKA_OAUTH_RETRY_BACKOFF_MAX_MS;
    if (!text || strncmp(text, KAFKA_OAUTH_MARKER, marker_len) != 0 ||
        (text[marker_len] != ' ' && text[marker_len] != '\0'))
        return ferry_error_set(err, errlen, "sasl.oauthbearer.config was not written by ferry's "
                               "OAuth client-credentials translation"),
               -1;
    if (!(params->extensions = config_map_new()))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    for (const char *p = text + marker_len; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " ");
        const char *equals = memchr(p, '=', len);
        if (!equals)
            return ferry_error_set(err, errlen, "OAuth settings: expected name=value"), -1;
        bool bad = false;
        char *name = kafka_oauth_percent_decode(p, (size_t)(equals - p), &bad);
        char *value = name ? kafka_oauth_percent_decode(equals + 1, len - (size_t)(equals - p) - 1,
                                                        &bad)
                           : NULL;
        if (!name || !value) {
            free(name);
            return ferry_error_set(err, errlen, bad ? "OAuth settings: malformed percent-encoding"
                                                    : "out of memory"),
                   -1;
        }
        int rc = kafka_oauth_params_store(params, name, value, err, errlen);
        free(name);
        if (rc != 0)
            return -1;
        p += len;
    }
    if (!params->endpoint_url || !params->client_id || !params->client_secret)
        return ferry_error_set(err, errlen, "OAuth settings: the endpoint, client id and "
                               "secret are required"),
               -1;
    return 0;
}

void kafka_oauth_params_clear(kafka_oauth_params *params)
{
    if (!params)
        return;
    free(params->endpoint_url);
    free(params->endpoint_key);
    kafka_oauth_text_free(params->client_id);
    kafka_oauth_text_free(params->client_secret);
    free(params->scope);
    free(params->sub_claim);
    config_map_destroy(params->extensions);
    *params = (kafka_oauth_params){0};
}

void kafka_oauth_token_clear(kafka_oauth_token *token)
{
    if (!token)
        return;
    kafka_oauth_text_free(token->value);
    free(token->principal);
    *token = (kafka_oauth_token){0};
}

/* ------------------------------------------------------------------------------------------ */
/* The request                                                                                */

char *kafka_oauth_request_body(const char *scope)
{
    strbuf out = {0};
    strbuf_append_str(&out, "grant_type=client_credentials");
    if (scope) {
        const char *start = scope;
        while (isspace((unsigned char)*start))
            start++;
        size_t len = strlen(start);
        while (len > 0 && isspace((unsigned char)start[len - 1]))
            len--;
        if (len > 0) {
            char *trimmed = strndup(start, len);
            if (!trimmed) {
                strbuf_free(&out);
                return NULL;
            }
            strbuf_append_str(&out, "&scope=");
            kafka_oauth_percent_encode(&out, trimmed);
            free(trimmed);
        }
    }
    if (strbuf_failed(&out)) {
        strbuf_free(&out);
        return NULL;
    }
    return strbuf_take(&out, NULL);
}

char *kafka_oauth_authorization(const char *client_id, const char *client_secret,
                                bool urlencode)
{
    strbuf pair = {0};
    char *header = NULL;
    if (urlencode) {
        kafka_oauth_percent_encode(&pair, client_id);
        strbuf_append_char(&pair, ':');
        kafka_oauth_percent_encode(&pair, client_secret);
    } else {
        strbuf_append_printf(&pair, "%s:%s", client_id, client_secret);
    }
    if (!strbuf_failed(&pair)) {
        size_t len = strlen("Basic ") + base64_encoded_length(pair.len) + 1;
        header = malloc(len);
        if (header) {
            memcpy(header, "Basic ", 6);
            base64_encode(pair.data, pair.len, false, header + 6);
        }
    }
    if (pair.data)
        OPENSSL_cleanse(pair.data, pair.len);
    strbuf_free(&pair);
    return header;
}

/* ------------------------------------------------------------------------------------------ */
/* The answer                                                                                 */

int kafka_oauth_jwt_read(const char *jwt, const char *sub_claim, char **principal,
                         int64_t *exp_ms, char *err, size_t errlen)
{
    const char *claim = sub_claim && sub_claim[0] ? sub_claim : "sub";
    const char *first_dot = strchr(jwt, '.');
    *principal = NULL;
    *exp_ms = 0;
    if (!first_dot || first_dot == jwt)
        return ferry_error_set(err, errlen, "the access token is not a JWT (expected "
                               "header.payload.signature)"),
               -1;
    const char *payload = first_dot + 1;
    size_t payload_len = strcspn(payload, ".");
    if (payload_len == 0)
        return ferry_error_set(err, errlen, "the access token is not a JWT (its payload is "
                               "empty)"),
               -1;
    unsigned char *decoded = malloc(base64_decoded_max(payload_len) + 1);
    if (!decoded)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    long decoded_len = base64_decode(payload, payload_len, decoded);
    if (decoded_len < 0) {
        free(decoded);
        return ferry_error_set(err, errlen, "the access token's JWT payload is not base64url"),
               -1;
    }
    json_t *claims = json_loadb((const char *)decoded, (size_t)decoded_len, 0, NULL);
    free(decoded);
    int rc = -1;
    if (!json_is_object(claims)) {
        ferry_error_set(err, errlen, "the access token's JWT payload is not a JSON object");
        goto cleanup;
    }
    json_t *subject = json_object_get(claims, claim);
    const char *name = json_string_value(subject);
    if (!name || name[strspn(name, " \t\r\n")] == '\0') {
        ferry_error_set(err, errlen, "the access token's JWT has no %s claim naming the "
                        "principal (a non-empty string; sasl.oauthbearer.sub.claim.name)",
                        claim);
        goto cleanup;
    }
    json_t *exp = json_object_get(claims, "exp");
    if (exp) {
        if (!json_is_number(exp) || json_number_value(exp) <= 0) {
            ferry_error_set(err, errlen, "the access token's JWT claim exp is not a positive "
                            "number of seconds");
            goto cleanup;
        }
        *exp_ms = (int64_t)(json_number_value(exp) * 1000.0);
    }
    if (!(*principal = strdup(name))) {
        ferry_error_set(err, errlen, "out of memory");
        goto cleanup;
    }
    rc = 0;

cleanup:
    json_decref(claims);
    return rc;
}

/* Kafka's HttpAccessTokenRetriever does not retry these: they will not change by waiting. */
static bool kafka_oauth_status_final(long status)
{
    return status == 400 || status == 401 || status == 402 || status == 403 || status == 404 ||
           status == 405 || status == 406 || status == 407;
}

/* "HTTP 401: invalid_client: Client authentication failed", from OAuth's error answer (RFC 6749
 * 5.2, which holds nothing secret) or the start of another body. */
static void kafka_oauth_error_answer(long status, const char *body, size_t len, char *err,
                                     size_t errlen)
{
    json_t *answer = json_loadb(body, len, 0, NULL);
    const char *error = json_string_value(json_object_get(answer, "error"));
    const char *description = json_string_value(json_object_get(answer, "error_description"));
    if (error)
        ferry_error_set(err, errlen, "HTTP %ld: %s%s%s", status, error,
                        description ? ": " : "", description ? description : "");
    else if (description)
        ferry_error_set(err, errlen, "HTTP %ld: %s", status, description);
    else {
        char snippet[KAFKA_OAUTH_SNIPPET_MAX + 1];
        size_t used = 0;
        for (size_t i = 0; i < len && used < KAFKA_OAUTH_SNIPPET_MAX; i++)
            snippet[used++] = isprint((unsigned char)body[i]) ? body[i] : ' ';
        snippet[used] = '\0';
        ferry_error_set(err, errlen, "HTTP %ld%s%s%s", status, used ? ": " : "", snippet,
                        len > used ? " ..." : "");
    }
    json_decref(answer);
}

kafka_oauth_result kafka_oauth_response_read(long status, const char *body, size_t len,
                                             const char *sub_claim, int64_t now_ms,
                                             kafka_oauth_token *token, char *err, size_t errlen)
{
    if (status != 200 && status != 201) {
        kafka_oauth_error_answer(status, body ? body : "", body ? len : 0, err, errlen);
        return kafka_oauth_status_final(status) ? KAFKA_OAUTH_FAILED : KAFKA_OAUTH_RETRY;
    }
    json_t *answer = body ? json_loadb(body, len, 0, NULL) : NULL;
    const char *access_token = json_string_value(json_object_get(answer, "access_token"));
    json_t *expires_in = json_object_get(answer, "expires_in");
    kafka_oauth_result result = KAFKA_OAUTH_FAILED;
    int64_t exp_ms = 0;
    if (!json_is_object(answer)) {
        ferry_error_set(err, errlen, "HTTP %ld, but the answer is not a JSON object", status);
        goto cleanup;
    }
    if (!access_token || !access_token[0]) {
        ferry_error_set(err, errlen, "HTTP %ld, but the answer has no access_token", status);
        goto cleanup;
    }
    if (kafka_oauth_jwt_read(access_token, sub_claim, &token->principal, &exp_ms, err,
                             errlen) != 0)
        goto cleanup;
    if (exp_ms == 0 && json_is_number(expires_in) && json_number_value(expires_in) > 0)
        exp_ms = now_ms + (int64_t)(json_number_value(expires_in) * 1000.0);
    if (exp_ms == 0) {
        ferry_error_set(err, errlen, "the access token's JWT has no exp claim and the answer no "
                        "expires_in: its lifetime is unknown");
        goto cleanup;
    }
    if (exp_ms <= now_ms) {
        ferry_error_set(err, errlen, "the access token expired already (exp is %lld s before "
                        "this host's clock)", (long long)((now_ms - exp_ms) / 1000));
        goto cleanup;
    }
    if (!(token->value = strdup(access_token))) {
        ferry_error_set(err, errlen, "out of memory");
        goto cleanup;
    }
    token->lifetime_ms = exp_ms;
    result = KAFKA_OAUTH_OK;

cleanup:
    if (result != KAFKA_OAUTH_OK) {
        free(token->principal);
        token->principal = NULL;
    }
    json_decref(answer);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP                                                                                       */

static pthread_once_t kafka_oauth_curl_once = PTHREAD_ONCE_INIT;
static CURLcode kafka_oauth_curl_code = CURLE_FAILED_INIT;

static void kafka_oauth_curl_init(void)
{
    kafka_oauth_curl_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t kafka_oauth_body_write(char *data, size_t size, size_t count, void *opaque)
{
    strbuf *body = opaque;
    size_t len = size * count;
    if (body->len + len > KAFKA_OAUTH_BODY_MAX)
        return 0;
    strbuf_append(body, data, len);
    return strbuf_failed(body) ? 0 : len;
}

/* One POST to the endpoint. */
static kafka_oauth_result kafka_oauth_post(const kafka_oauth_params *params,
                                           const char *authorization, const char *form,
                                           kafka_oauth_token *token, char *err, size_t errlen)
{
    char detail[CURL_ERROR_SIZE] = "";
    strbuf body = {0};
    struct curl_slist *headers = NULL;
    kafka_oauth_result result = KAFKA_OAUTH_RETRY;
    char *auth_header = NULL;
    CURL *easy = curl_easy_init();
    size_t auth_len = strlen("Authorization: ") + strlen(authorization) + 1;

    if (!easy || !(auth_header = malloc(auth_len))) {
        ferry_error_set(err, errlen, "out of memory");
        goto cleanup;
    }
    snprintf(auth_header, auth_len, "Authorization: %s", authorization);
    struct curl_slist *next = curl_slist_append(headers, auth_header);
    if (next)
        headers = next;
    if (next && (next = curl_slist_append(headers, "Content-Type: "
                                                   "application/x-www-form-urlencoded")))
        headers = next;
    if (next && (next = curl_slist_append(headers, "Accept: application/json")))
        headers = next;
    if (!next) {
        ferry_error_set(err, errlen, "out of memory");
        goto cleanup;
    }
    curl_easy_setopt(easy, CURLOPT_URL, params->endpoint_url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, params->connect_timeout_ms);
    /* libcurl has no per-read timeout: the whole exchange gets both bounds. */
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     params->connect_timeout_ms + params->read_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "ferry");
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(form));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, kafka_oauth_body_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(easy);
    if (code != CURLE_OK) {
        ferry_error_set(err, errlen, "%s", detail[0] ? detail : curl_easy_strerror(code));
        result = code == CURLE_WRITE_ERROR || code == CURLE_UNSUPPORTED_PROTOCOL ||
                         code == CURLE_URL_MALFORMAT
                     ? KAFKA_OAUTH_FAILED
                     : KAFKA_OAUTH_RETRY;
        if (code == CURLE_WRITE_ERROR)
            ferry_error_set(err, errlen, "the answer is larger than %d bytes",
                            KAFKA_OAUTH_BODY_MAX);
        goto cleanup;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    result = kafka_oauth_response_read(status, body.data ? body.data : "", body.len,
                                       params->sub_claim, clock_wall_ms(), token, err,
                                       errlen);

cleanup:
    if (body.data)
        OPENSSL_cleanse(body.data, body.len);
    strbuf_free(&body);
    curl_slist_free_all(headers);
    kafka_oauth_text_free(auth_header);
    if (easy)
        curl_easy_cleanup(easy);
    return result;
}

static void kafka_oauth_sleep_ms(long ms)
{
    struct timespec delay = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
        ;
}

kafka_oauth_result kafka_oauth_fetch(const kafka_oauth_params *params, kafka_oauth_token *token,
                                     char *err, size_t errlen)
{
    char why[768] = "";
    const char *key = params->endpoint_key ? params->endpoint_key
                                           : "sasl.oauthbearer.token.endpoint.url";
    pthread_once(&kafka_oauth_curl_once, kafka_oauth_curl_init);
    if (kafka_oauth_curl_code != CURLE_OK)
        return ferry_error_set(err, errlen, "cannot get an OAUTHBEARER token from %s (%s): "
                               "libcurl cannot start: %s", params->endpoint_url, key,
                               curl_easy_strerror(kafka_oauth_curl_code)),
               KAFKA_OAUTH_FAILED;
    char *form = kafka_oauth_request_body(params->scope);
    char *authorization = kafka_oauth_authorization(params->client_id, params->client_secret,
                                                    params->header_urlencode);
    kafka_oauth_result result = KAFKA_OAUTH_FAILED;
    if (!form || !authorization) {
        snprintf(why, sizeof(why), "out of memory");
        goto cleanup;
    }
    /* Kafka's Retry: back off from retry_backoff_ms, doubling, while retry_backoff_max_ms since
     * the first attempt has not passed. */
    int64_t end_ms = clock_monotonic_ms() + params->retry_backoff_max_ms;
    for (int attempt = 1;; attempt++) {
        kafka_oauth_token_clear(token);
        result = kafka_oauth_post(params, authorization, form, token, why, sizeof(why));
        if (result != KAFKA_OAUTH_RETRY)
            break;
        int64_t wait_ms = params->retry_backoff_ms * (attempt < 30 ? (1L << (attempt - 1))
                                                                   : (1L << 29));
        int64_t left_ms = end_ms - clock_monotonic_ms();
        if (wait_ms > left_ms)
            wait_ms = left_ms;
        if (wait_ms <= 0) {
            result = KAFKA_OAUTH_FAILED;
            break;
        }
        log_debug(KAFKA_OAUTH_LOG_SCOPE, "OAuth token endpoint %s: %s; retrying in %lld ms",
                  params->endpoint_url, why, (long long)wait_ms);
        kafka_oauth_sleep_ms((long)wait_ms);
    }

cleanup:
    free(form);
    kafka_oauth_text_free(authorization);
    if (result != KAFKA_OAUTH_OK) {
        kafka_oauth_token_clear(token);
        ferry_error_set(err, errlen, "cannot get an OAUTHBEARER token from %s (%s): %s",
                        params->endpoint_url, key, why);
        return KAFKA_OAUTH_FAILED;
    }
    return KAFKA_OAUTH_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* librdkafka                                                                                 */

/* librdkafka's token refresh callback, run on its background thread. */
static void kafka_oauth_refresh(rd_kafka_t *client, const char *config, void *opaque)
{
    (void)opaque;
    kafka_oauth_params params = {0};
    kafka_oauth_token token = {0};
    const char **extensions = NULL;
    char err[1024];
    char rd_err[512];

    if (kafka_oauth_params_decode(config, &params, err, sizeof(err)) != 0 ||
        kafka_oauth_fetch(&params, &token, err, sizeof(err)) != KAFKA_OAUTH_OK) {
        rd_kafka_oauthbearer_set_token_failure(client, err);
        goto cleanup;
    }
    size_t count = config_map_count(params.extensions);
    if (count && !(extensions = calloc(count * 2, sizeof(*extensions)))) {
        rd_kafka_oauthbearer_set_token_failure(client, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        extensions[2 * i] = config_map_key_at(params.extensions, i);
        extensions[2 * i + 1] = config_map_value_at(params.extensions, i);
    }
    rd_err[0] = '\0';
    if (rd_kafka_oauthbearer_set_token(client, token.value, token.lifetime_ms, token.principal,
                                       extensions, count * 2, rd_err, sizeof(rd_err)) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, sizeof(err), "the OAUTHBEARER token from %s (%s) cannot be used: %s",
                 params.endpoint_url,
                 params.endpoint_key ? params.endpoint_key : "sasl.oauthbearer.token.endpoint.url",
                 rd_err);
        rd_kafka_oauthbearer_set_token_failure(client, err);
        goto cleanup;
    }
    log_debug(KAFKA_OAUTH_LOG_SCOPE, "%s: OAUTHBEARER token for principal %s from %s, valid for "
              "%lld s", rd_kafka_name(client), token.principal, params.endpoint_url,
              (long long)((token.lifetime_ms - clock_wall_ms()) / 1000));

cleanup:
    free(extensions);
    kafka_oauth_token_clear(&token);
    kafka_oauth_params_clear(&params);
}

/* Runs when the client's main thread starts: by then its SASL queue exists, and forwarding it to
 * the background thread gets the first token without waiting for the owner to poll. */
static rd_kafka_resp_err_t kafka_oauth_on_thread_start(rd_kafka_t *client,
                                                       rd_kafka_thread_type_t type,
                                                       const char *name, void *ic_opaque)
{
    (void)name;
    (void)ic_opaque;
    if (type != RD_KAFKA_THREAD_MAIN)
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_error_t *error = rd_kafka_sasl_background_callbacks_enable(client);
    if (error) {
        /* Not configured: the client does not use OAUTHBEARER after all (sasl.mechanism). */
        if (rd_kafka_error_code(error) != RD_KAFKA_RESP_ERR__NOT_CONFIGURED)
            log_error(KAFKA_OAUTH_LOG_SCOPE, "%s: OAUTHBEARER tokens cannot be fetched in the "
                      "background: %s", rd_kafka_name(client), rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t kafka_oauth_on_new(rd_kafka_t *client, const rd_kafka_conf_t *conf,
                                              void *ic_opaque, char *errstr, size_t errstr_size)
{
    (void)conf;
    (void)ic_opaque;
    (void)errstr;
    (void)errstr_size;
    return rd_kafka_interceptor_add_on_thread_start(client, KAFKA_OAUTH_INTERCEPTOR,
                                                    kafka_oauth_on_thread_start, NULL);
}

int kafka_oauth_configure(rd_kafka_conf_t *conf, char *err, size_t errlen)
{
    rd_kafka_resp_err_t code = rd_kafka_conf_interceptor_add_on_new(
        conf, KAFKA_OAUTH_INTERCEPTOR, kafka_oauth_on_new, NULL);
    /* A conflict is this function's own interceptor, added for an earlier setting. */
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__CONFLICT)
        return ferry_error_set(err, errlen, "cannot set up OAUTHBEARER tokens: %s",
                               rd_kafka_err2str(code)),
               -1;
    rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, kafka_oauth_refresh);
    rd_kafka_conf_enable_sasl_queue(conf, 1);
    return 0;
}
