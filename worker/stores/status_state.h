/*
 * status_state.h - what the status topic says, by the rules of Kafka Connect's
 * KafkaStatusBackingStore:
 *   status-connector-<name>, status-task-<name>-<n> -> {"state","trace","worker_id","generation"}
 *     for each connector and task, the latest status: a record replaces the one held when it
 *     comes from the same worker or its generation is at least the one held (a lower generation
 *     from another worker is a fenced worker's, and is ignored); a connector's tombstone deletes
 *     its status and its tasks', a task's tombstone the task's;
 *   status-topic-<topic>:connector-<connector> -> {"topic":{"name","connector","task",
 *     "discoverTimestamp"}}: the connector's active topics (KIP-558); a tombstone resets one.
 *     Records under topic-<topic>-<connector>, the key ferry wrote before it wrote Kafka
 *     Connect's, are read the same way (their value names the topic and the connector).
 * It also keeps the highest generation of every status record read, so that a worker taking
 * over a topic goes on from there.
 * A worker's own topic records are applied when it writes them (status_state_topic_written) and
 * skipped when read back, so that its set never steps back to an older state in between. Keys
 * nobody knows are logged once each (debug) and ignored.
 * No Kafka and no lock here: the status store feeds it the records it reads, under its lock;
 * tests feed it records directly.
 */
#ifndef FERRY_STATUS_STATE_H
#define FERRY_STATUS_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

typedef struct status_state status_state;

status_state *status_state_new(void);
void status_state_destroy(status_state *state); /* accepts NULL */

/* Applies one record: key (NUL-terminated) and value (value_len bytes of JSON; NULL for a
 * tombstone). 0 when applied or ignored by the rules; -1 when the key or value is malformed: err
 * names the key and what is wrong, and the state is as it was. */
int status_state_apply(status_state *state, const char *key, const void *value,
                       size_t value_len, char *err, size_t errlen);

/* A connector's status: a new {"state", "trace" (when there is one), "worker_id",
 * "generation"}, or NULL when the topic has none. */
json_t *status_state_connector(const status_state *state, const char *connector);
/* Its tasks' statuses: a new array of the same objects with "id" (the task number) added, by
 * task number; empty when none. */
json_t *status_state_tasks(const status_state *state, const char *connector);

/* The key of a topic record, as Kafka Connect writes it (malloc'd; NULL when out of memory). */
char *status_state_topic_key(const char *connector, const char *topic);
bool status_state_topic_active(const status_state *state, const char *connector,
                               const char *topic);
/* A connector's active topics: a new array of names (empty when none). */
json_t *status_state_topics(const status_state *state, const char *connector);
/* This worker is writing the topic record of connector and topic (active) or its tombstone: the
 * set changes now, and the record is skipped when it is read back. A write that could not be
 * queued is taken back with status_state_topic_unwritten. */
void status_state_topic_written(status_state *state, const char *connector, const char *topic,
                                bool active);
void status_state_topic_unwritten(status_state *state, const char *connector,
                                  const char *topic);
/* The former key (topic-<topic>-<connector>) under which the topic record of connector and
 * topic was read, malloc'd, or NULL when none was; a reset tombstones it too, then forgets it. */
char *status_state_topic_legacy_key(const status_state *state, const char *connector,
                                    const char *topic);
void status_state_topic_legacy_forget(status_state *state, const char *connector,
                                      const char *topic);

/* The highest generation of the status records applied or ignored so far (0 when none). */
int status_state_generation_highest(const status_state *state);

#endif
