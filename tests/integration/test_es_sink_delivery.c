/* The Elasticsearch sink's delivery guarantee through kill -9, on the real binary, broker and
 * Elasticsearch: two connectors read the same records from two topics (4 partitions each) while
 * the worker is killed twice mid-stream and restarted, with offsets committed every second.
 *
 *   keyed   ids from 2,000 keys, external versions: afterwards the index holds exactly one
 *           document per key, each the key's last record, with _version = that record's offset
 *           (what was written again after a kill was a no-op, nothing newer was overwritten);
 *   events  key.ignore=true, ids topic+partition+offset: afterwards the index holds exactly as
 *           many documents as records, so none was lost and none written twice as another.
 *
 * The sink is throttled (small batches, one request in flight) so that each kill lands while
 * documents are in flight and offsets are behind them. */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
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

#define RECORDS 40000
#define KEYS 2000
#define PARTITIONS 4
#define KILLS 2


/* The last record of each key, from the keyed topic as Kafka holds it. */
typedef struct last_record {
    int64_t offset;
    int64_t i;
} last_record;

static void collect_last(const rd_kafka_message_t *message, void *opaque)
{
    last_record *last = opaque;
    char key[32];
    snprintf(key, sizeof(key), "%.*s", (int)message->key_len, (const char *)message->key);
    long k = strtol(key + 1, NULL, 10);
    assert_true(k >= 0 && k < KEYS);
    json_t *value = json_loadb(message->payload, message->len, 0, NULL);
    int64_t i = json_integer_value(json_object_get(value, "i"));
    json_decref(value);
    if (i >= last[k].i) {
        last[k].i = i;
        last[k].offset = message->offset;
    }
}

static void run_until(fp_proc *proc, const char *index, int64_t target)
{
    int64_t deadline = fp_now_ms() + 300000;
    for (;;) {
        int64_t count = esu_count(index);
        if (count >= target)
            return;
        if (!fp_alive(proc))
            fail_msg("ferry exited at %" PRId64 " documents of %s", count, index);
        if (fp_now_ms() > deadline)
            fail_msg("%s: %" PRId64 " documents, waited for %" PRId64, index, count, target);
        fp_sleep_ms(100);
    }
}

static void test_kill9_exact_documents(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("es_sink_kill9");
    const char *keyed = fp_name(env, "es_keyed");
    const char *events = fp_name(env, "es_events");
    kt_create_topic(keyed, PARTITIONS, NULL);
    kt_create_topic(events, PARTITIONS, NULL);

    rd_kafka_t *producer = kt_producer_new(NULL);
    char pad[161];
    memset(pad, 'x', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    for (int64_t i = 0; i < RECORDS; i++) {
        char key[32], value[320];
        snprintf(key, sizeof(key), "k%" PRId64, i % KEYS);
        int len = snprintf(value, sizeof(value), "{\"k\":\"%s\",\"i\":%" PRId64 ",\"pad\":\"%s\"}",
                           key, i, pad);
        kt_produce(producer, keyed, RD_KAFKA_PARTITION_UA, key, strlen(key), value, (size_t)len,
                   NULL, NULL);
        kt_produce(producer, events, RD_KAFKA_PARTITION_UA, NULL, 0, value, (size_t)len, NULL,
                   NULL);
    }
    kt_producer_close(producer);

    const char *throttle = "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                           "value.converter.schemas.enable=false\n"
                           "batch.size=100\nmax.in.flight.requests=1\nmax.buffered.records=200\n"
                           "linger.ms=5\n";
    char lines[1024];
    const char *worker = esu_worker_file(env, 1000, NULL);
    const char *keyed_name = fp_name(env, "c_keyed");
    const char *events_name = fp_name(env, "c_events");
    snprintf(lines, sizeof(lines), "topics=%s\n%s", keyed, throttle);
    const char *c_keyed = esu_connector_file(env, keyed_name, lines);
    snprintf(lines, sizeof(lines), "topics=%s\n%skey.ignore=true\n", events, throttle);
    const char *c_events = esu_connector_file(env, events_name, lines);

    /* Kill -9 at about a third and two thirds of the records. */
    for (int kill = 0; kill < KILLS; kill++) {
        fp_proc *proc = fp_start(env, worker, c_keyed, c_events, NULL);
        int64_t target = (int64_t)RECORDS * (kill + 1) / (KILLS + 1);
        run_until(proc, events, target);
        printf("# kill -9 at %" PRId64 " documents of %s\n", esu_count(events), events);
        fp_kill9(proc);
    }
    fp_proc *proc = fp_start(env, worker, c_keyed, c_events, NULL);
    run_until(proc, events, RECORDS);
    /* The keyed index is complete when every key has its last version. */
    last_record *last = calloc(KEYS, sizeof(*last));
    assert_non_null(last);
    for (int k = 0; k < KEYS; k++)
        last[k].i = -1;
    assert_int_equal(kt_consume(keyed, 60000, collect_last, last), RECORDS);
    int64_t deadline = fp_now_ms() + 120000;
    json_t *hits = NULL;
    for (;;) {
        json_decref(hits);
        hits = esu_documents(keyed);
        size_t i, current_versions = 0;
        json_t *hit;
        json_array_foreach(hits, i, hit) {
            long k = strtol(json_string_value(json_object_get(hit, "_id")) + 1, NULL, 10);
            if (k >= 0 && k < KEYS &&
                json_integer_value(json_object_get(hit, "_version")) == last[k].offset)
                current_versions++;
        }
        if (current_versions == KEYS)
            break;
        if (fp_now_ms() > deadline)
            fail_msg("%s: %zu of %d documents at their last version", keyed, current_versions,
                     KEYS);
        fp_sleep_ms(500);
    }
    /* Exactly one document per key, each the key's last record. */
    assert_int_equal(json_array_size(hits), KEYS);
    size_t i;
    json_t *hit;
    json_array_foreach(hits, i, hit) {
        const char *id = json_string_value(json_object_get(hit, "_id"));
        long k = strtol(id + 1, NULL, 10);
        json_t *source = json_object_get(hit, "_source");
        assert_string_equal(json_string_value(json_object_get(source, "k")), id);
        assert_int_equal(json_integer_value(json_object_get(source, "i")), last[k].i);
        assert_int_equal(json_integer_value(json_object_get(source, "i")),
                         RECORDS - KEYS + k);
    }
    json_decref(hits);
    free(last);
    /* Exactly one document per record. */
    fp_sleep_ms(2000);
    assert_int_equal(esu_count(events), RECORDS);

    fp_stop(proc, 30000);
    esu_counts counts;
    assert_true(esu_stop_counts(proc, events_name, &counts));
    printf("# last run of %s: %" PRId64 " acknowledged, %" PRId64 " sent, %" PRId64
           " retried\n", events_name, counts.acked, counts.sent, counts.retried);
    assert_int_equal(counts.sent, counts.acked + counts.retried + counts.rejected);
    assert_false(esu_task_ever_failed(env, keyed_name));
    assert_false(esu_task_ever_failed(env, events_name));

    esu_delete_index(keyed);
    esu_delete_index(events);
    const char *topics[] = {keyed, events};
    kt_delete_topics(topics, 2);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    esu_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_kill9_exact_documents, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
