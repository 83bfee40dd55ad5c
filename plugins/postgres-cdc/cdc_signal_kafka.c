/*
 * cdc_signal_kafka.c - the kafka signal channel's consumer (see cdc_signal_kafka.h).
 */
#include "cdc_signal_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <ferry/plugin.h>
#include <librdkafka/rdkafka.h>

#include "debezium_envelope.h"
#include "support/clock.h"

#define CONSUMER_PREFIX "signal.consumer."

struct cdc_signal_kafka {
    rd_kafka_t *consumer;
    char *topic;
};

const char *cdc_signal_kafka_topic(const cdc_signal_kafka *channel)
{
    return channel->topic;
}

void cdc_signal_kafka_destroy(cdc_signal_kafka *channel)
{
    if (!channel)
        return;
    if (channel->consumer) {
        rd_kafka_consumer_close(channel->consumer);
        rd_kafka_destroy(channel->consumer);
    }
    free(channel->topic);
    free(channel);
}

static int signal_kafka_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                            size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) != RD_KAFKA_CONF_OK)
        return ferry_error_set(err, errlen, "signal kafka consumer: %s=%s: %s", key, value, why),
               -1;
    return 0;
}

/* Debezium's defaults, then every signal.consumer.* key over them. */
static rd_kafka_conf_t *signal_kafka_conf(const cdc_config *config,
                                          const json_t *connector_config, char *err,
                                          size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char client_id[37];
    uint8_t random[10] = {0};
    if (getrandom(random, sizeof random, GRND_NONBLOCK) != (ssize_t)sizeof random)
        random[0] ^= (uint8_t)clock_monotonic_ms();
    dbz_run_id(clock_wall_us() / 1000, random, client_id);
    const char *defaults[][2] = {
        {"bootstrap.servers", config->signal_kafka_bootstrap},
        {"group.id", config->signal_kafka_group && *config->signal_kafka_group
                         ? config->signal_kafka_group
                         : "kafka-signal"},
        {"client.id", client_id},
        {"fetch.min.bytes", "1"},
        {"session.timeout.ms", "10000"},
        {"enable.auto.commit", "true"},
        {"auto.offset.reset", "earliest"},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (signal_kafka_set(conf, defaults[i][0], defaults[i][1], err, errlen) != 0)
            goto fail;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)connector_config, key, value)
    {
        if (strncmp(key, CONSUMER_PREFIX, strlen(CONSUMER_PREFIX)) != 0 ||
            !json_is_string(value))
            continue;
        if (signal_kafka_set(conf, key + strlen(CONSUMER_PREFIX), json_string_value(value), err,
                             errlen) != 0)
            goto fail;
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

cdc_signal_kafka *cdc_signal_kafka_new(const cdc_config *config, const json_t *connector_config,
                                       char *err, size_t errlen)
{
    if (!config->signal_kafka_bootstrap || !*config->signal_kafka_bootstrap)
        return ferry_error_set(err, errlen, "signal.kafka.bootstrap.servers: required when "
                                            "signal.enabled.channels has kafka"), NULL;
    cdc_signal_kafka *channel = calloc(1, sizeof(*channel));
    if (!channel)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    if (config->signal_kafka_topic && *config->signal_kafka_topic)
        channel->topic = strdup(config->signal_kafka_topic);
    else if (asprintf(&channel->topic, "%s-signal", config->topic_prefix) < 0)
        channel->topic = NULL;
    if (!channel->topic) {
        free(channel);
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    }
    rd_kafka_conf_t *conf = signal_kafka_conf(config, connector_config, err, errlen);
    if (!conf)
        goto fail;
    char why[512];
    channel->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!channel->consumer) {
        rd_kafka_conf_destroy(conf);
        ferry_error_set(err, errlen, "signal kafka consumer: %s", why);
        goto fail;
    }
    /* Debezium assigns partition 0 itself: no group rebalance, the group only keeps offsets */
    rd_kafka_topic_partition_list_t *partitions = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(partitions, channel->topic, 0)->offset =
        RD_KAFKA_OFFSET_STORED;
    rd_kafka_resp_err_t rc = rd_kafka_assign(channel->consumer, partitions);
    rd_kafka_topic_partition_list_destroy(partitions);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ferry_error_set(err, errlen, "signal kafka consumer: assigning %s [0]: %s",
                        channel->topic, rd_kafka_err2str(rc));
        goto fail;
    }
    return channel;
fail:
    cdc_signal_kafka_destroy(channel);
    return NULL;
}

static char *signal_kafka_copy(const void *bytes, size_t len)
{
    if (!bytes)
        return NULL;
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, bytes, len);
        copy[len] = '\0';
    }
    return copy;
}

int cdc_signal_kafka_next(cdc_signal_kafka *channel, char **key, char **value, char *err,
                          size_t errlen)
{
    *key = *value = NULL;
    rd_kafka_message_t *message = rd_kafka_consumer_poll(channel->consumer, 0);
    if (!message)
        return 0;
    int rc = 1;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        rc = 0;
    } else if (message->err) {
        ferry_error_set(err, errlen, "signal topic %s: %s", channel->topic,
                        rd_kafka_message_errstr(message));
        rc = -1;
    } else {
        *key = signal_kafka_copy(message->key, message->key_len);
        *value = signal_kafka_copy(message->payload, message->len);
        if ((message->key && !*key) || (message->payload && !*value)) {
            free(*key);
            free(*value);
            *key = *value = NULL;
            ferry_error_set(err, errlen, "out of memory");
            rc = -1;
        }
    }
    rd_kafka_message_destroy(message);
    return rc;
}
