/**
 * The async arena: a memory budget shared by concurrent tasks, with back-pressure instead of failure.
 * {@link io.nebula.memory.async.AsyncArena} hands out {@link io.nebula.memory.async.Lease}s (bump arenas over
 * leased bytes) and typed {@link io.nebula.memory.async.Handle}s through {@link java.util.concurrent.CompletableFuture}s
 * that complete, in arrival order, when the budget can serve them.
 */
package io.nebula.memory.async;
