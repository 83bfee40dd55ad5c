/*
 * config_state.c - the configs topic's records applied to maps of JSON values, one rule per key
 * prefix (see config_state.h).
 */
#include "stores/config_state.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "stores/store_record.h"

struct config_state {
    json_t *configs;       /* name -> properties (connector-<name>) */
    json_t *task_counts;   /* name -> the task count of the last complete commit */
    json_t *task_configs;  /* name -> {"<n>": properties}: committed */
    json_t *deferred;      /* name -> {"<n>": properties}: waiting for a commit */
    json_t *inconsistent;  /* name -> true: the last commit found task configs missing */
    json_t *target_states; /* name -> "STARTED" | "PAUSED" | "STOPPED" */
    json_t *assignment;    /* the latest ferry-assignment value, or NULL */
    json_t *workers;       /* worker id -> {"url", "epoch"} */
    json_t *fencing_counts; /* name -> the task count of the last fencing round (tasks-fencing-) */
    config_session_key session_key; /* key NULL while none was read */
    json_t *logged_keys;   /* keys ignored and logged once already */
};

const char *config_change_kind_name(config_change_kind kind)
{
    static const char *const names[] = {
        [CONFIG_CHANGE_NONE] = "none",
        [CONFIG_CHANGE_CONNECTOR] = "connector",
        [CONFIG_CHANGE_CONNECTOR_REMOVED] = "connector removed",
        [CONFIG_CHANGE_TARGET_STATE] = "target state",
        [CONFIG_CHANGE_TASKS] = "tasks",
        [CONFIG_CHANGE_RESTART] = "restart",
        [CONFIG_CHANGE_SESSION_KEY] = "session key",
        [CONFIG_CHANGE_ASSIGNMENT] = "assignment",
        [CONFIG_CHANGE_WORKER] = "worker",
    };
    return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

config_state *config_state_new(void)
{
    config_state *state = calloc(1, sizeof(*state));
    if (!state)
        return NULL;
    json_t **maps[] = {&state->configs, &state->task_counts, &state->task_configs,
                       &state->deferred, &state->inconsistent, &state->target_states,
                       &state->workers, &state->fencing_counts, &state->logged_keys};
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
        if (!(*maps[i] = json_object())) {
            config_state_destroy(state);
            return NULL;
        }
    }
    return state;
}

void config_state_destroy(config_state *state)
{
    if (!state)
        return;
    json_decref(state->configs);
    json_decref(state->task_counts);
    json_decref(state->task_configs);
    json_decref(state->deferred);
    json_decref(state->inconsistent);
    json_decref(state->target_states);
    json_decref(state->assignment);
    json_decref(state->workers);
    json_decref(state->fencing_counts);
    json_decref(state->logged_keys);
    config_records_session_key_clear(&state->session_key);
    free(state);
}

/* Logs, once per key, a record that is ignored. */
static void config_state_ignore(config_state *state, const char *key, const char *why)
{
    if (json_object_get(state->logged_keys, key))
        return;
    json_object_set_new(state->logged_keys, key, json_true());
    log_debug("configs", "ignoring record %s of the configs topic: %s", key, why);
}

/* What Kafka Connect's processConnectorRemoval forgets (the target state has a tombstone of its
 * own). */
static void config_state_forget(config_state *state, const char *name)
{
    json_object_del(state->configs, name);
    json_object_del(state->task_counts, name);
    json_object_del(state->task_configs, name);
    json_object_del(state->deferred, name);
    json_object_del(state->inconsistent, name);
    json_object_del(state->fencing_counts, name);
}

/* The "properties" of a connector or task config: an object of strings (or nulls, which Kafka
 * Connect's schema allows). */
static json_t *config_state_properties(const char *key, json_t *value, char *err, size_t errlen)
{
    json_t *properties = json_object_get(value, "properties");
    if (!json_is_object(properties)) {
        ferry_error_set(err, errlen, "%s: %s", key,
                        json_is_object(value) ? "'properties' should be a JSON object"
                                              : "the value should be a JSON object");
        return NULL;
    }
    const char *name;
    json_t *property;
    json_object_foreach(properties, name, property) {
        if (!json_is_string(property) && !json_is_null(property)) {
            ferry_error_set(err, errlen, "%s: property '%s' should be a string", key, name);
            return NULL;
        }
    }
    return properties;
}

static int config_state_connector(config_state *state, const char *key, const char *name,
                                  json_t *value, config_change *change, char *err,
                                  size_t errlen)
{
    change->connector = name;
    if (!value) {
        config_state_forget(state, name);
        change->kind = CONFIG_CHANGE_CONNECTOR_REMOVED;
        return 0;
    }
    json_t *properties = config_state_properties(key, value, err, errlen);
    if (!properties)
        return -1;
    json_object_set(state->configs, name, properties);
    change->kind = CONFIG_CHANGE_CONNECTOR;
    return 0;
}

static bool config_state_target_known(const char *state)
{
    return strcmp(state, "STARTED") == 0 || strcmp(state, "PAUSED") == 0 ||
           strcmp(state, "STOPPED") == 0;
}

static int config_state_target_state(config_state *state, const char *key, const char *name,
                                     json_t *value, config_change *change, char *err,
                                     size_t errlen)
{
    if (!value) {
        /* Kafka Connect tells no listener: the connector's own tombstone does. */
        json_object_del(state->target_states, name);
        return 0;
    }
    if (!json_is_object(value))
        return ferry_error_set(err, errlen, "%s: the value should be a JSON object", key), -1;
    json_t *v2 = json_object_get(value, "state.v2");
    const char *target = json_string_value(v2);
    if (!target && v2 && !json_is_null(v2))
        log_warn("configs", "%s: 'state.v2' should be a string; reading 'state'", key);
    if (!target) {
        /* Written by a worker older than the STOPPED state. */
        target = json_string_value(json_object_get(value, "state"));
        if (!target)
            return ferry_error_set(err, errlen, "%s: 'state' should be a string", key), -1;
    }
    if (!config_state_target_known(target))
        return ferry_error_set(err, errlen,
                               "%s: '%s' is not a target state (STARTED, PAUSED or STOPPED)",
                               key, target),
               -1;
    json_object_set_new(state->target_states, name, json_string(target));
    change->kind = CONFIG_CHANGE_TARGET_STATE;
    change->connector = name;
    return 0;
}

static int config_state_task(config_state *state, const char *key, json_t *value, char *err,
                             size_t errlen)
{
    int task = 0;
    char *name = store_record_task_id(key + strlen("task-"), &task);
    if (!name)
        return ferry_error_set(err, errlen, "%s: not a task key (task-<connector>-<number>)",
                               key),
               -1;
    int rc = -1;
    json_t *properties = value ? config_state_properties(key, value, err, errlen) : NULL;
    if (!value)
        ferry_error_set(err, errlen, "%s: a tombstone where a task config belongs", key);
    if (properties) {
        json_t *waiting = json_object_get(state->deferred, name);
        if (!waiting) {
            waiting = json_object();
            json_object_set_new(state->deferred, name, waiting);
        }
        char index[16];
        snprintf(index, sizeof(index), "%d", task);
        json_object_set(waiting, index, properties);
        rc = 0;
    }
    free(name);
    return rc;
}

static int config_state_commit(config_state *state, const char *key, const char *name,
                               json_t *value, config_change *change, char *err, size_t errlen)
{
    if (!json_object_get(state->configs, name)) {
        /* The connector was deleted and compaction removed its config record; what its task
         * records left behind goes too. */
        config_state_forget(state, name);
        log_debug("configs", "%s: ignoring task configs of connector %s, which is deleted", key,
                  name);
        return 0;
    }
    json_t *count = json_object_get(value, "tasks");
    if (!json_is_integer(count) || json_integer_value(count) < 0 ||
        json_integer_value(count) > INT_MAX)
        return ferry_error_set(err, errlen, "%s: %s", key,
                               json_is_object(value)
                                   ? "'tasks' should be a task count (an integer of at least 0)"
                                   : "the value should be a JSON object"),
               -1;
    json_int_t tasks = json_integer_value(count);
    json_t *waiting = json_object_get(state->deferred, name);
    bool complete = true;
    for (json_int_t i = 0; i < tasks && complete; i++) {
        char index[24];
        snprintf(index, sizeof(index), "%lld", (long long)i);
        complete = json_object_get(waiting, index) != NULL;
    }
    change->kind = CONFIG_CHANGE_TASKS;
    change->connector = name;
    if (!complete) {
        /* The waiting configs stay: later task records and a commit may complete them. */
        log_debug("configs", "%s: task configs of %s incomplete (compacted?): connector "
                  "inconsistent until its tasks are committed again", key, name);
        json_object_set_new(state->inconsistent, name, json_true());
        return 0;
    }
    json_t *committed = json_object_get(state->task_configs, name);
    if (!committed) {
        committed = json_object();
        json_object_set_new(state->task_configs, name, committed);
    }
    if (waiting)
        json_object_update(committed, waiting);
    json_object_set_new(state->task_counts, name, json_integer(tasks));
    json_object_del(state->inconsistent, name);
    json_object_del(state->deferred, name);
    return 0;
}

static int config_state_restart(const char *key, const char *name, json_t *value,
                                config_change *change, char *err, size_t errlen)
{
    char why[256];
    bool include_tasks, only_failed;
    int rc = config_records_restart_decode(value, &include_tasks, &only_failed, why,
                                           sizeof(why));
    if (rc < 0)
        return ferry_error_set(err, errlen, "%s: %s", key, why), -1;
    if (rc > 0)
        log_warn("configs", "%s: %s", key, why);
    *change = (config_change){.kind = CONFIG_CHANGE_RESTART, .connector = name,
                              .include_tasks = include_tasks, .only_failed = only_failed};
    return 0;
}

static int config_state_session(config_state *state, const char *key, json_t *value,
                                config_change *change, char *err, size_t errlen)
{
    char why[256];
    config_session_key read;
    if (!value)
        return ferry_error_set(err, errlen, "%s: a tombstone where a session key belongs", key),
               -1;
    if (config_records_session_key_decode(value, &read, why, sizeof(why)) != 0)
        return ferry_error_set(err, errlen, "%s: %s", key, why), -1;
    config_records_session_key_clear(&state->session_key);
    state->session_key = read;
    change->kind = CONFIG_CHANGE_SESSION_KEY;
    return 0;
}

static int config_state_assignment_record(config_state *state, const char *key, json_t *value,
                                          config_change *change, char *err, size_t errlen)
{
    /* The assignor reads the rest; the epoch is what every worker compares. */
    json_t *epoch = json_object_get(value, "epoch");
    if (value && (!json_is_integer(epoch) || json_integer_value(epoch) < 0))
        return ferry_error_set(err, errlen, "%s: %s", key,
                               json_is_object(value)
                                   ? "'epoch' should be an integer of at least 0"
                                   : "the value should be a JSON object"),
               -1;
    json_decref(state->assignment);
    state->assignment = json_incref(value);
    change->kind = CONFIG_CHANGE_ASSIGNMENT;
    return 0;
}

static int config_state_worker(config_state *state, const char *key, const char *id,
                               json_t *value, config_change *change, char *err, size_t errlen)
{
    char why[256];
    if (!*id)
        return ferry_error_set(err, errlen, "%s: no worker id after the prefix", key), -1;
    if (value) {
        config_worker_record worker;
        if (config_records_worker_decode(value, &worker, why, sizeof(why)) != 0)
            return ferry_error_set(err, errlen, "%s: %s", key, why), -1;
        json_object_set_new(state->workers, id,
                            json_pack("{s:s, s:I}", "url", worker.url, "epoch",
                                      (json_int_t)worker.epoch));
        config_records_worker_clear(&worker);
    } else {
        json_object_del(state->workers, id);
    }
    change->kind = CONFIG_CHANGE_WORKER;
    change->worker_id = id;
    return 0;
}

#define KEY_HAS_PREFIX(key, prefix) (strncmp((key), (prefix), strlen(prefix)) == 0)

/* tasks-fencing-<name>: {"task-count": n}, the task count whose transactional.ids the last
 * fencing round of an exactly-once source connector fenced (KIP-618). A tombstone forgets it. */
static int config_state_fencing_count(config_state *state, const char *key, const char *name,
                                      json_t *value, char *err, size_t errlen)
{
    if (!value || json_is_null(value)) {
        json_object_del(state->fencing_counts, name);
        return 0;
    }
    json_t *count = json_object_get(value, "task-count");
    if (!json_is_integer(count) || json_integer_value(count) < 0 ||
        json_integer_value(count) > INT_MAX)
        return ferry_error_set(err, errlen, "%s: 'task-count' should be a task count (an "
                               "integer of at least 0)", key),
               -1;
    json_object_set_new(state->fencing_counts, name, json_integer(json_integer_value(count)));
    return 0;
}

static int config_state_apply_json(config_state *state, const char *key, json_t *value,
                                   config_change *change, char *err, size_t errlen)
{
    if (KEY_HAS_PREFIX(key, "target-state-"))
        return config_state_target_state(state, key, key + strlen("target-state-"), value,
                                         change, err, errlen);
    if (KEY_HAS_PREFIX(key, "connector-"))
        return config_state_connector(state, key, key + strlen("connector-"), value, change,
                                      err, errlen);
    if (KEY_HAS_PREFIX(key, "task-"))
        return config_state_task(state, key, value, err, errlen);
    if (KEY_HAS_PREFIX(key, "commit-"))
        return config_state_commit(state, key, key + strlen("commit-"), value, change, err,
                                   errlen);
    if (KEY_HAS_PREFIX(key, "restart-connector-"))
        return config_state_restart(key, key + strlen("restart-connector-"), value, change, err,
                                    errlen);
    if (strcmp(key, CONFIG_RECORDS_SESSION_KEY) == 0)
        return config_state_session(state, key, value, change, err, errlen);
    if (strcmp(key, CONFIG_RECORDS_ASSIGNMENT) == 0)
        return config_state_assignment_record(state, key, value, change, err, errlen);
    if (KEY_HAS_PREFIX(key, CONFIG_RECORDS_WORKER_PREFIX))
        return config_state_worker(state, key, key + strlen(CONFIG_RECORDS_WORKER_PREFIX), value,
                                   change, err, errlen);
    if (KEY_HAS_PREFIX(key, "tasks-fencing-"))
        return config_state_fencing_count(state, key, key + strlen("tasks-fencing-"), value, err,
                                          errlen);
    config_state_ignore(state, key, "a key ferry does not know");
    return 0;
}

int config_state_apply(config_state *state, const char *key, const void *value,
                       size_t value_len, config_change *change, char *err, size_t errlen)
{
    *change = (config_change){.kind = CONFIG_CHANGE_NONE};
    json_t *parsed;
    if (store_record_json(key, value, value_len, &parsed, err, errlen) != 0)
        return -1;
    int rc = config_state_apply_json(state, key, parsed, change, err, errlen);
    if (rc != 0)
        *change = (config_change){.kind = CONFIG_CHANGE_NONE};
    json_decref(parsed);
    return rc;
}

/* One connector's entry of the snapshot: {"config", "target_state", "tasks", "inconsistent"}. */
static json_t *config_state_entry(const config_state *state, const char *name,
                                  json_t *properties)
{
    bool inconsistent = json_object_get(state->inconsistent, name) != NULL;
    json_int_t count =
        inconsistent ? 0 : json_integer_value(json_object_get(state->task_counts, name));
    json_t *committed = json_object_get(state->task_configs, name);
    json_t *tasks = json_array();
    for (json_int_t i = 0; tasks && i < count; i++) {
        char index[24];
        snprintf(index, sizeof(index), "%lld", (long long)i);
        json_t *task = json_object_get(committed, index);
        if (task)
            json_array_append(tasks, task);
        else
            json_array_append_new(tasks, json_object());
    }
    const char *target = json_string_value(json_object_get(state->target_states, name));
    return json_pack("{s:O, s:s, s:o, s:b}", "config", properties,
                     "target_state", target ? target : "STARTED", "tasks", tasks,
                     "inconsistent", inconsistent);
}

json_t *config_state_snapshot(const config_state *state)
{
    json_t *snapshot = json_object();
    const char *name;
    json_t *properties;
    json_object_foreach(state->configs, name, properties) {
        json_t *entry = config_state_entry(state, name, properties);
        if (!snapshot || !entry || json_object_set_new(snapshot, name, entry) != 0) {
            json_decref(snapshot);
            return NULL;
        }
    }
    return snapshot;
}

json_t *config_state_connector_entry(const config_state *state, const char *name, bool *found)
{
    json_t *properties = json_object_get(state->configs, name);
    *found = properties != NULL;
    return properties ? config_state_entry(state, name, properties) : NULL;
}

json_t *config_state_task_counts(const config_state *state)
{
    json_t *counts = json_object();
    const char *name;
    json_t *properties;
    json_object_foreach(state->configs, name, properties) {
        bool inconsistent = json_object_get(state->inconsistent, name) != NULL;
        json_int_t count =
            inconsistent ? 0 : json_integer_value(json_object_get(state->task_counts, name));
        if (!counts || json_object_set_new(counts, name, json_integer(count)) != 0) {
            json_decref(counts);
            return NULL;
        }
    }
    return counts;
}

int config_state_fencing_count_of(const config_state *state, const char *name)
{
    json_t *count = json_object_get(state->fencing_counts, name);
    return count ? (int)json_integer_value(count) : -1;
}

size_t config_state_connector_count(const config_state *state)
{
    return json_object_size(state->configs);
}

json_t *config_state_assignment(const config_state *state)
{
    return json_deep_copy(state->assignment);
}

json_t *config_state_workers(const config_state *state)
{
    return json_deep_copy(state->workers);
}

int config_state_session_key(const config_state *state, config_session_key *out)
{
    *out = (config_session_key){0};
    if (!state->session_key.key)
        return -1;
    return config_records_session_key_copy(&state->session_key, out);
}
