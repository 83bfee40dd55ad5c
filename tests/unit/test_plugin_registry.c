/*
 * test_plugin_registry.c - the loader accepts a good plugin and refuses each deliberately broken
 * module of tests/plugins/loader with a reason that names the problem, without crashing and
 * without losing the good plugins loaded beside them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/log.h"
#include "plugin/connector_describe.h"
#include "plugin/host_services.h"
#include "plugin/plugin_registry.h"

#define LOADER_DIR FERRY_TEST_PLUGIN_DIR "/loader"

static char *module_path(const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s.so", LOADER_DIR, name) > 0);
    return path;
}

/* Loads one module into a fresh registry; returns load_file's result and the reason. */
static int load_one(const char *name, char *why, size_t whylen)
{
    plugin_registry *registry = plugin_registry_new(host_services());
    assert_non_null(registry);
    char *path = module_path(name);
    why[0] = '\0';
    int rc = plugin_registry_load_file(registry, path, why, whylen);
    if (rc != 0)
        assert_int_equal(plugin_registry_count(registry), 0);
    free(path);
    plugin_registry_destroy(registry);
    return rc;
}

static void assert_refused(const char *name, const char *expected)
{
    char why[512];
    int rc = load_one(name, why, sizeof(why));
    if (rc != -1 || !strstr(why, expected))
        fail_msg("module %s: expected refusal containing \"%s\", got rc=%d \"%s\"", name,
                 expected, rc, why);
}

static void test_good_plugin_loads_both_connector_types(void **state)
{
    plugin_registry *registry = plugin_registry_new(host_services());
    char *path = module_path("good");
    char why[512] = "";
    assert_int_equal(plugin_registry_load_file(registry, path, why, sizeof(why)), 0);
    assert_int_equal(plugin_registry_count(registry), 2);

    /* Sorted by name. */
    assert_string_equal(plugin_registry_at(registry, 0)->type->name, "TestSink");
    assert_string_equal(plugin_registry_at(registry, 1)->type->name, "TestSource");
    assert_null(plugin_registry_at(registry, 2));

    const registered_connector *source = plugin_registry_find(registry, "TestSource");
    assert_non_null(source);
    assert_int_equal(source->type->kind, FERRY_CONNECTOR_SOURCE);
    assert_string_equal(source->plugin->name, "test");
    assert_string_equal(source->plugin->version, "0.0.1");
    assert_string_equal(source->path, path);
    assert_ptr_equal(plugin_registry_find(registry, "org.example.TestSourceConnector"), source);
    assert_ptr_equal(plugin_registry_find(registry, "testsource"), source);
    assert_int_equal(plugin_registry_find(registry, "TestSink")->type->kind,
                     FERRY_CONNECTOR_SINK);
    assert_null(plugin_registry_find(registry, "NoSuchConnector"));
    assert_null(plugin_registry_find(registry, NULL));

    /* The same module again adds nothing. */
    assert_int_equal(plugin_registry_load_file(registry, path, why, sizeof(why)), 1);
    assert_int_equal(plugin_registry_count(registry), 2);
    free(path);
    plugin_registry_destroy(registry);
}

static void test_refuses_wrong_magic(void **state)
{
    assert_refused("bad_magic", "wrong magic 0xdeadbeef");
}

static void test_refuses_other_abi_major(void **state)
{
    char expected[128];
    snprintf(expected, sizeof(expected), "built for plugin ABI %d.%d, this worker speaks ABI %d.%d",
             FERRY_ABI_MAJOR + 1, FERRY_ABI_MINOR, FERRY_ABI_MAJOR, FERRY_ABI_MINOR);
    assert_refused("abi_major", expected);
}

static void test_refuses_newer_abi_minor(void **state)
{
    assert_refused("abi_minor_newer", "newer than this worker's");
}

static void test_refuses_missing_entry_symbol(void **state)
{
    assert_refused("no_entry", "no entry symbol 'ferry_plugin_entry'");
}

static void test_refuses_null_descriptor(void **state)
{
    assert_refused("null_descriptor", "entry function returned no descriptor");
}

static void test_refuses_small_descriptor(void **state)
{
    assert_refused("small_descriptor", "descriptor struct_size 8 is smaller than");
}

static void test_refuses_missing_required_callback(void **state)
{
    assert_refused("missing_callback",
                   "source connector type 'TestSource' lacks a required source task callback (poll)");
}

static void test_refuses_callbacks_of_wrong_kind(void **state)
{
    assert_refused("wrong_task_kind", "source connector type 'TestSource' also has sink task");
}

static void test_refuses_malformed_config_definitions(void **state)
{
    assert_refused("config_bad_default",
                   "malformed config definition: config key 'retries': default 'many' is not a "
                   "valid INT");
    assert_refused("config_duplicate_key", "config key 'topic' is defined twice");
    assert_refused("config_bad_type", "config key 'weird' has an unknown type 99");
    assert_refused("config_no_doc", "config key 'undocumented' has no documentation");
    assert_refused("config_bounds", "config key 'batch.size' has min 1 above max 0");
}

static void test_refuses_unloadable_files(void **state)
{
    assert_refused("garbage", "cannot be loaded:");
    assert_refused("undefined_symbol", "ferry_test_symbol_nobody_defines");
    char why[512];
    plugin_registry *registry = plugin_registry_new(host_services());
    assert_int_equal(plugin_registry_load_file(registry, LOADER_DIR "/missing.so", why,
                                               sizeof(why)), -1);
    assert_non_null(strstr(why, "cannot be loaded"));
    plugin_registry_destroy(registry);
}

static void test_refuses_a_name_already_taken(void **state)
{
    plugin_registry *registry = plugin_registry_new(host_services());
    char why[512];
    char *good = module_path("good"), *taken = module_path("zz_name_taken");
    assert_int_equal(plugin_registry_load_file(registry, good, why, sizeof(why)), 0);
    assert_int_equal(plugin_registry_load_file(registry, taken, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "connector name or alias 'TestSink' is already used by "
                                "connector type 'TestSink' from"));
    assert_non_null(strstr(why, good));
    /* Nothing of the refused module was registered. */
    assert_int_equal(plugin_registry_count(registry), 2);
    assert_null(plugin_registry_find(registry, "OtherSource"));
    free(good);
    free(taken);
    plugin_registry_destroy(registry);
}

/* Loading a whole directory: the good module is registered, every broken one gets exactly one
 * log line that names its file and the reason, and a missing directory is only a warning. */
static void test_load_path_logs_one_line_per_refusal(void **state)
{
    char *logged = NULL;
    size_t logged_len = 0;
    FILE *log_stream = open_memstream(&logged, &logged_len);
    assert_non_null(log_stream);
    log_configure(log_stream, FERRY_LOG_INFO);

    plugin_registry *registry = plugin_registry_new(host_services());
    size_t loaded = plugin_registry_load_path(registry, " " LOADER_DIR " , /no/such/dir ");
    fflush(log_stream);
    log_configure(stderr, FERRY_LOG_INFO);
    fclose(log_stream);

    assert_int_equal(loaded, 1);
    assert_int_equal(plugin_registry_count(registry), 2);
    assert_non_null(plugin_registry_find(registry, "TestSource"));

    static const char *const refused[] = {
        "bad_magic", "abi_major", "abi_minor_newer", "no_entry", "null_descriptor",
        "small_descriptor", "missing_callback", "wrong_task_kind", "config_bad_default",
        "config_duplicate_key", "config_bad_type", "config_no_doc", "config_bounds",
        "zz_name_taken", "undefined_symbol", "garbage",
    };
    size_t refusal_lines = 0;
    for (const char *at = logged; (at = strstr(at, "refused plugin ")); at++)
        refusal_lines++;
    assert_int_equal(refusal_lines, sizeof(refused) / sizeof(refused[0]));
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char needle[256];
        snprintf(needle, sizeof(needle), "refused plugin %s/%s.so: ", LOADER_DIR, refused[i]);
        if (!strstr(logged, needle))
            fail_msg("no refusal line for %s in:\n%s", refused[i], logged);
    }
    assert_non_null(strstr(logged, "plugin.path directory /no/such/dir cannot be read"));
    free(logged);
    plugin_registry_destroy(registry);
}

static void test_descriptor_check_without_loading(void **state)
{
    char why[256];
    assert_int_equal(plugin_descriptor_check(NULL, why, sizeof(why)), -1);
    ferry_plugin empty = {FERRY_PLUGIN_HEADER, .name = "empty", .version = "1"};
    assert_int_equal(plugin_descriptor_check(&empty, why, sizeof(why)), -1);
    assert_string_equal(why, "plugin 'empty' declares no connector type");
    ferry_plugin unnamed = {FERRY_PLUGIN_HEADER};
    assert_int_equal(plugin_descriptor_check(&unnamed, why, sizeof(why)), -1);
    assert_string_equal(why, "descriptor has no plugin name");
}

static ferry_status noop_start(ferry_context *ctx, const ferry_config *config, void **state,
                               char *err, size_t errlen)
{
    (void)ctx, (void)config, (void)state, (void)err, (void)errlen;
    return FERRY_OK;
}

static ferry_status noop_task_configs(void *state, int max_tasks, json_t **configs, char *err,
                                      size_t errlen)
{
    (void)state, (void)max_tasks, (void)configs, (void)err, (void)errlen;
    return FERRY_OK;
}

static ferry_status noop_put(void *state, const ferry_record *records, size_t count, char *err,
                             size_t errlen)
{
    (void)state, (void)records, (void)count, (void)err, (void)errlen;
    return FERRY_OK;
}

static ferry_status noop_flush(void *state, ferry_topic_partition *offsets, size_t count,
                               char *err, size_t errlen)
{
    (void)state, (void)offsets, (void)count, (void)err, (void)errlen;
    return FERRY_OK;
}

static void noop_stop(void *state)
{
    (void)state;
}

/* A connector type built against ABI 1.1 ends before flags: it loads, and has none (the host
 * never reads past its struct_size, whatever lies there). */
static void test_connector_type_of_abi_1_1(void **state)
{
    static const ferry_connector_callbacks connector = {
        .start = noop_start, .task_configs = noop_task_configs, .stop = noop_stop};
    static const ferry_sink_task_callbacks task = {
        .start = noop_start, .put = noop_put, .flush = noop_flush, .stop = noop_stop};
    ferry_connector_type old = {
        .struct_size = offsetof(ferry_connector_type, flags), .kind = FERRY_CONNECTOR_SINK,
        .name = "OldSink", .connector = &connector, .sink_task = &task,
        .flags = FERRY_SINK_JSON_TEXT /* beyond its size: not read */};
    const ferry_connector_type *types[] = {&old, NULL};
    ferry_plugin plugin = {FERRY_PLUGIN_HEADER, .name = "old", .version = "1",
                           .connectors = types};
    plugin.abi_minor = 1;
    char why[256] = "";
    if (plugin_descriptor_check(&plugin, why, sizeof(why)) != 0)
        fail_msg("a 1.1 connector type is refused: %s", why);
    assert_int_equal(connector_type_flags(&old), 0);
    old.struct_size = sizeof(old);
    assert_int_equal(connector_type_flags(&old), FERRY_SINK_JSON_TEXT);
    old.struct_size = offsetof(ferry_connector_type, flags) - 1;
    assert_int_equal(plugin_descriptor_check(&plugin, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "has struct_size"));
}

/* The config definition reaches `ferry plugins` and the REST API in Kafka Connect's shape, and a
 * sensitive key's default never leaves the process. */
static void test_config_definition_describe(void **state)
{
    plugin_registry *registry = plugin_registry_new(host_services());
    char *path = module_path("good");
    char why[512];
    assert_int_equal(plugin_registry_load_file(registry, path, why, sizeof(why)), 0);
    const registered_connector *source = plugin_registry_find(registry, "TestSource");
    json_t *keys = config_definition_describe(source->type->config);
    assert_int_equal(json_array_size(keys), 4);
    json_t *batch = json_array_get(keys, 1);
    assert_string_equal(json_string_value(json_object_get(batch, "name")), "batch.size");
    assert_string_equal(json_string_value(json_object_get(batch, "type")), "INT");
    assert_string_equal(json_string_value(json_object_get(batch, "default_value")), "100");
    assert_string_equal(json_string_value(json_object_get(batch, "importance")), "LOW");
    assert_true(json_is_false(json_object_get(batch, "required")));
    assert_int_equal(json_integer_value(json_object_get(batch, "order")), 2);
    assert_null(json_object_get(batch, "order_in_group"));
    assert_string_equal(json_string_value(json_object_get(batch, "width")), "NONE");
    json_t *topic = json_array_get(keys, 0);
    assert_true(json_is_true(json_object_get(topic, "required")));
    assert_true(json_is_null(json_object_get(topic, "default_value")));
    json_t *level = json_array_get(keys, 2);
    assert_int_equal(json_array_size(json_object_get(level, "allowed_values")), 2);
    json_t *password = json_array_get(keys, 3);
    assert_string_equal(json_string_value(json_object_get(password, "type")), "PASSWORD");
    assert_true(json_is_true(json_object_get(password, "sensitive")));

    json_t *plugin = connector_plugin_describe(source);
    /* The class is Kafka Connect's (the alias that is a Java class name); ferry's name beside. */
    assert_string_equal(json_string_value(json_object_get(plugin, "class")),
                        "org.example.TestSourceConnector");
    assert_string_equal(json_string_value(json_object_get(plugin, "name")), "TestSource");
    assert_string_equal(connector_type_class_name(source->type),
                        "org.example.TestSourceConnector");
    /* The REST definition: the plugin's keys first, then the framework's, as Kafka Connect. */
    json_t *all = connector_config_describe(source->type);
    assert_int_equal(json_array_size(all), 4 + 15 + 8);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "name")),
                        "topic");
    json_t *name = json_array_get(all, 4);
    assert_string_equal(json_string_value(json_object_get(name, "name")), "name");
    assert_string_equal(json_string_value(json_object_get(name, "display_name")),
                        "Connector name");
    assert_string_equal(json_string_value(json_object_get(name, "width")), "MEDIUM");
    assert_int_equal(json_integer_value(json_object_get(name, "order")), 1);
    json_decref(all);
    assert_string_equal(json_string_value(json_object_get(plugin, "type")), "source");
    assert_string_equal(json_string_value(json_object_get(plugin, "version")), "0.0.1");
    json_decref(plugin);
    json_decref(keys);
    free(path);
    plugin_registry_destroy(registry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plugin_loads_both_connector_types),
        cmocka_unit_test(test_refuses_wrong_magic),
        cmocka_unit_test(test_refuses_other_abi_major),
        cmocka_unit_test(test_refuses_newer_abi_minor),
        cmocka_unit_test(test_refuses_missing_entry_symbol),
        cmocka_unit_test(test_refuses_null_descriptor),
        cmocka_unit_test(test_refuses_small_descriptor),
        cmocka_unit_test(test_refuses_missing_required_callback),
        cmocka_unit_test(test_refuses_callbacks_of_wrong_kind),
        cmocka_unit_test(test_refuses_malformed_config_definitions),
        cmocka_unit_test(test_refuses_unloadable_files),
        cmocka_unit_test(test_refuses_a_name_already_taken),
        cmocka_unit_test(test_load_path_logs_one_line_per_refusal),
        cmocka_unit_test(test_descriptor_check_without_loading),
        cmocka_unit_test(test_connector_type_of_abi_1_1),
        cmocka_unit_test(test_config_definition_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
