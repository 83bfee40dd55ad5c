/*
 * java_regex.c - Java's Pattern syntax translated to PCRE2, and Java's replacement strings
 * (java_regex.h says what is translated, passed through and refused).
 *
 * The translator follows the structure of Java's own recursive-descent parser (Pattern's expr,
 * sequence, atom, escape, clazz, range, family, group0, closure) over the same array of code
 * points, with \Q..\E already rewritten as Java rewrites it, and the same cursor moves (peek,
 * read, next, skip, unread, each skipping whitespace and comments in (?x) mode exactly where
 * Java's do). So whitespace in (?x) mode, the digits a back reference takes, which input is an
 * error and the index a message names come out as in Java. Instead of building nodes it writes
 * PCRE2 syntax, one PCRE2 item per Java node, so that a quantifier applies to what it applies to
 * in Java.
 *
 * Everything that depends on a newline convention is written out explicitly (. ^ $ \Z \R with
 * Java's terminators and the d, m and s flags), so PCRE2's own convention plays no part; it is
 * set to LF because under the conventions that know CRLF a search that fails at a \r skips the
 * position between it and a \n, where Java tries too. The m, s, x and d flags are therefore
 * never passed on; (?i) is, only when u is also on ((?iu) is Unicode folding in both); plain
 * (?i) folds US-ASCII letters only in Java, so it is written out as [aA] and widened ranges.
 *
 * The pattern is translated twice: the first pass counts the capturing groups, so that the
 * second can write a back reference to a group the pattern does not have (Java compiles it and
 * it never matches) as (?!), where PCRE2 would refuse it.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "transforms/java_regex.h"

#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"
#include "support/strbuf.h"
#include "support/utf8.h"

/* Java's flag bits (Pattern.UNIX_LINES ...) that the translator follows. */
enum {
    FLAG_UNIX_LINES = 0x01,
    FLAG_CASE_INSENSITIVE = 0x02,
    FLAG_COMMENTS = 0x04,
    FLAG_MULTILINE = 0x08,
    FLAG_DOTALL = 0x20,
    FLAG_UNICODE_CASE = 0x40,
};

#define PADDING 8          /* zeros after the code points: Java's parser reads past the end */
#define NAME_MAX_LENGTH 32 /* PCRE2's longest group name */
#define COUNT_MAX 65535    /* PCRE2's largest repetition count */
#define DEPTH_MAX 250      /* PCRE2's default limit of nested parentheses */
#define NO_TOTAL UINT32_MAX

/* Java's line terminators, as PCRE2 class items. */
#define TERMINATORS "\\x{a}\\x{d}\\x{85}\\x{2028}\\x{2029}"

typedef struct group_name {
    char name[NAME_MAX_LENGTH + 1];
    uint32_t number;
} group_name;

/* Where a look-behind starts in Java's pattern and in the output: PCRE2 names a look-behind
 * it cannot compile by its start. */
typedef struct lookbehind_start {
    size_t output;
    long index;
} lookbehind_start;

struct java_regex {
    pcre2_code *search; /* unanchored: Matcher.find() */
    pcre2_code *whole;  /* anchored at both ends: Matcher.matches() */
    pcre2_match_data *match_data;
    uint32_t group_count;
    group_name *names;
    size_t name_count;
    bool uses_last_match; /* \G */
};

/* What the last node written is, for a quantifier that follows it: PCRE2 repeats neither an
 * assertion written bare (\b, \A) nor nothing at all, Java does both. */
typedef enum node_kind {
    NODE_ITEM,
    NODE_ASSERTION,
    NODE_EMPTY,
    NODE_LINE_ENDING, /* \R: a quantifier does not backtrack into it in Java */
} node_kind;

typedef struct translator {
    const char *pattern; /* as given, for messages */
    int32_t *temp;       /* code points with \Q..\E rewritten, PADDING zeros after */
    size_t length;       /* code points before the padding */
    size_t cursor;
    int flags;
    bool caseless; /* PCRE2's (?i) at this point of the output */
    node_kind kind;
    uint32_t groups_opened;
    uint32_t total_groups; /* NO_TOTAL in the first pass */
    group_name *names;
    size_t name_count, name_capacity;
    lookbehind_start *lookbehinds;
    size_t lookbehind_count, lookbehind_capacity;
    unsigned depth;
    bool uses_last_match;
    /* What Java's study() would find in the group body written so far: a part whose length
     * varies (an alternative, a quantifier other than {n}, \X), and a \R. */
    bool varying;
    bool has_line_ending;
    strbuf out;
    bool failed;
    char *err;
    size_t errlen;
} translator;

/* A Java character class being written: plain PCRE2 class items, and alternatives of one
 * character each for what no class item can say (a negated set of several properties, a
 * property under (?iu), which PCRE2 would fold). */
typedef struct char_class {
    strbuf plain;
    strbuf extras;
    bool has_items;
} char_class;

/* A character property: PCRE2 class items, and whether the set is their complement. */
typedef struct property_set {
    const char *items;
    bool negated;
    char storage[96];
} property_set;

static void expr(translator *t);

/* ---- messages ------------------------------------------------------------------------- */

/* Java's PatternSyntaxException.getMessage(): the description, " near index N", the pattern
 * and a caret under the index (counted in UTF-16 units, as Java counts). */
static void format_syntax_error(char *err, size_t errlen, const char *pattern, long index,
                                const char *description)
{
    strbuf message = {0};
    strbuf_append_str(&message, description);
    if (index >= 0)
        strbuf_append_printf(&message, " near index %ld", index);
    strbuf_append_char(&message, '\n');
    strbuf_append_str(&message, pattern);
    size_t len = strlen(pattern), units = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = utf8_sequence((const unsigned char *)pattern + i, len - i, &cp);
        i += n ? n : 1;
        units += cp >= 0x10000 ? 2 : 1;
    }
    if (index >= 0 && (size_t)index < units) {
        strbuf_append_char(&message, '\n');
        long unit = 0;
        for (size_t i = 0; i < len && unit < index;) {
            uint32_t cp = 0;
            size_t n = utf8_sequence((const unsigned char *)pattern + i, len - i, &cp);
            i += n ? n : 1;
            for (int u = 0; u < (cp >= 0x10000 ? 2 : 1) && unit < index; u++, unit++)
                strbuf_append_char(&message, cp == '\t' ? '\t' : ' ');
        }
        strbuf_append_char(&message, '^');
    }
    ferry_error_set(err, errlen, "%s", strbuf_failed(&message) ? description : message.data);
    strbuf_free(&message);
}

static FERRY_PRINTF(3, 4) void fail_at(translator *t, long index, const char *fmt, ...)
{
    if (t->failed)
        return;
    t->failed = true;
    char description[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(description, sizeof description, fmt, ap);
    va_end(ap);
    format_syntax_error(t->err, t->errlen, t->pattern, index, description);
}

static void fail_memory(translator *t)
{
    if (t->failed)
        return;
    t->failed = true;
    ferry_error_set(t->err, t->errlen, "out of memory compiling the pattern %s", t->pattern);
}

/* Java's Pattern.error(): the index is the cursor's position less one. */
#define java_error(t, ...) fail_at((t), (long)(t)->cursor - 1, __VA_ARGS__)

/* ---- the cursor, as Java moves it ---------------------------------------------------------- */

static bool is_ascii_digit(int32_t c) { return c >= '0' && c <= '9'; }
static bool is_ascii_lower(int32_t c) { return c >= 'a' && c <= 'z'; }
static bool is_ascii_upper(int32_t c) { return c >= 'A' && c <= 'Z'; }
static bool is_ascii_alpha(int32_t c) { return is_ascii_lower(c) || is_ascii_upper(c); }
static bool is_ascii_alnum(int32_t c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
static bool is_ascii_space(int32_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0D); }

static bool is_hex_digit(int32_t c)
{
    return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(int32_t c)
{
    return is_ascii_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static bool has(const translator *t, int flag) { return (t->flags & flag) != 0; }

static int32_t at(const translator *t, size_t i)
{
    return i < t->length + PADDING ? t->temp[i] : 0;
}

static bool is_line_separator(const translator *t, int32_t c)
{
    if (has(t, FLAG_UNIX_LINES))
        return c == '\n';
    return c == '\n' || c == '\r' || (c | 1) == 0x2029 || c == 0x85;
}

static int32_t peek_past_line(translator *t)
{
    int32_t c = at(t, ++t->cursor);
    while (c != 0 && !is_line_separator(t, c))
        c = at(t, ++t->cursor);
    if (c == 0 && t->cursor > t->length) {
        t->cursor = t->length;
        c = at(t, t->cursor);
    }
    return c;
}

static int32_t peek_past_whitespace(translator *t, int32_t c)
{
    while (is_ascii_space(c) || c == '#') {
        while (is_ascii_space(c))
            c = at(t, ++t->cursor);
        if (c == '#')
            c = peek_past_line(t);
    }
    return c;
}

static int32_t parse_past_line(translator *t)
{
    int32_t c = at(t, t->cursor++);
    while (c != 0 && !is_line_separator(t, c))
        c = at(t, t->cursor++);
    if (c == 0 && t->cursor > t->length) {
        t->cursor = t->length;
        c = at(t, t->cursor++);
    }
    return c;
}

static int32_t parse_past_whitespace(translator *t, int32_t c)
{
    while (is_ascii_space(c) || c == '#') {
        while (is_ascii_space(c))
            c = at(t, t->cursor++);
        if (c == '#')
            c = parse_past_line(t);
    }
    return c;
}

/* The next character, cursor unmoved (but past whitespace and comments in (?x) mode). */
static int32_t peek(translator *t)
{
    int32_t c = at(t, t->cursor);
    return has(t, FLAG_COMMENTS) ? peek_past_whitespace(t, c) : c;
}

/* The next character, cursor moved past it. */
static int32_t read(translator *t)
{
    int32_t c = at(t, t->cursor++);
    return has(t, FLAG_COMMENTS) ? parse_past_whitespace(t, c) : c;
}

/* Moves one on and peeks. */
static int32_t next(translator *t)
{
    int32_t c = at(t, ++t->cursor);
    return has(t, FLAG_COMMENTS) ? peek_past_whitespace(t, c) : c;
}

static int32_t next_escaped(translator *t) { return at(t, ++t->cursor); }

/* The character after the next one, cursor moved past both (whitespace is not skipped). */
static int32_t skip(translator *t)
{
    int32_t c = at(t, t->cursor + 1);
    t->cursor += 2;
    return c;
}

static void unread(translator *t)
{
    if (t->cursor > 0)
        t->cursor--;
}

/* ---- writing PCRE2 -------------------------------------------------------------------------- */

static void emit(translator *t, const char *text) { strbuf_append_str(&t->out, text); }

/* A code point as a PCRE2 literal, inside or outside a class. */
static void append_code_point(strbuf *out, int32_t c)
{
    if (is_ascii_alnum(c) || c == '_') {
        strbuf_append_char(out, (char)c);
    } else if (c >= 0x21 && c <= 0x7E) {
        strbuf_append_char(out, '\\');
        strbuf_append_char(out, (char)c);
    } else {
        strbuf_append_printf(out, "\\x{%x}", (unsigned)c);
    }
}

static void insert_output(translator *t, size_t at, const char *text)
{
    size_t n = strlen(text);
    if (!strbuf_reserve(&t->out, n) || !t->out.data)
        return;
    memmove(t->out.data + at + n, t->out.data + at, t->out.len - at + 1);
    memcpy(t->out.data + at, text, n);
    t->out.len += n;
}

/* Writes the change of PCRE2's caseless option that Java's flags now ask for: only (?iu) is
 * PCRE2's folding; Java's plain (?i) is written out letter by letter. */
static void sync_caseless(translator *t)
{
    bool want = has(t, FLAG_CASE_INSENSITIVE) && has(t, FLAG_UNICODE_CASE);
    if (want != t->caseless) {
        emit(t, want ? "(?i)" : "(?-i)");
        t->caseless = want;
    }
}

static bool ascii_folding(const translator *t)
{
    return has(t, FLAG_CASE_INSENSITIVE) && !has(t, FLAG_UNICODE_CASE);
}

static int32_t other_case(int32_t c) { return c ^ 0x20; }

static bool refuse_surrogate(translator *t, int32_t c)
{
    if (c < 0xD800 || c > 0xDFFF)
        return false;
    java_error(t, "a lone surrogate (U+%04X) is not supported: it cannot occur in UTF-8 text",
               (unsigned)c);
    return true;
}

/* A literal character outside a class. */
static void emit_literal(translator *t, int32_t c)
{
    if (refuse_surrogate(t, c))
        return;
    if (ascii_folding(t) && is_ascii_alpha(c)) {
        emit(t, "[");
        append_code_point(&t->out, c);
        append_code_point(&t->out, other_case(c));
        emit(t, "]");
        return;
    }
    append_code_point(&t->out, c);
}

/* ---- character classes ----------------------------------------------------------------------- */

static void class_add_char(translator *t, char_class *c, int32_t ch)
{
    if (refuse_surrogate(t, ch))
        return;
    c->has_items = true;
    append_code_point(&c->plain, ch);
    if (ascii_folding(t) && is_ascii_alpha(ch))
        append_code_point(&c->plain, other_case(ch));
}

static void class_append_range(strbuf *out, int32_t low, int32_t high)
{
    append_code_point(out, low);
    if (high != low) {
        strbuf_append_char(out, '-');
        append_code_point(out, high);
    }
}

/* Java's CIRange under plain (?i): also the letters whose other case is in the range. */
static void class_add_range(translator *t, char_class *c, int32_t low, int32_t high)
{
    if (refuse_surrogate(t, low) || refuse_surrogate(t, high))
        return;
    c->has_items = true;
    class_append_range(&c->plain, low, high);
    if (!ascii_folding(t))
        return;
    int32_t from = low > 'a' ? low : 'a', to = high < 'z' ? high : 'z';
    if (from <= to)
        class_append_range(&c->plain, other_case(from), other_case(to));
    from = low > 'A' ? low : 'A';
    to = high < 'Z' ? high : 'Z';
    if (from <= to)
        class_append_range(&c->plain, other_case(from), other_case(to));
}

/* A set as one PCRE2 item of its own: [items] or [^items], out of reach of (?iu) folding
 * (Java does not fold properties). */
static void append_set(strbuf *out, bool caseless, const char *items, bool negated)
{
    if (caseless)
        strbuf_append_literal(out, "(?-i:");
    strbuf_append_str(out, negated ? "[^" : "[");
    strbuf_append_str(out, items);
    strbuf_append_char(out, ']');
    if (caseless)
        strbuf_append_char(out, ')');
}

static void class_add_set(translator *t, char_class *c, const property_set *set, bool complement)
{
    bool negated = set->negated != complement;
    if (!negated && !t->caseless) {
        c->has_items = true;
        strbuf_append_str(&c->plain, set->items);
        return;
    }
    c->has_items = true;
    if (c->extras.len)
        strbuf_append_char(&c->extras, '|');
    append_set(&c->extras, t->caseless, set->items, negated);
}

static void class_write(translator *t, const char_class *c, bool negated)
{
    if (strbuf_failed(&c->plain) || strbuf_failed(&c->extras)) {
        fail_memory(t);
        return;
    }
    const char *plain = c->plain.len ? c->plain.data : "";
    const char *extras = c->extras.len ? c->extras.data : "";
    if (!c->extras.len) {
        emit(t, negated ? "[^" : "[");
        emit(t, plain);
        emit(t, "]");
    } else if (!negated) {
        emit(t, "(?:");
        if (c->plain.len) {
            emit(t, "[");
            emit(t, plain);
            emit(t, "]|");
        }
        emit(t, extras);
        emit(t, ")");
    } else {
        emit(t, "(?:(?!");
        emit(t, extras);
        emit(t, ")");
        if (c->plain.len) {
            emit(t, "[^");
            emit(t, plain);
            emit(t, "]");
        } else {
            emit(t, "(?s:.)");
        }
        emit(t, ")");
    }
}

/* ---- character properties (\p{..}) ---------------------------------------------------------- */

typedef struct property_entry {
    const char *name;
    const char *items;             /* NULL: Java has it, PCRE2 has no faithful equivalent */
    const char *items_caseless;    /* under (?i), when Java widens the set */
    bool negated;
} property_entry;

#define ASCII_PUNCT "\\x{21}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{60}\\x{7b}-\\x{7e}"
#define CASED_LETTERS "\\p{Lowercase}\\p{Uppercase}\\p{Lt}"
#define WHITE_SPACE                                                                            \
    "\\x{9}-\\x{d}\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}" \
    "\\x{205f}\\x{3000}"

/* CharPredicates.forProperty: general categories, the POSIX classes (US-ASCII), Character's
 * isXxx methods. Names are case-sensitive. */
static const property_entry java_properties[] = {
    {"Cn", "\\p{Cn}", NULL, false},
    {"Lu", "\\p{Lu}", "\\p{L&}", false},
    {"Ll", "\\p{Ll}", "\\p{L&}", false},
    {"Lt", "\\p{Lt}", "\\p{L&}", false},
    {"Lm", "\\p{Lm}", NULL, false},
    {"Lo", "\\p{Lo}", NULL, false},
    {"Mn", "\\p{Mn}", NULL, false},
    {"Me", "\\p{Me}", NULL, false},
    {"Mc", "\\p{Mc}", NULL, false},
    {"Nd", "\\p{Nd}", NULL, false},
    {"Nl", "\\p{Nl}", NULL, false},
    {"No", "\\p{No}", NULL, false},
    {"Zs", "\\p{Zs}", NULL, false},
    {"Zl", "\\p{Zl}", NULL, false},
    {"Zp", "\\p{Zp}", NULL, false},
    {"Cc", "\\p{Cc}", NULL, false},
    {"Cf", "\\p{Cf}", NULL, false},
    {"Co", "\\p{Co}", NULL, false},
    {"Cs", "\\p{Cs}", NULL, false},
    {"Pd", "\\p{Pd}", NULL, false},
    {"Ps", "\\p{Ps}", NULL, false},
    {"Pe", "\\p{Pe}", NULL, false},
    {"Pc", "\\p{Pc}", NULL, false},
    {"Po", "\\p{Po}", NULL, false},
    {"Sm", "\\p{Sm}", NULL, false},
    {"Sc", "\\p{Sc}", NULL, false},
    {"Sk", "\\p{Sk}", NULL, false},
    {"So", "\\p{So}", NULL, false},
    {"Pi", "\\p{Pi}", NULL, false},
    {"Pf", "\\p{Pf}", NULL, false},
    {"L", "\\p{L}", NULL, false},
    {"M", "\\p{M}", NULL, false},
    {"N", "\\p{N}", NULL, false},
    {"Z", "\\p{Z}", NULL, false},
    {"C", "\\p{C}", NULL, false},
    {"P", "\\p{P}", NULL, false},
    {"S", "\\p{S}", NULL, false},
    {"LC", "\\p{L&}", NULL, false},
    {"LD", "\\p{L}\\p{Nd}", NULL, false},
    {"L1", "\\x{0}-\\x{ff}", NULL, false},
    {"all", "\\x{0}-\\x{10ffff}", NULL, false},
    {"ASCII", "\\x{0}-\\x{7f}", NULL, false},
    {"Alnum", "0-9A-Za-z", NULL, false},
    {"Alpha", "A-Za-z", NULL, false},
    {"Blank", "\\x{9}\\x{20}", NULL, false},
    {"Cntrl", "\\x{0}-\\x{1f}\\x{7f}", NULL, false},
    {"Digit", "0-9", NULL, false},
    {"Graph", "\\x{21}-\\x{7e}", NULL, false},
    {"Lower", "a-z", "A-Za-z", false},
    {"Print", "\\x{20}-\\x{7e}", NULL, false},
    {"Punct", ASCII_PUNCT, NULL, false},
    {"Space", "\\x{9}-\\x{d}\\x{20}", NULL, false},
    {"Upper", "A-Z", "A-Za-z", false},
    {"XDigit", "0-9A-Fa-f", NULL, false},
    {"javaLowerCase", "\\p{Lowercase}", CASED_LETTERS, false},
    {"javaUpperCase", "\\p{Uppercase}", CASED_LETTERS, false},
    {"javaAlphabetic", "\\p{Alphabetic}", NULL, false},
    {"javaIdeographic", "\\p{Ideographic}", NULL, false},
    {"javaTitleCase", "\\p{Lt}", CASED_LETTERS, false},
    {"javaDigit", "\\p{Nd}", NULL, false},
    {"javaDefined", "\\p{Cn}", NULL, true},
    {"javaLetter", "\\p{L}", NULL, false},
    {"javaLetterOrDigit", "\\p{L}\\p{Nd}", NULL, false},
    {"javaJavaIdentifierStart", NULL, NULL, false},
    {"javaJavaIdentifierPart", NULL, NULL, false},
    {"javaUnicodeIdentifierStart", NULL, NULL, false},
    {"javaUnicodeIdentifierPart", NULL, NULL, false},
    {"javaIdentifierIgnorable", "\\x{0}-\\x{8}\\x{e}-\\x{1b}\\x{7f}-\\x{9f}\\p{Cf}", NULL, false},
    {"javaSpaceChar", "\\p{Z}", NULL, false},
    {"javaWhitespace",
     "\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200a}\\x{2028}"
     "\\x{2029}\\x{205f}\\x{3000}",
     NULL, false},
    {"javaISOControl", "\\x{0}-\\x{1f}\\x{7f}-\\x{9f}", NULL, false},
    /* PCRE2 10.42's Bidi_Mirrored lacks most mathematical operators (U+2201 ...). */
    {"javaMirrored", NULL, NULL, false},
};

/* Noncharacters: U+FDD0..U+FDEF and the last two code points of every plane. */
#define NONCHARACTERS \
    "\\x{fdd0}-\\x{fdef}\\x{fffe}\\x{ffff}\\x{1fffe}\\x{1ffff}\\x{2fffe}\\x{2ffff}\\x{3fffe}" \
    "\\x{3ffff}\\x{4fffe}\\x{4ffff}\\x{5fffe}\\x{5ffff}\\x{6fffe}\\x{6ffff}\\x{7fffe}\\x{7ffff}" \
    "\\x{8fffe}\\x{8ffff}\\x{9fffe}\\x{9ffff}\\x{afffe}\\x{affff}\\x{bfffe}\\x{bffff}\\x{cfffe}" \
    "\\x{cffff}\\x{dfffe}\\x{dffff}\\x{efffe}\\x{effff}\\x{ffffe}\\x{fffff}\\x{10fffe}" \
    "\\x{10ffff}"

/* CharPredicates.forUnicodeProperty, for \p{IsXxx}: Unicode's binary properties and the Unicode
 * meaning of the POSIX names, looked up in upper case. */
static const property_entry unicode_properties[] = {
    {"ALPHABETIC", "\\p{Alphabetic}", NULL, false},
    {"ALPHA", "\\p{Alphabetic}", NULL, false},
    {"ASSIGNED", "\\p{Cn}", NULL, true},
    {"CONTROL", "\\p{Cc}", NULL, false},
    {"CNTRL", "\\p{Cc}", NULL, false},
    {"EMOJI", "\\p{Emoji}", NULL, false},
    {"EMOJI_PRESENTATION", "\\p{Emoji_Presentation}", NULL, false},
    {"EMOJI_MODIFIER", "\\p{Emoji_Modifier}", NULL, false},
    {"EMOJI_MODIFIER_BASE", "\\p{Emoji_Modifier_Base}", NULL, false},
    {"EMOJI_COMPONENT", "\\p{Emoji_Component}", NULL, false},
    {"EXTENDED_PICTOGRAPHIC", "\\p{Extended_Pictographic}", NULL, false},
    /* Java's Hex_Digit is every decimal digit (Nd) plus the Latin and full-width letters. */
    {"HEXDIGIT", "\\p{Nd}A-Fa-f\\x{ff21}-\\x{ff26}\\x{ff41}-\\x{ff46}", NULL, false},
    {"HEX_DIGIT", "\\p{Nd}A-Fa-f\\x{ff21}-\\x{ff26}\\x{ff41}-\\x{ff46}", NULL, false},
    {"XDIGIT", "\\p{Nd}A-Fa-f\\x{ff21}-\\x{ff26}\\x{ff41}-\\x{ff46}", NULL, false},
    {"IDEOGRAPHIC", "\\p{Ideographic}", NULL, false},
    {"JOINCONTROL", "\\x{200c}\\x{200d}", NULL, false},
    {"JOIN_CONTROL", "\\x{200c}\\x{200d}", NULL, false},
    {"LETTER", "\\p{L}", NULL, false},
    {"LOWERCASE", "\\p{Lowercase}", CASED_LETTERS, false},
    {"LOWER", "\\p{Lowercase}", CASED_LETTERS, false},
    {"NONCHARACTERCODEPOINT", NONCHARACTERS, NULL, false},
    {"NONCHARACTER_CODE_POINT", NONCHARACTERS, NULL, false},
    {"TITLECASE", "\\p{Lt}", CASED_LETTERS, false},
    {"PUNCTUATION", "\\p{P}", NULL, false},
    {"PUNCT", "\\p{P}", NULL, false},
    {"UPPERCASE", "\\p{Uppercase}", CASED_LETTERS, false},
    {"UPPER", "\\p{Uppercase}", CASED_LETTERS, false},
    {"WHITESPACE", WHITE_SPACE, NULL, false},
    {"WHITE_SPACE", WHITE_SPACE, NULL, false},
    {"SPACE", WHITE_SPACE, NULL, false},
    {"WORD", "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200c}\\x{200d}", NULL, false},
    {"ALNUM", "\\p{Alphabetic}\\p{Nd}", NULL, false},
    {"DIGIT", "\\p{Nd}", NULL, false},
    {"BLANK", "\\x{9}\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{202f}\\x{205f}\\x{3000}", NULL,
     false},
    /* Graph: neither space, control, surrogate nor unassigned; Print: Graph and blanks but not
     * controls, which leaves the line and paragraph separators out. */
    {"GRAPH", "\\p{Z}\\p{Cc}\\p{Cs}\\p{Cn}", NULL, true},
    {"PRINT", "\\p{Zl}\\p{Zp}\\p{Cc}\\p{Cs}\\p{Cn}", NULL, true},
};

/* 1 found, 0 unknown, -1 known but refused (t failed). */
static int property_from_table(translator *t, const property_entry *table, size_t count,
                               const char *name, property_set *set)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(table[i].name, name) != 0)
            continue;
        const char *items = table[i].items;
        if (!items) {
            java_error(t, "the character property %s has no PCRE2 equivalent and is not "
                          "supported", name);
            return -1;
        }
        if (has(t, FLAG_CASE_INSENSITIVE) && table[i].items_caseless)
            items = table[i].items_caseless;
        set->items = items;
        set->negated = table[i].negated;
        return 1;
    }
    return 0;
}

static int java_property(translator *t, const char *name, property_set *set)
{
    return property_from_table(t, java_properties,
                               sizeof java_properties / sizeof java_properties[0], name, set);
}

/* A script name PCRE2 knows (Character.UnicodeScript.forName takes names and ISO 15924 codes,
 * case-insensitively, as PCRE2 does). */
static int script_property(const char *name, property_set *set)
{
    size_t len = strlen(name);
    if (len == 0 || len > 40)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_ascii_alnum((unsigned char)name[i]) && name[i] != '_')
            return 0;
    snprintf(set->storage, sizeof set->storage, "\\p{sc:%s}", name);
    int code;
    PCRE2_SIZE offset;
    pcre2_code *probe = pcre2_compile((PCRE2_SPTR)set->storage, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
                                      &code, &offset, NULL);
    if (!probe)
        return 0;
    pcre2_code_free(probe);
    set->items = set->storage;
    set->negated = false;
    return 1;
}

/* -1, as property_from_table says "known but refused". */
static int refuse_block(translator *t)
{
    java_error(t, "Unicode blocks (\\p{InBlock}, \\p{block=..}) are not supported");
    return -1;
}

/* Pattern.family's lookup of a property name. false when unknown or refused (t failed). */
static bool property_lookup(translator *t, const char *name, property_set *set)
{
    const char *equals = strchr(name, '=');
    if (equals) {
        char *key = strndup(name, (size_t)(equals - name));
        if (!key) {
            fail_memory(t);
            return false;
        }
        for (char *k = key; *k; k++)
            if (is_ascii_upper((unsigned char)*k))
                *k = (char)(*k | 0x20);
        const char *value = equals + 1;
        int found = 0;
        if (strcmp(key, "sc") == 0 || strcmp(key, "script") == 0)
            found = script_property(value, set);
        else if (strcmp(key, "blk") == 0 || strcmp(key, "block") == 0)
            found = refuse_block(t);
        else if (strcmp(key, "gc") == 0 || strcmp(key, "general_category") == 0)
            found = java_property(t, value, set);
        if (found == 0)
            java_error(t, "Unknown Unicode property {name=<%s>, value=<%s>}", key, value);
        free(key);
        return found > 0;
    }
    int found = 0;
    if (strncmp(name, "In", 2) == 0) {
        found = refuse_block(t);
    } else if (strncmp(name, "Is", 2) == 0) {
        const char *short_name = name + 2;
        char upper[64];
        snprintf(upper, sizeof upper, "%s", short_name);
        for (char *u = upper; *u; u++)
            if (is_ascii_lower((unsigned char)*u))
                *u = (char)(*u & ~0x20);
        found = strlen(short_name) < sizeof upper
                    ? property_from_table(t, unicode_properties,
                                          sizeof unicode_properties / sizeof unicode_properties[0],
                                          upper, set)
                    : 0;
        if (found == 0)
            found = java_property(t, short_name, set);
        if (found == 0)
            found = script_property(short_name, set);
    } else {
        found = java_property(t, name, set);
    }
    if (found == 0)
        java_error(t, "Unknown character property name {%s}", name);
    return found > 0;
}

/* Pattern.family: \p{name}, \pL, \P..; the cursor is on the p (or P). Into c when in a class. */
static void family(translator *t, bool single_letter, bool complement, char_class *c)
{
    next(t);
    strbuf name = {0};
    if (single_letter) {
        char utf8[4];
        int32_t letter = at(t, t->cursor);
        strbuf_append(&name, utf8, utf8_encode((uint32_t)letter, utf8));
        read(t);
    } else {
        size_t start = t->cursor;
        t->temp[t->length] = '}'; /* Java's mark('}'): the scan stops at the end */
        while (read(t) != '}')
            ;
        t->temp[t->length] = 0;
        size_t end = t->cursor;
        if (end > t->length) {
            java_error(t, "Unclosed character family");
            goto cleanup;
        }
        if (start + 1 >= end) {
            java_error(t, "Empty character family");
            goto cleanup;
        }
        for (size_t i = start; i < end - 1; i++) {
            char utf8[4];
            strbuf_append(&name, utf8, utf8_encode((uint32_t)t->temp[i], utf8));
        }
    }
    if (strbuf_failed(&name)) {
        fail_memory(t);
        goto cleanup;
    }
    property_set set;
    if (!property_lookup(t, name.data ? name.data : "", &set))
        goto cleanup;
    if (c) {
        class_add_set(t, c, &set, complement);
    } else {
        append_set(&t->out, t->caseless, set.items, set.negated != complement);
        t->kind = NODE_ITEM;
    }
cleanup:
    strbuf_free(&name);
}

/* ---- escapes ---------------------------------------------------------------------------------- */

static const group_name *name_find(const group_name *names, size_t count, const char *name,
                                   size_t len)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(names[i].name) == len && memcmp(names[i].name, name, len) == 0)
            return &names[i];
    return NULL;
}

/* Pattern.groupname: a Latin letter, then letters and digits, then '>'. */
static bool group_name_read(translator *t, int32_t c, strbuf *name)
{
    if (!is_ascii_alpha(c)) {
        java_error(t, "capturing group name does not start with a Latin letter");
        return false;
    }
    do {
        strbuf_append_char(name, (char)c);
    } while (is_ascii_alnum(c = read(t)));
    if (c != '>') {
        java_error(t, "named capturing group is missing trailing '>'");
        return false;
    }
    if (strbuf_failed(name)) {
        fail_memory(t);
        return false;
    }
    return true;
}

static void emit_back_reference(translator *t, uint32_t number)
{
    if (ascii_folding(t)) {
        java_error(t, "a back reference under flag i without flag u is not supported (Java "
                      "compares it folding US-ASCII letters only)");
        return;
    }
    if (number > t->total_groups) {
        /* Java compiles a reference to a group the pattern lacks; it never matches. */
        emit(t, "(?!)");
        t->kind = NODE_ASSERTION;
        return;
    }
    strbuf_append_printf(&t->out, "\\g{%u}", number);
}

/* Pattern.ref: the first digit is always a reference; each further digit is taken while a
 * group of that number has been opened. */
static void back_reference(translator *t, uint32_t number)
{
    for (;;) {
        int32_t c = peek(t);
        if (!is_ascii_digit(c))
            break;
        uint32_t longer = number * 10 + (uint32_t)(c - '0');
        if (t->groups_opened < longer)
            break;
        number = longer;
        read(t);
    }
    emit_back_reference(t, number);
}

static int32_t octal_escape(translator *t)
{
    int32_t n = read(t);
    if (n >= '0' && n <= '7') {
        int32_t m = read(t);
        if (m >= '0' && m <= '7') {
            int32_t o = read(t);
            if (o >= '0' && o <= '7' && n <= '3')
                return (n - '0') * 64 + (m - '0') * 8 + (o - '0');
            unread(t);
            return (n - '0') * 8 + (m - '0');
        }
        unread(t);
        return n - '0';
    }
    java_error(t, "Illegal octal escape sequence");
    return -1;
}

static int32_t hex_escape(translator *t)
{
    int32_t n = read(t);
    if (is_hex_digit(n)) {
        int32_t m = read(t);
        if (is_hex_digit(m))
            return hex_value(n) * 16 + hex_value(m);
    } else if (n == '{' && is_hex_digit(peek(t))) {
        int32_t c = 0;
        while (is_hex_digit(n = read(t))) {
            c = (c << 4) + hex_value(n);
            if (c > 0x10FFFF) {
                java_error(t, "Hexadecimal codepoint is too big");
                return -1;
            }
        }
        if (n != '}') {
            java_error(t, "Unclosed hexadecimal escape sequence");
            return -1;
        }
        return c;
    }
    java_error(t, "Illegal hexadecimal escape sequence");
    return -1;
}

static int32_t unicode_digits(translator *t)
{
    int32_t n = 0;
    for (int i = 0; i < 4; i++) {
        int32_t c = read(t);
        if (!is_hex_digit(c)) {
            java_error(t, "Illegal Unicode escape sequence");
            return -1;
        }
        n = n * 16 + hex_value(c);
    }
    return n;
}

/* \uXXXX, a high surrogate followed by \uXXXX of a low one making one code point. */
static int32_t unicode_escape(translator *t)
{
    int32_t n = unicode_digits(t);
    if (n >= 0xD800 && n <= 0xDBFF) {
        size_t saved = t->cursor;
        if (read(t) == '\\' && read(t) == 'u') {
            int32_t low = unicode_digits(t);
            if (t->failed)
                return -1;
            if (low >= 0xDC00 && low <= 0xDFFF)
                return 0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00);
        }
        t->cursor = saved;
    }
    return n;
}

static int32_t control_escape(translator *t)
{
    if (t->cursor < t->length)
        return read(t) ^ 64;
    java_error(t, "Illegal control escape sequence");
    return -1;
}

/* \N{name}: checked as Java checks it, then refused (no table of character names here). */
static int32_t named_character(translator *t)
{
    if (read(t) == '{') {
        while (read(t) != '}') {
            if (t->cursor >= t->length) {
                java_error(t, "Unclosed character name escape sequence");
                return -1;
            }
        }
        java_error(t, "a character by name (\\N{...}) is not supported");
        return -1;
    }
    java_error(t, "Illegal character name escape sequence");
    return -1;
}

/* A predefined class (\d \D \h \H \s \S \v \V \w \W): written as it is, PCRE2 reads it as
 * Java does. NULL for another letter. */
static const char *predicate_text(int32_t letter)
{
    static const char *const texts[] = {"\\d", "\\D", "\\h", "\\H", "\\s",
                                        "\\S", "\\v", "\\V", "\\w", "\\W"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i][1] == letter)
            return texts[i];
    return NULL;
}

static int32_t predicate(translator *t, bool create, char_class *c, const char *text)
{
    if (!create)
        return -1;
    if (c) {
        c->has_items = true;
        strbuf_append_str(&c->plain, text);
    } else {
        emit(t, text);
        t->kind = NODE_ITEM;
    }
    return -1;
}

/* Java's $ (and \Z, the same without multiline): at the end, or before a final line terminator
 * (\r\n being one), or with multiline before any terminator, never between \r and \n; under
 * flag d only \n is a terminator. [multiline][unix lines] */
static const char *const dollar_text[2][2] = {
    {"(?:\\z|(?=\\x{d}\\x{a}\\z)|(?=[\\x{d}\\x{85}\\x{2028}\\x{2029}]\\z)|(?<!\\x{d})(?=\\x{a}\\z))",
     "(?=\\x{a}?\\z)"},
    {"(?:\\z|(?=[\\x{d}\\x{85}\\x{2028}\\x{2029}])|(?<!\\x{d})(?=\\x{a}))", "(?=\\x{a}|\\z)"},
};

static const char *dollar(const translator *t, bool multiline)
{
    return dollar_text[multiline][has(t, FLAG_UNIX_LINES)];
}

/* The escapes that are a node of their own outside a class and an error inside one (\b and \k,
 * which read further, aside). */
static bool is_node_escape(int32_t letter)
{
    return letter && strchr("ABGRXZz", letter);
}

static int32_t node_escape(translator *t, bool create, int32_t letter)
{
    if (!create)
        return -1;
    t->kind = NODE_ASSERTION;
    switch (letter) {
    case 'A':
        emit(t, "\\A");
        break;
    case 'B':
        emit(t, "\\B");
        break;
    case 'G':
        emit(t, "\\G");
        t->uses_last_match = true;
        break;
    case 'R':
        /* Java's \R backtracks from \r\n to \r; PCRE2's is atomic (closure() uses it where
         * Java's is too). */
        emit(t, "(?:\\x{d}\\x{a}|[\\x{a}-\\x{d}\\x{85}\\x{2028}\\x{2029}])");
        t->kind = NODE_LINE_ENDING;
        t->has_line_ending = true;
        break;
    case 'X':
        emit(t, "\\X");
        t->kind = NODE_ITEM;
        t->varying = true;
        break;
    case 'Z':
        emit(t, dollar(t, false));
        break;
    default: /* z */
        emit(t, "\\z");
        break;
    }
    return -1;
}

/* \b, or \b{g} which is refused. */
static int32_t word_boundary(translator *t, bool create)
{
    if (!create)
        return -1;
    if (peek(t) == '{') {
        if (skip(t) == 'g') {
            if (read(t) == '}')
                java_error(t, "a grapheme cluster boundary (\\b{g}) is not supported");
            else
                java_error(t, "Illegal/unsupported escape sequence");
            return -1;
        }
        unread(t);
        unread(t);
    }
    emit(t, "\\b");
    t->kind = NODE_ASSERTION;
    return -1;
}

/* \k<name>: a group defined before it. */
static int32_t named_reference(translator *t, bool create)
{
    if (read(t) != '<') {
        java_error(t, "\\k is not followed by '<' for named capturing group");
        return -1;
    }
    strbuf name = {0};
    if (group_name_read(t, read(t), &name)) {
        const group_name *group = name_find(t->names, t->name_count, name.data, name.len);
        if (!group)
            java_error(t, "named capturing group <%s> does not exist", name.data);
        else if (create)
            emit_back_reference(t, group->number);
    }
    strbuf_free(&name);
    return -1;
}

/* Pattern.escape: the cursor is on the backslash. A code point (>= 0) for a literal; -1 when
 * the escape wrote a node (or, in a class, an item into c) or failed. create is false where
 * Java only looks at what the escape is (a range's end). */
static int32_t escape(translator *t, bool in_class, bool create, bool is_range, char_class *c)
{
    int32_t ch = skip(t);
    const char *predicate_name = predicate_text(ch);
    if (ch == 'v' && is_range)
        return 0x0B; /* Java reads \v as VT where a range needs one character */
    if (predicate_name)
        return predicate(t, create, c, predicate_name);
    if (in_class && (is_node_escape(ch) || (ch >= '1' && ch <= '9') || ch == 'b' || ch == 'k'))
        goto illegal;
    if (is_node_escape(ch))
        return node_escape(t, create, ch);
    if (ch >= '1' && ch <= '9') {
        if (create)
            back_reference(t, (uint32_t)(ch - '0'));
        return -1;
    }
    switch (ch) {
    case '0':
        return octal_escape(t);
    case 'N':
        return named_character(t);
    case 'a':
        return 0x07;
    case 'b':
        return word_boundary(t, create);
    case 'c':
        return control_escape(t);
    case 'e':
        return 0x1B;
    case 'f':
        return 0x0C;
    case 'k':
        return named_reference(t, create);
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'u':
        return unicode_escape(t);
    case 'x':
        return hex_escape(t);
    default:
        if (!is_ascii_alpha(ch))
            return ch;
        break; /* C E F I J K L M O P Q T U Y g i j l m o p q y: none in Java */
    }
illegal:
    java_error(t, "Illegal/unsupported escape sequence");
    return -1;
}

/* ---- classes ---------------------------------------------------------------------------------- */

/* Pattern.range: one character, a range or a predicate of a class. */
static void class_range(translator *t, char_class *c)
{
    int32_t ch = peek(t);
    if (ch == '\\') {
        ch = next_escaped(t);
        if (ch == 'p' || ch == 'P') {
            bool complement = ch == 'P', single_letter = true;
            if (next(t) != '{')
                unread(t);
            else
                single_letter = false;
            family(t, single_letter, complement, c);
            return;
        }
        bool is_range = at(t, t->cursor + 1) == '-';
        unread(t);
        ch = escape(t, true, true, is_range, c);
        if (ch < 0 || t->failed)
            return;
    } else {
        next(t);
    }
    if (peek(t) == '-') {
        int32_t end_range = at(t, t->cursor + 1);
        if (end_range != '[' && end_range != ']') {
            next(t);
            int32_t m = peek(t);
            if (m == '\\')
                m = escape(t, true, false, true, NULL);
            else
                next(t);
            if (t->failed)
                return;
            if (m < ch) {
                java_error(t, "Illegal character range");
                return;
            }
            class_add_range(t, c, ch, m);
            return;
        }
    }
    class_add_char(t, c, ch);
}

/* Pattern.clazz: the cursor is on the '['. */
static void class_parse(translator *t)
{
    char_class c = {0};
    bool negated = false;
    int32_t ch = next(t);
    if (ch == '^' && at(t, t->cursor - 1) == '[') {
        ch = next(t);
        negated = true;
    }
    for (;;) {
        switch (ch) {
        case '[':
            fail_at(t, (long)t->cursor, "a character class nested in a class (a union such as "
                                        "[a[b]]) is not supported");
            goto cleanup;
        case '&':
            ch = next(t);
            if (ch == '&') {
                fail_at(t, (long)t->cursor - 1,
                        "a character class intersection (&&) is not supported");
                goto cleanup;
            }
            unread(t);
            break;
        case 0:
            if (t->cursor >= t->length) {
                java_error(t, "Unclosed character class");
                goto cleanup;
            }
            break;
        case ']':
            if (c.has_items) {
                next(t);
                class_write(t, &c, negated);
                t->kind = NODE_ITEM;
                goto cleanup;
            }
            break;
        default:
            break;
        }
        class_range(t, &c);
        if (t->failed)
            goto cleanup;
        ch = peek(t);
    }
cleanup:
    strbuf_free(&c.plain);
    strbuf_free(&c.extras);
}

/* ---- quantifiers ------------------------------------------------------------------------------ */

/* Pattern.qtype: a '?' or '+' after a quantifier makes it lazy or possessive. */
static const char *quantifier_type(translator *t)
{
    int32_t c = next(t);
    if (c == '?') {
        next(t);
        return "?";
    }
    if (c == '+') {
        next(t);
        return "+";
    }
    return "";
}

/* Reads the digits of a {n,m} count; false (t failed) when the count overflows Java's int. */
static bool count_digits(translator *t, int32_t *c, int64_t *value)
{
    *value = 0;
    while (is_ascii_digit(*c)) {
        *value = *value * 10 + (*c - '0');
        if (*value > INT32_MAX) {
            java_error(t, "Illegal repetition range");
            return false;
        }
        *c = read(t);
    }
    return true;
}

/* Pattern.closure: a quantifier after the node written from node_start, if there is one.
 * atomic_body, when not SIZE_MAX, is where the body of the group just written starts: a body
 * Java's study() finds fixed (but for a \R) is repeated without backtracking into an
 * iteration (GroupCurly), which (?>..) around it gives in PCRE2; a '?' is no repetition there. */
static void closure(translator *t, size_t node_start, size_t atomic_body)
{
    char quantifier[48];
    bool exact = false, optional = false;
    int32_t ch = peek(t);
    switch (ch) {
    case '?':
    case '*':
    case '+':
        optional = ch == '?';
        snprintf(quantifier, sizeof quantifier, "%c%s", (char)ch, quantifier_type(t));
        break;
    case '{': {
        long brace = (long)t->cursor;
        ch = skip(t);
        if (!is_ascii_digit(ch)) {
            java_error(t, "Illegal repetition");
            return;
        }
        int64_t min, max = 0;
        bool unbounded = false;
        if (!count_digits(t, &ch, &min))
            return;
        if (ch == ',') {
            ch = read(t);
            if (ch == '}') {
                unread(t);
                unbounded = true;
            } else if (!count_digits(t, &ch, &max)) {
                return;
            }
        } else {
            max = min;
        }
        if (!unbounded) {
            if (ch != '}') {
                java_error(t, "Unclosed counted closure");
                return;
            }
            if (max < min) {
                java_error(t, "Illegal repetition range");
                return;
            }
            unread(t);
        }
        if (min > COUNT_MAX || max > COUNT_MAX) {
            fail_at(t, brace, "a repetition count above %d is not supported (PCRE2's limit)",
                    COUNT_MAX);
            return;
        }
        const char *type = quantifier_type(t);
        exact = !unbounded && min == max;
        optional = !unbounded && min == 0 && max == 1;
        if (unbounded)
            snprintf(quantifier, sizeof quantifier, "{%d,}%s", (int)min, type);
        else if (min == max)
            snprintf(quantifier, sizeof quantifier, "{%d}%s", (int)min, type);
        else
            snprintf(quantifier, sizeof quantifier, "{%d,%d}%s", (int)min, (int)max, type);
        break;
    }
    default:
        return;
    }
    if (!exact)
        t->varying = true;
    if (t->kind == NODE_EMPTY) {
        emit(t, "(?:)");
    } else if (t->kind == NODE_LINE_ENDING) {
        /* Java repeats \R without backtracking into an iteration, as PCRE2's own \R is. */
        strbuf_truncate(&t->out, node_start);
        emit(t, "\\R");
    } else if (t->kind == NODE_ASSERTION) {
        insert_output(t, node_start, "(?:");
        emit(t, ")");
    } else if (atomic_body != SIZE_MAX && !optional) {
        insert_output(t, t->out.len - 1, ")");
        insert_output(t, atomic_body, "(?>");
    }
    emit(t, quantifier);
}

/* ---- groups ----------------------------------------------------------------------------------- */

/* Pattern.addFlag and subFlag: (?idmsux-idmsux). U and c are refused. */
static void add_flags(translator *t)
{
    bool adding = true;
    int32_t ch = peek(t);
    for (;;) {
        int flag = 0;
        switch (ch) {
        case 'i': flag = FLAG_CASE_INSENSITIVE; break;
        case 'm': flag = FLAG_MULTILINE; break;
        case 's': flag = FLAG_DOTALL; break;
        case 'd': flag = FLAG_UNIX_LINES; break;
        case 'u': flag = FLAG_UNICODE_CASE; break;
        case 'x': flag = FLAG_COMMENTS; break;
        case 'U':
            if (adding) {
                fail_at(t, (long)t->cursor, "the flag U (UNICODE_CHARACTER_CLASS) is not "
                                            "supported");
                return;
            }
            flag = FLAG_UNICODE_CASE; /* (?-U) also turns UNICODE_CASE off */
            break;
        case 'c':
            if (adding) {
                fail_at(t, (long)t->cursor, "the flag c (CANON_EQ) is not supported");
                return;
            }
            break;
        case '-':
            if (!adding)
                return;
            adding = false;
            ch = next(t);
            continue;
        default:
            return;
        }
        if (adding)
            t->flags |= flag;
        else
            t->flags &= ~flag;
        ch = next(t);
    }
}

/* Pattern.accept: the expected character, past whitespace in (?x) mode. */
static void accept(translator *t, int32_t expected, const char *message)
{
    int32_t c = at(t, t->cursor++);
    if (has(t, FLAG_COMMENTS))
        c = parse_past_whitespace(t, c);
    if (c != expected)
        java_error(t, "%s", message);
}

static void lookbehind_note(translator *t, long index)
{
    if (array_reserve(&t->lookbehinds, &t->lookbehind_capacity, t->lookbehind_count + 1,
                      sizeof *t->lookbehinds)) {
        fail_memory(t);
        return;
    }
    t->lookbehinds[t->lookbehind_count++] = (lookbehind_start){t->out.len, index};
}

static void named_group_open(translator *t, int32_t ch)
{
    strbuf name = {0};
    if (!group_name_read(t, ch, &name))
        goto cleanup;
    if (name_find(t->names, t->name_count, name.data, name.len)) {
        java_error(t, "Named capturing group <%s> is already defined", name.data);
        goto cleanup;
    }
    if (name.len > NAME_MAX_LENGTH) {
        java_error(t, "a group name longer than %d characters is not supported (PCRE2's limit)",
                   NAME_MAX_LENGTH);
        goto cleanup;
    }
    if (array_reserve(&t->names, &t->name_capacity, t->name_count + 1, sizeof *t->names)) {
        fail_memory(t);
        goto cleanup;
    }
    group_name *group = &t->names[t->name_count++];
    memcpy(group->name, name.data, name.len + 1);
    group->number = ++t->groups_opened;
    strbuf_append_printf(&t->out, "(?<%s>", name.data);
cleanup:
    strbuf_free(&name);
}

/* Pattern.group0: the cursor is on the '('. Writes the group and its quantifier; a group of
 * flags alone writes only the change of PCRE2's caseless option and is no node. */
static void group(translator *t)
{
    int saved_flags = t->flags;
    bool saved_caseless = t->caseless;
    size_t node_start = t->out.len;
    node_kind kind = NODE_ITEM;
    if (t->depth >= DEPTH_MAX) {
        fail_at(t, (long)t->cursor, "groups nested deeper than %d are not supported", DEPTH_MAX);
        return;
    }
    t->depth++;
    int32_t ch = next(t);
    if (ch == '?') {
        ch = skip(t);
        switch (ch) {
        case ':':
            emit(t, "(?:");
            break;
        case '=':
        case '!':
            emit(t, ch == '=' ? "(?=" : "(?!");
            kind = NODE_ASSERTION;
            break;
        case '>':
            emit(t, "(?>");
            break;
        case '<': {
            long start = (long)t->cursor - 3;
            ch = read(t);
            if (ch != '=' && ch != '!') {
                named_group_open(t, ch);
                break;
            }
            lookbehind_note(t, start);
            emit(t, ch == '=' ? "(?<=" : "(?<!");
            kind = NODE_ASSERTION;
            break;
        }
        case '$':
        case '@':
            java_error(t, "Unknown group type");
            break;
        default:
            unread(t);
            add_flags(t);
            if (t->failed)
                break;
            ch = read(t);
            if (ch == ')') {
                /* Flags alone: they hold until the enclosing group ends, as in PCRE2. */
                sync_caseless(t);
                t->depth--;
                return;
            }
            if (ch != ':') {
                java_error(t, "Unknown inline modifier");
                break;
            }
            emit(t, "(?:");
            sync_caseless(t);
            break;
        }
    } else {
        t->groups_opened++;
        emit(t, "(");
    }
    if (t->failed)
        return;
    bool outer_varying = t->varying, outer_line_ending = t->has_line_ending;
    t->varying = t->has_line_ending = false;
    size_t body = t->out.len;
    expr(t);
    if (t->failed)
        return;
    accept(t, ')', "Unclosed group");
    if (t->failed)
        return;
    t->flags = saved_flags;
    t->caseless = saved_caseless;
    emit(t, ")");
    t->depth--;
    /* Java's study() does not look into a look-around. */
    bool body_varying = t->varying, body_line_ending = t->has_line_ending;
    t->varying = outer_varying || (kind != NODE_ASSERTION && body_varying);
    t->has_line_ending = outer_line_ending || (kind != NODE_ASSERTION && body_line_ending);
    t->kind = kind;
    closure(t, node_start,
            kind != NODE_ASSERTION && !body_varying && body_line_ending ? body : SIZE_MAX);
}

/* ---- sequences and alternatives --------------------------------------------------------------- */

/* One literal character or escape (Java's atom collects several; a quantifier then applies to
 * the last, which writing them one by one gives as well). */
static void atom(translator *t)
{
    int32_t ch = peek(t);
    if (ch == '{') {
        /* Java makes an empty node, and the '{' must then be a repetition of it. */
        t->kind = NODE_EMPTY;
        return;
    }
    if (ch == '\\') {
        ch = escape(t, false, true, false, NULL);
        if (ch >= 0 && !t->failed)
            emit_literal(t, ch);
        return;
    }
    emit_literal(t, ch);
    next(t);
}

static void caret(translator *t)
{
    if (!has(t, FLAG_MULTILINE))
        emit(t, "\\A");
    else if (has(t, FLAG_UNIX_LINES))
        emit(t, "(?:(?=(?s:.))(?:\\A|(?<=\\x{a})))");
    else /* not at the end; at the start, after a terminator, but not inside \r\n */
        emit(t, "(?:(?=(?s:.))(?:\\A|(?<=[\\x{a}\\x{85}\\x{2028}\\x{2029}])|(?<=\\x{d})(?!\\x{a})))");
    t->kind = NODE_ASSERTION;
}

static void dot(translator *t)
{
    if (has(t, FLAG_DOTALL))
        emit(t, "(?s:.)");
    else if (has(t, FLAG_UNIX_LINES))
        emit(t, "[^\\x{a}]");
    else
        emit(t, "[^" TERMINATORS "]");
}

/* Pattern.sequence: nodes up to a '|', a ')' or the end. */
static void sequence(translator *t)
{
    for (;;) {
        int32_t ch = peek(t);
        size_t node_start = t->out.len;
        t->kind = NODE_ITEM;
        switch (ch) {
        case '(':
            group(t); /* writes its own quantifier */
            if (t->failed)
                return;
            continue;
        case '[':
            class_parse(t);
            break;
        case '\\':
            ch = next_escaped(t);
            if (ch == 'p' || ch == 'P') {
                bool complement = ch == 'P', single_letter = true;
                if (next(t) != '{')
                    unread(t);
                else
                    single_letter = false;
                family(t, single_letter, complement, NULL);
            } else {
                unread(t);
                atom(t);
            }
            break;
        case '^':
            next(t);
            caret(t);
            break;
        case '$':
            next(t);
            emit(t, dollar(t, has(t, FLAG_MULTILINE)));
            t->kind = NODE_ASSERTION;
            break;
        case '.':
            next(t);
            dot(t);
            break;
        case '|':
        case ')':
            return;
        case '?':
        case '*':
        case '+':
            next(t);
            java_error(t, "Dangling meta character '%c'", (char)ch);
            return;
        case 0:
            if (t->cursor >= t->length)
                return;
            atom(t);
            break;
        default:
            atom(t);
            break;
        }
        if (t->failed)
            return;
        closure(t, node_start, SIZE_MAX);
        if (t->failed)
            return;
    }
}

/* Pattern.expr: alternatives. */
static void expr(translator *t)
{
    for (;;) {
        sequence(t);
        if (t->failed || peek(t) != '|')
            return;
        next(t);
        emit(t, "|");
        t->varying = true;
    }
}

/* ---- the pattern ------------------------------------------------------------------------------ */

/* Java's RemoveQEQuoting: \Q..\E becomes escaped characters (digits at the start of a quote as
 * \x3N, so that an escape before the quote cannot take them). */
static bool remove_quoting(translator *t)
{
    size_t length = t->length, i = 0;
    while (i + 1 < length) {
        if (t->temp[i] != '\\')
            i += 1;
        else if (t->temp[i + 1] != 'Q')
            i += 2;
        else
            break;
    }
    if (i + 1 >= length)
        return true;
    size_t j = i;
    i += 2;
    int32_t *quoted = calloc(j + 2 + 3 * (length - i) + PADDING, sizeof *quoted);
    if (!quoted)
        return false;
    memcpy(quoted, t->temp, j * sizeof *quoted);
    bool in_quote = true, begin_quote = true;
    while (i < length) {
        int32_t c = t->temp[i++];
        if (c > 0x7F || is_ascii_alpha(c)) {
            quoted[j++] = c;
        } else if (is_ascii_digit(c)) {
            if (begin_quote) {
                quoted[j++] = '\\';
                quoted[j++] = 'x';
                quoted[j++] = '3';
            }
            quoted[j++] = c;
        } else if (c != '\\') {
            if (in_quote)
                quoted[j++] = '\\';
            quoted[j++] = c;
        } else if (in_quote) {
            if (t->temp[i] == 'E') {
                i++;
                in_quote = false;
            } else {
                quoted[j++] = '\\';
                quoted[j++] = '\\';
            }
        } else {
            if (t->temp[i] == 'Q') {
                i++;
                in_quote = true;
                begin_quote = true;
                continue;
            }
            quoted[j++] = c;
            if (i != length)
                quoted[j++] = t->temp[i++];
        }
        begin_quote = false;
    }
    free(t->temp);
    t->temp = quoted;
    t->length = j;
    return true;
}

static bool decode_pattern(translator *t)
{
    size_t len = strlen(t->pattern);
    t->temp = calloc(len + PADDING, sizeof *t->temp);
    if (!t->temp)
        return false;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t n = utf8_sequence((const unsigned char *)t->pattern + i, len - i, &c);
        i += n;
        t->temp[t->length++] = (int32_t)c;
    }
    return true;
}

static void translate(translator *t)
{
    t->cursor = 0;
    t->flags = 0;
    t->caseless = false;
    t->groups_opened = 0;
    t->name_count = 0;
    t->lookbehind_count = 0;
    t->depth = 0;
    t->uses_last_match = false;
    t->varying = t->has_line_ending = false;
    strbuf_reset(&t->out);
    expr(t);
    if (!t->failed && strbuf_failed(&t->out))
        fail_memory(t);
    if (t->failed)
        return;
    if (t->cursor != t->length) {
        if (peek(t) == ')')
            java_error(t, "Unmatched closing ')'");
        else if (t->cursor == t->length + 1 && t->length > 0 && t->temp[t->length - 1] == '\\')
            java_error(t, "Unescaped trailing backslash");
        else
            java_error(t, "Unexpected internal error");
    }
}

static pcre2_code *code_compile(translator *t, pcre2_compile_context *context, uint32_t options)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *compiled =
        pcre2_compile((PCRE2_SPTR)t->out.data, t->out.len,
                      PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_NEVER_BACKSLASH_C | PCRE2_NEVER_UCP |
                          options,
                      &code, &offset, context);
    if (compiled)
        return compiled;
    if (code == PCRE2_ERROR_LOOKBEHIND_NOT_FIXED_LENGTH) {
        long index = -1;
        for (size_t i = 0; i < t->lookbehind_count; i++)
            if (t->lookbehinds[i].output == offset)
                index = t->lookbehinds[i].index;
        fail_at(t, index, "a look-behind whose length varies is not supported (PCRE2 needs a "
                          "fixed length for each alternative)");
        return NULL;
    }
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code, message, sizeof message);
    fail_at(t, -1, "PCRE2 cannot compile the translated pattern %s: %s at offset %zu",
            t->out.data, (const char *)message, (size_t)offset);
    return NULL;
}

java_regex *java_regex_compile(const char *pattern, char *err, size_t errlen)
{
    java_regex *regex = NULL;
    pcre2_compile_context *context = NULL;
    translator t = {.pattern = pattern, .err = err, .errlen = errlen};
    if (!pattern) {
        ferry_error_set(err, errlen, "no pattern");
        return NULL;
    }
    if (!utf8_valid(pattern, strlen(pattern))) {
        ferry_error_set(err, errlen, "the pattern is not valid UTF-8");
        return NULL;
    }
    if (!decode_pattern(&t) || !remove_quoting(&t))
        goto out_of_memory;
    t.total_groups = NO_TOTAL;
    translate(&t);
    if (!t.failed) {
        t.total_groups = t.groups_opened;
        translate(&t);
    }
    if (t.failed)
        goto cleanup;
    if (!t.out.data)
        strbuf_append_literal(&t.out, ""); /* the empty pattern */
    if (strbuf_failed(&t.out))
        goto out_of_memory;
    regex = calloc(1, sizeof *regex);
    context = pcre2_compile_context_create(NULL);
    if (!regex || !context || pcre2_set_newline(context, PCRE2_NEWLINE_LF) != 0 ||
        pcre2_set_bsr(context, PCRE2_BSR_UNICODE) != 0)
        goto out_of_memory;
    regex->search = code_compile(&t, context, 0);
    if (regex->search)
        regex->whole = code_compile(&t, context, PCRE2_ANCHORED | PCRE2_ENDANCHORED);
    if (!regex->search || !regex->whole)
        goto fail;
    /* The JIT makes a match several times faster; without it (no executable memory) the
     * interpreter gives the same answers. */
    pcre2_jit_compile(regex->search, PCRE2_JIT_COMPLETE);
    pcre2_jit_compile(regex->whole, PCRE2_JIT_COMPLETE);
    regex->match_data = pcre2_match_data_create_from_pattern(regex->search, NULL);
    if (!regex->match_data)
        goto out_of_memory;
    regex->group_count = t.groups_opened;
    regex->uses_last_match = t.uses_last_match;
    if (t.name_count) {
        regex->names = calloc(t.name_count, sizeof *regex->names);
        if (!regex->names)
            goto out_of_memory;
        memcpy(regex->names, t.names, t.name_count * sizeof *regex->names);
        regex->name_count = t.name_count;
    }
    goto cleanup;
out_of_memory:
    ferry_error_set(err, errlen, "out of memory compiling the pattern %s", pattern);
fail:
    java_regex_free(regex);
    regex = NULL;
cleanup:
    pcre2_compile_context_free(context);
    free(t.temp);
    free(t.names);
    free(t.lookbehinds);
    strbuf_free(&t.out);
    return regex;
}

void java_regex_free(java_regex *regex)
{
    if (!regex)
        return;
    pcre2_match_data_free(regex->match_data);
    pcre2_code_free(regex->search);
    pcre2_code_free(regex->whole);
    free(regex->names);
    free(regex);
}

size_t java_regex_group_count(const java_regex *regex)
{
    return regex ? regex->group_count : 0;
}

/* ---- matching and replacing ------------------------------------------------------------------- */

bool java_regex_matches(java_regex *regex, const char *subject, size_t len)
{
    if (!regex || (!subject && len))
        return false;
    int rc = pcre2_match(regex->whole, (PCRE2_SPTR)(subject ? subject : ""), len, 0, 0,
                         regex->match_data, NULL);
    return rc >= 0;
}

static int match_error(int rc, char *err, size_t errlen)
{
    if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        return ferry_error_set(err, errlen, "the text to match is not valid UTF-8"), -1;
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(rc, message, sizeof message);
    return ferry_error_set(err, errlen, "matching failed: %s", (const char *)message), -1;
}

static size_t character_length(const char *text, size_t avail)
{
    size_t n = avail ? utf8_sequence((const unsigned char *)text, avail, NULL) : 0;
    return n ? n : 1;
}

/* Matcher.appendExpandedReplacement: the replacement with the groups of the match at ovector
 * put in, onto out. 0, or -1 with Java's message in err. */
static int replacement_expand(const java_regex *regex, const char *subject,
                              const PCRE2_SIZE *ovector, const char *replacement, strbuf *out,
                              char *err, size_t errlen)
{
    const char *p = replacement;
    while (*p) {
        if (*p == '\\') {
            p++;
            if (!*p)
                return ferry_error_set(err, errlen, "character to be escaped is missing"), -1;
            size_t n = character_length(p, strlen(p));
            strbuf_append(out, p, n);
            p += n;
            continue;
        }
        if (*p != '$') {
            strbuf_append_char(out, *p++);
            continue;
        }
        p++;
        if (!*p)
            return ferry_error_set(err, errlen,
                                   "Illegal group reference: group index is missing"), -1;
        size_t number;
        if (*p == '{') {
            const char *begin = ++p;
            while (is_ascii_alnum((unsigned char)*p))
                p++;
            int len = (int)(p - begin);
            if (len == 0)
                return ferry_error_set(err, errlen, "named capturing group has 0 length name"),
                       -1;
            if (*p != '}')
                return ferry_error_set(err, errlen,
                                       "named capturing group is missing trailing '}'"), -1;
            if (is_ascii_digit((unsigned char)*begin))
                return ferry_error_set(err, errlen,
                                       "capturing group name {%.*s} starts with digit character",
                                       len, begin), -1;
            const group_name *group = name_find(regex->names, regex->name_count, begin,
                                                (size_t)len);
            if (!group)
                return ferry_error_set(err, errlen, "No group with name {%.*s}", len, begin), -1;
            number = group->number;
            p++;
        } else {
            if (!is_ascii_digit((unsigned char)*p))
                return ferry_error_set(err, errlen, "Illegal group reference"), -1;
            /* The first digit is always the group; more are taken while such a group exists. */
            number = (size_t)(*p++ - '0');
            while (is_ascii_digit((unsigned char)*p)) {
                size_t longer = number * 10 + (size_t)(*p - '0');
                if (longer > regex->group_count)
                    break;
                number = longer;
                p++;
            }
        }
        if (number > regex->group_count)
            return ferry_error_set(err, errlen, "No group %zu", number), -1;
        PCRE2_SIZE start = ovector[2 * number], end = ovector[2 * number + 1];
        if (start != PCRE2_UNSET && end != PCRE2_UNSET)
            strbuf_append(out, subject + start, end - start);
    }
    return 0;
}

static int replace(java_regex *regex, const char *subject, const char *replacement, bool all,
                   char **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!regex || !subject || !replacement || !out)
        return ferry_error_set(err, errlen, "no regex, subject or replacement"), -1;
    size_t len = strlen(subject), copied = 0, search = 0;
    bool replaced = false, previous_empty = false;
    strbuf result = {0};
    const PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(regex->match_data);
    while (search <= len) {
        int rc = pcre2_match(regex->search, (PCRE2_SPTR)subject, len, search, 0,
                             regex->match_data, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            match_error(rc, err, errlen);
            goto fail;
        }
        if (previous_empty && regex->uses_last_match) {
            ferry_error_set(err, errlen, "replaceAll with a pattern that uses \\G and matches "
                                         "the empty string is not supported");
            goto fail;
        }
        replaced = true;
        strbuf_append(&result, subject + copied, ovector[0] - copied);
        if (replacement_expand(regex, subject, ovector, replacement, &result, err, errlen))
            goto fail;
        copied = ovector[1];
        if (!all)
            break;
        /* Matcher.find: on from where the match ended, one character further after an empty
         * match. */
        previous_empty = ovector[1] == ovector[0];
        search = ovector[1] + (previous_empty ? character_length(subject + ovector[1],
                                                                 len - ovector[1]) : 0);
    }
    if (!replaced) {
        strbuf_free(&result);
        return 0;
    }
    strbuf_append(&result, subject + copied, len - copied);
    if (strbuf_failed(&result)) {
        ferry_error_set(err, errlen, "out of memory replacing in %s", subject);
        goto fail;
    }
    *out = strbuf_take(&result, NULL);
    return 1;
fail:
    strbuf_free(&result);
    return -1;
}

int java_regex_replacement_check(const java_regex *regex, const char *replacement, char *err,
                                 size_t errlen)
{
    if (!regex || !replacement)
        return ferry_error_set(err, errlen, "no regex or replacement"), -1;
    /* Expanded against a match whose groups all failed to take part: every group a reference
     * names must still exist, and the syntax is read to its end. */
    size_t slots = 2 * ((size_t)regex->group_count + 1);
    PCRE2_SIZE *ovector = malloc(slots * sizeof(*ovector));
    if (!ovector)
        return ferry_error_set(err, errlen, "out of memory checking a replacement"), -1;
    for (size_t i = 0; i < slots; i++)
        ovector[i] = PCRE2_UNSET;
    strbuf expanded = {0};
    int rc = replacement_expand(regex, "", ovector, replacement, &expanded, err, errlen);
    strbuf_free(&expanded);
    free(ovector);
    return rc;
}

int java_regex_replace_first(java_regex *regex, const char *subject, const char *replacement,
                             char **out, char *err, size_t errlen)
{
    return replace(regex, subject, replacement, false, out, err, errlen);
}

int java_regex_replace_all(java_regex *regex, const char *subject, const char *replacement,
                           char **out, char *err, size_t errlen)
{
    return replace(regex, subject, replacement, true, out, err, errlen);
}
