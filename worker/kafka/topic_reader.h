/*
 * topic_reader.h - reads a whole topic, every partition from its beginning up to the end offsets
 * it had when reading started: how the offset, config and status stores restore their state.
 */
#ifndef FERRY_TOPIC_READER_H
#define FERRY_TOPIC_READER_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

/* Called for each record in partition order; return 0 to go on, -1 to stop with an error (then
 * write the reason into err). */
typedef int (*topic_reader_fn)(void *opaque, const rd_kafka_message_t *message, char *err,
                               size_t errlen);

/* Takes ownership of consumer_conf (also on error). Returns the number of records read, or -1
 * with a message. */
long topic_reader_read_all(rd_kafka_conf_t *consumer_conf, const char *topic, int timeout_ms,
                           topic_reader_fn fn, void *opaque, char *err, size_t errlen);

#endif
