/*
 * fuzz_rest_request.c - what the REST server does with the bytes of a connection, minus the
 * socket: http_parser (rest/http_parser.c) reads requests, pipelined, fed in pieces of a size the
 * input chooses; each complete head's path is routed (rest/rest_router.c), its query
 * percent-decoded as the server does, and its body read as a connector config
 * (connector_json_parse, what POST /connectors and PUT .../config take).
 *
 * The first input byte: 0 feeds all at once, n > 0 in pieces of n bytes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/connector_file.h"
#include "rest/http_parser.h"
#include "rest/rest_http.h"
#include "rest/rest_router.h"
#include "support/strbuf.h"
#include "fuzz_target.h"

/* Routes the head just read and decodes its query, as rest_server.c does. */
static void fuzz_route(const http_parser *parser)
{
    size_t path_len = 0;
    const char *path = http_parser_path(parser, &path_len);
    const char *method = http_parser_method(parser);
    fuzz_check(path && method, "a parsed head has a method and a path");
    const rest_route *route = NULL;
    char *params[REST_MAX_PARAMS] = {0};
    char allow[96];
    if (rest_route_match(method, path, &route, params, allow, sizeof(allow)) == REST_MATCH_FOUND)
        fuzz_check(route != NULL, "a found route");
    rest_params_free(params);
    const char *query = http_parser_query(parser);
    if (query)
        free(rest_percent_decode(query, strlen(query), true));
}

static void fuzz_body(const strbuf *body)
{
    char err[512];
    if (body->len == 0)
        return;
    config_map_destroy(connector_json_parse(body->data, body->len, "request body", err,
                                            sizeof(err)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t piece = data[0];
    const char *bytes = (const char *)data + 1;
    size_t left = size - 1;
    http_parser *parser = http_parser_new(64 * 1024, 256 * 1024);
    strbuf body = {0};
    if (!parser)
        return 0;

    size_t offered = piece == 0 ? left : (piece < left ? piece : left);
    unsigned idle = 0; /* events in a row that consumed nothing: the server would spin */
    while (left > 0) {
        size_t consumed = 0, body_len = 0;
        const char *body_piece = NULL;
        http_parse_event event = http_parser_feed(parser, bytes, offered, &consumed, &body_piece,
                                                  &body_len);
        fuzz_check(consumed <= offered, "consumed %zu of %zu", consumed, offered);
        bytes += consumed;
        left -= consumed;
        offered -= consumed;
        if (event == HTTP_PARSE_ERROR) {
            const char *message = NULL;
            unsigned status = http_parser_error(parser, &message);
            fuzz_check(status >= 400 && status < 600 && message, "error status %u", status);
            break;
        }
        if (event == HTTP_PARSE_HEAD)
            fuzz_route(parser);
        if (event == HTTP_PARSE_BODY) {
            fuzz_check(body_piece >= bytes - consumed && body_piece + body_len <= bytes,
                       "the body piece lies in the bytes consumed");
            strbuf_append(&body, body_piece, body_len);
        }
        if (event == HTTP_PARSE_DONE) {
            fuzz_body(&body);
            strbuf_reset(&body);
            http_parser_reset(parser);
        }
        idle = consumed == 0 ? idle + 1 : 0;
        fuzz_check(idle < 4, "the parser consumes nothing of %zu bytes (event %d)", offered,
                   (int)event);
        if (offered == 0)
            offered = piece == 0 ? left : (piece < left ? piece : left);
    }
    strbuf_free(&body);
    http_parser_destroy(parser);
    return 0;
}
