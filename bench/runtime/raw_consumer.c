/*
 * raw_consumer.c - the baseline of the sink benchmark: what librdkafka alone does to read a topic
 * in a consumer group, on one thread, with the settings ferry's sink task uses.
 *
 *   raw_consumer BOOTSTRAP TOPIC GROUP COUNT COMMIT_INTERVAL_MS TIMEOUT_MS [KEY=VALUE...]
 *
 * Consumer: group GROUP, subscribed to TOPIC, auto.offset.reset=earliest, enable.auto.commit and
 * enable.auto.offset.store false, a rebalance callback that assigns, everything else
 * librdkafka's defaults - as ferry's sink task. Reads with rd_kafka_consumer_poll (100 ms for
 * the first message of a batch, 0 after, batches of up to 500, as the sink task) and commits the
 * next offset of every partition that moved, synchronously, every COMMIT_INTERVAL_MS (ferry's
 * offset.flush.interval.ms) and once at the end. KEY=VALUE arguments are further librdkafka
 * settings (run.sh passes BENCH_CONSUMER_PROPS to ferry and to this tool alike). With
 * RAW_CONSUMER_HEADERS=1 in the environment it also asks every message for its headers and
 * timestamp, as ferry's sink task must (an experiment: librdkafka 2.0.2 allocates for that).
 *
 * Prints "FIRST_NS LAST_NS READ" (wall clock, ns since the epoch): when the first record and the
 * COUNT-th record were returned. Exit 1 when COUNT records were not read within TIMEOUT_MS.
 * A benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#define MAX_PARTITIONS 1024
#define BATCH_MAX 500

static int64_t next_offset[MAX_PARTITIONS];
static int64_t committed[MAX_PARTITIONS];

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t code,
                      rd_kafka_topic_partition_list_t *partitions, void *opaque)
{
    (void)opaque;
    if (code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        rd_kafka_assign(rk, partitions);
    else
        rd_kafka_assign(rk, NULL);
}

static void commit(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(4);
    for (int p = 0; p < MAX_PARTITIONS; p++)
        if (next_offset[p] > committed[p])
            rd_kafka_topic_partition_list_add(list, topic, p)->offset = next_offset[p];
    if (list->cnt > 0) {
        rd_kafka_resp_err_t code = rd_kafka_commit(rk, list, 0);
        if (code)
            fprintf(stderr, "raw_consumer: commit failed: %s\n", rd_kafka_err2str(code));
        else
            for (int i = 0; i < list->cnt; i++)
                committed[list->elems[i].partition] = list->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: raw_consumer BOOTSTRAP TOPIC GROUP COUNT COMMIT_INTERVAL_MS "
                        "TIMEOUT_MS [KEY=VALUE...]\n");
        return 2;
    }
    const char *topic = argv[2];
    int64_t count = strtoll(argv[4], NULL, 10);
    int64_t commit_interval_ns = strtoll(argv[5], NULL, 10) * 1000000;
    int64_t deadline = now_ns() + strtoll(argv[6], NULL, 10) * 1000000;

    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "group.id", argv[3], why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", why, sizeof(why))) {
        fprintf(stderr, "raw_consumer: %s\n", why);
        return 2;
    }
    for (int i = 7; i < argc; i++) {
        char *setting = strdup(argv[i]);
        char *equals = setting ? strchr(setting, '=') : NULL;
        if (!equals) {
            fprintf(stderr, "raw_consumer: '%s' is not KEY=VALUE\n", argv[i]);
            return 2;
        }
        *equals = '\0';
        if (rd_kafka_conf_set(conf, setting, equals + 1, why, sizeof(why))) {
            fprintf(stderr, "raw_consumer: %s\n", why);
            return 2;
        }
        free(setting);
    }
    const char *headers_env = getenv("RAW_CONSUMER_HEADERS");
    int read_headers = headers_env && headers_env[0] == '1';
    rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (!rk) {
        fprintf(stderr, "raw_consumer: %s\n", why);
        return 2;
    }
    rd_kafka_poll_set_consumer(rk);
    for (int p = 0; p < MAX_PARTITIONS; p++)
        next_offset[p] = committed[p] = -1;
    rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t code = rd_kafka_subscribe(rk, subscription);
    rd_kafka_topic_partition_list_destroy(subscription);
    if (code) {
        fprintf(stderr, "raw_consumer: subscribe: %s\n", rd_kafka_err2str(code));
        return 2;
    }

    int64_t read = 0, first_ns = 0, last_ns = 0;
    int64_t next_commit = now_ns() + commit_interval_ns;
    size_t payload_bytes = 0;
    rd_kafka_message_t *batch[BATCH_MAX];
    while (read < count && now_ns() < deadline) {
        size_t filled = 0;
        int timeout = 100;
        while (filled < BATCH_MAX) {
            rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, timeout);
            if (!message)
                break;
            timeout = 0;
            if (message->err) {
                if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    fprintf(stderr, "raw_consumer: %s\n", rd_kafka_message_errstr(message));
                rd_kafka_message_destroy(message);
                continue;
            }
            batch[filled++] = message;
        }
        for (size_t i = 0; i < filled; i++) {
            rd_kafka_message_t *message = batch[i];
            if (!first_ns)
                first_ns = now_ns();
            payload_bytes += message->len;
            if (read_headers) {
                rd_kafka_headers_t *headers = NULL;
                rd_kafka_timestamp_type_t timestamp_type;
                rd_kafka_message_headers(message, &headers);
                (void)rd_kafka_message_timestamp(message, &timestamp_type);
            }
            if (message->partition >= 0 && message->partition < MAX_PARTITIONS &&
                message->offset + 1 > next_offset[message->partition])
                next_offset[message->partition] = message->offset + 1;
            if (++read == count)
                last_ns = now_ns();
            rd_kafka_message_destroy(message);
        }
        if (now_ns() >= next_commit) {
            commit(rk, topic);
            next_commit = now_ns() + commit_interval_ns;
        }
    }
    commit(rk, topic);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    printf("%" PRId64 " %" PRId64 " %" PRId64 "\n", first_ns, last_ns, read);
    if (read < count) {
        fprintf(stderr, "raw_consumer: read %" PRId64 " of %" PRId64 " records (%zu bytes) "
                "before the timeout\n", read, count, payload_bytes);
        return 1;
    }
    return 0;
}
