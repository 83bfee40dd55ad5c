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

#define REST_DIGEST_LEN 32 /* SHA-256 */
#define REST_KEY_LEN 32
/* A credential longer than this is refused before it is digested. */
#define REST_CREDENTIAL_MAX 4096

typedef struct rest_digest {
    unsigned char bytes[REST_DIGEST_LEN];
} rest_digest;

/* The schemes are digested with different prefixes, so a bearer token equal to someone's
 * "user:password" matches nothing. */
typedef enum rest_scheme { REST_SCHEME_BASIC, REST_SCHEME_BEARER } rest_scheme;

struct rest_auth {
    unsigned char key[REST_KEY_LEN];
    rest_digest *basic;
    size_t basic_count;
    rest_digest *bearer;
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
    input[0] = scheme == REST_SCHEME_BASIC ? 'B' : 'T';
    memcpy(input + 1, data, len);
    int rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, auth->key, sizeof(auth->key), input, len + 1,
                              out->bytes);
    gnutls_memset(input, 0, len + 1);
    return rc == 0 ? 0 : -1;
}

/* Digests every item of a list key. Returns 0, or -1 with a message naming the key. */
static int rest_digests_load(rest_auth *auth, const config_map *values, const char *key,
                             rest_scheme scheme, rest_digest **out, size_t *count, char *err,
                             size_t errlen)
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
    *out = calloc(n ? n : 1, sizeof(**out));
    if (!*out) {
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
        if (rest_digest_of(auth, scheme, items[i], strlen(items[i]), &(*out)[i]) != 0) {
            ferry_error_set(err, errlen, "%s: entry %zu is longer than %d bytes", key, i + 1,
                            REST_CREDENTIAL_MAX);
            goto done;
        }
    }
    *count = n;
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
    if (rest_digests_load(auth, values, "rest.auth.basic.users", REST_SCHEME_BASIC,
                          &auth->basic, &auth->basic_count, err, errlen) != 0 ||
        rest_digests_load(auth, values, "rest.auth.bearer.tokens", REST_SCHEME_BEARER,
                          &auth->bearer, &auth->bearer_count, err, errlen) != 0)
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
    free(auth->bearer);
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

/* True when digest equals one of candidates; always compares with all of them. */
static bool rest_digest_known(const rest_digest *digest, const rest_digest *candidates,
                              size_t count)
{
    unsigned found = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned difference = 0;
        for (size_t b = 0; b < REST_DIGEST_LEN; b++)
            difference |= (unsigned)(digest->bytes[b] ^ candidates[i].bytes[b]);
        /* 1 when difference is 0, without a branch on the secret. */
        found |= 1u & ((difference - 1u) >> 8);
    }
    return found != 0;
}

rest_auth_result rest_auth_check(const rest_auth *auth, const char *authorization)
{
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
        accepted = rc == 0 && rest_digest_known(&digest, auth->basic, auth->basic_count);
    } else if (scheme_len == 6 && strncasecmp(authorization, "Bearer", 6) == 0) {
        size_t len = strlen(credential);
        while (len > 0 && credential[len - 1] == ' ')
            len--;
        if (len == 0)
            return REST_AUTH_REJECTED;
        accepted = rest_digest_of(auth, REST_SCHEME_BEARER, credential, len, &digest) == 0 &&
                   rest_digest_known(&digest, auth->bearer, auth->bearer_count);
    } else {
        return REST_AUTH_MISSING;
    }
    return accepted ? REST_AUTH_ACCEPTED : REST_AUTH_REJECTED;
}
