package io.nebula.memory.benchmarks;

import io.nebula.memory.annotation.Struct;

/**
 * The struct of {@link StructAccessBenchmark}: a position, a velocity, a mass and an id, 40 bytes aligned to 8.
 *
 * @param x    position
 * @param y    position
 * @param z    position
 * @param vx   velocity
 * @param mass mass
 * @param id   identifier
 */
@Struct
public record Particle(double x, double y, double z, float vx, float mass, long id) {
}
