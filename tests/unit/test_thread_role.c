/*
 * test_thread_role.c - the thread assertions and the task's state transitions: roles are per
 * thread; a control-thread function called from a task's thread, worker_call from the control
 * thread, task_report from the control thread and an illegal task transition each abort with a
 * message naming the function and the thread (checked in a forked child); the legal calls pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/thread_role.h"
#include "config/config_map.h"
#include "runtime/connector_runtime.h"
#include "runtime/worker.h"
#include "tasks/runtime_state.h"
#include "tasks/task.h"

/* What unit tests do before they call control-thread functions directly: this thread plays the
 * control thread. */
static void control_thread_take(void)
{
    thread_role_set(THREAD_ROLE_CONTROL, NULL, NULL);
}

static const task_environment no_environment = {0};

/* A task that never starts, created on the control thread. */
static connector_task *task_unstarted(void)
{
    control_thread_take();
    config_map *config = config_map_new();
    assert_non_null(config);
    connector_task *task = task_new("orders", 0, NULL, config, &no_environment);
    config_map_destroy(config);
    assert_non_null(task);
    return task;
}

static void task_release(connector_task *task)
{
    control_thread_take();
    task_stop_and_destroy(task, 0);
    thread_role_clear();
}

/* ---- roles ------------------------------------------------------------------------------ */

static void *role_of_new_thread(void *argument)
{
    *(thread_role *)argument = thread_role_current();
    return NULL;
}

static void test_roles_are_per_thread(void **state)
{
    (void)state;
    char described[128];
    assert_int_equal(thread_role_current(), THREAD_ROLE_NONE);
    assert_string_equal(thread_role_describe(described, sizeof(described)),
                        "a thread with no role (REST, signals, Kafka client, test)");

    control_thread_take();
    assert_true(thread_role_is(THREAD_ROLE_CONTROL, NULL));
    assert_false(thread_role_is(THREAD_ROLE_TASK, NULL));
    assert_string_equal(thread_role_describe(described, sizeof(described)), "the control thread");
    /* A thread starts with no role, whatever the thread that started it. */
    thread_role seen = THREAD_ROLE_CONTROL;
    pthread_t other;
    assert_int_equal(pthread_create(&other, NULL, role_of_new_thread, &seen), 0);
    pthread_join(other, NULL);
    assert_int_equal(seen, THREAD_ROLE_NONE);

    int task = 0, other_task = 0;
    thread_role_set(THREAD_ROLE_TASK, &task, "task:orders-0");
    assert_true(thread_role_is(THREAD_ROLE_TASK, &task));
    assert_true(thread_role_is(THREAD_ROLE_TASK, NULL));
    assert_false(thread_role_is(THREAD_ROLE_TASK, &other_task));
    assert_false(thread_role_is(THREAD_ROLE_CONTROL, NULL));
    assert_string_equal(thread_role_describe(described, sizeof(described)),
                        "the thread of task:orders-0");

    thread_role_clear();
    assert_int_equal(thread_role_current(), THREAD_ROLE_NONE);
}

static void test_transition_table(void **state)
{
    (void)state;
    static const runtime_state_transitions table = {
        [STATE_UNASSIGNED] = RUNTIME_STATE_BIT(STATE_RUNNING),
        [STATE_RUNNING] = RUNTIME_STATE_BIT(STATE_PAUSED) | RUNTIME_STATE_BIT(STATE_FAILED),
    };
    assert_true(runtime_state_transition_legal(table, STATE_UNASSIGNED, STATE_RUNNING));
    assert_true(runtime_state_transition_legal(table, STATE_RUNNING, STATE_FAILED));
    assert_false(runtime_state_transition_legal(table, STATE_UNASSIGNED, STATE_PAUSED));
    assert_false(runtime_state_transition_legal(table, STATE_FAILED, STATE_RUNNING));
    assert_false(runtime_state_transition_legal(table, (runtime_state)42, STATE_RUNNING));
}

/* A task reports the states of its life from its own thread; the control thread reads them. */
static void test_legal_calls_pass(void **state)
{
    (void)state;
    connector_task *task = task_unstarted();
    thread_role_set(THREAD_ROLE_TASK, task, task->scope);
    task_report(task, STATE_RUNNING, NULL);
    task_report(task, STATE_PAUSED, NULL);
    task_report(task, STATE_RUNNING, NULL);
    task_problem_set(task, "slow");
    task_problem_set(task, NULL);
    assert_true(task_topic_note(task, "orders"));
    assert_false(task_topic_note(task, "orders"));
    task_report(task, STATE_UNASSIGNED, NULL);

    control_thread_take();
    assert_int_equal(task_state(task, NULL), STATE_UNASSIGNED);
    json_t *topics = task_topics_changed(task);
    assert_int_equal(json_array_size(topics), 1);
    json_decref(topics);
    task_release(task);
}

/* ---- wrong threads, in a child that must abort ----------------------------------------- */

/* The assertions exist in debug builds only (the project's builds: NDEBUG is not set). */
static void skip_without_assertions(void)
{
#ifdef NDEBUG
    skip();
#endif
}

/* Runs fn(argument) in a forked child and checks that it aborted with a message on stderr that
 * holds each of the needles (NULL-terminated). */
static void assert_aborts(void (*fn)(void *), void *argument, ...)
{
    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        fn(argument);
        _exit(0); /* not caught */
    }
    close(pipe_fds[1]);
    char message[2048];
    size_t used = 0;
    ssize_t got;
    while (used < sizeof(message) - 1 &&
           (got = read(pipe_fds[0], message + used, sizeof(message) - 1 - used)) > 0)
        used += (size_t)got;
    message[used] = '\0';
    close(pipe_fds[0]);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("the child did not abort (status %d); it wrote: %s", status, message);
    va_list needles;
    va_start(needles, argument);
    for (const char *needle = va_arg(needles, const char *); needle;
         needle = va_arg(needles, const char *))
        if (!strstr(message, needle))
            fail_msg("expected '%s' in the child's message: %s", needle, message);
    va_end(needles);
}

static void connector_count_from_task_thread(void *argument)
{
    connector_runtime *connector = argument;
    thread_role_set(THREAD_ROLE_TASK, connector, "task:orders-0");
    connector_runtime_task_count(connector);
}

static void test_control_function_on_task_thread(void **state)
{
    (void)state;
    skip_without_assertions();
    control_thread_take();
    const connector_environment environment = {.tasks = no_environment};
    config_map *config = config_map_new();
    assert_non_null(config);
    connector_runtime *connector = connector_runtime_new(&environment, "orders", config,
                                                         STATE_STOPPED);
    assert_non_null(connector);
    assert_int_equal(connector_runtime_task_count(connector), 0);
    assert_aborts(connector_count_from_task_thread, connector,
                  "thread assertion failed: connector_runtime_task_count",
                  "must run on the control thread", "but ran on the thread of task:orders-0",
                  NULL);
    connector_runtime_destroy(connector);
    config_map_destroy(config);
    thread_role_clear();
}

static void noop_command(worker *self, void *argument)
{
    (void)self;
    (void)argument;
}

static void worker_call_on_control_thread(void *argument)
{
    (void)argument;
    control_thread_take();
    /* The assertion comes before the worker is used: none is needed to show it. */
    worker_call(NULL, noop_command, NULL);
}

static void test_worker_call_on_control_thread(void **state)
{
    (void)state;
    skip_without_assertions();
    assert_aborts(worker_call_on_control_thread, NULL, "thread assertion failed: worker_call",
                  "must run on a thread other than the control thread",
                  "but ran on the control thread", NULL);
}

static void report_from_control_thread(void *argument)
{
    control_thread_take();
    task_report(argument, STATE_RUNNING, NULL);
}

static void report_from_other_task(void *argument)
{
    int other = 0;
    thread_role_set(THREAD_ROLE_TASK, &other, "task:payments-1");
    task_problem_set(argument, "not mine");
}

static void report_after_failure(void *argument)
{
    connector_task *task = argument;
    thread_role_set(THREAD_ROLE_TASK, task, task->scope);
    task_report(task, STATE_FAILED, "broken");
    task_report(task, STATE_RUNNING, NULL);
}

static void test_task_reports_checked(void **state)
{
    (void)state;
    skip_without_assertions();
    connector_task *task = task_unstarted();
    assert_aborts(report_from_control_thread, task, "thread assertion failed: task_report",
                  "must run on its task's thread", "but ran on the control thread", NULL);
    assert_aborts(report_from_other_task, task, "thread assertion failed: task_problem_set",
                  "but ran on the thread of task:payments-1", NULL);
    assert_aborts(report_after_failure, task,
                  "illegal state transition of task:orders-0: FAILED -> RUNNING", NULL);
    task_release(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_are_per_thread),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_legal_calls_pass),
        cmocka_unit_test(test_control_function_on_task_thread),
        cmocka_unit_test(test_worker_call_on_control_thread),
        cmocka_unit_test(test_task_reports_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
