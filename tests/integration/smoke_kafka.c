/* Integration smoke test: the real Kafka broker from tests/services/ (FERRY_TEST_BOOTSTRAP).
 *
 * Creates a unique topic, produces N keyed messages with an idempotent acks=all producer (every
 * delivery checked), consumes them back with a fresh consumer group subscribed to the topic and
 * checks that every key, value and header arrived once, in order, at the expected offset, and
 * that the group's commit lands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "kafka_tool.h"
#include "service_env.h"

#define N_MESSAGES 500

static void produce_all(const char *topic)
{
    const char *const configs[] = {"message.timeout.ms", "30000", NULL};
    rd_kafka_t *producer = kt_producer_new(configs);
    for (int i = 0; i < N_MESSAGES; i++) {
        char key[32], value[192], seq[16];
        snprintf(key, sizeof key, "key-%05d", i);
        snprintf(value, sizeof value, "value-%05d-of-%s", i, topic);
        snprintf(seq, sizeof seq, "%d", i);
        kt_produce(producer, topic, 0, key, strlen(key), value, strlen(value), "seq", seq);
    }
    kt_producer_close(producer);
}

/* Reads the topic back as a sink task does: a fresh consumer group subscribed to it; then commits
 * and reads the committed offset back. */
static void consume_all(const char *topic)
{
    char err[512], group[128];
    service_env_unique_name(group, sizeof group, "ferry_smoke_group");
    rd_kafka_conf_t *conf = kt_conf_new();
    kt_conf_set(conf, "group.id", group);
    kt_conf_set(conf, "auto.offset.reset", "earliest");
    kt_conf_set(conf, "enable.auto.commit", "false");
    kt_conf_set(conf, "enable.partition.eof", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk == NULL)
        fail_msg("consumer: %s", err);
    rd_kafka_poll_set_consumer(rk);

    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(rk, subs), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(subs);

    int next = 0;
    int64_t deadline = service_env_now_ms() + KT_TIMEOUT_MS;
    while (next < N_MESSAGES && service_env_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (m == NULL)
            continue;
        kt_message_check(m);
        char key[32], value[192], seq[16];
        snprintf(key, sizeof key, "key-%05d", next);
        snprintf(value, sizeof value, "value-%05d-of-%s", next, topic);
        snprintf(seq, sizeof seq, "%d", next);

        assert_string_equal(rd_kafka_topic_name(m->rkt), topic);
        assert_int_equal(m->partition, 0);
        assert_int_equal(m->offset, next);
        assert_int_equal(m->key_len, strlen(key));
        assert_memory_equal(m->key, key, m->key_len);
        assert_int_equal(m->len, strlen(value));
        assert_memory_equal(m->payload, value, m->len);

        rd_kafka_headers_t *hdrs = NULL;
        assert_int_equal(rd_kafka_message_headers(m, &hdrs), RD_KAFKA_RESP_ERR_NO_ERROR);
        const void *hv = NULL;
        size_t hlen = 0;
        assert_int_equal(rd_kafka_header_get_last(hdrs, "seq", &hv, &hlen), RD_KAFKA_RESP_ERR_NO_ERROR);
        assert_int_equal(hlen, strlen(seq));
        assert_memory_equal(hv, seq, hlen);

        rd_kafka_message_destroy(m);
        next++;
    }
    assert_int_equal(next, N_MESSAGES);

    /* Nothing beyond the N messages. */
    rd_kafka_message_t *extra = rd_kafka_consumer_poll(rk, 500);
    if (extra != NULL) {
        int64_t off = extra->offset;
        rd_kafka_message_destroy(extra);
        fail_msg("unexpected extra message at offset %lld", (long long)off);
    }

    assert_int_equal(rd_kafka_commit(rk, NULL, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_t *committed = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(committed, topic, 0);
    assert_int_equal(rd_kafka_committed(rk, committed, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(committed->elems[0].offset, N_MESSAGES);
    rd_kafka_topic_partition_list_destroy(committed);

    assert_int_equal(rd_kafka_consumer_close(rk), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

static void test_produce_consume_roundtrip(void **state)
{
    (void)state;
    char topic[128];
    service_env_unique_name(topic, sizeof topic, "ferry_smoke");
    kt_create_topic(topic, 1, NULL);
    produce_all(topic);
    consume_all(topic);
    const char *const topics[] = {topic};
    kt_delete_topics(topics, 1);
}

int main(void)
{
    kt_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_produce_consume_roundtrip),
    };
    return cmocka_run_group_tests_name("smoke_kafka", tests, NULL, NULL);
}
