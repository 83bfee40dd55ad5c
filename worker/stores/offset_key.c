/*
 * offset_key.c - the offsets topic's key, ["<connector>",{<source partition>}], as Kafka Connect's
 * JsonConverter writes it (schemas disabled): compact, no spaces. Object keys are sorted at every
 * depth so that one partition always serialises to the same bytes: log compaction keeps one record
 * per key only if the key never changes, and a lookup by text must find what a restore loaded.
 * jansson escapes neither '/' nor non-ASCII text unless asked to (JSON_ESCAPE_SLASH,
 * JSON_ENSURE_ASCII), which is what Jackson does too, so "/tmp/a.txt" stays as it is.
 */
#include "stores/offset_key.h"

#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

/* JSON_SORT_KEYS applies to nested objects as well. */
#define OFFSET_KEY_DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

char *offset_key_serialize(const char *connector, json_t *partition)
{
    if (!connector || !json_is_object(partition))
        return NULL;

    char *text = NULL;
    json_t *key = json_array();
    json_t *name = json_string(connector);
    if (!key || !name)
        goto cleanup;
    /* _new steals name; partition stays the caller's (json_array_append increfs). */
    if (json_array_append_new(key, name) != 0) {
        name = NULL;
        goto cleanup;
    }
    name = NULL;
    if (json_array_append(key, partition) != 0)
        goto cleanup;
    text = json_dumps(key, OFFSET_KEY_DUMP_FLAGS);

cleanup:
    json_decref(name);
    json_decref(key);
    return text;
}

static const char *offset_key_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "an unknown JSON value";
}

int offset_key_parse(const void *bytes, size_t len, char **connector, json_t **partition,
                     char *err, size_t errlen)
{
    *connector = NULL;
    *partition = NULL;
    if (!bytes) {
        ferry_error_set(err, errlen, "offset key is null; expected [\"<connector>\",{partition}]");
        return -1;
    }

    json_error_t error;
    /* JSON_DECODE_ANY so that a key like "abc" is reported as "not an array" rather than as a
     * syntax error: it is valid JSON, just not an offset key. */
    json_t *key = json_loadb(bytes, len, JSON_DECODE_ANY, &error);
    if (!key) {
        ferry_error_set(err, errlen, "offset key is not valid JSON: %s (at byte %d)", error.text,
                        error.position);
        return -1;
    }

    int rc = -1;
    if (!json_is_array(key)) {
        ferry_error_set(err, errlen,
                        "offset key is %s, not an array; expected [\"<connector>\",{partition}]",
                        offset_key_type_name(key));
        goto cleanup;
    }
    if (json_array_size(key) != 2) {
        ferry_error_set(err, errlen,
                        "offset key has %zu elements, not 2; expected [\"<connector>\",{partition}]",
                        json_array_size(key));
        goto cleanup;
    }
    json_t *name = json_array_get(key, 0);
    json_t *object = json_array_get(key, 1);
    if (!json_is_string(name)) {
        ferry_error_set(err, errlen,
                        "offset key's first element (the connector name) is %s, not a string",
                        offset_key_type_name(name));
        goto cleanup;
    }
    if (!json_is_object(object)) {
        ferry_error_set(err, errlen,
                        "offset key's second element (the source partition) is %s, not an object",
                        offset_key_type_name(object));
        goto cleanup;
    }

    char *name_copy = strdup(json_string_value(name));
    if (!name_copy) {
        ferry_error_set(err, errlen, "out of memory parsing an offset key");
        goto cleanup;
    }
    *connector = name_copy;
    *partition = json_incref(object);
    rc = 0;

cleanup:
    json_decref(key);
    return rc;
}

char *offset_partition_canonical(json_t *partition)
{
    if (!partition)
        return NULL;
    /* JSON_ENCODE_ANY: a partition is an object, but a plugin that emits something else still
     * gets a stable text instead of a failed lookup. */
    return json_dumps(partition, OFFSET_KEY_DUMP_FLAGS | JSON_ENCODE_ANY);
}
