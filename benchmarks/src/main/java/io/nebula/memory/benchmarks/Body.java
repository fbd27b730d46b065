package io.nebula.memory.benchmarks;

import io.nebula.memory.annotation.Struct;

/**
 * The 32-byte struct of {@link ScopedAllocationBenchmark} and {@link StructLoopBenchmark}: three doubles, an int
 * and a short, then two bytes of padding to the alignment of 8.
 *
 * @param x  position
 * @param y  position
 * @param z  position
 * @param id identifier
 * @param tag a small tag
 */
@Struct
public record Body(double x, double y, double z, int id, short tag) {
}
