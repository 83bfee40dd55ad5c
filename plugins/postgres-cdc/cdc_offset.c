/*
 * cdc_offset.c - encode and decode the source partition and offsets (see cdc_offset.h).
 */
#include "cdc_offset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

char *pg_lsn_format(uint64_t lsn, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRIX32 "/%" PRIX32, (uint32_t)(lsn >> 32), (uint32_t)lsn);
    return buf;
}

int pg_lsn_parse(const char *text, uint64_t *lsn)
{
    if (!text)
        return -1;
    char *end;
    unsigned long long high = strtoull(text, &end, 16);
    if (end == text || *end != '/' || high > UINT32_MAX)
        return -1;
    const char *low_text = end + 1;
    unsigned long long low = strtoull(low_text, &end, 16);
    if (end == low_text || *end != '\0' || low > UINT32_MAX)
        return -1;
    *lsn = (uint64_t)high << 32 | (uint64_t)low;
    return 0;
}

json_t *cdc_partition_new(const char *server)
{
    return json_pack("{s:s}", "server", server ? server : "");
}

/* json_object_set_new that keeps going: the caller checks the object once at the end. */
static bool cdc_offset_set(json_t *object, const char *key, json_t *value)
{
    return value && json_object_set_new(object, key, value) == 0;
}

json_t *cdc_offset_streaming(const cdc_position *position)
{
    json_t *offset = json_object();
    if (!offset)
        return NULL;
    bool ok = cdc_offset_set(offset, "lsn_proc", json_integer((json_int_t)position->lsn_proc));
    if (ok && position->lsn_commit) {
        ok = cdc_offset_set(offset, "lsn_commit", json_integer((json_int_t)position->lsn_commit));
        if (ok && position->tx_event >= 0)
            ok = cdc_offset_set(offset, "tx_event", json_integer(position->tx_event));
    }
    if (ok && position->lsn)
        ok = cdc_offset_set(offset, "lsn", json_integer((json_int_t)position->lsn));
    if (ok && position->tx_id >= 0)
        ok = cdc_offset_set(offset, "txId", json_integer(position->tx_id));
    if (ok && position->ts_usec)
        ok = cdc_offset_set(offset, "ts_usec", json_integer(position->ts_usec));
    if (!ok) {
        json_decref(offset);
        return NULL;
    }
    return offset;
}

json_t *cdc_offset_snapshot(uint64_t lsn, int64_t tx_id, int64_t ts_usec, const char *table,
                            json_t *key, bool completed)
{
    json_t *offset = json_object();
    if (!offset)
        return NULL;
    bool ok = cdc_offset_set(offset, "snapshot", json_string("INITIAL")) &&
              cdc_offset_set(offset, "snapshot_completed", json_boolean(completed)) &&
              cdc_offset_set(offset, "lsn", json_integer((json_int_t)lsn));
    if (ok && completed)
        ok = cdc_offset_set(offset, "lsn_proc", json_integer((json_int_t)lsn));
    if (ok && tx_id >= 0)
        ok = cdc_offset_set(offset, "txId", json_integer(tx_id));
    if (ok && ts_usec)
        ok = cdc_offset_set(offset, "ts_usec", json_integer(ts_usec));
    if (ok && table && !completed) {
        ok = cdc_offset_set(offset, "snapshot_table", json_string(table));
        if (ok && key)
            ok = cdc_offset_set(offset, "snapshot_key", json_incref(key));
    }
    if (!ok) {
        json_decref(offset);
        return NULL;
    }
    return offset;
}

void cdc_offset_clear(cdc_offset *offset)
{
    if (!offset)
        return;
    free(offset->snapshot_table);
    json_decref(offset->snapshot_key);
    memset(offset, 0, sizeof(*offset));
    offset->position.tx_event = -1;
    offset->position.tx_id = -1;
}

/* An LSN field: absent (false, 0), or a non-negative integer; else an error. */
static int cdc_offset_lsn(const json_t *offset, const char *key, uint64_t *lsn, bool *present,
                          char *err, size_t errlen)
{
    json_t *value = json_object_get(offset, key);
    *present = value != NULL;
    *lsn = 0;
    if (!value)
        return 0;
    if (!json_is_integer(value) || json_integer_value(value) < 0) {
        char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
        ferry_error_set(err, errlen, "offset field %s is %s, expected a non-negative integer LSN",
                        key, text ? text : "?");
        free(text);
        return -1;
    }
    *lsn = (uint64_t)json_integer_value(value);
    return 0;
}

static int64_t cdc_offset_integer(const json_t *offset, const char *key, int64_t fallback)
{
    json_t *value = json_object_get(offset, key);
    return json_is_integer(value) ? (int64_t)json_integer_value(value) : fallback;
}

int cdc_offset_decode(const json_t *offset, cdc_offset *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->position.tx_event = -1;
    out->position.tx_id = -1;
    if (!offset || json_is_null(offset))
        return 0;
    if (!json_is_object(offset))
        return ferry_error_set(err, errlen, "the committed offset is not a JSON object"), -1;

    uint64_t lsn_proc = 0, lsn_commit = 0, lsn = 0;
    bool has_proc, has_commit, has_lsn;
    if (cdc_offset_lsn(offset, "lsn_proc", &lsn_proc, &has_proc, err, errlen) != 0 ||
        cdc_offset_lsn(offset, "lsn_commit", &lsn_commit, &has_commit, err, errlen) != 0 ||
        cdc_offset_lsn(offset, "lsn", &lsn, &has_lsn, err, errlen) != 0)
        return -1;
    out->position.lsn = lsn;
    out->position.tx_id = cdc_offset_integer(offset, "txId", -1);
    out->position.ts_usec = cdc_offset_integer(offset, "ts_usec", 0);

    json_t *snapshot = json_object_get(offset, "snapshot");
    bool in_snapshot = snapshot && !json_is_false(snapshot) && !json_is_null(snapshot);
    if (in_snapshot) {
        /* Ours say snapshot_completed; Debezium's also last_snapshot_record. */
        bool completed = json_is_true(json_object_get(offset, "snapshot_completed")) ||
                         json_is_true(json_object_get(offset, "last_snapshot_record"));
        if (!completed) {
            out->phase = CDC_OFFSET_SNAPSHOT;
            out->position.lsn_proc = lsn;
            json_t *table = json_object_get(offset, "snapshot_table");
            json_t *key = json_object_get(offset, "snapshot_key");
            if (table && !json_is_string(table))
                return ferry_error_set(err, errlen, "offset field snapshot_table is not a "
                                                    "string"), -1;
            if (key && !json_is_array(key))
                return ferry_error_set(err, errlen, "offset field snapshot_key is not an "
                                                    "array"), -1;
            if (table) {
                out->snapshot_table = strdup(json_string_value(table));
                if (!out->snapshot_table)
                    return ferry_error_set(err, errlen, "out of memory"), -1;
                out->snapshot_key = json_incref(key);
            }
            return 0;
        }
    }

    out->phase = CDC_OFFSET_STREAMING;
    if (!has_proc && !has_lsn)
        return ferry_error_set(err, errlen, "the committed offset has neither lsn_proc nor lsn"),
               -1;
    out->position.lsn_proc = has_proc ? lsn_proc : lsn;
    json_t *tx_event = json_object_get(offset, "tx_event");
    if (has_commit && tx_event) {
        if (!json_is_integer(tx_event) || json_integer_value(tx_event) < 0)
            return ferry_error_set(err, errlen, "offset field tx_event is not a non-negative "
                                                "integer"), -1;
        out->position.lsn_commit = lsn_commit;
        out->position.tx_event = json_integer_value(tx_event);
    } else {
        /* Debezium's offset: lsn_commit is the last commit, lsn_proc the last processed event;
         * nothing tells how far into a transaction it got, so nothing is skipped. */
        out->from_debezium = !in_snapshot && !tx_event;
        out->position.lsn_commit = 0;
        out->position.tx_event = -1;
    }
    return 0;
}

int cdc_offset_alter_check(const json_t *partition, const json_t *offset, const char *server,
                           char *err, size_t errlen)
{
    if (!offset)
        return 0;
    char *shown = json_dumps(partition, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *partition_text = shown ? shown : "(unprintable)";
    const char *named = json_string_value(json_object_get(partition, "server"));
    char why[512];
    cdc_offset decoded;
    int rc = -1;
    if (!named)
        ferry_error_set(err, errlen, "partition %s: the partition should contain the key "
                        "'server' (the connector's topic.prefix, \"%s\")", partition_text,
                        server);
    else if (strcmp(named, server) != 0)
        ferry_error_set(err, errlen, "partition %s: 'server' should be the connector's "
                        "topic.prefix, \"%s\"", partition_text, server);
    else if (!json_is_object(offset))
        ferry_error_set(err, errlen, "partition %s: the offset should be a JSON object",
                        partition_text);
    else if (cdc_offset_decode(offset, &decoded, why, sizeof(why)) != 0)
        ferry_error_set(err, errlen, "partition %s: %s", partition_text, why);
    else
        rc = 0;
    if (rc == 0)
        cdc_offset_clear(&decoded);
    free(shown);
    return rc;
}
