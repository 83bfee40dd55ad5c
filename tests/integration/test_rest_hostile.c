/*
 * test_rest_hostile.c - the REST API of the real binary against hostile or careless clients,
 * over raw sockets:
 *   - a NUL byte or a malformed percent-encoding in the path or query is a 400, and
 *     `DELETE /connectors/victim\0garbage` leaves `victim` alone;
 *   - every error the HTTP layer produces (400, 413, 414, 431, 505) is Kafka Connect's JSON;
 *   - Content-Length -1 and 2^64+1 get one well-formed 400 (nothing sent twice);
 *   - an oversized body is always read as a 413, never a reset;
 *   - a body declared longer than what is sent, then half-closed, is released at once;
 *   - a flood of slow connections from 127.0.0.2-9 is bounded (per address and in total) while
 *     /health and GET /connectors from 127.0.0.1 answer within a second, and the slow ones get
 *     408 at the head deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define FLOOD_ADDRESSES 8
#define FLOOD_PER_ADDRESS 140
#define FLOOD_SECONDS 6

static int port;

static int raw_connect(const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval timeout = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    if (from) {
        struct sockaddr_in local = {.sin_family = AF_INET};
        inet_pton(AF_INET, from, &local.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&local, sizeof(local)), 0);
    }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void raw_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the server answered and closed first: its answer is still readable */
        data += n;
        len -= (size_t)n;
    }
}

/* Whether out holds a whole answer: its head and the Content-Length bytes after it. */
static bool raw_answer_complete(const char *out, size_t len)
{
    const char *end = strstr(out, "\r\n\r\n");
    const char *length = strstr(out, "Content-Length: ");
    if (!end || !length || length > end)
        return false;
    return (size_t)(end + 4 - out) + strtoul(length + 16, NULL, 10) <= len;
}

/* Reads until the end of the stream, a whole answer, or timeout_ms. */
static size_t raw_read(int fd, char *out, size_t outlen, int timeout_ms, bool *reset)
{
    size_t len = 0;
    int64_t end = fp_now_ms() + timeout_ms;
    *reset = false;
    while (len + 1 < outlen) {
        int left = (int)(end - fp_now_ms());
        struct pollfd poller = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&poller, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, out + len, outlen - 1 - len, 0);
        if (n < 0 && errno == ECONNRESET)
            *reset = true;
        if (n <= 0)
            break;
        len += (size_t)n;
        out[len] = '\0';
        if (raw_answer_complete(out, len))
            break;
    }
    out[len] = '\0';
    return len;
}

/* One request on a new connection from 127.0.0.1; the whole answer. */
static void raw_exchange(const char *request, size_t len, char *out, size_t outlen)
{
    int fd = raw_connect(NULL);
    assert_true(fd >= 0);
    raw_send(fd, request, len);
    bool reset = false;
    raw_read(fd, out, outlen, 5000, &reset);
    close(fd);
    assert_false(reset);
}

static size_t count_of(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        count++;
    return count;
}

/* The answer is one JSON error with this status. */
static void assert_json_error(const char *answer, unsigned status, const char *what)
{
    char line[64], code[64];
    snprintf(line, sizeof(line), "HTTP/1.1 %u ", status);
    snprintf(code, sizeof(code), "{\"error_code\":%u,\"message\":\"", status);
    if (strncmp(answer, line, strlen(line)) != 0 || count_of(answer, "HTTP/1.1 ") != 1 ||
        count_of(answer, "Content-Length: ") != 1 ||
        !strstr(answer, "Content-Type: application/json\r\n") || !strstr(answer, code))
        fail_msg("%s: expected one JSON %u answer, got: %.400s", what, status, answer);
}

static void check_targets(rc_client *client, const char *victim)
{
    char out[8192];
    static const struct {
        const char *request;
        size_t len;
    } bad[] = {
#define BAD(r) {r, sizeof(r) - 1}
        BAD("DELETE /connectors/VICTIM\0garbage HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        BAD("DELETE /connectors/VICTIM%00garbage HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        BAD("DELETE /connectors/VICTIM?x=\0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        BAD("DELETE /connectors/VICTIM%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        BAD("DELETE /connectors/VICTIM%4 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        BAD("GET /connectors?expand=%g0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
#undef BAD
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* the victim's name in place of VICTIM, NUL bytes kept */
        char request[512];
        const char *at = memmem(bad[i].request, bad[i].len, "VICTIM", 6);
        size_t len = 0;
        if (at) {
            size_t before = (size_t)(at - bad[i].request);
            memcpy(request, bad[i].request, before);
            len = before;
            memcpy(request + len, victim, strlen(victim));
            len += strlen(victim);
            memcpy(request + len, at + 6, bad[i].len - before - 6);
            len += bad[i].len - before - 6;
        } else {
            memcpy(request, bad[i].request, bad[i].len);
            len = bad[i].len;
        }
        raw_exchange(request, len, out, sizeof(out));
        char what[32];
        snprintf(what, sizeof(what), "bad target %zu", i);
        assert_json_error(out, 400, what);
    }
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s", victim);
    json_decref(rc_expect(client, "GET", path, NULL, 200));
}

static void check_protocol_errors(void)
{
    char out[8192];
    char *big = malloc(200 * 1024);
    assert_non_null(big);
    int n = snprintf(big, 20000, "GET /");
    memset(big + n, 'a', 9000);
    n += 9000;
    n += snprintf(big + n, 20000 - (size_t)n, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    raw_exchange(big, (size_t)n, out, sizeof(out));
    assert_json_error(out, 414, "a target of 9000 bytes");
    n = snprintf(big, 20000, "GET /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
    memset(big + n, 'a', 9000);
    n += 9000;
    n += snprintf(big + n, 20000 - (size_t)n, "\r\n\r\n");
    raw_exchange(big, (size_t)n, out, sizeof(out));
    assert_json_error(out, 431, "headers of 9000 bytes");

    static const struct {
        const char *request;
        unsigned status;
    } cases[] = {
        {"GET /connectors HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505},
        {"GET /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n folded\r\n\r\n", 400},
        {"POST /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: -1\r\n\r\n{}", 400},
        {"POST /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: 18446744073709551617\r\n\r\n{}", 400},
        {"PUT /connectors/x/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
         "Content-Length: 3\r\n\r\n{}", 400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        raw_exchange(cases[i].request, strlen(cases[i].request), out, sizeof(out));
        char what[32];
        snprintf(what, sizeof(what), "protocol case %zu", i);
        assert_json_error(out, cases[i].status, what);
    }

    /* 100 KB against a 64 KB limit, twenty times: always the 413, never a reset. */
    n = snprintf(big, 200 * 1024, "POST /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", 100 * 1024);
    memset(big + n, ' ', 100 * 1024);
    for (int attempt = 0; attempt < 20; attempt++) {
        raw_exchange(big, (size_t)n + 100 * 1024, out, sizeof(out));
        assert_json_error(out, 413, "a body of 100 KB");
        assert_non_null(strstr(out, "rest.request.max.bytes"));
    }
    free(big);

    /* A body declared longer than sent, then half-closed: answered and closed at once, not
     * after a timeout. */
    int64_t start = fp_now_ms();
    int fd = raw_connect(NULL);
    assert_true(fd >= 0);
    const char partial[] = "POST /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"na";
    raw_send(fd, partial, sizeof(partial) - 1);
    shutdown(fd, SHUT_WR);
    bool reset = false;
    raw_read(fd, out, sizeof(out), 10000, &reset);
    close(fd);
    assert_json_error(out, 400, "a half-closed body");
    assert_true(fp_now_ms() - start < 2000);
}

typedef struct flood {
    int fds[FLOOD_ADDRESSES * FLOOD_PER_ADDRESS];
    size_t count;
    atomic_bool stop;
} flood;

/* One byte a second on every flood connection, as a slow client would. */
static void *flood_trickle(void *argument)
{
    flood *state = argument;
    while (!atomic_load(&state->stop)) {
        for (size_t i = 0; i < state->count; i++)
            if (state->fds[i] >= 0)
                (void)!send(state->fds[i], "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        for (int i = 0; i < 10 && !atomic_load(&state->stop); i++)
            fp_sleep_ms(100);
    }
    return NULL;
}

/* A request from 127.0.0.1 answers 200 within a second. */
static void assert_answers_fast(rc_client *client, const char *path, const char *what)
{
    rc_response response;
    int64_t start = fp_now_ms();
    long status = rc_call(client, "GET", path, NULL, &response);
    int64_t took = fp_now_ms() - start;
    if (status != 200 || took >= 1000)
        fail_msg("%s %s during the flood: %ld in %lld ms (%s)", what, path, status,
                 (long long)took, response.error);
    rc_response_clear(&response);
}

static void check_flood(rc_client *client, fp_proc *proc, const char *base)
{
    /* A slow client of its own, to see the head deadline. */
    int slow = raw_connect("127.0.0.20");
    assert_true(slow >= 0);
    int64_t slow_start = fp_now_ms();
    raw_send(slow, "GET /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", 51);

    flood *state = calloc(1, sizeof(*state));
    assert_non_null(state);
    const char head[] = "GET /connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    for (int a = 0; a < FLOOD_ADDRESSES; a++) {
        char from[32];
        snprintf(from, sizeof(from), "127.0.0.%d", a + 2);
        for (int i = 0; i < FLOOD_PER_ADDRESS; i++) {
            int fd = raw_connect(from);
            if (fd >= 0) {
                fcntl(fd, F_SETFL, O_NONBLOCK);
                (void)!send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL);
            }
            state->fds[state->count++] = fd;
        }
    }
    pthread_t trickle;
    assert_int_equal(pthread_create(&trickle, NULL, flood_trickle, state), 0);
    /* While it lasts: a kept-alive client and new ones from 127.0.0.1 are served at once. */
    int64_t end = fp_now_ms() + FLOOD_SECONDS * 1000;
    int rounds = 0;
    while (fp_now_ms() < end) {
        assert_answers_fast(client, "/health", "a kept-alive connection");
        assert_answers_fast(client, "/connectors", "a kept-alive connection");
        rc_client *fresh = rc_new(base);
        assert_answers_fast(fresh, "/health", "a new connection");
        assert_answers_fast(fresh, "/connectors", "a new connection");
        rc_free(fresh);
        rounds++;
        fp_sleep_ms(200);
    }
    assert_true(rounds >= 10);
    /* Bounded: at most 128 per address were held, the rest were refused (503, closed). */
    size_t refused = 0;
    for (size_t i = 0; i < state->count; i++) {
        struct pollfd poller = {.fd = state->fds[i], .events = POLLIN};
        if (state->fds[i] < 0 || poll(&poller, 1, 0) > 0)
            refused++;
    }
    if (refused < FLOOD_ADDRESSES * (FLOOD_PER_ADDRESS - 128))
        fail_msg("only %zu of %zu flood connections were refused", refused, state->count);
    atomic_store(&state->stop, true);
    pthread_join(trickle, NULL);
    for (size_t i = 0; i < state->count; i++)
        if (state->fds[i] >= 0)
            close(state->fds[i]);
    free(state);

    /* The slow client gets 408 at the head deadline (10 s), not at the idle timeout. */
    char out[4096];
    bool reset = false;
    raw_read(slow, out, sizeof(out), (int)(slow_start + 15000 - fp_now_ms()), &reset);
    close(slow);
    assert_json_error(out, 408, "a slow head");
    assert_true(fp_now_ms() - slow_start < 15000);
    assert_answers_fast(client, "/health", "after the flood");
    /* The refusals are logged in a line or two with a count, not one line each. */
    char *log = fp_log(proc);
    size_t lines = count_of(log, "connection(s) since the last such line: too many connections");
    assert_true(lines >= 1 && lines <= 3);
    free(log);
}

static void test_hostile_clients(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_hostile");
    const char *topic = fp_name(env, "records");
    const char *victim = fp_name(env, "victim");
    kt_create_topic(topic, 1, NULL);
    const char *worker_file = fp_worker_file(env, "worker.properties", 500,
                                             "rest.request.max.bytes=65536\n");
    fp_proc *proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    port = fp_listener_port(env);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    rc_client *client = rc_new(base);
    assert_true(rc_wait_healthy(client, 60000));
    char body[512];
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"config\":{\"connector.class\":"
             "\"SequenceSource\",\"topic\":\"%s\",\"count\":\"0\"}}", victim, topic);
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));

    check_targets(client, victim);
    check_protocol_errors();
    check_flood(client, proc, base);

    rc_free(client);
    fp_stop(proc, 60000);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_clients),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
