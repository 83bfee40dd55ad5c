/*
 * connector_file.h - loads a connector config given on the command line: a .properties file, or a
 * JSON file holding either {"name": .., "config": {..}} (what POST /connectors takes) or a flat map
 * of strings. The result always has a "name" key.
 */
#ifndef FERRY_CONNECTOR_FILE_H
#define FERRY_CONNECTOR_FILE_H

#include <stddef.h>

#include "config/config_map.h"

/* Chooses the format by content (a file whose first non-blank byte is '{' is JSON), not by name.
 * Returns a new map, or NULL with a message naming the path and what is wrong in err
 * (unreadable, malformed JSON with line and column, no name, name in "name" and in "config"
 * disagreeing, a value that is not a string, number or boolean). */
config_map *connector_file_load(const char *path, char *err, size_t errlen);
/* The same for JSON text already in memory (a REST body); source names it in errors. */
config_map *connector_json_parse(const char *text, size_t len, const char *source, char *err,
                                 size_t errlen);

#endif
