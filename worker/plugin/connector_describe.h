/*
 * connector_describe.h - a connector type and its config definition as JSON, in Kafka Connect's
 * shapes. `ferry plugins --json` and the REST API (GET /connector-plugins, .../config) both answer
 * from here, so the two can never disagree.
 */
#ifndef FERRY_CONNECTOR_DESCRIBE_H
#define FERRY_CONNECTOR_DESCRIBE_H

#include <ferry/plugin.h>

#include "plugin/plugin_registry.h"

const char *connector_kind_name(ferry_connector_kind kind);          /* "source", "sink" */
/* "STRING", "HIGH", ...; NULL for a value the ABI does not define. */
const char *config_type_label(ferry_config_type type);
const char *config_importance_label(ferry_config_importance importance);

/* Kafka Connect's ConfigKeyInfo: {name, type, required, default_value, importance,
 * documentation, group, order_in_group, width, display_name, dependents}. New reference. */
json_t *config_key_describe(const ferry_config_key *key, int order_in_group);
/* An array of ConfigKeyInfo for a whole definition (NULL gives []). New reference. */
json_t *config_definition_describe(const ferry_config_key *definition);

/* {"class", "type", "version"} as in GET /connector-plugins, plus "aliases". New reference. */
json_t *connector_plugin_describe(const registered_connector *connector);

#endif
