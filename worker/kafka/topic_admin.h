/*
 * topic_admin.h - makes sure a topic exists as the runtime needs it: the internal topics are
 * created compacted when missing, and an existing internal topic that is not compacted is refused
 * (Kafka Connect does the same: deleting old offsets or configs would lose them). Source topics
 * and dead-letter queue topics are created with the settings their connector asks for, and used
 * as they are when they exist. Also reads how large a record batch a topic takes
 * (max.message.bytes).
 */
#ifndef FERRY_TOPIC_ADMIN_H
#define FERRY_TOPIC_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

typedef struct topic_spec {
    const char *name;
    int32_t partitions;
    int16_t replication_factor; /* -1 = the broker's default */
    bool compacted;             /* created compacted, and refused when it exists uncompacted */
    const char *config_key;     /* the key that named it or its settings, for messages */
    const char *const *configs; /* more topic configs: NULL-terminated name, value pairs, or NULL */
} topic_spec;

/* Creates the topic when missing and checks cleanup.policy when it exists. admin is any client
 * handle. Returns 0, or -1 with a message naming the topic and the worker key to change. */
int topic_admin_ensure(rd_kafka_t *admin, const topic_spec *spec, int timeout_ms, char *err,
                       size_t errlen);

/* Kafka's default max.message.bytes of a topic (and message.max.bytes of a broker). */
#define TOPIC_ADMIN_KAFKA_MESSAGE_MAX 1048588

/* Where topic_admin_message_max found its answer. */
typedef enum topic_limit_origin {
    TOPIC_LIMIT_TOPIC,         /* the topic's max.message.bytes: its own, or the broker default
                                * the broker reports for it */
    TOPIC_LIMIT_BROKER,        /* no such topic yet: the broker's message.max.bytes, which it
                                * gets when it is created */
    TOPIC_LIMIT_KAFKA_DEFAULT, /* no such topic yet, and the broker's default unknown: Kafka's */
} topic_limit_origin;

/* The largest record batch the topic takes (max.message.bytes), asked with DescribeConfigs on
 * client (any handle: a task's producer will do). 0 with *bytes and *origin; -1 with why when the
 * broker refused (no DescribeConfigs ACL) or did not answer within about timeout_ms. Never marks
 * the client failed. Blocks; serves the client's queue (delivery reports) while it waits. */
int topic_admin_message_max(rd_kafka_t *client, const char *topic, int timeout_ms,
                            int64_t *bytes, topic_limit_origin *origin, char *why,
                            size_t whylen);

/* Waits until client's metadata has the topic with a leader for each partition, so that a
 * record produced next finds it (a topic just created reaches the brokers' metadata a moment
 * later). 0, or -1 with a message naming the topic after timeout_ms. */
int topic_admin_wait_known(rd_kafka_t *client, const char *topic, int timeout_ms, char *err,
                           size_t errlen);

#endif
