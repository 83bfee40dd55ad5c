/*
 * source_offset_tracker.h - decides which source offsets may be committed: an offset is
 * committable once every record emitted before it (by this task), and the record carrying it, has
 * been acknowledged by Kafka or deliberately dropped by the error handler. Acknowledgements arrive
 * in any order. Only the latest committable offset per source partition is kept, so memory is
 * bounded by the records in flight, not by the time between commits. Not thread-safe: a task
 * thread owns its tracker.
 */
#ifndef FERRY_SOURCE_OFFSET_TRACKER_H
#define FERRY_SOURCE_OFFSET_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

typedef struct source_offset_tracker source_offset_tracker;

source_offset_tracker *source_offset_tracker_new(void);
void source_offset_tracker_destroy(source_offset_tracker *tracker); /* accepts NULL */

/* Registers the next record and gives its sequence number (0, 1, 2, ...). partition and offset
 * may both be NULL (the record moves no offset); offset without partition is an error. The tracker
 * takes its own references. Returns 0, or -1 (out of memory, or offset without partition). */
int source_offset_tracker_add(source_offset_tracker *tracker, json_t *partition, json_t *offset,
                              uint64_t *sequence);
/* Undoes the latest add (the producer refused the record it was added for). */
void source_offset_tracker_remove_last(source_offset_tracker *tracker);
/* Marks one record acknowledged (delivered, or dropped on purpose). Unknown or repeated sequence
 * numbers are ignored. */
void source_offset_tracker_ack(source_offset_tracker *tracker, uint64_t sequence);

/* Records added but not yet acknowledged. */
size_t source_offset_tracker_pending(const source_offset_tracker *tracker);

/* The committable offsets not yet committed, latest per source partition: a new array whose
 * JSON values are new references; release it with source_offset_entries_free. Returns the count
 * (0: nothing to commit, *entries = NULL). */
size_t source_offset_tracker_committable(source_offset_tracker *tracker,
                                         ferry_source_offset **entries);
void source_offset_entries_free(ferry_source_offset *entries, size_t count);
/* These entries (as returned by _committable) are durable in the offsets topic: forget them,
 * unless a newer offset of the same partition became committable meanwhile. */
void source_offset_tracker_committed(source_offset_tracker *tracker,
                                     const ferry_source_offset *entries, size_t count);

#endif
