/* Where the integration tests find the real services started by tests/services/services.sh.
 *
 * service_env_get("FERRY_TEST_BOOTSTRAP") returns the variable's value. When it is unset (or
 * empty) the test cannot run: with FERRY_REQUIRE_SERVICES=1 that is a failure (exit 1, with a
 * message saying how to start the services), otherwise the program exits 77, meson's "skipped".
 *
 * service_env_unreachable() is for a variable that is set but whose server does not answer:
 * that is always a failure, never a skip. */
#ifndef FERRY_TESTS_SERVICE_ENV_H
#define FERRY_TESTS_SERVICE_ENV_H

#include <stdint.h>

/* meson's exit code for a skipped test */
#define SERVICE_ENV_SKIP 77

const char *service_env_get(const char *var);

/* Prints "VAR=value is set but ... does not answer: <detail>" and exits 1. */
__attribute__((noreturn, format(printf, 2, 3)))
void service_env_unreachable(const char *var, const char *fmt, ...);

/* A name unique to this run ("<prefix>_<pid>_<time>_<counter>", lower case), for topics,
 * tables, slots and indexes that must not collide with other runs. Returns buf. */
char *service_env_unique_name(char *buf, unsigned long size, const char *prefix);

/* Monotonic time in milliseconds, and a sleep that resumes after signals: for waiting on a
 * service. */
int64_t service_env_now_ms(void);
void service_env_sleep_ms(int64_t ms);

#endif
