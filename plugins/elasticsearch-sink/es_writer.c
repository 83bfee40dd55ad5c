/*
 * es_writer.c - the I/O thread: batches, in-flight bulk requests, per-item outcomes, retries
 * (es_writer.h).
 */
#include "es_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "es_offsets.h"
#include "es_retry.h"
#include "support/array.h"
#include "support/clock.h"

#define ES_BULK_PATH "/_bulk?filter_path=errors,items.*.status,items.*.error.type," \
                     "items.*.error.reason,items.*.error.caused_by.reason"
#define ES_IDLE_WAIT_MS 1000

/* ---- a list of items ---------------------------------------------------------------------- */

typedef struct es_list {
    es_item *head;
    es_item *tail;
    size_t count;
    uint64_t bytes;
} es_list;

static void es_list_push(es_list *list, es_item *item)
{
    item->next = NULL;
    if (list->tail)
        list->tail->next = item;
    else
        list->head = item;
    list->tail = item;
    list->count++;
    list->bytes += item->len;
}

/* Unlinks item (whose predecessor is previous, NULL for the head). */
static void es_list_unlink(es_list *list, es_item *previous, es_item *item)
{
    if (previous)
        previous->next = item->next;
    else
        list->head = item->next;
    if (list->tail == item)
        list->tail = previous;
    item->next = NULL;
    list->count--;
    list->bytes -= item->len;
}

/* ---- documents in order: the busy set of order keys --------------------------------------- */

typedef struct es_busy_entry {
    uint64_t key; /* 0 = empty */
    uint32_t count;
} es_busy_entry;

typedef struct es_busy {
    es_busy_entry *entries;
    size_t mask;
} es_busy;

static int es_busy_init(es_busy *busy, size_t expected)
{
    size_t size = 64;
    while (size < expected * 2)
        size *= 2;
    busy->entries = calloc(size, sizeof(*busy->entries));
    busy->mask = size - 1;
    return busy->entries ? 0 : -1;
}

static es_busy_entry *es_busy_slot(es_busy *busy, uint64_t key)
{
    size_t at = (size_t)(key * 0x9e3779b97f4a7c15ull) & busy->mask;
    while (busy->entries[at].key != 0 && busy->entries[at].key != key)
        at = (at + 1) & busy->mask;
    return &busy->entries[at];
}

static bool es_busy_has(es_busy *busy, uint64_t key)
{
    return key && busy->entries && es_busy_slot(busy, key)->key == key;
}

static void es_busy_add(es_busy *busy, uint64_t key)
{
    if (!key || !busy->entries)
        return;
    es_busy_entry *entry = es_busy_slot(busy, key);
    entry->key = key;
    entry->count++;
}

static void es_busy_remove(es_busy *busy, uint64_t key)
{
    if (!key || !busy->entries)
        return;
    es_busy_entry *entry = es_busy_slot(busy, key);
    if (entry->key != key || --entry->count > 0)
        return;
    /* Backward-shift deletion keeps the probe sequences intact. */
    size_t hole = (size_t)(entry - busy->entries);
    entry->key = 0;
    for (size_t at = (hole + 1) & busy->mask; busy->entries[at].key;
         at = (at + 1) & busy->mask) {
        size_t home = (size_t)(busy->entries[at].key * 0x9e3779b97f4a7c15ull) & busy->mask;
        /* Move the entry into the hole when the hole lies between its home and it. */
        if (((at - home) & busy->mask) >= ((at - hole) & busy->mask)) {
            busy->entries[hole] = busy->entries[at];
            busy->entries[at] = (es_busy_entry){0};
            hole = at;
        }
    }
}

/* ---- requests ----------------------------------------------------------------------------- */

typedef struct es_request {
    CURL *easy;
    bool busy;
    es_item **items;
    es_item_kind *kinds;
    es_item_result *results;
    size_t count;
    size_t url;
    uint64_t bytes;
    /* the body, streamed from the items */
    size_t item_at;
    size_t byte_at;
    z_stream zip;
    bool zip_ready;
    bool zip_done;
    strbuf answer;
    char curl_error[CURL_ERROR_SIZE];
} es_request;

struct es_writer {
    const es_settings *settings;
    es_client *client;
    pthread_mutex_t mutex;
    pthread_cond_t changed; /* room, progress, reports */
    pthread_t thread;
    bool thread_started;
    bool stopping;
    CURLM *multi;
    char **bulk_urls; /* per connection URL: <url>/_bulk?filter_path=... */
    es_request *requests;
    int request_count;
    int in_flight;
    es_list ready;   /* waiting to be sent, in order */
    es_list waiting; /* waiting for their retry time */
    es_report *reports;
    size_t report_count;
    size_t report_capacity;
    es_offsets offsets;
    es_busy busy;
    es_retry retry;
    size_t buffered;
    size_t overdue; /* items retried more than max.retries times, still held */
    bool flush_requested;
    char fatal[1024];
    char last_problem[700];
    es_writer_stats stats;
};

/* The body of a request, read by libcurl (writer thread). */
static size_t es_request_read_plain(char *buffer, size_t size, size_t count, void *opaque)
{
    es_request *request = opaque;
    size_t room = size * count, written = 0;
    while (written < room && request->item_at < request->count) {
        const es_item *item = request->items[request->item_at];
        size_t left = item->len - request->byte_at;
        size_t n = left < room - written ? left : room - written;
        memcpy(buffer + written, item->lines + request->byte_at, n);
        written += n;
        request->byte_at += n;
        if (request->byte_at == item->len) {
            request->item_at++;
            request->byte_at = 0;
        }
    }
    return written;
}

/* The same, gzip-compressed on the fly. */
static size_t es_request_read_gzip(char *buffer, size_t size, size_t count, void *opaque)
{
    es_request *request = opaque;
    z_stream *zip = &request->zip;
    size_t room = size * count;
    if (request->zip_done)
        return 0;
    zip->next_out = (Bytef *)buffer;
    zip->avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
    while (zip->avail_out > 0) {
        if (zip->avail_in == 0 && request->item_at < request->count) {
            es_item *item = request->items[request->item_at++];
            zip->next_in = (Bytef *)item->lines;
            zip->avail_in = (uInt)item->len;
        }
        bool last = request->item_at == request->count && zip->avail_in == 0;
        int rc = deflate(zip, last ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            request->zip_done = true;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return CURL_READFUNC_ABORT;
        if (rc == Z_BUF_ERROR && last)
            break;
    }
    return room - zip->avail_out;
}

/* libcurl rewinds a body to send it again on a new connection. */
static int es_request_seek(void *opaque, curl_off_t offset, int origin)
{
    es_request *request = opaque;
    if (offset != 0 || origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    request->item_at = 0;
    request->byte_at = 0;
    if (request->zip_ready) {
        deflateReset(&request->zip);
        request->zip.avail_in = 0;
        request->zip_done = false;
    }
    return CURL_SEEKFUNC_OK;
}

static int es_request_reserve(es_request *request, size_t count)
{
    es_item **items = realloc(request->items, count * sizeof(*items));
    if (!items)
        return -1;
    request->items = items;
    es_item_kind *kinds = realloc(request->kinds, count * sizeof(*kinds));
    if (!kinds)
        return -1;
    request->kinds = kinds;
    es_item_result *results = realloc(request->results, count * sizeof(*results));
    if (!results)
        return -1;
    request->results = results;
    return 0;
}

/* ---- outcomes ----------------------------------------------------------------------------- */

static void es_writer_finish_item(es_writer *w, es_item *item)
{
    es_offsets_finish(&w->offsets, item->slot, item->generation, item->offset);
    if (item->attempts > (uint32_t)w->settings->max_retries && w->overdue > 0)
        w->overdue--;
    w->buffered--;
    es_item_free(item);
}

static bool es_writer_stale(es_writer *w, const es_item *item)
{
    const es_partition_offsets *slot = es_offsets_at(&w->offsets, item->slot);
    return !slot || slot->generation != item->generation;
}

/* An item of a closed partition: gone without a trace. */
static void es_writer_drop_item(es_writer *w, es_item *item)
{
    if (item->attempts > (uint32_t)w->settings->max_retries && w->overdue > 0)
        w->overdue--;
    w->buffered--;
    w->stats.dropped++;
    es_item_free(item);
}

static void es_writer_retry_item(es_writer *w, es_item *item, int64_t now)
{
    item->attempts++;
    if (item->attempts == (uint32_t)w->settings->max_retries + 1)
        w->overdue++;
    item->not_before_ms = now + es_retry_delay(&w->retry, item->attempts);
    es_list_push(&w->waiting, item);
    w->stats.retried++;
}

static void es_writer_report_item(es_writer *w, es_item *item, es_outcome outcome, char *error)
{
    if (array_reserve(&w->reports, &w->report_capacity, w->report_count + 1,
                      sizeof(*w->reports)) != 0) {
        /* Cannot hand it back: fail the task rather than lose the record's fate. */
        snprintf(w->fatal, sizeof(w->fatal), "out of memory keeping a rejected document");
        free(error);
        es_writer_drop_item(w, item);
        return;
    }
    const es_partition_offsets *slot = es_offsets_at(&w->offsets, item->slot);
    w->reports[w->report_count++] = (es_report){
        .item = item, .outcome = outcome, .error = error,
        .topic = slot ? slot->topic : "", .partition = slot ? slot->partition : -1};
    w->stats.failed++;
}

/* Applies the outcome of a request (lock held). whole_failure: the request failed as a whole,
 * all its items are retried. */
static void es_writer_apply(es_writer *w, es_request *request, bool whole_failure, int64_t now)
{
    size_t retried = 0, done = 0;
    for (size_t i = 0; i < request->count; i++) {
        es_item *item = request->items[i];
        es_item_result *result = &request->results[i];
        es_outcome outcome = whole_failure ? ES_OUTCOME_RETRY : result->outcome;
        if (outcome != ES_OUTCOME_RETRY)
            es_busy_remove(&w->busy, item->order_key);
        if (es_writer_stale(w, item)) {
            if (outcome == ES_OUTCOME_RETRY)
                es_busy_remove(&w->busy, item->order_key);
            es_writer_drop_item(w, item);
            continue;
        }
        switch (outcome) {
        case ES_OUTCOME_OK:
            w->stats.acked++;
            es_writer_finish_item(w, item);
            done++;
            break;
        case ES_OUTCOME_RETRY:
            es_writer_retry_item(w, item, now);
            retried++;
            if (!whole_failure && result->error)
                /* The error's type only: the status says it once, not at every reason. */
                snprintf(w->last_problem, sizeof(w->last_problem), "Elasticsearch at %s is "
                         "rejecting documents (HTTP %d %.*s)",
                         es_client_url(w->client, request->url), result->status,
                         (int)strcspn(result->error, ":"), result->error);
            break;
        case ES_OUTCOME_MALFORMED:
        case ES_OUTCOME_FAILED:
            es_writer_report_item(w, item, outcome, result->error);
            result->error = NULL; /* the report owns it */
            done++;
            break;
        }
    }
    if (!whole_failure && retried > 0)
        w->stats.partial++;
    es_item_results_clear(request->results, request->count);
    request->count = 0;
    request->busy = false;
    w->in_flight--;
    pthread_cond_broadcast(&w->changed);
}

/* Reads a finished request's answer (no lock: the request is the writer thread's). Returns
 * whether the request failed as a whole; sets the fatal or problem text (lock taken briefly). */
static bool es_writer_examine(es_writer *w, es_request *request, CURLcode code)
{
    long status = 0;
    curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
    const char *url = es_client_url(w->client, request->url);
    char problem[600] = "";
    char cause[300] = ""; /* the same for every failure of one kind: what the status shows */
    bool whole_failure = true;
    es_failure failure;
    if (code != CURLE_OK) {
        failure = es_client_curl_failure(code);
        snprintf(problem, sizeof(problem), "%s", request->curl_error[0] ? request->curl_error
                                                                        : curl_easy_strerror(code));
        snprintf(cause, sizeof(cause), "%s", curl_easy_strerror(code));
    } else if ((failure = es_client_status_failure(status)) != ES_FAILURE_NONE) {
        char summary[400];
        es_error_summary(request->answer.data, request->answer.len, summary, sizeof(summary));
        snprintf(problem, sizeof(problem), "HTTP %ld: %s", status, summary);
        snprintf(cause, sizeof(cause), "HTTP %ld %.*s", status, (int)strcspn(summary, ":"),
                 summary);
    } else {
        char why[300];
        if (es_bulk_response_parse(request->answer.data ? request->answer.data : "",
                                   request->answer.len, request->kinds, request->count,
                                   request->results, why, sizeof(why)) == 0)
            whole_failure = false;
        else
            snprintf(problem, sizeof(problem), "not a bulk answer: %s", why);
    }
    bool node_down = es_client_node_down(code, status);
    bool failover = node_down && es_client_url_failed(w->client, request->url, clock_monotonic_ms());
    if (!node_down)
        es_client_url_ok(w->client, request->url);

    pthread_mutex_lock(&w->mutex);
    w->stats.requests++;
    if (failover)
        w->stats.failovers++;
    if (whole_failure) {
        w->stats.requests_failed++;
        if (failure == ES_FAILURE_FATAL && !w->fatal[0])
            snprintf(w->fatal, sizeof(w->fatal), "Elasticsearch at %s refused a bulk request "
                     "(retrying cannot help): %s", url, problem);
        else if (status == 429)
            snprintf(w->last_problem, sizeof(w->last_problem), "Elasticsearch at %s is "
                     "rejecting documents (%s)", url, cause);
        else
            snprintf(w->last_problem, sizeof(w->last_problem), "Elasticsearch unavailable at "
                     "%s: %s", url, cause[0] ? cause : problem);
    }
    pthread_mutex_unlock(&w->mutex);
    return whole_failure;
}

/* ---- sending ------------------------------------------------------------------------------ */

static bool es_writer_full(const es_writer *w, const es_request *request, const es_item *item)
{
    if (request->count >= (size_t)w->settings->batch_size)
        return true;
    return w->settings->bulk_size_bytes >= 0 && request->count > 0 &&
           request->bytes + item->len > (uint64_t)w->settings->bulk_size_bytes;
}

/* A request that goes for retries due now also takes the retries due within this much: they
 * travel together instead of in a trickle of small requests; a retry goes at most
 * retry.backoff.ms / 2 before its time. */
static int64_t es_writer_coalesce_ms(const es_writer *w)
{
    return w->settings->retry_backoff_ms / 2;
}

/* Moves sendable items of a list into the request (lock held). due_only: only items whose
 * retry time has come. */
static void es_writer_take(es_writer *w, es_request *request, es_list *list, bool due_only,
                           int64_t now)
{
    es_item *previous = NULL;
    for (es_item *item = list->head; item;) {
        es_item *next = item->next;
        bool blocked = (due_only && item->not_before_ms > now + es_writer_coalesce_ms(w)) ||
                       (item->order_key && es_busy_has(&w->busy, item->order_key) &&
                        item->attempts == 0);
        if (blocked) {
            previous = item;
            item = next;
            continue;
        }
        if (es_writer_full(w, request, item))
            return;
        es_list_unlink(list, previous, item);
        /* A first write of a document takes the document's turn; a retried one has it. */
        if (item->attempts == 0)
            es_busy_add(&w->busy, item->order_key);
        request->items[request->count] = item;
        request->kinds[request->count] = (es_item_kind){item->action, item->versioned};
        request->count++;
        request->bytes += item->len;
        item = next;
    }
}

/* Whether the ready list should be sent now (lock held); *wake_ms lowered to when it will. */
static bool es_writer_ready_due(es_writer *w, int64_t now, int64_t *wake_ms)
{
    if (w->ready.count == 0)
        return false;
    if (w->flush_requested || w->ready.count >= (size_t)w->settings->batch_size ||
        (w->settings->bulk_size_bytes >= 0 &&
         w->ready.bytes >= (uint64_t)w->settings->bulk_size_bytes))
        return true;
    int64_t due = w->ready.head->not_before_ms + w->settings->linger_ms;
    if (due <= now)
        return true;
    if (due < *wake_ms)
        *wake_ms = due;
    return false;
}

/* Whether some waiting item's retry time has come; *wake_ms lowered to the next one. */
static bool es_writer_retry_due(es_writer *w, int64_t now, int64_t *wake_ms)
{
    bool due = false;
    for (es_item *item = w->waiting.head; item; item = item->next) {
        if (item->not_before_ms <= now)
            due = true;
        else if (item->not_before_ms < *wake_ms)
            *wake_ms = item->not_before_ms;
    }
    return due;
}

/* Starts one request (lock held on entry and exit; released around libcurl calls). Returns
 * false when nothing could be started. */
static bool es_writer_start_one(es_writer *w, int64_t now, int64_t *wake_ms)
{
    if (w->fatal[0] || w->in_flight >= w->request_count)
        return false;
    bool retry_due = es_writer_retry_due(w, now, wake_ms);
    bool ready_due = es_writer_ready_due(w, now, wake_ms);
    if (!retry_due && !ready_due)
        return false;
    int64_t ready_at;
    size_t url = es_client_pick(w->client, now, &ready_at);
    if (ready_at > now) {
        /* Every URL is paused after failures: wait for the first to be tried again. */
        if (ready_at < *wake_ms)
            *wake_ms = ready_at;
        return false;
    }
    es_request *request = NULL;
    for (int i = 0; i < w->request_count && !request; i++)
        if (!w->requests[i].busy)
            request = &w->requests[i];
    if (!request)
        return false;
    request->count = 0;
    request->bytes = 0;
    es_writer_take(w, request, &w->waiting, true, now);
    if (ready_due || (request->count > 0 && w->ready.count > 0))
        es_writer_take(w, request, &w->ready, false, now);
    if (request->count == 0)
        return false; /* everything due is blocked behind a write to the same document */
    memset(request->results, 0, request->count * sizeof(*request->results));
    request->busy = true;
    request->url = url;
    w->in_flight++;
    w->stats.sent += request->count;
    if (w->ready.count == 0)
        w->flush_requested = false;

    request->item_at = 0;
    request->byte_at = 0;
    request->curl_error[0] = '\0';
    strbuf_reset(&request->answer);
    pthread_mutex_unlock(&w->mutex);

    CURL *easy = request->easy;
    bool gzip = es_client_compression(w->client);
    if (gzip) {
        request->zip_done = false;
        request->zip.avail_in = 0;
        if (request->zip_ready)
            deflateReset(&request->zip);
    }
    curl_easy_setopt(easy, CURLOPT_URL, w->bulk_urls[url]);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, gzip ? es_request_read_gzip
                                                      : es_request_read_plain);
    curl_easy_setopt(easy, CURLOPT_READDATA, request);
    curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, es_request_seek);
    curl_easy_setopt(easy, CURLOPT_SEEKDATA, request);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     gzip ? (curl_off_t)-1 : (curl_off_t)request->bytes);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, es_client_bulk_headers(w->client));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, es_client_collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &request->answer);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->curl_error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, request);
    CURLMcode added = curl_multi_add_handle(w->multi, easy);

    pthread_mutex_lock(&w->mutex);
    if (added != CURLM_OK) {
        snprintf(w->last_problem, sizeof(w->last_problem), "cannot start a request: %s",
                 curl_multi_strerror(added));
        es_writer_apply(w, request, true, clock_monotonic_ms());
        return false;
    }
    return true;
}

/* ---- the thread --------------------------------------------------------------------------- */

static void *es_writer_main(void *argument)
{
    es_writer *w = argument;
    pthread_mutex_lock(&w->mutex);
    while (!w->stopping) {
        int64_t now = clock_monotonic_ms();
        int64_t wake = now + ES_IDLE_WAIT_MS;
        while (es_writer_start_one(w, now, &wake))
            now = clock_monotonic_ms();
        pthread_mutex_unlock(&w->mutex);

        int timeout = (int)(wake > now ? wake - now : 0);
        int running = 0;
        curl_multi_poll(w->multi, NULL, 0, timeout, NULL);
        curl_multi_perform(w->multi, &running);
        CURLMsg *message;
        int left;
        while ((message = curl_multi_info_read(w->multi, &left))) {
            if (message->msg != CURLMSG_DONE)
                continue;
            es_request *request = NULL;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&request);
            CURLcode code = message->data.result;
            curl_multi_remove_handle(w->multi, message->easy_handle);
            if (!request)
                continue;
            bool whole_failure = es_writer_examine(w, request, code);
            pthread_mutex_lock(&w->mutex);
            es_writer_apply(w, request, whole_failure, clock_monotonic_ms());
            pthread_mutex_unlock(&w->mutex);
        }
        pthread_mutex_lock(&w->mutex);
    }
    pthread_mutex_unlock(&w->mutex);
    return NULL;
}

/* ---- life --------------------------------------------------------------------------------- */

es_writer *es_writer_new(const es_settings *settings, es_client *client, uint64_t seed,
                         char *err, size_t errlen)
{
    es_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    w->settings = settings;
    w->client = client;
    es_offsets_init(&w->offsets);
    es_retry_init(&w->retry, settings->retry_backoff_ms, settings->max_retries, seed);
    if (pthread_mutex_init(&w->mutex, NULL) != 0) {
        free(w);
        return ferry_error_set(err, errlen, "cannot create a mutex"), NULL;
    }
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    int cond_rc = pthread_cond_init(&w->changed, &attributes);
    pthread_condattr_destroy(&attributes);
    if (cond_rc != 0) {
        pthread_mutex_destroy(&w->mutex);
        free(w);
        return ferry_error_set(err, errlen, "cannot create a condition variable"), NULL;
    }
    if (settings->write_method == ES_WRITE_UPSERT &&
        es_busy_init(&w->busy, (size_t)settings->max_buffered) != 0)
        goto oom;
    w->multi = curl_multi_init();
    if (!w->multi)
        goto oom;
    curl_multi_setopt(w->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)settings->max_in_flight);
    curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)settings->max_in_flight + 1);
    w->bulk_urls = calloc(es_client_url_count(client), sizeof(*w->bulk_urls));
    if (!w->bulk_urls)
        goto oom;
    for (size_t i = 0; i < es_client_url_count(client); i++)
        if (asprintf(&w->bulk_urls[i], "%s" ES_BULK_PATH, es_client_url(client, i)) < 0) {
            w->bulk_urls[i] = NULL;
            goto oom;
        }
    w->requests = calloc((size_t)settings->max_in_flight, sizeof(*w->requests));
    if (!w->requests)
        goto oom;
    w->request_count = settings->max_in_flight;
    for (int i = 0; i < w->request_count; i++) {
        es_request *request = &w->requests[i];
        if (es_request_reserve(request, (size_t)settings->batch_size) != 0)
            goto oom;
        request->easy = es_client_easy_new(client, err, errlen);
        if (!request->easy)
            goto fail;
        if (settings->compression) {
            if (deflateInit2(&request->zip, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
                Z_OK)
                goto oom;
            request->zip_ready = true;
        }
    }
    int rc = pthread_create(&w->thread, NULL, es_writer_main, w);
    if (rc != 0) {
        ferry_error_set(err, errlen, "cannot start the I/O thread: %s", strerror(rc));
        goto fail;
    }
    w->thread_started = true;
    return w;
oom:
    ferry_error_set(err, errlen, "out of memory");
fail:
    es_writer_destroy(w);
    return NULL;
}

static void es_list_free(es_list *list)
{
    for (es_item *item = list->head; item;) {
        es_item *next = item->next;
        es_item_free(item);
        item = next;
    }
    *list = (es_list){0};
}

void es_writer_destroy(es_writer *w)
{
    if (!w)
        return;
    if (w->thread_started) {
        pthread_mutex_lock(&w->mutex);
        w->stopping = true;
        pthread_mutex_unlock(&w->mutex);
        curl_multi_wakeup(w->multi);
        pthread_join(w->thread, NULL);
    }
    for (int i = 0; w->requests && i < w->request_count; i++) {
        es_request *request = &w->requests[i];
        if (request->busy) {
            curl_multi_remove_handle(w->multi, request->easy);
            for (size_t j = 0; j < request->count; j++)
                es_item_free(request->items[j]);
            es_item_results_clear(request->results, request->count);
        }
        if (request->easy)
            curl_easy_cleanup(request->easy);
        if (request->zip_ready)
            deflateEnd(&request->zip);
        free(request->items);
        free(request->kinds);
        free(request->results);
        strbuf_free(&request->answer);
    }
    free(w->requests);
    if (w->multi)
        curl_multi_cleanup(w->multi);
    for (size_t i = 0; w->bulk_urls && i < es_client_url_count(w->client); i++)
        free(w->bulk_urls[i]);
    free(w->bulk_urls);
    es_list_free(&w->ready);
    es_list_free(&w->waiting);
    for (size_t i = 0; i < w->report_count; i++) {
        es_item_free(w->reports[i].item);
        free(w->reports[i].error);
    }
    free(w->reports);
    free(w->busy.entries);
    es_offsets_free(&w->offsets);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->mutex);
    free(w);
}

/* ---- the task thread's side --------------------------------------------------------------- */

int es_writer_partition(es_writer *w, const char *topic, int32_t partition, uint32_t *slot,
                        uint32_t *generation, int64_t *accepted_next)
{
    pthread_mutex_lock(&w->mutex);
    uint32_t index = es_offsets_slot(&w->offsets, topic, partition);
    const es_partition_offsets *state = es_offsets_at(&w->offsets, index);
    if (state) {
        *slot = index;
        *generation = state->generation;
        *accepted_next = state->accepted_next;
    }
    pthread_mutex_unlock(&w->mutex);
    return state ? 0 : -1;
}

void es_writer_skip(es_writer *w, uint32_t slot, int64_t offset)
{
    pthread_mutex_lock(&w->mutex);
    es_partition_offsets *state = es_offsets_at(&w->offsets, slot);
    if (state && offset + 1 > state->accepted_next)
        state->accepted_next = offset + 1;
    pthread_mutex_unlock(&w->mutex);
}

int es_writer_submit(es_writer *w, es_item *item)
{
    pthread_mutex_lock(&w->mutex);
    es_partition_offsets *state = es_offsets_at(&w->offsets, item->slot);
    int rc = -1;
    if (state && state->generation == item->generation &&
        es_offsets_add(&w->offsets, item->slot, item->offset) == 0) {
        state->accepted_next = item->offset + 1;
        item->not_before_ms = clock_monotonic_ms(); /* queued at: linger.ms counts from here */
        item->attempts = 0;
        es_list_push(&w->ready, item);
        w->buffered++;
        rc = 0;
    }
    /* Wake the I/O thread when a full batch is ready (once: put kicks it again at its end). */
    bool full_batch = w->ready.count == (size_t)w->settings->batch_size;
    pthread_mutex_unlock(&w->mutex);
    if (full_batch)
        curl_multi_wakeup(w->multi);
    return rc;
}

void es_writer_kick(es_writer *w)
{
    curl_multi_wakeup(w->multi);
}

bool es_writer_has_room(es_writer *w)
{
    pthread_mutex_lock(&w->mutex);
    bool room = w->buffered < (size_t)w->settings->max_buffered;
    pthread_mutex_unlock(&w->mutex);
    return room;
}

static void es_deadline(struct timespec *at, int64_t deadline_ms)
{
    at->tv_sec = deadline_ms / 1000;
    at->tv_nsec = (deadline_ms % 1000) * 1000000L;
}

es_wait es_writer_wait_room(es_writer *w, int64_t deadline_ms)
{
    struct timespec at;
    es_deadline(&at, deadline_ms);
    es_wait result = ES_WAIT_TIMEOUT;
    pthread_mutex_lock(&w->mutex);
    for (;;) {
        if (w->fatal[0]) {
            result = ES_WAIT_FAILED;
            break;
        }
        if (w->buffered < (size_t)w->settings->max_buffered) {
            result = ES_WAIT_DONE;
            break;
        }
        if (w->report_count > 0) {
            result = ES_WAIT_REPORTS;
            break;
        }
        if (pthread_cond_timedwait(&w->changed, &w->mutex, &at) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&w->mutex);
    return result;
}

static bool es_writer_all_finished(es_writer *w, const ferry_topic_partition *offsets,
                                   size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (es_offsets_committable(&w->offsets, offsets[i].topic, offsets[i].partition,
                                   offsets[i].offset) < offsets[i].offset)
            return false;
    return true;
}

es_wait es_writer_wait_flushed(es_writer *w, const ferry_topic_partition *offsets, size_t count,
                               int64_t deadline_ms)
{
    struct timespec at;
    es_deadline(&at, deadline_ms);
    es_wait result = ES_WAIT_TIMEOUT;
    pthread_mutex_lock(&w->mutex);
    if (w->ready.count > 0) {
        w->flush_requested = true;
        curl_multi_wakeup(w->multi);
    }
    for (;;) {
        if (w->fatal[0]) {
            result = ES_WAIT_FAILED;
            break;
        }
        if (w->report_count > 0) {
            result = ES_WAIT_REPORTS;
            break;
        }
        if (es_writer_all_finished(w, offsets, count)) {
            result = ES_WAIT_DONE;
            break;
        }
        if (pthread_cond_timedwait(&w->changed, &w->mutex, &at) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&w->mutex);
    return result;
}

void es_writer_committable(es_writer *w, ferry_topic_partition *offsets, size_t count)
{
    pthread_mutex_lock(&w->mutex);
    for (size_t i = 0; i < count; i++)
        offsets[i].offset = es_offsets_committable(&w->offsets, offsets[i].topic,
                                                   offsets[i].partition, offsets[i].offset);
    pthread_mutex_unlock(&w->mutex);
}

size_t es_writer_take_reports(es_writer *w, es_report **reports)
{
    pthread_mutex_lock(&w->mutex);
    size_t count = w->report_count;
    *reports = w->reports;
    w->reports = NULL;
    w->report_count = w->report_capacity = 0;
    pthread_mutex_unlock(&w->mutex);
    return count;
}

void es_writer_reported(es_writer *w, es_report *reports, size_t count, bool finished)
{
    pthread_mutex_lock(&w->mutex);
    for (size_t i = 0; i < count; i++) {
        free(reports[i].error);
        if (!finished || es_writer_stale(w, reports[i].item))
            es_writer_drop_item(w, reports[i].item);
        else
            es_writer_finish_item(w, reports[i].item);
    }
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->mutex);
}

/* Drops the items of a slot from a list (lock held). */
static void es_writer_drop_slot(es_writer *w, es_list *list, uint32_t slot, bool retrying)
{
    es_item *previous = NULL;
    for (es_item *item = list->head; item;) {
        es_item *next = item->next;
        if (item->slot == slot) {
            es_list_unlink(list, previous, item);
            if (retrying)
                es_busy_remove(&w->busy, item->order_key);
            es_writer_drop_item(w, item);
        } else {
            previous = item;
        }
        item = next;
    }
}

void es_writer_close_partition(es_writer *w, const char *topic, int32_t partition)
{
    pthread_mutex_lock(&w->mutex);
    uint32_t slot = es_offsets_find(&w->offsets, topic, partition);
    if (slot != ES_OFFSETS_NO_SLOT) {
        es_writer_drop_slot(w, &w->ready, slot, false);
        es_writer_drop_slot(w, &w->waiting, slot, true);
        size_t kept = 0;
        for (size_t i = 0; i < w->report_count; i++) {
            if (w->reports[i].item->slot == slot) {
                free(w->reports[i].error);
                es_writer_drop_item(w, w->reports[i].item);
            } else {
                w->reports[kept++] = w->reports[i];
            }
        }
        w->report_count = kept;
        es_offsets_reset(&w->offsets, slot);
    }
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->mutex);
}

bool es_writer_failed(es_writer *w, char *err, size_t errlen)
{
    pthread_mutex_lock(&w->mutex);
    bool failed = w->fatal[0] != '\0';
    if (failed)
        ferry_error_set(err, errlen, "%s", w->fatal);
    pthread_mutex_unlock(&w->mutex);
    return failed;
}

void es_writer_stats_get(es_writer *w, es_writer_stats *stats)
{
    pthread_mutex_lock(&w->mutex);
    *stats = w->stats;
    stats->buffered = w->buffered;
    stats->in_flight = w->in_flight;
    pthread_mutex_unlock(&w->mutex);
}

bool es_writer_problem(es_writer *w, char *out, size_t outlen)
{
    pthread_mutex_lock(&w->mutex);
    bool problem = w->overdue > 0;
    if (problem)
        snprintf(out, outlen, "%s; %zu documents waiting, %zu retried more than max.retries (%d) "
                 "times, still retrying", w->last_problem[0] ? w->last_problem
                                                              : "Elasticsearch unavailable",
                 w->buffered, w->overdue, w->settings->max_retries);
    pthread_mutex_unlock(&w->mutex);
    return problem;
}
