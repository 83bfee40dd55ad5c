/*
 * test_rest_concurrency.c - 100 clients read statuses and list connectors for 60 s while 8
 * others create, pause, resume and delete connectors, against the real binary (built with the
 * sanitizers) and the real broker. Every answer must be one a correct server can give at that
 * moment (the right status code, Kafka Connect's shape, only names that can exist); the worker
 * must not crash, must end with exactly the connectors the writers left, and must exit 0 without
 * a leak report on SIGTERM.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define READERS 100
#define WRITERS 8
#define NAMES_PER_WRITER 4
#define RUN_SECONDS 60

typedef struct run_state {
    char base[64];
    const char *prefix; /* every connector name starts with it */
    const char *topic;
    atomic_bool stop;
    atomic_long requests;
    atomic_long failures;
    atomic_long changes[4]; /* creates, pauses, resumes, deletes that succeeded */
    pthread_mutex_t mutex;
    char first_failure[1024];
} run_state;

typedef struct writer_state {
    run_state *run;
    int id;
    bool alive[NAMES_PER_WRITER]; /* what the server must hold at the end */
} writer_state;

static void failure(run_state *run, const char *fmt, ...)
{
    atomic_fetch_add(&run->failures, 1);
    pthread_mutex_lock(&run->mutex);
    if (!run->first_failure[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(run->first_failure, sizeof(run->first_failure), fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&run->mutex);
}

static void connector_name(const run_state *run, int writer, int index, char *out, size_t len)
{
    snprintf(out, len, "%s-w%d-c%d", run->prefix, writer, index);
}

/* A request whose status must be one of the allowed ones (0-terminated). */
static long checked(rc_client *client, run_state *run, const char *method, const char *path,
                    const char *body, const long *allowed, rc_response *response)
{
    long status = rc_call(client, method, path, body, response);
    atomic_fetch_add(&run->requests, 1);
    for (const long *ok = allowed; *ok; ok++)
        if (status == *ok)
            return status;
    failure(run, "%s %s: unexpected %ld: %s%s", method, path, status, response->body,
            response->error);
    return status;
}

static void *reader_main(void *argument)
{
    run_state *run = argument;
    rc_client *client = rc_new(run->base);
    unsigned seed = (unsigned)(uintptr_t)&client;
    char why[256], path[512], name[256];
    while (!atomic_load(&run->stop)) {
        rc_response response;
        if (rand_r(&seed) % 4 == 0) {
            static const long ok[] = {200, 0};
            if (checked(client, run, "GET", "/connectors", NULL, ok, &response) == 200) {
                size_t index;
                json_t *item;
                if (!json_is_array(response.json))
                    failure(run, "GET /connectors: not an array: %s", response.body);
                json_array_foreach(response.json, index, item) {
                    const char *text = json_string_value(item);
                    if (!text || strncmp(text, run->prefix, strlen(run->prefix)) != 0)
                        failure(run, "GET /connectors: unknown name in %s", response.body);
                }
            }
        } else {
            connector_name(run, rand_r(&seed) % WRITERS, rand_r(&seed) % NAMES_PER_WRITER,
                           name, sizeof(name));
            snprintf(path, sizeof(path), "/connectors/%s/status", name);
            static const long ok[] = {200, 404, 0};
            long status = checked(client, run, "GET", path, NULL, ok, &response);
            if (status == 200 && !rc_shape_status(response.json, why, sizeof(why)))
                failure(run, "GET %s: %s: %s", path, why, response.body);
            else if (status == 200 &&
                     strcmp(json_string_value(json_object_get(response.json, "name")), name) != 0)
                failure(run, "GET %s: the status of another connector: %s", path,
                        response.body);
            else if (status == 404 && !rc_shape_error(response.json, 404, why, sizeof(why)))
                failure(run, "GET %s: %s: %s", path, why, response.body);
        }
        rc_response_clear(&response);
        fp_sleep_ms(2);
    }
    rc_free(client);
    return NULL;
}

static void *writer_main(void *argument)
{
    writer_state *self = argument;
    run_state *run = self->run;
    rc_client *client = rc_new(run->base);
    unsigned seed = (unsigned)self->id * 7919u + 1;
    char name[256], path[512], body[1024], why[256];
    while (!atomic_load(&run->stop)) {
        int index = rand_r(&seed) % NAMES_PER_WRITER;
        connector_name(run, self->id, index, name, sizeof(name));
        rc_response response;
        if (!self->alive[index]) {
            snprintf(body, sizeof(body), "{\"name\":\"%s\",\"config\":{\"connector.class\":"
                     "\"SequenceSource\",\"topic\":\"%s\",\"partitions\":\"1\",\"batch.size\":"
                     "\"1\",\"interval.ms\":\"500\"}}", name, run->topic);
            static const long ok[] = {201, 0};
            if (checked(client, run, "POST", "/connectors", body, ok, &response) == 201) {
                self->alive[index] = true;
                atomic_fetch_add(&run->changes[0], 1);
                if (!rc_shape_connector_info(response.json, why, sizeof(why)))
                    failure(run, "POST %s: %s", name, why);
            }
            rc_response_clear(&response);
            continue;
        }
        static const long accepted[] = {202, 0};
        static const long deleted[] = {204, 0};
        int action = rand_r(&seed) % 3;
        switch (action) {
        case 0:
            snprintf(path, sizeof(path), "/connectors/%s/pause", name);
            if (checked(client, run, "PUT", path, NULL, accepted, &response) == 202)
                atomic_fetch_add(&run->changes[1], 1);
            break;
        case 1:
            snprintf(path, sizeof(path), "/connectors/%s/resume", name);
            if (checked(client, run, "PUT", path, NULL, accepted, &response) == 202)
                atomic_fetch_add(&run->changes[2], 1);
            break;
        default:
            snprintf(path, sizeof(path), "/connectors/%s", name);
            if (checked(client, run, "DELETE", path, NULL, deleted, &response) == 204) {
                self->alive[index] = false;
                atomic_fetch_add(&run->changes[3], 1);
            }
            break;
        }
        rc_response_clear(&response);
        fp_sleep_ms(20);
    }
    rc_free(client);
    return NULL;
}

static void test_concurrent_clients(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("rest_concurrency");
    static run_state run;
    memset(&run, 0, sizeof(run));
    pthread_mutex_init(&run.mutex, NULL);
    run.prefix = fp_name(env, "cc");
    run.topic = fp_name(env, "ticks");
    kt_create_topic(run.topic, 1, NULL);
    const char *worker_file = fp_worker_file(env, "worker.properties", 1000,
                                             "task.shutdown.graceful.timeout.ms=2000");
    fp_proc *proc = fp_start(env, worker_file, NULL);
    assert_true(fp_wait_log(proc, "REST API listening", 60000));
    snprintf(run.base, sizeof(run.base), "http://127.0.0.1:%d", fp_listener_port(env));
    rc_client *client = rc_new(run.base);
    assert_true(rc_wait_healthy(client, 60000));

    pthread_t readers[READERS];
    pthread_t writers[WRITERS];
    static writer_state writers_state[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        writers_state[i] = (writer_state){.run = &run, .id = i};
        assert_int_equal(pthread_create(&writers[i], NULL, writer_main, &writers_state[i]), 0);
    }
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, reader_main, &run), 0);
    int64_t started = fp_now_ms();
    while (fp_now_ms() - started < RUN_SECONDS * 1000) {
        fp_sleep_ms(1000);
        if (!fp_alive(proc))
            fail_msg("ferry exited during the run");
    }
    atomic_store(&run.stop, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(writers[i], NULL);
    long requests = atomic_load(&run.requests);
    printf("# %ld requests in %d s by %d readers and %d writers, %ld wrong answers\n", requests,
           RUN_SECONDS, READERS, WRITERS, atomic_load(&run.failures));
    printf("# writers: %ld creates, %ld pauses, %ld resumes, %ld deletes\n",
           atomic_load(&run.changes[0]), atomic_load(&run.changes[1]),
           atomic_load(&run.changes[2]), atomic_load(&run.changes[3]));
    if (atomic_load(&run.failures) > 0)
        fail_msg("%ld wrong answers; the first: %s", atomic_load(&run.failures),
                 run.first_failure);
    assert_true(requests > 1000);
    assert_true(atomic_load(&run.changes[0]) > 10 && atomic_load(&run.changes[3]) > 10);

    /* The server holds exactly what the writers left. */
    json_t *names = rc_expect(client, "GET", "/connectors", NULL, 200);
    size_t expected = 0;
    for (int w = 0; w < WRITERS; w++) {
        for (int c = 0; c < NAMES_PER_WRITER; c++) {
            if (!writers_state[w].alive[c])
                continue;
            expected++;
            char name[256], path[512];
            connector_name(&run, w, c, name, sizeof(name));
            snprintf(path, sizeof(path), "/connectors/%s/status", name);
            json_decref(rc_expect(client, "GET", path, NULL, 200));
        }
    }
    assert_int_equal(json_array_size(names), expected);
    json_decref(names);
    rc_free(client);
    fp_stop(proc, 120000);
    pthread_mutex_destroy(&run.mutex);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_clients),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
