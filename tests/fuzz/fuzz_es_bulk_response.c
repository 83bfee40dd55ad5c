/*
 * fuzz_es_bulk_response.c - the Elasticsearch sink's reading of a _bulk answer
 * (plugins/elasticsearch-sink/es_bulk_response.c) and of an error answer (es_error_summary) on
 * any body: an answer that does not fit the request is refused, every item gets an outcome and
 * an item that is not OK says why.
 *
 * Input: byte 0 the request's item count (0-15) and, bit by bit with byte 1, each item's action
 * and whether it was versioned; then the body.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "es_bulk_response.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t count = data[0] & 15;
    es_item_kind kinds[16] = {0};
    for (size_t i = 0; i < count; i++)
        kinds[i] = (es_item_kind){.action = (es_action)((data[1] + i) % 4),
                                  .versioned = (data[0] >> 4 >> (i % 4)) & 1};
    const char *body = (const char *)data + 2;
    size_t len = size - 2;

    es_item_result results[16];
    char why[256];
    if (es_bulk_response_parse(body, len, kinds, count, results, why, sizeof(why)) == 0) {
        for (size_t i = 0; i < count; i++) {
            fuzz_check(results[i].outcome <= ES_OUTCOME_FAILED, "item %zu outcome", i);
            fuzz_check(results[i].outcome == ES_OUTCOME_OK || results[i].error != NULL,
                       "item %zu: not OK without a reason", i);
        }
    } else {
        fuzz_check(why[0] != '\0', "a refused answer says why");
    }
    es_item_results_clear(results, count);

    char summary[200];
    es_error_summary(body, len, summary, sizeof(summary));
    fuzz_check(strlen(summary) < sizeof(summary), "summary terminated");
    return 0;
}
