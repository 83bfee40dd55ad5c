/*
 * java_date_format.h - java.text.SimpleDateFormat patterns as Kafka Connect's TimestampConverter
 * and TimestampRouter use them: `new SimpleDateFormat(pattern)` with the time zone set to UTC,
 * the JVM's default locale taken as English (month and day names "Jan"/"January",
 * "Mon"/"Monday", "AM"/"PM", eras "AD"/"BC"), lenient parsing. The expectations in
 * tests/unit/test_java_date_format.c were checked against OpenJDK 17's SimpleDateFormat.
 *
 * A pattern is read once into tokens, as Java compiles it: a run of one ASCII letter is a field
 * whose count is the run's length; text between single quotes is literal, and '' is one quote
 * inside or outside a quoted section; every other character is literal. Java's own refusals come
 * with Java's messages: "Illegal pattern character 'T'" (an ASCII letter outside
 * G y Y M L w W D d F E u a H k K h m s S z Z X), "Unterminated quote", "invalid ISO 8601
 * format: length=4" (X four times or more).
 *
 * Letters, as formatted (in UTC) and as parsed:
 *   G  era: AD or BC whatever the count; parsed from AD, BC, Anno Domini, Before Christ.
 *   y  year of era: yy is the last two digits, any other count pads to the count (y 2024,
 *      yyyyy 02024). Parsing yy or y with exactly two digits puts the year within 80 years
 *      before and 20 years after the moment the format was compiled (Java: constructed);
 *      java_date_format_set_two_digit_year_start moves that window as set2DigitYearStart does.
 *   M L month: 1 or 2 letters a number, 3 the short name, 4 or more the full name; parsing
 *      takes either name whatever the count, without regard to case.
 *   d D day of month, day of year.    F day of week in month: (days into the month) / 7 + 1.
 *   E  day name: short below 4 letters, full from 4.    u ISO day number, 1 Monday .. 7 Sunday.
 *   a  AM or PM.   H 0-23   k 1-24   K 0-11   h 1-12   m minute   s second.
 *   S  milliseconds as a number padded to the count, not a fraction: SSS is 007 for 7 ms, and
 *      parsing ss.SSS reads "00.5" as 5 ms.
 *   z  the zone's name: UTC below 4 letters, Coordinated Universal Time from 4.
 *   Z  +0000.    X XX XXX  Z (UTC is the zero offset).
 * Numbers are ASCII digits, at least count of them (at most 309, as DecimalFormat pads), never
 * cut but for yy.
 *
 * Refused, with a message naming the letter (the pattern never compiles):
 *   Y week year, w week in year, W week in month, for formatting and parsing: Java counts weeks
 *   by the JVM's locale (its first day of the week and minimal days in the first week differ
 *   between en_US and en_GB), which a Kafka Connect config does not say.
 * Refused for parsing only (java_date_format_compile with for_parsing; a format compiled without
 * it gives the same message from java_date_format_parse):
 *   F  Java resolves a day of week in month alone by the locale's first day of the week.
 *   z  Java looks zone names up in its locale's tables and switches the format to the zone it
 *      finds, for the records after it too; Z and X read offsets.
 *
 * Calendar: Java's GregorianCalendar is Julian before 1582-10-15, and so is this one: the
 * instant 0001-01-01T00:00Z of the proleptic Gregorian calendar formats as 0001-01-03, the day
 * before the cut-over as 1582-10-04, and parsed dates before the cut-over are Julian dates. Any
 * epoch millisecond formats (years beyond 9999 and before year 1 included, BC with G).
 *
 * Parsing is Java's DateFormat.parse(String), lenient:
 *   - the whole pattern must match from the start of the text; text after it is ignored, and a
 *     pattern that matched nothing fails (an empty pattern parses nothing);
 *   - fields start at 1970-01-01T00:00:00.000Z; values out of range roll over (February 30 is
 *     March 2, month 13 the next January, hour 25 the next day);
 *   - spaces and tabs before a number or a zone are skipped, not before a name (G, MMM, E, a)
 *     or literal text;
 *   - a number takes as many digits as there are, or exactly count characters when the next
 *     field is a number too (yyyyMMdd); it may start with '-', and reads as OpenJDK 17's
 *     integer DecimalFormat does: Unicode decimal digits of the Basic Multilingual Plane, an
 *     exponent (12E2; later JDKs differ for exponents beyond a long), NaN as 0, and the result
 *     cut to an int (a Long's low 32 bits, a Double saturated);
 *   - literal text must match character for character (OpenJDK 17: JDK 20 and later also let
 *     any space separator match another, which this does not);
 *   - Z reads +hhmm, GMT, GMT+h:mm and GMT+hh:mm, and the names UTC and Coordinated Universal
 *     Time (any case); X reads Z or +hh, +hhmm, +hh:mm by its count. Other zone names fail
 *     with a message saying so: Java would switch to the zone it finds (see z above).
 * Java reads the two-digit-year window in the JVM's default time zone; this reads it in UTC.
 *
 * No global state: no TZ, no locale. Once set up, a compiled format is only read, and threads
 * may share it.
 */
#ifndef FERRY_JAVA_DATE_FORMAT_H
#define FERRY_JAVA_DATE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/strbuf.h"

typedef struct java_date_format java_date_format;

/* Compiles pattern (UTF-8, NUL-terminated). for_parsing refuses also the letters this parser
 * does not implement (see above). NULL with a message in err (Java's message where Java refuses
 * the pattern) when the pattern is refused or memory runs out. The two-digit-year window starts
 * 80 years before now. */
java_date_format *java_date_format_compile(const char *pattern, bool for_parsing, char *err,
                                           size_t errlen);

/* The pattern as given (Java's toPattern()), owned by the format. */
const char *java_date_format_pattern(const java_date_format *format);

/* Moves the start of the 100-year window two-digit years are parsed into (Java's
 * set2DigitYearStart). */
void java_date_format_set_two_digit_year_start(java_date_format *format, int64_t epoch_ms);

/* Appends the UTC date and time of epoch_ms as the pattern says. 0, or -1 when out of memory
 * (out is then failed, see strbuf.h). */
int java_date_format_format(const java_date_format *format, int64_t epoch_ms, strbuf *out);

/* Parses text (UTF-8, NUL-terminated) into *epoch_ms. 0, or -1 with Java's message
 * `Unparseable date: "<text>"` (with the reason when it is a zone name this does not read), or
 * the refusal of a letter when the format was compiled without for_parsing. */
int java_date_format_parse(const java_date_format *format, const char *text, int64_t *epoch_ms,
                           char *err, size_t errlen);

void java_date_format_free(java_date_format *format); /* accepts NULL */

#endif
