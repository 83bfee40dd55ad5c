/*
 * credential_redact.h - finding and hiding the password inside a value that is not secret as a
 * whole: the userinfo of a URL (http://elastic:PASSWORD@host:9200, postgres://u:PASSWORD@h/db,
 * several of them in a comma-separated list) and the password of a libpq connection string
 * (host=h password=PASSWORD, password='quoted value', ?password=PASSWORD in a URI). The user,
 * host and path stay readable: http://elastic:[hidden]@host:9200.
 *
 * Used wherever such text leaves the worker: config answers, log lines, traces, DLQ headers.
 */
#ifndef FERRY_SUPPORT_CREDENTIAL_REDACT_H
#define FERRY_SUPPORT_CREDENTIAL_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* What every hidden value is shown as, in answers and logs alike. */
#define CREDENTIAL_HIDDEN "[hidden]"

/* The next password in text[from..], as [*start, *end) (never empty). false when there is none. */
bool credential_find(const char *text, size_t from, size_t *start, size_t *end);

/* A copy of text with every password credential_find finds replaced by CREDENTIAL_HIDDEN, in
 * *out (malloc'd). Returns 1 when something was hidden, 0 when text holds no password (*out is
 * then NULL: the caller keeps text), -1 out of memory. */
int credential_redact(const char *text, char **out);

/* Replaces every occurrence of secret (not empty) in *text, a malloc'd string, with
 * CREDENTIAL_HIDDEN (*text is then a new string). 0, or -1 out of memory (*text unchanged). */
int credential_hide(char **text, const char *secret);

/* Decodes %XX escapes of text[0..len) into a new string (an invalid escape is kept as it is);
 * NULL out of memory. A password in a URL is written encoded and may be quoted decoded. */
char *credential_percent_decode(const char *text, size_t len);

#endif
