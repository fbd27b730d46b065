package io.nebula.memory.processor.generation;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeSpec;

import javax.lang.model.util.Elements;

/**
 * The {@code @Generated} annotation that every generated type carries, when the code being compiled can see it
 * ({@code javax.annotation.processing.Generated} lives in {@code java.compiler}, which a named module may not read).
 */
public final class GeneratedAnnotation {

    /** The annotation's qualified name. */
    public static final String NAME = "javax.annotation.processing.Generated";

    private static final String PROCESSOR = "io.nebula.memory.processor.NebulaProcessor";

    /** The annotation to add, or {@code null} when the compiled code cannot see it. */
    private final AnnotationSpec spec;

    private GeneratedAnnotation(AnnotationSpec spec) {
        this.spec = spec;
    }

    /**
     * Looks up whether the code being compiled can see {@code @Generated}.
     *
     * @param elements the compiler's elements
     * @return the annotation to add to generated types, or one that adds nothing
     */
    public static GeneratedAnnotation of(Elements elements) {
        boolean visible = elements.getTypeElement(NAME) != null;
        return new GeneratedAnnotation(visible
                ? AnnotationSpec.builder(ClassName.bestGuess(NAME)).addMember("value", "$S", PROCESSOR).build()
                : null);
    }

    /**
     * Adds {@code @Generated("io.nebula.memory.processor.NebulaProcessor")} to a generated type, if visible.
     *
     * @param type the type being built
     */
    void addTo(TypeSpec.Builder type) {
        if (spec != null) {
            type.addAnnotation(spec);
        }
    }
}
