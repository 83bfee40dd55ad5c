/*
 * fuzz_target.h - the one entry every fuzz target defines (libFuzzer's). The same target links
 * into a libFuzzer binary (-Dfuzz=true, clang) and into fuzz_replay.c's main, which feeds it every
 * corpus and regression file in the unit suite with any compiler.
 */
#ifndef FERRY_FUZZ_TARGET_H
#define FERRY_FUZZ_TARGET_H
#include <stddef.h>
#include <stdint.h>

/* Runs the parser on one input. Returns 0; a bug is a crash, a sanitizer report, a leak or a
 * failed fuzz_check. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the run with what went wrong when a property of the target does not hold (a round trip
 * that changes the value): abort() is what libFuzzer and the replay both report as a crash. */
#define fuzz_check(condition, ...)                                                          \
    do {                                                                                    \
        if (!(condition)) {                                                                 \
            fprintf(stderr, "fuzz_check failed at %s:%d: %s: ", __FILE__, __LINE__,         \
                    #condition);                                                            \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

#endif
