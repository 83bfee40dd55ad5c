/*
 * config_provider.h - Kafka Connect's config providers, always on: ${env:NAME} is an environment
 * variable, ${file:PATH:KEY} is KEY of the .properties file at PATH. Variables are resolved when a
 * config is used (a connector starts, a worker connects), into a copy; the stored config keeps the
 * ${..} text, so secrets are never written back resolved.
 *
 * The worker may restrict the file provider to directories with
 * config.providers.file.param.allowed.paths (comma-separated absolute paths, as in Kafka 3.8+).
 */
#ifndef FERRY_CONFIG_PROVIDER_H
#define FERRY_CONFIG_PROVIDER_H

#include <stddef.h>

#include "config/config_map.h"

typedef struct config_providers config_providers;

/* Takes its settings from the worker config (may be NULL: no restriction). NULL with err set when
 * a setting is malformed (an allowed path that is not absolute, say). */
config_providers *config_providers_new(const config_map *worker_config, char *err, size_t errlen);
void config_providers_destroy(config_providers *providers); /* accepts NULL */

/* Returns a new map in which every ${provider:...} of every value is replaced; "$${" escapes a
 * literal "${". NULL with err naming the key and the variable when a variable cannot be resolved:
 * unknown provider, unset environment variable, unreadable or disallowed file, missing key,
 * unterminated "${"; a value still sealed (config_cipher_unreadable). Never puts a resolved value
 * in err. */
config_map *config_providers_resolve(const config_providers *providers, const config_map *in,
                                     char *err, size_t errlen);

#endif
