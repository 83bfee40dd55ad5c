/*
 * status_store.c - status records through an asynchronous topic_writer.
 */
#include "runtime/status_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "runtime/topic_writer.h"

struct status_store {
    topic_writer *writer;
    char *worker_id;
};

status_store *status_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                const char *worker_id, char *err, size_t errlen)
{
    status_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->worker_id = strdup(worker_id))) {
        rd_kafka_conf_destroy(producer_conf);
        free(store);
        ferry_error_set(err, errlen, "out of memory");
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
    free(store->worker_id);
    free(store);
}

static void status_store_write(status_store *store, const char *key, const char *state,
                               const char *trace, int generation)
{
    json_t *value = json_pack("{s:s, s:s?, s:s, s:i}", "state", state, "trace", trace,
                              "worker_id", store->worker_id, "generation", generation);
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
    if (text) {
        topic_write_record record = {.key = key, .key_len = strlen(key), .value = text,
                                     .value_len = strlen(text)};
        topic_writer_write_async(store->writer, &record);
    }
    free(text);
    json_decref(value);
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
}
