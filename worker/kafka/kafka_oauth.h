/*
 * kafka_oauth.h - OAUTHBEARER tokens from an OAuth 2 token endpoint with the client-credentials
 * grant, fetched by ferry itself so that Kafka Connect's OAuthBearerLoginCallbackHandler setup
 * (sasl.oauthbearer.token.endpoint.url and the JAAS clientId / clientSecret / scope /
 * extension_NAME options) works on every librdkafka build, with or without its own OIDC support.
 *
 * What a client needs travels in its sasl.oauthbearer.config (a setting librdkafka keeps as
 * sensitive and hands to the token refresh callback), each value percent-encoded. The callback
 * POSTs grant_type=client_credentials (and scope) with HTTP basic authentication, as Kafka's
 * HttpAccessTokenRetriever does, reads access_token, takes the principal from the JWT's subject
 * claim and its lifetime from exp, and gives librdkafka the token with the SASL extensions, or a
 * failure naming the endpoint key, the HTTP status and the endpoint's OAuth error (never the
 * secret or a token).
 *
 * librdkafka asks for tokens on a SASL queue that its background thread serves from the moment
 * the client exists (an interceptor turns that on), so no client depends on its owner's polling
 * to get its first token, and brokers are not contacted before it has one.
 */
#ifndef FERRY_KAFKA_OAUTH_H
#define FERRY_KAFKA_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config/config_map.h"

/* Kafka's defaults (SaslConfigs): retries back off from 100 ms, doubling, for at most 10 s. */
#define KAFKA_OAUTH_RETRY_BACKOFF_MS 100
#define KAFKA_OAUTH_RETRY_BACKOFF_MAX_MS 10000
/* Java waits for ever by default; a token fetch holds librdkafka's background thread, so ferry
 * bounds connecting and reading at 10 s each. */
#define KAFKA_OAUTH_CONNECT_TIMEOUT_MS 10000
#define KAFKA_OAUTH_READ_TIMEOUT_MS 10000

/* What one client's token requests need. Strings are owned (kafka_oauth_params_clear frees them
 * and wipes the secret); scope may be NULL; extensions maps extension names to values. */
typedef struct kafka_oauth_params {
    char *endpoint_url;
    char *endpoint_key;  /* the endpoint's key as the user wrote it, for messages */
    char *client_id;
    char *client_secret;
    char *scope;
    char *sub_claim;     /* the JWT claim that names the principal, "sub" by default */
    config_map *extensions;
    bool header_urlencode; /* sasl.oauthbearer.header.urlencode */
    long connect_timeout_ms;
    long read_timeout_ms;
    long retry_backoff_ms;
    long retry_backoff_max_ms;
} kafka_oauth_params;

/* A token for librdkafka: value and principal owned, lifetime in ms since the epoch. */
typedef struct kafka_oauth_token {
    char *value;
    char *principal;
    int64_t lifetime_ms;
} kafka_oauth_token;

typedef enum kafka_oauth_result {
    KAFKA_OAUTH_OK,
    KAFKA_OAUTH_RETRY,  /* worth another try (a network error, a 5xx) */
    KAFKA_OAUTH_FAILED, /* not worth retrying (a 4xx, an answer without a usable token) */
} kafka_oauth_result;

/* Sets conf up to fetch its tokens with the parameters of its sasl.oauthbearer.config (set by
 * the caller to kafka_oauth_params_encode's text): the token refresh callback, the SASL queue
 * and the interceptor that has librdkafka's background thread serve it. Returns 0, or -1 with
 * err set. */
int kafka_oauth_configure(rd_kafka_conf_t *conf, char *err, size_t errlen);

void kafka_oauth_params_clear(kafka_oauth_params *params);
void kafka_oauth_token_clear(kafka_oauth_token *token);

/* Fetches one token (retrying as Kafka's client does) into token. Returns KAFKA_OAUTH_OK, or
 * KAFKA_OAUTH_FAILED with err saying why for users. */
kafka_oauth_result kafka_oauth_fetch(const kafka_oauth_params *params, kafka_oauth_token *token,
                                     char *err, size_t errlen);

/* ---- the pure parts, for tests ------------------------------------------------------------ */

/* params as sasl.oauthbearer.config text (malloc'd; it holds the secret: free it with
 * kafka_oauth_text_free), or NULL out of memory. */
char *kafka_oauth_params_encode(const kafka_oauth_params *params);
/* The reverse, into a zeroed params. Returns 0, or -1 with err set (text is not ferry's). */
int kafka_oauth_params_decode(const char *text, kafka_oauth_params *params, char *err,
                              size_t errlen);
/* Wipes and frees a text that held a secret; accepts NULL. */
void kafka_oauth_text_free(char *text);

/* The form body of a token request: grant_type=client_credentials and, unless scope is NULL or
 * blank, &scope= with the trimmed scope percent-encoded. NULL out of memory. */
char *kafka_oauth_request_body(const char *scope);
/* "Basic " + base64("id:secret"), both percent-encoded first when urlencode. NULL out of memory;
 * free with kafka_oauth_text_free. */
char *kafka_oauth_authorization(const char *client_id, const char *client_secret,
                                bool urlencode);

/* Reads an endpoint's answer (HTTP status and body): on 200 or 201, the access_token, its
 * principal and lifetime (kafka_oauth_jwt_read; expires_in when the JWT has no exp); otherwise
 * the status with the body's error and error_description. Messages start with what happened and
 * never hold the token. */
kafka_oauth_result kafka_oauth_response_read(long status, const char *body, size_t len,
                                             const char *sub_claim, int64_t now_ms,
                                             kafka_oauth_token *token, char *err, size_t errlen);

/* The principal (the string claim sub_claim) and the expiry (exp, seconds, as ms; 0 when the JWT
 * has none) of a JWT's payload, read without checking its signature (the broker does). Returns
 * 0, or -1 with err naming what is wrong. */
int kafka_oauth_jwt_read(const char *jwt, const char *sub_claim, char **principal,
                         int64_t *exp_ms, char *err, size_t errlen);

#endif
