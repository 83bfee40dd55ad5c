/*
 * transform_fixture.h - what the transform tests share: configs and chains from "key=value"
 * lines, records from JSON text, and their key, value and headers read back as text.
 */
#ifndef FERRY_TEST_TRANSFORM_FIXTURE_H
#define FERRY_TEST_TRANSFORM_FIXTURE_H

#include <jansson.h>

#include "config/config_map.h"
#include "transforms/transform_chain.h"

/* A connector config from "key=value" lines. */
config_map *fixture_config_of(const char *lines);
/* A chain from "key=value" lines (the transforms= line included), on a side of the converters;
 * fails the test when the lines do not validate or the chain cannot be built. */
transform_chain *fixture_chain_on(transform_side side, const char *lines);
transform_chain *fixture_chain_of(const char *lines); /* on the source side */
/* Validates lines: fails unless there is a problem reported under key whose message contains
 * message_part. */
void fixture_expect_invalid(const char *lines, const char *key, const char *message_part);

/* Data from JSON text ("null" for a null) and a schema's text (NULL: schemaless); the record
 * owns the references, as after a converter. */
ferry_data fixture_data(const char *json, const char *schema);
/* A record of topic "test" (partition 0, timestamp 1700000000000) with key and value. */
ferry_record fixture_record(const char *key, const char *key_schema, const char *value,
                            const char *value_schema);
void fixture_record_release(ferry_record *record);

/* Compact JSON text of data's value (members in their order), "null" for a null; or of its
 * schema. Freed by the caller. */
char *fixture_value_text(const ferry_data *data);
char *fixture_schema_text(const ferry_data *data);
/* The value of the last header named key as text (NULL for a null value or none); *found says
 * whether there is one. Freed by the caller. */
char *fixture_header(const ferry_record *record, const char *key, int *found);

#endif
