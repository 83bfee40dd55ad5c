/*
 * source_staging.h - the records an exactly-once source task converts while its previous
 * transaction is being delivered and committed (transaction.boundary poll and interval): Kafka
 * takes no record between the start of a commit and the next transaction, so the task keeps
 * polling its plugin and holds what it converts here, whole poll batches, in memory, and
 * produces them into the next transaction once the commit returned (docs/runtime.md, "Source
 * path and its guarantee"). One arena of bytes for keys, values and topic names, so that a
 * staged record costs no allocation of its own. Owned by the task's thread; not thread-safe.
 */
#ifndef FERRY_SOURCE_STAGING_H
#define FERRY_SOURCE_STAGING_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

typedef struct source_staging source_staging;

/* One staged record, as source_staging_get returns it: pointers into the staging, valid until
 * the next _add or _clear. */
typedef struct source_staged_record {
    const char *topic;
    int32_t partition;            /* RD_KAFKA_PARTITION_UA: the partitioner's choice */
    const void *key;              /* NULL: no key */
    size_t key_len;
    const void *value;            /* NULL: a tombstone */
    size_t value_len;
    int64_t timestamp_ms;
    rd_kafka_headers_t *headers;  /* NULL: none; see source_staging_headers_take */
} source_staged_record;

source_staging *source_staging_new(void);
/* Frees the staging and what it holds. Accepts NULL. */
void source_staging_destroy(source_staging *staging);

/* Copies a converted record in; headers (may be NULL) become the staging's. 0, or -1 when out
 * of memory (then headers stay the caller's). */
int source_staging_add(source_staging *staging, const char *topic, int32_t partition,
                       const void *key, size_t key_len, const void *value, size_t value_len,
                       int64_t timestamp_ms, rd_kafka_headers_t *headers);

size_t source_staging_count(const source_staging *staging);
/* The bytes the staged records hold (keys, values, topic names). */
size_t source_staging_bytes(const source_staging *staging);

/* The index-th staged record (index < source_staging_count). */
void source_staging_get(const source_staging *staging, size_t index,
                        source_staged_record *record);
/* The index-th record's headers handed over (to the producer, which owns them once it took the
 * record): the staging no longer frees them. */
void source_staging_headers_take(source_staging *staging, size_t index);

/* Drops every staged record (and the headers still held); keeps the memory for the next. */
void source_staging_clear(source_staging *staging);

#endif
