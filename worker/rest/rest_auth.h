/*
 * rest_auth.h - authentication of REST requests, beyond Kafka Connect: HTTP Basic credentials
 * (rest.auth.basic.users = user:password,...) and bearer tokens (rest.auth.bearer.tokens), both
 * from the worker config and so from config providers (${file:..}, ${env:..}). With neither
 * set, every request is let through (the listener is on localhost by default).
 *
 * Credentials are kept only as HMAC-SHA256 digests under a key drawn at start-up; a presented
 * credential is digested the same way and compared with every known digest in constant time,
 * without stopping at a match, so neither timing nor the answer tells a wrong user from a wrong
 * password. rest.auth.public.paths lists GET paths that need no credentials (for probes, say).
 *
 * Roles: every credential is admin (may do everything) unless rest.auth.roles gives its user
 * the role read-only (user:read-only,...) or the token is one of
 * rest.auth.bearer.read-only.tokens; a read-only client may only read (GET, HEAD).
 *
 * The console's CSRF token (docs/console.md) is a digest of the request's Authorization under
 * the same start-up key: a page of another site can neither read nor compute it.
 */
#ifndef FERRY_REST_AUTH_H
#define FERRY_REST_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config_map.h"

typedef struct rest_auth rest_auth;

typedef enum rest_auth_result {
    REST_AUTH_ACCEPTED,
    REST_AUTH_MISSING,  /* no (usable) Authorization header */
    REST_AUTH_REJECTED, /* credentials that match nothing */
} rest_auth_result;

typedef enum rest_role {
    REST_ROLE_ADMIN,     /* everything (every client when authentication is off) */
    REST_ROLE_READ_ONLY, /* GET and HEAD only */
} rest_role;

/* "admin" or "read-only". */
const char *rest_role_name(rest_role role);

/* Reads rest.auth.* from the worker's resolved config. NULL with a message naming the key on a
 * malformed entry (a user without ':' or an empty password, say; never the value). */
rest_auth *rest_auth_new(const config_map *worker_values, char *err, size_t errlen);
void rest_auth_destroy(rest_auth *auth); /* accepts NULL */

bool rest_auth_enabled(const rest_auth *auth);
/* "basic", "bearer", "basic, bearer" or "none", for the start-up log line. */
const char *rest_auth_schemes(const rest_auth *auth);
/* The WWW-Authenticate header of a 401 answer. */
const char *rest_auth_challenge(const rest_auth *auth);
/* True when method and path may be served without credentials: a path of
 * rest.auth.public.paths (GET), or Kafka Connect's internal POST /connectors/{c}/tasks, which
 * is signed instead (as Kafka Connect's Basic authentication extension lets it through). */
bool rest_auth_is_public(const rest_auth *auth, const char *method, const char *path);
/* Checks an Authorization header value (NULL when absent). */
rest_auth_result rest_auth_check(const rest_auth *auth, const char *authorization);
/* As rest_auth_check, and on REST_AUTH_ACCEPTED sets *role (admin when authentication is off,
 * whatever the header). */
rest_auth_result rest_auth_identify(const rest_auth *auth, const char *authorization,
                                    rest_role *role);

#define REST_CSRF_TOKEN_LEN 64 /* hex characters */
/* The CSRF token of a client presenting authorization (NULL when none): out receives
 * REST_CSRF_TOKEN_LEN hex characters and a NUL. -1 when it cannot be computed. */
int rest_auth_csrf_token(const rest_auth *auth, const char *authorization,
                         char out[REST_CSRF_TOKEN_LEN + 1]);
/* True when token (NULL when absent) is the CSRF token of authorization; compared in constant
 * time. */
bool rest_auth_csrf_check(const rest_auth *auth, const char *authorization, const char *token);

#endif
