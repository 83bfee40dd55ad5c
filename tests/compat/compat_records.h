/*
 * compat_records.h - record files of the compatibility check: JSON lines, one record each,
 *
 *     {"case":"int8","key":false,"schemas":true,"record":"{\"schema\":...,\"payload\":-128}"}
 *
 * with the record's bytes as a JSON string (null for a Kafka null) and the converter settings
 * that wrote it. ferry writes records/ferry.jsonl with compat_records_write; the Java harness
 * (Harness.java) reads and writes the same lines.
 */
#ifndef FERRY_TESTS_COMPAT_RECORDS_H
#define FERRY_TESTS_COMPAT_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compat_cases.h"
#include "convert/converter.h"

typedef struct compat_record {
    char *name;
    bool is_key;
    bool schemas;
    char *bytes; /* NULL: a Kafka null */
    size_t len;
} compat_record;

/* The JsonConverter a record of these settings is written and read with. NULL with a message. */
converter *compat_converter(bool is_key, bool schemas, char *err, size_t errlen);

/* The record ferry's JsonConverter writes for the case: *bytes (NULL for a Kafka null) points
 * into buffer. 0, or -1 with a message. */
int compat_record_serialize(const compat_case *c, strbuf *buffer, const void **bytes,
                            size_t *len, char *err, size_t errlen);

/* The case's line (without the newline), from ferry's converter; the caller frees it. NULL with
 * a message. */
char *compat_record_line(const compat_case *c, char *err, size_t errlen);

/* Every case's line, in the table's order, each ended by a newline. 0, or -1 with a message. */
int compat_records_write(FILE *out, char *err, size_t errlen);

/* Reads one line (a NUL-terminated text without its newline). 0, or -1 with a message; release
 * the record with compat_record_release either way. */
int compat_record_parse(const char *line, compat_record *record, char *err, size_t errlen);
void compat_record_release(compat_record *record);

#endif
