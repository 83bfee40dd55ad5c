/*
 * pgcdc_bench.c - the chores of bench/pg-cdc/run.sh, with librdkafka, libpq and jansson only:
 *
 *   pgcdc_bench create  BOOTSTRAP TOPIC PARTITIONS [KEY=VALUE ...]
 *       creates TOPIC (replication factor 1) with the given topic configs.
 *   pgcdc_bench watch   BOOTSTRAP TOPIC COUNT TIMEOUT_MS INTERVAL_MS
 *       polls the sum of the end offsets every INTERVAL_MS; prints "FIRST_NS DONE_NS" (wall clock)
 *       of the first poll that saw a record and the first that saw COUNT. Exit 1 on timeout.
 *   pgcdc_bench latency BOOTSTRAP TOPIC COUNT
 *       reads COUNT change events (events of rows with an id below 1 are read but not
 *       measured: they warmed the pipeline up); each one's latency is its Kafka timestamp (the
 *       topic uses LogAppendTime: when the broker appended it) minus its source.ts_us (the
 *       commit time of its transaction). Prints "p50 p99 max count" in milliseconds.
 *   pgcdc_bench load    DSN TABLE ROWS RATE BATCH
 *       inserts ROWS rows (id from 1) into TABLE (id int, v text) in transactions of BATCH rows,
 *       paced to RATE rows/s (0: as fast as possible), with synchronous_commit on (PostgreSQL's
 *       default). Prints the achieved rows/s.
 *   pgcdc_bench cleanup BOOTSTRAP TEXT
 *       deletes every topic whose name contains TEXT.
 *
 * A benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#define ADMIN_TIMEOUT_MS 30000

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec pause = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    nanosleep(&pause, NULL);
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "pgcdc_bench: %s: %s\n", what, why);
    exit(2);
}

static rd_kafka_t *client_new(const char *bootstrap, rd_kafka_type_t type, const char *group)
{
    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, why, sizeof why) ||
        rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why) ||
        (group && (rd_kafka_conf_set(conf, "group.id", group, why, sizeof why) ||
                   rd_kafka_conf_set(conf, "enable.partition.eof", "true", why, sizeof why) ||
                   rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", why, sizeof why))))
        die("config", why);
    rd_kafka_t *rk = rd_kafka_new(type, conf, why, sizeof why);
    if (!rk)
        die("client", why);
    return rk;
}

static int partitions_of(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *handle = rd_kafka_topic_new(rk, topic, NULL);
    int count = 0;
    if (rd_kafka_metadata(rk, 0, handle, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && !md->topics[0].err)
            count = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(handle);
    return count;
}

static int64_t end_sum(rd_kafka_t *rk, const char *topic, int partitions)
{
    int64_t sum = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 10000) == 0)
            sum += high;
    }
    return sum;
}

static int cmd_create(int argc, char **argv)
{
    rd_kafka_t *rk = client_new(argv[2], RD_KAFKA_PRODUCER, NULL);
    char why[512];
    rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new(argv[3], atoi(argv[4]), 1, why, sizeof why);
    if (!topic)
        die("topic", why);
    for (int i = 5; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            die("config", argv[i]);
        *eq = '\0';
        rd_kafka_NewTopic_set_config(topic, argv[i], eq + 1);
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &topic, 1, NULL, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, ADMIN_TIMEOUT_MS);
    int rc = 0;
    if (!event) {
        rc = 1;
    } else {
        size_t n;
        const rd_kafka_topic_result_t **results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
        if (n != 1 || rd_kafka_topic_result_error(results[0])) {
            fprintf(stderr, "pgcdc_bench: create %s: %s\n", argv[3],
                    n ? rd_kafka_topic_result_error_string(results[0]) : "no result");
            rc = 1;
        }
        rd_kafka_event_destroy(event);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(topic);
    rd_kafka_destroy(rk);
    return rc;
}

static int cmd_watch(char **argv)
{
    rd_kafka_t *rk = client_new(argv[2], RD_KAFKA_PRODUCER, NULL);
    const char *topic = argv[3];
    int64_t count = strtoll(argv[4], NULL, 10);
    int64_t timeout_ns = strtoll(argv[5], NULL, 10) * 1000000;
    int64_t interval_ns = strtoll(argv[6], NULL, 10) * 1000000;
    int64_t started = mono_ns(), first = 0;
    int partitions = 0;
    while (mono_ns() - started < timeout_ns) {
        if (partitions == 0)
            partitions = partitions_of(rk, topic);
        int64_t have = partitions ? end_sum(rk, topic, partitions) : 0;
        int64_t now = now_ns();
        if (have > 0 && !first)
            first = now;
        if (have >= count) {
            printf("%" PRId64 " %" PRId64 "\n", first, now);
            rd_kafka_destroy(rk);
            return 0;
        }
        sleep_ns(interval_ns);
    }
    rd_kafka_destroy(rk);
    return 1;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmd_latency(char **argv)
{
    const char *topic = argv[3];
    int64_t count = strtoll(argv[4], NULL, 10);
    char group[128];
    snprintf(group, sizeof group, "pgcdc-bench-latency-%d", (int)getpid());
    rd_kafka_t *rk = client_new(argv[2], RD_KAFKA_CONSUMER, group);
    int partitions = partitions_of(rk, topic);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(assignment, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    int64_t *latencies = calloc((size_t)count + 1, sizeof(int64_t));
    int64_t n = 0;
    int eofs = 0;
    int64_t started = mono_ns();
    int64_t read = 0;
    while (read < count && mono_ns() - started < 300 * INT64_C(1000000000)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else if (!m->err && m->payload) {
            read++;
            rd_kafka_timestamp_type_t type;
            int64_t appended_ms = rd_kafka_message_timestamp(m, &type);
            json_t *value = json_loadb(m->payload, m->len, 0, NULL);
            json_t *payload = json_object_get(value, "payload");
            if (!payload)
                payload = value;
            json_t *ts_us = json_object_get(json_object_get(payload, "source"), "ts_us");
            json_t *id = json_object_get(json_object_get(payload, "after"), "id");
            /* rows with an id below 1 warmed the pipeline up (the producer's first metadata
             * request for the topic) and are not measured */
            if (json_is_integer(id) && json_integer_value(id) < 1)
                ts_us = NULL;
            if (json_is_integer(ts_us) && type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
                latencies[n++] = appended_ms * 1000 - json_integer_value(ts_us);
            json_decref(value);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (n == 0) {
        fprintf(stderr, "pgcdc_bench: no event with a LogAppendTime timestamp and source.ts_us\n");
        return 1;
    }
    qsort(latencies, (size_t)n, sizeof(int64_t), compare_int64);
    printf("%.1f %.1f %.1f %" PRId64 "\n", (double)latencies[n / 2] / 1000.0,
           (double)latencies[(n * 99) / 100] / 1000.0, (double)latencies[n - 1] / 1000.0, n);
    free(latencies);
    return 0;
}

static void exec_or_die(PGconn *conn, const char *sql)
{
    PGresult *result = PQexec(conn, sql);
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK)
        die(sql, PQerrorMessage(conn));
    PQclear(result);
}

static int cmd_load(char **argv)
{
    PGconn *conn = PQconnectdb(argv[2]);
    if (PQstatus(conn) != CONNECTION_OK)
        die("connect", PQerrorMessage(conn));
    /* PostgreSQL's default, whatever the test server says (it turns it off for speed): a
     * commit returns once its WAL is flushed, and the WAL sender is woken at that flush. Without
     * it the WAL writer flushes every wal_writer_delay (200 ms), and that delay, not the
     * connector, would dominate the latency. */
    exec_or_die(conn, "SET synchronous_commit = on");
    const char *table = argv[3];
    int64_t rows = strtoll(argv[4], NULL, 10);
    double rate = strtod(argv[5], NULL);
    int64_t batch = strtoll(argv[6], NULL, 10);
    if (batch < 1)
        batch = 1;
    char sql[512];
    int64_t started = mono_ns();
    for (int64_t first = 1; first <= rows; first += batch) {
        int64_t last = first + batch - 1 > rows ? rows : first + batch - 1;
        if (rate > 0) {
            int64_t due = started + (int64_t)((double)(first - 1) / rate * 1e9);
            sleep_ns(due - mono_ns());
        }
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s SELECT g, 'row ' || g FROM generate_series(%" PRId64 ", %" PRId64
                 ") g",
                 table, first, last);
        exec_or_die(conn, sql);
    }
    double seconds = (double)(mono_ns() - started) / 1e9;
    printf("%.0f\n", (double)rows / seconds);
    PQfinish(conn);
    return 0;
}

static int cmd_cleanup(char **argv)
{
    rd_kafka_t *rk = client_new(argv[2], RD_KAFKA_PRODUCER, NULL);
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rk, 1, NULL, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_DeleteTopic_t *topics[512];
    size_t n = 0;
    for (int i = 0; i < md->topic_cnt && n < 512; i++)
        if (strstr(md->topics[i].topic, argv[3]))
            topics[n++] = rd_kafka_DeleteTopic_new(md->topics[i].topic);
    rd_kafka_metadata_destroy(md);
    if (n) {
        rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
        rd_kafka_DeleteTopics(rk, topics, n, NULL, queue);
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, ADMIN_TIMEOUT_MS);
        if (event)
            rd_kafka_event_destroy(event);
        rd_kafka_queue_destroy(queue);
        rd_kafka_DeleteTopic_destroy_array(topics, n);
    }
    rd_kafka_destroy(rk);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "create") == 0)
        return cmd_create(argc, argv);
    if (argc == 7 && strcmp(argv[1], "watch") == 0)
        return cmd_watch(argv);
    if (argc == 5 && strcmp(argv[1], "latency") == 0)
        return cmd_latency(argv);
    if (argc == 7 && strcmp(argv[1], "load") == 0)
        return cmd_load(argv);
    if (argc == 4 && strcmp(argv[1], "cleanup") == 0)
        return cmd_cleanup(argv);
    fprintf(stderr, "usage: see the top of bench/pg-cdc/pgcdc_bench.c\n");
    return 2;
}
