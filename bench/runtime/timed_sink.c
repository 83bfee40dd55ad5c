/*
 * timed_sink.c - a ferry plugin for the sink benchmark: TimedNullSink, which is the test plugin's
 * NullSink (tests/plugins/sequence/null_sink.c) with a stopwatch around its put.
 *
 * Its entry dlopens the sequence plugin named by FERRY_BENCH_SEQUENCE_PLUGIN (the path of
 * sequence.so), calls that plugin's entry with ferry's host table and republishes its NullSink
 * under the name TimedNullSink, every callback NullSink's own except put: put notes the wall
 * clock at its first call, passes the batch to NullSink's put, and once FERRY_BENCH_EXPECT
 * records have been put writes "FIRST_NS LAST_NS RECORDS" to FERRY_BENCH_TIMING_FILE (written
 * to a temporary name, then renamed, so that a reader never sees half a line). The cost is one
 * clock_gettime per batch (up to 500 records).
 *
 * One task is expected (tasks.max=1). A benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ferry/plugin.h>

static const ferry_sink_task_callbacks *inner_task;
static ferry_sink_task_callbacks timed_task;
static ferry_connector_type timed_type;
static const ferry_connector_type *timed_types[2];
static ferry_plugin timed_plugin;

static int64_t expected = -1;
static const char *timing_file;
static int64_t put_records;
static int64_t first_ns;
static int written;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void timing_write(int64_t last_ns)
{
    if (!timing_file)
        return;
    char temporary[4096];
    snprintf(temporary, sizeof(temporary), "%s.tmp", timing_file);
    FILE *out = fopen(temporary, "w");
    if (!out)
        return;
    fprintf(out, "%" PRId64 " %" PRId64 " %" PRId64 "\n", first_ns, last_ns, put_records);
    if (fclose(out) == 0)
        rename(temporary, timing_file);
}

static ferry_status timed_put(void *state, const ferry_record *records, size_t count, char *err,
                              size_t errlen)
{
    if (!first_ns && count > 0)
        first_ns = now_ns();
    ferry_status status = inner_task->put(state, records, count, err, errlen);
    if (status == FERRY_OK) {
        put_records += (int64_t)count;
        if (!written && expected >= 0 && put_records >= expected) {
            written = 1;
            timing_write(now_ns());
        }
    }
    return status;
}

FERRY_EXPORT const ferry_plugin *FERRY_PLUGIN_ENTRY(const ferry_host *host)
{
    const char *path = getenv("FERRY_BENCH_SEQUENCE_PLUGIN");
    const char *expect = getenv("FERRY_BENCH_EXPECT");
    timing_file = getenv("FERRY_BENCH_TIMING_FILE");
    if (expect)
        expected = strtoll(expect, NULL, 10);
    if (!path) {
        fprintf(stderr, "timed_sink: FERRY_BENCH_SEQUENCE_PLUGIN is not set\n");
        return NULL;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ferry_plugin_entry_fn entry = handle ? (ferry_plugin_entry_fn)dlsym(handle,
                                                                        FERRY_PLUGIN_ENTRY_SYMBOL)
                                         : NULL;
    const ferry_plugin *inner = entry ? entry(host) : NULL;
    if (!inner) {
        fprintf(stderr, "timed_sink: cannot load %s: %s\n", path, dlerror());
        return NULL;
    }
    for (const ferry_connector_type *const *type = inner->connectors; type && *type; type++) {
        if (strcmp((*type)->name, "NullSink") != 0)
            continue;
        inner_task = (*type)->sink_task;
        timed_task = *inner_task;
        timed_task.put = timed_put;
        timed_type = **type;
        timed_type.name = "TimedNullSink";
        timed_type.aliases = NULL;
        timed_type.description = "NullSink with a stopwatch around put (ferry's benchmarks).";
        timed_type.sink_task = &timed_task;
    }
    if (!inner_task) {
        fprintf(stderr, "timed_sink: %s has no NullSink\n", path);
        return NULL;
    }
    timed_types[0] = &timed_type;
    timed_types[1] = NULL;
    timed_plugin = (ferry_plugin){
        FERRY_PLUGIN_HEADER,
        .name = "bench-timed-sink",
        .version = "1.0.0",
        .connectors = timed_types,
    };
    return &timed_plugin;
}
