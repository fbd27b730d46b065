/**
 * The pool allocator: fixed-size blocks handed out and taken back in O(1) through a free list kept inside the free
 * blocks, with every deallocation checked for foreign segments and double frees.
 */
package io.nebula.memory.pool;
