/*
 * pg_array.h - arrays in PostgreSQL's text form ("{1,NULL,3}", nested levels, quoted elements,
 * explicit bounds "[0:1]={5,6}") as JSON arrays, each element converted by pg_value_convert with
 * the array's element type.
 */
#ifndef PGCDC_PG_ARRAY_H
#define PGCDC_PG_ARRAY_H

#include <stddef.h>

#include <jansson.h>

#include "pg_types.h"

/* Converts the text (len bytes, not NUL-terminated) of a PG_CONV_ARRAY value. 0 with *out a new
 * reference, or -1 with a message that quotes the array and says where it is malformed (or the
 * element's message). */
int pg_array_convert(const pg_value_type *type, const char *text, size_t len, json_t **out,
                     char *err, size_t errlen);

#endif
