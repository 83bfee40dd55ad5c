/*
 * test_connector_file.c - connector configs from files and REST bodies: both JSON shapes, the
 * .properties format, and a clear error naming the file for every way they can be wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/connector_file.h"

#define TEXT(literal) literal, sizeof(literal) - 1

static char temp_dir[] = "/tmp/ferry-test-connector-file-XXXXXX";
static char *temp_files[64];
static size_t temp_file_count;

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < temp_file_count; i++) {
        unlink(temp_files[i]);
        free(temp_files[i]);
    }
    return rmdir(temp_dir);
}

/* Writes a file in the test's directory; the path stays valid until the group ends. */
static const char *write_file(const char *name, const char *content, size_t len)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", temp_dir, name) > 0);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(content, 1, len, file), len);
    assert_int_equal(fclose(file), 0);
    assert_true(temp_file_count < sizeof(temp_files) / sizeof(temp_files[0]));
    temp_files[temp_file_count++] = path;
    return path;
}

static char *data_path(const char *name)
{
    const char *dir = getenv("FERRY_TEST_DATA");
    if (!dir)
        fail_msg("FERRY_TEST_DATA is not set (run the tests with meson test)");
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

static void assert_entries(const config_map *map, ...)
{
    va_list ap;
    size_t index = 0;
    va_start(ap, map);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key)
            break;
        const char *value = va_arg(ap, const char *);
        assert_true(index < config_map_count(map));
        assert_string_equal(config_map_key_at(map, index), key);
        assert_string_equal(config_map_value_at(map, index), value);
        index++;
    }
    va_end(ap);
    assert_int_equal(config_map_count(map), index);
}

static config_map *load_ok(const char *path)
{
    char err[512] = "";
    config_map *map = connector_file_load(path, err, sizeof(err));
    if (!map)
        fail_msg("unexpected error: %s", err);
    return map;
}

/* Loads content written to name, expecting an error "<path>: <expected>". */
static void load_fails(const char *name, const char *content, size_t len, const char *expected)
{
    char err[512] = "";
    char full[1024];
    const char *path = write_file(name, content, len);
    assert_null(connector_file_load(path, err, sizeof(err)));
    snprintf(full, sizeof(full), "%s: %s", path, expected);
    assert_string_equal(err, full);
}

/* ------------------------------------------------------------------------------------------ */

static void test_properties_file(void **state)
{
    (void)state;
    char *path = data_path("connect-file-source.properties");
    config_map *map = load_ok(path);
    assert_entries(map, "name", "local-file-source", "connector.class", "FileStreamSource",
                   "tasks.max", "1", "file", "test.txt", "topic", "connect-test", NULL);
    config_map_destroy(map);
    free(path);
}

static void test_json_wrapped(void **state)
{
    (void)state;
    char *path = data_path("connector-wrapped.json");
    config_map *map = load_ok(path);
    /* name comes first; numbers and booleans become their text. */
    assert_entries(map, "name", "es-sink", "connector.class",
                   "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector", "tasks.max",
                   "2", "topics", "orders,customers", "connection.url", "http://localhost:9200",
                   "key.ignore", "true", "linger.ms", "1.5", NULL);
    config_map_destroy(map);
    free(path);
}

static void test_json_flat(void **state)
{
    (void)state;
    char *path = data_path("connector-flat.json");
    config_map *map = load_ok(path);
    assert_entries(map, "name", "local-file-sink", "connector.class", "FileStreamSink",
                   "tasks.max", "1", "file", "test.sink.txt", "topics", "connect-test", NULL);
    config_map_destroy(map);
    free(path);
}

static void test_json_wrapped_with_matching_config_name(void **state)
{
    (void)state;
    const char *path = write_file("matching.json",
                                  TEXT("{\"config\": {\"topic\": \"t\", \"name\": \"same\"},"
                                       " \"name\": \"same\"}"));
    config_map *map = load_ok(path);
    assert_entries(map, "name", "same", "topic", "t", NULL);
    config_map_destroy(map);
}

static void test_json_get_connector_answer_accepted(void **state)
{
    (void)state;
    /* What GET /connectors/{name} returns can be saved and loaded back. */
    const char *path = write_file("info.json",
                                  TEXT("{\"name\":\"x\",\"config\":{\"a\":\"1\"},"
                                       "\"tasks\":[{\"connector\":\"x\",\"task\":0}],"
                                       "\"type\":\"source\"}"));
    config_map *map = load_ok(path);
    assert_entries(map, "name", "x", "a", "1", NULL);
    config_map_destroy(map);
}

static void test_json_detected_by_content(void **state)
{
    (void)state;
    /* Blank lines and a byte order mark before '{' still make it JSON, whatever the name. */
    const char *path = write_file("connector.conf",
                                  TEXT("\xEF\xBB\xBF  \n\t{\"name\": \"bom\", \"x\": \"y\"}\n"));
    config_map *map = load_ok(path);
    assert_entries(map, "name", "bom", "x", "y", NULL);
    config_map_destroy(map);

    /* And a .json name holding properties is read as properties. */
    path = write_file("props.json", TEXT("name=props\nx=y\n"));
    map = load_ok(path);
    assert_entries(map, "name", "props", "x", "y", NULL);
    config_map_destroy(map);
}

static void test_malformed_json(void **state)
{
    (void)state;
    load_fails("syntax.json",
               TEXT("{\n"
                    "  \"name\": \"x\",\n"
                    "  \"config\": {\"a\": }\n"
                    "}\n"),
               "malformed JSON at line 3, column 19: unexpected token near '}'");
    load_fails("duplicate.json",
               TEXT("{\"name\": \"x\",\n \"name\": \"y\"}"),
               "malformed JSON at line 2, column 7: duplicate object key near '\"name\"'");
    load_fails("truncated.json", TEXT("{\"name\": \"x\""),
               "malformed JSON at line 1, column 12: '}' expected near end of file");
    load_fails("trailing.json", TEXT("{\"name\": \"x\"} extra"),
               "malformed JSON at line 1, column 19: end of file expected near 'extra'");
}

static void test_json_wrong_types(void **state)
{
    (void)state;
    load_fails("config-string.json", TEXT("{\"name\": \"x\", \"config\": \"a=b\"}"),
               "\"config\" must be a JSON object");
    load_fails("config-null.json", TEXT("{\"name\": \"x\", \"config\": null}"),
               "\"config\" must be a JSON object");
    load_fails("name-number.json", TEXT("{\"name\": 5, \"config\": {}}"),
               "\"name\" must be a string");
    load_fails("value-array.json",
               TEXT("{\"name\": \"x\", \"config\": {\"topics\": [\"a\", \"b\"]}}"),
               "config \"topics\": expected a string, number or boolean, got an array");
    load_fails("flat-null.json", TEXT("{\"name\": \"x\", \"file\": null}"),
               "config \"file\": expected a string, number or boolean, got null");
    load_fails("flat-object.json", TEXT("{\"name\": \"x\", \"nested\": {\"a\": \"b\"}}"),
               "config \"nested\": expected a string, number or boolean, got an object");
    load_fails("unknown-field.json", TEXT("{\"name\": \"x\", \"config\": {}, \"confg\": {}}"),
               "unknown field \"confg\" (expected \"name\" and \"config\")");
}

static void test_missing_or_bad_name(void **state)
{
    (void)state;
    load_fails("wrapped-no-name.json", TEXT("{\"config\": {\"topic\": \"t\"}}"),
               "missing \"name\"");
    load_fails("flat-no-name.json", TEXT("{\"topic\": \"t\"}"), "missing \"name\"");
    load_fails("empty-object.json", TEXT("{}"), "missing \"name\"");
    load_fails("no-name.properties", TEXT("connector.class=FileStreamSource\n"),
               "missing \"name\"");
    load_fails("empty.properties", "", 0, "missing \"name\"");
    load_fails("blank-name.properties", TEXT("name=   \n"), "\"name\" must not be empty");
    load_fails("blank-name.json", TEXT("{\"name\": \"\", \"config\": {}}"),
               "\"name\" must not be empty");
}

static void test_name_mismatch(void **state)
{
    (void)state;
    load_fails("mismatch.json", TEXT("{\"name\": \"a\", \"config\": {\"name\": \"b\"}}"),
               "\"config\".\"name\" ('b') does not match \"name\" ('a')");
    load_fails("mismatch-number.json", TEXT("{\"name\": \"1\", \"config\": {\"name\": 2}}"),
               "\"config\".\"name\" ('2') does not match \"name\" ('1')");
}

static void test_bad_properties(void **state)
{
    (void)state;
    load_fails("bad.properties", TEXT("name=x\nfile=\\u00\n"),
               "line 2: malformed \\uxxxx escape: expected 4 hex digits");
}

static void test_unreadable_file(void **state)
{
    (void)state;
    char err[512] = "";
    char expected[1024];
    char *path = NULL;
    assert_true(asprintf(&path, "%s/does-not-exist.json", temp_dir) > 0);
    assert_null(connector_file_load(path, err, sizeof(err)));
    snprintf(expected, sizeof(expected), "%s: No such file or directory", path);
    assert_string_equal(err, expected);
    free(path);

    assert_null(connector_file_load(temp_dir, err, sizeof(err)));
    snprintf(expected, sizeof(expected), "%s: Is a directory", temp_dir);
    assert_string_equal(err, expected);
}

static void test_json_parse_from_memory(void **state)
{
    (void)state;
    char err[512] = "";
    static const char body[] = "{\"name\":\"rest\",\"config\":{\"tasks.max\":3},"
                               "\"initial_state\":\"PAUSED\"}";
    config_map *map = connector_json_parse(body, strlen(body), "request body", err, sizeof(err));
    if (!map)
        fail_msg("%s", err);
    assert_entries(map, "name", "rest", "tasks.max", "3", NULL);
    config_map_destroy(map);

    /* The text need not be NUL-terminated: only len bytes are read. */
    static const char cut[] = "{\"name\":\"n\"}GARBAGE";
    map = connector_json_parse(cut, 12, "request body", err, sizeof(err));
    if (!map)
        fail_msg("%s", err);
    assert_entries(map, "name", "n", NULL);
    config_map_destroy(map);

    assert_null(connector_json_parse(TEXT("{\"config\":{}}"), "request body", err, sizeof(err)));
    assert_string_equal(err, "request body: missing \"name\"");

    assert_null(connector_json_parse(TEXT("[{\"name\": \"x\"}]"), "request body", err,
                                     sizeof(err)));
    assert_string_equal(err, "request body: expected a JSON object ({\"name\": .., \"config\": "
                             "{..}} or a map of strings)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_properties_file),
        cmocka_unit_test(test_json_wrapped),
        cmocka_unit_test(test_json_flat),
        cmocka_unit_test(test_json_wrapped_with_matching_config_name),
        cmocka_unit_test(test_json_get_connector_answer_accepted),
        cmocka_unit_test(test_json_detected_by_content),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_json_wrong_types),
        cmocka_unit_test(test_missing_or_bad_name),
        cmocka_unit_test(test_name_mismatch),
        cmocka_unit_test(test_bad_properties),
        cmocka_unit_test(test_unreadable_file),
        cmocka_unit_test(test_json_parse_from_memory),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
