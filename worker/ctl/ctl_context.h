/*
 * ctl_context.h - where `ferry ctl` sends its requests: named contexts (a URL and how to
 * authenticate and trust it) kept in $XDG_CONFIG_HOME/ferry/ctl.json (mode 0600), the current
 * one, and the overrides of FERRY_URL and the command line. Secrets are never stored in the
 * file: a context names the files that hold the password or the token.
 */
#ifndef FERRY_CTL_CONTEXT_H
#define FERRY_CTL_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ctl/ctl_args.h"

#define CTL_DEFAULT_URL "http://127.0.0.1:8083"

/* A resolved target: every string malloc'd or NULL. */
typedef struct ctl_target {
    char *context;  /* the context used, or NULL */
    char *url;      /* without a trailing slash */
    char *user, *password, *token;
    char *cacert, *cert, *key;
    bool insecure;
} ctl_target;

/* The target of this invocation: the context (--context, else the current one), then FERRY_URL,
 * then the command line's options. 0, or a CTL_EXIT_* code with the reason in err. */
int ctl_context_resolve(const ctl_args *args, ctl_target *target, char *err, size_t errlen);
void ctl_target_clear(ctl_target *target);

/* `ferry ctl config ...`: set-context, use-context, get-contexts, current-context,
 * delete-context. Returns an exit code. */
int ctl_context_command(const ctl_args *args, FILE *out);

#endif
