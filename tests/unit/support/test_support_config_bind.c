/*
 * test_support_config_bind.c - support/config_bind.c: every binding type read through a host
 * table whose getters are the worker's own ferry_config (tests/unit/fake_config.h), with values
 * set, defaults and keys left unset, and the release of what the binding owns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fake_config.h"
#include "support/config_bind.h"

static const char *const modes[] = {"insert", "upsert", NULL};

static const ferry_config_key definition[] = {
    {.name = "name", .type = FERRY_CONFIG_STRING, .documentation = "a string"},
    {.name = "blank", .type = FERRY_CONFIG_STRING, .documentation = "a blank string"},
    {.name = "unset", .type = FERRY_CONFIG_STRING, .documentation = "no value, no default"},
    {.name = "password", .type = FERRY_CONFIG_PASSWORD, .documentation = "a password"},
    {.name = "enabled", .type = FERRY_CONFIG_BOOLEAN, .default_value = "false", .documentation = "a bool"},
    {.name = "defaulted.bool", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true", .documentation = "a bool"},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "100", .documentation = "an int"},
    {.name = "negative", .type = FERRY_CONFIG_INT, .documentation = "an int"},
    {.name = "bytes", .type = FERRY_CONFIG_LONG, .default_value = "0", .documentation = "a long"},
    {.name = "ratio", .type = FERRY_CONFIG_DOUBLE, .default_value = "0.5", .documentation = "a double"},
    {.name = "topics", .type = FERRY_CONFIG_LIST, .documentation = "a list"},
    {.name = "empty.list", .type = FERRY_CONFIG_LIST, .default_value = "", .documentation = "a list"},
    {.name = "write.method", .type = FERRY_CONFIG_STRING, .default_value = "insert",
     .allowed_values = modes, .documentation = "a choice"},
    {.name = "unset.choice", .type = FERRY_CONFIG_STRING, .documentation = "a choice"},
    {.name = NULL},
};

typedef struct settings {
    char *name;
    char *blank;
    char *unset;
    char *password;
    bool enabled;
    bool defaulted_bool;
    int batch_size;
    int negative;
    int64_t bytes;
    double ratio;
    char **topics;
    char **empty_list;
    int write_method;
    int unset_choice;
} settings;

static const config_binding bindings[] = {
    CONFIG_BIND_STRING("name", settings, name),
    CONFIG_BIND_STRING("blank", settings, blank),
    CONFIG_BIND_STRING("unset", settings, unset),
    CONFIG_BIND_STRING("password", settings, password),
    CONFIG_BIND_BOOL("enabled", settings, enabled),
    CONFIG_BIND_BOOL("defaulted.bool", settings, defaulted_bool),
    CONFIG_BIND_INT("batch.size", settings, batch_size),
    CONFIG_BIND_INT("negative", settings, negative),
    CONFIG_BIND_LONG("bytes", settings, bytes),
    CONFIG_BIND_DOUBLE("ratio", settings, ratio),
    CONFIG_BIND_LIST("topics", settings, topics),
    CONFIG_BIND_LIST("empty.list", settings, empty_list),
    CONFIG_BIND_CHOICE("write.method", settings, write_method, modes),
    CONFIG_BIND_CHOICE("unset.choice", settings, unset_choice, modes),
    {0},
};

static const ferry_host host = {
    .struct_size = sizeof(ferry_host),
    .abi_major = FERRY_ABI_MAJOR,
    .abi_minor = FERRY_ABI_MINOR,
    .config_string = ferry_config_string,
    .config_int = ferry_config_int,
    .config_double = ferry_config_double,
    .config_bool = ferry_config_bool,
    .config_list = ferry_config_list,
    .config_json = ferry_config_json,
};

static ferry_config *config_of(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    ferry_config *config = fake_config_pairs(definition, key, ap);
    va_end(ap);
    return config;
}

static void test_values_set(void **state)
{
    (void)state;
    ferry_config *config = config_of(
        "name", "es-sink", "blank", "  \t", "password", "s3cret", "enabled", "TRUE",
        "batch.size", "2000", "negative", "-7", "bytes", "9000000000", "ratio", "0.25",
        "topics", " a, b ,,c", "write.method", " UPSERT ", NULL);
    settings s;
    memset(&s, 0xAB, sizeof(s)); /* every field is written */
    assert_int_equal(config_bind(&host, config, bindings, &s), 0);

    assert_string_equal(s.name, "es-sink");
    assert_null(s.blank);
    assert_null(s.unset);
    assert_string_equal(s.password, "s3cret");
    assert_true(s.enabled);
    assert_true(s.defaulted_bool);
    assert_int_equal(s.batch_size, 2000);
    assert_int_equal(s.negative, -7);
    assert_true(s.bytes == INT64_C(9000000000));
    assert_true(s.ratio == 0.25);
    assert_non_null(s.topics);
    assert_string_equal(s.topics[0], "a");
    assert_string_equal(s.topics[1], "b");
    assert_string_equal(s.topics[2], "c");
    assert_null(s.topics[3]);
    assert_non_null(s.empty_list);
    assert_null(s.empty_list[0]);
    assert_int_equal(s.write_method, 1);
    assert_int_equal(s.unset_choice, -1);

    /* The copies are the settings' own: they outlive the config. */
    ferry_config_destroy(config);
    assert_string_equal(s.name, "es-sink");
    assert_string_equal(s.topics[2], "c");

    config_bind_release(bindings, &s);
    assert_null(s.name);
    assert_null(s.password);
    assert_null(s.topics);
    assert_null(s.empty_list);
    assert_int_equal(s.batch_size, 2000); /* values that own nothing stay */
}

static void test_defaults(void **state)
{
    (void)state;
    ferry_config *config = config_of(NULL);
    settings s = {0};
    assert_int_equal(config_bind(&host, config, bindings, &s), 0);
    assert_null(s.name);
    assert_false(s.enabled);
    assert_true(s.defaulted_bool);
    assert_int_equal(s.batch_size, 100);
    assert_int_equal(s.negative, 0);
    assert_true(s.bytes == 0);
    assert_true(s.ratio == 0.5);
    assert_non_null(s.topics);
    assert_null(s.topics[0]);
    assert_int_equal(s.write_method, 0);
    assert_int_equal(s.unset_choice, -1);
    config_bind_release(bindings, &s);
    /* Releasing twice, or what was never bound, is harmless. */
    config_bind_release(bindings, &s);
    ferry_config_destroy(config);
}

/* A choice that matches none of the choices, as a value the definition does not restrict. */
static void test_choice_without_match(void **state)
{
    (void)state;
    ferry_config *config = config_of("unset.choice", "delete", NULL);
    settings s = {0};
    assert_int_equal(config_bind(&host, config, bindings, &s), 0);
    assert_int_equal(s.unset_choice, -1);
    config_bind_release(bindings, &s);
    ferry_config_destroy(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_set),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_choice_without_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
