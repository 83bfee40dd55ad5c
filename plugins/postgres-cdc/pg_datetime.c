/*
 * pg_datetime.c - dates, times, timestamps and intervals in the text PostgreSQL prints with
 * DateStyle ISO and IntervalStyle iso_8601, as Debezium's values (see pg_datetime.h).
 */
#include "pg_datetime.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#define US_PER_SECOND INT64_C(1000000)
#define US_PER_DAY INT64_C(86400000000)

/* ------------------------------------------------------------------------------------------ */
/* Parsing and formatting                                                                     */

/* Reads n digits at *p. */
static bool pg_datetime_digits(const char **p, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Reads at least one digit (at most 12). */
static bool pg_datetime_number(const char **p, int64_t *out)
{
    const char *start = *p;
    int64_t v = 0;
    while (isdigit((unsigned char)**p) && *p - start < 12) {
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return *p > start;
}

/* "HH:MM:SS[.ffffff]" at *p, into µs since midnight. */
static bool pg_datetime_parse_clock(const char **p, int64_t *micros)
{
    int64_t h, m, s, frac = 0;
    if (!pg_datetime_digits(p, 2, &h) || **p != ':')
        return false;
    (*p)++;
    if (!pg_datetime_digits(p, 2, &m) || **p != ':')
        return false;
    (*p)++;
    if (!pg_datetime_digits(p, 2, &s))
        return false;
    if (**p == '.') {
        (*p)++;
        int digits = 0;
        while (isdigit((unsigned char)**p)) {
            if (digits < 6) {
                frac = frac * 10 + (**p - '0');
                digits++;
            }
            (*p)++;
        }
        if (digits == 0)
            return false;
        for (; digits < 6; digits++)
            frac *= 10;
    }
    *micros = ((h * 60 + m) * 60 + s) * US_PER_SECOND + frac;
    return true;
}

/* "+HH[:MM[:SS]]" or "-..." at *p, into seconds east of UTC. */
static bool pg_datetime_parse_offset(const char **p, int64_t *seconds)
{
    char sign = **p;
    if (sign != '+' && sign != '-')
        return false;
    (*p)++;
    int64_t h, m = 0, s = 0;
    if (!pg_datetime_digits(p, 2, &h))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!pg_datetime_digits(p, 2, &m))
            return false;
        if (**p == ':') {
            (*p)++;
            if (!pg_datetime_digits(p, 2, &s))
                return false;
        }
    }
    *seconds = (h * 3600 + m * 60 + s) * (sign == '-' ? -1 : 1);
    return true;
}

int64_t pg_datetime_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    /* Howard Hinnant's days_from_civil. */
    year -= month <= 2;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = (unsigned)(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void pg_datetime_civil_from_days(int64_t z, int64_t *year, unsigned *month, unsigned *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (*month <= 2);
}

/* "YYYY-MM-DD" at *p (year of 4+ digits), BC handled by the caller; days since 1970. */
static bool pg_datetime_parse_date_part(const char **p, int64_t *year, int64_t *month, int64_t *day)
{
    if (!pg_datetime_number(p, year) || **p != '-')
        return false;
    (*p)++;
    if (!pg_datetime_digits(p, 2, month) || **p != '-')
        return false;
    (*p)++;
    if (!pg_datetime_digits(p, 2, day))
        return false;
    return *month >= 1 && *month <= 12 && *day >= 1 && *day <= 31;
}

static bool pg_datetime_bc_suffix(const char **p)
{
    if (strcmp(*p, " BC") == 0) {
        *p += 3;
        return true;
    }
    return false;
}

/* Days since 1970 of "YYYY-MM-DD[ BC]". */
static bool pg_datetime_parse_date(const char *s, int64_t *days)
{
    int64_t year, month, day;
    const char *p = s;
    if (!pg_datetime_parse_date_part(&p, &year, &month, &day))
        return false;
    if (pg_datetime_bc_suffix(&p))
        year = 1 - year;
    if (*p)
        return false;
    *days = pg_datetime_days_from_civil(year, (unsigned)month, (unsigned)day);
    return true;
}

/* µs since 1970 (UTC) of "YYYY-MM-DD HH:MM:SS[.f][+HH[:MM]][ BC]". */
static bool pg_datetime_parse_timestamp(const char *s, bool with_zone, int64_t *micros)
{
    int64_t year, month, day, clock, offset = 0;
    const char *p = s;
    if (!pg_datetime_parse_date_part(&p, &year, &month, &day) || *p != ' ')
        return false;
    p++;
    if (!pg_datetime_parse_clock(&p, &clock))
        return false;
    if (with_zone && !pg_datetime_parse_offset(&p, &offset))
        return false;
    if (pg_datetime_bc_suffix(&p))
        year = 1 - year;
    if (*p)
        return false;
    /* PostgreSQL's timestamps end near 2^63 µs (year 294276); a year beyond would overflow. */
    int64_t day_micros;
    if (__builtin_mul_overflow(pg_datetime_days_from_civil(year, (unsigned)month, (unsigned)day),
                               US_PER_DAY, &day_micros) ||
        __builtin_add_overflow(day_micros, clock - offset * US_PER_SECOND, micros))
        return false;
    return true;
}

/* Java's ISO_LOCAL_DATE year: 4 digits, a sign beyond. */
static int pg_datetime_format_year(char *out, size_t size, int64_t year)
{
    if (year > 9999)
        return snprintf(out, size, "+%" PRId64, year);
    if (year < 0)
        return snprintf(out, size, "-%04" PRId64, -year);
    return snprintf(out, size, "%04" PRId64, year);
}

/* ".ffffff" with exactly width digits (width > 0), or the shortest (width 0: nothing when zero),
 * of a fraction in µs. */
static int pg_datetime_format_fraction(char *out, size_t size, int64_t frac_us, int width)
{
    char digits[8];
    snprintf(digits, sizeof digits, "%06" PRId64, frac_us);
    if (width > 0) {
        if (width > 6) {
            return snprintf(out, size, ".%s%0*d", digits, width - 6, 0);
        }
        return snprintf(out, size, ".%.*s", width, digits);
    }
    int n = 6;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    if (n == 0) {
        out[0] = '\0';
        return 0;
    }
    return snprintf(out, size, ".%.*s", n, digits);
}

static int64_t pg_datetime_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                     */

static int pg_datetime_time(const pg_value_type *type, const char *s, size_t len, json_t **out,
                            char *err, size_t errlen)
{
    int64_t micros;
    const char *p = s;
    if (!pg_datetime_parse_clock(&p, &micros) || *p)
        return pg_value_invalid(err, errlen, "a time (HH:MM:SS[.ffffff])", s, len);
    const pg_type_options *options = type->options;
    bool millis = options->time == PG_TIME_CONNECT ||
                  (options->time == PG_TIME_ADAPTIVE && type->precision <= 3);
    *out = json_integer(millis ? micros / 1000 : micros);
    return 0;
}

static int pg_datetime_timetz(const char *s, size_t len, json_t **out, char *err, size_t errlen)
{
    int64_t micros, offset;
    const char *p = s;
    if (!pg_datetime_parse_clock(&p, &micros) || !pg_datetime_parse_offset(&p, &offset) || *p)
        return pg_value_invalid(err, errlen, "a time with time zone", s, len);
    int64_t utc = micros - offset * US_PER_SECOND;
    utc = ((utc % US_PER_DAY) + US_PER_DAY) % US_PER_DAY;
    int64_t seconds = utc / US_PER_SECOND;
    char fraction[16], text[48];
    pg_datetime_format_fraction(fraction, sizeof fraction, utc % US_PER_SECOND, 0);
    snprintf(text, sizeof text, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 "%sZ", seconds / 3600,
             seconds / 60 % 60, seconds % 60, fraction);
    *out = json_string(text);
    return 0;
}

static int pg_datetime_timestamp(const pg_value_type *type, const char *s, size_t len, json_t **out,
                                 char *err, size_t errlen)
{
    const pg_type_options *options = type->options;
    bool millis = options->time == PG_TIME_CONNECT || type->precision <= 3;
    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        /* Debezium writes the JDBC driver's infinity markers (PGStatement.DATE_POSITIVE_INFINITY
         * and DATE_NEGATIVE_INFINITY, in ms) as if they were microseconds, and a thousandth of
         * them where it writes milliseconds. */
        int64_t marker = s[0] == '-' ? PG_DATETIME_NEGATIVE_INFINITY : PG_DATETIME_POSITIVE_INFINITY;
        *out = json_integer(millis ? marker / 1000 : marker);
        return 0;
    }
    int64_t micros;
    if (!pg_datetime_parse_timestamp(s, false, &micros))
        return pg_value_invalid(err, errlen, "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])", s, len);
    *out = json_integer(millis ? pg_datetime_floor_div(micros, 1000) : micros);
    return 0;
}

static int pg_datetime_timestamptz(const pg_value_type *type, const char *s, size_t len,
                                   json_t **out, char *err, size_t errlen)
{
    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        *out = json_string(s);
        return 0;
    }
    int64_t micros;
    if (!pg_datetime_parse_timestamp(s, true, &micros))
        return pg_value_invalid(err, errlen, "a timestamp with time zone", s, len);
    int64_t days = pg_datetime_floor_div(micros, US_PER_DAY);
    int64_t clock = micros - days * US_PER_DAY;
    int64_t year;
    unsigned month, day;
    pg_datetime_civil_from_days(days, &year, &month, &day);
    char year_text[24], fraction[24], text[96];
    pg_datetime_format_year(year_text, sizeof year_text, year);
    int64_t seconds = clock / US_PER_SECOND;
    pg_datetime_format_fraction(fraction, sizeof fraction, clock % US_PER_SECOND,
                                type->precision > 0 ? type->precision : 0);
    snprintf(text, sizeof text, "%s-%02u-%02uT%02" PRId64 ":%02" PRId64 ":%02" PRId64 "%sZ",
             year_text, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60, fraction);
    *out = json_string(text);
    return 0;
}

static int pg_datetime_date(const char *s, size_t len, json_t **out, char *err, size_t errlen)
{
    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        /* What Debezium writes: PostgreSQL's internal markers (INT32_MAX, INT32_MIN days since
         * 2000-01-01) moved to 1970 in 32-bit arithmetic, which wraps. */
        int64_t marker = s[0] == '-' ? (int64_t)INT32_MIN : (int64_t)INT32_MAX;
        int64_t shifted = marker + PG_DATETIME_EPOCH_DAYS;
        *out = json_integer(shifted > INT32_MAX ? shifted - UINT32_MAX - 1 : shifted);
        return 0;
    }
    int64_t days;
    if (!pg_datetime_parse_date(s, &days) || days < INT32_MIN || days > INT32_MAX)
        return pg_value_invalid(err, errlen, "a date (YYYY-MM-DD)", s, len);
    *out = json_integer(days);
    return 0;
}

/* Java's (long) of a double, which Debezium's MicroDuration uses: saturating at the ends of
 * long, NaN as 0 (a C cast of an out-of-range double is undefined). An interval of a few hundred
 * thousand years is past 2^63 µs; PostgreSQL allows 178 million. The worker's
 * java_number_double_to_long is the same, but a plugin links only support/ and the ABI. */
static json_int_t pg_datetime_java_long(double value)
{
    if (value != value)
        return 0;
    if (value >= 9223372036854775808.0)
        return INT64_MAX;
    if (value <= -9223372036854775808.0)
        return INT64_MIN;
    return (json_int_t)value;
}

/* IntervalStyle iso_8601: "P1Y2M3DT4H5M6.5S", "PT0S", components may be negative. */
static int pg_datetime_interval(const pg_value_type *type, const char *s, size_t len, json_t **out,
                                char *err, size_t errlen)
{
    const char *p = s;
    if (*p != 'P')
        return pg_value_invalid(err, errlen, "an ISO 8601 interval", s, len);
    p++;
    int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
    char seconds_text[40] = "0";
    double seconds = 0;
    bool time_part = false;
    while (*p) {
        if (*p == 'T') {
            time_part = true;
            p++;
            continue;
        }
        const char *start = p;
        if (*p == '-' || *p == '+')
            p++;
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
        if (p == start || !*p)
            return pg_value_invalid(err, errlen, "an ISO 8601 interval", s, len);
        size_t n = (size_t)(p - start);
        char number[40];
        if (n >= sizeof number)
            return pg_value_invalid(err, errlen, "an ISO 8601 interval", s, len);
        memcpy(number, start, n);
        number[n] = '\0';
        int64_t whole = strtoll(number, NULL, 10);
        char unit = *p++;
        if (!time_part && unit == 'Y')
            years = whole;
        else if (!time_part && unit == 'M')
            months = whole;
        else if (!time_part && unit == 'D')
            days = whole;
        else if (time_part && unit == 'H')
            hours = whole;
        else if (time_part && unit == 'M')
            minutes = whole;
        else if (time_part && unit == 'S') {
            seconds = strtod(number, NULL);
            memcpy(seconds_text, number, n + 1);
        } else
            return pg_value_invalid(err, errlen, "an ISO 8601 interval", s, len);
    }
    if (type->options->interval == PG_INTERVAL_NUMERIC) {
        /* Debezium's MicroDuration.durationMicros, in the same floating-point steps. */
        double number_of_days =
            ((double)years * 12 + (double)months) * (365.25 / 12.0) + (double)days;
        double number_of_seconds =
            ((number_of_days * 24 + (double)hours) * 60 + (double)minutes) * 60 + seconds;
        *out = json_integer(pg_datetime_java_long(number_of_seconds * 1e6));
        return 0;
    }
    /* Interval.toIsoString: seconds with trailing zeros stripped. */
    char *dot = strchr(seconds_text, '.');
    if (dot) {
        size_t end = strlen(seconds_text);
        while (end > 0 && seconds_text[end - 1] == '0')
            seconds_text[--end] = '\0';
        if (end > 0 && seconds_text[end - 1] == '.')
            seconds_text[--end] = '\0';
    }
    if (seconds_text[0] == '+')
        memmove(seconds_text, seconds_text + 1, strlen(seconds_text));
    if (strcmp(seconds_text, "-0") == 0 || seconds_text[0] == '\0')
        strcpy(seconds_text, "0");
    char text[160];
    snprintf(text, sizeof text, "P%" PRId64 "Y%" PRId64 "M%" PRId64 "DT%" PRId64 "H%" PRId64
             "M%sS", years, months, days, hours, minutes, seconds_text);
    *out = json_string(text);
    return 0;
}

int pg_datetime_convert(const pg_value_type *type, const char *s, size_t len, json_t **out,
                        char *err, size_t errlen)
{
    switch (type->conv) {
    case PG_CONV_DATE: return pg_datetime_date(s, len, out, err, errlen);
    case PG_CONV_TIME: return pg_datetime_time(type, s, len, out, err, errlen);
    case PG_CONV_TIMETZ: return pg_datetime_timetz(s, len, out, err, errlen);
    case PG_CONV_TIMESTAMP: return pg_datetime_timestamp(type, s, len, out, err, errlen);
    case PG_CONV_TIMESTAMPTZ: return pg_datetime_timestamptz(type, s, len, out, err, errlen);
    case PG_CONV_INTERVAL: return pg_datetime_interval(type, s, len, out, err, errlen);
    default: return ferry_error_set(err, errlen, "not a date or time type"), -1;
    }
}
