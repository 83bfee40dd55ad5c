/* assignor: the rules of distributed mode's assignment (docs/distributed.md), case by case and
 * as properties checked after every round of thousands of random ones; the ferry-assignment
 * record's JSON, round trip and refusals. Records in the tables are JSON written with single
 * quotes, turned into double quotes before parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cluster/assignor.h"
#include "support/strlist.h"

#define NEVER ASSIGNOR_NEVER

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

/* A previous record from the tables: leader w1, and empty "revoked" and "departed", unless
 * given. NULL is the empty assignment of a cluster without a record. */
static void record_load(const char *text, assignment *out)
{
    *out = (assignment){0};
    if (!text)
        return;
    json_t *value = json_quoted(text);
    if (!json_object_get(value, "leader"))
        json_object_set_new(value, "leader", json_string("w1"));
    if (!json_object_get(value, "leader_url"))
        json_object_set_new(value, "leader_url", json_string("http://w1:8083"));
    if (!json_object_get(value, "revoked"))
        json_object_set_new(value, "revoked", json_object());
    if (!json_object_get(value, "departed"))
        json_object_set_new(value, "departed", json_object());
    char err[256];
    if (assignment_from_json(value, out, err, sizeof(err)))
        fail_msg("test record %s: %s", text, err);
    json_decref(value);
}

/* The inputs of one computation, from the tables' short forms. */
typedef struct inputs {
    strlist members; /* "w1,w2" */
    strlist names; /* of the connectors, "a:2,b:1" */
    assignor_connector connectors[16];
    strlist ack_workers; /* "w1=3,w2=2" */
    assignor_ack acks[16];
    size_t ack_count;
    assignment previous;
} inputs;

/* "k1<separator>v1,k2<separator>v2": the keys appended to keys, the numbers to values. */
static size_t parse_pairs(const char *text, char separator, strlist *keys, long long *values,
                          size_t max)
{
    strlist items = {0};
    assert_int_equal(strlist_split(&items, text, ','), 0);
    assert_true(items.count <= max);
    for (size_t i = 0; i < items.count; i++) {
        char *at = strchr(items.items[i], separator);
        assert_non_null(at);
        assert_int_equal(strlist_append(keys, items.items[i], (size_t)(at - items.items[i])), 0);
        values[i] = strtoll(at + 1, NULL, 10);
    }
    size_t count = items.count;
    strlist_free(&items);
    return count;
}

static void inputs_parse(inputs *in, const char *members, const char *connectors,
                         const char *acks, const char *previous)
{
    *in = (inputs){0};
    assert_int_equal(strlist_split(&in->members, members, ','), 0);
    long long values[16];
    size_t count = parse_pairs(connectors, ':', &in->names, values, 16);
    for (size_t i = 0; i < count; i++)
        in->connectors[i] = (assignor_connector){in->names.items[i], (size_t)values[i]};
    in->ack_count = parse_pairs(acks, '=', &in->ack_workers, values, 16);
    for (size_t i = 0; i < in->ack_count; i++)
        in->acks[i] = (assignor_ack){in->ack_workers.items[i], values[i]};
    record_load(previous, &in->previous);
}

static void inputs_free(inputs *in)
{
    strlist_free(&in->members);
    strlist_free(&in->names);
    strlist_free(&in->ack_workers);
    assignment_free(&in->previous);
}

static assignor_input inputs_view(const inputs *in, int64_t now, int64_t delay, int64_t sync)
{
    return (assignor_input){
        .leader = "w1",
        .leader_url = "http://w1:8083",
        .members = (const char *const *)in->members.items,
        .member_count = in->members.count,
        .connectors = in->connectors,
        .connector_count = in->names.count,
        .previous = &in->previous,
        .acks = in->acks,
        .ack_count = in->ack_count,
        .now_ms = now,
        .max_delay_ms = delay,
        .sync_timeout_ms = sync,
    };
}

/* Compares the sections of a record with the expected ones ("revoked" and "departed" empty
 * when not given); the message shows the whole record. */
static void assert_record(const assignment *actual, const char *expected_text)
{
    json_t *expected = json_quoted(expected_text);
    json_t *record = assignment_to_json(actual);
    assert_non_null(record);
    const char *keys[] = {"epoch", "assignment", "revoked", "departed"};
    for (size_t i = 0; i < 4; i++) {
        json_t *want = json_object_get(expected, keys[i]);
        json_t *empty = json_object();
        if (!want)
            want = empty;
        /* json_equal ignores the order of object members; lists must be in order. */
        if (!json_equal(want, json_object_get(record, keys[i]))) {
            char *got = json_text(record);
            print_error("section %s differs\n  expected: %s\n  got:      %s\n", keys[i],
                        expected_text, got);
            free(got);
            fail();
        }
        json_decref(empty);
    }
    json_decref(record);
    json_decref(expected);
}

/* ---- the rules, case by case -------------------------------------------------------------- */

/* Three workers, three connectors of two tasks each, as the first computation places them:
 * connectors and tasks each to the least loaded, in order, ties to the lowest id. */
#define BASE_WORK                                                                              \
    "'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"                                          \
    "'w2':{'connectors':['b'],'tasks':['a-1','c-0']},"                                          \
    "'w3':{'connectors':['c'],'tasks':['b-0','c-1']}"
#define BASE "{'epoch':1,'assignment':{" BASE_WORK "}}"
/* w2 left at 1000: its work is held for it until 6000. */
#define W2_AWAY "{'epoch':2,'assignment':{" BASE_WORK "},'departed':{'w2':1000}}"
/* w4 joined at 1000: one task revoked from w3, for w4 once w3 acknowledged epoch 2. */
#define W4_REVOKING                                                                            \
    "{'epoch':2,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"                 \
    "'w2':{'connectors':['b'],'tasks':['a-1','c-0']},'w3':{'connectors':['c'],'tasks':['b-0']},"\
    "'w4':{'connectors':[],'tasks':[]}},"                                                      \
    "'revoked':{'w3':{'epoch':2,'at':1000,'connectors':[],'tasks':['c-1']}}}"
#define W4_DONE                                                                                \
    "{'epoch':3,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"                 \
    "'w2':{'connectors':['b'],'tasks':['a-1','c-0']},'w3':{'connectors':['c'],'tasks':['b-0']},"\
    "'w4':{'connectors':[],'tasks':['c-1']}}}"
/* w5 joined while w3's revocation was pending: no new revocation yet. */
#define W5_WAITING                                                                             \
    "{'epoch':3,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"                 \
    "'w2':{'connectors':['b'],'tasks':['a-1','c-0']},'w3':{'connectors':['c'],'tasks':['b-0']},"\
    "'w4':{'connectors':[],'tasks':[]},'w5':{'connectors':[],'tasks':[]}},"                    \
    "'revoked':{'w3':{'epoch':2,'at':1000,'connectors':[],'tasks':['c-1']}}}"
#define ALL_ON_W1                                                                              \
    "{'epoch':1,'assignment':{'w1':{'connectors':['a','b','c'],"                                \
    "'tasks':['a-0','a-1','b-0','b-1','c-0','c-1']}}}"
#define W1_REVOKING                                                                            \
    "{'epoch':2,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','a-1']},"                 \
    "'w2':{'connectors':[],'tasks':[]},'w3':{'connectors':[],'tasks':[]}},"                    \
    "'revoked':{'w1':{'epoch':2,'at':1000,'connectors':['b','c'],"                              \
    "'tasks':['b-0','b-1','c-0','c-1']}}}"
/* Every worker gone at 1000; d, created since, has nobody to run it. */
#define NOBODY "{'epoch':2,'assignment':{" BASE_WORK "},'departed':{'w1':1000,'w2':1000,'w3':1000}}"
/* w3 left at 2000 with its revocation pending: the revoked task is held with its work. */
#define W3_AWAY_REVOKING                                                                       \
    "{'epoch':3,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"                 \
    "'w2':{'connectors':['b'],'tasks':['a-1','c-0']},'w3':{'connectors':['c'],'tasks':['b-0']},"\
    "'w4':{'connectors':[],'tasks':[]}},"                                                      \
    "'revoked':{'w3':{'epoch':2,'at':1000,'connectors':[],'tasks':['c-1']}},"                  \
    "'departed':{'w3':2000}}"

typedef struct rule_case {
    const char *name;
    const char *members;
    const char *connectors;
    const char *previous;
    const char *acks;
    int64_t now;
    int64_t delay; /* scheduled.rebalance.max.delay.ms; worker.sync.timeout.ms is 3000 */
    const char *expected;
    bool changed;
    int64_t next_call;
} rule_case;

#define CONNECTORS "a:2,b:2,c:2"

static const rule_case rule_cases[] = {
    {"first assignment", "w3,w1,w2", CONNECTORS, NULL, "", 1000, 5000, BASE, true, NEVER},
    {"nothing changed, inputs in another order", "w2,w3,w1", "c:2,a:2,b:2", BASE, "w1=1", 2000,
     5000, BASE, false, NEVER},
    /* Rule 2: a departed worker's work is held, then given back or reassigned. */
    {"a worker leaves: its work is held", "w1,w3", CONNECTORS, BASE, "", 1000, 5000, W2_AWAY,
     true, 6000},
    {"still away before the delay ends", "w1,w3", CONNECTORS, W2_AWAY, "", 5999, 5000, W2_AWAY,
     false, 6000},
    {"back within the delay: exactly its own work", "w1,w2,w3", CONNECTORS, W2_AWAY, "", 5999,
     5000, "{'epoch':3,'assignment':{" BASE_WORK "}}", true, NEVER},
    {"away for good: its work goes to the least loaded", "w1,w3", CONNECTORS, W2_AWAY, "", 6000,
     5000,
     "{'epoch':3,'assignment':{'w1':{'connectors':['a','b'],'tasks':['a-0','a-1','b-1']},"
     "'w3':{'connectors':['c'],'tasks':['b-0','c-0','c-1']}}}",
     true, NEVER},
    {"no delay: reassigned at once", "w1,w3", CONNECTORS, BASE, "", 1000, 0,
     "{'epoch':2,'assignment':{'w1':{'connectors':['a','b'],'tasks':['a-0','a-1','b-1']},"
     "'w3':{'connectors':['c'],'tasks':['b-0','c-0','c-1']}}}",
     true, NEVER},
    /* Rule 4: a fourth worker gets one task, in two steps. */
    {"a worker joins: the fewest tasks revoked", "w1,w2,w3,w4", CONNECTORS, BASE, "w1=1,w2=1,w3=1",
     1000, 5000, W4_REVOKING, true, 4000},
    {"not acknowledged: the revoked task waits", "w1,w2,w3,w4", CONNECTORS, W4_REVOKING,
     "w3=1,w4=2", 3999, 5000, W4_REVOKING, false, 4000},
    {"another member's acknowledgement does not count", "w1,w2,w3,w4", CONNECTORS, W4_REVOKING,
     "w1=2,w2=2,w4=2", 2000, 5000, W4_REVOKING, false, 4000},
    {"acknowledged: the revoked task goes to the new worker", "w1,w2,w3,w4", CONNECTORS,
     W4_REVOKING, "w3=2", 1500, 5000, W4_DONE, true, NEVER},
    {"sync timeout: the second step without acknowledgement", "w1,w2,w3,w4", CONNECTORS,
     W4_REVOKING, "w3=1", 4000, 5000, W4_DONE, true, NEVER},
    {"balanced: no move", "w1,w2,w3,w4", CONNECTORS, W4_DONE, "", 9000, 5000, W4_DONE, false,
     NEVER},
    {"a revocation pending: no new one", "w1,w2,w3,w4,w5", CONNECTORS, W4_REVOKING, "", 2000, 5000,
     W5_WAITING, true, 4000},
    {"the second step, then the next move in the same record", "w1,w2,w3,w4,w5", CONNECTORS,
     W5_WAITING, "w3=2", 2500, 5000,
     "{'epoch':4,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"
     "'w2':{'connectors':['b'],'tasks':['a-1']},'w3':{'connectors':['c'],'tasks':['b-0']},"
     "'w4':{'connectors':[],'tasks':['c-1']},'w5':{'connectors':[],'tasks':[]}},"
     "'revoked':{'w2':{'epoch':4,'at':2500,'connectors':[],'tasks':['c-0']}}}",
     true, 5500},
    {"everything on one worker: revoked in one step", "w1,w2,w3", CONNECTORS, ALL_ON_W1, "", 1000,
     5000, W1_REVOKING, true, 4000},
    {"... and spread in the second", "w1,w2,w3", CONNECTORS, W1_REVOKING, "w1=2", 1200, 5000,
     "{'epoch':3,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','a-1']},"
     "'w2':{'connectors':['b'],'tasks':['b-0','c-0']},"
     "'w3':{'connectors':['c'],'tasks':['b-1','c-1']}}}",
     true, NEVER},
    {"the old owner leaves during its revocation: held with its work", "w1,w2,w4", CONNECTORS,
     W4_REVOKING, "", 2000, 5000, W3_AWAY_REVOKING, true, 7000},
    {"... and after the delay all of it goes to the least loaded", "w1,w2,w4", CONNECTORS,
     W3_AWAY_REVOKING, "", 7000, 5000,
     "{'epoch':4,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"
     "'w2':{'connectors':['b'],'tasks':['a-1','c-0']},"
     "'w4':{'connectors':['c'],'tasks':['b-0','c-1']}}}",
     true, NEVER},
    /* Rule 3: new work to the least loaded; deleted work disappears. */
    {"a connector added", "w1,w2,w3", CONNECTORS ",d:2", BASE, "", 1000, 5000,
     "{'epoch':2,'assignment':{'w1':{'connectors':['a','d'],'tasks':['a-0','b-1','d-0']},"
     "'w2':{'connectors':['b'],'tasks':['a-1','c-0','d-1']},"
     "'w3':{'connectors':['c'],'tasks':['b-0','c-1']}}}",
     true, NEVER},
    {"a connector deleted", "w1,w2,w3", "a:2,c:2", BASE, "", 1000, 5000,
     "{'epoch':2,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0']},"
     "'w2':{'connectors':[],'tasks':['a-1','c-0']},'w3':{'connectors':['c'],'tasks':['c-1']}}}",
     true, NEVER},
    {"more tasks", "w1,w2,w3", "a:4,b:2,c:2", BASE, "", 1000, 5000,
     "{'epoch':2,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','a-2','b-1']},"
     "'w2':{'connectors':['b'],'tasks':['a-1','a-3','c-0']},"
     "'w3':{'connectors':['c'],'tasks':['b-0','c-1']}}}",
     true, NEVER},
    {"fewer tasks", "w1,w2,w3", "a:1,b:2,c:2", BASE, "", 1000, 5000,
     "{'epoch':2,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"
     "'w2':{'connectors':['b'],'tasks':['c-0']},'w3':{'connectors':['c'],'tasks':['b-0','c-1']}}}",
     true, NEVER},
    {"tasks in numeric order, connector names with dashes", "w1", "a:11,a-1:1", NULL, "", 1000,
     5000,
     "{'epoch':1,'assignment':{'w1':{'connectors':['a','a-1'],'tasks':['a-0','a-1','a-2','a-3',"
     "'a-4','a-5','a-6','a-7','a-8','a-9','a-10','a-1-0']}}}",
     true, NEVER},
    /* Rule 5: no members. */
    {"no members: everything held, new work unowned", "", CONNECTORS ",d:1", BASE, "", 1000, 5000,
     NOBODY, true, NEVER},
    {"no members after the delay: still held", "", CONNECTORS ",d:1", NOBODY, "", 9000, 5000,
     NOBODY, false, NEVER},
    {"one back within the delay: its own work and the new", "w2", CONNECTORS ",d:1", NOBODY, "",
     3000, 5000,
     "{'epoch':3,'assignment':{'w1':{'connectors':['a'],'tasks':['a-0','b-1']},"
     "'w2':{'connectors':['b','d'],'tasks':['a-1','c-0','d-0']},"
     "'w3':{'connectors':['c'],'tasks':['b-0','c-1']}},'departed':{'w1':1000,'w3':1000}}",
     true, 6000},
    {"one back after the delay: everything", "w2", CONNECTORS ",d:1", NOBODY, "", 9000, 5000,
     "{'epoch':3,'assignment':{'w2':{'connectors':['a','b','c','d'],"
     "'tasks':['a-0','a-1','b-0','b-1','c-0','c-1','d-0']}}}",
     true, NEVER},
};

static void test_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
        const rule_case *c = &rule_cases[i];
        print_message("case: %s\n", c->name);
        inputs in;
        inputs_parse(&in, c->members, c->connectors, c->acks, c->previous);
        assignor_input input = inputs_view(&in, c->now, c->delay, 3000);
        assignor_result result;
        char err[256] = "";
        if (assignor_compute(&input, &result, err, sizeof(err)))
            fail_msg("%s: %s", c->name, err);
        assert_record(&result.next, c->expected);
        assert_int_equal(result.changed, c->changed);
        assert_int_equal(result.next_call_ms, c->next_call);
        assert_string_equal(result.next.leader, "w1");
        assert_string_equal(result.next.leader_url, "http://w1:8083");
        assignor_result_free(&result);
        inputs_free(&in);
    }
}

static void test_a_new_leader_is_a_change(void **state)
{
    (void)state;
    inputs in;
    inputs_parse(&in, "w1,w2,w3", CONNECTORS, "",
                 "{'epoch':1,'leader':'w2','assignment':{" BASE_WORK "}}");
    assignor_input input = inputs_view(&in, 1000, 5000, 3000);
    assignor_result result;
    char err[256];
    assert_int_equal(assignor_compute(&input, &result, err, sizeof(err)), 0);
    assert_true(result.changed);
    assert_record(&result.next, "{'epoch':2,'assignment':{" BASE_WORK "}}");
    assignor_result_free(&result);
    inputs_free(&in);
}

typedef struct refusal_case {
    const char *members[3];
    size_t member_count;
    assignor_connector connectors[3];
    size_t connector_count;
    int64_t delay;
    const char *message;
} refusal_case;

static void test_invalid_inputs_are_refused(void **state)
{
    (void)state;
    static const refusal_case cases[] = {
        {{"w1"}, 1, {{"a", 1}, {"b", 1}, {"a", 2}}, 3, 0, "connector \"a\" is listed twice"},
        {{"w1"}, 1, {{"a", 1}, {"", 2}}, 2, 0, "connector 1 has an empty name"},
        {{"w1"}, 1, {{"a", 1}, {NULL, 2}}, 2, 0, "connector 1 has an empty name"},
        {{"w1", "", "w2"}, 3, {{"a", 1}}, 1, 0, "member 1 has an empty worker id"},
        {{"w1"}, 1, {{"a", 1}}, 1, -1,
         "times and delays must not be negative (now 1000, scheduled.rebalance.max.delay.ms -1, "
         "worker.sync.timeout.ms 0)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assignment previous = {0};
        assignor_input input = {
            .leader = "w1",
            .leader_url = "",
            .members = cases[i].members,
            .member_count = cases[i].member_count,
            .connectors = cases[i].connectors,
            .connector_count = cases[i].connector_count,
            .previous = &previous,
            .now_ms = 1000,
            .max_delay_ms = cases[i].delay,
        };
        assignor_result result;
        char err[256] = "";
        assert_int_equal(assignor_compute(&input, &result, err, sizeof(err)), -1);
        assert_string_equal(err, cases[i].message);
        assignor_result_free(&result);
    }
}

static void test_a_malformed_previous_assignment_is_refused(void **state)
{
    (void)state;
    inputs in;
    inputs_parse(&in, "w1,w2", "a:1", "", NULL);
    assignment_set_leader(&in.previous, "w1", "");
    in.previous.epoch = 1;
    assignment_worker *w1 = assignment_add_worker(&in.previous, "w1");
    assert_int_equal(strlist_append(&w1->work.tasks, "a-0", (size_t)-1), 0);
    assignment_worker *w2 = assignment_add_worker(&in.previous, "w2");
    assert_int_equal(strlist_append(&w2->work.tasks, "a-0", (size_t)-1), 0);
    assignor_input input = inputs_view(&in, 1000, 0, 0);
    assignor_result result;
    char err[256] = "";
    assert_int_equal(assignor_compute(&input, &result, err, sizeof(err)), -1);
    assert_string_equal(err, "previous assignment: task \"a-0\" is listed twice: in "
                             "assignment[\"w1\"] and in assignment[\"w2\"]");
    assignor_result_free(&result);
    inputs_free(&in);
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

/* ---- properties of random rounds -------------------------------------------------------- */

#define POOL_WORKERS 7
#define POOL_CONNECTORS 8

static const char *const pool_workers[POOL_WORKERS] = {"w0", "w1", "w2", "w3", "w4", "w5", "w6"};
/* Names with dashes, so that task names are read from their last dash. */
static const char *const pool_connectors[POOL_CONNECTORS] = {"a", "a-1", "b", "b-2-x",
                                                               "c", "d", "e", "f"};

/* A cluster driven at random: who is a member, which connectors exist, what each worker
 * acknowledged, the last record, the clock. */
typedef struct sim {
    uint64_t random;
    bool member[POOL_WORKERS];
    int64_t ack[POOL_WORKERS];
    bool live[POOL_CONNECTORS];
    size_t tasks[POOL_CONNECTORS];
    assignment record;
    int64_t now;
    int64_t delay;
    int64_t sync;
} sim;

static uint64_t sim_random(uint64_t *random)
{
    /* xorshift64* */
    *random ^= *random >> 12;
    *random ^= *random << 25;
    *random ^= *random >> 27;
    return *random * 0x2545F4914F6CDD1DULL;
}

static size_t sim_below(uint64_t *random, size_t bound)
{
    return (size_t)(sim_random(random) % bound);
}

/* The inputs of a computation from the cluster's state, each list shuffled with shuffle. */
typedef struct sim_inputs {
    const char *members[POOL_WORKERS];
    assignor_connector connectors[POOL_CONNECTORS];
    assignor_ack acks[POOL_WORKERS];
    assignor_input input;
} sim_inputs;

#define SHUFFLE(array, count, random)                                                           \
    do {                                                                                       \
        for (size_t i_ = (count); i_ > 1; i_--) {                                              \
            size_t j_ = sim_below((random), i_);                                               \
            __typeof__((array)[0]) swap_ = (array)[i_ - 1];                                    \
            (array)[i_ - 1] = (array)[j_];                                                     \
            (array)[j_] = swap_;                                                               \
        }                                                                                      \
    } while (0)

static void sim_inputs_fill(const sim *s, const assignment *previous, int64_t now,
                            uint64_t shuffle, sim_inputs *out)
{
    *out = (sim_inputs){0};
    size_t members = 0, connectors = 0, acks = 0;
    for (size_t w = 0; w < POOL_WORKERS; w++) {
        if (s->member[w])
            out->members[members++] = pool_workers[w];
        if (s->ack[w] > 0)
            out->acks[acks++] = (assignor_ack){pool_workers[w], s->ack[w]};
    }
    for (size_t c = 0; c < POOL_CONNECTORS; c++) {
        if (s->live[c])
            out->connectors[connectors++] = (assignor_connector){pool_connectors[c], s->tasks[c]};
    }
    SHUFFLE(out->members, members, &shuffle);
    SHUFFLE(out->connectors, connectors, &shuffle);
    SHUFFLE(out->acks, acks, &shuffle);
    out->input = (assignor_input){
        .leader = "w0",
        .leader_url = "http://w0",
        .members = out->members,
        .member_count = members,
        .connectors = out->connectors,
        .connector_count = connectors,
        .previous = previous,
        .acks = out->acks,
        .ack_count = acks,
        .now_ms = now,
        .max_delay_ms = s->delay,
        .sync_timeout_ms = s->sync,
    };
}

static void sim_compute(const sim *s, const assignment *previous, int64_t now, uint64_t shuffle,
                        assignor_result *result)
{
    sim_inputs in;
    sim_inputs_fill(s, previous, now, shuffle, &in);
    char err[256] = "";
    if (assignor_compute(&in.input, result, err, sizeof(err)))
        fail_msg("compute: %s", err);
}

static long sim_worker_index(const char *id)
{
    for (size_t w = 0; w < POOL_WORKERS; w++) {
        if (strcmp(pool_workers[w], id) == 0)
            return (long)w;
    }
    fail_msg("unknown worker %s", id);
    return -1;
}

static bool sim_is_member(const sim *s, const char *id)
{
    return s->member[sim_worker_index(id)];
}

static size_t sim_member_count(const sim *s)
{
    size_t count = 0;
    for (size_t w = 0; w < POOL_WORKERS; w++)
        count += s->member[w];
    return count;
}

/* Where every name stands in a record: "A:<worker>" (assigned or held) or "R:<worker>"
 * (revoked), connectors and tasks in two objects. */
typedef struct places {
    json_t *of[2];
} places;

static void places_add(json_t *map, const strlist *names, char section, const char *worker)
{
    for (size_t i = 0; i < names->count; i++) {
        char where[64];
        snprintf(where, sizeof(where), "%c:%s", section, worker);
        assert_null(json_object_get(map, names->items[i]));
        json_object_set_new(map, names->items[i], json_string(where));
    }
}

static places places_of(const assignment *record)
{
    places p = {{json_object(), json_object()}};
    for (size_t i = 0; i < record->worker_count; i++) {
        places_add(p.of[0], &record->workers[i].work.connectors, 'A', record->workers[i].worker);
        places_add(p.of[1], &record->workers[i].work.tasks, 'A', record->workers[i].worker);
    }
    for (size_t i = 0; i < record->revoked_count; i++) {
        places_add(p.of[0], &record->revoked[i].work.connectors, 'R', record->revoked[i].worker);
        places_add(p.of[1], &record->revoked[i].work.tasks, 'R', record->revoked[i].worker);
    }
    return p;
}

static void places_free(places *p)
{
    json_decref(p->of[0]);
    json_decref(p->of[1]);
}

static const char *place_of(const places *p, int kind, const char *name)
{
    return json_string_value(json_object_get(p->of[kind], name));
}

/* The live names of the cluster: connectors, then tasks. */
static void sim_live_names(const sim *s, strlist names[2])
{
    for (size_t c = 0; c < POOL_CONNECTORS; c++) {
        if (!s->live[c])
            continue;
        assert_int_equal(strlist_append(&names[0], pool_connectors[c], (size_t)-1), 0);
        for (size_t n = 0; n < s->tasks[c]; n++) {
            char task[64];
            snprintf(task, sizeof(task), "%s-%zu", pool_connectors[c], n);
            assert_int_equal(strlist_append(&names[1], task, (size_t)-1), 0);
        }
    }
}

/* The fewest moves that bring loads within one of each other: enough for every member above
 * q + 1 to come down to it and for every member below q to come up to it. An oracle computed
 * differently from the assignor's. */
static size_t fewest_moves(const size_t *loads, size_t count)
{
    size_t total = 0, above = 0, below = 0;
    for (size_t i = 0; i < count; i++)
        total += loads[i];
    size_t share = total / count;
    for (size_t i = 0; i < count; i++) {
        above += loads[i] > share + 1 ? loads[i] - share - 1 : 0;
        below += loads[i] < share ? share - loads[i] : 0;
    }
    return above > below ? above : below;
}

static int64_t deadline(int64_t start, int64_t delay)
{
    return start > INT64_MAX - delay ? INT64_MAX : start + delay;
}

/* Whether a departed worker's work may still be held: its delay runs, or nobody could take it. */
static bool sim_may_hold(const sim *s, const assignment *next, const char *worker, int64_t now)
{
    const assignment_departure *departure = assignment_find_departure(next, worker);
    return departure && !sim_is_member(s, worker) &&
           (sim_member_count(s) == 0 || now < deadline(departure->departed_ms, s->delay));
}

/* Every live item is somewhere allowed, and nothing else is anywhere. */
static void check_places(const sim *s, const assignment *next, const places *now_places,
                         strlist live[2])
{
    for (int kind = 0; kind < 2; kind++) {
        assert_int_equal(json_object_size(now_places->of[kind]) <= live[kind].count, true);
        size_t found = 0;
        for (size_t i = 0; i < live[kind].count; i++) {
            const char *where = place_of(now_places, kind, live[kind].items[i]);
            if (!where) {
                /* Unowned only while there is nobody to own it. */
                assert_int_equal(sim_member_count(s), 0);
                continue;
            }
            found++;
            const char *worker = where + 2;
            if (where[0] == 'A') {
                assert_true(sim_is_member(s, worker) || sim_may_hold(s, next, worker, s->now));
            } else {
                const assignment_revocation *revocation = assignment_find_revocation(next, worker);
                assert_non_null(revocation);
                bool made_now = revocation->epoch == next->epoch && revocation->at_ms == s->now;
                if (made_now) {
                    assert_true(sim_is_member(s, worker));
                } else if (sim_is_member(s, worker)) {
                    assert_true(s->ack[sim_worker_index(worker)] < revocation->epoch);
                    assert_true(s->now < deadline(revocation->at_ms, s->sync));
                } else {
                    assert_true(sim_may_hold(s, next, worker, s->now));
                }
            }
        }
        /* Nothing dead: every name placed is a live one. */
        assert_int_equal(found, json_object_size(now_places->of[kind]));
    }
    for (size_t i = 0; i < next->departed_count; i++) {
        const char *worker = next->departed[i].worker;
        assert_false(sim_is_member(s, worker));
        const assignment_worker *entry = assignment_find_worker(next, worker);
        const assignment_revocation *revocation = assignment_find_revocation(next, worker);
        assert_true((entry && entry->work.connectors.count + entry->work.tasks.count > 0) ||
                    revocation);
    }
    for (size_t w = 0; w < POOL_WORKERS; w++) {
        if (s->member[w])
            assert_non_null(assignment_find_worker(next, pool_workers[w]));
    }
}

static void member_loads(const sim *s, const assignment *next, int kind, size_t *loads,
                         size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < next->worker_count; i++) {
        if (!sim_is_member(s, next->workers[i].worker))
            continue;
        const assignment_work *work = &next->workers[i].work;
        loads[(*count)++] = kind == 0 ? work->connectors.count : work->tasks.count;
    }
}

/* Balance once no move is pending and no delay runs. */
static void check_balance(const sim *s, const assignment *next)
{
    if (next->revoked_count > 0 || next->departed_count > 0 || sim_member_count(s) == 0)
        return;
    for (int kind = 0; kind < 2; kind++) {
        size_t loads[POOL_WORKERS], count, min = SIZE_MAX, max = 0;
        member_loads(s, next, kind, loads, &count);
        for (size_t i = 0; i < count; i++) {
            min = loads[i] < min ? loads[i] : min;
            max = loads[i] > max ? loads[i] : max;
        }
        assert_true(max - min <= 1);
    }
}

/* Work moves only as the rules say: it stays with a member unless revoked; revocations are the
 * fewest that balance, made only when loads differ by two or more, with nothing else waiting;
 * revoked or held work is given out only once it may be. */
/* How often the random rounds met each situation, so that a change to the generator that
 * stops exercising one is noticed. */
typedef struct coverage {
    size_t revocations; /* work revoked for a move */
    size_t second_steps; /* revoked work given out */
    size_t returns; /* held work back with its worker */
    size_t releases; /* held work given out after the delay */
    size_t holding; /* rounds with work held */
    size_t no_members; /* rounds without members */
} coverage;

static void check_moves(const sim *s, const assignment *previous, const assignor_result *result,
                        const places *before, const places *after, strlist live[2],
                        coverage *seen)
{
    const assignment *next = &result->next;
    bool revoking = false, carrying = false;
    for (size_t i = 0; i < next->revoked_count; i++) {
        if (next->revoked[i].epoch == next->epoch && result->changed)
            revoking = true;
        else
            carrying = true;
    }
    /* New revocations only when nothing else waits. */
    if (revoking)
        assert_true(!carrying && next->departed_count == 0);

    for (int kind = 0; kind < 2; kind++) {
        size_t newly_revoked = 0;
        for (size_t i = 0; i < live[kind].count; i++) {
            const char *name = live[kind].items[i];
            const char *was = place_of(before, kind, name), *is = place_of(after, kind, name);
            if (!was)
                continue;
            const char *old_owner = was + 2;
            bool owner_member = sim_is_member(s, old_owner);
            bool stayed = is && strcmp(is, was) == 0;
            bool to_member = is && is[0] == 'A' && sim_is_member(s, is + 2);
            if (was[0] == 'A' && is && is[0] == 'R' && strcmp(is + 2, old_owner) == 0) {
                newly_revoked++;
                assert_true(revoking && owner_member);
                continue;
            }
            if (was[0] == 'A' && owner_member) {
                assert_true(stayed); /* a member keeps its work */
                seen->returns += assignment_find_departure(previous, old_owner) != NULL;
            } else if (!stayed) {
                /* Held or revoked work given out: only to a member, only once it may be. */
                assert_true(to_member);
                seen->second_steps += was[0] == 'R';
                seen->releases += !owner_member;
                if (was[0] == 'R' && owner_member) {
                    const assignment_revocation *revocation =
                        assignment_find_revocation(previous, old_owner);
                    assert_true(s->ack[sim_worker_index(old_owner)] >= revocation->epoch ||
                                s->now >= deadline(revocation->at_ms, s->sync));
                } else if (!owner_member) {
                    const assignment_departure *departure =
                        assignment_find_departure(previous, old_owner);
                    int64_t left = departure ? departure->departed_ms : s->now;
                    assert_true(s->now >= deadline(left, s->delay));
                }
            }
        }
        if (newly_revoked == 0)
            continue;
        seen->revocations++;
        /* The loads before revoking: what members have now plus what was revoked from them. */
        size_t loads[POOL_WORKERS], count = 0, min = SIZE_MAX, max = 0;
        for (size_t i = 0; i < next->worker_count; i++) {
            const char *worker = next->workers[i].worker;
            if (!sim_is_member(s, worker))
                continue;
            const assignment_work *work = &next->workers[i].work;
            size_t load = kind == 0 ? work->connectors.count : work->tasks.count;
            const assignment_revocation *revocation = assignment_find_revocation(next, worker);
            if (revocation)
                load += kind == 0 ? revocation->work.connectors.count
                                  : revocation->work.tasks.count;
            loads[count++] = load;
            min = load < min ? load : min;
            max = load > max ? load : max;
        }
        assert_true(max - min >= 2);
        assert_int_equal(newly_revoked, fewest_moves(loads, count));
    }
}

/* Time alone changes nothing before next_call_ms, and something at it. */
static void check_timer(const sim *s, const assignor_result *result, uint64_t shuffle)
{
    assert_true(result->next_call_ms >= s->now);
    int64_t before = result->next_call_ms == NEVER ? s->now + 1000000000 : result->next_call_ms - 1;
    if (before >= s->now) {
        assignor_result again;
        sim_compute(s, &result->next, before, shuffle, &again);
        assert_false(again.changed);
        assert_int_equal(again.next_call_ms, result->next_call_ms);
        assignor_result_free(&again);
    }
    if (result->next_call_ms != NEVER) {
        assignor_result again;
        sim_compute(s, &result->next, result->next_call_ms, shuffle, &again);
        assert_true(again.changed);
        assignor_result_free(&again);
    }
}

/* The same inputs in other orders give the same record, to the byte; the record reads back
 * as itself; changed says whether anything but the epoch differs. */
static void check_record(const sim *s, const assignment *previous, const assignor_result *result,
                         uint64_t shuffle)
{
    json_t *record = assignment_to_json(&result->next);
    char *text = json_text(record);
    for (int i = 0; i < 2; i++) {
        assignor_result other;
        sim_compute(s, previous, s->now, sim_random(&shuffle), &other);
        json_t *other_record = assignment_to_json(&other.next);
        char *other_text = json_text(other_record);
        assert_string_equal(other_text, text);
        free(other_text);
        json_decref(other_record);
        assignor_result_free(&other);
    }
    assignment read = {0};
    char err[256] = "";
    if (assignment_from_json(record, &read, err, sizeof(err)))
        fail_msg("%s: %s", text, err);
    json_t *read_record = assignment_to_json(&read);
    assert_true(json_equal(read_record, record));
    json_decref(read_record);
    assignment_free(&read);

    assert_int_equal(result->next.epoch, previous->epoch + (result->changed ? 1 : 0));
    json_t *old = assignment_to_json(previous);
    json_object_del(old, "epoch");
    json_object_del(record, "epoch");
    if (previous->epoch == 0) {
        assert_true(result->changed);
    } else {
        /* Lists of a previous record written by the assignor are in order: json_equal is
         * exact. */
        assert_int_equal(result->changed, !json_equal(old, record));
    }
    json_decref(old);
    free(text);
    json_decref(record);
}

/* One random change to the cluster. */
static void sim_change(sim *s)
{
    size_t pick = sim_below(&s->random, 100);
    if (pick < 22) {
        s->member[sim_below(&s->random, POOL_WORKERS)] = true; /* joins, or comes back */
    } else if (pick < 38) {
        s->member[sim_below(&s->random, POOL_WORKERS)] = false;
    } else if (pick < 48) {
        size_t c = sim_below(&s->random, POOL_CONNECTORS);
        if (!s->live[c]) {
            s->live[c] = true;
            s->tasks[c] = sim_below(&s->random, 5);
        }
    } else if (pick < 55) {
        s->live[sim_below(&s->random, POOL_CONNECTORS)] = false;
    } else if (pick < 65) {
        size_t c = sim_below(&s->random, POOL_CONNECTORS);
        s->tasks[c] = sim_below(&s->random, 6);
    }
}

/* Members apply the record they read, some of them at once. */
static void sim_acknowledge(sim *s)
{
    for (size_t w = 0; w < POOL_WORKERS; w++) {
        if (s->member[w] && sim_below(&s->random, 100) < 60)
            s->ack[w] = s->record.epoch;
    }
}

static void sim_tick(sim *s, int64_t next_call_ms)
{
    size_t pick = sim_below(&s->random, 100);
    if (pick < 30)
        s->now += (int64_t)sim_below(&s->random, (size_t)(s->delay + s->sync + 2));
    else if (pick < 45 && next_call_ms != NEVER)
        s->now = next_call_ms;
    else if (pick < 55)
        s->now += 1;
}

/* With ASSIGNOR_TRACE set, each round's inputs and records on stderr: the way to read a
 * failing round (the seed and round number say where to look). */
static void sim_trace(const sim *s, uint64_t seed, int round, const assignor_result *result)
{
    if (!getenv("ASSIGNOR_TRACE"))
        return;
    json_t *before = assignment_to_json(&s->record), *after = assignment_to_json(&result->next);
    char *before_text = json_text(before), *after_text = json_text(after);
    fprintf(stderr, "seed %llu round %d: now %lld, delay %lld, sync %lld, members",
            (unsigned long long)seed, round, (long long)s->now, (long long)s->delay,
            (long long)s->sync);
    for (size_t w = 0; w < POOL_WORKERS; w++) {
        if (s->member[w])
            fprintf(stderr, " %s (acknowledged %lld)", pool_workers[w], (long long)s->ack[w]);
    }
    fprintf(stderr, "\n  previous %s\n  next     %s\n", before_text, after_text);
    free(before_text);
    free(after_text);
    json_decref(before);
    json_decref(after);
}

static void test_random_rounds_keep_the_rules(void **state)
{
    (void)state;
    static const int64_t delays[] = {0, 1000, 10000};
    static const int64_t syncs[] = {0, 500, 3000};
    size_t rounds = 0;
    coverage seen = {0};
    for (uint64_t seed = 1; seed <= 36; seed++) {
        sim s = {.random = seed * 0x9E3779B97F4A7C15ULL, .now = 1000000};
        s.delay = delays[seed % 3];
        s.sync = syncs[(seed / 3) % 3];
        for (int round = 0; round < 250; round++, rounds++) {
            sim_change(&s);
            if (sim_below(&s.random, 3) == 0)
                sim_change(&s);
            strlist live[2] = {{0}, {0}};
            sim_live_names(&s, live);
            assignor_result result;
            sim_compute(&s, &s.record, s.now, sim_random(&s.random), &result);
            char err[256] = "";
            if (assignment_check(&result.next, err, sizeof(err)))
                fail_msg("seed %llu round %d: %s", (unsigned long long)seed, round, err);
            sim_trace(&s, seed, round, &result);
            places before = places_of(&s.record), after = places_of(&result.next);
            check_places(&s, &result.next, &after, live);
            check_balance(&s, &result.next);
            check_moves(&s, &s.record, &result, &before, &after, live, &seen);
            seen.holding += result.next.departed_count > 0;
            seen.no_members += sim_member_count(&s) == 0;
            check_record(&s, &s.record, &result, sim_random(&s.random));
            check_timer(&s, &result, sim_random(&s.random));
            places_free(&before);
            places_free(&after);
            strlist_free(&live[0]);
            strlist_free(&live[1]);
            int64_t next_call = result.next_call_ms;
            assignment_free(&s.record);
            s.record = result.next;
            result.next = (assignment){0};
            sim_acknowledge(&s);
            sim_tick(&s, next_call);
        }
        assignment_free(&s.record);
    }
    print_message("%zu random rounds: %zu revocations, %zu second steps, %zu held items back with "
                  "their worker, %zu given out after the delay, %zu rounds holding work, %zu "
                  "without members\n", rounds, seen.revocations, seen.second_steps, seen.returns,
                  seen.releases, seen.holding, seen.no_members);
    assert_true(seen.revocations > 100 && seen.second_steps > 100 && seen.returns > 100 &&
                seen.releases > 100 && seen.holding > 100 && seen.no_members > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_a_new_leader_is_a_change),
        cmocka_unit_test(test_invalid_inputs_are_refused),
        cmocka_unit_test(test_a_malformed_previous_assignment_is_refused),
        cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_malformed_records_are_refused),
        cmocka_unit_test(test_unknown_keys_are_ignored),
        cmocka_unit_test(test_task_names),
        cmocka_unit_test(test_random_rounds_keep_the_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
