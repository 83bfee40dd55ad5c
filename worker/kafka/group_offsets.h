/*
 * group_offsets.h - a consumer group's committed offsets, read and changed with librdkafka's
 * admin API: ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets and
 * DeleteGroups. The caller brings the admin client (any librdkafka handle on the cluster) and
 * keeps it; each call waits at most GROUP_OFFSETS_TIMEOUT_MS for Kafka, so it must not run on a
 * thread that may not block.
 */
#ifndef FERRY_GROUP_OFFSETS_H
#define FERRY_GROUP_OFFSETS_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#define GROUP_OFFSETS_TIMEOUT_MS 10000

/* The group's committed offsets, one entry per partition with an offset (>= 0), a new list the
 * caller destroys; NULL with a message on failure. A group that does not exist has none. */
rd_kafka_topic_partition_list_t *group_offsets_list(rd_kafka_t *admin, const char *group,
                                                    char *err, size_t errlen);
/* Commits the offsets of partitions with an offset >= 0 and deletes the committed offsets of
 * the others. 0, or -1 with a message naming the group (and the partition) that failed. */
int group_offsets_alter(rd_kafka_t *admin, const char *group,
                        const rd_kafka_topic_partition_list_t *offsets, char *err,
                        size_t errlen);
/* Deletes the group and so all its offsets; a group that does not exist is fine. */
int group_offsets_delete(rd_kafka_t *admin, const char *group, char *err, size_t errlen);

#endif
