/*
 * fuzz_replay.c - the unit suite's side of a fuzz target: feeds it every file of its seed corpus
 * and of its regressions (inputs that once crashed it), each in a buffer of exactly its size so
 * that the sanitizers see any read past the end, as libFuzzer would.
 *
 *   fuzz_replay_<target> CORPUS_DIR [REGRESSIONS_DIR]
 *
 * The corpus must hold at least one file; the regressions directory may be missing (no finding
 * yet).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz_target.h"

/* Reads path whole into a new buffer of its size; NULL with a message on stderr. */
static uint8_t *replay_read(const char *path, size_t *size)
{
    uint8_t *data = NULL;
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(file), &st) != 0 || st.st_size < 0) {
        fprintf(stderr, "fuzz_replay: %s: cannot stat\n", path);
        goto done;
    }
    *size = (size_t)st.st_size;
    data = malloc(*size ? *size : 1);
    if (!data || fread(data, 1, *size, file) != *size) {
        fprintf(stderr, "fuzz_replay: %s: cannot read\n", path);
        free(data);
        data = NULL;
    }
done:
    fclose(file);
    return data;
}

static int replay_is_input(const struct dirent *entry)
{
    return entry->d_name[0] != '.';
}

/* Replays every file of dir in name order; the number replayed, or -1 when dir cannot be read. */
static long replay_dir(const char *dir, int missing_ok)
{
    struct dirent **entries = NULL;
    int count = scandir(dir, &entries, replay_is_input, alphasort);
    if (count < 0) {
        if (missing_ok && errno == ENOENT)
            return 0;
        fprintf(stderr, "fuzz_replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    long replayed = 0;
    for (int i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
        size_t size = 0;
        uint8_t *data = replay_read(path, &size);
        if (data) {
            LLVMFuzzerTestOneInput(data, size);
            free(data);
            replayed++;
        }
        free(entries[i]);
    }
    free(entries);
    return replayed == count ? replayed : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR [REGRESSIONS_DIR]\n", argv[0]);
        return 2;
    }
    long corpus = replay_dir(argv[1], 0);
    long regressions = argc == 3 ? replay_dir(argv[2], 1) : 0;
    if (corpus < 0 || regressions < 0)
        return 1;
    if (corpus == 0) {
        fprintf(stderr, "fuzz_replay: %s holds no input\n", argv[1]);
        return 1;
    }
    printf("fuzz_replay: %ld corpus and %ld regression inputs replayed\n", corpus, regressions);
    return 0;
}
