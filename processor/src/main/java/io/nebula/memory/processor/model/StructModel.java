package io.nebula.memory.processor.model;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.Endianness;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.TypeElement;

/**
 * A validated struct: everything the generator needs, with every offset computed.
 *
 * @param element the annotated record, the originating element of the generated file
 * @param recordType the record
 * @param generatedType the class generated for the record
 * @param isPublic whether the generated class is public
 * @param packed whether the struct is packed (every access unaligned)
 * @param byteOrder the byte order of the multi-byte fields
 * @param members the fields and paddings, in offset order
 * @param size the size in bytes, a multiple of the alignment
 * @param alignment the alignment in bytes, a power of two
 * @param naturalAlignment the alignment the struct has without an explicit one
 * @param qualifiedNames simple names the generated code must write qualified, because a type of its package
 *     shadows the {@code java.lang} type of that name
 */
public record StructModel(
        TypeElement element,
        ClassName recordType,
        ClassName generatedType,
        boolean isPublic,
        boolean packed,
        Endianness byteOrder,
        List<Member> members,
        long size,
        long alignment,
        long naturalAlignment,
        Set<String> qualifiedNames) {

    /** Copies the collections. */
    public StructModel {
        members = List.copyOf(members);
        qualifiedNames = Set.copyOf(qualifiedNames);
    }

    /**
     * The fields, in declaration order, which is also offset order.
     *
     * @return the fields
     */
    public List<Field> fields() {
        return members.stream().filter(Field.class::isInstance).map(Field.class::cast).toList();
    }
}
