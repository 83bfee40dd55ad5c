/* java_serial: the Object[] of keys is written byte for byte as a JVM's ObjectOutputStream
 * writes it and read back, against fixtures/java_serial/java_serial.txt (made by a real JVM with
 * JavaSerialFixtures.java); other classes, nulls and broken streams are refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "java_fixtures.h"
#include "java_serial.h"
#include "support/hex.h"

#define INTEGER(n) {.kind = JAVA_INTEGER, .number = (n)}
#define LONG(n) {.kind = JAVA_LONG, .number = (n)}
#define STRING(s) {.kind = JAVA_STRING, .text = (char *)(s), .len = sizeof(s) - 1}
#define UUID(m, l) {.kind = JAVA_UUID, .most_bits = (m), .least_bits = (l)}

static void check_fixture(const char *name, const java_value *values, size_t count)
{
    char *expected = java_fixture_hex(name);
    strbuf out = {0};
    assert_int_equal(java_serial_write_array(values, count, &out), 0);
    assert_false(strbuf_failed(&out));
    char *written = malloc(2 * out.len + 1);
    hex_encode(out.data, out.len, written);
    assert_string_equal(written, expected);

    /* and back, from the JVM's bytes */
    size_t len = strlen(expected) / 2;
    unsigned char *bytes = malloc(len + 1);
    assert_int_equal(hex_decode(expected, 2 * len, bytes), (long)len);
    java_value *read = NULL;
    size_t read_count = 0;
    char err[256] = "";
    assert_int_equal(java_serial_read_array(bytes, len, &read, &read_count, err, sizeof err), 0);
    assert_int_equal(read_count, count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(read[i].kind, values[i].kind);
        if (values[i].kind == JAVA_STRING) {
            assert_int_equal(read[i].len, values[i].len);
            assert_memory_equal(read[i].text, values[i].text, values[i].len);
        } else if (values[i].kind == JAVA_UUID) {
            assert_true(read[i].most_bits == values[i].most_bits);
            assert_true(read[i].least_bits == values[i].least_bits);
        } else {
            assert_true(read[i].number == values[i].number);
        }
    }
    java_values_free(read, read_count);
    free(bytes);
    free(written);
    free(out.data);
    free(expected);
}

static void test_jvm_fixtures(void **state)
{
    (void)state;
    check_fixture("empty", NULL, 0);
    check_fixture("integer", (java_value[]){INTEGER(100000)}, 1);
    check_fixture("integer_negative", (java_value[]){INTEGER(INT32_MIN)}, 1);
    check_fixture("long", (java_value[]){LONG(9000000000)}, 1);
    check_fixture("long_negative", (java_value[]){LONG(-5000000000)}, 1);
    check_fixture("string", (java_value[]){STRING("abc")}, 1);
    check_fixture("string_unicode",
                  (java_value[]){STRING("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z")}, 1);
    check_fixture("uuid", (java_value[]){UUID(0x0e4b2a3c55f14d2eULL, 0x9a6b7c8d9e0f1a2bULL)}, 1);
    check_fixture("integer_long_string", (java_value[]){INTEGER(1000), LONG(2000), STRING("x")},
                  3);
    check_fixture("integer_integer", (java_value[]){INTEGER(1000), INTEGER(2000)}, 2);
    check_fixture("integer_long_integer",
                  (java_value[]){INTEGER(1000), LONG(1LL << 40), INTEGER(3000)}, 3);
    check_fixture("integer_cached_twice", (java_value[]){INTEGER(5), INTEGER(5)}, 2);
    check_fixture("string_uuid",
                  (java_value[]){STRING("k"), UUID(0xffffffffffffffffULL, 0x1ULL)}, 2);
}

static int read_hex(const char *hex, char *err, size_t errlen)
{
    size_t len = strlen(hex) / 2;
    unsigned char *bytes = malloc(len + 1);
    assert_int_equal(hex_decode(hex, 2 * len, bytes), (long)len);
    java_value *values = NULL;
    size_t count = 0;
    int rc = java_serial_read_array(bytes, len, &values, &count, err, errlen);
    java_values_free(values, count);
    free(bytes);
    return rc;
}

static void test_refused(void **state)
{
    (void)state;
    char err[256] = "";
    /* Debezium writes BigDecimal for a numeric key: named, not guessed at */
    char *hex = java_fixture_hex("bigdecimal");
    assert_int_equal(read_hex(hex, err, sizeof err), -1);
    assert_non_null(strstr(err, "key value 1 is a java.math.BigDecimal"));
    free(hex);

    /* every truncation of a valid stream is refused, never read past its end */
    hex = java_fixture_hex("integer_long_string");
    for (size_t cut = 0; cut < strlen(hex); cut += 2) {
        char *part = strndup(hex, cut);
        assert_int_equal(read_hex(part, err, sizeof err), -1);
        free(part);
    }
    free(hex);

    /* a null element */
    assert_int_equal(read_hex("aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f10"
                              "73296c02000078700000000170", err, sizeof err), -1);
    assert_non_null(strstr(err, "key value 1 is null"));
    /* not a stream; trailing bytes */
    assert_int_equal(read_hex("5b2231225d", err, sizeof err), -1);
    assert_non_null(strstr(err, "magic"));
    assert_int_equal(read_hex("aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f10"
                              "73296c0200007870000000007878", err, sizeof err), -1);
    assert_non_null(strstr(err, "bytes follow"));
    /* a wrong serialVersionUID for Object[] */
    assert_int_equal(read_hex("aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f10"
                              "73296d020000787000000000", err, sizeof err), -1);
    assert_non_null(strstr(err, "serialVersionUID"));
}

static void test_write_refuses(void **state)
{
    (void)state;
    strbuf out = {0};
    java_value bad_utf8[] = {STRING("\xff")};
    assert_int_equal(java_serial_write_array(bad_utf8, 1, &out), -1);
    java_value too_big[] = {INTEGER(INT64_C(1) << 33)};
    assert_int_equal(java_serial_write_array(too_big, 1, &out), -1);
    free(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jvm_fixtures),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_write_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
