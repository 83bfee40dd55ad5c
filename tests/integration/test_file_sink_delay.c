/* FileSink writes promptly: with offset.flush.interval.ms=60000 (Kafka Connect's default), a
 * record produced to the topic must show in the file within about a second, not at the next
 * offset flush a minute later. The fsync (and the consumer offset commit) still waits for the
 * flush; what the sink writes before it is readable at once.
 *
 * One FileSink reads a fresh one-partition topic; the test produces LINES records one at a time,
 * each after the previous one appeared, and times each from the acknowledged produce to its line
 * in the file. Fails if any takes more than LIMIT_MS. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "ferry_process.h"
#include "kafka_tool.h"

#define LINES 20
#define LIMIT_MS 1000
#define FLUSH_MS 60000

/* Waits until the file holds line number `count` (lines "line-<n>"); its delay, or -1. */
static int64_t wait_line(fp_proc *proc, const char *path, int n, int64_t since_ms)
{
    char needle[32];
    snprintf(needle, sizeof needle, "line-%d\n", n);
    int64_t deadline = since_ms + 3 * LIMIT_MS;
    for (;;) {
        size_t len = 0;
        char *text = fp_read_file(path, &len);
        bool found = text && strstr(text, needle);
        free(text);
        int64_t now = fp_now_ms();
        if (found)
            return now - since_ms;
        if (now > deadline || !fp_alive(proc))
            return -1;
        fp_sleep_ms(5);
    }
}

static void test_sink_line_appears_before_flush(void **state)
{
    (void)state;
    fp_env *env = fp_env_new("file_sink_delay");
    const char *topic = fp_name(env, "sink_delay");
    const char *name = fp_name(env, "sink");
    const char *output = fp_path(env, "out.txt");
    kt_create_topic(topic, 1, NULL);
    const char *connector = fp_write(env, "sink.properties",
                                     "name=%s\nconnector.class=FileSink\nfile=%s\ntopics=%s\n"
                                     "value.converter=org.apache.kafka.connect.storage."
                                     "StringConverter\n", name, output, topic);
    const char *worker = fp_worker_file(env, "worker.properties", FLUSH_MS,
                                        NULL);
    fp_proc *proc = fp_start(env, worker, connector, NULL);
    if (!fp_wait_log(proc, "appending to", 60000))
        fail_msg("the sink task did not start");

    rd_kafka_t *producer = kt_producer_new(NULL);
    int64_t worst = 0;
    for (int i = 0; i < LINES; i++) {
        char value[32];
        int len = snprintf(value, sizeof value, "line-%d", i);
        kt_produce(producer, topic, 0, NULL, 0, value, (size_t)len, NULL, NULL);
        assert_int_equal(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
        int64_t produced = fp_now_ms();
        /* The first record also waits for the consumer's first fetch after the assignment. */
        int64_t delay = wait_line(proc, output, i, produced);
        if (delay < 0 && i == 0)
            delay = wait_line(proc, output, i, fp_now_ms());
        if (delay < 0) {
            fp_print_log_tail(proc, 40);
            fail_msg("line-%d was not in %s %d ms after it was produced (%s)", i, output,
                     3 * LIMIT_MS, "offset.flush.interval.ms=60000");
        }
        if (i > 0 && delay > worst)
            worst = delay;
    }
    kt_producer_close(producer);
    if (worst > LIMIT_MS)
        fail_msg("a line took %" PRId64 " ms to reach the file (limit %d ms)", worst, LIMIT_MS);
    printf("# %d lines, the slowest reached the file %" PRId64 " ms after it was produced "
           "(offset.flush.interval.ms=%d)\n", LINES, worst, FLUSH_MS);
    fp_stop(proc, 30000);
    assert_int_equal(fp_count_lines(output), LINES);
    fp_pass(env);
}

int main(void)
{
    fp_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sink_line_appears_before_flush, fp_env_teardown),
    };
    return cmocka_run_group_tests_name("file_sink_delay", tests, NULL, NULL);
}
