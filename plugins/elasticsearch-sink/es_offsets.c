/*
 * es_offsets.c - pending offsets per partition (es_offsets.h).
 */
#include "es_offsets.h"

#include <stdlib.h>
#include <string.h>

#include "support/array.h"

void es_offsets_init(es_offsets *offsets)
{
    *offsets = (es_offsets){0};
}

static void es_partition_clear(es_partition_offsets *slot)
{
    free(slot->pending);
    free(slot->finished);
    slot->pending = NULL;
    slot->finished = NULL;
    slot->head = slot->count = slot->capacity = 0;
}

void es_offsets_free(es_offsets *offsets)
{
    for (size_t i = 0; i < offsets->count; i++) {
        es_partition_clear(&offsets->slots[i]);
        free(offsets->slots[i].topic);
    }
    free(offsets->slots);
    *offsets = (es_offsets){0};
}

uint32_t es_offsets_find(const es_offsets *offsets, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < offsets->count; i++)
        if (offsets->slots[i].partition == partition && strcmp(offsets->slots[i].topic, topic) == 0)
            return (uint32_t)i;
    return ES_OFFSETS_NO_SLOT;
}

uint32_t es_offsets_slot(es_offsets *offsets, const char *topic, int32_t partition)
{
    uint32_t found = es_offsets_find(offsets, topic, partition);
    if (found != ES_OFFSETS_NO_SLOT)
        return found;
    if (array_reserve(&offsets->slots, &offsets->capacity, offsets->count + 1,
                      sizeof(*offsets->slots)) != 0)
        return ES_OFFSETS_NO_SLOT;
    char *copy = strdup(topic);
    if (!copy)
        return ES_OFFSETS_NO_SLOT;
    offsets->slots[offsets->count] = (es_partition_offsets){
        .topic = copy, .partition = partition, .accepted_next = -1};
    return (uint32_t)offsets->count++;
}

es_partition_offsets *es_offsets_at(es_offsets *offsets, uint32_t slot)
{
    return slot < offsets->count ? &offsets->slots[slot] : NULL;
}

static int es_partition_grow(es_partition_offsets *slot)
{
    size_t capacity = slot->capacity ? slot->capacity * 2 : 64;
    int64_t *pending = malloc(capacity * sizeof(*pending));
    bool *finished = malloc(capacity * sizeof(*finished));
    if (!pending || !finished) {
        free(pending);
        free(finished);
        return -1;
    }
    for (size_t i = 0; i < slot->count; i++) {
        size_t at = (slot->head + i) % slot->capacity;
        pending[i] = slot->pending[at];
        finished[i] = slot->finished[at];
    }
    free(slot->pending);
    free(slot->finished);
    slot->pending = pending;
    slot->finished = finished;
    slot->head = 0;
    slot->capacity = capacity;
    return 0;
}

int es_offsets_add(es_offsets *offsets, uint32_t slot_index, int64_t offset)
{
    es_partition_offsets *slot = es_offsets_at(offsets, slot_index);
    if (!slot)
        return -1;
    if (slot->count > 0 &&
        slot->pending[(slot->head + slot->count - 1) % slot->capacity] >= offset)
        return -1;
    if (slot->count == slot->capacity && es_partition_grow(slot) != 0)
        return -1;
    size_t at = (slot->head + slot->count) % slot->capacity;
    slot->pending[at] = offset;
    slot->finished[at] = false;
    slot->count++;
    offsets->pending_total++;
    return 0;
}

bool es_offsets_finish(es_offsets *offsets, uint32_t slot_index, uint32_t generation,
                       int64_t offset)
{
    es_partition_offsets *slot = es_offsets_at(offsets, slot_index);
    if (!slot || slot->generation != generation || slot->count == 0)
        return false;
    /* Binary search over the ring's logical positions. */
    size_t low = 0, high = slot->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (slot->pending[(slot->head + middle) % slot->capacity] < offset)
            low = middle + 1;
        else
            high = middle;
    }
    size_t at = (slot->head + low) % slot->capacity;
    if (low == slot->count || slot->pending[at] != offset || slot->finished[at])
        return false;
    slot->finished[at] = true;
    /* Drop the finished prefix. */
    while (slot->count > 0 && slot->finished[slot->head]) {
        slot->head = (slot->head + 1) % slot->capacity;
        slot->count--;
        offsets->pending_total--;
    }
    if (slot->count == 0)
        slot->head = 0;
    return true;
}

int64_t es_offsets_first_pending(const es_offsets *offsets, uint32_t slot_index)
{
    if (slot_index >= offsets->count)
        return -1;
    const es_partition_offsets *slot = &offsets->slots[slot_index];
    return slot->count > 0 ? slot->pending[slot->head] : -1;
}

int64_t es_offsets_committable(const es_offsets *offsets, const char *topic, int32_t partition,
                               int64_t requested)
{
    int64_t first = es_offsets_first_pending(offsets, es_offsets_find(offsets, topic, partition));
    return first >= 0 && first < requested ? first : requested;
}

void es_offsets_reset(es_offsets *offsets, uint32_t slot_index)
{
    es_partition_offsets *slot = es_offsets_at(offsets, slot_index);
    if (!slot)
        return;
    /* Finished entries still in the ring (behind a pending one) were counted as pending. */
    offsets->pending_total -= slot->count;
    es_partition_clear(slot);
    slot->generation++;
    slot->accepted_next = -1;
}
