/*
 * keystore_fixture.c - paths and contents of the unit tests' Java store fixtures.
 */
#include "keystore_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#ifndef JAVA_KEYSTORE_FIXTURES
#error "JAVA_KEYSTORE_FIXTURES names the fixture directory"
#endif

const char *keystore_fixture(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof(paths[0]), "%s/%s", JAVA_KEYSTORE_FIXTURES, name);
    return path;
}

char *keystore_fixture_text(const char *name)
{
    FILE *file = fopen(keystore_fixture(name), "rb");
    if (!file)
        fail_msg("cannot open the fixture %s", name);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t len = fread(text, 1, 65535, file);
    fclose(file);
    text[len] = '\0';
    return text;
}
