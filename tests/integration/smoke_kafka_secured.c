/* Integration smoke test: the secured listeners of the real broker from tests/services/
 * (FERRY_TEST_SASL_BOOTSTRAP, FERRY_TEST_MTLS_BOOTSTRAP, FERRY_TEST_TLS_DIR), with librdkafka
 * directly: this proves the services, not ferry.
 *
 * Over SASL_SSL (SCRAM-SHA-512, the CA as PEM) as User:ferry and over mTLS (the client's PEM
 * certificate and encrypted key) as User:ferry-client: after the ACLs are granted through the
 * plain listener, N records go in and come back out through a consumer group. A wrong SCRAM
 * password fails with an authentication error, and a topic the principal may describe but not
 * read is refused with an authorization error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "kafka_tool.h"
#include "service_env.h"

#define N_MESSAGES 200
/* How long a secured client may take to show the error the test expects. */
#define ERROR_WAIT_MS 15000

typedef enum secured_listener {
    LISTENER_SASL_SSL,
    LISTENER_MTLS,
} secured_listener;

/* What the clients' callbacks saw. */
typedef struct client_seen {
    int delivered;
    int delivery_failed;
    rd_kafka_resp_err_t first_error; /* from the error callback */
    char first_error_text[512];
} client_seen;

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    client_seen *seen = opaque;
    if (seen->first_error == RD_KAFKA_RESP_ERR_NO_ERROR) {
        seen->first_error = (rd_kafka_resp_err_t)err;
        snprintf(seen->first_error_text, sizeof seen->first_error_text, "%s", reason);
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque)
{
    (void)rk;
    client_seen *seen = opaque;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        seen->delivered++;
    else
        seen->delivery_failed++;
}

/* A client config on a secured listener (password: the SCRAM password for SASL_SSL), whose
 * callbacks fill seen. */
static rd_kafka_conf_t *secured_conf(secured_listener listener, const char *password,
                                     client_seen *seen)
{
    char path[4096];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_non_null(conf);
    kt_conf_set(conf, "log_level", "2");
    kt_conf_set(conf, "ssl.ca.location", service_env_tls_path(path, sizeof path, "ca.pem"));
    if (listener == LISTENER_SASL_SSL) {
        kt_conf_set(conf, "bootstrap.servers", service_env_sasl_bootstrap());
        kt_conf_set(conf, "security.protocol", "SASL_SSL");
        kt_conf_set(conf, "sasl.mechanisms", "SCRAM-SHA-512");
        kt_conf_set(conf, "sasl.username", "ferry");
        kt_conf_set(conf, "sasl.password", password);
    } else {
        char *key_password = service_env_tls_read_line("keystore.password");
        kt_conf_set(conf, "bootstrap.servers", service_env_mtls_bootstrap());
        kt_conf_set(conf, "security.protocol", "SSL");
        kt_conf_set(conf, "ssl.certificate.location",
                    service_env_tls_path(path, sizeof path, "client.pem"));
        kt_conf_set(conf, "ssl.key.location", service_env_tls_path(path, sizeof path, "client.key"));
        kt_conf_set(conf, "ssl.key.password", key_password);
        free(key_password);
    }
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, seen);
    return conf;
}

static rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk)
        fail_msg("secured client: %s", err);
    return rk;
}

static void produce_all(secured_listener listener, const char *password, const char *topic)
{
    client_seen seen = {0};
    rd_kafka_conf_t *conf = secured_conf(listener, password, &seen);
    kt_conf_set(conf, "acks", "all");
    kt_conf_set(conf, "message.timeout.ms", "30000");
    rd_kafka_t *producer = client_new(RD_KAFKA_PRODUCER, conf);
    for (int i = 0; i < N_MESSAGES; i++) {
        char key[32], value[192];
        snprintf(key, sizeof key, "key-%05d", i);
        snprintf(value, sizeof value, "value-%05d-of-%s", i, topic);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE(value, strlen(value)),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
            fail_msg("produce: %s", rd_kafka_err2str(e));
    }
    rd_kafka_resp_err_t flushed = rd_kafka_flush(producer, KT_TIMEOUT_MS);
    rd_kafka_destroy(producer);
    assert_int_equal(flushed, RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(seen.delivery_failed, 0);
    assert_int_equal(seen.delivered, N_MESSAGES);
}

static rd_kafka_t *consumer_subscribed(secured_listener listener, const char *password,
                                       const char *topic, const char *group, client_seen *seen)
{
    rd_kafka_conf_t *conf = secured_conf(listener, password, seen);
    kt_conf_set(conf, "group.id", group);
    kt_conf_set(conf, "auto.offset.reset", "earliest");
    kt_conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(rk, subs), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(subs);
    return rk;
}

static void consume_all(secured_listener listener, const char *password, const char *topic,
                        const char *group)
{
    client_seen seen = {0};
    rd_kafka_t *rk = consumer_subscribed(listener, password, topic, group, &seen);
    int next = 0;
    int64_t deadline = service_env_now_ms() + KT_TIMEOUT_MS;
    while (next < N_MESSAGES && service_env_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m)
            continue;
        kt_message_check(m);
        char key[32], value[192];
        snprintf(key, sizeof key, "key-%05d", next);
        snprintf(value, sizeof value, "value-%05d-of-%s", next, topic);
        assert_int_equal(m->offset, next);
        assert_int_equal(m->key_len, strlen(key));
        assert_memory_equal(m->key, key, m->key_len);
        assert_int_equal(m->len, strlen(value));
        assert_memory_equal(m->payload, value, m->len);
        rd_kafka_message_destroy(m);
        next++;
    }
    assert_int_equal(next, N_MESSAGES);
    assert_int_equal(rd_kafka_commit(rk, NULL, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_consumer_close(rk), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
    if (seen.first_error != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("consumer error: %s", seen.first_error_text);
}

/* The ACLs a producer and a consumer group need on a topic: grant or delete them. */
static void topic_acls(bool grant, const char *principal, const char *topic, const char *group)
{
    static const rd_kafka_AclOperation_t topic_ops[] = {
        RD_KAFKA_ACL_OPERATION_DESCRIBE, RD_KAFKA_ACL_OPERATION_WRITE, RD_KAFKA_ACL_OPERATION_READ};
    void (*change)(const char *, rd_kafka_ResourceType_t, const char *,
                   rd_kafka_ResourcePatternType_t, rd_kafka_AclOperation_t) =
        grant ? kt_acl_grant : kt_acl_delete;
    for (size_t i = 0; i < sizeof topic_ops / sizeof topic_ops[0]; i++)
        change(principal, RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
               topic_ops[i]);
    /* The group by a prefix: the name is its own prefix. */
    change(principal, RD_KAFKA_RESOURCE_GROUP, group, RD_KAFKA_RESOURCE_PATTERN_PREFIXED,
           RD_KAFKA_ACL_OPERATION_READ);
}

static void roundtrip(secured_listener listener, const char *principal, const char *password)
{
    char topic[128], group[128];
    service_env_unique_name(topic, sizeof topic, "ferry_secured");
    service_env_unique_name(group, sizeof group, "ferry_secured_group");
    kt_create_topic(topic, 1, NULL);
    topic_acls(true, principal, topic, group);
    produce_all(listener, password, topic);
    consume_all(listener, password, topic, group);
    assert_int_equal(kt_group_committed(group, topic, 0), N_MESSAGES);
    topic_acls(false, principal, topic, group);
    const char *const topics[] = {topic};
    kt_delete_topics(topics, 1);
}

static void test_sasl_ssl_roundtrip(void **state)
{
    (void)state;
    char *password = kt_scram_password("ferry");
    roundtrip(LISTENER_SASL_SSL, "User:ferry", password);
    free(password);
}

static void test_mtls_roundtrip(void **state)
{
    (void)state;
    roundtrip(LISTENER_MTLS, "User:ferry-client", NULL);
}

static void test_wrong_scram_password(void **state)
{
    (void)state;
    char *password = kt_scram_password("ferry");
    size_t len = strlen(password);
    char *wrong = malloc(len + 2);
    assert_non_null(wrong);
    snprintf(wrong, len + 2, "%sx", password);
    free(password);

    client_seen seen = {0};
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, secured_conf(LISTENER_SASL_SSL, wrong, &seen));
    free(wrong);
    int64_t deadline = service_env_now_ms() + ERROR_WAIT_MS;
    while (seen.first_error == RD_KAFKA_RESP_ERR_NO_ERROR && service_env_now_ms() < deadline)
        rd_kafka_poll(rk, 200);
    rd_kafka_destroy(rk);
    if (seen.first_error != RD_KAFKA_RESP_ERR__AUTHENTICATION)
        fail_msg("expected an authentication error, got %s: %s",
                 rd_kafka_err2name(seen.first_error), seen.first_error_text);
    assert_non_null(strstr(seen.first_error_text, "SCRAM-SHA-512"));
}

/* Describe on the topic and Read on the group, but no Read on the topic: the fetch is refused. */
static void test_topic_without_read_acl(void **state)
{
    (void)state;
    char topic[128], group[128];
    service_env_unique_name(topic, sizeof topic, "ferry_secured_noread");
    service_env_unique_name(group, sizeof group, "ferry_secured_noread_group");
    kt_create_topic(topic, 1, NULL);
    rd_kafka_t *producer = kt_producer_new(NULL);
    kt_produce(producer, topic, 0, "k", 1, "v", 1, NULL, NULL);
    kt_producer_close(producer);
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_DESCRIBE);
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_GROUP, group, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_READ);

    char *password = kt_scram_password("ferry");
    client_seen seen = {0};
    rd_kafka_t *rk = consumer_subscribed(LISTENER_SASL_SSL, password, topic, group, &seen);
    free(password);
    rd_kafka_resp_err_t refused = RD_KAFKA_RESP_ERR_NO_ERROR;
    int records = 0;
    int64_t deadline = service_env_now_ms() + ERROR_WAIT_MS;
    while (refused == RD_KAFKA_RESP_ERR_NO_ERROR && service_env_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            records++;
        else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            refused = m->err;
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);

    kt_acl_delete("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                  RD_KAFKA_ACL_OPERATION_DESCRIBE);
    kt_acl_delete("User:ferry", RD_KAFKA_RESOURCE_GROUP, group, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                  RD_KAFKA_ACL_OPERATION_READ);
    const char *const topics[] = {topic};
    kt_delete_topics(topics, 1);

    assert_int_equal(records, 0);
    if (refused != RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        fail_msg("expected TOPIC_AUTHORIZATION_FAILED, got %s (error callback: %s)",
                 rd_kafka_err2name(refused), seen.first_error_text);
}

int main(void)
{
    kt_init();
    service_env_sasl_bootstrap();
    service_env_mtls_bootstrap();
    service_env_tls_dir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sasl_ssl_roundtrip),
        cmocka_unit_test(test_mtls_roundtrip),
        cmocka_unit_test(test_wrong_scram_password),
        cmocka_unit_test(test_topic_without_read_acl),
    };
    return cmocka_run_group_tests_name("smoke_kafka_secured", tests, NULL, NULL);
}
