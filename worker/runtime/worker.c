/*
 * worker.c - the worker's set-up (Kafka, internal topics, stores, plugins), its connector table
 * (whole connectors on a standalone worker, parts of them on a worker of a cluster) and the
 * control loop.
 */
#include "runtime/worker.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "support/clock.h"
#include "base/log.h"
#include "base/thread_role.h"
#include "plugin/host_services.h"
#include "config/connector_config.h"
#include "stores/config_store.h"
#include "runtime/connector_runtime.h"
#include "kafka/embedded_kafka.h"
#include "kafka/kafka_client.h"
#include "kafka/kafka_config.h"
#include "stores/offset_store.h"
#include "stores/status_store.h"
#include "kafka/topic_admin.h"
#include "support/array.h"
#include "support/strbuf.h"
#include "support/strlist.h"
#include "support/task_name.h"

/* How long start-up may wait for Kafka (a broker's first answer, topic creation, restoring the
 * stores): docs/operations.md. */
#define WORKER_STARTUP_TIMEOUT_MS KAFKA_CLIENT_REACHABLE_TIMEOUT_MS

/* A function waiting to run on the control thread; lives on the caller's stack. Each caller
 * waits on a semaphore of its own: finishing a command wakes its caller only, and takes no lock
 * the other callers contend for. */
typedef struct worker_command {
    worker_command_fn fn;
    void *argument;
    bool started; /* under the worker's mutex */
    bool posted;  /* worker_post: heap-allocated, freed once run; nobody waits */
    sem_t done;
    struct worker_command *next;
} worker_command;

struct worker {
    worker_config *config;
    embedded_kafka *embedded;
    plugin_registry *plugins;
    config_providers *providers;
    offset_store *offsets;
    config_store *configs;
    status_store *status;
    connector_environment environment;
    connector_runtime **connectors;
    size_t connector_count;
    size_t connector_capacity;

    /* A worker of a cluster (worker_cluster_join): its connectors are parts, and the latest
     * assignment it applied is kept for the connectors the config topic brings later. */
    bool cluster;
    worker_cluster_hooks hooks;
    atomic_bool fenced;       /* worker_cluster_fence until the next assignment */
    bool assigned;            /* an assignment applies (none yet, or fenced since) */
    strlist assigned_connectors;
    strlist assigned_tasks;
    int64_t epoch;
    /* "<connector>\n<key>" of each literal secret already warned about: one line per connector
     * and key, not one per update. */
    strlist literal_secrets_warned;

    char *kafka_cluster_id;   /* "" when Kafka did not tell */
    int64_t created_ms;       /* clock_monotonic_ms() in worker_new */

    pthread_mutex_t mutex;
    pthread_cond_t wake;
    bool woken;
    bool tick_requested;      /* a task reported a change: tick the connectors */
    worker_command *commands; /* FIFO head, under mutex */
    worker_command *commands_tail;
    bool accepting;           /* false once the control loop stopped taking commands */
    atomic_bool running;      /* the control loop has started */
    atomic_bool shutdown;
};

/* A task changed its state: the control loop wakes and ticks the connectors. */
static void worker_notify(void *opaque)
{
    worker *self = opaque;
    pthread_mutex_lock(&self->mutex);
    self->woken = true;
    self->tick_requested = true;
    pthread_cond_signal(&self->wake);
    pthread_mutex_unlock(&self->mutex);
}

void worker_shutdown(worker *self)
{
    atomic_store(&self->shutdown, true);
    worker_notify(self);
}

/* ---- set-up ----------------------------------------------------------------------------- */

rd_kafka_t *worker_admin_client(worker *self, const config_map *connector,
                                const char *client_id, char *err, size_t errlen)
{
    char scope[200];
    char name[200];
    const char *connector_name = connector ? config_map_get(connector, "name") : NULL;
    snprintf(scope, sizeof(scope), "%s%s", connector_name ? "connector:" : "worker",
             connector_name ? connector_name : "");
    snprintf(name, sizeof(name), "%s admin", connector_name ? connector_name : "worker");
    kafka_client_spec spec = {.scope = scope, .name = name, .role = KAFKA_CLIENT_ADMIN,
                              .worker = self->config, .task_client = connector != NULL};
    rd_kafka_conf_t *conf = kafka_client_config(self->config, KAFKA_CLIENT_ADMIN, connector,
                                                client_id, &spec, err, errlen);
    if (!conf)
        return NULL;
    char why[512];
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!admin) {
        rd_kafka_conf_destroy(conf);
        ferry_error_set(err, errlen, "cannot create the admin client: %s", why);
    }
    return admin;
}

/* The cluster id GET / reports, as Kafka Connect does; "" when Kafka does not tell in time. */
static void worker_cluster_id_fetch(worker *self, rd_kafka_t *client)
{
    char *id = rd_kafka_clusterid(client, 5000);
    free(self->kafka_cluster_id);
    self->kafka_cluster_id = strdup(id ? id : "");
    if (id)
        rd_kafka_mem_free(client, id);
}

static int worker_topics_create(worker *self, char *err, size_t errlen)
{
    const worker_config *config = self->config;
    const topic_spec specs[] = {
        {config->offset_topic, config->offset_partitions, config->offset_replication_factor,
         true, "offset.storage.topic", NULL},
        {config->config_topic, 1, config->config_replication_factor, true,
         "config.storage.topic", NULL},
        {config->status_topic, config->status_partitions, config->status_replication_factor,
         true, "status.storage.topic", NULL},
    };
    size_t count = sizeof(specs) / sizeof(specs[0]);
    if (self->embedded) {
        for (size_t i = 0; i < count; i++) {
            if (embedded_kafka_topic_create(self->embedded, specs[i].name, specs[i].partitions,
                                            err, errlen) != 0)
                return -1;
        }
        rd_kafka_t *admin = worker_admin_client(self, NULL, "ferry-admin", err, errlen);
        if (!admin)
            return -1;
        worker_cluster_id_fetch(self, admin);
        rd_kafka_destroy(admin);
        return 0;
    }
    rd_kafka_t *admin = worker_admin_client(self, NULL, "ferry-admin", err, errlen);
    if (!admin)
        return -1;
    /* A broker's first answer, or the reason there is none (authentication, TLS), before the
     * requests that would only time out without it. */
    int rc = kafka_client_wait_reachable(admin, WORKER_STARTUP_TIMEOUT_MS, err, errlen);
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = topic_admin_ensure(admin, &specs[i], WORKER_STARTUP_TIMEOUT_MS, err, errlen);
    if (rc == 0)
        worker_cluster_id_fetch(self, admin);
    rd_kafka_destroy(admin);
    return rc;
}

/* The configs and status stores follow their topics, and a write waits until its store has read
 * it back. A real broker answers a waiting fetch as soon as the record is appended; librdkafka's
 * mock cluster (the embedded Kafka) answers only when fetch.wait.max.ms runs out, which made
 * every write there take 500 ms. On the embedded Kafka the followers poll every 10 ms instead. */
static int worker_follower_tune(const worker *self, rd_kafka_conf_t *consumer, char *err,
                                size_t errlen)
{
    if (!self->embedded)
        return 0;
    return rd_kafka_conf_set(consumer, "fetch.wait.max.ms", "10", err, errlen) == RD_KAFKA_CONF_OK
               ? 0
               : -1;
}

/* A client of an internal topic's store, its lines under the store's scope ("config topic
 * producer"). */
static rd_kafka_conf_t *worker_store_client_config(const worker_config *config,
                                                   kafka_client_role role, const char *client_id,
                                                   const char *scope, const char *topic,
                                                   char *err, size_t errlen)
{
    char name[64];
    snprintf(name, sizeof(name), "%s %s", topic,
             role == KAFKA_CLIENT_PRODUCER ? "producer" : "consumer");
    kafka_client_spec spec = {.scope = scope, .name = name, .role = role, .worker = config};
    return kafka_client_config(config, role, NULL, client_id, &spec, err, errlen);
}

/* config_store_protection.sensitive: declared sensitive by the connector's type (named by
 * connector.class of its config), or named like a secret. */
static bool worker_key_sensitive(void *opaque, const json_t *connector_properties,
                                 const char *key)
{
    const worker *self = opaque;
    const char *class_name =
        json_string_value(json_object_get(connector_properties, "connector.class"));
    const registered_connector *type =
        class_name ? plugin_registry_find(self->plugins, class_name) : NULL;
    const ferry_config_key *defs[3];
    size_t ndefs = type ? connector_config_definitions(type->type, defs) : 0;
    return config_key_is_sensitive(ndefs ? defs : NULL, ndefs, key);
}

static int worker_stores_open(worker *self, char *err, size_t errlen)
{
    const worker_config *config = self->config;
    rd_kafka_conf_t *producer = NULL, *consumer = NULL;
#define CLIENT_CONFS(name, scope, topic)                                                       \
    (producer = worker_store_client_config(config, KAFKA_CLIENT_PRODUCER, name, scope, topic, \
                                           err, errlen)) &&                                    \
        (consumer = worker_store_client_config(config, KAFKA_CLIENT_CONSUMER, name, scope,    \
                                               topic, err, errlen))
    if (!(CLIENT_CONFS("ferry-offsets", "offsets", "offsets topic")))
        goto fail;
    self->offsets = offset_store_open(config->offset_topic, producer, consumer,
                                      WORKER_STARTUP_TIMEOUT_MS, err, errlen);
    producer = consumer = NULL;
    if (!self->offsets)
        goto fail;
    if (!(CLIENT_CONFS("ferry-configs", "configs", "config topic")) ||
        worker_follower_tune(self, consumer, err, errlen) != 0)
        goto fail;
    config_store_protection protection = {.cipher = config->config_cipher,
                                          .sensitive = worker_key_sensitive, .opaque = self};
    self->configs = config_store_open(config->config_topic, producer, consumer, &protection,
                                      WORKER_STARTUP_TIMEOUT_MS, err, errlen);
    producer = consumer = NULL;
    if (!self->configs)
        goto fail;
    if (!(CLIENT_CONFS("ferry-status", "status", "status topic")) ||
        worker_follower_tune(self, consumer, err, errlen) != 0)
        goto fail;
    self->status = status_store_open(config->status_topic, producer, consumer, config->worker_id,
                                     WORKER_STARTUP_TIMEOUT_MS, err, errlen);
    producer = consumer = NULL;
    if (!self->status)
        goto fail;
#undef CLIENT_CONFS
    return 0;
fail:
    if (producer)
        rd_kafka_conf_destroy(producer);
    if (consumer)
        rd_kafka_conf_destroy(consumer);
    return -1;
}

worker *worker_new(worker_config *config, char *err, size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    worker *self = calloc(1, sizeof(*self));
    if (!self) {
        worker_config_destroy(config);
        ferry_error_set(err, errlen, "out of memory");
        return NULL;
    }
    self->config = config;
    self->created_ms = clock_monotonic_ms();
    pthread_mutex_init(&self->mutex, NULL);
    pthread_cond_init(&self->wake, NULL);
    self->accepting = true;

    if (config->embedded) {
        self->embedded = embedded_kafka_start(err, errlen);
        if (!self->embedded ||
            worker_config_set_bootstrap(config, embedded_kafka_bootstrap(self->embedded)) != 0)
            goto fail;
        log_warn("worker", "*** EMBEDDED KAFKA: no bootstrap.servers configured, so ferry runs "
                 "an in-memory Kafka inside this process. Nothing in it survives a restart. "
                 "Bootstrap address: %s (look inside: kcat -b %s -L) ***",
                 config->bootstrap_servers, config->bootstrap_servers);
    }
    self->providers = config_providers_new(config->values, err, errlen);
    if (!self->providers)
        goto fail;
    self->plugins = plugin_registry_new(host_services());
    if (!self->plugins)
        goto fail;
    char *default_path = config->plugin_path ? NULL : plugin_registry_default_path();
    plugin_registry_load_path(self->plugins, config->plugin_path ? config->plugin_path
                                                                 : default_path);
    log_info("worker", "plugin.path %s: %zu connector types",
             config->plugin_path ? config->plugin_path : default_path,
             plugin_registry_count(self->plugins));
    free(default_path);

    if (worker_topics_create(self, err, errlen) != 0 || worker_stores_open(self, err, errlen) != 0)
        goto fail;

    self->environment = (connector_environment){
        .tasks = {.worker = config, .offsets = self->offsets, .embedded = self->embedded,
                  .notify = worker_notify, .notify_opaque = self},
        .plugins = self->plugins,
        .providers = self->providers,
        .configs = self->configs,
        .status = self->status,
    };
    log_info("worker", "worker %s ready (Kafka %s, group %s)", config->worker_id,
             config->bootstrap_servers, config->group_id);
    return self;
fail:
    worker_destroy(self);
    return NULL;
}

void worker_destroy(worker *self)
{
    ASSERT_CONTROL_THREAD();
    if (!self)
        return;
    for (size_t i = 0; i < self->connector_count; i++)
        connector_runtime_stop_request(self->connectors[i]);
    for (size_t i = 0; i < self->connector_count; i++)
        connector_runtime_destroy(self->connectors[i]);
    free(self->connectors);
    if (task_abandoned_count() > 0) {
        /* An abandoned task thread may still write offsets or status: leave the stores and the
         * embedded Kafka to the process exit rather than free them under it. */
        log_warn("worker", "%zu task threads did not stop in time; exiting without closing the "
                 "stores they may still use", task_abandoned_count());
        return;
    }
    status_store_close(self->status);
    config_store_close(self->configs);
    offset_store_close(self->offsets);
    plugin_registry_destroy(self->plugins);
    config_providers_destroy(self->providers);
    embedded_kafka_stop(self->embedded);
    worker_config_destroy(self->config);
    strlist_free(&self->assigned_connectors);
    strlist_free(&self->assigned_tasks);
    strlist_free(&self->literal_secrets_warned);
    free(self->kafka_cluster_id);
    pthread_cond_destroy(&self->wake);
    pthread_mutex_destroy(&self->mutex);
    free(self);
}

/* ---- connectors ------------------------------------------------------------------------- */

static size_t worker_connector_index(const worker *self, const char *name)
{
    for (size_t i = 0; i < self->connector_count; i++)
        if (strcmp(connector_runtime_name(self->connectors[i]), name) == 0)
            return i;
    return SIZE_MAX;
}

static runtime_state target_state_parse(const char *text)
{
    if (text && strcmp(text, "PAUSED") == 0)
        return STATE_PAUSED;
    if (text && strcmp(text, "STOPPED") == 0)
        return STATE_STOPPED;
    return STATE_RUNNING;
}

static const char *target_state_name(runtime_state state)
{
    return state == STATE_PAUSED ? "PAUSED" : state == STATE_STOPPED ? "STOPPED" : "STARTED";
}

static int worker_connector_add(worker *self, const char *name, const config_map *config,
                                runtime_state target)
{
    if (array_reserve(&self->connectors, &self->connector_capacity, self->connector_count + 1,
                      sizeof(*self->connectors)) != 0)
        return -1;
    connector_runtime *connector = connector_runtime_new(&self->environment, name, config,
                                                         target);
    if (!connector)
        return -1;
    self->connectors[self->connector_count++] = connector;
    connector_runtime_start(connector);
    return 0;
}

void worker_connectors_restore(worker *self, const char *const *skip)
{
    ASSERT_CONTROL_THREAD();
    json_t *stored = config_store_snapshot(self->configs);
    const char *name;
    json_t *entry;
    json_object_foreach(stored, name, entry) {
        bool skipped = false;
        for (const char *const *other = skip; other && *other; other++)
            if (strcmp(*other, name) == 0)
                skipped = true;
        if (skipped || worker_connector_index(self, name) != SIZE_MAX)
            continue;
        config_map *config = config_map_new();
        char why[256];
        if (!config || config_map_set_from_json(config, json_object_get(entry, "config"), why,
                                                sizeof(why)) != 0) {
            log_error("worker", "stored config of connector %s is unusable: %s", name,
                      config ? why : "out of memory");
            config_map_destroy(config);
            continue;
        }
        log_info("worker", "restoring connector %s from %s", name, self->config->config_topic);
        runtime_state target = target_state_parse(
            json_string_value(json_object_get(entry, "target_state")));
        if (worker_connector_add(self, name, config, target) != 0)
            log_error("worker", "out of memory restoring connector %s", name);
        config_map_destroy(config);
    }
    json_decref(stored);
}

size_t worker_connector_validate(worker *self, const config_map *config, config_errors *errors,
                                 config_map *unknown, const registered_connector **type)
{
    ASSERT_CONTROL_THREAD();
    return connector_validate(&self->environment, config, errors, unknown, type);
}

/* One line for all of a config's unknown keys, naming the first few: a config with thousands of
 * them must not write thousands of lines. */
#define WORKER_UNKNOWN_KEYS_NAMED 5

static void worker_unknown_keys_warn(const char *name, const config_map *unknown)
{
    size_t count = config_map_count(unknown);
    if (count == 0)
        return;
    strbuf keys = {0};
    for (size_t i = 0; i < count && i < WORKER_UNKNOWN_KEYS_NAMED; i++)
        strbuf_append_printf(&keys, "%s'%s'", i ? ", " : "", config_map_key_at(unknown, i));
    if (count > WORKER_UNKNOWN_KEYS_NAMED)
        strbuf_append_printf(&keys, " and %zu more", count - WORKER_UNKNOWN_KEYS_NAMED);
    log_warn("worker", "connector %s: %zu unknown config key%s accepted (Kafka Connect does the "
             "same); check %s spelling: %s", name, count, count == 1 ? "" : "s",
             count == 1 ? "its" : "their",
             strbuf_failed(&keys) || !keys.data ? "(out of memory)" : keys.data);
    free(keys.data);
}

/* Whether a value takes something from a config provider: a "${" that is not the "$${" escape. */
static bool worker_value_has_variable(const char *value)
{
    for (const char *at = strstr(value, "${"); at; at = strstr(at + 2, "${"))
        if (at == value || at[-1] != '$')
            return true;
    return false;
}

/* A sensitive key holding its secret literally is stored as written in the configs topic
 * (encrypted only when the worker has keys): say so once per connector and key, never the
 * value. */
static void worker_literal_secrets_warn(worker *self, const char *name, const config_map *config,
                                        const registered_connector *type)
{
    const ferry_config_key *defs[3];
    size_t ndefs = type ? connector_config_definitions(type->type, defs) : 0;
    for (size_t i = 0; i < config_map_count(config); i++) {
        const char *key = config_map_key_at(config, i);
        const char *value = config_map_value_at(config, i);
        if (!value || !*value || worker_value_has_variable(value) ||
            !config_key_is_sensitive(ndefs ? defs : NULL, ndefs, key))
            continue;
        char *seen = NULL;
        if (asprintf(&seen, "%s\n%s", name, key) < 0)
            return;
        if (strlist_contains(&self->literal_secrets_warned, seen)) {
            free(seen);
            continue;
        }
        strlist_append(&self->literal_secrets_warned, seen, (size_t)-1);
        free(seen);
        log_warn("worker", "connector %s: sensitive key '%s' holds a literal value, stored %s in "
                 "%s; use a config provider reference (${file:...} or ${env:...}) instead "
                 "(docs/security.md)", name, key,
                 self->config->config_cipher ? "encrypted" : "as written",
                 self->config->config_topic);
    }
}

int worker_connector_check(worker *self, const config_map *config, bool *exists,
                           config_errors *errors, char *err, size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    const char *name = config_map_get(config, "name");
    config_map *unknown = config_map_new();
    if (!unknown)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const registered_connector *type = NULL;
    if (connector_validate(&self->environment, config, errors, unknown, &type) > 0 || !name) {
        config_map_destroy(unknown);
        return ferry_error_set(err, errlen, "connector config is invalid"), -1;
    }
    worker_unknown_keys_warn(name, unknown);
    worker_literal_secrets_warn(self, name, config, type);
    config_map_destroy(unknown);
    if (exists)
        *exists = worker_connector_index(self, name) != SIZE_MAX;
    return 0;
}

int worker_connector_store(worker *self, const config_map *config, bool created,
                           runtime_state initial, char *err, size_t errlen)
{
    const char *name = config_map_get(config, "name");
    if (!name)
        return ferry_error_set(err, errlen, "connector config has no name"), -1;
    /* The target state goes first, as Kafka Connect writes it, so that a worker restoring the
     * topic never starts a connector created PAUSED or STOPPED. */
    if (created && initial != STATE_RUNNING &&
        config_store_put_target_state(self->configs, name, target_state_name(initial), err,
                                      errlen) != 0)
        return -1;
    return config_store_put_connector(self->configs, name, config, err, errlen);
}

void worker_cluster_configs_refresh(worker *self)
{
    ASSERT_CONTROL_THREAD();
    json_t *snapshot = config_store_snapshot(self->configs);
    if (snapshot)
        worker_cluster_configs_apply(self, snapshot);
    else
        log_error("worker", "out of memory reading %s", self->config->config_topic);
    json_decref(snapshot);
}

int worker_connector_apply(worker *self, const config_map *config, runtime_state initial,
                           bool *created, char *err, size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    const char *name = config_map_get(config, "name");
    if (!name)
        return ferry_error_set(err, errlen, "connector config has no name"), -1;
    size_t index = worker_connector_index(self, name);
    if (created)
        *created = index == SIZE_MAX;
    if (self->cluster) {
        /* A worker of a cluster applies a change the way it applies every other worker's: by
         * reading the config topic, where the change was read back before this call. */
        worker_cluster_connector_refresh(self, name);
        if (worker_connector_index(self, name) == SIZE_MAX)
            return ferry_error_set(err, errlen, "connector %s is not in %s", name,
                                   self->config->config_topic), -1;
        return 0;
    }
    runtime_state target = initial;
    if (index != SIZE_MAX) {
        target = connector_runtime_target(self->connectors[index]);
        connector_runtime_destroy(self->connectors[index]);
        self->connectors[index] = self->connectors[--self->connector_count];
        log_info("worker", "connector %s reconfigured", name);
    } else {
        log_info("worker", "connector %s created", name);
    }
    if (worker_connector_add(self, name, config, target) != 0)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

int worker_connector_delete_store(worker *self, const char *name, char *err, size_t errlen)
{
    return config_store_delete_connector(self->configs, name, err, errlen);
}

/* One more than the highest task number of the connector's statuses read from the status
 * topic (0 when none). */
static int worker_status_task_count(worker *self, const char *name)
{
    json_t *tasks = status_store_tasks_get(self->status, name);
    int count = 0;
    size_t index;
    json_t *task;
    json_array_foreach(tasks, index, task) {
        json_int_t id = json_integer_value(json_object_get(task, "id"));
        if (id >= count)
            count = (int)id + 1;
    }
    json_decref(tasks);
    return count;
}

int worker_connector_remove(worker *self, const char *name, char *err, size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    if (self->cluster) {
        /* Every worker stops its parts when it reads the deletion; the statuses are the
         * leader's (the caller's) to tombstone. The herder's thread may have read the deletion
         * back and applied it before this call: the connector is gone from the runtimes then,
         * and its task statuses tell how many tasks it had. */
        int tasks = index != SIZE_MAX ? connector_runtime_task_count(self->connectors[index])
                                      : worker_status_task_count(self, name);
        worker_cluster_connector_refresh(self, name);
        status_store_delete(self->status, name, tasks);
        return 0;
    }
    if (index == SIZE_MAX)
        return ferry_error_set(err, errlen, "Connector %s not found", name), -1;
    connector_runtime *connector = self->connectors[index];
    int tasks = connector_runtime_task_count(connector);
    connector_runtime_destroy(connector);
    self->connectors[index] = self->connectors[--self->connector_count];
    status_store_delete(self->status, name, tasks);
    log_info("worker", "connector %s deleted", name);
    return 0;
}

int worker_connector_target_store(worker *self, const char *name, runtime_state target,
                                  char *err, size_t errlen)
{
    return config_store_put_target_state(self->configs, name, target_state_name(target), err,
                                         errlen);
}

int worker_connector_target_apply(worker *self, const char *name, runtime_state target,
                                  char *err, size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    if (index == SIZE_MAX)
        return ferry_error_set(err, errlen, "Connector %s not found", name), -1;
    if (self->cluster)
        worker_cluster_connector_refresh(self, name);
    else
        connector_runtime_set_target(self->connectors[index], target);
    return 0;
}

json_t *worker_connector_status(worker *self, const char *name)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    return index == SIZE_MAX ? NULL : connector_runtime_status(self->connectors[index]);
}

int worker_connector_restart(worker *self, const char *name, bool include_tasks,
                             bool only_failed, int task_id, char *err, size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    if (index == SIZE_MAX)
        return ferry_error_set(err, errlen, "Connector %s not found", name), -1;
    if (task_id >= 0) {
        if (connector_runtime_restart_task(self->connectors[index], task_id) != 0)
            return ferry_error_set(err, errlen, "Task %s-%d not found", name, task_id), -1;
        return 0;
    }
    connector_runtime_restart(self->connectors[index], include_tasks, only_failed);
    return 0;
}

/* ---- distributed mode ------------------------------------------------------------------- */

/* task_environment.fenced of a worker of a cluster: fenced by worker_cluster_fence (so that its
 * tasks stop without committing before it joins them), or by the herder's hook. */
static bool worker_fenced(const void *opaque)
{
    worker *self = (worker *)opaque;
    if (atomic_load_explicit(&self->fenced, memory_order_relaxed))
        return true;
    return self->hooks.fenced && self->hooks.fenced(self->hooks.opaque);
}

void worker_cluster_join(worker *self, const worker_cluster_hooks *hooks)
{
    ASSERT_CONTROL_THREAD();
    self->cluster = true;
    self->hooks = *hooks;
    self->environment.tasks.fenced = worker_fenced;
    self->environment.tasks.fence_opaque = self;
    self->environment.publish_tasks = hooks->publish_tasks;
    self->environment.publish_opaque = hooks->opaque;
}

config_store *worker_config_store(worker *self)
{
    return self->configs;
}

status_store *worker_status_store(worker *self)
{
    return self->status;
}

/* A task an assignment names: "<connector>-<number>", the connector name borrowed from it. */
typedef struct worker_task_name {
    const char *connector; /* its first length bytes */
    size_t length;
    uint32_t number;
} worker_task_name;

static int worker_task_connector_compare(const worker_task_name *a, const worker_task_name *b)
{
    int order = memcmp(a->connector, b->connector, a->length < b->length ? a->length : b->length);
    return order ? order : (a->length > b->length) - (a->length < b->length);
}

static int worker_task_name_compare(const void *a, const void *b)
{
    const worker_task_name *x = a, *y = b;
    int order = worker_task_connector_compare(x, y);
    return order ? order : (x->number > y->number) - (x->number < y->number);
}

/* The tasks of the applied assignment, sorted by connector and number, without repeats: a new
 * array (*count entries; NULL when there are none or memory ran out). */
static worker_task_name *worker_task_names(worker *self, size_t *count)
{
    *count = 0;
    worker_task_name *names = NULL;
    if (self->assigned_tasks.count == 0 ||
        !(names = malloc(self->assigned_tasks.count * sizeof(*names))))
        return NULL;
    for (size_t i = 0; i < self->assigned_tasks.count; i++) {
        const char *task = self->assigned_tasks.items[i];
        worker_task_name *name = &names[*count];
        if (!task_name_parse(task, &name->length, &name->number)) {
            log_warn("worker", "assignment %lld names '%s', which is not a task name; ignored",
                     (long long)self->epoch, task);
            continue;
        }
        name->connector = task;
        (*count)++;
    }
    qsort(names, *count, sizeof(*names), worker_task_name_compare);
    size_t kept = 0;
    for (size_t i = 0; i < *count; i++)
        if (kept == 0 || worker_task_name_compare(&names[kept - 1], &names[i]) != 0)
            names[kept++] = names[i];
    *count = kept;
    return names;
}

/* Gives one connector its part of the applied assignment (none when it is not applied: fenced,
 * or no assignment yet). numbers: room for count task numbers. */
static void worker_part_assign(worker *self, connector_runtime *connector,
                               const worker_task_name *names, size_t count, uint32_t *numbers)
{
    const char *name = connector_runtime_name(connector);
    connector_part part = {0};
    if (self->assigned) {
        worker_task_name key = {.connector = name, .length = strlen(name)};
        size_t low = 0, high = count;
        while (low < high) {
            size_t middle = low + (high - low) / 2;
            if (worker_task_connector_compare(&names[middle], &key) < 0)
                low = middle + 1;
            else
                high = middle;
        }
        for (size_t i = low; i < count && worker_task_connector_compare(&names[i], &key) == 0;
             i++)
            numbers[part.task_count++] = names[i].number;
        part.instance = strlist_contains(&self->assigned_connectors, name);
        part.tasks = numbers;
    }
    connector_runtime_assign(connector, &part, self->epoch);
}

/* Gives each connector from index from on its part of the applied assignment. */
static void worker_parts_assign(worker *self, size_t from)
{
    size_t count = 0;
    worker_task_name *names = self->assigned ? worker_task_names(self, &count) : NULL;
    uint32_t *numbers = malloc((count ? count : 1) * sizeof(*numbers));
    if (!numbers || (self->assigned && self->assigned_tasks.count > 0 && !names)) {
        log_error("worker", "out of memory applying assignment %lld", (long long)self->epoch);
    } else {
        for (size_t i = from; i < self->connector_count; i++)
            worker_part_assign(self, self->connectors[i], names, count, numbers);
    }
    free(numbers);
    free(names);
}

static int strlist_copy(strlist *copy, const strlist *list)
{
    *copy = (strlist){0};
    for (size_t i = 0; list && i < list->count; i++)
        if (strlist_append(copy, list->items[i], (size_t)-1) != 0) {
            strlist_free(copy);
            return -1;
        }
    return 0;
}

void worker_cluster_assignment_apply(worker *self, const strlist *connectors,
                                     const strlist *tasks, int64_t epoch)
{
    ASSERT_CONTROL_THREAD();
    strlist connectors_copy, tasks_copy;
    if (strlist_copy(&connectors_copy, connectors) != 0 || strlist_copy(&tasks_copy, tasks) != 0) {
        strlist_free(&connectors_copy);
        log_error("worker", "out of memory applying assignment %lld", (long long)epoch);
        return;
    }
    strlist_free(&self->assigned_connectors);
    strlist_free(&self->assigned_tasks);
    self->assigned_connectors = connectors_copy;
    self->assigned_tasks = tasks_copy;
    self->epoch = epoch;
    self->assigned = true;
    atomic_store(&self->fenced, false);
    log_info("worker", "applying assignment %lld: %zu connectors, %zu tasks", (long long)epoch,
             connectors_copy.count, tasks_copy.count);
    worker_parts_assign(self, 0);
}

void worker_cluster_fence(worker *self)
{
    ASSERT_CONTROL_THREAD();
    /* Every task sees the fence at once and stops without committing; then each is joined. */
    atomic_store(&self->fenced, true);
    self->assigned = false;
    log_warn("worker", "fenced: stopping every task and connector without committing");
    for (size_t i = 0; i < self->connector_count; i++)
        connector_runtime_stop_request(self->connectors[i]);
    for (size_t i = 0; i < self->connector_count; i++)
        connector_runtime_fence(self->connectors[i]);
}

static bool config_maps_equal(const config_map *a, const config_map *b)
{
    if (config_map_count(a) != config_map_count(b))
        return false;
    for (size_t i = 0; i < config_map_count(a); i++) {
        const char *other = config_map_get(b, config_map_key_at(a, i));
        if (!other || strcmp(other, config_map_value_at(a, i)) != 0)
            return false;
    }
    return true;
}

/* Brings one connector of the snapshot up to date, or creates it (then it is at index
 * connector_count - 1, its part not yet assigned). */
static void worker_cluster_connector_apply(worker *self, const char *name, json_t *entry)
{
    config_map *config = config_map_new();
    char why[256];
    if (!config || config_map_set_from_json(config, json_object_get(entry, "config"), why,
                                            sizeof(why)) != 0) {
        log_error("worker", "config of connector %s in %s is unusable: %s", name,
                  self->config->config_topic, config ? why : "out of memory");
        config_map_destroy(config);
        return;
    }
    runtime_state target = target_state_parse(
        json_string_value(json_object_get(entry, "target_state")));
    json_t *tasks = json_object_get(entry, "tasks");
    size_t index = worker_connector_index(self, name);
    if (index == SIZE_MAX) {
        connector_runtime *connector = NULL;
        if (array_reserve(&self->connectors, &self->connector_capacity,
                          self->connector_count + 1, sizeof(*self->connectors)) != 0 ||
            !(connector = connector_runtime_new_part(&self->environment, name, config, target))) {
            log_error("worker", "out of memory adding connector %s", name);
        } else {
            self->connectors[self->connector_count++] = connector;
            connector_runtime_tasks_committed(connector, tasks);
            log_info("worker", "connector %s read from %s", name, self->config->config_topic);
        }
        config_map_destroy(config);
        return;
    }
    /* Stopping goes first and starting last, so that nothing starts only to stop. */
    connector_runtime *connector = self->connectors[index];
    if (target == STATE_STOPPED)
        connector_runtime_set_target(connector, target);
    if (!config_maps_equal(connector_runtime_config(connector), config))
        connector_runtime_reconfigure(connector, config);
    connector_runtime_tasks_committed(connector, tasks);
    connector_runtime_set_target(connector, target);
    config_map_destroy(config);
}

/* Stops and forgets the connector at index, deleted from the config topic. */
static void worker_cluster_connector_drop(worker *self, size_t index)
{
    connector_runtime *connector = self->connectors[index];
    log_info("worker", "connector %s deleted from %s", connector_runtime_name(connector),
             self->config->config_topic);
    connector_runtime_deleted(connector);
    connector_runtime_destroy(connector);
    self->connectors[index] = self->connectors[--self->connector_count];
}

void worker_cluster_connector_refresh(worker *self, const char *name)
{
    ASSERT_CONTROL_THREAD();
    bool found = false;
    json_t *entry = config_store_connector(self->configs, name, &found);
    size_t index = worker_connector_index(self, name);
    if (!found) {
        if (index != SIZE_MAX)
            worker_cluster_connector_drop(self, index);
        return;
    }
    if (!entry) {
        log_error("worker", "out of memory reading connector %s from %s", name,
                  self->config->config_topic);
        return;
    }
    size_t known = self->connector_count;
    worker_cluster_connector_apply(self, name, entry);
    if (self->connector_count > known)
        worker_parts_assign(self, known);
    json_decref(entry);
}

void worker_cluster_configs_apply(worker *self, json_t *snapshot)
{
    ASSERT_CONTROL_THREAD();
    for (size_t i = 0; i < self->connector_count;) {
        if (json_object_get(snapshot, connector_runtime_name(self->connectors[i])))
            i++;
        else
            worker_cluster_connector_drop(self, i);
    }
    size_t known = self->connector_count;
    const char *name;
    json_t *entry;
    json_object_foreach(snapshot, name, entry)
        worker_cluster_connector_apply(self, name, entry);
    if (self->connector_count > known)
        worker_parts_assign(self, known);
}

/* ---- queries ---------------------------------------------------------------------------- */

bool worker_is_running(worker *self)
{
    return atomic_load(&self->running);
}

int64_t worker_uptime_ms(worker *self)
{
    return clock_monotonic_ms() - self->created_ms;
}

const char *worker_kafka_cluster_id(worker *self)
{
    return self->kafka_cluster_id ? self->kafka_cluster_id : "";
}

const worker_config *worker_configuration(worker *self)
{
    return self->config;
}

offset_store *worker_offsets(worker *self)
{
    return self->offsets;
}

json_t *worker_connector_task_configs(worker *self, const char *name)
{
    bool found = false;
    json_t *entry = config_store_connector(self->configs, name, &found);
    json_t *tasks = json_incref(json_object_get(entry, "tasks"));
    json_decref(entry);
    return tasks;
}

static int worker_name_compare(const void *a, const void *b)
{
    return strcmp(connector_runtime_name(*(connector_runtime *const *)a),
                  connector_runtime_name(*(connector_runtime *const *)b));
}

json_t *worker_connector_names(worker *self)
{
    ASSERT_CONTROL_THREAD();
    json_t *names = json_array();
    connector_runtime **sorted = malloc((self->connector_count + 1) * sizeof(*sorted));
    if (!names || !sorted) {
        free(sorted);
        json_decref(names);
        return NULL;
    }
    if (self->connector_count > 0)
        memcpy(sorted, self->connectors, self->connector_count * sizeof(*sorted));
    qsort(sorted, self->connector_count, sizeof(*sorted), worker_name_compare);
    for (size_t i = 0; i < self->connector_count; i++)
        json_array_append_new(names, json_string(connector_runtime_name(sorted[i])));
    free(sorted);
    return names;
}

size_t worker_connector_count(worker *self)
{
    ASSERT_CONTROL_THREAD();
    return self->connector_count;
}

connector_runtime *worker_connector_at(worker *self, size_t index)
{
    ASSERT_CONTROL_THREAD();
    return index < self->connector_count ? self->connectors[index] : NULL;
}

connector_runtime *worker_connector_find(worker *self, const char *name)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    return index == SIZE_MAX ? NULL : self->connectors[index];
}

const plugin_registry *worker_plugins(worker *self)
{
    ASSERT_CONTROL_THREAD();
    return self->plugins;
}

const registered_connector *worker_connector_type(worker *self, const config_map *config)
{
    ASSERT_CONTROL_THREAD();
    const char *class_name = config_map_get(config, "connector.class");
    if (!class_name)
        return NULL;
    const registered_connector *type = plugin_registry_find(self->plugins, class_name);
    if (type || !strstr(class_name, "${"))
        return type;
    /* connector.class from a config provider: resolve a copy to find the type. */
    char why[256];
    config_map *resolved = config_providers_resolve(self->providers, config, why, sizeof(why));
    const char *resolved_class = resolved ? config_map_get(resolved, "connector.class") : NULL;
    type = resolved_class ? plugin_registry_find(self->plugins, resolved_class) : NULL;
    config_map_destroy(resolved);
    return type;
}

ferry_config *worker_connector_plugin_config(worker *self, const config_map *config,
                                             const registered_connector *type, char *err,
                                             size_t errlen)
{
    ASSERT_CONTROL_THREAD();
    config_map *resolved = config_providers_resolve(self->providers, config, err, errlen);
    if (!resolved)
        return NULL;
    const ferry_config_key *defs[3];
    size_t ndefs = connector_config_definitions(type->type, defs);
    ferry_config *plugin_config = ferry_config_new(resolved, defs, ndefs);
    config_map_destroy(resolved);
    if (!plugin_config)
        ferry_error_set(err, errlen, "out of memory");
    return plugin_config;
}

json_t *worker_connector_active_topics(worker *self, const char *name)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    json_t *topics = index == SIZE_MAX ? NULL
                                       : connector_runtime_active_topics(self->connectors[index]);
    return topics ? topics : json_array();
}

void worker_connector_active_topics_reset(worker *self, const char *name)
{
    ASSERT_CONTROL_THREAD();
    size_t index = worker_connector_index(self, name);
    if (index != SIZE_MAX)
        connector_runtime_topics_reset(self->connectors[index]);
}

/* ---- commands from other threads -------------------------------------------------------- */

/* Appends to the FIFO of commands; under the mutex. */
static void worker_queue_push(worker *self, worker_command *command)
{
    command->next = NULL;
    if (self->commands_tail)
        self->commands_tail->next = command;
    else
        self->commands = command;
    self->commands_tail = command;
}

int worker_call(worker *self, worker_command_fn fn, void *argument)
{
    ASSERT_NOT_CONTROL_THREAD();
    return worker_call_timeout(self, fn, argument, -1);
}

int worker_call_timeout(worker *self, worker_command_fn fn, void *argument, int timeout_ms)
{
    ASSERT_NOT_CONTROL_THREAD();
    worker_command command = {.fn = fn, .argument = argument};
    if (sem_init(&command.done, 0, 0) != 0)
        return -1;
    struct timespec deadline;
    clock_deadline(CLOCK_MONOTONIC, timeout_ms, &deadline);

    pthread_mutex_lock(&self->mutex);
    if (!self->accepting) {
        pthread_mutex_unlock(&self->mutex);
        sem_destroy(&command.done);
        return -1;
    }
    worker_queue_push(self, &command);
    self->woken = true;
    pthread_cond_signal(&self->wake);
    pthread_mutex_unlock(&self->mutex);

    int rc = 0;
    if (timeout_ms >= 0) {
        int waited;
        while ((waited = sem_clockwait(&command.done, CLOCK_MONOTONIC, &deadline)) != 0 &&
               errno == EINTR)
            ;
        if (waited == 0)
            goto done;
        pthread_mutex_lock(&self->mutex);
        if (!command.started) {
            /* Still queued: take it out, it will never run. */
            self->commands_tail = NULL;
            for (worker_command **link = &self->commands; *link;) {
                if (*link == &command)
                    *link = command.next;
                else {
                    self->commands_tail = *link;
                    link = &(*link)->next;
                }
            }
            rc = WORKER_CALL_TIMED_OUT;
        }
        pthread_mutex_unlock(&self->mutex);
        if (rc != 0)
            goto done;
    }
    /* Once started, a command runs to its end: wait for it. */
    while (sem_wait(&command.done) != 0 && errno == EINTR)
        ;
done:
    sem_destroy(&command.done);
    return rc;
}

int worker_post(worker *self, worker_command_fn fn, void *argument)
{
    worker_command *command = calloc(1, sizeof(*command));
    if (!command)
        return -1;
    *command = (worker_command){.fn = fn, .argument = argument, .posted = true};
    pthread_mutex_lock(&self->mutex);
    if (!self->accepting) {
        pthread_mutex_unlock(&self->mutex);
        free(command);
        return -1;
    }
    worker_queue_push(self, command);
    self->woken = true;
    pthread_cond_signal(&self->wake);
    pthread_mutex_unlock(&self->mutex);
    return 0;
}

/* Runs every queued command; with accept false, also stops taking new ones. Commands are taken
 * a batch at a time, so that a busy API costs the loop one lock per batch, not two per
 * command. Returns how many ran. */
static size_t worker_commands_run(worker *self, bool accept)
{
    size_t ran = 0;
    for (;;) {
        pthread_mutex_lock(&self->mutex);
        if (!accept)
            self->accepting = false;
        worker_command *batch = self->commands;
        self->commands = self->commands_tail = NULL;
        for (worker_command *command = batch; command; command = command->next)
            command->started = true;
        pthread_mutex_unlock(&self->mutex);
        if (!batch)
            return ran;
        while (batch) {
            worker_command *command = batch;
            /* The caller may free the command as soon as it is posted: read next first. */
            batch = command->next;
            command->fn(self, command->argument);
            ran++;
            if (command->posted)
                free(command);
            else
                sem_post(&command->done);
        }
    }
}

/* ---- the control loop ------------------------------------------------------------------- */

void worker_run(worker *self)
{
    ASSERT_CONTROL_THREAD();
    /* Connectors are ticked when a task reported a change or when one asked to be called
     * again, not on every command: a busy REST API must not make the loop walk every connector
     * for each status request. */
    int64_t next_tick_ms = 0;
    atomic_store(&self->running, true);
    while (!atomic_load(&self->shutdown)) {
        int64_t wait_ms = next_tick_ms - clock_monotonic_ms();
        pthread_mutex_lock(&self->mutex);
        if (!self->woken && wait_ms > 0) {
            struct timespec deadline;
            clock_deadline(CLOCK_REALTIME, wait_ms, &deadline);
            pthread_cond_timedwait(&self->wake, &self->mutex, &deadline);
        }
        self->woken = false;
        bool tick = self->tick_requested;
        self->tick_requested = false;
        pthread_mutex_unlock(&self->mutex);
        if (atomic_load(&self->shutdown))
            break;
        worker_commands_run(self, true);
        int64_t now = clock_monotonic_ms();
        if (!tick && now < next_tick_ms)
            continue;
        int64_t wake_in = 1000;
        for (size_t i = 0; i < self->connector_count; i++) {
            int64_t wanted = connector_runtime_tick(self->connectors[i], now);
            if (wanted < wake_in)
                wake_in = wanted;
        }
        if (wake_in < 10)
            wake_in = 10;
        next_tick_ms = now + wake_in;
        /* Counts of repeated lines whose interval ended go out even when nothing else logs. */
        log_repeats_flush(false);
    }
    /* Callers already waiting get their answer; later ones are refused. */
    worker_commands_run(self, false);
    log_info("worker", "shutting down: stopping %zu connectors", self->connector_count);
}
