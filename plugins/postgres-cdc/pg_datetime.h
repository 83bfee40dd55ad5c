/*
 * pg_datetime.h - dates, times, timestamps and intervals as Debezium sends them, from the text
 * PostgreSQL prints with DateStyle ISO, IntervalStyle iso_8601 and TimeZone UTC: days since 1970
 * (Date), ms or µs since midnight or 1970 by time.precision.mode and the column's precision,
 * ZonedTime and ZonedTimestamp strings in UTC, intervals as µs (MicroDuration) or ISO 8601
 * strings by interval.handling.mode.
 */
#ifndef PGCDC_PG_DATETIME_H
#define PGCDC_PG_DATETIME_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pg_types.h"

/* Debezium's values for a timestamp of infinity and -infinity (µs; a thousandth where it writes
 * ms), and the days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define PG_DATETIME_POSITIVE_INFINITY INT64_C(9223372036825200000)
#define PG_DATETIME_NEGATIVE_INFINITY INT64_C(-9223372036832400000)
#define PG_DATETIME_EPOCH_DAYS 10957

/* Converts the text of a PG_CONV_DATE, TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ or INTERVAL value;
 * s is NUL-terminated at len. 0 with *out a new reference, or -1 with a message that quotes the
 * value and says what was expected. */
int pg_datetime_convert(const pg_value_type *type, const char *s, size_t len, json_t **out,
                        char *err, size_t errlen);

/* Days since 1970-01-01 of a proleptic Gregorian date (year 0 = 1 BC). */
int64_t pg_datetime_days_from_civil(int64_t year, unsigned month, unsigned day);

#endif
