/*
 * herder.h - the one owner of connector changes (Kafka Connect's Herder): create, update, patch,
 * delete, pause / resume / stop, restart, offsets alter / reset, active-topics reset. Each change
 * is validated, serialised with every other change, written to the config topic (or the offsets
 * topic, or the sink's consumer group) and applied to the runtime. The REST API and the command
 * line reach connector changes only through these functions; REST maps a herder_result to HTTP
 * and nothing more.
 *
 * One interface, several herders: the standalone herder applies a change on this worker; a
 * distributed herder may forward it to the leader, refuse it while a rebalance is under way
 * (HERDER_REBALANCING), and learn of its completion later. So every change completes through a
 * callback, which may run before the call returns (standalone) or later on another thread
 * (distributed); herder_wait turns one into a blocking call for callers that may block.
 *
 * Threads: any thread but the worker's control thread may call a change function, and it may
 * block that thread (on the control thread, on Kafka); callbacks run on an unspecified thread and
 * must not block. What a change function receives is borrowed for the call.
 */
#ifndef FERRY_HERDER_H
#define FERRY_HERDER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config/config_map.h"
#include "tasks/runtime_state.h"

typedef struct herder herder;

typedef enum herder_status {
    HERDER_OK,          /* done; 200 / 202 / 204 by operation */
    HERDER_CREATED,     /* a put created the connector: 201 */
    HERDER_NOT_FOUND,   /* no such connector or task: 404 */
    HERDER_EXISTS,      /* a create of a connector that exists: 409 */
    HERDER_INVALID,     /* the request or config is wrong (message says what): 400 */
    HERDER_REBALANCING, /* the cluster is rebalancing, try again: 409 */
    HERDER_NOT_LEADER,  /* a follower: forward the request to leader_url (409 if unknown) */
    HERDER_FORBIDDEN,   /* an internal request whose signature does not match: 403 */
    HERDER_UNAVAILABLE, /* the worker is shutting down: 503 */
    HERDER_TIMED_OUT,   /* the change was not taken in time: 500 "Request timed out" */
    HERDER_FAILED,      /* storing or applying failed (message says what): 500 */
} herder_status;

typedef struct herder_result {
    herder_status status;
    /* What went wrong, in Kafka Connect's wording where it has one (secrets redacted); "" on
     * success unless the operation has a success message (offsets). */
    char message[2048];
    /* The operation's answer, owned by the result (herder_result_clear), or NULL: a put's
     * ConnectorInfo; a restart with includeTasks / onlyFailed, the restart plan (a status with
     * RESTARTING); offsets get, {"offsets":[..]}. */
    json_t *answer;
    /* HERDER_NOT_LEADER: the leader's REST URL ("http://host:port/"), "" while none is known. */
    char leader_url[512];
} herder_result;

/* Frees the answer and empties the result; accepts a result that holds nothing. */
void herder_result_clear(herder_result *result);

/* Called once per change with its result; result is borrowed for the call. A change function
 * accepts a NULL callback when nobody waits for the outcome. */
typedef void (*herder_callback)(const herder_result *result, void *opaque);

/* Whether the herder has finished starting (Kafka Connect's isReady): the standalone herder once
 * the command line's connectors are in place, a distributed one once it has joined the group
 * and read the config topic. GET /health says "starting" until then. Any thread. */
bool herder_is_ready(herder *herder);

/* ---- changes ---------------------------------------------------------------------------- */

/* Creates or replaces the connector config names (config must hold "name"): HERDER_CREATED or
 * HERDER_OK, with the connector's ConnectorInfo. With allow_replace false an existing connector
 * is HERDER_EXISTS. initial is the target state of a new connector (RUNNING, PAUSED or STOPPED).
 * A config that does not validate is HERDER_INVALID with Kafka Connect's message listing every
 * problem. */
void herder_connector_put(herder *herder, const config_map *config, runtime_state initial,
                          bool allow_replace, herder_callback done, void *opaque);

/* Merges patch (a JSON object: a string, number or boolean sets a key, null removes it) into the
 * connector's stored config and puts the result, as herder_connector_put with allow_replace. A
 * patch may not rename the connector. */
void herder_connector_patch(herder *herder, const char *name, json_t *patch,
                            herder_callback done, void *opaque);

void herder_connector_delete(herder *herder, const char *name, herder_callback done,
                             void *opaque);

/* RUNNING (resume), PAUSED or STOPPED: stored in the config topic, then applied. */
void herder_connector_target(herder *herder, const char *name, runtime_state target,
                             herder_callback done, void *opaque);

/* Restarts the connector (task < 0; with its tasks: all, or only FAILED ones) or one task. With
 * include_tasks or only_failed, the answer is the restart plan. */
void herder_connector_restart(herder *herder, const char *name, int task, bool include_tasks,
                              bool only_failed, herder_callback done, void *opaque);

/* Forgets the topics the connector's tasks used (KIP-558's reset). */
void herder_connector_topics_reset(herder *herder, const char *name, herder_callback done,
                                   void *opaque);

/* Kafka Connect's PUT /connectors/{c}/fence (KIP-618): the leader of a cluster running
 * exactly-once sources fences every transactional.id of the source connector's previous task
 * generation and records its task count (HERDER_OK, 204). NOT_FOUND for an unknown connector;
 * INVALID for a sink, a worker without exactly.once.source.support=enabled, or a standalone
 * worker (it has no cluster whose tasks move); a follower completes with NOT_LEADER. */
void herder_connector_fence(herder *herder, const char *name, herder_callback done,
                            void *opaque);

/* KIP-875. get: the answer is {"offsets":[{"partition":{..},"offset":{..}}]}. alter: body is the
 * request's {"offsets":[..]} (a source's partitions and offsets, or a sink's kafka_topic /
 * kafka_partition / kafka_offset; a null offset resets that partition). reset: every offset.
 * alter and reset need the connector STOPPED (else HERDER_INVALID with Kafka Connect's message);
 * on success the message is Kafka Connect's. */
void herder_offsets_get(herder *herder, const char *name, herder_callback done, void *opaque);
void herder_offsets_alter(herder *herder, const char *name, json_t *body, herder_callback done,
                          void *opaque);
void herder_offsets_reset(herder *herder, const char *name, herder_callback done,
                          void *opaque);

/* The cluster as this worker sees it, for /metrics: a new object {"worker_id", "leader" (bool),
 * "leader_id", "leader_url", "epoch" (the assignment running here), "generation" (the group
 * membership's), "members", "rebalances", "rebalancing_ms_total", "fenced" (bool),
 * "connectors", "tasks" (assigned here)}; NULL for a standalone worker. Any thread. */
json_t *herder_cluster_metrics(herder *herder);

/* ---- requests between the workers of a cluster ------------------------------------------ */

/* What an internal request carries to prove it comes from the cluster (KIP-507): the two
 * headers (NULL when absent) and the exact body bytes they sign. */
typedef struct herder_signed {
    const char *algorithm; /* X-Connect-Request-Signature-Algorithm */
    const char *signature; /* X-Connect-Authorization */
    const void *body;
    size_t body_len;
} herder_signed;

/* Kafka Connect's POST /connectors/{c}/tasks: a connector's owner hands the leader the task
 * configs its instance made (configs: an array of objects of strings). The leader checks the
 * signature (INVALID 400 when a header is missing or malformed, FORBIDDEN 403 when it does not
 * match, UNAVAILABLE 503 before any session key is known) and writes them; a follower completes
 * with NOT_LEADER; a standalone worker refuses it (INVALID). */
void herder_tasks_put(herder *herder, const char *name, json_t *configs,
                      const herder_signed *signature, herder_callback done, void *opaque);

/* ---- for callers that may block ---------------------------------------------------------- */

/* A herder_callback that stores a copy of the result in a herder_waiter, which serves one
 * change at a time. NULL when out of memory. */
typedef struct herder_waiter herder_waiter;
herder_waiter *herder_waiter_new(void);
/* Accepts NULL; a waiter must not be destroyed while its change is in progress. */
void herder_waiter_destroy(herder_waiter *waiter);
void herder_waiter_done(const herder_result *result, void *waiter);
/* Waits for the waiter's change to complete and moves its result to *result (the caller clears
 * it); the waiter is then ready for another change. */
void herder_wait(herder_waiter *waiter, herder_result *result);

/* ---- implementations ----------------------------------------------------------------------
 * A herder is a table of these functions; herder.c dispatches to them. */
typedef struct herder_ops {
    void (*connector_put)(herder *herder, const config_map *config, runtime_state initial,
                          bool allow_replace, herder_callback done, void *opaque);
    void (*connector_patch)(herder *herder, const char *name, json_t *patch,
                            herder_callback done, void *opaque);
    void (*connector_delete)(herder *herder, const char *name, herder_callback done,
                             void *opaque);
    void (*connector_target)(herder *herder, const char *name, runtime_state target,
                             herder_callback done, void *opaque);
    void (*connector_restart)(herder *herder, const char *name, int task, bool include_tasks,
                              bool only_failed, herder_callback done, void *opaque);
    void (*connector_topics_reset)(herder *herder, const char *name, herder_callback done,
                                   void *opaque);
    void (*connector_fence)(herder *herder, const char *name, herder_callback done,
                            void *opaque);
    void (*offsets_get)(herder *herder, const char *name, herder_callback done, void *opaque);
    void (*offsets_alter)(herder *herder, const char *name, json_t *body, herder_callback done,
                          void *opaque);
    void (*offsets_reset)(herder *herder, const char *name, herder_callback done, void *opaque);
    void (*tasks_put)(herder *herder, const char *name, json_t *configs,
                      const herder_signed *signature, herder_callback done, void *opaque);
    bool (*is_ready)(herder *herder);
    json_t *(*cluster_metrics)(herder *herder); /* may be NULL: not a cluster's worker */
    void (*destroy)(herder *herder);
} herder_ops;

struct herder {
    const herder_ops *ops;
};

/* Frees a herder of any kind; accepts NULL. */
void herder_destroy(herder *herder);

/* For implementations: sets status and a message (printf format) in one step. */
void herder_result_set(herder_result *result, herder_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For implementations: merges a PATCH into config, the stored config of connector name (patch
 * is a JSON object: a string, number or boolean sets a key, null removes it). A patch may not
 * rename the connector. 0, or -1 with result INVALID saying which key is wrong (or FAILED). */
int herder_config_merge(config_map *config, json_t *patch, const char *name,
                        herder_result *result);
/* For implementations: calls done (when not NULL) with result, then clears result. */
void herder_complete(herder_callback done, void *opaque, herder_result *result);

#endif
