/* Shared by the type tests (test_pg_types.c, test_pg_numeric.c, test_pg_datetime.c,
 * test_pg_array.c): a type's value or schema as compact JSON text, and checks that fail with
 * what differs. */
#ifndef PGCDC_TYPE_CHECK_H
#define PGCDC_TYPE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "pg_types.h"

/* The modes the helpers resolve types with; type_check_reset sets Debezium's defaults. */
extern pg_type_options type_check_options;
int type_check_reset(void **state);

/* The value of text as compact JSON (malloc'd), or "ERROR: <message>". registry may be NULL. */
char *type_check_convert(const pg_type_registry *registry, uint32_t oid, int32_t typmod,
                         const char *text);
/* The schema of a type as compact JSON in the converter's key order (malloc'd). */
char *type_check_schema(const pg_type_registry *registry, uint32_t oid, int32_t typmod,
                        bool optional);

#define CHECK_VALUE(expected, oid, typmod, text)                                               \
    do {                                                                                       \
        char *got_ = type_check_convert(NULL, (oid), (typmod), (text));                        \
        if (strcmp(got_, (expected)) != 0)                                                      \
            fail_msg("%s (oid %u) of '%s': got %s, expected %s", #oid, (unsigned)(oid), (text), \
                     got_, (expected));                                                         \
        free(got_);                                                                            \
    } while (0)

#define CHECK_SCHEMA(expected, oid, typmod, optional)                                          \
    do {                                                                                       \
        char *got_ = type_check_schema(NULL, (oid), (typmod), (optional));                     \
        if (strcmp(got_, (expected)) != 0)                                                      \
            fail_msg("schema of %s: got %s, expected %s", #oid, got_, (expected));             \
        free(got_);                                                                            \
    } while (0)

/* numeric(p, s)'s type modifier. */
#define NUMERIC_TYPMOD(p, s) ((((p) << 16) | (s)) + 4)

#endif
