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
 * The Kafka side (kt_*), all synchronous and failing the test (cmocka) when Kafka does:
 *   topic creation, end offsets, partition counts, topic configs, a producer, consuming a whole
 *   topic from the beginning up to the end offsets seen at the start (all partitions), the latest
 *   value per key (status topic), and Java's murmur2 partitioner. */
#ifndef FERRY_TESTS_FERRY_PROCESS_H
#define FERRY_TESTS_FERRY_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

#ifndef FERRY_BINARY
#error "FERRY_BINARY (path of the ferry executable) must be defined by the build"
#endif
#ifndef FERRY_TEST_PLUGIN_PATH
#error "FERRY_TEST_PLUGIN_PATH (the sequence test plugin's build dir) must be defined"
#endif

/* ---- the process side ------------------------------------------------------------------- */

typedef struct fp_env fp_env;
typedef struct fp_proc fp_proc;

/* Reads FERRY_TEST_BOOTSTRAP (skip, or fail with FERRY_REQUIRE_SERVICES=1), checks that the broker
 * answers (a failure when it does not), installs the exit and SIGTERM clean-ups. Call first. */
void fp_init(void);
const char *fp_bootstrap(void);

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

/* Writes <temp dir>/<file> from a printf format; returns its path (owned by env). */
__attribute__((format(printf, 3, 4)))
const char *fp_write(fp_env *env, const char *file, const char *fmt, ...);
/* Writes a worker file (see the top of this header). flush_ms < 0 leaves the key out. */
const char *fp_worker_file(fp_env *env, const char *file, long flush_ms, const char *extra);

/* Starts `ferry standalone worker [connector ...]` (connector files: NULL-terminated). */
fp_proc *fp_start(fp_env *env, const char *worker_file, ...) __attribute__((sentinel));
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

/* ---- the Kafka side --------------------------------------------------------------------- */

typedef struct kt_header {
    char *name;
    char *value; /* NULL for a null header value */
    size_t value_len;
} kt_header;

typedef struct kt_record {
    int32_t partition;
    int64_t offset;
    char *key; /* NULL for a null key; else NUL-terminated (key_len excludes the NUL) */
    size_t key_len;
    char *value; /* NULL for a null value (tombstone) */
    size_t value_len;
    kt_header *headers;
    size_t header_count;
} kt_record;

typedef struct kt_records {
    kt_record *items;
    size_t count;
} kt_records;

void kt_create_topic(const char *topic, int partitions, const char *const *configs);
/* Deletes topics, best effort (no failure when one does not exist or the broker is away). */
void kt_delete_topics(const char *const *topics, size_t count);
/* Partitions of the topic, 0 when it does not exist. */
int kt_partition_count(const char *topic);
/* High watermarks of every partition in ends (at most max); returns the partition count. */
int kt_end_offsets(const char *topic, int64_t *ends, int max);
int64_t kt_end_offsets_sum(const char *topic);
/* The value of one config of a topic (malloc'd), NULL when it has none. */
char *kt_topic_config(const char *topic, const char *name);

/* A producer with acks=all and idempotence, whose deliveries kt_producer_close checks. */
rd_kafka_t *kt_producer_new(const char *const *configs);
void kt_produce(rd_kafka_t *producer, const char *topic, int32_t partition, const void *key,
                size_t key_len, const void *value, size_t value_len,
                const char *header_name, const char *header_value);
/* The same with any number of headers (a NULL value is a null header value). */
void kt_produce_headers(rd_kafka_t *producer, const char *topic, int32_t partition,
                        const void *key, size_t key_len, const void *value, size_t value_len,
                        const kt_header *headers, size_t header_count);
/* Flushes, asserts that every record was delivered, destroys. */
void kt_producer_close(rd_kafka_t *producer);

/* Reads every partition of the topic from the beginning up to the end offsets seen at the start,
 * calling fn for each message. Returns the number of messages. */
typedef void (*kt_message_fn)(const rd_kafka_message_t *message, void *opaque);
size_t kt_consume(const char *topic, int timeout_ms, kt_message_fn fn, void *opaque);
/* The offset the consumer group committed for the partition, -1 when none. */
int64_t kt_group_committed(const char *group, const char *topic, int32_t partition);
kt_records *kt_consume_all(const char *topic, int timeout_ms);
void kt_records_free(kt_records *records);
/* The last record of the given key (NULL when none), and the value of one of its headers. */
const kt_record *kt_records_last(const kt_records *records, const char *key);
const kt_header *kt_record_header(const kt_record *record, const char *name);
/* key -> the last value (a JSON value parsed, or null for tombstones and non-JSON). */
json_t *kt_latest_by_key(const char *topic);

/* Java's Utils.murmur2 and the partition a Java producer picks for a key. */
int32_t kt_murmur2(const void *data, size_t len);
int32_t kt_java_partition(const void *key, size_t len, int partitions);

#endif
