/*
 * java_keystore.h - Java's key and trust stores (JKS, PKCS12, PEM) read into PEM text, so that
 * OpenSSL-based clients (librdkafka) and GnuTLS can use the stores a Kafka Connect user already
 * has. JKS is read from its format as the JDK writes it (no keytool involved); PKCS12 and PEM
 * with OpenSSL's libcrypto.
 *
 * Ownership: every string returned is the caller's; private keys are wiped when freed through
 * java_keystore_key_clear() / java_keystore_wipe_free(). Messages name the file (or "inline
 * PEM") and what is wrong; they never hold a password or key material.
 */
#ifndef FERRY_SUPPORT_JAVA_KEYSTORE_H
#define FERRY_SUPPORT_JAVA_KEYSTORE_H

#include <stddef.h>

typedef enum java_keystore_status {
    JAVA_KEYSTORE_OK = 0,
    /* Unreadable, malformed, of another type, without the entry wanted, out of memory: the
     * message says which. */
    JAVA_KEYSTORE_INVALID = -1,
    /* The store password does not open the store (integrity check or decryption failed). */
    JAVA_KEYSTORE_STORE_PASSWORD = -2,
    /* The key password (or, without one, the store password) does not decrypt the key. */
    JAVA_KEYSTORE_KEY_PASSWORD = -3,
    /* The store needs a password and none was given. */
    JAVA_KEYSTORE_NO_PASSWORD = -4,
} java_keystore_status;

/* Where a store is and how to open it; every field is borrowed. */
typedef struct java_keystore_source {
    const char *location;       /* a file; NULL when text is given */
    const char *text;           /* inline PEM (type PEM), Java's one-line forms accepted */
    const char *type;           /* "JKS" (NULL or empty: Java's default), "PKCS12", "PEM" */
    const char *store_password; /* NULL: none given (JKS then skips its integrity check) */
    const char *key_password;   /* NULL: the store password, as in Java */
} java_keystore_source;

/* A private key entry in PEM. */
typedef struct java_keystore_key {
    char *certificates; /* the certificate chain, leaf first */
    char *key;          /* unencrypted PKCS#8 ("BEGIN PRIVATE KEY") */
    char *alias;        /* the entry taken; NULL for PEM */
    size_t key_entries; /* key entries in the store; above 1, the first in the file was taken */
} java_keystore_key;

/* The trusted certificates of a truststore as PEM: a JKS's trusted-certificate entries and the
 * certificates of its key entries, as Java's trust manager takes them; every certificate of a
 * PKCS12 or PEM store. *pem is the caller's. */
java_keystore_status java_keystore_read_trusted(const java_keystore_source *source, char **pem,
                                                char *err, size_t errlen);

/* The (first) private key entry of a keystore with its chain. key is cleared first and filled
 * on success; java_keystore_key_clear() frees it. */
java_keystore_status java_keystore_read_key(const java_keystore_source *source,
                                            java_keystore_key *key, char *err, size_t errlen);

/* Wipes and frees key's strings; accepts a cleared or half-filled key. */
void java_keystore_key_clear(java_keystore_key *key);

/* Wipes text (a key or password copy) and frees it; NULL is fine. */
void java_keystore_wipe_free(char *text);

/* Java's PEM text (a .properties value where line breaks became spaces or were joined, a
 * missing final line break) rewritten as standard PEM blocks of the given label ("CERTIFICATE",
 * "PRIVATE KEY"; a block matches when its label ends with it, as Kafka's PemParser reads it).
 * A new string, or NULL with a message when no block is found or memory runs out. */
char *java_keystore_pem_normalize(const char *text, const char *label, char *err, size_t errlen);

#endif
