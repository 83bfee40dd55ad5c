/*
 * credential_redact.c - the passwords of URLs and libpq connection strings (see the header).
 *
 * The scan is meant for every log line, so its common case (no "://", no "password") is two
 * strstr calls over the text.
 */
#include "support/credential_redact.h"

#include <stdlib.h>
#include <string.h>

#include "support/hex.h"
#include "support/strbuf.h"

static bool credential_is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Where the token holding a URL ends: a list of URLs is separated by commas, and URLs in free
 * text by blanks or quotes. */
static bool credential_token_end(char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' ||
           c == '"' || c == '\'' || c == '<' || c == '>';
}

/* The password of the URL whose "://" is at text + scheme_end, if it has one. */
static bool credential_find_url(const char *text, size_t scheme_end, size_t *start, size_t *end)
{
    size_t authority = scheme_end + 3;
    size_t stop = authority;
    /* The authority ends at the path, query or fragment (RFC 3986), or where the token does. */
    while (!credential_token_end(text[stop]) && text[stop] != '/' && text[stop] != '?' &&
           text[stop] != '#')
        stop++;
    /* The last '@': a password with an unencoded '@' is still hidden whole. */
    size_t at = stop;
    while (at > authority && text[at - 1] != '@')
        at--;
    if (at == authority)
        return false;
    at--; /* on the '@' */
    const char *colon = memchr(text + authority, ':', at - authority);
    if (!colon || (size_t)(colon - text) + 1 == at)
        return false; /* a user alone, or an empty password */
    *start = (size_t)(colon - text) + 1;
    *end = at;
    return true;
}

/* The value of the "password" keyword at text + keyword, if it is one: libpq's key=value form
 * (blanks around '=', the value up to a blank or single-quoted with backslash escapes) or a URI
 * query parameter (after '?' or '&', up to '&' or '#'). */
static bool credential_find_keyword(const char *text, size_t keyword, size_t *start, size_t *end)
{
    size_t before = keyword;
    /* libpq's sslpassword too. */
    if (before >= 3 && strncmp(text + before - 3, "ssl", 3) == 0)
        before -= 3;
    if (before > 0 && credential_is_alnum(text[before - 1]))
        return false;
    bool query = before > 0 && (text[before - 1] == '?' || text[before - 1] == '&');
    size_t at = keyword + strlen("password");
    while (!query && (text[at] == ' ' || text[at] == '\t'))
        at++;
    if (text[at] != '=')
        return false;
    at++;
    while (!query && (text[at] == ' ' || text[at] == '\t'))
        at++;
    if (!query && text[at] == '\'') {
        size_t value = at + 1, close = value;
        while (text[close] && text[close] != '\'') {
            if (text[close] == '\\' && text[close + 1])
                close++;
            close++;
        }
        if (close == value)
            return false;
        *start = value;
        *end = close;
        return true;
    }
    size_t value = at, stop = at;
    while (text[stop] && text[stop] != ' ' && text[stop] != '\t' && text[stop] != '\n' &&
           text[stop] != '\r' && !(query && (text[stop] == '&' || text[stop] == '#')))
        stop++;
    if (stop == value)
        return false;
    *start = value;
    *end = stop;
    return true;
}

bool credential_find(const char *text, size_t from, size_t *start, size_t *end)
{
    const char *url = strstr(text + from, "://");
    const char *keyword = strstr(text + from, "password");
    while (url || keyword) {
        /* The earlier of the two candidates first, so that passwords come out in order. */
        if (url && (!keyword || url < keyword)) {
            if (credential_find_url(text, (size_t)(url - text), start, end))
                return true;
            url = strstr(url + 3, "://");
        } else {
            if (credential_find_keyword(text, (size_t)(keyword - text), start, end))
                return true;
            keyword = strstr(keyword + 8, "password");
        }
    }
    return false;
}

int credential_redact(const char *text, char **out)
{
    *out = NULL;
    size_t start, end, from = 0;
    if (!credential_find(text, 0, &start, &end))
        return 0;
    strbuf hidden = {0};
    do {
        strbuf_append(&hidden, text + from, start - from);
        strbuf_append_literal(&hidden, CREDENTIAL_HIDDEN);
        from = end;
    } while (credential_find(text, from, &start, &end));
    strbuf_append_str(&hidden, text + from);
    if (strbuf_failed(&hidden)) {
        free(hidden.data);
        return -1;
    }
    *out = hidden.data;
    return 1;
}

int credential_hide(char **text, const char *secret)
{
    size_t secret_len = strlen(secret);
    const char *at = secret_len ? strstr(*text, secret) : NULL;
    if (!at)
        return 0;
    strbuf hidden = {0};
    const char *read = *text;
    for (; at; at = strstr(read, secret)) {
        strbuf_append(&hidden, read, (size_t)(at - read));
        strbuf_append_literal(&hidden, CREDENTIAL_HIDDEN);
        read = at + secret_len;
    }
    strbuf_append_str(&hidden, read);
    if (strbuf_failed(&hidden)) {
        free(hidden.data);
        return -1;
    }
    free(*text);
    *text = hidden.data;
    return 0;
}

char *credential_percent_decode(const char *text, size_t len)
{
    char *decoded = malloc(len + 1);
    if (!decoded)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int high = i + 2 < len && text[i] == '%' ? hex_digit_value(text[i + 1]) : -1;
        int low = high >= 0 ? hex_digit_value(text[i + 2]) : -1;
        if (high >= 0 && low >= 0) {
            decoded[n++] = (char)(high * 16 + low);
            i += 2;
        } else {
            decoded[n++] = text[i];
        }
    }
    decoded[n] = '\0';
    return decoded;
}
