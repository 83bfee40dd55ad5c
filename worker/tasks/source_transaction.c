/*
 * source_transaction.c - a source task's transactions: the transactional producer's set-up and
 * fencing round, the offset records written inside each transaction, the boundaries, and what
 * librdkafka's transaction errors mean for the task (source_transaction.h).
 */
#include "tasks/source_transaction.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/log.h"
#include "kafka/kafka_client.h"
#include "kafka/kafka_config.h"
#include "kafka/topic_admin.h"
#include "plugin/plugin_registry.h"
#include "support/array.h"
#include "support/clock.h"
#include "support/strlist.h"
#include "tasks/record_limit.h"
#include "tasks/source_offset_tracker.h"

/* How long one init_transactions call may wait for the coordinator (it aborts what a
 * predecessor left open first); the task tries again until it is asked to stop. */
#define SOURCE_TRANSACTION_INIT_TIMEOUT_MS 10000
/* How long opening a task may wait in all for the coordinator and the offsets topic. */
#define SOURCE_TRANSACTION_OPEN_TIMEOUT_MS 60000
/* How long one wait for acknowledgements before a commit serves delivery reports. */
#define SOURCE_TRANSACTION_DRAIN_POLL_MS 5
/* How many batches (batch.size) a commit's flush may find unacknowledged: fewer than the five
 * requests an idempotent producer keeps in flight per partition, so that all of them leave at
 * once (source_transaction_commit_call). */
#define SOURCE_TRANSACTION_FLUSH_BATCHES 4
/* transaction.boundary=poll: how long a transaction stays open over several polls while Kafka
 * has more than flush_window of its records unacknowledged (source_transaction_due). */
#define SOURCE_TRANSACTION_POLL_OPEN_MAX_MS 200

struct source_transaction {
    rd_kafka_t *producer;
    char *connector;
    char scope[160];
    offset_store *worker_offsets;  /* the worker's view (REST, other connectors), borrowed */
    offset_store *own_offsets;     /* what this task read back after fencing, then committed */
    bool own_topic;                /* offsets.storage.topic names a topic of the connector's */
    rd_kafka_topic_t *offsets_topic;
    source_transaction_boundary boundary;
    int64_t interval_ms;
    bool open;
    int64_t opened_ms;
    ferry_source_offset *committed; /* committed since the last _committed_take (own refs) */
    size_t committed_count;
    size_t committed_capacity;
    /* The background commit (_commit_start): a thread, started with the first one, that calls
     * rd_kafka_commit_transaction while the task thread goes on polling. */
    bool committer_started;
    pthread_t committer;
    pthread_mutex_t committer_lock;
    pthread_cond_t committer_wake;  /* the committer's: a commit requested, or quit */
    pthread_cond_t committer_ended; /* the task's: the commit ended */
    bool commit_requested;          /* under committer_lock */
    bool committer_quit;            /* under committer_lock */
    int commit_timeout_ms;          /* under committer_lock */
    rd_kafka_error_t *commit_error; /* what commit_transaction returned, under committer_lock */
    atomic_bool commit_ended;       /* set after commit_error, read without the lock */
    bool committing;                /* the task thread's: a commit was started, not finished */
    bool commit_decided;            /* it ended before Kafka was asked: commit_outcome is it */
    source_transaction_outcome commit_outcome;
    char commit_why[512];
    /* Bytes (keys and values) produced and not yet reported delivered or failed: _sent on the
     * task's thread, _delivered on whichever thread serves the delivery reports. */
    atomic_int_fast64_t unacked_bytes;
    int64_t flush_window; /* what a commit's flush may find unacknowledged: FLUSH_BATCHES batches */
    /* The open transaction's first record Kafka refused (_refused, from any thread). */
    pthread_mutex_t refusal_lock;
    bool refused;
    bool refusal_fatal;
    char refusal[512];
};

const char *const source_transaction_producer_defaults[] = {"linger.ms", "100", NULL};

bool source_transaction_enabled(const worker_config *worker)
{
    const char *mode = config_map_get(worker->values, "exactly.once.source.support");
    return mode && strcasecmp(mode, "enabled") == 0;
}

static source_transaction_boundary source_transaction_boundary_parse(const char *text)
{
    if (text && strcasecmp(text, "interval") == 0)
        return SOURCE_BOUNDARY_INTERVAL;
    if (text && strcasecmp(text, "connector") == 0)
        return SOURCE_BOUNDARY_CONNECTOR;
    return SOURCE_BOUNDARY_POLL;
}

size_t source_transaction_validate(const worker_config *worker, bool standalone,
                                   const ferry_connector_type *type, const config_map *config,
                                   config_errors *errors)
{
    if (!worker || !type || type->kind != FERRY_CONNECTOR_SOURCE ||
        !source_transaction_enabled(worker))
        return 0;
    size_t problems = 0;
    const char *group = config_map_get(worker->values, "group.id");
    if (standalone && (!group || !group[0])) {
        config_errors_add(errors, "exactly.once.support",
                          "The worker runs exactly-once sources (exactly.once.source.support="
                          "enabled) but has no group.id: a standalone worker needs its own "
                          "group.id, unique among the workers on this Kafka cluster, because "
                          "its tasks' transactional.id is <group.id>-<connector>-<task>");
        problems++;
    }
    uint32_t flags = connector_type_flags(type);
    const char *support = config_map_get(config, "exactly.once.support");
    if (support && strcasecmp(support, "required") == 0 && !(flags & FERRY_SOURCE_EXACTLY_ONCE)) {
        config_errors_add(errors, "exactly.once.support",
                          "The connector %s does not provide exactly-once semantics (it does "
                          "not declare exactly-once support), so exactly.once.support=required "
                          "cannot be met; set exactly.once.support=requested or use another "
                          "connector", type->name);
        problems++;
    }
    const char *boundary = config_map_get(config, "transaction.boundary");
    if (boundary && strcasecmp(boundary, "connector") == 0 &&
        !(flags & FERRY_SOURCE_TRANSACTION_BOUNDARIES)) {
        config_errors_add(errors, "transaction.boundary",
                          "The connector %s does not support connector-defined transaction "
                          "boundaries; set transaction.boundary to poll or interval",
                          type->name);
        problems++;
    }
    return problems;
}

int source_transaction_id(const worker_config *worker, bool standalone, const char *connector,
                          int task_id, char *out, size_t len, char *err, size_t errlen)
{
    const char *group = standalone ? config_map_get(worker->values, "group.id")
                                   : worker->group_id;
    if (!group || !group[0]) {
        ferry_error_set(err, errlen, "exactly-once sources on a standalone worker need its "
                        "group.id set (unique per worker): the task's transactional.id is "
                        "<group.id>-<connector>-<task>");
        return -1;
    }
    int written = snprintf(out, len, "%s-%s-%d", group, connector, task_id);
    if (written < 0 || (size_t)written >= len) {
        ferry_error_set(err, errlen, "the transactional.id of task %d of %s is too long",
                        task_id, connector);
        return -1;
    }
    return 0;
}

int source_transaction_configure(rd_kafka_conf_t *conf, const char *transactional_id,
                                 char *err, size_t errlen)
{
    return kafka_config_set(conf, "transactional.id", transactional_id, err, errlen) ||
                   kafka_config_set(conf, "enable.idempotence", "true", err, errlen) ||
                   kafka_config_set(conf, "acks", "all", err, errlen)
               ? -1
               : 0;
}

/* What a transaction error means for the task: the error's own words in why. */
static source_transaction_outcome source_transaction_classify(source_transaction *transaction,
                                                              rd_kafka_error_t *error,
                                                              char *why, size_t whylen)
{
    rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    snprintf(why, whylen, "%s", rd_kafka_error_string(error));
    if (rd_kafka_error_is_fatal(error)) {
        char fatal[512] = "";
        rd_kafka_resp_err_t cause = rd_kafka_fatal_error(transaction->producer, fatal,
                                                         sizeof(fatal));
        if (cause)
            code = cause;
        if (fatal[0])
            snprintf(why, whylen, "%s", fatal);
    }
    if (code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
        code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
        return SOURCE_TRANSACTION_FENCED;
    if (rd_kafka_error_txn_requires_abort(error))
        return SOURCE_TRANSACTION_REWIND;
    return SOURCE_TRANSACTION_FAILED;
}

/* The connector's own offsets topic exists (created compacted as the worker's is, with the
 * worker's offset.storage.* settings), as Kafka Connect creates it. */
static int source_transaction_topic_ensure(const source_transaction_spec *spec,
                                           const char *topic, char *err, size_t errlen)
{
    topic_spec wanted = {.name = topic, .partitions = spec->worker->offset_partitions,
                         .replication_factor = spec->worker->offset_replication_factor,
                         .compacted = true, .config_key = "offsets.storage.topic"};
    return topic_admin_ensure(spec->producer, &wanted, SOURCE_TRANSACTION_OPEN_TIMEOUT_MS, err,
                              errlen);
}

/* init_transactions until it succeeds, the task is asked to stop or the error is not one to
 * wait out (a coordinator still loading, or the predecessor's abort still under way). */
static int source_transaction_init(const source_transaction_spec *spec,
                                   source_transaction *transaction, char *err, size_t errlen)
{
    int64_t deadline = clock_monotonic_ms() + SOURCE_TRANSACTION_OPEN_TIMEOUT_MS;
    for (;;) {
        rd_kafka_error_t *error = rd_kafka_init_transactions(spec->producer,
                                                             SOURCE_TRANSACTION_INIT_TIMEOUT_MS);
        if (!error)
            return 0;
        char why[512];
        source_transaction_outcome outcome =
            source_transaction_classify(transaction, error, why, sizeof(why));
        bool retriable = rd_kafka_error_is_retriable(error);
        rd_kafka_error_destroy(error);
        if (outcome == SOURCE_TRANSACTION_FENCED) {
            ferry_error_set(err, errlen, "the transactional producer was fenced while it "
                            "initialised transactions: %s", why);
            return -1;
        }
        if (!retriable || clock_monotonic_ms() >= deadline ||
            (spec->stop_requested && atomic_load(spec->stop_requested))) {
            ferry_error_set(err, errlen, "cannot initialise transactions: %s", why);
            return -1;
        }
        log_info(spec->scope, "initialising transactions: %s; trying again", why);
    }
}

source_transaction *source_transaction_open(const source_transaction_spec *spec, char *err,
                                            size_t errlen)
{
    source_transaction *transaction = calloc(1, sizeof(*transaction));
    rd_kafka_topic_conf_t *topic_conf = rd_kafka_topic_conf_new();
    if (!transaction || !topic_conf || !(transaction->connector = strdup(spec->connector))) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    pthread_mutex_init(&transaction->committer_lock, NULL);
    pthread_mutex_init(&transaction->refusal_lock, NULL);
    pthread_cond_init(&transaction->committer_wake, NULL);
    pthread_cond_init(&transaction->committer_ended, NULL);
    transaction->producer = spec->producer;
    atomic_init(&transaction->unacked_bytes, 0);
    transaction->flush_window =
        SOURCE_TRANSACTION_FLUSH_BATCHES * record_limit_producer_batch(spec->producer);
    transaction->worker_offsets = spec->worker_offsets;
    snprintf(transaction->scope, sizeof(transaction->scope), "%s", spec->scope);
    transaction->boundary =
        source_transaction_boundary_parse(config_map_get(spec->config, "transaction.boundary"));
    int64_t interval;
    const char *interval_text = config_map_get(spec->config, "transaction.boundary.interval.ms");
    transaction->interval_ms =
        interval_text && config_value_parse_int(interval_text, 0, INT64_MAX, &interval, NULL,
                                                0) == 0
            ? interval
            : spec->worker->offset_flush_interval_ms;

    const char *own_topic = config_map_get(spec->config, "offsets.storage.topic");
    transaction->own_topic = own_topic && own_topic[0] &&
                             strcmp(own_topic, spec->worker->offset_topic) != 0;
    const char *topic = transaction->own_topic ? own_topic : spec->worker->offset_topic;
    if (transaction->own_topic && source_transaction_topic_ensure(spec, topic, err, errlen) != 0)
        goto fail;
    /* The offset records land where a Java worker's producer would put them. */
    char why[512];
    if (rd_kafka_topic_conf_set(topic_conf, "partitioner", "murmur2_random", why,
                                sizeof(why)) != RD_KAFKA_CONF_OK) {
        ferry_error_set(err, errlen, "offsets topic %s: %s", topic, why);
        goto fail;
    }
    transaction->offsets_topic = rd_kafka_topic_new(spec->producer, topic, topic_conf);
    topic_conf = NULL;
    if (!transaction->offsets_topic) {
        ferry_error_set(err, errlen, "offsets topic %s: %s", topic,
                        rd_kafka_err2str(rd_kafka_last_error()));
        goto fail;
    }
    if (source_transaction_init(spec, transaction, err, errlen) != 0)
        goto fail;

    /* Fenced: every transaction of a predecessor is committed or aborted, so this read sees
     * every offset it committed (offsets the worker's store read at start may miss them). */
    char name[200];
    snprintf(name, sizeof(name), "%s offsets consumer", spec->scope + 5);
    kafka_client_spec client = {.scope = spec->scope, .name = name,
                                .role = KAFKA_CLIENT_CONSUMER, .worker = spec->worker};
    rd_kafka_conf_t *consumer = kafka_client_config(spec->worker, KAFKA_CLIENT_CONSUMER, NULL,
                                                    name, &client, err, errlen);
    if (!consumer)
        goto fail;
    transaction->own_offsets = offset_store_read(topic, consumer,
                                                 SOURCE_TRANSACTION_OPEN_TIMEOUT_MS, err, errlen);
    if (!transaction->own_offsets)
        goto fail;
    log_info(spec->scope, "exactly-once: transactions initialised, offsets in %s, "
             "transaction.boundary=%s", topic,
             transaction->boundary == SOURCE_BOUNDARY_POLL       ? "poll"
             : transaction->boundary == SOURCE_BOUNDARY_INTERVAL ? "interval"
                                                                 : "connector");
    return transaction;
fail:
    if (topic_conf)
        rd_kafka_topic_conf_destroy(topic_conf);
    source_transaction_destroy(transaction);
    return NULL;
}

static void source_committer_stop(source_transaction *transaction);

void source_transaction_destroy(source_transaction *transaction)
{
    if (!transaction)
        return;
    source_committer_stop(transaction);
    if (transaction->open) {
        rd_kafka_error_t *error = rd_kafka_abort_transaction(transaction->producer, 5000);
        if (error)
            rd_kafka_error_destroy(error);
    }
    if (transaction->offsets_topic)
        rd_kafka_topic_destroy(transaction->offsets_topic);
    offset_store_close(transaction->own_offsets);
    source_offset_entries_free(transaction->committed, transaction->committed_count);
    pthread_cond_destroy(&transaction->committer_ended);
    pthread_cond_destroy(&transaction->committer_wake);
    pthread_mutex_destroy(&transaction->committer_lock);
    pthread_mutex_destroy(&transaction->refusal_lock);
    free(transaction->connector);
    free(transaction);
}

source_transaction_boundary source_transaction_boundary_of(const source_transaction *transaction)
{
    return transaction->boundary;
}

json_t *source_transaction_offset(source_transaction *transaction, json_t *partition)
{
    json_t *offset = offset_store_get(transaction->own_offsets, transaction->connector,
                                      partition);
    /* A connector given its own topic later still has its older offsets in the worker's, as
     * Kafka Connect reads them. */
    if (!offset && transaction->own_topic)
        offset = offset_store_get(transaction->worker_offsets, transaction->connector,
                                  partition);
    return offset;
}

int source_transaction_begin(source_transaction *transaction, char *err, size_t errlen)
{
    if (transaction->open)
        return 0;
    rd_kafka_error_t *error = rd_kafka_begin_transaction(transaction->producer);
    if (error) {
        ferry_error_set(err, errlen, "cannot begin a transaction: %s",
                        rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        return -1;
    }
    transaction->open = true;
    transaction->opened_ms = clock_monotonic_ms();
    pthread_mutex_lock(&transaction->refusal_lock);
    transaction->refused = transaction->refusal_fatal = false;
    pthread_mutex_unlock(&transaction->refusal_lock);
    return 0;
}

void source_transaction_sent(source_transaction *transaction, size_t bytes)
{
    atomic_fetch_add(&transaction->unacked_bytes, (int_fast64_t)bytes);
}

void source_transaction_delivered(source_transaction *transaction,
                                  const rd_kafka_message_t *message)
{
    atomic_fetch_sub(&transaction->unacked_bytes,
                     (int_fast64_t)(message->len + message->key_len));
}

void source_transaction_refused(source_transaction *transaction, bool fatal, const char *cause)
{
    pthread_mutex_lock(&transaction->refusal_lock);
    if (!transaction->refused || (fatal && !transaction->refusal_fatal)) {
        snprintf(transaction->refusal, sizeof(transaction->refusal), "%s", cause);
        transaction->refused = true;
        transaction->refusal_fatal = fatal;
    }
    pthread_mutex_unlock(&transaction->refusal_lock);
}

bool source_transaction_active(const source_transaction *transaction)
{
    return transaction->open;
}

bool source_transaction_due(const source_transaction *transaction, int64_t now_ms)
{
    if (!transaction->open)
        return false;
    switch (transaction->boundary) {
    case SOURCE_BOUNDARY_POLL:
        /* After every poll while Kafka keeps up; under load, once Kafka has nearly caught up
         * with the transaction (its commit's flush then finds all but a few batches acked and
         * Kafka is not left idle while the task stages), or after POLL_OPEN_MAX_MS. */
        return atomic_load(&transaction->unacked_bytes) <= transaction->flush_window ||
               now_ms - transaction->opened_ms >= SOURCE_TRANSACTION_POLL_OPEN_MAX_MS;
    case SOURCE_BOUNDARY_INTERVAL:
        return now_ms - transaction->opened_ms >= transaction->interval_ms;
    default:
        return false;
    }
}

/* Produces one offset record into the open transaction, waiting for room in the queue. */
static int source_transaction_offset_produce(source_transaction *transaction,
                                             const ferry_source_offset *entry, int timeout_ms,
                                             char *why, size_t whylen)
{
    char *key = NULL, *value = NULL;
    if (offset_store_record(transaction->connector, entry, &key, &value, why, whylen) != 0)
        return -1;
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    rd_kafka_resp_err_t code;
    for (;;) {
        code = rd_kafka_producev(transaction->producer, RD_KAFKA_V_RKT(transaction->offsets_topic),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_KEY(key, strlen(key)),
                                 RD_KAFKA_V_VALUE(value, value ? strlen(value) : 0),
                                 RD_KAFKA_V_OPAQUE(transaction), RD_KAFKA_V_END);
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL || clock_monotonic_ms() >= deadline)
            break;
        rd_kafka_poll(transaction->producer, 10);
    }
    if (!code)
        source_transaction_sent(transaction, strlen(key) + (value ? strlen(value) : 0));
    free(key);
    free(value);
    if (code) {
        snprintf(why, whylen, "producing an offset record to %s failed: %s",
                 rd_kafka_topic_name(transaction->offsets_topic), rd_kafka_err2str(code));
        return -1;
    }
    return 0;
}

/* Keeps the committed offsets for the plugin's commit callback, the latest per partition. */
static void source_transaction_committed_add(source_transaction *transaction,
                                             const ferry_source_offset *entries, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t at = 0;
        while (at < transaction->committed_count &&
               !json_equal(transaction->committed[at].partition, entries[i].partition))
            at++;
        if (at == transaction->committed_count) {
            if (array_reserve(&transaction->committed, &transaction->committed_capacity, at + 1,
                              sizeof(*transaction->committed)) != 0) {
                log_warn(transaction->scope, "out of memory keeping a committed offset for the "
                         "task's commit callback");
                return;
            }
            transaction->committed[at].partition = json_incref(entries[i].partition);
            transaction->committed[at].offset = NULL;
            transaction->committed_count++;
        }
        json_decref(transaction->committed[at].offset);
        transaction->committed[at].offset = json_incref(entries[i].offset);
    }
}

/* A transaction that cannot commit (why says why) is aborted: REWIND with why kept, or what
 * the abort met. */
static source_transaction_outcome source_transaction_rewind(source_transaction *transaction,
                                                            int timeout_ms, char *why,
                                                            size_t whylen)
{
    char reason[512];
    snprintf(reason, sizeof(reason), "%s", why);
    source_transaction_outcome aborted =
        source_transaction_abort(transaction, timeout_ms, why, whylen);
    if (aborted != SOURCE_TRANSACTION_DONE)
        return aborted;
    snprintf(why, whylen, "%s", reason);
    return SOURCE_TRANSACTION_REWIND;
}

/* Before the commit call: the transaction is open and its offset records are produced. DONE
 * when the commit may be called, *nothing set when there is nothing to commit; otherwise what
 * the failure came to. */
static source_transaction_outcome source_transaction_commit_prepare(
    source_transaction *transaction, const ferry_source_offset *entries, size_t count,
    int timeout_ms, bool *nothing, char *why, size_t whylen)
{
    *nothing = false;
    if (!transaction->open) {
        if (count == 0) {
            *nothing = true;
            return SOURCE_TRANSACTION_DONE;
        }
        if (source_transaction_begin(transaction, why, whylen) != 0)
            return SOURCE_TRANSACTION_FAILED;
    }
    for (size_t i = 0; i < count; i++) {
        if (source_transaction_offset_produce(transaction, &entries[i], timeout_ms, why,
                                              whylen) != 0) {
            return source_transaction_rewind(transaction, timeout_ms, why, whylen);
        }
    }
    return SOURCE_TRANSACTION_DONE;
}

/* rd_kafka_commit_transaction, once at most flush_window bytes of the producer's records are
 * unacknowledged. The commit's own flush makes librdkafka's broker thread serve every partition
 * the producer knows (the offsets topic's 25 too) in a busy loop while a partition waits at its
 * limit of five requests in flight, which is most of the flush of a large transaction; waiting
 * for the acknowledgements first, delivery reports served, leaves that thread asleep between
 * responses, and the flush then finds no more than fits in flight (docs/runtime.md, "What
 * librdkafka's transactions cost"). A fatal error (a fenced producer) ends the wait: the commit
 * reports it. */
static rd_kafka_error_t *source_transaction_commit_call(source_transaction *transaction,
                                                        int timeout_ms)
{
    int64_t started = clock_monotonic_ms();
    while (atomic_load(&transaction->unacked_bytes) > transaction->flush_window &&
           clock_monotonic_ms() - started < timeout_ms &&
           rd_kafka_fatal_error(transaction->producer, NULL, 0) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_poll(transaction->producer, SOURCE_TRANSACTION_DRAIN_POLL_MS);
    int64_t left = timeout_ms - (clock_monotonic_ms() - started);
    return rd_kafka_commit_transaction(transaction->producer,
                                       left > SOURCE_TRANSACTION_DRAIN_POLL_MS
                                           ? (int)left
                                           : SOURCE_TRANSACTION_DRAIN_POLL_MS);
}

/* After the commit call (error: what it returned, taken): a commit that timed out is called
 * again, as it resumes where it was; then the outcome, and on DONE the offsets noted. */
static source_transaction_outcome source_transaction_commit_conclude(
    source_transaction *transaction, rd_kafka_error_t *error, const ferry_source_offset *entries,
    size_t count, int timeout_ms, char *why, size_t whylen)
{
    for (int attempt = 1; error && rd_kafka_error_is_retriable(error) && attempt <= 2;
         attempt++) {
        log_info(transaction->scope, "committing a transaction: %s; trying again",
                 rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        error = rd_kafka_commit_transaction(transaction->producer, timeout_ms);
    }
    if (error) {
        source_transaction_outcome outcome =
            source_transaction_classify(transaction, error, why, whylen);
        rd_kafka_error_destroy(error);
        if (outcome != SOURCE_TRANSACTION_REWIND)
            return outcome;
        /* A record Kafka refused aborts its transaction: the refusal says why, and one that
         * no retry can get through (authorization, a topic that will not exist) fails the
         * task rather than rewinding it into the same refusal. */
        pthread_mutex_lock(&transaction->refusal_lock);
        bool refused = transaction->refused, fatal = transaction->refusal_fatal;
        char refusal[sizeof(transaction->refusal)];
        snprintf(refusal, sizeof(refusal), "%s", transaction->refusal);
        pthread_mutex_unlock(&transaction->refusal_lock);
        if (refused) {
            size_t used = strlen(why);
            snprintf(why + used, whylen > used ? whylen - used : 0, "; the first record Kafka "
                     "refused: %s", refusal);
        }
        outcome = source_transaction_rewind(transaction, timeout_ms, why, whylen);
        return outcome == SOURCE_TRANSACTION_REWIND && fatal ? SOURCE_TRANSACTION_FAILED
                                                             : outcome;
    }
    transaction->open = false;
    offset_store_note(transaction->own_offsets, transaction->connector, entries, count);
    offset_store_note(transaction->worker_offsets, transaction->connector, entries, count);
    source_transaction_committed_add(transaction, entries, count);
    return SOURCE_TRANSACTION_DONE;
}

source_transaction_outcome source_transaction_commit(source_transaction *transaction,
                                                     const ferry_source_offset *entries,
                                                     size_t count, int timeout_ms, char *why,
                                                     size_t whylen)
{
    bool nothing;
    source_transaction_outcome prepared = source_transaction_commit_prepare(
        transaction, entries, count, timeout_ms, &nothing, why, whylen);
    if (prepared != SOURCE_TRANSACTION_DONE || nothing)
        return prepared;
    rd_kafka_error_t *error = source_transaction_commit_call(transaction, timeout_ms);
    return source_transaction_commit_conclude(transaction, error, entries, count, timeout_ms, why,
                                              whylen);
}

/* ---- the background commit ------------------------------------------------------------------ */

/* The committer: one commit_transaction call per request. Its flush serves delivery reports
 * (the producer's callback is safe on any thread: source_transaction_refused) and sends what
 * waits for linger.ms at once. */
static void *source_committer_main(void *argument)
{
    source_transaction *transaction = argument;
    pthread_mutex_lock(&transaction->committer_lock);
    for (;;) {
        while (!transaction->commit_requested && !transaction->committer_quit)
            pthread_cond_wait(&transaction->committer_wake, &transaction->committer_lock);
        if (!transaction->commit_requested)
            break;
        transaction->commit_requested = false;
        int timeout_ms = transaction->commit_timeout_ms;
        pthread_mutex_unlock(&transaction->committer_lock);
        rd_kafka_error_t *error = source_transaction_commit_call(transaction, timeout_ms);
        pthread_mutex_lock(&transaction->committer_lock);
        transaction->commit_error = error;
        atomic_store_explicit(&transaction->commit_ended, true, memory_order_release);
        pthread_cond_signal(&transaction->committer_ended);
    }
    pthread_mutex_unlock(&transaction->committer_lock);
    return NULL;
}

/* Ends the committer after the commit it runs, if any (the task finishes that one later or
 * never: the transaction is then aborted or left to the next owner's fencing). */
static void source_committer_stop(source_transaction *transaction)
{
    if (!transaction->committer_started)
        return;
    pthread_mutex_lock(&transaction->committer_lock);
    transaction->committer_quit = true;
    pthread_cond_signal(&transaction->committer_wake);
    pthread_mutex_unlock(&transaction->committer_lock);
    pthread_join(transaction->committer, NULL);
    transaction->committer_started = false;
    if (transaction->commit_error) {
        rd_kafka_error_destroy(transaction->commit_error);
        transaction->commit_error = NULL;
    }
}

void source_transaction_commit_start(source_transaction *transaction,
                                     const ferry_source_offset *entries, size_t count,
                                     int timeout_ms)
{
    bool nothing;
    transaction->committing = true;
    transaction->commit_decided = false;
    atomic_store_explicit(&transaction->commit_ended, false, memory_order_relaxed);
    transaction->commit_outcome = source_transaction_commit_prepare(
        transaction, entries, count, timeout_ms, &nothing, transaction->commit_why,
        sizeof(transaction->commit_why));
    if (transaction->commit_outcome == SOURCE_TRANSACTION_DONE && !nothing &&
        !transaction->committer_started) {
        transaction->committer_started =
            pthread_create(&transaction->committer, NULL, source_committer_main, transaction) ==
            0;
        if (!transaction->committer_started)
            log_warn(transaction->scope, "cannot start a thread to commit in the background; "
                     "committing on the task's thread");
    }
    if (transaction->commit_outcome != SOURCE_TRANSACTION_DONE || nothing ||
        !transaction->committer_started) {
        /* Decided now, or committed now: _commit_finish has it at once. */
        transaction->commit_decided = transaction->commit_outcome != SOURCE_TRANSACTION_DONE ||
                                      nothing;
        atomic_store_explicit(&transaction->commit_ended, true, memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&transaction->committer_lock);
    transaction->commit_requested = true;
    transaction->commit_timeout_ms = timeout_ms;
    pthread_cond_signal(&transaction->committer_wake);
    pthread_mutex_unlock(&transaction->committer_lock);
}

bool source_transaction_commit_ended(const source_transaction *transaction)
{
    return atomic_load_explicit(&transaction->commit_ended, memory_order_acquire);
}

source_transaction_outcome source_transaction_commit_finish(source_transaction *transaction,
                                                            const ferry_source_offset *entries,
                                                            size_t count, int timeout_ms,
                                                            char *why, size_t whylen)
{
    if (!transaction->committing)
        return SOURCE_TRANSACTION_DONE;
    transaction->committing = false;
    if (transaction->commit_decided) {
        snprintf(why, whylen, "%s", transaction->commit_why);
        return transaction->commit_outcome;
    }
    rd_kafka_error_t *error;
    if (transaction->committer_started) {
        pthread_mutex_lock(&transaction->committer_lock);
        while (!atomic_load_explicit(&transaction->commit_ended, memory_order_acquire))
            pthread_cond_wait(&transaction->committer_ended, &transaction->committer_lock);
        error = transaction->commit_error;
        transaction->commit_error = NULL;
        pthread_mutex_unlock(&transaction->committer_lock);
    } else {
        error = source_transaction_commit_call(transaction, timeout_ms);
    }
    return source_transaction_commit_conclude(transaction, error, entries, count, timeout_ms, why,
                                              whylen);
}

bool source_transaction_committing(const source_transaction *transaction)
{
    return transaction->committing;
}

source_transaction_outcome source_transaction_abort(source_transaction *transaction,
                                                    int timeout_ms, char *why, size_t whylen)
{
    if (!transaction->open)
        return SOURCE_TRANSACTION_DONE;
    rd_kafka_error_t *error;
    for (int attempt = 0;; attempt++) {
        error = rd_kafka_abort_transaction(transaction->producer, timeout_ms);
        if (!error || !rd_kafka_error_is_retriable(error) || attempt >= 2)
            break;
        rd_kafka_error_destroy(error);
    }
    if (!error) {
        transaction->open = false;
        return SOURCE_TRANSACTION_DONE;
    }
    source_transaction_outcome outcome =
        source_transaction_classify(transaction, error, why, whylen);
    rd_kafka_error_destroy(error);
    return outcome == SOURCE_TRANSACTION_FENCED ? outcome : SOURCE_TRANSACTION_FAILED;
}

size_t source_transaction_committed_take(source_transaction *transaction,
                                         ferry_source_offset **entries)
{
    size_t count = transaction->committed_count;
    *entries = count ? transaction->committed : NULL;
    if (!count)
        return 0;
    transaction->committed = NULL;
    transaction->committed_count = transaction->committed_capacity = 0;
    return count;
}

bool source_transaction_owns(const source_transaction *transaction,
                             const rd_kafka_message_t *message)
{
    return message->_private == (void *)transaction;
}

/* One transactional.id fenced: a producer with that id initialises transactions (librdkafka has
 * no FenceProducers), which bumps the id's epoch and aborts what an older producer left open. */
static int source_transaction_fence_one(const worker_config *worker, const char *id,
                                        char *err, size_t errlen)
{
    char name[700];
    snprintf(name, sizeof(name), "fencing %s", id);
    kafka_client_spec spec = {.scope = "herder", .name = name, .role = KAFKA_CLIENT_PRODUCER,
                              .worker = worker};
    rd_kafka_conf_t *conf = kafka_client_config(worker, KAFKA_CLIENT_PRODUCER, NULL, id, &spec,
                                                err, errlen);
    if (!conf)
        return -1;
    if (source_transaction_configure(conf, id, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    char why[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!producer) {
        rd_kafka_conf_destroy(conf);
        ferry_error_set(err, errlen, "cannot create the producer fencing %s: %s", id, why);
        return -1;
    }
    int rc = 0;
    rd_kafka_error_t *error =
        rd_kafka_init_transactions(producer, SOURCE_TRANSACTION_OPEN_TIMEOUT_MS);
    if (error) {
        ferry_error_set(err, errlen, "cannot fence transactional.id %s: %s", id,
                        rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        rc = -1;
    }
    rd_kafka_destroy(producer);
    return rc;
}

int source_transaction_fence(const worker_config *worker, const char *connector, int task_count,
                             char *err, size_t errlen)
{
    for (int task = 0; task < task_count; task++) {
        char id[600];
        if (source_transaction_id(worker, false, connector, task, id, sizeof(id), err,
                                  errlen) != 0 ||
            source_transaction_fence_one(worker, id, err, errlen) != 0)
            return -1;
    }
    return 0;
}
