/*
 * distributed_publisher.c - hands the task configs a connector instance made to the leader, on a
 * thread of its own (as Kafka Connect's herder forwards them on an executor of its own), so that
 * a leader slow to answer, or unreachable until the group notices, never holds the herder's
 * thread: it goes on taking the group's events and the config topic's changes meanwhile. On the
 * leader the configs are written to the config topic here too.
 */
#include "herder/distributed_herder_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cluster/cluster_client.h"
#include "kafka/group_member.h"
#include "support/clock.h"

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
    if (atomic_load(&self->leader_now)) {
        if (group_member_fenced(self->member))
            return -1;
        if (distributed_fencing_round(self, job->connector,
                                      (int)json_array_size(job->task_configs), why,
                                      sizeof(why)) != 0) {
            log_warn(HERDER_SCOPE, "cannot fence the previous tasks of %s: %s", job->connector,
                     why);
            return -1;
        }
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

/* Hands over what waits, oldest first, and keeps only the latest configs of each connector;
 * after a failure the rest waits for the next try. Called without the mutex. */
static distributed_job *distributed_publish_list(distributed_herder *self, distributed_job *job)
{
    distributed_job *keep = NULL, **keep_tail = &keep;
    bool failed = false;
    while (job) {
        distributed_job *next = job->next;
        job->next = NULL;
        bool superseded = false;
        for (distributed_job *later = next; later && !superseded; later = later->next)
            superseded = strcmp(later->connector, job->connector) == 0;
        if (superseded || (!failed && !atomic_load(&self->stop_requested) &&
                           distributed_publish(self, job) == 0)) {
            distributed_jobs_free(job);
        } else {
            failed = true;
            *keep_tail = job;
            keep_tail = &job->next;
        }
        job = next;
    }
    return keep;
}

static void *distributed_publisher_main(void *argument)
{
    distributed_herder *self = argument;
    pthread_mutex_lock(&self->mutex);
    while (!self->publisher_stopping) {
        int64_t now = clock_monotonic_ms();
        if (!self->pending || now < self->pending_retry_ms) {
            struct timespec until;
            clock_deadline(CLOCK_MONOTONIC,
                           self->pending ? self->pending_retry_ms - now : DISTRIBUTED_RETRY_MS,
                           &until);
            pthread_cond_timedwait(&self->publish_wake, &self->mutex, &until);
            continue;
        }
        distributed_job *jobs = self->pending;
        self->pending = NULL;
        pthread_mutex_unlock(&self->mutex);
        distributed_job *kept = distributed_publish_list(self, jobs);
        pthread_mutex_lock(&self->mutex);
        if (kept) {
            /* What failed goes before what came meanwhile, which may replace it. */
            distributed_job **tail = &kept;
            while (*tail)
                tail = &(*tail)->next;
            *tail = self->pending;
            self->pending = kept;
            self->pending_retry_ms = clock_monotonic_ms() + DISTRIBUTED_RETRY_MS;
        }
    }
    pthread_mutex_unlock(&self->mutex);
    return NULL;
}

int distributed_publisher_start(distributed_herder *self)
{
    if (pthread_create(&self->publisher, NULL, distributed_publisher_main, self) != 0)
        return -1;
    self->publisher_started = true;
    return 0;
}

void distributed_publisher_push(distributed_herder *self, distributed_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&self->mutex);
    distributed_job **tail = &self->pending;
    while (*tail)
        tail = &(*tail)->next;
    *tail = job;
    self->pending_retry_ms = 0; /* a new job: try now, not after the last failure's wait */
    pthread_cond_signal(&self->publish_wake);
    pthread_mutex_unlock(&self->mutex);
}

void distributed_publisher_stop(distributed_herder *self)
{
    if (!self->publisher_started)
        return;
    pthread_mutex_lock(&self->mutex);
    self->publisher_stopping = true;
    pthread_cond_signal(&self->publish_wake);
    pthread_mutex_unlock(&self->mutex);
    pthread_join(self->publisher, NULL);
    self->publisher_started = false;
}
