/*
 * java_serial.h - the Java serialization stream (java.io.ObjectOutputStream, protocol version 2)
 * of an Object[] of key values: what Debezium's incremental snapshot writes, hex-encoded, in
 * the offset fields incremental_snapshot_primary_key and incremental_snapshot_maximum_key.
 * Only the element classes the PostgreSQL connector's keys come as: java.lang.Integer (int2,
 * int4), java.lang.Long (int8), java.lang.String (text types) and java.util.UUID (uuid), written
 * byte for byte as a JVM writes them (class descriptors once, then back references; Integer and
 * Long between -128 and 127 as the one cached object they are in a JVM). Reading refuses any
 * other class with a message naming it.
 */
#ifndef PGCDC_JAVA_SERIAL_H
#define PGCDC_JAVA_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "support/strbuf.h"

typedef enum java_kind {
    JAVA_INTEGER, /* java.lang.Integer */
    JAVA_LONG,    /* java.lang.Long */
    JAVA_STRING,  /* java.lang.String */
    JAVA_UUID,    /* java.util.UUID */
} java_kind;

typedef struct java_value {
    java_kind kind;
    int64_t number;     /* INTEGER (in int32 range), LONG */
    char *text;         /* STRING: UTF-8, NUL-terminated (borrowed when written, owned when read) */
    size_t len;
    uint64_t most_bits; /* UUID: its first 8 bytes, big-endian */
    uint64_t least_bits;
} java_value;

/* Appends the serialization of the Object[] holding values to out. -1 when a string is not
 * valid UTF-8 or an INTEGER is out of range (out is then incomplete); out of memory shows in
 * strbuf_failed(out). */
int java_serial_write_array(const java_value *values, size_t count, strbuf *out);

/* Reads the serialization of an Object[] of Integer, Long, String and UUID values. 0 with
 * *values (malloc'd, java_values_free) and *count, or -1 with a message naming what is not
 * understood (a class ferry does not read, a null element, a truncated stream). */
int java_serial_read_array(const void *bytes, size_t len, java_value **values, size_t *count,
                           char *err, size_t errlen);

void java_values_free(java_value *values, size_t count);

#endif
