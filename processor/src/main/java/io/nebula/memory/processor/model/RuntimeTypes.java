package io.nebula.memory.processor.model;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.AllocatorKind;
import java.util.List;

/**
 * The runtime types generated code names, in one table: the allocator and configuration class of each kind, and
 * the types the generated scopes use. The resolver reads it to check that the runtime is on the class path; the
 * writer, to name them.
 */
public final class RuntimeTypes {
    /** What a bump scope takes on entry and restores on exit. */
    public static final ClassName CHECKPOINT = ClassName.get("io.nebula.memory.bump", "Checkpoint");
    /** What a stack scope takes on entry and releases on exit. */
    public static final ClassName STACK_MARKER = ClassName.get("io.nebula.memory.stack", "StackMarker");
    /** The record of the pool blocks a scope took, given back on exit. */
    public static final ClassName BLOCK_LOG = ClassName.get("io.nebula.memory.dsl", "BlockLog");

    private RuntimeTypes() {
    }

    /**
     * Every runtime class the generated subclass of an allocator of a kind names.
     *
     * @param kind the kind
     * @return the allocator class, its configuration class, and the types its scopes use
     */
    public static List<ClassName> requiredBy(AllocatorKind kind) {
        return switch (kind) {
            case BUMP -> List.of(allocatorClass(kind), configClass(kind), CHECKPOINT);
            case STACK -> List.of(allocatorClass(kind), configClass(kind), STACK_MARKER);
            case POOL -> List.of(allocatorClass(kind), configClass(kind), BLOCK_LOG);
        };
    }

    /**
     * The runtime class of an allocator kind.
     *
     * @param kind the kind
     * @return {@code BumpAllocator}, {@code PoolAllocator} or {@code StackAllocator}
     */
    public static ClassName allocatorClass(AllocatorKind kind) {
        return switch (kind) {
            case BUMP -> ClassName.get("io.nebula.memory.bump", "BumpAllocator");
            case POOL -> ClassName.get("io.nebula.memory.pool", "PoolAllocator");
            case STACK -> ClassName.get("io.nebula.memory.stack", "StackAllocator");
        };
    }

    /**
     * The configuration record of an allocator kind.
     *
     * @param kind the kind
     * @return {@code BumpConfig}, {@code PoolConfig} or {@code StackConfig}
     */
    public static ClassName configClass(AllocatorKind kind) {
        return switch (kind) {
            case BUMP -> ClassName.get("io.nebula.memory.bump", "BumpConfig");
            case POOL -> ClassName.get("io.nebula.memory.pool", "PoolConfig");
            case STACK -> ClassName.get("io.nebula.memory.stack", "StackConfig");
        };
    }
}
