/*
 * test_rest_forward.c - the REST server of a follower, in process, over real HTTP: its herder
 * (a fake) completes every change with HERDER_NOT_LEADER and the URL of a recording HTTP server
 * standing for the leader. Checks that the writes reach the leader as they came (method, path
 * with its encoding, query with Kafka Connect's `forward`, body bytes, Content-Type,
 * Authorization, signature headers) and that its answer comes back; the 409s when a request
 * may not be forwarded or no leader is known; the 500 of an unreachable leader, quickly; the
 * internal POST /connectors/{c}/tasks (its 400s, no user credentials needed, the herder given
 * the exact bytes and headers, a standalone worker's refusal).
 *
 * The worker runs on the embedded Kafka (nothing else needed) and its control loop never runs:
 * the routes exercised here reach only the herder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/thread_role.h"
#include "cluster/cluster_client.h"
#include "config/config_provider.h"
#include "config/config_validate.h"
#include "herder/standalone_herder.h"
#include "http_recorder.h"
#include "rest/rest_server.h"
#include "runtime/worker.h"
#include "support/clock.h"

#define CONFLICT "Cannot complete request because of a conflicting operation (e.g. worker " \
                 "rebalance)"
#define NO_LEADER "Cannot complete request momentarily due to no known leader URL, likely " \
                  "because a rebalance was underway."

/* ---- a herder that is never the leader -------------------------------------------------- */

typedef struct follower_herder {
    herder base;
    pthread_mutex_t mutex;
    char leader_url[512];
    /* what the last tasks_put received */
    int tasks_calls;
    char tasks_name[64];
    char *tasks_body;
    char tasks_signature[128];
    char tasks_algorithm[64];
    size_t tasks_count;
} follower_herder;

static follower_herder follower = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static void follower_not_leader(herder_callback done, void *opaque)
{
    herder_result result = {0};
    herder_result_set(&result, HERDER_NOT_LEADER, "not the leader");
    pthread_mutex_lock(&follower.mutex);
    snprintf(result.leader_url, sizeof(result.leader_url), "%s", follower.leader_url);
    pthread_mutex_unlock(&follower.mutex);
    herder_complete(done, opaque, &result);
}

static void follower_put(herder *base, const config_map *config, runtime_state initial,
                         bool allow_replace, herder_callback done, void *opaque)
{
    (void)base;
    (void)config;
    (void)initial;
    (void)allow_replace;
    follower_not_leader(done, opaque);
}

static void follower_named(herder *base, const char *name, herder_callback done, void *opaque)
{
    (void)base;
    (void)name;
    follower_not_leader(done, opaque);
}

static void follower_target(herder *base, const char *name, runtime_state target,
                            herder_callback done, void *opaque)
{
    (void)target;
    follower_named(base, name, done, opaque);
}

static void follower_restart(herder *base, const char *name, int task, bool include_tasks,
                             bool only_failed, herder_callback done, void *opaque)
{
    (void)task;
    (void)include_tasks;
    (void)only_failed;
    follower_named(base, name, done, opaque);
}

static void follower_with_body(herder *base, const char *name, json_t *body,
                               herder_callback done, void *opaque)
{
    (void)body;
    follower_named(base, name, done, opaque);
}

static void follower_tasks_put(herder *base, const char *name, json_t *configs,
                               const herder_signed *signature, herder_callback done,
                               void *opaque)
{
    (void)base;
    pthread_mutex_lock(&follower.mutex);
    follower.tasks_calls++;
    snprintf(follower.tasks_name, sizeof(follower.tasks_name), "%s", name);
    free(follower.tasks_body);
    follower.tasks_body = strndup(signature->body, signature->body_len);
    snprintf(follower.tasks_signature, sizeof(follower.tasks_signature), "%s",
             signature->signature ? signature->signature : "(none)");
    snprintf(follower.tasks_algorithm, sizeof(follower.tasks_algorithm), "%s",
             signature->algorithm ? signature->algorithm : "(none)");
    follower.tasks_count = json_array_size(configs);
    pthread_mutex_unlock(&follower.mutex);
    follower_not_leader(done, opaque);
}

static bool follower_is_ready(herder *base)
{
    (void)base;
    return true;
}

static void follower_destroy(herder *base)
{
    (void)base;
}

static const herder_ops follower_ops = {
    .connector_put = follower_put,
    .connector_patch = follower_with_body,
    .connector_delete = follower_named,
    .connector_target = follower_target,
    .connector_restart = follower_restart,
    .connector_topics_reset = follower_named,
    .connector_fence = follower_named,
    .offsets_get = follower_named,
    .offsets_alter = follower_with_body,
    .offsets_reset = follower_named,
    .tasks_put = follower_tasks_put,
    .is_ready = follower_is_ready,
    .destroy = follower_destroy,
};

static void follower_leader_set(const char *url)
{
    pthread_mutex_lock(&follower.mutex);
    snprintf(follower.leader_url, sizeof(follower.leader_url), "%s", url);
    pthread_mutex_unlock(&follower.mutex);
}

/* ---- the worker and its REST server ------------------------------------------------------ */

typedef struct fixture {
    worker *worker;
    rest_server *server;
    herder *herder;
    http_recorder *leader;
    char base[64]; /* the follower's URL, without a trailing '/' */
} fixture;

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    socklen_t len = sizeof(address);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&address, &len), 0);
    close(fd);
    return ntohs(address.sin_port);
}

static worker *worker_embedded(int port)
{
    char why[1024];
    char listeners[64];
    snprintf(listeners, sizeof(listeners), "http://127.0.0.1:%d", port);
    config_map *raw = config_map_new();
    config_map_set(raw, "listeners", listeners);
    config_map_set(raw, "rest.auth.basic.users", "u:p");
    config_map_set(raw, "plugin.path", FERRY_TEST_PLUGIN_DIR "/sequence");
    config_errors *errors = config_errors_new();
    config_providers *providers = config_providers_new(raw, why, sizeof(why));
    assert_non_null(providers);
    worker_config *config = worker_config_load(raw, providers, errors, NULL);
    assert_non_null(config);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker *self = worker_new(config, why, sizeof(why));
    if (!self)
        fail_msg("worker_new: %s", why);
    thread_role_clear();
    config_providers_destroy(providers);
    config_errors_destroy(errors);
    config_map_destroy(raw);
    return self;
}

static void fixture_start(fixture *fx, herder *changes)
{
    int port = free_port();
    fx->worker = worker_embedded(port);
    fx->herder = changes;
    char why[512];
    fx->server = rest_server_start(fx->worker, changes, why, sizeof(why));
    if (!fx->server)
        fail_msg("rest_server_start: %s", why);
    snprintf(fx->base, sizeof(fx->base), "http://127.0.0.1:%d", port);
    fx->leader = http_recorder_start();
    follower_leader_set(http_recorder_url(fx->leader));
}

static int fixture_teardown(void **state)
{
    fixture *fx = *state;
    rest_server_stop(fx->server);
    if (fx->herder != &follower.base)
        herder_destroy(fx->herder);
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
    worker_destroy(fx->worker);
    thread_role_clear();
    http_recorder_stop(fx->leader);
    free(follower.tasks_body);
    follower.tasks_body = NULL;
    return 0;
}

/* Sends method path (and body, JSON) to the follower with the user's credentials. */
static long follower_send(const fixture *fx, const char *method, const char *path,
                          const char *body, const char *const *headers,
                          cluster_client_response *answer)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    static const char *const user[] = {"Content-Type: application/json",
                                       "Authorization: Basic dTpw", NULL};
    cluster_client_request request = {
        .method = method, .url = url, .headers = headers ? headers : user, .body = body,
        .body_len = body ? strlen(body) : 0, .timeout_ms = 20000,
    };
    char err[512];
    if (cluster_client_send(&request, answer, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    return answer->status;
}

static void expect_error(const cluster_client_response *answer, long status,
                         const char *message)
{
    json_t *body = json_loadb(answer->body.data, answer->body.len, 0, NULL);
    assert_non_null(body);
    assert_int_equal(answer->status, status);
    assert_int_equal(json_integer_value(json_object_get(body, "error_code")), status);
    const char *got = json_string_value(json_object_get(body, "message"));
    assert_non_null(got);
    if (!strstr(got, message))
        fail_msg("expected \"%s\" in \"%s\"", message, got);
    json_decref(body);
}

/* The last request the leader got: method, target and body as expected, with the user's
 * headers. */
static void expect_at_leader(fixture *fx, const char *method, const char *target,
                             const char *body)
{
    http_recorded got;
    size_t count = http_recorder_count(fx->leader);
    assert_true(count > 0);
    http_recorder_get(fx->leader, count - 1, &got);
    assert_string_equal(got.method, method);
    assert_string_equal(got.target, target);
    assert_string_equal(got.authorization, "Basic dTpw");
    if (body) {
        assert_string_equal(got.content_type, "application/json");
        assert_int_equal(got.body_len, strlen(body));
        assert_memory_equal(got.body, body, strlen(body));
    } else {
        assert_int_equal(got.body_len, 0);
    }
    http_recorded_clear(&got);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_writes_reach_the_leader(void **state)
{
    fixture *fx = *state;
    cluster_client_response answer = {0};

    /* Create: the leader's 201, body, type and Location (its path) come back. */
    static const char create[] = "{\"name\": \"files\",  \"config\": {\"connector.class\": "
                                 "\"FileStreamSource\", \"file\": \"/tmp/\\u00e9 x\"}}";
    char location[128];
    snprintf(location, sizeof(location), "%sconnectors/files", http_recorder_url(fx->leader));
    http_recorder_answer(fx->leader, 201, "application/json",
                         "{\"name\":\"files\",\"config\":{},\"tasks\":[],\"type\":\"source\"}",
                         location);
    assert_int_equal(follower_send(fx, "POST", "/connectors", create, NULL, &answer), 201);
    expect_at_leader(fx, "POST", "/connectors?forward=true", create);
    assert_string_equal(answer.body.data,
                        "{\"name\":\"files\",\"config\":{},\"tasks\":[],\"type\":\"source\"}");
    assert_string_equal(answer.content_type, "application/json");
    assert_string_equal(answer.location, "/connectors/files");

    /* Update with forward=true (a first hop already made): the second hop says false; the
     * path keeps its encoding, other arguments stay. */
    static const char config[] = "{\"connector.class\":\"FileStreamSource\",\"tasks.max\":\"1\"}";
    http_recorder_answer(fx->leader, 200, "application/json", "{\"name\":\"a/b\"}", NULL);
    assert_int_equal(follower_send(fx, "PUT", "/connectors/a%2Fb/config?forward=true&x=1+2",
                                   config, NULL, &answer), 200);
    expect_at_leader(fx, "PUT", "/connectors/a%2Fb/config?forward=false&x=1+2", config);
    assert_string_equal(answer.body.data, "{\"name\":\"a/b\"}");

    /* Delete: 204, nothing more. */
    http_recorder_answer(fx->leader, 204, NULL, NULL, NULL);
    assert_int_equal(follower_send(fx, "DELETE", "/connectors/files", NULL, NULL, &answer),
                     204);
    expect_at_leader(fx, "DELETE", "/connectors/files?forward=true", NULL);
    assert_int_equal(answer.body.len, 0);

    /* Restart with its arguments. */
    http_recorder_answer(fx->leader, 202, "application/json",
                         "{\"name\":\"files\",\"connector\":{\"state\":\"RESTARTING\"}}", NULL);
    assert_int_equal(follower_send(fx, "POST",
                                   "/connectors/files/restart?includeTasks=true&onlyFailed=false",
                                   NULL, NULL, &answer), 202);
    expect_at_leader(fx, "POST",
                     "/connectors/files/restart?forward=true&includeTasks=true&onlyFailed=false",
                     NULL);
    assert_non_null(strstr(answer.body.data, "RESTARTING"));

    /* The leader's errors come back as they are. */
    http_recorder_answer(fx->leader, 404, "application/json",
                         "{\"error_code\":404,\"message\":\"Connector nope not found\"}", NULL);
    assert_int_equal(follower_send(fx, "PUT", "/connectors/nope/pause", NULL, NULL,
                                   &answer), 404);
    expect_at_leader(fx, "PUT", "/connectors/nope/pause?forward=true", NULL);
    expect_error(&answer, 404, "Connector nope not found");
    cluster_client_response_clear(&answer);
}

static void test_not_forwarded(void **state)
{
    fixture *fx = *state;
    cluster_client_response answer = {0};
    size_t before = http_recorder_count(fx->leader);

    /* Already forwarded twice: the leader moved during the request. */
    follower_send(fx, "DELETE", "/connectors/files?forward=false", NULL, NULL, &answer);
    expect_error(&answer, 409, CONFLICT);
    follower_send(fx, "POST", "/connectors/files/restart?forward=FALSE", NULL, NULL,
                  &answer);
    expect_error(&answer, 409, CONFLICT);

    /* No leader known. */
    follower_leader_set("");
    follower_send(fx, "PUT", "/connectors/files/stop", NULL, NULL, &answer);
    expect_error(&answer, 409, NO_LEADER);
    follower_send(fx, "DELETE", "/connectors/files?forward=false", NULL, NULL, &answer);
    expect_error(&answer, 409, CONFLICT);
    assert_int_equal(http_recorder_count(fx->leader), before);

    /* A leader nobody answers for. */
    http_recorder *gone = http_recorder_start();
    follower_leader_set(http_recorder_url(gone));
    http_recorder_stop(gone);
    int64_t started = clock_monotonic_ms();
    follower_send(fx, "DELETE", "/connectors/files", NULL, NULL, &answer);
    assert_true(clock_monotonic_ms() - started < 3000);
    expect_error(&answer, 500, "IO Error trying to forward REST request: DELETE ");
    expect_error(&answer, 500, "/connectors/files?forward=true: Couldn't connect to server");
    follower_leader_set(http_recorder_url(fx->leader));
    cluster_client_response_clear(&answer);
}

static void test_internal_tasks_request(void **state)
{
    fixture *fx = *state;
    cluster_client_response answer = {0};
    static const char *const json_only[] = {"Content-Type: application/json", NULL};

    /* Bodies that are not task configs; no user credentials needed. */
    follower_send(fx, "POST", "/connectors/files/tasks", "[{\"a\":", json_only, &answer);
    expect_error(&answer, 400, "Malformed JSON in the request body");
    follower_send(fx, "POST", "/connectors/files/tasks", "{\"a\":\"b\"}", json_only,
                  &answer);
    expect_error(&answer, 400, "must be a JSON array");
    follower_send(fx, "POST", "/connectors/files/tasks", "[{\"a\":\"b\"}, [\"c\"]]",
                  json_only, &answer);
    expect_error(&answer, 400, "Task configuration 1 must be a JSON object");
    follower_send(fx, "POST", "/connectors/files/tasks", "[{\"a\":\"b\", \"n\": 1}]",
                  json_only, &answer);
    expect_error(&answer, 400, "Task configuration 0: the value of 'n' must be a string");
    follower_send(fx, "POST", "/connectors/files/tasks", NULL, json_only, &answer);
    expect_error(&answer, 400, "The request body is empty");
    assert_int_equal(follower.tasks_calls, 0);

    /* A signed one: the herder gets the bytes and headers as received; as a follower's, it is
     * forwarded with them. */
    static const char configs[] = "[{\"task.class\": \"T\",\"file\":\"x\"} , {}]";
    static const char *const signed_headers[] = {
        "Content-Type: application/json", "X-Connect-Authorization: c2lnbmF0dXJl",
        "X-Connect-Request-Signature-Algorithm: HmacSHA256", NULL};
    http_recorder_answer(fx->leader, 204, NULL, NULL, NULL);
    assert_int_equal(follower_send(fx, "POST", "/connectors/a%20b/tasks", configs,
                                   signed_headers, &answer), 204);
    assert_int_equal(follower.tasks_calls, 1);
    assert_string_equal(follower.tasks_name, "a b");
    assert_string_equal(follower.tasks_body, configs);
    assert_string_equal(follower.tasks_signature, "c2lnbmF0dXJl");
    assert_string_equal(follower.tasks_algorithm, "HmacSHA256");
    assert_int_equal(follower.tasks_count, 2);
    http_recorded got;
    http_recorder_get(fx->leader, http_recorder_count(fx->leader) - 1, &got);
    assert_string_equal(got.target, "/connectors/a%20b/tasks?forward=true");
    assert_string_equal(got.signature, "c2lnbmF0dXJl");
    assert_string_equal(got.algorithm, "HmacSHA256");
    assert_string_equal(got.authorization, "");
    assert_string_equal(got.body, configs);
    http_recorded_clear(&got);

    /* Other writes still need credentials. */
    follower_send(fx, "DELETE", "/connectors/files", NULL, json_only, &answer);
    expect_error(&answer, 401, "Authentication required");
    cluster_client_response_clear(&answer);
}

static int standalone_setup(void **state)
{
    static fixture alone;
    alone = (fixture){0};
    int port = free_port();
    alone.worker = worker_embedded(port);
    alone.herder = standalone_herder_new(alone.worker);
    assert_non_null(alone.herder);
    char why[512];
    alone.server = rest_server_start(alone.worker, alone.herder, why, sizeof(why));
    if (!alone.server)
        fail_msg("rest_server_start: %s", why);
    snprintf(alone.base, sizeof(alone.base), "http://127.0.0.1:%d", port);
    *state = &alone;
    return 0;
}

static void test_standalone_refuses_tasks(void **state)
{
    fixture *fx = *state;
    cluster_client_response answer = {0};
    static const char *const json_only[] = {"Content-Type: application/json", NULL};
    follower_send(fx, "POST", "/connectors/files/tasks", "[{\"a\":\"b\"}]", json_only,
                  &answer);
    expect_error(&answer, 400, "Kafka Connect in standalone mode does not support externally "
                               "setting task configurations.");
    cluster_client_response_clear(&answer);
}

static int follower_setup(void **state)
{
    static fixture shared;
    shared = (fixture){0};
    follower.base.ops = &follower_ops;
    fixture_start(&shared, &follower.base);
    *state = &shared;
    return 0;
}

int main(void)
{
    log_configure(stderr, FERRY_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_reach_the_leader),
        cmocka_unit_test(test_not_forwarded),
        cmocka_unit_test(test_internal_tasks_request),
    };
    const struct CMUnitTest standalone[] = {
        cmocka_unit_test(test_standalone_refuses_tasks),
    };
    int failed = cmocka_run_group_tests_name("follower", tests, follower_setup,
                                             fixture_teardown);
    failed += cmocka_run_group_tests_name("standalone", standalone, standalone_setup,
                                          fixture_teardown);
    return failed;
}
