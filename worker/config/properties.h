/*
 * properties.h - a parser for Java .properties files as Kafka Connect users write them:
 * comments (# and !), key/value separated by '=', ':' or white space, backslash escapes
 * (\t \n \r \f \\ \uXXXX, any other escaped character stands for itself), line continuations with
 * a trailing backslash (leading white space of the next line dropped) and CRLF line ends.
 * Text is taken as UTF-8 (\uXXXX, surrogate pairs included, is encoded as UTF-8).
 */
#ifndef FERRY_PROPERTIES_H
#define FERRY_PROPERTIES_H

#include <stddef.h>

#include "config/config_map.h"

/* Adds every entry of text to out (a later duplicate key replaces an earlier one, as in Java).
 * Returns 0, or -1 with "line N: what is wrong" in err; out may then hold the entries before the
 * error. Errors: a malformed \u escape, a NUL byte, invalid UTF-8. */
int properties_parse(const char *text, size_t len, config_map *out, char *err, size_t errlen);
/* Reads and parses a file; errors name the path. */
int properties_parse_file(const char *path, config_map *out, char *err, size_t errlen);

#endif
