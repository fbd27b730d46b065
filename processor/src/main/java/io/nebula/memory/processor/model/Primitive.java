package io.nebula.memory.processor.model;

import java.util.Locale;

/** A primitive field type and the {@code java.lang.foreign.ValueLayout} constants that describe it. */
public enum Primitive {
    /** {@code byte}: one byte. */
    BYTE(1, "OfByte", "JAVA_BYTE", "JAVA_BYTE"),
    /** {@code short}: two bytes. */
    SHORT(2, "OfShort", "JAVA_SHORT", "JAVA_SHORT_UNALIGNED"),
    /** {@code char}: two bytes, an unsigned UTF-16 code unit. */
    CHAR(2, "OfChar", "JAVA_CHAR", "JAVA_CHAR_UNALIGNED"),
    /** {@code int}: four bytes. */
    INT(4, "OfInt", "JAVA_INT", "JAVA_INT_UNALIGNED"),
    /** {@code long}: eight bytes. */
    LONG(8, "OfLong", "JAVA_LONG", "JAVA_LONG_UNALIGNED"),
    /** {@code float}: four bytes, IEEE 754. */
    FLOAT(4, "OfFloat", "JAVA_FLOAT", "JAVA_FLOAT_UNALIGNED"),
    /** {@code double}: eight bytes, IEEE 754. */
    DOUBLE(8, "OfDouble", "JAVA_DOUBLE", "JAVA_DOUBLE_UNALIGNED"),
    /** {@code boolean}: one byte, zero is {@code false}. */
    BOOLEAN(1, "OfBoolean", "JAVA_BOOLEAN", "JAVA_BOOLEAN");

    private final int size;
    private final String layoutClass;
    private final String alignedConstant;
    private final String unalignedConstant;

    Primitive(int size, String layoutClass, String alignedConstant, String unalignedConstant) {
        this.size = size;
        this.layoutClass = layoutClass;
        this.alignedConstant = alignedConstant;
        this.unalignedConstant = unalignedConstant;
    }

    /**
     * The size in bytes, which is also the natural alignment.
     *
     * @return the size in bytes
     */
    public int size() {
        return size;
    }

    /**
     * Whether the byte order matters for this type.
     *
     * @return {@code true} for types wider than one byte
     */
    public boolean hasByteOrder() {
        return size > 1;
    }

    /**
     * The simple name of the nested {@code ValueLayout} interface for this type.
     *
     * @return for example {@code OfInt}
     */
    public String layoutClass() {
        return layoutClass;
    }

    /**
     * The name of the {@code ValueLayout} constant for this type.
     *
     * @param unaligned whether the access may be unaligned
     * @return for example {@code JAVA_INT} or {@code JAVA_INT_UNALIGNED}
     */
    public String layoutConstant(boolean unaligned) {
        return unaligned ? unalignedConstant : alignedConstant;
    }

    /**
     * The Java keyword of this type.
     *
     * @return for example {@code int}
     */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
