/*
 * standalone_herder.h - the herder of a standalone worker (Kafka Connect's StandaloneHerder): it
 * applies every change on this worker and completes it before returning, calling the callback
 * on the caller's thread. Changes are serialised by one lock held from a change's check to its
 * apply, so that the config topic and the runtime see them in the same order. Each change runs
 * in steps: checks on the control thread (worker_call, at most STANDALONE_HERDER_CALL_TIMEOUT_MS
 * to be taken), writes to Kafka on the caller's thread (the control loop never waits for Kafka on
 * a caller's behalf), the apply on the control thread.
 */
#ifndef FERRY_STANDALONE_HERDER_H
#define FERRY_STANDALONE_HERDER_H

#include "herder/herder.h"
#include "runtime/worker.h"

/* How long a change waits for the control thread to take a step before it is HERDER_TIMED_OUT,
 * as Kafka Connect's request timeout (90 s there; shorter here because a standalone worker has
 * no rebalance to wait for). */
#define STANDALONE_HERDER_CALL_TIMEOUT_MS 30000

/* A herder for worker (borrowed: it must outlive the herder), not ready until
 * standalone_herder_ready. NULL when out of memory; herder_destroy frees it. */
herder *standalone_herder_new(worker *worker);
/* Says that start-up is complete (the command line's connectors are in place): from now on
 * herder_is_ready is true. */
void standalone_herder_ready(herder *herder);

#endif
