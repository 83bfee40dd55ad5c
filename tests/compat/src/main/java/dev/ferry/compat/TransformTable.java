/*
 * TransformTable.java - the table of the transforms check (tests/compat/transforms/, README.md):
 * cases (cases/*.jsonl, one case a line) and the records they apply to (records/*.jsonl, one
 * record a line; "random" is the file of seeded random records, RandomRecords). ferry's
 * compat_transforms.c reads the same files the same way: the order of the cases (files by name,
 * then lines), their expansion ("side":"both", "schemas":"both") and the records' defaults must
 * stay alike on both sides.
 *
 * A case:
 *   {"name":"unwrap rewrite","side":"sink","schemas":true,"records":["envelopes"],
 *    "config":["transforms=u","transforms.u.type=io.debezium.transforms.ExtractNewRecordState"]}
 * side: "sink", "source" or "both"; schemas: true, false or "both"; each config line is split at
 * its first '=', nothing trimmed (Kafka Connect's config values are the connector's strings).
 *
 * A record:
 *   {"topic":"orders","partition":0,"offset":7,"timestamp":1700000000000,
 *    "key":..,"key_schema":..,"value":..,"value_schema":..,"headers":[["name","text"],["n",null]]}
 * key and value are JSON payloads (absent or null: a Kafka null), the schemas Kafka's JSON form
 * (absent: none); partition defaults to 0, offset to the record's line number (from 0),
 * timestamp to none, headers to none. "note" is for the reader.
 */
package dev.ferry.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

final class TransformTable {
    static final String RANDOM = "random";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One case, expanded: one side and one schemas setting. */
    record Case(String name, String file, boolean sink, boolean schemas, List<String> recordSets,
                Map<String, String> config) {
    }

    /** One input record; id is "<set>#<line number from 0>". */
    record Input(String id, String topic, Integer partition, long offset, Long timestamp,
                 JsonNode key, JsonNode keySchema, JsonNode value, JsonNode valueSchema,
                 List<String[]> headers) {
    }

    final List<Case> cases = new ArrayList<>();
    final Map<String, List<Input>> recordSets = new LinkedHashMap<>();

    private TransformTable() {
    }

    /** The table under dir; random, when not null, is the file of the "random" set. */
    static TransformTable read(Path dir, Path random) throws IOException {
        TransformTable table = new TransformTable();
        for (Path file : jsonLines(dir.resolve("records"))) {
            String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
            table.recordSets.put(name, readRecords(file, name));
        }
        if (random != null)
            table.recordSets.put(RANDOM, readRecords(random, RANDOM));
        for (Path file : jsonLines(dir.resolve("cases")))
            table.readCases(file, random != null);
        if (table.cases.isEmpty())
            throw new IOException(dir + ": no cases");
        return table;
    }

    private static List<Path> jsonLines(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            /* By name, as bytes: C's strcmp order. */
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                .sorted((a, b) -> compareBytes(a.getFileName().toString(),
                    b.getFileName().toString()))
                .toList();
        }
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }

    private static IOException bad(Path file, int line, String what) {
        return new IOException(file + " line " + line + ": " + what);
    }

    private static List<Input> readRecords(Path file, String set) throws IOException {
        List<Input> records = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank())
                continue;
            JsonNode node = MAPPER.readTree(lines.get(i));
            int index = records.size();
            if (!node.isObject() || !node.path("topic").isTextual())
                throw bad(file, i + 1, "a record needs a \"topic\" string");
            JsonNode partition = node.path("partition");
            JsonNode offset = node.path("offset");
            JsonNode timestamp = node.path("timestamp");
            List<String[]> headers = new ArrayList<>();
            for (JsonNode header : node.path("headers")) {
                if (!header.isArray() || header.size() != 2 || !header.get(0).isTextual()
                    || !(header.get(1).isTextual() || header.get(1).isNull()))
                    throw bad(file, i + 1, "a header is [\"name\", \"text\" or null]");
                headers.add(new String[] {header.get(0).textValue(),
                    header.get(1).isNull() ? null : header.get(1).textValue()});
            }
            records.add(new Input(set + "#" + index, node.get("topic").textValue(),
                partition.isMissingNode() ? Integer.valueOf(0)
                    : partition.isNull() ? null : partition.intValue(),
                offset.isMissingNode() ? index : offset.longValue(),
                timestamp.isMissingNode() || timestamp.isNull() ? null : timestamp.longValue(),
                nullable(node.get("key")), nullable(node.get("key_schema")),
                nullable(node.get("value")), nullable(node.get("value_schema")), headers));
        }
        return records;
    }

    private static JsonNode nullable(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private void readCases(Path file, boolean withRandom) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank())
                continue;
            JsonNode node = MAPPER.readTree(lines.get(i));
            String name = node.path("name").textValue();
            String side = node.path("side").textValue();
            JsonNode schemas = node.path("schemas");
            if (name == null || side == null || !(side.equals("sink") || side.equals("source")
                || side.equals("both")))
                throw bad(file, i + 1, "a case needs \"name\" and \"side\" (sink, source, both)");
            if (!(schemas.isBoolean() || "both".equals(schemas.textValue())))
                throw bad(file, i + 1, "\"schemas\" is true, false or \"both\"");
            List<String> sets = new ArrayList<>();
            for (JsonNode set : node.path("records")) {
                if (!recordSets.containsKey(set.textValue())
                    && !(RANDOM.equals(set.textValue()) && !withRandom))
                    throw bad(file, i + 1, "no record set '" + set.textValue() + "'");
                if (recordSets.containsKey(set.textValue()))
                    sets.add(set.textValue());
            }
            if (!node.path("records").isArray() || node.path("records").isEmpty())
                throw bad(file, i + 1, "\"records\" lists the record sets of the case");
            Map<String, String> config = new LinkedHashMap<>();
            for (JsonNode line : node.path("config")) {
                String text = line.textValue();
                int equals = text == null ? -1 : text.indexOf('=');
                if (equals <= 0)
                    throw bad(file, i + 1, "a config line is \"key=value\"");
                config.put(text.substring(0, equals), text.substring(equals + 1));
            }
            boolean[] sides = side.equals("both") ? new boolean[] {true, false}
                : new boolean[] {side.equals("sink")};
            boolean[] settings = schemas.isBoolean() ? new boolean[] {schemas.booleanValue()}
                : new boolean[] {true, false};
            for (boolean sink : sides) {
                for (boolean setting : settings) {
                    List<String> suffix = new ArrayList<>();
                    if (sides.length > 1)
                        suffix.add(sink ? "sink" : "source");
                    if (settings.length > 1)
                        suffix.add(setting ? "schemas" : "no schemas");
                    String expanded = suffix.isEmpty() ? name
                        : name + " [" + String.join(", ", suffix) + "]";
                    cases.add(new Case(expanded, file.getFileName().toString(), sink, setting,
                        sets, config));
                }
            }
        }
    }
}
