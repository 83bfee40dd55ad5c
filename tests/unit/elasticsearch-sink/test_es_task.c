/*
 * test_es_task.c - the ElasticsearchSink task through its callbacks, with a fake host and a
 * scripted _bulk endpoint (es_fake_server.c) on loopback: documents written and offsets handed
 * back only once acknowledged; partial 429s retry exactly the failed items; whole failures (503,
 * garbage answers) retry everything without losing or failing; rejected documents follow
 * behavior.on.malformed.documents and the error handling; a full buffer answers retry and the
 * same batch again is not written twice; a flush that cannot finish lowers offsets within its
 * bound and the next one does not wait; the status shows a long outage and clears; closed
 * partitions are forgotten; gzip and API keys reach the server; upserts keep their order;
 * credentials refused fail the task.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "es_client.h"
#include "es_fake_server.h"
#include "es_plugin.h"
#include "plugin_fake_host.h"
#include "support/clock.h"

#define MAX_RECORDS 4096

typedef struct fixture {
    es_fake_server *server;
    ferry_config *config;
    void *task;
    ferry_record records[MAX_RECORDS];
    char keys[MAX_RECORDS][32];
    char values[MAX_RECORDS][128];
    char err[1024];
} fixture;

static fixture *fx;

static int setup(void **state)
{
    (void)state;
    es_host = plugin_fake_host_reset();
    fx = calloc(1, sizeof(*fx));
    fx->server = es_fake_server_start();
    assert_non_null(fx->server);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (fx->task)
        es_sink_task.stop(fx->task);
    ferry_config_destroy(fx->config);
    es_fake_server_stop(fx->server);
    free(fx);
    plugin_fake_host_free();
    return 0;
}

/* Starts the task with these keys (connection.url is the fake server). */
static void start(const char *key, ...)
{
    json_t *values = json_pack("{s:s, s:s}", "connection.url", es_fake_server_url(fx->server),
                               "retry.backoff.ms", "10");
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *))
        json_object_set_new(values, k, json_string(va_arg(ap, const char *)));
    va_end(ap);
    fx->config = plugin_fake_config_json(es_config_keys, values);
    json_decref(values);
    fx->err[0] = '\0';
    if (es_sink_task.start(plugin_fake_context(), fx->config, &fx->task, fx->err,
                           sizeof(fx->err)) != FERRY_OK)
        fail_msg("start: %s", fx->err);
}

/* Record i of partition p: key "k<i>", a JSON object value (extra fields from extra). */
static ferry_record *record(size_t i, int32_t partition, int64_t offset, const char *extra)
{
    assert_true(i < MAX_RECORDS);
    snprintf(fx->keys[i], sizeof(fx->keys[i]), "k%zu", i);
    snprintf(fx->values[i], sizeof(fx->values[i]), "{\"n\":%zu%s%s}", i, extra ? "," : "",
             extra ? extra : "");
    fx->records[i] = (ferry_record){
        .topic = "events", .partition = partition, .kafka_offset = offset,
        .key = {.kind = FERRY_DATA_STRING, .data = fx->keys[i], .len = strlen(fx->keys[i])},
        .value = {.kind = FERRY_DATA_STRING, .data = fx->values[i],
                  .len = strlen(fx->values[i])},
        .timestamp_ms = 1700000000000,
    };
    return &fx->records[i];
}

static ferry_status put(size_t from, size_t count)
{
    fx->err[0] = '\0';
    return es_sink_task.put(fx->task, &fx->records[from], count, fx->err, sizeof(fx->err));
}

/* Flushes one partition of "events" at next; returns what flush handed back. */
static int64_t flush_one(int32_t partition, int64_t next, ferry_status *status)
{
    ferry_topic_partition offsets[1] = {{"events", partition, next}};
    fx->err[0] = '\0';
    *status = es_sink_task.flush(fx->task, offsets, 1, fx->err, sizeof(fx->err));
    return offsets[0].offset;
}

/* Flushes, as the worker does every interval, until everything below next is committable (or
 * fails the test after ~30 s). */
static void flush_all(int32_t partition, int64_t next)
{
    int64_t deadline = clock_monotonic_ms() + 30000;
    while (clock_monotonic_ms() < deadline) {
        ferry_status status;
        int64_t got = flush_one(partition, next, &status);
        if (status != FERRY_OK)
            fail_msg("flush: %d %s", status, fx->err);
        if (got == next)
            return;
        usleep(100000);
    }
    fail_msg("flush never reached offset %" PRId64, next);
}

static int64_t now_ms(void)
{
    return clock_monotonic_ms();
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_writes_and_commits_acknowledged(void **state)
{
    (void)state;
    start("batch.size", "100", "max.buffered.records", "1000", NULL);
    for (size_t i = 0; i < 250; i++)
        record(i, 0, (int64_t)i, NULL);
    assert_int_equal(put(0, 250), FERRY_OK);
    flush_all(0, 250);
    assert_int_equal(es_fake_server_documents(fx->server), 250);
    assert_int_equal(es_fake_server_items(fx->server), 250);
    assert_true(es_fake_server_requests(fx->server) >= 3);
    char *source = es_fake_server_source(fx->server, "k7");
    assert_string_equal(source, "{\"n\":7}");
    free(source);
    assert_int_equal(plugin_fake_gauge("es_documents_acked"), 250);
    assert_int_equal(plugin_fake_gauge("es_items_retried"), 0);
    assert_int_equal(plugin_fake_gauge("es_buffered_records"), 0);
}

static void test_partial_429_retries_only_failed_items(void **state)
{
    (void)state;
    start("batch.size", "50", "max.buffered.records", "1000", NULL);
    size_t failing = 0;
    for (size_t i = 0; i < 200; i++) {
        bool fail = i % 7 == 3;
        failing += fail;
        record(i, 0, (int64_t)i, fail ? "\"fail429\":2" : NULL);
    }
    assert_int_equal(put(0, 200), FERRY_OK);
    flush_all(0, 200);
    assert_int_equal(es_fake_server_documents(fx->server), 200);
    for (size_t i = 0; i < 200; i++) {
        char id[16];
        snprintf(id, sizeof(id), "k%zu", i);
        /* The failed ones three times (two 429s), every other exactly once. */
        assert_int_equal(es_fake_server_seen(fx->server, id), i % 7 == 3 ? 3 : 1);
    }
    assert_int_equal(es_fake_server_items(fx->server), 200 + 2 * failing);
    assert_int_equal(plugin_fake_gauge("es_items_retried"), 2 * failing);
    assert_int_equal(plugin_fake_gauge("es_items_sent"), 200 + 2 * failing);
    assert_true(plugin_fake_gauge("es_bulk_partial") >= 1);
    assert_int_equal(fake.report_count, 0);
}

static void test_whole_failures_retry_without_loss(void **state)
{
    (void)state;
    start("batch.size", "100", "max.buffered.records", "1000", NULL);
    es_fake_server_fail_next(fx->server, 3, 503, "{\"error\":{\"type\":\"unavailable\","
                             "\"reason\":\"try later\"},\"status\":503}");
    for (size_t i = 0; i < 100; i++)
        record(i, 0, (int64_t)i, NULL);
    assert_int_equal(put(0, 100), FERRY_OK);
    flush_all(0, 100);
    assert_int_equal(es_fake_server_documents(fx->server), 100);
    assert_true(plugin_fake_gauge("es_bulk_requests_failed") >= 3);
    /* A 200 answer that is not a bulk answer: retried too. */
    es_fake_server_fail_next(fx->server, 2, 200, "<html>proxy</html>");
    for (size_t i = 100; i < 150; i++)
        record(i, 0, (int64_t)i, NULL);
    assert_int_equal(put(100, 50), FERRY_OK);
    flush_all(0, 150);
    assert_int_equal(es_fake_server_documents(fx->server), 150);
    assert_int_equal(fake.report_count, 0);
}

static void test_malformed_documents(void **state)
{
    (void)state;
    /* fail (the default) with a tolerant error handler: reported, skipped, offsets move on. */
    start(NULL);
    record(0, 0, 0, NULL);
    record(1, 0, 1, "\"bad\":true");
    record(2, 0, 2, "\"other\":true");
    record(3, 0, 3, NULL);
    assert_int_equal(put(0, 4), FERRY_OK);
    flush_all(0, 4);
    assert_int_equal(fake.report_count, 2);
    assert_int_equal(fake.reports[0].kafka_offset, 1);
    assert_string_equal(fake.reports[0].topic, "events");
    assert_string_equal(fake.reports[0].key, "k1");
    assert_string_equal(fake.reports[0].value, "{\"n\":1,\"bad\":true}");
    assert_non_null(strstr(fake.reports[0].message, "mapper_parsing_exception"));
    assert_non_null(strstr(fake.reports[1].message, "index_closed_exception"));
    assert_int_equal(es_fake_server_documents(fx->server), 2);
}

static void test_malformed_ignore_and_warn(void **state)
{
    (void)state;
    start("behavior.on.malformed.documents", "warn", NULL);
    record(0, 0, 0, "\"bad\":true");
    record(1, 0, 1, "\"other\":true");
    assert_int_equal(put(0, 2), FERRY_OK);
    flush_all(0, 2);
    /* warn: logged, not reported (no dead-letter queue); other rejections are reported. */
    assert_true(plugin_fake_log_contains("behavior.on.malformed.documents=warn"));
    assert_int_equal(fake.report_count, 1);
    assert_int_equal(fake.reports[0].kafka_offset, 1);
    es_sink_task.stop(fx->task);
    fx->task = NULL;
    ferry_config_destroy(fx->config);
    es_host = plugin_fake_host_reset();

    /* ignore with errors.tolerance=all and a dead-letter queue: into the queue, as Confluent. */
    start("behavior.on.malformed.documents", "ignore", "errors.tolerance", "all",
          "errors.deadletterqueue.topic.name", "dlq", NULL);
    record(2, 0, 0, "\"bad\":true");
    assert_int_equal(put(2, 1), FERRY_OK);
    flush_all(0, 1);
    assert_int_equal(fake.report_count, 1);
    assert_false(plugin_fake_log_contains("behavior.on.malformed.documents=warn"));
}

static void test_rejection_fails_the_task_without_tolerance(void **state)
{
    (void)state;
    start(NULL);
    fake.fail_reports = true; /* errors.tolerance=none */
    record(0, 0, 0, NULL);
    record(1, 0, 1, "\"bad\":true");
    assert_int_equal(put(0, 2), FERRY_OK);
    ferry_status status = FERRY_OK;
    for (int i = 0; i < 20 && status == FERRY_OK; i++) {
        int64_t got = flush_one(0, 2, &status);
        if (status == FERRY_OK)
            assert_true(got <= 1); /* never past the rejected record */
    }
    assert_int_equal(status, FERRY_ERROR);
    assert_non_null(strstr(fx->err, "events-0 offset 1: mapper_parsing_exception"));
}

static void test_invalid_records(void **state)
{
    (void)state;
    start("behavior.on.null.values", "fail", NULL);
    record(0, 0, 0, NULL);
    fx->records[1] = fx->records[0];
    fx->records[1].kafka_offset = 1;
    fx->records[1].value = (ferry_data){.kind = FERRY_DATA_STRING, .data = "[1]", .len = 3};
    fx->records[2] = fx->records[0];
    fx->records[2].kafka_offset = 2;
    fx->records[2].value = (ferry_data){0};
    fx->records[3] = fx->records[0];
    fx->records[3].kafka_offset = 3;
    fx->records[3].key = (ferry_data){0};
    assert_int_equal(put(0, 4), FERRY_OK);
    flush_all(0, 4);
    assert_int_equal(fake.report_count, 3);
    assert_non_null(strstr(fake.reports[0].message, "not a JSON object"));
    assert_non_null(strstr(fake.reports[1].message, "null value"));
    assert_non_null(strstr(fake.reports[2].message, "can not be null"));
    es_sink_task.stop(fx->task);
    fx->task = NULL;
    ferry_config_destroy(fx->config);
    es_host = plugin_fake_host_reset();
    /* drop.invalid.message: skipped with a warning, nothing reported. */
    start("drop.invalid.message", "true", NULL);
    assert_int_equal(put(1, 3), FERRY_OK);
    flush_all(0, 4);
    assert_int_equal(fake.report_count, 0);
    assert_true(plugin_fake_log_contains("drop.invalid.message=true"));
}

static void test_full_buffer_pauses_and_resumes_without_duplicates(void **state)
{
    (void)state;
    start("batch.size", "10", "max.in.flight.requests", "1", "max.buffered.records", "10",
          "linger.ms", "0", NULL);
    es_fake_server_delay(fx->server, 1500);
    for (size_t i = 0; i < 35; i++)
        record(i, 0, (int64_t)i, NULL);
    int retries = 0;
    int64_t started = now_ms();
    ferry_status status;
    while ((status = put(0, 35)) == FERRY_RETRY) {
        retries++;
        assert_non_null(strstr(fx->err, "max.buffered.records=10"));
        assert_true(plugin_fake_gauge("es_buffered_records") <= 10);
        assert_true(now_ms() - started < 60000);
    }
    assert_int_equal(status, FERRY_OK);
    assert_true(retries >= 1);
    es_fake_server_delay(fx->server, 0);
    flush_all(0, 35);
    for (size_t i = 0; i < 35; i++) {
        char id[16];
        snprintf(id, sizeof(id), "k%zu", i);
        assert_int_equal(es_fake_server_seen(fx->server, id), 1);
    }
}

static void test_flush_is_bounded_and_lowers_offsets(void **state)
{
    (void)state;
    start("batch.size", "10", "max.buffered.records", "100", "read.timeout.ms", "0", NULL);
    for (size_t i = 0; i < 5; i++)
        record(i, 0, (int64_t)i + 100, NULL);
    assert_int_equal(put(0, 5), FERRY_OK);
    flush_all(0, 105);
    es_fake_server_delay(fx->server, 6000);
    for (size_t i = 5; i < 10; i++)
        record(i, 0, (int64_t)i + 100, NULL);
    assert_int_equal(put(5, 5), FERRY_OK);
    ferry_status status;
    int64_t started = now_ms();
    int64_t got = flush_one(0, 110, &status);
    int64_t took = now_ms() - started;
    assert_int_equal(status, FERRY_OK);
    assert_int_equal(got, 105); /* the first document not acknowledged */
    assert_true(took >= 3500 && took < 5500);
    /* Nothing acknowledged since: the next flush does not wait. */
    started = now_ms();
    got = flush_one(0, 110, &status);
    assert_int_equal(got, 105);
    assert_true(now_ms() - started < 500);
    es_fake_server_delay(fx->server, 0);
    flush_all(0, 110);
}

static void test_outage_shows_in_status_and_clears(void **state)
{
    (void)state;
    start("max.retries", "1", "retry.backoff.ms", "5", NULL);
    es_fake_server_fail_next(fx->server, 3, 503, "{\"error\":\"unavailable\",\"status\":503}");
    record(0, 0, 0, NULL);
    assert_int_equal(put(0, 1), FERRY_OK);
    /* The flush waits through the outage and publishes the status meanwhile. */
    flush_all(0, 1);
    assert_non_null(fake.first_problem);
    assert_non_null(strstr(fake.first_problem, "Elasticsearch unavailable at http://127.0.0.1:"));
    assert_non_null(strstr(fake.first_problem, "HTTP 503"));
    assert_non_null(strstr(fake.first_problem, "retried more than max.retries (1) times"));
    assert_null(fake.problem);
    assert_true(plugin_fake_log_contains("Elasticsearch accepts documents again"));
}

static void test_closed_partition_is_forgotten(void **state)
{
    (void)state;
    start("linger.ms", "60000", "batch.size", "100", "max.buffered.records", "500", NULL);
    /* linger.ms keeps both partitions' documents waiting. */
    for (size_t i = 0; i < 10; i++)
        record(i, i < 5 ? 0 : 1, (int64_t)(i % 5), NULL);
    assert_int_equal(put(0, 10), FERRY_OK);
    ferry_topic_partition revoked[1] = {{"events", 1, -1}};
    assert_int_equal(es_sink_task.close(fx->task, revoked, 1, fx->err, sizeof(fx->err)),
                     FERRY_OK);
    flush_all(0, 5);
    usleep(200000);
    assert_int_equal(es_fake_server_documents(fx->server), 5);
    /* Reassigned: the same offsets are taken again. */
    assert_int_equal(put(5, 5), FERRY_OK);
    flush_all(1, 5);
    assert_int_equal(es_fake_server_documents(fx->server), 10);
}

static void test_gzip_and_api_key(void **state)
{
    (void)state;
    start("connection.compression", "true", "connection.api.key", "id:secret", NULL);
    for (size_t i = 0; i < 300; i++)
        record(i, 0, (int64_t)i, NULL);
    assert_int_equal(put(0, 300), FERRY_OK);
    flush_all(0, 300);
    assert_true(es_fake_server_saw_gzip(fx->server));
    assert_int_equal(es_fake_server_documents(fx->server), 300);
    char *authorization = es_fake_server_authorization(fx->server);
    assert_string_equal(authorization, "ApiKey aWQ6c2VjcmV0");
    free(authorization);
}

static void test_upserts_stay_in_order(void **state)
{
    (void)state;
    start("write.method", "upsert", "batch.size", "2", "max.buffered.records", "100", NULL);
    /* Five updates of one document; the first meets two 429s. */
    for (size_t i = 0; i < 5; i++) {
        record(i, 0, (int64_t)i, i == 0 ? "\"fail429\":2" : NULL);
        snprintf(fx->keys[i], sizeof(fx->keys[i]), "same");
        fx->records[i].key.len = 4;
    }
    assert_int_equal(put(0, 5), FERRY_OK);
    flush_all(0, 5);
    char *source = es_fake_server_source(fx->server, "same");
    assert_non_null(source);
    assert_non_null(strstr(source, "\"n\":4"));
    free(source);
    assert_int_equal(es_fake_server_seen(fx->server, "same"), 7);
}

static void test_refused_credentials_fail_the_task(void **state)
{
    (void)state;
    start("connection.username", "u", "connection.password", "wrong", NULL);
    es_fake_server_fail_next(fx->server, 100, 401, "{\"error\":{\"type\":\"security_exception\","
                             "\"reason\":\"unable to authenticate user [u]\"},\"status\":401}");
    record(0, 0, 0, NULL);
    assert_int_equal(put(0, 1), FERRY_OK);
    ferry_status status = FERRY_OK;
    for (int i = 0; i < 20 && status == FERRY_OK; i++)
        flush_one(0, 1, &status);
    assert_int_equal(status, FERRY_ERROR);
    assert_non_null(strstr(fx->err, "HTTP 401: security_exception: unable to authenticate"));
    assert_int_equal(put(0, 1), FERRY_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writes_and_commits_acknowledged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_429_retries_only_failed_items, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_whole_failures_retry_without_loss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_ignore_and_warn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejection_fails_the_task_without_tolerance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_buffer_pauses_and_resumes_without_duplicates,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_is_bounded_and_lowers_offsets, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outage_shows_in_status_and_clears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_partition_is_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_and_api_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upserts_stay_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_credentials_fail_the_task, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
