/*
 * rest_console.c - the console's files and its session answer. Files are revalidated on every
 * load (Cache-Control: no-cache with an ETag of their content), so a new binary's console is
 * picked up at once while an unchanged one costs a 304.
 */
#include "rest/rest_console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#define REST_CONSOLE_PREFIX "/ui/"
#define REST_CONSOLE_SESSION "/ui/api/session"

bool rest_console_path(const char *path)
{
    return strcmp(path, "/ui") == 0 ||
           strncmp(path, REST_CONSOLE_PREFIX, sizeof(REST_CONSOLE_PREFIX) - 1) == 0;
}

static const rest_console_asset *rest_console_find(const char *name)
{
    for (size_t i = 0; i < rest_console_asset_count; i++)
        if (strcmp(rest_console_assets[i].name, name) == 0)
            return &rest_console_assets[i];
    return NULL;
}

/* True when an If-None-Match list names etag (or is "*"). */
static bool rest_console_etag_matches(const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    size_t etag_len = strlen(etag);
    const char *at = if_none_match;
    while (*at) {
        at += strspn(at, " ,");
        size_t len = strcspn(at, ",");
        while (len > 0 && at[len - 1] == ' ')
            len--;
        if ((len == 1 && at[0] == '*') || (len == etag_len && memcmp(at, etag, len) == 0) ||
            (len == etag_len + 2 && strncmp(at, "W/", 2) == 0 &&
             memcmp(at + 2, etag, etag_len) == 0))
            return true;
        at += strcspn(at, ",");
    }
    return false;
}

static void rest_console_session(const rest_console_request *request, rest_response *response)
{
    char token[REST_CSRF_TOKEN_LEN + 1];
    if (rest_auth_csrf_token(request->auth, request->authorization, token) != 0) {
        rest_reply_error(response, 500, "cannot compute the CSRF token");
        return;
    }
    json_t *body = json_pack("{s:s, s:b, s:s, s:s, s:b}", "role", rest_role_name(request->role),
                             "authenticated", rest_auth_enabled(request->auth), "csrf_header",
                             "X-Ferry-CSRF", "csrf_token", token, "embedded_kafka",
                             request->embedded_kafka);
    rest_reply_json(response, 200, body);
}

void rest_console_answer(const rest_console_request *request, rest_response *response)
{
    response->page = true;
    if (strcmp(request->method, "GET") != 0 && strcmp(request->method, "HEAD") != 0) {
        rest_reply_error(response, 405, "HTTP 405 Method Not Allowed");
        snprintf(response->allow, sizeof(response->allow), "GET, HEAD");
        return;
    }
    if (strcmp(request->path, "/ui") == 0) {
        rest_reply_empty(response, 301);
        response->location = strdup(REST_CONSOLE_PREFIX);
        if (!response->location)
            rest_reply_error(response, 500, "out of memory");
        return;
    }
    if (strcmp(request->path, REST_CONSOLE_SESSION) == 0) {
        rest_console_session(request, response);
        return;
    }
    const char *name = request->path + sizeof(REST_CONSOLE_PREFIX) - 1;
    const rest_console_asset *asset = rest_console_find(name[0] ? name : "index.html");
    if (!asset) {
        rest_reply_error(response, 404, "HTTP 404 Not Found");
        return;
    }
    response->etag = asset->etag;
    response->cache_control = "no-cache";
    if (rest_console_etag_matches(request->if_none_match, asset->etag)) {
        rest_reply_empty(response, 304);
        return;
    }
    char *copy = malloc(asset->size ? asset->size : 1);
    if (!copy) {
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    memcpy(copy, asset->data, asset->size);
    rest_reply_text(response, 200, copy, asset->size, asset->content_type);
}
