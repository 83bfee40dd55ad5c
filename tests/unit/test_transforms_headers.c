/* The header transforms of Kafka Connect 3.9: Filter, InsertHeader (value.literal written as
 * Values.parseString and SimpleHeaderConverter make it), DropHeaders and HeaderFrom$Key/$Value
 * (field values written as Values.convertToString), with and without schemas, their errors and
 * the validation of their configs. The expected texts were produced by Kafka 3.9.2's own classes
 * (connect-api, connect-transforms) on OpenJDK 17 in UTC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_map.h"
#include "config/config_validate.h"
#include "transforms/transform_chain.h"
#include "transform_fixture.h"

/* Ends a test's use of a chain and the record it transformed. */
static void done(transform_chain *chain, ferry_record *record)
{
    transform_chain_release(chain);
    fixture_record_release(record);
    transform_chain_destroy(chain);
}

/* ---- the registry ---------------------------------------------------------------------------- */

static void test_types_are_listed_by_class_name(void **state)
{
    (void)state;
    const transform_type *const *types = transform_types();
    for (size_t i = 1; types[i]; i++)
        assert_true(strcmp(transform_type_class(types[i - 1]), transform_type_class(types[i])) <
                    0);
    static const char *const names[][2] = {
        {"Filter", "org.apache.kafka.connect.transforms.Filter"},
        {"InsertHeader", "org.apache.kafka.connect.transforms.InsertHeader"},
        {"DropHeaders", "org.apache.kafka.connect.transforms.DropHeaders"},
        {"HeaderFrom$Key", "org.apache.kafka.connect.transforms.HeaderFrom$Key"},
        {"HeaderFrom$Value", "org.apache.kafka.connect.transforms.HeaderFrom$Value"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const transform_type *type = transform_type_find(names[i][1]);
        assert_non_null(type);
        assert_ptr_equal(transform_type_find(names[i][0]), type);
        assert_string_equal(transform_type_class(type), names[i][1]);
    }
}

/* What a chain of one transform reads and writes decides whether a task parses values and
 * collects headers for it. */
static unsigned needs_of(const char *lines)
{
    transform_chain *chain = fixture_chain_of(lines);
    unsigned needs = transform_chain_needs(chain);
    transform_chain_destroy(chain);
    return needs;
}

static void test_needs(void **state)
{
    (void)state;
    assert_int_equal(needs_of("transforms=f\ntransforms.f.type=Filter\n"), 0);
    /* Only appending: a sink may still read the record's own headers on demand. */
    assert_int_equal(needs_of("transforms=i\ntransforms.i.type=InsertHeader\n"
                              "transforms.i.header=h\ntransforms.i.value.literal=v\n"),
                     TRANSFORM_NEEDS_HEADER_APPEND);
    assert_int_equal(needs_of("transforms=d\ntransforms.d.type=DropHeaders\n"
                              "transforms.d.headers=h\n"),
                     TRANSFORM_NEEDS_HEADERS);
    assert_int_equal(needs_of("transforms=k\ntransforms.k.type=HeaderFrom$Key\n"
                              "transforms.k.fields=a\ntransforms.k.headers=h\n"
                              "transforms.k.operation=copy\n"),
                     TRANSFORM_NEEDS_KEY | TRANSFORM_NEEDS_HEADER_APPEND);
    assert_int_equal(needs_of("transforms=v\ntransforms.v.type=HeaderFrom$Value\n"
                              "transforms.v.fields=a\ntransforms.v.headers=h\n"
                              "transforms.v.operation=move\n"),
                     TRANSFORM_NEEDS_VALUE | TRANSFORM_NEEDS_HEADER_APPEND);
    /* Appending after a transform that reads them: the chain needs the headers first. */
    assert_int_equal(needs_of("transforms=d,i\ntransforms.d.type=DropHeaders\n"
                              "transforms.d.headers=h\ntransforms.i.type=InsertHeader\n"
                              "transforms.i.header=h\ntransforms.i.value.literal=v\n") &
                         TRANSFORM_NEEDS_HEADERS,
                     TRANSFORM_NEEDS_HEADERS);
}

/* ---- Filter ---------------------------------------------------------------------------------- */

static transform_result apply_with_headers(transform_chain *chain, const ferry_header *headers,
                                           size_t count)
{
    ferry_record record = fixture_record("null", NULL, "{\"a\":1}", NULL);
    record.headers = headers;
    record.header_count = count;
    transform_result result = transform_chain_apply(chain, &record, NULL, NULL, 0);
    transform_chain_release(chain);
    fixture_record_release(&record);
    return result;
}

static void test_filter_drops_what_it_applies_to(void **state)
{
    (void)state;
    const ferry_header traced[] = {{.key = "trace", .value = "1", .value_len = 1}};
    transform_chain *chain = fixture_chain_of("transforms=f\n"
                                              "transforms.f.type=org.apache.kafka.connect."
                                              "transforms.Filter\n");
    assert_int_equal(apply_with_headers(chain, NULL, 0), TRANSFORM_DROP);
    assert_int_equal(apply_with_headers(chain, traced, 1), TRANSFORM_DROP);
    transform_chain_destroy(chain);

    const char *predicated = "transforms=f\ntransforms.f.type=Filter\n"
                             "transforms.f.predicate=traced\npredicates=traced\n"
                             "predicates.traced.type=HasHeaderKey\n"
                             "predicates.traced.name=trace\n";
    chain = fixture_chain_of(predicated);
    assert_int_equal(transform_chain_needs(chain), TRANSFORM_NEEDS_HEADERS);
    assert_int_equal(apply_with_headers(chain, traced, 1), TRANSFORM_DROP);
    assert_int_equal(apply_with_headers(chain, NULL, 0), TRANSFORM_KEEP);
    transform_chain_destroy(chain);

    char negated[512];
    snprintf(negated, sizeof negated, "%stransforms.f.negate=true\n", predicated);
    chain = fixture_chain_of(negated);
    assert_int_equal(apply_with_headers(chain, traced, 1), TRANSFORM_KEEP);
    assert_int_equal(apply_with_headers(chain, NULL, 0), TRANSFORM_DROP);
    transform_chain_destroy(chain);

    /* A tombstone too: Filter never looks at the value. */
    chain = fixture_chain_of("transforms=f\ntransforms.f.type=Filter\n");
    ferry_record tombstone = {.topic = "test"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, NULL, 0), TRANSFORM_DROP);
    transform_chain_destroy(chain);
}

/* ---- InsertHeader ---------------------------------------------------------------------------- */

/* value.literal and the header bytes Kafka Connect 3.9.2 writes for it (NULL: a null value). */
static const struct {
    const char *literal;
    const char *header;
} literals[] = {
    {"abc", "abc"},
    {"true", "true"},
    {"null", NULL},
    {"1.5", "1.5"},
    {"[1, 2]", "[1,2]"},
    {"{\"a\":1}", "{\"a\":1}"},
    {"", ""},
    {" 12 ", "12"},
    {"True", "True"},
    {"false", "false"},
    {"NULL", "NULL"},
    {"   ", ""},
    {"12,5", "12"},
    {"1:2", "1"},
    {"abc,def", "abc,def"},
    {"true,x", "true,x"},
    {"-", "-"},
    {"+5", "5"},
    {"-0", "0"},
    {"1e3", "1000"},
    {"1.0", "1"},
    {"0.1", "0.1"},
    {"3.14159265358979", "3.1415927"},
    {"1e30", "1.0E30"},
    {"1e39", "1.0E39"},
    {"1.5e400", "1.5E+400"},
    {"12345678901234567890", "12345678901234567890"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"9223372036854775808", "9223372036854775808"},
    {"1E-400", "0.0"},
    {"0.000001", "1.0E-6"},
    {"1234567.0", "1234567"},
    {"12345678.9", "1.2345679E7"},
    {"100000000000000000000.5", "1.0E20"},
    {"2024-01-15", "2024-01-15"},
    {"2024-13-45", "2025-02-14"},
    {"12:30:00.000Z", "12:30:00.000Z"},
    {"25:61:00.000Z", "1970-01-02T02:01:00.000Z"},
    {"2024-01-15T12:30:00.000Z", "2024-01-15T12:30:00.000Z"},
    {"2024-01-15T00:00:00.000Z", "2024-01-15"},
    {"1970-01-01", "00:00:00.000Z"},
    {"1969-12-31", "00:00:00.000Z"},
    {"12\\:30\\:00.000Z", "12:30:00.000Z"},
    {"2024-01-1x", "2024-01-01"},
    {"1234567890", "1234567890"},
    {"0001-01-01", "00:00:00.000Z"},
    {"[]", "[]"},
    {"[null]", "[null]"},
    {"[1, \"a\"]", "[1,\"a\"]"},
    {"[1, 2.5]", "[1.0,2.5]"},
    {"[1, 1000, 100000, 10000000000]", "[1,1000,100000,10000000000]"},
    {"[\"a b\", \"c\\\"d\"]", "[\"a b\",\"c\\\\\\\"d\"]"},
    {"[\"2024-01-15\"]", "[2024-01-15]"},
    {"[2024-01-15]", "[2024-01-15]"},
    {"[true, false]", "[true,false]"},
    {"[true, 1]", "[true,1]"},
    {"[[1],[2]]", "[[1],[2]]"},
    {"[[1],[\"a\"]]", "[[1],[\"a\"]]"},
    {"{}", "{}"},
    {"{a:1}", "{a:1}"},
    {"{\"a\":null}", "{\"a\":null}"},
    {"{\"a\":1,\"b\":\"x\"}", "{\"a\":1,\"b\":\"x\"}"},
    {"{1:2,3:4}", "{1:2,3:4}"},
    {"{\"a\":[1,2]}", "{\"a\":[1,2]}"},
    {"[1,,2]", "[1,,2]"},
    {"[1,2", "[1,2"},
    {"[1 2]", "[1 2]"},
    {"{\"a\" 1}", "{\"a\" 1}"},
    {"\"abc\"", "\"abc\""},
    {"a\\b", "a\\b"},
    {"[a\\,b]", "[a\\,b]"},
    {"{\"a\":{\"b\":1}}", "{\"a\":{\"b\":1}}"},
    {"[1.5, 2]", "[1.5,2.0]"},
    {"[1e3]", "[1000]"},
    {"[-1, +1]", "[-1,1]"},
    {"[ ]", "[]"},
    {"[,]", "[,]"},
    {"{ \"a\" : 1 }", "{\"a\":1}"},
    {"[null, 1]", "[null, 1]"},
    {"[1, null]", "[1, null]"},
    {"{\"k\": null, \"j\": 1}", "{\"k\": null, \"j\": 1}"},
    {"{\"a\":1,\"a\":2}", "{\"a\":2}"},
    {"{1:1,1.0:2}", "{1:2}"},
    {"{\"a\":1}x", "{\"a\":1}"},
    {"[1]]", "[1]"},
    {"[1],[2]", "[1]"},
    {"[\"a\" \"b\"]", "[\"a\" \"b\"]"},
    {"[\" a \", \" \"]", "[\" a \",\"\"]"},
    {"[\"x\\\\y\"]", "[\"x\\\\\\\\y\"]"},
    {"[\"12:30:00.000Z\"]", "[12:30:00.000Z]"},
    {"[12:30:00.000Z]", "[12:30:00.000Z]"},
    {"{12:30:00.000Z:1}", "{12:30:00.000Z:1}"},
    {"[1.0E10]", "[10000000000]"},
    {"[1, 2.5, 1e40]", "[1.0,2.5,1.0E40]"},
    {"[1e40]", "[1.0E40]"},
    {"[1.5e400]", "[1.5E+400]"},
    {"[12345678901234567890]", "[12345678901234567890]"},
    {"[12345678901234567890, 1]", "[12345678901234567890,1]"},
    {"{\"a\":1, \"b\"}", "{\"a\":1, \"b\"}"},
    {"{\"a\":}", "{\"a\":}"},
    {"{:1}", "{:1}"},
    {"[1,]", "[1]"},
    {"{\"a\":1,}", "{\"a\":1}"},
    {"1.5.5", "1.5.5"},
    {"0x10", "0x10"},
    {"NaN", "NaN"},
    {"Infinity", "Infinity"},
    {"1_000", "1_000"},
    {".5", ".5"},
    {"5.", "5"},
    {"+", "+"},
    {"1e", "1e"},
    {"1e99999999999", "1e99999999999"},
    {"[true]x", "[true]"},
    {"{\"a\":true}", "{\"a\":true}"},
    {"[true, \"true\"]", "[true,\"true\"]"},
    {"[\"2024-01-15\", \"x\"]", "[2024-01-15,\"x\"]"},
    {"[\"2024-01-15\", 1]", "[2024-01-15,1970-01-02]"},
    {"[1, \"2024-01-15\"]", "[1970-01-02,2024-01-15]"},
    {"[[1,2],[1.5]]", "[[1,2],[1.5]]"},
    {"[{\"a\":1},{\"b\":\"x\"}]", "[{\"a\":1},{\"b\":\"x\"}]"},
    {"[[], [1]]", "[[],[1]]"},
    {"[{}, {\"a\":1}]", "[{},{\"a\":1}]"},
    {"12345678901234567890.0", "1.2345679E19"},
    {"-12345678901234567890", "-12345678901234567890"},
    {"1e2147483647", "1E+2147483647"},
    {"1e-2147483648", "1e-2147483648"},
    {"1e2147483648", "1e2147483648"},
    {"1.5e-2147483647", "1.5e-2147483647"},
    {"-.5", "-0.5"},
    {"-0.0", "0"},
    {"-1e-50", "-0.0"},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775809", "-9223372036854775809"},
    {"127", "127"},
    {"128", "128"},
    {"-128", "-128"},
    {"-129", "-129"},
    {"32768", "32768"},
    {"2147483648", "2147483648"},
    /* OpenJDK 17 prints this float 9.0071993E15; java_number.h writes the shortest digits that
     * read back, as JDK 19 and later do. */
    {"[9007199254740993, 1.5]", "[9.007199E15,1.5]"},
    {"[16777217, 1.5]", "[1.6777216E7,1.5]"},
    {"[9223372036854775807, 1.5]", "[9.223372E18,1.5]"},
    {"[100000, \"2024-01-15\"]", "[2243-10-17,2024-01-15]"},
    {"[\"2024-01-15\", 100000]", "[\"2024-01-15\", 100000]"},
    {"[\"12:30:00.000Z\", 86400001]", "[\"12:30:00.000Z\", 86400001]"},
    {"[\"12:30:00.000Z\", 86400000]", "[\"12:30:00.000Z\", 86400000]"},
    {"[\"12:30:00.000Z\", -1]", "[\"12:30:00.000Z\", -1]"},
    {"[\"2024-01-15T12:30:00.000Z\", 5]", "[2024-01-15T12:30:00.000Z,00:00:00.005Z]"},
    {"[\"2024-01-15T12:30:00.000Z\", 1.5]", "[\"2024-01-15T12:30:00.000Z\", 1.5]"},
    {"[1.5, \"2024-01-15T12:30:00.000Z\"]", "[1.5, \"2024-01-15T12:30:00.000Z\"]"},
    {"{\"a\":1,\"b\":\"x\",\"a\":\"y\"}", "{\"a\":\"y\",\"b\":\"x\"}"},
    {"{1:1,\"1\":2}", "{1:1,\"1\":2}"},
    {"{[1]:2}", "{[1]:2}"},
    {"{{\"a\":1}:2}", "{{\"a\":1}:2}"},
    {"{true:1}", "{true:1}"},
    {"{1:1,1000:2,1:3}", "{1:3,1000:2}"},
    {"{1.5:1,1:2}", "{1.5:1,1.0:2}"},
    {"{1:1,1.5:2}", "{1.0:1,1.5:2}"},
    {"[\"a\",\"b\"]x", "[\"a\",\"b\"]"},
    {"[1,2] ", "[1,2]"},
    {"[\"a:b\"]", "[\"a:b\"]"},
    {"[\"a\\:b\"]", "[\"a\\\\:b\"]"},
    {"a:b", "a:b"},
    {"[\"\\\"x\"]", "[\"\\\\\\\"x\"]"},
    {"[ \"x\" ]", "[\"x\"]"},
    {"[1 , 2 ]", "[1,2]"},
    {"{ \"a\" : [ 1 , 2 ] , \"b\" : { } }", "{\"a\":[1,2],\"b\":{}}"},
    {"[[]]", "[[]]"},
    {"[[],[]]", "[[],[]]"},
    {"[{}]", "[{}]"},
    {"[null,null]", "[null,null]"},
    {"{\"a\":null,\"b\":null}", "{\"a\":null,\"b\":null}"},
    {"{null:1}", "{null:1}"},
    {"[\"2024-01-15\",\"12:30:00.000Z\"]", "[2024-01-15,12:30:00.000Z]"},
    {"[\"12:30:00.000Z\",\"2024-01-15\"]", "[12:30:00.000Z,2024-01-15]"},
    {"[2024-01-15T12:30:00.000Z]", "[2024-01-15T12:30:00.000Z]"},
    {"2024-01-15T12\\:30\\:00.000Z", "2024-01-15T12:30:00.000Z"},
    {"12:30:00.000Zabc", "12"},
    {"12:30:00.000Z:x", "12:30:00.000Z"},
    {"1:30:00.000Z", "1"},
    {"12:30", "12"},
    {"2024-01-15 12:30:00", "2024-01-15 12:30:00"},
    {"20240115", "20240115"},
    {"[1,2]]]", "[1,2]"},
    {"[[1,2]", "[[1,2]"},
    {"h\xc3\xa9llo,w\xc3\xb6rld", "h\xc3\xa9llo,w\xc3\xb6rld"},
    {"[\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"]", "[\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"]"},
    {"[\"2024-01-1\xc3\xa9\"]", "[2024-01-01]"},
    {"[\"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x94-01-15\"]", "[2024-01-15]"},
    {"[\"a\tb\"]", "[\"a\tb\"]"},
    {"[\xf0\x9d\x84\x9e]", "[\xf0\x9d\x84\x9e]"},
    {"[\"\xf0\x9d\x84\x9e\"]", "[\"\xf0\x9d\x84\x9e\"]"},
    {"{\"\xc3\xa9\":\"\xc3\xbc\"}", "{\"\xc3\xa9\":\"\xc3\xbc\"}"},
    {"[\"a\\\\\"]", "[\"a\\\\\\\\\"]"},
    {"[1.5, 1e-50]", "[1.5,0.0]"},
    {"[2, 3e38, 4e38]", "[2.0,3.0000000054977558E38,4.0E38]"},
    {"[1.0e-7]", "[1.0E-7]"},
    {"[0.001]", "[0.001]"},
    {"[1e7]", "[10000000]"},
    {"9.999999999999999e22", "1.0E23"},
    {"-1.7976931348623157e308", "-1.7976931348623157E308"},
    {"1.7976931348623159e308", "1.7976931348623159E+308"},
    {"3.4028235e38", "3.4028235E38"},
    {"3.4028236e38", "3.4028236E38"},
};

/* The header h an InsertHeader with this literal adds to a record without headers. */
static char *inserted(const char *literal, int *found)
{
    char lines[512];
    snprintf(lines, sizeof lines, "transforms=i\ntransforms.i.type=InsertHeader\n"
             "transforms.i.header=h\ntransforms.i.value.literal=%s\n", literal);
    transform_chain *chain = fixture_chain_of(lines);
    ferry_record record = fixture_record("null", NULL, "null", NULL);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 1);
    char *text = fixture_header(&record, "h", found);
    transform_chain_release(chain);
    transform_chain_destroy(chain);
    fixture_record_release(&record);
    return text;
}

static void test_insert_header_writes_literals_as_kafka_connect(void **state)
{
    (void)state;
    size_t wrong = 0;
    for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
        int found;
        char *text = inserted(literals[i].literal, &found);
        assert_true(found);
        if (!literals[i].header != !text ||
            (text && strcmp(text, literals[i].header) != 0)) {
            print_error("value.literal '%s': header '%s', Kafka Connect writes '%s'\n",
                        literals[i].literal, text ? text : "(null)",
                        literals[i].header ? literals[i].header : "(null)");
            wrong++;
        }
        free(text);
    }
    assert_int_equal(wrong, 0);
}

static void test_insert_header_appends_after_the_records_own(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of("transforms=i\ntransforms.i.type=InsertHeader\n"
                                              "transforms.i.header= h \n"
                                              "transforms.i.value.literal=new\n");
    const ferry_header own[] = {{.key = "h", .value = "old", .value_len = 3},
                                {.key = "other", .value = NULL}};
    ferry_record record = {.topic = "test", .headers = own, .header_count = 2,
                           .value = {.kind = FERRY_DATA_STRING, .data = "{\"a\":1}", .len = 7}};
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 3);
    assert_string_equal(record.headers[0].key, "h");
    assert_memory_equal(record.headers[0].value, "old", 3);
    assert_string_equal(record.headers[1].key, "other");
    assert_null(record.headers[1].value);
    assert_string_equal(record.headers[2].key, "h"); /* the name is trimmed, as Java's */
    assert_int_equal(record.headers[2].value_len, 3);
    assert_memory_equal(record.headers[2].value, "new", 3);
    assert_ptr_not_equal(record.headers, own); /* the record's own array is left alone */
    assert_int_equal(own[0].value_len, 3);
    assert_int_equal(record.value.kind, FERRY_DATA_STRING); /* InsertHeader reads no value */
    done(chain, &record);
}

static void test_insert_header_config(void **state)
{
    (void)state;
    fixture_expect_invalid("transforms=i\ntransforms.i.type=InsertHeader\n"
                           "transforms.i.value.literal=v\n",
                           "transforms.i.header",
                           "Missing required configuration \"header\" which has no default "
                           "value.");
    fixture_expect_invalid("transforms=i\ntransforms.i.type=InsertHeader\n"
                           "transforms.i.header=h\n",
                           "transforms.i.value.literal",
                           "Missing required configuration \"value.literal\" which has no "
                           "default value.");
    /* Empty values are allowed (NonNullValidator): an empty name, an empty value. */
    transform_chain *chain = fixture_chain_of("transforms=i\ntransforms.i.type=InsertHeader\n"
                                              "transforms.i.header=\n"
                                              "transforms.i.value.literal=\n");
    ferry_record record = fixture_record("null", NULL, "null", NULL);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 1);
    assert_string_equal(record.headers[0].key, "");
    assert_non_null(record.headers[0].value);
    assert_int_equal(record.headers[0].value_len, 0);
    transform_chain_release(chain);
    transform_chain_destroy(chain);
    /* A literal nested deeper than the converters go is refused under its key. */
    size_t depth = 3000;
    char *lines = malloc(depth * 2 + 200);
    assert_non_null(lines);
    int used = snprintf(lines, 200, "transforms=i\ntransforms.i.type=InsertHeader\n"
                        "transforms.i.header=h\ntransforms.i.value.literal=");
    memset(lines + used, '[', depth);
    memset(lines + used + depth, ']', depth);
    strcpy(lines + used + 2 * depth, "\n");
    fixture_expect_invalid(lines, "transforms.i.value.literal", "nested deeper than");
    free(lines);
}

/* ---- DropHeaders ----------------------------------------------------------------------------- */

static void test_drop_headers_removes_every_occurrence(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of("transforms=d\n"
                                              "transforms.d.type=org.apache.kafka.connect."
                                              "transforms.DropHeaders\n"
                                              "transforms.d.headers=a , c\n");
    const ferry_header own[] = {
        {.key = "a", .value = "1", .value_len = 1}, {.key = "b", .value = "2", .value_len = 1},
        {.key = "A", .value = "3", .value_len = 1}, {.key = "c", .value = NULL},
        {.key = "a", .value = "4", .value_len = 1}, {.key = "d", .value = "5", .value_len = 1},
    };
    ferry_record record = fixture_record("null", NULL, "{\"a\":1}", NULL);
    record.headers = own;
    record.header_count = 6;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 3);
    assert_string_equal(record.headers[0].key, "b");
    assert_string_equal(record.headers[1].key, "A"); /* names are case-sensitive */
    assert_string_equal(record.headers[2].key, "d");
    assert_string_equal(own[0].key, "a"); /* the record's own array is left alone */
    transform_chain_release(chain);

    /* Nothing to remove: the headers stay the record's own. */
    const ferry_header other[] = {{.key = "b", .value = "2", .value_len = 1}};
    record.headers = other;
    record.header_count = 1;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_ptr_equal(record.headers, other);
    assert_int_equal(record.header_count, 1);
    record.headers = NULL;
    record.header_count = 0;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 0);
    done(chain, &record);
}

static void test_drop_headers_config(void **state)
{
    (void)state;
    fixture_expect_invalid("transforms=d\ntransforms.d.type=DropHeaders\n", "transforms.d.headers",
                           "Missing required configuration \"headers\" which has no default "
                           "value.");
    fixture_expect_invalid("transforms=d\ntransforms.d.type=DropHeaders\n"
                           "transforms.d.headers= \n",
                           "transforms.d.headers",
                           "Invalid value [] for configuration headers: Empty list");
}

/* ---- HeaderFrom ------------------------------------------------------------------------------ */

#define HEADER_FROM(side, fields, headers, operation)                                          \
    "transforms=hf\ntransforms.hf.type=HeaderFrom$" side "\ntransforms.hf.fields=" fields      \
    "\ntransforms.hf.headers=" headers "\ntransforms.hf.operation=" operation "\n"

/* Expects header `key` of record to be text (NULL: a null value). */
static void expect_header(const ferry_record *record, const char *key, const char *text)
{
    int found;
    char *value = fixture_header(record, key, &found);
    if (!found)
        fail_msg("no header %s", key);
    if (!text != !value || (text && strcmp(text, value) != 0))
        fail_msg("header %s is '%s', expected '%s'", key, value ? value : "(null)",
                 text ? text : "(null)");
    free(value);
}

static void expect_data(const ferry_data *data, const char *json)
{
    char *text = fixture_value_text(data);
    assert_string_equal(text, json);
    free(text);
}

/* The schema of data equals the one of this text (members in any order). */
static void expect_schema(const ferry_data *data, const char *text)
{
    json_t *expected = json_loads(text, 0, NULL);
    assert_non_null(expected);
    if (!json_equal(expected, data->schema)) {
        char *got = fixture_schema_text(data);
        fail_msg("schema %s, expected %s", got, text);
    }
    json_decref(expected);
}

static void test_header_from_schemaless(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Value", "a,b,c,d,e,f,g,h,zz",
                                                          "a,b,c,d,e,f,g,h,zz", "copy"));
    ferry_record record = fixture_record(
        "null", NULL,
        "{\"a\":1,\"b\":1.5,\"c\":[1,\"x\",null,2.0],\"d\":{\"y\":\"q\\\"\\\\\"},\"e\":null,"
        "\"f\":true,\"g\":\"s\",\"h\":1e300}",
        NULL);
    const json_t *copied = record.value.json;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_int_equal(record.header_count, 9);
    expect_header(&record, "a", "1");
    expect_header(&record, "b", "1.5");
    expect_header(&record, "c", "[1,\"x\",null,2.0]");
    expect_header(&record, "d", "{\"y\":\"q\\\"\\\\\"}");
    expect_header(&record, "e", NULL);
    expect_header(&record, "f", "true");
    expect_header(&record, "g", "s");
    expect_header(&record, "h", "1.0E300");
    expect_header(&record, "zz", NULL); /* a field the map does not have */
    static const char *const order[] = {"a", "b", "c", "d", "e", "f", "g", "h", "zz"};
    for (size_t i = 0; i < 9; i++) /* in the order of `headers` */
        assert_string_equal(record.headers[i].key, order[i]);
    assert_ptr_equal(record.value.json, copied); /* copy leaves the value as it is */
    done(chain, &record);

    chain = fixture_chain_of(HEADER_FROM("Value", "b,a", "x,y", "move"));
    record = fixture_record("null", NULL, "{\"a\":1,\"b\":2,\"c\":3}", NULL);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_string_equal(record.headers[0].key, "x");
    expect_header(&record, "x", "2");
    expect_header(&record, "y", "1");
    expect_data(&record.value, "{\"c\":3}");
    assert_null(record.value.schema);
    transform_chain_release(chain);
    fixture_record_release(&record);

    /* Not a map: Kafka's Requirements text. A tombstone is none either. */
    char err[512] = "";
    record = fixture_record("null", NULL, "\"str\"", NULL);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "Only Map objects supported in absence of schema for "
                                "[header move], found: java.lang.String"));
    transform_chain_release(chain);
    fixture_record_release(&record);
    ferry_record tombstone = {.topic = "test"};
    assert_int_equal(transform_chain_apply(chain, &tombstone, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "Only Map objects supported in absence of schema for "
                                "[header move], found: null"));
    transform_chain_release(chain);
    transform_chain_destroy(chain);
}

/* A struct of every type, as the JsonConverter reads it. */
static const char struct_schema[] =
    "{\"type\":\"struct\",\"name\":\"rec\",\"optional\":true,\"fields\":["
    "{\"field\":\"i8\",\"type\":\"int8\",\"optional\":false},"
    "{\"field\":\"i16\",\"type\":\"int16\",\"optional\":false},"
    "{\"field\":\"i32\",\"type\":\"int32\",\"optional\":false},"
    "{\"field\":\"i64\",\"type\":\"int64\",\"optional\":false},"
    "{\"field\":\"f32\",\"type\":\"float\",\"optional\":false},"
    "{\"field\":\"f64\",\"type\":\"double\",\"optional\":false},"
    "{\"field\":\"bo\",\"type\":\"boolean\",\"optional\":false},"
    "{\"field\":\"st\",\"type\":\"string\",\"optional\":false},"
    "{\"field\":\"by\",\"type\":\"bytes\",\"optional\":false},"
    "{\"field\":\"dec\",\"type\":\"bytes\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
    "\"parameters\":{\"scale\":\"2\"}},"
    "{\"field\":\"dt\",\"type\":\"int32\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1},"
    "{\"field\":\"dt0\",\"type\":\"int32\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Date\",\"version\":1},"
    "{\"field\":\"tm\",\"type\":\"int32\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Time\",\"version\":1},"
    "{\"field\":\"ts\",\"type\":\"int64\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1},"
    "{\"field\":\"ts2\",\"type\":\"int64\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1},"
    "{\"field\":\"ts3\",\"type\":\"int64\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1},"
    "{\"field\":\"arr\",\"type\":\"array\",\"optional\":false,"
    "\"items\":{\"type\":\"string\",\"optional\":true}},"
    "{\"field\":\"darr\",\"type\":\"array\",\"optional\":false,\"items\":{\"type\":\"int32\","
    "\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Date\"}},"
    "{\"field\":\"m\",\"type\":\"map\",\"optional\":false,"
    "\"keys\":{\"type\":\"string\",\"optional\":false},"
    "\"values\":{\"type\":\"float\",\"optional\":false}},"
    "{\"field\":\"mi\",\"type\":\"map\",\"optional\":false,"
    "\"keys\":{\"type\":\"int32\",\"optional\":false},"
    "\"values\":{\"type\":\"string\",\"optional\":false}},"
    "{\"field\":\"ns\",\"type\":\"struct\",\"optional\":true,\"fields\":["
    "{\"field\":\"x\",\"type\":\"int32\",\"optional\":true,\"default\":7},"
    "{\"field\":\"y\",\"type\":\"bytes\",\"optional\":true}]},"
    "{\"field\":\"opt\",\"type\":\"string\",\"optional\":true},"
    "{\"field\":\"def\",\"type\":\"int32\",\"optional\":true,\"default\":42},"
    "{\"field\":\"nd\",\"type\":\"bytes\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"-3\"}},"
    "{\"field\":\"nd2\",\"type\":\"bytes\",\"optional\":false,"
    "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"10\"}}]}";

static const char struct_value[] =
    "{\"i8\":-5,\"i16\":300,\"i32\":70000,\"i64\":9007199254740993,\"f32\":0.1,\"f64\":0.1,"
    "\"bo\":true,\"st\":\"a \\\"q\\\"\",\"by\":\"AQID\",\"dec\":\"MDk=\",\"dt\":19737,\"dt0\":0,"
    "\"tm\":45000000,\"ts\":1700000000000,\"ts2\":86400000,\"ts3\":-1,"
    "\"arr\":[\"x\",null,\"y\\\\\"],\"darr\":[1,0],\"m\":{\"k\":1.5},"
    "\"mi\":[[1,\"a\"],[2,\"b\"]],\"ns\":{\"x\":null,\"y\":\"/w==\"},\"opt\":null,\"def\":null,"
    "\"nd\":\"/w==\",\"nd2\":\"AQ==\"}";

#define ALL_FIELDS                                                                             \
    "i8,i16,i32,i64,f32,f64,bo,st,by,dec,dt,dt0,tm,ts,ts2,ts3,arr,darr,m,mi,ns,opt,def,nd,nd2"

static void test_header_from_struct_writes_each_type(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Value", ALL_FIELDS, ALL_FIELDS,
                                                          "move"));
    ferry_record record = fixture_record("null", NULL, struct_value, struct_schema);
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_KEEP);
    static const char *const expected[][2] = {
        {"i8", "-5"},
        {"i16", "300"},
        {"i32", "70000"},
        {"i64", "9007199254740993"},
        {"f32", "0.1"},
        {"f64", "0.1"},
        {"bo", "true"},
        {"st", "a \"q\""},
        {"by", "AQID"},
        {"dec", "123.45"},
        {"dt", "2024-01-15"},
        {"dt0", "00:00:00.000Z"}, /* the epoch is below one day: Values writes it as a time */
        {"tm", "12:30:00.000Z"},
        {"ts", "2023-11-14T22:13:20.000Z"},
        {"ts2", "1970-01-02"},
        {"ts3", "23:59:59.999Z"},
        {"arr", "[\"x\",null,\"y\\\\\"]"},
        {"darr", "[1970-01-02,00:00:00.000Z]"},
        {"m", "{\"k\":1.5}"},
        {"mi", "{1:\"a\",2:\"b\"}"},
        {"ns", "{\"x\":7,\"y\":\"/w==\"}"},
        {"opt", NULL},
        {"def", "42"},
        {"nd", "-1E+3"},
        {"nd2", "1E-10"},
    };
    assert_int_equal(record.header_count, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        assert_string_equal(record.headers[i].key, expected[i][0]);
        expect_header(&record, expected[i][0], expected[i][1]);
    }
    /* Every field moved: copySchemaBasics of the struct, required, with no field left. */
    expect_data(&record.value, "{}");
    expect_schema(&record.value, "{\"type\":\"struct\",\"fields\":[],\"optional\":false,"
                                 "\"name\":\"rec\"}");
    done(chain, &record);
}

static void expect_error(char *err, const char *part);

/* The header of a struct's one field d of this schema and value. */
static char *field_header(const char *field_schema, const char *field_value)
{
    char schema[512], value[256];
    snprintf(schema, sizeof schema, "{\"type\":\"struct\",\"optional\":false,\"fields\":["
             "{\"field\":\"d\",%s}]}", field_schema);
    snprintf(value, sizeof value, "{\"d\":%s}", field_value);
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Value", "d", "h", "copy"));
    ferry_record record = fixture_record("null", NULL, value, schema);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    int found;
    char *text = fixture_header(&record, "h", &found);
    done(chain, &record);
    return text;
}

static void test_header_from_numbers(void **state)
{
    (void)state;
    /* Decimal: BigDecimal.toString of the unscaled bytes and the scale, as Java prints them. */
    static const char *const decimals[][3] = {
        {"AA==", "2", "0.00"},
        {"/w==", "0", "-1"},
        {"f////////////////////w==", "0", "170141183460469231731687303715884105727"},
        {"gAAAAAAAAAAAAAAAAAAAAA==", "3", "-170141183460469231731687303715884105.728"},
        {"MDk=", "7", "0.0012345"},
        {"MDk=", "9", "0.000012345"},
        {"ew==", "-2", "1.23E+4"},
        {"/sDfJj0AB2LHHjjzTw==", "12", "-98765432109876543.210987654321"},
        {"AIA=", "0", "128"},
        {"/38=", "1", "-12.9"},
        {"AP8=", "0", "255"},
        {"/wA=", "0", "-256"},
    };
    for (size_t i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++) {
        char schema[256], value[64];
        snprintf(schema, sizeof schema, "\"type\":\"bytes\",\"optional\":false,\"name\":"
                 "\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"%s\"}",
                 decimals[i][1]);
        snprintf(value, sizeof value, "\"%s\"", decimals[i][0]);
        char *text = field_header(schema, value);
        assert_string_equal(text, decimals[i][2]);
        free(text);
    }
    /* A Decimal too long to be worth its digits fails the record rather than the task. */
    size_t length = 8196 / 3 * 4; /* base64 of 8196 bytes */
    char *huge = malloc(length + 16);
    assert_non_null(huge);
    huge[0] = '"';
    memset(huge + 1, 'A', length);
    strcpy(huge + 1 + length, "\"}");
    char *value = malloc(length + 32);
    assert_non_null(value);
    snprintf(value, length + 32, "{\"d\":%s", huge);
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Value", "d", "h", "copy"));
    ferry_record record = fixture_record(
        "null", NULL, value,
        "{\"type\":\"struct\",\"optional\":false,\"fields\":[{\"field\":\"d\",\"type\":"
        "\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\","
        "\"parameters\":{\"scale\":\"0\"}}]}");
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    expect_error(strdup(err), "a Decimal of 8196 bytes");
    done(chain, &record);
    free(value);
    free(huge);

    /* A double that is a whole number, a float, and an int8 beyond its range (Java's cast). */
    static const char *const numbers[][3] = {
        {"\"type\":\"double\",\"optional\":false", "5", "5.0"},
        {"\"type\":\"double\",\"optional\":false", "1e-5", "1.0E-5"},
        {"\"type\":\"float\",\"optional\":false", "3.4e38", "3.4E38"},
        {"\"type\":\"int8\",\"optional\":false", "300", "44"},
        {"\"type\":\"int64\",\"optional\":false", "-9223372036854775808",
         "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        char *text = field_header(numbers[i][0], numbers[i][1]);
        assert_string_equal(text, numbers[i][2]);
        free(text);
    }
}

static void test_header_from_struct_copy_and_move(void **state)
{
    (void)state;
    const char *schema_text = "{\"type\":\"struct\",\"name\":\"r\",\"version\":3,\"doc\":\"d\","
                              "\"optional\":true,\"fields\":["
                              "{\"field\":\"a\",\"type\":\"int32\",\"optional\":false},"
                              "{\"field\":\"b\",\"type\":\"string\",\"optional\":true},"
                              "{\"field\":\"c\",\"type\":\"int32\",\"optional\":true,"
                              "\"default\":9}]}";
    /* copy: the value stays the same object, its bytes too. */
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Value", "b,c", "hb,hc", "copy"));
    ferry_record record = fixture_record("null", NULL, "{\"a\":1,\"b\":\"x\",\"c\":null}",
                                         schema_text);
    json_t *before = record.value.json;
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_ptr_equal(record.value.json, before);
    expect_header(&record, "hb", "x");
    expect_header(&record, "hc", "9"); /* replace.null.with.default */
    done(chain, &record);

    chain = fixture_chain_of(HEADER_FROM("Value", "c", "hc", "copy")
                             "transforms.hf.replace.null.with.default=false\n");
    record = fixture_record("null", NULL, "{\"a\":1,\"b\":\"x\",\"c\":null}", schema_text);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    expect_header(&record, "hc", NULL);
    done(chain, &record);

    /* move: the struct loses the field; its schema keeps name, version and doc, is required,
     * and is built once for equal schemas. */
    chain = fixture_chain_of(HEADER_FROM("Value", "b", "hb", "move"));
    record = fixture_record("null", NULL, "{\"a\":1,\"b\":\"x\",\"c\":null}", schema_text);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    expect_header(&record, "hb", "x");
    expect_data(&record.value, "{\"a\":1,\"c\":9}");
    expect_schema(&record.value, "{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":"
                                 "\"int32\",\"optional\":false},{\"field\":\"c\",\"type\":"
                                 "\"int32\",\"optional\":true,\"default\":9}],\"optional\":"
                                 "false,\"name\":\"r\",\"version\":3,\"doc\":\"d\"}");
    json_t *moved = json_incref(record.value.schema);
    transform_chain_release(chain);
    fixture_record_release(&record);
    record = fixture_record("null", NULL, "{\"a\":2,\"b\":null}", schema_text);
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    assert_ptr_equal(record.value.schema, moved);
    expect_header(&record, "hb", NULL);
    expect_data(&record.value, "{\"a\":2,\"c\":9}");
    json_decref(moved);
    done(chain, &record);
}

static void test_header_from_key(void **state)
{
    (void)state;
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Key", "id", "key-id", "move"));
    ferry_record record = fixture_record("{\"id\":12,\"other\":\"o\"}", NULL, "null", NULL);
    record.value = (ferry_data){.kind = FERRY_DATA_STRING, .data = "text", .len = 4};
    assert_int_equal(transform_chain_apply(chain, &record, NULL, NULL, 0), TRANSFORM_KEEP);
    expect_header(&record, "key-id", "12");
    expect_data(&record.key, "{\"other\":\"o\"}");
    assert_int_equal(record.value.kind, FERRY_DATA_STRING); /* the value was never parsed */
    done(chain, &record);
}

static char *header_from_error(const char *lines, const char *value, const char *schema)
{
    transform_chain *chain = fixture_chain_of(lines);
    ferry_record record = fixture_record("null", NULL, value, schema);
    char err[1024] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    done(chain, &record);
    return strdup(err);
}

static void expect_error(char *err, const char *part)
{
    if (!strstr(err, part))
        fail_msg("error '%s' does not say '%s'", err, part);
    free(err);
}

static void test_header_from_struct_errors(void **state)
{
    (void)state;
    const char *schema = "{\"type\":\"struct\",\"optional\":true,\"fields\":["
                         "{\"field\":\"a\",\"type\":\"int32\",\"optional\":false},"
                         "{\"field\":\"b\",\"type\":\"int32\",\"optional\":false}]}";
    /* A field the schema lacks: Java fails with a NullPointerException. */
    expect_error(header_from_error(HEADER_FROM("Value", "zz", "h", "copy"), "{\"a\":1,\"b\":2}",
                                   schema),
                 "Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\" because the "
                 "return value of \"org.apache.kafka.connect.data.Schema.field(String)\" is "
                 "null");
    /* Not a struct. */
    transform_chain *chain = fixture_chain_of(HEADER_FROM("Value", "a", "h", "copy"));
    ferry_record record = {.topic = "test",
                           .value = {.kind = FERRY_DATA_NULL, .schema = json_loads(schema, 0,
                                                                                  NULL)}};
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    expect_error(strdup(err), "Only Struct objects supported for [header copy], found: null");
    done(chain, &record);
    expect_error(header_from_error(HEADER_FROM("Value", "a", "h", "move"), "\"x\"",
                                   "{\"type\":\"string\",\"optional\":false}"),
                 "Only Struct objects supported for [header move], found: java.lang.String");
    /* A null in a required field: ConnectHeaders refuses it as a header, Struct.put as a
     * field of the moved struct. */
    expect_error(header_from_error(HEADER_FROM("Value", "a", "h", "copy"), "{\"b\":2}", schema),
                 "A null value requires an optional schema but was Schema{INT32}");
    expect_error(header_from_error(HEADER_FROM("Value", "a", "h", "move"), "{\"a\":1}", schema),
                 "Invalid value: null used for required field: \"b\", schema type: INT32");
}

static void test_header_from_on_the_sink_side(void **state)
{
    (void)state;
    /* A StringConverter's value: an optional string, not a struct. */
    transform_chain *chain = fixture_chain_on(TRANSFORM_SIDE_SINK,
                                              HEADER_FROM("Value", "a", "h", "copy"));
    ferry_record record = {.topic = "test",
                           .value = {.kind = FERRY_DATA_STRING, .data = "abc", .len = 3}};
    char err[512] = "";
    assert_int_equal(transform_chain_apply(chain, &record, NULL, err, sizeof err),
                     TRANSFORM_FAIL);
    assert_non_null(strstr(err, "Only Struct objects supported for [header copy], found: "
                                "java.lang.String"));
    done(chain, &record);
}

static void test_header_from_config(void **state)
{
    (void)state;
    fixture_expect_invalid(HEADER_FROM("Value", "a,b", "h", "copy"), "transforms.hf.fields",
                           "'fields' config must have the same number of elements as 'headers' "
                           "config.");
    fixture_expect_invalid(HEADER_FROM("Value", "", "h", "copy"), "transforms.hf.fields",
                           "Invalid value [] for configuration fields: Empty list");
    fixture_expect_invalid(HEADER_FROM("Key", "a", "", "copy"), "transforms.hf.headers",
                           "Invalid value [] for configuration headers: Empty list");
    fixture_expect_invalid(HEADER_FROM("Value", "a", "h", "MOVE"), "transforms.hf.operation",
                           "Invalid value MOVE for configuration operation: String must be one "
                           "of: move, copy");
    fixture_expect_invalid("transforms=hf\ntransforms.hf.type=HeaderFrom$Value\n"
                           "transforms.hf.fields=a\ntransforms.hf.headers=h\n",
                           "transforms.hf.operation",
                           "Missing required configuration \"operation\" which has no default "
                           "value.");
    fixture_expect_invalid(HEADER_FROM("Value", "a", "h", "copy")
                           "transforms.hf.replace.null.with.default=maybe\n",
                           "transforms.hf.replace.null.with.default", "maybe");
    /* Spaces around the operation are trimmed, as ConfigDef trims. */
    transform_chain_destroy(fixture_chain_of(HEADER_FROM("Value", "a", "h", " move ")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_are_listed_by_class_name),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_filter_drops_what_it_applies_to),
        cmocka_unit_test(test_insert_header_writes_literals_as_kafka_connect),
        cmocka_unit_test(test_insert_header_appends_after_the_records_own),
        cmocka_unit_test(test_insert_header_config),
        cmocka_unit_test(test_drop_headers_removes_every_occurrence),
        cmocka_unit_test(test_drop_headers_config),
        cmocka_unit_test(test_header_from_schemaless),
        cmocka_unit_test(test_header_from_struct_writes_each_type),
        cmocka_unit_test(test_header_from_numbers),
        cmocka_unit_test(test_header_from_struct_copy_and_move),
        cmocka_unit_test(test_header_from_key),
        cmocka_unit_test(test_header_from_struct_errors),
        cmocka_unit_test(test_header_from_on_the_sink_side),
        cmocka_unit_test(test_header_from_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
