/*
 * test_herder.c - the herder interface without a worker: dispatch through a herder's table, a
 * change completed later on another thread and waited for (as a distributed herder will), the
 * waiter serving one change after another, results, and the merge rules of a config PATCH.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herder/herder.h"

/* A herder that answers a delete later, from a thread of its own, and refuses a restart while
 * it "rebalances". */
typedef struct fake_herder {
    herder base;
    pthread_t thread;
    bool started;
    herder_callback done;
    void *opaque;
    char name[64];
    bool destroyed;
} fake_herder;

static void *fake_complete_main(void *argument)
{
    fake_herder *fake = argument;
    herder_result result = {0};
    herder_result_set(&result, HERDER_OK, "deleted %s", fake->name);
    result.answer = json_pack("{s:s}", "name", fake->name);
    herder_complete(fake->done, fake->opaque, &result);
    return NULL;
}

static void fake_delete(herder *base, const char *name, herder_callback done, void *opaque)
{
    fake_herder *fake = (fake_herder *)base;
    snprintf(fake->name, sizeof(fake->name), "%s", name);
    fake->done = done;
    fake->opaque = opaque;
    assert_int_equal(pthread_create(&fake->thread, NULL, fake_complete_main, fake), 0);
    fake->started = true;
}

static void fake_restart(herder *base, const char *name, int task, bool include_tasks,
                         bool only_failed, herder_callback done, void *opaque)
{
    (void)base;
    (void)task;
    (void)include_tasks;
    (void)only_failed;
    herder_result result = {0};
    herder_result_set(&result, HERDER_REBALANCING, "Cannot restart %s during a rebalance", name);
    herder_complete(done, opaque, &result);
}

static bool fake_is_ready(herder *base)
{
    (void)base;
    return true;
}

static void fake_destroy(herder *base)
{
    ((fake_herder *)base)->destroyed = true;
}

static const herder_ops fake_ops = {
    .connector_delete = fake_delete,
    .connector_restart = fake_restart,
    .is_ready = fake_is_ready,
    .destroy = fake_destroy,
};

static void test_dispatch_and_wait(void **state)
{
    (void)state;
    fake_herder fake = {.base = {.ops = &fake_ops}};
    herder_waiter *waiter = herder_waiter_new();
    assert_non_null(waiter);
    assert_true(herder_is_ready(&fake.base));

    /* Completed on another thread, after the call returned. */
    herder_connector_delete(&fake.base, "orders", herder_waiter_done, waiter);
    herder_result result;
    herder_wait(waiter, &result);
    assert_true(fake.started);
    pthread_join(fake.thread, NULL);
    assert_int_equal(result.status, HERDER_OK);
    assert_string_equal(result.message, "deleted orders");
    assert_string_equal(json_string_value(json_object_get(result.answer, "name")), "orders");
    herder_result_clear(&result);
    assert_null(result.answer);
    assert_string_equal(result.message, "");

    /* The same waiter serves the next change, completed before the call returned. */
    herder_connector_restart(&fake.base, "orders", -1, true, false, herder_waiter_done, waiter);
    herder_wait(waiter, &result);
    assert_int_equal(result.status, HERDER_REBALANCING);
    assert_string_equal(result.message, "Cannot restart orders during a rebalance");
    assert_null(result.answer);
    herder_result_clear(&result);

    /* Nobody waiting. */
    herder_connector_restart(&fake.base, "orders", 0, false, false, NULL, NULL);

    herder_waiter_destroy(waiter);
    herder_waiter_destroy(NULL);
    herder_destroy(&fake.base);
    assert_true(fake.destroyed);
    herder_destroy(NULL);
}

static config_map *stored_config(void)
{
    config_map *config = config_map_new();
    config_map_set(config, "name", "orders");
    config_map_set(config, "connector.class", "FileStreamSource");
    config_map_set(config, "removed.later", "1");
    return config;
}

static json_t *json_parse(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, 0, &error);
    if (!value)
        fail_msg("bad test JSON: %s", error.text);
    return value;
}

static void test_config_merge(void **state)
{
    (void)state;
    config_map *config = stored_config();
    json_t *patch = json_parse("{\"topic\":\"t\",\"batch.size\":7,\"ratio\":0.5,"
                               "\"enabled\":true,\"removed.later\":null,\"name\":\"orders\"}");
    herder_result result = {0};
    assert_int_equal(herder_config_merge(config, patch, "orders", &result), 0);
    assert_string_equal(config_map_get(config, "topic"), "t");
    assert_string_equal(config_map_get(config, "batch.size"), "7");
    assert_string_equal(config_map_get(config, "ratio"), "0.5");
    assert_string_equal(config_map_get(config, "enabled"), "true");
    assert_null(config_map_get(config, "removed.later"));
    assert_string_equal(config_map_get(config, "name"), "orders");
    json_decref(patch);

    /* Removing the name keeps it. */
    patch = json_parse("{\"name\":null}");
    assert_int_equal(herder_config_merge(config, patch, "orders", &result), 0);
    assert_string_equal(config_map_get(config, "name"), "orders");
    json_decref(patch);
    config_map_destroy(config);

    static const struct {
        const char *patch;
        const char *message;
    } refused[] = {
        {"{\"tasks.max\":[1]}", "Invalid value for configuration tasks.max: expected a string, "
                                "a number, a boolean or null"},
        {"{\"transforms\":{\"a\":1}}", "Invalid value for configuration transforms: expected a "
                                       "string, a number, a boolean or null"},
        {"{\"name\":\"renamed\"}", "Connector name configuration (renamed) doesn't match "
                                   "connector name in the URL (orders)"},
        {"{\"name\":5}", "Connector name configuration (5) doesn't match connector name in the "
                         "URL (orders)"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        config = stored_config();
        patch = json_parse(refused[i].patch);
        assert_int_equal(herder_config_merge(config, patch, "orders", &result), -1);
        assert_int_equal(result.status, HERDER_INVALID);
        assert_string_equal(result.message, refused[i].message);
        herder_result_clear(&result);
        json_decref(patch);
        config_map_destroy(config);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_and_wait),
        cmocka_unit_test(test_config_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
