/*
 * pg_array.c - arrays in PostgreSQL's text form, "{1,NULL,{2,3}}", as JSON arrays of their
 * elements' values (see pg_array.h).
 */
#include "pg_array.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <ferry/plugin.h>

#include "support/strbuf.h"

#define PG_MAX_ARRAY_DEPTH 6 /* PostgreSQL's MAXDIM */

typedef struct pg_array_reader {
    const char *s;
    size_t len;
    size_t pos;
    const pg_value_type *element;
    strbuf text; /* the element being read, unquoted; reused for each */
    char *err;
    size_t errlen;
} pg_array_reader;

static int pg_array_level(pg_array_reader *r, int depth, json_t **out);

static void pg_array_skip_space(pg_array_reader *r)
{
    while (r->pos < r->len && isspace((unsigned char)r->s[r->pos]))
        r->pos++;
}

static int pg_array_error(pg_array_reader *r, const char *why)
{
    ferry_error_set(r->err, r->errlen, "cannot read array '%.*s': %s at character %zu",
                    (int)(r->len > 80 ? 80 : r->len), r->s, why, r->pos + 1);
    return -1;
}

/* One element: NULL, a quoted string, an unquoted word, or a nested level. */
static int pg_array_element(pg_array_reader *r, int depth, json_t **out)
{
    pg_array_skip_space(r);
    if (r->pos >= r->len)
        return pg_array_error(r, "unexpected end");
    if (r->s[r->pos] == '{')
        return pg_array_level(r, depth + 1, out);
    strbuf *text = &r->text;
    strbuf_reset(text);
    bool quoted = r->s[r->pos] == '"';
    if (quoted) {
        r->pos++;
        for (;;) {
            if (r->pos >= r->len)
                return pg_array_error(r, "unterminated quoted element");
            char c = r->s[r->pos++];
            if (c == '"')
                break;
            if (c == '\\' && r->pos < r->len)
                c = r->s[r->pos++];
            strbuf_append_char(text, c);
        }
    } else {
        while (r->pos < r->len && r->s[r->pos] != ',' && r->s[r->pos] != '}') {
            char c = r->s[r->pos++];
            if (c == '\\' && r->pos < r->len)
                c = r->s[r->pos++];
            strbuf_append_char(text, c);
        }
        while (text->len > 0 && isspace((unsigned char)text->data[text->len - 1]))
            text->data[--text->len] = '\0';
    }
    if (strbuf_failed(text))
        return ferry_error_set(r->err, r->errlen, "out of memory"), -1;
    if (!quoted && text->len == 4 && strncasecmp(text->data, "NULL", 4) == 0) {
        *out = json_null();
        return 0;
    }
    return pg_value_convert(r->element, text->data ? text->data : "", text->len, out, r->err,
                            r->errlen);
}

static int pg_array_level(pg_array_reader *r, int depth, json_t **out)
{
    if (depth > PG_MAX_ARRAY_DEPTH)
        return pg_array_error(r, "nested too deep");
    if (r->pos >= r->len || r->s[r->pos] != '{')
        return pg_array_error(r, "expected '{'");
    r->pos++;
    json_t *array = json_array();
    if (!array)
        return ferry_error_set(r->err, r->errlen, "out of memory"), -1;
    pg_array_skip_space(r);
    if (r->pos < r->len && r->s[r->pos] == '}') {
        r->pos++;
        *out = array;
        return 0;
    }
    for (;;) {
        json_t *element = NULL;
        if (pg_array_element(r, depth, &element) != 0) {
            json_decref(array);
            return -1;
        }
        if (json_array_append_new(array, element) != 0) {
            json_decref(array);
            return ferry_error_set(r->err, r->errlen, "out of memory"), -1;
        }
        pg_array_skip_space(r);
        if (r->pos >= r->len) {
            json_decref(array);
            return pg_array_error(r, "unexpected end");
        }
        char c = r->s[r->pos++];
        if (c == '}')
            break;
        if (c != ',') {
            json_decref(array);
            return pg_array_error(r, "expected ',' or '}'");
        }
    }
    *out = array;
    return 0;
}

int pg_array_convert(const pg_value_type *type, const char *s, size_t len, json_t **out, char *err,
                     size_t errlen)
{
    pg_array_reader r = {.s = s, .len = len, .element = type->element, .err = err,
                         .errlen = errlen};
    /* "[0:2]={...}": explicit bounds are dropped. */
    if (len > 0 && s[0] == '[') {
        const char *eq = memchr(s, '=', len);
        if (!eq)
            return pg_array_error(&r, "bounds without '='");
        r.pos = (size_t)(eq - s) + 1;
    }
    int rc = pg_array_level(&r, 1, out);
    if (rc == 0) {
        pg_array_skip_space(&r);
        if (r.pos != len) {
            json_decref(*out);
            *out = NULL;
            rc = pg_array_error(&r, "trailing characters");
        }
    }
    strbuf_free(&r.text);
    return rc;
}
