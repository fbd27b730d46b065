package io.nebula.memory;

import java.util.Objects;
import java.util.Optional;

/**
 * Where an allocator's configuration was written, so that an error can say what to change, there. A configuration
 * written in code ({@link #code()}, the default) gets suggestions that name the factory or the config method to
 * call: "Increase the capacity to at least 4480 bytes (BumpAllocator.create(4480))." One that the annotation
 * processor generated for an {@code @Allocator} class ({@link #allocatorAnnotation(String)}) gets suggestions
 * that name the annotation attribute to change on that class: "Raise @Allocator(size = 4480) on
 * app.RequestHandler.", and none that the annotation cannot express.
 *
 * <p>Set it with {@code withOrigin} on {@code BumpConfig}, {@code PoolConfig} or {@code StackConfig}; generated
 * {@code _Memory} classes do. It changes nothing but the text of suggestions.
 */
public final class ConfigOrigin {
    private static final ConfigOrigin CODE = new ConfigOrigin(null);

    /** The annotated class, or {@code null} for a configuration written in code. */
    private final String annotatedClass;

    private ConfigOrigin(String annotatedClass) {
        this.annotatedClass = annotatedClass;
    }

    /**
     * A configuration written in code: the default.
     *
     * @return the origin
     */
    public static ConfigOrigin code() {
        return CODE;
    }

    /**
     * A configuration that the annotation processor generated from {@code @Allocator} on a class.
     *
     * @param annotatedClass the class's canonical name, for example {@code app.RequestHandler}
     * @return the origin
     * @throws IllegalArgumentException when the name is blank
     * @throws NullPointerException     when {@code annotatedClass} is {@code null}
     */
    public static ConfigOrigin allocatorAnnotation(String annotatedClass) {
        Objects.requireNonNull(annotatedClass, "annotatedClass");
        if (annotatedClass.isBlank()) {
            throw new IllegalArgumentException("the annotated class's name is blank");
        }
        return new ConfigOrigin(annotatedClass);
    }

    /**
     * The class whose {@code @Allocator} the configuration was generated from.
     *
     * @return the class's canonical name, or empty for a configuration written in code
     */
    public Optional<String> annotatedClass() {
        return Optional.ofNullable(annotatedClass);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConfigOrigin that && Objects.equals(annotatedClass, that.annotatedClass);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(annotatedClass);
    }

    /** {@code code} or {@code @Allocator on app.RequestHandler}. */
    @Override
    public String toString() {
        return annotatedClass == null ? "code" : "@Allocator on " + annotatedClass;
    }
}
