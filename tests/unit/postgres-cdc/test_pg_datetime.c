/* pg_datetime: dates, times, timestamps (with and without time zone) and intervals in every
 * time.precision.mode and interval.handling.mode, with their schemas, bad text with a clear
 * message, and the calendar arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_datetime.h"
#include "pg_types.h"
#include "type_check.h"

static void test_dates_and_times(void **state)
{
    (void)state;
    CHECK_VALUE("0", PG_OID_DATE, -1, "1970-01-01");
    CHECK_VALUE("19737", PG_OID_DATE, -1, "2024-01-15");
    CHECK_VALUE("-719528", PG_OID_DATE, -1, "0001-01-01 BC");
    /* Debezium's values for infinity (PostgreSQL's markers moved to 1970 in 32 bits) */
    CHECK_VALUE("-2147472692", PG_OID_DATE, -1, "infinity");
    CHECK_VALUE("-2147472691", PG_OID_DATE, -1, "-infinity");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\","
                 "\"version\":1}",
                 PG_OID_DATE, -1, true);
    /* time: default precision is microseconds */
    CHECK_VALUE("37230500000", PG_OID_TIME, -1, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\","
                 "\"version\":1}",
                 PG_OID_TIME, -1, true);
    CHECK_VALUE("37230500", PG_OID_TIME, 3, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Time\","
                 "\"version\":1}",
                 PG_OID_TIME, 3, true);
    CHECK_VALUE("86400000000", PG_OID_TIME, -1, "24:00:00");
    /* timetz: normalised to UTC */
    CHECK_VALUE("\"08:15:30.25Z\"", PG_OID_TIMETZ, -1, "10:15:30.25+02");
    CHECK_VALUE("\"23:30:00Z\"", PG_OID_TIMETZ, -1, "01:00:00+01:30");
    /* timestamp */
    CHECK_VALUE("1705314645123456", PG_OID_TIMESTAMP, -1, "2024-01-15 10:30:45.123456");
    CHECK_VALUE("1705314645123", PG_OID_TIMESTAMP, 3, "2024-01-15 10:30:45.123");
    CHECK_VALUE("-62135596800000000", PG_OID_TIMESTAMP, -1, "0001-01-01 00:00:00");
    /* Debezium's values for infinity: the JDBC driver's markers, a thousandth of them in ms */
    CHECK_VALUE("9223372036825200000", PG_OID_TIMESTAMP, -1, "infinity");
    CHECK_VALUE("-9223372036832400000", PG_OID_TIMESTAMP, -1, "-infinity");
    CHECK_VALUE("9223372036825200", PG_OID_TIMESTAMP, 3, "infinity");
    CHECK_VALUE("-9223372036832400", PG_OID_TIMESTAMP, 3, "-infinity");
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":false,\"name\":\"io.debezium.time."
                 "MicroTimestamp\",\"version\":1}",
                 PG_OID_TIMESTAMP, -1, false);
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":false,\"name\":\"io.debezium.time.Timestamp\","
                 "\"version\":1}",
                 PG_OID_TIMESTAMP, 0, false);
    /* timestamptz: UTC, the column's fractional digits */
    CHECK_VALUE("\"2024-01-15T10:30:45.123000Z\"", PG_OID_TIMESTAMPTZ, -1,
                "2024-01-15 10:30:45.123+00");
    CHECK_VALUE("\"2024-01-15T08:30:45.100Z\"", PG_OID_TIMESTAMPTZ, 3,
                "2024-01-15 10:30:45.1+02");
    CHECK_VALUE("\"2024-01-15T10:30:45Z\"", PG_OID_TIMESTAMPTZ, 0, "2024-01-15 10:30:45+00");
    CHECK_VALUE("\"-0043-03-15T12:00:00.000000Z\"", PG_OID_TIMESTAMPTZ, -1,
                "0044-03-15 12:00:00+00 BC");
    CHECK_VALUE("\"+10000-01-01T00:00:00.000000Z\"", PG_OID_TIMESTAMPTZ, -1,
                "10000-01-01 00:00:00+00");
    CHECK_VALUE("\"infinity\"", PG_OID_TIMESTAMPTZ, -1, "infinity");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time."
                 "ZonedTimestamp\",\"version\":1}",
                 PG_OID_TIMESTAMPTZ, -1, true);
    char *bad = type_check_convert(NULL, PG_OID_TIMESTAMP, -1, "2024-13-01 00:00:00");
    assert_string_equal(bad,
                        "ERROR: cannot read '2024-13-01 00:00:00' as a timestamp (YYYY-MM-DD "
                        "HH:MM:SS[.ffffff])");
    free(bad);
    /* Past PostgreSQL's last timestamp (year 294276) the µs would overflow: refused. */
    bad = type_check_convert(NULL, PG_OID_TIMESTAMPTZ, -1, "112024242-02-03 04:34:56+00");
    assert_non_null(strstr(bad, "cannot read '112024242-02-03 04:34:56+00' as"));
    free(bad);
}

static void test_time_modes(void **state)
{
    (void)state;
    type_check_options.time = PG_TIME_CONNECT;
    CHECK_VALUE("37230500", PG_OID_TIME, -1, "10:20:30.5");
    CHECK_VALUE("9223372036825200", PG_OID_TIMESTAMP, -1, "infinity");
    CHECK_VALUE("-9223372036832400", PG_OID_TIMESTAMP, -1, "-infinity");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data."
                 "Time\",\"version\":1}",
                 PG_OID_TIME, -1, true);
    CHECK_VALUE("1705314645123", PG_OID_TIMESTAMP, -1, "2024-01-15 10:30:45.123456");
    CHECK_SCHEMA("{\"type\":\"int32\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data."
                 "Date\",\"version\":1}",
                 PG_OID_DATE, -1, true);
    type_check_options.time = PG_TIME_ADAPTIVE_MICROSECONDS;
    CHECK_VALUE("37230500000", PG_OID_TIME, 2, "10:20:30.5");
    CHECK_SCHEMA("{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\","
                 "\"version\":1}",
                 PG_OID_TIME, 2, true);
}

static void test_intervals(void **state)
{
    (void)state;
    /* 1 day 2 h = 93600 s */
    CHECK_VALUE("93600000000", PG_OID_INTERVAL, -1, "P1DT2H");
    /* a month is 30.4375 days */
    CHECK_VALUE("2629800000000", PG_OID_INTERVAL, -1, "P1M");
    CHECK_VALUE("-1500000", PG_OID_INTERVAL, -1, "PT-1.5S");
    CHECK_VALUE("0", PG_OID_INTERVAL, -1, "PT0S");
    /* Past 2^63 µs (PostgreSQL allows 178 million years): Java's (long) saturates. */
    CHECK_VALUE("9223372036854775807", PG_OID_INTERVAL, -1, "P178000000Y");
    CHECK_VALUE("-9223372036854775808", PG_OID_INTERVAL, -1, "P-178000000Y");
    CHECK_VALUE("9223372036854775807", PG_OID_INTERVAL, -1, "P9223372036854775807Y");
    type_check_options.interval = PG_INTERVAL_STRING;
    CHECK_VALUE("\"P1Y2M3DT4H5M6.78S\"", PG_OID_INTERVAL, -1, "P1Y2M3DT4H5M6.78S");
    CHECK_VALUE("\"P0Y0M0DT0H0M0S\"", PG_OID_INTERVAL, -1, "PT0S");
    CHECK_VALUE("\"P0Y0M0DT0H0M10S\"", PG_OID_INTERVAL, -1, "PT10.000S");
    CHECK_SCHEMA("{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.Interval\","
                 "\"version\":1}",
                 PG_OID_INTERVAL, -1, true);
    char *bad = type_check_convert(NULL, PG_OID_INTERVAL, -1, "1 day");
    assert_string_equal(bad, "ERROR: cannot read '1 day' as an ISO 8601 interval");
    free(bad);
}

static void test_calendar(void **state)
{
    (void)state;
    assert_int_equal(pg_datetime_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(pg_datetime_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(pg_datetime_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(pg_datetime_days_from_civil(0, 1, 1), -719528);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_dates_and_times, type_check_reset),
        cmocka_unit_test_setup(test_time_modes, type_check_reset),
        cmocka_unit_test_setup(test_intervals, type_check_reset),
        cmocka_unit_test_setup(test_calendar, type_check_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
