/*
 * connector_describe.c - JSON descriptions of connector types and config definitions, in Kafka
 * Connect 3.9's shapes (PluginInfo, ConfigKeyInfo).
 */
#include "plugin/connector_describe.h"

#include <string.h>

#include "config/config_validate.h"
#include "config/connector_config.h"

const char *connector_kind_name(ferry_connector_kind kind)
{
    return kind == FERRY_CONNECTOR_SOURCE ? "source" : kind == FERRY_CONNECTOR_SINK ? "sink"
                                                                                   : "unknown";
}

const char *config_type_label(ferry_config_type type)
{
    switch (type) {
    case FERRY_CONFIG_STRING: return "STRING";
    case FERRY_CONFIG_INT: return "INT";
    case FERRY_CONFIG_LONG: return "LONG";
    case FERRY_CONFIG_DOUBLE: return "DOUBLE";
    case FERRY_CONFIG_BOOLEAN: return "BOOLEAN";
    case FERRY_CONFIG_LIST: return "LIST";
    case FERRY_CONFIG_PASSWORD: return "PASSWORD";
    case FERRY_CONFIG_CLASS: return "CLASS";
    }
    return NULL;
}

const char *config_importance_label(ferry_config_importance importance)
{
    switch (importance) {
    case FERRY_IMPORTANCE_HIGH: return "HIGH";
    case FERRY_IMPORTANCE_MEDIUM: return "MEDIUM";
    case FERRY_IMPORTANCE_LOW: return "LOW";
    }
    return NULL;
}

json_t *config_key_describe(const ferry_config_key *key, int order)
{
    /* Kafka Connect shows a password default as [hidden]; ferry does the same for every
     * sensitive key so a default secret never leaves the process. */
    bool hidden = key->sensitive || key->type == FERRY_CONFIG_PASSWORD;
    json_t *default_value = !key->default_value ? json_null()
                            : hidden            ? json_string("[hidden]")
                                                : json_string(key->default_value);
    json_t *allowed = json_array();
    for (const char *const *value = key->allowed_values; value && *value; value++)
        json_array_append_new(allowed, json_string(*value));
    const char *width = "NONE";
    connector_config_key_layout(key, &order, &width);
    json_t *described = json_pack(
        "{s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:i, s:s, s:s, s:[], s:b, s:o}",
        "name", key->name,
        "type", config_type_label(key->type),
        "required", key->required,
        "default_value", default_value,
        "importance", config_importance_label(key->importance),
        "documentation", key->documentation ? key->documentation : "",
        "group", key->group ? key->group : "Common",
        "order", order,
        "width", width,
        "display_name", key->display_name ? key->display_name : key->name,
        "dependents",
        "sensitive", hidden,
        "allowed_values", allowed);
    if (described && (key->has_min || key->has_max)) {
        json_object_set_new(described, "min", key->has_min ? json_real(key->min) : json_null());
        json_object_set_new(described, "max", key->has_max ? json_real(key->max) : json_null());
    }
    return described;
}

int config_key_order(const ferry_config_key *definition, const ferry_config_key *key)
{
    const char *group = key->group ? key->group : "Common";
    int order = 0;
    for (const ferry_config_key *other = definition; other->name; other++) {
        if (strcmp(other->group ? other->group : "Common", group) == 0)
            order++;
        if (other == key)
            break;
    }
    return order;
}

json_t *config_definition_describe(const ferry_config_key *definition)
{
    json_t *keys = json_array();
    for (const ferry_config_key *key = definition; key && key->name; key++)
        json_array_append_new(keys, config_key_describe(key, config_key_order(definition, key)));
    return keys;
}

json_t *connector_config_describe(const ferry_connector_type *type)
{
    /* Kafka Connect's AbstractHerder.connectorPluginConfig: the plugin's keys first, then the
     * framework's (common, then source or sink) it does not define itself. */
    const ferry_config_key *framework[2] = {
        connector_config_common_keys,
        type->kind == FERRY_CONNECTOR_SINK ? connector_config_sink_keys
                                           : connector_config_source_keys,
    };
    json_t *keys = config_definition_describe(type->config);
    for (size_t d = 0; d < 2; d++) {
        for (const ferry_config_key *key = framework[d]; key->name; key++) {
            if (type->config && config_definition_find(&type->config, 1, key->name))
                continue;
            json_array_append_new(keys, config_key_describe(key, config_key_order(framework[d], key)));
        }
    }
    return keys;
}

const char *connector_type_class_name(const ferry_connector_type *type)
{
    for (const char *const *alias = type->aliases; alias && *alias; alias++)
        if (strchr(*alias, '.'))
            return *alias;
    return type->name;
}

json_t *connector_plugin_describe(const registered_connector *connector)
{
    json_t *aliases = json_array();
    for (const char *const *alias = connector->type->aliases; alias && *alias; alias++)
        json_array_append_new(aliases, json_string(*alias));
    return json_pack("{s:s, s:s, s:s, s:s, s:o}",
                     "class", connector_type_class_name(connector->type),
                     "type", connector_kind_name(connector->type->kind),
                     "version", connector->plugin->version,
                     "name", connector->type->name,
                     "aliases", aliases);
}
