/*
 * topic_writer.c - acknowledged writes: every synchronous write gets a batch counter as the
 * message opaque; delivery reports (served by whichever writer thread polls) count it down.
 */
#include "kafka/topic_writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/kafka_client.h"
#include "support/clock.h"

struct topic_writer {
    rd_kafka_t *producer;
    rd_kafka_topic_t *topic;
    char *name;
};

struct write_batch;

/* One record of a synchronous write: the message opaque its delivery report comes back with. */
typedef struct write_slot {
    struct write_batch *batch;
    int32_t partition; /* where it was written, once acknowledged */
    int64_t offset;
} write_slot;

/* One synchronous write's progress. Shared by the writer and the delivery reports: whoever is
 * last of the waiter and the outstanding reports frees it, so a writer may give up waiting at its
 * timeout while late reports still arrive. */
typedef struct write_batch {
    pthread_mutex_t mutex;
    size_t remaining;    /* reports still to come */
    bool abandoned;      /* the waiter returned */
    rd_kafka_resp_err_t first_error;
    write_slot slots[];  /* one per record */
} write_batch;

static void write_batch_release_locked(write_batch *batch)
{
    bool last = batch->abandoned && batch->remaining == 0;
    pthread_mutex_unlock(&batch->mutex);
    if (last) {
        pthread_mutex_destroy(&batch->mutex);
        free(batch);
    }
}

static void topic_writer_delivered(rd_kafka_t *producer, const rd_kafka_message_t *message,
                                   void *opaque)
{
    write_slot *slot = message->_private;
    if (!slot) {
        char why[1024];
        if (message->err)
            log_error("kafka", "write to %s failed: %s", rd_kafka_topic_name(message->rkt),
                      kafka_client_error_text(producer, message->err, NULL,
                                              rd_kafka_topic_name(message->rkt), why,
                                              sizeof(why)));
        return;
    }
    write_batch *batch = slot->batch;
    pthread_mutex_lock(&batch->mutex);
    if (message->err && !batch->first_error)
        batch->first_error = message->err;
    slot->partition = message->partition;
    slot->offset = message->offset;
    batch->remaining--;
    write_batch_release_locked(batch);
}

topic_writer *topic_writer_new(rd_kafka_conf_t *conf, const char *topic, char *err,
                               size_t errlen)
{
    char why[512];
    topic_writer *writer = calloc(1, sizeof(*writer));
    if (!writer || !(writer->name = strdup(topic))) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    static const char *const fixed[][2] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"partitioner", "murmur2_random"},
        {"linger.ms", "0"},
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (rd_kafka_conf_set(conf, fixed[i][0], fixed[i][1], why, sizeof(why))) {
            ferry_error_set(err, errlen, "producer for %s: %s", topic, why);
            goto fail;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, topic_writer_delivered);
    writer->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!writer->producer) {
        ferry_error_set(err, errlen, "producer for %s: %s", topic, why);
        goto fail;
    }
    conf = NULL;
    writer->topic = rd_kafka_topic_new(writer->producer, topic, NULL);
    if (!writer->topic) {
        ferry_error_set(err, errlen, "producer for %s: %s", topic,
                        rd_kafka_err2str(rd_kafka_last_error()));
        goto fail;
    }
    return writer;
fail:
    if (conf)
        rd_kafka_conf_destroy(conf);
    topic_writer_destroy(writer);
    return NULL;
}

topic_writer *topic_writer_open_restored(const char *topic, rd_kafka_conf_t *producer_conf,
                                         rd_kafka_conf_t *consumer_conf, int timeout_ms,
                                         topic_reader_fn fn, void *opaque, long *records_read,
                                         char *err, size_t errlen)
{
    long read = topic_reader_read_all(consumer_conf, topic, TOPIC_READER_END_STABLE, timeout_ms,
                                      fn, opaque, err, errlen);
    if (records_read)
        *records_read = read;
    if (read < 0) {
        rd_kafka_conf_destroy(producer_conf);
        return NULL;
    }
    return topic_writer_new(producer_conf, topic, err, errlen);
}

bool topic_writer_failed(topic_writer *writer, char *message, size_t len)
{
    return writer && writer->producer && kafka_client_failed(writer->producer, message, len);
}

int topic_writer_flush(topic_writer *writer, int timeout_ms, char *err, size_t errlen)
{
    rd_kafka_resp_err_t rc = rd_kafka_flush(writer->producer, timeout_ms);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ferry_error_set(err, errlen, "writes to %s not acknowledged within %d ms: %s",
                        writer->name, timeout_ms, rd_kafka_err2str(rc));
        return -1;
    }
    return 0;
}

void topic_writer_destroy(topic_writer *writer)
{
    if (!writer)
        return;
    if (writer->producer) {
        if (rd_kafka_flush(writer->producer, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
            log_warn("kafka", "writes to %s still unacknowledged at shutdown", writer->name);
        if (writer->topic)
            rd_kafka_topic_destroy(writer->topic);
        rd_kafka_destroy(writer->producer);
    }
    free(writer->name);
    free(writer);
}

/* Queues one record, waiting for room in the producer's queue until the deadline. */
static rd_kafka_resp_err_t topic_writer_queue(topic_writer *writer,
                                              const topic_write_record *record, void *opaque,
                                              int64_t deadline)
{
    for (;;) {
        int rc = rd_kafka_produce(writer->topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                  (void *)record->value, record->value ? record->value_len : 0,
                                  record->key, record->key_len, opaque);
        if (rc == 0)
            return RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_resp_err_t code = rd_kafka_last_error();
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL || clock_monotonic_ms() > deadline)
            return code;
        rd_kafka_poll(writer->producer, 10);
    }
}

int topic_writer_write(topic_writer *writer, const topic_write_record *records, size_t count,
                       int timeout_ms, char *err, size_t errlen)
{
    return topic_writer_write_at(writer, records, count, timeout_ms, NULL, err, errlen);
}

int topic_writer_write_at(topic_writer *writer, const topic_write_record *records, size_t count,
                          int timeout_ms, topic_write_position *positions, char *err,
                          size_t errlen)
{
    write_batch *batch = calloc(1, sizeof(*batch) + count * sizeof(write_slot));
    if (!batch)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    pthread_mutex_init(&batch->mutex, NULL);
    batch->remaining = count;
    for (size_t i = 0; i < count; i++)
        batch->slots[i].batch = batch;
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    size_t queued = 0;
    int rc = -1;
    char why[1024];
    for (; queued < count; queued++) {
        rd_kafka_resp_err_t code =
            topic_writer_queue(writer, &records[queued], &batch->slots[queued], deadline);
        if (code) {
            /* A producer that cannot go on (a fatal error) says why. */
            ferry_error_set(err, errlen, "cannot write to %s: %s", writer->name,
                            kafka_client_failed(writer->producer, why, sizeof(why))
                                ? why
                                : rd_kafka_err2str(code));
            break;
        }
    }
    pthread_mutex_lock(&batch->mutex);
    batch->remaining -= count - queued; /* never queued: no report will come */
    pthread_mutex_unlock(&batch->mutex);
    for (;;) {
        pthread_mutex_lock(&batch->mutex);
        size_t remaining = batch->remaining;
        rd_kafka_resp_err_t first_error = batch->first_error;
        pthread_mutex_unlock(&batch->mutex);
        if (remaining == 0) {
            if (queued == count && !first_error)
                rc = 0;
            else if (queued == count)
                ferry_error_set(err, errlen, "write to %s failed: %s", writer->name,
                                kafka_client_error_text(writer->producer, first_error, NULL,
                                                        writer->name, why, sizeof(why)));
            for (size_t i = 0; rc == 0 && positions && i < count; i++)
                positions[i] = (topic_write_position){.partition = batch->slots[i].partition,
                                                      .offset = batch->slots[i].offset};
            break;
        }
        if (clock_monotonic_ms() > deadline) {
            /* The records may still be delivered later; the caller must treat them as not
             * written (offsets: committed again at the next interval, which is harmless). */
            ferry_error_set(err, errlen, "%zu of %zu writes to %s not acknowledged within %d ms",
                            remaining, count, writer->name, timeout_ms);
            break;
        }
        rd_kafka_poll(writer->producer, 5);
    }
    pthread_mutex_lock(&batch->mutex);
    batch->abandoned = true;
    write_batch_release_locked(batch);
    return rc;
}

int topic_writer_write_async(topic_writer *writer, const topic_write_record *record)
{
    rd_kafka_poll(writer->producer, 0);
    rd_kafka_resp_err_t code =
        topic_writer_queue(writer, record, NULL, clock_monotonic_ms() + 1000);
    if (code) {
        char why[1024];
        log_error("kafka", "cannot write to %s: %s", writer->name,
                  kafka_client_failed(writer->producer, why, sizeof(why))
                      ? why
                      : rd_kafka_err2str(code));
        return -1;
    }
    return 0;
}
