/*
 * test_rest_console.c - the console's answers without a server: its paths, every embedded file
 * with its content type and ETag, 304 on a matching If-None-Match, the redirect of /ui, 404 and
 * 405, and the session (role, CSRF token, embedded Kafka).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rest/rest_console.h"

static rest_auth *auth_new(void)
{
    config_map *values = config_map_new();
    config_map_set(values, "rest.auth.basic.users", "admin:pw");
    char err[256];
    rest_auth *auth = rest_auth_new(values, err, sizeof(err));
    config_map_destroy(values);
    if (!auth)
        fail_msg("rest_auth_new: %s", err);
    return auth;
}

static void answer(rest_auth *auth, const char *method, const char *path,
                   const char *if_none_match, rest_response *response)
{
    rest_console_request request = {.method = method, .path = path,
                                    .if_none_match = if_none_match,
                                    .authorization = "Basic YWRtaW46cHc=",
                                    .role = REST_ROLE_READ_ONLY, .auth = auth,
                                    .embedded_kafka = true};
    memset(response, 0, sizeof(*response));
    rest_console_answer(&request, response);
    assert_true(response->page);
}

static void test_paths(void **state)
{
    (void)state;
    assert_true(rest_console_path("/ui"));
    assert_true(rest_console_path("/ui/"));
    assert_true(rest_console_path("/ui/app.js"));
    assert_false(rest_console_path("/uix"));
    assert_false(rest_console_path("/connectors"));
}

static void test_files(void **state)
{
    (void)state;
    rest_auth *auth = auth_new();
    static const struct {
        const char *path, *type;
    } files[] = {{"/ui/", "text/html; charset=utf-8"},
                 {"/ui/index.html", "text/html; charset=utf-8"},
                 {"/ui/app.js", "text/javascript; charset=utf-8"},
                 {"/ui/app.css", "text/css; charset=utf-8"}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        rest_response response;
        answer(auth, "GET", files[i].path, NULL, &response);
        assert_int_equal(response.status, 200);
        assert_string_equal(response.content_type, files[i].type);
        assert_string_equal(response.cache_control, "no-cache");
        assert_true(response.body_len > 100);
        const char *etag = response.etag;
        assert_non_null(etag);
        rest_response_clear(&response);
        answer(auth, "HEAD", files[i].path, etag, &response);
        assert_int_equal(response.status, 304);
        answer(auth, "GET", files[i].path, "\"other\", W/\"x\"", &response);
        assert_int_equal(response.status, 200);
        rest_response_clear(&response);
    }
    rest_response response;
    answer(auth, "GET", "/ui", NULL, &response);
    assert_int_equal(response.status, 301);
    assert_string_equal(response.location, "/ui/");
    rest_response_clear(&response);
    answer(auth, "GET", "/ui/missing.js", NULL, &response);
    assert_int_equal(response.status, 404);
    rest_response_clear(&response);
    answer(auth, "PUT", "/ui/app.js", NULL, &response);
    assert_int_equal(response.status, 405);
    assert_string_equal(response.allow, "GET, HEAD");
    rest_response_clear(&response);
    rest_auth_destroy(auth);
}

static void test_session(void **state)
{
    (void)state;
    rest_auth *auth = auth_new();
    rest_response response;
    answer(auth, "GET", "/ui/api/session", NULL, &response);
    assert_int_equal(response.status, 200);
    json_t *body = json_loadb(response.body, response.body_len, 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "role")), "read-only");
    assert_true(json_is_true(json_object_get(body, "embedded_kafka")));
    const char *token = json_string_value(json_object_get(body, "csrf_token"));
    assert_non_null(token);
    assert_true(rest_auth_csrf_check(auth, "Basic YWRtaW46cHc=", token));
    json_decref(body);
    rest_response_clear(&response);
    rest_auth_destroy(auth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
