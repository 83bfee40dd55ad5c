/*
 * java_number.h - the text Java gives a double (Double.toString) and a float (Float.toString),
 * which is what Jackson, and so Kafka's JsonConverter, writes for FLOAT64 and FLOAT32 values.
 *
 * The digits are the shortest that read back as the same value, the closest to it when several
 * are as short (at least two digits when one would do), as JDK 19 and later specify; older JDKs
 * print a longer string for a few values (JDK-4511638). The layout is Java's: "100.0" and
 * "0.001" between 10^-3 and 10^7, "1.0E7" and "1.0E-4" outside, "-0.0", and "NaN", "Infinity",
 * "-Infinity" for the values JSON has no number for.
 *
 * And the other way, text read as Java reads it: Long.parseLong and its kin, Double.parseDouble
 * and Float.parseFloat; and the values of a java.math.BigDecimal (Connect's Decimal) as numbers.
 */
#ifndef FERRY_JAVA_NUMBER_H
#define FERRY_JAVA_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the longest text ("-2.2250738585072014E-308") and its NUL. */
#define JAVA_NUMBER_MAX 32

/* Writes Double.toString(value) and a NUL to out; returns its length. */
size_t java_number_double(double value, char out[JAVA_NUMBER_MAX]);

/* Writes Float.toString(value) and a NUL to out; returns its length. */
size_t java_number_float(float value, char out[JAVA_NUMBER_MAX]);

/* True when the text is one of NaN, Infinity and -Infinity: Jackson writes those as strings. */
bool java_number_is_special(const char *text);

/* ---- Reading numbers as Java does ---------------------------------------------------------- */

/* Character.digit(ch, 10): the value of a decimal digit, ASCII or any other Unicode decimal
 * digit of the Basic Multilingual Plane (the zeros of their ranges, as OpenJDK 17 has them); -1
 * for anything else. Java reads text as UTF-16 units, so digits beyond the plane are two
 * surrogates and no digit. */
int java_number_digit(uint32_t codepoint);

/* Java's (int) and (long) of a double: NaN is 0, a value beyond the range the nearest bound,
 * any other cut toward zero. */
int32_t java_number_double_to_int(double value);
int64_t java_number_double_to_long(double value);

/* Long.parseLong, and Integer.parseInt, Short.parseShort, Byte.parseByte with their bounds: len
 * bytes of UTF-8 text that are an optional '+' or '-' and one or more decimal digits
 * (java_number_digit), nothing else (no spaces), of a value within [min, max]. 0 with *out, or
 * -1 where Java throws NumberFormatException. */
int java_number_parse_integer(const char *text, size_t len, int64_t min, int64_t max,
                              int64_t *out);

/* Double.parseDouble and Float.parseFloat: the text without the characters up to U+0020 at
 * either end (String.trim) is an optional sign and then NaN, Infinity, a decimal (digits with
 * an optional point, at least one digit, an optional exponent) or a hexadecimal float
 * (0x1.8p3), with an optional f, F, d or D after a number; ASCII digits only. The value is
 * rounded once, to the nearest double or float; beyond the range it is an infinity or zero.
 * 0 with *out, or -1 where Java throws NumberFormatException. */
int java_number_parse_double(const char *text, size_t len, double *out);
int java_number_parse_float(const char *text, size_t len, float *out);

/* ---- java.math.BigDecimal, as Connect's Decimal holds it ----------------------------------- */

/* A Decimal value: its unscaled value as the big-endian two's complement bytes Connect writes
 * (BigInteger.toByteArray, at least one byte) and its scale: unscaled x 10^-scale. */
typedef struct java_big_decimal {
    const unsigned char *unscaled;
    size_t len;
    int32_t scale;
} java_big_decimal;

/* longValue(): the integer part (cut toward zero), its low 64 bits. intValue(), shortValue()
 * and byteValue() are its low 32, 16 and 8 bits. -1 when out of memory, else 0. */
int java_big_decimal_long(const java_big_decimal *decimal, int64_t *out);
/* doubleValue() and floatValue(): the nearest double or float. -1 when out of memory, else 0. */
int java_big_decimal_double(const java_big_decimal *decimal, double *out);
int java_big_decimal_float(const java_big_decimal *decimal, float *out);

#endif
