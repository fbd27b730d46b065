package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.processor.model.GeneratedKind;
import io.nebula.memory.processor.model.StructModel;
import io.nebula.memory.processor.model.StructRef;
import java.util.Optional;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Finds {@code @Struct} records and what the allocator code needs of them. A record of this compilation is read
 * from its model, so an allocator generates in the same round as the structs it uses; a record from the class path
 * is read from its generated struct class's {@code SIZE} and {@code ALIGNMENT} constants.
 */
final class StructRefs {
    private static final String STRUCT = Struct.class.getCanonicalName();

    /** The outcome of looking a struct up. */
    sealed interface Lookup {
        /** Found: the struct, as the allocator code uses it. */
        record Found(StructRef struct) implements Lookup {
        }

        /** The record is invalid; its own errors say why, so users of it report nothing more. */
        record Broken() implements Lookup {
        }

        /** Not resolved yet: wait for a later round. */
        record Pending() implements Lookup {
        }
    }

    private final Elements elements;
    private final ScopedTypes scopedTypes;
    private final GeneratedTypes generated;

    StructRefs(Elements elements, ScopedTypes scopedTypes, GeneratedTypes generated) {
        this.elements = elements;
        this.scopedTypes = scopedTypes;
        this.generated = generated;
    }

    /** Whether a type is a record annotated with {@code @Struct}. */
    static boolean isStruct(TypeElement type) {
        return type.getKind() == ElementKind.RECORD && Annotations.find(type, STRUCT).isPresent();
    }

    /** The struct of a {@code @Struct} record: from its model, or from its struct class on the class path. */
    Lookup ofRecord(TypeElement record) {
        Optional<Resolution> resolution = generated.structOf(record);
        if (resolution.isPresent()) {
            return switch (resolution.get()) {
                case Resolution.Valid(StructModel model) -> new Lookup.Found(
                        new StructRef(model.recordType(), model.generatedType(), model.size(), model.alignment()));
                case Resolution.Invalid invalid -> new Lookup.Broken();
                case Resolution.Deferred deferred -> new Lookup.Pending();
            };
        }
        ClassName structClass = GeneratedKind.STRUCT_CLASS.nameFor(ClassName.get(record));
        TypeElement compiled = elements.getTypeElement(structClass.canonicalName());
        if (compiled == null) {
            return new Lookup.Pending();
        }
        Optional<Long> size = constant(compiled, "SIZE");
        Optional<Long> alignment = constant(compiled, "ALIGNMENT");
        if (size.isEmpty() || alignment.isEmpty()) {
            return new Lookup.Pending();
        }
        return new Lookup.Found(new StructRef(ClassName.get(record), structClass, size.get(), alignment.get()));
    }

    /**
     * The record whose generated view a type is: {@code PointStruct.View} gives {@code Point}. A compiled view is
     * recognised by its {@code toRecord()}; a view generated in this round, still unresolved where the user wrote
     * it, through the names this compilation generates.
     *
     * @param mirror the type
     * @param user the class whose source mentions it
     * @return the record, or empty when the type is not the view of a struct class
     */
    Optional<TypeElement> recordOfView(TypeMirror mirror, TypeElement user) {
        if (mirror.getKind() == TypeKind.ERROR) {
            return generated.resolve(mirror.toString(), user)
                    .filter(w -> w.view() && w.claim().kind() == GeneratedKind.STRUCT_CLASS)
                    .map(w -> w.claim().source());
        }
        if (mirror.getKind() != TypeKind.DECLARED) {
            return Optional.empty();
        }
        return scopedTypes.viewedRecord((TypeElement) ((DeclaredType) mirror).asElement());
    }

    private static Optional<Long> constant(TypeElement type, String name) {
        for (VariableElement field : ElementFilter.fieldsIn(type.getEnclosedElements())) {
            if (field.getSimpleName().contentEquals(name) && field.getConstantValue() instanceof Long value) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
