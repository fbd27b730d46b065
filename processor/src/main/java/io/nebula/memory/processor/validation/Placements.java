package io.nebula.memory.processor.validation;

import io.nebula.memory.processor.diagnostics.SourcePlacement;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.tools.Diagnostic;

/** The {@link SourcePlacement}s: javac's ({@code TreePlacement}), and the one for compilers without its tree API. */
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
            return new TreePlacement(environment);
        } catch (IllegalArgumentException | LinkageError noTreeApi) {
            return new WithoutTrees();
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
