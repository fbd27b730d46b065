package io.nebula.memory.processor.model;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.AllocatorKind;

/** The runtime types generated code names, per allocator kind, in one table. */
public final class RuntimeTypes {
    private RuntimeTypes() {
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
