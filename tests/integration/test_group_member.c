/*
 * test_group_member.c - distributed mode's group membership on the real broker of
 * tests/services/ (FERRY_TEST_BOOTSTRAP), each test on a fresh group and a fresh one-partition
 * config topic: three members elect exactly one leader and the member list names each with its
 * URL (one URL needing escapes in client.id); a leader that closes without leaving is replaced
 * within the session timeout and a few seconds; a member whose polling thread is suspended past
 * the session timeout is fenced at once, reports the pause, rejoins and is unfenced; a follower
 * the coordinator drops (an operator removing it) fences and rejoins though librdkafka tells it
 * through its member id alone; a second
 * member with the same worker id fences the first for good; a member that leaves hands the
 * leadership over at once. Session timeouts are the broker's minimum (6000 ms); every wait is
 * on the members' events or the group's state, with a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config/properties.h"
#include "config/worker_config.h"
#include "kafka/group_member.h"
#include "kafka_tool.h"
#include "service_env.h"

/* The broker's group.min.session.timeout.ms. */
#define SESSION_MS 6000
#define HEARTBEAT_MS 1000
#define REBALANCE_MS 20000
/* How long a group may take to form or to settle after a change. */
#define SETTLE_MS 30000
/* How much later than the session timeout a departed leader may be replaced. */
#define TAKEOVER_MARGIN_MS 8000

/* ---- members and what they reported ------------------------------------------------------ */

typedef struct tracked {
    char name[32];
    char worker_id[64];
    char url[128];
    worker_config *worker;
    struct group_member *member;
    bool in_group; /* JOINED seen and no LOST since */
    bool leader;
    size_t joined;
    size_t lost;
    group_member_event last_lost;
} tracked;

#define MAX_TRACKED 8
static tracked *tracked_members[MAX_TRACKED];
static pthread_mutex_t notify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notify_changed = PTHREAD_COND_INITIALIZER;
static unsigned long notifications;

static void member_notify(void *opaque)
{
    (void)opaque;
    pthread_mutex_lock(&notify_lock);
    notifications++;
    pthread_cond_broadcast(&notify_changed);
    pthread_mutex_unlock(&notify_lock);
}

static void tracked_apply(tracked *t, const group_member_event *event)
{
    switch (event->type) {
    case GROUP_MEMBER_JOINED:
        t->in_group = true;
        t->leader = event->leader;
        t->joined++;
        break;
    case GROUP_MEMBER_REBALANCED:
        t->leader = event->leader;
        break;
    case GROUP_MEMBER_LEADERSHIP_REVOKED:
        t->leader = false;
        break;
    case GROUP_MEMBER_LOST:
        t->in_group = false;
        t->leader = false;
        t->lost++;
        t->last_lost = *event;
        break;
    }
}

static void drain_events(void)
{
    group_member_event event;
    for (size_t i = 0; i < MAX_TRACKED; i++) {
        tracked *t = tracked_members[i];
        while (t && t->member && group_member_next_event(t->member, &event, 0))
            tracked_apply(t, &event);
    }
}

/* Waits until done(arg) holds, looking again after every event (and at least every 100 ms, for
 * conditions no event announces: a fence seen from the clock, the group's state). */
static bool wait_for(bool (*done)(void *), void *arg, int timeout_ms)
{
    int64_t deadline = service_env_now_ms() + timeout_ms;
    for (;;) {
        pthread_mutex_lock(&notify_lock);
        unsigned long seen = notifications;
        pthread_mutex_unlock(&notify_lock);
        drain_events();
        if (done(arg))
            return true;
        int64_t left = deadline - service_env_now_ms();
        if (left <= 0)
            return false;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long long wait_ns = (long long)(left < 100 ? left : 100) * 1000000 + until.tv_nsec;
        until.tv_sec += (time_t)(wait_ns / 1000000000);
        until.tv_nsec = (long)(wait_ns % 1000000000);
        pthread_mutex_lock(&notify_lock);
        if (notifications == seen)
            pthread_cond_timedwait(&notify_changed, &notify_lock, &until);
        pthread_mutex_unlock(&notify_lock);
    }
}

/* The test's group and config topic, fresh for each test and deleted by its teardown. */
static char group[96];
static char topic[96];

static int fresh_group(void **state)
{
    (void)state;
    service_env_unique_name(group, sizeof(group), "group_member");
    service_env_unique_name(topic, sizeof(topic), "group_member_configs");
    kt_create_topic(topic, 1, NULL);
    return 0;
}

/* Starts a member as a worker on port, with its worker id and URL from the worker's own config
 * unless url is given. The teardown stops it if the test does not. */
static tracked *member_start(const char *name, int port, const char *url)
{
    char text[1024];
    char err[512];
    tracked *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\ngroup.id=%s\nconfig.storage.topic=%s\n"
             "listeners=http://127.0.0.1:%d\nsession.timeout.ms=%d\n"
             "heartbeat.interval.ms=%d\nrebalance.timeout.ms=%d\n",
             kt_bootstrap(), group, topic, port, SESSION_MS, HEARTBEAT_MS, REBALANCE_MS);
    config_map *raw = config_map_new();
    config_errors *errors = config_errors_new();
    assert_int_equal(properties_parse(text, strlen(text), raw, err, sizeof(err)), 0);
    t->worker = worker_config_load(raw, NULL, errors, NULL);
    assert_non_null(t->worker);
    config_errors_destroy(errors);
    config_map_destroy(raw);

    group_member_settings settings;
    group_member_settings_from_worker(&settings, t->worker);
    if (url)
        settings.url = url;
    settings.notify = member_notify;
    snprintf(t->worker_id, sizeof(t->worker_id), "%s", settings.worker_id);
    snprintf(t->url, sizeof(t->url), "%s", settings.url);
    t->member = group_member_new(&settings, err, sizeof(err));
    if (!t->member)
        fail_msg("member %s: %s", name, err);
    assert_true(group_member_fenced(t->member));
    assert_int_equal(group_member_epoch(t->member), 0);
    for (size_t i = 0; i < MAX_TRACKED; i++) {
        if (!tracked_members[i]) {
            tracked_members[i] = t;
            return t;
        }
    }
    fail_msg("too many members");
    return NULL;
}

static void member_stop(tracked *t)
{
    for (size_t i = 0; i < MAX_TRACKED; i++) {
        if (tracked_members[i] == t)
            tracked_members[i] = NULL;
    }
    group_member_destroy(t->member);
    worker_config_destroy(t->worker);
    free(t);
}

static int stop_all(void **state)
{
    (void)state;
    for (size_t i = 0; i < MAX_TRACKED; i++) {
        if (tracked_members[i])
            member_stop(tracked_members[i]);
    }
    kt_delete_topics((const char *const[]){topic}, 1);
    return 0;
}

/* ---- an operator's removal ------------------------------------------------------------- */

static void put16(unsigned char **p, int v)
{
    *(*p)++ = (unsigned char)(v >> 8);
    *(*p)++ = (unsigned char)v;
}

static void put32(unsigned char **p, int32_t v)
{
    put16(p, (int)((uint32_t)v >> 16));
    put16(p, v & 0xffff);
}

static void put_string(unsigned char **p, const char *text)
{
    size_t len = strlen(text);
    put16(p, (int)len);
    memcpy(*p, text, len);
    *p += len;
}

static int32_t get32(const unsigned char *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* Removes a static member from the group as Kafka's Admin.removeMembersFromConsumerGroup does
 * (KIP-345): a LeaveGroup v3 naming its group.instance.id, sent to the single broker of the
 * test services (the coordinator of every group). librdkafka has no such call. */
static void remove_static_member(const char *group_id, const char *instance_id)
{
    char host[64];
    int port = 0;
    assert_int_equal(sscanf(kt_bootstrap(), "%63[^:]:%d", host, &port), 2);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    assert_int_equal(inet_pton(AF_INET, host, &address.sin_addr), 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof(address)), 0);

    unsigned char request[1024];
    unsigned char *p = request + 4;
    put16(&p, 13); /* LeaveGroup */
    put16(&p, 3);
    put32(&p, 1); /* correlation id */
    put_string(&p, "ferry-test");
    put_string(&p, group_id);
    put32(&p, 1); /* members */
    put_string(&p, "");
    put_string(&p, instance_id);
    unsigned char *end = p;
    p = request;
    put32(&p, (int32_t)(end - request - 4));
    assert_int_equal(write(fd, request, (size_t)(end - request)), end - request);

    /* size, correlation id, throttle time, error code, one member: its ids and error code */
    unsigned char response[1024];
    size_t got = 0;
    while (got < 4 || got < 4 + (size_t)get32(response)) {
        ssize_t n = read(fd, response + got, sizeof(response) - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    close(fd);
    const unsigned char *q = response + 4;
    assert_int_equal(get32(q), 1);
    q += 8;
    if (q[0] || q[1])
        fail_msg("LeaveGroup: error %d", q[0] << 8 | q[1]);
    q += 2;
    assert_int_equal(get32(q), 1);
    q += 4;
    q += 2 + (q[0] << 8 | q[1]); /* member id */
    q += 2 + (q[0] << 8 | q[1]); /* group instance id */
    if (q[0] || q[1])
        fail_msg("LeaveGroup of %s: error %d", instance_id, q[0] << 8 | q[1]);
}

/* ---- conditions ------------------------------------------------------------------------ */

typedef struct members {
    tracked **items;
    size_t count;
} members;

/* Every member in the group, unfenced, and exactly one of them the leader. */
static bool all_in_one_leader(void *arg)
{
    const members *set = arg;
    size_t leaders = 0;
    for (size_t i = 0; i < set->count; i++) {
        tracked *t = set->items[i];
        if (!t->in_group || group_member_fenced(t->member))
            return false;
        leaders += t->leader ? 1 : 0;
    }
    return leaders == 1;
}

static tracked *the_leader(const members *set)
{
    tracked *leader = NULL;
    for (size_t i = 0; i < set->count; i++) {
        if (set->items[i]->leader) {
            assert_null(leader);
            leader = set->items[i];
        }
    }
    assert_non_null(leader);
    return leader;
}

typedef struct described {
    tracked *asking;
    size_t expected;
    group_member_list *list;
    char err[512];
} described;

/* The member list holds the expected number of members and the group is stable. */
static bool group_described(void *arg)
{
    described *d = arg;
    group_member_list_destroy(d->list);
    d->list = group_member_describe(d->asking->member, 10000, d->err, sizeof(d->err));
    return d->list && d->list->count == d->expected &&
           d->list->state == RD_KAFKA_CONSUMER_GROUP_STATE_STABLE;
}

static bool member_fenced(void *arg)
{
    return group_member_fenced(((tracked *)arg)->member);
}

static bool member_lost(void *arg)
{
    return ((tracked *)arg)->lost > 0;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_one_leader_and_member_list(void **state)
{
    (void)state;
    tracked *all[3];
    all[0] = member_start("a", 18101, NULL);
    all[1] = member_start("b", 18102, NULL);
    /* A URL that client.id must escape: a space and a '%'. */
    all[2] = member_start("c", 18103, "http://worker c.test:18103/100%/");
    members everyone = {all, 3};
    assert_true(wait_for(all_in_one_leader, &everyone, SETTLE_MS));
    tracked *leader = the_leader(&everyone);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(group_member_epoch(all[i]->member), 1);

    /* The leader's member list names all three, each with its URL, and agrees on the
     * leader. */
    described d = {.asking = leader, .expected = 3};
    if (!wait_for(group_described, &d, SETTLE_MS))
        fail_msg("the group was not described with 3 stable members: %s",
                 d.list ? "another count or state" : d.err);
    for (size_t i = 0; i < 3; i++) {
        const group_member_info *info = &d.list->members[i];
        tracked *expected = NULL;
        for (size_t j = 0; j < 3; j++) {
            if (info->worker_id && strcmp(info->worker_id, all[j]->worker_id) == 0)
                expected = all[j];
        }
        if (!expected)
            fail_msg("member %s (%s) is none of ours", info->member_id,
                     info->worker_id ? info->worker_id : "no worker id");
        assert_non_null(info->url);
        assert_string_equal(info->url, expected->url);
        assert_non_null(info->member_id);
        assert_non_null(info->client_id);
        assert_int_equal(info->leader, expected == leader);
    }
    /* Sorted by worker id. */
    assert_true(strcmp(d.list->members[0].worker_id, d.list->members[1].worker_id) < 0);
    assert_true(strcmp(d.list->members[1].worker_id, d.list->members[2].worker_id) < 0);
    group_member_list_destroy(d.list);

    /* The leader closes without leaving: the coordinator drops it after the session timeout
     * and another member takes partition 0. */
    tracked *rest[2];
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        if (all[i] != leader)
            rest[n++] = all[i];
    }
    char leader_name[32];
    snprintf(leader_name, sizeof(leader_name), "%s", leader->name);
    int64_t closed_at = service_env_now_ms();
    member_stop(leader);
    members remaining = {rest, 2};
    if (!wait_for(all_in_one_leader, &remaining, SESSION_MS + TAKEOVER_MARGIN_MS))
        fail_msg("no new leader %d ms after the leader closed", SESSION_MS + TAKEOVER_MARGIN_MS);
    printf("leader %s closed, %s leads after %lld ms\n", leader_name,
           the_leader(&remaining)->name, (long long)(service_env_now_ms() - closed_at));
    /* Neither survivor lost its membership on the way. */
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rest[i]->lost, 0);
        assert_int_equal(group_member_epoch(rest[i]->member), 1);
    }
}

static void test_pause_fences_and_rejoins(void **state)
{
    (void)state;
    tracked *all[] = {member_start("a", 18111, NULL), member_start("b", 18112, NULL)};
    members both = {all, 2};
    assert_true(wait_for(all_in_one_leader, &both, SETTLE_MS));
    /* The leader is the one paused: it must give its leadership up. */
    tracked *paused = the_leader(&both);
    tracked *other = paused == all[0] ? all[1] : all[0];

    group_member_test_suspend(paused->member, true);
    int64_t suspended_at = service_env_now_ms();
    /* Fenced as soon as the session timeout has passed, before its thread runs again. */
    assert_true(wait_for(member_fenced, paused, SESSION_MS + 5000));
    /* Counted from the thread's last tick, at most one poll before the suspension. */
    assert_true(service_env_now_ms() - suspended_at >= SESSION_MS - 2 * GROUP_MEMBER_POLL_MS);
    assert_int_equal(paused->lost, 0);
    assert_int_equal(group_member_epoch(paused->member), 1);
    group_member_test_suspend(paused->member, false);

    /* Its thread reports the gap before anything else. */
    assert_true(wait_for(member_lost, paused, 5000));
    assert_int_equal(paused->last_lost.loss, GROUP_MEMBER_LOSS_PAUSED);
    assert_false(paused->last_lost.terminal);
    assert_true(paused->last_lost.paused_ms > SESSION_MS);
    assert_int_equal(paused->last_lost.epoch, 1);
    assert_false(paused->leader);

    /* It left and rejoined: the fence clears under a new epoch, one of the two leads. */
    assert_true(wait_for(all_in_one_leader, &both, SETTLE_MS));
    assert_int_equal(paused->joined, 2);
    assert_int_equal(paused->lost, 1);
    assert_false(group_member_fenced(paused->member));
    assert_int_equal(group_member_epoch(paused->member), 2);
    assert_int_equal(other->lost, 0);
    assert_int_equal(group_member_epoch(other->member), 1);
}

/* An operator removes a follower (or its session expires at the coordinator): librdkafka calls
 * no rebalance callback for a member without partitions, only resets its member id. */
static void test_removed_follower_fences(void **state)
{
    (void)state;
    tracked *all[] = {member_start("a", 18141, NULL), member_start("b", 18142, NULL)};
    members both = {all, 2};
    assert_true(wait_for(all_in_one_leader, &both, SETTLE_MS));
    tracked *follower = all[0]->leader ? all[1] : all[0];
    tracked *leader = follower == all[0] ? all[1] : all[0];

    remove_static_member(group, follower->worker_id);
    assert_true(wait_for(member_lost, follower, SETTLE_MS));
    assert_int_equal(follower->last_lost.loss, GROUP_MEMBER_LOSS_SESSION);
    assert_false(follower->last_lost.terminal);
    assert_int_equal(follower->last_lost.epoch, 1);
    /* librdkafka rejoins on its own: a completed rebalance clears the fence. */
    assert_true(wait_for(all_in_one_leader, &both, SETTLE_MS));
    assert_int_equal(follower->joined, 2);
    assert_int_equal(group_member_epoch(follower->member), 2);
    assert_true(leader->leader);
    assert_int_equal(leader->lost, 0);
}

static void test_same_worker_id_fences(void **state)
{
    (void)state;
    tracked *first = member_start("first", 18121, NULL);
    members one = {&first, 1};
    assert_true(wait_for(all_in_one_leader, &one, SETTLE_MS));

    /* The same listener port makes the same worker id; the URL differs, to tell them apart. */
    tracked *second = member_start("second", 18121, "http://second.test:18121/");
    assert_string_equal(second->worker_id, first->worker_id);
    members newcomer = {&second, 1};
    assert_true(wait_for(all_in_one_leader, &newcomer, SETTLE_MS));
    assert_true(wait_for(member_lost, first, SETTLE_MS));
    assert_int_equal(first->last_lost.loss, GROUP_MEMBER_LOSS_FENCED);
    assert_true(first->last_lost.terminal);
    assert_non_null(strstr(first->last_lost.message, first->worker_id));
    assert_true(group_member_fenced(first->member));
    assert_false(first->leader);

    /* The first stays out for good; the group lists one member of that worker id. The
     * coordinator replaced the first member's id by the second's but kept what the first
     * registered, client.id included, until the next rebalance: the URL is still the first
     * one's (group_member.h). */
    described d = {.asking = second, .expected = 1};
    if (!wait_for(group_described, &d, SETTLE_MS))
        fail_msg("the group was not described with 1 stable member: %s",
                 d.list ? "another count or state" : d.err);
    assert_string_equal(d.list->members[0].worker_id, first->worker_id);
    assert_string_equal(d.list->members[0].url, first->url);
    assert_true(d.list->members[0].leader);
    group_member_list_destroy(d.list);
    assert_true(group_member_fenced(first->member));
    assert_int_equal(first->lost, 1);
}

static void test_leave_hands_over_at_once(void **state)
{
    (void)state;
    char err[512];
    tracked *all[] = {member_start("a", 18131, NULL), member_start("b", 18132, NULL)};
    members both = {all, 2};
    assert_true(wait_for(all_in_one_leader, &both, SETTLE_MS));
    tracked *leaving = the_leader(&both);
    tracked *other = leaving == all[0] ? all[1] : all[0];

    int64_t left_at = service_env_now_ms();
    if (group_member_leave(leaving->member, 10000, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_true(group_member_fenced(leaving->member));
    members rest = {&other, 1};
    /* Well within the session timeout: the coordinator heard the LeaveGroup. */
    assert_true(wait_for(all_in_one_leader, &rest, SESSION_MS - 1000));
    printf("leader %s left, %s leads after %lld ms\n", leaving->name, other->name,
           (long long)(service_env_now_ms() - left_at));
    /* A voluntary leave is no loss. */
    drain_events();
    assert_int_equal(leaving->lost, 0);
}

int main(void)
{
    kt_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_leader_and_member_list, fresh_group, stop_all),
        cmocka_unit_test_setup_teardown(test_pause_fences_and_rejoins, fresh_group, stop_all),
        cmocka_unit_test_setup_teardown(test_removed_follower_fences, fresh_group, stop_all),
        cmocka_unit_test_setup_teardown(test_same_worker_id_fences, fresh_group, stop_all),
        cmocka_unit_test_setup_teardown(test_leave_hands_over_at_once, fresh_group, stop_all),
    };
    return cmocka_run_group_tests_name("group_member", tests, NULL, NULL);
}
