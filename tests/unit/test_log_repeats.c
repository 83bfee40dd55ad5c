/*
 * test_log_repeats.c - log.c's repeat limit, driven by a fake clock: a line repeated within the
 * interval is written once, its count goes out when the interval ends, when another line is
 * written or at a flush, never lost; and the secrets a connector registers, hidden in its lines,
 * in the worker's and in log_redact, with the password of any URL or connection string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/log.h"

static FILE *sink;
static int64_t fake_now_ms;
/* What log_read returned last (freed by its next call), and where it stopped. */
static char *written;
static long read_from;

static int64_t fake_clock(void)
{
    return fake_now_ms;
}

static int setup(void **state)
{
    (void)state;
    sink = tmpfile();
    assert_non_null(sink);
    fake_now_ms = 1000000;
    read_from = 0;
    log_configure(sink, FERRY_LOG_INFO);
    log_repeat_configure(5000, fake_clock);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_configure(stderr, FERRY_LOG_INFO);
    log_repeat_configure(LOG_REPEAT_INTERVAL_MS, NULL);
    fclose(sink);
    return 0;
}


static const char *log_read(void)
{
    fflush(sink);
    long end = ftell(sink);
    free(written);
    written = calloc(1, (size_t)(end - read_from) + 1);
    assert_non_null(written);
    fseek(sink, read_from, SEEK_SET);
    size_t got = fread(written, 1, (size_t)(end - read_from), sink);
    assert_int_equal(got, (size_t)(end - read_from));
    fseek(sink, end, SEEK_SET);
    read_from = end;
    return written;
}

static size_t count_lines(const char *text)
{
    size_t lines = 0;
    for (; *text; text++)
        lines += *text == '\n';
    return lines;
}

static void test_repeats_counted_once_per_interval(void **state)
{
    (void)state;
    log_read();
    for (int i = 0; i < 10000; i++)
        log_warn("rest", "Error accepting connection: %s", "Too many open files");
    const char *out = log_read();
    assert_int_equal(count_lines(out), 1);
    assert_non_null(strstr(out, "WARN  [rest] Error accepting connection: Too many open files\n"));

    /* Nothing goes out before the interval ends... */
    fake_now_ms += 4999;
    log_repeats_flush(false);
    assert_int_equal(count_lines(log_read()), 0);
    /* ...then the count, and the next repeat is written again. */
    fake_now_ms += 1;
    log_warn("rest", "Error accepting connection: %s", "Too many open files");
    out = log_read();
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "[rest] Error accepting connection: Too many open files "
                                "(repeated 9999 times in the last 5 s)\n"));
    assert_true(strstr(out, "(repeated") < strstr(out, "files\n"));
}

static void test_count_at_interval_end(void **state)
{
    (void)state;
    log_read();
    for (int i = 0; i < 3; i++)
        log_info("worker", "same");
    fake_now_ms += 6000;
    log_repeats_flush(false);
    const char *out = log_read();
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "INFO  [worker] same (repeated 2 times in the last 5 s)\n"));
    /* The count went out: a flush at shutdown adds nothing. */
    log_repeats_flush(true);
    assert_int_equal(count_lines(log_read()), 0);
}

static void test_count_before_another_line(void **state)
{
    (void)state;
    log_read();
    log_info("worker", "flood");
    log_info("worker", "flood");
    log_info("worker", "flood");
    log_info("worker", "something else");
    const char *out = log_read();
    assert_int_equal(count_lines(out), 3);
    const char *count = strstr(out, "flood (repeated 2 times in the last 5 s)\n");
    assert_non_null(count);
    assert_true(count < strstr(out, "something else"));
}

static void test_alternating_lines_and_shutdown(void **state)
{
    (void)state;
    log_read();
    for (int i = 0; i < 1000; i++) {
        log_warn("rest", "Error accepting connection");
        log_warn("rest", "Hit process or system resource limit");
    }
    assert_int_equal(count_lines(log_read()), 2);
    log_repeats_flush(true);
    const char *out = log_read();
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "Error accepting connection (repeated 999 times"));
    assert_non_null(strstr(out, "resource limit (repeated 999 times"));
}

static void test_level_scope_and_text_tell_lines_apart(void **state)
{
    (void)state;
    log_read();
    log_info("worker", "a line");
    log_warn("worker", "a line");
    log_info("rest", "a line");
    log_info("worker", "a line 2");
    log_info("worker", "a line %d", 2);
    assert_int_equal(count_lines(log_read()), 4);
    log_repeats_flush(true);
    assert_int_equal(count_lines(log_read()), 1);
}

static void test_disabled(void **state)
{
    (void)state;
    log_repeat_configure(0, fake_clock);
    log_read();
    for (int i = 0; i < 5; i++)
        log_info("worker", "every one");
    assert_int_equal(count_lines(log_read()), 5);
}

static void test_long_line_cut_in_count(void **state)
{
    (void)state;
    char long_text[2000];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    log_read();
    log_info("worker", "%s", long_text);
    log_info("worker", "%s", long_text);
    log_repeats_flush(true);
    const char *out = log_read();
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "xxx... (repeated 1 times in the last 5 s)\n"));
}

static void test_secrets_hidden(void **state)
{
    (void)state;
    int owner = 0, other_owner = 0;
    const char *secrets[] = {"s3cret", "s3cret-and-more"};
    const char *other[] = {"other-pw"};
    assert_int_equal(log_secrets_set(&owner, "orders", secrets, 2), 0);
    assert_int_equal(log_secrets_set(&other_owner, "billing", other, 1), 0);
    log_read();
    log_error("task:orders-0", "login s3cret-and-more refused (s3cret)");
    log_error("connector:orders", "s3cret");
    log_error("task:orders-12.kafka", "s3cret other-pw");
    log_error("task:billing-0", "s3cret other-pw");
    log_error("worker", "connector orders: s3cret other-pw");
    log_error("task:orders-x", "s3cret");
    const char *out = log_read();
    assert_non_null(strstr(out, "[task:orders-0] login [hidden] refused ([hidden])\n"));
    assert_non_null(strstr(out, "[connector:orders] [hidden]\n"));
    assert_non_null(strstr(out, "[task:orders-12.kafka] [hidden] other-pw\n"));
    assert_non_null(strstr(out, "[task:billing-0] s3cret [hidden]\n"));
    assert_non_null(strstr(out, "[worker] connector orders: [hidden] [hidden]\n"));
    assert_non_null(strstr(out, "[task:orders-x] s3cret\n"));

    char *trace = log_redact("task:orders-1", "failed: s3cret at http://u:pw@h:9200");
    assert_non_null(trace);
    assert_string_equal(trace, "failed: [hidden] at http://u:[hidden]@h:9200");
    free(trace);

    log_secrets_forget(&owner);
    log_error("task:orders-0", "s3cret again");
    assert_non_null(strstr(log_read(), "[task:orders-0] s3cret again\n"));
    log_secrets_forget(&other_owner);
}

static void test_credentials_hidden_everywhere(void **state)
{
    (void)state;
    log_read();
    log_info("worker", "connecting to http://elastic:changeme@localhost:9200 and "
                       "host=db user=app password=pgpass dbname=orders");
    const char *out = log_read();
    assert_null(strstr(out, "changeme"));
    assert_null(strstr(out, "pgpass"));
    assert_non_null(strstr(out, "http://elastic:[hidden]@localhost:9200"));
    assert_non_null(strstr(out, "password=[hidden] dbname=orders"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_repeats_counted_once_per_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_at_interval_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_before_another_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alternating_lines_and_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_scope_and_text_tell_lines_apart, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line_cut_in_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credentials_hidden_everywhere, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(written);
    return failed;
}
