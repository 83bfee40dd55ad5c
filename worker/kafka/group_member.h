/*
 * group_member.h - a worker's membership in its cluster's group (distributed mode,
 * docs/distributed.md, "The engine: librdkafka's consumer group" and "Fencing"). Membership,
 * failure detection and generations are the group coordinator's; this module only takes part in
 * the group and reports what the coordinator decided.
 *
 * A member is one librdkafka KafkaConsumer in group.id with
 *   - group.instance.id = the worker id (static membership: a worker restarted within
 *     session.timeout.ms takes its place back without a rebalance),
 *   - client.id = the worker's advertised REST URL, encoded as group_member_client_id_encode
 *     says, so that the leader finds every member's URL with DescribeConsumerGroups,
 *   - partition.assignment.strategy=cooperative-sticky and enable.auto.commit=false,
 *   - session.timeout.ms, heartbeat.interval.ms and max.poll.interval.ms (= rebalance.timeout.ms)
 *     from the worker's keys, its bootstrap, security and consumer.* settings like every other
 *     client of the worker (kafka_config.h),
 * subscribed to the config topic (one partition). Its assigned partition is paused at once: the
 * member never fetches. The member that owns partition 0 is the leader; the sticky assignor keeps
 * it there while its owner lives.
 *
 * Threads. Each member has its own thread, which polls the consumer every GROUP_MEMBER_POLL_MS to
 * serve librdkafka's callbacks. What happens reaches the owner (the worker's control loop, which
 * must never block on Kafka) as events in a queue: the member calls the owner's notify function
 * after queuing one, and the owner takes them with group_member_next_event without waiting.
 *
 * Fencing. group_member_fenced() is lock-free and may be called from any thread: tasks check it
 * at the top of each poll and before each commit. It is true from group_member_new until the
 * first completed rebalance, and from any loss of membership until the member has rejoined
 * (a completed rebalance again). Membership is lost when
 *   - librdkafka reports the assignment lost (rebalance callback), or resets the member id (the
 *     coordinator no longer knows the member, or the session timed out without answers from
 *     the coordinator): a member without partitions hears of that from its member id alone,
 *   - another member joins with the same worker id (FENCED_INSTANCE_ID, fatal in librdkafka;
 *     the newcomer takes the place, partition 0 included, at once, and the old member hears of
 *     it at its next heartbeat: for up to heartbeat.interval.ms both see themselves in),
 *   - librdkafka raises another fatal error,
 *   - the polling thread sees that more than session.timeout.ms passed since its last tick (the
 *     process was stopped, its VM frozen): it fences before anything librdkafka queued
 *     meanwhile is served, then leaves the group (if librdkafka still counts it in) and joins
 *     again, since the coordinator may have dropped the member meanwhile or not. Any other
 *     thread that checks the fence in that time finds it set too, before the polling thread
 *     has run: group_member_fenced() compares the last tick with the clock itself.
 * A duplicate worker id and a fatal error are terminal: the member stays fenced and the owner
 * destroys it. The clock is CLOCK_BOOTTIME, which keeps counting while the machine sleeps.
 *
 * Leaving. librdkafka sends no LeaveGroup when a static member closes: group_member_destroy
 * keeps the member's place, so the coordinator sees a cleanly stopped worker as gone only after
 * session.timeout.ms, and its partition (the leadership, if it had it) moves only then. That is
 * what lets a restarted worker back in without a rebalance. group_member_leave, called before
 * group_member_destroy, leaves at once (librdkafka does send LeaveGroup for a static member that
 * unsubscribes) for a worker that stops for good.
 */
#ifndef FERRY_GROUP_MEMBER_H
#define FERRY_GROUP_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config/worker_config.h"

/* How often the member's thread polls its consumer. */
#define GROUP_MEMBER_POLL_MS 100

/* client.id = this prefix and the worker's URL, in which every byte outside RFC 3986's
 * unreserved and reserved characters (so '%' itself, spaces, control and non-ASCII bytes) is
 * written %XX with upper-case hex digits. A URL as ferry builds it ("http://10.0.0.5:8083/")
 * passes unchanged, readable in kafka-consumer-groups.sh --describe; librdkafka and the broker
 * carry any client.id as it is, and DescribeConsumerGroups gives it back byte for byte. One
 * caveat of the coordinator: a static member that rejoins while its place is still held (a
 * restart within session.timeout.ms) takes over the registration of its predecessor, client.id
 * included, until the next rebalance; a restart that changes the URL but not the worker id
 * (another scheme) shows the old URL until then. */
#define GROUP_MEMBER_CLIENT_ID_PREFIX "ferry-worker@"

/* A member. Named by its struct tag only: glibc's <unistd.h> declares a function group_member()
 * (_GNU_SOURCE), which a typedef of that name would clash with. */
struct group_member;

typedef enum group_member_event_type {
    /* A rebalance completed after group_member_new or a loss: the member is in the group again,
     * the fence is clear, the epoch has grown by one. */
    GROUP_MEMBER_JOINED,
    /* Any further completed rebalance (the member list may have changed: the leader
     * recomputes). */
    GROUP_MEMBER_REBALANCED,
    /* The first step of a cooperative rebalance took partition 0 away: stop acting as leader
     * now; a GROUP_MEMBER_REBALANCED follows. */
    GROUP_MEMBER_LEADERSHIP_REVOKED,
    /* Membership lost, the fence set (loss says how): stop every task at once, without
     * committing. Unless terminal, a GROUP_MEMBER_JOINED follows once the member rejoined. */
    GROUP_MEMBER_LOST,
} group_member_event_type;

typedef enum group_member_loss {
    GROUP_MEMBER_LOSS_NONE,       /* not a GROUP_MEMBER_LOST event */
    GROUP_MEMBER_LOSS_ASSIGNMENT, /* librdkafka reports the assignment lost */
    GROUP_MEMBER_LOSS_SESSION,    /* librdkafka reset the member id: the coordinator dropped it */
    GROUP_MEMBER_LOSS_PAUSED,     /* the polling thread did not run for > session.timeout.ms */
    GROUP_MEMBER_LOSS_FENCED,     /* another member joined with this worker id: terminal */
    GROUP_MEMBER_LOSS_FATAL,      /* another fatal librdkafka error: terminal */
} group_member_loss;

typedef struct group_member_event {
    group_member_event_type type;
    bool leader;            /* JOINED, REBALANCED: this member owns partition 0 */
    uint64_t epoch;         /* group_member_epoch() once the event happened */
    group_member_loss loss; /* LOST */
    bool terminal;          /* LOST: the member will not rejoin */
    int64_t paused_ms;      /* LOST with GROUP_MEMBER_LOSS_PAUSED: the gap seen */
    char message[512];      /* what happened, for the log */
} group_member_event;

/* Called on the member's thread after an event was queued. It must not block (post to the
 * control loop and return) and must not call back into the member. */
typedef void (*group_member_notify_fn)(void *opaque);

typedef struct group_member_settings {
    const worker_config *worker; /* bootstrap, security and consumer.* settings; borrowed */
    const char *group_id;
    const char *worker_id;       /* group.instance.id */
    const char *url;             /* the advertised REST URL, carried in client.id */
    const char *config_topic;    /* one partition; must exist */
    int32_t session_timeout_ms;
    int32_t heartbeat_interval_ms;
    int32_t rebalance_timeout_ms;
    group_member_notify_fn notify; /* may be NULL */
    void *opaque;
} group_member_settings;

/* Fills settings from the worker's config (group.id, worker id, advertised URL, config topic,
 * the three timeouts); notify and opaque are cleared. worker is borrowed and must outlive
 * group_member_new. */
void group_member_settings_from_worker(group_member_settings *settings,
                                       const worker_config *worker);

/* The member's librdkafka config, without callbacks: what group_member_new starts from. NULL
 * with a message naming what is wrong. */
rd_kafka_conf_t *group_member_config_build(const group_member_settings *settings, char *err,
                                           size_t errlen);

/* Creates the consumer, subscribes and starts the member's thread; the member is fenced until
 * its first GROUP_MEMBER_JOINED. NULL with a message on failure. */
struct group_member *group_member_new(const group_member_settings *settings, char *err,
                                      size_t errlen);

/* Stops the member's thread and closes the consumer without leaving the group (see Leaving
 * above); queues no more events. It waits for librdkafka's close (after group_member_leave, for
 * the LeaveGroup's answer too). Accepts NULL and a member whose group_member_new failed
 * half-way. Not from the member's own notify function. */
void group_member_destroy(struct group_member *member);

/* Leaves the group now: the member unsubscribes (librdkafka sends LeaveGroup) and the fence is
 * set for good, without a GROUP_MEMBER_LOST event. Waits at most timeout_ms for librdkafka to
 * send the request; group_member_destroy then waits for its answer. 0, or -1 with a message
 * when the member did not leave in time. Blocks: not on the control loop. */
int group_member_leave(struct group_member *member, int timeout_ms, char *err, size_t errlen);

/* Takes the oldest event into *event: true, or false when none came within timeout_ms (0: do
 * not wait, the control loop's way; < 0: no limit). Any thread; events are taken once. */
bool group_member_next_event(struct group_member *member, group_member_event *event,
                             int timeout_ms);

/* Any thread, lock-free: whether the member must not act as a member (see Fencing above). */
bool group_member_fenced(const struct group_member *member);
/* Any thread, lock-free: how many times the member joined (0 before the first time). Work
 * started under one epoch belongs to that membership only: a caller that finds another epoch
 * later knows membership was lost in between, even if it was regained since. */
uint64_t group_member_epoch(const struct group_member *member);

/* ---- the member list ------------------------------------------------------------------- */

typedef struct group_member_info {
    char *worker_id;  /* group.instance.id; NULL for a member without one (not a worker) */
    char *url;        /* decoded from client.id; NULL when client.id is not a worker's */
    char *member_id;  /* the coordinator's member id */
    char *client_id;  /* as the member sent it */
    char *host;       /* the member's address as the coordinator saw it */
    bool leader;      /* its assignment holds partition 0 of the config topic */
} group_member_info;

typedef struct group_member_list {
    group_member_info *members; /* by worker id, members without one last */
    size_t count;
    rd_kafka_consumer_group_state_t state; /* the group's, as DescribeConsumerGroups said */
} group_member_list;

/* The group's members from DescribeConsumerGroups, on the caller's thread (it blocks for up to
 * timeout_ms: not on the control loop). A new list, or NULL with a message. */
group_member_list *group_member_describe(struct group_member *member, int timeout_ms, char *err,
                                         size_t errlen);
/* The same for any group, through any client on the cluster (borrowed), without being a
 * member: leader marks the owner of partition 0 of config_topic. */
group_member_list *group_member_describe_group(rd_kafka_t *client, const char *group_id,
                                               const char *config_topic, int timeout_ms,
                                               char *err, size_t errlen);
void group_member_list_destroy(group_member_list *list); /* accepts NULL */

/* ---- client.id ------------------------------------------------------------------------- */

/* The client.id carrying url (a new string), or NULL when out of memory. */
char *group_member_client_id_encode(const char *url);
/* The URL in a client.id made by group_member_client_id_encode (a new string), or NULL when
 * client_id is not one (another prefix, a bad escape, an encoded NUL, an empty URL) or memory
 * ran out. */
char *group_member_client_id_decode(const char *client_id);

/* ---- tests ----------------------------------------------------------------------------- */

/* Test hook: while suspended, the member's thread neither polls nor ticks, as if the process
 * were stopped (librdkafka's own threads keep heartbeating). Resuming lets it see the gap. */
void group_member_test_suspend(struct group_member *member, bool suspended);

#endif
