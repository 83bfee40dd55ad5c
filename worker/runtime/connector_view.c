/*
 * connector_view.c - a connector's ConnectorInfo, status, config and task configs as JSON, with
 * secrets hidden.
 */
#include "runtime/connector_view.h"

#include <string.h>

#include "config/config_redact.h"
#include "config/connector_config.h"
#include "plugin/connector_describe.h"

size_t connector_view_definitions(worker *running, const config_map *config,
                                  const ferry_config_key *defs[3])
{
    const registered_connector *type = config ? worker_connector_type(running, config) : NULL;
    if (type)
        return connector_config_definitions(type->type, defs);
    defs[0] = connector_config_common_keys;
    return 1;
}

static const char *connector_view_kind(worker *running, const config_map *config)
{
    const registered_connector *type = worker_connector_type(running, config);
    return type ? connector_kind_name(type->type->kind) : "unknown";
}

json_t *connector_view_info(worker *running, connector_runtime *connector)
{
    const config_map *config = connector_runtime_config(connector);
    const char *name = connector_runtime_name(connector);
    json_t *tasks = json_array();
    for (int i = 0; i < connector_runtime_task_count(connector); i++)
        json_array_append_new(tasks, json_pack("{s:s, s:i}", "connector", name, "task", i));
    return json_pack("{s:s, s:o, s:o, s:s}", "name", name, "config",
                     connector_view_config(running, connector), "tasks", tasks, "type",
                     connector_view_kind(running, config));
}

static bool connector_view_has_trace(json_t *status)
{
    if (json_object_get(json_object_get(status, "connector"), "trace"))
        return true;
    size_t index;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), index, task)
        if (json_object_get(task, "trace"))
            return true;
    return false;
}

json_t *connector_view_status(worker *running, connector_runtime *connector)
{
    json_t *status = connector_runtime_status(connector);
    if (!connector_view_has_trace(status))
        return status; /* nothing to redact: the common case, kept cheap */
    const config_map *config = connector_runtime_config(connector);
    const ferry_config_key *defs[3];
    size_t ndefs = connector_view_definitions(running, config, defs);
    config_redact_status(status, config, defs, ndefs);
    return status;
}

json_t *connector_view_config(worker *running, connector_runtime *connector)
{
    const config_map *config = connector_runtime_config(connector);
    const ferry_config_key *defs[3];
    size_t ndefs = connector_view_definitions(running, config, defs);
    json_t *answer = config_map_to_json(config);
    config_redact_object(answer, defs, ndefs);
    return answer;
}

json_t *connector_view_task_configs(worker *running, connector_runtime *connector)
{
    const config_map *config = connector_runtime_config(connector);
    const ferry_config_key *defs[3];
    size_t ndefs = connector_view_definitions(running, config, defs);
    json_t *stored = worker_connector_task_configs(running, connector_runtime_name(connector));
    json_t *configs = json_array();
    for (int i = 0; i < connector_runtime_task_count(connector); i++) {
        json_t *merged = config_map_to_json(config);
        json_t *task = json_array_get(stored, (size_t)i);
        if (json_is_object(task))
            json_object_update(merged, task);
        config_redact_object(merged, defs, ndefs);
        json_array_append_new(configs, merged);
    }
    json_decref(stored);
    return configs;
}

json_t *connector_view_restart_plan(worker *running, connector_runtime *connector,
                                    bool include_tasks, bool only_failed)
{
    json_t *status = connector_view_status(running, connector);
    json_t *instance = json_object_get(status, "connector");
    const char *state = json_string_value(json_object_get(instance, "state"));
    bool connector_failed = state && strcmp(state, "FAILED") == 0;
    bool connector_restarts = !only_failed || connector_failed;
    if (connector_restarts) {
        json_object_set_new(instance, "state", json_string("RESTARTING"));
        json_object_del(instance, "trace");
    }
    size_t index;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), index, task) {
        const char *task_state = json_string_value(json_object_get(task, "state"));
        bool task_failed = task_state && strcmp(task_state, "FAILED") == 0;
        if ((include_tasks && (!only_failed || task_failed)) || connector_restarts) {
            json_object_set_new(task, "state", json_string("RESTARTING"));
            json_object_del(task, "trace");
        }
    }
    return status;
}

char *connector_view_redact_text(worker *running, const config_map *config, const char *text)
{
    const ferry_config_key *defs[3];
    size_t ndefs = connector_view_definitions(running, config, defs);
    return config_redact_text(text, config, defs, ndefs);
}
