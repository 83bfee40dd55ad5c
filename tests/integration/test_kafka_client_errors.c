/*
 * test_kafka_client_errors.c - what a user meets when something is wrong on a secured cluster,
 * through the real binary on the secured broker of tests/services/ (SASL_SSL with SCRAM-SHA-512
 * and ACLs at FERRY_TEST_SASL_BOOTSTRAP, mTLS at FERRY_TEST_MTLS_BOOTSTRAP): each fault surfaces
 * within 10 s, naming the cause and the key the user wrote:
 *   - a wrong worker password, a CA that did not sign the broker, an expired CA, no client
 *     certificate on the mTLS listener: the worker refuses to start;
 *   - internal topics the worker may create but not read or write: the worker stops;
 *   - a wrong password in a connector's producer.override.sasl.jaas.config: its task FAILED with
 *     the authentication cause, and FAILED still after its automatic restart;
 *   - a sink without the Read ACL on its topic: FAILED naming the topic and the ACLs;
 *   - security keys at the worker's top level only: the task FAILED naming the missing
 *     producer. prefix.
 * The worker's log never shows a password nor a raw librdkafka line ("%3|...").
 * ACLs are granted through the plain listener, whose principal is a super user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "service_env.h"
#include "test_rest_client.h"

/* The bound the issue sets for every fault. */
#define FAULT_BOUND_MS 10000
#define WRONG_PASSWORD "Wr0ngPassw0rd-4711"
#define SCRAM "org.apache.kafka.common.security.scram.ScramLoginModule"

static const char *sasl_bootstrap;
static const char *mtls_bootstrap;
static char ferry_password[256];

static const char *tls_file(const char *name)
{
    static char paths[8][512];
    static int next;
    return service_env_tls_path(paths[next++ % 8], sizeof(paths[0]), name);
}

static int setup(void **state)
{
    (void)state;
    fp_init();
    sasl_bootstrap = service_env_sasl_bootstrap();
    mtls_bootstrap = service_env_mtls_bootstrap();
    char *password = kt_scram_password("ferry");
    snprintf(ferry_password, sizeof(ferry_password), "%s", password);
    free(password);
    return 0;
}

/* ---- ACLs ---------------------------------------------------------------------------------- */

/* What user ferry needs for the worker itself: its internal topics and any group. */
static void acl_allow_worker(fp_env *env)
{
    const char *topics[] = {fp_offsets_topic(env), fp_configs_topic(env), fp_status_topic(env)};
    for (size_t i = 0; i < 3; i++)
        kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topics[i],
                     RD_KAFKA_RESOURCE_PATTERN_LITERAL, RD_KAFKA_ACL_OPERATION_ALL);
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_GROUP, "*", RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_ALL);
}

/* ---- worker files -------------------------------------------------------------------------- */

/* The SASL_SSL settings of one client, each key with prefix, the truststore and password as
 * given. */
static void sasl_settings(char *out, size_t len, const char *prefix, const char *password,
                          const char *ca)
{
    snprintf(out, len,
             "%ssecurity.protocol=SASL_SSL\n%ssasl.mechanism=SCRAM-SHA-512\n"
             "%ssasl.jaas.config=" SCRAM " required username=\"ferry\" password=\"%s\";\n"
             "%sssl.truststore.type=PEM\n%sssl.truststore.location=%s\n",
             prefix, prefix, prefix, password, prefix, prefix, ca);
}

/* A worker on the SASL_SSL listener: its own settings at the top level, and, when
 * with_prefixed, the same for its tasks' producer. and consumer. clients. */
static const char *sasl_worker_file(fp_env *env, const char *password, const char *ca,
                                    bool with_prefixed, const char *extra)
{
    char top[2048], producer[2048] = "", consumer[2048] = "";
    sasl_settings(top, sizeof(top), "", password, ca);
    if (with_prefixed) {
        sasl_settings(producer, sizeof(producer), "producer.", ferry_password,
                      tls_file("ca.pem"));
        sasl_settings(consumer, sizeof(consumer), "consumer.", ferry_password,
                      tls_file("ca.pem"));
    }
    char lines[8192];
    snprintf(lines, sizeof(lines), "bootstrap.servers=%s\n%s%s%s%s", sasl_bootstrap, top,
             producer, consumer, extra ? extra : "");
    return fp_worker_file(env, "worker.properties", 1000, lines);
}

/* ---- checks -------------------------------------------------------------------------------- */

/* The log holds no password and no raw librdkafka line. */
static void log_clean(fp_proc *proc)
{
    char *log = fp_log(proc);
    if (strstr(log, ferry_password))
        fail_msg("the worker's log shows the password of user ferry");
    if (strstr(log, WRONG_PASSWORD))
        fail_msg("the worker's log shows the wrong password");
    if (strstr(log, "%3|") || strstr(log, "%4|") || strstr(log, "%5|") || strstr(log, "%6|") ||
        strstr(log, "%7|"))
        fail_msg("the worker's log has a raw librdkafka line:\n%s", log);
    free(log);
}

/* Waits for a worker started at started (fp_now_ms) that must stop by itself within
 * FAULT_BOUND_MS, non-zero, its log holding every needle. */
static void exits_fast(fp_proc *proc, int64_t started, const char *const *needles)
{
    int code = 0;
    if (!fp_wait_exit(proc, FAULT_BOUND_MS + 5000, &code))
        fail_msg("the worker did not exit");
    int64_t took = fp_now_ms() - started;
    char *log = fp_log(proc);
    printf("# exit %d after %lld ms; log:\n%s", code, (long long)took, log);
    if (code == 0)
        fail_msg("the worker exited with status 0");
    if (took >= FAULT_BOUND_MS)
        fail_msg("the worker took %lld ms to stop", (long long)took);
    for (size_t i = 0; needles[i]; i++)
        if (!strstr(log, needles[i]))
            fail_msg("the log does not say '%s'", needles[i]);
    free(log);
    log_clean(proc);
}

/* Starts a standalone worker that must refuse to start (exits_fast). */
static void start_fails(fp_env *env, const char *worker, const char *const *needles)
{
    int64_t started = fp_now_ms();
    exits_fast(fp_start(env, worker, NULL), started, needles);
}

/* A worker on the SASL_SSL listener with password and CA that must refuse to start. */
static void sasl_start_fails(const char *test, const char *password, const char *ca,
                             const char *const *needles)
{
    fp_env *env = fp_env_new(test);
    start_fails(env, sasl_worker_file(env, password, ca, false, NULL), needles);
    fp_pass(env);
}

static void test_wrong_worker_password(void **state)
{
    (void)state;
    const char *needles[] = {"SASL authentication failed for user ferry (SCRAM-SHA-512)",
                             "(sasl.jaas.config)", NULL};
    sasl_start_fails("wrong_worker_password", WRONG_PASSWORD, tls_file("ca.pem"), needles);
}

static void test_wrong_ca(void **state)
{
    (void)state;
    const char *needles[] = {"TLS handshake with", "certificate verify failed",
                             "(ssl.truststore.location)", NULL};
    sasl_start_fails("wrong_ca", ferry_password, tls_file("other-ca.pem"), needles);
}

static void test_expired_ca(void **state)
{
    (void)state;
    const char *needles[] = {"TLS handshake with", "(ssl.truststore.location)", NULL};
    sasl_start_fails("expired_ca", ferry_password, tls_file("expired-ca.pem"), needles);
}

static void test_mtls_without_client_certificate(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("mtls_no_certificate");
    char lines[2048];
    snprintf(lines, sizeof(lines),
             "bootstrap.servers=%s\nsecurity.protocol=SSL\nssl.truststore.type=PEM\n"
             "ssl.truststore.location=%s\n",
             mtls_bootstrap, tls_file("ca.pem"));
    const char *worker = fp_worker_file(env, "worker.properties", 1000, lines);
    const char *needles[] = {"TLS handshake with", "ssl.keystore.location", NULL};
    start_fails(env, worker, needles);
    fp_pass(env);
}

/* A distributed worker whose principal may create and describe its internal topics but not
 * read or write them stops at once, naming the topic and the ACLs it lacks (Kafka Connect's
 * worker exits on the same TopicAuthorizationException). */
static void test_internal_topics_without_acls(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("internal_topics_without_acls");
    const char *topics[] = {fp_offsets_topic(env), fp_configs_topic(env), fp_status_topic(env)};
    for (size_t i = 0; i < 3; i++) {
        kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topics[i],
                     RD_KAFKA_RESOURCE_PATTERN_LITERAL, RD_KAFKA_ACL_OPERATION_CREATE);
        kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topics[i],
                     RD_KAFKA_RESOURCE_PATTERN_LITERAL, RD_KAFKA_ACL_OPERATION_DESCRIBE);
    }
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_GROUP, "*", RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_ALL);
    const char *worker = sasl_worker_file(env, ferry_password, tls_file("ca.pem"), false, NULL);
    /* Which refusal comes first depends on the broker's other ACLs: a principal that may write
     * no topic at all has its idempotent producer refused on the cluster. */
    char topic_refused[512];
    snprintf(topic_refused, sizeof(topic_refused),
             "not authorized to write to topic %s (producer principal User:ferry needs Write "
             "and Describe ACLs)", fp_configs_topic(env));
    const char *cluster_refused = "not authorized on the cluster (producer principal User:ferry "
                                  "needs Write on the topics it writes";
    const char *needles[] = {"): stopping", NULL};
    int64_t started = fp_now_ms();
    fp_proc *proc = fp_start_distributed(env, worker);
    exits_fast(proc, started, needles);
    char *log = fp_log(proc);
    if (!strstr(log, topic_refused) && !strstr(log, cluster_refused))
        fail_msg("the log says neither '%s' nor '%s'", topic_refused, cluster_refused);
    free(log);
    fp_pass(env);
}

/* ---- tasks ----------------------------------------------------------------------------------- */

/* Task 0's state and trace (copied into trace) from the REST API; NULL before it has one. */
static char *task_state(rc_client *client, const char *connector, char *trace, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/status", connector);
    rc_response response = {0};
    long code = rc_call(client, "GET", path, NULL, &response);
    char *state = NULL;
    trace[0] = '\0';
    if (code == 200) {
        json_t *status = json_loads(response.body ? response.body : "", 0, NULL);
        json_t *task = json_array_get(json_object_get(status, "tasks"), 0);
        const char *text = json_string_value(json_object_get(task, "state"));
        state = text ? strdup(text) : NULL;
        snprintf(trace, len, "%s",
                 json_string_value(json_object_get(task, "trace"))
                     ? json_string_value(json_object_get(task, "trace"))
                     : "");
        json_decref(status);
    }
    rc_response_clear(&response);
    return state;
}

/* Waits until task 0 is FAILED, within FAULT_BOUND_MS of started; returns its trace (static). */
static const char *task_fails(rc_client *client, const char *connector, int64_t started)
{
    static char trace[8192];
    for (;;) {
        char *state = task_state(client, connector, trace, sizeof(trace));
        bool failed = state && strcmp(state, "FAILED") == 0;
        free(state);
        if (failed)
            break;
        if (fp_now_ms() - started > FAULT_BOUND_MS)
            fail_msg("task 0 of %s is not FAILED %d ms after its start", connector,
                     FAULT_BOUND_MS);
        fp_sleep_ms(100);
    }
    printf("# %s FAILED after %lld ms: %s\n", connector, (long long)(fp_now_ms() - started),
           trace);
    return trace;
}

/* Starts a worker with one connector whose task must fail; returns the trace. */
typedef struct task_run {
    fp_env *env;
    fp_proc *proc;
    rc_client *client;
    const char *name;
} task_run;

static const char *task_run_start(task_run *run, const char *worker, const char *connector_text)
{
    const char *connector = fp_write(run->env, "connector.properties", "%s", connector_text);
    run->proc = fp_start(run->env, worker, connector, NULL);
    run->client = rc_new_local(fp_listener_port(run->env), 0);
    if (!rc_wait_healthy(run->client, 30000))
        fail_msg("the worker did not start");
    return task_fails(run->client, run->name, fp_now_ms());
}

static void task_run_finish(task_run *run)
{
    fp_stop(run->proc, 30000);
    /* What a user reads about the task. */
    char *log = fp_log(run->proc);
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, "[task:") && !strstr(line, " INFO "))
            printf("# log: %s\n", line);
    free(log);
    log_clean(run->proc);
    rc_free(run->client);
}

/* A worker on the SASL_SSL listener (its tasks' clients with their prefixed settings when
 * with_prefixed) running a SequenceSource, with override (connector lines) added, into a topic
 * user ferry may write to; returns the trace of its task, which must fail. */
static const char *source_run_start(task_run *run, const char *test, bool with_prefixed,
                                    const char *worker_extra, const char *override)
{
    run->env = fp_env_new(test);
    run->name = fp_name(run->env, "src");
    const char *topic = fp_name(run->env, "lines");
    acl_allow_worker(run->env);
    kt_acl_grant("User:ferry", RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                 RD_KAFKA_ACL_OPERATION_ALL);
    kt_create_topic(topic, 1, NULL);
    const char *worker = sasl_worker_file(run->env, ferry_password, tls_file("ca.pem"),
                                          with_prefixed, worker_extra);
    char text[2048];
    snprintf(text, sizeof(text), "name=%s\nconnector.class=SequenceSource\ntopic=%s\n"
                                 "partitions=1\n%s",
             run->name, topic, override ? override : "");
    return task_run_start(run, worker, text);
}

static void test_wrong_password_in_producer_override(void **state)
{
    (void)state;
    task_run run = {0};
    const char *trace = source_run_start(
        &run, "override_password", true, "task.restart.backoff.initial.ms=1000\n",
        "producer.override.sasl.jaas.config=" SCRAM
        " required username=\"ferry\" password=\"" WRONG_PASSWORD "\";\n");
    if (!strstr(trace, "SASL authentication failed for user ferry") ||
        !strstr(trace, "producer.override.sasl.jaas.config"))
        fail_msg("the trace does not name the cause and the key: %s", trace);
    char first[1024];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(trace, "\n"), trace);

    /* Restarted automatically, it fails again for the same cause, and the status never shows
     * anything but FAILED with that cause meanwhile. */
    char restarting[256];
    snprintf(restarting, sizeof(restarting), "[connector:%s] restarting task 0 automatically",
             run.name);
    int64_t until = fp_now_ms() + 8000;
    bool restarted = false;
    while (fp_now_ms() < until) {
        char now[8192];
        char *state_now = task_state(run.client, run.name, now, sizeof(now));
        if (!state_now || strcmp(state_now, "FAILED") != 0 || strncmp(now, first, strlen(first)))
            fail_msg("between restarts the task shows %s: %s", state_now ? state_now : "nothing",
                     now);
        free(state_now);
        restarted = restarted || fp_log_contains(run.proc, restarting);
        fp_sleep_ms(100);
    }
    if (!restarted)
        fail_msg("the task was not restarted automatically");
    if (!fp_log_contains(run.proc, "failed again for the same cause"))
        fail_msg("the repeated cause was not noticed");
    task_run_finish(&run);
    fp_pass(run.env);
}

static void test_sink_without_read_acl(void **state)
{
    (void)state;
    task_run run = {.env = fp_env_new("sink_no_read")};
    run.name = fp_name(run.env, "sink");
    const char *topic = fp_name(run.env, "orders");
    acl_allow_worker(run.env);
    kt_create_topic(topic, 1, NULL); /* no ACL for ferry on it */
    const char *worker = sasl_worker_file(run.env, ferry_password, tls_file("ca.pem"), true,
                                          NULL);
    char text[2048];
    snprintf(text, sizeof(text), "name=%s\nconnector.class=RecordingSink\ntopics=%s\nfile=%s\n",
             run.name, topic, fp_path(run.env, "sink.txt"));
    const char *trace = task_run_start(&run, worker, text);
    char needle[512];
    snprintf(needle, sizeof(needle), "not authorized to read topic %s", topic);
    if (!strstr(trace, needle) || !strstr(trace, "Read and Describe ACLs"))
        fail_msg("the trace does not name the topic and the ACLs: %s", trace);
    task_run_finish(&run);
    fp_pass(run.env);
}

static void test_security_keys_only_at_top_level(void **state)
{
    (void)state;
    task_run run = {0};
    const char *trace = source_run_start(&run, "top_level_only", false, NULL, NULL);
    if (!strstr(trace, "'producer.' prefix") ||
        !strstr(trace, "top-level security settings"))
        fail_msg("the trace does not name the missing prefix: %s", trace);
    task_run_finish(&run);
    fp_pass(run.env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_wrong_worker_password, fp_env_teardown),
        cmocka_unit_test_teardown(test_wrong_ca, fp_env_teardown),
        cmocka_unit_test_teardown(test_expired_ca, fp_env_teardown),
        cmocka_unit_test_teardown(test_mtls_without_client_certificate, fp_env_teardown),
        cmocka_unit_test_teardown(test_internal_topics_without_acls, fp_env_teardown),
        cmocka_unit_test_teardown(test_wrong_password_in_producer_override, fp_env_teardown),
        cmocka_unit_test_teardown(test_sink_without_read_acl, fp_env_teardown),
        cmocka_unit_test_teardown(test_security_keys_only_at_top_level, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
