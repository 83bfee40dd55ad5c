/* The Elasticsearch sink when Elasticsearch is away or overloaded, on the real binary, broker and
 * Elasticsearch (the node of tests/services/, restarted by this test; every other harness test
 * is kept out meanwhile, and the normal node is back when the test ends, failed or not).
 *
 *   stopped  Elasticsearch is stopped for 30 s while records keep arriving: the buffer fills, the
 *            consumer pauses, the task stays RUNNING (its status says Elasticsearch is
 *            unavailable), and once the node is back every record is in the index exactly once.
 *   429      the node restarted with a write queue of 1 (FERRY_ES_WRITE_QUEUE_SIZE) rejects
 *            documents with 429 es_rejected_execution_exception under five requests in flight
 *            into a six-shard index: nothing is lost or fails, and only the rejected items are
 *            sent again (items sent = acknowledged + retried, from the task's own counts).
 * Both use key.ignore=true (ids topic+partition+offset), so that the document count proves
 * exactly-once content. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_es_sink_util.h"

#define OUTAGE_MS 30000
#define PARTITIONS 4

static bool es_stopped;      /* this test stopped the node */
static bool es_queue_changed; /* this test restarted it with a tiny write queue */

/* Brings the normal node back if this test changed it. */
static void restore_elasticsearch(void)
{
    if (es_queue_changed) {
        unsetenv("FERRY_ES_WRITE_QUEUE_SIZE");
        /* `start` restarts a node whose settings differ from the normal ones. */
        if (fp_services("start", "elasticsearch", NULL) == 0)
            es_queue_changed = false;
        es_stopped = false;
    } else if (es_stopped) {
        if (fp_services("start", "elasticsearch", NULL) == 0)
            es_stopped = false;
    }
}

static int outage_teardown(void **state)
{
    restore_elasticsearch();
    return fp_env_teardown(state);
}

/* ---- a producer at a steady rate, on its own thread --------------------------------------- */

typedef struct steady_producer {
    const char *topic;
    int64_t records;
    int64_t per_second;
    pthread_t thread;
} steady_producer;

static void *steady_main(void *opaque)
{
    steady_producer *steady = opaque;
    rd_kafka_t *producer = kt_producer_new(NULL);
    int64_t started = fp_now_ms();
    char value[256];
    for (int64_t i = 0; i < steady->records; i++) {
        int len = snprintf(value, sizeof(value), "{\"i\":%" PRId64 ",\"msg\":\"steady load\"}", i);
        kt_produce(producer, steady->topic, RD_KAFKA_PARTITION_UA, NULL, 0, value, (size_t)len,
                   NULL, NULL);
        int64_t due = started + i * 1000 / steady->per_second;
        int64_t now = fp_now_ms();
        if (due > now)
            fp_sleep_ms(due - now);
    }
    kt_producer_close(producer);
    return NULL;
}

static const char *json_values = "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                                 "value.converter.schemas.enable=false\n"
                                 "key.ignore=true\n";

/* ---- Elasticsearch stopped for 30 s ------------------------------------------------------- */

static void test_elasticsearch_stopped_under_load(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("es_sink_stopped");
    fp_broker_exclusive();
    const char *topic = fp_name(env, "es_outage");
    const char *name = fp_name(env, "c_outage");
    kt_create_topic(topic, PARTITIONS, NULL);
    char lines[1024];
    snprintf(lines, sizeof(lines), "topics=%s\n%smax.buffered.records=10000\n", topic,
             json_values);
    const char *worker = esu_worker_file(env, 1000, NULL);
    const char *connector = esu_connector_file(env, name, lines);
    fp_proc *proc = fp_start(env, worker, connector, NULL);

    /* 1,000 records/s for 70 s: before, during and after the outage. */
    steady_producer steady = {.topic = topic, .records = 70000, .per_second = 1000};
    assert_int_equal(pthread_create(&steady.thread, NULL, steady_main, &steady), 0);
    assert_true(esu_wait_count(topic, 5000, 60000));

    printf("# stopping Elasticsearch at %" PRId64 " documents\n", esu_count(topic));
    es_stopped = true;
    assert_int_equal(fp_services("stop", "elasticsearch", NULL), 0);
    int64_t stopped_at = fp_now_ms();
    bool problem_seen = false;
    char state_text[64], trace[2048];
    while (fp_now_ms() - stopped_at < OUTAGE_MS) {
        if (!fp_alive(proc))
            fail_msg("ferry exited while Elasticsearch was down");
        esu_task_state(env, name, state_text, sizeof(state_text), trace, sizeof(trace));
        if (strcmp(state_text, "FAILED") == 0)
            fail_msg("the task failed while Elasticsearch was down: %s", trace);
        if (strstr(trace, "Elasticsearch unavailable at"))
            problem_seen = true;
        fp_sleep_ms(1000);
    }
    printf("# starting Elasticsearch again after %" PRId64 " ms (status trace: %s)\n",
           fp_now_ms() - stopped_at, trace);
    assert_int_equal(fp_services("start", "elasticsearch", NULL), 0);
    es_stopped = false;
    assert_true(esu_wait_up(120000));
    assert_true(problem_seen);

    assert_int_equal(pthread_join(steady.thread, NULL), 0);
    assert_true(esu_wait_count(topic, steady.records, 300000));
    fp_sleep_ms(3000);
    assert_int_equal(esu_count(topic), steady.records);
    esu_task_state(env, name, state_text, sizeof(state_text), trace, sizeof(trace));
    assert_string_equal(state_text, "RUNNING");
    /* The outage is over: the status trace is clear again. */
    int64_t deadline = fp_now_ms() + 60000;
    while (trace[0] && fp_now_ms() < deadline) {
        fp_sleep_ms(1000);
        esu_task_state(env, name, state_text, sizeof(state_text), trace, sizeof(trace));
    }
    assert_string_equal(trace, "");

    fp_stop(proc, 30000);
    assert_true(fp_log_contains(proc, "put asked for a retry")); /* the consumer paused */
    esu_counts counts;
    assert_true(esu_stop_counts(proc, name, &counts));
    printf("# %" PRId64 " acknowledged, %" PRId64 " sent in %" PRId64 " requests (%" PRId64
           " failed as a whole), %" PRId64 " retried\n", counts.acked, counts.sent,
           counts.requests, counts.whole_failures, counts.retried);
    assert_int_equal(counts.acked, steady.records);
    assert_int_equal(counts.rejected, 0);
    assert_true(counts.whole_failures > 0);
    assert_int_equal(counts.sent, counts.acked + counts.retried);
    assert_false(esu_task_ever_failed(env, name));
    esu_delete_index(topic);
    kt_delete_topics(&topic, 1);
    fp_pass(env);
}

/* ---- real 429s ---------------------------------------------------------------------------- */

static void test_rejections_retry_only_failed_items(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("es_sink_429");
    fp_broker_exclusive();
    const char *topic = fp_name(env, "es_rejected");
    const char *name = fp_name(env, "c_rejected");
    kt_create_topic(topic, PARTITIONS, NULL);

    setenv("FERRY_ES_WRITE_QUEUE_SIZE", "1", 1);
    es_queue_changed = true;
    assert_int_equal(fp_services("start", "elasticsearch", NULL), 0);
    assert_true(esu_wait_up(120000));
    char path[512];
    snprintf(path, sizeof(path), "/%s", topic);
    json_decref(esu_expect("PUT", path, "{\"settings\":{\"number_of_shards\":6,"
                           "\"number_of_replicas\":0}}", 200));

    const int64_t records = 100000;
    rd_kafka_t *producer = kt_producer_new(NULL);
    char value[256];
    for (int64_t i = 0; i < records; i++) {
        int len = snprintf(value, sizeof(value), "{\"i\":%" PRId64 ",\"msg\":\"rejected, then "
                           "written\",\"n\":%" PRId64 "}", i, i % 977);
        kt_produce(producer, topic, RD_KAFKA_PARTITION_UA, NULL, 0, value, (size_t)len, NULL,
                   NULL);
    }
    kt_producer_close(producer);

    char lines[1024];
    snprintf(lines, sizeof(lines), "topics=%s\n%sbatch.size=1000\nmax.in.flight.requests=5\n"
             "max.buffered.records=10000\n", topic, json_values);
    const char *worker = esu_worker_file(env, 1000, NULL);
    const char *connector = esu_connector_file(env, name, lines);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    assert_true(esu_wait_count(topic, records, 300000));
    fp_sleep_ms(3000);
    assert_int_equal(esu_count(topic), records);
    char state_text[64];
    esu_task_state(env, name, state_text, sizeof(state_text), NULL, 0);
    assert_string_equal(state_text, "RUNNING");
    fp_stop(proc, 30000);

    esu_counts counts;
    assert_true(esu_stop_counts(proc, name, &counts));
    printf("# %" PRId64 " acknowledged, %" PRId64 " sent in %" PRId64 " requests (%" PRId64
           " failed as a whole, %" PRId64 " partly), %" PRId64 " retried\n", counts.acked,
           counts.sent, counts.requests, counts.whole_failures, counts.partial, counts.retried);
    assert_int_equal(counts.acked, records);
    assert_int_equal(counts.rejected, 0);
    assert_true(counts.retried > 0);                        /* real 429s happened */
    assert_int_equal(counts.sent, counts.acked + counts.retried); /* only those were resent */
    assert_false(esu_task_ever_failed(env, name));

    esu_delete_index(topic);
    kt_delete_topics(&topic, 1);
    restore_elasticsearch();
    assert_false(es_queue_changed);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    esu_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_elasticsearch_stopped_under_load, outage_teardown),
        cmocka_unit_test_teardown(test_rejections_retry_only_failed_items, outage_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
