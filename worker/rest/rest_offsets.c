/*
 * rest_offsets.c - /connectors/{c}/offsets (KIP-875): a source connector's offsets live in the
 * offsets topic, a sink's in its consumer group (rest_sink_offsets.c). As in Kafka Connect,
 * PATCH and DELETE need the connector STOPPED, and the change lock is held from that check to
 * the end of the write so that no resume slips in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_resources.h"
#include "rest/rest_sink_offsets.h"
#include "stores/offset_store.h"

#define REST_SOURCE_OFFSET_TIMEOUT_MS 10000
#define REST_OFFSETS_ALTERED                                                                   \
    "The Connect framework-managed offsets for this connector have been altered successfully. " \
    "However, if this connector manages offsets externally, they will need to be manually "    \
    "altered in the system that the connector uses."
#define REST_OFFSETS_RESET                                                                     \
    "The Connect framework-managed offsets for this connector have been reset successfully. "  \
    "However, if this connector manages offsets externally, they will need to be manually "    \
    "reset in the system that the connector uses."

/* What the handlers need to know of a connector, from the control thread. */
typedef struct rest_offsets_facts {
    const char *name;
    bool found;
    bool sink;
    bool stopped; /* target and state STOPPED: no task runs */
    bool out_of_memory;
    rest_sink_group group; /* a sink's: its consumer group and admin overrides */
} rest_offsets_facts;

static void rest_offsets_facts_run(worker *running, void *argument)
{
    rest_offsets_facts *facts = argument;
    connector_runtime *connector = worker_connector_find(running, facts->name);
    if (!(facts->found = connector != NULL))
        return;
    const registered_connector *type =
        worker_connector_type(running, connector_runtime_config(connector));
    facts->sink = type && type->type->kind == FERRY_CONNECTOR_SINK;
    if (facts->sink && rest_sink_group_init(&facts->group, connector_runtime_config(connector),
                                            facts->name) != 0)
        facts->out_of_memory = true;
    json_t *status = connector_runtime_status(connector);
    const char *state = json_string_value(
        json_object_get(json_object_get(status, "connector"), "state"));
    facts->stopped = connector_runtime_target(connector) == STATE_STOPPED && state &&
                     strcmp(state, "STOPPED") == 0 && connector_runtime_task_count(connector) == 0;
    json_decref(status);
}

/* Looks the connector up; answers 404 (or 503/500) and returns -1 when it cannot go on. With
 * need_stopped, a connector that is not STOPPED is Kafka Connect's 400. */
static int rest_offsets_facts_get(rest_request *request, rest_response *response,
                                  rest_offsets_facts *facts, bool need_stopped)
{
    facts->name = request->params[0];
    if (rest_call(request, response, rest_offsets_facts_run, facts) != 0)
        return -1;
    if (facts->out_of_memory) {
        rest_reply_error(response, 500, "out of memory");
        return -1;
    }
    if (!facts->found) {
        rest_reply_error(response, 404, "Connector %s not found", facts->name);
        return -1;
    }
    if (need_stopped && !facts->stopped) {
        rest_reply_error(response, 400, "Connectors must be in the STOPPED state before their "
                         "offsets can be modified. This can be done for the specified connector "
                         "by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint",
                         facts->name);
        return -1;
    }
    return 0;
}

static void rest_offsets_facts_release(rest_offsets_facts *facts)
{
    rest_sink_group_release(&facts->group);
}

/* The answer to a change of offsets: Kafka Connect's message, or 500 saying what failed. */
static void rest_offsets_answer(rest_response *response, int rc, const char *failure,
                                const char *connector, const char *err, const char *message)
{
    if (rc != 0)
        rest_reply_error(response, 500, "%s %s: %s", failure, connector, err);
    else
        rest_reply_json(response, 200, json_pack("{s:s}", "message", message));
}

void rest_offsets_get(rest_request *request, rest_response *response)
{
    rest_offsets_facts facts = {0};
    if (rest_offsets_facts_get(request, response, &facts, false) != 0) {
        rest_offsets_facts_release(&facts);
        return;
    }
    json_t *offsets;
    if (facts.sink) {
        char err[1024];
        offsets = rest_sink_offsets_list(request->worker, &facts.group, err, sizeof(err));
        rest_offsets_facts_release(&facts);
        if (!offsets) {
            rest_reply_error(response, 500, "Failed to retrieve the offsets of connector %s: %s",
                             facts.name, err);
            return;
        }
    } else {
        offsets = offset_store_list(worker_offsets(request->worker), facts.name);
    }
    rest_reply_json(response, 200, json_pack("{s:o}", "offsets", offsets));
}

/* ---- PATCH ------------------------------------------------------------------------------ */

/* The "offsets" array of the body, checked for its general shape. NULL after a 400. */
static json_t *rest_offsets_body(const rest_request *request, rest_response *response,
                                 json_t **body)
{
    *body = rest_body_json(request, response, JSON_OBJECT);
    if (!*body)
        return NULL;
    json_t *offsets = json_object_get(*body, "offsets");
    if (!json_is_array(offsets) || json_array_size(offsets) == 0) {
        rest_reply_error(response, 400, "Partitions / offsets need to be provided for an alter "
                         "offsets request");
        return NULL;
    }
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        json_t *offset = json_object_get(entry, "offset");
        if (!json_is_object(entry) || !json_is_object(partition)) {
            rest_reply_error(response, 400, "Entry %zu of offsets: the partition must be a "
                             "JSON object and cannot be null", index);
            return NULL;
        }
        if (offset && !json_is_object(offset) && !json_is_null(offset)) {
            rest_reply_error(response, 400, "Entry %zu of offsets: the offset must be a JSON "
                             "object, or null to reset the partition", index);
            return NULL;
        }
    }
    return offsets;
}

static int rest_sink_offsets_parse(json_t *offsets, rest_sink_offset *out,
                                   rest_response *response)
{
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        json_t *offset = json_object_get(entry, "offset");
        json_t *topic = json_object_get(partition, "kafka_topic");
        json_t *number = json_object_get(partition, "kafka_partition");
        if (!topic || !number) {
            rest_reply_error(response, 400, "The partition for a sink connector offset must "
                             "contain the keys 'kafka_topic' and 'kafka_partition'");
            return -1;
        }
        if (!json_is_string(topic) || json_string_length(topic) == 0) {
            rest_reply_error(response, 400, "Kafka topic names must be valid strings and may "
                             "not be null");
            return -1;
        }
        if (!json_is_integer(number) || json_integer_value(number) < 0 ||
            json_integer_value(number) > INT32_MAX) {
            rest_reply_error(response, 400, "Kafka partitions must be valid integers and may "
                             "not be null");
            return -1;
        }
        out[index].topic = json_string_value(topic);
        out[index].partition = (int32_t)json_integer_value(number);
        out[index].offset = -1;
        if (offset && !json_is_null(offset)) {
            json_t *value = json_object_get(offset, "kafka_offset");
            if (!value) {
                rest_reply_error(response, 400, "The offset for a sink connector should either "
                                 "be null or contain the key 'kafka_offset'");
                return -1;
            }
            if (!json_is_integer(value) || json_integer_value(value) < 0) {
                rest_reply_error(response, 400, "Kafka offsets must be valid, non-negative "
                                 "integers");
                return -1;
            }
            out[index].offset = json_integer_value(value);
        }
    }
    return 0;
}

static int rest_source_offsets_check(json_t *offsets, rest_response *response)
{
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        json_t *partition = json_object_get(entry, "partition");
        if (json_object_size(partition) == 0) {
            rest_reply_error(response, 400, "Entry %zu of offsets: a source partition may not "
                             "be empty", index);
            return -1;
        }
        const char *key;
        json_t *value;
        json_t *offset = json_object_get(entry, "offset");
        for (int pass = 0; pass < 2; pass++) {
            json_t *map = pass == 0 ? partition : offset;
            json_object_foreach(json_is_object(map) ? map : NULL, key, value) {
                if (json_is_object(value) || json_is_array(value)) {
                    rest_reply_error(response, 400, "Entry %zu of offsets: the value of '%s' "
                                     "must be a string, a number, a boolean or null", index, key);
                    return -1;
                }
            }
        }
    }
    return 0;
}

void rest_offsets_patch(rest_request *request, rest_response *response)
{
    json_t *body = NULL;
    json_t *offsets = rest_offsets_body(request, response, &body);
    if (!offsets) {
        json_decref(body);
        return;
    }
    size_t count = json_array_size(offsets);
    rest_offsets_facts facts = {0};
    char err[1024];
    pthread_mutex_lock(request->changes);
    if (rest_offsets_facts_get(request, response, &facts, true) != 0)
        goto done;
    if (facts.sink) {
        rest_sink_offset *parsed = calloc(count, sizeof(*parsed));
        if (!parsed) {
            rest_reply_error(response, 500, "out of memory");
        } else if (rest_sink_offsets_parse(offsets, parsed, response) == 0) {
            int rc = rest_sink_offsets_alter(request->worker, &facts.group, parsed, count, err,
                                             sizeof(err));
            rest_offsets_answer(response, rc, "Failed to alter consumer group offsets for "
                                "connector", facts.name, err, REST_OFFSETS_ALTERED);
        }
        free(parsed);
        goto done;
    }
    if (rest_source_offsets_check(offsets, response) != 0)
        goto done;
    ferry_source_offset *entries = calloc(count, sizeof(*entries));
    if (!entries) {
        rest_reply_error(response, 500, "out of memory");
        goto done;
    }
    size_t index;
    json_t *entry;
    json_array_foreach(offsets, index, entry) {
        entries[index].partition = json_object_get(entry, "partition");
        entries[index].offset = json_object_get(entry, "offset");
    }
    int rc = offset_store_write(worker_offsets(request->worker), facts.name, entries, count,
                                REST_SOURCE_OFFSET_TIMEOUT_MS, err, sizeof(err));
    rest_offsets_answer(response, rc, "Failed to write the offsets of connector", facts.name,
                        err, REST_OFFSETS_ALTERED);
    free(entries);
done:
    pthread_mutex_unlock(request->changes);
    rest_offsets_facts_release(&facts);
    json_decref(body);
}

/* ---- DELETE ----------------------------------------------------------------------------- */

void rest_offsets_delete(rest_request *request, rest_response *response)
{
    rest_offsets_facts facts = {0};
    char err[1024];
    pthread_mutex_lock(request->changes);
    if (rest_offsets_facts_get(request, response, &facts, true) != 0)
        goto done;
    if (facts.sink) {
        int rc = rest_sink_offsets_reset(request->worker, &facts.group, err, sizeof(err));
        rest_offsets_answer(response, rc, "Failed to reset consumer group offsets for "
                            "connector", facts.name, err, REST_OFFSETS_RESET);
        goto done;
    }
    /* A tombstone for every partition the connector has an offset for. */
    offset_store *store = worker_offsets(request->worker);
    json_t *known = offset_store_list(store, facts.name);
    size_t count = json_array_size(known);
    ferry_source_offset *entries = calloc(count ? count : 1, sizeof(*entries));
    if (!entries) {
        rest_reply_error(response, 500, "out of memory");
    } else {
        size_t index;
        json_t *entry;
        json_array_foreach(known, index, entry)
            entries[index].partition = json_object_get(entry, "partition");
        int rc = count == 0 ? 0
                            : offset_store_write(store, facts.name, entries, count,
                                                 REST_SOURCE_OFFSET_TIMEOUT_MS, err, sizeof(err));
        rest_offsets_answer(response, rc, "Failed to reset the offsets of connector", facts.name,
                            err, REST_OFFSETS_RESET);
    }
    free(entries);
    json_decref(known);
done:
    pthread_mutex_unlock(request->changes);
    rest_offsets_facts_release(&facts);
}
