/*
 * worker_config.h - the worker's .properties as a typed struct, checked against the worker's
 * config definition (Kafka Connect's worker keys plus ferry's own). Unknown keys are kept (they
 * may be librdkafka settings under producer.*, consumer.*, admin.*) and reported for a warning.
 */
#ifndef FERRY_WORKER_CONFIG_H
#define FERRY_WORKER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <ferry/plugin.h>

#include "config/client_override_policy.h"
#include "config/config_cipher.h"
#include "config/config_map.h"
#include "config/config_provider.h"
#include "config/config_validate.h"

typedef struct worker_config {
    config_map *values;        /* provider-resolved; what the Kafka clients are built from */
    bool embedded;             /* bootstrap.servers absent or "embedded" */
    char *bootstrap_servers;   /* NULL when embedded, until the embedded cluster sets it */
    char *group_id;            /* group.id, default "connect-cluster" */
    char *offset_topic;        /* offset.storage.topic, default "connect-offsets" */
    int32_t offset_partitions; /* offset.storage.partitions, default 25 */
    int16_t offset_replication_factor; /* offset.storage.replication.factor, default 3; -1 = broker default */
    char *config_topic;        /* config.storage.topic, default "connect-configs" */
    int16_t config_replication_factor;
    char *status_topic;        /* status.storage.topic, default "connect-status" */
    int32_t status_partitions; /* status.storage.partitions, default 5 */
    int16_t status_replication_factor;
    char *key_converter;       /* key.converter, default JsonConverter */
    char *value_converter;     /* value.converter, default JsonConverter */
    int64_t offset_flush_interval_ms;          /* default 60000 */
    int64_t offset_flush_timeout_ms;           /* default 5000 */
    int64_t task_shutdown_graceful_timeout_ms; /* default 5000 */
    char *plugin_path;         /* NULL = the default path */
    char *listeners;           /* default "http://127.0.0.1:8083" */
    char *worker_id;           /* host:port of the advertised listener, as Kafka Connect says */
    char *advertised_url;      /* "scheme://host:port/": where other workers reach this one */
    bool task_restart_auto;                    /* task.restart.auto, default true */
    bool topic_creation_enable;                /* topic.creation.enable, default true */
    int64_t task_restart_backoff_initial_ms;   /* default 1000 */
    int64_t task_restart_backoff_max_ms;       /* default 60000 */
    /* Distributed mode (docs/distributed.md), Kafka Connect's keys and defaults. */
    int32_t session_timeout_ms;                /* session.timeout.ms, default 10000 */
    int32_t heartbeat_interval_ms;             /* heartbeat.interval.ms, default 3000 */
    int32_t rebalance_timeout_ms;              /* rebalance.timeout.ms, default 60000 */
    int32_t scheduled_rebalance_max_delay_ms;  /* default 300000 */
    int32_t worker_sync_timeout_ms;            /* worker.sync.timeout.ms, default 3000 */
    char *inter_worker_key_generation_algorithm; /* default HmacSHA256 */
    int32_t inter_worker_key_size;             /* bits; -1 = the algorithm's own size */
    int32_t inter_worker_key_ttl_ms;           /* default 3600000 */
    char *inter_worker_signature_algorithm;    /* default HmacSHA256 */
    char **inter_worker_verification_algorithms; /* NULL-terminated, default {HmacSHA256} */
    /* connector.client.config.override.policy, default All (docs/security.md) */
    client_override_policy override_policy;
    /* The keys of config.storage.encryption.key.file / .key.env; NULL: values are stored as
     * given (docs/security.md, "Secrets at rest"). */
    config_cipher *config_cipher;
} worker_config;

/* The worker's definition (NULL-terminated), for validation and `ferry plugins`-style docs. */
extern const ferry_config_key worker_config_keys[];

/* Resolves providers in raw, validates against worker_config_keys and fills the struct. On
 * problems returns NULL and every problem is in errors. Unknown keys that are not producer.*,
 * consumer.*, admin.* or a converter's own settings go to unknown (may be NULL) for a warning. */
worker_config *worker_config_load(const config_map *raw, const config_providers *providers,
                                  config_errors *errors, config_map *unknown);
void worker_config_destroy(worker_config *config); /* accepts NULL */
/* Sets bootstrap_servers once the embedded cluster is up. Returns 0, -1 on allocation failure. */
int worker_config_set_bootstrap(worker_config *config, const char *bootstrap_servers);

#endif
