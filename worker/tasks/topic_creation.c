/*
 * topic_creation.c - a source connector's topic.creation.* groups and the creation of the topics
 * its records go to (see topic_creation.h for the rules, Kafka Connect's TopicCreation and
 * AbstractWorkerSourceTask#maybeCreateTopic for where they come from).
 */
#include "tasks/topic_creation.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/topic_admin.h"
#include "support/strlist.h"
#include "transforms/java_regex.h"

#define TOPIC_CREATION_PREFIX "topic.creation."
#define TOPIC_CREATION_DEFAULT_GROUP "default"

typedef struct topic_group {
    char *name;
    char *keys_prefix;         /* "topic.creation.<name>", for messages */
    java_regex **include;      /* NULL-terminated; the default group has none */
    java_regex **exclude;      /* NULL-terminated */
    int32_t partitions;        /* -1 = the broker's default */
    int16_t replication_factor;
    char **configs;            /* NULL-terminated name, value pairs */
} topic_group;

struct topic_creation {
    topic_group *groups; /* the named groups in topic.creation.groups order, then the default */
    size_t group_count;
    strlist known;       /* topics created or found: records go to them without a look */
};

bool topic_creation_configured(const config_map *config)
{
    for (size_t i = 0; i < config_map_count(config); i++)
        if (strncmp(config_map_key_at(config, i), TOPIC_CREATION_PREFIX,
                    strlen(TOPIC_CREATION_PREFIX)) == 0)
            return true;
    return false;
}

static void topic_regexes_free(java_regex **regexes)
{
    for (size_t i = 0; regexes && regexes[i]; i++)
        java_regex_free(regexes[i]);
    free(regexes);
}

static void topic_group_clear(topic_group *group)
{
    free(group->name);
    free(group->keys_prefix);
    topic_regexes_free(group->include);
    topic_regexes_free(group->exclude);
    strlist_array_free(group->configs);
}

void topic_creation_destroy(topic_creation *creation)
{
    if (!creation)
        return;
    for (size_t i = 0; i < creation->group_count; i++)
        topic_group_clear(&creation->groups[i]);
    free(creation->groups);
    strlist_free(&creation->known);
    free(creation);
}

/* Reads "<prefix>.<name>" as a replication factor or a partition count (-1, or 1 up to max);
 * an absent key keeps *value. Returns the number of problems (0 or 1). */
static size_t topic_group_number(const config_map *config, const char *prefix, const char *name,
                                 int64_t max, const char *rule, bool required, int64_t *value,
                                 config_errors *errors)
{
    char key[512];
    char expected[128];
    snprintf(key, sizeof(key), "%s.%s", prefix, name);
    const char *text = config_map_get(config, key);
    if (!text || !text[strspn(text, " \t")]) {
        if (!required)
            return 0;
        config_errors_add(errors, key,
                          "Missing required configuration \"%s\" which has no default value.",
                          key);
        return 1;
    }
    int64_t number;
    if (config_value_parse_int(text, INT64_MIN / 2, max, &number, expected,
                               sizeof(expected)) != 0) {
        config_errors_add(errors, key, "Invalid value %s for configuration %s: %s", text, key,
                          expected);
        return 1;
    }
    if (number != -1 && number < 1) {
        config_errors_add(errors, key, "Invalid value %s for configuration %s: %s", text, key,
                          rule);
        return 1;
    }
    *value = number;
    return 0;
}

/* Compiles each pattern of the list at key: a new NULL-terminated array in *out. Returns the
 * number of problems. */
static size_t topic_group_regexes(const config_map *config, const char *key,
                                  java_regex ***out, config_errors *errors)
{
    char **patterns = config_value_split_list(config_map_get(config, key));
    size_t count = 0;
    while (patterns && patterns[count])
        count++;
    *out = calloc(count + 1, sizeof(**out));
    if (!patterns || !*out) {
        config_list_free(patterns);
        config_errors_add(errors, key, "out of memory while reading %s", key);
        return 1;
    }
    size_t problems = 0;
    for (size_t i = 0, kept = 0; i < count; i++) {
        char why[512];
        java_regex *regex = java_regex_compile(patterns[i], why, sizeof(why));
        if (!regex) {
            config_errors_add(errors, key,
                              "Invalid value %s for configuration %s: Syntax error in regular "
                              "expression: %s", config_map_get(config, key), key, why);
            problems++;
            continue;
        }
        (*out)[kept++] = regex;
    }
    config_list_free(patterns);
    return problems;
}

static bool topic_group_key_is_own(const char *name)
{
    return strcmp(name, "include") == 0 || strcmp(name, "exclude") == 0 ||
           strcmp(name, "replication.factor") == 0 || strcmp(name, "partitions") == 0;
}

/* The group's topic configs: every "<prefix>.<key>" but its own four keys. */
static size_t topic_group_configs(const config_map *config, topic_group *group,
                                  config_errors *errors)
{
    strlist configs = {0};
    size_t prefix_len = strlen(group->keys_prefix);
    int failed = 0;
    for (size_t i = 0; i < config_map_count(config); i++) {
        const char *key = config_map_key_at(config, i);
        if (strncmp(key, group->keys_prefix, prefix_len) != 0 || key[prefix_len] != '.' ||
            !key[prefix_len + 1] || topic_group_key_is_own(key + prefix_len + 1))
            continue;
        failed |= strlist_append(&configs, key + prefix_len + 1, (size_t)-1);
        failed |= strlist_append(&configs, config_map_value_at(config, i), (size_t)-1);
    }
    group->configs = failed ? NULL : strlist_take(&configs);
    strlist_free(&configs);
    if (!group->configs) {
        config_errors_add(errors, group->keys_prefix, "out of memory while reading %s.*",
                          group->keys_prefix);
        return 1;
    }
    return 0;
}

static const char topic_replication_rule[] =
    "Replication factor must be positive and not larger than the number of brokers in the "
    "Kafka cluster, or -1 to use the broker's default";
static const char topic_partitions_rule[] =
    "Number of partitions must be positive, or -1 to use the broker's default";

/* Reads one group; the default group's numbers are required, a named group's default to
 * them. Returns the number of problems. */
static size_t topic_group_read(const config_map *config, const char *name,
                               const topic_group *fallback, topic_group *group,
                               config_errors *errors)
{
    group->name = strdup(name);
    if (!group->name || asprintf(&group->keys_prefix, TOPIC_CREATION_PREFIX "%s", name) < 0) {
        group->keys_prefix = NULL;
        config_errors_add(errors, TOPIC_CREATION_PREFIX "groups", "out of memory");
        return 1;
    }
    int64_t replication = fallback ? fallback->replication_factor : -1;
    int64_t partitions = fallback ? fallback->partitions : -1;
    size_t problems = 0;
    problems += topic_group_number(config, group->keys_prefix, "replication.factor", INT16_MAX,
                                   topic_replication_rule, !fallback, &replication, errors);
    problems += topic_group_number(config, group->keys_prefix, "partitions", INT32_MAX,
                                   topic_partitions_rule, !fallback, &partitions, errors);
    group->replication_factor = (int16_t)replication;
    group->partitions = (int32_t)partitions;
    if (fallback) {
        char key[512];
        snprintf(key, sizeof(key), "%s.include", group->keys_prefix);
        problems += topic_group_regexes(config, key, &group->include, errors);
        snprintf(key, sizeof(key), "%s.exclude", group->keys_prefix);
        problems += topic_group_regexes(config, key, &group->exclude, errors);
    }
    problems += topic_group_configs(config, group, errors);
    return problems;
}

/* The named groups of topic.creation.groups, once each, "default" left out (it always exists).
 * A new strlist in *names. Returns the number of problems. */
static size_t topic_group_names(const config_map *config, const char *scope, strlist *names,
                                config_errors *errors)
{
    const char *key = TOPIC_CREATION_PREFIX "groups";
    const char *text = config_map_get(config, key);
    char **aliases = config_value_split_list(text);
    size_t problems = 0;
    if (!aliases) {
        config_errors_add(errors, key, "out of memory while reading %s", key);
        return 1;
    }
    for (size_t i = 0; aliases[i]; i++) {
        if (strlist_contains(names, aliases[i])) {
            config_errors_add(errors, key,
                              "Invalid value %s for configuration %s: Duplicate alias provided.",
                              text, key);
            problems++;
            break;
        }
        if (strcmp(aliases[i], TOPIC_CREATION_DEFAULT_GROUP) == 0) {
            if (scope)
                log_warn(scope, "'%s' topic creation group always exists and does not need to "
                         "be listed explicitly", TOPIC_CREATION_DEFAULT_GROUP);
            continue;
        }
        if (strlist_append(names, aliases[i], (size_t)-1) != 0) {
            config_errors_add(errors, key, "out of memory while reading %s", key);
            problems++;
            break;
        }
    }
    config_list_free(aliases);
    return problems;
}

/* Reads every group of a config that uses topic creation into a new object; problems go to
 * errors (the object is returned all the same, for the caller to destroy). */
static topic_creation *topic_creation_read(const config_map *config, const char *scope,
                                           config_errors *errors)
{
    topic_creation *creation = calloc(1, sizeof(*creation));
    strlist names = {0};
    if (!creation) {
        config_errors_add(errors, TOPIC_CREATION_PREFIX "groups", "out of memory");
        return NULL;
    }
    topic_group_names(config, scope, &names, errors);
    creation->groups = calloc(names.count + 1, sizeof(*creation->groups));
    if (!creation->groups) {
        config_errors_add(errors, TOPIC_CREATION_PREFIX "groups", "out of memory");
        strlist_free(&names);
        return creation;
    }
    /* The default group comes last in the array but is read first: the others inherit from it. */
    topic_group *fallback = &creation->groups[names.count];
    creation->group_count = names.count + 1;
    topic_group_read(config, TOPIC_CREATION_DEFAULT_GROUP, NULL, fallback, errors);
    for (size_t i = 0; i < names.count; i++)
        topic_group_read(config, names.items[i], fallback, &creation->groups[i], errors);
    strlist_free(&names);
    return creation;
}

size_t topic_creation_validate(const config_map *config, config_errors *errors)
{
    if (!topic_creation_configured(config))
        return 0;
    size_t before = config_errors_count(errors);
    topic_creation_destroy(topic_creation_read(config, NULL, errors));
    return config_errors_count(errors) - before;
}

int topic_creation_new(const config_map *config, bool worker_enabled, const char *scope,
                       topic_creation **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!topic_creation_configured(config))
        return 0;
    if (!worker_enabled) {
        for (size_t i = 0; i < config_map_count(config); i++)
            if (strncmp(config_map_key_at(config, i), TOPIC_CREATION_PREFIX,
                        strlen(TOPIC_CREATION_PREFIX)) == 0)
                log_warn(scope, "%s is ignored: the worker has topic.creation.enable=false, so "
                         "the connector creates no topics", config_map_key_at(config, i));
        return 0;
    }
    config_errors *errors = config_errors_new();
    if (!errors)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    topic_creation *creation = topic_creation_read(config, scope, errors);
    if (!creation || config_errors_count(errors) > 0) {
        char *text = config_errors_to_string(errors);
        ferry_error_set(err, errlen, "%s", text ? text : "out of memory");
        free(text);
        config_errors_destroy(errors);
        topic_creation_destroy(creation);
        return -1;
    }
    config_errors_destroy(errors);
    *out = creation;
    return 0;
}

static bool topic_regexes_match(java_regex *const *regexes, const char *topic)
{
    for (size_t i = 0; regexes && regexes[i]; i++)
        if (java_regex_matches(regexes[i], topic, strlen(topic)))
            return true;
    return false;
}

/* Kafka Connect's TopicCreation#findFirstGroup: the first named group that includes the topic
 * and does not exclude it, else the default group. */
static const topic_group *topic_creation_group_of(const topic_creation *creation,
                                                  const char *topic)
{
    for (size_t i = 0; i + 1 < creation->group_count; i++) {
        const topic_group *group = &creation->groups[i];
        if (topic_regexes_match(group->include, topic) &&
            !topic_regexes_match(group->exclude, topic))
            return group;
    }
    return &creation->groups[creation->group_count - 1];
}

int topic_creation_ensure(topic_creation *creation, rd_kafka_t *client, const char *topic,
                          int timeout_ms, char *err, size_t errlen)
{
    if (strlist_contains(&creation->known, topic))
        return 0;
    const topic_group *group = topic_creation_group_of(creation, topic);
    topic_spec spec = {.name = topic,
                       .partitions = group->partitions,
                       .replication_factor = group->replication_factor,
                       .config_key = group->keys_prefix,
                       .configs = (const char *const *)group->configs};
    char why[1024];
    if (topic_admin_ensure(client, &spec, timeout_ms, why, sizeof(why)) != 0 ||
        topic_admin_wait_known(client, topic, timeout_ms, why, sizeof(why)) != 0)
        return ferry_error_set(err, errlen, "Task failed to create new topic %s (topic creation "
                               "group %s): %s. Ensure that the task is authorized to create "
                               "topics or that the topic exists and restart the task", topic,
                               group->name, why), -1;
    if (strlist_append(&creation->known, topic, (size_t)-1) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}
