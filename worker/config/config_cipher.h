/*
 * config_cipher.h - encryption of sensitive connector config values at rest (AES-256-GCM with
 * OpenSSL's libcrypto), for the configs topic. A value is sealed as
 *
 *     ferry-enc:v1:<key id>:<base64 of nonce (12 bytes) | ciphertext | tag (16 bytes)>
 *
 * authenticated together with its header and the config key it belongs to, so that a value moved
 * to another key, or given another key id, does not open. The keys are named 256-bit keys (a key
 * file, or an environment variable with the same text); the first one listed is the current one,
 * which seals; any listed one opens what names it, so that keys can be rotated. Neither keys nor
 * opened values are ever written to a message.
 */
#ifndef FERRY_CONFIG_CIPHER_H
#define FERRY_CONFIG_CIPHER_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config_map.h"

#define CONFIG_CIPHER_PREFIX "ferry-enc:v1:"
#define CONFIG_CIPHER_KEY_BYTES 32

typedef struct config_cipher config_cipher;

/* Parses a key list: entries "<id>=<base64 of 32 bytes>", one per line or separated by commas;
 * blank lines and lines starting with '#' are skipped. Ids are 1 to 64 of [A-Za-z0-9._-], each
 * once. source names where the text came from in messages ("key file /etc/ferry/keys"). NULL with
 * err naming the entry and what is wrong (never the key itself). */
config_cipher *config_cipher_parse(const char *text, const char *source, char *err,
                                   size_t errlen);
/* config_cipher_parse of a file's content. */
config_cipher *config_cipher_load_file(const char *path, char *err, size_t errlen);
void config_cipher_destroy(config_cipher *cipher); /* accepts NULL; wipes the keys */

/* The id that config_cipher_seal writes with: the first key listed. */
const char *config_cipher_current_id(const config_cipher *cipher);
size_t config_cipher_key_count(const config_cipher *cipher);

/* True when value starts with CONFIG_CIPHER_PREFIX (sealed, or left unreadable by open). */
bool config_cipher_is_sealed(const char *value);

/* True when value is sealed with the cipher's current key (what a write would produce). */
bool config_cipher_is_current(const config_cipher *cipher, const char *value);

/* Seals value as the value of config key `key` with the current key: a new string, or NULL with
 * err (out of memory, no randomness). */
char *config_cipher_seal(const config_cipher *cipher, const char *key, const char *value,
                         char *err, size_t errlen);

/* Opens a sealed value of config key `key` (cipher may be NULL: no keys). 0 with *plain a new
 * string; -1 with err naming the key, the key id and why (unknown key id, altered, malformed),
 * and *plain a new marker "ferry-enc:v1:<id>:!<reason>" that stands for the value: it is not the
 * ciphertext, and config_cipher_unreadable refuses it wherever the config is used. *plain is NULL
 * only when out of memory. */
int config_cipher_open(const config_cipher *cipher, const char *key, const char *value,
                       char **plain, char *err, size_t errlen);

/* 0 when no value of config is sealed; otherwise -1 with err naming the first such key, its key
 * id and why it could not be opened on this worker. Called before a config is used, so that a
 * value that could not be decrypted fails the connector and is never used as a secret. */
int config_cipher_unreadable(const config_map *config, char *err, size_t errlen);

#endif
