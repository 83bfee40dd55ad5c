/*
 * plugins_command.h - `ferry plugins [--plugin-path DIRS] [--json]`: every connector type found on
 * the plugin path with its aliases and config keys, from the same definitions the REST API serves.
 */
#ifndef FERRY_PLUGINS_COMMAND_H
#define FERRY_PLUGINS_COMMAND_H

#include <stdio.h>

/* argv[0] is "plugins". Writes the listing to out, errors to the log. Returns the exit status. */
int plugins_command_run(int argc, char **argv, FILE *out);

#endif
