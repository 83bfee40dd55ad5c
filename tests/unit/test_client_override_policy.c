/*
 * test_client_override_policy.c - connector.client.config.override.policy: the names and Kafka
 * Connect class names a worker accepts, what None, Principal and All allow, which clients'
 * overrides a source or a sink is checked for, Kafka Connect's message on the prefixed key, and
 * the worker key's default and refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/client_override_policy.h"
#include "config/properties.h"
#include "config/worker_config.h"

static config_map *map_from(const char *text)
{
    char err[256];
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(properties_parse(text, strlen(text), map, err, sizeof(err)), 0);
    return map;
}

static void test_names(void **state)
{
    (void)state;
    client_override_policy policy = CLIENT_OVERRIDE_ALL;
    assert_int_equal(client_override_policy_parse("None", &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_NONE);
    assert_int_equal(client_override_policy_parse("Principal", &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_PRINCIPAL);
    assert_int_equal(client_override_policy_parse("All", &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_ALL);
    assert_int_equal(client_override_policy_parse(
                         "org.apache.kafka.connect.connector.policy."
                         "NoneConnectorClientConfigOverridePolicy", &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_NONE);
    assert_int_equal(client_override_policy_parse(
                         "org.apache.kafka.connect.connector.policy."
                         "PrincipalConnectorClientConfigOverridePolicy", &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_PRINCIPAL);
    assert_int_equal(client_override_policy_parse(
                         "org.apache.kafka.connect.connector.policy."
                         "AllConnectorClientConfigOverridePolicy", &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_ALL);
    assert_int_equal(client_override_policy_parse("NoneConnectorClientConfigOverridePolicy",
                                                  &policy), 0);
    assert_int_equal(policy, CLIENT_OVERRIDE_NONE);
    assert_int_equal(client_override_policy_parse("none", &policy), -1);
    assert_int_equal(client_override_policy_parse("Nonesuch", &policy), -1);
    assert_int_equal(client_override_policy_parse("org.apache.kafka.connect.connector.policy."
                                                  "None", &policy), -1);
    assert_int_equal(client_override_policy_parse("", &policy), -1);
    assert_string_equal(client_override_policy_name(CLIENT_OVERRIDE_PRINCIPAL), "Principal");
}

static void test_allows(void **state)
{
    (void)state;
    assert_true(client_override_policy_allows(CLIENT_OVERRIDE_ALL, "acks"));
    assert_false(client_override_policy_allows(CLIENT_OVERRIDE_NONE, "sasl.jaas.config"));
    assert_true(client_override_policy_allows(CLIENT_OVERRIDE_PRINCIPAL, "sasl.jaas.config"));
    assert_true(client_override_policy_allows(CLIENT_OVERRIDE_PRINCIPAL, "sasl.mechanism"));
    assert_true(client_override_policy_allows(CLIENT_OVERRIDE_PRINCIPAL, "security.protocol"));
    assert_false(client_override_policy_allows(CLIENT_OVERRIDE_PRINCIPAL, "acks"));
    assert_false(client_override_policy_allows(CLIENT_OVERRIDE_PRINCIPAL,
                                               "ssl.truststore.location"));
}

static void test_source(void **state)
{
    (void)state;
    config_map *config = map_from("producer.override.acks=1\n"
                                  "producer.override.sasl.mechanism=PLAIN\n"
                                  "consumer.override.max.poll.records=10\n"
                                  "admin.override.request.timeout.ms=5\n");
    config_errors *errors = config_errors_new();
    /* A source's producer only: no topic.creation.* key, so no admin client. */
    assert_int_equal(client_override_policy_check(CLIENT_OVERRIDE_PRINCIPAL, config,
                                                  FERRY_CONNECTOR_SOURCE, errors), 1);
    assert_string_equal(config_errors_key_at(errors, 0), "producer.override.acks");
    assert_string_equal(config_errors_message_at(errors, 0),
                        "The 'Principal' policy does not allow 'acks' to be overridden in the "
                        "connector configuration.");
    config_errors_destroy(errors);

    errors = config_errors_new();
    assert_int_equal(config_map_set(config, "topic.creation.default.partitions", "1"), 0);
    assert_int_equal(client_override_policy_check(CLIENT_OVERRIDE_NONE, config,
                                                  FERRY_CONNECTOR_SOURCE, errors), 3);
    assert_string_equal(config_errors_key_at(errors, 2), "admin.override.request.timeout.ms");
    assert_string_equal(config_errors_message_at(errors, 1),
                        "The 'None' policy does not allow 'sasl.mechanism' to be overridden in "
                        "the connector configuration.");
    assert_int_equal(client_override_policy_check(CLIENT_OVERRIDE_ALL, config,
                                                  FERRY_CONNECTOR_SOURCE, errors), 0);
    config_errors_destroy(errors);
    config_map_destroy(config);
}

static void test_sink(void **state)
{
    (void)state;
    config_map *config = map_from("consumer.override.sasl.jaas.config=x\n"
                                  "consumer.override.max.poll.records=10\n"
                                  "producer.override.acks=1\n");
    config_errors *errors = config_errors_new();
    assert_int_equal(client_override_policy_check(CLIENT_OVERRIDE_PRINCIPAL, config,
                                                  FERRY_CONNECTOR_SINK, errors), 1);
    assert_string_equal(config_errors_key_at(errors, 0), "consumer.override.max.poll.records");
    config_errors_destroy(errors);

    /* A dead letter queue brings the producer and the admin client in. */
    errors = config_errors_new();
    assert_int_equal(config_map_set(config, "errors.deadletterqueue.topic.name", "dlq"), 0);
    assert_int_equal(config_map_set(config, "admin.override.sasl.mechanism", "PLAIN"), 0);
    assert_int_equal(client_override_policy_check(CLIENT_OVERRIDE_NONE, config,
                                                  FERRY_CONNECTOR_SINK, errors), 4);
    assert_string_equal(config_errors_key_at(errors, 0), "producer.override.acks");
    assert_string_equal(config_errors_key_at(errors, 3), "admin.override.sasl.mechanism");
    config_errors_destroy(errors);
    errors = config_errors_new();
    assert_int_equal(config_map_set(config, "errors.deadletterqueue.topic.name", "  "), 0);
    assert_int_equal(client_override_policy_check(CLIENT_OVERRIDE_NONE, config,
                                                  FERRY_CONNECTOR_SINK, errors), 2);
    config_errors_destroy(errors);
    config_map_destroy(config);
}

static void test_worker_key(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    config_map *raw = map_from("group.id=g\n");
    worker_config *config = worker_config_load(raw, NULL, errors, NULL);
    assert_non_null(config);
    assert_int_equal(config->override_policy, CLIENT_OVERRIDE_ALL);
    worker_config_destroy(config);
    config_map_destroy(raw);

    raw = map_from("connector.client.config.override.policy=Principal\n");
    config = worker_config_load(raw, NULL, errors, NULL);
    assert_non_null(config);
    assert_int_equal(config->override_policy, CLIENT_OVERRIDE_PRINCIPAL);
    worker_config_destroy(config);
    config_map_destroy(raw);

    raw = map_from("connector.client.config.override.policy=Strict\n");
    assert_null(worker_config_load(raw, NULL, errors, NULL));
    assert_int_equal(config_errors_count(errors), 1);
    assert_string_equal(config_errors_key_at(errors, 0),
                        "connector.client.config.override.policy");
    assert_non_null(strstr(config_errors_message_at(errors, 0), "Invalid value 'Strict'"));
    config_map_destroy(raw);
    config_errors_destroy(errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_allows),
        cmocka_unit_test(test_source),
        cmocka_unit_test(test_sink),
        cmocka_unit_test(test_worker_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
