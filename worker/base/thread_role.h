/*
 * thread_role.h - which of the worker's threads is running, and assertions on it (as Varnish's
 * ASSERT_CLI()). A thread records its role once when it takes it up: the control thread (the one
 * running, or about to run, worker_run), a task's thread with its task. Functions documented for
 * one thread assert it at their entry; a call from the wrong thread aborts with a message naming
 * the function and the thread it ran on (docs/runtime.md, "Threads").
 *
 * The assertions are compiled out with NDEBUG. The project builds debugoptimized without it, so
 * the test suites check them.
 */
#ifndef FERRY_THREAD_ROLE_H
#define FERRY_THREAD_ROLE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum thread_role {
    THREAD_ROLE_NONE,    /* any other thread: REST, signals, librdkafka's, a test's */
    THREAD_ROLE_CONTROL, /* owns the connector table and calls the connector callbacks */
    THREAD_ROLE_TASK,    /* one task's thread: its plugin callbacks and clients */
} thread_role;

/* Records the calling thread's role. owner is what the role is for (the task; NULL for the
 * others), compared by address; label names the thread in messages ("task:orders-0") and is
 * borrowed: it must outlive the role (NULL: the role's name). */
void thread_role_set(thread_role role, const void *owner, const char *label);
/* Forgets the calling thread's role (back to THREAD_ROLE_NONE). */
void thread_role_clear(void);
thread_role thread_role_current(void);
/* Whether the calling thread has that role, for that owner when owner is not NULL. */
bool thread_role_is(thread_role role, const void *owner);
/* The calling thread as messages name it: "the control thread", "the thread of task:orders-0",
 * "a thread with no role (REST, signals, Kafka client, test)". Borrowed. */
const char *thread_role_describe(char *buffer, size_t size);

/* Writes "<function> (<file>:<line>) must run on <expected>, but ran on <this thread>" to
 * stderr and aborts. The assertions' failure path; never returns. */
_Noreturn void thread_role_fail(const char *function, const char *file, int line,
                                const char *expected);

#ifdef NDEBUG
#define ASSERT_THREAD_ROLE(role, owner, expected) ((void)0)
#define ASSERT_NOT_THREAD_ROLE(role, expected) ((void)0)
#else
#define ASSERT_THREAD_ROLE(role, owner, expected)                               \
    do {                                                                        \
        if (!thread_role_is((role), (owner)))                                   \
            thread_role_fail(__func__, __FILE__, __LINE__, (expected));         \
    } while (0)
#define ASSERT_NOT_THREAD_ROLE(role, expected)                                  \
    do {                                                                        \
        if (thread_role_is((role), NULL))                                       \
            thread_role_fail(__func__, __FILE__, __LINE__, (expected));         \
    } while (0)
#endif

/* At the entry of a function that only the control thread may call. */
#define ASSERT_CONTROL_THREAD() ASSERT_THREAD_ROLE(THREAD_ROLE_CONTROL, NULL, "the control thread")
/* At the entry of a function that would deadlock or race on the control thread (worker_call). */
#define ASSERT_NOT_CONTROL_THREAD() \
    ASSERT_NOT_THREAD_ROLE(THREAD_ROLE_CONTROL, "a thread other than the control thread")
/* At the entry of a function (or a plugin callback site) that only the task's own thread may
 * run. */
#define ASSERT_TASK_THREAD(task) ASSERT_THREAD_ROLE(THREAD_ROLE_TASK, (task), "its task's thread")

#endif
