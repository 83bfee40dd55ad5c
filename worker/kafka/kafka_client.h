/*
 * kafka_client.h - every Kafka client of the worker reports through here: librdkafka's log lines
 * go to ferry's logger under the owner's scope, named after the client ("config topic producer",
 * "orders-0 consumer"), and its errors are classified. A fatal or persistent error (failed
 * authentication, a TLS handshake refused, a missing ACL, a fatal idempotent-producer error, a
 * task client without the security settings of a secured cluster) marks the client failed with a
 * message for users: librdkafka's setting names replaced by the keys the user wrote, never a
 * secret. Transient errors (a broker restarting, a network blip) are logged and left to
 * librdkafka's retries. The owner asks kafka_client_failed after serving the client's queue
 * (rd_kafka_poll, or rd_kafka_consumer_poll with rd_kafka_poll_set_consumer), which is where
 * librdkafka delivers errors.
 *
 * The client's own opaque stays its owner's (delivery reports, rebalances): the watch is found
 * from the rd_kafka_t, registered by an on_new interceptor before librdkafka starts any thread
 * and forgotten by its on_destroy one.
 */
#ifndef FERRY_KAFKA_CLIENT_H
#define FERRY_KAFKA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include <ferry/plugin.h>

#include "config/config_map.h"
#include "config/worker_config.h"
#include "kafka/kafka_config.h"

/* How long the worker's start waits for a broker to answer before it gives up, in ms. */
#define KAFKA_CLIENT_REACHABLE_TIMEOUT_MS 30000

/* Who a client is. Borrowed for the call. */
typedef struct kafka_client_spec {
    const char *scope;        /* the owner's log scope: "worker", "configs", "task:orders-0" */
    const char *name;         /* how its lines name it: "worker admin", "orders-0 producer" */
    kafka_client_role role;
    const worker_config *worker;
    bool task_client;         /* built from a connector's config (no top-level security keys) */
    const char *const *defaults; /* kafka_config_build_origins's: may be NULL */
} kafka_client_spec;

/* kafka_config_build, for a client that reports through this module. A new config or NULL with
 * err set. */
rd_kafka_conf_t *kafka_client_config(const worker_config *worker, kafka_client_role role,
                                     const config_map *connector, const char *client_id,
                                     const kafka_client_spec *spec, char *err, size_t errlen);

/* Sets conf's log and error callbacks and the interceptors that register the client it makes.
 * origins (kafka_config_build_origins) is copied; may be NULL. Returns 0 or -1 with err set. */
int kafka_client_watch(rd_kafka_conf_t *conf, const kafka_client_spec *spec,
                       const config_map *origins, char *err, size_t errlen);

/* Whether the client met a fatal error; then message (may be NULL) holds it for users. */
bool kafka_client_failed(rd_kafka_t *client, char *message, size_t len);

/* Records a fatal error the owner met itself (a delivery report, a consumer message): message
 * written for users, kept unless the client failed already. Returns whether it is fatal; out
 * (may be NULL) receives the message either way. topic may be NULL. */
bool kafka_client_report(rd_kafka_t *client, rd_kafka_resp_err_t code, const char *reason,
                         const char *topic, char *out, size_t outlen);

/* reason (librdkafka's text for code; NULL for its generic one) as users should read it: when
 * code is fatal (kafka_client_report, which marks the client failed) the message naming the
 * cause and the key or ACL to look at, written into buf; else reason. topic may be NULL. */
const char *kafka_client_error_text(rd_kafka_t *client, rd_kafka_resp_err_t code,
                                    const char *reason, const char *topic, char *buf,
                                    size_t buflen);

/* Waits until a broker answers a metadata request, serving the client's queue: 0, or -1 with
 * the fatal error met, or "no broker reachable at <bootstrap.servers> within N s: <last
 * error>". */
int kafka_client_wait_reachable(rd_kafka_t *client, int timeout_ms, char *err, size_t errlen);

/* ---- the pure parts, for tests ------------------------------------------------------------ */

/* What a message about a client may say about it. All borrowed; strings may be NULL. */
typedef struct kafka_client_facts {
    const char *name;
    kafka_client_role role;
    bool task_client;
    const config_map *origins;
    const char *bootstrap;
    const char *security_protocol; /* the client's; NULL means PLAINTEXT */
    const char *worker_protocol;   /* the worker's top-level security.protocol */
    const char *sasl_mechanism;
    const char *sasl_username;
    const char *group_id;
} kafka_client_facts;

typedef enum kafka_error_class {
    KAFKA_ERROR_TRANSIENT,
    KAFKA_ERROR_FATAL,
} kafka_error_class;

/* Classifies one error of a client and writes it for users into out. topic may be NULL. */
kafka_error_class kafka_client_explain(const kafka_client_facts *facts, rd_kafka_resp_err_t code,
                                       const char *reason, const char *topic, char *out,
                                       size_t outlen);

/* text with librdkafka's setting names replaced by the user's keys. */
void kafka_client_rewrite(const kafka_client_facts *facts, const char *text, char *out,
                          size_t outlen);

/* librdkafka's syslog level as ferry's. */
ferry_log_level kafka_client_log_level(int syslog_level);

#endif
