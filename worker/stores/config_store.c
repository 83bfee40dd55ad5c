/*
 * config_store.c - the configs topic followed by a topic_reader into a config_state, and written
 * through a topic_writer; a write waits until the reader has passed it.
 */
#include "stores/config_store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/topic_reader.h"
#include "kafka/topic_writer.h"

struct config_store {
    pthread_mutex_t mutex; /* the state */
    /* The listener: held while it is called, so that config_store_listen waits for a call under
     * way to end. Never taken with mutex held. */
    pthread_mutex_t listener_mutex;
    bool mutexes;
    config_state *state;
    topic_reader *reader;
    topic_writer *writer;
    int timeout_ms;
    config_store_listener listener;
    void *listener_opaque;
    config_store_protection protection;
    /* Connectors whose committed task records hold a value not sealed with the current key (an
     * older key, or plaintext of a sensitive key): a write of the connector's config writes them
     * again, so that a key rotation can finish in a cluster, where unchanged task configs are
     * not written again. Under mutex. */
    json_t *stale_tasks;
};

static void config_store_notify(config_store *store, const config_change *change)
{
    pthread_mutex_lock(&store->listener_mutex);
    if (store->listener)
        store->listener(store->listener_opaque, change);
    pthread_mutex_unlock(&store->listener_mutex);
}

/* The connector a connector-<name> or task-<name>-<n> record belongs to, into name; false for
 * other records. */
static bool config_store_record_connector(const char *key, char *name, size_t len)
{
    if (strncmp(key, "connector-", strlen("connector-")) == 0) {
        snprintf(name, len, "%s", key + strlen("connector-"));
        return true;
    }
    if (strncmp(key, "task-", strlen("task-")) != 0)
        return false;
    const char *start = key + strlen("task-");
    const char *dash = strrchr(start, '-');
    snprintf(name, len, "%.*s", dash ? (int)(dash - start) : (int)strlen(start), start);
    return true;
}

/* Whether a record's value for key would be written otherwise now: sealed with another key than
 * the current one, or a sensitive value in plaintext while the worker has keys. */
static bool config_store_value_stale(const config_store *store, const char *key,
                                     const char *value)
{
    const config_store_protection *protection = &store->protection;
    if (!protection->cipher || !value || !*value)
        return false;
    if (config_cipher_is_sealed(value))
        return !config_cipher_is_current(protection->cipher, value);
    return protection->sensitive && protection->sensitive(protection->opaque, NULL, key);
}

/* Opens the sealed values of a connector or task record's properties, in place. A value that
 * does not open becomes its marker, and the store says why: the connector then fails where its
 * config is used (config_cipher_unreadable), and the ciphertext is never taken for a secret. */
static void config_store_open_values(const config_store *store, const char *connector,
                                     json_t *properties)
{
    const char *key;
    json_t *value;
    json_object_foreach(properties, key, value) {
        if (!config_cipher_is_sealed(json_string_value(value)))
            continue;
        char *plain = NULL;
        char why[768];
        if (config_cipher_open(store->protection.cipher, key, json_string_value(value), &plain,
                               why, sizeof(why)) != 0)
            log_error("configs", "connector %s: %s; the connector fails until a worker with "
                      "the right key rewrites its config", connector, why);
        /* Out of memory: an empty value, never the ciphertext. */
        json_object_set_new(properties, key, json_string(plain ? plain : ""));
        if (plain)
            memset(plain, 0, strlen(plain));
        free(plain);
    }
}

/* Notes whether a task record just read is stale (config_store_value_stale). Reader thread. */
static void config_store_task_record_check(config_store *store, const char *key,
                                           const rd_kafka_message_t *message)
{
    char connector[512];
    if (!store->protection.cipher || !message->payload ||
        strncmp(key, "task-", strlen("task-")) != 0 ||
        !config_store_record_connector(key, connector, sizeof(connector)))
        return;
    json_t *value = json_loadb(message->payload, message->len, 0, NULL);
    const char *name;
    json_t *property;
    bool stale = false;
    json_object_foreach(json_object_get(value, "properties"), name, property)
        stale |= config_store_value_stale(store, name, json_string_value(property));
    json_decref(value);
    if (!stale)
        return;
    pthread_mutex_lock(&store->mutex);
    json_object_set_new(store->stale_tasks, connector, json_true());
    pthread_mutex_unlock(&store->mutex);
}

/* A connector or task record's value with its sealed values opened: a new text, or NULL when it
 * holds none (or is not a JSON object: config_state refuses it). */
static char *config_store_record_opened(const config_store *store, const char *key,
                                        const rd_kafka_message_t *message)
{
    char connector[512];
    if (!message->payload || !config_store_record_connector(key, connector, sizeof(connector)) ||
        !memmem(message->payload, message->len, CONFIG_CIPHER_PREFIX,
                strlen(CONFIG_CIPHER_PREFIX)))
        return NULL;
    json_t *value = json_loadb(message->payload, message->len, 0, NULL);
    json_t *properties = json_object_get(value, "properties");
    char *text = NULL;
    if (json_is_object(properties)) {
        config_store_open_values(store, connector, properties);
        text = json_dumps(value, JSON_COMPACT);
    }
    json_decref(value);
    return text;
}

/* Every record the reader hands over: the restore's, then the thread's. */
static int config_store_read_record(void *opaque, const rd_kafka_message_t *message, char *err,
                                    size_t errlen)
{
    (void)err;
    (void)errlen;
    config_store *store = opaque;
    char why[512];
    char *key = message->key ? strndup(message->key, message->key_len) : NULL;
    if (!key) {
        log_warn("configs", "skipping record at offset %lld of the configs topic: %s",
                 (long long)message->offset, message->key ? "out of memory" : "no key");
        return 0;
    }
    config_store_task_record_check(store, key, message);
    char *opened = config_store_record_opened(store, key, message);
    config_change change;
    pthread_mutex_lock(&store->mutex);
    int rc = config_state_apply(store->state, key, opened ? opened : message->payload,
                                opened ? strlen(opened) : message->len, &change, why,
                                sizeof(why));
    pthread_mutex_unlock(&store->mutex);
    if (opened) {
        memset(opened, 0, strlen(opened)); /* it holds secrets */
        free(opened);
    }
    if (rc != 0)
        log_warn("configs", "skipping record at offset %lld of the configs topic: %s",
                 (long long)message->offset, why);
    else if (change.kind != CONFIG_CHANGE_NONE)
        config_store_notify(store, &change);
    free(key);
    return 0;
}

config_store *config_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf,
                                const config_store_protection *protection, int timeout_ms,
                                char *err, size_t errlen)
{
    config_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->state = config_state_new())) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    if (protection)
        store->protection = *protection;
    if (!(store->stale_tasks = json_object())) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&store->mutex, NULL);
    pthread_mutex_init(&store->listener_mutex, NULL);
    store->mutexes = true;
    store->timeout_ms = timeout_ms;
    long read = 0;
    store->reader = topic_reader_start(consumer_conf, topic, timeout_ms,
                                       config_store_read_record, store, &read, err, errlen);
    consumer_conf = NULL;
    if (!store->reader)
        goto fail;
    store->writer = topic_writer_new(producer_conf, topic, err, errlen);
    producer_conf = NULL;
    if (!store->writer)
        goto fail;
    log_info("configs", "restored %zu connector configs from %ld records of %s",
             config_state_connector_count(store->state), read, topic);
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
    topic_reader_stop(store->reader); /* first: no record is applied after this */
    topic_writer_destroy(store->writer);
    config_state_destroy(store->state);
    json_decref(store->stale_tasks);
    if (store->mutexes) {
        pthread_mutex_destroy(&store->listener_mutex);
        pthread_mutex_destroy(&store->mutex);
    }
    free(store);
}

void config_store_listen(config_store *store, config_store_listener listener, void *opaque)
{
    pthread_mutex_lock(&store->listener_mutex);
    store->listener = listener;
    store->listener_opaque = opaque;
    pthread_mutex_unlock(&store->listener_mutex);
}

bool config_store_failed(config_store *store, char *message, size_t len)
{
    return topic_writer_failed(store->writer, message, len);
}

int config_store_sync(config_store *store, int timeout_ms, char *err, size_t errlen)
{
    return topic_reader_sync(store->reader, timeout_ms, err, errlen);
}

json_t *config_store_snapshot(config_store *store)
{
    pthread_mutex_lock(&store->mutex);
    json_t *snapshot = config_state_snapshot(store->state);
    pthread_mutex_unlock(&store->mutex);
    return snapshot;
}

json_t *config_store_connector(config_store *store, const char *name, bool *found)
{
    pthread_mutex_lock(&store->mutex);
    json_t *entry = config_state_connector_entry(store->state, name, found);
    pthread_mutex_unlock(&store->mutex);
    return entry;
}

json_t *config_store_task_counts(config_store *store)
{
    pthread_mutex_lock(&store->mutex);
    json_t *counts = config_state_task_counts(store->state);
    pthread_mutex_unlock(&store->mutex);
    return counts;
}

int config_store_fencing_count(config_store *store, const char *name)
{
    pthread_mutex_lock(&store->mutex);
    int count = config_state_fencing_count_of(store->state, name);
    pthread_mutex_unlock(&store->mutex);
    return count;
}

json_t *config_store_assignment(config_store *store)
{
    pthread_mutex_lock(&store->mutex);
    json_t *assignment = config_state_assignment(store->state);
    pthread_mutex_unlock(&store->mutex);
    return assignment;
}

json_t *config_store_workers(config_store *store)
{
    pthread_mutex_lock(&store->mutex);
    json_t *workers = config_state_workers(store->state);
    pthread_mutex_unlock(&store->mutex);
    return workers;
}

int config_store_session_key(config_store *store, config_session_key *out)
{
    pthread_mutex_lock(&store->mutex);
    int rc = config_state_session_key(store->state, out);
    pthread_mutex_unlock(&store->mutex);
    return rc;
}

/* Waits until the reader has read back the records written at positions. */
static int config_store_read_back(config_store *store, const topic_write_position *positions,
                                  size_t count, char *err, size_t errlen)
{
    int partitions = topic_reader_partitions(store->reader);
    int64_t *ends = calloc((size_t)partitions + 1, sizeof(*ends));
    if (!ends)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    bool known = true;
    for (size_t i = 0; i < count; i++) {
        if (positions[i].partition < 0 || positions[i].partition >= partitions)
            known = false; /* a partition added since: ask Kafka where the end is */
        else if (positions[i].offset + 1 > ends[positions[i].partition])
            ends[positions[i].partition] = positions[i].offset + 1;
    }
    int rc = known ? topic_reader_wait(store->reader, ends, store->timeout_ms, err, errlen)
                   : topic_reader_sync(store->reader, store->timeout_ms, err, errlen);
    free(ends);
    return rc;
}

/* Writes records (key -> JSON value, or a tombstone for NULL), then waits until the reader has
 * read them back, so that the state holds them when this returns. */
static int config_store_write(config_store *store, const char *const *keys,
                              json_t *const *values, size_t count, char *err, size_t errlen)
{
    int rc = -1;
    topic_write_record *records = calloc(count, sizeof(*records));
    topic_write_position *positions = calloc(count, sizeof(*positions));
    char **texts = calloc(count, sizeof(*texts));
    if (!records || !positions || !texts) {
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
    if (topic_writer_write_at(store->writer, records, count, store->timeout_ms, positions, err,
                              errlen) != 0)
        goto done;
    char why[512];
    if (config_store_read_back(store, positions, count, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "written, but not read back: %s", why);
        goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; texts && i < count; i++)
        free(texts[i]);
    free(texts);
    free(positions);
    free(records);
    return rc;
}

/* One record: prefix + name -> value (taken; NULL means out of memory). */
static int config_store_write_one(config_store *store, const char *prefix, const char *name,
                                  json_t *value, char *err, size_t errlen)
{
    char *key = NULL;
    int rc = -1;
    if (value && asprintf(&key, "%s%s", prefix, name) >= 0)
        rc = config_store_write(store, (const char *const[]){key}, &value, 1, err, errlen);
    else
        ferry_error_set(err, errlen, "out of memory");
    json_decref(value);
    free(key);
    return rc;
}

/* Seals, in properties, each value the protection names sensitive (with connector_properties as
 * the connector's config). 0, or -1 with err: nothing is written half-sealed. */
static int config_store_seal(const config_store *store, json_t *properties,
                             const json_t *connector_properties, char *err, size_t errlen)
{
    const config_store_protection *protection = &store->protection;
    if (!protection->cipher || !protection->sensitive)
        return 0;
    const char *key;
    json_t *value;
    json_object_foreach(properties, key, value) {
        const char *text = json_string_value(value);
        if (!text || !*text || config_cipher_is_sealed(text) ||
            !protection->sensitive(protection->opaque, connector_properties, key))
            continue;
        char *sealed = config_cipher_seal(protection->cipher, key, text, err, errlen);
        if (!sealed || json_object_set_new(properties, key, json_string(sealed)) != 0) {
            free(sealed);
            return -1;
        }
        free(sealed);
    }
    return 0;
}

/* Writes the committed task configs of a connector again when they are stale, as they are
 * (config_store_put_tasks seals them with the current key). 0, or -1 with err. */
static int config_store_tasks_refresh(config_store *store, const char *name, char *err,
                                      size_t errlen)
{
    pthread_mutex_lock(&store->mutex);
    bool stale = json_object_get(store->stale_tasks, name) != NULL;
    pthread_mutex_unlock(&store->mutex);
    if (!stale)
        return 0;
    bool found = false;
    json_t *entry = config_store_connector(store, name, &found);
    json_t *tasks = json_object_get(entry, "tasks");
    int rc = 0;
    if (json_array_size(tasks) > 0 && !json_is_true(json_object_get(entry, "inconsistent")))
        rc = config_store_put_tasks(store, name, tasks, err, errlen);
    json_decref(entry);
    return rc;
}

int config_store_put_connector(config_store *store, const char *name, const config_map *config,
                               char *err, size_t errlen)
{
    json_t *properties = config_map_to_json(config);
    if (properties && config_store_seal(store, properties, properties, err, errlen) != 0) {
        json_decref(properties);
        return -1;
    }
    if (config_store_write_one(store, "connector-", name,
                               properties ? json_pack("{s:o}", "properties", properties) : NULL,
                               err, errlen) != 0)
        return -1;
    return config_store_tasks_refresh(store, name, err, errlen);
}

int config_store_put_target_state(config_store *store, const char *name, const char *state,
                                  char *err, size_t errlen)
{
    /* Readers that only know the first format see STOPPED as PAUSED, as Kafka Connect writes. */
    const char *v1 = strcmp(state, "STOPPED") == 0 ? "PAUSED" : state;
    return config_store_write_one(store, "target-state-", name,
                                  json_pack("{s:s, s:s}", "state", v1, "state.v2", state), err,
                                  errlen);
}

int config_store_put_tasks(config_store *store, const char *name, json_t *task_configs,
                           char *err, size_t errlen)
{
    size_t count = json_array_size(task_configs);
    char **keys = calloc(count + 1, sizeof(*keys));
    json_t **values = calloc(count + 1, sizeof(*values));
    int rc = -1;
    /* The connector's stored config says which of its tasks' keys are sensitive. */
    bool found = false;
    json_t *entry = config_store_connector(store, name, &found);
    const json_t *connector_properties = json_object_get(entry, "config");
    if (!keys || !values)
        goto oom;
    for (size_t i = 0; i < count; i++) {
        if (asprintf(&keys[i], "task-%s-%zu", name, i) < 0) {
            keys[i] = NULL;
            goto oom;
        }
        /* A copy: the caller's task configs keep their plaintext. */
        json_t *properties = json_deep_copy(json_array_get(task_configs, i));
        if (properties &&
            config_store_seal(store, properties, connector_properties, err, errlen) != 0) {
            json_decref(properties);
            goto done;
        }
        values[i] = properties ? json_pack("{s:o}", "properties", properties) : NULL;
        if (!values[i])
            goto oom; /* never a tombstone in its place */
    }
    if (asprintf(&keys[count], "commit-%s", name) < 0) {
        keys[count] = NULL;
        goto oom;
    }
    values[count] = json_pack("{s:I}", "tasks", (json_int_t)count);
    rc = config_store_write(store, (const char *const *)keys, values, count + 1, err, errlen);
    if (rc == 0) {
        /* Read back before this returns: what was stale is written with the current key now. */
        pthread_mutex_lock(&store->mutex);
        json_object_del(store->stale_tasks, name);
        pthread_mutex_unlock(&store->mutex);
    }
    goto done;
oom:
    ferry_error_set(err, errlen, "out of memory");
done:
    json_decref(entry);
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

int config_store_put_fencing_count(config_store *store, const char *name, int count, char *err,
                                   size_t errlen)
{
    return config_store_write_one(store, "tasks-fencing-", name,
                                  json_pack("{s:i}", "task-count", count), err, errlen);
}

int config_store_put_restart_request(config_store *store, const char *name, bool include_tasks,
                                     bool only_failed, char *err, size_t errlen)
{
    return config_store_write_one(store, "restart-connector-", name,
                                  config_records_restart_encode(include_tasks, only_failed), err,
                                  errlen);
}

int config_store_put_session_key(config_store *store, const config_session_key *key, char *err,
                                 size_t errlen)
{
    return config_store_write_one(store, CONFIG_RECORDS_SESSION_KEY, "",
                                  config_records_session_key_encode(key), err, errlen);
}

int config_store_put_assignment(config_store *store, json_t *assignment, char *err,
                                size_t errlen)
{
    return config_store_write_one(store, CONFIG_RECORDS_ASSIGNMENT, "", json_incref(assignment),
                                  err, errlen);
}

int config_store_put_worker(config_store *store, const char *worker_id, const char *url,
                            int64_t epoch, char *err, size_t errlen)
{
    return config_store_write_one(store, CONFIG_RECORDS_WORKER_PREFIX, worker_id,
                                  config_records_worker_encode(url, epoch), err, errlen);
}
