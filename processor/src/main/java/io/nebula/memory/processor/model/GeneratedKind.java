package io.nebula.memory.processor.model;

import com.palantir.javapoet.ClassName;

/**
 * The naming scheme of generated types, one row per kind: the only place where a generated name is formed.
 * The resolver reads it to know which name an annotated type claims, and to map a name written in user code back
 * to the model that generates it; the writers read it to name what they write. Nothing maps a name back by
 * taking it apart: the reverse direction is a lookup among the names this table produced.
 */
public enum GeneratedKind {
    /** The struct class of a {@code @Struct} record: {@code Point} gives {@code PointStruct}. */
    STRUCT_CLASS("", "Struct"),
    /** The subclass of an {@code @Allocator} class: {@code Handler} gives {@code Handler_Memory}. */
    ALLOCATOR_SUBCLASS("", "_Memory");

    /** The simple name of the flyweight view class nested in every struct class. */
    public static final String VIEW = "View";

    private final String prefix;
    private final String suffix;

    GeneratedKind(String prefix, String suffix) {
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /**
     * The generated type for an annotated type: in the same package, named after the annotated type's simple
     * names joined by {@code _}, so that {@code Outer.Point} gives {@code Outer_PointStruct}.
     *
     * @param annotated the annotated type
     * @return the generated top-level type
     */
    public ClassName nameFor(ClassName annotated) {
        return ClassName.get(annotated.packageName(), prefix + String.join("_", annotated.simpleNames()) + suffix);
    }

    /**
     * The view class of a struct class.
     *
     * @param structClass a name given by {@link #STRUCT_CLASS}
     * @return {@code PointStruct.View} for {@code PointStruct}
     */
    public static ClassName viewOf(ClassName structClass) {
        return structClass.nestedClass(VIEW);
    }
}
