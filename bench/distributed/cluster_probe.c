/*
 * cluster_probe.c - the REST chores of bench/distributed/run.sh, timed, with libcurl and jansson:
 *
 *   cluster_probe send URLS RETRY_MS [TIMES_FILE]
 *       reads requests from stdin, one a line: "METHOD PATH [BODY]" (BODY is JSON, the rest of
 *       the line), and sends request i to URLS[i % n] (URLS comma-separated), one at a time, each
 *       worker over its own keep-alive connection. An answer other than 2xx is an error; with
 *       RETRY_MS > 0 a 409 or 5xx answer (a rebalance under way, no leader yet) is retried every
 *       100 ms for at most RETRY_MS. Prints "n=.. errors=.. retries=.. p50_ms=.. p90_ms=..
 *       p99_ms=.. max_ms=.." (the latency of each request's last attempt, sorted); exit 1 on
 *       errors. Each error is printed on stderr with its answer; TIMES_FILE gets one line a request:
 *       "MS STATUS METHOD URL", in the order sent.
 *   cluster_probe running URLS EXPECTED TIMEOUT_MS [LIVE_ID,...]
 *       polls GET /connectors?expand=status every POLL_MS (100) on the first of URLS that
 *       answers, until EXPECTED connectors are RUNNING, each with at least one task and every task
 *       RUNNING, connector and tasks on workers of LIVE_ID (worker ids, comma-separated; any
 *       worker when absent). Prints "DONE_NS POLLS" (wall clock, ns since the epoch, of the
 *       poll that saw it) and, on the next lines, "tasks WORKER_ID COUNT" for every worker that
 *       runs tasks. Progress every 5 s and, on timeout (exit 1), what is not running, on stderr.
 *
 * A benchmark helper, not part of ferry.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "support/strbuf.h"
#include "support/strlist.h"

#define POLL_MS 100
#define PROGRESS_MS 5000
#define RETRY_PAUSE_MS 100
#define REQUEST_TIMEOUT_MS 60000
#define SHOW_MISSING 20

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static const char *text_of(const strbuf *buffer)
{
    return buffer->data ? buffer->data : "";
}

static size_t body_collect(char *data, size_t size, size_t count, void *opaque)
{
    strbuf_append(opaque, data, size * count);
    return size * count;
}

/* One keep-alive connection to one worker. */
typedef struct worker_client {
    const char *base;
    CURL *curl;
} worker_client;

/* METHOD base+PATH with BODY (NULL: none); the answer's body into answer. Returns the HTTP
 * status, 0 when no answer came. */
static long client_call(worker_client *client, const char *method, const char *path,
                        const char *body, strbuf *answer)
{
    strbuf url = {0};
    strbuf_append_str(&url, client->base);
    strbuf_append_str(&url, path);
    strbuf_reset(answer);
    CURL *curl = client->curl;
    curl_easy_setopt(curl, CURLOPT_URL, text_of(&url));
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
    } else {
        /* An empty body still sends Content-Length: 0, which a PUT without one needs. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, body ? (long)strlen(body) : 0L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    strbuf_free(&url);
    return status;
}

static int clients_open(const char *urls, strlist *bases, worker_client **clients,
                        struct curl_slist *headers)
{
    if (strlist_split(bases, urls, ',') != 0 || bases->count == 0) {
        fprintf(stderr, "cluster_probe: no URL in '%s'\n", urls);
        return -1;
    }
    *clients = calloc(bases->count, sizeof(**clients));
    if (!*clients)
        return -1;
    for (size_t i = 0; i < bases->count; i++) {
        worker_client *client = &(*clients)[i];
        client->base = bases->items[i];
        client->curl = curl_easy_init();
        if (!client->curl)
            return -1;
        curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(client->curl, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
        curl_easy_setopt(client->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
        curl_easy_setopt(client->curl, CURLOPT_NOSIGNAL, 1L);
    }
    return 0;
}

static void clients_close(worker_client *clients, size_t count)
{
    for (size_t i = 0; clients && i < count; i++)
        if (clients[i].curl)
            curl_easy_cleanup(clients[i].curl);
    free(clients);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile of sorted values. */
static double percentile(const double *sorted, size_t count, double p)
{
    if (count == 0)
        return 0;
    size_t rank = (size_t)(p / 100.0 * (double)count + 0.999999);
    if (rank < 1)
        rank = 1;
    return sorted[(rank > count ? count : rank) - 1];
}

/* ---- send ------------------------------------------------------------------------------- */

static bool retriable(long status)
{
    return status == 0 || status == 409 || status >= 500;
}

static int probe_send(const char *urls, long retry_ms, const char *times_path)
{
    FILE *times = NULL;
    strlist bases = {0};
    worker_client *clients = NULL;
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    strbuf answer = {0};
    double *latencies = NULL;
    size_t count = 0, capacity = 0;
    long errors = 0, retries = 0;
    char *line = NULL;
    size_t line_size = 0;
    int rc = 1;
    if (clients_open(urls, &bases, &clients, headers) != 0)
        goto done;
    if (times_path && !(times = fopen(times_path, "w"))) {
        perror(times_path);
        goto done;
    }
    for (ssize_t len; (len = getline(&line, &line_size, stdin)) > 0;) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *method = strtok(line, " ");
        char *path = strtok(NULL, " ");
        char *body = strtok(NULL, "");
        if (!method || !path)
            continue;
        worker_client *client = &clients[count % bases.count];
        int64_t first = now_ns(CLOCK_MONOTONIC), started;
        long status;
        for (;;) {
            started = now_ns(CLOCK_MONOTONIC);
            status = client_call(client, method, path, body, &answer);
            if (!retriable(status) || retry_ms <= 0 ||
                (started - first) / 1000000 >= retry_ms)
                break;
            retries++;
            sleep_ms(RETRY_PAUSE_MS);
        }
        double ms = (double)(now_ns(CLOCK_MONOTONIC) - started) / 1e6;
        if (status < 200 || status > 299) {
            errors++;
            fprintf(stderr, "cluster_probe: %s %s%s: %ld %s\n", method, client->base, path,
                    status, text_of(&answer));
        }
        if (times)
            fprintf(times, "%.2f %ld %s %s%s\n", ms, status, method, client->base, path);
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 256;
            double *grown = realloc(latencies, capacity * sizeof(*latencies));
            if (!grown)
                goto done;
            latencies = grown;
        }
        latencies[count++] = ms;
    }
    qsort(latencies, count, sizeof(*latencies), compare_double);
    printf("n=%zu errors=%ld retries=%ld p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", count,
           errors, retries, percentile(latencies, count, 50), percentile(latencies, count, 90),
           percentile(latencies, count, 99), count ? latencies[count - 1] : 0.0);
    rc = errors ? 1 : 0;
done:
    if (times)
        fclose(times);
    free(line);
    free(latencies);
    strbuf_free(&answer);
    clients_close(clients, bases.count);
    curl_slist_free_all(headers);
    strlist_free(&bases);
    return rc;
}

/* ---- running ---------------------------------------------------------------------------- */

typedef struct running_count {
    size_t connectors; /* connectors RUNNING with every task RUNNING, all on live workers */
    size_t tasks;      /* tasks RUNNING on live workers */
    size_t listed;     /* connectors in the answer */
    json_t *per_worker; /* worker id -> tasks RUNNING there */
    strbuf missing;    /* the first connectors not yet counted, and why */
    size_t missing_count;
} running_count;

static bool live_worker(const strlist *live, const char *worker_id)
{
    return worker_id && (live->count == 0 || strlist_contains(live, worker_id));
}

/* Whether the part of a status (the connector or a task) is RUNNING on a live worker. */
static bool part_running(json_t *part, const strlist *live)
{
    const char *state = json_string_value(json_object_get(part, "state"));
    const char *worker_id = json_string_value(json_object_get(part, "worker_id"));
    return state && strcmp(state, "RUNNING") == 0 && live_worker(live, worker_id);
}

static void missing_note(running_count *count, const char *name, json_t *part, const char *what)
{
    if (count->missing_count++ >= SHOW_MISSING)
        return;
    const char *state = json_string_value(json_object_get(part, "state"));
    const char *worker_id = json_string_value(json_object_get(part, "worker_id"));
    char line[512];
    snprintf(line, sizeof(line), "  %s %s: %s on %s\n", name, what, state ? state : "(none)",
             worker_id ? worker_id : "(none)");
    strbuf_append_str(&count->missing, line);
}

static void running_tally(json_t *answer, const strlist *live, running_count *count)
{
    const char *name;
    json_t *entry;
    json_object_foreach(answer, name, entry) {
        json_t *status = json_object_get(entry, "status");
        count->listed++;
        bool all = part_running(json_object_get(status, "connector"), live);
        if (!all)
            missing_note(count, name, json_object_get(status, "connector"), "connector");
        json_t *tasks = json_object_get(status, "tasks");
        if (json_array_size(tasks) == 0) {
            all = false;
            missing_note(count, name, NULL, "no task");
        }
        size_t index;
        json_t *task;
        json_array_foreach(tasks, index, task) {
            if (!part_running(task, live)) {
                all = false;
                missing_note(count, name, task, "task");
                continue;
            }
            count->tasks++;
            const char *worker_id = json_string_value(json_object_get(task, "worker_id"));
            json_t *tally = json_object_get(count->per_worker, worker_id);
            json_object_set_new(count->per_worker, worker_id,
                                json_integer(json_integer_value(tally) + 1));
        }
        if (all)
            count->connectors++;
    }
}

static int probe_running(const char *urls, size_t expected, long timeout_ms, const char *live_ids)
{
    strlist bases = {0}, live = {0};
    worker_client *clients = NULL;
    strbuf answer = {0};
    running_count count = {0};
    int rc = 1;
    if (clients_open(urls, &bases, &clients, NULL) != 0)
        goto done;
    if (live_ids && strlist_split(&live, live_ids, ',') != 0)
        goto done;
    int64_t start = now_ns(CLOCK_MONOTONIC), last_progress = start;
    long polls = 0;
    size_t asked = 0;
    for (;;) {
        json_decref(count.per_worker);
        strbuf_reset(&count.missing);
        count = (running_count){.per_worker = json_object(), .missing = count.missing};
        long status = client_call(&clients[asked], "GET", "/connectors?expand=status", NULL,
                                  &answer);
        int64_t seen = now_ns(CLOCK_REALTIME);
        polls++;
        json_t *json = status == 200 ? json_loads(text_of(&answer), 0, NULL) : NULL;
        if (json)
            running_tally(json, &live, &count);
        else
            asked = (asked + 1) % bases.count; /* that worker is gone or busy: ask another */
        json_decref(json);
        if (count.connectors >= expected) {
            printf("%lld %ld\n", (long long)seen, polls);
            const char *worker_id;
            json_t *tally;
            json_object_foreach(count.per_worker, worker_id, tally)
                printf("tasks %s %lld\n", worker_id, (long long)json_integer_value(tally));
            rc = 0;
            goto done;
        }
        int64_t now = now_ns(CLOCK_MONOTONIC);
        if ((now - start) / 1000000 >= timeout_ms) {
            fprintf(stderr,
                    "cluster_probe: after %ld ms, %zu of %zu connectors fully RUNNING, "
                    "%zu tasks RUNNING on live workers, %zu listed (last answer %ld from %s); "
                    "not running (first %d of %zu):\n%s",
                    timeout_ms, count.connectors, expected, count.tasks, count.listed, status,
                    clients[asked].base, SHOW_MISSING, count.missing_count,
                    text_of(&count.missing));
            goto done;
        }
        if ((now - last_progress) / 1000000 >= PROGRESS_MS) {
            fprintf(stderr, "cluster_probe: %.1f s: %zu of %zu connectors fully RUNNING, %zu tasks\n",
                    (double)(now - start) / 1e9, count.connectors, expected, count.tasks);
            last_progress = now;
        }
        sleep_ms(POLL_MS);
    }
done:
    json_decref(count.per_worker);
    strbuf_free(&count.missing);
    strbuf_free(&answer);
    clients_close(clients, bases.count);
    strlist_free(&bases);
    strlist_free(&live);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "send") == 0)
        rc = probe_send(argv[2], atol(argv[3]), argc == 5 ? argv[4] : NULL);
    else if ((argc == 5 || argc == 6) && strcmp(argv[1], "running") == 0)
        rc = probe_running(argv[2], strtoul(argv[3], NULL, 10), atol(argv[4]),
                           argc == 6 ? argv[5] : NULL);
    else
        fprintf(stderr, "usage: cluster_probe send URLS RETRY_MS [TIMES_FILE] < REQUESTS\n"
                        "       cluster_probe running URLS EXPECTED TIMEOUT_MS [LIVE_ID,...]\n");
    curl_global_cleanup();
    return rc;
}
