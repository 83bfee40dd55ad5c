/*
 * distributed_fencing.c - Kafka Connect's fencing round of exactly-once source connectors
 * (KIP-618) on the leader: before the task configs of a new generation of an exactly-once
 * source connector are written, every transactional.id of the previous generation's task count
 * is fenced (a task that moved keeps its id, and its successor's own initialisation fences it;
 * the round covers the ids a smaller task count no longer uses), then the task count is
 * recorded (tasks-fencing-<connector> in the config topic) for the next round to know. Also
 * PUT /connectors/{c}/fence on request.
 */
#include "herder/distributed_herder_state.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "kafka/group_member.h"
#include "plugin/plugin_registry.h"
#include "tasks/source_transaction.h"

typedef struct distributed_fencing_kind {
    const char *class_name;
    bool source;
} distributed_fencing_kind;

/* On the control thread, which owns the plugin registry. */
static void distributed_fencing_kind_run(worker *running, void *argument)
{
    distributed_fencing_kind *kind = argument;
    const registered_connector *registered =
        plugin_registry_find(worker_plugins(running), kind->class_name);
    kind->source = registered && registered->type->kind == FERRY_CONNECTOR_SOURCE;
}

/* Whether the worker runs exactly-once sources and name is a source connector it knows. */
static bool distributed_fencing_applies(distributed_herder *self, const char *name,
                                        bool *found)
{
    json_t *entry = config_store_connector(self->configs, name, found);
    distributed_fencing_kind kind = {.class_name = json_string_value(json_object_get(
                                         json_object_get(entry, "config"), "connector.class"))};
    if (kind.class_name && source_transaction_enabled(self->config) &&
        worker_call(self->running, distributed_fencing_kind_run, &kind) != 0)
        kind.source = false;
    json_decref(entry);
    return kind.source && source_transaction_enabled(self->config);
}

int distributed_fencing_round(distributed_herder *self, const char *name, int new_count,
                              char *err, size_t errlen)
{
    bool found = false;
    if (!distributed_fencing_applies(self, name, &found))
        return 0;
    /* The previous generation: the larger of the last round's count and the task configs in
     * the topic now (written before any round, or by a worker without exactly-once). */
    int previous = config_store_fencing_count(self->configs, name);
    json_t *counts = config_store_task_counts(self->configs);
    int configured = (int)json_integer_value(json_object_get(counts, name));
    json_decref(counts);
    if (configured > previous)
        previous = configured;
    if (previous > 0) {
        log_info(HERDER_SCOPE, "fencing the transactional.ids of the %d task%s of %s", previous,
                 previous == 1 ? "" : "s", name);
        if (source_transaction_fence(self->config, name, previous, err, errlen) != 0)
            return -1;
    }
    if (new_count < 0)
        new_count = configured;
    return config_store_put_fencing_count(self->configs, name, new_count, err, errlen);
}

void distributed_connector_fence(herder *base, const char *name, herder_callback done,
                                 void *opaque)
{
    distributed_herder *self = (distributed_herder *)base;
    herder_result result = {0};
    char why[512];
    bool found = false;
    if (distributed_leader_check(self, &result) != 0)
        goto done;
    bool applies = distributed_fencing_applies(self, name, &found);
    if (!found) {
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
        goto done;
    }
    if (!applies) {
        herder_result_set(&result, HERDER_INVALID,
                          "Fencing zombie tasks is only supported for source connectors on a "
                          "cluster with exactly.once.source.support=enabled (%s)", name);
        goto done;
    }
    if (group_member_fenced(self->member)) {
        herder_result_set(&result, HERDER_REBALANCING, DISTRIBUTED_REBALANCING_MESSAGE);
        goto done;
    }
    if (distributed_fencing_round(self, name, -1, why, sizeof(why)) != 0)
        herder_result_set(&result, HERDER_FAILED, "Failed to fence the tasks of %s: %s", name,
                          why);
done:
    herder_complete(done, opaque, &result);
}
