/*
 * offset_store.h - source offsets in the offsets topic, in Kafka Connect's format: key
 * ["<connector>",{partition}], value {offset} (JSON without schema), a null value resetting a
 * partition. The whole topic is read at start; afterwards the store is the in-memory view of what
 * was written and acknowledged. Thread-safe.
 */
#ifndef FERRY_OFFSET_STORE_H
#define FERRY_OFFSET_STORE_H

#include <stddef.h>

#include <ferry/plugin.h>
#include <librdkafka/rdkafka.h>

typedef struct offset_store offset_store;

/* Reads the topic with consumer_conf and writes with producer_conf (ownership of both taken,
 * also on error). NULL with a message on error. Malformed records are logged and skipped. */
offset_store *offset_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, int timeout_ms, char *err,
                                size_t errlen);
void offset_store_close(offset_store *store); /* accepts NULL */

/* A view of the topic as committed now, without a writer: what an exactly-once source task reads
 * its own offsets from once its transactional producer has fenced its predecessors (their open
 * transactions are aborted, so a read_committed read sees every offset they committed). Takes
 * ownership of consumer_conf (also on error). NULL with a message on error. */
offset_store *offset_store_read(const char *topic, rd_kafka_conf_t *consumer_conf,
                                int timeout_ms, char *err, size_t errlen);

/* Records offsets that were written to the topic by someone else (an exactly-once task's
 * transactional producer, inside a transaction now committed), so that _get and _list see them. */
void offset_store_note(offset_store *store, const char *connector,
                       const ferry_source_offset *entries, size_t count);

/* The Kafka Connect key and value bytes of one offset record: two new strings (*value NULL for a
 * tombstone). 0, or -1 with a message (partition not an object, out of memory). */
int offset_store_record(const char *connector, const ferry_source_offset *entry, char **key,
                        char **value, char *err, size_t errlen);

/* The committed offset of a connector's source partition: a copy (the caller's), or NULL. */
json_t *offset_store_get(offset_store *store, const char *connector, json_t *partition);

/* Writes offsets (not on a store from _read) and returns once Kafka acknowledged all of them (then they are visible to _get).
 * An entry whose offset is NULL writes a tombstone (resets the partition). 0, or -1 with a
 * message. */
int offset_store_write(offset_store *store, const char *connector,
                       const ferry_source_offset *entries, size_t count, int timeout_ms,
                       char *err, size_t errlen);

/* A connector's offsets as [{"partition":{..},"offset":{..}}], copies (the caller's). */
json_t *offset_store_list(offset_store *store, const char *connector);

#endif
