/*
 * distributed_leader.c - what only the leader of a cluster does, on the herder's thread or for a
 * request: the assignment computed from the group's members and the config topic and written as
 * ferry-assignment, the session key written and rotated, and the task configs connectors' owners
 * hand it, checked against the session key and written.
 */
#include "herder/distributed_herder_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cluster/assignment.h"
#include "cluster/assignor.h"
#include "kafka/group_member.h"
#include "stores/status_store.h"
#include "support/clock.h"
#include "support/strbuf.h"

/* ---- the leader --------------------------------------------------------------------------- */

/* Computes the next assignment and writes it when it changed. */
void distributed_assign(distributed_herder *self)
{
    self->assign_at_ms = INT64_MAX;
    char why[512];
    if (!self->members)
        self->members = group_member_describe(self->member,
                                              DISTRIBUTED_HERDER_REQUEST_TIMEOUT_MS, why,
                                              sizeof(why));
    const group_member_list *members = self->members;
    if (!members) {
        log_warn(HERDER_SCOPE, "cannot list the group's members (trying again): %s", why);
        self->assign_at_ms = clock_monotonic_ms() + DISTRIBUTED_RETRY_MS;
        return;
    }
    json_t *snapshot = config_store_task_counts(self->configs);
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
        connectors[connector_count].task_count = (size_t)json_integer_value(entry);
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
    /* The epoch is the generation of every status record the cluster writes: it goes on from
     * the highest the status topic holds (a Kafka Connect cluster's, on topics ferry took over),
     * or those records would outrank ferry's as a fenced worker's. */
    int highest = status_store_generation_highest(worker_status_store(self->running));
    if (result.next.epoch <= highest)
        result.next.epoch = highest + 1;
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
        if (config_store_failed(self->configs, NULL, 0)) {
            distributed_stop_fatal(self, "cannot write assignments", why);
        } else {
            log_warn(HERDER_SCOPE, "cannot write assignment %lld (trying again): %s",
                     (long long)result.next.epoch, why);
            self->assign_at_ms = clock_monotonic_ms() + DISTRIBUTED_RETRY_MS;
        }
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
}

/* Writes a new session key when the cluster has none or the current one is due. */
void distributed_session_key_check(distributed_herder *self)
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
    if (group_member_fenced(self->member)) {
        log_warn(HERDER_SCOPE, "cannot write a new session key (trying again): fenced");
    } else if (config_store_put_session_key(self->configs, &next, why, sizeof(why)) != 0) {
        if (config_store_failed(self->configs, NULL, 0))
            distributed_stop_fatal(self, "cannot write the session key", why);
        else
            log_warn(HERDER_SCOPE, "cannot write a new session key (trying again): %s", why);
    } else {
        log_info(HERDER_SCOPE, "wrote a new session key (%s)",
                 due == REQUEST_SIGNATURE_FIRST_KEY ? "the cluster had none"
                 : due == REQUEST_SIGNATURE_EXPIRED ? "the last one expired"
                                                    : "the key settings changed");
    }
    memset(next.key, 0, next.key_len);
    free(next.key);
    self->key_expiry_ms = now + self->signing.key_ttl_ms;
}

/* ---- task configs from the connectors' owners ------------------------------------------------ */

void distributed_tasks_put(herder *base, const char *name, json_t *configs,
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
    bool known = false;
    json_decref(config_store_connector(self->configs, name, &known));
    if (!known) {
        herder_result_set(&result, HERDER_NOT_FOUND, "Connector %s not found", name);
        goto done;
    }
    if (group_member_fenced(self->member)) {
        herder_result_set(&result, HERDER_REBALANCING, DISTRIBUTED_REBALANCING_MESSAGE);
        goto done;
    }
    if (distributed_fencing_round(self, name, (int)json_array_size(configs), why,
                                  sizeof(why)) != 0)
        herder_result_set(&result, HERDER_FAILED, "Failed to fence the previous tasks of %s: %s",
                          name, why);
    else if (config_store_put_tasks(self->configs, name, configs, why, sizeof(why)) != 0)
        herder_result_set(&result, HERDER_FAILED, "Failed to write the task configs of %s: %s",
                          name, why);
done:
    herder_complete(done, opaque, &result);
}


/* The inter.worker.* keys as request_signature takes them. */
int distributed_signing_init(distributed_herder *self, char *err, size_t errlen)
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

