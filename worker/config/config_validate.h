/*
 * config_validate.h - typed validation of a config map against config definitions
 * (ferry_config_key arrays from plugin.h). Every problem is collected, none stops the check, so
 * a user sees all of them at once; each names the key, the value and what was expected.
 */
#ifndef FERRY_CONFIG_VALIDATE_H
#define FERRY_CONFIG_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/plugin.h>

#include "config/config_map.h"

/* A list of (key, message) problems, in the order found. */
typedef struct config_errors config_errors;

config_errors *config_errors_new(void);
void config_errors_destroy(config_errors *errors); /* accepts NULL */
void config_errors_add(config_errors *errors, const char *key, const char *fmt, ...)
    FERRY_PRINTF(3, 4);
size_t config_errors_count(const config_errors *errors);
const char *config_errors_key_at(const config_errors *errors, size_t index);
const char *config_errors_message_at(const config_errors *errors, size_t index);
/* Messages of one key, for the REST validate answer: a new JSON array of strings. */
json_t *config_errors_for_key(const config_errors *errors, const char *key);
/* All problems as one line: "3 errors: key 'a': ...; key 'b': ...". Caller frees. */
char *config_errors_to_string(const config_errors *errors);

/* Parsing of one value of a type, shared by the validator and the typed getters. Each returns 0,
 * or -1 with what was expected in err ("expected an integer between 1 and 65535"). */
int config_value_parse_bool(const char *text, bool *out, char *err, size_t errlen);
int config_value_parse_int(const char *text, int64_t min, int64_t max, int64_t *out, char *err,
                           size_t errlen);
int config_value_parse_double(const char *text, double *out, char *err, size_t errlen);
/* Splits a comma-separated list, trimming items and dropping empty ones: a new NULL-terminated
 * array of strings, freed with config_list_free. */
char **config_value_split_list(const char *text);
void config_list_free(char **items);

/* Checks one value against its key's definition (type, bounds, allowed values; not
 * required-ness). A problem goes to errors. Returns 1 for a problem, 0 for a valid value. The
 * loader checks every declared default with it. */
size_t config_value_check(const ferry_config_key *def, const char *value, config_errors *errors);

/* A definition's entry for key across defs (an array of ndefs key arrays), or NULL. */
const ferry_config_key *config_definition_find(const ferry_config_key *const *defs, size_t ndefs,
                                               const char *key);

/* Checks values against every definition array in defs: required keys present and non-empty,
 * each set value of the right type, within bounds, among the allowed values. Problems go to
 * errors. Keys no definition knows are not errors (Kafka Connect accepts them): when unknown is
 * not NULL, each such key is appended to it, unless it starts with one of the NULL-terminated
 * known_prefixes ("producer.override.", "transforms.", ...). Returns the number of problems. */
size_t config_validate(const ferry_config_key *const *defs, size_t ndefs, const config_map *values,
                       const char *const *known_prefixes, config_errors *errors,
                       config_map *unknown);

/* True when a key's value must never be shown: declared sensitive, of type PASSWORD, or named
 * like a secret (password, secret, token, credentials, key.password, ...). defs may be NULL. */
bool config_key_is_sensitive(const ferry_config_key *const *defs, size_t ndefs, const char *key);

/* The opaque ferry_config handed to plugins: values (already provider-resolved and validated)
 * plus the definitions that supply defaults and types. Copies what it is given. */
ferry_config *ferry_config_new(const config_map *values, const ferry_config_key *const *defs,
                               size_t ndefs);
void ferry_config_destroy(ferry_config *config); /* accepts NULL */
const config_map *ferry_config_values(const ferry_config *config);

/* The typed getters behind the host services table (see plugin.h for their contract). */
const char *ferry_config_string(const ferry_config *config, const char *key);
int64_t ferry_config_int(const ferry_config *config, const char *key);
double ferry_config_double(const ferry_config *config, const char *key);
bool ferry_config_bool(const ferry_config *config, const char *key);
const char *const *ferry_config_list(const ferry_config *config, const char *key);
json_t *ferry_config_json(const ferry_config *config);

#endif
