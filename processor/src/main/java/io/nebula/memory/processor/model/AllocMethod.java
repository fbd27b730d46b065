package io.nebula.memory.processor.model;

import java.util.List;

/**
 * A validated {@code @Alloc} method: what it allocates and how it initialises it.
 *
 * @param signature the abstract method the generated subclass implements
 * @param allocation what one call allocates
 * @param initialiser how the parameters initialise it
 */
public record AllocMethod(MethodSignature signature, Allocation allocation, Initialiser initialiser) {

    /** What one call of an {@code @Alloc} method allocates. */
    public sealed interface Allocation {
        /**
         * The bytes one call allocates.
         *
         * @return the size in bytes
         */
        long byteSize();

        /**
         * The alignment the allocation needs.
         *
         * @return the alignment in bytes, a power of two
         */
        long alignment();

        /**
         * {@code count} zeroed structs, returned as a view of the first.
         *
         * @param struct the struct
         * @param count the number of structs, at least 1
         */
        record StructView(StructRef struct, int count) implements Allocation {
            @Override
            public long byteSize() {
                return struct.size() * count;
            }

            @Override
            public long alignment() {
                return struct.alignment();
            }
        }

        /**
         * {@code count} zeroed structs, returned as a segment.
         *
         * @param struct the struct
         * @param count the number of structs, at least 1
         */
        record StructSegment(StructRef struct, int count) implements Allocation {
            @Override
            public long byteSize() {
                return struct.size() * count;
            }

            @Override
            public long alignment() {
                return struct.alignment();
            }
        }

        /**
         * A zeroed segment of a given size.
         *
         * @param byteSize the size in bytes, at least 1
         * @param alignment the alignment, a power of two
         */
        record Bytes(long byteSize, long alignment) implements Allocation {
        }
    }

    /** How the parameters of an {@code @Alloc} method initialise the struct it allocates. */
    public sealed interface Initialiser {
        /** No parameters: the memory stays zeroed. */
        record None() implements Initialiser {
        }

        /**
         * One parameter of the record's type sets every field.
         *
         * @param parameter the parameter's name
         */
        record Value(String parameter) implements Initialiser {
        }

        /**
         * Each parameter sets the field of the component it is named after; the other fields stay zero.
         *
         * @param components the parameter (and component) names, in parameter order
         */
        record Fields(List<String> components) implements Initialiser {
            /** Copies the list. */
            public Fields {
                components = List.copyOf(components);
            }
        }
    }
}
