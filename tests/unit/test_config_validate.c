/*
 * test_config_validate.c - the error list, the value parsers, validation against definitions
 * (every problem reported at once, each naming key, value and expectation), sensitive keys, and
 * the ferry_config getters plugins call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"

static const char *const tolerance_values[] = {"none", "all", NULL};
static const char *const format_values[] = {"json", "avro", "string", NULL};

/* A connector-like definition exercising every type and constraint. */
static const ferry_config_key common_keys[] = {
    {.name = "name", .type = FERRY_CONFIG_STRING, .required = true},
    {.name = "connector.class", .type = FERRY_CONFIG_CLASS, .required = true},
    {.name = "tasks.max", .type = FERRY_CONFIG_INT, .default_value = "1", .has_min = true,
     .min = 1},
    {.name = "errors.tolerance", .type = FERRY_CONFIG_STRING, .default_value = "none",
     .allowed_values = tolerance_values},
    {.name = "key.converter", .type = FERRY_CONFIG_CLASS},
    {.name = NULL},
};

static const ferry_config_key plugin_keys[] = {
    {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true},
    {.name = "batch.size", .type = FERRY_CONFIG_INT, .default_value = "2000", .has_min = true,
     .min = 1, .has_max = true, .max = 10000},
    {.name = "offset.start", .type = FERRY_CONFIG_LONG, .default_value = "-1"},
    {.name = "ratio", .type = FERRY_CONFIG_DOUBLE, .default_value = "0.5", .has_min = true,
     .min = 0, .has_max = true, .max = 1},
    {.name = "backoff.factor", .type = FERRY_CONFIG_DOUBLE, .default_value = "2.0"},
    {.name = "flush.enabled", .type = FERRY_CONFIG_BOOLEAN, .default_value = "true"},
    {.name = "hosts", .type = FERRY_CONFIG_LIST, .default_value = "a, b ,c"},
    {.name = "formats", .type = FERRY_CONFIG_LIST, .allowed_values = format_values},
    {.name = "database.password", .type = FERRY_CONFIG_PASSWORD},
    {.name = "pin", .type = FERRY_CONFIG_INT, .sensitive = true},
    {.name = "mode", .type = FERRY_CONFIG_STRING, .default_value = "not-checked",
     .allowed_values = format_values},
    {.name = "tasks.max", .type = FERRY_CONFIG_STRING}, /* shadowed by common_keys */
    {.name = NULL},
};

static const ferry_config_key *const all_defs[] = {common_keys, plugin_keys};

static const char *const known_prefixes[] = {"producer.override.", "transforms.", NULL};

static config_map *map_of(const char *key, ...)
{
    va_list ap;
    config_map *map = config_map_new();
    assert_non_null(map);
    va_start(ap, key);
    while (key) {
        const char *value = va_arg(ap, const char *);
        assert_int_equal(config_map_set(map, key, value), 0);
        key = va_arg(ap, const char *);
    }
    va_end(ap);
    return map;
}

/* Checks the list holds exactly these (key, message) pairs in order: key, message, ..., NULL. */
static void assert_errors(const config_errors *errors, ...)
{
    va_list ap;
    size_t index = 0;
    va_start(ap, errors);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key)
            break;
        const char *message = va_arg(ap, const char *);
        if (index >= config_errors_count(errors))
            fail_msg("missing error %zu: %s", index, message);
        assert_string_equal(config_errors_key_at(errors, index), key);
        assert_string_equal(config_errors_message_at(errors, index), message);
        index++;
    }
    va_end(ap);
    if (config_errors_count(errors) != index)
        fail_msg("unexpected error: %s", config_errors_message_at(errors, index));
}

/* ------------------------------------------------------------------------------------------ */
/* The error list                                                                             */

static void test_errors_list(void **state)
{
    (void)state;
    config_errors *errors = config_errors_new();
    assert_non_null(errors);
    char *text = config_errors_to_string(errors);
    assert_string_equal(text, "0 errors");
    free(text);

    config_errors_add(errors, "a", "first %d", 1);
    text = config_errors_to_string(errors);
    assert_string_equal(text, "1 error: key 'a': first 1");
    free(text);

    config_errors_add(errors, "b", "second");
    config_errors_add(errors, "a", "third %s", "x");
    config_errors_add(errors, NULL, "not about a key");
    assert_int_equal(config_errors_count(errors), 4);
    assert_string_equal(config_errors_key_at(errors, 1), "b");
    assert_string_equal(config_errors_message_at(errors, 2), "third x");
    assert_null(config_errors_key_at(errors, 3));
    assert_null(config_errors_message_at(errors, 4));

    text = config_errors_to_string(errors);
    assert_string_equal(text, "4 errors: key 'a': first 1; key 'b': second; key 'a': third x; "
                              "not about a key");
    free(text);

    json_t *for_a = config_errors_for_key(errors, "a");
    char *json = json_dumps(for_a, JSON_COMPACT);
    assert_string_equal(json, "[\"first 1\",\"third x\"]");
    free(json);
    json_decref(for_a);
    json_t *for_c = config_errors_for_key(errors, "c");
    assert_int_equal(json_array_size(for_c), 0);
    json_decref(for_c);

    config_errors_destroy(errors);
    config_errors_destroy(NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Value parsers                                                                              */

static void test_parse_bool(void **state)
{
    (void)state;
    char err[128];
    bool value = false;
    assert_int_equal(config_value_parse_bool("true", &value, err, sizeof(err)), 0);
    assert_true(value);
    assert_int_equal(config_value_parse_bool("FALSE", &value, err, sizeof(err)), 0);
    assert_false(value);
    assert_int_equal(config_value_parse_bool("  True \t", &value, err, sizeof(err)), 0);
    assert_true(value);
    static const char *const bad[] = {"yes", "1", "", "  ", "truee", "t", "tr ue", NULL};
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        assert_int_equal(config_value_parse_bool(bad[i], &value, err, sizeof(err)), -1);
        assert_string_equal(err, "expected true or false");
    }
}

static void test_parse_int(void **state)
{
    (void)state;
    char err[128];
    int64_t value = 0;
    assert_int_equal(config_value_parse_int("42", INT32_MIN, INT32_MAX, &value, err, sizeof(err)),
                     0);
    assert_int_equal(value, 42);
    assert_int_equal(config_value_parse_int(" -7 ", INT32_MIN, INT32_MAX, &value, err, 128), 0);
    assert_int_equal(value, -7);
    assert_int_equal(config_value_parse_int("+5", INT32_MIN, INT32_MAX, &value, err, 128), 0);
    assert_int_equal(value, 5);
    assert_int_equal(config_value_parse_int("007", INT32_MIN, INT32_MAX, &value, err, 128), 0);
    assert_int_equal(value, 7);
    assert_int_equal(config_value_parse_int("2147483647", INT32_MIN, INT32_MAX, &value, err, 128),
                     0);
    assert_int_equal(value, INT32_MAX);
    assert_int_equal(config_value_parse_int("-2147483648", INT32_MIN, INT32_MAX, &value, err, 128),
                     0);
    assert_int_equal(value, INT32_MIN);
    assert_int_equal(
        config_value_parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &value, err, 128), 0);
    assert_true(value == INT64_MAX);
    assert_int_equal(
        config_value_parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &value, err, 128), 0);
    assert_true(value == INT64_MIN);

    /* Out of the 32-bit range. */
    assert_int_equal(config_value_parse_int("2147483648", INT32_MIN, INT32_MAX, &value, err, 128),
                     -1);
    assert_string_equal(err, "expected an integer between -2147483648 and 2147483647");
    /* Out of the 64-bit range: overflow is detected, not wrapped. */
    static const char *const overflow[] = {"9223372036854775808", "-9223372036854775809",
                                           "99999999999999999999999", NULL};
    for (size_t i = 0; overflow[i]; i++) {
        assert_int_equal(
            config_value_parse_int(overflow[i], INT64_MIN, INT64_MAX, &value, err, 128), -1);
        assert_string_equal(
            err, "expected an integer between -9223372036854775808 and 9223372036854775807");
    }
    /* Not decimal integers. */
    static const char *const bad[] = {"", " ", "abc", "12abc", "0x10", "1.0", "1e3", "1 2", "--1",
                                      "+", "-", "+ 1", NULL};
    for (size_t i = 0; bad[i]; i++) {
        assert_int_equal(config_value_parse_int(bad[i], 1, 100, &value, err, 128), -1);
        assert_string_equal(err, "expected an integer between 1 and 100");
    }
    /* Bounds are inclusive. */
    assert_int_equal(config_value_parse_int("1", 1, 10, &value, err, 128), 0);
    assert_int_equal(config_value_parse_int("10", 1, 10, &value, err, 128), 0);
    assert_int_equal(config_value_parse_int("0", 1, 10, &value, err, 128), -1);
    assert_int_equal(config_value_parse_int("11", 1, 10, &value, err, 128), -1);
    assert_string_equal(err, "expected an integer between 1 and 10");
}

static void test_parse_double(void **state)
{
    (void)state;
    char err[128];
    double value = 0;
    assert_int_equal(config_value_parse_double("1.5", &value, err, sizeof(err)), 0);
    assert_true(value == 1.5);
    assert_int_equal(config_value_parse_double(" 2 ", &value, err, sizeof(err)), 0);
    assert_true(value == 2.0);
    assert_int_equal(config_value_parse_double("1e3", &value, err, sizeof(err)), 0);
    assert_true(value == 1000.0);
    assert_int_equal(config_value_parse_double("-0.25", &value, err, sizeof(err)), 0);
    assert_true(value == -0.25);
    static const char *const bad[] = {"", "abc", "1.5x", "nan", "inf", "-Infinity", "1e999",
                                      "1,5", NULL};
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        assert_int_equal(config_value_parse_double(bad[i], &value, err, sizeof(err)), -1);
        assert_string_equal(err, "expected a number");
    }
}

static void test_split_list(void **state)
{
    (void)state;
    char **items = config_value_split_list("a, b ,,c , ");
    assert_non_null(items);
    assert_string_equal(items[0], "a");
    assert_string_equal(items[1], "b");
    assert_string_equal(items[2], "c");
    assert_null(items[3]);
    config_list_free(items);

    items = config_value_split_list("single");
    assert_string_equal(items[0], "single");
    assert_null(items[1]);
    config_list_free(items);

    items = config_value_split_list("");
    assert_non_null(items);
    assert_null(items[0]);
    config_list_free(items);

    items = config_value_split_list(" , ,");
    assert_non_null(items);
    assert_null(items[0]);
    config_list_free(items);

    items = config_value_split_list("with inner space,\tx\t");
    assert_string_equal(items[0], "with inner space");
    assert_string_equal(items[1], "x");
    assert_null(items[2]);
    config_list_free(items);
    config_list_free(NULL);
}

static void test_definition_find(void **state)
{
    (void)state;
    const ferry_config_key *def = config_definition_find(all_defs, 2, "tasks.max");
    assert_ptr_equal(def, &common_keys[2]); /* the first definition wins */
    def = config_definition_find(all_defs, 2, "ratio");
    assert_non_null(def);
    assert_int_equal(def->type, FERRY_CONFIG_DOUBLE);
    assert_null(config_definition_find(all_defs, 2, "nope"));
    assert_null(config_definition_find(all_defs, 1, "ratio"));
    assert_null(config_definition_find(NULL, 0, "ratio"));
}

/* ------------------------------------------------------------------------------------------ */
/* Validation                                                                                 */

static void test_validate_valid(void **state)
{
    (void)state;
    config_map *values = map_of("name", "pg", "connector.class", "FileStreamSource", "topic", "t",
                                "tasks.max", "4", "errors.tolerance", "ALL", "batch.size",
                                " 10000 ", "offset.start", "-9223372036854775808", "ratio", "1",
                                "flush.enabled", "FALSE", "formats", "JSON, avro",
                                "database.password", "", "mode", "String", NULL);
    config_errors *errors = config_errors_new();
    assert_non_null(errors);
    assert_int_equal(config_validate(all_defs, 2, values, known_prefixes, errors, NULL), 0);
    assert_int_equal(config_errors_count(errors), 0);
    config_errors_destroy(errors);
    config_map_destroy(values);
}

static void test_validate_reports_every_problem(void **state)
{
    (void)state;
    config_map *values = map_of("name", "  ", "tasks.max", "abc", "errors.tolerance", "some",
                                "key.converter", " ", "batch.size", "0", "offset.start", "1.5",
                                "ratio", "1.01", "backoff.factor", "fast", "flush.enabled", "yes",
                                "formats", "json,xml", "pin", "12x4", "mode", "binary", NULL);
    config_errors *errors = config_errors_new();
    assert_non_null(errors);
    assert_int_equal(config_validate(all_defs, 2, values, known_prefixes, errors, NULL), 14);
    assert_errors(
        errors, "name", "Invalid value '  ' for configuration name: a non-blank value is required",
        "connector.class",
        "Missing required configuration \"connector.class\" which has no default value.",
        "tasks.max",
        "Invalid value 'abc' for configuration tasks.max: expected an integer between 1 and "
        "2147483647",
        "errors.tolerance",
        "Invalid value 'some' for configuration errors.tolerance: expected one of: none, all",
        "key.converter", "Invalid value ' ' for configuration key.converter: expected a class name",
        "topic", "Missing required configuration \"topic\" which has no default value.",
        "batch.size",
        "Invalid value '0' for configuration batch.size: expected an integer between 1 and 10000",
        "offset.start",
        "Invalid value '1.5' for configuration offset.start: expected an integer between "
        "-9223372036854775808 and 9223372036854775807",
        "ratio", "Invalid value '1.01' for configuration ratio: expected a number between 0 and 1",
        "backoff.factor", "Invalid value 'fast' for configuration backoff.factor: expected a number",
        "flush.enabled",
        "Invalid value 'yes' for configuration flush.enabled: expected true or false", "formats",
        "Invalid value 'json,xml' for configuration formats: item 'xml' is not one of: json, avro, "
        "string",
        "pin", "Invalid value '[hidden]' for configuration pin: expected an integer between "
        "-2147483648 and 2147483647",
        "mode",
        "Invalid value 'binary' for configuration mode: expected one of: json, avro, string",
        NULL);
    config_errors_destroy(errors);
    config_map_destroy(values);
}

static void test_validate_required(void **state)
{
    (void)state;
    static const ferry_config_key keys[] = {
        {.name = "topic", .type = FERRY_CONFIG_STRING, .required = true},
        {.name = "file", .type = FERRY_CONFIG_STRING, .required = true, .default_value = "x"},
        {.name = "count", .type = FERRY_CONFIG_INT, .required = true},
        {.name = "optional", .type = FERRY_CONFIG_STRING},
        {.name = NULL},
    };
    const ferry_config_key *const defs[] = {keys};
    config_map *values = map_of("count", "", NULL);
    config_errors *errors = config_errors_new();
    assert_non_null(errors);
    assert_int_equal(config_validate(defs, 1, values, NULL, errors, NULL), 3);
    /* A default does not satisfy required; an empty value is reported as such, once. */
    assert_errors(errors, "topic",
                  "Missing required configuration \"topic\" which has no default value.", "file",
                  "Missing required configuration \"file\".", "count",
                  "Invalid value '' for configuration count: a non-blank value is required", NULL);
    config_errors_destroy(errors);
    config_map_destroy(values);
}

static void test_validate_bounds(void **state)
{
    (void)state;
    static const ferry_config_key keys[] = {
        {.name = "port", .type = FERRY_CONFIG_INT, .has_min = true, .min = 1, .has_max = true,
         .max = 65535},
        {.name = "below", .type = FERRY_CONFIG_LONG, .has_max = true, .max = -1},
        {.name = "at.least", .type = FERRY_CONFIG_DOUBLE, .has_min = true, .min = 0.5},
        {.name = "at.most", .type = FERRY_CONFIG_DOUBLE, .has_max = true, .max = 100},
        {.name = NULL},
    };
    const ferry_config_key *const defs[] = {keys};
    config_errors *errors = config_errors_new();
    assert_non_null(errors);

    config_map *ok = map_of("port", "65535", "below", "-1", "at.least", "0.5", "at.most", "100",
                            NULL);
    assert_int_equal(config_validate(defs, 1, ok, NULL, errors, NULL), 0);
    config_map_destroy(ok);
    ok = map_of("port", "1", "below", "-9223372036854775808", "at.least", "1e300", "at.most",
                "-1e300", NULL);
    assert_int_equal(config_validate(defs, 1, ok, NULL, errors, NULL), 0);
    config_map_destroy(ok);
    assert_int_equal(config_errors_count(errors), 0);

    config_map *bad = map_of("port", "65536", "below", "0", "at.least", "0.49", "at.most",
                             "100.5", NULL);
    assert_int_equal(config_validate(defs, 1, bad, NULL, errors, NULL), 4);
    assert_errors(
        errors, "port",
        "Invalid value '65536' for configuration port: expected an integer between 1 and 65535",
        "below",
        "Invalid value '0' for configuration below: expected an integer between "
        "-9223372036854775808 and -1",
        "at.least",
        "Invalid value '0.49' for configuration at.least: expected a number of at least 0.5",
        "at.most", "Invalid value '100.5' for configuration at.most: expected a number of at most 100",
        NULL);
    config_map_destroy(bad);
    config_errors_destroy(errors);
}

static void test_validate_defaults_not_checked(void **state)
{
    (void)state;
    static const ferry_config_key keys[] = {
        {.name = "broken.default", .type = FERRY_CONFIG_INT, .default_value = "abc"},
        {.name = NULL},
    };
    const ferry_config_key *const defs[] = {keys};
    config_map *values = config_map_new();
    config_errors *errors = config_errors_new();
    assert_non_null(values);
    assert_non_null(errors);
    assert_int_equal(config_validate(defs, 1, values, NULL, errors, NULL), 0);
    assert_int_equal(config_errors_count(errors), 0);
    config_errors_destroy(errors);
    config_map_destroy(values);
}

static void test_validate_unknown_keys(void **state)
{
    (void)state;
    config_map *values = map_of("name", "x", "connector.class", "C", "topic", "t",
                                "producer.override.acks", "all", "transforms.route.type", "R",
                                "my.custom.key", "1", "producer.acks", "2", NULL);
    config_map *unknown = config_map_new();
    config_errors *errors = config_errors_new();
    assert_non_null(unknown);
    assert_non_null(errors);
    assert_int_equal(config_validate(all_defs, 2, values, known_prefixes, errors, unknown), 0);
    assert_int_equal(config_errors_count(errors), 0);
    assert_int_equal(config_map_count(unknown), 2);
    assert_string_equal(config_map_key_at(unknown, 0), "my.custom.key");
    assert_string_equal(config_map_value_at(unknown, 0), "1");
    assert_string_equal(config_map_key_at(unknown, 1), "producer.acks");

    /* With no known prefixes, every undeclared key is unknown. */
    config_map *all_unknown = config_map_new();
    assert_non_null(all_unknown);
    assert_int_equal(config_validate(all_defs, 2, values, NULL, errors, all_unknown), 0);
    assert_int_equal(config_map_count(all_unknown), 4);
    assert_string_equal(config_map_key_at(all_unknown, 0), "producer.override.acks");

    config_map_destroy(all_unknown);
    config_errors_destroy(errors);
    config_map_destroy(unknown);
    config_map_destroy(values);
}

static void test_validate_key_declared_twice_checked_once(void **state)
{
    (void)state;
    /* plugin_keys declares tasks.max as a STRING too; only common_keys' INT applies. */
    config_map *values = map_of("name", "x", "connector.class", "C", "topic", "t", "tasks.max",
                                "0", NULL);
    config_errors *errors = config_errors_new();
    assert_non_null(errors);
    assert_int_equal(config_validate(all_defs, 2, values, NULL, errors, NULL), 1);
    assert_errors(errors, "tasks.max",
                  "Invalid value '0' for configuration tasks.max: expected an integer between 1 "
                  "and 2147483647",
                  NULL);
    config_errors_destroy(errors);
    config_map_destroy(values);
}

static void test_sensitive(void **state)
{
    (void)state;
    assert_true(config_key_is_sensitive(all_defs, 2, "database.password")); /* PASSWORD type */
    assert_true(config_key_is_sensitive(all_defs, 2, "pin"));               /* declared */
    assert_false(config_key_is_sensitive(all_defs, 2, "topic"));
    assert_false(config_key_is_sensitive(all_defs, 2, "name"));

    static const char *const secret_names[] = {
        "password", "connection.password", "ssl.key.password", "ssl.keystore.password",
        "ssl.truststore.password", "sasl.jaas.config", "producer.override.sasl.jaas.config",
        "client.secret", "aws.secret", "auth.token", "api.key", "apikey", "connection.api_key",
        "gcp.credentials", "credential", "value.converter.basic.auth.user.info",
        "ssl.keystore.key", "DATABASE.PASSWORD", "db-password", "ssh.private.key",
        "key.passphrase", NULL};
    for (size_t i = 0; secret_names[i]; i++) {
        if (!config_key_is_sensitive(NULL, 0, secret_names[i]))
            fail_msg("%s should be sensitive", secret_names[i]);
    }
    static const char *const plain_names[] = {
        "topic", "password.encoder.iterations", "tokenizer", "token.count", "key.converter",
        "tasks.max", "passwords.enabled", "secretive", "api.key.header.name", "key", "", NULL};
    for (size_t i = 0; plain_names[i]; i++) {
        if (config_key_is_sensitive(NULL, 0, plain_names[i]))
            fail_msg("%s should not be sensitive", plain_names[i]);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The ferry_config handle                                                                    */

static void test_config_getters(void **state)
{
    (void)state;
    config_map *values = map_of("name", "pg", "tasks.max", " 8 ", "offset.start",
                                "9000000000", "ratio", "0.25", "flush.enabled", "False", "formats",
                                "json , avro", NULL);
    ferry_config *config = ferry_config_new(values, all_defs, 2);
    assert_non_null(config);
    /* The config copied the map. */
    assert_int_equal(config_map_set(values, "name", "changed"), 0);
    config_map_destroy(values);

    assert_string_equal(ferry_config_string(config, "name"), "pg");
    assert_string_equal(ferry_config_string(config, "errors.tolerance"), "none"); /* default */
    assert_null(ferry_config_string(config, "topic"));                           /* unset */
    assert_null(ferry_config_string(config, "not.declared"));

    assert_int_equal(ferry_config_int(config, "tasks.max"), 8);
    assert_true(ferry_config_int(config, "offset.start") == 9000000000LL);
    assert_int_equal(ferry_config_int(config, "batch.size"), 2000); /* default */
    assert_int_equal(ferry_config_int(config, "pin"), 0);           /* unset, no default */

    assert_true(ferry_config_double(config, "ratio") == 0.25);
    assert_true(ferry_config_double(config, "backoff.factor") == 2.0);
    assert_true(ferry_config_double(config, "not.declared") == 0.0);

    assert_false(ferry_config_bool(config, "flush.enabled"));
    assert_false(ferry_config_bool(config, "not.declared"));

    const char *const *formats = ferry_config_list(config, "formats");
    assert_string_equal(formats[0], "json");
    assert_string_equal(formats[1], "avro");
    assert_null(formats[2]);
    /* Cached: the same array each time, valid as long as the config. */
    assert_ptr_equal(ferry_config_list(config, "formats"), formats);
    const char *const *hosts = ferry_config_list(config, "hosts"); /* default "a, b ,c" */
    assert_string_equal(hosts[0], "a");
    assert_string_equal(hosts[1], "b");
    assert_string_equal(hosts[2], "c");
    assert_null(hosts[3]);
    const char *const *none = ferry_config_list(config, "topic");
    assert_non_null(none);
    assert_null(none[0]);
    assert_string_equal(formats[1], "avro");

    ferry_config_destroy(config);
}

static void test_config_defaults_when_true(void **state)
{
    (void)state;
    ferry_config *config = ferry_config_new(NULL, all_defs, 2);
    assert_non_null(config);
    assert_true(ferry_config_bool(config, "flush.enabled"));
    assert_int_equal(ferry_config_int(config, "tasks.max"), 1);
    assert_true(ferry_config_int(config, "offset.start") == -1);
    assert_true(ferry_config_double(config, "ratio") == 0.5);
    assert_int_equal(config_map_count(ferry_config_values(config)), 0);
    ferry_config_destroy(config);

    /* No definitions at all: only set values are seen. */
    config_map *values = map_of("x", "5", NULL);
    config = ferry_config_new(values, NULL, 0);
    assert_non_null(config);
    assert_int_equal(ferry_config_int(config, "x"), 5);
    assert_null(ferry_config_string(config, "y"));
    ferry_config_destroy(config);
    config_map_destroy(values);
    ferry_config_destroy(NULL);
}

static void test_config_json(void **state)
{
    (void)state;
    config_map *values = map_of("name", "pg", "tasks.max", "2", NULL);
    ferry_config *config = ferry_config_new(values, all_defs, 2);
    assert_non_null(config);
    json_t *json = ferry_config_json(config);
    assert_non_null(json);
    /* Only explicitly set values, not defaults; built once. */
    char *text = json_dumps(json, JSON_COMPACT);
    assert_string_equal(text, "{\"name\":\"pg\",\"tasks.max\":\"2\"}");
    free(text);
    assert_ptr_equal(ferry_config_json(config), json);
    ferry_config_destroy(config);
    config_map_destroy(values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_list),
        cmocka_unit_test(test_parse_bool),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_split_list),
        cmocka_unit_test(test_definition_find),
        cmocka_unit_test(test_validate_valid),
        cmocka_unit_test(test_validate_reports_every_problem),
        cmocka_unit_test(test_validate_required),
        cmocka_unit_test(test_validate_bounds),
        cmocka_unit_test(test_validate_defaults_not_checked),
        cmocka_unit_test(test_validate_unknown_keys),
        cmocka_unit_test(test_validate_key_declared_twice_checked_once),
        cmocka_unit_test(test_sensitive),
        cmocka_unit_test(test_config_getters),
        cmocka_unit_test(test_config_defaults_when_true),
        cmocka_unit_test(test_config_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
