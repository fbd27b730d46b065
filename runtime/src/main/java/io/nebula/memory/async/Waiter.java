package io.nebula.memory.async;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One request for memory: queued in an {@link AsyncArena} until the budget can serve it, then granted a range and
 * delivered. The queue links waiters directly, so a cancelled one leaves it in O(1). Every field but the final ones
 * is guarded by the arena's lock until the waiter is granted; after that only the granting thread touches it.
 *
 * @param <R> what the request completes with: a {@link Lease} or a {@link Handle}
 */
final class Waiter<R> {

    final long size;
    final long alignment;
    final long charge;
    final CompletableFuture<R> future;
    /** Builds the lease or handle over the granted range, outside the lock. */
    final Function<Grant, R> make;
    /** {@link System#nanoTime()} when queued, or 0 for a request served at once. */
    long since;

    Waiter<?> prev;
    Waiter<?> next;
    boolean queued;

    Grant grant;
    long waitNanos;
    long waitersLeft;

    Waiter(long size, long alignment, long charge, Function<Grant, R> make) {
        this.size = size;
        this.alignment = alignment;
        this.charge = charge;
        this.make = make;
        this.future = new CompletableFuture<>();
    }
}
