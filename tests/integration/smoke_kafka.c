/* Integration smoke test: the real Kafka broker from tests/services/ (FERRY_TEST_BOOTSTRAP).
 *
 * Creates a unique topic with the admin API, produces N keyed messages with an idempotent
 * acks=all producer, checks every delivery report, consumes them back with a fresh consumer group
 * and checks that every key, value and header arrived once, in order, at the expected offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "service_env.h"

#define N_MESSAGES 500
#define TIMEOUT_MS 30000

static const char *bootstrap;

struct delivery_state {
    int delivered;
    int failed;
    int64_t last_offset;
    int out_of_order;
    char first_error[256];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static rd_kafka_conf_t *new_conf(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err),
                     RD_KAFKA_CONF_OK);
    return conf;
}

static void conf_set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK)
        fail_msg("%s=%s: %s", key, value, err);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    struct delivery_state *st = opaque;
    (void)rk;
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (st->failed++ == 0)
            snprintf(st->first_error, sizeof st->first_error, "%s", rd_kafka_err2str(msg->err));
        return;
    }
    /* One partition, one idempotent producer: offsets come back strictly increasing. */
    if (msg->offset <= st->last_offset)
        st->out_of_order++;
    st->last_offset = msg->offset;
    st->delivered++;
}

static void create_topic(const char *topic, int partitions)
{
    char err[512];
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, new_conf(), err, sizeof err);
    assert_non_null(admin);

    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof err);
    assert_non_null(nt);
    rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(admin, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    assert_int_equal(rd_kafka_AdminOptions_set_operation_timeout(opts, TIMEOUT_MS, err, sizeof err),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_CreateTopics(admin, &nt, 1, opts, q);

    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
    assert_non_null(ev);
    assert_int_equal(rd_kafka_event_type(ev), RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("CreateTopics: %s", rd_kafka_event_error_string(ev));
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t **topics = rd_kafka_CreateTopics_result_topics(res, &n);
    assert_int_equal(n, 1);
    assert_string_equal(rd_kafka_topic_result_name(topics[0]), topic);
    if (rd_kafka_topic_result_error(topics[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("creating %s: %s", topic, rd_kafka_topic_result_error_string(topics[0]));

    rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(admin);
}

static void delete_topic(const char *topic)
{
    char err[512];
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, new_conf(), err, sizeof err);
    assert_non_null(admin);
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
    rd_kafka_DeleteTopics(admin, &dt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
    assert_non_null(ev);
    const rd_kafka_DeleteTopics_result_t *res = rd_kafka_event_DeleteTopics_result(ev);
    assert_non_null(res);
    size_t n = 0;
    const rd_kafka_topic_result_t **topics = rd_kafka_DeleteTopics_result_topics(res, &n);
    assert_int_equal(n, 1);
    assert_int_equal(rd_kafka_topic_result_error(topics[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteTopic_destroy(dt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(admin);
}

static void produce_all(const char *topic)
{
    char err[512];
    struct delivery_state st = {.last_offset = -1};
    rd_kafka_conf_t *conf = new_conf();
    conf_set(conf, "acks", "all");
    conf_set(conf, "enable.idempotence", "true");
    conf_set(conf, "linger.ms", "5");
    conf_set(conf, "message.timeout.ms", "30000");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &st);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk == NULL)
        fail_msg("producer: %s", err);

    for (int i = 0; i < N_MESSAGES; i++) {
        char key[32], value[64], seq[16];
        snprintf(key, sizeof key, "key-%05d", i);
        snprintf(value, sizeof value, "value-%05d-of-%s", i, topic);
        snprintf(seq, sizeof seq, "%d", i);
        rd_kafka_resp_err_t e;
        do {
            e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                  RD_KAFKA_V_KEY(key, strlen(key)),
                                  RD_KAFKA_V_VALUE(value, strlen(value)),
                                  RD_KAFKA_V_HEADER("seq", seq, (ssize_t)strlen(seq)),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 100);
        } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
            fail_msg("produce #%d: %s", i, rd_kafka_err2str(e));
        rd_kafka_poll(rk, 0);
    }
    assert_int_equal(rd_kafka_flush(rk, TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_outq_len(rk), 0);
    rd_kafka_destroy(rk);

    if (st.failed != 0)
        fail_msg("%d of %d deliveries failed, first: %s", st.failed, N_MESSAGES, st.first_error);
    assert_int_equal(st.delivered, N_MESSAGES);
    assert_int_equal(st.out_of_order, 0);
    /* A fresh topic: the offsets are exactly 0..N-1. */
    assert_int_equal(st.last_offset, N_MESSAGES - 1);
}

static void consume_all(const char *topic)
{
    char err[512], group[128];
    service_env_unique_name(group, sizeof group, "ferry_smoke_group");
    rd_kafka_conf_t *conf = new_conf();
    conf_set(conf, "group.id", group);
    conf_set(conf, "auto.offset.reset", "earliest");
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "enable.partition.eof", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk == NULL)
        fail_msg("consumer: %s", err);
    rd_kafka_poll_set_consumer(rk);

    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(rk, subs), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(subs);

    int next = 0;
    int64_t deadline = now_ms() + TIMEOUT_MS;
    while (next < N_MESSAGES && now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (m == NULL)
            continue;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            fail_msg("consume: %s", msg);
        }
        char key[32], value[64], seq[16];
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
    create_topic(topic, 1);
    produce_all(topic);
    consume_all(topic);
    delete_topic(topic);
}

/* The variable is set: the broker must answer, else this is a failure, not a skip. */
static void probe_broker(void)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "%s", err);
    }
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk == NULL)
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "%s", err);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, 10000);
    int brokers = e == RD_KAFKA_RESP_ERR_NO_ERROR ? md->broker_cnt : 0;
    if (md != NULL)
        rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || brokers < 1)
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "metadata request: %s", rd_kafka_err2str(e));
}

int main(void)
{
    bootstrap = service_env_get("FERRY_TEST_BOOTSTRAP");
    probe_broker();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_produce_consume_roundtrip),
    };
    int failed = cmocka_run_group_tests_name("smoke_kafka", tests, NULL, NULL);
    rd_kafka_wait_destroyed(5000);
    return failed;
}
