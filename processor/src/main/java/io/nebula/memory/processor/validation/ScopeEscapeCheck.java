package io.nebula.memory.processor.validation;

import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.diagnostics.Message;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * The lifetime check of {@code @MemoryScope} methods: memory allocated in a scope must not outlive the call.
 *
 * <p>Two implementations, chosen once per compilation by {@link #forEnvironment}: under javac, a dataflow over each
 * method's body once the compiler has attributed it ({@link ScopeEscapeAnalysis}); under a compiler without the
 * {@code com.sun.source} tree API, such as ECJ, a check of each method's return type, announced by one note.
 */
public interface ScopeEscapeCheck {
    /**
     * Checks a valid {@code @MemoryScope} method, now or once its body has been attributed. Whatever it reports
     * leaves the class valid: the generated code does not depend on the method's body.
     *
     * @param owner the {@code @Allocator} class
     * @param method the scoped method
     */
    void check(TypeElement owner, ExecutableElement method);

    /**
     * The check the compiler supports.
     *
     * @param environment the processing environment
     * @param reporter where errors and the note go
     * @param generated the types this compilation generates, which return types may name before they exist
     * @return the body check under javac, the return-type check elsewhere
     */
    static ScopeEscapeCheck forEnvironment(ProcessingEnvironment environment, ErrorReporter reporter,
            GeneratedTypes generated) {
        ScopedTypes scopedTypes = new ScopedTypes(environment.getElementUtils(), environment.getTypeUtils(),
                generated);
        try {
            return new JavacScopeEscapeCheck(environment, scopedTypes);
        } catch (IllegalArgumentException | LinkageError noTreeApi) {
            return new ReturnTypeEscapeCheck(scopedTypes, reporter);
        }
    }

    /** The check by return type, for compilers without the tree API. */
    final class ReturnTypeEscapeCheck implements ScopeEscapeCheck {
        private final ScopedTypes scopedTypes;
        private final ErrorReporter reporter;
        private boolean noted;

        ReturnTypeEscapeCheck(ScopedTypes scopedTypes, ErrorReporter reporter) {
            this.scopedTypes = scopedTypes;
            this.reporter = reporter;
        }

        @Override
        public void check(TypeElement owner, ExecutableElement method) {
            if (!noted) {
                noted = true;
                reporter.note(Message.SCOPE_CHECK_BY_TYPE, owner);
            }
            if (scopedTypes.mentionsMemory(method.getReturnType())) {
                reporter.error(Message.SCOPE_ESCAPE_BY_TYPE, method, AllocatorResolver.signature(method),
                        ScopedTypes.display(method.getReturnType()));
            }
        }
    }
}
