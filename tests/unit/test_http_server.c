/*
 * test_http_server.c - the HTTP server over loopback sockets (IPv4 and IPv6) with a small
 * handler: answers, keep-alive and pipelining, HEAD, answers from another thread, Expect:
 * 100-continue, a refusal before the body, protocol errors as JSON and sent once, oversized
 * bodies answered 413 (never a reset), the head and body deadlines, a half-closed request
 * released at once, the limits of connections per client address, accepting paused (one log
 * line) when descriptors run out, draining before a stop, and TLS (an answer, a protocol error,
 * a handshake that never comes) with a generated certificate and with the key and chain of JKS
 * and PKCS12 keystores made by keytool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "support/java_keystore.h"

#include "base/log.h"
#include "rest/http_server.h"
#include "support/clock.h"

#define MAX_BODY 1024

typedef struct fixture {
    http_server *server;
    int port;
    int port6;
} fixture;

static void handler_head(void *context, http_exchange *exchange)
{
    (void)context;
    if (strcmp(http_exchange_path(exchange), "/deny") == 0)
        http_exchange_respond(exchange, 401, "application/json", NULL, 0, "{\"no\":1}", 8);
}

static void answer_echo(http_exchange *exchange)
{
    size_t body_len = 0;
    const char *body = http_exchange_body(exchange, &body_len);
    char text[4096];
    int n = snprintf(text, sizeof(text), "%s %s ?%s [%.*s]", http_exchange_method(exchange),
                     http_exchange_path(exchange), http_exchange_query(exchange), (int)body_len,
                     body ? body : "");
    http_header extra = {"X-Peer", http_exchange_peer(exchange)};
    http_exchange_respond(exchange, 200, "text/plain", &extra, 1, text, (size_t)n);
}

/* /thread answers from another thread; /async is resumed from it, and answers on the event
 * thread. */
static void *answer_later(void *argument)
{
    http_exchange *exchange = argument;
    struct timespec pause = {0, 50 * 1000000L};
    nanosleep(&pause, NULL);
    if (strcmp(http_exchange_path(exchange), "/async") == 0)
        http_exchange_resume(exchange);
    else
        answer_echo(exchange);
    return NULL;
}

static void handler_resumed(void *context, http_exchange *exchange)
{
    (void)context;
    answer_echo(exchange);
}

static void handler_request(void *context, http_exchange *exchange)
{
    (void)context;
    if (strcmp(http_exchange_path(exchange), "/async") == 0 ||
        strcmp(http_exchange_path(exchange), "/thread") == 0) {
        pthread_t thread;
        assert_int_equal(pthread_create(&thread, NULL, answer_later, exchange), 0);
        pthread_detach(thread);
        return;
    }
    if (strcmp(http_exchange_path(exchange), "/empty") == 0) {
        http_exchange_respond(exchange, 204, NULL, NULL, 0, NULL, 0);
        return;
    }
    answer_echo(exchange);
}

static void handler_complete(void *context, http_exchange *exchange, unsigned status,
                             bool written)
{
    (void)context;
    (void)exchange;
    (void)status;
    (void)written;
}

/* The test's server: short deadlines, 3 connections per address. */
static fixture *server_start(const http_listen *listen_at, size_t count,
                             const http_tls_material *tls)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    http_server_config config = {
        .listeners = listen_at, .listener_count = count, .tls = tls, .max_body = MAX_BODY,
        .drain_max = 64 * 1024, .threads = 2, .max_connections = 64, .max_per_address = 3,
        .head_timeout_ms = 500, .body_timeout_ms = 700, .idle_timeout_ms = 5000,
        .write_timeout_ms = 5000,
    };
    http_handler handler = {.head = handler_head, .request = handler_request,
                            .resumed = handler_resumed, .complete = handler_complete};
    char err[256];
    f->server = http_server_start(&config, &handler, err, sizeof(err));
    if (!f->server)
        fail_msg("%s", err);
    f->port = http_server_port(f->server, 0);
    assert_true(f->port > 0);
    return f;
}

static int setup(void **state)
{
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_in6 address6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    http_listen listen_at[] = {
        {"http://127.0.0.1:0", (struct sockaddr *)&address, sizeof(address), false},
        {"http://[::1]:0", (struct sockaddr *)&address6, sizeof(address6), false},
    };
    fixture *f = server_start(listen_at, 2, NULL);
    f->port6 = http_server_port(f->server, 1);
    assert_true(f->port6 > 0);
    *state = f;
    return 0;
}

/* A self-signed certificate and its key, as PEM (malloc'd by GnuTLS). */
static void certificate_make(gnutls_datum_t *certificate, gnutls_datum_t *key_pem)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    assert_int_equal(gnutls_x509_privkey_init(&key), 0);
    assert_int_equal(gnutls_x509_privkey_generate(
                         key, GNUTLS_PK_ECDSA,
                         GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    gnutls_x509_crt_set_version(crt, 3);
    unsigned char serial[4] = {1, 2, 3, 4};
    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    gnutls_x509_crt_set_activation_time(crt, time(NULL) - 3600);
    gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 3600);
    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
    assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
    assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
    assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, certificate), 0);
    assert_int_equal(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, key_pem), 0);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

/* The same server on an https listener. */
static int setup_tls(void **state)
{
    gnutls_datum_t certificate, key;
    certificate_make(&certificate, &key);
    /* PEM text, NUL-terminated */
    char *certificate_text = strndup((const char *)certificate.data, certificate.size);
    char *key_text = strndup((const char *)key.data, key.size);
    gnutls_free(certificate.data);
    gnutls_free(key.data);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    http_listen listen_at = {"https://127.0.0.1:0", (struct sockaddr *)&address,
                             sizeof(address), true};
    http_tls_material tls = {certificate_text, key_text, NULL,
                             "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
    fixture *f = server_start(&listen_at, 1, &tls);
    free(certificate_text);
    free(key_text);
    *state = f;
    return 0;
}

/* The same https server with its certificate and key from a Java keystore made by keytool
 * (tests/unit/fixtures/java_keystore), read as the REST listener reads one. */
static int setup_keystore(void **state, const char *store, const char *type)
{
    char path[512];
    char err[512];
    snprintf(path, sizeof(path), "%s/%s", JAVA_KEYSTORE_FIXTURES, store);
    java_keystore_source source = {.location = path, .type = type, .store_password = "storepass",
                                   .key_password = "keypass1"};
    java_keystore_key key;
    if (java_keystore_read_key(&source, &key, err, sizeof(err)) != JAVA_KEYSTORE_OK)
        fail_msg("%s", err);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    http_listen listen_at = {"https://127.0.0.1:0", (struct sockaddr *)&address,
                             sizeof(address), true};
    http_tls_material tls = {key.certificates, key.key, NULL,
                             "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
    *state = server_start(&listen_at, 1, &tls);
    java_keystore_key_clear(&key);
    return 0;
}

static int setup_jks(void **state)
{
    return setup_keystore(state, "client.jks", "JKS");
}

static int setup_pkcs12(void **state)
{
    return setup_keystore(state, "client.p12", "PKCS12");
}

static int teardown(void **state)
{
    fixture *f = *state;
    http_server_quiesce(f->server);
    http_server_stop(f->server);
    free(f);
    return 0;
}

static int client_connect(int port, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (from) {
        struct sockaddr_in local = {.sin_family = AF_INET};
        inet_pton(AF_INET, from, &local.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&local, sizeof(local)), 0);
    }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    return fd;
}

static void client_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0)
            return; /* the server may close first: what it answered is still readable */
        data += n;
        len -= (size_t)n;
    }
}

/* Reads until the end of the stream or timeout_ms; returns the length (NUL-terminated). A
 * reset sets *reset. */
static size_t client_read(int fd, char *out, size_t outlen, int timeout_ms, bool *reset)
{
    size_t len = 0;
    int64_t end = clock_monotonic_ms() + timeout_ms;
    if (reset)
        *reset = false;
    while (len + 1 < outlen) {
        int left = (int)(end - clock_monotonic_ms());
        if (left <= 0)
            break;
        struct pollfd poller = {.fd = fd, .events = POLLIN};
        if (poll(&poller, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, out + len, outlen - 1 - len, 0);
        if (n < 0 && reset && errno == ECONNRESET)
            *reset = true;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
    return len;
}

static size_t count_of(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        count++;
    return count;
}

/* One request on a new connection; the whole answer (the server closes: Connection: close),
 * which must not end in a reset. */
static void exchange_once(fixture *f, const char *request, size_t len, char *out, size_t outlen)
{
    int fd = client_connect(f->port, NULL);
    client_send(fd, request, len);
    bool reset = false;
    client_read(fd, out, outlen, 3000, &reset);
    close(fd);
    assert_false(reset);
}

static void test_answers_and_keep_alive(void **state)
{
    fixture *f = *state;
    char out[8192];
    const char pipelined[] = "POST /a?x=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
                             "HEAD /b HTTP/1.1\r\n\r\n"
                             "GET /empty HTTP/1.1\r\n\r\n"
                             "GET /thread HTTP/1.1\r\n\r\n"
                             "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "3\r\nabc\r\n0\r\n\r\n"
                             "GET /async HTTP/1.1\r\nConnection: close\r\n\r\n";
    exchange_once(f, pipelined, sizeof(pipelined) - 1, out, sizeof(out));
    assert_int_equal(count_of(out, "HTTP/1.1 200 OK\r\n"), 5);
    assert_non_null(strstr(out, "GET /thread ? []"));
    assert_int_equal(count_of(out, "HTTP/1.1 204 No Content\r\n"), 1);
    assert_non_null(strstr(out, "POST /a ?x=1 [hi]"));
    assert_non_null(strstr(out, "Content-Length: 12\r\n")); /* HEAD: GET's length ... */
    assert_null(strstr(out, "HEAD /b"));                    /* ... without the body */
    assert_non_null(strstr(out, "POST /c ? [abc]"));
    assert_non_null(strstr(out, "X-Peer: 127.0.0.1\r\n"));
    assert_non_null(strstr(out, "GET /async ? []"));
    assert_int_equal(count_of(out, "Connection: close\r\n"), 1);
    assert_true(strstr(out, "Connection: close\r\n") > strstr(out, "[abc]"));
    /* The order is the requests' order. */
    assert_true(strstr(out, "[hi]") < strstr(out, "[abc]"));

    /* The IPv6 listener. */
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 address6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                                    .sin6_port = htons((uint16_t)f->port6)};
    assert_int_equal(connect(fd, (struct sockaddr *)&address6, sizeof(address6)), 0);
    const char six[] = "GET /six HTTP/1.1\r\nConnection: close\r\n\r\n";
    client_send(fd, six, sizeof(six) - 1);
    client_read(fd, out, sizeof(out), 3000, NULL);
    close(fd);
    assert_non_null(strstr(out, "GET /six ? []"));
    assert_non_null(strstr(out, "X-Peer: ::1\r\n"));

    const char old[] = "GET /old HTTP/1.0\r\n\r\n";
    exchange_once(f, old, sizeof(old) - 1, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Connection: close\r\n"));
}

static void test_continue_and_refusals(void **state)
{
    fixture *f = *state;
    char out[8192];
    /* 100-continue, then the body, then the answer. */
    int fd = client_connect(f->port, NULL);
    const char head[] = "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"
                        "Connection: close\r\n\r\n";
    client_send(fd, head, sizeof(head) - 1);
    client_read(fd, out, 26, 2000, NULL);
    assert_string_equal(out, "HTTP/1.1 100 Continue\r\n\r\n");
    client_send(fd, "abc", 3);
    client_read(fd, out, sizeof(out), 2000, NULL);
    assert_non_null(strstr(out, "PUT /x ? [abc]"));
    close(fd);

    /* Refused by the head callback: the body is read and dropped, the connection goes on. */
    const char denied[] = "POST /deny HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                          "GET /next HTTP/1.1\r\nConnection: close\r\n\r\n";
    exchange_once(f, denied, sizeof(denied) - 1, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 401 Unauthorized\r\n"));
    assert_non_null(strstr(out, "GET /next ? []"));

    /* A body over the limit, declared: read to its end, then 413, as JSON. */
    char *big = malloc(40000);
    assert_non_null(big);
    int n = snprintf(big, 40000, "POST /a HTTP/1.1\r\nContent-Length: 30000\r\n"
                     "Connection: close\r\n\r\n");
    memset(big + n, 'x', 30000);
    for (int attempt = 0; attempt < 10; attempt++) {
        exchange_once(f, big, (size_t)n + 30000, out, sizeof(out));
        assert_non_null(strstr(out, "HTTP/1.1 413 Payload Too Large\r\n"));
        assert_non_null(strstr(out, "Content-Type: application/json\r\n"));
        assert_non_null(strstr(out, "{\"error_code\":413,\"message\":\"The request body is "
                                    "larger than rest.request.max.bytes (1024 bytes)\"}"));
    }
    /* Sent chunked: likewise. */
    n = snprintf(big, 40000, "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                 "Connection: close\r\n\r\n7530\r\n");
    memset(big + n, 'x', 30000);
    n += 30000;
    n += snprintf(big + n, 40000 - (size_t)n, "\r\n0\r\n\r\n");
    exchange_once(f, big, (size_t)n, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 413 Payload Too Large\r\n"));
    /* Declared beyond what is drained: answered at once, still never a reset. */
    n = snprintf(big, 40000, "POST /a HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n");
    memset(big + n, 'x', 30000);
    exchange_once(f, big, (size_t)n + 30000, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 413 Payload Too Large\r\n"));
    free(big);
    /* Over the limit with Expect: the answer comes before the body. */
    fd = client_connect(f->port, NULL);
    const char expect[] = "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n";
    client_send(fd, expect, sizeof(expect) - 1);
    client_read(fd, out, sizeof(out), 2000, NULL);
    close(fd);
    assert_non_null(strstr(out, "HTTP/1.1 413 Payload Too Large\r\n"));
    assert_null(strstr(out, "100 Continue"));
}

static void test_protocol_errors_are_json_and_sent_once(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *request;
        size_t len;
        const char *status_line;
    } cases[] = {
#define CASE(r, s) {r, sizeof(r) - 1, s}
        CASE("DELETE /connectors/victim\0garbage HTTP/1.1\r\n\r\n", "400 Bad Request"),
        CASE("DELETE /connectors/victim%00garbage HTTP/1.1\r\n\r\n", "400 Bad Request"),
        CASE("GET /connectors/%zz HTTP/1.1\r\n\r\n", "400 Bad Request"),
        CASE("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400 Bad Request"),
        CASE("POST /a HTTP/1.1\r\nContent-Length: 18446744073709551617\r\n\r\n",
             "400 Bad Request"),
        CASE("GET / HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported"),
        CASE("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "400 Bad Request"),
        CASE("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented"),
#undef CASE
    };
    char out[8192];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        exchange_once(f, cases[i].request, cases[i].len, out, sizeof(out));
        char expected[64];
        snprintf(expected, sizeof(expected), "HTTP/1.1 %s\r\n", cases[i].status_line);
        if (strncmp(out, expected, strlen(expected)) != 0)
            fail_msg("case %zu: %s", i, out);
        /* one status line, one set of headers */
        assert_int_equal(count_of(out, "HTTP/1.1 "), 1);
        assert_int_equal(count_of(out, "Content-Length: "), 1);
        assert_non_null(strstr(out, "Content-Type: application/json\r\n"));
        assert_non_null(strstr(out, "{\"error_code\":"));
    }
    /* A target of 9000 bytes, headers of 9000 bytes. */
    char *big = malloc(20000);
    assert_non_null(big);
    int n = snprintf(big, 20000, "GET /");
    memset(big + n, 'a', 9000);
    n += 9000;
    n += snprintf(big + n, 20000 - (size_t)n, " HTTP/1.1\r\n\r\n");
    exchange_once(f, big, (size_t)n, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 414 URI Too Long\r\n"));
    assert_non_null(strstr(out, "{\"error_code\":414,"));
    n = snprintf(big, 20000, "GET / HTTP/1.1\r\nX-Big: ");
    memset(big + n, 'a', 9000);
    n += 9000;
    n += snprintf(big + n, 20000 - (size_t)n, "\r\n\r\n");
    exchange_once(f, big, (size_t)n, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
    assert_non_null(strstr(out, "{\"error_code\":431,"));
    free(big);
}

static void test_deadlines(void **state)
{
    fixture *f = *state;
    char out[4096];
    /* Headers that never end: 408 after the head deadline (500 ms here). */
    int64_t start = clock_monotonic_ms();
    int fd = client_connect(f->port, NULL);
    client_send(fd, "GET / HTTP/1.1\r\nX-Slow: ", 24);
    client_read(fd, out, sizeof(out), 3000, NULL);
    close(fd);
    assert_non_null(strstr(out, "HTTP/1.1 408 Request Timeout\r\n"));
    assert_non_null(strstr(out, "{\"error_code\":408,"));
    assert_true(clock_monotonic_ms() - start < 1500);

    /* A body that never ends: 408 after the body deadline (700 ms here). */
    start = clock_monotonic_ms();
    fd = client_connect(f->port, NULL);
    const char partial[] = "POST /a HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc";
    client_send(fd, partial, sizeof(partial) - 1);
    client_read(fd, out, sizeof(out), 3000, NULL);
    close(fd);
    assert_non_null(strstr(out, "HTTP/1.1 408 Request Timeout\r\n"));
    assert_true(clock_monotonic_ms() - start < 1700);

    /* A body declared longer than sent, then half-closed: released at once. */
    start = clock_monotonic_ms();
    fd = client_connect(f->port, NULL);
    client_send(fd, partial, sizeof(partial) - 1);
    shutdown(fd, SHUT_WR);
    size_t len = client_read(fd, out, sizeof(out), 3000, NULL);
    close(fd);
    assert_true(len > 0);
    assert_non_null(strstr(out, "HTTP/1.1 400 Bad Request\r\n"));
    assert_true(clock_monotonic_ms() - start < 500);
}

static void test_connection_limits(void **state)
{
    fixture *f = *state;
    char out[4096];
    /* Three from 127.0.0.1 are held; the fourth gets a JSON 503 and is closed. */
    int held[3];
    for (int i = 0; i < 3; i++)
        held[i] = client_connect(f->port, "127.0.0.1");
    struct timespec pause = {0, 100 * 1000000L};
    nanosleep(&pause, NULL);
    int refused = client_connect(f->port, "127.0.0.1");
    client_read(refused, out, sizeof(out), 2000, NULL);
    close(refused);
    assert_non_null(strstr(out, "HTTP/1.1 503 Service Unavailable\r\n"));
    assert_non_null(strstr(out, "{\"error_code\":503,"));
    /* Another address is still served, and so are the held connections. */
    int other = client_connect(f->port, "127.0.0.2");
    const char request[] = "GET /other HTTP/1.1\r\nConnection: close\r\n\r\n";
    client_send(other, request, sizeof(request) - 1);
    client_read(other, out, sizeof(out), 2000, NULL);
    close(other);
    assert_non_null(strstr(out, "GET /other"));
    client_send(held[0], request, sizeof(request) - 1);
    client_read(held[0], out, sizeof(out), 2000, NULL);
    assert_non_null(strstr(out, "GET /other"));
    for (int i = 0; i < 3; i++)
        close(held[i]);
    /* Once they are gone, the address is served again. */
    nanosleep(&pause, NULL);
    exchange_once(f, request, sizeof(request) - 1, out, sizeof(out));
    assert_non_null(strstr(out, "GET /other"));
}

static size_t open_descriptors(void)
{
    size_t count = 0;
    DIR *dir = opendir("/proc/self/fd");
    assert_non_null(dir);
    int highest = 0;
    for (struct dirent *entry = readdir(dir); entry; entry = readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        count++;
        if (atoi(entry->d_name) > highest)
            highest = atoi(entry->d_name);
    }
    closedir(dir);
    return (size_t)highest + 1 > count ? (size_t)highest + 1 : count;
}

/* Out of descriptors, the server pauses accepting and says so once, instead of a busy loop of
 * failures and log lines; the waiting client is served once descriptors are back. */
static void test_accept_backs_off(void **state)
{
    fixture *f = *state;
    FILE *captured = tmpfile();
    assert_non_null(captured);
    log_configure(captured, FERRY_LOG_INFO);
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    /* The client's socket first; then no descriptor is left for the server to accept it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct rlimit tight = saved;
    tight.rlim_cur = open_descriptors();
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
    int fillers[1024]; /* the free numbers below the limit, taken */
    size_t filler_count = 0;
    while (filler_count < 1024 && (fillers[filler_count] = dup(fd)) >= 0)
        filler_count++;
    assert_true(filler_count < 1024);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    const char request[] = "GET /later HTTP/1.1\r\nConnection: close\r\n\r\n";
    client_send(fd, request, sizeof(request) - 1);
    struct timespec pause = {1, 200 * 1000000L};
    nanosleep(&pause, NULL);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    for (size_t i = 0; i < filler_count; i++)
        close(fillers[i]);
    char out[4096];
    client_read(fd, out, sizeof(out), 3000, NULL);
    close(fd);
    log_configure(NULL, FERRY_LOG_INFO);
    assert_non_null(strstr(out, "GET /later ? []"));
    char log[8192];
    rewind(captured);
    size_t len = fread(log, 1, sizeof(log) - 1, captured);
    log[len] = '\0';
    fclose(captured);
    assert_int_equal(count_of(log, "cannot accept connections"), 1);
    assert_non_null(strstr(log, "Too many open files"));
}

/* Draining: no new connection, idle ones closed, the request in progress answered with its
 * connection closed. */
static void test_drain(void **state)
{
    fixture *f = *state;
    char out[4096];
    const char request[] = "GET /kept HTTP/1.1\r\n\r\n";
    int idle = client_connect(f->port, NULL);
    client_send(idle, request, sizeof(request) - 1);
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < 100 && !strstr(out, "[]"); i++) { /* the answer; the connection stays */
        ssize_t n = recv(idle, out + len, sizeof(out) - 1 - len, MSG_DONTWAIT);
        if (n > 0)
            len += (size_t)n;
        out[len] = '\0';
        struct timespec wait = {0, 20 * 1000000L};
        nanosleep(&wait, NULL);
    }
    assert_non_null(strstr(out, "GET /kept ? []"));
    int busy = client_connect(f->port, NULL);
    const char started[] = "GET /busy HTTP/1.1\r\n";
    client_send(busy, started, sizeof(started) - 1);
    struct timespec pause = {0, 100 * 1000000L};
    nanosleep(&pause, NULL);
    assert_int_equal(http_server_connections(f->server), 2);

    http_server_drain(f->server);
    bool reset = false;
    assert_int_equal(client_read(idle, out, sizeof(out), 2000, &reset), 0); /* closed */
    close(idle);
    int refused = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_not_equal(connect(refused, (struct sockaddr *)&address, sizeof(address)), 0);
    close(refused);
    client_send(busy, "\r\n", 2);
    client_read(busy, out, sizeof(out), 2000, NULL);
    close(busy);
    assert_non_null(strstr(out, "Connection: close\r\n"));
    assert_non_null(strstr(out, "GET /busy ? []"));
    for (int i = 0; i < 50 && http_server_connections(f->server) > 0; i++)
        nanosleep(&pause, NULL);
    assert_int_equal(http_server_connections(f->server), 0);
}

/* One request over TLS on a new connection; the whole answer. */
static void tls_exchange(fixture *f, const char *request, char *out, size_t outlen)
{
    int fd = client_connect(f->port, NULL);
    gnutls_session_t session;
    gnutls_certificate_credentials_t credentials;
    assert_int_equal(gnutls_certificate_allocate_credentials(&credentials), 0);
    assert_int_equal(gnutls_init(&session, GNUTLS_CLIENT), 0);
    assert_int_equal(gnutls_set_default_priority(session), 0);
    assert_int_equal(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials), 0);
    gnutls_transport_set_int(session, fd);
    int rc;
    do
        rc = gnutls_handshake(session);
    while (rc < 0 && !gnutls_error_is_fatal(rc));
    assert_int_equal(rc, 0);
    assert_int_equal(gnutls_record_send(session, request, strlen(request)),
                     (ssize_t)strlen(request));
    size_t len = 0;
    for (;;) {
        ssize_t n = gnutls_record_recv(session, out + len, outlen - 1 - len);
        if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
            continue;
        if (n <= 0 || len + (size_t)n + 1 >= outlen)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(credentials);
    close(fd);
}

static void test_tls(void **state)
{
    fixture *f = *state;
    char out[8192];
    tls_exchange(f, "POST /tls HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
                 out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "POST /tls ? [hi]"));
    tls_exchange(f, "GET / HTTP/2.0\r\n\r\n", out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 505 HTTP Version Not Supported\r\n"));
    assert_non_null(strstr(out, "{\"error_code\":505,"));
    /* A handshake that never comes is closed at the head deadline (500 ms here). */
    int64_t start = clock_monotonic_ms();
    int fd = client_connect(f->port, NULL);
    client_read(fd, out, sizeof(out), 3000, NULL);
    close(fd);
    assert_true(clock_monotonic_ms() - start < 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answers_and_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continue_and_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protocol_errors_are_json_and_sent_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deadlines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls, setup_tls, teardown),
        cmocka_unit_test_setup_teardown(test_tls, setup_jks, teardown),
        cmocka_unit_test_setup_teardown(test_tls, setup_pkcs12, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
