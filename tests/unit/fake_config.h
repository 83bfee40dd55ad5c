/*
 * fake_config.h - configs for the plugins' unit tests, made with the worker's own ferry_config
 * (config/config_validate.h): the same defaults, parsing and list splitting as a running
 * worker. A fake host table points its config getters at ferry_config_string and the others.
 */
#ifndef FERRY_TESTS_FAKE_CONFIG_H
#define FERRY_TESTS_FAKE_CONFIG_H

#include <stdarg.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"

/* A config of a connector type's definition from "key", "value", ... pairs ending at NULL. */
ferry_config *fake_config_pairs(const ferry_config_key *definition, const char *key, va_list ap);
/* The same from a JSON object of strings (borrowed). */
ferry_config *fake_config_json(const ferry_config_key *definition, json_t *values);

#endif
