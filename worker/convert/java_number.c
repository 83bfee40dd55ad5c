/*
 * java_number.c - Double.toString and Float.toString (java_number.h).
 *
 * The digits come from the C library's correctly rounded printf: for a normal number, the value
 * rounded to DBL_DIG (FLT_DIG) digits is the only decimal that short which can read back as it,
 * so when it does, it is the answer once its trailing zeros are gone; otherwise one more digit at
 * a time, until the 17 (9) digits that always read back. Next to a power of two the decimals that
 * read back reach further above the value than below it, so the decimal just above the rounded
 * one is tried too. Subnormal numbers read back from far shorter decimals: they start at one digit.
 */
#include "convert/java_number.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* d1.d2d3...dn x 10^exponent */
typedef struct java_decimal {
    char digits[24];
    int count;
    int exponent;
} java_decimal;

/* value (finite, > 0) rounded to precision significant digits. */
static void java_decimal_round(double value, int precision, java_decimal *decimal)
{
    char text[48];
    snprintf(text, sizeof(text), "%.*e", precision - 1, value);
    const char *p = text;
    int count = 0;
    for (; *p && *p != 'e'; p++) {
        if (*p != '.')
            decimal->digits[count++] = *p;
    }
    decimal->digits[count] = '\0';
    decimal->count = count;
    decimal->exponent = *p == 'e' ? atoi(p + 1) : 0;
}

/* The next decimal up with as many digits (999 -> 100 x 10). */
static void java_decimal_next_up(java_decimal *decimal)
{
    int i = decimal->count - 1;
    while (i >= 0 && decimal->digits[i] == '9')
        decimal->digits[i--] = '0';
    if (i >= 0) {
        decimal->digits[i]++;
    } else {
        decimal->digits[0] = '1';
        decimal->exponent++;
    }
}

/* What the decimal reads as: 1 above value, 0 value itself, -1 below. */
static int java_decimal_compare(const java_decimal *decimal, double value, bool is_float)
{
    char text[48];
    snprintf(text, sizeof(text), "0.%se%d", decimal->digits, decimal->exponent + 1);
    double read = is_float ? (double)strtof(text, NULL) : strtod(text, NULL);
    return read > value ? 1 : read < value ? -1 : 0;
}

/* The shortest decimal that reads back as value (finite, > 0), the closest of those. */
static void java_decimal_shortest(double value, bool is_float, java_decimal *best)
{
    bool subnormal = is_float ? value < FLT_MIN : value < DBL_MIN;
    int first = subnormal ? 1 : is_float ? FLT_DIG : DBL_DIG;
    int last = is_float ? 9 : 17;
    int precision = first;

    for (; precision <= last; precision++) {
        java_decimal_round(value, precision, best);
        int side = java_decimal_compare(best, value, is_float);
        if (side == 0)
            break;
        if (side < 0) {
            java_decimal above = *best;
            java_decimal_next_up(&above);
            if (java_decimal_compare(&above, value, is_float) == 0) {
                *best = above;
                break;
            }
        }
    }
    /* Java never settles for one digit when a closer two-digit decimal also reads back
     * (Float.MIN_VALUE is 1.4E-45, not 1.0E-45). */
    if (precision == 1) {
        java_decimal two;
        java_decimal_round(value, 2, &two);
        if (java_decimal_compare(&two, value, is_float) == 0)
            *best = two;
    }
    while (best->count > 1 && best->digits[best->count - 1] == '0')
        best->count--;
    best->digits[best->count] = '\0';
}

static size_t java_number_layout(const java_decimal *decimal, bool negative, char *out)
{
    size_t n = 0;
    int exponent = decimal->exponent;
    if (negative)
        out[n++] = '-';
    if (exponent >= -3 && exponent < 7) {
        if (exponent < 0) {
            out[n++] = '0';
            out[n++] = '.';
            for (int i = -1; i > exponent; i--)
                out[n++] = '0';
            memcpy(out + n, decimal->digits, (size_t)decimal->count);
            n += (size_t)decimal->count;
        } else {
            for (int i = 0; i <= exponent; i++)
                out[n++] = i < decimal->count ? decimal->digits[i] : '0';
            out[n++] = '.';
            if (decimal->count > exponent + 1) {
                size_t rest = (size_t)(decimal->count - exponent - 1);
                memcpy(out + n, decimal->digits + exponent + 1, rest);
                n += rest;
            } else {
                out[n++] = '0';
            }
        }
        out[n] = '\0';
        return n;
    }
    out[n++] = decimal->digits[0];
    out[n++] = '.';
    if (decimal->count > 1) {
        memcpy(out + n, decimal->digits + 1, (size_t)(decimal->count - 1));
        n += (size_t)(decimal->count - 1);
    } else {
        out[n++] = '0';
    }
    n += (size_t)snprintf(out + n, JAVA_NUMBER_MAX - n, "E%d", exponent);
    return n;
}

static size_t java_number_format(double value, bool is_float, char *out)
{
    const char *special = NULL;
    if (isnan(value))
        special = "NaN";
    else if (isinf(value))
        special = value > 0 ? "Infinity" : "-Infinity";
    else if (value == 0)
        special = signbit(value) ? "-0.0" : "0.0";
    if (special) {
        size_t n = strlen(special);
        memcpy(out, special, n + 1);
        return n;
    }
    java_decimal decimal;
    java_decimal_shortest(fabs(value), is_float, &decimal);
    return java_number_layout(&decimal, value < 0, out);
}

size_t java_number_double(double value, char out[JAVA_NUMBER_MAX])
{
    return java_number_format(value, false, out);
}

size_t java_number_float(float value, char out[JAVA_NUMBER_MAX])
{
    return java_number_format((double)value, true, out);
}

bool java_number_is_special(const char *text)
{
    return strcmp(text, "NaN") == 0 || strcmp(text, "Infinity") == 0 ||
           strcmp(text, "-Infinity") == 0;
}
