/*
 * rest_redact.h - the one way the REST API hides secrets. A key is sensitive when
 * config_key_is_sensitive says so (declared sensitive or PASSWORD by its definition, or named
 * like a secret: password, secret, token, credentials, ...), the same rule the config layer's
 * error messages and the Kafka client config logging use. Every config, task config, validate
 * answer and status trace leaves the worker through these functions.
 */
#ifndef FERRY_REST_REDACT_H
#define FERRY_REST_REDACT_H

#include <stddef.h>

#include <ferry/plugin.h>
#include <jansson.h>

#include "config/config_map.h"
#include "runtime/worker.h"

#define REST_HIDDEN "[hidden]"

/* The definitions a connector config is read against (common keys, sink keys, the plugin's);
 * fills defs, returns how many (1 when the type is unknown: the common keys). Control thread. */
size_t rest_definitions(worker *running, const config_map *config,
                        const ferry_config_key *defs[3]);

/* Replaces the value of every sensitive key of a JSON object of strings with "[hidden]". */
void rest_redact_config(json_t *object, const ferry_config_key *const *defs, size_t ndefs);

/* A copy of text in which every literal value of a sensitive key of config (at least 4
 * characters, not a ${provider:..} reference) is replaced with "[hidden]": for traces and error
 * messages, which may quote what a plugin was given. NULL on allocation failure. */
char *rest_redact_text(const char *text, const config_map *config,
                       const ferry_config_key *const *defs, size_t ndefs);

/* Redacts every "trace" string of a status answer ({connector:{trace}, tasks:[{trace}]}, or one
 * task's state) in place. */
void rest_redact_status(json_t *status, const config_map *config,
                        const ferry_config_key *const *defs, size_t ndefs);

#endif
