/*
 * rest_load.c - a small closed-loop HTTP/1.1 load generator in the manner of wrk, for the REST
 * API benchmark: CONNECTIONS keep-alive connections spread over THREADS threads (epoll), each
 * connection sending its next GET as soon as the previous answer has arrived. Every latency is
 * recorded (send of the request to the last byte of the answer) and the percentiles are over
 * all requests. The client must cost little CPU: on a 2-core machine it shares the cores with
 * the server and the broker, so it parses only what it needs (status line, Content-Length).
 *
 *   rest_load HOST PORT THREADS CONNECTIONS SECONDS PATH [PATH ...]
 *
 * Each request picks one of the paths at random. The first second is warm-up, not recorded.
 * Any answer other than 200 counts as an error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support/array.h"

typedef struct connection {
    int fd;
    int64_t sent_ns;
    char buffer[65536];
    size_t used;
} connection;

typedef struct loader {
    pthread_t thread;
    struct sockaddr_in address;
    const char *host;
    char *const *paths;
    int path_count;
    int connections;
    int64_t warm_until_ns;
    int64_t end_ns;
    double *latencies_ms;
    size_t count, capacity;
    long errors;
} loader;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int send_request(loader *self, connection *c, unsigned *seed)
{
    char request[1024];
    int len = snprintf(request, sizeof(request),
                       "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n\r\n",
                       self->paths[rand_r(seed) % (unsigned)self->path_count], self->host);
    c->sent_ns = now_ns();
    c->used = 0;
    return send(c->fd, request, (size_t)len, MSG_NOSIGNAL) == len ? 0 : -1;
}

/* 1 when the buffer holds a whole answer (status in *status), 0 when more is needed. */
static int answer_complete(const connection *c, int *status)
{
    const char *end = memmem(c->buffer, c->used, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t header_len = (size_t)(end - c->buffer) + 4;
    *status = atoi(c->buffer + 9); /* "HTTP/1.1 200" */
    long length = 0;
    const char *cl = memmem(c->buffer, header_len, "Content-Length:", 15);
    if (!cl)
        cl = memmem(c->buffer, header_len, "content-length:", 15);
    if (cl)
        length = atol(cl + 15);
    return c->used >= header_len + (size_t)length;
}

static void record(loader *self, int64_t started, int64_t ended, int status)
{
    if (started < self->warm_until_ns)
        return;
    if (status != 200)
        self->errors++;
    if (array_reserve(&self->latencies_ms, &self->capacity, self->count + 1,
                      sizeof(*self->latencies_ms)) != 0)
        abort();
    self->latencies_ms[self->count++] = (double)(ended - started) / 1e6;
}

static void *loader_main(void *argument)
{
    loader *self = argument;
    unsigned seed = (unsigned)(uintptr_t)self;
    int epoll = epoll_create1(0);
    connection *connections = calloc((size_t)self->connections, sizeof(*connections));
    for (int i = 0; i < self->connections; i++) {
        connection *c = &connections[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(c->fd, (struct sockaddr *)&self->address, sizeof(self->address)) != 0) {
            perror("connect");
            exit(1);
        }
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event);
        if (send_request(self, c, &seed) != 0) {
            perror("send");
            exit(1);
        }
    }
    struct epoll_event events[256];
    while (now_ns() < self->end_ns) {
        int n = epoll_wait(epoll, events, 256, 100);
        for (int i = 0; i < n; i++) {
            connection *c = events[i].data.ptr;
            ssize_t got = recv(c->fd, c->buffer + c->used, sizeof(c->buffer) - c->used - 1, 0);
            if (got <= 0) {
                fprintf(stderr, "connection closed by the server\n");
                exit(1);
            }
            c->used += (size_t)got;
            int status = 0;
            if (!answer_complete(c, &status))
                continue;
            record(self, c->sent_ns, now_ns(), status);
            if (send_request(self, c, &seed) != 0) {
                perror("send");
                exit(1);
            }
        }
    }
    for (int i = 0; i < self->connections; i++)
        close(connections[i].fd);
    free(connections);
    close(epoll);
    return NULL;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: rest_load HOST PORT THREADS CONNECTIONS SECONDS PATH...\n");
        return 2;
    }
    int threads = atoi(argv[3]), connections = atoi(argv[4]), seconds = atoi(argv[5]);
    if (threads <= 0 || connections < threads || seconds <= 0)
        return 2;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) {
        fprintf(stderr, "HOST must be an IPv4 address\n");
        return 2;
    }
    loader *all = calloc((size_t)threads, sizeof(*all));
    int64_t start = now_ns();
    for (int i = 0; i < threads; i++) {
        all[i] = (loader){.address = address, .host = argv[1], .paths = argv + 6,
                          .path_count = argc - 6,
                          .connections = connections / threads + (i < connections % threads),
                          .warm_until_ns = start + 1000000000LL,
                          .end_ns = start + (int64_t)(seconds + 1) * 1000000000LL};
        pthread_create(&all[i].thread, NULL, loader_main, &all[i]);
    }
    size_t total = 0;
    long errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(all[i].thread, NULL);
        total += all[i].count;
        errors += all[i].errors;
    }
    double *latencies = malloc((total ? total : 1) * sizeof(*latencies));
    size_t used = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(latencies + used, all[i].latencies_ms, all[i].count * sizeof(*latencies));
        used += all[i].count;
        free(all[i].latencies_ms);
    }
    qsort(latencies, total, sizeof(*latencies), compare);
    double sum = 0;
    for (size_t i = 0; i < total; i++)
        sum += latencies[i];
#define PERCENTILE(p) (total ? latencies[(size_t)((double)(total - 1) * (p))] : 0.0)
    printf("requests %zu  errors %ld  throughput %.0f/s\n", total, errors,
           (double)total / seconds);
    printf("latency ms: mean %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
           total ? sum / (double)total : 0.0, PERCENTILE(0.50), PERCENTILE(0.90),
           PERCENTILE(0.99), PERCENTILE(0.999), total ? latencies[total - 1] : 0.0);
    printf("p99_ms=%.3f\n", PERCENTILE(0.99));
    free(latencies);
    free(all);
    return errors > 0 ? 1 : 0;
}
