/*
 * file_offset.h - the source partitions and offsets the file source writes, in one place.
 *
 * With `file` (one path, FileStreamSource's key) they are exactly Kafka Connect's:
 *     partition {"filename": "<path as configured>"}   offset {"position": <byte offset>}
 * so that offsets migrated from Kafka Connect resume where it stopped, and the other way round.
 *
 * With `files` (glob patterns) the partition names the content, so that it survives renames and
 * copies (copytruncate) without a record of the new name ever being emitted:
 *     partition {"head": "<16 hex digits>", "head.bytes": <fingerprint.bytes>}
 *         once the file holds fingerprint.bytes bytes: the FNV-1a hash of those first bytes;
 *     partition {"device": <st_dev>, "inode": <st_ino>}
 *         while it is shorter (a young file), checked against the head in the offset.
 *     offset    {"position": <byte offset>, "head": "<16 hex digits>", "head.bytes": <n>,
 *                "path": "<where the file was last seen>"}
 * The offset's head is the hash of the file's first head.bytes bytes when the offset was made: a
 * restart checks it before trusting a device-and-inode position (an inode re-used by another file
 * has another head). path is for people reading the offsets (GET /connectors/{name}/offsets,
 * kcat); it is never used to find a file.
 *
 * The position is always a byte offset (never characters) at the start of a line: the next line to
 * read.
 */
#ifndef FERRY_FILE_OFFSET_H
#define FERRY_FILE_OFFSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* New references, NULL when out of memory. */
json_t *file_offset_path_partition(const char *path);
json_t *file_offset_position(int64_t position);
json_t *file_offset_inode_partition(uint64_t device, uint64_t inode);
json_t *file_offset_content_partition(uint64_t head_hash, size_t head_len);
json_t *file_offset_identity(int64_t position, uint64_t head_hash, size_t head_len,
                             const char *path);

typedef struct file_offset {
    int64_t position;
    bool has_head;       /* head and head.bytes were present and well-formed */
    uint64_t head_hash;
    size_t head_len;
} file_offset;

/* Reads a committed offset of either form. Returns 0, or -1 with a message that shows the offset
 * and what was expected (a position that is not a non-negative integer, say). */
int file_offset_parse(const json_t *offset, file_offset *out, char *err, size_t errlen);

/* Checks an offset a user alters (PATCH /connectors/{c}/offsets) against what the source writes:
 * with `file` (one_path), the partition must be {"filename": string}; with `files`, one of the
 * two partitions above; the offset must hold a "position" that is a non-negative integer. A NULL
 * offset (a reset) is accepted for any partition, so that stray offsets can be cleaned up. 0, or
 * -1 with a message naming the partition and the field. */
int file_offset_alter_check(const json_t *partition, const json_t *offset, bool one_path,
                            char *err, size_t errlen);

#endif
