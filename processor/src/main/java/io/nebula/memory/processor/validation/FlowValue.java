package io.nebula.memory.processor.validation;

import com.sun.source.tree.Tree;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The abstract value of an expression in {@link ScopeEscapeAnalysis}: the scoped memory it may be or hold, and
 * whether it may be an object created in the call, one from outside it, or the allocator.
 *
 * @param origins the scoped allocations it may be or hold, as source text such as {@code p()}
 * @param parameters the parameters of a summarised helper it may be or hold
 * @param objects the objects created in the call it may be
 * @param external whether it may be an object that was not created in the call
 * @param allocator whether it may be the class's allocator
 * @param wrapper what holds the memory when the value is not the memory itself, such as {@code an array}
 */
record FlowValue(Set<String> origins, Set<Integer> parameters, Set<Tree> objects, boolean external,
        boolean allocator, String wrapper) {
    static final FlowValue NONE = new FlowValue(Set.of(), Set.of(), Set.of(), false, false, null);
    static final FlowValue EXTERNAL = new FlowValue(Set.of(), Set.of(), Set.of(), true, false, null);

    static FlowValue origin(String origin) {
        return new FlowValue(Set.of(origin), Set.of(), Set.of(), true, false, null);
    }

    static FlowValue object(Tree site) {
        return new FlowValue(Set.of(), Set.of(), Set.of(site), false, false, null);
    }

    FlowValue join(FlowValue other) {
        if (other == null || other.equals(this)) {
            return this;
        }
        return new FlowValue(union(origins, other.origins), union(parameters, other.parameters),
                union(objects, other.objects), external || other.external, allocator || other.allocator,
                wrapper != null ? wrapper : other.wrapper);
    }

    FlowValue wrapped(String by) {
        return new FlowValue(origins, parameters, objects, external, allocator, by);
    }

    FlowValue asOwnOrigins() {
        return new FlowValue(origins, parameters, Set.of(), true, false, wrapper);
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
