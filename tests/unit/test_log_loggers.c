/* log.c's named loggers: which lines each level lets through (scopes, connector names, the
 * longest logger deciding), what setting a logger changes (itself, the loggers below it, every
 * one for root), the listing, and the limits. Lines go to a temporary file read back. */
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

static int setup(void **state)
{
    (void)state;
    sink = tmpfile();
    assert_non_null(sink);
    log_loggers_reset();
    log_configure(sink, FERRY_LOG_INFO);
    log_repeat_configure(0, NULL); /* the same line is written again and again here */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_loggers_reset();
    log_configure(stderr, FERRY_LOG_INFO);
    log_repeat_configure(LOG_REPEAT_INTERVAL_MS, NULL);
    fclose(sink);
    return 0;
}

/* Whether a line at level from scope reaches the log. */
static bool written(ferry_log_level level, const char *scope)
{
    long before = ftell(sink);
    log_write(level, scope, "a line");
    fflush(sink);
    return ftell(sink) > before;
}

static void test_root_alone(void **state)
{
    (void)state;
    assert_true(written(FERRY_LOG_INFO, "worker"));
    assert_false(written(FERRY_LOG_DEBUG, "worker"));
    assert_true(written(FERRY_LOG_ERROR, "task:orders-0"));
}

static void test_scopes_and_connectors(void **state)
{
    (void)state;
    assert_int_equal(log_logger_set("offsets", FERRY_LOG_DEBUG), 0);
    assert_int_equal(log_logger_set("orders", FERRY_LOG_TRACE), 0);
    assert_true(written(FERRY_LOG_DEBUG, "offsets"));
    assert_true(written(FERRY_LOG_DEBUG, "offsets.restore"));
    assert_false(written(FERRY_LOG_DEBUG, "offsetsx"));
    assert_false(written(FERRY_LOG_DEBUG, "worker"));
    /* a connector's name covers its connector and task lines, and no other connector's */
    assert_true(written(FERRY_LOG_TRACE, "connector:orders"));
    assert_true(written(FERRY_LOG_TRACE, "task:orders-0"));
    assert_true(written(FERRY_LOG_TRACE, "task:orders-12"));
    assert_false(written(FERRY_LOG_DEBUG, "task:orders-cdc-0"));
    assert_false(written(FERRY_LOG_DEBUG, "connector:orders-cdc"));
    assert_false(written(FERRY_LOG_DEBUG, "task:ordersx-0"));
    assert_false(written(FERRY_LOG_DEBUG, "task:orders-"));
    /* the longest logger decides: one task quieter than its connector */
    assert_int_equal(log_logger_set("task:orders-1", FERRY_LOG_WARN), 0);
    assert_false(written(FERRY_LOG_INFO, "task:orders-1"));
    assert_true(written(FERRY_LOG_WARN, "task:orders-1"));
    assert_true(written(FERRY_LOG_TRACE, "task:orders-0"));
    /* a quieter logger than root silences its scope */
    assert_int_equal(log_logger_set("rest", FERRY_LOG_ERROR), 0);
    assert_false(written(FERRY_LOG_WARN, "rest"));
    assert_true(written(FERRY_LOG_WARN, "worker"));
    assert_true(log_enabled(FERRY_LOG_DEBUG, "offsets"));
    assert_false(log_enabled(FERRY_LOG_DEBUG, "rest"));
}

static void test_setting_parents_and_root(void **state)
{
    (void)state;
    assert_int_equal(log_logger_set("io.debezium.connector", FERRY_LOG_DEBUG), 0);
    assert_int_equal(log_logger_set("io.debezium.connector.postgresql", FERRY_LOG_TRACE), 0);
    assert_int_equal(log_logger_set("io.debeziumx", FERRY_LOG_TRACE), 0);
    /* setting the parent sets the loggers below it, not a sibling with the same prefix */
    assert_int_equal(log_logger_set("io.debezium", FERRY_LOG_WARN), 0);
    log_logger_info logger;
    assert_true(log_logger_get("io.debezium.connector.postgresql", &logger));
    assert_int_equal(logger.level, FERRY_LOG_WARN);
    assert_true(logger.modified_ms > 0);
    assert_true(log_logger_get("io.debeziumx", &logger));
    assert_int_equal(logger.level, FERRY_LOG_TRACE);
    /* root sets every logger */
    assert_int_equal(log_logger_set(LOG_ROOT_LOGGER, FERRY_LOG_ERROR), 0);
    assert_int_equal(log_max_level(), FERRY_LOG_ERROR);
    assert_true(log_logger_get("io.debeziumx", &logger));
    assert_int_equal(logger.level, FERRY_LOG_ERROR);
    assert_false(written(FERRY_LOG_WARN, "worker"));
    /* the listing: root first, then by name, ferry's scopes among them */
    log_logger_info all[LOG_LISTED_MAX];
    size_t count = log_loggers(all, LOG_LISTED_MAX);
    assert_int_equal(count, 5 + LOG_SCOPE_COUNT);
    assert_string_equal(all[0].name, "root");
    assert_string_equal(all[1].name, "cluster");
    assert_string_equal(all[5].name, "io.debezium");
    assert_string_equal(all[6].name, "io.debezium.connector");
    assert_string_equal(all[7].name, "io.debezium.connector.postgresql");
    assert_string_equal(all[8].name, "io.debeziumx");
    assert_string_equal(all[9].name, "kafka");
    assert_string_equal(all[count - 1].name, "worker");
    assert_false(log_logger_get("org.apache.kafka.connect", &logger));
}

/* ferry's scopes are loggers before anyone sets them: listed with the level that applies to
 * them, found by name, and once set listed once, with their own level. */
static void test_scopes_are_listed(void **state)
{
    (void)state;
    log_logger_info all[LOG_LISTED_MAX];
    size_t count = log_loggers(all, LOG_LISTED_MAX);
    assert_int_equal(count, 1 + LOG_SCOPE_COUNT);
    static const char *const scopes[LOG_SCOPE_COUNT] = LOG_SCOPES;
    for (size_t i = 0; i < LOG_SCOPE_COUNT; i++) {
        assert_string_equal(all[i + 1].name, scopes[i]);
        assert_int_equal(all[i + 1].level, FERRY_LOG_INFO);
        assert_int_equal(all[i + 1].modified_ms, 0);
        if (i > 0)
            assert_true(strcmp(scopes[i - 1], scopes[i]) < 0);
    }
    log_logger_info logger;
    assert_true(log_logger_get("rest", &logger));
    assert_int_equal(logger.level, FERRY_LOG_INFO);
    assert_int_equal(logger.modified_ms, 0);
    /* root's level reaches the scopes nobody set */
    assert_int_equal(log_logger_set(LOG_ROOT_LOGGER, FERRY_LOG_WARN), 0);
    assert_true(log_logger_get("worker", &logger));
    assert_int_equal(logger.level, FERRY_LOG_WARN);
    /* a scope set is listed once, with its level */
    assert_int_equal(log_logger_set("rest", FERRY_LOG_DEBUG), 0);
    count = log_loggers(all, LOG_LISTED_MAX);
    assert_int_equal(count, 1 + LOG_SCOPE_COUNT);
    assert_true(log_logger_get("rest", &logger));
    assert_int_equal(logger.level, FERRY_LOG_DEBUG);
    assert_true(logger.modified_ms > 0);
    assert_true(written(FERRY_LOG_DEBUG, "rest"));
    /* a logger above a scope sets the level the scope shows */
    assert_int_equal(log_logger_set("status", FERRY_LOG_ERROR), 0);
    assert_true(log_logger_get("status", &logger));
    assert_int_equal(logger.level, FERRY_LOG_ERROR);
}

static void test_limits(void **state)
{
    (void)state;
    assert_int_equal(log_logger_set("", FERRY_LOG_DEBUG), -1);
    char long_name[LOG_LOGGER_NAME_MAX + 1];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(log_logger_set(long_name, FERRY_LOG_DEBUG), -1);
    long_name[LOG_LOGGER_NAME_MAX - 1] = '\0';
    assert_int_equal(log_logger_set(long_name, FERRY_LOG_DEBUG), 0);
    for (int i = 1; i < LOG_LOGGERS_MAX; i++) {
        char name[32];
        snprintf(name, sizeof(name), "logger%02d", i);
        assert_int_equal(log_logger_set(name, FERRY_LOG_DEBUG), 0);
    }
    assert_int_equal(log_logger_set("one.too.many", FERRY_LOG_DEBUG), -1);
    assert_int_equal(log_logger_set("logger01", FERRY_LOG_WARN), 0); /* an existing one: fine */
    assert_int_equal(log_loggers(NULL, 0), LOG_LOGGERS_MAX + 1 + LOG_SCOPE_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_root_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scopes_and_connectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setting_parents_and_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scopes_are_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
