/*
 * group_offsets.c - consumer group offsets through librdkafka's admin API.
 */
#include "kafka/group_offsets.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum group_offsets_op {
    GROUP_OFFSETS_LIST,
    GROUP_OFFSETS_ALTER,
    GROUP_OFFSETS_DELETE_OFFSETS,
    GROUP_OFFSETS_DELETE,
} group_offsets_op;

/* Runs one group operation and returns its group's result (owned by *event, which the caller
 * destroys), or NULL with a message. */
static const rd_kafka_group_result_t *
group_offsets_run(rd_kafka_t *admin, group_offsets_op op, const char *group,
                  const rd_kafka_topic_partition_list_t *parts, rd_kafka_event_t **event,
                  char *err, size_t errlen)
{
    static const rd_kafka_admin_op_t kinds[] = {
        [GROUP_OFFSETS_LIST] = RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        [GROUP_OFFSETS_ALTER] = RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        [GROUP_OFFSETS_DELETE_OFFSETS] = RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS,
        [GROUP_OFFSETS_DELETE] = RD_KAFKA_ADMIN_OP_DELETEGROUPS,
    };
    char why[512];
    *event = NULL;
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(admin, kinds[op]);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
    if (!options || !queue ||
        rd_kafka_AdminOptions_set_request_timeout(options, GROUP_OFFSETS_TIMEOUT_MS, why,
                                                  sizeof(why)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "cannot prepare the admin request");
        goto done;
    }
    switch (op) {
    case GROUP_OFFSETS_LIST: {
        rd_kafka_ListConsumerGroupOffsets_t *request =
            rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
        rd_kafka_ListConsumerGroupOffsets(admin, &request, 1, options, queue);
        rd_kafka_ListConsumerGroupOffsets_destroy(request);
        break;
    }
    case GROUP_OFFSETS_ALTER: {
        rd_kafka_AlterConsumerGroupOffsets_t *request =
            rd_kafka_AlterConsumerGroupOffsets_new(group, parts);
        rd_kafka_AlterConsumerGroupOffsets(admin, &request, 1, options, queue);
        rd_kafka_AlterConsumerGroupOffsets_destroy(request);
        break;
    }
    case GROUP_OFFSETS_DELETE_OFFSETS: {
        rd_kafka_DeleteConsumerGroupOffsets_t *request =
            rd_kafka_DeleteConsumerGroupOffsets_new(group, parts);
        rd_kafka_DeleteConsumerGroupOffsets(admin, &request, 1, options, queue);
        rd_kafka_DeleteConsumerGroupOffsets_destroy(request);
        break;
    }
    case GROUP_OFFSETS_DELETE: {
        rd_kafka_DeleteGroup_t *request = rd_kafka_DeleteGroup_new(group);
        rd_kafka_DeleteGroups(admin, &request, 1, options, queue);
        rd_kafka_DeleteGroup_destroy(request);
        break;
    }
    }
    *event = rd_kafka_queue_poll(queue, GROUP_OFFSETS_TIMEOUT_MS + 2000);
    if (!*event) {
        snprintf(err, errlen, "Kafka did not answer within %d ms", GROUP_OFFSETS_TIMEOUT_MS);
        goto done;
    }
    if (rd_kafka_event_error(*event)) {
        snprintf(err, errlen, "%s", rd_kafka_event_error_string(*event));
        goto done;
    }
    const rd_kafka_group_result_t **groups = NULL;
    size_t count = 0;
    switch (op) {
    case GROUP_OFFSETS_LIST:
        groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(*event), &count);
        break;
    case GROUP_OFFSETS_ALTER:
        groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
            rd_kafka_event_AlterConsumerGroupOffsets_result(*event), &count);
        break;
    case GROUP_OFFSETS_DELETE_OFFSETS:
        groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
            rd_kafka_event_DeleteConsumerGroupOffsets_result(*event), &count);
        break;
    case GROUP_OFFSETS_DELETE:
        groups = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(*event),
                                                     &count);
        break;
    }
    if (!groups || count != 1) {
        snprintf(err, errlen, "Kafka's answer holds no result for group %s", group);
        goto done;
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    return groups[0];
done:
    if (*event)
        rd_kafka_event_destroy(*event);
    *event = NULL;
    if (queue)
        rd_kafka_queue_destroy(queue);
    if (options)
        rd_kafka_AdminOptions_destroy(options);
    return NULL;
}

/* The group's error, or the first partition's, as a message; 0 when there is none. */
static int group_offsets_error(const rd_kafka_group_result_t *result, const char *group,
                               bool missing_ok, char *err, size_t errlen)
{
    const rd_kafka_error_t *error = rd_kafka_group_result_error(result);
    if (error) {
        rd_kafka_resp_err_t code = rd_kafka_error_code(error);
        if (missing_ok && code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
            return 0;
        snprintf(err, errlen, "consumer group %s: %s", group, rd_kafka_error_string(error));
        return -1;
    }
    const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(result);
    for (int i = 0; parts && i < parts->cnt; i++) {
        if (parts->elems[i].err) {
            snprintf(err, errlen, "consumer group %s, %s-%d: %s", group, parts->elems[i].topic,
                     (int)parts->elems[i].partition, rd_kafka_err2str(parts->elems[i].err));
            return -1;
        }
    }
    return 0;
}

rd_kafka_topic_partition_list_t *group_offsets_list(rd_kafka_t *admin, const char *group,
                                                    char *err, size_t errlen)
{
    rd_kafka_event_t *event = NULL;
    rd_kafka_topic_partition_list_t *offsets = NULL;
    const rd_kafka_group_result_t *result = group_offsets_run(admin, GROUP_OFFSETS_LIST, group,
                                                              NULL, &event, err, errlen);
    if (!result || group_offsets_error(result, group, true, err, errlen) != 0)
        goto done;
    const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(result);
    offsets = rd_kafka_topic_partition_list_new(parts ? parts->cnt : 0);
    for (int i = 0; parts && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &parts->elems[i];
        if (part->offset < 0)
            continue; /* nothing committed */
        rd_kafka_topic_partition_list_add(offsets, part->topic, part->partition)->offset =
            part->offset;
    }
done:
    if (event)
        rd_kafka_event_destroy(event);
    return offsets;
}

static int group_offsets_change(rd_kafka_t *admin, group_offsets_op op, const char *group,
                                const rd_kafka_topic_partition_list_t *parts, char *err,
                                size_t errlen)
{
    rd_kafka_event_t *event = NULL;
    const rd_kafka_group_result_t *result = group_offsets_run(admin, op, group, parts, &event,
                                                              err, errlen);
    int rc = result ? group_offsets_error(result, group, op == GROUP_OFFSETS_DELETE, err, errlen)
                    : -1;
    if (event)
        rd_kafka_event_destroy(event);
    return rc;
}

int group_offsets_alter(rd_kafka_t *admin, const char *group,
                        const rd_kafka_topic_partition_list_t *offsets, char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *alter = rd_kafka_topic_partition_list_new(offsets->cnt);
    rd_kafka_topic_partition_list_t *reset = rd_kafka_topic_partition_list_new(offsets->cnt);
    for (int i = 0; i < offsets->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &offsets->elems[i];
        rd_kafka_topic_partition_list_t *list = part->offset >= 0 ? alter : reset;
        rd_kafka_topic_partition_list_add(list, part->topic, part->partition)->offset =
            part->offset >= 0 ? part->offset : RD_KAFKA_OFFSET_INVALID;
    }
    int rc = 0;
    if (alter->cnt > 0)
        rc = group_offsets_change(admin, GROUP_OFFSETS_ALTER, group, alter, err, errlen);
    if (rc == 0 && reset->cnt > 0)
        rc = group_offsets_change(admin, GROUP_OFFSETS_DELETE_OFFSETS, group, reset, err, errlen);
    rd_kafka_topic_partition_list_destroy(alter);
    rd_kafka_topic_partition_list_destroy(reset);
    return rc;
}

int group_offsets_delete(rd_kafka_t *admin, const char *group, char *err, size_t errlen)
{
    return group_offsets_change(admin, GROUP_OFFSETS_DELETE, group, NULL, err, errlen);
}
