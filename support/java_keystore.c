/*
 * java_keystore.c - JKS, PKCS12 and PEM stores read into PEM text (java_keystore.h).
 *
 * JKS as the JDK writes it (sun.security.provider.JavaKeyStore): magic 0xFEEDFEED, version 1
 * or 2, an entry count, then per entry a tag (1 private key, 2 trusted certificate), the alias
 * (Java's modified UTF-8 with a 2-byte length), a date (8 bytes); a key entry holds the key
 * protected by Sun's key protector and its certificate chain, a certificate entry one
 * certificate (version 2 writes each certificate's type before it). The store ends with a SHA-1
 * digest over the password as UTF-16BE, the words "Mighty Aphrodite" and everything before it.
 * The key protector (OID 1.3.6.1.4.1.42.2.17.1.1) is: 20 bytes of salt, the PKCS#8 key XORed
 * with a keystream of SHA-1 blocks (each SHA-1 over the password as UTF-16BE and the previous
 * block, the salt first), and a SHA-1 over the password and the plain key to check it.
 *
 * Since Java 9 a "JKS" store may be a PKCS12 file and the reverse (keystore.type.compat), so
 * both binary types are read by their content; PEM and binary are told apart and a mismatch is
 * an error naming the type found.
 */
#include "support/java_keystore.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define JKS_MAGIC 0xFEEDFEEDu
#define JCEKS_MAGIC 0xCECECECEu
#define JKS_TAG_KEY 1u
#define JKS_TAG_CERTIFICATE 2u
#define JKS_DIGEST_LEN 20
#define JKS_KEY_PROTECTOR_OID "1.3.6.1.4.1.42.2.17.1.1"
/* A store is a few kilobytes; anything past this is not one. */
#define JAVA_KEYSTORE_MAX_FILE (16u * 1024u * 1024u)

/* ------------------------------------------------------------------------------------------ */
/* Messages and small helpers                                                                 */

static const char *java_keystore_name(const java_keystore_source *source)
{
    return source->location ? source->location : "inline PEM";
}

static java_keystore_status java_keystore_fail(char *err, size_t errlen,
                                               const java_keystore_source *source,
                                               java_keystore_status status, const char *format,
                                               ...) __attribute__((format(printf, 5, 6)));

static java_keystore_status java_keystore_fail(char *err, size_t errlen,
                                               const java_keystore_source *source,
                                               java_keystore_status status, const char *format,
                                               ...)
{
    char why[384];
    va_list args;
    va_start(args, format);
    vsnprintf(why, sizeof(why), format, args);
    va_end(args);
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", java_keystore_name(source), why);
    /* OpenSSL's queue would otherwise leak into the next unrelated failure's report. */
    ERR_clear_error();
    return status;
}

void java_keystore_wipe_free(char *text)
{
    if (!text)
        return;
    OPENSSL_cleanse(text, strlen(text));
    free(text);
}

void java_keystore_key_clear(java_keystore_key *key)
{
    if (!key)
        return;
    free(key->certificates);
    java_keystore_wipe_free(key->key);
    free(key->alias);
    memset(key, 0, sizeof(*key));
}

/* The contents of a memory BIO as a new string (NULL when memory runs out). */
static char *java_keystore_bio_string(BIO *bio)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    if (len < 0)
        return NULL;
    char *text = malloc((size_t)len + 1);
    if (!text)
        return NULL;
    memcpy(text, data, (size_t)len);
    text[len] = '\0';
    return text;
}

/* certificates as PEM, in order. NULL when memory runs out. */
static char *java_keystore_certificates_pem(STACK_OF(X509) *certificates)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;
    if (!bio)
        return NULL;
    for (int i = 0; i < sk_X509_num(certificates); i++) {
        if (!PEM_write_bio_X509(bio, sk_X509_value(certificates, i)))
            goto cleanup;
    }
    pem = java_keystore_bio_string(bio);
cleanup:
    BIO_free(bio);
    return pem;
}

/* key as unencrypted PKCS#8 PEM, built in memory OpenSSL wipes when freed. */
static char *java_keystore_key_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    char *pem = NULL;
    if (!bio)
        return NULL;
    if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
        pem = java_keystore_bio_string(bio);
    BIO_free(bio);
    return pem;
}

/* A UTF-8 password as Java's char[] in big-endian bytes (UTF-16BE), the form JKS digests and
 * its key protector hash. A new buffer the caller wipes, or NULL (invalid UTF-8 is taken byte
 * by byte, as Latin-1, so that a wrong password is still just a wrong password). */
static unsigned char *java_keystore_password_utf16(const char *password, size_t *len)
{
    size_t in_len = strlen(password);
    unsigned char *out = malloc(in_len * 4 + 1);
    size_t used = 0;
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)password;
    while (*p) {
        uint32_t code = *p;
        size_t extra = code >= 0xF0 ? 3 : code >= 0xE0 ? 2 : code >= 0xC0 ? 1 : 0;
        if (extra) {
            uint32_t value = code & (0x3Fu >> extra);
            size_t i = 1;
            for (; i <= extra && (p[i] & 0xC0) == 0x80; i++)
                value = (value << 6) | (p[i] & 0x3F);
            if (i > extra) {
                code = value;
                p += extra;
            }
        }
        p++;
        if (code >= 0x10000) {
            code -= 0x10000;
            uint32_t high = 0xD800 + (code >> 10), low = 0xDC00 + (code & 0x3FF);
            out[used++] = (unsigned char)(high >> 8);
            out[used++] = (unsigned char)high;
            out[used++] = (unsigned char)(low >> 8);
            out[used++] = (unsigned char)low;
        } else {
            out[used++] = (unsigned char)(code >> 8);
            out[used++] = (unsigned char)code;
        }
    }
    *len = used;
    return out;
}

/* Reads a whole store file. 0, or a status with the message set. */
static java_keystore_status java_keystore_read_file(const java_keystore_source *source,
                                                    unsigned char **data, size_t *len, char *err,
                                                    size_t errlen)
{
    FILE *file = fopen(source->location, "rb");
    if (!file)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "cannot open: %s",
                                  strerror(errno));
    unsigned char *buffer = malloc(JAVA_KEYSTORE_MAX_FILE + 1);
    size_t used = buffer ? fread(buffer, 1, JAVA_KEYSTORE_MAX_FILE + 1, file) : 0;
    bool failed = ferror(file) != 0;
    fclose(file);
    if (!buffer)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "out of memory");
    if (failed || used == 0 || used > JAVA_KEYSTORE_MAX_FILE) {
        free(buffer);
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "%s",
                                  failed       ? "cannot be read"
                                  : used == 0 ? "is empty"
                                              : "is too large for a key store");
    }
    buffer[used] = '\0';
    *data = buffer;
    *len = used;
    return JAVA_KEYSTORE_OK;
}

typedef enum java_keystore_format {
    JAVA_KEYSTORE_FORMAT_JKS,
    JAVA_KEYSTORE_FORMAT_JCEKS,
    JAVA_KEYSTORE_FORMAT_PKCS12,
    JAVA_KEYSTORE_FORMAT_PEM,
    JAVA_KEYSTORE_FORMAT_UNKNOWN,
} java_keystore_format;

static java_keystore_format java_keystore_sniff(const unsigned char *data, size_t len)
{
    if (len >= 4) {
        uint32_t magic = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                         (uint32_t)data[2] << 8 | data[3];
        if (magic == JKS_MAGIC)
            return JAVA_KEYSTORE_FORMAT_JKS;
        if (magic == JCEKS_MAGIC)
            return JAVA_KEYSTORE_FORMAT_JCEKS;
    }
    if (len >= 2 && data[0] == 0x30)
        return JAVA_KEYSTORE_FORMAT_PKCS12;
    if (memmem(data, len, "-BEGIN", 6))
        return JAVA_KEYSTORE_FORMAT_PEM;
    return JAVA_KEYSTORE_FORMAT_UNKNOWN;
}

static const char *java_keystore_format_name(java_keystore_format format)
{
    switch (format) {
    case JAVA_KEYSTORE_FORMAT_JKS: return "a JKS store";
    case JAVA_KEYSTORE_FORMAT_JCEKS: return "a JCEKS store";
    case JAVA_KEYSTORE_FORMAT_PKCS12: return "a PKCS12 store";
    case JAVA_KEYSTORE_FORMAT_PEM: return "a PEM file";
    default: return "not a key store";
    }
}

/* ------------------------------------------------------------------------------------------ */
/* PEM                                                                                        */

static bool java_keystore_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool java_keystore_is_base64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/' || c == '=';
}

/* The label between "BEGIN"/"END" and the dashes after it, white space collapsed to single
 * spaces, into out. Returns the position after the dashes, or NULL. */
static const char *java_keystore_pem_label(const char *p, char *out, size_t outlen)
{
    size_t used = 0;
    while (java_keystore_is_space(*p))
        p++;
    while (*p && *p != '-') {
        if (java_keystore_is_space(*p)) {
            while (java_keystore_is_space(*p))
                p++;
            if (*p != '-' && used + 1 < outlen)
                out[used++] = ' ';
            continue;
        }
        if (used + 1 >= outlen)
            return NULL;
        out[used++] = *p++;
    }
    out[used] = '\0';
    if (*p != '-' || used == 0)
        return NULL;
    while (*p == '-')
        p++;
    return p;
}

static bool java_keystore_label_matches(const char *label, const char *wanted)
{
    size_t len = strlen(label), wanted_len = strlen(wanted);
    return len >= wanted_len && strcmp(label + len - wanted_len, wanted) == 0 &&
           (len == wanted_len || label[len - wanted_len - 1] == ' ');
}

/* Appends one block of text starting after its BEGIN label (at p) to out. Returns the position
 * after the block's END line, or NULL when the block is malformed. */
static const char *java_keystore_pem_block(const char *p, const char *label, FILE *out)
{
    /* Encoding headers (Proc-Type, DEK-Info), kept for OpenSSL's traditional encrypted keys. */
    fprintf(out, "-----BEGIN %s-----\n", label);
    while (java_keystore_is_space(*p))
        p++;
    bool headers = false;
    for (;;) {
        const char *line_end = strpbrk(p, "\r\n");
        const char *colon = strchr(p, ':');
        if (!line_end || !colon || colon > line_end || memmem(p, (size_t)(line_end - p), "--", 2))
            break;
        fprintf(out, "%.*s\n", (int)(line_end - p), p);
        headers = true;
        p = line_end;
        while (java_keystore_is_space(*p))
            p++;
    }
    if (headers)
        fputc('\n', out);
    size_t column = 0;
    for (; *p && *p != '-'; p++) {
        if (java_keystore_is_space(*p))
            continue;
        if (!java_keystore_is_base64(*p))
            return NULL;
        fputc(*p, out);
        if (++column == 64) {
            fputc('\n', out);
            column = 0;
        }
    }
    if (column)
        fputc('\n', out);
    while (*p == '-')
        p++;
    if (strncmp(p, "END", 3) != 0)
        return NULL;
    char end_label[64];
    p = java_keystore_pem_label(p + 3, end_label, sizeof(end_label));
    if (!p || strcmp(end_label, label) != 0)
        return NULL;
    fprintf(out, "-----END %s-----\n", label);
    return p;
}

char *java_keystore_pem_normalize(const char *text, const char *label, char *err, size_t errlen)
{
    char *pem = NULL;
    size_t size = 0;
    size_t blocks = 0;
    FILE *out = open_memstream(&pem, &size);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (const char *p = text; (p = strstr(p, "BEGIN"));) {
        char found[64];
        const char *body = p > text && p[-1] == '-'
                               ? java_keystore_pem_label(p + 5, found, sizeof(found))
                               : NULL;
        if (!body || !java_keystore_label_matches(found, label)) {
            p += 5;
            continue;
        }
        const char *next = java_keystore_pem_block(body, found, out);
        if (!next) {
            fclose(out);
            java_keystore_wipe_free(pem);
            snprintf(err, errlen, "a %s block is malformed (expected base64 between its BEGIN "
                     "and END lines)", found);
            return NULL;
        }
        blocks++;
        p = next;
    }
    if (fclose(out) != 0) {
        java_keystore_wipe_free(pem);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (blocks == 0) {
        java_keystore_wipe_free(pem);
        snprintf(err, errlen, "no %s block found", label);
        return NULL;
    }
    return pem;
}

/* The text of a PEM source: its inline text or its file's. A new string the caller wipes. */
static java_keystore_status java_keystore_pem_text(const java_keystore_source *source,
                                                   char **text, char *err, size_t errlen)
{
    if (!source->location) {
        if (!source->text)
            return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "empty");
        *text = strdup(source->text);
        return *text ? JAVA_KEYSTORE_OK
                     : java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                          "out of memory");
    }
    unsigned char *data = NULL;
    size_t len = 0;
    java_keystore_status status = java_keystore_read_file(source, &data, &len, err, errlen);
    if (status != JAVA_KEYSTORE_OK)
        return status;
    java_keystore_format format = java_keystore_sniff(data, len);
    if (format != JAVA_KEYSTORE_FORMAT_PEM || strlen((char *)data) != len) {
        OPENSSL_cleanse(data, len);
        free(data);
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "type PEM was given but this is %s",
                                  java_keystore_format_name(format));
    }
    *text = (char *)data;
    return JAVA_KEYSTORE_OK;
}

/* Every certificate of a PEM text. */
static java_keystore_status java_keystore_pem_certificates(const java_keystore_source *source,
                                                           const char *text,
                                                           STACK_OF(X509) *certificates,
                                                           char *err, size_t errlen)
{
    char why[256];
    char *pem = java_keystore_pem_normalize(text, "CERTIFICATE", why, sizeof(why));
    if (!pem)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "%s", why);
    BIO *bio = BIO_new_mem_buf(pem, -1);
    java_keystore_status status = JAVA_KEYSTORE_OK;
    X509 *certificate;
    while (bio && (certificate = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL))) {
        if (!sk_X509_push(certificates, certificate)) {
            X509_free(certificate);
            break;
        }
    }
    unsigned long error = ERR_peek_last_error();
    if (!bio || (error && ERR_GET_REASON(error) != PEM_R_NO_START_LINE) ||
        sk_X509_num(certificates) == 0)
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "a CERTIFICATE block is not an X.509 certificate");
    ERR_clear_error();
    BIO_free(bio);
    free(pem);
    return status;
}

/* The PEM password callback: the key password, or failure when none was given (OpenSSL would
 * otherwise ask on the terminal). */
static int java_keystore_pem_password(char *buffer, int size, int rwflag, void *userdata)
{
    const char *password = userdata;
    if (!password)
        return -1;
    size_t len = strlen(password);
    if (len > (size_t)size)
        return -1;
    memcpy(buffer, password, len);
    return (int)len;
}

/* The one private key of a PEM text. */
static java_keystore_status java_keystore_pem_key(const java_keystore_source *source,
                                                  const char *text, EVP_PKEY **key, char *err,
                                                  size_t errlen)
{
    char why[256];
    char *pem = java_keystore_pem_normalize(text, "PRIVATE KEY", why, sizeof(why));
    if (!pem)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "%s", why);
    java_keystore_status status = JAVA_KEYSTORE_OK;
    const char *second = strstr(pem, "-----BEGIN ");
    second = second ? strstr(second + 11, "-----BEGIN ") : NULL;
    bool encrypted = strstr(pem, "ENCRYPTED") != NULL;
    const char *password = source->key_password ? source->key_password : source->store_password;
    BIO *bio = NULL;
    if (second) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "expected one private key, found several");
        goto cleanup;
    }
    if (encrypted && !password) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_NO_PASSWORD,
                                    "the private key is encrypted and no key password is given");
        goto cleanup;
    }
    bio = BIO_new_mem_buf(pem, -1);
    *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, java_keystore_pem_password,
                                         (void *)password)
               : NULL;
    if (!*key)
        status = encrypted ? java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_KEY_PASSWORD,
                                                "key password incorrect")
                           : java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                                "the PRIVATE KEY block is not a private key");
cleanup:
    BIO_free(bio);
    java_keystore_wipe_free(pem);
    return status;
}

/* ------------------------------------------------------------------------------------------ */
/* JKS                                                                                        */

typedef struct jks_reader {
    const unsigned char *data;
    size_t len;
    size_t pos;
    bool short_read;
} jks_reader;

static const unsigned char *jks_take(jks_reader *reader, size_t n)
{
    if (reader->short_read || reader->len - reader->pos < n) {
        reader->short_read = true;
        return NULL;
    }
    const unsigned char *p = reader->data + reader->pos;
    reader->pos += n;
    return p;
}

static uint32_t jks_u32(jks_reader *reader)
{
    const unsigned char *p = jks_take(reader, 4);
    return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static uint16_t jks_u16(jks_reader *reader)
{
    const unsigned char *p = jks_take(reader, 2);
    return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

/* A length-prefixed (2 bytes) string as a new C string; Java's modified UTF-8 is UTF-8 for
 * every alias keytool writes. */
static char *jks_utf(jks_reader *reader)
{
    uint16_t len = jks_u16(reader);
    const unsigned char *p = jks_take(reader, len);
    return p ? strndup((const char *)p, len) : NULL;
}

/* A certificate: its type (version 2) then a 4-byte length and the DER. */
static X509 *jks_certificate(jks_reader *reader, uint32_t version, bool *not_x509)
{
    if (version == 2) {
        char *type = jks_utf(reader);
        bool x509 = type && strcmp(type, "X.509") == 0;
        free(type);
        if (!x509) {
            *not_x509 = !reader->short_read;
            return NULL;
        }
    }
    uint32_t len = jks_u32(reader);
    const unsigned char *der = jks_take(reader, len);
    return der ? d2i_X509(NULL, &der, (long)len) : NULL;
}

typedef struct jks_store {
    STACK_OF(X509) *trusted;   /* certificate entries and each key entry's first certificate */
    char *key_alias;           /* the first key entry */
    const unsigned char *key_protected;
    uint32_t key_protected_len;
    STACK_OF(X509) *key_chain;
    size_t key_entries;
} jks_store;

static void jks_store_free(jks_store *store)
{
    sk_X509_pop_free(store->trusted, X509_free);
    sk_X509_pop_free(store->key_chain, X509_free);
    free(store->key_alias);
}

/* SHA-1 over the password as UTF-16BE, "Mighty Aphrodite" and the store before the digest. */
static bool jks_integrity_ok(const unsigned char *data, size_t len, const char *password)
{
    size_t password_len = 0;
    unsigned char *password_bytes = java_keystore_password_utf16(password, &password_len);
    unsigned char digest[JKS_DIGEST_LEN];
    bool ok = false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (password_bytes && md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) &&
        EVP_DigestUpdate(md, password_bytes, password_len) &&
        EVP_DigestUpdate(md, "Mighty Aphrodite", 16) && EVP_DigestUpdate(md, data, len) &&
        EVP_DigestFinal_ex(md, digest, NULL))
        ok = CRYPTO_memcmp(digest, data + len, JKS_DIGEST_LEN) == 0;
    EVP_MD_CTX_free(md);
    if (password_bytes) {
        OPENSSL_cleanse(password_bytes, password_len);
        free(password_bytes);
    }
    return ok;
}

static java_keystore_status jks_parse(const java_keystore_source *source,
                                      const unsigned char *data, size_t len, jks_store *store,
                                      char *err, size_t errlen)
{
    jks_reader reader = {data, len, 0, false};
    bool not_x509 = false;
    store->trusted = sk_X509_new_null();
    store->key_chain = sk_X509_new_null();
    if (!store->trusted || !store->key_chain)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "out of memory");
    (void)jks_u32(&reader); /* the magic, checked by the caller */
    uint32_t version = jks_u32(&reader);
    if (version != 1 && version != 2)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "JKS version %u is not 1 or 2", version);
    uint32_t count = jks_u32(&reader);
    for (uint32_t i = 0; i < count && !reader.short_read; i++) {
        uint32_t tag = jks_u32(&reader);
        char *alias = jks_utf(&reader);
        (void)jks_take(&reader, 8); /* the entry's date */
        if (tag == JKS_TAG_CERTIFICATE) {
            free(alias);
            X509 *certificate = jks_certificate(&reader, version, &not_x509);
            if (!certificate)
                break;
            if (!sk_X509_push(store->trusted, certificate)) {
                X509_free(certificate);
                return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                          "out of memory");
            }
            continue;
        }
        if (tag != JKS_TAG_KEY) {
            free(alias);
            return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                      "entry %u has the unknown tag %u (not a JKS store the "
                                      "JDK wrote)", i + 1, tag);
        }
        uint32_t protected_len = jks_u32(&reader);
        const unsigned char *protected_key = jks_take(&reader, protected_len);
        uint32_t chain_len = jks_u32(&reader);
        bool first_key = store->key_entries++ == 0;
        if (first_key) {
            store->key_alias = alias;
            store->key_protected = protected_key;
            store->key_protected_len = protected_len;
        } else {
            free(alias);
        }
        /* The chain of the first key entry is kept; the first certificate of every key
         * entry is trusted, as Java's trust manager takes it. */
        for (uint32_t c = 0; c < chain_len && !reader.short_read; c++) {
            X509 *certificate = jks_certificate(&reader, version, &not_x509);
            if (!certificate)
                break;
            bool kept = false;
            if (first_key) {
                if (!sk_X509_push(store->key_chain, certificate)) {
                    X509_free(certificate);
                    return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                              "out of memory");
                }
                kept = true;
            }
            if (c == 0 && (!kept || X509_up_ref(certificate))) {
                if (!sk_X509_push(store->trusted, certificate))
                    X509_free(certificate);
                kept = true;
            }
            if (!kept)
                X509_free(certificate);
        }
        if (not_x509)
            break;
    }
    if (not_x509)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "holds a certificate that is not X.509");
    if (reader.short_read || reader.len - reader.pos != JKS_DIGEST_LEN)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "not a valid JKS store (%s at byte %zu)",
                                  reader.short_read ? "truncated" : "malformed entry",
                                  reader.pos);
    if (source->store_password && !jks_integrity_ok(data, reader.pos, source->store_password))
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_STORE_PASSWORD,
                                  "keystore password incorrect (or the file was altered)");
    return JAVA_KEYSTORE_OK;
}

/* The PKCS#8 key of a key entry, unprotected with Sun's key protector. */
static java_keystore_status jks_recover_key(const java_keystore_source *source,
                                            const jks_store *store, EVP_PKEY **key, char *err,
                                            size_t errlen)
{
    const char *password = source->key_password ? source->key_password : source->store_password;
    const unsigned char *der = store->key_protected;
    X509_SIG *info = der ? d2i_X509_SIG(NULL, &der, store->key_protected_len) : NULL;
    const X509_ALGOR *algorithm = NULL;
    const ASN1_OCTET_STRING *protected_key = NULL;
    unsigned char *password_bytes = NULL;
    unsigned char *plain = NULL;
    size_t password_len = 0, plain_len = 0;
    java_keystore_status status = JAVA_KEYSTORE_INVALID;
    char oid[64] = "";
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (!info || !md) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "the key entry '%s' is malformed", store->key_alias);
        goto cleanup;
    }
    X509_SIG_get0(info, &algorithm, &protected_key);
    const ASN1_OBJECT *object = NULL;
    X509_ALGOR_get0(&object, NULL, NULL, algorithm);
    OBJ_obj2txt(oid, sizeof(oid), object, 1);
    int total = ASN1_STRING_length(protected_key);
    if (strcmp(oid, JKS_KEY_PROTECTOR_OID) != 0 || total < 2 * JKS_DIGEST_LEN) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "the key entry '%s' is protected with %s, not JKS's key "
                                    "protector", store->key_alias, oid);
        goto cleanup;
    }
    if (!password) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_NO_PASSWORD,
                                    "the key entry '%s' needs a key password",
                                    store->key_alias);
        goto cleanup;
    }
    const unsigned char *bytes = ASN1_STRING_get0_data(protected_key);
    const unsigned char *salt = bytes;
    plain_len = (size_t)total - 2 * JKS_DIGEST_LEN;
    const unsigned char *encrypted = bytes + JKS_DIGEST_LEN;
    const unsigned char *check = encrypted + plain_len;
    password_bytes = java_keystore_password_utf16(password, &password_len);
    plain = malloc(plain_len ? plain_len : 1);
    if (!password_bytes || !plain) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID, "out of memory");
        goto cleanup;
    }
    unsigned char block[JKS_DIGEST_LEN];
    memcpy(block, salt, JKS_DIGEST_LEN);
    for (size_t done = 0; done < plain_len; done += JKS_DIGEST_LEN) {
        if (!EVP_DigestInit_ex(md, EVP_sha1(), NULL) ||
            !EVP_DigestUpdate(md, password_bytes, password_len) ||
            !EVP_DigestUpdate(md, block, JKS_DIGEST_LEN) ||
            !EVP_DigestFinal_ex(md, block, NULL))
            goto digest_failed;
        for (size_t i = 0; i < JKS_DIGEST_LEN && done + i < plain_len; i++)
            plain[done + i] = encrypted[done + i] ^ block[i];
    }
    if (!EVP_DigestInit_ex(md, EVP_sha1(), NULL) ||
        !EVP_DigestUpdate(md, password_bytes, password_len) ||
        !EVP_DigestUpdate(md, plain, plain_len) || !EVP_DigestFinal_ex(md, block, NULL))
        goto digest_failed;
    if (CRYPTO_memcmp(block, check, JKS_DIGEST_LEN) != 0) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_KEY_PASSWORD,
                                    "key password incorrect for the key entry '%s'",
                                    store->key_alias);
        goto cleanup;
    }
    const unsigned char *p = plain;
    PKCS8_PRIV_KEY_INFO *info8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)plain_len);
    *key = info8 ? EVP_PKCS82PKEY(info8) : NULL;
    PKCS8_PRIV_KEY_INFO_free(info8);
    status = *key ? JAVA_KEYSTORE_OK
                  : java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                       "the key entry '%s' holds no key OpenSSL can read",
                                       store->key_alias);
    OPENSSL_cleanse(block, sizeof(block));
    goto cleanup;

digest_failed:
    status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                "SHA-1 is not available");
cleanup:
    if (plain) {
        OPENSSL_cleanse(plain, plain_len);
        free(plain);
    }
    if (password_bytes) {
        OPENSSL_cleanse(password_bytes, password_len);
        free(password_bytes);
    }
    EVP_MD_CTX_free(md);
    X509_SIG_free(info);
    return status;
}

/* ------------------------------------------------------------------------------------------ */
/* PKCS12                                                                                     */

typedef struct p12_store {
    STACK_OF(X509) *certificates;
    EVP_PKEY *key;              /* the first key bag's */
    ASN1_OCTET_STRING *key_id;  /* its localKeyID, to find its certificate */
    char *key_alias;
    size_t key_entries;
    bool skipped_encrypted;     /* encrypted contents skipped for want of a password */
} p12_store;

static void p12_store_free(p12_store *store)
{
    sk_X509_pop_free(store->certificates, X509_free);
    EVP_PKEY_free(store->key);
    ASN1_OCTET_STRING_free(store->key_id);
    free(store->key_alias);
}

static java_keystore_status p12_key_bag(const java_keystore_source *source,
                                        const PKCS12_SAFEBAG *bag, bool want_key,
                                        p12_store *store, char *err, size_t errlen)
{
    if (store->key_entries++ > 0 || !want_key)
        return JAVA_KEYSTORE_OK;
    const char *password = source->key_password ? source->key_password : source->store_password;
    PKCS8_PRIV_KEY_INFO *info = NULL;
    if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag) {
        store->key = EVP_PKCS82PKEY(PKCS12_SAFEBAG_get0_p8inf(bag));
    } else {
        if (!password)
            return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_NO_PASSWORD,
                                      "the private key is encrypted and no key password is "
                                      "given");
        info = PKCS12_decrypt_skey(bag, password, -1);
        if (!info)
            return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_KEY_PASSWORD,
                                      "key password incorrect");
    }
    if (info) {
        store->key = EVP_PKCS82PKEY(info);
        PKCS8_PRIV_KEY_INFO_free(info);
    }
    if (!store->key)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "the key bag holds no key OpenSSL can read");
    const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
    if (id && id->type == V_ASN1_OCTET_STRING)
        store->key_id = ASN1_OCTET_STRING_dup(id->value.octet_string);
    char *name = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
    if (name) {
        store->key_alias = strdup(name);
        OPENSSL_free(name);
    }
    return JAVA_KEYSTORE_OK;
}

static java_keystore_status p12_bags(const java_keystore_source *source,
                                     const STACK_OF(PKCS12_SAFEBAG) *bags, bool want_key,
                                     p12_store *store, char *err, size_t errlen)
{
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        int nid = PKCS12_SAFEBAG_get_nid(bag);
        if (nid == NID_keyBag || nid == NID_pkcs8ShroudedKeyBag) {
            java_keystore_status status = p12_key_bag(source, bag, want_key, store, err, errlen);
            if (status != JAVA_KEYSTORE_OK)
                return status;
        } else if (nid == NID_certBag && PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
            X509 *certificate = PKCS12_SAFEBAG_get1_cert(bag);
            if (!certificate || !sk_X509_push(store->certificates, certificate)) {
                X509_free(certificate);
                return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                          "a certificate bag cannot be read");
            }
            /* Remember which certificate goes with the key, by its localKeyID. */
            const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
            if (id && id->type == V_ASN1_OCTET_STRING)
                X509_keyid_set1(certificate, id->value.octet_string->data,
                                id->value.octet_string->length);
        } else if (nid == NID_safeContentsBag) {
            java_keystore_status status = p12_bags(source, PKCS12_SAFEBAG_get0_safes(bag),
                                                   want_key, store, err, errlen);
            if (status != JAVA_KEYSTORE_OK)
                return status;
        }
    }
    return JAVA_KEYSTORE_OK;
}

static java_keystore_status p12_parse(const java_keystore_source *source,
                                      const unsigned char *data, size_t len, bool want_key,
                                      p12_store *store, char *err, size_t errlen)
{
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    STACK_OF(PKCS7) *safes = NULL;
    java_keystore_status status = JAVA_KEYSTORE_OK;
    const char *password = source->store_password;

    store->certificates = sk_X509_new_null();
    if (!p12 || !store->certificates) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "not a valid PKCS12 store");
        goto cleanup;
    }
    /* As Java: without a password the store loads, unchecked. */
    if (password && PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, password, -1)) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_STORE_PASSWORD,
                                    "keystore password incorrect");
        goto cleanup;
    }
    safes = PKCS12_unpack_authsafes(p12);
    if (!safes) {
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "not a valid PKCS12 store (its contents cannot be read)");
        goto cleanup;
    }
    for (int i = 0; i < sk_PKCS7_num(safes) && status == JAVA_KEYSTORE_OK; i++) {
        PKCS7 *safe = sk_PKCS7_value(safes, i);
        STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
        int nid = OBJ_obj2nid(safe->type);
        if (nid == NID_pkcs7_data) {
            bags = PKCS12_unpack_p7data(safe);
        } else if (nid == NID_pkcs7_encrypted) {
            if (!password) {
                store->skipped_encrypted = true;
                continue;
            }
            bags = PKCS12_unpack_p7encdata(safe, password, -1);
            if (!bags) {
                status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_STORE_PASSWORD,
                                            "keystore password incorrect");
                break;
            }
        } else {
            continue;
        }
        if (!bags) {
            status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                        "not a valid PKCS12 store (a content is malformed)");
            break;
        }
        status = p12_bags(source, bags, want_key, store, err, errlen);
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }

cleanup:
    sk_PKCS7_pop_free(safes, PKCS7_free);
    PKCS12_free(p12);
    return status;
}

/* The key's certificate (by localKeyID, else by its public key) moved to the front of chain,
 * then its issuers in order, as far as the store holds them. */
static STACK_OF(X509) *p12_chain(const p12_store *store)
{
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509 *leaf = NULL;
    if (!chain)
        return NULL;
    for (int i = 0; i < sk_X509_num(store->certificates) && !leaf; i++) {
        X509 *candidate = sk_X509_value(store->certificates, i);
        int id_len = 0;
        const unsigned char *id = X509_keyid_get0(candidate, &id_len);
        if (store->key_id && id && id_len == store->key_id->length &&
            memcmp(id, store->key_id->data, (size_t)id_len) == 0)
            leaf = candidate;
    }
    for (int i = 0; i < sk_X509_num(store->certificates) && !leaf; i++) {
        X509 *candidate = sk_X509_value(store->certificates, i);
        if (X509_check_private_key(candidate, store->key) == 1)
            leaf = candidate;
    }
    ERR_clear_error();
    for (X509 *current = leaf; current && sk_X509_num(chain) < 16;) {
        if (!X509_up_ref(current) || !sk_X509_push(chain, current)) {
            sk_X509_pop_free(chain, X509_free);
            return NULL;
        }
        X509 *issuer = NULL;
        if (X509_check_issued(current, current) != X509_V_OK) {
            for (int i = 0; i < sk_X509_num(store->certificates) && !issuer; i++) {
                X509 *candidate = sk_X509_value(store->certificates, i);
                if (candidate != current && X509_check_issued(candidate, current) == X509_V_OK)
                    issuer = candidate;
            }
        }
        current = issuer;
    }
    return chain;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading                                                                                    */

typedef enum java_keystore_type_name {
    JAVA_KEYSTORE_TYPE_BINARY, /* JKS or PKCS12, told apart by content */
    JAVA_KEYSTORE_TYPE_PEM,
} java_keystore_type_name;

static java_keystore_status java_keystore_type(const java_keystore_source *source,
                                               java_keystore_type_name *type, char *err,
                                               size_t errlen)
{
    const char *name = source->type;
    if (!name || name[strspn(name, " \t")] == '\0' || strcasecmp(name, "JKS") == 0 ||
        strcasecmp(name, "PKCS12") == 0) {
        *type = JAVA_KEYSTORE_TYPE_BINARY;
    } else if (strcasecmp(name, "PEM") == 0) {
        *type = JAVA_KEYSTORE_TYPE_PEM;
    } else {
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "store type '%s' is not supported (expected JKS, PKCS12 or "
                                  "PEM)", name);
    }
    if (*type == JAVA_KEYSTORE_TYPE_BINARY && !source->location)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "inline certificates and keys are PEM only (type %s was "
                                  "given)", name ? name : "JKS");
    return JAVA_KEYSTORE_OK;
}

/* Reads a binary store's file and checks what it holds. */
static java_keystore_status java_keystore_read_binary(const java_keystore_source *source,
                                                      unsigned char **data, size_t *len,
                                                      java_keystore_format *format, char *err,
                                                      size_t errlen)
{
    java_keystore_status status = java_keystore_read_file(source, data, len, err, errlen);
    if (status != JAVA_KEYSTORE_OK)
        return status;
    *format = java_keystore_sniff(*data, *len);
    if (*format == JAVA_KEYSTORE_FORMAT_JKS || *format == JAVA_KEYSTORE_FORMAT_PKCS12)
        return JAVA_KEYSTORE_OK;
    free(*data);
    *data = NULL;
    const char *type = source->type && source->type[0] ? source->type : "JKS";
    if (*format == JAVA_KEYSTORE_FORMAT_JCEKS)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "a JCEKS store is not supported; convert it with keytool "
                                  "-importkeystore -deststoretype PKCS12");
    if (*format == JAVA_KEYSTORE_FORMAT_PEM)
        return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                  "type %s was given but this is a PEM file (set the type to "
                                  "PEM)", type);
    return java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                              "not a JKS or PKCS12 store");
}

java_keystore_status java_keystore_read_trusted(const java_keystore_source *source, char **pem,
                                                char *err, size_t errlen)
{
    java_keystore_type_name type;
    java_keystore_status status = java_keystore_type(source, &type, err, errlen);
    STACK_OF(X509) *certificates = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    jks_store jks = {0};
    p12_store p12 = {0};
    char *text = NULL;

    *pem = NULL;
    if (status != JAVA_KEYSTORE_OK)
        return status;
    if (type == JAVA_KEYSTORE_TYPE_PEM) {
        status = java_keystore_pem_text(source, &text, err, errlen);
        certificates = status == JAVA_KEYSTORE_OK ? sk_X509_new_null() : NULL;
        if (status == JAVA_KEYSTORE_OK)
            status = certificates ? java_keystore_pem_certificates(source, text, certificates,
                                                                   err, errlen)
                                  : java_keystore_fail(err, errlen, source,
                                                       JAVA_KEYSTORE_INVALID, "out of memory");
    } else {
        java_keystore_format format;
        status = java_keystore_read_binary(source, &data, &len, &format, err, errlen);
        if (status == JAVA_KEYSTORE_OK && format == JAVA_KEYSTORE_FORMAT_JKS) {
            status = jks_parse(source, data, len, &jks, err, errlen);
            certificates = jks.trusted;
        } else if (status == JAVA_KEYSTORE_OK) {
            status = p12_parse(source, data, len, false, &p12, err, errlen);
            certificates = p12.certificates;
        }
        if (status == JAVA_KEYSTORE_OK && sk_X509_num(certificates) == 0)
            status = p12.skipped_encrypted
                         ? java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_NO_PASSWORD,
                                              "its certificates are encrypted and no store "
                                              "password is given")
                         : java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                              "holds no certificate");
    }
    if (status == JAVA_KEYSTORE_OK && !(*pem = java_keystore_certificates_pem(certificates)))
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "out of memory");
    if (type == JAVA_KEYSTORE_TYPE_PEM)
        sk_X509_pop_free(certificates, X509_free);
    jks_store_free(&jks);
    p12_store_free(&p12);
    java_keystore_wipe_free(text);
    free(data);
    return status;
}

/* The key entry of a PEM keystore: key and chain from one text, or from the inline pair. */
static java_keystore_status java_keystore_pem_entry(const java_keystore_source *source,
                                                    EVP_PKEY **key, STACK_OF(X509) *chain,
                                                    char *err, size_t errlen)
{
    char *text = NULL;
    java_keystore_status status = java_keystore_pem_text(source, &text, err, errlen);
    if (status == JAVA_KEYSTORE_OK)
        status = java_keystore_pem_key(source, text, key, err, errlen);
    if (status == JAVA_KEYSTORE_OK)
        status = java_keystore_pem_certificates(source, text, chain, err, errlen);
    java_keystore_wipe_free(text);
    return status;
}

java_keystore_status java_keystore_read_key(const java_keystore_source *source,
                                            java_keystore_key *out, char *err, size_t errlen)
{
    java_keystore_type_name type;
    java_keystore_status status;
    STACK_OF(X509) *chain = NULL;
    EVP_PKEY *key = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    jks_store jks = {0};
    p12_store p12 = {0};
    const char *alias = NULL;

    memset(out, 0, sizeof(*out));
    status = java_keystore_type(source, &type, err, errlen);
    if (status != JAVA_KEYSTORE_OK)
        return status;
    if (type == JAVA_KEYSTORE_TYPE_PEM) {
        chain = sk_X509_new_null();
        status = chain ? java_keystore_pem_entry(source, &key, chain, err, errlen)
                       : java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                            "out of memory");
        out->key_entries = 1;
    } else {
        java_keystore_format format;
        status = java_keystore_read_binary(source, &data, &len, &format, err, errlen);
        if (status == JAVA_KEYSTORE_OK && format == JAVA_KEYSTORE_FORMAT_JKS) {
            status = jks_parse(source, data, len, &jks, err, errlen);
            if (status == JAVA_KEYSTORE_OK && jks.key_entries == 0)
                status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                            "holds no private key entry (a truststore?)");
            if (status == JAVA_KEYSTORE_OK)
                status = jks_recover_key(source, &jks, &key, err, errlen);
            chain = jks.key_chain;
            jks.key_chain = NULL;
            alias = jks.key_alias;
            out->key_entries = jks.key_entries;
        } else if (status == JAVA_KEYSTORE_OK) {
            status = p12_parse(source, data, len, true, &p12, err, errlen);
            if (status == JAVA_KEYSTORE_OK && p12.key_entries == 0)
                status = java_keystore_fail(err, errlen, source,
                                            p12.skipped_encrypted ? JAVA_KEYSTORE_NO_PASSWORD
                                                                  : JAVA_KEYSTORE_INVALID,
                                            "holds no private key entry%s",
                                            p12.skipped_encrypted
                                                ? " readable without the store password"
                                                : " (a truststore?)");
            if (status == JAVA_KEYSTORE_OK) {
                chain = p12_chain(&p12);
                key = p12.key;
                p12.key = NULL;
                alias = p12.key_alias;
                out->key_entries = p12.key_entries;
            }
        }
    }
    if (status == JAVA_KEYSTORE_OK && sk_X509_num(chain) == 0)
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "the private key has no certificate");
    if (status == JAVA_KEYSTORE_OK && X509_check_private_key(sk_X509_value(chain, 0), key) != 1)
        status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                    "the private key does not match its certificate");
    if (status == JAVA_KEYSTORE_OK) {
        out->certificates = java_keystore_certificates_pem(chain);
        out->key = java_keystore_key_pem(key);
        out->alias = alias ? strdup(alias) : NULL;
        if (!out->certificates || !out->key || (alias && !out->alias))
            status = java_keystore_fail(err, errlen, source, JAVA_KEYSTORE_INVALID,
                                        "out of memory");
    }
    if (status != JAVA_KEYSTORE_OK)
        java_keystore_key_clear(out);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
    jks_store_free(&jks);
    p12_store_free(&p12);
    free(data);
    return status;
}
