/*
 * assignor.h - the leader's assignor of distributed mode (docs/distributed.md, "Assignment:
 * balanced, incremental, delayed"): from the members of the group, the connectors with their
 * task counts, the previous ferry-assignment record and the members' acknowledgements, the next
 * record. A pure function: no I/O, no clock of its own (the caller passes now), no state between
 * calls, no threads; the same inputs give the same record, whatever the order of members,
 * connectors and acknowledgements.
 *
 * The rules, with the choices the design leaves open:
 * - Work stays with its worker while the worker is a member.
 * - A worker of the previous record that is no longer a member has departed: its departure time
 *   is recorded (now, the first time) and its work is held for it, still listed under its id,
 *   until departure + scheduled.rebalance.max.delay.ms. Back within the delay, it finds exactly
 *   its own work; after it, the work goes to the least-loaded members and the departure is
 *   forgotten. With no member to take it, held work stays held past the delay (and goes to its
 *   own worker if that worker is the first to come back).
 * - New work (not in the previous record) goes to the least-loaded members, connectors and
 *   tasks counted separately, ties to the lowest worker id; deleted work disappears.
 * - Balance: when, with no work held and no revocation pending, members' loads of one kind
 *   differ by two or more, the fewest connectors or tasks that reach max - min <= 1 are revoked
 *   from the most loaded members (the last of their lists). Revoked work runs nowhere; it goes
 *   to the least-loaded members once its old owner acknowledged the revoking epoch, or
 *   worker.sync.timeout.ms after the revocation; if the old owner departs first, the revoked
 *   work is held with the rest of its work.
 * - No members: nothing is assigned, everything is held (delays still run).
 *
 * When to call: whenever the members, the connectors or their task counts, or a member's
 * acknowledgement change, and at next_call_ms. Publish the result when it changed.
 */
#ifndef FERRY_CLUSTER_ASSIGNOR_H
#define FERRY_CLUSTER_ASSIGNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/assignment.h"

/* next_call_ms when nothing will change with time alone. */
#define ASSIGNOR_NEVER INT64_MAX

typedef struct assignor_connector {
    const char *name;
    size_t task_count; /* committed task configs: tasks "<name>-0" to "<name>-<count - 1>" */
} assignor_connector;

/* The epoch a worker's ferry-worker-<id> record says it has applied. */
typedef struct assignor_ack {
    const char *worker;
    int64_t epoch;
} assignor_ack;

/* Everything is borrowed for the call. */
typedef struct assignor_input {
    const char *leader; /* this worker's id: the record's leader */
    const char *leader_url; /* the URL followers forward writes to */
    const char *const *members; /* worker ids of the group's members, any order; one named twice
                                 * counts once */
    size_t member_count;
    const assignor_connector *connectors; /* any order, each name once */
    size_t connector_count;
    const assignment *previous; /* the last record, or an empty assignment ({0}) when none */
    const assignor_ack *acks; /* acknowledgements of any workers, any order; missing = none */
    size_t ack_count;
    int64_t now_ms; /* wall clock: departures and revocations are stored as such times */
    int64_t max_delay_ms; /* scheduled.rebalance.max.delay.ms */
    int64_t sync_timeout_ms; /* worker.sync.timeout.ms */
} assignor_input;

typedef struct assignor_result {
    /* The next record: members and workers holding work by id, lists in order (connectors by
     * name, tasks by assignment_task_compare). Its epoch is the previous one when nothing
     * changed, one more when something did (new revocations carry that epoch). */
    assignment next;
    bool changed; /* whether next differs from previous in anything but the epoch */
    int64_t next_call_ms; /* when a delay or a sync timeout runs out, or ASSIGNOR_NEVER */
} assignor_result;

/* Computes the next assignment into *result (which the caller frees with assignor_result_free,
 * also after a failure). 0, or -1 with a message when an input is invalid (an empty member id,
 * a connector named twice or with an empty name, a negative delay, a previous assignment that
 * fails assignment_check) or out of memory. */
int assignor_compute(const assignor_input *input, assignor_result *result, char *err,
                     size_t errlen);

/* Frees the result's assignment; accepts NULL and a result of a failed compute. */
void assignor_result_free(assignor_result *result);

#endif
