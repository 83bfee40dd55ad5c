/*
 * connector_config.c - the keys every connector config has (Kafka Connect's ConnectorConfig,
 * SinkConnectorConfig), the rules that span keys with Kafka Connect's messages, and the choice of
 * a connector's converters between its own config and the worker's.
 */
#include "config/connector_config.h"

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const connector_tolerance_values[] = {"none", "all", NULL};
static const char *const connector_reload_values[] = {"none", "restart", NULL};
static const char *const connector_bool_values[] = {"true", "false", NULL};
static const char *const connector_exactly_once_values[] = {"requested", "required", NULL};
static const char *const connector_boundary_values[] = {"poll", "interval", "connector", NULL};

/* Kafka Connect 3.9's ConnectorConfig, in its order, with its groups and display names (the
 * REST API lists them so); the documentation says what ferry does with each. */
const ferry_config_key connector_config_common_keys[] = {
    {.name = "name", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Common", .display_name = "Connector name",
     .documentation = "Globally unique name to use for this connector: at most 1000 bytes of "
                      "UTF-8 (1000 ASCII characters), without control characters."},
    {.name = "connector.class", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Common", .display_name = "Connector class",
     .documentation = "The connector type: its ferry name or a Kafka Connect class name "
                      "(FileStreamSource, org.apache.kafka.connect.file.FileStreamSinkConnector, "
                      "...)."},
    {.name = "tasks.max", .type = FERRY_CONFIG_INT, .default_value = "1",
     .importance = FERRY_IMPORTANCE_HIGH, .has_min = true, .min = 1, .group = "Common",
     .display_name = "Tasks max",
     .documentation = "Maximum number of tasks to use for this connector."},
    {.name = "tasks.max.enforce", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = connector_bool_values,
     .group = "Common", .display_name = "Enforce tasks max",
     .documentation = "(Deprecated in Kafka Connect) Whether a connector may not make more "
                      "tasks than tasks.max. ferry always enforces tasks.max: it asks a plugin "
                      "for at most that many task configs."},
    {.name = "key.converter", .type = FERRY_CONFIG_CLASS, .importance = FERRY_IMPORTANCE_LOW,
     .group = "Common", .display_name = "Key converter class",
     .documentation = "Converter for record keys: JsonConverter, StringConverter or "
                      "ByteArrayConverter (Kafka Connect class names or json, string, "
                      "bytearray); unset = the worker's key.converter."},
    {.name = "value.converter", .type = FERRY_CONFIG_CLASS, .importance = FERRY_IMPORTANCE_LOW,
     .group = "Common", .display_name = "Value converter class",
     .documentation = "Converter for record values, as key.converter; unset = the worker's "
                      "value.converter."},
    {.name = "header.converter", .type = FERRY_CONFIG_CLASS, .importance = FERRY_IMPORTANCE_LOW,
     .group = "Common", .display_name = "Header converter class",
     .documentation = "Converter for record headers; unset = the worker's header.converter. "
                      "ferry writes headers as SimpleHeaderConverter does."},
    {.name = "transforms", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Transforms", .display_name = "Transforms",
     .documentation = "Aliases of the transformations to apply to records, in order."},
    {.name = "predicates", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Predicates", .display_name = "Predicates",
     .documentation = "Aliases of the predicates used by transformations."},
    {.name = "config.action.reload", .type = FERRY_CONFIG_STRING, .default_value = "restart",
     .importance = FERRY_IMPORTANCE_LOW, .allowed_values = connector_reload_values,
     .group = "Common", .display_name = "Reload Action",
     .documentation = "What to do when a config provider's value changes: restart or none."},
    {.name = "errors.retry.timeout", .type = FERRY_CONFIG_LONG, .default_value = "0",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = -1, .group = "Error Handling",
     .display_name = "Retry Timeout for Errors",
     .documentation = "How long a task goes on calling a plugin that keeps answering retry "
                      "(put, flush, poll), in ms; 0 or -1 = without limit, as Kafka Connect "
                      "retries a task's RetriableException. Then the task fails."},
    {.name = "errors.retry.delay.max.ms", .type = FERRY_CONFIG_LONG, .default_value = "60000",
     .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = 1, .group = "Error Handling",
     .display_name = "Maximum Delay Between Retries for Errors",
     .documentation = "The longest wait between two retries of a failed operation, in ms."},
    {.name = "errors.tolerance", .type = FERRY_CONFIG_STRING, .default_value = "none",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = connector_tolerance_values,
     .group = "Error Handling", .display_name = "Error Tolerance",
     .documentation = "none: a record that fails fails the task; all: it is skipped (logged and "
                      "sent to the dead-letter queue when configured)."},
    {.name = "errors.log.enable", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = connector_bool_values,
     .group = "Error Handling", .display_name = "Log Errors",
     .documentation = "Log every failed operation and problem record."},
    {.name = "errors.log.include.messages", .type = FERRY_CONFIG_BOOLEAN,
     .default_value = "false", .importance = FERRY_IMPORTANCE_MEDIUM,
     .allowed_values = connector_bool_values, .group = "Error Handling",
     .display_name = "Log Error Details",
     .documentation = "Include the record's key and value in the error log."},
    {.name = NULL},
};

/* The dead-letter queue keys: sinks have them in Kafka Connect, ferry gives them to sources too,
 * so they are written once and appear in both definitions. */
#define CONNECTOR_DLQ_KEYS                                                                     \
    {.name = "errors.deadletterqueue.topic.name", .type = FERRY_CONFIG_STRING,                 \
     .default_value = "", .importance = FERRY_IMPORTANCE_MEDIUM, .group = "Error Handling",    \
     .display_name = "Dead Letter Queue Topic Name",                                           \
     .documentation = "Topic receiving the records that failed (with errors.tolerance=all); "  \
                      "empty = no dead-letter queue."},                                        \
    {.name = "errors.deadletterqueue.topic.replication.factor", .type = FERRY_CONFIG_INT,      \
     .default_value = "3", .importance = FERRY_IMPORTANCE_MEDIUM, .has_min = true, .min = -1,  \
     .has_max = true, .max = 32767, .group = "Error Handling",                                 \
     .display_name = "Dead Letter Queue Topic Replication Factor",                             \
     .documentation = "Replication factor of the dead-letter queue topic when it is created; " \
                      "-1 uses the broker's default."},                                        \
    {.name = "errors.deadletterqueue.context.headers.enable", .type = FERRY_CONFIG_BOOLEAN,    \
     .default_value = "false", .importance = FERRY_IMPORTANCE_MEDIUM,                          \
     .allowed_values = connector_bool_values, .group = "Error Handling",                       \
     .display_name = "Enable Error Context Headers",                                           \
     .documentation = "Add __connect.errors.* headers describing the failure to dead-letter "  \
                      "queue records."}

/* Kafka Connect 3.9's SinkConnectorConfig keys, in its order. */
const ferry_config_key connector_config_sink_keys[] = {
    {.name = "topics", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Common", .display_name = "Topics",
     .documentation = "Topics to consume (comma-separated); exclusive with topics.regex."},
    {.name = "topics.regex", .type = FERRY_CONFIG_STRING, .default_value = "",
     .importance = FERRY_IMPORTANCE_HIGH, .group = "Common", .display_name = "Topics regex",
     .documentation = "Regular expression (POSIX extended) matching the topics to consume; "
                      "exclusive with topics."},
    CONNECTOR_DLQ_KEYS,
    {.name = NULL},
};

/* Kafka Connect 3.9's SourceConnectorConfig keys, in its order, then the dead-letter queue,
 * which ferry's sources have too. */
const ferry_config_key connector_config_source_keys[] = {
    {.name = "topic.creation.groups", .type = FERRY_CONFIG_LIST, .default_value = "",
     .importance = FERRY_IMPORTANCE_LOW, .group = "Topic Creation",
     .display_name = "Topic Creation Groups",
     .documentation = "Groups of configurations for topics created by source connectors: "
                      "topic.creation.<group>.include, .exclude, .replication.factor, "
                      ".partitions and topic configs; the default group's "
                      "topic.creation.default.replication.factor and .partitions switch "
                      "topic creation on (docs/configuration.md, \"Topic creation\")."},
    {.name = "exactly.once.support", .type = FERRY_CONFIG_STRING, .default_value = "requested",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = connector_exactly_once_values,
     .group = "Exactly Once Support", .display_name = "Exactly once support",
     .documentation = "requested or required. With required, a worker running exactly-once "
                      "sources refuses the connector unless its type declares exactly-once "
                      "support (docs/operations.md, \"Delivery guarantees\")."},
    {.name = "transaction.boundary", .type = FERRY_CONFIG_STRING, .default_value = "poll",
     .importance = FERRY_IMPORTANCE_MEDIUM, .allowed_values = connector_boundary_values,
     .group = "Exactly Once Support", .display_name = "Transaction Boundary",
     .documentation = "poll, interval or connector: where a task's transaction ends when the "
                      "worker runs exactly-once sources: after each poll, every "
                      "transaction.boundary.interval.ms, or where the connector says (only "
                      "for types that can define boundaries)."},
    {.name = "transaction.boundary.interval.ms", .type = FERRY_CONFIG_LONG,
     .importance = FERRY_IMPORTANCE_LOW, .has_min = true, .min = 0,
     .group = "Exactly Once Support", .display_name = "Transaction boundary interval",
     .documentation = "With transaction.boundary=interval, the interval between transaction "
                      "commits; unset: the worker's offset.flush.interval.ms."},
    {.name = "offsets.storage.topic", .type = FERRY_CONFIG_STRING,
     .importance = FERRY_IMPORTANCE_LOW, .group = "offsets.topic",
     .display_name = "Offsets topic",
     .documentation = "A separate offsets topic for this connector, created compacted when "
                      "missing. Used by exactly-once tasks (their transactions write the "
                      "offsets there; older offsets are still read from the worker's "
                      "offset.storage.topic); at-least-once tasks keep the worker's."},
    CONNECTOR_DLQ_KEYS,
    {.name = NULL},
};

/* Kafka Connect's "order" and "width" of its own keys, which its definitions fix one by one (the
 * order of transforms and predicates counts on from the Common group's). */
static const struct connector_key_layout {
    const char *name;
    int order;
    const char *width;
} connector_key_layouts[] = {
    {"name", 1, "MEDIUM"},
    {"connector.class", 2, "LONG"},
    {"tasks.max", 3, "SHORT"},
    {"tasks.max.enforce", 4, "SHORT"},
    {"key.converter", 5, "SHORT"},
    {"value.converter", 6, "SHORT"},
    {"header.converter", 7, "SHORT"},
    {"transforms", 8, "LONG"},
    {"predicates", 9, "LONG"},
    {"config.action.reload", 10, "MEDIUM"},
    {"errors.retry.timeout", 1, "MEDIUM"},
    {"errors.retry.delay.max.ms", 2, "MEDIUM"},
    {"errors.tolerance", 3, "SHORT"},
    {"errors.log.enable", 4, "SHORT"},
    {"errors.log.include.messages", 5, "SHORT"},
    {"topics", 4, "LONG"},
    {"topics.regex", 4, "LONG"},
    {"errors.deadletterqueue.topic.name", 6, "MEDIUM"},
    {"errors.deadletterqueue.topic.replication.factor", 7, "MEDIUM"},
    {"errors.deadletterqueue.context.headers.enable", 8, "MEDIUM"},
    {"topic.creation.groups", 1, "LONG"},
    {"exactly.once.support", 2, "SHORT"},
    {"transaction.boundary", 3, "SHORT"},
    {"transaction.boundary.interval.ms", 4, "SHORT"},
    {"offsets.storage.topic", 1, "LONG"},
};

static bool connector_keys_hold(const ferry_config_key *keys, const ferry_config_key *key)
{
    for (const ferry_config_key *own = keys; own->name; own++)
        if (own == key)
            return true;
    return false;
}

bool connector_config_key_layout(const ferry_config_key *key, int *order, const char **width)
{
    if (!connector_keys_hold(connector_config_common_keys, key) &&
        !connector_keys_hold(connector_config_sink_keys, key) &&
        !connector_keys_hold(connector_config_source_keys, key))
        return false;
    for (size_t i = 0; i < sizeof(connector_key_layouts) / sizeof(connector_key_layouts[0]); i++) {
        if (strcmp(connector_key_layouts[i].name, key->name) == 0) {
            *order = connector_key_layouts[i].order;
            *width = connector_key_layouts[i].width;
            return true;
        }
    }
    return false;
}

const char *const connector_config_known_prefixes[] = {
    "producer.override.", "consumer.override.", "admin.override.", "transforms.",
    "predicates.", "key.converter.", "value.converter.", "header.converter.",
    "topic.creation.", NULL,
};

static bool connector_is_blank(const char *text)
{
    return !text || text[strspn(text, " \t\r\n\f\v")] == '\0';
}

/* Kafka Connect's List.toString: "[a, b]". A new string, NULL on allocation failure. */
static char *connector_list_text(char **items)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return NULL;
    fputc('[', out);
    for (size_t i = 0; items[i]; i++)
        fprintf(out, "%s%s", i ? ", " : "", items[i]);
    fputc(']', out);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Compiles a topics.regex anchored at both ends, as Java's Matcher.matches() is. Returns 0, or
 * the regcomp error with its text in why. */
static int connector_regex_compile(const char *pattern, regex_t *regex, char *why, size_t whylen)
{
    char *anchored = NULL;
    if (asprintf(&anchored, "^(%s)$", pattern) < 0) {
        ferry_error_set(why, whylen, "out of memory");
        return REG_ESPACE;
    }
    int rc = regcomp(regex, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    if (rc != 0) {
        /* The unanchored pattern gives the error the user can relate to their text. */
        regex_t plain;
        int plain_rc = regcomp(&plain, pattern, REG_EXTENDED | REG_NOSUB);
        if (plain_rc != 0) {
            regerror(plain_rc, &plain, why, whylen);
        } else {
            regfree(&plain);
            regerror(rc, regex, why, whylen);
        }
    }
    return rc;
}

/* The sink rules of Kafka Connect's SinkConnectorConfig.validate, reported against the same keys
 * with the same messages. */
static size_t connector_sink_check(const config_map *values, config_errors *errors)
{
    const char *topics = config_map_get(values, "topics");
    const char *topics_regex = config_map_get(values, "topics.regex");
    const char *dlq = config_map_get(values, "errors.deadletterqueue.topic.name");
    bool has_topics = !connector_is_blank(topics);
    bool has_regex = !connector_is_blank(topics_regex);
    size_t problems = 0;
    char *dlq_topic = NULL;
    char **topic_list = NULL;
    char *list_text = NULL;
    char why[256];
    regex_t regex;
    bool regex_valid = false;

    if (has_topics && has_regex) {
        const char *message =
            "topics and topics.regex are mutually exclusive options, but both are set.";
        config_errors_add(errors, "topics", "%s", message);
        config_errors_add(errors, "topics.regex", "%s", message);
        problems += 2;
    }
    if (!has_topics && !has_regex) {
        const char *message = "Must configure one of topics or topics.regex";
        config_errors_add(errors, "topics", "%s", message);
        config_errors_add(errors, "topics.regex", "%s", message);
        problems += 2;
    }
    if (has_regex) {
        if (connector_regex_compile(topics_regex, &regex, why, sizeof(why)) == 0) {
            regex_valid = true;
        } else {
            config_errors_add(errors, "topics.regex",
                              "Invalid value '%s' for configuration topics.regex: not a valid "
                              "regular expression: %s",
                              topics_regex, why);
            problems++;
        }
    }

    if (!connector_is_blank(dlq)) {
        char **trimmed = config_value_split_list(dlq); /* one item: the trimmed name */
        if (!trimmed || !trimmed[0] || !(dlq_topic = strdup(trimmed[0]))) {
            config_list_free(trimmed);
            goto out_of_memory;
        }
        config_list_free(trimmed);
        if (has_topics) {
            topic_list = config_value_split_list(topics);
            if (!topic_list)
                goto out_of_memory;
            for (size_t i = 0; topic_list[i]; i++) {
                if (strcmp(topic_list[i], dlq_topic) != 0)
                    continue;
                list_text = connector_list_text(topic_list);
                if (!list_text)
                    goto out_of_memory;
                config_errors_add(errors, "topics",
                                  "The DLQ topic '%s' may not be included in the list of topics "
                                  "('topics=%s') consumed by the connector",
                                  dlq_topic, list_text);
                problems++;
                break;
            }
        }
        if (regex_valid && regexec(&regex, dlq_topic, 0, NULL, 0) == 0) {
            config_errors_add(errors, "topics.regex",
                              "The DLQ topic '%s' may not be included in the regex matching the "
                              "topics ('topics.regex=%s') consumed by the connector",
                              dlq_topic, topics_regex);
            problems++;
        }
    }
    goto cleanup;

out_of_memory:
    config_errors_add(errors, NULL, "out of memory while validating the connector config");
    problems++;
cleanup:
    if (regex_valid)
        regfree(&regex);
    free(dlq_topic);
    config_list_free(topic_list);
    free(list_text);
    return problems;
}

/* Each alias in transforms (or predicates) needs its "<prefix>.<alias>.type", and an alias may
 * appear once, as Kafka Connect's ConnectorConfig.enrich demands. */
static size_t connector_alias_check(const config_map *values, const char *list_key,
                                    config_errors *errors)
{
    size_t problems = 0;
    char *type_key = NULL;
    char **aliases = config_value_split_list(config_map_get(values, list_key));
    if (!aliases) {
        config_errors_add(errors, list_key, "out of memory while validating the connector config");
        return 1;
    }
    for (size_t i = 0; aliases[i]; i++) {
        bool duplicate = false;
        for (size_t j = 0; j < i; j++)
            duplicate = duplicate || strcmp(aliases[i], aliases[j]) == 0;
        if (duplicate) {
            config_errors_add(errors, list_key,
                              "Invalid value '%s' for configuration %s: Duplicate alias provided.",
                              config_map_get(values, list_key), list_key);
            problems++;
            break;
        }
    }
    for (size_t i = 0; aliases[i]; i++) {
        if (asprintf(&type_key, "%s.%s.type", list_key, aliases[i]) < 0) {
            type_key = NULL;
            config_errors_add(errors, list_key,
                              "out of memory while validating the connector config");
            problems++;
            break;
        }
        if (connector_is_blank(config_map_get(values, type_key))) {
            config_errors_add(errors, type_key,
                              "Missing required configuration \"%s\" which has no default value.",
                              type_key);
            problems++;
        }
        free(type_key);
        type_key = NULL;
    }
    config_list_free(aliases);
    return problems;
}

/* Kafka Connect refuses connector names with control characters: they break REST paths and logs.
 * A name too long for a REST path is refused too. A missing or blank name is the required
 * check's to report, once. */
static size_t connector_name_check(const config_map *values, config_errors *errors)
{
    const char *name = config_map_get(values, "name");
    if (connector_is_blank(name))
        return 0;
    size_t len = strlen(name);
    if (len > CONNECTOR_NAME_MAX) {
        config_errors_add(errors, "name",
                          "Invalid value for configuration name: the name is %zu bytes long; the "
                          "limit is %d bytes (UTF-8)",
                          len, CONNECTOR_NAME_MAX);
        return 1;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            config_errors_add(errors, "name",
                              "Invalid value for configuration name: String may not contain "
                              "control sequences");
            return 1;
        }
    }
    return 0;
}

/* A DLQ replication factor of 0 means nothing; -1 is the broker's default. */
static size_t connector_dlq_replication_check(const config_map *values, config_errors *errors)
{
    const char *key = "errors.deadletterqueue.topic.replication.factor";
    const char *text = config_map_get(values, key);
    int64_t value;
    if (!text || config_value_parse_int(text, -1, 32767, &value, NULL, 0) != 0 || value != 0)
        return 0;
    config_errors_add(errors, key,
                      "Invalid value '%s' for configuration %s: expected -1 (the broker's default) "
                      "or an integer between 1 and 32767",
                      text, key);
    return 1;
}

size_t connector_config_validate(const config_map *values, ferry_connector_kind kind,
                                 const ferry_config_key *plugin_keys, config_errors *errors,
                                 config_map *unknown)
{
    const ferry_config_key *defs[3];
    size_t ndefs = 0;
    size_t problems = 0;

    defs[ndefs++] = connector_config_common_keys;
    defs[ndefs++] = kind == FERRY_CONNECTOR_SINK ? connector_config_sink_keys
                                                 : connector_config_source_keys;
    if (plugin_keys)
        defs[ndefs++] = plugin_keys;

    problems += config_validate(defs, ndefs, values, connector_config_known_prefixes, errors,
                                unknown);
    problems += connector_name_check(values, errors);
    problems += connector_alias_check(values, "transforms", errors);
    problems += connector_alias_check(values, "predicates", errors);
    problems += connector_dlq_replication_check(values, errors);
    if (kind == FERRY_CONNECTOR_SINK)
        problems += connector_sink_check(values, errors);
    return problems;
}

config_map *connector_config_converter(const config_map *connector, const config_map *worker,
                                       const char *prefix, const char *worker_default,
                                       const char **class_name)
{
    const config_map *chooser;
    const char *chosen;
    size_t prefix_len = strlen(prefix);
    config_map *settings = config_map_new();
    if (!settings)
        return NULL;

    /* As Kafka Connect's Worker: the connector's class with the connector's settings, else the
     * worker's class (or its default) with the worker's settings. Settings never mix. */
    if (!connector_is_blank(config_map_get(connector, prefix))) {
        chooser = connector;
        chosen = config_map_get(connector, prefix);
    } else {
        chooser = worker;
        chosen = config_map_get(worker, prefix);
        if (connector_is_blank(chosen))
            chosen = worker_default;
    }

    for (size_t i = 0; i < config_map_count(chooser); i++) {
        const char *key = config_map_key_at(chooser, i);
        if (strncmp(key, prefix, prefix_len) != 0 || key[prefix_len] != '.' ||
            key[prefix_len + 1] == '\0')
            continue;
        if (config_map_set(settings, key + prefix_len + 1, config_map_value_at(chooser, i)) != 0) {
            config_map_destroy(settings);
            return NULL;
        }
    }
    *class_name = chosen;
    return settings;
}

void connector_sink_group(const config_map *connector, const char *name, char *group, size_t len)
{
    const char *override = connector ? config_map_get(connector, "consumer.override.group.id")
                                     : NULL;
    if (override && *override)
        snprintf(group, len, "%s", override);
    else
        snprintf(group, len, "connect-%s", name);
}

size_t connector_config_definitions(const ferry_connector_type *type, const ferry_config_key *defs[3])
{
    size_t count = 0;
    defs[count++] = connector_config_common_keys;
    defs[count++] = type->kind == FERRY_CONNECTOR_SINK ? connector_config_sink_keys
                                                       : connector_config_source_keys;
    if (type->config)
        defs[count++] = type->config;
    return count;
}
