/*
 * example.c - the smallest complete ferry plugin, written to be read: one source connector type
 * that emits "<message> #<n>" to a topic at a fixed interval and resumes from its committed count
 * after a restart. docs/plugin-api.md walks through it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ferry/plugin.h>

/* The services table the host handed to the entry function; valid for the process lifetime. */
static const ferry_host *host;

/* ---- the connector: turns its config into task configs (here: exactly one task) ---------- */

static ferry_status example_connector_start(ferry_context *ctx, const ferry_config *config,
                                            void **state, char *err, size_t errlen)
{
    /* The config was validated against example_config before we see it; just keep a copy. */
    json_t *copy = json_deep_copy(host->config_json(config));
    if (!copy)
        return ferry_error_set(err, errlen, "out of memory copying the config");
    host->log(ctx, FERRY_LOG_INFO, "example connector started, topic %s",
              host->config_string(config, "topic"));
    *state = copy;
    return FERRY_OK;
}

static ferry_status example_task_configs(void *state, int max_tasks, json_t **task_configs,
                                         char *err, size_t errlen)
{
    (void)max_tasks; /* one counter, one task, whatever tasks.max says */
    json_t *configs = json_array();
    if (!configs || json_array_append(configs, state) != 0) {
        json_decref(configs);
        return ferry_error_set(err, errlen, "out of memory building task configs");
    }
    *task_configs = configs; /* ownership passes to the host */
    return FERRY_OK;
}

static void example_connector_stop(void *state)
{
    json_decref(state);
}

/* ---- the task: one thread, all callbacks from it ----------------------------------------- */

typedef struct example_task {
    ferry_context *ctx;
    char *topic;
    char *message;
    int64_t interval_ms;
    int64_t next;            /* the number of the next record */
    json_t *source_partition;
} example_task;

static void example_task_stop(void *state)
{
    example_task *task = state;
    if (!task)
        return;
    json_decref(task->source_partition);
    free(task->topic);
    free(task->message);
    free(task);
}

static ferry_status example_task_start(ferry_context *ctx, const ferry_config *config,
                                       void **state, char *err, size_t errlen)
{
    example_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    task->ctx = ctx;
    task->topic = strdup(host->config_string(config, "topic"));
    task->message = strdup(host->config_string(config, "message"));
    task->interval_ms = host->config_int(config, "interval.ms");
    task->source_partition = json_pack("{s:s}", "example", host->config_string(config, "name"));
    if (!task->topic || !task->message || !task->source_partition) {
        example_task_stop(task);
        return ferry_error_set(err, errlen, "out of memory");
    }
    /* Resume after the last record whose offset the worker committed. */
    json_t *offset = host->offset_read(ctx, task->source_partition);
    if (offset) {
        task->next = json_integer_value(json_object_get(offset, "count"));
        json_decref(offset);
        host->log(ctx, FERRY_LOG_INFO, "resuming at record %lld", (long long)task->next);
    }
    *state = task;
    return FERRY_OK;
}

static ferry_status example_task_poll(void *state, int timeout_ms, char *err, size_t errlen)
{
    example_task *task = state;
    int64_t wait_ms = task->interval_ms < timeout_ms ? task->interval_ms : timeout_ms;
    struct timespec pause = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);

    char line[512];
    int len = snprintf(line, sizeof(line), "%s #%lld", task->message, (long long)task->next);
    if (len < 0)
        return ferry_error_set(err, errlen, "cannot format record");
    if ((size_t)len >= sizeof(line))
        len = sizeof(line) - 1;
    json_t *offset = json_pack("{s:I}", "count", (json_int_t)(task->next + 1));
    if (!offset)
        return ferry_error_set(err, errlen, "out of memory");
    ferry_record record = {
        .topic = task->topic,
        .partition = FERRY_PARTITION_ANY,
        .value = {.kind = FERRY_DATA_STRING, .data = line, .len = (size_t)len},
        .timestamp_ms = FERRY_TIMESTAMP_NONE,
        .source_partition = task->source_partition,
        .source_offset = offset,
    };
    ferry_status status = host->record_emit(task->ctx, &record); /* the host copies the record */
    json_decref(offset);
    if (status == FERRY_OK)
        task->next++;
    else if (status == FERRY_ERROR)
        return ferry_error_set(err, errlen, "the worker refused record %lld",
                               (long long)task->next);
    return FERRY_OK; /* FERRY_RETRY from emit: buffer full, the same record goes next poll */
}

/* ---- the descriptor ---------------------------------------------------------------------- */

static const ferry_config_key example_config[] = {
    {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .documentation = "The topic to write records to."},
    {.name = "message", .type = FERRY_CONFIG_STRING, .default_value = "hello from ferry",
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "The text of every record; a running number is appended."},
    {.name = "interval.ms", .type = FERRY_CONFIG_LONG, .default_value = "1000",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0, .has_max = true,
     .max = 3600000, .documentation = "Milliseconds between two records."},
    {.name = NULL},
};

static const ferry_connector_callbacks example_connector = {
    .start = example_connector_start,
    .task_configs = example_task_configs,
    .stop = example_connector_stop,
};

static const ferry_source_task_callbacks example_source_task = {
    .start = example_task_start,
    .poll = example_task_poll,
    .stop = example_task_stop,
};

static const ferry_connector_type example_source = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SOURCE,
    .name = "ExampleSource",
    .aliases = (const char *const[]){"io.ferry.example.ExampleSourceConnector", NULL},
    .description = "Emits a numbered greeting at a fixed interval; the plugin API's example.",
    .config = example_config,
    .connector = &example_connector,
    .source_task = &example_source_task,
};

static const ferry_plugin example_plugin = {
    FERRY_PLUGIN_HEADER,
    .name = "example",
    .version = "1.0.0",
    .connectors = (const ferry_connector_type *const[]){&example_source, NULL},
};

FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *services)
{
    host = services;
    return &example_plugin;
}
