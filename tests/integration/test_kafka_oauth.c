/* OAUTHBEARER with the OAuth client-credentials flow on the real broker of tests/services/
 * (FERRY_TEST_OAUTH_BOOTSTRAP: SASL_SSL, Kafka's unsecured validator, which accepts unsigned
 * JWTs), configured as a Kafka Connect user configures a Confluent-Cloud-style cluster: the
 * worker's top-level keys and the producer. / consumer. / admin. ones, with
 * OAuthBearerLoginCallbackHandler, sasl.oauthbearer.token.endpoint.url and the JAAS clientId,
 * clientSecret, scope and extension_NAME options.
 *
 * The token endpoint is this test's own: a thread answering one HTTP/1.1 POST per connection on
 * 127.0.0.1, which checks grant_type, scope and the basic credentials, counts the requests and
 * issues unsigned JWTs (sub, exp). Checked: a FileSource -> Kafka -> FileSink worker moves 5,000
 * lines with nothing lost while a short-lived token is refreshed; a wrong client secret (401 with
 * OAuth's error answer) fails the worker's start within 10 s naming the endpoint key and the
 * endpoint's error, and in a connector's producer.override.sasl.jaas.config fails its task
 * within 10 s the same way; neither the secret nor any token issued appears in the worker's log
 * or the task's trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "service_env.h"
#include "support/base64.h"
#include "test_rest_client.h"

#define LINES 5000
#define DELIVERY_WAIT_MS 60000
#define CLIENT_ID "ferry-connect"
#define CLIENT_SECRET "oauth-TOPSECRET-4711"
#define SCOPE "kafka.read kafka.write"
#define PRINCIPAL "ferry-oauth"
#define MAX_TOKENS 256

/* ---- the token endpoint ------------------------------------------------------------------ */

typedef struct token_endpoint {
    int listener;
    int port;
    pthread_t thread;
    atomic_bool stop;
    int lifetime_s;              /* of the tokens it issues */
    char expected_auth[512];     /* "Basic base64(id:secret)" */
    pthread_mutex_t mutex;
    int requests;                /* token requests answered */
    int refused;                 /* of them, refused for their credentials */
    int64_t request_ms[MAX_TOKENS];
    char problem[512];           /* the first malformed request (grant type, scope), or "" */
    char *tokens[MAX_TOKENS];    /* every token issued */
    int token_count;
} token_endpoint;

static int64_t wall_s(void)
{
    return (int64_t)time(NULL);
}

static void base64url(const char *text, char *out)
{
    size_t len = base64_encode(text, strlen(text), true, out);
    while (len > 0 && out[len - 1] == '=')
        out[--len] = '\0';
}

static char *endpoint_issue(token_endpoint *endpoint, int serial)
{
    char claims[256], head[64], body[512];
    int64_t now = wall_s();
    snprintf(claims, sizeof(claims), "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"t%d\"}",
             PRINCIPAL, (long long)now, (long long)(now + endpoint->lifetime_s), serial);
    base64url("{\"alg\":\"none\"}", head);
    base64url(claims, body);
    size_t len = strlen(head) + strlen(body) + 3;
    char *jwt = malloc(len);
    assert_non_null(jwt);
    snprintf(jwt, len, "%s.%s.", head, body);
    return jwt;
}

static void endpoint_respond(int fd, const char *status, const char *body)
{
    char head[256];
    int len = snprintf(head, sizeof(head),
                       "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                       "Connection: close\r\n\r\n",
                       status, strlen(body));
    if (write(fd, head, (size_t)len) < 0 || write(fd, body, strlen(body)) < 0)
        return;
}

/* The value of header name in the request's head, copied into out ("" when absent). */
static void header_value(const char *head, const char *name, char *out, size_t outlen)
{
    size_t name_len = strlen(name);
    out[0] = '\0';
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, name_len) == 0 && start[name_len] == ':') {
            start += name_len + 1;
            while (*start == ' ')
                start++;
            size_t len = strcspn(start, "\r\n");
            snprintf(out, outlen, "%.*s", (int)len, start);
            return;
        }
    }
}

static void endpoint_serve(token_endpoint *endpoint, int fd)
{
    char request[16384];
    size_t used = 0;
    const char *body = NULL;
    size_t content_length = 0;
    while (used + 1 < sizeof(request)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 5000) <= 0)
            return;
        ssize_t n = read(fd, request + used, sizeof(request) - 1 - used);
        if (n <= 0)
            return;
        used += (size_t)n;
        request[used] = '\0';
        char *end = strstr(request, "\r\n\r\n");
        if (!end)
            continue;
        char length[32];
        *end = '\0';
        header_value(request, "Content-Length", length, sizeof(length));
        content_length = (size_t)strtoul(length, NULL, 10);
        *end = '\r';
        body = end + 4;
        if ((size_t)(request + used - body) >= content_length)
            break;
    }
    if (!body)
        return;
    char form[4096], auth[512], content_type[128];
    snprintf(form, sizeof(form), "%.*s", (int)content_length, body);
    *strstr(request, "\r\n\r\n") = '\0';
    header_value(request, "Authorization", auth, sizeof(auth));
    header_value(request, "Content-Type", content_type, sizeof(content_type));

    pthread_mutex_lock(&endpoint->mutex);
    if (endpoint->requests < MAX_TOKENS)
        endpoint->request_ms[endpoint->requests] = fp_now_ms();
    int serial = endpoint->requests++;
    char problem[512] = "";
    if (strncmp(request, "POST /oauth2/token HTTP/1.1\r\n", 29) != 0)
        snprintf(problem, sizeof(problem), "request line: %.60s", request);
    else if (strcmp(form, "grant_type=client_credentials&scope=kafka.read%20kafka.write") != 0 &&
             strcmp(form, "grant_type=client_credentials&scope=kafka.read+kafka.write") != 0)
        snprintf(problem, sizeof(problem), "form body: %.400s", form);
    else if (strcmp(content_type, "application/x-www-form-urlencoded") != 0)
        snprintf(problem, sizeof(problem), "content type: %s", content_type);
    if (problem[0] && !endpoint->problem[0])
        snprintf(endpoint->problem, sizeof(endpoint->problem), "%s", problem);
    bool refused = !problem[0] && strcmp(auth, endpoint->expected_auth) != 0;
    endpoint->refused += refused;
    char *token = NULL;
    if (!problem[0] && !refused && endpoint->token_count < MAX_TOKENS) {
        token = endpoint_issue(endpoint, serial);
        endpoint->tokens[endpoint->token_count++] = token;
    }
    pthread_mutex_unlock(&endpoint->mutex);

    if (problem[0]) {
        endpoint_respond(fd, "400 Bad Request", "{\"error\":\"invalid_request\"}");
    } else if (refused) {
        endpoint_respond(fd, "401 Unauthorized",
                         "{\"error\":\"invalid_client\",\"error_description\":\"Client "
                         "authentication failed\"}");
    } else if (token) {
        char answer[2048];
        snprintf(answer, sizeof(answer),
                 "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":%d}", token,
                 endpoint->lifetime_s);
        endpoint_respond(fd, "200 OK", answer);
    } else {
        endpoint_respond(fd, "503 Service Unavailable", "{\"error\":\"too_many_tokens\"}");
    }
}

static void *endpoint_main(void *opaque)
{
    token_endpoint *endpoint = opaque;
    while (!atomic_load(&endpoint->stop)) {
        struct pollfd pfd = {.fd = endpoint->listener, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int fd = accept(endpoint->listener, NULL, NULL);
        if (fd < 0)
            continue;
        endpoint_serve(endpoint, fd);
        close(fd);
    }
    return NULL;
}

static void endpoint_start(token_endpoint *endpoint, int lifetime_s)
{
    memset(endpoint, 0, sizeof(*endpoint));
    pthread_mutex_init(&endpoint->mutex, NULL);
    endpoint->lifetime_s = lifetime_s;
    char pair[128], encoded[256];
    snprintf(pair, sizeof(pair), "%s:%s", CLIENT_ID, CLIENT_SECRET);
    base64_encode(pair, strlen(pair), false, encoded);
    snprintf(endpoint->expected_auth, sizeof(endpoint->expected_auth), "Basic %s", encoded);

    endpoint->listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(endpoint->listener >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(address);
    assert_int_equal(bind(endpoint->listener, (struct sockaddr *)&address, sizeof(address)), 0);
    assert_int_equal(listen(endpoint->listener, 64), 0);
    assert_int_equal(getsockname(endpoint->listener, (struct sockaddr *)&address, &len), 0);
    endpoint->port = ntohs(address.sin_port);
    assert_int_equal(pthread_create(&endpoint->thread, NULL, endpoint_main, endpoint), 0);
}

static void endpoint_stop(token_endpoint *endpoint)
{
    atomic_store(&endpoint->stop, true);
    pthread_join(endpoint->thread, NULL);
    close(endpoint->listener);
    for (int i = 0; i < endpoint->token_count; i++)
        free(endpoint->tokens[i]);
    pthread_mutex_destroy(&endpoint->mutex);
}

static int endpoint_requests(token_endpoint *endpoint)
{
    pthread_mutex_lock(&endpoint->mutex);
    int requests = endpoint->requests;
    pthread_mutex_unlock(&endpoint->mutex);
    return requests;
}

/* Neither the secret nor a token issued may be in text. */
static void assert_nothing_secret(token_endpoint *endpoint, const char *what, const char *text)
{
    if (strstr(text, CLIENT_SECRET))
        fail_msg("%s shows the client secret", what);
    pthread_mutex_lock(&endpoint->mutex);
    for (int i = 0; i < endpoint->token_count; i++) {
        /* The signature-less JWT without its header: its claims part is what identifies it. */
        const char *claims = strchr(endpoint->tokens[i], '.') + 1;
        if (strstr(text, claims)) {
            pthread_mutex_unlock(&endpoint->mutex);
            fail_msg("%s shows a token", what);
        }
    }
    pthread_mutex_unlock(&endpoint->mutex);
}

/* ---- the worker -------------------------------------------------------------------------- */

/* The OAUTHBEARER keys under prefix, as Kafka Connect users write them for a cloud cluster. */
static size_t oauth_lines(char *out, size_t outlen, const char *prefix, int port,
                          const char *secret)
{
    char path[4096];
    char *password = service_env_tls_read_line("truststore.password");
    int n = snprintf(
        out, outlen,
        "%1$ssecurity.protocol=SASL_SSL\n"
        "%1$ssasl.mechanism=OAUTHBEARER\n"
        "%1$ssasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer."
        "OAuthBearerLoginCallbackHandler\n"
        "%1$ssasl.oauthbearer.token.endpoint.url=http://127.0.0.1:%2$d/oauth2/token\n"
        "%1$ssasl.jaas.config=org.apache.kafka.common.security.oauthbearer."
        "OAuthBearerLoginModule required clientId=\"" CLIENT_ID "\" clientSecret=\"%3$s\" "
        "scope=\"" SCOPE "\" extension_logicalCluster=\"lkc-test\" "
        "extension_identityPoolId=\"pool-test\";\n"
        "%1$sssl.truststore.location=%4$s\n"
        "%1$sssl.truststore.password=%5$s\n",
        prefix, port, secret, service_env_tls_path(path, sizeof(path), "truststore.jks"),
        password);
    free(password);
    assert_true(n > 0 && (size_t)n < outlen);
    return (size_t)n;
}

static const char *worker_file(fp_env *env, int port, const char *secret)
{
    static char extra[32768];
    size_t used = (size_t)snprintf(extra, sizeof(extra), "bootstrap.servers=%s\n",
                                   service_env_oauth_bootstrap());
    const char *const prefixes[] = {"", "producer.", "consumer.", "admin."};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        used += oauth_lines(extra + used, sizeof(extra) - used, prefixes[i], port, secret);
    return fp_worker_file(env, "worker.properties", 1000, extra);
}

static void acls(bool grant, const char *const *topics, size_t count, const char *group)
{
    void (*change)(const char *, rd_kafka_ResourceType_t, const char *,
                   rd_kafka_ResourcePatternType_t, rd_kafka_AclOperation_t) =
        grant ? kt_acl_grant : kt_acl_delete;
    for (size_t i = 0; i < count; i++)
        change("User:" PRINCIPAL, RD_KAFKA_RESOURCE_TOPIC, topics[i],
               RD_KAFKA_RESOURCE_PATTERN_LITERAL, RD_KAFKA_ACL_OPERATION_ALL);
    change("User:" PRINCIPAL, RD_KAFKA_RESOURCE_GROUP, group, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
           RD_KAFKA_ACL_OPERATION_ALL);
}

static void append_lines(const char *path, int from, int to)
{
    FILE *out = fopen(path, "a");
    assert_non_null(out);
    for (int i = from; i < to; i++)
        fprintf(out, "line %05d through an OAUTHBEARER cluster\n", i);
    assert_int_equal(fclose(out), 0);
}

static void wait_lines(fp_proc *proc, const char *output, size_t want)
{
    int64_t deadline = fp_now_ms() + DELIVERY_WAIT_MS;
    while (fp_count_lines(output) < want && fp_now_ms() < deadline && fp_alive(proc))
        fp_sleep_ms(100);
    if (fp_count_lines(output) < want) {
        fp_print_log_tail(proc, 40);
        fail_msg("%zu of %zu lines arrived", fp_count_lines(output), want);
    }
}

/* 5,000 lines through a cluster whose tokens live 15 s: half before librdkafka refreshes them
 * (at 80% of their lifetime), half after. */
static void test_pipeline_with_refresh(void **state)
{
    (void)state;
    token_endpoint endpoint;
    endpoint_start(&endpoint, 15);
    fp_env *env = fp_env_new("kafka_oauth_pipeline");
    const char *topic = fp_name(env, "oauth_lines");
    const char *source_name = fp_name(env, "osrc");
    const char *sink_name = fp_name(env, "osink");
    char group[256];
    snprintf(group, sizeof(group), "connect-%s", sink_name);
    kt_create_topic(topic, 1, NULL);
    const char *const topics[] = {topic, fp_offsets_topic(env), fp_configs_topic(env),
                                  fp_status_topic(env)};
    acls(true, topics, 4, group);

    const char *input = fp_path(env, "input.txt");
    const char *output = fp_path(env, "output.txt");
    append_lines(input, 0, LINES / 2);
    const char *worker = worker_file(env, endpoint.port, CLIENT_SECRET);
    const char *source = fp_write(env, "source.properties",
                                  "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n",
                                  source_name, input, topic);
    const char *sink = fp_write(env, "sink.properties",
                                "name=%s\nconnector.class=FileSink\ntopics=%s\nfile=%s\n",
                                sink_name, topic, output);
    int64_t started_ms = fp_now_ms();
    fp_proc *proc = fp_start(env, worker, source, sink, NULL);
    wait_lines(proc, output, LINES / 2);
    int first_round = endpoint_requests(&endpoint);
    assert_true(first_round > 0);

    /* A request after 80% of the first tokens' lifetime is a refresh. */
    bool refreshed = false;
    int64_t deadline = fp_now_ms() + 30000;
    while (!refreshed && fp_now_ms() < deadline && fp_alive(proc)) {
        pthread_mutex_lock(&endpoint.mutex);
        for (int i = 0; i < endpoint.requests && i < MAX_TOKENS; i++)
            refreshed |= endpoint.request_ms[i] - started_ms >= 11000;
        pthread_mutex_unlock(&endpoint.mutex);
        fp_sleep_ms(200);
    }
    if (!refreshed) {
        fp_print_log_tail(proc, 40);
        fail_msg("no token was refreshed within 30 s (%d requests)",
                 endpoint_requests(&endpoint));
    }
    append_lines(input, LINES / 2, LINES);
    wait_lines(proc, output, LINES);
    fp_stop(proc, 60000);

    fp_assert_same_file("the sink's file", input, output);
    pthread_mutex_lock(&endpoint.mutex);
    if (endpoint.problem[0])
        fail_msg("a token request was malformed: %s", endpoint.problem);
    assert_int_equal(endpoint.refused, 0);
    pthread_mutex_unlock(&endpoint.mutex);
    char *log = fp_log(proc);
    assert_nothing_secret(&endpoint, "the worker's log", log);
    free(log);

    acls(false, topics, 4, group);
    kt_delete_topics(topics, 1);
    endpoint_stop(&endpoint);
    fp_pass(env);
    fp_env_finish(env);
}

/* A wrong client secret: the endpoint answers 401 with OAuth's error, and the worker's start
 * fails within 10 s saying so, naming the endpoint's key. */
static void test_wrong_secret(void **state)
{
    (void)state;
    token_endpoint endpoint;
    endpoint_start(&endpoint, 3600);
    fp_env *env = fp_env_new("kafka_oauth_wrong_secret");
    const char *worker = worker_file(env, endpoint.port, "not-the-" CLIENT_SECRET);
    int64_t started_ms = fp_now_ms();
    fp_proc *proc = fp_start(env, worker, NULL);
    int code = 0;
    if (!fp_wait_exit(proc, 10000, &code)) {
        fp_print_log_tail(proc, 40);
        fail_msg("the worker still runs 10 s after its start with a wrong client secret");
    }
    int64_t elapsed_ms = fp_now_ms() - started_ms;
    assert_int_not_equal(code, 0);
    char *log = fp_log(proc);
    if (!strstr(log, "sasl.oauthbearer.token.endpoint.url") || !strstr(log, "HTTP 401") ||
        !strstr(log, "invalid_client: Client authentication failed") ||
        !strstr(log, "SASL OAUTHBEARER authentication failed: cannot get an OAUTHBEARER token"))
        fail_msg("the worker's log does not say why (after %lld ms):\n%s",
                 (long long)elapsed_ms, log);
    assert_nothing_secret(&endpoint, "the worker's log", log);
    if (strstr(log, "not-the-"))
        fail_msg("the worker's log shows the wrong secret");
    free(log);
    pthread_mutex_lock(&endpoint.mutex);
    assert_true(endpoint.refused > 0);
    assert_int_equal(endpoint.token_count, 0);
    pthread_mutex_unlock(&endpoint.mutex);
    endpoint_stop(&endpoint);
    fp_pass(env);
    fp_env_finish(env);
}

/* A wrong secret in one connector's producer.override.sasl.jaas.config: the worker runs, that
 * connector's task is FAILED within 10 s with a trace naming the endpoint's key and error. */
static void test_wrong_secret_in_producer_override(void **state)
{
    (void)state;
    token_endpoint endpoint;
    endpoint_start(&endpoint, 3600);
    fp_env *env = fp_env_new("kafka_oauth_override");
    const char *topic = fp_name(env, "oauth_override");
    const char *source_name = fp_name(env, "osrc");
    /* The topic exists, as the broker creates none: the task can fail only on its credentials. */
    kt_create_topic(topic, 1, NULL);
    const char *const topics[] = {topic, fp_offsets_topic(env), fp_configs_topic(env),
                                  fp_status_topic(env)};
    acls(true, topics, 4, "unused-group");
    const char *input = fp_path(env, "input.txt");
    append_lines(input, 0, 10);
    const char *worker = worker_file(env, endpoint.port, CLIENT_SECRET);
    const char *source = fp_write(
        env, "source.properties",
        "name=%s\nconnector.class=FileSource\nfile=%s\ntopic=%s\n"
        "producer.override.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer."
        "OAuthBearerLoginModule required clientId=\"" CLIENT_ID "\" clientSecret=\"wrong-"
        CLIENT_SECRET "\" scope=\"" SCOPE "\";\n",
        source_name, input, topic);
    int64_t started_ms = fp_now_ms();
    fp_proc *proc = fp_start(env, worker, source, NULL);
    char base[64], path[512];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", fp_listener_port(env));
    snprintf(path, sizeof(path), "/connectors/%s/status", source_name);
    rc_client *client = rc_new(base);
    char *trace = NULL;
    while (!trace && fp_now_ms() - started_ms < 10000 && fp_alive(proc)) {
        rc_response response = {0};
        if (rc_call(client, "GET", path, NULL, &response) == 200) {
            json_t *status = json_loads(response.body ? response.body : "", 0, NULL);
            json_t *task = json_array_get(json_object_get(status, "tasks"), 0);
            const char *task_state = json_string_value(json_object_get(task, "state"));
            const char *text = json_string_value(json_object_get(task, "trace"));
            if (task_state && strcmp(task_state, "FAILED") == 0)
                trace = strdup(text ? text : "");
            json_decref(status);
        }
        rc_response_clear(&response);
        fp_sleep_ms(100);
    }
    rc_free(client);
    if (!trace) {
        fp_print_log_tail(proc, 40);
        fail_msg("the task is not FAILED 10 s after the worker's start");
    }
    if (!strstr(trace, "producer.sasl.oauthbearer.token.endpoint.url") ||
        !strstr(trace, "HTTP 401: invalid_client"))
        fail_msg("the trace does not say why: %s", trace);
    assert_nothing_secret(&endpoint, "the task's trace", trace);
    free(trace);
    fp_stop(proc, 60000);
    char *log = fp_log(proc);
    assert_nothing_secret(&endpoint, "the worker's log", log);
    free(log);

    acls(false, topics, 4, "unused-group");
    kt_delete_topics(topics, 1);
    endpoint_stop(&endpoint);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    fp_init();
    (void)service_env_oauth_bootstrap(); /* skip, or fail, when the OAUTHBEARER listener is missing */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_pipeline_with_refresh, fp_env_teardown),
        cmocka_unit_test_teardown(test_wrong_secret, fp_env_teardown),
        cmocka_unit_test_teardown(test_wrong_secret_in_producer_override, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
