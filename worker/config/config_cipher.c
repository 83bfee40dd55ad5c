/*
 * config_cipher.c - named AES-256-GCM keys, and sealing and opening of single config values with
 * them (the format is in config_cipher.h).
 */
#include "config/config_cipher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ferry/plugin.h>

#include "support/base64.h"

#define CIPHER_ID_MAX 64
#define CIPHER_NONCE_BYTES 12
#define CIPHER_TAG_BYTES 16
/* A key file is a handful of lines; anything far larger is not one. */
#define CIPHER_FILE_MAX (64 * 1024)

/* Why a value could not be opened, as its marker says it and as a message explains it. */
#define CIPHER_UNKNOWN_KEY "unknown-key"
#define CIPHER_ALTERED "altered"
#define CIPHER_NO_KEYS "no-keys"
#define CIPHER_MALFORMED "malformed"

typedef struct cipher_key {
    char id[CIPHER_ID_MAX + 1];
    unsigned char bytes[CONFIG_CIPHER_KEY_BYTES];
} cipher_key;

struct config_cipher {
    cipher_key *keys; /* keys[0] is the current one */
    size_t count;
};

void config_cipher_destroy(config_cipher *cipher)
{
    if (!cipher)
        return;
    if (cipher->keys)
        OPENSSL_cleanse(cipher->keys, cipher->count * sizeof(*cipher->keys));
    free(cipher->keys);
    free(cipher);
}

static bool cipher_id_valid(const char *id, size_t len)
{
    if (len == 0 || len > CIPHER_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const char *cipher_trim(const char *start, const char *end, size_t *len)
{
    while (start < end && (*start == ' ' || *start == '\t' || *start == '\r'))
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *len = (size_t)(end - start);
    return start;
}

/* Adds one "<id>=<base64>" entry (entry_no counts from 1, for messages). */
static int cipher_entry_add(config_cipher *cipher, const char *entry, size_t len,
                            const char *source, size_t entry_no, char *err, size_t errlen)
{
    const char *equals = memchr(entry, '=', len);
    size_t id_len = 0, b64_len = 0;
    const char *id = equals ? cipher_trim(entry, equals, &id_len) : NULL;
    const char *b64 = equals ? cipher_trim(equals + 1, entry + len, &b64_len) : NULL;
    if (!equals || !cipher_id_valid(id, id_len))
        return ferry_error_set(err, errlen, "%s, entry %zu: expected <key id>=<base64 of a "
                               "256-bit key>, the id made of 1 to %d letters, digits, '.', '_' "
                               "or '-'", source, entry_no, CIPHER_ID_MAX), -1;
    for (size_t i = 0; i < cipher->count; i++)
        if (strlen(cipher->keys[i].id) == id_len && memcmp(cipher->keys[i].id, id, id_len) == 0)
            return ferry_error_set(err, errlen, "%s: key id '%.*s' is listed twice", source,
                                   (int)id_len, id), -1;
    unsigned char *decoded = malloc(base64_decoded_max(b64_len) + 1);
    if (!decoded)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    long decoded_len = base64_decode(b64, b64_len, decoded);
    if (decoded_len != CONFIG_CIPHER_KEY_BYTES) {
        OPENSSL_cleanse(decoded, base64_decoded_max(b64_len) + 1);
        free(decoded);
        if (decoded_len < 0)
            return ferry_error_set(err, errlen, "%s: key '%.*s' is not base64 (expected the "
                                   "base64 of %d random bytes, e.g. from `openssl rand -base64 "
                                   "32`)", source, (int)id_len, id, CONFIG_CIPHER_KEY_BYTES), -1;
        return ferry_error_set(err, errlen, "%s: key '%.*s' is %ld bytes long; AES-256 needs "
                               "exactly %d bytes (256 bits), base64-encoded", source,
                               (int)id_len, id, decoded_len, CONFIG_CIPHER_KEY_BYTES), -1;
    }
    cipher_key *grown = realloc(cipher->keys, (cipher->count + 1) * sizeof(*grown));
    if (!grown) {
        OPENSSL_cleanse(decoded, CONFIG_CIPHER_KEY_BYTES);
        free(decoded);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    cipher->keys = grown;
    cipher_key *key = &cipher->keys[cipher->count++];
    memcpy(key->id, id, id_len);
    key->id[id_len] = '\0';
    memcpy(key->bytes, decoded, CONFIG_CIPHER_KEY_BYTES);
    OPENSSL_cleanse(decoded, CONFIG_CIPHER_KEY_BYTES);
    free(decoded);
    return 0;
}

config_cipher *config_cipher_parse(const char *text, const char *source, char *err,
                                   size_t errlen)
{
    config_cipher *cipher = calloc(1, sizeof(*cipher));
    if (!cipher)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    size_t entry_no = 0;
    const char *line = text ? text : "";
    while (*line) {
        const char *line_end = line + strcspn(line, "\n");
        size_t line_len;
        const char *trimmed = cipher_trim(line, line_end, &line_len);
        if (line_len > 0 && trimmed[0] != '#') {
            const char *entry = trimmed;
            const char *stop = trimmed + line_len;
            while (entry < stop) {
                const char *comma = memchr(entry, ',', (size_t)(stop - entry));
                const char *entry_end = comma ? comma : stop;
                size_t entry_len;
                const char *piece = cipher_trim(entry, entry_end, &entry_len);
                if (entry_len > 0 && cipher_entry_add(cipher, piece, entry_len, source,
                                                      ++entry_no, err, errlen) != 0)
                    goto fail;
                entry = comma ? comma + 1 : stop;
            }
        }
        line = *line_end ? line_end + 1 : line_end;
    }
    if (cipher->count == 0) {
        ferry_error_set(err, errlen, "%s holds no key (expected lines <key id>=<base64 of a "
                        "256-bit key>)", source);
        goto fail;
    }
    return cipher;
fail:
    config_cipher_destroy(cipher);
    return NULL;
}

config_cipher *config_cipher_load_file(const char *path, char *err, size_t errlen)
{
    char source[600];
    snprintf(source, sizeof(source), "key file %s", path);
    FILE *file = fopen(path, "rb");
    if (!file)
        return ferry_error_set(err, errlen, "cannot open %s: %m", source), NULL;
    char *text = malloc(CIPHER_FILE_MAX + 1);
    size_t length = text ? fread(text, 1, CIPHER_FILE_MAX + 1, file) : 0;
    bool failed = ferror(file) != 0;
    fclose(file);
    config_cipher *cipher = NULL;
    if (!text)
        ferry_error_set(err, errlen, "out of memory");
    else if (failed)
        ferry_error_set(err, errlen, "cannot read %s", source);
    else if (length > CIPHER_FILE_MAX)
        ferry_error_set(err, errlen, "%s is larger than %d bytes: not a key file", source,
                        CIPHER_FILE_MAX);
    else if (memchr(text, '\0', length))
        ferry_error_set(err, errlen, "%s holds a NUL byte: not a key file", source);
    else {
        text[length] = '\0';
        cipher = config_cipher_parse(text, source, err, errlen);
    }
    if (text) {
        OPENSSL_cleanse(text, CIPHER_FILE_MAX + 1);
        free(text);
    }
    return cipher;
}

const char *config_cipher_current_id(const config_cipher *cipher)
{
    return cipher->keys[0].id;
}

size_t config_cipher_key_count(const config_cipher *cipher)
{
    return cipher->count;
}

bool config_cipher_is_sealed(const char *value)
{
    return value && strncmp(value, CONFIG_CIPHER_PREFIX, strlen(CONFIG_CIPHER_PREFIX)) == 0;
}

bool config_cipher_is_current(const config_cipher *cipher, const char *value)
{
    if (!config_cipher_is_sealed(value))
        return false;
    const char *id = value + strlen(CONFIG_CIPHER_PREFIX);
    size_t id_len = strlen(cipher->keys[0].id);
    return strncmp(id, cipher->keys[0].id, id_len) == 0 && id[id_len] == ':' &&
           id[id_len + 1] != '!';
}

/* The header of a value and the config key it belongs to: what the tag authenticates. */
static char *cipher_aad(const char *id, size_t id_len, const char *key, size_t *len)
{
    char *aad = NULL;
    int n = asprintf(&aad, "%s%.*s:%s", CONFIG_CIPHER_PREFIX, (int)id_len, id, key);
    if (n < 0)
        return NULL;
    *len = (size_t)n;
    return aad;
}

/* One AES-256-GCM pass: encrypting (tag written) or decrypting (tag checked). Returns 0, or -1
 * (for a decryption: the tag does not match). */
static int cipher_gcm(bool encrypt, const unsigned char *key, const unsigned char *nonce,
                      const char *aad, size_t aad_len, const unsigned char *in, size_t in_len,
                      unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    int rc = -1;
    int aad_written = 0, written = 0, final_written = 0;
    if (!context ||
        EVP_CipherInit_ex(context, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) != 1 ||
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, CIPHER_NONCE_BYTES, NULL) != 1 ||
        EVP_CipherInit_ex(context, NULL, NULL, key, nonce, encrypt) != 1 ||
        EVP_CipherUpdate(context, NULL, &aad_written, (const unsigned char *)aad,
                         (int)aad_len) != 1)
        goto done;
    if (in_len > 0 && EVP_CipherUpdate(context, out, &written, in, (int)in_len) != 1)
        goto done;
    if (!encrypt &&
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, CIPHER_TAG_BYTES, tag) != 1)
        goto done;
    /* GCM writes nothing at the end: written is in_len. */
    if (EVP_CipherFinal_ex(context, out + written, &final_written) != 1)
        goto done;
    if (encrypt &&
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, CIPHER_TAG_BYTES, tag) != 1)
        goto done;
    rc = 0;
done:
    EVP_CIPHER_CTX_free(context);
    return rc;
}

char *config_cipher_seal(const config_cipher *cipher, const char *key, const char *value,
                         char *err, size_t errlen)
{
    const cipher_key *current = &cipher->keys[0];
    size_t value_len = strlen(value);
    size_t sealed_len = CIPHER_NONCE_BYTES + value_len + CIPHER_TAG_BYTES;
    size_t aad_len = 0;
    char *aad = cipher_aad(current->id, strlen(current->id), key, &aad_len);
    unsigned char *sealed = malloc(sealed_len);
    char *text = NULL;
    if (!aad || !sealed) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    if (RAND_bytes(sealed, CIPHER_NONCE_BYTES) != 1) {
        ferry_error_set(err, errlen, "no random bytes for a nonce from OpenSSL");
        goto done;
    }
    if (cipher_gcm(true, current->bytes, sealed, aad, aad_len, (const unsigned char *)value,
                   value_len, sealed + CIPHER_NONCE_BYTES,
                   sealed + CIPHER_NONCE_BYTES + value_len) != 0) {
        ferry_error_set(err, errlen, "AES-256-GCM encryption failed in OpenSSL");
        goto done;
    }
    size_t header_len = strlen(CONFIG_CIPHER_PREFIX) + strlen(current->id) + 1;
    text = malloc(header_len + base64_encoded_length(sealed_len) + 1);
    if (!text) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    snprintf(text, header_len + 1, "%s%s:", CONFIG_CIPHER_PREFIX, current->id);
    base64_encode(sealed, sealed_len, false, text + header_len);
done:
    if (sealed)
        OPENSSL_cleanse(sealed, sealed_len);
    free(sealed);
    free(aad);
    return text;
}

/* The marker standing for a value that could not be opened: it names the key id and why. */
static char *cipher_marker(const char *id, size_t id_len, const char *reason)
{
    char *marker = NULL;
    if (asprintf(&marker, "%s%.*s:!%s", CONFIG_CIPHER_PREFIX, (int)id_len, id, reason) < 0)
        return NULL;
    return marker;
}

/* What a reason means, for messages. */
static const char *cipher_reason_text(const char *reason)
{
    if (strcmp(reason, CIPHER_UNKNOWN_KEY) == 0)
        return "this key id is not among the worker's encryption keys "
               "(config.storage.encryption.key.file or config.storage.encryption.key.env)";
    if (strcmp(reason, CIPHER_ALTERED) == 0)
        return "the value does not authenticate with that key: it was altered, or the key "
               "under that id is not the one it was written with";
    if (strcmp(reason, CIPHER_NO_KEYS) == 0)
        return "this worker has no encryption keys (set config.storage.encryption.key.file or "
               "config.storage.encryption.key.env)";
    return "the value is not a well-formed encrypted value";
}

int config_cipher_open(const config_cipher *cipher, const char *key, const char *value,
                       char **plain, char *err, size_t errlen)
{
    *plain = NULL;
    const char *id = value + strlen(CONFIG_CIPHER_PREFIX);
    const char *colon = strchr(id, ':');
    size_t id_len = colon ? (size_t)(colon - id) : 0;
    const char *reason = NULL;
    const cipher_key *found = NULL;
    unsigned char *sealed = NULL;
    long sealed_len = -1;
    if (!colon || !cipher_id_valid(id, id_len) || colon[1] == '!') {
        reason = CIPHER_MALFORMED;
        if (colon && cipher_id_valid(id, id_len) && colon[1] == '!')
            reason = colon + 2; /* a marker read back: it keeps its reason */
        goto refused;
    }
    for (size_t i = 0; cipher && i < cipher->count; i++)
        if (strlen(cipher->keys[i].id) == id_len && memcmp(cipher->keys[i].id, id, id_len) == 0)
            found = &cipher->keys[i];
    if (!found) {
        reason = cipher ? CIPHER_UNKNOWN_KEY : CIPHER_NO_KEYS;
        goto refused;
    }
    size_t b64_len = strlen(colon + 1);
    sealed = malloc(base64_decoded_max(b64_len) + 1);
    if (!sealed)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    sealed_len = base64_decode(colon + 1, b64_len, sealed);
    if (sealed_len < CIPHER_NONCE_BYTES + CIPHER_TAG_BYTES) {
        reason = CIPHER_MALFORMED;
        goto refused;
    }
    size_t text_len = (size_t)sealed_len - CIPHER_NONCE_BYTES - CIPHER_TAG_BYTES;
    size_t aad_len = 0;
    char *aad = cipher_aad(id, id_len, key, &aad_len);
    char *text = malloc(text_len + 1);
    if (!aad || !text) {
        free(aad);
        free(text);
        free(sealed);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    int rc = cipher_gcm(false, found->bytes, sealed, aad, aad_len, sealed + CIPHER_NONCE_BYTES,
                        text_len, (unsigned char *)text,
                        sealed + CIPHER_NONCE_BYTES + text_len);
    free(aad);
    if (rc != 0 || memchr(text, '\0', text_len)) {
        OPENSSL_cleanse(text, text_len + 1);
        free(text);
        reason = CIPHER_ALTERED;
        goto refused;
    }
    text[text_len] = '\0';
    free(sealed);
    *plain = text;
    return 0;
refused:
    free(sealed);
    ferry_error_set(err, errlen, "key '%s' is encrypted with key id '%.*s', which cannot be "
                    "decrypted: %s", key, (int)id_len, id, cipher_reason_text(reason));
    *plain = cipher_marker(id_len ? id : "", id_len, reason);
    return -1;
}

int config_cipher_unreadable(const config_map *config, char *err, size_t errlen)
{
    for (size_t i = 0; i < config_map_count(config); i++) {
        const char *value = config_map_value_at(config, i);
        if (!config_cipher_is_sealed(value))
            continue;
        const char *key = config_map_key_at(config, i);
        const char *id = value + strlen(CONFIG_CIPHER_PREFIX);
        const char *colon = strchr(id, ':');
        size_t id_len = colon && cipher_id_valid(id, (size_t)(colon - id))
                            ? (size_t)(colon - id) : 0;
        const char *reason = id_len && colon[1] == '!' ? colon + 2 : "";
        ferry_error_set(err, errlen, "key '%s' is encrypted with key id '%.*s', which this "
                        "worker could not decrypt: %s", key, (int)id_len, id,
                        *reason ? cipher_reason_text(reason)
                                : "it was not decrypted when the configs topic was read");
        return -1;
    }
    return 0;
}
