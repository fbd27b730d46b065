package io.nebula.memory.processor.validation;

import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import io.nebula.memory.annotation.MemoryScope;
import io.nebula.memory.processor.diagnostics.Message;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;

/**
 * The body check under javac: remembers each {@code @Allocator} class with scopes, and when javac has attributed
 * its top-level class (the end of the {@code ANALYZE} task event, before any code is generated) runs
 * {@link ScopeEscapeAnalysis} on every {@code @MemoryScope} method and reports each escape on its expression.
 *
 * <p>javac attributes nothing while processors run, and stops before attribution when a round reported an error:
 * the check runs on code whose other problems are fixed, like javac's own flow analysis.
 */
final class JavacScopeEscapeCheck implements ScopeEscapeCheck, TaskListener {
    private static final String MEMORY_SCOPE = MemoryScope.class.getCanonicalName();

    private final Trees trees;
    private final Elements elements;
    private final Types types;
    private final ScopedTypes scopedTypes;
    /**
     * The classes to check, by qualified name (elements are re-read after the rounds), under the qualified name of
     * their outermost class, whose analysis each waits for: each analysed class is one look-up.
     */
    private final Map<String, Set<String>> pending = new HashMap<>();

    /**
     * Registers the check with the compiler's task.
     *
     * @throws IllegalArgumentException when the environment is not javac's
     */
    JavacScopeEscapeCheck(ProcessingEnvironment environment, ScopedTypes scopedTypes) {
        JavacTask task = JavacTask.instance(environment);
        this.trees = Trees.instance(environment);
        this.elements = environment.getElementUtils();
        this.types = environment.getTypeUtils();
        this.scopedTypes = scopedTypes;
        task.addTaskListener(this);
    }

    @Override
    public void check(TypeElement owner, ExecutableElement method) {
        pending.computeIfAbsent(outermost(owner).getQualifiedName().toString(), outer -> new LinkedHashSet<>())
                .add(owner.getQualifiedName().toString());
    }

    @Override
    public void finished(TaskEvent event) {
        if (event.getKind() != TaskEvent.Kind.ANALYZE || event.getTypeElement() == null || pending.isEmpty()) {
            return;
        }
        Set<String> names = pending.remove(event.getTypeElement().getQualifiedName().toString());
        if (names == null) {
            return;
        }
        for (String name : names) {
            TypeElement owner = elements.getTypeElement(name);
            if (owner == null) {
                continue;
            }
            for (ExecutableElement method : ElementFilter.methodsIn(owner.getEnclosedElements())) {
                if (Annotations.find(method, MEMORY_SCOPE).isEmpty()) {
                    continue;
                }
                TreePath path = trees.getPath(method);
                if (path == null) {
                    continue;
                }
                List<ScopeEscapeAnalysis.Finding> findings;
                try {
                    findings = ScopeEscapeAnalysis.analyse(trees, types, scopedTypes, owner, path);
                } catch (RuntimeException e) {
                    trees.printMessage(Diagnostic.Kind.ERROR, Message.INTERNAL_ERROR.format(
                            owner.getQualifiedName() + "." + AllocatorResolver.signature(method), e),
                            path.getLeaf(), path.getCompilationUnit());
                    continue;
                }
                for (ScopeEscapeAnalysis.Finding finding : findings) {
                    trees.printMessage(Diagnostic.Kind.ERROR, Message.SCOPE_ESCAPE.format(
                            AllocatorResolver.signature(method), finding.what(), finding.how()), finding.tree(),
                            path.getCompilationUnit());
                }
            }
        }
    }

    private static TypeElement outermost(TypeElement type) {
        TypeElement result = type;
        for (Element e = type.getEnclosingElement(); e instanceof TypeElement outer; e = outer.getEnclosingElement()) {
            result = outer;
        }
        return result;
    }
}
