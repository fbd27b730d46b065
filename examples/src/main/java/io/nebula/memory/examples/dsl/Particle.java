package io.nebula.memory.examples.dsl;

import io.nebula.memory.annotation.Struct;

/**
 * A particle in a simulation, laid out as a native struct.
 *
 * @param x the horizontal position
 * @param y the vertical position
 * @param vx the horizontal velocity
 * @param vy the vertical velocity
 */
@Struct
public record Particle(float x, float y, float vx, float vy) {
}
