/* kafka_tool.h - the integration tests' Kafka client (kt_*) on the real broker of tests/services/
 * (FERRY_TEST_BOOTSTRAP): what a test does to set up Kafka around the code under test and to look
 * at what that code left there.
 *
 * Every function is synchronous and fails the test (cmocka) when Kafka does, unless it says
 * otherwise: topic creation and deletion, partition counts, end offsets, topic configs, an
 * idempotent producer whose deliveries are checked, reading a whole topic from the beginning up
 * to the end offsets seen at the start (all partitions: the internal topics too), the latest
 * value per key (the status and config topics), a consumer group's committed offsets, and Java's
 * murmur2 partitioner; ACLs for the secured listeners' principals and their SCRAM passwords.
 * One long-lived client serves the metadata and admin requests; it is
 * destroyed at exit. */
#ifndef FERRY_TESTS_KAFKA_TOOL_H
#define FERRY_TESTS_KAFKA_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

/* How long one request to Kafka may take before the test fails. */
#define KT_TIMEOUT_MS 30000

/* Reads FERRY_TEST_BOOTSTRAP (a skip when unset, or a failure with FERRY_REQUIRE_SERVICES=1),
 * checks that the broker answers (a failure when it does not) and installs the clean-up at exit.
 * Call first; returns the bootstrap servers. */
const char *kt_init(void);
const char *kt_bootstrap(void);

/* A client config on the test broker (librdkafka's logs limited to critical ones: one test stops
 * the broker on purpose), for the clients a test builds itself or hands to the code under test;
 * and setting one key (a failure when librdkafka refuses it). */
rd_kafka_conf_t *kt_conf_new(void);
void kt_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value);

/* ---- topics ---------------------------------------------------------------------------- */

/* Creates a topic (replication factor 1) with configs as NULL-terminated key, value pairs (may
 * be NULL), and waits until its metadata and watermarks are served. */
void kt_create_topic(const char *topic, int partitions, const char *const *configs);
/* Deletes topics, best effort (no failure when one does not exist or the broker is away). */
void kt_delete_topics(const char *const *topics, size_t count);
/* Partitions of the topic, 0 when it does not exist. */
int kt_partition_count(const char *topic);
/* High watermarks of every partition in ends (at most max); returns the partition count. */
int kt_end_offsets(const char *topic, int64_t *ends, int max);
int64_t kt_end_offsets_sum(const char *topic);
/* The value of one config of a topic (malloc'd), NULL when it has none. */
char *kt_topic_config(const char *topic, const char *name);
/* The replication factor of the topic's first partition, 0 when it does not exist. */
int kt_replication_factor(const char *topic);
/* Whether the broker creates a topic a client names (auto.create.topics.enable, as
 * DescribeConfigs of the first broker says). The test broker does not, as production clusters. */
bool kt_broker_auto_creates_topics(void);
/* Whether the cluster at bootstrap (another than the test broker: an embedded Kafka) lists the
 * topic within timeout_ms. */
bool kt_cluster_lists_topic(const char *bootstrap, const char *topic, int timeout_ms);

/* ---- producing ------------------------------------------------------------------------- */

typedef struct kt_header {
    char *name;
    char *value; /* NULL for a null header value */
    size_t value_len;
} kt_header;

/* A producer with acks=all and idempotence (configs: NULL-terminated key, value pairs on top),
 * whose deliveries kt_producer_close checks. */
rd_kafka_t *kt_producer_new(const char *const *configs);
void kt_produce(rd_kafka_t *producer, const char *topic, int32_t partition, const void *key,
                size_t key_len, const void *value, size_t value_len,
                const char *header_name, const char *header_value);
/* The same with any number of headers (a NULL value is a null header value). */
void kt_produce_headers(rd_kafka_t *producer, const char *topic, int32_t partition,
                        const void *key, size_t key_len, const void *value, size_t value_len,
                        const kt_header *headers, size_t header_count);
/* Flushes, asserts that every record was delivered, destroys. */
void kt_producer_close(rd_kafka_t *producer);

/* ---- consuming ------------------------------------------------------------------------- */

typedef struct kt_record {
    int32_t partition;
    int64_t offset;
    char *key; /* NULL for a null key; else NUL-terminated (key_len excludes the NUL) */
    size_t key_len;
    char *value; /* NULL for a null value (tombstone) */
    size_t value_len;
    kt_header *headers;
    size_t header_count;
} kt_record;

typedef struct kt_records {
    kt_record *items;
    size_t count;
} kt_records;

/* Fails the test (destroying the message first) when a consumed message carries an error. */
void kt_message_check(rd_kafka_message_t *message);

/* Reads every partition of the topic from the beginning up to the end offsets seen at the start,
 * calling fn for each message. Returns the number of messages. */
typedef void (*kt_message_fn)(const rd_kafka_message_t *message, void *opaque);
size_t kt_consume(const char *topic, int timeout_ms, kt_message_fn fn, void *opaque);
/* kt_consume into copies, in the order read (per partition: by offset). */
kt_records *kt_consume_all(const char *topic, int timeout_ms);
void kt_records_free(kt_records *records);
/* The last record of the given key (NULL when none), and the last header of a name. */
const kt_record *kt_records_last(const kt_records *records, const char *key);
const kt_header *kt_record_header(const kt_record *record, const char *name);
/* key -> the last value (a JSON value parsed, or null for tombstones and non-JSON). */
json_t *kt_latest_by_key(const char *topic);

/* ---- consumer groups ------------------------------------------------------------------- */

/* The offset the consumer group committed for the partition, -1 when none. */
int64_t kt_group_committed(const char *group, const char *topic, int32_t partition);

/* ---- ACLs and SCRAM users of the secured listeners ------------------------------------- */

/* Grants (ALLOW from any host) or deletes principal's ("User:ferry", "User:ferry-client") ACL for
 * one operation on a resource: a topic, a group or the cluster (name "kafka-cluster"), named
 * literally or by a prefix (RD_KAFKA_RESOURCE_PATTERN_LITERAL or _PREFIXED). Requests go through
 * the plain listener, whose principal is a super user. Each returns once the broker's authorizer
 * shows the change, so that the next request already meets it. */
void kt_acl_grant(const char *principal, rd_kafka_ResourceType_t type, const char *name,
                  rd_kafka_ResourcePatternType_t pattern, rd_kafka_AclOperation_t operation);
void kt_acl_delete(const char *principal, rd_kafka_ResourceType_t type, const char *name,
                   rd_kafka_ResourcePatternType_t pattern, rd_kafka_AclOperation_t operation);

/* The SCRAM password of a user from $FERRY_TEST_TLS_DIR/users ("name:password" lines), malloc'd;
 * a failure when the user is not there. */
char *kt_scram_password(const char *user);

/* ---- Java's partitioner ---------------------------------------------------------------- */

/* Java's Utils.murmur2 and the partition a Java producer picks for a key. */
int32_t kt_murmur2(const void *data, size_t len);
int32_t kt_java_partition(const void *key, size_t len, int partitions);

#endif
