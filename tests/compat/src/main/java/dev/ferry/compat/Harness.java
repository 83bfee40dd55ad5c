/*
 * Harness.java - ferry's compatibility harness: Apache Kafka's own JsonConverter (connect-json,
 * from Maven Central) run over record files (RecordFile), one mode per check.
 *
 *   roundtrip FILE...   every record is read by Kafka's JsonConverter, configured as the record
 *                       says, and written again: the bytes must be the same (RoundTrip)
 *   write FILE          Kafka's JsonConverter writes the records of KafkaCases into FILE, for
 *                       ferry to read (tests/compat/test_compat_ferry_reads_kafka.c)
 *   transforms TABLE SEED COUNT OUT
 *                       Kafka Connect's transforms apply the cases of the table (a directory,
 *                       tests/compat/transforms) to its records and to COUNT random records
 *                       drawn from SEED; OUT gets random.jsonl, inputs.jsonl and kafka.jsonl
 *                       (TransformRun), for ferry to do the same (compat_transforms.c)
 *   transforms-coverage TABLE
 *                       every key of every transform and predicate is set by some case
 *                       (TransformCoverage)
 *
 * Exit status: 0 all is well, 1 a check failed (each failure is printed with its record and the
 * texts involved), 2 bad usage. New checks (transforms, other converters) are new modes.
 */
package dev.ferry.compat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

public final class Harness {
    /** A check: takes the mode's arguments, prints what it found, returns the exit status. */
    interface Mode {
        int run(List<String> arguments) throws Exception;
    }

    private static final Map<String, Mode> MODES = Map.of(
        "roundtrip", Harness::roundTrip,
        "write", Harness::write,
        "transforms", Harness::transforms,
        "transforms-coverage", Harness::transformsCoverage);

    private Harness() {
    }

    private static int roundTrip(List<String> files) throws Exception {
        if (files.isEmpty())
            return usage("roundtrip needs at least one record file");
        List<CompatRecord> records = new ArrayList<>();
        for (String file : files)
            records.addAll(RecordFile.read(Path.of(file)));
        return RoundTrip.run(records);
    }

    private static int write(List<String> arguments) throws Exception {
        if (arguments.size() != 1)
            return usage("write needs exactly one output file");
        List<CompatRecord> records = KafkaCases.records();
        RecordFile.write(Path.of(arguments.get(0)), records);
        System.out.printf("Kafka's JsonConverter (connect-json %s) wrote %d records to %s%n",
            KafkaCases.kafkaVersion(), records.size(), arguments.get(0));
        return 0;
    }

    private static int transforms(List<String> arguments) throws Exception {
        if (arguments.size() != 4)
            return usage("transforms needs TABLE SEED COUNT OUT");
        return TransformRun.run(Path.of(arguments.get(0)), Long.parseLong(arguments.get(1)),
            Integer.parseInt(arguments.get(2)), Path.of(arguments.get(3)));
    }

    private static int transformsCoverage(List<String> arguments) throws Exception {
        if (arguments.size() != 1)
            return usage("transforms-coverage needs TABLE");
        return TransformCoverage.run(Path.of(arguments.get(0)));
    }

    private static int usage(String problem) {
        System.err.println("compat harness: " + problem);
        System.err.println("usage: Harness roundtrip FILE... | Harness write FILE | "
            + "Harness transforms TABLE SEED COUNT OUT | Harness transforms-coverage TABLE");
        return 2;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0)
            System.exit(usage("no mode given"));
        Mode mode = MODES.get(args[0]);
        if (mode == null)
            System.exit(usage("unknown mode '" + args[0] + "'"));
        System.exit(mode.run(Arrays.asList(args).subList(1, args.length)));
    }
}
