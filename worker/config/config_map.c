/*
 * config_map.c - the ordered string map every config passes through. A plain array searched
 * linearly: configs hold tens of keys, order must be kept for display, and an index would cost
 * more code than it saves.
 */
#include "config/config_map.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"

typedef struct config_entry {
    char *key;
    char *value;
} config_entry;

struct config_map {
    config_entry *entries;
    size_t count;
    size_t capacity;
};

config_map *config_map_new(void)
{
    return calloc(1, sizeof(config_map));
}

void config_map_destroy(config_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->count; i++) {
        free(map->entries[i].key);
        free(map->entries[i].value);
    }
    free(map->entries);
    free(map);
}

config_map *config_map_copy(const config_map *map)
{
    config_map *copy = config_map_new();
    if (!copy)
        return NULL;
    for (size_t i = 0; map && i < map->count; i++) {
        if (config_map_set(copy, map->entries[i].key, map->entries[i].value) != 0) {
            config_map_destroy(copy);
            return NULL;
        }
    }
    return copy;
}

static config_entry *config_map_find(const config_map *map, const char *key)
{
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->entries[i].key, key) == 0)
            return &map->entries[i];
    }
    return NULL;
}

int config_map_set(config_map *map, const char *key, const char *value)
{
    char *value_copy = strdup(value ? value : "");
    if (!value_copy)
        return -1;

    config_entry *entry = config_map_find(map, key);
    if (entry) {
        free(entry->value);
        entry->value = value_copy;
        return 0;
    }

    char *key_copy = strdup(key);
    if (!key_copy)
        goto fail;
    if (array_reserve(&map->entries, &map->capacity, map->count + 1, sizeof(*map->entries)) != 0)
        goto fail;
    map->entries[map->count].key = key_copy;
    map->entries[map->count].value = value_copy;
    map->count++;
    return 0;

fail:
    free(key_copy);
    free(value_copy);
    return -1;
}

const char *config_map_get(const config_map *map, const char *key)
{
    if (!map || !key)
        return NULL;
    const config_entry *entry = config_map_find(map, key);
    return entry ? entry->value : NULL;
}

int config_map_remove(config_map *map, const char *key)
{
    config_entry *entry = config_map_find(map, key);
    if (!entry)
        return 0;
    size_t index = (size_t)(entry - map->entries);
    free(entry->key);
    free(entry->value);
    memmove(&map->entries[index], &map->entries[index + 1],
            (map->count - index - 1) * sizeof(*entry));
    map->count--;
    return 1;
}

size_t config_map_count(const config_map *map)
{
    return map ? map->count : 0;
}

const char *config_map_key_at(const config_map *map, size_t index)
{
    return map && index < map->count ? map->entries[index].key : NULL;
}

const char *config_map_value_at(const config_map *map, size_t index)
{
    return map && index < map->count ? map->entries[index].value : NULL;
}

json_t *config_map_to_json(const config_map *map)
{
    json_t *object = json_object();
    if (!object)
        return NULL;
    for (size_t i = 0; map && i < map->count; i++) {
        if (json_object_set_new(object, map->entries[i].key,
                                json_string(map->entries[i].value)) != 0) {
            json_decref(object);
            return NULL;
        }
    }
    return object;
}

/* A JSON real as the shortest text that reads back as the same double, with ".0" added to a
 * whole number as Java's Double.toString does ("1.5", "0.1", "2.0"). jansson keeps no original
 * text of a number, so "1.50" comes back as "1.5". */
static void config_map_real_text(double value, char *out, size_t outlen)
{
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(out, outlen, "%.*g", precision, value);
        if (strtod(out, NULL) == value)
            break;
    }
    if (isfinite(value) && !strpbrk(out, ".eE")) {
        size_t len = strlen(out);
        if (len + 3 <= outlen)
            memcpy(out + len, ".0", 3);
    }
}

static const char *config_map_json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_NULL: return "null";
    default: return "a value of another type";
    }
}

int config_map_set_from_json(config_map *map, json_t *object, char *err, size_t errlen)
{
    const char *key;
    json_t *value;

    if (!json_is_object(object)) {
        ferry_error_set(err, errlen, "config must be a JSON object of strings");
        return -1;
    }
    /* Check everything first so that a bad value leaves the map as it was. */
    json_object_foreach(object, key, value) {
        if (!json_is_string(value) && !json_is_number(value) && !json_is_boolean(value)) {
            ferry_error_set(err, errlen,
                            "config \"%s\": expected a string, number or boolean, got %s", key,
                            config_map_json_type_name(value));
            return -1;
        }
    }
    json_object_foreach(object, key, value) {
        char number[64];
        const char *text;
        if (json_is_string(value)) {
            text = json_string_value(value);
        } else if (json_is_integer(value)) {
            snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
            text = number;
        } else if (json_is_real(value)) {
            config_map_real_text(json_real_value(value), number, sizeof(number));
            text = number;
        } else {
            text = json_is_true(value) ? "true" : "false";
        }
        if (config_map_set(map, key, text) != 0) {
            ferry_error_set(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}
