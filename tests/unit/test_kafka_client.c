/*
 * test_kafka_client.c - the classification of librdkafka's errors (fatal: authentication, TLS,
 * authorization, a task client without the prefixed security settings of a secured cluster;
 * transient: a broker down or restarting), the messages users read (librdkafka's setting names
 * replaced by the keys the user wrote, with their prefix), the origins kafka_config_build hands
 * out, the log levels, and a real client's lines in ferry's format with its scope and name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "base/log.h"
#include "config/properties.h"
#include "kafka/kafka_client.h"
#include "support/clock.h"

#include "keystore_fixture.h"

#define SCRAM "org.apache.kafka.common.security.scram.ScramLoginModule"

static config_map *map_from(const char *text)
{
    char err[256];
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(properties_parse(text, strlen(text), map, err, sizeof(err)), 0);
    return map;
}

static worker_config *worker_from(const char *text)
{
    config_map *raw = map_from(text);
    config_errors *errors = config_errors_new();
    worker_config *worker = worker_config_load(raw, NULL, errors, NULL);
    assert_int_equal(config_errors_count(errors), 0);
    assert_non_null(worker);
    config_errors_destroy(errors);
    config_map_destroy(raw);
    return worker;
}

static kafka_error_class explain(const kafka_client_facts *facts, rd_kafka_resp_err_t code,
                                 const char *reason, const char *topic, char *out, size_t len)
{
    kafka_error_class kind = kafka_client_explain(facts, code, reason, topic, out, len);
    printf("# %s: %s\n", kind == KAFKA_ERROR_FATAL ? "fatal" : "transient", out);
    return kind;
}

static void test_sasl_authentication_names_the_users_key(void **state)
{
    (void)state;
    char out[1024];
    config_map *origins = map_from("sasl.username=producer.override.sasl.jaas.config\n"
                                   "sasl.password=producer.override.sasl.jaas.config\n"
                                   "security.protocol=producer.security.protocol\n");
    kafka_client_facts facts = {.name = "orders-0 producer", .role = KAFKA_CLIENT_PRODUCER,
                                .task_client = true, .origins = origins,
                                .security_protocol = "SASL_SSL", .worker_protocol = "SASL_SSL",
                                .sasl_mechanism = "SCRAM-SHA-512", .sasl_username = "ferry"};
    assert_int_equal(
        explain(&facts, RD_KAFKA_RESP_ERR__AUTHENTICATION,
                "sasl_ssl://127.0.0.1:19094/bootstrap: SASL authentication error: "
                "Authentication failed during authentication due to invalid credentials with "
                "SASL mechanism SCRAM-SHA-512 (after 304ms in state AUTH_REQ)",
                NULL, out, sizeof(out)),
        KAFKA_ERROR_FATAL);
    assert_string_equal(out, "SASL authentication failed for user ferry (SCRAM-SHA-512) at "
                             "127.0.0.1:19094: Authentication failed during authentication due "
                             "to invalid credentials with SASL mechanism SCRAM-SHA-512 "
                             "(producer.override.sasl.jaas.config)");

    /* The worker's own client, the key unprefixed. */
    kafka_client_facts worker = {.name = "worker admin", .role = KAFKA_CLIENT_ADMIN,
                                 .security_protocol = "SASL_SSL",
                                 .sasl_mechanism = "SCRAM-SHA-512", .sasl_username = "ferry"};
    explain(&worker, RD_KAFKA_RESP_ERR__AUTHENTICATION,
            "sasl_ssl://127.0.0.1:19094/bootstrap: SASL authentication error: failed", NULL,
            out, sizeof(out));
    assert_non_null(strstr(out, "(sasl.jaas.config)"));

    /* No token from the OAuth endpoint: its own message, which names the endpoint's key. */
    kafka_client_facts oauth = {.name = "worker admin", .role = KAFKA_CLIENT_ADMIN,
                                .security_protocol = "SASL_SSL", .sasl_mechanism = "OAUTHBEARER"};
    assert_int_equal(explain(&oauth, RD_KAFKA_RESP_ERR__AUTHENTICATION,
                             "Failed to acquire SASL OAUTHBEARER token: cannot get an "
                             "OAUTHBEARER token from https://idp/token "
                             "(sasl.oauthbearer.token.endpoint.url): HTTP 401: invalid_client",
                             NULL, out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_string_equal(out, "SASL OAUTHBEARER authentication failed: cannot get an OAUTHBEARER "
                             "token from https://idp/token (sasl.oauthbearer.token.endpoint.url): "
                             "HTTP 401: invalid_client");

    /* A mechanism the broker does not offer names sasl.mechanism. */
    assert_int_equal(explain(&worker, RD_KAFKA_RESP_ERR__AUTHENTICATION,
                             "sasl_ssl://127.0.0.1:19094/bootstrap: Unsupported SASL mechanism: "
                             "broker's supported mechanisms: PLAIN",
                             NULL, out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "SASL mechanism SCRAM-SHA-512 is not enabled"));
    assert_non_null(strstr(out, "(sasl.mechanism)"));
    config_map_destroy(origins);
}

static void test_tls_errors_name_the_store(void **state)
{
    (void)state;
    char out[1024];
    config_map *origins = map_from("ssl.ca.location=ssl.truststore.location\n"
                                   "ssl.truststore.location=ssl.truststore.location\n");
    kafka_client_facts facts = {.name = "worker admin", .role = KAFKA_CLIENT_ADMIN,
                                .origins = origins, .security_protocol = "SSL"};
    assert_int_equal(
        explain(&facts, RD_KAFKA_RESP_ERR__SSL,
                "ssl://127.0.0.1:19094/bootstrap: SSL handshake failed: error:0A000086:SSL "
                "routines::certificate verify failed: broker certificate could not be verified, "
                "verify that ssl.ca.location is correctly configured or root CA certificates "
                "are installed (install ca-certificates package) (after 5ms in state "
                "SSL_HANDSHAKE)",
                NULL, out, sizeof(out)),
        KAFKA_ERROR_FATAL);
    assert_string_equal(out, "TLS handshake with 127.0.0.1:19094 failed: certificate verify "
                             "failed: broker certificate could not be verified, verify that "
                             "ssl.truststore.location is correctly configured or root CA "
                             "certificates are installed (install ca-certificates package) "
                             "(ssl.truststore.location)");

    /* TLS 1.3 tells a client without a certificate after the handshake, on a read. */
    assert_int_equal(explain(&facts, RD_KAFKA_RESP_ERR__TRANSPORT,
                             "ssl://127.0.0.1:19095/bootstrap: SSL transport error: "
                             "error:0A00045C:SSL routines::tlsv13 alert certificate required "
                             "(after 3ms in state UP)",
                             NULL, out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_string_equal(out, "TLS handshake with 127.0.0.1:19095 failed: tlsv13 alert "
                             "certificate required (ssl.keystore.location)");

    /* A task's consumer without its own truststore: the key it lacks, with its prefix. */
    kafka_client_facts task = {.name = "sink-0 consumer", .role = KAFKA_CLIENT_CONSUMER,
                               .task_client = true, .security_protocol = "SSL",
                               .worker_protocol = "SSL"};
    explain(&task, RD_KAFKA_RESP_ERR__SSL,
            "ssl://b:9093/1: SSL handshake failed: certificate verify failed", NULL, out,
            sizeof(out));
    assert_non_null(strstr(out, "(consumer.ssl.truststore.location)"));
    config_map_destroy(origins);
}

static void test_authorization(void **state)
{
    (void)state;
    char out[1024];
    kafka_client_facts consumer = {.name = "sink-0 consumer", .role = KAFKA_CLIENT_CONSUMER,
                                   .task_client = true, .sasl_username = "ferry",
                                   .group_id = "connect-sink"};
    assert_int_equal(explain(&consumer, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                             "Subscribed topic not available: orders: Broker: Topic "
                             "authorization failed",
                             "orders", out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "not authorized to read topic orders (consumer principal "
                                "User:ferry needs Read and Describe ACLs)"));
    assert_int_equal(explain(&consumer, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
                             "JoinGroup failed: Broker: Group authorization failed", NULL, out,
                             sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "not authorized to use consumer group connect-sink"));

    kafka_client_facts producer = {.name = "src-0 producer", .role = KAFKA_CLIENT_PRODUCER,
                                   .task_client = true};
    assert_int_equal(explain(&producer, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                             "Broker: Topic authorization failed", "lines", out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "not authorized to write to topic lines (producer principal "
                                "needs Write and Describe ACLs)"));
    assert_int_equal(explain(&producer, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
                             "Broker: Cluster authorization failed", NULL, out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "IdempotentWrite"));

    /* A missing topic: a producer's record fails for good, a consumer waits for it. */
    assert_int_equal(explain(&producer, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
                             "Local: Unknown topic", "lines", out, sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "topic lines does not exist"));
    assert_int_equal(explain(&consumer, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                             "Subscribed topic not available: orders: Broker: Unknown topic or "
                             "partition",
                             "orders", out, sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
}

static void test_transient_errors_stay_retried(void **state)
{
    (void)state;
    char out[1024];
    kafka_client_facts facts = {.name = "config topic producer", .role = KAFKA_CLIENT_PRODUCER,
                                .security_protocol = "SASL_SSL", .worker_protocol = "SASL_SSL"};
    assert_int_equal(explain(&facts, RD_KAFKA_RESP_ERR__TRANSPORT,
                             "sasl_ssl://127.0.0.1:19094/1: Connect to ipv4#127.0.0.1:19094 "
                             "failed: Connection refused (after 0ms in state CONNECT)",
                             NULL, out, sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
    assert_string_equal(out, "127.0.0.1:19094: Connect to ipv4#127.0.0.1:19094 failed: "
                             "Connection refused");
    assert_int_equal(explain(&facts, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
                             "1/1 brokers are down", NULL, out, sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
    assert_int_equal(explain(&facts, RD_KAFKA_RESP_ERR__TRANSPORT,
                             "sasl_ssl://127.0.0.1:19094/1: Disconnected (after 12000ms in "
                             "state UP)",
                             NULL, out, sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
}

static void test_task_client_without_prefixed_security(void **state)
{
    (void)state;
    char out[1500];
    const char *reason = "127.0.0.1:19094/bootstrap: Disconnected while requesting ApiVersion: "
                         "might be caused by incorrect security.protocol configuration "
                         "(connecting to a SSL listener?) or broker version is < 0.10 (see "
                         "api.version.request) (after 2ms in state APIVERSION_QUERY)";
    kafka_client_facts task = {.name = "src-0 producer", .role = KAFKA_CLIENT_PRODUCER,
                               .task_client = true, .bootstrap = "127.0.0.1:19094",
                               .worker_protocol = "SASL_SSL"};
    assert_int_equal(explain(&task, RD_KAFKA_RESP_ERR__TRANSPORT, reason, NULL, out,
                             sizeof(out)),
                     KAFKA_ERROR_FATAL);
    assert_non_null(strstr(out, "security.protocol=PLAINTEXT"));
    assert_non_null(strstr(out, "the worker's top-level security settings"));
    assert_non_null(strstr(out, "'producer.' prefix"));
    assert_non_null(strstr(out, "'producer.override.'"));
    /* The transport error before it decides, not "all brokers down", which a broker that is
     * down says too; nor does a refused connection say anything about the settings. */
    assert_int_equal(explain(&task, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
                             "1/1 brokers are down", NULL, out, sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
    assert_int_equal(explain(&task, RD_KAFKA_RESP_ERR__TRANSPORT,
                             "127.0.0.1:19094/bootstrap: Connect to ipv4#127.0.0.1:19094 "
                             "failed: Connection refused",
                             NULL, out, sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
    /* Nor does it for the worker's own clients, nor on a plaintext cluster. */
    kafka_client_facts worker = task;
    worker.task_client = false;
    assert_int_equal(explain(&worker, RD_KAFKA_RESP_ERR__TRANSPORT, reason, NULL, out,
                             sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
    kafka_client_facts plain = task;
    plain.worker_protocol = NULL;
    assert_int_equal(explain(&plain, RD_KAFKA_RESP_ERR__TRANSPORT, reason, NULL, out,
                             sizeof(out)),
                     KAFKA_ERROR_TRANSIENT);
    /* A consumer is told about consumer. keys. */
    kafka_client_facts consumer = task;
    consumer.role = KAFKA_CLIENT_CONSUMER;
    explain(&consumer, RD_KAFKA_RESP_ERR__TRANSPORT, reason, NULL, out, sizeof(out));
    assert_non_null(strstr(out, "'consumer.' prefix"));
}

static void test_rewrite_and_levels(void **state)
{
    (void)state;
    char out[512];
    config_map *origins = map_from("sasl.mechanisms=consumer.override.sasl.mechanism\n");
    kafka_client_facts facts = {.role = KAFKA_CLIENT_CONSUMER, .task_client = true,
                                .origins = origins};
    kafka_client_rewrite(&facts, "check sasl.mechanisms and ssl.ca.location, not "
                                 "xssl.ca.location or ssl.ca.locations",
                         out, sizeof(out));
    assert_string_equal(out, "check consumer.override.sasl.mechanism and "
                             "consumer.ssl.truststore.location, not xssl.ca.location or "
                             "ssl.ca.locations");
    /* A short buffer ends the text, never overflows. */
    char tiny[8];
    kafka_client_rewrite(&facts, "ssl.ca.location", tiny, sizeof(tiny));
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    config_map_destroy(origins);

    assert_int_equal(kafka_client_log_level(LOG_ERR), FERRY_LOG_ERROR);
    assert_int_equal(kafka_client_log_level(LOG_CRIT), FERRY_LOG_ERROR);
    assert_int_equal(kafka_client_log_level(LOG_WARNING), FERRY_LOG_WARN);
    assert_int_equal(kafka_client_log_level(LOG_NOTICE), FERRY_LOG_INFO);
    assert_int_equal(kafka_client_log_level(LOG_INFO), FERRY_LOG_INFO);
    assert_int_equal(kafka_client_log_level(LOG_DEBUG), FERRY_LOG_DEBUG);
}

static void test_origins_name_the_users_keys(void **state)
{
    (void)state;
    char err[512];
    config_map *origins = NULL;
    char text[1024];
    snprintf(text, sizeof(text),
             "bootstrap.servers=k:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
             "sasl.jaas.config=" SCRAM " required username=\"w\" password=\"worker-secret\";\n"
             "ssl.truststore.type=PEM\nssl.truststore.location=%s\n"
             "producer.security.protocol=SASL_SSL\n",
             keystore_fixture("ca.pem"));
    worker_config *worker = worker_from(text);
    config_map *connector = map_from("producer.override.sasl.jaas.config=" SCRAM
                                     " required username=\"c\" password=\"task-secret\";\n");

    rd_kafka_conf_t *conf = kafka_config_build_origins(worker, KAFKA_CLIENT_ADMIN, NULL, "a",
                                                       NULL, &origins, err, sizeof(err));
    assert_non_null(conf);
    assert_string_equal(config_map_get(origins, "sasl.username"), "sasl.jaas.config");
    assert_string_equal(config_map_get(origins, "sasl.password"), "sasl.jaas.config");
    assert_string_equal(config_map_get(origins, "sasl.mechanisms"), "sasl.mechanism");
    /* The store is read by ferry and handed to librdkafka as PEM text. */
    assert_string_equal(config_map_get(origins, "ssl.ca.pem"), "ssl.truststore.location");
    assert_string_equal(config_map_get(origins, "ssl.truststore.location"),
                        "ssl.truststore.location");
    /* Origins are keys, never values. */
    for (size_t i = 0; i < config_map_count(origins); i++)
        assert_null(strstr(config_map_value_at(origins, i), "secret"));
    rd_kafka_conf_destroy(conf);
    config_map_destroy(origins);

    conf = kafka_config_build_origins(worker, KAFKA_CLIENT_PRODUCER, connector, "p", NULL,
                                      &origins, err, sizeof(err));
    assert_non_null(conf);
    assert_string_equal(config_map_get(origins, "sasl.username"),
                        "producer.override.sasl.jaas.config");
    assert_string_equal(config_map_get(origins, "security.protocol"),
                        "producer.security.protocol");
    assert_null(config_map_get(origins, "ssl.ca.pem")); /* top level: not a task's */
    rd_kafka_conf_destroy(conf);
    config_map_destroy(origins);

    /* The plain kafka_config_build records nothing, and a refusal hands out no map. */
    config_map *bad = map_from("producer.override.acks=sometimes\n");
    assert_null(kafka_config_build_origins(worker, KAFKA_CLIENT_PRODUCER, bad, "p", NULL,
                                           &origins, err, sizeof(err)));
    assert_null(origins);
    config_map_destroy(bad);
    config_map_destroy(connector);
    worker_config_destroy(worker);
}

static char *conf_value(rd_kafka_conf_t *conf, const char *key)
{
    static char value[64];
    size_t size = sizeof(value);
    assert_int_equal(rd_kafka_conf_get(conf, key, value, &size), RD_KAFKA_CONF_OK);
    return value;
}

/* A kind of client's defaults hold unless the worker's or the connector's keys set them, in
 * either spelling (linger.ms is librdkafka's alias of queue.buffering.max.ms and Java's name). */
static void test_defaults_yield_to_the_users_keys(void **state)
{
    (void)state;
    char err[512];
    config_map *origins = NULL;
    static const char *const defaults[] = {"linger.ms", "100", "batch.num.messages", "77", NULL};
    worker_config *worker = worker_from("bootstrap.servers=127.0.0.1:1\n");
    config_map *connector = map_from("name=c\n");

    rd_kafka_conf_t *conf = kafka_config_build_origins(worker, KAFKA_CLIENT_PRODUCER, connector,
                                                       "p", defaults, &origins, err,
                                                       sizeof(err));
    assert_non_null(conf);
    assert_string_equal(conf_value(conf, "linger.ms"), "100");
    assert_string_equal(conf_value(conf, "batch.num.messages"), "77");
    rd_kafka_conf_destroy(conf);
    config_map_destroy(origins);

    worker_config *tuned = worker_from("bootstrap.servers=127.0.0.1:1\n"
                                       "producer.queue.buffering.max.ms=7\n");
    config_map *overriding = map_from("name=c\nproducer.override.batch.num.messages=9\n");
    conf = kafka_config_build_origins(tuned, KAFKA_CLIENT_PRODUCER, overriding, "p", defaults,
                                      &origins, err, sizeof(err));
    assert_non_null(conf);
    assert_string_equal(conf_value(conf, "linger.ms"), "7");
    assert_string_equal(conf_value(conf, "batch.num.messages"), "9");
    assert_string_equal(config_map_get(origins, "batch.num.messages"),
                        "producer.override.batch.num.messages");
    rd_kafka_conf_destroy(conf);
    config_map_destroy(origins);

    /* Without defaults, librdkafka's own. */
    conf = kafka_config_build_origins(worker, KAFKA_CLIENT_PRODUCER, connector, "p", NULL,
                                      &origins, err, sizeof(err));
    assert_non_null(conf);
    assert_string_equal(conf_value(conf, "linger.ms"), "5");
    rd_kafka_conf_destroy(conf);
    config_map_destroy(origins);
    config_map_destroy(overriding);
    config_map_destroy(connector);
    worker_config_destroy(tuned);
    worker_config_destroy(worker);
}

/* A real client: its lines in ferry's format under the owner's scope and name, no raw
 * librdkafka line, and a start that gives up on an unreachable broker within its bound. */
static void test_client_lines_and_unreachable_broker(void **state)
{
    (void)state;
    char err[1024];
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    assert_non_null(stream);
    log_configure(stream, FERRY_LOG_INFO);

    worker_config *worker = worker_from("bootstrap.servers=127.0.0.1:1\n");
    kafka_client_spec spec = {.scope = "worker", .name = "worker admin",
                              .role = KAFKA_CLIENT_ADMIN, .worker = worker};
    rd_kafka_conf_t *conf = kafka_client_config(worker, KAFKA_CLIENT_ADMIN, NULL, "t", &spec,
                                                err, sizeof(err));
    assert_non_null(conf);
    rd_kafka_t *client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(client);
    int64_t started = clock_monotonic_ms();
    assert_int_equal(kafka_client_wait_reachable(client, 1500, err, sizeof(err)), -1);
    int64_t took = clock_monotonic_ms() - started;
    printf("# %s (%lld ms)\n", err, (long long)took);
    assert_true(took < 4000);
    assert_non_null(strstr(err, "no broker reachable at 127.0.0.1:1 within 1 s: "));
    assert_false(kafka_client_failed(client, NULL, 0)); /* a refused connection is transient */
    rd_kafka_destroy(client);

    /* A config never made into a client forgets its watch (ASan checks the leak). */
    conf = kafka_client_config(worker, KAFKA_CLIENT_ADMIN, NULL, "t", &spec, err, sizeof(err));
    assert_non_null(conf);
    rd_kafka_conf_destroy(conf);

    fflush(stream);
    log_configure(stderr, FERRY_LOG_INFO);
    fclose(stream);
    printf("%s", text);
    assert_non_null(strstr(text, "[worker] worker admin: 127.0.0.1:1: Connect to"));
    assert_null(strstr(text, "%3|"));
    assert_null(strstr(text, "%4|"));
    free(text);
    worker_config_destroy(worker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sasl_authentication_names_the_users_key),
        cmocka_unit_test(test_tls_errors_name_the_store),
        cmocka_unit_test(test_authorization),
        cmocka_unit_test(test_transient_errors_stay_retried),
        cmocka_unit_test(test_task_client_without_prefixed_security),
        cmocka_unit_test(test_rewrite_and_levels),
        cmocka_unit_test(test_origins_name_the_users_keys),
        cmocka_unit_test(test_defaults_yield_to_the_users_keys),
        cmocka_unit_test(test_client_lines_and_unreachable_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
