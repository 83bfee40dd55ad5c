/*
 * cdc_offset.h - the source partition and the offsets of the PostgreSQL source, in one place
 * (docs/connectors/postgres-cdc.md, "Positions and offsets").
 *
 *   partition {"server": "<topic.prefix>"}                      (Debezium's)
 *   streaming {"lsn_proc": L, "lsn_commit": C, "tx_event": N, "lsn": E, "txId": X, "ts_usec": T}
 *   snapshot  {"snapshot": "INITIAL", "snapshot_completed": false, "lsn": P, "txId": X,
 *              "ts_usec": T, "snapshot_table": "s.t", "snapshot_key": ["k1", ...]}
 *   last snapshot record: {"snapshot": "INITIAL", "snapshot_completed": true, "lsn_proc": P, ...}
 *
 * LSNs are JSON integers (as Debezium writes them). lsn_proc: streaming restarts there, every
 * transaction whose commit record starts before it is delivered. lsn_commit/tx_event: of the
 * transaction whose commit record starts at lsn_commit, the first tx_event change messages are
 * delivered.
 */
#ifndef PGCDC_CDC_OFFSET_H
#define PGCDC_CDC_OFFSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* "16/B374D848" from an LSN, into buf (at least 24 bytes). Returns buf. */
char *pg_lsn_format(uint64_t lsn, char *buf, size_t size);
/* Parses "X/Y" (hex); 0 on success. */
int pg_lsn_parse(const char *text, uint64_t *lsn);

/* Where the stream stands: what every offset of the streaming phase says. */
typedef struct cdc_position {
    uint64_t lsn_proc;   /* restart point */
    uint64_t lsn_commit; /* commit LSN of the transaction of the last event; 0 = none */
    int64_t tx_event;    /* change messages of that transaction delivered; -1 = unknown */
    uint64_t lsn;        /* LSN of the last event */
    int64_t tx_id;       /* -1 = none */
    int64_t ts_usec;     /* commit time of the last event, µs since 1970; 0 = none */
} cdc_position;

typedef enum cdc_offset_phase {
    CDC_OFFSET_NONE = 0,     /* no offset */
    CDC_OFFSET_SNAPSHOT,     /* a snapshot in progress */
    CDC_OFFSET_STREAMING,    /* snapshot complete (or none), position in the stream */
} cdc_offset_phase;

typedef struct cdc_offset {
    cdc_offset_phase phase;
    cdc_position position;   /* STREAMING: lsn_proc, lsn_commit, tx_event, ...; SNAPSHOT: lsn */
    bool from_debezium;      /* a streaming offset without tx_event: nothing can be skipped */
    /* SNAPSHOT only */
    char *snapshot_table;    /* "schema.table" being read, NULL = none started */
    json_t *snapshot_key;    /* array of the last delivered row's key values (text), or NULL */
} cdc_offset;

/* New references; NULL when out of memory. */
json_t *cdc_partition_new(const char *server);
json_t *cdc_offset_streaming(const cdc_position *position);
/* table/key NULL when none; completed for the snapshot's last record (then lsn_proc is set). */
json_t *cdc_offset_snapshot(uint64_t lsn, int64_t tx_id, int64_t ts_usec, const char *table,
                            json_t *key, bool completed);

/* Reads a committed offset (NULL = none). A snapshot offset with snapshot_completed true reads
 * as STREAMING from its lsn_proc. Returns 0, or -1 with a message naming what is wrong. */
int cdc_offset_decode(const json_t *offset, cdc_offset *out, char *err, size_t errlen);
void cdc_offset_clear(cdc_offset *offset);

/* Checks an offset a user alters (PATCH /connectors/{c}/offsets) for the connector of topic
 * prefix server: the partition must be {"server": server} and the offset one that
 * cdc_offset_decode reads (LSNs non-negative integers). A NULL offset (a reset) is accepted for
 * any partition, so that stray offsets can be cleaned up. 0, or -1 with a message naming the
 * partition and the field. */
int cdc_offset_alter_check(const json_t *partition, const json_t *offset, const char *server,
                           char *err, size_t errlen);

#endif
