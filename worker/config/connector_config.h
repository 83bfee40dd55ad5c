/*
 * connector_config.h - the keys every connector config has, whatever its type (Kafka Connect's
 * ConnectorConfig, SourceConnectorConfig and SinkConnectorConfig): name, connector.class,
 * tasks.max, converters, topics / topics.regex for sinks, transforms, errors.*, and the override
 * prefixes. Validation of a connector config checks these plus the plugin's own definition.
 */
#ifndef FERRY_CONNECTOR_CONFIG_H
#define FERRY_CONNECTOR_CONFIG_H

#include <ferry/plugin.h>

#include "config/config_map.h"
#include "config/config_validate.h"

/* The longest connector name, in bytes of UTF-8 (so 1,000 characters of ASCII). A name must fit,
 * percent-encoded, in a request line of the REST API (8 KiB of request line and headers), or
 * the connector could be created but never read or deleted there. */
#define CONNECTOR_NAME_MAX 1000

extern const ferry_config_key connector_config_common_keys[]; /* every connector */
extern const ferry_config_key connector_config_sink_keys[];   /* sinks: topics, topics.regex, DLQ */
/* sources: topic.creation.groups, exactly.once.support, transaction.boundary(.interval.ms),
 * offsets.storage.topic (exactly-once sources, source_transaction.h), DLQ */
extern const ferry_config_key connector_config_source_keys[];
/* Prefixes of keys that belong to something else (producer.override., transforms., ...);
 * NULL-terminated, for config_validate's known_prefixes. */
extern const char *const connector_config_known_prefixes[];

/* Validates a connector config of the given kind against the common keys, the sink keys (sinks)
 * and the plugin's definition (may be NULL), plus the rules of the name (no control characters,
 * at most CONNECTOR_NAME_MAX bytes) and those that span keys: sinks need exactly
 * one of topics and topics.regex, a sink may not consume its own DLQ topic, a topics.regex must
 * compile (POSIX extended regex; Java syntax beyond it is not supported). Problems go to errors;
 * unknown keys to unknown (may be NULL). Returns the number of problems. */
size_t connector_config_validate(const config_map *values, ferry_connector_kind kind,
                                 const ferry_config_key *plugin_keys, config_errors *errors,
                                 config_map *unknown);

/* The converter settings for a connector: class from the connector's key.converter /
 * value.converter, else the worker's; settings are the "<prefix>.*" keys of whichever config
 * chose the class, prefix stripped. Returns a new map of settings and sets *class_name to a string
 * owned by one of the two configs. */
config_map *connector_config_converter(const config_map *connector, const config_map *worker,
                                       const char *prefix, /* "key.converter" or "value.converter" */
                                       const char *worker_default, const char **class_name);

/* A sink connector's consumer group: consumer.override.group.id when the connector sets it, else
 * Kafka Connect's "connect-<name>". The sink's consumer and the offsets endpoints use it. */
void connector_sink_group(const config_map *connector, const char *name, char *group,
                          size_t len);

/* The definitions a connector type's configs are checked and read against: the common connector
 * keys, the sink or source keys, the plugin's own. Fills defs, returns how many. */
size_t connector_config_definitions(const ferry_connector_type *type,
                                    const ferry_config_key *defs[3]);

/* For a key of the three definitions above (by address, not name), Kafka Connect's ConfigKeyInfo
 * "order" and "width" of it; false for any other key (a plugin's). */
bool connector_config_key_layout(const ferry_config_key *key, int *order, const char **width);

#endif
