/*
 * test_rest_security.c - the REST API with HTTPS (a certificate made here with GnuTLS) and
 * authentication (Basic users and a bearer token, read through the file config provider),
 * against the real binary and the real broker:
 *   - missing, wrong-user, wrong-password, wrong-token and malformed credentials all get the
 *     same 401, and never reach a handler; right ones get through; a public path needs none;
 *   - plain HTTP on the HTTPS port gets nothing; bodies over rest.request.max.bytes get 413;
 *     cross-origin requests and foreign Host names on a loopback listener get 403;
 *   - secrets (declared sensitive by a plugin, or named like one) never appear in any answer
 *     nor in the worker's log, at debug level, nor do the credentials;
 *   - the listener's certificate and key from a JKS keystore (key password apart) and from a
 *     PKCS12 keystore, made with openssl and the JDK's keytool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define ADMIN_PASSWORD "Adm1n-Pa55-7q"
#define READER_PASSWORD "R3ad-Pa55-2w"
#define TOKEN "tok-9f8e7d6c5b4a3928"
#define PLUGIN_SECRET "Sup3r-Secret-Value-1"
#define NAMED_SECRET "Db-Secret-Value-2"
#define TOKEN_SECRET "Api-Secret-Value-3"

static void write_datum(const char *path, const gnutls_datum_t *datum)
{
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_int_equal(fwrite(datum->data, 1, datum->size, out), datum->size);
    fclose(out);
    chmod(path, 0600);
}

/* A self-signed certificate for localhost and 127.0.0.1, and its key, as PEM files. */
static void certificate_make(const char *cert_path, const char *key_path)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    assert_int_equal(gnutls_x509_privkey_init(&key), 0);
    assert_int_equal(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                                  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
                                                  0), 0);
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    gnutls_x509_crt_set_version(crt, 3);
    unsigned char serial[8];
    gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
    serial[0] &= 0x7f;
    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    time_t now = time(NULL);
    gnutls_x509_crt_set_activation_time(crt, now - 3600);
    gnutls_x509_crt_set_expiration_time(crt, now + 86400);
    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                         GNUTLS_FSAN_SET);
    const unsigned char loopback[4] = {127, 0, 0, 1};
    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback, 4,
                                         GNUTLS_FSAN_APPEND);
    gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
    assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
    gnutls_datum_t pem;
    assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), 0);
    write_datum(cert_path, &pem);
    gnutls_free(pem.data);
    assert_int_equal(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem), 0);
    write_datum(key_path, &pem);
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

static const char *const secrets[] = {PLUGIN_SECRET, NAMED_SECRET, TOKEN_SECRET, ADMIN_PASSWORD,
                                      READER_PASSWORD, TOKEN, NULL};

/* Fails when any secret appears in text. */
static void assert_no_secret(const char *what, const char *text)
{
    for (const char *const *secret = secrets; *secret; secret++)
        if (strstr(text, *secret))
            fail_msg("%s shows the secret %s:\n%s", what, *secret, text);
}

/* A request whose answer must carry no secret; returns the status. */
static long clean_call(rc_client *client, const char *method, const char *path,
                       const char *body)
{
    rc_response response;
    long status = rc_call(client, method, path, body, &response);
    char what[600];
    snprintf(what, sizeof(what), "%s %s", method, path);
    assert_no_secret(what, response.body);
    assert_no_secret(what, response.headers);
    rc_response_clear(&response);
    return status;
}

/* The one 401 every failure gets. */
static void expect_refused(rc_client *client, const char *path, const char *expected_body)
{
    rc_response response;
    assert_int_equal(rc_call(client, "GET", path, NULL, &response), 401);
    assert_string_equal(response.body, expected_body);
    char *challenge = rc_header(&response, "WWW-Authenticate");
    assert_non_null(challenge);
    assert_string_equal(challenge, "Basic realm=\"ferry\"");
    free(challenge);
    rc_response_clear(&response);
}

static void check_authentication(rc_client *client)
{
    /* Public: /health. */
    rc_set_basic(client, NULL, NULL);
    json_decref(rc_expect(client, "GET", "/health", NULL, 200));

    rc_response response;
    assert_int_equal(rc_call(client, "GET", "/connectors", NULL, &response), 401);
    char *refusal = strdup(response.body);
    rc_response_clear(&response);
    char why[256];
    json_t *parsed = json_loads(refusal, 0, NULL);
    assert_true(rc_shape_error(parsed, 401, why, sizeof(why)));
    json_decref(parsed);

    expect_refused(client, "/metrics", refusal);
    expect_refused(client, "/connectors/anything/status", refusal);
    rc_set_basic(client, "admin", "wrong-password");
    expect_refused(client, "/connectors", refusal);
    rc_set_basic(client, "intruder", ADMIN_PASSWORD);
    expect_refused(client, "/connectors", refusal);
    rc_set_basic(client, "admin", READER_PASSWORD);
    expect_refused(client, "/connectors", refusal);
    rc_set_basic(client, "admin", ADMIN_PASSWORD "x");
    expect_refused(client, "/connectors", refusal);
    rc_set_bearer(client, "not-the-token");
    expect_refused(client, "/connectors", refusal);
    rc_set_bearer(client, "admin:" ADMIN_PASSWORD);
    expect_refused(client, "/connectors", refusal);
    rc_set_basic(client, NULL, NULL);
    rc_set_header(client, "Authorization: Basic %%%not-base64");
    expect_refused(client, "/connectors", refusal);
    rc_set_header(client, "Authorization: Negotiate abc");
    expect_refused(client, "/connectors", refusal);
    rc_set_header(client, NULL);
    /* A refused request never reaches a handler: nothing is created. */
    rc_set_basic(client, "admin", "wrong");
    assert_int_equal(rc_call(client, "POST", "/connectors",
                             "{\"name\":\"sneaky\",\"config\":{\"connector.class\":"
                             "\"SequenceSource\",\"topic\":\"t\"}}", &response), 401);
    rc_response_clear(&response);

    rc_set_basic(client, "reader", READER_PASSWORD);
    json_t *names = rc_expect(client, "GET", "/connectors", NULL, 200);
    assert_int_equal(json_array_size(names), 0);
    json_decref(names);
    rc_set_bearer(client, TOKEN);
    json_decref(rc_expect(client, "GET", "/connectors", NULL, 200));
    rc_set_basic(client, "admin", ADMIN_PASSWORD);
    json_decref(rc_expect(client, "GET", "/", NULL, 200));
    free(refusal);
}

static void check_limits_and_origins(rc_client *client, const char *https_base,
                                     const char *http_base)
{
    /* 100 KB of JSON against a 64 KB limit. */
    size_t size = 100 * 1024;
    char *big = malloc(size + 64);
    assert_non_null(big);
    int n = snprintf(big, size + 64, "{\"name\":\"big\",\"config\":{\"pad\":\"");
    memset(big + n, 'x', size);
    strcpy(big + n + size, "\"}}");
    rc_response response;
    /* The client is still sending when the server has decided: the server reads the body to its
     * end before it answers, so the client reads the 413, never a reset connection. Twenty
     * times, because a reset is a race the client loses only now and then. */
    for (int attempt = 0; attempt < 20; attempt++) {
        assert_int_equal(rc_call(client, "POST", "/connectors", big, &response), 413);
        assert_non_null(strstr(response.body, "rest.request.max.bytes"));
        rc_response_clear(&response);
    }
    free(big);

    rc_set_header(client, "Origin: https://evil.example");
    rc_expect_error(client, "GET", "/connectors", NULL, 403, "Cross-origin");
    rc_set_header(client, "Host: evil.example");
    rc_expect_error(client, "GET", "/connectors", NULL, 403, "Host");
    char origin[128];
    snprintf(origin, sizeof(origin), "Origin: %s", https_base);
    rc_set_header(client, origin); /* same origin */
    json_decref(rc_expect(client, "GET", "/connectors", NULL, 200));
    rc_set_header(client, NULL);

    /* Plain HTTP on the HTTPS port gets no answer. */
    rc_client *plain = rc_new(http_base);
    rc_set_basic(plain, "admin", ADMIN_PASSWORD);
    assert_true(rc_call(plain, "GET", "/connectors", NULL, &response) != 200);
    rc_response_clear(&response);
    rc_free(plain);
}

static void check_secrets(rc_client *client, const char *topic)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"name\":\"declared\",\"config\":{\"connector.class\":\"TestSource\","
             "\"topic\":\"%s\",\"password\":\"" PLUGIN_SECRET "\"}}", topic);
    assert_int_equal(clean_call(client, "POST", "/connectors", body), 201);
    snprintf(body, sizeof(body),
             "{\"name\":\"named\",\"config\":{\"connector.class\":\"SequenceSource\","
             "\"topic\":\"%s\",\"count\":\"0\",\"database.password\":\"" NAMED_SECRET "\","
             "\"api.token\":\"" TOKEN_SECRET "\"}}", topic);
    assert_int_equal(clean_call(client, "POST", "/connectors", body), 201);
    /* Refused configs: the message lists the problems, not the secrets. */
    assert_int_equal(clean_call(client, "POST", "/connectors",
                                "{\"name\":\"refused\",\"config\":{\"connector.class\":"
                                "\"TestSource\",\"password\":\"" PLUGIN_SECRET "\","
                                "\"batch.size\":\"lots\"}}"), 400);
    assert_int_equal(clean_call(client, "PUT", "/connectors/named/config",
                                "{\"connector.class\":\"SequenceSource\",\"topic\":\"t\","
                                "\"tasks.max\":\"0\",\"database.password\":\"" NAMED_SECRET "\","
                                "\"api.token\":\"" TOKEN_SECRET "\"}"), 400);

    static const char *const reads[] = {
        "/connectors/declared", "/connectors/declared/config", "/connectors/declared/tasks",
        "/connectors/declared/status", "/connectors/named", "/connectors/named/config",
        "/connectors/named/tasks", "/connectors/named/tasks-config", "/connectors/named/status",
        "/connectors?expand=info&expand=status", "/connectors/named/offsets", "/metrics",
    };
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
        assert_int_equal(clean_call(client, "GET", reads[i], NULL), 200);

    json_t *config = rc_expect(client, "GET", "/connectors/named/config", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(config, "database.password")),
                        "[hidden]");
    assert_string_equal(json_string_value(json_object_get(config, "api.token")), "[hidden]");
    json_decref(config);
    config = rc_expect(client, "GET", "/connectors/declared/config", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(config, "password")), "[hidden]");
    json_decref(config);

    assert_int_equal(clean_call(client, "PUT", "/connector-plugins/TestSource/config/validate",
                                "{\"connector.class\":\"TestSource\",\"password\":\""
                                PLUGIN_SECRET "\",\"level\":\"medium\"}"), 200);
    assert_int_equal(clean_call(client, "PATCH", "/connectors/named/config",
                                "{\"interval.ms\":\"100\"}"), 200);
    assert_int_equal(clean_call(client, "DELETE", "/connectors/declared", NULL), 204);
}

static void test_tls_authentication_and_secrets(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_security");
    const char *cert = fp_path(env, "cert.pem");
    const char *key = fp_path(env, "key.pem");
    certificate_make(cert, key);
    const char *secrets_file = fp_write(env, "secrets.properties",
                                        "rest.users=admin:" ADMIN_PASSWORD
                                        ", reader:" READER_PASSWORD "\nrest.tokens=" TOKEN "\n");
    chmod(secrets_file, 0600);
    /* The loader's good test plugin declares a sensitive key ("password"). */
    const char *plugins = fp_path(env, "plugins");
    assert_int_equal(mkdir(plugins, 0700), 0);
    char link[1024];
    snprintf(link, sizeof(link), "%s/good.so", plugins);
    assert_int_equal(symlink(FERRY_TEST_PLUGIN_PATH "/../loader/good.so", link), 0);
    const char *topic = fp_name(env, "records");
    kt_create_topic(topic, 1, NULL);

    char extra[4096];
    int port = fp_listener_port(env);
    snprintf(extra, sizeof(extra),
             "listeners=https://127.0.0.1:%d\n"
             "listeners.https.ssl.certificate.location=%s\n"
             "listeners.https.ssl.key.location=%s\n"
             "rest.auth.basic.users=${file:%s:rest.users}\n"
             "rest.auth.bearer.tokens=${file:%s:rest.tokens}\n"
             "rest.auth.public.paths=/health\n"
             "rest.request.max.bytes=65536\n"
             "plugin.path=%s,%s\n",
             port, cert, key, secrets_file, secrets_file, FERRY_TEST_PLUGIN_PATH, plugins);
    const char *worker_file = fp_worker_file(env, "worker.properties", 1000, extra);
    setenv("FERRY_LOG_LEVEL", "debug", 1);
    fp_proc *proc = fp_start(env, worker_file, NULL);
    unsetenv("FERRY_LOG_LEVEL");
    assert_true(fp_wait_log(proc, "(authentication: basic, bearer)", 60000));

    char https_base[64], http_base[64];
    snprintf(https_base, sizeof(https_base), "https://127.0.0.1:%d", port);
    snprintf(http_base, sizeof(http_base), "http://127.0.0.1:%d", port);
    rc_client *client = rc_new(https_base);
    rc_set_ca(client, cert);
    assert_true(rc_wait_healthy(client, 60000));
    /* Without the certificate as trust anchor, the client refuses the server. */
    rc_client *untrusting = rc_new(https_base);
    rc_response response;
    assert_int_equal(rc_call(untrusting, "GET", "/health", NULL, &response), 0);
    rc_response_clear(&response);
    rc_free(untrusting);

    check_authentication(client);
    check_limits_and_origins(client, https_base, http_base);
    check_secrets(client, topic);

    rc_free(client);
    fp_stop(proc, 60000);
    char *log = fp_log(proc);
    assert_no_secret("the worker's log", log);
    /* Refusals are logged (at most one line a second), with the peer but no credential. */
    assert_non_null(strstr(log, "from 127.0.0.1 for GET /connectors refused"));
    free(log);
    fp_pass(env);
    fp_env_finish(env);
}

#define STORE_PASSWORD "store-Pw-7731"
#define KEY_PASSWORD "key-Pw-4410"

/* The https listener on the same certificate in a JKS keystore (key password apart from the
 * store's) and in a PKCS12 keystore, made by openssl and the JDK's keytool as users make
 * theirs; neither password in the log. */
static void test_java_keystores(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_security_keystores");
    const char *cert = fp_path(env, "cert.pem");
    const char *key = fp_path(env, "key.pem");
    const char *p12 = fp_path(env, "listener.p12");
    const char *jks = fp_path(env, "listener.jks");
    certificate_make(cert, key);
    char command[4096];
    snprintf(command, sizeof(command),
             "openssl pkcs12 -export -in '%s' -inkey '%s' -name listener -passout pass:"
             STORE_PASSWORD " -out '%s' && keytool -importkeystore -noprompt -srckeystore '%s' "
             "-srcstoretype PKCS12 -srcstorepass " STORE_PASSWORD " -destkeystore '%s' "
             "-deststoretype JKS -deststorepass " STORE_PASSWORD " -destkeypass " KEY_PASSWORD
             " >/dev/null 2>&1",
             cert, key, p12, p12, jks);
    assert_int_equal(system(command), 0);
    static const struct {
        const char *type;
        bool key_password;
    } stores[] = {{"JKS", true}, {"PKCS12", false}};
    for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        char extra[2048], file[64];
        int port = fp_listener_port(env);
        snprintf(extra, sizeof(extra),
                 "listeners=https://127.0.0.1:%d\n"
                 "listeners.https.ssl.keystore.type=%s\n"
                 "listeners.https.ssl.keystore.location=%s\n"
                 "listeners.https.ssl.keystore.password=" STORE_PASSWORD "\n%s",
                 port, stores[i].type, i == 0 ? jks : p12,
                 stores[i].key_password ? "listeners.https.ssl.key.password=" KEY_PASSWORD "\n"
                                        : "");
        snprintf(file, sizeof(file), "worker-%s.properties", stores[i].type);
        fp_proc *proc = fp_start(env, fp_worker_file(env, file, -1, extra), NULL);
        char base[64];
        snprintf(base, sizeof(base), "https://127.0.0.1:%d", port);
        rc_client *client = rc_new(base);
        rc_set_ca(client, cert);
        if (!rc_wait_healthy(client, 60000))
            fail_msg("the listener on a %s keystore does not answer", stores[i].type);
        rc_free(client);
        fp_stop(proc, 60000);
        char *log = fp_log(proc);
        if (strstr(log, STORE_PASSWORD) || strstr(log, KEY_PASSWORD))
            fail_msg("the worker's log shows a keystore password:\n%s", log);
        free(log);
    }
    fp_pass(env);
    fp_env_finish(env);
}

/* A worker whose security settings are wrong does not start. */
static void test_refused_settings(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_security_refused");
    static const struct {
        bool https; /* on an https listener */
        const char *extra;
        const char *expected;
    } cases[] = {
        {true, "", "needs a certificate and a key"},
        {false, "rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension."
                "BasicAuthSecurityRestExtension\n", "rest.extension.classes is not supported"},
        {false, "rest.auth.basic.users=admin\n", "not of the form user:password"},
        {true, "listeners.https.ssl.keystore.type=JKS\n"
               "listeners.https.ssl.keystore.location=/etc/x.jks\n",
         "listeners.https.ssl.keystore.location: /etc/x.jks: cannot open"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char extra[1024], file[64];
        if (cases[i].https)
            snprintf(extra, sizeof(extra), "listeners=https://127.0.0.1:%d\n%s",
                     fp_listener_port(env), cases[i].extra);
        else
            snprintf(extra, sizeof(extra), "%s", cases[i].extra);
        snprintf(file, sizeof(file), "worker-%zu.properties", i);
        fp_proc *proc = fp_start(env, fp_worker_file(env, file, -1, extra), NULL);
        int code = 0;
        assert_true(fp_wait_exit(proc, 60000, &code));
        assert_int_equal(code, 1);
        if (!fp_log_contains(proc, cases[i].expected))
            fail_msg("case %zu: the log does not say '%s'", i, cases[i].expected);
    }
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    gnutls_global_init();
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_authentication_and_secrets),
        cmocka_unit_test(test_java_keystores),
        cmocka_unit_test(test_refused_settings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    gnutls_global_deinit();
    curl_global_cleanup();
    return rc;
}
