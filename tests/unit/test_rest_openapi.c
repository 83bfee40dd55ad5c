/*
 * test_rest_openapi.c - docs/openapi.yaml and the router agree: every path and method the file
 * lists is served, and every served route is in the file. The file is read with a small line
 * parser that knows the layout of its paths section (two spaces before a path, four before a
 * method), so the test needs no YAML library.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_router.h"

#define MAX_OPERATIONS 128

typedef struct operation {
    char method[16];
    char path[256];
} operation;

/* Reads the operations of the paths section; returns how many. */
static size_t openapi_operations(operation *out, size_t max)
{
    const char *data = getenv("FERRY_TEST_DATA");
    assert_non_null(data);
    char file[1024];
    snprintf(file, sizeof(file), "%s/../../../docs/openapi.yaml", data);
    FILE *in = fopen(file, "r");
    if (!in)
        fail_msg("cannot open %s", file);
    char line[1024];
    char path[256] = "";
    bool in_paths = false;
    size_t count = 0;
    while (fgets(line, sizeof(line), in)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "paths:") == 0) {
            in_paths = true;
            continue;
        }
        if (!in_paths || line[0] == '\0' || line[0] == '#')
            continue;
        if (!isspace((unsigned char)line[0]))
            break; /* the next top-level section */
        if (strncmp(line, "  /", 3) == 0) {
            size_t len = strlen(line);
            assert_true(line[len - 1] == ':');
            snprintf(path, sizeof(path), "%.*s", (int)(len - 3), line + 2);
            continue;
        }
        static const char *const methods[] = {"get", "put", "post", "patch", "delete", "head",
                                              "options"};
        for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
            char key[32];
            snprintf(key, sizeof(key), "    %s:", methods[m]);
            if (strcmp(line, key) != 0)
                continue;
            assert_true(path[0] != '\0');
            assert_true(count < max);
            for (size_t c = 0; methods[m][c]; c++)
                out[count].method[c] = (char)toupper((unsigned char)methods[m][c]);
            out[count].method[strlen(methods[m])] = '\0';
            snprintf(out[count].path, sizeof(out[count].path), "%s", path);
            count++;
        }
    }
    fclose(in);
    return count;
}

static void test_openapi_lists_exactly_the_served_routes(void **state)
{
    (void)state;
    operation operations[MAX_OPERATIONS];
    size_t count = openapi_operations(operations, MAX_OPERATIONS);
    assert_true(count > 0);
    size_t missing = 0;
    for (size_t i = 0; i < count; i++) {
        bool served = false;
        for (size_t r = 0; r < rest_route_count; r++)
            served |= strcmp(rest_routes[r].method, operations[i].method) == 0 &&
                      strcmp(rest_routes[r].pattern, operations[i].path) == 0;
        if (!served) {
            print_error("docs/openapi.yaml lists %s %s, which is not served\n",
                        operations[i].method, operations[i].path);
            missing++;
        }
    }
    for (size_t r = 0; r < rest_route_count; r++) {
        bool listed = false;
        for (size_t i = 0; i < count; i++)
            listed |= strcmp(rest_routes[r].method, operations[i].method) == 0 &&
                      strcmp(rest_routes[r].pattern, operations[i].path) == 0;
        if (!listed) {
            print_error("%s %s is served but missing from docs/openapi.yaml\n",
                        rest_routes[r].method, rest_routes[r].pattern);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
    assert_int_equal(count, rest_route_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openapi_lists_exactly_the_served_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
