/* See fake_host.h. */
#include "fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdc_config.h"
#include "fake_config.h"
#include "cdc_plugin.h"

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
    .config_string = ferry_config_string,
    .config_int = ferry_config_int,
    .config_double = ferry_config_double,
    .config_bool = ferry_config_bool,
    .config_list = ferry_config_list,
    .config_json = ferry_config_json,
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
    return fake_config_json(cdc_config_keys, values);
}

void fake_config_free(ferry_config *config)
{
    ferry_config_destroy(config);
}

const char *fake_host_log(void)
{
    return log_text;
}
