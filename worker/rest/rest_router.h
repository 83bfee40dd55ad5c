/*
 * rest_router.h - the REST API's routes (method + path pattern -> handler) in one table, which
 * docs/openapi.yaml must match route for route (tests/unit/test_rest_openapi.c checks both
 * ways), and the matching of a request path against it: Kafka Connect's 404 for an unknown
 * path, 405 with an Allow header for a known path and another method.
 */
#ifndef FERRY_REST_ROUTER_H
#define FERRY_REST_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "rest/rest_http.h"

typedef struct rest_route {
    const char *method;  /* "GET", "PUT", ... */
    const char *pattern; /* "/connectors/{connector}/status": {name} matches one segment */
    rest_handler handler;             /* exactly one of the two */
    const rest_async_handler *async;
    bool immediate;                   /* handler never blocks: run on the event thread */
} rest_route;

extern const rest_route rest_routes[];
extern const size_t rest_route_count;

typedef enum rest_match {
    REST_MATCH_FOUND,
    REST_MATCH_NO_PATH,   /* 404 */
    REST_MATCH_NO_METHOD, /* 405: allow lists the methods of the path */
} rest_match;

/* Finds the route of method and path (a trailing '/' is ignored, as Kafka Connect does). On
 * REST_MATCH_FOUND, params[] receive the decoded {placeholders} (malloc'd; free them with
 * rest_params_free). A segment that does not decode (bad %-escape, %00) matches nothing. */
rest_match rest_route_match(const char *method, const char *path, const rest_route **route,
                            char *params[REST_MAX_PARAMS], char *allow, size_t allowlen);
void rest_params_free(char *params[REST_MAX_PARAMS]);

/* Decodes %XX escapes (and '+' as a space when plus_is_space): a new string, or NULL when an
 * escape is malformed or decodes to NUL. */
char *rest_percent_decode(const char *text, size_t len, bool plus_is_space);

#endif
