/*
 * distributed_herder.c - a worker of a cluster: the herder's thread and what it does with the
 * group's events, the config topic's changes and its timers, on every worker: the config topic
 * mirrored, this worker's part of each assignment run and acknowledged, its connectors' task
 * configs handed to the leader, the fence. The leader's own work is distributed_leader.c; the
 * changes distributed_changes.c.
 */
#include "herder/distributed_herder_state.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "cluster/assignment.h"
#include "cluster/assignor.h"
#include "herder/standalone_herder.h"
#include "kafka/group_member.h"
#include "support/clock.h"

/* The longest the herder's thread sleeps without a reason to wake. */
#define DISTRIBUTED_IDLE_MS 1000
/* How long the herder's thread must have been idle before it returns freed memory. */
#define DISTRIBUTED_TRIM_AFTER_MS 2000

void distributed_jobs_free(distributed_job *job)
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
        /* Only what changed is read again: the cost of a change must not grow with the
         * cluster's connectors. Out of memory, everything is. */
        if (!self->dirty_connectors)
            self->dirty_connectors = json_object();
        if (!self->dirty_connectors ||
            json_object_set_new(self->dirty_connectors, change->connector, json_true()) != 0)
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
        distributed_jobs_free(job);
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

/* argument: the names of the connectors to read again (a set), or NULL for all of them. */
static void distributed_configs_apply_run(worker *running, void *argument)
{
    json_t *names = argument;
    if (!names) {
        worker_cluster_configs_refresh(running);
        return;
    }
    const char *name;
    json_t *flag;
    json_object_foreach(names, name, flag)
        worker_cluster_connector_refresh(running, name);
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

/* ---- the group's events -------------------------------------------------------------------- */

static void distributed_member_events(distributed_herder *self)
{
    group_member_event event;
    while (group_member_next_event(self->member, &event, 0)) {
        switch (event.type) {
        case GROUP_MEMBER_JOINED:
        case GROUP_MEMBER_REBALANCED: {
            /* The members change only with a rebalance: the leader lists them again now. */
            group_member_list_destroy(self->members);
            self->members = NULL;
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
            if (event.terminal)
                distributed_stop_fatal(self, "the worker cannot rejoin its cluster",
                                       event.message);
            break;
        }
    }
}

void distributed_stop_fatal(distributed_herder *self, const char *what, const char *why)
{
    if (atomic_exchange(&self->terminated, true))
        return;
    log_error(HERDER_SCOPE, "%s (%s): stopping", what, why);
    worker_shutdown(self->running);
}

/* ---- the herder's thread ------------------------------------------------------------------- */

static int64_t distributed_next_wake(const distributed_herder *self, int64_t now)
{
    int64_t wake = now + DISTRIBUTED_IDLE_MS;
    if (self->assign_at_ms < wake)
        wake = self->assign_at_ms;
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
            !self->dirty_connectors &&
            !self->assignment_dirty && !self->acks_dirty && !self->key_dirty && !self->jobs &&
            wake > now) {
            struct timespec deadline;
            clock_deadline(CLOCK_MONOTONIC, wake - now, &deadline);
            pthread_cond_timedwait(&self->wake, &self->mutex, &deadline);
        }
        if (self->stopping) {
            pthread_mutex_unlock(&self->mutex);
            break;
        }
        bool member_events = self->member_events, configs = self->configs_dirty,
             assignment_changed = self->assignment_dirty, acks = self->acks_dirty,
             key = self->key_dirty;
        json_t *dirty = self->dirty_connectors;
        self->dirty_connectors = NULL;
        self->member_events = self->configs_dirty = self->assignment_dirty = false;
        self->acks_dirty = self->key_dirty = false;
        distributed_job *jobs = self->jobs;
        self->jobs = self->jobs_tail = NULL;
        pthread_mutex_unlock(&self->mutex);

        bool busy = member_events || configs || dirty || assignment_changed || acks || key ||
                    jobs;
        now = clock_monotonic_ms();
        if (busy) {
            self->busy_at_ms = now;
            self->trim_due = true;
        } else if (self->trim_due && now - self->busy_at_ms >= DISTRIBUTED_TRIM_AFTER_MS) {
            /* A burst (a rebalance, a start, many changes) is over: the memory it freed goes
             * back to the system rather than staying in the allocator's arenas. */
            malloc_trim(0);
            self->trim_due = false;
        }
        if (member_events)
            distributed_member_events(self);
        if (configs || dirty) {
            worker_call(self->running, distributed_configs_apply_run, configs ? NULL : dirty);
            if (self->leader)
                self->assign_at_ms = clock_monotonic_ms();
        }
        json_decref(dirty);
        for (distributed_job *job = jobs; job;) {
            distributed_job *next = job->next;
            job->next = NULL;
            if (job->kind == JOB_RESTART) {
                distributed_restart restart = {.connector = job->connector,
                                               .include_tasks = job->include_tasks,
                                               .only_failed = job->only_failed};
                if (self->joined && !group_member_fenced(self->member))
                    worker_call(self->running, distributed_restart_run, &restart);
                distributed_jobs_free(job);
            } else {
                distributed_publisher_push(self, job);
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
    }
    return NULL;
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
    distributed_publisher_stop(self);
}

static void distributed_destroy(herder *base)
{
    distributed_herder *self = distributed_self(base);
    distributed_herder_stop(base);
    group_member_list_destroy(self->members);
    json_decref(self->dirty_connectors);
    group_member_destroy(self->member);
    herder_destroy(self->changes);
    request_signature_settings_clear(&self->signing);
    distributed_jobs_free(self->jobs);
    distributed_jobs_free(self->pending);
    pthread_cond_destroy(&self->publish_wake);
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
    .connector_fence = distributed_connector_fence,
    .offsets_get = distributed_offsets_get,
    .offsets_alter = distributed_offsets_alter,
    .offsets_reset = distributed_offsets_reset,
    .tasks_put = distributed_tasks_put,
    .is_ready = distributed_is_ready,
    .cluster_metrics = distributed_cluster_metrics,
    .destroy = distributed_destroy,
};

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
    pthread_cond_init(&self->publish_wake, &attributes);
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
    if (distributed_publisher_start(self) != 0) {
        snprintf(err, errlen, "cannot start the thread that hands task configs to the leader");
        goto fail;
    }
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
