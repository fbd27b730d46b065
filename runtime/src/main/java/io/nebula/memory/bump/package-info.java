/**
 * The bump (arena) allocator: a pointer that moves forward through native memory, released all at once by
 * {@link io.nebula.memory.bump.BumpAllocator#reset()}, or back to a {@link io.nebula.memory.Checkpoint} by
 * {@link io.nebula.memory.bump.BumpAllocator#restore(io.nebula.memory.Checkpoint)} or a
 * {@link io.nebula.memory.Scope}'s close. A fixed arena holds one block; a growable one chains chunks up to a limit
 * ({@link io.nebula.memory.bump.BumpConfig.Growth}).
 */
package io.nebula.memory.bump;
