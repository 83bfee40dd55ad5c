/*
 * worker_process.h - what the two worker commands (standalone, distributed) share: the stop
 * signals turned into a graceful shutdown (the first SIGTERM/SIGINT drains and commits, a second
 * one exits at once), the worker file read and checked, and the control loop run on a thread of
 * its own while the command's thread waits for it.
 */
#ifndef FERRY_WORKER_PROCESS_H
#define FERRY_WORKER_PROCESS_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "config/worker_config.h"
#include "rest/rest_server.h"
#include "runtime/worker.h"

/* How long a stop waits for the REST requests in progress before the worker stops. */
#define WORKER_PROCESS_REST_DRAIN_MS 2000

typedef struct worker_process {
    sigset_t signals;
    worker *worker;
    rest_server *rest; /* drained before the worker stops (NULL: none) */
    pthread_t control;
    bool looping; /* the control loop's thread was started */
} worker_process;

/* First thing a command does, before any thread exists (librdkafka's included): blocks the stop
 * signals so that only the signal thread receives them, ignores SIGPIPE, and makes the calling
 * thread the control thread (it creates the worker). */
void worker_process_begin(worker_process *process);

/* Reads, resolves and checks the worker file; logs every problem. NULL on error. */
worker_config *worker_process_config_read(const char *path);

/* Once the worker and its REST server exist: SIGTERM/SIGINT stop them gracefully from now on,
 * the REST server first (rest_server_drain: clients are refused and go to another worker, as
 * Kafka Connect stops its REST server before its herder), then the worker. 0, or -1 (logged). */
int worker_process_signals_watch(worker_process *process, worker *worker, rest_server *rest);

/* Runs the control loop on a thread of its own; the calling thread gives up the control role.
 * 0, or -1 (logged; the caller still holds the role). */
int worker_process_loop_start(worker_process *process);

/* Waits for the control loop to end (after worker_shutdown) and takes the control role back to
 * destroy the worker. When the loop never started, runs a loop that stops at once, so that
 * callers waiting for it (REST requests, the herder) are answered rather than left waiting. */
void worker_process_loop_end(worker_process *process);

#endif
