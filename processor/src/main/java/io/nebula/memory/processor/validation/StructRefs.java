package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.processor.model.StructModel;
import io.nebula.memory.processor.model.StructRef;
import java.util.Optional;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Finds {@code @Struct} records and their generated struct classes. The size and alignment come from the
 * struct class's {@code SIZE} and {@code ALIGNMENT} constants, so a struct class generated in an earlier round,
 * or compiled in an earlier build, serves as well.
 */
final class StructRefs {
    private static final String STRUCT = Struct.class.getCanonicalName();

    private final Elements elements;

    StructRefs(Elements elements) {
        this.elements = elements;
    }

    /** Whether a type is a record annotated with {@code @Struct}. */
    static boolean isStruct(TypeElement type) {
        return type.getKind() == ElementKind.RECORD && Annotations.find(type, STRUCT).isPresent();
    }

    /**
     * The struct of a {@code @Struct} record, once its struct class exists.
     *
     * @return the struct, or empty while the struct class has not been generated
     */
    Optional<StructRef> ofRecord(TypeElement record) {
        ClassName structClass = StructModel.generatedTypeOf(ClassName.get(record));
        TypeElement generated = elements.getTypeElement(structClass.canonicalName());
        if (generated == null) {
            return Optional.empty();
        }
        Optional<Long> size = constant(generated, "SIZE");
        Optional<Long> alignment = constant(generated, "ALIGNMENT");
        if (size.isEmpty() || alignment.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new StructRef(record, structClass, size.get(), alignment.get()));
    }

    /**
     * The record whose generated view a type is: {@code PointStruct.View} gives {@code Point}.
     *
     * @return the record, or empty when the type is not the view of a struct class
     */
    Optional<TypeElement> recordOfView(TypeMirror mirror) {
        if (mirror.getKind() != TypeKind.DECLARED) {
            return Optional.empty();
        }
        Element view = ((DeclaredType) mirror).asElement();
        if (!view.getSimpleName().contentEquals("View")
                || !(view.getEnclosingElement() instanceof TypeElement structClass)) {
            return Optional.empty();
        }
        String name = structClass.getSimpleName().toString();
        if (!name.endsWith("Struct") || name.length() == "Struct".length()
                || !(structClass.getEnclosingElement() instanceof javax.lang.model.element.PackageElement pkg)) {
            return Optional.empty();
        }
        String prefix = pkg.isUnnamed() ? "" : pkg.getQualifiedName() + ".";
        String simple = name.substring(0, name.length() - "Struct".length());
        for (String candidate : new String[] {prefix + simple.replace('_', '.'), prefix + simple}) {
            TypeElement record = elements.getTypeElement(candidate);
            if (record != null && isStruct(record)
                    && StructModel.generatedTypeOf(ClassName.get(record)).canonicalName()
                            .contentEquals(structClass.getQualifiedName())) {
                return Optional.of(record);
            }
        }
        return Optional.empty();
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
