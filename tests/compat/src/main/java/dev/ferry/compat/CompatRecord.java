/*
 * CompatRecord.java - one record of a record file: the case it belongs to, the converter
 * settings it was written with, and its bytes (null for a Kafka null).
 */
package dev.ferry.compat;

import java.nio.charset.StandardCharsets;

record CompatRecord(String name, boolean key, boolean schemas, byte[] bytes) {
    String text() {
        return bytes == null ? "(Kafka null)" : new String(bytes, StandardCharsets.UTF_8);
    }

    String describe() {
        return "case '" + name + "' (" + (key ? "key" : "value") + ", schemas.enable=" + schemas
            + ")";
    }
}
