package io.nebula.memory.processor.model;

import com.palantir.javapoet.ClassName;

/**
 * A {@code @Struct} record as the allocator code sees it: its generated struct class, whose {@code SIZE} and
 * {@code ALIGNMENT} constants the generated code reads, and the size and alignment the checks use.
 *
 * @param recordType the record
 * @param structClass the generated struct class, such as {@code PointStruct}
 * @param size the struct's size in bytes
 * @param alignment the struct's alignment in bytes
 */
public record StructRef(ClassName recordType, ClassName structClass, long size, long alignment) {

    /**
     * The view class generated inside the struct class.
     *
     * @return {@code PointStruct.View} for {@code Point}
     */
    public ClassName viewClass() {
        return GeneratedKind.viewOf(structClass);
    }
}
