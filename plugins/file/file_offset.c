/*
 * file_offset.c - building and reading the file source's partitions and offsets (formats in
 * file_offset.h).
 */
#include "file_offset.h"

#include <stdio.h>
#include <stdlib.h>

#include <ferry/plugin.h>

#include "file_identity.h"

json_t *file_offset_path_partition(const char *path)
{
    return json_pack("{s:s}", "filename", path);
}

json_t *file_offset_position(int64_t position)
{
    return json_pack("{s:I}", "position", (json_int_t)position);
}

json_t *file_offset_inode_partition(uint64_t device, uint64_t inode)
{
    /* Device numbers and inodes fit in 63 bits on every file system ferry runs on; the cast keeps
     * the bits should one not, and file_offset_parse never reads them back anyway. */
    return json_pack("{s:I,s:I}", "device", (json_int_t)device, "inode", (json_int_t)inode);
}

json_t *file_offset_content_partition(uint64_t head_hash, size_t head_len)
{
    char hex[FILE_IDENTITY_HEX_LEN + 1];
    file_identity_hash_hex(head_hash, hex);
    return json_pack("{s:s,s:I}", "head", hex, "head.bytes", (json_int_t)head_len);
}

json_t *file_offset_identity(int64_t position, uint64_t head_hash, size_t head_len,
                             const char *path)
{
    char hex[FILE_IDENTITY_HEX_LEN + 1];
    file_identity_hash_hex(head_hash, hex);
    return json_pack("{s:I,s:s,s:I,s:s}", "position", (json_int_t)position, "head", hex,
                     "head.bytes", (json_int_t)head_len, "path", path ? path : "");
}

int file_offset_parse(const json_t *offset, file_offset *out, char *err, size_t errlen)
{
    *out = (file_offset){0};
    json_t *position = json_object_get(offset, "position");
    if (!json_is_integer(position) || json_integer_value(position) < 0) {
        char *text = json_dumps(offset, JSON_COMPACT | JSON_ENCODE_ANY);
        ferry_error_set(err, errlen, "committed offset %s has no \"position\" that is a "
                        "non-negative integer (a byte offset)", text ? text : "(unprintable)");
        free(text);
        return -1;
    }
    out->position = json_integer_value(position);
    json_t *head = json_object_get(offset, "head");
    json_t *head_len = json_object_get(offset, "head.bytes");
    if (json_is_string(head) && json_is_integer(head_len) && json_integer_value(head_len) >= 0 &&
        file_identity_hash_parse(json_string_value(head), &out->head_hash)) {
        out->has_head = true;
        out->head_len = (size_t)json_integer_value(head_len);
    }
    return 0;
}

/* Whether partition holds key with a value of the JSON type wanted. */
static bool file_offset_partition_has(const json_t *partition, const char *key, json_type type)
{
    json_t *value = json_object_get(partition, key);
    return value && json_typeof(value) == type;
}

int file_offset_alter_check(const json_t *partition, const json_t *offset, bool one_path,
                            char *err, size_t errlen)
{
    if (!offset)
        return 0;
    char *shown = json_dumps(partition, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *wrong = NULL;
    if (one_path && !file_offset_partition_has(partition, "filename", JSON_STRING))
        wrong = "the partition should contain the key 'filename' (a string: the file's path)";
    else if (!one_path &&
             !(file_offset_partition_has(partition, "head", JSON_STRING) &&
               file_offset_partition_has(partition, "head.bytes", JSON_INTEGER)) &&
             !(file_offset_partition_has(partition, "device", JSON_INTEGER) &&
               file_offset_partition_has(partition, "inode", JSON_INTEGER)))
        wrong = "the partition should contain the keys 'head' and 'head.bytes', or 'device' "
                "and 'inode' (the partitions of files)";
    else if (!json_object_get(offset, "position"))
        wrong = "the offset should either be null or contain the key 'position'";
    else if (!json_is_integer(json_object_get(offset, "position")) ||
             json_integer_value(json_object_get(offset, "position")) < 0)
        wrong = "the value of 'position' in the offset should be a non-negative integer (a "
                "byte offset)";
    if (wrong)
        ferry_error_set(err, errlen, "partition %s: %s", shown ? shown : "(unprintable)", wrong);
    free(shown);
    return wrong ? -1 : 0;
}
