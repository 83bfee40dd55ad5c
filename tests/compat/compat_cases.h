/*
 * compat_cases.h - the records of the compatibility check with Kafka's JsonConverter: every
 * Connect type and logical type, with schemas on and off, as keys and values. Each case is the
 * data a plugin hands ferry's converter (a schema and a value as JSON text, or a string, bytes or
 * a null); KafkaCases.java builds the same data, case by case and under the same names, with
 * Kafka's Connect API. The data may be spelled the way plugins spell it (ferry's older type
 * names, members in another order, an integer in a double field): the records must still be
 * what Kafka writes for it.
 */
#ifndef FERRY_TESTS_COMPAT_CASES_H
#define FERRY_TESTS_COMPAT_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

typedef struct compat_case {
    const char *name;
    bool is_key;
    bool schemas;         /* the converter's schemas.enable */
    ferry_data_kind kind;
    const char *schema;   /* FERRY_DATA_JSON: JSON text, or NULL for none */
    const char *value;    /* FERRY_DATA_JSON: JSON text; STRING and BYTES: the text or bytes */
    size_t value_len;     /* BYTES: the number of bytes */
} compat_case;

extern const compat_case compat_cases[];
extern const size_t compat_case_count;

/* The case of that name, or NULL. */
const compat_case *compat_case_find(const char *name);

#endif
