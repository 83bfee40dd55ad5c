/*
 * cdc_source.h - the PostgresCdcSource task: start (checks, offset, plan), poll (a state machine:
 * wait for the slot, create it, snapshot, start the stream, stream, reconnect), commit (confirm
 * the LSN the committed offsets cover) and stop. docs/connectors/postgres-cdc.md explains the
 * positions, the snapshot/stream hand-off and when an LSN is confirmed.
 */
#ifndef PGCDC_CDC_SOURCE_H
#define PGCDC_CDC_SOURCE_H

#include <ferry/plugin.h>

ferry_status cdc_source_start(ferry_context *ctx, const ferry_config *config, void **state,
                              char *err, size_t errlen);
ferry_status cdc_source_poll(void *state, int timeout_ms, char *err, size_t errlen);
void cdc_source_commit(void *state, const ferry_source_offset *offsets, size_t count);
void cdc_source_stop(void *state);

#endif
