/*
 * file_connector.c - the connector half shared by FileSource and FileSink (see file_connector.h).
 */
#include "file_connector.h"

#include <stdio.h>

#include "file_plugin.h"

/* Set by the entry point (file_plugin.c), or by a unit test to its fake host. */
const ferry_host *file_host;

ferry_status file_connector_start(ferry_context *ctx, const ferry_config *config, void **state,
                                  char *err, size_t errlen)
{
    (void)ctx;
    json_t *copy = json_deep_copy(file_host->config_json(config));
    if (!copy)
        return ferry_error_set(err, errlen, "out of memory copying the connector config");
    *state = copy;
    return FERRY_OK;
}

void file_connector_stop(void *state)
{
    json_decref(state);
}

json_t *file_connector_task_configs(json_t *config, int count)
{
    json_t *configs = json_array();
    if (!configs)
        return NULL;
    char number[16], total[16];
    snprintf(total, sizeof(total), "%d", count);
    for (int i = 0; i < count; i++) {
        json_t *task = json_deep_copy(config);
        snprintf(number, sizeof(number), "%d", i);
        /* json_object_set_new and json_array_append_new take their value even on failure. */
        if (!task || json_object_set_new(task, "task.index", json_string(number)) != 0 ||
            json_object_set_new(task, "task.count", json_string(total)) != 0) {
            json_decref(task);
            json_decref(configs);
            return NULL;
        }
        if (json_array_append_new(configs, task) != 0) {
            json_decref(configs);
            return NULL;
        }
    }
    return configs;
}
