/*
 * es_fake_server.h - a scripted stand-in for Elasticsearch's _bulk endpoint on 127.0.0.1, for
 * unit tests of the writer and the task: it answers bulk requests item by item and counts what
 * it received, so that a test can prove which items were sent how often. Real Elasticsearch is
 * in the integration tests; this one makes 429s, garbage and outages happen on cue.
 *
 * Per item, from the document's fields:
 *   "fail429": n   the first n attempts of this _id answer 429 es_rejected_execution_exception
 *   "bad": true    400 mapper_parsing_exception
 *   "other": true  400 index_closed_exception (not malformed: an error for the record)
 * External versions are honoured: a version not above the stored one answers 409.
 * Whole requests: the next `whole_failures` requests answer `whole_status` with `whole_body`.
 * GET /_nodes/_local answers as Elasticsearch 8 does, outside the counts and the script.
 * Runs one thread, with poll() over every connection (HTTP/1.1 keep-alive, Content-Length or
 * chunked bodies, gzip).
 */
#ifndef FERRY_TESTS_ES_FAKE_SERVER_H
#define FERRY_TESTS_ES_FAKE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct es_fake_server es_fake_server;

es_fake_server *es_fake_server_start(void);
void es_fake_server_stop(es_fake_server *server);
/* "http://127.0.0.1:<port>" */
const char *es_fake_server_url(const es_fake_server *server);

/* The next `count` requests answer `status` with `body` (a copy is kept). */
void es_fake_server_fail_next(es_fake_server *server, int count, int status, const char *body);
/* Every answer waits this long first. */
void es_fake_server_delay(es_fake_server *server, int delay_ms);

/* How many times an item with this _id was received, and its stored version/source. */
int es_fake_server_seen(es_fake_server *server, const char *id);
/* Documents stored (index and update successes minus deletes). */
size_t es_fake_server_documents(es_fake_server *server);
/* The stored source of an _id (a copy to free), NULL when none. */
char *es_fake_server_source(es_fake_server *server, const char *id);
size_t es_fake_server_requests(es_fake_server *server);
size_t es_fake_server_items(es_fake_server *server);
/* Whether a request came gzip-compressed, and the last request's path. */
bool es_fake_server_saw_gzip(es_fake_server *server);
/* The last Authorization header ("" when none; a copy to free). */
char *es_fake_server_authorization(es_fake_server *server);

#endif
