/*
 * test_rest_router.c - REST path matching: every route found with its parameters decoded, a
 * %2F inside a name not splitting it, Kafka Connect's 404 and 405 (with Allow), the trailing
 * slash, and malformed escapes; boolean query arguments read as Kafka Connect reads them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_http.h"
#include "rest/rest_router.h"

static const rest_route *match(const char *method, const char *path, rest_match expected,
                               char *params[REST_MAX_PARAMS], char *allow, size_t allowlen)
{
    const rest_route *route = NULL;
    assert_int_equal(rest_route_match(method, path, &route, params, allow, allowlen), expected);
    return route;
}

static void test_every_route_matches_its_own_pattern(void **state)
{
    (void)state;
    for (size_t i = 0; i < rest_route_count; i++) {
        /* The pattern with each {placeholder} replaced by a value. */
        char path[256] = "";
        const char *pattern = rest_routes[i].pattern;
        for (const char *c = pattern; *c;) {
            if (*c == '{') {
                strcat(path, "x1");
                c = strchr(c, '}') + 1;
            } else {
                strncat(path, c, 1);
                c++;
            }
        }
        char *params[REST_MAX_PARAMS];
        char allow[96];
        const rest_route *route = match(rest_routes[i].method, path, REST_MATCH_FOUND, params,
                                        allow, sizeof(allow));
        assert_ptr_equal(route, &rest_routes[i]);
        rest_params_free(params);
    }
}

static void test_parameters_are_decoded_per_segment(void **state)
{
    (void)state;
    char *params[REST_MAX_PARAMS];
    char allow[96];
    const rest_route *route = match("GET", "/connectors/my%2Fconn%20one/tasks/3/status",
                                    REST_MATCH_FOUND, params, allow, sizeof(allow));
    assert_string_equal(route->pattern, "/connectors/{connector}/tasks/{task}/status");
    assert_string_equal(params[0], "my/conn one");
    assert_string_equal(params[1], "3");
    rest_params_free(params);

    /* '+' is a plus in a path (only query strings read it as a space). */
    route = match("GET", "/connectors/a+b", REST_MATCH_FOUND, params, allow, sizeof(allow));
    assert_string_equal(params[0], "a+b");
    rest_params_free(params);
}

static void test_trailing_slash_is_ignored(void **state)
{
    (void)state;
    char *params[REST_MAX_PARAMS];
    char allow[96];
    const rest_route *route = match("GET", "/connectors/", REST_MATCH_FOUND, params, allow,
                                    sizeof(allow));
    assert_string_equal(route->pattern, "/connectors");
    route = match("GET", "/", REST_MATCH_FOUND, params, allow, sizeof(allow));
    assert_string_equal(route->pattern, "/");
}

static void test_unknown_paths_are_404(void **state)
{
    (void)state;
    char *params[REST_MAX_PARAMS];
    char allow[96];
    const char *paths[] = {
        "/nope", "/connectors/a/b", "/connectors//status", "/connectors/a/status/x",
        "connectors", "", "/connectors/%zz/status", "/connectors/%00/status",
        "/connectors/a%/status", "/a/b/c/d/e/f/g/h/i/j",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        match("GET", paths[i], REST_MATCH_NO_PATH, params, allow, sizeof(allow));
}

static void test_wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    char *params[REST_MAX_PARAMS];
    char allow[96];
    match("POST", "/connectors/x/config", REST_MATCH_NO_METHOD, params, allow, sizeof(allow));
    assert_string_equal(allow, "GET, PUT, PATCH");
    match("GET", "/connectors/x/pause", REST_MATCH_NO_METHOD, params, allow, sizeof(allow));
    assert_string_equal(allow, "PUT");
    match("DELETE", "/connectors", REST_MATCH_NO_METHOD, params, allow, sizeof(allow));
    assert_string_equal(allow, "GET, POST");
    match("HEAD", "/metrics", REST_MATCH_NO_METHOD, params, allow, sizeof(allow));
    assert_null(params[0]);
}

static void test_percent_decoding(void **state)
{
    (void)state;
    char *text = rest_percent_decode("a%41%7e+b", 9, true);
    assert_string_equal(text, "aA~ b");
    free(text);
    text = rest_percent_decode("a%41%7e+b", 9, false);
    assert_string_equal(text, "aA~+b");
    free(text);
    assert_null(rest_percent_decode("%4", 2, false));
    assert_null(rest_percent_decode("%g0", 3, false));
    assert_null(rest_percent_decode("a%00", 4, false));
    text = rest_percent_decode("", 0, false);
    assert_string_equal(text, "");
    free(text);
}

/* Java's Boolean.parseBoolean behind Jersey: "true" in any case is true, anything else false,
 * absent or blank the parameter's default; never an error. */
static void test_query_booleans_parse_as_java(void **state)
{
    (void)state;
    static const struct {
        const char *value; /* NULL: the argument is absent */
        bool fallback;
        bool expected;
    } cases[] = {
        {"true", false, true},  {"TRUE", false, true},  {"tRuE", false, true},
        {"false", true, false}, {"yes", false, false},  {"yes", true, false},
        {"1", true, false},     {"on", true, false},    {"true ", true, false},
        {"", false, false},     {"", true, true},       {"  ", true, true},
        {NULL, false, false},   {NULL, true, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rest_request request = {.method = "GET", .path = "/connector-plugins", .query = ""};
        char key[] = "connectorsOnly";
        char value[16];
        if (cases[i].value) {
            snprintf(value, sizeof(value), "%s", cases[i].value);
            request.args[0] = (rest_query_arg){.key = key, .value = value};
            request.arg_count = 1;
        }
        bool parsed = rest_query_bool(&request, "connectorsOnly", cases[i].fallback);
        if (parsed != cases[i].expected)
            fail_msg("'%s' with default %d read as %d", cases[i].value ? cases[i].value : "(absent)",
                     cases[i].fallback, parsed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_matches_its_own_pattern),
        cmocka_unit_test(test_parameters_are_decoded_per_segment),
        cmocka_unit_test(test_trailing_slash_is_ignored),
        cmocka_unit_test(test_unknown_paths_are_404),
        cmocka_unit_test(test_wrong_method_is_405_with_allow),
        cmocka_unit_test(test_percent_decoding),
        cmocka_unit_test(test_query_booleans_parse_as_java),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
