/*
 * offset_key.h - the one serialisation of keys in the offsets topic, as Kafka Connect writes
 * them: ["<connector>",{<source partition>}] as compact JSON. Object keys are sorted, so the same
 * partition always gives the same bytes (compaction keeps one record per partition) and keys
 * written by a Java worker in another order are still recognised (offset_key_parse
 * canonicalises).
 */
#ifndef FERRY_OFFSET_KEY_H
#define FERRY_OFFSET_KEY_H

#include <stddef.h>

#include <jansson.h>

/* A new string (caller frees), or NULL when partition is not a JSON object or memory ran out. */
char *offset_key_serialize(const char *connector, json_t *partition);
/* Parses a key read from the offsets topic. Returns 0 with *connector (caller frees) and
 * *partition (new reference), or -1 with what is wrong in err. */
int offset_key_parse(const void *bytes, size_t len, char **connector, json_t **partition,
                     char *err, size_t errlen);
/* The canonical text of a source partition (compact, sorted keys), for lookups. Caller frees. */
char *offset_partition_canonical(json_t *partition);

#endif
