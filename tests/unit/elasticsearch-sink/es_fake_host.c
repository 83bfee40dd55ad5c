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
#include "es_plugin.h"
#include "runtime/json_syntax.h"

es_fake_host_state es_fake;

struct ferry_config {
    json_t *values;
    char ***lists; /* split LIST values, kept until the config is freed */
    size_t list_count;
};

static const char *fake_text(const ferry_config *config, const char *key)
{
    json_t *value = json_object_get(config->values, key);
    if (json_is_string(value))
        return json_string_value(value);
    for (const ferry_config_key *def = es_config_keys; def->name; def++)
        if (strcmp(def->name, key) == 0)
            return def->default_value;
    return NULL;
}

static const char *fake_config_string(const ferry_config *config, const char *key)
{
    return fake_text(config, key);
}

static int64_t fake_config_int(const ferry_config *config, const char *key)
{
    const char *text = fake_text(config, key);
    return text ? strtoll(text, NULL, 10) : 0;
}

static double fake_config_double(const ferry_config *config, const char *key)
{
    const char *text = fake_text(config, key);
    return text ? strtod(text, NULL) : 0.0;
}

static bool fake_config_bool(const ferry_config *config, const char *key)
{
    const char *text = fake_text(config, key);
    return text && strcasecmp(text, "true") == 0;
}

static const char *const *fake_config_list(const ferry_config *config, const char *key)
{
    ferry_config *mutable_config = (ferry_config *)config;
    const char *text = fake_text(config, key);
    size_t count = 0;
    char **items = calloc(64, sizeof(*items));
    for (const char *at = text; at && *at && count < 63;) {
        const char *comma = strchr(at, ',');
        size_t len = comma ? (size_t)(comma - at) : strlen(at);
        while (len && *at == ' ')
            at++, len--;
        while (len && at[len - 1] == ' ')
            len--;
        if (len)
            items[count++] = strndup(at, len);
        at = comma ? comma + 1 : NULL;
    }
    mutable_config->lists = realloc(mutable_config->lists,
                                    (mutable_config->list_count + 1) * sizeof(char **));
    mutable_config->lists[mutable_config->list_count++] = items;
    return (const char *const *)items;
}

static json_t *fake_config_json(const ferry_config *config)
{
    return config->values;
}

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
    .config_string = fake_config_string,
    .config_int = fake_config_int,
    .config_double = fake_config_double,
    .config_bool = fake_config_bool,
    .config_list = fake_config_list,
    .config_json = fake_config_json,
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
    ferry_config *config = calloc(1, sizeof(*config));
    config->values = json_object();
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        json_object_set_new(config->values, k, json_string(value));
    }
    va_end(ap);
    return config;
}

void es_fake_config_free(ferry_config *config)
{
    if (!config)
        return;
    for (size_t i = 0; i < config->list_count; i++) {
        for (size_t j = 0; config->lists[i][j]; j++)
            free(config->lists[i][j]);
        free(config->lists[i]);
    }
    free(config->lists);
    json_decref(config->values);
    free(config);
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
