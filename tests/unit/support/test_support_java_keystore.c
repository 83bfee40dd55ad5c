/*
 * test_support_java_keystore.c - support/java_keystore.c against stores the JDK's keytool made
 * (tests/unit/fixtures/java_keystore, see its README.md): JKS and PKCS12 truststores, JKS and
 * PKCS12 keystores whose key password differs from the store password, a PKCS12 without
 * password protection, PEM in files and inline in Java's one-line forms, and the refusals
 * (wrong passwords, wrong type, no key entry, JCEKS, a corrupt file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/java_keystore.h"
#include "keystore_fixture.h"

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* The message names the file, says why, and holds no password. */
static void assert_message(const char *err, const char *file, const char *why)
{
    assert_non_null(strstr(err, file));
    assert_non_null(strstr(err, why));
    static const char *const secrets[] = {"trustpass", "storepass", "keypass1", "samepass",
                                          "wrongpass", NULL};
    for (size_t i = 0; secrets[i]; i++)
        assert_null(strstr(err, secrets[i]));
}

static java_keystore_status trusted(const char *name, const char *type, const char *password,
                                    char **pem, char *err, size_t errlen)
{
    java_keystore_source source = {.location = keystore_fixture(name), .type = type,
                                   .store_password = password};
    return java_keystore_read_trusted(&source, pem, err, errlen);
}

static void test_truststores(void **state)
{
    (void)state;
    char err[512];
    char *ca = keystore_fixture_text("ca.pem");
    char *other = keystore_fixture_text("other.pem");
    static const struct {
        const char *name, *type, *password;
        size_t certificates;
    } cases[] = {
        {"truststore.jks", NULL, "trustpass", 2},
        {"truststore.jks", "JKS", NULL, 2},       /* no password: no integrity check */
        {"truststore.p12", "PKCS12", "trustpass", 2},
        {"truststore.p12", "JKS", "trustpass", 2}, /* Java reads either binary type */
        {"truststore-nopass.p12", "PKCS12", NULL, 1},
        {"truststore-nopass.p12", "PKCS12", "anything", 1}, /* no MAC to check */
        {"ca.pem", "PEM", NULL, 1},
        /* the CA's entry and the key entry's certificate, which Java trusts too */
        {"client.jks", "JKS", "storepass", 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *pem = NULL;
        err[0] = '\0';
        assert_int_equal(trusted(cases[i].name, cases[i].type, cases[i].password, &pem, err,
                                 sizeof(err)),
                         JAVA_KEYSTORE_OK);
        assert_int_equal(count_of(pem, "-----BEGIN CERTIFICATE-----"), cases[i].certificates);
        assert_non_null(strstr(pem, ca));
        if (strncmp(cases[i].name, "truststore.", 11) == 0)
            assert_non_null(strstr(pem, other));
        free(pem);
    }
    free(ca);
    free(other);
}

static void test_truststore_refusals(void **state)
{
    (void)state;
    char err[512];
    char *pem = (char *)"unchanged";
    assert_int_equal(trusted("truststore.jks", "JKS", "wrongpass", &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_STORE_PASSWORD);
    assert_null(pem);
    assert_message(err, "truststore.jks", "keystore password incorrect");
    assert_int_equal(trusted("truststore.p12", "PKCS12", "wrongpass", &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_STORE_PASSWORD);
    assert_message(err, "truststore.p12", "keystore password incorrect");
    assert_int_equal(trusted("truststore.p12", "PKCS12", NULL, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_NO_PASSWORD);
    assert_message(err, "truststore.p12", "no store password");
    assert_int_equal(trusted("corrupt.jks", "JKS", "storepass", &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "corrupt.jks", "not a valid JKS store (truncated");
    assert_int_equal(trusted("truststore.jceks", "JKS", "trustpass", &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "truststore.jceks", "JCEKS store is not supported");
    assert_int_equal(trusted("truststore.jks", "PEM", NULL, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "truststore.jks", "type PEM was given but this is a JKS store");
    assert_int_equal(trusted("ca.pem", "JKS", "trustpass", &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "ca.pem", "type JKS was given but this is a PEM file");
    assert_int_equal(trusted("ca.pem", "BKS", NULL, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "ca.pem", "store type 'BKS' is not supported");
    assert_int_equal(trusted("missing.jks", NULL, NULL, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "missing.jks", "cannot open");
    assert_int_equal(trusted("client.key", "PEM", NULL, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "client.key", "no CERTIFICATE block found");
}

/* Java's .properties forms of a PEM value: line breaks as spaces, or lines joined. */
static char *one_line(const char *pem, bool spaces)
{
    char *out = malloc(strlen(pem) + 1);
    assert_non_null(out);
    size_t used = 0;
    for (const char *p = pem; *p; p++) {
        if (*p == '\n') {
            /* A continuation keeps the space written before the backslash, here only after
             * the BEGIN line, as Kafka's documentation shows it. */
            if (spaces || (p > pem && p[-1] == '-' && strstr(p, "-----END") &&
                           !strstr(p, "-----BEGIN") && strncmp(p + 1, "-----END", 8) != 0))
                out[used++] = ' ';
            continue;
        }
        out[used++] = *p;
    }
    out[used] = '\0';
    return out;
}

static void test_inline_pem(void **state)
{
    (void)state;
    char err[512];
    char *ca = keystore_fixture_text("ca.pem");
    char *other = keystore_fixture_text("other.pem");
    char *both = malloc(strlen(ca) + strlen(other) + 1);
    assert_non_null(both);
    strcpy(both, ca);
    strcat(both, other);
    for (int form = 0; form < 2; form++) {
        char *text = one_line(both, form == 0);
        assert_null(strchr(text, '\n'));
        java_keystore_source source = {.text = text, .type = "PEM"};
        char *pem = NULL;
        assert_int_equal(java_keystore_read_trusted(&source, &pem, err, sizeof(err)),
                         JAVA_KEYSTORE_OK);
        assert_string_equal(pem, both);
        free(pem);
        free(text);
    }
    java_keystore_source binary_inline = {.text = ca, .type = "JKS"};
    char *pem = NULL;
    assert_int_equal(java_keystore_read_trusted(&binary_inline, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "inline PEM", "PEM only");
    java_keystore_source broken = {.text = "-----BEGIN CERTIFICATE----- MII%% -----END "
                                           "CERTIFICATE-----",
                                   .type = "PEM"};
    assert_int_equal(java_keystore_read_trusted(&broken, &pem, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "inline PEM", "malformed");
    free(both);
    free(ca);
    free(other);
}

static java_keystore_status keystore(const char *name, const char *type, const char *password,
                                     const char *key_password, java_keystore_key *key,
                                     char *err, size_t errlen)
{
    java_keystore_source source = {.location = keystore_fixture(name), .type = type,
                                   .store_password = password, .key_password = key_password};
    return java_keystore_read_key(&source, key, err, errlen);
}

static void test_keystores(void **state)
{
    (void)state;
    char err[512];
    char *client_key = keystore_fixture_text("client.key");
    char *chain = keystore_fixture_text("client.pem");
    static const struct {
        const char *name, *type, *password, *key_password;
    } cases[] = {
        {"client.jks", NULL, "storepass", "keypass1"},
        {"client.jks", "JKS", NULL, "keypass1"}, /* unchecked store, the key still needs its */
        {"client.p12", "PKCS12", "storepass", "keypass1"},
        {"client-same.p12", "PKCS12", "samepass", NULL},
        {"client-same.p12", "JKS", "samepass", "samepass"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        java_keystore_key key;
        err[0] = '\0';
        assert_int_equal(keystore(cases[i].name, cases[i].type, cases[i].password,
                                  cases[i].key_password, &key, err, sizeof(err)),
                         JAVA_KEYSTORE_OK);
        assert_string_equal(key.key, client_key);
        assert_string_equal(key.certificates, chain);
        assert_string_equal(key.alias, "client");
        assert_int_equal(key.key_entries, 1);
        java_keystore_key_clear(&key);
        assert_null(key.key);
    }
    free(client_key);
    free(chain);
}

static void test_two_key_entries(void **state)
{
    (void)state;
    char err[512];
    java_keystore_key key;
    /* The first entry in the file is taken, whichever it is; both key passwords are tried
     * through the store password for "second" and keypass1 for "client". */
    java_keystore_status status = keystore("two-keys.jks", "JKS", "storepass", "keypass1", &key,
                                           err, sizeof(err));
    if (status == JAVA_KEYSTORE_OK) {
        assert_string_equal(key.alias, "client");
    } else {
        assert_int_equal(status, JAVA_KEYSTORE_KEY_PASSWORD);
        assert_message(err, "two-keys.jks", "'second'");
        status = keystore("two-keys.jks", "JKS", "storepass", NULL, &key, err, sizeof(err));
        assert_int_equal(status, JAVA_KEYSTORE_OK);
        assert_string_equal(key.alias, "second");
    }
    assert_int_equal(key.key_entries, 2);
    java_keystore_key_clear(&key);
}

static void test_keystore_refusals(void **state)
{
    (void)state;
    char err[512];
    java_keystore_key key;
    assert_int_equal(keystore("client.jks", "JKS", "wrongpass", "keypass1", &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_STORE_PASSWORD);
    assert_message(err, "client.jks", "keystore password incorrect");
    assert_null(key.key);
    assert_int_equal(keystore("client.jks", "JKS", "storepass", "wrongpass", &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_KEY_PASSWORD);
    assert_message(err, "client.jks", "key password incorrect");
    /* Without a key password the store password is tried, as in Java. */
    assert_int_equal(keystore("client.jks", "JKS", "storepass", NULL, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_KEY_PASSWORD);
    assert_int_equal(keystore("client.jks", "JKS", NULL, NULL, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_NO_PASSWORD);
    assert_int_equal(keystore("client.p12", "PKCS12", "wrongpass", "keypass1", &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_STORE_PASSWORD);
    assert_message(err, "client.p12", "keystore password incorrect");
    assert_int_equal(keystore("client.p12", "PKCS12", "storepass", "wrongpass", &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_KEY_PASSWORD);
    assert_message(err, "client.p12", "key password incorrect");
    assert_int_equal(keystore("truststore.jks", "JKS", "trustpass", NULL, &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "truststore.jks", "no private key entry");
    assert_int_equal(keystore("truststore-nopass.p12", "PKCS12", NULL, NULL, &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "truststore-nopass.p12", "no private key entry");
    assert_int_equal(keystore("corrupt.jks", "JKS", "storepass", "keypass1", &key, err,
                              sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "corrupt.jks", "not a valid JKS store");
}

static void test_pem_keystores(void **state)
{
    (void)state;
    char err[512];
    char *client_key = keystore_fixture_text("client.key");
    char *encrypted = keystore_fixture_text("client-enc.key");
    char *chain = keystore_fixture_text("client.pem");
    char *both = malloc(strlen(encrypted) + strlen(chain) + 1);
    assert_non_null(both);
    strcpy(both, encrypted);
    strcat(both, chain);
    char *joined = one_line(both, true);

    java_keystore_key key;
    java_keystore_source source = {.text = joined, .type = "PEM", .key_password = "keypass1"};
    assert_int_equal(java_keystore_read_key(&source, &key, err, sizeof(err)), JAVA_KEYSTORE_OK);
    assert_string_equal(key.key, client_key);
    assert_string_equal(key.certificates, chain);
    assert_null(key.alias);
    java_keystore_key_clear(&key);

    source.key_password = "wrongpass";
    assert_int_equal(java_keystore_read_key(&source, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_KEY_PASSWORD);
    assert_message(err, "inline PEM", "key password incorrect");
    source.key_password = NULL;
    assert_int_equal(java_keystore_read_key(&source, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_NO_PASSWORD);

    java_keystore_source plain = {.location = keystore_fixture("client.key"), .type = "PEM"};
    assert_int_equal(java_keystore_read_key(&plain, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "client.key", "no CERTIFICATE block found");
    java_keystore_source no_key = {.location = keystore_fixture("client.pem"), .type = "PEM"};
    assert_int_equal(java_keystore_read_key(&no_key, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "client.pem", "no PRIVATE KEY block found");
    java_keystore_source mismatched = {.text = both, .type = "PEM", .key_password = "keypass1"};
    char *swapped = malloc(strlen(both) + 1);
    assert_non_null(swapped);
    /* The CA's certificate first: not the key's. */
    char *ca = keystore_fixture_text("ca.pem");
    strcpy(swapped, encrypted);
    strcat(swapped, ca);
    mismatched.text = swapped;
    assert_int_equal(java_keystore_read_key(&mismatched, &key, err, sizeof(err)),
                     JAVA_KEYSTORE_INVALID);
    assert_message(err, "inline PEM", "does not match its certificate");

    free(ca);
    free(swapped);
    free(joined);
    free(both);
    free(client_key);
    free(encrypted);
    free(chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truststores),
        cmocka_unit_test(test_truststore_refusals),
        cmocka_unit_test(test_inline_pem),
        cmocka_unit_test(test_keystores),
        cmocka_unit_test(test_two_key_entries),
        cmocka_unit_test(test_keystore_refusals),
        cmocka_unit_test(test_pem_keystores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
