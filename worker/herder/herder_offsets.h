/*
 * herder_offsets.h - the rules of KIP-875's offsets for every herder: a source connector's
 * offsets live in the offsets topic, a sink's in its consumer group (kafka/group_offsets.h). A
 * change of offsets needs the connector STOPPED (target and state, no task), and an alter
 * request is checked whole before anything is written, with Kafka Connect's messages, and then
 * by the connector (its alter_offsets, as Kafka Connect asks alterOffsets) before an alter or a
 * reset is written: a refusal is INVALID and nothing is written. A herder
 * learns the facts on the control thread, then reads or writes on its own thread.
 */
#ifndef FERRY_HERDER_OFFSETS_H
#define FERRY_HERDER_OFFSETS_H

#include <stdbool.h>

#include <jansson.h>

#include "config/config_map.h"
#include "herder/herder.h"
#include "plugin/plugin_registry.h"
#include "runtime/worker.h"

/* What a change of offsets needs to know of a connector. */
typedef struct herder_offsets_facts {
    const char *name; /* set by the caller, borrowed */
    bool found;
    bool sink;
    bool stopped; /* target and state STOPPED: no task runs */
    bool out_of_memory;
    char group[512];    /* a sink's consumer group */
    config_map *config; /* a sink's config, owned: its admin.override.* */
    /* The connector type's alter_offsets (NULL when it has none) and the config it is called
     * with, owned; config_error says why that config could not be made. */
    ferry_alter_offsets_fn alter_offsets;
    ferry_config *plugin_config;
    char config_error[512];
} herder_offsets_facts;

/* A worker_command_fn (control thread): fills the facts of facts->name. */
void herder_offsets_facts_run(worker *worker, void *facts);
/* 0 when the change may go on; otherwise -1 with result set: NOT_FOUND, FAILED (out of memory,
 * or the config the connector checks offsets with could not be made), or with need_stopped,
 * INVALID when the connector is not STOPPED. */
int herder_offsets_facts_check(const herder_offsets_facts *facts, bool need_stopped,
                               herder_result *result);
void herder_offsets_facts_release(herder_offsets_facts *facts);

/* Checks the shape every alter request must have (a non-empty "offsets" array of entries with a
 * partition object and an object or null offset): 0, or -1 with result INVALID. */
int herder_offsets_request_check(json_t *body, herder_result *result);

/* Any thread but the control thread; they wait for Kafka. Each fills result: the offsets as
 * {"offsets":[..]}; or Kafka Connect's success message; or INVALID / FAILED saying what. */
void herder_offsets_fetch(worker *worker, const herder_offsets_facts *facts,
                          herder_result *result);
void herder_offsets_store(worker *worker, const herder_offsets_facts *facts, json_t *body,
                          herder_result *result);
void herder_offsets_clear(worker *worker, const herder_offsets_facts *facts,
                          herder_result *result);

#endif
