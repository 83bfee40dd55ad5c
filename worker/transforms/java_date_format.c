/*
 * java_date_format.c - SimpleDateFormat patterns in UTC (see java_date_format.h): the pattern's
 * tokens; the civil date of an instant in Java's calendar (Julian before 1582-10-15, Gregorian
 * from it); the fields written out; and the lenient parser, which reads each field as
 * SimpleDateFormat.subParse does (numbers through the rules of Java's integer DecimalFormat) and
 * turns them into an instant as GregorianCalendar.computeTime resolves them.
 */
#include "transforms/java_date_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/java_number.h"
#include "support/array.h"
#include "support/clock.h"
#include "support/utf8.h"

#define MS_PER_DAY INT64_C(86400000)
/* The epoch day of 1582-10-15, GregorianCalendar's default cut-over: the days before it are
 * Julian, the Julian 1582-10-04 being the day before. */
#define CUTOVER_EPOCH_DAY INT64_C(-141427)
#define CUTOVER_YEAR 1582
/* Java's "fixed date" (days since 0001-01-01 Gregorian, day 1) of 1970-01-01: the arithmetic
 * of days of the week below is Java's own on fixed dates. */
#define EPOCH_FIXED_DATE INT64_C(719163)
/* Java's java.text.DateFormatSymbols.patternChars: every ASCII letter a pattern may use. */
#define PATTERN_LETTERS "GyMdkHmsSEDFwWahKzZYuXL"

typedef struct date_token {
    char letter;   /* pattern letter, or 0 for literal text */
    size_t count;  /* letters in the run, or bytes of literal text */
    size_t offset; /* literal text: where its bytes start in literals */
} date_token;

struct java_date_format {
    char *pattern;
    date_token *tokens;
    size_t token_count;
    size_t token_capacity;
    char *literals;
    /* Why the pattern cannot be parsed (a letter refused for parsing), or empty. */
    char parse_refusal[192];
    int64_t two_digit_year_start; /* epoch ms */
    int32_t two_digit_start_year; /* its year of era */
};

/* English names, the full ones first: 12 + m is the short name of month m (0 January). */
static const char *const month_names[24] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
    "Sep", "Oct", "Nov", "Dec"};
/* Indexed by Java's DAY_OF_WEEK - 1 (Sunday is 1); 7 + d is the short name. */
static const char *const day_names[14] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sun", "Mon", "Tue", "Wed",
                                          "Thu", "Fri", "Sat"};
static const char *const era_names[4] = {"BC", "AD", "Before Christ", "Anno Domini"};
static const char *const ampm_names[2] = {"AM", "PM"};

/* ---- Calendar arithmetic ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t quotient = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        quotient--;
    return quotient;
}

/* b > 0; written without floor_div's product, which overflows for a near INT64_MIN. */
static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t remainder = a % b;
    return remainder < 0 ? remainder + b : remainder;
}

/* Java's int arithmetic wraps; these are the places where a lenient parse can make it wrap. */
static int32_t wrap_int32(int64_t value)
{
    return (int32_t)(uint32_t)(uint64_t)value;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar (year 0 is 1 BC), after
 * H. Hinnant's days_from_civil. */
static int64_t days_from_gregorian(int64_t year, int month, int64_t day)
{
    year -= month <= 2;
    int64_t era = floor_div(year, 400);
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

/* The same in the proleptic Julian calendar: four-year cycles of 1461 days, counted from the
 * Julian 0000-03-01, two days before the Gregorian one. */
static int64_t days_from_julian(int64_t year, int month, int64_t day)
{
    year -= month <= 2;
    int64_t cycle = floor_div(year, 4);
    int64_t year_of_cycle = year - cycle * 4;
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    return cycle * 1461 + year_of_cycle * 365 + day_of_year - 719470;
}

static void gregorian_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = floor_div(days, 146097);
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
                           day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

static void julian_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719470;
    int64_t cycle = floor_div(days, 1461);
    int64_t day_of_cycle = days - cycle * 1461;
    int64_t year_of_cycle = (day_of_cycle - day_of_cycle / 1460) / 365;
    int64_t day_of_year = day_of_cycle - 365 * year_of_cycle;
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *year = year_of_cycle + cycle * 4 + (*month <= 2);
}

/* The epoch day of January 1 of a year in Java's calendar: in 1582 the Julian one, so that
 * 1582-10-15 is the 278th day of its year, as Java counts it. */
static int64_t year_start_day(int64_t year)
{
    int64_t gregorian = days_from_gregorian(year, 1, 1);
    return gregorian >= CUTOVER_EPOCH_DAY ? gregorian : days_from_julian(year, 1, 1);
}

/* The fields of an instant in UTC, as GregorianCalendar computes them. */
typedef struct civil_time {
    int64_t year; /* astronomical: 0 is 1 BC, -1 is 2 BC */
    int month;    /* 1-12 */
    int day;
    int day_of_year;
    int days_into_month; /* 0 on the first of the month */
    int day_of_week;     /* Java's DAY_OF_WEEK: 1 Sunday .. 7 Saturday */
    int hour, minute, second, millisecond;
} civil_time;

static void civil_time_from_epoch_ms(int64_t epoch_ms, civil_time *out)
{
    int64_t days = floor_div(epoch_ms, MS_PER_DAY);
    int64_t ms_of_day = floor_mod(epoch_ms, MS_PER_DAY);
    if (days >= CUTOVER_EPOCH_DAY)
        gregorian_from_days(days, &out->year, &out->month, &out->day);
    else
        julian_from_days(days, &out->year, &out->month, &out->day);
    out->day_of_year = (int)(days - year_start_day(out->year) + 1);
    /* October 1582 lost ten days: the 15th is its fifth day. */
    out->days_into_month = out->year == CUTOVER_YEAR && out->month == 10
                               ? (int)(days - days_from_julian(CUTOVER_YEAR, 10, 1))
                               : out->day - 1;
    out->day_of_week = (int)floor_mod(days + 4, 7) + 1; /* 1970-01-01 was a Thursday */
    out->hour = (int)(ms_of_day / 3600000);
    out->minute = (int)(ms_of_day / 60000 % 60);
    out->second = (int)(ms_of_day / 1000 % 60);
    out->millisecond = (int)(ms_of_day % 1000);
}

static int64_t year_of_era(int64_t year)
{
    return year > 0 ? year : 1 - year;
}

/* ---- Compiling ---- */

static int push_token(java_date_format *format, char letter, size_t count, size_t offset)
{
    if (array_reserve(&format->tokens, &format->token_capacity, format->token_count + 1,
                      sizeof(*format->tokens)))
        return -1;
    format->tokens[format->token_count++] =
        (date_token){.letter = letter, .count = count, .offset = offset};
    return 0;
}

/* Appends one byte of literal text, to the literal token before it when there is one: a run of
 * literals matches and prints as its characters one after the other. */
static int push_literal(java_date_format *format, strbuf *literals, char byte)
{
    date_token *last = format->token_count ? &format->tokens[format->token_count - 1] : NULL;
    if (last && last->letter == 0)
        last->count++;
    else if (push_token(format, 0, 1, literals->len))
        return -1;
    strbuf_append_char(literals, byte);
    return strbuf_failed(literals) ? -1 : 0;
}

/* Ends a run of letters (Java's encode), with Java's one refusal there. */
static int end_run(java_date_format *format, char *letter, size_t *count, char *err,
                   size_t errlen)
{
    if (*count == 0)
        return 0;
    if (*letter == 'X' && *count >= 4) {
        snprintf(err, errlen, "invalid ISO 8601 format: length=%zu", *count);
        return -1;
    }
    if (push_token(format, *letter, *count, 0)) {
        snprintf(err, errlen, "out of memory compiling a date pattern");
        return -1;
    }
    *count = 0;
    return 0;
}

/* Tokenises the pattern as SimpleDateFormat.compile does, with its error messages. */
static int tokenise(java_date_format *format, const char *pattern, strbuf *literals, char *err,
                    size_t errlen)
{
    char letter = 0;
    size_t count = 0;
    bool in_quote = false;
    for (size_t i = 0; pattern[i]; i++) {
        char c = pattern[i];
        bool literal;
        if (c == '\'') {
            /* '' is one quote, inside a quoted section or outside. */
            if (pattern[i + 1] != '\'') {
                if (end_run(format, &letter, &count, err, errlen))
                    return -1;
                in_quote = !in_quote;
                continue;
            }
            i++;
            literal = true;
        } else {
            literal = in_quote || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
        }
        if (!literal) {
            if (!strchr(PATTERN_LETTERS, c)) {
                snprintf(err, errlen, "Illegal pattern character '%c'", c);
                return -1;
            }
            if (count && letter == c) {
                count++;
                continue;
            }
        }
        if (end_run(format, &letter, &count, err, errlen))
            return -1;
        if (literal) {
            if (push_literal(format, literals, c)) {
                snprintf(err, errlen, "out of memory compiling a date pattern");
                return -1;
            }
        } else {
            letter = c;
            count = 1;
        }
    }
    if (in_quote) {
        snprintf(err, errlen, "Unterminated quote");
        return -1;
    }
    return end_run(format, &letter, &count, err, errlen);
}

/* The letters Java reads in a way this cannot reproduce: NULL when the letter is fine. */
static const char *letter_refusal(char letter, bool parsing)
{
    switch (letter) {
    case 'Y':
        return "'Y' (week year) is not supported: Java numbers weeks by the JVM's locale, "
               "which the config does not say; 'y' is the calendar year";
    case 'w':
        return "'w' (week in year) is not supported: Java numbers weeks by the JVM's locale, "
               "which the config does not say";
    case 'W':
        return "'W' (week in month) is not supported: Java numbers weeks by the JVM's locale, "
               "which the config does not say";
    case 'F':
        return parsing ? "'F' (day of week in month) is not supported for parsing: Java "
                         "resolves it by the JVM's locale"
                       : NULL;
    case 'z':
        return parsing ? "'z' (time zone name) is not supported for parsing: Java switches "
                         "the format to the zone a name stands for; Z and X read offsets"
                       : NULL;
    default:
        return NULL;
    }
}

/* The same instant years earlier, as GregorianCalendar.add(YEAR, -years) gives it for a date
 * of our era: the same month, day and time, February 29 becoming the 28th. */
static int64_t years_before(int64_t epoch_ms, int years)
{
    civil_time t;
    civil_time_from_epoch_ms(epoch_ms, &t);
    int64_t year = t.year - years;
    int day = t.day;
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (t.month == 2 && day == 29 && !leap)
        day = 28;
    int64_t ms_of_day = floor_mod(epoch_ms, MS_PER_DAY);
    return days_from_gregorian(year, t.month, day) * MS_PER_DAY + ms_of_day;
}

java_date_format *java_date_format_compile(const char *pattern, bool for_parsing, char *err,
                                           size_t errlen)
{
    strbuf literals = {0};
    java_date_format *format = calloc(1, sizeof(*format));
    if (!format || !(format->pattern = strdup(pattern))) {
        snprintf(err, errlen, "out of memory compiling a date pattern");
        goto fail;
    }
    if (tokenise(format, pattern, &literals, err, errlen))
        goto fail;
    for (size_t i = 0; i < format->token_count; i++) {
        char letter = format->tokens[i].letter;
        const char *refusal = letter_refusal(letter, false);
        if (refusal) {
            snprintf(err, errlen, "pattern letter %s", refusal);
            goto fail;
        }
        refusal = letter_refusal(letter, true);
        if (refusal && !format->parse_refusal[0])
            snprintf(format->parse_refusal, sizeof(format->parse_refusal), "pattern letter %s",
                     refusal);
    }
    if (for_parsing && format->parse_refusal[0]) {
        snprintf(err, errlen, "%s", format->parse_refusal);
        goto fail;
    }
    format->literals = strbuf_take(&literals, NULL);
    if (!format->literals) {
        snprintf(err, errlen, "out of memory compiling a date pattern");
        goto fail;
    }
    /* Java places two-digit years within 80 years before and 20 after its construction. */
    java_date_format_set_two_digit_year_start(format, years_before(clock_wall_ms(), 80));
    return format;

fail:
    strbuf_free(&literals);
    java_date_format_free(format);
    return NULL;
}

const char *java_date_format_pattern(const java_date_format *format)
{
    return format->pattern;
}

void java_date_format_set_two_digit_year_start(java_date_format *format, int64_t epoch_ms)
{
    civil_time t;
    civil_time_from_epoch_ms(epoch_ms, &t);
    format->two_digit_year_start = epoch_ms;
    format->two_digit_start_year = (int32_t)year_of_era(t.year);
}

void java_date_format_free(java_date_format *format)
{
    if (!format)
        return;
    free(format->pattern);
    free(format->tokens);
    free(format->literals);
    free(format);
}

/* ---- Formatting ---- */

/* Java's zeroPaddingNumber: the decimal digits of a non-negative value, at least min_digits of
 * them but no more than DecimalFormat pads to (309, its DOUBLE_INTEGER_DIGITS), never cut. */
static void append_padded(strbuf *out, int64_t value, size_t min_digits)
{
    if (min_digits > 309)
        min_digits = 309;
    char digits[24];
    size_t length = 0;
    do {
        digits[sizeof(digits) - ++length] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (size_t i = length; i < min_digits; i++)
        strbuf_append_char(out, '0');
    strbuf_append(out, digits + sizeof(digits) - length, length);
}

static void append_field(strbuf *out, const civil_time *t, char letter, size_t count)
{
    switch (letter) {
    case 'G':
        strbuf_append_str(out, era_names[t->year > 0]);
        break;
    case 'y':
        if (count == 2)
            append_padded(out, year_of_era(t->year) % 100, 2);
        else
            append_padded(out, year_of_era(t->year), count);
        break;
    case 'M':
    case 'L':
        if (count >= 3)
            strbuf_append_str(out, month_names[(count == 3 ? 12 : 0) + t->month - 1]);
        else
            append_padded(out, t->month, count);
        break;
    case 'd':
        append_padded(out, t->day, count);
        break;
    case 'D':
        append_padded(out, t->day_of_year, count);
        break;
    case 'F':
        append_padded(out, t->days_into_month / 7 + 1, count);
        break;
    case 'E':
        strbuf_append_str(out, day_names[(count >= 4 ? 0 : 7) + t->day_of_week - 1]);
        break;
    case 'u':
        append_padded(out, t->day_of_week == 1 ? 7 : t->day_of_week - 1, count);
        break;
    case 'a':
        strbuf_append_str(out, ampm_names[t->hour >= 12]);
        break;
    case 'H':
        append_padded(out, t->hour, count);
        break;
    case 'k':
        append_padded(out, t->hour == 0 ? 24 : t->hour, count);
        break;
    case 'K':
        append_padded(out, t->hour % 12, count);
        break;
    case 'h':
        append_padded(out, t->hour % 12 == 0 ? 12 : t->hour % 12, count);
        break;
    case 'm':
        append_padded(out, t->minute, count);
        break;
    case 's':
        append_padded(out, t->second, count);
        break;
    case 'S':
        append_padded(out, t->millisecond, count);
        break;
    case 'z':
        strbuf_append_str(out, count >= 4 ? "Coordinated Universal Time" : "UTC");
        break;
    case 'Z':
        strbuf_append_literal(out, "+0000");
        break;
    case 'X':
        strbuf_append_char(out, 'Z');
        break;
    default:
        break; /* Y, w, W never compile */
    }
}

int java_date_format_format(const java_date_format *format, int64_t epoch_ms, strbuf *out)
{
    civil_time t;
    civil_time_from_epoch_ms(epoch_ms, &t);
    for (size_t i = 0; i < format->token_count; i++) {
        const date_token *token = &format->tokens[i];
        if (token->letter)
            append_field(out, &t, token->letter, token->count);
        else
            strbuf_append(out, format->literals + token->offset, token->count);
    }
    return strbuf_failed(out) ? -1 : 0;
}

/* ---- Parsing: reading the text ---- */

/* The calendar fields a parse sets, each with the order it was set in (Java's stamps: 0 is
 * unset, a later set has a larger stamp), which decides between fields that say the same. */
enum {
    FIELD_ERA,
    FIELD_YEAR,
    FIELD_MONTH,
    FIELD_DAY_OF_MONTH,
    FIELD_DAY_OF_YEAR,
    FIELD_DAY_OF_WEEK,
    FIELD_AM_PM,
    FIELD_HOUR,
    FIELD_HOUR_OF_DAY,
    FIELD_MINUTE,
    FIELD_SECOND,
    FIELD_MILLISECOND,
    FIELD_ZONE_OFFSET,
    FIELD_DST_OFFSET,
    FIELD_COUNT
};

typedef struct parse_state {
    const unsigned char *text;
    size_t length;
    int32_t value[FIELD_COUNT]; /* 0 when unset, as a cleared Calendar has them */
    int stamp[FIELD_COUNT];
    int next_stamp;
    bool ambiguous_year; /* a two-digit year that may belong to the next century */
    bool zone_name;      /* failed on a zone name this does not read */
} parse_state;

static void set_field(parse_state *state, int field, int32_t value)
{
    state->value[field] = value;
    state->stamp[field] = ++state->next_stamp;
}

/* The character at pos (text[pos] exists): its length in bytes; an ill-formed sequence reads as
 * one U+FFFD, as Java would have decoded it. */
static size_t text_char(const parse_state *state, size_t pos, size_t limit, uint32_t *codepoint)
{
    size_t length = utf8_sequence(state->text + pos, limit - pos, codepoint);
    if (length)
        return length;
    *codepoint = 0xFFFD;
    return utf8_invalid_length(state->text + pos, limit - pos);
}

/* Java's text.substring(0, start + count) for a field that must not read into the next one:
 * where count UTF-16 units from start end. false when the text is shorter (Java then fails the
 * field). A surrogate pair the limit would cut is left out whole: its first half is no digit. */
static bool unit_limit(const parse_state *state, size_t start, size_t count, size_t *limit)
{
    size_t pos = start;
    for (size_t units = 0; units < count;) {
        if (pos >= state->length)
            return false;
        uint32_t codepoint;
        size_t length = text_char(state, pos, state->length, &codepoint);
        units += codepoint > 0xFFFF ? 2 : 1;
        if (units > count)
            break;
        pos += length;
    }
    *limit = pos;
    return true;
}

/* The value of a decimal digit as Java's Character.digit(ch, 10) reads it (java_number.h). */
static int digit_value(uint32_t codepoint)
{
    return java_number_digit(codepoint);
}

/* The significant digits of a number, as ASCII: what Java's DigitList holds. */
typedef struct digit_list {
    char inline_digits[48];
    char *digits;
    size_t count;
} digit_list;

static int digit_list_fill(digit_list *list, const parse_state *state, size_t from, size_t to,
                           size_t count)
{
    list->digits = list->inline_digits;
    if (count + 24 > sizeof(list->inline_digits) && !(list->digits = malloc(count + 24)))
        return -1;
    list->count = 0;
    while (from < to) {
        uint32_t codepoint;
        from += text_char(state, from, to, &codepoint);
        list->digits[list->count++] = (char)('0' + digit_value(codepoint));
    }
    while (list->count && list->digits[list->count - 1] == '0')
        list->count--;
    return 0;
}

static void digit_list_free(digit_list *list)
{
    if (list->digits != list->inline_digits)
        free(list->digits);
}

/* Java's Number.intValue() of what DecimalFormat.parse returns for the digits and the decimal
 * point's place: a Long when DigitList.fitsIntoLong says so (its low 32 bits), else a Double
 * (saturated). */
static int32_t digit_list_int(digit_list *list, int32_t decimal_at, bool negative)
{
    static const char long_min[] = "9223372036854775808";
    size_t count = list->count;
    if (count == 0)
        return 0;
    bool fits = decimal_at >= (int64_t)count && decimal_at <= 19;
    if (fits && decimal_at == 19) {
        size_t i = 0;
        while (i < count && list->digits[i] == long_min[i])
            i++;
        if (i < count)
            fits = list->digits[i] < long_min[i];
        else
            fits = count < 19 || negative;
    }
    if (fits) {
        uint64_t value = 0;
        for (int32_t i = 0; i < decimal_at; i++)
            value = value * 10 + (uint64_t)((size_t)i < count ? list->digits[i] - '0' : 0);
        if (negative)
            value = 0 - value;
        return (int32_t)(uint32_t)value;
    }
    /* Java builds "0.<digits>E<decimal_at>" for Double.parseDouble; strtod reads the same value
     * from "<digits>e<exponent>", which has no radix character for a locale to change. */
    snprintf(list->digits + count, 24, "e%" PRId64, (int64_t)decimal_at - (int64_t)count);
    double value = strtod(list->digits, NULL);
    return java_number_double_to_int(negative ? -value : value);
}

/* The exponent after 'E' (at pos): Java's DecimalFormat reads it as another number, an optional
 * '-' and digits, and takes it only when it fits into a long, cut to an int. false when it does
 * not take one: the number then ends before the 'E'. */
static bool parse_exponent(const parse_state *state, size_t pos, size_t limit, int32_t *exponent,
                           size_t *end)
{
    bool negative = pos < limit && state->text[pos] == '-';
    if (negative)
        pos++;
    bool saw_digit = false, too_long = false;
    uint64_t value = 0;
    while (pos < limit) {
        uint32_t codepoint;
        size_t length = text_char(state, pos, limit, &codepoint);
        int digit = digit_value(codepoint);
        if (digit < 0)
            break;
        saw_digit = true;
        /* Beyond this, one more digit is past any long. */
        if (value > (UINT64_MAX - 9) / 10)
            too_long = true;
        else
            value = value * 10 + (uint64_t)digit;
        pos += length;
    }
    if (!saw_digit || too_long || value > (uint64_t)INT64_MAX + negative)
        return false;
    int32_t cut = (int32_t)(uint32_t)value;
    *exponent = negative ? wrap_int32(-(int64_t)cut) : cut;
    *end = pos;
    return true;
}

/* Java's integer DecimalFormat (English symbols, no grouping) parsing the text at pos, not
 * beyond limit: "NaN", an optional '-', "∞" or digits with an optional exponent. false when no
 * number is there; else *value (Number.intValue()) and *end. */
static bool parse_number(const parse_state *state, size_t pos, size_t limit, int32_t *value,
                         size_t *end)
{
    const unsigned char *text = state->text;
    if (limit - pos >= 3 && memcmp(text + pos, "NaN", 3) == 0) {
        *value = 0;
        *end = pos + 3;
        return true;
    }
    bool negative = pos < limit && text[pos] == '-';
    if (negative)
        pos++;
    if (limit - pos >= 3 && memcmp(text + pos, "\xE2\x88\x9E", 3) == 0) { /* ∞ */
        *value = negative ? INT32_MIN : INT32_MAX;
        *end = pos + 3;
        return true;
    }
    bool saw_digit = false;
    size_t count = 0, significant = pos, digits_end = pos;
    int32_t exponent = 0;
    while (pos < limit) {
        uint32_t codepoint;
        size_t length = text_char(state, pos, limit, &codepoint);
        int digit = digit_value(codepoint);
        if (digit >= 0) {
            saw_digit = true;
            /* Leading zeros are not digits of the list. */
            if (digit > 0 || count > 0) {
                if (count++ == 0)
                    significant = pos;
                digits_end = pos + length;
            }
            pos += length;
            continue;
        }
        if (codepoint == 'E')
            parse_exponent(state, pos + 1, limit, &exponent, &pos);
        break;
    }
    if (!saw_digit)
        return false;
    digit_list list;
    if (digit_list_fill(&list, state, significant, digits_end, count))
        return false;
    *value = digit_list_int(&list, wrap_int32((int64_t)count + exponent), negative);
    digit_list_free(&list);
    *end = pos;
    return true;
}

/* Whether a text character equals an ASCII character of a name, without regard to case, as
 * Java's regionMatches(true, ...) compares: by upper and then lower case, which also makes
 * U+017F equal to 's', U+0130 and U+0131 to 'i' and U+212A (Kelvin) to 'k'. */
static bool name_char_equals(char name_char, uint32_t codepoint)
{
    char lower = (char)(name_char >= 'A' && name_char <= 'Z' ? name_char + 32 : name_char);
    if (codepoint < 128) {
        uint32_t text_lower = codepoint >= 'A' && codepoint <= 'Z' ? codepoint + 32 : codepoint;
        return text_lower == (uint32_t)(unsigned char)lower;
    }
    return (lower == 's' && codepoint == 0x017F) ||
           (lower == 'i' && (codepoint == 0x0130 || codepoint == 0x0131)) ||
           (lower == 'k' && codepoint == 0x212A);
}

/* The bytes the text at pos spans when it starts with name (any case), else 0. */
static size_t match_name(const parse_state *state, size_t pos, const char *name)
{
    size_t start = pos;
    for (; *name; name++) {
        if (pos >= state->length)
            return 0;
        uint32_t codepoint;
        size_t length = text_char(state, pos, state->length, &codepoint);
        if (!name_char_equals(*name, codepoint))
            return 0;
        pos += length;
    }
    return pos - start;
}

/* The index of the longest of the names the text at pos starts with (Java's matchString), -1
 * when none; *length gets its bytes. */
static int match_longest(const parse_state *state, size_t pos, const char *const *names,
                         int name_count, size_t *length)
{
    int best = -1;
    size_t best_length = 0;
    for (int i = 0; i < name_count; i++) {
        size_t matched = strlen(names[i]) > best_length ? match_name(state, pos, names[i]) : 0;
        if (matched) {
            best = i;
            best_length = strlen(names[i]);
            *length = matched;
        }
    }
    return best;
}

/* ---- Parsing: the fields ---- */

/* Java's shouldObeyCount: a field followed directly by one of these reads exactly count
 * characters, so that "20240131" parses with yyyyMMdd. */
static bool is_numeric_field(const date_token *token)
{
    if (!token->letter)
        return false;
    if (token->letter == 'M' || token->letter == 'L')
        return token->count <= 2;
    return strchr("ydkHmsSDFwWhKYu", token->letter) != NULL;
}

/* Reads a number for a field: from at (spaces skipped), up to count characters from start when
 * the field must not run into the next. */
static bool parse_field_number(const parse_state *state, size_t start, size_t at, size_t count,
                               bool obey_count, int32_t *value, size_t *end)
{
    size_t limit = state->length;
    if (obey_count && !unit_limit(state, start, count, &limit))
        return false;
    if (at >= limit)
        return false;
    return parse_number(state, at, limit, value, end);
}

/* Whether the text from at to end is exactly two digits (Java's test for a two-digit year). */
static bool is_two_digits(const parse_state *state, size_t at, size_t end)
{
    for (int i = 0; i < 2; i++) {
        uint32_t codepoint;
        if (at >= end)
            return false;
        at += text_char(state, at, end, &codepoint);
        if (digit_value(codepoint) < 0)
            return false;
    }
    return at == end;
}

/* Java's subParseNumericZone: hh (or h before a colon when colon is allowed without count),
 * then :mm or mm unless count is 1; sets the zone offset. */
static bool parse_numeric_zone(parse_state *state, size_t at, int sign, size_t count, bool colon,
                               size_t *end)
{
    const unsigned char *text = state->text;
    size_t length = state->length;
#define IS_DIGIT_AT(i) ((i) < length && text[i] >= '0' && text[i] <= '9')
    if (!IS_DIGIT_AT(at))
        return false;
    int hours = text[at++] - '0';
    if (at >= length)
        return false;
    if (IS_DIGIT_AT(at))
        hours = hours * 10 + (text[at++] - '0');
    else if (count > 0 || !colon)
        return false;
    if (hours > 23)
        return false;
    int minutes = 0;
    if (count != 1) {
        if (colon) {
            if (at >= length || text[at] != ':')
                return false;
            at++;
        }
        if (!IS_DIGIT_AT(at) || !IS_DIGIT_AT(at + 1))
            return false;
        minutes = (text[at] - '0') * 10 + (text[at + 1] - '0');
        at += 2;
        if (minutes > 59)
            return false;
    }
#undef IS_DIGIT_AT
    set_field(state, FIELD_ZONE_OFFSET, (minutes + hours * 60) * 60000 * sign);
    set_field(state, FIELD_DST_OFFSET, 0);
    *end = at;
    return true;
}

/* Z (and Java's z): +hhmm or -hhmm, GMT with an optional +h:mm, or one of UTC's own names, for
 * which Java keeps the format's zone; any other name Java would look up and switch to. */
static bool parse_rfc822_zone(parse_state *state, size_t start, size_t at, size_t *end)
{
    unsigned char c = state->text[at];
    if (c == '+' || c == '-')
        return parse_numeric_zone(state, at + 1, c == '+' ? 1 : -1, 0, false, end);
    if ((c == 'G' || c == 'g') && match_name(state, start, "GMT")) {
        size_t pos = start + 3;
        c = pos < state->length ? state->text[pos] : 0;
        if (c == '+' || c == '-')
            return parse_numeric_zone(state, pos + 1, c == '+' ? 1 : -1, 0, true, end);
        set_field(state, FIELD_ZONE_OFFSET, 0);
        set_field(state, FIELD_DST_OFFSET, 0);
        *end = pos;
        return true;
    }
    static const char *const utc_names[] = {"Coordinated Universal Time", "UTC"};
    for (size_t i = 0; i < 2; i++) {
        size_t length = match_name(state, at, utc_names[i]);
        if (length) {
            *end = at + length;
            return true;
        }
    }
    state->zone_name = true;
    return false;
}

/* X, XX, XXX: Z, or +hh, +hhmm, +hh:mm by the count. */
static bool parse_iso_zone(parse_state *state, size_t at, size_t count, size_t *end)
{
    unsigned char c = state->text[at];
    if (c == 'Z') {
        set_field(state, FIELD_ZONE_OFFSET, 0);
        set_field(state, FIELD_DST_OFFSET, 0);
        *end = at + 1;
        return true;
    }
    if (c != '+' && c != '-')
        return false;
    return parse_numeric_zone(state, at + 1, c == '+' ? 1 : -1, count, count == 3, end);
}

/* A field whose value is a name: Java matches it at start, before the spaces it skipped. */
static bool parse_name_field(parse_state *state, size_t start, int field,
                             const char *const *names, int name_count, int modulo, int base,
                             size_t *end)
{
    size_t length;
    int index = match_longest(state, start, names, name_count, &length);
    if (index < 0)
        return false;
    set_field(state, field, index % modulo + base);
    *end = start + length;
    return true;
}

/* Sets the calendar field of a number read for a letter (the number's text from at to end). */
static void set_number_field(parse_state *state, const java_date_format *format,
                             const date_token *token, size_t at, size_t end, int32_t value)
{
    switch (token->letter) {
    case 'y':
        /* Exactly two digits for y or yy: the year within the window. */
        if (token->count <= 2 && is_two_digits(state, at, end)) {
            int32_t ambiguous = format->two_digit_start_year % 100;
            state->ambiguous_year = value == ambiguous;
            value += format->two_digit_start_year / 100 * 100 + (value < ambiguous ? 100 : 0);
        }
        set_field(state, FIELD_YEAR, value);
        break;
    case 'M':
    case 'L':
        set_field(state, FIELD_MONTH, wrap_int32((int64_t)value - 1));
        break;
    case 'd':
        set_field(state, FIELD_DAY_OF_MONTH, value);
        break;
    case 'D':
        set_field(state, FIELD_DAY_OF_YEAR, value);
        break;
    case 'u':
        /* ISO day number to Java's DAY_OF_WEEK; out-of-range numbers stay as they are. */
        if (value >= 1 && value <= 7)
            value = value == 7 ? 1 : value + 1;
        set_field(state, FIELD_DAY_OF_WEEK, value);
        break;
    case 'H':
    case 'k':
        set_field(state, FIELD_HOUR_OF_DAY, token->letter == 'k' && value == 24 ? 0 : value);
        break;
    case 'K':
    case 'h':
        set_field(state, FIELD_HOUR, token->letter == 'h' && value == 12 ? 0 : value);
        break;
    case 'm':
        set_field(state, FIELD_MINUTE, value);
        break;
    case 's':
        set_field(state, FIELD_SECOND, value);
        break;
    case 'S':
        set_field(state, FIELD_MILLISECOND, value);
        break;
    default:
        break; /* no other letter is a number when parsing (F, w, W, Y never compile) */
    }
}

/* Java's subParse: one field at *pos. */
static bool parse_field(parse_state *state, const java_date_format *format,
                        const date_token *token, bool obey_count, size_t *pos)
{
    size_t start = *pos, at = start;
    /* Spaces and tabs before a field are skipped; the end of the text there fails it. */
    for (;; at++) {
        if (at >= state->length)
            return false;
        if (state->text[at] != ' ' && state->text[at] != '\t')
            break;
    }
    switch (token->letter) {
    case 'G':
        return parse_name_field(state, start, FIELD_ERA, era_names, 4, 2, 0, pos);
    case 'M':
    case 'L':
        if (token->count >= 3)
            return parse_name_field(state, start, FIELD_MONTH, month_names, 24, 12, 0, pos);
        break;
    case 'E':
        return parse_name_field(state, start, FIELD_DAY_OF_WEEK, day_names, 14, 7, 1, pos);
    case 'a':
        return parse_name_field(state, start, FIELD_AM_PM, ampm_names, 2, 2, 0, pos);
    case 'Z':
        return parse_rfc822_zone(state, start, at, pos);
    case 'X':
        return parse_iso_zone(state, at, token->count, pos);
    default:
        break;
    }
    int32_t value;
    size_t end;
    if (!parse_field_number(state, start, at, token->count, obey_count, &value, &end))
        return false;
    set_number_field(state, format, token, at, end, value);
    *pos = end;
    return true;
}

/* ---- Parsing: from fields to an instant (GregorianCalendar.computeTime, lenient) ---- */

typedef enum date_resolution {
    BY_MONTH_AND_DAY, /* MONTH + DAY_OF_MONTH, also when neither is set */
    BY_WEEKDAY,       /* a day of week alone: its first day in the month */
    BY_DAY_OF_YEAR,
} date_resolution;

/* Java's BaseCalendar.getDayOfWeekDateOnOrBefore, on epoch days. */
static int64_t weekday_on_or_before(int64_t day, int32_t day_of_week)
{
    int64_t fixed = day + EPOCH_FIXED_DATE;
    return day - floor_mod(fixed - wrap_int32((int64_t)day_of_week - 1), 7);
}

/* GregorianCalendar.getFixedDate in one of the two calendars, as an epoch day. */
static int64_t resolve_day(const parse_state *state, date_resolution resolution, bool julian,
                           int32_t year)
{
    const int32_t *value = state->value;
    int32_t month = 0;
    if (resolution != BY_DAY_OF_YEAR) {
        /* Months beyond the year roll into the years around it. */
        month = value[FIELD_MONTH];
        if (month > 11) {
            year = wrap_int32((int64_t)year + month / 12);
            month %= 12;
        } else if (month < 0) {
            year = wrap_int32((int64_t)year + floor_div(month, 12));
            month = (int32_t)floor_mod(month, 12);
        }
    }
    int64_t day = julian ? days_from_julian(year, month + 1, 1)
                         : days_from_gregorian(year, month + 1, 1);
    switch (resolution) {
    case BY_MONTH_AND_DAY:
        if (state->stamp[FIELD_DAY_OF_MONTH])
            day += (int64_t)value[FIELD_DAY_OF_MONTH] - 1;
        break;
    case BY_WEEKDAY:
        day = weekday_on_or_before(day + 6, value[FIELD_DAY_OF_WEEK]);
        break;
    case BY_DAY_OF_YEAR:
        day += (int64_t)value[FIELD_DAY_OF_YEAR] - 1;
        break;
    }
    return day;
}

static int max_stamp(int a, int b)
{
    return a > b ? a : b;
}

/* The instant the fields stand for, with year_field as YEAR's value. */
static int64_t resolve_instant(const parse_state *state, int32_t year_field)
{
    const int *stamp = state->stamp;
    const int32_t *value = state->value;
    int32_t year = stamp[FIELD_YEAR] ? year_field : 1970;
    if (stamp[FIELD_ERA] && value[FIELD_ERA] == 0) /* BC */
        year = wrap_int32(1 - (int64_t)year);

    /* Calendar.selectFields: the most recently set of the day's fields decides. */
    date_resolution resolution = BY_MONTH_AND_DAY;
    int best = max_stamp(stamp[FIELD_DAY_OF_MONTH], stamp[FIELD_DAY_OF_YEAR]);
    if (best == 0 && stamp[FIELD_DAY_OF_WEEK])
        resolution = BY_WEEKDAY;
    else if (best != 0 && best == stamp[FIELD_DAY_OF_YEAR])
        resolution = BY_DAY_OF_YEAR;

    /* The hour: HOUR_OF_DAY, or HOUR and AM_PM, whichever was set last. */
    int hour_of_day = stamp[FIELD_HOUR_OF_DAY];
    int hour = stamp[FIELD_HOUR] && stamp[FIELD_AM_PM]
                   ? max_stamp(stamp[FIELD_HOUR], stamp[FIELD_AM_PM]) : 0;
    best = max_stamp(hour, hour_of_day);
    if (best == 0)
        best = max_stamp(stamp[FIELD_HOUR], stamp[FIELD_AM_PM]);
    int64_t time_of_day;
    if (best != 0 && best == hour_of_day) {
        time_of_day = value[FIELD_HOUR_OF_DAY];
    } else {
        time_of_day = value[FIELD_HOUR];
        if (best != 0 && stamp[FIELD_AM_PM])
            time_of_day += 12 * (int64_t)value[FIELD_AM_PM];
    }
    time_of_day = ((time_of_day * 60 + value[FIELD_MINUTE]) * 60 + value[FIELD_SECOND]) * 1000 +
                  value[FIELD_MILLISECOND];
    int64_t day_offset = time_of_day / MS_PER_DAY;
    time_of_day %= MS_PER_DAY;
    if (time_of_day < 0) {
        time_of_day += MS_PER_DAY;
        day_offset--;
    }

    /* Which calendar: Julian before the cut-over, counted in Julian days of year in 1582.
     * (Where a date could be both, Java picks by the calendar of its previous computation,
     * Gregorian after a format of any date of our era; this takes Gregorian.) */
    int64_t day;
    if (year > CUTOVER_YEAR) {
        day = day_offset + resolve_day(state, resolution, false, year);
        if (day < CUTOVER_EPOCH_DAY)
            day = day_offset + resolve_day(state, resolution, true, year);
    } else if (year < CUTOVER_YEAR || resolution == BY_DAY_OF_YEAR) {
        day = day_offset + resolve_day(state, resolution, true, year);
    } else {
        day = day_offset + resolve_day(state, resolution, false, year);
        if (day < CUTOVER_EPOCH_DAY)
            day = day_offset + resolve_day(state, resolution, true, year);
    }
    /* Java's long arithmetic wraps for years beyond ±292 million; so does this. */
    int64_t zone = (int64_t)value[FIELD_ZONE_OFFSET] + value[FIELD_DST_OFFSET];
    uint64_t millis = (uint64_t)day * (uint64_t)MS_PER_DAY + (uint64_t)time_of_day -
                      (uint64_t)zone;
    return (int64_t)millis;
}

int java_date_format_parse(const java_date_format *format, const char *text, int64_t *epoch_ms,
                           char *err, size_t errlen)
{
    if (format->parse_refusal[0]) {
        snprintf(err, errlen, "%s", format->parse_refusal);
        return -1;
    }
    parse_state state = {.text = (const unsigned char *)text, .length = strlen(text)};
    size_t pos = 0;
    for (size_t i = 0; i < format->token_count; i++) {
        const date_token *token = &format->tokens[i];
        if (!token->letter) {
            if (state.length - pos < token->count ||
                memcmp(text + pos, format->literals + token->offset, token->count) != 0)
                goto unparseable;
            pos += token->count;
            continue;
        }
        bool obey_count = i + 1 < format->token_count && is_numeric_field(&format->tokens[i + 1]);
        if (!parse_field(&state, format, token, obey_count, &pos))
            goto unparseable;
    }
    /* DateFormat.parse(String) fails when nothing was read (an empty pattern). */
    if (pos == 0)
        goto unparseable;
    int64_t millis = resolve_instant(&state, state.value[FIELD_YEAR]);
    if (state.ambiguous_year && millis < format->two_digit_year_start)
        millis = resolve_instant(&state, wrap_int32((int64_t)state.value[FIELD_YEAR] + 100));
    *epoch_ms = millis;
    return 0;

unparseable:
    snprintf(err, errlen, "Unparseable date: \"%s\"%s", text,
             state.zone_name ? " (a time zone there must be an offset, GMT or UTC: other zone "
                               "names are not supported)"
                             : "");
    return -1;
}
