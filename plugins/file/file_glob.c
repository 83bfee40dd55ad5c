/*
 * file_glob.c - discovery of the files the patterns match (see file_glob.h).
 */
#include "file_glob.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/array.h"

struct file_glob {
    char **patterns;
    char **dirs; /* static directory of each pattern */
    size_t pattern_count;
    char **excludes;
    size_t exclude_count;
    char **expanded; /* the patterns with their braces expanded, for file_glob_matches_path */
    size_t expanded_count;
    size_t expanded_capacity;
    bool literal;
};

static size_t file_glob_list_length(const char *const *list)
{
    size_t count = 0;
    while (list && list[count])
        count++;
    return count;
}

static char **file_glob_list_copy(const char *const *list, size_t count)
{
    char **copy = calloc(count + 1, sizeof(*copy));
    if (!copy)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        if (!(copy[i] = strdup(list[i]))) {
            for (size_t k = 0; k < i; k++)
                free(copy[k]);
            free(copy);
            return NULL;
        }
    }
    return copy;
}

static void file_glob_list_free(char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free(list[i]);
    free(list);
}

void file_glob_destroy(file_glob *matcher)
{
    if (!matcher)
        return;
    file_glob_list_free(matcher->patterns, matcher->pattern_count);
    file_glob_list_free(matcher->dirs, matcher->pattern_count);
    file_glob_list_free(matcher->excludes, matcher->exclude_count);
    file_glob_list_free(matcher->expanded, matcher->expanded_count);
    free(matcher);
}

static bool file_glob_is_wildcard(char c)
{
    return c == '*' || c == '?' || c == '[' || c == '{';
}

char *file_glob_static_dir(const char *pattern, bool literal)
{
    size_t length = strlen(pattern);
    /* The end of the static part: the start of the component holding the first wildcard, or the
     * last component (the file name) when there is none. */
    size_t limit = length;
    if (!literal) {
        for (size_t i = 0; i < length; i++) {
            if (file_glob_is_wildcard(pattern[i])) {
                limit = i;
                break;
            }
        }
    }
    size_t slash = limit;
    while (slash > 0 && pattern[slash - 1] != '/')
        slash--;
    /* pattern[0, slash) is the directory with its trailing '/', empty when relative. */
    if (slash == 0)
        return strdup(".");
    if (slash == 1)
        return strdup("/");
    return strndup(pattern, slash - 1);
}

/* The '}' closing the '{' at open, or NULL; *commas counts its top-level commas. */
static const char *file_glob_brace_end(const char *open, size_t *commas)
{
    int depth = 0;
    *commas = 0;
    for (const char *at = open; *at; at++) {
        if (*at == '\\' && at[1]) {
            at++;
        } else if (*at == '{') {
            depth++;
        } else if (*at == '}' && --depth == 0) {
            return at;
        } else if (*at == ',' && depth == 1) {
            (*commas)++;
        }
    }
    return NULL;
}

static int file_glob_expanded_add(file_glob *matcher, char *pattern)
{
    if (array_reserve(&matcher->expanded, &matcher->expanded_capacity,
                      matcher->expanded_count + 1, sizeof(*matcher->expanded)) != 0) {
        free(pattern);
        return -1;
    }
    matcher->expanded[matcher->expanded_count++] = pattern;
    return 0;
}

/* Adds pattern with its braces expanded as glob(3)'s GLOB_BRACE does: "{a,b}" is "a" then "b",
 * nested braces too; a brace without a comma or without its '}' is a plain character. */
static int file_glob_expand(file_glob *matcher, const char *pattern)
{
    for (const char *open = strchr(pattern, '{'); open; open = strchr(open + 1, '{')) {
        if (open > pattern && open[-1] == '\\')
            continue;
        size_t commas;
        const char *close = file_glob_brace_end(open, &commas);
        if (!close || commas == 0)
            continue;
        size_t prefix = (size_t)(open - pattern);
        const char *alternative = open + 1;
        int depth = 0;
        for (const char *at = alternative; at <= close; at++) {
            if (*at == '\\' && at < close) {
                at++;
                continue;
            }
            if (*at == '{')
                depth++;
            else if (*at == '}' && at < close)
                depth--;
            if (depth > 0 || (*at != ',' && at != close))
                continue;
            char *one = NULL;
            if (asprintf(&one, "%.*s%.*s%s", (int)prefix, pattern, (int)(at - alternative),
                         alternative, close + 1) < 0)
                return -1;
            int rc = file_glob_expand(matcher, one);
            free(one);
            if (rc != 0)
                return -1;
            alternative = at + 1;
        }
        return 0;
    }
    char *copy = strdup(pattern);
    return copy ? file_glob_expanded_add(matcher, copy) : -1;
}

bool file_glob_matches_path(const file_glob *matcher, const char *path)
{
    if (file_glob_excluded(matcher, path))
        return false;
    for (size_t i = 0; matcher->literal && i < matcher->pattern_count; i++)
        if (strcmp(matcher->patterns[i], path) == 0)
            return true;
    for (size_t i = 0; i < matcher->expanded_count; i++)
        if (fnmatch(matcher->expanded[i], path, FNM_PATHNAME | FNM_PERIOD) == 0)
            return true;
    return false;
}

file_glob *file_glob_new(const char *const *patterns, const char *const *excludes, bool literal)
{
    file_glob *matcher = calloc(1, sizeof(*matcher));
    if (!matcher)
        return NULL;
    matcher->literal = literal;
    matcher->pattern_count = file_glob_list_length(patterns);
    matcher->exclude_count = file_glob_list_length(excludes);
    matcher->patterns = file_glob_list_copy(patterns, matcher->pattern_count);
    matcher->excludes = file_glob_list_copy(excludes, matcher->exclude_count);
    matcher->dirs = calloc(matcher->pattern_count + 1, sizeof(*matcher->dirs));
    if (!matcher->patterns || !matcher->excludes || !matcher->dirs) {
        file_glob_destroy(matcher);
        return NULL;
    }
    for (size_t i = 0; i < matcher->pattern_count; i++) {
        if (!(matcher->dirs[i] = file_glob_static_dir(matcher->patterns[i], literal)) ||
            (!literal && file_glob_expand(matcher, matcher->patterns[i]) != 0)) {
            file_glob_destroy(matcher);
            return NULL;
        }
    }
    return matcher;
}

size_t file_glob_pattern_count(const file_glob *matcher)
{
    return matcher->pattern_count;
}

const char *file_glob_dir(const file_glob *matcher, size_t index)
{
    return index < matcher->pattern_count ? matcher->dirs[index] : NULL;
}

bool file_glob_excluded(const file_glob *matcher, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    for (size_t i = 0; i < matcher->exclude_count; i++) {
        const char *pattern = matcher->excludes[i];
        if (strchr(pattern, '/') ? fnmatch(pattern, path, FNM_PATHNAME) == 0
                                 : fnmatch(pattern, name, 0) == 0)
            return true;
    }
    return false;
}

void file_glob_matches_clear(file_glob_matches *matches)
{
    for (size_t i = 0; i < matches->count; i++)
        free(matches->items[i].path);
    matches->count = 0;
}

static int file_glob_add(file_glob_matches *matches, const char *path, const struct stat *st)
{
    if (array_reserve(&matches->items, &matches->capacity, matches->count + 1,
                      sizeof(*matches->items)) != 0)
        return -1;
    char *copy = strdup(path);
    if (!copy)
        return -1;
    matches->items[matches->count++] = (file_glob_match){.path = copy, .st = *st};
    return 0;
}

/* glob(3)'s error callback has no context argument: the scan in progress on this thread. */
typedef struct file_glob_scan_context {
    file_glob_problem_fn problem;
    void *opaque;
} file_glob_scan_context;

static _Thread_local file_glob_scan_context *file_glob_current;

static int file_glob_error(const char *path, int error)
{
    /* Directories that vanish or are not directories are part of normal churn. */
    if (error != ENOENT && error != ENOTDIR && file_glob_current && file_glob_current->problem)
        file_glob_current->problem(file_glob_current->opaque, path, error);
    return 0; /* go on with the rest */
}

static int file_glob_consider(const file_glob *matcher, file_glob_matches *matches, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || file_glob_excluded(matcher, path))
        return 0;
    return file_glob_add(matches, path, &st);
}

static int file_glob_match_compare(const void *a, const void *b)
{
    return strcmp(((const file_glob_match *)a)->path, ((const file_glob_match *)b)->path);
}

int file_glob_scan(const file_glob *matcher, file_glob_matches *matches, file_glob_problem_fn problem,
                   void *opaque)
{
    file_glob_matches_clear(matches);
    file_glob_scan_context context = {problem, opaque};
    int rc = 0;
    for (size_t i = 0; i < matcher->pattern_count && rc == 0; i++) {
        /* A directory several patterns share is reported once. */
        bool reported = false;
        for (size_t k = 0; k < i && !reported; k++)
            reported = strcmp(matcher->dirs[k], matcher->dirs[i]) == 0;
        struct stat st;
        int error = stat(matcher->dirs[i], &st) != 0 ? errno
                    : !S_ISDIR(st.st_mode)           ? ENOTDIR
                                                     : 0;
        if (error) {
            if (problem && !reported)
                problem(opaque, matcher->dirs[i], error);
            continue;
        }
        if (matcher->literal) {
            rc = file_glob_consider(matcher, matches, matcher->patterns[i]);
            continue;
        }
        glob_t found = {0};
        file_glob_current = &context;
        int result = glob(matcher->patterns[i], GLOB_BRACE | GLOB_NOSORT, file_glob_error, &found);
        file_glob_current = NULL;
        if (result == GLOB_NOSPACE)
            rc = -1;
        for (size_t k = 0; result == 0 && k < found.gl_pathc && rc == 0; k++)
            rc = file_glob_consider(matcher, matches, found.gl_pathv[k]);
        globfree(&found);
    }
    if (rc != 0)
        return -1;
    if (matches->count > 1)
        qsort(matches->items, matches->count, sizeof(*matches->items),
              file_glob_match_compare);
    /* A path two patterns matched is kept once. */
    size_t kept = 0;
    for (size_t i = 0; i < matches->count; i++) {
        if (kept > 0 && strcmp(matches->items[kept - 1].path, matches->items[i].path) == 0) {
            free(matches->items[i].path);
            continue;
        }
        matches->items[kept++] = matches->items[i];
    }
    matches->count = kept;
    return 0;
}
