/*
 * rest_router.c - the route table and path matching.
 */
#include "rest/rest_router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_resources.h"
#include "support/hex.h"

const rest_route rest_routes[] = {
    {"GET", "/", rest_root, NULL, true},
    {"GET", "/health", rest_health, NULL, false},
    {"GET", "/metrics", NULL, &rest_metrics, false},
    {"GET", "/connectors", NULL, &rest_connectors_list, false},
    {"POST", "/connectors", rest_connectors_create, NULL, false},
    {"GET", "/connectors/{connector}", NULL, &rest_connector_info, false},
    {"DELETE", "/connectors/{connector}", rest_connector_delete, NULL, false},
    {"GET", "/connectors/{connector}/config", NULL, &rest_connector_config_get, false},
    {"PUT", "/connectors/{connector}/config", rest_connector_config_put, NULL, false},
    {"PATCH", "/connectors/{connector}/config", rest_connector_config_patch, NULL, false},
    {"GET", "/connectors/{connector}/status", NULL, &rest_connector_status, false},
    {"POST", "/connectors/{connector}/restart", rest_connector_restart, NULL, false},
    {"PUT", "/connectors/{connector}/pause", rest_connector_pause, NULL, false},
    {"PUT", "/connectors/{connector}/resume", rest_connector_resume, NULL, false},
    {"PUT", "/connectors/{connector}/stop", rest_connector_stop, NULL, false},
    {"PUT", "/connectors/{connector}/fence", rest_connector_fence, NULL, false},
    {"GET", "/connectors/{connector}/tasks", NULL, &rest_connector_tasks, false},
    {"POST", "/connectors/{connector}/tasks", rest_connector_tasks_put, NULL, false},
    {"GET", "/connectors/{connector}/tasks-config", NULL, &rest_connector_tasks_config, false},
    {"GET", "/connectors/{connector}/tasks/{task}/status", NULL, &rest_task_status, false},
    {"POST", "/connectors/{connector}/tasks/{task}/restart", rest_task_restart, NULL, false},
    {"GET", "/connectors/{connector}/topics", NULL, &rest_connector_topics, false},
    {"PUT", "/connectors/{connector}/topics/reset", rest_connector_topics_reset, NULL, false},
    {"GET", "/connectors/{connector}/offsets", rest_offsets_get, NULL, false},
    {"PATCH", "/connectors/{connector}/offsets", rest_offsets_patch, NULL, false},
    {"DELETE", "/connectors/{connector}/offsets", rest_offsets_delete, NULL, false},
    {"GET", "/connector-plugins", NULL, &rest_plugins_list, false},
    {"GET", "/connector-plugins/{plugin}/config", NULL, &rest_plugin_config, false},
    {"PUT", "/connector-plugins/{plugin}/config/validate", rest_plugin_validate, NULL, false},
    {"GET", "/admin/loggers", rest_loggers_list, NULL, true},
    {"GET", "/admin/loggers/{logger}", rest_logger_get, NULL, true},
    {"PUT", "/admin/loggers/{logger}", rest_logger_put, NULL, true},
};

const size_t rest_route_count = sizeof(rest_routes) / sizeof(rest_routes[0]);

char *rest_percent_decode(const char *text, size_t len, bool plus_is_space)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= len) {
                free(out);
                return NULL;
            }
            int hi = hex_digit_value(text[i + 1]);
            int lo = hex_digit_value(text[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            out[used++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[used++] = ' ';
        } else if (c == '\0') {
            free(out);
            return NULL;
        } else {
            out[used++] = c;
        }
    }
    out[used] = '\0';
    return out;
}

void rest_params_free(char *params[REST_MAX_PARAMS])
{
    for (int i = 0; i < REST_MAX_PARAMS; i++) {
        free(params[i]);
        params[i] = NULL;
    }
}

/* Matches one pattern against the path's segments; fills params on success. */
static bool rest_pattern_match(const char *pattern, const char *const *segments,
                               const size_t *lengths, size_t count,
                               char *params[REST_MAX_PARAMS])
{
    size_t index = 0;
    int param = 0;
    const char *cursor = pattern + 1; /* after the leading '/' */
    while (*cursor) {
        const char *end = strchr(cursor, '/');
        size_t len = end ? (size_t)(end - cursor) : strlen(cursor);
        if (index >= count)
            goto mismatch;
        if (cursor[0] == '{') {
            if (param >= REST_MAX_PARAMS)
                goto mismatch;
            params[param] = rest_percent_decode(segments[index], lengths[index], false);
            if (!params[param] || params[param][0] == '\0')
                goto mismatch;
            param++;
        } else if (len != lengths[index] || memcmp(cursor, segments[index], len) != 0) {
            goto mismatch;
        }
        index++;
        cursor = end ? end + 1 : cursor + len;
    }
    if (index == count)
        return true;
mismatch:
    rest_params_free(params);
    return false;
}

rest_match rest_route_match(const char *method, const char *path, const rest_route **route,
                            char *params[REST_MAX_PARAMS], char *allow, size_t allowlen)
{
    /* Segments of the path, without decoding: a decoded %2F must not split a name. */
    enum { MAX_SEGMENTS = 8 };
    const char *segments[MAX_SEGMENTS];
    size_t lengths[MAX_SEGMENTS];
    size_t count = 0;
    size_t path_len = strlen(path);
    for (int i = 0; i < REST_MAX_PARAMS; i++)
        params[i] = NULL;
    if (allowlen)
        allow[0] = '\0';
    if (path_len == 0 || path[0] != '/')
        return REST_MATCH_NO_PATH;
    if (path_len > 1 && path[path_len - 1] == '/')
        path_len--;
    for (size_t at = 1; at < path_len;) {
        const char *end = memchr(path + at, '/', path_len - at);
        size_t len = end ? (size_t)(end - (path + at)) : path_len - at;
        if (len == 0 || count == MAX_SEGMENTS)
            return REST_MATCH_NO_PATH;
        segments[count] = path + at;
        lengths[count] = len;
        count++;
        at += len + 1;
    }

    bool path_known = false;
    size_t used = 0;
    for (size_t i = 0; i < rest_route_count; i++) {
        char *candidate[REST_MAX_PARAMS] = {NULL};
        if (!rest_pattern_match(rest_routes[i].pattern, segments, lengths, count, candidate))
            continue;
        if (strcmp(rest_routes[i].method, method) == 0) {
            *route = &rest_routes[i];
            memcpy(params, candidate, sizeof(candidate));
            return REST_MATCH_FOUND;
        }
        rest_params_free(candidate);
        path_known = true;
        if (used < allowlen) {
            int n = snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "",
                             rest_routes[i].method);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    return path_known ? REST_MATCH_NO_METHOD : REST_MATCH_NO_PATH;
}
