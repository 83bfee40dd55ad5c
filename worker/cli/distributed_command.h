/*
 * distributed_command.h - `ferry distributed WORKER.properties`: one worker of a cluster (the
 * workers sharing group.id and the three internal topics), running the part of the cluster's
 * connectors the leader assigns it, until SIGTERM or SIGINT (docs/distributed.md).
 */
#ifndef FERRY_DISTRIBUTED_COMMAND_H
#define FERRY_DISTRIBUTED_COMMAND_H

/* argv[0] is "distributed". Returns the exit status. */
int distributed_command_run(int argc, char **argv);

#endif
