/*
 * predicate.c - the predicates of Kafka Connect 3.9 (org.apache.kafka.connect.transforms.
 * predicates): HasHeaderKey, RecordIsTombstone and TopicNameMatches, and their registry.
 */
#include "transforms/predicate.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "transforms/java_regex.h"
#include "transforms/topic_memo.h"
#include "transforms/transform.h"

/* ---- HasHeaderKey: a header of the name is there (exact, case-sensitive) -------------------- */

static const ferry_config_key has_header_key_config[] = {
    {.name = "name", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_MEDIUM, .documentation = "The header name."},
    {.name = NULL},
};

static int has_header_key_create(const ferry_config *config, void **state, char *err,
                                 size_t errlen)
{
    const char *name = ferry_config_string(config, "name");
    if (!name || !name[0])
        return ferry_error_set(err, errlen, "Invalid value \"\" for configuration name: String "
                               "must be non-empty"), -1;
    if (!(*state = strdup(name)))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

static bool has_header_key_test(void *state, const ferry_record *record)
{
    const char *name = state;
    for (size_t i = 0; i < record->header_count; i++)
        if (record->headers[i].key && strcmp(record->headers[i].key, name) == 0)
            return true;
    return false;
}

static const char *const has_header_key_aliases[] = {
    "org.apache.kafka.connect.transforms.predicates.HasHeaderKey", NULL};

static const predicate_type has_header_key_type = {
    .name = "HasHeaderKey",
    .aliases = has_header_key_aliases,
    .description = "A predicate which is true for records with at least one header with the "
                   "configured name.",
    .config = has_header_key_config,
    .needs = TRANSFORM_NEEDS_HEADERS,
    .create = has_header_key_create,
    .test = has_header_key_test,
    .destroy = free,
};

/* ---- RecordIsTombstone: the value is null ------------------------------------------------ */

static const ferry_config_key no_config[] = {{.name = NULL}};

static int record_is_tombstone_create(const ferry_config *config, void **state, char *err,
                                      size_t errlen)
{
    (void)config;
    (void)err;
    (void)errlen;
    *state = NULL;
    return 0;
}

static bool record_is_tombstone_test(void *state, const ferry_record *record)
{
    (void)state;
    return transform_data_is_null(&record->value);
}

static void nothing_destroy(void *state)
{
    (void)state;
}

static const char *const record_is_tombstone_aliases[] = {
    "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone", NULL};

static const predicate_type record_is_tombstone_type = {
    .name = "RecordIsTombstone",
    .aliases = record_is_tombstone_aliases,
    .description = "A predicate which is true for records which are tombstones (i.e. have null "
                   "value).",
    .config = no_config,
    .create = record_is_tombstone_create,
    .test = record_is_tombstone_test,
    .destroy = nothing_destroy,
};

/* ---- TopicNameMatches: the whole topic name matches a Java regular expression ------------ */

static const ferry_config_key topic_name_matches_config[] = {
    {.name = "pattern", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_MEDIUM,
     .documentation = "A Java regular expression for matching against the name of a record's "
                      "topic."},
    {.name = NULL},
};

typedef struct topic_name_matches {
    java_regex *regex;
    topic_memo *verdicts; /* topic -> (void *)1 when it matches, NULL when not */
} topic_name_matches;

static void topic_name_matches_destroy(void *state)
{
    topic_name_matches *self = state;
    if (!self)
        return;
    java_regex_free(self->regex);
    topic_memo_destroy(self->verdicts);
    free(self);
}

static int topic_name_matches_create(const ferry_config *config, void **state, char *err,
                                     size_t errlen)
{
    const char *pattern = ferry_config_string(config, "pattern");
    if (!pattern || !pattern[0])
        return ferry_error_set(err, errlen, "Invalid value \"\" for configuration pattern: "
                               "String must be non-empty"), -1;
    topic_name_matches *self = calloc(1, sizeof(*self));
    if (!self || !(self->verdicts = topic_memo_new(NULL))) {
        topic_name_matches_destroy(self);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    char why[512];
    if (!(self->regex = java_regex_compile(pattern, why, sizeof(why)))) {
        topic_name_matches_destroy(self);
        return ferry_error_set(err, errlen, "Invalid value %s for configuration pattern: "
                               "Invalid regex: %s", pattern, why), -1;
    }
    *state = self;
    return 0;
}

/* The verdict depends on the topic alone: kept per topic (topic_memo.h). */
static bool topic_name_matches_test(void *state, const ferry_record *record)
{
    topic_name_matches *self = state;
    if (!record->topic)
        return false;
    void *verdict;
    if (topic_memo_get(self->verdicts, record->topic, &verdict))
        return verdict != NULL;
    bool matches = java_regex_matches(self->regex, record->topic, strlen(record->topic));
    topic_memo_put(self->verdicts, record->topic, matches ? (void *)1 : NULL);
    return matches;
}

static const char *const topic_name_matches_aliases[] = {
    "org.apache.kafka.connect.transforms.predicates.TopicNameMatches", NULL};

static const predicate_type topic_name_matches_type = {
    .name = "TopicNameMatches",
    .aliases = topic_name_matches_aliases,
    .description = "A predicate which is true for records with a topic name that matches the "
                   "configured regular expression.",
    .config = topic_name_matches_config,
    .create = topic_name_matches_create,
    .test = topic_name_matches_test,
    .destroy = topic_name_matches_destroy,
};

/* ---- the registry ---------------------------------------------------------------------------- */

/* In Kafka Connect's listing order (by class name). */
static const predicate_type *const all_predicates[] = {
    &has_header_key_type, &record_is_tombstone_type, &topic_name_matches_type, NULL};

const predicate_type *const *predicate_types(void)
{
    return all_predicates;
}

const predicate_type *predicate_type_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; all_predicates[i]; i++) {
        if (strcmp(all_predicates[i]->name, name) == 0)
            return all_predicates[i];
        for (size_t a = 0; all_predicates[i]->aliases[a]; a++)
            if (strcmp(all_predicates[i]->aliases[a], name) == 0)
                return all_predicates[i];
    }
    return NULL;
}

const char *predicate_type_class(const predicate_type *type)
{
    return type->aliases[0];
}
