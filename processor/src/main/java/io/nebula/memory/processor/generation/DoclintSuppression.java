package io.nebula.memory.processor.generation;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.TypeSpec;
import com.sun.source.util.JavacTask;
import javax.annotation.processing.ProcessingEnvironment;

/**
 * {@code @SuppressWarnings("doclint:missing")} on a generated struct class, under javac only.
 *
 * <p>The class javadoc of a struct class says once what its accessors share (the {@code segment}, {@code offset},
 * {@code index}, {@code value} and {@code allocator} parameters, what setters return), and each member's doc says
 * what differs in one sentence, without {@code @param} and {@code @return} lines that would repeat the class
 * javadoc. doclint's {@code missing} group asks for those lines on every public method; javac and the javadoc tool
 * honour this suppression (checked on JDK 25), and doclint's other groups ({@code html}, {@code syntax},
 * {@code reference}, {@code accessibility}) still check the generated docs. ECJ runs no doclint and warns about a
 * {@code @SuppressWarnings} token it does not know, which {@code -failOnWarning} turns into an error, so the
 * annotation is added only where the processor runs inside javac.
 */
public final class DoclintSuppression {
    private static final AnnotationSpec SPEC = AnnotationSpec.builder(SuppressWarnings.class)
            .addMember("value", "$S", "doclint:missing").build();

    private final boolean javac;

    private DoclintSuppression(boolean javac) {
        this.javac = javac;
    }

    /**
     * Looks up whether the processor runs inside javac.
     *
     * @param environment the processing environment
     * @return the suppression to add under javac, or one that adds nothing
     */
    public static DoclintSuppression of(ProcessingEnvironment environment) {
        try {
            JavacTask.instance(environment);
            return new DoclintSuppression(true);
        } catch (IllegalArgumentException | LinkageError notJavac) {
            return new DoclintSuppression(false);
        }
    }

    /**
     * Adds {@code @SuppressWarnings("doclint:missing")} to a generated type, under javac.
     *
     * @param type the type being built
     */
    void addTo(TypeSpec.Builder type) {
        if (javac) {
            type.addAnnotation(SPEC);
        }
    }
}
