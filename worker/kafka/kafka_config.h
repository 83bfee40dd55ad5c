/*
 * kafka_config.h - librdkafka configurations for the worker's clients, layered as in Kafka
 * Connect: bootstrap.servers from the worker; then the worker's "producer." / "consumer." /
 * "admin." keys, prefix stripped; then a connector's "producer.override." / "consumer.override." /
 * "admin.override." keys; last what the runtime must fix for its guarantees (set by the caller).
 *
 * Java client settings that librdkafka spells differently are translated (sasl.jaas.config with
 * PLAIN/SCRAM credentials becomes sasl.username/sasl.password, OAUTHBEARER client credentials
 * ferry's own token fetching (kafka_oauth.h), JKS / PKCS12 / PEM stores ssl.ca.pem, ssl.certificate.pem and
 * ssl.key.pem, IANA cipher names OpenSSL's, ...). Java-only settings librdkafka does not know
 * (key.serializer, interceptor.classes, ...) are skipped with a warning; every key refused
 * (a value librdkafka rejects, a store that cannot be read, a setting without an equivalent) is
 * named in one error.
 */
#ifndef FERRY_KAFKA_CONFIG_H
#define FERRY_KAFKA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "config/config_map.h"
#include "config/worker_config.h"

/* The default bound of a producer's queue, in KB: 16 MB (Kafka's Java producer buffers 32 MB;
 * measured, 16 MB keeps bench/pg-cdc's 3 KB events at full speed with half the memory). */
#define KAFKA_PRODUCER_QUEUE_KB "16384"

/* A sink task's consumer (a consumer built with a connector's config) gets these defaults, which
 * the worker's consumer.* and the connector's consumer.override.* replace (docs/configuration.md):
 * auto.offset.reset=earliest (Kafka Connect's), fetch.error.backoff.ms=5, a prefetch
 * (queued.max.messages.kbytes) of KAFKA_SINK_PREFETCH_KB and, from librdkafka 2.2 on,
 * fetch.queue.backoff.ms=10. The prefetch is small because the sink task keeps the fetcher
 * awake (sink_prefetch.h). */
#define KAFKA_SINK_PREFETCH_KB "2048"
/* The first librdkafka with fetch.queue.backoff.ms (2.2.0). */
#define KAFKA_LIBRDKAFKA_QUEUE_BACKOFF 0x020200ff

typedef enum kafka_client_role {
    KAFKA_CLIENT_PRODUCER,
    KAFKA_CLIENT_CONSUMER,
    KAFKA_CLIENT_ADMIN,
} kafka_client_role;

/* A new librdkafka config, or NULL with a message naming the key and value that librdkafka
 * refused. connector may be NULL (the worker's own clients). client_id is set as client.id. */
rd_kafka_conf_t *kafka_config_build(const worker_config *worker, kafka_client_role role,
                                    const config_map *connector, const char *client_id,
                                    char *err, size_t errlen);

/* kafka_config_build, with *origins (a new map, the caller's; NULL on failure) naming the user
 * key (with its prefix: "producer.override.sasl.jaas.config") that set each client setting, under
 * librdkafka's name ("sasl.username") and under the Java one ("sasl.jaas.config"), for messages
 * that must name the key as the user wrote it. defaults (may be NULL): librdkafka settings the
 * caller's kind of client gets unless the user's keys set them, key, value, ..., NULL. */
rd_kafka_conf_t *kafka_config_build_origins(const worker_config *worker, kafka_client_role role,
                                            const config_map *connector, const char *client_id,
                                            const char *const *defaults, config_map **origins,
                                            char *err, size_t errlen);

/* Sets one property, with the message naming key and value on refusal. Returns 0 or -1. */
int kafka_config_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                     size_t errlen);

#endif
