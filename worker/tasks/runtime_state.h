/*
 * runtime_state.h - Kafka Connect's states, shared by connectors and tasks, as the status topic
 * and the REST API spell them.
 */
#ifndef FERRY_RUNTIME_STATE_H
#define FERRY_RUNTIME_STATE_H

typedef enum runtime_state {
    STATE_UNASSIGNED,
    STATE_RUNNING,
    STATE_PAUSED,
    STATE_STOPPED,
    STATE_FAILED,
    STATE_RESTARTING,
} runtime_state;

const char *runtime_state_name(runtime_state state); /* "RUNNING", ... */

#endif
