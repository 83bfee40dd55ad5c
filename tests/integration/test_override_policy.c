/*
 * test_override_policy.c - connector.client.config.override.policy through the real binary on the
 * real broker: None refuses any override, Principal allows only sasl.jaas.config, sasl.mechanism
 * and security.protocol, All allows everything; config/validate shows Kafka Connect's message on
 * the prefixed key (in no group), a create is refused with 400 and the same message, a connector
 * file given on the command line is refused too, and an unknown policy stops the worker naming
 * the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ferry_process.h"
#include "kafka_tool.h"
#include "test_rest_client.h"

#define NONE_MESSAGE "The 'None' policy does not allow 'max.poll.records' to be overridden in " \
                     "the connector configuration."
#define PRINCIPAL_MESSAGE "The 'Principal' policy does not allow 'max.poll.records' to be " \
                          "overridden in the connector configuration."

/* A RecordingSink's create request with extra "key":"value" members. */
static char *create_body(fp_env *env, const char *name, const char *topic, const char *extra)
{
    char *body = NULL;
    assert_true(asprintf(&body, "{\"name\":\"%s\",\"config\":{\"connector.class\":"
                         "\"RecordingSink\",\"topics\":\"%s\",\"file\":\"%s\"%s}}", name, topic,
                         fp_path(env, "out.txt"), extra) > 0);
    return body;
}

/* The validate answer's entry of key, or NULL. */
static json_t *validate_entry(json_t *answer, const char *key)
{
    size_t index;
    json_t *entry;
    json_array_foreach(json_object_get(answer, "configs"), index, entry) {
        const char *name = json_string_value(json_object_get(json_object_get(entry, "value"),
                                                             "name"));
        if (name && strcmp(name, key) == 0)
            return entry;
    }
    return NULL;
}

static void test_none(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("policy_none");
    const char *topic = fp_name(env, "in");
    kt_create_topic(topic, 1, NULL);
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "connector.client.config.override.policy=None\n");
    /* A connector file with a forbidden override, given on the command line. */
    const char *file_connector = fp_write(env, "refused.properties",
                                          "name=%s\nconnector.class=RecordingSink\ntopics=%s\n"
                                          "file=%s\nconsumer.override.max.poll.records=5\n",
                                          fp_name(env, "from_file"), topic,
                                          fp_path(env, "file.txt"));
    fp_proc *proc = fp_start(env, worker, file_connector, NULL);
    int code = 0;
    assert_true(fp_wait_exit(proc, 30000, &code));
    assert_int_not_equal(code, 0);
    assert_true(fp_log_contains(proc, NONE_MESSAGE));

    proc = fp_start(env, worker, NULL);
    {
        rc_client *client = rc_new_local(fp_listener_port(env), 30000);
        char path[256];
        snprintf(path, sizeof(path), "/connectors/%s", fp_name(env, "from_file"));
        rc_expect_error(client, "GET", path, NULL, 404, NULL);

        /* validate: the error under the prefixed key, in no group. */
        char *body = NULL;
        assert_true(asprintf(&body, "{\"name\":\"v\",\"connector.class\":\"RecordingSink\","
                             "\"topics\":\"%s\",\"file\":\"/tmp/x\","
                             "\"consumer.override.max.poll.records\":\"5\","
                             "\"consumer.override.sasl.mechanism\":\"PLAIN\"}", topic) > 0);
        json_t *answer = rc_expect(client, "PUT",
                                   "/connector-plugins/RecordingSink/config/validate", body, 200);
        assert_int_equal(json_integer_value(json_object_get(answer, "error_count")), 2);
        json_t *entry = validate_entry(answer, "consumer.override.max.poll.records");
        assert_non_null(entry);
        json_t *errors = json_object_get(json_object_get(entry, "value"), "errors");
        assert_int_equal(json_array_size(errors), 1);
        assert_string_equal(json_string_value(json_array_get(errors, 0)), NONE_MESSAGE);
        assert_true(json_is_null(json_object_get(json_object_get(entry, "definition"),
                                                 "group")));
        size_t index;
        json_t *group;
        json_array_foreach(json_object_get(answer, "groups"), index, group)
            assert_null(strstr(json_string_value(group), "override"));
        json_decref(answer);
        free(body);

        /* create: 400 with Kafka Connect's refusal. */
        body = create_body(env, fp_name(env, "refused"), topic,
                           ",\"consumer.override.max.poll.records\":\"5\"");
        rc_expect_error(client, "POST", "/connectors", body, 400,
                        "Connector configuration is invalid and contains the following 1 "
                        "error(s):\n" NONE_MESSAGE "\nYou can also find the above list of "
                        "errors at the endpoint "
                        "`/connector-plugins/{connectorType}/config/validate`");
        free(body);
        /* update: refused the same way. */
        snprintf(path, sizeof(path), "/connectors/%s/config", fp_name(env, "refused"));
        char *config = NULL;
        assert_true(asprintf(&config, "{\"connector.class\":\"RecordingSink\",\"topics\":\"%s\","
                             "\"file\":\"/tmp/x\",\"consumer.override.acks\":\"1\"}", topic) > 0);
        rc_expect_error(client, "PUT", path, config, 400, "'None' policy does not allow 'acks'");
        free(config);
        /* No override at all: created. */
        body = create_body(env, fp_name(env, "plain"), topic, "");
        json_decref(rc_expect(client, "POST", "/connectors", body, 201));
        free(body);
        rc_free(client);
        fp_stop(proc, 30000);
    }
    fp_pass(env);
    fp_env_finish(env);
}

static void test_principal_and_all(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("policy_principal");
    const char *topic = fp_name(env, "in");
    kt_create_topic(topic, 1, NULL);
    const char *worker = fp_worker_file(
        env, "worker.properties", 1000,
        "connector.client.config.override.policy=org.apache.kafka.connect.connector.policy."
        "PrincipalConnectorClientConfigOverridePolicy\n");
    fp_proc *proc = fp_start(env, worker, NULL);
    rc_client *client = rc_new_local(fp_listener_port(env), 30000);
    const char *principal = ",\"consumer.override.sasl.mechanism\":\"PLAIN\","
                            "\"consumer.override.security.protocol\":\"PLAINTEXT\"";
    char *body = create_body(env, fp_name(env, "identity"), topic, principal);
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));
    free(body);
    body = create_body(env, fp_name(env, "tuning"), topic,
                       ",\"consumer.override.max.poll.records\":\"5\"");
    rc_expect_error(client, "POST", "/connectors", body, 400, PRINCIPAL_MESSAGE);
    free(body);
    rc_free(client);
    fp_stop(proc, 30000);

    /* All (the default) allows everything. */
    worker = fp_worker_file(env, "worker-all.properties", 1000, "");
    proc = fp_start(env, worker, NULL);
    client = rc_new_local(fp_listener_port(env), 30000);
    body = create_body(env, fp_name(env, "tuned"), topic,
                       ",\"consumer.override.max.poll.records\":\"5\"");
    json_decref(rc_expect(client, "POST", "/connectors", body, 201));
    free(body);
    rc_free(client);
    fp_stop(proc, 30000);
    fp_pass(env);
    fp_env_finish(env);
}

static void test_unknown_policy(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("policy_unknown");
    const char *worker = fp_worker_file(env, "worker.properties", 1000,
                                        "connector.client.config.override.policy=Strict\n");
    fp_proc *proc = fp_start(env, worker, NULL);
    int code = 0;
    assert_true(fp_wait_exit(proc, 30000, &code));
    assert_int_not_equal(code, 0);
    assert_true(fp_log_contains(proc, "connector.client.config.override.policy"));
    assert_true(fp_log_contains(proc, "Strict"));
    fp_pass(env);
    fp_env_finish(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_none, fp_env_teardown),
        cmocka_unit_test_teardown(test_principal_and_all, fp_env_teardown),
        cmocka_unit_test_teardown(test_unknown_policy, fp_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
