/*
 * store_record.h - what the records of the config and status topics have in common: a value read
 * as Kafka Connect's JsonConverter (schemas disabled) reads it, where no bytes and a JSON null are
 * both no value (a tombstone), and the "<connector>-<task number>" ending of a task's key
 * (task-<connector>-<n>, status-task-<connector>-<n>), where the connector's name may hold
 * dashes and the number follows the last one.
 */
#ifndef FERRY_STORE_RECORD_H
#define FERRY_STORE_RECORD_H

#include <stddef.h>

#include <jansson.h>

/* Parses value (value_len bytes; NULL for a tombstone) into *parsed (a new value, or NULL for a
 * tombstone). 0, or -1 with a message naming key when the bytes are not JSON. */
int store_record_json(const char *key, const void *value, size_t value_len, json_t **parsed,
                      char *err, size_t errlen);

/* Splits "<connector>-<n>" (the key after its prefix): the connector's name (malloc'd) and the
 * task number, or NULL when the text does not end in a dash and a number of 0..INT_MAX after a
 * non-empty name (or when out of memory). */
char *store_record_task_id(const char *text, int *task);

#endif
