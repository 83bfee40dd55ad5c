/*
 * timestamp_router.c - Kafka Connect's TimestampRouter: the topic becomes `topic.format` with
 * every ${topic} replaced by the topic and then every ${timestamp} by the record's timestamp as
 * `timestamp.format` (SimpleDateFormat, UTC) writes it, the two passes in Java's order (so a
 * topic that holds "${timestamp}" gets it replaced too). A record without a timestamp fails. It
 * reads the topic and the timestamp only. docs/transforms.md lists the keys.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "support/strbuf.h"
#include "transforms/java_date_format.h"
#include "transforms/java_config.h"
#include "transforms/transform.h"

typedef struct timestamp_router {
    char *topic_format;
    java_date_format *timestamp_format;
    strbuf formatted; /* the timestamp's text, reused from record to record */
} timestamp_router;

static const ferry_config_key timestamp_router_config[] = {
    {.name = "topic.format", .type = FERRY_CONFIG_STRING, .default_value = "${topic}-${timestamp}",
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Format string which can contain <code>${topic}</code> and "
                      "<code>${timestamp}</code> as placeholders for the topic and timestamp, "
                      "respectively."},
    {.name = "timestamp.format", .type = FERRY_CONFIG_STRING, .default_value = "yyyyMMdd",
     .importance = FERRY_IMPORTANCE_HIGH,
     .documentation = "Format string for the timestamp that is compatible with "
                      "<code>java.text.SimpleDateFormat</code>."},
    {.name = NULL},
};

static void timestamp_router_destroy(void *state)
{
    timestamp_router *self = state;
    if (!self)
        return;
    free(self->topic_format);
    java_date_format_free(self->timestamp_format);
    strbuf_free(&self->formatted);
    free(self);
}

/* Java builds its SimpleDateFormat at the first record and fails there on a bad pattern; ferry
 * compiles it here and refuses the config under timestamp.format. */
static int timestamp_router_create(const ferry_config *config, const char *scope, void **state,
                                   char *err, size_t errlen)
{
    (void)scope;
    timestamp_router *self = calloc(1, sizeof(*self));
    char *pattern = java_config_text(config, "timestamp.format");
    int rc = -1;
    if (self)
        self->topic_format = java_config_text(config, "topic.format");
    if (!self || !pattern || !self->topic_format) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    char why[512];
    if (!(self->timestamp_format = java_date_format_compile(pattern, false, why, sizeof(why)))) {
        ferry_error_set(err, errlen, "Invalid value %s for configuration timestamp.format: %s",
                        pattern, why);
        goto done;
    }
    *state = self;
    self = NULL;
    rc = 0;
done:
    free(pattern);
    timestamp_router_destroy(self);
    return rc;
}

/* Matcher.replaceAll of a Pattern.LITERAL with a quoted replacement: every occurrence of
 * needle, left to right and not overlapping, replaced by the text as it is. */
static void literal_replace_all(strbuf *out, const char *text, const char *needle,
                                const char *replacement, size_t replacement_len)
{
    size_t needle_len = strlen(needle);
    for (const char *found; (found = strstr(text, needle)); text = found + needle_len) {
        strbuf_append(out, text, (size_t)(found - text));
        strbuf_append(out, replacement, replacement_len);
    }
    strbuf_append_str(out, text);
}

static transform_result timestamp_router_apply(void *state, ferry_record *record,
                                               transform_output *output, char *err,
                                               size_t errlen)
{
    timestamp_router *self = state;
    const char *topic = record->topic ? record->topic : "";
    if (record->timestamp_ms == FERRY_TIMESTAMP_NONE) {
        /* Java appends the record's toString(); ferry names what it has without reading the
         * key and value, which routing never parses. */
        char partition[24] = "null";
        if (record->partition != FERRY_PARTITION_ANY)
            snprintf(partition, sizeof(partition), "%" PRId32, record->partition);
        return ferry_error_set(err, errlen,
                               "Timestamp missing on record: ConnectRecord{topic='%s', "
                               "kafkaPartition=%s, timestamp=null}", topic, partition),
               TRANSFORM_FAIL;
    }
    strbuf_reset(&self->formatted);
    strbuf with_topic = {0}, routed = {0};
    java_date_format_format(self->timestamp_format, record->timestamp_ms, &self->formatted);
    literal_replace_all(&with_topic, self->topic_format, "${topic}", topic, strlen(topic));
    if (!strbuf_failed(&self->formatted) && !strbuf_failed(&with_topic))
        literal_replace_all(&routed, with_topic.data ? with_topic.data : "", "${timestamp}",
                            self->formatted.data ? self->formatted.data : "",
                            self->formatted.len);
    else
        routed.failed = true;
    strbuf_free(&with_topic);
    char *routed_topic = strbuf_take(&routed, NULL);
    if (!routed_topic || !transform_keep(output, routed_topic))
        return ferry_error_set(err, errlen, "out of memory"), TRANSFORM_FAIL;
    record->topic = routed_topic;
    return TRANSFORM_KEEP;
}

static const char *const timestamp_router_aliases[] = {
    "org.apache.kafka.connect.transforms.TimestampRouter", NULL};

const transform_type timestamp_router_type = {
    .name = "TimestampRouter",
    .aliases = timestamp_router_aliases,
    .description = "Update the record's topic field as a function of the original topic value "
                   "and the record timestamp.<p/>This is mainly useful for sink connectors, "
                   "since the topic field is often used to determine the equivalent entity name "
                   "in the destination system(e.g. database table or search index name).",
    .config = timestamp_router_config,
    .needs = TRANSFORM_NEEDS_TIMESTAMP,
    .create = timestamp_router_create,
    .apply = timestamp_router_apply,
    .destroy = timestamp_router_destroy,
};
