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
import java.util.function.Consumer;
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
 * {@code allocator()}, of a local assigned from it, or of a field only ever assigned from it) that returns memory
 * (a segment, a view, a buffer, or a type that shows one); a call that takes the allocator as an argument and
 * returns memory or an object able to keep it (such as {@code PointStruct.allocate(allocator())}); a call of a
 * helper method of the same class whose body returns such memory.
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

    /** A statement that {@code break}, {@code continue} or {@code yield} can leave. */
    private static final class Target {
        final Tree tree;
        final String label;
        final boolean loop;
        final boolean switchExpression;
        FlowState breaks;
        FlowState continues;
        FlowValue yielded = FlowValue.NONE;

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
    private final Map<Tree, FlowValue> contents = new HashMap<>();
    private final Map<Tree, Finding> findings = new LinkedHashMap<>();
    private final Deque<Target> targets = new ArrayDeque<>();
    private final List<List<FlowState>> tryRegions = new ArrayList<>();
    /** What the locals of enclosing bodies held, for the lambdas and classes of a nested body. */
    private final Map<Element, FlowValue> captured;
    private int contentVersion;
    private FlowValue returned = FlowValue.NONE;
    private final Map<Integer, String> storedParameters = new HashMap<>();
    private String storedAllocation;

    private ScopeEscapeAnalysis(Trees trees, Types types, ScopedTypes scopedTypes, TypeElement owner,
            Set<VariableElement> allocatorFields, Map<ExecutableElement, Summary> summaries,
            Set<ExecutableElement> summarising, Mode mode, Map<Element, FlowValue> captured) {
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
        FlowState state = new FlowState(new HashMap<>());
        captured.forEach(state.variables::put);
        List<? extends VariableTree> parameters = tree.getParameters();
        for (int i = 0; i < parameters.size(); i++) {
            Element parameter = trees.getElement(new TreePath(methodPath, parameters.get(i)));
            state.variables.put(parameter, mode == Mode.SUMMARY
                    ? new FlowValue(Set.of(), Set.of(i), Set.of(), true, false, null) : FlowValue.EXTERNAL);
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
    private FlowState statement(TreePath path, FlowState in) {
        if (in == null) {
            return null;
        }
        FlowState out = statementUnrecorded(path, in);
        if (out != null) {
            for (List<FlowState> region : tryRegions) {
                region.add(out.copy()); // later statements update the state in place
            }
        }
        return out;
    }

    private FlowState statementUnrecorded(TreePath path, FlowState in) {
        Tree tree = path.getLeaf();
        switch (tree) {
            case BlockTree block -> {
                FlowState state = in;
                for (StatementTree statement : block.getStatements()) {
                    state = statement(new TreePath(path, statement), state);
                }
                return state;
            }
            case VariableTree variable -> {
                Element element = trees.getElement(path);
                FlowValue value = variable.getInitializer() == null ? FlowValue.NONE
                        : expression(new TreePath(path, variable.getInitializer()), in);
                FlowState out = in.copy();
                out.variables.put(element, value);
                return out;
            }
            case ExpressionStatementTree statement -> {
                expression(new TreePath(path, statement.getExpression()), in);
                return in;
            }
            case IfTree branch -> {
                expression(new TreePath(path, branch.getCondition()), in);
                FlowState then = statement(new TreePath(path, branch.getThenStatement()), in.copy());
                FlowState otherwise = branch.getElseStatement() == null ? in
                        : statement(new TreePath(path, branch.getElseStatement()), in.copy());
                return FlowState.join(then, otherwise);
            }
            case WhileLoopTree loop -> {
                return loop(path, in, null, loop.getCondition(), List.of(), loop.getStatement(), false);
            }
            case DoWhileLoopTree loop -> {
                return loop(path, in, null, loop.getCondition(), List.of(), loop.getStatement(), true);
            }
            case ForLoopTree loop -> {
                FlowState state = in;
                for (StatementTree initializer : loop.getInitializer()) {
                    state = statement(new TreePath(path, initializer), state);
                }
                List<TreePath> updates = loop.getUpdate().stream().map(u -> new TreePath(path, u)).toList();
                return loop(path, state, null, loop.getCondition(), updates, loop.getStatement(), false);
            }
            case EnhancedForLoopTree loop -> {
                FlowValue iterated = expression(new TreePath(path, loop.getExpression()), in);
                Element variable = trees.getElement(new TreePath(path, loop.getVariable()));
                FlowValue element = element(iterated);
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
                FlowState out = statement(new TreePath(path, inner), in);
                targets.pop();
                return FlowState.join(out, target.breaks);
            }
            case SwitchTree switchTree -> {
                FlowValue selector = expression(new TreePath(path, switchTree.getExpression()), in);
                Target target = new Target(switchTree, null, false, false);
                targets.push(target);
                FlowState out = cases(path, switchTree.getCases(), selector, in);
                targets.pop();
                boolean exhaustive = switchTree.getCases().stream().anyMatch(c -> c.getLabels().stream()
                        .anyMatch(l -> l.getKind() == Tree.Kind.DEFAULT_CASE_LABEL));
                return FlowState.join(FlowState.join(out, target.breaks), exhaustive ? null : in);
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
                    FlowValue v = expression(value, in);
                    if (mode == Mode.SUMMARY) {
                        returned = returned.join(v.asOwnOrigins().join(reachAll(v)));
                    } else if (mode == Mode.SCOPE) {
                        sink(returnTree.getExpression(), v, "it is returned");
                    }
                }
                return null;
            }
            case ThrowTree throwTree -> {
                FlowValue v = expression(new TreePath(path, throwTree.getExpression()), in);
                if (mode == Mode.SCOPE) {
                    sink(throwTree.getExpression(), v, "it is thrown");
                }
                return null;
            }
            case BreakTree breakTree -> {
                Target target = breakTarget(breakTree.getLabel() == null ? null : breakTree.getLabel().toString());
                if (target != null) {
                    target.breaks = FlowState.join(target.breaks, in);
                }
                return null;
            }
            case ContinueTree continueTree -> {
                Target target = continueTarget(continueTree.getLabel() == null ? null
                        : continueTree.getLabel().toString());
                if (target != null) {
                    target.continues = FlowState.join(target.continues, in);
                }
                return null;
            }
            case YieldTree yield -> {
                FlowValue v = expression(new TreePath(path, yield.getValue()), in);
                for (Target target : targets) {
                    if (target.switchExpression) {
                        target.yielded = target.yielded.join(v);
                        target.breaks = FlowState.join(target.breaks, in);
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
    private FlowState loop(TreePath path, FlowState in, Consumer<FlowState> bind, ExpressionTree condition,
            List<TreePath> updates, StatementTree body, boolean bodyFirst) {
        Target target = new Target(path.getLeaf(), labelOf(path), true, false);
        targets.push(target);
        FlowState head = in.copy();
        FlowState exit = bodyFirst ? null : head.copy();
        for (int iteration = 0; iteration < 64; iteration++) {
            int version = contentVersion;
            FlowState start = head.copy();
            if (bind != null) {
                bind.accept(start);
            }
            if (condition != null && !bodyFirst) {
                expression(new TreePath(path, condition), start);
            }
            target.continues = null;
            FlowState end = statement(new TreePath(path, body), start);
            end = FlowState.join(end, target.continues);
            if (end != null) {
                for (TreePath update : updates) {
                    expression(update, end);
                }
                if (condition != null && bodyFirst) {
                    expression(new TreePath(path, condition), end);
                }
            }
            exit = FlowState.join(exit, end);
            FlowState next = FlowState.join(head, end);
            if (next.equals(head) && version == contentVersion) {
                break;
            }
            head = next;
        }
        targets.pop();
        return FlowState.join(head, target.breaks); // path-insensitive: the loop may exit wherever it is tested
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

    private FlowState cases(TreePath path, List<? extends CaseTree> cases, FlowValue selector, FlowState in) {
        FlowState out = null;
        FlowState fallthrough = null;
        for (CaseTree caseTree : cases) {
            TreePath casePath = new TreePath(path, caseTree);
            FlowState entry = FlowState.join(in, fallthrough);
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
                FlowState after;
                if (body instanceof ExpressionTree value) {
                    FlowValue v = expression(new TreePath(casePath, value), entry);
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
                out = FlowState.join(out, after);
                fallthrough = null;
            } else {
                FlowState state = entry;
                for (StatementTree statement : caseTree.getStatements()) {
                    state = statement(new TreePath(casePath, statement), state);
                }
                fallthrough = state;
            }
        }
        return FlowState.join(out, fallthrough);
    }

    private FlowState tryStatement(TreePath path, TryTree tryTree, FlowState in) {
        FlowState state = in.copy();
        List<FlowState> region = new ArrayList<>();
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
        FlowState anywhere = null;
        for (FlowState s : region) {
            anywhere = FlowState.join(anywhere, s);
        }
        FlowState out = state;
        for (CatchTree catchTree : tryTree.getCatches()) {
            TreePath catchPath = new TreePath(path, catchTree);
            FlowState entry = anywhere == null ? in.copy() : anywhere.copy();
            entry.variables.put(trees.getElement(new TreePath(catchPath, catchTree.getParameter())),
                    FlowValue.EXTERNAL);
            out = FlowState.join(out, statement(new TreePath(catchPath, catchTree.getBlock()), entry));
        }
        if (tryTree.getFinallyBlock() != null) {
            FlowState entry = FlowState.join(out, anywhere);
            FlowState after = statement(new TreePath(path, tryTree.getFinallyBlock()), entry == null ? in : entry);
            return out == null || after == null ? null : FlowState.join(out, after);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- expressions

    /** The value of an expression in a state, following its side effects (stores, sinks) on the way. */
    private FlowValue expression(TreePath path, FlowState state) {
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
                yield FlowValue.NONE;
            }
            case MethodInvocationTree call -> invocation(path, call, state);
            case NewClassTree newClass -> newObject(path, newClass, state);
            case NewArrayTree newArray -> {
                FlowValue held = FlowValue.NONE;
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
                yield FlowValue.object(tree);
            }
            case ArrayAccessTree access -> {
                expression(new TreePath(path, access.getIndex()), state);
                yield element(expression(new TreePath(path, access.getExpression()), state));
            }
            case LambdaExpressionTree lambda -> capture(path, state, "a lambda");
            case MemberReferenceTree reference -> {
                FlowValue qualifier = expression(new TreePath(path, reference.getQualifierExpression()), state);
                if (trees.getElement(new TreePath(path, reference.getQualifierExpression())) instanceof TypeElement) {
                    yield FlowValue.NONE; // Type::method binds no receiver
                }
                store(tree, qualifier, "a method reference");
                yield FlowValue.object(tree);
            }
            case SwitchExpressionTree switchExpression -> {
                FlowValue selector = expression(new TreePath(path, switchExpression.getExpression()), state);
                Target target = new Target(switchExpression, null, false, true);
                targets.push(target);
                cases(path, switchExpression.getCases(), selector, state);
                targets.pop();
                yield target.yielded;
            }
            case InstanceOfTree instanceOf -> {
                FlowValue value = expression(new TreePath(path, instanceOf.getExpression()), state);
                if (instanceOf.getPattern() != null) {
                    bindPattern(new TreePath(path, instanceOf.getPattern()), value, state);
                }
                yield FlowValue.NONE;
            }
            default -> {
                scanExpressions(path, state);
                yield FlowValue.NONE;
            }
        };
    }

    /** Evaluates the direct sub-expressions of a tree this analysis does not model, for their side effects. */
    private void scanExpressions(TreePath path, FlowState state) {
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

    private void bindPattern(TreePath path, FlowValue value, FlowState state) {
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

    private FlowValue variable(TreePath path, FlowState state) {
        Element element = trees.getElement(path);
        if (element == null) {
            return FlowValue.NONE;
        }
        if (ScopedTypes.isFrameVariable(element)) {
            FlowValue value = state.variables.get(element);
            return value != null ? value : FlowValue.EXTERNAL;
        }
        if (element.getKind() == ElementKind.FIELD) {
            return allocatorFields.contains(element) ? new FlowValue(Set.of(), Set.of(), Set.of(), true, true, null)
                    : FlowValue.EXTERNAL;
        }
        return FlowValue.NONE; // this, super, a type
    }

    private FlowValue select(TreePath path, MemberSelectTree select, FlowState state) {
        Element element = trees.getElement(path);
        if (element == null || element instanceof TypeElement || element.getKind() == ElementKind.PACKAGE) {
            return FlowValue.NONE;
        }
        FlowValue receiver = expression(new TreePath(path, select.getExpression()), state);
        if (element.getKind() == ElementKind.FIELD) {
            if (allocatorFields.contains(element)) {
                return new FlowValue(Set.of(), Set.of(), Set.of(), true, true, null);
            }
            TypeMirror type = trees.getTypeMirror(path);
            return type != null && scopedTypes.isValue(type) ? FlowValue.NONE : element(receiver);
        }
        return FlowValue.NONE;
    }

    private FlowValue assign(TreePath path, AssignmentTree assignment, FlowState state) {
        TreePath target = new TreePath(path, assignment.getVariable());
        FlowValue value = expression(new TreePath(path, assignment.getExpression()), state);
        Tree variable = strip(assignment.getVariable());
        Element element = trees.getElement(target);
        if (ScopedTypes.isFrameVariable(element)) {
            state.variables.put(element, value);
            return value;
        }
        if (variable instanceof ArrayAccessTree access) {
            expression(new TreePath(target, access.getIndex()), state);
            FlowValue array = expression(new TreePath(target, access.getExpression()), state);
            storeInto(assignment.getExpression(), array, value, "an array", "the array "
                    + access.getExpression() + ", which was not created in the call");
            return value;
        }
        if (element != null && element.getKind() == ElementKind.FIELD) {
            if (declaredInCall(element)) {
                return value; // a field of a lambda's, local or anonymous class's own object: followed by capture
            }
            FlowValue receiver = variable instanceof MemberSelectTree select
                    ? expression(new TreePath(target, select.getExpression()), state) : FlowValue.EXTERNAL;
            String where = element.getModifiers().contains(Modifier.STATIC) ? "the static field "
                    + element.getEnclosingElement().getSimpleName() + "." + element.getSimpleName()
                    : "the field " + element.getSimpleName();
            storeInto(assignment.getExpression(), receiver, value, "an object", "it is stored in " + where);
            return value;
        }
        return value;
    }

    /** Whether a field belongs to a local or anonymous class, whose objects the analysis follows as values. */
    private static boolean declaredInCall(Element field) {
        return field.getEnclosingElement() instanceof TypeElement declaring
                && (declaring.getNestingKind() == NestingKind.LOCAL
                        || declaring.getNestingKind() == NestingKind.ANONYMOUS);
    }

    /** Stores a value into an object: kept inside when the object was created in the call, a sink otherwise. */
    private void storeInto(Tree at, FlowValue container, FlowValue value, String wrapper, String how) {
        store(container, value, wrapper);
        if (container.external() || container.objects().isEmpty()) {
            sink(at, value, how.startsWith("it ") ? how : "it is stored in " + how);
        }
    }

    private void store(FlowValue container, FlowValue value, String wrapper) {
        for (Tree object : container.objects()) {
            store(object, value, wrapper);
        }
    }

    private void store(Tree object, FlowValue value, String wrapper) {
        if (value.origins().isEmpty() && value.parameters().isEmpty() && value.objects().isEmpty()) {
            return;
        }
        FlowValue held = value.wrapper() == null ? value.wrapped(wrapper) : value;
        FlowValue old = contents.get(object);
        FlowValue updated = old == null ? held : old.join(held);
        if (!updated.equals(old)) {
            contents.put(object, updated);
            contentVersion++;
        }
    }

    /** A value read out of a container: everything the container may hold. */
    private FlowValue element(FlowValue container) {
        FlowValue all = reachAll(container);
        return new FlowValue(all.origins(), all.parameters(), Set.of(), true, false, null);
    }

    /** The scoped origins and parameters a value is or holds, through the objects created in the call. */
    private FlowValue reachAll(FlowValue value) {
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
            FlowValue held = contents.get(object);
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
        return new FlowValue(Set.copyOf(origins), Set.copyOf(parameters), Set.of(), value.external(), value.allocator(),
                wrapper);
    }

    /** Reports a value reaching a place that outlives the call, if it is or holds scoped memory. */
    private void sink(Tree at, FlowValue value, String how) {
        FlowValue reached = reachAll(value);
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

    private FlowValue invocation(TreePath path, MethodInvocationTree call, FlowState state) {
        ExpressionTree select = call.getMethodSelect();
        Element element = trees.getElement(path);
        boolean onThis;
        FlowValue receiver;
        if (select instanceof MemberSelectTree member) {
            TreePath receiverPath = new TreePath(new TreePath(path, select), member.getExpression());
            Element receiverElement = trees.getElement(receiverPath);
            onThis = isThis(member.getExpression(), receiverElement);
            receiver = receiverElement instanceof TypeElement ? FlowValue.NONE : expression(receiverPath, state);
        } else {
            onThis = element != null && !element.getModifiers().contains(Modifier.STATIC);
            receiver = FlowValue.NONE;
        }
        List<FlowValue> arguments = new ArrayList<>();
        for (ExpressionTree argument : call.getArguments()) {
            arguments.add(expression(new TreePath(path, argument), state));
        }
        if (!(element instanceof ExecutableElement invoked)) {
            return FlowValue.NONE;
        }
        TypeMirror result = trees.getTypeMirror(path);
        boolean value = result == null || scopedTypes.isValue(result);
        String text = invoked.getSimpleName() + "()";

        if (onThis && Annotations.find(invoked, ALLOC).isPresent()) {
            return FlowValue.origin(text);
        }
        if (onThis && isAllocatorAccessor(invoked, owner)) {
            return new FlowValue(Set.of(), Set.of(), Set.of(), true, true, null);
        }
        boolean allocatorArgument = arguments.stream().anyMatch(FlowValue::allocator);
        if (receiver.allocator() || allocatorArgument) {
            if (value) {
                return FlowValue.NONE;
            }
            boolean carriesMemory = scopedTypes.isMemory(result) || scopedTypes.mentionsMemory(result);
            if (receiver.allocator() && !carriesMemory) {
                return FlowValue.EXTERNAL; // the allocator's own state (a checkpoint, its statistics), not memory
            }
            if (carriesMemory || scopedTypes.canKeep(result)) {
                return FlowValue.origin(receiver.allocator() ? "allocator()." + invoked.getSimpleName() + "(...)"
                        : qualifiedCall(invoked)); // allocated on the allocator, or built from it
            }
            return FlowValue.EXTERNAL;
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
                for (FlowValue argument : arguments) {
                    store(receiver, argument, "an object");
                }
            }
        }
        if (value) {
            return FlowValue.NONE;
        }
        FlowValue derived = FlowValue.EXTERNAL;
        if (scoped(receiver)) {
            FlowValue reached = reachAll(receiver);
            derived = derived.join(new FlowValue(reached.origins(), reached.parameters(), Set.of(), true, false,
                    scopedTypes.isMemory(result) ? null : reached.wrapper()));
        }
        if (anyScoped && (scopedTypes.mentionsMemory(result) || scopedTypes.isMemory(result))) {
            for (FlowValue argument : arguments) {
                FlowValue reached = reachAll(argument);
                derived = derived.join(new FlowValue(reached.origins(), reached.parameters(), Set.of(), true, false,
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

    private boolean scoped(FlowValue value) {
        FlowValue reached = reachAll(value);
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

    private FlowValue summarised(MethodInvocationTree call, ExecutableElement invoked, Summary summary,
            List<FlowValue> arguments, boolean value) {
        String name = invoked.getSimpleName() + "()";
        for (Map.Entry<Integer, String> stored : summary.storedParameters().entrySet()) {
            int index = Math.min(stored.getKey(), arguments.size() - 1);
            if (index >= 0) {
                sink(call.getArguments().get(index), arguments.get(index),
                        "it is passed to " + name + ", which stores it in " + stripStored(stored.getValue()));
            }
        }
        if (summary.storedAllocation() != null) {
            sink(call, FlowValue.origin(name), "it is stored in " + stripStored(summary.storedAllocation())
                    + " by " + name);
        }
        if (value) {
            return FlowValue.NONE;
        }
        FlowValue result = new FlowValue(summary.returnedOrigins().isEmpty() ? Set.of() : Set.of(name), Set.of(),
                Set.of(), true, false, null);
        for (Integer parameter : summary.returnedParameters()) {
            if (parameter < arguments.size()) {
                FlowValue reached = reachAll(arguments.get(parameter));
                result = result.join(new FlowValue(reached.origins(), reached.parameters(), Set.of(), true, false,
                        reached.wrapper()));
            }
        }
        return result;
    }

    private static String stripStored(String how) {
        return how.replaceFirst("^stored in ", "");
    }

    private FlowValue newObject(TreePath path, NewClassTree newClass, FlowState state) {
        if (newClass.getEnclosingExpression() != null) {
            expression(new TreePath(path, newClass.getEnclosingExpression()), state);
        }
        FlowValue held = FlowValue.NONE;
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
            return FlowValue.object(newClass);
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
        return FlowValue.object(newClass);
    }

    private FlowValue capture(TreePath path, FlowState state, String wrapper) {
        Tree tree = path.getLeaf();
        store(tree, capturedBy(path, state), wrapper);
        nested(path, state);
        return FlowValue.object(tree);
    }

    /** The values of the enclosing locals a lambda or class body refers to. */
    private FlowValue capturedBy(TreePath body, FlowState state) {
        FlowValue[] captures = {FlowValue.NONE};
        new TreePathScanner<Void, Void>() {
            @Override
            public Void visitIdentifier(IdentifierTree node, Void unused) {
                Element element = trees.getElement(getCurrentPath());
                if (ScopedTypes.isFrameVariable(element)) {
                    FlowValue value = state.variables.get(element);
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
    private void nested(TreePath body, FlowState state) {
        Map<Element, FlowValue> visible = new HashMap<>(captured);
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
                FlowState lambdaState = new FlowState(new HashMap<>(visible));
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
                    // The class's own field: what it holds escapes with its objects, which capture follows.
                    ScopeEscapeAnalysis inner = child(nestedMode, visible);
                    inner.expression(new TreePath(getCurrentPath(), node.getInitializer()),
                            new FlowState(new HashMap<>(visible)));
                    inner.mergeInto(ScopeEscapeAnalysis.this);
                    return null;
                }
                return super.visitVariable(node, unused);
            }
        }.scan(body, null);
    }

    private ScopeEscapeAnalysis child(Mode childMode, Map<Element, FlowValue> visible) {
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
