/*
 * es_mapping.h - an Elasticsearch index mapping from a Connect schema (schema.ignore=false), with
 * the types Confluent's connector chooses (docs/connectors/elasticsearch-sink.md, "Mappings from
 * schemas").
 */
#ifndef FERRY_ES_MAPPING_H
#define FERRY_ES_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The mapping of a value schema ({"properties": {...}} for a struct; {"type": ...} otherwise) as
 * a new reference; NULL with why when the schema cannot be mapped. */
json_t *es_mapping_from_schema(const json_t *schema, bool compact_map_entries, char *why,
                               size_t whylen);

#endif
