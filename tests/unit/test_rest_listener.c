/*
 * test_rest_listener.c - listeners parsed as Kafka Connect writes them (the default on
 * loopback), and the HTTPS settings: PEM accepted in each of its spellings, Java keystores and
 * client certificates refused with a message, protocols mapped to GnuTLS priorities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rest/rest_listener.h"
#include "keystore_fixture.h"

static void test_listeners(void **state)
{
    (void)state;
    rest_endpoint *endpoints = NULL;
    size_t count = 0;
    char err[256];
    /* The worker's default. */
    assert_int_equal(rest_endpoints_parse("http://127.0.0.1:8083", &endpoints, &count, err,
                                          sizeof(err)), 0);
    assert_int_equal(count, 1);
    assert_false(endpoints[0].https);
    assert_true(endpoints[0].loopback);
    assert_int_equal(endpoints[0].port, 8083);
    rest_endpoints_free(endpoints, count);

    assert_int_equal(rest_endpoints_parse("HTTPS://localhost:8443/, http://[::1]:0, http://:9",
                                          &endpoints, &count, err, sizeof(err)), 0);
    assert_int_equal(count, 3);
    assert_true(endpoints[0].https);
    assert_true(endpoints[0].loopback);
    assert_string_equal(endpoints[1].host, "::1");
    assert_true(endpoints[1].loopback);
    assert_int_equal(endpoints[1].port, 0);
    assert_string_equal(endpoints[2].host, "");
    assert_false(endpoints[2].loopback);
    rest_endpoints_free(endpoints, count);

    const char *bad[] = {"127.0.0.1:8083", "ftp://h:1", "http://h", "http://h:99999",
                         "http://h:80x", "http://[::1:80", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(rest_endpoints_parse(bad[i], &endpoints, &count, err, sizeof(err)), -1);
        assert_true(err[0] != '\0');
        assert_null(endpoints);
    }
}

static const char *pem_write(const char *name, const char *text)
{
    static char paths[4][256];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof(paths[0]), "/tmp/ferry-test-rest-%d-%s", (int)getpid(), name);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
    return path;
}

#define FAKE_CERT "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
#define FAKE_KEY "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

static int tls_load(const char *const *pairs, rest_tls *tls, char *err, size_t errlen)
{
    config_map *values = config_map_new();
    for (size_t i = 0; pairs[i]; i += 2)
        config_map_set(values, pairs[i], pairs[i + 1]);
    int rc = rest_tls_load(values, tls, err, errlen);
    config_map_destroy(values);
    return rc;
}

/* Java keystores as Kafka Connect's listeners take them: JKS (also when no type is given) and
 * PKCS12, key password apart from the store password; the key handed to GnuTLS decrypted. */
static void test_tls_java_keystores(void **state)
{
    (void)state;
    rest_tls tls;
    char err[512];
    static const struct {
        const char *store, *type, *password, *key_password;
    } stores[] = {
        {"client.jks", NULL, "storepass", "keypass1"},
        {"client.jks", "JKS", "storepass", "keypass1"},
        {"client.p12", "PKCS12", "storepass", "keypass1"},
        {"client-same.p12", "PKCS12", "samepass", NULL},
    };
    for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        const char *pairs[16] = {"listeners.https.ssl.keystore.location",
                                 keystore_fixture(stores[i].store),
                                 "listeners.https.ssl.keystore.password", stores[i].password,
                                 "listeners.https.ssl.truststore.location",
                                 keystore_fixture("truststore.p12"),
                                 "listeners.https.ssl.truststore.type", "PKCS12",
                                 "listeners.https.ssl.truststore.password", "trustpass", NULL};
        size_t n = 10;
        if (stores[i].type) {
            pairs[n++] = "listeners.https.ssl.keystore.type";
            pairs[n++] = stores[i].type;
        }
        if (stores[i].key_password) {
            pairs[n++] = "listeners.https.ssl.key.password";
            pairs[n++] = stores[i].key_password;
        }
        pairs[n] = NULL;
        if (tls_load(pairs, &tls, err, sizeof(err)) != 0)
            fail_msg("%s: %s", stores[i].store, err);
        assert_non_null(strstr(tls.certificate, "-----BEGIN CERTIFICATE-----"));
        assert_non_null(strstr(tls.key, "-----BEGIN PRIVATE KEY-----"));
        assert_null(tls.key_password); /* decrypted already */
        rest_tls_clear(&tls);
    }

    const struct {
        const char *pairs[9];
        const char *expected;
    } refused[] = {
        {{"listeners.https.ssl.keystore.location", keystore_fixture("client.jks"),
          "listeners.https.ssl.keystore.password", "TOPSECRET-WRONG", NULL},
         "listeners.https.ssl.keystore.password: "},
        {{"listeners.https.ssl.keystore.location", keystore_fixture("client.jks"),
          "listeners.https.ssl.keystore.password", "storepass",
          "listeners.https.ssl.key.password", "TOPSECRET-WRONG", NULL},
         "listeners.https.ssl.key.password: "},
        {{"listeners.https.ssl.keystore.location", keystore_fixture("truststore.jks"), NULL},
         "holds no private key entry"},
        {{"listeners.https.ssl.truststore.location", keystore_fixture("truststore.jks"),
          "listeners.https.ssl.truststore.password", "TOPSECRET-WRONG", NULL},
         "listeners.https.ssl.truststore.password: "},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(tls_load(refused[i].pairs, &tls, err, sizeof(err)), -1);
        if (!strstr(err, refused[i].expected))
            fail_msg("case %zu: '%s' does not mention '%s'", i, err, refused[i].expected);
        assert_null(strstr(err, "TOPSECRET"));
        assert_null(tls.certificate);
    }
}

static void test_tls_material(void **state)
{
    (void)state;
    const char *cert = pem_write("cert.pem", FAKE_CERT);
    const char *key = pem_write("key.pem", FAKE_KEY);
    const char *both = pem_write("both.pem", FAKE_KEY FAKE_CERT);
    const char *junk = pem_write("junk.pem", "not a pem\n");
    rest_tls tls;
    char err[512];

    const char *ferry_keys[] = {"listeners.https.ssl.certificate.location", cert,
                                "listeners.https.ssl.key.location", key, NULL};
    assert_int_equal(tls_load(ferry_keys, &tls, err, sizeof(err)), 0);
    assert_string_equal(tls.certificate, FAKE_CERT);
    assert_string_equal(tls.key, FAKE_KEY);
    assert_null(tls.key_password);
    assert_string_equal(tls.priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3");
    rest_tls_clear(&tls);

    const char *keystore[] = {"listeners.https.ssl.keystore.type", "PEM",
                              "listeners.https.ssl.keystore.location", both,
                              "listeners.https.ssl.key.password", "kp",
                              "listeners.https.ssl.enabled.protocols", "TLSv1.3", NULL};
    assert_int_equal(tls_load(keystore, &tls, err, sizeof(err)), 0);
    assert_non_null(strstr(tls.certificate, "CERTIFICATE"));
    assert_string_equal(tls.key_password, "kp");
    assert_string_equal(tls.priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.3");
    rest_tls_clear(&tls);

    const char *inline_pem[] = {"listeners.https.ssl.keystore.key", FAKE_KEY,
                                "listeners.https.ssl.keystore.certificate.chain", FAKE_CERT,
                                NULL};
    assert_int_equal(tls_load(inline_pem, &tls, err, sizeof(err)), 0);
    rest_tls_clear(&tls);

    static const struct {
        const char *pairs[7];
        const char *expected; /* in the message */
    } refused[] = {
        {{NULL}, "listeners.https.ssl.certificate.location"},
        {{"listeners.https.ssl.keystore.type", "BKS", "listeners.https.ssl.keystore.location",
          "/x.bks", NULL}, "expected JKS, PKCS12 or PEM"},
        {{"listeners.https.ssl.keystore.location", "/x.p12", NULL},
         "listeners.https.ssl.keystore.location: /x.p12: cannot open"},
        {{"listeners.https.ssl.client.auth", "required", NULL}, "client certificates"},
        {{"listeners.https.ssl.certificate.location", "/nonexistent/cert.pem",
          "listeners.https.ssl.key.location", "/nonexistent/key.pem", NULL}, "cannot open"},
        {{"listeners.https.ssl.certificate.location", "/dev/null",
          "listeners.https.ssl.key.location", "/dev/null", NULL}, "empty"},
        {{"listeners.https.ssl.enabled.protocols", "TLSv1.1", NULL}, "TLSv1.1"},
        {{"listeners.https.ssl.keystore.key", FAKE_KEY, NULL}, "certificate.chain"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        err[0] = '\0';
        const char *pairs[9] = {NULL};
        size_t n = 0;
        for (; refused[i].pairs[n]; n++)
            pairs[n] = refused[i].pairs[n];
        if (strcmp(refused[i].expected, "TLSv1.1") == 0) {
            pairs[n++] = "listeners.https.ssl.certificate.location";
            pairs[n++] = cert;
            pairs[n++] = "listeners.https.ssl.key.location";
            pairs[n++] = key;
        }
        pairs[n] = NULL;
        assert_int_equal(tls_load(pairs, &tls, err, sizeof(err)), -1);
        if (!strstr(err, refused[i].expected))
            fail_msg("case %zu: '%s' does not mention '%s'", i, err, refused[i].expected);
        assert_null(tls.certificate);
    }
    const char *not_pem[] = {"listeners.https.ssl.certificate.location", junk,
                             "listeners.https.ssl.key.location", key, NULL};
    assert_int_equal(tls_load(not_pem, &tls, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a PEM file"));
    unlink(cert);
    unlink(key);
    unlink(both);
    unlink(junk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listeners),
        cmocka_unit_test(test_tls_material),
        cmocka_unit_test(test_tls_java_keystores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
