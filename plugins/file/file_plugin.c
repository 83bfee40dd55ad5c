/*
 * file_plugin.c - the file plugin's entry point and descriptor: FileSource and FileSink.
 * The connectors themselves are in file_source.c and file_sink.c; docs/connectors/file.md
 * documents both.
 */
#include "file_plugin.h"

static const ferry_plugin file_plugin = {
    FERRY_PLUGIN_HEADER,
    .name = "file",
    .version = "1.0.0",
    .connectors = (const ferry_connector_type *const[]){&file_source_type, &file_sink_type, NULL},
};

FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *services)
{
    file_host = services;
    return &file_plugin;
}
