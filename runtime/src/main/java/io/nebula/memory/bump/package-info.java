/**
 * The bump (arena) allocator: a pointer that moves forward through one block of native memory, released all at
 * once by {@link io.nebula.memory.bump.BumpAllocator#reset()} or back to a
 * {@link io.nebula.memory.bump.Checkpoint}.
 */
package io.nebula.memory.bump;
