/*
 * client_override_policy.c - the three policies of Kafka Connect's
 * connector.client.config.override.policy, their names, and the check of a connector config.
 */
#include "config/client_override_policy.h"

#include <string.h>

#define POLICY_PACKAGE "org.apache.kafka.connect.connector.policy."
#define POLICY_SUFFIX "ConnectorClientConfigOverridePolicy"

static const char *const policy_names[] = {
    [CLIENT_OVERRIDE_ALL] = "All",
    [CLIENT_OVERRIDE_NONE] = "None",
    [CLIENT_OVERRIDE_PRINCIPAL] = "Principal",
};

/* What Principal lets a connector choose: who its clients are, nothing of how they behave. */
static const char *const principal_keys[] = {"sasl.jaas.config", "sasl.mechanism",
                                             "security.protocol", NULL};

/* Whether text is name, name + POLICY_SUFFIX or POLICY_PACKAGE + name + POLICY_SUFFIX. */
static bool policy_alias_matches(const char *text, const char *name)
{
    if (strncmp(text, POLICY_PACKAGE, strlen(POLICY_PACKAGE)) == 0) {
        text += strlen(POLICY_PACKAGE);
        if (strncmp(text, name, strlen(name)) != 0)
            return false;
        return strcmp(text + strlen(name), POLICY_SUFFIX) == 0;
    }
    if (strncmp(text, name, strlen(name)) != 0)
        return false;
    text += strlen(name);
    return *text == '\0' || strcmp(text, POLICY_SUFFIX) == 0;
}

int client_override_policy_parse(const char *text, client_override_policy *policy)
{
    for (size_t i = 0; text && i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
        if (policy_alias_matches(text, policy_names[i])) {
            *policy = (client_override_policy)i;
            return 0;
        }
    }
    return -1;
}

const char *client_override_policy_name(client_override_policy policy)
{
    return policy_names[policy];
}

bool client_override_policy_allows(client_override_policy policy, const char *client_key)
{
    switch (policy) {
    case CLIENT_OVERRIDE_ALL:
        return true;
    case CLIENT_OVERRIDE_NONE:
        return false;
    case CLIENT_OVERRIDE_PRINCIPAL:
        for (const char *const *allowed = principal_keys; *allowed; allowed++)
            if (strcmp(*allowed, client_key) == 0)
                return true;
        return false;
    }
    return false;
}

static bool policy_is_blank(const char *text)
{
    return !text || text[strspn(text, " \t\r\n\f\v")] == '\0';
}

static bool policy_has_prefix(const config_map *config, const char *prefix)
{
    for (size_t i = 0; i < config_map_count(config); i++)
        if (strncmp(config_map_key_at(config, i), prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static size_t policy_check_prefix(client_override_policy policy, const config_map *config,
                                  const char *prefix, config_errors *errors)
{
    size_t problems = 0;
    for (size_t i = 0; i < config_map_count(config); i++) {
        const char *key = config_map_key_at(config, i);
        if (strncmp(key, prefix, strlen(prefix)) != 0)
            continue;
        const char *client_key = key + strlen(prefix);
        if (client_override_policy_allows(policy, client_key))
            continue;
        config_errors_add(errors, key, "The '%s' policy does not allow '%s' to be overridden in "
                          "the connector configuration.", client_override_policy_name(policy),
                          client_key);
        problems++;
    }
    return problems;
}

size_t client_override_policy_check(client_override_policy policy, const config_map *config,
                                    ferry_connector_kind kind, config_errors *errors)
{
    if (policy == CLIENT_OVERRIDE_ALL)
        return 0;
    bool source = kind == FERRY_CONNECTOR_SOURCE;
    bool dead_letter_queue =
        !source && !policy_is_blank(config_map_get(config, "errors.deadletterqueue.topic.name"));
    bool producer = source || dead_letter_queue;
    bool admin = source ? policy_has_prefix(config, "topic.creation.") : dead_letter_queue;
    size_t problems = 0;
    /* The order of Kafka Connect's answer (and so of its refusal): producer, consumer, admin. */
    if (producer)
        problems += policy_check_prefix(policy, config, "producer.override.", errors);
    if (!source)
        problems += policy_check_prefix(policy, config, "consumer.override.", errors);
    if (admin)
        problems += policy_check_prefix(policy, config, "admin.override.", errors);
    return problems;
}
