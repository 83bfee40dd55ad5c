/*
 * config_records.h - the values of the configs topic's records beyond connector and task configs,
 * encoded and decoded as Kafka Connect (KafkaConfigBackingStore) and ferry's distributed mode
 * write them:
 *   session-key                  -> {"key":"<base64>","algorithm":"HmacSHA256",
 *                                    "creation-timestamp":<ms>}   (KIP-507)
 *   restart-connector-<name>     -> {"include-tasks":bool,"only-failed":bool}   (KIP-745)
 *   ferry-worker-<worker id>     -> {"url":"...","epoch":N}   (docs/distributed.md)
 * Encoders return a new JSON value (NULL when out of memory); decoders take a parsed value and
 * refuse a malformed one with a message saying which field is wrong and how.
 */
#ifndef FERRY_CONFIG_RECORDS_H
#define FERRY_CONFIG_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CONFIG_RECORDS_SESSION_KEY "session-key"
#define CONFIG_RECORDS_ASSIGNMENT "ferry-assignment"
#define CONFIG_RECORDS_WORKER_PREFIX "ferry-worker-"

/* The cluster's key for signing the requests workers forward to each other. */
typedef struct config_session_key {
    unsigned char *key; /* the raw key bytes */
    size_t key_len;
    char *algorithm; /* a javax.crypto name: "HmacSHA256" */
    int64_t created_ms;
} config_session_key;

/* Frees what a decode or copy put in key and zeroes it; accepts a zeroed one. */
void config_records_session_key_clear(config_session_key *key);
/* A deep copy into out (zeroed first). 0, or -1 when out of memory. */
int config_records_session_key_copy(const config_session_key *key, config_session_key *out);
json_t *config_records_session_key_encode(const config_session_key *key);
/* Fills out (zeroed first; clear it after) from a session-key value. */
int config_records_session_key_decode(const json_t *value, config_session_key *out, char *err,
                                      size_t errlen);

json_t *config_records_restart_encode(bool include_tasks, bool only_failed);
/* 0; -1 (err says why) for a value that is not an object; 1 when a flag is not a boolean: it
 * then reads as false, as Kafka Connect reads it, and err holds the warning. */
int config_records_restart_decode(const json_t *value, bool *include_tasks, bool *only_failed,
                                  char *err, size_t errlen);

/* A worker's acknowledgement of the assignment it has applied. */
typedef struct config_worker_record {
    char *url;
    int64_t epoch;
} config_worker_record;

void config_records_worker_clear(config_worker_record *worker);
json_t *config_records_worker_encode(const char *url, int64_t epoch);
/* Fills out (zeroed first; clear it after). */
int config_records_worker_decode(const json_t *value, config_worker_record *out, char *err,
                                 size_t errlen);

#endif
