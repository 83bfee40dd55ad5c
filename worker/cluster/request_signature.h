/*
 * request_signature.h - signed requests between the workers of a cluster, as Kafka Connect signs
 * them (KIP-507), so that a signature made by a Java worker verifies here and the other way round.
 *
 * The leader draws a session key and publishes it in the config topic (the `session-key` record);
 * every worker signs its internal requests with it and checks the ones it receives against it.
 * What is signed is the request body and nothing else: Kafka Connect's MAC covers exactly the
 * bytes of the body (none for an empty one), not the method, the path or a time, so those are
 * not covered here either. Two headers carry the result:
 *   X-Connect-Authorization                 the standard base64 (padded) of the MAC
 *   X-Connect-Request-Signature-Algorithm   the MAC's Java name, e.g. HmacSHA256
 *
 * Algorithms are named as Java names them, recognised regardless of case as Java does:
 * HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384 and HmacSHA512.
 *
 * A receiver verifies against its current key only, as Kafka Connect does; a sender whose
 * request is refused with 403 shortly after a rotation retries (request_signature_retry_forbidden)
 * until it has read the new key. Nothing here keeps state: every function is a pure function of
 * its arguments (key generation draws from the system's random source), safe from any thread.
 */
#ifndef FERRY_CLUSTER_REQUEST_SIGNATURE_H
#define FERRY_CLUSTER_REQUEST_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/strlist.h"

#define REQUEST_SIGNATURE_HEADER "X-Connect-Authorization"
#define REQUEST_SIGNATURE_ALGORITHM_HEADER "X-Connect-Request-Signature-Algorithm"

#define REQUEST_SIGNATURE_DEFAULT_ALGORITHM "HmacSHA256"
#define REQUEST_SIGNATURE_DEFAULT_KEY_TTL_MS 3600000 /* inter.worker.key.ttl.ms: one hour */
/* How long after its first attempt a sender retries a request refused with 403. */
#define REQUEST_SIGNATURE_RETRY_WINDOW_MS 60000
/* The longest MAC (HmacSHA512), and its base64 with the NUL: the X-Connect-Authorization value. */
#define REQUEST_SIGNATURE_MAC_MAX 64
#define REQUEST_SIGNATURE_TEXT_MAX 89

/* The inter.worker.* keys of a worker, checked as Kafka Connect checks them. */
typedef struct request_signature_settings {
    char *key_algorithm;       /* inter.worker.key.generation.algorithm, as configured */
    size_t key_len;            /* inter.worker.key.size in bytes, or the algorithm's default */
    int64_t key_ttl_ms;        /* inter.worker.key.ttl.ms; 0: keys never expire */
    char *signature_algorithm; /* inter.worker.signature.algorithm, as configured */
    strlist verification_algorithms; /* inter.worker.verification.algorithms */
} request_signature_settings;

/* A session key as the config topic carries it; borrowed, nothing here keeps it. */
typedef struct request_signature_key {
    const unsigned char *bytes;
    size_t len;
    const char *algorithm; /* the algorithm it was generated for */
    int64_t created_ms;    /* its creation-timestamp */
} request_signature_key;

/* Why a request is refused; each maps to Kafka Connect's answer (request_signature_status). */
typedef enum request_signature_result {
    REQUEST_SIGNATURE_VALID = 0,
    REQUEST_SIGNATURE_MISSING,       /* 400: a signature header is absent */
    REQUEST_SIGNATURE_MALFORMED,     /* 400: an unknown algorithm, or a signature not base64 */
    REQUEST_SIGNATURE_NOT_PERMITTED, /* 400: an algorithm outside the verification algorithms */
    REQUEST_SIGNATURE_NO_KEY,        /* 503: this worker has read no session key yet */
    REQUEST_SIGNATURE_INVALID,       /* 403: the signature does not match the body and key */
    REQUEST_SIGNATURE_FAILED,        /* 500: the MAC could not be computed (out of memory) */
} request_signature_result;

/* Why the leader should publish a new session key (request_signature_rotation_due). */
typedef enum request_signature_rotation {
    REQUEST_SIGNATURE_KEEP = 0,   /* the current key stays */
    REQUEST_SIGNATURE_FIRST_KEY,  /* the cluster has none yet */
    REQUEST_SIGNATURE_EXPIRED,    /* its creation time plus the TTL has passed */
    REQUEST_SIGNATURE_RECONFIGURED, /* its algorithm or size is not what the settings ask for */
} request_signature_rotation;

/* True when ferry can compute algorithm's MAC (a Java name, in any case). */
bool request_signature_algorithm_known(const char *algorithm);

/* Fills settings (zeroed first; clear it after) from the inter.worker.* values; a NULL value is
 * an absent key and takes Kafka Connect's default. key_size_bits points to the configured size
 * in bits (NULL: the key algorithm's own default, as Java's KeyGenerator has). verification is
 * a comma-separated list. Refuses, naming the key, an unknown algorithm, a key size the
 * algorithm does not accept, a TTL outside [0, 2^31-1], an empty verification list, or a
 * signature algorithm missing from it. 0, or -1 with err set. */
int request_signature_settings_init(request_signature_settings *settings,
                                    const char *key_algorithm, const int *key_size_bits,
                                    const int64_t *key_ttl_ms, const char *signature_algorithm,
                                    const char *verification, char *err, size_t errlen);
/* Frees what init put in settings and zeroes it; accepts a zeroed one. */
void request_signature_settings_clear(request_signature_settings *settings);

/* Draws a new key of settings->key_len random bytes into *bytes (malloc'd: wipe and free it
 * after, as config_session_key's clear does) and its length into *len. 0, or -1 with err. */
int request_signature_key_generate(const request_signature_settings *settings,
                                   unsigned char **bytes, size_t *len, char *err,
                                   size_t errlen);

/* When key expires under settings: its creation time plus the TTL, or INT64_MAX when the TTL
 * is 0. */
int64_t request_signature_key_expiry(const request_signature_settings *settings,
                                     const request_signature_key *key);
/* Whether a leader holding key (NULL: none read yet) must publish a new one at now_ms. */
request_signature_rotation request_signature_rotation_due(
    const request_signature_settings *settings, const request_signature_key *key,
    int64_t now_ms);

/* Signs body (body_len bytes; NULL with 0 is an empty body) with key under algorithm, writing
 * the X-Connect-Authorization value into signature (REQUEST_SIGNATURE_TEXT_MAX bytes); the
 * algorithm header carries algorithm itself. Sign exactly the bytes sent. 0, or -1 with err
 * naming the unknown algorithm or the empty key. */
int request_signature_sign(const char *algorithm, const request_signature_key *key,
                           const void *body, size_t body_len, char *signature, char *err,
                           size_t errlen);

/* Checks a received request: algorithm and signature are the values of the two headers (NULL
 * when absent), body the bytes received, permitted the verification algorithms, key the current
 * session key (NULL while none was read). The checks run in Kafka Connect's order: headers
 * present, algorithm known, signature base64, algorithm permitted, key known, MAC equal (compared
 * in constant time). err receives Kafka Connect's message for the refusal, with what is wrong. */
request_signature_result request_signature_verify(const char *algorithm, const char *signature,
                                                  const void *body, size_t body_len,
                                                  const strlist *permitted,
                                                  const request_signature_key *key, char *err,
                                                  size_t errlen);

/* The HTTP status Kafka Connect answers for result (200 for a valid one). */
int request_signature_status(request_signature_result result);

/* Whether a sender should retry a request its receiver refused with 403: during the first
 * REQUEST_SIGNATURE_RETRY_WINDOW_MS after the first attempt the receiver may still hold the
 * previous key, or the sender may. */
bool request_signature_retry_forbidden(int64_t first_attempt_ms, int64_t now_ms);

#endif
