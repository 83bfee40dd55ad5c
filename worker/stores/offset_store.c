/*
 * offset_store.c - the offsets topic restored into a map (canonical key -> offset) and written
 * through a topic_writer.
 */
#include "stores/offset_store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "stores/offset_key.h"
#include "kafka/topic_reader.h"
#include "kafka/topic_writer.h"

struct offset_store {
    pthread_mutex_t mutex;
    topic_writer *writer; /* NULL for a store from offset_store_read */
    /* canonical key text -> {"connector": .., "partition": .., "offset": ..}. The values are the
     * store's own copies, and callers get copies: a JSON value is never shared between the
     * threads that use the store (tasks, the REST server, the herder), as jansson's reference
     * counts do not order one thread's last read before another's free. */
    json_t *offsets;
};

/* Applies one record to the map: the latest record of a key wins, a tombstone removes it. */
static int offset_store_apply(offset_store *store, const char *connector, json_t *partition,
                              json_t *offset)
{
    char *key = offset_key_serialize(connector, partition);
    if (!key)
        return -1;
    if (offset && !json_is_null(offset))
        json_object_set_new(store->offsets, key,
                            json_pack("{s:s, s:o, s:o}", "connector", connector, "partition",
                                      json_deep_copy(partition), "offset",
                                      json_deep_copy(offset)));
    else
        json_object_del(store->offsets, key);
    free(key);
    return 0;
}

static int offset_store_restore_record(void *opaque, const rd_kafka_message_t *message,
                                       char *err, size_t errlen)
{
    offset_store *store = opaque;
    char why[256];
    char *connector = NULL;
    json_t *partition = NULL, *offset = NULL;
    if (!message->key || offset_key_parse(message->key, message->key_len, &connector, &partition,
                                          why, sizeof(why)) != 0) {
        log_warn("offsets", "skipping record at %d:%lld of the offsets topic: bad key: %s",
                 (int)message->partition, (long long)message->offset,
                 message->key ? why : "no key");
        return 0;
    }
    if (message->payload) {
        json_error_t error;
        offset = json_loadb(message->payload, message->len, JSON_DECODE_ANY, &error);
        if (!offset || !json_is_object(offset)) {
            log_warn("offsets", "skipping record at %d:%lld of the offsets topic: the value is "
                     "not a JSON object", (int)message->partition, (long long)message->offset);
            goto done;
        }
    }
    if (offset_store_apply(store, connector, partition, offset) != 0)
        log_warn("offsets", "skipping record at %d:%lld of the offsets topic: out of memory",
                 (int)message->partition, (long long)message->offset);
done:
    json_decref(offset);
    json_decref(partition);
    free(connector);
    return 0;
}

offset_store *offset_store_open(const char *topic, rd_kafka_conf_t *producer_conf,
                                rd_kafka_conf_t *consumer_conf, int timeout_ms, char *err,
                                size_t errlen)
{
    offset_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->offsets = json_object())) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&store->mutex, NULL);
    long read = 0;
    store->writer = topic_writer_open_restored(topic, producer_conf, consumer_conf, timeout_ms,
                                               offset_store_restore_record, store, &read, err,
                                               errlen);
    producer_conf = consumer_conf = NULL;
    if (!store->writer)
        goto fail;
    log_info("offsets", "restored %zu source offsets from %ld records of %s",
             json_object_size(store->offsets), read, topic);
    return store;
fail:
    if (consumer_conf)
        rd_kafka_conf_destroy(consumer_conf);
    if (producer_conf)
        rd_kafka_conf_destroy(producer_conf);
    offset_store_close(store);
    return NULL;
}

offset_store *offset_store_read(const char *topic, rd_kafka_conf_t *consumer_conf,
                                int timeout_ms, char *err, size_t errlen)
{
    offset_store *store = calloc(1, sizeof(*store));
    if (!store || !(store->offsets = json_object())) {
        ferry_error_set(err, errlen, "out of memory");
        if (consumer_conf)
            rd_kafka_conf_destroy(consumer_conf);
        offset_store_close(store);
        return NULL;
    }
    pthread_mutex_init(&store->mutex, NULL);
    if (topic_reader_read_all(consumer_conf, topic, TOPIC_READER_END_ALL, timeout_ms,
                              offset_store_restore_record, store, err, errlen) < 0) {
        offset_store_close(store);
        return NULL;
    }
    return store;
}

void offset_store_note(offset_store *store, const char *connector,
                       const ferry_source_offset *entries, size_t count)
{
    pthread_mutex_lock(&store->mutex);
    for (size_t i = 0; i < count; i++)
        offset_store_apply(store, connector, entries[i].partition, entries[i].offset);
    pthread_mutex_unlock(&store->mutex);
}

int offset_store_record(const char *connector, const ferry_source_offset *entry, char **key,
                        char **value, char *err, size_t errlen)
{
    *value = NULL;
    *key = offset_key_serialize(connector, entry->partition);
    if (!*key) {
        ferry_error_set(err, errlen, "source partition of %s is not a JSON object", connector);
        return -1;
    }
    if (entry->offset && !json_is_null(entry->offset)) {
        *value = json_dumps(entry->offset, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!*value) {
            free(*key);
            *key = NULL;
            ferry_error_set(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

void offset_store_close(offset_store *store)
{
    if (!store)
        return;
    topic_writer_destroy(store->writer);
    json_decref(store->offsets);
    if (store->offsets)
        pthread_mutex_destroy(&store->mutex);
    free(store);
}

json_t *offset_store_get(offset_store *store, const char *connector, json_t *partition)
{
    char *key = offset_key_serialize(connector, partition);
    if (!key)
        return NULL;
    pthread_mutex_lock(&store->mutex);
    json_t *entry = json_object_get(store->offsets, key);
    json_t *offset = json_deep_copy(json_object_get(entry, "offset"));
    pthread_mutex_unlock(&store->mutex);
    free(key);
    return offset;
}

int offset_store_write(offset_store *store, const char *connector,
                       const ferry_source_offset *entries, size_t count, int timeout_ms,
                       char *err, size_t errlen)
{
    int rc = -1;
    topic_write_record *records = calloc(count ? count : 1, sizeof(*records));
    char **keys = calloc(count ? count : 1, sizeof(*keys));
    char **values = calloc(count ? count : 1, sizeof(*values));
    if (!records || !keys || !values) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    if (!store->writer) {
        ferry_error_set(err, errlen, "the offsets of %s are written by its transactions",
                        connector);
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        if (offset_store_record(connector, &entries[i], &keys[i], &values[i], err, errlen) != 0)
            goto done;
        records[i] = (topic_write_record){.key = keys[i], .key_len = strlen(keys[i]),
                                          .value = values[i],
                                          .value_len = values[i] ? strlen(values[i]) : 0};
    }
    if (topic_writer_write(store->writer, records, count, timeout_ms, err, errlen) != 0)
        goto done;
    offset_store_note(store, connector, entries, count);
    rc = 0;
done:
    for (size_t i = 0; keys && values && i < count; i++) {
        free(keys[i]);
        free(values[i]);
    }
    free(keys);
    free(values);
    free(records);
    return rc;
}

json_t *offset_store_list(offset_store *store, const char *connector)
{
    json_t *list = json_array();
    const char *key;
    json_t *entry;
    pthread_mutex_lock(&store->mutex);
    json_object_foreach(store->offsets, key, entry) {
        if (strcmp(json_string_value(json_object_get(entry, "connector")), connector) != 0)
            continue;
        json_t *partition = json_deep_copy(json_object_get(entry, "partition"));
        json_t *offset = json_deep_copy(json_object_get(entry, "offset"));
        json_array_append_new(list, json_pack("{s:o, s:o}", "partition", partition, "offset",
                                              offset));
    }
    pthread_mutex_unlock(&store->mutex);
    return list;
}
