/*
 * config_bind.c - config_bind of config_bind.h: each row read through the host's typed getters
 * and stored at its offset in the settings struct.
 */
#include "support/config_bind.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "support/strlist.h"

static bool config_bind_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool config_bind_blank(const char *text)
{
    while (text && config_bind_is_space(*text))
        text++;
    return !text || *text == '\0';
}

/* The index of value (white space around it ignored) in choices, without case; -1 for none. */
static int config_bind_choice(const char *value, const char *const *choices)
{
    if (!value || !choices)
        return -1;
    while (config_bind_is_space(*value))
        value++;
    size_t len = strlen(value);
    while (len > 0 && config_bind_is_space(value[len - 1]))
        len--;
    for (int i = 0; choices[i]; i++) {
        if (strlen(choices[i]) == len && strncasecmp(choices[i], value, len) == 0)
            return i;
    }
    return -1;
}

static char **config_bind_list(const char *const *items)
{
    strlist list = {0};
    for (size_t i = 0; items && items[i]; i++) {
        if (strlist_append(&list, items[i], (size_t)-1) != 0) {
            strlist_free(&list);
            return NULL;
        }
    }
    return strlist_take(&list);
}

int config_bind(const ferry_host *host, const ferry_config *config, const config_binding *table,
                void *settings)
{
    char *base = settings;
    for (const config_binding *row = table; row->key; row++) {
        void *field = base + row->offset;
        switch (row->type) {
        case CONFIG_BIND_TYPE_STRING: {
            const char *value = host->config_string(config, row->key);
            char *copy = NULL;
            if (!config_bind_blank(value) && !(copy = strdup(value)))
                return -1;
            memcpy(field, &copy, sizeof(copy));
            break;
        }
        case CONFIG_BIND_TYPE_BOOL: {
            bool value = host->config_bool(config, row->key);
            memcpy(field, &value, sizeof(value));
            break;
        }
        case CONFIG_BIND_TYPE_INT: {
            int value = (int)host->config_int(config, row->key);
            memcpy(field, &value, sizeof(value));
            break;
        }
        case CONFIG_BIND_TYPE_LONG: {
            int64_t value = host->config_int(config, row->key);
            memcpy(field, &value, sizeof(value));
            break;
        }
        case CONFIG_BIND_TYPE_DOUBLE: {
            double value = host->config_double(config, row->key);
            memcpy(field, &value, sizeof(value));
            break;
        }
        case CONFIG_BIND_TYPE_LIST: {
            char **items = config_bind_list(host->config_list(config, row->key));
            if (!items)
                return -1;
            memcpy(field, &items, sizeof(items));
            break;
        }
        case CONFIG_BIND_TYPE_CHOICE: {
            int value = config_bind_choice(host->config_string(config, row->key), row->choices);
            memcpy(field, &value, sizeof(value));
            break;
        }
        }
    }
    return 0;
}

void config_bind_release(const config_binding *table, void *settings)
{
    char *base = settings;
    for (const config_binding *row = table; row->key; row++) {
        void *field = base + row->offset;
        void *owned = NULL;
        switch (row->type) {
        case CONFIG_BIND_TYPE_STRING:
            memcpy(&owned, field, sizeof(owned));
            free(owned);
            break;
        case CONFIG_BIND_TYPE_LIST:
            memcpy(&owned, field, sizeof(owned));
            strlist_array_free(owned);
            break;
        default:
            continue;
        }
        owned = NULL;
        memcpy(field, &owned, sizeof(owned));
    }
}
