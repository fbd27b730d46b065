package io.nebula.memory.processor;

import com.palantir.javapoet.JavaFile;
import io.nebula.memory.annotation.Array;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.diagnostics.Message;
import io.nebula.memory.processor.generation.DoclintSuppression;
import io.nebula.memory.processor.generation.GeneratedAnnotation;
import io.nebula.memory.processor.generation.SourceFileWriter;
import io.nebula.memory.processor.generation.StructWriter;
import io.nebula.memory.processor.model.GeneratedKind;
import io.nebula.memory.processor.model.StructModel;
import io.nebula.memory.processor.validation.Annotations;
import io.nebula.memory.processor.validation.GeneratedTypes;
import io.nebula.memory.processor.validation.Resolution;
import io.nebula.memory.processor.validation.StructResolver;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * Processes {@code @Struct}: resolves each annotated record into a model, then writes its struct class. A record
 * with errors is skipped on its own; the others still generate.
 */
final class StructStep implements ProcessingStep {
    private static final String STRUCT = Struct.class.getCanonicalName();
    private static final String ARRAY = Array.class.getCanonicalName();

    private final ProcessingEnvironment environment;
    private final ErrorReporter reporter;
    private final GeneratedTypes generated;
    private final StructWriter writer;
    /** Structs found invalid in any round so far; their errors are reported once. */
    private final Set<String> invalid = new HashSet<>();
    /** Records whose struct class has been written, so that a record deferred and seen again is written once. */
    private final Set<String> written = new HashSet<>();

    StructStep(ProcessingEnvironment environment, ErrorReporter reporter, GeneratedTypes generated) {
        this.environment = environment;
        this.reporter = reporter;
        this.generated = generated;
        this.writer = new StructWriter(GeneratedAnnotation.of(environment.getElementUtils()),
                DoclintSuppression.of(environment));
    }

    @Override
    public Set<String> annotations() {
        return Set.of(STRUCT, ARRAY);
    }

    @Override
    public Set<TypeElement> process(Map<String, Set<Element>> elementsByAnnotation) {
        StructResolver resolver = new StructResolver(environment.getElementUtils(), environment.getTypeUtils(),
                reporter, invalid, generated);
        Set<TypeElement> deferred = new LinkedHashSet<>();
        for (Element element : elementsByAnnotation.getOrDefault(STRUCT, Set.of())) {
            if (!(element instanceof TypeElement type)) {
                continue;
            }
            try {
                switch (resolver.resolve(type)) {
                    case Resolution.Valid(StructModel model) -> write(model);
                    case Resolution.Deferred d -> deferred.add(type);
                    case Resolution.Invalid i -> {
                    }
                }
            } catch (RuntimeException e) {
                reporter.error(Message.INTERNAL_ERROR, type, type.getQualifiedName(), e);
            }
        }
        for (Element element : elementsByAnnotation.getOrDefault(ARRAY, Set.of())) {
            Element record = element.getEnclosingElement();
            if (Annotations.find(record, STRUCT).isEmpty()) {
                reporter.error(Message.ARRAY_OUTSIDE_STRUCT, element,
                        Annotations.find(element, ARRAY).orElseThrow(), null, element.getSimpleName(),
                        record.getSimpleName());
            }
        }
        return deferred;
    }

    @Override
    public void reportUnprocessed(TypeElement type) {
        StructResolver resolver = new StructResolver(environment.getElementUtils(), environment.getTypeUtils(),
                reporter, invalid, generated);
        if (resolver.resolve(type) instanceof Resolution.Deferred(String component, String unresolved)) {
            reporter.error(Message.UNRESOLVED_TYPE, type, type.getQualifiedName(), component, unresolved);
        }
    }

    private void write(StructModel model) {
        String name = model.generatedType().canonicalName();
        String record = model.element().getQualifiedName().toString();
        if (written.contains(record) || !generated.claimable(GeneratedKind.STRUCT_CLASS, model.element(), reporter)) {
            return;
        }
        written.add(record);
        JavaFile file = writer.write(model);
        try {
            SourceFileWriter.write(file, environment.getFiler());
        } catch (IOException e) {
            reporter.error(Message.WRITE_FAILED, model.element(), name, e.getMessage());
        }
    }
}
