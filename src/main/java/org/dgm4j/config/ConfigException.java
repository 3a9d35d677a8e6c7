package org.dgm4j.config;

/** A config the run cannot use; the message names where (file:line:column or --set), the key, what was expected and what was found. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
