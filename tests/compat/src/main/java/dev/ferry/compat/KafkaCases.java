/*
 * KafkaCases.java - the records of the compatibility cases as Kafka's JsonConverter writes them:
 * the twins, name for name, of tests/compat/compat_cases.c, built with Kafka's Connect API (the
 * data a Java connector would hand its converter). ferry must read each record as the data of
 * its case and write the same bytes for it (test_compat_ferry_reads_kafka.c, which also fails on
 * a case one side lacks).
 */
package dev.ferry.compat;

import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class KafkaCases {
    private final KafkaConverters converters = new KafkaConverters();
    private final List<CompatRecord> records = new ArrayList<>();

    private KafkaCases() {
    }

    static String kafkaVersion() {
        return AppInfoParser.getVersion();
    }

    static List<CompatRecord> records() {
        KafkaCases cases = new KafkaCases();
        cases.primitives();
        cases.containers();
        cases.nullsAndDefaults();
        cases.logicalTypes();
        cases.namesAndOrder();
        cases.stringsBytesAndSchemaless();
        cases.plain();
        cases.keys();
        return cases.records;
    }

    private void add(String name, boolean key, boolean schemas, Schema schema, Object value) {
        byte[] bytes = converters.get(key, schemas).fromConnectData("compat", schema, value);
        records.add(new CompatRecord(name, key, schemas, bytes));
    }

    private void value(String name, Schema schema, Object value) {
        add(name, false, true, schema, value);
    }

    /** A map in the order its entries are given (key, value, key, value...). */
    private static Map<Object, Object> linked(Object... entries) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < entries.length; i += 2)
            map.put(entries[i], entries[i + 1]);
        return map;
    }

    private void primitives() {
        value("boolean", Schema.BOOLEAN_SCHEMA, true);
        value("int8", Schema.INT8_SCHEMA, (byte) -128);
        value("int16", Schema.INT16_SCHEMA, (short) 32767);
        value("int32", Schema.INT32_SCHEMA, Integer.MIN_VALUE);
        value("int64", Schema.INT64_SCHEMA, Long.MAX_VALUE);
        value("float", Schema.FLOAT32_SCHEMA, 0.1f);
        value("float largest", Schema.FLOAT32_SCHEMA, Float.MAX_VALUE);
        value("float older name", Schema.FLOAT32_SCHEMA, 2.5f);
        value("double", Schema.FLOAT64_SCHEMA, 0.1);
        value("double large", Schema.FLOAT64_SCHEMA, 1.0E10);
        value("double small", Schema.FLOAT64_SCHEMA, -1.25E-7);
        value("double from an integer", Schema.FLOAT64_SCHEMA, 5.0);
        value("string", Schema.STRING_SCHEMA,
            "caf\u00e9 \"q\" \\ /\n\t\u0001\u007f \u2028 \ud83d\ude00");
        value("bytes", Schema.BYTES_SCHEMA, new byte[] {0, 1, 2, (byte) 0xff});
    }

    private void containers() {
        value("array", SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of(1, 2, 3));
        value("array of optional strings",
            SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build(),
            Arrays.asList("a", null, ""));
        value("map with string keys",
            SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build(),
            linked("b", 2L, "a", 1L, "c", 3L));
        value("map with int keys",
            SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(),
            linked(2, "two", 1, "one", -7, "minus seven"));
        Schema point = SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build();
        value("map with struct keys", SchemaBuilder.map(point, Schema.BOOLEAN_SCHEMA).build(),
            linked(new Struct(point).put("x", 1), true, new Struct(point).put("x", 2), false));

        Schema customer = SchemaBuilder.struct().name("com.example.Customer")
            .field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
        Schema line = SchemaBuilder.struct().name("com.example.Line")
            .field("sku", Schema.STRING_SCHEMA)
            .field("qty", Schema.INT32_SCHEMA)
            .field("price", Schema.FLOAT64_SCHEMA)
            .build();
        Schema order = SchemaBuilder.struct().name("com.example.Order")
            .field("id", Schema.INT64_SCHEMA)
            .field("customer", customer)
            .field("lines", SchemaBuilder.array(line).build())
            .field("tags", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA)
                .optional().build())
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
        value("nested struct", order, new Struct(order)
            .put("id", 1001L)
            .put("customer", new Struct(customer).put("name", "Ann"))
            .put("lines", List.of(
                new Struct(line).put("sku", "A-1").put("qty", 2).put("price", 9.99),
                new Struct(line).put("sku", "B-2").put("qty", 1).put("price", 100.0)))
            .put("tags", linked("channel", "web", "coupon", null)));
    }

    private void nullsAndDefaults() {
        value("optional null", Schema.OPTIONAL_STRING_SCHEMA, null);
        value("null with a default", SchemaBuilder.int32().optional().defaultValue(7).build(), null);
        Schema defaults = SchemaBuilder.struct().name("com.example.Defaults")
            .field("a", SchemaBuilder.int32().optional().defaultValue(42).build())
            .field("b", SchemaBuilder.string().defaultValue("n/a").build())
            .field("c", SchemaBuilder.float64().defaultValue(1.5).build())
            .field("d", SchemaBuilder.bool().optional().defaultValue(true).build())
            .field("e", SchemaBuilder.bytes().defaultValue(new byte[] {1, 2}).build())
            .field("f", SchemaBuilder.float32().optional().defaultValue(0.5f).build())
            .field("g", SchemaBuilder.array(Schema.INT64_SCHEMA).defaultValue(List.of(1L, 2L))
                .build())
            .field("h", SchemaBuilder.int8().optional().defaultValue((byte) 3).build())
            .field("i", Date.builder().defaultValue(new java.util.Date(0)).build())
            .field("j", Decimal.builder(2).defaultValue(new BigDecimal("0.00")).build())
            .field("k", Schema.OPTIONAL_INT32_SCHEMA)
            .build();
        value("defaults", defaults, new Struct(defaults).put("c", 2.5));
        add("kafka null", false, true, null, null);
    }

    private void logicalTypes() {
        value("decimal", Decimal.schema(2), new BigDecimal("12.34"));
        value("negative decimal with precision",
            Decimal.builder(2).parameter("connect.decimal.precision", "10").optional().build(),
            new BigDecimal("-1.00"));
        value("date", Date.SCHEMA, new java.util.Date(19000L * 86_400_000L));
        value("time", Time.SCHEMA, new java.util.Date(3_723_000L));
        value("timestamp", Timestamp.SCHEMA, new java.util.Date(1_700_000_000_123L));
    }

    private void namesAndOrder() {
        value("names versions docs parameters",
            SchemaBuilder.string().name("com.example.Code").version(3)
                .doc("A \"code\", with\ttab").parameter("b", "2").parameter("a", "1").build(),
            "X1");
        Schema reordered = SchemaBuilder.struct().name("com.example.Reordered")
            .field("f", Schema.FLOAT32_SCHEMA)
            .field("d", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .build();
        value("struct built in another order", reordered,
            new Struct(reordered).put("f", 0.25f).put("d", 1.0E21));
    }

    private void stringsBytesAndSchemaless() {
        value("string data", Schema.STRING_SCHEMA, "hello");
        value("bytes data", Schema.BYTES_SCHEMA, new byte[] {0, 1, (byte) 0xfe, (byte) 0xff});
        value("schemaless value", null, linked(
            "a", Arrays.asList(1L, 2.5, "x", null),
            "b", linked("c", true),
            "d", 1.0E-5));
    }

    private void plain() {
        Schema measure = SchemaBuilder.struct()
            .field("id", Schema.INT32_SCHEMA)
            .field("ratio", Schema.FLOAT32_SCHEMA)
            .build();
        add("plain struct", false, false, measure,
            new Struct(measure).put("id", 5).put("ratio", 0.75f));
        add("plain schemaless", false, false, null,
            linked("n", 1.0E7, "list", List.of(true, false), "s", "x"));
        add("plain string data", false, false, Schema.STRING_SCHEMA, "hello");
        add("plain double", false, false, Schema.FLOAT64_SCHEMA, 1.23456789E8);
        add("plain null with a default", false, false,
            SchemaBuilder.int32().optional().defaultValue(7).build(), null);
        add("plain kafka null", false, false, null, null);
    }

    private void keys() {
        add("key int64", true, true, Schema.INT64_SCHEMA, 42L);
        Schema key = SchemaBuilder.struct().name("com.example.Key")
            .field("id", Schema.INT64_SCHEMA)
            .build();
        add("key struct", true, true, key, new Struct(key).put("id", 42L));
        add("key plain string data", true, false, Schema.STRING_SCHEMA, "user-1");
        Schema region = SchemaBuilder.struct()
            .field("id", Schema.INT64_SCHEMA)
            .field("region", Schema.STRING_SCHEMA)
            .build();
        add("key plain struct", true, false, region,
            new Struct(region).put("id", 42L).put("region", "eu"));
    }
}
