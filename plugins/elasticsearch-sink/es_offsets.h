/*
 * es_offsets.h - which Kafka offsets a task may commit: per partition, the offsets of records
 * accepted by put and not finished yet (acknowledged by Elasticsearch, skipped, or handed to the
 * error handling), in Kafka order. What may be committed is the contiguous finished prefix: up to
 * the first offset still pending. Memory is one entry per pending record.
 *
 * Each partition has a slot; closing a partition (rebalance) empties its slot and bumps its
 * generation, so answers for documents sent before that are recognised and ignored.
 * Not thread-safe: the writer guards it with its mutex.
 */
#ifndef FERRY_ES_OFFSETS_H
#define FERRY_ES_OFFSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ES_OFFSETS_NO_SLOT UINT32_MAX

typedef struct es_partition_offsets {
    char *topic;
    int32_t partition;
    uint32_t generation;
    int64_t accepted_next; /* put took every record below it; -1 = none yet */
    int64_t *pending;      /* ring of pending offsets, increasing */
    bool *finished;
    size_t head;
    size_t count;
    size_t capacity;
} es_partition_offsets;

typedef struct es_offsets {
    es_partition_offsets *slots;
    size_t count;
    size_t capacity;
    size_t pending_total;
} es_offsets;

void es_offsets_init(es_offsets *offsets);
void es_offsets_free(es_offsets *offsets);

/* The slot of a partition, created when new; ES_OFFSETS_NO_SLOT when out of memory. */
uint32_t es_offsets_slot(es_offsets *offsets, const char *topic, int32_t partition);
/* The slot of a partition, ES_OFFSETS_NO_SLOT when it has none. */
uint32_t es_offsets_find(const es_offsets *offsets, const char *topic, int32_t partition);
es_partition_offsets *es_offsets_at(es_offsets *offsets, uint32_t slot);

/* A record of the slot is pending (offsets must increase within a slot). 0, or -1 when out of
 * memory or the offset does not increase. */
int es_offsets_add(es_offsets *offsets, uint32_t slot, int64_t offset);
/* The record is finished; answers of an older generation are ignored. true when it was pending. */
bool es_offsets_finish(es_offsets *offsets, uint32_t slot, uint32_t generation, int64_t offset);
/* The first pending offset of the slot, -1 when none is pending. */
int64_t es_offsets_first_pending(const es_offsets *offsets, uint32_t slot);
/* What may be committed of a partition for a requested next offset: the requested one, or the
 * first pending offset when that is lower. */
int64_t es_offsets_committable(const es_offsets *offsets, const char *topic, int32_t partition,
                               int64_t requested);
/* Forgets everything of a slot (partition closed): nothing pending, generation bumped. */
void es_offsets_reset(es_offsets *offsets, uint32_t slot);

#endif
