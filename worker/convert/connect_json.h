/*
 * connect_json.h - Connect schemas and the values under them, written as Kafka's JsonConverter
 * writes them (asJsonSchema and convertToJson), so that a Java consumer reads ferry's records and
 * would write them again byte for byte.
 *
 * A schema is written with Kafka's type names ("float" and "double"; ferry's older "float32" and
 * "float64" are read as those) and Kafka's key order: "type", then "items", "keys" and "values",
 * or "fields", then "optional" (always), "name", "version", "doc", "parameters", "default", and
 * last, for a struct's field, "field". Keys Kafka does not know are left out, as are those Kafka
 * would ignore: a "name" or "doc" that is not a string, a "version" that is not an integer, an
 * empty "parameters", a null "default".
 *
 * A value is written the way its schema says: a struct's fields in the schema's order (members
 * the schema does not name left out, missing ones as null), a FLOAT32 as Java prints the float,
 * a FLOAT64 as Java prints the double (an integer 5 as 5.0), a real in an integer type cut to its
 * integer part, a null that has a default as the default (Kafka's replace.null.with.default),
 * maps with string keys as objects and others as arrays of [key, value]. A value that does not
 * have the shape its schema asks for (an array for a struct, a string for an int32) is written as
 * it is: ferry writes what it was given rather than fail a record Kafka's reader could still make
 * something of.
 */
#ifndef FERRY_CONNECT_JSON_H
#define FERRY_CONNECT_JSON_H

#include <stdbool.h>

#include <jansson.h>

#include "convert/converter.h"

typedef enum connect_type {
    CONNECT_TYPE_UNKNOWN = 0,
    CONNECT_TYPE_BOOLEAN,
    CONNECT_TYPE_INT8,
    CONNECT_TYPE_INT16,
    CONNECT_TYPE_INT32,
    CONNECT_TYPE_INT64,
    CONNECT_TYPE_FLOAT32,
    CONNECT_TYPE_FLOAT64,
    CONNECT_TYPE_BYTES,
    CONNECT_TYPE_STRING,
    CONNECT_TYPE_ARRAY,
    CONNECT_TYPE_MAP,
    CONNECT_TYPE_STRUCT,
} connect_type;

/* The type a schema's "type" names, Kafka's names and ferry's older float32/float64 alike;
 * CONNECT_TYPE_UNKNOWN for anything else, a schema without a type or one that is not an object. */
connect_type connect_json_type(const json_t *schema);

/* Kafka's name of a type ("float" for CONNECT_TYPE_FLOAT32); NULL for CONNECT_TYPE_UNKNOWN. */
const char *connect_json_type_name(connect_type type);

/* Appends the schema. One that is not an object with a known type is written as it is. 0, or -1
 * when out of memory or nested deeper than JSON_WRITER_MAX_DEPTH. */
int connect_json_write_schema(strbuf *buffer, const json_t *schema,
                              bool replace_null_with_default);

/* What connect_json_write_value returns for a null where the schema requires a value and has no
 * default to put there (Kafka's "Conversion error: null value for field that is required and
 * has no default value"). */
#define CONNECT_JSON_REQUIRED_NULL (-2)
/* ... and for a value whose schema names a logical type (Decimal, Date, Time, Timestamp) over
 * another base type than the logical type's (Kafka's "Invalid type for Decimal, expected
 * BigDecimal but was class java.lang.String"). */
#define CONNECT_JSON_LOGICAL_MISMATCH (-3)
/* ... and for a struct schema with a field name used twice (Kafka refuses such a schema; written,
 * the object would hold a key twice). */
#define CONNECT_JSON_BAD_FIELD (-4)

/* Appends the value under the schema (NULL: no schema, json_writer_value). value NULL is a null.
 * 0, CONNECT_JSON_REQUIRED_NULL, CONNECT_JSON_LOGICAL_MISMATCH, CONNECT_JSON_BAD_FIELD, or -1 when
 * out of memory or nested deeper than JSON_WRITER_MAX_DEPTH. */
int connect_json_write_value(strbuf *buffer, const json_t *schema, const json_t *value,
                             bool replace_null_with_default);

#endif
