/*
 * schema_text_cache.h - the text JsonConverter wrote for a Connect schema, kept per schema
 * object, so that a source handing the same schema with every record (PostgresCdcSource's
 * envelope and key schemas of a table, a transform's cached output schema) has it written once
 * rather than once per record. Kafka's JsonConverter keeps such a cache too
 * (fromConnectSchemaCache, sized by schemas.cache.size).
 *
 * A schema is found by identity only, one comparison of pointers an entry: a schema handed over
 * with a record is never changed afterwards (plugin.h, connect_schema.h), and an entry holds a
 * reference to its schema, so no other schema can take its address while it is cached. The least
 * recently used entry goes beyond the capacity. One converter owns a cache, on its task's thread:
 * there is no lock.
 */
#ifndef FERRY_SCHEMA_TEXT_CACHE_H
#define FERRY_SCHEMA_TEXT_CACHE_H

#include <stddef.h>

#include <jansson.h>

/* The most entries a cache holds, whatever capacity is asked for: a lookup walks them all. */
#define SCHEMA_TEXT_CACHE_MAX 16

typedef struct schema_text_cache schema_text_cache;

/* A cache of min(capacity, SCHEMA_TEXT_CACHE_MAX) entries; capacity 0 caches nothing (every
 * get misses, put does nothing). NULL when out of memory. */
schema_text_cache *schema_text_cache_new(size_t capacity);
void schema_text_cache_destroy(schema_text_cache *cache); /* accepts NULL */

/* The text cached for schema (borrowed: valid until the cache's next put or destroy) and its
 * length, or NULL; a hit becomes the most recently used entry. */
const char *schema_text_cache_get(schema_text_cache *cache, const json_t *schema, size_t *len);

/* Caches text for schema, taking a reference to schema and a copy of text. 0, or -1 when out of
 * memory (the cache is then as it was, less perhaps its least recently used entry). */
int schema_text_cache_put(schema_text_cache *cache, json_t *schema, const char *text, size_t len);

size_t schema_text_cache_count(const schema_text_cache *cache);

#endif
