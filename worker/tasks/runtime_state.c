/*
 * runtime_state.c - the names of Kafka Connect's connector and task states.
 */
#include "tasks/runtime_state.h"

const char *runtime_state_name(runtime_state state)
{
    switch (state) {
    case STATE_UNASSIGNED: return "UNASSIGNED";
    case STATE_RUNNING: return "RUNNING";
    case STATE_PAUSED: return "PAUSED";
    case STATE_STOPPED: return "STOPPED";
    case STATE_FAILED: return "FAILED";
    case STATE_RESTARTING: return "RESTARTING";
    }
    return "UNKNOWN";
}
