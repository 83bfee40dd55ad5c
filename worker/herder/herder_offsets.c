/*
 * herder_offsets.c - KIP-875's offsets: the facts a change needs, the checks of an alter request,
 * and the reads and writes of the offsets topic (sources) and the consumer group (sinks).
 */
#include "herder/herder_offsets.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "config/connector_config.h"
#include "kafka/group_offsets.h"
#include "stores/offset_store.h"

#define HERDER_SOURCE_OFFSET_TIMEOUT_MS 10000
#define HERDER_OFFSETS_ADMIN_CLIENT "ferry-offsets-admin"
#define HERDER_OFFSETS_ALTERED                                                                 \
    "The Connect framework-managed offsets for this connector have been altered successfully. " \
    "However, if this connector manages offsets externally, they will need to be manually "    \
    "altered in the system that the connector uses."
#define HERDER_OFFSETS_RESET                                                                   \
    "The Connect framework-managed offsets for this connector have been reset successfully. "  \
    "However, if this connector manages offsets externally, they will need to be manually "    \
    "reset in the system that the connector uses."

/* ---- facts ------------------------------------------------------------------------------ */

void herder_offsets_facts_run(worker *running, void *argument)
{
    herder_offsets_facts *facts = argument;
    connector_runtime *connector = worker_connector_find(running, facts->name);
    if (!(facts->found = connector != NULL))
        return;
    const config_map *config = connector_runtime_config(connector);
    const registered_connector *type = worker_connector_type(running, config);
    facts->sink = type && type->type->kind == FERRY_CONNECTOR_SINK;
    facts->alter_offsets = type ? connector_type_alter_offsets(type->type) : NULL;
    if (facts->alter_offsets)
        facts->plugin_config = worker_connector_plugin_config(
            running, config, type, facts->config_error, sizeof(facts->config_error));
    if (facts->sink) {
        connector_sink_group(config, facts->name, facts->group, sizeof(facts->group));
        facts->config = config_map_copy(config);
        facts->out_of_memory = facts->config == NULL;
    }
    json_t *status = connector_runtime_status(connector);
    const char *state = json_string_value(
        json_object_get(json_object_get(status, "connector"), "state"));
    facts->stopped = connector_runtime_target(connector) == STATE_STOPPED && state &&
                     strcmp(state, "STOPPED") == 0 && connector_runtime_task_count(connector) == 0;
    json_decref(status);
}

int herder_offsets_facts_check(const herder_offsets_facts *facts, bool need_stopped,
                               herder_result *result)
{
    if (facts->out_of_memory) {
        herder_result_set(result, HERDER_FAILED, "out of memory");
        return -1;
    }
    if (!facts->found) {
        herder_result_set(result, HERDER_NOT_FOUND, "Connector %s not found", facts->name);
        return -1;
    }
    if (facts->alter_offsets && !facts->plugin_config) {
        herder_result_set(result, HERDER_FAILED, "Failed to read the config of connector %s to "
                          "check its offsets: %s", facts->name, facts->config_error);
        return -1;
    }
    if (need_stopped && !facts->stopped) {
        herder_result_set(result, HERDER_INVALID, "Connectors must be in the STOPPED state before "
                          "their offsets can be modified. This can be done for the specified "
                          "connector by issuing a 'PUT' request to the '/connectors/%s/stop' "
                          "endpoint", facts->name);
        return -1;
    }
    return 0;
}

void herder_offsets_facts_release(herder_offsets_facts *facts)
{
    config_map_destroy(facts->config);
    facts->config = NULL;
    ferry_config_destroy(facts->plugin_config);
    facts->plugin_config = NULL;
}

/* The connector's say on offsets about to be altered or reset (offset NULL or JSON null: reset):
 * 0 when it has no alter_offsets or accepts them; otherwise -1 with result INVALID (or FAILED
 * when out of memory) and nothing must be written. */
static int herder_offsets_connector_check(const herder_offsets_facts *facts,
                                          const ferry_source_offset *entries, size_t count,
                                          herder_result *result)
{
    if (!facts->alter_offsets || count == 0)
        return 0;
    ferry_source_offset *given = calloc(count, sizeof(*given));
    if (!given) {
        herder_result_set(result, HERDER_FAILED, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        given[i].partition = entries[i].partition;
        given[i].offset = json_is_null(entries[i].offset) ? NULL : entries[i].offset;
    }
    char why[1024] = "";
    ferry_status status = facts->alter_offsets(facts->plugin_config, given, count, why,
                                               sizeof(why));
    free(given);
    if (status == FERRY_OK)
        return 0;
    herder_result_set(result, HERDER_INVALID, "The connector %s refused the offsets: %s",
                      facts->name, why[0] ? why : "(no message)");
    return -1;
}

/* An alter request's entries as the connector's callback takes them (borrowed from offsets):
 * a new array, or NULL with result FAILED. */
static ferry_source_offset *herder_offsets_entries(json_t *offsets, herder_result *result)
{
    size_t count = json_array_size(offsets);
    ferry_source_offset *entries = calloc(count ? count : 1, sizeof(*entries));
    if (!entries) {
        herder_result_set(result, HERDER_FAILED, "out of memory");
        return NULL;
    }
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        entries[index].partition = json_object_get(entry, "partition");
        entries[index].offset = json_object_get(entry, "offset");
    }
    return entries;
}

/* ---- checks of an alter request --------------------------------------------------------- */

int herder_offsets_request_check(json_t *body, herder_result *result)
{
    json_t *offsets = json_object_get(body, "offsets");
    if (!json_is_array(offsets) || json_array_size(offsets) == 0) {
        herder_result_set(result, HERDER_INVALID, "Partitions / offsets need to be provided for "
                          "an alter offsets request");
        return -1;
    }
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        json_t *offset = json_object_get(entry, "offset");
        if (!json_is_object(entry) || !json_is_object(partition)) {
            herder_result_set(result, HERDER_INVALID, "Entry %zu of offsets: the partition must "
                              "be a JSON object and cannot be null", index);
            return -1;
        }
        if (offset && !json_is_object(offset) && !json_is_null(offset)) {
            herder_result_set(result, HERDER_INVALID, "Entry %zu of offsets: the offset must be "
                              "a JSON object, or null to reset the partition", index);
            return -1;
        }
    }
    return 0;
}

/* A sink's offsets as librdkafka's list: an offset < 0 resets its partition. NULL with result
 * INVALID (or FAILED) when an entry is not a sink offset. */
static rd_kafka_topic_partition_list_t *herder_sink_offsets_parse(json_t *offsets,
                                                                  herder_result *result)
{
    rd_kafka_topic_partition_list_t *list =
        rd_kafka_topic_partition_list_new((int)json_array_size(offsets));
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        json_t *offset = json_object_get(entry, "offset");
        json_t *topic = json_object_get(partition, "kafka_topic");
        json_t *number = json_object_get(partition, "kafka_partition");
        if (!topic || !number) {
            herder_result_set(result, HERDER_INVALID, "The partition for a sink connector offset "
                              "must contain the keys 'kafka_topic' and 'kafka_partition'");
            goto fail;
        }
        if (!json_is_string(topic) || json_string_length(topic) == 0) {
            herder_result_set(result, HERDER_INVALID, "Kafka topic names must be valid strings "
                              "and may not be null");
            goto fail;
        }
        if (!json_is_integer(number) || json_integer_value(number) < 0 ||
            json_integer_value(number) > INT32_MAX) {
            herder_result_set(result, HERDER_INVALID, "Kafka partitions must be valid integers "
                              "and may not be null");
            goto fail;
        }
        int64_t position = -1;
        if (offset && !json_is_null(offset)) {
            json_t *value = json_object_get(offset, "kafka_offset");
            if (!value) {
                herder_result_set(result, HERDER_INVALID, "The offset for a sink connector "
                                  "should either be null or contain the key 'kafka_offset'");
                goto fail;
            }
            if (!json_is_integer(value) || json_integer_value(value) < 0) {
                herder_result_set(result, HERDER_INVALID, "Kafka offsets must be valid, "
                                  "non-negative integers");
                goto fail;
            }
            position = json_integer_value(value);
        }
        rd_kafka_topic_partition_list_add(list, json_string_value(topic),
                                          (int32_t)json_integer_value(number))->offset = position;
    }
    return list;
fail:
    rd_kafka_topic_partition_list_destroy(list);
    return NULL;
}

/* A source's partitions and offsets: flat maps of primitives, a partition never empty. */
static int herder_source_offsets_check(json_t *offsets, herder_result *result)
{
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        if (json_object_size(partition) == 0) {
            herder_result_set(result, HERDER_INVALID, "Entry %zu of offsets: a source partition "
                              "may not be empty", index);
            return -1;
        }
        const char *key;
        json_t *value;
        json_t *offset = json_object_get(entry, "offset");
        for (int pass = 0; pass < 2; pass++) {
            json_t *map = pass == 0 ? partition : offset;
            json_object_foreach(json_is_object(map) ? map : NULL, key, value) {
                if (json_is_object(value) || json_is_array(value)) {
                    herder_result_set(result, HERDER_INVALID, "Entry %zu of offsets: the value "
                                      "of '%s' must be a string, a number, a boolean or null",
                                      index, key);
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* ---- reads and writes ------------------------------------------------------------------- */

/* The outcome of a change: Kafka Connect's message, or FAILED saying what failed. */
static void herder_offsets_outcome(herder_result *result, int rc, const char *failure,
                                   const char *name, const char *err, const char *message)
{
    if (rc != 0)
        herder_result_set(result, HERDER_FAILED, "%s %s: %s", failure, name, err);
    else
        herder_result_set(result, HERDER_OK, "%s", message);
}

static json_t *herder_sink_offsets_json(const rd_kafka_topic_partition_list_t *list)
{
    json_t *offsets = json_array();
    for (int i = 0; i < list->cnt; i++) {
        const rd_kafka_topic_partition_t *part = &list->elems[i];
        json_array_append_new(offsets,
                              json_pack("{s:{s:s, s:i}, s:{s:I}}", "partition", "kafka_topic",
                                        part->topic, "kafka_partition", (int)part->partition,
                                        "offset", "kafka_offset", (json_int_t)part->offset));
    }
    return offsets;
}

void herder_offsets_fetch(worker *running, const herder_offsets_facts *facts,
                          herder_result *result)
{
    json_t *offsets;
    if (facts->sink) {
        char err[1024];
        rd_kafka_topic_partition_list_t *list = NULL;
        rd_kafka_t *admin = worker_admin_client(running, facts->config,
                                                HERDER_OFFSETS_ADMIN_CLIENT, err, sizeof(err));
        if (admin) {
            list = group_offsets_list(admin, facts->group, err, sizeof(err));
            rd_kafka_destroy(admin);
        }
        if (!list) {
            herder_result_set(result, HERDER_FAILED, "Failed to retrieve the offsets of "
                              "connector %s: %s", facts->name, err);
            return;
        }
        offsets = herder_sink_offsets_json(list);
        rd_kafka_topic_partition_list_destroy(list);
    } else {
        offsets = offset_store_list(worker_offsets(running), facts->name);
    }
    result->status = HERDER_OK;
    result->answer = json_pack("{s:o}", "offsets", offsets);
}

static void herder_sink_offsets_store(worker *running, const herder_offsets_facts *facts,
                                      json_t *offsets, herder_result *result)
{
    char err[1024];
    rd_kafka_topic_partition_list_t *list = herder_sink_offsets_parse(offsets, result);
    if (!list)
        return;
    ferry_source_offset *entries = herder_offsets_entries(offsets, result);
    int refused = !entries || herder_offsets_connector_check(facts, entries,
                                                             json_array_size(offsets), result);
    free(entries);
    if (refused) {
        rd_kafka_topic_partition_list_destroy(list);
        return;
    }
    int rc = -1;
    rd_kafka_t *admin = worker_admin_client(running, facts->config, HERDER_OFFSETS_ADMIN_CLIENT,
                                            err, sizeof(err));
    if (admin) {
        rc = group_offsets_alter(admin, facts->group, list, err, sizeof(err));
        rd_kafka_destroy(admin);
    }
    rd_kafka_topic_partition_list_destroy(list);
    herder_offsets_outcome(result, rc, "Failed to alter consumer group offsets for connector",
                           facts->name, err, HERDER_OFFSETS_ALTERED);
}

void herder_offsets_store(worker *running, const herder_offsets_facts *facts, json_t *body,
                          herder_result *result)
{
    json_t *offsets = json_object_get(body, "offsets");
    if (facts->sink) {
        herder_sink_offsets_store(running, facts, offsets, result);
        return;
    }
    if (herder_source_offsets_check(offsets, result) != 0)
        return;
    size_t count = json_array_size(offsets);
    ferry_source_offset *entries = herder_offsets_entries(offsets, result);
    if (!entries)
        return;
    if (herder_offsets_connector_check(facts, entries, count, result) != 0) {
        free(entries);
        return;
    }
    char err[1024];
    int rc = offset_store_write(worker_offsets(running), facts->name, entries, count,
                                HERDER_SOURCE_OFFSET_TIMEOUT_MS, err, sizeof(err));
    free(entries);
    herder_offsets_outcome(result, rc, "Failed to write the offsets of connector", facts->name,
                           err, HERDER_OFFSETS_ALTERED);
}

/* The connector's say on a reset of the partitions known (entries of {"partition", ..}). */
static int herder_offsets_reset_check(const herder_offsets_facts *facts, json_t *known,
                                      herder_result *result)
{
    ferry_source_offset *entries = herder_offsets_entries(known, result);
    if (!entries)
        return -1;
    for (size_t i = 0; i < json_array_size(known); i++)
        entries[i].offset = NULL;
    int rc = herder_offsets_connector_check(facts, entries, json_array_size(known), result);
    free(entries);
    return rc;
}

/* A sink's reset as its connector sees it: every partition of its group with no offset. 0 when
 * the reset may go on; -1 with result set otherwise. */
static int herder_sink_reset_check(rd_kafka_t *admin, const herder_offsets_facts *facts,
                                   herder_result *result)
{
    if (!facts->alter_offsets)
        return 0;
    char err[1024];
    rd_kafka_topic_partition_list_t *list = group_offsets_list(admin, facts->group, err,
                                                               sizeof(err));
    if (!list) {
        herder_result_set(result, HERDER_FAILED, "Failed to retrieve the offsets of connector "
                          "%s: %s", facts->name, err);
        return -1;
    }
    json_t *known = herder_sink_offsets_json(list);
    rd_kafka_topic_partition_list_destroy(list);
    int rc = herder_offsets_reset_check(facts, known, result);
    json_decref(known);
    return rc;
}

void herder_offsets_clear(worker *running, const herder_offsets_facts *facts,
                          herder_result *result)
{
    char err[1024];
    if (facts->sink) {
        int rc = -1;
        rd_kafka_t *admin = worker_admin_client(running, facts->config,
                                                HERDER_OFFSETS_ADMIN_CLIENT, err, sizeof(err));
        if (admin && herder_sink_reset_check(admin, facts, result) != 0) {
            rd_kafka_destroy(admin);
            return;
        }
        if (admin) {
            rc = group_offsets_delete(admin, facts->group, err, sizeof(err));
            rd_kafka_destroy(admin);
        }
        herder_offsets_outcome(result, rc, "Failed to reset consumer group offsets for "
                               "connector", facts->name, err, HERDER_OFFSETS_RESET);
        return;
    }
    /* A tombstone for every partition the connector has an offset for. */
    offset_store *store = worker_offsets(running);
    json_t *known = offset_store_list(store, facts->name);
    size_t count = json_array_size(known);
    ferry_source_offset *entries = NULL;
    if (herder_offsets_reset_check(facts, known, result) == 0 &&
        (entries = herder_offsets_entries(known, result)) != NULL) {
        for (size_t i = 0; i < count; i++)
            entries[i].offset = NULL;
        int rc = count == 0 ? 0
                            : offset_store_write(store, facts->name, entries, count,
                                                 HERDER_SOURCE_OFFSET_TIMEOUT_MS, err,
                                                 sizeof(err));
        herder_offsets_outcome(result, rc, "Failed to reset the offsets of connector",
                               facts->name, err, HERDER_OFFSETS_RESET);
    }
    free(entries);
    json_decref(known);
}
