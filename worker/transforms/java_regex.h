/*
 * java_regex.h - Java's regular expressions (java.util.regex.Pattern) and replacement strings
 * (Matcher.replaceFirst, replaceAll) on PCRE2, for the transforms and predicates whose configs
 * hold a Java regex: RegexRouter, TopicNameMatches, ByLogicalTableRouter, the outbox router.
 *
 * A pattern is read by Java's grammar and written out in PCRE2's syntax:
 * - what means the same in both passes through (literals, groups, look-arounds, quantifiers,
 *   \d \s \w \h \v and their negations, \b \B \A \G \z \X, back references, named groups);
 * - what PCRE2 reads differently is translated: \p{Alpha} and the other POSIX classes as Java's
 *   US-ASCII sets, \p{javaLowerCase} and the other Character.isXxx properties, \p{IsLatin},
 *   \p{IsAlphabetic}, \p{gc=Lu}; \Q..\E; octal \0nnn, \uXXXX (surrogate pairs joined), \cX and
 *   \x escapes; the digits a back reference takes (Java drops digits until the group exists),
 *   and a reference to a group the pattern lacks (it never matches); . ^ $ \Z and \R with
 *   Java's line terminators (\n \r\n \r \u0085 \u2028 \u2029) and the flags d, m and s;
 *   (?x) whitespace and comments (inside classes too); (?i) as Java's US-ASCII case folding,
 *   (?iu) as PCRE2's Unicode folding; a repeated \R or fixed group, which Java does not
 *   backtrack into;
 * - what has no faithful translation is refused, the message naming it: class intersection
 *   (&&), a class nested in a class ([a[b]], so also [[:alpha:]]), the flags U
 *   (UNICODE_CHARACTER_CLASS) and c (CANON_EQ), a back reference under (?i) without (?u) (Java
 *   folds US-ASCII only), \N{name}, \b{g}, Unicode blocks (\p{InGreek}), the properties
 *   javaJavaIdentifierStart/Part, javaUnicodeIdentifierStart/Part and javaMirrored, lone
 *   surrogates, counts above 65535, group names longer than 32, groups nested deeper than 250
 *   and look-behinds whose length varies (PCRE2's limits);
 * - what Java rejects is rejected with Java's own PatternSyntaxException message ("Illegal
 *   repetition near index 0", then the pattern and a caret line, worded as JDK 25 does; JDK 17
 *   calls a trailing backslash an "Unexpected internal error"), including what PCRE2 would
 *   accept: a `{` that starts no repetition, (?#..), (?P<..>), \E outside \Q, \C, \K. A
 *   pattern that is both invalid Java and refused may get the refusal.
 * Where a result still differs from Java it is for characters topic names cannot hold: Unicode
 * properties follow PCRE2's Unicode 14 tables rather than the JDK's own version; \b counts only
 * [A-Za-z0-9_] as word characters (as JDK 19 and later do; JDK 17 also counted Unicode letters
 * and digits) and not a non-spacing mark after a letter; (?iu) folds with Unicode's simple case
 * folding rather than Character.toUpperCase/toLowerCase (U+0130 and U+1E9E differ).
 *
 * Matching works on UTF-8 text by code point, as Java does on chars with surrogate pairs
 * joined. Text that is not valid UTF-8 never matches (replacing in it is an error).
 *
 * A compiled regex keeps one PCRE2 match block, so it is used by one thread at a time (each
 * task thread builds its own transforms); compile it once, at configure time, and match it per
 * record.
 */
#ifndef FERRY_JAVA_REGEX_H
#define FERRY_JAVA_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct java_regex java_regex;

/* Compiles a Java pattern (UTF-8, NUL-terminated) as Pattern.compile(pattern) with no flags.
 * NULL on failure, with Java's PatternSyntaxException message in err (or one naming the
 * construct ferry does not support, in the same form). */
java_regex *java_regex_compile(const char *pattern, char *err, size_t errlen);

/* Matcher.matches(): whether the whole subject (len bytes of UTF-8) matches. */
bool java_regex_matches(java_regex *regex, const char *subject, size_t len);

/* Matcher.replaceFirst(replacement) on a NUL-terminated subject: the first match of an
 * unanchored search from the start replaced by the replacement expanded as Java does ($n,
 * ${name}, a backslash quoting the next character). Returns 1 with the new text in *out (the
 * caller frees it), 0 when nothing matches (*out is NULL: the result is the subject itself), or
 * -1 with err saying why: Java's exception message for a bad replacement ("No group 2",
 * "Illegal group reference", "character to be escaped is missing", ...), which Java too only
 * reports when there is a match to replace, or out of memory.
 * RegexRouter calls java_regex_matches first and this only when the whole topic matched: this
 * search is a new one and may find a shorter match (".*?" finds the empty string), as in Java. */
int java_regex_replace_first(java_regex *regex, const char *subject, const char *replacement,
                             char **out, char *err, size_t errlen);

/* Whether replacement would expand for every match (RegexRouter checks its replacement when it
 * is configured, where Java finds out at the first topic that matches): 0, or -1 with the message
 * java_regex_replace_first would give ("No group 2", "Illegal group reference", ...). */
int java_regex_replacement_check(const java_regex *regex, const char *replacement, char *err,
                                 size_t errlen);

/* Matcher.replaceAll(replacement): every match replaced, the next search starting where a match
 * ended, or one character later after an empty match. The same results as replace_first; a
 * pattern with \G that matches empty is refused (-1), as PCRE2's \G would then sit one
 * character later than Java's. */
int java_regex_replace_all(java_regex *regex, const char *subject, const char *replacement,
                           char **out, char *err, size_t errlen);

/* The number of capturing groups (Matcher.groupCount()). */
size_t java_regex_group_count(const java_regex *regex);

/* Accepts NULL. */
void java_regex_free(java_regex *regex);

#endif
