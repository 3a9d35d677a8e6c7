package org.dgm4j.config;

import java.util.List;
import java.util.Locale;

/**
 * One setting a run accepts: its dotted name ({@code train.epochs}), type, default and help text.
 * {@code choices} (strings only) lists the accepted values; empty means any.
 */
public record ConfigKey(String name, Type type, Object defaultValue, String description, List<String> choices) {
    /** The value types a config holds; each parses the text a user wrote (YAML scalar or --set value). */
    public enum Type {
        INT("an integer"), LONG("an integer"), DOUBLE("a number"), BOOL("true or false"), STRING("a string");

        private final String expected;

        Type(String expected) {
            this.expected = expected;
        }

        public String expected() {
            return expected;
        }
    }

    public ConfigKey {
        if (!name.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*")) throw new IllegalArgumentException("bad config key name '" + name + "'");
        choices = List.copyOf(choices);
        if (parse(type, choices, defaultValue.toString()) == null) throw new IllegalArgumentException("default of " + name + " is not " + type.expected());
    }

    public static ConfigKey integer(String name, int defaultValue, String description) {
        return new ConfigKey(name, Type.INT, defaultValue, description, List.of());
    }

    public static ConfigKey longInteger(String name, long defaultValue, String description) {
        return new ConfigKey(name, Type.LONG, defaultValue, description, List.of());
    }

    public static ConfigKey number(String name, double defaultValue, String description) {
        return new ConfigKey(name, Type.DOUBLE, defaultValue, description, List.of());
    }

    public static ConfigKey bool(String name, boolean defaultValue, String description) {
        return new ConfigKey(name, Type.BOOL, defaultValue, description, List.of());
    }

    public static ConfigKey string(String name, String defaultValue, String description) {
        return new ConfigKey(name, Type.STRING, defaultValue, description, List.of());
    }

    public static ConfigKey choice(String name, String defaultValue, String description, String... choices) {
        return new ConfigKey(name, Type.STRING, defaultValue, description, List.of(choices));
    }

    /** The value {@code text} denotes, or null when it is not of this key's type (or not one of its choices). */
    public Object parse(String text) {
        return parse(type, choices, text);
    }

    private static Object parse(Type type, List<String> choices, String text) {
        String t = text.trim();
        try {
            return switch (type) {
                case INT -> Integer.parseInt(t.replace("_", ""));
                case LONG -> Long.parseLong(t.replace("_", ""));
                case DOUBLE -> {
                    double d = Double.parseDouble(t);
                    yield Double.isNaN(d) ? null : d;
                }
                case BOOL -> switch (t.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on" -> Boolean.TRUE;
                    case "false", "no", "off" -> Boolean.FALSE;
                    default -> null;
                };
                case STRING -> choices.isEmpty() || choices.contains(t) ? t : null;
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** What a valid value looks like, for error messages and help. */
    public String expected() {
        return choices.isEmpty() ? type.expected() : "one of " + String.join(", ", choices);
    }
}
