package io.nebula.memory.processor;

import com.palantir.javapoet.JavaFile;
import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.MemoryScope;
import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.diagnostics.Message;
import io.nebula.memory.processor.generation.AllocatorWriter;
import io.nebula.memory.processor.generation.GeneratedAnnotation;
import io.nebula.memory.processor.generation.SourceFileWriter;
import io.nebula.memory.processor.model.AllocatorModel;
import io.nebula.memory.processor.model.GeneratedKind;
import io.nebula.memory.processor.validation.AllocatorResolution;
import io.nebula.memory.processor.validation.AllocatorResolver;
import io.nebula.memory.processor.validation.Annotations;
import io.nebula.memory.processor.validation.GeneratedTypes;
import io.nebula.memory.processor.validation.ScopeEscapeCheck;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * Processes {@code @Allocator} with its {@code @Alloc} and {@code @MemoryScope} methods: resolves each annotated
 * class into a model, then writes its subclass. Structs of this compilation are read from their models, so a class
 * generates in the round its structs do; only a class that refers to a type nobody has generated yet waits for the
 * next round. A class with errors is skipped on its own while the others still generate.
 */
final class AllocatorStep implements ProcessingStep {
    private static final String ALLOCATOR = Allocator.class.getCanonicalName();
    private static final String ALLOC = Alloc.class.getCanonicalName();
    private static final String MEMORY_SCOPE = MemoryScope.class.getCanonicalName();

    private final ProcessingEnvironment environment;
    private final ErrorReporter reporter;
    private final AllocatorWriter writer;
    /** Classes whose subclass has been written, so that a class seen again is written once. */
    private final Set<String> written = new HashSet<>();

    private final ScopeEscapeCheck escapes;
    private final GeneratedTypes generated;

    AllocatorStep(ProcessingEnvironment environment, ErrorReporter reporter, GeneratedTypes generated) {
        this.environment = environment;
        this.reporter = reporter;
        this.generated = generated;
        this.escapes = ScopeEscapeCheck.forEnvironment(environment, reporter, generated);
        this.writer = new AllocatorWriter(GeneratedAnnotation.of(environment.getElementUtils()));
    }

    @Override
    public Set<String> annotations() {
        return Set.of(ALLOCATOR, ALLOC, MEMORY_SCOPE);
    }

    @Override
    public Set<TypeElement> process(Map<String, Set<Element>> elementsByAnnotation) {
        AllocatorResolver resolver = resolver();
        Set<TypeElement> deferred = new LinkedHashSet<>();
        for (Element element : elementsByAnnotation.getOrDefault(ALLOCATOR, Set.of())) {
            if (!(element instanceof TypeElement type) || written.contains(type.getQualifiedName().toString())) {
                continue;
            }
            try {
                switch (resolver.resolve(type)) {
                    case AllocatorResolution.Valid(AllocatorModel model) -> write(model);
                    case AllocatorResolution.Deferred d -> deferred.add(type);
                    case AllocatorResolution.Invalid i -> {
                    }
                }
            } catch (RuntimeException e) {
                reporter.error(Message.INTERNAL_ERROR, type, type.getQualifiedName(), e);
            }
        }
        for (String annotation : Set.of(ALLOC, MEMORY_SCOPE)) {
            for (Element element : elementsByAnnotation.getOrDefault(annotation, Set.of())) {
                Element enclosing = element.getEnclosingElement();
                if (Annotations.find(enclosing, ALLOCATOR).isEmpty()) {
                    reporter.error(Message.NO_ALLOCATOR, element, Annotations.find(element, annotation).orElseThrow(),
                            null, annotation.substring(annotation.lastIndexOf('.') + 1), enclosing.getSimpleName());
                }
            }
        }
        return deferred;
    }

    @Override
    public void reportUnprocessed(TypeElement type) {
        if (resolver().resolve(type) instanceof AllocatorResolution.Deferred(String where, String unresolved)) {
            reporter.error(Message.ALLOCATOR_UNRESOLVED, type, type.getQualifiedName(), where, unresolved);
        }
    }

    private AllocatorResolver resolver() {
        return new AllocatorResolver(environment.getElementUtils(), environment.getTypeUtils(), reporter, escapes,
                generated);
    }

    private void write(AllocatorModel model) {
        String name = model.generatedType().canonicalName();
        if (written.contains(model.element().getQualifiedName().toString())
                || !generated.claimable(GeneratedKind.ALLOCATOR_SUBCLASS, model.element(), reporter)) {
            return;
        }
        written.add(model.element().getQualifiedName().toString());
        JavaFile file = writer.write(model);
        try {
            SourceFileWriter.write(file, environment.getFiler());
        } catch (IOException e) {
            reporter.error(Message.WRITE_FAILED, model.element(), name, e.getMessage());
        }
    }
}
