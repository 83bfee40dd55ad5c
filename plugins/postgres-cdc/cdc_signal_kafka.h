/*
 * cdc_signal_kafka.h - Debezium's kafka signal channel: a librdkafka consumer of partition 0 of
 * signal.kafka.topic (default <topic.prefix>-signal) on the brokers of
 * signal.kafka.bootstrap.servers, in group signal.kafka.groupId, configured as Debezium's
 * KafkaSignalChannel configures its consumer (earliest, auto-commit) with every
 * signal.consumer.* key passed through. The task reads it without waiting on each poll; the
 * records' parsing is cdc_signal_parse_kafka (cdc_incremental.h).
 */
#ifndef PGCDC_CDC_SIGNAL_KAFKA_H
#define PGCDC_CDC_SIGNAL_KAFKA_H

#include <stddef.h>

#include <jansson.h>

#include "cdc_config.h"

typedef struct cdc_signal_kafka cdc_signal_kafka;

/* Creates the consumer and assigns it the topic's partition 0 (from the group's committed
 * offset, else the earliest). connector_config: the whole connector config (for
 * signal.consumer.*), borrowed. NULL with a message naming the key or the client error. */
cdc_signal_kafka *cdc_signal_kafka_new(const cdc_config *config, const json_t *connector_config,
                                       char *err, size_t errlen);
/* Commits what was read and closes the consumer; accepts NULL. */
void cdc_signal_kafka_destroy(cdc_signal_kafka *channel);

/* The next record, without waiting: 1 with *key and *value (malloc'd, NULL when the record has
 * none), 0 when nothing is there, -1 with a message for a consumer error (the channel goes on:
 * a missing topic, say, is reported and the next call tries again). */
int cdc_signal_kafka_next(cdc_signal_kafka *channel, char **key, char **value, char *err,
                          size_t errlen);

/* The topic read. */
const char *cdc_signal_kafka_topic(const cdc_signal_kafka *channel);

#endif
