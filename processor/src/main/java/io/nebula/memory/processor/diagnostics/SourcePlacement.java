package io.nebula.memory.processor.diagnostics;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Where a diagnostic lands in the source. javac places a diagnostic on any element, and through its tree API on
 * the exact annotation value even where its messager falls back to the annotation (a record component's); ECJ's
 * messager places none on a record, its components or its implicit members, so there the diagnostic moves to the
 * nearest enclosing element it can place.
 */
public interface SourcePlacement {
    /**
     * Prints the diagnostic at the exact source position of the value, where the generic messager would not.
     *
     * @param kind the kind of diagnostic
     * @param text the text
     * @param element the element
     * @param annotation the annotation, or {@code null}
     * @param value the annotation value, or {@code null}
     * @return whether it printed; otherwise the caller prints through the messager
     */
    boolean printExactly(Diagnostic.Kind kind, String text, Element element, AnnotationMirror annotation,
            AnnotationValue value);

    /**
     * The element to print on: the element itself when the compiler can place diagnostics on it, otherwise the
     * nearest enclosing element it can.
     *
     * @param element the element the diagnostic is about
     * @return the element to print on
     */
    Element placeable(Element element);
}
