/*
 * test_kafka_config.c - librdkafka configs built from the worker's and a connector's keys:
 * layering (worker producer.* under a connector's producer.override.*), client.id, Java-only keys
 * skipped with one warning each, refused values naming the key as the user wrote it, and the
 * translation of Java security settings (sasl.jaas.config, truststores and keystores, endpoint
 * identification, sasl.mechanism). Secrets never reach a log line or an error message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/properties.h"
#include "base/log.h"
#include "kafka/kafka_config.h"

#define PLAIN "org.apache.kafka.common.security.plain.PlainLoginModule"
#define SCRAM "org.apache.kafka.common.security.scram.ScramLoginModule"
#define OAUTH "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"

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

/* What the log received while a config was built. */
typedef struct captured_log {
    char *text;
    size_t len;
    FILE *stream;
} captured_log;

static void log_capture_start(captured_log *log)
{
    log->text = NULL;
    log->len = 0;
    log->stream = open_memstream(&log->text, &log->len);
    assert_non_null(log->stream);
    log_configure(log->stream, FERRY_LOG_INFO);
}

static void log_capture_stop(captured_log *log)
{
    fflush(log->stream);
    log_configure(stderr, FERRY_LOG_INFO);
    fclose(log->stream);
    assert_non_null(log->text);
}

static size_t count_lines(const char *text)
{
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    return lines;
}

/* Builds a config for role from worker and connector properties text; NULL with err on refusal. */
static rd_kafka_conf_t *build(const char *worker_text, const char *connector_text,
                              kafka_client_role role, const char *client_id, char *err,
                              size_t errlen)
{
    worker_config *worker = worker_from(worker_text);
    config_map *connector = connector_text ? map_from(connector_text) : NULL;
    rd_kafka_conf_t *conf = kafka_config_build(worker, role, connector, client_id, err, errlen);
    config_map_destroy(connector);
    worker_config_destroy(worker);
    return conf;
}

/* Asserts the value librdkafka reports for key. */
static void assert_conf(rd_kafka_conf_t *conf, const char *key, const char *expected)
{
    char value[1024];
    size_t size = sizeof(value);
    if (rd_kafka_conf_get(conf, key, value, &size) != RD_KAFKA_CONF_OK)
        fail_msg("librdkafka has no value for %s", key);
    assert_string_equal(value, expected);
}

/* Asserts that librdkafka has no value for key (librdkafka answers UNKNOWN for an unset
 * string). */
static void assert_conf_unset(rd_kafka_conf_t *conf, const char *key)
{
    char value[1024];
    size_t size = sizeof(value);
    assert_int_equal(rd_kafka_conf_get(conf, key, value, &size), RD_KAFKA_CONF_UNKNOWN);
}

static void test_layering(void **state)
{
    (void)state;
    char err[512];
    const char *worker_text = "bootstrap.servers=k1:9092, k2:9092\n"
                              "producer.acks=1\n"
                              "producer.linger.ms=7\n"
                              "producer.compression.type=gzip\n"
                              "consumer.fetch.min.bytes=5\n"
                              "consumer.auto.offset.reset=earliest\n"
                              "admin.socket.timeout.ms=12345\n"
                              "admin.listeners=http://127.0.0.1:8084\n";
    const char *connector_text = "producer.override.acks=all\n"
                                 "producer.override.compression.type=zstd\n"
                                 "consumer.override.auto.offset.reset=latest\n";

    rd_kafka_conf_t *conf = build(worker_text, connector_text, KAFKA_CLIENT_PRODUCER,
                                  "connector-producer-orders-0", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "bootstrap.servers", "k1:9092,k2:9092");
    assert_conf(conf, "client.id", "connector-producer-orders-0");
    assert_conf(conf, "acks", "-1");             /* the override wins */
    assert_conf(conf, "compression.type", "zstd");
    assert_conf(conf, "linger.ms", "7");         /* the worker's, not overridden */
    assert_conf(conf, "fetch.min.bytes", "1");   /* consumer keys stay with consumers */
    assert_conf(conf, "socket.timeout.ms", "60000");
    rd_kafka_conf_destroy(conf);

    conf = build(worker_text, connector_text, KAFKA_CLIENT_CONSUMER, "connector-consumer-s-0",
                 err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "fetch.min.bytes", "5");
    assert_conf(conf, "auto.offset.reset", "largest"); /* librdkafka's name for latest */
    assert_conf(conf, "compression.type", "none");     /* producer keys stay with producers */
    assert_conf(conf, "socket.timeout.ms", "60000");
    rd_kafka_conf_destroy(conf);

    /* admin.listeners is the REST admin endpoint, not an admin client setting: no warning. */
    captured_log log;
    log_capture_start(&log);
    conf = build(worker_text, NULL, KAFKA_CLIENT_ADMIN, "ferry-admin", err, sizeof(err));
    log_capture_stop(&log);
    assert_non_null(conf);
    assert_conf(conf, "socket.timeout.ms", "12345");
    assert_conf(conf, "fetch.min.bytes", "1");
    assert_string_equal(log.text, "");
    free(log.text);
    rd_kafka_conf_destroy(conf);
}

static void test_client_id(void **state)
{
    (void)state;
    char err[512];
    /* No id: librdkafka's default. */
    rd_kafka_conf_t *conf = build("", NULL, KAFKA_CLIENT_PRODUCER, NULL, err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "client.id", "rdkafka");
    rd_kafka_conf_destroy(conf);

    /* The runtime's id is a default: the user's own client.id wins, as in Kafka Connect. */
    conf = build("producer.client.id=from-worker\n", NULL, KAFKA_CLIENT_PRODUCER, "default-id",
                 err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "client.id", "from-worker");
    rd_kafka_conf_destroy(conf);
    conf = build("producer.client.id=from-worker\n", "producer.override.client.id=mine\n",
                 KAFKA_CLIENT_PRODUCER, "default-id", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "client.id", "mine");
    rd_kafka_conf_destroy(conf);

    /* Embedded until the cluster is up: no bootstrap.servers yet. */
    conf = build("", NULL, KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf_unset(conf, "bootstrap.servers");
    rd_kafka_conf_destroy(conf);
}

static void test_unknown_java_keys_warned(void **state)
{
    (void)state;
    char err[512];
    captured_log log;
    log_capture_start(&log);
    rd_kafka_conf_t *conf =
        build("producer.key.serializer=org.apache.kafka.common.serialization.StringSerializer\n"
              "producer.basic.auth.user.info=fred:TOPSECRET-USERINFO\n"
              "producer.linger.ms=3\n",
              "producer.override.interceptor.classes=com.example.Interceptor\n",
              KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    assert_non_null(conf);
    assert_conf(conf, "linger.ms", "3");
    assert_int_equal(count_lines(log.text), 3);
    assert_non_null(strstr(log.text, "WARN  [kafka] ignoring producer.key.serializer: librdkafka "
                                     "has no such setting (a Java client setting without effect "
                                     "in ferry)\n"));
    assert_non_null(strstr(log.text, "WARN  [kafka] ignoring producer.basic.auth.user.info: "));
    assert_non_null(strstr(log.text, "WARN  [kafka] ignoring "
                                     "producer.override.interceptor.classes: "));
    assert_null(strstr(log.text, "TOPSECRET"));
    assert_null(strstr(log.text, "StringSerializer"));
    free(log.text);
    rd_kafka_conf_destroy(conf);
}

static void test_invalid_value_names_user_key(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build("producer.acks=1\n", "producer.override.acks=bogus\n",
                                  KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for producer.override.acks: Invalid value for "
                             "configuration property \"request.required.acks\" (value 'bogus')");

    conf = build("producer.batch.size=-5\n", NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for producer.batch.size: Configuration property "
                             "\"batch.size\" value -5 is outside allowed range 1..2147483647");

    conf = build("consumer.enable.auto.commit=sometimes\n", NULL, KAFKA_CLIENT_CONSUMER, "c", err,
                 sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for consumer.enable.auto.commit: Expected bool value "
                             "for \"enable.auto.commit\": true or false (value 'sometimes')");

    /* kafka_config_set, for the settings the runtime fixes: unknown keys are errors there. */
    conf = rd_kafka_conf_new();
    assert_int_equal(kafka_config_set(conf, "enable.idempotence", "true", err, sizeof(err)), 0);
    assert_int_equal(kafka_config_set(conf, "enable.idempotence", "perhaps", err, sizeof(err)),
                     -1);
    assert_string_equal(err, "invalid value for enable.idempotence: Expected bool value for "
                             "\"enable.idempotence\": true or false (value 'perhaps')");
    assert_int_equal(kafka_config_set(conf, "no.such.thing", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "unknown setting no.such.thing: No such configuration property: "
                             "\"no.such.thing\"");
    rd_kafka_conf_destroy(conf);
}

static void test_jaas_plain_and_scram(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build(
        "producer.security.protocol=SASL_SSL\n"
        "producer.sasl.mechanism=PLAIN\n"
        "producer.sasl.jaas.config=" PLAIN " required username=\"alice\" "
        "password=\"al\\\\\"ice\\\\\\\\secret\";\n",
        NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "security.protocol", "sasl_ssl");
    assert_conf(conf, "sasl.mechanisms", "PLAIN");
    assert_conf(conf, "sasl.username", "alice");
    assert_conf(conf, "sasl.password", "al\"ice\\secret");
    rd_kafka_conf_destroy(conf);

    /* SCRAM, over several lines, unquoted and quoted values, a connector override replacing the
     * worker's credentials as a whole. */
    conf = build("consumer.sasl.mechanism=SCRAM-SHA-256\n"
                 "consumer.sasl.jaas.config=" PLAIN " required username=\"alice\" "
                 "password=\"a\";\n",
                 "consumer.override.sasl.mechanism=SCRAM-SHA-512\n"
                 "consumer.override.sasl.jaas.config=" SCRAM " REQUIRED\\n"
                 "    username=bob\\n    password=\"p w=;x\"  ;  \n",
                 KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "sasl.mechanisms", "SCRAM-SHA-512");
    assert_conf(conf, "sasl.username", "bob");
    assert_conf(conf, "sasl.password", "p w=;x");
    rd_kafka_conf_destroy(conf);

    /* The worker's own clients take the top-level security settings, as Kafka Connect's
     * internal clients do; a connector's clients do not. */
    const char *worker_text = "security.protocol=SASL_PLAINTEXT\n"
                              "sasl.mechanism=SCRAM-SHA-256\n"
                              "sasl.jaas.config=" SCRAM " required username=\"connect\" "
                              "password=\"pw\";\n";
    conf = build(worker_text, NULL, KAFKA_CLIENT_ADMIN, "ferry-admin", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "security.protocol", "sasl_plaintext");
    assert_conf(conf, "sasl.username", "connect");
    rd_kafka_conf_destroy(conf);
    conf = build(worker_text, "", KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "security.protocol", "plaintext");
    assert_conf_unset(conf, "sasl.username");
    rd_kafka_conf_destroy(conf);
}

static void test_jaas_other_modules_and_errors(void **state)
{
    (void)state;
    char err[512];
    captured_log log;
    log_capture_start(&log);
    rd_kafka_conf_t *conf =
        build("producer.sasl.jaas.config=" OAUTH " required clientId=\"id\" "
              "clientSecret=\"TOPSECRET-OAUTH\";\n",
              NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    assert_non_null(conf);
    assert_conf_unset(conf, "sasl.username");
    assert_int_equal(count_lines(log.text), 1);
    assert_non_null(strstr(log.text, "WARN  [kafka] ignoring producer.sasl.jaas.config: login "
                                     "module " OAUTH " cannot be translated for librdkafka; "
                                     "configure it with librdkafka's settings instead "
                                     "(sasl.oauthbearer.*, sasl.kerberos.*)\n"));
    assert_null(strstr(log.text, "TOPSECRET"));
    free(log.text);
    rd_kafka_conf_destroy(conf);

    static const struct {
        const char *jaas;
        const char *why;
    } bad[] = {
        {PLAIN " required username=\"u\" password=\"TOPSECRET-1\"",
         "expected ';' at the end of the login module entry"},
        {PLAIN " username=\"u\" password=\"TOPSECRET-2\";",
         "expected a control flag (required, requisite, sufficient or optional) after the login "
         "module " PLAIN},
        {PLAIN " required username=\"u\" password=\"TOPSECRET-3;",
         "unterminated quoted value of option password"},
        {PLAIN " required username=\"u\" password TOPSECRET-4;",
         "expected '=' after option password"},
        {PLAIN " required username=\"u\" password=\"TOPSECRET-5\"; " PLAIN " required;",
         "only one login module may be configured"},
        {PLAIN " required password=\"TOPSECRET-6\";",
         PLAIN " needs the options username and password"},
        {"", "expected a login module class name"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[512];
        char expected[512];
        snprintf(text, sizeof(text), "producer.sasl.jaas.config=%s\n", bad[i].jaas);
        snprintf(expected, sizeof(expected), "invalid value for producer.sasl.jaas.config: %s",
                 bad[i].why);
        log_capture_start(&log);
        conf = build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
        log_capture_stop(&log);
        assert_null(conf);
        assert_string_equal(err, expected);
        assert_null(strstr(err, "TOPSECRET"));
        assert_null(strstr(log.text, "TOPSECRET"));
        free(log.text);
    }
}

static void test_truststore_and_keystore(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build("producer.security.protocol=SSL\n"
                                  "producer.ssl.truststore.type=PEM\n"
                                  "producer.ssl.truststore.location=/etc/ferry/ca.pem\n",
                                  NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.ca.location", "/etc/ferry/ca.pem");
    rd_kafka_conf_destroy(conf);

    /* The type may come from the worker and the location from the connector. */
    conf = build("consumer.ssl.truststore.type=pem\n",
                 "consumer.override.ssl.truststore.location=/etc/ferry/other-ca.pem\n",
                 KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.ca.location", "/etc/ferry/other-ca.pem");
    rd_kafka_conf_destroy(conf);

    conf = build("producer.ssl.truststore.type=JKS\n"
                 "producer.ssl.truststore.location=/etc/kafka/truststore.jks\n"
                 "producer.ssl.truststore.password=TOPSECRET-STORE\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for producer.ssl.truststore.location: a JKS "
                             "truststore cannot be used, librdkafka needs PEM: export the CA "
                             "certificates to a PEM file and set ssl.ca.location (or "
                             "ssl.truststore.location with ssl.truststore.type=PEM)");
    /* Java's default type is JKS. */
    conf = build("producer.ssl.truststore.location=/etc/kafka/truststore.p12\n"
                 "producer.ssl.truststore.password=TOPSECRET-STORE\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_non_null(strstr(err, "a JKS truststore cannot be used"));
    conf = build("producer.ssl.truststore.type=PKCS12\n"
                 "producer.ssl.truststore.location=/etc/kafka/truststore.p12\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_non_null(strstr(err, "a PKCS12 truststore cannot be used"));
    assert_null(strstr(err, "TOPSECRET"));

    /* Keystores: PKCS12 (or no type) as librdkafka's keystore, PEM as certificate and key. */
    conf = build("producer.ssl.keystore.location=/etc/ferry/client.p12\n"
                 "producer.ssl.keystore.password=kpw\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.keystore.location", "/etc/ferry/client.p12");
    rd_kafka_conf_destroy(conf);
    conf = build("producer.ssl.keystore.type=PEM\n"
                 "producer.ssl.keystore.location=/etc/ferry/client.pem\n"
                 "producer.ssl.key.password=kpw\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.certificate.location", "/etc/ferry/client.pem");
    assert_conf(conf, "ssl.key.location", "/etc/ferry/client.pem");
    rd_kafka_conf_destroy(conf);
    conf = build("producer.ssl.keystore.type=JKS\n"
                 "producer.ssl.keystore.location=/etc/kafka/client.jks\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for producer.ssl.keystore.location: a JKS keystore "
                             "cannot be used, librdkafka needs PKCS12 or PEM: convert it (keytool "
                             "-importkeystore -deststoretype PKCS12) and set "
                             "ssl.keystore.type=PKCS12");
}

static void test_endpoint_identification(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build("producer.ssl.endpoint.identification.algorithm=\n", NULL,
                                  KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.endpoint.identification.algorithm", "none");
    rd_kafka_conf_destroy(conf);

    conf = build("producer.ssl.endpoint.identification.algorithm=none\n",
                 "producer.override.ssl.endpoint.identification.algorithm=HTTPS\n",
                 KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.endpoint.identification.algorithm", "https");
    rd_kafka_conf_destroy(conf);

    conf = build("producer.ssl.endpoint.identification.algorithm=ldaps\n", NULL,
                 KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_non_null(strstr(err, "invalid value for producer.ssl.endpoint.identification."
                                "algorithm: "));
}

/* Consumer settings Kafka Connect users carry over with Java values. */
static void test_consumer_translations(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build(
        "consumer.partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor\n"
        "consumer.auto.offset.reset=none\n",
        "consumer.override.partition.assignment.strategy=org.apache.kafka.clients.consumer."
        "CooperativeStickyAssignor\n",
        KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "partition.assignment.strategy", "cooperative-sticky");
    assert_conf(conf, "auto.offset.reset", "error");
    rd_kafka_conf_destroy(conf);

    conf = build("consumer.partition.assignment.strategy=org.apache.kafka.clients.consumer."
                 "RangeAssignor, roundrobin\n",
                 NULL, KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "partition.assignment.strategy", "range,roundrobin");
    rd_kafka_conf_destroy(conf);

    conf = build("consumer.partition.assignment.strategy=org.apache.kafka.clients.consumer."
                 "StickyAssignor\n",
                 NULL, KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for consumer.partition.assignment.strategy: "
                             "org.apache.kafka.clients.consumer.StickyAssignor has no librdkafka "
                             "equivalent (expected range, roundrobin or cooperative-sticky, or "
                             "their Java classes)");
}

/* A producer's queue is bounded by default; Java's buffer.memory and librdkafka's own key
 * change it, at the worker or per connector. */
static void test_producer_queue_bound(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build("", NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queue.buffering.max.kbytes", KAFKA_PRODUCER_QUEUE_KB);
    rd_kafka_conf_destroy(conf);

    conf = build("producer.buffer.memory=33554432\n", NULL, KAFKA_CLIENT_PRODUCER, "p", err,
                 sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queue.buffering.max.kbytes", "32768");
    rd_kafka_conf_destroy(conf);

    conf = build("producer.buffer.memory=33554432\n",
                 "producer.override.queue.buffering.max.kbytes=4096\n", KAFKA_CLIENT_PRODUCER,
                 "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queue.buffering.max.kbytes", "4096");
    rd_kafka_conf_destroy(conf);

    /* a consumer's config has no such bound from ferry */
    conf = build("", NULL, KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    rd_kafka_conf_destroy(conf);

    conf = build("producer.buffer.memory=lots\n", NULL, KAFKA_CLIENT_PRODUCER, "p", err,
                 sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for producer.buffer.memory: 'lots' (bytes, at least "
                             "1024)");
    conf = build("producer.buffer.memory=10\n", NULL, KAFKA_CLIENT_PRODUCER, "p", err,
                 sizeof(err));
    assert_null(conf);
}

/* Every client has Nagle's algorithm off, as Java's clients have TCP_NODELAY; the worker's
 * producer.* / consumer.* or a connector's *.override.* turn it back on. */
static void test_nagle_off(void **state)
{
    (void)state;
    char err[512];
    const kafka_client_role roles[] = {KAFKA_CLIENT_PRODUCER, KAFKA_CLIENT_CONSUMER,
                                       KAFKA_CLIENT_ADMIN};
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        rd_kafka_conf_t *conf = build("", NULL, roles[i], "n", err, sizeof(err));
        assert_non_null(conf);
        assert_conf(conf, "socket.nagle.disable", "true");
        rd_kafka_conf_destroy(conf);
        conf = build("", "", roles[i], "n", err, sizeof(err));
        assert_non_null(conf);
        assert_conf(conf, "socket.nagle.disable", "true");
        rd_kafka_conf_destroy(conf);
    }
    rd_kafka_conf_t *conf = build("producer.socket.nagle.disable=false\n", NULL,
                                  KAFKA_CLIENT_PRODUCER, "n", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "socket.nagle.disable", "false");
    rd_kafka_conf_destroy(conf);
    conf = build("", "consumer.override.socket.nagle.disable=false\n", KAFKA_CLIENT_CONSUMER,
                 "n", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "socket.nagle.disable", "false");
    rd_kafka_conf_destroy(conf);
}

/* A sink task's consumer (one built with a connector's config) gets a bounded prefetch and a
 * short fetch back-off unless the worker's consumer.* or the connector's consumer.override.*
 * say otherwise; the worker's own consumers keep librdkafka's defaults. */
static void test_sink_consumer_defaults(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build("", "", KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queued.max.messages.kbytes", KAFKA_SINK_PREFETCH_KB);
    assert_conf(conf, "fetch.error.backoff.ms", "5");
    rd_kafka_conf_destroy(conf);

    conf = build("consumer.queued.max.messages.kbytes=8192\nconsumer.fetch.error.backoff.ms=50\n",
                 "", KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queued.max.messages.kbytes", "8192");
    assert_conf(conf, "fetch.error.backoff.ms", "50");
    rd_kafka_conf_destroy(conf);

    conf = build("consumer.queued.max.messages.kbytes=8192\n",
                 "consumer.override.queued.max.messages.kbytes=1024\n", KAFKA_CLIENT_CONSUMER,
                 "c", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queued.max.messages.kbytes", "1024");
    rd_kafka_conf_destroy(conf);

    conf = build("", NULL, KAFKA_CLIENT_CONSUMER, "worker", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queued.max.messages.kbytes", "65536");
    assert_conf(conf, "fetch.error.backoff.ms", "500");
    rd_kafka_conf_destroy(conf);

    /* Producers of connectors (sources, dead-letter queues) are not consumers. */
    conf = build("", "", KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "queued.max.messages.kbytes", "65536");
    rd_kafka_conf_destroy(conf);
}

/* Secrets in every translated or refused setting: none may show in a log line or an error. */
static void test_secrets_never_shown(void **state)
{
    (void)state;
    char err[512];
    captured_log log;
    log_capture_start(&log);
    rd_kafka_conf_t *conf =
        build("producer.sasl.jaas.config=" PLAIN " required username=\"TOPSECRET-USER\" "
              "password=\"TOPSECRET-PASSWORD\";\n"
              "producer.sasl.password=TOPSECRET-DIRECT\n"
              "producer.ssl.keystore.password=TOPSECRET-KEYSTORE\n"
              "producer.schema.registry.basic.auth.user.info=TOPSECRET-INFO\n",
              NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    assert_non_null(conf);
    /* The later key (sasl.password written directly) wins over the translated one. */
    assert_conf(conf, "sasl.password", "TOPSECRET-DIRECT");
    assert_int_equal(count_lines(log.text), 1);
    assert_null(strstr(log.text, "TOPSECRET"));
    free(log.text);
    rd_kafka_conf_destroy(conf);

    conf = build("producer.sasl.jaas.config=" PLAIN " required username=\"TOPSECRET-USER\" "
                 "password=\"TOPSECRET-PASSWORD\" extra;\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_null(conf);
    assert_string_equal(err, "invalid value for producer.sasl.jaas.config: expected '=' after "
                             "option extra");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layering),
        cmocka_unit_test(test_client_id),
        cmocka_unit_test(test_unknown_java_keys_warned),
        cmocka_unit_test(test_invalid_value_names_user_key),
        cmocka_unit_test(test_jaas_plain_and_scram),
        cmocka_unit_test(test_jaas_other_modules_and_errors),
        cmocka_unit_test(test_truststore_and_keystore),
        cmocka_unit_test(test_endpoint_identification),
        cmocka_unit_test(test_consumer_translations),
        cmocka_unit_test(test_producer_queue_bound),
        cmocka_unit_test(test_nagle_off),
        cmocka_unit_test(test_sink_consumer_defaults),
        cmocka_unit_test(test_secrets_never_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
