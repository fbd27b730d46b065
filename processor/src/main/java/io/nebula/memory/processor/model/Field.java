package io.nebula.memory.processor.model;

/**
 * A field of a struct: a record component with its place in the layout.
 *
 * @param name the name of the record component, which is also the name in the layout
 * @param type the type of the field, or of its elements if it is an array
 * @param length the number of elements of an array field, or {@link #SCALAR}
 * @param offset the offset from the start of the struct, in bytes
 */
public record Field(String name, FieldType type, int length, long offset) implements Member {
    /** The {@link #length()} of a field that is not an array. */
    public static final int SCALAR = -1;

    /**
     * Whether the field is an inline array.
     *
     * @return {@code true} for an array field
     */
    public boolean isArray() {
        return length != SCALAR;
    }

    @Override
    public long size() {
        return isArray() ? type.size() * length : type.size();
    }
}
