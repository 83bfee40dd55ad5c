/*
 * ctl_client.h - the HTTP client of `ferry ctl` (libcurl): one connection kept alive for the
 * requests of one command, Basic or Bearer authentication, the TLS options of the target, and
 * the translation of an answer's status into ctl's exit codes.
 */
#ifndef FERRY_CTL_CLIENT_H
#define FERRY_CTL_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#include "ctl/ctl_context.h"

typedef struct ctl_client ctl_client;

typedef struct ctl_reply {
    long status;  /* 0 when no answer came */
    json_t *json; /* the body parsed, or NULL (empty or not JSON) */
    char *body;   /* the raw body, NUL-terminated */
} ctl_reply;

/* target is borrowed for the client's life. NULL out of memory. */
ctl_client *ctl_client_new(const ctl_target *target);
void ctl_client_destroy(ctl_client *client); /* accepts NULL */

/* A request; path is below the target's URL and already escaped. body (borrowed) is sent as
 * JSON when not NULL. Returns the status (0 with the reason in err when nothing came back). */
long ctl_client_call(ctl_client *client, const char *method, const char *path,
                     const json_t *body, ctl_reply *reply, char *err, size_t errlen);
void ctl_reply_clear(ctl_reply *reply);

/* A request that must succeed (2xx): the parsed answer in *answer (a new reference, NULL for an
 * empty body; answer may be NULL). Otherwise prints "ferry ctl: <what went wrong>" to stderr and
 * returns the exit code of the status (2 for 404, 3 for 409, 4 for 400, 5 when unreachable, 6 for
 * 401/403, 7 else). */
int ctl_client_expect(ctl_client *client, const char *method, const char *path,
                      const json_t *body, json_t **answer);

/* The exit code of an HTTP status. */
int ctl_client_exit_code(long status);

/* "/connectors/<name escaped>" + suffix (malloc'd); NULL out of memory. */
char *ctl_client_path(ctl_client *client, const char *prefix, const char *name,
                      const char *suffix);

#endif
