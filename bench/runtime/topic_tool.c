/*
 * topic_tool.c - the Kafka chores of bench/runtime/run.sh, with librdkafka only:
 *
 *   topic_tool create  BOOTSTRAP TOPIC[,TOPIC...] PARTITIONS
 *       creates TOPIC, or each of a comma-separated list in one request (replication factor 1,
 *       PARTITIONS each), and waits for the result.
 *   topic_tool count   BOOTSTRAP TOPIC
 *       prints the sum of the topic's end offsets (high watermarks).
 *   topic_tool watch   BOOTSTRAP TOPIC COUNT TIMEOUT_MS INTERVAL_MS
 *       polls the sum of the end offsets every INTERVAL_MS; prints "FIRST_NS DONE_NS" (wall clock,
 *       ns since the epoch): the first poll that saw a record and the first poll that saw COUNT.
 *       Exit 1 when COUNT is not reached within TIMEOUT_MS (from the start of the watch).
 *   topic_tool cleanup BOOTSTRAP TEXT
 *       deletes every topic and every consumer group whose name contains TEXT (the run id).
 *
 * A benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#define ADMIN_TIMEOUT_MS 30000

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static rd_kafka_t *client_new(const char *bootstrap)
{
    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "client.id", "ferry-bench-topic-tool", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "log_level", "3", why, sizeof(why))) {
        fprintf(stderr, "topic_tool: %s\n", why);
        exit(2);
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!rk) {
        fprintf(stderr, "topic_tool: %s\n", why);
        exit(2);
    }
    return rk;
}

/* Waits for the admin result event of the given type on queue; NULL on timeout. */
static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *queue, rd_kafka_event_type_t type)
{
    int64_t deadline = now_ns() + (int64_t)ADMIN_TIMEOUT_MS * 1000000;
    while (now_ns() < deadline) {
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 1000);
        if (!event)
            continue;
        if (rd_kafka_event_type(event) == type)
            return event;
        rd_kafka_event_destroy(event);
    }
    return NULL;
}

static int topic_create(rd_kafka_t *rk, const char *topics, int partitions)
{
    char why[512];
    char *names = strdup(topics);
    size_t count = 1;
    for (const char *c = topics; *c; c++)
        count += *c == ',';
    rd_kafka_NewTopic_t **specs = calloc(count, sizeof(*specs));
    if (!names || !specs) {
        fprintf(stderr, "topic_tool: out of memory\n");
        free(names);
        free(specs);
        return 1;
    }
    size_t made = 0;
    for (char *save = NULL, *name = strtok_r(names, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (!(specs[made] = rd_kafka_NewTopic_new(name, partitions, 1, why, sizeof(why)))) {
            fprintf(stderr, "topic_tool: %s: %s\n", name, why);
            rd_kafka_NewTopic_destroy_array(specs, made);
            free(specs);
            free(names);
            return 1;
        }
        made++;
    }
    free(names);
    const char *topic = made == 1 ? topics : "the topics";
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, specs, made, NULL, queue);
    rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    int rc = 1;
    if (!event) {
        fprintf(stderr, "topic_tool: creating %s timed out\n", topic);
    } else if (rd_kafka_event_error(event)) {
        fprintf(stderr, "topic_tool: creating %s: %s\n", topic, rd_kafka_event_error_string(event));
    } else {
        size_t count;
        const rd_kafka_topic_result_t **results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
        rc = 0;
        for (size_t i = 0; i < count; i++)
            if (rd_kafka_topic_result_error(results[i])) {
                fprintf(stderr, "topic_tool: creating %s: %s\n",
                        rd_kafka_topic_result_name(results[i]),
                        rd_kafka_topic_result_error_string(results[i]));
                rc = 1;
            }
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy_array(specs, made);
    free(specs);
    return rc;
}

/* The partition count of topic, or -1. */
static int topic_partitions(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *handle = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *metadata = NULL;
    int partitions = -1;
    if (rd_kafka_metadata(rk, 0, handle, &metadata, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (metadata->topic_cnt == 1 && !metadata->topics[0].err)
            partitions = metadata->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(metadata);
    }
    rd_kafka_topic_destroy(handle);
    return partitions;
}

/* The sum of the end offsets, or -1 when one of them could not be read. */
static int64_t topic_end_sum(rd_kafka_t *rk, const char *topic, int partitions)
{
    int64_t sum = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low, high;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 5000))
            return -1;
        sum += high;
    }
    return sum;
}

static int topic_count(rd_kafka_t *rk, const char *topic)
{
    int partitions = topic_partitions(rk, topic);
    int64_t sum = partitions > 0 ? topic_end_sum(rk, topic, partitions) : -1;
    if (sum < 0) {
        fprintf(stderr, "topic_tool: cannot read the end offsets of %s\n", topic);
        return 1;
    }
    printf("%" PRId64 "\n", sum);
    return 0;
}

static int topic_watch(rd_kafka_t *rk, const char *topic, int64_t count, int timeout_ms,
                       int interval_ms)
{
    int64_t start = now_ns();
    int64_t deadline = start + (int64_t)timeout_ms * 1000000;
    int partitions = -1;
    while (partitions < 1 && now_ns() < deadline) {
        partitions = topic_partitions(rk, topic);
        if (partitions < 1)
            sleep_ms(interval_ms);
    }
    int64_t first = 0, sum = 0;
    while (partitions > 0 && now_ns() < deadline) {
        int64_t polled_at = now_ns();
        sum = topic_end_sum(rk, topic, partitions);
        if (sum > 0 && !first)
            first = polled_at;
        if (sum >= count) {
            printf("%" PRId64 " %" PRId64 "\n", first, polled_at);
            return 0;
        }
        int64_t next = polled_at + (int64_t)interval_ms * 1000000;
        int64_t left_ms = (next - now_ns()) / 1000000;
        if (left_ms > 0)
            sleep_ms((int)left_ms);
    }
    fprintf(stderr, "topic_tool: %s reached %" PRId64 " of %" PRId64 " records in %d ms\n", topic,
            sum, count, timeout_ms);
    return 1;
}

static int cleanup_topics(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *text)
{
    const struct rd_kafka_metadata *metadata = NULL;
    if (rd_kafka_metadata(rk, 1, NULL, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "topic_tool: cannot list topics\n");
        return 1;
    }
    rd_kafka_DeleteTopic_t **doomed = calloc((size_t)metadata->topic_cnt + 1, sizeof(*doomed));
    size_t count = 0;
    for (int i = 0; i < metadata->topic_cnt; i++)
        if (strstr(metadata->topics[i].topic, text))
            doomed[count++] = rd_kafka_DeleteTopic_new(metadata->topics[i].topic);
    rd_kafka_metadata_destroy(metadata);
    int rc = 0;
    if (count > 0) {
        rd_kafka_DeleteTopics(rk, doomed, count, NULL, queue);
        rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_DELETETOPICS_RESULT);
        if (!event || rd_kafka_event_error(event)) {
            fprintf(stderr, "topic_tool: deleting topics failed: %s\n",
                    event ? rd_kafka_event_error_string(event) : "timed out");
            rc = 1;
        }
        if (event)
            rd_kafka_event_destroy(event);
    }
    rd_kafka_DeleteTopic_destroy_array(doomed, count);
    free(doomed);
    fprintf(stderr, "topic_tool: deleted %zu topics containing '%s'\n", count, text);
    return rc;
}

static int cleanup_groups(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *text)
{
    rd_kafka_ListConsumerGroups(rk, NULL, queue);
    rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT);
    if (!event || rd_kafka_event_error(event)) {
        fprintf(stderr, "topic_tool: cannot list groups: %s\n",
                event ? rd_kafka_event_error_string(event) : "timed out");
        if (event)
            rd_kafka_event_destroy(event);
        return 1;
    }
    size_t listed;
    const rd_kafka_ConsumerGroupListing_t **groups = rd_kafka_ListConsumerGroups_result_valid(
        rd_kafka_event_ListConsumerGroups_result(event), &listed);
    rd_kafka_DeleteGroup_t **doomed = calloc(listed + 1, sizeof(*doomed));
    size_t count = 0;
    for (size_t i = 0; i < listed; i++) {
        const char *name = rd_kafka_ConsumerGroupListing_group_id(groups[i]);
        if (strstr(name, text))
            doomed[count++] = rd_kafka_DeleteGroup_new(name);
    }
    rd_kafka_event_destroy(event);
    int rc = 0;
    if (count > 0) {
        rd_kafka_DeleteGroups(rk, doomed, count, NULL, queue);
        event = admin_wait(queue, RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
        if (!event || rd_kafka_event_error(event)) {
            fprintf(stderr, "topic_tool: deleting groups failed: %s\n",
                    event ? rd_kafka_event_error_string(event) : "timed out");
            rc = 1;
        }
        if (event)
            rd_kafka_event_destroy(event);
    }
    rd_kafka_DeleteGroup_destroy_array(doomed, count);
    free(doomed);
    fprintf(stderr, "topic_tool: deleted %zu consumer groups containing '%s'\n", count, text);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: topic_tool create BOOTSTRAP TOPIC[,TOPIC...] PARTITIONS\n"
                    "       topic_tool count BOOTSTRAP TOPIC\n"
                    "       topic_tool watch BOOTSTRAP TOPIC COUNT TIMEOUT_MS INTERVAL_MS\n"
                    "       topic_tool cleanup BOOTSTRAP TEXT\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *command = argv[1];
    int rc;
    if (strcmp(command, "create") == 0 && argc == 5) {
        rd_kafka_t *rk = client_new(argv[2]);
        rc = topic_create(rk, argv[3], atoi(argv[4]));
        rd_kafka_destroy(rk);
    } else if (strcmp(command, "count") == 0 && argc == 4) {
        rd_kafka_t *rk = client_new(argv[2]);
        rc = topic_count(rk, argv[3]);
        rd_kafka_destroy(rk);
    } else if (strcmp(command, "watch") == 0 && argc == 7) {
        rd_kafka_t *rk = client_new(argv[2]);
        rc = topic_watch(rk, argv[3], strtoll(argv[4], NULL, 10), atoi(argv[5]), atoi(argv[6]));
        rd_kafka_destroy(rk);
    } else if (strcmp(command, "cleanup") == 0 && argc == 4) {
        if (strlen(argv[3]) < 8) {
            fprintf(stderr, "topic_tool: refusing to clean up with a text shorter than 8 "
                            "characters\n");
            return 2;
        }
        rd_kafka_t *rk = client_new(argv[2]);
        rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
        rc = cleanup_groups(rk, queue, argv[3]);
        rc |= cleanup_topics(rk, queue, argv[3]);
        rd_kafka_queue_destroy(queue);
        rd_kafka_destroy(rk);
    } else {
        return usage();
    }
    return rc;
}
