/*
 * test_log_hygiene.c - what the worker's log and its dead-letter queue may hold, through the real
 * binary on the real broker:
 *   - secrets planted in connector configs (a sensitive key, a URL with credentials, a libpq
 *     connection string with password=) and quoted by failing records' error messages appear
 *     nowhere in the whole log, in any DLQ header, in the status traces or in the config answer,
 *     which keeps the rest of a URL readable;
 *   - a config with 10,000 unknown keys is warned about in one line;
 *   - a worker out of file descriptors, flooded with REST connections, writes a small log (the
 *     same line repeated is counted, not written) and answers again once they close.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define FLUSH_MS 1000

/* The secrets: a sensitive key's value, a URL's password, a connection string's password. */
#define SECRET_KEY_VALUE "PwInError4711"
#define SECRET_URL_PASSWORD "UrlPw5678"
#define SECRET_DSN_PASSWORD "DsnPw9012"
static const char *const secrets[] = {SECRET_KEY_VALUE, SECRET_URL_PASSWORD, SECRET_DSN_PASSWORD};
#define SECRET_COUNT (sizeof(secrets) / sizeof(secrets[0]))

/* Records the JSON converter refuses with a message quoting them ("... near '"<secret>'"). */
static const char *const bad_values[] = {
    "\"" SECRET_KEY_VALUE,
    "\"http://elastic:" SECRET_URL_PASSWORD "@127.0.0.1:9",
    "\"host=db password=" SECRET_DSN_PASSWORD,
};
#define BAD_COUNT (sizeof(bad_values) / sizeof(bad_values[0]))

static void assert_no_secret(const char *where, const char *text, size_t len)
{
    for (size_t i = 0; i < SECRET_COUNT; i++)
        if (text && memmem(text, len, secrets[i], strlen(secrets[i])))
            fail_msg("%s holds the secret %s: %.*s", where, secrets[i], (int)len, text);
}

static void test_secrets_scrubbed(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("secrets_scrubbed");
    const char *topic = fp_name(env, "in");
    const char *dlq = fp_name(env, "dlq");
    const char *tolerant = fp_name(env, "tolerant");
    const char *strict = fp_name(env, "strict");
    kt_create_topic(topic, 1, NULL);
    rd_kafka_t *producer = kt_producer_new(NULL);
    kt_produce(producer, topic, 0, "good", 4, "{\"n\":1}", 7, NULL, NULL);
    for (size_t i = 0; i < BAD_COUNT; i++)
        kt_produce(producer, topic, 0, "bad", 3, bad_values[i], strlen(bad_values[i]), NULL,
                   NULL);
    kt_producer_close(producer);

    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        "task.restart.auto=false\n");
    const char *common = "connector.class=RecordingSink\n"
                         "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                         "value.converter.schemas.enable=false\n"
                         "database.password=" SECRET_KEY_VALUE "\n"
                         "connection.url=http://elastic:" SECRET_URL_PASSWORD
                         "@127.0.0.1:9/,http://other@127.0.0.2:9/\n"
                         "db.dsn=host=127.0.0.1 user=app password=" SECRET_DSN_PASSWORD
                         " dbname=x\n";
    const char *all = fp_write(env, "tolerant.properties",
                               "name=%s\n%stopics=%s\nfile=%s\nerrors.tolerance=all\n"
                               "errors.log.enable=true\nerrors.log.include.messages=true\n"
                               "errors.deadletterqueue.topic.name=%s\n"
                               "errors.deadletterqueue.topic.replication.factor=1\n"
                               "errors.deadletterqueue.context.headers.enable=true\n",
                               tolerant, common, topic, fp_path(env, "tolerant.txt"), dlq);
    const char *none = fp_write(env, "strict.properties",
                                "name=%s\n%stopics=%s\nfile=%s\nerrors.tolerance=none\n"
                                "errors.log.enable=true\nerrors.log.include.messages=true\n",
                                strict, common, topic, fp_path(env, "strict.txt"));
    fp_proc *proc = fp_start(env, worker, all, none, NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 0);
    assert_true(rc_wait_healthy(client, 30000));

    /* Every bad record reaches the DLQ; the strict task fails on the first. */
    int64_t deadline = fp_now_ms() + 60000;
    while (kt_partition_count(dlq) == 0 || kt_end_offsets_sum(dlq) < (int64_t)BAD_COUNT) {
        if (!fp_alive(proc) || fp_now_ms() > deadline)
            fail_msg("the %zu bad records did not reach the dead-letter queue %s", BAD_COUNT, dlq);
        fp_sleep_ms(200);
    }
    char path[512];
    snprintf(path, sizeof(path), "/connectors/%s/status", strict);
    const char *trace = NULL;
    json_t *status = NULL;
    while (!trace) {
        json_decref(status);
        status = rc_expect(client, "GET", path, NULL, 200);
        trace = json_string_value(json_object_get(json_array_get(json_object_get(status, "tasks"), 0),
                                                  "trace"));
        if (!trace && fp_now_ms() > deadline)
            fail_msg("the strict connector's task did not fail");
        if (!trace)
            fp_sleep_ms(200);
    }
    printf("# strict task's trace: %s\n", trace);
    assert_no_secret("the status trace", trace, strlen(trace));
    assert_non_null(strstr(trace, "[hidden]"));
    json_decref(status);

    /* The config answer: whole values of sensitive keys, the password part of URLs and DSNs. */
    snprintf(path, sizeof(path), "/connectors/%s/config", tolerant);
    json_t *config = rc_expect(client, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(config, "database.password")), "[hidden]");
    assert_string_equal(json_string_value(json_object_get(config, "connection.url")),
                        "http://elastic:[hidden]@127.0.0.1:9/,http://other@127.0.0.2:9/");
    assert_string_equal(json_string_value(json_object_get(config, "db.dsn")),
                        "host=127.0.0.1 user=app password=[hidden] dbname=x");
    json_decref(config);
    rc_free(client);
    fp_stop(proc, 30000);

    kt_records *dead = kt_consume_all(dlq, 30000);
    assert_int_equal(dead->count, BAD_COUNT);
    size_t hidden = 0;
    for (size_t r = 0; r < dead->count; r++) {
        const kt_record *record = &dead->items[r];
        for (size_t h = 0; h < record->header_count; h++) {
            const kt_header *header = &record->headers[h];
            char where[256];
            snprintf(where, sizeof(where), "DLQ record %zu, header %s", r, header->name);
            assert_no_secret(where, header->value, header->value_len);
            if (header->value && strstr(header->value, "[hidden]"))
                hidden++;
        }
    }
    printf("# %zu DLQ headers with a hidden value\n", hidden);
    assert_true(hidden >= 1); /* the converter quotes the first bad value */
    kt_records_free(dead);

    char *log = fp_log(proc);
    assert_no_secret("the worker log", log, strlen(log));
    assert_non_null(strstr(log, "[hidden]"));
    free(log);
    fp_pass(env);
}

static void test_unknown_keys_in_one_line(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("unknown_keys");
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    fp_proc *proc = fp_start(env, worker, NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 0);
    assert_true(rc_wait_healthy(client, 30000));
    json_t *config = json_pack("{s:s, s:s, s:s}", "connector.class", "RecordingSink", "topics",
                               fp_name(env, "in"), "file", fp_path(env, "out.txt"));
    for (int i = 0; i < 10000; i++) {
        char key[32];
        snprintf(key, sizeof(key), "unknown.key.%05d", i);
        json_object_set_new(config, key, json_string("x"));
    }
    char *body = json_dumps(config, JSON_COMPACT);
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s/config", fp_name(env, "many_keys"));
    json_decref(rc_expect(client, "PUT", path, body, 201));
    free(body);
    json_decref(config);
    rc_free(client);
    fp_stop(proc, 30000);

    char *log = fp_log(proc);
    size_t lines = 0;
    for (const char *at = strstr(log, "unknown config key"); at;
         at = strstr(at + 1, "unknown config key"))
        lines++;
    const char *line = strstr(log, "10000 unknown config keys");
    if (lines != 1 || !line)
        fail_msg("%zu lines warn about unknown keys, expected one naming 10000", lines);
    const char *end = strchr(line, '\n');
    printf("# %.*s\n", (int)(end ? end - line : 200), line);
    assert_non_null(strstr(line, "'unknown.key.00000'"));
    assert_non_null(strstr(line, "and 9995 more"));
    assert_true(end && end - line < 400);
    free(log);
    fp_pass(env);
}

/* A worker with 64 file descriptors, and more REST connections than it can accept. */
#define FD_LIMIT 64
#define FLOOD_CONNECTIONS 200
#define FLOOD_MS 5000
#define FLOOD_MAX_LINES 300

static void test_fd_exhaustion_log_stays_small(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("fd_exhaustion");
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS, NULL);
    /* As `ulimit -n 64; exec ferry ...`: the worker inherits the limit. */
    struct rlimit saved, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = FD_LIMIT;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    fp_proc *proc = fp_start(env, worker, NULL);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    rc_client *client = rc_new_local(fp_listener_port(env), 0);
    assert_true(rc_wait_healthy(client, 30000));
    size_t lines_before = fp_count_lines(fp_log_path(proc));

    int sockets[FLOOD_CONNECTIONS];
    size_t opened = 0;
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_port = htons((uint16_t)fp_listener_port(env)),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (; opened < FLOOD_CONNECTIONS; opened++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
            close(fd);
            break;
        }
        sockets[opened] = fd;
    }
    printf("# %zu connections opened to a worker limited to %d descriptors\n", opened, FD_LIMIT);
    fp_sleep_ms(FLOOD_MS);
    size_t lines = fp_count_lines(fp_log_path(proc)) - lines_before;
    printf("# %zu log lines in %d ms of exhaustion\n", lines, FLOOD_MS);
    bool refused = fp_log_contains(proc, "accept") || fp_log_contains(proc, "resource limit");
    for (size_t i = 0; i < opened; i++)
        close(sockets[i]);
    if (lines > FLOOD_MAX_LINES)
        fail_msg("%zu log lines in %d ms, expected at most %d", lines, FLOOD_MS,
                 FLOOD_MAX_LINES);
    if (!refused)
        printf("# (the worker logged no accept failure: it had descriptors to spare)\n");

    /* Once the connections are gone, the API answers again. */
    assert_true(rc_wait_healthy(client, 30000));
    json_decref(rc_expect(client, "GET", "/connectors", NULL, 200));
    rc_free(client);
    fp_stop(proc, 30000);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_secrets_scrubbed, fp_env_teardown),
        cmocka_unit_test_teardown(test_unknown_keys_in_one_line, fp_env_teardown),
        cmocka_unit_test_teardown(test_fd_exhaustion_log_stays_small, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
