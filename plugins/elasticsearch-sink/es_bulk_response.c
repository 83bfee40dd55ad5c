/*
 * es_bulk_response.c - per-item bulk results (es_bulk_response.h).
 */
#include "es_bulk_response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

/* Rejections of the document itself (Confluent's list). */
static const char *const es_malformed_types[] = {
    "mapper_parsing_exception",
    "document_parsing_exception",
    "strict_dynamic_mapping_exception",
    "illegal_argument_exception",
    "action_request_validation_exception",
    NULL,
};

/* Rejections that go away by themselves (load, blocks, shards moving). */
static const char *const es_transient_types[] = {
    "es_rejected_execution_exception",
    "opensearch_rejected_execution_exception", /* OpenSearch's name for the same */
    "circuit_breaking_exception",
    "cluster_block_exception",
    "unavailable_shards_exception",
    "node_not_connected_exception",
    "node_closed_exception",
    "no_shard_available_action_exception",
    "process_cluster_event_timeout_exception",
    NULL,
};

static bool es_type_in(const char *type, const char *const *list)
{
    for (size_t i = 0; type && list[i]; i++)
        if (strcmp(type, list[i]) == 0)
            return true;
    return false;
}

es_outcome es_bulk_classify(const es_item_kind *kind, int status, const char *error_type,
                            bool *replay)
{
    *replay = false;
    if (status >= 200 && status < 300)
        return ES_OUTCOME_OK;
    if (status == 404 && kind->action == ES_ACTION_DELETE && !error_type)
        return ES_OUTCOME_OK; /* deleting what is not there */
    if (status == 409 && error_type && strcmp(error_type, "version_conflict_engine_exception") == 0) {
        /* A lower or equal external version, or a create of an existing id: a replay. An update
         * that ran out of retry_on_conflict is retried. */
        if (kind->versioned || kind->action == ES_ACTION_CREATE) {
            *replay = true;
            return ES_OUTCOME_OK;
        }
        if (kind->action == ES_ACTION_UPDATE)
            return ES_OUTCOME_RETRY;
        return ES_OUTCOME_FAILED;
    }
    if (status == 429 || status == 408 || status >= 500 || es_type_in(error_type,
                                                                      es_transient_types))
        return ES_OUTCOME_RETRY;
    if (es_type_in(error_type, es_malformed_types))
        return ES_OUTCOME_MALFORMED;
    if (status == 0 && !error_type)
        return ES_OUTCOME_RETRY; /* no answer for the item */
    return ES_OUTCOME_FAILED;
}

void es_item_results_clear(es_item_result *results, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(results[i].error);
        results[i] = (es_item_result){0};
    }
}

/* ---- the fast path: "errors": false at the top level -------------------------------------- */

static const char *es_skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Past a JSON string starting at p ('"'); NULL when unterminated. */
static const char *es_skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past one JSON value (containers matched by counting brackets outside strings). */
static const char *es_skip_value(const char *p, const char *end)
{
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p = es_skip_string(p, end);
            if (!p)
                return NULL;
            if (depth == 0)
                return p;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (depth == 0 && (c == ',')) {
            return p;
        }
        p++;
    }
    return depth == 0 ? p : NULL;
}

/* 1 when the top-level "errors" is false, 0 when true, -1 when not found. */
static int es_errors_flag(const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    p = es_skip_space(p, end);
    if (p >= end || *p != '{')
        return -1;
    p++;
    for (;;) {
        p = es_skip_space(p, end);
        if (p >= end || *p != '"')
            return -1;
        const char *key = p + 1;
        p = es_skip_string(p, end);
        if (!p)
            return -1;
        bool is_errors = (size_t)(p - key) == 7 && memcmp(key, "errors\"", 7) == 0;
        p = es_skip_space(p, end);
        if (p >= end || *p != ':')
            return -1;
        p = es_skip_space(p + 1, end);
        if (is_errors) {
            if ((size_t)(end - p) >= 5 && memcmp(p, "false", 5) == 0)
                return 1;
            if ((size_t)(end - p) >= 4 && memcmp(p, "true", 4) == 0)
                return 0;
            return -1;
        }
        p = es_skip_value(p, end);
        if (!p)
            return -1;
        p = es_skip_space(p, end);
        if (p >= end || *p != ',')
            return -1;
        p++;
    }
}

/* ---- the full parse ----------------------------------------------------------------------- */

static char *es_error_text(const json_t *error)
{
    const char *type = json_string_value(json_object_get(error, "type"));
    const char *reason = json_string_value(json_object_get(error, "reason"));
    const char *cause = json_string_value(
        json_object_get(json_object_get(error, "caused_by"), "reason"));
    char *text = NULL;
    if (asprintf(&text, "%s: %s%s%s%s", type ? type : "error", reason ? reason : "(no reason)",
                 cause ? " (caused by: " : "", cause ? cause : "", cause ? ")" : "") < 0)
        return NULL;
    return text;
}

int es_bulk_response_parse(const char *body, size_t len, const es_item_kind *kinds, size_t count,
                           es_item_result *results, char *why, size_t whylen)
{
    memset(results, 0, count * sizeof(*results));
    if (es_errors_flag(body, len) == 1)
        return 0; /* every item succeeded */
    json_error_t error;
    json_t *root = json_loadb(body, len, 0, &error);
    if (!root) {
        ferry_error_set(why, whylen, "the answer is not JSON (%s at line %d): %.*s", error.text,
                        error.line, (int)(len < 80 ? len : 80), body);
        return -1;
    }
    json_t *items = json_object_get(root, "items");
    if (!json_is_array(items) || json_array_size(items) != count) {
        ferry_error_set(why, whylen, "the answer has %zu items for %zu documents",
                        json_is_array(items) ? json_array_size(items) : (size_t)0, count);
        json_decref(root);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *wrapper = json_array_get(items, i);
        /* {"index": {...}}: one member named after the action. */
        json_t *item = json_object_size(wrapper) == 1 ? json_object_iter_value(
                                                            json_object_iter(wrapper))
                                                      : NULL;
        json_t *status = json_object_get(item, "status");
        json_t *item_error = json_object_get(item, "error");
        const char *type = json_string_value(json_object_get(item_error, "type"));
        results[i].status = json_is_integer(status) ? (int)json_integer_value(status) : 0;
        results[i].outcome = es_bulk_classify(&kinds[i], results[i].status, type,
                                              &results[i].replay);
        if (results[i].outcome != ES_OUTCOME_OK) {
            results[i].error = item_error ? es_error_text(item_error)
                                          : strdup("no result for the document");
        }
    }
    json_decref(root);
    return 0;
}

void es_error_summary(const char *body, size_t len, char *out, size_t outlen)
{
    json_t *root = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *error = json_object_get(root, "error");
    if (json_is_object(error)) {
        char *text = es_error_text(error);
        snprintf(out, outlen, "%s", text ? text : "error");
        free(text);
    } else if (json_is_string(error)) {
        snprintf(out, outlen, "%s", json_string_value(error));
    } else if (body && len) {
        size_t n = len < 200 ? len : 200;
        snprintf(out, outlen, "%.*s", (int)n, body);
        for (char *c = out; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
    } else {
        snprintf(out, outlen, "(empty answer)");
    }
    json_decref(root);
}
