/*
 * request_signature.c - session keys and the HMAC signatures of internal requests, computed with
 * GnuTLS and checked as Kafka Connect's DistributedHerder checks them.
 */
#include "cluster/request_signature.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <ferry/plugin.h>

#include "support/base64.h"

/* A MAC by its Java name. Key sizes follow Java's KeyGenerator for the same name: the default
 * length, and the least number of bits it accepts (SunJCE refuses SHA-2 keys under 40 bits,
 * and a SHA-1 key of no bytes). */
typedef struct request_signature_mac {
    const char *name;
    gnutls_mac_algorithm_t gnutls;
    size_t default_key_len;
    int min_key_bits;
} request_signature_mac;

static const request_signature_mac request_signature_macs[] = {
    {"HmacSHA1", GNUTLS_MAC_SHA1, 64, 1},
    {"HmacSHA224", GNUTLS_MAC_SHA224, 28, 40},
    {"HmacSHA256", GNUTLS_MAC_SHA256, 32, 40},
    {"HmacSHA384", GNUTLS_MAC_SHA384, 48, 40},
    {"HmacSHA512", GNUTLS_MAC_SHA512, 64, 40},
};

static const char request_signature_names[] =
    "HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512";

/* Java looks algorithms up regardless of case. */
static const request_signature_mac *request_signature_mac_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof(request_signature_macs) / sizeof(request_signature_macs[0]);
         i++)
        if (strcasecmp(request_signature_macs[i].name, name) == 0)
            return &request_signature_macs[i];
    return NULL;
}

bool request_signature_algorithm_known(const char *algorithm)
{
    return request_signature_mac_find(algorithm) != NULL;
}

static int request_signature_unknown(const char *key, const char *algorithm, char *err,
                                     size_t errlen)
{
    return ferry_error_set(err, errlen, "%s: '%s' is not a MAC algorithm this worker supports; "
                           "the supported algorithms are: %s", key, algorithm,
                           request_signature_names), -1;
}

/* The key length in bytes for size_bits (NULL: the algorithm's default), as Java rounds it. */
static int request_signature_key_length(const request_signature_mac *mac, const int *size_bits,
                                        size_t *len, char *err, size_t errlen)
{
    if (!size_bits) {
        *len = mac->default_key_len;
        return 0;
    }
    if (*size_bits < mac->min_key_bits)
        return ferry_error_set(err, errlen, "inter.worker.key.size: %d bits is too small for "
                               "%s, which needs at least %d", *size_bits, mac->name,
                               mac->min_key_bits), -1;
    *len = ((size_t)*size_bits + 7) / 8;
    return 0;
}

static int request_signature_verification_parse(request_signature_settings *settings,
                                                const char *verification, char *err,
                                                size_t errlen)
{
    const char *key = "inter.worker.verification.algorithms";
    if (strlist_split(&settings->verification_algorithms,
                      verification ? verification : REQUEST_SIGNATURE_DEFAULT_ALGORITHM,
                      ',') != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (settings->verification_algorithms.count == 0)
        return ferry_error_set(err, errlen, "%s: at least one signature verification algorithm "
                               "must be provided", key), -1;
    for (size_t i = 0; i < settings->verification_algorithms.count; i++) {
        const char *name = settings->verification_algorithms.items[i];
        if (!request_signature_mac_find(name))
            return request_signature_unknown(key, name, err, errlen);
    }
    /* Exact names, as Kafka Connect compares them: a worker must accept what it sends. */
    if (!strlist_contains(&settings->verification_algorithms, settings->signature_algorithm))
        return ferry_error_set(err, errlen, "inter.worker.signature.algorithm: '%s' must be "
                               "present in the %s list", settings->signature_algorithm, key),
               -1;
    return 0;
}

int request_signature_settings_init(request_signature_settings *settings,
                                    const char *key_algorithm, const int *key_size_bits,
                                    const int64_t *key_ttl_ms, const char *signature_algorithm,
                                    const char *verification, char *err, size_t errlen)
{
    *settings = (request_signature_settings){
        .key_ttl_ms = key_ttl_ms ? *key_ttl_ms : REQUEST_SIGNATURE_DEFAULT_KEY_TTL_MS,
    };
    if (!key_algorithm)
        key_algorithm = REQUEST_SIGNATURE_DEFAULT_ALGORITHM;
    if (!signature_algorithm)
        signature_algorithm = REQUEST_SIGNATURE_DEFAULT_ALGORITHM;
    const request_signature_mac *generator = request_signature_mac_find(key_algorithm);
    if (!generator)
        return request_signature_unknown("inter.worker.key.generation.algorithm", key_algorithm,
                                         err, errlen);
    if (!request_signature_mac_find(signature_algorithm))
        return request_signature_unknown("inter.worker.signature.algorithm",
                                         signature_algorithm, err, errlen);
    if (settings->key_ttl_ms < 0 || settings->key_ttl_ms > INT_MAX)
        return ferry_error_set(err, errlen, "inter.worker.key.ttl.ms: %lld is outside [0, %d]",
                               (long long)settings->key_ttl_ms, INT_MAX), -1;
    if (request_signature_key_length(generator, key_size_bits, &settings->key_len, err,
                                     errlen) != 0)
        return -1;
    settings->key_algorithm = strdup(key_algorithm);
    settings->signature_algorithm = strdup(signature_algorithm);
    if (!settings->key_algorithm || !settings->signature_algorithm) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    if (request_signature_verification_parse(settings, verification, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    request_signature_settings_clear(settings);
    return -1;
}

void request_signature_settings_clear(request_signature_settings *settings)
{
    if (!settings)
        return;
    free(settings->key_algorithm);
    free(settings->signature_algorithm);
    strlist_free(&settings->verification_algorithms);
    *settings = (request_signature_settings){0};
}

int request_signature_key_generate(const request_signature_settings *settings,
                                   unsigned char **bytes, size_t *len, char *err, size_t errlen)
{
    *bytes = NULL;
    *len = 0;
    unsigned char *key = malloc(settings->key_len);
    if (!key)
        return ferry_error_set(err, errlen, "out of memory for a key of %zu bytes",
                               settings->key_len), -1;
    if (gnutls_rnd(GNUTLS_RND_KEY, key, settings->key_len) != 0) {
        free(key);
        return ferry_error_set(err, errlen, "cannot draw %zu random bytes for a session key",
                               settings->key_len), -1;
    }
    *bytes = key;
    *len = settings->key_len;
    return 0;
}

int64_t request_signature_key_expiry(const request_signature_settings *settings,
                                     const request_signature_key *key)
{
    if (settings->key_ttl_ms == 0 || key->created_ms > INT64_MAX - settings->key_ttl_ms)
        return INT64_MAX;
    return key->created_ms + settings->key_ttl_ms;
}

request_signature_rotation request_signature_rotation_due(
    const request_signature_settings *settings, const request_signature_key *key,
    int64_t now_ms)
{
    if (!key)
        return REQUEST_SIGNATURE_FIRST_KEY;
    if (request_signature_key_expiry(settings, key) <= now_ms)
        return REQUEST_SIGNATURE_EXPIRED;
    /* Java compares the key's algorithm with the generator's exactly, and so do we: a key
     * published as "hmacsha256" is replaced once by one named as configured. */
    if (!key->algorithm || strcmp(key->algorithm, settings->key_algorithm) != 0 ||
        key->len != settings->key_len)
        return REQUEST_SIGNATURE_RECONFIGURED;
    return REQUEST_SIGNATURE_KEEP;
}

/* The MAC of body under key into mac; its length, or 0 when GnuTLS fails. */
static size_t request_signature_mac_compute(const request_signature_mac *algorithm,
                                            const request_signature_key *key, const void *body,
                                            size_t body_len,
                                            unsigned char mac[REQUEST_SIGNATURE_MAC_MAX])
{
    if (gnutls_hmac_fast(algorithm->gnutls, key->bytes, key->len, body_len ? body : "",
                         body_len, mac) != 0)
        return 0;
    return gnutls_hmac_get_len(algorithm->gnutls);
}

int request_signature_sign(const char *algorithm, const request_signature_key *key,
                           const void *body, size_t body_len, char *signature, char *err,
                           size_t errlen)
{
    const request_signature_mac *mac = request_signature_mac_find(algorithm);
    if (!mac)
        return request_signature_unknown("inter.worker.signature.algorithm",
                                         algorithm ? algorithm : "(none)", err, errlen);
    /* Java refuses an empty key; so a Java worker could never verify what it signs. */
    if (!key || !key->bytes || key->len == 0)
        return ferry_error_set(err, errlen, "cannot sign a request with an empty session key"),
               -1;
    unsigned char digest[REQUEST_SIGNATURE_MAC_MAX];
    size_t digest_len = request_signature_mac_compute(mac, key, body, body_len, digest);
    if (digest_len == 0)
        return ferry_error_set(err, errlen, "cannot compute %s of the request body", mac->name),
               -1;
    base64_encode(digest, digest_len, false, signature);
    return 0;
}

/* Equal lengths and bytes, in a time that depends on the lengths only. */
static bool request_signature_equal(const unsigned char *a, size_t a_len,
                                    const unsigned char *b, size_t b_len)
{
    size_t n = a_len < b_len ? a_len : b_len;
    unsigned difference = a_len != b_len;
    for (size_t i = 0; i < n; i++)
        difference |= (unsigned)(a[i] ^ b[i]);
    return difference == 0;
}

/* The decoded signature into *out (malloc'd), or -1 when text is not standard base64: Java's
 * decoder takes neither the URL-safe alphabet nor white space, which ours would pass over. */
static long request_signature_decode(const char *text, unsigned char **out)
{
    *out = NULL;
    size_t len = strlen(text);
    if (strpbrk(text, "-_"))
        return -1;
    *out = malloc(base64_decoded_max(len) + 1);
    if (!*out)
        return -2;
    return base64_decode(text, len, *out);
}

static request_signature_result request_signature_permitted(const char *algorithm,
                                                            const strlist *permitted, char *err,
                                                            size_t errlen)
{
    if (strlist_contains(permitted, algorithm))
        return REQUEST_SIGNATURE_VALID;
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < permitted->count && used < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 permitted->items[i]);
    ferry_error_set(err, errlen, "This worker does not support the '%s' key signing algorithm "
                    "used by other workers. This worker is currently configured to use: [%s]. "
                    "Check that all workers' configuration files permit the same set of "
                    "signature algorithms, and correct any misconfigured worker and restart it.",
                    algorithm, list);
    return REQUEST_SIGNATURE_NOT_PERMITTED;
}

request_signature_result request_signature_verify(const char *algorithm, const char *signature,
                                                  const void *body, size_t body_len,
                                                  const strlist *permitted,
                                                  const request_signature_key *key, char *err,
                                                  size_t errlen)
{
    if (!algorithm || !signature) {
        ferry_error_set(err, errlen, "Internal request missing required signature (no %s "
                        "header)", !signature ? REQUEST_SIGNATURE_HEADER
                                              : REQUEST_SIGNATURE_ALGORITHM_HEADER);
        return REQUEST_SIGNATURE_MISSING;
    }
    const request_signature_mac *mac = request_signature_mac_find(algorithm);
    if (!mac) {
        ferry_error_set(err, errlen, "Algorithm %s not available (%s: this worker supports %s)",
                        algorithm, REQUEST_SIGNATURE_ALGORITHM_HEADER, request_signature_names);
        return REQUEST_SIGNATURE_MALFORMED;
    }
    unsigned char *received = NULL;
    long received_len = request_signature_decode(signature, &received);
    request_signature_result result = REQUEST_SIGNATURE_VALID;
    if (received_len == -2) {
        ferry_error_set(err, errlen, "out of memory for a signature of %zu characters",
                        strlen(signature));
        result = REQUEST_SIGNATURE_FAILED;
    } else if (received_len < 0) {
        ferry_error_set(err, errlen, "%s is not standard base64", REQUEST_SIGNATURE_HEADER);
        result = REQUEST_SIGNATURE_MALFORMED;
    } else {
        result = request_signature_permitted(algorithm, permitted, err, errlen);
    }
    if (result != REQUEST_SIGNATURE_VALID)
        goto done;
    if (!key || !key->bytes || key->len == 0) {
        ferry_error_set(err, errlen, "This worker is still starting up and has not been able to "
                        "read a session key from the config topic yet");
        result = REQUEST_SIGNATURE_NO_KEY;
        goto done;
    }
    unsigned char expected[REQUEST_SIGNATURE_MAC_MAX];
    size_t expected_len = request_signature_mac_compute(mac, key, body, body_len, expected);
    if (expected_len == 0) {
        ferry_error_set(err, errlen, "cannot compute %s of the request body", mac->name);
        result = REQUEST_SIGNATURE_FAILED;
    } else if (!request_signature_equal(expected, expected_len, received,
                                        (size_t)received_len)) {
        ferry_error_set(err, errlen, "Internal request contained invalid signature.");
        result = REQUEST_SIGNATURE_INVALID;
    }
    gnutls_memset(expected, 0, sizeof(expected));
done:
    free(received);
    return result;
}

int request_signature_status(request_signature_result result)
{
    switch (result) {
    case REQUEST_SIGNATURE_VALID:
        return 200;
    case REQUEST_SIGNATURE_MISSING:
    case REQUEST_SIGNATURE_MALFORMED:
    case REQUEST_SIGNATURE_NOT_PERMITTED:
        return 400;
    case REQUEST_SIGNATURE_NO_KEY:
        return 503;
    case REQUEST_SIGNATURE_INVALID:
        return 403;
    case REQUEST_SIGNATURE_FAILED:
        break;
    }
    return 500;
}

bool request_signature_retry_forbidden(int64_t first_attempt_ms, int64_t now_ms)
{
    return now_ms - first_attempt_ms <= REQUEST_SIGNATURE_RETRY_WINDOW_MS;
}
