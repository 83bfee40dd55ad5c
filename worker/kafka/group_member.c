/*
 * group_member.c - a worker's membership in its cluster's group: the consumer, its thread, the
 * rebalance callback, the fence and the event queue (group_member.h says what each one means).
 * The member list and the client.id encoding are in group_member_describe.c.
 *
 * The polling thread owns the consumer's group state: it alone subscribes and unsubscribes, and
 * the rebalance callback runs on it (and on the destroying thread once it has stopped). What
 * other threads read is atomic (the fence word, the last tick) or under the lock (events, the
 * suspension, a leave request).
 */
#include "kafka/group_member.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "kafka/kafka_client.h"
#include "kafka/kafka_config.h"
#include "support/array.h"

#define GROUP_MEMBER_LOG_SCOPE "group"

/* The fence word: the epoch shifted left once, the low bit set while fenced. One atomic word, so
 * that a reader gets the flag and the epoch of one moment. */
#define GROUP_MEMBER_FENCED_BIT UINT64_C(1)

/* A rejoin after a pause. */
typedef enum group_member_rejoin {
    GROUP_MEMBER_REJOIN_NONE,
    GROUP_MEMBER_REJOIN_PENDING, /* the pause was seen; the polling loop leaves next */
    GROUP_MEMBER_REJOIN_LEAVING, /* unsubscribed, waiting for librdkafka to have left */
    GROUP_MEMBER_REJOIN_JOINING, /* subscribed again, waiting for a completed rebalance */
} group_member_rejoin;

struct group_member {
    /* Set by group_member_new, then read-only. */
    rd_kafka_t *consumer;
    char *group_id;
    char *topic;
    char *worker_id;
    int32_t session_timeout_ms;
    group_member_notify_fn notify;
    void *opaque;

    /* Any thread. */
    _Atomic uint64_t fence;
    _Atomic int64_t last_tick_ms;
    atomic_bool stopping;

    /* The polling thread's (the destroying thread's once the polling thread has stopped). */
    char *member_id; /* of the current membership; NULL while fenced */
    bool leader;
    bool failed;  /* a terminal loss happened */
    bool closing; /* group_member_destroy: no more events */
    bool leaving; /* group_member_leave was served: resets are no loss */
    group_member_rejoin rejoin;
    int64_t rejoin_started_ms;
    bool unsubscribed; /* by a rejoin, not subscribed again yet */

    /* Under lock. */
    pthread_mutex_t lock;
    pthread_cond_t changed; /* events queued, suspension or leave changed */
    group_member_event *events;
    size_t event_head;
    size_t event_count;
    size_t event_capacity;
    bool suspended;
    bool leave_requested;
    bool left;

    bool lock_ready;
    bool thread_started;
    pthread_t thread;
};

/* ------------------------------------------------------------------------------------------ */
/* Clocks                                                                                     */

/* Milliseconds of CLOCK_BOOTTIME: monotonic, and it keeps counting while the machine sleeps, so
 * a suspended host shows as a gap too (CLOCK_MONOTONIC stops then). */
static int64_t group_member_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_BOOTTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The CLOCK_MONOTONIC time timeout_ms from now, for the lock's condition variable. */
static struct timespec group_member_deadline(int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    long long nanoseconds = (long long)deadline.tv_nsec + (long long)(timeout_ms % 1000) * 1000000;
    deadline.tv_sec += timeout_ms / 1000 + (time_t)(nanoseconds / 1000000000);
    deadline.tv_nsec = (long)(nanoseconds % 1000000000);
    return deadline;
}

/* ------------------------------------------------------------------------------------------ */
/* Settings and the consumer's config                                                         */

void group_member_settings_from_worker(group_member_settings *settings,
                                       const worker_config *worker)
{
    *settings = (group_member_settings){
        .worker = worker,
        .group_id = worker->group_id,
        .worker_id = worker->worker_id,
        .url = worker->advertised_url,
        .config_topic = worker->config_topic,
        .session_timeout_ms = worker->session_timeout_ms,
        .heartbeat_interval_ms = worker->heartbeat_interval_ms,
        .rebalance_timeout_ms = worker->rebalance_timeout_ms,
    };
}

static int group_member_settings_check(const group_member_settings *settings, char *err,
                                       size_t errlen)
{
    const struct {
        const char *what;
        const char *value;
    } names[] = {
        {"group.id", settings->group_id},
        {"the worker id", settings->worker_id},
        {"the advertised URL", settings->url},
        {"the config topic", settings->config_topic},
    };
    if (!settings->worker)
        return ferry_error_set(err, errlen, "group member: no worker config"), -1;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!names[i].value || names[i].value[0] == '\0')
            return ferry_error_set(err, errlen, "group member: %s is empty", names[i].what), -1;
    }
    if (settings->session_timeout_ms <= 0 || settings->heartbeat_interval_ms <= 0 ||
        settings->rebalance_timeout_ms <= 0)
        return ferry_error_set(err, errlen, "group member: the timeouts must be positive"), -1;
    return 0;
}

rd_kafka_conf_t *group_member_config_build(const group_member_settings *settings, char *err,
                                           size_t errlen)
{
    char session[16];
    char heartbeat[16];
    char rebalance[16];
    rd_kafka_conf_t *conf = NULL;
    char *client_id = NULL;

    if (group_member_settings_check(settings, err, errlen) != 0)
        return NULL;
    client_id = group_member_client_id_encode(settings->url);
    if (!client_id) {
        ferry_error_set(err, errlen, "out of memory while building the group member's config");
        return NULL;
    }
    kafka_client_spec spec = {.scope = GROUP_MEMBER_LOG_SCOPE, .name = "group member",
                              .role = KAFKA_CLIENT_CONSUMER, .worker = settings->worker};
    conf = kafka_client_config(settings->worker, KAFKA_CLIENT_CONSUMER, NULL, client_id, &spec,
                               err, errlen);
    if (!conf)
        goto done;
    snprintf(session, sizeof(session), "%" PRId32, settings->session_timeout_ms);
    snprintf(heartbeat, sizeof(heartbeat), "%" PRId32, settings->heartbeat_interval_ms);
    snprintf(rebalance, sizeof(rebalance), "%" PRId32, settings->rebalance_timeout_ms);
    /* What membership rests on, set after the worker's consumer.* keys so that none replaces
     * it: the client.id the leader reads URLs from included. */
    if (kafka_config_set(conf, "client.id", client_id, err, errlen) != 0 ||
        kafka_config_set(conf, "group.id", settings->group_id, err, errlen) != 0 ||
        kafka_config_set(conf, "group.instance.id", settings->worker_id, err, errlen) != 0 ||
        kafka_config_set(conf, "partition.assignment.strategy", "cooperative-sticky", err,
                         errlen) != 0 ||
        kafka_config_set(conf, "enable.auto.commit", "false", err, errlen) != 0 ||
        kafka_config_set(conf, "enable.auto.offset.store", "false", err, errlen) != 0 ||
        kafka_config_set(conf, "session.timeout.ms", session, err, errlen) != 0 ||
        kafka_config_set(conf, "heartbeat.interval.ms", heartbeat, err, errlen) != 0 ||
        kafka_config_set(conf, "max.poll.interval.ms", rebalance, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
done:
    free(client_id);
    return conf;
}

/* ------------------------------------------------------------------------------------------ */
/* The fence                                                                                  */

bool group_member_fenced(const struct group_member *member)
{
    if (atomic_load(&member->fence) & GROUP_MEMBER_FENCED_BIT)
        return true;
    /* The polling thread may not have run yet since the process came back. */
    return group_member_now_ms() - atomic_load(&member->last_tick_ms) >
           member->session_timeout_ms;
}

uint64_t group_member_epoch(const struct group_member *member)
{
    return atomic_load(&member->fence) >> 1;
}

static bool group_member_is_fenced(const struct group_member *member)
{
    return atomic_load(&member->fence) & GROUP_MEMBER_FENCED_BIT;
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */

static void group_member_queue(struct group_member *member, const group_member_event *event)
{
    if (member->closing)
        return;
    pthread_mutex_lock(&member->lock);
    if (member->event_head == member->event_count)
        member->event_head = member->event_count = 0;
    bool queued = array_reserve(&member->events, &member->event_capacity,
                                member->event_count + 1, sizeof(*member->events)) == 0;
    if (queued)
        member->events[member->event_count++] = *event;
    pthread_cond_broadcast(&member->changed);
    pthread_mutex_unlock(&member->lock);
    if (!queued) {
        log_error(GROUP_MEMBER_LOG_SCOPE, "out of memory: an event of the group member was "
                                          "dropped (%s)",
                  event->message);
        return;
    }
    if (member->notify)
        member->notify(member->opaque);
}

bool group_member_next_event(struct group_member *member, group_member_event *event, int timeout_ms)
{
    struct timespec deadline = group_member_deadline(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&member->lock);
    while (member->event_head == member->event_count && timeout_ms != 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&member->changed, &member->lock);
        else if (pthread_cond_timedwait(&member->changed, &member->lock, &deadline) == ETIMEDOUT)
            break;
    }
    bool taken = member->event_head < member->event_count;
    if (taken)
        *event = member->events[member->event_head++];
    pthread_mutex_unlock(&member->lock);
    return taken;
}

/* A copy of the consumer's member id, NULL when it has none (never joined, or reset). */
static char *group_member_current_id(const struct group_member *member)
{
    char *id = rd_kafka_memberid(member->consumer);
    if (id && id[0] == '\0') {
        rd_kafka_mem_free(member->consumer, id);
        return NULL;
    }
    char *copy = id ? strdup(id) : NULL;
    if (id)
        rd_kafka_mem_free(member->consumer, id);
    return copy;
}

/* Sets the fence before anything else, and tells the owner once: when the member goes from in
 * the group to fenced, or when a loss is terminal. */
static void group_member_lose(struct group_member *member, group_member_loss loss,
                              int64_t paused_ms, const char *fmt, ...) FERRY_PRINTF(4, 5);
static void group_member_lose(struct group_member *member, group_member_loss loss,
                              int64_t paused_ms, const char *fmt, ...)
{
    bool terminal = loss == GROUP_MEMBER_LOSS_FENCED || loss == GROUP_MEMBER_LOSS_FATAL;
    bool was_fenced = group_member_is_fenced(member);
    bool was_failed = member->failed;
    atomic_fetch_or(&member->fence, GROUP_MEMBER_FENCED_BIT);
    group_member_event event = {
        .type = GROUP_MEMBER_LOST,
        .epoch = group_member_epoch(member),
        .loss = loss,
        .terminal = terminal,
        .paused_ms = paused_ms,
    };
    /* Before the member id is freed: the message may name it. */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(event.message, sizeof(event.message), fmt, ap);
    va_end(ap);
    member->failed = member->failed || terminal;
    member->leader = false;
    free(member->member_id);
    member->member_id = NULL;
    if ((was_fenced && !terminal) || was_failed || member->leaving)
        return;

    if (terminal)
        log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s lost its membership for good: %s",
                  member->worker_id, event.message);
    else
        log_warn(GROUP_MEMBER_LOG_SCOPE, "worker %s lost its membership: %s", member->worker_id,
                 event.message);
    group_member_queue(member, &event);
}

/* A completed rebalance, after which the member owns partition 0 or not: it is in the group
 * (again, when it was fenced). */
static void group_member_rebalanced(struct group_member *member, bool leader)
{
    if (member->failed || member->leaving || member->closing)
        return;
    char *id = group_member_current_id(member);
    if (!group_member_is_fenced(member) && id && member->member_id &&
        strcmp(id, member->member_id) == 0) {
        free(id);
        member->leader = leader;
        group_member_event event = {
            .type = GROUP_MEMBER_REBALANCED, .leader = leader, .epoch = group_member_epoch(member)};
        snprintf(event.message, sizeof(event.message), "rebalanced%s", leader ? ", leader" : "");
        group_member_queue(member, &event);
        return;
    }
    if (!group_member_is_fenced(member))
        group_member_lose(member, GROUP_MEMBER_LOSS_SESSION, 0,
                          "the group coordinator dropped member %s (a rebalance completed "
                          "under a new member id)",
                          member->member_id);
    /* An answer queued before a forced leave, or one for no member id, proves nothing. */
    if (member->rejoin == GROUP_MEMBER_REJOIN_PENDING ||
        member->rejoin == GROUP_MEMBER_REJOIN_LEAVING || !id) {
        free(id);
        return;
    }
    member->member_id = id;
    member->leader = leader;
    member->rejoin = GROUP_MEMBER_REJOIN_NONE;
    uint64_t epoch = group_member_epoch(member) + 1;
    atomic_store(&member->fence, epoch << 1);
    group_member_event event = {.type = GROUP_MEMBER_JOINED, .leader = leader, .epoch = epoch};
    snprintf(event.message, sizeof(event.message), "joined group as member %s%s", id,
             leader ? ", leader" : "");
    log_info(GROUP_MEMBER_LOG_SCOPE, "worker %s %s (epoch %" PRIu64 ")", member->worker_id,
             event.message, epoch);
    group_member_queue(member, &event);
}

/* ------------------------------------------------------------------------------------------ */
/* Pauses                                                                                     */

/* The process did not run for longer than the session timeout: the coordinator may have dropped
 * the member meanwhile, or kept it. Either way the member fences now, and the polling loop
 * leaves and joins again (group_member_rejoin_step), so that only a completed rebalance clears
 * the fence. */
static void group_member_paused(struct group_member *member, int64_t gap_ms)
{
    if (member->failed || member->leaving)
        return;
    group_member_lose(member, GROUP_MEMBER_LOSS_PAUSED, gap_ms,
                      "the group thread did not run for %" PRId64 " ms, longer than "
                      "session.timeout.ms (%" PRId32 "): the process was stopped or starved; "
                      "rejoining the group",
                      gap_ms, member->session_timeout_ms);
    member->rejoin = GROUP_MEMBER_REJOIN_PENDING;
}

/* Runs first in each turn of the polling loop and in each callback: the thread is often inside
 * consumer_poll when the process stops, and what librdkafka queued meanwhile is served there,
 * so the gap is looked at before anything served after it. */
static void group_member_tick(struct group_member *member)
{
    if (member->closing)
        return;
    int64_t now = group_member_now_ms();
    int64_t gap = now - atomic_load(&member->last_tick_ms);
    if (gap > member->session_timeout_ms)
        group_member_paused(member, gap);
    atomic_store(&member->last_tick_ms, now);
}

/* ------------------------------------------------------------------------------------------ */
/* librdkafka's callbacks and errors                                                          */

/* A fatal error makes the consumer unusable: a terminal loss. */
static void group_member_check_fatal(struct group_member *member)
{
    char reason[512];
    if (member->failed)
        return;
    rd_kafka_resp_err_t code = rd_kafka_fatal_error(member->consumer, reason, sizeof(reason));
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* Authentication, TLS or the group's ACL: persistent, as kafka_client.h says. */
        if (kafka_client_failed(member->consumer, reason, sizeof(reason)))
            group_member_lose(member, GROUP_MEMBER_LOSS_FATAL, 0, "%s", reason);
        return;
    }
    if (code == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID || code == RD_KAFKA_RESP_ERR__FENCED)
        group_member_lose(member, GROUP_MEMBER_LOSS_FENCED, 0,
                          "another member joined the group with worker id %s (%s): every "
                          "worker of a cluster needs its own advertised host and port",
                          member->worker_id, reason);
    else
        group_member_lose(member, GROUP_MEMBER_LOSS_FATAL, 0, "fatal consumer error: %s",
                          reason);
}

static bool group_member_holds_leadership(const struct group_member *member,
                                          const rd_kafka_topic_partition_list_t *partitions)
{
    return partitions && rd_kafka_topic_partition_list_find(partitions, member->topic, 0);
}

static void group_member_assign(struct group_member *member, rd_kafka_t *consumer,
                                const rd_kafka_topic_partition_list_t *partitions)
{
    rd_kafka_topic_partition_list_t *assigned = rd_kafka_topic_partition_list_copy(partitions);
    rd_kafka_topic_partition_list_t *now = NULL;
    /* An absolute start offset spares the committed-offset and list-offsets requests a logical
     * one would cost; paused before and after the assignment, the partition is never
     * fetched. */
    for (int i = 0; i < assigned->cnt; i++)
        assigned->elems[i].offset = 0;
    rd_kafka_pause_partitions(consumer, assigned);
    rd_kafka_error_t *error = rd_kafka_incremental_assign(consumer, assigned);
    if (error) {
        log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s: cannot take its assignment: %s",
                  member->worker_id, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        rd_kafka_topic_partition_list_destroy(assigned);
        group_member_check_fatal(member);
        return;
    }
    rd_kafka_pause_partitions(consumer, assigned);
    rd_kafka_topic_partition_list_destroy(assigned);
    /* The whole assignment: an incremental one lists only what was added. */
    bool leader = false;
    if (rd_kafka_assignment(consumer, &now) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        leader = group_member_holds_leadership(member, now);
        rd_kafka_topic_partition_list_destroy(now);
    }
    group_member_rebalanced(member, leader);
}

static void group_member_revoke(struct group_member *member, rd_kafka_t *consumer,
                                const rd_kafka_topic_partition_list_t *partitions)
{
    /* Fenced before the partitions are given up: nothing may act on a lost membership. */
    if (rd_kafka_assignment_lost(consumer)) {
        group_member_check_fatal(member);
        group_member_lose(member, GROUP_MEMBER_LOSS_ASSIGNMENT, 0,
                          "librdkafka reports the assignment lost");
    }
    rd_kafka_error_t *error = rd_kafka_incremental_unassign(consumer, partitions);
    if (error) {
        log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s: cannot give up its assignment: %s",
                  member->worker_id, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    if (!member->leader || !group_member_holds_leadership(member, partitions))
        return;
    member->leader = false;
    if (group_member_is_fenced(member) || member->leaving || member->closing)
        return;
    group_member_event event = {.type = GROUP_MEMBER_LEADERSHIP_REVOKED,
                                .epoch = group_member_epoch(member)};
    snprintf(event.message, sizeof(event.message), "partition 0 of %s revoked", member->topic);
    log_info(GROUP_MEMBER_LOG_SCOPE, "worker %s is no longer the leader: %s", member->worker_id,
             event.message);
    group_member_queue(member, &event);
}

static void group_member_rebalance_cb(rd_kafka_t *consumer, rd_kafka_resp_err_t err,
                                      rd_kafka_topic_partition_list_t *partitions, void *opaque)
{
    struct group_member *member = opaque;
    group_member_tick(member);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        group_member_assign(member, consumer, partitions);
    else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        group_member_revoke(member, consumer, partitions);
    else
        log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s: rebalance failed: %s", member->worker_id,
                  rd_kafka_err2str(err));
}

/* What consumer_poll returned: never a record (the partition is paused), errors. */
static void group_member_consumer_message(struct group_member *member,
                                          const rd_kafka_message_t *message)
{
    group_member_tick(member);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
        group_member_check_fatal(member);
        return;
    }
    char why[1024];
    if (kafka_client_report(member->consumer, message->err, rd_kafka_message_errstr(message),
                            NULL, why, sizeof(why)))
        group_member_check_fatal(member);
}

/* ------------------------------------------------------------------------------------------ */
/* The polling thread                                                                         */

static int group_member_subscribe(struct group_member *member, char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, member->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t code = rd_kafka_subscribe(member->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR)
        return 0;
    ferry_error_set(err, errlen, "cannot subscribe to %s: %s", member->topic,
                    rd_kafka_err2str(code));
    return -1;
}

/* The rejoin after a pause, one step per turn of the polling loop, after its poll (which served
 * whatever librdkafka queued before). A member librdkafka still counts in the group leaves
 * (unsubscribes: LeaveGroup), then subscribes again once librdkafka has left (its member id is
 * reset then), or after a session timeout if it never says so; one whose member id librdkafka
 * reset already is rejoining on its own. */
static void group_member_rejoin_step(struct group_member *member)
{
    char err[512];
    if (member->failed || member->leaving)
        return;
    if (member->rejoin == GROUP_MEMBER_REJOIN_PENDING) {
        char *id = group_member_current_id(member);
        bool joined = id != NULL;
        free(id);
        member->rejoin_started_ms = group_member_now_ms();
        /* Not in the group: librdkafka is rejoining, unless a rejoin cut short by another
         * pause had unsubscribed. */
        if (!joined) {
            member->rejoin = member->unsubscribed ? GROUP_MEMBER_REJOIN_LEAVING
                                                  : GROUP_MEMBER_REJOIN_JOINING;
            return;
        }
        rd_kafka_resp_err_t code = rd_kafka_unsubscribe(member->consumer);
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
            log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s: cannot leave the group: %s",
                      member->worker_id, rd_kafka_err2str(code));
        member->unsubscribed = true;
        member->rejoin = GROUP_MEMBER_REJOIN_LEAVING;
        return;
    }
    if (member->rejoin != GROUP_MEMBER_REJOIN_LEAVING)
        return;
    char *id = group_member_current_id(member);
    bool left = !id;
    free(id);
    if (!left &&
        group_member_now_ms() - member->rejoin_started_ms <= member->session_timeout_ms)
        return;
    if (group_member_subscribe(member, err, sizeof(err)) != 0) {
        log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s: %s; trying again", member->worker_id, err);
        group_member_check_fatal(member);
        return;
    }
    member->unsubscribed = false;
    member->rejoin = GROUP_MEMBER_REJOIN_JOINING;
    log_info(GROUP_MEMBER_LOG_SCOPE, "worker %s: rejoining group", member->worker_id);
}

/* A member without partitions gets no rebalance callback when its membership is lost: its
 * member id, reset by librdkafka, tells. */
static void group_member_check_id(struct group_member *member)
{
    if (member->failed || member->leaving || group_member_is_fenced(member))
        return;
    char *id = group_member_current_id(member);
    if (!id || strcmp(id, member->member_id) != 0)
        group_member_lose(member, GROUP_MEMBER_LOSS_SESSION, 0,
                          "the group coordinator no longer knows member %s (librdkafka reset "
                          "its member id: session timed out or member unknown); rejoining",
                          member->member_id);
    free(id);
}

/* group_member_leave's request, served here so that subscriptions change on one thread. */
static void group_member_serve_leave(struct group_member *member)
{
    pthread_mutex_lock(&member->lock);
    bool requested = member->leave_requested && !member->left;
    pthread_mutex_unlock(&member->lock);
    if (!requested)
        return;
    if (!member->leaving) {
        member->leaving = true;
        member->rejoin = GROUP_MEMBER_REJOIN_NONE;
        atomic_fetch_or(&member->fence, GROUP_MEMBER_FENCED_BIT);
        rd_kafka_resp_err_t code = rd_kafka_unsubscribe(member->consumer);
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
            log_error(GROUP_MEMBER_LOG_SCOPE, "worker %s: cannot leave the group: %s",
                      member->worker_id, rd_kafka_err2str(code));
    }
    char *id = group_member_current_id(member);
    bool left = !id || member->failed;
    free(id);
    if (!left)
        return;
    pthread_mutex_lock(&member->lock);
    member->left = true;
    pthread_cond_broadcast(&member->changed);
    pthread_mutex_unlock(&member->lock);
}

/* Waits while the test hook suspends the thread. True when it waited (the caller looks at
 * stopping again). */
static bool group_member_wait_suspended(struct group_member *member)
{
    bool waited = false;
    pthread_mutex_lock(&member->lock);
    while (member->suspended && !atomic_load(&member->stopping)) {
        pthread_cond_wait(&member->changed, &member->lock);
        waited = true;
    }
    pthread_mutex_unlock(&member->lock);
    return waited;
}

static void *group_member_run(void *argument)
{
    struct group_member *member = argument;
    while (!atomic_load(&member->stopping)) {
        if (group_member_wait_suspended(member))
            continue;
        group_member_tick(member);
        group_member_check_fatal(member);
        group_member_check_id(member);
        group_member_serve_leave(member);

        rd_kafka_message_t *message =
            rd_kafka_consumer_poll(member->consumer, GROUP_MEMBER_POLL_MS);
        if (message) {
            group_member_consumer_message(member, message);
            rd_kafka_message_destroy(message);
        }
        group_member_rejoin_step(member);
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Life cycle                                                                                 */

static int group_member_lock_init(struct group_member *member)
{
    pthread_condattr_t attributes;
    if (pthread_condattr_init(&attributes) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&member->changed, &attributes);
    pthread_condattr_destroy(&attributes);
    if (rc != 0)
        return -1;
    if (pthread_mutex_init(&member->lock, NULL) != 0) {
        pthread_cond_destroy(&member->changed);
        return -1;
    }
    member->lock_ready = true;
    return 0;
}

struct group_member *group_member_new(const group_member_settings *settings, char *err,
                                      size_t errlen)
{
    char why[512];
    rd_kafka_conf_t *conf = NULL;
    struct group_member *member = calloc(1, sizeof(*member));
    if (!member || group_member_lock_init(member) != 0)
        goto out_of_memory;
    if (group_member_settings_check(settings, err, errlen) != 0)
        goto fail;
    member->group_id = strdup(settings->group_id);
    member->topic = strdup(settings->config_topic);
    member->worker_id = strdup(settings->worker_id);
    if (!member->group_id || !member->topic || !member->worker_id)
        goto out_of_memory;
    member->session_timeout_ms = settings->session_timeout_ms;
    member->notify = settings->notify;
    member->opaque = settings->opaque;
    atomic_store(&member->fence, GROUP_MEMBER_FENCED_BIT);
    atomic_store(&member->last_tick_ms, group_member_now_ms());

    conf = group_member_config_build(settings, err, errlen);
    if (!conf)
        goto fail;
    rd_kafka_conf_set_rebalance_cb(conf, group_member_rebalance_cb);
    rd_kafka_conf_set_opaque(conf, member);
    member->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (!member->consumer) {
        ferry_error_set(err, errlen, "cannot create the group member's consumer: %s", why);
        goto fail;
    }
    conf = NULL; /* the consumer's now */
    rd_kafka_poll_set_consumer(member->consumer);
    if (group_member_subscribe(member, err, errlen) != 0)
        goto fail;
    if (pthread_create(&member->thread, NULL, group_member_run, member) != 0) {
        ferry_error_set(err, errlen, "cannot start the group member's thread");
        goto fail;
    }
    member->thread_started = true;
    log_info(GROUP_MEMBER_LOG_SCOPE, "worker %s joining group %s (config topic %s, URL %s)",
             settings->worker_id, settings->group_id, settings->config_topic, settings->url);
    return member;

out_of_memory:
    ferry_error_set(err, errlen, "out of memory while creating the group member");
fail:
    if (conf)
        rd_kafka_conf_destroy(conf);
    group_member_destroy(member);
    return NULL;
}

void group_member_destroy(struct group_member *member)
{
    if (!member)
        return;
    if (member->thread_started) {
        pthread_mutex_lock(&member->lock);
        atomic_store(&member->stopping, true);
        pthread_cond_broadcast(&member->changed);
        pthread_mutex_unlock(&member->lock);
        pthread_join(member->thread, NULL);
    }
    if (member->consumer) {
        /* close revokes the assignment through the rebalance callback, here, and ends
         * librdkafka's group handling before destroy; a static member sends no LeaveGroup
         * unless group_member_leave unsubscribed before. */
        member->closing = true;
        atomic_fetch_or(&member->fence, GROUP_MEMBER_FENCED_BIT);
        rd_kafka_resp_err_t code = rd_kafka_consumer_close(member->consumer);
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR && !member->failed)
            log_warn(GROUP_MEMBER_LOG_SCOPE, "worker %s: closing the group consumer: %s",
                     member->worker_id, rd_kafka_err2str(code));
        rd_kafka_destroy(member->consumer);
    }
    if (member->lock_ready) {
        pthread_cond_destroy(&member->changed);
        pthread_mutex_destroy(&member->lock);
    }
    free(member->events);
    free(member->member_id);
    free(member->worker_id);
    free(member->topic);
    free(member->group_id);
    free(member);
}

int group_member_leave(struct group_member *member, int timeout_ms, char *err, size_t errlen)
{
    struct timespec deadline = group_member_deadline(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&member->lock);
    member->leave_requested = true;
    while (!member->left &&
           pthread_cond_timedwait(&member->changed, &member->lock, &deadline) != ETIMEDOUT) {
    }
    bool left = member->left;
    pthread_mutex_unlock(&member->lock);
    if (left)
        return 0;
    ferry_error_set(err, errlen, "worker %s did not leave the group within %d ms",
                    member->worker_id, timeout_ms);
    return -1;
}

group_member_list *group_member_describe(struct group_member *member, int timeout_ms, char *err,
                                         size_t errlen)
{
    return group_member_describe_group(member->consumer, member->group_id, member->topic,
                                       timeout_ms, err, errlen);
}

void group_member_test_suspend(struct group_member *member, bool suspended)
{
    pthread_mutex_lock(&member->lock);
    member->suspended = suspended;
    pthread_cond_broadcast(&member->changed);
    pthread_mutex_unlock(&member->lock);
}
