/*
 * client_override_policy.h - Kafka Connect's connector.client.config.override.policy: which
 * producer.override.*, consumer.override.* and admin.override.* keys a connector may set. None
 * allows none, Principal only the client's identity (sasl.jaas.config, sasl.mechanism,
 * security.protocol), All (the default) every key. A connector that sets a forbidden key is
 * refused with Kafka Connect's message, reported on the prefixed key.
 */
#ifndef FERRY_CLIENT_OVERRIDE_POLICY_H
#define FERRY_CLIENT_OVERRIDE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

#include "config/config_map.h"
#include "config/config_validate.h"

#define CLIENT_OVERRIDE_POLICY_KEY "connector.client.config.override.policy"

typedef enum client_override_policy {
    CLIENT_OVERRIDE_ALL = 0, /* Kafka Connect's default */
    CLIENT_OVERRIDE_NONE,
    CLIENT_OVERRIDE_PRINCIPAL,
} client_override_policy;

/* The policy a worker value names: None, Principal, All, the Kafka Connect class names
 * (org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy, ...) or
 * their simple names, as Kafka Connect resolves a plugin alias. -1 for anything else. */
int client_override_policy_parse(const char *text, client_override_policy *policy);
/* "None", "Principal" or "All": the name Kafka Connect's messages use. */
const char *client_override_policy_name(client_override_policy policy);
/* Whether the policy lets a connector set a client key (without its prefix: "sasl.mechanism"). */
bool client_override_policy_allows(client_override_policy policy, const char *client_key);

/* Checks a connector config's override keys against the policy, for the clients a connector of
 * that kind uses, as Kafka Connect decides it: a source's producer, and its admin client when a
 * topic.creation.* key is set; a sink's consumer, and its producer and admin client when it has a
 * dead letter queue topic. Each forbidden key is an error on the prefixed key. Returns how many. */
size_t client_override_policy_check(client_override_policy policy, const config_map *config,
                                    ferry_connector_kind kind, config_errors *errors);

#endif
