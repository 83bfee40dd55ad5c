/*
 * status_store.c - status records through an asynchronous topic_writer.
 */
#include "stores/status_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "kafka/topic_reader.h"
#include "kafka/topic_writer.h"

struct status_store {
    topic_writer *writer;
    char *worker_id;
    json_t *topics; /* restored: record key -> {"name","connector"} */
};

static long status_topics_restore(status_store *store, rd_kafka_conf_t *consumer_conf,
                                  const char *topic, int timeout_ms, char *err, size_t errlen);

status_store *status_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, const char *worker_id,
                                int timeout_ms, char *err, size_t errlen)
{
    status_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->worker_id = strdup(worker_id)) || !(store->topics = json_object())) {
        rd_kafka_conf_destroy(producer_conf);
        rd_kafka_conf_destroy(consumer_conf);
        status_store_close(store);
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    long records = status_topics_restore(store, consumer_conf, topic, timeout_ms, err, errlen);
    if (records < 0) {
        rd_kafka_conf_destroy(producer_conf);
        status_store_close(store);
        return NULL;
    }
    store->writer = topic_writer_new(producer_conf, topic, err, errlen);
    if (!store->writer) {
        status_store_close(store);
        return NULL;
    }
    return store;
}

void status_store_close(status_store *store)
{
    if (!store)
        return;
    topic_writer_destroy(store->writer);
    json_decref(store->topics);
    free(store->worker_id);
    free(store);
}

/* Writes key -> the JSON text of value (taken; NULL = out of memory, nothing written). */
static void status_store_write_json(status_store *store, const char *key, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
    if (text) {
        topic_write_record record = {.key = key, .key_len = strlen(key), .value = text,
                                     .value_len = strlen(text)};
        topic_writer_write_async(store->writer, &record);
    }
    free(text);
    json_decref(value);
}

static void status_store_write(status_store *store, const char *key, const char *state,
                               const char *trace, int generation)
{
    status_store_write_json(store, key,
                            json_pack("{s:s, s:s?, s:s, s:i}", "state", state, "trace", trace,
                                      "worker_id", store->worker_id, "generation", generation));
}

void status_store_connector(status_store *store, const char *connector, const char *state,
                            const char *trace, int generation)
{
    char *key = NULL;
    if (!store || asprintf(&key, "status-connector-%s", connector) < 0)
        return;
    status_store_write(store, key, state, trace, generation);
    free(key);
}

void status_store_task(status_store *store, const char *connector, int task, const char *state,
                       const char *trace, int generation)
{
    char *key = NULL;
    if (!store || asprintf(&key, "status-task-%s-%d", connector, task) < 0)
        return;
    status_store_write(store, key, state, trace, generation);
    free(key);
}

void status_store_delete(status_store *store, const char *connector, int task_count)
{
    if (!store)
        return;
    for (int task = -1; task < task_count; task++) {
        char *key = NULL;
        int n = task < 0 ? asprintf(&key, "status-connector-%s", connector)
                         : asprintf(&key, "status-task-%s-%d", connector, task);
        if (n < 0)
            continue;
        topic_write_record record = {.key = key, .key_len = strlen(key)};
        topic_writer_write_async(store->writer, &record);
        free(key);
    }
    /* A deleted connector's active topics are reset too (KIP-558). */
    json_t *topics = status_store_topics(store, connector);
    size_t index;
    json_t *name;
    json_array_foreach(topics, index, name)
        status_store_topic_reset(store, connector, json_string_value(name));
    json_decref(topics);
}

/* ---- topic tracking --------------------------------------------------------------------- */

static char *status_topic_key(const char *connector, const char *topic)
{
    char *key = NULL;
    return asprintf(&key, "topic-%s-%s", topic, connector) < 0 ? NULL : key;
}

void status_store_topic(status_store *store, const char *connector, const char *topic, int task,
                        int64_t discovered_ms)
{
    char *key = store ? status_topic_key(connector, topic) : NULL;
    if (!key || json_object_get(store->topics, key)) {
        free(key); /* known already: Kafka Connect writes a topic once per connector */
        return;
    }
    json_object_set_new(store->topics, key, json_pack("{s:s, s:s}", "name", topic, "connector",
                                                      connector));
    status_store_write_json(store, key,
                            json_pack("{s:{s:s, s:s, s:i, s:I}}", "topic", "name", topic,
                                      "connector", connector, "task", task, "discoverTimestamp",
                                      (json_int_t)discovered_ms));
    free(key);
}

void status_store_topic_reset(status_store *store, const char *connector, const char *topic)
{
    char *key = store ? status_topic_key(connector, topic) : NULL;
    if (!key)
        return;
    topic_write_record record = {.key = key, .key_len = strlen(key)};
    topic_writer_write_async(store->writer, &record);
    json_object_del(store->topics, key);
    free(key);
}

static int status_topics_collect(void *opaque, const rd_kafka_message_t *message, char *err,
                                 size_t errlen)
{
    (void)err;
    (void)errlen;
    json_t *topics = opaque;
    if (!message->key || message->key_len < 6 || memcmp(message->key, "topic-", 6) != 0)
        return 0;
    char *key = strndup(message->key, message->key_len);
    if (!key)
        return 0;
    json_t *value = message->payload ? json_loadb(message->payload, message->len, 0, NULL)
                                     : NULL;
    json_t *entry = json_object_get(value, "topic");
    const char *name = json_string_value(json_object_get(entry, "name"));
    const char *connector = json_string_value(json_object_get(entry, "connector"));
    if (name && connector)
        json_object_set_new(topics, key, json_pack("{s:s, s:s}", "name", name, "connector",
                                                   connector));
    else
        json_object_del(topics, key); /* a tombstone, or a record that is not ours to read */
    json_decref(value);
    free(key);
    return 0;
}

static long status_topics_restore(status_store *store, rd_kafka_conf_t *consumer_conf,
                                  const char *topic, int timeout_ms, char *err, size_t errlen)
{
    json_t *topics = json_object();
    if (!topics) {
        rd_kafka_conf_destroy(consumer_conf);
        ferry_error_set(err, errlen, "out of memory");
        return -1;
    }
    long count = topic_reader_read_all(consumer_conf, topic, timeout_ms, status_topics_collect,
                                       topics, err, errlen);
    if (count < 0) {
        json_decref(topics);
        return -1;
    }
    json_object_update(store->topics, topics);
    json_decref(topics);
    return count;
}

json_t *status_store_topics(const status_store *store, const char *connector)
{
    json_t *names = json_array();
    const char *key;
    json_t *entry;
    if (store && names)
        json_object_foreach(store->topics, key, entry)
            if (strcmp(json_string_value(json_object_get(entry, "connector")), connector) == 0)
                json_array_append(names, json_object_get(entry, "name"));
    return names;
}
