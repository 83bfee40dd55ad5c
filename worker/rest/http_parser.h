/*
 * http_parser.h - an incremental parser of one HTTP/1.0 or 1.1 request (docs/rest-http.md): fed
 * whatever bytes arrive, it gives the head (method, the raw target with its length, version,
 * headers), the body's bytes (Content-Length or chunked) and the end, or a status and a message
 * for the first protocol error. Pure: no I/O, no threads, no clock; one parser per connection,
 * reset between requests.
 */
#ifndef FERRY_REST_HTTP_PARSER_H
#define FERRY_REST_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_TARGET 8192       /* longer: 414 */
#define HTTP_MAX_HEADER_BYTES 8192 /* the header section without the request line: 431 */
#define HTTP_MAX_HEADERS 100       /* fields: 431 */
#define HTTP_MAX_METHOD 32
#define HTTP_MAX_CHUNK_LINE 1024   /* a chunk-size line with its extensions */

typedef enum http_parse_event {
    HTTP_PARSE_MORE,  /* every byte given was consumed; feed more */
    HTTP_PARSE_HEAD,  /* the head is complete: http_parser_* accessors are valid */
    HTTP_PARSE_BODY,  /* a piece of body (*body, *body_len), inside the bytes given */
    HTTP_PARSE_DONE,  /* the request is complete; what follows belongs to the next one */
    HTTP_PARSE_ERROR, /* http_parser_error says what; the connection cannot go on */
} http_parse_event;

typedef struct http_header {
    const char *name;  /* NUL-terminated, as received */
    const char *value; /* NUL-terminated, leading and trailing whitespace removed */
} http_header;

typedef struct http_parser http_parser;

/* max_body: the largest body accepted (rest.request.max.bytes). A larger body declared or sent,
 * but no larger than drain_max, is still parsed to its end (the caller drops it) and
 * http_parser_refusal then says 413; larger than drain_max is an error 413 at once. NULL when
 * out of memory. */
http_parser *http_parser_new(size_t max_body, size_t drain_max);
void http_parser_destroy(http_parser *parser); /* accepts NULL */
/* Ready for the next request on the same connection. */
void http_parser_reset(http_parser *parser);

/* Consumes a prefix of data (*consumed bytes) and returns what happened. After HTTP_PARSE_DONE
 * or HTTP_PARSE_ERROR it consumes nothing until reset. */
http_parse_event http_parser_feed(http_parser *parser, const char *data, size_t len,
                                  size_t *consumed, const char **body, size_t *body_len);

/* After an error: the status (400, 413, 414, 431, 501, 505) and a message for the client. */
unsigned http_parser_error(const http_parser *parser, const char **message);
/* 413 when the body is over max_body but is being read to its end; 0 otherwise. */
unsigned http_parser_refusal(const http_parser *parser);
/* True once any byte of a request arrived (the empty lines allowed before one excepted). */
bool http_parser_started(const http_parser *parser);
/* True once the head is complete; true once the whole request is. */
bool http_parser_head_done(const http_parser *parser);
bool http_parser_done(const http_parser *parser);

/* The head, valid from HTTP_PARSE_HEAD until reset. */
const char *http_parser_method(const http_parser *parser);
/* The target as received (origin-form; the scheme and authority of an absolute-form target
 * removed): no NUL or control character inside, percent-encodings well formed. */
const char *http_parser_target(const http_parser *parser, size_t *len);
/* The path part of the target (up to '?') and the query (after it; "" when none). */
const char *http_parser_path(const http_parser *parser, size_t *len);
const char *http_parser_query(const http_parser *parser);
int http_parser_minor_version(const http_parser *parser); /* 0 or 1 */
/* The first value of a header (case-insensitive name), or NULL. */
const char *http_parser_header(const http_parser *parser, const char *name);
const http_header *http_parser_headers(const http_parser *parser, size_t *count);
/* What the client asked of the connection after this request (HTTP/1.1: unless
 * "Connection: close"; 1.0: only with "Connection: keep-alive"). */
bool http_parser_keep_alive(const http_parser *parser);
bool http_parser_expects_continue(const http_parser *parser);
/* The body: declared with Content-Length (length set, -1 for chunked), or none (0). */
bool http_parser_has_body(const http_parser *parser);
int64_t http_parser_content_length(const http_parser *parser);

#endif
