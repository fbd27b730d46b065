/**
 * The stack allocator: last in, first out allocation from one block of native memory, with checkpoints and scopes
 * that pop everything above a saved point.
 */
package io.nebula.memory.stack;
