/*
 * rest_sink_offsets.h - a sink connector's offsets, which are its consumer group's
 * (connect-<name>, or its consumer.override.group.id), read and changed with librdkafka's admin
 * API: ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets and
 * DeleteGroups. Each call makes a short-lived admin client from the worker's admin.* settings
 * with the connector's admin.override.* on top, as Kafka Connect does, and waits at most
 * REST_SINK_ADMIN_TIMEOUT_MS; it runs on the request's thread, never on the control thread.
 */
#ifndef FERRY_REST_SINK_OFFSETS_H
#define FERRY_REST_SINK_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config/config_map.h"
#include "runtime/worker.h"

#define REST_SINK_ADMIN_TIMEOUT_MS 10000

typedef struct rest_sink_offset {
    const char *topic; /* borrowed from the request */
    int32_t partition;
    int64_t offset; /* < 0: reset (delete the committed offset) */
} rest_sink_offset;

/* A sink connector's group and the config its admin.override.* come from. */
typedef struct rest_sink_group {
    char name[512];
    config_map *connector; /* a copy, owned */
} rest_sink_group;

/* Fills the group of a connector from its config (copied). 0, or -1 when out of memory. */
int rest_sink_group_init(rest_sink_group *group, const config_map *connector, const char *name);
void rest_sink_group_release(rest_sink_group *group);

/* [{"partition":{"kafka_topic","kafka_partition"},"offset":{"kafka_offset"}}] of the group, a
 * new reference; NULL with a message on failure. A group that does not exist has []. */
json_t *rest_sink_offsets_list(worker *running, const rest_sink_group *group, char *err,
                               size_t errlen);
/* Commits the given offsets and deletes those with offset < 0. 0, or -1 with a message. */
int rest_sink_offsets_alter(worker *running, const rest_sink_group *group,
                            const rest_sink_offset *offsets, size_t count, char *err,
                            size_t errlen);
/* Deletes the group and so all its offsets; a group that does not exist is fine. */
int rest_sink_offsets_reset(worker *running, const rest_sink_group *group, char *err,
                            size_t errlen);

#endif
