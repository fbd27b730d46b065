package io.nebula.memory.processor.diagnostics;

import java.util.Locale;

/**
 * Every diagnostic the processor can print, in one place. Each carries a short tag, printed as
 * {@code [nebula/Tag]} in front of the text, that users can search for; each text says what is wrong, with the
 * numbers involved, and how to fix it. Arguments are {@link String#format(String, Object...)} arguments.
 */
public enum Message {
    /** {@code @Struct} on a class, interface or enum. Args: type, kind of element, simple name. */
    STRUCT_NOT_RECORD("StructNotRecord",
            "@Struct applies to records only, but %s is %s. Declare it as a record whose components are the"
                    + " fields, for example: record %s(int x, int y) {}"),
    /** A generic struct record. Args: type, type parameters. */
    STRUCT_GENERIC("GenericStruct",
            "@Struct record %s declares type parameters %s, but a native layout needs concrete field types."
                    + " Remove the type parameters"),
    /** A struct record without components. Args: type, simple name. */
    STRUCT_EMPTY("EmptyStruct",
            "@Struct record %s has no components, but a native struct needs at least one field. Add one, for"
                    + " example: record %s(int value) {}"),
    /** A private or local struct record. Args: type, why, generated class. */
    STRUCT_INACCESSIBLE("InaccessibleStruct",
            "@Struct record %s is %s, so the generated %s cannot refer to it. Make it (and every type enclosing it)"
                    + " at least package-private, and declare it outside any method"),
    /** A component whose type has no native layout. Args: component, type, hint. */
    UNSUPPORTED_TYPE("UnsupportedType",
            "Component %s has type %s, which has no native layout. Supported: byte, short, char, int, long, float,"
                    + " double, boolean, a @Struct record, or a one-dimensional array of these with"
                    + " @Array(length = N).%s"),
    /** An array component without {@code @Array}. Args: component, element type. */
    ARRAY_WITHOUT_LENGTH("MissingArrayLength",
            "Array component %s has no fixed length, so it cannot be laid out inline. Annotate it with"
                    + " @Array(length = N), for example: @Array(length = 16) %s[] %s"),
    /** {@code @Array(length = n)} with n &lt;= 0. Args: component, length. */
    ARRAY_LENGTH_NOT_POSITIVE("ArrayLength",
            "@Array(length = %2$d) on %1$s: the length must be at least 1. Give the number of elements the"
                    + " array holds inline"),
    /** {@code @Array} on a component that is not an array. Args: component, type. */
    ARRAY_ON_NON_ARRAY("ArrayOnNonArray",
            "@Array applies to array components, but %s has type %s. Remove @Array, or make the component an"
                    + " array"),
    /** {@code @Array} on a component of a record that is not a struct. Args: component, record. */
    ARRAY_OUTSIDE_STRUCT("ArrayOutsideStruct",
            "@Array on %s has no effect: %s is not annotated with @Struct. Annotate the record with @Struct, or"
                    + " remove @Array"),
    /** A struct whose size does not fit in a long. Args: type, component. */
    SIZE_OVERFLOW("SizeOverflow",
            "Struct %s is too large: its size in bytes overflows a long at component %s. Reduce the array"
                    + " lengths"),
    /** An explicit alignment that is not a power of two. Args: alignment, lower power, higher power. */
    ALIGNMENT_NOT_POWER_OF_TWO("Alignment",
            "alignment = %d is not a power of two. Use a power of two, for example %d or %d"),
    /** An explicit alignment below the natural one. Args: alignment, type, natural, field. */
    ALIGNMENT_BELOW_NATURAL("Alignment",
            "alignment = %d is below the natural alignment of %s, which is %d (field %s). Use %3$d or a larger"
                    + " power of two, or remove alignment"),
    /** A declared size that differs from the computed one. Args: declared, type, computed, layout. */
    SIZE_MISMATCH("SizeMismatch",
            "size = %d, but the computed layout of %s is %d bytes: %s. Change the fields, or declare size = %3$d"),
    /** A struct that contains itself. Args: type, cycle. */
    STRUCT_CYCLE("StructCycle",
            "Struct %s contains itself: %s. A struct is laid out inline, so it cannot contain itself; store an"
                    + " index or an offset (an int or a long) instead"),
    /** A struct of alignment above 1 in a packed struct. Args: packed type, component, nested, alignment. */
    PACKED_NESTED("PackedNested",
            "Packed struct %s cannot hold %s at an unaligned offset: %s has alignment %d. Declare %3$s with"
                    + " @Struct(packed = true), or remove packed from %1$s"),
    /** A component named like a method of the generated view. Args: component, view method. */
    RESERVED_NAME("ReservedName",
            "Component %s has the name of the generated method View.%s(). Rename the component"),
    /** Two components whose generated names collide. Args: component, other component, generated name. */
    NAME_CLASH("NameClash",
            "Components %s and %s both generate the member %s. Rename one of them"),
    /** A struct still referring to an unresolved type after the last round. Args: type, component, type. */
    UNRESOLVED_TYPE("UnresolvedType",
            "Did not generate the struct code of %s: component %s has the type %s, which could not be resolved."
                    + " Check its import, or the processor that should generate it"),
    /** A generated file that could not be written. Args: file, cause. */
    WRITE_FAILED("WriteFailed", "Could not write %s: %s"),
    /** An unexpected failure of the processor itself. Args: type, exception. */
    INTERNAL_ERROR("InternalError",
            "The processor failed on %s with %s. This is a bug in nebula-memory; please report it with this"
                    + " message and the declaration");

    private final String tag;
    private final String format;

    Message(String tag, String format) {
        this.tag = tag;
        this.format = format;
    }

    /**
     * The searchable tag of this message.
     *
     * @return the tag, for example {@code nebula/UnsupportedType}
     */
    public String tag() {
        return "nebula/" + tag;
    }

    /**
     * The full text of this message with the given arguments.
     *
     * @param args the arguments of the message's format
     * @return the text, starting with the bracketed tag
     */
    public String format(Object... args) {
        return "[" + tag() + "] " + String.format(Locale.ROOT, format, args);
    }
}
