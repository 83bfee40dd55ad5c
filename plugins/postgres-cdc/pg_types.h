/*
 * pg_types.h - PostgreSQL types as Debezium maps them: a column's type (OID and type modifier)
 * becomes a Connect schema, and its text value (what pgoutput sends and what a query returns with
 * the connection settings of pg_connection.c: DateStyle ISO, IntervalStyle iso_8601, TimeZone
 * UTC, bytea_output hex) becomes the JSON value of that schema. The mapping is the table of
 * docs/connectors/postgres-cdc.md; the modes are Debezium's decimal.handling.mode,
 * time.precision.mode, interval.handling.mode and binary.handling.mode.
 *
 * Pure: the type registry (user types: enums, domains, arrays of them, extension types by name) is
 * filled by pg_catalog.c from the server, or by tests.
 *
 * pg_types.c holds the registry, the OID table, the schemas and the conversion's dispatch;
 * pg_numeric.c the numbers, pg_datetime.c dates, times and intervals, pg_array.c arrays.
 */
#ifndef PGCDC_PG_TYPES_H
#define PGCDC_PG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Built-in type OIDs (pg_type.dat), stable across releases. */
enum {
    PG_OID_BOOL = 16, PG_OID_BYTEA = 17, PG_OID_CHAR = 18, PG_OID_NAME = 19, PG_OID_INT8 = 20,
    PG_OID_INT2 = 21, PG_OID_INT4 = 23, PG_OID_TEXT = 25, PG_OID_OID = 26, PG_OID_JSON = 114,
    PG_OID_XML = 142, PG_OID_CIDR = 650, PG_OID_FLOAT4 = 700, PG_OID_FLOAT8 = 701,
    PG_OID_MACADDR8 = 774, PG_OID_MONEY = 790, PG_OID_MACADDR = 829, PG_OID_INET = 869,
    PG_OID_BPCHAR = 1042, PG_OID_VARCHAR = 1043, PG_OID_DATE = 1082, PG_OID_TIME = 1083,
    PG_OID_TIMESTAMP = 1114, PG_OID_TIMESTAMPTZ = 1184, PG_OID_INTERVAL = 1186,
    PG_OID_TIMETZ = 1266, PG_OID_BIT = 1560, PG_OID_VARBIT = 1562, PG_OID_NUMERIC = 1700,
    PG_OID_UUID = 2950, PG_OID_JSONB = 3802,
};

typedef enum pg_decimal_mode {
    PG_DECIMAL_PRECISE,
    PG_DECIMAL_DOUBLE,
    PG_DECIMAL_STRING,
} pg_decimal_mode;
typedef enum pg_time_mode {
    PG_TIME_ADAPTIVE,
    PG_TIME_ADAPTIVE_MICROSECONDS,
    PG_TIME_CONNECT,
} pg_time_mode;
typedef enum pg_interval_mode { PG_INTERVAL_NUMERIC, PG_INTERVAL_STRING } pg_interval_mode;
typedef enum pg_binary_mode {
    PG_BINARY_BYTES,
    PG_BINARY_BASE64,
    PG_BINARY_BASE64_URL_SAFE,
    PG_BINARY_HEX,
} pg_binary_mode;

typedef struct pg_type_options {
    pg_decimal_mode decimal;
    pg_time_mode time;
    pg_interval_mode interval;
    pg_binary_mode binary;
    int money_fraction_digits;
    const char *toast_placeholder; /* unavailable.value.placeholder */
} pg_type_options;

/* ---- the registry of types that are not built in -------------------------------------------- */

typedef struct pg_type_info {
    uint32_t oid;
    char *name;           /* typname */
    char kind;            /* typtype: b base, e enum, d domain, r range, m multirange */
    uint32_t element_oid; /* typelem of an array type (its name starts with '_'), else 0 */
    uint32_t base_oid;    /* typbasetype of a domain, else 0 */
    int32_t base_typmod;  /* typtypmod of a domain */
    char **labels;        /* enum labels in order */
    size_t label_count;
    char *allowed;        /* the labels joined with ',' (the Enum schema's "allowed") */
} pg_type_info;

typedef struct pg_type_registry pg_type_registry;

pg_type_registry *pg_type_registry_new(void);
void pg_type_registry_destroy(pg_type_registry *registry);
/* Adds or replaces a type; labels are copied. 0, or -1 when out of memory. */
int pg_type_registry_add(pg_type_registry *registry, uint32_t oid, const char *name, char kind,
                         uint32_t element_oid, uint32_t base_oid, int32_t base_typmod,
                         const char *const *labels, size_t label_count);
const pg_type_info *pg_type_registry_get(const pg_type_registry *registry, uint32_t oid);
size_t pg_type_registry_count(const pg_type_registry *registry);

/* ---- a column's value type ------------------------------------------------------------------ */

typedef enum pg_conv {
    PG_CONV_TEXT = 0,  /* unknown types: their text as a string */
    PG_CONV_BOOL,
    PG_CONV_INT16,
    PG_CONV_INT32,
    PG_CONV_INT64,
    PG_CONV_FLOAT32,
    PG_CONV_FLOAT64,
    PG_CONV_NUMERIC,
    PG_CONV_MONEY,
    PG_CONV_STRING,
    PG_CONV_BYTES,
    PG_CONV_DATE,
    PG_CONV_TIME,
    PG_CONV_TIMETZ,
    PG_CONV_TIMESTAMP,
    PG_CONV_TIMESTAMPTZ,
    PG_CONV_INTERVAL,
    PG_CONV_UUID,
    PG_CONV_JSON,
    PG_CONV_XML,
    PG_CONV_ENUM,
    PG_CONV_BIT,
    PG_CONV_ARRAY,
} pg_conv;

typedef struct pg_value_type {
    pg_conv conv;
    uint32_t oid;            /* the column's type */
    int32_t precision;       /* numeric precision, fractional second digits; -1 = none */
    int32_t scale;           /* numeric scale; INT32_MIN = variable */
    int32_t length;          /* bit length; -1 = unlimited */
    const char *allowed;     /* ENUM: labels joined with ',', borrowed from the registry */
    struct pg_value_type *element; /* ARRAY: owned */
    const pg_type_options *options; /* borrowed */
} pg_value_type;

/* Resolves a column's type. registry may be NULL (built-in types only). Returns 0, or -1 when
 * out of memory; an unknown type resolves to PG_CONV_TEXT. */
int pg_value_type_init(pg_value_type *type, const pg_type_registry *registry, uint32_t oid,
                       int32_t type_modifier, const pg_type_options *options);
void pg_value_type_release(pg_value_type *type);

/* The Connect schema of the type, as the JsonConverter writes it ({"type", ..., "optional",
 * "name", "version", "doc", "parameters"}), without "field". New reference, NULL on OOM. */
json_t *pg_value_type_schema(const pg_value_type *type, bool optional);

/* Converts a text value. Returns 0 with *out a new reference, or -1 with a message that quotes the
 * value and says what was expected. */
int pg_value_convert(const pg_value_type *type, const char *text, size_t len, json_t **out,
                     char *err, size_t errlen);

/* The value Debezium puts in a required field that has no value (a column missing from an old key
 * tuple): false, 0, "", the epoch. New reference. */
json_t *pg_value_fallback(const pg_value_type *type);

/* The unchanged-TOAST placeholder for the type, or NULL when it has none (then the field gets
 * null or the fallback). New reference. */
json_t *pg_value_placeholder(const pg_value_type *type);

/* ---- helpers of the conversions (pg_numeric.c, pg_datetime.c, pg_array.c) -------------------- */

/* Sets err to "cannot read '<text>' as <what>" (the text cut at 80 bytes); returns -1. */
int pg_value_invalid(char *err, size_t errlen, const char *what, const char *text, size_t len);
/* base64 (standard alphabet, padded) of bytes as a new JSON string; NULL on OOM. */
json_t *pg_base64_string(const uint8_t *bytes, size_t len, bool url_safe);

#endif
