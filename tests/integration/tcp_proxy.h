/* tcp_proxy.h - a TCP proxy for the integration tests whose client side may die silently: when
 * a client (a worker killed -9) goes away, its server connection stays open and unanswered, which
 * is what a server sees of a dead host or a cut network (on loopback it would otherwise see the
 * close at once). The PostgreSQL take-over tests put it between ferry and the server, so that a
 * killed worker's walsender keeps holding its replication slot. */
#ifndef FERRY_TESTS_TCP_PROXY_H
#define FERRY_TESTS_TCP_PROXY_H

#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>

#define TCP_PROXY_PAIRS 32

typedef struct tcp_proxy_pair {
    int client; /* -1 once the client closed: the server's side stays open, unanswered */
    int server;
} tcp_proxy_pair;

typedef struct tcp_proxy {
    int listener;
    int port;
    int wake[2];
    struct sockaddr_in target;
    tcp_proxy_pair pairs[TCP_PROXY_PAIRS];
    size_t count;
    pthread_t thread;
} tcp_proxy;

/* Listens on a free loopback port (->port) and forwards to host:port (an IPv4 address); fails
 * the test when it cannot. */
tcp_proxy *tcp_proxy_start(const char *host, const char *port);
/* Closes the client side of every connection through the proxy, leaving the server's open. */
void tcp_proxy_cut_clients(tcp_proxy *p);
/* Stops the proxy and closes every connection through it (the server sees the stale ones go).
 * Accepts NULL. */
void tcp_proxy_stop(tcp_proxy *p);

#endif
