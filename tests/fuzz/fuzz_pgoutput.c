/*
 * fuzz_pgoutput.c - the PostgreSQL CDC plugin's reading of the replication stream
 * (plugins/postgres-cdc/pgoutput_decoder.c) on any bytes: a sequence of CopyData messages, each
 * decoded as the stream does (XLogData or keepalive), each XLogData's pgoutput message decoded
 * with one decoder, as a slot's messages are; the text values of inserted, updated and deleted
 * rows are converted with the types the last Relation message declared (pg_value_convert), as
 * the change events are built. Every value must lie inside the message it was read from.
 *
 * Input: frames of a 2-byte big-endian length and that many bytes of CopyData.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "pg_types.h"
#include "pgoutput_decoder.h"
#include "fuzz_target.h"

#define FUZZ_MAX_COLUMNS 64

typedef struct fuzz_relation {
    uint16_t count;
    uint32_t oids[FUZZ_MAX_COLUMNS];
    int32_t modifiers[FUZZ_MAX_COLUMNS];
} fuzz_relation;

static void fuzz_tuple(const fuzz_relation *relation, const pgo_tuple *tuple, const uint8_t *buf,
                       size_t len)
{
    static const pg_type_options options = {.decimal = PG_DECIMAL_PRECISE,
                                            .time = PG_TIME_ADAPTIVE,
                                            .interval = PG_INTERVAL_NUMERIC,
                                            .binary = PG_BINARY_BYTES,
                                            .money_fraction_digits = 2,
                                            .toast_placeholder = "__debezium_unavailable_value"};
    for (uint16_t i = 0; i < tuple->count; i++) {
        const pgo_value *value = &tuple->values[i];
        if (value->kind != PGO_VALUE_TEXT && value->kind != PGO_VALUE_BINARY)
            continue;
        fuzz_check((const uint8_t *)value->data >= buf &&
                       (const uint8_t *)value->data + value->len <= buf + len,
                   "column %u lies outside its message", (unsigned)i);
        if (value->kind != PGO_VALUE_TEXT || i >= relation->count || i >= FUZZ_MAX_COLUMNS)
            continue;
        /* The value's bytes where they lie in the message, as debezium_envelope.c passes
         * them: not NUL-terminated. */
        pg_value_type type;
        if (pg_value_type_init(&type, NULL, relation->oids[i], relation->modifiers[i],
                               &options) == 0) {
            json_t *out = NULL;
            char err[256];
            if (pg_value_convert(&type, value->data, value->len, &out, err, sizeof(err)) == 0)
                fuzz_check(out != NULL, "a converted value");
            json_decref(out);
            pg_value_type_release(&type);
        }
    }
}

static void fuzz_message(pgo_decoder *decoder, fuzz_relation *relation, const uint8_t *buf,
                         size_t len)
{
    pgo_message message;
    char err[256];
    if (pgo_decode(decoder, buf, len, &message, err, sizeof(err)) != 0) {
        fuzz_check(err[0] != '\0', "a refused message says why");
        return;
    }
    fuzz_check(strcmp(pgo_kind_name(message.kind), "unknown") != 0, "kind %d", message.kind);
    switch (message.kind) {
    case PGO_RELATION:
        relation->count = message.relation.column_count;
        for (uint16_t i = 0; i < message.relation.column_count && i < FUZZ_MAX_COLUMNS; i++) {
            fuzz_check(message.relation.columns[i].name != NULL, "column %u has a name",
                       (unsigned)i);
            relation->oids[i] = message.relation.columns[i].type_oid;
            relation->modifiers[i] = message.relation.columns[i].type_modifier;
        }
        break;
    case PGO_INSERT:
        fuzz_tuple(relation, &message.insert.new_tuple, buf, len);
        break;
    case PGO_UPDATE:
        fuzz_tuple(relation, &message.update.old_tuple, buf, len);
        fuzz_tuple(relation, &message.update.new_tuple, buf, len);
        break;
    case PGO_DELETE:
        fuzz_tuple(relation, &message.delete_.old_tuple, buf, len);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pgo_decoder *decoder = pgo_decoder_new();
    fuzz_relation relation = {0};
    if (!decoder)
        return 0;
    size_t at = 0;
    while (size - at >= 2) {
        size_t len = (size_t)data[at] << 8 | data[at + 1];
        at += 2;
        if (len > size - at)
            len = size - at;
        /* Each message in a buffer of its own size, as the stream hands them over. */
        uint8_t *copy = malloc(len ? len : 1);
        fuzz_check(copy != NULL, "malloc");
        memcpy(copy, data + at, len);
        at += len;
        pgo_copy_data copy_data;
        char err[256];
        if (pgo_copy_data_decode(copy, len, &copy_data, err, sizeof(err)) == 0 &&
            copy_data.kind == PGO_COPY_XLOG_DATA) {
            fuzz_check(copy_data.data >= copy && copy_data.data + copy_data.len <= copy + len,
                       "XLogData inside its message");
            fuzz_message(decoder, &relation, copy_data.data, copy_data.len);
        }
        free(copy);
    }
    pgo_decoder_destroy(decoder);
    return 0;
}
