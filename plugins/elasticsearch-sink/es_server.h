/*
 * es_server.h - which server the sink writes to: Elasticsearch (8, 9, or 7) or OpenSearch (1, 2,
 * 3), learnt from the server's own answers when the task starts, never from a config key.
 *
 * GET / does not do: Elasticsearch 9's integ-test build answers it 405, and a user allowed only
 * to write may be refused it. GET /_nodes/_local (the version, and build_flavor, which only
 * Elasticsearch has) and the X-Elastic-Product header (Elasticsearch 7.14 and later put it on
 * every answer, OpenSearch never) tell them apart. The requests the sink sends are the same for
 * every supported server (typeless, application/json and application/x-ndjson without the
 * compatible-with media types that OpenSearch refuses); what the answer decides is whether the
 * server can take them at all, and what the log says.
 */
#ifndef FERRY_ES_SERVER_H
#define FERRY_ES_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "es_client.h"

typedef enum es_product {
    ES_PRODUCT_UNKNOWN,
    ES_PRODUCT_ELASTICSEARCH,
    ES_PRODUCT_OPENSEARCH,
} es_product;

typedef struct es_server {
    es_product product;
    int major, minor;
    char version[32]; /* as the server spells it, "9.2.0" */
} es_server;

/* The answer of GET /_nodes/_local?filter_path=nodes.*.version,nodes.*.build_flavor; whether
 * it came with X-Elastic-Product: Elasticsearch. 0, or -1 with why (not such an answer). */
int es_server_parse(const char *body, size_t len, bool elastic_product, es_server *server,
                    char *why, size_t whylen);

/* Whether the sink can write to the server: -1 with why for one it cannot (Elasticsearch before
 * 7.0 wants mapping types; data streams need Elasticsearch 7.9). */
int es_server_check(const es_server *server, bool data_stream, char *why, size_t whylen);

/* "Elasticsearch 9.2.0", "OpenSearch 2.19.0", "an unknown server". */
void es_server_describe(const es_server *server, char *out, size_t outlen);

/* Asks the server (a blocking request on the task's thread). 0 when known; -1 with why when the
 * server could not tell (away, or the user may not ask): the sink then writes without knowing. */
int es_server_detect(es_client *client, es_server *server, char *why, size_t whylen);

#endif
