/*
 * test_error_handler.c - the error handler against the real Kafka broker from tests/services/
 * (FERRY_TEST_BOOTSTRAP): errors.tolerance=none fails with a message naming stage, topic,
 * partition and offset and never writes to the DLQ; errors.tolerance=all sends the failed record
 * to a dead-letter queue topic (unique per run) with its exact key, value and headers plus Kafka
 * Connect's __connect.errors.* context headers, checked by consuming it back; no context headers
 * when they are off; bad errors.* values are refused naming the key; a full producer queue loses
 * nothing; flush reports a DLQ record the broker refused; a record larger than the DLQ topic
 * takes is cut to fit (or, when its key and headers alone are too large, not written) and a burst
 * of records is held to the topic's limit; the error log, with and without the record's key and
 * value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "config/config_map.h"
#include "base/log.h"
#include "tasks/error_handler.h"
#include "kafka_tool.h"
#include "service_env.h"

/* A config map from key, value pairs ending with NULL. */
static config_map *make_config(const char *key, ...)
{
    config_map *map = config_map_new();
    assert_non_null(map);
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        assert_int_equal(config_map_set(map, k, value), 0);
    }
    va_end(ap);
    return map;
}

/* The DLQ topic's records, which must be exactly count. */
static kt_records *dlq_read(const char *topic, size_t count)
{
    kt_records *records = kt_consume_all(topic, KT_TIMEOUT_MS);
    if (records->count != count)
        fail_msg("%zu records in %s, expected %zu", records->count, topic, count);
    return records;
}

typedef struct expected_header {
    const char *name;
    const char *value; /* NULL = a null header value */
} expected_header;

/* Every header of the record, in order, exactly as expected. */
static void assert_headers(const kt_record *record, const expected_header *expected,
                           size_t count)
{
    assert_int_equal(record->header_count, count);
    for (size_t i = 0; i < count; i++) {
        const kt_header *header = &record->headers[i];
        assert_string_equal(header->name, expected[i].name);
        if (!expected[i].value) {
            assert_null(header->value);
            continue;
        }
        if (!header->value || header->value_len != strlen(expected[i].value) ||
            memcmp(header->value, expected[i].value, header->value_len) != 0)
            fail_msg("header %s: expected '%s', got '%.*s'", header->name, expected[i].value,
                     (int)header->value_len, header->value ? header->value : "(null)");
    }
}

static rd_kafka_headers_t *original_headers(void)
{
    rd_kafka_headers_t *headers = rd_kafka_headers_new(4);
    assert_int_equal(rd_kafka_header_add(headers, "trace-id", -1, "abc-123", 7),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_header_add(headers, "empty", -1, NULL, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_header_add(headers, "dup", -1, "1", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_header_add(headers, "dup", -1, "2", 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    return headers;
}

static const char sink_key[] = {'k', 0, 'e', (char)0xff, 'y'};
static const char sink_value[] = "{\"id\": 1, oops";
#define SINK_MESSAGE "Converting byte[] to Kafka Connect data failed due to serialization error"
#define JSON_CONVERTER "org.apache.kafka.connect.json.JsonConverter"

static error_context sink_failure(const rd_kafka_headers_t *headers)
{
    return (error_context){
        .stage = ERROR_STAGE_VALUE_CONVERTER,
        .class_name = JSON_CONVERTER,
        .message = SINK_MESSAGE,
        .topic = "orders",
        .partition = 3,
        .offset = 42,
        .key = sink_key,
        .key_len = sizeof(sink_key),
        .value = sink_value,
        .value_len = strlen(sink_value),
        .headers = headers,
    };
}

static error_context source_failure(void)
{
    return (error_context){
        .stage = ERROR_STAGE_TASK_POLL,
        .class_name = "FileSource",
        .message = "line is not valid UTF-8: é",
        .topic = "lines",
        .partition = -1,
        .offset = -1,
        .key = NULL,
        .value = "bad\x01line",
        .value_len = 8,
    };
}

/* ------------------------------------------------------------------------------------------ */

static void test_tolerance_none(void **state)
{
    (void)state;
    char dlq[128], err[1024];
    service_env_unique_name(dlq, sizeof dlq, "ferry_dlq_none");
    /* The default, with a DLQ topic configured: Kafka Connect never writes to it then. */
    config_map *config = make_config("errors.deadletterqueue.topic.name", dlq,
                                     "errors.deadletterqueue.context.headers.enable", "true", NULL);
    error_handler *handler = error_handler_new("conn", 0, "task:conn-0", config, kt_conf_new(), err,
                                               sizeof err);
    if (!handler)
        fail_msg("error_handler_new: %s", err);
    assert_false(error_handler_tolerates_all(handler));

    rd_kafka_headers_t *headers = original_headers();
    error_context sink = sink_failure(headers);
    assert_false(error_handler_report(handler, &sink, err, sizeof err));
    assert_string_equal(err, "Tolerance exceeded in error handler: VALUE_CONVERTER failed for "
                             "orders-3 at offset 42: " SINK_MESSAGE);
    error_context source = source_failure();
    assert_false(error_handler_report(handler, &source, err, sizeof err));
    assert_string_equal(err, "Tolerance exceeded in error handler: TASK_POLL failed for a record "
                             "to topic lines: line is not valid UTF-8: é");

    assert_int_equal(error_handler_failures(handler), 2);
    assert_int_equal(error_handler_dlq_records(handler), 0);
    assert_int_equal(error_handler_flush(handler, 1000, err, sizeof err), 0);
    error_handler_poll(handler);
    error_handler_destroy(handler);
    config_map_destroy(config);

    /* Said explicitly, in any case. */
    config = make_config("errors.tolerance", " NONE ", NULL);
    handler = error_handler_new("conn", 0, "task:conn-0", config, NULL, err, sizeof err);
    assert_non_null(handler);
    assert_false(error_handler_tolerates_all(handler));
    assert_false(error_handler_report(handler, &sink, err, sizeof err));
    error_handler_destroy(handler);
    config_map_destroy(config);
    rd_kafka_headers_destroy(headers);
}

/* Runs one report with the log captured; returns what was logged (caller frees). */
static char *report_logged(error_handler *handler, const error_context *context, bool *tolerated)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    assert_non_null(stream);
    ferry_log_level level = log_max_level();
    log_configure(stream, FERRY_LOG_INFO);
    char err[512];
    *tolerated = error_handler_report(handler, context, err, sizeof err);
    log_configure(NULL, level);
    fclose(stream);
    return text;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected '%s' in: %s", needle, haystack);
}

static void test_tolerance_all_without_dlq_logs(void **state)
{
    (void)state;
    char err[512];
    config_map *config = make_config("errors.tolerance", "all", NULL);
    /* A producer config without DLQ topic is simply released. */
    error_handler *handler = error_handler_new("conn", 2, "task:conn-2", config, kt_conf_new(), err,
                                               sizeof err);
    assert_non_null(handler);
    assert_true(error_handler_tolerates_all(handler));
    error_context sink = sink_failure(NULL);
    bool tolerated = false;
    char *logged = report_logged(handler, &sink, &tolerated);
    assert_true(tolerated);
    assert_string_equal(logged, ""); /* errors.log.enable defaults to false */
    free(logged);
    assert_int_equal(error_handler_flush(handler, 1000, err, sizeof err), 0);
    error_handler_destroy(handler);
    config_map_destroy(config);

    config = make_config("errors.tolerance", "all", "errors.log.enable", "true", NULL);
    handler = error_handler_new("conn", 2, "task:conn-2", config, NULL, err, sizeof err);
    assert_non_null(handler);
    logged = report_logged(handler, &sink, &tolerated);
    assert_true(tolerated);
    assert_contains(logged, "ERROR [task:conn-2] Error encountered in task conn-2. Executing stage "
                            "'VALUE_CONVERTER' with class '" JSON_CONVERTER "', where consumed "
                            "record is {topic='orders', partition=3, offset=42}: " SINK_MESSAGE);
    /* Without errors.log.include.messages the record's data stays out of the log. */
    assert_null(strstr(logged, "key="));
    free(logged);
    error_context source = source_failure();
    logged = report_logged(handler, &source, &tolerated);
    assert_true(tolerated);
    assert_contains(logged, "Executing stage 'TASK_POLL' with class 'FileSource', where source "
                            "record is {topic='lines'}: line is not valid UTF-8: é");
    free(logged);
    error_handler_destroy(handler);
    config_map_destroy(config);

    config = make_config("errors.tolerance", "all", "errors.log.enable", "TRUE",
                         "errors.log.include.messages", "true", NULL);
    handler = error_handler_new("conn", 2, "task:conn-2", config, NULL, err, sizeof err);
    assert_non_null(handler);
    logged = report_logged(handler, &sink, &tolerated);
    assert_true(tolerated);
    /* Non-printable bytes escaped, the backslash too; valid UTF-8 shown as it is. */
    assert_contains(logged, "key='k\\x00e\\xffy', value='{\"id\": 1, oops': " SINK_MESSAGE);
    free(logged);

    char big[3000];
    memset(big, 'v', sizeof big);
    memcpy(big, "é\\\n", 4);
    error_context large = sink;
    large.key = NULL;
    large.value = big;
    large.value_len = sizeof big;
    logged = report_logged(handler, &large, &tolerated);
    assert_true(tolerated);
    assert_contains(logged, "key='null', value='é\\\\\\nvvvv");
    /* Cut at 1 KB of the value, with its real size. */
    assert_contains(logged, "v...(3000 bytes)'");
    assert_true(strlen(logged) < 1500);
    free(logged);

    assert_int_equal(error_handler_failures(handler), 2);
    assert_int_equal(error_handler_dlq_records(handler), 0);
    error_handler_destroy(handler);
    config_map_destroy(config);
}

static void test_dlq_with_context_headers(void **state)
{
    (void)state;
    char dlq[128], err[1024];
    service_env_unique_name(dlq, sizeof dlq, "ferry_dlq_ctx");
    kt_create_topic(dlq, 1, NULL);

    config_map *config = make_config("errors.tolerance", "all",
                                     "errors.deadletterqueue.topic.name", dlq,
                                     "errors.deadletterqueue.topic.replication.factor", "1",
                                     "errors.deadletterqueue.context.headers.enable", "true", NULL);
    error_handler *handler = error_handler_new("orders-sink", 7, "task:orders-sink-7", config,
                                               kt_conf_new(), err, sizeof err);
    if (!handler)
        fail_msg("error_handler_new: %s", err);

    rd_kafka_headers_t *headers = original_headers();
    error_context sink = sink_failure(headers);
    assert_true(error_handler_report(handler, &sink, err, sizeof err));
    error_context source = source_failure();
    assert_true(error_handler_report(handler, &source, err, sizeof err));
    /* The caller's headers are copied, not taken. */
    assert_int_equal(rd_kafka_header_cnt(headers), 4);
    rd_kafka_headers_destroy(headers);

    assert_int_equal(error_handler_flush(handler, KT_TIMEOUT_MS, err, sizeof err), 0);
    assert_int_equal(error_handler_failures(handler), 2);
    assert_int_equal(error_handler_dlq_records(handler), 2);

    kt_records *records = dlq_read(dlq, 2);
    const kt_record *read = records->items;

    /* The sink record: its exact bytes and headers, then Kafka Connect's context. */
    assert_int_equal(read[0].key_len, sizeof(sink_key));
    assert_memory_equal(read[0].key, sink_key, sizeof(sink_key));
    assert_int_equal(read[0].value_len, strlen(sink_value));
    assert_memory_equal(read[0].value, sink_value, strlen(sink_value));
    const expected_header sink_headers[] = {
        {"trace-id", "abc-123"},
        {"empty", NULL},
        {"dup", "1"},
        {"dup", "2"},
        {"__connect.errors.topic", "orders"},
        {"__connect.errors.partition", "3"},
        {"__connect.errors.offset", "42"},
        {"__connect.errors.connector.name", "orders-sink"},
        {"__connect.errors.task.id", "7"},
        {"__connect.errors.stage", "VALUE_CONVERTER"},
        {"__connect.errors.class.name", JSON_CONVERTER},
        {"__connect.errors.exception.class.name", "io.ferry.errors.ConverterException"},
        {"__connect.errors.exception.message", SINK_MESSAGE},
    };
    assert_headers(&read[0], sink_headers, sizeof(sink_headers) / sizeof(sink_headers[0]));

    /* The source record: a null key stays null; no Kafka position yet. */
    assert_null(read[1].key);
    assert_int_equal(read[1].value_len, 8);
    assert_memory_equal(read[1].value, "bad\x01line", 8);
    const expected_header source_headers[] = {
        {"__connect.errors.topic", "lines"},
        {"__connect.errors.partition", "-1"},
        {"__connect.errors.offset", "-1"},
        {"__connect.errors.connector.name", "orders-sink"},
        {"__connect.errors.task.id", "7"},
        {"__connect.errors.stage", "TASK_POLL"},
        {"__connect.errors.class.name", "FileSource"},
        {"__connect.errors.exception.class.name", "io.ferry.errors.ConnectorException"},
        {"__connect.errors.exception.message", "line is not valid UTF-8: é"},
    };
    assert_headers(&read[1], source_headers,
                   sizeof(source_headers) / sizeof(source_headers[0]));

    kt_records_free(records);
    error_handler_destroy(handler);
    config_map_destroy(config);
    kt_delete_topics((const char *const[]){dlq}, 1);
}

static void test_dlq_without_context_headers(void **state)
{
    (void)state;
    char dlq[128], err[1024];
    service_env_unique_name(dlq, sizeof dlq, "ferry_dlq_plain");
    kt_create_topic(dlq, 1, NULL);

    /* context.headers.enable defaults to false. */
    config_map *config = make_config("errors.tolerance", "all",
                                     "errors.deadletterqueue.topic.name", dlq, NULL);
    error_handler *handler = error_handler_new("orders-sink", 0, "task:orders-sink-0", config,
                                               kt_conf_new(), err, sizeof err);
    if (!handler)
        fail_msg("error_handler_new: %s", err);
    rd_kafka_headers_t *headers = original_headers();
    error_context with_headers = sink_failure(headers);
    error_context without_headers = sink_failure(NULL);
    without_headers.key = NULL;
    without_headers.value = NULL; /* a tombstone stays a tombstone */
    assert_true(error_handler_report(handler, &with_headers, err, sizeof err));
    assert_true(error_handler_report(handler, &without_headers, err, sizeof err));
    rd_kafka_headers_destroy(headers);
    assert_int_equal(error_handler_flush(handler, KT_TIMEOUT_MS, err, sizeof err), 0);
    assert_int_equal(error_handler_dlq_records(handler), 2);

    kt_records *records = dlq_read(dlq, 2);
    const kt_record *read = records->items;
    assert_memory_equal(read[0].key, sink_key, sizeof(sink_key));
    assert_memory_equal(read[0].value, sink_value, strlen(sink_value));
    /* Only the record's own headers: none of __connect.errors.*. */
    const expected_header own[] = {
        {"trace-id", "abc-123"}, {"empty", NULL}, {"dup", "1"}, {"dup", "2"}};
    assert_headers(&read[0], own, sizeof(own) / sizeof(own[0]));
    assert_null(read[1].key);
    assert_null(read[1].value);
    assert_headers(&read[1], NULL, 0);

    kt_records_free(records);
    error_handler_destroy(handler);
    config_map_destroy(config);
    kt_delete_topics((const char *const[]){dlq}, 1);
}

static void assert_refused(config_map *config, bool with_producer_conf, const char *expected)
{
    char err[512] = "";
    /* The producer config is taken on error too (ASan's leak check would say otherwise). */
    error_handler *handler = error_handler_new("conn", 0, "task:conn-0", config,
                                               with_producer_conf ? kt_conf_new() : NULL, err,
                                               sizeof err);
    assert_null(handler);
    assert_contains(err, expected);
    config_map_destroy(config);
}

static void test_bad_config(void **state)
{
    (void)state;
    assert_refused(make_config("errors.tolerance", "sometimes", NULL), true,
                   "Invalid value 'sometimes' for configuration errors.tolerance: expected none "
                   "or all");
    assert_refused(make_config("errors.tolerance", "", NULL), false,
                   "configuration errors.tolerance");
    assert_refused(make_config("errors.log.enable", "yes", NULL), true,
                   "Invalid value 'yes' for configuration errors.log.enable: expected true or "
                   "false");
    assert_refused(make_config("errors.log.include.messages", "1", NULL), false,
                   "configuration errors.log.include.messages");
    assert_refused(make_config("errors.deadletterqueue.context.headers.enable", "on", NULL), true,
                   "configuration errors.deadletterqueue.context.headers.enable");
    assert_refused(make_config("errors.deadletterqueue.topic.replication.factor", "three", NULL),
                   true, "configuration errors.deadletterqueue.topic.replication.factor");
    assert_refused(make_config("errors.deadletterqueue.topic.replication.factor", "0", NULL), true,
                   "errors.deadletterqueue.topic.replication.factor: expected -1");
    assert_refused(make_config("errors.tolerance", "all", "errors.deadletterqueue.topic.name",
                               "dlq", NULL),
                   false, "errors.deadletterqueue.topic.name=dlq needs a producer configuration");

    /* A producer librdkafka refuses to create: the message says it is the DLQ's. */
    rd_kafka_conf_t *conf = kt_conf_new();
    kt_conf_set(conf, "max.in.flight.requests.per.connection", "100");
    config_map *config = make_config("errors.tolerance", "all", "errors.deadletterqueue.topic.name",
                                     "dlq", NULL);
    char err[512] = "";
    assert_null(error_handler_new("conn", 0, "task:conn-0", config, conf, err, sizeof err));
    assert_contains(err, "dead-letter queue producer");
    config_map_destroy(config);

    /* Empty DLQ name = none (Kafka Connect's default); -1 = the broker's replication factor. */
    config = make_config("errors.tolerance", "all", "errors.deadletterqueue.topic.name", " ",
                         "errors.deadletterqueue.topic.replication.factor", "-1", NULL);
    error_handler *handler = error_handler_new("conn", 0, "task:conn-0", config, kt_conf_new(), err,
                                               sizeof err);
    assert_non_null(handler);
    error_context sink = sink_failure(NULL);
    assert_true(error_handler_report(handler, &sink, err, sizeof err));
    assert_int_equal(error_handler_dlq_records(handler), 0);
    error_handler_destroy(handler);
    config_map_destroy(config);
    error_handler_destroy(NULL);
}

static void test_queue_full_loses_nothing(void **state)
{
    (void)state;
    enum { RECORDS = 25 };
    char dlq[128], err[1024];
    service_env_unique_name(dlq, sizeof dlq, "ferry_dlq_full");
    kt_create_topic(dlq, 1, NULL);

    /* A queue of one record: every report after the first finds it full and must wait. */
    rd_kafka_conf_t *conf = kt_conf_new();
    kt_conf_set(conf, "queue.buffering.max.messages", "1");
    config_map *config = make_config("errors.tolerance", "all",
                                     "errors.deadletterqueue.topic.name", dlq, NULL);
    error_handler *handler = error_handler_new("conn", 1, "task:conn-1", config, conf, err,
                                               sizeof err);
    if (!handler)
        fail_msg("error_handler_new: %s", err);
    for (int i = 0; i < RECORDS; i++) {
        char value[32];
        snprintf(value, sizeof value, "failed-%02d", i);
        error_context context = sink_failure(NULL);
        context.offset = i;
        context.value = value;
        context.value_len = strlen(value);
        if (!error_handler_report(handler, &context, err, sizeof err))
            fail_msg("report %d: %s", i, err);
    }
    assert_int_equal(error_handler_dlq_records(handler), RECORDS);
    assert_int_equal(error_handler_flush(handler, KT_TIMEOUT_MS, err, sizeof err), 0);

    kt_records *records = dlq_read(dlq, RECORDS);
    const kt_record *read = records->items;
    for (int i = 0; i < RECORDS; i++) {
        char value[32];
        snprintf(value, sizeof value, "failed-%02d", i);
        assert_int_equal(read[i].value_len, strlen(value));
        assert_memory_equal(read[i].value, value, strlen(value));
    }
    kt_records_free(records);
    error_handler_destroy(handler);
    config_map_destroy(config);
    kt_delete_topics((const char *const[]){dlq}, 1);
}

static void test_flush_reports_delivery_error(void **state)
{
    (void)state;
    char err[1024];
    /* The broker refuses the topic's name: the producer queues the record, the delivery report
     * fails. */
    const char *dlq = "ferry dlq refused!";
    config_map *config = make_config("errors.tolerance", "all",
                                     "errors.deadletterqueue.topic.name", dlq, NULL);
    error_handler *handler = error_handler_new("conn", 0, "task:conn-0", config, kt_conf_new(), err,
                                               sizeof err);
    if (!handler)
        fail_msg("error_handler_new: %s", err);

    error_context context = sink_failure(NULL);
    assert_true(error_handler_report(handler, &context, err, sizeof err));
    assert_int_equal(error_handler_dlq_records(handler), 1);

    err[0] = '\0';
    assert_int_equal(error_handler_flush(handler, KT_TIMEOUT_MS, err, sizeof err), -1);
    assert_contains(err, "1 record(s) could not be delivered to the dead-letter queue topic");
    assert_contains(err, dlq);
    assert_contains(err, "first error: ");
    /* It stays reported: no offset may pass the lost record. */
    err[0] = '\0';
    assert_int_equal(error_handler_flush(handler, 1000, err, sizeof err), -1);
    assert_contains(err, "could not be delivered");

    error_handler_destroy(handler);
    config_map_destroy(config);
}

/* A DLQ topic that takes 1024 bytes: a record too large for it is cut to fit, on a character
 * boundary, with the ferry.dlq.truncated header holding its value's length before; one whose key
 * and headers alone are too large is not written; a burst of records that fit one by one but not
 * together all arrive (the records in flight are held to the topic's limit, since the broker
 * refuses a whole batch that outgrows it). Without this, the broker would refuse them and no
 * offset could pass them, again after every restart. */
static void test_dlq_record_cut_to_fit(void **state)
{
    (void)state;
    enum { BURST = 20, BURST_VALUE = 300, LONG_VALUE = 3001 };
    char dlq[128], err[1024];
    service_env_unique_name(dlq, sizeof dlq, "ferry_dlq_cut");
    kt_create_topic(dlq, 1, (const char *const[]){"max.message.bytes", "1024", NULL});
    config_map *config = make_config("errors.tolerance", "all",
                                     "errors.deadletterqueue.topic.name", dlq,
                                     "errors.deadletterqueue.context.headers.enable", "true",
                                     NULL);
    error_handler *handler = error_handler_new("conn", 0, "task:conn-0", config, kt_conf_new(),
                                               err, sizeof err);
    if (!handler)
        fail_msg("error_handler_new: %s", err);

    /* Text of two-byte characters after one ASCII byte: a cut at an even length would split
     * one. */
    char long_value[LONG_VALUE];
    long_value[0] = '<';
    for (size_t i = 1; i + 1 < sizeof long_value; i += 2)
        memcpy(long_value + i, "\xc3\xa9", 2);
    error_context context = sink_failure(NULL);
    context.value = long_value;
    context.value_len = sizeof long_value;
    assert_true(error_handler_report(handler, &context, err, sizeof err));

    char big_key[2000];
    memset(big_key, 'k', sizeof big_key);
    context = sink_failure(NULL);
    context.key = big_key;
    context.key_len = sizeof big_key;
    assert_true(error_handler_report(handler, &context, err, sizeof err));
    assert_int_equal(error_handler_dlq_records(handler), 1);

    char burst_value[BURST_VALUE];
    memset(burst_value, 'b', sizeof burst_value);
    for (int i = 0; i < BURST; i++) {
        context = sink_failure(NULL);
        context.offset = 100 + i;
        context.value = burst_value;
        context.value_len = sizeof burst_value;
        assert_true(error_handler_report(handler, &context, err, sizeof err));
    }
    assert_int_equal(error_handler_dlq_records(handler), 1 + BURST);
    if (error_handler_flush(handler, KT_TIMEOUT_MS, err, sizeof err) != 0)
        fail_msg("flush: %s", err);

    kt_records *records = dlq_read(dlq, 1 + BURST);
    const kt_record *cut = &records->items[0];
    const kt_header *marker = kt_record_header(cut, "ferry.dlq.truncated");
    assert_non_null(marker);
    assert_string_equal(marker->value, "3001");
    assert_true(cut->value_len > 100 && cut->value_len < 1024);
    assert_int_equal(cut->value_len % 2, 1); /* '<' and whole characters */
    assert_memory_equal(cut->value, long_value, cut->value_len);
    assert_non_null(kt_record_header(cut, "__connect.errors.exception.message"));
    for (int i = 1; i <= BURST; i++) {
        assert_int_equal(records->items[i].value_len, BURST_VALUE);
        assert_null(kt_record_header(&records->items[i], "ferry.dlq.truncated"));
    }
    kt_records_free(records);
    error_handler_destroy(handler);
    config_map_destroy(config);
    kt_delete_topics((const char *const[]){dlq}, 1);
}

static void test_stage_names(void **state)
{
    (void)state;
    assert_string_equal(error_stage_name(ERROR_STAGE_KEY_CONVERTER), "KEY_CONVERTER");
    assert_string_equal(error_stage_name(ERROR_STAGE_VALUE_CONVERTER), "VALUE_CONVERTER");
    assert_string_equal(error_stage_name(ERROR_STAGE_HEADER_CONVERTER), "HEADER_CONVERTER");
    assert_string_equal(error_stage_name(ERROR_STAGE_TRANSFORMATION), "TRANSFORMATION");
    assert_string_equal(error_stage_name(ERROR_STAGE_TASK_PUT), "TASK_PUT");
    assert_string_equal(error_stage_name(ERROR_STAGE_TASK_POLL), "TASK_POLL");
    assert_string_equal(error_stage_name(ERROR_STAGE_KAFKA_PRODUCE), "KAFKA_PRODUCE");
    assert_string_equal(error_stage_name(ERROR_STAGE_KAFKA_CONSUME), "KAFKA_CONSUME");
}

int main(void)
{
    kt_init();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stage_names),
        cmocka_unit_test(test_tolerance_none),
        cmocka_unit_test(test_tolerance_all_without_dlq_logs),
        cmocka_unit_test(test_dlq_with_context_headers),
        cmocka_unit_test(test_dlq_without_context_headers),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_queue_full_loses_nothing),
        cmocka_unit_test(test_flush_reports_delivery_error),
        cmocka_unit_test(test_dlq_record_cut_to_fit),
    };
    return cmocka_run_group_tests_name("error_handler", tests, NULL, NULL);
}
