/*
 * ctl_args.h - the command line of `ferry ctl`: its options (global ones and those of single
 * commands, accepted anywhere after `ctl`), its positional words, and the exit codes every
 * command answers with (docs/ctl.md lists them).
 */
#ifndef FERRY_CTL_ARGS_H
#define FERRY_CTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes, for scripts: one per kind of failure a caller may want to handle. */
enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_USAGE = 1,        /* bad arguments, an unreadable or malformed local file */
    CTL_EXIT_NOT_FOUND = 2,    /* 404: no such connector, task, plugin or logger */
    CTL_EXIT_CONFLICT = 3,     /* 409: the name exists, or the cluster is rebalancing */
    CTL_EXIT_INVALID = 4,      /* 400 or validation errors: the server refused the input */
    CTL_EXIT_UNREACHABLE = 5,  /* no connection, TLS failure, timeout */
    CTL_EXIT_UNAUTHORIZED = 6, /* 401 or 403 */
    CTL_EXIT_SERVER = 7,       /* any other answer (5xx, unexpected body) */
};

typedef enum ctl_format { CTL_FORMAT_TABLE, CTL_FORMAT_JSON, CTL_FORMAT_YAML } ctl_format;

#define CTL_MAX_WORDS 32

typedef struct ctl_args {
    const char *words[CTL_MAX_WORDS]; /* positional words after `ctl`, borrowed from argv */
    int count;
    /* where and who (global; set-context stores them) */
    const char *url, *context, *user, *password_file, *token_file, *cacert, *cert, *key;
    bool insecure;
    /* output */
    const char *output;
    ctl_format format;
    bool help;
    /* single commands */
    const char *file, *scope, *task;
    bool dry_run, include_tasks, only_failed;
    const char *unset[CTL_MAX_WORDS];
    int unset_count;
} ctl_args;

/* Parses argv (argv[0] is "ctl"). 0, or -1 with what is wrong in err. */
int ctl_args_parse(int argc, char **argv, ctl_args *args, char *err, size_t errlen);

/* The word at index i, or NULL. */
const char *ctl_args_word(const ctl_args *args, int i);

#endif
