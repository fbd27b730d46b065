package io.nebula.memory.processor.validation;

import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BindingPatternTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CaseTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.DeconstructionPatternTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.InstanceOfTree;
import com.sun.source.tree.LabeledStatementTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.PatternCaseLabelTree;
import com.sun.source.tree.PatternTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.SwitchExpressionTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.SynchronizedTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.tree.YieldTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.MemoryScope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;

/**
 * The lifetime check of one {@code @MemoryScope} method: a dataflow over its attributed body that follows memory
 * allocated in the scope to every place it could outlive the call.
 *
 * <p><b>Sources.</b> A call of an {@code @Alloc} method on {@code this}; a call on the allocator (the value of
 * {@code allocator()}, of a local assigned from it, or of a field only ever assigned from it) that returns
 * anything but a plain value; a call that takes the allocator as an argument (such as
 * {@code PointStruct.allocate(allocator())}); a call of a helper method of the same class whose body returns such
 * memory.
 *
 * <p><b>Derivation.</b> A value derived from scoped memory is scoped: a method called on it that returns anything
 * but a plain value (slices, nested views, {@code segment()}, buffers, streams, an element of a collection); a
 * call that takes it and returns a type that can carry memory ({@code Optional.of(view)}, {@code List.of(view)},
 * {@code PointStruct.view(segment)}); an object constructed with it, when the class has a field or component able
 * to keep it; an array or collection created in the call once scoped memory is stored in it; a lambda, method
 * reference, anonymous or local class that captures it. Plain values (primitives, strings, enums, records and
 * {@code java.util} collections of those, such as the record from {@code view.toRecord()}) are never scoped.
 *
 * <p><b>Sinks.</b> Returning it; throwing it; storing it in a field (instance or static, of any object not created
 * in the call); storing it in an array or collection that was not created in the call (a parameter, a field, a
 * method's result); passing it to a helper method of the same class that stores it. Each sink is reported once,
 * on its expression.
 *
 * <p><b>Not tracked</b>, documented in DIAGNOSTICS.md: memory handed to a method of another class that keeps it
 * (the analysis does not look into other classes), results typed {@code Object} of such methods, and reflection.
 *
 * <p>The analysis is flow-sensitive for local variables (a variable reassigned from a parameter is no longer
 * scoped), path-insensitive (both branches of an {@code if} count), and iterates loops to a fixed point.
 */
final class ScopeEscapeAnalysis {
    private static final String ALLOC = Alloc.class.getCanonicalName();
    private static final String MEMORY_SCOPE = MemoryScope.class.getCanonicalName();
    private static final Set<String> STORING_TYPES = Set.of("java.util.Collection", "java.util.Map",
            "java.util.concurrent.atomic.AtomicReference", "java.lang.ThreadLocal",
            "java.util.concurrent.atomic.AtomicReferenceArray");
    private static final Set<String> STORING_PREFIXES = Set.of("add", "put", "set", "offer", "push", "replace",
            "merge", "compute", "lazySet", "compareAndSet", "getAndSet", "weakCompareAndSet");

    /** An escape found: where, what escapes and how. */
    record Finding(Tree tree, String what, String how) {
    }

    /** What a helper method of the class does with its parameters and allocations, seen from a caller. */
    private record Summary(Set<String> returnedOrigins, Set<Integer> returnedParameters,
            Map<Integer, String> storedParameters, String storedAllocation) {
        static final Summary OPAQUE = new Summary(Set.of(), Set.of(), Map.of(), null);
    }

    /** How a body is analysed: a scope (returns escape), a nested body (returns do not), a helper's summary. */
    private enum Mode { SCOPE, NESTED, SUMMARY }

    /**
     * The abstract value of an expression.
     *
     * @param origins the scoped allocations it may be or hold, as source text such as {@code p()}
     * @param parameters the parameters of a summarised helper it may be or hold
     * @param objects the objects created in the call it may be
     * @param external whether it may be an object that was not created in the call
     * @param allocator whether it may be the class's allocator
     * @param wrapper what holds the memory when the value is not the memory itself, such as {@code an array}
     */
    private record Val(Set<String> origins, Set<Integer> parameters, Set<Tree> objects, boolean external,
            boolean allocator, String wrapper) {
        static final Val NONE = new Val(Set.of(), Set.of(), Set.of(), false, false, null);
        static final Val EXTERNAL = new Val(Set.of(), Set.of(), Set.of(), true, false, null);

        static Val origin(String origin) {
            return new Val(Set.of(origin), Set.of(), Set.of(), true, false, null);
        }

        static Val object(Tree site) {
            return new Val(Set.of(), Set.of(), Set.of(site), false, false, null);
        }

        Val join(Val other) {
            if (other == null || other.equals(this)) {
                return this;
            }
            return new Val(union(origins, other.origins), union(parameters, other.parameters),
                    union(objects, other.objects), external || other.external, allocator || other.allocator,
                    wrapper != null ? wrapper : other.wrapper);
        }

        Val wrapped(String by) {
            return new Val(origins, parameters, objects, external, allocator, by);
        }

        Val asOwnOrigins() {
            return new Val(origins, parameters, Set.of(), true, false, wrapper);
        }

        private static <T> Set<T> union(Set<T> a, Set<T> b) {
            if (a.containsAll(b)) {
                return a;
            }
            Set<T> result = new LinkedHashSet<>(a);
            result.addAll(b);
            return Set.copyOf(result);
        }
    }

    /** The values of the local variables at a point; {@code null} where the point cannot be reached. */
    private static final class State {
        final Map<Element, Val> variables;

        State(Map<Element, Val> variables) {
            this.variables = variables;
        }

        State copy() {
            return new State(new HashMap<>(variables));
        }

        static State join(State a, State b) {
            if (a == null) {
                return b == null ? null : b.copy();
            }
            if (b == null) {
                return a.copy();
            }
            State result = a.copy();
            b.variables.forEach((variable, value) -> result.variables.merge(variable, value, Val::join));
            return result;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof State state && state.variables.equals(variables);
        }

        @Override
        public int hashCode() {
            return variables.hashCode();
        }
    }

    /** A statement that {@code break}, {@code continue} or {@code yield} can leave. */
    private static final class Target {
        final Tree tree;
        final String label;
        final boolean loop;
        final boolean switchExpression;
        State breaks;
        State continues;
        Val yielded = Val.NONE;

        Target(Tree tree, String label, boolean loop, boolean switchExpression) {
            this.tree = tree;
            this.label = label;
            this.loop = loop;
            this.switchExpression = switchExpression;
        }
    }

    private final Trees trees;
    private final Types types;
    private final ScopedTypes scopedTypes;
    private final TypeElement owner;
    private final Set<VariableElement> allocatorFields;
    private final Map<ExecutableElement, Summary> summaries;
    private final Set<ExecutableElement> summarising;
    private final Mode mode;
    private final Map<Tree, Val> contents = new HashMap<>();
    private final Map<Tree, Finding> findings = new LinkedHashMap<>();
    private final Deque<Target> targets = new ArrayDeque<>();
    private final List<List<State>> tryRegions = new ArrayList<>();
    /** What the locals of enclosing bodies held, for the lambdas and classes of a nested body. */
    private final Map<Element, Val> captured;
    private int contentVersion;
    private Val returned = Val.NONE;
    private final Map<Integer, String> storedParameters = new HashMap<>();
    private String storedAllocation;

    private ScopeEscapeAnalysis(Trees trees, Types types, ScopedTypes scopedTypes, TypeElement owner,
            Set<VariableElement> allocatorFields, Map<ExecutableElement, Summary> summaries,
            Set<ExecutableElement> summarising, Mode mode, Map<Element, Val> captured) {
        this.trees = trees;
        this.types = types;
        this.scopedTypes = scopedTypes;
        this.owner = owner;
        this.allocatorFields = allocatorFields;
        this.summaries = summaries;
        this.summarising = summarising;
        this.mode = mode;
        this.captured = captured;
    }

    /**
     * Analyses one {@code @MemoryScope} method.
     *
     * @param trees the compiler's trees, after attribution
     * @param types the type utilities
     * @param scopedTypes the type classification
     * @param owner the {@code @Allocator} class
     * @param path the path of the method's declaration
     * @return the escapes found, in source order
     */
    static List<Finding> analyse(Trees trees, Types types, ScopedTypes scopedTypes, TypeElement owner,
            TreePath path) {
        Set<VariableElement> allocatorFields = allocatorFields(trees, owner);
        ScopeEscapeAnalysis analysis = new ScopeEscapeAnalysis(trees, types, scopedTypes, owner, allocatorFields,
                new HashMap<>(), new HashSet<>(), Mode.SCOPE, Map.of());
        analysis.body(path);
        List<Finding> result = new ArrayList<>(analysis.findings.values());
        result.sort((a, b) -> Long.compare(analysis.position(path, a.tree()), analysis.position(path, b.tree())));
        return result;
    }

    private long position(TreePath root, Tree tree) {
        return trees.getSourcePositions().getStartPosition(root.getCompilationUnit(), tree);
    }

    /** The fields of the class assigned only from {@code allocator()}: aliases of the allocator. */
    private static Set<VariableElement> allocatorFields(Trees trees, TypeElement owner) {
        TreePath classPath = trees.getPath(owner);
        if (classPath == null) {
            return Set.of();
        }
        Map<VariableElement, Boolean> onlyAllocator = new HashMap<>();
        new TreePathScanner<Void, Void>() {
            @Override
            public Void visitVariable(VariableTree node, Void unused) {
                Element element = trees.getElement(getCurrentPath());
                if (element != null && element.getKind() == ElementKind.FIELD && node.getInitializer() != null) {
                    record(element, node.getInitializer());
                }
                return super.visitVariable(node, unused);
            }

            @Override
            public Void visitAssignment(AssignmentTree node, Void unused) {
                Element element = trees.getElement(new TreePath(getCurrentPath(), node.getVariable()));
                if (element != null && element.getKind() == ElementKind.FIELD) {
                    record(element, node.getExpression());
                }
                return super.visitAssignment(node, unused);
            }

            private void record(Element field, ExpressionTree value) {
                ExpressionTree expression = strip(value);
                boolean fromAllocator = expression instanceof MethodInvocationTree call
                        && call.getArguments().isEmpty()
                        && trees.getElement(new TreePath(getCurrentPath(), call)) instanceof ExecutableElement m
                        && isAllocatorAccessor(m, owner);
                onlyAllocator.merge((VariableElement) field, fromAllocator, Boolean::logicalAnd);
            }
        }.scan(classPath, null);
        Set<VariableElement> result = new HashSet<>();
        onlyAllocator.forEach((field, only) -> {
            if (only) {
                result.add(field);
            }
        });
        return result;
    }

    private static boolean isAllocatorAccessor(ExecutableElement method, TypeElement owner) {
        return method.getSimpleName().contentEquals("allocator") && method.getParameters().isEmpty()
                && !method.getModifiers().contains(Modifier.STATIC)
                && method.getEnclosingElement() instanceof TypeElement declaring
                && (declaring.equals(owner) || isSuperclassOf(declaring, owner));
    }

    private static boolean isSuperclassOf(TypeElement candidate, TypeElement type) {
        for (TypeMirror s = type.getSuperclass(); s.getKind() == TypeKind.DECLARED;
                s = ((TypeElement) ((DeclaredType) s).asElement()).getSuperclass()) {
            if (((DeclaredType) s).asElement().equals(candidate)) {
                return true;
            }
        }
        return false;
    }

    // --------------------------------------------------------------------------------------------------- bodies

    private void body(TreePath methodPath) {
        MethodTree tree = (MethodTree) methodPath.getLeaf();
        State state = new State(new HashMap<>());
        captured.forEach(state.variables::put);
        List<? extends VariableTree> parameters = tree.getParameters();
        for (int i = 0; i < parameters.size(); i++) {
            Element parameter = trees.getElement(new TreePath(methodPath, parameters.get(i)));
            state.variables.put(parameter, mode == Mode.SUMMARY
                    ? new Val(Set.of(), Set.of(i), Set.of(), true, false, null) : Val.EXTERNAL);
        }
        if (tree.getBody() != null) {
            statement(new TreePath(methodPath, tree.getBody()), state);
        }
    }

    private Summary summary() {
        return new Summary(returned.origins(), returned.parameters(), Map.copyOf(storedParameters),
                storedAllocation);
    }

    // ----------------------------------------------------------------------------------------------- statements

    /** Runs a statement from a state; returns the state after it, or {@code null} if it cannot complete. */
    private State statement(TreePath path, State in) {
        if (in == null) {
            return null;
        }
        State out = statementUnrecorded(path, in);
        if (out != null) {
            for (List<State> region : tryRegions) {
                region.add(out.copy()); // later statements update the state in place
            }
        }
        return out;
    }

    private State statementUnrecorded(TreePath path, State in) {
        Tree tree = path.getLeaf();
        switch (tree) {
            case BlockTree block -> {
                State state = in;
                for (StatementTree statement : block.getStatements()) {
                    state = statement(new TreePath(path, statement), state);
                }
                return state;
            }
            case VariableTree variable -> {
                Element element = trees.getElement(path);
                Val value = variable.getInitializer() == null ? Val.NONE
                        : expression(new TreePath(path, variable.getInitializer()), in);
                State out = in.copy();
                out.variables.put(element, value);
                return out;
            }
            case ExpressionStatementTree statement -> {
                expression(new TreePath(path, statement.getExpression()), in);
                return in;
            }
            case IfTree branch -> {
                expression(new TreePath(path, branch.getCondition()), in);
                State then = statement(new TreePath(path, branch.getThenStatement()), in.copy());
                State otherwise = branch.getElseStatement() == null ? in
                        : statement(new TreePath(path, branch.getElseStatement()), in.copy());
                return State.join(then, otherwise);
            }
            case WhileLoopTree loop -> {
                return loop(path, in, null, loop.getCondition(), List.of(), loop.getStatement(), false);
            }
            case DoWhileLoopTree loop -> {
                return loop(path, in, null, loop.getCondition(), List.of(), loop.getStatement(), true);
            }
            case ForLoopTree loop -> {
                State state = in;
                for (StatementTree initializer : loop.getInitializer()) {
                    state = statement(new TreePath(path, initializer), state);
                }
                List<TreePath> updates = loop.getUpdate().stream().map(u -> new TreePath(path, u)).toList();
                return loop(path, state, null, loop.getCondition(), updates, loop.getStatement(), false);
            }
            case EnhancedForLoopTree loop -> {
                Val iterated = expression(new TreePath(path, loop.getExpression()), in);
                Element variable = trees.getElement(new TreePath(path, loop.getVariable()));
                Val element = element(iterated);
                return loop(path, in, state -> state.variables.put(variable, element), null, List.of(),
                        loop.getStatement(), false);
            }
            case LabeledStatementTree labeled -> {
                Tree inner = labeled.getStatement();
                if (inner instanceof WhileLoopTree || inner instanceof DoWhileLoopTree || inner instanceof ForLoopTree
                        || inner instanceof EnhancedForLoopTree) {
                    return statement(new TreePath(path, inner), in); // the loop takes the label itself
                }
                Target target = new Target(labeled, labeled.getLabel().toString(), false, false);
                targets.push(target);
                State out = statement(new TreePath(path, inner), in);
                targets.pop();
                return State.join(out, target.breaks);
            }
            case SwitchTree switchTree -> {
                Val selector = expression(new TreePath(path, switchTree.getExpression()), in);
                Target target = new Target(switchTree, null, false, false);
                targets.push(target);
                State out = cases(path, switchTree.getCases(), selector, in);
                targets.pop();
                boolean exhaustive = switchTree.getCases().stream().anyMatch(c -> c.getLabels().stream()
                        .anyMatch(l -> l.getKind() == Tree.Kind.DEFAULT_CASE_LABEL));
                return State.join(State.join(out, target.breaks), exhaustive ? null : in);
            }
            case TryTree tryTree -> {
                return tryStatement(path, tryTree, in);
            }
            case SynchronizedTree synchronizedTree -> {
                expression(new TreePath(path, synchronizedTree.getExpression()), in);
                return statement(new TreePath(path, synchronizedTree.getBlock()), in);
            }
            case ReturnTree returnTree -> {
                if (returnTree.getExpression() != null) {
                    TreePath value = new TreePath(path, returnTree.getExpression());
                    Val v = expression(value, in);
                    if (mode == Mode.SUMMARY) {
                        returned = returned.join(v.asOwnOrigins().join(reachAll(v)));
                    } else if (mode == Mode.SCOPE) {
                        sink(returnTree.getExpression(), v, "it is returned");
                    }
                }
                return null;
            }
            case ThrowTree throwTree -> {
                Val v = expression(new TreePath(path, throwTree.getExpression()), in);
                if (mode == Mode.SCOPE) {
                    sink(throwTree.getExpression(), v, "it is thrown");
                }
                return null;
            }
            case BreakTree breakTree -> {
                Target target = breakTarget(breakTree.getLabel() == null ? null : breakTree.getLabel().toString());
                if (target != null) {
                    target.breaks = State.join(target.breaks, in);
                }
                return null;
            }
            case ContinueTree continueTree -> {
                Target target = continueTarget(continueTree.getLabel() == null ? null
                        : continueTree.getLabel().toString());
                if (target != null) {
                    target.continues = State.join(target.continues, in);
                }
                return null;
            }
            case YieldTree yield -> {
                Val v = expression(new TreePath(path, yield.getValue()), in);
                for (Target target : targets) {
                    if (target.switchExpression) {
                        target.yielded = target.yielded.join(v);
                        target.breaks = State.join(target.breaks, in);
                        break;
                    }
                }
                return null;
            }
            case ClassTree local -> {
                nested(path, in);
                return in;
            }
            default -> {
                scanExpressions(path, in);
                return in;
            }
        }
    }

    /** A loop: iterates the body from the join of the entry and the back edges until nothing changes. */
    private State loop(TreePath path, State in, java.util.function.Consumer<State> bind, ExpressionTree condition,
            List<TreePath> updates, StatementTree body, boolean bodyFirst) {
        Target target = new Target(path.getLeaf(), labelOf(path), true, false);
        targets.push(target);
        State head = in.copy();
        State exit = bodyFirst ? null : head.copy();
        for (int iteration = 0; iteration < 64; iteration++) {
            int version = contentVersion;
            State start = head.copy();
            if (bind != null) {
                bind.accept(start);
            }
            if (condition != null && !bodyFirst) {
                expression(new TreePath(path, condition), start);
            }
            target.continues = null;
            State end = statement(new TreePath(path, body), start);
            end = State.join(end, target.continues);
            if (end != null) {
                for (TreePath update : updates) {
                    expression(update, end);
                }
                if (condition != null && bodyFirst) {
                    expression(new TreePath(path, condition), end);
                }
            }
            exit = State.join(exit, end);
            State next = State.join(head, end);
            if (next.equals(head) && version == contentVersion) {
                break;
            }
            head = next;
        }
        targets.pop();
        return State.join(head, target.breaks); // path-insensitive: the loop may exit wherever it is tested
    }

    private static String labelOf(TreePath path) {
        return path.getParentPath() != null && path.getParentPath().getLeaf() instanceof LabeledStatementTree l
                ? l.getLabel().toString() : null;
    }

    private Target breakTarget(String label) {
        for (Target target : targets) {
            if (label != null ? label.equals(target.label)
                    : target.loop || target.tree instanceof SwitchTree) {
                return target;
            }
        }
        return null;
    }

    private Target continueTarget(String label) {
        for (Target target : targets) {
            if (target.loop && (label == null || label.equals(target.label))) {
                return target;
            }
        }
        return null;
    }

    private State cases(TreePath path, List<? extends CaseTree> cases, Val selector, State in) {
        State out = null;
        State fallthrough = null;
        for (CaseTree caseTree : cases) {
            TreePath casePath = new TreePath(path, caseTree);
            State entry = State.join(in, fallthrough);
            for (Tree label : caseTree.getLabels()) {
                if (label instanceof PatternCaseLabelTree pattern) {
                    bindPattern(new TreePath(new TreePath(casePath, label), pattern.getPattern()), selector, entry);
                }
            }
            if (caseTree.getGuard() != null) {
                expression(new TreePath(casePath, caseTree.getGuard()), entry);
            }
            if (caseTree.getCaseKind() == CaseTree.CaseKind.RULE) {
                Tree body = caseTree.getBody();
                State after;
                if (body instanceof ExpressionTree value) {
                    Val v = expression(new TreePath(casePath, value), entry);
                    for (Target target : targets) {
                        if (target.switchExpression) {
                            target.yielded = target.yielded.join(v);
                            break;
                        }
                        if (target.tree instanceof SwitchTree) {
                            break;
                        }
                    }
                    after = entry;
                } else {
                    after = statement(new TreePath(casePath, body), entry);
                }
                out = State.join(out, after);
                fallthrough = null;
            } else {
                State state = entry;
                for (StatementTree statement : caseTree.getStatements()) {
                    state = statement(new TreePath(casePath, statement), state);
                }
                fallthrough = state;
            }
        }
        return State.join(out, fallthrough);
    }

    private State tryStatement(TreePath path, TryTree tryTree, State in) {
        State state = in.copy();
        List<State> region = new ArrayList<>();
        region.add(in.copy());
        tryRegions.add(region);
        for (Tree resource : tryTree.getResources()) {
            TreePath resourcePath = new TreePath(path, resource);
            if (resource instanceof VariableTree) {
                state = statement(resourcePath, state);
            } else {
                expression(resourcePath, state);
            }
        }
        state = statement(new TreePath(path, tryTree.getBlock()), state);
        tryRegions.remove(tryRegions.size() - 1);
        State anywhere = null;
        for (State s : region) {
            anywhere = State.join(anywhere, s);
        }
        State out = state;
        for (CatchTree catchTree : tryTree.getCatches()) {
            TreePath catchPath = new TreePath(path, catchTree);
            State entry = anywhere == null ? in.copy() : anywhere.copy();
            entry.variables.put(trees.getElement(new TreePath(catchPath, catchTree.getParameter())), Val.EXTERNAL);
            out = State.join(out, statement(new TreePath(catchPath, catchTree.getBlock()), entry));
        }
        if (tryTree.getFinallyBlock() != null) {
            State entry = State.join(out, anywhere);
            State after = statement(new TreePath(path, tryTree.getFinallyBlock()), entry == null ? in : entry);
            return out == null || after == null ? null : State.join(out, after);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- expressions

    /** The value of an expression in a state, following its side effects (stores, sinks) on the way. */
    private Val expression(TreePath path, State state) {
        Tree tree = path.getLeaf();
        return switch (tree) {
            case ParenthesizedTree parenthesized -> expression(new TreePath(path, parenthesized.getExpression()),
                    state);
            case TypeCastTree cast -> expression(new TreePath(path, cast.getExpression()), state);
            case IdentifierTree identifier -> variable(path, state);
            case MemberSelectTree select -> select(path, select, state);
            case ConditionalExpressionTree conditional -> {
                expression(new TreePath(path, conditional.getCondition()), state);
                yield expression(new TreePath(path, conditional.getTrueExpression()), state)
                        .join(expression(new TreePath(path, conditional.getFalseExpression()), state));
            }
            case AssignmentTree assignment -> assign(path, assignment, state);
            case CompoundAssignmentTree compound -> {
                expression(new TreePath(path, compound.getVariable()), state);
                expression(new TreePath(path, compound.getExpression()), state);
                yield Val.NONE;
            }
            case MethodInvocationTree call -> invocation(path, call, state);
            case NewClassTree newClass -> newObject(path, newClass, state);
            case NewArrayTree newArray -> {
                Val held = Val.NONE;
                if (newArray.getDimensions() != null) {
                    for (ExpressionTree dimension : newArray.getDimensions()) {
                        expression(new TreePath(path, dimension), state);
                    }
                }
                if (newArray.getInitializers() != null) {
                    for (ExpressionTree initializer : newArray.getInitializers()) {
                        held = held.join(expression(new TreePath(path, initializer), state));
                    }
                }
                store(tree, held, "an array");
                yield Val.object(tree);
            }
            case ArrayAccessTree access -> {
                expression(new TreePath(path, access.getIndex()), state);
                yield element(expression(new TreePath(path, access.getExpression()), state));
            }
            case LambdaExpressionTree lambda -> capture(path, state, "a lambda");
            case MemberReferenceTree reference -> {
                Val qualifier = expression(new TreePath(path, reference.getQualifierExpression()), state);
                if (trees.getElement(new TreePath(path, reference.getQualifierExpression())) instanceof TypeElement) {
                    yield Val.NONE; // Type::method binds no receiver
                }
                store(tree, qualifier, "a method reference");
                yield Val.object(tree);
            }
            case SwitchExpressionTree switchExpression -> {
                Val selector = expression(new TreePath(path, switchExpression.getExpression()), state);
                Target target = new Target(switchExpression, null, false, true);
                targets.push(target);
                cases(path, switchExpression.getCases(), selector, state);
                targets.pop();
                yield target.yielded;
            }
            case InstanceOfTree instanceOf -> {
                Val value = expression(new TreePath(path, instanceOf.getExpression()), state);
                if (instanceOf.getPattern() != null) {
                    bindPattern(new TreePath(path, instanceOf.getPattern()), value, state);
                }
                yield Val.NONE;
            }
            default -> {
                scanExpressions(path, state);
                yield Val.NONE;
            }
        };
    }

    /** Evaluates the direct sub-expressions of a tree this analysis does not model, for their side effects. */
    private void scanExpressions(TreePath path, State state) {
        for (Tree child : children(path.getLeaf())) {
            if (child instanceof ExpressionTree) {
                expression(new TreePath(path, child), state);
            }
        }
    }

    private static List<Tree> children(Tree tree) {
        List<Tree> children = new ArrayList<>();
        new com.sun.source.util.TreeScanner<Void, Void>() {
            private boolean top = true;

            @Override
            public Void scan(Tree node, Void unused) {
                if (node == null) {
                    return null;
                }
                if (top) {
                    top = false;
                    return super.scan(node, unused);
                }
                children.add(node);
                return null;
            }
        }.scan(tree, null);
        return children;
    }

    private void bindPattern(TreePath path, Val value, State state) {
        PatternTree pattern = (PatternTree) path.getLeaf();
        if (pattern instanceof BindingPatternTree binding) {
            Element variable = trees.getElement(new TreePath(path, binding.getVariable()));
            if (variable != null) {
                state.variables.put(variable, value);
            }
        } else if (pattern instanceof DeconstructionPatternTree deconstruction) {
            for (PatternTree nested : deconstruction.getNestedPatterns()) {
                bindPattern(new TreePath(path, nested), element(value), state);
            }
        }
    }

    private Val variable(TreePath path, State state) {
        Element element = trees.getElement(path);
        if (element == null) {
            return Val.NONE;
        }
        if (ScopedTypes.isFrameVariable(element)) {
            Val value = state.variables.get(element);
            return value != null ? value : Val.EXTERNAL;
        }
        if (element.getKind() == ElementKind.FIELD) {
            return allocatorFields.contains(element) ? new Val(Set.of(), Set.of(), Set.of(), true, true, null)
                    : Val.EXTERNAL;
        }
        return Val.NONE; // this, super, a type
    }

    private Val select(TreePath path, MemberSelectTree select, State state) {
        Element element = trees.getElement(path);
        if (element == null || element instanceof TypeElement || element.getKind() == ElementKind.PACKAGE) {
            return Val.NONE;
        }
        Val receiver = expression(new TreePath(path, select.getExpression()), state);
        if (element.getKind() == ElementKind.FIELD) {
            if (allocatorFields.contains(element)) {
                return new Val(Set.of(), Set.of(), Set.of(), true, true, null);
            }
            TypeMirror type = trees.getTypeMirror(path);
            return type != null && scopedTypes.isValue(type) ? Val.NONE : element(receiver);
        }
        return Val.NONE;
    }

    private Val assign(TreePath path, AssignmentTree assignment, State state) {
        TreePath target = new TreePath(path, assignment.getVariable());
        Val value = expression(new TreePath(path, assignment.getExpression()), state);
        Tree variable = strip(assignment.getVariable());
        Element element = trees.getElement(target);
        if (ScopedTypes.isFrameVariable(element)) {
            state.variables.put(element, value);
            return value;
        }
        if (variable instanceof ArrayAccessTree access) {
            expression(new TreePath(target, access.getIndex()), state);
            Val array = expression(new TreePath(target, access.getExpression()), state);
            storeInto(assignment.getExpression(), array, value, "an array", "the array "
                    + access.getExpression() + ", which was not created in the call");
            return value;
        }
        if (element != null && element.getKind() == ElementKind.FIELD) {
            Val receiver = variable instanceof MemberSelectTree select
                    ? expression(new TreePath(target, select.getExpression()), state) : Val.EXTERNAL;
            String where = element.getModifiers().contains(Modifier.STATIC) ? "the static field "
                    + element.getEnclosingElement().getSimpleName() + "." + element.getSimpleName()
                    : "the field " + element.getSimpleName();
            storeInto(assignment.getExpression(), receiver, value, "an object", "it is stored in " + where);
            return value;
        }
        return value;
    }

    /** Stores a value into an object: kept inside when the object was created in the call, a sink otherwise. */
    private void storeInto(Tree at, Val container, Val value, String wrapper, String how) {
        store(container, value, wrapper);
        if (container.external() || container.objects().isEmpty()) {
            sink(at, value, how.startsWith("it ") ? how : "it is stored in " + how);
        }
    }

    private void store(Val container, Val value, String wrapper) {
        for (Tree object : container.objects()) {
            store(object, value, wrapper);
        }
    }

    private void store(Tree object, Val value, String wrapper) {
        if (value.origins().isEmpty() && value.parameters().isEmpty() && value.objects().isEmpty()) {
            return;
        }
        Val held = value.wrapper() == null ? value.wrapped(wrapper) : value;
        Val old = contents.get(object);
        Val updated = old == null ? held : old.join(held);
        if (!updated.equals(old)) {
            contents.put(object, updated);
            contentVersion++;
        }
    }

    /** A value read out of a container: everything the container may hold. */
    private Val element(Val container) {
        Val all = reachAll(container);
        return new Val(all.origins(), all.parameters(), Set.of(), true, false, null);
    }

    /** The scoped origins and parameters a value is or holds, through the objects created in the call. */
    private Val reachAll(Val value) {
        Set<String> origins = new LinkedHashSet<>(value.origins());
        Set<Integer> parameters = new LinkedHashSet<>(value.parameters());
        String wrapper = value.wrapper();
        Deque<Tree> pending = new ArrayDeque<>(value.objects());
        Set<Tree> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            Tree object = pending.pop();
            if (!seen.add(object)) {
                continue;
            }
            Val held = contents.get(object);
            if (held != null) {
                origins.addAll(held.origins());
                parameters.addAll(held.parameters());
                if (wrapper == null && (!held.origins().isEmpty() || !held.parameters().isEmpty())) {
                    wrapper = held.wrapper();
                }
                pending.addAll(held.objects());
                if (wrapper == null && !held.objects().isEmpty()) {
                    wrapper = held.wrapper();
                }
            }
        }
        return new Val(Set.copyOf(origins), Set.copyOf(parameters), Set.of(), value.external(), value.allocator(),
                wrapper);
    }

    /** Reports a value reaching a place that outlives the call, if it is or holds scoped memory. */
    private void sink(Tree at, Val value, String how) {
        Val reached = reachAll(value);
        if (mode == Mode.SUMMARY) {
            for (Integer parameter : reached.parameters()) {
                storedParameters.putIfAbsent(parameter, how.replaceFirst("^it is ", ""));
            }
            if (!reached.origins().isEmpty() && storedAllocation == null) {
                storedAllocation = how.replaceFirst("^it is ", "");
            }
            return;
        }
        if (reached.origins().isEmpty() || findings.containsKey(at)) {
            return;
        }
        String what = "memory allocated in the scope by " + String.join(" and ", reached.origins());
        String inside = reached.wrapper() == null ? "" : " inside " + reached.wrapper();
        findings.put(at, new Finding(at, what, how + inside));
    }

    private Val invocation(TreePath path, MethodInvocationTree call, State state) {
        ExpressionTree select = call.getMethodSelect();
        Element element = trees.getElement(path);
        boolean onThis;
        Val receiver;
        if (select instanceof MemberSelectTree member) {
            TreePath receiverPath = new TreePath(new TreePath(path, select), member.getExpression());
            Element receiverElement = trees.getElement(receiverPath);
            onThis = isThis(member.getExpression(), receiverElement);
            receiver = receiverElement instanceof TypeElement ? Val.NONE : expression(receiverPath, state);
        } else {
            onThis = element != null && !element.getModifiers().contains(Modifier.STATIC);
            receiver = Val.NONE;
        }
        List<Val> arguments = new ArrayList<>();
        for (ExpressionTree argument : call.getArguments()) {
            arguments.add(expression(new TreePath(path, argument), state));
        }
        if (!(element instanceof ExecutableElement invoked)) {
            return Val.NONE;
        }
        TypeMirror result = trees.getTypeMirror(path);
        boolean value = result == null || scopedTypes.isValue(result);
        String text = invoked.getSimpleName() + "()";

        if (onThis && Annotations.find(invoked, ALLOC).isPresent()) {
            return Val.origin(text);
        }
        if (onThis && isAllocatorAccessor(invoked, owner)) {
            return new Val(Set.of(), Set.of(), Set.of(), true, true, null);
        }
        boolean allocatorArgument = arguments.stream().anyMatch(Val::allocator);
        if (receiver.allocator() || allocatorArgument) {
            if (value) {
                return Val.NONE;
            }
            String source = receiver.allocator() ? "allocator()." + invoked.getSimpleName() + "(...)"
                    : qualifiedCall(invoked);
            return Val.origin(source);
        }
        if (onThis || invoked.getModifiers().contains(Modifier.STATIC)) {
            Summary summary = summary(invoked);
            if (summary != null) {
                return summarised(call, invoked, summary, arguments, value);
            }
        }
        // Stores into a collection, an atomic reference or a thread-local.
        boolean anyScoped = arguments.stream().anyMatch(this::scoped);
        if (anyScoped && isStoring(invoked)) {
            for (int i = 0; i < arguments.size(); i++) {
                if (scoped(arguments.get(i))) {
                    storeInto(call.getArguments().get(i), receiver, arguments.get(i),
                            ScopedTypes.article(ScopedTypes.display(types.erasure(invoked.getEnclosingElement()
                                    .asType()))),
                            "the collection " + receiverText(select) + ", which was not created in the call");
                }
            }
        } else if (anyScoped && !receiver.objects().isEmpty() && select instanceof MemberSelectTree member) {
            TypeMirror receiverType = trees.getTypeMirror(new TreePath(new TreePath(path, select),
                    member.getExpression()));
            if (receiverType == null || scopedTypes.canKeep(receiverType)) {
                for (Val argument : arguments) {
                    store(receiver, argument, "an object");
                }
            }
        }
        if (value) {
            return Val.NONE;
        }
        Val derived = Val.EXTERNAL;
        if (scoped(receiver)) {
            Val reached = reachAll(receiver);
            derived = derived.join(new Val(reached.origins(), reached.parameters(), Set.of(), true, false,
                    scopedTypes.isMemory(result) ? null : reached.wrapper()));
        }
        if (anyScoped && (scopedTypes.mentionsMemory(result) || scopedTypes.isMemory(result))) {
            for (Val argument : arguments) {
                Val reached = reachAll(argument);
                derived = derived.join(new Val(reached.origins(), reached.parameters(), Set.of(), true, false,
                        scopedTypes.isMemory(result) ? null
                                : ScopedTypes.article(ScopedTypes.display(types.erasure(result)))));
            }
        }
        return derived;
    }

    private static String receiverText(ExpressionTree select) {
        return select instanceof MemberSelectTree member ? member.getExpression().toString() : "this";
    }

    private static String qualifiedCall(ExecutableElement invoked) {
        return invoked.getEnclosingElement().getSimpleName() + "." + invoked.getSimpleName() + "(...)";
    }

    private boolean isThis(ExpressionTree receiver, Element receiverElement) {
        Tree stripped = strip(receiver);
        if (stripped instanceof IdentifierTree identifier) {
            String name = identifier.getName().toString();
            return name.equals("this") || name.equals("super");
        }
        return stripped instanceof MemberSelectTree select && (select.getIdentifier().contentEquals("this")
                || select.getIdentifier().contentEquals("super"));
    }

    private boolean scoped(Val value) {
        Val reached = reachAll(value);
        return !reached.origins().isEmpty() || !reached.parameters().isEmpty();
    }

    private boolean isStoring(ExecutableElement invoked) {
        String name = invoked.getSimpleName().toString();
        if (STORING_PREFIXES.stream().noneMatch(name::startsWith)) {
            return false;
        }
        TypeMirror declaring = types.erasure(invoked.getEnclosingElement().asType());
        for (String type : STORING_TYPES) {
            TypeElement storing = scopedTypes.typeElement(type);
            if (storing != null && types.isAssignable(declaring, types.erasure(storing.asType()))) {
                return true;
            }
        }
        return false;
    }

    /** The summary of a helper of the class called on {@code this}, or {@code null} when it cannot be read. */
    private Summary summary(ExecutableElement invoked) {
        if (invoked.getModifiers().contains(Modifier.ABSTRACT) || invoked.getModifiers().contains(Modifier.NATIVE)
                || !(invoked.getEnclosingElement() instanceof TypeElement declaring)
                || !(declaring.equals(owner) || isSuperclassOf(declaring, owner))
                || !outermost(declaring).equals(outermost(owner))) {
            return null; // only bodies attributed together with the class can be read
        }
        Summary known = summaries.get(invoked);
        if (known != null) {
            return known;
        }
        if (!summarising.add(invoked)) {
            return Summary.OPAQUE; // recursion: what it does is decided by its other paths
        }
        try {
            TreePath helper = trees.getPath(invoked);
            if (helper == null || !(helper.getLeaf() instanceof MethodTree tree) || tree.getBody() == null
                    || trees.getTypeMirror(helper) == null) {
                return null;
            }
            ScopeEscapeAnalysis analysis = new ScopeEscapeAnalysis(trees, types, scopedTypes, owner, allocatorFields,
                    summaries, summarising, Mode.SUMMARY, Map.of());
            analysis.body(helper);
            Summary summary = analysis.summary();
            if (Annotations.find(invoked, MEMORY_SCOPE).isPresent()) {
                // A scope's own allocations end with it, and its own escapes are reported on it.
                summary = new Summary(Set.of(), summary.returnedParameters(), summary.storedParameters(), null);
            }
            summaries.put(invoked, summary);
            return summary;
        } finally {
            summarising.remove(invoked);
        }
    }

    private static TypeElement outermost(TypeElement type) {
        TypeElement result = type;
        while (result.getEnclosingElement() instanceof TypeElement outer) {
            result = outer;
        }
        return result;
    }

    private Val summarised(MethodInvocationTree call, ExecutableElement invoked, Summary summary, List<Val> arguments,
            boolean value) {
        String name = invoked.getSimpleName() + "()";
        for (Map.Entry<Integer, String> stored : summary.storedParameters().entrySet()) {
            int index = Math.min(stored.getKey(), arguments.size() - 1);
            if (index >= 0) {
                sink(call.getArguments().get(index), arguments.get(index),
                        "it is passed to " + name + ", which stores it in " + stripStored(stored.getValue()));
            }
        }
        if (summary.storedAllocation() != null) {
            sink(call, Val.origin(name), "it is stored in " + stripStored(summary.storedAllocation())
                    + " by " + name);
        }
        if (value) {
            return Val.NONE;
        }
        Val result = new Val(summary.returnedOrigins().isEmpty() ? Set.of() : Set.of(name), Set.of(), Set.of(), true,
                false, null);
        for (Integer parameter : summary.returnedParameters()) {
            if (parameter < arguments.size()) {
                Val reached = reachAll(arguments.get(parameter));
                result = result.join(new Val(reached.origins(), reached.parameters(), Set.of(), true, false,
                        reached.wrapper()));
            }
        }
        return result;
    }

    private static String stripStored(String how) {
        return how.replaceFirst("^stored in ", "");
    }

    private Val newObject(TreePath path, NewClassTree newClass, State state) {
        if (newClass.getEnclosingExpression() != null) {
            expression(new TreePath(path, newClass.getEnclosingExpression()), state);
        }
        Val held = Val.NONE;
        for (ExpressionTree argument : newClass.getArguments()) {
            held = held.join(expression(new TreePath(path, argument), state));
        }
        TypeMirror type = trees.getTypeMirror(path);
        String name = type == null ? "an object" : ScopedTypes.article(ScopedTypes.display(types.erasure(type)));
        if (newClass.getClassBody() != null) {
            store(newClass, capturedBy(new TreePath(path, newClass.getClassBody()), state), "an anonymous class");
            nested(new TreePath(path, newClass.getClassBody()), state);
            if (scoped(held)) {
                store(newClass, held, "an anonymous class");
            }
            return Val.object(newClass);
        }
        Element constructed = type == null ? null : types.asElement(type);
        if (constructed instanceof TypeElement local && local.getNestingKind() == NestingKind.LOCAL) {
            TreePath declaration = trees.getPath(local);
            if (declaration != null) {
                store(newClass, capturedBy(declaration, state), "a local class " + local.getSimpleName());
            }
        }
        if (type == null || scopedTypes.canKeep(type)) {
            store(newClass, held, name);
        }
        return Val.object(newClass);
    }

    private Val capture(TreePath path, State state, String wrapper) {
        Tree tree = path.getLeaf();
        store(tree, capturedBy(path, state), wrapper);
        nested(path, state);
        return Val.object(tree);
    }

    /** The values of the enclosing locals a lambda or class body refers to. */
    private Val capturedBy(TreePath body, State state) {
        Val[] captures = {Val.NONE};
        new TreePathScanner<Void, Void>() {
            @Override
            public Void visitIdentifier(IdentifierTree node, Void unused) {
                Element element = trees.getElement(getCurrentPath());
                if (ScopedTypes.isFrameVariable(element)) {
                    Val value = state.variables.get(element);
                    if (value == null) {
                        value = captured.get(element);
                    }
                    if (value != null) {
                        captures[0] = captures[0].join(value);
                    }
                }
                return super.visitIdentifier(node, unused);
            }
        }.scan(body, null);
        return captures[0];
    }

    /**
     * Looks for sinks inside a lambda or class body: what it stores in fields or outside collections escapes
     * whenever it runs. Its own returns are not the method's.
     */
    private void nested(TreePath body, State state) {
        Map<Element, Val> visible = new HashMap<>(captured);
        visible.putAll(state.variables);
        Mode nestedMode = mode == Mode.SUMMARY ? Mode.SUMMARY : Mode.NESTED;
        new TreePathScanner<Void, Void>() {
            @Override
            public Void visitMethod(MethodTree node, Void unused) {
                ScopeEscapeAnalysis inner = child(nestedMode, visible);
                inner.body(getCurrentPath());
                inner.mergeInto(ScopeEscapeAnalysis.this);
                return null;
            }

            @Override
            public Void visitLambdaExpression(LambdaExpressionTree node, Void unused) {
                ScopeEscapeAnalysis inner = child(nestedMode, visible);
                State lambdaState = new State(new HashMap<>(visible));
                TreePath bodyPath = new TreePath(getCurrentPath(), node.getBody());
                if (node.getBody() instanceof ExpressionTree) {
                    inner.expression(bodyPath, lambdaState);
                } else {
                    inner.statement(bodyPath, lambdaState);
                }
                inner.mergeInto(ScopeEscapeAnalysis.this);
                return null;
            }

            @Override
            public Void visitVariable(VariableTree node, Void unused) {
                Element element = trees.getElement(getCurrentPath());
                if (element != null && element.getKind() == ElementKind.FIELD && node.getInitializer() != null) {
                    ScopeEscapeAnalysis inner = child(nestedMode, visible);
                    Val value = inner.expression(new TreePath(getCurrentPath(), node.getInitializer()),
                            new State(new HashMap<>(visible)));
                    inner.sink(node.getInitializer(), value, "it is stored in the field " + node.getName());
                    inner.mergeInto(ScopeEscapeAnalysis.this);
                    return null;
                }
                return super.visitVariable(node, unused);
            }
        }.scan(body, null);
    }

    private ScopeEscapeAnalysis child(Mode childMode, Map<Element, Val> visible) {
        return new ScopeEscapeAnalysis(trees, types, scopedTypes, owner, allocatorFields, summaries, summarising,
                childMode, visible);
    }

    private void mergeInto(ScopeEscapeAnalysis outer) {
        findings.forEach(outer.findings::putIfAbsent);
        storedParameters.forEach(outer.storedParameters::putIfAbsent);
        if (outer.storedAllocation == null) {
            outer.storedAllocation = storedAllocation;
        }
        contents.forEach((object, value) -> outer.store(object, value, value.wrapper()));
    }

    private static ExpressionTree strip(ExpressionTree tree) {
        ExpressionTree result = tree;
        while (true) {
            if (result instanceof ParenthesizedTree parenthesized) {
                result = parenthesized.getExpression();
            } else if (result instanceof TypeCastTree cast) {
                result = cast.getExpression();
            } else {
                return result;
            }
        }
    }
}
