/*
 * thread_role.c - the calling thread's role, kept in a thread-local, and the failure path of the
 * thread assertions.
 */
#include "base/thread_role.h"

#include <stdio.h>
#include <stdlib.h>

static _Thread_local thread_role current_role = THREAD_ROLE_NONE;
static _Thread_local const void *current_owner;
static _Thread_local const char *current_label;

void thread_role_set(thread_role role, const void *owner, const char *label)
{
    current_role = role;
    current_owner = owner;
    current_label = label;
}

void thread_role_clear(void)
{
    thread_role_set(THREAD_ROLE_NONE, NULL, NULL);
}

thread_role thread_role_current(void)
{
    return current_role;
}

bool thread_role_is(thread_role role, const void *owner)
{
    return current_role == role && (!owner || current_owner == owner);
}

const char *thread_role_describe(char *buffer, size_t size)
{
    switch (current_role) {
    case THREAD_ROLE_CONTROL:
        snprintf(buffer, size, "the control thread");
        break;
    case THREAD_ROLE_TASK:
        snprintf(buffer, size, "the thread of %s", current_label ? current_label : "a task");
        break;
    case THREAD_ROLE_NONE:
    default:
        snprintf(buffer, size, "a thread with no role (REST, signals, Kafka client, test)");
        break;
    }
    return buffer;
}

_Noreturn void thread_role_fail(const char *function, const char *file, int line,
                                const char *expected)
{
    char self[256];
    fprintf(stderr, "ferry: thread assertion failed: %s (%s:%d) must run on %s, but ran on %s\n",
            function, file, line, expected, thread_role_describe(self, sizeof(self)));
    fflush(stderr);
    abort();
}
