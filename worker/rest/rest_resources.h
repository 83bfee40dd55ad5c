/*
 * rest_resources.h - the handlers of every REST resource, one file per group; rest_router.c maps
 * paths to them. The reads served most are rest_async_handlers (never blocking a thread); the
 * others are plain handlers, which may block.
 */
#ifndef FERRY_REST_RESOURCES_H
#define FERRY_REST_RESOURCES_H

#include "rest/rest_http.h"

/* rest_admin.c: the server, its health, its loggers */
void rest_root(rest_request *request, rest_response *response);
void rest_health(rest_request *request, rest_response *response);
void rest_loggers_list(rest_request *request, rest_response *response);
void rest_logger_get(rest_request *request, rest_response *response);
void rest_logger_put(rest_request *request, rest_response *response);

/* rest_metrics.c */
extern const rest_async_handler rest_metrics;

/* rest_connectors.c: connectors, their configs, states and tasks */
extern const rest_async_handler rest_connectors_list;
void rest_connectors_create(rest_request *request, rest_response *response);
extern const rest_async_handler rest_connector_info;
void rest_connector_delete(rest_request *request, rest_response *response);
extern const rest_async_handler rest_connector_config_get;
void rest_connector_config_put(rest_request *request, rest_response *response);
void rest_connector_config_patch(rest_request *request, rest_response *response);
extern const rest_async_handler rest_connector_status;
void rest_connector_restart(rest_request *request, rest_response *response);
void rest_connector_pause(rest_request *request, rest_response *response);
void rest_connector_resume(rest_request *request, rest_response *response);
void rest_connector_stop(rest_request *request, rest_response *response);
extern const rest_async_handler rest_connector_tasks;
void rest_connector_tasks_put(rest_request *request, rest_response *response);
extern const rest_async_handler rest_connector_tasks_config;
extern const rest_async_handler rest_task_status;
void rest_task_restart(rest_request *request, rest_response *response);
extern const rest_async_handler rest_connector_topics;
void rest_connector_topics_reset(rest_request *request, rest_response *response);
void rest_connector_fence(rest_request *request, rest_response *response);

/* rest_offsets.c: source offsets (offsets topic) and sink offsets (consumer group) */
void rest_offsets_get(rest_request *request, rest_response *response);
void rest_offsets_patch(rest_request *request, rest_response *response);
void rest_offsets_delete(rest_request *request, rest_response *response);

/* rest_plugins.c: connector types, their definitions, validation */
extern const rest_async_handler rest_plugins_list;
extern const rest_async_handler rest_plugin_config;
void rest_plugin_validate(rest_request *request, rest_response *response);

#endif
