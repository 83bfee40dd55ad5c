/*
 * pg_numeric.h - numbers as Debezium sends them: integers of the column's width, floats (NaN and
 * the infinities as strings, as Jackson writes them), numeric in decimal.handling.mode (a Connect
 * Decimal, Debezium's VariableScaleDecimal when the column has no scale, a double or a string)
 * and money at money.fraction.digits.
 */
#ifndef PGCDC_PG_NUMERIC_H
#define PGCDC_PG_NUMERIC_H

#include <stddef.h>

#include <jansson.h>

#include "pg_types.h"

/* Converts the text of a PG_CONV_INT16, INT32, INT64, FLOAT32, FLOAT64, NUMERIC or MONEY value;
 * s is NUL-terminated at len. 0 with *out a new reference, or -1 with a message that quotes the
 * value. */
int pg_numeric_convert(const pg_value_type *type, const char *s, size_t len, json_t **out,
                       char *err, size_t errlen);

#endif
