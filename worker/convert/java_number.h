/*
 * java_number.h - the text Java gives a double (Double.toString) and a float (Float.toString),
 * which is what Jackson, and so Kafka's JsonConverter, writes for FLOAT64 and FLOAT32 values.
 *
 * The digits are the shortest that read back as the same value, the closest to it when several
 * are as short (at least two digits when one would do), as JDK 19 and later specify; older JDKs
 * print a longer string for a few values (JDK-4511638). The layout is Java's: "100.0" and
 * "0.001" between 10^-3 and 10^7, "1.0E7" and "1.0E-4" outside, "-0.0", and "NaN", "Infinity",
 * "-Infinity" for the values JSON has no number for.
 */
#ifndef FERRY_JAVA_NUMBER_H
#define FERRY_JAVA_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* Room for the longest text ("-2.2250738585072014E-308") and its NUL. */
#define JAVA_NUMBER_MAX 32

/* Writes Double.toString(value) and a NUL to out; returns its length. */
size_t java_number_double(double value, char out[JAVA_NUMBER_MAX]);

/* Writes Float.toString(value) and a NUL to out; returns its length. */
size_t java_number_float(float value, char out[JAVA_NUMBER_MAX]);

/* True when the text is one of NaN, Infinity and -Infinity: Jackson writes those as strings. */
bool java_number_is_special(const char *text);

#endif
