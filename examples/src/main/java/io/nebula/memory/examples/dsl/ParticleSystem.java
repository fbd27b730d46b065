package io.nebula.memory.examples.dsl;

import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.MemoryScope;

/**
 * One simulation step whose scratch particles live in a bump arena and are released when the step returns.
 * Create it through the generated {@code ParticleSystem_Memory.create()}.
 */
@Allocator(kind = AllocatorKind.BUMP, size = 4096)
public abstract class ParticleSystem {
    /** For the generated subclass. */
    protected ParticleSystem() {
    }

    /**
     * A particle at rest at (x, y), in the arena.
     *
     * @param x the horizontal position
     * @param y the vertical position
     * @return a view of the new particle
     */
    @Alloc
    protected abstract ParticleStruct.View spawn(float x, float y);

    /**
     * Eight zeroed particles, in the arena.
     *
     * @return a view of the first
     */
    @Alloc(count = 8)
    protected abstract ParticleStruct.View burst();

    /**
     * Moves a particle spawned at (x, 0) and a burst of eight by {@code dx}, and returns where the first ends up.
     *
     * @param x where the particle starts
     * @param dx how far every particle moves
     * @return the particle's final horizontal position
     */
    @MemoryScope
    public float step(float x, float dx) {
        ParticleStruct.View p = spawn(x, 0f).vx(dx);
        ParticleStruct.View many = burst();
        for (long i = 0; i < 8; i++) {
            many.moveToElement(i).vx(dx).x(many.x() + many.vx());
        }
        return p.x() + p.vx();
    }   // the nine particles are released here
}
