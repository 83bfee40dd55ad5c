/*
 * restart_backoff.h - when a failed task is restarted automatically (task.restart.auto): an
 * exponential back-off from task.restart.backoff.initial.ms to task.restart.backoff.max.ms,
 * reset by a long healthy run, except when the task failed again for the cause it failed for
 * before (the first line of its trace: a refused password, a missing ACL). A repeated cause keeps
 * growing the back-off, to at least RESTART_BACKOFF_REPEATED_MAX_MS, so that the status shows the
 * problem instead of flapping (docs/operations.md).
 */
#ifndef FERRY_RESTART_BACKOFF_H
#define FERRY_RESTART_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* A task that ran this long without failing earns its back-off a reset, unless it then fails
 * for the cause it failed for before. */
#define RESTART_BACKOFF_HEALTHY_AFTER_MS 60000
/* The least bound of the back-off of a task that fails again for the same cause. */
#define RESTART_BACKOFF_REPEATED_MAX_MS 60000

/* One task's failures; all zero is a task that has not failed. */
typedef struct restart_backoff {
    int64_t current_ms; /* the last delay; 0: no failure since the last reset */
    char *cause;        /* the first line of the last failure's trace */
} restart_backoff;

/* The task failed with trace (may be NULL) after running ran_ms: the delay before its restart,
 * from initial_ms doubling up to max_ms (task.restart.backoff.*). *repeated (may be NULL) tells
 * whether the cause is the one of the failure before. */
int64_t restart_backoff_next(restart_backoff *backoff, const char *trace, int64_t ran_ms,
                             int64_t initial_ms, int64_t max_ms, bool *repeated);

/* Forgets every failure (a restart asked for, a new config) and frees what backoff holds. */
void restart_backoff_reset(restart_backoff *backoff);

#endif
