/*
 * progress_line.c - the terminal's progress line of `ferry standalone` (progress_line.h).
 *
 * Threads: a thread of its own wakes every 250 ms, asks the control thread (worker_call) for a
 * copy of the first running task's progress, and formats and draws it outside the control
 * thread, through the log's status line so that log lines and the line never mix.
 */
#include "cli/progress_line.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "runtime/connector_runtime.h"
#include "support/clock.h"
#include "support/strbuf.h"
#include "tasks/task_metrics.h"

#define PROGRESS_LINE_INTERVAL_MS 250

struct progress_line {
    worker *worker;
    FILE *stream;
    pthread_t thread;
    atomic_bool stop;
    /* filled by the control thread during a worker_call */
    task_progress progress;
    char task[192];
    bool found;
};

/* "1,234,567" */
static void progress_number(char *out, size_t len, double value)
{
    char digits[32];
    snprintf(digits, sizeof(digits), "%.0f", value < 0 ? 0 : value);
    size_t count = strlen(digits), used = 0;
    for (size_t i = 0; i < count && used + 2 < len; i++) {
        if (i > 0 && (count - i) % 3 == 0)
            out[used++] = ',';
        out[used++] = digits[i];
    }
    out[used] = '\0';
}

/* A count in its unit: bytes as MB with one decimal, anything else as a grouped number. */
static void progress_amount(char *out, size_t len, double value, bool bytes)
{
    if (bytes)
        snprintf(out, len, "%.1f", value / 1e6);
    else
        progress_number(out, len, value);
}

static void progress_duration(char *out, size_t len, double seconds)
{
    long s = (long)seconds;
    if (s < 60)
        snprintf(out, len, "%lds", s);
    else if (s < 3600)
        snprintf(out, len, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(out, len, "%ldh%02ldm", s / 3600, s % 3600 / 60);
}

void progress_line_format(char *out, size_t len, const char *task,
                          const task_progress_summary *summary, size_t width)
{
    bool bytes = summary->unit && strcmp(summary->unit, "bytes") == 0;
    const char *unit = bytes ? "MB" : summary->unit ? summary->unit : "";
    char amount[32], eta[32];
    strbuf line = {0};
    progress_amount(amount, sizeof(amount), (double)summary->done, bytes);
    strbuf_append_printf(&line, "%s %s %s %s", task, summary->phase ? summary->phase : "",
                         summary->current ? summary->current : "", amount);
    if (summary->total >= 0) {
        progress_amount(amount, sizeof(amount), (double)summary->total, bytes);
        strbuf_append_printf(&line, "/%s", amount);
    }
    strbuf_append_printf(&line, " %s", unit);
    if (summary->percent >= 0)
        strbuf_append_printf(&line, " (%d%%)", (int)summary->percent);
    if (summary->rate >= 0) {
        progress_amount(amount, sizeof(amount), summary->rate, bytes);
        strbuf_append_printf(&line, " %s %s/s", amount, unit);
    }
    if (bytes && summary->records_rate >= 0) {
        progress_number(amount, sizeof(amount), summary->records_rate);
        strbuf_append_printf(&line, " %s lines/s", amount);
    }
    if (summary->eta_seconds >= 0) {
        progress_duration(eta, sizeof(eta), summary->eta_seconds);
        strbuf_append_printf(&line, " ETA %s", eta);
    }
    char *text = strbuf_take(&line, NULL);
    snprintf(out, len, "%s", text ? text : task);
    free(text);
    /* A line wider than the terminal wraps, and "\r" would redraw only its last part. */
    if (width > 0 && width < len && strlen(out) >= width)
        out[width - 1] = '\0';
}

/* On the control thread: the first running task with long work under way. */
static void progress_line_collect(worker *running, void *argument)
{
    progress_line *line = argument;
    line->found = false;
    size_t connectors = worker_connector_count(running);
    for (size_t i = 0; i < connectors && !line->found; i++) {
        connector_runtime *connector = worker_connector_at(running, i);
        for (int t = 0; t < connector_runtime_task_count(connector) && !line->found; t++) {
            task_metrics *metrics = connector_runtime_task_metrics(connector, t);
            if (!metrics)
                continue;
            task_metrics_progress_copy(metrics, &line->progress);
            for (int n = 0; n < line->progress.count; n++) {
                ferry_progress_state state = line->progress.items[n].state;
                if (state == FERRY_PROGRESS_RUNNING || state == FERRY_PROGRESS_PENDING)
                    line->found = true;
            }
            if (line->found)
                snprintf(line->task, sizeof(line->task), "%s-%d",
                         connector_runtime_name(connector), t);
        }
    }
}

static size_t progress_line_width(FILE *stream)
{
    struct winsize size;
    if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

static void *progress_line_main(void *argument)
{
    progress_line *line = argument;
    bool shown = false;
    while (!atomic_load(&line->stop)) {
        struct timespec pause = {0, PROGRESS_LINE_INTERVAL_MS * 1000000L};
        nanosleep(&pause, NULL);
        if (atomic_load(&line->stop))
            break;
        if (worker_call_timeout(line->worker, progress_line_collect, line,
                                PROGRESS_LINE_INTERVAL_MS) != 0)
            continue;
        if (!line->found) {
            if (shown)
                log_status_line_set(NULL, NULL);
            shown = false;
            continue;
        }
        task_progress_summary summary;
        task_progress_summarize(&line->progress, clock_monotonic_us(), &summary);
        char text[512];
        progress_line_format(text, sizeof(text), line->task, &summary,
                             progress_line_width(line->stream));
        log_status_line_set(line->stream, text);
        shown = true;
    }
    log_status_line_set(NULL, NULL);
    return NULL;
}

progress_line *progress_line_start(worker *running, FILE *stream)
{
    progress_line *line = calloc(1, sizeof(*line));
    if (!line) {
        log_warn("worker", "no progress line: out of memory");
        return NULL;
    }
    line->worker = running;
    line->stream = stream;
    atomic_init(&line->stop, false);
    if (pthread_create(&line->thread, NULL, progress_line_main, line) != 0) {
        log_warn("worker", "no progress line: cannot start its thread");
        free(line);
        return NULL;
    }
    return line;
}

void progress_line_stop(progress_line *line)
{
    if (!line)
        return;
    atomic_store(&line->stop, true);
    pthread_join(line->thread, NULL);
    free(line);
}
