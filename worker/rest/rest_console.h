/*
 * rest_console.h - the web console (docs/console.md): its HTML, CSS and JavaScript, compiled
 * into the binary from worker/rest/console/ by tools/embed_files.c, served at /ui/ with the
 * API's authentication, and GET /ui/api/session, which tells the page its role, its CSRF token
 * and whether the worker runs on the embedded Kafka.
 */
#ifndef FERRY_REST_CONSOLE_H
#define FERRY_REST_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "rest/rest_auth.h"
#include "rest/rest_http.h"

/* One embedded file (the generated table, rest_console_assets.c). */
typedef struct rest_console_asset {
    const char *name;         /* "app.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t size;
    const char *etag; /* "\"<digest of the content>\"" */
} rest_console_asset;

extern const rest_console_asset rest_console_assets[];
extern const size_t rest_console_asset_count;

/* The Content-Security-Policy of every console answer: nothing but the worker's own files,
 * no inline script or style, never in a frame. */
#define REST_CONSOLE_CSP                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "              \
    "frame-ancestors 'none'"

/* True when path (as received, without the query) is the console's: /ui or under /ui/. */
bool rest_console_path(const char *path);

/* What the console's answer depends on, all borrowed. */
typedef struct rest_console_request {
    const char *method;
    const char *path;
    const char *if_none_match; /* NULL when absent */
    const char *authorization; /* NULL when absent */
    rest_role role;            /* the authenticated client's */
    const rest_auth *auth;
    bool embedded_kafka;
} rest_console_request;

/* Answers a console path: a file (304 when if_none_match names its ETag), the session, a
 * redirect from /ui to /ui/, 404 for an unknown file, 405 for a method but GET and HEAD. */
void rest_console_answer(const rest_console_request *request, rest_response *response);

#endif
