/* See type_check.h. */
#include "type_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

pg_type_options type_check_options;

int type_check_reset(void **state)
{
    (void)state;
    type_check_options = (pg_type_options){.decimal = PG_DECIMAL_PRECISE,
                                           .time = PG_TIME_ADAPTIVE,
                                           .interval = PG_INTERVAL_NUMERIC,
                                           .binary = PG_BINARY_BYTES,
                                           .money_fraction_digits = 2,
                                           .toast_placeholder = "__debezium_unavailable_value"};
    return 0;
}

char *type_check_convert(const pg_type_registry *registry, uint32_t oid, int32_t typmod,
                         const char *text)
{
    pg_value_type type;
    assert_int_equal(pg_value_type_init(&type, registry, oid, typmod, &type_check_options), 0);
    json_t *value = NULL;
    char err[300];
    char *out;
    if (pg_value_convert(&type, text, strlen(text), &value, err, sizeof err) != 0) {
        out = malloc(strlen(err) + 8);
        assert_non_null(out);
        sprintf(out, "ERROR: %s", err);
    } else {
        out = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(value);
    }
    pg_value_type_release(&type);
    return out;
}

char *type_check_schema(const pg_type_registry *registry, uint32_t oid, int32_t typmod,
                        bool optional)
{
    pg_value_type type;
    assert_int_equal(pg_value_type_init(&type, registry, oid, typmod, &type_check_options), 0);
    json_t *schema = pg_value_type_schema(&type, optional);
    assert_non_null(schema);
    char *out = json_dumps(schema, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(schema);
    pg_value_type_release(&type);
    return out;
}
