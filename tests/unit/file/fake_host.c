/*
 * fake_host.c - the services table of fake_host.h.
 */
#include "fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_config.h"
#include "file_plugin.h"

fake_host_state fake;

static void fake_log(ferry_context *ctx, ferry_log_level level, const char *fmt, ...)
{
    (void)ctx;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    fake.log = realloc(fake.log, fake.log_len + len + 2);
    memcpy(fake.log + fake.log_len, line, len);
    fake.log[fake.log_len + len] = '\n';
    fake.log_len += len + 1;
    fake.log[fake.log_len] = '\0';
    if (getenv("FAKE_HOST_VERBOSE"))
        fprintf(stderr, "[%d] %s\n", (int)level, line);
}

static char *fake_key(json_t *partition)
{
    return json_dumps(partition, JSON_COMPACT | JSON_SORT_KEYS);
}

static json_t *fake_offset_read(ferry_context *ctx, json_t *partition)
{
    (void)ctx;
    char *key = fake_key(partition);
    json_t *offset = json_object_get(fake.committed, key);
    free(key);
    return offset ? json_deep_copy(offset) : NULL;
}

static char *fake_copy(const void *data, size_t len)
{
    char *copy = malloc(len + 1);
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return copy;
}

static ferry_status fake_record_emit(ferry_context *ctx, const ferry_record *record)
{
    (void)ctx;
    if (fake.refuse_after >= 0 && (long)fake.count >= fake.refuse_after)
        return FERRY_RETRY;
    if (fake.count == fake.capacity) {
        fake.capacity = fake.capacity ? fake.capacity * 2 : 256;
        fake.records = realloc(fake.records, fake.capacity * sizeof(*fake.records));
    }
    fake_record *copy = &fake.records[fake.count++];
    *copy = (fake_record){
        .topic = strdup(record->topic),
        .kind = record->value.kind,
        .value = fake_copy(record->value.data, record->value.len),
        .len = record->value.len,
        .partition = json_deep_copy(record->source_partition),
        .offset = record->source_offset ? json_deep_copy(record->source_offset) : NULL,
    };
    for (size_t i = 0; i < record->header_count; i++) {
        char *value = fake_copy(record->headers[i].value, record->headers[i].value_len);
        if (strcmp(record->headers[i].key, "file.path") == 0)
            copy->header_path = value;
        else if (strcmp(record->headers[i].key, "file.offset") == 0)
            copy->header_offset = value;
        else
            free(value);
    }
    return FERRY_OK;
}

static void fake_status_problem(ferry_context *ctx, const char *message)
{
    (void)ctx;
    free(fake.problem);
    fake.problem = message ? strdup(message) : NULL;
    fake.problem_changes++;
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
    .offset_read = fake_offset_read,
    .record_emit = fake_record_emit,
    .status_problem = fake_status_problem,
};

const ferry_host *fake_host_table(void)
{
    return &fake_table;
}

ferry_context *fake_context(void)
{
    return (ferry_context *)&fake;
}

void fake_records_clear(void)
{
    for (size_t i = 0; i < fake.count; i++) {
        free(fake.records[i].topic);
        free(fake.records[i].value);
        free(fake.records[i].header_path);
        free(fake.records[i].header_offset);
        json_decref(fake.records[i].partition);
        json_decref(fake.records[i].offset);
    }
    fake.count = 0;
}

void fake_host_free(void)
{
    fake_records_clear();
    free(fake.records);
    json_decref(fake.committed);
    free(fake.problem);
    free(fake.log);
    memset(&fake, 0, sizeof(fake));
}

void fake_host_reset(void)
{
    fake_host_free();
    fake.committed = json_object();
    fake.refuse_after = -1;
    file_host = &fake_table;
}

ferry_config *fake_config_new(const ferry_config_key *definition, ...)
{
    va_list ap;
    va_start(ap, definition);
    ferry_config *config = fake_config_pairs(definition, va_arg(ap, const char *), ap);
    va_end(ap);
    return config;
}

void fake_config_free(ferry_config *config)
{
    ferry_config_destroy(config);
}

void fake_commit_all(void)
{
    for (size_t i = 0; i < fake.count; i++) {
        if (!fake.records[i].offset)
            continue;
        char *key = fake_key(fake.records[i].partition);
        json_object_set(fake.committed, key, fake.records[i].offset);
        free(key);
    }
}

void fake_commit(const char *partition, const char *offset)
{
    json_t *p = json_loads(partition, 0, NULL);
    char *key = fake_key(p);
    json_object_set_new(fake.committed, key, json_loads(offset, 0, NULL));
    free(key);
    json_decref(p);
}

bool fake_log_contains(const char *needle)
{
    return fake.log && strstr(fake.log, needle);
}
