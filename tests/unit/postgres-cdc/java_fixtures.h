/* java_fixtures.h - the JVM's serializations of fixtures/java_serial/java_serial.txt, for the
 * tests of java_serial.c and of the offsets that carry them. */
#ifndef PGCDC_TEST_JAVA_FIXTURES_H
#define PGCDC_TEST_JAVA_FIXTURES_H

/* The hex of the fixture called name (malloc'd); fails the test when there is none. */
char *java_fixture_hex(const char *name);

#endif
