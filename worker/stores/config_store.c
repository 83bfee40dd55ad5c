/*
 * config_store.c - the configs topic restored into a JSON view and written through a
 * topic_writer.
 */
#include "stores/config_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/topic_writer.h"

struct config_store {
    pthread_mutex_t mutex;
    topic_writer *writer;
    int timeout_ms;
    json_t *connectors;    /* name -> {"config", "target_state", "tasks"} */
    json_t *pending_tasks; /* name -> {"<n>": {..}}: task configs waiting for their commit */
    /* name -> "STARTED" | "PAUSED" | "STOPPED"; apart from connectors because Kafka Connect may
     * write a target state before the config it belongs to (initial_state). */
    json_t *target_states;
};

static json_t *config_store_entry(config_store *store, const char *name)
{
    json_t *entry = json_object_get(store->connectors, name);
    if (!entry) {
        entry = json_pack("{s:{}, s:[]}", "config", "tasks");
        json_object_set_new(store->connectors, name, entry);
    }
    return entry;
}

/* Applies one record of the topic (restore) or of a write just acknowledged. */
static void config_store_apply(config_store *store, const char *key, json_t *value)
{
    const char *name;
    if (strncmp(key, "connector-", 10) == 0) {
        name = key + 10;
        json_t *properties = json_object_get(value, "properties");
        if (!value || json_is_null(value)) {
            json_object_del(store->connectors, name);
            json_object_del(store->pending_tasks, name);
        } else if (json_is_object(properties)) {
            json_object_set(config_store_entry(store, name), "config", properties);
        }
    } else if (strncmp(key, "target-state-", 13) == 0) {
        name = key + 13;
        const char *state = json_string_value(json_object_get(value, "state.v2"));
        if (!state)
            state = json_string_value(json_object_get(value, "state"));
        if (state)
            json_object_set_new(store->target_states, name, json_string(state));
        else
            json_object_del(store->target_states, name);
    } else if (strncmp(key, "task-", 5) == 0) {
        /* task-<name>-<n>: the name may itself contain dashes; the number follows the last. */
        const char *dash = strrchr(key, '-');
        if (!dash || dash <= key + 5 || !value)
            return;
        char *task_name = strndup(key + 5, (size_t)(dash - key - 5));
        json_t *pending = json_object_get(store->pending_tasks, task_name);
        if (!pending) {
            pending = json_object();
            json_object_set_new(store->pending_tasks, task_name, pending);
        }
        json_object_set(pending, dash + 1, json_object_get(value, "properties"));
        free(task_name);
    } else if (strncmp(key, "commit-", 7) == 0) {
        name = key + 7;
        json_t *entry = json_object_get(store->connectors, name);
        json_t *pending = json_object_get(store->pending_tasks, name);
        json_int_t count = json_integer_value(json_object_get(value, "tasks"));
        if (!entry)
            return;
        json_t *tasks = json_array();
        for (json_int_t i = 0; i < count; i++) {
            char index[32];
            snprintf(index, sizeof(index), "%lld", (long long)i);
            json_t *task = json_object_get(pending, index);
            json_array_append(tasks, task ? task : json_object());
        }
        json_object_set_new(entry, "tasks", tasks);
        json_object_del(store->pending_tasks, name);
    }
}

static int config_store_restore_record(void *opaque, const rd_kafka_message_t *message,
                                       char *err, size_t errlen)
{
    config_store *store = opaque;
    if (!message->key)
        return 0;
    char *key = strndup(message->key, message->key_len);
    json_t *value = NULL;
    if (message->payload) {
        json_error_t error;
        value = json_loadb(message->payload, message->len, 0, &error);
        if (!value) {
            log_warn("configs", "skipping record %s at offset %lld of the configs topic: %s",
                     key, (long long)message->offset, error.text);
            free(key);
            return 0;
        }
    }
    config_store_apply(store, key, value);
    json_decref(value);
    free(key);
    return 0;
}

config_store *config_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, int timeout_ms, char *err,
                                size_t errlen)
{
    config_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->connectors = json_object()) ||
        !(store->pending_tasks = json_object()) || !(store->target_states = json_object())) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&store->mutex, NULL);
    store->timeout_ms = timeout_ms;
    long read = 0;
    store->writer = topic_writer_open_restored(topic, producer_conf, consumer_conf, timeout_ms,
                                               config_store_restore_record, store, &read, err,
                                               errlen);
    producer_conf = consumer_conf = NULL;
    if (!store->writer)
        goto fail;
    log_info("configs", "restored %zu connector configs from %ld records of %s",
             json_object_size(store->connectors), read, topic);
    return store;
fail:
    if (consumer_conf)
        rd_kafka_conf_destroy(consumer_conf);
    if (producer_conf)
        rd_kafka_conf_destroy(producer_conf);
    config_store_close(store);
    return NULL;
}

void config_store_close(config_store *store)
{
    if (!store)
        return;
    topic_writer_destroy(store->writer);
    if (store->connectors)
        pthread_mutex_destroy(&store->mutex);
    json_decref(store->connectors);
    json_decref(store->pending_tasks);
    json_decref(store->target_states);
    free(store);
}

json_t *config_store_snapshot(config_store *store)
{
    pthread_mutex_lock(&store->mutex);
    json_t *copy = json_deep_copy(store->connectors);
    const char *name;
    json_t *entry;
    json_object_foreach(copy, name, entry) {
        json_t *state = json_object_get(store->target_states, name);
        json_object_set_new(entry, "target_state", state ? json_incref(state)
                                                         : json_string("STARTED"));
    }
    pthread_mutex_unlock(&store->mutex);
    return copy;
}

/* Writes records (key -> JSON value or tombstone), then applies them to the view. */
static int config_store_write(config_store *store, const char *const *keys,
                              json_t *const *values, size_t count, char *err, size_t errlen)
{
    int rc = -1;
    topic_write_record *records = calloc(count, sizeof(*records));
    char **texts = calloc(count, sizeof(*texts));
    if (!records || !texts) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        if (values[i] && !(texts[i] = json_dumps(values[i], JSON_COMPACT))) {
            ferry_error_set(err, errlen, "out of memory");
            goto done;
        }
        records[i] = (topic_write_record){.key = keys[i], .key_len = strlen(keys[i]),
                                          .value = texts[i],
                                          .value_len = texts[i] ? strlen(texts[i]) : 0};
    }
    if (topic_writer_write(store->writer, records, count, store->timeout_ms, err, errlen) != 0)
        goto done;
    pthread_mutex_lock(&store->mutex);
    for (size_t i = 0; i < count; i++)
        config_store_apply(store, keys[i], values[i]);
    pthread_mutex_unlock(&store->mutex);
    rc = 0;
done:
    for (size_t i = 0; texts && i < count; i++)
        free(texts[i]);
    free(texts);
    free(records);
    return rc;
}

int config_store_put_connector(config_store *store, const char *name, const config_map *config,
                               char *err, size_t errlen)
{
    char *key = NULL;
    json_t *value = json_pack("{s:o}", "properties", config_map_to_json(config));
    int rc = -1;
    if (value && asprintf(&key, "connector-%s", name) >= 0)
        rc = config_store_write(store, (const char *const[]){key}, &value, 1, err, errlen);
    else
        ferry_error_set(err, errlen, "out of memory");
    json_decref(value);
    free(key);
    return rc;
}

int config_store_put_target_state(config_store *store, const char *name, const char *state,
                                  char *err, size_t errlen)
{
    /* Readers that only know the first format see STOPPED as PAUSED, as Kafka Connect writes. */
    const char *v1 = strcmp(state, "STOPPED") == 0 ? "PAUSED" : state;
    char *key = NULL;
    json_t *value = json_pack("{s:s, s:s}", "state", v1, "state.v2", state);
    int rc = -1;
    if (value && asprintf(&key, "target-state-%s", name) >= 0)
        rc = config_store_write(store, (const char *const[]){key}, &value, 1, err, errlen);
    else
        ferry_error_set(err, errlen, "out of memory");
    json_decref(value);
    free(key);
    return rc;
}

int config_store_put_tasks(config_store *store, const char *name, json_t *task_configs,
                           char *err, size_t errlen)
{
    size_t count = json_array_size(task_configs);
    char **keys = calloc(count + 1, sizeof(*keys));
    json_t **values = calloc(count + 1, sizeof(*values));
    int rc = -1;
    if (!keys || !values)
        goto oom;
    for (size_t i = 0; i < count; i++) {
        if (asprintf(&keys[i], "task-%s-%zu", name, i) < 0) {
            keys[i] = NULL;
            goto oom;
        }
        values[i] = json_pack("{s:O}", "properties", json_array_get(task_configs, i));
    }
    if (asprintf(&keys[count], "commit-%s", name) < 0) {
        keys[count] = NULL;
        goto oom;
    }
    values[count] = json_pack("{s:I}", "tasks", (json_int_t)count);
    rc = config_store_write(store, (const char *const *)keys, values, count + 1, err, errlen);
    goto done;
oom:
    ferry_error_set(err, errlen, "out of memory");
done:
    for (size_t i = 0; keys && values && i <= count; i++) {
        free(keys[i]);
        json_decref(values[i]);
    }
    free(keys);
    free(values);
    return rc;
}

int config_store_delete_connector(config_store *store, const char *name, char *err,
                                  size_t errlen)
{
    char *connector_key = NULL, *state_key = NULL;
    int rc = -1;
    if (asprintf(&connector_key, "connector-%s", name) >= 0 &&
        asprintf(&state_key, "target-state-%s", name) >= 0)
        rc = config_store_write(store, (const char *const[]){connector_key, state_key},
                                (json_t *const[]){NULL, NULL}, 2, err, errlen);
    else
        ferry_error_set(err, errlen, "out of memory");
    free(connector_key);
    free(state_key);
    return rc;
}
