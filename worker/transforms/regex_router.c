/*
 * regex_router.c - Kafka Connect's RegexRouter: when the whole topic matches `regex`
 * (Matcher.matches()), the topic becomes Matcher.replaceFirst(replacement) of it, a new
 * unanchored search as in Java (so "(.*?)" after a full match replaces the empty string at the
 * start). Other records keep their topic. It reads only the topic: a chain of routers never
 * parses a value. The answer depends on the topic alone, so it is kept per topic (topic_memo.h).
 * docs/transforms.md lists the keys.
 */
#include <stdlib.h>
#include <string.h>

#include "transforms/java_regex.h"
#include "transforms/java_config.h"
#include "transforms/topic_memo.h"
#include "transforms/transform.h"

typedef struct regex_router {
    java_regex *regex;
    char *replacement;
    topic_memo *routed; /* topic -> its new topic, NULL when it keeps its own */
} regex_router;

static const ferry_config_key regex_router_config[] = {
    {.name = "regex", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Regular expression to use for matching."},
    {.name = "replacement", .type = FERRY_CONFIG_STRING, .required = true,
     .importance = FERRY_IMPORTANCE_HIGH, .documentation = "Replacement string."},
    {.name = NULL},
};

static void regex_router_destroy(void *state)
{
    regex_router *self = state;
    if (!self)
        return;
    java_regex_free(self->regex);
    free(self->replacement);
    topic_memo_destroy(self->routed);
    free(self);
}

/* Java compiles the regex when configured (RegexValidator's message); a bad replacement Java
 * reports at the first matching topic, ferry here, under its key. */
static int regex_router_create(const ferry_config *config, const char *scope, void **state,
                               char *err, size_t errlen)
{
    (void)scope;
    regex_router *self = calloc(1, sizeof(*self));
    char *pattern = java_config_text(config, "regex");
    int rc = -1;
    if (self)
        self->replacement = java_config_text(config, "replacement");
    if (self)
        self->routed = topic_memo_new(free);
    if (!self || !pattern || !self->replacement || !self->routed) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    char why[512];
    if (!(self->regex = java_regex_compile(pattern, why, sizeof(why)))) {
        ferry_error_set(err, errlen, "Invalid value %s for configuration regex: Invalid regex: %s",
                        pattern, why);
        goto done;
    }
    if (java_regex_replacement_check(self->regex, self->replacement, why, sizeof(why)) != 0) {
        ferry_error_set(err, errlen, "Invalid value %s for configuration replacement: %s",
                        self->replacement, why);
        goto done;
    }
    *state = self;
    self = NULL;
    rc = 0;
done:
    free(pattern);
    regex_router_destroy(self);
    return rc;
}

/* Routes topic: 1 with the new topic in *routed (malloc'd), 0 when it keeps its topic, -1 with
 * err. */
static int regex_router_route(regex_router *self, const char *topic, char **routed, char *err,
                              size_t errlen)
{
    *routed = NULL;
    if (!java_regex_matches(self->regex, topic, strlen(topic)))
        return 0;
    int rc = java_regex_replace_first(self->regex, topic, self->replacement, routed, err, errlen);
    if (rc <= 0)
        free(*routed), *routed = NULL; /* 0: no match to replace, replaceFirst gives the topic */
    return rc;
}

static transform_result regex_router_apply(void *state, ferry_record *record,
                                           transform_output *output, char *err, size_t errlen)
{
    regex_router *self = state;
    if (!record->topic)
        return TRANSFORM_KEEP;
    void *known;
    if (topic_memo_get(self->routed, record->topic, &known)) {
        if (known)
            record->topic = known;
        return TRANSFORM_KEEP;
    }
    char *routed = NULL;
    if (regex_router_route(self, record->topic, &routed, err, errlen) < 0)
        return TRANSFORM_FAIL;
    if (topic_memo_put(self->routed, record->topic, routed) != 0 && routed &&
        !transform_keep(output, routed))
        return ferry_error_set(err, errlen, "out of memory"), TRANSFORM_FAIL;
    if (routed)
        record->topic = routed;
    return TRANSFORM_KEEP;
}

static const char *const regex_router_aliases[] = {
    "org.apache.kafka.connect.transforms.RegexRouter", NULL};

const transform_type regex_router_type = {
    .name = "RegexRouter",
    .aliases = regex_router_aliases,
    .description = "Update the record topic using the configured regular expression and "
                   "replacement string.<p/>Under the hood, the regex is compiled to a "
                   "<code>java.util.regex.Pattern</code>. If the pattern matches the input "
                   "topic, <code>java.util.regex.Matcher#replaceFirst()</code> is used with the "
                   "replacement string to obtain the new topic.",
    .config = regex_router_config,
    .needs = 0,
    .create = regex_router_create,
    .apply = regex_router_apply,
    .destroy = regex_router_destroy,
};
