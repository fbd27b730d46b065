/**
 * The stack allocator: last in, first out allocation from one block of native memory, with markers and frames
 * that release everything above a saved point.
 */
package io.nebula.memory.stack;
