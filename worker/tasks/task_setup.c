/*
 * task_setup.c - what a task thread builds before its loop from its config and the worker's:
 * the key and value converters, the error handler with its DLQ producer and DLQ topic.
 */
#include "tasks/task_setup.h"

#include <stdio.h>

#include "config/connector_config.h"
#include "kafka/kafka_client.h"
#include "kafka/kafka_config.h"

/* How long the creation of a dead-letter queue topic may take at the task's start. */
#define TASK_DLQ_TOPIC_CREATION_TIMEOUT_MS 30000

/* One converter from the connector's "<prefix>" keys or the worker's. */
static converter *task_converter_create(const connector_task *task, const char *prefix,
                                       const char *worker_default, bool is_key, char *err,
                                       size_t errlen)
{
    const char *class_name;
    config_map *settings = connector_config_converter(task->config,
                                                      task->environment->worker->values, prefix,
                                                      worker_default, &class_name);
    if (!settings) {
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    converter *created = converter_new(class_name, settings, is_key, err, errlen);
    config_map_destroy(settings);
    return created;
}

int task_converters_create(const connector_task *task, converter **key, converter **value,
                           char *err, size_t errlen)
{
    const worker_config *worker = task->environment->worker;
    *key = task_converter_create(task, "key.converter", worker->key_converter, true, err, errlen);
    *value = *key ? task_converter_create(task, "value.converter", worker->value_converter,
                                          false, err, errlen)
                  : NULL;
    if (!*value) {
        converter_destroy(*key);
        *key = NULL;
        return -1;
    }
    return 0;
}

error_handler *task_error_handler_create(const connector_task *task, char *err, size_t errlen)
{
    /* client.id: the scope without its "task:" prefix, "<connector>-<id>". */
    char name[200];
    snprintf(name, sizeof(name), "%s dlq producer", task->scope + 5);
    kafka_client_spec spec = {.scope = task->scope, .name = name, .role = KAFKA_CLIENT_PRODUCER,
                              .worker = task->environment->worker, .task_client = true};
    rd_kafka_conf_t *dlq_conf = kafka_client_config(task->environment->worker,
                                                    KAFKA_CLIENT_PRODUCER, task->config,
                                                    task->scope + 5, &spec, err, errlen);
    if (!dlq_conf)
        return NULL;
    error_handler *handler = error_handler_new(task->connector, task->id, task->scope,
                                               task->config, dlq_conf, err, errlen);
    if (handler && task->environment->embedded)
        error_handler_dlq_limit_from_producer(handler);
    /* The embedded cluster creates a topic at its first use. */
    if (handler && !task->environment->embedded &&
        error_handler_dlq_topic_create(handler, TASK_DLQ_TOPIC_CREATION_TIMEOUT_MS, err,
                                       errlen) != 0) {
        error_handler_destroy(handler);
        return NULL;
    }
    return handler;
}
