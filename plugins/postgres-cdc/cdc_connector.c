/*
 * cdc_connector.c - the PostgresCdcSource connector: cross-key checks and its one task (a
 * replication slot has one reader, as in Debezium, whatever tasks.max says).
 */
#include <stdlib.h>
#include <string.h>

#include "cdc_config.h"
#include "cdc_offset.h"
#include "cdc_plugin.h"

/* Set by the entry point (cdc_plugin.c), or by a test's fake host. */
const ferry_host *cdc_host;

static ferry_status cdc_connector_validate(const ferry_config *config,
                                           void (*report)(void *report_ctx, const char *key,
                                                          const char *message),
                                           void *report_ctx, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    cdc_config_check(cdc_host->config_json(config), report, report_ctx);
    return FERRY_OK;
}

static ferry_status cdc_connector_start(ferry_context *ctx, const ferry_config *config,
                                        void **state, char *err, size_t errlen)
{
    json_t *copy = json_deep_copy(cdc_host->config_json(config));
    if (!copy)
        return ferry_error_set(err, errlen, "out of memory copying the config");
    cdc_host->log(ctx, FERRY_LOG_INFO,
                  "PostgreSQL change data capture of %s:%s/%s as %s (slot %s, publication %s)",
                  cdc_host->config_string(config, "database.hostname"),
                  cdc_host->config_string(config, "database.port"),
                  cdc_host->config_string(config, "database.dbname"),
                  cdc_host->config_string(config, "topic.prefix"),
                  cdc_host->config_string(config, "slot.name"),
                  cdc_host->config_string(config, "publication.name"));
    *state = copy;
    return FERRY_OK;
}

static ferry_status cdc_connector_task_configs(void *state, int max_tasks,
                                               json_t **task_configs, char *err, size_t errlen)
{
    (void)max_tasks;
    json_t *configs = json_array();
    if (!configs || json_array_append(configs, state) != 0) {
        json_decref(configs);
        return ferry_error_set(err, errlen, "out of memory building the task config");
    }
    *task_configs = configs;
    return FERRY_OK;
}

static void cdc_connector_stop(void *state)
{
    json_decref(state);
}

/* Offsets a user alters must be ones the task can resume from: Debezium's partition of this
 * connector and well-formed LSNs; anything else is refused before it is written. */
ferry_status cdc_connector_alter_offsets(const ferry_config *config,
                                         const ferry_source_offset *offsets, size_t count,
                                         char *err, size_t errlen)
{
    const char *server = cdc_host->config_string(config, "topic.prefix");
    for (size_t i = 0; i < count; i++)
        if (cdc_offset_alter_check(offsets[i].partition, offsets[i].offset,
                                   server ? server : "", err, errlen) != 0)
            return FERRY_ERROR;
    return FERRY_OK;
}

const ferry_connector_callbacks cdc_connector_callbacks = {
    .validate = cdc_connector_validate,
    .start = cdc_connector_start,
    .task_configs = cdc_connector_task_configs,
    .stop = cdc_connector_stop,
};
