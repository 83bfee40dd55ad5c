/*
 * test_config_map.c - the ordered string map: order, replacement in place, removal, copies, and
 * the JSON conversions REST bodies and connector files go through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_map.h"

static json_t *json_parse(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON: %s", error.text);
    return value;
}

static void test_set_get_order(void **state)
{
    (void)state;
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_count(map), 0);
    assert_null(config_map_get(map, "a"));

    assert_int_equal(config_map_set(map, "b", "1"), 0);
    assert_int_equal(config_map_set(map, "a", "2"), 0);
    assert_int_equal(config_map_set(map, "c", ""), 0);
    assert_int_equal(config_map_count(map), 3);
    assert_string_equal(config_map_get(map, "a"), "2");
    assert_string_equal(config_map_get(map, "c"), "");
    assert_string_equal(config_map_key_at(map, 0), "b");
    assert_string_equal(config_map_key_at(map, 1), "a");
    assert_string_equal(config_map_key_at(map, 2), "c");
    assert_string_equal(config_map_value_at(map, 0), "1");
    assert_null(config_map_key_at(map, 3));
    assert_null(config_map_value_at(map, 3));

    /* Replacing keeps the key where it was first set. */
    assert_int_equal(config_map_set(map, "b", "replaced"), 0);
    assert_int_equal(config_map_count(map), 3);
    assert_string_equal(config_map_key_at(map, 0), "b");
    assert_string_equal(config_map_value_at(map, 0), "replaced");

    /* A NULL value is stored as the empty string. */
    assert_int_equal(config_map_set(map, "d", NULL), 0);
    assert_string_equal(config_map_get(map, "d"), "");
    config_map_destroy(map);
}

static void test_set_copies(void **state)
{
    (void)state;
    char key[] = "key";
    char value[] = "value";
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_set(map, key, value), 0);
    key[0] = 'X';
    value[0] = 'X';
    assert_string_equal(config_map_get(map, "key"), "value");
    config_map_destroy(map);
}

static void test_remove(void **state)
{
    (void)state;
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_set(map, "a", "1"), 0);
    assert_int_equal(config_map_set(map, "b", "2"), 0);
    assert_int_equal(config_map_set(map, "c", "3"), 0);
    assert_int_equal(config_map_remove(map, "b"), 1);
    assert_int_equal(config_map_remove(map, "b"), 0);
    assert_int_equal(config_map_remove(map, "nope"), 0);
    assert_int_equal(config_map_count(map), 2);
    assert_string_equal(config_map_key_at(map, 0), "a");
    assert_string_equal(config_map_key_at(map, 1), "c");
    assert_null(config_map_get(map, "b"));
    /* Setting a removed key again appends it. */
    assert_int_equal(config_map_set(map, "b", "4"), 0);
    assert_string_equal(config_map_key_at(map, 2), "b");
    config_map_destroy(map);
}

static void test_many_keys(void **state)
{
    (void)state;
    char key[32], value[32];
    config_map *map = config_map_new();
    assert_non_null(map);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "key.%d", i);
        snprintf(value, sizeof(value), "%d", i * 2);
        assert_int_equal(config_map_set(map, key, value), 0);
    }
    assert_int_equal(config_map_count(map), 1000);
    assert_string_equal(config_map_get(map, "key.999"), "1998");
    assert_string_equal(config_map_key_at(map, 500), "key.500");
    config_map_destroy(map);
}

static void test_copy_is_independent(void **state)
{
    (void)state;
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_set(map, "a", "1"), 0);
    assert_int_equal(config_map_set(map, "b", "2"), 0);
    config_map *copy = config_map_copy(map);
    assert_non_null(copy);
    assert_int_equal(config_map_set(map, "a", "changed"), 0);
    assert_int_equal(config_map_remove(map, "b"), 1);
    assert_int_equal(config_map_count(copy), 2);
    assert_string_equal(config_map_get(copy, "a"), "1");
    assert_string_equal(config_map_get(copy, "b"), "2");
    config_map_destroy(map);
    config_map_destroy(copy);
}

static void test_destroy_null(void **state)
{
    (void)state;
    config_map_destroy(NULL);
    assert_int_equal(config_map_count(NULL), 0);
    assert_null(config_map_get(NULL, "a"));
}

static void test_to_json(void **state)
{
    (void)state;
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_set(map, "z", "1"), 0);
    assert_int_equal(config_map_set(map, "a", "two"), 0);
    assert_int_equal(config_map_set(map, "m", "\"quoted\""), 0);
    json_t *json = config_map_to_json(map);
    assert_non_null(json);
    char *text = json_dumps(json, JSON_COMPACT);
    assert_string_equal(text, "{\"z\":\"1\",\"a\":\"two\",\"m\":\"\\\"quoted\\\"\"}");
    free(text);
    json_decref(json);
    config_map_destroy(map);
}

static void test_set_from_json_types(void **state)
{
    (void)state;
    char err[256] = "";
    config_map *map = config_map_new();
    assert_non_null(map);
    json_t *json = json_parse("{\"s\":\"text\",\"i\":5,\"neg\":-3,\"big\":9007199254740993,"
                              "\"r\":1.5,\"tenth\":0.1,\"whole\":2.0,\"huge\":1e20,"
                              "\"t\":true,\"f\":false,\"empty\":\"\"}");
    assert_int_equal(config_map_set_from_json(map, json, err, sizeof(err)), 0);
    assert_int_equal(config_map_count(map), 11);
    assert_string_equal(config_map_get(map, "s"), "text");
    assert_string_equal(config_map_get(map, "i"), "5");
    assert_string_equal(config_map_get(map, "neg"), "-3");
    assert_string_equal(config_map_get(map, "big"), "9007199254740993");
    assert_string_equal(config_map_get(map, "r"), "1.5");
    assert_string_equal(config_map_get(map, "tenth"), "0.1");
    assert_string_equal(config_map_get(map, "whole"), "2.0");
    assert_string_equal(config_map_get(map, "huge"), "1e+20");
    assert_string_equal(config_map_get(map, "t"), "true");
    assert_string_equal(config_map_get(map, "f"), "false");
    assert_string_equal(config_map_get(map, "empty"), "");
    assert_string_equal(config_map_key_at(map, 0), "s");
    assert_string_equal(config_map_key_at(map, 10), "empty");
    json_decref(json);
    config_map_destroy(map);
}

static void test_set_from_json_merges(void **state)
{
    (void)state;
    char err[256] = "";
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_set(map, "name", "old"), 0);
    assert_int_equal(config_map_set(map, "keep", "1"), 0);
    json_t *json = json_parse("{\"name\":\"new\",\"added\":\"2\"}");
    assert_int_equal(config_map_set_from_json(map, json, err, sizeof(err)), 0);
    assert_int_equal(config_map_count(map), 3);
    assert_string_equal(config_map_key_at(map, 0), "name");
    assert_string_equal(config_map_value_at(map, 0), "new");
    assert_string_equal(config_map_get(map, "keep"), "1");
    assert_string_equal(config_map_get(map, "added"), "2");
    json_decref(json);
    config_map_destroy(map);
}

static void check_json_refused(const char *text, const char *expected)
{
    char err[256] = "";
    config_map *map = config_map_new();
    assert_non_null(map);
    assert_int_equal(config_map_set(map, "before", "1"), 0);
    json_t *json = json_parse(text);
    assert_int_equal(config_map_set_from_json(map, json, err, sizeof(err)), -1);
    assert_string_equal(err, expected);
    /* Nothing of a refused object is taken. */
    assert_int_equal(config_map_count(map), 1);
    assert_string_equal(config_map_get(map, "before"), "1");
    json_decref(json);
    config_map_destroy(map);
}

static void test_set_from_json_refuses(void **state)
{
    (void)state;
    check_json_refused("{\"a\":\"1\",\"topic\":null}",
                       "config \"topic\": expected a string, number or boolean, got null");
    check_json_refused("{\"a\":\"1\",\"topics\":[\"x\",\"y\"]}",
                       "config \"topics\": expected a string, number or boolean, got an array");
    check_json_refused("{\"nested\":{\"a\":\"1\"},\"b\":\"2\"}",
                       "config \"nested\": expected a string, number or boolean, got an object");
    check_json_refused("[\"a\"]", "config must be a JSON object of strings");
    check_json_refused("\"text\"", "config must be a JSON object of strings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get_order),
        cmocka_unit_test(test_set_copies),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_copy_is_independent),
        cmocka_unit_test(test_destroy_null),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_set_from_json_types),
        cmocka_unit_test(test_set_from_json_merges),
        cmocka_unit_test(test_set_from_json_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
