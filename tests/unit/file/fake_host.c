/*
 * fake_host.c - the services table of fake_host.h.
 */
#include "fake_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "file_plugin.h"

fake_host_state fake;

struct ferry_config {
    json_t *values;
    const ferry_config_key *definition;
    char ***lists; /* split LIST values, kept until the config is freed */
    size_t list_count;
};

static const char *fake_text(const ferry_config *config, const char *key)
{
    json_t *value = json_object_get(config->values, key);
    if (json_is_string(value))
        return json_string_value(value);
    for (const ferry_config_key *def = config->definition; def && def->name; def++)
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
        while (len && (*at == ' '))
            at++, len--;
        while (len && at[len - 1] == ' ')
            len--;
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
    .config_string = fake_config_string,
    .config_int = fake_config_int,
    .config_double = fake_config_double,
    .config_bool = fake_config_bool,
    .config_list = fake_config_list,
    .config_json = fake_config_json,
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
    ferry_config *config = calloc(1, sizeof(*config));
    config->values = json_object();
    config->definition = definition;
    va_list ap;
    va_start(ap, definition);
    for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *))
        json_object_set_new(config->values, key, json_string(va_arg(ap, const char *)));
    va_end(ap);
    return config;
}

void fake_config_free(ferry_config *config)
{
    if (!config)
        return;
    for (size_t i = 0; i < config->list_count; i++) {
        for (size_t k = 0; config->lists[i][k]; k++)
            free(config->lists[i][k]);
        free(config->lists[i]);
    }
    free(config->lists);
    json_decref(config->values);
    free(config);
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
