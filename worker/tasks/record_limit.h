/*
 * record_limit.h - the largest record a task can send to a topic: the lower of its producer's
 * message.max.bytes, as librdkafka is really configured (the worker's producer.* and the
 * connector's producer.override.* after ferry's translation), and the topic's max.message.bytes
 * as the broker reports it (topic_admin_message_max). A source task caches the answer per topic
 * (the plugins' ferry_host.record_max_bytes); the error handler asks once for its dead-letter
 * queue topic. Also the arithmetic of a record's size as Kafka counts it, to cut a record down to
 * a limit.
 */
#ifndef FERRY_RECORD_LIMIT_H
#define FERRY_RECORD_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

/* What Kafka counts around a record's key, value and header names and values: the header of the
 * record batch that holds it, the record's own varints (librdkafka's worst case, which its
 * producer checks against message.max.bytes) and each header's two length varints. */
#define RECORD_LIMIT_BATCH_FRAMING 61
#define RECORD_LIMIT_RECORD_FRAMING 36
#define RECORD_LIMIT_HEADER_FRAMING 10

/* How long the broker may take to say what a topic takes before the producer's limit is used. */
#define RECORD_LIMIT_DESCRIBE_TIMEOUT_MS 5000

/* ---- the pure parts, for tests ------------------------------------------------------------ */

/* The limit of a record: the lower of the producer's and the topic's; topic_max <= 0 means the
 * topic's is unknown, and then the producer's counts alone. */
int64_t record_limit_combine(int64_t producer_max, int64_t topic_max);

/* The bytes a record takes as Kafka counts it in a batch of its own. header_bytes is the sum of
 * its header names and values. */
int64_t record_limit_record_size(size_t key_len, size_t value_len, size_t header_bytes,
                                 size_t header_count);

/* How many bytes of value a record with this key and these headers may keep and still fit limit;
 * -1 when even an empty value does not fit. */
int64_t record_limit_value_room(int64_t limit, size_t key_len, size_t header_bytes,
                                size_t header_count);

/* ---- a producer's and a topic's limits ---------------------------------------------------- */

/* The producer's message.max.bytes: the largest record it sends. */
int64_t record_limit_producer_max(rd_kafka_t *producer);
/* The most a batch of this producer holds (the lower of batch.size and message.max.bytes): a
 * topic that takes less refuses batches of small records too. */
int64_t record_limit_producer_batch(rd_kafka_t *producer);

/* The limit of a record to topic, asking the broker with producer's handle (which serves its
 * delivery reports meanwhile). Logs at INFO under scope what it found or, when the broker did
 * not say, why the producer's limit alone counts. */
int64_t record_limit_derive(rd_kafka_t *producer, const char *topic, const char *scope);

/* A source task's answers, one per topic. Used from the task's thread only. */
typedef struct record_limit_cache record_limit_cache;

record_limit_cache *record_limit_cache_new(void);
void record_limit_cache_destroy(record_limit_cache *cache); /* accepts NULL */

/* The cached limit of topic, derived (record_limit_derive) at the first call. */
int64_t record_limit_get(record_limit_cache *cache, rd_kafka_t *producer, const char *topic,
                         const char *scope);

#endif
