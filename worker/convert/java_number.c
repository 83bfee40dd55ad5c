/*
 * java_number.c - Double.toString and Float.toString, Java's readings of number texts, and
 * BigDecimal's values (java_number.h).
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
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/strbuf.h"
#include "support/utf8.h"

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

/* ---- Reading numbers as Java does ---------------------------------------------------------- */

int java_number_digit(uint32_t codepoint)
{
    static const uint16_t zeros[] = {
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
        0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810,
        0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0,
        0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    };
    if (codepoint - '0' < 10)
        return (int)(codepoint - '0');
    for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
        if (codepoint - zeros[i] < 10)
            return (int)(codepoint - zeros[i]);
    return -1;
}

int64_t java_number_double_to_long(double value)
{
    if (isnan(value))
        return 0;
    if (value >= 9223372036854775807.0)
        return INT64_MAX;
    if (value <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)value;
}

int32_t java_number_double_to_int(double value)
{
    /* Cut toward zero the same way; only the bounds differ. */
    int64_t wide = java_number_double_to_long(value);
    return wide > INT32_MAX ? INT32_MAX : wide < INT32_MIN ? INT32_MIN : (int32_t)wide;
}

int java_number_parse_integer(const char *text, size_t len, int64_t min, int64_t max,
                              int64_t *out)
{
    const unsigned char *at = (const unsigned char *)text, *end = at + len;
    bool negative = false;
    if (at < end && (*at == '-' || *at == '+')) {
        negative = *at == '-';
        at++;
    }
    if (at == end)
        return -1;
    /* The magnitude the sign allows: Java accumulates negatively for the same reason. */
    uint64_t limit = negative ? (min < 0 ? (uint64_t)(-(min + 1)) + 1 : 0)
                              : (max > 0 ? (uint64_t)max : 0);
    uint64_t magnitude = 0;
    while (at < end) {
        uint32_t codepoint;
        size_t used = utf8_sequence(at, (size_t)(end - at), &codepoint);
        int digit = used && codepoint <= 0xFFFF ? java_number_digit(codepoint) : -1;
        if (digit < 0 || magnitude > (limit - (uint64_t)digit) / 10 ||
            (uint64_t)digit > limit)
            return -1;
        magnitude = magnitude * 10 + (uint64_t)digit;
        at += used;
    }
    if (negative)
        *out = magnitude == 0 ? 0 : -(int64_t)(magnitude - 1) - 1;
    else
        *out = (int64_t)magnitude;
    return *out < min || *out > max ? -1 : 0;
}

static bool java_number_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool java_number_hex_digit(char c)
{
    return java_number_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Counts the characters of a run that class accepts, from *at. */
static size_t java_number_run(const char *text, size_t len, size_t *at, bool (*accepts)(char))
{
    size_t start = *at;
    while (*at < len && accepts(text[*at]))
        (*at)++;
    return *at - start;
}

/* An exponent's digits after its letter: an optional sign and one ASCII digit at least. */
static bool java_number_exponent(const char *text, size_t len, size_t *at)
{
    if (*at < len && (text[*at] == '+' || text[*at] == '-'))
        (*at)++;
    return java_number_run(text, len, at, java_number_ascii_digit) > 0;
}

/* The hexadecimal form (FloatingDecimal's pattern): 0x, hex digits with an optional point and
 * at least one digit, then p, an optional sign and decimal digits. Sets *at after it. */
static bool java_number_hex_syntax(const char *text, size_t len, size_t *at)
{
    size_t i = *at + 2; /* "0x" */
    size_t digits = java_number_run(text, len, &i, java_number_hex_digit);
    if (i < len && text[i] == '.') {
        i++;
        digits += java_number_run(text, len, &i, java_number_hex_digit);
    }
    if (digits == 0 || i >= len || (text[i] != 'p' && text[i] != 'P'))
        return false;
    i++;
    if (!java_number_exponent(text, len, &i))
        return false;
    *at = i;
    return true;
}

/* The decimal form: digits with an optional point (one digit at least), then an optional
 * exponent with at least one digit. Sets *at after it. */
static bool java_number_decimal_syntax(const char *text, size_t len, size_t *at)
{
    size_t i = *at;
    size_t digits = java_number_run(text, len, &i, java_number_ascii_digit);
    if (i < len && text[i] == '.') {
        i++;
        digits += java_number_run(text, len, &i, java_number_ascii_digit);
    }
    if (digits == 0)
        return false;
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        if (!java_number_exponent(text, len, &i))
            return false;
    }
    *at = i;
    return true;
}

/* Checks text against FloatingDecimal.readJavaFormatString's grammar and copies what strtod
 * reads of it (sign and number, without the type suffix) into copy, NUL-terminated. */
static int java_number_float_syntax(const char *text, size_t len, char **copy)
{
    while (len > 0 && (unsigned char)text[0] <= ' ') {
        text++;
        len--;
    }
    while (len > 0 && (unsigned char)text[len - 1] <= ' ')
        len--;
    size_t at = 0;
    if (at < len && (text[at] == '+' || text[at] == '-'))
        at++;
    size_t number_end = at;
    if (len - at == 3 && memcmp(text + at, "NaN", 3) == 0) {
        number_end = len;
    } else if (len - at == 8 && memcmp(text + at, "Infinity", 8) == 0) {
        number_end = len;
    } else {
        bool hex = len - at > 2 && text[at] == '0' && (text[at + 1] == 'x' || text[at + 1] == 'X');
        if (!(hex ? java_number_hex_syntax(text, len, &number_end)
                  : java_number_decimal_syntax(text, len, &number_end)))
            return -1;
        if (number_end < len && number_end + 1 == len && strchr("fFdD", text[number_end]))
            len = number_end;
        if (number_end != len)
            return -1;
    }
    if (number_end != len || !(*copy = strndup(text, len)))
        return -1;
    return 0;
}

/* Reads text as Java reads a double (or a float): rounded once, by strtod (or strtof). */
static int java_number_parse_real(const char *text, size_t len, bool is_float, double *out)
{
    char *copy = NULL;
    if (java_number_float_syntax(text, len, &copy) != 0)
        return -1;
    *out = is_float ? (double)strtof(copy, NULL) : strtod(copy, NULL);
    free(copy);
    return 0;
}

int java_number_parse_double(const char *text, size_t len, double *out)
{
    return java_number_parse_real(text, len, false, out);
}

int java_number_parse_float(const char *text, size_t len, float *out)
{
    double value;
    if (java_number_parse_real(text, len, true, &value) != 0)
        return -1;
    *out = (float)value;
    return 0;
}

/* ---- java.math.BigDecimal ------------------------------------------------------------------ */

/* The decimal digits of the unscaled value's magnitude (no leading zeros, "0" for zero) and its
 * sign. A new string, or NULL when out of memory. */
static char *java_big_decimal_digits(const java_big_decimal *decimal, bool *negative)
{
    size_t len = decimal->len;
    *negative = len > 0 && (decimal->unscaled[0] & 0x80);
    /* Base 10^9 limbs, least significant first: 9.64 digits a limb against 2.41 a byte. */
    size_t capacity = len / 3 + 2, count = 0;
    uint32_t *limbs = calloc(capacity, sizeof(*limbs));
    char *digits = malloc(capacity * 9 + 2);
    if (!limbs || !digits) {
        free(limbs);
        free(digits);
        return NULL;
    }
    /* The magnitude of a negative value is its two's complement: inverted, plus one. */
    unsigned char *magnitude = malloc(len ? len : 1);
    if (!magnitude) {
        free(limbs);
        free(digits);
        return NULL;
    }
    if (len)
        memcpy(magnitude, decimal->unscaled, len);
    if (*negative) {
        for (size_t b = 0; b < len; b++)
            magnitude[b] = (unsigned char)~magnitude[b];
        for (size_t b = len; b-- > 0 && ++magnitude[b] == 0;)
            ;
    }
    for (size_t b = 0; b < len; b++) {
        uint64_t carry = magnitude[b];
        for (size_t i = 0; i < count; i++) {
            uint64_t value = (uint64_t)limbs[i] * 256 + carry;
            limbs[i] = (uint32_t)(value % 1000000000u);
            carry = value / 1000000000u;
        }
        while (carry) {
            limbs[count++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
    }
    free(magnitude);
    size_t used = 0;
    if (count == 0) {
        digits[used++] = '0';
    } else {
        used = (size_t)sprintf(digits, "%" PRIu32, limbs[count - 1]);
        for (size_t i = count - 1; i-- > 0;)
            used += (size_t)sprintf(digits + used, "%09" PRIu32, limbs[i]);
    }
    digits[used] = '\0';
    free(limbs);
    return digits;
}

int java_big_decimal_long(const java_big_decimal *decimal, int64_t *out)
{
    bool negative;
    char *digits = java_big_decimal_digits(decimal, &negative);
    if (!digits)
        return -1;
    int64_t count = (int64_t)strlen(digits), scale = decimal->scale;
    /* Arithmetic modulo 2^64 keeps the low 64 bits; after 64 factors of ten they are zero. */
    uint64_t value = 0;
    for (int64_t i = 0; i < count - scale && i < count; i++)
        value = value * 10 + (uint64_t)(digits[i] - '0');
    for (int64_t i = 0; i < -scale && i < 64; i++)
        value *= 10;
    free(digits);
    *out = (int64_t)(negative ? (uint64_t)0 - value : value);
    return 0;
}

/* The nearest double, or float: "<sign><digits>e<-scale>" read by strtod or strtof, which round
 * once. */
static int java_big_decimal_real(const java_big_decimal *decimal, bool is_float, double *out)
{
    bool negative;
    char *digits = java_big_decimal_digits(decimal, &negative);
    if (!digits)
        return -1;
    strbuf text = {0};
    strbuf_append_printf(&text, "%s%se%" PRId64, negative ? "-" : "", digits,
                         -(int64_t)decimal->scale);
    free(digits);
    if (!strbuf_failed(&text))
        *out = is_float ? (double)strtof(text.data, NULL) : strtod(text.data, NULL);
    bool failed = strbuf_failed(&text);
    strbuf_free(&text);
    return failed ? -1 : 0;
}

int java_big_decimal_double(const java_big_decimal *decimal, double *out)
{
    return java_big_decimal_real(decimal, false, out);
}

int java_big_decimal_float(const java_big_decimal *decimal, float *out)
{
    double value;
    if (java_big_decimal_real(decimal, true, &value) != 0)
        return -1;
    *out = (float)value;
    return 0;
}
