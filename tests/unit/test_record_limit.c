/* record_limit: the largest record a task can send to a topic (the lower of the producer's and
 * the topic's limits), the producer's limits as librdkafka holds them after the worker's and the
 * connector's layers, and the size of a record as Kafka counts it, for cutting one down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/properties.h"
#include "config/worker_config.h"
#include "kafka/kafka_config.h"
#include "tasks/record_limit.h"

static void test_combine_takes_the_lower(void **state)
{
    (void)state;
    /* A topic that takes less than the producer sends. */
    assert_int_equal(record_limit_combine(1000000, 65536), 65536);
    /* Kafka's default topic takes more than librdkafka's default producer. */
    assert_int_equal(record_limit_combine(1000000, 1048588), 1000000);
    /* A topic whose limit is unknown: the producer's alone. */
    assert_int_equal(record_limit_combine(200000, 0), 200000);
    assert_int_equal(record_limit_combine(200000, -1), 200000);
}

static void test_record_size_counts_the_framing(void **state)
{
    (void)state;
    /* 61 of batch header, 36 of the record's own varints, 10 per header. */
    assert_int_equal(record_limit_record_size(0, 0, 0, 0), 97);
    assert_int_equal(record_limit_record_size(3, 100, 20, 2), 97 + 3 + 100 + 20 + 20);
}

static void test_value_room(void **state)
{
    (void)state;
    int64_t room = record_limit_value_room(65536, 10, 300, 9);
    assert_int_equal(room, 65536 - 97 - 10 - 300 - 90);
    /* What the room allows fits exactly. */
    assert_int_equal(record_limit_record_size(10, (size_t)room, 300, 9), 65536);
    /* Key and headers alone too large: no room at all. */
    assert_int_equal(record_limit_value_room(200, 150, 0, 0), -1);
    assert_int_equal(record_limit_value_room(97, 0, 0, 0), 0);
}

static rd_kafka_t *producer_from(const char *worker_text, const char *connector_text)
{
    char err[512];
    config_map *raw = config_map_new();
    assert_int_equal(properties_parse(worker_text, strlen(worker_text), raw, err, sizeof(err)), 0);
    config_errors *errors = config_errors_new();
    worker_config *worker = worker_config_load(raw, NULL, errors, NULL);
    assert_non_null(worker);
    config_map *connector = config_map_new();
    assert_int_equal(properties_parse(connector_text, strlen(connector_text), connector, err,
                                      sizeof(err)),
                     0);
    rd_kafka_conf_t *conf = kafka_config_build(worker, KAFKA_CLIENT_PRODUCER, connector,
                                               "record-limit-test", err, sizeof(err));
    if (!conf)
        fail_msg("kafka_config_build: %s", err);
    /* No broker is ever contacted: the producer is only asked for its settings. */
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!producer)
        fail_msg("rd_kafka_new: %s", err);
    config_map_destroy(connector);
    worker_config_destroy(worker);
    config_errors_destroy(errors);
    config_map_destroy(raw);
    return producer;
}

static void test_producer_limits_follow_the_layers(void **state)
{
    (void)state;
    /* librdkafka's defaults: message.max.bytes 1000000, batch.size 1000000. */
    rd_kafka_t *producer = producer_from("bootstrap.servers=127.0.0.1:1\n", "");
    assert_int_equal(record_limit_producer_max(producer), 1000000);
    assert_int_equal(record_limit_producer_batch(producer), 1000000);
    rd_kafka_destroy(producer);

    /* The worker's producer.* key. */
    producer = producer_from("bootstrap.servers=127.0.0.1:1\nproducer.message.max.bytes=200000\n",
                             "");
    assert_int_equal(record_limit_producer_max(producer), 200000);
    assert_int_equal(record_limit_producer_batch(producer), 200000);
    rd_kafka_destroy(producer);

    /* The connector's producer.override.* wins over the worker's; a smaller batch.size bounds
     * the batches, not the records. */
    producer = producer_from("bootstrap.servers=127.0.0.1:1\nproducer.message.max.bytes=200000\n",
                             "producer.override.message.max.bytes=300000\n"
                             "producer.override.batch.size=16384\n");
    assert_int_equal(record_limit_producer_max(producer), 300000);
    assert_int_equal(record_limit_producer_batch(producer), 16384);
    rd_kafka_destroy(producer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine_takes_the_lower),
        cmocka_unit_test(test_record_size_counts_the_framing),
        cmocka_unit_test(test_value_room),
        cmocka_unit_test(test_producer_limits_follow_the_layers),
    };
    return cmocka_run_group_tests_name("record_limit", tests, NULL, NULL);
}
