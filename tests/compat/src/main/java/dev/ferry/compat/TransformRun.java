/*
 * TransformRun.java - the transforms mode: Kafka Connect's own transforms and predicates
 * (connect-transforms 3.9.2, Debezium's) applied to the table's records as a Kafka Connect worker
 * applies them, each outcome written as one JSON line for ferry's outcome to be compared with
 * (tests/compat/compat_transforms.c).
 *
 * Two files are written:
 *   inputs.jsonl  every record of the table, once with schemas and once without: its key and
 *                 value as Kafka's JsonConverter writes them (what a sink reads from a topic),
 *                 maps in MapSort's order, and its topic, partition, offset, timestamp and headers
 *     {"record":"basic#0","schemas":true,"topic":"t","partition":0,"offset":0,"timestamp":null,
 *      "key":"<bytes>"|null,"value":"<bytes>"|null,"headers":[["name","text"|null]]}
 *   kafka.jsonl   one line per case and record of the case, in the table's order:
 *     {"case":"..","record":"basic#0","topic":"t","partition":0|null,"key":"<bytes>"|null,
 *      "value":"<bytes>"|null,"headers":[["name","<bytes>"|null]],"timestamp":123|null}
 *     {"case":"..","record":"basic#0","dropped":true}
 *     {"case":"..","record":"basic#0","error":"<exception class>: <message>"}
 *
 * How a worker does it, and so the harness (Kafka 3.9.2's ConnectorConfig.transformationStages,
 * TransformationStage, TransformationChain, WorkerSinkTask, AbstractWorkerSourceTask):
 *   - each alias of `transforms` gets the class of `transforms.<alias>.type` and is configured
 *     with every `transforms.<alias>.*` key, the prefix stripped, less `predicate` and `negate`
 *     (`type` stays, as in Kafka); its predicate gets the class of `predicates.<p>.type` and every
 *     `predicates.<p>.*` key; a transform applies when it has no predicate or when
 *     `negate XOR test(record)`, `negate` read with Boolean.parseBoolean;
 *   - sinks: a SinkRecord with the record's offset and timestamp (CREATE_TIME, or NO_TIMESTAMP),
 *     key and value read by JsonConverter (schemas.enable as the case says), headers read by
 *     SimpleHeaderConverter; sources: a SourceRecord of the same data;
 *   - the record a transform returns goes to the next; null drops it; an exception fails it;
 *   - what comes out is written by JsonConverter and SimpleHeaderConverter, as a source task
 *     does (and a sink's data, written the same way, to be compared).
 * The transforms of one case are configured once and see its records in order (their caches too).
 */
package dev.ferry.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class TransformRun {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOPIC = "compat";

    private final KafkaConverters converters = new KafkaConverters();
    private final SimpleHeaderConverter headerConverter = new SimpleHeaderConverter();
    /** The input bytes of each record: id + "/" + schemas -> {key, value}. */
    private final Map<String, byte[][]> inputs = new HashMap<>();

    private TransformRun() {
        headerConverter.configure(Map.of());
    }

    /** One stage of a chain: TransformationStage's fields. */
    @SuppressWarnings("rawtypes")
    private record Stage(Transformation transformation, Predicate predicate, boolean negate) {
    }

    static int run(Path table, long seed, int count, Path out) throws Exception {
        Files.createDirectories(out);
        Path random = out.resolve("random.jsonl");
        RandomRecords.write(random, seed, count);
        TransformTable cases = TransformTable.read(table, random);
        TransformRun run = new TransformRun();
        int problems = run.writeInputs(cases, out.resolve("inputs.jsonl"));
        if (problems > 0)
            return 1;
        int lines = 0;
        try (BufferedWriter writer = Files.newBufferedWriter(out.resolve("kafka.jsonl"),
            StandardCharsets.UTF_8)) {
            for (TransformTable.Case c : cases.cases)
                lines += run.apply(c, cases, writer);
        }
        System.out.printf("Kafka Connect's transforms (connect-transforms %s) applied %d cases: "
            + "%d outcomes in %s (random records: seed %d)%n", KafkaCases.kafkaVersion(),
            cases.cases.size(), lines, out.resolve("kafka.jsonl"), seed);
        return 0;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** What Kafka's JsonConverter writes for the payload (and schema), maps sorted. */
    private byte[] canonical(boolean key, boolean schemas, JsonNode payload, JsonNode schema)
        throws IOException {
        if (payload == null)
            return null;
        JsonNode node = payload;
        if (schemas) {
            ObjectNode envelope = MAPPER.createObjectNode();
            envelope.set("schema", schema == null ? MAPPER.nullNode() : schema);
            envelope.set("payload", payload);
            node = envelope;
        }
        JsonConverter converter = converters.get(key, schemas);
        SchemaAndValue data = converter.toConnectData(TOPIC, MAPPER.writeValueAsBytes(node));
        return converter.fromConnectData(TOPIC, data.schema(),
            MapSort.sort(data.schema(), data.value()));
    }

    private int writeInputs(TransformTable table, Path file) throws IOException {
        int problems = 0;
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (List<TransformTable.Input> set : table.recordSets.values()) {
                for (TransformTable.Input input : set) {
                    for (String[] header : input.headers())
                        problems += checkHeader(input, header);
                    for (boolean schemas : new boolean[] {true, false}) {
                        byte[][] bytes;
                        try {
                            bytes = new byte[][] {
                                canonical(true, schemas, input.key(), input.keySchema()),
                                canonical(false, schemas, input.value(), input.valueSchema())};
                        } catch (IOException | RuntimeException e) {
                            System.err.printf("record %s (schemas %s): Kafka's JsonConverter "
                                + "cannot read it: %s%n", input.id(), schemas, describe(e));
                            problems++;
                            continue;
                        }
                        inputs.put(input.id() + "/" + schemas, bytes);
                        ObjectNode line = MAPPER.createObjectNode();
                        line.put("record", input.id());
                        line.put("schemas", schemas);
                        line.put("topic", input.topic());
                        line.put("partition", input.partition());
                        line.put("offset", input.offset());
                        line.put("timestamp", input.timestamp());
                        line.put("key", text(bytes[0]));
                        line.put("value", text(bytes[1]));
                        ArrayNode headers = line.putArray("headers");
                        for (String[] header : input.headers())
                            headers.addArray().add(header[0]).add(header[1]);
                        writer.write(MAPPER.writeValueAsString(line));
                        writer.write('\n');
                    }
                }
            }
        }
        return problems;
    }

    /** A header ferry keeps as bytes must come out of SimpleHeaderConverter as it went in. */
    private int checkHeader(TransformTable.Input input, String[] header) {
        byte[] bytes = header[1] == null ? null : header[1].getBytes(StandardCharsets.UTF_8);
        SchemaAndValue read = headerConverter.toConnectHeader(TOPIC, header[0], bytes);
        byte[] again = headerConverter.fromConnectHeader(TOPIC, header[0], read.schema(),
            read.value());
        if (Arrays.equals(bytes, again))
            return 0;
        System.err.printf("record %s: header '%s' = '%s' is written again by "
            + "SimpleHeaderConverter as '%s'; use a value that is not%n", input.id(), header[0],
            header[1], text(again));
        return 1;
    }

    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.getClass().getName() + ": " + e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause();
             cause = cause.getCause())
            text.append(" (caused by ").append(cause.getClass().getName()).append(": ")
                .append(cause.getMessage()).append(')');
        return text.toString();
    }

    /** ConnectorConfig.originalsWithPrefix. */
    private static Map<String, Object> withPrefix(Map<String, String> config, String prefix) {
        Map<String, Object> own = new HashMap<>();
        for (Map.Entry<String, String> entry : config.entrySet())
            if (entry.getKey().startsWith(prefix))
                own.put(entry.getKey().substring(prefix.length()), entry.getValue());
        return own;
    }

    /** AbstractConfig.getClass on the connector config: a CLASS key, trimmed, loaded. */
    private static Class<?> classOf(Map<String, String> config, String key) {
        String name = config.get(key);
        if (name == null)
            throw new org.apache.kafka.common.config.ConfigException(
                "Unknown configuration '" + key + "'");
        return (Class<?>) ConfigDef.parseType(key, name, ConfigDef.Type.CLASS);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Stage> stages(Map<String, String> config) throws Exception {
        List<Stage> stages = new ArrayList<>();
        List<String> aliases = (List<String>) ConfigDef.parseType("transforms",
            config.getOrDefault("transforms", ""), ConfigDef.Type.LIST);
        try {
            for (String alias : aliases) {
                String prefix = "transforms." + alias + ".";
                Transformation transformation = Utils.newInstance(classOf(config, prefix + "type"), Transformation.class);
                Map<String, Object> own = withPrefix(config, prefix);
                Object predicateAlias = own.remove("predicate");
                Object negate = own.remove("negate");
                transformation.configure(own);
                Predicate predicate = null;
                if (predicateAlias != null) {
                    String predicatePrefix = "predicates." + predicateAlias + ".";
                    predicate = Utils.newInstance(classOf(config, predicatePrefix + "type"),
                        Predicate.class);
                    predicate.configure(withPrefix(config, predicatePrefix));
                }
                stages.add(new Stage(transformation, predicate,
                    negate != null && Boolean.parseBoolean(negate.toString())));
            }
        } catch (Exception e) {
            close(stages);
            throw e;
        }
        return stages;
    }

    private static void close(List<Stage> stages) {
        for (Stage stage : stages) {
            stage.transformation().close();
            if (stage.predicate() != null)
                stage.predicate().close();
        }
    }

    private ConnectRecord<?> record(TransformTable.Case c, TransformTable.Input input) {
        byte[][] bytes = inputs.get(input.id() + "/" + c.schemas());
        SchemaAndValue key = converters.get(true, c.schemas()).toConnectData(input.topic(),
            bytes[0]);
        SchemaAndValue value = converters.get(false, c.schemas()).toConnectData(input.topic(),
            bytes[1]);
        ConnectHeaders headers = new ConnectHeaders();
        for (String[] header : input.headers())
            headers.add(header[0], headerConverter.toConnectHeader(input.topic(), header[0],
                header[1] == null ? null : header[1].getBytes(StandardCharsets.UTF_8)));
        if (c.sink())
            return new SinkRecord(input.topic(),
                input.partition() == null ? 0 : input.partition(), key.schema(), key.value(),
                value.schema(), value.value(), input.offset(), input.timestamp(),
                input.timestamp() == null ? TimestampType.NO_TIMESTAMP_TYPE
                    : TimestampType.CREATE_TIME, headers);
        return new SourceRecord(Map.of(), Map.of(), input.topic(), input.partition(),
            key.schema(), key.value(), value.schema(), value.value(), input.timestamp(),
            headers);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ConnectRecord<?> applyChain(List<Stage> stages, ConnectRecord<?> record) {
        ConnectRecord current = record;
        for (Stage stage : stages) {
            if (stage.predicate() == null || stage.negate() ^ stage.predicate().test(current))
                current = stage.transformation().apply(current);
            if (current == null)
                break;
        }
        return current;
    }

    private ObjectNode outcome(TransformTable.Case c, ConnectRecord<?> record) {
        ObjectNode line = MAPPER.createObjectNode();
        String topic = record.topic();
        byte[] key = converters.get(true, c.schemas()).fromConnectData(topic, record.keySchema(),
            MapSort.sort(record.keySchema(), record.key()));
        byte[] value = converters.get(false, c.schemas()).fromConnectData(topic,
            record.valueSchema(), MapSort.sort(record.valueSchema(), record.value()));
        line.put("topic", topic);
        line.put("partition", record.kafkaPartition());
        line.put("key", text(key));
        line.put("value", text(value));
        ArrayNode headers = line.putArray("headers");
        for (Header header : record.headers())
            headers.addArray().add(header.key()).add(text(headerConverter.fromConnectHeader(
                topic, header.key(), header.schema(), header.value())));
        line.put("timestamp", record.timestamp());
        return line;
    }

    private int apply(TransformTable.Case c, TransformTable table, BufferedWriter writer)
        throws IOException {
        List<Stage> stages = null;
        String configError = null;
        try {
            stages = stages(c.config());
        } catch (Exception e) {
            configError = describe(e);
        }
        int lines = 0;
        for (String set : c.recordSets()) {
            for (TransformTable.Input input : table.recordSets.get(set)) {
                ObjectNode line = MAPPER.createObjectNode();
                line.put("case", c.name());
                line.put("record", input.id());
                if (configError != null) {
                    line.put("error", configError);
                } else {
                    try {
                        ConnectRecord<?> result = applyChain(stages, record(c, input));
                        if (result == null)
                            line.put("dropped", true);
                        else
                            line.setAll(outcome(c, result));
                    } catch (RuntimeException e) {
                        line.put("error", describe(e));
                    }
                }
                writer.write(MAPPER.writeValueAsString(line));
                writer.write('\n');
                lines++;
            }
        }
        if (stages != null)
            close(stages);
        return lines;
    }
}
