/*
 * config_store.h - connector configs, task configs and target states in the configs topic, in
 * Kafka Connect's record formats:
 *   connector-<name>    -> {"properties":{..}}            (tombstone: deleted)
 *   task-<name>-<n>     -> {"properties":{..}}            (applied once commit-<name> follows)
 *   commit-<name>       -> {"tasks":N}
 *   target-state-<name> -> {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}
 * Configs are stored as given, with ${provider:..} variables unresolved. Writes wait for Kafka's
 * acknowledgement. Thread-safe.
 */
#ifndef FERRY_CONFIG_STORE_H
#define FERRY_CONFIG_STORE_H

#include <stddef.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "config/config_map.h"

typedef struct config_store config_store;

/* Reads the whole topic, then keeps writing to it. Ownership of both confs taken. */
config_store *config_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, int timeout_ms, char *err,
                                size_t errlen);
void config_store_close(config_store *store); /* accepts NULL */

/* The connectors known to the topic: a new object name -> {"config": {..}, "target_state":
 * "STARTED"|"PAUSED"|"STOPPED", "tasks": [{..}, ..]} (tasks: the last committed task configs). */
json_t *config_store_snapshot(config_store *store);

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

#endif
