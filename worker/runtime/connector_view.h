/*
 * connector_view.h - what the worker shows of a connector, as Kafka Connect's REST API shapes it:
 * its ConnectorInfo, status, config and task configs, every secret hidden (config_redact.h).
 * The REST API's reads and the herder's answers are built here, so that both show a connector
 * the same way. Every function runs on the control thread.
 */
#ifndef FERRY_CONNECTOR_VIEW_H
#define FERRY_CONNECTOR_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>
#include <jansson.h>

#include "config/config_map.h"
#include "runtime/connector_runtime.h"
#include "runtime/worker.h"

/* The definitions a connector config is read against (common keys, sink keys, the plugin's);
 * fills defs, returns how many (1 when the type is unknown: the common keys). */
size_t connector_view_definitions(worker *worker, const config_map *config,
                                  const ferry_config_key *defs[3]);

/* Kafka Connect's ConnectorInfo: {name, config, tasks:[{connector, task}], type}. */
json_t *connector_view_info(worker *worker, connector_runtime *connector);
/* Kafka Connect's status ({name, connector:{state, worker_id, trace?}, tasks:[..], type}),
 * secrets hidden in traces. */
json_t *connector_view_status(worker *worker, connector_runtime *connector);
/* The connector's config as stored (variables unresolved), secrets hidden. */
json_t *connector_view_config(worker *worker, connector_runtime *connector);
/* The task configs as the tasks run them: an array with, for each task, the task's config over
 * the connector's, variables unresolved, secrets hidden. */
json_t *connector_view_task_configs(worker *worker, connector_runtime *connector);
/* The status a restart answers with (Kafka Connect's restart plan): the connector's status with
 * what the restart will restart marked RESTARTING, traces of those removed. Restarting the
 * connector instance restarts its tasks in ferry. */
json_t *connector_view_restart_plan(worker *worker, connector_runtime *connector,
                                    bool include_tasks, bool only_failed);
/* A copy of text with the literal secrets of config hidden (config_redact_text with the
 * definitions of config's type); NULL on allocation failure. */
char *connector_view_redact_text(worker *worker, const config_map *config, const char *text);

#endif
