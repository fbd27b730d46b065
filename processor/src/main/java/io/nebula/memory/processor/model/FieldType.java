package io.nebula.memory.processor.model;

/** The type of a field, or of the elements of an array field: a primitive or a nested struct. */
public sealed interface FieldType {
    /**
     * The size in bytes of one value of this type.
     *
     * @return the size in bytes
     */
    long size();

    /**
     * The natural alignment in bytes of this type.
     *
     * @return the alignment in bytes
     */
    long alignment();

    /**
     * A primitive field type.
     *
     * @param primitive the primitive
     */
    record OfPrimitive(Primitive primitive) implements FieldType {
        @Override
        public long size() {
            return primitive.size();
        }

        @Override
        public long alignment() {
            return primitive.size();
        }

        @Override
        public String toString() {
            return primitive.keyword();
        }
    }

    /**
     * A nested struct, laid out inline.
     *
     * @param struct the model of the nested struct
     */
    record OfStruct(StructModel struct) implements FieldType {
        @Override
        public long size() {
            return struct.size();
        }

        @Override
        public long alignment() {
            return struct.alignment();
        }

        @Override
        public String toString() {
            return struct.recordType().simpleName();
        }
    }
}
