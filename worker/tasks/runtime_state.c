/*
 * runtime_state.c - the names of Kafka Connect's connector and task states, and the check of
 * their transitions against a table.
 */
#include "tasks/runtime_state.h"

#include <stdio.h>
#include <stdlib.h>

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

bool runtime_state_transition_legal(const runtime_state_transitions table, runtime_state from,
                                    runtime_state to)
{
    if ((unsigned)from >= RUNTIME_STATE_COUNT || (unsigned)to >= RUNTIME_STATE_COUNT)
        return false;
    return (table[from] & RUNTIME_STATE_BIT(to)) != 0;
}

_Noreturn void runtime_state_transition_fail(const char *subject, runtime_state from,
                                             runtime_state to, const char *function,
                                             const char *file, int line)
{
    fprintf(stderr, "ferry: illegal state transition of %s: %s -> %s in %s (%s:%d)\n", subject,
            runtime_state_name(from), runtime_state_name(to), function, file, line);
    fflush(stderr);
    abort();
}
