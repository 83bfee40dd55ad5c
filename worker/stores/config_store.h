/*
 * config_store.h - connector configs, task configs and target states in the configs topic, in
 * Kafka Connect's record formats:
 *   connector-<name>    -> {"properties":{..}}            (tombstone: deleted)
 *   task-<name>-<n>     -> {"properties":{..}}            (applied once commit-<name> follows)
 *   commit-<name>       -> {"tasks":N}
 *   target-state-<name> -> {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}
 * and the records of a cluster: Kafka Connect's session-key and restart-connector-<name>, and
 * ferry's ferry-assignment and ferry-worker-<id> (config_state.h says how each is read).
 *
 * The store reads the whole topic when it opens, then goes on reading it on a thread of its own
 * (Kafka Connect's KafkaBasedLog), so that every worker of a cluster sees every other's writes;
 * a listener hears each change. A write returns once Kafka acknowledged it and the store has read
 * it back: a snapshot taken after it holds the write, on this worker. Configs are stored as
 * given, with ${provider:..} variables unresolved, their sensitive values sealed when the worker
 * has encryption keys (config_store_protection); a snapshot holds them opened. Thread-safe.
 */
#ifndef FERRY_CONFIG_STORE_H
#define FERRY_CONFIG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "config/config_cipher.h"
#include "config/config_map.h"
#include "stores/config_records.h"
#include "stores/config_state.h"

typedef struct config_store config_store;

/* How the store keeps sensitive values of connector and task configs (docs/security.md, "Secrets
 * at rest"). With a cipher, the values sensitive() names are written sealed with its current key;
 * sealed values read are opened with whichever of its keys they name, with or without a cipher
 * (without one, or when a value does not open, it reads as config_cipher_open's marker and the
 * store logs why, naming the connector, the key and the key id). sensitive is called with the
 * connector's properties (a task record's: the stored connector config's; may be NULL) on the
 * thread that writes; it must not call into the store. */
typedef struct config_store_protection {
    const config_cipher *cipher; /* NULL: values are written as given */
    bool (*sensitive)(void *opaque, const json_t *connector_properties, const char *key);
    void *opaque;
} config_store_protection;

/* Reads the whole topic, then follows it and writes to it. Ownership of both confs taken.
 * protection (may be NULL: nothing sealed, sealed values read as markers) is copied; what it
 * points to must outlive the store. */
config_store *config_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf,
                                const config_store_protection *protection, int timeout_ms,
                                char *err, size_t errlen);
void config_store_close(config_store *store); /* accepts NULL */

/* Hears every change the store reads, the store's own writes included, in the topic's order, on
 * the store's reader thread with none of the store's locks held. It must not block (hand the
 * change to the control loop and return): no config_store_sync, no write through the store (both
 * wait for the reader) and no config_store_listen; reading the snapshot is fine. change and its
 * strings are borrowed for the call. */
typedef void (*config_store_listener)(void *opaque, const config_change *change);
/* Sets the listener (NULL: none). Once this returns the previous listener is not called again.
 * Changes read before it is set are not told: take the snapshot after setting it. */
void config_store_listen(config_store *store, config_store_listener listener, void *opaque);

/* Waits until the store has read everything written to the topic before the call (what Kafka
 * Connect's leader does before it acts on a config: readToEnd). 0, or -1 with a message. */
int config_store_sync(config_store *store, int timeout_ms, char *err, size_t errlen);

/* Whether the store's writes cannot succeed (its producer met a fatal error: the worker's
 * principal lacks the Write ACL, its credentials were refused); message (may be NULL) says why. */
bool config_store_failed(config_store *store, char *message, size_t len);

/* The connectors known to the topic: a new object name -> {"config": {..}, "target_state":
 * "STARTED"|"PAUSED"|"STOPPED", "tasks": [{..}, ..], "inconsistent": bool} (tasks: the last
 * committed task configs; none while inconsistent, which asks for the tasks to be written
 * again). The configs are shared with the store (config_state_snapshot): read only. */
json_t *config_store_snapshot(config_store *store);
/* One connector's entry of the snapshot (a new object, its configs shared: read only), or NULL:
 * *found says whether the topic knows it (NULL with *found true: out of memory). */
json_t *config_store_connector(config_store *store, const char *name, bool *found);
/* The connectors and their committed task counts (0 while inconsistent): a new object name ->
 * integer, or NULL when out of memory. What the leader's assignor needs, without the configs. */
json_t *config_store_task_counts(config_store *store);
/* The task count of an exactly-once source connector's last fencing round (Kafka Connect's
 * tasks-fencing-<name> record), -1 when none was written. */
int config_store_fencing_count(config_store *store, const char *name);
/* Writes the tasks-fencing-<name> record ({"task-count": count}) once a fencing round fenced
 * the transactional.ids of the connector's previous tasks. 0, or -1 with a message. */
int config_store_put_fencing_count(config_store *store, const char *name, int count, char *err,
                                   size_t errlen);
/* The latest ferry-assignment value, for the assignor to parse: the caller's own copy, or NULL
 * when the topic has none (or out of memory). */
json_t *config_store_assignment(config_store *store);
/* The latest ferry-worker-<id> records: a new object worker id -> {"url": "..", "epoch": N}. */
json_t *config_store_workers(config_store *store);
/* A copy of the latest session key (clear it with config_records_session_key_clear): 0, or -1
 * when the topic has none. */
int config_store_session_key(config_store *store, config_session_key *out);

int config_store_put_connector(config_store *store, const char *name, const config_map *config,
                               char *err, size_t errlen);
/* state: "STARTED", "PAUSED" or "STOPPED". */
int config_store_put_target_state(config_store *store, const char *name, const char *state,
                                  char *err, size_t errlen);
/* task_configs: a JSON array of objects of strings. Writes every task-<name>-<n>, then the
 * commit record. */
int config_store_put_tasks(config_store *store, const char *name, json_t *task_configs,
                           char *err, size_t errlen);
int config_store_delete_connector(config_store *store, const char *name, char *err,
                                  size_t errlen);
int config_store_put_restart_request(config_store *store, const char *name, bool include_tasks,
                                     bool only_failed, char *err, size_t errlen);
int config_store_put_session_key(config_store *store, const config_session_key *key, char *err,
                                 size_t errlen);
/* assignment: borrowed; the value of ferry-assignment as the assignor builds it (an object with
 * an integer "epoch"). */
int config_store_put_assignment(config_store *store, json_t *assignment, char *err,
                                size_t errlen);
/* ferry-worker-<worker_id> -> {"url": url, "epoch": epoch}: the worker has applied that
 * assignment. */
int config_store_put_worker(config_store *store, const char *worker_id, const char *url,
                            int64_t epoch, char *err, size_t errlen);

#endif
