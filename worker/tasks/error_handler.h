/*
 * error_handler.h - what happens to a record that fails in a task: Kafka Connect's
 * errors.tolerance (none | all), errors.log.enable / errors.log.include.messages, and the
 * dead-letter queue (errors.deadletterqueue.topic.name, with the __connect.errors.* context
 * headers when errors.deadletterqueue.context.headers.enable=true). Kafka Connect has a DLQ for
 * sinks only; ferry sends failed source records there too.
 *
 * One handler per task, used from that task's thread only.
 */
#ifndef FERRY_ERROR_HANDLER_H
#define FERRY_ERROR_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config/config_map.h"

/* Kafka Connect's stage names, written to the __connect.errors.stage header. */
typedef enum error_stage {
    ERROR_STAGE_KEY_CONVERTER,
    ERROR_STAGE_VALUE_CONVERTER,
    ERROR_STAGE_HEADER_CONVERTER,
    ERROR_STAGE_TRANSFORMATION,
    ERROR_STAGE_TASK_PUT,
    ERROR_STAGE_TASK_POLL,
    ERROR_STAGE_KAFKA_PRODUCE,
    ERROR_STAGE_KAFKA_CONSUME,
} error_stage;

const char *error_stage_name(error_stage stage); /* "VALUE_CONVERTER", ... */

/* One failure. For sinks, topic/partition/offset and the raw key/value/headers are those of the
 * Kafka message as consumed; for sources, the record as the plugin gave it, serialised as well as
 * possible (offset -1). */
typedef struct error_context {
    error_stage stage;
    const char *class_name;     /* what failed: the converter's class, the connector type */
    const char *message;        /* the reason, one line */
    const char *topic;
    int32_t partition;
    int64_t offset;             /* -1 for sources */
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const rd_kafka_headers_t *headers; /* may be NULL; copied into the DLQ record */
} error_context;

typedef struct error_handler error_handler;

/* Reads errors.* from the connector config (every key optional, Kafka Connect's defaults). When a
 * DLQ topic is set, producer_conf (ownership taken, also on error) configures its producer;
 * otherwise it is destroyed. scope is the task's log scope ("task:orders-0"). NULL with a
 * message naming the key on a bad value. */
error_handler *error_handler_new(const char *connector, int task_id, const char *scope,
                                 const config_map *connector_config,
                                 rd_kafka_conf_t *producer_conf, char *err, size_t errlen);
/* Flushes the DLQ producer (up to 5 s) and frees; accepts NULL. */
void error_handler_destroy(error_handler *handler);

bool error_handler_tolerates_all(const error_handler *handler);

/* Handles one failure: logs it when errors.log.enable (the record's key and value too with
 * errors.log.include.messages), and with errors.tolerance=all sends it to the DLQ when one is
 * configured. Returns true when the record is tolerated (the task skips it and goes on), false
 * when the task must fail (errors.tolerance=none): then err holds the message for the task's
 * trace, naming stage, topic, partition and offset. */
bool error_handler_report(error_handler *handler, const error_context *context, char *err,
                          size_t errlen);

/* Holds DLQ records to the DLQ producer's message.max.bytes without asking the broker what the
 * topic takes: for the embedded Kafka, which takes what the producer sends and does not answer
 * DescribeConfigs. Otherwise the handler asks before its first DLQ record. */
void error_handler_dlq_limit_from_producer(error_handler *handler);

/* Serves the DLQ producer's delivery reports; call from the task loop. */
/* Creates the dead-letter queue topic when missing (one partition, the configured
 * errors.deadletterqueue.topic.replication.factor), so that it needs no auto-creation on the
 * broker; nothing without a dead-letter queue. 0, or -1 with a message naming the topic. */
int error_handler_dlq_topic_create(error_handler *handler, int timeout_ms, char *err,
                                   size_t errlen);
void error_handler_poll(error_handler *handler);
/* Whether the dead-letter queue's producer met a fatal error (kafka_client.h); message (may be
 * NULL) then holds it for users. */
bool error_handler_failed(error_handler *handler, char *message, size_t len);
/* Waits until every DLQ record is acknowledged, before offsets past them are committed. Returns
 * 0, or -1 with a message (timeout, or a DLQ record that could not be delivered). */
int error_handler_flush(error_handler *handler, int timeout_ms, char *err, size_t errlen);

/* Counters for metrics. */
uint64_t error_handler_failures(const error_handler *handler);
uint64_t error_handler_dlq_records(const error_handler *handler);

#endif
