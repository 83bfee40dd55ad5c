/*
 * distributed_herder.c - a worker of a cluster: the herder's thread and what it does with the
 * group's events, the config topic's changes and its timers; the leader's assignment, session
 * key and task configs; the changes, made on the leader and answered NOT_LEADER elsewhere.
 */
#include "herder/distributed_herder.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "cluster/assignment.h"
#include "cluster/assignor.h"
#include "cluster/cluster_client.h"
#include "cluster/request_signature.h"
#include "herder/standalone_herder.h"
#include "kafka/group_member.h"
#include "runtime/connector_view.h"
#include "stores/config_store.h"
#include "support/clock.h"
#include "support/strbuf.h"

#define HERDER_SCOPE "cluster"

/* How often a follower tries again to hand the leader task configs it refused or did not get. */
#define DISTRIBUTED_PUBLISH_RETRY_MS 1000
/* The longest the herder's thread sleeps without a reason to wake. */
#define DISTRIBUTED_IDLE_MS 1000

/* Work handed to the herder's thread by other threads. */
typedef struct distributed_job {
    enum { JOB_PUBLISH, JOB_RESTART } kind;
    char *connector;
    json_t *task_configs; /* JOB_PUBLISH */
    bool include_tasks;   /* JOB_RESTART */
    bool only_failed;
    struct distributed_job *next;
} distributed_job;

typedef struct distributed_herder {
    herder base; /* first: a herder * is a distributed_herder * */
    worker *running;
    const worker_config *config;
    config_store *configs;
    herder *changes; /* the leader's changes: the standalone herder's, mirrored by the apply */
    struct group_member *member;
    request_signature_settings signing;

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    /* Under mutex: what woke the thread. */
    bool stopping;
    bool member_events;
    bool configs_dirty;
    bool assignment_dirty;
    bool acks_dirty;
    bool key_dirty;
    distributed_job *jobs; /* FIFO */
    distributed_job *jobs_tail;
    /* Under mutex: what other threads read. */
    char leader_id[256];
    char leader_url[512];
    json_t *owners; /* task or connector name -> worker id, from the latest assignment read */
    json_t *urls;   /* worker id -> URL, from the ferry-worker-<id> records */
    int64_t applied_epoch;
    uint64_t rebalances;
    int64_t rebalancing_ms_total;
    size_t member_count;
    size_t connectors_here;
    size_t tasks_here;

    /* The herder's thread only. */
    bool leader;
    bool joined;          /* in the group since the last loss */
    bool reapply;         /* apply the latest assignment even if its epoch was applied */
    int64_t assign_at_ms; /* monotonic: when the leader computes next; INT64_MAX: not due */
    int64_t assignor_call_ms; /* wall: when the assignor asked to be called again */
    int64_t key_expiry_ms;    /* wall: when the current session key runs out */
    int64_t rebalance_started_ms;
    distributed_job *pending; /* task configs a follower could not hand over yet */
    int64_t pending_retry_ms;

    atomic_bool ready;
    atomic_bool stop_requested; /* set first when the herder stops: requests give up */
    atomic_bool leader_now;     /* the group's word, for the change functions */
    atomic_bool terminated;     /* membership lost for good: the worker stopped */
} distributed_herder;

static distributed_herder *distributed_self(herder *base)
{
    return (distributed_herder *)base;
}

static void job_free(distributed_job *job)
{
    while (job) {
        distributed_job *next = job->next;
        free(job->connector);
        json_decref(job->task_configs);
        free(job);
        job = next;
    }
}

static void distributed_wake_locked(distributed_herder *self)
{
    pthread_cond_signal(&self->wake);
}

static void distributed_job_push(distributed_herder *self, distributed_job *job)
{
    pthread_mutex_lock(&self->mutex);
    job->next = NULL;
    if (self->jobs_tail)
        self->jobs_tail->next = job;
    else
        self->jobs = job;
    self->jobs_tail = job;
    distributed_wake_locked(self);
    pthread_mutex_unlock(&self->mutex);
}

/* ---- what reaches the herder from other threads ----------------------------------------- */

/* The group member's thread: an event is queued. */
static void distributed_member_notify(void *opaque)
{
    distributed_herder *self = opaque;
    pthread_mutex_lock(&self->mutex);
    self->member_events = true;
    distributed_wake_locked(self);
    pthread_mutex_unlock(&self->mutex);
}

/* The config store's reader thread: a record changed something. */
static void distributed_config_changed(void *opaque, const config_change *change)
{
    distributed_herder *self = opaque;
    if (change->kind == CONFIG_CHANGE_RESTART) {
        distributed_job *job = calloc(1, sizeof(*job));
        if (!job || !(job->connector = strdup(change->connector))) {
            free(job);
            log_error(HERDER_SCOPE, "out of memory: restart of %s not done", change->connector);
            return;
        }
        job->kind = JOB_RESTART;
        job->include_tasks = change->include_tasks;
        job->only_failed = change->only_failed;
        distributed_job_push(self, job);
        return;
    }
    pthread_mutex_lock(&self->mutex);
    switch (change->kind) {
    case CONFIG_CHANGE_CONNECTOR:
    case CONFIG_CHANGE_CONNECTOR_REMOVED:
    case CONFIG_CHANGE_TARGET_STATE:
    case CONFIG_CHANGE_TASKS:
        self->configs_dirty = true;
        break;
    case CONFIG_CHANGE_ASSIGNMENT:
        self->assignment_dirty = true;
        break;
    case CONFIG_CHANGE_WORKER:
        self->acks_dirty = true;
        break;
    case CONFIG_CHANGE_SESSION_KEY:
        self->key_dirty = true;
        break;
    case CONFIG_CHANGE_NONE:
    case CONFIG_CHANGE_RESTART:
        break;
    }
    distributed_wake_locked(self);
    pthread_mutex_unlock(&self->mutex);
}

/* The control thread: a connector instance running here made task configs that differ from the
 * committed ones. */
static void distributed_publish_tasks(void *opaque, const char *connector, json_t *task_configs)
{
    distributed_herder *self = opaque;
    distributed_job *job = calloc(1, sizeof(*job));
    if (!job || !(job->connector = strdup(connector)) ||
        !(job->task_configs = json_deep_copy(task_configs))) {
        job_free(job);
        log_error(HERDER_SCOPE, "out of memory: task configs of %s not published", connector);
        return;
    }
    job->kind = JOB_PUBLISH;
    distributed_job_push(self, job);
}

static bool distributed_fenced(const void *opaque)
{
    const distributed_herder *self = opaque;
    return group_member_fenced(self->member);
}

/* ---- the runtime, on the control thread -------------------------------------------------- */

static void distributed_configs_apply_run(worker *running, void *argument)
{
    (void)argument;
    worker_cluster_configs_refresh(running);
}

typedef struct distributed_apply {
    distributed_herder *self;
    bool force;        /* apply even if the epoch was applied (after a rejoin) */
    int64_t epoch;     /* out: the epoch applied, or 0 */
    bool applied;      /* out: something was applied */
    size_t connectors; /* out: what runs here now */
    size_t tasks;
} distributed_apply;

/* This worker's part of the latest assignment record. */
static void distributed_assignment_apply_run(worker *running, void *argument)
{
    distributed_apply *apply = argument;
    distributed_herder *self = apply->self;
    json_t *value = config_store_assignment(worker_config_store(running));
    if (!value)
        return;
    assignment record = {0};
    char why[512];
    if (assignment_from_json(value, &record, why, sizeof(why)) != 0) {
        log_error(HERDER_SCOPE, "ignoring a malformed ferry-assignment record: %s", why);
        json_decref(value);
        return;
    }
    json_decref(value);
    pthread_mutex_lock(&self->mutex);
    int64_t applied = self->applied_epoch;
    pthread_mutex_unlock(&self->mutex);
    if (record.epoch <= applied && !apply->force) {
        assignment_free(&record);
        return;
    }
    const char *me = self->config->worker_id;
    const assignment_worker *mine = assignment_find_worker(&record, me);
    static const strlist none = {0};
    bool departed = assignment_find_departure(&record, me) != NULL;
    const strlist *connectors = mine && !departed ? &mine->work.connectors : &none;
    const strlist *tasks = mine && !departed ? &mine->work.tasks : &none;
    worker_cluster_assignment_apply(running, connectors, tasks, record.epoch);
    apply->epoch = record.epoch;
    apply->applied = true;
    apply->connectors = connectors->count;
    apply->tasks = tasks->count;
    assignment_free(&record);
}

static void distributed_fence_run(worker *running, void *argument)
{
    (void)argument;
    worker_cluster_fence(running);
}

typedef struct distributed_restart {
    const char *connector;
    bool include_tasks;
    bool only_failed;
} distributed_restart;

/* A restart request read from the config topic: the parts that run here restart. */
static void distributed_restart_run(worker *running, void *argument)
{
    distributed_restart *restart = argument;
    char why[256];
    if (!worker_connector_find(running, restart->connector))
        return;
    if (worker_connector_restart(running, restart->connector, restart->include_tasks,
                                 restart->only_failed, -1, why, sizeof(why)) != 0)
        log_warn(HERDER_SCOPE, "restart of %s: %s", restart->connector, why);
}

/* ---- what the herder's thread reads from the config topic -------------------------------- */

/* Refreshes who owns what and where workers are, for forwarding. */
static void distributed_directory_refresh(distributed_herder *self)
{
    json_t *owners = json_object();
    json_t *value = config_store_assignment(self->configs);
    assignment record = {0};
    char why[512];
    char leader_id[256] = "";
    char leader_url[512] = "";
    if (value && assignment_from_json(value, &record, why, sizeof(why)) == 0) {
        snprintf(leader_id, sizeof(leader_id), "%s", record.leader ? record.leader : "");
        snprintf(leader_url, sizeof(leader_url), "%s", record.leader_url ? record.leader_url : "");
        for (size_t w = 0; owners && w < record.worker_count; w++) {
            const assignment_worker *entry = &record.workers[w];
            if (assignment_find_departure(&record, entry->worker))
                continue;
            for (size_t i = 0; i < entry->work.connectors.count; i++)
                json_object_set_new(owners, entry->work.connectors.items[i],
                                    json_string(entry->worker));
            for (size_t i = 0; i < entry->work.tasks.count; i++)
                json_object_set_new(owners, entry->work.tasks.items[i],
                                    json_string(entry->worker));
        }
    }
    size_t members = record.worker_count >= record.departed_count
                         ? record.worker_count - record.departed_count : 0;
    assignment_free(&record);
    json_decref(value);
    json_t *workers = config_store_workers(self->configs);
    json_t *urls = json_object();
    const char *id;
    json_t *entry;
    json_object_foreach(workers, id, entry) {
        const char *url = json_string_value(json_object_get(entry, "url"));
        if (url && urls)
            json_object_set_new(urls, id, json_string(url));
    }
    json_decref(workers);
    pthread_mutex_lock(&self->mutex);
    json_decref(self->owners);
    json_decref(self->urls);
    self->owners = owners;
    self->urls = urls;
    memcpy(self->leader_id, leader_id, sizeof(leader_id));
    memcpy(self->leader_url, leader_url, sizeof(leader_url));
    if (!self->leader)
        self->member_count = members;
    pthread_mutex_unlock(&self->mutex);
}

/* Runs this worker's part of the latest assignment and acknowledges it. */
static void distributed_assignment_apply(distributed_herder *self)
{
    distributed_directory_refresh(self);
    if (!self->joined || group_member_fenced(self->member))
        return; /* a fenced worker runs nothing; it applies again once it has rejoined */
    distributed_apply apply = {.self = self, .force = self->reapply};
    if (worker_call(self->running, distributed_assignment_apply_run, &apply) != 0 ||
        !apply.applied)
        return;
    self->reapply = false;
    pthread_mutex_lock(&self->mutex);
    self->applied_epoch = apply.epoch;
    self->connectors_here = apply.connectors;
    self->tasks_here = apply.tasks;
    if (self->rebalance_started_ms) {
        self->rebalancing_ms_total += clock_monotonic_ms() - self->rebalance_started_ms;
        self->rebalance_started_ms = 0;
    }
    pthread_mutex_unlock(&self->mutex);
    log_info(HERDER_SCOPE, "running assignment %lld: %zu connectors, %zu tasks",
             (long long)apply.epoch, apply.connectors, apply.tasks);
    char why[512];
    if (config_store_put_worker(self->configs, self->config->worker_id,
                                self->config->advertised_url, apply.epoch, why,
                                sizeof(why)) != 0)
        log_warn(HERDER_SCOPE, "cannot acknowledge assignment %lld: %s", (long long)apply.epoch,
                 why);
    atomic_store(&self->ready, true);
}

/* ---- the leader --------------------------------------------------------------------------- */

/* Computes the next assignment and writes it when it changed. */
static void distributed_assign(distributed_herder *self)
{
    self->assign_at_ms = INT64_MAX;
    char why[512];
    group_member_list *members = group_member_describe(self->member,
                                                       DISTRIBUTED_HERDER_REQUEST_TIMEOUT_MS, why,
                                                       sizeof(why));
    if (!members) {
        log_warn(HERDER_SCOPE, "cannot list the group's members (trying again): %s", why);
        self->assign_at_ms = clock_monotonic_ms() + DISTRIBUTED_PUBLISH_RETRY_MS;
        return;
    }
    json_t *snapshot = config_store_snapshot(self->configs);
    json_t *previous_value = config_store_assignment(self->configs);
    json_t *acks_value = config_store_workers(self->configs);
    const char **member_ids = calloc(members->count + 1, sizeof(*member_ids));
    assignor_connector *connectors = calloc(json_object_size(snapshot) + 1, sizeof(*connectors));
    assignor_ack *acks = calloc(json_object_size(acks_value) + 1, sizeof(*acks));
    assignment previous = {0};
    assignor_result result = {0};
    if (!snapshot || !acks_value || !member_ids || !connectors || !acks) {
        log_error(HERDER_SCOPE, "out of memory computing the assignment");
        goto done;
    }
    size_t member_count = 0;
    for (size_t i = 0; i < members->count; i++)
        if (members->members[i].worker_id)
            member_ids[member_count++] = members->members[i].worker_id;
    size_t connector_count = 0;
    const char *name;
    json_t *entry;
    json_object_foreach(snapshot, name, entry) {
        connectors[connector_count].name = name;
        connectors[connector_count].task_count = json_array_size(json_object_get(entry, "tasks"));
        connector_count++;
    }
    size_t ack_count = 0;
    json_object_foreach(acks_value, name, entry) {
        acks[ack_count].worker = name;
        acks[ack_count].epoch = json_integer_value(json_object_get(entry, "epoch"));
        ack_count++;
    }
    if (previous_value && assignment_from_json(previous_value, &previous, why, sizeof(why)) != 0) {
        log_warn(HERDER_SCOPE, "the last ferry-assignment record is malformed (%s): starting "
                 "from an empty one", why);
        assignment_free(&previous);
    }
    assignor_input input = {
        .leader = self->config->worker_id,
        .leader_url = self->config->advertised_url,
        .members = member_ids,
        .member_count = member_count,
        .connectors = connectors,
        .connector_count = connector_count,
        .previous = &previous,
        .acks = acks,
        .ack_count = ack_count,
        .now_ms = clock_wall_ms(),
        .max_delay_ms = self->config->scheduled_rebalance_max_delay_ms,
        .sync_timeout_ms = self->config->worker_sync_timeout_ms,
    };
    if (assignor_compute(&input, &result, why, sizeof(why)) != 0) {
        log_error(HERDER_SCOPE, "cannot compute the assignment: %s", why);
        goto done;
    }
    self->assignor_call_ms = result.next_call_ms;
    pthread_mutex_lock(&self->mutex);
    self->member_count = member_count;
    pthread_mutex_unlock(&self->mutex);
    if (!result.changed)
        goto done;
    json_t *value = assignment_to_json(&result.next);
    if (!value) {
        log_error(HERDER_SCOPE, "cannot encode assignment %lld", (long long)result.next.epoch);
        goto done;
    }
    /* A leader that lost its membership meanwhile must not write: the new leader decides. */
    if (group_member_fenced(self->member)) {
        json_decref(value);
        goto done;
    }
    if (config_store_put_assignment(self->configs, value, why, sizeof(why)) != 0) {
        log_warn(HERDER_SCOPE, "cannot write assignment %lld (trying again): %s",
                 (long long)result.next.epoch, why);
        self->assign_at_ms = clock_monotonic_ms() + DISTRIBUTED_PUBLISH_RETRY_MS;
    } else {
        log_info(HERDER_SCOPE, "wrote assignment %lld for %zu members, %zu connectors",
                 (long long)result.next.epoch, member_count, connector_count);
    }
    json_decref(value);
done:
    assignor_result_free(&result);
    assignment_free(&previous);
    free(member_ids);
    free(connectors);
    free(acks);
    json_decref(snapshot);
    json_decref(previous_value);
    json_decref(acks_value);
    group_member_list_destroy(members);
}

/* Writes a new session key when the cluster has none or the current one is due. */
static void distributed_session_key_check(distributed_herder *self)
{
    config_session_key current = {0};
    bool have = config_store_session_key(self->configs, &current) == 0;
    request_signature_key key = {
        .bytes = current.key,
        .len = current.key_len,
        .algorithm = current.algorithm,
        .created_ms = current.created_ms,
    };
    int64_t now = clock_wall_ms();
    request_signature_rotation due = request_signature_rotation_due(&self->signing,
                                                                    have ? &key : NULL, now);
    self->key_expiry_ms = have ? request_signature_key_expiry(&self->signing, &key) : INT64_MAX;
    config_records_session_key_clear(&current);
    if (due == REQUEST_SIGNATURE_KEEP)
        return;
    char why[512];
    config_session_key next = {.algorithm = self->signing.key_algorithm, .created_ms = now};
    if (request_signature_key_generate(&self->signing, &next.key, &next.key_len, why,
                                       sizeof(why)) != 0) {
        log_error(HERDER_SCOPE, "cannot generate a session key: %s", why);
        return;
    }
    if (group_member_fenced(self->member) ||
        config_store_put_session_key(self->configs, &next, why, sizeof(why)) != 0)
        log_warn(HERDER_SCOPE, "cannot write a new session key (trying again): %s",
                 group_member_fenced(self->member) ? "fenced" : why);
    else
        log_info(HERDER_SCOPE, "wrote a new session key (%s)",
                 due == REQUEST_SIGNATURE_FIRST_KEY ? "the cluster had none"
                 : due == REQUEST_SIGNATURE_EXPIRED ? "the last one expired"
                                                    : "the key settings changed");
    memset(next.key, 0, next.key_len);
    free(next.key);
    self->key_expiry_ms = now + self->signing.key_ttl_ms;
}

/* ---- task configs ------------------------------------------------------------------------ */

/* Signs an internal request with the cluster's current session key (cluster_client_sign_fn). */
static int distributed_sign(void *opaque, const void *body, size_t body_len, char *algorithm,
                            char *signature, char *err, size_t errlen)
{
    distributed_herder *self = opaque;
    config_session_key current = {0};
    if (config_store_session_key(self->configs, &current) != 0) {
        snprintf(err, errlen, "no session key has been read from the config topic yet");
        return -1;
    }
    request_signature_key key = {.bytes = current.key, .len = current.key_len,
                                 .algorithm = current.algorithm,
                                 .created_ms = current.created_ms};
    const char *chosen = self->signing.signature_algorithm;
    int rc = request_signature_sign(chosen, &key, body, body_len, signature, err, errlen);
    config_records_session_key_clear(&current);
    snprintf(algorithm, CLUSTER_CLIENT_ALGORITHM_MAX, "%s", chosen);
    return rc;
}

/* Hands a connector's task configs to the leader: written here on the leader, sent signed
 * otherwise. 0, or -1 to try again later. */
static int distributed_publish(distributed_herder *self, const distributed_job *job)
{
    char why[512];
    if (self->leader) {
        if (group_member_fenced(self->member))
            return -1;
        if (config_store_put_tasks(self->configs, job->connector, job->task_configs, why,
                                   sizeof(why)) != 0) {
            log_warn(HERDER_SCOPE, "cannot write the task configs of %s: %s", job->connector,
                     why);
            return -1;
        }
        return 0;
    }
    char url[512];
    pthread_mutex_lock(&self->mutex);
    snprintf(url, sizeof(url), "%s", self->leader_url);
    pthread_mutex_unlock(&self->mutex);
    if (!url[0]) {
        log_debug(HERDER_SCOPE, "task configs of %s wait for a leader", job->connector);
        return -1;
    }
    size_t len = 0;
    char *body = json_dumps(job->task_configs, JSON_COMPACT);
    if (!body) {
        log_error(HERDER_SCOPE, "out of memory encoding the task configs of %s", job->connector);
        return -1;
    }
    len = strlen(body);
    cluster_client_tasks request = {
        .leader_url = url,
        .connector = job->connector,
        .configs = body,
        .configs_len = len,
        .sign = distributed_sign,
        .sign_opaque = self,
        .timeout_ms = DISTRIBUTED_HERDER_REQUEST_TIMEOUT_MS,
        .stop = &self->stop_requested,
    };
    int rc = cluster_client_tasks_put(&request, NULL, why, sizeof(why));
    free(body);
    if (rc != 0) {
        log_warn(HERDER_SCOPE, "cannot hand the task configs of %s to the leader (trying "
                 "again): %s", job->connector, why);
        return -1;
    }
    return 0;
}

/* Publishes what waits, oldest first; keeps only the latest configs of each connector. */
static void distributed_publish_pending(distributed_herder *self)
{
    distributed_job *keep = NULL, **keep_tail = &keep;
    distributed_job *job = self->pending;
    self->pending = NULL;
    bool failed = false;
    while (job) {
        distributed_job *next = job->next;
        job->next = NULL;
        bool superseded = false;
        for (distributed_job *later = next; later && !superseded; later = later->next)
            superseded = strcmp(later->connector, job->connector) == 0;
        if (superseded || (!failed && distributed_publish(self, job) == 0)) {
            job_free(job);
        } else {
            failed = true;
            *keep_tail = job;
            keep_tail = &job->next;
        }
        job = next;
    }
    self->pending = keep;
    self->pending_retry_ms = keep ? clock_monotonic_ms() + DISTRIBUTED_PUBLISH_RETRY_MS
                                  : INT64_MAX;
}

/* ---- the group's events -------------------------------------------------------------------- */

static void distributed_member_events(distributed_herder *self)
{
    group_member_event event;
    while (group_member_next_event(self->member, &event, 0)) {
        switch (event.type) {
        case GROUP_MEMBER_JOINED:
        case GROUP_MEMBER_REBALANCED: {
            bool was_leader = self->leader;
            self->leader = event.leader;
            atomic_store(&self->leader_now, event.leader);
            pthread_mutex_lock(&self->mutex);
            self->rebalances++;
            pthread_mutex_unlock(&self->mutex);
            if (event.type == GROUP_MEMBER_JOINED) {
                /* Back in the group: read the config topic to its end before running
                 * anything, since the assignment may have moved on meanwhile. */
                char why[512];
                if (config_store_sync(self->configs, DISTRIBUTED_HERDER_REQUEST_TIMEOUT_MS, why,
                                      sizeof(why)) != 0)
                    log_warn(HERDER_SCOPE, "reading the config topic after joining: %s", why);
                self->joined = true;
                self->reapply = true;
                log_info(HERDER_SCOPE, "joined the group (generation %llu) as %s",
                         (unsigned long long)event.epoch, event.leader ? "leader" : "follower");
            } else if (event.leader != was_leader) {
                log_info(HERDER_SCOPE, "%s the leader", event.leader ? "now" : "no longer");
            }
            if (self->leader) {
                self->assign_at_ms = clock_monotonic_ms();
                self->key_expiry_ms = 0; /* check the session key now */
            }
            break;
        }
        case GROUP_MEMBER_LEADERSHIP_REVOKED:
            self->leader = false;
            atomic_store(&self->leader_now, false);
            pthread_mutex_lock(&self->mutex);
            self->rebalance_started_ms = clock_monotonic_ms();
            pthread_mutex_unlock(&self->mutex);
            break;
        case GROUP_MEMBER_LOST:
            log_warn(HERDER_SCOPE, "membership lost (%s): stopping every task", event.message);
            self->leader = false;
            atomic_store(&self->leader_now, false);
            self->joined = false;
            pthread_mutex_lock(&self->mutex);
            self->applied_epoch = 0;
            self->connectors_here = self->tasks_here = 0;
            self->rebalance_started_ms = clock_monotonic_ms();
            pthread_mutex_unlock(&self->mutex);
            worker_call(self->running, distributed_fence_run, NULL);
            if (event.terminal) {
                log_error(HERDER_SCOPE, "the worker cannot rejoin its cluster (%s): stopping",
                          event.message);
                atomic_store(&self->terminated, true);
                worker_shutdown(self->running);
            }
            break;
        }
    }
}

/* ---- the herder's thread ------------------------------------------------------------------- */

static int64_t distributed_next_wake(const distributed_herder *self, int64_t now)
{
    int64_t wake = now + DISTRIBUTED_IDLE_MS;
    if (self->assign_at_ms < wake)
        wake = self->assign_at_ms;
    if (self->pending_retry_ms < wake)
        wake = self->pending_retry_ms;
    int64_t wall = clock_wall_ms();
    if (self->leader && self->assignor_call_ms != ASSIGNOR_NEVER &&
        now + (self->assignor_call_ms - wall) < wake)
        wake = now + (self->assignor_call_ms - wall);
    if (self->leader && now + (self->key_expiry_ms - wall) < wake)
        wake = now + (self->key_expiry_ms - wall);
    return wake;
}

static void *distributed_thread_main(void *argument)
{
    distributed_herder *self = argument;
    for (;;) {
        int64_t now = clock_monotonic_ms();
        int64_t wake = distributed_next_wake(self, now);
        pthread_mutex_lock(&self->mutex);
        if (!self->stopping && !self->member_events && !self->configs_dirty &&
            !self->assignment_dirty && !self->acks_dirty && !self->key_dirty && !self->jobs &&
            wake > now) {
            struct timespec deadline;
            clock_gettime(CLOCK_MONOTONIC, &deadline);
            int64_t wait_ms = wake - now;
            deadline.tv_sec += wait_ms / 1000;
            deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
            deadline.tv_sec += deadline.tv_nsec / 1000000000L;
            deadline.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&self->wake, &self->mutex, &deadline);
        }
        if (self->stopping) {
            pthread_mutex_unlock(&self->mutex);
            break;
        }
        bool member_events = self->member_events, configs = self->configs_dirty,
             assignment_changed = self->assignment_dirty, acks = self->acks_dirty,
             key = self->key_dirty;
        self->member_events = self->configs_dirty = self->assignment_dirty = false;
        self->acks_dirty = self->key_dirty = false;
        distributed_job *jobs = self->jobs;
        self->jobs = self->jobs_tail = NULL;
        pthread_mutex_unlock(&self->mutex);

        if (member_events)
            distributed_member_events(self);
        if (configs) {
            worker_call(self->running, distributed_configs_apply_run, NULL);
            if (self->leader)
                self->assign_at_ms = clock_monotonic_ms();
        }
        for (distributed_job *job = jobs; job;) {
            distributed_job *next = job->next;
            job->next = NULL;
            if (job->kind == JOB_RESTART) {
                distributed_restart restart = {.connector = job->connector,
                                               .include_tasks = job->include_tasks,
                                               .only_failed = job->only_failed};
                if (self->joined && !group_member_fenced(self->member))
                    worker_call(self->running, distributed_restart_run, &restart);
                job_free(job);
            } else {
                distributed_job **tail = &self->pending;
                while (*tail)
                    tail = &(*tail)->next;
                *tail = job;
                self->pending_retry_ms = 0;
            }
            job = next;
        }
        if (assignment_changed || member_events || self->reapply)
            distributed_assignment_apply(self);
        if (acks && self->leader)
            self->assign_at_ms = clock_monotonic_ms();
        if (key && self->leader)
            self->key_expiry_ms = 0;
        now = clock_monotonic_ms();
        int64_t wall = clock_wall_ms();
        if (self->leader && self->joined && !group_member_fenced(self->member)) {
            if (wall >= self->key_expiry_ms)
                distributed_session_key_check(self);
            if (now >= self->assign_at_ms ||
                (self->assignor_call_ms != ASSIGNOR_NEVER && wall >= self->assignor_call_ms))
                distributed_assign(self);
        }
        if (self->pending && clock_monotonic_ms() >= self->pending_retry_ms)
            distributed_publish_pending(self);
    }
    return NULL;
}

/* ---- changes ------------------------------------------------------------------------------- */

/* 0 when this worker is the leader and may make a change; otherwise -1 with result
 * NOT_LEADER (and the leader's URL, "" while none is known) or REBALANCING. */
static int distributed_leader_check(distributed_herder *self, herder_result *result)
{
    if (!atomic_load(&self->ready) || group_member_fenced(self->member)) {
        herder_result_set(result, HERDER_REBALANCING, "Cannot complete request because of a "
                          "conflicting operation (e.g. worker rebalance)");
        return -1;
    }
    if (atomic_load(&self->leader_now))
        return 0;
    /* The leader's URL from the latest assignment record; none while that record still names
     * this worker (its successor has not written one yet). */
    pthread_mutex_lock(&self->mutex);
    if (strcmp(self->leader_id, self->config->worker_id) != 0)
        snprintf(result->leader_url, sizeof(result->leader_url), "%s", self->leader_url);
    pthread_mutex_unlock(&self->mutex);
    herder_result_set(result, HERDER_NOT_LEADER, "Cannot complete request because this worker "
                      "is not the leader");
    return -1;
}

/* Completes done with NOT_LEADER / REBALANCING, or passes the change on: true when it did
 * complete. */
static bool distributed_refuse(distributed_herder *self, herder_callback done, void *opaque)
{
    herder_result result = {0};
    if (distributed_leader_check(self, &result) == 0)
        return false;
    herder_complete(done, opaque, &result);
    return true;
}

static void distributed_connector_put(herder *base, const config_map *config,
                                      runtime_state initial, bool allow_replace,
                                      herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_put(self->changes, config, initial, allow_replace, done, opaque);
}

static void distributed_connector_patch(herder *base, const char *name, json_t *patch,
                                        herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_patch(self->changes, name, patch, done, opaque);
}

static void distributed_connector_delete(herder *base, const char *name, herder_callback done,
                                         void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_delete(self->changes, name, done, opaque);
}

static void distributed_connector_target(herder *base, const char *name, runtime_state target,
                                         herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_target(self->changes, name, target, done, opaque);
}

static void distributed_connector_topics_reset(herder *base, const char *name,
                                               herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_connector_topics_reset(self->changes, name, done, opaque);
}

static void distributed_offsets_get(herder *base, const char *name, herder_callback done,
                                    void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_offsets_get(self->changes, name, done, opaque);
}

static void distributed_offsets_alter(herder *base, const char *name, json_t *body,
                                      herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_offsets_alter(self->changes, name, body, done, opaque);
}

static void distributed_offsets_reset(herder *base, const char *name, herder_callback done,
                                      void *opaque)
{
    distributed_herder *self = distributed_self(base);
    if (!distributed_refuse(self, done, opaque))
        herder_offsets_reset(self->changes, name, done, opaque);
}

/* ---- restarts ------------------------------------------------------------------------------ */

typedef struct distributed_restart_plan {
    const char *name;
    bool include_tasks;
    bool only_failed;
    bool found;
    json_t *plan;
} distributed_restart_plan;

static void distributed_restart_plan_run(worker *running, void *argument)
{
    distributed_restart_plan *restart = argument;
    connector_runtime *connector = worker_connector_find(running, restart->name);
    if (!(restart->found = connector != NULL))
        return;
    if (restart->include_tasks || restart->only_failed)
        restart->plan = connector_view_restart_plan(running, connector, restart->include_tasks,
                                                    restart->only_failed);
}

/* The worker that runs name (a connector or "<connector>-<n>"), into url; false when nobody
 * does (it is held or between the steps of a move). */
static bool distributed_owner_url(distributed_herder *self, const char *name, char *url,
                                  size_t url_size, bool *here)
{
    pthread_mutex_lock(&self->mutex);
    const char *owner = json_string_value(json_object_get(self->owners, name));
    const char *owner_url = owner ? json_string_value(json_object_get(self->urls, owner)) : NULL;
    *here = owner && strcmp(owner, self->config->worker_id) == 0;
    snprintf(url, url_size, "%s", owner_url ? owner_url : "");
    pthread_mutex_unlock(&self->mutex);
    return owner != NULL;
}

/* A task restarts where it runs (Kafka Connect forwards it to that worker); a connector's
 * restart is a request in the config topic, which every worker running a part of it reads. */
static void distributed_connector_restart(herder *base, const char *name, int task,
                                          bool include_tasks, bool only_failed,
                                          herder_callback done, void *opaque)
{
    distributed_herder *self = distributed_self(base);
    herder_result result = {0};
    if (task >= 0) {
        char task_name[1024];
        snprintf(task_name, sizeof(task_name), "%s-%d", name, task);
        char url[512];
        bool here = false;
        if (!atomic_load(&self->ready) || group_member_fenced(self->member)) {
            herder_result_set(&result, HERDER_REBALANCING, "Cannot complete request because of "
                              "a conflicting operation (e.g. worker rebalance)");
        } else if (!distributed_owner_url(self, task_name, url, sizeof(url), &here)) {
            distributed_restart_plan lookup = {.name = name};
            if (worker_call(self->running, distributed_restart_plan_run, &lookup) != 0 ||
                lookup.found)
                herder_result_set(&result, HERDER_REBALANCING, "Cannot complete request "
                                  "because task %s is not assigned to any worker (e.g. worker "
                                  "rebalance)", task_name);
            else
                herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
        } else if (here) {
            herder_connector_restart(self->changes, name, task, false, false, done, opaque);
            return;
        } else {
            snprintf(result.leader_url, sizeof(result.leader_url), "%s", url);
            herder_result_set(&result, HERDER_NOT_LEADER, "Task %s runs on another worker",
                              task_name);
        }
        herder_complete(done, opaque, &result);
        return;
    }
    if (distributed_leader_check(self, &result) != 0) {
        herder_complete(done, opaque, &result);
        return;
    }
    distributed_restart_plan plan = {.name = name, .include_tasks = include_tasks,
                                     .only_failed = only_failed};
    char why[512];
    if (worker_call(self->running, distributed_restart_plan_run, &plan) != 0) {
        herder_result_set(&result, HERDER_UNAVAILABLE, "The worker is shutting down");
    } else if (!plan.found) {
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
    } else if (config_store_put_restart_request(self->configs, name, include_tasks, only_failed,
                                                why, sizeof(why)) != 0) {
        herder_result_set(&result, HERDER_FAILED, "Failed to restart connector %s: %s", name,
                          why);
    } else {
        result.answer = plan.plan;
        plan.plan = NULL;
    }
    json_decref(plan.plan);
    herder_complete(done, opaque, &result);
}

/* ---- task configs from the connectors' owners ------------------------------------------------ */

static void distributed_tasks_put(herder *base, const char *name, json_t *configs,
                                  const herder_signed *signature, herder_callback done,
                                  void *opaque)
{
    distributed_herder *self = distributed_self(base);
    herder_result result = {0};
    if (distributed_leader_check(self, &result) != 0) {
        herder_complete(done, opaque, &result);
        return;
    }
    config_session_key current = {0};
    bool have = config_store_session_key(self->configs, &current) == 0;
    request_signature_key key = {.bytes = current.key, .len = current.key_len,
                                 .algorithm = current.algorithm,
                                 .created_ms = current.created_ms};
    char why[512] = "";
    request_signature_result verdict = request_signature_verify(
        signature->algorithm, signature->signature, signature->body, signature->body_len,
        &self->signing.verification_algorithms, have ? &key : NULL, why, sizeof(why));
    config_records_session_key_clear(&current);
    switch (verdict) {
    case REQUEST_SIGNATURE_VALID:
        break;
    case REQUEST_SIGNATURE_INVALID:
        herder_result_set(&result, HERDER_FORBIDDEN, "%s", why);
        goto done;
    case REQUEST_SIGNATURE_NO_KEY:
        herder_result_set(&result, HERDER_UNAVAILABLE, "%s", why);
        goto done;
    case REQUEST_SIGNATURE_FAILED:
        herder_result_set(&result, HERDER_FAILED, "%s", why);
        goto done;
    case REQUEST_SIGNATURE_MISSING:
    case REQUEST_SIGNATURE_MALFORMED:
    case REQUEST_SIGNATURE_NOT_PERMITTED:
        herder_result_set(&result, HERDER_INVALID, "%s", why);
        goto done;
    }
    json_t *snapshot = config_store_snapshot(self->configs);
    bool known = json_object_get(snapshot, name) != NULL;
    json_decref(snapshot);
    if (!known) {
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
        goto done;
    }
    if (group_member_fenced(self->member)) {
        herder_result_set(&result, HERDER_REBALANCING, "Cannot complete request because of a "
                          "conflicting operation (e.g. worker rebalance)");
        goto done;
    }
    if (config_store_put_tasks(self->configs, name, configs, why, sizeof(why)) != 0)
        herder_result_set(&result, HERDER_FAILED, "Failed to write the task configs of %s: %s",
                          name, why);
done:
    herder_complete(done, opaque, &result);
}

/* ---- the herder ------------------------------------------------------------------------------ */

static bool distributed_is_ready(herder *base)
{
    return atomic_load(&distributed_self(base)->ready);
}

void distributed_herder_stop(herder *base)
{
    distributed_herder *self = distributed_self(base);
    if (atomic_exchange(&self->stop_requested, true))
        return;
    if (self->configs)
        config_store_listen(self->configs, NULL, NULL);
    if (self->thread_started) {
        pthread_mutex_lock(&self->mutex);
        self->stopping = true;
        pthread_cond_signal(&self->wake);
        pthread_mutex_unlock(&self->mutex);
        pthread_join(self->thread, NULL);
    }
}

static void distributed_destroy(herder *base)
{
    distributed_herder *self = distributed_self(base);
    distributed_herder_stop(base);
    group_member_destroy(self->member);
    herder_destroy(self->changes);
    request_signature_settings_clear(&self->signing);
    job_free(self->jobs);
    job_free(self->pending);
    json_decref(self->owners);
    json_decref(self->urls);
    pthread_cond_destroy(&self->wake);
    pthread_mutex_destroy(&self->mutex);
    free(self);
}

static json_t *distributed_cluster_metrics(herder *base);

static const herder_ops distributed_herder_ops = {
    .connector_put = distributed_connector_put,
    .connector_patch = distributed_connector_patch,
    .connector_delete = distributed_connector_delete,
    .connector_target = distributed_connector_target,
    .connector_restart = distributed_connector_restart,
    .connector_topics_reset = distributed_connector_topics_reset,
    .offsets_get = distributed_offsets_get,
    .offsets_alter = distributed_offsets_alter,
    .offsets_reset = distributed_offsets_reset,
    .tasks_put = distributed_tasks_put,
    .is_ready = distributed_is_ready,
    .cluster_metrics = distributed_cluster_metrics,
    .destroy = distributed_destroy,
};

/* The inter.worker.* keys as request_signature takes them. */
static int distributed_signing_init(distributed_herder *self, char *err, size_t errlen)
{
    const worker_config *config = self->config;
    strbuf verification = {0};
    for (char **algorithm = config->inter_worker_verification_algorithms;
         algorithm && *algorithm; algorithm++) {
        if (verification.len)
            strbuf_append_char(&verification, ',');
        strbuf_append_str(&verification, *algorithm);
    }
    int key_size = config->inter_worker_key_size;
    int64_t ttl = config->inter_worker_key_ttl_ms;
    char *listed = strbuf_take(&verification, NULL);
    int rc = request_signature_settings_init(
        &self->signing, config->inter_worker_key_generation_algorithm,
        key_size >= 0 ? &key_size : NULL, &ttl, config->inter_worker_signature_algorithm,
        listed ? listed : "", err, errlen);
    free(listed);
    return rc;
}

herder *distributed_herder_new(worker *running, char *err, size_t errlen)
{
    distributed_herder *self = calloc(1, sizeof(*self));
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->base.ops = &distributed_herder_ops;
    self->running = running;
    self->config = worker_configuration(running);
    self->configs = worker_config_store(running);
    self->assign_at_ms = INT64_MAX;
    self->assignor_call_ms = ASSIGNOR_NEVER;
    self->key_expiry_ms = INT64_MAX;
    self->pending_retry_ms = INT64_MAX;
    pthread_mutex_init(&self->mutex, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&self->wake, &attributes);
    pthread_condattr_destroy(&attributes);
    if (distributed_signing_init(self, err, errlen) != 0)
        goto fail;
    self->changes = standalone_herder_new(running);
    if (!self->changes) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    standalone_herder_ready(self->changes);
    worker_cluster_hooks hooks = {
        .fenced = distributed_fenced,
        .publish_tasks = distributed_publish_tasks,
        .opaque = self,
    };
    worker_cluster_join(running, &hooks);
    /* Listen before the first snapshot, so that no change falls in between. */
    config_store_listen(self->configs, distributed_config_changed, self);
    self->configs_dirty = self->assignment_dirty = true;
    group_member_settings settings;
    group_member_settings_from_worker(&settings, self->config);
    settings.notify = distributed_member_notify;
    settings.opaque = self;
    self->member = group_member_new(&settings, err, errlen);
    if (!self->member)
        goto fail;
    if (pthread_create(&self->thread, NULL, distributed_thread_main, self) != 0) {
        snprintf(err, errlen, "cannot start the herder's thread");
        goto fail;
    }
    self->thread_started = true;
    log_info(HERDER_SCOPE, "worker %s (%s) joining group %s", self->config->worker_id,
             self->config->advertised_url, self->config->group_id);
    return &self->base;
fail:
    distributed_destroy(&self->base);
    return NULL;
}

bool distributed_herder_terminated(herder *base)
{
    return atomic_load(&distributed_self(base)->terminated);
}

static json_t *distributed_cluster_metrics(herder *base)
{
    distributed_herder *self = distributed_self(base);
    pthread_mutex_lock(&self->mutex);
    json_t *metrics = json_pack(
        "{s:s, s:b, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I}", "worker_id",
        self->config->worker_id, "leader",
        strcmp(self->leader_id, self->config->worker_id) == 0, "leader_id", self->leader_id,
        "leader_url", self->leader_url, "epoch", (json_int_t)self->applied_epoch, "generation",
        (json_int_t)group_member_epoch(self->member), "members", (json_int_t)self->member_count,
        "rebalances", (json_int_t)self->rebalances, "rebalancing_ms_total",
        (json_int_t)self->rebalancing_ms_total, "fenced", group_member_fenced(self->member),
        "connectors", (json_int_t)self->connectors_here, "tasks", (json_int_t)self->tasks_here);
    pthread_mutex_unlock(&self->mutex);
    return metrics;
}
