/*
 * ctl_command.h - `ferry ctl`: the REST API of ferry or Kafka Connect at a terminal.
 */
#ifndef FERRY_CTL_COMMAND_H
#define FERRY_CTL_COMMAND_H

/* argv[0] is "ctl". Returns the exit status (docs/ctl.md). */
int ctl_command_run(int argc, char **argv);

#endif
