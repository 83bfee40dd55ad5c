/*
 * es_server.c - telling Elasticsearch and OpenSearch and their versions apart (es_server.h).
 */
#include "es_server.h"
#include "es_bulk_response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ferry/plugin.h>

#define ES_SERVER_PATH "/_nodes/_local?filter_path=nodes.*.version,nodes.*.build_flavor"

int es_server_parse(const char *body, size_t len, bool elastic_product, es_server *server,
                    char *why, size_t whylen)
{
    *server = (es_server){.product = ES_PRODUCT_UNKNOWN};
    json_t *root = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *nodes = json_object_get(root, "nodes");
    /* One node: _local; its id is the only member. */
    json_t *node = json_object_size(nodes) == 1 ? json_object_iter_value(json_object_iter(nodes))
                                                : NULL;
    const char *version = json_string_value(json_object_get(node, "version"));
    int major = -1, minor = -1;
    if (!version || sscanf(version, "%d.%d", &major, &minor) != 2 || major < 0 || minor < 0) {
        ferry_error_set(why, whylen, "GET /_nodes/_local answered no node version: %.*s",
                        (int)(len < 120 ? len : 120), body ? body : "");
        json_decref(root);
        return -1;
    }
    server->major = major;
    server->minor = minor;
    snprintf(server->version, sizeof(server->version), "%s", version);
    server->product = elastic_product || json_object_get(node, "build_flavor")
                          ? ES_PRODUCT_ELASTICSEARCH : ES_PRODUCT_OPENSEARCH;
    json_decref(root);
    return 0;
}

int es_server_check(const es_server *server, bool data_stream, char *why, size_t whylen)
{
    if (server->product != ES_PRODUCT_ELASTICSEARCH)
        return 0; /* OpenSearch is typeless and has data streams from 1.0 */
    if (server->major < 7)
        return ferry_error_set(why, whylen, "Elasticsearch %s is not supported: its indices "
                               "have mapping types, ferry writes typeless requests (7.0 or "
                               "later)", server->version), -1;
    if (data_stream && server->major == 7 && server->minor < 9)
        return ferry_error_set(why, whylen, "Elasticsearch %s has no data streams (7.9 or "
                               "later); data.stream.type needs them", server->version), -1;
    return 0;
}

void es_server_describe(const es_server *server, char *out, size_t outlen)
{
    switch (server->product) {
    case ES_PRODUCT_ELASTICSEARCH:
        snprintf(out, outlen, "Elasticsearch %s", server->version);
        break;
    case ES_PRODUCT_OPENSEARCH:
        snprintf(out, outlen, "OpenSearch %s", server->version);
        break;
    case ES_PRODUCT_UNKNOWN:
        snprintf(out, outlen, "an unknown server");
        break;
    }
}

int es_server_detect(es_client *client, es_server *server, char *why, size_t whylen)
{
    *server = (es_server){.product = ES_PRODUCT_UNKNOWN};
    strbuf answer = {0};
    long status = 0;
    es_failure failure;
    char err[400];
    int rc = -1;
    if (es_client_request(client, "GET", ES_SERVER_PATH, NULL, &status, &answer, &failure, err,
                          sizeof(err)) != 0) {
        ferry_error_set(why, whylen, "%s", err);
        goto done;
    }
    if (status != 200) {
        char summary[300];
        es_error_summary(answer.data, answer.len, summary, sizeof(summary));
        ferry_error_set(why, whylen, "GET /_nodes/_local answered HTTP %ld: %s", status, summary);
        goto done;
    }
    char product[64];
    bool elastic = es_client_header(client, "X-Elastic-Product", product, sizeof(product)) &&
                   strcasecmp(product, "Elasticsearch") == 0;
    rc = es_server_parse(answer.data, answer.len, elastic, server, why, whylen);
done:
    strbuf_free(&answer);
    return rc;
}
