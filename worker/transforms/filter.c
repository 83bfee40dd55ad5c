/*
 * filter.c - Kafka Connect's Filter: drops every record it applies to. It has no keys; with a
 * predicate (and negate) it drops the records that match (or do not). It reads nothing of a
 * record, so a chain of a Filter on TopicNameMatches or HasHeaderKey never parses a value.
 */
#include <stddef.h>

#include "transforms/transform.h"

static const ferry_config_key filter_config[] = {{.name = NULL}};

static int filter_create(const ferry_config *config, const char *scope, void **state, char *err,
                         size_t errlen)
{
    (void)config;
    (void)scope;
    (void)err;
    (void)errlen;
    *state = NULL;
    return 0;
}

static transform_result filter_apply(void *state, ferry_record *record, transform_output *output,
                                     char *err, size_t errlen)
{
    (void)state;
    (void)record;
    (void)output;
    (void)err;
    (void)errlen;
    return TRANSFORM_DROP;
}

static void filter_destroy(void *state)
{
    (void)state;
}

const transform_type filter_type = {
    .name = "Filter",
    .aliases = (const char *const[]){"org.apache.kafka.connect.transforms.Filter", NULL},
    .description = "Drops all records, filtering them from subsequent transformations in the "
                   "chain. This is intended to be used conditionally to filter out records "
                   "matching (or not matching) a particular Predicate.",
    .config = filter_config,
    .needs = 0,
    .create = filter_create,
    .apply = filter_apply,
    .destroy = filter_destroy,
};
