/*
 * status_store.h - connector and task states in the status topic, in Kafka Connect's format:
 * status-connector-<name> / status-task-<name>-<n> -> {"state","trace","worker_id","generation"}.
 * Writes are asynchronous (a lost status record is rewritten by the next change); failures are
 * logged. The store reads the whole topic when it opens, then goes on reading it on a thread of
 * its own, keeping for each connector and task the latest status by Kafka Connect's rule
 * (status_state.h): what any worker of a cluster answers about work running elsewhere. A
 * worker's own states live with its connectors; what it writes here is read back like any other
 * worker's. Thread-safe.
 */
#ifndef FERRY_STATUS_STORE_H
#define FERRY_STATUS_STORE_H

#include <stddef.h>

#include <stdint.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

typedef struct status_store status_store;

/* Reads the status topic, then follows it and keeps a producer for the writes. Takes ownership
 * of both confs (also on error). */
status_store *status_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, const char *worker_id,
                                int timeout_ms, char *err, size_t errlen);
void status_store_close(status_store *store); /* flushes; accepts NULL */

/* trace may be NULL. */
void status_store_connector(status_store *store, const char *connector, const char *state,
                            const char *trace, int generation);
void status_store_task(status_store *store, const char *connector, int task, const char *state,
                       const char *trace, int generation);
/* A tombstone for a task's status: the task is gone (its connector STOPPED, as Kafka Connect
 * writes it then). */
void status_store_task_delete(status_store *store, const char *connector, int task);
/* Tombstones for the connector's status, its tasks 0..task_count-1 and its active topics. */
void status_store_delete(status_store *store, const char *connector, int task_count);

/* The latest status of a connector the store has read: a new {"state", "trace" (when there is
 * one), "worker_id", "generation"}, or NULL when there is none. */
json_t *status_store_connector_get(status_store *store, const char *connector);
/* The latest statuses of its tasks: a new array of those objects with "id" (the task number),
 * by task number; empty when none (NULL when out of memory). */
json_t *status_store_tasks_get(status_store *store, const char *connector);
/* Waits until this store's writes so far were acknowledged and the store has read everything
 * written to the topic before the call. 0, or -1 with a message. */
int status_store_sync(status_store *store, int timeout_ms, char *err, size_t errlen);

/* Kafka Connect's topic tracking (KIP-558): status-topic-<topic>:connector-<connector> ->
 * {"topic":{"name","connector","task","discoverTimestamp"}} the first time a connector's task
 * uses a topic (later calls for a known topic write nothing), and a tombstone when the
 * connector's active topics are reset or the connector is deleted (and of the record under
 * ferry's former key topic-<topic>-<connector>, when one was read). The store keeps the set: what
 * it reads, and its own writes at once. */
void status_store_topic(status_store *store, const char *connector, const char *topic, int task,
                        int64_t discovered_ms);
void status_store_topic_reset(status_store *store, const char *connector, const char *topic);
/* A connector's active topics: a new JSON array of names (empty when none). */
json_t *status_store_topics(status_store *store, const char *connector);

/* The highest generation of the status records read so far (0 when none, or store NULL): a
 * worker's generations go on from there, so that its records are not taken for a fenced
 * worker's on a topic another worker (Kafka Connect's) wrote higher generations to. */
int status_store_generation_highest(status_store *store);

#endif
