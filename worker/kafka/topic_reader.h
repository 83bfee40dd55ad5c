/*
 * topic_reader.h - reads an internal topic from its beginning, every partition: once up to the
 * end offsets it had when reading started (how the stores restore their state), or, as Kafka
 * Connect's KafkaBasedLog does, on and on: after the restore, a thread of the reader's own keeps
 * handing every record written later to the same callback, and a caller can wait until the reader
 * has passed the topic's current end (a write read back).
 */
#ifndef FERRY_TOPIC_READER_H
#define FERRY_TOPIC_READER_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

/* Called for each record in partition order; return 0 to go on, -1 to stop with an error (then
 * write the reason into err). After the restore, a -1 is logged and reading goes on. */
typedef int (*topic_reader_fn)(void *opaque, const rd_kafka_message_t *message, char *err,
                               size_t errlen);

/* Where a reading of the whole topic ends. The reader is read_committed, so its end offsets
 * are the last stable offsets, and a transaction still open hides every record written after
 * its first one, committed or not. */
typedef enum topic_reader_end {
    TOPIC_READER_END_STABLE, /* the last stable offsets of the start: what a transaction open
                              * then hides is not waited for */
    TOPIC_READER_END_ALL,    /* on to the high watermarks: every record written before the
                              * reading began, once the transactions open then ended (an
                              * exactly-once task's own offsets, which another task's commit
                              * under way on the same partition would hide) */
} topic_reader_end;

/* Takes ownership of consumer_conf (also on error). Returns the number of records read, or -1
 * with a message (with TOPIC_READER_END_ALL, one naming a transaction that did not end within
 * timeout_ms). */
long topic_reader_read_all(rd_kafka_conf_t *consumer_conf, const char *topic,
                           topic_reader_end end, int timeout_ms, topic_reader_fn fn, void *opaque,
                           char *err, size_t errlen);

typedef struct topic_reader topic_reader;

/* Reads the whole topic through fn on the calling thread, as topic_reader_read_all does to
 * TOPIC_READER_END_STABLE (a later topic_reader_sync reads on), then
 * starts the reader's thread, which calls fn for every record written after (fn is never called
 * from two threads at once). Takes ownership of consumer_conf (also on error). *records_read (may
 * be NULL) gets the number of records the restore read. NULL with a message on error. */
topic_reader *topic_reader_start(rd_kafka_conf_t *consumer_conf, const char *topic,
                                 int timeout_ms, topic_reader_fn fn, void *opaque,
                                 long *records_read, char *err, size_t errlen);

/* Waits until fn has been called for every record written to the topic before this call: asks
 * Kafka for the end offsets, then waits for the reader to pass them (Kafka Connect's
 * readToEnd). 0, or -1 with a message (Kafka did not answer, or the reader did not get there
 * within timeout_ms). Any thread but the reader's own: never from fn. */
int topic_reader_sync(topic_reader *reader, int timeout_ms, char *err, size_t errlen);

/* The topic's partition count when the reader started. */
int topic_reader_partitions(const topic_reader *reader);
/* Waits until fn has been called for every record below ends[p] in each partition p (ends:
 * topic_reader_partitions() offsets): how a writer waits to read back what it wrote, knowing
 * where it went. 0, or -1 with a message after timeout_ms. Any thread but the reader's own. */
int topic_reader_wait(topic_reader *reader, const int64_t *ends, int timeout_ms, char *err,
                      size_t errlen);

/* Stops the thread and closes the consumer: once it returns fn is not called again. Accepts
 * NULL. */
void topic_reader_stop(topic_reader *reader);

#endif
