package io.nebula.memory.processor.model;

/** One member of a struct layout, in offset order: a field or a run of padding. */
public sealed interface Member permits Field, Member.Padding {
    /**
     * The name of the member in the struct layout.
     *
     * @return the name
     */
    String name();

    /**
     * The offset of the member from the start of the struct, in bytes.
     *
     * @return the offset in bytes
     */
    long offset();

    /**
     * The size of the member in bytes.
     *
     * @return the size in bytes
     */
    long size();

    /**
     * Padding inserted to align the next field, or at the end to round the size up to the alignment.
     *
     * @param name the name of the padding, {@code $pad0}, {@code $pad1}, ...
     * @param offset the offset in bytes
     * @param size the size in bytes, at least 1
     */
    record Padding(String name, long offset, long size) implements Member {
        /** The prefix of every padding name; padding {@code n} (from 0) is named {@code $padn}. */
        public static final String NAME_PREFIX = "$pad";
    }
}
