/*
 * herder.c - the herder interface: dispatch to a herder's functions, results, and the waiter
 * that turns a change into a blocking call.
 */
#include "herder/herder.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void herder_result_clear(herder_result *result)
{
    json_decref(result->answer);
    result->answer = NULL;
    result->status = HERDER_OK;
    result->message[0] = '\0';
}

void herder_result_set(herder_result *result, herder_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(result->message, sizeof(result->message), fmt, ap);
    va_end(ap);
    result->status = status;
}

void herder_complete(herder_callback done, void *opaque, herder_result *result)
{
    if (done)
        done(result, opaque);
    herder_result_clear(result);
}

int herder_config_merge(config_map *config, json_t *patch, const char *name,
                        herder_result *result)
{
    if (!json_is_object(patch)) {
        herder_result_set(result, HERDER_INVALID, "A config patch must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach(patch, key, value) {
        if (json_is_null(value)) {
            config_map_remove(config, key);
            continue;
        }
        char text[64];
        const char *set = json_string_value(value);
        if (json_is_integer(value)) {
            snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
            set = text;
        } else if (json_is_real(value)) {
            snprintf(text, sizeof(text), "%.17g", json_real_value(value));
            set = text;
        } else if (json_is_boolean(value)) {
            set = json_is_true(value) ? "true" : "false";
        }
        if (!set) {
            herder_result_set(result, HERDER_INVALID, "Invalid value for configuration %s: "
                              "expected a string, a number, a boolean or null", key);
            return -1;
        }
        if (config_map_set(config, key, set) != 0) {
            herder_result_set(result, HERDER_FAILED, "out of memory");
            return -1;
        }
    }
    const char *included = config_map_get(config, "name");
    if (included && strcmp(included, name) != 0) {
        herder_result_set(result, HERDER_INVALID, "Connector name configuration (%s) doesn't "
                          "match connector name in the URL (%s)", included, name);
        return -1;
    }
    if (config_map_set(config, "name", name) != 0) {
        herder_result_set(result, HERDER_FAILED, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- dispatch --------------------------------------------------------------------------- */

void herder_connector_put(herder *self, const config_map *config, runtime_state initial,
                          bool allow_replace, herder_callback done, void *opaque)
{
    self->ops->connector_put(self, config, initial, allow_replace, done, opaque);
}

void herder_connector_patch(herder *self, const char *name, json_t *patch,
                            herder_callback done, void *opaque)
{
    self->ops->connector_patch(self, name, patch, done, opaque);
}

void herder_connector_delete(herder *self, const char *name, herder_callback done,
                             void *opaque)
{
    self->ops->connector_delete(self, name, done, opaque);
}

void herder_connector_target(herder *self, const char *name, runtime_state target,
                             herder_callback done, void *opaque)
{
    self->ops->connector_target(self, name, target, done, opaque);
}

void herder_connector_restart(herder *self, const char *name, int task, bool include_tasks,
                              bool only_failed, herder_callback done, void *opaque)
{
    self->ops->connector_restart(self, name, task, include_tasks, only_failed, done, opaque);
}

void herder_connector_fence(herder *self, const char *name, herder_callback done, void *opaque)
{
    self->ops->connector_fence(self, name, done, opaque);
}

void herder_connector_topics_reset(herder *self, const char *name, herder_callback done,
                                   void *opaque)
{
    self->ops->connector_topics_reset(self, name, done, opaque);
}

void herder_offsets_get(herder *self, const char *name, herder_callback done, void *opaque)
{
    self->ops->offsets_get(self, name, done, opaque);
}

void herder_offsets_alter(herder *self, const char *name, json_t *body, herder_callback done,
                          void *opaque)
{
    self->ops->offsets_alter(self, name, body, done, opaque);
}

void herder_offsets_reset(herder *self, const char *name, herder_callback done, void *opaque)
{
    self->ops->offsets_reset(self, name, done, opaque);
}

void herder_tasks_put(herder *self, const char *name, json_t *configs,
                      const herder_signed *signature, herder_callback done, void *opaque)
{
    self->ops->tasks_put(self, name, configs, signature, done, opaque);
}

json_t *herder_cluster_metrics(herder *self)
{
    return self->ops->cluster_metrics ? self->ops->cluster_metrics(self) : NULL;
}

bool herder_is_ready(herder *self)
{
    return self->ops->is_ready(self);
}

void herder_destroy(herder *self)
{
    if (self)
        self->ops->destroy(self);
}

/* ---- the waiter ------------------------------------------------------------------------- */

struct herder_waiter {
    pthread_mutex_t mutex;
    pthread_cond_t done;
    bool completed;
    herder_result result;
};

herder_waiter *herder_waiter_new(void)
{
    herder_waiter *waiter = calloc(1, sizeof(*waiter));
    if (!waiter)
        return NULL;
    pthread_mutex_init(&waiter->mutex, NULL);
    pthread_cond_init(&waiter->done, NULL);
    return waiter;
}

void herder_waiter_destroy(herder_waiter *waiter)
{
    if (!waiter)
        return;
    herder_result_clear(&waiter->result);
    pthread_cond_destroy(&waiter->done);
    pthread_mutex_destroy(&waiter->mutex);
    free(waiter);
}

void herder_waiter_done(const herder_result *result, void *opaque)
{
    herder_waiter *waiter = opaque;
    pthread_mutex_lock(&waiter->mutex);
    waiter->result = *result;
    json_incref(waiter->result.answer); /* result is borrowed: the copy keeps its own */
    waiter->completed = true;
    pthread_cond_signal(&waiter->done);
    pthread_mutex_unlock(&waiter->mutex);
}

void herder_wait(herder_waiter *waiter, herder_result *result)
{
    pthread_mutex_lock(&waiter->mutex);
    while (!waiter->completed)
        pthread_cond_wait(&waiter->done, &waiter->mutex);
    *result = waiter->result;
    waiter->result = (herder_result){.status = HERDER_OK};
    waiter->completed = false;
    pthread_mutex_unlock(&waiter->mutex);
}
