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

/* The two modes of a target whose input may carry its own configuration: a first byte below 0x80
 * picks one of the target's built-in setups (fixed), one from 0x80 says that the rest of the
 * input starts with a configuration text (configured). Each gets the first byte and the rest. */
typedef void fuzz_mode(uint8_t first, const uint8_t *rest, size_t len);

static inline int fuzz_two_modes(const uint8_t *data, size_t size, fuzz_mode *fixed,
                                 fuzz_mode *configured)
{
    if (size > 0)
        (data[0] < 0x80 ? fixed : configured)(data[0], data + 1, size - 1);
    return 0;
}

#endif
