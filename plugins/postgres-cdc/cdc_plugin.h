/*
 * cdc_plugin.h - what the files of the PostgreSQL CDC plugin share: the host's services table and
 * the connector's callbacks. cdc_plugin.c sets cdc_host in the entry point; unit tests set it to a
 * fake table.
 */
#ifndef PGCDC_CDC_PLUGIN_H
#define PGCDC_CDC_PLUGIN_H

#include <ferry/plugin.h>

#define CDC_PLUGIN_VERSION "0.1.0"
/* The "version" of every event's source block. */
#define CDC_SOURCE_VERSION "ferry-" CDC_PLUGIN_VERSION

/* The connector makes exactly one task (a slot has one reader): its number, which the
 * replication connection's take-over marker carries. */
#define CDC_TASK_NUMBER 0
#define CDC_TASK_ID_TEXT "0" /* CDC_TASK_NUMBER, as text */

extern const ferry_host *cdc_host;

extern const ferry_connector_callbacks cdc_connector_callbacks;
/* The connector type's alter_offsets (cdc_connector.c). */
ferry_status cdc_connector_alter_offsets(const ferry_config *config,
                                         const ferry_source_offset *offsets, size_t count,
                                         char *err, size_t errlen);
extern const ferry_source_task_callbacks cdc_source_callbacks;
extern const ferry_connector_type cdc_source_type;

#endif
