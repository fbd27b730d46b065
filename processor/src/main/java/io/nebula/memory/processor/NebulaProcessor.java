package io.nebula.memory.processor;

import com.google.auto.service.AutoService;
import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.generation.GeneratedAnnotation;
import io.nebula.memory.processor.validation.Annotations;
import io.nebula.memory.processor.validation.GeneratedTypes;
import io.nebula.memory.processor.validation.Placements;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * The nebula-memory annotation processor: validates the annotation DSL and generates code for it. It is an
 * isolating processor for Gradle: every generated file has exactly one originating element.
 *
 * <p>The work is split into {@link ProcessingStep}s, one per annotation family; this class only collects each
 * round's elements for them and carries deferred types from round to round: {@link StructStep} for {@code @Struct} and
 * {@code @Array}, then {@link AllocatorStep} for {@code @Allocator}, {@code @Alloc} and {@code @MemoryScope}, which
 * reads the structs it uses from the models the first step recorded in {@link GeneratedTypes}.
 */
@AutoService(Processor.class)
public final class NebulaProcessor extends AbstractProcessor {
    private final List<ProcessingStep> steps = new ArrayList<>();
    private final Map<ProcessingStep, Set<String>> deferred = new HashMap<>();
    private GeneratedTypes generated;

    /** Creates the processor; the compiler calls {@link #init} before anything else. */
    public NebulaProcessor() {
    }

    @Override
    public synchronized void init(ProcessingEnvironment environment) {
        super.init(environment);
        ErrorReporter reporter = new ErrorReporter(environment.getMessager(), Placements.forEnvironment(environment));
        generated = new GeneratedTypes(environment);
        steps.add(new StructStep(environment, reporter, generated));
        steps.add(new AllocatorStep(environment, reporter, generated));
        for (ProcessingStep step : steps) {
            deferred.put(step, new LinkedHashSet<>());
        }
    }

    /**
     * The annotations of every step, and {@code @Generated}. The compiler asks after {@link #init}.
     *
     * <p>The generated files carry {@code @Generated}; in the next round the compiler sees it, and with
     * {@code -Xlint:processing} (part of {@code -Xlint:all}) it warns when no processor claims it, which
     * {@code -Werror} turns into a failed build. So this processor claims it too.
     */
    @Override
    public Set<String> getSupportedAnnotationTypes() {
        Set<String> annotations = new LinkedHashSet<>();
        annotations.add(GeneratedAnnotation.NAME);
        for (ProcessingStep step : steps) {
            annotations.addAll(step.annotations());
        }
        return annotations;
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        // Only the annotations present in this round are looked for: each getElementsAnnotatedWith scans every
        // element of the round, and the rounds after the first hold the generated files, which carry none.
        Map<String, TypeElement> present = new HashMap<>();
        for (TypeElement annotation : annotations) {
            present.put(annotation.getQualifiedName().toString(), annotation);
        }
        generated.newRound();
        for (ProcessingStep step : steps) {
            Set<String> previous = deferred.get(step);
            if (round.processingOver()) {
                for (String name : previous) {
                    TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
                    if (type != null) {
                        step.reportUnprocessed(type);
                    }
                }
                previous.clear();
                continue;
            }
            Map<String, Set<Element>> elements = new LinkedHashMap<>();
            for (String annotation : step.annotations()) {
                Set<Element> annotated = new LinkedHashSet<>();
                TypeElement annotationType = present.get(annotation);
                if (annotationType != null) {
                    annotated.addAll(round.getElementsAnnotatedWith(annotationType));
                }
                for (String name : previous) {
                    TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
                    if (type != null) {
                        collectAnnotated(type, annotation, annotated);
                    }
                }
                elements.put(annotation, annotated);
            }
            previous.clear();
            for (TypeElement type : step.process(elements)) {
                previous.add(type.getQualifiedName().toString());
            }
        }
        return true; // claimed: see getSupportedAnnotationTypes
    }

    /** Adds a deferred type and its members that carry the annotation. */
    private static void collectAnnotated(TypeElement type, String annotation, Set<Element> into) {
        if (Annotations.find(type, annotation).isPresent()) {
            into.add(type);
        }
        for (Element member : type.getEnclosedElements()) {
            if (!(member instanceof TypeElement) && Annotations.find(member, annotation).isPresent()) {
                into.add(member);
            }
        }
    }
}
