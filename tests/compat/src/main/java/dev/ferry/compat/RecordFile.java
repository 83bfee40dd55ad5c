/*
 * RecordFile.java - record files: JSON lines, one record each,
 *
 *   {"case":"int8","key":false,"schemas":true,"record":"{\"schema\":...,\"payload\":-128}"}
 *
 * the record's bytes as a JSON string (null for a Kafka null), as ferry's compat_records.c
 * reads and writes them.
 */
package dev.ferry.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class RecordFile {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RecordFile() {
    }

    static List<CompatRecord> read(Path file) throws IOException {
        List<CompatRecord> records = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank())
                continue;
            JsonNode node = MAPPER.readTree(line);
            JsonNode name = node.get("case");
            JsonNode key = node.get("key");
            JsonNode schemas = node.get("schemas");
            JsonNode record = node.get("record");
            if (name == null || !name.isTextual() || key == null || !key.isBoolean()
                || schemas == null || !schemas.isBoolean() || record == null
                || !(record.isTextual() || record.isNull()))
                throw new IOException(file + " line " + (i + 1)
                    + ": expected {\"case\":string,\"key\":boolean,\"schemas\":boolean,"
                    + "\"record\":string or null}");
            byte[] bytes = record.isNull() ? null
                : record.textValue().getBytes(StandardCharsets.UTF_8);
            records.add(new CompatRecord(name.textValue(), key.booleanValue(),
                schemas.booleanValue(), bytes));
        }
        if (records.isEmpty())
            throw new IOException(file + ": no records");
        return records;
    }

    static void write(Path file, List<CompatRecord> records) throws IOException {
        StringBuilder text = new StringBuilder();
        for (CompatRecord record : records) {
            ObjectNode node = MAPPER.createObjectNode();
            node.put("case", record.name());
            node.put("key", record.key());
            node.put("schemas", record.schemas());
            if (record.bytes() == null)
                node.putNull("record");
            else
                node.put("record", new String(record.bytes(), StandardCharsets.UTF_8));
            text.append(MAPPER.writeValueAsString(node)).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
