/*
 * test_config_redact.c - secrets hidden the one way: by the plugin's declaration, by type
 * PASSWORD, by name (password, secret, token, credentials, ...), in configs, in free text and in
 * status traces; provider references and short values left as they are in text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/config_redact.h"

static const ferry_config_key plugin_keys[] = {
    {.name = "connection.url", .type = FERRY_CONFIG_STRING},
    {.name = "private.blob", .type = FERRY_CONFIG_STRING, .sensitive = true},
    {.name = "login", .type = FERRY_CONFIG_PASSWORD},
    {.name = NULL},
};
static const ferry_config_key *const defs[] = {plugin_keys};

static config_map *sample_config(void)
{
    config_map *config = config_map_new();
    config_map_set(config, "name", "c1");
    config_map_set(config, "connection.url", "http://es:9200");
    config_map_set(config, "private.blob", "blob-value-1");
    config_map_set(config, "login", "login-value-2");
    config_map_set(config, "database.password", "pw-value-3");
    config_map_set(config, "sasl.jaas.config", "jaas-value-4");
    config_map_set(config, "api_token", "${file:/run/secrets:token}");
    config_map_set(config, "connection.secret", "abc");
    return config;
}

static void test_config_values_hidden(void **state)
{
    (void)state;
    config_map *config = sample_config();
    json_t *object = config_map_to_json(config);
    config_redact_object(object, defs, 1);
    assert_string_equal(json_string_value(json_object_get(object, "name")), "c1");
    assert_string_equal(json_string_value(json_object_get(object, "connection.url")),
                        "http://es:9200");
    const char *hidden[] = {"private.blob", "login", "database.password", "sasl.jaas.config",
                            "api_token", "connection.secret"};
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
        assert_string_equal(json_string_value(json_object_get(object, hidden[i])), CONFIG_REDACTED);
    json_decref(object);
    config_map_destroy(config);
}

static void test_text_scrubbed(void **state)
{
    (void)state;
    config_map *config = sample_config();
    char *text = config_redact_text("login failed for pw-value-3 (blob-value-1, blob-value-1) "
                                  "with token ${file:/run/secrets:token}; abc; http://es:9200",
                                  config, defs, 1);
    assert_non_null(text);
    assert_null(strstr(text, "pw-value-3"));
    assert_null(strstr(text, "blob-value-1"));
    assert_non_null(strstr(text, "login failed for [hidden] ([hidden], [hidden])"));
    /* A reference is no secret; a 3-character value is not searched for; others untouched. */
    assert_non_null(strstr(text, "${file:/run/secrets:token}"));
    assert_non_null(strstr(text, "; abc;"));
    assert_non_null(strstr(text, "http://es:9200"));
    free(text);
    config_map_destroy(config);
}

static void test_status_traces_scrubbed(void **state)
{
    (void)state;
    config_map *config = sample_config();
    json_t *status = json_pack("{s:s, s:{s:s, s:s}, s:[{s:i, s:s, s:s}, {s:i, s:s}]}", "name", "c1",
                               "connector", "state", "FAILED", "trace", "bad jaas-value-4",
                               "tasks", "id", 0, "state", "FAILED", "trace",
                               "auth pw-value-3 refused", "id", 1, "state", "RUNNING");
    config_redact_status(status, config, defs, 1);
    char *text = json_dumps(status, JSON_COMPACT);
    assert_null(strstr(text, "jaas-value-4"));
    assert_null(strstr(text, "pw-value-3"));
    assert_non_null(strstr(text, "\"trace\":\"auth [hidden] refused\""));
    free(text);
    json_decref(status);

    /* A single task's state. */
    json_t *task = json_pack("{s:i, s:s, s:s}", "id", 0, "state", "FAILED", "trace",
                             "login-value-2!");
    config_redact_status(task, config, defs, 1);
    assert_string_equal(json_string_value(json_object_get(task, "trace")), "[hidden]!");
    json_decref(task);
    config_map_destroy(config);
}

/* The password inside a URL or connection string, in configs and in text quoting it decoded. */
static void test_credentials_in_values(void **state)
{
    (void)state;
    config_map *config = config_map_new();
    config_map_set(config, "connection.url", "http://elastic:p%40ss-es@h1:9200,http://b:pw-two@h2");
    config_map_set(config, "database.dsn", "host=db user=app password='pg pass' dbname=x");
    config_map_set(config, "topics", "orders");
    json_t *object = config_map_to_json(config);
    config_redact_object(object, defs, 1);
    assert_string_equal(json_string_value(json_object_get(object, "connection.url")),
                        "http://elastic:[hidden]@h1:9200,http://b:[hidden]@h2");
    assert_string_equal(json_string_value(json_object_get(object, "database.dsn")),
                        "host=db user=app password='[hidden]' dbname=x");
    assert_string_equal(json_string_value(json_object_get(object, "topics")), "orders");
    json_decref(object);

    strlist secrets = {0};
    assert_int_equal(config_redact_secrets(config, defs, 1, &secrets), 0);
    assert_true(strlist_contains(&secrets, "p%40ss-es"));
    assert_true(strlist_contains(&secrets, "p@ss-es"));
    assert_true(strlist_contains(&secrets, "pw-two"));
    assert_true(strlist_contains(&secrets, "pg pass"));
    assert_int_equal(secrets.count, 4);
    strlist_free(&secrets);

    char *text = config_redact_text("401 for user elastic with p@ss-es; pg pass; "
                                    "dsn host=x password=other", config, defs, 1);
    assert_non_null(text);
    assert_string_equal(text, "401 for user elastic with [hidden]; [hidden]; "
                              "dsn host=x password=[hidden]");
    free(text);
    config_map_destroy(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_values_hidden),
        cmocka_unit_test(test_text_scrubbed),
        cmocka_unit_test(test_status_traces_scrubbed),
        cmocka_unit_test(test_credentials_in_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
