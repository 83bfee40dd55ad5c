/*
 * java_config.c - ConfigDef's STRING and LIST parsing (java_config.h).
 */
#include "transforms/java_config.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_validate.h"
#include "support/strbuf.h"
#include "support/strlist.h"

/* String.trim(): the part of text without the characters up to U+0020 at either end. */
static size_t java_config_trim(const char *text, const char **start)
{
    while (*text && (unsigned char)*text <= ' ')
        text++;
    size_t len = strlen(text);
    while (len > 0 && (unsigned char)text[len - 1] <= ' ')
        len--;
    *start = text;
    return len;
}

/* Java's \s: space, \t, \n, \x0B, \f, \r. */
static bool java_config_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int java_config_string(const ferry_config *config, const char *key, char **value)
{
    /* The chain has trimmed the text (transform_chain.c). */
    const char *text = ferry_config_string(config, key);
    *value = text ? strdup(text) : NULL;
    return text && !*value ? -1 : 0;
}

char *java_config_text(const ferry_config *config, const char *key)
{
    const char *text = ferry_config_string(config, key);
    return strdup(text ? text : "");
}

char **java_config_list_parse(const char *text)
{
    strlist list = {0};
    const char *start;
    size_t len = java_config_trim(text ? text : "", &start);
    const char *end = start + len;
    for (const char *item = start; len > 0;) {
        const char *comma = memchr(item, ',', (size_t)(end - item));
        const char *item_end = comma ? comma : end;
        while (item_end > item && java_config_is_space(item_end[-1]))
            item_end--;
        if (strlist_append(&list, item, (size_t)(item_end - item)) != 0) {
            strlist_free(&list);
            return NULL;
        }
        if (!comma)
            break;
        item = comma + 1;
        while (item < end && java_config_is_space(*item))
            item++;
    }
    return strlist_take(&list);
}

char **java_config_list(const ferry_config *config, const char *key)
{
    return java_config_list_parse(ferry_config_string(config, key));
}

int java_config_list_non_empty(const ferry_config *config, const char *key, char ***items,
                               char *err, size_t errlen)
{
    const char *text = ferry_config_string(config, key);
    *items = NULL;
    if (!text)
        return ferry_error_set(err, errlen, "Missing required configuration \"%s\" which has no "
                               "default value.", key), -1;
    if (!(*items = java_config_list_parse(text)))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    if (!(*items)[0]) {
        java_config_list_free(*items);
        *items = NULL;
        return ferry_error_set(err, errlen, "Invalid value [] for configuration %s: Empty list",
                               key), -1;
    }
    return 0;
}

void java_config_list_free(char **items)
{
    strlist_array_free(items);
}

size_t java_config_list_count(char *const *items)
{
    size_t count = 0;
    while (items && items[count])
        count++;
    return count;
}

char *java_config_list_text(char *const *items)
{
    strbuf text = {0};
    strbuf_append_char(&text, '[');
    for (size_t i = 0; items && items[i]; i++) {
        if (i)
            strbuf_append_str(&text, ", ");
        strbuf_append_str(&text, items[i]);
    }
    strbuf_append_char(&text, ']');
    return strbuf_take(&text, NULL);
}
