/*
 * rest_auth.c - Basic and Bearer credentials as keyed digests, checked in constant time.
 */
#include "rest/rest_auth.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"
#include "support/base64.h"
#include "support/hex.h"

#define REST_DIGEST_LEN 32 /* SHA-256 */
#define REST_KEY_LEN 32
/* A credential longer than this is refused before it is digested. */
#define REST_CREDENTIAL_MAX 4096

typedef struct rest_digest {
    unsigned char bytes[REST_DIGEST_LEN];
} rest_digest;

/* The schemes are digested with different prefixes, so a bearer token equal to someone's
 * "user:password" matches nothing. */
typedef enum rest_scheme { REST_SCHEME_BASIC, REST_SCHEME_BEARER, REST_SCHEME_CSRF } rest_scheme;

struct rest_auth {
    unsigned char key[REST_KEY_LEN];
    rest_digest *basic;
    rest_role *basic_roles;
    size_t basic_count;
    rest_digest *bearer;
    rest_role *bearer_roles;
    size_t bearer_count;
    char **public_paths;
    char challenge[64];
};

static int rest_digest_of(const rest_auth *auth, rest_scheme scheme, const void *data,
                          size_t len, rest_digest *out)
{
    if (len > REST_CREDENTIAL_MAX)
        return -1;
    unsigned char input[REST_CREDENTIAL_MAX + 1];
    input[0] = scheme == REST_SCHEME_BASIC ? 'B' : scheme == REST_SCHEME_BEARER ? 'T' : 'C';
    memcpy(input + 1, data, len);
    int rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, auth->key, sizeof(auth->key), input, len + 1,
                              out->bytes);
    gnutls_memset(input, 0, len + 1);
    return rc == 0 ? 0 : -1;
}

/* The role rest.auth.roles gives user (admin when it names none). 0, or -1 with a message
 * naming the key on a malformed entry or an unknown role. */
static int rest_role_of_user(char **roles, const char *user, size_t user_len, rest_role *out,
                             char *err, size_t errlen)
{
    *out = REST_ROLE_ADMIN;
    for (size_t i = 0; roles[i]; i++) {
        const char *colon = strrchr(roles[i], ':');
        if (!colon || colon == roles[i])
            return ferry_error_set(err, errlen, "rest.auth.roles: entry %zu is not of the form "
                                   "user:role", i + 1), -1;
        const char *role = colon + 1;
        rest_role parsed;
        if (strcmp(role, "admin") == 0)
            parsed = REST_ROLE_ADMIN;
        else if (strcmp(role, "read-only") == 0)
            parsed = REST_ROLE_READ_ONLY;
        else
            return ferry_error_set(err, errlen, "rest.auth.roles: entry %zu has the role '%s'; "
                                   "expected admin or read-only", i + 1, role), -1;
        if ((size_t)(colon - roles[i]) == user_len && memcmp(roles[i], user, user_len) == 0)
            *out = parsed;
    }
    return 0;
}

/* Digests every item of a list key and appends them to *out with role (a Basic entry's from
 * roles, by its user). Returns 0, or -1 with a message naming the key. */
static int rest_digests_load(rest_auth *auth, const config_map *values, const char *key,
                             rest_scheme scheme, rest_role role, char **roles, rest_digest **out,
                             rest_role **out_roles, size_t *count, char *err, size_t errlen)
{
    const char *text = config_map_get(values, key);
    if (!text)
        return 0;
    char **items = config_value_split_list(text);
    if (!items)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t n = 0;
    while (items[n])
        n++;
    int rc = -1;
    rest_digest *digests = realloc(*out, (*count + n + 1) * sizeof(**out));
    if (digests)
        *out = digests;
    rest_role *granted = digests ? realloc(*out_roles, (*count + n + 1) * sizeof(**out_roles))
                                 : NULL;
    if (granted)
        *out_roles = granted;
    if (!digests || !granted) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *colon = strchr(items[i], ':');
        if (scheme == REST_SCHEME_BASIC && (!colon || colon == items[i] || colon[1] == '\0')) {
            ferry_error_set(err, errlen, "%s: entry %zu is not of the form user:password "
                            "(a non-empty user and password)", key, i + 1);
            goto done;
        }
        size_t at = *count + i;
        if (rest_digest_of(auth, scheme, items[i], strlen(items[i]), &digests[at]) != 0) {
            ferry_error_set(err, errlen, "%s: entry %zu is longer than %d bytes", key, i + 1,
                            REST_CREDENTIAL_MAX);
            goto done;
        }
        granted[at] = role;
        if (scheme == REST_SCHEME_BASIC &&
            rest_role_of_user(roles, items[i], (size_t)(colon - items[i]), &granted[at], err,
                              errlen) != 0)
            goto done;
    }
    *count += n;
    rc = 0;
done:
    for (size_t i = 0; i < n; i++)
        gnutls_memset(items[i], 0, strlen(items[i]));
    config_list_free(items);
    return rc;
}

rest_auth *rest_auth_new(const config_map *values, char *err, size_t errlen)
{
    rest_auth *auth = calloc(1, sizeof(*auth));
    if (!auth)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    if (gnutls_rnd(GNUTLS_RND_KEY, auth->key, sizeof(auth->key)) != 0) {
        ferry_error_set(err, errlen, "cannot draw a random key for the credentials");
        goto fail;
    }
    const char *role_text = config_map_get(values, "rest.auth.roles");
    char **roles = config_value_split_list(role_text ? role_text : "");
    if (!roles) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    rest_role unused;
    int loaded = rest_role_of_user(roles, "", 0, &unused, err, errlen) == 0 &&
                 rest_digests_load(auth, values, "rest.auth.basic.users", REST_SCHEME_BASIC,
                                   REST_ROLE_ADMIN, roles, &auth->basic, &auth->basic_roles,
                                   &auth->basic_count, err, errlen) == 0 &&
                 rest_digests_load(auth, values, "rest.auth.bearer.tokens", REST_SCHEME_BEARER,
                                   REST_ROLE_ADMIN, roles, &auth->bearer, &auth->bearer_roles,
                                   &auth->bearer_count, err, errlen) == 0 &&
                 rest_digests_load(auth, values, "rest.auth.bearer.read-only.tokens",
                                   REST_SCHEME_BEARER, REST_ROLE_READ_ONLY, roles, &auth->bearer,
                                   &auth->bearer_roles, &auth->bearer_count, err, errlen) == 0;
    config_list_free(roles);
    if (!loaded)
        goto fail;
    const char *paths = config_map_get(values, "rest.auth.public.paths");
    auth->public_paths = config_value_split_list(paths ? paths : "");
    if (!auth->public_paths) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; auth->public_paths[i]; i++) {
        if (auth->public_paths[i][0] != '/') {
            ferry_error_set(err, errlen, "rest.auth.public.paths: '%s' is not a path starting "
                            "with '/'", auth->public_paths[i]);
            goto fail;
        }
    }
    snprintf(auth->challenge, sizeof(auth->challenge), "%s", auth->basic_count
                                                                 ? "Basic realm=\"ferry\""
                                                                 : "Bearer realm=\"ferry\"");
    return auth;
fail:
    rest_auth_destroy(auth);
    return NULL;
}

void rest_auth_destroy(rest_auth *auth)
{
    if (!auth)
        return;
    gnutls_memset(auth->key, 0, sizeof(auth->key));
    free(auth->basic);
    free(auth->basic_roles);
    free(auth->bearer);
    free(auth->bearer_roles);
    config_list_free(auth->public_paths);
    free(auth);
}

bool rest_auth_enabled(const rest_auth *auth)
{
    return auth->basic_count > 0 || auth->bearer_count > 0;
}

const char *rest_auth_schemes(const rest_auth *auth)
{
    if (auth->basic_count && auth->bearer_count)
        return "basic, bearer";
    return auth->basic_count ? "basic" : auth->bearer_count ? "bearer" : "none";
}

const char *rest_auth_challenge(const rest_auth *auth)
{
    return auth->challenge;
}

/* Kafka Connect's internal request between workers, POST /connectors/{c}/tasks, which its Basic
 * authentication extension (JaasBasicAuthFilter) lets through: workers do not hold users'
 * credentials; the request carries the cluster's signature instead, which the herder checks. */
static bool rest_auth_is_internal(const char *method, const char *path)
{
    static const char prefix[] = "/connectors/";
    if (strcmp(method, "POST") != 0 || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
        return false;
    const char *name = path + sizeof(prefix) - 1;
    size_t name_len = strcspn(name, "/");
    return name_len > 0 && (strcmp(name + name_len, "/tasks") == 0 ||
                            strcmp(name + name_len, "/tasks/") == 0);
}

bool rest_auth_is_public(const rest_auth *auth, const char *method, const char *path)
{
    if (rest_auth_is_internal(method, path))
        return true;
    if (strcmp(method, "GET") != 0)
        return false;
    size_t len = strlen(path);
    if (len > 1 && path[len - 1] == '/')
        len--;
    for (size_t i = 0; auth->public_paths[i]; i++)
        if (strlen(auth->public_paths[i]) == len && memcmp(auth->public_paths[i], path, len) == 0)
            return true;
    return false;
}

/* True when digest equals one of candidates, whose role goes to *role; always compares with
 * all of them. */
static bool rest_digest_known(const rest_digest *digest, const rest_digest *candidates,
                              const rest_role *roles, size_t count, rest_role *role)
{
    unsigned found = 0;
    unsigned matched_role = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned difference = 0;
        for (size_t b = 0; b < REST_DIGEST_LEN; b++)
            difference |= (unsigned)(digest->bytes[b] ^ candidates[i].bytes[b]);
        /* 1 when difference is 0, without a branch on the secret. */
        unsigned match = 1u & ((difference - 1u) >> 8);
        found |= match;
        matched_role |= (0u - match) & (unsigned)roles[i];
    }
    *role = (rest_role)matched_role;
    return found != 0;
}

const char *rest_role_name(rest_role role)
{
    return role == REST_ROLE_READ_ONLY ? "read-only" : "admin";
}

rest_auth_result rest_auth_check(const rest_auth *auth, const char *authorization)
{
    rest_role role;
    return rest_auth_identify(auth, authorization, &role);
}

int rest_auth_csrf_token(const rest_auth *auth, const char *authorization,
                         char out[REST_CSRF_TOKEN_LEN + 1])
{
    const char *text = authorization ? authorization : "";
    rest_digest digest;
    if (rest_digest_of(auth, REST_SCHEME_CSRF, text, strlen(text), &digest) != 0)
        return -1;
    hex_encode(digest.bytes, sizeof(digest.bytes), out);
    out[REST_CSRF_TOKEN_LEN] = '\0';
    return 0;
}

bool rest_auth_csrf_check(const rest_auth *auth, const char *authorization, const char *token)
{
    char expected[REST_CSRF_TOKEN_LEN + 1];
    if (!token || strlen(token) != REST_CSRF_TOKEN_LEN ||
        rest_auth_csrf_token(auth, authorization, expected) != 0)
        return false;
    unsigned difference = 0;
    for (size_t i = 0; i < REST_CSRF_TOKEN_LEN; i++)
        difference |= (unsigned)(unsigned char)(expected[i] ^ token[i]);
    return difference == 0;
}

rest_auth_result rest_auth_identify(const rest_auth *auth, const char *authorization,
                                    rest_role *role)
{
    *role = REST_ROLE_ADMIN;
    if (!rest_auth_enabled(auth))
        return REST_AUTH_ACCEPTED;
    if (!authorization)
        return REST_AUTH_MISSING;
    const char *space = strchr(authorization, ' ');
    if (!space)
        return REST_AUTH_MISSING;
    size_t scheme_len = (size_t)(space - authorization);
    const char *credential = space + strspn(space, " ");
    rest_digest digest;
    bool accepted = false;
    if (scheme_len == 5 && strncasecmp(authorization, "Basic", 5) == 0) {
        /* Room for what base64_decoded_max may count beyond a credential of the most bytes
         * digested: a longer one is refused before it is decoded onto the stack. */
        unsigned char decoded[REST_CREDENTIAL_MAX + 2];
        size_t text_len = strlen(credential);
        if (base64_decoded_max(text_len) > sizeof(decoded))
            return REST_AUTH_REJECTED;
        long len = base64_decode(credential, text_len, decoded);
        if (len <= 0 || !memchr(decoded, ':', (size_t)len))
            return REST_AUTH_REJECTED;
        int rc = rest_digest_of(auth, REST_SCHEME_BASIC, decoded, (size_t)len, &digest);
        gnutls_memset(decoded, 0, sizeof(decoded));
        accepted = rc == 0 && rest_digest_known(&digest, auth->basic, auth->basic_roles,
                                                        auth->basic_count, role);
    } else if (scheme_len == 6 && strncasecmp(authorization, "Bearer", 6) == 0) {
        size_t len = strlen(credential);
        while (len > 0 && credential[len - 1] == ' ')
            len--;
        if (len == 0)
            return REST_AUTH_REJECTED;
        accepted = rest_digest_of(auth, REST_SCHEME_BEARER, credential, len, &digest) == 0 &&
                   rest_digest_known(&digest, auth->bearer, auth->bearer_roles,
                                     auth->bearer_count, role);
    } else {
        return REST_AUTH_MISSING;
    }
    if (!accepted)
        *role = REST_ROLE_ADMIN;
    return accepted ? REST_AUTH_ACCEPTED : REST_AUTH_REJECTED;
}
