/*
 * test_plugin.c - a small, correct plugin with two connector types (a source and a sink); each
 * BREAK_* define breaks it in one way the loader must refuse. Built once per variant by
 * meson.build; only the loader's checks are exercised, the callbacks do nothing useful.
 */
#include <ferry/plugin.h>

static ferry_status connector_start(ferry_context *ctx, const ferry_config *config, void **state,
                                    char *err, size_t errlen)
{
    *state = NULL;
    return FERRY_OK;
}

static ferry_status task_configs(void *state, int max_tasks, json_t **configs, char *err,
                                 size_t errlen)
{
    *configs = json_array();
    return FERRY_OK;
}

static void stop(void *state)
{
}

static ferry_status task_start(ferry_context *ctx, const ferry_config *config, void **state,
                               char *err, size_t errlen)
{
    *state = NULL;
    return FERRY_OK;
}

static ferry_status source_poll(void *state, int timeout_ms, char *err, size_t errlen)
{
#ifdef BREAK_UNDEFINED_SYMBOL
    extern int ferry_test_symbol_nobody_defines(void);
    return (ferry_status)ferry_test_symbol_nobody_defines();
#else
    return FERRY_OK;
#endif
}

static ferry_status sink_put(void *state, const ferry_record *records, size_t count, char *err,
                             size_t errlen)
{
    return FERRY_OK;
}

static ferry_status sink_flush(void *state, ferry_topic_partition *offsets, size_t count,
                               char *err, size_t errlen)
{
    return FERRY_OK;
}

static const char *const level_values[] = {"low", "high", NULL};

static const ferry_config_key source_config[] = {
    {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .documentation = "Where records go."},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "100",
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 1,
#ifdef BREAK_CONFIG_BOUNDS
     .has_max = true, .max = 0,
#endif
     .documentation = "Records per poll."},
    {.name = "level", .type = FERRY_CONFIG_STRING, .default_value = "low",
     .allowed_values = level_values, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "A key with allowed values."},
#ifdef BREAK_CONFIG_DEFAULT
    {.name = "retries", .type = FERRY_CONFIG_INT, .default_value = "many",
     .importance = FERRY_IMPORTANCE_LOW, .documentation = "Default is not an integer."},
#endif
#ifdef BREAK_CONFIG_DUPLICATE
    {.name = "topic", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "Defined a second time."},
#endif
#ifdef BREAK_CONFIG_TYPE
    {.name = "weird", .type = (ferry_config_type)99, .importance = FERRY_IMPORTANCE_LOW,
     .documentation = "No such type."},
#endif
#ifdef BREAK_CONFIG_DOC
    {.name = "undocumented", .type = FERRY_CONFIG_STRING, .importance = FERRY_IMPORTANCE_LOW},
#endif
    {.name = "password", .type = FERRY_CONFIG_PASSWORD, .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "A secret.", .sensitive = true},
    {.name = NULL},
};

static const ferry_connector_callbacks connector_callbacks = {
    .start = connector_start,
    .task_configs = task_configs,
    .stop = stop,
};

static const ferry_source_task_callbacks source_task_callbacks = {
    .start = task_start,
#ifndef BREAK_MISSING_CALLBACK
    .poll = source_poll,
#endif
    .stop = stop,
};

static const ferry_sink_task_callbacks sink_task_callbacks = {
    .start = task_start,
    .put = sink_put,
    .flush = sink_flush,
    .stop = stop,
};

#ifdef BREAK_NAME_TAKEN
#define SOURCE_NAME "OtherSource"
#define SOURCE_ALIAS "TestSink" /* the good plugin's sink */
#else
#define SOURCE_NAME "TestSource"
#define SOURCE_ALIAS "org.example.TestSourceConnector"
#endif

static const ferry_connector_type source_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SOURCE,
    .name = SOURCE_NAME,
    .aliases = (const char *const[]){SOURCE_ALIAS, NULL},
    .description = "A test source.",
    .config = source_config,
    .connector = &connector_callbacks,
    .source_task = &source_task_callbacks,
#ifdef BREAK_WRONG_TASK_KIND
    .sink_task = &sink_task_callbacks,
#endif
};

static const ferry_connector_type sink_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SINK,
    .name = "TestSink",
    .aliases = (const char *const[]){"org.example.TestSinkConnector", NULL},
    .description = "A test sink.",
    .connector = &connector_callbacks,
    .sink_task = &sink_task_callbacks,
};

static const ferry_plugin test_plugin = {
    .magic = FERRY_PLUGIN_MAGIC,
#ifdef BREAK_STRUCT_SIZE
    .struct_size = 8,
#else
    .struct_size = sizeof(ferry_plugin),
#endif
#ifdef BREAK_ABI_MAJOR
    .abi_major = FERRY_ABI_MAJOR + 1,
#else
    .abi_major = FERRY_ABI_MAJOR,
#endif
#ifdef BREAK_ABI_MINOR
    .abi_minor = FERRY_ABI_MINOR + 1,
#else
    .abi_minor = FERRY_ABI_MINOR,
#endif
    .name = "test",
    .version = "0.0.1",
#ifdef BREAK_NAME_TAKEN
    .connectors = (const ferry_connector_type *const[]){&source_type, NULL},
#else
    .connectors = (const ferry_connector_type *const[]){&source_type, &sink_type, NULL},
#endif
};

#ifdef BREAK_MAGIC
static ferry_plugin bad_magic_plugin;
#endif

#ifdef BREAK_NO_ENTRY
FERRY_EXPORT const ferry_plugin *ferry_plugin_entry_misspelt(const ferry_host *host);
FERRY_EXPORT const ferry_plugin *ferry_plugin_entry_misspelt(const ferry_host *host)
#else
FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *host)
#endif
{
    (void)sink_task_callbacks;
    (void)sink_type;
    (void)test_plugin;
    (void)source_poll;
#if defined(BREAK_NULL_DESCRIPTOR)
    return NULL;
#elif defined(BREAK_MAGIC)
    bad_magic_plugin = test_plugin;
    bad_magic_plugin.magic = 0xdeadbeef;
    return &bad_magic_plugin;
#else
    return &test_plugin;
#endif
}
