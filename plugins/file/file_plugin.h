/*
 * file_plugin.h - what the files of the file plugin share: the host's services table and the two
 * connector types. file_plugin.c sets file_host in the entry point; unit tests set it to a fake
 * table so that the tasks run without a worker.
 */
#ifndef FERRY_FILE_PLUGIN_H
#define FERRY_FILE_PLUGIN_H

#include <ferry/plugin.h>

/* The services table of the host, valid for the life of the process once set. */
extern const ferry_host *file_host;

extern const ferry_connector_type file_source_type; /* FileSource, alias FileStreamSource */
extern const ferry_connector_type file_sink_type;   /* FileSink, alias FileStreamSink */

#endif
