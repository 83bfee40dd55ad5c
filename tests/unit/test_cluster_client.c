/*
 * test_cluster_client.c - the HTTP client between workers against a recording HTTP server:
 * method, target, headers and body sent exactly, the answer read back, the signed task configs
 * request (its signature verifies; a 403 is retried, signed anew), and the errors of a
 * connection refused and of a timeout, within the timeout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster_client.h"
#include "cluster/request_signature.h"
#include "http_recorder.h"
#include "support/clock.h"

static const unsigned char test_key[32] = "0123456789abcdef0123456789abcdef";

static void test_send_relays_exactly(void **state)
{
    (void)state;
    http_recorder *server = http_recorder_start();
    http_recorder_answer(server, 201, "application/json; charset=utf-8", "{\"name\":\"a b\"}",
                         "/connectors/a%20b");
    char url[256];
    snprintf(url, sizeof(url), "%sconnectors/a%%2Fb/config?forward=false&x=1+2",
             http_recorder_url(server));
    static const char body[] = "{\"k\": \"v\u00e9\"}\n";
    const char *headers[] = {"Content-Type: application/json", "Authorization: Basic dTpw",
                             NULL};
    cluster_client_request request = {.method = "PUT", .url = url, .headers = headers,
                                      .body = body, .body_len = sizeof(body) - 1,
                                      .timeout_ms = 5000};
    cluster_client_response response = {0};
    char err[512];
    assert_int_equal(cluster_client_send(&request, &response, err, sizeof(err)), 0);
    assert_int_equal(response.status, 201);
    assert_string_equal(response.body.data, "{\"name\":\"a b\"}");
    assert_string_equal(response.content_type, "application/json; charset=utf-8");
    assert_string_equal(response.location, "/connectors/a%20b");

    http_recorded got;
    assert_int_equal(http_recorder_count(server), 1);
    http_recorder_get(server, 0, &got);
    assert_string_equal(got.method, "PUT");
    assert_string_equal(got.target, "/connectors/a%2Fb/config?forward=false&x=1+2");
    assert_string_equal(got.content_type, "application/json");
    assert_string_equal(got.authorization, "Basic dTpw");
    assert_int_equal(got.body_len, sizeof(body) - 1);
    assert_memory_equal(got.body, body, sizeof(body) - 1);
    http_recorded_clear(&got);

    /* A write without a body sends none, and no Content-Type of libcurl's own. */
    const char *none[] = {NULL};
    request = (cluster_client_request){.method = "POST", .url = url, .headers = none,
                                      .timeout_ms = 5000};
    http_recorder_answer(server, 204, NULL, NULL, NULL);
    assert_int_equal(cluster_client_send(&request, &response, err, sizeof(err)), 0);
    assert_int_equal(response.status, 204);
    assert_string_equal(response.content_type, "");
    http_recorder_get(server, 1, &got);
    assert_string_equal(got.method, "POST");
    assert_string_equal(got.content_type, "");
    assert_int_equal(got.body_len, 0);
    http_recorded_clear(&got);

    request.method = "DELETE";
    assert_int_equal(cluster_client_send(&request, &response, err, sizeof(err)), 0);
    http_recorder_get(server, 2, &got);
    assert_string_equal(got.method, "DELETE");
    http_recorded_clear(&got);

    cluster_client_response_clear(&response);
    http_recorder_stop(server);
}

static void test_refused_and_timeout(void **state)
{
    (void)state;
    /* A port nobody listens on any more. */
    http_recorder *gone = http_recorder_start();
    char url[256];
    snprintf(url, sizeof(url), "%sconnectors", http_recorder_url(gone));
    http_recorder_stop(gone);
    cluster_client_request request = {.method = "GET", .url = url, .timeout_ms = 2000};
    cluster_client_response response = {0};
    char err[512];
    int64_t started = clock_monotonic_ms();
    assert_int_equal(cluster_client_send(&request, &response, err, sizeof(err)), -1);
    assert_true(clock_monotonic_ms() - started < 2000);
    assert_non_null(strstr(err, url));
    assert_non_null(strstr(err, "GET "));
    assert_non_null(strstr(err, "Couldn't connect to server"));
    assert_int_equal(response.status, 0);

    http_recorder *slow = http_recorder_start();
    http_recorder_delay(slow, 2000);
    snprintf(url, sizeof(url), "%sconnectors", http_recorder_url(slow));
    request = (cluster_client_request){.method = "GET", .url = url, .timeout_ms = 300};
    started = clock_monotonic_ms();
    assert_int_equal(cluster_client_send(&request, &response, err, sizeof(err)), -1);
    int64_t elapsed = clock_monotonic_ms() - started;
    assert_true(elapsed >= 250 && elapsed < 1500);
    assert_non_null(strstr(err, url));
    assert_non_null(strstr(err, "Timeout was reached"));
    http_recorder_stop(slow);
}

/* Verifies what the leader received as a ferry or Kafka Connect leader would. */
static void expect_signed(const http_recorded *got, const char *configs)
{
    strlist permitted = {0};
    assert_int_equal(strlist_append(&permitted, "HmacSHA256", 10), 0);
    request_signature_key key = {.bytes = test_key, .len = sizeof(test_key),
                                 .algorithm = "HmacSHA256"};
    char err[256];
    assert_string_equal(got->method, "POST");
    assert_string_equal(got->content_type, "application/json");
    assert_string_equal(got->algorithm, "HmacSHA256");
    assert_int_equal(got->body_len, strlen(configs));
    assert_memory_equal(got->body, configs, strlen(configs));
    assert_int_equal(request_signature_verify(got->algorithm, got->signature, got->body,
                                              got->body_len, &permitted, &key, err,
                                              sizeof(err)),
                     REQUEST_SIGNATURE_VALID);
    strlist_free(&permitted);
}

static void test_tasks_put_signed_and_retried(void **state)
{
    (void)state;
    http_recorder *leader = http_recorder_start();
    http_recorder_answer(leader, 204, NULL, NULL, NULL);
    http_recorder_forbid_next(leader, 2);
    static const char configs[] = "[{\"task.class\":\"FileStreamSourceTask\",\"file\":\"/x y\"},"
                                  "{\"k\":\"\\u00e9\"}]";
    cluster_client_fixed_key key = {.algorithm = "HmacSHA256", .key = test_key,
                                    .key_len = sizeof(test_key)};
    cluster_client_tasks request = {
        .leader_url = http_recorder_url(leader), .connector = "files/a b",
        .configs = configs, .configs_len = sizeof(configs) - 1,
        .sign = cluster_client_sign_fixed, .sign_opaque = &key, .timeout_ms = 5000,
    };
    long status = -1;
    char err[512];
    int64_t started = clock_monotonic_ms();
    assert_int_equal(cluster_client_tasks_put(&request, &status, err, sizeof(err)), 0);
    assert_int_equal(status, 204);
    /* Two refusals, two pauses (250 ms, 500 ms), then the answer. */
    assert_true(clock_monotonic_ms() - started >= 700);
    assert_int_equal(http_recorder_count(leader), 3);
    for (size_t i = 0; i < 3; i++) {
        http_recorded got;
        http_recorder_get(leader, i, &got);
        assert_string_equal(got.target, "/connectors/files%2Fa%20b/tasks");
        expect_signed(&got, configs);
        http_recorded_clear(&got);
    }

    /* Another refusal is reported with the leader's message. */
    http_recorder_answer(leader, 400, "application/json",
                         "{\"error_code\":400,\"message\":\"Internal request missing required "
                         "signature\"}", NULL);
    assert_int_equal(cluster_client_tasks_put(&request, &status, err, sizeof(err)), -1);
    assert_int_equal(status, 400);
    assert_non_null(strstr(err, "the leader answered 400: Internal request missing required "
                                "signature"));
    assert_non_null(strstr(err, "/connectors/files%2Fa%20b/tasks"));
    http_recorder_stop(leader);
}

static void test_tasks_put_stops_retrying(void **state)
{
    (void)state;
    http_recorder *leader = http_recorder_start();
    http_recorder_forbid_next(leader, 1000);
    cluster_client_fixed_key key = {.algorithm = "HmacSHA256", .key = test_key,
                                    .key_len = sizeof(test_key)};
    atomic_bool stop = true; /* the worker is stopping: it gives up at once, never retries */
    cluster_client_tasks request = {
        .leader_url = http_recorder_url(leader), .connector = "c", .configs = "[]",
        .configs_len = 2, .sign = cluster_client_sign_fixed, .sign_opaque = &key,
        .timeout_ms = 5000, .stop = &stop,
    };
    long status = 0;
    char err[512];
    int64_t started = clock_monotonic_ms();
    assert_int_equal(cluster_client_tasks_put(&request, &status, err, sizeof(err)), -1);
    assert_true(clock_monotonic_ms() - started < 2000);
    assert_int_equal(status, 0);
    assert_non_null(strstr(err, "given up, the worker is stopping"));
    assert_true(http_recorder_count(leader) <= 1);
    http_recorder_stop(leader);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_relays_exactly),
        cmocka_unit_test(test_refused_and_timeout),
        cmocka_unit_test(test_tasks_put_signed_and_retried),
        cmocka_unit_test(test_tasks_put_stops_retrying),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
