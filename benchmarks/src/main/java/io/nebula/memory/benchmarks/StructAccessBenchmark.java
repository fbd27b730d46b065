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
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * Generated struct access against hand-written FFM code, on an array of {@value #COUNT} {@link Particle}s.
 * Target: generated code within 5% of hand-written.
 *
 * <p>Each call integrates every particle ({@code x += vx}, {@code y += vx}, {@code z += mass}) and sums the ids:
 * three reads and writes of doubles, two float reads, one long read per struct, from memory that the call itself
 * changes, so nothing can be hoisted or folded. Three ways to write it:
 * <ul>
 *   <li>{@code generatedView}: one {@code ParticleStruct.View} moved along the array, created by the call
 *       ({@code generatedViewInField}: kept in a field);</li>
 *   <li>{@code handWritten}: {@code segment.get(ValueLayout.JAVA_DOUBLE, offset + 8)} with the offsets written
 *       out, the code the generator must match;</li>
 *   <li>{@code handWrittenVarHandle}: {@code VarHandle}s derived from a struct layout, the other way the JDK
 *       documents.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--sun-misc-unsafe-memory-access=allow")
public class StructAccessBenchmark {

    /** Particles in the array. */
    static final int COUNT = 1024;

    private static final MemoryLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_DOUBLE.withName("x"),
            ValueLayout.JAVA_DOUBLE.withName("y"),
            ValueLayout.JAVA_DOUBLE.withName("z"),
            ValueLayout.JAVA_FLOAT.withName("vx"),
            ValueLayout.JAVA_FLOAT.withName("mass"),
            ValueLayout.JAVA_LONG.withName("id"));
    private static final VarHandle X = field("x");
    private static final VarHandle Y = field("y");
    private static final VarHandle Z = field("z");
    private static final VarHandle VX = field("vx");
    private static final VarHandle MASS = field("mass");
    private static final VarHandle ID = field("id");

    private Arena arena;
    private MemorySegment particles;
    private ParticleStruct.View view;

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(MemoryLayout.PathElement.groupElement(name)).withInvokeExactBehavior();
    }

    /** Allocates and fills the array. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        particles = ParticleStruct.allocateArray(arena, COUNT);
        for (int i = 0; i < COUNT; i++) {
            ParticleStruct.write(particles, i * ParticleStruct.SIZE, new Particle(i, 2 * i, 3 * i, 0.5f, 1.5f, i));
        }
        view = ParticleStruct.view(particles);
    }

    /** Frees the array. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /**
     * Through one generated view, a local created by the call and moved from element to element, as a loop
     * would use it.
     *
     * @return the sum of the ids
     */
    @Benchmark
    public long generatedView() {
        return integrate(ParticleStruct.view(particles));
    }

    /**
     * Through one generated view kept in a field and reused across calls: the view's segment and offset are then
     * heap fields that each access reloads.
     *
     * @return the sum of the ids
     */
    @Benchmark
    public long generatedViewInField() {
        return integrate(view);
    }

    private static long integrate(ParticleStruct.View p) {
        long ids = 0;
        for (long i = 0; i < COUNT; i++) {
            p.moveToElement(i);
            float vx = p.vx();
            p.x(p.x() + vx).y(p.y() + vx).z(p.z() + p.mass());
            ids += p.id();
        }
        return ids;
    }

    /**
     * Hand-written {@code get} and {@code set} with constant offsets.
     *
     * @return the sum of the ids
     */
    @Benchmark
    public long handWritten() {
        MemorySegment s = particles;
        long ids = 0;
        for (long offset = 0; offset < COUNT * 40L; offset += 40) {
            float vx = s.get(ValueLayout.JAVA_FLOAT, offset + 24);
            s.set(ValueLayout.JAVA_DOUBLE, offset, s.get(ValueLayout.JAVA_DOUBLE, offset) + vx);
            s.set(ValueLayout.JAVA_DOUBLE, offset + 8, s.get(ValueLayout.JAVA_DOUBLE, offset + 8) + vx);
            s.set(ValueLayout.JAVA_DOUBLE, offset + 16,
                    s.get(ValueLayout.JAVA_DOUBLE, offset + 16) + s.get(ValueLayout.JAVA_FLOAT, offset + 28));
            ids += s.get(ValueLayout.JAVA_LONG, offset + 32);
        }
        return ids;
    }

    /**
     * Hand-written access through layout-derived {@code VarHandle}s, invoked exactly.
     *
     * @return the sum of the ids
     */
    @Benchmark
    public long handWrittenVarHandle() {
        MemorySegment s = particles;
        long ids = 0;
        for (long offset = 0; offset < COUNT * 40L; offset += 40) {
            float vx = (float) VX.get(s, offset);
            X.set(s, offset, (double) X.get(s, offset) + vx);
            Y.set(s, offset, (double) Y.get(s, offset) + vx);
            Z.set(s, offset, (double) Z.get(s, offset) + (float) MASS.get(s, offset));
            ids += (long) ID.get(s, offset);
        }
        return ids;
    }
}
