package io.nebula.memory.examples.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ParticleSystemTest {

    @Test
    void aStepComputesWithScratchParticlesAndReleasesThemAll() {
        try (ParticleSystem_Memory system = ParticleSystem_Memory.create()) {
            assertEquals(1.5f, system.step(1f, 0.5f));
            assertEquals(0, system.allocator().usedBytes());
            for (int i = 0; i < 10_000; i++) {
                system.step(i, 1f);
            }
            assertEquals(0, system.allocator().usedBytes(), "ten thousand steps in a 4 KiB arena");
        }
    }
}
