/*
 * raw_file_producer.c - the baseline of the file benchmark: what librdkafka alone does with the
 * lines of a file, on one thread, with the settings ferry's source task uses.
 *
 *   raw_file_producer BOOTSTRAP TOPIC FILE [BATCH] [KEY=VALUE...]
 *
 * The file is read in 1 MiB chunks (memory stays flat whatever its size) and split at '\n'; each
 * line, without its newline, is one record: null key, partition left to the partitioner,
 * timestamp now, copied by librdkafka (RD_KAFKA_MSG_F_COPY), as FileSource and ferry's source
 * task do. Producer: enable.idempotence=true and acks=all, librdkafka's defaults for the rest
 * (what ferry's producer gets when the worker sets no producer.* key). KEY=VALUE arguments are
 * further librdkafka settings. Loop: BATCH (default 10000) records, then rd_kafka_poll(0); a full
 * queue is served with rd_kafka_poll(10), as ferry's task does.
 *
 * Prints "FIRST_NS LAST_ACK_NS ACKED MAX_RSS_KB" on stdout (wall clock, ns since the epoch; the
 * process's peak resident size); exit 1 when a record was not delivered. A benchmark helper, not
 * part of ferry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define CHUNK (1 << 20)

static int64_t acked;
static int64_t failed;
static int64_t last_ack_ns;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void delivered(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (message->err) {
        if (failed++ == 0)
            fprintf(stderr, "raw_file_producer: delivery failed: %s\n",
                    rd_kafka_err2str(message->err));
        return;
    }
    acked++;
    last_ack_ns = now_ns();
}

static rd_kafka_t *producer_new(const char *bootstrap, char **settings, int count)
{
    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "acks", "all", why, sizeof(why))) {
        fprintf(stderr, "raw_file_producer: %s\n", why);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        char *equals = strchr(settings[i], '=');
        if (!equals) {
            fprintf(stderr, "raw_file_producer: '%s' is not KEY=VALUE\n", settings[i]);
            return NULL;
        }
        *equals = '\0';
        if (rd_kafka_conf_set(conf, settings[i], equals + 1, why, sizeof(why))) {
            fprintf(stderr, "raw_file_producer: %s\n", why);
            return NULL;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, delivered);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!rk)
        fprintf(stderr, "raw_file_producer: %s\n", why);
    return rk;
}

static int produce_line(rd_kafka_t *rk, const char *topic, const char *line, size_t len)
{
    for (;;) {
        rd_kafka_resp_err_t code = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE((void *)line, len),
            RD_KAFKA_V_TIMESTAMP(0), RD_KAFKA_V_END);
        if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
            return 0;
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "raw_file_producer: produce failed: %s\n", rd_kafka_err2str(code));
            return -1;
        }
        rd_kafka_poll(rk, 10);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: raw_file_producer BOOTSTRAP TOPIC FILE [BATCH] [KEY=VALUE...]\n");
        return 2;
    }
    const char *topic = argv[2];
    int settings = 4;
    int64_t batch = 10000;
    if (argc > 4 && !strchr(argv[4], '=')) {
        batch = strtoll(argv[4], NULL, 10);
        settings = 5;
    }
    if (batch < 1) {
        fprintf(stderr, "raw_file_producer: BATCH must be positive\n");
        return 2;
    }
    int fd = open(argv[3], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "raw_file_producer: cannot open %s: %s\n", argv[3], strerror(errno));
        return 2;
    }
    rd_kafka_t *rk = producer_new(argv[1], argv + settings, argc - settings);
    char *buffer = malloc(2 * CHUNK);
    if (!rk || !buffer)
        return 2;

    int64_t first_ns = now_ns(), produced = 0, in_batch = 0;
    size_t pending = 0; /* bytes of an unfinished line at the front of the buffer */
    for (;;) {
        ssize_t n = read(fd, buffer + pending, 2 * CHUNK - pending);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t end = pending + (size_t)n, start = 0;
        for (char *newline; (newline = memchr(buffer + start, '\n', end - start));) {
            size_t length = (size_t)(newline - buffer) - start;
            if (produce_line(rk, topic, buffer + start, length) != 0)
                return 1;
            produced++;
            start += length + 1;
            if (++in_batch == batch) {
                rd_kafka_poll(rk, 0);
                in_batch = 0;
            }
        }
        pending = end - start;
        memmove(buffer, buffer + start, pending);
    }
    close(fd);
    rd_kafka_flush(rk, 120000);
    rd_kafka_destroy(rk);
    free(buffer);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%" PRId64 " %" PRId64 " %" PRId64 " %ld\n", first_ns, last_ack_ns, acked,
           usage.ru_maxrss);
    return failed || acked != produced ? 1 : 0;
}
