/* A Kafka Connect user's Java stores on the real secured broker of tests/services/: a ferry
 * standalone worker runs FileSource -> Kafka -> FileSink over SASL_SSL (SCRAM-SHA-512) with a
 * JKS, a PKCS12 and a PEM truststore, and over mTLS (client certificate required) with a JKS
 * and a PKCS12 keystore, the security settings written as Kafka Connect's worker file has them
 * (top level for the worker's own clients, producer. / consumer. / admin. for the tasks'; in
 * one run the sink's consumer gets its truststore from consumer.override.* instead).
 *
 * Each run moves 10,000 lines and the sink's file must equal the source's, line for line. No
 * password (SCRAM, truststore, keystore) may appear in the worker's log nor in the REST
 * answers about its connectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "service_env.h"
#include "test_rest_client.h"

#define LINES 10000
#define DELIVERY_WAIT_MS 40000

typedef enum secured_listener {
    LISTENER_SASL_SSL,
    LISTENER_MTLS,
} secured_listener;

typedef struct secured_run {
    const char *name;
    secured_listener listener;
    const char *truststore; /* file in FERRY_TEST_TLS_DIR */
    const char *truststore_type;
    const char *keystore; /* mTLS only */
    const char *keystore_type;
    bool sink_override; /* the sink's consumer gets its truststore from consumer.override.* */
} secured_run;

/* The passwords of this run, which nothing may show. */
typedef struct secrets {
    char *scram;
    char *truststore;
    char *keystore;
} secrets;

static void secrets_load(secrets *s)
{
    char *line = service_env_tls_read_line("users");
    const char *colon = strchr(line, ':');
    assert_non_null(colon);
    s->scram = strdup(colon + 1);
    free(line);
    s->truststore = service_env_tls_read_line("truststore.password");
    s->keystore = service_env_tls_read_line("keystore.password");
}

static void secrets_free(secrets *s)
{
    free(s->scram);
    free(s->truststore);
    free(s->keystore);
}

static void assert_no_secret(const secrets *s, const char *what, const char *text)
{
    const char *const all[] = {s->scram, s->truststore, s->keystore};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (strstr(text, all[i]))
            fail_msg("%s shows a password:\n%s", what, text);
}

/* The security settings of run under prefix ("" for the worker's own clients). */
static void security_lines(char *out, size_t outlen, const char *prefix, const secured_run *run,
                           const secrets *s, bool truststore)
{
    char path[4096];
    size_t used = 0;
#define ADD(...) used += (size_t)snprintf(out + used, outlen - used, __VA_ARGS__)
    if (run->listener == LISTENER_SASL_SSL) {
        ADD("%ssecurity.protocol=SASL_SSL\n%ssasl.mechanism=SCRAM-SHA-512\n", prefix, prefix);
        ADD("%ssasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
            "required username=\"ferry\" password=\"%s\";\n", prefix, s->scram);
    } else {
        ADD("%ssecurity.protocol=SSL\n", prefix);
        ADD("%sssl.keystore.location=%s\n", prefix,
            service_env_tls_path(path, sizeof(path), run->keystore));
        ADD("%sssl.keystore.type=%s\n%sssl.keystore.password=%s\n%sssl.key.password=%s\n",
            prefix, run->keystore_type, prefix, s->keystore, prefix, s->keystore);
    }
    if (truststore) {
        ADD("%sssl.truststore.location=%s\n", prefix,
            service_env_tls_path(path, sizeof(path), run->truststore));
        if (run->truststore_type)
            ADD("%sssl.truststore.type=%s\n", prefix, run->truststore_type);
        if (!run->truststore_type || strcmp(run->truststore_type, "PEM") != 0)
            ADD("%sssl.truststore.password=%s\n", prefix, s->truststore);
    }
#undef ADD
    assert_true(used < outlen);
}

/* Grants (or removes) what the run's principal needs: everything on its topics, reading its
 * sink's group. */
static void run_acls(bool grant, const char *principal, const char *const *topics, size_t count,
                     const char *group)
{
    void (*change)(const char *, rd_kafka_ResourceType_t, const char *,
                   rd_kafka_ResourcePatternType_t, rd_kafka_AclOperation_t) =
        grant ? kt_acl_grant : kt_acl_delete;
    for (size_t i = 0; i < count; i++)
        change(principal, RD_KAFKA_RESOURCE_TOPIC, topics[i], RD_KAFKA_RESOURCE_PATTERN_LITERAL,
               RD_KAFKA_ACL_OPERATION_ALL);
    change(principal, RD_KAFKA_RESOURCE_GROUP, group, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
           RD_KAFKA_ACL_OPERATION_ALL);
}

/* The REST answers about the worker's connectors: none may show a password. */
static void check_rest(const secrets *s, int port, const char *source, const char *sink)
{
    char base[64], path[256];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    rc_client *client = rc_new(base);
    const char *const paths[] = {"/", "/connectors?expand=status&expand=info", NULL};
    for (size_t i = 0; paths[i]; i++) {
        rc_response response;
        assert_int_equal(rc_call(client, "GET", paths[i], NULL, &response), 200);
        assert_no_secret(s, paths[i], response.body);
        rc_response_clear(&response);
    }
    const char *const names[] = {source, sink};
    const char *const suffixes[] = {"", "/config", "/status", "/tasks"};
    for (size_t n = 0; n < 2; n++) {
        for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
            rc_response response;
            snprintf(path, sizeof(path), "/connectors/%s%s", names[n], suffixes[i]);
            assert_int_equal(rc_call(client, "GET", path, NULL, &response), 200);
            assert_no_secret(s, path, response.body);
            rc_response_clear(&response);
        }
    }
    rc_free(client);
}

static void run_pipeline(const secured_run *run)
{
    secrets s;
    secrets_load(&s);
    fp_env *env = fp_env_new(run->name);
    const char *topic = fp_name(env, "secured_lines");
    const char *source_name = fp_name(env, "ssrc");
    const char *sink_name = fp_name(env, "ssink");
    char group[256];
    snprintf(group, sizeof(group), "connect-%s", sink_name);
    kt_create_topic(topic, 1, NULL); /* one partition: the lines keep their order */
    const char *const topics[] = {topic, fp_offsets_topic(env), fp_configs_topic(env),
                                  fp_status_topic(env)};
    const char *principal = run->listener == LISTENER_SASL_SSL ? "User:ferry"
                                                               : "User:ferry-client";
    run_acls(true, principal, topics, 4, group);

    /* The input, written before the worker starts. */
    const char *input = fp_path(env, "input.txt");
    FILE *out = fopen(input, "w");
    assert_non_null(out);
    for (int i = 0; i < LINES; i++)
        fprintf(out, "line %05d of %s with some text after it\n", i, run->name);
    fclose(out);
    const char *output = fp_path(env, "output.txt");

    static char extra[32768];
    char block[8192];
    size_t used = (size_t)snprintf(extra, sizeof(extra), "bootstrap.servers=%s\n",
                                   run->listener == LISTENER_SASL_SSL
                                       ? service_env_sasl_bootstrap()
                                       : service_env_mtls_bootstrap());
    const char *const prefixes[] = {"", "producer.", "consumer.", "admin."};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        bool truststore = !(run->sink_override && strcmp(prefixes[i], "consumer.") == 0);
        security_lines(block, sizeof(block), prefixes[i], run, &s, truststore);
        used += (size_t)snprintf(extra + used, sizeof(extra) - used, "%s", block);
    }
    assert_true(used < sizeof(extra));
    const char *worker_file = fp_worker_file(env, "worker.properties", 1000, extra);
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n",
                                  source_name, input, topic);
    char sink_override[2048] = "";
    if (run->sink_override) {
        char path[4096];
        snprintf(sink_override, sizeof(sink_override),
                 "consumer.override.ssl.truststore.location=%s\n"
                 "consumer.override.ssl.truststore.type=%s\n"
                 "consumer.override.ssl.truststore.password=%s\n",
                 service_env_tls_path(path, sizeof(path), run->truststore),
                 run->truststore_type, s.truststore);
    }
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=FileSink\ntopics=%s\nfile=%s\n%s",
                                sink_name, topic, output, sink_override);

    fp_proc *proc = fp_start(env, worker_file, source, sink, NULL);
    int64_t deadline = fp_now_ms() + DELIVERY_WAIT_MS;
    while (fp_count_lines(output) < LINES && fp_now_ms() < deadline && fp_alive(proc))
        fp_sleep_ms(100);
    if (fp_count_lines(output) < LINES) {
        fp_print_log_tail(proc, 40);
        fail_msg("%s: %zu of %d lines arrived", run->name, fp_count_lines(output), LINES);
    }
    check_rest(&s, fp_listener_port(env), source_name, sink_name);
    fp_stop(proc, 60000);

    fp_assert_same_file(run->name, input, output);
    char *log = fp_log(proc);
    assert_no_secret(&s, "the worker's log", log);
    free(log);

    run_acls(false, principal, topics, 4, group);
    kt_delete_topics(topics, 1);
    secrets_free(&s);
    fp_pass(env);
    fp_env_finish(env);
}

static void test_sasl_ssl_jks_truststore(void **state)
{
    (void)state;
    /* No type: Java's default, JKS. */
    const secured_run run = {"secured_sasl_jks", LISTENER_SASL_SSL, "truststore.jks", NULL,
                             NULL, NULL, false};
    run_pipeline(&run);
}

static void test_sasl_ssl_pkcs12_truststore(void **state)
{
    (void)state;
    const secured_run run = {"secured_sasl_p12", LISTENER_SASL_SSL, "truststore.p12", "PKCS12",
                             NULL, NULL, true};
    run_pipeline(&run);
}

static void test_sasl_ssl_pem_truststore(void **state)
{
    (void)state;
    const secured_run run = {"secured_sasl_pem", LISTENER_SASL_SSL, "ca.pem", "PEM", NULL, NULL,
                             false};
    run_pipeline(&run);
}

static void test_mtls_jks_keystore(void **state)
{
    (void)state;
    const secured_run run = {"secured_mtls_jks", LISTENER_MTLS, "truststore.jks", "JKS",
                             "client.jks", "JKS", false};
    run_pipeline(&run);
}

static void test_mtls_pkcs12_keystore(void **state)
{
    (void)state;
    const secured_run run = {"secured_mtls_p12", LISTENER_MTLS, "truststore.p12", "PKCS12",
                             "client.p12", "PKCS12", false};
    run_pipeline(&run);
}

int main(void)
{
    fp_init();
    (void)service_env_sasl_bootstrap(); /* skip, or fail, when the secured broker is missing */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sasl_ssl_jks_truststore, fp_env_teardown),
        cmocka_unit_test_teardown(test_sasl_ssl_pkcs12_truststore, fp_env_teardown),
        cmocka_unit_test_teardown(test_sasl_ssl_pem_truststore, fp_env_teardown),
        cmocka_unit_test_teardown(test_mtls_jks_keystore, fp_env_teardown),
        cmocka_unit_test_teardown(test_mtls_pkcs12_keystore, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
