/*
 * es_connector.c - the ElasticsearchSink connector: checks across keys (Confluent's Validator),
 * a warning for each key ferry accepts but does not act on, and tasks.max identical task
 * configs (the consumer group spreads the partitions over them, as in Kafka Connect).
 */
#include <stdlib.h>
#include <string.h>

#include "es_config.h"
#include "es_plugin.h"

const ferry_host *es_host;

static ferry_status es_connector_validate(const ferry_config *config,
                                          void (*report)(void *report_ctx, const char *key,
                                                         const char *message),
                                          void *report_ctx, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    es_config_check(es_host, config, report, report_ctx);
    return FERRY_OK;
}

static ferry_status es_connector_start(ferry_context *ctx, const ferry_config *config,
                                       void **state, char *err, size_t errlen)
{
    es_settings settings;
    if (es_settings_load(es_host, config, &settings, err, errlen) != 0)
        return FERRY_ERROR;
    json_t *all = es_host->config_json(config);
    for (size_t i = 0; es_config_unsupported_keys[i]; i++)
        if (json_object_get(all, es_config_unsupported_keys[i]))
            es_host->log(ctx, FERRY_LOG_WARN, "%s is not supported by ferry's Elasticsearch sink:"
                         " accepted and ignored (docs/connectors/elasticsearch-sink.md)",
                         es_config_unsupported_keys[i]);
    es_host->log(ctx, FERRY_LOG_INFO, "writing to %s%s", settings.urls[0],
                 settings.url_count > 1 ? " and other URLs" : "");
    es_settings_free(&settings);
    json_t *copy = json_deep_copy(all);
    if (!copy)
        return ferry_error_set(err, errlen, "out of memory copying the config");
    *state = copy;
    return FERRY_OK;
}

static ferry_status es_connector_task_configs(void *state, int max_tasks, json_t **task_configs,
                                              char *err, size_t errlen)
{
    json_t *configs = json_array();
    for (int i = 0; configs && i < max_tasks; i++) {
        if (json_array_append_new(configs, json_deep_copy(state)) != 0) {
            json_decref(configs);
            configs = NULL;
        }
    }
    if (!configs)
        return ferry_error_set(err, errlen, "out of memory building task configs");
    *task_configs = configs;
    return FERRY_OK;
}

static void es_connector_stop(void *state)
{
    json_decref(state);
}

/* Kafka Connect's alterOffsets of a sink: the offsets are the consumer group's, whose shape the
 * host has checked as Kafka Connect does. Documents carry the Kafka offset as their external
 * version, so records replayed after an offset moved back are no-ops in Elasticsearch and
 * records skipped are simply not written: nothing here has to follow, every offset is
 * accepted. */
static ferry_status es_connector_alter_offsets(const ferry_config *config,
                                               const ferry_source_offset *offsets, size_t count,
                                               char *err, size_t errlen)
{
    return FERRY_OK;
}

const ferry_connector_callbacks es_connector = {
    .validate = es_connector_validate,
    .start = es_connector_start,
    .task_configs = es_connector_task_configs,
    .stop = es_connector_stop,
};

const ferry_connector_type es_sink_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SINK,
    .name = "ElasticsearchSink",
    .aliases = (const char *const[]){
        "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
        "ElasticsearchSinkConnector", NULL},
    .description = "Writes records to Elasticsearch indices and data streams with _bulk requests "
                   "(Confluent's ElasticsearchSinkConnector keys); retries only failed "
                   "documents and survives outages and 429s.",
    .config = es_config_keys,
    .connector = &es_connector,
    .sink_task = &es_sink_task,
    /* Values are forwarded as the bytes they came in: JsonConverter need not build trees. Only
     * external.version.header reads headers. */
    .flags = FERRY_SINK_JSON_TEXT | FERRY_SINK_HEADERS_ON_DEMAND,
    .alter_offsets = es_connector_alter_offsets,
    .task_class = "io.confluent.connect.elasticsearch.ElasticsearchSinkTask",
};
