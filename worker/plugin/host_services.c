/*
 * host_services.c - the host side of the plugin ABI's services table. Logging, config access
 * and the JSON syntax check (runtime/json_syntax.c) are served here; services that need a running connector or task are forwarded to the runtime
 * object behind the context (plugin_context.h).
 */
#include "plugin/host_services.h"

#include <stdio.h>
#include <string.h>

#include "config/config_validate.h"
#include "base/log.h"
#include "plugin/plugin_context.h"
#include "convert/json_syntax.h"

void plugin_context_init(ferry_context *ctx, const char *scope, const plugin_context_ops *ops,
                         void *owner)
{
    snprintf(ctx->scope, sizeof(ctx->scope), "%s", scope ? scope : "plugin");
    ctx->ops = ops;
    ctx->owner = owner;
}

static const char *context_scope(const ferry_context *ctx)
{
    return ctx ? ctx->scope : "plugin";
}

static FERRY_PRINTF(3, 4) void host_log(ferry_context *ctx, ferry_log_level level, const char *fmt,
                                         ...)
{
    if (level < FERRY_LOG_ERROR)
        level = FERRY_LOG_ERROR;
    if (level > FERRY_LOG_TRACE)
        level = FERRY_LOG_TRACE;
    va_list ap;
    va_start(ap, fmt);
    log_writev(level, context_scope(ctx), fmt, ap);
    va_end(ap);
}

static json_t *host_offset_read(ferry_context *ctx, json_t *source_partition)
{
    if (!ctx || !ctx->ops || !ctx->ops->offset_read) {
        log_warn(context_scope(ctx), "offset_read called outside a running source task");
        return NULL;
    }
    return ctx->ops->offset_read(ctx->owner, source_partition);
}

static ferry_status host_record_emit(ferry_context *ctx, const ferry_record *record)
{
    if (!ctx || !ctx->ops || !ctx->ops->record_emit) {
        log_error(context_scope(ctx), "record_emit called outside a running source task");
        return FERRY_ERROR;
    }
    if (!record)
        return FERRY_ERROR;
    return ctx->ops->record_emit(ctx->owner, record);
}

static ferry_status host_record_error_report(ferry_context *ctx, const ferry_record *record,
                                             const char *message)
{
    if (!ctx || !ctx->ops || !ctx->ops->record_error_report) {
        log_error(context_scope(ctx), "bad record reported outside a running task: %s",
                  message ? message : "(no message)");
        return FERRY_ERROR;
    }
    return ctx->ops->record_error_report(ctx->owner, record, message ? message : "");
}

static void host_reconfiguration_request(ferry_context *ctx)
{
    if (!ctx || !ctx->ops || !ctx->ops->reconfiguration_request) {
        log_warn(context_scope(ctx), "reconfiguration requested outside a running connector");
        return;
    }
    ctx->ops->reconfiguration_request(ctx->owner);
}

static void host_metric_set(ferry_context *ctx, const char *name, double value)
{
    if (!ctx || !ctx->ops || !ctx->ops->metric_set || !name)
        return;
    ctx->ops->metric_set(ctx->owner, name, value);
}

static void host_status_problem(ferry_context *ctx, const char *message)
{
    if (!ctx || !ctx->ops || !ctx->ops->status_problem) {
        if (message)
            log_warn(context_scope(ctx), "%s", message);
        return;
    }
    ctx->ops->status_problem(ctx->owner, message);
}

static const ferry_header *host_record_headers(ferry_context *ctx, const ferry_record *record,
                                               size_t *count)
{
    if (ctx && ctx->ops && ctx->ops->record_headers && record)
        return ctx->ops->record_headers(ctx->owner, record, count);
    *count = record ? record->header_count : 0;
    return record && record->header_count ? record->headers : NULL;
}

/* 0 outside a source task: only a task with a producer knows what it can send. */
static int64_t host_record_max_bytes(ferry_context *ctx, const char *topic)
{
    if (!ctx || !ctx->ops || !ctx->ops->record_max_bytes || !topic || !topic[0])
        return 0;
    return ctx->ops->record_max_bytes(ctx->owner, topic);
}

static void host_transaction_commit(ferry_context *ctx)
{
    if (ctx && ctx->ops && ctx->ops->transaction_commit)
        ctx->ops->transaction_commit(ctx->owner);
}

static void host_transaction_abort(ferry_context *ctx)
{
    if (ctx && ctx->ops && ctx->ops->transaction_abort)
        ctx->ops->transaction_abort(ctx->owner);
}

/* A report from a plugin built against an older or newer ferry_progress is read as far as both
 * know it; one without an item or phase is dropped. */
static void host_progress_report(ferry_context *ctx, const ferry_progress *progress)
{
    if (!ctx || !ctx->ops || !ctx->ops->progress_report || !progress)
        return;
    ferry_progress report = {.struct_size = sizeof(report), .total = -1, .records = -1};
    size_t size = progress->struct_size < sizeof(report) ? progress->struct_size : sizeof(report);
    memcpy(&report, progress, size);
    report.struct_size = sizeof(report);
    if (!report.item || !report.item[0] || !report.phase || !report.phase[0])
        return;
    ctx->ops->progress_report(ctx->owner, &report);
}

static const ferry_host host_table = {
    .struct_size = sizeof(ferry_host),
    .abi_major = FERRY_ABI_MAJOR,
    .abi_minor = FERRY_ABI_MINOR,
    .log = host_log,
    .config_string = ferry_config_string,
    .config_int = ferry_config_int,
    .config_double = ferry_config_double,
    .config_bool = ferry_config_bool,
    .config_list = ferry_config_list,
    .config_json = ferry_config_json,
    .offset_read = host_offset_read,
    .record_emit = host_record_emit,
    .record_error_report = host_record_error_report,
    .reconfiguration_request = host_reconfiguration_request,
    .metric_set = host_metric_set,
    .status_problem = host_status_problem,
    .json_check = json_syntax_check,
    .record_headers = host_record_headers,
    .record_max_bytes = host_record_max_bytes,
    .transaction_commit = host_transaction_commit,
    .transaction_abort = host_transaction_abort,
    .progress_report = host_progress_report,
};

const ferry_host *host_services(void)
{
    return &host_table;
}
