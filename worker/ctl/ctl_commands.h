/*
 * ctl_commands.h - the commands of `ferry ctl` that talk to a worker. Each takes the parsed
 * command line and a client for the target, writes its answer to out (errors to stderr) and
 * returns an exit code (ctl_args.h).
 */
#ifndef FERRY_CTL_COMMANDS_H
#define FERRY_CTL_COMMANDS_H

#include <stdio.h>

#include "ctl/ctl_args.h"
#include "ctl/ctl_client.h"

/* ctl_query.c: get connectors|plugins|offsets|loggers|tasks, describe connector. */
int ctl_query_get(const ctl_args *args, ctl_client *client, FILE *out);
int ctl_query_describe(const ctl_args *args, ctl_client *client, FILE *out);

/* ctl_change.c: apply, create, patch, delete, pause, resume, stop, restart, offsets alter|reset,
 * logs level. */
int ctl_change_apply(const ctl_args *args, ctl_client *client, FILE *out);
int ctl_change_patch(const ctl_args *args, ctl_client *client, FILE *out);
int ctl_change_lifecycle(const ctl_args *args, ctl_client *client, FILE *out);
int ctl_change_restart(const ctl_args *args, ctl_client *client, FILE *out);
int ctl_change_offsets(const ctl_args *args, ctl_client *client, FILE *out);
int ctl_change_logs(const ctl_args *args, ctl_client *client, FILE *out);

/* ctl_completion.c: `completion bash|zsh` (needs no worker). */
int ctl_completion_print(const ctl_args *args, FILE *out);

#endif
