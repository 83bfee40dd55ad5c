/* file_test_util.h - what the file plugin's integration tests share: appending to an input file
 * and waiting for a topic to hold a number of records. */
#ifndef FERRY_TESTS_FILE_TEST_UTIL_H
#define FERRY_TESTS_FILE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ferry_process.h"

/* Appends len bytes to path (created when missing); fails the test when it cannot. */
void file_test_append(const char *path, const void *data, size_t len);
/* Waits until topic holds count records; fails the test when ferry exits or timeout_ms passes. */
void file_test_wait_records(fp_proc *proc, const char *topic, int64_t count, int timeout_ms);

#endif
