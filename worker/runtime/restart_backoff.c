/*
 * restart_backoff.c - the delay before a failed task's automatic restart (restart_backoff.h).
 */
#include "runtime/restart_backoff.h"

#include <stdlib.h>
#include <string.h>

int64_t restart_backoff_next(restart_backoff *backoff, const char *trace, int64_t ran_ms,
                             int64_t initial_ms, int64_t max_ms, bool *repeated_out)
{
    const char *text = trace ? trace : "";
    size_t cause_len = strcspn(text, "\n");
    bool repeated = backoff->cause && strlen(backoff->cause) == cause_len &&
                    strncmp(backoff->cause, text, cause_len) == 0;
    if (!repeated) {
        free(backoff->cause);
        backoff->cause = strndup(text, cause_len); /* NULL: only a repeat goes unnoticed */
        if (ran_ms >= RESTART_BACKOFF_HEALTHY_AFTER_MS)
            backoff->current_ms = 0;
    }
    if (repeated && max_ms < RESTART_BACKOFF_REPEATED_MAX_MS)
        max_ms = RESTART_BACKOFF_REPEATED_MAX_MS;
    backoff->current_ms = backoff->current_ms ? backoff->current_ms * 2
                                              : initial_ms > 0 ? initial_ms : 1;
    if (backoff->current_ms > max_ms)
        backoff->current_ms = max_ms;
    if (repeated_out)
        *repeated_out = repeated;
    return backoff->current_ms;
}

void restart_backoff_reset(restart_backoff *backoff)
{
    backoff->current_ms = 0;
    free(backoff->cause);
    backoff->cause = NULL;
}
