/*
 * pg_default.c - the constant column defaults as values (see pg_default.h).
 */
#include "pg_default.h"

#include <ctype.h>
#include <string.h>

/* "-12", "1.5", "2.5e10": a numeric constant as pg_get_expr prints one (negative ones it
 * usually quotes and casts). */
static bool pg_default_number(const char *s)
{
    if (*s == '-')
        s++;
    bool digits = false, point = false;
    for (; isdigit((unsigned char)*s) || (*s == '.' && !point); s++) {
        point |= *s == '.';
        digits |= *s != '.';
    }
    if (digits && (*s == 'e' || *s == 'E')) {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return digits && *s == '\0';
}

/* What may follow a literal: nothing, or casts ("::integer", "::character varying(5)[]",
 * "::public.mood"), with no operator or other literal after them. */
static bool pg_default_casts(const char *s)
{
    if (*s == '\0')
        return true;
    if (strncmp(s, "::", 2) != 0)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_:. \"[](),", *s))
            return false;
    return true;
}

bool pg_default_literal(const char *expression, strbuf *literal)
{
    const char *s = expression;
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0 || pg_default_number(s)) {
        strbuf_append_str(literal, s);
        return true;
    }
    if (*s != '\'')
        return false; /* a function, an expression, CURRENT_TIMESTAMP, an E'' string */
    /* The closing quote: a quote not doubled. */
    const char *end = s + 1;
    while (*end && !(*end == '\'' && end[1] != '\''))
        end += *end == '\'' ? 2 : 1;
    if (!*end || !pg_default_casts(end + 1))
        return false; /* unterminated, or an operator or another literal after it */
    for (const char *c = s + 1; c < end; c++) {
        strbuf_append_char(literal, *c);
        if (*c == '\'')
            c++;
    }
    return true;
}

int pg_default_value(const pg_value_type *type, const char *expression, json_t **out)
{
    *out = NULL;
    strbuf literal = {0};
    int rc = 0;
    if (pg_default_literal(expression, &literal)) {
        if (strbuf_failed(&literal))
            rc = -1;
        else if (pg_value_convert(type, literal.data ? literal.data : "", literal.len, out, NULL,
                                  0) != 0)
            *out = NULL; /* a literal of another type (cast): no default, as in Debezium */
    }
    strbuf_free(&literal);
    return rc;
}
