/*
 * test_es_bulk_response.c - bulk answers item by item: the {"errors":false} fast path (even
 * with "took" first or odd spacing), mixed results (201, 429, 409 on replays and on unversioned
 * writes, a delete's 404, malformed documents, other rejections, 5xx), answers that are not bulk
 * answers (not JSON, too few items, HTML), OpenSearch's error types, and the summary of
 * whole-request errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "es_bulk_response.h"

static int parse(const char *body, const es_item_kind *kinds, size_t count,
                 es_item_result *results, char *why)
{
    return es_bulk_response_parse(body, strlen(body), kinds, count, results, why, 300);
}

static void test_all_ok_fast_path(void **state)
{
    (void)state;
    es_item_kind kinds[2] = {{ES_ACTION_INDEX, true}, {ES_ACTION_INDEX, true}};
    es_item_result results[2];
    char why[300];
    /* "errors":false is read without looking at the items (here deliberately bogus). */
    assert_int_equal(parse("{\"errors\":false,\"items\":\"whatever\"}", kinds, 2, results, why),
                     0);
    assert_int_equal(results[0].outcome, ES_OUTCOME_OK);
    assert_int_equal(results[1].outcome, ES_OUTCOME_OK);
    assert_int_equal(parse(" { \"took\" : {\"x\":[1,\"}\"]} , \"errors\" :false}", kinds, 2,
                           results, why), 0);
    assert_int_equal(results[1].outcome, ES_OUTCOME_OK);
}

static void test_mixed_items(void **state)
{
    (void)state;
    es_item_kind kinds[] = {
        {ES_ACTION_INDEX, true},   /* 201 */
        {ES_ACTION_INDEX, true},   /* 429 */
        {ES_ACTION_INDEX, true},   /* 409 replay */
        {ES_ACTION_INDEX, false},  /* 409 without a version: a real conflict */
        {ES_ACTION_CREATE, false}, /* 409 on create: a replay */
        {ES_ACTION_UPDATE, false}, /* 409 after retry_on_conflict: retried */
        {ES_ACTION_DELETE, true},  /* 404 not_found */
        {ES_ACTION_INDEX, true},   /* 400 mapper_parsing_exception */
        {ES_ACTION_INDEX, true},   /* 404 index_not_found_exception */
        {ES_ACTION_INDEX, true},   /* 503 */
        {ES_ACTION_INDEX, true},   /* 429 circuit breaker */
        {ES_ACTION_INDEX, true},   /* 403 cluster block: transient */
    };
    const char *body =
        "{\"took\":3,\"errors\":true,\"items\":["
        "{\"index\":{\"status\":201}},"
        "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\","
        "\"reason\":\"rejected execution of coordinating operation\"}}},"
        "{\"index\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\","
        "\"reason\":\"[k]: version conflict\"}}},"
        "{\"index\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\","
        "\"reason\":\"[k]: version conflict\"}}},"
        "{\"create\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\","
        "\"reason\":\"document already exists\"}}},"
        "{\"update\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\","
        "\"reason\":\"conflict\"}}},"
        "{\"delete\":{\"status\":404}},"
        "{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":"
        "\"failed to parse field [n]\",\"caused_by\":{\"type\":\"x\",\"reason\":\"not a number\""
        "}}}},"
        "{\"index\":{\"status\":404,\"error\":{\"type\":\"index_not_found_exception\",\"reason\":"
        "\"no such index\"}}},"
        "{\"index\":{\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\","
        "\"reason\":\"primary shard is not active\"}}},"
        "{\"index\":{\"status\":429,\"error\":{\"type\":\"circuit_breaking_exception\","
        "\"reason\":\"data too large\"}}},"
        "{\"index\":{\"status\":403,\"error\":{\"type\":\"cluster_block_exception\","
        "\"reason\":\"index read-only\"}}}"
        "]}";
    size_t count = sizeof(kinds) / sizeof(kinds[0]);
    es_item_result results[12];
    char why[300];
    assert_int_equal(parse(body, kinds, count, results, why), 0);
    es_outcome expected[] = {
        ES_OUTCOME_OK, ES_OUTCOME_RETRY, ES_OUTCOME_OK, ES_OUTCOME_FAILED, ES_OUTCOME_OK,
        ES_OUTCOME_RETRY, ES_OUTCOME_OK, ES_OUTCOME_MALFORMED, ES_OUTCOME_FAILED,
        ES_OUTCOME_RETRY, ES_OUTCOME_RETRY, ES_OUTCOME_RETRY,
    };
    for (size_t i = 0; i < count; i++)
        if (results[i].outcome != expected[i])
            fail_msg("item %zu: outcome %d, expected %d", i, results[i].outcome, expected[i]);
    assert_true(results[2].replay);
    assert_true(results[4].replay);
    assert_false(results[0].replay);
    assert_null(results[0].error);
    assert_string_equal(results[1].error, "es_rejected_execution_exception: rejected execution "
                                          "of coordinating operation");
    assert_string_equal(results[7].error, "mapper_parsing_exception: failed to parse field [n] "
                                          "(caused by: not a number)");
    assert_int_equal(results[9].status, 503);
    es_item_results_clear(results, count);
    assert_null(results[1].error);
}

static void test_not_bulk_answers(void **state)
{
    (void)state;
    es_item_kind kinds[2] = {{ES_ACTION_INDEX, true}, {ES_ACTION_INDEX, true}};
    es_item_result results[2];
    char why[300];
    assert_int_equal(parse("<html>502 Bad Gateway</html>", kinds, 2, results, why), -1);
    assert_non_null(strstr(why, "not JSON"));
    assert_int_equal(parse("{\"errors\":true,\"items\":[{\"index\":{\"status\":201}}]}", kinds, 2,
                           results, why), -1);
    assert_non_null(strstr(why, "1 items for 2 documents"));
    assert_int_equal(parse("{\"errors\":true}", kinds, 2, results, why), -1);
    assert_int_equal(parse("{\"errors\":true,\"items\":[{\"index\":{\"status\":201}},", kinds, 2,
                           results, why), -1);
    /* An item without a status is retried. */
    assert_int_equal(parse("{\"errors\":true,\"items\":[{\"index\":{}},{\"index\":{\"status\":"
                           "200}}]}", kinds, 2, results, why), 0);
    assert_int_equal(results[0].outcome, ES_OUTCOME_RETRY);
    assert_int_equal(results[1].outcome, ES_OUTCOME_OK);
    es_item_results_clear(results, 2);
}

/* OpenSearch names its rejections and parsing errors its own way; they mean the same. */
static void test_opensearch_types(void **state)
{
    (void)state;
    es_item_kind kind = {ES_ACTION_INDEX, true};
    bool replay;
    assert_int_equal(es_bulk_classify(&kind, 429, "opensearch_rejected_execution_exception",
                                      &replay), ES_OUTCOME_RETRY);
    /* The type alone decides, whatever status a proxy put on it. */
    assert_int_equal(es_bulk_classify(&kind, 400, "opensearch_rejected_execution_exception",
                                      &replay), ES_OUTCOME_RETRY);
    assert_int_equal(es_bulk_classify(&kind, 400, "mapper_parsing_exception", &replay),
                     ES_OUTCOME_MALFORMED);
}

static void test_error_summary(void **state)
{
    (void)state;
    char out[300];
    const char *body = "{\"error\":{\"root_cause\":[],\"type\":\"es_rejected_execution_exception\","
                       "\"reason\":\"rejected\"},\"status\":429}";
    es_error_summary(body, strlen(body), out, sizeof(out));
    assert_string_equal(out, "es_rejected_execution_exception: rejected");
    es_error_summary("<html>\nbad gateway</html>", 25, out, sizeof(out));
    assert_string_equal(out, "<html> bad gateway</html>");
    es_error_summary(NULL, 0, out, sizeof(out));
    assert_string_equal(out, "(empty answer)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_ok_fast_path),
        cmocka_unit_test(test_mixed_items),
        cmocka_unit_test(test_not_bulk_answers),
        cmocka_unit_test(test_opensearch_types),
        cmocka_unit_test(test_error_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
