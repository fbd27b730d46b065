/**
 * Off-heap allocators on the Foreign Function and Memory API.
 *
 * <p>This package holds the vocabulary shared by every allocator: the {@link io.nebula.memory.Allocator} contract
 * (a {@link java.lang.foreign.SegmentAllocator} that can also give memory back), the capability interfaces
 * {@link io.nebula.memory.MemoryUsage}, {@link io.nebula.memory.Resettable} and
 * {@link io.nebula.memory.StatisticsProvider}, the {@link io.nebula.memory.AllocationStatistics} snapshot, and
 * the one exception type, {@link io.nebula.memory.AllocationException}, with its {@link io.nebula.memory.ErrorCode}.
 *
 * <p>The allocators themselves live in {@link io.nebula.memory.bump}, {@link io.nebula.memory.pool} and
 * {@link io.nebula.memory.stack}. Package {@code io.nebula.memory.internal} is not API.
 */
package io.nebula.memory;
