/*
 * test_worker_config.c - the worker's .properties: Kafka's shipped connect-standalone.properties,
 * defaults, the embedded default, every problem reported at once, config providers, listeners,
 * the worker id and advertised URL, the restart back-off cross-check, the distributed-mode keys
 * and their cross-checks, and ferry's example worker files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/properties.h"
#include "config/worker_config.h"

/* A map from properties text. */
static config_map *map_from(const char *text)
{
    char err[256];
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(properties_parse(text, strlen(text), map, err, sizeof(err)), 0);
    return map;
}

/* Loads text; the worker config (or NULL) and what went to errors and unknown. */
static worker_config *load(const char *text, config_errors *errors, config_map *unknown)
{
    config_map *raw = map_from(text);
    worker_config *config = worker_config_load(raw, NULL, errors, unknown);
    config_map_destroy(raw);
    return config;
}

static void assert_error(const config_errors *errors, size_t index, const char *key,
                         const char *message)
{
    assert_true(index < config_errors_count(errors));
    if (key)
        assert_string_equal(config_errors_key_at(errors, index), key);
    else
        assert_null(config_errors_key_at(errors, index));
    assert_string_equal(config_errors_message_at(errors, index), message);
}

static char *data_path(const char *relative)
{
    const char *dir = getenv("FERRY_TEST_DATA");
    char *path = NULL;
    assert_non_null(dir);
    assert_true(asprintf(&path, "%s/%s", dir, relative) > 0);
    return path;
}

static void test_kafka_standalone_properties(void **state)
{
    (void)state;
    char err[512];
    char *path = data_path("connect-standalone.properties");
    config_map *raw = config_map_new();
    config_map *unknown = config_map_new();
    config_errors *errors = config_errors_new();
    assert_int_equal(properties_parse_file(path, raw, err, sizeof(err)), 0);

    worker_config *config = worker_config_load(raw, NULL, errors, unknown);
    assert_non_null(config);
    assert_int_equal(config_errors_count(errors), 0);
    assert_false(config->embedded);
    assert_string_equal(config->bootstrap_servers, "localhost:9092");
    assert_string_equal(config->key_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(config->value_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_int_equal(config->offset_flush_interval_ms, 10000);
    assert_null(config->plugin_path);
    assert_string_equal(config_map_get(config->values, "value.converter.schemas.enable"), "true");
    /* The one key ferry does not use: a warning, never an error. */
    assert_int_equal(config_map_count(unknown), 1);
    assert_string_equal(config_map_key_at(unknown, 0), "offset.storage.file.filename");
    assert_string_equal(config_map_value_at(unknown, 0), "/tmp/connect.offsets");

    worker_config_destroy(config);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
    config_map_destroy(raw);
    free(path);
}

static void test_defaults(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    worker_config *config = load("", errors, unknown);
    assert_non_null(config);
    assert_int_equal(config_errors_count(errors), 0);
    assert_int_equal(config_map_count(unknown), 0);

    assert_true(config->embedded);
    assert_null(config->bootstrap_servers);
    assert_string_equal(config->group_id, "connect-cluster");
    assert_string_equal(config->offset_topic, "connect-offsets");
    assert_int_equal(config->offset_partitions, 25);
    assert_int_equal(config->offset_replication_factor, 3);
    assert_string_equal(config->config_topic, "connect-configs");
    assert_int_equal(config->config_replication_factor, 3);
    assert_string_equal(config->status_topic, "connect-status");
    assert_int_equal(config->status_partitions, 5);
    assert_int_equal(config->status_replication_factor, 3);
    assert_string_equal(config->key_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(config->value_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_int_equal(config->offset_flush_interval_ms, 60000);
    assert_int_equal(config->offset_flush_timeout_ms, 5000);
    assert_int_equal(config->task_shutdown_graceful_timeout_ms, 5000);
    assert_null(config->plugin_path);
    assert_string_equal(config->listeners, "http://127.0.0.1:8083");
    assert_string_equal(config->worker_id, "127.0.0.1:8083");
    assert_string_equal(config->advertised_url, "http://127.0.0.1:8083/");
    assert_true(config->task_restart_auto);
    assert_int_equal(config->task_restart_backoff_initial_ms, 1000);
    assert_int_equal(config->task_restart_backoff_max_ms, 60000);
    /* Distributed mode: Kafka Connect's defaults. */
    assert_int_equal(config->session_timeout_ms, 10000);
    assert_int_equal(config->heartbeat_interval_ms, 3000);
    assert_int_equal(config->rebalance_timeout_ms, 60000);
    assert_int_equal(config->scheduled_rebalance_max_delay_ms, 300000);
    assert_int_equal(config->worker_sync_timeout_ms, 3000);
    assert_string_equal(config->inter_worker_key_generation_algorithm, "HmacSHA256");
    assert_int_equal(config->inter_worker_key_size, -1);
    assert_int_equal(config->inter_worker_key_ttl_ms, 3600000);
    assert_string_equal(config->inter_worker_signature_algorithm, "HmacSHA256");
    assert_string_equal(config->inter_worker_verification_algorithms[0], "HmacSHA256");
    assert_null(config->inter_worker_verification_algorithms[1]);

    worker_config_destroy(config);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
}

/* A distributed worker's group and session-key settings, each changed from its default. */
static void test_distributed_keys(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    worker_config *config = load("group.id=connect-cluster\n"
                                 "session.timeout.ms=6000\n"
                                 "heartbeat.interval.ms=2000\n"
                                 "rebalance.timeout.ms=6000\n"
                                 "scheduled.rebalance.max.delay.ms=0\n"
                                 "worker.sync.timeout.ms=500\n"
                                 "connect.protocol=COMPATIBLE\n"
                                 "inter.worker.key.generation.algorithm=HmacSHA512\n"
                                 "inter.worker.key.size=512\n"
                                 "inter.worker.key.ttl.ms=0\n"
                                 "inter.worker.signature.algorithm=hmacsha512\n"
                                 "inter.worker.verification.algorithms=HmacSHA256, HmacSHA512\n",
                                 errors, unknown);
    assert_non_null(config);
    assert_int_equal(config_map_count(unknown), 0);
    assert_int_equal(config->session_timeout_ms, 6000);
    assert_int_equal(config->heartbeat_interval_ms, 2000);
    assert_int_equal(config->rebalance_timeout_ms, 6000);
    assert_int_equal(config->scheduled_rebalance_max_delay_ms, 0);
    assert_int_equal(config->worker_sync_timeout_ms, 500);
    assert_string_equal(config->inter_worker_key_generation_algorithm, "HmacSHA512");
    assert_int_equal(config->inter_worker_key_size, 512);
    assert_int_equal(config->inter_worker_key_ttl_ms, 0);
    assert_string_equal(config->inter_worker_signature_algorithm, "hmacsha512");
    assert_string_equal(config->inter_worker_verification_algorithms[0], "HmacSHA256");
    assert_string_equal(config->inter_worker_verification_algorithms[1], "HmacSHA512");
    assert_null(config->inter_worker_verification_algorithms[2]);
    worker_config_destroy(config);

    /* Java's HmacSHA1 key generator takes any size. */
    config = load("inter.worker.key.generation.algorithm=HmacSHA1\ninter.worker.key.size=8\n",
                  errors, unknown);
    assert_non_null(config);
    assert_int_equal(config->inter_worker_key_size, 8);
    worker_config_destroy(config);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
}

/* Every declared default must pass its own definition. */
static void test_definition_defaults_valid(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    size_t count = 0;
    for (const ferry_config_key *def = worker_config_keys; def->name; def++, count++) {
        assert_non_null(def->documentation);
        if (def->default_value)
            assert_int_equal(config_value_check(def, def->default_value, errors), 0);
    }
    assert_int_equal(config_errors_count(errors), 0);
    assert_int_equal(count, 42);
    config_errors_destroy(errors);
}

static void test_embedded_and_bootstrap(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool embedded;
        const char *servers;
    } cases[] = {
        {"bootstrap.servers=embedded\n", true, NULL},
        {"bootstrap.servers= Embedded \n", true, NULL},
        {"bootstrap.servers=\n", true, NULL},
        {"bootstrap.servers=127.0.0.1:9092\n", false, "127.0.0.1:9092"},
        {"bootstrap.servers= a:9092 , b:9093,\n", false, "a:9092,b:9093"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_errors *errors = config_errors_new();
        worker_config *config = load(cases[i].text, errors, NULL);
        assert_non_null(config);
        assert_int_equal(config->embedded, cases[i].embedded);
        if (cases[i].servers)
            assert_string_equal(config->bootstrap_servers, cases[i].servers);
        else
            assert_null(config->bootstrap_servers);
        if (cases[i].embedded) {
            assert_int_equal(worker_config_set_bootstrap(config, "127.0.0.1:39092"), 0);
            assert_string_equal(config->bootstrap_servers, "127.0.0.1:39092");
        }
        worker_config_destroy(config);
        config_errors_destroy(errors);
    }
}

static void test_known_prefixes_not_reported(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    config_map *unknown = config_map_new();
    worker_config *config = load("producer.acks=all\n"
                                 "consumer.max.poll.records=500\n"
                                 "admin.request.timeout.ms=1000\n"
                                 "key.converter.schemas.cache.size=10\n"
                                 "value.converter.decimal.format=NUMERIC\n"
                                 "header.converter.x=y\n"
                                 "config.providers=file\n"
                                 "config.providers.file.class=org.apache.kafka.common.config."
                                 "provider.FileConfigProvider\n"
                                 "rest.advertised.listener=http\n"
                                 "listeners.https.ssl.keystore.location=/k.p12\n"
                                 "security.protocol=SSL\n"
                                 "ssl.truststore.location=/ca.pem\n"
                                 "sasl.mechanism=PLAIN\n"
                                 "offset.storage.file.filename=/tmp/x\n"
                                 "metrics.sample.window.ms=30000\n",
                                 errors, unknown);
    assert_non_null(config);
    assert_int_equal(config_map_count(unknown), 2);
    assert_string_equal(config_map_key_at(unknown, 0), "offset.storage.file.filename");
    assert_string_equal(config_map_key_at(unknown, 1), "metrics.sample.window.ms");
    worker_config_destroy(config);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
}

static void test_providers_resolved(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    setenv("FERRY_TEST_WCFG_SERVERS", "kafka-1:9092,kafka-2:9092", 1);
    setenv("FERRY_TEST_WCFG_PASSWORD", "s3cret", 1);
    unsetenv("FERRY_TEST_WCFG_UNSET");
    worker_config *config =
        load("bootstrap.servers=${env:FERRY_TEST_WCFG_SERVERS}\n"
             "producer.sasl.password=${env:FERRY_TEST_WCFG_PASSWORD}\n"
             "group.id=group-$${literal}\n",
             errors, NULL);
    assert_non_null(config);
    assert_string_equal(config->bootstrap_servers, "kafka-1:9092,kafka-2:9092");
    assert_string_equal(config_map_get(config->values, "producer.sasl.password"), "s3cret");
    assert_string_equal(config->group_id, "group-${literal}");
    worker_config_destroy(config);

    /* Every variable that cannot be resolved is reported, each naming its key. */
    config = load("bootstrap.servers=${env:FERRY_TEST_WCFG_UNSET}\n"
                  "offset.flush.interval.ms=${vault:x}\n"
                  "group.id=${env:FERRY_TEST_WCFG_UNSET}\n"
                  "status.storage.partitions=0\n",
                  errors, NULL);
    assert_null(config);
    assert_int_equal(config_errors_count(errors), 4);
    assert_error(errors, 0, "bootstrap.servers",
                 "config \"bootstrap.servers\": cannot resolve ${env:FERRY_TEST_WCFG_UNSET}: "
                 "environment variable FERRY_TEST_WCFG_UNSET is not set");
    assert_error(errors, 1, "offset.flush.interval.ms",
                 "config \"offset.flush.interval.ms\": cannot resolve ${vault:x}: unknown config "
                 "provider \"vault\" (expected env or file)");
    assert_string_equal(config_errors_key_at(errors, 2), "group.id");
    /* The other keys are still checked in the same pass. */
    assert_error(errors, 3, "status.storage.partitions",
                 "Invalid value '0' for configuration status.storage.partitions: expected an "
                 "integer between 1 and 2147483647");
    config_errors_destroy(errors);

    /* A resolved value is validated like a written one. */
    errors = config_errors_new();
    setenv("FERRY_TEST_WCFG_INTERVAL", "often", 1);
    config = load("offset.flush.interval.ms=${env:FERRY_TEST_WCFG_INTERVAL}\n", errors, NULL);
    assert_null(config);
    assert_int_equal(config_errors_count(errors), 1);
    assert_error(errors, 0, "offset.flush.interval.ms",
                 "Invalid value 'often' for configuration offset.flush.interval.ms: expected an "
                 "integer between 0 and 9223372036854775807");
    config_errors_destroy(errors);
}

static void test_listeners(void **state)
{
    (void)state;
    char hostname[HOST_NAME_MAX + 1];
    char expected_any[HOST_NAME_MAX + 16];
    assert_int_equal(gethostname(hostname, sizeof(hostname)), 0);
    hostname[sizeof(hostname) - 1] = '\0';
    snprintf(expected_any, sizeof(expected_any), "%s:8083", hostname);

    static const struct {
        const char *text;
        const char *worker_id;
        const char *url;
    } good[] = {
        {"listeners=http://0.0.0.0:8083\n", "0.0.0.0:8083", "http://0.0.0.0:8083/"},
        {"listeners=HTTP://localhost:18083/\n", "localhost:18083", "http://localhost:18083/"},
        {"listeners=https://[::1]:9443, http://127.0.0.1:8083\n", "[::1]:9443",
         "https://[::1]:9443/"},
        {"listeners=http://127.0.0.1:0\n", "127.0.0.1:0", "http://127.0.0.1:0/"},
        {"listeners=http://0.0.0.0:8083\nrest.advertised.host.name=connect-1.example\n"
         "rest.advertised.port=443\n",
         "connect-1.example:443", "http://connect-1.example:443/"},
        {"listeners=http://:8083\n", NULL, NULL}, /* every interface: the host name */
        /* rest.advertised.listener picks the first listener of its scheme... */
        {"listeners=https://[::1]:9443,http://127.0.0.1:8083,http://127.0.0.1:8084\n"
         "rest.advertised.listener=HTTP \n",
         "127.0.0.1:8083", "http://127.0.0.1:8083/"},
        /* ...or keeps the first listener when none has it (a proxy terminating TLS). */
        {"listeners=http://0.0.0.0:8083\nrest.advertised.listener=https\n"
         "rest.advertised.host.name=connect.example\nrest.advertised.port=443\n",
         "connect.example:443", "https://connect.example:443/"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char url[HOST_NAME_MAX + 32];
        config_errors *errors = config_errors_new();
        worker_config *config = load(good[i].text, errors, NULL);
        assert_non_null(config);
        assert_string_equal(config->worker_id, good[i].worker_id ? good[i].worker_id
                                                                 : expected_any);
        snprintf(url, sizeof(url), "http://%s/", expected_any);
        assert_string_equal(config->advertised_url, good[i].url ? good[i].url : url);
        worker_config_destroy(config);
        config_errors_destroy(errors);
    }

    static const struct {
        const char *value;
        const char *why;
    } bad[] = {
        {"localhost:8083", "'localhost:8083' has no scheme (expected http://host:port)"},
        {"http://localhost", "'http://localhost' is not of the form scheme://host:port"},
        {"http://localhost:99999", "'http://localhost:99999' has an invalid port (expected 0 to "
                                   "65535)"},
        {"http://localhost:80a", "'http://localhost:80a' has an invalid port (expected 0 to "
                                 "65535)"},
        {"http://[::1:8083", "'http://[::1:8083' has an unterminated IPv6 address"},
        {"http://127.0.0.1:8083,http://x/y:1", "'http://x/y:1' is not of the form "
                                               "scheme://host:port"},
        {" , ", "expected at least one listener such as http://127.0.0.1:8083"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        char message[512];
        config_errors *errors = config_errors_new();
        snprintf(text, sizeof(text), "listeners=%s\n", bad[i].value);
        worker_config *config = load(text, errors, NULL);
        assert_null(config);
        assert_int_equal(config_errors_count(errors), 1);
        snprintf(message, sizeof(message), "Invalid value '%s' for configuration listeners: %s",
                 bad[i].value[0] == ' ' ? "," : bad[i].value, bad[i].why);
        assert_error(errors, 0, "listeners", message);
        config_errors_destroy(errors);
    }
}

static void test_replication_factors(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    worker_config *config = load("offset.storage.replication.factor=-1\n"
                                 "config.storage.replication.factor=1\n"
                                 "status.storage.replication.factor=2\n"
                                 "offset.storage.partitions=1\n"
                                 "status.storage.partitions=3\n",
                                 errors, NULL);
    assert_non_null(config);
    assert_int_equal(config->offset_replication_factor, -1);
    assert_int_equal(config->config_replication_factor, 1);
    assert_int_equal(config->status_replication_factor, 2);
    assert_int_equal(config->offset_partitions, 1);
    assert_int_equal(config->status_partitions, 3);
    worker_config_destroy(config);
    config_errors_destroy(errors);
}

static void test_restart_backoff(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    worker_config *config = load("task.restart.auto=FALSE\n"
                                 "task.restart.backoff.initial.ms=2000\n"
                                 "task.restart.backoff.max.ms=2000\n",
                                 errors, NULL);
    assert_non_null(config);
    assert_false(config->task_restart_auto);
    assert_int_equal(config->task_restart_backoff_initial_ms, 2000);
    assert_int_equal(config->task_restart_backoff_max_ms, 2000);
    worker_config_destroy(config);
    config_errors_destroy(errors);
}

#define INT_RANGE(min) "expected an integer between " min " and 2147483647"
#define GROUP_TIMEOUT_OVER(key, value, rule, session)                                          \
    "Invalid value '" value "' for configuration " key ": must " rule " session.timeout.ms (" \
    session ")"

/* Worker configs that are refused, and exactly the problems reported, in order. */
typedef struct refusal_case {
    const char *what;
    const char *text;
    size_t count;
    struct {
        const char *key;
        const char *message; /* NULL: any message */
    } errors[10];
} refusal_case;

#define LONG_RANGE "expected an integer between 0 and 9223372036854775807"
#define BACKOFF_OVER(value, max)                                                               \
    "Invalid value '" value "' for configuration task.restart.backoff.initial.ms: must not be " \
    "greater than task.restart.backoff.max.ms (" max ")"

static const refusal_case refusal_cases[] = {
    {"every problem at once",
     "offset.flush.interval.ms=soon\noffset.storage.partitions=0\n"
     "status.storage.replication.factor=0\nconfig.storage.replication.factor=40000\n"
     "task.restart.auto=maybe\nkey.converter.schemas.enable=yes\nkey.converter=\n"
     "config.storage.topic=connect-offsets\ngroup.id=\nlisteners=ftp://localhost:8083\n"
     "some.unknown.key=1\n",
     10,
     {{"offset.storage.partitions", "Invalid value '0' for configuration "
                                    "offset.storage.partitions: expected an integer between 1 "
                                    "and 2147483647"},
      {"config.storage.replication.factor", "Invalid value '40000' for configuration "
                                            "config.storage.replication.factor: expected an "
                                            "integer between -1 and 32767"},
      {"key.converter", "Invalid value '' for configuration key.converter: expected a class "
                        "name"},
      {"key.converter.schemas.enable", "Invalid value 'yes' for configuration "
                                       "key.converter.schemas.enable: expected true or false"},
      {"offset.flush.interval.ms", "Invalid value 'soon' for configuration "
                                   "offset.flush.interval.ms: " LONG_RANGE},
      {"task.restart.auto", "Invalid value 'maybe' for configuration task.restart.auto: "
                            "expected true or false"},
      {"status.storage.replication.factor", "Invalid value '0' for configuration "
                                            "status.storage.replication.factor: expected -1 "
                                            "(the broker's default) or an integer between 1 "
                                            "and 32767"},
      {"group.id", "Invalid value '' for configuration group.id: String must be non-empty"},
      {"config.storage.topic", "Invalid value 'connect-offsets' for configuration "
                               "config.storage.topic: offset.storage.topic already uses this "
                               "topic; the offsets, configs and status topics must be "
                               "different"},
      {"listeners", "Invalid value 'ftp://localhost:8083' for configuration listeners: "
                    "'ftp://localhost:8083' has an unsupported scheme (expected http or "
                    "https)"}}},
    {"a restart back-off above its maximum",
     "task.restart.backoff.initial.ms=5000\ntask.restart.backoff.max.ms=1000\n", 1,
     {{"task.restart.backoff.initial.ms", BACKOFF_OVER("5000", "1000")}}},
    /* The default maximum counts too. */
    {"a restart back-off above the default maximum", "task.restart.backoff.initial.ms=120000\n",
     1, {{"task.restart.backoff.initial.ms", BACKOFF_OVER("120000", "60000")}}},
    /* A refused value is reported once, not cross-checked. */
    {"refused back-off values",
     "task.restart.backoff.initial.ms=0\ntask.restart.backoff.max.ms=x\n", 2,
     {{"task.restart.backoff.initial.ms", NULL}, {"task.restart.backoff.max.ms", NULL}}},
    /* Distributed mode: the group member's timeouts. */
    {"a heartbeat interval as long as the session timeout",
     "session.timeout.ms=6000\nheartbeat.interval.ms=6000\n", 1,
     {{"heartbeat.interval.ms", GROUP_TIMEOUT_OVER("heartbeat.interval.ms", "6000",
                                                   "be lower than", "6000")}}},
    {"a heartbeat interval above the default session timeout", "heartbeat.interval.ms=20000\n",
     1,
     {{"heartbeat.interval.ms", GROUP_TIMEOUT_OVER("heartbeat.interval.ms", "20000",
                                                   "be lower than", "10000")}}},
    {"a rebalance timeout below the session timeout",
     "session.timeout.ms=30000\nrebalance.timeout.ms=20000\n", 1,
     {{"rebalance.timeout.ms", GROUP_TIMEOUT_OVER("rebalance.timeout.ms", "20000",
                                                  "not be lower than", "30000")}}},
    {"refused group timeouts, not cross-checked",
     "session.timeout.ms=0\nheartbeat.interval.ms=often\nrebalance.timeout.ms=86400001\n"
     "scheduled.rebalance.max.delay.ms=-1\nworker.sync.timeout.ms=2147483648\n",
     5,
     {{"session.timeout.ms", "Invalid value '0' for configuration session.timeout.ms: expected "
                             "an integer between 1 and 3600000"},
      {"heartbeat.interval.ms", NULL},
      {"rebalance.timeout.ms", "Invalid value '86400001' for configuration "
                               "rebalance.timeout.ms: expected an integer between 1 and "
                               "86400000"},
      {"scheduled.rebalance.max.delay.ms", "Invalid value '-1' for configuration "
                                           "scheduled.rebalance.max.delay.ms: " INT_RANGE("0")},
      {"worker.sync.timeout.ms", NULL}}},
    {"an unknown rebalance protocol", "connect.protocol=cooperative\n", 1,
     {{"connect.protocol", "Invalid value 'cooperative' for configuration connect.protocol: "
                           "expected one of: eager, compatible, sessioned"}}},
    {"an unknown advertised listener scheme", "rest.advertised.listener=ftp\n", 1,
     {{"rest.advertised.listener", "Invalid value 'ftp' for configuration "
                                   "rest.advertised.listener: expected one of: http, https"}}},
    /* Distributed mode: the session keys of forwarded requests. */
    {"a signature algorithm the workers do not verify",
     "inter.worker.signature.algorithm=HmacSHA512\n", 1,
     {{"inter.worker.signature.algorithm",
       "Invalid value 'HmacSHA512' for configuration inter.worker.signature.algorithm: "
       "Signature algorithm must be present in inter.worker.verification.algorithms list"}}},
    {"no verification algorithm", "inter.worker.verification.algorithms= \n", 1,
     {{"inter.worker.signature.algorithm", NULL}}},
    {"MACs ferry cannot compute, reported once each",
     "inter.worker.key.generation.algorithm=AES\ninter.worker.signature.algorithm=HmacMD5\n"
     "inter.worker.verification.algorithms=HmacSHA256,HmacMD5\n",
     3,
     {{"inter.worker.key.generation.algorithm",
       "Invalid value 'AES' for configuration inter.worker.key.generation.algorithm: expected "
       "one of: HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512"},
      {"inter.worker.signature.algorithm", NULL},
      {"inter.worker.verification.algorithms",
       "Invalid value 'HmacSHA256,HmacMD5' for configuration "
       "inter.worker.verification.algorithms: item 'HmacMD5' is not one of: HmacSHA1, "
       "HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512"}}},
    {"session keys too short or with a negative lifetime",
     "inter.worker.key.size=32\ninter.worker.key.ttl.ms=-1\n", 2,
     {{"inter.worker.key.ttl.ms", "Invalid value '-1' for configuration "
                                  "inter.worker.key.ttl.ms: " INT_RANGE("0")},
      {"inter.worker.key.size", "Invalid value '32' for configuration inter.worker.key.size: "
                                "HmacSHA256 keys need at least 40 bits"}}},
    {"a session key of no bits", "inter.worker.key.size=0\n", 1,
     {{"inter.worker.key.size", "Invalid value '0' for configuration inter.worker.key.size: "
                                INT_RANGE("1")}}},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refusal_cases) / sizeof(refusal_cases[0]); i++) {
        const refusal_case *c = &refusal_cases[i];
        config_errors *errors = config_errors_new();
        config_map *unknown = config_map_new();
        worker_config *config = load(c->text, errors, unknown);
        if (config)
            fail_msg("%s: accepted", c->what);
        if (config_errors_count(errors) != c->count)
            fail_msg("%s: %zu problems, expected %zu", c->what, config_errors_count(errors),
                     c->count);
        for (size_t e = 0; e < c->count; e++) {
            const char *key = config_errors_key_at(errors, e);
            const char *message = config_errors_message_at(errors, e);
            if (strcmp(key, c->errors[e].key) != 0 ||
                (c->errors[e].message && strcmp(message, c->errors[e].message) != 0))
                fail_msg("%s: problem %zu is '%s: %s', expected '%s: %s'", c->what, e, key,
                         message, c->errors[e].key,
                         c->errors[e].message ? c->errors[e].message : "(any)");
        }
        /* Unknown keys are still reported for their warning. */
        if (strstr(c->text, "some.unknown.key"))
            assert_string_equal(config_map_get(unknown, "some.unknown.key"), "1");
        config_errors_destroy(errors);
        config_map_destroy(unknown);
    }

    /* The summary of many problems names the count and the first. */
    config_errors *errors = config_errors_new();
    assert_null(load(refusal_cases[0].text, errors, NULL));
    char *text = config_errors_to_string(errors);
    assert_non_null(text);
    assert_true(strncmp(text, "10 errors: key 'offset.storage.partitions': Invalid", 51) == 0);
    free(text);
    config_errors_destroy(errors);
}

/* ferry's own example files, as shipped in config/. */
static void test_example_configs(void **state)
{
    (void)state;
    char err[512];
    char *path = data_path("../../../config/worker.properties");
    config_map *raw = config_map_new();
    config_map *unknown = config_map_new();
    config_errors *errors = config_errors_new();
    assert_int_equal(properties_parse_file(path, raw, err, sizeof(err)), 0);
    worker_config *config = worker_config_load(raw, NULL, errors, unknown);
    assert_non_null(config);
    assert_int_equal(config_map_count(unknown), 0);
    assert_true(config->embedded);
    assert_null(config->bootstrap_servers);
    assert_int_equal(config->offset_flush_interval_ms, 1000);
    assert_string_equal(config->worker_id, "127.0.0.1:8083");
    assert_string_equal(config->value_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(config_map_get(config->values, "key.converter.schemas.enable"), "false");
    assert_string_equal(config_map_get(config->values, "value.converter.schemas.enable"),
                        "false");
    worker_config_destroy(config);
    config_map_destroy(raw);
    free(path);

    path = data_path("../../../config/connect-standalone.properties");
    raw = config_map_new();
    assert_int_equal(properties_parse_file(path, raw, err, sizeof(err)), 0);
    config = worker_config_load(raw, NULL, errors, unknown);
    assert_non_null(config);
    assert_int_equal(config_errors_count(errors), 0);
    assert_int_equal(config_map_count(unknown), 0);
    assert_false(config->embedded);
    assert_string_equal(config->bootstrap_servers, "127.0.0.1:9092");
    assert_int_equal(config->offset_replication_factor, 1);
    assert_int_equal(config->config_replication_factor, 1);
    assert_int_equal(config->status_replication_factor, 1);
    assert_string_equal(config->key_converter, "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(config_map_get(config->values, "value.converter.schemas.enable"), "true");
    worker_config_destroy(config);
    config_map_destroy(raw);
    free(path);

    config_errors_destroy(errors);
    config_map_destroy(unknown);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kafka_standalone_properties),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_definition_defaults_valid),
        cmocka_unit_test(test_distributed_keys),
        cmocka_unit_test(test_embedded_and_bootstrap),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_known_prefixes_not_reported),
        cmocka_unit_test(test_providers_resolved),
        cmocka_unit_test(test_listeners),
        cmocka_unit_test(test_replication_factors),
        cmocka_unit_test(test_restart_backoff),
        cmocka_unit_test(test_example_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
