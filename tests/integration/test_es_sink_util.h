/* Helpers of the Elasticsearch sink's integration tests (test_es_sink*.c): a small Elasticsearch
 * client for checks (FERRY_TEST_ES_URL, or an optional server's URL, libcurl), the worker and connector files those tests
 * use, and reading a connector's status through the worker's REST API.
 *
 * Every index, template and data stream name a test makes is unique to the run (fp_name), and
 * the test deletes what Elasticsearch lets it delete (this integ-test node has no data stream
 * API: data streams and their templates stay, tiny and uniquely named). */
#ifndef FERRY_TESTS_ES_SINK_UTIL_H
#define FERRY_TESTS_ES_SINK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferry_process.h"

#ifndef FERRY_TEST_ES_PLUGIN_PATH
#error "FERRY_TEST_ES_PLUGIN_PATH (the Elasticsearch plugin's build dir) must be defined"
#endif


/* Reads the server's URL and checks that the node answers and is of the kind asked for. Call
 * after fp_init. FERRY_TEST_ES_SERVER picks the server: elasticsearch (the default,
 * FERRY_TEST_ES_URL: skip when unset, or fail with FERRY_REQUIRE_SERVICES=1), elasticsearch9
 * (FERRY_TEST_ES9_URL) or opensearch (FERRY_TEST_OPENSEARCH_URL), optional servers whose tests
 * skip when their variable is unset. */
void esu_init(void);
const char *esu_url(void);
/* What the node says it is, as the sink logs it: "Elasticsearch 9.2.0", "OpenSearch 2.19.0". */
const char *esu_server(void);

/* One request to Elasticsearch; returns the HTTP status (0 when it did not answer) and the
 * parsed body in *answer (NULL when not JSON; may be NULL to ignore it). content_type NULL =
 * application/json. */
long esu_request(const char *method, const char *path, const char *body, json_t **answer);
/* Fails the test unless the status is expected; returns the body (a new reference). */
json_t *esu_expect(const char *method, const char *path, const char *body, long expected);

/* Refreshes the index and counts its documents; -1 when it does not exist or ES is away. */
int64_t esu_count(const char *index);
/* Waits until the count reaches target (true) or the timeout passes (false). */
bool esu_wait_count(const char *index, int64_t target, int timeout_ms);
/* Every document of a small index (at most 10,000): the hits array, with _version. */
json_t *esu_documents(const char *index);
/* One document by id: the whole GET answer (found, _version, _source), NULL when missing. */
json_t *esu_get(const char *index, const char *id);
void esu_delete_index(const char *index);
/* Waits until the node answers again (after a restart); false on timeout. */
bool esu_wait_up(int timeout_ms);

/* A worker file for the ES tests: plugin.path with the Elasticsearch plugin, String converters
 * by default, offset.flush.interval.ms flush_ms, plus extra lines. */
const char *esu_worker_file(fp_env *env, long flush_ms, const char *extra);
/* A connector file "<name>.properties" for ElasticsearchSink (connection.url filled in): the
 * other lines as given. Returns its path. */
const char *esu_connector_file(fp_env *env, const char *name, const char *lines);

/* The connector's status from the worker's REST API (GET /connectors/<name>/status), a new
 * reference or NULL when the worker does not answer. */
json_t *esu_connector_status(fp_env *env, const char *name);
/* The state of task 0 ("RUNNING", "FAILED", ... ; "" when unknown) and its trace, copied. */
void esu_task_state(fp_env *env, const char *name, char *state, size_t state_size, char *trace,
                    size_t trace_size);
/* Whether the worker's status topic ever recorded a FAILED state for the connector's tasks. */
bool esu_task_ever_failed(fp_env *env, const char *name);

/* The counts the task logs when it stops ("stopping: A documents acknowledged, R rejected, S
 * items sent in B bulk requests (F failed as a whole, P partly), T items retried, U documents
 * not acknowledged") of the connector's tasks, summed over every such line of the log (one per
 * run of a task). false when there is none. */
typedef struct esu_counts {
    int64_t acked, rejected, sent, requests, whole_failures, partial, retried, unacked;
    int lines;
} esu_counts;
bool esu_stop_counts(const fp_proc *proc, const char *connector, esu_counts *counts);

#endif
