/* assignment: the ferry-assignment record of distributed mode (docs/distributed.md), its JSON
 * round trip, the refusals of malformed records, and task names. Records in the tables are
 * JSON written with single quotes, turned into double quotes before parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cluster/assignment.h"

static json_t *json_quoted(const char *text)
{
    char *copy = strdup(text);
    assert_non_null(copy);
    for (char *c = copy; *c; c++) {
        if (*c == '\'')
            *c = '"';
    }
    json_error_t error;
    json_t *value = json_loads(copy, JSON_REJECT_DUPLICATES, &error);
    if (!value)
        fail_msg("test JSON %s: %s", copy, error.text);
    free(copy);
    return value;
}

static char *json_text(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(text);
    return text;
}

/* ---- the record's JSON ------------------------------------------------------------------- */

static void test_record_round_trip(void **state)
{
    (void)state;
    const char *text =
        "{'epoch':7,'leader':'w1:8083','leader_url':'http://w1:8083',"
        "'assignment':{'w1:8083':{'connectors':['a','b-c'],'tasks':['a-0','a-10','b-c-2']},"
        "'w2:8083':{'connectors':[],'tasks':[]}},"
        "'revoked':{'w3:8083':{'epoch':6,'at':1700000000000,'connectors':['d'],'tasks':['d-1']}},"
        "'departed':{'w3:8083':1699999999000}}";
    json_t *value = json_quoted(text);
    assignment record = {0};
    char err[256] = "";
    assert_int_equal(assignment_from_json(value, &record, err, sizeof(err)), 0);
    assert_int_equal(record.epoch, 7);
    assert_string_equal(record.leader, "w1:8083");
    assert_int_equal(record.worker_count, 2);
    assert_string_equal(record.workers[0].work.tasks.items[1], "a-10");
    assert_int_equal(record.revoked[0].at_ms, 1700000000000);
    assert_int_equal(assignment_find_departure(&record, "w3:8083")->departed_ms, 1699999999000);
    json_t *back = assignment_to_json(&record);
    /* The same text, members in the same order. */
    char *want = json_text(value), *got = json_text(back);
    assert_string_equal(got, want);
    free(want);
    free(got);
    json_decref(back);
    json_decref(value);
    assignment_free(&record);
    assignment_free(&record); /* freeing twice is freeing an empty one */
}

typedef struct malformed_case {
    const char *record;
    const char *message;
} malformed_case;

#define RECORD_HEAD "'epoch':3,'leader':'w1','leader_url':'u',"
#define EMPTY_SECTIONS "'revoked':{},'departed':{}"

static const malformed_case malformed_cases[] = {
    {"[]", "the ferry-assignment record: expected a JSON object, got []"},
    {"{}", "epoch: missing (expected an integer of at least 1)"},
    {"{'epoch':0}", "epoch: expected an integer of at least 1, got 0"},
    {"{'epoch':'3'}", "epoch: expected an integer of at least 1, got \"3\""},
    {"{'epoch':3,'leader':''}", "leader: expected a worker id, got \"\""},
    {"{'epoch':3,'leader':'w1'}", "leader_url: missing (expected a URL)"},
    {"{" RECORD_HEAD "'assignment':[]," EMPTY_SECTIONS "}",
     "assignment: expected an object of workers, got []"},
    {"{" RECORD_HEAD "'assignment':{'w1':[]}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"]: expected an object of \"connectors\" and \"tasks\", got []"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[]}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].tasks: missing (expected an array of names)"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[],'tasks':['a-0',1]}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].tasks[1]: expected a string, got 1"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[],'tasks':['a']}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].tasks[0]: \"a\" is not a task name (\"<connector>-<n>\")"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[],'tasks':['a-01']}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].tasks[0]: \"a-01\" is not a task name (\"<connector>-<n>\")"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[],'tasks':['-1']}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].tasks[0]: \"-1\" is not a task name (\"<connector>-<n>\")"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[''],'tasks':[]}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].connectors[0]: a connector name must not be empty"},
    {"{" RECORD_HEAD "'assignment':{'':{'connectors':[],'tasks':[]}}," EMPTY_SECTIONS "}",
     "assignment: entry 0 has an empty worker id"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':[],'tasks':['a-0']},"
     "'w2':{'connectors':[],'tasks':['b-0','a-0']}}," EMPTY_SECTIONS "}",
     "task \"a-0\" is listed twice: in assignment[\"w1\"] and in assignment[\"w2\"]"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':['a','a'],'tasks':[]}}," EMPTY_SECTIONS "}",
     "connector \"a\" is listed twice: in assignment[\"w1\"] and in assignment[\"w1\"]"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':['a'],'tasks':[]}},"
     "'revoked':{'w2':{'epoch':3,'at':5,'connectors':['a'],'tasks':[]}},'departed':{}}",
     "connector \"a\" is listed twice: in assignment[\"w1\"] and in revoked[\"w2\"]"},
    {"{" RECORD_HEAD "'assignment':{},'revoked':{'w2':{'epoch':4,'at':5,'connectors':[],"
     "'tasks':[]}},'departed':{}}",
     "revoked[\"w2\"].epoch: expected 1 to 3 (the assignment's epoch), got 4"},
    {"{" RECORD_HEAD "'assignment':{},'revoked':{'w2':{'epoch':2,'connectors':[],'tasks':[]}},"
     "'departed':{}}",
     "revoked[\"w2\"].at: missing (expected a time in ms)"},
    {"{" RECORD_HEAD "'assignment':{},'revoked':{'w2':7},'departed':{}}",
     "revoked[\"w2\"]: expected an object of \"epoch\", \"at\", \"connectors\" and \"tasks\", "
     "got 7"},
    {"{" RECORD_HEAD "'assignment':{},'revoked':{},'departed':{'w2':-1}}",
     "departed[\"w2\"]: expected a time in ms, got -1"},
    {"{" RECORD_HEAD "'assignment':{},'revoked':{}}",
     "departed: missing (expected an object of workers and times in ms)"},
    {"{" RECORD_HEAD "'assignment':{},'departed':{}}",
     "revoked: missing (expected an object of workers)"},
    {"{" RECORD_HEAD "'assignment':{'w1':{'connectors':['a-very-long-connector-name-that-goes-on',"
     "7],'tasks':[]}}," EMPTY_SECTIONS "}",
     "assignment[\"w1\"].connectors[1]: expected a string, got 7"},
    {"{'epoch':3,'leader':['a-very-long-leader-name-that-goes-on-and-on']}",
     "leader: expected a worker id, got [\"a-very-long-leader-name-that-goes-o..."},
};

static void test_malformed_records_are_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
        json_t *value = json_quoted(malformed_cases[i].record);
        assignment record = {0};
        char err[256] = "";
        if (assignment_from_json(value, &record, err, sizeof(err)) != -1)
            fail_msg("accepted %s", malformed_cases[i].record);
        assert_string_equal(err, malformed_cases[i].message);
        /* Nothing is left behind in a refused record. */
        assert_int_equal(record.worker_count, 0);
        assert_null(record.leader);
        json_decref(value);
    }
}

static void test_unknown_keys_are_ignored(void **state)
{
    (void)state;
    json_t *value = json_quoted("{" RECORD_HEAD "'assignment':{}," EMPTY_SECTIONS ",'later':1}");
    assignment record = {0};
    char err[256] = "";
    assert_int_equal(assignment_from_json(value, &record, err, sizeof(err)), 0);
    assignment_free(&record);
    json_decref(value);
}

static void test_task_names(void **state)
{
    (void)state;
    size_t len;
    uint32_t index;
    assert_true(assignment_task_parse("a-b-12", &len, &index));
    assert_int_equal(len, 3);
    assert_int_equal(index, 12);
    assert_true(assignment_task_parse("a-0", NULL, NULL));
    assert_true(assignment_task_parse("a-2147483647", NULL, NULL));
    const char *bad[] = {"a", "a-", "-0", "a-01", "a-1x", "a-2147483648", "a-+1", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(assignment_task_parse(bad[i], NULL, NULL));
    /* The number follows the last dash: "a--1" is task 1 of the connector "a-". */
    assert_true(assignment_task_parse("a--1", &len, &index));
    assert_int_equal(len, 2);
    const char *ordered[] = {"a-0", "a-2", "a-10", "a-b-0", "ab-0", "b-1", "x"};
    for (size_t i = 0; i + 1 < sizeof(ordered) / sizeof(ordered[0]); i++) {
        assert_true(assignment_task_compare(ordered[i], ordered[i + 1]) < 0);
        assert_true(assignment_task_compare(ordered[i + 1], ordered[i]) > 0);
        assert_int_equal(assignment_task_compare(ordered[i], ordered[i]), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_malformed_records_are_refused),
        cmocka_unit_test(test_unknown_keys_are_ignored),
        cmocka_unit_test(test_task_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
