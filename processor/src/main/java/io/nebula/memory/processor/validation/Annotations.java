package io.nebula.memory.processor.validation;

import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/** Reads annotations through their mirrors, so that values keep their source positions for diagnostics. */
public final class Annotations {
    private Annotations() {
    }

    /**
     * The annotation of the given type on an element.
     *
     * @param element the annotated element
     * @param annotationType the canonical name of the annotation type
     * @return the annotation, if present
     */
    public static Optional<AnnotationMirror> find(Element element, String annotationType) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
            if (type.getQualifiedName().contentEquals(annotationType)) {
                return Optional.of(mirror);
            }
        }
        return Optional.empty();
    }

    /**
     * The value written explicitly in the source for an annotation element; defaults are not included.
     *
     * @param mirror the annotation
     * @param name the name of the annotation element
     * @return the explicit value, if written
     */
    public static Optional<AnnotationValue> explicitValue(AnnotationMirror mirror, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : mirror.getElementValues().entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * The value of an annotation element, explicit or the declared default.
     *
     * @param mirror the annotation
     * @param name the name of the annotation element
     * @return the value, or empty when neither written nor defaulted (a compile error javac reports itself)
     */
    public static Optional<Object> value(AnnotationMirror mirror, String name) {
        Optional<AnnotationValue> explicit = explicitValue(mirror, name);
        if (explicit.isPresent()) {
            return Optional.of(explicit.get().getValue());
        }
        for (Element member : mirror.getAnnotationType().asElement().getEnclosedElements()) {
            if (member instanceof ExecutableElement method && method.getSimpleName().contentEquals(name)
                    && method.getDefaultValue() != null) {
                return Optional.of(method.getDefaultValue().getValue());
            }
        }
        return Optional.empty();
    }
}
