/*
 * es_bench.c - the Elasticsearch benchmark's helpers (bench/es/run.sh): the reference loader and
 * the watcher that times both it and ferry the same way. A benchmark helper, not part of ferry.
 *
 *   es_bench load URL INDEX FILE BATCH CONCURRENCY
 *       Reads FILE (one JSON document per line), builds every _bulk body in memory beforehand
 *       (BATCH documents each, action lines {"index":{"_index":INDEX,"_id":"INDEX+0+<n>"}} like
 *       ferry's with key.ignore=true), then posts them with libcurl's multi interface, CONCURRENCY
 *       requests in flight on kept-alive connections, and checks every answer ("errors":false).
 *       Prints "FIRST_NS LAST_NS DOCUMENTS MAX_RSS_KB" (wall clock, ns since the epoch).
 *   es_bench watch URL INDEX COUNT TIMEOUT_MS INTERVAL_MS
 *       Polls the index's primaries' indexing.index_total (no refresh needed) every INTERVAL_MS;
 *       prints "FIRST_NS DONE_NS": the first poll that saw an operation and the first that saw
 *       COUNT. Exit 1 at the timeout.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "support/array.h"
#include "support/strbuf.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void text_add(strbuf *t, const char *bytes, size_t len)
{
    strbuf_append(t, bytes, len);
    if (strbuf_failed(t)) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
}

static size_t collect(char *data, size_t size, size_t count, void *opaque)
{
    text_add(opaque, data, size * count);
    return size * count;
}

/* ---- load --------------------------------------------------------------------------------- */

typedef struct slot {
    CURL *easy;
    strbuf answer;
    size_t body;
    int busy;
} slot;

static int load(const char *url, const char *index, const char *file, int batch, int concurrency)
{
    FILE *in = fopen(file, "r");
    if (!in) {
        perror(file);
        return 1;
    }
    strbuf *bodies = NULL;
    size_t body_count = 0, body_capacity = 0, documents = 0;
    char *line = NULL;
    size_t line_capacity = 0;
    ssize_t len;
    while ((len = getline(&line, &line_capacity, in)) > 0) {
        if (line[len - 1] == '\n')
            len--;
        if (len == 0)
            continue;
        if (documents % (size_t)batch == 0) {
            if (array_reserve(&bodies, &body_capacity, body_count + 1, sizeof(*bodies)) != 0) {
                fprintf(stderr, "out of memory\n");
                exit(1);
            }
            body_count++;
        }
        char action[512];
        int n = snprintf(action, sizeof(action), "{\"index\":{\"_index\":\"%s\",\"_id\":\"%s+0+%zu\"}}\n",
                         index, index, documents);
        text_add(&bodies[body_count - 1], action, (size_t)n);
        text_add(&bodies[body_count - 1], line, (size_t)len);
        text_add(&bodies[body_count - 1], "\n", 1);
        documents++;
    }
    free(line);
    fclose(in);

    char bulk_url[1024];
    snprintf(bulk_url, sizeof(bulk_url), "%s/_bulk?filter_path=errors", url);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
    headers = curl_slist_append(headers, "Expect:");
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)concurrency);
    slot *slots = calloc((size_t)concurrency, sizeof(*slots));
    for (int i = 0; i < concurrency; i++)
        slots[i].easy = curl_easy_init();
    size_t next = 0, done = 0;
    int failures = 0;
    int64_t first = now_ns(), last = first;
    while (done < body_count) {
        for (int i = 0; i < concurrency && next < body_count; i++) {
            if (slots[i].busy)
                continue;
            slot *s = &slots[i];
            s->busy = 1;
            s->body = next++;
            strbuf_reset(&s->answer);
            text_add(&s->answer, "", 0);
            curl_easy_setopt(s->easy, CURLOPT_URL, bulk_url);
            curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, headers);
            curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, bodies[s->body].data);
            curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)bodies[s->body].len);
            curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, collect);
            curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &s->answer);
            curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
            curl_multi_add_handle(multi, s->easy);
        }
        int running;
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE)
                continue;
            slot *s;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            long status = 0;
            curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (message->data.result != CURLE_OK || status != 200 ||
                !strstr(s->answer.data, "\"errors\":false")) {
                if (failures++ < 3)
                    fprintf(stderr, "bulk %zu: %s, HTTP %ld: %.200s\n", s->body,
                            curl_easy_strerror(message->data.result), status, s->answer.data);
            }
            curl_multi_remove_handle(multi, message->easy_handle);
            s->busy = 0;
            done++;
            last = now_ns();
        }
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%" PRId64 " %" PRId64 " %zu %ld\n", first, last, documents, usage.ru_maxrss);
    for (int i = 0; i < concurrency; i++) {
        curl_easy_cleanup(slots[i].easy);
        strbuf_free(&slots[i].answer);
    }
    free(slots);
    for (size_t i = 0; i < body_count; i++)
        strbuf_free(&bodies[i]);
    free(bodies);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    return failures ? 1 : 0;
}

/* ---- watch -------------------------------------------------------------------------------- */

static int64_t index_total(CURL *easy, const char *stats_url)
{
    strbuf answer = {0};
    text_add(&answer, "", 0);
    curl_easy_setopt(easy, CURLOPT_URL, stats_url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
    int64_t total = -1;
    if (curl_easy_perform(easy) == CURLE_OK) {
        const char *at = strstr(answer.data, "\"index_total\":");
        if (at)
            total = strtoll(at + 14, NULL, 10);
    }
    strbuf_free(&answer);
    return total;
}

static int watch(const char *url, const char *index, int64_t count, int64_t timeout_ms,
                 int interval_ms)
{
    char stats_url[1024];
    snprintf(stats_url, sizeof(stats_url),
             "%s/%s/_stats/indexing?filter_path=_all.primaries.indexing.index_total", url, index);
    CURL *easy = curl_easy_init();
    int64_t started = now_ns(), first = 0;
    for (;;) {
        int64_t total = index_total(easy, stats_url);
        int64_t now = now_ns();
        if (total > 0 && !first)
            first = now;
        if (total >= count) {
            printf("%" PRId64 " %" PRId64 "\n", first, now);
            curl_easy_cleanup(easy);
            return 0;
        }
        if ((now - started) / 1000000 > timeout_ms) {
            fprintf(stderr, "watch %s: %" PRId64 " of %" PRId64 " operations\n", index, total,
                    count);
            curl_easy_cleanup(easy);
            return 1;
        }
        usleep((useconds_t)interval_ms * 1000);
    }
}

int main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (argc == 7 && strcmp(argv[1], "load") == 0)
        return load(argv[2], argv[3], argv[4], atoi(argv[5]), atoi(argv[6]));
    if (argc == 7 && strcmp(argv[1], "watch") == 0)
        return watch(argv[2], argv[3], strtoll(argv[4], NULL, 10), strtoll(argv[5], NULL, 10),
                     atoi(argv[6]));
    fprintf(stderr, "usage: es_bench load URL INDEX FILE BATCH CONCURRENCY\n"
                    "       es_bench watch URL INDEX COUNT TIMEOUT_MS INTERVAL_MS\n");
    return 2;
}
