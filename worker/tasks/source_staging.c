/*
 * source_staging.c - converted records held while a transaction commits (source_staging.h).
 */
#include "tasks/source_staging.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "support/array.h"
#include "support/strbuf.h"

/* Where a staged record's parts are in the arena: offsets, as the arena moves when it grows. */
typedef struct staged_entry {
    size_t topic_at;
    size_t key_at;
    size_t key_len;
    size_t value_at;
    size_t value_len;
    int64_t timestamp_ms;
    rd_kafka_headers_t *headers;
    int32_t partition;
    bool has_key;
    bool has_value;
} staged_entry;

struct source_staging {
    strbuf arena;
    staged_entry *entries;
    size_t count;
    size_t capacity;
};

source_staging *source_staging_new(void)
{
    return calloc(1, sizeof(source_staging));
}

void source_staging_destroy(source_staging *staging)
{
    if (!staging)
        return;
    source_staging_clear(staging);
    strbuf_free(&staging->arena);
    free(staging->entries);
    free(staging);
}

int source_staging_add(source_staging *staging, const char *topic, int32_t partition,
                       const void *key, size_t key_len, const void *value, size_t value_len,
                       int64_t timestamp_ms, rd_kafka_headers_t *headers)
{
    if (array_reserve(&staging->entries, &staging->capacity, staging->count + 1,
                      sizeof(*staging->entries)) != 0)
        return -1;
    strbuf *arena = &staging->arena;
    size_t mark = arena->len;
    staged_entry entry = {.timestamp_ms = timestamp_ms, .headers = headers,
                          .partition = partition, .has_key = key != NULL,
                          .has_value = value != NULL, .key_len = key ? key_len : 0,
                          .value_len = value ? value_len : 0};
    entry.topic_at = arena->len;
    strbuf_append(arena, topic, strlen(topic) + 1);
    entry.key_at = arena->len;
    strbuf_append(arena, key, entry.key_len);
    entry.value_at = arena->len;
    strbuf_append(arena, value, entry.value_len);
    if (strbuf_failed(arena)) {
        /* The arena's earlier records stay as they were: only this one's bytes are dropped. */
        strbuf_truncate(arena, mark);
        return -1;
    }
    staging->entries[staging->count++] = entry;
    return 0;
}

size_t source_staging_count(const source_staging *staging)
{
    return staging->count;
}

size_t source_staging_bytes(const source_staging *staging)
{
    return staging->arena.len;
}

void source_staging_get(const source_staging *staging, size_t index,
                        source_staged_record *record)
{
    const staged_entry *entry = &staging->entries[index];
    const char *base = staging->arena.data;
    *record = (source_staged_record){
        .topic = base + entry->topic_at, .partition = entry->partition,
        .key = entry->has_key ? base + entry->key_at : NULL, .key_len = entry->key_len,
        .value = entry->has_value ? base + entry->value_at : NULL,
        .value_len = entry->value_len, .timestamp_ms = entry->timestamp_ms,
        .headers = entry->headers,
    };
}

void source_staging_headers_take(source_staging *staging, size_t index)
{
    staging->entries[index].headers = NULL;
}

void source_staging_clear(source_staging *staging)
{
    for (size_t i = 0; i < staging->count; i++)
        if (staging->entries[i].headers)
            rd_kafka_headers_destroy(staging->entries[i].headers);
    staging->count = 0;
    strbuf_reset(&staging->arena);
}
