/*
 * sink_delay.c - how long a record takes from the producer to a line in FileSink's output file.
 *
 *   sink_delay BOOTSTRAP TOPIC OUTPUT COUNT RATE TIMEOUT_MS
 *
 * A producer thread sends COUNT records to TOPIC at RATE records/s (each at its slot on a fixed
 * schedule, so a slow moment does not bunch the rest); a record's value is its number and the
 * time of its rd_kafka_producev call (CLOCK_MONOTONIC, ns), padded to 100 bytes. The main thread
 * reads OUTPUT as it grows (a 1 ms pause at its end) and takes, for each line, the time it was
 * read minus the time in it. Producer: acks=all, idempotent, librdkafka's defaults otherwise
 * (linger.ms 5), as an application would send; one untimed "warm-up" record goes first (its line
 * is not counted), so that connecting is not part of the first records' delay.
 *
 * Prints "SEEN P50_MS P99_MS MAX_MS" (the percentiles over the lines seen) once COUNT lines were
 * read or TIMEOUT_MS passed since the first record was sent; exit 1 when not all were seen. A
 * benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define VALUE_BYTES 100

typedef struct producer_args {
    rd_kafka_t *rk;
    const char *topic;
    int64_t count;
    double rate;
    int64_t start_ns;
} producer_args;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t at_ns)
{
    struct timespec ts = {.tv_sec = at_ns / 1000000000, .tv_nsec = at_ns % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static void *producer_main(void *opaque)
{
    producer_args *args = opaque;
    char value[VALUE_BYTES + 1];
    for (int64_t i = 0; i < args->count; i++) {
        sleep_until(args->start_ns + (int64_t)((double)i * 1e9 / args->rate));
        int len = snprintf(value, sizeof(value), "%012" PRId64 " %020" PRId64 " ", i, now_ns());
        memset(value + len, 'x', VALUE_BYTES - (size_t)len);
        while (rd_kafka_producev(args->rk, RD_KAFKA_V_TOPIC(args->topic),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_VALUE(value, VALUE_BYTES),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(args->rk, 10);
        rd_kafka_poll(args->rk, 0);
    }
    rd_kafka_flush(args->rk, 30000);
    return NULL;
}

static int compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_ms(const int64_t *sorted, int64_t n, double p)
{
    if (n == 0)
        return 0;
    int64_t index = (int64_t)(p * (double)(n - 1) + 0.5);
    return (double)sorted[index] / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: sink_delay BOOTSTRAP TOPIC OUTPUT COUNT RATE TIMEOUT_MS\n");
        return 2;
    }
    int64_t count = strtoll(argv[4], NULL, 10);
    double rate = strtod(argv[5], NULL);
    int64_t timeout_ns = strtoll(argv[6], NULL, 10) * 1000000;
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "acks", "all", errstr, sizeof(errstr))) {
        fprintf(stderr, "sink_delay: %s\n", errstr);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        fprintf(stderr, "sink_delay: %s\n", errstr);
        return 2;
    }
    int64_t *delays = calloc((size_t)count + 1, sizeof(*delays));
    char *buffer = malloc(1 << 20);
    if (!delays || !buffer)
        return 2;
    /* One untimed record first, acknowledged before the clock starts: the producer's connection
     * and idempotent producer id are not what is measured. The reader ignores its line. */
    if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_VALUE("warm-up", 7),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) != 0 ||
        rd_kafka_flush(rk, 30000) != 0) {
        fprintf(stderr, "sink_delay: cannot produce to %s\n", argv[2]);
        return 2;
    }
    producer_args args = {rk, argv[2], count, rate, now_ns() + 100000000};
    pthread_t producer;
    pthread_create(&producer, NULL, producer_main, &args);

    int fd = -1;
    size_t held = 0;
    int64_t seen = 0;
    while (seen < count && now_ns() - args.start_ns < timeout_ns) {
        if (fd < 0 && (fd = open(argv[3], O_RDONLY | O_CLOEXEC)) < 0) {
            usleep(1000);
            continue;
        }
        ssize_t n = read(fd, buffer + held, (1 << 20) - held);
        if (n <= 0) {
            usleep(1000);
            continue;
        }
        int64_t at = now_ns();
        held += (size_t)n;
        size_t start = 0;
        for (char *nl; (nl = memchr(buffer + start, '\n', held - start)); start = (size_t)(nl - buffer) + 1) {
            int64_t number, sent;
            if (sscanf(buffer + start, "%" SCNd64 " %" SCNd64, &number, &sent) == 2 &&
                seen < count)
                delays[seen++] = at - sent;
        }
        memmove(buffer, buffer + start, held - start);
        held -= start;
    }
    pthread_join(producer, NULL);
    rd_kafka_destroy(rk);
    qsort(delays, (size_t)seen, sizeof(*delays), compare);
    printf("%" PRId64 " %.1f %.1f %.1f\n", seen, percentile_ms(delays, seen, 0.50),
           percentile_ms(delays, seen, 0.99), seen ? (double)delays[seen - 1] / 1e6 : 0.0);
    if (fd >= 0)
        close(fd);
    free(buffer);
    free(delays);
    return seen == count ? 0 : 1;
}
