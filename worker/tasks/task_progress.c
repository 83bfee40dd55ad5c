/*
 * task_progress.c - the items of a task's long work, their rates and ETAs (task_progress.h).
 */
#include "tasks/task_progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void task_progress_init(task_progress *progress)
{
    memset(progress, 0, sizeof(*progress));
    rate_window_init(&progress->done_rate, TASK_PROGRESS_RATE_SPACING_US);
}

static bool progress_finished(ferry_progress_state state)
{
    return state == FERRY_PROGRESS_DONE || state == FERRY_PROGRESS_CAUGHT_UP ||
           state == FERRY_PROGRESS_ABORTED;
}

static task_progress_item *progress_find(task_progress *progress, const char *name)
{
    for (int i = 0; i < progress->count; i++)
        if (strcmp(progress->items[i].name, name) == 0)
            return &progress->items[i];
    return NULL;
}

static void progress_remove(task_progress *progress, int index)
{
    memmove(&progress->items[index], &progress->items[index + 1],
            (size_t)(progress->count - index - 1) * sizeof(progress->items[0]));
    progress->count--;
}

/* Room for one more item: the oldest item read to its end leaves the list, its units stay in
 * the totals. false when every listed item is still at work. */
static bool progress_make_room(task_progress *progress)
{
    if (progress->count < TASK_PROGRESS_MAX_ITEMS)
        return true;
    int oldest = -1;
    for (int i = 0; i < progress->count; i++)
        if (progress->items[i].state == FERRY_PROGRESS_DONE &&
            (oldest < 0 || progress->items[i].finished_us < progress->items[oldest].finished_us))
            oldest = i;
    if (oldest < 0)
        return false;
    progress->folded_items++;
    progress->folded_done += progress->items[oldest].done;
    progress_remove(progress, oldest);
    return true;
}

static task_progress_item *progress_add(task_progress *progress, const ferry_progress *report)
{
    if (!progress_make_room(progress)) {
        progress->dropped_items++;
        return NULL;
    }
    task_progress_item *item = &progress->items[progress->count++];
    memset(item, 0, sizeof(*item));
    snprintf(item->name, sizeof(item->name), "%s", report->item);
    rate_window_init(&item->done_rate, TASK_PROGRESS_RATE_SPACING_US);
    rate_window_init(&item->records_rate, TASK_PROGRESS_RATE_SPACING_US);
    return item;
}

static int64_t progress_done_sum(const task_progress *progress)
{
    int64_t sum = progress->folded_done;
    for (int i = 0; i < progress->count; i++)
        sum += progress->items[i].done;
    return sum;
}

void task_progress_report(task_progress *progress, const ferry_progress *report, uint64_t now_us)
{
    if (!report->item || !report->phase)
        return;
    task_progress_item *item = progress_find(progress, report->item);
    if (report->state == FERRY_PROGRESS_FORGET) {
        if (item)
            progress_remove(progress, (int)(item - progress->items));
        return;
    }
    if (!item && !(item = progress_add(progress, report)))
        return;
    if (!progress->started) {
        progress->started = true;
        progress->started_us = now_us;
        rate_window_init(&progress->done_rate, TASK_PROGRESS_RATE_SPACING_US);
    }
    if (report->items_total > 0)
        progress->items_total = report->items_total;
    snprintf(item->phase, sizeof(item->phase), "%s", report->phase);
    snprintf(item->unit, sizeof(item->unit), "%s", report->unit ? report->unit : "");
    bool running = report->state == FERRY_PROGRESS_RUNNING;
    if (running && !item->started) {
        item->started = true;
        item->started_us = now_us;
    }
    if (progress_finished(report->state) && !progress_finished(item->state))
        item->finished_us = now_us;
    if (!progress_finished(report->state))
        item->finished_us = 0; /* a caught-up file that grew is behind again */
    item->state = report->state;
    item->done = report->done < 0 ? 0 : report->done;
    item->records = report->records;
    /* At its end an item's count is exact: 100% of what was there, whatever the estimate. */
    item->total = report->state == FERRY_PROGRESS_DONE ? item->done : report->total;
    if (running || report->state == FERRY_PROGRESS_CAUGHT_UP) {
        rate_window_add(&item->done_rate, now_us, (double)item->done);
        if (item->records >= 0)
            rate_window_add(&item->records_rate, now_us, (double)item->records);
    }
    rate_window_add(&progress->done_rate, now_us, (double)progress_done_sum(progress));
}

double task_progress_item_percent(const task_progress_item *item)
{
    if (item->state == FERRY_PROGRESS_DONE || item->state == FERRY_PROGRESS_CAUGHT_UP)
        return 100.0;
    if (item->total <= 0)
        return item->total == 0 && item->state == FERRY_PROGRESS_PENDING ? 0.0 : -1.0;
    double percent = 100.0 * (double)item->done / (double)item->total;
    /* An estimate can be short of the truth: never claim the end before it is there. */
    return percent > 99.9 ? 99.9 : percent;
}

double task_progress_item_rate(const task_progress_item *item)
{
    double rate;
    if (item->state == FERRY_PROGRESS_RUNNING)
        return rate_window_rate(&item->done_rate, &rate) && rate >= 0 ? rate : -1.0;
    if (progress_finished(item->state) && item->started && item->finished_us > item->started_us)
        return (double)item->done * 1e6 / (double)(item->finished_us - item->started_us);
    return -1.0;
}

static double progress_records_rate(const task_progress_item *item)
{
    double rate;
    if (item->records < 0)
        return task_progress_item_rate(item);
    if (item->state != FERRY_PROGRESS_RUNNING)
        return -1.0;
    return rate_window_rate(&item->records_rate, &rate) && rate >= 0 ? rate : -1.0;
}

static double progress_eta(int64_t done, int64_t total, double rate)
{
    if (total < 0 || done >= total || rate <= 0)
        return -1.0;
    return ceil((double)(total - done) / rate);
}

double task_progress_item_eta(const task_progress_item *item)
{
    if (item->state != FERRY_PROGRESS_RUNNING)
        return -1.0;
    return progress_eta(item->done, item->total, task_progress_item_rate(item));
}

void task_progress_summarize(const task_progress *progress, uint64_t now_us,
                             task_progress_summary *summary)
{
    memset(summary, 0, sizeof(*summary));
    summary->done = progress->folded_done;
    summary->total = progress->dropped_items ? -1 : progress->folded_done;
    summary->items_done = progress->folded_items;
    summary->records_rate = -1.0;
    uint64_t last_finished = 0;
    bool records_rate_known = false;
    for (int i = 0; i < progress->count; i++) {
        const task_progress_item *item = &progress->items[i];
        summary->done += item->done;
        bool finished = progress_finished(item->state);
        if (item->state == FERRY_PROGRESS_DONE || item->state == FERRY_PROGRESS_CAUGHT_UP)
            summary->items_done++;
        if (item->state == FERRY_PROGRESS_ABORTED)
            summary->aborted = true;
        if (!finished)
            summary->running = true;
        int64_t item_total = finished ? item->done : item->total;
        if (summary->total >= 0)
            summary->total = item_total >= 0 ? summary->total + item_total : -1;
        if (item->state == FERRY_PROGRESS_RUNNING && !summary->current) {
            summary->current = item->name;
            summary->phase = item->phase;
            summary->unit = item->unit;
        }
        double records_rate = item->state == FERRY_PROGRESS_RUNNING
                                  ? progress_records_rate(item) : -1.0;
        if (records_rate >= 0) {
            summary->records_rate =
                (records_rate_known ? summary->records_rate : 0) + records_rate;
            records_rate_known = true;
        }
        if (item->finished_us > last_finished)
            last_finished = item->finished_us;
    }
    if (!summary->phase && progress->count > 0) {
        summary->phase = progress->items[progress->count - 1].phase;
        summary->unit = progress->items[progress->count - 1].unit;
    }
    int64_t listed = progress->count + progress->folded_items + progress->dropped_items;
    summary->items_total = progress->items_total > listed ? progress->items_total : listed;
    summary->items_remaining = summary->items_total - summary->items_done;
    /* Items the plugin counts but has not reported yet have no estimate. */
    if (progress->items_total > listed)
        summary->total = -1;
    summary->completed = listed > 0 && !summary->running && !summary->aborted &&
                         summary->items_remaining == 0;
    if (summary->completed && summary->total < summary->done)
        summary->total = summary->done;
    summary->percent = summary->completed ? 100.0
                       : summary->total > 0
                           ? fmin(99.9, 100.0 * (double)summary->done / (double)summary->total)
                           : -1.0;
    summary->rate = -1.0;
    summary->eta_seconds = -1.0;
    double rate;
    if (summary->running && rate_window_rate(&progress->done_rate, &rate) && rate >= 0) {
        summary->rate = rate;
        summary->eta_seconds = progress_eta(summary->done, summary->total, rate);
    }
    uint64_t end = summary->running || !last_finished ? now_us : last_finished;
    summary->elapsed_seconds =
        progress->started && end > progress->started_us
            ? (double)(end - progress->started_us) / 1e6 : 0.0;
}

const char *task_progress_state_name(ferry_progress_state state)
{
    switch (state) {
    case FERRY_PROGRESS_PENDING: return "pending";
    case FERRY_PROGRESS_RUNNING: return "running";
    case FERRY_PROGRESS_DONE: return "done";
    case FERRY_PROGRESS_CAUGHT_UP: return "caught-up";
    case FERRY_PROGRESS_ABORTED: return "aborted";
    case FERRY_PROGRESS_FORGET: break;
    }
    return "unknown";
}

/* Sets key to a number rounded to a tenth, or leaves it out when negative (unknown). */
static void progress_set_known(json_t *object, const char *key, double value)
{
    if (value >= 0)
        json_object_set_new(object, key, json_real(round(value * 10.0) / 10.0));
}

static json_t *progress_item_json(const task_progress_item *item)
{
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", item->name, "phase",
                              item->phase, "state", task_progress_state_name(item->state),
                              "unit", item->unit, "done", (json_int_t)item->done);
    if (!entry)
        return NULL;
    if (item->total >= 0)
        json_object_set_new(entry, "total", json_integer(item->total));
    progress_set_known(entry, "percent", task_progress_item_percent(item));
    progress_set_known(entry, "rate", task_progress_item_rate(item));
    double eta = task_progress_item_eta(item);
    if (eta >= 0)
        json_object_set_new(entry, "eta_seconds", json_integer((json_int_t)eta));
    if (item->records >= 0) {
        json_object_set_new(entry, "records", json_integer(item->records));
        progress_set_known(entry, "records_per_second", progress_records_rate(item));
    }
    return entry;
}

static const char *progress_overall_state(const task_progress_summary *summary,
                                          const task_progress *progress)
{
    if (summary->aborted)
        return "aborted";
    if (summary->running || !summary->completed)
        return "running";
    for (int i = 0; i < progress->count; i++)
        if (progress->items[i].state == FERRY_PROGRESS_CAUGHT_UP)
            return "caught-up";
    return "completed";
}

json_t *task_progress_json(const task_progress *progress, uint64_t now_us)
{
    if (progress->count == 0 && progress->folded_items == 0)
        return NULL;
    task_progress_summary summary;
    task_progress_summarize(progress, now_us, &summary);
    json_t *work = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "phase",
                             summary.phase ? summary.phase : "", "state",
                             progress_overall_state(&summary, progress), "unit",
                             summary.unit ? summary.unit : "", "done", (json_int_t)summary.done,
                             "items_total", (json_int_t)summary.items_total, "items_done",
                             (json_int_t)summary.items_done, "items_remaining",
                             (json_int_t)summary.items_remaining);
    json_t *items = json_array();
    if (!work || !items) {
        json_decref(work);
        json_decref(items);
        return NULL;
    }
    if (summary.total >= 0)
        json_object_set_new(work, "total", json_integer(summary.total));
    progress_set_known(work, "percent", summary.percent);
    progress_set_known(work, "rate", summary.rate);
    progress_set_known(work, "records_per_second", summary.records_rate);
    if (summary.eta_seconds >= 0)
        json_object_set_new(work, "eta_seconds", json_integer((json_int_t)summary.eta_seconds));
    progress_set_known(work, "elapsed_seconds", summary.elapsed_seconds);
    if (summary.current)
        json_object_set_new(work, "current", json_string(summary.current));
    for (int i = 0; i < progress->count; i++)
        json_array_append_new(items, progress_item_json(&progress->items[i]));
    json_object_set_new(work, "items", items);
    return work;
}
