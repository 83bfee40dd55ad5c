/*
 * config_redact.h - the one way secrets are hidden in what leaves the worker. A key is sensitive
 * when config_key_is_sensitive says so (declared sensitive or PASSWORD by its definition, or
 * named like a secret: password, secret, token, credentials, ...), the same rule the config
 * layer's error messages and the Kafka client config logging use. Every config, task config,
 * validate answer, refusal message and status trace the REST API shows goes through these
 * functions.
 */
#ifndef FERRY_CONFIG_REDACT_H
#define FERRY_CONFIG_REDACT_H

#include <stddef.h>

#include <ferry/plugin.h>
#include <jansson.h>

#include "config/config_map.h"

#define CONFIG_REDACTED "[hidden]"

/* Replaces the value of every sensitive key of a JSON object of strings with "[hidden]". */
void config_redact_object(json_t *object, const ferry_config_key *const *defs, size_t ndefs);

/* A copy of text in which every literal value of a sensitive key of config (at least 4
 * characters, not a ${provider:..} reference) is replaced with "[hidden]": for traces and error
 * messages, which may quote what a plugin was given. NULL on allocation failure. */
char *config_redact_text(const char *text, const config_map *config,
                         const ferry_config_key *const *defs, size_t ndefs);

/* Redacts every "trace" string of a status answer ({connector:{trace}, tasks:[{trace}]}, or one
 * task's state) in place. */
void config_redact_status(json_t *status, const config_map *config,
                          const ferry_config_key *const *defs, size_t ndefs);

#endif
