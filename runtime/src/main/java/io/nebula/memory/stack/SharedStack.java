package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.LeakReport;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The thread-safe stack: per-thread stacks over one budget. The block is cut into {@link StackRegions} of
 * {@link StackConfig#effectiveRegionSize(long)} bytes; each thread that pushes gets a {@link ThreadStack} of its
 * own, found through a {@link ThreadLocal}, which holds a run of adjacent regions while it is non-empty. Inside its
 * regions a thread pushes and pops with plain loads and stores; taking a region is one compare-and-set, giving it
 * back one release store.
 *
 * <p>This object's own bookkeeping (inherited from {@link StackAllocator}) stays empty: it answers for the block as a
 * whole, and passes every call to the calling thread's stack. Calls that read every thread's stack
 * ({@link #usedBytes()}, {@link #depth()}, the leak report) read their plain fields racily: exact once the threads
 * are quiescent (joined, or otherwise ordered before the call).
 */
final class SharedStack extends StackAllocator {

    /** The bits of a thread's slot in {@link #slots}: 64 slots. */
    private static final int SLOT_BITS = 6;

    private final Lifecycle.Shared life;
    private final StackRegions regions;
    private final ThreadLocal<ThreadStack> stacks;
    /** The thread that created the stack: finds its stack without the thread-local. */
    private final Thread creator;
    /**
     * The creating thread's stack, created by that thread on its first call (not in the constructor, so a thread
     * that creates the stack and never uses it takes no place among the threads that keep a region while empty);
     * read and written by the creating thread only.
     */
    private ThreadStack creatorStack;
    /**
     * Platform threads' stacks by {@link #slotOf(Thread)}: a thread whose stack sits in its slot finds it with one
     * comparison instead of a {@link ThreadLocal} look-up, which cost a push and pop 5.8 times the time (see
     * BENCHMARKS). A slot is written with a plain store, only by a thread that finds it empty or held by an ended
     * thread's stack; a reader compares the stack's thread, a final field, with itself, so a slot written by another
     * thread, or a racing write lost, only sends it to the {@code ThreadLocal}. Two live threads with one slot: the
     * second keeps using the {@code ThreadLocal}. Keeps the stacks (and {@link Thread} objects) of up to
     * {@code 2^SLOT_BITS} ended threads reachable while this stack is; virtual threads never take a slot.
     */
    private final ThreadStack[] slots = new ThreadStack[1 << SLOT_BITS];

    SharedStack(long capacity, StackConfig config) {
        this(capacity, config, Lifecycle.shared(config.trackStats(), config.leakPolicy()));
    }

    private SharedStack(long capacity, StackConfig config, Lifecycle.Shared life) {
        super(capacity, config, life);
        this.life = life;
        this.regions = new StackRegions(capacity, config.effectiveRegionSize(capacity));
        MemorySegment block = segment();
        StackRegions shared = regions;
        this.creator = Thread.currentThread();
        this.stacks = ThreadLocal.withInitial(() -> new ThreadStack(block, config, life, shared));
        life.startTracking(this);
    }

    /** The calling thread's stack. */
    private ThreadStack mine() {
        Thread thread = Thread.currentThread();
        if (thread == creator) {
            ThreadStack stack = creatorStack;
            return stack != null ? stack : createCreatorStack();
        }
        int slot = slotOf(thread);
        ThreadStack stack = slots[slot];
        if (stack != null && stack.thread() == thread) {
            return stack;
        }
        return mineSlow(thread, slot);
    }

    /** The slot of {@link #slots} a thread's stack may sit in: a multiplicative hash of its id. */
    private static int slotOf(Thread thread) {
        return (int) ((thread.threadId() * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
    }

    /**
     * The calling thread's stack, from the {@link ThreadLocal}; a platform thread's is also put in its slot when the
     * slot is empty or holds the stack of a thread that has ended, so that its next calls find it there.
     */
    private ThreadStack mineSlow(Thread thread, int slot) {
        ThreadStack stack = stacks.get();
        if (!thread.isVirtual()) {
            ThreadStack there = slots[slot];
            if (there == null || !there.thread().isAlive()) {
                slots[slot] = stack;
            }
        }
        return stack;
    }

    private ThreadStack createCreatorStack() {
        ThreadStack stack = new ThreadStack(segment(), config(), life, regions);
        creatorStack = stack;
        return stack;
    }

    /** The regions and who holds them. */
    StackRegions regions() {
        return regions;
    }

    /** The number of regions held now. */
    int regionsHeld() {
        return regions.held();
    }

    /** The number of regions held now by stacks that are not empty or whose thread still runs. */
    int regionsInUse() {
        return regions.heldInUse();
    }

    // ---- The calls, passed to the calling thread's stack -------------------------------------------------------

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        return mine().allocateOffsetOnThread(byteSize, byteAlignment);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        return mine().allocateOnThread(byteSize, byteAlignment);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        mine().deallocateOnThread(segment);
    }

    @Override
    public void deallocateOffset(long offset) {
        mine().deallocateOffsetOnThread(offset);
    }

    @Override
    public Checkpoint checkpoint() {
        return mine().checkpointOnThread();
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        mine().restoreOnThread(checkpoint);
    }

    @Override
    public Scope scope() {
        return mine().scopeOnThread();
    }

    /** The calling thread's stack, created on its first call, once this stack is checked open. */
    @Override
    public StackAllocator threadStack() {
        life.checkNotClosed(this);
        return mine();
    }

    /** Never called: a scope belongs to the thread stack that opened it. */
    @Override
    void closeScope(StackScope scope) {
        throw new IllegalStateException("a scope of a thread-safe stack belongs to a thread's stack");
    }

    /** Pops every allocation of the calling thread's stack; other threads' stacks are untouched. */
    @Override
    public void reset() {
        mine().resetOnThread();
    }

    /** The live allocations of every thread: exact once the threads are quiescent. */
    @Override
    public int depth() {
        return regions.depth();
    }

    /** The bytes pushed by every thread, padding included: exact once the threads are quiescent. */
    @Override
    public long usedBytes() {
        return regions.usedBytes();
    }

    /** Marks the regions closed, which every thread's stack checks on each call, and closes checked-mode arenas. */
    @Override
    void closing() {
        regions.markClosed();
        for (ThreadStack stack : regions.holdingStacks()) {
            stack.closeCheckedArenas();
        }
    }

    @Override
    LeakReport leakReport() {
        int depth = 0;
        int scopes = 0;
        long used = 0;
        List<StackTraceElement[]> sites = new ArrayList<>();
        List<ThreadStack> holding = regions.holdingStacks();
        for (ThreadStack stack : holding) {
            depth += stack.liveDepth();
            scopes += stack.openScopes();
            used += stack.usedInPart();
            if (sites.size() < LeakReport.MAX_SITES) {
                sites.addAll(stack.sites(LeakReport.MAX_SITES - sites.size()));
            }
        }
        return new LeakReport(describe(", regions held=" + regions.held() + " by " + holding.size()
                + " thread" + (holding.size() == 1 ? "" : "s")), depth, scopes, used, sites);
    }

    @Override
    Lifecycle lifecycle() {
        return life;
    }

    @Override
    boolean isLiveChecked(MemorySegment segment) {
        return regions.isLiveChecked(segment);
    }

    @Override
    public String toString() {
        return describe("");
    }
}
