/*
 * pg_numeric.c - numbers as Debezium sends them (see pg_numeric.h).
 */
#include "pg_numeric.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/strbuf.h"

static bool pg_numeric_parse_int64(const char *s, int64_t *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return false;
    *out = v;
    return true;
}

/* A decimal's digits without sign or point, and how many of them are after the point. */
typedef struct pg_decimal {
    bool negative;
    strbuf digits; /* at least one */
    int32_t scale; /* digits after the point */
} pg_decimal;

/* Parses "-123.4500" (digits, one optional point, optional sign). false when malformed (or out
 * of memory); d->digits is then freed. */
static bool pg_decimal_parse(const char *s, size_t len, pg_decimal *d)
{
    memset(d, 0, sizeof(*d));
    size_t i = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        d->negative = s[i++] == '-';
    bool point = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !point) {
            point = true;
        } else if (isdigit((unsigned char)c)) {
            strbuf_append_char(&d->digits, c);
            if (point)
                d->scale++;
        } else {
            break;
        }
    }
    if (i < len || d->digits.len == 0 || strbuf_failed(&d->digits)) {
        strbuf_free(&d->digits);
        return false;
    }
    return true;
}

/* Adjusts the digits to a target scale: zeros appended, or digits dropped (rounding half up,
 * which PostgreSQL never needs since it prints the column's scale). */
static bool pg_decimal_rescale(pg_decimal *d, int32_t scale)
{
    strbuf *digits = &d->digits;
    if (scale > d->scale) {
        for (int32_t i = d->scale; i < scale; i++)
            strbuf_append_char(digits, '0');
    } else if (scale < d->scale) {
        size_t drop = (size_t)(d->scale - scale);
        digits->len = drop < digits->len ? digits->len - drop : 0;
        digits->data[digits->len] = '\0';
        if (digits->len == 0)
            strbuf_append_char(digits, '0');
    }
    d->scale = scale;
    return !strbuf_failed(digits);
}

/* Java's BigInteger.toByteArray() of the unscaled value: big-endian two's complement, minimal. */
static uint8_t *pg_decimal_unscaled_bytes(const pg_decimal *d, size_t *out_len)
{
    size_t n = d->digits.len;
    /* The magnitude in 32-bit limbs, little-endian, by multiply-add of nine digits at a time:
     * quadratic in the digits still, but a numeric of PostgreSQL's 147,455 digits stays well
     * under a second. Each chunk adds under 30 bits, so n / 9 + 2 limbs hold the value. */
    size_t limb_cap = n / 9 + 2;
    uint32_t *limbs = calloc(limb_cap, sizeof(*limbs));
    if (!limbs)
        return NULL;
    size_t limb_count = 1;
    for (size_t i = 0; i < n;) {
        size_t take = i == 0 && n % 9 ? n % 9 : 9;
        uint32_t chunk = 0, scale = 1;
        for (size_t k = 0; k < take; k++, i++) {
            chunk = chunk * 10u + (uint32_t)(d->digits.data[i] - '0');
            scale *= 10u;
        }
        uint64_t carry = chunk;
        for (size_t j = 0; j < limb_count; j++) {
            uint64_t v = (uint64_t)limbs[j] * scale + carry;
            limbs[j] = (uint32_t)v;
            carry = v >> 32;
        }
        if (carry)
            limbs[limb_count++] = (uint32_t)carry;
    }
    /* the same in bytes, little-endian */
    size_t used = limb_count * 4;
    uint8_t *mag = malloc(used);
    if (!mag) {
        free(limbs);
        return NULL;
    }
    for (size_t j = 0; j < used; j++)
        mag[j] = (uint8_t)(limbs[j / 4] >> (8 * (j % 4)));
    free(limbs);
    while (used > 1 && mag[used - 1] == 0)
        used--;
    bool zero = used == 1 && mag[0] == 0;
    bool negative = d->negative && !zero;
    if (negative) {
        /* two's complement: invert and add one */
        unsigned carry = 1;
        for (size_t j = 0; j < used; j++) {
            unsigned v = (uint8_t)~mag[j] + carry;
            mag[j] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    /* a sign byte when the top bit says the wrong sign */
    bool top = (mag[used - 1] & 0x80) != 0;
    uint8_t pad = 0;
    bool need_pad = false;
    if (!negative && top) {
        need_pad = true;
        pad = 0x00;
    } else if (negative && !top) {
        need_pad = true;
        pad = 0xFF;
    }
    if (negative) /* minimal: drop redundant 0xFF bytes */
        while (used > 1 && mag[used - 1] == 0xFF && (mag[used - 2] & 0x80))
            used--;
    size_t total = used + (need_pad ? 1 : 0);
    uint8_t *out = malloc(total);
    if (!out) {
        free(mag);
        return NULL;
    }
    size_t o = 0;
    if (need_pad)
        out[o++] = pad;
    for (size_t j = used; j > 0; j--)
        out[o++] = mag[j - 1];
    free(mag);
    *out_len = total;
    return out;
}

static bool pg_numeric_is_special(const char *s)
{
    return strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0;
}

/* A numeric's text in the configured mode; scale INT32_MIN = variable scale. */
static int pg_numeric_decimal(const pg_value_type *type, const char *s, size_t len, int32_t scale,
                              json_t **out, char *err, size_t errlen)
{
    switch (type->options->decimal) {
    case PG_DECIMAL_STRING:
        /* Debezium writes the name of its special value (SpecialValueDecimal): "NAN" */
        *out = strcmp(s, "NaN") == 0 ? json_string("NAN") : json_stringn_nocheck(s, len);
        return 0;
    case PG_DECIMAL_DOUBLE: {
        if (pg_numeric_is_special(s)) {
            *out = json_string(s);
            return 0;
        }
        char *end;
        double v = strtod(s, &end);
        if (end == s || *end)
            return pg_value_invalid(err, errlen, "a number", s, len);
        *out = json_real(v);
        return 0;
    }
    case PG_DECIMAL_PRECISE:
        break;
    }
    if (pg_numeric_is_special(s)) {
        /* A Connect Decimal cannot hold NaN or infinity: Debezium sends null. */
        *out = json_null();
        return 0;
    }
    pg_decimal d;
    if (!pg_decimal_parse(s, len, &d))
        return pg_value_invalid(err, errlen, "a decimal number", s, len);
    /* A negative scale (numeric(p,-s), PostgreSQL 15) drops trailing zeros: the value is a
     * multiple of 10^s. */
    bool variable = scale == INT32_MIN;
    if (!variable && !pg_decimal_rescale(&d, scale)) {
        strbuf_free(&d.digits);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    int32_t value_scale = d.scale;
    size_t nbytes = 0;
    uint8_t *bytes = pg_decimal_unscaled_bytes(&d, &nbytes);
    strbuf_free(&d.digits);
    if (!bytes)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    json_t *encoded = pg_base64_string(bytes, nbytes, false);
    free(bytes);
    if (!encoded)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (!variable) {
        *out = encoded;
        return 0;
    }
    *out = json_pack("{s:i, s:o}", "scale", value_scale, "value", encoded);
    return *out ? 0 : (ferry_error_set(err, errlen, "out of memory"), -1);
}

/* money text ("$1,234.56", "-$1,234.56", "($1.00)") to a plain decimal. */
static int pg_numeric_money(const pg_value_type *type, const char *s, size_t len, json_t **out,
                            char *err, size_t errlen)
{
    char plain[64];
    size_t o = 0;
    bool negative = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '-' || c == '(')
            negative = true;
        else if ((isdigit((unsigned char)c) || c == '.') && o + 2 < sizeof plain)
            plain[o++ + 1] = c;
    }
    if (o == 0)
        return pg_value_invalid(err, errlen, "a money amount", s, len);
    plain[0] = negative ? '-' : '+';
    plain[o + 1] = '\0';
    if (type->options->decimal == PG_DECIMAL_STRING) {
        *out = json_string(negative ? plain : plain + 1);
        return 0;
    }
    return pg_numeric_decimal(type, plain, o + 1, type->options->money_fraction_digits, out, err,
                              errlen);
}

static int pg_numeric_float(const char *s, size_t len, json_t **out, char *err, size_t errlen)
{
    if (pg_numeric_is_special(s)) {
        *out = json_string(s);
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        return pg_value_invalid(err, errlen, "a floating-point number", s, len);
    *out = json_real(v);
    return 0;
}

static int pg_numeric_int(const char *s, size_t len, int64_t min, int64_t max, json_t **out,
                          char *err, size_t errlen)
{
    int64_t v;
    if (!pg_numeric_parse_int64(s, &v) || v < min || v > max)
        return pg_value_invalid(err, errlen, "an integer", s, len);
    *out = json_integer(v);
    return 0;
}

int pg_numeric_convert(const pg_value_type *type, const char *s, size_t len, json_t **out,
                       char *err, size_t errlen)
{
    switch (type->conv) {
    case PG_CONV_INT16: return pg_numeric_int(s, len, INT16_MIN, INT16_MAX, out, err, errlen);
    case PG_CONV_INT32: return pg_numeric_int(s, len, INT32_MIN, INT32_MAX, out, err, errlen);
    case PG_CONV_INT64: return pg_numeric_int(s, len, INT64_MIN, INT64_MAX, out, err, errlen);
    case PG_CONV_FLOAT32:
    case PG_CONV_FLOAT64: return pg_numeric_float(s, len, out, err, errlen);
    case PG_CONV_NUMERIC: return pg_numeric_decimal(type, s, len, type->scale, out, err, errlen);
    case PG_CONV_MONEY: return pg_numeric_money(type, s, len, out, err, errlen);
    default: return ferry_error_set(err, errlen, "not a numeric type"), -1;
    }
}
