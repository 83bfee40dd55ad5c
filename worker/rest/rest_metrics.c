/*
 * rest_metrics.c - GET /metrics in Prometheus' text format (0.0.4). The control thread copies
 * every task's counters (task_metrics.h: atomics, read without a lock) and states into plain
 * samples; this thread formats them, family by family as the format wants.
 *
 * Names follow Kafka Connect's task metrics where one exists (source-record-poll-total becomes
 * ferry_source_task_records_polled_total); latencies are in seconds, sizes in records.
 *
 * Next to them, the names the Prometheus JMX exporter gives Kafka Connect's MBeans with the rule
 * file of confluentinc/jmx-monitoring-stacks (tests/fixtures/metrics/): kafka_connect_*_metrics_*
 * with connector and task labels, in Kafka Connect's units (milliseconds, per-second rates), so
 * that dashboards made for Kafka Connect show ferry's data. docs/metrics.md has the mapping.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rest/rest_resources.h"
#include "support/clock.h"
#include "tasks/task_metrics.h"

#define REST_PROMETHEUS_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct rest_summary_sample {
    uint64_t count, sum, max;
} rest_summary_sample;

typedef struct rest_task_sample {
    char *connector;
    int task;
    bool sink;
    runtime_state state;
    bool has_metrics; /* false while the task waits for a restart */
    uint64_t records_polled, records_written, records_read, records_put;
    uint64_t commit_success, commit_failure, record_errors, records_skipped, dlq_records,
        retries;
    rest_summary_sample poll_batch, poll_latency, put_batch, put_latency, commit_latency;
    task_partition_lag *lag;
    int lag_count;
    task_gauge gauges[TASK_METRICS_MAX_GAUGES];
    int gauge_count;
    task_progress *progress; /* NULL when the plugin reported no long work */
    char *server;            /* Debezium's server label: topic.prefix (database.server.name) */
} rest_task_sample;

typedef struct rest_connector_sample {
    char *name;
    const char *type;
    char *class_name;      /* connector.class as configured */
    const char *version;   /* the plugin's, borrowed (plugins are never unloaded) */
    runtime_state state;
} rest_connector_sample;

typedef struct rest_metrics_snapshot {
    rest_connector_sample *connectors;
    size_t connector_count;
    rest_task_sample *tasks;
    size_t task_count;
    bool failed;
} rest_metrics_snapshot;

static const runtime_state rest_states[] = {STATE_UNASSIGNED, STATE_RUNNING, STATE_PAUSED,
                                            STATE_STOPPED, STATE_FAILED, STATE_RESTARTING};
#define REST_STATE_COUNT (sizeof(rest_states) / sizeof(rest_states[0]))

static runtime_state rest_state_parse(const char *text)
{
    for (size_t i = 0; text && i < REST_STATE_COUNT; i++)
        if (strcmp(runtime_state_name(rest_states[i]), text) == 0)
            return rest_states[i];
    return STATE_UNASSIGNED;
}

#define LOAD(field) atomic_load_explicit(&metrics->field, memory_order_relaxed)

static void rest_summary_copy(const metric_summary *summary, rest_summary_sample *out)
{
    out->count = atomic_load_explicit(&summary->count, memory_order_relaxed);
    out->sum = atomic_load_explicit(&summary->sum, memory_order_relaxed);
    out->max = atomic_load_explicit(&summary->max, memory_order_relaxed);
}

static void rest_task_copy(task_metrics *metrics, rest_task_sample *sample)
{
    sample->has_metrics = true;
    sample->records_polled = LOAD(records_polled);
    sample->records_written = LOAD(records_written);
    sample->records_read = LOAD(records_read);
    sample->records_put = LOAD(records_put);
    sample->commit_success = LOAD(offset_commit_success);
    sample->commit_failure = LOAD(offset_commit_failure);
    sample->record_errors = LOAD(record_errors);
    sample->records_skipped = LOAD(records_skipped);
    sample->dlq_records = LOAD(dlq_records);
    sample->retries = LOAD(retries);
    rest_summary_copy(&metrics->poll_batch_records, &sample->poll_batch);
    rest_summary_copy(&metrics->poll_latency_us, &sample->poll_latency);
    rest_summary_copy(&metrics->put_batch_records, &sample->put_batch);
    rest_summary_copy(&metrics->put_latency_us, &sample->put_latency);
    rest_summary_copy(&metrics->offset_commit_latency_us, &sample->commit_latency);
    task_partition_lag lag[TASK_METRICS_MAX_LAG_PARTITIONS];
    int count = task_metrics_lag_copy(metrics, lag, TASK_METRICS_MAX_LAG_PARTITIONS);
    if (count > 0 && (sample->lag = malloc((size_t)count * sizeof(*lag)))) {
        memcpy(sample->lag, lag, (size_t)count * sizeof(*lag));
        sample->lag_count = count;
    }
    sample->gauge_count = task_metrics_gauges_copy(metrics, sample->gauges,
                                                   TASK_METRICS_MAX_GAUGES);
    if ((sample->progress = malloc(sizeof(*sample->progress)))) {
        task_metrics_progress_copy(metrics, sample->progress);
        if (sample->progress->count == 0) {
            free(sample->progress);
            sample->progress = NULL;
        }
    }
}

/* The server name Debezium's MBeans carry: topic.prefix, database.server.name before it. */
static char *rest_debezium_server(const config_map *config, const char *connector)
{
    const char *server = config_map_get(config, "topic.prefix");
    if (!server || !server[0])
        server = config_map_get(config, "database.server.name");
    return strdup(server && server[0] ? server : connector);
}

#undef LOAD

static void rest_metrics_run(worker *running, void *argument)
{
    rest_metrics_snapshot *snapshot = argument;
    size_t connectors = worker_connector_count(running);
    size_t tasks = 0;
    for (size_t i = 0; i < connectors; i++)
        tasks += (size_t)connector_runtime_task_count(worker_connector_at(running, i));
    snapshot->connectors = calloc(connectors ? connectors : 1, sizeof(*snapshot->connectors));
    snapshot->tasks = calloc(tasks ? tasks : 1, sizeof(*snapshot->tasks));
    if (!snapshot->connectors || !snapshot->tasks) {
        snapshot->failed = true;
        return;
    }
    for (size_t i = 0; i < connectors; i++) {
        connector_runtime *connector = worker_connector_at(running, i);
        const registered_connector *type =
            worker_connector_type(running, connector_runtime_config(connector));
        bool sink = type && type->type->kind == FERRY_CONNECTOR_SINK;
        json_t *status = connector_runtime_status(connector);
        rest_connector_sample *sample = &snapshot->connectors[snapshot->connector_count++];
        sample->name = strdup(connector_runtime_name(connector));
        sample->type = !type ? "unknown" : sink ? "sink" : "source";
        const char *class_name =
            config_map_get(connector_runtime_config(connector), "connector.class");
        sample->class_name = class_name ? strdup(class_name) : NULL;
        sample->version = type && type->plugin ? type->plugin->version : NULL;
        sample->state = rest_state_parse(json_string_value(
            json_object_get(json_object_get(status, "connector"), "state")));
        json_t *task_states = json_object_get(status, "tasks");
        for (int t = 0; t < connector_runtime_task_count(connector); t++) {
            rest_task_sample *task = &snapshot->tasks[snapshot->task_count++];
            task->connector = strdup(connector_runtime_name(connector));
            task->task = t;
            task->sink = sink;
            task->state = rest_state_parse(json_string_value(
                json_object_get(json_array_get(task_states, (size_t)t), "state")));
            task_metrics *metrics = connector_runtime_task_metrics(connector, t);
            if (metrics)
                rest_task_copy(metrics, task);
            if (task->progress)
                task->server = rest_debezium_server(connector_runtime_config(connector),
                                                    task->connector);
        }
        json_decref(status);
    }
}

static void rest_snapshot_free(rest_metrics_snapshot *snapshot)
{
    for (size_t i = 0; i < snapshot->connector_count; i++) {
        free(snapshot->connectors[i].name);
        free(snapshot->connectors[i].class_name);
    }
    for (size_t i = 0; i < snapshot->task_count; i++) {
        free(snapshot->tasks[i].connector);
        free(snapshot->tasks[i].lag);
        free(snapshot->tasks[i].progress);
        free(snapshot->tasks[i].server);
    }
    free(snapshot->connectors);
    free(snapshot->tasks);
}

/* ---- formatting ------------------------------------------------------------------------- */

/* A label value with Prometheus' escapes. */
static void rest_label(FILE *out, const char *value)
{
    for (const char *c = value ? value : ""; *c; c++) {
        if (*c == '\\')
            fputs("\\\\", out);
        else if (*c == '"')
            fputs("\\\"", out);
        else if (*c == '\n')
            fputs("\\n", out);
        else
            fputc(*c, out);
    }
}

static void rest_family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void rest_task_labels(FILE *out, const rest_task_sample *task)
{
    fputs("{connector=\"", out);
    rest_label(out, task->connector);
    fprintf(out, "\",task=\"%d\"", task->task);
}

/* Which tasks a family applies to. */
typedef enum rest_applies { REST_SOURCE, REST_SINK, REST_BOTH } rest_applies;

static bool rest_applies_to(rest_applies applies, const rest_task_sample *task)
{
    return task->has_metrics &&
           (applies == REST_BOTH || (applies == REST_SINK) == task->sink);
}

static const struct rest_counter {
    const char *name;
    const char *help;
    size_t offset;
    rest_applies applies;
} rest_counters[] = {
    {"ferry_source_task_records_polled_total", "Records the source task's plugin emitted.",
     offsetof(rest_task_sample, records_polled), REST_SOURCE},
    {"ferry_source_task_records_written_total", "Source records acknowledged by Kafka.",
     offsetof(rest_task_sample, records_written), REST_SOURCE},
    {"ferry_sink_task_records_read_total", "Records the sink task consumed from Kafka.",
     offsetof(rest_task_sample, records_read), REST_SINK},
    {"ferry_sink_task_records_put_total", "Records the sink task's plugin accepted in put.",
     offsetof(rest_task_sample, records_put), REST_SINK},
    {"ferry_task_offset_commit_success_total", "Offset commits that succeeded.",
     offsetof(rest_task_sample, commit_success), REST_BOTH},
    {"ferry_task_offset_commit_failure_total", "Offset commits that failed.",
     offsetof(rest_task_sample, commit_failure), REST_BOTH},
    {"ferry_task_record_errors_total", "Records that failed (converter, plugin or producer).",
     offsetof(rest_task_sample, record_errors), REST_BOTH},
    {"ferry_task_records_skipped_total", "Failed records tolerated (errors.tolerance=all).",
     offsetof(rest_task_sample, records_skipped), REST_BOTH},
    {"ferry_task_dlq_records_total", "Records sent to the dead-letter queue.",
     offsetof(rest_task_sample, dlq_records), REST_BOTH},
    {"ferry_task_retries_total", "RETRY answers of the plugin (put, flush, poll).",
     offsetof(rest_task_sample, retries), REST_BOTH},
};

static const struct rest_summary {
    const char *name;
    const char *help;
    size_t offset;
    double scale; /* microseconds to seconds, or 1 */
    rest_applies applies;
} rest_summaries[] = {
    {"ferry_source_task_poll_batch_records", "Records per poll that emitted any.",
     offsetof(rest_task_sample, poll_batch), 1.0, REST_SOURCE},
    {"ferry_source_task_poll_latency_seconds", "Time spent in the plugin's poll.",
     offsetof(rest_task_sample, poll_latency), 1e-6, REST_SOURCE},
    {"ferry_sink_task_put_batch_records", "Records per accepted put.",
     offsetof(rest_task_sample, put_batch), 1.0, REST_SINK},
    {"ferry_sink_task_put_latency_seconds", "Time spent in the plugin's put.",
     offsetof(rest_task_sample, put_latency), 1e-6, REST_SINK},
    {"ferry_task_offset_commit_latency_seconds", "Time an offset commit took.",
     offsetof(rest_task_sample, commit_latency), 1e-6, REST_BOTH},
};

static void rest_worker_metrics(FILE *out, worker *running, const rest_metrics_snapshot *snapshot)
{
    rest_family(out, "ferry_worker_uptime_seconds", "gauge", "Seconds since the worker started.");
    fprintf(out, "ferry_worker_uptime_seconds %.3f\n",
            (double)worker_uptime_ms(running) / 1000.0);
    long pages = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm) {
        if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(statm);
    }
    rest_family(out, "ferry_worker_resident_memory_bytes", "gauge",
                "Resident memory of the worker process.");
    fprintf(out, "ferry_worker_resident_memory_bytes %lld\n",
            (long long)resident * (long long)sysconf(_SC_PAGESIZE));
    rest_family(out, "ferry_worker_connectors", "gauge", "Connectors on this worker.");
    fprintf(out, "ferry_worker_connectors %zu\n", snapshot->connector_count);
    rest_family(out, "ferry_worker_tasks", "gauge", "Tasks on this worker.");
    fprintf(out, "ferry_worker_tasks %zu\n", snapshot->task_count);
}

static void rest_state_metrics(FILE *out, const rest_metrics_snapshot *snapshot)
{
    rest_family(out, "ferry_connector_state", "gauge",
                "1 for the connector's current state, 0 for the others.");
    for (size_t i = 0; i < snapshot->connector_count; i++) {
        const rest_connector_sample *connector = &snapshot->connectors[i];
        for (size_t s = 0; s < REST_STATE_COUNT; s++) {
            fputs("ferry_connector_state{connector=\"", out);
            rest_label(out, connector->name);
            fprintf(out, "\",type=\"%s\",state=\"%s\"} %d\n", connector->type,
                    runtime_state_name(rest_states[s]), connector->state == rest_states[s]);
        }
    }
    rest_family(out, "ferry_task_state", "gauge",
                "1 for the task's current state, 0 for the others.");
    for (size_t i = 0; i < snapshot->task_count; i++) {
        const rest_task_sample *task = &snapshot->tasks[i];
        for (size_t s = 0; s < REST_STATE_COUNT; s++) {
            fputs("ferry_task_state", out);
            rest_task_labels(out, task);
            fprintf(out, ",state=\"%s\"} %d\n", runtime_state_name(rest_states[s]),
                    task->state == rest_states[s]);
        }
    }
}

static void rest_task_metrics(FILE *out, const rest_metrics_snapshot *snapshot)
{
    for (size_t c = 0; c < sizeof(rest_counters) / sizeof(rest_counters[0]); c++) {
        const struct rest_counter *counter = &rest_counters[c];
        rest_family(out, counter->name, "counter", counter->help);
        for (size_t i = 0; i < snapshot->task_count; i++) {
            const rest_task_sample *task = &snapshot->tasks[i];
            if (!rest_applies_to(counter->applies, task))
                continue;
            fputs(counter->name, out);
            rest_task_labels(out, task);
            fprintf(out, "} %llu\n",
                    (unsigned long long)*(const uint64_t *)((const char *)task +
                                                            counter->offset));
        }
    }
    for (size_t s = 0; s < sizeof(rest_summaries) / sizeof(rest_summaries[0]); s++) {
        const struct rest_summary *summary = &rest_summaries[s];
        char max_name[128];
        snprintf(max_name, sizeof(max_name), "%s_max", summary->name);
        rest_family(out, summary->name, "summary", summary->help);
        for (size_t i = 0; i < snapshot->task_count; i++) {
            const rest_task_sample *task = &snapshot->tasks[i];
            if (!rest_applies_to(summary->applies, task))
                continue;
            const rest_summary_sample *value =
                (const rest_summary_sample *)((const char *)task + summary->offset);
            fprintf(out, "%s_sum", summary->name);
            rest_task_labels(out, task);
            fprintf(out, "} %.9g\n", (double)value->sum * summary->scale);
            fprintf(out, "%s_count", summary->name);
            rest_task_labels(out, task);
            fprintf(out, "} %llu\n", (unsigned long long)value->count);
        }
        rest_family(out, max_name, "gauge", "The largest value observed.");
        for (size_t i = 0; i < snapshot->task_count; i++) {
            const rest_task_sample *task = &snapshot->tasks[i];
            if (!rest_applies_to(summary->applies, task))
                continue;
            const rest_summary_sample *value =
                (const rest_summary_sample *)((const char *)task + summary->offset);
            fputs(max_name, out);
            rest_task_labels(out, task);
            fprintf(out, "} %.9g\n", (double)value->max * summary->scale);
        }
    }
    rest_family(out, "ferry_sink_task_partition_lag", "gauge",
                "Records between a sink partition's high watermark and the next offset read.");
    for (size_t i = 0; i < snapshot->task_count; i++) {
        const rest_task_sample *task = &snapshot->tasks[i];
        for (int l = 0; l < task->lag_count; l++) {
            fputs("ferry_sink_task_partition_lag", out);
            rest_task_labels(out, task);
            fputs(",topic=\"", out);
            rest_label(out, task->lag[l].topic);
            fprintf(out, "\",partition=\"%d\"} %lld\n", (int)task->lag[l].partition,
                    (long long)task->lag[l].lag);
        }
    }
    rest_family(out, "ferry_task_plugin_gauge", "gauge",
                "Gauges a plugin publishes (replication slot lag, say), by name.");
    for (size_t i = 0; i < snapshot->task_count; i++) {
        const rest_task_sample *task = &snapshot->tasks[i];
        for (int g = 0; g < task->gauge_count; g++) {
            fputs("ferry_task_plugin_gauge", out);
            rest_task_labels(out, task);
            fputs(",name=\"", out);
            rest_label(out, task->gauges[g].name);
            fprintf(out, "\"} %.17g\n", task->gauges[g].value);
        }
    }
}

/* One family of the per-item progress: value(item) for each item, when known (>= 0). */
static void rest_progress_item_family(FILE *out, const rest_metrics_snapshot *snapshot,
                                      const char *name, const char *help,
                                      double (*value)(const task_progress_item *item))
{
    rest_family(out, name, "gauge", help);
    for (size_t i = 0; i < snapshot->task_count; i++) {
        const rest_task_sample *task = &snapshot->tasks[i];
        for (int n = 0; task->progress && n < task->progress->count; n++) {
            const task_progress_item *item = &task->progress->items[n];
            double number = value(item);
            if (number < 0)
                continue;
            fputs(name, out);
            rest_task_labels(out, task);
            fputs(",phase=\"", out);
            rest_label(out, item->phase);
            fputs("\",item=\"", out);
            rest_label(out, item->name);
            fputs("\",unit=\"", out);
            rest_label(out, item->unit);
            fprintf(out, "\"} %.17g\n", number);
        }
    }
}

static double rest_item_done(const task_progress_item *item)
{
    return (double)item->done;
}

static double rest_item_total(const task_progress_item *item)
{
    return item->state == FERRY_PROGRESS_CAUGHT_UP ? (double)item->done : (double)item->total;
}

/* The long work of tasks (host->progress_report) and the trend of sink lag. */
static void rest_progress_metrics(FILE *out, const rest_metrics_snapshot *snapshot)
{
    rest_progress_item_family(out, snapshot, "ferry_task_progress_done",
                              "Units read of an item of long work (rows of a snapshot's table, "
                              "bytes of a backfilled file).", rest_item_done);
    rest_progress_item_family(out, snapshot, "ferry_task_progress_total",
                              "Units of the item in all (an estimate while it is read).",
                              rest_item_total);
    rest_progress_item_family(out, snapshot, "ferry_task_progress_rate",
                              "Units per second over the last seconds.", task_progress_item_rate);
    rest_progress_item_family(out, snapshot, "ferry_task_progress_eta_seconds",
                              "Seconds until the item is read, at its rate.",
                              task_progress_item_eta);
    static const struct {
        const char *name, *help;
        size_t offset;
    } whole[] = {
        {"ferry_task_progress_ratio", "The task's long work done, 0 to 1.",
         offsetof(task_progress_summary, percent)},
        {"ferry_task_progress_work_eta_seconds", "Seconds until the task's long work is done.",
         offsetof(task_progress_summary, eta_seconds)},
    };
    uint64_t now_us = clock_monotonic_us();
    for (size_t w = 0; w < sizeof(whole) / sizeof(whole[0]); w++) {
        rest_family(out, whole[w].name, "gauge", whole[w].help);
        for (size_t i = 0; i < snapshot->task_count; i++) {
            const rest_task_sample *task = &snapshot->tasks[i];
            if (!task->progress)
                continue;
            task_progress_summary summary;
            task_progress_summarize(task->progress, now_us, &summary);
            double value = *(const double *)((const char *)&summary + whole[w].offset);
            if (value < 0)
                continue;
            fputs(whole[w].name, out);
            rest_task_labels(out, task);
            fputs(",phase=\"", out);
            rest_label(out, summary.phase ? summary.phase : "");
            fprintf(out, "\"} %.17g\n", w == 0 ? value / 100.0 : value);
        }
    }
    rest_family(out, "ferry_sink_task_partition_lag_change_per_second", "gauge",
                "How fast a sink partition's lag changes over the last minute (< 0: falling).");
    for (size_t i = 0; i < snapshot->task_count; i++) {
        const rest_task_sample *task = &snapshot->tasks[i];
        for (int l = 0; l < task->lag_count; l++) {
            if (!task->lag[l].trend_known)
                continue;
            fputs("ferry_sink_task_partition_lag_change_per_second", out);
            rest_task_labels(out, task);
            fputs(",topic=\"", out);
            rest_label(out, task->lag[l].topic);
            fprintf(out, "\",partition=\"%d\"} %.17g\n", (int)task->lag[l].partition,
                    task->lag[l].change_per_second);
        }
    }
}

/* Debezium's snapshot MBean (debezium.postgres:type=connector-metrics,context=snapshot,
 * server=<topic.prefix>) as the Prometheus JMX exporter rules of Debezium's monitoring example
 * name it: debezium_metrics_<Attribute>{plugin,name,context}, RowsScanned with a table label.
 * Only for tasks whose long work is a snapshot. */
static void rest_debezium_metrics(FILE *out, const rest_metrics_snapshot *snapshot)
{
    static const char *const names[] = {
        "TotalTableCount",   "RemainingTableCount", "SnapshotRunning",
        "SnapshotPaused",    "SnapshotCompleted",   "SnapshotAborted",
        "SnapshotDurationInSeconds",
    };
    uint64_t now_us = clock_monotonic_us();
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        bool family = false;
        for (size_t i = 0; i < snapshot->task_count; i++) {
            const rest_task_sample *task = &snapshot->tasks[i];
            if (!task->progress || strcmp(task->progress->items[0].phase, "snapshot") != 0)
                continue;
            task_progress_summary summary;
            task_progress_summarize(task->progress, now_us, &summary);
            double values[] = {(double)summary.items_total, (double)summary.items_remaining,
                               summary.running && !summary.aborted, 0, summary.completed,
                               summary.aborted, floor(summary.elapsed_seconds)};
            if (!family) {
                fprintf(out, "# HELP debezium_metrics_%s Debezium's snapshot metric %s.\n"
                        "# TYPE debezium_metrics_%s gauge\n", names[n], names[n], names[n]);
                family = true;
            }
            fprintf(out, "debezium_metrics_%s{plugin=\"postgres\",name=\"", names[n]);
            rest_label(out, task->server);
            fprintf(out, "\",context=\"snapshot\"} %.17g\n", values[n]);
        }
    }
    bool family = false;
    for (size_t i = 0; i < snapshot->task_count; i++) {
        const rest_task_sample *task = &snapshot->tasks[i];
        if (!task->progress || strcmp(task->progress->items[0].phase, "snapshot") != 0)
            continue;
        if (!family) {
            fputs("# HELP debezium_metrics_RowsScanned Debezium's snapshot metric RowsScanned, "
                  "per table.\n# TYPE debezium_metrics_RowsScanned gauge\n", out);
            family = true;
        }
        for (int t = 0; t < task->progress->count; t++) {
            fputs("debezium_metrics_RowsScanned{plugin=\"postgres\",name=\"", out);
            rest_label(out, task->server);
            fputs("\",context=\"snapshot\",table=\"", out);
            rest_label(out, task->progress->items[t].name);
            fprintf(out, "\"} %lld\n", (long long)task->progress->items[t].done);
        }
    }
}

static void rest_metrics_start(rest_request *request, rest_response *response, void *state)
{
    (void)request;
    (void)response;
    (void)state;
}

/* A worker of a cluster: its view of the cluster (herder_cluster_metrics). */
static void rest_cluster_metrics(FILE *out, herder *changes)
{
    json_t *cluster = herder_cluster_metrics(changes);
    if (!cluster)
        return;
    static const struct {
        const char *key, *name, *type, *help;
        double scale;
    } gauges[] = {
        {"leader", "ferry_cluster_leader", "gauge", "1 when this worker is the leader.", 1},
        {"generation", "ferry_cluster_generation", "gauge",
         "How many times this worker joined the group.", 1},
        {"epoch", "ferry_cluster_assignment_epoch", "gauge",
         "The epoch of the assignment this worker runs.", 1},
        {"members", "ferry_cluster_members", "gauge", "Workers in the group.", 1},
        {"rebalances", "ferry_cluster_rebalances_total", "counter",
         "Rebalances this worker took part in.", 1},
        {"rebalancing_ms_total", "ferry_cluster_rebalancing_seconds_total", "counter",
         "Time this worker spent between losing its assignment and running the next one.", 1e-3},
        {"fenced", "ferry_cluster_fenced", "gauge",
         "1 while this worker has lost its membership and runs nothing.", 1},
        {"connectors", "ferry_cluster_assigned_connectors", "gauge",
         "Connector instances assigned to this worker.", 1},
        {"tasks", "ferry_cluster_assigned_tasks", "gauge", "Tasks assigned to this worker.", 1},
    };
    for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
        json_t *value = json_object_get(cluster, gauges[i].key);
        double number = json_is_boolean(value) ? (json_is_true(value) ? 1 : 0)
                                               : json_number_value(value);
        rest_family(out, gauges[i].name, gauges[i].type, gauges[i].help);
        fprintf(out, "%s %g\n", gauges[i].name, number * gauges[i].scale);
    }
    rest_family(out, "ferry_cluster_leader_info", "gauge",
                "The leader this worker knows, by worker id and URL.");
    fprintf(out, "ferry_cluster_leader_info{worker_id=\"");
    rest_label(out, json_string_value(json_object_get(cluster, "worker_id")));
    fprintf(out, "\",leader_id=\"");
    rest_label(out, json_string_value(json_object_get(cluster, "leader_id")));
    fprintf(out, "\",leader_url=\"");
    rest_label(out, json_string_value(json_object_get(cluster, "leader_url")));
    fprintf(out, "\"} 1\n");
    json_decref(cluster);
}

/* ---- Kafka Connect's names (the JMX exporter's) ------------------------------------------ */

/* Values of one task in Kafka Connect's units. rate: per second over the worker's uptime (Kafka
 * Connect's rates are windowed; rate() over ferry's _total counters gives that). */
typedef struct rest_connect_values {
    const rest_task_sample *task;
    double uptime_s;
} rest_connect_values;

static double rest_avg(const rest_summary_sample *summary, double scale)
{
    return summary->count ? (double)summary->sum * scale / (double)summary->count : 0.0;
}

static double rest_rate(const rest_connect_values *values, uint64_t total)
{
    return values->uptime_s > 0 ? (double)total / values->uptime_s : 0.0;
}

static double rest_active(uint64_t in, uint64_t out)
{
    return in > out ? (double)(in - out) : 0.0;
}

typedef double (*rest_connect_value)(const rest_connect_values *values);

#define REST_VALUE(name, expression)                                                          \
    static double rest_value_##name(const rest_connect_values *values)                        \
    {                                                                                         \
        const rest_task_sample *task = values->task;                                          \
        (void)task;                                                                           \
        return (expression);                                                                  \
    }

REST_VALUE(running_ratio, task->state == STATE_RUNNING ? 1.0 : 0.0)
REST_VALUE(pause_ratio, task->state == STATE_PAUSED ? 1.0 : 0.0)
REST_VALUE(commit_success_percentage,
           task->commit_success + task->commit_failure
               ? (double)task->commit_success /
                     (double)(task->commit_success + task->commit_failure)
               : 0.0)
REST_VALUE(commit_failure_percentage,
           task->commit_success + task->commit_failure
               ? (double)task->commit_failure /
                     (double)(task->commit_success + task->commit_failure)
               : 0.0)
REST_VALUE(commit_avg_ms, rest_avg(&task->commit_latency, 1e-3))
REST_VALUE(commit_max_ms, (double)task->commit_latency.max * 1e-3)
REST_VALUE(batch_avg, rest_avg(task->sink ? &task->put_batch : &task->poll_batch, 1.0))
REST_VALUE(batch_max, (double)(task->sink ? task->put_batch.max : task->poll_batch.max))
REST_VALUE(poll_total, (double)task->records_polled)
REST_VALUE(poll_rate, rest_rate(values, task->records_polled))
REST_VALUE(write_total, (double)task->records_written)
REST_VALUE(write_rate, rest_rate(values, task->records_written))
REST_VALUE(poll_avg_ms, rest_avg(&task->poll_latency, 1e-3))
REST_VALUE(poll_max_ms, (double)task->poll_latency.max * 1e-3)
REST_VALUE(source_active, rest_active(task->records_polled, task->records_written))
REST_VALUE(read_total, (double)task->records_read)
REST_VALUE(read_rate, rest_rate(values, task->records_read))
REST_VALUE(send_total, (double)task->records_put)
REST_VALUE(send_rate, rest_rate(values, task->records_put))
REST_VALUE(put_avg_ms, rest_avg(&task->put_latency, 1e-3))
REST_VALUE(put_max_ms, (double)task->put_latency.max * 1e-3)
REST_VALUE(sink_active, rest_active(task->records_read, task->records_put))
REST_VALUE(partition_count, (double)task->lag_count)
REST_VALUE(completion_total, (double)task->commit_success)
REST_VALUE(completion_rate, rest_rate(values, task->commit_success))
REST_VALUE(zero, 0.0)
REST_VALUE(record_errors, (double)task->record_errors)
REST_VALUE(records_skipped, (double)task->records_skipped)
REST_VALUE(retries, (double)task->retries)
REST_VALUE(dlq_records, (double)task->dlq_records)

#undef REST_VALUE

/* Which tasks: REST_BOTH with state_only also covers a task waiting for a restart (no
 * counters), for the ratios the dashboards select connectors by. */
static const struct rest_connect_metric {
    const char *name;
    rest_applies applies;
    bool state_only;
    rest_connect_value value;
} rest_connect_task_metrics[] = {
    {"kafka_connect_connector_task_metrics_running_ratio", REST_BOTH, true,
     rest_value_running_ratio},
    {"kafka_connect_connector_task_metrics_pause_ratio", REST_BOTH, true, rest_value_pause_ratio},
    {"kafka_connect_connector_task_metrics_offset_commit_success_percentage", REST_BOTH, false,
     rest_value_commit_success_percentage},
    {"kafka_connect_connector_task_metrics_offset_commit_failure_percentage", REST_BOTH, false,
     rest_value_commit_failure_percentage},
    {"kafka_connect_connector_task_metrics_offset_commit_avg_time_ms", REST_BOTH, false,
     rest_value_commit_avg_ms},
    {"kafka_connect_connector_task_metrics_offset_commit_max_time_ms", REST_BOTH, false,
     rest_value_commit_max_ms},
    {"kafka_connect_connector_task_metrics_batch_size_avg", REST_BOTH, false, rest_value_batch_avg},
    {"kafka_connect_connector_task_metrics_batch_size_max", REST_BOTH, false, rest_value_batch_max},
    {"kafka_connect_source_task_metrics_source_record_poll_total", REST_SOURCE, false,
     rest_value_poll_total},
    {"kafka_connect_source_task_metrics_source_record_poll_rate", REST_SOURCE, false,
     rest_value_poll_rate},
    {"kafka_connect_source_task_metrics_source_record_write_total", REST_SOURCE, false,
     rest_value_write_total},
    {"kafka_connect_source_task_metrics_source_record_write_rate", REST_SOURCE, false,
     rest_value_write_rate},
    {"kafka_connect_source_task_metrics_poll_batch_avg_time_ms", REST_SOURCE, false,
     rest_value_poll_avg_ms},
    {"kafka_connect_source_task_metrics_poll_batch_max_time_ms", REST_SOURCE, false,
     rest_value_poll_max_ms},
    {"kafka_connect_source_task_metrics_source_record_active_count", REST_SOURCE, false,
     rest_value_source_active},
    {"kafka_connect_source_task_metrics_source_record_active_count_avg", REST_SOURCE, false,
     rest_value_source_active},
    {"kafka_connect_source_task_metrics_source_record_active_count_max", REST_SOURCE, false,
     rest_value_source_active},
    {"kafka_connect_sink_task_metrics_sink_record_read_total", REST_SINK, false,
     rest_value_read_total},
    {"kafka_connect_sink_task_metrics_sink_record_read_rate", REST_SINK, false,
     rest_value_read_rate},
    {"kafka_connect_sink_task_metrics_sink_record_send_total", REST_SINK, false,
     rest_value_send_total},
    {"kafka_connect_sink_task_metrics_sink_record_send_rate", REST_SINK, false,
     rest_value_send_rate},
    {"kafka_connect_sink_task_metrics_put_batch_avg_time_ms", REST_SINK, false,
     rest_value_put_avg_ms},
    {"kafka_connect_sink_task_metrics_put_batch_max_time_ms", REST_SINK, false,
     rest_value_put_max_ms},
    {"kafka_connect_sink_task_metrics_sink_record_active_count", REST_SINK, false,
     rest_value_sink_active},
    {"kafka_connect_sink_task_metrics_sink_record_active_count_avg", REST_SINK, false,
     rest_value_sink_active},
    {"kafka_connect_sink_task_metrics_sink_record_active_count_max", REST_SINK, false,
     rest_value_sink_active},
    {"kafka_connect_sink_task_metrics_partition_count", REST_SINK, false,
     rest_value_partition_count},
    {"kafka_connect_sink_task_metrics_offset_commit_completion_total", REST_SINK, false,
     rest_value_completion_total},
    {"kafka_connect_sink_task_metrics_offset_commit_completion_rate", REST_SINK, false,
     rest_value_completion_rate},
    /* ferry never skips a late commit completion: it waits for each one. */
    {"kafka_connect_sink_task_metrics_offset_commit_skip_total", REST_SINK, false,
     rest_value_zero},
    {"kafka_connect_sink_task_metrics_offset_commit_skip_rate", REST_SINK, false,
     rest_value_zero},
    {"kafka_connect_task_error_metrics_total_record_errors", REST_BOTH, false,
     rest_value_record_errors},
    {"kafka_connect_task_error_metrics_total_record_failures", REST_BOTH, false,
     rest_value_record_errors},
    {"kafka_connect_task_error_metrics_total_records_skipped", REST_BOTH, false,
     rest_value_records_skipped},
    {"kafka_connect_task_error_metrics_total_retries", REST_BOTH, false, rest_value_retries},
    {"kafka_connect_task_error_metrics_deadletterqueue_produce_requests", REST_BOTH, false,
     rest_value_dlq_records},
};

static void rest_connect_task_families(FILE *out, const rest_metrics_snapshot *snapshot,
                                       double uptime_s)
{
    for (size_t m = 0; m < sizeof(rest_connect_task_metrics) /
                               sizeof(rest_connect_task_metrics[0]); m++) {
        const struct rest_connect_metric *metric = &rest_connect_task_metrics[m];
        fprintf(out, "# TYPE %s untyped\n", metric->name);
        for (size_t i = 0; i < snapshot->task_count; i++) {
            const rest_task_sample *task = &snapshot->tasks[i];
            bool applies = metric->state_only
                               ? metric->applies == REST_BOTH ||
                                     (metric->applies == REST_SINK) == task->sink
                               : rest_applies_to(metric->applies, task);
            if (!applies)
                continue;
            rest_connect_values values = {task, uptime_s};
            fputs(metric->name, out);
            rest_task_labels(out, task);
            fprintf(out, "} %.17g\n", metric->value(&values));
        }
    }
}

/* connect-worker-metrics, per connector: its tasks by state. */
static void rest_connect_worker_families(FILE *out, const rest_metrics_snapshot *snapshot)
{
    static const struct {
        const char *suffix;
        int state; /* a runtime_state, -1 for all, -2 for none (ferry has no DESTROYED) */
    } counts[] = {
        {"connector_total_task_count", -1},
        {"connector_running_task_count", STATE_RUNNING},
        {"connector_paused_task_count", STATE_PAUSED},
        {"connector_failed_task_count", STATE_FAILED},
        {"connector_unassigned_task_count", STATE_UNASSIGNED},
        {"connector_restarting_task_count", STATE_RESTARTING},
        {"connector_destroyed_task_count", -2},
    };
    fputs("# TYPE kafka_connect_connect_worker_metrics_connector_count untyped\n", out);
    fprintf(out, "kafka_connect_connect_worker_metrics_connector_count{connector=\"aggregate\"} "
            "%zu\n", snapshot->connector_count);
    fputs("# TYPE kafka_connect_connect_worker_metrics_task_count untyped\n", out);
    fprintf(out, "kafka_connect_connect_worker_metrics_task_count{connector=\"aggregate\"} %zu\n",
            snapshot->task_count);
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
        fprintf(out, "# TYPE kafka_connect_connect_worker_metrics_%s untyped\n",
                counts[c].suffix);
        for (size_t i = 0; i < snapshot->connector_count; i++) {
            const rest_connector_sample *connector = &snapshot->connectors[i];
            size_t count = 0;
            for (size_t t = 0; t < snapshot->task_count; t++) {
                const rest_task_sample *task = &snapshot->tasks[t];
                if (strcmp(task->connector, connector->name) == 0 &&
                    (counts[c].state == -1 || (int)task->state == counts[c].state))
                    count++;
            }
            fprintf(out, "kafka_connect_connect_worker_metrics_%s{connector=\"", counts[c].suffix);
            rest_label(out, connector->name);
            fprintf(out, "\"} %zu\n", count);
        }
    }
}

/* connector-metrics: one sample of value 1 per string attribute, the attribute as a label. */
static void rest_connect_connector_families(FILE *out, const rest_metrics_snapshot *snapshot)
{
    fputs("# TYPE kafka_connect_connector_metrics untyped\n", out);
    for (size_t i = 0; i < snapshot->connector_count; i++) {
        const rest_connector_sample *connector = &snapshot->connectors[i];
        char status[32];
        snprintf(status, sizeof(status), "%s", runtime_state_name(connector->state));
        for (char *c = status; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        const char *attributes[][2] = {{"connector_class", connector->class_name},
                                       {"connector_type", connector->type},
                                       {"connector_version", connector->version},
                                       {"status", status}};
        for (size_t a = 0; a < sizeof(attributes) / sizeof(attributes[0]); a++) {
            fputs("kafka_connect_connector_metrics{connector=\"", out);
            rest_label(out, connector->name);
            fprintf(out, "\",%s=\"", attributes[a][0]);
            rest_label(out, attributes[a][1] ? attributes[a][1] : "unknown");
            fputs("\"} 1\n", out);
        }
    }
}

/* connect-worker-rebalance-metrics, for a worker of a cluster. */
static void rest_connect_rebalance_families(FILE *out, herder *changes)
{
    json_t *cluster = herder_cluster_metrics(changes);
    if (!cluster)
        return;
    double rebalances = json_number_value(json_object_get(cluster, "rebalances"));
    double rebalancing_ms = json_number_value(json_object_get(cluster, "rebalancing_ms_total"));
    const struct {
        const char *name;
        double value;
    } gauges[] = {
        {"completed_rebalances", rebalances},
        {"rebalancing", json_is_true(json_object_get(cluster, "fenced")) ? 1.0 : 0.0},
        {"epoch", json_number_value(json_object_get(cluster, "epoch"))},
        {"rebalance_avg_time_ms", rebalances > 0 ? rebalancing_ms / rebalances : 0.0},
    };
    for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
        fprintf(out, "# TYPE kafka_connect_connect_worker_rebalance_metrics_%s untyped\n"
                "kafka_connect_connect_worker_rebalance_metrics_%s %.17g\n", gauges[i].name,
                gauges[i].name, gauges[i].value);
    }
    json_decref(cluster);
}

/* app-info (the rule's kafka_connect_app_info, and kafka_connect_app, which the dashboard of
 * jmx-monitoring-stacks reads) and the process' CPU time, as the exporter's collector names it. */
static void rest_connect_app_families(FILE *out, worker *running)
{
    long long start_ms = (long long)time(NULL) * 1000 - (long long)worker_uptime_ms(running);
    char start[32];
    snprintf(start, sizeof(start), "%lld", start_ms);
    const char *attributes[][2] = {
        {"version", FERRY_VERSION}, {"commit_id", "ferry-" FERRY_VERSION}, {"start_time_ms", start}};
    static const char *const names[] = {"kafka_connect_app_info", "kafka_connect_app"};
    for (size_t n = 0; n < 2; n++) {
        fprintf(out, "# TYPE %s untyped\n", names[n]);
        for (size_t a = 0; a < sizeof(attributes) / sizeof(attributes[0]); a++)
            fprintf(out, "%s{client_id=\"ferry\",%s=\"%s\"} 1\n", names[n], attributes[a][0],
                    attributes[a][1]);
    }
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_stime.tv_sec +
                     ((double)usage.ru_utime.tv_usec + (double)usage.ru_stime.tv_usec) * 1e-6;
        rest_family(out, "process_cpu_seconds_total", "counter",
                    "User and system CPU time spent in seconds.");
        fprintf(out, "process_cpu_seconds_total %.6f\n", cpu);
    }
}

static void rest_connect_metrics(FILE *out, worker *running, herder *changes,
                                 const rest_metrics_snapshot *snapshot)
{
    rest_connect_app_families(out, running);
    rest_connect_connector_families(out, snapshot);
    rest_connect_worker_families(out, snapshot);
    rest_connect_rebalance_families(out, changes);
    rest_connect_task_families(out, snapshot, (double)worker_uptime_ms(running) / 1000.0);
}

static void rest_metrics_finish(rest_request *request, rest_response *response, void *state)
{
    rest_metrics_snapshot *snapshot = state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = snapshot->failed ? NULL : open_memstream(&text, &len);
    if (!out) {
        rest_snapshot_free(snapshot);
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    rest_worker_metrics(out, request->worker, snapshot);
    rest_cluster_metrics(out, request->herder);
    rest_state_metrics(out, snapshot);
    rest_task_metrics(out, snapshot);
    rest_progress_metrics(out, snapshot);
    rest_debezium_metrics(out, snapshot);
    rest_connect_metrics(out, request->worker, request->herder, snapshot);
    bool failed = ferror(out) != 0;
    fclose(out);
    rest_snapshot_free(snapshot);
    if (failed) {
        free(text);
        rest_reply_error(response, 500, "out of memory");
        return;
    }
    rest_reply_text(response, 200, text, len, REST_PROMETHEUS_TYPE);
}

const rest_async_handler rest_metrics = {
    sizeof(rest_metrics_snapshot), rest_metrics_start, rest_metrics_run, rest_metrics_finish,
};
