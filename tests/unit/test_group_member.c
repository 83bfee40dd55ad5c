/*
 * test_group_member.c - the group member without the real broker: the client.id that carries a
 * worker's URL (exact round trips, refusals), the settings taken from a worker config, the
 * consumer's config (what membership rests on wins over the worker's consumer.* keys, the
 * security settings are the worker's), refused settings, and a member whose Kafka does not
 * answer. Membership itself (joining, leaders, member lists, pauses, static membership) is
 * tested on the real broker, tests/integration/test_group_member.c (librdkafka 2.0.2's mock
 * cluster leaves the member's JoinGroup unanswered).
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
#include "config/worker_config.h"
#include "kafka/group_member.h"

static worker_config *worker_from(const char *text)
{
    char err[256];
    config_map *raw = config_map_new();
    config_errors *errors = config_errors_new();
    assert_int_equal(properties_parse(text, strlen(text), raw, err, sizeof(err)), 0);
    worker_config *worker = worker_config_load(raw, NULL, errors, NULL);
    assert_int_equal(config_errors_count(errors), 0);
    assert_non_null(worker);
    config_errors_destroy(errors);
    config_map_destroy(raw);
    return worker;
}

/* ---- client.id ------------------------------------------------------------------------- */

static void assert_round_trip(const char *url, const char *client_id)
{
    char *encoded = group_member_client_id_encode(url);
    assert_non_null(encoded);
    if (client_id)
        assert_string_equal(encoded, client_id);
    char *decoded = group_member_client_id_decode(encoded);
    assert_non_null(decoded);
    assert_string_equal(decoded, url);
    free(decoded);
    free(encoded);
}

static void test_client_id(void **state)
{
    (void)state;
    /* URLs as ferry builds them pass unchanged. */
    assert_round_trip("http://10.0.0.5:8083/", "ferry-worker@http://10.0.0.5:8083/");
    assert_round_trip("https://[::1]:9443/", "ferry-worker@https://[::1]:9443/");
    assert_round_trip("http://connect-1.example.com:443/",
                      "ferry-worker@http://connect-1.example.com:443/");
    /* '%', space, control and non-ASCII bytes are escaped, upper-case. */
    assert_round_trip("http://worker c:1/100%", "ferry-worker@http://worker%20c:1/100%25");
    assert_round_trip("http://w\xc3\xb6rker:1/\t", "ferry-worker@http://w%C3%B6rker:1/%09");
    assert_round_trip("http://h:1/?a=b&c=d;e,f'g(h)*+!$#@~_.-",
                      "ferry-worker@http://h:1/?a=b&c=d;e,f'g(h)*+!$#@~_.-");
    /* Every byte but NUL survives. */
    char every[256];
    for (int i = 1; i < 256; i++)
        every[i - 1] = (char)i;
    every[255] = '\0';
    assert_round_trip(every, NULL);

    /* Not a worker's client.id, or a broken one. */
    static const char *const refused[] = {
        "rdkafka", "ferry-worker@", "ferry-worker", "Ferry-worker@http://h:1/",
        "ferry-worker@http://h:1/%", "ferry-worker@http://h:1/%4", "ferry-worker@%zz",
        "ferry-worker@%4g", "ferry-worker@a%00b", "ferry-worker@http://a b/",
        "ferry-worker@http://h:1/\x7f", "ferry-worker@\xc3\xb6",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char *url = group_member_client_id_decode(refused[i]);
        if (url)
            fail_msg("'%s' decoded to '%s'", refused[i], url);
    }
    assert_null(group_member_client_id_decode(NULL));
    /* Lower-case escapes, as another writer may use, decode too. */
    char *url = group_member_client_id_decode("ferry-worker@http://a%2fb");
    assert_string_equal(url, "http://a/b");
    free(url);
}

/* ---- settings and config ----------------------------------------------------------------- */

static void test_settings_from_worker(void **state)
{
    (void)state;
    worker_config *worker = worker_from("bootstrap.servers=kafka:9092\ngroup.id=cluster-1\n"
                                        "config.storage.topic=cluster-1-configs\n"
                                        "listeners=https://0.0.0.0:8443\n"
                                        "rest.advertised.host.name=worker-1.example\n"
                                        "session.timeout.ms=30000\nheartbeat.interval.ms=5000\n"
                                        "rebalance.timeout.ms=120000\n");
    group_member_settings settings;
    memset(&settings, 0xa5, sizeof(settings));
    group_member_settings_from_worker(&settings, worker);
    assert_ptr_equal(settings.worker, worker);
    assert_string_equal(settings.group_id, "cluster-1");
    assert_string_equal(settings.worker_id, "worker-1.example:8443");
    assert_string_equal(settings.url, "https://worker-1.example:8443/");
    assert_string_equal(settings.config_topic, "cluster-1-configs");
    assert_int_equal(settings.session_timeout_ms, 30000);
    assert_int_equal(settings.heartbeat_interval_ms, 5000);
    assert_int_equal(settings.rebalance_timeout_ms, 120000);
    assert_null(settings.notify);
    assert_null(settings.opaque);
    worker_config_destroy(worker);
}

static void assert_conf(rd_kafka_conf_t *conf, const char *key, const char *expected)
{
    char value[512];
    size_t size = sizeof(value);
    if (rd_kafka_conf_get(conf, key, value, &size) != RD_KAFKA_CONF_OK)
        fail_msg("%s is not set", key);
    if (strcmp(value, expected) != 0)
        fail_msg("%s is '%s', expected '%s'", key, value, expected);
}

static void test_config(void **state)
{
    (void)state;
    char err[512];
    /* The worker's consumer.* keys apply, but none replaces what membership rests on; the
     * worker's security settings are the group connection's too. */
    worker_config *worker = worker_from(
        "bootstrap.servers=kafka-1:9092,kafka-2:9092\ngroup.id=cluster-1\n"
        "listeners=http://127.0.0.1:8083\n"
        "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        "username=\"worker\" password=\"s3cret\";\n"
        "consumer.fetch.wait.max.ms=7\nconsumer.client.id=mine\nconsumer.group.id=other\n"
        "consumer.group.instance.id=other\nconsumer.partition.assignment.strategy=range\n"
        "consumer.enable.auto.commit=true\nconsumer.session.timeout.ms=45000\n");
    group_member_settings settings;
    group_member_settings_from_worker(&settings, worker);
    rd_kafka_conf_t *conf = group_member_config_build(&settings, err, sizeof(err));
    if (!conf)
        fail_msg("%s", err);
    assert_conf(conf, "bootstrap.servers", "kafka-1:9092,kafka-2:9092");
    assert_conf(conf, "group.id", "cluster-1");
    assert_conf(conf, "group.instance.id", "127.0.0.1:8083");
    assert_conf(conf, "client.id", "ferry-worker@http://127.0.0.1:8083/");
    assert_conf(conf, "partition.assignment.strategy", "cooperative-sticky");
    assert_conf(conf, "enable.auto.commit", "false");
    assert_conf(conf, "enable.auto.offset.store", "false");
    assert_conf(conf, "session.timeout.ms", "10000");
    assert_conf(conf, "heartbeat.interval.ms", "3000");
    assert_conf(conf, "max.poll.interval.ms", "60000");
    assert_conf(conf, "fetch.wait.max.ms", "7");
    assert_conf(conf, "security.protocol", "sasl_ssl");
    assert_conf(conf, "sasl.mechanisms", "SCRAM-SHA-512");
    assert_conf(conf, "sasl.username", "worker");
    rd_kafka_conf_destroy(conf);

    /* What is wrong is named. */
    settings.worker_id = "";
    assert_null(group_member_config_build(&settings, err, sizeof(err)));
    assert_string_equal(err, "group member: the worker id is empty");
    assert_null(group_member_new(&settings, err, sizeof(err)));
    assert_string_equal(err, "group member: the worker id is empty");
    settings.worker_id = "w:1";
    settings.heartbeat_interval_ms = 0;
    assert_null(group_member_new(&settings, err, sizeof(err)));
    assert_string_equal(err, "group member: the timeouts must be positive");
    settings.heartbeat_interval_ms = 3000;
    settings.worker = NULL;
    assert_null(group_member_new(&settings, err, sizeof(err)));
    assert_string_equal(err, "group member: no worker config");
    group_member_destroy(NULL);
    worker_config_destroy(worker);
}

/* ---- without a broker ------------------------------------------------------------------ */

/* A member whose Kafka does not answer starts, stays fenced at epoch 0 with nothing to report,
 * leaves at once (it never joined) and closes without waiting for Kafka. */
static void test_without_broker(void **state)
{
    (void)state;
    char err[512];
    group_member_event event;
    worker_config *worker =
        worker_from("bootstrap.servers=127.0.0.1:1\nsession.timeout.ms=1000\n"
                    "heartbeat.interval.ms=100\nrebalance.timeout.ms=1000\n"
                    "consumer.log_level=0\n");
    group_member_settings settings;
    group_member_settings_from_worker(&settings, worker);
    struct group_member *member = group_member_new(&settings, err, sizeof(err));
    if (!member)
        fail_msg("%s", err);
    assert_true(group_member_fenced(member));
    assert_int_equal(group_member_epoch(member), 0);
    assert_false(group_member_next_event(member, &event, 0));
    assert_false(group_member_next_event(member, &event, 300));
    /* Suspended and resumed: still fenced, and nothing to report (it was never a member). */
    group_member_test_suspend(member, true);
    assert_true(group_member_fenced(member));
    group_member_test_suspend(member, false);
    assert_false(group_member_next_event(member, &event, 300));
    assert_int_equal(group_member_leave(member, 5000, err, sizeof(err)), 0);
    assert_true(group_member_fenced(member));
    assert_int_equal(group_member_epoch(member), 0);
    group_member_destroy(member);
    worker_config_destroy(worker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_id),
        cmocka_unit_test(test_settings_from_worker),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_without_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
