package io.nebula.memory.benchmarks;

import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.MemoryScope;

/**
 * The generated side of {@link ScopedAllocationBenchmark} on a {@code POOL} allocator: a scoped method that
 * allocates one {@link Body}, writes two fields and returns their sum.
 */
@Allocator(kind = AllocatorKind.POOL, block = Body.class, blockCount = 64)
public abstract class ScopedPoolWork {

    /** For the generated subclass. */
    protected ScopedPoolWork() {
    }

    /**
     * A zeroed body in the allocator.
     *
     * @return a view of it
     */
    @Alloc
    protected abstract BodyStruct.View newBody();

    /**
     * Allocates a body, writes its position and id, and returns their sum; the body is released on return.
     *
     * @param seed the position to write
     * @return position plus id
     */
    @MemoryScope
    public double step(double seed) {
        BodyStruct.View body = newBody();
        body.x(seed).id(7);
        return body.x() + body.id();
    }
}
