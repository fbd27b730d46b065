package io.nebula.memory.processor.model;

/**
 * The naming scheme of generated members, in one place: the validator checks these names for clashes, the
 * generator emits them.
 */
public final class Names {
    private Names() {
    }

    /**
     * The offset constant of a field: {@code fooBar} gives {@code OFFSET_FOO_BAR}.
     *
     * @param field the field name
     * @return the constant name
     */
    public static String offsetConstant(String field) {
        return "OFFSET_" + upperSnake(field);
    }

    /**
     * The length constant of an array field: {@code fooBar} gives {@code LENGTH_FOO_BAR}.
     *
     * @param field the field name
     * @return the constant name
     */
    public static String lengthConstant(String field) {
        return "LENGTH_" + upperSnake(field);
    }

    /**
     * A field name in upper snake case: {@code fooBar} gives {@code FOO_BAR}.
     *
     * @param name the field name
     * @return the name in upper snake case
     */
    public static String upperSnake(String name) {
        StringBuilder result = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(name.charAt(i - 1))
                    && name.charAt(i - 1) != '_') {
                result.append('_');
            }
            result.append(Character.toUpperCase(c));
        }
        return result.toString();
    }

    /**
     * A field name with its first letter in upper case: {@code fooBar} gives {@code FooBar}.
     *
     * @param name the field name
     * @return the capitalized name
     */
    public static String capitalize(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
