/*
 * config_map.h - an ordered map of string keys to string values: what a .properties file, a
 * connector JSON file or a REST body becomes before it is validated. Keys keep the order in which
 * they were first set; setting an existing key replaces its value in place.
 */
#ifndef FERRY_CONFIG_MAP_H
#define FERRY_CONFIG_MAP_H

#include <stddef.h>

#include <jansson.h>

typedef struct config_map config_map;

config_map *config_map_new(void);
void config_map_destroy(config_map *map);           /* accepts NULL */
config_map *config_map_copy(const config_map *map); /* NULL on allocation failure */

/* Copies key and value. Returns 0, or -1 on allocation failure. */
int config_map_set(config_map *map, const char *key, const char *value);
/* Borrowed value, or NULL when the key is absent. */
const char *config_map_get(const config_map *map, const char *key);
/* Returns 1 if the key was there, 0 if not. */
int config_map_remove(config_map *map, const char *key);

size_t config_map_count(const config_map *map);
const char *config_map_key_at(const config_map *map, size_t index);
const char *config_map_value_at(const config_map *map, size_t index);

/* A new JSON object of strings, in key order. */
json_t *config_map_to_json(const config_map *map);
/* Fills map from a JSON object. String values are taken as they are; numbers and booleans become
 * their text ("5", "true"), as Kafka Connect accepts them. null, arrays and objects are errors
 * naming the key. Returns 0, or -1 with a message in err. */
int config_map_set_from_json(config_map *map, json_t *object, char *err, size_t errlen);

#endif
