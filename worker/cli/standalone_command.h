/*
 * standalone_command.h - `ferry standalone WORKER.properties [CONNECTOR ...]`: one worker running
 * the connectors given on the command line and those stored in the config topic, until SIGTERM
 * or SIGINT.
 */
#ifndef FERRY_STANDALONE_COMMAND_H
#define FERRY_STANDALONE_COMMAND_H

/* argv[0] is "standalone". Returns the exit status. */
int standalone_command_run(int argc, char **argv);

#endif
