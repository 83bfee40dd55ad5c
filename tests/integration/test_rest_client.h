/* A small HTTP client (libcurl) for the REST integration tests, and the shape checks that
 * compare ferry's answers with Kafka Connect's entities (ConnectorInfo, ConnectorStateInfo,
 * TaskInfo, ConfigInfos, ...).
 *
 * One rc_client per thread (it keeps its connection alive between requests). rc_call returns
 * the status and fills the response; the rc_expect_* helpers fail the cmocka test when the
 * status or the shape is not the expected one, naming the request. The rc_shape_* checks return
 * false with a reason instead, for threads that must not call cmocka's assertions. */
#ifndef FERRY_TESTS_REST_CLIENT_H
#define FERRY_TESTS_REST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

typedef struct rc_client rc_client;

typedef struct rc_response {
    long status;
    char *body;        /* NUL-terminated, "" when empty */
    size_t len;
    char *headers;     /* the raw response headers */
    json_t *json;      /* the body parsed, or NULL */
    char error[256];   /* curl's error when status is 0 */
} rc_response;

/* base: "http://127.0.0.1:PORT". */
rc_client *rc_new(const char *base);
/* A client of the worker whose REST API listens on 127.0.0.1:port (a test's fp_listener_port);
 * fails the cmocka test when it cannot be made, or when healthy_ms > 0 and GET /health does not
 * answer 200 within healthy_ms. */
rc_client *rc_new_local(int port, int healthy_ms);
void rc_free(rc_client *client);
/* Authorization for the following requests: user:password (Basic), a bearer token, or a raw
 * header value; NULL removes it. */
void rc_set_basic(rc_client *client, const char *user, const char *password);
void rc_set_bearer(rc_client *client, const char *token);
void rc_set_header(rc_client *client, const char *header); /* "Name: value" added; NULL clears */
/* HTTPS: the CA file to trust (the test's self-signed certificate). */
void rc_set_ca(rc_client *client, const char *ca_file);

/* method, path (with query); body sent as application/json unless content_type says otherwise
 * (NULL body: none). Returns the status, 0 when the request failed. */
long rc_call(rc_client *client, const char *method, const char *path, const char *body,
             rc_response *response);
long rc_call_typed(rc_client *client, const char *method, const char *path, const char *body,
                   size_t body_len, const char *content_type, rc_response *response);
void rc_response_clear(rc_response *response);
/* The value of a response header (malloc'd) or NULL. */
char *rc_header(const rc_response *response, const char *name);

/* Asserts the status; returns the parsed body (a new reference, NULL for an empty one). */
json_t *rc_expect(rc_client *client, const char *method, const char *path, const char *body,
                  long status);
/* Asserts an error answer: the status, {"error_code": status, "message"} and that message
 * contains needle (when not NULL). */
void rc_expect_error(rc_client *client, const char *method, const char *path, const char *body,
                     long status, const char *needle);

/* Waits until GET /health answers 200; false on timeout. */
bool rc_wait_healthy(rc_client *client, int timeout_ms);

/* Shape checks against Kafka Connect's entities; false with why filled. */
bool rc_shape_error(const json_t *value, long status, char *why, size_t len);
bool rc_shape_connector_info(const json_t *value, char *why, size_t len);
bool rc_shape_status(const json_t *value, char *why, size_t len);
bool rc_shape_task_state(const json_t *value, char *why, size_t len);
bool rc_shape_task_info(const json_t *value, char *why, size_t len);
bool rc_shape_config_key(const json_t *value, char *why, size_t len);
bool rc_shape_config_infos(const json_t *value, char *why, size_t len);
bool rc_shape_plugin(const json_t *value, char *why, size_t len);
bool rc_shape_offsets(const json_t *value, bool sink, char *why, size_t len);
/* Fails the test with why when ok is false. */
void rc_assert_shape(bool ok, const char *what, const char *why);

#endif
