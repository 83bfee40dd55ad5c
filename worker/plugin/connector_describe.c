/*
 * connector_describe.c - JSON descriptions of connector types and config definitions.
 */
#include "plugin/connector_describe.h"

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

json_t *config_key_describe(const ferry_config_key *key, int order_in_group)
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
    json_t *described = json_pack(
        "{s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:i, s:s, s:s, s:[], s:b, s:o}",
        "name", key->name,
        "type", config_type_label(key->type),
        "required", key->required,
        "default_value", default_value,
        "importance", config_importance_label(key->importance),
        "documentation", key->documentation ? key->documentation : "",
        "group", key->group ? key->group : "Common",
        "order_in_group", order_in_group,
        "width", "NONE",
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

json_t *config_definition_describe(const ferry_config_key *definition)
{
    json_t *keys = json_array();
    int order = 0;
    for (const ferry_config_key *key = definition; key && key->name; key++)
        json_array_append_new(keys, config_key_describe(key, ++order));
    return keys;
}

json_t *connector_plugin_describe(const registered_connector *connector)
{
    json_t *aliases = json_array();
    for (const char *const *alias = connector->type->aliases; alias && *alias; alias++)
        json_array_append_new(aliases, json_string(*alias));
    return json_pack("{s:s, s:s, s:s, s:o}",
                     "class", connector->type->name,
                     "type", connector_kind_name(connector->type->kind),
                     "version", connector->plugin->version,
                     "aliases", aliases);
}
