/*
 * test_compat_records_current.c - the committed tests/compat/records/ferry.jsonl is what ferry's
 * converter writes today, line for line, so that the records Kafka's JsonConverter is checked
 * against cannot go stale. On a difference: regenerate them (tests/compat/README.md) and look
 * at what changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat_records.h"

#define REGENERATE "regenerate with: build/tests/compat/compat_generate tests/compat/records/ferry.jsonl"

static void test_records_current(void **state)
{
    (void)state;
    FILE *committed = fopen(FERRY_COMPAT_RECORDS, "r");
    if (!committed)
        fail_msg("cannot open %s (" REGENERATE ")", FERRY_COMPAT_RECORDS);
    char *line = NULL;
    size_t capacity = 0;
    char err[512] = "";
    size_t i = 0;

    for (; i < compat_case_count; i++) {
        char *expected = compat_record_line(&compat_cases[i], err, sizeof(err));
        if (!expected)
            fail_msg("%s", err);
        ssize_t len = getline(&line, &capacity, committed);
        if (len < 0)
            fail_msg("%s ends at line %zu, before case '%s' (" REGENERATE ")",
                     FERRY_COMPAT_RECORDS, i + 1, compat_cases[i].name);
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        if (strcmp(line, expected) != 0)
            fail_msg("%s line %zu is not what ferry writes today (" REGENERATE ")\n"
                     "  committed: %s\n  ferry now: %s",
                     FERRY_COMPAT_RECORDS, i + 1, line, expected);
        free(expected);
    }
    if (getline(&line, &capacity, committed) >= 0)
        fail_msg("%s has more lines than the %zu cases (" REGENERATE ")", FERRY_COMPAT_RECORDS,
                 compat_case_count);
    free(line);
    fclose(committed);
}

/* Case names are unique: they pair ferry's records with Kafka's. */
static void test_case_names_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < compat_case_count; i++)
        for (size_t j = i + 1; j < compat_case_count; j++)
            if (strcmp(compat_cases[i].name, compat_cases[j].name) == 0)
                fail_msg("case '%s' twice", compat_cases[i].name);
    assert_ptr_equal(compat_case_find(compat_cases[0].name), &compat_cases[0]);
    assert_null(compat_case_find("no such case"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_current),
        cmocka_unit_test(test_case_names_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
