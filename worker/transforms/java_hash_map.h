/*
 * java_hash_map.h - where a string key stands when Java iterates a HashMap or HashSet of them,
 * for the transforms whose result depends on it: when two entries of a Java map end up under one
 * name, the one iterated last wins. Java walks the table bucket by bucket, and a bucket's keys in
 * the order they were put (the order a resize keeps; a bucket turned into a tree, at eight keys
 * and more in a table of 64 and more, is not followed here). A key's bucket is its
 * String.hashCode(), spread (h ^ h >>> 16), masked by the table size.
 */
#ifndef FERRY_JAVA_HASH_MAP_H
#define FERRY_JAVA_HASH_MAP_H

#include <stddef.h>
#include <stdint.h>

/* String.hashCode() of UTF-8 text: over its UTF-16 units, as Java holds the string (an invalid
 * sequence counts as one U+FFFD, as Java's decoder reads it). */
int32_t java_hash_map_string_hash(const char *text);

/* The table size of new HashMap<>() after count distinct keys were put: 16, doubled each time
 * the keys pass three quarters of it. */
size_t java_hash_map_table_grown(size_t count);
/* The table size of new HashSet<>(collection) of count elements (and of new HashMap<>(map)):
 * the power of two at or above max(count / .75 + 1, 16). */
size_t java_hash_map_table_sized(size_t count);

/* The bucket of key in a table of table_size (a power of two). */
size_t java_hash_map_bucket(const char *key, size_t table_size);

#endif
