/*
 * file_connector.h - what FileSource's and FileSink's connectors share: the connector keeps a copy
 * of its config, and task configs are built from it.
 */
#ifndef FERRY_FILE_CONNECTOR_H
#define FERRY_FILE_CONNECTOR_H

#include <ferry/plugin.h>

/* Connector start: keeps a copy of the config (the state is that JSON object). */
ferry_status file_connector_start(ferry_context *ctx, const ferry_config *config, void **state,
                                  char *err, size_t errlen);
void file_connector_stop(void *state);

/* A new array of count task configs: the connector's config plus "task.index" and "task.count".
 * NULL when out of memory. */
json_t *file_connector_task_configs(json_t *config, int count);

#endif
