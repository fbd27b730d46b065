package io.nebula.memory.integration;

import io.nebula.memory.Allocator;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;

import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Every allocator in every variant the library offers: confined and thread-safe, unchecked and checked, and the
 * growable arena and pool. Each tracks statistics and ignores leaks (the suites that use them check state, not leak
 * reports). Room for at least 64 KiB of requests (a pool: 256 blocks) up to {@link #MAX_REQUEST} bytes aligned to
 * at most {@link #MAX_ALIGNMENT}.
 */
final class Variants {

    /** The largest request the suites make: a pool's block size. */
    static final long MAX_REQUEST = 4096;
    /** The largest alignment the suites ask for: a pool's block alignment. */
    static final long MAX_ALIGNMENT = 64;

    private Variants() {
    }

    /** A named way to create a fresh allocator. */
    record Variant(String name, boolean checked, Supplier<Allocator> factory) {
        Allocator create() {
            return factory.get();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Variant> all() {
        return Stream.of(bumps(), pools(), stacks()).flatMap(s -> s);
    }

    static Stream<Variant> checkedOnes() {
        return all().filter(Variant::checked);
    }

    static Stream<Variant> bumps() {
        BumpConfig base = BumpConfig.defaults().withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        BumpConfig growable = base.withGrowth(16 * 1024, 1 << 20);
        return Stream.of(
                new Variant("bump", false, () -> BumpAllocator.create(64 * 1024, base)),
                new Variant("bump thread-safe", false, () -> BumpAllocator.create(64 * 1024, base.withThreadSafe(true))),
                new Variant("bump checked", true, () -> BumpAllocator.create(64 * 1024, base.withChecked(true))),
                new Variant("bump checked thread-safe", true,
                        () -> BumpAllocator.create(64 * 1024, base.withChecked(true).withThreadSafe(true))),
                new Variant("bump growable", false, () -> BumpAllocator.create(4096, growable)),
                new Variant("bump growable thread-safe", false,
                        () -> BumpAllocator.create(4096, growable.withThreadSafe(true))),
                new Variant("bump growable checked", true,
                        () -> BumpAllocator.create(4096, growable.withChecked(true))),
                new Variant("bump growable checked thread-safe", true,
                        () -> BumpAllocator.create(4096, growable.withChecked(true).withThreadSafe(true))));
    }

    static Stream<Variant> pools() {
        PoolConfig base = PoolConfig.defaults().withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        return Stream.of(
                new Variant("pool", false, () -> PoolAllocator.create(MAX_REQUEST, MAX_ALIGNMENT, 256, base)),
                new Variant("pool thread-safe", false,
                        () -> PoolAllocator.create(MAX_REQUEST, MAX_ALIGNMENT, 256, base.withThreadSafe(true))),
                new Variant("pool checked", true,
                        () -> PoolAllocator.create(MAX_REQUEST, MAX_ALIGNMENT, 256, base.withChecked(true))),
                new Variant("pool checked thread-safe", true, () -> PoolAllocator.create(MAX_REQUEST, MAX_ALIGNMENT,
                        256, base.withChecked(true).withThreadSafe(true))),
                new Variant("pool growable", false,
                        () -> PoolAllocator.create(MAX_REQUEST, MAX_ALIGNMENT, 8, base.withAllowGrowth(true))));
    }

    static Stream<Variant> stacks() {
        StackConfig base = StackConfig.defaults().withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        return Stream.of(
                new Variant("stack", false, () -> StackAllocator.create(64 * 1024, base)),
                new Variant("stack thread-safe", false,
                        () -> StackAllocator.create(64 * 1024, base.withThreadSafe(true))),
                new Variant("stack checked", true, () -> StackAllocator.create(64 * 1024, base.withChecked(true))),
                new Variant("stack checked thread-safe", true,
                        () -> StackAllocator.create(64 * 1024, base.withChecked(true).withThreadSafe(true))));
    }

    static long used(Allocator allocator) {
        return ((MemoryUsage) allocator).usedBytes();
    }

    static long available(Allocator allocator) {
        return ((MemoryUsage) allocator).availableBytes();
    }

    static AllocationStatistics stats(Allocator allocator) {
        return ((StatisticsProvider) allocator).statistics().orElseThrow();
    }
}
