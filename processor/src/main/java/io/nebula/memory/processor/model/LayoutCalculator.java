package io.nebula.memory.processor.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes a C-like struct layout: each field at the next multiple of its alignment, named padding in the gaps,
 * the size rounded up to the alignment of the struct. A pure function of its input, with no compiler types.
 */
public final class LayoutCalculator {
    private LayoutCalculator() {
    }

    /**
     * A field to place.
     *
     * @param name the field name
     * @param type the type of the field or of its elements
     * @param length the array length, or {@link Field#SCALAR}
     */
    public record Input(String name, FieldType type, int length) {
    }

    /**
     * A computed layout.
     *
     * @param members the fields and paddings in offset order
     * @param size the size in bytes
     * @param alignment the alignment in bytes
     * @param naturalAlignment the alignment without an explicit one
     * @param naturalAlignmentField the field that sets the natural alignment
     */
    public record Result(List<Member> members, long size, long alignment, long naturalAlignment,
            String naturalAlignmentField) {
    }

    /**
     * Thrown when a size or offset does not fit in a {@code long}.
     */
    public static final class OverflowException extends Exception {
        private static final long serialVersionUID = 1L;

        /** The field at which the size overflowed. */
        private final String field;

        OverflowException(String field) {
            super("size overflows a long at field " + field, null, false, false);
            this.field = field;
        }

        /**
         * The field at which the size overflowed.
         *
         * @return the field name
         */
        public String field() {
            return field;
        }
    }

    /**
     * Lays out the fields.
     *
     * @param inputs the fields, in declaration order, at least one
     * @param packed whether to pack the fields without padding
     * @param explicitAlignment the requested alignment of the struct, a power of two no smaller than the natural
     *     alignment, or a value below 1 for the natural alignment
     * @return the layout
     * @throws OverflowException if the size does not fit in a {@code long}
     */
    public static Result compute(List<Input> inputs, boolean packed, long explicitAlignment)
            throws OverflowException {
        List<Member> members = new ArrayList<>();
        long offset = 0;
        long natural = 1;
        String naturalField = inputs.getFirst().name();
        int paddings = 0;
        for (Input input : inputs) {
            long alignment = packed ? 1 : input.type().alignment();
            if (alignment > natural) {
                natural = alignment;
                naturalField = input.name();
            }
            try {
                long aligned = alignUp(offset, alignment);
                if (aligned > offset) {
                    members.add(new Member.Padding(Member.Padding.NAME_PREFIX + paddings++, offset, aligned - offset));
                }
                long size = input.length() == Field.SCALAR
                        ? input.type().size()
                        : Math.multiplyExact(input.type().size(), (long) input.length());
                members.add(new Field(input.name(), input.type(), input.length(), aligned));
                offset = Math.addExact(aligned, size);
            } catch (ArithmeticException e) {
                throw new OverflowException(input.name());
            }
        }
        long alignment = explicitAlignment >= 1 ? Math.max(explicitAlignment, natural) : natural;
        long size;
        try {
            size = alignUp(offset, alignment);
        } catch (ArithmeticException e) {
            throw new OverflowException(inputs.getLast().name());
        }
        if (size > offset) {
            members.add(new Member.Padding(Member.Padding.NAME_PREFIX + paddings, offset, size - offset));
        }
        return new Result(members, size, alignment, natural, naturalField);
    }

    private static long alignUp(long offset, long alignment) {
        long mask = alignment - 1;
        return Math.addExact(offset, mask) & ~mask;
    }

    /**
     * Describes a layout for a message: {@code x: int @0, $pad0 @4 (4 bytes), ...}.
     *
     * @param members the members of the layout
     * @return a one-line description
     */
    public static String describe(List<Member> members) {
        StringBuilder text = new StringBuilder();
        for (Member member : members) {
            if (!text.isEmpty()) {
                text.append(", ");
            }
            switch (member) {
                case Field field -> text.append(field.name()).append(": ").append(field.type())
                        .append(field.isArray() ? "[" + field.length() + "]" : "")
                        .append(" @").append(field.offset());
                case Member.Padding padding -> text.append(padding.name()).append(" @").append(padding.offset())
                        .append(" (").append(padding.size()).append(padding.size() == 1 ? " byte)" : " bytes)");
            }
        }
        return text.toString();
    }
}
