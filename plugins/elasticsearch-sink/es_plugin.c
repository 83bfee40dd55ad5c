/*
 * es_plugin.c - the Elasticsearch plugin's entry point and descriptor. The connector is in
 * es_connector.c, its task in es_sink.c; docs/connectors/elasticsearch-sink.md documents it.
 */
#include "es_plugin.h"

static const ferry_plugin es_plugin = {
    FERRY_PLUGIN_HEADER,
    .name = "elasticsearch-sink",
    .version = "1.0.0",
    .connectors = (const ferry_connector_type *const[]){&es_sink_type, NULL},
};

FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *services)
{
    es_host = services;
    return &es_plugin;
}
