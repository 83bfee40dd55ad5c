/*
 * status_store.c - the status topic followed by a topic_reader into a status_state, and written
 * through an asynchronous topic_writer.
 */
#include "stores/status_store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/topic_reader.h"
#include "kafka/topic_writer.h"
#include "stores/status_state.h"

struct status_store {
    pthread_mutex_t mutex; /* the state */
    bool mutex_ready;
    status_state *state;
    topic_reader *reader;
    topic_writer *writer;
    char *worker_id;
};

/* Every record the reader hands over: the restore's, then the thread's. */
static int status_store_read_record(void *opaque, const rd_kafka_message_t *message, char *err,
                                    size_t errlen)
{
    (void)err;
    (void)errlen;
    status_store *store = opaque;
    char why[512];
    char *key = message->key ? strndup(message->key, message->key_len) : NULL;
    if (!key) {
        log_warn("status", "skipping record at %d:%lld of the status topic: %s",
                 (int)message->partition, (long long)message->offset,
                 message->key ? "out of memory" : "no key");
        return 0;
    }
    pthread_mutex_lock(&store->mutex);
    int rc = status_state_apply(store->state, key, message->payload, message->len, why,
                                sizeof(why));
    pthread_mutex_unlock(&store->mutex);
    if (rc != 0)
        log_warn("status", "skipping record at %d:%lld of the status topic: %s",
                 (int)message->partition, (long long)message->offset, why);
    free(key);
    return 0;
}

status_store *status_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, const char *worker_id,
                                int timeout_ms, char *err, size_t errlen)
{
    status_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->worker_id = strdup(worker_id)) ||
        !(store->state = status_state_new())) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&store->mutex, NULL);
    store->mutex_ready = true;
    store->reader = topic_reader_start(consumer_conf, topic, timeout_ms,
                                       status_store_read_record, store, NULL, err, errlen);
    consumer_conf = NULL;
    if (!store->reader)
        goto fail;
    store->writer = topic_writer_new(producer_conf, topic, err, errlen);
    producer_conf = NULL;
    if (!store->writer)
        goto fail;
    return store;
fail:
    if (consumer_conf)
        rd_kafka_conf_destroy(consumer_conf);
    if (producer_conf)
        rd_kafka_conf_destroy(producer_conf);
    status_store_close(store);
    return NULL;
}

void status_store_close(status_store *store)
{
    if (!store)
        return;
    topic_reader_stop(store->reader);
    topic_writer_destroy(store->writer);
    status_state_destroy(store->state);
    if (store->mutex_ready)
        pthread_mutex_destroy(&store->mutex);
    free(store->worker_id);
    free(store);
}

/* Queues key -> value (a tombstone when NULL). 0, or -1 when not queued (logged). */
static int status_store_send(status_store *store, const char *key, const char *value)
{
    topic_write_record record = {.key = key, .key_len = strlen(key), .value = value,
                                 .value_len = value ? strlen(value) : 0};
    return topic_writer_write_async(store->writer, &record);
}

/* Writes key -> the JSON text of value (taken; NULL = out of memory, nothing written). */
static int status_store_send_json(status_store *store, const char *key, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
    int rc = text ? status_store_send(store, key, text) : -1;
    free(text);
    json_decref(value);
    return rc;
}

static void status_store_write(status_store *store, const char *key, const char *state,
                               const char *trace, int generation)
{
    status_store_send_json(store, key,
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

void status_store_task_delete(status_store *store, const char *connector, int task)
{
    char *key = NULL;
    if (!store || asprintf(&key, "status-task-%s-%d", connector, task) < 0)
        return;
    status_store_send(store, key, NULL);
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
        status_store_send(store, key, NULL);
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

json_t *status_store_connector_get(status_store *store, const char *connector)
{
    pthread_mutex_lock(&store->mutex);
    json_t *status = status_state_connector(store->state, connector);
    pthread_mutex_unlock(&store->mutex);
    return status;
}

json_t *status_store_tasks_get(status_store *store, const char *connector)
{
    pthread_mutex_lock(&store->mutex);
    json_t *tasks = status_state_tasks(store->state, connector);
    pthread_mutex_unlock(&store->mutex);
    return tasks;
}

int status_store_sync(status_store *store, int timeout_ms, char *err, size_t errlen)
{
    if (topic_writer_flush(store->writer, timeout_ms, err, errlen) != 0)
        return -1;
    return topic_reader_sync(store->reader, timeout_ms, err, errlen);
}

/* ---- topic tracking --------------------------------------------------------------------- */

/* Writes a topic record (active: value, taken; else the tombstone of a reset), changing the set
 * at once; the set keeps the change even when the record cannot be queued, as the task goes on
 * using the topic either way. */
static void status_store_topic_write(status_store *store, const char *connector,
                                     const char *topic, bool active, json_t *value)
{
    char *key = status_state_topic_key(connector, topic);
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
    json_decref(value);
    if (!key || (active && !text)) {
        log_error("status", "out of memory writing the active topic %s of %s", topic,
                  connector);
        goto done;
    }
    /* Counted as written before it is queued, so that the reader, which may read it back at
     * once, knows it for this worker's own. */
    pthread_mutex_lock(&store->mutex);
    status_state_topic_written(store->state, connector, topic, active);
    pthread_mutex_unlock(&store->mutex);
    if (status_store_send(store, key, text) != 0) {
        pthread_mutex_lock(&store->mutex);
        status_state_topic_unwritten(store->state, connector, topic);
        pthread_mutex_unlock(&store->mutex);
    }
done:
    free(text);
    free(key);
}

void status_store_topic(status_store *store, const char *connector, const char *topic, int task,
                        int64_t discovered_ms)
{
    if (!store)
        return;
    pthread_mutex_lock(&store->mutex);
    bool known = status_state_topic_active(store->state, connector, topic);
    pthread_mutex_unlock(&store->mutex);
    if (known)
        return; /* Kafka Connect writes a topic once per connector */
    status_store_topic_write(store, connector, topic, true,
                             json_pack("{s:{s:s, s:s, s:i, s:I}}", "topic", "name", topic,
                                       "connector", connector, "task", task,
                                       "discoverTimestamp", (json_int_t)discovered_ms));
}

void status_store_topic_reset(status_store *store, const char *connector, const char *topic)
{
    if (!store)
        return;
    status_store_topic_write(store, connector, topic, false, NULL);
    /* A record read under ferry's former key goes too, or it would come back at the next
     * start. */
    pthread_mutex_lock(&store->mutex);
    char *legacy = status_state_topic_legacy_key(store->state, connector, topic);
    status_state_topic_legacy_forget(store->state, connector, topic);
    pthread_mutex_unlock(&store->mutex);
    if (legacy)
        status_store_send(store, legacy, NULL);
    free(legacy);
}

int status_store_generation_highest(status_store *store)
{
    if (!store)
        return 0;
    pthread_mutex_lock(&store->mutex);
    int highest = status_state_generation_highest(store->state);
    pthread_mutex_unlock(&store->mutex);
    return highest;
}

json_t *status_store_topics(status_store *store, const char *connector)
{
    if (!store)
        return json_array();
    pthread_mutex_lock(&store->mutex);
    json_t *names = status_state_topics(store->state, connector);
    pthread_mutex_unlock(&store->mutex);
    return names;
}
