package org.dgm4j.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One setting as the user wrote it, before it is checked against the schema: a dotted key, the value's
 * text and where it came from ({@code run.yaml:4:11}, {@code --set}) so errors can point at it.
 */
public record ConfigEntry(String key, String text, String where) {
    /** {@code key=value} from the command line. */
    public static ConfigEntry assignment(String option, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new ConfigException(option + " " + assignment + ": expected key=value, found no '='" + (eq == 0 ? " key" : ""));
        return new ConfigEntry(assignment.substring(0, eq).trim(), assignment.substring(eq + 1), option + " " + assignment);
    }

    /**
     * The scalar settings of a YAML file, nested mappings flattened to dotted keys ({@code train: {epochs: 5}}
     * and {@code train.epochs: 5} are the same). Lists, anchors to non-scalars, empty values and
     * duplicate keys are errors at their line and column.
     */
    public static List<ConfigEntry> yaml(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Node root;
        try {
            root = new Yaml(options).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new ConfigException(at(file, m) + ": not valid YAML: " + e.getProblem());
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        List<ConfigEntry> out = new ArrayList<>();
        if (root == null) return out; // an empty file sets nothing
        if (!(root instanceof MappingNode map)) throw new ConfigException(at(file, root.getStartMark()) + ": expected a mapping of keys to values, found " + kind(root));
        flatten(file, "", map, out, new HashMap<>());
        return out;
    }

    private static void flatten(Path file, String prefix, MappingNode map, List<ConfigEntry> out, Map<String, String> seen) {
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) throw new ConfigException(at(file, t.getKeyNode().getStartMark()) + ": expected a plain key, found " + kind(t.getKeyNode()));
            String key = prefix + k.getValue().trim();
            Node v = t.getValueNode();
            String where = at(file, k.getStartMark());
            if (v instanceof MappingNode m) {
                flatten(file, key + ".", m, out, seen);
            } else if (v instanceof ScalarNode s) {
                if (s.getValue().isEmpty() && s.getTag().getValue().endsWith(":null")) {
                    throw new ConfigException(where + ": key " + key + " has no value");
                }
                String first = seen.put(key, where);
                if (first != null) throw new ConfigException(where + ": key " + key + " is set twice (first at " + first + ")");
                out.add(new ConfigEntry(key, s.getValue(), where));
            } else {
                throw new ConfigException(at(file, v.getStartMark()) + ": key " + key + ": expected a single value, found " + kind(v));
            }
        }
    }

    private static String kind(Node n) {
        return n.getNodeId().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** file:line:column, 1-based like editors show it. */
    private static String at(Path file, Mark m) {
        return m == null ? file.toString() : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
    }
}
