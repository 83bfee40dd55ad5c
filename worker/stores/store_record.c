/*
 * store_record.c - record values parsed as JSON (a JSON null for a tombstone), task ids out of
 * keys.
 */
#include "stores/store_record.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

int store_record_json(const char *key, const void *value, size_t value_len, json_t **parsed,
                      char *err, size_t errlen)
{
    *parsed = NULL;
    if (!value)
        return 0;
    json_error_t error;
    json_t *read = json_loadb(value, value_len, JSON_DECODE_ANY, &error);
    if (!read)
        return ferry_error_set(err, errlen, "%s: the value is not JSON: %s", key, error.text),
               -1;
    if (json_is_null(read))
        json_decref(read);
    else
        *parsed = read;
    return 0;
}

char *store_record_task_id(const char *text, int *task)
{
    const char *dash = strrchr(text, '-');
    if (!dash || dash == text || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return NULL;
    long number = strtol(dash + 1, NULL, 10);
    if (number > INT_MAX)
        return NULL;
    *task = (int)number;
    return strndup(text, (size_t)(dash - text));
}
