/*
 * predicate.h - Kafka Connect's predicates: a test on a record that decides whether a transform
 * applies to it (`transforms.<t>.predicate=<p>`, `transforms.<t>.negate`, `predicates=<p>`,
 * `predicates.<p>.type`). A predicate reads only what a record carries without conversion: its
 * topic, its headers, whether its value is null.
 */
#ifndef FERRY_PREDICATE_H
#define FERRY_PREDICATE_H

#include <stdbool.h>
#include <stddef.h>

#include <ferry/plugin.h>

typedef struct predicate_type {
    const char *name;           /* "RecordIsTombstone" */
    const char *const *aliases; /* Kafka Connect class names, NULL-terminated */
    const char *description;
    const ferry_config_key *config; /* ends with {.name = NULL} */
    unsigned needs;             /* TRANSFORM_NEEDS_* (transform.h) */
    /* config holds the predicate's own keys ("predicates.<p>." removed), validated. */
    int (*create)(const ferry_config *config, void **state, char *err, size_t errlen);
    /* state is the instance's own, used by one task thread at a time. */
    bool (*test)(void *state, const ferry_record *record);
    void (*destroy)(void *state);
} predicate_type;

/* Every predicate type ferry has, NULL-terminated. */
const predicate_type *const *predicate_types(void);
/* The type named by a `predicates.<p>.type` value (name or class name), or NULL. */
const predicate_type *predicate_type_find(const char *name);
/* The class name Kafka Connect users know a predicate by. */
const char *predicate_type_class(const predicate_type *type);

#endif
