/* file_test_util.c - helpers of the file plugin's integration tests (see file_test_util.h). */
#include "file_test_util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>

#include <cmocka.h>

#include "kafka_tool.h"

void file_test_append(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

void file_test_wait_records(fp_proc *proc, const char *topic, int64_t count, int timeout_ms)
{
    int64_t deadline = fp_now_ms() + timeout_ms;
    while (kt_end_offsets_sum(topic) < count) {
        if (!fp_alive(proc))
            fail_msg("ferry exited waiting for %" PRId64 " records in %s", count, topic);
        if (fp_now_ms() > deadline)
            fail_msg("%s holds %" PRId64 " records, expected %" PRId64, topic,
                     kt_end_offsets_sum(topic), count);
        fp_sleep_ms(50);
    }
}
