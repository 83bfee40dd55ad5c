/*
 * topic_admin.h - makes sure a topic exists as the runtime needs it: the internal topics are
 * created compacted when missing, and an existing internal topic that is not compacted is refused
 * (Kafka Connect does the same: deleting old offsets or configs would lose them).
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
    bool compacted;
    const char *config_key;     /* the worker key that named it, for messages */
} topic_spec;

/* Creates the topic when missing and checks cleanup.policy when it exists. admin is any client
 * handle. Returns 0, or -1 with a message naming the topic and the worker key to change. */
int topic_admin_ensure(rd_kafka_t *admin, const topic_spec *spec, int timeout_ms, char *err,
                       size_t errlen);

#endif
