/*
 * topic_reader.c - assign every partition at its beginning, consume to the high watermarks taken
 * at the start, with no consumer group and no commits.
 */
#include "kafka/topic_reader.h"
#include "support/clock.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <ferry/plugin.h>

long topic_reader_read_all(rd_kafka_conf_t *consumer_conf, const char *topic, int timeout_ms,
                           topic_reader_fn fn, void *opaque, char *err, size_t errlen)
{
    char why[512];
    long read = -1;
    rd_kafka_t *consumer = NULL;
    rd_kafka_topic_partition_list_t *assignment = NULL;
    int64_t *ends = NULL;
    const rd_kafka_metadata_t *metadata = NULL;
    rd_kafka_topic_t *handle = NULL;

    /* rd_kafka_consumer_poll needs a group id even with assign(); the group is never joined
     * and nothing is committed under it. */
    char group[32];
    size_t group_size = sizeof(group);
    if (rd_kafka_conf_get(consumer_conf, "group.id", group, &group_size) != RD_KAFKA_CONF_OK ||
        !group[0])
        rd_kafka_conf_set(consumer_conf, "group.id", "ferry-topic-reader", NULL, 0);
    if (rd_kafka_conf_set(consumer_conf, "enable.auto.commit", "false", why, sizeof(why)) ||
        rd_kafka_conf_set(consumer_conf, "enable.partition.eof", "false", why, sizeof(why))) {
        ferry_error_set(err, errlen, "reading topic %s: %s", topic, why);
        rd_kafka_conf_destroy(consumer_conf);
        return -1;
    }
    consumer = rd_kafka_new(RD_KAFKA_CONSUMER, consumer_conf, why, sizeof(why));
    if (!consumer) {
        rd_kafka_conf_destroy(consumer_conf);
        ferry_error_set(err, errlen, "reading topic %s: %s", topic, why);
        return -1;
    }
    handle = rd_kafka_topic_new(consumer, topic, NULL);
    rd_kafka_resp_err_t rc;
    int64_t metadata_deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        rc = rd_kafka_metadata(consumer, 0, handle, &metadata, timeout_ms);
        bool settling = !rc && metadata->topic_cnt == 1 &&
                        (metadata->topics[0].err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                         metadata->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                         metadata->topics[0].partition_cnt == 0);
        if (!settling || clock_monotonic_ms() >= metadata_deadline)
            break;
        rd_kafka_metadata_destroy(metadata);
        metadata = NULL;
        struct timespec pause = {.tv_nsec = 100000000L};
        nanosleep(&pause, NULL);
    }
    if (rc || metadata->topic_cnt != 1 || metadata->topics[0].err) {
        ferry_error_set(err, errlen, "reading topic %s: no metadata: %s", topic,
                        rd_kafka_err2str(rc ? rc : metadata->topic_cnt == 1
                                                       ? metadata->topics[0].err
                                                       : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
        goto done;
    }
    int partitions = metadata->topics[0].partition_cnt;
    ends = calloc((size_t)partitions + 1, sizeof(*ends));
    assignment = rd_kafka_topic_partition_list_new(partitions);
    if (!ends || !assignment) {
        ferry_error_set(err, errlen, "out of memory reading topic %s", topic);
        goto done;
    }
    int open_partitions = 0;
    for (int i = 0; i < partitions; i++) {
        int32_t id = metadata->topics[0].partitions[i].id;
        int64_t low = 0, high = 0;
        /* A topic created a moment ago may not have its leaders yet: wait for them. */
        int64_t leader_deadline = clock_monotonic_ms() + timeout_ms;
        while ((rc = rd_kafka_query_watermark_offsets(consumer, topic, id, &low, &high,
                                                      timeout_ms)) != 0 &&
               (rc == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                rc == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                rc == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) &&
               clock_monotonic_ms() < leader_deadline) {
            struct timespec pause = {.tv_nsec = 100000000L};
            nanosleep(&pause, NULL);
        }
        if (rc) {
            ferry_error_set(err, errlen, "reading topic %s: end offset of partition %d: %s",
                            topic, id, rd_kafka_err2str(rc));
            goto done;
        }
        if (id >= 0 && id < partitions)
            ends[id] = high;
        if (high > low) {
            rd_kafka_topic_partition_list_add(assignment, topic, id)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
            open_partitions++;
        }
    }
    read = 0;
    if (open_partitions == 0)
        goto done;
    rc = rd_kafka_assign(consumer, assignment);
    if (rc) {
        ferry_error_set(err, errlen, "reading topic %s: %s", topic, rd_kafka_err2str(rc));
        read = -1;
        goto done;
    }
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    while (open_partitions > 0) {
        if (clock_monotonic_ms() > deadline) {
            ferry_error_set(err, errlen, "reading topic %s: not at its end after %d ms", topic,
                            timeout_ms);
            read = -1;
            break;
        }
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 200);
        if (!message)
            continue;
        if (message->err) {
            if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                ferry_error_set(err, errlen, "reading topic %s: %s", topic,
                                rd_kafka_message_errstr(message));
                rd_kafka_message_destroy(message);
                read = -1;
                break;
            }
            rd_kafka_message_destroy(message);
            continue;
        }
        int32_t partition = message->partition;
        int stop = fn(opaque, message, err, errlen);
        int64_t offset = message->offset;
        rd_kafka_message_destroy(message);
        if (stop) {
            read = -1;
            break;
        }
        read++;
        if (partition >= 0 && partition < partitions && offset + 1 == ends[partition])
            open_partitions--;
    }
done:
    if (metadata)
        rd_kafka_metadata_destroy(metadata);
    if (handle)
        rd_kafka_topic_destroy(handle);
    if (assignment)
        rd_kafka_topic_partition_list_destroy(assignment);
    free(ends);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return read;
}
