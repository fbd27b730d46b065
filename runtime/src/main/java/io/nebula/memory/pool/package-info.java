/**
 * The pool allocator: fixed-size blocks handed out and taken back in O(1) through a free list kept inside the free
 * blocks, with every deallocation checked for foreign segments and double frees. A pool is confined to one thread,
 * or thread-safe with a lock-free, version-tagged free list; a scope gives back every block its thread took while it
 * was open; checked mode catches use of a block after it was given back.
 */
package io.nebula.memory.pool;
