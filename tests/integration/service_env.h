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

/* The secured listeners of the same broker (tests/services/services.sh), each a skip or a failure
 * like service_env_get when unset: FERRY_TEST_SASL_BOOTSTRAP (SASL_SSL, SCRAM-SHA-512),
 * FERRY_TEST_MTLS_BOOTSTRAP (SSL, a client certificate required) and FERRY_TEST_TLS_DIR (the CA,
 * stores, passwords and SCRAM users; see services.sh). */
const char *service_env_sasl_bootstrap(void);
const char *service_env_mtls_bootstrap(void);
const char *service_env_tls_dir(void);

/* "$FERRY_TEST_TLS_DIR/<name>" in buf (a failure when the file is not there: services.sh makes
 * them all); returns buf. */
char *service_env_tls_path(char *buf, unsigned long size, const char *name);

/* The first line of "$FERRY_TEST_TLS_DIR/<name>" (the *.password files), malloc'd; a failure
 * when it cannot be read. */
char *service_env_tls_read_line(const char *name);

/* A name unique to this run ("<prefix>_<pid>_<time>_<counter>", lower case), for topics,
 * tables, slots and indexes that must not collide with other runs. Returns buf. */
char *service_env_unique_name(char *buf, unsigned long size, const char *prefix);

/* Monotonic time in milliseconds, and a sleep that resumes after signals: for waiting on a
 * service. */
int64_t service_env_now_ms(void);
void service_env_sleep_ms(int64_t ms);

#endif
