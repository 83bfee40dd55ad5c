/*
 * sequence_plugin.c - the "sequence" test plugin's descriptor and entry point, the connector side
 * shared by its two sinks, and the helpers its files share. The connector types themselves live
 * in sequence_source.c, recording_sink.c and null_sink.c.
 */
#include "sequence_plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const ferry_host *sequence_host;

bool sequence_trigger_file_exists(const char *path)
{
    return path && path[0] && access(path, F_OK) == 0;
}

char *sequence_config_string_copy(const ferry_config *config, const char *key, bool *failed)
{
    const char *value = sequence_host->config_string(config, key);
    if (!value || !value[0])
        return NULL;
    char *copy = strdup(value);
    if (!copy)
        *failed = true;
    return copy;
}

void sequence_sleep_ms(int64_t milliseconds)
{
    if (milliseconds <= 0)
        return;
    struct timespec pause = {.tv_sec = milliseconds / 1000,
                             .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
        ;
}

/* ---- the connector side of both sinks ---------------------------------------------------- */

static ferry_status sink_connector_start(ferry_context *ctx, const ferry_config *config,
                                         void **state, char *err, size_t errlen)
{
    json_t *copy = json_deep_copy(sequence_host->config_json(config));
    if (!copy)
        return ferry_error_set(err, errlen, "out of memory copying the connector config");
    sequence_host->log(ctx, FERRY_LOG_DEBUG, "sink connector started");
    *state = copy;
    return FERRY_OK;
}

static ferry_status sink_connector_task_configs(void *state, int max_tasks,
                                                json_t **task_configs, char *err, size_t errlen)
{
    json_t *configs = json_array();
    if (!configs)
        return ferry_error_set(err, errlen, "out of memory building task configs");
    for (int task = 0; task < max_tasks; task++) {
        if (json_array_append_new(configs, json_deep_copy(state)) != 0) {
            json_decref(configs);
            return ferry_error_set(err, errlen, "out of memory building task configs");
        }
    }
    *task_configs = configs; /* ownership passes to the host */
    return FERRY_OK;
}

static void sink_connector_stop(void *state)
{
    json_decref(state);
}

const ferry_connector_callbacks sequence_sink_connector = {
    .start = sink_connector_start,
    .task_configs = sink_connector_task_configs,
    .stop = sink_connector_stop,
};

/* ---- the descriptor ---------------------------------------------------------------------- */

static const ferry_plugin sequence_plugin = {
    FERRY_PLUGIN_HEADER,
    .name = "sequence",
    .version = "1.0.0",
    .connectors = (const ferry_connector_type *const[]){&sequence_source_type,
                                                        &at_least_once_sequence_source_type,
                                                        &recording_sink_type,
                                                        &recording_text_sink_type,
                                                        &null_sink_type, NULL},
};

FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *services)
{
    sequence_host = services;
    return &sequence_plugin;
}
