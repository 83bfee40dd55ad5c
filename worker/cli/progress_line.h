/*
 * progress_line.h - `ferry standalone` at a terminal: one line at the bottom of stderr, redrawn
 * in place about every 250 ms, with the long work of a running task (a snapshot, a file
 * backfill): "orders-0 snapshot public.orders 412,000/1,000,000 rows (41%) 81,000 rows/s
 * ETA 7s". Log lines print above it (log_status_line_set). Only for a terminal: the caller
 * checks isatty; the line is cleared when no work runs and when it stops.
 */
#ifndef FERRY_PROGRESS_LINE_H
#define FERRY_PROGRESS_LINE_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/worker.h"
#include "tasks/task_progress.h"

typedef struct progress_line progress_line;

/* Starts the thread that draws on stream; NULL when it cannot (logged). running is borrowed
 * and must outlive progress_line_stop. */
progress_line *progress_line_start(worker *running, FILE *stream);
/* Stops the thread and clears the line; accepts NULL. */
void progress_line_stop(progress_line *line);

/* The text of the line for task ("orders-0") at most width columns (0: no limit); exposed for
 * the unit tests. */
void progress_line_format(char *out, size_t len, const char *task,
                          const task_progress_summary *summary, size_t width);

#endif
