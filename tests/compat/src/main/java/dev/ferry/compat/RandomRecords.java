/*
 * RandomRecords.java - the "random" record set of the transforms check: records drawn from a
 * seed (java.util.Random, so the same seed gives the same file on any JVM), written as the
 * table's records are (TransformTable) for both sides to read. Values are structs whose fields
 * come from a small pool of names (id, name, amount, ...: the names the cases refer to) with
 * random types: integers up to int64's ends, doubles, booleans, strings with escapes and
 * characters outside the BMP, bytes, Decimal, Date, Time, Timestamp, arrays, maps, nested
 * structs, optional fields left null; keys are int64s, strings, structs or null; some records
 * are tombstones; headers and timestamps come and go.
 */
package dev.ferry.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

final class RandomRecords {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] FIELDS = {"id", "name", "amount", "price", "ts", "flag",
        "tags", "nested", "note", "score", "created", "data"};
    private static final String[] TOPICS = {"orders", "customers", "db.inventory.orders",
        "compat-\u00e9t\u00e9"};
    private static final String[] HEADER_NAMES = {"trace", "op", "h1", "\u00fcber"};
    private static final String[] HEADER_VALUES = {"abc", "", "x y", "42", "true",
        "caf\u00e9", "\ud83d\ude00"};
    private static final String[] PIECES = {"a", "b", "Z", "0", " ", "\u00e9", "\u00fc",
        "\u4e2d", "\ud83d\ude00", "\"", "\\", "/", "\n", "\t", "\u0001", "\u2028", "\u007f"};

    private final Random random;
    private final KafkaConverters converters = new KafkaConverters();

    private RandomRecords(long seed) {
        random = new Random(seed);
    }

    static void write(Path file, long seed, int count) throws IOException {
        RandomRecords records = new RandomRecords(seed);
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                writer.write(MAPPER.writeValueAsString(records.record(i)));
                writer.write('\n');
            }
        }
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private String string() {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(8);
        for (int i = 0; i < length; i++)
            text.append(PIECES[random.nextInt(PIECES.length)]);
        return text.toString();
    }

    /** A double every Java prints alike (README: doubles on Java 17). */
    private double number() {
        double mantissa = random.nextInt(2_000_001) - 1_000_000;
        return switch (random.nextInt(4)) {
            case 0 -> mantissa / 100.0;
            case 1 -> mantissa * 1.0E9;
            case 2 -> mantissa / 1.0E9;
            default -> mantissa;
        };
    }

    private long bigLong() {
        return switch (random.nextInt(4)) {
            case 0 -> Long.MAX_VALUE - random.nextInt(1000);
            case 1 -> Long.MIN_VALUE + random.nextInt(1000);
            case 2 -> random.nextInt();
            default -> random.nextInt(2001) - 1000;
        };
    }

    /** A schema and a value for it, depth levels of nesting left. */
    private Object[] field(int depth) {
        int kinds = depth > 0 ? 16 : 13;
        boolean optional = chance(30);
        switch (random.nextInt(kinds)) {
        case 0:
            return pair(optional(SchemaBuilder.int8(), optional), (byte) random.nextInt(256));
        case 1:
            return pair(optional(SchemaBuilder.int16(), optional),
                (short) (random.nextInt(65536) - 32768));
        case 2:
            return pair(optional(SchemaBuilder.int32(), optional), random.nextInt());
        case 3:
            return pair(optional(SchemaBuilder.int64(), optional), bigLong());
        case 4:
            return pair(optional(SchemaBuilder.float64(), optional), number());
        case 5:
            return pair(optional(SchemaBuilder.bool(), optional), random.nextBoolean());
        case 6:
        case 7:
            return pair(optional(SchemaBuilder.string(), optional), string());
        case 8: {
            byte[] bytes = new byte[random.nextInt(6)];
            random.nextBytes(bytes);
            return pair(optional(SchemaBuilder.bytes(), optional), bytes);
        }
        case 9: {
            int scale = random.nextInt(4);
            return pair(optional(Decimal.builder(scale), optional),
                new BigDecimal(BigInteger.valueOf(bigLong()), scale));
        }
        case 10:
            return pair(optional(Date.builder(), optional),
                new java.util.Date((random.nextInt(40000) - 10000) * 86_400_000L));
        case 11:
            return pair(optional(Time.builder(), optional),
                new java.util.Date(random.nextInt(86_400_000)));
        case 12:
            return pair(optional(Timestamp.builder(), optional),
                new java.util.Date(random.nextLong() % 4_000_000_000_000L));
        case 13: {
            Object[] item = field(depth - 1);
            Schema items = (Schema) item[0];
            List<Object> list = new ArrayList<>();
            int length = random.nextInt(4);
            for (int i = 0; i < length; i++)
                list.add(i == 0 ? item[1] : value(items));
            return pair(optional(SchemaBuilder.array(items), optional), list);
        }
        case 14: {
            Object[] item = field(depth - 1);
            Map<Object, Object> map = new LinkedHashMap<>();
            int length = random.nextInt(4);
            for (int i = 0; i < length; i++)
                map.put(string(), i == 0 ? item[1] : value((Schema) item[0]));
            return pair(optional(SchemaBuilder.map(Schema.STRING_SCHEMA, (Schema) item[0]),
                optional), map);
        }
        default:
            return struct(depth - 1, optional, null);
        }
    }

    private static SchemaBuilder optional(SchemaBuilder builder, boolean optional) {
        return optional ? builder.optional() : builder;
    }

    private static Object[] pair(SchemaBuilder schema, Object value) {
        return new Object[] {schema.build(), value};
    }

    /** Another value for a schema drawn before (arrays and maps hold values of one schema). */
    private Object value(Schema schema) {
        if (schema.isOptional() && chance(20))
            return null;
        if (Decimal.LOGICAL_NAME.equals(schema.name()))
            return new BigDecimal(BigInteger.valueOf(bigLong()),
                Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD)));
        if (Date.LOGICAL_NAME.equals(schema.name()))
            return new java.util.Date((random.nextInt(40000) - 10000) * 86_400_000L);
        if (Time.LOGICAL_NAME.equals(schema.name()))
            return new java.util.Date(random.nextInt(86_400_000));
        if (Timestamp.LOGICAL_NAME.equals(schema.name()))
            return new java.util.Date(random.nextLong() % 4_000_000_000_000L);
        switch (schema.type()) {
        case INT8:
            return (byte) random.nextInt(256);
        case INT16:
            return (short) (random.nextInt(65536) - 32768);
        case INT32:
            return random.nextInt();
        case INT64:
            return bigLong();
        case FLOAT64:
            return number();
        case BOOLEAN:
            return random.nextBoolean();
        case STRING:
            return string();
        case BYTES: {
            byte[] bytes = new byte[random.nextInt(6)];
            random.nextBytes(bytes);
            return bytes;
        }
        case ARRAY: {
            List<Object> list = new ArrayList<>();
            int length = random.nextInt(4);
            for (int i = 0; i < length; i++)
                list.add(value(schema.valueSchema()));
            return list;
        }
        case MAP: {
            Map<Object, Object> map = new LinkedHashMap<>();
            int length = random.nextInt(4);
            for (int i = 0; i < length; i++)
                map.put(string(), value(schema.valueSchema()));
            return map;
        }
        case STRUCT: {
            Struct struct = new Struct(schema);
            for (Field field : schema.fields())
                struct.put(field, value(field.schema()));
            return struct;
        }
        default:
            throw new IllegalStateException("no random " + schema.type());
        }
    }

    private Object[] struct(int depth, boolean optional, String name) {
        SchemaBuilder builder = SchemaBuilder.struct();
        if (name != null)
            builder.name(name);
        if (optional)
            builder.optional();
        List<Object> values = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        List<String> names = new ArrayList<>(List.of(FIELDS));
        for (int i = 0; i < count; i++) {
            String field = names.remove(random.nextInt(names.size()));
            Object[] drawn = field(depth);
            builder.field(field, (Schema) drawn[0]);
            values.add(((Schema) drawn[0]).isOptional() && chance(30) ? null : drawn[1]);
        }
        Schema schema = builder.build();
        Struct struct = new Struct(schema);
        List<Field> fields = schema.fields();
        for (int i = 0; i < fields.size(); i++)
            struct.put(fields.get(i), values.get(i));
        return new Object[] {schema, struct};
    }

    /** The record's "<what>" and "<what>_schema" members, from Kafka's JSON form. */
    private void put(ObjectNode record, String what, Schema schema, Object value)
        throws IOException {
        JsonNode envelope = MAPPER.readTree(
            converters.get(what.equals("key"), true).fromConnectData("compat", schema, value));
        record.set(what, envelope.get("payload"));
        if (!envelope.get("schema").isNull())
            record.set(what + "_schema", envelope.get("schema"));
    }

    private ObjectNode record(int index) throws IOException {
        ObjectNode record = MAPPER.createObjectNode();
        record.put("topic", TOPICS[random.nextInt(TOPICS.length)]);
        record.put("partition", random.nextInt(4));
        record.put("offset", 1000L + index);
        if (chance(80))
            record.put("timestamp", Math.abs(random.nextLong() % 4_000_000_000_000L));
        switch (random.nextInt(4)) {
        case 0:
            put(record, "key", Schema.INT64_SCHEMA, bigLong());
            break;
        case 1:
            put(record, "key", Schema.STRING_SCHEMA, string());
            break;
        case 2: {
            Object[] key = struct(0, false, "compat.Key");
            put(record, "key", (Schema) key[0], key[1]);
            break;
        }
        default:
            break;
        }
        if (!chance(10)) {
            Object[] value = struct(2, false, chance(50) ? "compat.Value" : null);
            put(record, "value", (Schema) value[0], value[1]);
        }
        int headers = random.nextInt(3);
        if (headers > 0) {
            var list = record.putArray("headers");
            for (int i = 0; i < headers; i++)
                list.addArray().add(HEADER_NAMES[random.nextInt(HEADER_NAMES.length)])
                    .add(chance(15) ? null : HEADER_VALUES[random.nextInt(HEADER_VALUES.length)]);
        }
        return record;
    }
}
