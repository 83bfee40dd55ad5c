/*
 * schema_text_cache.c - a Connect schema's JsonConverter text, by schema object
 * (schema_text_cache.h).
 */
#include "convert/schema_text_cache.h"

#include <stdlib.h>
#include <string.h>

typedef struct schema_text_entry {
    json_t *schema; /* a reference */
    char *text;     /* not NUL-terminated */
    size_t len;
} schema_text_entry;

struct schema_text_cache {
    size_t capacity;
    size_t count;
    schema_text_entry entries[SCHEMA_TEXT_CACHE_MAX]; /* most recently used first */
};

schema_text_cache *schema_text_cache_new(size_t capacity)
{
    schema_text_cache *cache = calloc(1, sizeof(*cache));
    if (cache)
        cache->capacity = capacity < SCHEMA_TEXT_CACHE_MAX ? capacity : SCHEMA_TEXT_CACHE_MAX;
    return cache;
}

static void schema_text_entry_clear(schema_text_entry *entry)
{
    json_decref(entry->schema);
    free(entry->text);
    *entry = (schema_text_entry){0};
}

void schema_text_cache_destroy(schema_text_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->count; i++)
        schema_text_entry_clear(&cache->entries[i]);
    free(cache);
}

/* Moves the entry at index to the front, the most recently used. */
static void schema_text_cache_promote(schema_text_cache *cache, size_t index)
{
    schema_text_entry entry = cache->entries[index];
    memmove(&cache->entries[1], &cache->entries[0], index * sizeof(entry));
    cache->entries[0] = entry;
}

const char *schema_text_cache_get(schema_text_cache *cache, const json_t *schema, size_t *len)
{
    for (size_t i = 0; i < cache->count; i++) {
        if (cache->entries[i].schema == schema) {
            if (i > 0)
                schema_text_cache_promote(cache, i);
            *len = cache->entries[0].len;
            return cache->entries[0].text;
        }
    }
    return NULL;
}

int schema_text_cache_put(schema_text_cache *cache, json_t *schema, const char *text, size_t len)
{
    if (cache->capacity == 0 || !schema)
        return 0;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, text, len);
    if (cache->count == cache->capacity)
        schema_text_entry_clear(&cache->entries[--cache->count]); /* the least recently used */
    cache->entries[cache->count++] = (schema_text_entry){json_incref(schema), copy, len};
    schema_text_cache_promote(cache, cache->count - 1);
    return 0;
}

size_t schema_text_cache_count(const schema_text_cache *cache)
{
    return cache->count;
}
