/*
 * test_rest_auth.c - REST credentials: Basic and Bearer accepted exactly, every wrong or
 * malformed header refused (and the answer never says which part was wrong), schemes kept apart,
 * public paths, roles (admin by default, read-only by rest.auth.roles or the read-only tokens),
 * the console's CSRF token, and configuration errors that name the key but never a secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rest/rest_auth.h"

static rest_auth *auth_new(const char *users, const char *tokens, const char *public_paths)
{
    config_map *values = config_map_new();
    if (users)
        config_map_set(values, "rest.auth.basic.users", users);
    if (tokens)
        config_map_set(values, "rest.auth.bearer.tokens", tokens);
    if (public_paths)
        config_map_set(values, "rest.auth.public.paths", public_paths);
    char err[256];
    rest_auth *auth = rest_auth_new(values, err, sizeof(err));
    if (!auth)
        fail_msg("rest_auth_new: %s", err);
    config_map_destroy(values);
    return auth;
}

/* "Basic " + base64(text). */
static void basic_header(const char *text, char *out, size_t outlen)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = strlen(text), used = (size_t)snprintf(out, outlen, "Basic ");
    for (size_t i = 0; i < len; i += 3) {
        unsigned n = (unsigned)(unsigned char)text[i] << 16;
        if (i + 1 < len)
            n |= (unsigned)(unsigned char)text[i + 1] << 8;
        if (i + 2 < len)
            n |= (unsigned char)text[i + 2];
        out[used++] = alphabet[(n >> 18) & 63];
        out[used++] = alphabet[(n >> 12) & 63];
        out[used++] = i + 1 < len ? alphabet[(n >> 6) & 63] : '=';
        out[used++] = i + 2 < len ? alphabet[n & 63] : '=';
    }
    out[used] = '\0';
}

static void test_disabled_without_credentials(void **state)
{
    (void)state;
    rest_auth *auth = auth_new(NULL, NULL, NULL);
    assert_false(rest_auth_enabled(auth));
    assert_string_equal(rest_auth_schemes(auth), "none");
    rest_auth_destroy(auth);
}

static void test_basic_credentials(void **state)
{
    (void)state;
    rest_auth *auth = auth_new("admin:s3cr:et, reader:pw2", NULL, NULL);
    assert_true(rest_auth_enabled(auth));
    assert_string_equal(rest_auth_schemes(auth), "basic");
    assert_string_equal(rest_auth_challenge(auth), "Basic realm=\"ferry\"");
    char header[256];
    basic_header("admin:s3cr:et", header, sizeof(header));
    assert_int_equal(rest_auth_check(auth, header), REST_AUTH_ACCEPTED);
    basic_header("reader:pw2", header, sizeof(header));
    assert_int_equal(rest_auth_check(auth, header), REST_AUTH_ACCEPTED);
    /* The scheme is case-insensitive, extra spaces are fine. */
    char relaxed[300];
    snprintf(relaxed, sizeof(relaxed), "bAsIc   %s", header + 6);
    assert_int_equal(rest_auth_check(auth, relaxed), REST_AUTH_ACCEPTED);

    const char *wrong[] = {"admin:s3cr", "admin:s3cr:et ", "Admin:s3cr:et", "reader:s3cr:et",
                           "admin:pw2", "nobody:pw2", ":", "admin", "admin:s3cr:etx"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        basic_header(wrong[i], header, sizeof(header));
        assert_int_equal(rest_auth_check(auth, header), REST_AUTH_REJECTED);
    }
    assert_int_equal(rest_auth_check(auth, NULL), REST_AUTH_MISSING);
    assert_int_equal(rest_auth_check(auth, "Basic"), REST_AUTH_MISSING);
    assert_int_equal(rest_auth_check(auth, "Digest abc"), REST_AUTH_MISSING);
    assert_int_equal(rest_auth_check(auth, "Basic !!!!"), REST_AUTH_REJECTED);
    assert_int_equal(rest_auth_check(auth, "Basic YWRtaW46czNjcjpldA==x"), REST_AUTH_REJECTED);
    /* A bearer token equal to a user's credentials is no bearer token. */
    assert_int_equal(rest_auth_check(auth, "Bearer admin:s3cr:et"), REST_AUTH_REJECTED);
    rest_auth_destroy(auth);
}

static void test_bearer_tokens(void **state)
{
    (void)state;
    rest_auth *auth = auth_new(NULL, "tok-one,tok-two", NULL);
    assert_string_equal(rest_auth_schemes(auth), "bearer");
    assert_string_equal(rest_auth_challenge(auth), "Bearer realm=\"ferry\"");
    assert_int_equal(rest_auth_check(auth, "Bearer tok-one"), REST_AUTH_ACCEPTED);
    assert_int_equal(rest_auth_check(auth, "bearer tok-two "), REST_AUTH_ACCEPTED);
    assert_int_equal(rest_auth_check(auth, "Bearer tok-on"), REST_AUTH_REJECTED);
    assert_int_equal(rest_auth_check(auth, "Bearer tok-one1"), REST_AUTH_REJECTED);
    assert_int_equal(rest_auth_check(auth, "Bearer "), REST_AUTH_REJECTED);
    char header[128];
    basic_header("tok:one", header, sizeof(header));
    assert_int_equal(rest_auth_check(auth, header), REST_AUTH_REJECTED);
    rest_auth_destroy(auth);

    auth = auth_new("u:p", "t", NULL);
    assert_string_equal(rest_auth_schemes(auth), "basic, bearer");
    rest_auth_destroy(auth);
}

static void test_public_paths(void **state)
{
    (void)state;
    rest_auth *auth = auth_new(NULL, "t", "/health, /metrics");
    assert_true(rest_auth_is_public(auth, "GET", "/health"));
    assert_true(rest_auth_is_public(auth, "GET", "/metrics/"));
    assert_false(rest_auth_is_public(auth, "PUT", "/health"));
    assert_false(rest_auth_is_public(auth, "GET", "/healthz"));
    assert_false(rest_auth_is_public(auth, "GET", "/connectors"));
    /* Kafka Connect's internal request between workers is signed instead. */
    assert_true(rest_auth_is_public(auth, "POST", "/connectors/a%2Fb/tasks"));
    assert_true(rest_auth_is_public(auth, "POST", "/connectors/files/tasks/"));
    assert_false(rest_auth_is_public(auth, "GET", "/connectors/files/tasks"));
    assert_false(rest_auth_is_public(auth, "POST", "/connectors//tasks"));
    assert_false(rest_auth_is_public(auth, "POST", "/connectors/files/tasks/0/restart"));
    assert_false(rest_auth_is_public(auth, "POST", "/connectors/files/restart"));
    rest_auth_destroy(auth);
}

static void test_roles(void **state)
{
    (void)state;
    config_map *values = config_map_new();
    config_map_set(values, "rest.auth.basic.users", "admin:a:pw, viewer:v-pw, other:o");
    config_map_set(values, "rest.auth.roles", "viewer:read-only, other:admin");
    config_map_set(values, "rest.auth.bearer.tokens", "full-token");
    config_map_set(values, "rest.auth.bearer.read-only.tokens", "look-token");
    char err[256];
    rest_auth *auth = rest_auth_new(values, err, sizeof(err));
    config_map_destroy(values);
    if (!auth)
        fail_msg("rest_auth_new: %s", err);
    char header[128];
    rest_role role = REST_ROLE_READ_ONLY;
    basic_header("admin:a:pw", header, sizeof(header));
    assert_int_equal(rest_auth_identify(auth, header, &role), REST_AUTH_ACCEPTED);
    assert_int_equal(role, REST_ROLE_ADMIN);
    basic_header("viewer:v-pw", header, sizeof(header));
    assert_int_equal(rest_auth_identify(auth, header, &role), REST_AUTH_ACCEPTED);
    assert_int_equal(role, REST_ROLE_READ_ONLY);
    assert_string_equal(rest_role_name(role), "read-only");
    basic_header("other:o", header, sizeof(header));
    assert_int_equal(rest_auth_identify(auth, header, &role), REST_AUTH_ACCEPTED);
    assert_int_equal(role, REST_ROLE_ADMIN);
    assert_int_equal(rest_auth_identify(auth, "Bearer look-token", &role), REST_AUTH_ACCEPTED);
    assert_int_equal(role, REST_ROLE_READ_ONLY);
    assert_int_equal(rest_auth_identify(auth, "Bearer full-token", &role), REST_AUTH_ACCEPTED);
    assert_int_equal(role, REST_ROLE_ADMIN);
    /* A refused credential never carries a role. */
    basic_header("viewer:wrong", header, sizeof(header));
    assert_int_equal(rest_auth_identify(auth, header, &role), REST_AUTH_REJECTED);
    assert_int_equal(role, REST_ROLE_ADMIN);
    rest_auth_destroy(auth);

    /* Without credentials configured, everyone is admin, as before roles existed. */
    auth = auth_new(NULL, NULL, NULL);
    assert_int_equal(rest_auth_identify(auth, NULL, &role), REST_AUTH_ACCEPTED);
    assert_int_equal(role, REST_ROLE_ADMIN);
    rest_auth_destroy(auth);

    const char *bad_roles[] = {"viewer:owner", "viewer", ":read-only"};
    for (size_t i = 0; i < sizeof(bad_roles) / sizeof(bad_roles[0]); i++) {
        values = config_map_new();
        config_map_set(values, "rest.auth.basic.users", "viewer:pw");
        config_map_set(values, "rest.auth.roles", bad_roles[i]);
        assert_null(rest_auth_new(values, err, sizeof(err)));
        assert_non_null(strstr(err, "rest.auth.roles"));
        config_map_destroy(values);
    }
}

static void test_csrf_token(void **state)
{
    (void)state;
    rest_auth *auth = auth_new("a:1,b:2", NULL, NULL);
    char first[REST_CSRF_TOKEN_LEN + 1], second[REST_CSRF_TOKEN_LEN + 1];
    char again[REST_CSRF_TOKEN_LEN + 1];
    char header_a[64], header_b[64];
    basic_header("a:1", header_a, sizeof(header_a));
    basic_header("b:2", header_b, sizeof(header_b));
    assert_int_equal(rest_auth_csrf_token(auth, header_a, first), 0);
    assert_int_equal(rest_auth_csrf_token(auth, header_b, second), 0);
    assert_int_equal(rest_auth_csrf_token(auth, header_a, again), 0);
    assert_int_equal(strlen(first), REST_CSRF_TOKEN_LEN);
    assert_string_equal(first, again);
    assert_string_not_equal(first, second);
    assert_true(rest_auth_csrf_check(auth, header_a, first));
    assert_false(rest_auth_csrf_check(auth, header_b, first));
    assert_false(rest_auth_csrf_check(auth, header_a, NULL));
    assert_false(rest_auth_csrf_check(auth, header_a, ""));
    first[10] = first[10] == '0' ? '1' : '0';
    assert_false(rest_auth_csrf_check(auth, header_a, first));
    /* Another worker process draws another key: its tokens do not carry over. */
    rest_auth *other = auth_new("a:1,b:2", NULL, NULL);
    assert_false(rest_auth_csrf_check(other, header_a, again));
    rest_auth_destroy(other);
    rest_auth_destroy(auth);
}

static void test_malformed_settings_name_the_key_not_the_secret(void **state)
{
    (void)state;
    const char *bad_users[] = {"admin", "admin:", ":pw", "ok:fine,broken-topsecret"};
    for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
        config_map *values = config_map_new();
        config_map_set(values, "rest.auth.basic.users", bad_users[i]);
        char err[256];
        assert_null(rest_auth_new(values, err, sizeof(err)));
        assert_non_null(strstr(err, "rest.auth.basic.users"));
        assert_null(strstr(err, "topsecret"));
        assert_null(strstr(err, "fine"));
        config_map_destroy(values);
    }
    config_map *values = config_map_new();
    config_map_set(values, "rest.auth.public.paths", "health");
    char err[256];
    assert_null(rest_auth_new(values, err, sizeof(err)));
    assert_non_null(strstr(err, "rest.auth.public.paths"));
    config_map_destroy(values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disabled_without_credentials),
        cmocka_unit_test(test_basic_credentials),
        cmocka_unit_test(test_bearer_tokens),
        cmocka_unit_test(test_public_paths),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_csrf_token),
        cmocka_unit_test(test_malformed_settings_name_the_key_not_the_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
