/*
 * runtime_state.h - Kafka Connect's states, shared by connectors and tasks, as the status topic
 * and the REST API spell them, and the tables of their legal transitions: each owner of a state
 * (a task's thread, a connector, a task slot) writes down which states may follow which, and
 * asserts it in debug builds.
 */
#ifndef FERRY_RUNTIME_STATE_H
#define FERRY_RUNTIME_STATE_H

#include <stdbool.h>

typedef enum runtime_state {
    STATE_UNASSIGNED,
    STATE_RUNNING,
    STATE_PAUSED,
    STATE_STOPPED,
    STATE_FAILED,
    STATE_RESTARTING,
} runtime_state;

#define RUNTIME_STATE_COUNT (STATE_RESTARTING + 1)

const char *runtime_state_name(runtime_state state); /* "RUNNING", ... */

/* A set of states, for the transition tables: a bit per state. */
typedef unsigned runtime_state_set;
#define RUNTIME_STATE_BIT(state) (1u << (state))

/* A transition table: for each state left, the states that may follow it. */
typedef runtime_state_set runtime_state_transitions[RUNTIME_STATE_COUNT];

/* Whether the table allows from -> to. */
bool runtime_state_transition_legal(const runtime_state_transitions table, runtime_state from,
                                    runtime_state to);

/* Writes "illegal state transition of <subject>: <FROM> -> <TO> in <function> (<file>:<line>)"
 * to stderr and aborts: the failure path of ASSERT_STATE_TRANSITION; never returns. */
_Noreturn void runtime_state_transition_fail(const char *subject, runtime_state from,
                                             runtime_state to, const char *function,
                                             const char *file, int line);

/* Asserts, in debug builds (compiled out with NDEBUG), that table allows from -> to; subject
 * names what changes state in the message ("task:orders-0"). */
#ifdef NDEBUG
#define ASSERT_STATE_TRANSITION(table, subject, from, to) ((void)(table))
#else
#define ASSERT_STATE_TRANSITION(table, subject, from, to)                                   \
    do {                                                                                    \
        if (!runtime_state_transition_legal((table), (from), (to)))                         \
            runtime_state_transition_fail((subject), (from), (to), __func__, __FILE__,      \
                                          __LINE__);                                        \
    } while (0)
#endif

#endif
