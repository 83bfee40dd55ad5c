/*
 * keystore_fixture.h - the Java stores made by keytool for the unit tests
 * (tests/unit/fixtures/java_keystore, README.md there): their paths and contents.
 */
#ifndef FERRY_TESTS_KEYSTORE_FIXTURE_H
#define FERRY_TESTS_KEYSTORE_FIXTURE_H

/* "<fixture dir>/<name>", in one of 8 rotating buffers (valid for the next 7 calls). */
const char *keystore_fixture(const char *name);

/* The whole file, NUL-terminated (malloc'd); a test failure when it cannot be read. */
char *keystore_fixture_text(const char *name);

#endif
