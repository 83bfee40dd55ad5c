/* A small harness for integration tests that run the real `ferry` binary against the real broker
 * of tests/services/ (FERRY_TEST_BOOTSTRAP).
 *
 * The process side (fp_*):
 *   - fp_env_new() makes a temp dir per test, with names unique to the run (pid + time) for the
 *     internal topics, the worker's group and whatever else the test names with fp_name();
 *   - fp_worker_file() writes a worker.properties: the real broker, the unique internal topics
 *     with replication factor 1, String converters, the test plugin path (plus
 *     FERRY_TEST_EXTRA_PLUGIN_PATH, the file plugin, when the build defines it), a listener port
 *     of its own, offset.flush.interval.ms as asked; lines in `extra` replace defaults
 *     ("key=value") or drop them ("-key");
 *   - fp_start() forks/execs FERRY_BINARY standalone with stdout+stderr to a log file in the temp
 *     dir (ASAN_OPTIONS gets detect_leaks=1, so leaks at exit land in that log);
 *   - fp_wait_log(), fp_signal(), fp_wait_exit(), fp_stop() (SIGTERM + exit 0), fp_kill9().
 *   Every exit the harness observes (not a kill -9) is checked: a log holding
 *   "ERROR: AddressSanitizer", "ERROR: LeakSanitizer" or "runtime error:" fails the test.
 *   - fp_env_finish(env), or fp_env_teardown as the cmocka teardown of a test case (it finishes
 *     the env the case made last): a test that reached fp_pass() has its temp dir removed;
 *     otherwise the tail of every child's log is printed and the dir is kept. Children still
 *     running are killed with SIGKILL either way (and at exit, and on SIGTERM from meson's
 *     timeout).
 *
 * The Kafka side (creating topics, producing, reading them back) is kafka_tool.h. */
#ifndef FERRY_TESTS_FERRY_PROCESS_H
#define FERRY_TESTS_FERRY_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef FERRY_BINARY
#error "FERRY_BINARY (path of the ferry executable) must be defined by the build"
#endif
#ifndef FERRY_TEST_PLUGIN_PATH
#error "FERRY_TEST_PLUGIN_PATH (the sequence test plugin's build dir) must be defined"
#endif

/* ---- the process side ------------------------------------------------------------------- */

typedef struct fp_env fp_env;
typedef struct fp_proc fp_proc;

/* kt_init (kafka_tool.h: the broker of FERRY_TEST_BOOTSTRAP answers, or the test skips or
 * fails), then installs the exit and SIGTERM clean-ups. Call first. */
void fp_init(void);

/* Elapsed monotonic time in milliseconds, and a sleep. */
int64_t fp_now_ms(void);
void fp_sleep_ms(int64_t ms);

fp_env *fp_env_new(const char *test_name);
/* Marks the test as passed (its temp dir is removed by fp_env_finish). */
void fp_pass(fp_env *env);
void fp_env_finish(fp_env *env);
/* A cmocka teardown: fp_env_finish of the env last made by fp_env_new and not finished yet. */
int fp_env_teardown(void **state);

const char *fp_dir(const fp_env *env);
/* "<prefix>_<unique suffix>": a topic, connector or group name of this test. Owned by env. */
const char *fp_name(fp_env *env, const char *prefix);
/* "<temp dir>/<file>". Owned by env. */
const char *fp_path(fp_env *env, const char *file);
/* The worker's internal topics and its REST port (listeners=http://127.0.0.1:<port>). */
const char *fp_offsets_topic(const fp_env *env);
const char *fp_configs_topic(const fp_env *env);
const char *fp_status_topic(const fp_env *env);
int fp_listener_port(const fp_env *env);
/* Another free loopback port, for a second worker of the test (a cluster's). */
int fp_new_port(fp_env *env);

/* Writes <temp dir>/<file> from a printf format; returns its path (owned by env). */
__attribute__((format(printf, 3, 4)))
const char *fp_write(fp_env *env, const char *file, const char *fmt, ...);
/* Writes a worker file (see the top of this header). flush_ms < 0 leaves the key out. */
const char *fp_worker_file(fp_env *env, const char *file, long flush_ms, const char *extra);

/* Starts `ferry standalone worker [connector ...]` (connector files: NULL-terminated). */
fp_proc *fp_start(fp_env *env, const char *worker_file, ...) __attribute__((sentinel));
/* Starts `ferry distributed worker`. */
fp_proc *fp_start_distributed(fp_env *env, const char *worker_file);
pid_t fp_pid(const fp_proc *proc);
const char *fp_log_path(const fp_proc *proc);
/* The whole log (malloc'd, NUL-terminated; "" when there is none yet). */
char *fp_log(const fp_proc *proc);
bool fp_log_contains(const fp_proc *proc, const char *needle);
/* Waits until the log holds needle. false on timeout or when the process exited without it. */
bool fp_wait_log(fp_proc *proc, const char *needle, int timeout_ms);
/* true while the process has not exited (reaps it when it has). */
bool fp_alive(fp_proc *proc);
void fp_signal(fp_proc *proc, int sig);
/* Waits for the exit; true with *code (exit status, or 128 + signal) when it came in time.
 * Checks the log for sanitizer reports (a test failure) unless the process was killed -9. */
bool fp_wait_exit(fp_proc *proc, int timeout_ms, int *code);
/* SIGTERM, then asserts a graceful exit: status 0 within timeout_ms, a clean log. */
void fp_stop(fp_proc *proc, int timeout_ms);
/* SIGKILL and reap. */
void fp_kill9(fp_proc *proc);
/* Prints the last lines of the process's log to stderr. */
void fp_print_log_tail(const fp_proc *proc, int lines);

/* A whole file (malloc'd, NUL-terminated) or NULL when it does not exist; *len its size. */
char *fp_read_file(const char *path, size_t *len);
/* The number of '\n' in a file (0 when it does not exist). */
size_t fp_count_lines(const char *path);
/* Fails the test (naming what) unless the files at expected and actual hold the same bytes. */
void fp_assert_same_file(const char *what, const char *expected, const char *actual);

/* Waits until no other test of this harness (in any process) runs: for a test that stops the
 * shared broker. Held until fp_env_finish. Every other test holds it shared from fp_env_new. */
void fp_broker_exclusive(void);

/* Runs tests/services/services.sh with the arguments (NULL-terminated); returns its exit code. */
int fp_services(const char *arg, ...) __attribute__((sentinel));
/* Marks the broker as stopped by this test: until fp_kafka_restarted(), the harness starts it again
 * at exit, on SIGTERM and in fp_env_finish. */
void fp_kafka_stopped(void);
void fp_kafka_restarted(void);
/* Starts Kafka again if this test stopped it (idempotent). */
void fp_kafka_ensure_started(void);

#endif
