package io.nebula.memory.stack;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The regions of a thread-safe stack's block and who holds each: the block is cut into {@code count} regions of
 * {@code size} bytes (the last one takes the remainder), and each slot of {@link #holders} names the
 * {@link ThreadStack} holding that region, or is {@code null} when it is free. Taking a region is one
 * compare-and-set of its slot, giving it back one release store.
 *
 * <p>A {@link ThreadStack} refers to this object, not to its {@link SharedStack}: the thread-local that finds a
 * thread's stack is then reachable only from the {@code SharedStack}, so once that is unreachable the thread-local
 * entries of every thread that used it can be cleared, instead of keeping the stack alive for as long as the thread
 * lives.
 */
final class StackRegions {

    private final long capacity;
    private final long size;
    private final int count;
    private final AtomicReferenceArray<ThreadStack> holders;
    /** Hands out starting hints so threads spread over the regions; guarded by {@code this}. */
    private int nextHint;
    /** Thread stacks admitted to keep their region while empty: at most half the regions. */
    private final AtomicInteger keepers = new AtomicInteger();
    /**
     * Set once by the close sequence, with a plain store, before the block is freed; read with a plain load by every
     * push and pop of every thread's stack ({@link #closed()}).
     */
    private boolean closed;

    StackRegions(long capacity, long size) {
        this.capacity = capacity;
        this.size = size;
        this.count = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, capacity / size));
        this.holders = new AtomicReferenceArray<>(count);
    }

    /** Marks the stack closed: called once by the close sequence, before the block is freed. */
    void markClosed() {
        closed = true;
    }

    /**
     * Tells whether the stack was closed, by a plain load. Every call that the close happens-before (the closing
     * thread's own later calls, a thread joined after it, or one told of the close through any synchronisation)
     * reads {@code true}; a call racing the close may read {@code false}, as it could read the lifecycle's volatile
     * flag just before the close: its offsets then lie in a block that is freed, whose segment refuses access.
     * A volatile load here cost a push and pop 3 times the time: it stops the JIT from keeping the stack's fields
     * in registers from the push to the pop (see BENCHMARKS).
     *
     * @return {@code true} once the stack's close sequence has started releasing resources
     */
    boolean closed() {
        return closed;
    }

    /** The bytes of one region (the last one may be larger). */
    long size() {
        return size;
    }

    /** The number of regions. */
    int count() {
        return count;
    }

    /** The capacity of the whole block. */
    long capacity() {
        return capacity;
    }

    /** A region for a new thread stack to try first. */
    synchronized int nextHint() {
        int hint = nextHint;
        nextHint = (hint + 1) % count;
        return hint;
    }

    /**
     * Admits one more platform thread's stack to keep its region while empty, while fewer than half the regions
     * are kept so: the other half always serves the threads that take and give back. Called once per thread stack.
     *
     * @return whether the stack may keep its region
     */
    boolean admitKeeper() {
        int limit = count / 2;
        for (int k = keepers.get(); k < limit; k = keepers.get()) {
            if (keepers.compareAndSet(k, k + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Where region {@code i} starts in the block. */
    long start(int i) {
        return i * size;
    }

    /** Where region {@code i} ends in the block: the last region ends at the capacity. */
    long end(int i) {
        return i == count - 1 ? capacity : (i + 1) * size;
    }

    /**
     * Takes a free region for {@code stack}, trying {@code hint} first: one compare-and-set when it is free.
     *
     * @return the region taken, or -1 when every region is held
     */
    int take(ThreadStack stack, int hint) {
        if (holders.compareAndSet(hint, null, stack)) {
            return hint;
        }
        for (int k = 1; k < count; k++) {
            int i = hint + k < count ? hint + k : hint + k - count;
            if (holders.getPlain(i) == null && holders.compareAndSet(i, null, stack)) {
                return i;
            }
        }
        for (int i = 0; i < count; i++) {   // a region kept by a thread that has ended with an empty stack
            ThreadStack holder = holders.getAcquire(i);
            if (holder != null && holder.abandoned() && holders.compareAndSet(i, holder, stack)) {
                return i;
            }
        }
        return -1;
    }

    /** Takes region {@code last + 1} for {@code stack}, which holds {@code last}, when it exists and is free. */
    boolean takeNext(ThreadStack stack, int last) {
        int next = last + 1;
        return next < count && holders.getPlain(next) == null && holders.compareAndSet(next, null, stack);
    }

    /** Gives back regions {@code from} to {@code to}, inclusive, held by the calling thread's stack. */
    void giveBack(int from, int to) {
        for (int i = from; i <= to; i++) {
            holders.setRelease(i, null);
        }
    }

    /** The stack that holds the region containing {@code offset}, or {@code null}. */
    ThreadStack holderOf(long offset) {
        if (offset < 0 || offset >= capacity) {
            return null;
        }
        return holders.getAcquire((int) Math.min(count - 1, offset / size));
    }

    /** The stacks holding regions now, each once. */
    List<ThreadStack> holdingStacks() {
        Map<ThreadStack, Boolean> seen = new IdentityHashMap<>();
        List<ThreadStack> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ThreadStack stack = holders.getAcquire(i);
            if (stack != null && seen.put(stack, Boolean.TRUE) == null) {
                result.add(stack);
            }
        }
        return result;
    }

    /** The bytes pushed by every thread's stack, padding included: exact once the threads are quiescent. */
    long usedBytes() {
        long used = 0;
        for (ThreadStack stack : holdingStacks()) {
            used += stack.usedInPart();
        }
        return used;
    }

    /**
     * Checked mode: tells whether {@code segment} belongs to a live allocation's own arena in any thread's stack;
     * exact once the threads are quiescent.
     */
    boolean isLiveChecked(MemorySegment segment) {
        for (ThreadStack stack : holdingStacks()) {
            if (stack.liveEntryOf(segment) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The live allocations of every thread's stack: exact once the threads are quiescent. */
    int depth() {
        long depth = 0;
        for (ThreadStack stack : holdingStacks()) {
            depth += stack.liveDepth();
        }
        return (int) Math.min(Integer.MAX_VALUE, depth);
    }

    /** The number of regions held now by stacks that are not empty or whose thread still runs. */
    int heldInUse() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            ThreadStack holder = holders.getAcquire(i);
            if (holder != null && !holder.abandoned()) {
                n++;
            }
        }
        return n;
    }

    /** The number of regions held now. */
    int held() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (holders.getAcquire(i) != null) {
                n++;
            }
        }
        return n;
    }
}
