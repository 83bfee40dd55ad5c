/*
 * tsan_c11_threads.c - preloaded into every process of the ThreadSanitizer runs (tests/run.sh
 * tsan): librdkafka uses C11 threads (thrd_create, mtx_lock, cnd_wait, thrd_join), which glibc
 * implements by calling its pthread functions internally, past the entry points ThreadSanitizer
 * intercepts. gcc 12's ThreadSanitizer then never sees librdkafka's threads start (it crashes in
 * its allocator on their first malloc) nor its locks (every access they guard looks racy). These
 * definitions do what glibc's do (mtx_t and cnd_t are glibc's pthread_mutex_t and
 * pthread_cond_t) through the public pthread functions, which ThreadSanitizer sees.
 *
 * Likewise sem_clockwait (worker_call_timeout waits on it), which gcc 12's ThreadSanitizer does
 * not intercept while it does sem_post: the wait is annotated as the acquire it is, or every
 * result a command hands back through worker_call looks racy.
 */
#include <dlfcn.h>
#include <errno.h>
#include <semaphore.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>
#include <time.h>

typedef struct tsan_thread_start {
    thrd_start_t function;
    void *argument;
} tsan_thread_start;

static void *tsan_thread_main(void *argument)
{
    tsan_thread_start start = *(tsan_thread_start *)argument;
    free(argument);
    return (void *)(intptr_t)start.function(start.argument);
}

int thrd_create(thrd_t *thread, thrd_start_t function, void *argument)
{
    tsan_thread_start *start = malloc(sizeof(*start));
    if (!start)
        return thrd_nomem;
    *start = (tsan_thread_start){.function = function, .argument = argument};
    pthread_t id;
    int rc = pthread_create(&id, NULL, tsan_thread_main, start);
    if (rc != 0) {
        free(start);
        return rc == EAGAIN ? thrd_nomem : thrd_error;
    }
    *thread = id;
    return thrd_success;
}

int thrd_join(thrd_t thread, int *result)
{
    void *value = NULL;
    if (pthread_join(thread, &value) != 0)
        return thrd_error;
    if (result)
        *result = (int)(intptr_t)value;
    return thrd_success;
}

int thrd_detach(thrd_t thread)
{
    return pthread_detach(thread) == 0 ? thrd_success : thrd_error;
}

static int tsan_result(int rc)
{
    return rc == 0 ? thrd_success : rc == ETIMEDOUT ? thrd_timedout : rc == EBUSY ? thrd_busy
           : rc == ENOMEM ? thrd_nomem : thrd_error;
}

int mtx_init(mtx_t *mutex, int type)
{
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    if (type & mtx_recursive)
        pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init((pthread_mutex_t *)mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    return tsan_result(rc);
}

int mtx_lock(mtx_t *mutex)
{
    return tsan_result(pthread_mutex_lock((pthread_mutex_t *)mutex));
}

int mtx_timedlock(mtx_t *restrict mutex, const struct timespec *restrict deadline)
{
    return tsan_result(pthread_mutex_timedlock((pthread_mutex_t *)mutex, deadline));
}

int mtx_trylock(mtx_t *mutex)
{
    return tsan_result(pthread_mutex_trylock((pthread_mutex_t *)mutex));
}

int mtx_unlock(mtx_t *mutex)
{
    return tsan_result(pthread_mutex_unlock((pthread_mutex_t *)mutex));
}

void mtx_destroy(mtx_t *mutex)
{
    pthread_mutex_destroy((pthread_mutex_t *)mutex);
}

int cnd_init(cnd_t *condition)
{
    return tsan_result(pthread_cond_init((pthread_cond_t *)condition, NULL));
}

int cnd_signal(cnd_t *condition)
{
    return tsan_result(pthread_cond_signal((pthread_cond_t *)condition));
}

int cnd_broadcast(cnd_t *condition)
{
    return tsan_result(pthread_cond_broadcast((pthread_cond_t *)condition));
}

int cnd_wait(cnd_t *condition, mtx_t *mutex)
{
    return tsan_result(pthread_cond_wait((pthread_cond_t *)condition, (pthread_mutex_t *)mutex));
}

int cnd_timedwait(cnd_t *restrict condition, mtx_t *restrict mutex,
                  const struct timespec *restrict deadline)
{
    return tsan_result(pthread_cond_timedwait((pthread_cond_t *)condition,
                                              (pthread_mutex_t *)mutex, deadline));
}

void cnd_destroy(cnd_t *condition)
{
    pthread_cond_destroy((pthread_cond_t *)condition);
}

int sem_clockwait(sem_t *restrict semaphore, clockid_t clock,
                  const struct timespec *restrict deadline)
{
    typedef int wait_fn(sem_t *restrict, clockid_t, const struct timespec *restrict);
    static wait_fn *real_wait;
    static void (*acquire)(void *);
    if (!real_wait) {
        acquire = (void (*)(void *))dlsym(RTLD_DEFAULT, "__tsan_acquire");
        real_wait = (wait_fn *)dlsym(RTLD_NEXT, "sem_clockwait");
    }
    int rc = real_wait(semaphore, clock, deadline);
    if (rc == 0 && acquire)
        acquire(semaphore);
    return rc;
}
