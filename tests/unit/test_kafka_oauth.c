/*
 * test_kafka_oauth.c - the pure parts of ferry's OAUTHBEARER client credentials: what travels in
 * sasl.oauthbearer.config, the token request (form body and basic authentication), the
 * endpoint's answer and the JWT claims (base64url, missing and invalid claims). The HTTP
 * exchange with a real listener is tests/integration/test_kafka_oauth.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_oauth.h"
#include "support/base64.h"

#define NOW_MS 1700000000000LL

/* An unsigned JWT (alg none, empty signature) with claims, base64url without padding. */
static char *make_jwt(const char *claims)
{
    static const char header[] = "{\"alg\":\"none\"}";
    char head[64], body[1024];
    size_t head_len = base64_encode(header, strlen(header), true, head);
    size_t body_len = base64_encode(claims, strlen(claims), true, body);
    while (head_len > 0 && head[head_len - 1] == '=')
        head[--head_len] = '\0';
    while (body_len > 0 && body[body_len - 1] == '=')
        body[--body_len] = '\0';
    char *jwt = malloc(head_len + body_len + 3);
    assert_non_null(jwt);
    snprintf(jwt, head_len + body_len + 3, "%s.%s.", head, body);
    return jwt;
}

static void test_request_body(void **state)
{
    (void)state;
    char *body = kafka_oauth_request_body(NULL);
    assert_string_equal(body, "grant_type=client_credentials");
    free(body);
    body = kafka_oauth_request_body("  ");
    assert_string_equal(body, "grant_type=client_credentials");
    free(body);
    body = kafka_oauth_request_body(" kafka.read api://x/.default ");
    assert_string_equal(body, "grant_type=client_credentials&scope=kafka.read%20api%3A%2F%2Fx%2F"
                              ".default");
    free(body);
}

static void test_authorization(void **state)
{
    (void)state;
    /* Kafka's default (sasl.oauthbearer.header.urlencode=false): the pair as it is. */
    char *header = kafka_oauth_authorization("id", "secret", false);
    assert_string_equal(header, "Basic aWQ6c2VjcmV0");
    kafka_oauth_text_free(header);
    header = kafka_oauth_authorization("a b", "p@ss:/", false);
    assert_string_equal(header, "Basic YSBiOnBAc3M6Lw==");
    kafka_oauth_text_free(header);
    /* RFC 6749 2.3.1: both percent-encoded first ("a%20b:p%40ss%3A%2F"). */
    header = kafka_oauth_authorization("a b", "p@ss:/", true);
    assert_string_equal(header, "Basic YSUyMGI6cCU0MHNzJTNBJTJG");
    kafka_oauth_text_free(header);
}

static void test_params_round_trip(void **state)
{
    (void)state;
    char err[256];
    config_map *extensions = config_map_new();
    assert_int_equal(config_map_set(extensions, "logicalCluster", "lkc-1 x"), 0);
    assert_int_equal(config_map_set(extensions, "identityPoolId", "pool=2%"), 0);
    kafka_oauth_params in = {
        .endpoint_url = "https://idp.example/oauth2/token?tenant=a b",
        .endpoint_key = "consumer.sasl.oauthbearer.token.endpoint.url",
        .client_id = "ferry connect",
        .client_secret = "s3cr=t %20 \"quoted\"",
        .scope = "kafka.read kafka.write",
        .sub_claim = "sub",
        .extensions = extensions,
        .header_urlencode = true,
        .connect_timeout_ms = 1,
        .read_timeout_ms = 2,
        .retry_backoff_ms = 3,
        .retry_backoff_max_ms = 4,
    };
    char *text = kafka_oauth_params_encode(&in);
    assert_non_null(text);
    /* One word per field: spaces in values cannot split them. */
    assert_null(strstr(text, "ferry connect"));
    kafka_oauth_params out = {0};
    if (kafka_oauth_params_decode(text, &out, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    kafka_oauth_text_free(text);
    assert_string_equal(out.endpoint_url, in.endpoint_url);
    assert_string_equal(out.endpoint_key, in.endpoint_key);
    assert_string_equal(out.client_id, in.client_id);
    assert_string_equal(out.client_secret, in.client_secret);
    assert_string_equal(out.scope, in.scope);
    assert_string_equal(out.sub_claim, "sub");
    assert_true(out.header_urlencode);
    assert_int_equal(out.connect_timeout_ms, 1);
    assert_int_equal(out.read_timeout_ms, 2);
    assert_int_equal(out.retry_backoff_ms, 3);
    assert_int_equal(out.retry_backoff_max_ms, 4);
    assert_string_equal(config_map_get(out.extensions, "logicalCluster"), "lkc-1 x");
    assert_string_equal(config_map_get(out.extensions, "identityPoolId"), "pool=2%");
    kafka_oauth_params_clear(&out);
    kafka_oauth_params_clear(&out); /* cleared twice is fine */
    config_map_destroy(extensions);

    /* librdkafka's own format, or a damaged text, is refused without crashing. */
    assert_int_equal(kafka_oauth_params_decode("principal=alice", &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not written by ferry"));
    kafka_oauth_params_clear(&out);
    assert_int_equal(kafka_oauth_params_decode("ferry.oauth=1 url=%G1", &out, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "percent-encoding"));
    kafka_oauth_params_clear(&out);
    assert_int_equal(kafka_oauth_params_decode("ferry.oauth=1 url=http://x id=a", &out, err,
                                               sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "required"));
    kafka_oauth_params_clear(&out);
    assert_int_equal(kafka_oauth_params_decode("ferry.oauth=1 read=soon", &out, err, sizeof(err)),
                     -1);
    kafka_oauth_params_clear(&out);
}

static void test_jwt_read(void **state)
{
    (void)state;
    char err[256];
    char *principal = NULL;
    int64_t exp_ms = 0;

    /* '?' and '>' make '/' and '+' in standard base64: base64url has '_' and '-' there. */
    char *jwt = make_jwt("{\"sub\":\"ferry>>>???\",\"exp\":1700000100,\"iat\":1700000000}");
    assert_non_null(strpbrk(strchr(jwt, '.'), "-_"));
    if (kafka_oauth_jwt_read(jwt, "sub", &principal, &exp_ms, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_string_equal(principal, "ferry>>>???");
    assert_int_equal(exp_ms, 1700000100000LL);
    free(principal);
    free(jwt);

    /* Another claim names the principal (sasl.oauthbearer.sub.claim.name); no exp is 0. */
    jwt = make_jwt("{\"sub\":\"x\",\"client_id\":\"svc-1\"}");
    assert_int_equal(kafka_oauth_jwt_read(jwt, "client_id", &principal, &exp_ms, err,
                                          sizeof(err)),
                     0);
    assert_string_equal(principal, "svc-1");
    assert_int_equal(exp_ms, 0);
    free(principal);
    free(jwt);

    static const struct {
        const char *claims;
        const char *why;
    } bad_claims[] = {
        {"{\"exp\":1700000100}", "has no sub claim"},
        {"{\"sub\":\"\",\"exp\":1700000100}", "has no sub claim"},
        {"{\"sub\":42,\"exp\":1700000100}", "has no sub claim"},
        {"{\"sub\":\"x\",\"exp\":\"tomorrow\"}", "exp is not a positive number"},
        {"{\"sub\":\"x\",\"exp\":-5}", "exp is not a positive number"},
        {"[\"sub\"]", "not a JSON object"},
        {"not json", "not a JSON object"},
    };
    for (size_t i = 0; i < sizeof(bad_claims) / sizeof(bad_claims[0]); i++) {
        jwt = make_jwt(bad_claims[i].claims);
        principal = (char *)"unchanged";
        assert_int_equal(kafka_oauth_jwt_read(jwt, "sub", &principal, &exp_ms, err, sizeof(err)),
                         -1);
        assert_null(principal);
        if (!strstr(err, bad_claims[i].why))
            fail_msg("%s: '%s' lacks '%s'", bad_claims[i].claims, err, bad_claims[i].why);
        free(jwt);
    }
    static const struct {
        const char *token;
        const char *why;
    } bad_tokens[] = {
        {"opaque-token-without-dots", "not a JWT"},
        {".eyJzdWIiOiJ4In0.", "not a JWT"},
        {"eyJhbGciOiJub25lIn0..", "payload is empty"},
        {"eyJhbGciOiJub25lIn0.@@@@.", "not base64url"},
    };
    for (size_t i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]); i++) {
        assert_int_equal(kafka_oauth_jwt_read(bad_tokens[i].token, "sub", &principal, &exp_ms,
                                              err, sizeof(err)),
                         -1);
        if (!strstr(err, bad_tokens[i].why))
            fail_msg("%s: '%s' lacks '%s'", bad_tokens[i].token, err, bad_tokens[i].why);
        assert_null(strstr(err, bad_tokens[i].token));
    }
}

static void test_response_read(void **state)
{
    (void)state;
    char err[512];
    char body[2048];
    kafka_oauth_token token = {0};

    char *jwt = make_jwt("{\"sub\":\"ferry\",\"exp\":1700000600}");
    snprintf(body, sizeof(body), "{\"access_token\":\"%s\",\"token_type\":\"Bearer\","
             "\"expires_in\":3600}", jwt);
    assert_int_equal(kafka_oauth_response_read(200, body, strlen(body), "sub", NOW_MS, &token,
                                               err, sizeof(err)),
                     KAFKA_OAUTH_OK);
    assert_string_equal(token.value, jwt);
    assert_string_equal(token.principal, "ferry");
    /* exp wins over expires_in, as Kafka's client takes the JWT's. */
    assert_int_equal(token.lifetime_ms, 1700000600000LL);
    kafka_oauth_token_clear(&token);
    free(jwt);

    /* Without exp, expires_in gives the lifetime. */
    jwt = make_jwt("{\"sub\":\"ferry\"}");
    snprintf(body, sizeof(body), "{\"access_token\":\"%s\",\"expires_in\":300}", jwt);
    assert_int_equal(kafka_oauth_response_read(201, body, strlen(body), NULL, NOW_MS, &token, err,
                                               sizeof(err)),
                     KAFKA_OAUTH_OK);
    assert_int_equal(token.lifetime_ms, NOW_MS + 300000);
    kafka_oauth_token_clear(&token);
    snprintf(body, sizeof(body), "{\"access_token\":\"%s\"}", jwt);
    assert_int_equal(kafka_oauth_response_read(200, body, strlen(body), NULL, NOW_MS, &token, err,
                                               sizeof(err)),
                     KAFKA_OAUTH_FAILED);
    assert_non_null(strstr(err, "no exp claim and the answer no expires_in"));
    assert_null(strstr(err, jwt));
    assert_null(token.value);
    assert_null(token.principal);
    free(jwt);

    /* Expired already. */
    jwt = make_jwt("{\"sub\":\"ferry\",\"exp\":1699999000}");
    snprintf(body, sizeof(body), "{\"access_token\":\"%s\"}", jwt);
    assert_int_equal(kafka_oauth_response_read(200, body, strlen(body), NULL, NOW_MS, &token, err,
                                               sizeof(err)),
                     KAFKA_OAUTH_FAILED);
    assert_non_null(strstr(err, "expired already"));
    free(jwt);

    static const char no_token[] = "{\"token_type\":\"Bearer\"}";
    assert_int_equal(kafka_oauth_response_read(200, no_token, strlen(no_token), NULL, NOW_MS,
                                               &token, err, sizeof(err)),
                     KAFKA_OAUTH_FAILED);
    assert_string_equal(err, "HTTP 200, but the answer has no access_token");
    assert_int_equal(kafka_oauth_response_read(200, "<html>", 6, NULL, NOW_MS, &token, err,
                                               sizeof(err)),
                     KAFKA_OAUTH_FAILED);
    assert_string_equal(err, "HTTP 200, but the answer is not a JSON object");

    /* OAuth's error answer (RFC 6749 5.2): not retried for a 4xx, as in Kafka's client. */
    static const char refused[] = "{\"error\":\"invalid_client\","
                                  "\"error_description\":\"Client authentication failed\"}";
    assert_int_equal(kafka_oauth_response_read(401, refused, strlen(refused), NULL, NOW_MS,
                                               &token, err, sizeof(err)),
                     KAFKA_OAUTH_FAILED);
    assert_string_equal(err, "HTTP 401: invalid_client: Client authentication failed");
    static const char scope[] = "{\"error\":\"invalid_scope\"}";
    assert_int_equal(kafka_oauth_response_read(400, scope, strlen(scope), NULL, NOW_MS, &token,
                                               err, sizeof(err)),
                     KAFKA_OAUTH_FAILED);
    assert_string_equal(err, "HTTP 400: invalid_scope");
    /* A 5xx, or a 429, may pass: retried. */
    assert_int_equal(kafka_oauth_response_read(503, "busy\r\n", 6, NULL, NOW_MS, &token, err,
                                               sizeof(err)),
                     KAFKA_OAUTH_RETRY);
    assert_string_equal(err, "HTTP 503: busy  ");
    assert_int_equal(kafka_oauth_response_read(429, "", 0, NULL, NOW_MS, &token, err,
                                               sizeof(err)),
                     KAFKA_OAUTH_RETRY);
    assert_string_equal(err, "HTTP 429");
    char long_body[600];
    memset(long_body, 'x', sizeof(long_body));
    assert_int_equal(kafka_oauth_response_read(500, long_body, sizeof(long_body), NULL, NOW_MS,
                                               &token, err, sizeof(err)),
                     KAFKA_OAUTH_RETRY);
    assert_non_null(strstr(err, "xxx ..."));
    assert_true(strlen(err) < 250);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_body),
        cmocka_unit_test(test_authorization),
        cmocka_unit_test(test_params_round_trip),
        cmocka_unit_test(test_jwt_read),
        cmocka_unit_test(test_response_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
