/*
 * TransformCoverage.java - the transforms-coverage mode: no key of a transform or predicate is
 * forgotten by the table. The classes are every class the table names (`transforms.<a>.type`,
 * `predicates.<p>.type`) and every transformation and predicate connect-transforms ships (its
 * ServiceLoader manifests); for each, every key of its ConfigDef (config().names()) must be set
 * by some case (`transforms.<a>.<key>` of an alias of that class, `predicates.<p>.<key>` of a
 * predicate), and the class must be used by some case. Each miss is printed; the exit status is
 * 1 when there is one.
 */
package dev.ferry.compat;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

final class TransformCoverage {
    private static final String[] MANIFESTS = {
        "META-INF/services/org.apache.kafka.connect.transforms.Transformation",
        "META-INF/services/org.apache.kafka.connect.transforms.predicates.Predicate"};

    private TransformCoverage() {
    }

    /** The classes connect-transforms lists in its ServiceLoader manifests. */
    private static Set<String> shipped() throws IOException {
        Set<String> classes = new TreeSet<>();
        /* connect-transforms' own manifests: Debezium's jar has one too. */
        URL jar = org.apache.kafka.connect.transforms.Cast.class.getProtectionDomain()
            .getCodeSource().getLocation();
        for (String manifest : MANIFESTS) {
            Enumeration<URL> found = TransformCoverage.class.getClassLoader()
                .getResources(manifest);
            while (found.hasMoreElements()) {
                URL url = found.nextElement();
                if (!url.toString().contains(jar.getPath()))
                    continue;
                try (InputStream in = url.openStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .split("\n")) {
                        String name = line.replaceFirst("#.*", "").trim();
                        if (!name.isEmpty())
                            classes.add(name);
                    }
                }
            }
        }
        if (classes.isEmpty())
            throw new IOException("connect-transforms' ServiceLoader manifests list no class");
        return classes;
    }

    private static ConfigDef definition(String className) throws Exception {
        Object instance = Utils.newInstance(Class.forName(className));
        if (instance instanceof Transformation<?> transformation)
            return transformation.config();
        if (instance instanceof Predicate<?> predicate)
            return predicate.config();
        throw new IllegalArgumentException(className + " is neither a Transformation nor a "
            + "Predicate");
    }

    static int run(Path tablePath) throws Exception {
        TransformTable table = TransformTable.read(tablePath, null);
        /* class -> the keys some case sets for it */
        Map<String, Set<String>> set = new TreeMap<>();
        for (String name : shipped())
            set.put(name, null);
        for (TransformTable.Case c : table.cases) {
            for (Map.Entry<String, String> entry : c.config().entrySet()) {
                String[] parts = entry.getKey().split("\\.", 3);
                if (parts.length != 3 || !parts[2].equals("type")
                    || !(parts[0].equals("transforms") || parts[0].equals("predicates")))
                    continue;
                String className = entry.getValue().trim();
                Set<String> keys = set.get(className);
                if (keys == null)
                    set.put(className, keys = new HashSet<>());
                String prefix = parts[0] + "." + parts[1] + ".";
                for (String key : c.config().keySet())
                    if (key.startsWith(prefix))
                        keys.add(key.substring(prefix.length()));
            }
        }
        int misses = 0;
        for (Map.Entry<String, Set<String>> entry : set.entrySet()) {
            String className = entry.getKey();
            if (entry.getValue() == null) {
                System.err.printf("%s: no case uses it%n", className);
                misses++;
                continue;
            }
            ConfigDef definition;
            try {
                definition = definition(className);
            } catch (Exception e) {
                System.err.printf("%s: cannot be loaded: %s%n", className,
                    TransformRun.describe(e));
                misses++;
                continue;
            }
            for (String key : new TreeSet<>(definition.names())) {
                if (!entry.getValue().contains(key)) {
                    System.err.printf("%s: no case sets '%s'%n", className, key);
                    misses++;
                }
            }
        }
        if (misses > 0) {
            System.err.printf("%d keys or classes the table of %s does not cover%n", misses,
                tablePath);
            return 1;
        }
        System.out.printf("the %d cases of %s set every key of the %d transforms and predicates "
            + "they use and connect-transforms %s ships%n", table.cases.size(), tablePath,
            set.size(), KafkaCases.kafkaVersion());
        return 0;
    }
}
