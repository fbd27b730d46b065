package io.nebula.memory.processor.diagnostics;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Prints the processor's errors, each tied to the element it is about and, where there is one, to the
 * annotation and the annotation value at fault, so that the compiler points at the user's code.
 */
public final class ErrorReporter {
    private final Messager messager;
    private int errorCount;

    /**
     * Creates a reporter printing through the given messager.
     *
     * @param messager the messager of the processing environment
     */
    public ErrorReporter(Messager messager) {
        this.messager = messager;
    }

    /**
     * Reports an error on an element.
     *
     * @param message the message
     * @param element the element at fault
     * @param args the arguments of the message
     */
    public void error(Message message, Element element, Object... args) {
        errorCount++;
        messager.printMessage(Diagnostic.Kind.ERROR, message.format(args), element);
    }

    /**
     * Reports an error on an annotation of an element, or on one of its values.
     *
     * @param message the message
     * @param element the annotated element
     * @param annotation the annotation at fault
     * @param value the value at fault, or {@code null} to point at the whole annotation
     * @param args the arguments of the message
     */
    public void error(Message message, Element element, AnnotationMirror annotation, AnnotationValue value,
            Object... args) {
        errorCount++;
        messager.printMessage(Diagnostic.Kind.ERROR, message.format(args), element, annotation, value);
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
