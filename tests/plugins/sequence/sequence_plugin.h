/*
 * sequence_plugin.h - what the files of the "sequence" test plugin share: the host's services
 * table, the four connector types the descriptor lists, and small helpers. Nothing here is
 * exported from the module (hidden visibility); only ferry_plugin_entry is.
 */
#ifndef SEQUENCE_PLUGIN_H
#define SEQUENCE_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <ferry/plugin.h>

/* The services table handed to the entry function; valid for the process lifetime. */
extern const ferry_host *sequence_host;

extern const ferry_connector_type sequence_source_type; /* sequence_source.c */
extern const ferry_connector_type at_least_once_sequence_source_type; /* sequence_source.c */
extern const ferry_connector_type recording_sink_type;  /* recording_sink.c */
extern const ferry_connector_type recording_text_sink_type; /* recording_sink.c */
extern const ferry_connector_type null_sink_type;       /* null_sink.c */

/* The connector side of both sinks: task_configs hands out max_tasks copies of the connector's
 * config, since the runtime assigns partitions to sink tasks through the consumer group. */
extern const ferry_connector_callbacks sequence_sink_connector;

/* A test hook: true when path is set (not NULL, not empty) and names an existing file. */
bool sequence_trigger_file_exists(const char *path);

/* A copy of a string config value, NULL when the value is unset or empty; *failed is set when
 * the copy could not be allocated. */
char *sequence_config_string_copy(const ferry_config *config, const char *key, bool *failed);

/* Sleeps for milliseconds (nothing for 0 or less), resuming after signals. */
void sequence_sleep_ms(int64_t milliseconds);

#endif
