/*
 * es_document.h - one record to one bulk item: where it goes (index or data stream), its _id,
 * its version, its action, its document; or why it cannot be one. The rules are Confluent's
 * (DataConverter), plus ids for null-free structured keys; docs/connectors/elasticsearch-sink.md
 * lists them.
 */
#ifndef FERRY_ES_DOCUMENT_H
#define FERRY_ES_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

#include "es_bulk_body.h"
#include "es_config.h"

typedef enum es_document_result {
    ES_DOCUMENT_OK,      /* *item is set */
    ES_DOCUMENT_SKIP,    /* nothing to write (ignored tombstone, tombstone without key) */
    ES_DOCUMENT_INVALID, /* the record cannot be a document: why says why */
    ES_DOCUMENT_NOMEM,
} es_document_result;

typedef struct es_document_builder {
    const es_settings *settings;
    strbuf buffer;        /* reused for each item's lines */
    strbuf id;            /* reused for ids */
    char *cached_topic;   /* the topic of the last index name */
    char index[512];
} es_document_builder;

void es_document_builder_init(es_document_builder *builder, const es_settings *settings);
void es_document_builder_free(es_document_builder *builder);

/* The index or data stream the records of a topic go to (valid until the next call). */
const char *es_document_index(es_document_builder *builder, const char *topic);

/* Builds the item of a record (slot, generation and attempts left to the caller). */
es_document_result es_document_build(es_document_builder *builder, const ferry_record *record,
                                     es_item **item, char *why, size_t whylen);

/* The document id a key makes (appended to out); -1 with why when the key makes none. */
int es_document_id_from_key(const ferry_data *key, strbuf *out, char *why, size_t whylen);

#endif
