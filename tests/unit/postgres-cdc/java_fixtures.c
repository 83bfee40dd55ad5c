/* java_fixtures.c - reads fixtures/java_serial/java_serial.txt (see java_fixtures.h). */
#include "java_fixtures.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *java_fixture_hex(const char *name)
{
    FILE *file = fopen(JAVA_SERIAL_FIXTURES "/java_serial.txt", "r");
    assert_non_null(file);
    char line[4096];
    char *hex = NULL;
    size_t name_len = strlen(name);
    while (!hex && fgets(line, sizeof line, file))
        if (strncmp(line, name, name_len) == 0 && line[name_len] == '\t') {
            hex = strdup(line + name_len + 1);
            hex[strcspn(hex, "\r\n")] = '\0';
        }
    fclose(file);
    assert_non_null(hex);
    return hex;
}
