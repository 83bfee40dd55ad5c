/*
 * task_name.h - Kafka Connect's task names, "<connector>-<n>": how a cluster's assignment names
 * the tasks each worker runs.
 */
#ifndef FERRY_SUPPORT_TASK_NAME_H
#define FERRY_SUPPORT_TASK_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether name is a task name, "<connector>-<n>" (a non-empty connector name, n a number
 * without leading zeros below 2^31); if so and the pointers are not NULL, the length of the
 * connector name and n. The connector name may hold dashes itself: n follows the last one. */
bool task_name_parse(const char *name, size_t *connector_len, uint32_t *number);

#endif
