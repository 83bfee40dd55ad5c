/*
 * raw_producer.c - the baseline of the source benchmark: what librdkafka alone does with the
 * records SequenceSource makes, on one thread, with the settings ferry's source task uses.
 *
 *   raw_producer BOOTSTRAP TOPIC COUNT RECORD_BYTES [SOURCE_PARTITIONS [BATCH]] [KEY=VALUE...]
 *
 * Records: round-robin over SOURCE_PARTITIONS (default 4) source partitions p, key "<p>", value
 * "<p>:<n>" padded with 'x' to RECORD_BYTES, partition left to the partitioner, timestamp now,
 * copied by librdkafka (RD_KAFKA_MSG_F_COPY), as SequenceSource and ferry's source task do.
 * Producer: enable.idempotence=true and acks=all, everything else librdkafka's defaults, which
 * is what ferry's producer gets when the worker sets no producer.* key (linger.ms 5,
 * batch.num.messages 10000, batch.size 1000000, queue.buffering.max.messages 100000).
 * KEY=VALUE arguments are further librdkafka settings (run.sh passes BENCH_PRODUCER_PROPS to ferry
 * and to this tool alike).
 * Loop: BATCH (default 10000, SequenceSource's batch.size in the benchmark) records, then
 * rd_kafka_poll(0); a full queue is served with rd_kafka_poll(10), as ferry's task does.
 *
 * Prints "FIRST_NS LAST_ACK_NS ACKED" (wall clock, ns since the epoch) on stdout; exit 1 when a
 * record was not delivered. A benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

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
            fprintf(stderr, "raw_producer: delivery failed: %s\n",
                    rd_kafka_err2str(message->err));
        return;
    }
    acked++;
    last_ack_ns = now_ns();
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: raw_producer BOOTSTRAP TOPIC COUNT RECORD_BYTES "
                        "[SOURCE_PARTITIONS [BATCH]] [KEY=VALUE...]\n");
        return 2;
    }
    const char *topic = argv[2];
    int64_t count = strtoll(argv[3], NULL, 10);
    size_t record_bytes = (size_t)strtoull(argv[4], NULL, 10);
    int positional = 5;
    while (positional < argc && !strchr(argv[positional], '='))
        positional++;
    int sources = positional > 5 ? atoi(argv[5]) : 4;
    int64_t batch = positional > 6 ? strtoll(argv[6], NULL, 10) : 10000;
    if (count < 1 || sources < 1 || batch < 1) {
        fprintf(stderr, "raw_producer: COUNT, SOURCE_PARTITIONS and BATCH must be positive\n");
        return 2;
    }

    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "acks", "all", why, sizeof(why))) {
        fprintf(stderr, "raw_producer: %s\n", why);
        return 2;
    }
    for (int i = positional; i < argc; i++) {
        char *setting = strdup(argv[i]);
        char *equals = setting ? strchr(setting, '=') : NULL;
        if (!equals) {
            fprintf(stderr, "raw_producer: '%s' is not KEY=VALUE\n", argv[i]);
            return 2;
        }
        *equals = '\0';
        if (rd_kafka_conf_set(conf, setting, equals + 1, why, sizeof(why))) {
            fprintf(stderr, "raw_producer: %s\n", why);
            return 2;
        }
        free(setting);
    }
    rd_kafka_conf_set_dr_msg_cb(conf, delivered);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!rk) {
        fprintf(stderr, "raw_producer: %s\n", why);
        return 2;
    }

    size_t capacity = record_bytes > 40 ? record_bytes : 40;
    char *value = malloc(capacity + 1);
    int64_t *next = calloc((size_t)sources, sizeof(*next));
    if (!value || !next)
        return 2;
    int64_t per_source = count / sources, extra = count % sources;

    int64_t first_ns = now_ns();
    int64_t produced = 0;
    int source = 0;
    while (produced < count) {
        for (int64_t i = 0; i < batch && produced < count; i++) {
            /* Round-robin over the source partitions that still have records. */
            while (next[source] >= per_source + (source < extra ? 1 : 0))
                source = (source + 1) % sources;
            char key[16];
            int key_len = snprintf(key, sizeof(key), "%d", source);
            size_t value_len = (size_t)snprintf(value, capacity + 1, "%d:%" PRId64, source,
                                                next[source]);
            if (value_len < record_bytes) {
                memset(value + value_len, 'x', record_bytes - value_len);
                value_len = record_bytes;
            }
            for (;;) {
                rd_kafka_resp_err_t code = rd_kafka_producev(
                    rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
                    RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_TIMESTAMP(0),
                    RD_KAFKA_V_OPAQUE((void *)(uintptr_t)produced), RD_KAFKA_V_END);
                if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
                    break;
                if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    fprintf(stderr, "raw_producer: produce failed: %s\n", rd_kafka_err2str(code));
                    return 1;
                }
                rd_kafka_poll(rk, 10);
            }
            next[source]++;
            produced++;
            source = (source + 1) % sources;
        }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_resp_err_t code = rd_kafka_flush(rk, 120000);
    printf("%" PRId64 " %" PRId64 " %" PRId64 "\n", first_ns, last_ack_ns, acked);
    if (code || failed || acked != count)
        fprintf(stderr, "raw_producer: %" PRId64 " of %" PRId64 " acknowledged, %" PRId64
                " failed%s\n", acked, count, failed, code ? " (flush timed out)" : "");
    rd_kafka_destroy(rk);
    free(value);
    free(next);
    return code || failed || acked != count ? 1 : 0;
}
