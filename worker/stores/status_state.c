/*
 * status_state.c - the status topic's records applied to maps of JSON values (see
 * status_state.h).
 */
#include "stores/status_state.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "stores/store_record.h"

#define STATUS_CONNECTOR_PREFIX "status-connector-"
#define STATUS_TASK_PREFIX "status-task-"
#define STATUS_TOPIC_PREFIX "status-topic-"
#define STATUS_TOPIC_SEPARATOR ":connector-"
/* The key ferry wrote topic records under before it wrote Kafka Connect's:
 * topic-<topic>-<connector>, ambiguous by itself, read with the names its value carries. */
#define STATUS_LEGACY_TOPIC_PREFIX "topic-"

struct status_state {
    json_t *connectors;  /* name -> status */
    json_t *tasks;       /* name -> {"<n>": status} */
    json_t *topics;      /* connector -> {topic -> true} */
    json_t *own_writes;  /* topic record key -> this worker's writes not read back yet */
    json_t *logged_keys; /* keys ignored and logged once already */
    json_t *legacy;      /* connector -> {topic -> true}: read under ferry's former key */
    int highest_generation; /* of every status record read, applied or not */
};

status_state *status_state_new(void)
{
    status_state *state = calloc(1, sizeof(*state));
    if (!state || !(state->connectors = json_object()) || !(state->tasks = json_object()) ||
        !(state->topics = json_object()) || !(state->own_writes = json_object()) ||
        !(state->logged_keys = json_object()) || !(state->legacy = json_object())) {
        status_state_destroy(state);
        return NULL;
    }
    return state;
}

void status_state_destroy(status_state *state)
{
    if (!state)
        return;
    json_decref(state->connectors);
    json_decref(state->tasks);
    json_decref(state->topics);
    json_decref(state->own_writes);
    json_decref(state->logged_keys);
    json_decref(state->legacy);
    free(state);
}

static bool status_state_known(const char *state)
{
    static const char *const states[] = {"UNASSIGNED", "RUNNING",    "PAUSED", "FAILED",
                                         "DESTROYED",  "RESTARTING", "STOPPED"};
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(state, states[i]) == 0)
            return true;
    return false;
}

/* A status value as it is kept: {"state", "trace"?, "worker_id", "generation"}, or NULL with a
 * message naming the key. */
static json_t *status_state_parse(const char *key, json_t *value, char *err, size_t errlen)
{
    if (!json_is_object(value))
        return ferry_error_set(err, errlen, "%s: the value should be a JSON object", key), NULL;
    const char *state = json_string_value(json_object_get(value, "state"));
    json_t *trace = json_object_get(value, "trace");
    const char *worker = json_string_value(json_object_get(value, "worker_id"));
    json_t *generation = json_object_get(value, "generation");
    const char *wrong =
        !state                           ? "'state' should be a string"
        : !status_state_known(state)     ? "'state' should be one of UNASSIGNED, RUNNING, "
                                           "PAUSED, FAILED, DESTROYED, RESTARTING, STOPPED"
        : trace && !json_is_string(trace) && !json_is_null(trace)
                                         ? "'trace' should be a string or null"
        : !worker                        ? "'worker_id' should be a string"
        : !json_is_integer(generation) || json_integer_value(generation) < INT_MIN ||
                json_integer_value(generation) > INT_MAX
                                         ? "'generation' should be an integer"
                                         : NULL;
    if (wrong)
        return ferry_error_set(err, errlen, "%s: %s", key, wrong), NULL;
    json_t *status = json_pack("{s:s, s:s, s:O}", "state", state, "worker_id", worker,
                               "generation", generation);
    if (status && json_is_string(trace))
        json_object_set(status, "trace", trace);
    if (!status)
        ferry_error_set(err, errlen, "%s: out of memory", key);
    return status;
}

/* Kafka Connect's rule: the same worker may always overwrite its own status; another worker
 * only with a generation at least as high. */
static bool status_state_replaces(const json_t *held, const json_t *status)
{
    return !held ||
           strcmp(json_string_value(json_object_get(held, "worker_id")),
                  json_string_value(json_object_get(status, "worker_id"))) == 0 ||
           json_integer_value(json_object_get(status, "generation")) >=
               json_integer_value(json_object_get(held, "generation"));
}

/* Puts status (taken) under name in map, when the rule lets it replace what is there. */
static void status_state_put(status_state *state, json_t *map, const char *name,
                             json_t *status, const char *key)
{
    json_int_t generation = json_integer_value(json_object_get(status, "generation"));
    if (generation > state->highest_generation)
        state->highest_generation = (int)generation;
    json_t *held = json_object_get(map, name);
    if (status_state_replaces(held, status)) {
        json_object_set_new(map, name, status);
        return;
    }
    log_debug("status", "%s: ignoring generation %lld of worker %s: generation %lld of worker "
              "%s is newer", key, (long long)json_integer_value(json_object_get(status,
                                                                               "generation")),
              json_string_value(json_object_get(status, "worker_id")),
              (long long)json_integer_value(json_object_get(held, "generation")),
              json_string_value(json_object_get(held, "worker_id")));
    json_decref(status);
}

static int status_state_connector_record(status_state *state, const char *key, json_t *value,
                                         char *err, size_t errlen)
{
    const char *name = key + strlen(STATUS_CONNECTOR_PREFIX);
    if (!*name)
        return ferry_error_set(err, errlen, "%s: no connector name", key), -1;
    if (!value) {
        json_object_del(state->connectors, name);
        json_object_del(state->tasks, name);
        return 0;
    }
    json_t *status = status_state_parse(key, value, err, errlen);
    if (!status)
        return -1;
    status_state_put(state, state->connectors, name, status, key);
    return 0;
}

static int status_state_task_record(status_state *state, const char *key, json_t *value,
                                    char *err, size_t errlen)
{
    int task = 0;
    char *connector = store_record_task_id(key + strlen(STATUS_TASK_PREFIX), &task);
    if (!connector)
        return ferry_error_set(err, errlen,
                               "%s: not a task status key (status-task-<connector>-<number>)",
                               key),
               -1;
    char index[16];
    snprintf(index, sizeof(index), "%d", task);
    json_t *status = value ? status_state_parse(key, value, err, errlen) : NULL;
    int rc = -1;
    if (!value) {
        json_object_del(json_object_get(state->tasks, connector), index);
        rc = 0;
    } else if (status) {
        json_t *tasks = json_object_get(state->tasks, connector);
        if (!tasks) {
            tasks = json_object();
            json_object_set_new(state->tasks, connector, tasks);
        }
        status_state_put(state, tasks, index, status, key);
        status = NULL;
        rc = 0;
    }
    json_decref(status);
    free(connector);
    return rc;
}

static void status_state_topic_set(status_state *state, const char *connector,
                                   const char *topic, bool active)
{
    json_t *topics = json_object_get(state->topics, connector);
    if (active && !topics) {
        topics = json_object();
        json_object_set_new(state->topics, connector, topics);
    }
    if (active)
        json_object_set_new(topics, topic, json_true());
    else
        json_object_del(topics, topic);
    if (topics && json_object_size(topics) == 0)
        json_object_del(state->topics, connector);
}

/* A topic record's value: {"topic": {"name", "connector", "task", "discoverTimestamp"}}. */
static int status_state_topic_value_check(const char *key, json_t *value, char *err,
                                          size_t errlen)
{
    json_t *entry = json_object_get(value, "topic");
    if (json_is_string(json_object_get(entry, "name")) &&
        json_is_string(json_object_get(entry, "connector")) &&
        json_is_integer(json_object_get(entry, "task")) &&
        json_is_integer(json_object_get(entry, "discoverTimestamp")))
        return 0;
    ferry_error_set(err, errlen, "%s: the value should be {\"topic\": {\"name\": string, "
                    "\"connector\": string, \"task\": integer, \"discoverTimestamp\": "
                    "integer}}", key);
    return -1;
}

/* Whether key is topic-<topic>-<connector>, ferry's former key of that topic record. */
static bool status_state_legacy_key_is(const char *key, const char *connector,
                                       const char *topic)
{
    size_t prefix = strlen(STATUS_LEGACY_TOPIC_PREFIX), length = strlen(topic);
    return strncmp(key + prefix, topic, length) == 0 && key[prefix + length] == '-' &&
           strcmp(key + prefix + length + 1, connector) == 0;
}

/* A topic record under ferry's former key, applied like Kafka Connect's. Its value names the
 * topic and the connector; a tombstone is matched against the keys read before. */
static int status_state_legacy_topic_record(status_state *state, const char *key,
                                            json_t *value, char *err, size_t errlen)
{
    if (value) {
        if (status_state_topic_value_check(key, value, err, errlen) != 0)
            return -1;
        json_t *entry = json_object_get(value, "topic");
        const char *topic = json_string_value(json_object_get(entry, "name"));
        const char *connector = json_string_value(json_object_get(entry, "connector"));
        if (!status_state_legacy_key_is(key, connector, topic))
            return ferry_error_set(err, errlen, "%s: the key should be topic-%s-%s, the topic "
                                   "and the connector its value names", key, topic, connector),
                   -1;
        json_t *topics = json_object_get(state->legacy, connector);
        if (!topics) {
            topics = json_object();
            json_object_set_new(state->legacy, connector, topics);
        }
        json_object_set_new(topics, topic, json_true());
        status_state_topic_set(state, connector, topic, true);
        return 0;
    }
    const char *connector;
    json_t *topics;
    json_object_foreach(state->legacy, connector, topics) {
        const char *topic;
        json_t *known;
        json_object_foreach(topics, topic, known) {
            if (status_state_legacy_key_is(key, connector, topic)) {
                status_state_topic_set(state, connector, topic, false);
                json_object_del(topics, topic);
                return 0;
            }
        }
    }
    return 0; /* the tombstone of a record never read: nothing to forget */
}

static int status_state_topic_record(status_state *state, const char *key, json_t *value,
                                     char *err, size_t errlen)
{
    /* Topic names never hold ':' (Kafka allows letters, digits, '.', '_' and '-'). */
    const char *topic = key + strlen(STATUS_TOPIC_PREFIX);
    const char *separator = strchr(topic, ':');
    if (!separator || separator == topic ||
        strncmp(separator, STATUS_TOPIC_SEPARATOR, strlen(STATUS_TOPIC_SEPARATOR)) != 0 ||
        !separator[strlen(STATUS_TOPIC_SEPARATOR)])
        return ferry_error_set(err, errlen, "%s: not a topic status key "
                               "(status-topic-<topic>:connector-<connector>)", key),
               -1;
    const char *connector = separator + strlen(STATUS_TOPIC_SEPARATOR);
    if (value && status_state_topic_value_check(key, value, err, errlen) != 0)
        return -1;
    json_t *own = json_object_get(state->own_writes, key);
    if (own) {
        /* This worker's own write read back: the set has it already, and may have moved on. */
        if (json_integer_value(own) > 1)
            json_object_set_new(state->own_writes, key,
                                json_integer(json_integer_value(own) - 1));
        else
            json_object_del(state->own_writes, key);
        return 0;
    }
    char *name = strndup(topic, (size_t)(separator - topic));
    if (!name)
        return ferry_error_set(err, errlen, "%s: out of memory", key), -1;
    status_state_topic_set(state, connector, name, value != NULL);
    free(name);
    return 0;
}

int status_state_apply(status_state *state, const char *key, const void *value,
                       size_t value_len, char *err, size_t errlen)
{
    json_t *parsed;
    if (store_record_json(key, value, value_len, &parsed, err, errlen) != 0)
        return -1;
    int rc = 0;
    if (strncmp(key, STATUS_CONNECTOR_PREFIX, strlen(STATUS_CONNECTOR_PREFIX)) == 0) {
        rc = status_state_connector_record(state, key, parsed, err, errlen);
    } else if (strncmp(key, STATUS_TASK_PREFIX, strlen(STATUS_TASK_PREFIX)) == 0) {
        rc = status_state_task_record(state, key, parsed, err, errlen);
    } else if (strncmp(key, STATUS_TOPIC_PREFIX, strlen(STATUS_TOPIC_PREFIX)) == 0) {
        rc = status_state_topic_record(state, key, parsed, err, errlen);
    } else if (strncmp(key, STATUS_LEGACY_TOPIC_PREFIX, strlen(STATUS_LEGACY_TOPIC_PREFIX)) ==
               0) {
        rc = status_state_legacy_topic_record(state, key, parsed, err, errlen);
    } else if (!json_object_get(state->logged_keys, key)) {
        json_object_set_new(state->logged_keys, key, json_true());
        log_debug("status", "ignoring record %s of the status topic: a key ferry does not know",
                  key);
    }
    json_decref(parsed);
    return rc;
}

json_t *status_state_connector(const status_state *state, const char *connector)
{
    return json_deep_copy(json_object_get(state->connectors, connector));
}

static int status_state_task_compare(const void *a, const void *b)
{
    json_int_t left = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
    json_int_t right = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
    return left < right ? -1 : left > right;
}

json_t *status_state_tasks(const status_state *state, const char *connector)
{
    json_t *held = json_object_get(state->tasks, connector);
    size_t count = json_object_size(held);
    json_t **sorted = calloc(count + 1, sizeof(*sorted));
    json_t *tasks = json_array();
    if (!sorted || !tasks) {
        free(sorted);
        json_decref(tasks);
        return NULL;
    }
    size_t n = 0;
    const char *index;
    json_t *status;
    json_object_foreach(held, index, status) {
        json_t *copy = json_deep_copy(status);
        if (copy) {
            json_object_set_new(copy, "id", json_integer(strtol(index, NULL, 10)));
            sorted[n++] = copy;
        }
    }
    qsort(sorted, n, sizeof(*sorted), status_state_task_compare);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(tasks, sorted[i]);
    free(sorted);
    return tasks;
}

char *status_state_topic_key(const char *connector, const char *topic)
{
    char *key = NULL;
    return asprintf(&key, STATUS_TOPIC_PREFIX "%s" STATUS_TOPIC_SEPARATOR "%s", topic,
                    connector) < 0
               ? NULL
               : key;
}

bool status_state_topic_active(const status_state *state, const char *connector,
                               const char *topic)
{
    return json_object_get(json_object_get(state->topics, connector), topic) != NULL;
}

json_t *status_state_topics(const status_state *state, const char *connector)
{
    json_t *names = json_array();
    const char *topic;
    json_t *active;
    json_object_foreach(json_object_get(state->topics, connector), topic, active)
        json_array_append_new(names, json_string(topic));
    return names;
}

/* Counts this worker's writes of a topic record that are still to be read back. */
static void status_state_own_writes_add(status_state *state, const char *connector,
                                        const char *topic, json_int_t delta)
{
    char *key = status_state_topic_key(connector, topic);
    if (!key)
        return;
    json_int_t count = json_integer_value(json_object_get(state->own_writes, key)) + delta;
    if (count > 0)
        json_object_set_new(state->own_writes, key, json_integer(count));
    else
        json_object_del(state->own_writes, key);
    free(key);
}

void status_state_topic_written(status_state *state, const char *connector, const char *topic,
                                bool active)
{
    status_state_own_writes_add(state, connector, topic, 1);
    status_state_topic_set(state, connector, topic, active);
}

void status_state_topic_unwritten(status_state *state, const char *connector,
                                  const char *topic)
{
    status_state_own_writes_add(state, connector, topic, -1);
}

char *status_state_topic_legacy_key(const status_state *state, const char *connector,
                                    const char *topic)
{
    if (!json_object_get(json_object_get(state->legacy, connector), topic))
        return NULL;
    char *key = NULL;
    return asprintf(&key, STATUS_LEGACY_TOPIC_PREFIX "%s-%s", topic, connector) < 0 ? NULL
                                                                                   : key;
}

void status_state_topic_legacy_forget(status_state *state, const char *connector,
                                      const char *topic)
{
    json_object_del(json_object_get(state->legacy, connector), topic);
}

int status_state_generation_highest(const status_state *state)
{
    return state->highest_generation;
}
