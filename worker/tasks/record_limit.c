/*
 * record_limit.c - the largest record a task can send to a topic, from its producer's settings
 * and the topic's max.message.bytes, and the size arithmetic around it.
 */
#include "tasks/record_limit.h"

#include <inttypes.h>
#include <stdlib.h>

#include <jansson.h>

#include "base/log.h"
#include "kafka/topic_admin.h"

/* librdkafka's default message.max.bytes, should its config not answer. */
#define RECORD_LIMIT_PRODUCER_DEFAULT 1000000

struct record_limit_cache {
    json_t *by_topic; /* topic -> limit */
};

int64_t record_limit_combine(int64_t producer_max, int64_t topic_max)
{
    return topic_max > 0 && topic_max < producer_max ? topic_max : producer_max;
}

int64_t record_limit_record_size(size_t key_len, size_t value_len, size_t header_bytes,
                                 size_t header_count)
{
    return (int64_t)(RECORD_LIMIT_BATCH_FRAMING + RECORD_LIMIT_RECORD_FRAMING + key_len +
                     value_len + header_bytes + header_count * RECORD_LIMIT_HEADER_FRAMING);
}

int64_t record_limit_value_room(int64_t limit, size_t key_len, size_t header_bytes,
                                size_t header_count)
{
    int64_t room = limit - record_limit_record_size(key_len, 0, header_bytes, header_count);
    return room >= 0 ? room : -1;
}

/* One integer setting of the producer as librdkafka holds it; fallback when it does not say. */
static int64_t record_limit_setting(rd_kafka_t *producer, const char *key, int64_t fallback)
{
    char text[32];
    size_t size = sizeof(text);
    if (rd_kafka_conf_get(rd_kafka_conf(producer), key, text, &size) != RD_KAFKA_CONF_OK)
        return fallback;
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    return end != text && !*end && value > 0 ? (int64_t)value : fallback;
}

int64_t record_limit_producer_max(rd_kafka_t *producer)
{
    return record_limit_setting(producer, "message.max.bytes", RECORD_LIMIT_PRODUCER_DEFAULT);
}

int64_t record_limit_producer_batch(rd_kafka_t *producer)
{
    int64_t message_max = record_limit_producer_max(producer);
    int64_t batch = record_limit_setting(producer, "batch.size", message_max);
    return batch < message_max ? batch : message_max;
}

int64_t record_limit_derive(rd_kafka_t *producer, const char *topic, const char *scope)
{
    int64_t producer_max = record_limit_producer_max(producer);
    int64_t topic_max = 0;
    topic_limit_origin origin = TOPIC_LIMIT_TOPIC;
    char why[768];
    if (topic_admin_message_max(producer, topic, RECORD_LIMIT_DESCRIBE_TIMEOUT_MS, &topic_max,
                                &origin, why, sizeof(why)) != 0) {
        log_info(scope, "a record to topic %s is held to the producer's message.max.bytes "
                 "(%" PRId64 " bytes) alone: the topic's max.message.bytes is unknown (%s)", topic,
                 producer_max, why);
        return producer_max;
    }
    int64_t limit = record_limit_combine(producer_max, topic_max);
    log_info(scope, "a record to topic %s holds at most %" PRId64 " bytes: the lower of the "
             "producer's message.max.bytes (%" PRId64 ") and %s (%" PRId64 ")", topic, limit,
             producer_max,
             origin == TOPIC_LIMIT_TOPIC    ? "the topic's max.message.bytes"
             : origin == TOPIC_LIMIT_BROKER ? "the broker's message.max.bytes, which the topic "
                                              "will get when it is created"
                                            : "Kafka's default max.message.bytes, for a topic "
                                              "not created yet",
             topic_max);
    return limit;
}

record_limit_cache *record_limit_cache_new(void)
{
    record_limit_cache *cache = calloc(1, sizeof(*cache));
    if (cache && !(cache->by_topic = json_object())) {
        free(cache);
        return NULL;
    }
    return cache;
}

void record_limit_cache_destroy(record_limit_cache *cache)
{
    if (!cache)
        return;
    json_decref(cache->by_topic);
    free(cache);
}

int64_t record_limit_get(record_limit_cache *cache, rd_kafka_t *producer, const char *topic,
                         const char *scope)
{
    json_t *known = json_object_get(cache->by_topic, topic);
    if (known)
        return (int64_t)json_integer_value(known);
    int64_t limit = record_limit_derive(producer, topic, scope);
    /* Out of memory: asked again next time, which costs time, not correctness. */
    json_object_set_new(cache->by_topic, topic, json_integer((json_int_t)limit));
    return limit;
}
