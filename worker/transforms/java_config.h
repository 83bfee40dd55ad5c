/*
 * java_config.h - a transform's config values as Kafka's ConfigDef parses them, where ferry's
 * own reading differs: a STRING is trimmed as Java's String.trim() trims (every character up to
 * U+0020 at both ends: the chain trims a transform's STRING values before it sees them,
 * transform_chain.c), and a LIST keeps its empty items ("a,,b" is three items, "a," two), as
 * ConfigDef splits the trimmed text on `\s*,\s*`. Lists print as Java's List.toString does, for
 * the "Invalid value [a, b] for configuration ..." texts.
 */
#ifndef FERRY_JAVA_CONFIG_H
#define FERRY_JAVA_CONFIG_H

#include <ferry/plugin.h>

/* The STRING value of key (set, or its default): a new string in *value, NULL when the key has
 * neither (Java's null). 0, or -1 when out of memory. */
int java_config_string(const ferry_config *config, const char *key, char **value);
/* The same with "" for Java's null: a new string, NULL when out of memory. */
char *java_config_text(const ferry_config *config, const char *key);

/* ConfigDef's parse of a LIST text: no items for a text that is empty once trimmed, else the
 * items between the commas. A NULL-terminated array freed with java_config_list_free (text
 * NULL: no items); NULL when out of memory. */
char **java_config_list_parse(const char *text);
/* The LIST value of key (set, or its default), parsed; NULL when out of memory. */
char **java_config_list(const ferry_config *config, const char *key);
/* A LIST without a default that NonEmptyListValidator checks: the parsed items in *items, or -1
 * with Kafka's text for a key that is not set ("Missing required configuration \"<key>\" which
 * has no default value.") or a list without items ("Invalid value [] for configuration <key>:
 * Empty list"), or when out of memory (*items NULL then). */
int java_config_list_non_empty(const ferry_config *config, const char *key, char ***items,
                               char *err, size_t errlen);
void java_config_list_free(char **items); /* accepts NULL */
size_t java_config_list_count(char *const *items);
/* List.toString(): "[a, b]", "[]". A new string, NULL when out of memory. */
char *java_config_list_text(char *const *items);

#endif
