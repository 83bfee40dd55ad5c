/*
 * assignor.c - the next ferry-assignment record from the group's members, the connectors and
 * the previous record (assignor.h has the rules).
 *
 * One run numbers every live connector and task (connectors by name, then each connector's
 * tasks by number: the order of the record's lists), finds each one's place in the previous
 * record, decides where it goes, and writes the record out in that order. Workers are numbered
 * by id, so that a tie always goes to the lowest id and the order of the inputs never matters.
 * Everything is linear in workers and work but the sorts and the search for the least-loaded
 * member (members x work placed).
 */
#include "cluster/assignor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

enum { KIND_CONNECTOR, KIND_TASK, KIND_COUNT };

#define NO_WORKER ((size_t)-1)

/* Where a connector or task stands: first in the previous record, then in the next. */
typedef enum assignor_state {
    STATE_NEW, /* not in the previous record */
    STATE_LISTED, /* the previous record assigned it to worker */
    STATE_WAS_REVOKED, /* the previous record had it revoked from worker */
    STATE_PLACE, /* to go to the least-loaded member */
    STATE_OWNED, /* runs on worker, a member */
    STATE_HELD, /* held for worker, departed */
    STATE_REVOKED, /* revoked from worker (a pending revocation carried over, or held with it) */
    STATE_REVOKING, /* revoked from worker by this run */
    STATE_UNOWNED, /* no member to take it */
} assignor_state;

typedef struct assignor_item {
    size_t worker;
    assignor_state state;
} assignor_item;

typedef struct assignor_worker {
    const char *id;
    bool member;
    const assignment_worker *listed; /* its entry in the previous record */
    const assignment_revocation *revocation; /* its pending revocation in the previous record */
    const assignment_departure *departure; /* its departure in the previous record */
    int64_t ack; /* the epoch it acknowledged, 0 for none */
    size_t listed_claims; /* live work the previous record lists for it */
    size_t revoked_claims; /* live work the previous record has revoked from it */
    bool departed; /* not a member, with live work in the previous record */
    int64_t departed_ms;
    bool released; /* departed, delay over, and members to take its work */
    bool revocation_done; /* a member whose pending revocation may now be reassigned */
    size_t load[KIND_COUNT];
    size_t excess; /* how many of one kind the balancing revokes from it */
    bool holds; /* departed, with work held for it (listed or revoked) in the next record */
    bool has_revoked; /* with work revoked from it in the next record */
    bool carries_revoked; /* ...revoked by an earlier record (else by this one) */
    size_t entry; /* its index in the next record's workers, or NO_WORKER */
    size_t revoked_entry; /* its index in the next record's revocations, or NO_WORKER */
} assignor_worker;

typedef struct assignor_run {
    const assignor_input *input;
    const assignor_connector **connectors; /* sorted by name */
    size_t *task_base; /* the number of each connector's task 0 among the tasks */
    size_t max_name_len;
    assignor_item *items[KIND_COUNT];
    size_t item_count[KIND_COUNT];
    assignor_worker *workers; /* sorted by id */
    size_t worker_count;
    size_t *members; /* indexes of the workers that are members, ascending */
    size_t member_count;
    int64_t next_call_ms;
} assignor_run;

static int64_t assignor_deadline(int64_t start, int64_t delay)
{
    return start > INT64_MAX - delay ? INT64_MAX : start + delay;
}

static void assignor_call_at(assignor_run *run, int64_t when)
{
    if (when < run->next_call_ms)
        run->next_call_ms = when;
}

/* ---- the live work -------------------------------------------------------------------- */

static int assignor_connector_compare(const void *a, const void *b)
{
    const assignor_connector *const *left = a, *const *right = b;
    return strcmp((*left)->name, (*right)->name);
}

static int assignor_number_work(assignor_run *run, char *err, size_t errlen)
{
    const assignor_input *input = run->input;
    size_t count = input->connector_count;
    run->connectors = calloc(count ? count : 1, sizeof(*run->connectors));
    run->task_base = calloc(count ? count : 1, sizeof(*run->task_base));
    if (!run->connectors || !run->task_base)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    for (size_t i = 0; i < count; i++) {
        const assignor_connector *connector = &input->connectors[i];
        if (!connector->name || !*connector->name)
            return ferry_error_set(err, errlen, "connector %zu has an empty name", i), -1;
        if (connector->task_count > (size_t)INT32_MAX)
            return ferry_error_set(err, errlen, "connector \"%s\": %zu tasks is too many",
                                   connector->name, connector->task_count), -1;
        run->connectors[i] = connector;
    }
    qsort(run->connectors, count, sizeof(*run->connectors), assignor_connector_compare);
    size_t tasks = 0;
    for (size_t i = 0; i < count; i++) {
        const assignor_connector *connector = run->connectors[i];
        if (i > 0 && strcmp(run->connectors[i - 1]->name, connector->name) == 0)
            return ferry_error_set(err, errlen, "connector \"%s\" is listed twice",
                                   connector->name), -1;
        size_t len = strlen(connector->name);
        if (len > run->max_name_len)
            run->max_name_len = len;
        run->task_base[i] = tasks;
        tasks += connector->task_count;
    }
    run->item_count[KIND_CONNECTOR] = count;
    run->item_count[KIND_TASK] = tasks;
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        size_t items = run->item_count[kind];
        run->items[kind] = calloc(items ? items : 1, sizeof(*run->items[kind]));
        if (!run->items[kind])
            return ferry_error_set(err, errlen, "out of memory"), -1;
        for (size_t i = 0; i < items; i++)
            run->items[kind][i] = (assignor_item){.worker = NO_WORKER, .state = STATE_NEW};
    }
    return 0;
}

/* The connector whose name is the first len bytes of name, or -1. */
static long assignor_find_connector(const assignor_run *run, const char *name, size_t len)
{
    size_t low = 0, high = run->item_count[KIND_CONNECTOR];
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        const char *other = run->connectors[middle]->name;
        /* Names hold no NUL, so strncmp orders a key that is a prefix of other before it. */
        int order = strncmp(name, other, len);
        if (order == 0 && other[len] != '\0')
            order = -1;
        if (order == 0)
            return (long)middle;
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return -1;
}

/* The item a name of the previous record stands for, or NULL when that work is gone. */
static assignor_item *assignor_find_item(assignor_run *run, int kind, const char *name)
{
    if (kind == KIND_CONNECTOR) {
        long connector = assignor_find_connector(run, name, strlen(name));
        return connector < 0 ? NULL : &run->items[KIND_CONNECTOR][connector];
    }
    size_t len;
    uint32_t index;
    if (!assignment_task_parse(name, &len, &index))
        return NULL;
    long connector = assignor_find_connector(run, name, len);
    if (connector < 0 || index >= run->connectors[connector]->task_count)
        return NULL;
    return &run->items[KIND_TASK][run->task_base[connector] + index];
}

/* ---- the workers ---------------------------------------------------------------------- */

typedef enum assignor_source { SOURCE_MEMBER, SOURCE_LISTED, SOURCE_REVOKED, SOURCE_DEPARTED }
    assignor_source;

/* A worker id as one input names it. */
typedef struct assignor_mention {
    const char *id;
    assignor_source source;
    const void *entry; /* the previous record's entry of that source */
} assignor_mention;

static int assignor_mention_compare(const void *a, const void *b)
{
    const assignor_mention *left = a, *right = b;
    return strcmp(left->id, right->id);
}

static void assignor_worker_add_mention(assignor_worker *worker, const assignor_mention *mention)
{
    switch (mention->source) {
    case SOURCE_MEMBER: worker->member = true; break;
    case SOURCE_LISTED: worker->listed = mention->entry; break;
    case SOURCE_REVOKED: worker->revocation = mention->entry; break;
    case SOURCE_DEPARTED: worker->departure = mention->entry; break;
    }
}

static int assignor_collect_workers(assignor_run *run, char *err, size_t errlen)
{
    const assignor_input *input = run->input;
    const assignment *previous = input->previous;
    size_t total = input->member_count + previous->worker_count + previous->revoked_count +
                   previous->departed_count;
    assignor_mention *mentions = calloc(total ? total : 1, sizeof(*mentions));
    if (!mentions)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    size_t count = 0;
    for (size_t i = 0; i < input->member_count; i++) {
        if (!input->members[i] || !*input->members[i]) {
            free(mentions);
            return ferry_error_set(err, errlen, "member %zu has an empty worker id", i), -1;
        }
        mentions[count++] = (assignor_mention){input->members[i], SOURCE_MEMBER, NULL};
    }
    for (size_t i = 0; i < previous->worker_count; i++)
        mentions[count++] = (assignor_mention){previous->workers[i].worker, SOURCE_LISTED,
                                               &previous->workers[i]};
    for (size_t i = 0; i < previous->revoked_count; i++)
        mentions[count++] = (assignor_mention){previous->revoked[i].worker, SOURCE_REVOKED,
                                               &previous->revoked[i]};
    for (size_t i = 0; i < previous->departed_count; i++)
        mentions[count++] = (assignor_mention){previous->departed[i].worker, SOURCE_DEPARTED,
                                               &previous->departed[i]};
    qsort(mentions, count, sizeof(*mentions), assignor_mention_compare);

    run->workers = calloc(count ? count : 1, sizeof(*run->workers));
    run->members = calloc(count ? count : 1, sizeof(*run->members));
    if (!run->workers || !run->members) {
        free(mentions);
        return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (run->worker_count == 0 ||
            strcmp(run->workers[run->worker_count - 1].id, mentions[i].id) != 0)
            run->workers[run->worker_count++] = (assignor_worker){
                .id = mentions[i].id, .entry = NO_WORKER, .revoked_entry = NO_WORKER};
        assignor_worker_add_mention(&run->workers[run->worker_count - 1], &mentions[i]);
    }
    free(mentions);
    for (size_t i = 0; i < run->worker_count; i++) {
        if (run->workers[i].member)
            run->members[run->member_count++] = i;
    }
    return 0;
}

static assignor_worker *assignor_find_worker(assignor_run *run, const char *id)
{
    size_t low = 0, high = run->worker_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(id, run->workers[middle].id);
        if (order == 0)
            return &run->workers[middle];
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return NULL;
}

/* ---- where each item goes -------------------------------------------------------------- */

/* Marks the live items of one list of the previous record as standing with worker. */
static void assignor_claim(assignor_run *run, int kind, const strlist *names, size_t worker,
                           assignor_state state)
{
    for (size_t i = 0; i < names->count; i++) {
        assignor_item *item = assignor_find_item(run, kind, names->items[i]);
        if (!item)
            continue;
        *item = (assignor_item){.worker = worker, .state = state};
        if (state == STATE_LISTED)
            run->workers[worker].listed_claims++;
        else
            run->workers[worker].revoked_claims++;
    }
}

static void assignor_claim_previous(assignor_run *run)
{
    for (size_t w = 0; w < run->worker_count; w++) {
        const assignor_worker *worker = &run->workers[w];
        if (worker->listed) {
            assignor_claim(run, KIND_CONNECTOR, &worker->listed->work.connectors, w, STATE_LISTED);
            assignor_claim(run, KIND_TASK, &worker->listed->work.tasks, w, STATE_LISTED);
        }
        if (worker->revocation) {
            assignor_claim(run, KIND_CONNECTOR, &worker->revocation->work.connectors, w,
                           STATE_WAS_REVOKED);
            assignor_claim(run, KIND_TASK, &worker->revocation->work.tasks, w, STATE_WAS_REVOKED);
        }
    }
}

/* Departures, delays and acknowledgements: what each worker's previous work may do now. */
static void assignor_judge_workers(assignor_run *run)
{
    const assignor_input *input = run->input;
    for (size_t i = 0; i < input->ack_count; i++) {
        assignor_worker *worker =
            input->acks[i].worker ? assignor_find_worker(run, input->acks[i].worker) : NULL;
        if (worker && input->acks[i].epoch > worker->ack)
            worker->ack = input->acks[i].epoch;
    }
    for (size_t w = 0; w < run->worker_count; w++) {
        assignor_worker *worker = &run->workers[w];
        if (worker->member) {
            const assignment_revocation *revocation = worker->revocation;
            if (worker->revoked_claims == 0)
                continue;
            int64_t timeout = assignor_deadline(revocation->at_ms, input->sync_timeout_ms);
            worker->revocation_done = worker->ack >= revocation->epoch || input->now_ms >= timeout;
            if (!worker->revocation_done)
                assignor_call_at(run, timeout);
        } else if (worker->listed_claims + worker->revoked_claims > 0) {
            worker->departed = true;
            worker->departed_ms =
                worker->departure ? worker->departure->departed_ms : input->now_ms;
            int64_t deadline = assignor_deadline(worker->departed_ms, input->max_delay_ms);
            /* With nobody to take the work, the end of the delay changes nothing: no call. */
            if (run->member_count > 0) {
                worker->released = input->now_ms >= deadline;
                if (!worker->released)
                    assignor_call_at(run, deadline);
            }
        }
    }
}

/* Where each item of the previous record goes, before new work and balance. */
static void assignor_settle_item(assignor_run *run, assignor_item *item)
{
    assignor_worker *worker = item->worker == NO_WORKER ? NULL : &run->workers[item->worker];
    if (item->state == STATE_NEW || (worker && worker->released)) {
        item->state = STATE_PLACE;
    } else if (item->state == STATE_LISTED) {
        item->state = worker->member ? STATE_OWNED : STATE_HELD;
    } else if (worker->member && worker->revocation_done) {
        item->state = STATE_PLACE;
    } else {
        item->state = STATE_REVOKED;
    }
    if (item->state == STATE_PLACE)
        item->worker = NO_WORKER;
}

/* The member with the fewest items of kind, the lowest id among equals. */
static size_t assignor_least_loaded(const assignor_run *run, int kind)
{
    size_t best = run->members[0];
    for (size_t i = 1; i < run->member_count; i++) {
        size_t candidate = run->members[i];
        if (run->workers[candidate].load[kind] < run->workers[best].load[kind])
            best = candidate;
    }
    return best;
}

/* Settles every item; true when work is held or a revocation still waits, which rules out
 * balancing. */
static bool assignor_place(assignor_run *run)
{
    bool waiting = false;
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        for (size_t i = 0; i < run->item_count[kind]; i++) {
            assignor_item *item = &run->items[kind][i];
            assignor_settle_item(run, item);
            if (item->state == STATE_OWNED)
                run->workers[item->worker].load[kind]++;
            else if (item->state != STATE_PLACE)
                waiting = true;
        }
        /* Placed after the rest is counted, so that "least loaded" sees every member's load. */
        for (size_t i = 0; i < run->item_count[kind]; i++) {
            assignor_item *item = &run->items[kind][i];
            if (item->state != STATE_PLACE)
                continue;
            if (run->member_count == 0) {
                item->state = STATE_UNOWNED;
                continue;
            }
            size_t member = assignor_least_loaded(run, kind);
            *item = (assignor_item){.worker = member, .state = STATE_OWNED};
            run->workers[member].load[kind]++;
        }
    }
    return waiting;
}

/* A member's place in the order in which members keep an extra item. */
typedef struct assignor_rank {
    size_t load;
    const char *id;
    size_t worker;
} assignor_rank;

/* Most loaded first, then by id. */
static int assignor_rank_compare(const void *a, const void *b)
{
    const assignor_rank *left = a, *right = b;
    if (left->load != right->load)
        return left->load > right->load ? -1 : 1;
    return strcmp(left->id, right->id);
}

/* Revokes, from the members above their share, the fewest items of kind that bring every
 * member within one of the others: the r most loaded may keep q + 1 (q, r = total / members,
 * total % members), the others q. The revoked items are the last of each member's. */
static int assignor_balance_kind(assignor_run *run, int kind)
{
    size_t count = run->member_count, total = 0;
    assignor_rank *ranks = malloc(count * sizeof(*ranks));
    if (!ranks)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const assignor_worker *worker = &run->workers[run->members[i]];
        ranks[i] = (assignor_rank){worker->load[kind], worker->id, run->members[i]};
        total += worker->load[kind];
    }
    qsort(ranks, count, sizeof(*ranks), assignor_rank_compare);
    size_t share = total / count, extra = total % count, moves = 0;
    for (size_t i = 0; i < count; i++) {
        assignor_worker *worker = &run->workers[ranks[i].worker];
        size_t target = share + (i < extra ? 1 : 0);
        worker->excess = ranks[i].load > target ? ranks[i].load - target : 0;
        moves += worker->excess;
    }
    free(ranks);
    for (size_t i = run->item_count[kind]; moves > 0 && i-- > 0;) {
        assignor_item *item = &run->items[kind][i];
        if (item->state != STATE_OWNED || run->workers[item->worker].excess == 0)
            continue;
        run->workers[item->worker].excess--;
        run->workers[item->worker].load[kind]--;
        item->state = STATE_REVOKING;
        moves--;
        /* Without an acknowledgement, the second step comes at the sync timeout. */
        assignor_call_at(run, assignor_deadline(run->input->now_ms, run->input->sync_timeout_ms));
    }
    return 0;
}

/* ---- the next record ------------------------------------------------------------------ */

/* The list of next that item goes to, or NULL when it goes to none. */
static strlist *assignor_item_list(assignor_run *run, assignment *next, int kind,
                                   const assignor_item *item)
{
    const assignor_worker *worker = &run->workers[item->worker];
    assignment_work *work;
    switch (item->state) {
    case STATE_OWNED:
    case STATE_HELD: work = &next->workers[worker->entry].work; break;
    case STATE_REVOKED:
    case STATE_REVOKING: work = &next->revoked[worker->revoked_entry].work; break;
    default: return NULL;
    }
    return kind == KIND_CONNECTOR ? &work->connectors : &work->tasks;
}

/* Creates the next record's entries: every member, then those who hold work for a departed
 * worker or had work revoked, all by id. */
static int assignor_build_entries(assignor_run *run, assignment *next)
{
    for (int kind = 0; kind < KIND_COUNT; kind++) {
        for (size_t i = 0; i < run->item_count[kind]; i++) {
            const assignor_item *item = &run->items[kind][i];
            if (item->worker == NO_WORKER)
                continue;
            assignor_worker *worker = &run->workers[item->worker];
            worker->holds |= worker->departed && (item->state == STATE_HELD ||
                                                  item->state == STATE_REVOKED);
            worker->has_revoked |= item->state == STATE_REVOKED || item->state == STATE_REVOKING;
            worker->carries_revoked |= item->state == STATE_REVOKED;
        }
    }
    for (size_t w = 0; w < run->worker_count; w++) {
        assignor_worker *worker = &run->workers[w];
        if (worker->member || (worker->holds && worker->listed_claims > 0)) {
            worker->entry = next->worker_count;
            if (!assignment_add_worker(next, worker->id))
                return -1;
        }
        if (worker->has_revoked) {
            /* A pending revocation keeps its epoch and time; none is carried while new ones
             * are made, so a worker's revoked work is all carried or all new. */
            const assignment_revocation *carried = worker->revocation;
            bool carry = worker->carries_revoked;
            worker->revoked_entry = next->revoked_count;
            if (!assignment_add_revocation(next, worker->id,
                                           carry ? carried->epoch : run->input->previous->epoch + 1,
                                           carry ? carried->at_ms : run->input->now_ms))
                return -1;
        }
        if (worker->holds && assignment_add_departure(next, worker->id, worker->departed_ms))
            return -1;
    }
    return 0;
}

static int assignor_build(assignor_run *run, assignment *next)
{
    if (assignment_set_leader(next, run->input->leader, run->input->leader_url) ||
        assignor_build_entries(run, next))
        return -1;
    int status = -1;
    size_t name_size = run->max_name_len + 16;
    char *name = malloc(name_size);
    if (!name)
        return -1;
    for (size_t c = 0; c < run->item_count[KIND_CONNECTOR]; c++) {
        strlist *list = assignor_item_list(run, next, KIND_CONNECTOR,
                                           &run->items[KIND_CONNECTOR][c]);
        if (list && strlist_append(list, run->connectors[c]->name, (size_t)-1))
            goto done;
    }
    for (size_t c = 0; c < run->item_count[KIND_CONNECTOR]; c++) {
        for (size_t n = 0; n < run->connectors[c]->task_count; n++) {
            strlist *list = assignor_item_list(run, next, KIND_TASK,
                                               &run->items[KIND_TASK][run->task_base[c] + n]);
            if (!list)
                continue;
            int len = snprintf(name, name_size, "%s-%zu", run->connectors[c]->name, n);
            if (len < 0 || strlist_append(list, name, (size_t)len))
                goto done;
        }
    }
    status = 0;
done:
    free(name);
    return status;
}

/* ---- did anything change -------------------------------------------------------------- */

/* Whether previous (any order, no name twice) and next (in order) hold the same names. */
static bool assignor_same_names(const strlist *previous, const strlist *next,
                                int (*compare)(const char *, const char *))
{
    if (previous->count != next->count)
        return false;
    for (size_t i = 0; i < previous->count; i++) {
        size_t low = 0, high = next->count;
        bool found = false;
        while (low < high && !found) {
            size_t middle = low + (high - low) / 2;
            int order = compare(previous->items[i], next->items[middle]);
            found = order == 0;
            if (order < 0)
                high = middle;
            else
                low = middle + 1;
        }
        if (!found)
            return false;
    }
    return true;
}

static bool assignor_same_work(const assignment_work *previous, const assignment_work *next)
{
    return assignor_same_names(&previous->connectors, &next->connectors, strcmp) &&
           assignor_same_names(&previous->tasks, &next->tasks, assignment_task_compare);
}

static bool assignor_same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Compares through the workers, which know both records' entries; ids are unique in each
 * section of both, so equal counts and a match for every entry of next mean equal sections. */
static bool assignor_same(const assignor_run *run, const assignment *previous,
                          const assignment *next)
{
    if (!assignor_same_text(previous->leader, next->leader) ||
        !assignor_same_text(previous->leader_url, next->leader_url) ||
        previous->worker_count != next->worker_count ||
        previous->revoked_count != next->revoked_count ||
        previous->departed_count != next->departed_count)
        return false;
    for (size_t w = 0; w < run->worker_count; w++) {
        const assignor_worker *worker = &run->workers[w];
        if (worker->entry != NO_WORKER &&
            (!worker->listed || !assignor_same_work(&worker->listed->work,
                                                    &next->workers[worker->entry].work)))
            return false;
        if (worker->revoked_entry != NO_WORKER) {
            const assignment_revocation *revocation = &next->revoked[worker->revoked_entry];
            if (!worker->revocation || worker->revocation->epoch != revocation->epoch ||
                worker->revocation->at_ms != revocation->at_ms ||
                !assignor_same_work(&worker->revocation->work, &revocation->work))
                return false;
        }
        if (worker->holds &&
            (!worker->departure || worker->departure->departed_ms != worker->departed_ms))
            return false;
    }
    return true;
}

/* ---- the run -------------------------------------------------------------------------- */

static int assignor_check_input(const assignor_input *input, char *err, size_t errlen)
{
    if (!input->leader || !*input->leader || !input->leader_url)
        return ferry_error_set(err, errlen, "the leader's id and URL are required"), -1;
    if (input->now_ms < 0 || input->max_delay_ms < 0 || input->sync_timeout_ms < 0)
        return ferry_error_set(err, errlen, "times and delays must not be negative (now %lld, "
                               "scheduled.rebalance.max.delay.ms %lld, worker.sync.timeout.ms "
                               "%lld)", (long long)input->now_ms,
                               (long long)input->max_delay_ms,
                               (long long)input->sync_timeout_ms), -1;
    if (!input->previous)
        return ferry_error_set(err, errlen, "a previous assignment is required (an empty one "
                               "when there is none)"), -1;
    char problem[256];
    if (assignment_check(input->previous, problem, sizeof(problem)))
        return ferry_error_set(err, errlen, "previous assignment: %s", problem), -1;
    return 0;
}

static void assignor_run_free(assignor_run *run)
{
    free(run->connectors);
    free(run->task_base);
    for (int kind = 0; kind < KIND_COUNT; kind++)
        free(run->items[kind]);
    free(run->workers);
    free(run->members);
}

int assignor_compute(const assignor_input *input, assignor_result *result, char *err,
                     size_t errlen)
{
    *result = (assignor_result){.next_call_ms = ASSIGNOR_NEVER};
    assignor_run run = {.input = input, .next_call_ms = ASSIGNOR_NEVER};
    int status = -1;
    if (assignor_check_input(input, err, errlen) || assignor_number_work(&run, err, errlen) ||
        assignor_collect_workers(&run, err, errlen))
        goto done;
    assignor_claim_previous(&run);
    assignor_judge_workers(&run);
    bool waiting = assignor_place(&run);
    if (!waiting && run.member_count > 1) {
        for (int kind = 0; kind < KIND_COUNT; kind++) {
            if (assignor_balance_kind(&run, kind)) {
                ferry_error_set(err, errlen, "out of memory");
                goto done;
            }
        }
    }
    if (assignor_build(&run, &result->next)) {
        ferry_error_set(err, errlen, "out of memory");
        goto done;
    }
    result->changed = !assignor_same(&run, input->previous, &result->next);
    result->next.epoch = input->previous->epoch + (result->changed ? 1 : 0);
    result->next_call_ms = run.next_call_ms;
    status = 0;
done:
    assignor_run_free(&run);
    return status;
}

void assignor_result_free(assignor_result *result)
{
    if (result)
        assignment_free(&result->next);
}
