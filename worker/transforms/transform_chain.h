/*
 * transform_chain.h - the transforms of one task, built from the connector config as Kafka Connect
 * reads it: `transforms=a,b`, `transforms.a.type=<class or name>`, `transforms.a.<key>=...`, applied
 * in order. Sources apply the chain to each record the plugin emits, before the converters; sinks
 * to each record after the converters, before put. One chain per task thread.
 */
#ifndef FERRY_TRANSFORM_CHAIN_H
#define FERRY_TRANSFORM_CHAIN_H

#include "config/config_map.h"
#include "config/config_validate.h"
#include "transforms/transform.h"

typedef struct transform_chain transform_chain;

/* Checks every transform of a connector config: a known type, and its own keys against the
 * type's definition, reported under their full names ("transforms.unwrap.drop.tombstones").
 * Returns the number of problems. (Aliases and their .type keys being present is checked with
 * the rest of the connector config.) */
size_t transform_chain_validate(const config_map *config, config_errors *errors);

/* Builds the chain; *chain is NULL when the config has no transforms. scope is the task's log
 * scope. 0, or -1 with a message naming the key. */
int transform_chain_create(const config_map *config, const char *scope, transform_side side,
                           transform_chain **chain, char *err, size_t errlen);
/* TRANSFORM_NEEDS_* of every transform and predicate of the chain; 0 for NULL. */
unsigned transform_chain_needs(const transform_chain *chain);
void transform_chain_destroy(transform_chain *chain); /* accepts NULL */

/* Applies every transform in order to a record that owns its key and value references (see
 * transform.h). On TRANSFORM_FAIL, err names the transform's alias and the reason; *failed_type
 * (may be NULL) gets the failing transform's class name for the error context. Headers, topics
 * and other memory the transforms gave the record stay valid until the next release. */
transform_result transform_chain_apply(transform_chain *chain, ferry_record *record,
                                       const char **failed_type, char *err, size_t errlen);
/* Frees what the transforms gave records since the last release (header arrays, strings,
 * topics): call once those records are done with (produced, put). Accepts NULL. */
void transform_chain_release(transform_chain *chain);

#endif
