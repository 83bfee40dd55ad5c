/*
 * status_store.h - connector and task states in the status topic, in Kafka Connect's format:
 * status-connector-<name> / status-task-<name>-<n> -> {"state","trace","worker_id","generation"}.
 * Writes are asynchronous (a lost status record is rewritten by the next change); failures are
 * logged. The in-memory state that REST reads lives with the connectors, not here.
 */
#ifndef FERRY_STATUS_STORE_H
#define FERRY_STATUS_STORE_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

typedef struct status_store status_store;

/* Takes ownership of producer_conf (also on error). */
status_store *status_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                const char *worker_id, char *err, size_t errlen);
void status_store_close(status_store *store); /* flushes; accepts NULL */

/* trace may be NULL. */
void status_store_connector(status_store *store, const char *connector, const char *state,
                            const char *trace, int generation);
void status_store_task(status_store *store, const char *connector, int task, const char *state,
                       const char *trace, int generation);
/* Tombstones for the connector's status and its tasks 0..task_count-1. */
void status_store_delete(status_store *store, const char *connector, int task_count);

#endif
