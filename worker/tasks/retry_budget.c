/*
 * retry_budget.c - errors.retry.timeout and errors.retry.delay.max.ms for plugin RETRY answers.
 */
#include "tasks/retry_budget.h"

#include <stdio.h>

void retry_budget_init(retry_budget *budget, int64_t timeout_ms, int64_t max_delay_ms)
{
    budget->timeout_ms = timeout_ms;
    budget->max_delay_ms = max_delay_ms > 0 ? max_delay_ms : 0;
    retry_budget_reset(budget);
}

void retry_budget_reset(retry_budget *budget)
{
    budget->first_retry_ms = -1;
    budget->delay_ms = 0;
    budget->attempts = 0;
}

int64_t retry_budget_elapsed(const retry_budget *budget, int64_t now_ms)
{
    return budget->first_retry_ms < 0 ? 0 : now_ms - budget->first_retry_ms;
}

const char *retry_budget_spent_trace(const retry_budget *budget, int64_t now_ms,
                                     const char *call, const char *why, char *trace,
                                     size_t size)
{
    snprintf(trace, size,
             "%s still asked for a retry after %lld ms (errors.retry.timeout=%lld): %s", call,
             (long long)retry_budget_elapsed(budget, now_ms), (long long)budget->timeout_ms,
             why && why[0] ? why : "(no message)");
    return trace;
}

bool retry_budget_retry(retry_budget *budget, int64_t now_ms, int64_t *delay_ms)
{
    if (budget->first_retry_ms < 0)
        budget->first_retry_ms = now_ms;
    budget->attempts++;
    if (budget->timeout_ms > 0 && now_ms - budget->first_retry_ms > budget->timeout_ms)
        return false;
    int64_t next = budget->delay_ms ? budget->delay_ms * 2 : RETRY_BUDGET_FIRST_DELAY_MS;
    if (next > budget->max_delay_ms)
        next = budget->max_delay_ms;
    /* Never wait past the deadline: the last call comes at it, not a full delay later. */
    if (budget->timeout_ms > 0) {
        int64_t left = budget->first_retry_ms + budget->timeout_ms - now_ms;
        if (next > left)
            next = left > 0 ? left : 0;
    }
    budget->delay_ms = next > 0 ? next : budget->delay_ms;
    *delay_ms = next;
    return true;
}
