package io.nebula.memory.benchmarks;

import io.nebula.memory.LeakPolicy;
import io.nebula.memory.async.AsyncArena;
import io.nebula.memory.async.AsyncConfig;
import io.nebula.memory.async.Handle;
import io.nebula.memory.async.HandleType;
import io.nebula.memory.async.Lease;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Per-request memory that several threads may touch: a lease from an {@link AsyncArena} (uncontended: the budget
 * always has room, so no request waits) against the JDK's answer, an {@code Arena.ofShared()} created and closed
 * per request. Each request takes its memory, writes one long into it, and gives it back. A confined arena per
 * request is measured beside them for scale, though its memory cannot follow a request to another thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AsyncLeaseBenchmark {

    /** Bytes each request needs. */
    @Param({"64", "4096"})
    long size;

    private AsyncArena budget;
    private final HandleType<Long> longType = HandleType.of(ValueLayout.JAVA_LONG);

    /** Creates a budget with room for many requests. */
    @Setup(Level.Trial)
    public void setUp() {
        budget = AsyncArena.create(1 << 20, AsyncConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
    }

    /** Closes the budget; fails if a lease was lost. */
    @TearDown(Level.Trial)
    public void tearDown() {
        budget.close();
    }

    /**
     * A lease of {@code size} bytes from the budget, one allocation in it, closed.
     *
     * @return the long read back
     */
    @Benchmark
    public long asyncArenaLease() {
        try (Lease lease = budget.lease(size).join()) {
            MemorySegment memory = lease.allocate(size, 8);
            memory.set(ValueLayout.JAVA_LONG, 0, size);
            return memory.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * A typed handle to one long from the budget, written, read and closed.
     *
     * @return the long read back
     */
    @Benchmark
    public long asyncArenaHandle() {
        try (Handle<Long> handle = budget.allocate(longType, size).join()) {
            return handle.read();
        }
    }

    /**
     * The JDK's thread-safe arena, created and closed per request.
     *
     * @return the long read back
     */
    @Benchmark
    public long sharedArenaPerRequest() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(size, 8);
            memory.set(ValueLayout.JAVA_LONG, 0, size);
            return memory.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * The JDK's confined arena, created and closed per request: for scale only.
     *
     * @return the long read back
     */
    @Benchmark
    public long confinedArenaPerRequest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(size, 8);
            memory.set(ValueLayout.JAVA_LONG, 0, size);
            return memory.get(ValueLayout.JAVA_LONG, 0);
        }
    }
}
