/*
 * compat_generate.c - writes the records of every compatibility case, as ferry's JsonConverter
 * writes them, to the file named on the command line (or standard output): how
 * tests/compat/records/ferry.jsonl is made (see tests/compat/README.md).
 */
#include <stdio.h>

#include "compat_records.h"

int main(int argc, char **argv)
{
    char err[512] = "";
    if (argc > 2) {
        fprintf(stderr, "usage: %s [OUTPUT.jsonl]\n", argv[0]);
        return 2;
    }
    FILE *out = argc == 2 ? fopen(argv[1], "w") : stdout;
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    int rc = compat_records_write(out, err, sizeof(err));
    if (argc == 2 && fclose(out) != 0 && rc == 0) {
        perror(argv[1]);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], err);
        return 1;
    }
    return 0;
}
