/*
 * file_glob.h - discovery: which regular files the configured patterns match right now.
 *
 * Patterns are glob(3) patterns with GNU braces ({a,b}); with `file` the one path is taken
 * literally (no wildcards). An exclude pattern containing '/' is matched against the whole path
 * ('*' does not cross '/'), one without against the file name only. Every pattern has a static
 * directory, the part before its first wildcard: that directory is what the source watches for
 * new files, and a missing one is reported as a problem (a missing file is not: it may come).
 */
#ifndef FERRY_FILE_GLOB_H
#define FERRY_FILE_GLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

typedef struct file_glob file_glob;

typedef struct file_glob_match {
    char *path;
    struct stat st; /* stat(2) of the path: symbolic links are followed */
} file_glob_match;

typedef struct file_glob_matches {
    file_glob_match *items;
    size_t count;
    size_t capacity;
} file_glob_matches;

/* Called for a directory that cannot be read (error is an errno value). */
typedef void (*file_glob_problem_fn)(void *opaque, const char *path, int error);

/* The arrays are copied. NULL when out of memory. */
file_glob *file_glob_new(const char *const *patterns, const char *const *excludes, bool literal);
void file_glob_destroy(file_glob *matcher);

/* Replaces matches with the regular files matched now, sorted by path, each once, excluded ones
 * left out. Returns 0, or -1 when out of memory. */
int file_glob_scan(const file_glob *matcher, file_glob_matches *matches, file_glob_problem_fn problem,
                   void *opaque);
void file_glob_matches_clear(file_glob_matches *matches);

size_t file_glob_pattern_count(const file_glob *matcher);
/* The static directory of pattern number index. */
const char *file_glob_dir(const file_glob *matcher, size_t index);
bool file_glob_excluded(const file_glob *matcher, const char *path);
/* Whether a scan would match path (a name an inotify event reported, joined to the directory the
 * pattern's matches live in): a pattern matches it (braces expanded, '*' not crossing '/', nor
 * matching a leading '.'), and no exclude pattern does. The file's type is not checked. */
bool file_glob_matches_path(const file_glob *matcher, const char *path);

/* The directory part of a pattern before its first wildcard ("/var/log" for
 * "/var/log/app-*.log" and "/var/log/app?/x.log", "." for "*.log"). A new string, NULL when out of
 * memory. */
char *file_glob_static_dir(const char *pattern, bool literal);

#endif
