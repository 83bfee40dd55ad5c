/*
 * es_fake_host.c - the services table of es_fake_host.h.
 */
#include "es_fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "es_config.h"
#include "fake_config.h"
#include "es_plugin.h"
#include "convert/json_syntax.h"

es_fake_host_state es_fake;

static void fake_log(ferry_context *ctx, ferry_log_level level, const char *fmt, ...)
{
    (void)ctx;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    es_fake.log = realloc(es_fake.log, es_fake.log_len + len + 2);
    memcpy(es_fake.log + es_fake.log_len, line, len);
    es_fake.log[es_fake.log_len + len] = '\n';
    es_fake.log_len += len + 1;
    es_fake.log[es_fake.log_len] = '\0';
    if (getenv("FAKE_HOST_VERBOSE"))
        fprintf(stderr, "[%d] %s\n", (int)level, line);
}

static char *fake_copy(const ferry_data *data)
{
    if (data->kind == FERRY_DATA_NULL || !data->data)
        return NULL;
    char *copy = malloc(data->len + 1);
    memcpy(copy, data->data, data->len);
    copy[data->len] = '\0';
    return copy;
}

static ferry_status fake_record_error_report(ferry_context *ctx, const ferry_record *record,
                                             const char *message)
{
    (void)ctx;
    es_fake.reports = realloc(es_fake.reports,
                              (es_fake.report_count + 1) * sizeof(*es_fake.reports));
    es_fake.reports[es_fake.report_count++] = (es_fake_report){
        .topic = strdup(record->topic ? record->topic : ""),
        .partition = record->partition,
        .offset = record->kafka_offset,
        .key = fake_copy(&record->key),
        .value = fake_copy(&record->value),
        .message = strdup(message),
    };
    return es_fake.fail_reports ? FERRY_ERROR : FERRY_OK;
}

static void fake_status_problem(ferry_context *ctx, const char *message)
{
    (void)ctx;
    free(es_fake.problem);
    es_fake.problem = message ? strdup(message) : NULL;
    if (message && !es_fake.first_problem)
        es_fake.first_problem = strdup(message);
    es_fake.problem_changes++;
}

static void fake_metric_set(ferry_context *ctx, const char *name, double value)
{
    (void)ctx;
    for (size_t i = 0; i < es_fake.gauge_count; i++)
        if (strcmp(es_fake.gauge_names[i], name) == 0) {
            es_fake.gauges[i] = value;
            return;
        }
    if (es_fake.gauge_count < 32) {
        snprintf(es_fake.gauge_names[es_fake.gauge_count], 64, "%s", name);
        es_fake.gauges[es_fake.gauge_count++] = value;
    }
}

static const ferry_host fake_table = {
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
    .record_error_report = fake_record_error_report,
    .metric_set = fake_metric_set,
    .status_problem = fake_status_problem,
    .json_check = json_syntax_check,
};

ferry_context *es_fake_context(void)
{
    return (ferry_context *)&es_fake;
}

void es_fake_host_free(void)
{
    for (size_t i = 0; i < es_fake.report_count; i++) {
        free(es_fake.reports[i].topic);
        free(es_fake.reports[i].key);
        free(es_fake.reports[i].value);
        free(es_fake.reports[i].message);
    }
    free(es_fake.reports);
    free(es_fake.problem);
    free(es_fake.first_problem);
    free(es_fake.log);
    memset(&es_fake, 0, sizeof(es_fake));
}

void es_fake_host_reset(void)
{
    es_fake_host_free();
    es_host = &fake_table;
}

ferry_config *es_fake_config_new(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    ferry_config *config = fake_config_pairs(es_config_keys, key, ap);
    va_end(ap);
    return config;
}

void es_fake_config_free(ferry_config *config)
{
    ferry_config_destroy(config);
}

bool es_fake_log_contains(const char *needle)
{
    return es_fake.log && strstr(es_fake.log, needle);
}

double es_fake_gauge(const char *name)
{
    for (size_t i = 0; i < es_fake.gauge_count; i++)
        if (strcmp(es_fake.gauge_names[i], name) == 0)
            return es_fake.gauges[i];
    return -1;
}
