/*
 * es_plugin.h - what the files of the Elasticsearch plugin share: the host's services table and
 * the connector type. es_plugin.c sets es_host in the entry point; unit tests set it to a fake
 * table so that the task runs without a worker.
 */
#ifndef FERRY_ES_PLUGIN_H
#define FERRY_ES_PLUGIN_H

#include <ferry/plugin.h>

/* The services table of the host, valid for the life of the process once set. */
extern const ferry_host *es_host;

extern const ferry_connector_type es_sink_type;       /* ElasticsearchSink */
extern const ferry_sink_task_callbacks es_sink_task;  /* its task (es_sink.c) */
extern const ferry_connector_callbacks es_connector;  /* its connector (es_connector.c) */

#endif
