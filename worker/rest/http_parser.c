/*
 * http_parser.c - one HTTP/1.x request parsed from bytes as they come (http_parser.h). The head
 * is copied into a buffer of the parser's own and checked line by line, so that a limit is
 * enforced as soon as it is passed rather than once everything arrived; the body is handed out
 * in place, never copied.
 */
#include "rest/http_parser.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_HEAD_INITIAL 1024
/* The request line: method, target, version, two spaces and a CR. */
#define HTTP_MAX_REQUEST_LINE (HTTP_MAX_METHOD + HTTP_MAX_TARGET + 16)
#define HTTP_MAX_HEAD (HTTP_MAX_REQUEST_LINE + HTTP_MAX_HEADER_BYTES + 16)

typedef enum http_state {
    HTTP_STATE_HEAD,
    HTTP_STATE_BODY,       /* Content-Length bytes remain */
    HTTP_STATE_CHUNK_SIZE, /* a chunk-size line */
    HTTP_STATE_CHUNK_DATA,
    HTTP_STATE_CHUNK_END,  /* the CRLF after a chunk's data */
    HTTP_STATE_TRAILERS,
    HTTP_STATE_END,        /* complete; DONE is next */
    HTTP_STATE_DONE,
    HTTP_STATE_ERROR,
} http_state;

typedef struct http_field {
    size_t name, value; /* offsets into head */
} http_field;

struct http_parser {
    size_t max_body;
    size_t drain_max;
    http_state state;
    bool started;
    bool head_done;
    char *head; /* the request line and headers, each NUL-terminated in place */
    size_t head_len;
    size_t head_capacity;
    size_t line_start;
    bool request_line_done;
    size_t header_bytes;
    size_t method, target, target_len, path_len, query;
    int minor;
    http_field fields[HTTP_MAX_HEADERS];
    http_header headers[HTTP_MAX_HEADERS];
    size_t header_count;
    bool keep_alive;
    bool expect_continue;
    bool chunked;
    int64_t content_length;
    uint64_t remaining;  /* of the body, or of the current chunk */
    uint64_t body_total; /* chunked: the sizes so far */
    unsigned refusal;
    char line[HTTP_MAX_CHUNK_LINE + 1]; /* a chunk-size or trailer line */
    size_t line_len;
    unsigned error;
    const char *message;
};

static const char *const http_absolute_root = "/";

http_parser *http_parser_new(size_t max_body, size_t drain_max)
{
    http_parser *parser = calloc(1, sizeof(*parser));
    if (!parser)
        return NULL;
    parser->max_body = max_body;
    parser->drain_max = drain_max < max_body ? max_body : drain_max;
    parser->head = malloc(HTTP_HEAD_INITIAL);
    if (!parser->head) {
        http_parser_destroy(parser);
        return NULL;
    }
    parser->head_capacity = HTTP_HEAD_INITIAL;
    http_parser_reset(parser);
    return parser;
}

void http_parser_destroy(http_parser *parser)
{
    if (!parser)
        return;
    free(parser->head);
    free(parser);
}

void http_parser_reset(http_parser *parser)
{
    char *head = parser->head;
    size_t capacity = parser->head_capacity, max_body = parser->max_body;
    size_t drain_max = parser->drain_max;
    memset(parser, 0, offsetof(http_parser, line));
    parser->head = head;
    parser->head_capacity = capacity;
    parser->max_body = max_body;
    parser->drain_max = drain_max;
    parser->line_len = 0;
    parser->error = 0;
    parser->message = NULL;
    parser->state = HTTP_STATE_HEAD;
}

static http_parse_event http_fail(http_parser *parser, unsigned status, const char *message)
{
    parser->state = HTTP_STATE_ERROR;
    parser->error = status;
    parser->message = message;
    return HTTP_PARSE_ERROR;
}

/* RFC 9110 tchar. */
static bool http_is_token_char(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int http_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* The target's bytes: printable ASCII only (so no NUL, no control, no space), percent-encodings
 * of two hex digits that are not %00 (it would cut a decoded name), no fragment. */
static const char *http_target_check(const char *target, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c == '\0')
            return "The request target holds a NUL byte";
        if (c <= 0x20 || c >= 0x7f)
            return "The request target holds a control or non-ASCII character";
        if (c == '#')
            return "The request target holds a fragment ('#')";
        if (c == '%') {
            if (i + 2 >= len || http_hex_value((unsigned char)target[i + 1]) < 0 ||
                http_hex_value((unsigned char)target[i + 2]) < 0)
                return "The request target holds a malformed percent-encoding";
            if (target[i + 1] == '0' && target[i + 2] == '0')
                return "The request target holds an encoded NUL (%00)";
            i += 2;
        }
    }
    return NULL;
}

static http_parse_event http_request_line(http_parser *parser, char *line, size_t len)
{
    char *space = memchr(line, ' ', len);
    if (!space || space == line)
        return http_fail(parser, 400, "Malformed request line");
    size_t method_len = (size_t)(space - line);
    if (method_len > HTTP_MAX_METHOD)
        return http_fail(parser, 400, "The request method is too long");
    for (size_t i = 0; i < method_len; i++)
        if (!http_is_token_char((unsigned char)line[i]))
            return http_fail(parser, 400, "Malformed request method");
    char *target = space + 1;
    char *end = line + len;
    char *version = NULL;
    for (char *p = end; p > target; p--) {
        if (p[-1] == ' ') {
            version = p;
            break;
        }
    }
    if (!version)
        return http_fail(parser, 400, "Malformed request line");
    size_t target_len = (size_t)(version - 1 - target);
    if (target_len == 0)
        return http_fail(parser, 400, "Malformed request line");
    if (target_len > HTTP_MAX_TARGET)
        return http_fail(parser, 414, "The request target is longer than 8192 bytes");
    size_t version_len = (size_t)(end - version);
    if (version_len != 8 || memcmp(version, "HTTP/", 5) != 0 || version[6] != '.' ||
        version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
        return http_fail(parser, 400, "Malformed HTTP version");
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
        return http_fail(parser, 505, "HTTP version not supported (only 1.0 and 1.1 are)");
    const char *why = http_target_check(target, target_len);
    if (why)
        return http_fail(parser, 400, why);
    parser->minor = version[7] - '0';
    line[method_len] = '\0';
    target[target_len] = '\0';
    parser->method = (size_t)(line - parser->head);
    parser->target = (size_t)(target - parser->head);
    parser->target_len = target_len;
    if (target[0] != '/') {
        bool http = target_len > 7 && strncasecmp(target, "http://", 7) == 0;
        bool https = target_len > 8 && strncasecmp(target, "https://", 8) == 0;
        if (target_len == 1 && target[0] == '*' && strcmp(line, "OPTIONS") == 0) {
            parser->path_len = 1;
            parser->query = parser->target + target_len; /* the NUL: "" */
            parser->request_line_done = true;
            return HTTP_PARSE_MORE;
        }
        if (!http && !https)
            return http_fail(parser, 400, "The request target is neither a path nor an "
                             "absolute URL");
        /* absolute-form: the path is what follows the authority */
        char *path = strchr(target + (http ? 7 : 8), '/');
        if (!path && strchr(target + (http ? 7 : 8), '?'))
            return http_fail(parser, 400, "The request target has a query but no path");
        if (!path) {
            parser->target = SIZE_MAX; /* http_absolute_root */
            parser->target_len = 1;
            parser->path_len = 1;
            parser->query = (size_t)(target + target_len - parser->head);
            parser->request_line_done = true;
            return HTTP_PARSE_MORE;
        }
        parser->target = (size_t)(path - parser->head);
        parser->target_len = (size_t)(target + target_len - path);
        target = path;
    }
    char *question = memchr(target, '?', parser->target_len);
    parser->path_len = question ? (size_t)(question - target) : parser->target_len;
    parser->query = question ? (size_t)(question + 1 - parser->head)
                             : (size_t)(target + parser->target_len - parser->head);
    parser->request_line_done = true;
    return HTTP_PARSE_MORE;
}

static http_parse_event http_header_line(http_parser *parser, char *line, size_t len)
{
    if (line[0] == ' ' || line[0] == '\t')
        return http_fail(parser, 400, "Folded header lines (obs-fold) are not accepted");
    char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return http_fail(parser, 400, "Malformed header line");
    for (char *p = line; p < colon; p++)
        if (!http_is_token_char((unsigned char)*p))
            return http_fail(parser, 400, "Malformed header field name");
    if (parser->header_count == HTTP_MAX_HEADERS)
        return http_fail(parser, 431, "Too many header fields (at most 100)");
    char *value = colon + 1;
    char *end = line + len;
    while (value < end && (*value == ' ' || *value == '\t'))
        value++;
    while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    for (char *p = value; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return http_fail(parser, 400, "A header value holds a control character");
    }
    *colon = '\0';
    *end = '\0';
    parser->fields[parser->header_count].name = (size_t)(line - parser->head);
    parser->fields[parser->header_count].value = (size_t)(value - parser->head);
    parser->header_count++;
    return HTTP_PARSE_MORE;
}

/* Digits only, no sign, at most 2^63-1. */
static bool http_parse_length(const char *text, int64_t *out)
{
    if (!*text)
        return false;
    uint64_t value = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        uint64_t digit = (uint64_t)(*p - '0');
        if (value > ((uint64_t)INT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = (int64_t)value;
    return true;
}

static bool http_has_token(const char *list, const char *token)
{
    size_t token_len = strlen(token);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t len = strcspn(p, ", \t");
        if (len == token_len && strncasecmp(p, token, len) == 0)
            return true;
        p += len;
    }
    return false;
}

/* The head is in: pointers, then what the headers say of the body and the connection. */
static http_parse_event http_head_end(http_parser *parser)
{
    parser->head_done = true;
    for (size_t i = 0; i < parser->header_count; i++) {
        parser->headers[i].name = parser->head + parser->fields[i].name;
        parser->headers[i].value = parser->head + parser->fields[i].value;
    }
    parser->keep_alive = parser->minor == 1;
    parser->content_length = 0;
    bool length_seen = false, encoding_seen = false;
    for (size_t i = 0; i < parser->header_count; i++) {
        const http_header *header = &parser->headers[i];
        if (strcasecmp(header->name, "Content-Length") == 0) {
            int64_t length;
            if (!http_parse_length(header->value, &length))
                return http_fail(parser, 400, "Content-Length is not a number of bytes "
                                 "(digits only, at most 9223372036854775807)");
            if (length_seen && length != parser->content_length)
                return http_fail(parser, 400, "Content-Length is given twice with different "
                                 "values");
            parser->content_length = length;
            length_seen = true;
        } else if (strcasecmp(header->name, "Transfer-Encoding") == 0) {
            if (encoding_seen || strcasecmp(header->value, "chunked") != 0)
                return http_fail(parser, 501, "Transfer-Encoding other than chunked is not "
                                 "supported");
            encoding_seen = true;
        } else if (strcasecmp(header->name, "Connection") == 0) {
            if (http_has_token(header->value, "close"))
                parser->keep_alive = false;
            else if (parser->minor == 0 && http_has_token(header->value, "keep-alive"))
                parser->keep_alive = true;
        } else if (strcasecmp(header->name, "Expect") == 0) {
            parser->expect_continue = parser->minor == 1 &&
                                      strcasecmp(header->value, "100-continue") == 0;
        }
    }
    if (encoding_seen && length_seen)
        return http_fail(parser, 400, "Content-Length and Transfer-Encoding together");
    if (encoding_seen && parser->minor == 0)
        return http_fail(parser, 400, "Transfer-Encoding in an HTTP/1.0 request");
    if (encoding_seen) {
        parser->chunked = true;
        parser->content_length = -1;
        parser->state = HTTP_STATE_CHUNK_SIZE;
        return HTTP_PARSE_HEAD;
    }
    if ((uint64_t)parser->content_length > parser->drain_max)
        return http_fail(parser, 413, "The request body is larger than rest.request.max.bytes");
    if ((uint64_t)parser->content_length > parser->max_body)
        parser->refusal = 413;
    parser->remaining = (uint64_t)parser->content_length;
    parser->state = parser->remaining > 0 ? HTTP_STATE_BODY : HTTP_STATE_END;
    return HTTP_PARSE_HEAD;
}

static bool http_head_grow(http_parser *parser)
{
    size_t capacity = parser->head_capacity * 2;
    if (capacity > HTTP_MAX_HEAD)
        capacity = HTTP_MAX_HEAD;
    char *grown = realloc(parser->head, capacity);
    if (!grown)
        return false;
    parser->head = grown;
    parser->head_capacity = capacity;
    return true;
}

/* A complete line of the head (without its LF) at head + line_start. */
static http_parse_event http_head_line(http_parser *parser)
{
    char *line = parser->head + parser->line_start;
    size_t len = parser->head_len - 1 - parser->line_start;
    line[len] = '\0'; /* the LF */
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (memchr(line, '\r', len))
        return http_fail(parser, 400, "A bare CR inside a line");
    parser->line_start = parser->head_len;
    if (!parser->request_line_done)
        return http_request_line(parser, line, len);
    if (len == 0)
        return http_head_end(parser);
    return http_header_line(parser, line, len);
}

static http_parse_event http_feed_head(http_parser *parser, const char *data, size_t len,
                                       size_t *consumed)
{
    size_t i = 0;
    while (i < len) {
        char c = data[i];
        /* Empty lines before a request are tolerated (RFC 9112, 2.2). */
        if (!parser->request_line_done && parser->head_len == parser->line_start &&
            (c == '\r' || c == '\n')) {
            parser->started = true;
            i++;
            continue;
        }
        if (parser->head_len == parser->head_capacity && !http_head_grow(parser)) {
            *consumed = i;
            return http_fail(parser, 503, "Out of memory for the request head");
        }
        parser->started = true;
        parser->head[parser->head_len++] = c;
        i++;
        size_t line_len = parser->head_len - parser->line_start;
        if (c == '\n') {
            if (parser->request_line_done)
                parser->header_bytes += line_len;
            if (parser->header_bytes > HTTP_MAX_HEADER_BYTES) {
                *consumed = i;
                return http_fail(parser, 431, "The request's headers are larger than 8192 "
                                 "bytes");
            }
            http_parse_event event = http_head_line(parser);
            if (event != HTTP_PARSE_MORE) {
                *consumed = i;
                return event;
            }
            continue;
        }
        if (!parser->request_line_done && line_len > HTTP_MAX_REQUEST_LINE) {
            *consumed = i;
            return http_fail(parser, 414, "The request target is longer than 8192 bytes");
        }
        if (parser->request_line_done && parser->header_bytes + line_len >
            HTTP_MAX_HEADER_BYTES) {
            *consumed = i;
            return http_fail(parser, 431, "The request's headers are larger than 8192 bytes");
        }
    }
    *consumed = i;
    return HTTP_PARSE_MORE;
}

/* Collects a chunk-size, chunk end or trailer line into parser->line. True when complete
 * (without CR LF); *used is what was taken from data. */
static bool http_line_collect(http_parser *parser, const char *data, size_t len, size_t *used,
                              bool *too_long)
{
    *too_long = false;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            *used = i + 1;
            if (parser->line_len > 0 && parser->line[parser->line_len - 1] == '\r')
                parser->line_len--;
            parser->line[parser->line_len] = '\0';
            return true;
        }
        if (parser->line_len == HTTP_MAX_CHUNK_LINE) {
            *used = i;
            *too_long = true;
            return false;
        }
        parser->line[parser->line_len++] = data[i];
    }
    *used = len;
    return false;
}

static http_parse_event http_chunk_size(http_parser *parser)
{
    const char *p = parser->line;
    uint64_t size = 0;
    size_t digits = 0;
    for (; http_hex_value((unsigned char)*p) >= 0; p++, digits++) {
        if (size > ((uint64_t)INT64_MAX >> 4))
            return http_fail(parser, 400, "A chunk size is too large");
        size = (size << 4) | (uint64_t)http_hex_value((unsigned char)*p);
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (digits == 0 || (*p && *p != ';'))
        return http_fail(parser, 400, "Malformed chunk size");
    if (size == 0) {
        parser->state = HTTP_STATE_TRAILERS;
        return HTTP_PARSE_MORE;
    }
    parser->body_total += size;
    if (parser->body_total > parser->drain_max || parser->body_total < size)
        return http_fail(parser, 413, "The request body is larger than rest.request.max.bytes");
    if (parser->body_total > parser->max_body)
        parser->refusal = 413;
    parser->remaining = size;
    parser->state = HTTP_STATE_CHUNK_DATA;
    return HTTP_PARSE_MORE;
}

/* A complete line of the chunked framing, by state. */
static http_parse_event http_chunk_line(http_parser *parser)
{
    if (memchr(parser->line, '\r', parser->line_len) ||
        memchr(parser->line, '\0', parser->line_len))
        return http_fail(parser, 400, "Malformed chunked body");
    switch (parser->state) {
    case HTTP_STATE_CHUNK_SIZE:
        return http_chunk_size(parser);
    case HTTP_STATE_CHUNK_END:
        if (parser->line_len != 0)
            return http_fail(parser, 400, "A chunk is longer than its size");
        parser->state = HTTP_STATE_CHUNK_SIZE;
        return HTTP_PARSE_MORE;
    default: /* trailers: counted against the header limit, then dropped */
        if (parser->line_len == 0) {
            parser->state = HTTP_STATE_END;
            return HTTP_PARSE_MORE;
        }
        parser->header_bytes += parser->line_len + 2;
        if (parser->header_bytes > HTTP_MAX_HEADER_BYTES)
            return http_fail(parser, 431, "The request's headers are larger than 8192 bytes");
        if (parser->line[0] == ' ' || parser->line[0] == '\t' ||
            !strchr(parser->line, ':'))
            return http_fail(parser, 400, "Malformed trailer line");
        return HTTP_PARSE_MORE;
    }
}

http_parse_event http_parser_feed(http_parser *parser, const char *data, size_t len,
                                  size_t *consumed, const char **body, size_t *body_len)
{
    *consumed = 0;
    *body = NULL;
    *body_len = 0;
    size_t offset = 0;
    for (;;) {
        switch (parser->state) {
        case HTTP_STATE_HEAD: {
            size_t used = 0;
            http_parse_event event = http_feed_head(parser, data + offset, len - offset, &used);
            *consumed = offset + used;
            return event;
        }
        case HTTP_STATE_BODY:
        case HTTP_STATE_CHUNK_DATA: {
            size_t n = len - offset;
            if (n == 0) {
                *consumed = offset;
                return HTTP_PARSE_MORE;
            }
            if (n > parser->remaining)
                n = (size_t)parser->remaining;
            parser->remaining -= n;
            *body = data + offset;
            *body_len = n;
            *consumed = offset + n;
            if (parser->remaining == 0)
                parser->state = parser->state == HTTP_STATE_BODY ? HTTP_STATE_END
                                                                 : HTTP_STATE_CHUNK_END;
            return HTTP_PARSE_BODY;
        }
        case HTTP_STATE_CHUNK_SIZE:
        case HTTP_STATE_CHUNK_END:
        case HTTP_STATE_TRAILERS: {
            size_t used = 0;
            bool too_long = false;
            bool complete = http_line_collect(parser, data + offset, len - offset, &used,
                                              &too_long);
            offset += used;
            *consumed = offset;
            if (too_long)
                return http_fail(parser, 400, "A chunk-size or trailer line is too long");
            if (!complete)
                return HTTP_PARSE_MORE;
            http_parse_event event = http_chunk_line(parser);
            parser->line_len = 0;
            if (event != HTTP_PARSE_MORE)
                return event;
            continue;
        }
        case HTTP_STATE_END:
            parser->state = HTTP_STATE_DONE;
            *consumed = offset;
            return HTTP_PARSE_DONE;
        case HTTP_STATE_DONE:
            *consumed = offset;
            return HTTP_PARSE_DONE;
        case HTTP_STATE_ERROR:
            *consumed = offset;
            return HTTP_PARSE_ERROR;
        }
    }
}

unsigned http_parser_error(const http_parser *parser, const char **message)
{
    if (message)
        *message = parser->message ? parser->message : "";
    return parser->error;
}

unsigned http_parser_refusal(const http_parser *parser)
{
    return parser->refusal;
}

bool http_parser_started(const http_parser *parser)
{
    return parser->started;
}

bool http_parser_head_done(const http_parser *parser)
{
    return parser->head_done;
}

bool http_parser_done(const http_parser *parser)
{
    return parser->state == HTTP_STATE_DONE;
}

const char *http_parser_method(const http_parser *parser)
{
    return parser->head + parser->method;
}

const char *http_parser_target(const http_parser *parser, size_t *len)
{
    if (len)
        *len = parser->target_len;
    return parser->target == SIZE_MAX ? http_absolute_root : parser->head + parser->target;
}

const char *http_parser_path(const http_parser *parser, size_t *len)
{
    if (len)
        *len = parser->path_len;
    return http_parser_target(parser, NULL);
}

const char *http_parser_query(const http_parser *parser)
{
    return parser->head + parser->query;
}

int http_parser_minor_version(const http_parser *parser)
{
    return parser->minor;
}

const char *http_parser_header(const http_parser *parser, const char *name)
{
    for (size_t i = 0; i < parser->header_count; i++)
        if (strcasecmp(parser->headers[i].name, name) == 0)
            return parser->headers[i].value;
    return NULL;
}

const http_header *http_parser_headers(const http_parser *parser, size_t *count)
{
    *count = parser->header_count;
    return parser->headers;
}

bool http_parser_keep_alive(const http_parser *parser)
{
    return parser->keep_alive;
}

bool http_parser_expects_continue(const http_parser *parser)
{
    return parser->expect_continue;
}

bool http_parser_has_body(const http_parser *parser)
{
    return parser->chunked || parser->content_length > 0;
}

int64_t http_parser_content_length(const http_parser *parser)
{
    return parser->content_length;
}
