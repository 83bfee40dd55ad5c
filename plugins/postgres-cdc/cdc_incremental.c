/*
 * cdc_incremental.c - the incremental snapshot's context, chunk buffer, signals and
 * notifications (see cdc_incremental.h).
 */
#include "cdc_incremental.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ferry/plugin.h>

#include "java_serial.h"
#include "pg_types.h"
#include "support/array.h"
#include "support/hex.h"
#include "support/strbuf.h"
#include "support/strlist.h"

/* Room for a message of the Java stream reader. */
#define CDC_INCR_ERR 256

void cdc_incremental_init(cdc_incremental *inc)
{
    memset(inc, 0, sizeof(*inc));
}

static void cdc_incr_collection_release(cdc_incr_collection *collection)
{
    free(collection->id);
    free(collection->condition);
    memset(collection, 0, sizeof(*collection));
}

void cdc_incremental_buffer_drop(cdc_incremental *inc)
{
    PQclear(inc->chunk);
    inc->chunk = NULL;
    inc->chunk_oid = 0;
    inc->key_count = 0;
    free(inc->removed);
    inc->removed = NULL;
    free(inc->slots);
    inc->slots = NULL;
    inc->slot_count = 0;
    inc->rows = inc->next_row = inc->remaining = 0;
    inc->last_chunk = false;
    json_decref(inc->chunk_start);
    inc->chunk_start = NULL;
    inc->window = CDC_INCR_NO_CHUNK;
    pg_txid_snapshot_release(&inc->low);
    pg_txid_snapshot_release(&inc->high);
}

void cdc_incremental_release(cdc_incremental *inc)
{
    cdc_incremental_buffer_drop(inc);
    for (size_t i = 0; i < inc->count; i++)
        cdc_incr_collection_release(&inc->collections[i]);
    free(inc->collections);
    json_decref(inc->position);
    json_decref(inc->maximum);
    free(inc->correlation_id);
    memset(inc, 0, sizeof(*inc));
}

bool cdc_incremental_active(const cdc_incremental *inc)
{
    return inc->count > 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Offsets                                                                                    */

/* A key value's text as the Java value of its class. -1 when it does not fit. */
static int cdc_key_java_value(const char *text, size_t len, char type, java_value *value)
{
    memset(value, 0, sizeof(*value));
    if (type == 'S') {
        *value = (java_value){.kind = JAVA_STRING, .text = (char *)text, .len = len};
        return 0;
    }
    if (type == 'U') {
        unsigned char bytes[16];
        char digits[33];
        size_t n = 0;
        for (size_t i = 0; i < len && n < 33; i++)
            if (text[i] != '-')
                digits[n++] = text[i];
        if (len != 36 || n != 32 || hex_decode(digits, 32, bytes) != 16)
            return -1;
        value->kind = JAVA_UUID;
        for (int i = 0; i < 8; i++) {
            value->most_bits = (value->most_bits << 8) | bytes[i];
            value->least_bits = (value->least_bits << 8) | bytes[8 + i];
        }
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long number = strtoll(text, &end, 10);
    if (len == 0 || end != text + len || errno != 0 ||
        (type == 'I' && (number < INT32_MIN || number > INT32_MAX)))
        return -1;
    value->kind = type == 'I' ? JAVA_INTEGER : JAVA_LONG;
    value->number = number;
    return 0;
}

char *cdc_incremental_key_encode(const json_t *key, const char *types)
{
    size_t count = json_array_size(key);
    if (count > CDC_KEY_MAX || strlen(types) < count)
        return NULL;
    java_value values[CDC_KEY_MAX];
    for (size_t k = 0; k < count; k++) {
        const json_t *item = json_array_get(key, k);
        if (!json_is_string(item) || cdc_key_java_value(json_string_value(item),
                                                        json_string_length(item), types[k],
                                                        &values[k]) != 0)
            return NULL;
    }
    strbuf bytes = {0};
    char *hex = NULL;
    if (java_serial_write_array(values, count, &bytes) == 0 && !strbuf_failed(&bytes) &&
        (hex = malloc(2 * bytes.len + 1)) != NULL)
        hex_encode(bytes.data, bytes.len, hex);
    free(bytes.data);
    return hex;
}

/* A Java value as the key value's text (the form queries bind and chunk rows hold). */
static json_t *cdc_key_text(const java_value *value, char *type)
{
    char text[40];
    switch (value->kind) {
    case JAVA_STRING:
        *type = 'S';
        return json_stringn(value->text, value->len);
    case JAVA_UUID: {
        unsigned char bytes[16];
        char digits[33];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (unsigned char)(value->most_bits >> (56 - 8 * i));
            bytes[8 + i] = (unsigned char)(value->least_bits >> (56 - 8 * i));
        }
        hex_encode(bytes, sizeof bytes, digits);
        snprintf(text, sizeof text, "%.8s-%.4s-%.4s-%.4s-%.12s", digits, digits + 8,
                 digits + 12, digits + 16, digits + 20);
        *type = 'U';
        return json_string(text);
    }
    default:
        snprintf(text, sizeof text, "%lld", (long long)value->number);
        *type = value->kind == JAVA_INTEGER ? 'I' : 'J';
        return json_string(text);
    }
}

json_t *cdc_incremental_key_decode(const char *hex, char *types, char *err, size_t errlen)
{
    size_t len = hex ? strlen(hex) : 0;
    unsigned char *bytes = malloc(len / 2 + 1);
    if (!bytes)
        return ferry_error_set(err, errlen, "out of memory"), NULL;
    java_value *values = NULL;
    size_t count = 0;
    json_t *key = NULL;
    long n = hex_decode(hex, len, bytes);
    if (n < 0)
        ferry_error_set(err, errlen, "not hex digits");
    else if (java_serial_read_array(bytes, (size_t)n, &values, &count, err, errlen) != 0)
        ;
    else if (count > CDC_KEY_MAX)
        ferry_error_set(err, errlen, "%zu key values, at most %d are read", count, CDC_KEY_MAX);
    else if (!(key = json_array()))
        ferry_error_set(err, errlen, "out of memory");
    for (size_t k = 0; key && k < count; k++) {
        if (json_array_append_new(key, cdc_key_text(&values[k], &types[k])) != 0) {
            json_decref(key);
            key = NULL;
            ferry_error_set(err, errlen, "out of memory");
        }
    }
    if (key)
        types[count] = '\0';
    java_values_free(values, count);
    free(bytes);
    return key;
}

void cdc_incremental_key_types(cdc_incremental *inc, const dbz_table *table)
{
    size_t keys = table->key_count < CDC_KEY_MAX ? table->key_count : CDC_KEY_MAX;
    for (size_t k = 0; k < keys; k++) {
        uint32_t oid = table->columns[table->key_columns[k]].type.oid;
        inc->key_types[k] = oid == PG_OID_INT2 || oid == PG_OID_INT4 ? 'I'
                            : oid == PG_OID_INT8 || oid == PG_OID_OID ? 'J'
                            : oid == PG_OID_UUID                      ? 'U'
                                                                      : 'S';
    }
    inc->key_types[keys] = '\0';
}

/* Debezium's collections field: a JSON text of [{id, additional_condition, surrogate_key}]. */
static char *cdc_incremental_collections_text(const cdc_incremental *inc)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < inc->count; i++) {
        json_t *item = json_pack(
            "{s:s, s:o, s:n}", "incremental_snapshot_collections_id", inc->collections[i].id,
            "incremental_snapshot_collections_additional_condition",
            inc->collections[i].condition ? json_string(inc->collections[i].condition)
                                          : json_null(),
            "incremental_snapshot_collections_surrogate_key");
        if (!item || json_array_append_new(list, item) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    char *text = list ? json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(list);
    return text;
}

int cdc_incremental_offset_add(const cdc_incremental *inc, json_t *offset)
{
    if (!cdc_incremental_active(inc))
        return 0;
    char *collections = cdc_incremental_collections_text(inc);
    const json_t *position = inc->window != CDC_INCR_NO_CHUNK ? inc->chunk_start : inc->position;
    char *primary = position ? cdc_incremental_key_encode(position, inc->key_types) : NULL;
    char *maximum = inc->maximum ? cdc_incremental_key_encode(inc->maximum, inc->key_types)
                                 : NULL;
    int rc = -1;
    if (collections && (!position || primary) && (!inc->maximum || maximum) &&
        json_object_set_new(offset, CDC_INCR_COLLECTIONS, json_string(collections)) == 0 &&
        (!primary || json_object_set_new(offset, CDC_INCR_PRIMARY_KEY, json_string(primary)) == 0) &&
        (!maximum || json_object_set_new(offset, CDC_INCR_MAXIMUM_KEY, json_string(maximum)) == 0) &&
        (!inc->correlation_id ||
         json_object_set_new(offset, CDC_INCR_CORRELATION_ID, json_string(inc->correlation_id)) ==
             0))
        rc = 0;
    free(collections);
    free(primary);
    free(maximum);
    return rc;
}

int cdc_incremental_restore(cdc_incremental *inc, const json_t *offset, char *err,
                            size_t errlen)
{
    const char *collections = json_string_value(json_object_get(offset, CDC_INCR_COLLECTIONS));
    if (!collections)
        return 0;
    json_t *list = json_loads(collections, 0, NULL);
    if (!json_is_array(list)) {
        json_decref(list);
        return ferry_error_set(err, errlen, "offset field %s is not a JSON list: %s",
                               CDC_INCR_COLLECTIONS, collections), -1;
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *id = json_string_value(
            json_object_get(item, "incremental_snapshot_collections_id"));
        const char *condition = json_string_value(
            json_object_get(item, "incremental_snapshot_collections_additional_condition"));
        if (!id) {
            json_decref(list);
            return ferry_error_set(err, errlen, "offset field %s: item %zu has no "
                                                "incremental_snapshot_collections_id",
                                   CDC_INCR_COLLECTIONS, i), -1;
        }
        if (cdc_incremental_add(inc, id, condition && *condition ? condition : NULL) != 0) {
            json_decref(list);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
    }
    json_decref(list);
    static const char *const keys[] = {CDC_INCR_PRIMARY_KEY, CDC_INCR_MAXIMUM_KEY};
    json_t **targets[] = {&inc->position, &inc->maximum};
    for (size_t k = 0; k < 2; k++) {
        const char *hex = json_string_value(json_object_get(offset, keys[k]));
        if (!hex)
            continue;
        char why[CDC_INCR_ERR];
        *targets[k] = cdc_incremental_key_decode(hex, inc->key_types, why, sizeof why);
        if (!*targets[k])
            return ferry_error_set(err, errlen, "offset field %s: %s", keys[k], why), -1;
    }
    const char *correlation = json_string_value(json_object_get(offset, CDC_INCR_CORRELATION_ID));
    if (correlation && !(inc->correlation_id = strdup(correlation)))
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The queue of tables                                                                        */

int cdc_incremental_add(cdc_incremental *inc, const char *id, const char *condition)
{
    for (size_t i = 0; i < inc->count; i++)
        if (strcmp(inc->collections[i].id, id) == 0)
            return 0;
    if (array_reserve(&inc->collections, &inc->capacity, inc->count + 1,
                      sizeof(*inc->collections)) != 0)
        return -1;
    cdc_incr_collection *collection = &inc->collections[inc->count];
    collection->id = strdup(id);
    collection->condition = condition ? strdup(condition) : NULL;
    if (!collection->id || (condition && !collection->condition)) {
        cdc_incr_collection_release(collection);
        return -1;
    }
    inc->count++;
    return 0;
}

/* The first table starts over: no position, no maximum. */
static void cdc_incremental_table_reset(cdc_incremental *inc)
{
    json_decref(inc->position);
    inc->position = NULL;
    json_decref(inc->maximum);
    inc->maximum = NULL;
    inc->table_rows = 0;
}

static void cdc_incremental_remove_at(cdc_incremental *inc, size_t index)
{
    cdc_incr_collection_release(&inc->collections[index]);
    memmove(&inc->collections[index], &inc->collections[index + 1],
            (inc->count - index - 1) * sizeof(*inc->collections));
    inc->count--;
    if (index == 0)
        cdc_incremental_table_reset(inc);
    /* the correlation id stays: the COMPLETED notification after the last table carries it */
}

size_t cdc_incremental_remove(cdc_incremental *inc, const char *const *ids, size_t id_count,
                              bool *current_removed)
{
    size_t removed = 0;
    *current_removed = false;
    for (size_t i = inc->count; i-- > 0;) {
        bool match = ids == NULL;
        for (size_t k = 0; !match && k < id_count; k++)
            match = strcmp(inc->collections[i].id, ids[k]) == 0;
        if (!match)
            continue;
        if (i == 0) {
            *current_removed = true;
            cdc_incremental_buffer_drop(inc);
        }
        cdc_incremental_remove_at(inc, i);
        removed++;
    }
    return removed;
}

void cdc_incremental_table_done(cdc_incremental *inc)
{
    if (inc->count > 0)
        cdc_incremental_remove_at(inc, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* The chunk buffer                                                                           */

static uint64_t cdc_hash_add(uint64_t hash, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= UINT64_C(1099511628211);
    }
    return hash;
}

/* FNV-1a over the key values, each with its length (NULL: a length no text has). */
static uint64_t cdc_key_hash(size_t keys, const char *const *data, const uint32_t *lens)
{
    uint64_t hash = UINT64_C(14695981039346656037);
    for (size_t k = 0; k < keys; k++) {
        uint32_t len = data[k] ? lens[k] : UINT32_MAX;
        hash = cdc_hash_add(hash, &len, sizeof len);
        if (data[k])
            hash = cdc_hash_add(hash, data[k], lens[k]);
    }
    return hash;
}

/* A chunk row's key values. */
static size_t cdc_row_key(const cdc_incremental *inc, int row, const char **data, uint32_t *lens)
{
    size_t keys = inc->key_count;
    for (size_t k = 0; k < keys; k++) {
        int column = (int)inc->key_columns[k];
        data[k] = PQgetisnull(inc->chunk, row, column) ? NULL : PQgetvalue(inc->chunk, row, column);
        lens[k] = data[k] ? (uint32_t)PQgetlength(inc->chunk, row, column) : 0;
    }
    return keys;
}

static bool cdc_key_equal(size_t keys, const char *const *a, const uint32_t *alen,
                          const char *const *b, const uint32_t *blen)
{
    for (size_t k = 0; k < keys; k++) {
        if ((a[k] == NULL) != (b[k] == NULL))
            return false;
        if (a[k] && (alen[k] != blen[k] || memcmp(a[k], b[k], alen[k]) != 0))
            return false;
    }
    return true;
}

int cdc_incremental_buffer(cdc_incremental *inc, PGresult *chunk, const dbz_table *table,
                           int asked, const char *chunk_id)
{
    cdc_incremental_buffer_drop(inc);
    inc->chunk = chunk;
    inc->chunk_oid = table->oid;
    inc->key_count = table->key_count < CDC_KEY_MAX ? table->key_count : CDC_KEY_MAX;
    for (size_t k = 0; k < inc->key_count; k++) {
        if (table->key_columns[k] >= (size_t)PQnfields(chunk)) {
            cdc_incremental_buffer_drop(inc);
            return -1;
        }
        inc->key_columns[k] = table->key_columns[k];
    }
    inc->rows = PQntuples(chunk);
    inc->remaining = inc->rows;
    /* as Debezium, a table ends with an empty chunk (its window opened and closed too), not
       with a short one: rows may have come after it */
    (void)asked;
    inc->last_chunk = inc->rows == 0;
    inc->chunk_start = json_incref(inc->position);
    size_t slots = 16;
    while (slots < (size_t)inc->rows * 2)
        slots *= 2;
    inc->removed = calloc((size_t)inc->rows + 1, 1);
    inc->slots = calloc(slots, sizeof(*inc->slots));
    if (!inc->removed || !inc->slots) {
        cdc_incremental_buffer_drop(inc);
        return -1;
    }
    inc->slot_count = slots;
    const char *data[CDC_KEY_MAX];
    uint32_t lens[CDC_KEY_MAX];
    for (int row = 0; row < inc->rows; row++) {
        cdc_row_key(inc, row, data, lens);
        size_t slot = (size_t)cdc_key_hash(inc->key_count, data, lens) & (slots - 1);
        while (inc->slots[slot])
            slot = (slot + 1) & (slots - 1);
        inc->slots[slot] = row + 1;
    }
    snprintf(inc->chunk_id, sizeof inc->chunk_id, "%s", chunk_id);
    inc->window = CDC_INCR_WAIT_OPEN;
    inc->chunks++;
    return 0;
}

void cdc_incremental_stream_key(cdc_incremental *inc, uint32_t relation_oid,
                                const pgo_tuple *tuple)
{
    if (inc->window != CDC_INCR_OPEN || inc->chunk_oid != relation_oid || inc->remaining == 0)
        return;
    const char *data[CDC_KEY_MAX];
    uint32_t lens[CDC_KEY_MAX];
    size_t keys = inc->key_count;
    for (size_t k = 0; k < keys; k++) {
        size_t column = inc->key_columns[k];
        if (column >= tuple->count)
            return;
        const pgo_value *value = &tuple->values[column];
        if (value->kind == PGO_VALUE_UNCHANGED_TOAST)
            return;
        data[k] = value->kind == PGO_VALUE_NULL ? NULL : value->data;
        lens[k] = data[k] ? value->len : 0;
    }
    size_t slot = (size_t)cdc_key_hash(keys, data, lens) & (inc->slot_count - 1);
    while (inc->slots[slot]) {
        int row = inc->slots[slot] - 1;
        const char *row_data[CDC_KEY_MAX];
        uint32_t row_lens[CDC_KEY_MAX];
        cdc_row_key(inc, row, row_data, row_lens);
        if (!inc->removed[row] && cdc_key_equal(keys, data, lens, row_data, row_lens)) {
            inc->removed[row] = 1;
            inc->remaining--;
        }
        slot = (slot + 1) & (inc->slot_count - 1);
    }
}

void cdc_incremental_watermarks(cdc_incremental *inc, pg_txid_snapshot *low,
                                pg_txid_snapshot *high)
{
    pg_txid_snapshot_release(&inc->low);
    pg_txid_snapshot_release(&inc->high);
    inc->low = *low;
    inc->high = *high;
    memset(low, 0, sizeof(*low));
    memset(high, 0, sizeof(*high));
}

/* Transaction ids of the stream are 32-bit, the watermarks' have an epoch: compared modulo
 * 2^32, as the server compares them. */
static int cdc_xid_compare(uint32_t xid, uint64_t full)
{
    int32_t difference = (int32_t)(xid - (uint32_t)full);
    return difference < 0 ? -1 : difference > 0;
}

void cdc_incremental_change_before(cdc_incremental *inc, uint32_t xid)
{
    if (inc->read_only && inc->window == CDC_INCR_WAIT_OPEN &&
        cdc_xid_compare(xid, inc->low.xmin) >= 0)
        inc->window = CDC_INCR_OPEN;
}

bool cdc_incremental_change_after(cdc_incremental *inc, uint32_t xid)
{
    if (!inc->read_only || inc->window != CDC_INCR_OPEN)
        return false;
    uint64_t xmax = inc->high.xmax > inc->low.xmax ? inc->high.xmax : inc->low.xmax;
    if (cdc_xid_compare(xid, xmax) <= 0)
        return false;
    inc->window = CDC_INCR_EMIT;
    return true;
}

bool cdc_incremental_commit(cdc_incremental *inc, uint32_t xid, bool idle)
{
    if (!inc->read_only || (inc->window != CDC_INCR_WAIT_OPEN && inc->window != CDC_INCR_OPEN))
        return false;
    if (!idle && cdc_xid_compare(xid, inc->high.xmax) != 0 &&
        cdc_xid_compare(xid, inc->high.xmin) > 0)
        return false;
    inc->window = CDC_INCR_EMIT;
    return true;
}

json_t *cdc_incremental_chunk_last_key(const cdc_incremental *inc)
{
    if (!inc->chunk || inc->rows == 0)
        return NULL;
    json_t *key = json_array();
    const char *data[CDC_KEY_MAX];
    uint32_t lens[CDC_KEY_MAX];
    size_t keys = cdc_row_key(inc, inc->rows - 1, data, lens);
    for (size_t k = 0; key && k < keys; k++)
        if (json_array_append_new(key, json_stringn(data[k] ? data[k] : "", lens[k])) != 0) {
            json_decref(key);
            key = NULL;
        }
    return key;
}

bool cdc_incremental_chunk_done(cdc_incremental *inc)
{
    if (inc->rows > 0 && !inc->last_chunk) {
        json_decref(inc->position);
        inc->position = cdc_incremental_chunk_last_key(inc);
    }
    bool table_done = inc->last_chunk;
    cdc_incremental_buffer_drop(inc);
    return table_done;
}

bool cdc_incremental_next_row(cdc_incremental *inc, pgo_value **values, size_t *capacity,
                              size_t *count)
{
    while (inc->window == CDC_INCR_EMIT && inc->next_row < inc->rows &&
           inc->removed[inc->next_row])
        inc->next_row++;
    if (inc->window != CDC_INCR_EMIT || inc->next_row >= inc->rows)
        return false;
    int row = inc->next_row++;
    int columns = PQnfields(inc->chunk);
    if (array_reserve(values, capacity, (size_t)columns, sizeof(**values)) != 0)
        return false;
    for (int c = 0; c < columns; c++) {
        if (PQgetisnull(inc->chunk, row, c))
            (*values)[c] = (pgo_value){.kind = PGO_VALUE_NULL};
        else
            (*values)[c] = (pgo_value){.kind = PGO_VALUE_TEXT,
                                       .data = PQgetvalue(inc->chunk, row, c),
                                       .len = (uint32_t)PQgetlength(inc->chunk, row, c)};
    }
    *count = (size_t)columns;
    inc->remaining--;
    inc->rows_emitted++;
    inc->table_rows++;
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Signals                                                                                    */

int cdc_signal_parse_kafka(const char *key, const char *value, const char *topic_prefix,
                           const char *generated_id, cdc_signal *signal, char *err,
                           size_t errlen)
{
    memset(signal, 0, sizeof(*signal));
    if (!key || strcmp(key, topic_prefix) != 0)
        return ferry_error_set(err, errlen, "signal key '%s' is not the connector's topic.prefix "
                                            "'%s'",
                               key ? key : "(null)", topic_prefix), 1;
    json_error_t error;
    json_t *record = value ? json_loads(value, 0, &error) : NULL;
    if (!json_is_object(record)) {
        json_decref(record);
        return ferry_error_set(err, errlen, "signal value is not a JSON object: %s",
                               value ? value : "(null)"), -1;
    }
    const char *id = json_string_value(json_object_get(record, "id"));
    const char *type = json_string_value(json_object_get(record, "type"));
    json_t *data = json_object_get(record, "data");
    if (data && !json_is_object(data) && !json_is_null(data)) {
        json_decref(record);
        return ferry_error_set(err, errlen, "signal '%s': data is not a JSON object",
                               id ? id : generated_id), -1;
    }
    char *data_text = json_is_object(data) ? json_dumps(data, JSON_COMPACT) : NULL;
    int rc = json_is_object(data) && !data_text
                 ? (ferry_error_set(err, errlen, "out of memory"), -1)
                 : cdc_signal_parse(id && *id ? id : generated_id, type, data_text, signal, err,
                                    errlen);
    free(data_text);
    json_decref(record);
    return rc;
}

void cdc_signal_release(cdc_signal *signal)
{
    free(signal->id);
    free(signal->type);
    json_decref(signal->data);
    strlist_array_free(signal->collections);
    for (size_t i = 0; signal->conditions && i < signal->collection_count; i++)
        free(signal->conditions[i]);
    free(signal->conditions);
    memset(signal, 0, sizeof(*signal));
}

/* additional-conditions [{data-collection, filter}], or Debezium 1.x's additional-condition
 * (one filter for every table). */
static int cdc_signal_conditions(cdc_signal *signal, char *err, size_t errlen)
{
    signal->conditions = calloc(signal->collection_count + 1, sizeof(char *));
    if (!signal->conditions)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    const char *single = json_string_value(json_object_get(signal->data, "additional-condition"));
    json_t *list = json_object_get(signal->data, "additional-conditions");
    if (list && !json_is_array(list))
        return ferry_error_set(err, errlen, "additional-conditions is not a list"), -1;
    for (size_t i = 0; i < signal->collection_count; i++) {
        const char *filter = single && *single ? single : NULL;
        size_t k;
        json_t *item;
        json_array_foreach(list, k, item)
        {
            const char *table = json_string_value(json_object_get(item, "data-collection"));
            const char *text = json_string_value(json_object_get(item, "filter"));
            if (!table || !text)
                return ferry_error_set(err, errlen,
                                       "additional-conditions item %zu needs data-collection and "
                                       "filter strings",
                                       k), -1;
            if (strcmp(table, signal->collections[i]) == 0)
                filter = text;
        }
        if (filter && !(signal->conditions[i] = strdup(filter)))
            return ferry_error_set(err, errlen, "out of memory"), -1;
    }
    return 0;
}

static cdc_signal_kind cdc_signal_kind_of(const char *type)
{
    static const struct {
        const char *name;
        cdc_signal_kind kind;
    } kinds[] = {
        {"execute-snapshot", CDC_SIGNAL_EXECUTE},     {"stop-snapshot", CDC_SIGNAL_STOP},
        {"pause-snapshot", CDC_SIGNAL_PAUSE},         {"resume-snapshot", CDC_SIGNAL_RESUME},
        {"snapshot-window-open", CDC_SIGNAL_WINDOW_OPEN},
        {"snapshot-window-close", CDC_SIGNAL_WINDOW_CLOSE},
        {"log", CDC_SIGNAL_LOG},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp(type, kinds[i].name) == 0)
            return kinds[i].kind;
    return CDC_SIGNAL_OTHER;
}

int cdc_signal_parse(const char *id, const char *type, const char *data, cdc_signal *signal,
                     char *err, size_t errlen)
{
    memset(signal, 0, sizeof(*signal));
    if (!type || !*type)
        return ferry_error_set(err, errlen, "signal '%s' has no type", id ? id : ""), -1;
    signal->id = strdup(id ? id : "");
    signal->type = strdup(type);
    if (!signal->id || !signal->type)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    signal->kind = cdc_signal_kind_of(type);
    if (data && *data) {
        json_error_t error;
        signal->data = json_loads(data, JSON_REJECT_DUPLICATES, &error);
        if (!json_is_object(signal->data))
            return ferry_error_set(err, errlen, "signal '%s' (%s): data is not a JSON object: %s",
                                   signal->id, type, signal->data ? "not an object" : error.text),
                   -1;
    }
    if (signal->kind != CDC_SIGNAL_EXECUTE && signal->kind != CDC_SIGNAL_STOP)
        return 0;
    const char *snapshot_type = json_string_value(json_object_get(signal->data, "type"));
    signal->blocking = snapshot_type && strcasecmp(snapshot_type, "blocking") == 0;
    if (snapshot_type && !signal->blocking && strcasecmp(snapshot_type, "incremental") != 0)
        return ferry_error_set(err, errlen,
                               "signal '%s' (%s): snapshot type '%s' is not incremental or "
                               "blocking",
                               signal->id, type, snapshot_type), -1;
    json_t *collections = json_object_get(signal->data, "data-collections");
    if (!collections) {
        if (signal->kind == CDC_SIGNAL_EXECUTE)
            return ferry_error_set(err, errlen, "signal '%s' (execute-snapshot): data has no "
                                                "data-collections",
                                   signal->id), -1;
        return 0;
    }
    if (!json_is_array(collections))
        return ferry_error_set(err, errlen, "signal '%s' (%s): data-collections is not a list",
                               signal->id, type), -1;
    strlist list = {0};
    size_t i;
    json_t *item;
    json_array_foreach(collections, i, item)
    {
        if (!json_is_string(item) || !*json_string_value(item)) {
            strlist_free(&list);
            return ferry_error_set(err, errlen,
                                   "signal '%s' (%s): data-collections item %zu is not a table "
                                   "name",
                                   signal->id, type, i), -1;
        }
        if (strlist_append(&list, json_string_value(item), strlen(json_string_value(item))) != 0) {
            strlist_free(&list);
            return ferry_error_set(err, errlen, "out of memory"), -1;
        }
    }
    signal->collection_count = list.count;
    signal->collections = strlist_take(&list);
    if (!signal->collections)
        return ferry_error_set(err, errlen, "out of memory"), -1;
    return cdc_signal_conditions(signal, err, errlen);
}

/* ------------------------------------------------------------------------------------------ */
/* Notifications                                                                              */

const char *cdc_notification_type_name(cdc_notification_type type)
{
    static const char *const names[] = {"STARTED",   "IN_PROGRESS", "TABLE_SCAN_COMPLETED",
                                        "COMPLETED", "ABORTED",     "PAUSED",
                                        "RESUMED",   "SKIPPED"};
    return names[type];
}

/* "a,b,c" of the queued tables. */
static json_t *cdc_incremental_collection_list(const cdc_incremental *inc)
{
    strbuf text = {0};
    strbuf_append_literal(&text, "");
    for (size_t i = 0; i < inc->count; i++) {
        if (i)
            strbuf_append_char(&text, ',');
        strbuf_append_str(&text, inc->collections[i].id);
    }
    char *joined = strbuf_take(&text, NULL);
    json_t *value = joined ? json_string(joined) : NULL;
    free(joined);
    return value;
}

/* Key values joined by commas, as Debezium prints them. */
static json_t *cdc_incremental_key_text(const json_t *key)
{
    if (!key)
        return json_string("\"<null>\"");
    strbuf text = {0};
    strbuf_append_literal(&text, "");
    for (size_t i = 0; i < json_array_size(key); i++) {
        if (i)
            strbuf_append_char(&text, ',');
        strbuf_append_str(&text, json_string_value(json_array_get(key, i)));
    }
    char *joined = strbuf_take(&text, NULL);
    json_t *value = joined ? json_string(joined) : NULL;
    free(joined);
    return value;
}

json_t *cdc_incremental_notification_data(const cdc_incremental *inc, cdc_notification_type type,
                                          const char *connector_name, const json_t *extra)
{
    json_t *data = json_object();
    json_t *last = NULL;
    if (!data || json_object_set_new(data, "connector_name", json_string(connector_name)) != 0)
        goto fail;
    switch (type) {
    case CDC_NOTIFY_STARTED:
    case CDC_NOTIFY_PAUSED:
    case CDC_NOTIFY_RESUMED:
    case CDC_NOTIFY_TABLE_SCAN_COMPLETED:
        if (json_object_set_new(data, "data_collections", cdc_incremental_collection_list(inc)))
            goto fail;
        break;
    case CDC_NOTIFY_IN_PROGRESS:
        /* Debezium's says the last key of the chunk just read */
        last = cdc_incremental_chunk_last_key(inc);
        if (json_object_set_new(data, "data_collections", cdc_incremental_collection_list(inc)) ||
            json_object_set_new(data, "current_collection_in_progress",
                                json_string(inc->count ? inc->collections[0].id : "")) ||
            json_object_set_new(data, "maximum_key", cdc_incremental_key_text(inc->maximum)) ||
            json_object_set_new(data, "last_processed_key",
                                cdc_incremental_key_text(last ? last : inc->position)))
            goto fail;
        break;
    case CDC_NOTIFY_COMPLETED:
    case CDC_NOTIFY_ABORTED:
    case CDC_NOTIFY_SKIPPED:
        break;
    }
    json_decref(last);
    last = NULL;
    if (extra && json_object_update(data, (json_t *)extra) != 0)
        goto fail;
    return data;
fail:
    json_decref(last);
    json_decref(data);
    return NULL;
}

cdc_events_record *cdc_incremental_notification(const char *topic, const char *id,
                                                cdc_notification_type type,
                                                json_t *additional_data, int64_t now_ms,
                                                cdc_events_batch *batch)
{
    json_t *key_schema = json_pack(
        "{s:s, s:[{s:s, s:b, s:s}], s:b, s:s, s:i}", "type", "struct", "fields", "type", "string",
        "optional", 0, "field", "id", "optional", 0, "name",
        "io.debezium.connector.common.NotificationKey", "version", 1);
    json_t *value_schema = json_pack(
        "{s:s, s:[{s:s, s:b, s:s}, {s:s, s:b, s:s}, {s:s, s:b, s:s}, "
        "{s:s, s:{s:s, s:b}, s:{s:s, s:b}, s:b, s:s}, {s:s, s:b, s:s}], s:b, s:s, s:i}",
        "type", "struct", "fields", "type", "string", "optional", 0, "field", "id", "type",
        "string", "optional", 0, "field", "type", "type", "string", "optional", 0, "field",
        "aggregate_type", "type", "map", "keys", "type", "string", "optional", 0, "values", "type",
        "string", "optional", 0, "optional", 1, "field", "additional_data", "type", "int64",
        "optional", 0, "field", "timestamp", "optional", 0, "name",
        "io.debezium.connector.common.Notification", "version", 1);
    json_t *key = json_pack("{s:s}", "id", id);
    json_t *value = json_pack("{s:s, s:s, s:s, s:o, s:I}", "id", id, "type",
                              cdc_notification_type_name(type), "aggregate_type",
                              type == CDC_NOTIFY_SKIPPED ? "Initial Snapshot"
                                                         : "Incremental Snapshot",
                              "additional_data",
                              additional_data ? additional_data : json_null(), "timestamp",
                              (json_int_t)now_ms);
    if (!key_schema || !value_schema || !key || !value) {
        json_decref(key_schema);
        json_decref(value_schema);
        json_decref(key);
        json_decref(value);
        return NULL;
    }
    return cdc_events_batch_add(batch, topic, key, key_schema, value, value_schema);
}
