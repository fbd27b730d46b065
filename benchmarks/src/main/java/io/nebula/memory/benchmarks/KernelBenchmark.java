package io.nebula.memory.benchmarks;

import io.nebula.memory.simd.KernelVariant;
import io.nebula.memory.simd.MemoryKernels;
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
 * The memory kernels against the JDK bulk operations and a plain byte loop, per operation and size.
 *
 * <p>Three implementations per operation: {@code kernels} ({@link MemoryKernels}, whatever variant is active),
 * {@code jdk} ({@link MemorySegment#copy}, {@link MemorySegment#fill}, {@link MemorySegment#mismatch}) and
 * {@code scalar} (a byte-at-a-time loop with a {@code long} index, which C2 does not vectorise). {@code fillIntLoop}
 * is the same loop with an {@code int} index, which C2 does vectorise. Mismatch compares equal data, so every
 * implementation reads both ranges in full.
 *
 * <p>The fork adds {@code jdk.incubator.vector}, so the kernels run on {@link KernelVariant#VECTOR}; add
 * {@code -jvmArgsAppend -Dnebula.memory.kernels=bulk} to measure the fallback; {@code -p size=...} measures other
 * sizes. Targets (ratios within one run): fill and mismatch at least 2x the JDK bulk operations from 4 KiB, never
 * slower than them from 16 B to 1 MiB; every kernel at least 4x the scalar loop at 4 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow"})
public class KernelBenchmark {

    /** Bytes per operation, 16 B to 1 MiB. */
    @Param({"16", "64", "256", "4096", "65536", "1048576"})
    public int size;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;

    /** Allocates two equal, cache-line aligned blocks of {@link #size} bytes and reports the active variant. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        a = arena.allocate(size, 64);
        b = arena.allocate(size, 64);
        for (long i = 0; i < size; i++) {
            a.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
        }
        b.copyFrom(a);
        System.out.println(MemoryKernels.description());
    }

    /** Frees the blocks. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Copies through the kernels. */
    @Benchmark
    public void copyKernels() {
        MemoryKernels.copy(a, 0, b, 0, size);
    }

    /** Copies through {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}. */
    @Benchmark
    public void copyJdk() {
        MemorySegment.copy(a, 0, b, 0, size);
    }

    /** Copies a byte at a time. */
    @Benchmark
    public void copyScalar() {
        for (long i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, a.get(ValueLayout.JAVA_BYTE, i));
        }
    }

    /** Fills through the kernels. */
    @Benchmark
    public void fillKernels() {
        MemoryKernels.fill(b, 0, size, (byte) 0x5A);
    }

    /** Fills through {@link MemorySegment#fill(byte)}. */
    @Benchmark
    public void fillJdk() {
        b.asSlice(0, size).fill((byte) 0x5A);
    }

    /** Fills a byte at a time, with a {@code long} index. */
    @Benchmark
    public void fillScalar() {
        for (long i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) 0x5A);
        }
    }

    /** Fills a byte at a time with an {@code int} index, a loop C2 auto-vectorises. */
    @Benchmark
    public void fillIntLoop() {
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) 0x5A);
        }
    }

    /**
     * Compares equal blocks through the kernels.
     *
     * @return {@code -1}
     */
    @Benchmark
    public long mismatchKernels() {
        return MemoryKernels.mismatch(a, 0, b, 0, size);
    }

    /**
     * Compares equal blocks through {@link MemorySegment#mismatch(MemorySegment, long, long, MemorySegment, long,
     * long)}.
     *
     * @return {@code -1}
     */
    @Benchmark
    public long mismatchJdk() {
        return MemorySegment.mismatch(a, 0, size, b, 0, size);
    }

    /**
     * Compares equal blocks a byte at a time.
     *
     * @return {@code -1}
     */
    @Benchmark
    public long mismatchScalar() {
        for (long i = 0; i < size; i++) {
            if (a.get(ValueLayout.JAVA_BYTE, i) != b.get(ValueLayout.JAVA_BYTE, i)) {
                return i;
            }
        }
        return -1;
    }
}
