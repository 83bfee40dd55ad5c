/*
 * test_field_path.c - field.syntax.version and the field paths of transforms against Kafka
 * Connect 3.9's FieldPathNotationTest and FieldSyntaxVersionTest (every V2 case, its error texts
 * word for word) and SingleFieldPath's readers: nested maps, struct schemas and struct values
 * with their defaults, and the texts of each step that cannot be followed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_validate.h"
#include "transforms/field_path.h"

static char err[512];

static field_path *parse_ok(const char *text, field_path_syntax syntax)
{
    err[0] = '\0';
    field_path *path = field_path_parse(text, syntax, err, sizeof err);
    if (!path)
        fail_msg("parsing [%s]: %s", text, err);
    return path;
}

/* steps: the expected steps, NULL-terminated. */
static void assert_steps(const char *text, field_path_syntax syntax, const char *const *steps)
{
    field_path *path = parse_ok(text, syntax);
    size_t count = 0;
    while (steps[count])
        count++;
    if (field_path_step_count(path) != count)
        fail_msg("[%s]: %zu steps, expected %zu", text, field_path_step_count(path), count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(field_path_step(path, i), steps[i]) != 0)
            fail_msg("[%s] step %zu: [%s], expected [%s]", text, i, field_path_step(path, i),
                     steps[i]);
    assert_string_equal(field_path_text(path), text);
    field_path_destroy(path);
}

#define V2(text, ...) assert_steps((text), FIELD_PATH_SYNTAX_V2, (const char *const[]){__VA_ARGS__})

static void assert_v2_error(const char *text, const char *message)
{
    err[0] = '\0';
    assert_null(field_path_parse(text, FIELD_PATH_SYNTAX_V2, err, sizeof err));
    assert_string_equal(err, message);
}

/* FieldPathNotationTest.shouldBuildV1WithDotsAndBacktickPair */
static void test_v1_is_one_step(void **state)
{
    (void)state;
    static const char *const texts[] = {"foo.bar.baz", "foo`bar`", "foo.`bar.baz`", "`foo", ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_steps(texts[i], FIELD_PATH_SYNTAX_V1, (const char *const[]){texts[i], NULL});
}

/* Every case of FieldPathNotationTest's V2 tests, in its order. */
static void test_v2_steps(void **state)
{
    (void)state;
    /* shouldIncludeEmptyFieldNames */
    V2("..", "", "", "", NULL);
    V2("foo..", "foo", "", "", NULL);
    V2(".bar.", "", "bar", "", NULL);
    V2("..baz", "", "", "baz", NULL);
    /* shouldBuildV2WithEmptyPath */
    V2("", NULL);
    /* shouldBuildV2WithoutDots, shouldBuildV2WhenIncludesDots */
    V2("foobarbaz", "foobarbaz", NULL);
    V2("foo.bar.baz", "foo", "bar", "baz", NULL);
    /* shouldBuildV2WithoutWrappingBackticks */
    V2("foo`bar`baz", "foo`bar`baz", NULL);
    /* shouldBuildV2WhenIncludesDotsAndBacktickPair */
    V2("`foo.bar.baz`", "foo.bar.baz", NULL);
    V2("foo.`bar.baz`", "foo", "bar.baz", NULL);
    V2("`foo.bar`.baz", "foo.bar", "baz", NULL);
    V2("foo.`bar`.baz", "foo", "bar", "baz", NULL);
    /* shouldBuildV2AndIgnoreBackticksThatAreNotWrapping */
    V2("foo.``bar.baz`", "foo", "`bar.baz", NULL);
    V2("foo.`bar.baz``", "foo", "bar.baz`", NULL);
    V2("foo.`ba`r.baz`", "foo", "ba`r.baz", NULL);
    V2("foo.ba`r.baz", "foo", "ba`r", "baz", NULL);
    V2("foo.``bar``.baz", "foo", "`bar`", "baz", NULL);
    V2("``foo.bar.baz``", "`foo.bar.baz`", NULL);
    /* shouldBuildV2AndEscapeBackticks */
    V2("foo.`bar\\`.baz`", "foo", "bar`.baz", NULL);
    V2("foo.`bar.`baz`", "foo", "bar.`baz", NULL);
    V2("foo.`bar\\`.`baz`", "foo", "bar`.`baz", NULL);
    V2("foo.`bar\\\\`.\\`baz`", "foo", "bar\\`.\\`baz", NULL);
}

/* Cases of buildFieldPathV2 beyond Kafka's table: a trailing dot after a backtick step, an empty
 * backtick step, a backslash that escapes nothing. */
static void test_v2_edges(void **state)
{
    (void)state;
    V2("foo.`bar`.", "foo", "bar", "", NULL);
    V2("``", "", NULL);
    V2("``.x", "", "x", NULL);
    V2("a\\.b", "a\\", "b", NULL);
    V2("`a\\b`", "a\\b", NULL);
    V2("`a\\``", "a\\`", NULL); /* only a backtick before a dot is escaped */
}

/* FieldPathNotationTest.shouldFailV2WhenIncompleteBackticks */
static void test_v2_incomplete_backticks(void **state)
{
    (void)state;
    assert_v2_error("`foo.bar.baz", "Incomplete backtick pair in path: [`foo.bar.baz], consider "
                                    "adding a backslash before backtick at position 0 to escape "
                                    "it");
    assert_v2_error("foo.`bar.baz", "Incomplete backtick pair in path: [foo.`bar.baz], consider "
                                    "adding a backslash before backtick at position 4 to escape "
                                    "it");
    assert_v2_error("foo.bar.`baz", "Incomplete backtick pair in path: [foo.bar.`baz], consider "
                                    "adding a backslash before backtick at position 8 to escape "
                                    "it");
    assert_v2_error("foo.bar.`baz\\`", "Incomplete backtick pair in path: [foo.bar.`baz\\`], "
                                       "consider adding a backslash before backtick at position "
                                       "8 to escape it");
    assert_v2_error("`foo`bar.baz", "Incomplete backtick pair in path: [`foo`bar.baz], consider "
                                    "adding a backslash before backtick at position 0 to escape "
                                    "it");
    assert_v2_error("`", "Incomplete backtick pair in path: [`], consider adding a backslash "
                         "before backtick at position 0 to escape it");
}

/* The position is a Java String index: UTF-16 units, not bytes. */
static void test_v2_error_position_in_utf16(void **state)
{
    (void)state;
    /* "é" is 2 bytes and 1 unit; U+1F600 is 4 bytes and 2 units */
    assert_v2_error("\xc3\xa9.`x", "Incomplete backtick pair in path: [\xc3\xa9.`x], consider "
                                   "adding a backslash before backtick at position 2 to escape "
                                   "it");
    assert_v2_error("\xf0\x9f\x98\x80.`x", "Incomplete backtick pair in path: "
                                           "[\xf0\x9f\x98\x80.`x], consider adding a backslash "
                                           "before backtick at position 3 to escape it");
    V2("\xc3\xa9.`\xf0\x9f\x98\x80.x`", "\xc3\xa9", "\xf0\x9f\x98\x80.x", NULL);
}

/* FieldSyntaxVersionTest: case-insensitive V1 and V2, everything else refused with the text. */
static void test_syntax_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        field_path_syntax syntax;
    } good[] = {
        {"V1", FIELD_PATH_SYNTAX_V1},   {"v1", FIELD_PATH_SYNTAX_V1},
        {" V1 ", FIELD_PATH_SYNTAX_V1}, {"V2", FIELD_PATH_SYNTAX_V2},
        {"v2", FIELD_PATH_SYNTAX_V2},   {"\tv2\n", FIELD_PATH_SYNTAX_V2},
        {NULL, FIELD_PATH_SYNTAX_V1},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        field_path_syntax syntax = 0;
        assert_int_equal(field_path_syntax_parse(good[i].text, &syntax, err, sizeof err), 0);
        assert_int_equal(syntax, good[i].syntax);
    }
    static const struct {
        const char *text;
        const char *shown;
    } bad[] = {{"v3", "v3"}, {"V 1", "V 1"}, {"1", "1"}, {" v3 ", "v3"}, {"", ""}, {"V12", "V12"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        field_path_syntax syntax = 0;
        char expected[256];
        snprintf(expected, sizeof expected,
                 "Invalid value %s for configuration field.syntax.version: String must be one of "
                 "(case insensitive): V1, V2",
                 bad[i].shown);
        assert_int_equal(field_path_syntax_parse(bad[i].text, &syntax, err, sizeof err), -1);
        assert_string_equal(err, expected);
    }
}

/* The key's definition as FieldSyntaxVersion.appendConfigTo declares it, and the validator
 * taking its values without case. */
static void test_syntax_config_key(void **state)
{
    (void)state;
    static const ferry_config_key keys[] = {FIELD_PATH_SYNTAX_CONFIG, {.name = NULL}};
    assert_string_equal(keys[0].name, "field.syntax.version");
    assert_int_equal(keys[0].type, FERRY_CONFIG_STRING);
    assert_string_equal(keys[0].default_value, "V1");
    assert_false(keys[0].required);
    assert_int_equal(keys[0].importance, FERRY_IMPORTANCE_HIGH);
    assert_string_equal(keys[0].allowed_values[0], "V1");
    assert_string_equal(keys[0].allowed_values[1], "V2");
    assert_null(keys[0].allowed_values[2]);
    assert_non_null(strstr(keys[0].documentation, "\"`foo.bar`.baz\"."));
    assert_true(strncmp(keys[0].documentation, "Defines the version of the syntax", 32) == 0);

    config_errors *errors = config_errors_new();
    assert_int_equal(config_value_check(&keys[0], "v2", errors), 0);
    assert_int_equal(config_value_check(&keys[0], "V1", errors), 0);
    assert_int_equal(config_value_check(&keys[0], keys[0].default_value, errors), 0);
    assert_int_equal(config_value_check(&keys[0], "v3", errors), 1);
    assert_int_equal(config_errors_count(errors), 1);
    assert_string_equal(config_errors_key_at(errors, 0), "field.syntax.version");
    config_errors_destroy(errors);
}

/* ---- reading -------------------------------------------------------------------------------- */

static json_t *json_of(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON: %s: %s", text, error.text);
    return value;
}

/* The value at text (V2) in map, as JSON text ("(null)" for NULL); errors fail the test. */
static void assert_map_value(const json_t *map, const char *text, const char *expected)
{
    field_path *path = parse_ok(text, FIELD_PATH_SYNTAX_V2);
    json_t *value = (json_t *)1;
    if (field_path_get(path, map, &value, err, sizeof err) != 0)
        fail_msg("[%s]: %s", text, err);
    char *dumped = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    assert_string_equal(dumped ? dumped : "(null)", expected);
    free(dumped);
    field_path_destroy(path);
}

static void assert_map_error(const json_t *map, const char *text, const char *message)
{
    field_path *path = parse_ok(text, FIELD_PATH_SYNTAX_V2);
    json_t *value = (json_t *)1;
    assert_int_equal(field_path_get(path, map, &value, err, sizeof err), -1);
    assert_null(value);
    assert_string_equal(err, message);
    field_path_destroy(path);
}

static void test_map_get(void **state)
{
    (void)state;
    json_t *map = json_of("{\"a\":{\"b\":{\"c\":7},\"n\":null,\"s\":\"text\",\"l\":[1],"
                          "\"i\":5,\"f\":1.5,\"t\":true},\"x.y\":{\"z\":\"dotted\"},"
                          "\"top\":null,\"\":{\"\":\"empty\"}}");
    assert_map_value(map, "a.b.c", "7");
    assert_map_value(map, "a.b", "{\"c\":7}");
    assert_map_value(map, "`x.y`.z", "\"dotted\"");
    assert_map_value(map, "x.y", "(null)");           /* no field x */
    assert_map_value(map, "a.missing.c", "(null)");   /* a missing step on the way */
    assert_map_value(map, "a.n.c", "(null)");         /* a null on the way */
    assert_map_value(map, "a.b.missing", "(null)");
    assert_map_value(map, "top", "(null)");           /* present, null */
    assert_map_value(map, ".", "\"empty\"");          /* two empty steps */
    static const struct {
        const char *text;
        const char *found;
    } not_maps[] = {{"a.s.x", "java.lang.String"},   {"a.l.x", "java.util.ArrayList"},
                    {"a.i.x", "java.lang.Long"},     {"a.f.x", "java.lang.Double"},
                    {"a.t.x", "java.lang.Boolean"},  {"a.b.c.d", "java.lang.Long"}};
    for (size_t i = 0; i < sizeof not_maps / sizeof not_maps[0]; i++) {
        char message[256];
        snprintf(message, sizeof message,
                 "Only Map objects supported in absence of schema for [nested field access], "
                 "found: %s",
                 not_maps[i].found);
        assert_map_error(map, not_maps[i].text, message);
    }

    /* V1: the dots are part of the one name */
    field_path *v1 = parse_ok("x.y", FIELD_PATH_SYNTAX_V1);
    json_t *value = NULL;
    assert_int_equal(field_path_get(v1, map, &value, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(value, "z")), "dotted");
    field_path_destroy(v1);
    json_decref(map);
}

/* A V2 empty path has no steps: Kafka throws on it at apply, ferry says so (a null input is
 * null first, as in Kafka). */
static void test_empty_path(void **state)
{
    (void)state;
    field_path *path = parse_ok("", FIELD_PATH_SYNTAX_V2);
    json_t *map = json_of("{\"\":1}");
    json_t *schema = json_of("{\"type\":\"struct\",\"fields\":[]}");
    json_t *out = (json_t *)1;
    assert_int_equal(field_path_get(path, NULL, &out, err, sizeof err), 0);
    assert_null(out);
    assert_int_equal(field_path_schema_get(path, NULL, &out, err, sizeof err), 0);
    assert_int_equal(field_path_struct_get(path, schema, NULL, true, &out, err, sizeof err), 0);
    assert_int_equal(field_path_get(path, map, &out, err, sizeof err), -1);
    assert_string_equal(err, "Invalid field path []: it names no field");
    assert_int_equal(field_path_schema_get(path, schema, &out, err, sizeof err), -1);
    assert_string_equal(err, "Invalid field path []: it names no field");
    assert_int_equal(field_path_struct_get(path, schema, map, true, &out, err, sizeof err), -1);
    assert_string_equal(err, "Invalid field path []: it names no field");
    json_decref(map);
    json_decref(schema);
    field_path_destroy(path);
    assert_null(field_path_parse(NULL, FIELD_PATH_SYNTAX_V1, err, sizeof err));
    assert_string_equal(err, "a field path is required");
}

/* A struct schema: a, an optional struct with b (a struct with c int32 default 3, d string),
 * n (int64 with default 42), i (int32), m (a map); and "x.y" (a struct with z). */
static json_t *nested_schema(void)
{
    return json_of(
        "{\"type\":\"struct\",\"name\":\"top\",\"fields\":["
        "{\"field\":\"a\",\"type\":\"struct\",\"optional\":true,\"fields\":["
        "  {\"field\":\"b\",\"type\":\"struct\",\"optional\":true,"
        "   \"default\":{\"c\":9,\"d\":\"from default\"},\"fields\":["
        "    {\"field\":\"c\",\"type\":\"int32\",\"optional\":true,\"default\":3},"
        "    {\"field\":\"d\",\"type\":\"string\",\"optional\":true}]},"
        "  {\"field\":\"n\",\"type\":\"int64\",\"optional\":true,\"default\":42},"
        "  {\"field\":\"i\",\"type\":\"int32\",\"optional\":true},"
        "  {\"field\":\"m\",\"type\":\"map\",\"keys\":{\"type\":\"string\"},"
        "   \"values\":{\"type\":\"string\"},\"optional\":true}]},"
        "{\"field\":\"x.y\",\"type\":\"struct\",\"fields\":["
        "  {\"field\":\"z\",\"type\":\"string\"}]}]}");
}

static void assert_schema_field(const json_t *schema, const char *text, const char *expected_type)
{
    field_path *path = parse_ok(text, FIELD_PATH_SYNTAX_V2);
    json_t *field = (json_t *)1;
    if (field_path_schema_get(path, schema, &field, err, sizeof err) != 0)
        fail_msg("[%s]: %s", text, err);
    if (expected_type) {
        assert_non_null(field);
        assert_string_equal(json_string_value(json_object_get(field, "type")), expected_type);
    } else {
        assert_null(field);
    }
    field_path_destroy(path);
}

static void test_schema_get(void **state)
{
    (void)state;
    json_t *schema = nested_schema();
    assert_schema_field(schema, "a", "struct");
    assert_schema_field(schema, "a.b.c", "int32");
    assert_schema_field(schema, "a.b.d", "string");
    assert_schema_field(schema, "`x.y`.z", "string");
    assert_schema_field(schema, "a.missing.c", NULL);
    assert_schema_field(schema, "a.b.missing", NULL);
    assert_schema_field(schema, "x.y.z", NULL);

    /* the field found is the schema's own object, its name included */
    field_path *path = parse_ok("a.b.c", FIELD_PATH_SYNTAX_V2);
    json_t *field = NULL;
    assert_int_equal(field_path_schema_get(path, schema, &field, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(field, "field")), "c");
    assert_int_equal(json_integer_value(json_object_get(field, "default")), 3);
    assert_int_equal(field_path_schema_get(path, NULL, &field, err, sizeof err), 0);
    assert_null(field);
    field_path_destroy(path);

    /* a step into a schema that is not a struct, the last one too (Schema.field) */
    static const char *const not_structs[] = {"a.i.x", "a.m.x", "a.b.c.x"};
    for (size_t i = 0; i < sizeof not_structs / sizeof not_structs[0]; i++) {
        path = parse_ok(not_structs[i], FIELD_PATH_SYNTAX_V2);
        assert_int_equal(field_path_schema_get(path, schema, &field, err, sizeof err), -1);
        assert_string_equal(err, "Cannot look up fields on non-struct type");
        field_path_destroy(path);
    }
    json_t *int_schema = json_of("{\"type\":\"int32\"}");
    path = parse_ok("a", FIELD_PATH_SYNTAX_V1);
    assert_int_equal(field_path_schema_get(path, int_schema, &field, err, sizeof err), -1);
    assert_string_equal(err, "Cannot look up fields on non-struct type");
    field_path_destroy(path);
    json_decref(int_schema);
    json_decref(schema);
}

/* ExtractField's error for a field the schema does not have. */
static void test_schema_require(void **state)
{
    (void)state;
    json_t *schema = nested_schema();
    json_t *field = NULL;
    field_path *path = parse_ok("a.nonexistent", FIELD_PATH_SYNTAX_V2);
    assert_int_equal(field_path_schema_require(path, schema, &field, err, sizeof err), -1);
    assert_string_equal(err, "Unknown field: a.nonexistent");
    field_path_destroy(path);
    path = parse_ok("`x.y`.z", FIELD_PATH_SYNTAX_V2);
    assert_int_equal(field_path_schema_require(path, schema, &field, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(field, "field")), "z");
    field_path_destroy(path);
    path = parse_ok("a.b", FIELD_PATH_SYNTAX_V1); /* one field named "a.b" */
    assert_int_equal(field_path_schema_require(path, schema, &field, err, sizeof err), -1);
    assert_string_equal(err, "Unknown field: a.b");
    field_path_destroy(path);
    json_decref(schema);
}

/* The value at text (V2) in value under schema, as JSON text ("(null)" for NULL). */
static void assert_struct_value(const json_t *schema, const json_t *value, const char *text,
                                bool with_default, const char *expected)
{
    field_path *path = parse_ok(text, FIELD_PATH_SYNTAX_V2);
    json_t *result = (json_t *)1;
    if (field_path_struct_get(path, schema, value, with_default, &result, err, sizeof err) != 0)
        fail_msg("[%s]: %s", text, err);
    char *dumped = result ? json_dumps(result, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (strcmp(dumped ? dumped : "(null)", expected) != 0)
        fail_msg("[%s] with_default=%d: %s, expected %s", text, with_default,
                 dumped ? dumped : "(null)", expected);
    free(dumped);
    field_path_destroy(path);
}

static void test_struct_get(void **state)
{
    (void)state;
    json_t *schema = nested_schema();
    json_t *full = json_of("{\"a\":{\"b\":{\"c\":1,\"d\":\"dee\"},\"n\":5,\"i\":2,"
                           "\"m\":{\"k\":\"v\"}},\"x.y\":{\"z\":\"zed\"}}");
    assert_struct_value(schema, full, "a.b.c", true, "1");
    assert_struct_value(schema, full, "a.b.d", false, "\"dee\"");
    assert_struct_value(schema, full, "`x.y`.z", true, "\"zed\"");
    assert_struct_value(schema, full, "a.m", true, "{\"k\":\"v\"}");
    assert_struct_value(schema, full, "a.missing.c", true, "(null)"); /* not in the schema */
    assert_struct_value(schema, full, "a.b.missing", true, "(null)");
    assert_struct_value(schema, full, "x.y.z", true, "(null)");
    assert_struct_value(schema, NULL, "a.b.c", true, "(null)");

    /* nulls: the last step takes its default only with_default, the ones on the way always */
    json_t *nulls = json_of("{\"a\":{\"b\":{\"c\":null},\"n\":null}}");
    assert_struct_value(schema, nulls, "a.b.c", true, "3");
    assert_struct_value(schema, nulls, "a.b.c", false, "(null)");
    assert_struct_value(schema, nulls, "a.n", true, "42");
    assert_struct_value(schema, nulls, "a.n", false, "(null)");
    assert_struct_value(schema, nulls, "a.b.d", true, "(null)"); /* no default */
    json_t *no_b = json_of("{\"a\":{\"b\":null}}");
    assert_struct_value(schema, no_b, "a.b.d", false, "\"from default\""); /* b's default */
    assert_struct_value(schema, no_b, "a.b", false, "(null)");
    assert_struct_value(schema, no_b, "a.b", true, "{\"c\":9,\"d\":\"from default\"}");
    json_t *no_a = json_of("{\"a\":null}");
    assert_struct_value(schema, no_a, "a.b.c", true, "(null)"); /* a null on the way, no default */

    /* a step on the way whose value is not a struct */
    static const struct {
        const char *text;
        const char *found;
    } not_structs[] = {{"a.i.x", "java.lang.Integer"}, {"a.m.x", "java.util.HashMap"},
                       {"a.b.d.x", "java.lang.String"}};
    for (size_t i = 0; i < sizeof not_structs / sizeof not_structs[0]; i++) {
        field_path *path = parse_ok(not_structs[i].text, FIELD_PATH_SYNTAX_V2);
        json_t *result = (json_t *)1;
        char message[256];
        snprintf(message, sizeof message,
                 "Only Struct objects supported for [nested field access], found: %s",
                 not_structs[i].found);
        assert_int_equal(field_path_struct_get(path, schema, full, true, &result, err,
                                               sizeof err),
                         -1);
        assert_null(result);
        assert_string_equal(err, message);
        field_path_destroy(path);
    }
    json_decref(no_a);
    json_decref(no_b);
    json_decref(nulls);
    json_decref(full);
    json_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_is_one_step),
        cmocka_unit_test(test_v2_steps),
        cmocka_unit_test(test_v2_edges),
        cmocka_unit_test(test_v2_incomplete_backticks),
        cmocka_unit_test(test_v2_error_position_in_utf16),
        cmocka_unit_test(test_syntax_parse),
        cmocka_unit_test(test_syntax_config_key),
        cmocka_unit_test(test_map_get),
        cmocka_unit_test(test_empty_path),
        cmocka_unit_test(test_schema_get),
        cmocka_unit_test(test_schema_require),
        cmocka_unit_test(test_struct_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
