/*
 * task_setup.h - the converters and the error handler of a task, built on its thread from the
 * task's config over the worker's.
 */
#ifndef FERRY_TASK_SETUP_H
#define FERRY_TASK_SETUP_H

#include <stddef.h>

#include "convert/converter.h"
#include "tasks/error_handler.h"
#include "tasks/task.h"

/* Creates a task's key and value converters: the connector's key.converter / value.converter
 * with their settings, else the worker's. 0, or -1 with a message (both left NULL). */
int task_converters_create(const connector_task *task, converter **key, converter **value,
                           char *err, size_t errlen);

/* Creates a task's error handler (errors.* of its config; a DLQ producer from its producer
 * settings). NULL with a message naming the key on error. */
error_handler *task_error_handler_create(const connector_task *task, char *err,
                                         size_t errlen);

#endif
