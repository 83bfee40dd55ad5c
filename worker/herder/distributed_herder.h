/*
 * distributed_herder.h - the herder of a worker of a cluster (Kafka Connect's DistributedHerder;
 * docs/distributed.md). It takes part in the group (kafka/group_member.h), mirrors the config
 * topic into the worker's runtime, runs this worker's part of every ferry-assignment record and
 * acknowledges it, and fences the worker when it loses its membership. On the leader it also
 * computes and writes the assignment (cluster/assignor.h), writes the task configs the
 * connectors' owners send it, rotates the session key, and makes the connector changes (the
 * standalone herder's checks and writes, whose apply step on a cluster worker mirrors the config
 * topic). A change made on a follower completes with HERDER_NOT_LEADER and the leader's URL,
 * which the REST API forwards to; so does a task restart on a worker that does not run the task,
 * with the URL of the worker that does.
 *
 * Threads: a thread of its own (Kafka Connect's herder thread) takes the group's events, the
 * config topic's changes and its timers, and reaches the runtime only through worker_call; it
 * never runs on the control loop, which never waits for it.
 */
#ifndef FERRY_DISTRIBUTED_HERDER_H
#define FERRY_DISTRIBUTED_HERDER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "herder/herder.h"
#include "runtime/worker.h"

/* How long a follower waits for the leader to take the task configs it sends before it tries
 * again, and how long the leader waits for DescribeConsumerGroups. */
#define DISTRIBUTED_HERDER_REQUEST_TIMEOUT_MS 10000

/* Joins the cluster: makes worker a member (worker_cluster_join), listens to its config store,
 * joins the group and starts the herder's thread. Before worker_run; worker is borrowed and must
 * outlive the herder's thread (distributed_herder_stop). NULL with a message. herder_destroy
 * closes the membership without leaving the group (a restarted worker takes its place back). */
herder *distributed_herder_new(worker *worker, char *err, size_t errlen);

/* Stops the herder's thread and stops listening to the config store, and nothing more: the
 * worker's tasks may still check the fence (the membership stays until herder_destroy) and hand
 * over task configs while the worker stops them. The order at shutdown: the control loop ends,
 * distributed_herder_stop, worker_destroy, herder_destroy. Idempotent; herder_destroy calls it
 * when it was not called (then before the worker is destroyed). */
void distributed_herder_stop(herder *herder);

/* Whether the herder stopped the worker because it cannot be a member again (another worker
 * took its worker id, or a fatal client error): the process then exits with an error. */
bool distributed_herder_terminated(herder *herder);

#endif
