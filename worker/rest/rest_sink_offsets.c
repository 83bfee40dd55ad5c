/*
 * rest_sink_offsets.c - consumer group offsets through librdkafka's admin API.
 */
#include "rest/rest_sink_offsets.h"

#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "config/connector_config.h"

typedef enum rest_group_op {
    REST_GROUP_LIST,
    REST_GROUP_ALTER,
    REST_GROUP_DELETE_OFFSETS,
    REST_GROUP_DELETE,
} rest_group_op;

int rest_sink_group_init(rest_sink_group *group, const config_map *connector, const char *name)
{
    connector_sink_group(connector, name, group->name, sizeof(group->name));
    group->connector = config_map_copy(connector);
    return group->connector ? 0 : -1;
}

void rest_sink_group_release(rest_sink_group *group)
{
    config_map_destroy(group->connector);
    group->connector = NULL;
}

static rd_kafka_t *rest_admin_new(worker *running, const rest_sink_group *group, char *err,
                                  size_t errlen)
{
    return worker_admin_client(running, group->connector, "ferry-rest-admin", err, errlen);
}

/* Runs one group operation and returns its group's result (owned by *event, which the caller
 * destroys), or NULL with a message. */
static const rd_kafka_group_result_t *rest_group_run(rd_kafka_t *admin, rest_group_op op,
                                                     const char *group,
                                                     const rd_kafka_topic_partition_list_t *parts,
                                                     rd_kafka_event_t **event, char *err,
                                                     size_t errlen)
{
    static const rd_kafka_admin_op_t kinds[] = {
        [REST_GROUP_LIST] = RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        [REST_GROUP_ALTER] = RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        [REST_GROUP_DELETE_OFFSETS] = RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS,
        [REST_GROUP_DELETE] = RD_KAFKA_ADMIN_OP_DELETEGROUPS,
    };
    char why[512];
    *event = NULL;
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(admin, kinds[op]);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
    if (!options || !queue ||
        rd_kafka_AdminOptions_set_request_timeout(options, REST_SINK_ADMIN_TIMEOUT_MS, why,
                                                  sizeof(why)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "cannot prepare the admin request");
        goto done;
    }
    switch (op) {
    case REST_GROUP_LIST: {
        rd_kafka_ListConsumerGroupOffsets_t *request =
            rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
        rd_kafka_ListConsumerGroupOffsets(admin, &request, 1, options, queue);
        rd_kafka_ListConsumerGroupOffsets_destroy(request);
        break;
    }
    case REST_GROUP_ALTER: {
        rd_kafka_AlterConsumerGroupOffsets_t *request =
            rd_kafka_AlterConsumerGroupOffsets_new(group, parts);
        rd_kafka_AlterConsumerGroupOffsets(admin, &request, 1, options, queue);
        rd_kafka_AlterConsumerGroupOffsets_destroy(request);
        break;
    }
    case REST_GROUP_DELETE_OFFSETS: {
        rd_kafka_DeleteConsumerGroupOffsets_t *request =
            rd_kafka_DeleteConsumerGroupOffsets_new(group, parts);
        rd_kafka_DeleteConsumerGroupOffsets(admin, &request, 1, options, queue);
        rd_kafka_DeleteConsumerGroupOffsets_destroy(request);
        break;
    }
    case REST_GROUP_DELETE: {
        rd_kafka_DeleteGroup_t *request = rd_kafka_DeleteGroup_new(group);
        rd_kafka_DeleteGroups(admin, &request, 1, options, queue);
        rd_kafka_DeleteGroup_destroy(request);
        break;
    }
    }
    *event = rd_kafka_queue_poll(queue, REST_SINK_ADMIN_TIMEOUT_MS + 2000);
    if (!*event) {
        snprintf(err, errlen, "Kafka did not answer within %d ms", REST_SINK_ADMIN_TIMEOUT_MS);
        goto done;
    }
    if (rd_kafka_event_error(*event)) {
        snprintf(err, errlen, "%s", rd_kafka_event_error_string(*event));
        goto done;
    }
    const rd_kafka_group_result_t **groups = NULL;
    size_t count = 0;
    switch (op) {
    case REST_GROUP_LIST:
        groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(*event), &count);
        break;
    case REST_GROUP_ALTER:
        groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
            rd_kafka_event_AlterConsumerGroupOffsets_result(*event), &count);
        break;
    case REST_GROUP_DELETE_OFFSETS:
        groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
            rd_kafka_event_DeleteConsumerGroupOffsets_result(*event), &count);
        break;
    case REST_GROUP_DELETE:
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
static int rest_group_error(const rd_kafka_group_result_t *result, const char *group,
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

json_t *rest_sink_offsets_list(worker *running, const rest_sink_group *sink, char *err,
                               size_t errlen)
{
    const char *group = sink->name;
    rd_kafka_t *admin = rest_admin_new(running, sink, err, errlen);
    if (!admin)
        return NULL;
    rd_kafka_event_t *event = NULL;
    json_t *offsets = NULL;
    const rd_kafka_group_result_t *result = rest_group_run(admin, REST_GROUP_LIST, group, NULL,
                                                           &event, err, errlen);
    if (!result || rest_group_error(result, group, true, err, errlen) != 0)
        goto done;
    offsets = json_array();
    const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(result);
    for (int i = 0; parts && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &parts->elems[i];
        if (part->offset < 0)
            continue; /* nothing committed */
        json_array_append_new(offsets,
                              json_pack("{s:{s:s, s:i}, s:{s:I}}", "partition", "kafka_topic",
                                        part->topic, "kafka_partition", (int)part->partition,
                                        "offset", "kafka_offset", (json_int_t)part->offset));
    }
done:
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_destroy(admin);
    return offsets;
}

static int rest_group_change(rd_kafka_t *admin, rest_group_op op, const char *group,
                             const rd_kafka_topic_partition_list_t *parts, char *err,
                             size_t errlen)
{
    rd_kafka_event_t *event = NULL;
    const rd_kafka_group_result_t *result = rest_group_run(admin, op, group, parts, &event, err,
                                                           errlen);
    int rc = result ? rest_group_error(result, group, op == REST_GROUP_DELETE, err, errlen) : -1;
    if (event)
        rd_kafka_event_destroy(event);
    return rc;
}

int rest_sink_offsets_alter(worker *running, const rest_sink_group *sink,
                            const rest_sink_offset *offsets, size_t count, char *err,
                            size_t errlen)
{
    const char *group = sink->name;
    rd_kafka_topic_partition_list_t *alter = rd_kafka_topic_partition_list_new((int)count);
    rd_kafka_topic_partition_list_t *reset = rd_kafka_topic_partition_list_new((int)count);
    rd_kafka_t *admin = rest_admin_new(running, sink, err, errlen);
    int rc = -1;
    if (!admin)
        goto done;
    for (size_t i = 0; i < count; i++) {
        rd_kafka_topic_partition_list_t *list = offsets[i].offset >= 0 ? alter : reset;
        rd_kafka_topic_partition_t *part =
            rd_kafka_topic_partition_list_add(list, offsets[i].topic, offsets[i].partition);
        part->offset = offsets[i].offset >= 0 ? offsets[i].offset : RD_KAFKA_OFFSET_INVALID;
    }
    rc = 0;
    if (alter->cnt > 0)
        rc = rest_group_change(admin, REST_GROUP_ALTER, group, alter, err, errlen);
    if (rc == 0 && reset->cnt > 0)
        rc = rest_group_change(admin, REST_GROUP_DELETE_OFFSETS, group, reset, err, errlen);
done:
    if (admin)
        rd_kafka_destroy(admin);
    rd_kafka_topic_partition_list_destroy(alter);
    rd_kafka_topic_partition_list_destroy(reset);
    return rc;
}

int rest_sink_offsets_reset(worker *running, const rest_sink_group *sink, char *err,
                            size_t errlen)
{
    const char *group = sink->name;
    rd_kafka_t *admin = rest_admin_new(running, sink, err, errlen);
    if (!admin)
        return -1;
    int rc = rest_group_change(admin, REST_GROUP_DELETE, group, NULL, err, errlen);
    rd_kafka_destroy(admin);
    return rc;
}
