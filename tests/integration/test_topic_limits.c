/*
 * test_topic_limits.c - what record a topic takes, asked of the real broker from tests/services/
 * (topic_admin_message_max, record_limit_derive): a topic's own max.message.bytes; the broker's
 * default for a topic without one, and for a topic that does not exist yet; and, on the SASL_SSL
 * listener, a principal without the DescribeConfigs ACL: the producer's limit counts alone, the
 * reason is logged at INFO, and the client is not marked failed (it may still write the topic).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "base/log.h"
#include "kafka/kafka_client.h"
#include "kafka/topic_admin.h"
#include "tasks/record_limit.h"
#include "kafka_tool.h"
#include "service_env.h"

static rd_kafka_t *producer_new(rd_kafka_conf_t *conf)
{
    char err[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!producer)
        fail_msg("rd_kafka_new: %s", err);
    return producer;
}

static void test_topic_own_and_broker_default(void **state)
{
    (void)state;
    char own[128], plain[128], missing[128], why[512] = "";
    service_env_unique_name(own, sizeof own, "ferry_limit_own");
    service_env_unique_name(plain, sizeof plain, "ferry_limit_plain");
    service_env_unique_name(missing, sizeof missing, "ferry_limit_missing");
    kt_create_topic(own, 1, (const char *const[]){"max.message.bytes", "65536", NULL});
    kt_create_topic(plain, 1, NULL);
    rd_kafka_t *producer = producer_new(kt_conf_new());

    int64_t bytes = 0;
    topic_limit_origin origin = TOPIC_LIMIT_KAFKA_DEFAULT;
    assert_int_equal(topic_admin_message_max(producer, own, KT_TIMEOUT_MS, &bytes, &origin, why,
                                             sizeof why),
                     0);
    assert_int_equal(bytes, 65536);
    assert_int_equal(origin, TOPIC_LIMIT_TOPIC);
    assert_int_equal(record_limit_derive(producer, own, "test"), 65536);

    /* A topic without its own: the broker's default, which a topic not created yet gets too. */
    int64_t broker_default = 0;
    assert_int_equal(topic_admin_message_max(producer, plain, KT_TIMEOUT_MS, &broker_default,
                                             &origin, why, sizeof why),
                     0);
    assert_int_equal(origin, TOPIC_LIMIT_TOPIC);
    assert_true(broker_default > 65536);
    assert_int_equal(topic_admin_message_max(producer, missing, KT_TIMEOUT_MS, &bytes, &origin,
                                             why, sizeof why),
                     0);
    assert_int_equal(origin, TOPIC_LIMIT_BROKER);
    assert_int_equal(bytes, broker_default);
    assert_int_equal(kt_partition_count(missing), 0); /* asking did not create it */
    assert_int_equal(record_limit_derive(producer, missing, "test"),
                     record_limit_combine(record_limit_producer_max(producer), broker_default));

    rd_kafka_destroy(producer);
    kt_delete_topics((const char *const[]){own, plain}, 2);
}

static void test_no_describe_configs_acl(void **state)
{
    (void)state;
    char topic[128], why[512] = "", err[512];
    service_env_unique_name(topic, sizeof topic, "ferry_limit_noacl");
    kt_create_topic(topic, 1, (const char *const[]){"max.message.bytes", "65536", NULL});
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_WRITE);
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_DESCRIBE);

    char path[4096];
    char *password = kt_scram_password("ferry");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    kt_conf_set(conf, "bootstrap.servers", service_env_sasl_bootstrap());
    kt_conf_set(conf, "security.protocol", "SASL_SSL");
    kt_conf_set(conf, "sasl.mechanisms", "SCRAM-SHA-512");
    kt_conf_set(conf, "sasl.username", "ferry");
    kt_conf_set(conf, "sasl.password", password);
    kt_conf_set(conf, "ssl.ca.location", service_env_tls_path(path, sizeof path, "ca.pem"));
    free(password);
    /* Watched as a task's producer is, so that a wrongly classified refusal would mark it
     * failed. */
    kafka_client_spec spec = {.scope = "task:limits-0", .name = "limits-0 producer",
                              .role = KAFKA_CLIENT_PRODUCER, .task_client = true};
    if (kafka_client_watch(conf, &spec, NULL, err, sizeof err) != 0)
        fail_msg("kafka_client_watch: %s", err);
    rd_kafka_t *producer = producer_new(conf);

    int64_t bytes = 0;
    topic_limit_origin origin;
    assert_int_equal(topic_admin_message_max(producer, topic, KT_TIMEOUT_MS, &bytes, &origin,
                                             why, sizeof why),
                     -1);
    if (!strstr(why, "no DescribeConfigs ACL on topic"))
        fail_msg("the reason is '%s'", why);

    char *logged = NULL;
    size_t logged_len = 0;
    FILE *stream = open_memstream(&logged, &logged_len);
    assert_non_null(stream);
    log_configure(stream, FERRY_LOG_INFO);
    int64_t limit = record_limit_derive(producer, topic, "task:limits-0");
    log_configure(stderr, FERRY_LOG_INFO);
    fclose(stream);
    assert_int_equal(limit, record_limit_producer_max(producer));
    if (!strstr(logged, "is held to the producer's message.max.bytes") ||
        !strstr(logged, "no DescribeConfigs ACL"))
        fail_msg("logged: %s", logged);
    free(logged);
    assert_false(kafka_client_failed(producer, NULL, 0));

    rd_kafka_destroy(producer);
    kt_acl_delete("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                  RD_KAFKA_ACL_OPERATION_WRITE);
    kt_acl_delete("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                  RD_KAFKA_ACL_OPERATION_DESCRIBE);
    kt_delete_topics((const char *const[]){topic}, 1);
}

int main(void)
{
    kt_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_own_and_broker_default),
        cmocka_unit_test(test_no_describe_configs_acl),
    };
    return cmocka_run_group_tests_name("topic_limits", tests, NULL, NULL);
}
