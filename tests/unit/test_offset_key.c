/*
 * test_offset_key.c - the offsets topic's keys: byte-exact serialisation as Kafka Connect writes
 * it (compact, keys sorted at every depth, '/' and non-ASCII unescaped), parse errors that say
 * what is wrong, round trips, and keys written by a Java worker in another key order
 * canonicalising to the same text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stores/offset_key.h"

static json_t *json_parse(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON %s: %s", text, error.text);
    return value;
}

static void assert_key(const char *connector, const char *partition_text, const char *expected)
{
    json_t *partition = json_parse(partition_text);
    char *key = offset_key_serialize(connector, partition);
    assert_non_null(key);
    assert_string_equal(key, expected);
    free(key);
    json_decref(partition);
}

static void test_file_source_key_exact(void **state)
{
    (void)state;
    /* What Kafka Connect's FileStreamSource writes: the slash stays unescaped. */
    assert_key("file-source", "{\"filename\": \"/tmp/a.txt\"}",
               "[\"file-source\",{\"filename\":\"/tmp/a.txt\"}]");
}

static void test_keys_sorted(void **state)
{
    (void)state;
    assert_key("pg", "{\"server\":\"db1\",\"database\":\"shop\",\"a\":1,\"Z\":true}",
               "[\"pg\",{\"Z\":true,\"a\":1,\"database\":\"shop\",\"server\":\"db1\"}]");
    /* Empty partition object. */
    assert_key("c", "{}", "[\"c\",{}]");
    /* Numbers, null, false, reals, arrays keep their order. */
    assert_key("c", "{\"n\":null,\"f\":false,\"r\":1.5,\"l\":[3,1,2],\"i\":-9007199254740993}",
               "[\"c\",{\"f\":false,\"i\":-9007199254740993,\"l\":[3,1,2],\"n\":null,\"r\":1.5}]");
}

static void test_nested_objects_sorted(void **state)
{
    (void)state;
    assert_key("c", "{\"z\":{\"y\":1,\"x\":{\"b\":2,\"a\":1}},\"a\":[{\"d\":1,\"c\":2}]}",
               "[\"c\",{\"a\":[{\"c\":2,\"d\":1}],\"z\":{\"x\":{\"a\":1,\"b\":2},\"y\":1}}]");
}

static void test_non_ascii_and_escapes(void **state)
{
    (void)state;
    /* Non-ASCII stays UTF-8 (as Jackson writes it); quotes, backslashes and control characters
     * are escaped as JSON requires. */
    assert_key("connecteur-é", "{\"fichier\":\"/données/日本.txt\"}",
               "[\"connecteur-é\",{\"fichier\":\"/données/日本.txt\"}]");
    assert_key("c", "{\"k\":\"a\\\"b\\\\c\\nd\\u0001\"}",
               "[\"c\",{\"k\":\"a\\\"b\\\\c\\nd\\u0001\"}]");
}

static void test_serialize_rejects(void **state)
{
    (void)state;
    json_t *array = json_parse("[1]");
    json_t *object = json_parse("{}");
    assert_null(offset_key_serialize("c", array));
    assert_null(offset_key_serialize("c", NULL));
    assert_null(offset_key_serialize(NULL, object));
    json_decref(array);
    json_decref(object);
}

static void assert_parse_error(const char *text, const char *expected_part)
{
    char *connector = (char *)"untouched";
    json_t *partition = (json_t *)(uintptr_t)1;
    char err[256] = "";
    assert_int_equal(offset_key_parse(text, strlen(text), &connector, &partition, err, sizeof(err)),
                     -1);
    assert_null(connector);
    assert_null(partition);
    if (!strstr(err, expected_part))
        fail_msg("parsing %s: expected an error containing '%s', got '%s'", text, expected_part,
                 err);
}

static void test_parse_errors(void **state)
{
    (void)state;
    assert_parse_error("not json", "not valid JSON");
    assert_parse_error("[\"c\",{}", "not valid JSON");
    assert_parse_error("", "not valid JSON");
    assert_parse_error("{\"c\":{}}", "is an object, not an array");
    assert_parse_error("\"c\"", "is a string, not an array");
    assert_parse_error("42", "is a number, not an array");
    assert_parse_error("[]", "has 0 elements, not 2");
    assert_parse_error("[\"c\"]", "has 1 elements, not 2");
    assert_parse_error("[\"c\",{},{}]", "has 3 elements, not 2");
    assert_parse_error("[1,{}]", "first element (the connector name) is a number, not a string");
    assert_parse_error("[null,{}]", "first element (the connector name) is null, not a string");
    assert_parse_error("[\"c\",[]]", "second element (the source partition) is an array");
    assert_parse_error("[\"c\",\"p\"]", "second element (the source partition) is a string");

    char *connector = NULL;
    json_t *partition = NULL;
    char err[256] = "";
    assert_int_equal(offset_key_parse(NULL, 0, &connector, &partition, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "null"));
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *texts[] = {
        "[\"file-source\",{\"filename\":\"/tmp/a.txt\"}]",
        "[\"pg\",{\"server\":\"db1\"}]",
        "[\"é\",{\"a\":{\"b\":[1,2.5,null,true]},\"c\":\"日本\"}]",
        "[\"\",{}]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char *connector = NULL;
        json_t *partition = NULL;
        char err[256];
        assert_int_equal(offset_key_parse(texts[i], strlen(texts[i]), &connector, &partition, err,
                                          sizeof(err)),
                         0);
        char *again = offset_key_serialize(connector, partition);
        assert_non_null(again);
        assert_string_equal(again, texts[i]);
        free(again);
        free(connector);
        json_decref(partition);
    }
}

static void test_parse_not_nul_terminated(void **state)
{
    (void)state;
    /* Kafka keys are bytes with a length, not C strings. */
    const char buffer[] = "[\"c\",{\"p\":1}]GARBAGE";
    size_t len = strlen("[\"c\",{\"p\":1}]");
    char *connector = NULL;
    json_t *partition = NULL;
    char err[256];
    assert_int_equal(offset_key_parse(buffer, len, &connector, &partition, err, sizeof(err)), 0);
    assert_string_equal(connector, "c");
    assert_int_equal(json_integer_value(json_object_get(partition, "p")), 1);
    free(connector);
    json_decref(partition);
}

static void test_java_order_canonicalises(void **state)
{
    (void)state;
    /* A Java worker's HashMap may write keys in any order. */
    const char *java = "[\"c\",{\"b\":1,\"a\":2}]";
    char *connector = NULL;
    json_t *partition = NULL;
    char err[256];
    assert_int_equal(offset_key_parse(java, strlen(java), &connector, &partition, err, sizeof(err)),
                     0);
    assert_string_equal(connector, "c");

    json_t *sorted = json_parse("{\"a\":2,\"b\":1}");
    char *from_java = offset_partition_canonical(partition);
    char *from_sorted = offset_partition_canonical(sorted);
    assert_non_null(from_java);
    assert_non_null(from_sorted);
    assert_string_equal(from_java, "{\"a\":2,\"b\":1}");
    assert_string_equal(from_java, from_sorted);

    char *key = offset_key_serialize(connector, partition);
    assert_string_equal(key, "[\"c\",{\"a\":2,\"b\":1}]");

    free(key);
    free(from_java);
    free(from_sorted);
    free(connector);
    json_decref(partition);
    json_decref(sorted);
}

static void test_canonical(void **state)
{
    (void)state;
    json_t *nested = json_parse("{\"z\":{\"b\":\"/x\",\"a\":\"é\"},\"y\":0}");
    char *text = offset_partition_canonical(nested);
    assert_string_equal(text, "{\"y\":0,\"z\":{\"a\":\"é\",\"b\":\"/x\"}}");
    free(text);
    json_decref(nested);
    assert_null(offset_partition_canonical(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_source_key_exact),
        cmocka_unit_test(test_keys_sorted),
        cmocka_unit_test(test_nested_objects_sorted),
        cmocka_unit_test(test_non_ascii_and_escapes),
        cmocka_unit_test(test_serialize_rejects),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_not_nul_terminated),
        cmocka_unit_test(test_java_order_canonicalises),
        cmocka_unit_test(test_canonical),
    };
    return cmocka_run_group_tests_name("offset_key", tests, NULL, NULL);
}
