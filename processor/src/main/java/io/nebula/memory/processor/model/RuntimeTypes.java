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
    /** What every allocator's {@code scope()} returns: a generated scope opens one and closes it on exit. */
    public static final ClassName SCOPE = ClassName.get("io.nebula.memory", "Scope");

    /**
     * Where a configuration was written: a generated allocator's names its {@code @Allocator} class, so that the
     * runtime's errors name the annotation attribute to change.
     */
    public static final ClassName CONFIG_ORIGIN = ClassName.get("io.nebula.memory", "ConfigOrigin");

    private RuntimeTypes() {
    }

    /**
     * Every runtime class the generated subclass of an allocator of a kind names.
     *
     * @param kind the kind
     * @return the allocator class, its configuration class, the configuration's origin and the scope type
     */
    public static List<ClassName> requiredBy(AllocatorKind kind) {
        return List.of(allocatorClass(kind), configClass(kind), CONFIG_ORIGIN, SCOPE);
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
