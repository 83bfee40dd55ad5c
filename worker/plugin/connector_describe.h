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
 * documentation, group, order, width, display_name, dependents}, plus ferry's sensitive,
 * allowed_values and (for bounded numbers) min and max. A key of the connector definitions
 * (connector_config.h) has Kafka Connect's order and width; any other key the order given and
 * width NONE. New reference. */
json_t *config_key_describe(const ferry_config_key *key, int order);
/* A plugin key's order: its place (from 1) among the keys of its group in its definition. */
int config_key_order(const ferry_config_key *definition, const ferry_config_key *key);
/* An array of ConfigKeyInfo for a whole definition (NULL gives []). New reference. */
json_t *config_definition_describe(const ferry_config_key *definition);
/* GET /connector-plugins/{p}/config of a connector type, as Kafka Connect 3.9 answers it: the
 * type's own keys, then the common and source or sink keys it does not define. New reference. */
json_t *connector_config_describe(const ferry_connector_type *type);

/* The class name GET /connector-plugins shows: the first alias that is a Java class name (has a
 * '.', e.g. org.apache.kafka.connect.file.FileStreamSourceConnector), else the type's name. */
const char *connector_type_class_name(const ferry_connector_type *type);

/* {"class", "type", "version"} as in GET /connector-plugins, plus ferry's "name" and "aliases".
 * New reference. */
json_t *connector_plugin_describe(const registered_connector *connector);

#endif
