/*
 * plugin_fake_host.c - the runtime side of plugin_fake_host.h: plugin_context_ops that record,
 * and a log stream that keeps the lines. Test code: running out of memory aborts.
 */
#include "plugin_fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "config/config_map.h"
#include "plugin/host_services.h"
#include "plugin/plugin_context.h"
#include "support/array.h"

plugin_fake_host_state fake;

static ferry_context fake_context;
static FILE *fake_log_stream;

static void *fake_malloc(size_t size)
{
    void *memory = malloc(size ? size : 1);
    if (!memory)
        abort();
    return memory;
}

/* A NUL-terminated copy of len bytes. */
static char *fake_copy(const void *bytes, size_t len)
{
    char *copy = fake_malloc(len + 1);
    if (len)
        memcpy(copy, bytes, len);
    copy[len] = '\0';
    return copy;
}

static char *fake_strdup(const char *text)
{
    return text ? fake_copy(text, strlen(text)) : NULL;
}

/* Makes room for one more element in *items (a T **). */
static void fake_grow(void *items, size_t *capacity, size_t count, size_t item_size)
{
    if (array_reserve(items, capacity, count + 1, item_size) != 0)
        abort();
}

/* ---- log capture -------------------------------------------------------------------------- */

static ssize_t fake_log_write(void *cookie, const char *bytes, size_t len)
{
    (void)cookie;
    strbuf_append(&fake.log, bytes, len);
    if (strbuf_failed(&fake.log))
        abort();
    if (getenv("FAKE_HOST_VERBOSE"))
        fwrite(bytes, 1, len, stderr);
    return (ssize_t)len;
}

bool plugin_fake_log_contains(const char *needle)
{
    return fake.log.data && strstr(fake.log.data, needle);
}

/* ---- records ------------------------------------------------------------------------------ */

static char *fake_data_copy(const ferry_data *data, size_t *len)
{
    *len = 0;
    if (data->kind == FERRY_DATA_NULL)
        return NULL;
    if (data->kind == FERRY_DATA_JSON && !data->data) {
        char *text = data->json ? json_dumps(data->json, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        *len = text ? strlen(text) : 0;
        return text;
    }
    *len = data->len;
    return fake_copy(data->data, data->len);
}

static void fake_record_copy(plugin_fake_record *copy, const ferry_record *record,
                             const char *message)
{
    *copy = (plugin_fake_record){
        .topic = fake_strdup(record->topic ? record->topic : ""),
        .partition = record->partition,
        .kafka_offset = record->kafka_offset,
        .key_kind = record->key.kind,
        .kind = record->value.kind,
        /* Copies: a plugin may change its objects once the call returns. */
        .source_partition = record->source_partition ? json_deep_copy(record->source_partition)
                                                     : NULL,
        .source_offset = record->source_offset ? json_deep_copy(record->source_offset) : NULL,
        .message = fake_strdup(message),
    };
    copy->key = fake_data_copy(&record->key, &copy->key_len);
    copy->value = fake_data_copy(&record->value, &copy->len);
    /* The real service, so that a sink reading headers on demand is recorded the same way. */
    size_t count = 0;
    const ferry_header *headers = host_services()->record_headers(&fake_context, record, &count);
    copy->headers = fake_malloc(count * sizeof(*copy->headers));
    for (size_t i = 0; i < count; i++) {
        plugin_fake_header *header = &copy->headers[i];
        header->key = fake_strdup(headers[i].key);
        header->value_len = headers[i].value_len;
        header->value = headers[i].value ? fake_copy(headers[i].value, headers[i].value_len)
                                         : NULL;
    }
    copy->header_count = count;
}

static void fake_record_free(plugin_fake_record *record)
{
    free(record->topic);
    free(record->key);
    free(record->value);
    json_decref(record->source_partition);
    json_decref(record->source_offset);
    for (size_t i = 0; i < record->header_count; i++) {
        free(record->headers[i].key);
        free(record->headers[i].value);
    }
    free(record->headers);
    free(record->message);
}

const char *plugin_fake_record_header(const plugin_fake_record *record, const char *key)
{
    for (size_t i = 0; i < record->header_count; i++)
        if (strcmp(record->headers[i].key, key) == 0)
            return record->headers[i].value;
    return NULL;
}

void plugin_fake_records_clear(void)
{
    for (size_t i = 0; i < fake.count; i++)
        fake_record_free(&fake.records[i]);
    fake.count = 0;
}

/* ---- the faked runtime -------------------------------------------------------------------- */

static char *fake_partition_key(json_t *source_partition)
{
    char *key = json_dumps(source_partition, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!key)
        abort();
    return key;
}

static json_t *fake_offset_read(void *owner, json_t *source_partition)
{
    (void)owner;
    char *key = fake_partition_key(source_partition);
    json_t *offset = json_object_get(fake.committed, key);
    free(key);
    return offset ? json_deep_copy(offset) : NULL;
}

static ferry_status fake_record_emit(void *owner, const ferry_record *record)
{
    (void)owner;
    if (fake.refuse_after >= 0 && (long)fake.count >= fake.refuse_after)
        return FERRY_RETRY;
    fake_grow(&fake.records, &fake.capacity, fake.count, sizeof(*fake.records));
    fake_record_copy(&fake.records[fake.count++], record, NULL);
    return FERRY_OK;
}

static ferry_status fake_record_error_report(void *owner, const ferry_record *record,
                                             const char *message)
{
    (void)owner;
    fake_grow(&fake.reports, &fake.report_capacity, fake.report_count, sizeof(*fake.reports));
    fake_record_copy(&fake.reports[fake.report_count++], record, message);
    return fake.fail_reports ? FERRY_ERROR : FERRY_OK;
}

static void fake_reconfiguration_request(void *owner)
{
    (void)owner;
    fake.reconfiguration_requests++;
}

static void fake_metric_set(void *owner, const char *name, double value)
{
    (void)owner;
    json_object_set_new(fake.gauges, name, json_real(value));
}

static void fake_status_problem(void *owner, const char *message)
{
    (void)owner;
    free(fake.problem);
    fake.problem = fake_strdup(message);
    if (message && !fake.first_problem)
        fake.first_problem = fake_strdup(message);
    fake.problem_changes++;
}

static int64_t fake_record_max_bytes(void *owner, const char *topic)
{
    (void)owner;
    strbuf_append_printf(&fake.record_max_topics, "%s%s", fake.record_max_topics.len ? "," : "",
                         topic);
    return fake.record_max_bytes;
}

static const plugin_context_ops fake_ops = {
    .offset_read = fake_offset_read,
    .record_emit = fake_record_emit,
    .record_error_report = fake_record_error_report,
    .reconfiguration_request = fake_reconfiguration_request,
    .metric_set = fake_metric_set,
    .status_problem = fake_status_problem,
    .record_max_bytes = fake_record_max_bytes,
};

double plugin_fake_gauge(const char *name)
{
    json_t *value = json_object_get(fake.gauges, name);
    return value ? json_real_value(value) : -1;
}

void plugin_fake_commit_all(void)
{
    for (size_t i = 0; i < fake.count; i++) {
        if (!fake.records[i].source_offset)
            continue;
        char *key = fake_partition_key(fake.records[i].source_partition);
        json_object_set(fake.committed, key, fake.records[i].source_offset);
        free(key);
    }
}

void plugin_fake_commit(const char *source_partition, const char *offset)
{
    json_t *partition = json_loads(source_partition, 0, NULL);
    json_t *value = json_loads(offset, 0, NULL);
    if (!partition || !value)
        abort();
    char *key = fake_partition_key(partition);
    json_object_set_new(fake.committed, key, value);
    free(key);
    json_decref(partition);
}

/* ---- set-up ------------------------------------------------------------------------------- */

ferry_context *plugin_fake_context(void)
{
    return &fake_context;
}

void plugin_fake_host_free(void)
{
    if (fake_log_stream) {
        log_configure(NULL, FERRY_LOG_INFO);
        fclose(fake_log_stream);
        fake_log_stream = NULL;
    }
    plugin_fake_records_clear();
    free(fake.records);
    for (size_t i = 0; i < fake.report_count; i++)
        fake_record_free(&fake.reports[i]);
    free(fake.reports);
    json_decref(fake.committed);
    free(fake.problem);
    free(fake.first_problem);
    json_decref(fake.gauges);
    strbuf_free(&fake.log);
    strbuf_free(&fake.record_max_topics);
    memset(&fake, 0, sizeof(fake));
}

const ferry_host *plugin_fake_host_reset(void)
{
    plugin_fake_host_free();
    fake.committed = json_object();
    fake.gauges = json_object();
    fake.refuse_after = -1;
    plugin_context_init(&fake_context, "task:plugin-test-0", &fake_ops, &fake);
    fake_log_stream = fopencookie(NULL, "w", (cookie_io_functions_t){.write = fake_log_write});
    if (!fake.committed || !fake.gauges || !fake_log_stream)
        abort();
    setvbuf(fake_log_stream, NULL, _IONBF, 0);
    log_configure(fake_log_stream, FERRY_LOG_TRACE);
    return host_services();
}

/* ---- configs ------------------------------------------------------------------------------ */

static ferry_config *fake_config_from_map(const ferry_config_key *definition, config_map *map)
{
    const ferry_config_key *const definitions[] = {definition};
    ferry_config *config = map ? ferry_config_new(map, definitions, 1) : NULL;
    config_map_destroy(map);
    if (!config)
        abort();
    return config;
}

ferry_config *plugin_fake_config_new(const ferry_config_key *definition, ...)
{
    config_map *map = config_map_new();
    va_list ap;
    va_start(ap, definition);
    for (const char *key = va_arg(ap, const char *); key && map; key = va_arg(ap, const char *))
        if (config_map_set(map, key, va_arg(ap, const char *)) != 0)
            abort();
    va_end(ap);
    return fake_config_from_map(definition, map);
}

ferry_config *plugin_fake_config_json(const ferry_config_key *definition, json_t *values)
{
    config_map *map = config_map_new();
    char err[256];
    if (!map || config_map_set_from_json(map, values, err, sizeof(err)) != 0)
        abort();
    return fake_config_from_map(definition, map);
}
