/*
 * config_redact.c - hiding sensitive values in configs, traces and messages.
 */
#include "config/config_redact.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"

/* Shorter literal values are not searched for in free text: hiding every "abc" of a message
 * would make it unreadable, and such a value is no secret worth the name. */
#define CONFIG_REDACT_MIN_TEXT 4

void config_redact_object(json_t *object, const ferry_config_key *const *defs, size_t ndefs)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) {
        if (!json_is_null(value) && config_key_is_sensitive(defs, ndefs, key))
            json_object_set_new(object, key, json_string(CONFIG_REDACTED));
    }
}

/* Replaces every occurrence of needle in *text (a malloc'd string). 0, or -1 out of memory. */
static int config_redact_replace_all(char **text, const char *needle)
{
    size_t needle_len = strlen(needle);
    size_t hidden_len = strlen(CONFIG_REDACTED);
    size_t count = 0;
    for (const char *at = strstr(*text, needle); at; at = strstr(at + needle_len, needle))
        count++;
    if (count == 0)
        return 0;
    size_t len = strlen(*text);
    size_t out_len = len - count * needle_len + count * hidden_len;
    char *out = malloc(out_len + 1);
    if (!out)
        return -1;
    char *write = out;
    const char *read = *text;
    for (const char *at = strstr(read, needle); at; at = strstr(read, needle)) {
        memcpy(write, read, (size_t)(at - read));
        write += at - read;
        memcpy(write, CONFIG_REDACTED, hidden_len);
        write += hidden_len;
        read = at + needle_len;
    }
    strcpy(write, read);
    free(*text);
    *text = out;
    return 0;
}

char *config_redact_text(const char *text, const config_map *config,
                       const ferry_config_key *const *defs, size_t ndefs)
{
    char *out = strdup(text);
    for (size_t i = 0; out && config && i < config_map_count(config); i++) {
        const char *value = config_map_value_at(config, i);
        if (strlen(value) < CONFIG_REDACT_MIN_TEXT || strstr(value, "${") ||
            !config_key_is_sensitive(defs, ndefs, config_map_key_at(config, i)))
            continue;
        if (config_redact_replace_all(&out, value) != 0) {
            free(out);
            return NULL;
        }
    }
    return out;
}

static void config_redact_trace(json_t *state, const config_map *config,
                              const ferry_config_key *const *defs, size_t ndefs)
{
    const char *trace = json_string_value(json_object_get(state, "trace"));
    if (!trace)
        return;
    char *clean = config_redact_text(trace, config, defs, ndefs);
    json_object_set_new(state, "trace", json_string(clean ? clean : CONFIG_REDACTED));
    free(clean);
}

void config_redact_status(json_t *status, const config_map *config,
                        const ferry_config_key *const *defs, size_t ndefs)
{
    config_redact_trace(status, config, defs, ndefs);
    config_redact_trace(json_object_get(status, "connector"), config, defs, ndefs);
    size_t index;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), index, task)
        config_redact_trace(task, config, defs, ndefs);
}
