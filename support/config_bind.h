/*
 * config_bind.h - a plugin's config read in one call from a table, as Fluent Bit's config maps
 * do: each row names a key, how to read it and where in the plugin's settings struct it goes
 * (offsetof). The config has already been validated by the host against the plugin's
 * definition, so reading cannot fail on a bad value; only memory can run out. What a row
 * stores is owned by the struct and released by config_bind_release with the same table.
 *
 *     static const config_binding es_bindings[] = {
 *         CONFIG_BIND_INT("batch.size", es_settings, batch_size),
 *         CONFIG_BIND_STRING("connection.username", es_settings, username),
 *         CONFIG_BIND_LIST("topic.key.ignore", es_settings, key_ignore_topics),
 *         {0},
 *     };
 *     if (config_bind(host, config, es_bindings, settings) != 0) ... out of memory
 */
#ifndef FERRY_SUPPORT_CONFIG_BIND_H
#define FERRY_SUPPORT_CONFIG_BIND_H

#include <stddef.h>

#include <ferry/plugin.h>

typedef enum config_bind_type {
    CONFIG_BIND_TYPE_STRING,  /* char *: a copy, NULL when unset or blank */
    CONFIG_BIND_TYPE_BOOL,    /* bool */
    CONFIG_BIND_TYPE_INT,     /* int (the validated range fits) */
    CONFIG_BIND_TYPE_LONG,    /* int64_t */
    CONFIG_BIND_TYPE_DOUBLE,  /* double */
    CONFIG_BIND_TYPE_LIST,    /* char **: a NULL-terminated copy (strlist_array_free) */
    CONFIG_BIND_TYPE_CHOICE,  /* int: the index of the value in choices, case-insensitively */
} config_bind_type;

typedef struct config_binding {
    const char *key;               /* NULL ends the table */
    config_bind_type type;
    size_t offset;                 /* offsetof(settings struct, field) */
    const char *const *choices;    /* CHOICE: NULL-terminated; -1 is stored for no match */
} config_binding;

#define CONFIG_BIND_STRING(key, type, field) {key, CONFIG_BIND_TYPE_STRING, offsetof(type, field), NULL}
#define CONFIG_BIND_BOOL(key, type, field) {key, CONFIG_BIND_TYPE_BOOL, offsetof(type, field), NULL}
#define CONFIG_BIND_INT(key, type, field) {key, CONFIG_BIND_TYPE_INT, offsetof(type, field), NULL}
#define CONFIG_BIND_LONG(key, type, field) {key, CONFIG_BIND_TYPE_LONG, offsetof(type, field), NULL}
#define CONFIG_BIND_DOUBLE(key, type, field) {key, CONFIG_BIND_TYPE_DOUBLE, offsetof(type, field), NULL}
#define CONFIG_BIND_LIST(key, type, field) {key, CONFIG_BIND_TYPE_LIST, offsetof(type, field), NULL}
#define CONFIG_BIND_CHOICE(key, type, field, choices) {key, CONFIG_BIND_TYPE_CHOICE, offsetof(type, field), choices}

/* Reads every row of table from config into settings. 0, or -1 when out of memory (what was
 * bound stays, for config_bind_release). */
int config_bind(const ferry_host *host, const ferry_config *config, const config_binding *table,
                void *settings);
/* Frees what config_bind stored (strings and lists) and zeroes those fields. */
void config_bind_release(const config_binding *table, void *settings);

#endif
