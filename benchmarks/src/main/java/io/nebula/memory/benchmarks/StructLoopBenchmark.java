package io.nebula.memory.benchmarks;

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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * A loop over {@value #COUNT} 32-byte {@link Body} structs through one generated view, against hand-written
 * {@code segment.get/set} with constant offsets. Target (ratio within one run): the view within 1.10x of
 * hand-written, 0 B/op.
 *
 * <p>Per element: move the view to element {@code i}, read {@code x}, write {@code x}, write {@code id}, read
 * {@code y}; the sum of what was read is returned.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class StructLoopBenchmark {

    /** Bodies in the array. */
    static final int COUNT = 4096;

    private Arena arena;
    private MemorySegment bodies;

    /** Allocates and fills the array. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        bodies = BodyStruct.allocateArray(arena, COUNT);
        for (int i = 0; i < COUNT; i++) {
            BodyStruct.write(bodies, i * BodyStruct.SIZE, new Body(i, 2 * i, 3 * i, i, (short) 1));
        }
    }

    /** Frees the array. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /**
     * One generated view, created by the call and moved from element to element.
     *
     * @return the sum of what was read
     */
    @Benchmark
    public double generatedView() {
        BodyStruct.View body = BodyStruct.view(bodies);
        double sum = 0;
        for (long i = 0; i < COUNT; i++) {
            body.moveToElement(i);
            double x = body.x();
            body.x(x + 1).id((int) i);
            sum += x + body.y();
        }
        return sum;
    }

    /**
     * Hand-written {@code get} and {@code set} with constant offsets.
     *
     * @return the sum of what was read
     */
    @Benchmark
    public double handWritten() {
        MemorySegment s = bodies;
        double sum = 0;
        for (long i = 0; i < COUNT; i++) {
            long offset = i * 32;
            double x = s.get(ValueLayout.JAVA_DOUBLE, offset);
            s.set(ValueLayout.JAVA_DOUBLE, offset, x + 1);
            s.set(ValueLayout.JAVA_INT, offset + 24, (int) i);
            sum += x + s.get(ValueLayout.JAVA_DOUBLE, offset + 8);
        }
        return sum;
    }
}
