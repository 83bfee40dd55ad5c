/*
 * retry_budget.h - how long a task goes on calling a plugin that answers FERRY_RETRY, and how long
 * it waits between calls: the task's errors.retry.timeout and errors.retry.delay.max.ms.
 *
 * Kafka Connect retries a RetriableException from a task's put without limit; ferry does the same
 * by default (errors.retry.timeout 0 or -1) and, with errors.retry.timeout > 0, gives up once a
 * run of RETRY answers has lasted longer than that: the task fails with the plugin's last message.
 * Waits double from 100 ms up to errors.retry.delay.max.ms. One budget per repeated call (a
 * sink's put, its flush, a source's poll), used from the task's thread only.
 */
#ifndef FERRY_RETRY_BUDGET_H
#define FERRY_RETRY_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETRY_BUDGET_FIRST_DELAY_MS 100

typedef struct retry_budget {
    int64_t timeout_ms;   /* <= 0: no limit */
    int64_t max_delay_ms; /* cap of the doubling wait */
    int64_t first_retry_ms; /* when the current run of RETRY answers began; -1 = none */
    int64_t delay_ms;     /* the last wait */
    uint64_t attempts;    /* RETRY answers in the current run */
} retry_budget;

void retry_budget_init(retry_budget *budget, int64_t timeout_ms, int64_t max_delay_ms);

/* A RETRY answer at now_ms. true: call again after *delay_ms; false: the budget is spent (the
 * run lasted longer than timeout_ms) and the caller fails the task. */
bool retry_budget_retry(retry_budget *budget, int64_t now_ms, int64_t *delay_ms);

/* An answer other than RETRY ends the run: the next RETRY starts from the first wait. */
void retry_budget_reset(retry_budget *budget);

/* Milliseconds since the current run began (0 when there is none). */
int64_t retry_budget_elapsed(const retry_budget *budget, int64_t now_ms);

/* The trace of a task that fails because the budget is spent: "<call> still asked for a retry
 * after <elapsed> ms (errors.retry.timeout=<timeout>): <why>", call naming the plugin callback
 * ("poll", "put", "flush") and why its last message (may be empty). Returns trace. */
const char *retry_budget_spent_trace(const retry_budget *budget, int64_t now_ms,
                                     const char *call, const char *why, char *trace,
                                     size_t size);

#endif
