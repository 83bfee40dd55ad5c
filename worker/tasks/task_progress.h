/*
 * task_progress.h - where a task's long work stands: the items a plugin reports with
 * ferry_host.progress_report (the tables of a snapshot, the files of a backfill), their rates
 * over a sliding window and ETAs, and the JSON the status, the console and the terminal line
 * show. Time comes from the caller (monotonic microseconds), so tests inject it. Plain data:
 * task_metrics keeps one under its lock and hands out copies.
 */
#ifndef FERRY_TASK_PROGRESS_H
#define FERRY_TASK_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include <ferry/plugin.h>
#include <jansson.h>

#include "tasks/rate_window.h"

/* Items listed at most; a finished item is folded into the totals to make room. */
#define TASK_PROGRESS_MAX_ITEMS 48
/* Rates: samples half a second apart, so the window is the last 7.5 seconds. */
#define TASK_PROGRESS_RATE_SPACING_US 500000u

typedef struct task_progress_item {
    char name[192];
    char phase[24];
    char unit[16];
    ferry_progress_state state;
    int64_t done;
    int64_t total;    /* -1 unknown */
    int64_t records;  /* -1: done counts the records */
    bool started;         /* reported in the RUNNING state */
    uint64_t started_us;  /* the first such report */
    uint64_t finished_us; /* DONE, CAUGHT_UP or ABORTED reached, 0 before */
    rate_window done_rate;
    rate_window records_rate;
} task_progress_item;

typedef struct task_progress {
    task_progress_item items[TASK_PROGRESS_MAX_ITEMS];
    int count;
    int64_t items_total;   /* the plugin's count of items in all, 0 when it reports them all */
    int64_t folded_items;  /* finished items dropped from the list to make room */
    int64_t folded_done;   /* their units */
    int64_t dropped_items; /* reports of new items that found no room */
    bool started;          /* any item reported */
    uint64_t started_us;   /* the first report */
    rate_window done_rate; /* units of all items together */
} task_progress;

/* A zeroed task_progress is ready too (the first report sets the rest up). */
void task_progress_init(task_progress *progress);
/* Takes the plugin's report (borrowed) at now_us. */
void task_progress_report(task_progress *progress, const ferry_progress *report, uint64_t now_us);

/* The whole of the work, for the status line and the metrics. Rates and ETA are negative when
 * unknown; total is -1 when any item's is unknown. */
typedef struct task_progress_summary {
    const char *phase;     /* of the item being read, else the last one reported; NULL: none */
    const char *unit;
    const char *current;   /* the item being read, or NULL */
    int64_t done;
    int64_t total;
    double percent;        /* -1 unknown */
    double rate;           /* units per second, -1 unknown */
    double records_rate;   /* records per second, -1 unknown */
    double eta_seconds;    /* -1 unknown or finished */
    int64_t items_total, items_done, items_remaining;
    bool running;          /* an item is pending or running */
    bool completed;        /* every item done or caught up (and at least one reported) */
    bool aborted;
    double elapsed_seconds;
} task_progress_summary;

/* The summary of progress at now_us; pointers borrow from progress. */
void task_progress_summarize(const task_progress *progress, uint64_t now_us,
                             task_progress_summary *summary);
/* An item's percent (-1 unknown), rate and ETA (-1 unknown). */
double task_progress_item_percent(const task_progress_item *item);
double task_progress_item_rate(const task_progress_item *item);
double task_progress_item_eta(const task_progress_item *item);
/* The "work" object of a status's progress (a new reference), NULL when nothing was reported. */
json_t *task_progress_json(const task_progress *progress, uint64_t now_us);
/* A state's name in the JSON: "pending", "running", "done", "caught-up", "aborted". */
const char *task_progress_state_name(ferry_progress_state state);

#endif
