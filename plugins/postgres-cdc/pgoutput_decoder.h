/*
 * pgoutput_decoder.h - pure parsing of the streaming replication protocol's CopyData messages
 * (XLogData 'w', primary keepalive 'k') and of the logical replication messages of the built-in
 * pgoutput plugin, protocol version 1: Begin, Commit, Origin, Relation, Type, Insert, Update,
 * Delete, Truncate and Message. No I/O and no libpq: it works on byte buffers, so that the unit
 * tests feed it crafted and truncated messages.
 *
 * Zero copy: strings and tuple values point into the buffer that was decoded; they are valid as
 * long as that buffer and until the next pgo_decode on the same decoder (which reuses its arrays
 * for tuple values, columns and truncated relations). Every string in the protocol is
 * NUL-terminated inside the buffer, and the decoder checks that it is.
 */
#ifndef PGCDC_PGOUTPUT_DECODER_H
#define PGCDC_PGOUTPUT_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01 (both UTC). */
#define PG_EPOCH_OFFSET_US INT64_C(946684800000000)

/* ---- the replication protocol's CopyData -------------------------------------------------- */

typedef enum pgo_copy_kind {
    PGO_COPY_XLOG_DATA = 'w',
    PGO_COPY_KEEPALIVE = 'k',
} pgo_copy_kind;

typedef struct pgo_copy_data {
    pgo_copy_kind kind;
    uint64_t wal_start;      /* XLogData: the LSN of the data */
    uint64_t wal_end;        /* the server's current end of WAL */
    int64_t send_time;       /* µs since 2000-01-01 */
    bool reply_requested;    /* keepalive */
    const uint8_t *data;     /* XLogData: the pgoutput message */
    size_t len;
} pgo_copy_data;

/* Returns 0, or -1 with a message ("truncated XLogData: 12 of at least 25 bytes", "unknown
 * CopyData message type 'x'"). */
int pgo_copy_data_decode(const uint8_t *buf, size_t len, pgo_copy_data *out, char *err,
                         size_t errlen);

/* The standby status update ('r') to send back: 34 bytes into out. */
#define PGO_STATUS_UPDATE_SIZE 34
void pgo_status_update_encode(uint8_t out[PGO_STATUS_UPDATE_SIZE], uint64_t written,
                              uint64_t flushed, uint64_t applied, int64_t now_pg_us,
                              bool reply_requested);

/* ---- pgoutput messages -------------------------------------------------------------------- */

typedef enum pgo_kind {
    PGO_BEGIN = 'B',
    PGO_COMMIT = 'C',
    PGO_ORIGIN = 'O',
    PGO_RELATION = 'R',
    PGO_TYPE = 'Y',
    PGO_INSERT = 'I',
    PGO_UPDATE = 'U',
    PGO_DELETE = 'D',
    PGO_TRUNCATE = 'T',
    PGO_MESSAGE = 'M',
} pgo_kind;

/* One column value of a tuple. */
typedef enum pgo_value_kind {
    PGO_VALUE_NULL = 'n',
    PGO_VALUE_UNCHANGED_TOAST = 'u',
    PGO_VALUE_TEXT = 't',
    PGO_VALUE_BINARY = 'b',
} pgo_value_kind;

typedef struct pgo_value {
    pgo_value_kind kind;
    const char *data; /* TEXT and BINARY; not NUL-terminated */
    uint32_t len;
} pgo_value;

typedef struct pgo_tuple {
    uint16_t count;
    const pgo_value *values;
} pgo_tuple;

typedef struct pgo_column {
    uint8_t flags;          /* 1: part of the replica identity key */
    const char *name;
    uint32_t type_oid;
    int32_t type_modifier;
} pgo_column;

#define PGO_TRUNCATE_CASCADE 1
#define PGO_TRUNCATE_RESTART_IDENTITY 2

typedef struct pgo_message {
    pgo_kind kind;
    union {
        struct {
            uint64_t final_lsn;  /* the LSN of the commit record */
            int64_t commit_time; /* µs since 2000-01-01 */
            uint32_t xid;
        } begin;
        struct {
            uint8_t flags;
            uint64_t commit_lsn;
            uint64_t end_lsn;
            int64_t commit_time;
        } commit;
        struct {
            uint64_t commit_lsn;
            const char *name;
        } origin;
        struct {
            uint32_t oid;
            const char *namespace_name; /* "" for pg_catalog */
            const char *name;
            char replica_identity;      /* d default, n nothing, f full, i index */
            uint16_t column_count;
            const pgo_column *columns;
        } relation;
        struct {
            uint32_t oid;
            const char *namespace_name;
            const char *name;
        } type;
        struct {
            uint32_t relation_oid;
            pgo_tuple new_tuple;
        } insert;
        struct {
            uint32_t relation_oid;
            char old_kind;          /* 0 none, 'K' old key, 'O' old row */
            pgo_tuple old_tuple;
            pgo_tuple new_tuple;
        } update;
        struct {
            uint32_t relation_oid;
            char old_kind;          /* 'K' or 'O' */
            pgo_tuple old_tuple;
        } delete_;
        struct {
            uint32_t relation_count;
            uint8_t options;        /* PGO_TRUNCATE_* */
            const uint32_t *relation_oids;
        } truncate;
        struct {
            uint8_t flags;          /* 1: transactional */
            uint64_t lsn;
            const char *prefix;
            const uint8_t *content;
            uint32_t length;
        } message;
    };
} pgo_message;

typedef struct pgo_decoder pgo_decoder;

pgo_decoder *pgo_decoder_new(void);
void pgo_decoder_destroy(pgo_decoder *decoder);

/* Decodes one pgoutput message. Returns 0, or -1 with a message that names the message type, the
 * field and the offset where the buffer was malformed or truncated. */
int pgo_decode(pgo_decoder *decoder, const uint8_t *buf, size_t len, pgo_message *out, char *err,
               size_t errlen);

/* A readable name of a message kind ("Begin"), "unknown" for others. */
const char *pgo_kind_name(int kind);

#endif
