package io.nebula.memory.integration;

import io.nebula.memory.Allocator;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;

import java.util.function.LongFunction;
import java.util.stream.Stream;

/** The three allocators behind one face, for suites that hold for all of them. */
final class Allocators {

    private Allocators() {
    }

    /** A named factory: capacity in bytes to a fresh allocator. */
    record Kind(String name, LongFunction<Allocator> factory) {
        Allocator create(long capacity) {
            return factory.apply(capacity);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A pool of 256-byte blocks: every request in the suites fits one block. */
    static final long POOL_BLOCK = 256;

    static Stream<Kind> all() {
        return Stream.of(
                new Kind("bump", c -> BumpAllocator.create(c, BumpConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE))),
                new Kind("pool", c -> PoolAllocator.create(POOL_BLOCK, 16, (int) Math.max(1, c / POOL_BLOCK),
                        PoolConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE))),
                new Kind("stack", c -> StackAllocator.create(c,
                        StackConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE))));
    }

    static long used(Allocator allocator) {
        return ((MemoryUsage) allocator).usedBytes();
    }
}
