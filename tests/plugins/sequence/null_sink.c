/*
 * null_sink.c - NullSink, a sink that only counts what it is given: the benchmarks use it to
 * measure the runtime's sink path (consume, convert, put, commit) with no external system cost.
 */
#include "sequence_plugin.h"

#include <inttypes.h>
#include <stdlib.h>

typedef struct null_task {
    ferry_context *ctx;
    uint64_t records;
    uint64_t batches;
} null_task;

static ferry_status null_task_start(ferry_context *ctx, const ferry_config *config, void **state,
                                    char *err, size_t errlen)
{
    null_task *task = calloc(1, sizeof(*task));
    if (!task)
        return ferry_error_set(err, errlen, "out of memory");
    task->ctx = ctx;
    *state = task;
    return FERRY_OK;
}

static ferry_status null_task_put(void *state, const ferry_record *records, size_t count,
                                  char *err, size_t errlen)
{
    null_task *task = state;
    task->records += count;
    task->batches++;
    return FERRY_OK;
}

static ferry_status null_task_flush(void *state, ferry_topic_partition *offsets, size_t count,
                                    char *err, size_t errlen)
{
    return FERRY_OK;
}

static void null_task_stop(void *state)
{
    null_task *task = state;
    if (!task)
        return;
    sequence_host->log(task->ctx, FERRY_LOG_INFO, "received %" PRIu64 " records in %" PRIu64
                       " batches", task->records, task->batches);
    free(task);
}

static const ferry_sink_task_callbacks null_sink_task = {
    .start = null_task_start,
    .put = null_task_put,
    .flush = null_task_flush,
    .stop = null_task_stop,
};

const ferry_connector_type null_sink_type = {
    .struct_size = sizeof(ferry_connector_type),
    .kind = FERRY_CONNECTOR_SINK,
    .name = "NullSink",
    .aliases = (const char *const[]){"io.ferry.test.NullSinkConnector", NULL},
    .description = "Test sink for benchmarks: counts records and discards them.",
    .config = NULL,
    .connector = &sequence_sink_connector,
    .sink_task = &null_sink_task,
    .flags = FERRY_SINK_HEADERS_ON_DEMAND, /* it never reads them */
};
