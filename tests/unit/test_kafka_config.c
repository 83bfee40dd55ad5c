/*
 * test_kafka_config.c - librdkafka configs built from the worker's and a connector's keys:
 * layering (worker producer.* under a connector's producer.override.*), client.id, Java-only keys
 * skipped with one warning each, refused values naming the key as the user wrote it, and the
 * translation of Java security settings (sasl.jaas.config with PLAIN, SCRAM and OAUTHBEARER,
 * JKS / PKCS12 / PEM truststores and keystores from tests/unit/fixtures/java_keystore, inline
 * PEM in Java's one-line form, cipher suites by IANA name, protocols, endpoint identification,
 * sasl.mechanism), every refused key reported at once. Secrets never reach a log line or an
 * error message.
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
#include "kafka/kafka_oauth.h"
#include "keystore_fixture.h"

#define PLAIN "org.apache.kafka.common.security.plain.PlainLoginModule"
#define SCRAM "org.apache.kafka.common.security.scram.ScramLoginModule"
#define OAUTH "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
#define KERBEROS "com.sun.security.auth.module.Krb5LoginModule"
#define OAUTH_HANDLER "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"
#define OAUTH_HANDLER_OLD \
    "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler"

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
        build("producer.sasl.jaas.config=" KERBEROS " required useKeyTab=true "
              "keyTab=\"/etc/TOPSECRET.keytab\";\n",
              NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    assert_non_null(conf);
    assert_conf_unset(conf, "sasl.username");
    assert_int_equal(count_lines(log.text), 1);
    assert_non_null(strstr(log.text, "WARN  [kafka] ignoring producer.sasl.jaas.config: login "
                                     "module " KERBEROS " cannot be translated for librdkafka; "
                                     "configure it with librdkafka's settings instead "
                                     "(sasl.kerberos.*)\n"));
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

/* librdkafka's value for key, a new string. */
static char *conf_value(rd_kafka_conf_t *conf, const char *key)
{
    size_t size = 0;
    if (rd_kafka_conf_get(conf, key, NULL, &size) != RD_KAFKA_CONF_OK)
        fail_msg("librdkafka has no value for %s", key);
    char *value = malloc(size);
    assert_non_null(value);
    assert_int_equal(rd_kafka_conf_get(conf, key, value, &size), RD_KAFKA_CONF_OK);
    return value;
}

/* PEM text on one line as a .properties value written with continuations becomes. */
static char *one_line(const char *pem)
{
    char *out = strdup(pem);
    assert_non_null(out);
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return out;
}

static void test_truststores(void **state)
{
    (void)state;
    char err[1024];
    char text[2048];
    char *ca = keystore_fixture_text("ca.pem");
    static const struct {
        const char *name, *type, *password;
    } stores[] = {
        {"truststore.jks", NULL, "trustpass"}, /* Java's default type, JKS */
        {"truststore.jks", "JKS", NULL},
        {"truststore.p12", "PKCS12", "trustpass"},
        {"truststore-nopass.p12", "PKCS12", NULL},
        {"ca.pem", "pem", NULL},
    };
    for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        snprintf(text, sizeof(text), "producer.security.protocol=SSL\n"
                                     "producer.ssl.truststore.location=%s\n%s%s%s%s%s",
                 keystore_fixture(stores[i].name), stores[i].type ? "producer.ssl.truststore.type=" : "",
                 stores[i].type ? stores[i].type : "", stores[i].type ? "\n" : "",
                 stores[i].password ? "producer.ssl.truststore.password=" : "",
                 stores[i].password ? stores[i].password : "");
        rd_kafka_conf_t *conf = build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
        if (!conf)
            fail_msg("%s: %s", stores[i].name, err);
        char *pem = conf_value(conf, "ssl.ca.pem");
        assert_non_null(strstr(pem, ca));
        assert_conf_unset(conf, "ssl.ca.location");
        free(pem);
        rd_kafka_conf_destroy(conf);
    }

    /* The type and password may come from the worker and the location from the connector. */
    snprintf(text, sizeof(text), "consumer.override.ssl.truststore.location=%s\n",
             keystore_fixture("truststore.p12"));
    rd_kafka_conf_t *conf = build("consumer.ssl.truststore.type=PKCS12\n"
                                  "consumer.ssl.truststore.password=trustpass\n",
                                  text, KAFKA_CLIENT_CONSUMER, "c", err, sizeof(err));
    assert_non_null(conf);
    char *pem = conf_value(conf, "ssl.ca.pem");
    assert_non_null(strstr(pem, ca));
    free(pem);
    rd_kafka_conf_destroy(conf);

    /* Inline certificates in Java's one-line form; the type may be left out or PEM. */
    char *line = one_line(ca);
    snprintf(text, sizeof(text), "ssl.truststore.certificates=%s\n", line);
    conf = build(text, NULL, KAFKA_CLIENT_ADMIN, "a", err, sizeof(err));
    assert_non_null(conf);
    pem = conf_value(conf, "ssl.ca.pem");
    assert_string_equal(pem, ca);
    free(pem);
    rd_kafka_conf_destroy(conf);
    free(line);
    free(ca);
}

static void test_truststore_refusals(void **state)
{
    (void)state;
    char err[1024];
    char text[1024];
    char expected[1024];
    const char *jks = keystore_fixture("truststore.jks");

    snprintf(text, sizeof(text), "producer.ssl.truststore.location=%s\n"
                                 "producer.ssl.truststore.password=TOPSECRET-WRONG\n", jks);
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    snprintf(expected, sizeof(expected), "invalid value for producer.ssl.truststore.password: "
             "%s: keystore password incorrect (or the file was altered)", jks);
    assert_string_equal(err, expected);

    snprintf(text, sizeof(text), "producer.ssl.truststore.location=%s\n"
                                 "producer.ssl.truststore.type=PKCS12\n", keystore_fixture("truststore.p12"));
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "missing producer.ssl.truststore.password: "));
    assert_non_null(strstr(err, "no store password is given"));

    snprintf(text, sizeof(text), "producer.ssl.truststore.location=%s\n",
             keystore_fixture("corrupt.jks"));
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "invalid value for producer.ssl.truststore.location: "));
    assert_non_null(strstr(err, "corrupt.jks: not a valid JKS store (truncated"));

    snprintf(text, sizeof(text), "producer.ssl.truststore.location=%s\n"
                                 "producer.ssl.truststore.type=PEM\n", jks);
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "type PEM was given but this is a JKS store"));

    assert_null(build("ssl.truststore.certificates=-----BEGIN CERTIFICATE----- x\n"
                      "ssl.truststore.type=JKS\n",
                      NULL, KAFKA_CLIENT_ADMIN, "a", err, sizeof(err)));
    assert_string_equal(err, "invalid value for ssl.truststore.certificates: inline "
                             "certificates are PEM, but ssl.truststore.type is JKS");
    assert_null(strstr(err, "TOPSECRET"));
}

static void test_keystores(void **state)
{
    (void)state;
    char err[1024];
    char text[8192];
    char *chain = keystore_fixture_text("client.pem");
    char *key = keystore_fixture_text("client.key");
    static const struct {
        const char *name, *type, *password, *key_password;
    } stores[] = {
        {"client.jks", NULL, "storepass", "keypass1"},
        {"client.p12", "PKCS12", "storepass", "keypass1"},
        {"client-same.p12", "PKCS12", "samepass", NULL},
        {"client-keystore.pem", "PEM", NULL, "keypass1"},
    };
    for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
                 "producer.ssl.keystore.type=%s\nproducer.ssl.keystore.password=%s\n"
                 "producer.ssl.key.password=%s\n",
                 keystore_fixture(stores[i].name), stores[i].type ? stores[i].type : "",
                 stores[i].password ? stores[i].password : "",
                 stores[i].key_password ? stores[i].key_password : "");
        rd_kafka_conf_t *conf = build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
        if (!conf)
            fail_msg("%s: %s", stores[i].name, err);
        char *certificates = conf_value(conf, "ssl.certificate.pem");
        char *pem_key = conf_value(conf, "ssl.key.pem");
        assert_string_equal(certificates, chain);
        assert_string_equal(pem_key, key);
        /* Decrypted here: librdkafka gets neither store nor password. */
        assert_conf_unset(conf, "ssl.keystore.location");
        assert_conf_unset(conf, "ssl.keystore.password");
        assert_conf_unset(conf, "ssl.key.password");
        free(certificates);
        free(pem_key);
        rd_kafka_conf_destroy(conf);
    }

    /* Inline: an encrypted PKCS#8 key and its chain in Java's one-line form. */
    char *encrypted = keystore_fixture_text("client-enc.key");
    char *key_line = one_line(encrypted);
    char *chain_line = one_line(chain);
    snprintf(text, sizeof(text), "security.protocol=SSL\nssl.keystore.type=PEM\n"
             "ssl.keystore.key=%s\nssl.keystore.certificate.chain=%s\n"
             "ssl.key.password=keypass1\n", key_line, chain_line);
    rd_kafka_conf_t *conf = build(text, NULL, KAFKA_CLIENT_ADMIN, "a", err, sizeof(err));
    if (!conf)
        fail_msg("%s", err);
    char *certificates = conf_value(conf, "ssl.certificate.pem");
    char *pem_key = conf_value(conf, "ssl.key.pem");
    assert_string_equal(certificates, chain);
    assert_string_equal(pem_key, key);
    free(certificates);
    free(pem_key);
    rd_kafka_conf_destroy(conf);

    /* librdkafka's own ssl.key.location and ssl.key.password pass untouched. */
    conf = build("producer.ssl.key.location=/etc/ferry/client.key\n"
                 "producer.ssl.key.password=kpw\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "ssl.key.location", "/etc/ferry/client.key");
    rd_kafka_conf_destroy(conf);

    /* Several key entries: the first is taken, with a warning naming it. */
    captured_log log;
    snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
             "producer.ssl.keystore.password=storepass\nproducer.ssl.key.password=storepass\n",
             keystore_fixture("two-keys.jks"));
    log_capture_start(&log);
    conf = build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    /* Whichever entry comes first in the file, the warning or the key password says so. */
    if (conf) {
        assert_non_null(strstr(log.text, "holds 2 private keys; using the first, 'second'"));
        rd_kafka_conf_destroy(conf);
    } else {
        assert_non_null(strstr(err, "key password incorrect for the key entry 'client'"));
    }
    assert_null(strstr(log.text, "storepass"));
    free(log.text);

    free(encrypted);
    free(key_line);
    free(chain_line);
    free(chain);
    free(key);
}

static void test_keystore_refusals(void **state)
{
    (void)state;
    char err[1024];
    char text[1024];
    char expected[1024];
    const char *jks = keystore_fixture("client.jks");

    snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
             "producer.ssl.keystore.password=storepass\n"
             "producer.ssl.key.password=TOPSECRET-WRONG\n", jks);
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    snprintf(expected, sizeof(expected), "invalid value for producer.ssl.key.password: %s: key "
             "password incorrect for the key entry 'client'", jks);
    assert_string_equal(err, expected);

    /* Without ssl.key.password the store password is the key's, as in Java. */
    snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
             "producer.ssl.keystore.password=storepass\n", jks);
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "invalid value for producer.ssl.keystore.password: "));
    assert_non_null(strstr(err, "key password incorrect"));

    snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
             "producer.ssl.keystore.type=PKCS12\n"
             "producer.ssl.keystore.password=TOPSECRET-WRONG\n", keystore_fixture("client.p12"));
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "invalid value for producer.ssl.keystore.password: "));
    assert_non_null(strstr(err, "client.p12: keystore password incorrect"));

    snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
             "producer.ssl.keystore.password=trustpass\n", keystore_fixture("truststore.jks"));
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "invalid value for producer.ssl.keystore.location: "));
    assert_non_null(strstr(err, "truststore.jks: holds no private key entry"));

    assert_null(build("ssl.keystore.key=-----BEGIN PRIVATE KEY----- TOPSECRET -----END "
                      "PRIVATE KEY-----\n",
                      NULL, KAFKA_CLIENT_ADMIN, "a", err, sizeof(err)));
    assert_string_equal(err, "missing ssl.keystore.certificate.chain: ssl.keystore.key needs "
                             "the certificate chain of its key");
    assert_null(build("producer.ssl.keystore.certificate.chain=-----BEGIN CERTIFICATE----- x\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_string_equal(err, "missing producer.ssl.keystore.key: "
                             "producer.ssl.keystore.certificate.chain needs the private key it "
                             "certifies");

    snprintf(text, sizeof(text), "producer.ssl.keystore.location=%s\n"
             "producer.ssl.keystore.type=JCEKS\n", keystore_fixture("truststore.jceks"));
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "store type 'JCEKS' is not supported"));
    assert_null(strstr(err, "TOPSECRET"));
    assert_null(strstr(err, "storepass"));
}

static void test_cipher_suites(void **state)
{
    (void)state;
    char err[1024];
    captured_log log;
    log_capture_start(&log);
    rd_kafka_conf_t *conf =
        build("producer.ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
              "TLS_AES_128_GCM_SHA256,SSL_RSA_WITH_AES_128_CBC_SHA,"
              "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,ECDHE-RSA-AES256-GCM-SHA384\n",
              NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    if (!conf)
        fail_msg("%s", err);
    assert_conf(conf, "ssl.cipher.suites",
                "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:"
                "ECDHE-RSA-AES256-GCM-SHA384");
    assert_int_equal(count_lines(log.text), 0);
    free(log.text);
    rd_kafka_conf_destroy(conf);

    /* Without a TLS 1.3 name the log says TLS 1.3 keeps OpenSSL's suites. */
    log_capture_start(&log);
    conf = build("producer.ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    assert_non_null(conf);
    assert_conf(conf, "ssl.cipher.suites", "ECDHE-RSA-AES256-GCM-SHA384");
    assert_non_null(strstr(log.text, "producer.ssl.cipher.suites: TLS 1.3 keeps OpenSSL's "
                                     "default suites"));
    free(log.text);
    rd_kafka_conf_destroy(conf);

    assert_null(build("producer.ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
                      "TLS_NO_SUCH_SUITE,TLS_AES_128_CCM_8_SHA256\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_string_equal(err, "invalid value for producer.ssl.cipher.suites: no OpenSSL "
                             "equivalent for TLS_NO_SUCH_SUITE (unknown to OpenSSL), "
                             "TLS_AES_128_CCM_8_SHA256 (a TLS 1.3 suite librdkafka 2.0.2 "
                             "cannot enable)");
    assert_null(build("producer.ssl.cipher.suites=TLS_AES_256_GCM_SHA384\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "only TLS 1.3 suites are listed"));
}

static void test_protocols(void **state)
{
    (void)state;
    char err[1024];
    rd_kafka_conf_t *conf = build("producer.ssl.enabled.protocols=TLSv1.2, TLSv1.3\n"
                                  "producer.ssl.protocol=TLSv1.3\n",
                                  NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    rd_kafka_conf_destroy(conf);
    conf = build("ssl.protocol=TLS\n", NULL, KAFKA_CLIENT_ADMIN, "a", err, sizeof(err));
    assert_non_null(conf);
    rd_kafka_conf_destroy(conf);

    assert_null(build("producer.ssl.enabled.protocols=TLSv1.3\n", NULL, KAFKA_CLIENT_PRODUCER,
                      "p", err, sizeof(err)));
    assert_string_equal(err, "invalid value for producer.ssl.enabled.protocols: 'TLSv1.3' "
                             "cannot be had with librdkafka 2.0.2, which has no setting for TLS "
                             "versions and offers TLSv1.2 and TLSv1.3 (list both, or remove the "
                             "key)");
    assert_null(build("producer.ssl.protocol=TLSv1.2\n", NULL, KAFKA_CLIENT_PRODUCER, "p", err,
                      sizeof(err)));
    assert_string_equal(err, "invalid value for producer.ssl.protocol: 'TLSv1.2' cannot be had "
                             "with librdkafka 2.0.2, which offers TLS 1.2 and TLS 1.3 as OpenSSL "
                             "allows (expected TLSv1.3 or TLS)");
}

/* Every refused key of a config in one message, none of its secrets. */
static void test_every_refusal_at_once(void **state)
{
    (void)state;
    char err[2048];
    char text[1024];
    snprintf(text, sizeof(text),
             "producer.ssl.truststore.location=%s\n"
             "producer.ssl.truststore.password=TOPSECRET-WRONG\n"
             "producer.ssl.protocol=SSLv3\n"
             "producer.ssl.cipher.suites=TLS_NO_SUCH_SUITE\n"
             "producer.sasl.jaas.config=" PLAIN " required password=\"TOPSECRET-2\";\n"
             "producer.compression.type=zip\n",
             keystore_fixture("truststore.jks"));
    assert_null(build(text, NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    if (strncmp(err, "5 Kafka client settings refused: ", 33) != 0)
        fail_msg("%s", err);
    static const char *const keys[] = {
        "invalid value for producer.ssl.truststore.password: ",
        "invalid value for producer.ssl.protocol: ",
        "invalid value for producer.ssl.cipher.suites: ",
        "invalid value for producer.sasl.jaas.config: ",
        "invalid value for producer.compression.type: ",
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!strstr(err, keys[i]))
            fail_msg("'%s' not in '%s'", keys[i], err);
    }
    assert_null(strstr(err, "TOPSECRET"));
}

static void test_oauthbearer(void **state)
{
    (void)state;
    char err[1024];
    /* Java's unsecured tokens (tests, development) are librdkafka's default method. */
    rd_kafka_conf_t *conf = build("producer.sasl.mechanism=OAUTHBEARER\n"
                 "producer.sasl.jaas.config=" OAUTH " required "
                 "unsecuredLoginStringClaim_sub=\"alice\";\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "sasl.oauthbearer.config", "principal=alice");
    rd_kafka_conf_destroy(conf);

    assert_null(build("producer.sasl.jaas.config=" OAUTH " required;\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "needs the options clientId and clientSecret"));

    captured_log log;
    log_capture_start(&log);
    conf =
        build("security.protocol=SASL_SSL\n"
              "sasl.mechanism=OAUTHBEARER\n"
              "sasl.oauthbearer.token.endpoint.url=https://idp.example/oauth2/token\n"
              "sasl.login.callback.handler.class=" OAUTH_HANDLER "\n"
              "sasl.login.connect.timeout.ms=4000\n"
              "sasl.login.retry.backoff.max.ms=2000\n"
              "sasl.jaas.config=" OAUTH " required clientId=\"ferry-connect\" "
              "clientSecret=\"TOPSECRET-OAUTH\" scope=\"kafka.write\" "
              "extension_logicalCluster=\"lkc-1\" extension_identityPoolId=\"pool-2\";\n",
              NULL, KAFKA_CLIENT_ADMIN, "a", err, sizeof(err));
    log_capture_stop(&log);
    if (!conf)
        fail_msg("%s", err);
    /* Every build: ferry fetches the tokens itself, from what sasl.oauthbearer.config carries. */
    assert_conf(conf, "sasl.mechanisms", "OAUTHBEARER");
    char *text = conf_value(conf, "sasl.oauthbearer.config");
    kafka_oauth_params params = {0};
    if (kafka_oauth_params_decode(text, &params, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    free(text);
    assert_string_equal(params.endpoint_url, "https://idp.example/oauth2/token");
    assert_string_equal(params.endpoint_key, "sasl.oauthbearer.token.endpoint.url");
    assert_string_equal(params.client_id, "ferry-connect");
    assert_string_equal(params.client_secret, "TOPSECRET-OAUTH");
    assert_string_equal(params.scope, "kafka.write");
    assert_string_equal(params.sub_claim, "sub");
    assert_false(params.header_urlencode);
    assert_int_equal(params.connect_timeout_ms, 4000);
    assert_int_equal(params.read_timeout_ms, KAFKA_OAUTH_READ_TIMEOUT_MS);
    assert_int_equal(params.retry_backoff_ms, KAFKA_OAUTH_RETRY_BACKOFF_MS);
    assert_int_equal(params.retry_backoff_max_ms, 2000);
    assert_int_equal(config_map_count(params.extensions), 2);
    assert_string_equal(config_map_get(params.extensions, "logicalCluster"), "lkc-1");
    assert_string_equal(config_map_get(params.extensions, "identityPoolId"), "pool-2");
    kafka_oauth_params_clear(&params);
    assert_int_equal(count_lines(log.text), 0);
    free(log.text);
    rd_kafka_conf_destroy(conf);

    assert_null(build("producer.sasl.mechanism=OAUTHBEARER\n"
                      "producer.sasl.jaas.config=" OAUTH " required clientId=\"id\" "
                      "clientSecret=\"TOPSECRET-OAUTH\";\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_string_equal(err, "missing producer.sasl.oauthbearer.token.endpoint.url: "
                             "producer.sasl.jaas.config with clientId fetches its tokens from "
                             "the OAuth token endpoint this key names");
    assert_null(build("producer.sasl.oauthbearer.token.endpoint.url=https://idp/token\n"
                      "producer.sasl.jaas.config=" OAUTH " required clientId=\"id\";\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_string_equal(err, "invalid value for producer.sasl.jaas.config: " OAUTH " with "
                             "clientId needs the option clientSecret");

    /* A task's producer: the endpoint is named with its prefix; the older handler package and
     * Java's login settings are read, not warned about. */
    log_capture_start(&log);
    conf = build("producer.sasl.mechanism=OAUTHBEARER\n"
                 "producer.sasl.oauthbearer.token.endpoint.url=http://127.0.0.1:1/token\n"
                 "producer.sasl.oauthbearer.sub.claim.name=client_id\n"
                 "producer.sasl.oauthbearer.header.urlencode=true\n"
                 "producer.sasl.login.read.timeout.ms=1500\n"
                 "producer.sasl.login.retry.backoff.ms=50\n"
                 "producer.sasl.login.callback.handler.class=" OAUTH_HANDLER_OLD "\n"
                 "producer.sasl.jaas.config=" OAUTH " required clientId=\"id\" "
                 "clientSecret=\"TOPSECRET-OAUTH\";\n",
                 NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    log_capture_stop(&log);
    if (!conf)
        fail_msg("%s", err);
    assert_int_equal(count_lines(log.text), 0);
    free(log.text);
    text = conf_value(conf, "sasl.oauthbearer.config");
    if (kafka_oauth_params_decode(text, &params, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    free(text);
    assert_string_equal(params.endpoint_key, "producer.sasl.oauthbearer.token.endpoint.url");
    assert_string_equal(params.sub_claim, "client_id");
    assert_null(params.scope);
    assert_true(params.header_urlencode);
    assert_int_equal(params.read_timeout_ms, 1500);
    assert_int_equal(params.retry_backoff_ms, 50);
    assert_int_equal(config_map_count(params.extensions), 0);
    kafka_oauth_params_clear(&params);
    rd_kafka_conf_destroy(conf);

    assert_null(build("producer.sasl.oauthbearer.token.endpoint.url=file:///tmp/token\n"
                      "producer.sasl.login.connect.timeout.ms=soon\n"
                      "producer.sasl.jaas.config=" OAUTH " required clientId=\"id\" "
                      "clientSecret=\"TOPSECRET-OAUTH\";\n",
                      NULL, KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err)));
    assert_non_null(strstr(err, "invalid value for producer.sasl.oauthbearer.token.endpoint.url: "
                                "'file:///tmp/token' (expected an http:// or https:// URL"));
    assert_null(strstr(err, "TOPSECRET"));
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

/* Java's max.request.size is what bounds a record; librdkafka's message.max.bytes says it. */
static void test_producer_max_request_size(void **state)
{
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = build("producer.max.request.size=200000\n", NULL,
                                  KAFKA_CLIENT_PRODUCER, "p", err, sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "message.max.bytes", "200000");
    rd_kafka_conf_destroy(conf);

    conf = build("producer.max.request.size=200000\n",
                 "producer.override.max.request.size=300000\n", KAFKA_CLIENT_PRODUCER, "p", err,
                 sizeof(err));
    assert_non_null(conf);
    assert_conf(conf, "message.max.bytes", "300000");
    rd_kafka_conf_destroy(conf);

    conf = build("producer.max.request.size=ten\n", NULL, KAFKA_CLIENT_PRODUCER, "p", err,
                 sizeof(err));
    assert_null(conf);
    assert_non_null(strstr(err, "producer.max.request.size"));
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
        cmocka_unit_test(test_truststores),
        cmocka_unit_test(test_truststore_refusals),
        cmocka_unit_test(test_keystores),
        cmocka_unit_test(test_keystore_refusals),
        cmocka_unit_test(test_cipher_suites),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_every_refusal_at_once),
        cmocka_unit_test(test_oauthbearer),
        cmocka_unit_test(test_endpoint_identification),
        cmocka_unit_test(test_consumer_translations),
        cmocka_unit_test(test_producer_queue_bound),
        cmocka_unit_test(test_producer_max_request_size),
        cmocka_unit_test(test_nagle_off),
        cmocka_unit_test(test_sink_consumer_defaults),
        cmocka_unit_test(test_secrets_never_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
