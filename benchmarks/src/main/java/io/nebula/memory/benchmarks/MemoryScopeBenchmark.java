package io.nebula.memory.benchmarks;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.bump.BumpAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A generated {@code @MemoryScope} method against the same work written by hand. Target: generated within 5% of
 * hand-written.
 *
 * <p>The work, in every variant: allocate one zeroed {@link Particle} (40 bytes) in a 4 KiB bump allocator, write
 * two fields, read them back, release the particle on return. The variants:
 * <ul>
 *   <li>{@code generated}: {@code ScopedWork_Memory.step}, the generated override (the arena's
 *       {@link io.nebula.memory.Scope} in a try-with-resources around {@code super.step});</li>
 *   <li>{@code handWrittenScope}: the same written by hand;</li>
 *   <li>{@code handWrittenCheckpoint}: a {@link Checkpoint} taken, and restored in {@code finally}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class MemoryScopeBenchmark {

    private ScopedWork_Memory generated;
    private BumpAllocator bump;
    private double seed = 3.0;

    /** Creates the generated object and the hand-written side's allocator. */
    @Setup(Level.Trial)
    public void setUp() {
        generated = ScopedWork_Memory.create();
        bump = BumpAllocator.create(4096);
    }

    /** Frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        generated.close();
        bump.close();
    }

    /**
     * The generated scope.
     *
     * @return the value computed
     */
    @Benchmark
    public double generated() {
        return generated.step(seed);
    }

    /**
     * A hand-written scope: {@code scope()} in a try-with-resources, what the generated override is written as.
     *
     * @return the value computed
     */
    @Benchmark
    public double handWrittenScope() {
        try (io.nebula.memory.Scope _ = bump.scope()) {
            return work(bump, seed);
        }
    }

    /**
     * A hand-written checkpoint, restored in {@code finally}.
     *
     * @return the value computed
     */
    @Benchmark
    public double handWrittenCheckpoint() {
        Checkpoint checkpoint = bump.checkpoint();
        try {
            return work(bump, seed);
        } finally {
            bump.restore(checkpoint);
        }
    }

    private static double work(BumpAllocator allocator, double seed) {
        ParticleStruct.View p = ParticleStruct.allocate(allocator);
        p.x(seed).vx(1.5f);
        return p.x() + p.vx();
    }
}
