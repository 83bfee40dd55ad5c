/*
 * es_bulk_body.h - the pieces of a _bulk request body (NDJSON): one item per record, an action
 * line and, except for deletes, a source line; and the index name rules (Confluent's).
 *
 * An item owns its bytes. The writer concatenates items' bytes into request bodies; the bytes
 * never change after the item is built, so a retry sends exactly what the first attempt did.
 */
#ifndef FERRY_ES_BULK_BODY_H
#define FERRY_ES_BULK_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/strbuf.h"

typedef enum es_action {
    ES_ACTION_INDEX,
    ES_ACTION_CREATE,
    ES_ACTION_UPDATE, /* upsert: {"doc":..,"doc_as_upsert":true} */
    ES_ACTION_DELETE,
} es_action;

#define ES_MAX_ID_BYTES 512 /* Elasticsearch's limit on _id */

/* One allocation holds the item and its bytes (lines, then the key): a buffered document costs
 * its bytes and about 90 more (max.buffered.records of them are held). */
typedef struct es_item {
    struct es_item *next; /* the writer's queues */
    char *lines;          /* action line and source line, each ending with '\n' (in bytes) */
    char *key;            /* the record's key bytes for error reports (in bytes); NULL = null key */
    uint32_t len;         /* of lines; Kafka records are below 2 GB */
    uint32_t value_at;    /* the document's bytes inside lines (for error reports) */
    uint32_t value_len;   /* 0 for deletes */
    uint32_t key_len;
    int64_t offset;       /* Kafka offset */
    int64_t not_before_ms; /* a retry waits until then */
    uint64_t order_key;   /* upserts: hash of index + id, kept in order; 0 = no ordering */
    uint32_t slot;        /* the partition's slot in es_offsets */
    uint32_t generation;  /* of that slot when the item was made */
    uint32_t attempts;    /* sends that failed retriably so far */
    uint8_t action;       /* es_action */
    bool versioned;       /* external version: a conflict means the write is a replay */
    char bytes[];
} es_item;

/* A new item holding a copy of lines and key (key NULL: a null key); its other fields zero.
 * NULL when out of memory or when lines are 4 GB or more. */
es_item *es_item_new(const char *lines, size_t len, const void *key, size_t key_len);

void es_item_free(es_item *item);

/* What an action line says. id NULL = none (Elasticsearch chooses). */
typedef struct es_action_spec {
    es_action action;
    const char *index;
    const char *id;
    size_t id_len;
    bool versioned;
    int64_t version;
    int retry_on_conflict; /* updates; 0 = leave out */
} es_action_spec;

/* Appends the action line ('\n' included). */
void es_bulk_action_line(strbuf *out, const es_action_spec *spec);

/* Confluent's index name for a topic: lowercased, at most 255 bytes, one leading '-' or '_'
 * dropped, "." and ".." spelt out ("dot", "dotdot"). Writes into out (NUL-terminated). */
void es_index_name(const char *topic, char *out, size_t outlen);

/* "<prefix><namespace with ${topic} replaced by the lowercased topic, cut at 100>". */
void es_data_stream_name(const char *prefix, const char *namespace_pattern, const char *topic,
                         char *out, size_t outlen);

#endif
