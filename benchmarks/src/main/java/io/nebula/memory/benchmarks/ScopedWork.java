package io.nebula.memory.benchmarks;

import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.MemoryScope;

/**
 * The generated side of {@link MemoryScopeBenchmark}: a class whose scoped method allocates one particle in a
 * bump allocator that the generated subclass, {@code ScopedWork_Memory}, owns.
 */
@Allocator(kind = AllocatorKind.BUMP, size = 4096)
public abstract class ScopedWork {

    /** For the generated subclass. */
    protected ScopedWork() {
    }

    /**
     * A zeroed particle in the allocator.
     *
     * @return a view of it
     */
    @Alloc
    protected abstract ParticleStruct.View newParticle();

    /**
     * Allocates a particle, writes two fields and reads them back; the particle is released on return.
     *
     * @param seed the position to write
     * @return position plus velocity
     */
    @MemoryScope
    public double step(double seed) {
        ParticleStruct.View p = newParticle();
        p.x(seed).vx(1.5f);
        return p.x() + p.vx();
    }
}
