package io.nebula.memory.internal;

/**
 * Writes one JSON object, member by member, with strings escaped as RFC 8259 requires: the runtime's JSON export
 * of configurations and statistics, with no library.
 * <pre>{@code
 * String json = Json.object().member("threadSafe", true).member("leakPolicy", "WARN").toString();
 * }</pre>
 * Members appear in the order written. A {@code double} that is not finite (JSON has no NaN or infinity) is
 * written as {@code null}.
 */
public final class Json {

    private final StringBuilder out = new StringBuilder(128).append('{');
    private boolean first = true;

    private Json() {
    }

    /**
     * Starts an object.
     *
     * @return an empty object
     */
    public static Json object() {
        return new Json();
    }

    /**
     * Adds a number member.
     *
     * @param name  the member name
     * @param value the value
     * @return this object
     */
    public Json member(String name, long value) {
        name(name).append(value);
        return this;
    }

    /**
     * Adds a number member; {@code null} when the value is NaN or infinite.
     *
     * @param name  the member name
     * @param value the value
     * @return this object
     */
    public Json member(String name, double value) {
        StringBuilder sb = name(name);
        if (Double.isFinite(value)) {
            sb.append(value);
        } else {
            sb.append("null");
        }
        return this;
    }

    /**
     * Adds a number member, or {@code null} when the value is absent.
     *
     * @param name  the member name
     * @param value the value, or empty
     * @return this object
     */
    public Json member(String name, java.util.OptionalInt value) {
        StringBuilder sb = name(name);
        if (value.isPresent()) {
            sb.append(value.getAsInt());
        } else {
            sb.append("null");
        }
        return this;
    }

    /**
     * Adds a boolean member.
     *
     * @param name  the member name
     * @param value the value
     * @return this object
     */
    public Json member(String name, boolean value) {
        name(name).append(value);
        return this;
    }

    /**
     * Adds a string member, escaped; {@code null} writes JSON {@code null}.
     *
     * @param name  the member name
     * @param value the value, or {@code null}
     * @return this object
     */
    public Json member(String name, String value) {
        StringBuilder sb = name(name);
        if (value == null) {
            sb.append("null");
        } else {
            string(sb, value);
        }
        return this;
    }

    /**
     * Adds a member whose value is JSON already, such as another object's {@code toJson()}.
     *
     * @param name the member name
     * @param json a complete JSON value
     * @return this object
     */
    public Json memberJson(String name, String json) {
        name(name).append(json);
        return this;
    }

    /**
     * Closes the object.
     *
     * @return the JSON text
     */
    @Override
    public String toString() {
        return out + "}";
    }

    private StringBuilder name(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        string(out, name);
        return out.append(':');
    }

    /**
     * Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped, everything else
     * (non-ASCII included) as it is.
     *
     * @param sb where to append
     * @param s  the text
     */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 15, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
