/*
 * embedded_kafka.h - an in-process, in-memory Kafka (librdkafka's mock cluster) for the
 * quickstart and for fault injection, used when bootstrap.servers is absent or "embedded". It
 * listens on loopback, so kcat can look inside; it keeps nothing across restarts.
 */
#ifndef FERRY_EMBEDDED_KAFKA_H
#define FERRY_EMBEDDED_KAFKA_H

#include <stddef.h>
#include <stdint.h>

typedef struct embedded_kafka embedded_kafka;

/* Starts a one-broker cluster. NULL with a message on failure. */
embedded_kafka *embedded_kafka_start(char *err, size_t errlen);
void embedded_kafka_stop(embedded_kafka *kafka); /* accepts NULL */
/* "127.0.0.1:PORT", owned by the cluster. */
const char *embedded_kafka_bootstrap(const embedded_kafka *kafka);
/* Creates a topic (the mock cluster has no CreateTopics and no compaction). 0 or -1. */
int embedded_kafka_topic_create(embedded_kafka *kafka, const char *topic, int32_t partitions,
                                char *err, size_t errlen);

#endif
