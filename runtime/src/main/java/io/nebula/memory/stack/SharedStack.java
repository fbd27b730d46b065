package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.LeakReport;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The thread-safe stack: per-thread stacks over one budget. The block is cut into regions of
 * {@link StackConfig#effectiveRegionSize(long)} bytes (the last one takes the remainder); each thread that pushes
 * gets a {@link ThreadStack} of its own, found through a {@link ThreadLocal}, which holds a run of adjacent regions
 * while it is non-empty. Inside its regions a thread pushes and pops with plain loads and stores; taking a region
 * is one compare-and-set on its slot of {@link #holders}, giving it back one release store.
 *
 * <p>This object's own bookkeeping (inherited from {@link StackAllocator}) stays empty: it answers for the block as a
 * whole, and passes every call to the calling thread's stack. Calls that read every thread's stack
 * ({@link #usedBytes()}, {@link #depth()}, the leak report) read their plain fields racily: exact once the threads
 * are quiescent (joined, or otherwise ordered before the call).
 */
final class SharedStack extends StackAllocator {

    private final Lifecycle.Shared life;
    private final long regionSize;
    private final int regionCount;
    /** Per region, the thread stack that holds it, or {@code null} when it is free. */
    private final AtomicReferenceArray<ThreadStack> holders;
    private final ThreadLocal<ThreadStack> stacks;
    /** Hands out starting hints so threads spread over the regions. */
    private int nextHint;

    SharedStack(long capacity, StackConfig config) {
        this(capacity, config, Lifecycle.shared(config.trackStats(), config.leakPolicy()));
    }

    private SharedStack(long capacity, StackConfig config, Lifecycle.Shared life) {
        super(capacity, config, life);
        this.life = life;
        this.regionSize = config.effectiveRegionSize(capacity);
        this.regionCount = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, capacity / regionSize));
        this.holders = new AtomicReferenceArray<>(regionCount);
        this.stacks = ThreadLocal.withInitial(this::newThreadStack);
        life.startTracking(this);
    }

    private ThreadStack newThreadStack() {
        int hint;
        synchronized (this) {
            hint = nextHint;
            nextHint = (hint + 1) % regionCount;
        }
        return new ThreadStack(this, life, Thread.currentThread(), hint);
    }

    /** The calling thread's stack. */
    private ThreadStack mine() {
        return stacks.get();
    }

    // ---- Regions ------------------------------------------------------------------------------------------------

    /** The bytes of one region (the last one may be larger). */
    long regionSize() {
        return regionSize;
    }

    /** The number of regions. */
    int regionCount() {
        return regionCount;
    }

    /** Where region {@code i} starts in the block. */
    long regionStart(int i) {
        return i * regionSize;
    }

    /** Where region {@code i} ends in the block: the last region ends at the capacity. */
    long regionEnd(int i) {
        return i == regionCount - 1 ? capacityBytes() : (i + 1) * regionSize;
    }

    /**
     * Takes a free region for {@code stack}, trying {@code hint} first: one compare-and-set when it is free.
     *
     * @return the region taken, or -1 when every region is held
     */
    int takeRegion(ThreadStack stack, int hint) {
        if (holders.compareAndSet(hint, null, stack)) {
            return hint;
        }
        for (int k = 1; k < regionCount; k++) {
            int i = hint + k < regionCount ? hint + k : hint + k - regionCount;
            if (holders.getPlain(i) == null && holders.compareAndSet(i, null, stack)) {
                return i;
            }
        }
        return -1;
    }

    /** Takes region {@code last + 1} for {@code stack}, which holds {@code last}, when it exists and is free. */
    boolean takeNext(ThreadStack stack, int last) {
        int next = last + 1;
        return next < regionCount && holders.getPlain(next) == null && holders.compareAndSet(next, null, stack);
    }

    /** Gives back regions {@code from} to {@code to}, inclusive, held by the calling thread's stack. */
    void giveBack(int from, int to) {
        for (int i = from; i <= to; i++) {
            holders.setRelease(i, null);
        }
    }

    /** The stack that holds the region containing {@code offset}, or {@code null}. */
    private ThreadStack holderOf(long offset) {
        if (offset < 0 || offset >= capacityBytes()) {
            return null;
        }
        int i = (int) Math.min(regionCount - 1, offset / regionSize);
        return holders.getAcquire(i);
    }

    /** The stacks holding regions now, each once. */
    private List<ThreadStack> holdingStacks() {
        Map<ThreadStack, Boolean> seen = new IdentityHashMap<>();
        List<ThreadStack> result = new ArrayList<>();
        for (int i = 0; i < regionCount; i++) {
            ThreadStack stack = holders.getAcquire(i);
            if (stack != null && seen.put(stack, Boolean.TRUE) == null) {
                result.add(stack);
            }
        }
        return result;
    }

    /** The number of regions held now. */
    int regionsHeld() {
        int n = 0;
        for (int i = 0; i < regionCount; i++) {
            if (holders.getAcquire(i) != null) {
                n++;
            }
        }
        return n;
    }

    // ---- The calls, passed to the calling thread's stack -------------------------------------------------------

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        return mine().allocateOffset(byteSize, byteAlignment);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return mine().allocate(byteSize, byteAlignment);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        ThreadStack stack = mine();
        if (!stack.isChecked() && segment.isNative() && inBlock(segment)) {
            checkHolder(stack, segment.address() - segment().address(), "deallocate");
        }
        stack.deallocate(segment);
    }

    @Override
    public void deallocateOffset(long offset) {
        ThreadStack stack = mine();
        checkHolder(stack, offset, "deallocateOffset");
        stack.deallocateOffset(offset);
    }

    /** Throws {@code WRONG_THREAD} when {@code offset} lies in a region another thread's stack holds. */
    private void checkHolder(ThreadStack stack, long offset, String call) {
        if (stack.holds(offset)) {
            return;
        }
        ThreadStack holder = holderOf(offset);
        if (holder != null && holder != stack) {
            life.checkNotClosed(this);
            throw Events.allocationError(StackErrors.wrongThread(this, call + " offset " + offset
                    + ", which lies in a region held by another thread's stack,", holder.thread()));
        }
    }

    @Override
    public Checkpoint checkpoint() {
        return mine().checkpoint();
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        ThreadStack stack = mine();
        if (checkpoint instanceof StackCheckpoint saved && saved.owner instanceof ThreadStack other
                && other != stack && other.shared() == this) {
            life.checkNotClosed(this);
            throw Events.allocationError(StackErrors.wrongThread(this, "restore a checkpoint taken",
                    other.thread()));
        }
        stack.restore(checkpoint);
    }

    @Override
    public Scope scope() {
        return mine().scope();
    }

    /** Never called: a scope belongs to the thread stack that opened it. */
    @Override
    void closeScope(StackScope scope) {
        throw new IllegalStateException("a scope of a thread-safe stack belongs to a thread's stack");
    }

    /** Pops every allocation of the calling thread's stack; other threads' stacks are untouched. */
    @Override
    public void reset() {
        mine().reset();
    }

    /** The live allocations of every thread: exact once the threads are quiescent. */
    @Override
    public int depth() {
        long depth = 0;
        for (ThreadStack stack : holdingStacks()) {
            depth += stack.liveDepth();
        }
        return (int) Math.min(Integer.MAX_VALUE, depth);
    }

    /** The bytes pushed by every thread, padding included: exact once the threads are quiescent. */
    @Override
    public long usedBytes() {
        long used = 0;
        for (ThreadStack stack : holdingStacks()) {
            used += stack.usedInPart();
        }
        return used;
    }

    /** Nothing to forget: every call checks the lifecycle. */
    @Override
    void closing() {
        for (ThreadStack stack : holdingStacks()) {
            stack.closeCheckedArenas();
        }
    }

    @Override
    LeakReport leakReport() {
        int depth = 0;
        int scopes = 0;
        long used = 0;
        List<StackTraceElement[]> sites = new ArrayList<>();
        List<ThreadStack> holding = holdingStacks();
        for (ThreadStack stack : holding) {
            depth += stack.liveDepth();
            scopes += stack.openScopes();
            used += stack.usedInPart();
            if (sites.size() < LeakReport.MAX_SITES) {
                sites.addAll(stack.sites(LeakReport.MAX_SITES - sites.size()));
            }
        }
        return new LeakReport(describe(", regions held=" + regionsHeld() + " by " + holding.size()
                + " thread" + (holding.size() == 1 ? "" : "s")), depth, scopes, used, sites);
    }

    @Override
    Lifecycle lifecycle() {
        return life;
    }

    @Override
    boolean isLiveChecked(MemorySegment segment) {
        for (ThreadStack stack : holdingStacks()) {
            if (stack.liveEntryOf(segment) >= 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return describe("");
    }
}
