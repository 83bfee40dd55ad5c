/*
 * pgoutput_decoder.c - see pgoutput_decoder.h. Big-endian integers, NUL-terminated strings, every
 * read checked against the end of the buffer.
 */
#include "pgoutput_decoder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/plugin.h>

#include "support/array.h"

struct pgo_decoder {
    pgo_value *values;        /* both tuples of one message: old first, then new */
    size_t value_capacity;
    pgo_column *columns;
    size_t column_capacity;
    uint32_t *oids;
    size_t oid_capacity;
};

typedef struct pgo_reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    const char *what;  /* the message being read, for errors */
    char *err;
    size_t errlen;
    bool failed;
} pgo_reader;

static bool pgo_need(pgo_reader *r, size_t n, const char *field)
{
    if (r->failed)
        return false;
    if (n > r->len - r->pos) {
        ferry_error_set(r->err, r->errlen,
                        "truncated %s message: %s needs %zu bytes at offset %zu, the message "
                        "has %zu",
                        r->what, field, n, r->pos, r->len);
        r->failed = true;
        return false;
    }
    return true;
}

static uint8_t pgo_u8(pgo_reader *r, const char *field)
{
    if (!pgo_need(r, 1, field))
        return 0;
    return r->buf[r->pos++];
}

static uint16_t pgo_u16(pgo_reader *r, const char *field)
{
    if (!pgo_need(r, 2, field))
        return 0;
    const uint8_t *p = r->buf + r->pos;
    r->pos += 2;
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t pgo_u32(pgo_reader *r, const char *field)
{
    if (!pgo_need(r, 4, field))
        return 0;
    const uint8_t *p = r->buf + r->pos;
    r->pos += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t pgo_u64(pgo_reader *r, const char *field)
{
    uint64_t high = pgo_u32(r, field);
    uint64_t low = pgo_u32(r, field);
    return high << 32 | low;
}

static const char *pgo_string(pgo_reader *r, const char *field)
{
    if (r->failed)
        return "";
    const uint8_t *start = r->buf + r->pos;
    const uint8_t *nul = memchr(start, '\0', r->len - r->pos);
    if (!nul) {
        ferry_error_set(r->err, r->errlen,
                        "truncated %s message: %s at offset %zu has no terminating NUL within the "
                        "%zu bytes of the message",
                        r->what, field, r->pos, r->len);
        r->failed = true;
        return "";
    }
    r->pos += (size_t)(nul - start) + 1;
    return (const char *)start;
}

static void pgo_fail(pgo_reader *r, const char *why)
{
    if (r->failed)
        return;
    ferry_error_set(r->err, r->errlen, "malformed %s message at offset %zu: %s", r->what, r->pos,
                    why);
    r->failed = true;
}

/* ---- CopyData ------------------------------------------------------------------------------ */

int pgo_copy_data_decode(const uint8_t *buf, size_t len, pgo_copy_data *out, char *err,
                         size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (len < 1)
        return ferry_error_set(err, errlen, "empty CopyData message from the server"), -1;
    pgo_reader r = {.buf = buf, .len = len, .pos = 1, .err = err, .errlen = errlen};
    switch (buf[0]) {
    case 'w':
        r.what = "XLogData";
        out->kind = PGO_COPY_XLOG_DATA;
        out->wal_start = pgo_u64(&r, "the start LSN");
        out->wal_end = pgo_u64(&r, "the end of WAL");
        out->send_time = (int64_t)pgo_u64(&r, "the send time");
        if (r.failed)
            return -1;
        out->data = buf + r.pos;
        out->len = len - r.pos;
        return 0;
    case 'k':
        r.what = "primary keepalive";
        out->kind = PGO_COPY_KEEPALIVE;
        out->wal_end = pgo_u64(&r, "the end of WAL");
        out->send_time = (int64_t)pgo_u64(&r, "the send time");
        out->reply_requested = pgo_u8(&r, "the reply flag") != 0;
        return r.failed ? -1 : 0;
    default:
        return ferry_error_set(err, errlen,
                               "unknown CopyData message type 0x%02x from the server (expected "
                               "'w' XLogData or 'k' keepalive)",
                               buf[0]),
               -1;
    }
}

static void pgo_put_u64(uint8_t *out, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(value & 0xFF);
        value >>= 8;
    }
}

void pgo_status_update_encode(uint8_t out[PGO_STATUS_UPDATE_SIZE], uint64_t written,
                              uint64_t flushed, uint64_t applied, int64_t now_pg_us,
                              bool reply_requested)
{
    out[0] = 'r';
    pgo_put_u64(out + 1, written);
    pgo_put_u64(out + 9, flushed);
    pgo_put_u64(out + 17, applied);
    pgo_put_u64(out + 25, (uint64_t)now_pg_us);
    out[33] = reply_requested ? 1 : 0;
}

/* ---- pgoutput ------------------------------------------------------------------------------ */

pgo_decoder *pgo_decoder_new(void)
{
    return calloc(1, sizeof(pgo_decoder));
}

void pgo_decoder_destroy(pgo_decoder *decoder)
{
    if (!decoder)
        return;
    free(decoder->values);
    free(decoder->columns);
    free(decoder->oids);
    free(decoder);
}

const char *pgo_kind_name(int kind)
{
    switch (kind) {
    case PGO_BEGIN: return "Begin";
    case PGO_COMMIT: return "Commit";
    case PGO_ORIGIN: return "Origin";
    case PGO_RELATION: return "Relation";
    case PGO_TYPE: return "Type";
    case PGO_INSERT: return "Insert";
    case PGO_UPDATE: return "Update";
    case PGO_DELETE: return "Delete";
    case PGO_TRUNCATE: return "Truncate";
    case PGO_MESSAGE: return "Message";
    default: return "unknown";
    }
}

/* Reads TupleData into decoder->values from index first; returns the tuple. */
static pgo_tuple pgo_tuple_read(pgo_decoder *decoder, pgo_reader *r, size_t first,
                                const char *which)
{
    pgo_tuple tuple = {0};
    uint16_t count = pgo_u16(r, "the column count");
    if (r->failed)
        return tuple;
    if (array_reserve(&decoder->values, &decoder->value_capacity, first + count,
                      sizeof(*decoder->values)) != 0) {
        ferry_error_set(r->err, r->errlen, "out of memory decoding a %s tuple of %u columns",
                        which, count);
        r->failed = true;
        return tuple;
    }
    for (uint16_t i = 0; i < count && !r->failed; i++) {
        pgo_value *value = &decoder->values[first + i];
        uint8_t kind = pgo_u8(r, "a column's kind");
        *value = (pgo_value){.kind = (pgo_value_kind)kind};
        switch (kind) {
        case 'n':
        case 'u':
            break;
        case 't':
        case 'b': {
            uint32_t len = pgo_u32(r, "a column's length");
            if (!pgo_need(r, len, "a column's value"))
                break;
            value->data = (const char *)r->buf + r->pos;
            value->len = len;
            r->pos += len;
            break;
        }
        default:
            if (!r->failed) {
                char why[128];
                snprintf(why, sizeof why,
                         "column %u of the %s tuple has kind 0x%02x (expected n, u, t or b)",
                         i + 1, which, kind);
                pgo_fail(r, why);
            }
            break;
        }
    }
    tuple.count = count;
    /* A first tuple of no columns leaves the array unallocated: NULL + 0 is undefined. */
    tuple.values = decoder->values ? decoder->values + first : NULL;
    return tuple;
}

static void pgo_expect_tuple(pgo_reader *r, uint8_t kind, const char *expected)
{
    if (r->failed)
        return;
    char why[128];
    snprintf(why, sizeof why, "expected %s, found 0x%02x", expected, kind);
    pgo_fail(r, why);
}

int pgo_decode(pgo_decoder *decoder, const uint8_t *buf, size_t len, pgo_message *out, char *err,
               size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (len < 1)
        return ferry_error_set(err, errlen, "empty pgoutput message"), -1;
    pgo_reader r = {.buf = buf, .len = len, .pos = 1, .what = pgo_kind_name(buf[0]), .err = err,
                    .errlen = errlen};
    out->kind = (pgo_kind)buf[0];
    switch (buf[0]) {
    case PGO_BEGIN:
        out->begin.final_lsn = pgo_u64(&r, "the final LSN");
        out->begin.commit_time = (int64_t)pgo_u64(&r, "the commit time");
        out->begin.xid = pgo_u32(&r, "the xid");
        break;
    case PGO_COMMIT:
        out->commit.flags = pgo_u8(&r, "the flags");
        out->commit.commit_lsn = pgo_u64(&r, "the commit LSN");
        out->commit.end_lsn = pgo_u64(&r, "the end LSN");
        out->commit.commit_time = (int64_t)pgo_u64(&r, "the commit time");
        break;
    case PGO_ORIGIN:
        out->origin.commit_lsn = pgo_u64(&r, "the origin's commit LSN");
        out->origin.name = pgo_string(&r, "the origin name");
        break;
    case PGO_RELATION: {
        out->relation.oid = pgo_u32(&r, "the relation id");
        out->relation.namespace_name = pgo_string(&r, "the namespace");
        out->relation.name = pgo_string(&r, "the relation name");
        out->relation.replica_identity = (char)pgo_u8(&r, "the replica identity");
        uint16_t count = pgo_u16(&r, "the column count");
        if (r.failed)
            break;
        if (array_reserve(&decoder->columns, &decoder->column_capacity, count,
                          sizeof(*decoder->columns)) != 0)
            return ferry_error_set(err, errlen, "out of memory decoding a relation of %u columns",
                                   count), -1;
        for (uint16_t i = 0; i < count && !r.failed; i++) {
            pgo_column *column = &decoder->columns[i];
            column->flags = pgo_u8(&r, "a column's flags");
            column->name = pgo_string(&r, "a column's name");
            column->type_oid = pgo_u32(&r, "a column's type");
            column->type_modifier = (int32_t)pgo_u32(&r, "a column's type modifier");
        }
        out->relation.column_count = count;
        out->relation.columns = decoder->columns;
        break;
    }
    case PGO_TYPE:
        out->type.oid = pgo_u32(&r, "the type id");
        out->type.namespace_name = pgo_string(&r, "the namespace");
        out->type.name = pgo_string(&r, "the type name");
        break;
    case PGO_INSERT: {
        out->insert.relation_oid = pgo_u32(&r, "the relation id");
        uint8_t kind = pgo_u8(&r, "the tuple marker");
        if (kind != 'N') {
            pgo_expect_tuple(&r, kind, "'N' (new tuple)");
            break;
        }
        out->insert.new_tuple = pgo_tuple_read(decoder, &r, 0, "new");
        break;
    }
    case PGO_UPDATE: {
        out->update.relation_oid = pgo_u32(&r, "the relation id");
        uint8_t kind = pgo_u8(&r, "the tuple marker");
        size_t first = 0;
        if (kind == 'K' || kind == 'O') {
            out->update.old_kind = (char)kind;
            out->update.old_tuple = pgo_tuple_read(decoder, &r, 0, kind == 'K' ? "key" : "old");
            first = out->update.old_tuple.count;
            kind = pgo_u8(&r, "the new tuple marker");
        }
        if (r.failed)
            break;
        if (kind != 'N') {
            pgo_expect_tuple(&r, kind, "'N' (new tuple)");
            break;
        }
        out->update.new_tuple = pgo_tuple_read(decoder, &r, first, "new");
        /* The new tuple's read may have moved the array: point the old one at it again. */
        if (!r.failed && out->update.old_kind)
            out->update.old_tuple.values = decoder->values;
        break;
    }
    case PGO_DELETE: {
        out->delete_.relation_oid = pgo_u32(&r, "the relation id");
        uint8_t kind = pgo_u8(&r, "the tuple marker");
        if (kind != 'K' && kind != 'O') {
            pgo_expect_tuple(&r, kind, "'K' (old key) or 'O' (old row)");
            break;
        }
        out->delete_.old_kind = (char)kind;
        out->delete_.old_tuple = pgo_tuple_read(decoder, &r, 0, kind == 'K' ? "key" : "old");
        break;
    }
    case PGO_TRUNCATE: {
        uint32_t count = pgo_u32(&r, "the relation count");
        out->truncate.options = pgo_u8(&r, "the options");
        if (r.failed)
            break;
        if (count > (len - r.pos) / 4) {
            pgo_need(&r, (size_t)count * 4, "the relation ids");
            break;
        }
        if (array_reserve(&decoder->oids, &decoder->oid_capacity, count ? count : 1,
                          sizeof(*decoder->oids)) != 0)
            return ferry_error_set(err, errlen, "out of memory decoding a truncate of %u "
                                                "relations", count), -1;
        for (uint32_t i = 0; i < count; i++)
            decoder->oids[i] = pgo_u32(&r, "a relation id");
        out->truncate.relation_count = count;
        out->truncate.relation_oids = decoder->oids;
        break;
    }
    case PGO_MESSAGE: {
        out->message.flags = pgo_u8(&r, "the flags");
        out->message.lsn = pgo_u64(&r, "the LSN");
        out->message.prefix = pgo_string(&r, "the prefix");
        out->message.length = pgo_u32(&r, "the content length");
        if (!pgo_need(&r, out->message.length, "the content"))
            break;
        out->message.content = buf + r.pos;
        r.pos += out->message.length;
        break;
    }
    default:
        return ferry_error_set(err, errlen,
                               "unknown pgoutput message type 0x%02x ('%c'): protocol version 1 "
                               "has B, C, O, R, Y, I, U, D, T and M",
                               buf[0], buf[0] >= 0x20 && buf[0] < 0x7f ? buf[0] : '?'),
               -1;
    }
    if (r.failed)
        return -1;
    if (r.pos != len)
        return ferry_error_set(err, errlen,
                               "malformed %s message: %zu unexpected bytes after its last field "
                               "(offset %zu of %zu)",
                               r.what, len - r.pos, r.pos, len),
               -1;
    return 0;
}
