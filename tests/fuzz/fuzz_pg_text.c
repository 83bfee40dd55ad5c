/*
 * fuzz_pg_text.c - the PostgreSQL CDC plugin's conversions of column text values
 * (pg_value_convert in plugins/postgres-cdc/pg_types.c, dispatching to pg_numeric.c,
 * pg_datetime.c, pg_array.c and the JSON/jsonb reading) on any text, for every kind of column
 * and every Debezium mode: a value is converted or refused with a message quoting it; never a
 * crash, never an overflow.
 *
 * Input: byte 0 chooses the column type (mod the table below), byte 1 the modes; then the text.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "pg_types.h"
#include "fuzz_target.h"

#define NUMERIC_TYPMOD(precision, scale) ((int32_t)(((precision) << 16) | (scale)) + 4)

static const struct {
    uint32_t oid;
    int32_t modifier;
} fuzz_types[] = {
    {PG_OID_BOOL, -1}, {PG_OID_INT2, -1}, {PG_OID_INT4, -1}, {PG_OID_INT8, -1},
    {PG_OID_FLOAT4, -1}, {PG_OID_FLOAT8, -1}, {PG_OID_NUMERIC, -1},
    {PG_OID_NUMERIC, NUMERIC_TYPMOD(10, 2)}, {PG_OID_NUMERIC, NUMERIC_TYPMOD(38, 0)},
    {PG_OID_MONEY, -1}, {PG_OID_DATE, -1}, {PG_OID_TIME, -1}, {PG_OID_TIME, 3},
    {PG_OID_TIMETZ, -1}, {PG_OID_TIMESTAMP, -1}, {PG_OID_TIMESTAMP, 3}, {PG_OID_TIMESTAMPTZ, -1},
    {PG_OID_TIMESTAMPTZ, 0}, {PG_OID_INTERVAL, -1}, {PG_OID_BYTEA, -1}, {PG_OID_UUID, -1},
    {PG_OID_JSON, -1}, {PG_OID_JSONB, -1}, {PG_OID_BIT, 8}, {PG_OID_BIT, 1}, {PG_OID_VARBIT, -1},
    {PG_OID_TEXT, -1}, {PG_OID_INET, -1}, {PG_OID_XML, -1},
    /* arrays (typarray OIDs): of integers, numerics, text, timestamps, jsonb, bytea */
    {1007, -1}, {1016, -1}, {1231, NUMERIC_TYPMOD(10, 2)}, {1231, -1}, {1009, -1}, {1115, -1},
    {1185, -1}, {1182, -1}, {3807, -1}, {1001, -1}, {1000, -1}, {1187, -1},
};
#define FUZZ_TYPE_COUNT (sizeof(fuzz_types) / sizeof(fuzz_types[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t which = data[0] % FUZZ_TYPE_COUNT;
    uint8_t modes = data[1];
    pg_type_options options = {.decimal = (pg_decimal_mode)(modes % 3),
                               .time = (pg_time_mode)((modes >> 2) % 3),
                               .interval = (pg_interval_mode)((modes >> 4) & 1),
                               .binary = (pg_binary_mode)((modes >> 5) & 3),
                               .money_fraction_digits = (modes >> 7) ? 0 : 2,
                               .toast_placeholder = "__debezium_unavailable_value"};
    /* The value's bytes as the stream hands them over: not NUL-terminated (the input buffer
     * ends with them, so a read past the value is a read past the buffer). */
    const char *text = (const char *)data + 2;
    size_t len = size - 2;

    pg_value_type type;
    if (pg_value_type_init(&type, NULL, fuzz_types[which].oid, fuzz_types[which].modifier,
                           &options) == 0) {
        json_t *out = NULL;
        char err[256] = "";
        if (pg_value_convert(&type, text, len, &out, err, sizeof(err)) == 0)
            fuzz_check(out != NULL, "a converted value");
        else
            fuzz_check(err[0] != '\0', "a refused value says why");
        json_decref(out);
        json_t *schema = pg_value_type_schema(&type, true);
        json_decref(schema);
        pg_value_type_release(&type);
    }
    return 0;
}
