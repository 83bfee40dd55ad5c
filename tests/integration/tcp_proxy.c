/* tcp_proxy.c - see tcp_proxy.h. */
#include "tcp_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static void tcp_proxy_accept(tcp_proxy *p)
{
    int client = accept(p->listener, NULL, NULL);
    if (client < 0)
        return;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (p->count == TCP_PROXY_PAIRS || server < 0 ||
        connect(server, (struct sockaddr *)&p->target, sizeof p->target) != 0) {
        close(client);
        if (server >= 0)
            close(server);
        return;
    }
    p->pairs[p->count++] = (tcp_proxy_pair){.client = client, .server = server};
}

static bool tcp_proxy_send_all(int fd, const char *data, ssize_t len)
{
    while (len > 0) {
        ssize_t sent = send(fd, data, (size_t)len, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        data += sent;
        len -= sent;
    }
    return true;
}

/* Moves what one side sent to the other. A client that goes away leaves its server
 * connection open and unanswered (what the server sees of a dead host); what the server sends
 * it then is dropped. A server that closes closes its client. */
static void tcp_proxy_forward(tcp_proxy_pair *pair, bool from_client)
{
    char buffer[65536];
    ssize_t len = recv(from_client ? pair->client : pair->server, buffer, sizeof buffer, 0);
    if (len < 0 && errno == EINTR)
        return;
    if (from_client) {
        if (len <= 0 || !tcp_proxy_send_all(pair->server, buffer, len)) {
            close(pair->client);
            pair->client = -1;
        }
        return;
    }
    if (len <= 0) {
        close(pair->server);
        pair->server = -1;
        if (pair->client >= 0)
            close(pair->client);
        pair->client = -1;
        return;
    }
    if (pair->client >= 0 && !tcp_proxy_send_all(pair->client, buffer, len)) {
        close(pair->client);
        pair->client = -1;
    }
}

static void *tcp_proxy_run(void *arg)
{
    tcp_proxy *p = arg;
    for (;;) {
        struct pollfd fds[2 + 2 * TCP_PROXY_PAIRS];
        size_t owner[2 + 2 * TCP_PROXY_PAIRS];
        size_t n = 0;
        fds[n++] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = p->listener, .events = POLLIN};
        for (size_t i = 0; i < p->count; i++) {
            if (p->pairs[i].client >= 0) {
                owner[n] = i;
                fds[n++] = (struct pollfd){.fd = p->pairs[i].client, .events = POLLIN};
            }
            if (p->pairs[i].server >= 0) {
                owner[n] = i;
                fds[n++] = (struct pollfd){.fd = p->pairs[i].server, .events = POLLIN};
            }
        }
        if (poll(fds, n, -1) < 0 && errno != EINTR)
            return NULL;
        if (fds[0].revents) {
            char command = 'x';
            if (read(p->wake[0], &command, 1) != 1 || command != 'c')
                return NULL;
            /* 'c': the network between the clients and the server breaks on the clients' side
             * only: every client sees its connection close, the server sees nothing */
            for (size_t i = 0; i < p->count; i++) {
                if (p->pairs[i].client >= 0)
                    close(p->pairs[i].client);
                p->pairs[i].client = -1;
            }
            continue;
        }
        if (fds[1].revents)
            tcp_proxy_accept(p);
        for (size_t k = 2; k < n; k++) {
            if (!fds[k].revents)
                continue;
            tcp_proxy_pair *pair = &p->pairs[owner[k]];
            bool from_client = fds[k].fd == pair->client;
            if (fds[k].fd == pair->client || fds[k].fd == pair->server)
                tcp_proxy_forward(pair, from_client);
        }
    }
}

tcp_proxy *tcp_proxy_start(const char *host, const char *port)
{
    tcp_proxy *p = calloc(1, sizeof(*p));
    assert_non_null(p);
    p->target.sin_family = AF_INET;
    p->target.sin_port = htons((uint16_t)atoi(port));
    assert_int_equal(inet_pton(AF_INET, host, &p->target.sin_addr), 1);
    p->listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->listener >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(p->listener, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(listen(p->listener, 16), 0);
    socklen_t len = sizeof address;
    assert_int_equal(getsockname(p->listener, (struct sockaddr *)&address, &len), 0);
    p->port = ntohs(address.sin_port);
    assert_int_equal(pipe(p->wake), 0);
    assert_int_equal(pthread_create(&p->thread, NULL, tcp_proxy_run, p), 0);
    return p;
}

/* Closes the client side of every connection through the proxy, leaving the server's open. */
void tcp_proxy_cut_clients(tcp_proxy *p)
{
    assert_int_equal(write(p->wake[1], "c", 1), 1);
}

/* Stops the proxy and closes every connection through it (the server sees the stale ones go). */
void tcp_proxy_stop(tcp_proxy *p)
{
    if (!p)
        return;
    assert_int_equal(write(p->wake[1], "x", 1), 1);
    pthread_join(p->thread, NULL);
    for (size_t i = 0; i < p->count; i++) {
        if (p->pairs[i].client >= 0)
            close(p->pairs[i].client);
        if (p->pairs[i].server >= 0)
            close(p->pairs[i].server);
    }
    close(p->listener);
    close(p->wake[0]);
    close(p->wake[1]);
    free(p);
}
