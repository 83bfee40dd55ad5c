/*
 * pg_stream.h - the logical replication stream on the replication connection:
 * START_REPLICATION with pgoutput (protocol version 1), CopyData messages read without blocking
 * past a deadline, standby status updates. What a message means is pgoutput_decoder's and
 * cdc_source's business; this file only moves bytes and positions.
 */
#ifndef PGCDC_PG_STREAM_H
#define PGCDC_PG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "pg_connection.h"
#include "pgoutput_decoder.h"

typedef struct pg_stream {
    PGconn *conn;            /* owned once attached */
    bool streaming;          /* in COPY BOTH mode */
    char *buffer;            /* the message being handled (PQgetCopyData's, PQfreemem'd) */
    uint64_t server_wal_end; /* the server's end of WAL, from the latest message */
    uint64_t received_lsn;   /* the highest position received */
    uint64_t reported_flush; /* the flush position of the last status update */
    int64_t last_status_ms;  /* monotonic time of the last status update */
} pg_stream;

/* The START_REPLICATION command (malloc'd). */
char *pg_stream_start_command(const char *slot_name, const char *publication_name,
                              uint64_t start_lsn);

/* Takes ownership of a replication connection. */
void pg_stream_attach(pg_stream *stream, PGconn *conn);
/* Closes the connection (a status update first when still streaming and asked to). */
void pg_stream_close(pg_stream *stream);

/* Sends START_REPLICATION; then pg_stream_start_wait until COPY BOTH. */
int pg_stream_start(pg_stream *stream, const char *slot_name, const char *publication_name,
                    uint64_t start_lsn, char *err, size_t errlen);
pg_wait pg_stream_start_wait(pg_stream *stream, int64_t deadline_ms, char *err, size_t errlen);

typedef enum pg_stream_status {
    PG_STREAM_MESSAGE,  /* *copy holds the next message (valid until pg_stream_release) */
    PG_STREAM_IDLE,     /* nothing before the deadline */
    PG_STREAM_CLOSED,   /* the server ended the stream or the connection broke: err says why */
    PG_STREAM_ERROR,    /* a malformed message: err says why */
} pg_stream_status;

pg_stream_status pg_stream_read(pg_stream *stream, int64_t deadline_ms, pgo_copy_data *copy,
                                char *err, size_t errlen);
/* Frees the message returned by the last read. */
void pg_stream_release(pg_stream *stream);

/* Sends a standby status update: written = received, flushed = applied = flushed. */
int pg_stream_send_status(pg_stream *stream, uint64_t flushed, bool reply_requested, char *err,
                          size_t errlen);

#endif
