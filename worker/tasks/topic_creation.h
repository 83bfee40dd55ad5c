/*
 * topic_creation.h - a source connector's topic creation (Kafka Connect's KIP-158): the
 * topic.creation.* keys read into groups, a record's topic matched to its group, and the topic
 * created through the admin API before the first record goes to it.
 *
 * Keys (Kafka Connect 3.9's SourceConnectorConfig and TopicCreationConfig):
 * - topic.creation.groups: named groups, tried in that order; "default" always exists last;
 * - topic.creation.default.replication.factor and .partitions: required as soon as any
 *   topic.creation.* key is set (-1 = the broker's default);
 * - topic.creation.<group>.include / .exclude: lists of Java regexes; a topic belongs to the
 *   first group whose include matches it and whose exclude does not (the default group's own
 *   include and exclude are ignored: it takes every other topic);
 * - topic.creation.<group>.replication.factor / .partitions: default to the default group's;
 * - every other topic.creation.<group>.<key>: a topic config passed to CreateTopics.
 * A topic that exists is used as it is. The worker's topic.creation.enable=false turns it all
 * off, with a warning per key the connector sets.
 */
#ifndef FERRY_TOPIC_CREATION_H
#define FERRY_TOPIC_CREATION_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "config/config_map.h"
#include "config/config_validate.h"

typedef struct topic_creation topic_creation;

/* Whether a connector config uses topic creation: any topic.creation.* key set, as Kafka
 * Connect decides. */
bool topic_creation_configured(const config_map *config);

/* Checks the topic.creation.* keys of a source connector config: the default group's
 * replication factor and partitions present, numbers in range, regexes that compile, group
 * names listed once. Problems go to errors, each naming its key. Returns their number. */
size_t topic_creation_validate(const config_map *config, config_errors *errors);

/* Reads the keys of a source connector config. *out is NULL when the connector uses no topic
 * creation, or when worker_enabled is false (then each topic.creation.* key the connector sets
 * gets a warning in scope's log). 0, or -1 with a message naming the key. */
int topic_creation_new(const config_map *config, bool worker_enabled, const char *scope,
                       topic_creation **out, char *err, size_t errlen);
void topic_creation_destroy(topic_creation *creation); /* accepts NULL */

/* Before a record goes to topic: the first time the task sees it, creates it with its group's
 * settings through client (any client handle; the task's producer), or finds it exists, and
 * waits until client's metadata knows its partitions. Later calls for the same topic return at
 * once. 0, or -1 with a message naming the topic and the keys of its group. */
int topic_creation_ensure(topic_creation *creation, rd_kafka_t *client, const char *topic,
                          int timeout_ms, char *err, size_t errlen);

#endif
