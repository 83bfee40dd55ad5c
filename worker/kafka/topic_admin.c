/*
 * topic_admin.c - CreateTopics and DescribeConfigs through librdkafka's admin API, synchronously:
 * the internal topics' creation and cleanup policy, and how large a record a topic takes.
 */
#include "kafka/topic_admin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ferry/plugin.h>

#include "base/log.h"
#include "kafka/kafka_client.h"
#include "support/clock.h"

/* How often a wait for an admin result serves the client's own queue, where its errors
 * arrive. */
#define ADMIN_WAIT_STEP_MS 100

/* Waits for the one admin result of a request on its own queue; NULL when it timed out or the
 * client met a fatal error (kafka_client_failed says which). */
static rd_kafka_event_t *admin_wait(rd_kafka_t *admin, rd_kafka_queue_t *queue, int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms + 1000;
    for (;;) {
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, ADMIN_WAIT_STEP_MS);
        if (event)
            return event;
        rd_kafka_poll(admin, 0);
        if (kafka_client_failed(admin, NULL, 0) || clock_monotonic_ms() >= deadline)
            return NULL;
    }
}

/* Why no result came: the client's fatal error, else a time-out. */
static const char *admin_wait_failure(rd_kafka_t *admin, char *buf, size_t buflen)
{
    return kafka_client_failed(admin, buf, buflen) ? buf : "timed out";
}

static bool admin_error_is_authorization(rd_kafka_resp_err_t code)
{
    return code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
           code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED;
}

/* One DescribeConfigs of one resource, waited for. On success the result event (the caller
 * destroys it) with the resource's entries in *entries; NULL with *code and the reason in why
 * otherwise: the request's error, the resource's own (an ACL, an unknown topic), or
 * RD_KAFKA_RESP_ERR__TIMED_OUT (why says so, or names the client's fatal error) when no answer
 * came. Nothing here marks the client failed: the caller decides what an error means. */
static rd_kafka_event_t *admin_describe(rd_kafka_t *admin, rd_kafka_ResourceType_t type,
                                        const char *name, int timeout_ms,
                                        const rd_kafka_ConfigEntry_t ***entries,
                                        size_t *entry_count, rd_kafka_resp_err_t *code,
                                        char *why, size_t whylen)
{
    rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
    rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(type, name);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(admin, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, NULL, 0);
    rd_kafka_DescribeConfigs(admin, &resource, 1, options, queue);
    rd_kafka_event_t *event = admin_wait(admin, queue, timeout_ms);
    *code = RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (!event) {
        admin_wait_failure(admin, why, whylen);
    } else if ((*code = rd_kafka_event_error(event)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ferry_error_set(why, whylen, "%s", rd_kafka_event_error_string(event));
    } else {
        size_t count = 0;
        const rd_kafka_ConfigResource_t **resources = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(event), &count);
        *code = count == 1 ? rd_kafka_ConfigResource_error(resources[0])
                           : RD_KAFKA_RESP_ERR__BAD_MSG;
        if (*code == RD_KAFKA_RESP_ERR_NO_ERROR)
            *entries = rd_kafka_ConfigResource_configs(resources[0], entry_count);
        else if (count == 1)
            ferry_error_set(why, whylen, "%s",
                            rd_kafka_ConfigResource_error_string(resources[0])
                                ? rd_kafka_ConfigResource_error_string(resources[0])
                                : rd_kafka_err2str(*code));
        else
            ferry_error_set(why, whylen, "no result");
    }
    if (event && *code) {
        rd_kafka_event_destroy(event);
        event = NULL;
    }
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_ConfigResource_destroy(resource);
    rd_kafka_queue_destroy(queue);
    return event;
}

/* The value of one config among a described resource's entries, NULL when it has none. */
static const char *admin_config_value(const rd_kafka_ConfigEntry_t **entries, size_t count,
                                      const char *key)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), key) == 0)
            return rd_kafka_ConfigEntry_value(entries[i]);
    return NULL;
}

/* One DescribeConfigs of the topic: 0 with its cleanup policy checked, -1 with a message, or 1
 * when the broker does not know the topic yet (another worker's creation of it is under way). */
static int topic_cleanup_policy_describe(rd_kafka_t *admin, const topic_spec *spec,
                                         int timeout_ms, char *err, size_t errlen)
{
    const rd_kafka_ConfigEntry_t **entries = NULL;
    size_t entry_count = 0;
    rd_kafka_resp_err_t code;
    char reason[512];
    rd_kafka_event_t *event = admin_describe(admin, RD_KAFKA_RESOURCE_TOPIC, spec->name,
                                             timeout_ms, &entries, &entry_count, &code, reason,
                                             sizeof(reason));
    /* As Kafka Connect's TopicAdmin: a principal without DescribeConfigs on the topic cannot
     * have its cleanup policy checked, which does not stop the worker. */
    if (!event && admin_error_is_authorization(code)) {
        log_info("worker", "cannot check the cleanup policy of topic %s (%s): the worker's "
                 "principal has no DescribeConfigs ACL on it; make sure it is compacted",
                 spec->name, spec->config_key);
        return 0;
    }
    if (!event) {
        char failure[1024];
        ferry_error_set(err, errlen, "cannot describe topic %s: %s", spec->name,
                        code == RD_KAFKA_RESP_ERR__TIMED_OUT
                            ? reason
                            : kafka_client_error_text(admin, code, reason, spec->name, failure,
                                                      sizeof(failure)));
        return code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? 1 : -1;
    }
    const char *policy = admin_config_value(entries, entry_count, "cleanup.policy");
    if (!policy)
        policy = "delete";
    int rc = 0;
    if (!strstr(policy, "compact")) {
        ferry_error_set(err, errlen, "topic %s (%s) has cleanup.policy=%s, but it must be "
                        "compacted or its records would be deleted: set cleanup.policy=compact "
                        "on it, or name another topic in %s", spec->name, spec->config_key,
                        policy, spec->config_key);
        rc = -1;
    }
    rd_kafka_event_destroy(event);
    return rc;
}

/* Checks that an existing topic is compacted. A topic that exists but is not described yet
 * (several workers of a cluster creating it at once: one succeeds, the others hear that it
 * exists before every broker knows it) is asked about again until timeout_ms. */
static int topic_cleanup_policy_check(rd_kafka_t *admin, const topic_spec *spec, int timeout_ms,
                                      char *err, size_t errlen)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - clock_monotonic_ms();
        int rc = topic_cleanup_policy_describe(admin, spec, left > 0 ? (int)left : 1, err,
                                               errlen);
        if (rc <= 0 || clock_monotonic_ms() >= deadline)
            return rc == 0 ? 0 : -1;
        struct timespec pause = {.tv_nsec = 100000000L};
        nanosleep(&pause, NULL);
    }
}

int topic_admin_ensure(rd_kafka_t *admin, const topic_spec *spec, int timeout_ms, char *err,
                       size_t errlen)
{
    char why[512];
    int rc = -1;
    rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
    rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new(spec->name, spec->partitions,
                                                       spec->replication_factor, why,
                                                       sizeof(why));
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(admin, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_event_t *event = NULL;
    if (!topic) {
        ferry_error_set(err, errlen, "topic %s (%s): %s", spec->name, spec->config_key, why);
        goto done;
    }
    if (spec->compacted)
        rd_kafka_NewTopic_set_config(topic, "cleanup.policy", "compact");
    for (size_t i = 0; spec->configs && spec->configs[i] && spec->configs[i + 1]; i += 2) {
        if (rd_kafka_NewTopic_set_config(topic, spec->configs[i], spec->configs[i + 1])) {
            ferry_error_set(err, errlen, "topic %s (%s): cannot set %s=%s", spec->name,
                            spec->config_key, spec->configs[i], spec->configs[i + 1]);
            goto done;
        }
    }
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, NULL, 0);
    rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, NULL, 0);
    rd_kafka_CreateTopics(admin, &topic, 1, options, queue);
    event = admin_wait(admin, queue, timeout_ms);
    if (!event || rd_kafka_event_error(event)) {
        char failure[1024];
        ferry_error_set(err, errlen, "cannot create topic %s (%s): %s", spec->name,
                        spec->config_key,
                        event ? rd_kafka_event_error_string(event)
                              : admin_wait_failure(admin, failure, sizeof(failure)));
        goto done;
    }
    size_t count = 0;
    const rd_kafka_topic_result_t **results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    rd_kafka_resp_err_t code = count ? rd_kafka_topic_result_error(results[0])
                                     : RD_KAFKA_RESP_ERR__FAIL;
    if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        rc = spec->compacted ? topic_cleanup_policy_check(admin, spec, timeout_ms, err, errlen)
                             : 0;
    } else if (admin_error_is_authorization(code)) {
        char failure[1024];
        ferry_error_set(err, errlen, "cannot create topic %s (%s): %s", spec->name,
                        spec->config_key,
                        kafka_client_error_text(admin, code, rd_kafka_topic_result_error_string(results[0]),
                                            spec->name, failure, sizeof(failure)));
    } else if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ferry_error_set(err, errlen, "cannot create topic %s with %d partitions and replication "
                        "factor %d: %s (check %s and its .partitions and .replication.factor)",
                        spec->name, spec->partitions, spec->replication_factor,
                        count ? rd_kafka_topic_result_error_string(results[0]) : "no result",
                        spec->config_key);
    } else {
        rc = 0;
    }
done:
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    if (topic)
        rd_kafka_NewTopic_destroy(topic);
    rd_kafka_queue_destroy(queue);
    return rc;
}

/* A config value in bytes, as Kafka writes it (a decimal int); -1 when it is not one. */
static int64_t admin_bytes_value(const char *text)
{
    if (!text || !*text)
        return -1;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    return errno || *end || value < 0 ? -1 : (int64_t)value;
}

/* The broker's message.max.bytes, the default of every topic without its own: 0 with *bytes,
 * -1 when the broker does not say. */
static int topic_admin_broker_message_max(rd_kafka_t *client, int timeout_ms, int64_t *bytes)
{
    int32_t controller = rd_kafka_controllerid(client, timeout_ms);
    if (controller < 0)
        return -1;
    char name[16];
    snprintf(name, sizeof(name), "%" PRId32, controller);
    const rd_kafka_ConfigEntry_t **entries = NULL;
    size_t entry_count = 0;
    rd_kafka_resp_err_t code;
    char reason[256];
    rd_kafka_event_t *event = admin_describe(client, RD_KAFKA_RESOURCE_BROKER, name, timeout_ms,
                                             &entries, &entry_count, &code, reason,
                                             sizeof(reason));
    if (!event)
        return -1;
    *bytes = admin_bytes_value(admin_config_value(entries, entry_count, "message.max.bytes"));
    rd_kafka_event_destroy(event);
    return *bytes > 0 ? 0 : -1;
}

int topic_admin_message_max(rd_kafka_t *client, const char *topic, int timeout_ms,
                            int64_t *bytes, topic_limit_origin *origin, char *why,
                            size_t whylen)
{
    const rd_kafka_ConfigEntry_t **entries = NULL;
    size_t entry_count = 0;
    rd_kafka_resp_err_t code;
    char reason[512];
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    rd_kafka_event_t *event = admin_describe(client, RD_KAFKA_RESOURCE_TOPIC, topic, timeout_ms,
                                             &entries, &entry_count, &code, reason,
                                             sizeof(reason));
    if (event) {
        *bytes = admin_bytes_value(admin_config_value(entries, entry_count,
                                                      "max.message.bytes"));
        *origin = TOPIC_LIMIT_TOPIC;
        rd_kafka_event_destroy(event);
        if (*bytes > 0)
            return 0;
        return ferry_error_set(why, whylen, "the broker described topic %s without a "
                               "max.message.bytes", topic), -1;
    }
    if (code != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        if (admin_error_is_authorization(code))
            return ferry_error_set(why, whylen, "no DescribeConfigs ACL on topic %s: %s", topic,
                                   reason), -1;
        return ferry_error_set(why, whylen, "DescribeConfigs of topic %s: %s", topic,
                               reason), -1;
    }
    /* Not created yet: it will get the broker's default when it is. */
    int64_t left = deadline - clock_monotonic_ms();
    if (topic_admin_broker_message_max(client, left > 0 ? (int)left : 1, bytes) == 0) {
        *origin = TOPIC_LIMIT_BROKER;
    } else {
        *bytes = TOPIC_ADMIN_KAFKA_MESSAGE_MAX;
        *origin = TOPIC_LIMIT_KAFKA_DEFAULT;
    }
    return 0;
}

/* The topic's partitions in one metadata answer: their count when each has a leader, 0 when the
 * topic is not (yet) known or a partition lacks a leader. */
static int topic_partitions_led(const rd_kafka_metadata_t *metadata, const char *topic)
{
    for (int i = 0; i < metadata->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *entry = &metadata->topics[i];
        if (strcmp(entry->topic, topic) != 0 || entry->err || entry->partition_cnt == 0)
            continue;
        for (int p = 0; p < entry->partition_cnt; p++)
            if (entry->partitions[p].leader < 0)
                return 0;
        return entry->partition_cnt;
    }
    return 0;
}

int topic_admin_wait_known(rd_kafka_t *client, const char *topic, int timeout_ms, char *err,
                           size_t errlen)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    rd_kafka_topic_t *handle = rd_kafka_topic_new(client, topic, NULL);
    rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (!handle)
        return ferry_error_set(err, errlen, "topic %s: %s", topic,
                               rd_kafka_err2str(rd_kafka_last_error())), -1;
    for (;;) {
        const rd_kafka_metadata_t *metadata = NULL;
        int64_t left = deadline - clock_monotonic_ms();
        code = rd_kafka_metadata(client, 0, handle, &metadata,
                                 left > ADMIN_WAIT_STEP_MS ? (int)left : ADMIN_WAIT_STEP_MS);
        int partitions = metadata ? topic_partitions_led(metadata, topic) : 0;
        if (metadata)
            rd_kafka_metadata_destroy(metadata);
        if (partitions > 0) {
            rd_kafka_topic_destroy(handle);
            return 0;
        }
        if (clock_monotonic_ms() >= deadline)
            break;
        struct timespec pause = {.tv_nsec = 10000000L};
        nanosleep(&pause, NULL);
    }
    rd_kafka_topic_destroy(handle);
    return ferry_error_set(err, errlen, "topic %s was created but has no leader for each of its "
                           "partitions in the cluster's metadata after %d ms (%s)", topic,
                           timeout_ms, code ? rd_kafka_err2str(code) : "partitions not led yet"),
           -1;
}
