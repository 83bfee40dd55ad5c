/*
 * file_identity.h - how the file source tells files apart: device and inode, plus a fingerprint
 * of the file's first bytes (its "head").
 *
 * Device and inode follow a file through renames; the head tells a new file that re-used an inode
 * from the old one, and recognises a copy of a file (logrotate's copytruncate) as content already
 * read. A head is the first min(size, fingerprint bytes) bytes; a copy is only recognised on a
 * full-length head, so a short common prefix (a CSV header) never makes two files one. Heads in
 * partitions and offsets are FNV-1a 64-bit hashes of those bytes.
 */
#ifndef FERRY_FILE_IDENTITY_H
#define FERRY_FILE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FILE_IDENTITY_HEX_LEN 16

/* FNV-1a, 64 bits. */
uint64_t file_identity_hash(const void *data, size_t len);
/* 16 lowercase hex digits and a NUL. */
void file_identity_hash_hex(uint64_t hash, char out[FILE_IDENTITY_HEX_LEN + 1]);
/* Parses 16 hex digits; false when text is anything else. */
bool file_identity_hash_parse(const char *text, uint64_t *hash);

/* Reads up to want bytes from the start of the file into buffer (pread: the file offset is not
 * moved). Returns the number of bytes read (less at the end of the file), or -1 with errno. */
ssize_t file_identity_head_read(int fd, void *buffer, size_t want);

/* How a new file's head relates to a known head of full length (fingerprint bytes). */
typedef enum file_head_relation {
    FILE_HEAD_DIFFERENT = 0,
    FILE_HEAD_SAME,   /* same first fingerprint bytes: a copy of the known file */
    FILE_HEAD_PREFIX, /* the new file is shorter and so far equal: too early to tell */
} file_head_relation;

/* candidate: the new file's head (candidate_len bytes); known: a head of known_len bytes; full:
 * the fingerprint length. A known head shorter than full never matches. */
file_head_relation file_identity_head_compare(const unsigned char *candidate,
                                              size_t candidate_len, const unsigned char *known,
                                              size_t known_len, size_t full);

/* The compressed format whose magic bytes head starts with ("gzip", "bzip2", "xz", "zstd"), or
 * NULL. A head shorter than the magic never matches. Log lines never start with these bytes:
 * 1f 8b and fd '7zXZ' 00 and 28 b5 2f fd are not text, and "BZh" must be followed by a block
 * size digit and the block magic 31 41 59 26 53 59 (or the end-of-stream magic). */
const char *file_identity_compressed(const unsigned char *head, size_t len);

/* The task (0 .. task_count-1) that reads the file with this device and inode: stable across
 * renames, spread evenly. */
uint32_t file_identity_owner(uint64_t device, uint64_t inode, uint32_t task_count);

#endif
