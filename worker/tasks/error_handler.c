/*
 * error_handler.c - Kafka Connect's error handling for one task: errors.tolerance, the error log
 * and the dead-letter queue.
 *
 * As in Kafka Connect's RetryWithToleranceOperator, tolerance is decided first: with
 * errors.tolerance=none the task fails and nothing goes to the DLQ (Kafka Connect throws before
 * its reporters run). ferry still writes the error log line when errors.log.enable is set, so the
 * record that stopped the task is visible next to the task's trace.
 *
 * The DLQ producer is idempotent with acks=all: a DLQ record stands in for a record the task
 * skips, and the task may commit offsets past it only once error_handler_flush has seen it
 * acknowledged.
 *
 * A DLQ record must fit its topic: the producer would refuse a larger one (failing the task) or
 * the broker would (and no offset could pass it), again at every restart. So the handler learns
 * what the topic takes (record_limit.h) before its first DLQ record, cuts a value that is too
 * large, saying so in a header, and keeps the records in flight within the topic's limit when
 * that is below the producer's batches (the broker refuses a whole batch that outgrows it).
 */
#include "tasks/error_handler.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ferry/plugin.h>

#include "config/config_validate.h"
#include "base/log.h"
#include "kafka/kafka_client.h"
#include "kafka/topic_admin.h"
#include "tasks/record_limit.h"
#include "support/clock.h"
#include "support/strbuf.h"
#include "support/utf8.h"

/* How long a DLQ record may wait for room in the producer's queue before the handler gives up
 * and fails the task rather than lose the record. */
#define ERROR_HANDLER_QUEUE_TIMEOUT_MS 30000
#define ERROR_HANDLER_DESTROY_FLUSH_MS 5000
/* How much of a key or value errors.log.include.messages shows. */
#define ERROR_HANDLER_LOG_BYTES 1024

#define ERROR_HEADER_PREFIX "__connect.errors."
/* On a DLQ record whose value was cut to fit the topic: the value's length before, in bytes. */
#define ERROR_HEADER_TRUNCATED "ferry.dlq.truncated"

struct error_handler {
    char *connector;
    int task_id;
    char *scope;
    bool tolerate_all;
    bool log_enable;
    bool log_include_messages;
    bool context_headers;
    char *dlq_topic;        /* NULL: no dead-letter queue */
    int16_t dlq_replication_factor; /* when the topic is created; -1 = the broker's default */
    rd_kafka_t *producer;   /* the DLQ producer, or NULL */

    uint64_t failures;
    uint64_t dlq_records;   /* records queued to the DLQ */
    uint64_t dlq_delivered; /* served by the delivery report callback */
    uint64_t dlq_failed;
    char first_delivery_error[256];
    /* What the DLQ topic takes (0 until the first DLQ record asks), and whether that is less
     * than the producer's batches: then the bytes in flight are kept within it. */
    int64_t dlq_limit;
    bool dlq_limit_batches;
    int64_t dlq_bytes_in_flight;
    uint64_t dlq_truncated;
};

const char *error_stage_name(error_stage stage)
{
    switch (stage) {
    case ERROR_STAGE_KEY_CONVERTER: return "KEY_CONVERTER";
    case ERROR_STAGE_VALUE_CONVERTER: return "VALUE_CONVERTER";
    case ERROR_STAGE_HEADER_CONVERTER: return "HEADER_CONVERTER";
    case ERROR_STAGE_TRANSFORMATION: return "TRANSFORMATION";
    case ERROR_STAGE_TASK_PUT: return "TASK_PUT";
    case ERROR_STAGE_TASK_POLL: return "TASK_POLL";
    case ERROR_STAGE_KAFKA_PRODUCE: return "KAFKA_PRODUCE";
    case ERROR_STAGE_KAFKA_CONSUME: return "KAFKA_CONSUME";
    }
    return "UNKNOWN";
}

/* __connect.errors.exception.class.name: Kafka Connect writes the Java exception's class there.
 * ferry has no exceptions, so it names the kind of failure after the stage, in a namespace of its
 * own so that no consumer mistakes it for a Java class it could load:
 *   KEY_CONVERTER, VALUE_CONVERTER, HEADER_CONVERTER -> io.ferry.errors.ConverterException
 *   TRANSFORMATION                                    -> io.ferry.errors.TransformationException
 *   TASK_PUT, TASK_POLL (the plugin rejected it)      -> io.ferry.errors.ConnectorException
 *   KAFKA_PRODUCE                                     -> io.ferry.errors.ProducerException
 *   KAFKA_CONSUME                                     -> io.ferry.errors.ConsumerException */
static const char *error_handler_exception_class(error_stage stage)
{
    switch (stage) {
    case ERROR_STAGE_KEY_CONVERTER:
    case ERROR_STAGE_VALUE_CONVERTER:
    case ERROR_STAGE_HEADER_CONVERTER: return "io.ferry.errors.ConverterException";
    case ERROR_STAGE_TRANSFORMATION: return "io.ferry.errors.TransformationException";
    case ERROR_STAGE_TASK_PUT:
    case ERROR_STAGE_TASK_POLL: return "io.ferry.errors.ConnectorException";
    case ERROR_STAGE_KAFKA_PRODUCE: return "io.ferry.errors.ProducerException";
    case ERROR_STAGE_KAFKA_CONSUME: return "io.ferry.errors.ConsumerException";
    }
    return "io.ferry.errors.ConnectException";
}

/* ------------------------------------------------------------------------------------------ */
/* Configuration                                                                              */

static int error_handler_config_bool(const config_map *config, const char *key, bool *out,
                                     char *err, size_t errlen)
{
    const char *value = config_map_get(config, key);
    if (!value)
        return 0; /* the caller's default stays */
    char expected[128];
    if (config_value_parse_bool(value, out, expected, sizeof(expected)) != 0) {
        ferry_error_set(err, errlen, "Invalid value '%s' for configuration %s: %s", value, key,
                        expected);
        return -1;
    }
    return 0;
}

static int error_handler_configure(error_handler *handler, const config_map *config, char *err,
                                   size_t errlen)
{
    const char *tolerance = config_map_get(config, "errors.tolerance");
    if (tolerance) {
        /* Compared without case or surrounding blanks: more lenient than Java, never stricter. */
        const char *start = tolerance;
        while (*start == ' ' || *start == '\t')
            start++;
        size_t len = strlen(start);
        while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
            len--;
        if (len == 3 && strncasecmp(start, "all", 3) == 0) {
            handler->tolerate_all = true;
        } else if (len == 4 && strncasecmp(start, "none", 4) == 0) {
            handler->tolerate_all = false;
        } else {
            ferry_error_set(err, errlen,
                            "Invalid value '%s' for configuration errors.tolerance: expected none "
                            "or all",
                            tolerance);
            return -1;
        }
    }
    if (error_handler_config_bool(config, "errors.log.enable", &handler->log_enable, err,
                                  errlen) != 0 ||
        error_handler_config_bool(config, "errors.log.include.messages",
                                  &handler->log_include_messages, err, errlen) != 0 ||
        error_handler_config_bool(config, "errors.deadletterqueue.context.headers.enable",
                                  &handler->context_headers, err, errlen) != 0)
        return -1;

    /* Only whoever creates the DLQ topic uses the replication factor; checked here so that a
     * bad value is reported when the connector starts, not when the first record fails. Kafka
     * Connect's type is a short, -1 meaning the broker's default. */
    const char *replication = config_map_get(config, "errors.deadletterqueue.topic.replication.factor");
    handler->dlq_replication_factor = 3; /* Kafka Connect's default */
    if (replication) {
        int64_t factor = 0;
        char expected[128];
        if (config_value_parse_int(replication, -1, 32767, &factor, expected,
                                   sizeof(expected)) != 0) {
            ferry_error_set(err, errlen,
                            "Invalid value '%s' for configuration "
                            "errors.deadletterqueue.topic.replication.factor: %s",
                            replication, expected);
            return -1;
        }
        if (factor == 0) {
            ferry_error_set(err, errlen,
                            "Invalid value '%s' for configuration "
                            "errors.deadletterqueue.topic.replication.factor: expected -1 (the "
                            "broker's default) or at least 1",
                            replication);
            return -1;
        }
        handler->dlq_replication_factor = (int16_t)factor;
    }

    const char *topic = config_map_get(config, "errors.deadletterqueue.topic.name");
    if (topic) {
        while (*topic == ' ' || *topic == '\t')
            topic++;
        size_t len = strlen(topic);
        while (len > 0 && (topic[len - 1] == ' ' || topic[len - 1] == '\t'))
            len--;
        if (len > 0) {
            handler->dlq_topic = strndup(topic, len);
            if (!handler->dlq_topic) {
                ferry_error_set(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The DLQ producer                                                                           */

static void error_handler_on_delivery(rd_kafka_t *producer, const rd_kafka_message_t *message,
                                      void *opaque)
{
    error_handler *handler = opaque;
    (void)producer;
    handler->dlq_bytes_in_flight -= (int64_t)(uintptr_t)message->_private;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        handler->dlq_delivered++;
        return;
    }
    if (handler->dlq_failed++ == 0)
        snprintf(handler->first_delivery_error, sizeof(handler->first_delivery_error), "%s",
                 rd_kafka_err2str(message->err));
    log_error(handler->scope, "a record could not be delivered to the dead-letter queue topic %s: %s",
              handler->dlq_topic, rd_kafka_err2str(message->err));
}

/* Takes ownership of conf, also on error. */
static int error_handler_producer_start(error_handler *handler, rd_kafka_conf_t *conf, char *err,
                                        size_t errlen)
{
    char kafka_err[512];
    /* A DLQ record replaces a record the task skips: it must not be lost or duplicated by a
     * retry, whatever producer.* or producer.override.* say. */
    static const char *const required[][2] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (rd_kafka_conf_set(conf, required[i][0], required[i][1], kafka_err,
                              sizeof(kafka_err)) != RD_KAFKA_CONF_OK) {
            ferry_error_set(err, errlen, "dead-letter queue producer: %s=%s: %s", required[i][0],
                            required[i][1], kafka_err);
            rd_kafka_conf_destroy(conf);
            return -1;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, error_handler_on_delivery);
    rd_kafka_conf_set_opaque(conf, handler);

    /* rd_kafka_new owns conf on success only. */
    handler->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kafka_err, sizeof(kafka_err));
    if (!handler->producer) {
        rd_kafka_conf_destroy(conf);
        ferry_error_set(err, errlen, "dead-letter queue producer for topic %s: %s",
                        handler->dlq_topic, kafka_err);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Life cycle                                                                                 */

error_handler *error_handler_new(const char *connector, int task_id, const char *scope,
                                 const config_map *connector_config,
                                 rd_kafka_conf_t *producer_conf, char *err, size_t errlen)
{
    error_handler *handler = calloc(1, sizeof(*handler));
    if (!handler) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    handler->task_id = task_id;
    handler->connector = strdup(connector ? connector : "");
    handler->scope = strdup(scope ? scope : "");
    if (!handler->connector || !handler->scope) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    if (error_handler_configure(handler, connector_config, err, errlen) != 0)
        goto fail;

    if (handler->dlq_topic && !handler->tolerate_all) {
        /* Kafka Connect accepts this and never writes to the topic; say so once. */
        log_warn(handler->scope,
                 "errors.deadletterqueue.topic.name=%s is ignored: errors.tolerance=none fails "
                 "the task on the first error instead",
                 handler->dlq_topic);
    }
    if (handler->dlq_topic && handler->tolerate_all) {
        if (!producer_conf) {
            ferry_error_set(err, errlen,
                            "errors.deadletterqueue.topic.name=%s needs a producer configuration",
                            handler->dlq_topic);
            goto fail;
        }
        rd_kafka_conf_t *conf = producer_conf;
        producer_conf = NULL;
        if (error_handler_producer_start(handler, conf, err, errlen) != 0)
            goto fail;
    }
    if (producer_conf)
        rd_kafka_conf_destroy(producer_conf);
    return handler;

fail:
    if (producer_conf)
        rd_kafka_conf_destroy(producer_conf);
    error_handler_destroy(handler);
    return NULL;
}

int error_handler_dlq_topic_create(error_handler *handler, int timeout_ms, char *err,
                                   size_t errlen)
{
    if (!handler->producer)
        return 0;
    /* As Kafka Connect's DeadLetterQueueReporter: one partition, the configured replication
     * factor, and an existing topic used as it is. */
    topic_spec spec = {.name = handler->dlq_topic, .partitions = 1,
                       .replication_factor = handler->dlq_replication_factor,
                       .config_key = "errors.deadletterqueue.topic.name"};
    if (topic_admin_ensure(handler->producer, &spec, timeout_ms, err, errlen) != 0 ||
        topic_admin_wait_known(handler->producer, handler->dlq_topic, timeout_ms, err,
                               errlen) != 0)
        return -1;
    return 0;
}

void error_handler_destroy(error_handler *handler)
{
    if (!handler)
        return;
    if (handler->producer) {
        if (rd_kafka_flush(handler->producer, ERROR_HANDLER_DESTROY_FLUSH_MS) != 0)
            log_error(handler->scope,
                      "%d record(s) for the dead-letter queue topic %s were not acknowledged "
                      "within %d ms and may be lost",
                      rd_kafka_outq_len(handler->producer), handler->dlq_topic,
                      ERROR_HANDLER_DESTROY_FLUSH_MS);
        rd_kafka_destroy(handler->producer);
    }
    free(handler->connector);
    free(handler->scope);
    free(handler->dlq_topic);
    free(handler);
}

bool error_handler_tolerates_all(const error_handler *handler)
{
    return handler->tolerate_all;
}

/* ------------------------------------------------------------------------------------------ */
/* Reporting                                                                                  */

/* A key or value for the log: printable ASCII and valid UTF-8 as they are, anything else (and
 * the backslash) escaped, cut after ERROR_HANDLER_LOG_BYTES of input. A new string, or NULL. */
static char *error_handler_printable(const void *data, size_t len)
{
    if (!data)
        return strdup("null");
    size_t shown = len < ERROR_HANDLER_LOG_BYTES ? len : ERROR_HANDLER_LOG_BYTES;
    strbuf out = {0};
    const unsigned char *bytes = data;
    size_t i = 0;
    while (i < shown) {
        unsigned char c = bytes[i];
        if (c == '\\') {
            strbuf_append_literal(&out, "\\\\");
            i++;
        } else if (c >= 0x20 && c < 0x7f) {
            strbuf_append_char(&out, (char)c);
            i++;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            strbuf_append_char(&out, '\\');
            strbuf_append_char(&out, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
            i++;
        } else {
            /* A UTF-8 sequence cut by the limit is escaped rather than shown half. */
            size_t seq = c >= 0x80 ? utf8_sequence(bytes + i, shown - i, NULL) : 0;
            if (seq > 0) {
                strbuf_append(&out, bytes + i, seq);
                i += seq;
            } else {
                strbuf_append_printf(&out, "\\x%02x", c);
                i++;
            }
        }
    }
    if (shown < len)
        strbuf_append_printf(&out, "...(%zu bytes)", len);
    return strbuf_take(&out, NULL);
}

static void error_handler_log(error_handler *handler, const error_context *context)
{
    const char *topic = context->topic ? context->topic : "";
    const char *class_name = context->class_name ? context->class_name : "unknown";
    const char *message = context->message ? context->message : "";
    char where[512];
    /* Kafka Connect's LogReporter wording, so that existing log alerts keep matching. */
    if (context->offset >= 0)
        snprintf(where, sizeof(where), "consumed record is {topic='%s', partition=%" PRId32
                 ", offset=%" PRId64 "}", topic, context->partition, context->offset);
    else
        snprintf(where, sizeof(where), "source record is {topic='%s'}", topic);

    if (!handler->log_include_messages) {
        log_error(handler->scope,
                  "Error encountered in task %s-%d. Executing stage '%s' with class '%s', where "
                  "%s: %s",
                  handler->connector, handler->task_id, error_stage_name(context->stage),
                  class_name, where, message);
        return;
    }
    char *key = error_handler_printable(context->key, context->key_len);
    char *value = error_handler_printable(context->value, context->value_len);
    log_error(handler->scope,
              "Error encountered in task %s-%d. Executing stage '%s' with class '%s', where %s, "
              "key='%s', value='%s': %s",
              handler->connector, handler->task_id, error_stage_name(context->stage), class_name,
              where, key ? key : "(out of memory)", value ? value : "(out of memory)", message);
    free(key);
    free(value);
}

static rd_kafka_resp_err_t error_handler_header_add(rd_kafka_headers_t *headers, const char *name,
                                                    const char *value)
{
    return rd_kafka_header_add(headers, name, -1, value, (ssize_t)strlen(value));
}

/* The record's own headers, then Kafka Connect's context headers when enabled, in *out (NULL when
 * there are none: the DLQ record then has no header list at all, like the original). Returns 0, or
 * -1 out of memory. */
static int error_handler_dlq_headers(const error_handler *handler, const error_context *context,
                                     rd_kafka_headers_t **out)
{
    *out = NULL;
    if (!context->headers && !handler->context_headers)
        return 0;
    rd_kafka_headers_t *headers = context->headers ? rd_kafka_headers_copy(context->headers)
                                                   : rd_kafka_headers_new(10);
    if (!headers)
        return -1;
    if (!handler->context_headers) {
        *out = headers;
        return 0;
    }

    /* The message may quote what the plugin was given: the connector's secrets out, as in its
     * log lines. */
    char *message = log_redact(handler->scope, context->message ? context->message : "");
    if (!message) {
        rd_kafka_headers_destroy(headers);
        return -1;
    }
    char partition[16], offset[24], task[16];
    snprintf(partition, sizeof(partition), "%" PRId32, context->partition);
    snprintf(offset, sizeof(offset), "%" PRId64, context->offset);
    snprintf(task, sizeof(task), "%d", handler->task_id);
    /* Kafka Connect's DeadLetterQueueReporter order and names. It adds a stack trace too
     * (exception.stacktrace); ferry has none to give and leaves that header out. */
    const char *const context_headers[][2] = {
        {ERROR_HEADER_PREFIX "topic", context->topic ? context->topic : ""},
        {ERROR_HEADER_PREFIX "partition", partition},
        {ERROR_HEADER_PREFIX "offset", offset},
        {ERROR_HEADER_PREFIX "connector.name", handler->connector},
        {ERROR_HEADER_PREFIX "task.id", task},
        {ERROR_HEADER_PREFIX "stage", error_stage_name(context->stage)},
        {ERROR_HEADER_PREFIX "class.name", context->class_name ? context->class_name : "unknown"},
        {ERROR_HEADER_PREFIX "exception.class.name", error_handler_exception_class(context->stage)},
        {ERROR_HEADER_PREFIX "exception.message", message},
    };
    for (size_t i = 0; i < sizeof(context_headers) / sizeof(context_headers[0]); i++) {
        if (error_handler_header_add(headers, context_headers[i][0], context_headers[i][1]) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            free(message);
            rd_kafka_headers_destroy(headers);
            return -1;
        }
    }
    free(message);
    *out = headers;
    return 0;
}

/* The sum of the header names and values, and their count. */
static size_t error_handler_headers_size(const rd_kafka_headers_t *headers, size_t *count)
{
    size_t bytes = 0;
    const char *name;
    const void *value;
    size_t size;
    *count = 0;
    while (headers && rd_kafka_header_get_all(headers, *count, &name, &value, &size) ==
                          RD_KAFKA_RESP_ERR_NO_ERROR) {
        bytes += strlen(name) + size;
        (*count)++;
    }
    return bytes;
}

/* Makes the record fit the DLQ topic: *value_len cut (to a character boundary in text) with the
 * ERROR_HEADER_TRUNCATED header added to *headers when the record is too large. *size is what the
 * record takes. Returns 0, 1 when it cannot fit (its key and headers alone are too large), -1 out
 * of memory. */
static int error_handler_dlq_fit(error_handler *handler, const error_context *context,
                                 size_t *value_len, rd_kafka_headers_t **headers, int64_t *size)
{
    if (handler->dlq_limit == 0) {
        handler->dlq_limit = record_limit_derive(handler->producer, handler->dlq_topic,
                                                 handler->scope);
        handler->dlq_limit_batches =
            handler->dlq_limit < record_limit_producer_batch(handler->producer);
    }
    size_t key_len = context->key ? context->key_len : 0;
    size_t header_count;
    size_t header_bytes = error_handler_headers_size(*headers, &header_count);
    *size = record_limit_record_size(key_len, *value_len, header_bytes, header_count);
    if (*size <= handler->dlq_limit)
        return 0;
    char original[24];
    int length = snprintf(original, sizeof(original), "%zu", *value_len);
    size_t marked_bytes = header_bytes + strlen(ERROR_HEADER_TRUNCATED) + (size_t)length;
    int64_t room = record_limit_value_room(handler->dlq_limit, key_len, marked_bytes,
                                           header_count + 1);
    if (room < 0) {
        log_error(handler->scope, "a record for the dead-letter queue topic %s is not written: "
                  "its key (%zu bytes) and headers (%zu bytes) alone are more than the %" PRId64
                  " bytes the topic takes", handler->dlq_topic, key_len, header_bytes,
                  handler->dlq_limit);
        return 1;
    }
    if (!*headers && !(*headers = rd_kafka_headers_new(1)))
        return -1;
    if (rd_kafka_header_add(*headers, ERROR_HEADER_TRUNCATED, -1, original, length) !=
        RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    size_t kept = (size_t)room;
    if (utf8_valid(context->value, *value_len))
        kept = utf8_valid_prefix(context->value, kept);
    if (handler->dlq_truncated++ == 0)
        log_warn(handler->scope, "records too large for the dead-letter queue topic %s (it takes "
                 "%" PRId64 " bytes) are cut to fit, with the %s header holding their value's "
                 "length before (logged once): a %zu-byte value became %zu bytes",
                 handler->dlq_topic, handler->dlq_limit, ERROR_HEADER_TRUNCATED, *value_len,
                 kept);
    *value_len = kept;
    *size = record_limit_record_size(key_len, kept, marked_bytes, header_count + 1);
    return 0;
}

/* Queues the failed record for the DLQ. Returns 0, or -1 with a message when it could not be
 * queued: then the record would be lost, so the caller fails the task. A record that cannot fit
 * the topic however it is cut is logged and not written (0). */
static int error_handler_dlq_send(error_handler *handler, const error_context *context, char *err,
                                  size_t errlen)
{
    rd_kafka_headers_t *headers = NULL;
    size_t value_len = context->value ? context->value_len : 0;
    int64_t size = 0;
    int fit = -1;
    if (error_handler_dlq_headers(handler, context, &headers) != 0 ||
        (fit = error_handler_dlq_fit(handler, context, &value_len, &headers, &size)) < 0) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        ferry_error_set(err, errlen, "out of memory building the dead-letter queue record");
        return -1;
    }
    if (fit > 0) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        return 0;
    }

    int64_t deadline = clock_monotonic_ms() + ERROR_HANDLER_QUEUE_TIMEOUT_MS;
    /* Batches are made of what is in flight: keeping that within the topic's limit keeps every
     * batch within it. */
    while (handler->dlq_limit_batches && handler->dlq_bytes_in_flight > 0 &&
           handler->dlq_bytes_in_flight + size > handler->dlq_limit &&
           clock_monotonic_ms() < deadline)
        rd_kafka_poll(handler->producer, 10);
    rd_kafka_resp_err_t result;
    for (;;) {
        /* RD_KAFKA_MSG_F_COPY: the context's bytes are borrowed for this call only. The headers
         * (NULL = none) pass to librdkafka only when the call succeeds. */
        result = rd_kafka_producev(
            handler->producer, RD_KAFKA_V_TOPIC(handler->dlq_topic),
            RD_KAFKA_V_KEY(context->key, context->key ? context->key_len : 0),
            RD_KAFKA_V_VALUE((void *)context->value, value_len),
            RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE((void *)(uintptr_t)size), RD_KAFKA_V_END);
        if (result != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        /* The queue drains as deliveries are reported: serve them, then try again. */
        if (clock_monotonic_ms() >= deadline)
            break;
        rd_kafka_poll(handler->producer, 100);
    }
    if (result == RD_KAFKA_RESP_ERR_NO_ERROR) {
        handler->dlq_records++;
        handler->dlq_bytes_in_flight += size;
        return 0;
    }

    if (headers)
        rd_kafka_headers_destroy(headers);
    if (result == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        ferry_error_set(err, errlen,
                        "the dead-letter queue producer's queue stayed full for %d ms: a failed "
                        "record could not be sent to topic %s",
                        ERROR_HANDLER_QUEUE_TIMEOUT_MS, handler->dlq_topic);
    else
        ferry_error_set(err, errlen,
                        "a failed record could not be sent to the dead-letter queue topic %s: %s",
                        handler->dlq_topic, rd_kafka_err2str(result));
    return -1;
}

bool error_handler_report(error_handler *handler, const error_context *context, char *err,
                          size_t errlen)
{
    handler->failures++;
    if (handler->log_enable)
        error_handler_log(handler, context);

    const char *stage = error_stage_name(context->stage);
    const char *topic = context->topic ? context->topic : "";
    const char *message = context->message ? context->message : "";
    if (!handler->tolerate_all) {
        if (context->offset >= 0)
            ferry_error_set(err, errlen,
                            "Tolerance exceeded in error handler: %s failed for %s-%" PRId32
                            " at offset %" PRId64 ": %s",
                            stage, topic, context->partition, context->offset, message);
        else
            ferry_error_set(err, errlen,
                            "Tolerance exceeded in error handler: %s failed for a record to "
                            "topic %s: %s",
                            stage, topic, message);
        return false;
    }

    if (!handler->producer)
        return true;
    char reason[512];
    if (error_handler_dlq_send(handler, context, reason, sizeof(reason)) != 0) {
        if (context->offset >= 0)
            ferry_error_set(err, errlen, "%s failed for %s-%" PRId32 " at offset %" PRId64
                            " (%s), and %s", stage, topic, context->partition, context->offset,
                            message, reason);
        else
            ferry_error_set(err, errlen, "%s failed for a record to topic %s (%s), and %s", stage,
                            topic, message, reason);
        return false;
    }
    /* Serve delivery reports now and then without a call from the task loop. */
    rd_kafka_poll(handler->producer, 0);
    return true;
}

void error_handler_dlq_limit_from_producer(error_handler *handler)
{
    if (handler->producer)
        handler->dlq_limit = record_limit_producer_max(handler->producer);
}

void error_handler_poll(error_handler *handler)
{
    if (handler && handler->producer)
        rd_kafka_poll(handler->producer, 0);
}

bool error_handler_failed(error_handler *handler, char *message, size_t len)
{
    char cause[1024];
    if (!handler || !kafka_client_failed(handler->producer, cause, sizeof(cause)))
        return false;
    if (message)
        snprintf(message, len, "dead-letter queue topic %s: %s", handler->dlq_topic, cause);
    return true;
}

int error_handler_flush(error_handler *handler, int timeout_ms, char *err, size_t errlen)
{
    if (!handler->producer)
        return 0;
    rd_kafka_resp_err_t result = rd_kafka_flush(handler->producer, timeout_ms);
    /* A delivery failure comes first: it stays reported on every later flush, since the record
     * it stood for is gone and no offset may pass it. */
    if (handler->dlq_failed > 0) {
        ferry_error_set(err, errlen,
                        "%" PRIu64 " record(s) could not be delivered to the dead-letter queue "
                        "topic %s; first error: %s",
                        handler->dlq_failed, handler->dlq_topic, handler->first_delivery_error);
        return -1;
    }
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ferry_error_set(err, errlen,
                        "%d record(s) for the dead-letter queue topic %s not acknowledged within "
                        "%d ms",
                        rd_kafka_outq_len(handler->producer), handler->dlq_topic, timeout_ms);
        return -1;
    }
    return 0;
}

uint64_t error_handler_failures(const error_handler *handler)
{
    return handler->failures;
}

uint64_t error_handler_dlq_records(const error_handler *handler)
{
    return handler->dlq_records;
}
