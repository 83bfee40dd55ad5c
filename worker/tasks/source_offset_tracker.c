/*
 * source_offset_tracker.c - which source offsets may be committed. Built for a task that emits
 * millions of records per second: add and ack are O(1) amortised and allocate nothing once the
 * rings have grown to the task's in-flight window.
 *
 * Three structures:
 * - slots: a ring of one byte per in-flight sequence number (acknowledged or not), indexed by
 *   sequence & mask, covering [acked_below, next_sequence). acked_below is the end of the
 *   contiguous acknowledged prefix; an ack at acked_below walks it forward over the slots acked
 *   out of order, clearing each for reuse, so every slot is visited once.
 * - marks: a FIFO ring of {sequence, partition, offset} for records that carry an offset. Marks
 *   are added in sequence order, so once the prefix moves, the marks below it are exactly those at
 *   the head of the FIFO.
 * - committable: one entry per source partition with the latest offset whose record and every
 *   earlier record are acknowledged. A dense array plus an open-addressing index keyed by a hash
 *   of the partition's JSON value (order-independent for objects, so {"b":1,"a":2} and
 *   {"a":2,"b":1} are one partition, as offset_partition_canonical says) and compared with
 *   json_equal: no text is built per record. Plugins usually reuse one json_t per partition, so
 *   the entry hit last is tried first by pointer.
 *
 * The ring capacities only grow (doubling) when more records are in flight than ever before, so
 * memory is bounded by the largest in-flight window, never by the time between commits.
 */
#include "tasks/source_offset_tracker.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "support/array.h"

#define TRACKER_INITIAL_SLOTS 1024
#define TRACKER_INITIAL_MARKS 256
#define TRACKER_INITIAL_INDEX 16
#define TRACKER_INDEX_EMPTY UINT32_MAX
#define TRACKER_NO_ENTRY SIZE_MAX

typedef struct tracker_mark {
    uint64_t sequence;
    json_t *partition; /* own reference */
    json_t *offset;    /* own reference */
} tracker_mark;

typedef struct tracker_entry {
    json_t *partition; /* own reference: the latest mark's partition value */
    json_t *offset;    /* own reference: the latest committable offset */
    uint64_t hash;     /* tracker_json_hash(partition) */
    bool committed;    /* set by _committed until the array is compacted */
} tracker_entry;

struct source_offset_tracker {
    uint64_t next_sequence; /* given to the next add */
    uint64_t acked_below;   /* every sequence below this is acknowledged */
    size_t unacked;         /* records in [acked_below, next_sequence) not yet acknowledged */

    uint8_t *slots;         /* 1 = acknowledged; indexed by sequence & (slot_capacity - 1) */
    size_t slot_capacity;   /* a power of two */

    tracker_mark *marks;    /* FIFO ring, ordered by sequence */
    size_t mark_capacity;   /* a power of two */
    size_t mark_head;       /* ring position of the oldest mark */
    size_t mark_count;

    tracker_entry *entries; /* committable, not yet committed; dense */
    size_t entry_count;
    size_t entry_capacity;
    uint32_t *index;        /* entry numbers by hash, linear probing; TRACKER_INDEX_EMPTY = free */
    size_t index_capacity;  /* a power of two, at least twice entry_count */
    size_t last_entry;      /* the entry hit last (pointer fast path), or TRACKER_NO_ENTRY */
};

/* ------------------------------------------------------------------------------------------ */
/* Hashing partitions by value                                                                */

static uint64_t tracker_mix(uint64_t x)
{
    /* splitmix64's finaliser: cheap and spreads every input bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t tracker_bytes_hash(const char *bytes, size_t len)
{
    uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        hash ^= (unsigned char)bytes[i];
        hash *= 0x100000001b3ULL;
    }
    return tracker_mix(hash ^ len);
}

/* Equal under json_equal implies equal hashes: object members are combined by a sum, which does
 * not depend on their order, and -0.0 hashes as 0.0 because json_equal finds them equal. */
static uint64_t tracker_json_hash(json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        uint64_t sum = 0;
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member) {
            sum += tracker_mix(tracker_bytes_hash(key, strlen(key)) * 31 +
                               tracker_json_hash(member));
        }
        return tracker_mix(sum ^ 0x0b1ec7ULL);
    }
    case JSON_ARRAY: {
        uint64_t hash = 0xa77a7ULL;
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item) {
            hash = tracker_mix(hash * 31 + tracker_json_hash(item));
        }
        return hash;
    }
    case JSON_STRING:
        return tracker_bytes_hash(json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        return tracker_mix((uint64_t)json_integer_value(value) ^ 0x1117ULL);
    case JSON_REAL: {
        double real = json_real_value(value);
        uint64_t bits;
        if (real == 0.0)
            real = 0.0;
        memcpy(&bits, &real, sizeof(bits));
        return tracker_mix(bits ^ 0x4ea1ULL);
    }
    case JSON_TRUE: return 0x7e5ULL;
    case JSON_FALSE: return 0xfa15eULL;
    case JSON_NULL: return 0x2011ULL;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The committable table                                                                      */

static void tracker_index_insert(source_offset_tracker *tracker, size_t entry)
{
    size_t mask = tracker->index_capacity - 1;
    size_t at = (size_t)tracker->entries[entry].hash & mask;
    while (tracker->index[at] != TRACKER_INDEX_EMPTY)
        at = (at + 1) & mask;
    tracker->index[at] = (uint32_t)entry;
}

static void tracker_index_rebuild(source_offset_tracker *tracker)
{
    for (size_t i = 0; i < tracker->index_capacity; i++)
        tracker->index[i] = TRACKER_INDEX_EMPTY;
    for (size_t i = 0; i < tracker->entry_count; i++)
        tracker_index_insert(tracker, i);
}

/* The entry of this partition value, or TRACKER_NO_ENTRY. */
static size_t tracker_entry_find(const source_offset_tracker *tracker, json_t *partition,
                                 uint64_t hash)
{
    if (tracker->index_capacity == 0)
        return TRACKER_NO_ENTRY;
    size_t mask = tracker->index_capacity - 1;
    for (size_t at = (size_t)hash & mask; tracker->index[at] != TRACKER_INDEX_EMPTY;
         at = (at + 1) & mask) {
        const tracker_entry *entry = &tracker->entries[tracker->index[at]];
        if (entry->hash == hash && json_equal(entry->partition, partition))
            return tracker->index[at];
    }
    return TRACKER_NO_ENTRY;
}

/* Room for one more entry in the array and the index. Returns 0, or -1 out of memory. */
static int tracker_entries_reserve(source_offset_tracker *tracker)
{
    if (array_reserve(&tracker->entries, &tracker->entry_capacity, tracker->entry_count + 1,
                      sizeof(*tracker->entries)) != 0)
        return -1;
    if ((tracker->entry_count + 1) * 2 > tracker->index_capacity) {
        size_t capacity = tracker->index_capacity ? tracker->index_capacity * 2
                                                  : TRACKER_INITIAL_INDEX;
        uint32_t *index = malloc(capacity * sizeof(*index));
        if (!index)
            return -1;
        free(tracker->index);
        tracker->index = index;
        tracker->index_capacity = capacity;
        tracker_index_rebuild(tracker);
    }
    return 0;
}

/* Moves a mark whose record and every earlier one are acknowledged into the committable table,
 * taking over its references. Returns 0, or -1 out of memory (the mark is left untouched). */
static int tracker_mark_promote(source_offset_tracker *tracker, tracker_mark *mark)
{
    size_t found = TRACKER_NO_ENTRY;
    uint64_t hash = 0;
    if (tracker->last_entry != TRACKER_NO_ENTRY &&
        tracker->entries[tracker->last_entry].partition == mark->partition) {
        found = tracker->last_entry;
    } else {
        hash = tracker_json_hash(mark->partition);
        found = tracker_entry_find(tracker, mark->partition, hash);
    }

    if (found == TRACKER_NO_ENTRY) {
        if (tracker_entries_reserve(tracker) != 0)
            return -1;
        found = tracker->entry_count++;
        tracker->entries[found] = (tracker_entry){
            .partition = mark->partition, .offset = mark->offset, .hash = hash,
            .committed = false};
        tracker_index_insert(tracker, found);
    } else {
        tracker_entry *entry = &tracker->entries[found];
        json_decref(entry->offset);
        entry->offset = mark->offset;
        /* Keep the mark's partition so that the next mark reusing that json_t hits the pointer
         * fast path; the values are equal, only the pointer may differ. */
        if (entry->partition != mark->partition) {
            json_decref(entry->partition);
            entry->partition = mark->partition;
        } else {
            json_decref(mark->partition);
        }
    }
    tracker->last_entry = found;
    mark->partition = NULL;
    mark->offset = NULL;
    return 0;
}

/* Drops the entries marked committed, keeping the others' order, and re-indexes. */
static void tracker_entries_compact(source_offset_tracker *tracker)
{
    size_t kept = 0;
    for (size_t i = 0; i < tracker->entry_count; i++) {
        tracker_entry *entry = &tracker->entries[i];
        if (entry->committed) {
            json_decref(entry->partition);
            json_decref(entry->offset);
        } else {
            tracker->entries[kept++] = *entry;
        }
    }
    tracker->entry_count = kept;
    tracker->last_entry = TRACKER_NO_ENTRY;
    tracker_index_rebuild(tracker);
}

/* ------------------------------------------------------------------------------------------ */
/* The rings                                                                                  */

/* Doubles the slot ring, keeping every in-flight slot at its sequence's new position. */
static int tracker_slots_grow(source_offset_tracker *tracker)
{
    size_t capacity = tracker->slot_capacity * 2;
    uint8_t *slots = calloc(capacity, 1);
    if (!slots)
        return -1;
    for (uint64_t seq = tracker->acked_below; seq < tracker->next_sequence; seq++)
        slots[seq & (capacity - 1)] = tracker->slots[seq & (tracker->slot_capacity - 1)];
    free(tracker->slots);
    tracker->slots = slots;
    tracker->slot_capacity = capacity;
    return 0;
}

static int tracker_marks_grow(source_offset_tracker *tracker)
{
    size_t capacity = tracker->mark_capacity * 2;
    tracker_mark *marks = malloc(capacity * sizeof(*marks));
    if (!marks)
        return -1;
    for (size_t i = 0; i < tracker->mark_count; i++)
        marks[i] = tracker->marks[(tracker->mark_head + i) & (tracker->mark_capacity - 1)];
    free(tracker->marks);
    tracker->marks = marks;
    tracker->mark_capacity = capacity;
    tracker->mark_head = 0;
    return 0;
}

/* Promotes the marks the acknowledged prefix has passed. Out of memory stops early: the marks
 * stay in the FIFO and are promoted by a later call (the next ack or _committable). */
static void tracker_marks_promote(source_offset_tracker *tracker)
{
    size_t mask = tracker->mark_capacity - 1;
    while (tracker->mark_count > 0) {
        tracker_mark *mark = &tracker->marks[tracker->mark_head];
        if (mark->sequence >= tracker->acked_below)
            break;
        if (tracker_mark_promote(tracker, mark) != 0)
            break;
        tracker->mark_head = (tracker->mark_head + 1) & mask;
        tracker->mark_count--;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* API                                                                                        */

source_offset_tracker *source_offset_tracker_new(void)
{
    source_offset_tracker *tracker = calloc(1, sizeof(*tracker));
    if (!tracker)
        return NULL;
    tracker->last_entry = TRACKER_NO_ENTRY;
    tracker->slots = calloc(TRACKER_INITIAL_SLOTS, 1);
    tracker->marks = malloc(TRACKER_INITIAL_MARKS * sizeof(*tracker->marks));
    if (!tracker->slots || !tracker->marks)
        goto fail;
    tracker->slot_capacity = TRACKER_INITIAL_SLOTS;
    tracker->mark_capacity = TRACKER_INITIAL_MARKS;
    return tracker;

fail:
    source_offset_tracker_destroy(tracker);
    return NULL;
}

void source_offset_tracker_destroy(source_offset_tracker *tracker)
{
    if (!tracker)
        return;
    for (size_t i = 0; i < tracker->mark_count; i++) {
        tracker_mark *mark = &tracker->marks[(tracker->mark_head + i) & (tracker->mark_capacity - 1)];
        json_decref(mark->partition);
        json_decref(mark->offset);
    }
    for (size_t i = 0; i < tracker->entry_count; i++) {
        json_decref(tracker->entries[i].partition);
        json_decref(tracker->entries[i].offset);
    }
    free(tracker->slots);
    free(tracker->marks);
    free(tracker->entries);
    free(tracker->index);
    free(tracker);
}

int source_offset_tracker_add(source_offset_tracker *tracker, json_t *partition, json_t *offset,
                              uint64_t *sequence)
{
    if (offset && !partition)
        return -1;
    /* Grow first, so that a failure leaves the tracker as it was. */
    if (tracker->next_sequence - tracker->acked_below >= tracker->slot_capacity &&
        tracker_slots_grow(tracker) != 0)
        return -1;
    if (offset && tracker->mark_count == tracker->mark_capacity &&
        tracker_marks_grow(tracker) != 0)
        return -1;

    uint64_t seq = tracker->next_sequence++;
    tracker->slots[seq & (tracker->slot_capacity - 1)] = 0;
    tracker->unacked++;
    if (offset) {
        size_t at = (tracker->mark_head + tracker->mark_count) & (tracker->mark_capacity - 1);
        tracker->marks[at] = (tracker_mark){
            .sequence = seq, .partition = json_incref(partition), .offset = json_incref(offset)};
        tracker->mark_count++;
    }
    if (sequence)
        *sequence = seq;
    return 0;
}

void source_offset_tracker_remove_last(source_offset_tracker *tracker)
{
    /* A record the prefix has passed was acknowledged: it cannot be the one the producer just
     * refused, and its offset may already be committable, so there is nothing to undo. */
    if (tracker->next_sequence == tracker->acked_below)
        return;
    uint64_t seq = --tracker->next_sequence;
    uint8_t *slot = &tracker->slots[seq & (tracker->slot_capacity - 1)];
    if (*slot)
        *slot = 0;
    else
        tracker->unacked--;
    if (tracker->mark_count > 0) {
        size_t at = (tracker->mark_head + tracker->mark_count - 1) & (tracker->mark_capacity - 1);
        tracker_mark *mark = &tracker->marks[at];
        if (mark->sequence == seq) {
            json_decref(mark->partition);
            json_decref(mark->offset);
            tracker->mark_count--;
        }
    }
}

void source_offset_tracker_ack(source_offset_tracker *tracker, uint64_t sequence)
{
    if (sequence < tracker->acked_below || sequence >= tracker->next_sequence)
        return;
    size_t mask = tracker->slot_capacity - 1;
    uint8_t *slot = &tracker->slots[sequence & mask];
    if (*slot)
        return;
    tracker->unacked--;
    if (sequence != tracker->acked_below) {
        *slot = 1;
        return;
    }
    /* The prefix moves: over this record, then over every later one acknowledged earlier. Slots
     * left behind are cleared so the ring can reuse them. */
    uint64_t below = sequence + 1;
    while (below < tracker->next_sequence && tracker->slots[below & mask]) {
        tracker->slots[below & mask] = 0;
        below++;
    }
    tracker->acked_below = below;
    if (tracker->mark_count > 0 && tracker->marks[tracker->mark_head].sequence < below)
        tracker_marks_promote(tracker);
}

size_t source_offset_tracker_pending(const source_offset_tracker *tracker)
{
    return tracker->unacked;
}

size_t source_offset_tracker_committable(source_offset_tracker *tracker,
                                         ferry_source_offset **entries)
{
    *entries = NULL;
    /* Marks an earlier promotion could not take (out of memory) get another chance here. */
    tracker_marks_promote(tracker);
    if (tracker->entry_count == 0)
        return 0;

    ferry_source_offset *out = malloc(tracker->entry_count * sizeof(*out));
    if (!out)
        return 0; /* nothing is lost: the entries stay for the next commit */
    for (size_t i = 0; i < tracker->entry_count; i++) {
        out[i].partition = json_incref(tracker->entries[i].partition);
        out[i].offset = json_incref(tracker->entries[i].offset);
    }
    *entries = out;
    return tracker->entry_count;
}

void source_offset_entries_free(ferry_source_offset *entries, size_t count)
{
    if (!entries)
        return;
    for (size_t i = 0; i < count; i++) {
        json_decref(entries[i].partition);
        json_decref(entries[i].offset);
    }
    free(entries);
}

void source_offset_tracker_committed(source_offset_tracker *tracker,
                                     const ferry_source_offset *entries, size_t count)
{
    bool removed = false;
    for (size_t i = 0; i < count; i++) {
        if (!entries[i].partition || !entries[i].offset)
            continue;
        size_t at = TRACKER_NO_ENTRY;
        if (tracker->last_entry != TRACKER_NO_ENTRY &&
            tracker->entries[tracker->last_entry].partition == entries[i].partition)
            at = tracker->last_entry;
        else
            at = tracker_entry_find(tracker, entries[i].partition,
                                    tracker_json_hash(entries[i].partition));
        if (at == TRACKER_NO_ENTRY)
            continue;
        /* The caller's entries hold references, so an equal pointer is the same offset, never a
         * new value at a recycled address. An equal value is as durable as the committed one. */
        tracker_entry *entry = &tracker->entries[at];
        if (entry->offset != entries[i].offset && !json_equal(entry->offset, entries[i].offset))
            continue; /* superseded: a newer offset became committable meanwhile */
        entry->committed = true;
        removed = true;
    }
    /* Removal waits until the loop is done so that the index stays valid for the lookups above;
     * commits come once per flush interval, so rebuilding the index beats tombstones. */
    if (removed)
        tracker_entries_compact(tracker);
}
