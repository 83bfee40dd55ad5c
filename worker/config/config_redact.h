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
#include "support/credential_redact.h"
#include "support/strlist.h"

#define CONFIG_REDACTED CREDENTIAL_HIDDEN

/* Replaces the value of every sensitive key of a JSON object of strings with "[hidden]", and the
 * password inside every other value that is a URL or connection string
 * ("http://elastic:[hidden]@host:9200"). */
void config_redact_object(json_t *object, const ferry_config_key *const *defs, size_t ndefs);

/* Appends to out the literal secrets of config that free text may quote: the value of every
 * sensitive key, and the password inside any other value that is a URL or connection string (as
 * written and percent-decoded); at least 4 characters each, no ${provider:..} reference, no
 * duplicate. 0, or -1 out of memory. */
int config_redact_secrets(const config_map *config, const ferry_config_key *const *defs,
                          size_t ndefs, strlist *out);

/* A copy of text in which every secret config_redact_secrets lists is replaced with "[hidden]",
 * and so is the password of any URL or connection string: for traces and error messages, which
 * may quote what a plugin was given. NULL on allocation failure. */
char *config_redact_text(const char *text, const config_map *config,
                         const ferry_config_key *const *defs, size_t ndefs);

/* Redacts every "trace" string of a status answer ({connector:{trace}, tasks:[{trace}]}, or one
 * task's state) in place. */
void config_redact_status(json_t *status, const config_map *config,
                          const ferry_config_key *const *defs, size_t ndefs);

#endif
