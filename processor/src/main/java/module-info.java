/**
 * The nebula-memory annotation processor: it validates the annotation DSL of {@code io.nebula.memory.annotation}
 * and generates struct access ({@code <Record>Struct}) and scoped allocation ({@code <Class>_Memory}).
 *
 * <p>The published jar is self-contained, so that a processor path, or a processor module path, needs this one
 * jar: it carries Palantir JavaPoet relocated under {@code io.nebula.memory.processor.internal.javapoet}, and the
 * annotation types, whose enums the processor reads, unrelocated (as AutoValue's processor carries its own). This
 * descriptor therefore requires neither; the classes are compiled reading them from the class path. Nothing is
 * exported: the compiler finds the processor as a service.
 */
module io.nebula.memory.processor {
    requires java.compiler;
    requires jdk.compiler;

    provides javax.annotation.processing.Processor with io.nebula.memory.processor.NebulaProcessor;
}
