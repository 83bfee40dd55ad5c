/*
 * file_watch.c - inotify behind a small interface (see file_watch.h).
 */
#include "file_watch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define FILE_WATCH_FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
#define FILE_WATCH_DIR_EVENTS                                                                  \
    (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MOVE_SELF | IN_DELETE_SELF |     \
     IN_ONLYDIR)

struct file_watch {
    int fd; /* the inotify instance, -1 without */
};

file_watch *file_watch_new(bool use_inotify, char *why, size_t whylen)
{
    file_watch *watch = calloc(1, sizeof(*watch));
    if (!watch)
        return NULL;
    watch->fd = -1;
    if (why && whylen)
        why[0] = '\0';
    if (use_inotify) {
        watch->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (watch->fd < 0 && why)
            snprintf(why, whylen, "inotify is not available (%s)", strerror(errno));
    }
    return watch;
}

void file_watch_destroy(file_watch *watch)
{
    if (!watch)
        return;
    if (watch->fd >= 0)
        close(watch->fd);
    free(watch);
}

bool file_watch_uses_inotify(const file_watch *watch)
{
    return watch->fd >= 0;
}

int file_watch_add_file(file_watch *watch, int fd)
{
    if (watch->fd < 0) {
        errno = ENOSYS;
        return -1;
    }
    /* The descriptor's magic link names the open file itself, even renamed or deleted. */
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return inotify_add_watch(watch->fd, path, FILE_WATCH_FILE_EVENTS);
}

int file_watch_add_dir(file_watch *watch, const char *path)
{
    if (watch->fd < 0) {
        errno = ENOSYS;
        return -1;
    }
    return inotify_add_watch(watch->fd, path, FILE_WATCH_DIR_EVENTS);
}

void file_watch_remove(file_watch *watch, int wd)
{
    if (watch->fd >= 0 && wd >= 0)
        inotify_rm_watch(watch->fd, wd);
}

static unsigned file_watch_classify(uint32_t mask)
{
    unsigned what = 0;
    if (mask & (IN_MODIFY | IN_ATTRIB))
        what |= FILE_WATCH_MODIFIED;
    if (mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE))
        what |= FILE_WATCH_NAMES;
    if (mask & (IN_CREATE | IN_MOVED_TO))
        what |= FILE_WATCH_APPEARED;
    if (mask & IN_MOVED_FROM)
        what |= FILE_WATCH_MOVED_FROM;
    if (mask & IN_MOVED_TO)
        what |= FILE_WATCH_MOVED_TO;
    if (mask & (IN_MOVE_SELF | IN_DELETE_SELF | IN_UNMOUNT))
        what |= FILE_WATCH_GONE;
    if (mask & IN_IGNORED)
        what |= FILE_WATCH_IGNORED;
    return what;
}

int file_watch_drain(file_watch *watch, file_watch_event_fn fn, void *opaque)
{
    if (watch->fd < 0)
        return 0;
    /* Aligned as the kernel's records need. */
    char buffer[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int events = 0;
    bool overflow = false;
    for (;;) {
        ssize_t n = read(watch->fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EAGAIN: drained */
        for (char *at = buffer; at < buffer + n;) {
            const struct inotify_event *event = (const struct inotify_event *)at;
            if (event->mask & IN_Q_OVERFLOW)
                overflow = true;
            else if (fn)
                fn(opaque, event->wd, file_watch_classify(event->mask),
                   event->len > 0 && event->name[0] ? event->name : NULL, event->cookie);
            events++;
            at += sizeof(struct inotify_event) + event->len;
        }
    }
    return overflow ? -1 : events;
}

bool file_watch_wait(file_watch *watch, int timeout_ms)
{
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (watch->fd < 0) {
        struct timespec pause = {.tv_sec = timeout_ms / 1000,
                                 .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
        return false;
    }
    struct pollfd pfd = {.fd = watch->fd, .events = POLLIN};
    int rc;
    do
        rc = poll(&pfd, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc > 0;
}
