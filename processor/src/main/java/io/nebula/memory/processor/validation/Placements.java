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

/** The {@link SourcePlacement}s: javac's, through its tree API, and the one for compilers without it. */
public final class Placements {
    private Placements() {
    }

    /**
     * The placement the compiler supports.
     *
     * @param environment the processing environment
     * @return javac's placement when its tree API is available, otherwise one that avoids records
     */
    public static SourcePlacement forEnvironment(ProcessingEnvironment environment) {
        try {
            return new Javac(Trees.instance(environment));
        } catch (IllegalArgumentException | LinkageError noTreeApi) {
            return new WithoutTrees();
        }
    }

    /**
     * javac: every element is placeable. Its messager puts an error on a record component's annotation value at the
     * annotation; the trees give the value itself.
     */
    private static final class Javac implements SourcePlacement {
        private final Trees trees;

        Javac(Trees trees) {
            this.trees = trees;
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

    /**
     * Without the tree API (ECJ): a diagnostic about a record, a record component or a member the record declares
     * implicitly goes to the nearest enclosing type that is not a record. A top-level record has none, so its
     * diagnostics keep the record; their text names the record and the component.
     */
    private static final class WithoutTrees implements SourcePlacement {
        @Override
        public boolean printExactly(Diagnostic.Kind kind, String text, Element element, AnnotationMirror annotation,
                AnnotationValue value) {
            return false;
        }

        @Override
        public Element placeable(Element element) {
            Element candidate = element;
            while (inRecord(candidate) && candidate.getEnclosingElement() != null
                    && candidate.getEnclosingElement().getKind() != ElementKind.PACKAGE) {
                candidate = candidate.getEnclosingElement();
            }
            return candidate;
        }

        private static boolean inRecord(Element element) {
            return switch (element.getKind()) {
                case RECORD, RECORD_COMPONENT -> true;
                case PARAMETER, FIELD -> element.getEnclosingElement() != null
                        && (element.getEnclosingElement().getKind() == ElementKind.RECORD
                                || inRecord(element.getEnclosingElement()));
                case CONSTRUCTOR, METHOD -> element.getEnclosingElement().getKind() == ElementKind.RECORD;
                default -> false;
            };
        }
    }
}
