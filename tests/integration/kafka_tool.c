/* kafka_tool.c - the integration tests' Kafka client: see kafka_tool.h. */
#include "kafka_tool.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "service_env.h"

static const char *kt_bootstrap_servers;
static rd_kafka_t *kt_client_handle;

/* ---- set-up ---------------------------------------------------------------------------- */

static void kt_at_exit(void)
{
    if (kt_client_handle) {
        rd_kafka_destroy(kt_client_handle);
        kt_client_handle = NULL;
    }
    rd_kafka_wait_destroyed(5000);
}

/* The variable is set: the broker must answer, else this is a failure, not a skip. */
static void kt_probe_broker(void)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", kt_bootstrap_servers, err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "%s", err);
    }
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk)
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "%s", err);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, 10000);
    int brokers = e == RD_KAFKA_RESP_ERR_NO_ERROR ? md->broker_cnt : 0;
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || brokers < 1)
        service_env_unreachable("FERRY_TEST_BOOTSTRAP", "metadata request: %s",
                                rd_kafka_err2str(e));
}

const char *kt_init(void)
{
    kt_bootstrap_servers = service_env_get("FERRY_TEST_BOOTSTRAP");
    kt_probe_broker();
    atexit(kt_at_exit);
    return kt_bootstrap_servers;
}

const char *kt_bootstrap(void)
{
    return kt_bootstrap_servers;
}

void kt_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK)
        fail_msg("%s=%s: %s", key, value, err);
}

rd_kafka_conf_t *kt_conf_new(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_non_null(conf);
    kt_conf_set(conf, "bootstrap.servers", kt_bootstrap_servers);
    /* The broker is stopped on purpose by one test: keep connection errors quiet. */
    kt_conf_set(conf, "log_level", "2");
    return conf;
}

/* A NUL-terminated copy of bytes (NULL for NULL). */
static char *kt_copy_bytes(const void *data, size_t len)
{
    if (!data)
        return NULL;
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, data, len);
    copy[len] = '\0';
    return copy;
}

/* A NUL-terminated copy of a string. */
static char *kt_copy_text(const char *text)
{
    return kt_copy_bytes(text, strlen(text));
}

/* ---- topics --------------------------------------------------------------------------- */

/* One long-lived client for metadata, watermarks and admin requests. A consumer handle: its
 * metadata requests never create topics. */
static rd_kafka_t *kt_client(void)
{
    if (kt_client_handle)
        return kt_client_handle;
    rd_kafka_conf_t *conf = kt_conf_new();
    char group[160];
    service_env_unique_name(group, sizeof group, "ferry_test_client");
    kt_conf_set(conf, "group.id", group);
    kt_conf_set(conf, "allow.auto.create.topics", "false");
    char err[512];
    kt_client_handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!kt_client_handle)
        fail_msg("Kafka client: %s", err);
    return kt_client_handle;
}

static void kt_watermarks(const char *topic, int partition, int64_t *low, int64_t *high);

int kt_partition_count(const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(kt_client(), 1, NULL, &md, KT_TIMEOUT_MS);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("metadata: %s", rd_kafka_err2str(e));
    int count = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && md->topics[i].err == 0)
            count = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return count;
}

void kt_create_topic(const char *topic, int partitions, const char *const *configs)
{
    char err[512];
    rd_kafka_t *client = kt_client();
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof err);
    if (!nt)
        fail_msg("NewTopic %s: %s", topic, err);
    for (size_t i = 0; configs && configs[i] && configs[i + 1]; i += 2)
        rd_kafka_NewTopic_set_config(nt, configs[i], configs[i + 1]);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, KT_TIMEOUT_MS, err, sizeof err);
    rd_kafka_CreateTopics(client, &nt, 1, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, KT_TIMEOUT_MS + 5000);
    char problem[512] = "";
    if (!event) {
        snprintf(problem, sizeof problem, "timed out");
    } else if (rd_kafka_event_error(event)) {
        snprintf(problem, sizeof problem, "%s", rd_kafka_event_error_string(event));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
        if (n != 1 || rd_kafka_topic_result_error(results[0]))
            snprintf(problem, sizeof problem, "%s",
                     n ? rd_kafka_topic_result_error_string(results[0]) : "no result");
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(queue);
    if (problem[0])
        fail_msg("creating topic %s: %s", topic, problem);
    /* Wait until the metadata shows it, so that clients find it at once. */
    int64_t deadline = service_env_now_ms() + KT_TIMEOUT_MS;
    while (kt_partition_count(topic) != partitions) {
        if (service_env_now_ms() > deadline)
            fail_msg("topic %s does not show up in the metadata", topic);
        service_env_sleep_ms(100);
    }
    for (int p = 0; p < partitions; p++) {
        int64_t low, high;
        kt_watermarks(topic, p, &low, &high);
    }
}

/* A partition's watermarks, retrying while the broker is not ready for them yet (a new topic's
 * leader, a broker that just restarted). */
static void kt_watermarks(const char *topic, int partition, int64_t *low, int64_t *high)
{
    int64_t deadline = service_env_now_ms() + KT_TIMEOUT_MS;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(kt_client(), topic, partition,
                                                                 low, high, 5000);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return;
        bool transient = e == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                         e == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                         e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                         e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR__TRANSPORT ||
                         e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
                         e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
                         e == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
        if (!transient || service_env_now_ms() > deadline)
            fail_msg("watermarks of %s [%d]: %s", topic, partition, rd_kafka_err2str(e));
        service_env_sleep_ms(100);
    }
}

/* The partition count of the last topic asked about, so that polling loops do not fetch the whole
 * metadata every time. */
static char kt_cached_topic[256];
static int kt_cached_partitions;

int kt_end_offsets(const char *topic, int64_t *ends, int max)
{
    if (strcmp(kt_cached_topic, topic) != 0 || kt_cached_partitions == 0) {
        kt_cached_partitions = kt_partition_count(topic);
        snprintf(kt_cached_topic, sizeof kt_cached_topic, "%s", topic);
    }
    int count = kt_cached_partitions;
    for (int p = 0; p < count && p < max; p++) {
        int64_t low = 0;
        kt_watermarks(topic, p, &low, &ends[p]);
    }
    return count;
}

int64_t kt_end_offsets_sum(const char *topic)
{
    int64_t ends[256];
    int count = kt_end_offsets(topic, ends, 256);
    int64_t sum = 0;
    for (int p = 0; p < count && p < 256; p++)
        sum += ends[p];
    return sum;
}

/* One config of a topic or a broker (DescribeConfigs), malloc'd; NULL when it has none. */
static char *kt_resource_config(rd_kafka_ResourceType_t type, const char *resource_name,
                                const char *name)
{
    rd_kafka_t *client = kt_client();
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(type, resource_name);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_request_timeout(options, KT_TIMEOUT_MS, NULL, 0);
    rd_kafka_DescribeConfigs(client, &resource, 1, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, KT_TIMEOUT_MS + 5000);
    char *value = NULL;
    char problem[512] = "";
    if (!event || rd_kafka_event_error(event)) {
        snprintf(problem, sizeof problem, "%s",
                 event ? rd_kafka_event_error_string(event) : "timed out");
    } else {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **resources = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(event), &n);
        if (n != 1 || rd_kafka_ConfigResource_error(resources[0])) {
            snprintf(problem, sizeof problem, "%s",
                     n ? rd_kafka_ConfigResource_error_string(resources[0]) : "no result");
        } else {
            size_t count = 0;
            const rd_kafka_ConfigEntry_t **entries =
                rd_kafka_ConfigResource_configs(resources[0], &count);
            for (size_t i = 0; i < count; i++)
                if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), name) == 0 &&
                    rd_kafka_ConfigEntry_value(entries[i]))
                    value = kt_copy_text(rd_kafka_ConfigEntry_value(entries[i]));
        }
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_ConfigResource_destroy(resource);
    rd_kafka_queue_destroy(queue);
    if (problem[0])
        fail_msg("describing the configs of %s %s: %s",
                 type == RD_KAFKA_RESOURCE_TOPIC ? "topic" : "broker", resource_name, problem);
    return value;
}

char *kt_topic_config(const char *topic, const char *name)
{
    return kt_resource_config(RD_KAFKA_RESOURCE_TOPIC, topic, name);
}

int kt_replication_factor(const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(kt_client(), 1, NULL, &md, KT_TIMEOUT_MS);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("metadata: %s", rd_kafka_err2str(e));
    int replicas = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && md->topics[i].err == 0 &&
            md->topics[i].partition_cnt > 0)
            replicas = md->topics[i].partitions[0].replica_cnt;
    rd_kafka_metadata_destroy(md);
    return replicas;
}

bool kt_broker_auto_creates_topics(void)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(kt_client(), 0, NULL, &md, KT_TIMEOUT_MS);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || md->broker_cnt < 1)
        fail_msg("metadata: %s", e ? rd_kafka_err2str(e) : "no broker");
    char id[32];
    snprintf(id, sizeof id, "%d", md->brokers[0].id);
    rd_kafka_metadata_destroy(md);
    char *value = kt_resource_config(RD_KAFKA_RESOURCE_BROKER, id, "auto.create.topics.enable");
    bool on = !value || strcmp(value, "true") == 0;
    free(value);
    return on;
}

void kt_delete_topics(const char *const *topics, size_t count)
{
    if (count == 0)
        return;
    rd_kafka_t *client = kt_client();
    rd_kafka_DeleteTopic_t **list = calloc(count, sizeof(*list));
    if (!list)
        return;
    for (size_t i = 0; i < count; i++)
        list[i] = rd_kafka_DeleteTopic_new(topics[i]);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, 10000, NULL, 0);
    rd_kafka_DeleteTopics(client, list, count, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 15000);
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_DeleteTopic_destroy_array(list, count);
    free(list);
    rd_kafka_queue_destroy(queue);
    kt_cached_topic[0] = '\0';
}

bool kt_cluster_lists_topic(const char *bootstrap, const char *topic, int timeout_ms)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_non_null(conf);
    kt_conf_set(conf, "bootstrap.servers", bootstrap);
    char err[512];
    rd_kafka_t *client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!client)
        fail_msg("Kafka client of %s: %s", bootstrap, err);
    bool found = false;
    int64_t deadline = service_env_now_ms() + timeout_ms;
    while (!found && service_env_now_ms() < deadline) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(client, 1, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < md->topic_cnt; i++)
                if (strcmp(md->topics[i].topic, topic) == 0)
                    found = true;
            rd_kafka_metadata_destroy(md);
        }
        if (!found)
            service_env_sleep_ms(200);
    }
    rd_kafka_destroy(client);
    return found;
}

/* ---- producing -------------------------------------------------------------------------- */

typedef struct kt_delivery {
    size_t queued;
    size_t delivered;
    size_t failed;
    char first_error[256];
} kt_delivery;

static void kt_delivered(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque)
{
    (void)rk;
    kt_delivery *delivery = opaque;
    if (message->err) {
        if (delivery->failed++ == 0)
            snprintf(delivery->first_error, sizeof delivery->first_error, "%s",
                     rd_kafka_err2str(message->err));
    } else {
        delivery->delivered++;
    }
}

rd_kafka_t *kt_producer_new(const char *const *configs)
{
    rd_kafka_conf_t *conf = kt_conf_new();
    kt_conf_set(conf, "acks", "all");
    kt_conf_set(conf, "enable.idempotence", "true");
    kt_conf_set(conf, "linger.ms", "5");
    for (size_t i = 0; configs && configs[i] && configs[i + 1]; i += 2)
        kt_conf_set(conf, configs[i], configs[i + 1]);
    kt_delivery *delivery = calloc(1, sizeof(*delivery));
    assert_non_null(delivery);
    rd_kafka_conf_set_dr_msg_cb(conf, kt_delivered);
    rd_kafka_conf_set_opaque(conf, delivery);
    char err[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!producer) {
        free(delivery);
        fail_msg("producer: %s", err);
    }
    return producer;
}

void kt_produce(rd_kafka_t *producer, const char *topic, int32_t partition, const void *key,
                size_t key_len, const void *value, size_t value_len, const char *header_name,
                const char *header_value)
{
    kt_header header = {(char *)header_name, (char *)header_value,
                        header_value ? strlen(header_value) : 0};
    kt_produce_headers(producer, topic, partition, key, key_len, value, value_len, &header,
                       header_name ? 1 : 0);
}

void kt_produce_headers(rd_kafka_t *producer, const char *topic, int32_t partition,
                        const void *key, size_t key_len, const void *value, size_t value_len,
                        const kt_header *header_list, size_t header_count)
{
    kt_delivery *delivery = rd_kafka_opaque(producer);
    rd_kafka_resp_err_t e;
    for (;;) {
        rd_kafka_headers_t *headers = NULL;
        if (header_count) {
            headers = rd_kafka_headers_new(header_count);
            for (size_t h = 0; h < header_count; h++)
                rd_kafka_header_add(headers, header_list[h].name, -1, header_list[h].value,
                                    header_list[h].value ? (ssize_t)header_list[h].value_len : 0);
        }
        e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                              RD_KAFKA_V_KEY((void *)key, key ? key_len : 0),
                              RD_KAFKA_V_VALUE((void *)value, value ? value_len : 0),
                              RD_KAFKA_V_HEADERS(headers),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && headers)
            rd_kafka_headers_destroy(headers);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        rd_kafka_poll(producer, 50);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("producing to %s: %s", topic, rd_kafka_err2str(e));
    delivery->queued++;
    rd_kafka_poll(producer, 0);
}

void kt_producer_close(rd_kafka_t *producer)
{
    kt_delivery *delivery = rd_kafka_opaque(producer);
    rd_kafka_resp_err_t e = rd_kafka_flush(producer, 120000);
    rd_kafka_destroy(producer);
    kt_delivery copy = *delivery;
    free(delivery);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("producer flush: %s", rd_kafka_err2str(e));
    if (copy.failed)
        fail_msg("%zu of %zu records not delivered, first error: %s", copy.failed, copy.queued,
                 copy.first_error);
    assert_int_equal(copy.delivered, copy.queued);
}

/* ---- consuming -------------------------------------------------------------------------- */

void kt_message_check(rd_kafka_message_t *message)
{
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    char problem[512];
    snprintf(problem, sizeof problem, "%s", rd_kafka_message_errstr(message));
    rd_kafka_message_destroy(message);
    fail_msg("consume: %s", problem);
}

size_t kt_consume(const char *topic, int timeout_ms, kt_message_fn fn, void *opaque)
{
    int count = kt_partition_count(topic);
    if (count == 0)
        return 0;
    int64_t *high = calloc((size_t)count, sizeof(*high));
    bool *done = calloc((size_t)count, sizeof(*done));
    assert_non_null(high);
    assert_non_null(done);
    int remaining = 0;
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(count);
    for (int p = 0; p < count; p++) {
        int64_t low = 0;
        kt_watermarks(topic, p, &low, &high[p]);
        if (high[p] > low) {
            rd_kafka_topic_partition_list_add(assignment, topic, p)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
            remaining++;
        } else {
            done[p] = true;
        }
    }
    size_t consumed = 0;
    if (remaining > 0) {
        rd_kafka_conf_t *conf = kt_conf_new();
        char group[160];
        service_env_unique_name(group, sizeof group, "ferry_test_reader");
        kt_conf_set(conf, "group.id", group);
        kt_conf_set(conf, "enable.auto.commit", "false");
        kt_conf_set(conf, "enable.partition.eof", "true");
        kt_conf_set(conf, "auto.offset.reset", "earliest");
        char err[512];
        rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
        if (!consumer)
            fail_msg("consumer: %s", err);
        rd_kafka_poll_set_consumer(consumer);
        rd_kafka_resp_err_t e = rd_kafka_assign(consumer, assignment);
        if (e)
            fail_msg("assign %s: %s", topic, rd_kafka_err2str(e));
        int64_t deadline = service_env_now_ms() + timeout_ms;
        char problem[512] = "";
        while (remaining > 0 && !problem[0]) {
            if (service_env_now_ms() > deadline) {
                snprintf(problem, sizeof problem, "timed out reading %s after %zu records", topic,
                         consumed);
                break;
            }
            rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 200);
            if (!m)
                continue;
            int p = m->partition;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (p >= 0 && p < count && !done[p] && m->offset >= high[p]) {
                    done[p] = true;
                    remaining--;
                }
            } else if (m->err) {
                snprintf(problem, sizeof problem, "reading %s: %s", topic,
                         rd_kafka_message_errstr(m));
            } else if (p >= 0 && p < count && m->offset < high[p]) {
                fn(m, opaque);
                consumed++;
                if (m->offset + 1 >= high[p] && !done[p]) {
                    done[p] = true;
                    remaining--;
                }
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        if (problem[0]) {
            rd_kafka_topic_partition_list_destroy(assignment);
            free(high);
            free(done);
            fail_msg("%s", problem);
        }
    }
    rd_kafka_topic_partition_list_destroy(assignment);
    free(high);
    free(done);
    return consumed;
}

static void kt_collect(const rd_kafka_message_t *m, void *opaque)
{
    kt_records *records = opaque;
    if (records->count % 1024 == 0) {
        records->items = realloc(records->items, (records->count + 1024) * sizeof(kt_record));
        assert_non_null(records->items);
    }
    kt_record *record = &records->items[records->count++];
    *record = (kt_record){.partition = m->partition, .offset = m->offset,
                          .key = kt_copy_bytes(m->key, m->key_len), .key_len = m->key_len,
                          .value = kt_copy_bytes(m->payload, m->len), .value_len = m->len};
    rd_kafka_headers_t *headers = NULL;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
        size_t count = rd_kafka_header_cnt(headers);
        record->headers = calloc(count ? count : 1, sizeof(kt_header));
        assert_non_null(record->headers);
        for (size_t i = 0; i < count; i++) {
            const char *name;
            const void *value;
            size_t size;
            rd_kafka_header_get_all(headers, i, &name, &value, &size);
            record->headers[i] = (kt_header){kt_copy_text(name), kt_copy_bytes(value, size), size};
        }
        record->header_count = count;
    }
}

kt_records *kt_consume_all(const char *topic, int timeout_ms)
{
    kt_records *records = calloc(1, sizeof(*records));
    assert_non_null(records);
    kt_consume(topic, timeout_ms, kt_collect, records);
    return records;
}

void kt_records_free(kt_records *records)
{
    if (!records)
        return;
    for (size_t i = 0; i < records->count; i++) {
        kt_record *record = &records->items[i];
        free(record->key);
        free(record->value);
        for (size_t h = 0; h < record->header_count; h++) {
            free(record->headers[h].name);
            free(record->headers[h].value);
        }
        free(record->headers);
    }
    free(records->items);
    free(records);
}

const kt_record *kt_records_last(const kt_records *records, const char *key)
{
    const kt_record *last = NULL;
    for (size_t i = 0; i < records->count; i++)
        if (records->items[i].key && strcmp(records->items[i].key, key) == 0)
            last = &records->items[i];
    return last;
}

const kt_header *kt_record_header(const kt_record *record, const char *name)
{
    const kt_header *found = NULL;
    for (size_t i = 0; i < record->header_count; i++)
        if (strcmp(record->headers[i].name, name) == 0)
            found = &record->headers[i];
    return found;
}

json_t *kt_latest_by_key(const char *topic)
{
    kt_records *records = kt_consume_all(topic, KT_TIMEOUT_MS);
    json_t *latest = json_object();
    assert_non_null(latest);
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *record = &records->items[i];
        if (!record->key)
            continue;
        json_t *value = record->value ? json_loadb(record->value, record->value_len, 0, NULL)
                                      : NULL;
        json_object_set_new(latest, record->key, value ? value : json_null());
    }
    kt_records_free(records);
    return latest;
}

/* ---- consumer groups ------------------------------------------------------------------ */

int64_t kt_group_committed(const char *group, const char *topic, int32_t partition)
{
    rd_kafka_conf_t *conf = kt_conf_new();
    kt_conf_set(conf, "group.id", group);
    kt_conf_set(conf, "enable.auto.commit", "false");
    char err[512];
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!consumer)
        fail_msg("consumer of group %s: %s", group, err);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic, partition);
    rd_kafka_resp_err_t e = rd_kafka_committed(consumer, list, 10000);
    int64_t offset = e ? -2 : list->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(consumer);
    if (e)
        fail_msg("committed offsets of group %s: %s", group, rd_kafka_err2str(e));
    return offset < 0 ? -1 : offset;
}

/* ---- ACLs and SCRAM users ------------------------------------------------------------ */

/* The result of one admin request on queue, or a failure naming what, when it times out or the
 * request as a whole failed. */
static rd_kafka_event_t *kt_admin_result(rd_kafka_queue_t *queue, const char *what)
{
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, KT_TIMEOUT_MS + 5000);
    if (!event)
        fail_msg("%s: timed out", what);
    if (rd_kafka_event_error(event)) {
        char problem[512];
        snprintf(problem, sizeof problem, "%s", rd_kafka_event_error_string(event));
        rd_kafka_event_destroy(event);
        fail_msg("%s: %s", what, problem);
    }
    return event;
}

/* How many ACLs the broker's authorizer has that match the filter. */
static size_t kt_acl_count(const rd_kafka_AclBindingFilter_t *filter, const char *what)
{
    rd_kafka_t *client = kt_client();
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DESCRIBEACLS);
    rd_kafka_AdminOptions_set_request_timeout(options, KT_TIMEOUT_MS, NULL, 0);
    rd_kafka_DescribeAcls(client, (rd_kafka_AclBindingFilter_t *)filter, options, queue);
    rd_kafka_event_t *event = kt_admin_result(queue, what);
    size_t count = 0;
    rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(event), &count);
    rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue);
    return count;
}

/* Waits until the authorizer has (present) or no longer has the ACLs of the filter. */
static void kt_acl_wait(const rd_kafka_AclBindingFilter_t *filter, bool present, const char *what)
{
    int64_t deadline = service_env_now_ms() + KT_TIMEOUT_MS;
    while ((kt_acl_count(filter, what) > 0) != present) {
        if (service_env_now_ms() > deadline)
            fail_msg("%s: the broker does not show the change", what);
        service_env_sleep_ms(50);
    }
}

/* The binding (or filter: the same type in librdkafka) of one ALLOW ACL from any host. */
static rd_kafka_AclBinding_t *kt_acl_binding(bool filter, const char *principal,
                                             rd_kafka_ResourceType_t type, const char *name,
                                             rd_kafka_ResourcePatternType_t pattern,
                                             rd_kafka_AclOperation_t operation, const char *what)
{
    char err[512];
    rd_kafka_AclBinding_t *binding =
        filter ? rd_kafka_AclBindingFilter_new(type, name, pattern, principal, "*", operation,
                                               RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err)
               : rd_kafka_AclBinding_new(type, name, pattern, principal, "*", operation,
                                         RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err);
    if (!binding)
        fail_msg("%s: %s", what, err);
    return binding;
}

static void kt_acl_describe(char *buf, size_t size, const char *verb, const char *principal,
                            rd_kafka_ResourceType_t type, const char *name,
                            rd_kafka_ResourcePatternType_t pattern,
                            rd_kafka_AclOperation_t operation)
{
    snprintf(buf, size, "%s ACL %s %s on %s %s (%s)", verb, principal,
             rd_kafka_AclOperation_name(operation), rd_kafka_ResourceType_name(type), name,
             rd_kafka_ResourcePatternType_name(pattern));
}

/* Grants (CreateAcls) or deletes (DeleteAcls) one ACL, then waits until the authorizer shows it. */
static void kt_acl_change(bool grant, const char *principal, rd_kafka_ResourceType_t type,
                          const char *name, rd_kafka_ResourcePatternType_t pattern,
                          rd_kafka_AclOperation_t operation)
{
    char what[512];
    kt_acl_describe(what, sizeof what, grant ? "granting" : "deleting", principal, type, name,
                    pattern, operation);
    rd_kafka_t *client = kt_client();
    rd_kafka_AclBinding_t *binding =
        kt_acl_binding(!grant, principal, type, name, pattern, operation, what);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(client);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(
        client, grant ? RD_KAFKA_ADMIN_OP_CREATEACLS : RD_KAFKA_ADMIN_OP_DELETEACLS);
    rd_kafka_AdminOptions_set_request_timeout(options, KT_TIMEOUT_MS, NULL, 0);
    if (grant)
        rd_kafka_CreateAcls(client, &binding, 1, options, queue);
    else
        rd_kafka_DeleteAcls(client, &binding, 1, options, queue);
    rd_kafka_event_t *event = kt_admin_result(queue, what);
    size_t n = 0;
    const rd_kafka_error_t *error = NULL;
    if (grant) {
        const rd_kafka_acl_result_t **results =
            rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(event), &n);
        if (n == 1)
            error = rd_kafka_acl_result_error(results[0]);
    } else {
        const rd_kafka_DeleteAcls_result_response_t **responses =
            rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(event), &n);
        if (n == 1)
            error = rd_kafka_DeleteAcls_result_response_error(responses[0]);
    }
    char problem[512] = "";
    if (n != 1)
        snprintf(problem, sizeof problem, "%zu results", n);
    else if (error)
        snprintf(problem, sizeof problem, "%s", rd_kafka_error_string(error));
    rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue);
    if (problem[0]) {
        rd_kafka_AclBinding_destroy(binding);
        fail_msg("%s: %s", what, problem);
    }
    kt_acl_wait(binding, grant, what);
    rd_kafka_AclBinding_destroy(binding);
}

void kt_acl_grant(const char *principal, rd_kafka_ResourceType_t type, const char *name,
                  rd_kafka_ResourcePatternType_t pattern, rd_kafka_AclOperation_t operation)
{
    kt_acl_change(true, principal, type, name, pattern, operation);
}

void kt_acl_delete(const char *principal, rd_kafka_ResourceType_t type, const char *name,
                   rd_kafka_ResourcePatternType_t pattern, rd_kafka_AclOperation_t operation)
{
    kt_acl_change(false, principal, type, name, pattern, operation);
}

char *kt_scram_password(const char *user)
{
    char path[4096], line[1024];
    service_env_tls_path(path, sizeof path, "users");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t user_len = strlen(user);
    char *password = NULL;
    while (!password && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, user, user_len) == 0 && line[user_len] == ':')
            password = kt_copy_text(line + user_len + 1);
    }
    fclose(f);
    if (!password)
        fail_msg("%s has no SCRAM user %s", path, user);
    return password;
}

/* ---- Java's partitioner ----------------------------------------------------------------- */

int32_t kt_murmur2(const void *data, size_t len)
{
    const unsigned char *bytes = data;
    const uint32_t seed = 0x9747b28cu, m = 0x5bd1e995u;
    const int r = 24;
    uint32_t h = seed ^ (uint32_t)len;
    size_t len4 = len / 4;
    for (size_t i = 0; i < len4; i++) {
        size_t i4 = i * 4;
        uint32_t k = (uint32_t)bytes[i4] | ((uint32_t)bytes[i4 + 1] << 8) |
                     ((uint32_t)bytes[i4 + 2] << 16) | ((uint32_t)bytes[i4 + 3] << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    size_t tail = len & ~(size_t)3;
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)bytes[tail + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)bytes[tail + 1] << 8;
        /* fall through */
    case 1:
        h ^= (uint32_t)bytes[tail];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t kt_java_partition(const void *key, size_t len, int partitions)
{
    return (int32_t)(((uint32_t)kt_murmur2(key, len) & 0x7fffffffu) % (uint32_t)partitions);
}
