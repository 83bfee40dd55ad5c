/*
 * test_secrets_at_rest.c - encrypted sensitive values in the configs topic, through the real
 * binary on the real broker: with a key file, a connector's literal password is warned about
 * (connector and key named, never the value), is not in the configs topic's raw bytes, and the
 * task still receives it in plaintext; after a restart with a rotated key file (a new current key
 * plus the old one) the connector still runs and its rewritten records name the new key; a
 * worker without the key fails the connector with the key and the key id in its trace; in a
 * cluster, a rotation ends with each connector's config written again; values written before
 * encryption was on are still read and are sealed when written again. The password is in no log
 * line and no REST answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define PASSWORD "AtRestPw-7731"
#define KEY_OLD "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_NEW "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KEY_OTHER "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="

/* Waits until the connector's status is state (its task's, when task is true); returns the
 * status answer. */
static json_t *wait_state(rc_client *client, const char *name, bool task, const char *state)
{
    char path[256];
    snprintf(path, sizeof(path), "/connectors/%s/status", name);
    int64_t deadline = fp_now_ms() + 60000;
    for (;;) {
        rc_response response = {0};
        long code = rc_call(client, "GET", path, NULL, &response);
        json_t *status = code == 200 ? json_loads(response.body, 0, NULL) : NULL;
        rc_response_clear(&response);
        json_t *holder = task ? json_array_get(json_object_get(status, "tasks"), 0)
                              : json_object_get(status, "connector");
        const char *now = json_string_value(json_object_get(holder, "state"));
        if (now && strcmp(now, state) == 0)
            return status;
        json_decref(status);
        if (fp_now_ms() > deadline)
            fail_msg("%s %s did not become %s", name, task ? "task 0" : "connector", state);
        fp_sleep_ms(200);
    }
}

/* The configs topic's raw bytes: asserts the password is nowhere; true when some record holds
 * "ferry-enc:v1:<key id>:". */
static bool topic_names_key(const char *topic, const char *key_id)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "ferry-enc:v1:%s:", key_id);
    kt_records *records = kt_consume_all(topic, 15000);
    bool found = false;
    for (size_t i = 0; i < records->count; i++) {
        const kt_record *record = &records->items[i];
        if (record->value && memmem(record->value, record->value_len, PASSWORD,
                                    strlen(PASSWORD)))
            fail_msg("the configs topic holds the password in %s", record->key);
        if (record->value && memmem(record->value, record->value_len, needle, strlen(needle)))
            found = true;
    }
    kt_records_free(records);
    return found;
}

static void assert_task_got_password(fp_env *env)
{
    const char *path = fp_path(env, "out.txt.password");
    int64_t deadline = fp_now_ms() + 30000;
    size_t len = 0;
    char *text = NULL;
    while (!(text = fp_read_file(path, &len)) && fp_now_ms() < deadline)
        fp_sleep_ms(200);
    assert_non_null(text);
    assert_string_equal(text, PASSWORD);
    free(text);
    unlink(path);
}

static void assert_no_password(const char *where, const char *text)
{
    if (text && strstr(text, PASSWORD))
        fail_msg("%s holds the password", where);
}

static void assert_answers_clean(rc_client *client, const char *name)
{
    const char *suffixes[] = {"/config", "", "/tasks", "/status"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "/connectors/%s%s", name, suffixes[i]);
        rc_response response = {0};
        rc_call(client, "GET", path, NULL, &response);
        assert_no_password(path, response.body);
        if (response.body && strstr(response.body, "ferry-enc:"))
            fail_msg("%s shows a sealed value: %s", path, response.body);
        rc_response_clear(&response);
    }
}

/* The latest value of a record of the configs topic, as a JSON object (NULL when none). */
static const char *latest_password(json_t *latest, const char *record_key)
{
    return json_string_value(json_object_get(json_object_get(json_object_get(latest, record_key),
                                                             "properties"),
                                             "password"));
}

/* Waits until the latest connector-<name> and task-<name>-0 records both seal the password with
 * key_id. */
static void wait_records_sealed_with(fp_env *env, const char *name, const char *key_id)
{
    char connector_key[256], task_key[256], prefix[64];
    snprintf(connector_key, sizeof(connector_key), "connector-%s", name);
    snprintf(task_key, sizeof(task_key), "task-%s-0", name);
    snprintf(prefix, sizeof(prefix), "ferry-enc:v1:%s:", key_id);
    int64_t deadline = fp_now_ms() + 30000;
    for (;;) {
        json_t *latest = kt_latest_by_key(fp_configs_topic(env));
        const char *connector = latest_password(latest, connector_key);
        const char *task = latest_password(latest, task_key);
        bool done = connector && task && strncmp(connector, prefix, strlen(prefix)) == 0 &&
                    strncmp(task, prefix, strlen(prefix)) == 0;
        json_decref(latest);
        if (done)
            return;
        if (fp_now_ms() > deadline)
            fail_msg("the records of %s are not sealed with key '%s'", name, key_id);
        fp_sleep_ms(300);
    }
}

/* A worker file whose worker encrypts with the keys written to <temp dir>/keys. */
static const char *encrypting_worker(fp_env *env)
{
    char extra[512];
    snprintf(extra, sizeof(extra), "config.storage.encryption.key.file=%s\n",
             fp_path(env, "keys"));
    return fp_worker_file(env, "worker.properties", 1000, extra);
}

/* The RecordingSink config with the password, as the body of PUT /connectors/<name>/config. */
static char *sink_config(fp_env *env, const char *topic)
{
    char *config = NULL;
    assert_true(asprintf(&config, "{\"connector.class\":\"RecordingSink\",\"topics\":\"%s\","
                         "\"file\":\"%s\",\"password\":\"%s\"}", topic,
                         fp_path(env, "out.txt"), PASSWORD) > 0);
    return config;
}

/* A worker started (distributed or standalone) and its task of name seen RUNNING with the
 * password; config (not NULL) is PUT first, expecting status. */
static fp_proc *run_sink(fp_env *env, const char *worker, bool distributed, const char *name,
                         const char *config, long status, rc_client **client)
{
    fp_proc *proc = distributed ? fp_start_distributed(env, worker) : fp_start(env, worker, NULL);
    *client = rc_new_local(fp_listener_port(env), 30000);
    if (config) {
        char path[256];
        snprintf(path, sizeof(path), "/connectors/%s/config", name);
        json_decref(rc_expect(*client, "PUT", path, config, status));
    }
    json_decref(wait_state(*client, name, true, "RUNNING"));
    assert_task_got_password(env);
    return proc;
}

/* Stops the worker; its log holds no password. */
static void stop_clean(fp_proc *proc, rc_client *client)
{
    rc_free(client);
    fp_stop(proc, 30000);
    char *log = fp_log(proc);
    assert_no_password("the worker log", log);
    free(log);
}

static void test_encrypted_and_rotated(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("secrets_at_rest");
    const char *topic = fp_name(env, "in");
    const char *name = fp_name(env, "sink");
    kt_create_topic(topic, 1, NULL);
    fp_write(env, "keys", "# current first\nold=%s\n", KEY_OLD);
    const char *worker = encrypting_worker(env);
    char *config = sink_config(env, topic);
    rc_client *client = NULL;
    fp_proc *proc = run_sink(env, worker, false, name, config, 201, &client);
    char warning[512];
    snprintf(warning, sizeof(warning), "connector %s: sensitive key 'password' holds a literal "
             "value", name);
    assert_true(fp_wait_log(proc, warning, 10000));
    assert_true(topic_names_key(fp_configs_topic(env), "old"));
    assert_answers_clean(client, name);
    stop_clean(proc, client);

    /* Rotation: a new current key, the old one kept. The task configs, written again at a
     * standalone worker's start, are sealed with the new key. */
    fp_write(env, "keys", "new=%s\nold=%s\n", KEY_NEW, KEY_OLD);
    proc = run_sink(env, worker, false, name, NULL, 0, &client);
    assert_true(topic_names_key(fp_configs_topic(env), "new"));
    assert_answers_clean(client, name);
    stop_clean(proc, client);

    /* Neither key: the connector fails naming the key and the key id. */
    fp_write(env, "keys", "other=%s\n", KEY_OTHER);
    proc = fp_start(env, worker, NULL);
    client = rc_new_local(fp_listener_port(env), 30000);
    json_t *status = wait_state(client, name, false, "FAILED");
    const char *trace = json_string_value(json_object_get(json_object_get(status, "connector"),
                                                          "trace"));
    assert_non_null(trace);
    assert_non_null(strstr(trace, "key 'password'"));
    assert_non_null(strstr(trace, "key id 'old'"));
    assert_no_password("the FAILED trace", trace);
    json_decref(status);
    assert_answers_clean(client, name);
    stop_clean(proc, client);
    char *log = fp_log(proc);
    char logged[256];
    snprintf(logged, sizeof(logged), "connector %s: key 'password' is encrypted with key id 'old'",
             name);
    assert_non_null(strstr(log, logged));
    free(log);
    free(config);
    fp_pass(env);
    fp_env_finish(env);
}

/* A cluster's worker: task configs come from the configs topic, and a rotation finishes by
 * writing each connector's config again (docs/security.md). */
static void test_distributed_rotation(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("secrets_distributed");
    const char *topic = fp_name(env, "in");
    const char *name = fp_name(env, "sink");
    kt_create_topic(topic, 1, NULL);
    fp_write(env, "keys", "old=%s\n", KEY_OLD);
    const char *worker = encrypting_worker(env);
    char *config = sink_config(env, topic);
    rc_client *client = NULL;
    fp_proc *proc = run_sink(env, worker, true, name, config, 201, &client);
    wait_records_sealed_with(env, name, "old");
    assert_true(topic_names_key(fp_configs_topic(env), "old"));
    assert_answers_clean(client, name);
    stop_clean(proc, client);

    /* The new key first: the worker reads both, and writing the config again seals the
     * connector's config and its unchanged task configs with the new key. */
    fp_write(env, "keys", "new=%s\nold=%s\n", KEY_NEW, KEY_OLD);
    proc = run_sink(env, worker, true, name, config, 200, &client);
    wait_records_sealed_with(env, name, "new");
    stop_clean(proc, client);

    /* The old key removed: everything still opens. */
    fp_write(env, "keys", "new=%s\n", KEY_NEW);
    proc = run_sink(env, worker, true, name, NULL, 0, &client);
    assert_answers_clean(client, name);
    stop_clean(proc, client);
    char *log = fp_log(proc);
    assert_null(strstr(log, "could not decrypt"));
    free(log);
    free(config);
    fp_pass(env);
    fp_env_finish(env);
}

/* Values written before encryption was turned on are read as they are, and sealed when written
 * again. */
static void test_plaintext_compatible(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("secrets_plaintext");
    const char *topic = fp_name(env, "in");
    const char *name = fp_name(env, "sink");
    kt_create_topic(topic, 1, NULL);
    char *config = sink_config(env, topic);
    rc_client *client = NULL;
    fp_proc *proc = run_sink(env, fp_worker_file(env, "plain.properties", 1000, ""), true, name,
                             config, 201, &client);
    stop_clean(proc, client);

    fp_write(env, "keys", "k1=%s\n", KEY_NEW);
    proc = run_sink(env, encrypting_worker(env), true, name, config, 200, &client);
    wait_records_sealed_with(env, name, "k1");
    assert_answers_clean(client, name);
    stop_clean(proc, client);
    free(config);
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_encrypted_and_rotated, fp_env_teardown),
        cmocka_unit_test_teardown(test_distributed_rotation, fp_env_teardown),
        cmocka_unit_test_teardown(test_plaintext_compatible, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
