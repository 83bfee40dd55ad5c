/*
 * plugin_context.h - what stands behind the opaque ferry_context a plugin receives: the scope its
 * log lines carry and the runtime object that answers its service calls. The runtime fills in
 * the operations; a context without them (during `ferry plugins`, in unit tests) answers every
 * service with a clear refusal instead of crashing.
 */
#ifndef FERRY_PLUGIN_CONTEXT_H
#define FERRY_PLUGIN_CONTEXT_H

#include <ferry/plugin.h>

/* The runtime's side of the services that need a connector or task behind them. */
typedef struct plugin_context_ops {
    json_t *(*offset_read)(void *owner, json_t *source_partition);
    ferry_status (*record_emit)(void *owner, const ferry_record *record);
    ferry_status (*record_error_report)(void *owner, const ferry_record *record,
                                        const char *message);
    void (*reconfiguration_request)(void *owner);
    void (*metric_set)(void *owner, const char *name, double value);
    void (*status_problem)(void *owner, const char *message);
    const ferry_header *(*record_headers)(void *owner, const ferry_record *record,
                                          size_t *count);
    int64_t (*record_max_bytes)(void *owner, const char *topic);
    void (*transaction_commit)(void *owner);
    void (*transaction_abort)(void *owner);
    void (*progress_report)(void *owner, const ferry_progress *progress);
} plugin_context_ops;

struct ferry_context {
    char scope[160]; /* "connector:orders-cdc", "task:orders-cdc-0" */
    const plugin_context_ops *ops; /* may be NULL */
    void *owner;
};

/* Fills a context in place; scope is truncated to fit. */
void plugin_context_init(ferry_context *ctx, const char *scope, const plugin_context_ops *ops,
                         void *owner);

#endif
