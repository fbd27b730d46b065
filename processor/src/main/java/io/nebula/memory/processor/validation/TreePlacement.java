package io.nebula.memory.processor.validation;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import io.nebula.memory.processor.diagnostics.SourcePlacement;
import java.util.Map;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.tools.Diagnostic;

/**
 * javac: every element is placeable. Its messager puts an error on a record component's annotation value at the
 * annotation; the trees give the value itself.
 */
final class TreePlacement implements SourcePlacement {
    private final Trees trees;

    /**
     * Reads the trees of javac's environment.
     *
     * @throws IllegalArgumentException when the environment is not javac's
     */
    TreePlacement(ProcessingEnvironment environment) {
        this.trees = Trees.instance(environment);
    }

    @Override
    public boolean printExactly(Diagnostic.Kind kind, String text, Element element, AnnotationMirror annotation,
            AnnotationValue value) {
        if (element.getKind() != ElementKind.RECORD_COMPONENT || annotation == null || value == null) {
            return false;
        }
        TreePath record = trees.getPath(element.getEnclosingElement());
        if (record == null || !(trees.getTree(element, annotation, value) instanceof AnnotationTree tree)) {
            return false;
        }
        String valueName = "value";
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : annotation.getElementValues().entrySet()) {
            if (entry.getValue() == value) {
                valueName = entry.getKey().getSimpleName().toString();
            }
        }
        for (ExpressionTree argument : tree.getArguments()) {
            if (argument instanceof AssignmentTree assignment
                    && assignment.getVariable() instanceof IdentifierTree name
                    && name.getName().contentEquals(valueName)) {
                trees.printMessage(kind, text, assignment.getExpression(), record.getCompilationUnit());
                return true;
            }
        }
        return false;
    }

    @Override
    public Element placeable(Element element) {
        return element;
    }
}
