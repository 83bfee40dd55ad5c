/*
 * topic_writer.h - writes records to one internal topic with an idempotent producer (acks=all)
 * and the murmur2 partitioner, so keys land where a Java worker would put them. A write either
 * waits for Kafka's acknowledgement of all its records (offsets, configs) or is fire-and-forget
 * with failures logged (status). Thread-safe: several task threads may write at once.
 */
#ifndef FERRY_TOPIC_WRITER_H
#define FERRY_TOPIC_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "kafka/topic_reader.h"

typedef struct topic_writer topic_writer;

typedef struct topic_write_record {
    const void *key;
    size_t key_len;
    const void *value; /* NULL = tombstone */
    size_t value_len;
} topic_write_record;

/* Takes ownership of conf (also on error). NULL with a message on error. */
topic_writer *topic_writer_new(rd_kafka_conf_t *conf, const char *topic, char *err,
                               size_t errlen);
/* How every store on an internal topic starts (Kafka Connect's KafkaBasedLog): the whole topic
 * is read through fn, then a writer for it is returned. Takes ownership of both confs, also on
 * error. *records_read (may be NULL) gets the number of records read. */
topic_writer *topic_writer_open_restored(const char *topic, rd_kafka_conf_t *producer_conf,
                                         rd_kafka_conf_t *consumer_conf, int timeout_ms,
                                         topic_reader_fn fn, void *opaque, long *records_read,
                                         char *err, size_t errlen);

/* Waits until every record queued so far was acknowledged or failed (a failure of a queued
 * record is logged, as always). 0, or -1 with a message when some are still outstanding after
 * timeout_ms. */
/* Whether the writer's producer met a fatal error (a missing ACL, failed authentication): its
 * writes cannot succeed however often they are tried. message (may be NULL) receives it. */
bool topic_writer_failed(topic_writer *writer, char *message, size_t len);

int topic_writer_flush(topic_writer *writer, int timeout_ms, char *err, size_t errlen);

/* Flushes what is outstanding (up to 5 s) and frees; accepts NULL. */
void topic_writer_destroy(topic_writer *writer);

/* Writes the records and waits until Kafka acknowledged every one of them. Returns 0, or -1 with
 * a message (timeout, delivery failure). */
int topic_writer_write(topic_writer *writer, const topic_write_record *records, size_t count,
                       int timeout_ms, char *err, size_t errlen);
/* Where an acknowledged record was written. */
typedef struct topic_write_position {
    int32_t partition;
    int64_t offset;
} topic_write_position;

/* topic_writer_write, and on success positions[i] (count of them; may be NULL) says where
 * records[i] was written: how a writer that also reads the topic waits to read its write back. */
int topic_writer_write_at(topic_writer *writer, const topic_write_record *records, size_t count,
                          int timeout_ms, topic_write_position *positions, char *err,
                          size_t errlen);
/* Queues one record without waiting; a delivery failure is logged. 0, or -1 if not queued. */
int topic_writer_write_async(topic_writer *writer, const topic_write_record *record);

#endif
