package io.nebula.memory.processor.diagnostics;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Prints the processor's diagnostics, each tied to the element it is about and, where there is one, to the
 * annotation and the annotation value at fault, so that the compiler points at the user's code. Where the
 * compiler cannot place a diagnostic on an element (ECJ places none on records or their components), the
 * {@link SourcePlacement} moves it to the nearest element the compiler can place.
 */
public final class ErrorReporter {
    private final Messager messager;
    private final SourcePlacement placement;
    private int errorCount;

    /**
     * Creates a reporter printing through the given messager.
     *
     * @param messager the messager of the processing environment
     * @param placement where diagnostics go when the compiler cannot place them on their element
     */
    public ErrorReporter(Messager messager, SourcePlacement placement) {
        this.messager = messager;
        this.placement = placement;
    }

    /**
     * Reports an error on an element.
     *
     * @param message the message
     * @param element the element at fault
     * @param args the arguments of the message
     */
    public void error(Message message, Element element, Object... args) {
        error(message, element, null, null, args);
    }

    /**
     * Reports an error on an annotation of an element, or on one of its values.
     *
     * @param message the message
     * @param element the annotated element
     * @param annotation the annotation at fault, or {@code null} for the element
     * @param value the value at fault, or {@code null} to point at the whole annotation
     * @param args the arguments of the message
     */
    public void error(Message message, Element element, AnnotationMirror annotation, AnnotationValue value,
            Object... args) {
        errorCount++;
        print(Diagnostic.Kind.ERROR, message.format(args), element, annotation, value);
    }

    /**
     * Prints a note on an element.
     *
     * @param message the message
     * @param element the element it is about
     * @param args the arguments of the message
     */
    public void note(Message message, Element element, Object... args) {
        print(Diagnostic.Kind.NOTE, message.format(args), element, null, null);
    }

    private void print(Diagnostic.Kind kind, String text, Element element, AnnotationMirror annotation,
            AnnotationValue value) {
        if (placement.printExactly(kind, text, element, annotation, value)) {
            return;
        }
        Element placed = placement.placeable(element);
        if (placed != element) {
            messager.printMessage(kind, text, placed);
        } else if (annotation == null) {
            messager.printMessage(kind, text, element);
        } else {
            messager.printMessage(kind, text, element, annotation, value);
        }
    }

    /**
     * The number of errors this reporter has printed so far; callers compare two readings to learn whether a
     * piece of work reported anything.
     *
     * @return the number of errors printed
     */
    public int errorCount() {
        return errorCount;
    }
}
