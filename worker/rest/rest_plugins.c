/*
 * rest_plugins.c - /connector-plugins: the connector types (and, with connectorsOnly=false, the
 * converters and transforms), a type's config definition, and validation in Kafka Connect's ConfigInfos shape.
 * The definitions come from connector_describe.c, as `ferry plugins` prints them; validation
 * calls the plugin's validate callback, so it runs on the control thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "plugin/connector_describe.h"
#include "config/config_redact.h"
#include "rest/rest_resources.h"
#include "config/connector_config.h"
#include "convert/converter.h"
#include "transforms/predicate.h"
#include "transforms/transform.h"

#ifndef FERRY_VERSION
#define FERRY_VERSION "unknown"
#endif

static const char *const rest_bool_values[] = {"true", "false", NULL};

/* The converters ferry implements, by Kafka Connect's class names, with the settings each
 * reads. */
static const ferry_config_key rest_json_converter_keys[] = {
    {.name = "schemas.enable", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_HIGH, .allowed_values = rest_bool_values,
     .documentation = "Include schemas within each of the serialized values and keys."},
    {.name = NULL},
};
static const ferry_config_key rest_no_keys[] = {{.name = NULL}};

static const struct rest_converter {
    const char *class_name;
    const ferry_config_key *keys;
} rest_converters[] = {
    {"org.apache.kafka.connect.converters.ByteArrayConverter", rest_no_keys},
    {"org.apache.kafka.connect.json.JsonConverter", rest_json_converter_keys},
    {"org.apache.kafka.connect.storage.StringConverter", rest_no_keys},
};
#define REST_CONVERTER_COUNT (sizeof(rest_converters) / sizeof(rest_converters[0]))

/* ---- list and definition ---------------------------------------------------------------- */

typedef struct rest_plugins_query {
    const char *plugin;
    bool connectors_only;
    json_t *answer;
} rest_plugins_query;

/* Kafka Connect's order of connectors: sinks, then sources, each by class name. */
static int rest_connector_compare(const void *a, const void *b)
{
    const ferry_connector_type *left = (*(const registered_connector *const *)a)->type;
    const ferry_connector_type *right = (*(const registered_connector *const *)b)->type;
    if (left->kind != right->kind)
        return left->kind == FERRY_CONNECTOR_SINK ? -1 : 1;
    return strcmp(connector_type_class_name(left), connector_type_class_name(right));
}

static void rest_plugins_list_run(worker *running, void *argument)
{
    rest_plugins_query *query = argument;
    const plugin_registry *registry = worker_plugins(running);
    size_t count = plugin_registry_count(registry);
    const registered_connector **sorted = calloc(count ? count : 1, sizeof(*sorted));
    if (!sorted)
        return;
    for (size_t i = 0; i < count; i++)
        sorted[i] = plugin_registry_at(registry, i);
    qsort(sorted, count, sizeof(*sorted), rest_connector_compare);
    query->answer = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(query->answer,
                              json_pack("{s:s, s:s, s:s}", "class",
                                        connector_type_class_name(sorted[i]->type), "type",
                                        connector_kind_name(sorted[i]->type->kind), "version",
                                        sorted[i]->plugin->version));
    free(sorted);
    if (query->connectors_only)
        return;
    for (const transform_type *const *type = transform_types(); *type; type++)
        json_array_append_new(query->answer,
                              json_pack("{s:s, s:s, s:s}", "class", transform_type_class(*type),
                                        "type", "transformation", "version", FERRY_VERSION));
    for (const predicate_type *const *type = predicate_types(); *type; type++)
        json_array_append_new(query->answer,
                              json_pack("{s:s, s:s, s:s}", "class", predicate_type_class(*type),
                                        "type", "predicate", "version", FERRY_VERSION));
    /* Kafka Connect's order: connectors, transformations, predicates, converters, then header
     * converters (every converter is one, and SimpleHeaderConverter, which ferry follows). */
    for (size_t i = 0; i < REST_CONVERTER_COUNT; i++)
        json_array_append_new(query->answer,
                              json_pack("{s:s, s:s, s:s}", "class", rest_converters[i].class_name,
                                        "type", "converter", "version", FERRY_VERSION));
    static const char *const header_converters[] = {
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        "org.apache.kafka.connect.json.JsonConverter", CONVERTER_SIMPLE_HEADER_CLASS,
        "org.apache.kafka.connect.storage.StringConverter",
    };
    for (size_t i = 0; i < sizeof(header_converters) / sizeof(header_converters[0]); i++)
        json_array_append_new(query->answer,
                              json_pack("{s:s, s:s, s:s}", "class", header_converters[i], "type",
                                        "header_converter", "version", FERRY_VERSION));
}

static void rest_plugins_list_start(rest_request *request, rest_response *response,
                                    void *state)
{
    rest_plugins_query *query = state;
    (void)response;
    query->connectors_only = rest_query_bool(request, "connectorsOnly", true);
}

static void rest_plugins_finish(rest_request *request, rest_response *response, void *state)
{
    rest_plugins_query *query = state;
    if (!query->answer && !query->plugin)
        rest_reply_error(response, 500, "out of memory");
    else if (!query->answer)
        rest_reply_error(response, 404, "Unknown plugin %s.", request->params[0]);
    else
        rest_reply_json(response, 200, query->answer);
}

const rest_async_handler rest_plugins_list = {
    sizeof(rest_plugins_query), rest_plugins_list_start, rest_plugins_list_run,
    rest_plugins_finish,
};

static void rest_plugin_config_run(worker *running, void *argument)
{
    rest_plugins_query *query = argument;
    const registered_connector *connector = plugin_registry_find(worker_plugins(running),
                                                                 query->plugin);
    if (connector) {
        query->answer = connector_config_describe(connector->type);
        return;
    }
    for (size_t i = 0; i < REST_CONVERTER_COUNT; i++) {
        const char *name = rest_converters[i].class_name;
        const char *simple = strrchr(name, '.') + 1;
        if (strcmp(query->plugin, name) == 0 || strcmp(query->plugin, simple) == 0)
            query->answer = config_definition_describe(rest_converters[i].keys);
    }
    if (strcmp(query->plugin, CONVERTER_SIMPLE_HEADER_CLASS) == 0 ||
        strcmp(query->plugin, "SimpleHeaderConverter") == 0)
        query->answer = json_array(); /* it has no settings */
    const transform_type *transform = transform_type_find(query->plugin);
    if (!query->answer && transform)
        query->answer = config_definition_describe(transform->config);
    const predicate_type *predicate = predicate_type_find(query->plugin);
    if (!query->answer && predicate)
        query->answer = config_definition_describe(predicate->config);
}

static void rest_plugin_config_start(rest_request *request, rest_response *response,
                                     void *state)
{
    (void)response;
    ((rest_plugins_query *)state)->plugin = request->params[0];
}

const rest_async_handler rest_plugin_config = {
    sizeof(rest_plugins_query), rest_plugin_config_start, rest_plugin_config_run,
    rest_plugins_finish,
};

/* ---- validate --------------------------------------------------------------------------- */

typedef struct rest_validation {
    const config_map *config;
    const char *plugin;
    bool included;  /* the body names connector.class */
    bool mismatch;  /* ... and it is not the plugin of the path */
    json_t *answer;
} rest_validation;

/* Kafka Connect's ConfigValueInfo for one key. */
static json_t *rest_config_value(const ferry_config_key *def, const char *key,
                                 const config_map *config, const config_errors *errors,
                                 bool sensitive, size_t *error_count)
{
    const char *given = config_map_get(config, key);
    const char *value = given ? given : def ? def->default_value : NULL;
    json_t *messages = config_errors_for_key(errors, key);
    *error_count += json_array_size(messages);
    return json_pack("{s:s, s:o, s:[], s:o, s:b}", "name", key, "value",
                     !value ? json_null() : sensitive ? json_string(CONFIG_REDACTED)
                                                      : json_string(value),
                     "recommended_values", "errors", messages ? messages : json_array(),
                     "visible", 1);
}

static void rest_group_add(json_t *groups, const char *group)
{
    size_t index;
    json_t *known;
    json_array_foreach(groups, index, known)
        if (strcmp(json_string_value(known), group) == 0)
            return;
    json_array_append_new(groups, json_string(group));
}

/* Whether configs already has an entry for key. */
static bool rest_configs_have(const json_t *configs, const char *key)
{
    size_t index;
    json_t *entry;
    json_array_foreach(configs, index, entry) {
        const char *name = json_string_value(json_object_get(json_object_get(entry, "value"),
                                                             "name"));
        if (name && strcmp(name, key) == 0)
            return true;
    }
    return false;
}

/* One key of an alias's group: its definition under its full name, and its value. */
static void rest_alias_key_add(const rest_validation *validation, json_t *configs,
                               const ferry_config_key *own, const char *full_name,
                               const char *group, int order, json_t *recommended,
                               const config_errors *errors, size_t *error_count)
{
    ferry_config_key key = *own;
    key.name = full_name;
    key.group = group;
    key.display_name = own->display_name ? own->display_name : own->name;
    json_t *value = rest_config_value(&key, full_name, validation->config, errors,
                                      key.sensitive || key.type == FERRY_CONFIG_PASSWORD,
                                      error_count);
    if (recommended)
        json_object_set(value, "recommended_values", recommended);
    json_array_append_new(configs, json_pack("{s:o, s:o}", "definition",
                                             config_key_describe(&key, order), "value", value));
}

/* Kafka Connect's ConnectorConfig.enrich: each alias of `transforms` (or `predicates`) is a
 * group "Transforms: <alias>" ("Predicates: <alias>") with its type, a transform's predicate
 * and negate, and the keys of its type's definition under "<list>.<alias>.". */
static void rest_validate_aliases(const rest_validation *validation, bool predicates,
                                  json_t *groups, json_t *configs, const config_errors *errors,
                                  size_t *error_count)
{
    const char *list = predicates ? "predicates" : "transforms";
    char **aliases = config_value_split_list(config_map_get(validation->config, list)
                                                 ? config_map_get(validation->config, list)
                                                 : "");
    json_t *recommended = json_array();
    if (predicates) {
        for (const predicate_type *const *type = predicate_types(); *type; type++)
            json_array_append_new(recommended, json_string(predicate_type_class(*type)));
    } else {
        for (const transform_type *const *type = transform_types(); *type; type++)
            json_array_append_new(recommended, json_string(transform_type_class(*type)));
    }
    static const ferry_config_key implicit[] = {
        {.name = "predicate", .type = FERRY_CONFIG_STRING, .default_value = "",
         .importance = FERRY_IMPORTANCE_MEDIUM,
         .documentation = "The alias of a predicate used to determine whether to apply this "
                          "transformation."},
        {.name = "negate", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
         .importance = FERRY_IMPORTANCE_MEDIUM,
         .documentation = "Whether the configured predicate should be negated."},
        {.name = NULL},
    };
    for (size_t i = 0; aliases && aliases[i]; i++) {
        char group[300], full[400], documentation[400], display[300];
        snprintf(group, sizeof(group), "%s: %s", predicates ? "Predicates" : "Transforms",
                 aliases[i]);
        snprintf(full, sizeof(full), "%s.%s.type", list, aliases[i]);
        if (rest_configs_have(configs, full))
            continue; /* an alias listed twice: one group */
        rest_group_add(groups, group);
        snprintf(documentation, sizeof(documentation), "Class for the '%s' %s.", aliases[i],
                 predicates ? "predicate" : "transformation");
        snprintf(display, sizeof(display), "%s type for %s",
                 predicates ? "Predicate" : "Transformation", aliases[i]);
        const ferry_config_key type_key = {.name = "type", .type = FERRY_CONFIG_CLASS,
                                           .required = true, .importance = FERRY_IMPORTANCE_HIGH,
                                           .documentation = documentation,
                                           .display_name = display};
        int order = 0;
        rest_alias_key_add(validation, configs, &type_key, full, group, order++, recommended,
                           errors, error_count);
        const char *type_name = config_map_get(validation->config, full);
        const ferry_config_key *definition = NULL;
        if (predicates) {
            const predicate_type *type = predicate_type_find(type_name);
            definition = type ? type->config : NULL;
        } else {
            const transform_type *type = transform_type_find(type_name);
            definition = type ? type->config : NULL;
        }
        if (!definition)
            continue; /* Kafka Connect shows only the type of an alias it cannot load */
        for (const ferry_config_key *own = predicates ? definition : implicit; own->name;
             own++) {
            snprintf(full, sizeof(full), "%s.%s.%s", list, aliases[i], own->name);
            rest_alias_key_add(validation, configs, own, full, group, order++, NULL, errors,
                               error_count);
        }
        for (const ferry_config_key *own = definition; !predicates && own->name; own++) {
            if (strcmp(own->name, "predicate") == 0 || strcmp(own->name, "negate") == 0)
                continue; /* masked by the implicit keys */
            snprintf(full, sizeof(full), "%s.%s.%s", list, aliases[i], own->name);
            rest_alias_key_add(validation, configs, own, full, group, order++, NULL, errors,
                               error_count);
        }
    }
    json_decref(recommended);
    config_list_free(aliases);
}

static bool rest_plugin_names_match(const char *included, const char *requested);

/* A client override key (producer.override.*, ...) is a key of the client's own definition, as
 * Kafka Connect shows it: in no group, ordered -1, displayed by the client's name for it. */
static void rest_override_definition(json_t *definition, const char *key)
{
    static const char *const prefixes[] = {"producer.override.", "consumer.override.",
                                           "admin.override."};
    for (size_t i = 0; definition && i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(key, prefixes[i], strlen(prefixes[i])) != 0)
            continue;
        json_object_set_new(definition, "group", json_null());
        json_object_set_new(definition, "order", json_integer(-1));
        json_object_set_new(definition, "display_name", json_string(key + strlen(prefixes[i])));
        return;
    }
}

static void rest_validate_run(worker *running, void *argument)
{
    rest_validation *validation = argument;
    /* Kafka Connect's rule, or both names reaching one connector type: ferry's own names and
     * Kafka Connect's class names are aliases of each other. */
    const char *included = config_map_get(validation->config, "connector.class");
    if (validation->included && !rest_plugin_names_match(included, validation->plugin)) {
        const registered_connector *named = plugin_registry_find(worker_plugins(running),
                                                                 included);
        if (!named || named != plugin_registry_find(worker_plugins(running),
                                                    validation->plugin)) {
            validation->mismatch = true;
            return;
        }
    }
    config_errors *errors = config_errors_new();
    if (!errors)
        return;
    const registered_connector *type = NULL;
    worker_connector_validate(running, validation->config, errors, NULL, &type);
    const ferry_config_key *defs[3];
    size_t ndefs = type ? connector_config_definitions(type->type, defs) : 1;
    if (!type)
        defs[0] = connector_config_common_keys;

    json_t *groups = json_array();
    json_t *configs = json_array();
    size_t error_count = 0;
    for (size_t d = 0; d < ndefs; d++) {
        for (const ferry_config_key *def = defs[d]; def->name; def++) {
            if (config_definition_find(defs, d, def->name))
                continue; /* a key of the plugin that repeats a common one: shown once */
            rest_group_add(groups, def->group ? def->group : "Common");
            bool sensitive = config_key_is_sensitive(defs, ndefs, def->name);
            json_t *value = rest_config_value(def, def->name, validation->config, errors,
                                              sensitive, &error_count);
            json_array_append_new(configs, json_pack("{s:o, s:o}", "definition",
                                                     config_key_describe(
                                                         def, config_key_order(defs[d], def)),
                                                     "value", value));
        }
    }
    rest_validate_aliases(validation, false, groups, configs, errors, &error_count);
    rest_validate_aliases(validation, true, groups, configs, errors, &error_count);
    /* Problems of keys no definition declares, and problems of the whole config (no key), so
     * that error_count counts what the answer shows. */
    for (size_t i = 0; i < config_errors_count(errors); i++) {
        const char *key = config_errors_key_at(errors, i);
        const char *shown = key && *key ? key : "connector.class";
        if (config_definition_find(defs, ndefs, shown) ||
            (key && *key && rest_configs_have(configs, key)))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(config_errors_key_at(errors, j) ? config_errors_key_at(errors, j) : "",
                           key ? key : "") == 0;
        if (seen)
            continue;
        ferry_config_key synthetic = {.name = shown, .type = FERRY_CONFIG_STRING,
                                      .importance = FERRY_IMPORTANCE_LOW, .documentation = ""};
        json_t *value = rest_config_value(NULL, key ? key : "", validation->config, errors,
                                          config_key_is_sensitive(defs, ndefs, shown),
                                          &error_count);
        json_object_set_new(value, "name", json_string(shown));
        json_t *definition = config_key_describe(&synthetic, 0);
        rest_override_definition(definition, shown);
        json_array_append_new(configs, json_pack("{s:o, s:o}", "definition", definition,
                                                 "value", value));
    }
    /* Keyless problems belong to the connector as a whole: Kafka Connect reports them on
     * connector.class. */
    if (config_definition_find(defs, ndefs, "connector.class")) {
        json_t *keyless = config_errors_for_key(errors, "");
        size_t index;
        json_t *entry;
        json_array_foreach(configs, index, entry) {
            json_t *value = json_object_get(entry, "value");
            if (strcmp(json_string_value(json_object_get(value, "name")), "connector.class") == 0)
                json_array_extend(json_object_get(value, "errors"), keyless);
        }
        error_count += json_array_size(keyless);
        json_decref(keyless);
    }
    /* A plugin's message may quote a secret it was given. */
    size_t index;
    json_t *entry;
    json_array_foreach(configs, index, entry) {
        json_t *messages = json_object_get(json_object_get(entry, "value"), "errors");
        size_t m;
        json_t *message;
        json_array_foreach(messages, m, message) {
            char *clean = config_redact_text(json_string_value(message), validation->config, defs,
                                           ndefs);
            json_array_set_new(messages, m, json_string(clean ? clean : CONFIG_REDACTED));
            free(clean);
        }
    }
    /* Kafka Connect names the answer by connector.class as given. */
    const char *name = config_map_get(validation->config, "connector.class");
    validation->answer = json_pack("{s:s, s:I, s:o, s:o}", "name", name ? name : "",
                                   "error_count", (json_int_t)error_count, "groups", groups,
                                   "configs", configs);
    config_errors_destroy(errors);
}

/* Kafka Connect compares class names without a trailing "Connector". */
static size_t rest_plugin_name_len(const char *name)
{
    size_t len = strlen(name);
    return len > 9 && strcmp(name + len - 9, "Connector") == 0 ? len - 9 : len;
}

static bool rest_plugin_names_match(const char *included, const char *requested)
{
    size_t included_len = rest_plugin_name_len(included);
    size_t requested_len = rest_plugin_name_len(requested);
    return included_len >= requested_len &&
           strncmp(included + included_len - requested_len, requested, requested_len) == 0;
}

void rest_plugin_validate(rest_request *request, rest_response *response)
{
    json_t *body = rest_body_json(request, response, JSON_OBJECT);
    if (!body)
        return;
    char why[512];
    config_map *config = config_map_new();
    if (!config || config_map_set_from_json(config, body, why, sizeof(why)) != 0) {
        rest_reply_error(response, 400, "Invalid connector configuration: %s",
                         config ? why : "out of memory");
        goto done;
    }
    rest_validation validation = {.config = config, .plugin = request->params[0],
                                  .included = config_map_get(config, "connector.class") != NULL};
    if (!validation.included &&
        config_map_set(config, "connector.class", request->params[0]) != 0) {
        rest_reply_error(response, 500, "out of memory");
        goto done;
    }
    if (rest_call(request, response, rest_validate_run, &validation) != 0)
        goto done;
    if (validation.mismatch)
        rest_reply_error(response, 400, "Included connector type %s does not match request type "
                         "%s", config_map_get(config, "connector.class"), request->params[0]);
    else if (!validation.answer)
        rest_reply_error(response, 500, "out of memory");
    else
        rest_reply_json(response, 200, validation.answer);
done:
    config_map_destroy(config);
    json_decref(body);
}
