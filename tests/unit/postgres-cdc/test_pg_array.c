/* pg_array: arrays of every element kind, nested, with explicit bounds, quoted and NULL elements,
 * their schemas, and malformed arrays with a message that says where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_types.h"
#include "type_check.h"

static void test_arrays(void **state)
{
    (void)state;
    CHECK_VALUE("[1,null,3]", 1007, -1, "{1,NULL,3}");
    CHECK_VALUE("[\"a b\",\"c\\\"d\",\"NULL\",null,\"\"]", 1009, -1,
                "{\"a b\",\"c\\\"d\",\"NULL\",NULL,\"\"}");
    CHECK_VALUE("[]", 1009, -1, "{}");
    CHECK_VALUE("[\"a\",\"b c\"]", 1009, -1, "{ a , b c }");
    CHECK_VALUE("[[1,2],[3,4]]", 1007, -1, "{{1,2},{3,4}}");
    CHECK_VALUE("[5,6]", 1007, -1, "[0:1]={5,6}");
    CHECK_VALUE("[\"AJY=\"]", 1231, NUMERIC_TYPMOD(10, 2), "{1.50}");
    CHECK_VALUE("[19737]", 1182, -1, "{2024-01-15}");
    CHECK_VALUE("[\"2024-01-15T10:30:45.000000Z\"]", 1185, -1,
                "{\"2024-01-15 10:30:45+00\"}");
    CHECK_SCHEMA("{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":true},"
                 "\"optional\":true}",
                 1007, -1, true);
    CHECK_SCHEMA("{\"type\":\"array\",\"items\":{\"type\":\"double\",\"optional\":true},"
                 "\"optional\":false}",
                 1022, -1, false);
    CHECK_SCHEMA("{\"type\":\"array\",\"items\":{\"type\":\"int64\",\"optional\":true,\"name\":"
                 "\"io.debezium.time.MicroTime\",\"version\":1},\"optional\":true}",
                 1183, 3, true);
    char *bad = type_check_convert(NULL, 1007, -1, "{1,2");
    assert_non_null(strstr(bad, "cannot read array '{1,2'"));
    free(bad);
    bad = type_check_convert(NULL, 1007, -1, "{1,x}");
    assert_string_equal(bad, "ERROR: cannot read 'x' as an integer");
    free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_arrays, type_check_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
