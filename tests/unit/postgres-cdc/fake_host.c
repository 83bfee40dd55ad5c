/* See fake_host.h. */
#include "fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdc_config.h"
#include "cdc_plugin.h"

struct ferry_config {
    json_t *values;
    char **lists[64];
    const char *list_keys[64];
    size_t list_count;
};

static char log_text[65536];

static void fake_log(ferry_context *ctx, ferry_log_level level, const char *fmt, ...)
{
    (void)ctx;
    (void)level;
    va_list ap;
    va_start(ap, fmt);
    size_t used = strlen(log_text);
    vsnprintf(log_text + used, sizeof log_text - used, fmt, ap);
    va_end(ap);
    used = strlen(log_text);
    if (used + 1 < sizeof log_text) {
        log_text[used] = '\n';
        log_text[used + 1] = '\0';
    }
}

static const char *fake_string(const ferry_config *config, const char *key)
{
    const char *value = json_string_value(json_object_get(config->values, key));
    if (value)
        return value;
    for (const ferry_config_key *def = cdc_config_keys; def->name; def++)
        if (strcmp(def->name, key) == 0)
            return def->default_value;
    return NULL;
}

static int64_t fake_int(const ferry_config *config, const char *key)
{
    const char *text = fake_string(config, key);
    return text ? strtoll(text, NULL, 10) : 0;
}

static double fake_double(const ferry_config *config, const char *key)
{
    const char *text = fake_string(config, key);
    return text ? strtod(text, NULL) : 0;
}

static bool fake_bool(const ferry_config *config, const char *key)
{
    const char *text = fake_string(config, key);
    return text && strcasecmp(text, "true") == 0;
}

static const char *const *fake_list(const ferry_config *config, const char *key)
{
    static const char *const empty[] = {NULL};
    ferry_config *mutable_config = (ferry_config *)config;
    if (config->list_count >= 64)
        return empty;
    char **items = cdc_list_split(fake_string(config, key), ',');
    mutable_config->list_keys[config->list_count] = key;
    mutable_config->lists[mutable_config->list_count++] = items;
    return (const char *const *)items;
}

static json_t *fake_json(const ferry_config *config)
{
    return config->values;
}

static json_t *fake_offset_read(ferry_context *ctx, json_t *partition)
{
    (void)ctx;
    (void)partition;
    return NULL;
}

static ferry_status fake_emit(ferry_context *ctx, const ferry_record *record)
{
    (void)ctx;
    (void)record;
    return FERRY_OK;
}

static void fake_metric(ferry_context *ctx, const char *name, double value)
{
    (void)ctx;
    (void)name;
    (void)value;
}

static const ferry_host fake = {
    .struct_size = sizeof(ferry_host),
    .abi_major = FERRY_ABI_MAJOR,
    .abi_minor = FERRY_ABI_MINOR,
    .log = fake_log,
    .config_string = fake_string,
    .config_int = fake_int,
    .config_double = fake_double,
    .config_bool = fake_bool,
    .config_list = fake_list,
    .config_json = fake_json,
    .offset_read = fake_offset_read,
    .record_emit = fake_emit,
    .metric_set = fake_metric,
};

const ferry_host *fake_host_install(void)
{
    cdc_host = &fake;
    return &fake;
}

ferry_config *fake_config_new(json_t *values)
{
    ferry_config *config = calloc(1, sizeof(*config));
    config->values = json_incref(values);
    return config;
}

void fake_config_free(ferry_config *config)
{
    if (!config)
        return;
    for (size_t i = 0; i < config->list_count; i++)
        cdc_list_free(config->lists[i]);
    json_decref(config->values);
    free(config);
}

const char *fake_host_log(void)
{
    return log_text;
}
