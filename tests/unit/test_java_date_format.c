/*
 * test_java_date_format.c - SimpleDateFormat patterns against what Java prints and parses for
 * the same pattern and text. Every expected value below is the output of OpenJDK 17's
 * `new SimpleDateFormat(pattern)` with setTimeZone(UTC) (default locale English), run for this
 * table; none is derived by hand. Where ferry deliberately differs (letters it refuses, zone names
 * it does not read), the test says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "transforms/java_date_format.h"

/* 2024-03-05T07:08:09.012Z, a Tuesday morning, and 2001-12-30T23:04:05.678Z, a Sunday night. */
#define MORNING INT64_C(1709622489012)
#define NIGHT INT64_C(1009753445678)

static java_date_format *compile(const char *pattern, bool for_parsing)
{
    char err[256] = "";
    java_date_format *format = java_date_format_compile(pattern, for_parsing, err, sizeof(err));
    if (!format)
        fail_msg("pattern \"%s\" refused: %s", pattern, err);
    return format;
}

static void check_format(const char *pattern, int64_t epoch_ms, const char *expected)
{
    java_date_format *format = compile(pattern, false);
    strbuf out = {0};
    assert_int_equal(java_date_format_format(format, epoch_ms, &out), 0);
    if (strcmp(out.data ? out.data : "", expected) != 0)
        fail_msg("\"%s\" at %" PRId64 ": \"%s\", Java \"%s\"", pattern, epoch_ms,
                 out.data ? out.data : "", expected);
    strbuf_free(&out);
    java_date_format_free(format);
}

static void check_refused(const char *pattern, bool for_parsing, const char *message)
{
    char err[256] = "";
    assert_null(java_date_format_compile(pattern, for_parsing, err, sizeof(err)));
    if (strncmp(err, message, strlen(message)) != 0)
        fail_msg("\"%s\": \"%s\", expected \"%s\"", pattern, err, message);
}

/* Parses with two-digit years placed from window_start on (Java's set2DigitYearStart). */
static void check_parse_in(const char *pattern, const char *text, int64_t window_start,
                           int64_t expected)
{
    java_date_format *format = compile(pattern, true);
    java_date_format_set_two_digit_year_start(format, window_start);
    char err[256] = "";
    int64_t epoch_ms = 0;
    if (java_date_format_parse(format, text, &epoch_ms, err, sizeof(err)) != 0)
        fail_msg("\"%s\" on \"%s\": %s", pattern, text, err);
    if (epoch_ms != expected)
        fail_msg("\"%s\" on \"%s\": %" PRId64 ", Java %" PRId64, pattern, text, epoch_ms,
                 expected);
    java_date_format_free(format);
}

static void check_parse(const char *pattern, const char *text, int64_t expected)
{
    check_parse_in(pattern, text, 0, expected);
}

/* Java's ParseException message, and what ferry adds to it (may be ""). */
static void check_unparseable(const char *pattern, const char *text, const char *note)
{
    java_date_format *format = compile(pattern, true);
    char err[512] = "", expected[512];
    int64_t epoch_ms = 0;
    assert_int_equal(java_date_format_parse(format, text, &epoch_ms, err, sizeof(err)), -1);
    snprintf(expected, sizeof(expected), "Unparseable date: \"%s\"%s", text, note);
    assert_string_equal(err, expected);
    java_date_format_free(format);
}

static void test_format_letters(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *morning, *night;
    } cases[] = {
        {"G", "AD", "AD"},
        {"GGGG", "AD", "AD"},
        {"y", "2024", "2001"},
        {"yy", "24", "01"},
        {"yyy", "2024", "2001"},
        {"yyyy", "2024", "2001"},
        {"yyyyy", "02024", "02001"},
        {"M", "3", "12"},
        {"MM", "03", "12"},
        {"MMM", "Mar", "Dec"},
        {"MMMM", "March", "December"},
        {"MMMMM", "March", "December"},
        {"L", "3", "12"},
        {"LL", "03", "12"},
        {"LLL", "Mar", "Dec"},
        {"LLLL", "March", "December"},
        {"d", "5", "30"},
        {"dd", "05", "30"},
        {"ddd", "005", "030"},
        {"D", "65", "364"},
        {"DDD", "065", "364"},
        {"DDDD", "0065", "0364"},
        {"F", "1", "5"},
        {"FF", "01", "05"},
        {"E", "Tue", "Sun"},
        {"EEE", "Tue", "Sun"},
        {"EEEE", "Tuesday", "Sunday"},
        {"EEEEE", "Tuesday", "Sunday"},
        {"u", "2", "7"},
        {"uu", "02", "07"},
        {"a", "AM", "PM"},
        {"aaaa", "AM", "PM"},
        {"H", "7", "23"},
        {"HH", "07", "23"},
        {"k", "7", "23"},
        {"kk", "07", "23"},
        {"K", "7", "11"},
        {"KK", "07", "11"},
        {"h", "7", "11"},
        {"hh", "07", "11"},
        {"m", "8", "4"},
        {"mm", "08", "04"},
        {"s", "9", "5"},
        {"ss", "09", "05"},
        {"S", "12", "678"},
        {"SS", "12", "678"},
        {"SSS", "012", "678"},
        {"SSSS", "0012", "0678"},
        {"SSSSSS", "000012", "000678"},
        {"z", "UTC", "UTC"},
        {"zzz", "UTC", "UTC"},
        {"zzzz", "Coordinated Universal Time", "Coordinated Universal Time"},
        {"Z", "+0000", "+0000"},
        {"ZZZZ", "+0000", "+0000"},
        {"X", "Z", "Z"},
        {"XX", "Z", "Z"},
        {"XXX", "Z", "Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_format(cases[i].pattern, MORNING, cases[i].morning);
        check_format(cases[i].pattern, NIGHT, cases[i].night);
    }
    /* Midnight and noon: k counts 1-24, h 1-12, K 0-11. */
    check_format("k kk h K a", INT64_C(1709596800000), "24 24 12 0 AM");
    check_format("k kk h K a", INT64_C(1709640000000), "12 12 12 0 PM");
    /* DecimalFormat pads to 309 digits at most. */
    char pattern[400], expected[400];
    memset(pattern, 'y', 320);
    pattern[320] = '\0';
    memset(expected, '0', 305);
    strcpy(expected + 305, "1970");
    check_format(pattern, 0, expected);
}

static void test_format_patterns(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *java;
    } cases[] = {
        {"yyyyMMdd", "20240305"},
        {"yyyy-MM-dd", "2024-03-05"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2024-03-05T07:08:09.012+0000"},
        {"yyyy-MM-dd HH:mm:ss", "2024-03-05 07:08:09"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-05T07:08:09.012Z"},
        {"EEE, d MMM yyyy HH:mm:ss Z", "Tue, 5 Mar 2024 07:08:09 +0000"},
        {"hh 'o''clock' a, zzzz", "07 o'clock AM, Coordinated Universal Time"},
        {"yyyy.MM.dd G 'at' HH:mm:ss z", "2024.03.05 AD at 07:08:09 UTC"},
        {"EEE, MMM d, ''yy", "Tue, Mar 5, '24"},
        {"h:mm a", "7:08 AM"},
        {"K:mm a, z", "7:08 AM, UTC"},
        {"yyyyy.MMMMM.dd GGG hh:mm aaa", "02024.March.05 AD 07:08 AM"},
        {"yyMMddHHmmssZ", "240305070809+0000"},
        /* Quotes: '' is a quote inside and outside quoted text, which stays as written. */
        {"'o''clock'", "o'clock"},
        {"''", "'"},
        {"yy''yy", "24'24"},
        {"'yyyy'", "yyyy"},
        {"hh'h'mm", "07h08"},
        {"yyyy-MM-dd HH:mm:ss ''", "2024-03-05 07:08:09 '"},
        {"\xC3\xA9 yyyy", "\xC3\xA9 2024"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_format(cases[i].pattern, MORNING, cases[i].java);
}

static void test_format_far_instants(void **state)
{
    (void)state;
    check_format("yyyy-MM-dd'T'HH:mm:ss.SSSZ", -1, "1969-12-31T23:59:59.999+0000");
    check_format("yyyy-MM-dd'T'HH:mm:ss.SSSZ", INT64_C(-86400001), "1969-12-30T23:59:59.999+0000");
    check_format("G yyyy-MM-dd HH:mm:ss.SSS EEE D", INT64_MAX,
                 "AD 292278994-08-17 07:12:55.807 Sun 229");
    check_format("G yyyy-MM-dd HH:mm:ss.SSS EEE D", INT64_MIN,
                 "BC 292269055-12-02 16:47:04.192 Sun 336");
    check_format("yyyy-MM-dd yy", INT64_C(253402300800000), "10000-01-01 00");
    check_format("yyyy-MM-dd yy", INT64_C(316224000000000), "11990-09-28 90");
    /* Julian before 1582-10-15: proleptic Gregorian 0001-01-01 is the Julian 0001-01-03, and
     * October 1582 lost ten days (the 15th is its fifth day, hence F 1). */
    check_format("G yyyy-MM-dd EEE D", INT64_C(-62135596800000), "AD 0001-01-03 Mon 3");
    check_format("G yyyy-MM-dd EEE D", INT64_C(-62135769600000), "AD 0001-01-01 Sat 1");
    check_format("G yyyy-MM-dd EEE D F", INT64_C(-12219292800000), "AD 1582-10-15 Fri 278 1");
    check_format("G yyyy-MM-dd EEE D F", INT64_C(-12219292800001), "AD 1582-10-04 Thu 277 1");
    check_format("G yyyy-MM-dd EEE D F", INT64_C(-12218515200000), "AD 1582-10-24 Sun 287 2");
    check_format("G yyyy-MM-dd", INT64_C(-62167219200000), "BC 0001-01-03");
    check_format("G y yy yyyy", INT64_C(-62198755200000), "BC 2 02 0002");
}

static void test_compile_errors(void **state)
{
    (void)state;
    /* Java's IllegalArgumentException messages. */
    check_refused("yyyy-MM-ddTHH", false, "Illegal pattern character 'T'");
    check_refused("yyyy-MM-dd HH:mm:ss.SSSq", false, "Illegal pattern character 'q'");
    check_refused("'abc", false, "Unterminated quote");
    check_refused("yyyy'T", false, "Unterminated quote");
    check_refused("yyyy-MM-dd HH:mm:ss'", false, "Unterminated quote");
    check_refused("XXXX", false, "invalid ISO 8601 format: length=4");
    check_refused("yyyy-MM-dd'T'HH:mmXXXXX", true, "invalid ISO 8601 format: length=5");
    /* Java's first error wins: the illegal letter comes before the run of X ends. */
    check_refused("XXXXT", false, "Illegal pattern character 'T'");
    /* Refused by ferry: Java would print 2020-01-01 for YYYY-MM-dd (and ww 01, W 1 at the epoch)
     * with en_US weeks, other values with another JVM locale's. */
    check_refused("YYYY-MM-dd", false, "pattern letter 'Y' (week year) is not supported");
    check_refused("YYYY-MM-dd", true, "pattern letter 'Y' (week year) is not supported");
    check_refused("ww", false, "pattern letter 'w' (week in year) is not supported");
    check_refused("W", true, "pattern letter 'W' (week in month) is not supported");
    /* Letters inside quotes are text. */
    check_format("'YYYY ww W'", 0, "YYYY ww W");
}

static void test_parse_refusals(void **state)
{
    (void)state;
    check_format("F z", 0, "1 UTC");
    check_refused("yyyy-MM F", true, "pattern letter 'F' (day of week in month) is not "
                                     "supported for parsing");
    check_refused("yyyy-MM-dd HH:mm z", true, "pattern letter 'z' (time zone name) is not "
                                              "supported for parsing");
    /* Compiled for formatting, the same pattern says why when asked to parse. */
    java_date_format *format = compile("yyyy-MM-dd HH:mm z", false);
    char err[256] = "";
    int64_t epoch_ms = 0;
    assert_int_equal(java_date_format_parse(format, "2024-01-05 10:00 UTC", &epoch_ms, err,
                                            sizeof(err)), -1);
    assert_non_null(strstr(err, "'z' (time zone name) is not supported for parsing"));
    java_date_format_free(format);
    java_date_format_free(NULL);
}

static void test_parse_round_trips(void **state)
{
    (void)state;
    static const char *const patterns[] = {
        "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyyMMddHHmmssSSS",
        "G yyyy-MM-dd HH:mm:ss.SSS", "EEE, d MMM yyyy HH:mm:ss.SSS Z",
        "G yyyy-DDD hh:mm:ss.SSS a", "yyyy-MM-dd kk:mm:ss.SSS",
    };
    static const int64_t instants[] = {
        0, -1, MORNING, NIGHT, INT64_C(253402300800000), INT64_C(-62135596800000),
        INT64_C(-12219292800001), INT64_C(-12219292800000), INT64_C(-62198755200000),
    };
    for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
        java_date_format *format = compile(patterns[p], true);
        for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
            /* Without G a year before 1 does not read back, nor a five-digit year through
             * yyyyMMdd, which reads four digits: in Java neither. */
            if (instants[i] < INT64_C(-62135769600000) && !strchr(patterns[p], 'G'))
                continue;
            if (instants[i] >= INT64_C(253402300800000) && !strchr(patterns[p], '-'))
                continue;
            strbuf text = {0};
            assert_int_equal(java_date_format_format(format, instants[i], &text), 0);
            char err[256] = "";
            int64_t parsed = 0;
            if (java_date_format_parse(format, text.data, &parsed, err, sizeof(err)) != 0)
                fail_msg("\"%s\": %s", patterns[p], err);
            if (parsed != instants[i])
                fail_msg("\"%s\": %" PRId64 " -> \"%s\" -> %" PRId64, patterns[p], instants[i],
                         text.data, parsed);
            strbuf_free(&text);
        }
        java_date_format_free(format);
    }
}

static void test_parse_lenient(void **state)
{
    (void)state;
    /* Out-of-range fields roll over. */
    check_parse("yyyy-MM-dd", "2021-02-30", INT64_C(1614643200000));  /* 2021-03-02 */
    check_parse("yyyy-MM-dd", "2021-13-01", INT64_C(1640995200000));  /* 2022-01-01 */
    check_parse("yyyy-MM-dd", "2021-00-00", INT64_C(1606694400000));  /* 2020-11-30 */
    check_parse("yyyy-MM-dd", "2021-01--1", INT64_C(1609286400000));  /* 2020-12-30 */
    check_parse("yyyy-MM-dd HH:mm:ss", "2021-01-01 25:61:61", INT64_C(1609552921000));
    check_parse("yyyy-MM-dd HH:mm:ss", "2021-01-01 -1:00:00", INT64_C(1609455600000));
    /* S is a count of milliseconds, not a fraction. */
    check_parse("ss.SSS", "00.5", 5);
    check_parse("ss.SSS", "00.1500", 1500);
    /* Missing fields are the epoch's. */
    check_parse("HH:mm", "10:30", INT64_C(37800000));
    /* Text after the pattern is ignored; a number takes all its digits. */
    check_parse("yyyy-MM-dd", "2024-01-31T10:00:00", INT64_C(1706659200000));
    check_parse("yyyy-MM-dd", "2024-01-3", INT64_C(1704240000000));
    check_parse("yyyy-M-d", "2024-1-5", INT64_C(1704412800000));
    check_parse("yyyy-M-d", "2024-01-05", INT64_C(1704412800000));
    /* A number followed by a number reads exactly its count of characters. */
    check_parse("yyyyMMdd", "20240131", INT64_C(1706659200000));
    check_parse("yyyyMMdd", "2024131", INT64_C(1735689600000)); /* month 13, day 1 */
    check_parse("yyyyMMddHHmmss", "20240131235959", INT64_C(1706745599000));
    /* Spaces before a number are skipped, not before a literal or a name. */
    check_parse("yyyy-MM-dd", " 2024-01-05", INT64_C(1704412800000));
    check_parse("yyyy-MM-dd", "2024-  01-05", INT64_C(1704412800000));
    check_unparseable("yyyy-MM-dd", "2024 -01-05", "");
    check_unparseable("MMM dd", " Jan 05", "");
}

static void test_parse_zones(void **state)
{
    (void)state;
    const char *iso = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";
    check_parse(iso, "2024-03-05T07:08:09.012+0000", MORNING);
    check_parse(iso, "2024-03-05T07:08:09.012+0100", MORNING - 3600000);
    check_parse(iso, "2024-03-05T07:08:09.012-0130", MORNING + 5400000);
    check_parse(iso, "2024-03-05T07:08:09.012GMT", MORNING);
    check_parse(iso, "2024-03-05T07:08:09.012GMT+1:30", MORNING - 5400000);
    check_parse(iso, "2024-03-05T07:08:09.012gmt-01:30", MORNING + 5400000);
    check_parse(iso, "2024-03-05T07:08:09.012UTC", MORNING);
    check_parse(iso, "2024-03-05T07:08:09.012coordinated universal time", MORNING);
    check_unparseable(iso, "2024-03-05T07:08:09.012+01:00", "");
    check_unparseable(iso, "2024-03-05T07:08:09.012GMT+1", "");
    check_unparseable(iso, "2024-03-05T07:08:09.012+2400", "");
    check_unparseable(iso, "2024-03-05T07:08:09.012+0060", "");
    /* Java reads PST as America/Los_Angeles (1704478272345 for this text) and formats and parses
     * in that zone from then on; ferry refuses the name. */
    check_unparseable(iso, "2024-03-05T07:08:09.012PST",
                      " (a time zone there must be an offset, GMT or UTC: other zone names are "
                      "not supported)");
    check_parse("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2024-03-05T07:08:09.012Z", MORNING);
    check_parse("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2024-03-05T07:08:09.012+01", MORNING - 3600000);
    check_parse("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2024-03-05T07:08:09.012+0130", MORNING - 3600000);
    check_parse("yyyy-MM-dd'T'HH:mm:ss.SSSXX", "2024-03-05T07:08:09.012-0130", MORNING + 5400000);
    check_parse("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-05T07:08:09.012+01:30",
                MORNING - 5400000);
    check_unparseable("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-05T07:08:09.012+0130", "");
    check_unparseable("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2024-03-05T07:08:09.012z", "");
}

static void test_parse_numbers(void **state)
{
    (void)state;
    /* Java's integer DecimalFormat: exponents, NaN, the first '.' or ',' ends the number. */
    check_parse("yyyy", "2E3", INT64_C(946684800000));
    check_parse("yyyy", "12E2", INT64_C(-24298272000000));
    check_parse("yyyy", "15E-1", INT64_C(-62135769600000));
    check_parse("yyyy", "2024.5", INT64_C(1704067200000));
    check_parse("yyyy", "1,000", INT64_C(-62135769600000));
    check_parse("yyyy", "NaN", INT64_C(-62167392000000));
    check_parse("yyyy", "-2024", INT64_C(-126039974400000));
    check_unparseable("yyyy", "+2024", "");
    /* intValue(): a Long's low 32 bits, a Double (or ∞) saturated, and Java's long arithmetic
     * wrapping past year 292 million. */
    check_parse("yyyy", "99999999999", INT64_C(1471883220702496768));
    check_parse("yyyy", "\xE2\x88\x9E", INT64_C(-6019000092841406464));
    check_parse("yyyyMMdd", "2E300101", INT64_C(-6019000092841406464));
    /* Decimal digits of other scripts in the Basic Multilingual Plane, not beyond it. */
    check_parse("yyyy-MM-dd", "\xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA4-\xD9\xA0\xD9\xA1-\xD9\xA0\xD9\xA5",
                INT64_C(1704412800000));
    check_unparseable("yyyy-MM-dd",
                      "\xF0\x9D\x9F\x90\xF0\x9D\x9F\x8E\xF0\x9D\x9F\x90\xF0\x9D\x9F\x92-01-05", "");
}

static void test_parse_names(void **state)
{
    (void)state;
    /* Full or short names whatever the count, without regard to case. */
    check_parse("MMM yyyy", "january 2020", INT64_C(1577836800000));
    check_parse("MMMM yyyy", "JAN 2020", INT64_C(1577836800000));
    check_parse("LLL yyyy", "June 2020", INT64_C(1590969600000));
    check_unparseable("MMM yyyy", "Sept 2020", "");
    /* Java's case-insensitive comparison makes U+017F an 's' and U+0130 an 'i'. */
    check_parse("EEEE MMMM yyyy", "\xC5\xBFunday augu\xC5\xBFt 2020", INT64_C(1596326400000));
    check_parse("EEEE MMMM yyyy", "FR\xC4\xB0" "DAY May 2020", INT64_C(1588291200000));
    check_parse("G yyyy", "Before Christ 2020", INT64_C(-125882121600000));
    check_parse("G yyyy", "bc 2020", INT64_C(-125882121600000));
    check_parse("G yyyy", "AD 2020", INT64_C(1577836800000));
    check_unparseable("G yyyy", "BCE 2020", "");
    /* Hours: h 12 and k 24 are 0; h without a is AM; H wins over a. */
    check_parse("a hh", "pm 05", INT64_C(61200000));
    check_parse("hh", "12", 0);
    check_parse("kk", "24", 0);
    check_parse("hh a", "12 AM", 0);
    check_parse("hh a", "12 PM", INT64_C(43200000));
    check_parse("KK a", "11 PM", INT64_C(82800000));
    check_parse("HH a", "11 PM", INT64_C(39600000));
    check_parse("a", "PM", INT64_C(43200000));
}

static void test_parse_day_fields(void **state)
{
    (void)state;
    /* A day of week alone is its first day in the month; with a day of month it is ignored. */
    check_parse("E yyyy", "Tuesday 2020", INT64_C(1578355200000));           /* 2020-01-07 */
    check_parse("EEEE MMMM yyyy", "Sunday July 2020", INT64_C(1593907200000)); /* 2020-07-05 */
    check_parse("yyyy-MM-dd E", "2024-01-05 Mon", INT64_C(1704412800000));
    check_parse("yyyy-MM u", "2024-01 1", INT64_C(1704067200000));
    /* Day of year and day of month: the later in the pattern wins. */
    check_parse("yyyy-DDD", "2024-060", INT64_C(1709164800000));
    check_parse("yyyy-MM-dd DDD", "2024-01-05 060", INT64_C(1709164800000));
    check_parse("DDD yyyy-MM-dd", "060 2024-01-05", INT64_C(1704412800000));
}

static void test_parse_julian(void **state)
{
    (void)state;
    check_parse("G yyyy-MM-dd", "AD 1582-10-04", INT64_C(-12219379200000));
    check_parse("G yyyy-MM-dd", "AD 1582-10-15", INT64_C(-12219292800000));
    /* The ten days that never were read as Julian dates: 1582-10-20. */
    check_parse("G yyyy-MM-dd", "AD 1582-10-10", INT64_C(-12218860800000));
    check_parse("G yyyy-MM-dd", "AD 0001-01-01", INT64_C(-62135769600000));
    check_parse("G yyyy-MM-dd", "BC 0001-12-31", INT64_C(-62135856000000));
    check_parse("yyyy-DDD", "1582-288", INT64_C(-12218428800000));
}

static void test_parse_two_digit_years(void **state)
{
    (void)state;
    /* Window from 1970-01-01: 00-69 are 2000-2069, 70-99 1970-1999. */
    check_parse_in("yy-MM-dd", "24-01-05", 0, INT64_C(1704412800000));
    check_parse_in("yy-MM-dd", "69-01-05", 0, INT64_C(3124569600000));
    check_parse_in("yy-MM-dd", "70-01-05", 0, INT64_C(345600000));
    check_parse_in("yyMMdd", "240105", 0, INT64_C(1704412800000));
    check_parse_in("yy-MM-dd", "\xD9\xA2\xD9\xA4-01-05", 0, INT64_C(1704412800000));
    /* Anything but two digits is the year as written, and so is any year with yyy or more. */
    check_parse_in("yy-MM-dd", "5-01-05", 0, INT64_C(-62009193600000));
    check_parse_in("yy-MM-dd", "-1-01-05", 0, INT64_C(-62198582400000));
    check_parse_in("yy-MM-dd", "2024-01-05", 0, INT64_C(1704412800000));
    check_parse_in("yyyy-MM-dd", "24-01-05", 0, INT64_C(-61409664000000));
    /* Window from 1970-06-15: the year 70 is 1970 from that day on, 2070 before it. */
    int64_t june = INT64_C(14256000000);
    check_parse_in("yy-MM-dd", "70-06-14", june, INT64_C(3169929600000));
    check_parse_in("yy-MM-dd", "70-06-16", june, INT64_C(14342400000));
    check_parse_in("yy-MM-dd'T'HH:mm", "70-06-15T00:00", june, june);
    check_parse_in("yy-MM-dd'T'HH:mm", "70-06-14T23:59", june, INT64_C(3170015940000));
    /* The window of a new format starts 80 years before now: 00 is 2000 and 99 1999 for any
     * "now" between 2020 and 2079. */
    java_date_format *format = compile("yy", true);
    char err[256];
    int64_t epoch_ms;
    assert_int_equal(java_date_format_parse(format, "00", &epoch_ms, err, sizeof(err)), 0);
    assert_int_equal(epoch_ms, INT64_C(946684800000));
    assert_int_equal(java_date_format_parse(format, "99", &epoch_ms, err, sizeof(err)), 0);
    assert_int_equal(epoch_ms, INT64_C(915148800000));
    java_date_format_free(format);
}

static void test_parse_errors(void **state)
{
    (void)state;
    check_unparseable("yyyy-MM-dd", "2024-01-", "");
    check_unparseable("yyyy-MM-dd", "x2024-01-05", "");
    check_unparseable("yyyy", "", "");
    /* An empty pattern matches nothing, which DateFormat.parse(String) refuses. */
    check_unparseable("", "x", "");
    java_date_format *format = compile("yyyy-MM-dd'T'HH:mm", true);
    assert_string_equal(java_date_format_pattern(format), "yyyy-MM-dd'T'HH:mm");
    java_date_format_free(format);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_letters),
        cmocka_unit_test(test_format_patterns),
        cmocka_unit_test(test_format_far_instants),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_parse_round_trips),
        cmocka_unit_test(test_parse_lenient),
        cmocka_unit_test(test_parse_zones),
        cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_parse_day_fields),
        cmocka_unit_test(test_parse_julian),
        cmocka_unit_test(test_parse_two_digit_years),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
