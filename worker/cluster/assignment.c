/*
 * assignment.c - the ferry-assignment record of assignment.h: building, checking, and its JSON.
 */
#include "cluster/assignment.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"
#include "support/task_name.h"

static void assignment_work_free(assignment_work *work)
{
    strlist_free(&work->connectors);
    strlist_free(&work->tasks);
}

void assignment_free(assignment *record)
{
    if (!record)
        return;
    for (size_t i = 0; i < record->worker_count; i++) {
        free(record->workers[i].worker);
        assignment_work_free(&record->workers[i].work);
    }
    for (size_t i = 0; i < record->revoked_count; i++) {
        free(record->revoked[i].worker);
        assignment_work_free(&record->revoked[i].work);
    }
    for (size_t i = 0; i < record->departed_count; i++)
        free(record->departed[i].worker);
    free(record->workers);
    free(record->revoked);
    free(record->departed);
    free(record->leader);
    free(record->leader_url);
    *record = (struct assignment){0};
}

int assignment_set_leader(assignment *record, const char *leader, const char *leader_url)
{
    char *leader_copy = leader ? strdup(leader) : NULL;
    char *url_copy = leader_url ? strdup(leader_url) : NULL;
    if ((leader && !leader_copy) || (leader_url && !url_copy)) {
        free(leader_copy);
        free(url_copy);
        return -1;
    }
    free(record->leader);
    free(record->leader_url);
    record->leader = leader_copy;
    record->leader_url = url_copy;
    return 0;
}

/* Every entry struct of an assignment starts with its worker id (char *worker): the helpers
 * below serve the three kinds through that first member, reading it as bytes as array_reserve
 * reads the caller's pointer. */
static const char *assignment_entry_worker(const void *entries, size_t stride, size_t i)
{
    const char *worker;
    memcpy(&worker, (const unsigned char *)entries + i * stride, sizeof(worker));
    return worker;
}

/* The entry of worker among count entries of stride bytes, or NULL. */
static const void *assignment_find_entry(const void *entries, size_t count, size_t stride,
                                         const char *worker)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(assignment_entry_worker(entries, stride, i), worker) == 0)
            return (const unsigned char *)entries + i * stride;
    }
    return NULL;
}

/* Appends a zeroed entry that holds a copy of worker to the array *entries (a pointer to the
 * array's pointer, as for array_reserve); the entry, or NULL when out of memory. */
static void *assignment_append_entry(void *entries, size_t *count, size_t *capacity,
                                     size_t stride, const char *worker)
{
    char *copy = strdup(worker);
    if (!copy || array_reserve(entries, capacity, *count + 1, stride)) {
        free(copy);
        return NULL;
    }
    unsigned char *array;
    memcpy(&array, entries, sizeof(array));
    unsigned char *entry = array + (*count)++ * stride;
    memcpy(entry, &copy, sizeof(copy));
    return entry;
}

assignment_worker *assignment_add_worker(assignment *record, const char *worker)
{
    return assignment_append_entry(&record->workers, &record->worker_count,
                                   &record->worker_capacity, sizeof(*record->workers), worker);
}

assignment_revocation *assignment_add_revocation(assignment *record, const char *worker,
                                                 int64_t epoch, int64_t at_ms)
{
    assignment_revocation *entry =
        assignment_append_entry(&record->revoked, &record->revoked_count,
                                &record->revoked_capacity, sizeof(*record->revoked), worker);
    if (entry) {
        entry->epoch = epoch;
        entry->at_ms = at_ms;
    }
    return entry;
}

int assignment_add_departure(assignment *record, const char *worker, int64_t departed_ms)
{
    assignment_departure *entry =
        assignment_append_entry(&record->departed, &record->departed_count,
                                &record->departed_capacity, sizeof(*record->departed), worker);
    if (!entry)
        return -1;
    entry->departed_ms = departed_ms;
    return 0;
}

const assignment_worker *assignment_find_worker(const assignment *record, const char *worker)
{
    return assignment_find_entry(record->workers, record->worker_count, sizeof(*record->workers),
                                 worker);
}

const assignment_revocation *assignment_find_revocation(const assignment *record,
                                                        const char *worker)
{
    return assignment_find_entry(record->revoked, record->revoked_count,
                                 sizeof(*record->revoked), worker);
}

const assignment_departure *assignment_find_departure(const assignment *record,
                                                      const char *worker)
{
    return assignment_find_entry(record->departed, record->departed_count,
                                 sizeof(*record->departed), worker);
}

bool assignment_task_parse(const char *task, size_t *connector_len, uint32_t *index)
{
    return task_name_parse(task, connector_len, index);
}

int assignment_task_compare(const char *a, const char *b)
{
    size_t a_len, b_len;
    uint32_t a_index, b_index;
    bool a_task = assignment_task_parse(a, &a_len, &a_index);
    bool b_task = assignment_task_parse(b, &b_len, &b_index);
    if (!a_task || !b_task)
        return a_task != b_task ? (a_task ? -1 : 1) : strcmp(a, b);
    int names = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (names != 0)
        return names;
    if (a_len != b_len)
        return a_len < b_len ? -1 : 1;
    return a_index == b_index ? 0 : (a_index < b_index ? -1 : 1);
}

/* ---- checks ---------------------------------------------------------------------------- */

/* One connector or task named in a list of the assignment, for finding those named twice. */
typedef struct assignment_mention {
    const char *name;
    const char *section; /* "assignment" or "revoked" */
    const char *worker;
} assignment_mention;

typedef struct assignment_mentions {
    assignment_mention *items;
    size_t count;
    size_t capacity;
} assignment_mentions;

static int assignment_mention_compare(const void *a, const void *b)
{
    const assignment_mention *left = a, *right = b;
    int order = strcmp(left->name, right->name);
    if (order == 0)
        order = strcmp(left->section, right->section);
    if (order == 0)
        order = strcmp(left->worker, right->worker);
    return order;
}

static int assignment_mentions_add(assignment_mentions *mentions, const char *name,
                                   const char *section, const char *worker)
{
    if (array_reserve(&mentions->items, &mentions->capacity, mentions->count + 1,
                      sizeof(*mentions->items)))
        return -1;
    mentions->items[mentions->count++] =
        (assignment_mention){.name = name, .section = section, .worker = worker};
    return 0;
}

/* The first name mentioned twice, reported as what (a "connector" or a "task"). */
static int assignment_mentions_check(assignment_mentions *mentions, const char *what, char *err,
                                     size_t errlen)
{
    if (mentions->count < 2)
        return 0; /* and qsort may not be given the NULL of an empty list */
    qsort(mentions->items, mentions->count, sizeof(*mentions->items),
          assignment_mention_compare);
    for (size_t i = 1; i < mentions->count; i++) {
        const assignment_mention *first = &mentions->items[i - 1], *second = &mentions->items[i];
        if (strcmp(first->name, second->name) == 0) {
            ferry_error_set(err, errlen,
                            "%s \"%s\" is listed twice: in %s[\"%s\"] and in %s[\"%s\"]", what,
                            first->name, first->section, first->worker, second->section,
                            second->worker);
            return -1;
        }
    }
    return 0;
}

/* Checks one entry's lists and adds their names to the mentions. */
static int assignment_check_work(const assignment_work *work, const char *section,
                                 const char *worker, assignment_mentions *connectors,
                                 assignment_mentions *tasks, char *err, size_t errlen)
{
    for (size_t i = 0; i < work->connectors.count; i++) {
        const char *name = work->connectors.items[i];
        if (!name || !*name) {
            ferry_error_set(err, errlen, "%s[\"%s\"].connectors[%zu]: a connector name must not "
                            "be empty", section, worker, i);
            return -1;
        }
        if (assignment_mentions_add(connectors, name, section, worker))
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    for (size_t i = 0; i < work->tasks.count; i++) {
        const char *name = work->tasks.items[i];
        if (!name || !assignment_task_parse(name, NULL, NULL)) {
            ferry_error_set(err, errlen, "%s[\"%s\"].tasks[%zu]: \"%s\" is not a task name "
                            "(\"<connector>-<n>\")", section, worker, i, name ? name : "");
            return -1;
        }
        if (assignment_mentions_add(tasks, name, section, worker))
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    return 0;
}

/* Worker ids of one section (count entries of stride bytes): not empty, each once. */
static int assignment_check_ids(const void *entries, size_t count, size_t stride,
                                const char *section, char *err, size_t errlen)
{
    for (size_t i = 0; i < count; i++) {
        const char *id = assignment_entry_worker(entries, stride, i);
        if (!id || !*id) {
            ferry_error_set(err, errlen, "%s: entry %zu has an empty worker id", section, i);
            return -1;
        }
        if (assignment_find_entry(entries, i, stride, id)) {
            ferry_error_set(err, errlen, "%s: worker \"%s\" has two entries", section, id);
            return -1;
        }
    }
    return 0;
}

int assignment_check(const assignment *record, char *err, size_t errlen)
{
    assignment_mentions connectors = {0}, tasks = {0};
    int status = -1;
    if (record->epoch < 0) {
        ferry_error_set(err, errlen, "epoch: must not be negative, got %lld",
                        (long long)record->epoch);
        goto done;
    }
    if (assignment_check_ids(record->workers, record->worker_count,
                             sizeof(*record->workers), "assignment", err, errlen) ||
        assignment_check_ids(record->revoked, record->revoked_count,
                             sizeof(*record->revoked), "revoked", err, errlen) ||
        assignment_check_ids(record->departed, record->departed_count,
                             sizeof(*record->departed), "departed", err, errlen))
        goto done;
    for (size_t i = 0; i < record->worker_count; i++) {
        const assignment_worker *entry = &record->workers[i];
        if (assignment_check_work(&entry->work, "assignment", entry->worker, &connectors, &tasks,
                                  err, errlen))
            goto done;
    }
    for (size_t i = 0; i < record->revoked_count; i++) {
        const assignment_revocation *entry = &record->revoked[i];
        if (entry->epoch < 1 || entry->epoch > record->epoch) {
            ferry_error_set(err, errlen, "revoked[\"%s\"].epoch: expected 1 to %lld (the "
                            "assignment's epoch), got %lld", entry->worker,
                            (long long)record->epoch, (long long)entry->epoch);
            goto done;
        }
        if (entry->at_ms < 0) {
            ferry_error_set(err, errlen, "revoked[\"%s\"].at: expected a time in ms, got %lld",
                            entry->worker, (long long)entry->at_ms);
            goto done;
        }
        if (assignment_check_work(&entry->work, "revoked", entry->worker, &connectors, &tasks,
                                  err, errlen))
            goto done;
    }
    for (size_t i = 0; i < record->departed_count; i++) {
        const assignment_departure *entry = &record->departed[i];
        if (entry->departed_ms < 0) {
            ferry_error_set(err, errlen, "departed[\"%s\"]: expected a time in ms, got %lld",
                            entry->worker, (long long)entry->departed_ms);
            goto done;
        }
    }
    if (assignment_mentions_check(&connectors, "connector", err, errlen) ||
        assignment_mentions_check(&tasks, "task", err, errlen))
        goto done;
    status = 0;
done:
    free(connectors.items);
    free(tasks.items);
    return status;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static json_t *assignment_names_json(const strlist *names)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < names->count; i++) {
        if (json_array_append_new(array, json_string(names->items[i])) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

/* Sets "connectors" and "tasks" of object; 0 or -1. */
static int assignment_work_to_json(json_t *object, const assignment_work *work)
{
    return json_object_set_new(object, "connectors", assignment_names_json(&work->connectors)) ||
           json_object_set_new(object, "tasks", assignment_names_json(&work->tasks));
}

json_t *assignment_to_json(const assignment *record)
{
    json_t *object = json_object();
    json_t *workers = json_object(), *revoked = json_object(), *departed = json_object();
    int failed;
    if (!object || !workers || !revoked || !departed)
        goto fail;
    for (size_t i = 0; i < record->worker_count; i++) {
        json_t *entry = json_object();
        if (json_object_set_new(workers, record->workers[i].worker, entry) ||
            assignment_work_to_json(entry, &record->workers[i].work))
            goto fail;
    }
    for (size_t i = 0; i < record->revoked_count; i++) {
        const assignment_revocation *revocation = &record->revoked[i];
        json_t *entry = json_object();
        if (json_object_set_new(revoked, revocation->worker, entry) ||
            json_object_set_new(entry, "epoch", json_integer(revocation->epoch)) ||
            json_object_set_new(entry, "at", json_integer(revocation->at_ms)) ||
            assignment_work_to_json(entry, &revocation->work))
            goto fail;
    }
    for (size_t i = 0; i < record->departed_count; i++) {
        if (json_object_set_new(departed, record->departed[i].worker,
                                json_integer(record->departed[i].departed_ms)))
            goto fail;
    }
    const char *leader = record->leader ? record->leader : "";
    const char *url = record->leader_url ? record->leader_url : "";
    if (json_object_set_new(object, "epoch", json_integer(record->epoch)) ||
        json_object_set_new(object, "leader", json_string(leader)) ||
        json_object_set_new(object, "leader_url", json_string(url)))
        goto fail;
    /* set_new takes the reference even when it fails: clear each pointer once handed over. */
    failed = json_object_set_new(object, "assignment", workers);
    workers = NULL;
    failed |= json_object_set_new(object, "revoked", revoked);
    revoked = NULL;
    failed |= json_object_set_new(object, "departed", departed);
    departed = NULL;
    if (failed)
        goto fail;
    return object;
fail:
    json_decref(object);
    json_decref(workers);
    json_decref(revoked);
    json_decref(departed);
    return NULL;
}

/* A short text of a JSON value for messages: the value itself, cut when long. */
static const char *assignment_json_text(json_t *value, char *out, size_t outlen)
{
    char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text)
        snprintf(out, outlen, "a value that cannot be shown");
    else if (strlen(text) > 40)
        snprintf(out, outlen, "%.37s...", text);
    else
        snprintf(out, outlen, "%s", text);
    free(text);
    return out;
}

/* The message for a member at path that is missing or not what was expected. */
static int assignment_json_refuse(json_t *value, const char *path, const char *expected,
                                  char *err, size_t errlen)
{
    char text[48];
    if (!value)
        ferry_error_set(err, errlen, "%s: missing (expected %s)", path, expected);
    else
        ferry_error_set(err, errlen, "%s: expected %s, got %s", path, expected,
                        assignment_json_text(value, text, sizeof(text)));
    return -1;
}

static int assignment_json_integer(json_t *object, const char *key, int64_t min,
                                   const char *path, const char *expected, int64_t *out,
                                   char *err, size_t errlen)
{
    json_t *value = json_object_get(object, key);
    if (!json_is_integer(value) || json_integer_value(value) < min)
        return assignment_json_refuse(value, path, expected, err, errlen);
    *out = json_integer_value(value);
    return 0;
}

static int assignment_json_names(json_t *entry, const char *key, const char *path, strlist *out,
                                 char *err, size_t errlen)
{
    char item_path[320];
    snprintf(item_path, sizeof(item_path), "%s.%s", path, key);
    json_t *array = json_object_get(entry, key);
    if (!json_is_array(array))
        return assignment_json_refuse(array, item_path, "an array of names", err, errlen);
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) {
        if (!json_is_string(item)) {
            snprintf(item_path, sizeof(item_path), "%s.%s[%zu]", path, key, index);
            return assignment_json_refuse(item, item_path, "a string", err, errlen);
        }
        if (strlist_append(out, json_string_value(item), (size_t)-1))
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    return 0;
}

/* The object at key, whose members are entries of one section. */
static json_t *assignment_json_section(json_t *record, const char *key, const char *expected,
                                       char *err, size_t errlen)
{
    json_t *section = json_object_get(record, key);
    if (!json_is_object(section)) {
        assignment_json_refuse(section, key, expected, err, errlen);
        return NULL;
    }
    return section;
}

/* A revoked entry's "epoch" and "at". */
static int assignment_json_revocation(json_t *entry, const char *path, int64_t *epoch,
                                      int64_t *at_ms, char *err, size_t errlen)
{
    char member_path[320];
    snprintf(member_path, sizeof(member_path), "%s.epoch", path);
    if (assignment_json_integer(entry, "epoch", 1, member_path, "an integer of at least 1", epoch,
                                err, errlen))
        return -1;
    snprintf(member_path, sizeof(member_path), "%s.at", path);
    return assignment_json_integer(entry, "at", 0, member_path, "a time in ms", at_ms, err,
                                   errlen);
}

/* The entries of one section: "assignment", "revoked" (whose entries have an "epoch" and an
 * "at" besides their lists) or "departed" (times). */
static int assignment_json_entries(json_t *record, const char *key, assignment *out, char *err,
                                   size_t errlen)
{
    bool revoked = strcmp(key, "revoked") == 0, departed = strcmp(key, "departed") == 0;
    json_t *section = assignment_json_section(
        record, key, departed ? "an object of workers and times in ms" : "an object of workers",
        err, errlen);
    if (!section)
        return -1;
    const char *worker;
    json_t *value;
    json_object_foreach(section, worker, value) {
        char path[300];
        snprintf(path, sizeof(path), "%s[\"%s\"]", key, worker);
        if (departed) {
            if (!json_is_integer(value) || json_integer_value(value) < 0)
                return assignment_json_refuse(value, path, "a time in ms", err, errlen);
            if (assignment_add_departure(out, worker, json_integer_value(value)))
                return ferry_error_set(err, errlen, "out of memory"), -1;
            continue;
        }
        if (!json_is_object(value))
            return assignment_json_refuse(value, path,
                                          revoked ? "an object of \"epoch\", \"at\", "
                                                    "\"connectors\" and \"tasks\""
                                                  : "an object of \"connectors\" and \"tasks\"",
                                          err, errlen);
        assignment_work *work = NULL;
        if (revoked) {
            int64_t epoch, at_ms;
            if (assignment_json_revocation(value, path, &epoch, &at_ms, err, errlen))
                return -1;
            assignment_revocation *entry = assignment_add_revocation(out, worker, epoch, at_ms);
            work = entry ? &entry->work : NULL;
        } else {
            assignment_worker *entry = assignment_add_worker(out, worker);
            work = entry ? &entry->work : NULL;
        }
        if (!work)
            return ferry_error_set(err, errlen, "out of memory"), -1;
        if (assignment_json_names(value, "connectors", path, &work->connectors, err, errlen) ||
            assignment_json_names(value, "tasks", path, &work->tasks, err, errlen))
            return -1;
    }
    return 0;
}

int assignment_from_json(json_t *value, assignment *out, char *err, size_t errlen)
{
    if (!json_is_object(value))
        return assignment_json_refuse(value, "the ferry-assignment record",
                                      "a JSON object", err, errlen);
    json_t *leader = json_object_get(value, "leader");
    json_t *url = json_object_get(value, "leader_url");
    if (assignment_json_integer(value, "epoch", 1, "epoch", "an integer of at least 1",
                                &out->epoch, err, errlen))
        goto fail;
    if (!json_is_string(leader) || json_string_length(leader) == 0) {
        assignment_json_refuse(leader, "leader", "a worker id", err, errlen);
        goto fail;
    }
    if (!json_is_string(url)) {
        assignment_json_refuse(url, "leader_url", "a URL", err, errlen);
        goto fail;
    }
    if (assignment_set_leader(out, json_string_value(leader), json_string_value(url))) {
        ferry_error_set(err, errlen, "out of memory");
        goto fail;
    }
    if (assignment_json_entries(value, "assignment", out, err, errlen) ||
        assignment_json_entries(value, "revoked", out, err, errlen) ||
        assignment_json_entries(value, "departed", out, err, errlen) ||
        assignment_check(out, err, errlen))
        goto fail;
    return 0;
fail:
    assignment_free(out);
    return -1;
}
