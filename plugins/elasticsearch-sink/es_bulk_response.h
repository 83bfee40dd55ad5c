/*
 * es_bulk_response.h - the per-item results of a _bulk answer, classified: acknowledged, to be
 * retried (429, 5xx, rejections), malformed (behavior.on.malformed.documents), or failed (an
 * error for the record). A whole answer that is not a bulk answer for the request's items is a
 * parse failure: its items are all retried.
 *
 * The usual answer, {"errors":false,...}, is recognised without parsing the items.
 */
#ifndef FERRY_ES_BULK_RESPONSE_H
#define FERRY_ES_BULK_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "es_bulk_body.h"

typedef enum es_outcome {
    ES_OUTCOME_OK,
    ES_OUTCOME_RETRY,
    ES_OUTCOME_MALFORMED,
    ES_OUTCOME_FAILED,
} es_outcome;

typedef struct es_item_result {
    es_outcome outcome;
    int status;   /* the item's HTTP status; 0 when unknown */
    char *error;  /* "<type>: <reason>" for items that are not OK (malloc'd), else NULL */
    bool replay;  /* OK because of a version conflict: the write was a replay */
} es_item_result;

/* What the classification needs to know of each item of the request. */
typedef struct es_item_kind {
    es_action action;
    bool versioned;
} es_item_kind;

/* Reads a 200 answer to a bulk request of count items into results (count entries, zeroed by
 * the call). 0, or -1 with why when the body is not such an answer. */
int es_bulk_response_parse(const char *body, size_t len, const es_item_kind *kinds, size_t count,
                           es_item_result *results, char *why, size_t whylen);

/* Classifies one item (exposed for tests). */
es_outcome es_bulk_classify(const es_item_kind *kind, int status, const char *error_type,
                            bool *replay);

void es_item_results_clear(es_item_result *results, size_t count);

/* The error of a whole answer that is not 2xx ({"error":{"type","reason"},"status"}), as
 * "<type>: <reason>" into out; the body's start when it is not such JSON. */
void es_error_summary(const char *body, size_t len, char *out, size_t outlen);

#endif
