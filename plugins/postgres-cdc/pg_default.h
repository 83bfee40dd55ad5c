/*
 * pg_default.h - a column's default as Debezium writes it in the field's schema ("default"): a
 * constant default - a literal, possibly cast, as pg_get_expr prints it with the session
 * settings of pg_connection.c: 0, 1.5, true, 'x'::text, '-1'::integer, '2020-01-02'::date -
 * becomes a value of the column's Connect type; a default that is not a constant (now(),
 * nextval('s'::regclass), CURRENT_TIMESTAMP, (1 + 2)) has none.
 */
#ifndef PGCDC_PG_DEFAULT_H
#define PGCDC_PG_DEFAULT_H

#include <stdbool.h>

#include <jansson.h>

#include "pg_types.h"
#include "support/strbuf.h"

/* The literal's text of a constant default expression into literal (appended, unquoted, ''
 * undoubled); false when the expression is not a constant. */
bool pg_default_literal(const char *expression, strbuf *literal);

/* The default of a column of the given type: 0 with *out a new reference, or NULL when the
 * expression is not a constant or its literal does not convert to the type (then Debezium has
 * no default either); -1 when out of memory reading the literal. */
int pg_default_value(const pg_value_type *type, const char *expression, json_t **out);

#endif
